package incident

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
)

// assess brings a new case to Assess with everything leaving it needs.
func assessed(t *testing.T, c *tcase, cl Classification) {
	t.Helper()
	must(c.MoveTo(StageAssess, "triage"))(t)
	check(t, c.Classify(cl, "triaged"))
	must(c.SetSeverity(SeverityLow, SeverityCriteria{Privacy: PrivacyNone}, "no customer impact"))(t)
	must(c.SetPriority(0, PriorityFactors{FunctionalNone, InformationalNone, RecoveryRegular}, "none"))(t)
	must(c.AssignRole(casefile.RoleSecurityIncidentManager, testCase.Examiner, "on call"))(t)
}

// described records what closing needs of the incident record: the
// summary, the detection time and the awareness.
func described(t *testing.T, c *tcase) {
	t.Helper()
	check(t, c.Apply("for the record",
		SummaryChange{Summary: "An IDS signature fired on a backup job."},
		DetectionChange{Detection: Detection{Source: DetectionMonitorSignature, DetectedAt: casefile.TestTime.Add(-time.Hour)}},
		AwarenessChange{At: casefile.TestTime.Add(-time.Minute)}))
}

func TestLifecycleMoves(t *testing.T) {
	for _, tc := range []struct {
		from, to Stage
		kind     MoveKind
	}{
		{StageDetect, StageAssess, MoveForward}, {StageAssess, StageDiagnose, MoveForward}, {StageDiagnose, StageStabilize, MoveForward},
		{StageStabilize, StageClose, MoveForward}, {StageStabilize, StageDiagnose, MoveBack}, {StageAssess, StageClose, MoveDismiss},
		{StageClose, StageDiagnose, MoveReopen},
		{StageDetect, StageDiagnose, ""}, {StageDiagnose, StageClose, ""}, {StageAssess, StageDetect, ""}, {StageClose, StageAssess, ""},
		{StageDiagnose, StageDiagnose, ""}, {StageClose, StageDetect, ""}, {"", StageDetect, ""},
	} {
		if got := moveKind(tc.from, tc.to); got != tc.kind {
			t.Errorf("%s → %s: %q, want %q", tc.from, tc.to, got, tc.kind)
		}
	}
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	if _, err := c.MoveTo(StageAssess, ""); !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), "rationale is required") {
		t.Fatalf("move without rationale: %v", err)
	}
	if _, err := c.MoveTo("triage", "x"); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("unknown stage: %v", err)
	}
	_, err := c.MoveTo(StageDetect, "again")
	moveError(t, err, StageDetect, StageDetect, GuardAllowedMove)
	if !strings.Contains(err.Error(), "in that stage already") {
		t.Fatalf("same-stage move: %v", err)
	}
	if _, err := c.Reopen("why not"); !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), "not Close") {
		t.Fatalf("reopening an open incident: %v", err)
	}
	if next := must(c.NextStages())(t); !slices.Equal(next, []Stage{StageAssess}) {
		t.Fatalf("next stages from Detect: %v", next)
	}
	assessed(t, c, ClassificationSecurityIncident)
	if next := must(c.NextStages())(t); !slices.Equal(next, []Stage{StageDiagnose, StageClose}) {
		t.Fatalf("next stages from Assess: %v", next)
	}
	// A security incident is not dismissed from Assess.
	_, err = c.MoveTo(StageClose, "nothing to see")
	moveError(t, err, StageAssess, StageClose, GuardNotSecurityIncident, GuardSummary, GuardDetectionTime, GuardAwareness, GuardPostMortem, GuardNotification)
	for _, s := range []string{"stabilize", "Stabilize & Recover", " CLOSE "} {
		if _, err := ParseStage(s); err != nil {
			t.Errorf("ParseStage(%q): %v", s, err)
		}
	}
	if StageStabilize.Title() != "Stabilize & Recover" || StageClose.Number() != 5 || Stage("x").Number() != 0 {
		t.Fatal("stage titles or numbers")
	}
}

