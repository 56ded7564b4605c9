package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// TestDisabledControlsSayWhichRoleMay opens a case as a legal advisor:
// the controls of actions the role may not take are disabled and say
// which roles may, in the permission matrix's words; the one the role may
// take stays enabled. A tap on a disabled control changes nothing.
func TestDisabledControlsSayWhichRoleMay(t *testing.T) {
	dir := t.TempDir()
	path := makeTeamCase(t, dir)
	u := newTestUI(t, dir)
	u.OpenWithPassphrase(path, []byte(priyaPass))
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("open as Priya: %v", u.LastError())
	}
	const held = "; you hold Legal Advisor (a security incident manager assigns roles in Examiners)."
	want := func(name string, b *actionButton, p casefile.Permission) {
		t.Helper()
		w := "only " + casefile.WhoMay(p) + " may " + p.What() + held
		if !b.Disabled() || b.reason != w {
			t.Errorf("%s: disabled %v, %q; want %q", name, b.Disabled(), b.reason, w)
		}
	}

	lv := openLifecycle(t, u)
	if len(lv.buttons) == 0 {
		t.Fatal("no move buttons")
	}
	for _, b := range lv.buttons {
		want(b.Text, b, casefile.PermMoveStage)
		test.Tap(b)
	}
	if got := u.cv.oc.incident.inc.Stage; got != incident.StageDetect {
		t.Errorf("a tap on a disabled move button moved the stage to %s", got)
	}
	if !strings.HasPrefix(casefile.WhoMay(casefile.PermMoveStage), "the Security Incident Manager") {
		t.Errorf("WhoMay(move) = %q", casefile.WhoMay(casefile.PermMoveStage))
	}

	rv := viewOf[*responseView](t, u, "Response")
	want("Record action", rv.recordAction, casefile.PermInvestigate)
	want("Record mitigation", rv.recordMitigation, casefile.PermRecordMitigation)
	want("Approve mitigation", rv.approve, casefile.PermApproveMitigation)
	if rv.decide.Disabled() {
		t.Errorf("a legal advisor may record the notification decision; the button says %q", rv.decide.reason)
	}

	av := viewOf[*assessmentView](t, u, "Assessment")
	want("Classify", av.classify, casefile.PermRateClassify)
	ev := viewOf[*examinersView](t, u, "Examiners")
	want("Add examiner", ev.add, casefile.PermManageExaminers)
	fv := viewOf[*findingsView](t, u, "Findings")
	want("Add finding", fv.add, casefile.PermInvestigate)
	evv := viewOf[*evidenceView](t, u, "Evidence")
	want("Add evidence", evv.add, casefile.PermHandleEvidence)

	nv := viewOf[*notificationsView](t, u, "Notifications")
	want("Declare breach", nv.declare, casefile.PermDeclareBreach)
	want("No breach", nv.noBreach, casefile.PermDeclareBreach)
	want("Export .eml", nv.export, casefile.PermNoticeSend)
	want("Mark sent", nv.markSent, casefile.PermNoticeSend)
	for _, b := range []*actionButton{nv.start, nv.importCustomers, nv.addCustomer, nv.newNotice} {
		if b.Disabled() {
			t.Errorf("a legal advisor may %s; the button says %q", b.Text, b.reason)
		}
	}
	if !nv.approve.Disabled() || nv.approve.reason != "choose a notice in the table first." {
		t.Errorf("Approve notice with none chosen: %v %q", nv.approve.Disabled(), nv.approve.reason)
	}
	if !strings.HasPrefix(casefile.WhoMay(casefile.PermDeclareBreach), "the Executive Incident Manager") {
		t.Errorf("WhoMay(declare) = %q", casefile.WhoMay(casefile.PermDeclareBreach))
	}
	test.Tap(nv.declare)
	if u.record != nil {
		t.Errorf("a tap on a disabled Declare opened %q", u.record.title)
	}
	rpv := viewOf[*reportsView](t, u, "Reports")
	waitJobs(t, u)
	if rpv.save.Disabled() || rpv.current == nil || rpv.current.err != nil {
		t.Errorf("a legal advisor may generate reports; Save… says %q, the preview %+v", rpv.save.reason, rpv.current)
	}

	// Lee holds no role: Save… names the roles that may generate reports,
	// and a tap saves nothing.
	u.CloseCase()
	waitJobs(t, u)
	u.OpenWithPassphrase(path, []byte(leePass))
	waitJobs(t, u)
	rpv = viewOf[*reportsView](t, u, "Reports")
	waitJobs(t, u)
	p := casefile.PermGenerateReports
	if w := "only " + casefile.WhoMay(p) + " may " + p.What() + "; you hold no role (a security incident manager assigns roles in Examiners)."; !rpv.save.Disabled() || rpv.save.reason != w {
		t.Errorf("Save… for no role: disabled %v, %q; want %q", rpv.save.Disabled(), rpv.save.reason, w)
	}
	if !strings.HasSuffix(casefile.WhoMay(p), " or Legal Advisor") {
		t.Errorf("WhoMay(generate reports) = %q", casefile.WhoMay(p))
	}
	test.Tap(rpv.save)
	if rpv.saving != nil {
		t.Error("a tap on the disabled Save… opened the form")
	}
}
