package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/evidence"
)

// timelineArea is the Timeline area: a query bar with a time range, the
// events it selects in a paged table (in time order, UTC), the chosen
// event with every field and the place of its record (Show bytes opens the
// hex view there), and Parse…, which turns a log item into events.
//
// The search index (timeline.Index, an in-memory SQLite) is built once per
// open case, off the UI goroutine, the first time the area is shown; it is
// kept with the open case (openCase.timeline) and closed with it, so
// nothing decrypted outlives the case on screen.
type timelineArea struct{}

func (timelineArea) title() string            { return "Timeline" }
func (timelineArea) icon() fyne.ThemeIconName { return theme.IconNameHistory }
func (timelineArea) fill() bool               { return true }

// timelineIndex is the search index of an open case's timeline. The index
// itself is safe for concurrent use; the fields are guarded by mu because
// Shutdown closes it from another goroutine.
type timelineIndex struct {
	mu     sync.Mutex
	ix     *timeline.Index // nil until built
	gen    int             // the build that made ix
	next   int             // the number of the last build started
	closed bool

	// Touched on the UI goroutine only.
	building bool            // a build is running
	history  []timelineQuery // the searches of this session, newest first
}

// index returns the index, or nil while there is none.
func (s *timelineIndex) index() *timeline.Index {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ix
}

// start numbers a new build.
func (s *timelineIndex) start() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	return s.next
}

// set keeps ix, made by build gen, unless a later build's index is kept
// already or the case was closed; whichever index is not kept is closed.
func (s *timelineIndex) set(ix *timeline.Index, gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || gen < s.gen {
		ix.Close()
		return
	}
	if s.ix != nil && s.ix != ix {
		s.ix.Close()
	}
	s.ix, s.gen = ix, gen
}

// close frees the index: the case is closing. It is safe on nil.
func (s *timelineIndex) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.ix != nil {
		s.ix.Close()
		s.ix = nil
	}
}

// timelineView is the Timeline area on screen.
type timelineView struct {
	cv *caseView
	u  *UI
	ti *timelineIndex

	query, from, to *widget.Entry
	searchBtn       *widget.Button
	parse           *actionButton
	problem         *problemSlot // a query or time that cannot be read; reserved, so nothing moves
	count           *widget.Label
	building        *widget.ProgressBar
	buildText       *widget.Label
	lastParse       *widget.Label
	// withdrawn includes the events of withdrawn items when ticked; left
	// out by default, as on the command line without --include-withdrawn.
	withdrawn *widget.Check
	// snapshotWarn says that the sealed snapshot of the index was damaged
	// and the index rebuilt from the sealed events; hidden otherwise.
	snapshotWarn *widget.Label

	src   *eventSource
	table *dataTable
	pane  *eventPane

	// The tools around the table (timeline_tools.go).
	hist               *histogram
	buildingBox        *fyne.Container // the bar while the index is built; hidden otherwise
	histCaption        string          // the caption when the pointer is not on a bar
	facets             *fyne.Container
	historySel         *widget.Select
	savedSel           *widget.Select
	saveBtn, removeBtn *actionButton
	saved              []timeline.SavedSearch
	zone               *widget.Select
	zoneChoice         string
	zones              map[uuid.UUID]string // each item's recorded source zone

	pending bool // a search waits for the index
	gen     int  // the newest search; older results are dropped
	names   map[uuid.UUID]string
	root    fyne.CanvasObject
}

// eventColumns are the columns of the event table.
var eventColumns = []dataColumn{
	{title: "Time (UTC)", width: 260, noSort: true},
	{title: "Item", width: 220, noSort: true},
	{title: "Parser", width: 130, noSort: true},
	{title: "Message", width: 900, noSort: true},
}

