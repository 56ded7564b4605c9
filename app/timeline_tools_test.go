package app

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/evidence"
)

// ingestParsed ingests data as a log item of source zone tz into the closed
// case at path and parses it into the timeline.
func ingestParsed(t *testing.T, path, name string, data []byte, tz string) casefile.Evidence {
	t.Helper()
	src := writeTestFile(t, filepath.Dir(path), name, data)
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	items, err := evidence.Ingest(context.Background(), c, src, evidence.Options{TimeZone: tz, Kind: casefile.KindLog})
	if err != nil || len(items) != 1 {
		t.Fatalf("Ingest: %v (%d items)", err, len(items))
	}
	if _, err := evidence.ParseItem(context.Background(), c, items[0].ID, evidence.ParseOptions{Year: 2026, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	return items[0]
}

// facetButton is the facet button whose text starts with prefix, or nil.
func facetButton(v *timelineView, prefix string) *widget.Button {
	for _, o := range v.facets.Objects {
		if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, prefix) {
			return b
		}
	}
	return nil
}

// facetTexts are the headings and buttons of the facet column, in order.
func facetTexts(v *timelineView) []string {
	var out []string
	for _, o := range v.facets.Objects {
		switch w := o.(type) {
		case *widget.Button:
			out = append(out, w.Text)
		case *widget.Label:
			out = append(out, "# "+w.Text)
		}
	}
	return out
}

func TestTimelineHistogramFacetsAndHistory(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	ingestParsed(t, path, "auth.log", []byte(authLog), "")
	u, v := openTimeline(t, dir, path)
	if v.count.Text != "3 events" {
		t.Fatalf("count %q", v.count.Text)
	}

	// The histogram: the three events span 26 hours, so one bar per 15
	// minutes (at most 120 bars) from the first to the last, and the
	// counts add up.
	if v.hist.width != 15*time.Minute || len(v.hist.buckets) != 106 {
		t.Fatalf("histogram: %d buckets of %s", len(v.hist.buckets), v.hist.width)
	}
	var sum int64
	for _, b := range v.hist.buckets {
		sum += b.Count
	}
	if sum != 3 || v.hist.buckets[0].Count != 2 || v.hist.buckets[105].Count != 1 || v.hist.max != 2 {
		t.Errorf("bars: sum %d, first %d, last %d, max %d", sum, v.hist.buckets[0].Count, v.hist.buckets[105].Count, v.hist.max)
	}
	if want := "Events per 15 minutes, 2026-02-21T21:45:00Z to 2026-02-23T00:15:00Z. Click a bar for its 15 minutes, or drag across bars, to search that range."; v.hist.caption != want {
		t.Errorf("caption %q", v.hist.caption)
	}
	// Hovering names the bar; leaving restores the caption.
	v.hist.Resize(fyne.NewSize(270, 72))
	v.hist.onHover(&v.hist.buckets[0])
	if v.hist.caption != "2026-02-21T21:45:00Z to 2026-02-21T22:00:00Z: 2 events" {
		t.Errorf("hover %q", v.hist.caption)
	}
	v.hist.MouseOut()
	if !strings.HasPrefix(v.hist.caption, "Events per 15 minutes") {
		t.Errorf("after hover %q", v.hist.caption)
	}

	// Clicking the first bar searches its hour.
	v.hist.Tapped(&fyne.PointEvent{Position: fyne.NewPos(1, 30)})
	waitJobs(t, u)
	if v.from.Text != "2026-02-21T21:45:00Z" || v.to.Text != "2026-02-21T22:00:00Z" || v.count.Text != "2 events" {
		t.Errorf("after a click: %q to %q, %q", v.from.Text, v.to.Text, v.count.Text)
	}
	// Dragging across bars searches their range; the new result's chart
	// has bars of a second (its two events are 88 s apart).
	v.from.SetText("")
	v.to.SetText("")
	searchFor(t, u, v, "")
	v.hist.Resize(fyne.NewSize(270, 72))
	// 106 bars in 265 px: 2.5 px each.
	v.hist.Resize(fyne.NewSize(265, 72))
	v.hist.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(6, 30)}, Dragged: fyne.NewDelta(5, 0)})
	if v.hist.dragFrom != 0 || v.hist.dragTo != 2 {
		t.Errorf("drag marks %d..%d", v.hist.dragFrom, v.hist.dragTo)
	}
	v.hist.DragEnd()
	waitJobs(t, u)
	if v.from.Text != "2026-02-21T21:45:00Z" || v.to.Text != "2026-02-21T22:30:00Z" || v.count.Text != "2 events" || v.hist.width != time.Second {
		t.Errorf("after a drag: %q to %q, %q, bars of %s", v.from.Text, v.to.Text, v.count.Text, v.hist.width)
	}
	v.from.SetText("")
	v.to.SetText("")
	searchFor(t, u, v, "")

	// The facets: the most frequent values of the result, by field.
	want := []string{"# Parser", "syslog  (3)", "# Host", "localhost  (3)", "# User", "vagrant  (2)", "test  (1)",
		"# Source address", "10.0.2.2  (2)", "192.168.33.1  (1)"}
	if got := facetTexts(v); !slices.Equal(got, want) {
		t.Errorf("facets %q, want %q", got, want)
	}
	test.Tap(facetButton(v, "vagrant"))
	waitJobs(t, u)
	if v.query.Text != `user:"vagrant"` || v.count.Text != "2 events" {
		t.Errorf("after the user facet: %q, %q", v.query.Text, v.count.Text)
	}
	test.Tap(facetButton(v, "10.0.2.2"))
	waitJobs(t, u)
	if v.query.Text != `user:"vagrant" AND src_ip:"10.0.2.2"` || v.count.Text != "1 event" {
		t.Errorf("after the address facet: %q, %q", v.query.Text, v.count.Text)
	}

	// The history holds each search once, newest first; choosing one runs it.
	h := v.historySel.Options
	if len(h) != 5 || h[0] != `user:"vagrant" AND src_ip:"10.0.2.2"` || h[1] != `user:"vagrant"` || h[2] != "(every event)" ||
		h[3] != "(every event) · from 2026-02-21T21:45:00Z · to 2026-02-21T22:30:00Z" {
		t.Errorf("history %q", h)
	}
	v.historySel.SetSelected(h[3])
	waitJobs(t, u)
	if v.query.Text != "" || v.from.Text != "2026-02-21T21:45:00Z" || v.count.Text != "2 events" || v.historySel.Selected != "" {
		t.Errorf("history run: %q %q %q, picker %q", v.query.Text, v.from.Text, v.count.Text, v.historySel.Selected)
	}
	if v.ti.history[0].from != "2026-02-21T21:45:00Z" || len(v.ti.history) != 5 {
		t.Errorf("the rerun did not come first once: %+v", v.ti.history)
	}
}

