package timeline

import (
	"errors"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
)

// TestSavedSearches saves, replaces and removes searches: each is one
// custody entry naming the search, and the list is what was kept last.
func TestSavedSearches(t *testing.T) {
	c := newCase(t)
	s := Of(c)
	before, _ := c.Entries()
	a, err := s.SaveSearch(" failed logons ", Filter{Query: `event_id:4625 OR "failed password"`, From: t0}, "the hunt for the brute force")
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "failed logons" || !a.From.Equal(t0) || !a.To.IsZero() || a.Saved.Examiner == "" {
		t.Fatalf("saved %+v", a)
	}
	b, err := s.SaveSearch("Admin", Filter{Query: "user:admin"}, "")
	if err != nil {
		t.Fatal(err)
	}
	// The same name, in other letters, replaces the query and keeps the id.
	a2, err := s.SaveSearch("FAILED LOGONS", Filter{Query: "event_id:4625", To: t0.Add(time.Hour)}, "narrowed")
	if err != nil {
		t.Fatal(err)
	}
	if a2.ID != a.ID || a2.Query != "event_id:4625" || !a2.From.IsZero() || !a2.To.Equal(t0.Add(time.Hour)) {
		t.Fatalf("replaced %+v, first %+v", a2, a)
	}
	all, err := s.SavedSearches()
	if err != nil || len(all) != 2 || all[0].ID != b.ID || all[1].ID != a.ID || all[1].Name != "FAILED LOGONS" {
		t.Fatalf("searches %+v, %v", all, err)
	}
	if _, err := s.RemoveSearch("admin", "no longer needed"); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.SavedSearches(); len(all) != 1 || all[0].ID != a.ID {
		t.Fatalf("after removal %+v", all)
	}
	if _, err := s.FindSearch("admin"); !errors.Is(err, ErrNoSuchSearch) {
		t.Fatalf("find removed: %v", err)
	}
	got, err := s.FindSearch(a.ID.String())
	if err != nil || got.Filter().Query != "event_id:4625" {
		t.Fatalf("find by id: %+v %v", got, err)
	}
	after, _ := c.Entries()
	es := after[len(before):]
	if len(es) != 4 || es[0].Action != ActionSearchSaved || es[0].Details["name"] != "failed logons" || es[0].Reason != "the hunt for the brute force" ||
		es[0].Details["from"] != "2026-02-21T02:00:00Z" || es[2].Details["replaced"] != "true" || es[2].Target.ID != a.ID.String() ||
		es[3].Action != ActionSearchRemoved || es[3].Details["name"] != "Admin" || es[3].Role == "" {
		t.Fatalf("entries %+v", es)
	}
}

// TestSaveSearchRefusals: what cannot be saved is refused, naming why, and
// nothing is recorded.
func TestSaveSearchRefusals(t *testing.T) {
	c := newCase(t)
	s := Of(c)
	before, _ := c.Entries()
	var qe *QueryError
	if _, err := s.SaveSearch("bad", Filter{Query: `user:admin AND (`}, ""); !errors.As(err, &qe) {
		t.Fatalf("bad query: %v", err)
	}
	for _, tc := range []struct {
		name string
		f    Filter
		want string
	}{
		{"", Filter{Query: "x"}, "the name of a saved search is required"},
		{"two\nlines", Filter{Query: "x"}, "the name of a saved search contains a control character (U+000A) at byte 3; it must be one line of text"},
		{"range", Filter{From: t0, To: t0}, "the range of a saved search must end after it starts (from 2026-02-21T02:00:00Z, to 2026-02-21T02:00:00Z)"},
	} {
		_, err := s.SaveSearch(tc.name, tc.f, "")
		if msg, _, _ := casefile.Explain(err); !errors.Is(err, casefile.ErrInvalid) || msg != tc.want {
			t.Errorf("%q: %v (message %q)", tc.name, err, msg)
		}
	}
	if _, err := s.RemoveSearch("nothing", ""); !errors.Is(err, ErrNoSuchSearch) {
		t.Fatalf("remove unknown: %v", err)
	}
	if after, _ := c.Entries(); len(after) != len(before) {
		t.Fatalf("%d entries recorded by refusals", len(after)-len(before))
	}
}

// TestSpan: the first and last time of what a filter selects.
func TestSpan(t *testing.T) {
	c := newCase(t)
	item := casetest.StoreBytes(t, c, []byte("log bytes"), "auth.log").ID
	write(t, c, item, synthetic(10), nil, "syslog")
	ix, err := Build(t.Context(), Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	first, last, ok, err := ix.Span(t.Context(), Filter{})
	if err != nil || !ok || !first.Equal(t0) || !last.Equal(t0.Add(9*time.Second)) {
		t.Fatalf("span %v %v %v %v", first, last, ok, err)
	}
	first, last, ok, _ = ix.Span(t.Context(), Filter{Query: "n:>6"})
	if !ok || !first.Equal(t0.Add(7*time.Second)) || !last.Equal(t0.Add(9*time.Second)) {
		t.Fatalf("span of n:>6 %v %v %v", first, last, ok)
	}
	if _, _, ok, err := ix.Span(t.Context(), Filter{Query: "nothing-matches-this"}); ok || err != nil {
		t.Fatalf("empty span %v %v", ok, err)
	}
}
