package notify

import (
	"errors"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

func TestTrackStartTriggersRegimes(t *testing.T) {
	path := newCase(t)
	dana := open(t, path, danaPass)
	before := head(t, dana)

	// Not started: triggers wait for it.
	_, err := dana.Trigger(TriggerMateriality, ago(time.Hour), "the board found it material")
	if !errors.Is(err, ErrNotStarted) {
		t.Fatalf("trigger before start: %v", err)
	}
	// The future is refused, naming both times.
	_, _, err = dana.Start(now.Add(time.Hour), "SOC escalation")
	if !errors.Is(err, casefile.ErrInvalid) || message(err) != "awareness time 2026-11-26T11:00:00Z is in the future (now is 2026-11-26T10:00:00Z)" {
		t.Fatalf("future awareness: %q", message(err))
	}
	if head(t, dana) != before {
		t.Fatal("refusals wrote entries")
	}
	// Awareness before the incident's detection: a warning, recorded.
	check(t, incident.Of(dana.Case()).Apply("SOC alert", incident.DetectionChange{Detection: incident.Detection{
		Source: incident.DetectionMonitorAnomaly, DetectedAt: ago(2 * time.Hour)}}))
	st, warn, err := dana.Start(ago(30*time.Hour), "customer called on the 25th")
	check(t, err)
	if warn != "the awareness time 2026-11-25T04:00:00Z is before the incident's detection time 2026-11-26T08:00:00Z; recorded as given" {
		t.Fatalf("warning %q", warn)
	}
	if st.Examiner != "Dana Quartermain" || st.Role != casefile.RoleSecurityIncidentManager || !st.AwareAt.Equal(ago(30*time.Hour)) {
		t.Fatalf("start %+v", st)
	}
	if _, _, err := dana.Start(ago(time.Hour), "again"); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("second start: %v", err)
	}
	must(dana.Trigger(TriggerMateriality, ago(time.Hour), "the board found it material"))(t)
	if _, err := dana.Trigger("hunch", ago(time.Hour), "x"); message(err) != "unknown trigger \"hunch\"; use awareness, discovery, major-classification, materiality, incident-determination, ransom-payment, assessment" {
		t.Fatalf("unknown trigger: %q", message(err))
	}
	if _, err := dana.SetRegimes([]string{"gdpr", "ccpa"}, "EU and US customers"); message(err) != "unknown regime \"ccpa\"; use gdpr, nis2, dora, sec-8k, hipaa, nydfs, cert-in, au-ndb, lgpd, sg-pdpa, in-dpdp" {
		t.Fatalf("unknown regime: %q", message(err))
	}
	must(dana.SetRegimes([]string{"gdpr", " SEC-8K", "gdpr"}, "EU customers, listed issuer"))(t)

	tr := must(dana.Track())(t)
	if tr.Start == nil || len(tr.Triggers) != 2 || tr.Triggers[0].Kind != TriggerAwareness || !tr.Current(TriggerMateriality).At.Equal(ago(time.Hour)) {
		t.Fatalf("track %+v", tr)
	}
	if len(tr.Regimes) != 2 || tr.Regimes[0] != "gdpr" || tr.Regimes[1] != "sec-8k" {
		t.Fatalf("regimes %v", tr.Regimes)
	}
	es := must(dana.Case().Entries())(t)
	last := es[len(es)-3:]
	for i, want := range []casefile.Action{ActionTrackStarted, ActionTriggerRecorded, ActionRegimesSet} {
		if last[i].Action != want || last[i].Actor != "Dana Quartermain" {
			t.Fatalf("entry %d: %s by %s, want %s", i, last[i].Action, last[i].Actor, want)
		}
	}
	if last[0].Details["warning"] != "awareness before detection" || last[1].Details["trigger"] != "materiality" || last[2].Details["regimes"] != "gdpr,sec-8k" {
		t.Fatalf("details %v %v %v", last[0].Details, last[1].Details, last[2].Details)
	}

	// A forensic engineer may not start clocks.
	fern := reopen(t, dana, path, fernPass)
	if _, err := fern.Trigger(TriggerDiscovery, ago(time.Hour), "x"); !errors.Is(err, casefile.ErrNotPermitted) {
		t.Fatalf("FE trigger: %v", err)
	}
}

