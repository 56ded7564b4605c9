package casefile

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

const testChunk = 4096

// storeBytes ingests data as one item through the writer API.
func storeBytes(t *testing.T, c *Case, data []byte, name string) Evidence {
	t.Helper()
	w, err := c.BeginEvidence(testChunk)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Store(sealAll(t, w, data)); err != nil {
		t.Fatal(err)
	}
	ev, err := w.Commit(EvidenceMeta{Name: name, Kind: KindOther, Format: "file", Size: int64(len(data)),
		Hashes: Hashes{MD5: "m", SHA1: "s1", SHA256: "s256"}}, "test ingest")
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// sealAll seals data as the chunks of w's item.
func sealAll(t *testing.T, w *EvidenceWriter, data []byte) []SealedChunk {
	t.Helper()
	var chunks []SealedChunk
	for off := 0; off < len(data); off += testChunk {
		end := min(off+testChunk, len(data))
		sc, err := w.SealChunk(int64(off/testChunk), data[off:end], end == len(data))
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, sc)
	}
	return chunks
}

func readAll(t *testing.T, c *Case, id uuid.UUID) []byte {
	t.Helper()
	r, err := c.OpenEvidence(id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEvidenceRoundTripAroundChunkSize(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	defer c.Close()
	random := make([]byte, 3*testChunk+1)
	rand.Read(random)
	text := bytes.Repeat([]byte("Nov 26 10:00:01 host sshd[42]: Accepted publickey for root\n"), 300)
	for _, n := range []int{0, 1, testChunk - 1, testChunk, testChunk + 1, 2 * testChunk, 3*testChunk + 1} {
		for name, src := range map[string][]byte{"random": random, "text": text} {
			data := src[:min(n, len(src))]
			ev := storeBytes(t, c, data, name)
			if ev.ChunkCount != int64((len(data)+testChunk-1)/testChunk) {
				t.Fatalf("%s/%d: %d chunks", name, n, ev.ChunkCount)
			}
			if got := readAll(t, c, ev.ID); !bytes.Equal(got, data) {
				t.Fatalf("%s/%d bytes: read back %d different bytes", name, len(data), len(got))
			}
		}
	}
	// Random access across a chunk boundary.
	ev := storeBytes(t, c, random, "random")
	r, _ := c.OpenEvidence(ev.ID)
	p := make([]byte, 10)
	if n, err := r.ReadAt(p, testChunk-5); n != 10 || err != nil || !bytes.Equal(p, random[testChunk-5:testChunk+5]) {
		t.Fatalf("ReadAt across boundary: %d %v", n, err)
	}
	if n, err := r.ReadAt(p, int64(len(random))-3); n != 3 || err != io.EOF {
		t.Fatalf("ReadAt at the end: %d %v, want 3 io.EOF", n, err)
	}
	list, err := c.ListEvidence()
	if err != nil || len(list) != 15 {
		t.Fatalf("ListEvidence: %d items, %v", len(list), err)
	}
}

func TestEvidenceCompressesAndStoresRaw(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	defer c.Close()
	w, _ := c.BeginEvidence(testChunk)
	zeros := make([]byte, testChunk)
	random := make([]byte, testChunk)
	rand.Read(random)
	a, err := w.SealChunk(0, zeros, false)
	if err != nil || a.Flags&ChunkCompressed == 0 || len(a.Data) > 200 {
		t.Fatalf("zeros: flags %d, %d bytes, %v", a.Flags, len(a.Data), err)
	}
	b, err := w.SealChunk(1, random, true)
	if err != nil || b.Flags&ChunkCompressed != 0 || b.Flags&ChunkLast == 0 {
		t.Fatalf("random: flags %d, %v", b.Flags, err)
	}
	if _, err := w.SealChunk(2, random[:10], false); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short non-last chunk: %v", err)
	}
	w.Abort("test")
}

func TestEvidenceChunkTamperDetected(t *testing.T) {
	data := make([]byte, 3*testChunk)
	rand.Read(data)
	cases := map[string]struct {
		sql  string
		want string
	}{
		"byte flipped":   {`UPDATE evidence_chunks SET data = CAST(substr(data, 1, 100) || (CASE substr(data, 101, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(data, 102) AS BLOB) WHERE idx = 1`, "chunk 1: failed authentication"},
		"chunks swapped": {`UPDATE evidence_chunks SET idx = 100 WHERE idx = 0; UPDATE evidence_chunks SET idx = 0 WHERE idx = 1; UPDATE evidence_chunks SET idx = 1 WHERE idx = 100`, "chunk 0: failed authentication"},
		"chunk deleted":  {`DELETE FROM evidence_chunks WHERE idx = 1`, "chunk 1: missing"},
		"last dropped":   {`DELETE FROM evidence_chunks WHERE idx = 2`, "chunk 2: missing"},
		"flags changed":  {`UPDATE evidence_chunks SET flags = 0 WHERE idx = 2`, "chunk 2: claims"},
		"size changed":   {`UPDATE evidence SET size = size - 1`, "evidence/"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := createTestCase(t)
			c := openTest(t, path, testPass)
			ev := storeBytes(t, c, data, "x")
			c.Close()
			rawExec(t, path, tc.sql)
			c = openTest(t, path, testPass)
			defer c.Close()
			r, err := c.OpenEvidence(ev.ID)
			if err == nil {
				_, err = io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
				if err == nil {
					err = r.ScanChunks(t.Context(), func(sc SealedChunk) error { _, err := r.OpenChunk(sc); return err })
				}
			}
			if err == nil || !errors.Is(err, ErrAuthFailed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrAuthFailed containing %q", err, tc.want)
			}
		})
	}
}

