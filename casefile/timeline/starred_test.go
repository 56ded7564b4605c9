package timeline

import (
	"slices"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile/casetest"
)

func TestStarredAt(t *testing.T) {
	start := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	c := casetest.Open(t, casetest.Create(t), casetest.Passphrase, casetest.Ticking(&start))
	item := casetest.StoreBytes(t, c, []byte("log bytes"), "auth.log").ID
	// Two batches' worth, so the starred events lie in different batches.
	write(t, c, item, synthetic(MaxBatchEvents+10), nil, "syslog")
	s := Of(c)
	late, early, gone := EventID(item, MaxBatchEvents+5), EventID(item, 3), EventID(item, 7)
	if _, err := s.Star(late, "the exfiltration"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Star(early, "first failed login"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tag(early, []string{"brute-force"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Star(gone, "looked odd"); err != nil {
		t.Fatal(err)
	}
	cut := start // after the third star
	if _, err := s.Unstar(gone, "a routine job"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tag(early, []string{"later-tag"}, ""); err != nil {
		t.Fatal(err)
	}

	ids := func(xs []StarredEvent) []string {
		var out []string
		for _, x := range xs {
			out = append(out, x.ID)
		}
		return out
	}
	now, orphans, err := s.StarredAt(time.Time{})
	if err != nil || orphans != 0 {
		t.Fatalf("StarredAt(now): %d orphans, %v", orphans, err)
	}
	// Oldest event first, whatever the order they were starred in.
	if got, want := ids(now), []string{early, late}; !slices.Equal(got, want) {
		t.Fatalf("starred now = %v, want %v", got, want)
	}
	e := now[0]
	if e.Message != "line 2 of the log" || e.Reason != "first failed login" || e.Star.Examiner != casetest.NewCase.Examiner ||
		!slices.Equal(e.Annotations.Tags, []string{"brute-force", "later-tag"}) || !e.Annotations.Starred {
		t.Errorf("starred event = %+v", e)
	}
	if now[1].Message != "line 4100 of the log" || now[1].Reason != "the exfiltration" {
		t.Errorf("second starred event = %+v", now[1])
	}

	then, _, err := s.StarredAt(cut)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(then), []string{early, gone, late}; !slices.Equal(got, want) {
		t.Fatalf("starred at %s = %v, want %v (unstarred later, still starred then)", cut, got, want)
	}
	if !slices.Equal(then[0].Annotations.Tags, []string{"brute-force"}) {
		t.Errorf("tags at the cut = %v, want only brute-force (later-tag came after)", then[0].Annotations.Tags)
	}
	before, _, err := s.StarredAt(start.Add(-10 * time.Minute))
	if err != nil || len(before) != 0 {
		t.Errorf("starred before any star = %v, %v; want none", ids(before), err)
	}
}
