package timeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/google/uuid"
)

func searchIDs(t *testing.T, ix *Index, q string) []string {
	t.Helper()
	evs, err := ix.Search(context.Background(), Filter{Query: q, Limit: 1000})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func TestAnnotateEventsLedgerAndSearch(t *testing.T) {
	c := newCase(t)
	item := casetest.StoreBytes(t, c, []byte("log bytes"), "auth.log").ID
	write(t, c, item, synthetic(20), nil, "syslog")
	s := Of(c)
	ctx := context.Background()
	ix, err := Build(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	e3, e7 := EventID(item, 3), EventID(item, 7)
	before, _ := c.Entries()
	if _, err := s.Star(e3, "first failed login"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tag(e3, []string{"Lateral-Movement", "brute_force", "lateral-movement"}, "pattern"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tag(e7, []string{"brute_force"}, ""); err != nil {
		t.Fatal(err)
	}
	a, err := s.Comment(e7, "Same source as the VPN alert", "note for the report")
	if err != nil {
		t.Fatal(err)
	}
	if a.Event != e7 || a.Starred || !slices.Equal(a.Tags, []string{"brute_force"}) || len(a.Comments) != 1 || a.Comments[0].Text != "Same source as the VPN alert" {
		t.Fatalf("annotations of %s = %+v", e7, a)
	}
	after, _ := c.Entries()
	got := after[len(before):]
	want := []struct {
		action casefile.Action
		target string
		reason string
		detail string
	}{
		{ActionEventStarred, e3, "first failed login", ""},
		{ActionEventTagged, e3, "pattern", "brute_force,lateral-movement"},
		{ActionEventTagged, e7, "", "brute_force"},
		{ActionEventCommented, e7, "note for the report", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d custody entries, want %d", len(got), len(want))
	}
	for i, w := range want {
		e := got[i]
		if e.Action != w.action || e.Target.Type != TargetEvent || e.Target.ID != w.target || e.Reason != w.reason ||
			e.Actor != casetest.NewCase.Examiner || e.Role != c.ActingRole() || e.Details["tags"] != w.detail ||
			e.Details["ordinal"] == "" || e.Details["offset"] == "" || e.Hashes["content_sha256"] == "" {
			t.Errorf("entry %d = %+v, want %s on %s by %s (%s)", i, e, w.action, w.target, casetest.NewCase.Examiner, c.ActingRole())
		}
	}
	// The index learns the change when told.
	if ids := searchIDs(t, ix, "starred:true"); len(ids) != 0 {
		t.Fatalf("before ReloadAnnotations: starred:true = %v, want none (the index was built before)", ids)
	}
	if err := ix.ReloadAnnotations(ctx, s); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{
		"starred:true":                         {e3},
		"tag:brute_force":                      {e3, e7},
		"tag:LATERAL-movement":                 {e3},
		"tag:lat*":                             {e3},
		`comment:"vpn alert"`:                  {e7},
		"comment:vpn AND tag:brute_force":      {e7},
		"tag:brute_force AND NOT starred:true": {e7},
		"tag:nothing":                          nil,
	} {
		if ids := searchIDs(t, ix, q); !slices.Equal(ids, want) {
			t.Errorf("search %q = %v, want %v", q, ids, want)
		}
	}
	if n, err := ix.Count(ctx, Filter{Query: "starred:false"}); err != nil || n != 19 {
		t.Errorf("count starred:false = %d, %v; want 19", n, err)
	}
	evs, err := ix.Search(ctx, Filter{Query: "id:" + e3})
	if err != nil || len(evs) != 1 || !evs[0].Annotations.Starred || !slices.Equal(evs[0].Annotations.Tags, []string{"brute_force", "lateral-movement"}) {
		t.Fatalf("search id:%s = %+v, %v; want it starred and tagged", e3, evs, err)
	}
	// Unstar and untag take effect.
	if _, err := s.Unstar(e3, "not relevant"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Untag(e3, "LATERAL-MOVEMENT", ""); err != nil {
		t.Fatal(err)
	}
	if err := ix.ReloadAnnotations(ctx, s); err != nil {
		t.Fatal(err)
	}
	if ids := searchIDs(t, ix, "starred:true OR tag:lateral-movement"); len(ids) != 0 {
		t.Errorf("after unstar and untag: %v, want none", ids)
	}
	all, err := s.Annotations()
	if err != nil || len(all) != 2 || all[0].Event != e3 || len(all[0].Changes) != 4 || all[0].Starred || all[1].Event != e7 {
		t.Fatalf("Annotations = %+v, %v", all, err)
	}
}

func TestAnnotateBadInput(t *testing.T) {
	c := newCase(t)
	item := casetest.StoreBytes(t, c, []byte("log bytes"), "auth.log").ID
	gone := casetest.StoreBytes(t, c, []byte("other log"), "withdrawn.log").ID
	write(t, c, item, synthetic(5), nil, "syslog")
	write(t, c, gone, synthetic(5), nil, "syslog")
	if _, err := c.WithdrawEvidence(gone, "collected from the wrong host"); err != nil {
		t.Fatal(err)
	}
	s := Of(c)
	e1 := EventID(item, 1)
	if _, err := s.Star(e1, ""); err != nil {
		t.Fatal(err)
	}
	before, _ := c.Entries()
	for _, tc := range []struct {
		name string
		do   func() error
		is   error
		msg  string
	}{
		{"unknown ordinal", func() error { _, err := s.Star(EventID(item, 6), ""); return err }, ErrNoSuchEvent,
			"star event: timeline: no such event: " + EventID(item, 6) + ": the current timeline has no such event"},
		{"unknown item", func() error { _, err := s.Star(EventID(uuid.Nil, 1), ""); return err }, ErrNoSuchEvent, ""},
		{"not an id", func() error { _, err := s.Star("web01:4", ""); return err }, ErrNoSuchEvent,
			`star event: timeline: no such event: "web01:4" is not an event id`},
		{"withdrawn item", func() error { _, err := s.Tag(EventID(gone, 2), []string{"x"}, ""); return err }, ErrWithdrawnItem, ""},
		{"tag with a space", func() error { _, err := s.Tag(e1, []string{"lateral movement"}, ""); return err }, ErrBadTag,
			`tag event: timeline: not a tag: "lateral movement" holds a space; join words with - or _, e.g. lateral-movement`},
		{"tag too long", func() error { _, err := s.Tag(e1, []string{strings.Repeat("a", 65)}, ""); return err }, ErrBadTag,
			fmt.Sprintf("tag event: timeline: not a tag: %q is 65 characters long; a tag has at most 64", casefile.Brief(strings.Repeat("a", 65)))},
		{"empty tag", func() error { _, err := s.Tag(e1, []string{" "}, ""); return err }, ErrBadTag, "tag event: timeline: not a tag: the tag is empty"},
		{"star twice", func() error { _, err := s.Star(e1, ""); return err }, casefile.ErrInvalid, ""},
		{"unstar unstarred", func() error { _, err := s.Unstar(EventID(item, 2), ""); return err }, casefile.ErrInvalid, ""},
		{"untag absent", func() error { _, err := s.Untag(e1, "nope", ""); return err }, casefile.ErrInvalid, ""},
		{"empty comment", func() error { _, err := s.Comment(e1, "  ", ""); return err }, casefile.ErrInvalid, ""},
	} {
		err := tc.do()
		if !errors.Is(err, tc.is) || (tc.msg != "" && err.Error() != tc.msg) {
			t.Errorf("%s: %v, want %v %q", tc.name, err, tc.is, tc.msg)
		}
	}
	after, _ := c.Entries()
	if len(after) != len(before) {
		t.Errorf("refused changes wrote %d custody entries", len(after)-len(before))
	}
}

// TestAnnotationsSurviveReparse: a re-parse reuses ordinals; annotations
// follow their record's bytes, or are listed as orphans of the parse they
// were made on, never moved to another event.
func TestAnnotationsSurviveReparse(t *testing.T) {
	c := newCase(t)
	item := casetest.StoreBytes(t, c, []byte("log bytes"), "auth.log").ID
	s := Of(c)
	ctx := context.Background()
	first := synthetic(6) // offsets 0, 100, …, 500, length 99
	p1 := write(t, c, item, first, nil, "syslog")
	for _, n := range []int64{3, 5, 6} {
		if _, err := s.Star(EventID(item, n), ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Tag(EventID(item, 3), []string{"keep"}, ""); err != nil {
		t.Fatal(err)
	}
	ix, err := Build(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ids := searchIDs(t, ix, "starred:true"); !slices.Equal(ids, []string{EventID(item, 3), EventID(item, 5), EventID(item, 6)}) {
		t.Fatalf("starred before re-parse: %v", ids)
	}
	// The re-parse drops the first record (offset 0) and reads the record
	// at offset 400 twice (as two events with the same bytes), and the one
	// at offset 500 with another length: event 3 (offset 200) is now
	// ordinal 2; event 5 (offset 400) matches two events; event 6 none.
	second := slices.Clone(first[1:])
	second = slices.Insert(second, 4, second[3])
	second[5].Length = 42
	p2 := write(t, c, item, second, nil, "syslog")
	if err := ix.ReplaceItem(ctx, s, item); err != nil {
		t.Fatal(err)
	}
	if ids := searchIDs(t, ix, "starred:true"); !slices.Equal(ids, []string{EventID(item, 2)}) {
		t.Errorf("starred after re-parse: %v, want only %s (offset 200)", ids, EventID(item, 2))
	}
	if ids := searchIDs(t, ix, "tag:keep"); !slices.Equal(ids, []string{EventID(item, 2)}) {
		t.Errorf("tag:keep after re-parse: %v", ids)
	}
	all, err := s.Annotations()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("%d annotated events, want 3: %+v", len(all), all)
	}
	a := all[0]
	if a.Orphan || a.Event != EventID(item, 2) || a.Parse != p2.ID || a.Offset != 200 || !a.Starred || !slices.Equal(a.Tags, []string{"keep"}) ||
		len(a.Changes) != 2 || a.Changes[0].Event != EventID(item, 3) || a.Changes[0].Parse != p1.ID {
		t.Errorf("re-attached = %+v", a)
	}
	for i, want := range []struct {
		ordinal, offset int64
	}{{5, 400}, {6, 500}} {
		o := all[1+i]
		if !o.Orphan || o.Event != "" || o.Parse != p1.ID || o.Ordinal != want.ordinal || o.Offset != want.offset || !o.Starred {
			t.Errorf("orphan %d = %+v, want parse %s ordinal %d offset %d", i, o, p1.ID, want.ordinal, want.offset)
		}
	}
	// The event now at ordinal 5 (offset 400, one of the two) is not
	// starred, and EventAnnotations names the orphan made at its bytes.
	got, orphans, err := s.EventAnnotations(EventID(item, 5))
	if err != nil || got.Starred || got.Offset != 400 || len(orphans) != 1 || orphans[0].Ordinal != 5 || orphans[0].Parse != p1.ID {
		t.Errorf("EventAnnotations(5) = %+v, %+v, %v", got, orphans, err)
	}
	// Starring the re-attached event again is refused: it is starred.
	if _, err := s.Star(EventID(item, 2), ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Errorf("star re-attached starred event: %v, want ErrInvalid", err)
	}
}
