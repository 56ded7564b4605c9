package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
)

// The Timeline area's tools around its table: the histogram of a result,
// the facets (the most frequent values of a few fields, click to filter),
// the query history of this session, the searches saved in the case, and
// the zone the table shows times in.

// timelineQuery is one search of the query bar: its query and range as
// typed.
type timelineQuery struct{ query, from, to string }

// text is the query as a history entry shows it.
func (q timelineQuery) text() string {
	s := q.query
	if s == "" {
		s = "(every event)"
	}
	if q.from != "" {
		s += " · from " + q.from
	}
	if q.to != "" {
		s += " · to " + q.to
	}
	return shownLine(s)
}

// maxHistory bounds the query history of an open case.
const maxHistory = 50

// remember puts q first in the history of the open case. The history is
// kept in memory with the case on screen and closed with it: a query names
// what was looked for, a fact of the case, so it is not written anywhere.
func (s *timelineIndex) remember(q timelineQuery) {
	s.history = slices.DeleteFunc(s.history, func(h timelineQuery) bool { return h == q })
	s.history = slices.Insert(s.history, 0, q)
	if len(s.history) > maxHistory {
		s.history = s.history[:maxHistory]
	}
}

// The zones the table shows times in.
const (
	zoneUTC    = "UTC"
	zoneSource = "Source zone"
	zoneLocal  = "This computer's zone"
)

// zoneCache keeps the locations of source zones, which are loaded once.
var zoneCache sync.Map // string → *time.Location (nil: not a zone)

// sourceLocation is the zone an event's record was written in: the offset
// or zone it states, else the item's recorded source zone; nil when
// neither is known.
func sourceLocation(zone string) *time.Location {
	zone = strings.TrimSpace(zone)
	if zone == "" {
		return nil
	}
	if zone == "UTC" || zone == "Z" {
		return time.UTC
	}
	if l, ok := zoneCache.Load(zone); ok {
		loc, _ := l.(*time.Location)
		return loc
	}
	var loc *time.Location
	if len(zone) == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' {
		if t, err := time.Parse("-07:00", zone); err == nil {
			_, off := t.Zone()
			loc = time.FixedZone(zone, off)
		}
	} else if l, err := time.LoadLocation(zone); err == nil {
		loc = l
	}
	zoneCache.Store(zone, loc)
	return loc
}

// zoneTitle is the title of the time column for a zone choice.
func zoneTitle(zone string) string {
	switch zone {
	case zoneSource:
		return "Time (source zone)"
	case zoneLocal:
		return "Time (" + time.Local.String() + ")"
	}
	return "Time (UTC)"
}

// timeIn is an event's time as the table shows it in the chosen zone:
// RFC 3339 with the zone's offset. An event whose source zone is not known
// is shown in UTC, marked so.
func (v *timelineView) timeIn(e *timeline.Event) string {
	if e.Time.IsZero() {
		return eventTime(e)
	}
	switch v.zoneChoice {
	case zoneLocal:
		return e.Time.In(time.Local).Format(time.RFC3339Nano)
	case zoneSource:
		loc := sourceLocation(e.TimeZone)
		if loc == nil {
			loc = sourceLocation(v.zones[e.Item])
		}
		if loc == nil {
			return casefile.FormatTime(e.Time) + " (zone not known)"
		}
		s := e.Time.In(loc).Format(time.RFC3339Nano)
		if loc != time.UTC && !strings.HasPrefix(loc.String(), "+") && !strings.HasPrefix(loc.String(), "-") {
			s += " " + loc.String()
		}
		return s
	}
	return casefile.FormatTime(e.Time)
}

// setZone shows the table's times in zone.
func (v *timelineView) setZone(zone string) {
	if zone == v.zoneChoice {
		return
	}
	v.zoneChoice = zone
	v.table.cols[0].title = zoneTitle(zone)
	v.table.reload()
	v.table.table.Refresh()
}

// facetFields are the fields the facets count, with their titles.
var facetFields = []struct{ field, title string }{
	{"parser", "Parser"}, {"host", "Host"}, {"computer", "Computer"}, {"event_id", "Event id"},
	{"user", "User"}, {"src_ip", "Source address"},
}

// facetValues is how many values a facet shows.
const facetValues = 5

// facet is the result of one facet: a field's most frequent values.
type facet struct {
	field, title string
	values       []timeline.Value
}

// queryTerm is the query term that selects value of field, quoted.
func queryTerm(field, value string) string {
	return field + `:"` + strings.ReplaceAll(value, `"`, `""`) + `"`
}

