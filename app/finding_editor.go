package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// findingEditor is the form that creates a finding or saves a new
// revision of one: title, confidence, a Markdown description with a live,
// safe preview, the exact evidence locations (item and byte range, checked
// against the item's size with casefile's own rule), the indicators of the
// case it rests on, and ATT&CK technique ids. An edit needs a reason;
// every revision is kept.
type findingEditor struct {
	u    *UI
	form *recordForm
	id   uuid.UUID // uuid.Nil for a new finding

	title       *formEntry
	confidence  *choiceGroup
	description *formEntry
	preview     *widget.RichText
	previewSeq  int // the newest preview asked for; older ones are dropped

	locations   []incident.EvidenceLocation
	events      []incident.EventAnchor // the timeline events it rests on
	locList     *fyne.Container
	locItem     *formSelect
	locStart    *formEntry
	locEnd      *formEntry
	locAdd      *formButton
	locProblem  *widget.Label // the problem of the location typed (locSlot's)
	locSlot     *problemSlot
	indicators  *checkList
	indicatorID map[string]uuid.UUID // by check label
	techniques  *formEntry
	reason      *formEntry
	newFinding  bool // the reason is optional for a new finding
}

// findingDraft prefills a new finding.
type findingDraft struct {
	location    incident.EvidenceLocation
	noLocation  bool                   // the draft has an event but no byte range of the item
	events      []incident.EventAnchor // events it rests on (only Event is needed)
	description string
}

