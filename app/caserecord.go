package app

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// recordPanel is the Case record tab: the fields the Detection and
// analysis article asks every case to record — how and when the event was
// detected, when the organization became aware of it (the decision
// regulatory clocks run from), the summary, the next steps and the related
// incidents.
type recordPanel struct {
	lv *lifecycleView

	source, detectedAt, detail    *widget.Label
	awareAt, awareBy, awareWhy    *widget.Label
	summary, nextSteps            *widget.Label
	related                       *dataTable
	setDetection, recordAwareness *widget.Button
	editSummary, editNextSteps    *widget.Button
	linkIncident, unlinkIncident  *widget.Button
	root                          *fyne.Container
}

var detectionTitles = map[casefile.DetectionSource]string{
	casefile.DetectionUnknown:           "Unknown",
	casefile.DetectionCustomerReport:    "Customer report",
	casefile.DetectionVulnerability:     "Vulnerability report to the security response center",
	casefile.DetectionRedTeam:           "Red Team activity",
	casefile.DetectionBlueTeam:          "Blue Team (security response) finding",
	casefile.DetectionMonitorSignature:  "Internal monitoring — signature alarm (antimalware, IDS)",
	casefile.DetectionMonitorAnomaly:    "Internal monitoring — anomaly alert",
	casefile.DetectionOperatorEscalated: "Escalation by an operator or employee",
}

func newRecordPanel(lv *lifecycleView) *recordPanel {
	p := &recordPanel{lv: lv}
	p.source, p.detectedAt, p.detail = valueLabel(), valueLabel(), valueLabel()
	p.awareAt, p.awareBy, p.awareWhy = valueLabel(), valueLabel(), valueLabel()
	p.summary, p.nextSteps = valueLabel(), valueLabel()
	p.setDetection = widget.NewButtonWithIcon("Set detection…", theme.SearchIcon(), lv.showDetection)
	p.recordAwareness = widget.NewButtonWithIcon("Record awareness…", theme.InfoIcon(), lv.showAwareness)
	p.editSummary = widget.NewButtonWithIcon("Edit summary…", theme.DocumentCreateIcon(), lv.showSummary)
	p.editNextSteps = widget.NewButtonWithIcon("Edit next steps…", theme.DocumentCreateIcon(), lv.showNextSteps)
	p.linkIncident = widget.NewButtonWithIcon("Link incident…", theme.ContentAddIcon(), lv.showLinkIncident)
	p.unlinkIncident = widget.NewButtonWithIcon("Unlink…", theme.ContentRemoveIcon(), p.showUnlink)
	p.related = newDataTable([]dataColumn{{"Case number", 200}, {"Note", 600}}, 1, 8)
	p.related.onSelect = func(int) { p.enable() }
	grids := factGrids(
		[]fact{{"Source", p.source}, {"Detected (UTC)", p.detectedAt}, {"Detail", p.detail}},
		[]fact{{"Aware since (UTC)", p.awareAt}, {"Decided by", p.awareBy}, {"Rationale", p.awareWhy}},
	)
	clocks := mutedLabel("Regulatory clocks run from the awareness decision: GDPR Art. 33 (72 h to the supervisory authority), " +
		"NIS2 (early warning 24 h), NYDFS 500.17 (72 h) and others.")
	p.root = container.NewVBox(
		sectionWith("Detection", grids[0], p.setDetection),
		sectionWith("Awareness", container.NewVBox(grids[1], clocks), p.recordAwareness),
		sectionWith("Summary", p.summary, p.editSummary),
		sectionWith("Next steps", p.nextSteps, p.editNextSteps),
		sectionWith("Related incidents", p.related.box, p.unlinkIncident, p.linkIncident),
	)
	return p
}

