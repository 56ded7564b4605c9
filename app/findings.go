package app

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// findingsArea is the Findings area: the case's findings in a table
// (newest first), the chosen one in full underneath — its description
// rendered safely, the exact evidence locations it rests on (each opens the
// hex view on its bytes), its indicators and ATT&CK techniques — and New
// finding…, Edit… and History….
type findingsArea struct{}

func (findingsArea) title() string            { return "Findings" }
func (findingsArea) icon() fyne.ThemeIconName { return theme.IconNameSearchReplace }
func (findingsArea) fill() bool               { return true }

// findingsView is the Findings area on screen.
type findingsView struct {
	u  *UI
	cv *caseView

	findings []incident.Finding // newest first, as the table shows them
	selected uuid.UUID

	add         *actionButton
	count       *widget.Label
	loadProblem *widget.Label
	src         *listSource[incident.Finding]
	table       *dataTable
	details     *findingDetails
	body        *fyne.Container
	root        *fyne.Container
}

func (a findingsArea) build(cv *caseView) areaView {
	v := &findingsView{u: cv.u, cv: cv}
	v.add = cv.action("New finding…", theme.ContentAddIcon(), func() { v.u.showFindingEditor(nil, nil) })
	v.add.Importance = widget.HighImportance
	v.count = widget.NewLabel("")
	v.loadProblem = problemLabel()
	v.src = newListSource([]listColumn[incident.Finding]{
		{dataColumn{title: "Title", width: 380}, func(f *incident.Finding) dataCell {
			return dataCell{text: shownLine(f.Title), bold: true}
		}, nil},
		{dataColumn{title: "Confidence", width: 120}, func(f *incident.Finding) dataCell { return confidenceCell(f.Confidence) }, nil},
		{dataColumn{title: "Stage", width: 180}, func(f *incident.Finding) dataCell { return cell(f.Stage.Title()) }, nil},
		{dataColumn{title: "Author", width: 220}, func(f *incident.Finding) dataCell { return cell(shownLine(f.Created.Examiner)) }, nil},
		{dataColumn{title: "Updated (UTC)", width: 220}, func(f *incident.Finding) dataCell {
			return cell(f.Updated.At.UTC().Format(timeLayout))
		}, func(a, b *incident.Finding) int { return a.Updated.At.Compare(b.Updated.At) }},
		{dataColumn{title: "Rev.", width: 60}, func(f *incident.Finding) dataCell {
			return dataCell{text: fmt.Sprint(f.Revision), end: true}
		}, nil},
	}, func(f *incident.Finding) any { return f.ID })
	v.table = v.src.table(v.u, 3, 0)
	v.table.onSelect = func(key any) {
		id, _ := key.(uuid.UUID)
		v.selectFinding(id)
	}
	v.details = newFindingDetails(v)
	split := container.NewVSplit(v.table.box, container.NewVScroll(container.NewPadded(v.details.root)))
	split.Offset = 0.3
	toolbar := container.NewBorder(nil, nil, v.add, v.count)
	v.body = container.NewBorder(container.NewVBox(toolbar, v.loadProblem), nil, nil, nil, split)
	v.load(cv.oc.incident)
	if v.selected == uuid.Nil && len(v.findings) > 0 {
		v.selectFinding(v.findings[0].ID)
	}
	v.root = container.NewBorder(heading(a.title()), nil, nil, nil, v.body)
	return v
}

func (v *findingsView) content() fyne.CanvasObject { return v.root }

func (v *findingsView) refresh(what factSet) {
	if what.has(factsIncident | factsEvidence) {
		v.load(v.cv.oc.incident) // locations name their items
	} else {
		v.enable()
	}
}

// load shows newly read findings, keeping the chosen one.
func (v *findingsView) load(f incidentFacts) {
	v.findings = v.findings[:0]
	for i := len(f.findings) - 1; i >= 0; i-- {
		v.findings = append(v.findings, f.findings[i])
	}
	if f.err != nil {
		setProblem(v.loadProblem, "The findings could not all be read: "+userMessage(f.err)+" "+hint(f.err))
	} else {
		setProblem(v.loadProblem, "")
	}
	v.count.SetText(plural(len(v.findings), "finding", "findings"))
	v.src.set(v.findings)
	v.table.reload()
	v.enable()
	v.selectFinding(v.selected)
	relayout(v.body)
}

// enable allows a new finding while the incident takes changes.
func (v *findingsView) enable() {
	v.add.allow(v.cv.whyNotIncident(casefile.PermInvestigate))
	if v.details != nil {
		v.details.enable()
	}
}

