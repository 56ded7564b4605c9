package incident

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

func TestPostMortemRevisions(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	if _, ok, err := c.PostMortem(); ok || err != nil {
		t.Fatalf("post-mortem of a new case: %v %v", ok, err)
	}
	must(c.UpdatePostMortem(PostMortemContent{Summary: "draft"}, "first draft"))(t)
	pc := PostMortemContent{Summary: "final", ProcedureAssessment: "The SOP lacked a VPN section.",
		Lapses: []Lapse{
			{Category: LapseTechnical, Description: "no MFA on the VPN", EngineeringFollowUp: "identity team, ID-77"},
			{Category: LapseCommunications, Description: "status page updated late"},
			{Category: LapseManualError, Description: "firewall rule typo"},
		},
		SOPUpdates: []string{"add VPN credential reset steps"}}
	must(c.UpdatePostMortem(pc, "reviewed"))(t)
	pm, ok, err := c.PostMortem()
	if err != nil || !ok || pm.Revision != 2 || pm.Summary != "final" || len(pm.TechnicalLapses()) != 1 ||
		pm.TechnicalLapses()[0].EngineeringFollowUp != "identity team, ID-77" || len(pm.LapsesOf(LapseManualError)) != 1 || pm.Reason != "reviewed" {
		t.Fatalf("post-mortem %+v %v %v", pm, ok, err)
	}
	if h := must(c.PostMortemHistory())(t); len(h) != 2 || h[0].Summary != "draft" || h[0].Revision != 1 {
		t.Fatalf("history %+v", h)
	}
	if _, err := c.UpdatePostMortem(PostMortemContent{Lapses: []Lapse{{Category: "bad luck", Description: "x"}}}, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("unknown lapse category: %v", err)
	}
	if _, err := c.UpdatePostMortem(PostMortemContent{Lapses: []Lapse{{Category: LapseProcessFlaw}}}, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("lapse without description: %v", err)
	}
}

func TestRepairItems(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	must(c.AddExaminer(casefile.NewExaminer{Name: "Ravi"}, []byte("r"), ""))(t)
	// A due day picked in UTC+10 stays that calendar day.
	east := time.FixedZone("AEST", 10*3600)
	a := must(c.AddRepairItem(NewRepairItem{Description: "MFA on the VPN", Owner: "ravi", Due: time.Date(2026, 12, 1, 0, 30, 0, 0, east)}))(t)
	b := must(c.AddRepairItem(NewRepairItem{Description: "egress alerting", Due: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)}))(t)
	must(c.AddRepairItem(NewRepairItem{Description: "no due date"}))(t)
	if a.Due != time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) || a.Owner != "Ravi" || a.Status != RepairOpen || b.OwnerID != uuid.Nil {
		t.Fatalf("items %+v %+v", a, b)
	}
	if _, err := c.AddRepairItem(NewRepairItem{Description: "x", Owner: "Nobody"}); !errors.Is(err, casefile.ErrUnknownExaminer) {
		t.Fatalf("unknown owner: %v", err)
	}
	if _, err := c.SetRepairStatus(uuid.New(), RepairDone, ""); !errors.Is(err, ErrNoSuchRepairItem) {
		t.Fatalf("unknown item: %v", err)
	}
	overdue := func(now time.Time) string {
		items := must(c.OverdueRepairItems(now))(t)
		var names []string
		for _, it := range items {
			names = append(names, it.Description)
		}
		return strings.Join(names, ",")
	}
	if got := overdue(time.Date(2026, 12, 1, 23, 59, 0, 0, time.UTC)); got != "" {
		t.Fatalf("overdue on the due day: %q", got)
	}
	if got := overdue(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)); got != "MFA on the VPN" {
		t.Fatalf("overdue the day after: %q", got)
	}
	if got := overdue(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); got != "MFA on the VPN,egress alerting" {
		t.Fatalf("overdue a month later: %q", got)
	}
	must(c.SetRepairStatus(a.ID, RepairInProgress, "started"))(t)
	done := must(c.SetRepairStatus(a.ID, RepairDone, "rolled out"))(t)
	if done.Completed.IsZero() || done.Revision != 3 || done.Created.At != a.Created.At {
		t.Fatalf("done item %+v", done)
	}
	if _, err := c.SetRepairStatus(a.ID, RepairDone, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("done twice: %v", err)
	}
	must(c.SetRepairDue(b.ID, time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), "waiting for a vendor"))(t)
	if got := overdue(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); got != "" {
		t.Fatalf("overdue after completion and a new due date: %q", got)
	}
	must(c.AssignRepairItem(b.ID, testCase.Examiner, ""))(t)
	items := must(c.RepairItems())(t)
	if len(items) != 3 || items[0].Status != RepairDone || items[1].Owner != testCase.Examiner || items[1].Revision != 3 || items[2].OwnerID != uuid.Nil {
		t.Fatalf("items %+v", items)
	}
	var actions []string
	for _, e := range must(c.Entries())(t) {
		if strings.HasPrefix(string(e.Action), "repair.") {
			actions = append(actions, string(e.Action))
		}
	}
	if got := strings.Join(actions, " "); got != "repair.added repair.added repair.added repair.updated repair.done repair.updated repair.updated" {
		t.Fatalf("repair entries: %s", got)
	}
}