// showFindingEditor opens the editor: for a new finding when f is nil
// (prefilled from draft when not nil), else for the next revision of f.
func (u *UI) showFindingEditor(f *incident.Finding, draft *findingDraft) {
	cv := u.cv
	if cv == nil {
		return
	}
	e := &findingEditor{u: u, indicatorID: map[string]uuid.UUID{}}
	title, save, intro := "New finding", "Add finding",
		"A finding states what the evidence shows, on the exact bytes it rests on. It is sealed in the case with a custody entry."
	var cur incident.FindingContent
	cur.Confidence = incident.ConfidenceMedium
	if f != nil {
		e.id = f.ID
		cur = f.FindingContent
		title, save = "Edit finding", "Save revision"
		intro = fmt.Sprintf("Saving makes revision %d; revision %d and earlier stay in the history with their authors.",
			f.Revision+1, f.Revision)
	}
	if draft != nil {
		if !draft.noLocation {
			cur.Locations = []incident.EvidenceLocation{draft.location}
		}
		cur.Events = draft.events
		cur.Description = draft.description
	}
	form := u.newRecordForm(title, save, intro)
	form.width = 1000
	e.form = form

	e.title = form.entry("Title *", "One line: what was found")
	e.title.SetText(cur.Title)
	e.confidence = form.radio("Confidence *", []string{"Low", "Medium", "High"}, confidenceTitle(cur.Confidence))

	e.description = newFormEntry(form.keys, 9)
	e.description.SetPlaceHolder("Markdown: what the bytes show, how it was established, what it means")
	e.description.SetText(cur.Description)
	e.description.OnChanged = func(s string) { e.renderPreview(s); form.recheck() }
	e.preview = widget.NewRichText()
	e.preview.Wrapping = fyne.TextWrapWord
	e.preview.Segments = safeMarkdown(cur.Description)
	previewHead := widget.NewLabelWithStyle("Preview", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	previewPane := container.NewBorder(previewHead, nil, nil, nil, container.NewVScroll(e.preview))
	split := container.NewHSplit(e.description, previewPane)
	split.Offset = 0.5
	form.note("Description", container.NewVBox(
		container.New(minSizeLayout{fyne.NewSize(0, e.description.MinSize().Height)}, split),
		mutedLabel(previewNote)))
	form.fields["Description"] = e.description

	e.locations = append(e.locations, cur.Locations...)
	e.events = append(e.events, cur.Events...)
	e.locList = container.NewVBox()
	items := cv.oc.evidence.items
	names := make([]string, len(items))
	for i, ev := range items {
		names[i] = itemChoice(ev)
	}
	e.locItem = newFormSelect(form.keys, names)
	e.locItem.PlaceHolder = "Evidence item"
	if len(names) > 0 {
		e.locItem.SetSelected(names[0])
	}
	e.locItem.OnChanged = func(string) { e.checkLocation() }
	// Enter in the offsets adds the location rather than saving the form.
	locKeys := &formKeys{submit: e.addLocation, cancel: form.userCancel, submitAll: form.submit}
	e.locStart = newFormEntry(locKeys, 0)
	e.locStart.SetPlaceHolder("Start: 0x1be or 446")
	e.locStart.OnChanged = func(string) { e.checkLocation() }
	e.locEnd = newFormEntry(locKeys, 0)
	e.locEnd.SetPlaceHolder("End (exclusive): 0x1ce")
	e.locEnd.OnChanged = func(string) { e.checkLocation() }
	e.locAdd = form.button("Add location", theme.ContentAddIcon(), e.addLocation)
	e.locSlot = form.slot("Evidence location")
	e.locProblem = e.locSlot.label
	addRow := container.NewBorder(nil, nil, container.New(minSizeLayout{fyne.NewSize(selectWidthOf(names), 0)}, e.locItem), e.locAdd,
		container.NewGridWithColumns(2, e.locStart, e.locEnd))
	if len(items) == 0 {
		addRow = container.NewVBox(mutedLabel("No evidence in the case yet: add evidence first to point at its bytes."))
	}
	form.note("Evidence", container.NewVBox(e.locList, addRow, e.locSlot))
	e.showLocations()

	inc := cv.oc.incident
	var labels, selected []string
	for _, ind := range inc.indicators {
		l := indicatorText(ind)
		labels = append(labels, l)
		e.indicatorID[l] = ind.ID
		for _, id := range cur.Indicators {
			if id == ind.ID {
				selected = append(selected, l)
			}
		}
	}
	if len(labels) == 0 {
		form.note("Indicators", mutedLabel("No indicators in the case yet; add them in the Indicators area."))
		e.indicators = newCheckList(form.keys, nil, 1, nil)
	} else {
		e.indicators = form.checks("Indicators", labels, selected, 1)
	}
	e.techniques = form.entry("ATT&CK techniques", "Comma-separated ids: T1078, T1021.001")
	e.techniques.SetText(strings.Join(cur.Techniques, ", "))
	if f != nil {
		e.reason = form.entry("Reason *", "What this revision changes, and why")
	} else {
		e.reason = form.entry("Reason", "Why it is recorded, for the custody record (optional)")
		e.newFinding = true
	}

	form.check = e.check
	form.build = e.build
	form.saved = func() {}
	form.onClosed = func() {
		if u.editor == e {
			u.editor = nil
		}
	}
	u.editor = e
	form.show(e.title)
}

// itemChoice names an item in the location picker.
func itemChoice(ev casefile.Evidence) string {
	return shownLine(ev.Meta.Name) + " (" + humanSize(ev.Meta.Size) + ")"
}

// renderPreview renders the description into the preview: at once in
// tests (previewDelay < 0), else shortly after typing pauses, parsed off
// the UI goroutine so a long description never stalls typing.
func (e *findingEditor) renderPreview(src string) {
	e.previewSeq++
	seq := e.previewSeq
	d := e.u.previewDelay
	if d < 0 {
		e.preview.Segments = safeMarkdown(src)
		e.preview.Refresh()
		return
	}
	if d == 0 {
		d = 150 * time.Millisecond
	}
	time.AfterFunc(d, func() {
		segs := safeMarkdown(src)
		e.u.do(func() {
			if seq != e.previewSeq {
				return // typing went on; a newer preview follows
			}
			e.preview.Segments = segs
			e.preview.Refresh()
		})
	})
}

// showLocations lists the locations added, each with Remove.
func (e *findingEditor) showLocations() {
	var rows []fyne.CanvasObject
	for i, l := range e.locations {
		rm := e.form.button("", theme.DeleteIcon(), func() {
			e.locations = append(e.locations[:i], e.locations[i+1:]...)
			e.showLocations()
			e.form.recheck()
			e.form.fit()
		})
		rm.Importance = widget.LowImportance
		text := widget.NewLabel(locationText(e.u, l))
		text.Wrapping = fyne.TextWrapWord
		rows = append(rows, container.NewBorder(nil, nil, widget.NewIcon(theme.StorageIcon()), rm, text))
	}
	for i, a := range e.events {
		rm := e.form.button("", theme.DeleteIcon(), func() {
			e.events = append(e.events[:i], e.events[i+1:]...)
			e.showLocations()
			e.form.recheck()
			e.form.fit()
		})
		rm.Importance = widget.LowImportance
		text := widget.NewLabel(anchorText(e.u, a))
		text.Wrapping = fyne.TextWrapWord
		rows = append(rows, container.NewBorder(nil, nil, widget.NewIcon(theme.HistoryIcon()), rm, text))
	}
	if len(rows) == 0 {
		rows = append(rows, mutedLabel("No location yet. A finding should point at the bytes it rests on: pick the item and "+
			"the byte range, or select bytes in the hex view."))
	}
	e.locList.Objects = rows
	e.locList.Refresh()
}

// chosenItem returns the item chosen in the location picker, or nil.
func (e *findingEditor) chosenItem() *casefile.Evidence {
	items := e.u.cv.oc.evidence.items
	for i := range items {
		if itemChoice(items[i]) == e.locItem.Selected {
			return &items[i]
		}
	}
	return nil
}

// parseByteOffset reads a byte offset typed by a person: decimal, or
// hexadecimal with 0x.
func parseByteOffset(s string) (int64, bool) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	var v int64
	var err error
	if h, ok := strings.CutPrefix(strings.ToLower(t), "0x"); ok {
		v, err = strconv.ParseInt(h, 16, 64)
	} else {
		v, err = strconv.ParseInt(t, 10, 64)
	}
	return v, err == nil && t != ""
}

