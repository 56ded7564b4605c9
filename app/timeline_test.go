package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/evidence"
)

// authLog is a small sshd log: two logons of vagrant and an invalid user,
// out of time order (the table sorts them).
const authLog = "Feb 21 21:54:44 localhost sshd[3402]: Accepted publickey for vagrant from 10.0.2.2 port 63673 ssh2\n" +
	"Feb 23 00:13:35 localhost sshd[7483]: Accepted password for vagrant from 192.168.33.1 port 58803 ssh2\n" +
	"Feb 21 21:56:12 localhost sshd[3430]: Invalid user test from 10.0.2.2\n"

// openTimeline opens the case at path in a new UI at the Timeline area,
// its index built.
func openTimeline(t *testing.T, dir, path string) (*UI, *timelineView) {
	t.Helper()
	u, _ := openCaseUI(t, dir, path)
	v := viewOf[*timelineView](t, u, "Timeline")
	waitJobs(t, u)
	return u, v
}

// searchFor types q into the query bar and presses Enter.
func searchFor(t *testing.T, u *UI, v *timelineView, q string) {
	t.Helper()
	v.query.SetText("")
	u.win.Canvas().Focus(v.query)
	test.Type(v.query, q)
	press(t, u, fyne.KeyReturn)
	waitJobs(t, u)
}

