package incident

import (
	"errors"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
)

// TestAuthorityRefusesAndChangesNothing: each role meets the matrix —
// a forensic engineer may not move the stage or classify, an executive may
// not move the stage, an on-call responder may classify; a refusal names
// the action and the roles that may, and the ledger is exactly as before.
func TestAuthorityRefusesAndChangesNothing(t *testing.T) {
	path := createTestCase(t)
	dana := openTest(t, path, testPass) // forensic engineer acting, also security incident manager
	for _, ne := range []struct {
		name, pass string
		role       casefile.Role
	}{{"Fern", "fern-pass", casefile.RoleForensicEngineer}, {"Eve", "eve-pass", casefile.RoleExecutiveIncidentManager},
		{"Otto", "otto-pass", casefile.RoleOnCallResponder}} {
		must(dana.AddExaminer(casefile.NewExaminer{Name: ne.name, Roles: []casefile.Role{ne.role}}, []byte(ne.pass), "joins"))(t)
	}
	check(t, dana.Close())

	refused := func(c *tcase, err error, want string) {
		t.Helper()
		if !errors.Is(err, casefile.ErrNotPermitted) {
			t.Fatalf("err = %v, want a refusal", err)
		}
		msg, hint, known := casefile.Explain(err)
		if !known || msg != want {
			t.Fatalf("refusal reads\n%q\nwant\n%q", msg, want)
		}
		if hint != casefile.ErrNotPermitted.Hint() {
			t.Fatalf("hint %q", hint)
		}
	}
	seqOf := func(c *tcase) int64 { n, _ := c.Case.Head(); return n }

	fern := openTest(t, path, "fern-pass")
	before := seqOf(fern)
	_, err := fern.MoveTo(StageAssess, "triage")
	refused(fern, err, "not permitted in your role: stage.changed (move the incident's stage, close and reopen it) may be done by the Security Incident Manager; you hold Forensic Engineer")
	err = fern.Classify(ClassificationSecurityIncident, "it is one")
	refused(fern, err, "not permitted in your role: incident.classified (classify the event, set severity, priority and the exercise mark) may be done by the On-call Responder or Security Incident Manager; you hold Forensic Engineer")
	err = fern.Apply("two at once", SummaryChange{Summary: "web-3 leaked records"}, NextStepsChange{Steps: []string{"image web-3"}})
	refused(fern, err, "not permitted in your role: incident.summary-set (edit the incident's summary, next steps, detection, awareness and related incidents) may be done by the On-call Responder or Security Incident Manager; you hold Forensic Engineer")
	if _, err := fern.AddExaminer(casefile.NewExaminer{Name: "Mallory", Roles: []casefile.Role{casefile.RoleExecutiveIncidentManager}}, []byte("m-pass"), ""); !errors.Is(err, casefile.ErrNotPermitted) {
		t.Fatalf("a forensic engineer added an examiner: %v", err)
	}
	if _, err := fern.AssignRole(casefile.RoleSecurityIncidentManager, "Fern", "promote myself"); !errors.Is(err, casefile.ErrNotPermitted) {
		t.Fatalf("a forensic engineer gave herself the lead: %v", err)
	}
	if got := seqOf(fern); got != before {
		t.Fatalf("refusals wrote %d entries", got-before)
	}
	if err := fern.Case.Require(casefile.PermInvestigate); err != nil {
		t.Fatalf("a forensic engineer may not investigate: %v", err)
	}
	check(t, fern.Close())

	eve := openTest(t, path, "eve-pass")
	_, err = eve.MoveTo(StageAssess, "triage")
	refused(eve, err, "not permitted in your role: stage.changed (move the incident's stage, close and reopen it) may be done by the Security Incident Manager; you hold Executive Incident Manager")
	must(eve.AssignRole(casefile.RoleSecurityIncidentManager, "Otto", "Otto leads tonight"))(t)
	check(t, eve.Close())

	// Otto, on call, may classify; as the manager Eve made him, he moves
	// the stage; the entries name the role whose authority each used.
	otto := openTest(t, path, "otto-pass")
	check(t, otto.Apply("triaged", SummaryChange{Summary: "web-3 leaked records"}))
	must(otto.MoveTo(StageAssess, "triage"))(t)
	entries := must(otto.Case.Entries())(t)
	last2 := entries[len(entries)-2:]
	if last2[0].Role != casefile.RoleOnCallResponder || last2[1].Role != casefile.RoleSecurityIncidentManager {
		t.Fatalf("roles recorded: %s %s, want on-call-responder then security-incident-manager", last2[0].Role, last2[1].Role)
	}
}