func (a timelineArea) build(cv *caseView) areaView {
	v := &timelineView{cv: cv, u: cv.u}
	if cv.oc.timeline == nil {
		cv.oc.timeline = &timelineIndex{}
	}
	v.ti = cv.oc.timeline

	v.query = widget.NewEntry()
	v.query.SetPlaceHolder(`user:admin AND NOT "session closed", event_id:4624, src_ip:10.0.0.5, fail*`)
	v.query.OnSubmitted = func(string) { v.search() }
	v.from = widget.NewEntry()
	v.from.SetPlaceHolder("2026-02-21 or 2026-02-21T02:00:00Z")
	v.from.OnSubmitted = func(string) { v.search() }
	v.to = widget.NewEntry()
	v.to.SetPlaceHolder("2026-02-22 (not included)")
	v.to.OnSubmitted = func(string) { v.search() }
	for _, e := range []*widget.Entry{v.query, v.from, v.to} {
		e.OnChanged = func(string) { v.problem.set("") }
	}
	v.searchBtn = widget.NewButtonWithIcon("Search", theme.SearchIcon(), v.search)
	v.searchBtn.Importance = widget.HighImportance
	v.parse = cv.action("Parse…", theme.DocumentIcon(), v.showParseForm)
	v.problem = newProblemSlot(nil)
	v.count = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.building = widget.NewProgressBar()
	v.building.Hide()
	v.buildText = widget.NewLabel("")
	v.buildText.Truncation = fyne.TextTruncateEllipsis
	v.lastParse = widget.NewLabel("")
	v.lastParse.Truncation = fyne.TextTruncateEllipsis
	v.lastParse.Importance = widget.LowImportance
	v.withdrawn = widget.NewCheck("Include withdrawn", func(bool) { v.search() })
	v.snapshotWarn = widget.NewLabel("")
	v.snapshotWarn.Importance = widget.WarningImportance
	v.snapshotWarn.Wrapping = fyne.TextWrapWord
	v.snapshotWarn.Hide()

	v.src = &eventSource{v: v, rowsOf: map[string]int{}, cursors: map[int]string{}, events: map[string]timeline.Event{}}
	v.table = newDataTable(v.u, slices.Clone(eventColumns), v.src, 3, 0)
	v.pane = newEventPane(v)
	v.table.onSelect = func(key any) {
		id, _ := key.(string)
		v.pane.show(v.src.event(id))
	}

	label := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	v.newSearchTools()
	queryRow := container.NewBorder(nil, nil, label("Query"), container.NewHBox(v.searchBtn, v.historySel, v.savedSel), v.query)
	v.zoneChoice = zoneUTC
	v.zone = widget.NewSelect([]string{zoneUTC, zoneSource, zoneLocal}, v.setZone)
	v.zone.SetSelected(zoneUTC)
	rangeRow := container.NewBorder(nil, nil, nil, container.NewHBox(v.withdrawn, label("Times in"), v.zone), container.NewGridWithColumns(2,
		container.NewBorder(nil, nil, label("From"), nil, v.from),
		container.NewBorder(nil, nil, label("To"), nil, v.to)))
	v.hist = newHistogram()
	v.hist.onPick = v.pickRange
	v.hist.onHover = v.hover
	v.facets = container.NewVBox()
	// One status line: the count, then the index being built or the last
	// parse; the saved searches and Parse… at its end.
	v.buildingBox = container.New(minSizeLayout{fyne.NewSize(160, 0)}, v.building)
	v.buildingBox.Hide()
	statusRow := container.NewBorder(nil, nil, v.count, v.buildingBox, container.NewStack(v.buildText, v.lastParse))
	headRow := container.NewBorder(nil, nil, nil, container.NewHBox(v.saveBtn, v.removeBtn, v.parse), heading(a.title()))
	top := container.NewVBox(headRow, queryRow, rangeRow, v.problem, v.snapshotWarn, statusRow, v.hist)
	split := container.NewVSplit(v.table.box, container.NewVScroll(v.pane.root))
	split.Offset = 0.6
	side := container.NewBorder(subheading("Filter by"), nil, nil, nil, container.NewVScroll(v.facets))
	body := container.NewHSplit(side, split)
	body.Offset = 0.2
	v.root = container.NewBorder(top, nil, nil, nil, body)

	v.loadNames(cv.oc.evidence)
	v.enable()
	v.pane.show(nil)
	return v
}

func (v *timelineView) content() fyne.CanvasObject { return v.root }

// shown runs once the area is on screen: it searches, building the index
// first when the case has none yet.
func (v *timelineView) shown() {
	v.loadSaved()
	if v.ti.index() == nil {
		v.pending = true
		v.buildIndex()
		return
	}
	v.search()
}