func TestTimelineParseSearchAndShowBytes(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	ingestClosed(t, path, "auth.log", []byte(authLog))
	u, v := openTimeline(t, dir, path)
	if v.count.Text != "No events yet: parse a log item with Parse…" {
		t.Errorf("count before parsing = %q", v.count.Text)
	}
	if n := v.table.src.count(); n != 0 {
		t.Errorf("%d rows before parsing", n)
	}

	// Parse… asks the item (the only one is chosen), the parser and a
	// reason, which it needs.
	test.Tap(v.parse)
	f := openForm(t, u, "Parse into the timeline")
	if got := f.fields["Item"].(*formSelect).Selected; got != "auth.log" {
		t.Errorf("item chosen = %q", got)
	}
	if got := f.fields["Parser"].(*formSelect); got.Selected != autoParser || !slices.Contains(got.Options, "syslog") || !slices.Contains(got.Options, "evtx") {
		t.Errorf("parser choice %q among %q", got.Selected, got.Options)
	}
	u.win.Canvas().Focus(f.fields["Reason"].(*formEntry))
	ctrlEnter(t, u)
	if msg := f.problemText("Reason"); msg != "Give the reason: a parse is recorded with one." || u.record != f {
		t.Fatalf("a parse without a reason: problem %q", msg)
	}
	setField(t, f, "Reason", "sshd logons of web01")
	saveForm(t, u, f)
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatalf("parse: %v", err)
	}
	if want := "Parsed auth.log: 3 events, 0 warnings (syslog, detected from the content)."; v.lastParse.Text != want {
		t.Errorf("parse line = %q, want %q", v.lastParse.Text, want)
	}
	if v.count.Text != "3 events" {
		t.Errorf("count after parsing = %q", v.count.Text)
	}
	entries, _ := u.Case().Entries()
	last := entries[len(entries)-1]
	if last.Action != timeline.ActionParsed || last.Reason != "sshd logons of web01" || last.Actor != "Sam Okafor" ||
		last.Role != casefile.RoleForensicEngineer || last.Details["events"] != "3" {
		t.Errorf("last custody entry: %s by %s (%s): %q %v", last.Action, last.Actor, last.Role, last.Reason, last.Details)
	}

	// A field query, typed and sent with Enter.
	searchFor(t, u, v, "user:vagrant")
	if v.count.Text != "2 events" {
		t.Errorf("count of user:vagrant = %q", v.count.Text)
	}
	rows := tableRows(v.table)
	want := []string{
		"2026-02-21T21:54:44Z|auth.log|syslog|sshd[3402]: Accepted publickey for vagrant from 10.0.2.2 port 63673 ssh2",
		"2026-02-23T00:13:35Z|auth.log|syslog|sshd[7483]: Accepted password for vagrant from 192.168.33.1 port 58803 ssh2",
	}
	if !slices.Equal(rows, want) {
		t.Errorf("rows of user:vagrant:\n%q\nwant\n%q", rows, want)
	}

	// A query that cannot be read says where, under the bar, and moves
	// nothing.
	d := fyne.CurrentApp().Driver()
	before := d.AbsolutePositionForObject(v.table.box)
	searchFor(t, u, v, "user:(vagrant")
	if got, want := v.problem.whole(), `The query cannot be read: at character 6: field user: needs a value after the colon, as in user:value or user:"two words".`; got != want {
		t.Errorf("bad query: %q, want %q", got, want)
	}
	if !errors.Is(u.LastError(), timeline.ErrBadQuery) {
		t.Errorf("last error %v", u.LastError())
	}
	if after := d.AbsolutePositionForObject(v.table.box); after != before {
		t.Errorf("the table moved from %v to %v when the problem showed", before, after)
	}
	if v.count.Text != "2 events" {
		t.Errorf("a bad query changed the count to %q", v.count.Text)
	}
	test.Type(v.query, " ")
	if v.problem.whole() != "" {
		t.Errorf("the problem stays while typing: %q", v.problem.whole())
	}

	// A time that cannot be read names its field; a range narrows.
	v.from.SetText("yesterday")
	searchFor(t, u, v, "")
	if got := v.problem.whole(); got != `From: "yesterday" is not a time: write RFC 3339 (2026-02-21T02:00:00Z) or a date (2026-02-21, midnight UTC).` {
		t.Errorf("bad From: %q", got)
	}
	v.from.SetText("2026-02-21T21:55:00Z")
	v.to.SetText("2026-02-22")
	searchFor(t, u, v, "")
	if v.count.Text != "1 event" || cellText(v.table, 0, 3) != "sshd[3430]: Invalid user test from 10.0.2.2" {
		t.Errorf("range search: %q, %q", v.count.Text, tableRows(v.table))
	}
	v.from.SetText("")
	v.to.SetText("")

	// The event pane: every field, the time as written, the record.
	searchFor(t, u, v, "vagrant AND src_ip:192.168.33.1")
	if v.count.Text != "1 event" {
		t.Fatalf("count = %q", v.count.Text)
	}
	p := v.pane
	if !p.showBytes.Disabled() || p.showBytes.whyNot() != "choose an event first." {
		t.Errorf("Show bytes with no event: disabled %v, %q", p.showBytes.Disabled(), p.showBytes.whyNot())
	}
	v.table.chooseRow(0)
	if p.when.Text != "2026-02-23T00:13:35Z" || p.original.Text != "Feb 23 00:13:35 · zone UTC (assumed: the record names none)" ||
		p.meaning.Text != "Event Logged" || p.item.Text != "auth.log" || p.parser.Text != "syslog" ||
		p.record.Text != "offset 99 (0x63), 101 bytes" || !strings.HasSuffix(p.id.Text, ":2") {
		t.Errorf("pane: %q | %q | %q | %q | %q | %q | %q", p.when.Text, p.original.Text, p.meaning.Text, p.item.Text, p.parser.Text, p.record.Text, p.id.Text)
	}
	fields := tableRows(p.fieldTable)
	wantFields := []string{"host|localhost", "program|sshd", "pid|7483", "action|login_accepted", "outcome|success",
		"auth_method|password", "user|vagrant", "src_ip|192.168.33.1", "src_port|58803"}
	if !slices.Equal(fields, wantFields) {
		t.Errorf("fields %q, want %q", fields, wantFields)
	}

	// Show bytes opens the hex view at the record, the record selected.
	if p.showBytes.Disabled() {
		t.Fatalf("Show bytes disabled: %s", p.showBytes.whyNot())
	}
	test.Tap(p.showBytes)
	waitJobs(t, u)
	if len(u.hexViews) != 1 {
		t.Fatalf("%d hex views open", len(u.hexViews))
	}
	h := u.hexViews[0]
	if s, e, ok := h.Selection(); !ok || s != 99 || e != 200 {
		t.Errorf("hex view selection = %d..%d (%v), want 99..200", s, e, ok)
	}
	if h.grid.cursor != 99 {
		t.Errorf("hex cursor at %d, want 99", h.grid.cursor)
	}
	if got := string(authLog[99:200]); !strings.HasPrefix(got, "Feb 23 00:13:35") || !strings.HasSuffix(got, "ssh2") {
		t.Errorf("the selected bytes are %q", got)
	}

	// Coming back to the area reuses the index: no second build.
	viewOf[*evidenceView](t, u, "Evidence")
	v = viewOf[*timelineView](t, u, "Timeline")
	waitJobs(t, u)
	if v.count.Text != "3 events" || v.building.Visible() {
		t.Errorf("back in Timeline: %q, building %v", v.count.Text, v.building.Visible())
	}
}