func TestTimelineSavedSearches(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	ingestParsed(t, path, "auth.log", []byte(authLog), "")
	u, v := openTimeline(t, dir, path)
	if !v.savedSel.Disabled() || v.savedSel.PlaceHolder != "Saved (none yet)" {
		t.Errorf("saved picker of a new case: disabled %v, %q", v.savedSel.Disabled(), v.savedSel.PlaceHolder)
	}
	if v.removeBtn.whyNot() != "no searches are saved in this case yet." {
		t.Errorf("Remove… says %q", v.removeBtn.whyNot())
	}

	// Save… keeps the query bar's search under a name; Enter saves.
	v.query.SetText("user:vagrant")
	v.from.SetText("2026-02-22")
	test.Tap(v.saveBtn)
	f := openForm(t, u, "Save the search")
	u.win.Canvas().Focus(f.fields["Name"].(*formEntry))
	ctrlEnter(t, u)
	if msg := f.problemText("Name"); msg != "Give the search a name." {
		t.Fatalf("no name: %q", msg)
	}
	setField(t, f, "Name", "Vagrant logons")
	setField(t, f, "Reason", "the way in")
	saveForm(t, u, f)
	waitJobs(t, u)
	if !slices.Equal(v.savedSel.Options, []string{"Vagrant logons"}) || v.savedSel.Disabled() || v.removeBtn.whyNot() != "" {
		t.Fatalf("saved %q, disabled %v", v.savedSel.Options, v.savedSel.Disabled())
	}
	entries, _ := u.Case().Entries()
	last := entries[len(entries)-1]
	if last.Action != timeline.ActionSearchSaved || last.Reason != "the way in" || last.Details["query"] != "user:vagrant" ||
		last.Details["from"] != "2026-02-22T00:00:00Z" || last.Actor != "Sam Okafor" {
		t.Errorf("entry %s %q %v by %s", last.Action, last.Reason, last.Details, last.Actor)
	}

	// Choosing it runs it.
	v.query.SetText("")
	v.from.SetText("")
	searchFor(t, u, v, "")
	v.savedSel.SetSelected("Vagrant logons")
	waitJobs(t, u)
	if v.query.Text != "user:vagrant" || v.from.Text != "2026-02-22T00:00:00Z" || v.count.Text != "1 event" {
		t.Errorf("saved search run: %q %q %q", v.query.Text, v.from.Text, v.count.Text)
	}

	// Another examiner's view of the case lists it: it is in the case.
	all, err := timeline.Of(u.Case()).SavedSearches()
	if err != nil || len(all) != 1 || all[0].Query != "user:vagrant" {
		t.Fatalf("stored %+v %v", all, err)
	}

	// Remove… takes it away, recorded.
	test.Tap(v.removeBtn)
	f = openForm(t, u, "Remove a saved search")
	setField(t, f, "Search", "Vagrant logons")
	saveForm(t, u, f)
	waitJobs(t, u)
	if len(v.savedSel.Options) != 0 || !v.savedSel.Disabled() {
		t.Errorf("after removal %q", v.savedSel.Options)
	}
	entries, _ = u.Case().Entries()
	if last := entries[len(entries)-1]; last.Action != timeline.ActionSearchRemoved || last.Details["name"] != "Vagrant logons" {
		t.Errorf("entry %s %v", last.Action, last.Details)
	}
}

