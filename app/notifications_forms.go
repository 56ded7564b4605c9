package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/notify"
	"github.com/custodia-dfir/custodia/casefile/notify/regime"
)

// The dialogs of the Notifications area (notifications.go) for the
// track itself — start, trigger, regimes, delay, declaration — and the
// rules that enable every action of the area. Those of the customers and
// notices are in notifications_notices.go.

// notifyChanges are the facts a change of the track makes stale.
const notifyChanges = factsNotify | factsCustody

// refusedNotify reports whether err is a refusal a Notifications form
// shows in its band: casefile's, and the track's own (not started, four
// eyes, a malformed customer file, no such customer or notice, a role
// that may not).
func refusedNotify(err error) bool {
	if refusedInForm(err) {
		return true
	}
	for _, target := range []error{casefile.ErrNotPermitted, notify.ErrNotStarted, notify.ErrFourEyes, notify.ErrCSV,
		notify.ErrNoSuchCustomer, notify.ErrNoSuchNotice, notify.ErrSMTP} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// newNotifyForm starts a form of the area: refusals of the track show in
// its band, and a save reads the track again.
func (v *notificationsView) newNotifyForm(title, saveText, intro string) *recordForm {
	form := v.cv.u.newRecordForm(title, saveText, intro)
	form.refused = refusedNotify
	form.changes = notifyChanges
	return form
}

// enable allows the actions the acting examiner may take now; a disabled
// one says which role may, or what else stands in the way.
func (v *notificationsView) enable() {
	cv := v.cv
	tr := cv.oc.notify.track
	started := tr.Start != nil
	notStarted := ""
	if !started {
		notStarted = "the notification track is not started; a Security Incident Manager, Executive Incident Manager or Legal Advisor starts it (Start track)."
	}
	startWhy := cv.whyNot(casefile.PermNotificationTrack)
	if startWhy == "" && started {
		startWhy = "the track was started on " + tr.Start.At.UTC().Format(timeLayout) + " by " + shownLine(tr.Start.Examiner) +
			"; record a corrected awareness time with Record trigger (awareness)."
	}
	v.start.allow(startWhy)
	v.trigger.allow(orWhy(cv.whyNot(casefile.PermNotificationTrack), notStarted))
	v.regimes.allow(orWhy(cv.whyNot(casefile.PermNotificationTrack), notStarted))
	v.delay.allow(orWhy(cv.whyNot(casefile.PermLawEnforcementDelay), notStarted))
	v.declare.allow(orWhy(cv.whyNot(casefile.PermDeclareBreach), notStarted))
	v.noBreach.allow(orWhy(cv.whyNot(casefile.PermDeclareBreach), notStarted))
	v.importCustomers.allow(cv.whyNot(casefile.PermCustomerScope))
	v.addCustomer.allow(cv.whyNot(casefile.PermCustomerScope))
	editCust := cv.whyNot(casefile.PermCustomerScope)
	if editCust == "" && v.chosenCustomer() == nil {
		editCust = "choose a customer in the table first."
	}
	v.editCustomer.allow(editCust)
	v.newNotice.allow(cv.whyNot(casefile.PermNoticeDraft))

	n := v.chosenNotice()
	const choose = "choose a notice in the table first."
	edit := cv.whyNot(casefile.PermNoticeDraft)
	switch {
	case edit != "":
	case n == nil:
		edit = choose
	case len(n.Sendings) > 0:
		edit = "the notice was sent; it is not edited after that: draft a follow-up notice."
	}
	v.editNotice.allow(edit)
	v.approve.allow(v.whyNoApproval(n))
	send := cv.whyNot(casefile.PermNoticeSend)
	switch {
	case send != "":
	case n == nil:
		send = choose
	case n.Approved() == nil:
		send = fmt.Sprintf("revision %d of the notice is not approved; only an approved notice is exported or sent.", n.Revision)
	}
	exportWhy := send
	if exportWhy == "" && len(n.To) == 0 {
		exportWhy = "the notice has no recipient; set To (Edit notice)."
	}
	v.export.allow(exportWhy)
	if send == "" && n.Audience.Official() && !tr.Declared() {
		send = "no breach is declared: an official notice (to a " + string(n.Audience) +
			") is sent only after the Executive Incident Manager declares the breach."
	}
	v.markSent.allow(send)
	if send == "" && len(n.To) == 0 {
		send = "the notice has no recipient; set To (Edit notice)."
	}
	v.send.allow(send)
}

// whyNoApproval says why the acting examiner cannot approve notice n, or
// "": the role, four eyes (an author never approves), an approval already
// given, a missing checklist item.
func (v *notificationsView) whyNoApproval(n *notify.Notice) string {
	if why := v.cv.whyNot(casefile.PermNoticeApprove); why != "" {
		return why
	}
	if n == nil {
		return "choose a notice in the table first."
	}
	me := v.cv.oc.actor
	for i, a := range n.Authors {
		if a.ExaminerID == me.ID {
			return fmt.Sprintf("%s wrote revision %d of this notice, and a notice is approved by someone other than its authors "+
				"(four eyes): ask a Security Incident Manager, Executive Incident Manager or Legal Advisor who did not write it.",
				shownLine(me.Name), i+1)
		}
	}
	if a := n.Approved(); a != nil {
		return fmt.Sprintf("revision %d is approved already, by %s.", n.Revision, shownLine(a.Examiner))
	}
	if m := n.Missing(); len(m) > 0 {
		refs := make([]string, len(m))
		for i, c := range m {
			refs[i] = c.Ref
		}
		return "the notice misses " + strings.Join(refs, ", ") + "; complete those sections (Edit notice) first."
	}
	return ""
}

// timeField reads a required time field.
func requiredTime(form *recordForm, name, text string) (time.Time, bool) {
	t, problem := parseTimeInput(text)
	form.setProblem(name, problem)
	return t, problem == ""
}

const timeHint = "2026-03-14T08:10:00Z, or 2026-03-14 08:10 for UTC"

// showStart opens the form that starts the track.
func (v *notificationsView) showStart() {
	form := v.newNotifyForm("Start the notification track", "Start",
		"Start the customer-notification track on reasonable suspicion, at any stage. The awareness time starts clocks "+
			"such as GDPR's 72 hours; it may lie before the case was opened, never in the future.")
	aware := form.entry("Aware since *", "When the organisation became aware: "+timeHint)
	reason := form.text("Reason *", "The ground of the suspicion", 2)
	form.check = func() bool {
		_, ok := requiredTime(form, "Aware since", aware.Text)
		return form.require("Reason", reason.Text, "Say why the track starts.") && ok
	}
	var warning string
	form.build = func() func(*casefile.Case) error {
		t, _ := requiredTime(form, "Aware since", aware.Text)
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, w, err := notify.Of(c).Start(t, r)
			warning = w
			return err
		}
	}
	form.saved = func() {
		if warning != "" {
			v.cv.u.showNotice("Track started, with a warning", sentence(endSentence(warning)), theme.WarningIcon(), nil)
		}
	}
	form.show(aware)
}

