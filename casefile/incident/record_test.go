package incident

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/google/uuid"
)

// tcase is an open case and its incident, so a test calls both the case's
// and the incident's methods on one value.
type tcase struct {
	*casefile.Case
	*Store
}

const testPass = casetest.Passphrase

var testCase = casetest.NewCase

func createTestCase(t *testing.T) string { return casetest.Create(t) }

func openTest(t *testing.T, path, pass string) *tcase {
	t.Helper()
	c := casetest.Open(t, path, pass)
	return &tcase{c, Of(c)}
}

func openAs(t *testing.T, path, pass string, role casefile.Role, clock *time.Time) *tcase {
	t.Helper()
	o := casetest.Ticking(clock)
	o.Role = role
	c := casetest.Open(t, path, pass, o)
	return &tcase{c, Of(c)}
}

func storeBytes(t *testing.T, c *tcase, data []byte, name string) casefile.Evidence {
	t.Helper()
	return casetest.StoreBytes(t, c.Case, data, name)
}

func rawExec(t *testing.T, path, query string, args ...any) {
	t.Helper()
	casetest.Exec(t, path, query, args...)
}

// must returns v, or fails the test calling the result with err:
// must(c.AddFinding(fc))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// moveError asserts err is a *MoveError from → to failing exactly the given guards.
func moveError(t *testing.T, err error, from, to Stage, guards ...Guard) *MoveError {
	t.Helper()
	var me *MoveError
	if !errors.As(err, &me) || !errors.Is(err, ErrGuard) {
		t.Fatalf("err = %v, want a *MoveError", err)
	}
	if me.From != from || me.To != to {
		t.Fatalf("move error %s → %s, want %s → %s", me.From, me.To, from, to)
	}
	var got []Guard
	for _, g := range me.Guards {
		got = append(got, g.Guard)
		if g.Detail == "" || !strings.Contains(err.Error(), string(g.Guard)+": "+g.Detail) {
			t.Errorf("guard %s detail %q missing from the message %q", g.Guard, g.Detail, err)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(guards) {
		t.Fatalf("failed guards %v, want %v (%v)", got, guards, err)
	}
	var ge *GuardError
	if !errors.As(err, &ge) || ge.Guard != guards[0] || ge.From != from || ge.To != to {
		t.Fatalf("errors.As GuardError = %+v", ge)
	}
	return me
}

// TestIncidentScenario walks one incident through the lifecycle of the white
// paper, with the refusals an examiner would meet on the way, and checks the
// custody ledger holds every step, in order, with its actor.
func TestIncidentScenario(t *testing.T) {
	clock := casefile.TestTime
	path := createTestCase(t)
	dana := openAs(t, path, testPass, "", &clock)
	must(dana.AddExaminer(casefile.NewExaminer{Name: "Priya Natarajan", Roles: []casefile.Role{casefile.RoleOnCallResponder}}, []byte("priya-pass"), "on call this week"))(t)
	must(dana.AddExaminer(casefile.NewExaminer{Name: "Ravi", Roles: []casefile.Role{casefile.RoleServiceTeamExpert}}, []byte("ravi-pass"), "VPN service owner's team"))(t)

	// Stage 1, Detect.
	if st := must(dana.CurrentStage())(t); st != StageDetect {
		t.Fatalf("a new case is in %s", st)
	}
	check(t, dana.SetDetection(Detection{Source: DetectionMonitorAnomaly, DetectedAt: casefile.TestTime.Add(-2 * time.Hour),
		Detail: "egress anomaly alert 4711 on vpn-gw-03"}, "alert triaged by SOC"))
	_, err := dana.MoveTo(StageDiagnose, "looks bad, skip triage")
	moveError(t, err, StageDetect, StageDiagnose, GuardAllowedMove)
	if !strings.Contains(err.Error(), "from Detect it can move to Assess") {
		t.Fatalf("refusal does not say where the incident can go: %v", err)
	}
	must(dana.MoveTo(StageAssess, "on-call triage"))(t)

	// Stage 2, Assess: nothing decided yet, so every guard of leaving it fails.
	_, err = dana.MoveTo(StageDiagnose, "start the investigation")
	moveError(t, err, StageAssess, StageDiagnose, GuardClassified, GuardSeverity, GuardPriority, GuardIncidentManager)
	if err := dana.CheckMove(StageDiagnose); !errors.Is(err, ErrGuard) {
		t.Fatalf("CheckMove = %v, want the same refusal", err)
	}
	check(t, dana.SetSummary("Customer database rows left through the VPN concentrator to 203.0.113.9.", "first assessment"))
	check(t, dana.Classify(ClassificationSecurityIncident, "unauthorized transfer of customer data (Table 1: exfiltration of customer data)"))
	sev := must(dana.SetSeverity(0, SeverityCriteria{Privacy: PrivacyImminent, Impact: "customer records exposed", Scope: "EU VPN",
		AffectedTenants: TenantsUnknown, Regions: []string{"eu-west"}, Services: []string{"vpn"}, Regulations: []string{"GDPR"}}, "imminent risk to customer data"))(t)
	if sev.Severity != SeverityCritical || sev.Suggested != SeverityCritical {
		t.Fatalf("severity %+v", sev)
	}
	pri := must(dana.SetPriority(0, PriorityFactors{Functional: FunctionalLow, Informational: InformationalPrivacy, Recoverability: RecoverySupplemented},
		"privacy breach"))(t)
	if pri.Priority != PriorityCritical {
		t.Fatalf("priority %+v", pri)
	}
	ra := must(dana.AssignRole(casefile.RoleSecurityIncidentManager, "priya natarajan", "on-call takes the incident"))(t)
	if !ra.Granted || ra.Examiner != "Priya Natarajan" {
		t.Fatalf("assignment %+v, want the role granted to Priya", ra)
	}
	check(t, dana.CheckMove(StageDiagnose))
	dana.Close()

	// Priya acts as Security Incident Manager from here: the role was granted by the assignment.
	priya := openAs(t, path, "priya-pass", casefile.RoleSecurityIncidentManager, &clock)
	must(priya.MoveTo(StageDiagnose, "assessment complete: Sev 1, P1"))(t)
	check(t, priya.RecordAwareness(time.Time{}, "reasonable suspicion customer data left the network"))
	ind := must(priya.AddIndicator(IndicatorIP, "203.0.113.9", "exfiltration destination", ""))(t)
	ev := storeBytes(t, priya, bytes.Repeat([]byte("vpn log line\n"), 100), "vpn-gw-03.log")
	f := must(priya.AddFinding(FindingContent{Title: "Bulk transfer to 203.0.113.9", Description: "Rows **copied** at 02:14.",
		Confidence: ConfidenceMedium, Locations: []EvidenceLocation{{Evidence: ev.ID, Start: 13, End: 26}},
		Indicators: []uuid.UUID{ind.ID}, Techniques: []string{"t1048.003"}}, ""))(t)
	if f.Stage != StageDiagnose || f.Techniques[0] != "T1048.003" {
		t.Fatalf("finding %+v", f)
	}
	must(priya.RecordAction(NewResponseAction{Description: "Imaged the VPN gateway logs", Evidence: []uuid.UUID{ev.ID}}))(t)

	// Stage 4 and back: diagnose ⇄ stabilize.
	must(priya.MoveTo(StageStabilize, "containment"))(t)
	m := must(priya.RecordMitigation(NewMitigation{Description: "Blocked 203.0.113.9 at the edge", CausedOutage: true, OutageDetail: "VPN down 10 min"}))(t)
	m = must(priya.ApproveMitigation(m.ID, ApprovalIncidentManager, "block now"))(t)
	if m.JointlyApproved() || m.Approvals[0].ExaminerID != priya.Case.Actor().ID || fmt.Sprint(m.MissingApprovals()) != "[executive-incident-manager service-owner]" {
		t.Fatalf("mitigation %+v", m)
	}
	must(priya.MoveTo(StageDiagnose, "second destination found in the logs"))(t)
	must(priya.MoveTo(StageStabilize, "second destination blocked"))(t)

	// Close is refused until the post-mortem, owners and notification decision exist.
	repair := must(priya.AddRepairItem(NewRepairItem{Description: "Alert on VPN egress volume", Due: casefile.TestTime.AddDate(0, 0, 14)}))(t)
	_, err = priya.MoveTo(StageClose, "done")
	me := moveError(t, err, StageStabilize, StageClose, GuardPostMortem, GuardRepairOwners, GuardNotification)
	if !me.Failed(GuardRepairOwners) || !strings.Contains(err.Error(), "Alert on VPN egress volume") {
		t.Fatalf("the refusal does not name the unowned item: %v", err)
	}
	must(priya.UpdatePostMortem(PostMortemContent{Summary: "VPN credential reuse let an attacker export rows.",
		Lapses: []Lapse{{Category: LapseTechnical, Description: "no egress alerting", EngineeringFollowUp: "netops ticket NET-12"}}}, "draft"))(t)
	must(priya.AssignRepairItem(repair.ID, "Ravi", "owns the VPN"))(t)
	must(priya.DecideNotification(NotificationSent, "e-mailed the subscription administrators"))(t)
	must(priya.MoveTo(StageClose, "post-mortem drafted, repairs owned"))(t)
	if _, err := priya.AddFinding(FindingContent{Title: "late", Confidence: ConfidenceLow}, ""); !errors.Is(err, ErrIncidentClosed) {
		t.Fatalf("finding on a closed incident: %v", err)
	}
	if _, err := priya.Reopen(""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("reopen without a reason: %v", err)
	}
	ch := must(priya.Reopen("the customer reports a third destination"))(t)
	if ch.From != StageClose || ch.To != StageDiagnose || ch.Kind != MoveReopen || ch.Examiner != "Priya Natarajan" {
		t.Fatalf("reopen = %+v", ch)
	}
	priya.Close()

	// Everything is on record, in order, signed by whoever acted.
	c := openAs(t, path, testPass, "", &clock)
	defer c.Close()
	inc := must(c.Incident())(t)
	if inc.Stage != StageDiagnose || inc.Classification.Classification != ClassificationSecurityIncident || inc.Severity.Severity != 1 ||
		inc.Priority.Priority != 1 || inc.Notification.Status != NotificationSent || inc.Awareness == nil ||
		inc.Awareness.Examiner != "Priya Natarajan" || inc.Detection.Source != DetectionMonitorAnomaly {
		t.Fatalf("incident %+v", inc)
	}
	if len(inc.Roles) != 1 || inc.Roles[0].Role != casefile.RoleSecurityIncidentManager || inc.Roles[0].Examiner != "Priya Natarajan" {
		t.Fatalf("roles %+v", inc.Roles)
	}
	hist := must(c.StageHistory())(t)
	var moves []string
	for _, h := range hist {
		moves = append(moves, fmt.Sprintf("%s>%s(%s)", h.From, h.To, h.Kind))
	}
	if want := "detect>assess(forward) assess>diagnose(forward) diagnose>stabilize(forward) stabilize>diagnose(back) " +
		"diagnose>stabilize(forward) stabilize>close(forward) close>diagnose(reopen)"; strings.Join(moves, " ") != want {
		t.Fatalf("stage history\n%s\nwant\n%s", strings.Join(moves, " "), want)
	}
	r, err := c.VerifyLedger()
	if err != nil || !r.OK() {
		t.Fatalf("ledger: %v %v", err, r.Problems)
	}
	entries := must(c.Entries())(t)
	var got []string
	for _, e := range entries[1:] {
		line := fmt.Sprintf("%s/%s %s", e.Actor, e.Role, e.Action)
		if e.Action == ActionStageChanged {
			line += " " + e.Details["from"] + ">" + e.Details["to"]
		}
		if i := len(got); i > 0 && !e.Time.After(entries[i].Time) {
			t.Errorf("entry %d is not later than the one before it", e.Seq)
		}
		got = append(got, line)
	}
	// Dana acts as a forensic engineer and also holds the security incident
	// manager's role (a creator's default): what only the manager may do is
	// recorded in that role, what she may do as a forensic engineer in hers.
	const D, P = "Dana Quartermain/security-incident-manager ", "Priya Natarajan/security-incident-manager "
	want := []string{
		D + "examiner.added", D + "examiner.added",
		D + "incident.detection-set", D + "stage.changed detect>assess",
		D + "incident.summary-set", D + "incident.classified", D + "incident.severity-set", D + "incident.priority-set", D + "role.assigned",
		P + "stage.changed assess>diagnose", P + "incident.awareness-recorded", P + "indicator.added", P + "evidence.ingested",
		P + "finding.added", P + "action.recorded",
		P + "stage.changed diagnose>stabilize", P + "mitigation.recorded", P + "mitigation.approved", P + "stage.changed stabilize>diagnose", P + "stage.changed diagnose>stabilize",
		P + "repair.added", P + "postmortem.updated", P + "repair.updated", P + "notification.decided", P + "stage.changed stabilize>close",
		P + "stage.changed close>diagnose",
		"Dana Quartermain/forensic-engineer ledger.verified",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("ledger:\n%s\n\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range entries {
		if e.Action == ActionStageChanged && e.Reason == "" {
			t.Errorf("entry %d: stage change without its rationale", e.Seq)
		}
		if e.Action == ActionRoleAssigned && (e.Details["role"] != string(casefile.RoleSecurityIncidentManager) || e.Details["granted"] != "true") {
			t.Errorf("role entry details %v", e.Details)
		}
		if e.Action == ActionFindingAdded && e.Hashes["content_sha256"] == "" {
			t.Errorf("finding entry without its content hash")
		}
	}
	// The assignment granted Priya the role in her examiner record.
	if ex := must(c.Examiner("Priya Natarajan"))(t); !ex.HasRole(casefile.RoleSecurityIncidentManager) || !ex.HasRole(casefile.RoleOnCallResponder) {
		t.Fatalf("Priya's roles %v", ex.Roles)
	}
}

func TestExerciseIsNeverASecurityIncident(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	if err := c.SetExercise(ExerciseRedTeam, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("exercise without rationale: %v", err)
	}
	check(t, c.SetExercise(ExerciseRedTeam, "quarterly Red Team operation RT-7"))
	err := c.Classify(ClassificationSecurityIncident, "the red team reached the database")
	if !errors.Is(err, ErrExerciseIncident) || !strings.Contains(err.Error(), "an exercise (red-team)") ||
		!strings.Contains(err.Error(), "creates no actual security incident") || !strings.Contains(err.Error(), "clear the exercise mark") {
		t.Fatalf("classifying an exercise as a security incident: %v", err)
	}
	check(t, c.Classify(ClassificationNotSecurityIncident, "Red Team operation (Table 1)"))
	// The other way round: a security incident cannot become an exercise.
	check(t, c.SetExercise(ExerciseNone, "it was not the red team after all: real attacker traffic"))
	check(t, c.Classify(ClassificationSecurityIncident, "real exfiltration"))
	if err := c.SetExercise(ExerciseTabletop, "x"); !errors.Is(err, ErrExerciseIncident) {
		t.Fatalf("marking a security incident as an exercise: %v", err)
	}
	hist := must(c.ClassificationHistory())(t)
	if len(hist) != 2 || hist[0].Classification != ClassificationNotSecurityIncident || hist[1].Classification != ClassificationSecurityIncident {
		t.Fatalf("classification history %+v", hist)
	}
	if g := ClassificationGuidance(); len(g) != 12 || g[3].Classification != ClassificationNotSecurityIncident ||
		!strings.Contains(g[3].Event, "Red Team") || g[7].Classification != ClassificationSecurityIncident {
		t.Fatalf("Table 1 guidance %+v", g)
	}
}

func TestIncidentTextIsSealed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "case.custodia")
	cf, err := casefile.Create(path, []byte(testPass), testCase, casefile.TestOptions())
	check(t, err)
	c := &tcase{cf, Of(cf)}
	secrets := []string{"Zanzibar-summary-marker", "Quokka-finding-title", "Pangolin-finding-body", "Narwhal-postmortem",
		"Axolotl-repair", "Okapi-rationale", "Wombat-action", "198.51.100.77", "Tapir-next-step", "IR-Capybara-1"}
	check(t, c.SetSummary(secrets[0], ""))
	must(c.AddFinding(FindingContent{Title: secrets[1], Description: secrets[2], Confidence: ConfidenceHigh}, ""))(t)
	must(c.UpdatePostMortem(PostMortemContent{Summary: secrets[3]}, ""))(t)
	must(c.AddRepairItem(NewRepairItem{Description: secrets[4]}))(t)
	check(t, c.Classify(ClassificationNotSecurityIncident, secrets[5]))
	must(c.RecordAction(NewResponseAction{Description: secrets[6]}))(t)
	must(c.AddIndicator(IndicatorIP, secrets[7], "", ""))(t)
	check(t, c.SetNextSteps([]string{secrets[8]}, ""))
	check(t, c.AddRelatedIncident(RelatedIncident{CaseNumber: secrets[9]}, ""))
	scan := func(when string) {
		es, err := os.ReadDir(dir)
		check(t, err)
		for _, e := range es {
			name := e.Name()
			b, err := os.ReadFile(filepath.Join(dir, name))
			check(t, err)
			for _, s := range secrets {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s: %s holds %q in clear", when, name, s)
				}
			}
		}
	}
	scan("while open")
	check(t, c.Close())
	scan("after close")
}

