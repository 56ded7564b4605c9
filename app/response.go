package app

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
)

// responsePanel is the Response tab: the actions the response team took,
// the emergency mitigations with who approved them, and the
// customer-notification decision.
type responsePanel struct {
	lv *lifecycleView

	actions, mitigations           *dataTable
	recordAction, recordMitigation *widget.Button
	notification, notificationWhy  *widget.Label
	notificationHistory            *widget.Label
	decide                         *widget.Button
	root                           *fyne.Container
}

var approvalTitles = map[casefile.ApprovalCapacity]string{
	casefile.ApprovalExecutive:       "Executive Incident Manager",
	casefile.ApprovalServiceOwner:    "Service owner",
	casefile.ApprovalIncidentManager: "Security Incident Manager",
}

var notificationTitles = map[casefile.NotificationStatus]string{
	casefile.NotificationNotRequired:             "Not required",
	casefile.NotificationInProgress:              "In progress",
	casefile.NotificationSent:                    "Sent",
	casefile.NotificationDelayedByLawEnforcement: "Delayed by law enforcement",
}

func newResponsePanel(lv *lifecycleView) *responsePanel {
	p := &responsePanel{lv: lv}
	p.recordAction = widget.NewButtonWithIcon("Record action…", theme.ContentAddIcon(), lv.showRecordAction)
	p.recordMitigation = widget.NewButtonWithIcon("Record mitigation…", theme.WarningIcon(), lv.showRecordMitigation)
	p.decide = widget.NewButtonWithIcon("Record decision…", theme.MailSendIcon(), lv.showNotificationDecision)
	p.actions = newDataTable([]dataColumn{
		{"Performed (UTC)", 220}, {"Stage", 170}, {"Description", 420}, {"Evidence", 260}, {"Recorded by", 300},
	}, 2, 10)
	p.mitigations = newDataTable([]dataColumn{
		{"Performed (UTC)", 220}, {"Description", 360}, {"Approved by", 340}, {"Joint approval", 260}, {"Outage", 300},
	}, 2, 8)
	p.notification = valueLabel()
	p.notification.TextStyle = fyne.TextStyle{Bold: true}
	p.notificationWhy = valueLabel()
	p.notificationHistory = mutedLabel("")
	grid := factGrids([]fact{{"Status", p.notification}, {"Reason", p.notificationWhy}, {"Earlier", p.notificationHistory}})[0]
	p.root = container.NewVBox(
		sectionWith("Actions taken", p.actions.box, p.recordAction),
		sectionWith("Emergency mitigations", container.NewVBox(
			mutedLabel("The executive incident manager, the service owner and the security incident manager jointly "+
				"decide on emergency mitigation; a step that causes an outage follows the outage notification process."),
			p.mitigations.box), p.recordMitigation),
		sectionWith("Customer notification", grid, p.decide),
	)
	return p
}