func (p *recordPanel) load(f incidentFacts) {
	inc := f.inc
	d := inc.Detection
	p.source.SetText(detectionTitles[d.Source])
	if d.DetectedAt.IsZero() {
		p.detectedAt.SetText("Not recorded")
	} else {
		p.detectedAt.SetText(d.DetectedAt.UTC().Format(timeLayout) + " (" + sinceText(d.DetectedAt, p.lv.u.now()) + " ago)")
	}
	p.detail.SetText(orNotSet(shown(d.Detail)))
	if a := inc.Awareness; a != nil {
		p.awareAt.SetText(a.AwareAt.UTC().Format(timeLayout) + " (" + sinceText(a.AwareAt, p.lv.u.now()) + " ago)")
		p.awareBy.SetText(attribution(a.Attribution))
		p.awareWhy.SetText(orNotSet(shown(a.Rationale)))
	} else {
		p.awareAt.SetText("Not recorded")
		p.awareBy.SetText(notSet)
		p.awareWhy.SetText(notSet)
	}
	p.summary.SetText(orNotSet(shown(inc.Summary)))
	if len(inc.NextSteps) == 0 {
		p.nextSteps.SetText(notSet)
	} else {
		steps := make([]string, len(inc.NextSteps))
		for i, s := range inc.NextSteps {
			steps[i] = fmt.Sprintf("%d. %s", i+1, shownLine(s))
		}
		p.nextSteps.SetText(strings.Join(steps, "\n"))
	}
	rows := make([][]dataCell, len(inc.Related))
	for i, r := range inc.Related {
		rows[i] = []dataCell{cell(shownLine(r.CaseNumber)), cell(oneLine(shown(r.Note)))}
	}
	p.related.set(rows)
	p.enable()
	relayout(p.root)
}

