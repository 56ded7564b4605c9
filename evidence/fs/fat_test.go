package fs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makeFAT makes a FAT image of the tree with mkfs.vfat and mtools' mcopy,
// then deletes gone.txt with mdel.
func makeFAT(t *testing.T, bits string, sectors string) string {
	t.Helper()
	need(t, "mkfs.vfat", "mcopy", "mdel", "fls", "icat")
	img := filepath.Join(t.TempDir(), "fat"+bits+".img")
	run(t, "mkfs.vfat", "-C", "-F", bits, "-i", "12345678", img, sectors)
	src := tree(t)
	ents, _ := os.ReadDir(src)
	for _, e := range ents {
		run(t, "mcopy", "-s", "-m", "-i", img, filepath.Join(src, e.Name()), "::"+e.Name())
	}
	run(t, "mdel", "-i", img, "::gone.txt")
	return img
}

func TestFATAgainstTSK(t *testing.T) {
	for _, c := range []struct{ bits, kib string }{{"12", "4000"}, {"16", "20000"}, {"32", "70000"}} {
		t.Run("FAT"+c.bits, func(t *testing.T) {
			img := makeFAT(t, c.bits, c.kib)
			f := openImage(t, img, 0)
			if f.Type() != "FAT"+c.bits {
				t.Errorf("type %q, want FAT%s", f.Type(), c.bits)
			}
			tsk := fls(t, img, 0)
			// TSK names a deleted short entry with "_" for its first
			// character, as we do.
			if _, ok := tsk["/_one.txt (deleted)"]; !ok {
				t.Fatalf("TSK does not list the deleted /_one.txt: the test image is not what it should be")
			}
			compareTSK(t, f, tsk, func(p string) bool { return strings.HasPrefix(p, "/$") }, true)
			for _, p := range []string{"/hello.txt", "/docs/big.bin", "/docs/A long file name here.txt", "/docs/café.txt", "/many/f299.dat", "/empty"} {
				e, err := Lookup(f, p)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := sha(t, f, e, ""), icat(t, img, 0, itoa(e.Inode)); got != want {
					t.Errorf("%s: SHA-256 %s, icat gives %s", p, got, want)
				}
			}
			e, err := Lookup(f, "/_one.txt")
			if err != nil || !e.Deleted {
				t.Fatalf("deleted /_one.txt: %v %+v", err, e)
			}
			if got, want := sha(t, f, e, ""), icat(t, img, 0, itoa(e.Inode)); got != want {
				t.Errorf("deleted /gone.txt: SHA-256 %s, icat gives %s", got, want)
			}
		})
	}
}

// FAT keeps local times: read in the item's zone, they move by its offset.
func TestFATTimeZone(t *testing.T) {
	img := makeFAT(t, "16", "20000")
	b, _ := os.ReadFile(img)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data")
	}
	utc, _ := OpenIn(bytes.NewReader(b), int64(len(b)), time.UTC)
	local, _ := OpenIn(bytes.NewReader(b), int64(len(b)), berlin)
	e1, _ := Lookup(utc, "/hello.txt")
	e2, _ := Lookup(local, "/hello.txt")
	_, off := e2.M.In(berlin).Zone()
	if e1.M.Sub(*e2.M) != time.Duration(off)*time.Second || off == 0 {
		t.Errorf("UTC %v, Berlin %v (offset %d s)", e1.M, e2.M, off)
	}
}
