package app

import (
	"slices"
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

// responseArea is the Response area: the actions the response team took,
// the emergency mitigations with who approved them, and the
// customer-notification decision.
type responseArea struct{}

func (responseArea) title() string            { return "Response" }
func (responseArea) icon() fyne.ThemeIconName { return theme.IconNameMediaPlay }
func (responseArea) fill() bool               { return false }

// responseView is the Response area on screen.
type responseView struct {
	cv *caseView

	actionSrc                      *listSource[incident.ResponseAction]
	mitigationSrc                  *listSource[incident.Mitigation]
	actions, mitigations           *dataTable
	recordAction, recordMitigation *actionButton
	approve                        *actionButton
	notification, notificationWhy  *widget.Label
	notificationHistory            *widget.Label
	decide                         *actionButton
	loadProblem                    *widget.Label
	root                           *fyne.Container
}

var approvalTitles = map[incident.ApprovalCapacity]string{
	incident.ApprovalExecutive:       "Executive Incident Manager",
	incident.ApprovalServiceOwner:    "Service owner",
	incident.ApprovalIncidentManager: "Security Incident Manager",
}

var notificationTitles = map[incident.NotificationStatus]string{
	incident.NotificationNotRequired:             "Not required",
	incident.NotificationInProgress:              "In progress",
	incident.NotificationSent:                    "Sent",
	incident.NotificationDelayedByLawEnforcement: "Delayed by law enforcement",
}

func (a responseArea) build(cv *caseView) areaView {
	p := &responseView{cv: cv}
	p.recordAction = cv.action("Record action…", theme.ContentAddIcon(), cv.showRecordAction)
	p.recordMitigation = cv.action("Record mitigation…", theme.WarningIcon(), cv.showRecordMitigation)
	p.approve = cv.action("Approve mitigation…", theme.ConfirmIcon(), func() {
		if m := p.chosenMitigation(); m != nil {
			cv.showApproveMitigation(*m)
		}
	})
	p.decide = cv.action("Record decision…", theme.MailSendIcon(), cv.showNotificationDecision)
	p.loadProblem = problemLabel()
	p.actionSrc = newListSource([]listColumn[incident.ResponseAction]{
		{dataColumn{title: "Performed (UTC)", width: 220}, func(a *incident.ResponseAction) dataCell {
			return cell(a.PerformedAt.UTC().Format(timeLayout))
		}, func(a, b *incident.ResponseAction) int { return a.PerformedAt.Compare(b.PerformedAt) }},
		{dataColumn{title: "Stage", width: 170}, func(a *incident.ResponseAction) dataCell { return cell(a.Stage.Title()) }, nil},
		{dataColumn{title: "Description", width: 420}, func(a *incident.ResponseAction) dataCell {
			return dataCell{text: oneLine(shown(a.Description)), full: shown(a.Description)}
		}, nil},
		{dataColumn{title: "Evidence", width: 260}, func(a *incident.ResponseAction) dataCell {
			return cell(orNotSet(strings.Join(p.evidenceNames(a.Evidence), ", ")))
		}, nil},
		{dataColumn{title: "Recorded by", width: 300}, func(a *incident.ResponseAction) dataCell {
			return cell(attribution(casefile.Attribution{Examiner: a.Examiner, Role: a.Role}))
		}, nil},
	}, func(a *incident.ResponseAction) any { return a.ID })
	p.actions = p.actionSrc.table(cv.u, 2, 10)
	p.mitigationSrc = newListSource([]listColumn[incident.Mitigation]{
		{dataColumn{title: "Performed (UTC)", width: 220}, func(m *incident.Mitigation) dataCell {
			return cell(m.PerformedAt.UTC().Format(timeLayout))
		}, func(a, b *incident.Mitigation) int { return a.PerformedAt.Compare(b.PerformedAt) }},
		{dataColumn{title: "Description", width: 360}, func(m *incident.Mitigation) dataCell {
			return dataCell{text: oneLine(shown(m.Description)), full: shown(m.Description)}
		}, nil},
		{dataColumn{title: "Approved by", width: 340}, func(m *incident.Mitigation) dataCell {
			var who []string
			for _, a := range m.Approvals {
				w := shownLine(a.Name) + " (" + approvalTitles[a.Capacity] + ")"
				if !a.Signed {
					w += " typed in"
				}
				who = append(who, w)
			}
			return cell(orNotSet(strings.Join(who, "; ")))
		}, nil},
		{dataColumn{title: "Joint approval", width: 260}, func(m *incident.Mitigation) dataCell { return jointCell(m) }, nil},
		{dataColumn{title: "Outage", width: 300}, func(m *incident.Mitigation) dataCell {
			if !m.CausedOutage {
				return cell("No")
			}
			return dataCell{text: "Yes — " + orNotSet(oneLine(shown(m.OutageDetail))), imp: widget.DangerImportance}
		}, nil},
	}, func(m *incident.Mitigation) any { return m.ID })
	p.mitigations = p.mitigationSrc.table(cv.u, 2, 8)
	p.mitigations.onSelect = func(any) { p.enable() }
	p.notification = valueLabel()
	p.notification.TextStyle = fyne.TextStyle{Bold: true}
	p.notificationWhy = valueLabel()
	p.notificationHistory = mutedLabel("")
	grid := factGrids([]fact{{"Status", p.notification}, {"Reason", p.notificationWhy}, {"Earlier", p.notificationHistory}})[0]
	p.root = container.NewVBox(
		heading(a.title()),
		p.loadProblem,
		sectionWith("Actions taken", p.actions.box, p.recordAction),
		sectionWith("Emergency mitigations", container.NewVBox(
			mutedLabel("The executive incident manager, the service owner and the security incident manager jointly "+
				"decide on emergency mitigation; each approves it themselves, under their own passphrase (a Service Team "+
				"Expert approves as the service owner). A step that causes an outage follows the outage notification process. "+
				"\"typed in\": a name entered by whoever recorded the step, before approvals were signed."),
			p.mitigations.box), container.NewHBox(p.recordMitigation, p.approve)),
		sectionWith("Customer notification", grid, p.decide),
	)
	p.load(cv.oc.incident)
	return p
}

func (p *responseView) content() fyne.CanvasObject { return p.root }

func (p *responseView) refresh(what factSet) {
	if what.has(factsIncident | factsEvidence) {
		p.load(p.cv.oc.incident) // actions name their items
	} else {
		p.enable()
	}
}

// evidenceNames names the items with ids, by their names where the case
// lists them.
func (p *responseView) evidenceNames(ids []uuid.UUID) []string {
	var out []string
	for _, id := range ids {
		if ev := p.cv.oc.evidence.item(id); ev != nil {
			out = append(out, shownLine(ev.Meta.Name))
		} else {
			out = append(out, id.String()[:8]+"…")
		}
	}
	return out
}

// jointCell says whether a mitigation was approved by all three
// capacities, or which are missing.
func jointCell(m *incident.Mitigation) dataCell {
	if m.JointlyApproved() {
		return dataCell{text: "Joint", imp: widget.SuccessImportance}
	}
	return dataCell{text: "Missing: " + capacityList(m.MissingApprovals()), imp: widget.WarningImportance}
}

func (p *responseView) load(f incidentFacts) {
	showLoadProblem(p.loadProblem, f)
	actions := make([]incident.ResponseAction, 0, len(f.actions))
	for i := len(f.actions) - 1; i >= 0; i-- { // newest first
		actions = append(actions, f.actions[i])
	}
	p.actionSrc.set(actions)
	p.actions.reload()
	mitigations := make([]incident.Mitigation, 0, len(f.mitigations))
	for i := len(f.mitigations) - 1; i >= 0; i-- {
		mitigations = append(mitigations, f.mitigations[i])
	}
	p.mitigationSrc.set(mitigations)
	p.mitigations.reload()

	if d := f.inc.Notification; d != nil {
		p.notification.SetText(notificationTitles[d.Status])
		p.notificationWhy.SetText(orNotSet(shown(d.Reason)) + "\n— " + attribution(d.Attribution))
	} else {
		p.notification.SetText("Not decided")
		p.notificationWhy.SetText("Closing the incident needs a final decision: sent, not required (with the reason), " +
			"or delayed by law enforcement (with the reason). In progress records where the track stands, but does not close it.")
	}
	p.notificationHistory.SetText(historyLines(len(f.notifications)-1, 4, func(i int) string {
		d := f.notifications[i]
		return d.At.UTC().Format(timeLayout) + " · " + notificationTitles[d.Status] + " · " + shownLine(d.Examiner)
	}))
	p.enable()
	relayout(p.root)
}

// enable allows the changes the incident takes now. The notification
// decision stays open after Close.
func (p *responseView) enable() {
	p.recordAction.allow(p.cv.whyNotIncident(casefile.PermInvestigate))
	p.recordMitigation.allow(p.cv.whyNotIncident(casefile.PermRecordMitigation))
	p.approve.allow(p.whyNoApproval())
	p.decide.allow(p.cv.whyNot(casefile.PermNotificationTrack))
}

// chosenMitigation is the mitigation chosen in the table, or nil.
func (p *responseView) chosenMitigation() *incident.Mitigation {
	id, ok := p.mitigations.selected.(uuid.UUID)
	if !ok {
		return nil
	}
	for i := range p.cv.oc.incident.mitigations {
		if m := &p.cv.oc.incident.mitigations[i]; m.ID == id {
			return m
		}
	}
	return nil
}

// whyNoApproval says why the acting examiner cannot approve the chosen
// mitigation, or "".
func (p *responseView) whyNoApproval() string {
	if why := p.cv.whyNotIncident(casefile.PermApproveMitigation); why != "" {
		return why
	}
	m := p.chosenMitigation()
	if m == nil {
		return "choose a mitigation in the table first."
	}
	if len(approvableCapacities(p.cv.oc.actor, *m)) == 0 {
		if m.JointlyApproved() {
			return "the mitigation is jointly approved already."
		}
		return p.cv.oc.actor.Name + " approved it already, or holds no role of a capacity still missing (" +
			capacityList(m.MissingApprovals()) + "); an approval is joint: another person approves in each capacity."
	}
	return ""
}

// approvableCapacities lists the capacities in which actor may still
// approve m: those whose role they hold and that nobody approved, none if
// they approved it already (ApproveMitigation's rules).
func approvableCapacities(actor casefile.Examiner, m incident.Mitigation) []incident.ApprovalCapacity {
	for _, a := range m.Approvals {
		if a.Signed && a.ExaminerID == actor.ID {
			return nil
		}
	}
	var out []incident.ApprovalCapacity
	for _, c := range m.MissingApprovals() {
		if actor.HasRole(incident.CapacityRole(c)) {
			out = append(out, c)
		}
	}
	return out
}

// capacityList names capacities for a sentence: "service owner, security
// incident manager".
func capacityList(cs []incident.ApprovalCapacity) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = strings.ToLower(approvalTitles[c])
	}
	return strings.Join(names, ", ")
}