// dropIncidentTriggers lets a test edit the append-only tables as an attacker would.
func dropIncidentTriggers(t *testing.T, path string) {
	t.Helper()
	for _, table := range tables {
		rawExec(t, path, `DROP TRIGGER `+table+`_no_update`)
		rawExec(t, path, `DROP TRIGGER `+table+`_no_delete`)
	}
}

func TestIncidentValueMovedIsDetected(t *testing.T) {
	setup := func(t *testing.T) (string, uuid.UUID, uuid.UUID) {
		path := createTestCase(t)
		c := openTest(t, path, testPass)
		a := must(c.AddFinding(FindingContent{Title: "A", Confidence: ConfidenceLow}, ""))(t)
		b := must(c.AddFinding(FindingContent{Title: "B", Confidence: ConfidenceLow}, ""))(t)
		must(c.EditFinding(a.ID, FindingContent{Title: "A2", Confidence: ConfidenceHigh}, "more evidence"))(t)
		must(c.SetSeverity(SeverityLow, SeverityCriteria{Privacy: PrivacyNone}, "triage"))(t)
		must(c.SetSeverity(SeverityCritical, SeverityCriteria{Privacy: PrivacyConfirmed}, "confirmed"))(t)
		c.Close()
		dropIncidentTriggers(t, path)
		return path, a.ID, b.ID
	}
	wantAuth := func(t *testing.T, err error, table, column string) {
		t.Helper()
		var ae *casefile.AuthError
		if !errors.As(err, &ae) || ae.Table != table || ae.Column != column {
			t.Fatalf("err = %v, want an casefile.AuthError on %s.%s", err, table, column)
		}
	}
	t.Run("finding revision body to another finding's row", func(t *testing.T) {
		path, a, b := setup(t)
		rawExec(t, path, `UPDATE finding_revisions SET body = (SELECT body FROM finding_revisions WHERE parent_uuid = ? AND seq = 1) WHERE parent_uuid = ?`, a.String(), b.String())
		c := openTest(t, path, testPass)
		defer c.Close()
		_, err := c.Finding(b)
		wantAuth(t, err, "finding_revisions", "body")
		_, err = c.Findings()
		wantAuth(t, err, "finding_revisions", "body")
	})
	t.Run("finding revision re-parented", func(t *testing.T) {
		path, a, b := setup(t)
		rawExec(t, path, `UPDATE finding_revisions SET parent_uuid = ? WHERE parent_uuid = ? AND seq = 3`, b.String(), a.String())
		c := openTest(t, path, testPass)
		defer c.Close()
		_, err := c.FindingHistory(b)
		wantAuth(t, err, "finding_revisions", "parent_uuid")
	})
	t.Run("severity rows reordered", func(t *testing.T) {
		path, _, _ := setup(t)
		// Make the old Sev 4 rating current by swapping positions.
		rawExec(t, path, `UPDATE incident_severity SET seq = 100 WHERE seq = 1`)
		rawExec(t, path, `UPDATE incident_severity SET seq = 1 WHERE seq = 2`)
		rawExec(t, path, `UPDATE incident_severity SET seq = 2 WHERE seq = 100`)
		c := openTest(t, path, testPass)
		defer c.Close()
		_, err := c.Incident()
		wantAuth(t, err, "incident_severity", "seq")
	})
	t.Run("severity body copied over another", func(t *testing.T) {
		path, _, _ := setup(t)
		rawExec(t, path, `UPDATE incident_severity SET body = (SELECT body FROM incident_severity WHERE seq = 1) WHERE seq = 2`)
		c := openTest(t, path, testPass)
		defer c.Close()
		_, err := c.SeverityHistory()
		wantAuth(t, err, "incident_severity", "body")
	})
	t.Run("from another case", func(t *testing.T) {
		path, a, _ := setup(t)
		other, _, _ := setup(t)
		db := casetest.DB(t, other)
		var body []byte
		check(t, db.QueryRow(`SELECT body FROM incident_severity WHERE seq = 2`).Scan(&body))
		db.Close()
		rawExec(t, path, `UPDATE incident_severity SET body = ? WHERE seq = 2`, body)
		c := openTest(t, path, testPass)
		defer c.Close()
		_, err := c.SeverityHistory()
		wantAuth(t, err, "incident_severity", "body")
		must(c.Finding(a))(t) // the rest of the case still reads
	})
	t.Run("middle revision deleted", func(t *testing.T) {
		path, a, _ := setup(t)
		rawExec(t, path, `DELETE FROM finding_revisions WHERE parent_uuid = ? AND seq = 1`, a.String())
		c := openTest(t, path, testPass)
		defer c.Close()
		if _, err := c.FindingHistory(a); !errors.Is(err, casefile.ErrCorrupt) {
			t.Fatalf("history with a revision missing: %v", err)
		}
	})
}

