package app

import (
	"fmt"
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

// postMortemArea is the Post-mortem area: the latest revision of the
// post-mortem (summary, lapses by category with their engineering
// follow-up, the assessment of the procedures, SOP updates) and the repair
// item inventory with owners, due dates and status, overdue items flagged.
// Both stay editable after Close.
type postMortemArea struct{}

func (postMortemArea) title() string            { return "Post-mortem" }
func (postMortemArea) icon() fyne.ThemeIconName { return theme.IconNameDocumentCreate }
func (postMortemArea) fill() bool               { return false }

// postMortemView is the Post-mortem area on screen.
type postMortemView struct {
	cv *caseView

	revision   *widget.Label
	summary    *widget.RichText
	lapses     *widget.Label
	procedures *widget.RichText
	sopUpdates *widget.Label
	edit       *actionButton
	pmBody     *fyne.Container
	pmForm     *lapsesEditor // the lapses of the open post-mortem form, for tests

	filter      *widget.RadioGroup
	counts      *widget.Label
	repairSrc   *listSource[incident.RepairItem]
	repairs     *dataTable
	add         *actionButton
	assign      *actionButton
	due         *actionButton
	status      *actionButton
	loadProblem *widget.Label
	root        *fyne.Container
}

// The repair item filters.
const (
	repairAll     = "All"
	repairOpen    = "Not done"
	repairOverdue = "Overdue"
)

var lapseTitles = map[incident.LapseCategory]string{
	incident.LapseTechnical:      "Technical",
	incident.LapseCommunications: "Communications",
	incident.LapseProcedural:     "Procedural",
	incident.LapseManualError:    "Manual error",
	incident.LapseProcessFlaw:    "Process flaw",
}

var repairStatusTitles = map[incident.RepairStatus]string{
	incident.RepairOpen:       "Open",
	incident.RepairInProgress: "In progress",
	incident.RepairDone:       "Done",
}

func (a postMortemArea) build(cv *caseView) areaView {
	p := &postMortemView{cv: cv}
	p.revision = mutedLabel("")
	p.summary = widget.NewRichText()
	p.summary.Wrapping = fyne.TextWrapWord
	p.procedures = widget.NewRichText()
	p.procedures.Wrapping = fyne.TextWrapWord
	p.lapses = valueLabel()
	p.sopUpdates = valueLabel()
	p.loadProblem = problemLabel()
	p.edit = cv.action("Edit post-mortem…", theme.DocumentCreateIcon(), p.showPostMortem)
	grid := factGrids([]fact{
		{"Summary", p.summary}, {"Lapses", p.lapses}, {"Procedures", p.procedures}, {"SOP updates", p.sopUpdates},
	})[0]
	p.pmBody = container.NewVBox(p.revision, grid)

	p.counts = widget.NewLabel("")
	p.counts.Wrapping = fyne.TextWrapWord
	now := cv.u.now()
	p.repairSrc = newListSource([]listColumn[incident.RepairItem]{
		{dataColumn{title: "Description", width: 380}, func(it *incident.RepairItem) dataCell {
			return dataCell{text: oneLine(shown(it.Description)), full: shown(it.Description)}
		}, nil},
		{dataColumn{title: "Owner", width: 200}, func(it *incident.RepairItem) dataCell {
			if it.Owner == "" {
				return dataCell{text: "No owner", imp: widget.WarningImportance}
			}
			return cell(shownLine(it.Owner))
		}, nil},
		{dataColumn{title: "Due", width: 200}, func(it *incident.RepairItem) dataCell {
			switch {
			case it.Due.IsZero():
				return cell(notSet)
			case it.Overdue(now):
				return dataCell{text: it.Due.Format(time.DateOnly) + " — OVERDUE", imp: widget.DangerImportance, bold: true}
			}
			return cell(it.Due.Format(time.DateOnly))
		}, func(a, b *incident.RepairItem) int { return a.Due.Compare(b.Due) }},
		{dataColumn{title: "Status", width: 130}, func(it *incident.RepairItem) dataCell {
			if it.Status == incident.RepairDone {
				return dataCell{text: "Done " + it.Completed.UTC().Format(time.DateOnly), imp: widget.SuccessImportance}
			}
			return cell(repairStatusTitles[it.Status])
		}, nil},
		{dataColumn{title: "Updated", width: 320}, func(it *incident.RepairItem) dataCell { return cell(attribution(it.Attribution)) }, nil},
	}, func(it *incident.RepairItem) any { return it.ID })
	p.repairSrc.keep = func(it *incident.RepairItem) bool {
		switch p.filter.Selected {
		case repairOpen:
			return it.Status != incident.RepairDone
		case repairOverdue:
			return it.Overdue(cv.u.now())
		}
		return true
	}
	p.repairs = p.repairSrc.table(cv.u, 3, 12)
	p.repairs.onSelect = func(any) { p.enable() }
	p.filter = widget.NewRadioGroup([]string{repairAll, repairOpen, repairOverdue}, nil)
	p.filter.Horizontal = true
	p.filter.Selected = repairAll
	p.filter.OnChanged = func(string) { p.showRepairs() }
	p.add = cv.action("Add item…", theme.ContentAddIcon(), cv.showAddRepair)
	p.assign = cv.action("Owner…", theme.AccountIcon(), func() { p.withItem(cv.showAssignRepair) })
	p.due = cv.action("Due date…", theme.HistoryIcon(), func() { p.withItem(cv.showRepairDue) })
	p.status = cv.action("Status…", theme.ConfirmIcon(), func() { p.withItem(cv.showRepairStatus) })
	p.root = container.NewVBox(
		heading(a.title()),
		p.loadProblem,
		sectionWith("Post-mortem", p.pmBody, p.edit),
		sectionWith("Repair items", container.NewVBox(
			container.NewBorder(nil, nil, widget.NewLabelWithStyle("Show", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, p.filter),
			p.counts,
			p.repairs.box,
			container.NewHBox(p.assign, p.due, p.status),
		), p.add),
	)
	p.load(cv.oc.incident)
	return p
}

func (p *postMortemView) content() fyne.CanvasObject { return p.root }

func (p *postMortemView) refresh(what factSet) {
	if what.has(factsIncident) {
		p.load(p.cv.oc.incident)
	} else {
		p.enable()
	}
}

func (p *postMortemView) load(f incidentFacts) {
	showLoadProblem(p.loadProblem, f)
	if pm := f.postMortem; pm != nil {
		p.revision.SetText(fmt.Sprintf("Revision %d by %s.", pm.Revision, attribution(pm.Attribution)))
		p.summary.Segments = safeMarkdown(orNotSet(pm.Summary))
		p.procedures.Segments = safeMarkdown(orNotSet(pm.ProcedureAssessment))
		p.lapses.SetText(lapsesText(pm.Lapses))
		if len(pm.SOPUpdates) == 0 {
			p.sopUpdates.SetText(notSet)
		} else {
			ups := make([]string, len(pm.SOPUpdates))
			for i, s := range pm.SOPUpdates {
				ups[i] = "• " + shownLine(s)
			}
			p.sopUpdates.SetText(strings.Join(ups, "\n"))
		}
	} else {
		p.revision.SetText("Not written yet. The incident closes only with a post-mortem summary; the incident " +
			"manager drafts it and keeps the inventory of repair items, their owners and completion dates.")
		p.summary.Segments = safeMarkdown(notSet)
		p.procedures.Segments = safeMarkdown(notSet)
		p.lapses.SetText(notSet)
		p.sopUpdates.SetText(notSet)
	}
	p.summary.Refresh()
	p.procedures.Refresh()
	p.showRepairs()
	relayout(p.root)
}

// lapsesText lists lapses grouped by category, technical lapses with their
// engineering follow-up.
func lapsesText(ls []incident.Lapse) string {
	if len(ls) == 0 {
		return notSet
	}
	var out []string
	pc := incident.PostMortemContent{Lapses: ls}
	for _, cat := range incident.LapseCategories {
		of := pc.LapsesOf(cat)
		if len(of) == 0 {
			continue
		}
		out = append(out, lapseTitles[cat]+":")
		for _, l := range of {
			line := "  • " + shownLine(l.Description)
			if l.EngineeringFollowUp != "" {
				line += "\n      Engineering follow-up: " + shownLine(l.EngineeringFollowUp)
			}
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// showRepairs shows the repair items the filter lets through.
func (p *postMortemView) showRepairs() {
	if p.repairs == nil {
		return // the filter fires while the area is built
	}
	now := p.cv.u.now()
	all := p.cv.oc.incident.repairs
	var overdue, unowned, open int
	for _, it := range all {
		if it.Overdue(now) {
			overdue++
		}
		if it.OwnerID == uuid.Nil {
			unowned++
		}
		if it.Status != incident.RepairDone {
			open++
		}
	}
	counts := fmt.Sprintf("%s · %d not done", plural(len(all), "item", "items"), open)
	if overdue > 0 {
		counts += fmt.Sprintf(" · %d OVERDUE", overdue)
		p.counts.Importance = widget.DangerImportance
	} else {
		p.counts.Importance = widget.MediumImportance
	}
	if unowned > 0 {
		counts += fmt.Sprintf(" · %d without owner", unowned)
	}
	p.counts.SetText(counts)
	p.repairSrc.set(all)
	p.repairs.reload()
	p.enable()
}

// enable allows the changes the post-mortem and the chosen item take.
func (p *postMortemView) enable() {
	why := p.cv.whyNot(casefile.PermPostMortem)
	p.edit.allow(why)
	p.add.allow(why)
	if why == "" && p.chosen() == nil {
		why = "choose a repair item in the table first."
	}
	for _, b := range []*actionButton{p.assign, p.due, p.status} {
		b.allow(why)
	}
}

// chosen returns the chosen repair item, or nil.
func (p *postMortemView) chosen() *incident.RepairItem {
	return p.repairSrc.find(p.repairs.selected)
}

// withItem calls show with the chosen repair item.
func (p *postMortemView) withItem(show func(incident.RepairItem)) {
	if it := p.chosen(); it != nil {
		show(*it)
	}
}

// lapseRow is one lapse in the post-mortem form.
type lapseRow struct {
	category    *formSelect
	description *formEntry
	followUp    *formCheck
	followWho   *formEntry
	problem     *widget.Label // the row's problem (slot's)
	slot        *problemSlot
	remove      *formButton
	root        *fyne.Container
}

// lapsesEditor edits the lapses of the post-mortem: one row per lapse,
// with its category and, for a lapse engineering teams follow up on, who
// does and where.
type lapsesEditor struct {
	form      *recordForm
	rows      []*lapseRow
	box       *fyne.Container
	addButton *formButton
	root      *fyne.Container
}

func newLapsesEditor(form *recordForm, lapses []incident.Lapse) *lapsesEditor {
	e := &lapsesEditor{form: form, box: container.NewVBox()}
	e.addButton = form.button("Add lapse", theme.ContentAddIcon(), func() {
		r := e.addRow(incident.Lapse{Category: incident.LapseTechnical})
		form.fit()
		form.u.win.Canvas().Focus(r.description)
	})
	e.addButton.Importance = widget.LowImportance
	for _, l := range lapses {
		e.addRow(l)
	}
	e.root = container.NewVBox(e.box, container.NewHBox(e.addButton))
	return e
}

func (e *lapsesEditor) addRow(l incident.Lapse) *lapseRow {
	keys := e.form.keys
	r := &lapseRow{}
	r.category = newFormSelect(keys, optionsOf(incident.LapseCategories, lapseTitles))
	r.category.SetSelected(lapseTitles[l.Category])
	r.category.OnChanged = func(string) { e.form.recheck() }
	r.description = newFormEntry(keys, 0)
	r.description.SetPlaceHolder("What lapsed: a technical or communications lapse, a procedural failure, a manual error, a process flaw")
	r.description.SetText(l.Description)
	r.description.OnChanged = func(string) { e.form.recheck() }
	r.followWho = newFormEntry(keys, 0)
	r.followWho.SetPlaceHolder("Engineering team and ticket")
	r.followWho.SetText(l.EngineeringFollowUp)
	r.followWho.OnChanged = func(string) { e.form.recheck() }
	// The team field is always there, disabled without a follow-up, so
	// ticking the box moves nothing.
	r.followUp = newFormCheck(keys, "Engineering follow-up", func(on bool) {
		if on {
			r.followWho.Enable()
		} else {
			r.followWho.Disable()
		}
		e.form.recheck()
	})
	r.followUp.SetChecked(l.EngineeringFollowUp != "")
	if !r.followUp.Checked {
		r.followWho.Disable()
	}
	r.slot = e.form.slot("Lapse")
	r.problem = r.slot.label
	r.remove = e.form.button("", theme.DeleteIcon(), func() {
		e.form.dropSlot(r.slot)
		for i, x := range e.rows {
			if x == r {
				e.rows = append(e.rows[:i], e.rows[i+1:]...)
				break
			}
		}
		e.box.Remove(r.root)
		e.form.fit()
	})
	r.remove.Importance = widget.LowImportance
	r.root = container.NewVBox(
		container.NewBorder(nil, nil, container.New(minSizeLayout{fyne.NewSize(selectWidthOf(r.category.Options), 0)}, r.category),
			r.remove, r.description),
		container.NewBorder(nil, nil, r.followUp, nil, r.followWho),
		r.slot, widget.NewSeparator())
	e.rows = append(e.rows, r)
	e.box.Add(r.root)
	return r
}

// lapses returns the lapses typed, and whether each is complete.
func (e *lapsesEditor) lapses() ([]incident.Lapse, bool) {
	ok := true
	out := make([]incident.Lapse, 0, len(e.rows))
	for _, r := range e.rows {
		cat, _ := keyOf(incident.LapseCategories, lapseTitles, r.category.Selected)
		l := incident.Lapse{Category: cat, Description: strings.TrimSpace(r.description.Text)}
		msg := ""
		switch {
		case l.Description == "":
			msg = "Describe the lapse, or remove the row."
		case r.followUp.Checked && strings.TrimSpace(r.followWho.Text) == "":
			msg = "Say which engineering team follows it up, and where (ticket)."
		}
		if r.followUp.Checked {
			l.EngineeringFollowUp = strings.TrimSpace(r.followWho.Text)
		}
		r.slot.set(msg)
		ok = ok && msg == ""
		out = append(out, l)
	}
	return out, ok
}

// showPostMortem opens the post-mortem form; saving makes a new revision.
func (p *postMortemView) showPostMortem() {
	cv := p.cv
	var cur incident.PostMortemContent
	if pm := cv.oc.incident.postMortem; pm != nil {
		cur = pm.PostMortemContent
	}
	form := cv.u.newRecordForm("Edit the post-mortem", "Save revision",
		"The post-mortem addresses the lapses that caused the incident or were found in it, the technical lapses to "+
			"follow up with engineering, whether the response procedures were sufficient and complete, and the updates "+
			"the SOP needs. Text is Markdown. Every save is a new revision.")
	form.width = 820
	summary := form.text("Summary *", "The details of the incident: what happened, impact, timeline, root cause", 5)
	summary.SetText(cur.Summary)
	lapses := newLapsesEditor(form, cur.Lapses)
	form.note("Lapses", lapses.root)
	procedures := form.text("Procedures", "Were the response procedures sufficient and complete?", 3)
	procedures.SetText(cur.ProcedureAssessment)
	sop := form.text("SOP updates", "One update of the response SOP per line", 3)
	sop.SetText(strings.Join(cur.SOPUpdates, "\n"))
	reason := form.entry("Reason", "What this revision changes (optional)")
	form.check = func() bool {
		_, ok := lapses.lapses()
		return form.require("Summary", summary.Text, "Write the summary: closing the incident needs it.") && ok
	}
	form.build = func() func(*casefile.Case) error {
		ls, _ := lapses.lapses()
		pc := incident.PostMortemContent{Summary: summary.Text, Lapses: ls, ProcedureAssessment: procedures.Text,
			SOPUpdates: lines(sop.Text)}
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).UpdatePostMortem(pc, r)
			return err
		}
	}
	p.pmForm = lapses
	form.onClosed = func() { p.pmForm = nil }
	form.show(summary)
}

// ownerChoices lists the examiners who can own a repair item.
func (cv *caseView) ownerChoices() []string {
	return assignableExaminers(cv.oc.custody.examiners)
}

// showAddRepair opens the form that adds a repair item.
func (cv *caseView) showAddRepair() {
	form := cv.u.newRecordForm("Add a repair item", "Add",
		"An item of the repair inventory: what must be fixed, who owns it, and by when. Closing the incident needs an "+
			"owner for every item; an owner can be assigned later.")
	desc := form.text("Description *", "What must be repaired or changed", 2)
	owner := form.choice("Owner", append([]string{"No owner yet"}, cv.ownerChoices()...), "No owner yet")
	due := form.entry("Due", "2026-03-31 (optional)")
	reason := form.entry("Reason", "Why it is needed, for the custody record (optional)")
	form.check = func() bool {
		problem := ""
		if strings.TrimSpace(due.Text) != "" {
			_, problem = parseDateInput(due.Text)
		}
		form.setProblem("Due", problem)
		return form.require("Description", desc.Text, "Describe the repair.") && problem == ""
	}
	form.build = func() func(*casefile.Case) error {
		n := incident.NewRepairItem{Description: strings.TrimSpace(desc.Text), Reason: strings.TrimSpace(reason.Text)}
		if owner.Selected != "No owner yet" {
			n.Owner = owner.Selected
		}
		if strings.TrimSpace(due.Text) != "" {
			n.Due, _ = parseDateInput(due.Text)
		}
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).AddRepairItem(n)
			return err
		}
	}
	form.show(desc)
}

// showAssignRepair opens the form that makes an examiner the owner of it.
func (cv *caseView) showAssignRepair(it incident.RepairItem) {
	form := cv.u.newRecordForm("Owner of the repair item", "Assign", shownLine(it.Description))
	owner := form.choice("Owner *", cv.ownerChoices(), it.Owner)
	reason := form.entry("Reason", "Why this owner (optional)")
	form.check = func() bool {
		if owner.Selected == "" {
			form.setProblem("Owner", "Choose the owner.")
			return false
		}
		form.setProblem("Owner", "")
		return true
	}
	form.build = func() func(*casefile.Case) error {
		o, r, id := owner.Selected, strings.TrimSpace(reason.Text), it.ID
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).AssignRepairItem(id, o, r)
			return err
		}
	}
	form.show(nil)
}

