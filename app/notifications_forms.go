package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/notify"
	"github.com/custodia-dfir/custodia/casefile/notify/regime"
)

// The dialogs of the Notifications area (notifications.go), one per
// action of the notification track, and the rules that enable them.

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
		notify.ErrNoSuchCustomer, notify.ErrNoSuchNotice} {
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
	var juris []string
	for _, c := range f.customers {
		if c.Jurisdiction != "" && !slices.Contains(juris, c.Jurisdiction) {
			juris = append(juris, c.Jurisdiction)
		}
	}
	suggested := regime.Suggest(juris)
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
	reason := form.text("Reason *", "Why these regimes apply", 2)
	form.check = func() bool { return form.require("Reason", reason.Text, "Say why these regimes apply.") }
	form.build = func() func(*casefile.Case) error {
		var ids []string
		for _, l := range list.Selected() {
			ids = append(ids, byLabel[l])
		}
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).SetRegimes(ids, r)
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

// showImport opens the form that imports the impacted customers from a
// CSV file.
func (v *notificationsView) showImport() {
	u := v.cv.u
	form := v.newNotifyForm("Import customers", "Import",
		"A CSV file with the header "+strings.Join(notify.CSVColumns, ",")+" (admin contacts and data categories separated by ';'). "+
			"Every customer is imported, or, on any error, none.")
	file := newFormEntry(form.keys, 0)
	file.SetPlaceHolder("The customer file (.csv)")
	file.OnChanged = func(string) { form.recheck() }
	choose := form.button("Choose…", theme.FileIcon(), func() { u.choosePath(file, false) })
	form.add("File *", container.NewBorder(nil, nil, nil, choose, file))
	form.fields["File"] = file
	reason := form.entry("Reason", "Where the list comes from (recorded)")
	form.check = func() bool {
		p := strings.TrimSpace(file.Text)
		if !form.require("File", p, "Choose the customer file.") {
			return false
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			form.setProblem("File", "No such file: "+p)
			return false
		}
		return true
	}
	var res notify.ImportResult
	form.build = func() func(*casefile.Case) error {
		p, r := strings.TrimSpace(file.Text), strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			fh, err := os.Open(p)
			if err != nil {
				return err
			}
			defer fh.Close()
			res, err = notify.Of(c).ImportCSV(fh, r)
			return err
		}
	}
	form.saved = func() {
		u.showNotice("Customers imported", fmt.Sprintf("%s imported (file SHA-256 %s).", plural(res.Customers, "customer", "customers"), res.SHA256),
			theme.NewSuccessThemedResource(theme.ConfirmIcon()), nil)
	}
	form.show(file)
}

