package app

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
)

// findingsView is the Findings area: the case's findings in a table
// (newest first), the chosen one in full underneath — its description
// rendered safely, the exact evidence locations it rests on (each opens the
// hex view on its bytes), its indicators and ATT&CK techniques — and New
// finding…, Edit… and History….
type findingsView struct {
	u  *UI
	cv *caseView

	findings []casefile.Finding // newest first, as the table shows them
	selected uuid.UUID

	add         *widget.Button
	count       *widget.Label
	loadProblem *widget.Label
	table       *dataTable
	details     *findingDetails
	body        *fyne.Container
}

func buildFindings(cv *caseView, a area) fyne.CanvasObject {
	v := &findingsView{u: cv.u, cv: cv}
	cv.findings = v
	v.add = widget.NewButtonWithIcon("New finding…", theme.ContentAddIcon(), func() { v.u.showFindingEditor(nil, nil) })
	v.add.Importance = widget.HighImportance
	v.count = widget.NewLabel("")
	v.loadProblem = problemLabel()
	v.table = newDataTable([]dataColumn{
		{"Title", 380}, {"Confidence", 120}, {"Stage", 180}, {"Author", 220}, {"Updated (UTC)", 220}, {"Rev.", 60},
	}, 3, 1000)
	v.table.onSelect = func(row int) {
		if row >= 0 && row < len(v.findings) {
			v.selectFinding(v.findings[row].ID)
		}
	}
	v.details = newFindingDetails(v)
	split := container.NewVSplit(v.table.box, container.NewVScroll(container.NewPadded(v.details.root)))
	split.Offset = 0.3
	toolbar := container.NewHBox(v.add, layout.NewSpacer(), v.count)
	v.body = container.NewBorder(container.NewVBox(toolbar, v.loadProblem), nil, nil, nil, split)
	v.load(cv.oc.incident)
	if v.selected == uuid.Nil && len(v.findings) > 0 {
		v.selectFinding(v.findings[0].ID)
	}
	return container.NewBorder(heading(a.name), nil, nil, nil, v.body)
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
	rows := make([][]dataCell, len(v.findings))
	for i, fd := range v.findings {
		rows[i] = []dataCell{
			{text: shownLine(fd.Title), bold: true}, confidenceCell(fd.Confidence), cell(fd.Stage.Title()),
			cell(shownLine(fd.Created.Examiner)), cell(fd.Updated.At.UTC().Format(timeLayout)), cell(fmt.Sprint(fd.Revision)),
		}
	}
	v.table.set(rows)
	closed := f.inc.Stage == casefile.StageClose
	if closed {
		v.add.Disable()
	} else {
		v.add.Enable()
	}
	v.selectFinding(v.selected)
	relayout(v.body)
}

// confidenceCell shows a confidence level, coloured.
func confidenceCell(c casefile.Confidence) dataCell {
	d := dataCell{text: confidenceTitle(c)}
	switch c {
	case casefile.ConfidenceHigh:
		d.imp = widget.SuccessImportance
	case casefile.ConfidenceLow:
		d.imp = widget.WarningImportance
	}
	return d
}

// confidenceTitle is a confidence level as people write it.
func confidenceTitle(c casefile.Confidence) string {
	if c == "" {
		return notSet
	}
	return sentence(string(c))
}

// rowOf returns the table row of finding id, or -1.
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
	if v.table.selected != r {
		v.table.selected = r
		v.table.table.Refresh()
	}
	if r >= 0 {
		v.details.show(&v.findings[r])
	} else {
		v.details.show(nil)
	}
}

// Selected returns the chosen finding, or nil.
func (v *findingsView) Selected() *casefile.Finding {
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
	edit        *widget.Button
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
	d.edit = widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), func() {
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
func (d *findingDetails) show(f *casefile.Finding) {
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
	d.locations.Objects = locationRows(d.v.u, f.Locations)
	d.locations.Refresh()
	d.indicators.SetText(indicatorLines(d.v.cv.oc.incident, f.Indicators))
	d.techniques.SetText(orNotSet(strings.Join(f.Techniques, "\n")))
	closed := d.v.cv.oc.incident.inc.Stage == casefile.StageClose
	if closed {
		d.edit.Disable()
	} else {
		d.edit.Enable()
	}
	relayout(d.root)
}

// locationText describes an evidence location: "fs01-system.raw ·
// 0x1be–0x1cd (16 bytes)"; the end shown is the last byte, inclusive.
func locationText(u *UI, l casefile.EvidenceLocation) string {
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
func locationRows(u *UI, locs []casefile.EvidenceLocation) []fyne.CanvasObject {
	if len(locs) == 0 {
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
	return out
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
	revs    []casefile.FindingRevision
	table   *dataTable
	content *fyne.Container
	dlg     *dialog.CustomDialog
}

// showFindingHistory reads every revision of f off the UI goroutine and
// shows them.
func (u *UI) showFindingHistory(f casefile.Finding) {
	cv := u.cv
	if cv == nil {
		return
	}
	oc := cv.oc
	u.runJob(func() func() {
		revs, err := oc.c.FindingHistory(f.ID)
		return func() {
			if err != nil {
				u.showError("The history of the finding could not be read", err, nil)
				return
			}
			u.openFindingHistory(f, revs)
		}
	})
}

func (u *UI) openFindingHistory(f casefile.Finding, revs []casefile.FindingRevision) {
	h := &findingHistoryView{revs: revs}
	h.table = newDataTable([]dataColumn{
		{"Rev.", 60}, {"Time (UTC)", 220}, {"Author", 300}, {"Changed", 260}, {"Reason", 400},
	}, 2, 6)
	rows := make([][]dataCell, len(revs))
	for i, r := range revs {
		changed := "Created"
		if i > 0 {
			changed = strings.Join(changedParts(revs[i-1].FindingContent, r.FindingContent), ", ")
		}
		reason := orNotSet(oneLine(shown(r.Reason)))
		if i == 0 {
			reason = "—"
		}
		rows[i] = []dataCell{cell(fmt.Sprint(r.Revision)), cell(r.At.UTC().Format(timeLayout)),
			cell(attribution(casefile.Attribution{Examiner: r.Examiner, Role: r.Role})),
			cell(changed), cell(reason)}
	}
	h.table.set(rows)
	h.content = container.NewVBox()
	h.table.onSelect = func(row int) {
		if row < 0 || row >= len(revs) {
			return
		}
		h.content.Objects = []fyne.CanvasObject{revisionContent(u, revs[row])}
		h.content.Refresh()
	}
	h.table.choose(len(revs) - 1)
	body := container.NewBorder(
		container.NewVBox(mutedLabel(fmt.Sprintf("%s of %q. Every revision is kept as it was saved, sealed, with its "+
			"author and time; choose one to see its content.", plural(len(revs), "revision", "revisions"), shownLine(f.Title))), h.table.box),
		nil, nil, nil, container.NewVScroll(h.content))
	h.dlg = dialog.NewCustom("History of the finding", "Close", body, u.win)
	h.dlg.SetOnClosed(func() {
		if u.history == h {
			u.history = nil
		}
	})
	u.history = h
	h.dlg.Show()
	h.dlg.Resize(dialogSize(u.win, 980, 640))
}

// changedParts names the parts of a finding that differ between two
// revisions.
func changedParts(a, b casefile.FindingContent) []string {
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
func revisionContent(u *UI, r casefile.FindingRevision) fyne.CanvasObject {
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