// TestDismissFalsePositive closes an event that assessment showed is not a
// security incident, straight from Assess.
func TestDismissFalsePositive(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	assessed(t, c, ClassificationNotSecurityIncident)
	must(c.UpdatePostMortem(PostMortemContent{Summary: "IDS signature fired on a backup job; tuned."}, ""))(t)
	must(c.DecideNotification(NotificationInProgress, "checking with the backup team"))(t)
	_, err := c.MoveTo(StageClose, "false positive")
	me := moveError(t, err, StageAssess, StageClose, GuardSummary, GuardDetectionTime, GuardAwareness, GuardNotification)
	if !strings.Contains(me.Guards[3].Detail, "still in progress") {
		t.Fatalf("an in-progress notification: %q", me.Guards[3].Detail)
	}
	described(t, c)
	must(c.DecideNotification(NotificationNotRequired, "no customer data involved"))(t)
	ch := must(c.MoveTo(StageClose, "false positive"))(t)
	if ch.Kind != MoveDismiss {
		t.Fatalf("move %+v", ch)
	}
}

func TestClosedIncidentIsFrozen(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	assessed(t, c, ClassificationNotSecurityIncident)
	described(t, c)
	must(c.UpdatePostMortem(PostMortemContent{Summary: "s"}, ""))(t)
	must(c.DecideNotification(NotificationNotRequired, "no customer data"))(t)
	must(c.MoveTo(StageClose, "false positive"))(t)
	for name, err := range map[string]error{
		"summary":  c.SetSummary("x", ""),
		"classify": c.Classify(ClassificationSecurityIncident, "x"),
		"indicator": func() error {
			_, err := c.AddIndicator(IndicatorDomain, "evil.example", "", "")
			return err
		}(),
		"action": func() error { _, err := c.RecordAction(NewResponseAction{Description: "x"}); return err }(),
		"mitigation": func() error {
			_, err := c.RecordMitigation(NewMitigation{Description: "x"})
			return err
		}(),
		"severity": func() error { _, err := c.SetSeverity(1, SeverityCriteria{Privacy: PrivacyNone}, "x"); return err }(),
	} {
		if !errors.Is(err, ErrIncidentClosed) || !strings.Contains(err.Error(), "reopen it") {
			t.Errorf("%s on a closed incident: %v", name, err)
		}
	}
	// The post-mortem, its repair items and the notification stay open to change.
	must(c.UpdatePostMortem(PostMortemContent{Summary: "s, reviewed"}, "review"))(t)
	it := must(c.AddRepairItem(NewRepairItem{Description: "tune the signature", Owner: testCase.Examiner}))(t)
	must(c.SetRepairStatus(it.ID, RepairDone, "tuned"))(t)
	must(c.DecideNotification(NotificationNotRequired, "confirmed again"))(t)
	must(c.AssignRole(casefile.RoleCommunicationsManager, testCase.Examiner, ""))(t)
}

// TestOldCaseGetsAnIncident opens the committed format-1 fixture: the
// upgrade adds the incident tables, and the case starts in Detect.
func TestOldCaseGetsAnIncident(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.custodia")
	b, err := os.ReadFile("../../testdata/casefile/v1.custodia")
	check(t, err)
	check(t, os.WriteFile(path, b, 0o600))
	c := openTest(t, path, testPass)
	defer c.Close()
	inc := must(c.Incident())(t)
	if inc.Stage != StageDetect || inc.Classification.Classification != ClassificationUndetermined || inc.Severity != nil || len(inc.Roles) != 0 {
		t.Fatalf("incident of an upgraded case: %+v", inc)
	}
	// Its only examiner is a forensic engineer, who may not move the stage;
	// no one holds a role that may assign roles, so the creator may: they
	// take the lead, then move.
	if _, err := c.MoveTo(StageAssess, "triage of an old case"); !errors.Is(err, casefile.ErrNotPermitted) {
		t.Fatalf("a forensic engineer moved the stage: %v", err)
	}
	self := c.Case.Actor().Name
	must(c.AssignRole(casefile.RoleSecurityIncidentManager, self, "leads the old case"))(t)
	must(c.MoveTo(StageAssess, "triage of an old case"))(t)
	if r, err := c.VerifyLedger(); err != nil || !r.OK() {
		t.Fatalf("ledger: %v %v", err, r)
	}
}
