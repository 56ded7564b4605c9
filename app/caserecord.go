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
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// incidentArea is the Incident area: the fields the Detection and
// analysis article asks every case to record — how and when the event was
// detected, when the organization became aware of it (the decision
// regulatory clocks run from), the summary, the next steps and the related
// incidents.
type incidentArea struct{}

func (incidentArea) title() string            { return "Incident" }
func (incidentArea) icon() fyne.ThemeIconName { return theme.IconNameInfo }
func (incidentArea) fill() bool               { return false }

// incidentView is the Incident area on screen.
type incidentView struct {
	cv *caseView

	source, detectedAt, detail    *widget.Label
	awareAt, awareBy, awareWhy    *widget.Label
	summary, nextSteps            *widget.Label
	relatedSrc                    *listSource[incident.RelatedIncident]
	related                       *dataTable
	setDetection, recordAwareness *actionButton
	editSummary, editNextSteps    *actionButton
	linkIncident, unlinkIncident  *actionButton
	loadProblem                   *widget.Label
	root                          *fyne.Container
}

var detectionTitles = map[incident.DetectionSource]string{
	incident.DetectionUnknown:           "Unknown",
	incident.DetectionCustomerReport:    "Customer report",
	incident.DetectionVulnerability:     "Vulnerability report to the security response center",
	incident.DetectionRedTeam:           "Red Team activity",
	incident.DetectionBlueTeam:          "Blue Team (security response) finding",
	incident.DetectionMonitorSignature:  "Internal monitoring — signature alarm (antimalware, IDS)",
	incident.DetectionMonitorAnomaly:    "Internal monitoring — anomaly alert",
	incident.DetectionOperatorEscalated: "Escalation by an operator or employee",
}

func (a incidentArea) build(cv *caseView) areaView {
	p := &incidentView{cv: cv}
	p.source, p.detectedAt, p.detail = valueLabel(), valueLabel(), valueLabel()
	p.awareAt, p.awareBy, p.awareWhy = valueLabel(), valueLabel(), valueLabel()
	p.summary, p.nextSteps = valueLabel(), valueLabel()
	p.loadProblem = problemLabel()
	p.setDetection = cv.action("Set detection…", theme.SearchIcon(), cv.showDetection)
	p.recordAwareness = cv.action("Record awareness…", theme.InfoIcon(), cv.showAwareness)
	p.editSummary = cv.action("Edit summary…", theme.DocumentCreateIcon(), cv.showSummary)
	p.editNextSteps = cv.action("Edit next steps…", theme.DocumentCreateIcon(), cv.showNextSteps)
	p.linkIncident = cv.action("Link incident…", theme.ContentAddIcon(), cv.showLinkIncident)
	p.unlinkIncident = cv.action("Unlink…", theme.ContentRemoveIcon(), p.showUnlink)
	p.relatedSrc = newListSource([]listColumn[incident.RelatedIncident]{
		{dataColumn{title: "Case number", width: 200}, func(r *incident.RelatedIncident) dataCell {
			return cell(shownLine(r.CaseNumber))
		}, nil},
		{dataColumn{title: "Note", width: 600}, func(r *incident.RelatedIncident) dataCell {
			return dataCell{text: oneLine(shown(r.Note)), full: shown(r.Note)}
		}, nil},
	}, func(r *incident.RelatedIncident) any { return r.CaseNumber })
	p.related = p.relatedSrc.table(cv.u, 1, 8)
	p.related.onSelect = func(any) { p.enable() }
	grids := factGrids(
		[]fact{{"Source", p.source}, {"Detected (UTC)", p.detectedAt}, {"Detail", p.detail}},
		[]fact{{"Aware since (UTC)", p.awareAt}, {"Decided by", p.awareBy}, {"Rationale", p.awareWhy}},
	)
	clocks := mutedLabel("Regulatory clocks run from the awareness decision: GDPR Art. 33 (72 h to the supervisory authority), " +
		"NIS2 (early warning 24 h), NYDFS 500.17 (72 h) and others. Closing the incident needs the detection time, " +
		"the awareness time and the summary.")
	p.root = container.NewVBox(
		heading(a.title()),
		p.loadProblem,
		sectionWith("Detection", grids[0], p.setDetection),
		sectionWith("Awareness", container.NewVBox(grids[1], clocks), p.recordAwareness),
		sectionWith("Summary", p.summary, p.editSummary),
		sectionWith("Next steps", p.nextSteps, p.editNextSteps),
		sectionWith("Related incidents", p.related.box, p.unlinkIncident, p.linkIncident),
	)
	p.load(cv.oc.incident)
	return p
}

func (p *incidentView) content() fyne.CanvasObject { return p.root }

func (p *incidentView) refresh(what factSet) {
	if what.has(factsIncident) {
		p.load(p.cv.oc.incident)
	} else {
		p.enable()
	}
}

// showLoadProblem says in l that part of the incident record could not be
// read, or hides l.
func showLoadProblem(l *widget.Label, f incidentFacts) {
	if f.err != nil {
		setProblem(l, "Part of the incident record could not be read: "+userMessage(f.err)+" "+hint(f.err))
	} else {
		setProblem(l, "")
	}
}

