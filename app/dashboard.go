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

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// dashboardArea is the first area of a case: who and what the case is,
// where its incident stands, its evidence, its chain of custody and the
// facts of its file.
type dashboardArea struct{}

func (dashboardArea) title() string            { return "Dashboard" }
func (dashboardArea) icon() fyne.ThemeIconName { return theme.IconNameHome }
func (dashboardArea) fill() bool               { return false }

// dashboardView is the Dashboard on screen.
type dashboardView struct {
	cv *caseView

	title, number, examiner, created, description *widget.Label
	caseUUID, format, keySlots, unlocked, path    *widget.Label

	// The custody record: its head, its last verification, who acts.
	head, verified, acting, examiners *widget.Label
	copyHead                          *widget.Button

	// The evidence: how many items, how large, how many verified.
	evItems, evSize, evVerified *widget.Label

	// The incident: its stage, assessment, clocks, team and work.
	stepper                       *stageStepper
	stage                         *widget.Label
	class, severity, priority     *widget.Label
	detected, aware, notification *widget.Label
	roles, repairs                *widget.Label
	findings                      *fyne.Container
	incident                      *fyne.Container

	root *fyne.Container
}

// notSet is shown for an optional field left empty.
const notSet = "—"

// timeLayout is how the GUI writes times: RFC 3339 in UTC.
const timeLayout = time.RFC3339

