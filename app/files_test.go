package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
	efs "github.com/custodia-dfir/custodia/evidence/fs"
)

// TestFilesArea opens an ext4 image in the Files area: the folder lists
// with the deleted file marked, the preview shows the text, Show in image
// opens the hex view at the file's first byte, a folder disables the file
// actions saying why, and Add as evidence makes a derived item; the
// opening is recorded.
func TestFilesArea(t *testing.T) {
	if _, err := exec.LookPath("mke2fs"); err != nil {
		t.Skip("mke2fs (e2fsprogs) is not installed")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.MkdirAll(filepath.Join(src, "docs"), 0o755)
	os.WriteFile(filepath.Join(src, "hello.txt"), []byte("hello, world\n"), 0o644)
	os.WriteFile(filepath.Join(src, "gone.txt"), []byte("deleted\n"), 0o644)
	img := filepath.Join(dir, "disk.img")
	if out, err := exec.Command("mke2fs", "-q", "-F", "-t", "ext4", "-d", src, img, "4M").CombinedOutput(); err != nil {
		t.Fatalf("mke2fs: %v %s", err, out)
	}
	if out, err := exec.Command("debugfs", "-w", "-R", "rm /gone.txt", img).CombinedOutput(); err != nil {
		t.Skipf("debugfs: %v %s", err, out)
	}
	data, _ := os.ReadFile(img)
	path, _ := makeCase(t, dir, "pass")
	item := ingestClosed(t, path, "disk.img", data)
	if item.Meta.Kind != casefile.KindDisk {
		t.Fatalf("kind %s", item.Meta.Kind)
	}
	u, _ := openCaseUI(t, dir, path)
	v := viewOf[*filesView](t, u, "Files")
	if len(v.itemSel.Options) != 1 {
		t.Fatalf("items offered: %v", v.itemSel.Options)
	}
	v.itemSel.SetSelectedIndex(0)
	waitJobs(t, u)
	waitJobs(t, u)
	waitJobs(t, u)
	if v.fs == nil || v.fs.Type() != "ext4" || v.selectedItem() != item.ID {
		t.Fatalf("volume not opened: %q", v.status.Text)
	}
	byName := map[string]*efs.Entry{}
	for i := 0; i < v.src.count(); i++ {
		e := v.src.item(i)
		byName[e.Name] = e
	}
	if byName["hello.txt"] == nil || byName["gone.txt"] == nil || !byName["gone.txt"].Deleted || byName["docs"] == nil {
		t.Fatalf("root lists %v (note %q)", byName, v.note.Text)
	}
	if c := filesColumns[0].cell(byName["gone.txt"]); c.text != "gone.txt (deleted)" {
		t.Errorf("deleted cell %q", c.text)
	}
	// a folder: the file actions say why not
	v.choose(byName["docs"])
	if why := v.export.whyNot(); why != "choose a file, not a folder." {
		t.Errorf("export on a folder: %q", why)
	}
	// the text file
	v.choose(byName["hello.txt"])
	waitJobs(t, u)
	if v.preview.Text != "hello, world\n" {
		t.Errorf("preview %q", v.preview.Text)
	}
	start, n, why := v.firstRun()
	if why != "" || n != 13 {
		t.Fatalf("first run %d+%d %q", start, n, why)
	}
	r, _ := u.Case().OpenEvidence(item.ID)
	b := make([]byte, 13)
	r.ReadAt(b, start)
	if string(b) != "hello, world\n" {
		t.Fatalf("the image at the run holds %q", b)
	}
	v.showInImage()
	waitJobs(t, u)
	if len(u.hexViews) != 1 {
		t.Fatalf("%d hex views", len(u.hexViews))
	}
	if s, e, ok := u.hexViews[0].Selection(); !ok || s != start || e != start+13 {
		t.Errorf("hex view selection %d–%d %v, want %d–%d", s, e, ok, start, start+13)
	}
	// add as evidence
	v.addAsEvidence()
	waitJobs(t, u)
	items, _ := u.Case().ListEvidence()
	if len(items) != 2 || items[1].Meta.Format != evidence.FormatDerived || items[1].Meta.Size != 13 {
		t.Fatalf("items %+v", items)
	}
	ps, err := evidence.ProvenanceOf(u.Case(), items[1].ID)
	if err != nil || len(ps) != 1 || ps[0].Path != "/hello.txt" || ps[0].Parent != item.ID {
		t.Fatalf("provenance %v %+v", err, ps)
	}
	// The evidence details say where it came from, to the byte.
	ev := viewOf[*evidenceView](t, u, "Evidence")
	ev.showItem(items[1].ID)
	want := fmt.Sprintf("disk.img (%s), volume 1 (ext4 at byte 0)\n/hello.txt, inode %d\n1 byte run in the parent\n13 bytes at file byte 0: item byte %d",
		item.ID.String()[:8], ps[0].Inode, start)
	if got := ev.details.derivedFrom.Text; got != want {
		t.Errorf("derived from:\n%s\nwant\n%s", got, want)
	}
	ev.showItem(item.ID)
	if got := ev.details.derivedFrom.Text; got != "(acquired from its source, not derived)" {
		t.Errorf("derived from of the image: %q", got)
	}
	var files bool
	for _, e := range viewedEntries(t, u) {
		files = files || e.Details["via"] == "files"
	}
	if !files {
		t.Error("opening the item in Files was not recorded")
	}
}
