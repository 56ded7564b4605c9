package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/evidence"
)

// openForm returns the record form on screen, failing the test if none is.
func openForm(t *testing.T, u *UI, title string) *recordForm {
	t.Helper()
	f := u.record
	if f == nil {
		t.Fatalf("no %q form on screen", title)
	}
	if f.title != title {
		t.Fatalf("form on screen is %q, want %q", f.title, title)
	}
	return f
}

// setField fills the field called name of f: an entry's text, a select's
// or radio group's choice, a check box, the ticked options of a check list.
func setField(t *testing.T, f *recordForm, name string, value any) {
	t.Helper()
	if l, ok := f.lists[name]; ok {
		want := value.([]string)
		for _, w := range want {
			if l.check(w) == nil {
				t.Fatalf("%s: %q is not among %q", name, w, l.options)
			}
		}
		l.SetSelected(want)
		return
	}
	switch w := f.fields[name].(type) {
	case *formEntry:
		w.SetText(value.(string))
	case *formSelect:
		if !slices.Contains(w.Options, value.(string)) {
			t.Fatalf("%s: %q is not among %q", name, value, w.Options)
		}
		w.SetSelected(value.(string))
	case *choiceGroup:
		if !slices.Contains(w.Options, value.(string)) {
			t.Fatalf("%s: %q is not among %q", name, value, w.Options)
		}
		w.SetSelected(value.(string))
	case *formCheck:
		w.SetChecked(value.(bool))
	default:
		t.Fatalf("form %q has no field %q (it has %v)", f.title, name, fieldNames(f))
	}
}

// labelTexts joins the texts of the labels under obj with "|".
func labelTexts(obj fyne.CanvasObject) string {
	var out []string
	for _, o := range test.LaidOutObjects(obj) {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "|")
}