func TestAppendOnlyTriggers(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	must(c.AddFinding(FindingContent{Title: "A", Confidence: ConfidenceLow}, ""))(t)
	c.Close()
	db := casetest.DB(t, path)
	defer db.Close()
	for _, q := range []string{`UPDATE finding_revisions SET body = x'00'`, `DELETE FROM finding_revisions`} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only trigger to refuse", q, err)
		}
	}
}

func TestTextLimits(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	long := strings.Repeat("x", casefile.MaxTextLen+1)
	bad := "caf\xe9"
	for name, err := range map[string]error{
		"summary too long":        c.SetSummary(long, ""),
		"summary not UTF-8":       c.SetSummary(bad, ""),
		"rationale too long":      c.Classify(ClassificationNotSecurityIncident, long),
		"rationale empty":         c.Classify(ClassificationNotSecurityIncident, "  "),
		"next step not UTF-8":     c.SetNextSteps([]string{bad}, ""),
		"too many next steps":     c.SetNextSteps(make([]string, casefile.MaxListLen+1), ""),
		"related number with NL":  c.AddRelatedIncident(RelatedIncident{CaseNumber: "IR-1\nIR-2"}, ""),
		"unknown classification":  c.Classify("maybe", "x"),
		"awareness in the future": c.RecordAwareness(casefile.TestTime.Add(time.Hour), ""),
	} {
		if !errors.Is(err, casefile.ErrInvalid) {
			t.Errorf("%s: %v, want casefile.ErrInvalid", name, err)
		}
	}
	_, err := c.AddFinding(FindingContent{Title: "t", Description: strings.Repeat("#", casefile.MaxMarkdownLen+1), Confidence: ConfidenceLow}, "")
	if !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), "finding description is too long (100001 bytes, at most 100000)") {
		t.Fatalf("long Markdown: %v", err)
	}
	must(c.AddFinding(FindingContent{Title: "t", Description: strings.Repeat("#", casefile.MaxMarkdownLen), Confidence: ConfidenceLow}, ""))(t)
	_, err = c.UpdatePostMortem(PostMortemContent{Summary: strings.Repeat("a", casefile.MaxMarkdownLen+1)}, "")
	if !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("long post-mortem: %v", err)
	}
}