// optionalTime reads an optional time field: empty means now (zero).
func optionalTime(form *recordForm, name, text string) (time.Time, bool) {
	if strings.TrimSpace(text) == "" {
		form.setProblem(name, "")
		return time.Time{}, true
	}
	t, problem := parseTimeInput(text)
	form.setProblem(name, problem)
	return t, problem == ""
}

// evidenceChecks adds to form a check box per item of the case under
// label and returns a function that lists the ids of the ticked ones.
func evidenceChecks(form *recordForm, label string, items []casefile.Evidence, checked ...uuid.UUID) func() []uuid.UUID {
	if len(items) == 0 {
		form.note(label, mutedLabel("No evidence in the case yet."))
		return func() []uuid.UUID { return nil }
	}
	labels := make([]string, len(items))
	for i, ev := range items {
		labels[i] = shownLine(ev.Meta.Name) + " — " + shortHash(ev.Meta.Hashes.SHA256)
		if !ev.InForce() {
			labels[i] += " (withdrawn)"
		}
	}
	l := form.checks(label, labels, nil, 1)
	for i, ev := range items { // by id: two items may read the same
		if slices.Contains(checked, ev.ID) {
			l.checks[i].SetChecked(true)
		}
	}
	return func() []uuid.UUID {
		var out []uuid.UUID
		for i, c := range l.checks {
			if c.Checked {
				out = append(out, items[i].ID)
			}
		}
		return out
	}
}

