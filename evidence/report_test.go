package evidence

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/ewf"
)

// entriesAfter returns the custody entries appended after seq.
func entriesAfter(t *testing.T, c *casefile.Case, seq int64) []casefile.CustodyEntry {
	t.Helper()
	all, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	var out []casefile.CustodyEntry
	for _, e := range all {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// containerInEntry decodes the container files listed in an
// evidence.ingested entry.
func containerInEntry(t *testing.T, e casefile.CustodyEntry) []containerJSON {
	t.Helper()
	var out []containerJSON
	for part := 1; ; part++ {
		key := "container"
		if part > 1 {
			key = fmt.Sprintf("container_%d", part)
		}
		v, ok := e.Details[key]
		if !ok {
			break
		}
		var list []containerJSON
		if err := json.Unmarshal([]byte(v), &list); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		out = append(out, list...)
	}
	if fmt.Sprint(len(out)) != e.Details["container_files"] {
		t.Fatalf("entry lists %d container files, container_files says %q", len(out), e.Details["container_files"])
	}
	return out
}

type containerJSON struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	MD5    string `json:"md5"`
	SHA1   string `json:"sha1"`
	SHA256 string `json:"sha256"`
}

// checkContainer checks that an item lists every file with the hashes of
// its own bytes, in the item's record and in its evidence.ingested entry.
func checkContainer(t *testing.T, c *casefile.Case, ev casefile.Evidence, files []string, entry casefile.CustodyEntry) {
	t.Helper()
	if entry.Action != casefile.ActionEvidenceIngested || entry.Target.ID != ev.ID.String() {
		t.Fatalf("entry %d is %s of %s", entry.Seq, entry.Action, entry.Target.ID)
	}
	inEntry := containerInEntry(t, entry)
	if len(ev.Meta.Container) != len(files) || len(inEntry) != len(files) {
		t.Fatalf("container %d files, entry %d, want %d", len(ev.Meta.Container), len(inEntry), len(files))
	}
	for i, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want := sums(b)
		cf := ev.Meta.Container[i]
		if cf.Path != p || cf.Size != int64(len(b)) || cf.Hashes != want {
			t.Errorf("container file %d: %+v, want %s, %d bytes, %+v", i, cf, p, len(b), want)
		}
		if e := inEntry[i]; e != (containerJSON{filepath.Base(p), int64(len(b)), want.MD5, want.SHA1, want.SHA256}) {
			t.Errorf("entry's container file %d: %+v, want %s with %+v", i, e, filepath.Base(p), want)
		}
	}
	// The sealed record read back says the same.
	got, err := c.Evidence(ev.ID)
	if err != nil || !slices.Equal(got.Meta.Container, ev.Meta.Container) {
		t.Fatalf("container read back: %+v, %v", got.Meta.Container, err)
	}
}

// TestSplitRawSegmentHashes: each segment of a split raw image is hashed
// from the one read, also when segments end inside a chunk, when a chunk
// holds several segments, and when a segment is empty.
func TestSplitRawSegmentHashes(t *testing.T) {
	c := testCase(t)
	dir := t.TempDir()
	const chunk = 32 << 10
	whole := make([]byte, 5*chunk+100)
	rand.Read(whole)
	cuts := []int{0, 1000, 1000, chunk, chunk + 5, 3*chunk + 7, len(whole)} // segment 2 is empty; 4 is 5 bytes
	var files []string
	for i := 0; i+1 < len(cuts); i++ {
		files = append(files, writeFile(t, dir, fmt.Sprintf("disk.%03d", i+1), whole[cuts[i]:cuts[i+1]]))
	}
	seq, _ := c.Head()
	evs, err := Ingest(context.Background(), c, files[0], Options{ChunkSize: chunk})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Meta.Hashes != sums(whole) || evs[0].Meta.Format != FormatSplitRaw {
		t.Fatalf("%+v", evs)
	}
	entries := entriesAfter(t, c, seq)
	checkContainer(t, c, evs[0], files, entries[len(entries)-1])
}