func (v *timelineView) refresh(what factSet) {
	if what.has(factsEvidence) {
		v.loadNames(v.cv.oc.evidence)
		v.table.reload()
	}
	v.enable()
	v.pane.enable()
}

// loadNames keeps the item names the table shows.
func (v *timelineView) loadNames(f evidenceFacts) {
	v.names = make(map[uuid.UUID]string, len(f.items))
	v.zones = make(map[uuid.UUID]string, len(f.items))
	for _, ev := range f.items {
		v.names[ev.ID] = ev.Meta.Name
		v.zones[ev.ID] = ev.Meta.TimeZone
	}
}

// itemName is the name of item id, as the table shows it.
func (v *timelineView) itemName(id uuid.UUID) string {
	if n, ok := v.names[id]; ok {
		return shownLine(n)
	}
	return id.String()
}

// enable says why Parse… is disabled, when it is.
func (v *timelineView) enable() {
	why := v.cv.whyNot(casefile.PermHandleEvidence)
	switch {
	case why != "":
	case len(v.cv.oc.evidence.items) == 0:
		why = "the case holds no evidence yet: add a log file in Evidence first."
	case v.ti.building:
		why = "the search index is being built; parse when it is ready."
	}
	v.parse.allow(why)
	why = v.cv.whyNot(casefile.PermInvestigate)
	if why == "" && v.ti.index() == nil {
		why = "the search index is not built yet."
	}
	v.saveBtn.allow(why)
	if why == "" && len(v.saved) == 0 {
		why = "no searches are saved in this case yet."
	}
	v.removeBtn.allow(why)
}

// buildIndex builds the search index off the UI goroutine, with its
// progress under the query bar; a search asked for meanwhile runs when it
// is ready.
func (v *timelineView) buildIndex() {
	ti, u, cv := v.ti, v.u, v.cv
	if ti.building {
		return
	}
	ti.building = true
	gen := ti.start()
	v.showBuilding(0, -1)
	v.enable()
	c := cv.oc.c
	var queued atomic.Bool
	var done, total atomic.Int64
	progress := func(d, t int64) {
		done.Store(d)
		total.Store(t)
		if queued.CompareAndSwap(false, true) {
			u.do(func() {
				queued.Store(false)
				if w := areaViewOf[*timelineView](u); w != nil && ti.building {
					w.showBuilding(done.Load(), total.Load())
				}
			})
		}
	}
	u.runJob(func() func() {
		// Restored from the case's sealed snapshot when that covers the
		// timeline (seconds at 1M events), else built from the batches.
		var warned error
		ix, err := timeline.Open(context.Background(), timeline.Of(c), timeline.OpenOptions{Progress: progress,
			Warn: func(err error) { warned = err }})
		if err == nil {
			ti.set(ix, gen)
		}
		return func() {
			ti.building = false
			w := areaViewOf[*timelineView](u)
			if w == nil || w.ti != ti {
				return
			}
			w.building.Hide()
			w.buildingBox.Hide()
			w.buildText.SetText("")
			w.enable()
			if err != nil {
				w.count.SetText("No search index")
				u.showError("The timeline could not be indexed", err, nil)
				return
			}
			if warned != nil {
				u.setLastError(warned)
				w.snapshotWarn.SetText("The sealed snapshot of the search index could not be used (" + userMessage(warned) +
					"); the index was rebuilt from the sealed events, which are intact. Verify the case (Custody) if this repeats.")
				w.snapshotWarn.Show()
			}
			if w.pending {
				w.search()
			}
		}
	})
}

// showBuilding shows how far the index is built (total -1: not yet known).
func (v *timelineView) showBuilding(done, total int64) {
	v.building.Show()
	v.buildingBox.Show()
	v.lastParse.SetText("")
	if total > 0 {
		v.building.SetValue(float64(done) / float64(total))
		v.buildText.SetText(fmt.Sprintf("Building the search index: %d of %s…", done, plural(int(total), "event", "events")))
	} else {
		v.building.SetValue(0)
		v.buildText.SetText("Building the search index…")
	}
}

