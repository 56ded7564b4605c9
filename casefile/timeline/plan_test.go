package timeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/google/uuid"
)

// TestPlansAgree: the queries that the full-text index drives (terms
// combined into one MATCH, counts read from it, a time range turned into
// rowid bounds, histograms counted bucket by bucket on the index on time)
// select exactly the events that one subquery per term selects, for every
// shape of query and filter.
func TestPlansAgree(t *testing.T) {
	_, ix, a, b := indexed(t)
	ctx := context.Background()
	queries := []string{"", "password", "failed password", `"password for admin"`, "admin*", "password NOT failed",
		"password AND NOT failed", "NOT password", "failed OR cleared", "(failed OR cleared) AND event_id:>1000",
		"failed user:root", "user:admin", "user:admin NOT session", "NOT user:admin account", "message:admin OR user:guest",
		"password NOT (failed OR root)", "(failed AND root) OR account", "parser:syslog password", "NOT (password OR account)",
		"account NOT NOT failed", "10.0.0.9 NOT administrator", "time:>=2026-02-21T02:15:00Z password", "nomatch", "admin* NOT message:admin"}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	filters := []Filter{{}, {From: at(5), To: at(21)}, {From: at(10)}, {To: at(15)}, {Item: a}, {Exclude: []uuid.UUID{b}},
		{From: at(0), To: at(200), Exclude: []uuid.UUID{a}}, {From: at(30), To: at(60)}}
	reference := func(f Filter) (int64, []Event) {
		groupFTS = false
		defer func() { groupFTS = true }()
		n, err := ix.Count(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		f.Limit = MaxLimit
		evs, err := ix.Search(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		return n, evs
	}
	checked := 0
	for _, q := range queries {
		for _, f := range filters {
			f.Query = q
			want, wantEvs := reference(f)
			if int(want) != len(wantEvs) {
				t.Fatalf("%q %+v: the reference counts %d and lists %d", q, f, want, len(wantEvs))
			}
			got, err := ix.Count(ctx, f)
			if err != nil || got != want {
				t.Errorf("Count(%q, %+v) = %d, %v; one subquery per term gives %d", q, f, got, err, want)
			}
			page := f
			page.Limit = MaxLimit
			evs, err := ix.Search(ctx, page)
			if err != nil || fmt.Sprint(ids(evs)) != fmt.Sprint(ids(wantEvs)) {
				t.Errorf("Search(%q, %+v) = %v, %v; want %v", q, f, ids(evs), err, ids(wantEvs))
			}
			hs, err := ix.Histogram(ctx, f, 30*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if w := histogramOf(wantEvs, 30*time.Minute); fmt.Sprint(hs) != fmt.Sprint(w) {
				t.Errorf("Histogram(%q, %+v) = %v; want %v", q, f, hs, w)
			}
			if want > 0 {
				checked++
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d of the combinations select anything", checked)
	}
}

// histogramOf buckets evs as Histogram does: from the first non-empty
// bucket to the last, timeless events left out.
func histogramOf(evs []Event, w time.Duration) []Bucket {
	var out []Bucket
	var starts []time.Time
	count := map[time.Time]int64{}
	for _, e := range evs {
		if e.Time.IsZero() {
			continue
		}
		s := e.Time.Truncate(w)
		if count[s] == 0 {
			starts = append(starts, s)
		}
		count[s]++
	}
	if len(starts) == 0 {
		return nil
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	for s := starts[0]; !s.After(starts[len(starts)-1]); s = s.Add(w) {
		out = append(out, Bucket{Start: s, Count: count[s]})
	}
	return out
}

// TestReplaceItemPostings: a re-parse of one item removes exactly its
// events from the lists of field values (which it shares with another
// item), and its new events are found by their values; the other item's
// are untouched.
func TestReplaceItemPostings(t *testing.T) {
	c, ix, a, b := indexed(t)
	ctx := context.Background()
	count := func(q string) int64 {
		n, err := ix.Count(ctx, Filter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count("user:admin") != 3 || count("src_ip:10.0.0.9") != 2 {
		t.Fatalf("before: user:admin %d, src_ip:10.0.0.9 %d", count("user:admin"), count("src_ip:10.0.0.9"))
	}
	write(t, c, a, []Event{
		{Time: t0, Message: "Accepted key for admin", Fields: []Field{{"user", "admin"}, {"src_ip", "10.0.0.7"}}},
		{Time: t0.Add(time.Minute), Message: "Accepted key for carol", Fields: []Field{{"user", "carol"}, {"src_ip", "10.0.0.7"}}},
	}, nil, "syslog")
	if err := ix.ReplaceItem(ctx, Of(c), a); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int64{"user:admin": 2, "src_ip:10.0.0.9": 0, "src_ip:10.0.0.7": 2, "user:carol": 1, "user:root": 0,
		"event_id:>1000": 3, "user:adm*": 2, "item:" + b.String() + " user:admin": 1} {
		if got := count(q); got != want {
			t.Errorf("after the re-parse, Count(%q) = %d, want %d", q, got, want)
		}
	}
	top, err := ix.Top(ctx, Filter{}, "user", 10)
	if err != nil || fmt.Sprint(top) != "[{admin 2} {carol 1} {guest 1}]" {
		t.Fatalf("top users after the re-parse = %v, %v", top, err)
	}
	// Item a now has the last rowids: its next events take the same
	// rowids, which the old values' lists must no longer name.
	write(t, c, a, []Event{
		{Time: t0, Message: "one", Fields: []Field{{"user", "dave"}}},
		{Time: t0, Message: "two", Fields: []Field{{"user", "dave"}}},
		{Time: t0, Message: "three", Fields: []Field{{"user", "erin"}}},
	}, nil, "syslog")
	if err := ix.ReplaceItem(ctx, Of(c), a); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int64{"user:admin": 1, "user:carol": 0, "src_ip:10.0.0.7": 0, "user:dave": 2, "user:erin": 1, "event_id:>1000": 3} {
		if got := count(q); got != want {
			t.Errorf("after the second re-parse, Count(%q) = %d, want %d", q, got, want)
		}
	}
}

// TestFieldCountsEvents: a count of a field query read from the inverted
// lists counts events, not values: an event whose names differ only in
// case matches once.
func TestFieldCountsEvents(t *testing.T) {
	c := newCase(t)
	a := casetest.StoreBytes(t, c, []byte("a"), "a.json").ID
	write(t, c, a, []Event{
		{Time: t0, Message: "one", Fields: []Field{{"user", "admin"}, {"User", "ADMIN"}, {"n", "5"}, {"N", "7"}}},
		{Time: t0, Message: "two", Fields: []Field{{"user", "administrator"}}},
	}, nil, "jsonl")
	ix, err := Build(context.Background(), Of(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for q, want := range map[string]int64{"user:admin": 1, "user:adm*": 2, "n:>4": 1, "USER:Admin": 1, "user:nobody": 0} {
		if n, err := ix.Count(context.Background(), Filter{Query: q}); err != nil || n != want {
			t.Errorf("Count(%q) = %d, %v; want %d", q, n, err, want)
		}
	}
}

// TestItemAndIDQueries: item and id are numbered in the index but queried
// by their text: exact, prefix, upper case, and as a facet.
func TestItemAndIDQueries(t *testing.T) {
	_, ix, a, b := indexed(t)
	ctx := context.Background()
	up := strings.ToUpper
	for q, want := range map[string]int64{
		"item:" + a.String(): 5, "item:" + up(b.String()): 3, "item:" + a.String()[:8] + "*": 5,
		"id:" + b.String() + ":2": 1, "id:" + up(a.String()) + ":5": 1, "id:" + b.String() + ":02": 0, "id:" + b.String() + ":9": 0,
		"id:" + a.String() + ":*": 5, "id:" + b.String() + ":1*": 1, "NOT item:" + a.String(): 3,
	} {
		if n, err := ix.Count(ctx, Filter{Query: q}); err != nil || n != want {
			t.Errorf("Count(%q) = %d, %v; want %d", q, n, err, want)
		}
	}
	top, err := ix.Top(ctx, Filter{}, "item", 5)
	if err != nil || fmt.Sprint(top) != fmt.Sprint([]Value{{a.String(), 5}, {b.String(), 3}}) {
		t.Fatalf("top items = %v, %v", top, err)
	}
	evs, err := ix.Search(ctx, Filter{Item: b, Limit: 10})
	if err != nil || len(evs) != 3 || evs[0].Item != b || evs[0].ID != b.String()+":1" {
		t.Fatalf("the events of b: %+v, %v", evs, err)
	}
}