// showRepairDue opens the form that sets or clears its due date.
func (cv *caseView) showRepairDue(it incident.RepairItem) {
	form := cv.u.newRecordForm("Due date of the repair item", "Set", shownLine(it.Description))
	due := form.entry("Due", "2026-03-31; empty clears the date")
	if !it.Due.IsZero() {
		due.SetText(it.Due.Format(time.DateOnly))
	}
	reason := form.entry("Reason", "Why it changes (optional)")
	form.check = func() bool {
		problem := ""
		if strings.TrimSpace(due.Text) != "" {
			_, problem = parseDateInput(due.Text)
		}
		form.setProblem("Due", problem)
		return problem == ""
	}
	form.build = func() func(*casefile.Case) error {
		var d time.Time
		if strings.TrimSpace(due.Text) != "" {
			d, _ = parseDateInput(due.Text)
		}
		r, id := strings.TrimSpace(reason.Text), it.ID
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).SetRepairDue(id, d, r)
			return err
		}
	}
	form.show(due)
}

// showRepairStatus opens the form that sets its status.
func (cv *caseView) showRepairStatus(it incident.RepairItem) {
	form := cv.u.newRecordForm("Status of the repair item", "Set", shownLine(it.Description))
	status := form.radio("Status *", optionsOf(incident.RepairStatuses, repairStatusTitles), repairStatusTitles[it.Status])
	reason := form.entry("Reason", "e.g. the fix is deployed (optional)")
	form.build = func() func(*casefile.Case) error {
		st, ok := keyOf(incident.RepairStatuses, repairStatusTitles, status.Selected)
		if !ok {
			form.setProblem("Status", "Choose the status.")
			return nil
		}
		r, id := strings.TrimSpace(reason.Text), it.ID
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).SetRepairStatus(id, st, r)
			return err
		}
	}
	form.show(reason)
}