// filter reads the query bar into a filter; problem says what cannot be
// read, in a line that names the field.
func (v *timelineView) filter() (f timeline.Filter, problem string) {
	f.Query = strings.TrimSpace(v.query.Text)
	for _, r := range []struct {
		name string
		e    *widget.Entry
		t    *time.Time
	}{{"From", v.from, &f.From}, {"To", v.to, &f.To}} {
		s := strings.TrimSpace(r.e.Text)
		if s == "" {
			continue
		}
		t, err := timeline.ParseTime(s)
		if err != nil {
			return f, fmt.Sprintf("%s: %q is not a time: write RFC 3339 (2026-02-21T02:00:00Z) or a date (2026-02-21, midnight UTC).", r.name, s)
		}
		*r.t = t
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return f, "To must be later than From: the range holds From and ends before To."
	}
	return f, ""
}

// search runs the query bar's search: the count off the UI goroutine, then
// the table pages through the result as it is drawn.
func (v *timelineView) search() {
	f, problem := v.filter()
	if problem != "" {
		v.problem.set(problem)
		return
	}
	ix := v.ti.index()
	if ix == nil {
		v.pending = true
		if !v.ti.building {
			v.buildIndex()
		}
		return
	}
	v.pending = false
	v.gen++
	gen, u := v.gen, v.u
	asked := timelineQuery{query: f.Query, from: strings.TrimSpace(v.from.Text), to: strings.TrimSpace(v.to.Text)}
	v.searchBtn.Disable()
	c := v.cv.oc.c
	withWithdrawn := v.withdrawn.Checked
	u.runJob(func() func() {
		// The events of withdrawn items are left out (as the command
		// line does without --include-withdrawn) unless the switch is on;
		// asked again at every search, so a withdrawal or reinstatement
		// shows at the next one.
		var n int64
		var err error
		if !withWithdrawn {
			f.Exclude, err = timeline.Of(c).Withdrawn()
		}
		if err == nil {
			n, err = ix.Count(context.Background(), f)
		}
		// The rows the table's reload reads to size its columns, read
		// here: the last ones are an Offset query whose cost grows with
		// the result, which must not run on the UI goroutine.
		var pre map[[2]int][]timeline.Event
		if err == nil {
			pre, err = readAhead(ix, f, n)
		}
		return func() {
			if gen != v.gen {
				return
			}
			v.searchBtn.Enable()
			if err != nil {
				var qe *timeline.QueryError
				if errors.As(err, &qe) {
					u.setLastError(err)
					v.problem.set(userMessage(err))
					return
				}
				u.showError("The search failed", err, nil)
				return
			}
			v.problem.set("")
			v.ti.remember(asked)
			v.showHistory()
			v.chart(ix, f, gen)
			v.src.set(ix, f, n, pre)
			v.count.SetText(eventCount(n, ix.Len()))
			v.table.reload()
			v.table.table.ScrollToTop()
			if v.table.selected == nil {
				v.pane.show(nil)
			}
		}
	})
}

// eventCount is the count line: "3 events", or what an empty timeline
// needs.
func eventCount(n, all int64) string {
	if all == 0 {
		return "No events yet: parse a log item with Parse…"
	}
	if n == 1 {
		return "1 event"
	}
	return fmt.Sprintf("%d events", n)
}

// eventSource pages through a search result: each page the table asks for
// is one Index.Search that starts After the last event of the page before
// it when that is known (its cost does not grow with the position), else
// from the nearest known page with an Offset. It never loads the whole
// result, and holds only the pages the table keeps.
type eventSource struct {
	v   *timelineView
	ix  *timeline.Index
	f   timeline.Filter
	n   int64
	err error // the last page that could not be read

	cursors map[int]string            // row position → the id of the event just before it
	rowsOf  map[string]int            // event id → its row, for the rows handed out
	events  map[string]timeline.Event // the events handed out, by id
	asked   []timeline.Filter         // every page asked for, for tests
	// pre holds rows read ahead off the UI goroutine, by [from, to).
	pre map[[2]int][]timeline.Event
	// Every other page is read by a job: loading the pages asked for,
	// loaded those read, handed out once (the table keeps them); gen
	// tells a page of an earlier result.
	loading map[[2]int]bool
	loaded  map[[2]int][]timeline.Event
	gen     int
}

