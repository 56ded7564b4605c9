package evidence

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
	_ "modernc.org/sqlite"
)

func ingestBytes(t *testing.T, c *casefile.Case, data []byte) casefile.Evidence {
	t.Helper()
	p := writeFile(t, t.TempDir(), "item.dd", data)
	evs, err := Ingest(context.Background(), c, p, Options{ChunkSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	return evs[0]
}

func TestVerifyExtractCat(t *testing.T) {
	c := testCase(t)
	data := make([]byte, 300_000)
	rand.Read(data)
	copy(data[1000:], "NEEDLE")
	ev := ingestBytes(t, c, data)

	// By default SHA-256 alone is recomputed, and the result says so.
	v, err := Verify(context.Background(), c, ev.ID, VerifyOptions{}, nil)
	if want := (casefile.Hashes{SHA256: sums(data).SHA256}); err != nil || !v.OK || v.Hashes != want ||
		!slices.Equal(v.Recomputed, []string{"sha256"}) || !strings.Contains(v.Detail, "MD5 and SHA-1 not recomputed") {
		t.Fatalf("Verify = %+v, %v", v, err)
	}
	got, _ := c.Evidence(ev.ID)
	if got.Verification == nil || !got.Verification.OK || got.Verification.By != "Ed" ||
		!slices.Equal(got.Verification.RecomputedHashes(), []string{"sha256"}) {
		t.Fatalf("recorded verification = %+v", got.Verification)
	}
	entries, _ := c.Entries()
	if last := entries[len(entries)-1]; last.Action != casefile.ActionEvidenceVerified || last.Details["recomputed"] != "sha256" ||
		!maps.Equal(last.Hashes, map[string]string{"sha256": sums(data).SHA256}) {
		t.Fatalf("verification entry %+v", last)
	}
	// All three on request.
	v, err = Verify(context.Background(), c, ev.ID, VerifyOptions{AllHashes: true}, nil)
	if err != nil || !v.OK || v.Hashes != sums(data) || !slices.Equal(v.Recomputed, []string{"md5", "sha1", "sha256"}) ||
		v.Detail != "every chunk authenticated; MD5, SHA-1 and SHA-256 recomputed and match the values recorded at ingest" {
		t.Fatalf("Verify all hashes = %+v, %v", v, err)
	}
	entries, _ = c.Entries()
	if last := entries[len(entries)-1]; last.Details["recomputed"] != "md5,sha1,sha256" || last.Hashes["md5"] != sums(data).MD5 || last.Hashes["sha1"] != sums(data).SHA1 {
		t.Fatalf("verification entry %+v", last)
	}

	dest := filepath.Join(t.TempDir(), "out.dd")
	h, err := Extract(context.Background(), c, ev.ID, dest, "hand to lab", nil)
	if err != nil || h != sums(data) {
		t.Fatalf("Extract = %+v, %v", h, err)
	}
	if out, _ := os.ReadFile(dest); !bytes.Equal(out, data) {
		t.Fatal("extracted bytes differ from the source")
	}
	if _, err := Extract(context.Background(), c, ev.ID, dest, "", nil); !errors.Is(err, ErrDestination) || !strings.Contains(err.Error(), "never overwrites") {
		t.Fatalf("extract over existing file: %v", err)
	}

	var buf bytes.Buffer
	if n, err := Cat(context.Background(), c, ev.ID, 1000, 6, &buf, ""); n != 6 || err != nil || buf.String() != "NEEDLE" {
		t.Fatalf("Cat = %d %q %v", n, buf.String(), err)
	}
	if _, err := Cat(context.Background(), c, ev.ID, 299_999, 2, &buf, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("Cat past the end: %v", err)
	}

	entries, _ = c.Entries()
	var actions []string
	for _, e := range entries {
		actions = append(actions, string(e.Action))
	}
	want := "case.created evidence.ingested evidence.verified evidence.verified evidence.extracted evidence.viewed"
	if strings.Join(actions, " ") != want {
		t.Fatalf("ledger actions %q, want %q", strings.Join(actions, " "), want)
	}
	if r, err := c.VerifyLedger(); err != nil || !r.OK() {
		t.Fatalf("ledger: %v %v", err, r.Problems)
	}
}

func TestVerifyDetectsTamperedChunk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "case.custodia")
	c, err := casefile.Create(path, []byte(testPass), casefile.NewCase{Title: "t", Examiner: "Ed"}, casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 300_000)
	rand.Read(data)
	ev := ingestBytes(t, c, data)
	c.Close()
	db, _ := sql.Open("sqlite", path)
	if _, err := db.Exec(`UPDATE evidence_chunks SET data = CAST(substr(data, 1, 50) || (CASE substr(data, 51, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(data, 52) AS BLOB) WHERE idx = 2`); err != nil {
		t.Fatal(err)
	}
	db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	db.Close()
	c, err = casefile.Open(path, []byte(testPass), casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, opts := range []VerifyOptions{{}, {AllHashes: true}} {
		v, err := Verify(context.Background(), c, ev.ID, opts, nil)
		if err != nil || v.OK || !strings.Contains(v.Detail, "chunk 2 (bytes 131072 to 196607): failed authentication") {
			t.Fatalf("Verify %+v of tampered item = %+v, %v", opts, v, err)
		}
	}
	dest := filepath.Join(t.TempDir(), "out.dd")
	if _, err := Extract(context.Background(), c, ev.ID, dest, "", nil); err == nil || !strings.Contains(err.Error(), "chunk 2") {
		t.Fatalf("Extract of tampered item: %v", err)
	}
	if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a failed extraction left a partial file")
	}
}

