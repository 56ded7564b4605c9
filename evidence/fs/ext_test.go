package fs

import (
	"path/filepath"
	"strings"
	"testing"
)

// makeExt makes an ext image of the tree with mke2fs -d (-t ext2, ext3 or
// ext4) and deletes gone.txt with debugfs, leaving its name in the block.
func makeExt(t *testing.T, typ string, extra ...string) string {
	t.Helper()
	need(t, "mke2fs", "debugfs", "fls", "icat")
	img := filepath.Join(t.TempDir(), typ+".img")
	args := append([]string{"-q", "-F", "-t", typ, "-E", "lazy_itable_init=0", "-d", tree(t)}, extra...)
	run(t, "mke2fs", append(args, img, "16M")...)
	run(t, "debugfs", "-w", "-R", "rm /gone.txt", img)
	return img
}

func TestExtAgainstTSK(t *testing.T) {
	for _, c := range []struct {
		typ   string
		extra []string
		label string
	}{
		{"ext4", nil, "ext4"},
		{"ext4", []string{"-O", "64bit", "-b", "4096"}, "ext4"},
		{"ext3", nil, "ext3"},
		{"ext2", []string{"-I", "128"}, "ext2"},
	} {
		t.Run(c.typ+strings.Join(c.extra, ""), func(t *testing.T) {
			img := makeExt(t, c.typ, c.extra...)
			f := openImage(t, img, 0)
			if f.Type() != c.label {
				t.Errorf("type %q, want %q", f.Type(), c.label)
			}
			tsk := fls(t, img, 0)
			if _, ok := tsk["/gone.txt (deleted)"]; !ok {
				t.Fatalf("TSK does not list the deleted /gone.txt: the test image is not what it should be")
			}
			compareTSK(t, f, tsk, nil, true)
			for _, p := range []string{"/hello.txt", "/docs/big.bin", "/docs/café.txt", "/many/f299.dat", "/empty"} {
				e, err := Lookup(f, p)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := sha(t, f, e, ""), icat(t, img, 0, itoa(e.Inode)); got != want {
					t.Errorf("%s: SHA-256 %s, icat gives %s", p, got, want)
				}
			}
		})
	}
}