// pendingRow is the key of a row whose page is being read.
type pendingRow int

// readAhead reads the rows of f's result (n events) that the table reads
// first to size its columns (sampleRanges), for eventSource.set.
func readAhead(ix *timeline.Index, f timeline.Filter, n int64) (map[[2]int][]timeline.Event, error) {
	pre := map[[2]int][]timeline.Event{}
	for _, r := range sampleRanges(int(min(n, int64(1<<31-1)))) {
		if r[1] <= r[0] {
			continue
		}
		g := f
		g.Offset, g.Limit = r[0], r[1]-r[0]
		evs, err := ix.Search(context.Background(), g)
		if err != nil {
			return nil, err
		}
		pre[r] = evs
	}
	return pre, nil
}

// set shows the result of f in ix, n events; pre holds rows read ahead
// (readAhead), kept with the result (every reload sizes the columns on
// them) until an event of theirs is forgotten.
func (s *eventSource) set(ix *timeline.Index, f timeline.Filter, n int64, pre map[[2]int][]timeline.Event) {
	s.ix, s.f, s.n, s.err, s.pre = ix, f, n, nil, pre
	s.gen++
	s.loaded, s.loading = map[[2]int][]timeline.Event{}, map[[2]int]bool{}
	clear(s.cursors)
	clear(s.rowsOf)
	clear(s.events)
	s.asked = s.asked[:0]
}

func (s *eventSource) count() int { return int(min(s.n, int64(1<<31-1))) }

// eventsKept bounds the events the source remembers for the event pane:
// a few times what the table keeps.
const eventsKept = 4 * tablePage * tablePagesKept

func (s *eventSource) rows(from, to int) []tableRow {
	if s.ix == nil || from >= to {
		return nil
	}
	// The nearest known page start at or before from.
	start, after := 0, ""
	for pos, id := range s.cursors {
		if pos <= from && pos > start {
			start, after = pos, id
		}
	}
	key := [2]int{from, to}
	evs, ok := s.pre[key]
	if !ok {
		evs, ok = s.loaded[key]
		delete(s.loaded, key)
	}
	if !ok {
		// Read off the UI goroutine: a page of a large result can take a
		// while (a term matching many events at 1M); its rows show "…"
		// until it is read, and then the table draws it again.
		if !s.loading[key] {
			s.loading[key] = true
			f := s.f
			f.After, f.Offset, f.Limit = after, from-start, to-from
			s.asked = append(s.asked, f)
			ix, gen := s.ix, s.gen
			s.v.u.runJob(func() func() {
				evs, err := ix.Search(context.Background(), f)
				return func() {
					if gen != s.gen {
						return
					}
					delete(s.loading, key)
					if err != nil {
						if s.err == nil {
							s.err = err
							s.v.u.showError("The events could not be read", err, nil)
						}
						return
					}
					if len(s.loaded) >= 2*tablePagesKept { // pages the table let go of before they came
						clear(s.loaded)
					}
					s.loaded[key] = evs
					s.v.table.dropPage(from)
				}
			})
		}
		out := make([]tableRow, to-from)
		for i := range out {
			out[i] = tableRow{key: pendingRow(from + i), cells: []dataCell{{text: "…"}, {}, {}, {}}}
		}
		return out
	}
	if len(s.events) > eventsKept {
		clear(s.events)
		clear(s.rowsOf)
	}
	out := make([]tableRow, len(evs))
	for i := range evs {
		e := &evs[i]
		s.events[e.ID] = *e
		s.rowsOf[e.ID] = from + i
		out[i] = tableRow{key: e.ID, cells: []dataCell{
			{text: s.v.timeIn(e), mono: true},
			cell(s.v.itemName(e.Item)),
			cell(e.Parser),
			{text: starMark(e) + shownLine(e.Message), full: shown(e.Message)},
		}}
	}
	if n := len(evs); n > 0 {
		s.cursors[from+n] = evs[n-1].ID
	}
	return out
}