// showAddCustomer opens the form that adds one impacted customer.
func (v *notificationsView) showAddCustomer() {
	oc := v.cv.oc
	form := v.newNotifyForm("Add a customer", "Add", "An impacted customer, linked to the findings and evidence that put it in scope.")
	form.width = 700
	id := form.entry("ID *", "The customer's id in your systems")
	name := form.entry("Name *", "The customer's name")
	admins := form.entry("Admin contacts *", "E-mail addresses, separated by ';' or ','")
	juris := form.entry("Jurisdiction", "ISO 3166 code such as DE or US-CA")
	cats := form.entry("Data categories", "Separated by ';' or ','")
	subjects := form.entry("Data subjects", "The number of data subjects (0 when none or unknown)")
	var findingIDs []uuid.UUID
	var findingLabels []string
	for _, fd := range oc.incident.findings {
		findingIDs = append(findingIDs, fd.ID)
		findingLabels = append(findingLabels, shownLine(fd.Title))
	}
	var findings *checkList
	if len(findingLabels) > 0 {
		findings = form.checks("Linked findings", findingLabels, nil, 1)
	}
	evidence := evidenceChecks(form, "Linked evidence", oc.evidence.items)
	reason := form.entry("Reason", "Why it is in scope (recorded)")
	form.check = func() bool {
		ok := form.require("ID", id.Text, "Give the customer's id.")
		ok = form.require("Name", name.Text, "Give the customer's name.") && ok
		ok = form.require("Admin contacts", admins.Text, "Give at least one administrator's e-mail address.") && ok
		if s := strings.TrimSpace(subjects.Text); s != "" {
			if n, err := strconv.ParseInt(s, 10, 64); err != nil || n < 0 {
				form.setProblem("Data subjects", "Type a whole number (0 when none or unknown).")
				ok = false
			} else {
				form.setProblem("Data subjects", "")
			}
		}
		return ok
	}
	form.build = func() func(*casefile.Case) error {
		n, _ := strconv.ParseInt(strings.TrimSpace(subjects.Text), 10, 64)
		ci := notify.CustomerInfo{ID: strings.TrimSpace(id.Text), Name: strings.TrimSpace(name.Text), AdminContacts: listField(admins.Text),
			Jurisdiction: strings.TrimSpace(juris.Text), DataCategories: listField(cats.Text), DataSubjects: n, Evidence: evidence()}
		if findings != nil {
			for i, c := range findings.checks {
				if c.Checked {
					ci.Findings = append(ci.Findings, findingIDs[i])
				}
			}
		}
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).AddCustomer(ci, r)
			return err
		}
	}
	form.show(id)
}