func TestTimelineZoneSwitch(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	ingestParsed(t, path, "auth.log", []byte(authLog), "Europe/Berlin")
	u, v := openTimeline(t, dir, path)
	if got := cellText(v.table, 0, 0); got != "2026-02-21T20:54:44Z" {
		t.Fatalf("UTC cell %q", got)
	}
	v.zone.SetSelected(zoneSource)
	waitJobs(t, u)
	if got := cellText(v.table, 0, 0); got != "2026-02-21T21:54:44+01:00 Europe/Berlin" || v.table.cols[0].title != "Time (source zone)" {
		t.Errorf("source zone cell %q, title %q", got, v.table.cols[0].title)
	}
	v.zone.SetSelected(zoneLocal)
	if got, want := cellText(v.table, 0, 0), time.Date(2026, 2, 21, 20, 54, 44, 0, time.UTC).In(time.Local).Format(time.RFC3339Nano); got != want {
		t.Errorf("local cell %q, want %q", got, want)
	}
	if eventColumns[0].title != "Time (UTC)" {
		t.Errorf("the switch changed the shared column list: %q", eventColumns[0].title)
	}
	// Offsets the record states are its source zone.
	if loc := sourceLocation("+10:00"); loc == nil || time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).In(loc).Format(time.RFC3339) != "2026-01-01T10:00:00+10:00" {
		t.Errorf("+10:00 = %v", loc)
	}
	if sourceLocation("Mars/Olympus") != nil || sourceLocation("") != nil {
		t.Error("an unknown zone has a location")
	}
}

func TestAddEvidenceParsesLogs(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, ev := openCaseUI(t, dir, path)
	src := writeTestFile(t, dir, "auth.log", []byte(authLog))
	test.Tap(ev.add)
	f := openForm(t, u, "Add evidence")
	if !f.fields["Timeline"].(*formCheck).Checked {
		t.Error("parsing is not on by default")
	}
	setField(t, f, "Source", src)
	setField(t, f, "Kind", "Log")
	saveForm(t, u, f)
	waitJobs(t, u)
	if u.notice != nil {
		t.Errorf("a clean ingest and parse opened a dialog: %q", u.notice.title)
	}
	n, err := timeline.Of(u.Case()).Count()
	if err != nil || n != 3 {
		t.Fatalf("events after adding a log: %d %v", n, err)
	}
	entries, _ := u.Case().Entries()
	if last := entries[len(entries)-1]; last.Action != timeline.ActionParsed || last.Reason != "parsed on ingest" {
		t.Errorf("last entry %s %q", last.Action, last.Reason)
	}
	// The Timeline area, shown now, holds them.
	v := viewOf[*timelineView](t, u, "Timeline")
	waitJobs(t, u)
	if v.count.Text != "3 events" {
		t.Errorf("timeline count %q", v.count.Text)
	}

	// A second log with the box cleared is not parsed.
	u.win.Canvas().Focus(nil)
	viewOf[*evidenceView](t, u, "Evidence")
	ev = viewOf[*evidenceView](t, u, "Evidence")
	test.Tap(ev.add)
	f = openForm(t, u, "Add evidence")
	setField(t, f, "Source", writeTestFile(t, dir, "second.log", []byte(authLog[:99])))
	setField(t, f, "Kind", "Log")
	setField(t, f, "Timeline", false)
	saveForm(t, u, f)
	waitJobs(t, u)
	if n, _ := timeline.Of(u.Case()).Count(); n != 3 {
		t.Errorf("events after an unparsed ingest: %d", n)
	}

	// A log no parser reads stays added, and the dialog says how to parse it.
	ev = viewOf[*evidenceView](t, u, "Evidence")
	test.Tap(ev.add)
	f = openForm(t, u, "Add evidence")
	setField(t, f, "Source", writeTestFile(t, dir, "odd.log", []byte("\x00\x01\x02\x03 no format anyone reads\n")))
	setField(t, f, "Kind", "Log")
	saveForm(t, u, f)
	waitJobs(t, u)
	if u.notice == nil || u.notice.title != "Evidence added" || !strings.Contains(u.notice.message, "• odd.log — not parsed: ") ||
		!strings.Contains(u.notice.message, "It stays added; parse it in Timeline with Parse… and a parser chosen.") {
		t.Errorf("notice after an unreadable log: %+v", u.notice)
	}
	if items, _ := u.Case().ListEvidence(); len(items) != 3 {
		t.Errorf("%d items, want 3", len(items))
	}
}