func TestEvidenceAbortAndKilledIngest(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	w, _ := c.BeginEvidence(testChunk)
	sc, _ := w.SealChunk(0, make([]byte, testChunk), false)
	if err := w.Store([]SealedChunk{sc}); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort("examiner cancelled"); err != nil {
		t.Fatal(err)
	}
	if list, _ := c.ListEvidence(); len(list) != 0 {
		t.Fatalf("aborted item visible: %v", list)
	}
	c.Close()

	// A process killed mid-ingest leaves an 'ingesting' item: the next Open
	// deletes it and records that in the ledger.
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperKilledIngest$")
	cmd.Env = append(os.Environ(), "CUSTODIA_HELPER_INGEST="+path)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "stored") {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	db := rawDB(t, path)
	var n int
	db.QueryRow(`SELECT count(*) FROM evidence_chunks`).Scan(&n)
	db.Close()
	if n == 0 {
		t.Fatal("the killed helper stored no chunks; the test proves nothing")
	}
	c = openTest(t, path, testPass)
	defer c.Close()
	if list, _ := c.ListEvidence(); len(list) != 0 {
		t.Fatalf("half item visible after kill: %v", list)
	}
	var left int
	c.db.QueryRow(`SELECT count(*) FROM evidence_chunks`).Scan(&left)
	if left != 0 {
		t.Fatalf("%d chunks of the killed ingest remain", left)
	}
	entries, _ := c.Entries()
	if last := entries[len(entries)-1]; last.Action != ActionIngestDiscarded || last.Details["items"] != "1" {
		t.Fatalf("last entry %+v, want the discard recorded", last)
	}
}

func TestHelperKilledIngest(t *testing.T) {
	path := os.Getenv("CUSTODIA_HELPER_INGEST")
	if path == "" {
		t.Skip("subprocess helper")
	}
	c, err := Open(path, []byte(testPass), TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	w, _ := c.BeginEvidence(testChunk)
	sc, _ := w.SealChunk(0, make([]byte, testChunk), false)
	if err := w.Store([]SealedChunk{sc}); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("stored\n")
	os.Exit(3) // die without Commit, Abort or Close
}

// An ingest opens and closes a descriptor of its own to let go of the case
// file's page cache (pagecache_linux.go); closing it must not cost the case
// its exclusive lock, and the item must read back from the file.
func TestIngestKeepsTheLockAndReadsBack(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	data := bytes.Repeat([]byte("custody "), 3*testChunk)
	ev := storeBytes(t, c, data, "a")
	if _, err := Open(path, []byte(testPass), TestOptions()); !errors.Is(err, ErrCaseLocked) {
		t.Fatalf("open during the first handle, after an ingest: %v, want ErrCaseLocked", err)
	}
	if got := readAll(t, c, ev.ID); !bytes.Equal(got, data) {
		t.Fatal("the item reads back different bytes after its pages were dropped")
	}
}

// StoreFrom inserts chunks as they arrive, in transactions bounded by size
// and time: every chunk lands once and in order, whatever the pace; a chunk
// out of sequence is refused; a cancelled store rolls back its open
// transaction and leaves the count of stored chunks where the last commit
// put it.
func TestStoreFrom(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	defer c.Close()
	data := make([]byte, 10*testChunk+123)
	rand.Read(data)
	w, err := c.BeginEvidence(testChunk)
	if err != nil {
		t.Fatal(err)
	}
	chunks := sealAll(t, w, data)
	ch := make(chan SealedChunk)
	go func() {
		defer close(ch)
		for i, sc := range chunks {
			if i == 4 {
				time.Sleep(2 * storeTxTime) // a slow source: the open transaction commits meanwhile
			}
			ch <- sc
		}
	}()
	if err := w.storeFrom(t.Context(), ch, 3*testChunk, storeTxTime); err != nil {
		t.Fatal(err)
	}
	ev, err := w.Commit(EvidenceMeta{Name: "paced", Kind: KindOther, Format: "file", Size: int64(len(data)),
		Hashes: Hashes{MD5: "m", SHA1: "s1", SHA256: "s256"}}, "test ingest")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, c, ev.ID); !bytes.Equal(got, data) {
		t.Fatal("the item stored by StoreFrom reads back different bytes")
	}

	// Out of sequence.
	w, _ = c.BeginEvidence(testChunk)
	sc, _ := w.SealChunk(1, data[:testChunk], false)
	ch = make(chan SealedChunk, 1)
	ch <- sc
	close(ch)
	if err := w.StoreFrom(t.Context(), ch); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "chunk 1 out of order (expected 0)") {
		t.Fatalf("chunk out of order: %v", err)
	}
	w.Abort("test")

	// Cancelled with a transaction open: nothing of it stays.
	w, _ = c.BeginEvidence(testChunk)
	ctx, cancel := context.WithCancel(t.Context())
	ch = make(chan SealedChunk, 1)
	sc, _ = w.SealChunk(0, data[:testChunk], false)
	ch <- sc
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if err := w.storeFrom(ctx, ch, storeTxBytes, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled store: %v", err)
	}
	if w.stored != 0 || w.size != 0 {
		t.Fatalf("after a rolled-back store: %d chunks, %d bytes counted", w.stored, w.size)
	}
	var n int
	if err := c.db.QueryRow(`SELECT count(*) FROM evidence_chunks WHERE evidence_id = ?`, w.rowID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d chunks left by the rolled-back transaction (%v)", n, err)
	}
	w.Abort("test")
}