func (p *incidentView) load(f incidentFacts) {
	showLoadProblem(p.loadProblem, f)
	now := p.cv.u.now()
	inc := f.inc
	d := inc.Detection
	p.source.SetText(detectionTitles[d.Source])
	if d.DetectedAt.IsZero() {
		p.detectedAt.SetText("Not recorded")
	} else {
		p.detectedAt.SetText(d.DetectedAt.UTC().Format(timeLayout) + " (" + sinceText(d.DetectedAt, now) + " ago)")
	}
	p.detail.SetText(orNotSet(shown(d.Detail)))
	if a := inc.Awareness; a != nil {
		p.awareAt.SetText(a.AwareAt.UTC().Format(timeLayout) + " (" + sinceText(a.AwareAt, now) + " ago)")
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
	p.relatedSrc.set(inc.Related)
	p.related.reload()
	p.enable()
	relayout(p.root)
}

// enable allows the changes the incident takes now, and says why the
// others are disabled.
func (p *incidentView) enable() {
	why := p.cv.whyNotIncident(casefile.PermEditIncident)
	for _, b := range []*actionButton{p.setDetection, p.recordAwareness, p.editSummary, p.editNextSteps, p.linkIncident} {
		b.allow(why)
	}
	if why == "" && p.relatedSrc.find(p.related.selected) == nil {
		why = "choose a related incident in the table first."
	}
	p.unlinkIncident.allow(why)
}

// showDetection opens the detection form.
func (cv *caseView) showDetection() {
	d := cv.oc.incident.inc.Detection
	form := cv.u.newRecordForm("Set the detection", "Record",
		"How and when the event was first noticed: the trigger of the investigation (white paper, 2.2.1).")
	source := form.choice("Source *", optionsOf(incident.DetectionSources, detectionTitles), detectionTitles[d.Source])
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
		det := incident.Detection{Detail: strings.TrimSpace(detail.Text)}
		det.Source, _ = keyOf(incident.DetectionSources, detectionTitles, source.Selected)
		if strings.TrimSpace(at.Text) != "" {
			det.DetectedAt, _ = parseTimeInput(at.Text)
		}
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error { return incident.Of(c).SetDetection(det, r) }
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
func (cv *caseView) showAwareness() {
	form := cv.u.newRecordForm("Record awareness", "Record",
		"You record that the organization is aware of a possible breach. Notification deadlines such as GDPR Art. 33's "+
			"72 hours run from this time, so record it when the decision is made, or give the time it was made.")
	when := form.radio("When *", []string{awareNow, awareAt}, awareNow)
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
		return func(c *casefile.Case) error { return incident.Of(c).RecordAwareness(t, r) }
	}
	form.show(rationale)
}

// showSummary opens the summary form.
func (cv *caseView) showSummary() {
	form := cv.u.newRecordForm("Edit the summary", "Save",
		"A brief description of the incident and its potential impact.")
	summary := form.text("Summary", "What happened, what is affected, what it may lead to", 6)
	summary.SetText(cv.oc.incident.inc.Summary)
	reason := form.entry("Reason", "Why it changes (optional)")
	form.build = func() func(*casefile.Case) error {
		s, r := summary.Text, strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error { return incident.Of(c).SetSummary(s, r) }
	}
	form.show(summary)
}

// showNextSteps opens the next-steps form: one step per line.
func (cv *caseView) showNextSteps() {
	form := cv.u.newRecordForm("Edit the next steps", "Save", "Recommended next steps and actions, one per line.")
	steps := form.text("Next steps", "One step per line", 6)
	steps.SetText(strings.Join(cv.oc.incident.inc.NextSteps, "\n"))
	reason := form.entry("Reason", "Why they change (optional)")
	form.build = func() func(*casefile.Case) error {
		s, r := lines(steps.Text), strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error { return incident.Of(c).SetNextSteps(s, r) }
	}
	form.show(steps)
}

// showLinkIncident opens the form that links a related incident.
func (cv *caseView) showLinkIncident() {
	form := cv.u.newRecordForm("Link a related incident", "Link", "Another incident related to this one, by its case number.")
	number := form.entry("Case number *", "e.g. IR-2026-0099")
	note := form.entry("Note", "How it relates")
	reason := form.entry("Reason", "Why it is linked, for the custody record (optional)")
	form.check = func() bool {
		return form.require("Case number", number.Text, "Type the case number of the related incident.")
	}
	form.build = func() func(*casefile.Case) error {
		r := incident.RelatedIncident{CaseNumber: strings.TrimSpace(number.Text), Note: strings.TrimSpace(note.Text)}
		why := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error { return incident.Of(c).AddRelatedIncident(r, why) }
	}
	form.show(number)
}

// showUnlink opens the form that unlinks the chosen related incident.
func (p *incidentView) showUnlink() {
	r := p.relatedSrc.find(p.related.selected)
	if r == nil {
		return
	}
	num := r.CaseNumber
	form := p.cv.u.newRecordForm("Unlink "+shownLine(num), "Unlink", "The link is removed; the custody record keeps that it existed.")
	reason := form.entry("Reason", "Why it is not related (optional)")
	form.build = func() func(*casefile.Case) error {
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error { return incident.Of(c).RemoveRelatedIncident(num, r) }
	}
	form.saved = func() { p.related.choose(nil) }
	form.show(reason)
}