// forget drops what the source remembers of event id, so that it is read
// again (after its annotations changed).
func (s *eventSource) forget(id string) {
	delete(s.events, id)
	for r, evs := range s.pre {
		if slices.ContainsFunc(evs, func(e timeline.Event) bool { return e.ID == id }) {
			delete(s.pre, r)
		}
	}
}

// starMark marks a starred event in the table.
func starMark(e *timeline.Event) string {
	if e.Annotations.Starred {
		return "★ "
	}
	return ""
}

func (s *eventSource) rowOf(key any) int {
	id, _ := key.(string)
	if r, ok := s.rowsOf[id]; ok {
		return r
	}
	return -1
}

func (s *eventSource) sortBy(int, bool) bool { return false } // always in time order

// event returns the event called id when the table showed it, else reads
// it from the case; nil for none.
func (s *eventSource) event(id string) *timeline.Event {
	if id == "" {
		return nil
	}
	if e, ok := s.events[id]; ok {
		return &e
	}
	e, err := timeline.Of(s.v.cv.oc.c).Event(id)
	if err != nil {
		s.v.u.showError("The event could not be read", err, nil)
		return nil
	}
	return &e
}

// eventTime is an event's time as the table shows it: RFC 3339 in UTC,
// or what the record held when it has no usable time.
func eventTime(e *timeline.Event) string {
	if e.Time.IsZero() {
		return "(no time) " + shownLine(e.TimeText)
	}
	return casefile.FormatTime(e.Time)
}

// eventPane shows the chosen event: its time as read and in UTC, the
// record's place in its item, the message and every field.
type eventPane struct {
	v  *timelineView
	ev *timeline.Event

	title          *widget.Label
	when, original *widget.Label
	meaning, item  *widget.Label
	parser, record *widget.Label
	id             *widget.Label
	message        *widget.Label
	showBytes      *actionButton
	fields         *listSource[eventField]
	fieldTable     *dataTable
	root           *fyne.Container
	facts          fyne.CanvasObject
	fieldsBox      *fyne.Container
	empty          *widget.Label
	ann            annotationTools // timeline_annotate.go
}

// eventField is one field of the chosen event, numbered: names may repeat.
type eventField struct {
	n int
	timeline.Field
}

func newEventPane(v *timelineView) *eventPane {
	p := &eventPane{v: v}
	p.title = subheading("Event")
	for _, l := range []**widget.Label{&p.when, &p.original, &p.meaning, &p.item, &p.parser, &p.record, &p.id} {
		*l = valueLabel()
	}
	p.message = valueLabel()
	p.message.Wrapping = fyne.TextWrapWord
	p.message.Truncation = fyne.TextTruncateOff
	p.showBytes = v.cv.action("Show bytes", theme.VisibilityIcon(), p.openBytes)
	annTools := p.newAnnotationTools()
	p.fields = newListSource([]listColumn[eventField]{
		{dataColumn{title: "Field", width: 220}, func(f *eventField) dataCell { return dataCell{text: shownLine(f.Name), bold: true} }, nil},
		{dataColumn{title: "Value", width: 700}, func(f *eventField) dataCell {
			return dataCell{text: shownLine(f.Value), full: shown(f.Value), mono: true}
		}, nil},
	}, func(f *eventField) any { return f.n })
	p.fieldTable = p.fields.table(v.u, 1, 12)
	p.facts = factGrids([]fact{
		{"Time (UTC)", p.when},
		{"As recorded", p.original},
		{"Time means", p.meaning},
		{"Item", p.item},
		{"Parser", p.parser},
		{"Record", container.NewBorder(nil, nil, nil, p.showBytes, p.record)},
		{"Event id", p.id},
		{"Message", p.message},
		{"Marks", p.ann.marks},
		{"Comments", p.ann.comments},
	})[0]
	p.empty = mutedLabel("Choose an event in the list to see every field and where its record is.")
	p.fieldsBox = container.NewVBox(subheading("Fields"), p.fieldTable.box)
	p.facts = container.NewVBox(annTools, p.facts, p.ann.orphans)
	p.root = container.NewVBox(p.title, p.empty, p.facts, p.fieldsBox)
	return p
}

