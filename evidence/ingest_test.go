package evidence

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
)

const testPass = "evidence test passphrase"

func testCase(t testing.TB) *casefile.Case {
	t.Helper()
	path := filepath.Join(t.TempDir(), "case.custodia")
	c, err := casefile.Create(path, []byte(testPass), casefile.NewCase{Title: "ingest", Examiner: "Ed"}, casefile.TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func sums(b []byte) casefile.Hashes {
	m, s1, s2 := md5.Sum(b), sha1.Sum(b), sha256.Sum256(b)
	return casefile.Hashes{MD5: hex.EncodeToString(m[:]), SHA1: hex.EncodeToString(s1[:]), SHA256: hex.EncodeToString(s2[:])}
}

// keepDuplicate keeps an item whose content is already in the case, as a
// test that ingests the same bytes twice on purpose does.
func keepDuplicate(context.Context, casefile.EvidenceMeta, []casefile.Evidence) (bool, string) {
	return true, "the test ingests these bytes again"
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIngestHashesAndBytes(t *testing.T) {
	c := testCase(t)
	dir := t.TempDir()
	const chunk = 64 << 10
	random := make([]byte, 5*chunk+17)
	rand.Read(random)
	for _, n := range []int{0, 1, chunk - 1, chunk, chunk + 1, 5*chunk + 17} {
		data := random[:n]
		p := writeFile(t, dir, "img.dd", data)
		before, _ := os.ReadFile(p)
		evs, err := Ingest(context.Background(), c, p, Options{ChunkSize: chunk})
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		ev := evs[0]
		if ev.Meta.Hashes != sums(data) || ev.Meta.Size != int64(n) {
			t.Fatalf("%d bytes: hashes %+v size %d, want %+v", n, ev.Meta.Hashes, ev.Meta.Size, sums(data))
		}
		r, err := c.OpenEvidence(ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: read back %d bytes, err %v", n, len(got), err)
		}
		if after, _ := os.ReadFile(p); !bytes.Equal(before, after) {
			t.Fatal("ingest modified the source")
		}
	}
}

func TestIngestSplitRawAndFolder(t *testing.T) {
	c := testCase(t)
	dir := t.TempDir()
	whole := make([]byte, 300_000)
	rand.Read(whole)
	writeFile(t, dir, "disk.001", whole[:100_000])
	writeFile(t, dir, "disk.002", whole[100_000:250_000])
	writeFile(t, dir, "disk.003", whole[250_000:])
	evs, err := Ingest(context.Background(), c, filepath.Join(dir, "disk.001"), Options{ChunkSize: 32 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Meta.Hashes != sums(whole) || evs[0].Meta.Format != FormatSplitRaw || len(evs[0].Meta.Container) != 3 || evs[0].Meta.Kind != casefile.KindDisk {
		t.Fatalf("split raw: %+v", evs)
	}
	logs := t.TempDir()
	writeFile(t, logs, "auth.log", []byte("Nov 26 10:00:01 host sshd[42]: Accepted publickey for root\n"))
	os.Mkdir(filepath.Join(logs, "nginx"), 0o755)
	writeFile(t, logs, "nginx/access.log", []byte(`10.0.0.1 - - [26/Nov/2026:10:00:02 +0000] "GET / HTTP/1.1" 200 12`+"\n"))
	evs, err = Ingest(context.Background(), c, logs, Options{TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Meta.Kind != casefile.KindLog || evs[1].Meta.Name != filepath.Join(filepath.Base(logs), "nginx", "access.log") || evs[1].Meta.TimeZone != "Europe/Berlin" {
		t.Fatalf("folder: %+v", evs)
	}
	if a := evs[0].Meta.Acquisition; a["mime_type"] != "text/plain" || a["kind_detection"] != "file name .log" {
		t.Errorf("acquisition of auth.log: %v", a)
	}
	// A JSON export without a telling name is a log by its content type,
	// and an examiner's choice of kind still records the content type.
	writeFile(t, dir, "export", []byte(`{"events": [{"id": 4625}]}`))
	evs, err = Ingest(context.Background(), c, filepath.Join(dir, "export"), Options{})
	if err != nil || evs[0].Meta.Kind != casefile.KindLog || evs[0].Meta.Acquisition["kind_detection"] != "content type application/json" {
		t.Fatalf("JSON export: %+v %v", evs, err)
	}
	evs, err = Ingest(context.Background(), c, filepath.Join(dir, "export"), Options{Kind: casefile.KindOther, Duplicate: keepDuplicate})
	if a := evs[0].Meta.Acquisition; err != nil || evs[0].Meta.Kind != casefile.KindOther || a["kind_detection"] != "chosen by the examiner" || a["mime_type"] != "application/json" {
		t.Fatalf("JSON export as other: %+v %v", evs, err)
	}
}

func TestIngestBadSources(t *testing.T) {
	c := testCase(t)
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	cases := map[string]struct {
		path string
		opts Options
		want error
	}{
		"missing":      {filepath.Join(dir, "nope.dd"), Options{}, ErrSource},
		"empty folder": {filepath.Join(dir, "empty"), Options{}, ErrSource},
		"fifo":         {mkfifo(t, dir), Options{}, ErrSource},
		"char device":  {"/dev/zero", Options{}, ErrSource},
		"bad tz":       {writeFile(t, dir, "x.log", []byte("x")), Options{TimeZone: "Mars/Olympus"}, casefile.ErrInvalid},
		"e01":          {writeFile(t, dir, "x.E01", []byte("EVF\x09\x0d\x0a\xff\x00rest")), Options{}, ErrSource}, // truncated
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Ingest(context.Background(), c, tc.path, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if list, _ := c.ListEvidence(); len(list) != 0 {
		t.Fatalf("failed ingests left items: %v", list)
	}
}

func mkfifo(t *testing.T, dir string) string {
	p := filepath.Join(dir, "fifo")
	if err := mkfifoSys(p); err != nil {
		t.Skip("no fifo support")
	}
	return p
}

func TestIngestCancelRollsBack(t *testing.T) {
	c := testCase(t)
	big := make([]byte, 8<<20)
	rand.Read(big)
	p := writeFile(t, t.TempDir(), "big.dd", big)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, err := Ingest(ctx, c, p, Options{ChunkSize: 64 << 10, Progress: ProgressFunc(func(s Status) {
		calls++
		if s.Done > 1<<20 {
			cancel()
		}
	})})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if list, _ := c.ListEvidence(); len(list) != 0 {
		t.Fatalf("cancelled ingest visible: %v", list)
	}
	if calls == 0 {
		t.Fatal("no progress reported")
	}
}
