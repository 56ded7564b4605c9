package fs

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMutatedImages runs the whole read path over 4000 damaged copies of
// small real images (random bytes changed, half of them in the first 70 KiB
// where the metadata is): each must end, without a panic escaping, within
// 3 seconds.
func TestMutatedImages(t *testing.T) {
	seeds := fuzzSeedsT(t)
	if len(seeds) == 0 {
		t.Skip("mkfs.vfat, mcopy and mke2fs are not installed: no images to damage")
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 4000; i++ {
		s := seeds[i%len(seeds)]
		b := append([]byte(nil), s...)
		for k := 0; k < 1+rng.Intn(20); k++ {
			p := rng.Intn(len(b))
			if rng.Intn(2) == 0 {
				p = rng.Intn(min(len(b), 70000))
			}
			b[p] = byte(rng.Intn(256))
		}
		done := make(chan bool)
		go func() {
			defer close(done)
			fsys, err := Open(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				return
			}
			Walk(fsys, fsys.Root(), true, true, func(e *Entry) error {
				if e.Type == TypeFile {
					if f, err := fsys.Open(e, ""); err == nil {
						buf := make([]byte, 4096)
						for off := int64(0); off < f.Size() && off < 1<<20; off += 4096 {
							f.ReadAt(buf, off)
						}
					}
				}
				return nil
			}, func(string) {})
		}()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			p := filepath.Join(t.TempDir(), "hang.img")
			os.WriteFile(p, b, 0o644)
			t.Fatalf("input %d (seed %d) did not finish in 3 s; written to %s", i, i%len(seeds), p)
		}
	}
}
