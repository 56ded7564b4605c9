package vdisk_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/custodia-dfir/custodia/evidence/vdisk"
)

// The ingest's use: detect, open, read the virtual disk once from start to
// end, and keep what the container records.
func ExampleOpen() {
	d, err := vdisk.Open("evidence/disk.vhdx", vdisk.Options{AcceptBadChecksums: true})
	if errors.Is(err, vdisk.ErrNeedsParent) {
		var e *vdisk.Error
		errors.As(err, &e)
		fmt.Println("needs its parent", e.Parent, "—", vdisk.Hint(err))
		return
	}
	if err != nil {
		fmt.Println("error:", err, "\nhint:", vdisk.Hint(err))
		return
	}
	defer d.Close()
	r := vdisk.NewReader(d)
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Printf("%s %s, %d bytes, SHA-256 %x, from %q\n", d.Format(), d.SubFormat(), d.Size(), h.Sum(nil), d.Files())
	for _, w := range d.Warnings() {
		fmt.Println("warning:", w)
	}
}
