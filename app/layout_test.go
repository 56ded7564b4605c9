package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/evidence"
)

// makeBusyCase creates a closed case with something in every area: two
// items (one withdrawn), an incident in Diagnose with its assessment, a
// role holder, an indicator, a finding, an action, a mitigation, a
// post-mortem and repair items.
func makeBusyCase(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "busy"+casefile.Extension)
	c, err := casefile.Create(path, []byte("pass"), casefile.NewCase{
		Title:      "Credential theft at Northwind Traders with a title long enough to be cut in a narrow window",
		CaseNumber: "IR-2026-0117", Examiner: "Sam Okafor",
		ExaminerRoles: []casefile.Role{casefile.RoleForensicEngineer, casefile.RoleSecurityIncidentManager},
	}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	var items []casefile.Evidence
	for i, name := range []string{"fs01-system-disk-with-a-long-name.raw", "vpn-gw01-auth.log"} {
		src := writeTestFile(t, dir, name, testBytes(40_000+i, uint64(i+20)))
		got, err := evidence.Ingest(context.Background(), c, src, evidence.Options{Description: "Source " + name, Reason: "SEC-4471"})
		must("ingest", err)
		items = append(items, got...)
	}
	_, err = c.WithdrawEvidence(items[0].ID, "Imaged from the wrong host")
	must("withdraw", err)
	s := incident.Of(c)
	must("detection", s.SetDetection(incident.Detection{Source: incident.DetectionMonitorAnomaly, DetectedAt: created.Add(-time.Hour),
		Detail: "UEBA alert 88213"}, ""))
	must("awareness", s.RecordAwareness(created.Add(-30*time.Minute), "SOC confirmed"))
	must("summary", s.SetSummary("A phished VPN credential was used from TOR exit nodes to reach file servers.", ""))
	must("related", s.AddRelatedIncident(incident.RelatedIncident{CaseNumber: "IR-2026-0099", Note: strings.Repeat("Same phishing kit. ", 12)}, ""))
	_, err = s.AssignRole(casefile.RoleSecurityIncidentManager, "Sam Okafor", "On call")
	must("role", err)
	_, err = s.MoveTo(incident.StageAssess, "Confirmed")
	must("assess", err)
	must("classify", s.Classify(incident.ClassificationSecurityIncident, "Customer data copied"))
	_, err = s.SetSeverity(0, incident.SeverityCriteria{Privacy: incident.PrivacyConfirmed, AffectedTenants: 3}, "Three tenants")
	must("severity", err)
	_, err = s.SetPriority(0, incident.PriorityFactors{Functional: incident.FunctionalLow, Informational: incident.InformationalPrivacy,
		Recoverability: incident.RecoverySupplemented}, "Contained")
	must("priority", err)
	_, err = s.MoveTo(incident.StageDiagnose, "Assessed")
	must("diagnose", err)
	ind, err := s.AddIndicator(incident.IndicatorHash, strings.Repeat("9f86d081", 8), "Phishing kit archive", "")
	must("indicator", err)
	_, err = s.AddFinding(incident.FindingContent{Title: "VPN login with the stolen credential from a TOR exit node",
		Confidence: incident.ConfidenceHigh, Description: "Accepted password for svc-vpn.",
		Locations: []incident.EvidenceLocation{{Evidence: items[1].ID, Start: 0x10, End: 0x40}}, Indicators: []uuid.UUID{ind.ID}}, "")
	must("finding", err)
	_, err = s.RecordAction(incident.NewResponseAction{Description: "Disabled svc-vpn and revoked its sessions", Evidence: []uuid.UUID{items[1].ID}})
	must("action", err)
	m, err := s.RecordMitigation(incident.NewMitigation{Description: "Took the VPN gateway offline until MFA is enforced",
		CausedOutage: true, OutageDetail: "Remote access down for 40 minutes"})
	must("mitigation", err)
	_, err = s.ApproveMitigation(m.ID, incident.ApprovalIncidentManager, "")
	must("approval", err)
	_, err = s.UpdatePostMortem(incident.PostMortemContent{Summary: "Phished credential, no MFA.",
		Lapses: []incident.Lapse{{Category: incident.LapseTechnical, Description: "No MFA on the VPN", EngineeringFollowUp: "NET-812"}}}, "")
	must("post-mortem", err)
	_, err = s.AddRepairItem(incident.NewRepairItem{Description: "Enforce MFA on the VPN gateway", Due: created.AddDate(0, 0, -2)})
	must("repair", err)
	must("close", c.Close())
	return path
}

// TestEveryAreaFitsIn800x600 opens a case with something in every area in
// a window of 800×600 points: no area asks for more room than that (a
// wider area would widen the window or cut its right edge off), and the
// change buttons of the evidence stay on screen.
func TestEveryAreaFitsIn800x600(t *testing.T) {
	dir := t.TempDir()
	path := makeBusyCase(t, dir)
	u := newTestUI(t, dir)
	u.win.Resize(fyne.NewSize(800, 600))
	u.OpenWithPassphrase(path, []byte("pass"))
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("case did not open: %v", u.LastError())
	}
	for _, a := range areaRegistry {
		if err := u.SelectArea(a.title()); err != nil {
			t.Fatal(err)
		}
		if min := u.win.Content().MinSize(); min.Width > 800 || min.Height > 600 {
			t.Errorf("%s needs %v, more than 800×600", a.title(), min)
		}
		if got := u.win.Canvas().Size(); got.Width > 800 || got.Height > 600 {
			t.Errorf("%s widened the window to %v", a.title(), got)
		}
	}
	v := viewOf[*evidenceView](t, u, "Evidence")
	c := u.win.Canvas()
	for _, b := range []*actionButton{v.verify, v.checkSource, v.extract, v.bytes, v.reinstate} {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
		if !b.Visible() {
			continue
		}
		if pos.X+b.Size().Width > c.Size().Width || pos.Y+b.Size().Height > c.Size().Height {
			t.Errorf("%s lies outside the window: at %v, %v", b.Text, pos, b.Size())
		}
	}
}
