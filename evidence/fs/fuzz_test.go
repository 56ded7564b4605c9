package fs

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// fuzzSeeds makes small images with the reference tools (when present):
// FAT12, ext2 and ext4 with a few files and a deleted one.
func fuzzSeeds(f *testing.F) [][]byte { return fuzzSeedsT(f) }

func fuzzSeedsT(f testing.TB) [][]byte {
	dir := f.TempDir()
	src := filepath.Join(dir, "src")
	os.MkdirAll(filepath.Join(src, "d"), 0o755)
	os.WriteFile(filepath.Join(src, "a.txt"), []byte("hello\n"), 0o644)
	os.WriteFile(filepath.Join(src, "d", "A long name.bin"), bytes.Repeat([]byte{7}, 5000), 0o644)
	var out [][]byte
	try := func(img string, cmds ...[]string) {
		for _, c := range cmds {
			cmd := exec.Command(c[0], c[1:]...)
			cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
			if err := cmd.Run(); err != nil {
				return
			}
		}
		if b, err := os.ReadFile(img); err == nil {
			out = append(out, b)
		}
	}
	fat := filepath.Join(dir, "fat.img")
	try(fat, []string{"mkfs.vfat", "-C", fat, "200"}, []string{"mcopy", "-s", "-i", fat, filepath.Join(src, "d"), filepath.Join(src, "a.txt"), "::"},
		[]string{"mdel", "-i", fat, "::a.txt"})
	for _, typ := range []string{"ext2", "ext4"} {
		img := filepath.Join(dir, typ+".img")
		try(img, []string{"mke2fs", "-q", "-F", "-t", typ, "-N", "32", "-d", src, img, "256K"}, []string{"debugfs", "-w", "-R", "rm /a.txt", img})
	}
	iso := filepath.Join(dir, "joliet.iso")
	try(iso, []string{"xorriso", "-abort_on", "FAILURE", "-joliet", "on", "-outdev", iso, "-map", src, "/"})
	return out
}

// FuzzOpen runs the whole read path (probe, open, walk with deleted
// entries, read every file) over arbitrary bytes: no panic, no hang.
func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s[:min(len(s), 64<<10)]) // the fuzzer mutates large inputs slowly; the metadata is in the first 64 KiB
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		fsys, err := Open(r, int64(len(b)))
		if err != nil {
			return
		}
		n := 0
		buf := make([]byte, 4096)
		Walk(fsys, fsys.Root(), true, true, func(e *Entry) error {
			n++
			if n > 10000 {
				return errStop
			}
			if e.Type != TypeFile {
				return nil
			}
			file, err := fsys.Open(e, "")
			if err != nil {
				return nil
			}
			for off := int64(0); off < file.Size() && off < 1<<20; off += int64(len(buf)) {
				if _, err := file.ReadAt(buf, off); err != nil && err != io.EOF {
					break
				}
			}
			return nil
		}, func(string) {})
	})
}
