package timeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/google/uuid"
)

var t0 = time.Date(2026, 2, 21, 2, 0, 0, 0, time.UTC)

func newCase(t *testing.T) *casefile.Case {
	t.Helper()
	return casetest.Open(t, casetest.Create(t), casetest.Passphrase)
}

// synthetic returns n events one second apart.
func synthetic(n int) []Event {
	out := make([]Event, n)
	for i := range out {
		out[i] = Event{Time: t0.Add(time.Duration(i) * time.Second), TimeText: fmt.Sprintf("stamp %d", i), TimeZone: "UTC",
			TimestampDesc: "Event Logged", Offset: int64(i) * 100, Length: 99, Message: fmt.Sprintf("line %d of the log", i),
			Fields: []Field{{"host", "web01"}, {"n", fmt.Sprint(i)}}}
	}
	return out
}

func write(t *testing.T, c *casefile.Case, item uuid.UUID, evs []Event, warns []Warning, parser string) Parse {
	t.Helper()
	w, err := Of(c).NewWriter(item)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	for _, wn := range warns {
		if err := w.Warn(wn); err != nil {
			t.Fatal(err)
		}
	}
	p, err := w.Commit(Summary{Parser: parser, Detected: "content", Bytes: 12345}, "test parse")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func collect(t *testing.T, seq func(func(Event, error) bool)) []Event {
	t.Helper()
	var out []Event
	for e, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestWriteReadReparse(t *testing.T) {
	c := newCase(t)
	item := casetest.StoreBytes(t, c, []byte("log bytes"), "auth.log").ID
	before, _ := c.Entries()
	p := write(t, c, item, synthetic(10_000), []Warning{{Line: 7, Offset: 600, Length: 5, Why: "no timestamp"}}, "syslog")
	if p.Events != 10_000 || p.Batches != 3 || p.Warnings != 1 || p.Listed != 1 || p.Parser != "syslog" || p.Replaces != uuid.Nil {
		t.Fatalf("parse = %+v, want 10000 events in 3 batches, 1 warning, no predecessor", p)
	}
	after, _ := c.Entries()
	if len(after) != len(before)+1 {
		t.Fatalf("a parse wrote %d custody entries, want 1", len(after)-len(before))
	}
	e := after[len(after)-1]
	if e.Action != ActionParsed || e.Target.ID != item.String() || e.Reason != "test parse" || e.Details["parser"] != "syslog" ||
		e.Details["events"] != "10000" || e.Details["warnings"] != "1" || e.Details["batches"] != "3" || e.Hashes["parse_record"] == "" ||
		e.Actor != casetest.NewCase.Examiner || e.Role == "" {
		t.Fatalf("custody entry = %+v", e)
	}
	evs := collect(t, Of(c).Events(item))
	if len(evs) != 10_000 {
		t.Fatalf("read %d events, want 10000", len(evs))
	}
	e9 := evs[9999]
	if e9.ID != item.String()+":10000" || e9.Ordinal != 10000 || !e9.Time.Equal(t0.Add(9999*time.Second)) || e9.Offset != 999_900 ||
		e9.Length != 99 || e9.Message != "line 9999 of the log" || e9.Parser != "syslog" || e9.Item != item {
		t.Fatalf("last event = %+v", e9)
	}
	if v, _ := e9.Get("n"); v != "9999" {
		t.Fatalf("field n = %q", v)
	}
	got, err := Of(c).Event(item.String() + ":4097")
	if err != nil || got.Message != "line 4096 of the log" {
		t.Fatalf("Event(4097) = %+v, %v", got, err)
	}
	if _, err := Of(c).Event(item.String() + ":10001"); !errors.Is(err, ErrNoSuchEvent) {
		t.Fatalf("Event(10001) error = %v, want ErrNoSuchEvent", err)
	}
	ws, err := Of(c).Warnings(item)
	if err != nil || len(ws) != 1 || ws[0].String() != "line 7 (offset 600): no timestamp" {
		t.Fatalf("warnings = %v, %v", ws, err)
	}

	// A re-parse replaces the events; the old parse is history.
	p2 := write(t, c, item, synthetic(3), nil, "jsonl")
	if p2.Replaces != p.ID || p2.Events != 3 {
		t.Fatalf("re-parse = %+v, want 3 events replacing %s", p2, p.ID)
	}
	all := collect(t, Of(c).All())
	if len(all) != 3 || all[2].Parser != "jsonl" {
		t.Fatalf("after the re-parse All gives %d events (parser %q), want 3 of jsonl", len(all), all[len(all)-1].Parser)
	}
	if ws, _ := Of(c).Warnings(uuid.Nil); len(ws) != 0 {
		t.Fatalf("the re-parse has %d warnings, want 0", len(ws))
	}
	hist, err := Of(c).History(item)
	if err != nil || len(hist) != 2 || hist[0].ID != p.ID || hist[1].ID != p2.ID {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	last, _ := c.Entries()
	if d := last[len(last)-1].Details; d["replaces"] != p.ID.String() || d["events"] != "3" {
		t.Fatalf("re-parse entry details = %v", d)
	}
	if n, _ := Of(c).Count(); n != 3 {
		t.Fatalf("Count = %d, want 3", n)
	}
}

func TestAbortWritesNothing(t *testing.T) {
	c := newCase(t)
	item := casetest.StoreBytes(t, c, []byte("x"), "x.log").ID
	before, _ := c.Entries()
	w, err := Of(c).NewWriter(item)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range synthetic(5000) {
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	w.Abort()
	if _, err := w.Commit(Summary{Parser: "syslog"}, "late"); !errors.Is(err, ErrWriterDone) {
		t.Fatalf("Commit after Abort = %v, want ErrWriterDone", err)
	}
	after, _ := c.Entries()
	if _, ok, _ := Of(c).Current(item); ok || len(after) != len(before) {
		t.Fatalf("an abandoned parse left a parse or %d entries", len(after)-len(before))
	}
	if _, err := Of(c).NewWriter(uuid.New()); !errors.Is(err, casefile.ErrNoSuchEvidence) {
		t.Fatalf("writer for an unknown item: %v, want ErrNoSuchEvidence", err)
	}
	w2, _ := Of(c).NewWriter(item)
	if _, err := w2.Commit(Summary{Parser: "syslog"}, ""); err == nil {
		t.Fatal("a parse without a reason was committed")
	}
}

// TestSwappedBatchRefused: a batch body moved to another row fails
// authentication; nothing of it is read.
func TestSwappedBatchRefused(t *testing.T) {
	path := casetest.Create(t)
	c := casetest.Open(t, path, casetest.Passphrase)
	a := casetest.StoreBytes(t, c, []byte("a"), "a.log").ID
	b := casetest.StoreBytes(t, c, []byte("b"), "b.log").ID
	write(t, c, a, synthetic(2), nil, "syslog")
	write(t, c, b, synthetic(2), nil, "syslog")
	c.Close()
	casetest.Exec(t, path, `DROP TRIGGER timeline_batches_no_update`)
	casetest.Exec(t, path, `UPDATE timeline_batches SET body = (SELECT body FROM timeline_batches WHERE seq = 2) WHERE seq = 1`)
	c = casetest.Open(t, path, casetest.Passphrase)
	var got []Event
	var err error
	for e, rerr := range Of(c).Events(a) {
		if rerr != nil {
			err = rerr
			break
		}
		got = append(got, e)
	}
	if !errors.Is(err, casefile.ErrAuthFailed) || len(got) != 0 || !strings.Contains(err.Error(), "timeline_batches/") {
		t.Fatalf("swapped batch: %d events, error %v; want none and an authentication failure", len(got), err)
	}
	if n := len(collect(t, Of(c).Events(b))); n != 2 {
		t.Fatalf("the untouched item gives %d events, want 2", n)
	}
}

func indexed(t *testing.T) (*casefile.Case, *Index, uuid.UUID, uuid.UUID) {
	t.Helper()
	c := newCase(t)
	a := casetest.StoreBytes(t, c, []byte("a"), "auth.log").ID
	b := casetest.StoreBytes(t, c, []byte("b"), "Security.evtx").ID
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	write(t, c, a, []Event{
		{Time: at(0), Message: "Accepted password for admin from 10.0.0.5 port 22", Fields: []Field{{"user", "admin"}, {"src_ip", "10.0.0.5"}, {"action", "login_accepted"}}},
		{Time: at(10), Message: "Failed password for root from 10.0.0.9 port 22", Fields: []Field{{"user", "root"}, {"src_ip", "10.0.0.9"}, {"action", "login_failed"}}},
		{Time: at(20), Message: "Failed password for administrator from 10.0.0.9", Fields: []Field{{"user", "Administrator"}, {"src_ip", "10.0.0.9"}}},
		{Time: at(70), Message: "session opened for user admin", Fields: []Field{{"user", "admin"}}},
		{Message: "no time at all", TimeText: "garbage"},
	}, nil, "syslog")
	write(t, c, b, []Event{
		{Time: at(5), Message: "An account was successfully logged on", Fields: []Field{{"event_id", "4624"}, {"user", "admin"}, {"logon_type", "10"}}},
		{Time: at(15), Message: "An account failed to log on", Fields: []Field{{"event_id", "4625"}, {"user", "guest"}}},
		{Time: at(125), Message: "The audit log was cleared", Fields: []Field{{"event_id", "1102"}, {"path", `C:\Program Files\x`}}},
	}, nil, "evtx")
	ix, err := Build(context.Background(), Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return c, ix, a, b
}

func TestQueryLanguage(t *testing.T) {
	_, ix, a, b := indexed(t)
	ctx := context.Background()
	for _, tc := range []struct {
		q    string
		want int64
	}{
		{"", 8},
		{"password", 3},
		{"Password", 3},
		{"failed password", 2},
		{"failed AND password", 2},
		{`"password for admin"`, 1},
		{`"for admin"`, 1},
		{"admin*", 4}, // admin in a message or a field ×3, administrator ×1
		{"user:admin", 3},
		{"user:ADMIN", 3},
		{"user:adm*", 4},
		{"src_ip:10.0.0.9", 2},
		{"10.0.0.9", 2},
		{"event_id:4624", 1},
		{"event_id:>4000", 2},
		{"event_id:>=4625", 1},
		{"event_id:<2000", 1},
		{"event_id:<=4624", 2},
		{"failed OR cleared", 4},
		{"password NOT failed", 1},
		{"password AND NOT failed", 1},
		{"NOT password", 5},
		{"(failed OR cleared) AND event_id:>1000", 2},
		{"parser:evtx", 3},
		{"parser:EVTX NOT user:guest", 2},
		{"item:" + a.String(), 5},
		{"item:" + b.String() + " account", 2},
		{`path:"C:\Program Files\x"`, 1},
		{"message:account", 2},
		{"message:admin", 2}, // the field value admin does not count
		{"time:>=2026-02-21T02:15:00Z", 4},
		{"time:<2026-02-21 password", 0},
		{"nomatch", 0},
		{"user:nobody", 0},
		{"and", 0}, // lower-case and is a word
	} {
		n, err := ix.Count(ctx, Filter{Query: tc.q})
		if err != nil || n != tc.want {
			t.Errorf("Count(%q) = %d, %v; want %d", tc.q, n, err, tc.want)
		}
	}
	// A time range: From included, To excluded, timeless events out.
	evs, err := ix.Query(ctx, "", t0.Add(5*time.Minute), t0.Add(20*time.Minute), uuid.Nil, 0)
	if err != nil || len(evs) != 3 || evs[0].Message != "An account was successfully logged on" || evs[1].Message != "Failed password for root from 10.0.0.9 port 22" ||
		evs[2].Message != "An account failed to log on" {
		t.Fatalf("range query = %+v, %v", evs, err)
	}
	if v, _ := evs[0].Get("logon_type"); v != "10" || evs[0].Parser != "evtx" || evs[0].Item != b || evs[0].ID != b.String()+":1" {
		t.Fatalf("event fields = %+v", evs[0])
	}
	// Paging, in time order with the timeless event first.
	page, _ := ix.Search(ctx, Filter{Limit: 2, Offset: 0})
	if len(page) != 2 || page[0].Message != "no time at all" || !page[1].Time.Equal(t0) {
		t.Fatalf("first page = %+v", page)
	}
	if n, _ := ix.Count(ctx, Filter{Query: "password", Item: b}); n != 0 {
		t.Fatalf("item filter: %d", n)
	}
	// Keyset paging gives the same order as one long page.
	whole, _ := ix.Search(ctx, Filter{Limit: 100})
	var paged []Event
	for after := ""; ; {
		p, err := ix.Search(ctx, Filter{Limit: 3, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if len(p) == 0 {
			break
		}
		paged = append(paged, p...)
		after = p[len(p)-1].ID
	}
	if len(whole) != 8 || fmt.Sprint(ids(paged)) != fmt.Sprint(ids(whole)) {
		t.Fatalf("paged %v, whole %v", ids(paged), ids(whole))
	}
	if _, err := ix.Search(ctx, Filter{After: uuid.New().String() + ":1"}); !errors.Is(err, ErrNoSuchEvent) {
		t.Fatalf("After an unknown event: %v", err)
	}
	// Facets.
	top, err := ix.Top(ctx, Filter{}, "user", 3)
	if err != nil || fmt.Sprint(top) != "[{admin 3} {Administrator 1} {guest 1}]" {
		t.Fatalf("top users = %v, %v", top, err)
	}
	top, _ = ix.Top(ctx, Filter{Query: "failed"}, "parser", 10)
	if fmt.Sprint(top) != "[{syslog 2} {evtx 1}]" {
		t.Fatalf("top parsers of failed = %v", top)
	}
}

func ids(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func TestHistogram(t *testing.T) {
	_, ix, _, _ := indexed(t)
	hs, err := ix.Histogram(context.Background(), Filter{}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := []Bucket{{t0, 5}, {t0.Add(time.Hour), 1}, {t0.Add(2 * time.Hour), 1}}
	if fmt.Sprint(hs) != fmt.Sprint(want) {
		t.Fatalf("histogram = %v, want %v", hs, want)
	}
	hs, _ = ix.Histogram(context.Background(), Filter{Query: "event_id:>0"}, 30*time.Minute)
	want = []Bucket{{t0, 2}, {t0.Add(30 * time.Minute), 0}, {t0.Add(60 * time.Minute), 0}, {t0.Add(90 * time.Minute), 0}, {t0.Add(120 * time.Minute), 1}}
	if fmt.Sprint(hs) != fmt.Sprint(want) {
		t.Fatalf("histogram = %v, want %v", hs, want)
	}
	if _, err := ix.Histogram(context.Background(), Filter{}, time.Millisecond); err == nil ||
		err.Error() != "casefile: invalid input: a histogram bucket of 1ms is too small: give 1s or more, e.g. 1m, 1h, 24h" {
		t.Fatalf("tiny bucket: %v", err)
	}
}

func TestBadQueries(t *testing.T) {
	_, ix, _, _ := indexed(t)
	for _, tc := range []struct {
		q   string
		pos int
		msg string
	}{
		{`"unclosed`, 1, `this quote is never closed: end the phrase with "`},
		{`a AND`, 3, `AND needs something to search for after it`},
		{`a OR`, 3, `OR needs something to search for after it`},
		{`NOT`, 1, `NOT needs something to leave out after it`},
		{`(a OR b`, 1, `this ( is never closed: add a )`},
		{`a) b`, 2, `this ) closes no (`},
		{`()`, 1, `these parentheses are empty`},
		{`user:`, 6, `field user: needs a value after the colon, as in user:value or user:"two words"`},
		{`event_id:>abc`, 11, `field event_id: "abc" is not a number; > compares numbers only`},
		{`event_id:>`, 11, `field event_id: > needs a number after it, as in event_id:>4000`},
		{`time:>yesterday`, 7, `field time: "yesterday" is not a time: write RFC 3339 (2026-02-21T02:00:00Z) or a date (2026-02-21, UTC)`},
		{`x time:admin`, 8, `field time: compare times with >, >=, < or <=, as in time:>=2026-02-21T02:00:00Z`},
		{`ad*min`, 1, `"ad*min": * may only end a term (a prefix), as in admin*`},
		{`user:*`, 6, `field user: * alone matches anything; give the start of a value, as in user:adm*`},
		{`ok ...`, 4, `"..." has no letters or digits to search for; to find it exactly, use a field, as in user:...`},
		{`AND x`, 1, `AND needs something to search for before it`},
	} {
		_, err := ix.Count(context.Background(), Filter{Query: tc.q})
		var qe *QueryError
		if !errors.As(err, &qe) || !errors.Is(err, ErrBadQuery) || qe.Pos != tc.pos || qe.Msg != tc.msg {
			t.Errorf("%q: error %v, want at character %d: %s", tc.q, err, tc.pos, tc.msg)
			continue
		}
		if want := fmt.Sprintf("timeline: the query cannot be read: at character %d: %s", tc.pos, tc.msg); err.Error() != want {
			t.Errorf("%q: message %q", tc.q, err.Error())
		}
		msg, hint, known := casefile.Explain(err)
		if want := fmt.Sprintf("the query cannot be read: at character %d: %s", tc.pos, tc.msg); msg != want || !known || hint != ErrBadQuery.Hint() {
			t.Errorf("%q: Explain = %q, %q, %v", tc.q, msg, hint, known)
		}
	}
	var qe *QueryError
	_, err := ix.Count(context.Background(), Filter{Query: "a AND"})
	if errors.As(err, &qe); qe.Marker() != "a AND\n  ^" {
		t.Fatalf("marker %q", qe.Marker())
	}
	// Query text reaches SQLite only as bound values.
	for _, q := range []string{`"x'); DROP TABLE events; --"`, `user:"' OR 1=1 --"`, `"a"" OR b"`, `it's`, `user:%`, `user:_*`} {
		if n, err := ix.Count(context.Background(), Filter{Query: q}); err != nil || n != 0 {
			t.Errorf("%q: %d, %v; want 0 events", q, n, err)
		}
	}
	if n, _ := ix.Count(context.Background(), Filter{}); n != 8 {
		t.Fatalf("after hostile queries the index holds %d events", n)
	}
}

// TestIndexNothingOnDisk: building and querying the index leaves the
// temporary folder SQLite would spill to empty, and the index is memory.
func TestIndexNothingOnDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("SQLITE_TMPDIR", tmp)
	c := newCase(t)
	item := casetest.StoreBytes(t, c, []byte("x"), "big.log").ID
	write(t, c, item, synthetic(20_000), nil, "syslog")
	ix, err := Build(context.Background(), Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	// A sort over every row and a grouped count: the work that spills.
	if evs, err := ix.Search(context.Background(), Filter{Query: "line OR web01", Limit: MaxLimit}); err != nil || len(evs) != 20_000 {
		t.Fatalf("search: %d, %v", len(evs), err)
	}
	if _, err := ix.Histogram(context.Background(), Filter{}, time.Minute); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(tmp)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != 0 {
		t.Fatalf("the temporary folder holds %s", strings.Join(names, ", "))
	}
	var ts int
	ix.db.QueryRow("PRAGMA temp_store").Scan(&ts)
	if ts != 2 || ix.Len() != 20_000 {
		t.Fatalf("temp_store %d, %d events", ts, ix.Len())
	}
	// Re-indexing one item after a re-parse.
	write(t, c, item, synthetic(7), nil, "syslog")
	if err := ix.ReplaceItem(context.Background(), Of(c), item); err != nil {
		t.Fatal(err)
	}
	if n, _ := ix.Count(context.Background(), Filter{Query: "line"}); n != 7 || ix.Len() != 7 {
		t.Fatalf("after ReplaceItem: %d found, %d indexed", n, ix.Len())
	}
}

// TestWithdrawnItemsExcluded: a Filter with the withdrawn items in Exclude
// leaves their events out of Search, Count, Top, Histogram and Span;
// Withdrawn lists them until they are reinstated.
func TestWithdrawnItemsExcluded(t *testing.T) {
	c, ix, a, b := indexed(t)
	ctx := context.Background()
	s := Of(c)
	if got, err := s.Withdrawn(); err != nil || len(got) != 0 {
		t.Fatalf("Withdrawn before = %v, %v", got, err)
	}
	if _, err := c.WithdrawEvidence(b, "collected from the wrong host"); err != nil {
		t.Fatal(err)
	}
	gone, err := s.Withdrawn()
	if err != nil || len(gone) != 1 || gone[0] != b {
		t.Fatalf("Withdrawn = %v, %v; want [%s]", gone, err, b)
	}
	f := Filter{Query: "user:admin", Exclude: gone}
	evs, err := ix.Search(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(ids(evs), " "), EventID(a, 1)+" "+EventID(a, 4); got != want {
		t.Errorf("Search = %s, want %s", got, want)
	}
	if n, err := ix.Count(ctx, f); err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}
	if n, err := ix.Count(ctx, Filter{Query: "user:admin"}); err != nil || n != 3 {
		t.Errorf("Count without Exclude = %d, %v; want 3", n, err)
	}
	if n, err := ix.Count(ctx, Filter{Item: b, Exclude: gone}); err != nil || n != 0 {
		t.Errorf("Count of the withdrawn item = %d, %v; want 0", n, err)
	}
	top, err := ix.Top(ctx, Filter{Exclude: gone}, "user", 10)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(top) != "[{admin 2} {root 1} {Administrator 1}]" && fmt.Sprint(top) != "[{admin 2} {Administrator 1} {root 1}]" {
		t.Errorf("Top users = %v", top)
	}
	hs, err := ix.Histogram(ctx, Filter{Exclude: gone}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(len(hs), hs[0].Count, hs[len(hs)-1].Count) != "2 3 1" {
		t.Errorf("Histogram = %v", hs)
	}
	if _, last, ok, err := ix.Span(ctx, Filter{Exclude: gone}); err != nil || !ok || !last.Equal(t0.Add(70*time.Minute)) {
		t.Errorf("Span's last = %s, %v, %v; want the last event of %s", last, ok, err, a)
	}
	if _, err := c.ReinstateEvidence(b, "the host was right after all"); err != nil {
		t.Fatal(err)
	}
	if gone, err := s.Withdrawn(); err != nil || len(gone) != 0 {
		t.Errorf("Withdrawn after reinstating = %v, %v", gone, err)
	}
}