// enable allows the changes an open incident takes.
func (p *recordPanel) enable() {
	closed := p.lv.cv.oc.incident.inc.Stage == casefile.StageClose
	for _, b := range []*widget.Button{p.setDetection, p.recordAwareness, p.editSummary, p.editNextSteps, p.linkIncident, p.unlinkIncident} {
		if closed {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if p.related.selected < 0 {
		p.unlinkIncident.Disable()
	}
}

// showDetection opens the detection form.
func (lv *lifecycleView) showDetection() {
	d := lv.cv.oc.incident.inc.Detection
	form := lv.u.newRecordForm("Set the detection", "Record",
		"How and when the event was first noticed: the trigger of the investigation (white paper, 2.2.1).")
	source := form.choice("Source *", optionsOf(casefile.DetectionSources, detectionTitles), detectionTitles[d.Source])
	at := form.entry("Detected at", "2026-03-14T08:10:00Z, or 2026-03-14 08:10 for UTC; empty if unknown")
	if !d.DetectedAt.IsZero() {
		at.SetText(d.DetectedAt.UTC().Format(timeLayout))
	}
	detail := form.entry("Detail", "The alert name, ticket or report number")
	detail.SetText(d.Detail)
	reason := form.entry("Reason", "Why it is recorded or changed (optional)")
	form.check = func() bool {
		ok := true
		if source.Selected == "" {
			form.setProblem("Source", "Choose what triggered the investigation.")
			ok = false
		} else {
			form.setProblem("Source", "")
		}
		problem := ""
		if strings.TrimSpace(at.Text) != "" {
			_, problem = parseTimeInput(at.Text)
		}
		form.setProblem("Detected at", problem)
		return ok && problem == ""
	}
	form.build = func() func(*casefile.Case) error {
		det := casefile.Detection{Detail: strings.TrimSpace(detail.Text)}
		det.Source, _ = keyOf(casefile.DetectionSources, detectionTitles, source.Selected)
		if strings.TrimSpace(at.Text) != "" {
			det.DetectedAt, _ = parseTimeInput(at.Text)
		}
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error { return c.SetDetection(det, r) }
	}
	form.show(detail)
}

// The choices of the awareness form.
const (
	awareNow = "Now"
	awareAt  = "At a given time"
)

// showAwareness opens the form that records when the organization became
// aware of a (possible) breach: now, or at a given time.
func (lv *lifecycleView) showAwareness() {
	form := lv.u.newRecordForm("Record awareness", "Record",
		"You record that the organization is aware of a possible breach. Notification deadlines such as GDPR Art. 33's "+
			"72 hours run from this time, so record it when the decision is made, or give the time it was made.")
	when := widget.NewRadioGroup([]string{awareNow, awareAt}, nil)
	when.Horizontal = true
	when.SetSelected(awareNow)
	form.add("When *", when)
	at := form.entry("Time", "2026-03-14T08:55:00Z, or 2026-03-14 08:55 for UTC")
	at.Disable()
	when.OnChanged = func(s string) {
		if s == awareAt {
			at.Enable()
		} else {
			at.Disable()
		}
		form.recheck()
	}
	rationale := form.text("Rationale", "What the organization is aware of, and on what basis", 2)
	form.check = func() bool {
		problem := ""
		if when.Selected == awareAt {
			_, problem = parseTimeInput(at.Text)
		}
		form.setProblem("Time", problem)
		return problem == ""
	}
	form.build = func() func(*casefile.Case) error {
		var t time.Time // zero: now
		if when.Selected == awareAt {
			t, _ = parseTimeInput(at.Text)
		}
		r := strings.TrimSpace(rationale.Text)
		return func(c *casefile.Case) error { return c.RecordAwareness(t, r) }
	}
	form.show(rationale)
}

// showSummary opens the summary form.
func (lv *lifecycleView) showSummary() {
	form := lv.u.newRecordForm("Edit the summary", "Save",
		"A brief description of the incident and its potential impact.")
	summary := form.text("Summary", "What happened, what is affected, what it may lead to", 6)
	summary.SetText(lv.cv.oc.incident.inc.Summary)
	reason := form.entry("Reason", "Why it changes (optional)")
	form.build = func() func(*casefile.Case) error {
		s, r := summary.Text, strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error { return c.SetSummary(s, r) }
	}
	form.show(summary)
}

// showNextSteps opens the next-steps form: one step per line.
func (lv *lifecycleView) showNextSteps() {
	form := lv.u.newRecordForm("Edit the next steps", "Save", "Recommended next steps and actions, one per line.")
	steps := form.text("Next steps", "One step per line", 6)
	steps.SetText(strings.Join(lv.cv.oc.incident.inc.NextSteps, "\n"))
	reason := form.entry("Reason", "Why they change (optional)")
	form.build = func() func(*casefile.Case) error {
		s, r := lines(steps.Text), strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error { return c.SetNextSteps(s, r) }
	}
	form.show(steps)
}

// showLinkIncident opens the form that links a related incident.
func (lv *lifecycleView) showLinkIncident() {
	form := lv.u.newRecordForm("Link a related incident", "Link", "Another incident related to this one, by its case number.")
	number := form.entry("Case number *", "e.g. IR-2026-0099")
	note := form.entry("Note", "How it relates")
	reason := form.entry("Reason", "Why it is linked, for the custody record (optional)")
	form.check = func() bool {
		return form.require("Case number", number.Text, "Type the case number of the related incident.")
	}
	form.build = func() func(*casefile.Case) error {
		r := casefile.RelatedIncident{CaseNumber: strings.TrimSpace(number.Text), Note: strings.TrimSpace(note.Text)}
		why := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error { return c.AddRelatedIncident(r, why) }
	}
	form.show(number)
}

// showUnlink opens the form that unlinks the chosen related incident.
func (p *recordPanel) showUnlink() {
	rel := p.lv.cv.oc.incident.inc.Related
	if p.related.selected < 0 || p.related.selected >= len(rel) {
		return
	}
	num := rel[p.related.selected].CaseNumber
	form := p.lv.u.newRecordForm("Unlink "+shownLine(num), "Unlink", "The link is removed; the custody record keeps that it existed.")
	reason := form.entry("Reason", "Why it is not related (optional)")
	form.build = func() func(*casefile.Case) error {
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error { return c.RemoveRelatedIncident(num, r) }
	}
	form.saved = func() { p.related.choose(-1) }
	form.show(reason)
}