// confidenceCell shows a confidence level, coloured.
func confidenceCell(c incident.Confidence) dataCell {
	d := dataCell{text: confidenceTitle(c)}
	switch c {
	case incident.ConfidenceHigh:
		d.imp = widget.SuccessImportance
	case incident.ConfidenceLow:
		d.imp = widget.WarningImportance
	}
	return d
}

// confidenceTitle is a confidence level as people write it.
func confidenceTitle(c incident.Confidence) string {
	if c == "" {
		return notSet
	}
	return sentence(string(c))
}

// rowOf returns the index of finding id in v.findings, or -1.
func (v *findingsView) rowOf(id uuid.UUID) int {
	for i := range v.findings {
		if v.findings[i].ID == id {
			return i
		}
	}
	return -1
}

// selectFinding shows finding id in the details (uuid.Nil clears them).
func (v *findingsView) selectFinding(id uuid.UUID) {
	r := v.rowOf(id)
	if r < 0 {
		id = uuid.Nil
	}
	v.selected = id
	if id == uuid.Nil {
		v.table.mark(nil)
		v.details.show(nil)
		return
	}
	v.table.mark(id)
	v.details.show(&v.findings[r])
}

// Selected returns the chosen finding, or nil.
func (v *findingsView) Selected() *incident.Finding {
	if r := v.rowOf(v.selected); r >= 0 {
		return &v.findings[r]
	}
	return nil
}

// findingDetails is the panel under the findings table.
type findingDetails struct {
	v *findingsView

	empty       *widget.Label
	title       *widget.Label
	meta        *widget.Label
	edit        *actionButton
	history     *widget.Button
	description *widget.RichText
	note        *widget.Label // says links, images or HTML were made inert
	locations   *fyne.Container
	indicators  *widget.Label
	techniques  *widget.Label
	sections    *fyne.Container
	root        *fyne.Container
}

func newFindingDetails(v *findingsView) *findingDetails {
	d := &findingDetails{v: v}
	d.empty = widget.NewLabel("")
	d.empty.Wrapping = fyne.TextWrapWord
	d.empty.TextStyle = fyne.TextStyle{Italic: true}
	d.title = subheading("")
	d.title.Wrapping = fyne.TextWrapWord
	d.meta = widget.NewLabel("")
	d.meta.Wrapping = fyne.TextWrapWord
	d.edit = v.cv.action("Edit…", theme.DocumentCreateIcon(), func() {
		if f := v.Selected(); f != nil {
			v.u.showFindingEditor(f, nil)
		}
	})
	d.history = widget.NewButtonWithIcon("History…", theme.HistoryIcon(), func() {
		if f := v.Selected(); f != nil {
			v.u.showFindingHistory(*f)
		}
	})
	d.description = widget.NewRichText()
	d.description.Wrapping = fyne.TextWrapWord
	d.locations = container.NewVBox()
	d.indicators = valueLabel()
	d.techniques = valueLabel()
	d.techniques.TextStyle = fyne.TextStyle{Monospace: true}
	grid := factGrids([]fact{
		{"Evidence", d.locations},
		{"Indicators", d.indicators},
		{"ATT&CK", d.techniques},
	})[0]
	head := container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(d.history, d.edit)), container.NewVBox(d.title, d.meta))
	d.note = mutedLabel(defangedNote)
	d.sections = container.NewVBox(head,
		widget.NewCard("", "", container.NewVBox(d.description, d.note)),
		widget.NewCard("", "", grid))
	d.root = container.NewVBox(d.empty, d.sections)
	return d
}

// show fills the panel with f, or says what to do when none is chosen.
func (d *findingDetails) show(f *incident.Finding) {
	if f == nil {
		if len(d.v.findings) == 0 {
			d.empty.SetText("No findings yet. A finding annotates exact bytes of the evidence: choose New finding…, " +
				"or select a byte range in an item's hex view (Evidence › View bytes) and choose New finding from selection.")
		} else {
			d.empty.SetText("Choose a finding to see its description, evidence locations and history.")
		}
		d.empty.Show()
		d.sections.Hide()
		relayout(d.root)
		return
	}
	d.empty.Hide()
	d.sections.Show()
	d.title.SetText(shownLine(f.Title))
	meta := fmt.Sprintf("%s confidence · revision %d · created in %s by %s", confidenceTitle(f.Confidence), f.Revision,
		f.Stage.Title(), attribution(f.Created))
	if f.Revision > 1 {
		meta += " · last changed by " + attribution(f.Updated)
	}
	d.meta.SetText(meta)
	src := f.Description
	if strings.TrimSpace(src) == "" {
		src = "*No description.*"
	}
	segs, defanged := safeMarkdownReport(src)
	d.description.Segments = segs
	d.description.Refresh()
	if defanged {
		d.note.Show()
	} else {
		d.note.Hide()
	}
	d.locations.Objects = locationRows(d.v.u, f.Locations, f.Events)
	d.locations.Refresh()
	d.indicators.SetText(indicatorLines(d.v.cv.oc.incident, f.Indicators))
	d.techniques.SetText(orNotSet(strings.Join(f.Techniques, "\n")))
	d.enable()
	relayout(d.root)
}

