package incident

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
)

// TestApplyIsOneTransactionAndOneEntry: several changes commit together as
// one custody entry, or, when one is refused, not at all.
func TestApplyIsOneTransactionAndOneEntry(t *testing.T) {
	clock := casefile.TestTime
	path := createTestCase(t)
	c := openAs(t, path, testPass, "", &clock)
	check(t, c.SetExercise(ExerciseTabletop, "Thursday's drill"))
	head, _ := c.Head()

	// The third change is refused (an exercise is no security incident): none is made.
	err := c.Apply("triage",
		SummaryChange{Summary: "half-applied?"},
		SeverityChange{Severity: SeverityHigh, Criteria: SeverityCriteria{Privacy: PrivacyPossible}, Rationale: "possible exposure"},
		ClassifyChange{Classification: ClassificationSecurityIncident, Rationale: "real exfiltration"})
	if !errors.Is(err, ErrExerciseIncident) || !strings.HasPrefix(err.Error(), "update incident: classify: ") {
		t.Fatalf("refused set: %v", err)
	}
	if h, _ := c.Head(); h != head {
		t.Fatalf("a refused set appended %d entries", h-head)
	}
	inc := must(c.Incident())(t)
	if inc.Summary != "" || inc.Severity != nil || inc.Classification.Classification != ClassificationUndetermined {
		t.Fatalf("a refused set changed the incident: %+v", inc)
	}

	// In order, each change sees the ones before it: the exercise mark is
	// cleared first, so the classification is allowed.
	check(t, c.Apply("it was not a drill",
		ExerciseChange{Kind: ExerciseNone, Rationale: "real traffic"},
		ClassifyChange{Classification: ClassificationSecurityIncident, Rationale: "real exfiltration"},
		SummaryChange{Summary: "Rows left through the VPN."},
		AwarenessChange{At: clock.Add(-time.Hour), Rationale: "SOC call"}))
	if h, _ := c.Head(); h != head+1 {
		t.Fatalf("the set appended %d entries, want 1", h-head)
	}
	es := must(c.Entries())(t)
	e := es[len(es)-1]
	if e.Action != ActionIncidentUpdated || e.Reason != "it was not a drill" ||
		e.Details["changes"] != "incident.exercise-set,incident.classified,incident.summary-set,incident.awareness-recorded" ||
		e.Details["incident.classified.classification"] != "security-incident" || e.Details["incident.exercise-set.exercise"] != "none" ||
		e.Hashes["incident.summary-set.summary_sha256"] != casefile.ContentHash([]byte("Rows left through the VPN.")) {
		t.Fatalf("entry %+v", e)
	}
	inc = must(c.Incident())(t)
	if inc.Exercise != ExerciseNone || inc.Classification.Classification != ClassificationSecurityIncident ||
		inc.Summary != "Rows left through the VPN." || inc.Awareness == nil {
		t.Fatalf("incident %+v", inc)
	}
	// One incident revision for the three record changes, one classification row.
	if hist := must(c.ClassificationHistory())(t); len(hist) != 1 {
		t.Fatalf("%d classification decisions", len(hist))
	}
	if err := c.Apply("nothing"); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("an empty set: %v", err)
	}
	// A single change records its own action, with the set's reason when it has none of its own.
	check(t, c.Apply("from the ticket", SummaryChange{Summary: "Rows left through the VPN to 203.0.113.9."}))
	es = must(c.Entries())(t)
	if e := es[len(es)-1]; e.Action != ActionIncidentSummary || e.Reason != "from the ticket" {
		t.Fatalf("single change entry %+v", e)
	}
}
