package timeline

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
)

// Saved searches: a query of the timeline kept in the case under a name,
// so that the hunt of one examiner is the hunt of the next (docs/FORMAT.md
// 12.4). Each save or removal is one record and one custody entry. They
// live in the case, sealed, and nowhere else: a query names what was
// looked for (an address, a user), which is a fact of the case.

const tblSearches = "timeline_searches"

// Custody actions of saved searches.
const (
	ActionSearchSaved   casefile.Action = "timeline.search_saved"
	ActionSearchRemoved casefile.Action = "timeline.search_removed"
)

var _ = casefile.RegisterActions(map[casefile.Action]casefile.Permission{
	ActionSearchSaved: casefile.PermInvestigate, ActionSearchRemoved: casefile.PermInvestigate,
})

// TargetSearch is the custody target type of a saved search.
const TargetSearch = "search"

// MaxSearchNameLen bounds the name of a saved search, in bytes.
const MaxSearchNameLen = 100

// ErrNoSuchSearch means a name or id names no saved search.
var ErrNoSuchSearch = casefile.NewKind("timeline", "no such saved search",
	"list the saved searches (custodiactl timeline searches CASE) and use one of the names shown")

// A SavedSearch is a query of the timeline kept under a name.
type SavedSearch struct {
	ID       uuid.UUID
	Name     string
	Query    string
	From, To time.Time // zero when the search has no bound
	Saved    casefile.Attribution
}

// Filter is the search as a filter of the index.
func (s SavedSearch) Filter() Filter { return Filter{Query: s.Query, From: s.From, To: s.To} }

type searchBody struct {
	Search   uuid.UUID            `json:"search"`
	Op       string               `json:"op"` // "saved" or "removed"
	Name     string               `json:"name"`
	Query    string               `json:"query"`
	From     string               `json:"from"`
	To       string               `json:"to"`
	Recorded casefile.Attribution `json:"recorded"`
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return casefile.FormatTime(t)
}

func (b searchBody) search() (SavedSearch, error) {
	s := SavedSearch{ID: b.Search, Name: b.Name, Query: b.Query, Saved: b.Recorded}
	for _, x := range []struct {
		text string
		t    *time.Time
	}{{b.From, &s.From}, {b.To, &s.To}} {
		if x.text == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, x.text)
		if err != nil || casefile.FormatTime(t) != x.text {
			return s, fmt.Errorf("%w: saved search %s: %q is not a stored time", casefile.ErrCorrupt, b.Search, x.text)
		}
		*x.t = t.UTC()
	}
	return s, nil
}

// savedSearches folds the rows of the table: the last row of each search
// wins; a removed one is gone. Sorted by name.
func savedSearches(r casefile.Reader) ([]SavedSearch, error) {
	rs, err := r.Records(tblSearches)
	if err != nil {
		return nil, err
	}
	bodies, err := casefile.DecodeRecords[searchBody](rs)
	if err != nil {
		return nil, err
	}
	last := map[uuid.UUID]searchBody{}
	for _, b := range bodies {
		last[b.Search] = b
	}
	var out []SavedSearch
	for _, b := range last {
		if b.Op != "saved" {
			continue
		}
		s, err := b.search()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b SavedSearch) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID.String(), b.ID.String())
	})
	return out, nil
}

// SavedSearches returns the case's saved searches, by name.
func (s *Store) SavedSearches() ([]SavedSearch, error) {
	var out []SavedSearch
	err := s.c.Read("saved searches", func(r casefile.Reader) (err error) {
		out, err = savedSearches(r)
		return err
	})
	return out, err
}

// findSearch finds the search called name (case-insensitively) or with
// that id.
func findSearch(all []SavedSearch, ref string) (SavedSearch, bool) {
	ref = strings.TrimSpace(ref)
	for _, s := range all {
		if strings.EqualFold(s.Name, ref) || s.ID.String() == strings.ToLower(ref) {
			return s, true
		}
	}
	return SavedSearch{}, false
}

// FindSearch returns the saved search called ref (its name, compared
// case-insensitively, or its id); ErrNoSuchSearch when there is none.
func (s *Store) FindSearch(ref string) (SavedSearch, error) {
	all, err := s.SavedSearches()
	if err != nil {
		return SavedSearch{}, err
	}
	if found, ok := findSearch(all, ref); ok {
		return found, nil
	}
	return SavedSearch{}, fmt.Errorf("%w: %q", ErrNoSuchSearch, ref)
}

