package incident

import (
	"errors"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
)

// writeEvents parses two events into item (offsets 10 and 60).
func writeEvents(t *testing.T, c *tcase, ev casefile.Evidence, lengths ...int64) timeline.Parse {
	t.Helper()
	w := must(timeline.Of(c.Case).NewWriter(ev.ID))(t)
	for i, l := range lengths {
		if err := w.Add(timeline.Event{Offset: 10 + 50*int64(i), Length: l, Message: "record", TimeText: "-"}); err != nil {
			t.Fatal(err)
		}
	}
	return must(w.Commit(timeline.Summary{Parser: "test"}, "test"))(t)
}

func TestFindingAnchorsToEvent(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	ev := storeBytes(t, c, []byte("0123456789 first record ... second record ..."), "auth.log")
	p := writeEvents(t, c, ev, 20, 30)
	id := timeline.EventID(ev.ID, 2)
	f := must(c.AddFinding(FindingContent{Title: "Brute force", Confidence: ConfidenceHigh,
		Events: []EventAnchor{{Event: " " + id + " "}, {Event: id}}}, "from the timeline"))(t)
	want := EventAnchor{Event: id, Item: ev.ID, Parse: p.ID, Ordinal: 2, Offset: 60, Length: 30}
	if len(f.Events) != 1 || f.Events[0] != want {
		t.Fatalf("anchors = %+v, want [%+v]", f.Events, want)
	}
	if loc, ok := f.Events[0].Location(); !ok || loc != (EvidenceLocation{Evidence: ev.ID, Start: 60, End: 90}) {
		t.Errorf("Location = %+v, %v", loc, ok)
	}
	entries := must(c.Entries())(t)
	if d := entries[len(entries)-1].Details; d["events"] != "1" {
		t.Errorf("custody details %v, want events=1", d)
	}
	// A re-parse leaves the anchor as recorded: an edit of the title keeps
	// it without checking it again, and changes only the title.
	writeEvents(t, c, ev, 20)
	fc := f.FindingContent
	fc.Title = "Brute force on sshd"
	g := must(c.EditFinding(f.ID, fc, "title"))(t)
	if len(g.Events) != 1 || g.Events[0] != want {
		t.Errorf("anchors after the edit = %+v", g.Events)
	}
	if d := must(c.Entries())(t); d[len(d)-1].Details["changed"] != "title" {
		t.Errorf("changed = %q, want title", d[len(d)-1].Details["changed"])
	}
	// A new anchor must name an event of the current timeline.
	fc = g.FindingContent
	fc.Events = append(fc.Events, EventAnchor{Event: id})
	fc.Events[0].Event = timeline.EventID(ev.ID, 1)
	if _, err := c.EditFinding(f.ID, fc, ""); err != nil {
		t.Fatalf("anchor to event 1 of the new parse: %v", err)
	}
	fc = g.FindingContent
	fc.Events = []EventAnchor{{Event: timeline.EventID(ev.ID, 2)}}
	if _, err := c.AddFinding(fc, ""); !errors.Is(err, timeline.ErrNoSuchEvent) {
		t.Errorf("anchor to an event the current parse lacks: %v, want ErrNoSuchEvent", err)
	}
	must(c.WithdrawEvidence(ev.ID, "wrong host"))(t)
	fc.Events = []EventAnchor{{Event: timeline.EventID(ev.ID, 1)}}
	if _, err := c.AddFinding(fc, ""); !errors.Is(err, timeline.ErrWithdrawnItem) {
		t.Errorf("anchor to an event of a withdrawn item: %v, want ErrWithdrawnItem", err)
	}
}