func (a dashboardArea) build(cv *caseView) areaView {
	info := cv.oc.info
	d := &dashboardView{cv: cv}
	value := func(text string) *widget.Label {
		l := widget.NewLabel(text)
		l.Selectable = true
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	d.title = value(info.Title)
	d.number = value(orNotSet(info.CaseNumber))
	d.examiner = value(info.Examiner)
	d.created = value(info.Created.UTC().Format(timeLayout))
	d.description = value(orNotSet(info.Description))
	d.caseUUID = value(info.CaseUUID.String())
	d.format = value(strconv.Itoa(info.FormatVersion))
	d.keySlots = value(keySlotSummary(cv.oc.slots, cv.oc.slotsErr))
	d.unlocked = value(unlockedSummary(cv.oc))
	d.path = value(cv.oc.path)
	d.path.Wrapping = fyne.TextWrapBreak
	d.head = value("")
	d.head.Wrapping = fyne.TextWrapOff
	d.copyHead = copyButton(cv.u, "Copy", func() string { return headCopyText(cv.oc.custody.headSeq, cv.oc.custody.head) })
	d.verified = value("")
	d.acting = value("")
	d.examiners = value("")
	d.showCustody(cv.oc)
	d.evItems = value("")
	d.evSize = value("")
	d.evVerified = value("")
	d.showEvidence(cv.oc.evidence)
	d.stepper = newStageStepper(cv.oc.incident.inc.Stage)
	d.stage = value("")
	d.class, d.severity, d.priority = value(""), value(""), value("")
	d.detected, d.aware, d.notification = value(""), value(""), value("")
	d.roles, d.repairs = value(""), value("")
	d.findings = container.NewVBox()

	grids := factGrids(
		[]fact{
			{"Title", d.title},
			{"Case number", d.number},
			{"Examiner", d.examiner},
			{"Created (UTC)", d.created},
			{"Description", d.description},
		},
		[]fact{
			{"Case UUID", d.caseUUID},
			{"Format version", d.format},
			{"Key slots", d.keySlots},
			{"Unlocked with", d.unlocked},
			{"File", d.path},
		},
		[]fact{
			{"Custody head", container.NewHBox(d.head, d.copyHead)},
			{"Last verification", d.verified},
			{"Acting as", d.acting},
			{"Examiners", d.examiners},
		},
		[]fact{
			{"Items", d.evItems},
			{"Total size", d.evSize},
			{"Verification", d.evVerified},
		},
		[]fact{
			{"Classification", d.class},
			{"Severity", d.severity},
			{"Priority", d.priority},
			{"Notification", d.notification},
		},
		[]fact{
			{"Since detection", d.detected},
			{"Since awareness", d.aware},
			{"Roles", d.roles},
			{"Repair items", d.repairs},
		},
		[]fact{
			{"Latest findings", d.findings},
		},
	)
	d.incident = container.NewVBox(
		container.NewVBox(d.stepper, d.stage),
		widget.NewSeparator(),
		container.NewGridWithColumns(2, grids[4], grids[5]),
		widget.NewSeparator(),
		grids[6],
	)
	d.showIncident(cv.oc, cv.u.now())
	d.root = container.NewVBox(
		heading(a.title()),
		section("Incident", d.incident),
		section("Case", grids[0]),
		section("Evidence", grids[3]),
		section("Chain of custody", grids[2]),
		section("Case file", grids[1]),
	)
	return d
}

func (d *dashboardView) content() fyne.CanvasObject { return d.root }

func (d *dashboardView) refresh(what factSet) {
	oc := d.cv.oc
	if what.has(factsCustody | factsActor) {
		d.showCustody(oc)
	}
	if what.has(factsEvidence) {
		d.showEvidence(oc.evidence)
	}
	if what.has(factsIncident) {
		d.showIncident(oc, d.cv.u.now())
	}
}

// showIncident shows the incident facts of oc: the stage, the assessment,
// the time since detection and awareness (measured to now), who holds
// which role, the repair items and the latest findings.
func (d *dashboardView) showIncident(oc *openCase, now time.Time) {
	f := oc.incident
	inc := f.inc
	d.stepper.SetStage(inc.Stage)
	d.stage.SetText(stageNote(f, now))
	d.class.SetText(inc.Classification.Classification.Title())
	d.class.Importance = widget.MediumImportance
	if inc.Classification.Classification == incident.ClassificationSecurityIncident {
		d.class.Importance = widget.DangerImportance
	}
	d.class.Refresh()
	if inc.Exercise != incident.ExerciseNone {
		d.class.SetText(inc.Classification.Classification.Title() + " · " + exerciseTitles[inc.Exercise])
	}
	if inc.Severity != nil {
		d.severity.SetText(inc.Severity.Severity.Title())
		d.severity.Importance = levelImportance(int(inc.Severity.Severity))
	} else {
		d.severity.SetText("Not set")
		d.severity.Importance = widget.MediumImportance
	}
	d.severity.Refresh()
	if inc.Priority != nil {
		d.priority.SetText(inc.Priority.Priority.Title())
		d.priority.Importance = levelImportance(int(inc.Priority.Priority))
	} else {
		d.priority.SetText("Not set")
		d.priority.Importance = widget.MediumImportance
	}
	d.priority.Refresh()
	if n := inc.Notification; n != nil {
		d.notification.SetText(notificationTitles[n.Status])
	} else {
		d.notification.SetText("Not decided")
	}
	if t := inc.Detection.DetectedAt; !t.IsZero() {
		d.detected.SetText(sinceText(t, now) + " · " + t.UTC().Format(timeLayout))
	} else {
		d.detected.SetText("Not recorded")
	}
	if a := inc.Awareness; a != nil {
		d.aware.SetText(sinceText(a.AwareAt, now) + " · " + a.AwareAt.UTC().Format(timeLayout))
	} else {
		d.aware.SetText("Not recorded")
	}
	if len(inc.Roles) == 0 {
		d.roles.SetText("No role assigned")
	} else {
		lines := make([]string, len(inc.Roles))
		for i, h := range inc.Roles {
			lines[i] = h.Role.Title() + ": " + shownLine(h.Examiner)
		}
		d.roles.SetText(strings.Join(lines, "\n"))
	}
	var open, overdue int
	for _, it := range f.repairs {
		if it.Status != incident.RepairDone {
			open++
		}
		if it.Overdue(now) {
			overdue++
		}
	}
	switch {
	case len(f.repairs) == 0:
		d.repairs.SetText("None")
		d.repairs.Importance = widget.MediumImportance
	case overdue > 0:
		d.repairs.SetText(fmt.Sprintf("%d open · %d overdue", open, overdue))
		d.repairs.Importance = widget.DangerImportance
	default:
		d.repairs.SetText(fmt.Sprintf("%d open · 0 overdue", open))
		d.repairs.Importance = widget.MediumImportance
	}
	d.repairs.Refresh()
	var rows []fyne.CanvasObject
	for i := len(f.findings) - 1; i >= 0 && len(rows) < 3; i-- {
		fd := f.findings[i]
		l := widget.NewLabel(shownLine(fd.Title))
		l.Truncation = fyne.TextTruncateEllipsis
		meta := widget.NewLabel(fmt.Sprintf("%s · %s", confidenceTitle(fd.Confidence), fd.Updated.At.UTC().Format(timeLayout)))
		rows = append(rows, container.NewBorder(nil, nil, nil, meta, l))
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel("No findings yet"))
	}
	d.findings.Objects = rows
	d.findings.Refresh()
	relayout(d.incident)
}

// showEvidence shows the evidence summary: the number of items, their total
// size, and how many were verified, found mismatched or never verified.
func (d *dashboardView) showEvidence(f evidenceFacts) {
	if f.err != nil {
		d.evItems.SetText("Could not be read: " + userMessage(f.err))
		d.evItems.Importance = widget.DangerImportance
		d.evItems.Refresh()
		d.evSize.SetText(notSet)
		d.evVerified.SetText(notSet)
		return
	}
	d.evItems.Importance = widget.MediumImportance
	var total int64
	kinds := map[casefile.EvidenceKind]int{}
	for _, ev := range f.items {
		total += ev.Meta.Size
		kinds[ev.Meta.Kind]++
	}
	items := plural(len(f.items), "item", "items")
	var parts []string
	for _, k := range []casefile.EvidenceKind{casefile.KindDisk, casefile.KindLog, casefile.KindMemory, casefile.KindOther} {
		if n := kinds[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(kindTitle(k))))
		}
	}
	if len(parts) > 0 {
		items += " (" + strings.Join(parts, ", ") + ")"
	}
	d.evItems.SetText(items)
	d.evSize.SetText(byteCount(total))
	text, imp := evidenceVerification(f.items)
	d.evVerified.Importance = imp
	d.evVerified.SetText(text)
}