func fieldNames(f *recordForm) []string {
	var out []string
	for k := range f.fields {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// saveForm taps Save and waits; the form must close.
func saveForm(t *testing.T, u *UI, f *recordForm) {
	t.Helper()
	test.Tap(f.save)
	waitJobs(t, u)
	if u.record == f {
		var problems []string
		for name, p := range f.problems {
			if p.label.Visible() {
				problems = append(problems, name+": "+p.label.Text)
			}
		}
		t.Fatalf("%q did not save: %q; field problems %q; last error %v", f.title, f.problem.Text, problems, u.LastError())
	}
}

// addExaminerThroughForm adds an examiner with one role in the Examiners
// area.
func addExaminerThroughForm(t *testing.T, u *UI, name string, role casefile.Role, pass string) {
	t.Helper()
	v := openExaminers(t, u)
	test.Tap(v.add)
	form := v.form
	test.Type(form.name, name)
	test.Tap(form.roles.check(role))
	test.Type(form.passphrase, pass)
	test.Type(form.confirm, pass)
	test.Tap(form.add)
	waitJobs(t, u)
	if v.form != nil {
		t.Fatalf("examiner %s not added: %q %v", name, form.formProblem.Text, u.LastError())
	}
}

// openLifecycle shows the Lifecycle area.
func openLifecycle(t *testing.T, u *UI) *lifecycleView {
	t.Helper()
	return viewOf[*lifecycleView](t, u, "Lifecycle")
}

// moveButtons lists the titles of the move buttons on the Stage tab.
func moveButtons(lv *lifecycleView) []string {
	var out []string
	for _, b := range lv.buttons {
		out = append(out, b.Text)
	}
	slices.Sort(out)
	return out
}

// moveThroughButton taps the button that moves to stage to, writes the
// rationale and saves; the stage must be to afterwards.
func moveThroughButton(t *testing.T, u *UI, to incident.Stage, rationale string) {
	t.Helper()
	lv := openLifecycle(t, u)
	b := lv.buttons[to]
	if b == nil {
		t.Fatalf("no button moves to %s; buttons: %q", to.Title(), moveButtons(lv))
	}
	if b.Disabled() {
		t.Fatalf("the button to %s is disabled: %q", to.Title(), lv.guards[to].Text)
	}
	test.Tap(b)
	f := openForm(t, u, strings.TrimSuffix(b.Text, "…"))
	setField(t, f, "Rationale", rationale)
	saveForm(t, u, f)
	if st := u.cv.oc.incident.inc.Stage; st != to {
		t.Fatalf("stage = %s after moving to %s", st, to)
	}
	if got := lv.stepper.State(to); got != stepCurrent && got != stepClosed {
		t.Errorf("stepper shows %s as %v after the move", to.Title(), got)
	}
}

// TestSeedScenarioThroughTheGUI walks an incident through the whole
// process of the seed documents in the GUI: detection and awareness, the
// refused and allowed moves with their guards, the assessment, a finding
// made from a byte range in the hex view and edited, actions and an
// emergency mitigation, Diagnose ⇄ Stabilize, a Close refused until the
// post-mortem, repair owners and notification decision exist, Close, and a
// Reopen. The chain then verifies and the custody ledger lists every step.
func TestSeedScenarioThroughTheGUI(t *testing.T) {
	dir := t.TempDir()
	u := newTestUI(t, dir)
	u.previewDelay = -1

	// Jane Doe creates the case as a Forensic Engineer and, by default, its
	// Security Incident Manager until Morgan takes the lead: she acts in
	// the first, in the process document's order.
	u.ShowNewCase()
	fillNewCase(u.form, "seed", "jane's passphrase")
	test.Tap(u.form.create)
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("case not created: %v", u.LastError())
	}
	addExaminerThroughForm(t, u, "Morgan Lee", casefile.RoleSecurityIncidentManager, "morgan's passphrase")
	addExaminerThroughForm(t, u, "Dana Whitfield", casefile.RoleExecutiveIncidentManager, "dana's passphrase")

	// Detect: how and when it was detected, and when the organization
	// became aware of it.
	rec := viewOf[*incidentView](t, u, "Incident")
	test.Tap(rec.setDetection)
	f := openForm(t, u, "Set the detection")
	setField(t, f, "Source", detectionTitles[incident.DetectionMonitorSignature])
	setField(t, f, "Detected at", "yesterday")
	test.Tap(f.save)
	if p := f.problems["Detected at"].label; !p.Visible() || !strings.Contains(p.Text, "is not a time") {
		t.Errorf("a bad detection time: problem %q (visible %v)", p.Text, p.Visible())
	}
	setField(t, f, "Detected at", "2026-03-14 08:10")
	setField(t, f, "Detail", "IDS alert ET POLICY VPN login from TOR exit")
	saveForm(t, u, f)
	test.Tap(rec.recordAwareness)
	f = openForm(t, u, "Record awareness")
	setField(t, f, "When", awareAt)
	setField(t, f, "Time", "2026-03-14T08:55:00Z")
	setField(t, f, "Rationale", "SOC confirmed logins with a stolen VPN credential")
	saveForm(t, u, f)
	inc := u.cv.oc.incident.inc
	if inc.Detection.Source != incident.DetectionMonitorSignature || inc.Detection.DetectedAt.Format(timeLayout) != "2026-03-14T08:10:00Z" ||
		inc.Awareness == nil || inc.Awareness.AwareAt.Format(timeLayout) != "2026-03-14T08:55:00Z" {
		t.Fatalf("detection %+v awareness %+v", inc.Detection, inc.Awareness)
	}
	if got := rec.detectedAt.Text; got != "2026-03-14T08:10:00Z (1 h 16 min ago)" {
		t.Errorf("detected at shows %q", got)
	}
	test.Tap(rec.editSummary)
	f = openForm(t, u, "Edit the summary")
	setField(t, f, "Summary", "A VPN credential stolen by phishing was used from TOR to reach the customer file share.")
	saveForm(t, u, f)

	// Detect offers only Assess; a move to Diagnose asked for anyway is
	// refused by casefile and the form says why.
	lv := openLifecycle(t, u)
	if got := moveButtons(lv); !slices.Equal(got, []string{"Move to Assess…"}) {
		t.Fatalf("from Detect the buttons are %q, want only Move to Assess…", got)
	}
	lv.showMove(incident.StageDiagnose)
	f = openForm(t, u, "Move to Diagnose")
	setField(t, f, "Rationale", "skip triage")
	test.Tap(f.save)
	waitJobs(t, u)
	var me *incident.MoveError
	if !errors.As(u.LastError(), &me) || !me.Failed(incident.GuardAllowedMove) || u.record != f ||
		!strings.Contains(f.problem.Text, "• Allowed move — The incident moves one stage forward at a time") ||
		!strings.Contains(f.problem.Text, "Do what each failed guard names") {
		t.Fatalf("refused Detect → Diagnose: last error %v, form problem %q", u.LastError(), f.problem.Text)
	}
	f.close()
	if st := u.cv.oc.incident.inc.Stage; st != incident.StageDetect {
		t.Fatalf("a refused move changed the stage to %s", st)
	}
	moveThroughButton(t, u, incident.StageAssess, "Alert confirmed as suspicious; triage starts")

	// From Assess the Diagnose button lists the four failing guards before
	// anyone tries.
	lv = openLifecycle(t, u)
	if got := moveButtons(lv); !slices.Equal(got, []string{"Close as not a security incident…", "Move to Diagnose…"}) {
		t.Fatalf("from Assess the buttons are %q", got)
	}
	if !lv.buttons[incident.StageDiagnose].Disabled() {
		t.Error("Move to Diagnose is enabled while its guards fail")
	}
	guards := lv.guards[incident.StageDiagnose].Text
	for _, want := range []string{"4 guards fail", "• Classification — Classify the event", "• Severity — Set the severity",
		"• Priority — Set the priority", "• Security Incident Manager — Assign a Security Incident Manager"} {
		if !strings.Contains(guards, want) {
			t.Errorf("Diagnose guards %q lack %q", guards, want)
		}
	}
	if texts := canvasTexts(u.win.Canvas()); !strings.Contains(texts, guards) {
		t.Errorf("the guards are not on screen; visible labels:\n%s", texts)
	}
	if lv.stepper.State(incident.StageDetect) != stepDone || lv.stepper.State(incident.StageAssess) != stepCurrent ||
		lv.stepper.State(incident.StageDiagnose) != stepTodo {
		t.Error("the stepper does not mark Detect done and Assess current")
	}

	// Assess: classify (with Table 1 to consult), severity, priority, and
	// a Security Incident Manager.
	as := viewOf[*assessmentView](t, u, "Assessment")
	test.Tap(as.classify)
	f = openForm(t, u, "Classify the event")
	if g, ok := f.fields["Guidance"].(*fyne.Container); !ok || len(g.Objects) < len(incident.ClassificationGuidance()) {
		t.Fatal("the classification form does not list the Table 1 examples")
	}
	if !strings.Contains(canvasTexts(u.win.Canvas()), "• Unauthorized access to infrastructure systems and exfiltration of customer data") {
		t.Error("the Table 1 examples are not on screen")
	}
	setField(t, f, "Classification", incident.ClassificationSecurityIncident.Title())
	setField(t, f, "Rationale", "VPN credential used from TOR to reach the customer file share; customer files copied")
	saveForm(t, u, f)

	test.Tap(as.setSeverity)
	f = openForm(t, u, "Set the severity")
	setField(t, f, "Privacy", privacyTitles[incident.PrivacyConfirmed])
	setField(t, f, "Affected tenants", "3")
	setField(t, f, "Regulations", "GDPR")
	if got := f.fields["Suggested"].(*widget.Label).Text; got != "Sev 1 (Critical)" {
		t.Errorf("suggested severity = %q", got)
	}
	setField(t, f, "Affected tenants", "three")
	test.Tap(f.save)
	if p := f.problems["Affected tenants"].label; !p.Visible() || !strings.Contains(p.Text, "is not a number of tenants") {
		t.Errorf("bad tenants: problem %q", p.Text)
	}
	setField(t, f, "Affected tenants", "3")
	setField(t, f, "Rationale", "Confirmed access to customer data")
	saveForm(t, u, f)

	test.Tap(as.setPriority)
	f = openForm(t, u, "Set the priority")
	setField(t, f, "Functional impact", functionalTitles[incident.FunctionalLow])
	setField(t, f, "Informational impact", informationalTitles[incident.InformationalPrivacy])
	setField(t, f, "Recoverability", recoverabilityTitles[incident.RecoverySupplemented])
	if got := f.fields["Suggested"].(*widget.Label).Text; got != "P1 (Critical)" {
		t.Errorf("suggested priority = %q", got)
	}
	setField(t, f, "Priority", incident.PriorityHigh.Title())
	setField(t, f, "Rationale", "Contained to one share; exfiltration is done, not ongoing")
	saveForm(t, u, f)
	if got := as.priority.Text; got != "P2 (High) — the factors suggest P1 (Critical)" {
		t.Errorf("priority shows %q", got)
	}
	if got := as.severity.Text; got != "Sev 1 (Critical)" {
		t.Errorf("severity shows %q", got)
	}

	rp := openExaminers(t, u).roles
	test.Tap(rp.assign)
	f = openForm(t, u, "Assign a role")
	setField(t, f, "Role", casefile.RoleSecurityIncidentManager.Title())
	setField(t, f, "Examiner", "Morgan Lee")
	setField(t, f, "Reason", "On call this week")
	saveForm(t, u, f)
	if got := tableRows(rp.table); len(got) != 1 || !strings.HasPrefix(got[0], "Security Incident Manager|Morgan Lee|") {
		t.Errorf("role holders = %q", got)
	}
	// Assigning the acting examiner a role they cannot act in yet grants
	// it: the header's role picker offers it at once.
	test.Tap(rp.assign)
	f = openForm(t, u, "Assign a role")
	setField(t, f, "Role", casefile.RoleCommunicationsManager.Title())
	setField(t, f, "Examiner", "Jane Doe")
	saveForm(t, u, f)
	if got := u.cv.rolePicker.Options; !slices.Equal(got, []string{"Security Incident Manager", "Forensic Engineer", "Communications Manager"}) {
		t.Errorf("role picker offers %q after the grant", got)
	}
	rp.table.chooseRow(1)
	test.Tap(rp.release)
	f = openForm(t, u, "Release Jane Doe as Communications Manager")
	setField(t, f, "Reason", "Handed to the comms team")
	saveForm(t, u, f)
	if got := tableRows(rp.history); len(got) != 3 || !strings.Contains(got[0], "|Released|Communications Manager|Jane Doe|") ||
		!strings.Contains(got[1], "|Assigned (granted)|Communications Manager|Jane Doe|") {
		t.Errorf("role history = %q", got)
	}

	// Every guard passes now.
	lv = openLifecycle(t, u)
	if b := lv.buttons[incident.StageDiagnose]; b.Disabled() || !strings.Contains(lv.guards[incident.StageDiagnose].Text, "Every guard passes") {
		t.Fatalf("Diagnose still refused: %q", lv.guards[incident.StageDiagnose].Text)
	}
	if !strings.Contains(lv.guards[incident.StageClose].Text, "• Not a security incident") {
		t.Errorf("dismissing a security incident is not refused: %q", lv.guards[incident.StageClose].Text)
	}
	moveThroughButton(t, u, incident.StageDiagnose, "SIM assigned, severity and priority set")

	// Diagnose: an indicator, checked inline with casefile's rules.
	ip := viewOf[*indicatorsView](t, u, "Indicators")
	ip.value.SetText("203.0.113.999")
	if !ip.add.Disabled() || ip.verdict.Importance != widget.DangerImportance || !strings.Contains(ip.verdict.Text, "is not an IP address") {
		t.Errorf("a bad IP: verdict %q, add disabled %v", ip.verdict.Text, ip.add.Disabled())
	}
	ip.value.SetText(" 203.0.113.27 ")
	ip.note.SetText("Source of the VPN logins")
	test.Tap(ip.add)
	waitJobs(t, u)
	if got := tableRows(ip.table); len(got) != 1 || !strings.HasPrefix(got[0], "IP address or CIDR|203.0.113.27|Source of the VPN logins|Jane Doe") {
		t.Fatalf("indicators = %q (last error %v)", got, u.LastError())
	}
	ip.kind.SetSelected(indicatorTitles[incident.IndicatorDomain])
	ip.value.SetText("Exfil.Example.COM.")
	if ip.verdict.Text != "Recorded as exfil.example.com" {
		t.Errorf("normalization shown as %q", ip.verdict.Text)
	}
	test.Tap(ip.add)
	waitJobs(t, u)

	// Evidence ingested through the GUI, then a finding from a byte range
	// selected in its hex view.
	data := testBytes(200_000, 7)
	copy(data[0x1000:], "svc-vpn:$6$rounds=5000$hash")
	src := writeTestFile(t, dir, "vpn-gw01-auth.log", data)
	u.ingest(src, evidence.Options{Description: "Auth log of the VPN gateway", Reason: "SEC-4471"}, false)
	waitJobs(t, u)
	items := u.cv.oc.evidence.items
	if len(items) != 1 {
		t.Fatalf("ingest: %d items, %v", len(items), u.LastError())
	}
	ev := items[0]
	u.openHexView(ev, 0x1000)
	waitJobs(t, u)
	h := u.hexViews[0]
	waitJobs(t, u)
	act(u, func() {
		h.GoTo(0x1000)
		h.MarkStart()
		h.GoTo(0x1006)
		h.MarkEnd()
	})
	if s, e, ok := h.Selection(); !ok || s != 0x1000 || e != 0x1007 {
		t.Fatalf("marked selection = [%#x, %#x) %v", s, e, ok)
	}
	// Shift-click extends the selection from the anchor to the byte clicked.
	act(u, func() {
		m := metrics()
		g := h.grid
		g.MouseDown(&desktop.MouseEvent{Modifier: fyne.KeyModifierShift})
		row := int64(0x1010/16) - g.top
		g.Tapped(&fyne.PointEvent{Position: fyne.NewPos(m.byteX(10)+m.char, m.header+float32(row)*m.line+m.line/2)})
		g.MouseUp(&desktop.MouseEvent{})
		g.shift = false
	})
	if s, e, ok := h.Selection(); !ok || s != 0x1000 || e != 0x101b {
		t.Fatalf("shift-click selection = [%#x, %#x) %v, want [0x1000, 0x101b)", s, e, ok)
	}
	if got := h.selText.Text; got != "0x1000–0x101a · 27 bytes" {
		t.Errorf("selection shows %q", got)
	}
	test.Tap(h.newFinding)
	e := u.editor
	if e == nil {
		t.Fatal("New finding from selection opened no editor")
	}
	want := incident.EvidenceLocation{Evidence: ev.ID, Start: 0x1000, End: 0x101b}
	if !slices.Equal(e.locations, []incident.EvidenceLocation{want}) {
		t.Fatalf("editor locations = %+v, want %+v", e.locations, want)
	}
	if !strings.Contains(e.description.Text, "000000001000  73 76 63 2d 76 70 6e 3a") {
		t.Errorf("the description lacks the hex dump of the selection:\n%s", e.description.Text)
	}
	f = e.form
	setField(t, f, "Title", "Stolen VPN credential in the gateway log")
	e.confidence.SetSelected("Medium")
	e.indicators.SetSelected([]string{"IP address or CIDR: 203.0.113.27"})
	setField(t, f, "ATT&CK techniques", "t1078, T1133")
	setField(t, f, "Reason", "Seen in the gateway log")
	saveForm(t, u, f)
	fv := areaViewOf[*findingsView](u)
	if u.Area() != "Findings" || fv == nil {
		t.Fatalf("after saving a finding the area is %q", u.Area())
	}
	fd := fv.Selected()
	if fd == nil || fd.Title != "Stolen VPN credential in the gateway log" || !slices.Equal(fd.Techniques, []string{"T1078", "T1133"}) ||
		!slices.Equal(fd.Locations, []incident.EvidenceLocation{want}) || len(fd.Indicators) != 1 {
		t.Fatalf("finding = %+v", fd)
	}
	if got := tableRows(fv.table); len(got) != 1 || got[0] != "Stolen VPN credential in the gateway log|Medium|Diagnose|Jane Doe|"+createdText+"|1" {
		t.Errorf("findings table = %q", got)
	}
	if got := fv.details.locations.Objects; len(got) != 1 {
		t.Errorf("details list %d locations", len(got))
	}

	// Edit it: a new revision with a reason; History lists both.
	test.Tap(fv.details.edit)
	e = u.editor
	f = e.form
	e.confidence.SetSelected("High")
	test.Tap(f.save)
	if p := f.problems["Reason"].label; !p.Visible() {
		t.Error("an edit without a reason is not stopped")
	}
	setField(t, f, "Reason", "Hash matches the credential dump")
	saveForm(t, u, f)
	if fd := fv.Selected(); fd == nil || fd.Revision != 2 || fd.Confidence != incident.ConfidenceHigh {
		t.Fatalf("after the edit: %+v", fd)
	}
	test.Tap(fv.details.history)
	waitJobs(t, u)
	hv := u.history
	if hv == nil || len(hv.revs) != 2 {
		t.Fatalf("history view = %+v", hv)
	}
	rows := tableRows(hv.table)
	if len(rows) != 2 || rows[0] != "1|"+createdText+"|Jane Doe (Security Incident Manager)|Created|Seen in the gateway log" ||
		!strings.HasPrefix(rows[1], "2|"+createdText+"|Jane Doe (Security Incident Manager)|confidence|Hash matches the credential dump") {
		t.Errorf("history rows = %q", rows)
	}
	hv.dlg.Hide()

	// An action with linked evidence, and an emergency mitigation.
	rv := viewOf[*responseView](t, u, "Response")
	test.Tap(rv.recordAction)
	f = openForm(t, u, "Record an action")
	setField(t, f, "Description", "Disabled the svc-vpn account and revoked its sessions")
	setField(t, f, "Performed at", "2026-03-14 09:05")
	setField(t, f, "Linked evidence", []string{shownLine(ev.Meta.Name) + " — " + shortHash(ev.Meta.Hashes.SHA256)})
	saveForm(t, u, f)
	if got := tableRows(rv.actions); len(got) != 1 ||
		got[0] != "2026-03-14T09:05:00Z|Diagnose|Disabled the svc-vpn account and revoked its sessions|vpn-gw01-auth.log|Jane Doe (Security Incident Manager)" {
		t.Errorf("actions = %q", got)
	}
	test.Tap(rv.recordMitigation)
	f = openForm(t, u, "Record an emergency mitigation")
	if _, ok := f.fields["Approved by: Security Incident Manager"]; ok {
		t.Error("the mitigation form still takes typed approver names")
	}
	setField(t, f, "Description", "Took the VPN gateway offline")
	setField(t, f, "Outage", true)
	test.Tap(f.save)
	if p := f.problems["Outage detail"].label; !p.Visible() {
		t.Error("an outage without detail is not stopped")
	}
	setField(t, f, "Outage detail", "Remote access down 40 minutes")
	saveForm(t, u, f)
	if got := tableRows(rv.mitigations); len(got) != 1 ||
		!strings.Contains(got[0], "|—|Missing: executive incident manager, service owner, security incident manager|") ||
		!strings.Contains(got[0], "Yes — Remote access down 40 minutes") {
		t.Errorf("mitigations = %q", got)
	}
	// The acting examiner approves it themselves, in the one capacity
	// whose role they hold; then they may approve it no more.
	if rv.approve.Disabled() == false || rv.approve.reason != "choose a mitigation in the table first." {
		t.Errorf("approve before a mitigation is chosen: disabled %v, %q", rv.approve.Disabled(), rv.approve.reason)
	}
	rv.mitigations.chooseRow(0)
	if rv.approve.Disabled() {
		t.Fatalf("approve stays disabled: %q", rv.approve.reason)
	}
	test.Tap(rv.approve)
	f = openForm(t, u, "Approve an emergency mitigation")
	setField(t, f, "Reason", "Containment outweighs 40 minutes without VPN")
	saveForm(t, u, f)
	if got := tableRows(rv.mitigations); len(got) != 1 ||
		!strings.Contains(got[0], "|Jane Doe (Security Incident Manager)|Missing: executive incident manager, service owner|") {
		t.Errorf("after the approval, mitigations = %q", got)
	}
	if !rv.approve.Disabled() || !strings.HasPrefix(rv.approve.reason, "Jane Doe approved it already") {
		t.Errorf("approve after approving: disabled %v, %q", rv.approve.Disabled(), rv.approve.reason)
	}
	if ms, err := incident.Of(u.cv.oc.c).Mitigations(); err != nil || len(ms) != 1 || len(ms[0].Approvals) != 1 ||
		!ms[0].Approvals[0].Signed || ms[0].Approvals[0].Reason != "Containment outweighs 40 minutes without VPN" {
		t.Errorf("stored mitigations = %+v, %v", ms, err)
	}

	// Stabilize, back to Diagnose, Stabilize again.
	moveThroughButton(t, u, incident.StageStabilize, "Account disabled, gateway rebuilt")
	lv = openLifecycle(t, u)
	if got := moveButtons(lv); !slices.Equal(got, []string{"Back to Diagnose…", "Move to Close & Post-mortem…"}) {
		t.Fatalf("from Stabilize the buttons are %q", got)
	}
	moveThroughButton(t, u, incident.StageDiagnose, "A second account used the same credential")
	moveThroughButton(t, u, incident.StageStabilize, "Second account disabled")

	// An unowned repair item; Close is refused listing the post-mortem,
	// repair-owner and notification guards.
	pv := viewOf[*postMortemView](t, u, "Post-mortem")
	test.Tap(pv.add)
	f = openForm(t, u, "Add a repair item")
	setField(t, f, "Description", "Enforce MFA on the VPN")
	setField(t, f, "Due", "2026-03-10")
	saveForm(t, u, f)
	test.Tap(pv.add)
	f = openForm(t, u, "Add a repair item")
	setField(t, f, "Description", "Alert on logins from TOR exits")
	setField(t, f, "Owner", "Morgan Lee")
	setField(t, f, "Due", "2026-04-30")
	saveForm(t, u, f)
	if got := pv.counts.Text; got != "2 items · 2 not done · 1 OVERDUE · 1 without owner" {
		t.Errorf("repair counts = %q", got)
	}
	pv.filter.SetSelected(repairOverdue)
	if got := tableRows(pv.repairs); len(got) != 1 || !strings.HasPrefix(got[0], "Enforce MFA on the VPN|No owner|2026-03-10 — OVERDUE|Open|") {
		t.Errorf("overdue filter = %q", got)
	}
	pv.filter.SetSelected(repairAll)
	lv = openLifecycle(t, u)
	b := lv.buttons[incident.StageClose]
	if b == nil || !b.Disabled() {
		t.Fatal("Close is offered enabled before the post-mortem")
	}
	guards = lv.guards[incident.StageClose].Text
	for _, want := range []string{"3 guards fail", "• Post-mortem — Write the post-mortem",
		`• Repair item owners — 1 repair item(s) have no owner: "Enforce MFA on the VPN"`, "• Notification decision — Record the customer-notification decision"} {
		if !strings.Contains(guards, want) {
			t.Errorf("Close guards %q lack %q", guards, want)
		}
	}

	// The post-mortem, the owner assigned later, the notification decision.
	pv = viewOf[*postMortemView](t, u, "Post-mortem")
	test.Tap(pv.edit)
	f = openForm(t, u, "Edit the post-mortem")
	setField(t, f, "Summary", "A VPN credential phished on 9 March was used from TOR to copy customer files.")
	pm := pv.pmForm
	test.Tap(pm.addButton) // Add lapse
	pm.rows[0].description.SetText("No MFA on the VPN gateway")
	pm.rows[0].followUp.SetChecked(true)
	test.Tap(f.save)
	if !pm.rows[0].problem.Visible() {
		t.Error("engineering follow-up without a team is not stopped")
	}
	pm.rows[0].followWho.SetText("Network engineering, NET-812")
	pm.addRow(incident.Lapse{Category: incident.LapseCommunications, Description: "The SOC paged the wrong on-call"})
	setField(t, f, "SOP updates", "Page the SIM rotation for VPN alerts\nAdd TOR exits to the deny list")
	saveForm(t, u, f)
	pmNow := u.cv.oc.incident.postMortem
	if pmNow == nil || len(pmNow.TechnicalLapses()) != 1 || pmNow.TechnicalLapses()[0].EngineeringFollowUp != "Network engineering, NET-812" ||
		len(pmNow.SOPUpdates) != 2 {
		t.Fatalf("post-mortem = %+v", pmNow)
	}
	if got := pv.lapses.Text; !strings.Contains(got, "Technical:\n  • No MFA on the VPN gateway\n      Engineering follow-up: Network engineering, NET-812") ||
		!strings.Contains(got, "Communications:\n  • The SOC paged the wrong on-call") {
		t.Errorf("lapses shown as %q", got)
	}
	pv.repairs.chooseRow(0)
	test.Tap(pv.assign)
	f = openForm(t, u, "Owner of the repair item")
	setField(t, f, "Owner", "Morgan Lee")
	saveForm(t, u, f)
	pv.repairs.chooseRow(1)
	test.Tap(pv.status)
	f = openForm(t, u, "Status of the repair item")
	setField(t, f, "Status", "In progress")
	saveForm(t, u, f)
	rv = viewOf[*responseView](t, u, "Response")
	test.Tap(rv.decide)
	f = openForm(t, u, "Customer notification decision")
	setField(t, f, "Status", "Sent")
	setField(t, f, "Reason", "Three tenants notified by e-mail")
	saveForm(t, u, f)

	moveThroughButton(t, u, incident.StageClose, "Post-mortem written, owners assigned, customers notified")
	lv = openLifecycle(t, u)
	if lv.stepper.State(incident.StageClose) != stepClosed || len(lv.buttons) != 0 || !lv.reopen.Visible() {
		t.Fatal("a closed incident does not offer Reopen")
	}
	if as := viewOf[*assessmentView](t, u, "Assessment"); !as.classify.Disabled() ||
		as.classify.whyNot() != "the incident is closed; reopen it in Lifecycle (with the reason) to change it." {
		t.Errorf("classification on a closed incident: disabled %v, why %q", as.classify.Disabled(), as.classify.whyNot())
	}
	lv = openLifecycle(t, u)

	// Reopen with the reason: back to Diagnose.
	test.Tap(lv.reopen)
	f = openForm(t, u, "Reopen the incident")
	test.Tap(f.save)
	if !f.problems["Reason"].label.Visible() {
		t.Error("Reopen without a reason is not stopped")
	}
	setField(t, f, "Reason", "The credential appears in a new paste")
	saveForm(t, u, f)
	if st := u.cv.oc.incident.inc.Stage; st != incident.StageDiagnose {
		t.Fatalf("reopened to %s, want Diagnose", st)
	}
	hist := tableRows(lv.history)
	if len(hist) != 7 || !strings.Contains(hist[0], "|Reopened|Close & Post-mortem → Diagnose|The credential appears in a new paste") ||
		!strings.Contains(hist[3], "|Back|Stabilize & Recover → Diagnose|") || !strings.Contains(hist[6], "|Forward|Detect → Assess|") {
		t.Errorf("stage history = %q", hist)
	}

	// The dashboard shows the incident.
	d := dashboard(t, u)
	for _, c := range []struct{ name, got, want string }{
		{"classification", d.class.Text, "Security incident"},
		{"severity", d.severity.Text, "Sev 1 (Critical)"},
		{"priority", d.priority.Text, "P2 (High)"},
		{"detected", d.detected.Text, "1 h 16 min · 2026-03-14T08:10:00Z"},
		{"aware", d.aware.Text, "31 min · 2026-03-14T08:55:00Z"},
		{"roles", d.roles.Text, "Security Incident Manager: Morgan Lee"},
		{"repairs", d.repairs.Text, "2 open · 1 overdue"},
		{"notification", d.notification.Text, "Sent"},
	} {
		if c.got != c.want {
			t.Errorf("dashboard %s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if d.stepper.State(incident.StageDiagnose) != stepCurrent {
		t.Error("dashboard stepper is not on Diagnose")
	}
	if len(d.findings.Objects) != 1 {
		t.Errorf("latest findings: %d rows", len(d.findings.Objects))
	} else if got := labelTexts(d.findings.Objects[0]); got != "Stolen VPN credential in the gateway log|High · "+createdText {
		t.Errorf("latest finding = %q", got)
	}

	// The chain verifies, and the custody ledger lists every step.
	v := openCustody(t, u)
	test.Tap(v.verify)
	waitJobs(t, u)
	if vd := u.cv.oc.verdict; vd == nil || !vd.report.OK() {
		t.Fatalf("verification: %+v", vd)
	}
	var actions []string
	for _, r := range ledgerRows(v) {
		actions = append(actions, strings.Split(r, "|")[4])
	}
	wantActions := []string{
		"case.created", "examiner.added", "examiner.added",
		"incident.detection-set", "incident.awareness-recorded", "incident.summary-set", "stage.changed",
		"incident.classified", "incident.severity-set", "incident.priority-set", "role.assigned", "role.assigned", "role.released",
		"stage.changed",
		"indicator.added", "indicator.added", "evidence.ingested", "evidence.viewed", "finding.added", "finding.edited",
		"action.recorded", "mitigation.recorded", "mitigation.approved", "stage.changed", "stage.changed", "stage.changed",
		"repair.added", "repair.added", "postmortem.updated", "repair.updated", "repair.updated", "notification.decided",
		"stage.changed", "stage.changed", "ledger.verified",
	}
	if !slices.Equal(actions, wantActions) {
		t.Errorf("ledger actions:\n got %q\nwant %q", actions, wantActions)
	}
	if got := v.count.Text; got != fmt.Sprintf("%d of %d entries", len(wantActions), len(wantActions)) {
		t.Errorf("ledger count = %q", got)
	}
}