func TestCancelledIngestIsRecorded(t *testing.T) {
	c := testCase(t)
	big := make([]byte, 4<<20)
	rand.Read(big)
	p := writeFile(t, t.TempDir(), "big.dd", big)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Ingest(ctx, c, p, Options{ChunkSize: 64 << 10, Progress: ProgressFunc(func(s Status) {
		if s.Done > 0 {
			cancel()
		}
	})})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	entries, _ := c.Entries()
	last := entries[len(entries)-1]
	if last.Action != casefile.ActionIngestAborted || last.Reason != "cancelled by the examiner" {
		t.Fatalf("last entry %+v, want the aborted ingest recorded", last)
	}
	if _, err := Ingest(context.Background(), c, p, Options{TimeZone: "Local"}); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("Local time zone: %v", err)
	}
}

func TestVerifySource(t *testing.T) {
	c := testCase(t)
	data := []byte("log line one\nlog line two\n")
	p := writeFile(t, t.TempDir(), "app.log", data)
	evs, err := Ingest(context.Background(), c, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := VerifySource(context.Background(), c, evs[0].ID, "", nil); !ok || err != nil {
		t.Fatalf("unchanged source: %v %v", ok, err)
	}
	os.WriteFile(p, []byte("log line one\nlog line 2\n"), 0o644)
	if _, ok, err := VerifySource(context.Background(), c, evs[0].ID, "", nil); ok || err != nil {
		t.Fatalf("changed source: ok=%v %v", ok, err)
	}
}

// TestVerifyItemsYieldsAsItGoes: VerifyItems hands out each item's result
// before it reads the next one, records each, reports the whole run's
// progress, and stops when the range stops.
func TestVerifyItemsYieldsAsItGoes(t *testing.T) {
	c := testCase(t)
	a := make([]byte, 200_000)
	b := make([]byte, 300_000)
	rand.Read(a)
	rand.Read(b)
	evA, evB := ingestBytes(t, c, a), ingestBytes(t, c, b)
	var statuses []Status
	var mu sync.Mutex
	p := ProgressFunc(func(s Status) { mu.Lock(); statuses = append(statuses, s); mu.Unlock() })
	n := 0
	for r, err := range VerifyItems(context.Background(), c, []uuid.UUID{evA.ID, evB.ID}, VerifyOptions{}, "", p) {
		if err != nil {
			t.Fatal(err)
		}
		// When the first result comes, the second item is not verified yet.
		got, _ := c.Evidence(evB.ID)
		if n == 0 && (r.Item.ID != evA.ID || got.Verification != nil) {
			t.Fatalf("first result %s; second item already verified: %v", r.Item.ID, got.Verification != nil)
		}
		if !r.OK() || r.Verification.By != "Ed" || r.Verification.At.IsZero() || r.Source != nil {
			t.Fatalf("result %d: %+v", n, r)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d results", n)
	}
	last := statuses[len(statuses)-1]
	if last.Index != 2 || last.Count != 2 || last.JobTotal != 500_000 || last.JobDone != 500_000 || last.Done != 300_000 {
		t.Fatalf("last status %+v", last)
	}
	// Breaking out of the range verifies nothing more.
	before, _ := c.Head()
	for range VerifyItems(context.Background(), c, []uuid.UUID{evA.ID, evB.ID}, VerifyOptions{}, "", nil) {
		break
	}
	if after, _ := c.Head(); after != before+1 {
		t.Fatalf("%d entries after stopping at the first result, want 1", after-before)
	}
	// With the source, one item; a bad id ends the sequence with its error.
	for r, err := range VerifyItems(context.Background(), c, []uuid.UUID{evA.ID}, VerifyOptions{}, writeFile(t, t.TempDir(), "a.dd", a), nil) {
		if err != nil || r.Source == nil || !r.Source.OK || r.Source.Hashes != sums(a) {
			t.Fatalf("with source: %+v %v", r, err)
		}
	}
	for _, err := range VerifyItems(context.Background(), c, []uuid.UUID{evA.ID, evB.ID}, VerifyOptions{}, "x.dd", nil) {
		if !errors.Is(err, casefile.ErrInvalid) {
			t.Fatalf("source with two items: %v", err)
		}
	}
	missing := uuid.New()
	for r, err := range VerifyItems(context.Background(), c, []uuid.UUID{evA.ID, missing}, VerifyOptions{}, "", nil) {
		if !errors.Is(err, casefile.ErrNoSuchEvidence) || r.Item.ID != missing {
			t.Fatalf("missing item: %+v %v", r.Item.ID, err)
		}
	}
}