// triggerTitles describe the trigger kinds.
var triggerTitles = map[notify.TriggerKind]string{
	notify.TriggerAwareness:             "awareness",
	notify.TriggerDiscovery:             "discovery (HIPAA)",
	notify.TriggerMajorClassification:   "major-classification (DORA)",
	notify.TriggerMateriality:           "materiality (SEC 8-K Item 1.05)",
	notify.TriggerIncidentDetermination: "incident-determination (NYDFS)",
	notify.TriggerRansomPayment:         "ransom-payment (NYDFS)",
	notify.TriggerAssessment:            "assessment (Australia NDB, Singapore PDPA)",
}

// showTrigger opens the form that records a decision that starts clocks.
func (v *notificationsView) showTrigger() {
	form := v.newNotifyForm("Record a trigger decision", "Record",
		"A decision that starts legal clocks, with when it was taken. Recording a kind again corrects it: the last one counts.")
	kind := form.choice("Decision *", optionsOf(notify.TriggerKinds, triggerTitles), "")
	at := form.entry("Taken at *", timeHint)
	reason := form.text("Reason *", "The decision's rationale", 2)
	form.check = func() bool {
		ok := true
		if _, k := keyOf(notify.TriggerKinds, triggerTitles, kind.Selected); !k {
			form.setProblem("Decision", "Choose the decision.")
			ok = false
		} else {
			form.setProblem("Decision", "")
		}
		_, tok := requiredTime(form, "Taken at", at.Text)
		return form.require("Reason", reason.Text, "Give the decision's rationale.") && ok && tok
	}
	form.build = func() func(*casefile.Case) error {
		k, _ := keyOf(notify.TriggerKinds, triggerTitles, kind.Selected)
		t, _ := requiredTime(form, "Taken at", at.Text)
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).Trigger(k, t, r)
			return err
		}
	}
	form.show(nil)
}