// locationTyped reads the location typed in the add row. problem says
// what is wrong with it; a range outside the item is described by
// casefile's own LocationError, as saving it would be refused.
func (e *findingEditor) locationTyped() (incident.EvidenceLocation, string) {
	ev := e.chosenItem()
	if ev == nil {
		return incident.EvidenceLocation{}, "Choose the evidence item."
	}
	start, ok1 := parseByteOffset(e.locStart.Text)
	end, ok2 := parseByteOffset(e.locEnd.Text)
	switch {
	case !ok1:
		return incident.EvidenceLocation{}, "Type the start offset: decimal (446) or hexadecimal with 0x (0x1be)."
	case !ok2:
		return incident.EvidenceLocation{}, "Type the end offset, one past the last byte: decimal (462) or hexadecimal (0x1ce)."
	}
	l := incident.EvidenceLocation{Evidence: ev.ID, Start: start, End: end}
	if start < 0 || end <= start || end > ev.Meta.Size {
		return l, userMessage(&incident.LocationError{Location: l, Item: ev.Meta.Name, Size: ev.Meta.Size})
	}
	return l, ""
}

// checkLocation shows what is wrong with the location typed, once both
// offsets are there.
func (e *findingEditor) checkLocation() {
	if strings.TrimSpace(e.locStart.Text) == "" || strings.TrimSpace(e.locEnd.Text) == "" {
		e.locSlot.set("")
	} else {
		_, problem := e.locationTyped()
		e.locSlot.set(problem)
	}
}

// addLocation adds the location typed, when it lies within its item.
func (e *findingEditor) addLocation() {
	l, problem := e.locationTyped()
	e.locSlot.set(problem)
	if problem == "" {
		for _, x := range e.locations {
			if x == l {
				problem = "That location is listed already."
			}
		}
		e.locSlot.set(problem)
	}
	if problem == "" {
		e.locations = append(e.locations, l)
		e.locStart.SetText("")
		e.locEnd.SetText("")
		e.locSlot.set("")
		e.showLocations()
	}
	e.form.fit()
}

// techniqueList reads the ATT&CK ids typed, and says which is not one.
func (e *findingEditor) techniqueList() ([]string, string) {
	var out []string
	for _, t := range commaList(e.techniques.Text) {
		id, err := incident.ParseTechnique(t)
		if err != nil {
			return nil, fmt.Sprintf("%q is not an ATT&CK technique id: use T and 4 digits, optionally .3 digits (T1059, T1059.001).", strings.ToUpper(t))
		}
		out = append(out, id)
	}
	return out, ""
}

// check shows every problem of the form and reports whether it can be saved.
func (e *findingEditor) check() bool {
	f := e.form
	ok := f.require("Title", e.title.Text, "Give the finding a title.")
	if e.confidence.Selected == "" {
		f.setProblem("Confidence", "Choose how sure you are.")
		ok = false
	} else {
		f.setProblem("Confidence", "")
	}
	_, problem := e.techniqueList()
	f.setProblem("ATT&CK techniques", problem)
	ok = ok && problem == ""
	if e.reason != nil && !e.newFinding {
		ok = f.require("Reason", e.reason.Text, "Say what this revision changes: the history keeps the reason.") && ok
	}
	return ok
}

// content is the finding the form describes.
func (e *findingEditor) content() incident.FindingContent {
	fc := incident.FindingContent{
		Title:       strings.TrimSpace(e.title.Text),
		Description: e.description.Text,
		Confidence:  incident.Confidence(strings.ToLower(e.confidence.Selected)),
		Locations:   append([]incident.EvidenceLocation(nil), e.locations...),
		Events:      append([]incident.EventAnchor(nil), e.events...),
	}
	for _, l := range e.indicators.Selected() {
		if id, ok := e.indicatorID[l]; ok {
			fc.Indicators = append(fc.Indicators, id)
		}
	}
	fc.Techniques, _ = e.techniqueList()
	return fc
}

// build returns the change: AddFinding, or EditFinding with the reason.
// After saving, the Findings area shows the finding.
func (e *findingEditor) build() func(*casefile.Case) error {
	fc := e.content()
	id := e.id
	reason := ""
	if e.reason != nil {
		reason = strings.TrimSpace(e.reason.Text)
	}
	var saved uuid.UUID
	e.form.saved = func() {
		u := e.u
		if u.cv == nil {
			return
		}
		if u.Area() != "Findings" {
			u.SelectArea("Findings")
		}
		if v := areaViewOf[*findingsView](u); v != nil {
			v.selectFinding(saved)
		}
	}
	return func(c *casefile.Case) error {
		var f incident.Finding
		var err error
		if id == uuid.Nil {
			f, err = incident.Of(c).AddFinding(fc, reason)
		} else {
			f, err = incident.Of(c).EditFinding(id, fc, reason)
		}
		saved = f.ID
		return err
	}
}