// show shows ev, or the empty pane for nil.
func (p *eventPane) show(ev *timeline.Event) {
	p.ev = ev
	if ev == nil {
		p.empty.Show()
		p.facts.Hide()
		p.fieldsBox.Hide()
		p.fields.set(nil)
		p.fieldTable.reload()
		p.enable()
		relayout(p.root)
		return
	}
	p.empty.Hide()
	p.facts.Show()
	p.fieldsBox.Show()
	if ev.Time.IsZero() {
		p.when.SetText("none: the record's time could not be read")
	} else {
		p.when.SetText(casefile.FormatTime(ev.Time))
	}
	p.original.SetText(originalTime(ev))
	p.meaning.SetText(shownLine(ev.TimestampDesc))
	p.item.SetText(p.v.itemName(ev.Item))
	p.parser.SetText(ev.Parser)
	p.record.SetText(recordText(ev))
	p.id.SetText(ev.ID)
	p.message.SetText(shown(ev.Message))
	fs := make([]eventField, len(ev.Fields))
	for i, f := range ev.Fields {
		fs[i] = eventField{i, f}
	}
	p.fields.set(fs)
	p.fieldTable.reload()
	p.showAnnotations(ev.Annotations, nil)
	p.loadAnnotations()
	p.enable()
	relayout(p.root)
}

// originalTime is the time as the record wrote it, with its zone:
// "Feb 21 21:54:44 · zone UTC (assumed: the record names none)".
func originalTime(ev *timeline.Event) string {
	s := shownLine(ev.TimeText)
	if s == "" {
		s = "(empty)"
	}
	if ev.TimeZone != "" {
		s += " · zone " + ev.TimeZone
		if ev.TimeZoneAssumed {
			s += " (assumed: the record names none)"
		}
	}
	return s
}

// recordText says where the event's record is: "offset 99 (0x63), 101
// bytes", in the decompressed stream for a gzip item.
func recordText(ev *timeline.Event) string {
	s := fmt.Sprintf("offset %d (0x%x), %s", ev.Offset, ev.Offset, plural(int(ev.Length), "byte", "bytes"))
	if ev.Stream == "gzip" {
		s += " of the decompressed gzip stream"
	}
	return s
}

// enable says why Show bytes is disabled, when it is.
func (p *eventPane) enable() {
	why := ""
	switch {
	case p.ev == nil:
		why = "choose an event first."
	case p.ev.Stream == "gzip":
		why = "the record's offset is in the decompressed gzip stream, but the hex view shows the item's stored (compressed) bytes."
	case p.evidence() == nil:
		why = "the event's item is not in the case's evidence list."
	}
	p.showBytes.allow(why)
	p.enableAnnotations()
}

// evidence is the item of the chosen event, or nil.
func (p *eventPane) evidence() *casefile.Evidence {
	if p.ev == nil {
		return nil
	}
	for i, ev := range p.v.cv.oc.evidence.items {
		if ev.ID == p.ev.Item {
			return &p.v.cv.oc.evidence.items[i]
		}
	}
	return nil
}

// openBytes opens the hex view of the event's item at its record, with
// the record selected.
func (p *eventPane) openBytes() {
	ev := p.evidence()
	if ev == nil || p.ev.Stream == "gzip" {
		return
	}
	p.v.u.openHexViewRange(*ev, p.ev.Offset, p.ev.Offset+p.ev.Length)
}

// autoParser is the parser choice that detects the format.
const autoParser = "Detect automatically"

// itemChoices names the items for a picker, with the id's first digits
// where two items share a name; choice maps a name back to its item.
func itemChoices(items []casefile.Evidence) (names []string, choice map[string]casefile.Evidence) {
	seen := map[string]int{}
	for _, ev := range items {
		seen[shownLine(ev.Meta.Name)]++
	}
	choice = map[string]casefile.Evidence{}
	for _, ev := range items {
		n := shownLine(ev.Meta.Name)
		if seen[n] > 1 {
			n += " (" + ev.ID.String()[:8] + ")"
		}
		names = append(names, n)
		choice[n] = ev
	}
	return names, choice
}