// showRegimes opens the form that chooses the applicable regimes, with
// the regimes the customers' jurisdictions suggest.
func (v *notificationsView) showRegimes() {
	f := v.cv.oc.notify
	form := v.newNotifyForm("Choose the applicable regimes", "Choose",
		"The regimes whose clocks the case runs. Regimes that follow from what the organisation is (an SEC registrant, "+
			"an EU financial entity) are never suggested: choose them yourself.")
	form.width = 720
	labels := make([]string, len(notify.Regimes))
	byLabel := map[string]string{}
	for i, id := range notify.Regimes {
		labels[i] = id + " — " + regimeName(id)
		byLabel[labels[i]] = id
	}
	juris, suggested := notify.SuggestFor(f.customers)
	labelOf := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			if i := slices.Index(notify.Regimes, id); i >= 0 {
				out = append(out, labels[i])
			}
		}
		return out
	}
	var list *checkList
	if len(suggested) > 0 {
		use := form.button("Tick suggested", theme.ConfirmIcon(), func() {
			list.SetSelected(append(list.Selected(), labelOf(suggested)...))
		})
		form.note("Suggested", container.NewBorder(nil, nil, nil, use, wrapped("From the customers' jurisdictions ("+
			shownLine(strings.Join(juris, ", "))+"): "+strings.Join(suggested, ", ")+".")))
	} else {
		form.note("Suggested", mutedLabel("No suggestion: no customer with a jurisdiction is in scope yet."))
	}
	list = form.checks("Regimes", labels, labelOf(f.track.Regimes), 2)
	// The obligations of the regimes chosen now that the case may decide
	// do not apply (their condition is not met).
	var oblLabels []string
	oblByLabel := map[string]notify.ObligationRef{}
	var oblSelected []string
	for _, id := range f.track.Regimes {
		r, ok := regime.Lookup(id)
		if !ok {
			continue
		}
		for _, o := range r.Obligations {
			ref := notify.ObligationRef{Regime: id, Obligation: o.ID}
			l := ref.String() + " — " + o.Name
			if o.Condition != "" {
				l += " (if " + o.Condition + ")"
			}
			oblLabels = append(oblLabels, l)
			oblByLabel[l] = ref
			if slices.Contains(f.track.NotRequired, ref) {
				oblSelected = append(oblSelected, l)
			}
		}
	}
	var notRequired *checkList
	if len(oblLabels) > 0 {
		notRequired = form.checks("Do not apply", oblLabels, oblSelected, 1)
	} else {
		form.note("Do not apply", mutedLabel("Choose the regimes first; their obligations that do not apply to this case are ticked here then."))
	}
	reason := form.text("Reason *", "Why these regimes apply", 2)
	form.check = func() bool { return form.require("Reason", reason.Text, "Say why these regimes apply.") }
	form.build = func() func(*casefile.Case) error {
		var ids []string
		for _, l := range list.Selected() {
			ids = append(ids, byLabel[l])
		}
		r := strings.TrimSpace(reason.Text)
		if notRequired == nil {
			return func(c *casefile.Case) error {
				_, err := notify.Of(c).SetRegimes(ids, r)
				return err
			}
		}
		nr := []notify.ObligationRef{}
		for _, l := range notRequired.Selected() {
			nr = append(nr, oblByLabel[l])
		}
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).SetApplicability(ids, nr, r)
			return err
		}
	}
	form.show(reason)
}

// showDelay opens the form that records a law-enforcement delay.
func (v *notificationsView) showDelay() {
	form := v.newNotifyForm("Record a law-enforcement delay", "Record",
		"A delay of notification at the direction of law enforcement pauses only the clocks whose regime allows it "+
			"(HIPAA §164.412, the SEC's Attorney General delay), never GDPR's. An oral direction pauses HIPAA's at most 30 days.")
	agency := form.entry("Agency *", "The agency that directed the delay")
	ref := form.entry("Reference *", "The agency's reference")
	oral := form.checkBox("Form", "The direction was oral, not written", nil)
	from := form.entry("From", "Empty for now; "+timeHint)
	until := form.entry("Until *", timeHint)
	reason := form.text("Reason *", "What the agency asked and why", 2)
	form.check = func() bool {
		ok := form.require("Agency", agency.Text, "Name the agency.")
		ok = form.require("Reference", ref.Text, "Give the agency's reference.") && ok
		_, fok := optionalTime(form, "From", from.Text)
		_, uok := requiredTime(form, "Until", until.Text)
		return form.require("Reason", reason.Text, "Say what the agency asked.") && ok && fok && uok
	}
	form.build = func() func(*casefile.Case) error {
		f, _ := optionalTime(form, "From", from.Text)
		u, _ := requiredTime(form, "Until", until.Text)
		nd := notify.NewDelay{Agency: strings.TrimSpace(agency.Text), Reference: strings.TrimSpace(ref.Text), Written: !oral.Checked,
			From: f, Until: u, Reason: strings.TrimSpace(reason.Text)}
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).RecordDelay(nd)
			return err
		}
	}
	form.show(agency)
}

// showDeclare opens the form in which the executive incident manager
// declares the breach, or that none is declared.
func (v *notificationsView) showDeclare(breach bool) {
	title, save, intro := "Declare a security breach", "Declare",
		"You declare that a security breach occurred: official notices to customers, regulators and data subjects may then be sent. "+
			"Your declaration is recorded in the custody ledger under your name and signed with your key."
	if !breach {
		title, save, intro = "Declare no breach", "Record",
			"You record that no breach is declared, with the rationale. Your decision is recorded under your name and signed with your key."
	}
	form := v.newNotifyForm(title, save, intro)
	reason := form.text("Rationale *", "The evidence and the reasoning behind the decision", 4)
	form.check = func() bool { return form.require("Rationale", reason.Text, "A declaration must give its rationale.") }
	form.build = func() func(*casefile.Case) error {
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			var err error
			if breach {
				_, err = notify.Of(c).Declare(r)
			} else {
				_, err = notify.Of(c).DeclareNoBreach(r)
			}
			return err
		}
	}
	form.show(reason)
}