// syslogLines is n sshd lines, one second apart, from 2026-02-21 00:00:00.
func syslogLines(n int) []byte {
	var b bytes.Buffer
	t0 := time.Date(2026, 2, 21, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, "%s web01 sshd[%d]: Failed password for root from 203.0.113.%d port %d ssh2\n",
			t0.Add(time.Duration(i)*time.Second).Format(time.Stamp), 1000+i, i%250, 40000+i)
	}
	return b.Bytes()
}

// parseClosed parses item id of the closed case at path with the core.
func parseClosed(t *testing.T, path string, ev casefile.Evidence) {
	t.Helper()
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.ParseItem(context.Background(), c, ev.ID, evidence.ParseOptions{Year: 2026}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestTimelinePagesThroughTheResult(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	const n = 3000
	ev := ingestClosed(t, path, "auth.log", syslogLines(n))
	parseClosed(t, path, ev)

	// The index is built off the UI goroutine, with progress; Parse… waits
	// for it, and a search asked for meanwhile runs when it is ready.
	u, _ := openCaseUI(t, dir, path)
	gate := make(chan struct{})
	u.jobGate = gate
	var v *timelineView
	act(u, func() { v = viewOf[*timelineView](t, u, "Timeline") })
	act(u, func() {
		if v.buildText.Text != "Building the search index…" || !v.building.Visible() {
			t.Errorf("while building: %q (bar shown %v)", v.buildText.Text, v.building.Visible())
		}
		if want := "the search index is being built; parse when it is ready."; v.parse.whyNot() != want {
			t.Errorf("Parse… while building: %q", v.parse.whyNot())
		}
		v.query.SetText("root AND src_ip:203.0.113.7")
		v.search()
	})
	u.jobGate = nil
	close(gate)
	waitJobs(t, u)
	if v.count.Text != "12 events" || v.building.Visible() || v.parse.Disabled() {
		t.Errorf("after building: %q (bar shown %v), Parse… %q", v.count.Text, v.building.Visible(), v.parse.whyNot())
	}
	searchFor(t, u, v, "")
	if v.count.Text != "3000 events" {
		t.Fatalf("count = %q", v.count.Text)
	}
	src := v.src
	asked := func() (rows int, most int) {
		for _, f := range src.asked {
			rows += f.Limit
			most = max(most, f.Limit)
		}
		return rows, most
	}
	rows, most := asked()
	if rows >= n/2 || most > 200 {
		t.Errorf("showing the first rows asked for %d rows (at most %d at once) of %d", rows, most, n)
	}
	// The rows the table sizes its columns on (the first and last 200)
	// were read by the search's job: on the UI goroutine, only pages from
	// the start or After a known event, never an Offset into the result.
	for _, f := range src.asked {
		if f.Offset > 0 {
			t.Errorf("showing the result asked for a page at Offset %d (After %q) on the UI goroutine", f.Offset, f.After)
		}
	}
	if _, ok := src.pre[[2]int{n - 200, n}]; !ok {
		t.Errorf("the last 200 rows were not read ahead: %v", src.pre)
	}

	// Scrolling on reads page after page, each After the one before, in a
	// job: the row shows "…" until its page is read, then the table draws
	// it again.
	row := func(r int) string {
		var s string
		var pending bool
		act(u, func() {
			tr := v.table.row(r)
			_, pending = tr.key.(pendingRow)
			s = rowText(tr)
		})
		if !pending {
			t.Errorf("row %d was read on the UI goroutine", r)
			return s
		}
		if s != "…\t\t\t" {
			t.Errorf("row %d while its page is read = %q", r, s)
		}
		waitJobs(t, u)
		act(u, func() { s = rowText(v.table.row(r)) })
		return s
	}
	if got := row(1000); !strings.HasPrefix(got, "2026-02-21T00:16:40Z") {
		t.Errorf("row 1000 = %q", got)
	}
	k := len(src.asked)
	if got := row(1024); !strings.HasPrefix(got, "2026-02-21T00:17:04Z") {
		t.Errorf("row 1024 = %q", got)
	}
	if len(src.asked) != k+1 {
		t.Fatalf("row 1024 asked %d pages", len(src.asked)-k)
	}
	if f := src.asked[k]; f.After == "" || f.Offset != 0 || f.Limit != tablePage {
		t.Errorf("the next page was asked as After %q, Offset %d, Limit %d", f.After, f.Offset, f.Limit)
	}
	if rows, _ := asked(); rows >= n/2 {
		t.Errorf("%d rows asked for in all, of %d", rows, n)
	}
}

func TestTimelineParseDisabledOnSuspectCaseAndGzipBytes(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(authLog))
	w.Close()
	ev := ingestClosed(t, path, "auth.log.1.gz", gz.Bytes())
	parseClosed(t, path, ev)
	u, v := openTimeline(t, dir, path)
	if v.count.Text != "3 events" || v.parse.Disabled() {
		t.Fatalf("count %q, Parse… disabled: %q", v.count.Text, v.parse.whyNot())
	}
	v.table.chooseRow(0)
	p := v.pane
	if p.record.Text != "offset 0 (0x0), 98 bytes of the decompressed gzip stream" {
		t.Errorf("record = %q", p.record.Text)
	}
	if want := "the record's offset is in the decompressed gzip stream, but the hex view shows the item's stored (compressed) bytes."; p.showBytes.whyNot() != want {
		t.Errorf("Show bytes: disabled %v, %q", p.showBytes.Disabled(), p.showBytes.whyNot())
	}

	act(u, func() {
		u.cv.showFacts(caseFacts{actor: u.cv.oc.actor, suspect: errors.New("entry 2: bad signature")})
	})
	if want := "the case failed verification, so nothing more is written to it (see the banner at the top)."; v.parse.whyNot() != want {
		t.Errorf("Parse… on a suspect case: disabled %v, %q", v.parse.Disabled(), v.parse.whyNot())
	}
}

// TestTimelineIncludeWithdrawn: the events of a withdrawn item are left
// out of the Timeline until "Include withdrawn items" is ticked, as on the
// command line.
func TestTimelineIncludeWithdrawn(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	ev := ingestClosed(t, path, "auth.log", []byte(authLog))
	u, v := openTimeline(t, dir, path)
	test.Tap(v.parse)
	f := openForm(t, u, "Parse into the timeline")
	setField(t, f, "Reason", "sshd logons of web01")
	saveForm(t, u, f)
	waitJobs(t, u)
	if v.count.Text != "3 events" {
		t.Fatalf("count after parsing = %q", v.count.Text)
	}
	if _, err := u.Case().WithdrawEvidence(ev.ID, "wrong host: web02's log"); err != nil {
		t.Fatal(err)
	}
	searchFor(t, u, v, "")
	if v.count.Text == "3 events" || v.table.src.count() != 0 {
		t.Errorf("a withdrawn item's events are shown: %q, %d rows", v.count.Text, v.table.src.count())
	}
	v.withdrawn.SetChecked(true)
	waitJobs(t, u)
	if v.count.Text != "3 events" || v.table.src.count() != 3 {
		t.Errorf("with Include withdrawn items: %q, %d rows", v.count.Text, v.table.src.count())
	}
	v.withdrawn.SetChecked(false)
	waitJobs(t, u)
	if v.table.src.count() != 0 {
		t.Errorf("unticked again: %d rows", v.table.src.count())
	}
}

// TestTimelineDamagedSnapshotSaysSo: a damaged sealed snapshot of the
// index is not used; the Timeline says so and searches the index rebuilt
// from the sealed events.
func TestTimelineDamagedSnapshotSaysSo(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	ev := ingestClosed(t, path, "auth.log", []byte(authLog))
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.ParseItem(context.Background(), c, ev.ID, evidence.ParseOptions{Reason: "sshd logons"}); err != nil {
		t.Fatal(err)
	}
	ix, err := timeline.Build(context.Background(), timeline.Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Save(context.Background(), timeline.Of(c)); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	c.Close()
	casetest.Exec(t, path, `UPDATE derived_snapshots SET sealed = CAST(x'01' || substr(sealed, 2, length(sealed) - 2) || x'00' AS BLOB) WHERE part = 0`)
	u, v := openTimeline(t, dir, path)
	waitJobs(t, u)
	if !v.snapshotWarn.Visible() || !strings.HasPrefix(v.snapshotWarn.Text, "The sealed snapshot of the search index could not be used (") ||
		!strings.Contains(v.snapshotWarn.Text, "the index was rebuilt from the sealed events") {
		t.Errorf("warning shown %v: %q", v.snapshotWarn.Visible(), v.snapshotWarn.Text)
	}
	if v.count.Text != "3 events" {
		t.Errorf("count from the rebuilt index = %q", v.count.Text)
	}
}
