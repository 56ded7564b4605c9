package vdtest

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

// Opener opens a container for Fuzz.
type Opener func(path string) (r io.ReaderAt, size int64, close func() error, err error)

// Fuzz runs a fuzz target over damaged copies of the base images (files
// that qemu-img wrote, small): each input picks a base, overwrites the
// bytes at an offset (taken modulo the image's size) and may cut the file
// short. Opening and reading the whole disk must never panic or hang, and
// every error must be a *container.Error or a file system error. seeds
// are (offset, patch) pairs worth trying on every base: the places of the
// format's structures.
func Fuzz(f *testing.F, bases [][]byte, seeds map[uint32][]byte, open Opener) {
	for i := range bases {
		f.Add(uint8(i), uint32(0), []byte{}, uint32(0))
		for off, p := range seeds {
			f.Add(uint8(i), off, p, uint32(0))
		}
		f.Add(uint8(i), uint32(0), []byte{}, uint32(len(bases[i])/2))
	}
	f.Fuzz(func(t *testing.T, base uint8, off uint32, patch []byte, cut uint32) {
		if len(bases) == 0 {
			t.Skip("no base images (qemu-img missing)")
		}
		img := append([]byte(nil), bases[int(base)%len(bases)]...)
		if len(img) > 0 {
			at := int(off) % len(img)
			copy(img[at:], patch)
		}
		if cut > 0 && int(cut) < len(img) {
			img = img[:cut]
		}
		p := filepath.Join(t.TempDir(), "disk")
		if err := os.WriteFile(p, img, 0o644); err != nil {
			t.Fatal(err)
		}
		r, size, closeFn, err := open(p)
		if err != nil {
			checkErr(t, err)
			return
		}
		defer closeFn()
		if size < 0 {
			t.Fatalf("negative size %d", size)
		}
		// Read at most 64 MiB: the start and the end of a huge disk.
		buf := make([]byte, 1<<20)
		for _, start := range []int64{0, max(0, size-32<<20)} {
			for at := start; at < min(size, start+32<<20); at += int64(len(buf)) {
				n, err := r.ReadAt(buf, at)
				if err != nil && err != io.EOF {
					checkErr(t, err)
					return
				}
				if n < len(buf) && at+int64(n) != size {
					t.Fatalf("ReadAt at %d returned %d bytes and %v before the end (%d)", at, n, err, size)
				}
			}
		}
	})
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	var e *container.Error
	var pe *fs.PathError
	if !errors.As(err, &e) && !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is neither a *container.Error nor a file system error", err, err)
	}
}

// Bases converts raw, in dir, to each format given as qemu-img arguments
// and returns the images' bytes (none when qemu-img is missing).
func Bases(f *testing.F, raw []byte, convs ...[]string) [][]byte {
	f.Helper()
	var out [][]byte
	if _, err := exec.LookPath("qemu-img"); err != nil {
		return nil
	}
	dir := f.TempDir()
	src := WriteRaw(f, dir, "src.raw", raw)
	for i, c := range convs {
		dst := filepath.Join(dir, "img"+string(rune('a'+i)))
		Qemu(f, append(append([]string{"convert", "-f", "raw"}, c...), src, dst)...)
		b, err := os.ReadFile(dst)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}
