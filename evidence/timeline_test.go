package evidence

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/google/uuid"
)

// ingestRepo ingests a sample log of the parsers' test data (rel is below
// evidence/, e.g. logs/syslog/testdata/x.log).
func ingestRepo(t *testing.T, c *casefile.Case, rel string) (casefile.Evidence, []byte) {
	t.Helper()
	path := filepath.FromSlash(rel)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := Ingest(context.Background(), c, path, Options{Kind: casefile.KindLog, Reason: "sample log", ChunkSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	return evs[0], raw
}

func events(t *testing.T, c *casefile.Case, item uuid.UUID) []timeline.Event {
	t.Helper()
	var out []timeline.Event
	for e, err := range timeline.Of(c).Events(item) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func readBack(t *testing.T, c *casefile.Case, item uuid.UUID, off, n int64) []byte {
	t.Helper()
	r, err := c.OpenEvidence(item)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, off); err != nil {
		t.Fatalf("read %d bytes at %d: %v", n, off, err)
	}
	return b
}

func TestParseItemSyslog(t *testing.T) {
	c := testCase(t)
	ev, raw := ingestRepo(t, c, "logs/syslog/testdata/beats_system_auth_test.log")
	before, _ := c.Entries()
	var last atomic.Int64
	p, err := ParseItem(context.Background(), c, ev.ID, ParseOptions{Year: 2026, Reason: "parse the auth log",
		Progress: ProgressFunc(func(s Status) { last.Store(s.Done) })})
	if err != nil {
		t.Fatal(err)
	}
	if p.Parser != "syslog" || p.Detected != "content" || p.Events != 10 || p.Warnings != 0 || p.Bytes != 1056 || p.Settings["year"] != "2026" {
		t.Fatalf("parse = %+v, want 10 syslog events from 1056 bytes, no warnings", p)
	}
	if last.Load() != 1056 {
		t.Fatalf("progress ended at %d bytes, want 1056", last.Load())
	}
	after, _ := c.Entries()
	if len(after) != len(before)+1 {
		t.Fatalf("the parse wrote %d custody entries, want 1", len(after)-len(before))
	}
	if e := after[len(after)-1]; e.Action != timeline.ActionParsed || e.Reason != "parse the auth log" || e.Details["events"] != "10" ||
		e.Details["warnings"] != "0" || e.Details["parser"] != "syslog" || e.Details["setting.year"] != "2026" || e.Actor != "Ed" {
		t.Fatalf("custody entry = %+v", e)
	}
	evs := events(t, c, ev.ID)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(evs) != 10 || len(lines) != 10 {
		t.Fatalf("%d events for %d lines", len(evs), len(lines))
	}
	for i, e := range evs {
		if got := readBack(t, c, ev.ID, e.Offset, e.Length); string(got) != lines[i] {
			t.Errorf("event %d: bytes at %d+%d are %q, want line %d %q", i+1, e.Offset, e.Length, got, i+1, lines[i])
		}
		if e.ID != ev.ID.String()+":"+strconv.Itoa(i+1) || e.Parser != "syslog" || e.Item != ev.ID {
			t.Errorf("event %d: id %s parser %s item %s", i+1, e.ID, e.Parser, e.Item)
		}
	}
	e := evs[0]
	want := map[string]string{"host": "localhost", "program": "sshd", "pid": "3402", "action": "login_accepted", "outcome": "success",
		"user": "vagrant", "src_ip": "10.0.2.2", "src_port": "63673"}
	for k, v := range want {
		if got, _ := e.Get(k); got != v {
			t.Errorf("first event %s = %q, want %q", k, got, v)
		}
	}
	if !e.Time.Equal(time.Date(2026, 2, 21, 21, 54, 44, 0, time.UTC)) || e.TimeText != "Feb 21 21:54:44" || e.Offset != 0 || e.Length != 151 ||
		e.TimestampDesc != "Event Logged" || !e.TimeZoneAssumed {
		t.Fatalf("first event = %+v", e)
	}

	// Searchable, through FTS5 of modernc's SQLite.
	ix, err := timeline.Build(context.Background(), timeline.Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for q, n := range map[string]int64{"user:vagrant": 4, "sshd": 5, `"Failed password"`: 1, "src_ip:10.0.2.2": 2, "action:login_accepted": 2, "sudo": 3} {
		if got, err := ix.Count(context.Background(), timeline.Filter{Query: q}); err != nil || got != n {
			t.Errorf("Count(%q) = %d, %v; want %d", q, got, err, n)
		}
	}

	// A re-parse (another year) replaces the events, recorded as such.
	p2, err := ParseItem(context.Background(), c, ev.ID, ParseOptions{Year: 2025, Reason: "the log is from 2025"})
	if err != nil {
		t.Fatal(err)
	}
	evs = events(t, c, ev.ID)
	if p2.Replaces != p.ID || len(evs) != 10 || evs[0].Time.Year() != 2025 {
		t.Fatalf("re-parse: replaces %s (want %s), %d events, first in %d", p2.Replaces, p.ID, len(evs), evs[0].Time.Year())
	}
	final, _ := c.Entries()
	if len(final) != len(after)+1 || final[len(final)-1].Details["replaces"] != p.ID.String() {
		t.Fatalf("re-parse entries: %d, details %v", len(final)-len(after), final[len(final)-1].Details)
	}
	if err := ix.ReplaceItem(context.Background(), timeline.Of(c), ev.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := ix.Count(context.Background(), timeline.Filter{Query: "time:<2026-01-01"}); n != 10 {
		t.Fatalf("after the re-parse %d events are in 2025, want 10", n)
	}
}

// checkRecords checks that every event's offset and length, read back
// through the item's ReaderAt, are exactly one EVTX record, and that its
// record id is the one in the record's header.
func checkRecords(t *testing.T, c *casefile.Case, item uuid.UUID, evs []timeline.Event) {
	t.Helper()
	for i, e := range evs {
		b := readBack(t, c, item, e.Offset, e.Length)
		size := binary.LittleEndian.Uint32(b[4:8])
		if !bytes.Equal(b[:4], []byte("**\x00\x00")) || int64(size) != e.Length || binary.LittleEndian.Uint32(b[len(b)-4:]) != size {
			t.Errorf("event %d: the %d bytes at %d are not one EVTX record (magic %q, size %d, trailing size %d)", i+1, e.Length, e.Offset,
				b[:4], size, binary.LittleEndian.Uint32(b[len(b)-4:]))
		}
		rid, ok := e.Get("header_record_id") // when the record's EventRecordID differs
		if !ok {
			rid, _ = e.Get("record_id")
		}
		if want := binary.LittleEndian.Uint64(b[8:16]); rid != strconv.FormatUint(want, 10) {
			t.Errorf("event %d: record id %s, the record header says %d", i+1, rid, want)
		}
	}
}

func TestParseItemEVTX(t *testing.T) {
	c := testCase(t)
	tmp := t.TempDir()
	ev, _ := ingestRepo(t, c, "logs/evtx/testdata/mitre_ID4720-Local_user_created.evtx")
	big, _ := ingestRepo(t, c, "logs/evtx/testdata/pyevtx_issue_39.evtx")
	t.Setenv("TMPDIR", tmp)
	t.Setenv("SQLITE_TMPDIR", tmp)
	p, err := ParseItem(context.Background(), c, ev.ID, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Parser != "evtx" || p.Events != 2 || p.Warnings != 1 || p.Listed != 1 || p.Reason != DefaultParseReason {
		t.Fatalf("parse = %+v, want 2 evtx events and 1 warning", p)
	}
	evs := events(t, c, ev.ID)
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	checkRecords(t, c, ev.ID, evs)
	e := evs[0]
	if id, _ := e.Get("event_id"); id != "4720" || e.Offset != 4608 || e.Length != 3552 || e.TimeText != "2020-07-12T05:12:58.2959091Z" ||
		!e.Time.Equal(time.Date(2020, 7, 12, 5, 12, 58, 295909100, time.UTC)) || e.TimestampDesc != "Event Created" {
		t.Fatalf("first event = %+v", e)
	}
	if u, _ := e.Get("TargetUserName"); u != "hacking-local-acct" {
		t.Fatalf("TargetUserName = %q", u)
	}
	ws, err := timeline.Of(c).Warnings(ev.ID)
	if err != nil || len(ws) != 1 || ws[0].Offset != 9232 ||
		ws[0].Why != "chunk 0 holds 118 record signatures in its free space (deleted or overwritten records): they are not read" {
		t.Fatalf("warnings = %+v, %v", ws, err)
	}

	// python-evtx's issue_39.evtx: 394 records; record 129 was created at
	// 2017-04-21T07:41:17.0033934Z (its tests and libevtx's evtxexport).
	pb, err := ParseItem(context.Background(), c, big.ID, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bevs := events(t, c, big.ID)
	if pb.Events != 394 || len(bevs) != 394 || bevs[128].TimeText != "2017-04-21T07:41:17.0033934Z" {
		t.Fatalf("issue_39: %d events (%d read), the 129th at %s", pb.Events, len(bevs), bevs[128].TimeText)
	}
	if rid, _ := bevs[128].Get("record_id"); rid != "129" {
		t.Fatalf("the 129th event is record %s", rid)
	}
	checkRecords(t, c, big.ID, bevs)

	ix, err := timeline.Build(context.Background(), timeline.Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for q, want := range map[string]int64{"event_id:4720": 1, "event_id:4732 TargetUserName:Users": 1, "TargetUserName:hacking-local-acct": 1,
		"item:" + ev.ID.String() + " hacking*": 1, "record_id:>=300": 97, "record_id:>=300 NOT event_id:4720": 96, "time:>=2017-04-21T07:41:17.0033934Z item:" + big.ID.String(): 266,
		"parser:evtx": 396} {
		if n, err := ix.Count(context.Background(), timeline.Filter{Query: q}); err != nil || n != want {
			t.Errorf("Count(%q) = %d, %v; want %d", q, n, err, want)
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Fatalf("parsing and indexing left %d files in the temporary folder", len(ents))
	}
}

func TestParseItemRefusals(t *testing.T) {
	c := testCase(t)
	garbage := casefileStore(t, c, bytes.Repeat([]byte{0xff, 0x00, 0x13, 0x37}, 4096), "blob.bin")
	before, _ := c.Entries()
	_, err := ParseItem(context.Background(), c, garbage, ParseOptions{})
	if !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), "blob.bin: parsers: no parser recognises this item: it looks like binary data") ||
		!strings.Contains(err.Error(), "choose one with --parser") {
		t.Fatalf("garbage: %v", err)
	}
	if _, err := ParseItem(context.Background(), c, garbage, ParseOptions{Parser: "nope"}); !errors.Is(err, casefile.ErrInvalid) ||
		!strings.Contains(err.Error(), `no parser called "nope": the parsers are `) {
		t.Fatalf("unknown parser: %v", err)
	}
	if _, err := ParseItem(context.Background(), c, garbage, ParseOptions{Year: 10000}); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("year 10000: %v", err)
	}
	if _, err := ParseItem(context.Background(), c, garbage, ParseOptions{TimeZone: "Mars/Olympus"}); err == nil {
		t.Fatal("an unknown time zone was accepted")
	}
	if _, err := ParseItem(context.Background(), c, uuid.New(), ParseOptions{}); !errors.Is(err, casefile.ErrNoSuchEvidence) {
		t.Fatalf("unknown item: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	log := casefileStore(t, c, []byte("Feb 21 21:54:44 localhost sshd[1]: hello\n"), "auth.log")
	if _, err := ParseItem(ctx, c, log, ParseOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	_, err = ParseItem(context.Background(), c, log, ParseOptions{Parser: "evtx"})
	if !errors.Is(err, casefile.ErrInvalid) || !errors.Is(err, logs.ErrNotFormat) {
		t.Fatalf("a text log forced through the EVTX parser: %v", err)
	}
	after, _ := c.Entries()
	if len(after) != len(before)+1 { // the second item's ingest only
		t.Fatalf("refused parses wrote %d entries", len(after)-len(before)-1)
	}
	if ps, _ := timeline.Of(c).Parses(); len(ps) != 0 {
		t.Fatalf("refused parses stored %d parses", len(ps))
	}
}

func casefileStore(t *testing.T, c *casefile.Case, data []byte, name string) uuid.UUID {
	t.Helper()
	dir := t.TempDir()
	path := writeFile(t, dir, name, data)
	evs, err := Ingest(context.Background(), c, path, Options{Reason: "test", Duplicate: keepDuplicate})
	if err != nil {
		t.Fatal(err)
	}
	return evs[0].ID
}

// TestParseItemGzip: a gzip log is parsed through its decompressed stream;
// the item stays the compressed bytes and the offsets say which stream
// they index.
func TestParseItemGzip(t *testing.T) {
	raw, err := os.ReadFile(filepath.FromSlash("logs/syslog/testdata/beats_system_auth_test.log"))
	if err != nil {
		t.Skip(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	c := testCase(t)
	id := casefileStore(t, c, z.Bytes(), "auth.log.gz")
	p, err := ParseItem(context.Background(), c, id, ParseOptions{Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	evs := events(t, c, id)
	if p.Stream != "gzip" || p.Bytes != int64(len(raw)) || p.Events != 10 || len(evs) != 10 || evs[1].Stream != "gzip" ||
		evs[1].Offset != 152 || evs[1].Length != 101 {
		t.Fatalf("gzip parse = %+v, second event %+v", p, evs[1])
	}
	if got := string(raw[evs[1].Offset : evs[1].Offset+evs[1].Length]); !strings.HasPrefix(got, "Feb 23 00:13:35 localhost sshd[7483]: Accepted password") {
		t.Fatalf("the decompressed bytes at the offset are %q", got)
	}
}

// TestParseItemOldCase: a case of format version 4 (a committed fixture)
// reads as an empty timeline without being changed, and its first parse
// upgrades it to the current version before recording the parse. The item's source
// time zone applies to its zone-less syslog times.
func TestParseItemOldCase(t *testing.T) {
	zr, err := os.Open(filepath.FromSlash("../testdata/cases/v4.custodia.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	gz, err := gzip.NewReader(zr)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v4.custodia")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	opts := casefile.TestOptions()
	opts.Clock = func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) } // after the fixture's last entry
	c, err := casefile.Open(path, []byte("dana: amber lantern over the quiet harbour"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ps, err := timeline.Of(c).Parses(); err != nil || len(ps) != 0 {
		t.Fatalf("a version-4 case has parses %v, %v", ps, err)
	}
	ix, err := timeline.Build(context.Background(), timeline.Of(c), nil)
	if err != nil || ix.Len() != 0 {
		t.Fatalf("index of a version-4 case: %v", err)
	}
	ix.Close()
	if now, _ := os.ReadFile(path); !bytes.Equal(now, raw) {
		t.Fatal("reading the timeline of a version-4 case changed the file")
	}
	before, _ := c.Entries()
	item := uuid.MustParse("b0069fbb-3fe9-408c-bc36-99b29801909d") // auth.log, source zone Europe/Berlin
	p, err := ParseItem(context.Background(), c, item, ParseOptions{Year: 2026, Reason: "timeline of the VPN gateway's auth log"})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := c.Entries()
	if c.Info().FormatVersion != casefile.FormatVersion || len(after) != len(before)+2 || after[len(after)-2].Action != casefile.ActionFormatUpgraded ||
		after[len(after)-2].Details["from"] != "4" || after[len(after)-2].Details["to"] != fmt.Sprint(casefile.FormatVersion) || after[len(after)-1].Action != timeline.ActionParsed {
		t.Fatalf("format %d, new entries %d", c.Info().FormatVersion, len(after)-len(before))
	}
	evs := events(t, c, item)
	if p.Parser != "syslog" || p.Events != 84 || p.Warnings != 0 || len(evs) != 84 {
		t.Fatalf("parse = %+v, %d events read; want 84 syslog events", p, len(evs))
	}
	e := evs[0]
	if !e.Time.Equal(time.Date(2026, 11, 26, 9, 0, 1, 0, time.UTC)) || e.TimeText != "Nov 26 10:00:01" || e.TimeZone != "Europe/Berlin" ||
		!e.TimeZoneAssumed || e.Offset != 0 || e.Length != 91 {
		t.Fatalf("first event = %+v; want Nov 26 10:00:01 read in Europe/Berlin, 09:00:01 UTC", e)
	}
	if rep, err := c.VerifyLedger(); err != nil || !rep.OK() {
		t.Fatalf("ledger after the upgrade and the parse: %+v, %v", rep, err)
	}
}