// showRecordAction opens the form that records an action taken.
func (cv *caseView) showRecordAction() {
	form := cv.u.newRecordForm("Record an action", "Record",
		"An action the response team took. Give the time it was taken when you record it afterwards; the time of "+
			"recording is kept apart.")
	desc := form.text("Description *", "What was done, by whom, on which systems", 3)
	at := form.entry("Performed at", "Empty for now; 2026-03-14T09:40:00Z or 2026-03-14 09:40 (UTC)")
	ids := evidenceChecks(form, "Linked evidence", cv.oc.evidence.items)
	reason := form.entry("Reason", "Why it was done, for the custody record (optional)")
	form.check = func() bool {
		_, ok := optionalTime(form, "Performed at", at.Text)
		return form.require("Description", desc.Text, "Describe the action.") && ok
	}
	form.build = func() func(*casefile.Case) error {
		t, _ := optionalTime(form, "Performed at", at.Text)
		na := incident.NewResponseAction{Description: strings.TrimSpace(desc.Text), PerformedAt: t, Evidence: ids(),
			Reason: strings.TrimSpace(reason.Text)}
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).RecordAction(na)
			return err
		}
	}
	form.show(desc)
}

// showRecordMitigation opens the form that records an emergency
// mitigation: what was done and whether it caused an outage. The
// approvers approve it themselves afterwards (showApproveMitigation).
func (cv *caseView) showRecordMitigation() {
	form := cv.u.newRecordForm("Record an emergency mitigation", "Record",
		"An emergency mitigation or containment step, such as quarantining a system. The process asks the executive "+
			"incident manager, the service owner and the security incident manager to decide on it jointly: each of "+
			"them approves it afterwards, choosing it in the table and Approve mitigation, under their own passphrase.")
	form.width = 700
	desc := form.text("Description *", "What was done to contain the risk", 3)
	var outageDetail *formEntry
	outage := form.checkBox("Outage", "The step caused an outage", func(on bool) {
		if on {
			outageDetail.Enable()
		} else {
			outageDetail.Disable()
		}
	})
	outageDetail = form.entry("Outage detail", "What was down, for how long")
	outageDetail.Disable()
	at := form.entry("Performed at", "Empty for now; 2026-03-14T09:40:00Z or 2026-03-14 09:40 (UTC)")
	reason := form.entry("Reason", "Why it was needed, for the custody record (optional)")
	form.check = func() bool {
		_, ok := optionalTime(form, "Performed at", at.Text)
		if outage.Checked {
			ok = form.require("Outage detail", outageDetail.Text, "Say what was down and for how long.") && ok
		} else {
			form.setProblem("Outage detail", "")
		}
		return form.require("Description", desc.Text, "Describe the mitigation.") && ok
	}
	form.build = func() func(*casefile.Case) error {
		t, _ := optionalTime(form, "Performed at", at.Text)
		nm := incident.NewMitigation{Reason: strings.TrimSpace(reason.Text), Description: strings.TrimSpace(desc.Text), CausedOutage: outage.Checked,
			PerformedAt: t}
		if outage.Checked {
			nm.OutageDetail = strings.TrimSpace(outageDetail.Text)
		}
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).RecordMitigation(nm)
			return err
		}
	}
	form.show(desc)
}

