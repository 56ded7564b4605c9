package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
)

// Saved searches of the timeline: 'timeline searches', 'timeline
// save-search', 'timeline remove-search' (in the timeline group).

var searchesCommand = &command{
	name:    "searches",
	summary: "list the searches saved in the case",
	about: `Open CASE and list the searches saved in it (by 'timeline save-search' or the
Timeline area's Save…), by name: the query, its time range and who saved it.
With --json, one object per line: id, name, query, from, to (RFC 3339 UTC or
""), saved_at, saved_by, role.`,
	params: []param{caseParam},
	flags:  []flagDef{jsonFlag},
	opens:  true,
	do:     runSearches,
}

var saveSearchCommand = &command{
	name:    "save-search",
	summary: "save a search of the timeline under a name",
	about: `Open CASE and save QUERY, with the time range of --from and --to, under NAME,
so that every examiner of the case can run it again (the Timeline area lists
the saved searches). A search of that name (compared without regard to case)
gets the new query. The query is checked before the passphrase is asked for.
Recorded as timeline.search_saved, with --reason.`,
	params: []param{caseParam,
		{name: "NAME", check: func(_ *call, s string) (string, error) {
			s = strings.TrimSpace(s)
			return s, casefile.CheckLine("the name of a saved search", s, true, timeline.MaxSearchNameLen)
		}},
		{name: "QUERY", optional: true, many: true}},
	flags: []flagDef{
		{name: "from", line: true, usage: "the search holds events at or after `TIME`"},
		{name: "to", line: true, usage: "the search holds events before `TIME`"},
	},
	opens: true, changes: true,
	records: timeline.ActionSearchSaved,
	check:   checkSaveSearch,
	do:      runSaveSearch,
}

var removeSearchCommand = &command{
	name:    "remove-search",
	summary: "remove a saved search",
	about: `Open CASE and remove the saved search NAME (its name, or its id). Recorded as
timeline.search_removed, with --reason; the search stays on record.`,
	params:  []param{caseParam, {name: "NAME"}},
	opens:   true,
	changes: true,
	records: timeline.ActionSearchRemoved,
	do:      runRemoveSearch,
}

// savedFilter is the search the command line describes.
func savedFilter(in *call) timeline.Filter {
	f := timeline.Filter{Query: strings.Join(in.args[2:], " ")}
	f.From, _ = timeline.ParseTime(in.text("from"))
	f.To, _ = timeline.ParseTime(in.text("to"))
	return f
}

func checkSaveSearch(in *call) error {
	if err := checkRange(in); err != nil {
		return err
	}
	if err := timeline.CheckSearch(in.args[1], savedFilter(in)); err != nil {
		return in.usagef("%s", problem(err))
	}
	return nil
}

func runSaveSearch(in *call, c *casefile.Case) error {
	s, err := timeline.Of(c).SaveSearch(in.args[1], savedFilter(in), in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "saved search %q: %s\n", s.Name, printable(searchText(s), false))
	return nil
}

func runRemoveSearch(in *call, c *casefile.Case) error {
	s, err := timeline.Of(c).RemoveSearch(in.args[1], in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "removed saved search %q\n", s.Name)
	return nil
}

// searchText is a saved search in one line: its query and range.
func searchText(s timeline.SavedSearch) string {
	q := s.Query
	if q == "" {
		q = "(every event)"
	}
	if !s.From.IsZero() {
		q += " from " + casefile.FormatTime(s.From)
	}
	if !s.To.IsZero() {
		q += " to " + casefile.FormatTime(s.To)
	}
	return q
}

func runSearches(in *call, c *casefile.Case) error {
	all, err := timeline.Of(c).SavedSearches()
	if err != nil {
		return err
	}
	if in.wantsJSON() {
		enc := json.NewEncoder(in.stdout) // one object per line
		enc.SetEscapeHTML(false)
		for _, s := range all {
			from, to := "", ""
			if !s.From.IsZero() {
				from = casefile.FormatTime(s.From)
			}
			if !s.To.IsZero() {
				to = casefile.FormatTime(s.To)
			}
			if err := enc.Encode(map[string]any{"id": s.ID.String(), "name": s.Name, "query": s.Query, "from": from, "to": to,
				"saved_at": casefile.FormatTime(s.Saved.At), "saved_by": s.Saved.Examiner, "role": string(s.Saved.Role)}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(all) == 0 {
		fmt.Fprintln(in.stdout, "no saved searches: save one with 'custodiactl timeline save-search CASE NAME QUERY'")
		return nil
	}
	tw := tabwriter.NewWriter(in.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSEARCH\tSAVED BY")
	for _, s := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s (%s), %s\n", printable(s.Name, false), printable(searchText(s), false),
			printable(s.Saved.Examiner, false), s.Saved.Role, casefile.FormatTime(s.Saved.At))
	}
	return tw.Flush()
}