// enable allows Edit… while the incident takes changes.
func (d *findingDetails) enable() {
	d.edit.allow(d.v.cv.whyNotIncident(casefile.PermInvestigate))
}

// locationText describes an evidence location: "fs01-system.raw ·
// 0x1be–0x1cd (16 bytes)"; the end shown is the last byte, inclusive.
func locationText(u *UI, l incident.EvidenceLocation) string {
	name := l.Evidence.String()
	if u.cv != nil {
		if ev := u.cv.oc.evidence.item(l.Evidence); ev != nil {
			name = shownLine(ev.Meta.Name)
		}
	}
	return fmt.Sprintf("%s · 0x%x–0x%x (%s)", name, l.Start, l.End-1, byteCount(l.Len()))
}

// locationRows lists locations, each with a button that opens the hex view
// on its bytes, selected.
func locationRows(u *UI, locs []incident.EvidenceLocation, events []incident.EventAnchor) []fyne.CanvasObject {
	if len(locs) == 0 && len(events) == 0 {
		return []fyne.CanvasObject{widget.NewLabel(notSet)}
	}
	var out []fyne.CanvasObject
	for _, l := range locs {
		text := widget.NewLabel(locationText(u, l))
		text.Wrapping = fyne.TextWrapWord
		b := widget.NewButtonWithIcon("View bytes", theme.VisibilityIcon(), func() {
			if u.cv == nil {
				return
			}
			if ev := u.cv.oc.evidence.item(l.Evidence); ev != nil {
				u.openHexViewRange(*ev, l.Start, l.End)
			}
		})
		b.Importance = widget.LowImportance
		out = append(out, container.NewBorder(nil, nil, nil, b, text))
	}
	for _, a := range events {
		text := widget.NewLabel(anchorText(u, a))
		text.Wrapping = fyne.TextWrapWord
		loc, inItem := a.Location()
		b := newActionButton("View record", theme.VisibilityIcon(), func() {
			if u.cv == nil {
				return
			}
			if ev := u.cv.oc.evidence.item(loc.Evidence); ev != nil {
				u.openHexViewRange(*ev, loc.Start, loc.End)
			}
		})
		if !inItem {
			b.allow("the record's offset is in the decompressed gzip stream, but the hex view shows the item's stored bytes.")
		}
		b.Importance = widget.LowImportance
		out = append(out, container.NewBorder(nil, nil, nil, b, text))
	}
	return out
}

// anchorText describes a finding's event: "event 0a30…:2 of auth.log ·
// record at offset 99, 101 bytes".
func anchorText(u *UI, a incident.EventAnchor) string {
	name := a.Item.String()
	if u.cv != nil {
		if ev := u.cv.oc.evidence.item(a.Item); ev != nil {
			name = shownLine(ev.Meta.Name)
		}
	}
	if a.Item == uuid.Nil { // not resolved yet: only the id was given
		return "Timeline event " + shownLine(a.Event)
	}
	s := fmt.Sprintf("Timeline event %d of %s · record at offset %d (0x%x), %s", a.Ordinal, name, a.Offset, a.Offset, byteCount(a.Length))
	if a.Stream != "" {
		s += " of the decompressed " + a.Stream + " stream"
	}
	return s
}

// indicatorLines names the indicators with ids, one per line.
func indicatorLines(f incidentFacts, ids []uuid.UUID) string {
	if len(ids) == 0 {
		return notSet
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		if ind := f.indicator(id); ind != nil {
			out[i] = indicatorText(*ind)
		} else {
			out[i] = "Unknown indicator " + id.String()
		}
	}
	return strings.Join(out, "\n")
}

// findingHistoryView is the dialog listing every revision of a finding,
// with the content of the chosen one.
type findingHistoryView struct {
	revs    []incident.FindingRevision
	src     *listSource[incident.FindingRevision]
	table   *dataTable
	content *fyne.Container
	dlg     *dialog.CustomDialog
}

// showFindingHistory reads every revision of f off the UI goroutine and
// shows them.
func (u *UI) showFindingHistory(f incident.Finding) {
	cv := u.cv
	if cv == nil {
		return
	}
	oc := cv.oc
	u.runJob(func() func() {
		revs, err := incident.Of(oc.c).FindingHistory(f.ID)
		return func() {
			if err != nil {
				u.showError("The history of the finding could not be read", err, nil)
				return
			}
			u.openFindingHistory(f, revs)
		}
	})
}