// CheckSearch checks a search before it is saved: a name of one line, a
// query the language reads (a *QueryError otherwise) and a range whose end
// is after its start.
func CheckSearch(name string, f Filter) error {
	if err := casefile.CheckLine("the name of a saved search", strings.TrimSpace(name), true, MaxSearchNameLen); err != nil {
		return err
	}
	if err := casefile.CheckLine("the query", f.Query, false, casefile.MaxTextLen); err != nil {
		return err
	}
	if strings.TrimSpace(f.Query) != "" {
		if _, err := parseQuery(f.Query); err != nil {
			return err
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return casefile.Invalidf("the range of a saved search must end after it starts (from %s, to %s)",
			casefile.FormatTime(f.From), casefile.FormatTime(f.To))
	}
	return nil
}

// SaveSearch keeps the query and range of f under name, replacing the
// search of that name if there is one (its id stays), in one custody entry
// naming who saved it and why.
func (s *Store) SaveSearch(name string, f Filter, reason string) (SavedSearch, error) {
	name = strings.TrimSpace(name)
	f.Query = strings.TrimSpace(f.Query)
	if err := CheckSearch(name, f); err != nil {
		return SavedSearch{}, fmt.Errorf("save search: %w", err)
	}
	var out SavedSearch
	_, err := s.c.Change("save search", func(tx *casefile.Tx) (casefile.Event, error) {
		all, err := savedSearches(tx)
		if err != nil {
			return casefile.Event{}, err
		}
		id := uuid.New()
		replaced := false
		if old, ok := findSearch(all, name); ok && strings.EqualFold(old.Name, name) {
			id, replaced = old.ID, true
		}
		b := searchBody{Search: id, Op: "saved", Name: name, Query: f.Query, From: timeText(f.From.UTC()), To: timeText(f.To.UTC()),
			Recorded: tx.Stamp()}
		rec, err := tx.Append(tblSearches, uuid.New(), b)
		if err != nil {
			return casefile.Event{}, err
		}
		if out, err = b.search(); err != nil {
			return casefile.Event{}, err
		}
		details := map[string]string{"name": casefile.Brief(name), "query": casefile.Brief(f.Query)}
		if b.From != "" {
			details["from"] = b.From
		}
		if b.To != "" {
			details["to"] = b.To
		}
		if replaced {
			details["replaced"] = "true"
		}
		return casefile.Event{Action: ActionSearchSaved, Target: casefile.Target{Type: TargetSearch, ID: id.String()}, Reason: reason,
			Hashes: map[string]string{"record": rec.ContentHash()}, Details: details}, nil
	})
	if err != nil {
		return SavedSearch{}, err
	}
	return out, nil
}

// RemoveSearch removes the saved search called ref (name or id), in one
// custody entry.
func (s *Store) RemoveSearch(ref, reason string) (SavedSearch, error) {
	var out SavedSearch
	_, err := s.c.Change("remove saved search", func(tx *casefile.Tx) (casefile.Event, error) {
		all, err := savedSearches(tx)
		if err != nil {
			return casefile.Event{}, err
		}
		old, ok := findSearch(all, ref)
		if !ok {
			return casefile.Event{}, fmt.Errorf("%w: %q", ErrNoSuchSearch, strings.TrimSpace(ref))
		}
		b := searchBody{Search: old.ID, Op: "removed", Name: old.Name, Query: old.Query, From: timeText(old.From), To: timeText(old.To),
			Recorded: tx.Stamp()}
		rec, err := tx.Append(tblSearches, uuid.New(), b)
		if err != nil {
			return casefile.Event{}, err
		}
		out = old
		return casefile.Event{Action: ActionSearchRemoved, Target: casefile.Target{Type: TargetSearch, ID: old.ID.String()}, Reason: reason,
			Hashes: map[string]string{"record": rec.ContentHash()}, Details: map[string]string{"name": casefile.Brief(old.Name)}}, nil
	})
	if err != nil {
		return SavedSearch{}, err
	}
	return out, nil
}
