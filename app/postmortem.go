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
)

// postMortemPanel is the Post-mortem tab: the latest revision of the
// post-mortem (summary, lapses by category with their engineering
// follow-up, the assessment of the procedures, SOP updates) and the repair
// item inventory with owners, due dates and status, overdue items flagged.
// Both stay editable after Close.
type postMortemPanel struct {
	lv *lifecycleView

	revision   *widget.Label
	summary    *widget.RichText
	lapses     *widget.Label
	procedures *widget.RichText
	sopUpdates *widget.Label
	edit       *widget.Button
	pmBody     *fyne.Container

	filter  *widget.RadioGroup
	counts  *widget.Label
	shown   []casefile.RepairItem // the items on show, after the filter
	repairs *dataTable
	add     *widget.Button
	assign  *widget.Button
	due     *widget.Button
	status  *widget.Button
	root    *fyne.Container
}

// The repair item filters.
const (
	repairAll     = "All"
	repairOpen    = "Not done"
	repairOverdue = "Overdue"
)

var lapseTitles = map[casefile.LapseCategory]string{
	casefile.LapseTechnical:      "Technical",
	casefile.LapseCommunications: "Communications",
	casefile.LapseProcedural:     "Procedural",
	casefile.LapseManualError:    "Manual error",
	casefile.LapseProcessFlaw:    "Process flaw",
}

var repairStatusTitles = map[casefile.RepairStatus]string{
	casefile.RepairOpen:       "Open",
	casefile.RepairInProgress: "In progress",
	casefile.RepairDone:       "Done",
}