func (u *UI) openFindingHistory(f incident.Finding, revs []incident.FindingRevision) {
	h := &findingHistoryView{revs: revs}
	changed := func(r *incident.FindingRevision) string {
		for i := range revs {
			if revs[i].Revision == r.Revision && i > 0 {
				return strings.Join(changedParts(revs[i-1].FindingContent, r.FindingContent), ", ")
			}
		}
		return "Created"
	}
	h.src = newListSource([]listColumn[incident.FindingRevision]{
		{dataColumn{title: "Rev.", width: 60}, func(r *incident.FindingRevision) dataCell {
			return dataCell{text: fmt.Sprint(r.Revision), end: true}
		}, nil},
		{dataColumn{title: "Time (UTC)", width: 220}, func(r *incident.FindingRevision) dataCell {
			return cell(r.At.UTC().Format(timeLayout))
		}, nil},
		{dataColumn{title: "Author", width: 300}, func(r *incident.FindingRevision) dataCell {
			return cell(attribution(casefile.Attribution{Examiner: r.Examiner, Role: r.Role}))
		}, nil},
		{dataColumn{title: "Changed", width: 260}, func(r *incident.FindingRevision) dataCell { return cell(changed(r)) }, nil},
		{dataColumn{title: "Reason", width: 400}, func(r *incident.FindingRevision) dataCell {
			return dataCell{text: orNotSet(oneLine(shown(r.Reason))), full: shown(r.Reason)}
		}, nil},
	}, func(r *incident.FindingRevision) any { return r.Revision })
	h.src.set(revs)
	h.table = h.src.table(u, 2, 6)
	h.table.reload()
	h.content = container.NewVBox()
	h.table.onSelect = func(key any) {
		if r := h.src.find(key); r != nil {
			h.content.Objects = []fyne.CanvasObject{revisionContent(u, *r)}
			h.content.Refresh()
		}
	}
	if len(revs) > 0 {
		h.table.choose(revs[len(revs)-1].Revision)
	}
	body := container.NewBorder(
		container.NewVBox(mutedLabel(fmt.Sprintf("%s of %q. Every revision is kept as it was saved, sealed, with its "+
			"author, time and reason; choose one to see its content.", plural(len(revs), "revision", "revisions"), shownLine(f.Title))), h.table.box),
		nil, nil, nil, container.NewVScroll(h.content))
	u.history = h
	h.dlg = u.messageDialogWith("History of the finding", "Close", nil, body, 980, func() {
		if u.history == h {
			u.history = nil
		}
	})
	h.dlg.Resize(dialogSize(u.win, 980, 640))
}

// changedParts names the parts of a finding that differ between two
// revisions.
func changedParts(a, b incident.FindingContent) []string {
	var out []string
	if a.Title != b.Title {
		out = append(out, "title")
	}
	if a.Description != b.Description {
		out = append(out, "description")
	}
	if a.Confidence != b.Confidence {
		out = append(out, "confidence")
	}
	if fmt.Sprint(a.Locations) != fmt.Sprint(b.Locations) {
		out = append(out, "locations")
	}
	if fmt.Sprint(a.Indicators) != fmt.Sprint(b.Indicators) {
		out = append(out, "indicators")
	}
	if fmt.Sprint(a.Techniques) != fmt.Sprint(b.Techniques) {
		out = append(out, "techniques")
	}
	return out
}

// revisionContent shows the content of one revision.
func revisionContent(u *UI, r incident.FindingRevision) fyne.CanvasObject {
	title := subheading(fmt.Sprintf("Revision %d: %s", r.Revision, shownLine(r.Title)))
	title.Wrapping = fyne.TextWrapWord
	var locs []string
	for _, l := range r.Locations {
		locs = append(locs, locationText(u, l))
	}
	facts := factGrids([]fact{
		{"Confidence", widget.NewLabel(confidenceTitle(r.Confidence))},
		{"Evidence", wrapped(orNotSet(strings.Join(locs, "\n")))},
		{"Indicators", wrapped(indicatorLines(u.cv.oc.incident, r.Indicators))},
		{"ATT&CK", wrapped(orNotSet(strings.Join(r.Techniques, ", ")))},
	})[0]
	src := r.Description
	if strings.TrimSpace(src) == "" {
		src = "*No description.*"
	}
	return container.NewVBox(title, facts, widget.NewCard("", "", newMarkdownView(src)))
}

// wrapped is a wrapping, selectable label.
func wrapped(text string) *widget.Label {
	l := valueLabel()
	l.SetText(text)
	return l
}
