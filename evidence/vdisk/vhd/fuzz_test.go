package vhd

import (
	"io"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/vdtest"
)

// FuzzOpen opens damaged VHDs made from small qemu-img images: fixed and
// dynamic (the dynamic one's 2 MiB block shrunk to 4 KiB in the seeds).
func FuzzOpen(f *testing.F) {
	raw := vdtest.Content(64<<10+512, 5)
	bases := vdtest.Bases(f, raw, []string{"-O", "vpc", "-o", "subformat=fixed,force_size=on"}, []string{"-O", "vpc", "-o", "subformat=dynamic,force_size=on"})
	seeds := map[uint32][]byte{
		512 + 32:  {0, 0, 0x10, 0},          // dynamic header: block size 4 KiB
		512 + 28:  {0xff, 0xff, 0xff, 0xff}, // max table entries
		512 + 16:  {0, 0, 0, 0, 0xff, 0, 0, 0},
		1536:      {0, 0, 0, 0x10},       // BAT entry 0
		60:        {0, 0, 0, 4},          // differencing in the copy
		48:        {0xff, 0, 0, 0, 0, 0}, // current size
		512 + 576: []byte("W2ru\x00\x00\x02\x00\x00\x00\x02\x00"),
	}
	vdtest.Fuzz(f, bases, seeds, func(p string) (io.ReaderAt, int64, func() error, error) {
		d, err := Open(p, Options{AcceptBadChecksums: true})
		if err != nil {
			return nil, 0, nil, err
		}
		return d, d.Size(), d.Close, nil
	})
}