func newPostMortemPanel(lv *lifecycleView) *postMortemPanel {
	p := &postMortemPanel{lv: lv}
	p.revision = mutedLabel("")
	p.summary = widget.NewRichText()
	p.summary.Wrapping = fyne.TextWrapWord
	p.procedures = widget.NewRichText()
	p.procedures.Wrapping = fyne.TextWrapWord
	p.lapses = valueLabel()
	p.sopUpdates = valueLabel()
	p.edit = widget.NewButtonWithIcon("Edit post-mortem…", theme.DocumentCreateIcon(), lv.showPostMortem)
	grid := factGrids([]fact{
		{"Summary", p.summary}, {"Lapses", p.lapses}, {"Procedures", p.procedures}, {"SOP updates", p.sopUpdates},
	})[0]
	p.pmBody = container.NewVBox(p.revision, grid)

	p.filter = widget.NewRadioGroup([]string{repairAll, repairOpen, repairOverdue}, func(string) { p.showRepairs() })
	p.filter.Horizontal = true
	p.filter.SetSelected(repairAll)
	p.counts = widget.NewLabel("")
	p.repairs = newDataTable([]dataColumn{
		{"Description", 380}, {"Owner", 200}, {"Due", 200}, {"Status", 130}, {"Updated", 320},
	}, 3, 12)
	p.repairs.onSelect = func(int) { p.enable() }
	p.add = widget.NewButtonWithIcon("Add item…", theme.ContentAddIcon(), lv.showAddRepair)
	p.assign = widget.NewButtonWithIcon("Owner…", theme.AccountIcon(), func() { p.withItem(lv.showAssignRepair) })
	p.due = widget.NewButtonWithIcon("Due date…", theme.HistoryIcon(), func() { p.withItem(lv.showRepairDue) })
	p.status = widget.NewButtonWithIcon("Status…", theme.ConfirmIcon(), func() { p.withItem(lv.showRepairStatus) })
	p.root = container.NewVBox(
		sectionWith("Post-mortem", p.pmBody, p.edit),
		sectionWith("Repair items", container.NewVBox(
			container.NewBorder(nil, nil, widget.NewLabelWithStyle("Show", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.counts, p.filter),
			p.repairs.box,
			container.NewHBox(p.assign, p.due, p.status),
		), p.add),
	)
	return p
}

func (p *postMortemPanel) load(f incidentFacts) {
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
func lapsesText(ls []casefile.Lapse) string {
	if len(ls) == 0 {
		return notSet
	}
	var out []string
	pc := casefile.PostMortemContent{Lapses: ls}
	for _, cat := range casefile.LapseCategories {
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
func (p *postMortemPanel) showRepairs() {
	if p.repairs == nil {
		return // the filter fires while the panel is built
	}
	now := p.lv.u.now()
	all := p.lv.cv.oc.incident.repairs
	var overdue, unowned, open int
	p.shown = p.shown[:0]
	for _, it := range all {
		if it.Overdue(now) {
			overdue++
		}
		if it.OwnerID == uuid.Nil {
			unowned++
		}
		if it.Status != casefile.RepairDone {
			open++
		}
		switch p.filter.Selected {
		case repairOpen:
			if it.Status == casefile.RepairDone {
				continue
			}
		case repairOverdue:
			if !it.Overdue(now) {
				continue
			}
		}
		p.shown = append(p.shown, it)
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
	rows := make([][]dataCell, len(p.shown))
	for i, it := range p.shown {
		owner := dataCell{text: shownLine(it.Owner)}
		if it.Owner == "" {
			owner = dataCell{text: "No owner", imp: widget.WarningImportance}
		}
		due := cell(notSet)
		if !it.Due.IsZero() {
			due = cell(it.Due.Format(time.DateOnly))
			if it.Overdue(now) {
				due = dataCell{text: it.Due.Format(time.DateOnly) + " — OVERDUE", imp: widget.DangerImportance, bold: true}
			}
		}
		status := cell(repairStatusTitles[it.Status])
		if it.Status == casefile.RepairDone {
			status = dataCell{text: "Done " + it.Completed.UTC().Format(time.DateOnly), imp: widget.SuccessImportance}
		}
		rows[i] = []dataCell{cell(oneLine(shown(it.Description))), owner, due, status, cell(attribution(it.Attribution))}
	}
	p.repairs.set(rows)
	p.enable()
}

// enable allows the changes to the chosen item.
func (p *postMortemPanel) enable() {
	for _, b := range []*widget.Button{p.assign, p.due, p.status} {
		if p.repairs.selected >= 0 && p.repairs.selected < len(p.shown) {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// withItem calls show with the chosen repair item.
func (p *postMortemPanel) withItem(show func(casefile.RepairItem)) {
	if r := p.repairs.selected; r >= 0 && r < len(p.shown) {
		show(p.shown[r])
	}
}

// lapseRow is one lapse in the post-mortem form.
type lapseRow struct {
	category    *widget.Select
	description *widget.Entry
	followUp    *widget.Check
	followWho   *widget.Entry
	problem     *widget.Label
	remove      *widget.Button
	root        *fyne.Container
}

// lapsesEditor edits the lapses of the post-mortem: one row per lapse,
// with its category and, for a lapse engineering teams follow up on, who
// does and where.
type lapsesEditor struct {
	form *recordForm
	rows []*lapseRow
	box  *fyne.Container
	root *fyne.Container
}

func newLapsesEditor(form *recordForm, lapses []casefile.Lapse) *lapsesEditor {
	e := &lapsesEditor{form: form, box: container.NewVBox()}
	add := widget.NewButtonWithIcon("Add lapse", theme.ContentAddIcon(), func() {
		e.addRow(casefile.Lapse{Category: casefile.LapseTechnical})
		form.fit()
	})
	add.Importance = widget.LowImportance
	for _, l := range lapses {
		e.addRow(l)
	}
	e.root = container.NewVBox(e.box, container.NewHBox(add))
	return e
}

func (e *lapsesEditor) addRow(l casefile.Lapse) {
	r := &lapseRow{}
	r.category = widget.NewSelect(optionsOf(casefile.LapseCategories, lapseTitles), func(string) { e.form.recheck() })
	r.category.SetSelected(lapseTitles[l.Category])
	r.description = widget.NewEntry()
	r.description.SetPlaceHolder("What lapsed: a technical or communications lapse, a procedural failure, a manual error, a process flaw")
	r.description.SetText(l.Description)
	r.description.OnChanged = func(string) { e.form.recheck() }
	r.followWho = widget.NewEntry()
	r.followWho.SetPlaceHolder("Engineering team and ticket")
	r.followWho.SetText(l.EngineeringFollowUp)
	r.followWho.OnChanged = func(string) { e.form.recheck() }
	r.followUp = widget.NewCheck("Engineering follow-up", func(on bool) {
		if on {
			r.followWho.Show()
		} else {
			r.followWho.Hide()
		}
		e.form.recheck()
		e.form.fit()
	})
	r.followUp.SetChecked(l.EngineeringFollowUp != "")
	if !r.followUp.Checked {
		r.followWho.Hide()
	}
	r.problem = problemLabel()
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
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
		container.NewBorder(nil, nil, selectFitting(r.category), r.remove, r.description),
		container.NewBorder(nil, nil, r.followUp, nil, r.followWho),
		r.problem, widget.NewSeparator())
	e.rows = append(e.rows, r)
	e.box.Add(r.root)
}

// lapses returns the lapses typed, and whether each is complete.
func (e *lapsesEditor) lapses() ([]casefile.Lapse, bool) {
	ok := true
	out := make([]casefile.Lapse, 0, len(e.rows))
	for _, r := range e.rows {
		cat, _ := keyOf(casefile.LapseCategories, lapseTitles, r.category.Selected)
		l := casefile.Lapse{Category: cat, Description: strings.TrimSpace(r.description.Text)}
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
		setProblem(r.problem, msg)
		ok = ok && msg == ""
		out = append(out, l)
	}
	return out, ok
}

// showPostMortem opens the post-mortem form; saving makes a new revision.
func (lv *lifecycleView) showPostMortem() {
	var cur casefile.PostMortemContent
	if pm := lv.cv.oc.incident.postMortem; pm != nil {
		cur = pm.PostMortemContent
	}
	form := lv.u.newRecordForm("Edit the post-mortem", "Save revision",
		"The post-mortem addresses the lapses that caused the incident or were found in it, the technical lapses to "+
			"follow up with engineering, whether the response procedures were sufficient and complete, and the updates "+
			"the SOP needs. Text is Markdown. Every save is a new revision.")
	form.width = 820
	summary := form.text("Summary *", "The details of the incident: what happened, impact, timeline, root cause", 5)
	summary.SetText(cur.Summary)
	lapses := newLapsesEditor(form, cur.Lapses)
	form.add("Lapses", lapses.root)
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
		pc := casefile.PostMortemContent{Summary: summary.Text, Lapses: ls, ProcedureAssessment: procedures.Text,
			SOPUpdates: lines(sop.Text)}
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := c.UpdatePostMortem(pc, r)
			return err
		}
	}
	lv.pmForm = lapses
	form.show(summary)
}

// ownerChoices lists the examiners who can own a repair item.
func (lv *lifecycleView) ownerChoices() []string {
	return assignableExaminers(lv.cv.oc.custody.examiners)
}

// showAddRepair opens the form that adds a repair item.
func (lv *lifecycleView) showAddRepair() {
	form := lv.u.newRecordForm("Add a repair item", "Add",
		"An item of the repair inventory: what must be fixed, who owns it, and by when. Closing the incident needs an "+
			"owner for every item; an owner can be assigned later.")
	desc := form.text("Description *", "What must be repaired or changed", 2)
	owner := form.choice("Owner", append([]string{"No owner yet"}, lv.ownerChoices()...), "No owner yet")
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
		n := casefile.NewRepairItem{Description: strings.TrimSpace(desc.Text), Reason: strings.TrimSpace(reason.Text)}
		if owner.Selected != "No owner yet" {
			n.Owner = owner.Selected
		}
		if strings.TrimSpace(due.Text) != "" {
			n.Due, _ = parseDateInput(due.Text)
		}
		return func(c *casefile.Case) error {
			_, err := c.AddRepairItem(n)
			return err
		}
	}
	form.show(desc)
}

// showAssignRepair opens the form that makes an examiner the owner of it.
func (lv *lifecycleView) showAssignRepair(it casefile.RepairItem) {
	form := lv.u.newRecordForm("Owner of the repair item", "Assign", shownLine(it.Description))
	owner := form.choice("Owner *", lv.ownerChoices(), it.Owner)
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
			_, err := c.AssignRepairItem(id, o, r)
			return err
		}
	}
	form.show(nil)
}

// showRepairDue opens the form that sets or clears its due date.
func (lv *lifecycleView) showRepairDue(it casefile.RepairItem) {
	form := lv.u.newRecordForm("Due date of the repair item", "Set", shownLine(it.Description))
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
			_, err := c.SetRepairDue(id, d, r)
			return err
		}
	}
	form.show(due)
}

// showRepairStatus opens the form that sets its status.
func (lv *lifecycleView) showRepairStatus(it casefile.RepairItem) {
	form := lv.u.newRecordForm("Status of the repair item", "Set", shownLine(it.Description))
	status := widget.NewRadioGroup(optionsOf(casefile.RepairStatuses, repairStatusTitles), func(string) { form.recheck() })
	status.Horizontal = true
	status.SetSelected(repairStatusTitles[it.Status])
	form.add("Status *", status)
	reason := form.entry("Reason", "e.g. the fix is deployed (optional)")
	form.build = func() func(*casefile.Case) error {
		st, ok := keyOf(casefile.RepairStatuses, repairStatusTitles, status.Selected)
		if !ok {
			form.setProblem("Status", "Choose the status.")
			return nil
		}
		r, id := strings.TrimSpace(reason.Text), it.ID
		return func(c *casefile.Case) error {
			_, err := c.SetRepairStatus(id, st, r)
			return err
		}
	}
	form.show(reason)
}
