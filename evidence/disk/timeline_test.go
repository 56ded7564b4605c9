package disk

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/evidence"
	efs "github.com/custodia-dfir/custodia/evidence/fs"
)

// The file-system times of an ext4 image made by mke2fs -d become timeline
// events: one per entry and time present (ext4 with 256-byte inodes has all
// four), named as plaso names them, each pointing at the file's first byte
// run in the item, and searchable by path.
func TestFileSystemTimesBecomeEvents(t *testing.T) {
	img, big := extImage(t)
	c, err := casefile.Create(filepath.Join(t.TempDir(), "case.custodia"), []byte("pass"), casefile.NewCase{Title: "t", Examiner: "Ed"}, casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	items, err := evidence.Ingest(context.Background(), c, img, evidence.Options{ChunkSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	item := items[0]

	// What the listing says: entries and their times.
	im, err := Open(c, item.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := im.FS(0)
	if err != nil {
		t.Fatal(err)
	}
	entries, times := 0, 0
	if err := efs.Walk(f, f.Root(), true, true, func(e *efs.Entry) error {
		entries++
		for _, x := range []*time.Time{e.M, e.A, e.C, e.B} {
			if x != nil {
				times++
			}
		}
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	// docs, docs/big.bin, note.txt, lost+found: four times each.
	if entries != 4 || times != 16 {
		t.Fatalf("the image lists %d entries with %d times, want 4 with 16", entries, times)
	}

	p, err := evidence.ParseItem(context.Background(), c, item.ID, evidence.ParseOptions{Parser: ParserName, Reason: "file-system times"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Events != int64(times) || p.Parser != ParserName || p.Warnings != 0 {
		t.Fatalf("parse: %d events by %q with %d warnings, want %d by filesystem with none", p.Events, p.Parser, p.Warnings, times)
	}
	descs := map[string]int{}
	byPath := map[string][]timeline.Event{}
	for e, err := range timeline.Of(c).Events(item.ID) {
		if err != nil {
			t.Fatal(err)
		}
		descs[e.TimestampDesc]++
		path, _ := e.Get("path")
		byPath[path] = append(byPath[path], e)
		if e.Time.IsZero() || e.TimeZone != "UTC" || e.Parser != ParserName {
			t.Errorf("event %s: time %v zone %q parser %q", e.ID, e.Time, e.TimeZone, e.Parser)
		}
	}
	for _, d := range []string{"Content Modification Time", "Last Access Time", "Metadata Modification Time", "Creation Time"} {
		if descs[d] != 4 {
			t.Errorf("%d events %q, want 4 (%v)", descs[d], d, descs)
		}
	}
	// Anchored to the file's first byte run: its exact bytes.
	r, _ := c.OpenEvidence(item.ID)
	at := func(e timeline.Event) []byte {
		b := make([]byte, e.Length)
		if _, err := r.ReadAt(b, e.Offset); err != nil && err != io.EOF {
			t.Fatal(err)
		}
		return b
	}
	note := byPath["/note.txt"]
	if len(note) != 4 || string(at(note[0])) != "a note\n" || note[0].Message != "/note.txt (file)" {
		t.Fatalf("/note.txt: %d events, first at %d+%d %q", len(note), note[0].Offset, note[0].Length, at(note[0]))
	}
	bigEv := byPath["/docs/big.bin"]
	if len(bigEv) != 4 || bigEv[0].Length == 0 || !bytes.Equal(at(bigEv[0]), big[:bigEv[0].Length]) {
		t.Fatalf("/docs/big.bin: %d events, first at %d+%d", len(bigEv), bigEv[0].Offset, bigEv[0].Length)
	}
	if m, _ := c.Evidence(item.ID); m.Meta.Hashes != item.Meta.Hashes {
		t.Fatal("the parent item changed")
	}

	ix, err := timeline.Build(context.Background(), timeline.Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for q, n := range map[string]int64{"path:/note.txt": 4, "path:/docs*": 8, `timestamp_desc:"Creation Time"`: 4, "parser:filesystem": 16, "file_type:dir": 8} {
		if got, err := ix.Count(context.Background(), timeline.Filter{Query: q}); err != nil || got != n {
			t.Errorf("Count(%q) = %d, %v; want %d", q, got, err, n)
		}
	}
}

// A log item is no disk: the parser says so and stores nothing.
func TestFileSystemParserOnALog(t *testing.T) {
	dir := t.TempDir()
	c, err := casefile.Create(filepath.Join(dir, "case.custodia"), []byte("pass"), casefile.NewCase{Title: "t", Examiner: "Ed"}, casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	log := filepath.Join(dir, "auth.log")
	os.WriteFile(log, []byte("Feb 21 21:54:44 localhost sshd[3402]: Accepted publickey for vagrant\n"), 0o644)
	items, err := evidence.Ingest(context.Background(), c, log, evidence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = evidence.ParseItem(context.Background(), c, items[0].ID, evidence.ParseOptions{Parser: ParserName})
	want := "parse auth.log: disk: no file system could be read on the volume: auth.log holds no file system this version reads ('custodiactl fs volumes' names what was found)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if ps, _ := timeline.Of(c).Parses(); len(ps) != 0 {
		t.Fatalf("%d parses stored", len(ps))
	}
}