func TestSeverityAndPriorityHistory(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	must(c.SetSeverity(0, SeverityCriteria{Privacy: PrivacyNone, AffectedTenants: 0}, "alert only"))(t)
	must(c.SetSeverity(SeverityHigh, SeverityCriteria{Privacy: PrivacyNone, AffectedTenants: 1}, "one tenant, but a bank: raised by hand"))(t)
	if _, err := c.SetSeverity(5, SeverityCriteria{Privacy: PrivacyNone}, "x"); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("severity 5: %v", err)
	}
	if _, err := c.SetSeverity(1, SeverityCriteria{Privacy: "lots"}, "x"); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("unknown privacy: %v", err)
	}
	if _, err := c.SetPriority(0, PriorityFactors{Functional: "some"}, "x"); !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), "functional impact") {
		t.Fatalf("bad factors: %v", err)
	}
	h := must(c.SeverityHistory())(t)
	if len(h) != 2 || h[0].Severity != SeverityLow || h[1].Severity != SeverityHigh || h[1].Suggested != SeverityMedium ||
		h[1].Rationale == "" || h[1].Examiner != testCase.Examiner {
		t.Fatalf("severity history %+v", h)
	}
	entries := must(c.Entries())(t)
	if last := entries[len(entries)-1]; last.Action != ActionIncidentSeverity || last.Details["previous"] != "4" || last.Details["severity"] != "2" {
		t.Fatalf("last entry %+v", last)
	}
	for _, tc := range []struct {
		sc   SeverityCriteria
		want Severity
	}{
		{SeverityCriteria{Privacy: PrivacyConfirmed}, SeverityCritical},
		{SeverityCriteria{Privacy: PrivacyImminent, AffectedTenants: 0}, SeverityCritical},
		{SeverityCriteria{Privacy: PrivacyPossible}, SeverityHigh},
		{SeverityCriteria{Privacy: PrivacyNone, AffectedTenants: 40}, SeverityHigh},
		{SeverityCriteria{Privacy: PrivacyNone, AffectedTenants: 1, Regulations: []string{"HIPAA"}}, SeverityHigh},
		{SeverityCriteria{Privacy: PrivacyNone, AffectedTenants: 1}, SeverityMedium},
		{SeverityCriteria{Privacy: PrivacyNone, AffectedTenants: TenantsUnknown}, SeverityMedium},
		{SeverityCriteria{Privacy: PrivacyNone}, SeverityLow},
	} {
		if got := tc.sc.Suggest(); got != tc.want {
			t.Errorf("%+v suggests %s, want %s", tc.sc, got.Title(), tc.want.Title())
		}
	}
	for _, tc := range []struct {
		pf   PriorityFactors
		want Priority
	}{
		{PriorityFactors{FunctionalNone, InformationalNone, RecoveryRegular}, PriorityLow},
		{PriorityFactors{FunctionalLow, InformationalNone, RecoveryRegular}, PriorityMedium},
		{PriorityFactors{FunctionalNone, InformationalNone, RecoverySupplemented}, PriorityMedium},
		{PriorityFactors{FunctionalMedium, InformationalNone, RecoveryRegular}, PriorityHigh},
		{PriorityFactors{FunctionalNone, InformationalProprietary, RecoveryRegular}, PriorityHigh},
		{PriorityFactors{FunctionalLow, InformationalNone, RecoveryExtended}, PriorityHigh},
		{PriorityFactors{FunctionalHigh, InformationalNone, RecoveryRegular}, PriorityCritical},
		{PriorityFactors{FunctionalNone, InformationalIntegrity, RecoveryRegular}, PriorityCritical},
		{PriorityFactors{FunctionalNone, InformationalNone, RecoveryNotRecoverable}, PriorityCritical},
	} {
		if got := tc.pf.Suggest(); got != tc.want {
			t.Errorf("%+v suggests %s, want %s", tc.pf, got.Title(), tc.want.Title())
		}
	}
	if SeverityCritical.Title() != "Sev 1 (Critical)" || PriorityLow.Title() != "P4 (Low)" {
		t.Fatal("titles")
	}
}