// showNotificationDecision opens the form that records the
// customer-notification decision.
func (cv *caseView) showNotificationDecision() {
	cur := cv.oc.incident.inc.Notification
	form := cv.u.newRecordForm("Customer notification decision", "Record",
		"The customer security incident notification process runs in parallel with the investigation. Not required "+
			"and delayed by law enforcement need the reason (who directed the delay, until when). Closing the incident "+
			"needs a final decision: in progress does not close it.")
	sel := ""
	if cur != nil {
		sel = notificationTitles[cur.Status]
	}
	status := form.radio("Status *", optionsOf(incident.NotificationStatuses, notificationTitles), sel)
	status.Horizontal = false
	reason := form.text("Reason", "Why; required for not required and for delayed", 3)
	form.check = func() bool {
		st, ok := keyOf(incident.NotificationStatuses, notificationTitles, status.Selected)
		if !ok {
			form.setProblem("Status", "Choose the status.")
			return false
		}
		form.setProblem("Status", "")
		if st == incident.NotificationNotRequired || st == incident.NotificationDelayedByLawEnforcement {
			return form.require("Reason", reason.Text, "A "+strings.ToLower(notificationTitles[st])+" decision must say why.")
		}
		form.setProblem("Reason", "")
		return true
	}
	form.build = func() func(*casefile.Case) error {
		st, _ := keyOf(incident.NotificationStatuses, notificationTitles, status.Selected)
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).DecideNotification(st, r)
			return err
		}
	}
	form.show(reason)
}

// showApproveMitigation opens the form in which the acting examiner
// approves m in a capacity whose role they hold: a custody entry signed
// with their own key.
func (cv *caseView) showApproveMitigation(m incident.Mitigation) {
	caps := approvableCapacities(cv.oc.actor, m)
	form := cv.u.newRecordForm("Approve an emergency mitigation", "Approve",
		"Your approval is recorded in the custody ledger under your name and signed with your key. The executive "+
			"incident manager, the service owner and the security incident manager approve jointly: one person per capacity.")
	form.width = 640
	form.note("Mitigation", wrapped(shown(m.Description)))
	missing := "Still missing: " + capacityList(m.MissingApprovals())
	form.note("Approvals", mutedLabel(missing))
	titles := make(map[incident.ApprovalCapacity]string, len(caps))
	for _, c := range caps {
		titles[c] = approvalTitles[c]
	}
	sel := ""
	if len(caps) == 1 {
		sel = titles[caps[0]]
	}
	capacity := form.radio("Approve as *", optionsOf(caps, titles), sel)
	capacity.Horizontal = false
	reason := form.entry("Reason", "Why you approve, for the custody record (optional)")
	form.check = func() bool {
		if _, ok := keyOf(caps, titles, capacity.Selected); !ok {
			form.setProblem("Approve as", "Choose the capacity you approve in.")
			return false
		}
		form.setProblem("Approve as", "")
		return true
	}
	form.build = func() func(*casefile.Case) error {
		c, _ := keyOf(caps, titles, capacity.Selected)
		r := strings.TrimSpace(reason.Text)
		return func(cs *casefile.Case) error {
			_, err := incident.Of(cs).ApproveMitigation(m.ID, c, r)
			return err
		}
	}
	form.show(reason)
}