func (p *responsePanel) load(f incidentFacts) {
	names := map[uuid.UUID]string{}
	for _, ev := range p.lv.cv.oc.evidence.items {
		names[ev.ID] = shownLine(ev.Meta.Name)
	}
	rows := make([][]dataCell, 0, len(f.actions))
	for i := len(f.actions) - 1; i >= 0; i-- {
		a := f.actions[i]
		var evs []string
		for _, id := range a.Evidence {
			if n, ok := names[id]; ok {
				evs = append(evs, n)
			} else {
				evs = append(evs, id.String()[:8]+"…")
			}
		}
		rows = append(rows, []dataCell{
			cell(a.PerformedAt.UTC().Format(timeLayout)), cell(a.Stage.Title()), cell(oneLine(shown(a.Description))),
			cell(orNotSet(strings.Join(evs, ", "))), cell(attribution(casefile.Attribution{Examiner: a.Examiner, Role: a.Role})),
		})
	}
	p.actions.set(rows)

	rows = make([][]dataCell, 0, len(f.mitigations))
	for i := len(f.mitigations) - 1; i >= 0; i-- {
		m := f.mitigations[i]
		var who, missing []string
		for _, a := range m.Approvals {
			who = append(who, shownLine(a.Name)+" ("+approvalTitles[a.Capacity]+")")
		}
		for _, c := range casefile.ApprovalCapacities {
			found := false
			for _, a := range m.Approvals {
				found = found || a.Capacity == c
			}
			if !found {
				missing = append(missing, strings.ToLower(approvalTitles[c][:1])+approvalTitles[c][1:])
			}
		}
		joint := dataCell{text: "Joint", imp: widget.SuccessImportance}
		if !m.JointlyApproved() {
			joint = dataCell{text: "Missing: " + strings.Join(missing, ", "), imp: widget.WarningImportance}
		}
		outage := cell("No")
		if m.CausedOutage {
			outage = dataCell{text: "Yes — " + orNotSet(oneLine(shown(m.OutageDetail))), imp: widget.DangerImportance}
		}
		rows = append(rows, []dataCell{
			cell(m.PerformedAt.UTC().Format(timeLayout)), cell(oneLine(shown(m.Description))),
			cell(strings.Join(who, "; ")), joint, outage,
		})
	}
	p.mitigations.set(rows)

	if d := f.inc.Notification; d != nil {
		p.notification.SetText(notificationTitles[d.Status])
		p.notificationWhy.SetText(orNotSet(shown(d.Reason)) + "\n— " + attribution(d.Attribution))
	} else {
		p.notification.SetText("Not decided")
		p.notificationWhy.SetText("Closing the incident needs a decision: not required (with the reason), in progress, " +
			"sent, or delayed by law enforcement (with the reason).")
	}
	p.notificationHistory.SetText(historyLines(len(f.notifications)-1, 4, func(i int) string {
		d := f.notifications[i]
		return d.At.UTC().Format(timeLayout) + " · " + notificationTitles[d.Status] + " · " + shownLine(d.Examiner)
	}))
	closed := f.inc.Stage == casefile.StageClose
	for _, b := range []*widget.Button{p.recordAction, p.recordMitigation} {
		if closed {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	relayout(p.root)
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

// evidenceChecks makes a check group of the case's items and returns it
// with a function that lists the ids of the checked ones.
func evidenceChecks(items []casefile.Evidence) (*widget.CheckGroup, func() []uuid.UUID) {
	labels := make([]string, len(items))
	for i, ev := range items {
		labels[i] = shownLine(ev.Meta.Name) + " — " + shortHash(ev.Meta.Hashes.SHA256)
	}
	g := widget.NewCheckGroup(labels, nil)
	ids := func() []uuid.UUID {
		var out []uuid.UUID
		for i, l := range labels {
			for _, s := range g.Selected {
				if s == l {
					out = append(out, items[i].ID)
				}
			}
		}
		return out
	}
	return g, ids
}

// showRecordAction opens the form that records an action taken.
func (lv *lifecycleView) showRecordAction() {
	form := lv.u.newRecordForm("Record an action", "Record",
		"An action the response team took. Give the time it was taken when you record it afterwards; the time of "+
			"recording is kept apart.")
	desc := form.text("Description *", "What was done, by whom, on which systems", 3)
	at := form.entry("Performed at", "Empty for now; 2026-03-14T09:40:00Z or 2026-03-14 09:40 (UTC)")
	items := lv.cv.oc.evidence.items
	checks, ids := evidenceChecks(items)
	if len(items) == 0 {
		form.add("Linked evidence", mutedLabel("No evidence in the case yet."))
	} else {
		form.add("Linked evidence", checks)
	}
	reason := form.entry("Reason", "Why it was done, for the custody record (optional)")
	form.check = func() bool {
		_, ok := optionalTime(form, "Performed at", at.Text)
		return form.require("Description", desc.Text, "Describe the action.") && ok
	}
	form.build = func() func(*casefile.Case) error {
		t, _ := optionalTime(form, "Performed at", at.Text)
		na := casefile.NewResponseAction{Description: strings.TrimSpace(desc.Text), PerformedAt: t, Evidence: ids(),
			Reason: strings.TrimSpace(reason.Text)}
		return func(c *casefile.Case) error {
			_, err := c.RecordAction(na)
			return err
		}
	}
	form.show(desc)
}

// showRecordMitigation opens the form that records an emergency
// mitigation: what was done, who approved it in which capacity, and
// whether it caused an outage.
func (lv *lifecycleView) showRecordMitigation() {
	form := lv.u.newRecordForm("Record an emergency mitigation", "Record",
		"An emergency mitigation or containment step, such as quarantining a system. The process asks the executive "+
			"incident manager, the service owner and the security incident manager to decide on it jointly.")
	form.width = 700
	desc := form.text("Description *", "What was done to contain the risk", 3)
	approvers := map[casefile.ApprovalCapacity]*widget.Entry{}
	for _, c := range casefile.ApprovalCapacities {
		e := form.entry("Approved by: "+approvalTitles[c], "Name; empty if this capacity did not approve")
		approvers[c] = e
		// Prefill the holder of the matching role.
		for _, h := range lv.cv.oc.incident.inc.Roles {
			if string(h.Role) == string(c) {
				e.SetText(h.Examiner)
			}
		}
	}
	joint := widget.NewLabel("")
	joint.Wrapping = fyne.TextWrapWord
	form.add("Approval", joint)
	outage := widget.NewCheck("The step caused an outage", nil)
	form.add("Outage", outage)
	outageDetail := form.entry("Outage detail", "What was down, for how long")
	outageDetail.Disable()
	outage.OnChanged = func(on bool) {
		if on {
			outageDetail.Enable()
		} else {
			outageDetail.Disable()
		}
		form.recheck()
	}
	at := form.entry("Performed at", "Empty for now; 2026-03-14T09:40:00Z or 2026-03-14 09:40 (UTC)")
	approvals := func() []casefile.Approval {
		var out []casefile.Approval
		for _, c := range casefile.ApprovalCapacities {
			if n := strings.TrimSpace(approvers[c].Text); n != "" {
				out = append(out, casefile.Approval{Capacity: c, Name: n})
			}
		}
		return out
	}
	showJoint := func() {
		n := len(approvals())
		switch {
		case n == 0:
			joint.Importance = widget.DangerImportance
			joint.SetText("At least one approval is needed.")
		case n < len(casefile.ApprovalCapacities):
			joint.Importance = widget.WarningImportance
			joint.SetText("Not jointly approved: the mitigation will be flagged.")
		default:
			joint.Importance = widget.SuccessImportance
			joint.SetText("Jointly approved by all three capacities.")
		}
		joint.Refresh()
	}
	for _, e := range approvers {
		e.OnChanged = func(string) { showJoint(); form.recheck() }
	}
	showJoint()
	reason := form.entry("Reason", "Why it was needed, for the custody record (optional)")
	form.check = func() bool {
		_, ok := optionalTime(form, "Performed at", at.Text)
		if len(approvals()) == 0 {
			ok = false
		}
		if outage.Checked {
			ok = form.require("Outage detail", outageDetail.Text, "Say what was down and for how long.") && ok
		} else {
			form.setProblem("Outage detail", "")
		}
		return form.require("Description", desc.Text, "Describe the mitigation.") && ok
	}
	form.build = func() func(*casefile.Case) error {
		t, _ := optionalTime(form, "Performed at", at.Text)
		nm := casefile.NewMitigation{Reason: strings.TrimSpace(reason.Text), Description: strings.TrimSpace(desc.Text), Approvals: approvals(), CausedOutage: outage.Checked,
			PerformedAt: t}
		if outage.Checked {
			nm.OutageDetail = strings.TrimSpace(outageDetail.Text)
		}
		return func(c *casefile.Case) error {
			_, err := c.RecordMitigation(nm)
			return err
		}
	}
	form.show(desc)
}

// showNotificationDecision opens the form that records the
// customer-notification decision.
func (lv *lifecycleView) showNotificationDecision() {
	cur := lv.cv.oc.incident.inc.Notification
	form := lv.u.newRecordForm("Customer notification decision", "Record",
		"The customer security incident notification process runs in parallel with the investigation. Not required "+
			"and delayed by law enforcement need the reason (who directed the delay, until when).")
	sel := ""
	if cur != nil {
		sel = notificationTitles[cur.Status]
	}
	status := widget.NewRadioGroup(optionsOf(casefile.NotificationStatuses, notificationTitles), func(string) { form.recheck() })
	status.SetSelected(sel)
	form.add("Status *", status)
	reason := form.text("Reason", "Why; required for not required and for delayed", 3)
	form.check = func() bool {
		st, ok := keyOf(casefile.NotificationStatuses, notificationTitles, status.Selected)
		if !ok {
			form.setProblem("Status", "Choose the status.")
			return false
		}
		form.setProblem("Status", "")
		if st == casefile.NotificationNotRequired || st == casefile.NotificationDelayedByLawEnforcement {
			return form.require("Reason", reason.Text, "A "+strings.ToLower(notificationTitles[st])+" decision must say why.")
		}
		form.setProblem("Reason", "")
		return true
	}
	form.build = func() func(*casefile.Case) error {
		st, _ := keyOf(casefile.NotificationStatuses, notificationTitles, status.Selected)
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := c.DecideNotification(st, r)
			return err
		}
	}
	form.show(reason)
}