// listField splits a field of addresses or categories at ';', ',' and
// line breaks.
func listField(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// noRegime is the regime choice of a notice that serves none.
const noRegime = "(none)"

// showNewNotice opens the form that drafts a notice from the case's facts.
func (v *notificationsView) showNewNotice() {
	f := v.cv.oc.notify
	form := v.newNotifyForm("New notice", "Draft",
		"The notice is drafted from the case's facts by its audience's template; the sections a regime requires form its checklist. "+
			"A customer notice goes to the customer's administrators.")
	form.width = 700
	audiences := make([]string, len(notify.Audiences))
	for i, a := range notify.Audiences {
		audiences[i] = string(a)
	}
	audience := form.radio("Audience *", audiences, "")
	regimes := append([]string{noRegime}, notify.Regimes...)
	sel := noRegime
	if len(f.track.Regimes) > 0 {
		sel = f.track.Regimes[0]
	}
	reg := form.choice("Regime", regimes, sel)
	var custIDs []string
	for _, c := range f.customers {
		custIDs = append(custIDs, c.ID)
	}
	cust := form.choice("Customer", custIDs, "")
	from := form.entry("From", "The sender's address, e.g. incident-response@example.com")
	cc := form.entry("Cc", "Addresses, separated by ';' or ','")
	reason := form.entry("Reason", "Why it is drafted (recorded)")
	form.check = func() bool {
		ok := true
		if audience.Selected == "" {
			form.setProblem("Audience", "Choose whom the notice is for.")
			ok = false
		} else {
			form.setProblem("Audience", "")
		}
		switch {
		case audience.Selected == string(notify.AudienceCustomer) && cust.Selected == "":
			msg := "A notice to a customer needs the customer."
			if len(custIDs) == 0 {
				msg = "No customer is in scope yet: import or add them first."
			}
			form.setProblem("Customer", msg)
			ok = false
		default:
			form.setProblem("Customer", "")
		}
		if audience.Selected == string(notify.AudienceRegulator) && reg.Selected == noRegime {
			form.setProblem("Regime", "A notice to a regulator needs its regime.")
			ok = false
		} else {
			form.setProblem("Regime", "")
		}
		return ok
	}
	var drafted notify.Notice
	form.build = func() func(*casefile.Case) error {
		nn := notify.NewNotice{Audience: notify.Audience(audience.Selected), From: strings.TrimSpace(from.Text), Cc: listField(cc.Text),
			Reason: strings.TrimSpace(reason.Text)}
		if reg.Selected != noRegime {
			nn.Regime = reg.Selected
		}
		if nn.Audience == notify.AudienceCustomer {
			nn.Customer = cust.Selected
		}
		return func(c *casefile.Case) error {
			var err error
			drafted, err = notify.Of(c).DraftNotice(nn)
			return err
		}
	}
	form.saved = func() { v.choose(drafted.ID) }
	form.show(nil)
}

// choose chooses notice id in the table.
func (v *notificationsView) choose(id uuid.UUID) {
	v.notices.selected = id
	v.notices.reload()
	v.showChosen()
	v.enable()
}

// showEditNotice opens the notice editor: addresses, subject and body,
// with the checklist live as the body is typed.
func (v *notificationsView) showEditNotice() {
	n := v.chosenNotice()
	if n == nil {
		return
	}
	cur := *n
	form := v.newNotifyForm("Edit notice "+cur.ID.String()[:8], "Save revision",
		fmt.Sprintf("You write revision %d of this notice (%s). Each required item is a section \"== Heading ==\" with text that is "+
			"not a placeholder (\"[to be completed: …]\"). An approval of an earlier revision does not carry over.", cur.Revision+1, noticeWhat(cur)))
	form.width = 820
	from := form.entry("From", "The sender's address")
	from.SetText(cur.From)
	to := form.entry("To", "Addresses, separated by ';' or ','")
	to.SetText(strings.Join(cur.To, "; "))
	cc := form.entry("Cc", "Addresses, separated by ';' or ','")
	cc.SetText(strings.Join(cur.Cc, "; "))
	subject := form.entry("Subject *", "One line")
	subject.SetText(cur.Subject)
	// The checklist stands above the body, one truncated line an item, so
	// typing never changes its height and nothing moves.
	checklist := widget.NewLabel(checklistLines(cur.Checklist, false))
	checklist.Truncation = fyne.TextTruncateEllipsis
	form.note("Checklist", checklist)
	body := form.text("Body *", "Plain text; sections \"== Heading ==\"", 10)
	body.SetText(cur.Body)
	reason := form.entry("Reason", "What changed (recorded)")
	form.live = true
	form.check = func() bool {
		checklist.SetText(checklistLines(notify.Checklist(cur.Regime, body.Text), false))
		ok := form.require("Subject", subject.Text, "Give the subject.")
		if strings.ContainsAny(subject.Text, "\r\n") {
			form.setProblem("Subject", "The subject is one line.")
			ok = false
		}
		return form.require("Body", body.Text, "Write the notice.") && ok
	}
	form.build = func() func(*casefile.Case) error {
		nc := cur.NoticeContent
		nc.From, nc.To, nc.Cc = strings.TrimSpace(from.Text), listField(to.Text), listField(cc.Text)
		nc.Subject, nc.Body = strings.TrimSpace(subject.Text), body.Text
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).EditNotice(cur.ID, nc, r)
			return err
		}
	}
	form.show(body)
}

// noticeWhat says whom a notice is for: "to customer C-1001, gdpr".
func noticeWhat(n notify.Notice) string {
	s := "to " + string(n.Audience)
	if n.Customer != "" {
		s += " " + shownLine(n.Customer)
	}
	if n.Regime != "" {
		s += ", " + n.Regime
	}
	return s
}

// showApprove opens the form in which the acting examiner approves the
// chosen notice under their own name.
func (v *notificationsView) showApprove() {
	n := v.chosenNotice()
	if n == nil {
		return
	}
	id, rev := n.ID, n.Revision
	form := v.newNotifyForm("Approve notice "+id.String()[:8], "Approve",
		fmt.Sprintf("You approve revision %d of the notice \"%s\". Your approval is recorded in the custody ledger under your name, "+
			"signed with your key, and pins the revision's content.", rev, shownLine(n.Subject)))
	reason := form.entry("Reason", "What you checked (recorded)")
	form.build = func() func(*casefile.Case) error {
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).ApproveNotice(id, r)
			return err
		}
	}
	form.show(reason)
}