func TestHashesDiff(t *testing.T) {
	rec := Hashes{MD5: "m1", SHA1: "s1", SHA256: "t1"}
	for _, tc := range []struct {
		got  Hashes
		want string
	}{
		{rec, ""},
		{Hashes{SHA256: "t1"}, ""}, // only SHA-256 recomputed, and it matches
		{Hashes{SHA256: "t2"}, "SHA-256 recorded t1, now t2"},
		{Hashes{MD5: "m2", SHA1: "s1", SHA256: "t2"}, "MD5 recorded m1, now m2; SHA-256 recorded t1, now t2"},
	} {
		if got := rec.Diff(tc.got); got != tc.want {
			t.Errorf("Diff(%+v) = %q, want %q", tc.got, got, tc.want)
		}
	}
}

// A sequential read fetches readAhead chunks per query and opens them on
// two goroutines: the bytes before a bad chunk in the middle of a batch come
// back exactly, the read stops at the bad chunk with its index, and the LRU
// never holds more than lruChunks chunks.
func TestEvidenceReadAheadStopsAtBadChunk(t *testing.T) {
	data := make([]byte, 10*testChunk+7)
	rand.Read(data)
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	ev := storeBytes(t, c, data, "x")
	if got := readAll(t, c, ev.ID); !bytes.Equal(got, data) {
		t.Fatalf("read back %d different bytes", len(got))
	}
	c.Close()
	rawExec(t, path, `UPDATE evidence_chunks SET data = CAST(substr(data, 1, 100) || (CASE substr(data, 101, 1) WHEN x'00' THEN x'01' ELSE x'00' END) || substr(data, 102) AS BLOB) WHERE idx = 5`)
	c = openTest(t, path, testPass)
	defer c.Close()
	r, err := c.OpenEvidence(ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	_, err = io.CopyBuffer(&got, io.NewSectionReader(r, 0, r.Size()), make([]byte, 1000))
	if err == nil || !errors.Is(err, ErrAuthFailed) || !strings.Contains(err.Error(), "chunk 5: failed authentication") {
		t.Fatalf("err = %v, want chunk 5: failed authentication", err)
	}
	if !bytes.Equal(got.Bytes(), data[:5*testChunk]) {
		t.Fatalf("read %d bytes before the bad chunk, want the %d before it exactly", got.Len(), 5*testChunk)
	}
	if len(r.lru) > lruChunks {
		t.Fatalf("LRU holds %d chunks, at most %d", len(r.lru), lruChunks)
	}
	// The chunks after the bad one still read (random access).
	p := make([]byte, 7)
	if n, err := r.ReadAt(p, 10*testChunk); n != 7 || !bytes.Equal(p, data[10*testChunk:]) {
		t.Fatalf("last chunk: %d %v", n, err)
	}
}
