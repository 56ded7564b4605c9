package disk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// extImage makes an ext4 image with a fragmented-enough file of 3 MiB
// (so that it spans several 64 KiB chunks of the item) and a small one.
func extImage(t *testing.T) (img string, big []byte) {
	t.Helper()
	if _, err := exec.LookPath("mke2fs"); err != nil {
		t.Skip("mke2fs (e2fsprogs) is not installed")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.MkdirAll(filepath.Join(src, "docs"), 0o755)
	big = make([]byte, 3<<20)
	for i := range big {
		big[i] = byte(i*7 + i/4096)
	}
	os.WriteFile(filepath.Join(src, "docs", "big.bin"), big, 0o644)
	os.WriteFile(filepath.Join(src, "note.txt"), []byte("a note\n"), 0o644)
	img = filepath.Join(dir, "ext.img")
	if out, err := exec.Command("mke2fs", "-q", "-F", "-t", "ext4", "-d", src, img, "16M").CombinedOutput(); err != nil {
		t.Fatalf("mke2fs: %v %s", err, out)
	}
	return img, big
}

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestAddDerivedWithProvenance(t *testing.T) {
	img, big := extImage(t)
	c, err := casefile.Create(filepath.Join(t.TempDir(), "case.custodia"), []byte("pass"), casefile.NewCase{Title: "t", Examiner: "Ed"}, casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Small chunks: the file's reads cross many chunks and the LRU.
	items, err := evidence.Ingest(context.Background(), c, img, evidence.Options{ChunkSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	parent := items[0]
	im, err := Open(c, parent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if im.Table.Scheme != "none" || im.Table.Volumes[0].FileSystem != "ext4" {
		t.Fatalf("table %+v", im.Table)
	}
	f, v, err := im.FS(0)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Find(f, "/docs/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	var cat bytes.Buffer
	if _, err := im.Cat(context.Background(), f, v, e, "", 0, -1, &cat, "look"); err != nil || !bytes.Equal(cat.Bytes(), big) {
		t.Fatalf("cat: %v, %d bytes, equal %v", err, cat.Len(), bytes.Equal(cat.Bytes(), big))
	}
	ev, err := im.Add(context.Background(), f, v, e, "", evidence.Options{Reason: "the big file"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Meta.Hashes.SHA256 != hexSHA(big) || ev.Meta.Size != int64(len(big)) || ev.Meta.Format != evidence.FormatDerived || ev.Meta.Name != "big.bin" {
		t.Fatalf("derived item %+v", ev.Meta)
	}
	// its bytes read back from the case
	r, _ := c.OpenEvidence(ev.ID)
	back, _ := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	if !bytes.Equal(back, big) {
		t.Fatal("the derived item's bytes differ from the file")
	}
	// the provenance record: parent, path, inode, and runs whose bytes in
	// the parent are the file
	ps, err := evidence.ProvenanceOf(c, ev.ID)
	if err != nil || len(ps) != 1 {
		t.Fatalf("provenance %v %+v", err, ps)
	}
	if all, err := evidence.AllProvenance(c); err != nil || len(all) != 1 || !reflect.DeepEqual(all[ev.ID], ps) {
		t.Fatalf("AllProvenance %v %+v, want only %s's", err, all, ev.ID)
	}
	p := ps[0]
	if p.Kind != "derived" || p.Parent != parent.ID || p.ParentSHA256 != parent.Meta.Hashes.SHA256 || p.Path != "/docs/big.bin" ||
		p.Inode != e.Inode || p.FileSystem != "ext4" || p.Volume != 1 || p.Size != int64(len(big)) || p.Recorded.Examiner != "Ed" || p.Times["mtime"].IsZero() {
		t.Fatalf("provenance %+v", p)
	}
	pr, _ := c.OpenEvidence(parent.ID)
	var fromRuns []byte
	for _, run := range p.Runs {
		b := make([]byte, run.Length)
		pr.ReadAt(b, run.ImageOffset)
		fromRuns = append(fromRuns, b...)
	}
	if !bytes.Equal(fromRuns, big) {
		t.Fatalf("the runs (%d) do not hold the file", len(p.Runs))
	}
	// one custody entry for the item, naming where it came from
	entries, _ := c.Entries()
	last := entries[len(entries)-1]
	if last.Action != casefile.ActionEvidenceIngested || last.Target.ID != ev.ID.String() || last.Details["derived_from"] != parent.ID.String() ||
		last.Details["path"] != "/docs/big.bin" || last.Hashes["sha256"] != hexSHA(big) || last.Reason != "the big file" {
		t.Fatalf("entry %+v", last)
	}
	if prev := entries[len(entries)-2]; prev.Action != casefile.ActionEvidenceViewed || prev.Details["via"] != "fs cat" {
		t.Fatalf("the cat was not recorded: %+v", prev)
	}
	// the parent is untouched
	if v, err := evidence.Verify(context.Background(), c, parent.ID, evidence.VerifyOptions{AllHashes: true}, nil); err != nil || !v.OK {
		t.Fatalf("parent verification %v %+v", err, v)
	}
}

func TestExportRecorded(t *testing.T) {
	img, big := extImage(t)
	c, err := casefile.Create(filepath.Join(t.TempDir(), "case.custodia"), []byte("pass"), casefile.NewCase{Title: "t", Examiner: "Ed"}, casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	items, _ := evidence.Ingest(context.Background(), c, img, evidence.Options{})
	im, _ := Open(c, items[0].ID)
	f, v, _ := im.FS(1)
	e, _ := Find(f, "docs/big.bin")
	dest := filepath.Join(t.TempDir(), "out.bin")
	sum, err := im.Export(context.Background(), f, v, e, "", dest, "counsel", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dest)
	if !bytes.Equal(got, big) || sum.SHA256 != hexSHA(big) {
		t.Fatal("export differs")
	}
	if _, err := im.Export(context.Background(), f, v, e, "", dest, "again", nil); err == nil {
		t.Fatal("an export over an existing file succeeded")
	}
	entries, _ := c.Entries()
	last := entries[len(entries)-1]
	if last.Action != casefile.ActionEvidenceExtracted || last.Details["destination"] != dest || last.Hashes["sha256"] != hexSHA(big) {
		t.Fatalf("entry %+v", last)
	}
	if _, err := Find(f, "inode:999999"); err == nil {
		t.Error("inode 999999 found")
	}
	if _, _, err := im.FS(3); err == nil {
		t.Error("volume 3 opened")
	}
}