// narrow adds term to the query bar's query (AND) and searches.
func (v *timelineView) narrow(term string) {
	q := strings.TrimSpace(v.query.Text)
	switch {
	case q == "":
		q = term
	case strings.Contains(q, " OR "):
		q = "(" + q + ") AND " + term
	default:
		q += " AND " + term
	}
	v.query.SetText(q)
	v.search()
}

// showFacets shows fs in the facet column.
func (v *timelineView) showFacets(fs []facet) {
	var objs []fyne.CanvasObject
	for _, f := range fs {
		if len(f.values) == 0 {
			continue
		}
		objs = append(objs, widget.NewLabelWithStyle(f.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, val := range f.values {
			term := queryTerm(f.field, val.Value)
			b := widget.NewButton(fmt.Sprintf("%s  (%d)", shownLine(cut(val.Value, 40)), val.Count), func() { v.narrow(term) })
			b.Alignment = widget.ButtonAlignLeading
			b.Importance = widget.LowImportance
			objs = append(objs, b)
		}
	}
	if len(objs) == 0 {
		objs = append(objs, mutedLabel("No field values to filter by in this result."))
	}
	v.facets.Objects = objs
	v.facets.Refresh()
}

// cut shortens s to at most n runes, with an ellipsis.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// chart computes the histogram and the facets of f off the UI goroutine,
// and shows them unless a newer search started meanwhile.
func (v *timelineView) chart(ix *timeline.Index, f timeline.Filter, gen int) {
	v.u.runJob(func() func() {
		ctx := context.Background()
		var buckets []timeline.Bucket
		var width time.Duration
		first, last, ok, err := ix.Span(ctx, f)
		if err == nil && ok {
			width = bucketFor(first, last)
			buckets, err = ix.Histogram(ctx, f, width)
		}
		var fs []facet
		for _, ff := range facetFields {
			if err != nil {
				break
			}
			var vals []timeline.Value
			vals, err = ix.Top(ctx, f, ff.field, facetValues)
			fs = append(fs, facet{ff.field, ff.title, vals})
		}
		return func() {
			if gen != v.gen {
				return
			}
			if err != nil {
				v.u.showError("The histogram of the result could not be made", err, nil)
				return
			}
			v.hist.set(buckets, width)
			v.histCaption = histogramCaption(buckets, width)
			v.hist.setCaption(v.histCaption)
			v.showFacets(fs)
		}
	})
}

// pickRange searches the range a histogram bar or drag chose.
func (v *timelineView) pickRange(from, to time.Time) {
	v.from.SetText(casefile.FormatTime(from))
	v.to.SetText(casefile.FormatTime(to))
	v.search()
}

// hover names the bar under the pointer in the caption, or restores it.
func (v *timelineView) hover(b *timeline.Bucket) {
	if b == nil {
		v.hist.setCaption(v.histCaption)
		return
	}
	v.hist.setCaption(bucketText(b, v.hist.width))
}

// showHistory offers the queries of this session in the History picker.
func (v *timelineView) showHistory() {
	opts := make([]string, len(v.ti.history))
	for i, q := range v.ti.history {
		opts[i] = q.text()
	}
	v.historySel.Options = opts
	v.historySel.ClearSelected()
	if len(opts) == 0 {
		v.historySel.PlaceHolder = "History"
		v.historySel.Disable()
	} else {
		v.historySel.PlaceHolder = "History"
		v.historySel.Enable()
	}
	v.historySel.Refresh()
}

// runQuery puts q in the query bar and searches.
func (v *timelineView) runQuery(q timelineQuery) {
	v.query.SetText(q.query)
	v.from.SetText(q.from)
	v.to.SetText(q.to)
	v.search()
}

// pickHistory runs the history entry chosen.
func (v *timelineView) pickHistory(s string) {
	for _, q := range v.ti.history {
		if q.text() == s {
			v.runQuery(q)
			return
		}
	}
}

// loadSaved reads the case's saved searches off the UI goroutine and
// offers them.
func (v *timelineView) loadSaved() {
	c := v.cv.oc.c
	v.u.runJob(func() func() {
		all, err := timeline.Of(c).SavedSearches()
		return func() {
			if err != nil {
				v.u.showError("The saved searches could not be read", err, nil)
				return
			}
			v.showSaved(all)
		}
	})
}

// savedText is a saved search as the picker shows it.
func savedText(s timeline.SavedSearch) string { return shownLine(s.Name) }

// showSaved offers all in the Saved picker.
func (v *timelineView) showSaved(all []timeline.SavedSearch) {
	v.saved = all
	opts := make([]string, len(all))
	for i, s := range all {
		opts[i] = savedText(s)
	}
	v.savedSel.Options = opts
	v.savedSel.ClearSelected()
	if len(opts) == 0 {
		v.savedSel.PlaceHolder = "Saved (none yet)"
		v.savedSel.Disable()
	} else {
		v.savedSel.PlaceHolder = "Saved searches"
		v.savedSel.Enable()
	}
	v.savedSel.Refresh()
	v.enable()
}

// pickSaved runs the saved search chosen.
func (v *timelineView) pickSaved(name string) {
	for _, s := range v.saved {
		if savedText(s) == name {
			q := timelineQuery{query: s.Query}
			if !s.From.IsZero() {
				q.from = casefile.FormatTime(s.From)
			}
			if !s.To.IsZero() {
				q.to = casefile.FormatTime(s.To)
			}
			v.runQuery(q)
			return
		}
	}
}

// showSaveForm asks a name and a reason, then saves the query bar's search
// in the case.
func (v *timelineView) showSaveForm() {
	if v.saveBtn.whyNot() != "" {
		return
	}
	f, problem := v.filter()
	if problem != "" {
		v.problem.set(problem)
		return
	}
	form := v.u.newRecordForm("Save the search", "Save",
		"Keeps the query and its time range in the case under a name, sealed like everything in it, so that "+
			"every examiner of the case can run it again from Saved searches. Saving is recorded in the custody record.")
	form.note("Search", mutedLabel(timelineQuery{query: f.Query, from: strings.TrimSpace(v.from.Text), to: strings.TrimSpace(v.to.Text)}.text()))
	name := form.entry("Name *", "e.g. failed logons on web01; a saved search of that name gets this query")
	reason := form.entry("Reason", "Why it is kept, e.g. the brute-force hunt (recorded in the custody entry)")
	form.check = func() bool {
		n := strings.TrimSpace(name.Text)
		if !form.require("Name", n, "Give the search a name.") {
			return false
		}
		if err := timeline.CheckSearch(n, f); err != nil {
			form.setProblem("Name", userMessage(err))
			return false
		}
		form.setProblem("Name", "")
		return true
	}
	form.changes = factsCustody
	form.build = func() func(*casefile.Case) error {
		n, why := strings.TrimSpace(name.Text), strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := timeline.Of(c).SaveSearch(n, f, why)
			return err
		}
	}
	form.saved = v.loadSaved
	form.show(name)
}

// showRemoveForm asks which saved search to remove, and why.
func (v *timelineView) showRemoveForm() {
	if v.removeBtn.whyNot() != "" {
		return
	}
	names := make([]string, len(v.saved))
	for i, s := range v.saved {
		names[i] = savedText(s)
	}
	form := v.u.newRecordForm("Remove a saved search", "Remove",
		"Removes the search from Saved searches for every examiner of the case. The custody record keeps what it was.")
	which := form.choice("Search *", names, "")
	reason := form.entry("Reason", "Why, e.g. the hunt is over (recorded in the custody entry)")
	form.check = func() bool { return form.require("Search", which.Selected, "Choose the search to remove.") }
	form.changes = factsCustody
	form.build = func() func(*casefile.Case) error {
		var id string
		for _, s := range v.saved {
			if savedText(s) == which.Selected {
				id = s.ID.String()
			}
		}
		why := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := timeline.Of(c).RemoveSearch(id, why)
			return err
		}
	}
	form.saved = v.loadSaved
	form.show(which)
}

// newSearchTools makes the pickers and buttons of the history and the
// saved searches.
func (v *timelineView) newSearchTools() {
	v.historySel = widget.NewSelect(nil, nil)
	v.historySel.OnChanged = func(s string) {
		if s != "" {
			v.pickHistory(s)
		}
	}
	v.savedSel = widget.NewSelect(nil, nil)
	v.savedSel.OnChanged = func(s string) {
		if s != "" {
			v.pickSaved(s)
		}
	}
	v.saveBtn = v.cv.action("Save search…", theme.DocumentSaveIcon(), v.showSaveForm)
	v.removeBtn = v.cv.action("Remove…", theme.DeleteIcon(), v.showRemoveForm)
	v.showHistory()
	v.showSaved(nil)
}