func TestActionsAndMitigations(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	ev := storeBytes(t, c, []byte("netflow"), "netflow.csv")
	if _, err := c.RecordAction(NewResponseAction{Description: "x", Evidence: []uuid.UUID{uuid.New()}}); !errors.Is(err, casefile.ErrNoSuchEvidence) {
		t.Fatalf("action linking unknown evidence: %v", err)
	}
	if _, err := c.RecordAction(NewResponseAction{Description: " "}); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("action without description: %v", err)
	}
	at := casefile.TestTime.Add(-3 * time.Hour)
	a := must(c.RecordAction(NewResponseAction{Description: "pulled netflow", PerformedAt: at, Evidence: []uuid.UUID{ev.ID, ev.ID}}))(t)
	if !a.PerformedAt.Equal(at) || !a.At.Equal(casefile.TestTime) || len(a.Evidence) != 1 || a.Stage != StageDetect {
		t.Fatalf("action %+v", a)
	}
	for name, nm := range map[string]NewMitigation{
		"no description": {Description: " "},
		"long outage":    {Description: "x", OutageDetail: strings.Repeat("x", casefile.MaxTextLen+1)},
	} {
		if _, err := c.RecordMitigation(nm); !errors.Is(err, casefile.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	m := must(c.RecordMitigation(NewMitigation{Description: "quarantined vpn-gw-03"}))(t)
	if _, err := c.ApproveMitigation(m.ID, "ceo", ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Errorf("unknown capacity: %v", err)
	}
	m = must(c.ApproveMitigation(m.ID, ApprovalIncidentManager, "contain first"))(t)
	if m.JointlyApproved() || len(m.Approvals) != 1 || m.Approvals[0].ExaminerID != c.Case.Actor().ID || !m.Approvals[0].Signed || m.CausedOutage {
		t.Fatalf("mitigation %+v", m)
	}
	if as := must(c.ResponseActions())(t); len(as) != 1 || as[0].ID != a.ID || as[0].Description != "pulled netflow" {
		t.Fatalf("actions %+v", as)
	}
	if ms := must(c.Mitigations())(t); len(ms) != 1 || ms[0].ID != m.ID {
		t.Fatalf("mitigations %+v", ms)
	}
	entries := must(c.Entries())(t)
	if rec := entries[len(entries)-2]; rec.Action != ActionMitigationRecorded || rec.Details["description"] != "quarantined vpn-gw-03" {
		t.Fatalf("entry %+v", rec)
	}
	if last := entries[len(entries)-1]; last.Action != ActionMitigationApproved || last.Details["jointly_approved"] != "false" ||
		last.Details["capacity"] != "security-incident-manager" || last.Actor != "Dana Quartermain" || last.Reason != "contain first" {
		t.Fatalf("entry %+v", last)
	}
}

func TestNotificationAndIncidentFields(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	for _, s := range []NotificationStatus{NotificationNotRequired, NotificationDelayedByLawEnforcement} {
		if _, err := c.DecideNotification(s, ""); !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), "must say why") {
			t.Errorf("%s without a reason: %v", s, err)
		}
	}
	if _, err := c.DecideNotification("maybe", "x"); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("unknown status: %v", err)
	}
	must(c.DecideNotification(NotificationDelayedByLawEnforcement, "FBI field office request, 14 days"))(t)
	must(c.DecideNotification(NotificationInProgress, ""))(t)
	if h := must(c.NotificationHistory())(t); len(h) != 2 || h[0].Status != NotificationDelayedByLawEnforcement {
		t.Fatalf("history %+v", h)
	}
	check(t, c.AddRelatedIncident(RelatedIncident{CaseNumber: "IR-2026-0007", Note: "same actor"}, ""))
	if err := c.AddRelatedIncident(RelatedIncident{CaseNumber: "ir-2026-0007"}, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("duplicate related incident: %v", err)
	}
	if err := c.AddRelatedIncident(RelatedIncident{CaseNumber: testCase.CaseNumber}, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("own case number: %v", err)
	}
	check(t, c.AddRelatedIncident(RelatedIncident{CaseNumber: "IR-2026-0009"}, ""))
	check(t, c.RemoveRelatedIncident("IR-2026-0007", "different actor after all"))
	check(t, c.SetNextSteps([]string{"rotate VPN secrets", "brief the customer"}, ""))
	if err := c.SetDetection(Detection{Source: "psychic"}, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("unknown source: %v", err)
	}
	check(t, c.RecordAwareness(casefile.TestTime.Add(-time.Hour), "support ticket confirmed"))
	if err := c.SetDetection(Detection{Source: DetectionCustomerReport, DetectedAt: casefile.TestTime.Add(-30 * time.Minute)}, ""); !errors.Is(err, casefile.ErrInvalid) ||
		!strings.Contains(err.Error(), "awareness cannot precede detection") {
		t.Fatalf("detection after awareness: %v", err)
	}
	check(t, c.SetDetection(Detection{Source: DetectionCustomerReport, DetectedAt: casefile.TestTime.Add(-2 * time.Hour), Detail: "ticket 12345"}, ""))
	inc := must(c.Incident())(t)
	if len(inc.Related) != 1 || inc.Related[0].CaseNumber != "IR-2026-0009" || len(inc.NextSteps) != 2 || inc.Notification.Status != NotificationInProgress ||
		!inc.Awareness.AwareAt.Equal(casefile.TestTime.Add(-time.Hour)) || inc.Awareness.Examiner != testCase.Examiner || inc.Detection.Detail != "ticket 12345" {
		t.Fatalf("incident %+v", inc)
	}
}