// showParseForm asks which item to parse, with which parser and why, then
// parses it behind a progress dialog.
func (v *timelineView) showParseForm() {
	if v.parse.whyNot() != "" {
		return
	}
	names, choice := itemChoices(v.cv.oc.evidence.items)
	form := v.u.newRecordForm("Parse into the timeline", "Parse",
		"Reads the item back from the case (every chunk authenticated), turns each record into an event that "+
			"points at its bytes, and stores the events sealed. A record that cannot be read becomes a warning. "+
			"Parsing an item again replaces its events; the parse is recorded in the custody record with your reason.")
	selected := ""
	if len(names) == 1 {
		selected = names[0]
	}
	item := form.choice("Item *", names, selected)
	options := []string{autoParser}
	reads := map[string]string{autoParser: "The format is recognised from the content, then the file name."}
	for _, p := range evidence.Parsers() {
		options = append(options, p.Name)
		reads[p.Name] = p.Reads
	}
	parser := form.choice("Parser", options, autoParser)
	readsText := mutedLabel(reads[autoParser])
	parser.OnChanged = func(s string) { readsText.SetText(reads[s]); form.recheck() }
	form.note("", readsText)
	reason := form.text("Reason *", "Why, e.g. auth.log of web01 for the logon timeline", 2)
	form.check = func() bool {
		ok := form.require("Item", item.Selected, "Choose the item to parse.")
		return form.require("Reason", reason.Text, "Give the reason: a parse is recorded with one.") && ok
	}
	form.hand = func() {
		p := ""
		if parser.Selected != autoParser {
			p = parser.Selected
		}
		v.runParse(choice[item.Selected], p, strings.TrimSpace(reason.Text))
	}
	form.show(item)
}

// runParse parses item ev with parser p ("" detects it) behind a progress
// dialog, then brings the index up to date and searches again.
func (v *timelineView) runParse(ev casefile.Evidence, p, reason string) {
	u, cv, ti := v.u, v.cv, v.ti
	c := cv.oc.c
	name := shownLine(ev.Meta.Name)
	prog := u.newProgress("Parsing "+name,
		"Reading the item back from the case, parsing its records into events and sealing them in batches.",
		"Stopping. Nothing is stored for this parse; the item keeps the events it had.")
	prog.setStep(ev.Meta.Name)
	gen := ti.start()
	u.runWork(prog, func(ctx context.Context) func() {
		res, err := evidence.ParseItem(ctx, c, ev.ID, evidence.ParseOptions{Parser: p, Reason: reason, Progress: prog})
		var ixErr error
		if err == nil {
			// The events are stored: bring the index up to date even if
			// Cancel is pressed now, or it would miss them.
			if ix := ti.index(); ix != nil {
				ixErr = ix.ReplaceItem(context.Background(), timeline.Of(c), ev.ID)
			} else {
				var ix *timeline.Index
				if ix, ixErr = timeline.Build(context.Background(), timeline.Of(c), nil); ixErr == nil {
					ti.set(ix, gen)
				}
			}
		}
		return u.afterChange(cv, factsCustody, func() {
			w := areaViewOf[*timelineView](u)
			switch {
			case errors.Is(err, context.Canceled):
				u.setLastError(err)
				u.showNotice("Parse cancelled", "The parse of "+name+" was stopped; nothing was stored, and the item keeps the events it had.",
					theme.InfoIcon(), nil)
			case err != nil:
				u.showError("The item could not be parsed", err, nil)
			case ixErr != nil:
				u.showError("The events were stored, but the search index could not be brought up to date", ixErr, nil)
			}
			if err != nil || w == nil || w.ti != ti {
				return
			}
			w.lastParse.SetText(parseSummary(name, res))
			w.search()
		})
	})
}

// parseSummary is the line that reports a parse: "auth.log: 3 events, 0
// warnings (syslog, detected from the content)."
func parseSummary(name string, res timeline.Parse) string {
	how := map[string]string{"content": "detected from the content", "name": "detected from the file name", "override": "chosen"}[res.Detected]
	s := fmt.Sprintf("Parsed %s: %s, %s (%s", name, plural(int(res.Events), "event", "events"),
		plural(int(res.Warnings), "warning", "warnings"), res.Parser)
	if how != "" {
		s += ", " + how
	}
	s += ")."
	if res.Truncated {
		s += " The parse stopped before the end of the item; a warning says why."
	}
	return s
}
