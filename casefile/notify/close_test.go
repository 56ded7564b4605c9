package notify

import (
	"errors"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/notify/regime"
)

// closeRefusal is what GuardNotices says about moving s's incident into
// Close now, or "" when it passes. Other guards (post-mortem, …) fail
// too; only this one is looked at.
func closeRefusal(t *testing.T, s *Store) string {
	t.Helper()
	err := incident.Of(s.Case()).CheckMove(incident.StageClose)
	var me *incident.MoveError
	if !errors.As(err, &me) {
		t.Fatalf("CheckMove(Close) = %v, want a *MoveError", err)
	}
	for _, g := range me.Guards {
		if g.Guard == GuardNotices {
			return g.Detail
		}
	}
	return ""
}

// TestCloseWaitsForNotices: an incident whose notification track is
// started does not close before the Executive Incident Manager decided;
// once a breach is declared, not before every started legal clock is met,
// paused or decided not to apply.
func TestCloseWaitsForNotices(t *testing.T) {
	path := scoped(t)
	dana := open(t, path, danaPass)
	inc := incident.Of(dana.Case())
	must(inc.MoveTo(incident.StageAssess, "triage"))(t)
	check(t, inc.Classify(incident.ClassificationSecurityIncident, "customer data left the network"))
	must(inc.SetSeverity(incident.SeverityHigh, incident.SeverityCriteria{Privacy: incident.PrivacyImminent}, "customer data"))(t)
	must(inc.SetPriority(0, incident.PriorityFactors{Functional: incident.FunctionalLow, Informational: incident.InformationalPrivacy,
		Recoverability: incident.RecoverySupplemented}, "privacy"))(t)
	must(inc.AssignRole(casefile.RoleSecurityIncidentManager, "Dana Quartermain", "on call"))(t)
	must(inc.MoveTo(incident.StageDiagnose, "assessed"))(t)
	must(inc.MoveTo(incident.StageStabilize, "contained"))(t)

	if got, want := closeRefusal(t, dana), "the notification track is started but the Executive Incident Manager has not decided whether a breach is declared; "+
		"record the decision ('custodiactl declare CASE --reason TEXT', or with --no-breach)"; got != want {
		t.Fatalf("undecided:\n got %q\nwant %q", got, want)
	}
	eve := reopen(t, dana, path, evePass)
	must(eve.DeclareNoBreach("no personal data was readable"))(t)
	if got := closeRefusal(t, eve); got != "" {
		t.Fatalf("no breach declared, still refused: %q", got)
	}
	must(eve.Declare("the records were readable after all"))(t)
	if got, want := closeRefusal(t, eve), "a breach is declared but no notification regime is chosen; choose those that apply "+
		"('notification regimes CASE --set gdpr,... --reason TEXT', or --set '' with the reason none applies)"; got != want {
		t.Fatalf("no regimes:\n got %q\nwant %q", got, want)
	}

	dana = reopen(t, eve, path, danaPass)
	must(dana.SetRegimes([]string{"gdpr"}, "EU data subjects"))(t)
	if got, want := closeRefusal(t, dana), "a breach is declared and 2 notification obligation(s) are not met: "+
		"gdpr/authority Notify the supervisory authority (running, due 2026-11-28T14:00:00Z); "+
		"gdpr/data-subjects Communicate to the data subjects without undue delay (running, no fixed deadline); "+
		"send each notice and record it with the obligation it meets ('notice sent --obligation'), record a law-enforcement delay "+
		"where the regime allows one, or record that the obligation does not apply ('notification regimes --not-required')"; got != want {
		t.Fatalf("declared:\n got %q\nwant %q", got, want)
	}

	// The data subjects need no communication: the risk is not high.
	if _, err := dana.SetApplicability([]string{"gdpr"}, []ObligationRef{{"gdpr", "media"}}, "x"); message(err) !=
		`EU GDPR (gdpr) has no obligation "media"; its obligations are authority, data-subjects` {
		t.Fatalf("unknown obligation: %q", message(err))
	}
	if _, err := dana.SetApplicability([]string{"gdpr"}, []ObligationRef{{"hipaa", "media"}}, "x"); message(err) !=
		"obligation hipaa/media: the regime hipaa is not among those chosen (gdpr); choose it too, or leave the obligation out" {
		t.Fatalf("obligation of another regime: %q", message(err))
	}
	if _, err := ParseObligationRef("gdpr"); message(err) != `obligation "gdpr": write it regime/obligation, e.g. hipaa/media ('notification clocks' lists them)` {
		t.Fatalf("parse: %q", message(err))
	}
	rc := must(dana.SetApplicability([]string{"gdpr"}, []ObligationRef{{"gdpr", "data-subjects"}}, "encrypted at rest: no high risk to the data subjects (Art. 34(3)(a))"))(t)
	if len(rc.NotRequired) != 1 || rc.NotRequired[0].String() != "gdpr/data-subjects" {
		t.Fatalf("choice %+v", rc)
	}
	es := must(dana.Case().Entries())(t)
	if e := es[len(es)-1]; e.Action != ActionRegimesSet || e.Details["not_required"] != "gdpr/data-subjects" || e.Details["regimes"] != "gdpr" {
		t.Fatalf("entry %+v", e)
	}
	// Choosing the regimes again keeps the decision while gdpr stays chosen.
	must(dana.SetRegimes([]string{"gdpr", "nis2"}, "also an essential entity"))(t)
	must(dana.SetRegimes([]string{"gdpr"}, "not an essential entity after all"))(t)
	cs := must(dana.Clocks(now))(t)
	if len(cs) != 2 || cs[0].Status != regime.Running || cs[1].Obligation != "data-subjects" || cs[1].Status != regime.NotRequired {
		t.Fatalf("clocks %+v", cs)
	}
	if got := closeRefusal(t, dana); !strings.Contains(got, "1 notification obligation(s) are not met: gdpr/authority ") {
		t.Fatalf("after not-required: %q", got)
	}

	// The authority is notified: nothing holds up closing any more.
	cora := reopen(t, dana, path, coraPass)
	n := must(cora.DraftNotice(NewNotice{Audience: AudienceCustomer, Regime: "gdpr", Customer: "C-1001", From: sender, Reason: "draft"}))(t)
	nc := n.NoticeContent
	nc.Body = strings.NewReplacer(
		"[to be completed: the name and contact details of the data protection officer or other contact point where more information can be obtained]", "dpo@custodia-corp.example",
		"[to be completed: the likely consequences of the personal data breach]", "Phishing.",
		"[to be completed: the measures taken or proposed to address the breach, including measures to mitigate its possible adverse effects]", "Sessions revoked.",
	).Replace(nc.Body)
	n = must(cora.EditNotice(n.ID, nc, "completed"))(t)
	eve = reopen(t, cora, path, evePass)
	must(eve.ApproveNotice(n.ID, "reviewed"))(t)
	cora = reopen(t, eve, path, coraPass)
	must(cora.MarkSent(n.ID, NewSending{At: now, Channel: "email", Obligation: "authority", Reason: "sent"}))(t)
	if got := closeRefusal(t, cora); got != "" {
		t.Fatalf("every obligation met, still refused: %q", got)
	}
}