func TestTimelineStarTagCommentAndFinding(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	ingestParsed(t, path, "auth.log", []byte(authLog), "")
	u, v := openTimeline(t, dir, path)
	p := v.pane
	if p.ann.star.whyNot() != "choose an event first." || p.ann.finding.whyNot() != "choose an event first." {
		t.Errorf("with no event: star %q, finding %q", p.ann.star.whyNot(), p.ann.finding.whyNot())
	}
	searchFor(t, u, v, "src_ip:192.168.33.1")
	v.table.chooseRow(0)
	waitJobs(t, u)
	id := p.ev.ID
	if p.ann.marks.Text != "Not starred · no tags" || p.ann.star.Text != "Star" {
		t.Errorf("marks %q, button %q", p.ann.marks.Text, p.ann.star.Text)
	}

	// Star: one custody entry, the index learns it, the table marks it.
	test.Tap(p.ann.star)
	waitJobs(t, u)
	entries, _ := u.Case().Entries()
	if last := entries[len(entries)-1]; last.Action != timeline.ActionEventStarred || last.Target.ID != id || last.Actor != "Sam Okafor" {
		t.Errorf("entry %s on %s by %s", last.Action, last.Target.ID, last.Actor)
	}
	if p.ann.marks.Text != "★ Starred · no tags" || p.ann.star.Text != "Unstar" {
		t.Errorf("after star: %q, %q", p.ann.marks.Text, p.ann.star.Text)
	}
	if got := cellText(v.table, 0, 3); !strings.HasPrefix(got, "★ sshd[7483]: Accepted password") {
		t.Errorf("table message %q", got)
	}
	searchFor(t, u, v, "starred:true")
	if v.count.Text != "1 event" {
		t.Errorf("starred:true finds %q", v.count.Text)
	}

	// Tag…: a bad tag is refused in the form; good ones are kept in lower case.
	v.table.chooseRow(0)
	waitJobs(t, u)
	test.Tap(p.ann.tag)
	f := openForm(t, u, "Tag the event")
	setField(t, f, "Tags", "two words")
	ctrlEnter(t, u)
	if f.problemText("Tags") == "" || u.record != f {
		t.Fatalf("a tag with a space was not refused")
	}
	setField(t, f, "Tags", "Brute-Force, VPN")
	saveForm(t, u, f)
	waitJobs(t, u)
	if p.ann.marks.Text != "★ Starred · tags: brute-force, vpn" {
		t.Errorf("after tagging: %q", p.ann.marks.Text)
	}
	searchFor(t, u, v, "tag:vpn")
	if v.count.Text != "1 event" {
		t.Errorf("tag:vpn finds %q", v.count.Text)
	}

	// Comment…: shown with its author.
	v.table.chooseRow(0)
	waitJobs(t, u)
	test.Tap(p.ann.comment)
	f = openForm(t, u, "Comment on the event")
	setField(t, f, "Comment", "Password logon from the admin VLAN, minutes before the exfiltration.")
	saveForm(t, u, f)
	waitJobs(t, u)
	if len(p.ann.comments.Objects) != 1 || !strings.HasPrefix(p.ann.comments.Objects[0].(*widget.Label).Text,
		"Password logon from the admin VLAN, minutes before the exfiltration.\n— Sam Okafor (Forensic Engineer), ") {
		t.Errorf("comments %v", p.ann.comments.Objects)
	}

	// New finding from event…: anchored to the event and to its record's bytes.
	test.Tap(p.ann.finding)
	f = openForm(t, u, "New finding")
	if len(u.editor.events) != 1 || u.editor.events[0].Event != id || len(u.editor.locations) != 1 ||
		u.editor.locations[0].Start != 99 || u.editor.locations[0].End != 200 {
		t.Fatalf("draft events %+v, locations %+v", u.editor.events, u.editor.locations)
	}
	setField(t, f, "Title", "The intruder logged on with vagrant's password")
	saveForm(t, u, f)
	waitJobs(t, u)
	fs := u.cv.oc.incident.findings
	if len(fs) != 1 || len(fs[0].Events) != 1 || fs[0].Events[0].Event != id || fs[0].Events[0].Offset != 99 ||
		fs[0].Events[0].Length != 101 || fs[0].Events[0].Ordinal != 2 || len(fs[0].Locations) != 1 {
		t.Fatalf("finding %+v", fs)
	}
	if !strings.Contains(fs[0].Description, "> sshd[7483]: Accepted password for vagrant from 192.168.33.1 port 58803 ssh2") {
		t.Errorf("description %q", fs[0].Description)
	}
}