// TestE01SegmentHashesInOneRead: an E01's segment files are hashed while
// the media is read, each file's bytes read once (md5sum, sha1sum and
// sha256sum of each file agree), and listed in the custody entry.
func TestE01SegmentHashesInOneRead(t *testing.T) {
	c := testCase(t)
	dir := t.TempDir()
	src := diskLike(4<<20 + 1024)
	first := makeE01(t, dir, src, "none", 1<<20)
	files := ewf.SegmentFiles(first)
	if len(files) < 3 {
		t.Fatalf("want at least 3 segments, got %v", files)
	}
	seq, _ := c.Head()
	evs, err := Ingest(context.Background(), c, first, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Meta.Hashes != sums(src) {
		t.Fatal("media hashes")
	}
	entries := entriesAfter(t, c, seq)
	checkContainer(t, c, evs[0], files, entries[len(entries)-1])
}

// TestFolderSkipsAreListed: a folder with a FIFO, a socket, symbolic links
// to a file, to a folder and to nothing (and, as root, a device node)
// ingests its regular files and lists every other entry with its reason,
// in the report and in one evidence.ingest-skipped custody entry.
func TestFolderSkipsAreListed(t *testing.T) {
	c := testCase(t)
	dir := filepath.Join(t.TempDir(), "seized")
	os.MkdirAll(filepath.Join(dir, "etc"), 0o755)
	writeFile(t, dir, "etc/passwd", []byte("root:x:0:0:root:/root:/bin/bash\n"))
	writeFile(t, dir, "notes.txt", []byte("acquired live\n"))
	if err := mkfifoSys(filepath.Join(dir, "fifo")); err != nil {
		t.Skip("no FIFOs here")
	}
	os.Symlink("notes.txt", filepath.Join(dir, "link-to-file"))
	os.Symlink("etc", filepath.Join(dir, "link-to-dir"))
	os.Symlink("/nonexistent/target", filepath.Join(dir, "dangling"))
	sock := filepath.Join(dir, "s.sock")
	if l, err := net.Listen("unix", sock); err == nil {
		defer l.Close()
	} else {
		t.Fatalf("socket: %v", err)
	}
	want := []Skipped{
		{filepath.Join(dir, "dangling"), "symbolic link whose target does not exist or cannot be read", "/nonexistent/target"},
		{filepath.Join(dir, "fifo"), "named pipe (FIFO): no fixed content to read", ""},
		{filepath.Join(dir, "link-to-dir"), "symbolic link to a folder, not followed", "etc"},
		{filepath.Join(dir, "link-to-file"), "symbolic link to a file, not followed", "notes.txt"},
	}
	if os.Geteuid() == 0 {
		if err := syscall.Mknod(filepath.Join(dir, "null"), syscall.S_IFCHR|0o600, 1<<8|3); err != nil {
			t.Fatalf("mknod: %v", err)
		}
		want = append(want, Skipped{filepath.Join(dir, "null"), "character device: not read", ""})
	}
	want = append(want, Skipped{sock, "socket: no content to read", ""})

	seq, _ := c.Head()
	r, err := IngestWithReport(context.Background(), c, dir, Options{Reason: "triage copy"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Items) != 2 || r.Items[0].Meta.Name != "seized/etc/passwd" || r.Items[1].Meta.Name != "seized/notes.txt" {
		t.Fatalf("items: %+v", r.Items)
	}
	if !slices.Equal(r.Skipped, want) {
		t.Fatalf("skipped:\n%q\nwant\n%q", r.Skipped, want)
	}
	entries := entriesAfter(t, c, seq)
	if len(entries) != 3 || entries[0].Action != casefile.ActionIngestSkipped {
		t.Fatalf("entries: %+v", entries)
	}
	e := entries[0]
	var listed []skippedEntry
	if err := json.Unmarshal([]byte(e.Details["entries"]), &listed); err != nil {
		t.Fatal(err)
	}
	if e.Reason != "triage copy" || e.Details["folder"] != dir || e.Details["skipped"] != fmt.Sprint(len(want)) || len(e.Details) != 3 ||
		e.Target != (casefile.Target{Type: casefile.TargetCase, ID: c.Info().CaseUUID.String()}) {
		t.Fatalf("skipped entry: %+v", e)
	}
	for i, w := range want {
		if l := listed[i]; l != (skippedEntry{filepath.Base(w.Path), w.Reason, w.Target}) {
			t.Errorf("entry lists %+v, want %+v", l, w)
		}
	}

	// A folder of nothing but such entries is refused, saying what it holds.
	only := t.TempDir()
	mkfifoSys(filepath.Join(only, "p"))
	os.Symlink("/etc/hostname", filepath.Join(only, "l"))
	r, err = IngestWithReport(context.Background(), c, only, Options{})
	if !errors.Is(err, ErrSource) || !strings.Contains(err.Error(), "holds no regular files, only 2 entries (1 symbolic link, 1 named pipe), which are not read") || len(r.Skipped) != 2 {
		t.Fatalf("err = %v, skipped %v", err, r.Skipped)
	}
}

// TestRecordSkippedSplitsLongLists: thousands of skipped entries are all
// recorded, in values of at most 8192 bytes and in as many entries as needed.
func TestRecordSkippedSplitsLongLists(t *testing.T) {
	c := testCase(t)
	var skipped []Skipped
	for i := range 10000 {
		skipped = append(skipped, Skipped{Path: fmt.Sprintf("/dev-copy/pts/terminal-%05d", i), Reason: "character device: not read"})
	}
	seq, _ := c.Head()
	if err := recordSkipped(c, "/dev-copy", skipped, ""); err != nil {
		t.Fatal(err)
	}
	entries := entriesAfter(t, c, seq)
	n := 0
	for k, e := range entries {
		if e.Details["part"] != fmt.Sprintf("%d of %d", k+1, len(entries)) || e.Details["skipped"] != "10000" {
			t.Fatalf("entry %d details %q %q", k, e.Details["part"], e.Details["skipped"])
		}
		for key, v := range e.Details {
			if !strings.HasPrefix(key, "entries") {
				continue
			}
			if len(v) > 8192 {
				t.Fatalf("%s holds %d bytes", key, len(v))
			}
			var l []skippedEntry
			json.Unmarshal([]byte(v), &l)
			n += len(l)
		}
	}
	if len(entries) < 2 || n != 10000 {
		t.Fatalf("%d entries list %d skipped, want all 10000 over several entries", len(entries), n)
	}
}

// TestDuplicateContent: an item whose SHA-256 is already in the case is
// refused without a decision, rolled back when the decision is no, and
// kept with a warning and the reason recorded when it is yes.
func TestDuplicateContent(t *testing.T) {
	c := testCase(t)
	dir := t.TempDir()
	data := make([]byte, 100_000)
	rand.Read(data)
	first := writeFile(t, dir, "disk.dd", data)
	again := writeFile(t, dir, "copy-of-disk.dd", data)
	evs, err := Ingest(context.Background(), c, first, Options{ChunkSize: 32 << 10})
	if err != nil {
		t.Fatal(err)
	}
	orig := evs[0]
	origText := fmt.Sprintf("%s (disk.dd)", orig.ID)

	// No hook: refused, naming the item, rolled back on the record.
	seq, _ := c.Head()
	r, err := IngestWithReport(context.Background(), c, again, Options{})
	var de *DuplicateError
	if !errors.Is(err, ErrDuplicate) || !errors.As(err, &de) || len(de.Existing) != 1 || de.Existing[0].ID != orig.ID || de.SHA256 != orig.Meta.Hashes.SHA256 {
		t.Fatalf("err = %v", err)
	}
	if msg, hint, known := casefile.Explain(err); !known || !strings.Contains(msg, "content already in the case: copy-of-disk.dd has the SHA-256 "+orig.Meta.Hashes.SHA256+" of item "+orig.ID.String()+" (disk.dd, ingested ") || hint != ErrDuplicate.Hint() {
		t.Fatalf("Explain: %q / %q / %v", msg, hint, known)
	}
	if len(r.Items) != 0 || len(r.Duplicates) != 1 || r.Duplicates[0].Kept {
		t.Fatalf("report %+v", r)
	}
	entries := entriesAfter(t, c, seq)
	if len(entries) != 1 || entries[0].Action != casefile.ActionIngestAborted || entries[0].Reason != "duplicate of "+origText {
		t.Fatalf("entries %+v", entries)
	}

	// The hook says no: rolled back, not an error.
	seq, _ = c.Head()
	var asked []casefile.Evidence
	r, err = IngestWithReport(context.Background(), c, again, Options{Duplicate: func(_ context.Context, m casefile.EvidenceMeta, existing []casefile.Evidence) (bool, string) {
		if m.Name != "copy-of-disk.dd" || m.Hashes != orig.Meta.Hashes {
			t.Errorf("hook given %+v", m)
		}
		asked = existing
		return false, "the examiner keeps the first copy"
	}})
	if err != nil || len(r.Items) != 0 || len(asked) != 1 || asked[0].ID != orig.ID || len(r.Duplicates) != 1 || r.Duplicates[0].Kept {
		t.Fatalf("declined: err %v report %+v", err, r)
	}
	entries = entriesAfter(t, c, seq)
	if len(entries) != 1 || entries[0].Reason != "duplicate of "+origText+": the examiner keeps the first copy" {
		t.Fatalf("entries %+v", entries)
	}
	if list, _ := c.ListEvidence(); len(list) != 1 {
		t.Fatalf("%d items, want 1", len(list))
	}

	// Yes without a reason is refused; yes with one keeps it.
	_, err = Ingest(context.Background(), c, again, Options{Duplicate: func(context.Context, casefile.EvidenceMeta, []casefile.Evidence) (bool, string) { return true, " " }})
	if !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("keep without reason: %v", err)
	}
	seq, _ = c.Head()
	r, err = IngestWithReport(context.Background(), c, again, Options{Reason: "second copy from the NAS", Duplicate: func(context.Context, casefile.EvidenceMeta, []casefile.Evidence) (bool, string) {
		return true, "found on the NAS as well"
	}})
	if err != nil || len(r.Items) != 1 || len(r.Duplicates) != 1 || !r.Duplicates[0].Kept || r.Duplicates[0].ID != r.Items[0].ID {
		t.Fatalf("kept: err %v report %+v", err, r)
	}
	m := r.Items[0].Meta
	if m.Duplicate == nil || len(m.Duplicate.Of) != 1 || m.Duplicate.Of[0] != orig.ID || m.Duplicate.Reason != "found on the NAS as well" {
		t.Fatalf("meta.Duplicate %+v", m.Duplicate)
	}
	if len(m.Warnings) != 1 || !strings.HasPrefix(m.Warnings[0], "the same content (SHA-256) was already in the case as item "+orig.ID.String()+" (disk.dd, ingested ") ||
		!strings.HasSuffix(m.Warnings[0], "; kept as a duplicate: found on the NAS as well") {
		t.Fatalf("warnings %q", m.Warnings)
	}
	entries = entriesAfter(t, c, seq)
	if e := entries[len(entries)-1]; e.Action != casefile.ActionEvidenceIngested || e.Reason != "second copy from the NAS" ||
		e.Details["duplicate_of"] != orig.ID.String() || e.Details["duplicate_reason"] != "found on the NAS as well" {
		t.Fatalf("ingested entry %+v", e)
	}
	if got, _ := c.Evidence(r.Items[0].ID); got.Meta.Duplicate == nil || got.Meta.Duplicate.Reason != "found on the NAS as well" {
		t.Fatalf("read back %+v", got.Meta.Duplicate)
	}
}