// showExport opens the form that exports the chosen notice as one .eml
// file per recipient into a folder.
func (v *notificationsView) showExport() {
	n := v.chosenNotice()
	if n == nil {
		return
	}
	u := v.cv.u
	id := n.ID
	form := v.newNotifyForm("Export notice "+id.String()[:8], "Export",
		fmt.Sprintf("One RFC 5322 .eml file per recipient (%s), with text and HTML alternatives, written into the folder; "+
			"no file is overwritten. The export is recorded with each file's SHA-256.", shownLine(strings.Join(n.To, ", "))))
	folder := newFormEntry(form.keys, 0)
	folder.SetText(defaultFolder(u.cfg.DefaultFolder))
	folder.OnChanged = func(string) { form.recheck() }
	choose := form.button("Choose…", theme.FolderOpenIcon(), func() { u.choosePath(folder, true) })
	form.add("Folder *", container.NewBorder(nil, nil, nil, choose, folder))
	form.fields["Folder"] = folder
	form.check = func() bool {
		p := strings.TrimSpace(folder.Text)
		if !form.require("Folder", p, "Choose the folder.") {
			return false
		}
		if !isDir(p) {
			form.setProblem("Folder", "Not a folder: "+p)
			return false
		}
		return true
	}
	var out []notify.EML
	form.build = func() func(*casefile.Case) error {
		dir := strings.TrimSpace(folder.Text)
		return func(c *casefile.Case) error {
			var err error
			out, err = notify.Of(c).Export(id, dir)
			return err
		}
	}
	form.saved = func() {
		v.lastExport = out
		var ls []string
		for _, e := range out {
			ls = append(ls, filepath.Base(e.Path)+"  SHA-256 "+e.SHA256)
		}
		l := wrapped(strings.Join(ls, "\n"))
		u.showNotice("Notice exported", plural(len(out), "message was", "messages were")+" written and the export recorded.",
			theme.NewSuccessThemedResource(theme.ConfirmIcon()), l)
	}
	form.show(folder)
}

// showMarkSent opens the form that records that the chosen notice was
// sent: when, through which channel, to whom, and the obligation it met.
func (v *notificationsView) showMarkSent() {
	n := v.chosenNotice()
	if n == nil {
		return
	}
	id := n.ID
	form := v.newNotifyForm("Mark notice "+id.String()[:8]+" sent", "Record",
		"Record that the notice was sent. Naming the obligation it meets stops that clock (\"met by notice\").")
	form.width = 700
	at := form.entry("Sent at", "Empty for now; "+timeHint)
	channel := form.radio("Channel *", notify.Channels, "email")
	rcpts := form.entry("Recipients", "Empty for the notice's To and Cc: "+shownLine(strings.Join(append(slices.Clone(n.To), n.Cc...), ", ")))
	obligations := []string{noRegime}
	if r, ok := regime.Lookup(n.Regime); ok {
		for _, o := range r.Obligations {
			obligations = append(obligations, o.ID)
		}
	}
	obl := form.choice("Obligation met", obligations, noRegime)
	reason := form.entry("Reason", "How it was sent (recorded)")
	form.check = func() bool {
		_, ok := optionalTime(form, "Sent at", at.Text)
		return ok
	}
	form.build = func() func(*casefile.Case) error {
		t, _ := optionalTime(form, "Sent at", at.Text)
		ns := notify.NewSending{At: t, Channel: channel.Selected, Recipients: listField(rcpts.Text), Reason: strings.TrimSpace(reason.Text)}
		if obl.Selected != noRegime {
			ns.Obligation = obl.Selected
		}
		return func(c *casefile.Case) error {
			_, err := notify.Of(c).MarkSent(id, ns)
			return err
		}
	}
	form.show(nil)
}