// evidenceVerification counts the items whose last verification matched,
// found a mismatch, or that were never verified.
func evidenceVerification(items []casefile.Evidence) (string, widget.Importance) {
	var ok, bad, never int
	for _, ev := range items {
		switch {
		case ev.Verification == nil:
			never++
		case ev.Verification.OK:
			ok++
		default:
			bad++
		}
	}
	if len(items) == 0 {
		return "No evidence yet", widget.MediumImportance
	}
	text := fmt.Sprintf("%d verified · %d mismatched · %d never verified", ok, bad, never)
	switch {
	case bad > 0:
		return text, widget.DangerImportance
	case never == 0:
		return text, widget.SuccessImportance
	}
	return text, widget.MediumImportance
}

// showCustody shows the custody facts of oc, which change whenever an entry
// is appended.
func (d *dashboardView) showCustody(oc *openCase) {
	f := oc.custody
	d.head.SetText(headText(f.headSeq, f.head))
	text, imp := lastVerification(f.entries, f.entriesErr, oc.verdict)
	d.verified.Importance = imp
	d.verified.SetText(text)
	acting := oc.actor.Name + " · holds no role"
	if oc.role != "" {
		acting = oc.actor.Name + " · " + oc.role.Title()
	}
	d.acting.SetText(acting)
	d.examiners.SetText(examinerSummary(f.examiners, f.examinersErr))
}

// headText is the custody head as the GUI shows it: the entry number and
// the short form of its hash.
func headText(seq int64, head casefile.Digest) string {
	if seq == 0 {
		return "No entries"
	}
	return fmt.Sprintf("Entry %d · %s", seq, head.Short())
}

// lastVerification describes the last verification of the chain: one in
// this window that found problems (which nothing records: the case takes
// no more entries), else the newest ledger.verified entry — when, by whom
// and with what result.
func lastVerification(entries []casefile.CustodyEntry, err error, vd *verdict) (string, widget.Importance) {
	if vd != nil && !vd.report.OK() {
		return vd.at.UTC().Format(timeLayout) + " by " + vd.by + " — " + plural(len(vd.report.Problems), "problem", "problems") +
			" (not recorded: the case takes no more entries)", widget.DangerImportance
	}
	if err != nil {
		return "Could not be read: " + userMessage(err), widget.DangerImportance
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Action != casefile.ActionLedgerVerified {
			continue
		}
		when := e.Time.UTC().Format(timeLayout) + " by " + e.Actor + " — "
		if e.Details["result"] == "intact" {
			return when + "intact", widget.SuccessImportance
		}
		// Entries of older versions recorded failed verifications too.
		n, err := strconv.Atoi(e.Details["problems"])
		if err != nil || n < 1 {
			return when + "not intact (the entry does not say how many problems)", widget.DangerImportance
		}
		return when + plural(n, "problem", "problems"), widget.DangerImportance
	}
	return "Never verified", widget.MediumImportance
}

// examinerSummary counts the examiners and names them.
func examinerSummary(exs []casefile.Examiner, err error) string {
	if err != nil {
		return "Could not be read: " + userMessage(err)
	}
	names := make([]string, len(exs))
	for i, e := range exs {
		names[i] = e.Name
	}
	return fmt.Sprintf("%d — %s", len(exs), strings.Join(names, ", "))
}

// orNotSet returns s, or "—" when s is empty.
func orNotSet(s string) string {
	if strings.TrimSpace(s) == "" {
		return notSet
	}
	return s
}

// keySlotSummary says how many key slots the case has and of which kinds.
func keySlotSummary(slots []casefile.KeySlot, err error) string {
	if err != nil {
		return "Could not be read: " + userMessage(err)
	}
	kinds := map[casefile.SlotKind]int{}
	for _, s := range slots {
		kinds[s.Kind]++
	}
	var parts []string
	for _, k := range []casefile.SlotKind{casefile.SlotPassphrase, casefile.SlotRecovery} {
		if n := kinds[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	if len(parts) == 0 {
		return strconv.Itoa(len(slots))
	}
	return fmt.Sprintf("%d (%s)", len(slots), strings.Join(parts, ", "))
}

// unlockedSummary names the key slot that opened the case.
func unlockedSummary(oc *openCase) string {
	for _, s := range oc.slots {
		if s.ID == oc.unlocked {
			text := fmt.Sprintf("Slot %d, %s", s.ID, s.Kind)
			if s.Label != "" {
				text += " — " + s.Label
			}
			return text
		}
	}
	return fmt.Sprintf("Slot %d", oc.unlocked)
}
