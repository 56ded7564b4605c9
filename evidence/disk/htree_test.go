package disk

import (
	"bytes"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	efs "github.com/custodia-dfir/custodia/evidence/fs"
)

// TestHashedFolderAsFls lists a folder the kernel filled (an htree of
// 20 000 names, with the deleted names its splits left behind) from the
// sealed case, and compares every allocated name and inode number with
// TSK's fls of the plain image. It needs root and a loop device to make
// the image, and fls.
func TestHashedFolderAsFls(t *testing.T) {
	if _, err := exec.LookPath("fls"); err != nil {
		t.Skip("fls (sleuthkit) is not installed")
	}
	const files = 20_000
	img, err := loopDirImage(t.TempDir(), files)
	if err != nil {
		t.Skipf("cannot make the image on a loop mount here: %v", err)
	}
	c, item := benchCase(t, img)
	im, err := Open(c, item.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := im.FS(0)
	if err != nil {
		t.Fatal(err)
	}
	big, err := Find(f, "/big")
	if err != nil {
		t.Fatal(err)
	}
	var ours []string
	var order []uint64
	if err := efs.Walk(f, big, false, false, func(e *efs.Entry) error {
		ours = append(ours, e.Name+" "+strconv.FormatUint(e.Inode, 10))
		order = append(order, e.Inode)
		return nil
	}, func(p string) { t.Errorf("problem: %s", p) }); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("fls", img, strconv.FormatUint(big.Inode, 10)).Output()
	if err != nil {
		t.Fatal(err)
	}
	var theirs []string
	for _, l := range bytes.Split(out, []byte("\n")) {
		s := string(l)
		if !strings.HasPrefix(s, "r/r ") || strings.Contains(s, " * ") {
			continue
		}
		ino, name, _ := strings.Cut(strings.TrimPrefix(s, "r/r "), ":\t")
		theirs = append(theirs, name+" "+ino)
	}
	if len(ours) != files {
		t.Fatalf("listed %d names, want %d", len(ours), files)
	}
	// Listed in the folder's own (hash) order, as fls does, though the
	// inodes were read in inode order.
	if slices.IsSorted(order) {
		t.Error("the names come in inode order, not the folder's")
	}
	if !slices.Equal(ours, theirs) {
		for i := range min(len(ours), len(theirs)) {
			if ours[i] != theirs[i] {
				t.Fatalf("name %d: ours %q, fls %q (%d and %d names)", i, ours[i], theirs[i], len(ours), len(theirs))
			}
		}
		t.Fatalf("ours %d names, fls %d", len(ours), len(theirs))
	}
}