func TestDeclareOnlyExecutive(t *testing.T) {
	path := newCase(t)
	dana := open(t, path, danaPass)
	must2(dana.Start(ago(time.Hour), "suspicion"))(t)
	fern := reopen(t, dana, path, fernPass)
	before := head(t, fern)
	_, err := fern.Declare("it is a breach")
	if !errors.Is(err, casefile.ErrNotPermitted) ||
		message(err) != "not permitted in your role: only the Executive Incident Manager may declare a breach, or that none is declared; Fern holds Forensic Engineer" {
		t.Fatalf("FE declares: %q", message(err))
	}
	if _, err := fern.DeclareNoBreach("nothing"); !errors.Is(err, casefile.ErrNotPermitted) {
		t.Fatalf("FE declares no breach: %v", err)
	}
	if head(t, fern) != before {
		t.Fatal("the refusal wrote an entry")
	}
	eve := reopen(t, fern, path, evePass)
	if _, err := eve.Declare(" "); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("declaration without rationale: %v", err)
	}
	must(eve.DeclareNoBreach("no personal data reached the actor"))(t)
	d := must(eve.Declare("exfiltration of customer records confirmed in finding 3"))(t)
	if !d.Breach || d.Examiner != "Eve" || d.Role != casefile.RoleExecutiveIncidentManager {
		t.Fatalf("declaration %+v", d)
	}
	tr := must(eve.Track())(t)
	if !tr.Declared() || len(tr.Declarations) != 2 {
		t.Fatalf("track %+v", tr)
	}
	es := must(eve.Case().Entries())(t)
	if e := es[len(es)-1]; e.Action != ActionBreachDeclared || e.Actor != "Eve" || e.Role != casefile.RoleExecutiveIncidentManager || e.Details["previous"] != "false" {
		t.Fatalf("entry %+v", e)
	}
}

func TestDelays(t *testing.T) {
	path := newCase(t)
	dana := open(t, path, danaPass)
	must2(dana.Start(ago(48*time.Hour), "suspicion"))(t)
	lee := reopen(t, dana, path, leePass)
	d := must(lee.RecordDelay(NewDelay{Agency: "FBI Cyber Division", Reference: "CY-2026-118", Written: true,
		From: ago(24 * time.Hour), Until: now.Add(30 * 24 * time.Hour), Reason: "written request under §164.412"}))(t)
	if d.Examiner != "Lee" || !d.Written {
		t.Fatalf("delay %+v", d)
	}
	before := head(t, lee)
	_, err := lee.RecordDelay(NewDelay{Agency: "Europol", Reference: "EC3-77", From: ago(time.Hour), Until: now.Add(24 * time.Hour), Reason: "oral request"})
	if message(err) != "the delay 2026-11-26T09:00:00Z to 2026-11-27T10:00:00Z overlaps the delay requested by FBI Cyber Division (reference CY-2026-118) from 2026-11-25T10:00:00Z to 2026-12-26T10:00:00Z; one delay at a time: record the new one from 2026-12-26T10:00:00Z" {
		t.Fatalf("overlap: %q", message(err))
	}
	if _, err := lee.RecordDelay(NewDelay{Agency: "FBI", Reference: "x\ny", Until: now.Add(time.Hour), Reason: "r"}); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("newline in reference: %v", err)
	}
	if _, err := lee.RecordDelay(NewDelay{Agency: "FBI", Reference: "x", From: ago(time.Hour), Until: ago(2 * time.Hour), Reason: "r"}); message(err) != "the delay ends (2026-11-26T08:00:00Z) before it starts (2026-11-26T09:00:00Z)" {
		t.Fatalf("backwards: %q", message(err))
	}
	if head(t, lee) != before {
		t.Fatal("refusals wrote entries")
	}
	// Back to back is no overlap.
	must(lee.RecordDelay(NewDelay{Agency: "FBI Cyber Division", Reference: "CY-2026-118/2", Written: false,
		From: now.Add(30 * 24 * time.Hour), Until: now.Add(60 * 24 * time.Hour), Reason: "extension"}))(t)
	if tr := must(lee.Track())(t); len(tr.Delays) != 2 || tr.Delays[1].ID == (tr.Delays[0].ID) {
		t.Fatalf("delays %+v", tr.Delays)
	}
}

func must2[A, B any](a A, b B, err error) func(t *testing.T) A {
	return func(t *testing.T) A {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
}