func TestRoleAssignment(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	mo := must(c.AddExaminer(casefile.NewExaminer{Name: "Mo", Roles: []casefile.Role{casefile.RoleForensicEngineer}}, []byte("mo"), ""))(t)
	if _, err := c.AssignRole(casefile.RoleSecurityIncidentManager, "Nobody", ""); !errors.Is(err, casefile.ErrUnknownExaminer) {
		t.Fatalf("unknown examiner: %v", err)
	}
	if _, err := c.AssignRole("chef", "Mo", ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("unknown role: %v", err)
	}
	must(c.AssignRole(casefile.RoleSecurityIncidentManager, mo.ID.String(), "by UUID"))(t)
	ra := must(c.AssignRole(casefile.RoleCommunicationsManager, "mo", "and communications"))(t)
	must(c.AssignRole(casefile.RoleForensicEngineer, "Mo", "already holds this capability"))(t)
	if _, err := c.AssignRole(casefile.RoleForensicEngineer, "Mo", ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("double assignment: %v", err)
	}
	must(c.AssignRole(casefile.RoleSecurityIncidentManager, testCase.Examiner, "two managers during the hand-over"))(t)
	if !ra.Granted {
		t.Fatal("communications manager not granted")
	}
	must(c.ReleaseRole(casefile.RoleSecurityIncidentManager, "Mo", "hand-over done"))(t)
	if _, err := c.ReleaseRole(casefile.RoleSecurityIncidentManager, "Mo", ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("releasing a role not held: %v", err)
	}
	hs := must(c.RoleHolders())(t)
	var got []string
	for _, h := range hs {
		got = append(got, string(h.Role)+"="+h.Examiner)
	}
	if want := "security-incident-manager=Dana Quartermain forensic-engineer=Mo communications-manager=Mo"; strings.Join(got, " ") != want {
		t.Fatalf("holders %s, want %s", strings.Join(got, " "), want)
	}
	// Released or not, Mo keeps the capabilities the assignments granted.
	ex := must(c.Examiner("Mo"))(t)
	if !ex.HasRole(casefile.RoleSecurityIncidentManager) || !ex.HasRole(casefile.RoleCommunicationsManager) || len(ex.Roles) != 3 {
		t.Fatalf("Mo's roles %v", ex.Roles)
	}
	// The acting examiner's new capability is usable at once.
	check(t, c.SetRole(casefile.RoleSecurityIncidentManager))
	if h := must(c.RoleHistory())(t); len(h) != 5 || !h[4].Released || h[0].Examiner != "Mo" {
		t.Fatalf("history %+v", h)
	}
}

func TestRoleAssignmentKeepsWhoAssigned(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	defer c.Close()
	if _, err := c.AddExaminer(casefile.NewExaminer{Name: "Sam", Roles: []casefile.Role{casefile.RoleOnCallResponder}}, []byte("sam"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AssignRole(casefile.RoleSecurityIncidentManager, "Sam", "on call tonight"); err != nil {
		t.Fatal(err)
	}
	hist, err := c.RoleHistory()
	if err != nil || len(hist) != 1 {
		t.Fatalf("RoleHistory = %v, %v", hist, err)
	}
	a := hist[0]
	if a.Role != casefile.RoleSecurityIncidentManager || a.Examiner != "Sam" || a.Attribution.Examiner != testCase.Examiner ||
		a.Attribution.Role != casefile.RoleForensicEngineer || a.Attribution.ExaminerID == (uuid.UUID{}) {
		t.Fatalf("assignment = %+v", a)
	}
}