// TestRolesForAndMay: the GUI asks these to disable a control and say who may.
func TestRolesForAndMay(t *testing.T) {
	if got := casefile.RolesFor(casefile.PermDeclareBreach); len(got) != 1 || got[0] != casefile.RoleExecutiveIncidentManager {
		t.Fatalf("declare breach: %v", got)
	}
	if casefile.May(casefile.RoleSecurityIncidentManager, casefile.PermDeclareBreach) || !casefile.May(casefile.RoleLegalAdvisor, casefile.PermOpenCase) {
		t.Fatal("May disagrees with the matrix")
	}
	if got := casefile.WhoMay(casefile.PermMoveStage); got != "the Security Incident Manager" {
		t.Fatalf("WhoMay = %q", got)
	}
	_ = casetest.Passphrase
}

// TestMitigationApprovalsAreSigned: an emergency mitigation is approved by
// the approvers themselves, each a ledger entry signed with their own key,
// in a capacity their role gives; no name is typed in for someone else.
func TestMitigationApprovalsAreSigned(t *testing.T) {
	path := createTestCase(t)
	dana := openTest(t, path, testPass) // forensic engineer, also security incident manager
	for _, ne := range []struct {
		name, pass string
		role       casefile.Role
	}{{"Fern", "fern-pass", casefile.RoleForensicEngineer}, {"Eve", "eve-pass", casefile.RoleExecutiveIncidentManager},
		{"Ravi", "ravi-pass", casefile.RoleServiceTeamExpert}} {
		must(dana.AddExaminer(casefile.NewExaminer{Name: ne.name, Roles: []casefile.Role{ne.role}}, []byte(ne.pass), "joins"))(t)
	}
	check(t, dana.Close())

	fern := openTest(t, path, "fern-pass")
	m := must(fern.RecordMitigation(NewMitigation{Description: "isolated web-3 from the network", Reason: "active exfiltration"}))(t)
	_, err := fern.ApproveMitigation(m.ID, ApprovalIncidentManager, "")
	if msg, _, _ := casefile.Explain(err); !errors.Is(err, casefile.ErrNotPermitted) ||
		msg != "not permitted in your role: this (approve an emergency mitigation) may be done by the Security Incident Manager, Service Team Expert or Executive Incident Manager; you hold Forensic Engineer" {
		t.Fatalf("a forensic engineer approved: %v", err)
	}
	check(t, fern.Close())

	eve := openTest(t, path, "eve-pass")
	_, err = eve.ApproveMitigation(m.ID, ApprovalServiceOwner, "")
	if msg, _, _ := casefile.Explain(err); !errors.Is(err, casefile.ErrNotPermitted) ||
		msg != "not permitted in your role: approving as service-owner needs the Service Team Expert role, and Eve does not hold it" {
		t.Fatalf("the executive approved as the service owner: %v", err)
	}
	must(eve.ApproveMitigation(m.ID, ApprovalExecutive, "accept the outage"))(t)
	if _, err := eve.ApproveMitigation(m.ID, ApprovalExecutive, ""); !errors.Is(err, casefile.ErrInvalid) ||
		!strings.Contains(err.Error(), "already approved as executive-incident-manager, by Eve") {
		t.Fatalf("approved twice: %v", err)
	}
	check(t, eve.Close())

	ravi := openTest(t, path, "ravi-pass")
	must(ravi.ApproveMitigation(m.ID, ApprovalServiceOwner, "my service"))(t)
	check(t, ravi.Close())

	dana = openTest(t, path, testPass)
	got := must(dana.ApproveMitigation(m.ID, ApprovalIncidentManager, ""))(t)
	if !got.JointlyApproved() {
		t.Fatalf("not jointly approved: %+v", got.Approvals)
	}
	ms := must(dana.Mitigations())(t)
	var by []string
	for _, a := range ms[0].Approvals {
		if !a.Signed {
			t.Fatalf("unsigned approval %+v", a)
		}
		by = append(by, string(a.Capacity)+"="+a.Name)
	}
	if strings.Join(by, " ") != "executive-incident-manager=Eve service-owner=Ravi security-incident-manager=Dana Quartermain" {
		t.Fatalf("approvals %v", by)
	}
	entries := must(dana.Case.Entries())(t)
	var approvals []string
	for _, e := range entries {
		if e.Action == ActionMitigationApproved {
			approvals = append(approvals, e.Actor+"/"+string(e.Role)+"/"+e.Details["capacity"])
		}
	}
	if strings.Join(approvals, " ") != "Eve/executive-incident-manager/executive-incident-manager Ravi/service-team-expert/service-owner Dana Quartermain/security-incident-manager/security-incident-manager" {
		t.Fatalf("approval entries %v", approvals)
	}
	if r := must(dana.Case.VerifyLedger())(t); !r.OK() {
		t.Fatalf("ledger: %+v", r)
	}
}
