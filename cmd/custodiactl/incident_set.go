package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// incidentSetFlags are the flags of 'incident set'.
var incidentSetFlags = []flagDef{
	{name: "classification", value: choice("classification", classificationChoices, classificationAliases),
		usage: "classify the event: `CLASS` security (a security incident), non-security or undetermined"},
	{name: "exercise", value: func() flag.Value {
		return optionalChoice[incident.ExerciseKind]{&choiceValue[incident.ExerciseKind]{what: "exercise kind", choices: incident.ExerciseKinds,
			aliases: map[string]incident.ExerciseKind{"none": incident.ExerciseNone}}, incident.ExerciseOther}
	}, usage: "mark the case as an exercise (red team, tabletop): bare for other-drill, or --exercise=KIND with red-team, tabletop or other-drill"},
	{name: "no-exercise", isBool: true, usage: "clear the exercise mark: the case is a real event"},
	{name: "severity", value: level("severity"),
		usage: "set the severity `LEVEL`: 1 Critical, 2 High, 3 Medium, 4 Low; default the level the criteria suggest"},
	{name: "privacy", value: choice("privacy risk", incident.PrivacyRisks, nil),
		usage: "severity criterion: the `RISK` to customer data, none, possible, imminent or confirmed"},
	{name: "tenants", value: newValue[tenantsValue](), usage: "severity criterion: the number `N` of affected tenants, or unknown"},
	{name: "impact", max: casefile.MaxTextLen, usage: "severity criterion: what the incident does or threatens, `TEXT`"},
	{name: "scope", max: casefile.MaxTextLen, usage: "severity criterion: its scope, `TEXT`, e.g. \"one storage cluster\""},
	{name: "region", repeat: true, max: casefile.MaxShortFieldLen, line: true, nonBlank: true, usage: "severity criterion: an affected `REGION`"},
	{name: "service", repeat: true, max: casefile.MaxShortFieldLen, line: true, nonBlank: true, usage: "severity criterion: an affected `SERVICE`"},
	{name: "severity-details", max: casefile.MaxTextLen, usage: "severity criterion: details of the incident that bear on severity, `TEXT`"},
	{name: "regulation", repeat: true, max: casefile.MaxShortFieldLen, line: true, nonBlank: true,
		usage: "severity criterion: a customer industry or market `REGULATION` that applies, e.g. GDPR or HIPAA"},
	{name: "priority", value: level("priority"),
		usage: "set the priority `LEVEL`: 1 Critical, 2 High, 3 Medium, 4 Low; default the level the factors suggest"},
	{name: "functional-impact", value: choice("functional impact", incident.FunctionalImpacts, nil),
		usage: "priority factor: the effect on business functions, `IMPACT` none, low, medium or high"},
	{name: "informational-impact", value: choice("informational impact", incident.InformationalImpacts, nil),
		usage: "priority factor: the effect on information, `IMPACT` none, proprietary-breach, privacy-breach or integrity-loss"},
	{name: "recoverability", value: choice("recoverability", incident.Recoverabilities, nil),
		usage: "priority factor: the effort recovery takes, `R` regular, supplemented, extended or not-recoverable"},
	{name: "detection-source", value: choice("detection source", incident.DetectionSources,
		map[string]incident.DetectionSource{"unknown": incident.DetectionUnknown}),
		usage: "what triggered the investigation, `SOURCE`: " + orList(incident.DetectionSources) + ", or unknown"},
	{name: "detected-at", value: newValue[timeValue](), usage: "when the event was detected, an RFC 3339 `TIME`"},
	{name: "detection-detail", max: casefile.MaxTextLen, usage: "the alert name, ticket number or other `TEXT` about the detection"},
	{name: "aware", isBool: true, usage: "record that the organization is aware of a (possible) breach, at --aware-at or now"},
	{name: "aware-at", value: newValue[timeValue](), usage: "with --aware: when the organization became aware, an RFC 3339 `TIME`"},
	{name: "summary", max: casefile.MaxTextLen, usage: "a brief description of the incident and its potential impact, `TEXT`"},
	{name: "next-step", repeat: true, max: casefile.MaxTextLen, nonBlank: true,
		usage: "a recommended next step, `TEXT`; replaces the recorded list"},
	{name: "no-next-steps", isBool: true, usage: "clear the recommended next steps"},
	{name: "related", repeat: true, max: casefile.MaxShortFieldLen, line: true, nonBlank: true,
		usage: "link the incident with the case number `NUMBER`"},
	{name: "unrelated", repeat: true, max: casefile.MaxShortFieldLen, line: true, nonBlank: true,
		usage: "remove the link to the incident with the case number `NUMBER`"},
}

// incidentSet is what 'incident set' was asked to change.
type incidentSet struct {
	in             *call
	classification incident.Classification
	exercise       incident.ExerciseKind
	noExercise     bool
	severity       int
	criteria       incident.SeverityCriteria // only the fields whose flags were given count
	priority       int
	factors        incident.PriorityFactors // only the factors whose flags were given count
	detection      incident.Detection       // only the fields whose flags were given count
	aware          bool
	awareAt        time.Time
	summary        string
	nextSteps      []string
	noNextSteps    bool
	related        []string
	unrelated      []string
}

// The flags of each kind of change.
var (
	severityFlags  = []string{"severity", "privacy", "tenants", "impact", "scope", "region", "service", "severity-details", "regulation"}
	priorityFlags  = []string{"priority", "functional-impact", "informational-impact", "recoverability"}
	detectionFlags = []string{"detection-source", "detected-at", "detection-detail"}
)

func incidentSetOf(in *call) *incidentSet {
	return &incidentSet{
		in:             in,
		classification: valueOf[incident.Classification](in, "classification"),
		exercise:       valueOf[incident.ExerciseKind](in, "exercise"),
		noExercise:     in.on("no-exercise"),
		severity:       valueOf[int](in, "severity"),
		criteria: incident.SeverityCriteria{
			Privacy: valueOf[incident.PrivacyRisk](in, "privacy"), AffectedTenants: valueOf[int](in, "tenants"),
			Impact: in.text("impact"), Scope: in.text("scope"), Details: in.text("severity-details"),
			Regions: in.texts("region"), Services: in.texts("service"), Regulations: in.texts("regulation"),
		},
		priority: valueOf[int](in, "priority"),
		factors: incident.PriorityFactors{
			Functional:     valueOf[incident.FunctionalImpact](in, "functional-impact"),
			Informational:  valueOf[incident.InformationalImpact](in, "informational-impact"),
			Recoverability: valueOf[incident.Recoverability](in, "recoverability"),
		},
		detection: incident.Detection{Source: valueOf[incident.DetectionSource](in, "detection-source"),
			DetectedAt: valueOf[time.Time](in, "detected-at"), Detail: in.text("detection-detail")},
		aware:       in.on("aware"),
		awareAt:     valueOf[time.Time](in, "aware-at"),
		summary:     in.text("summary"),
		nextSteps:   in.texts("next-step"),
		noNextSteps: in.on("no-next-steps"),
		related:     in.texts("related"),
		unrelated:   in.texts("unrelated"),
	}
}

// given reports whether the flag name was given.
func (s *incidentSet) given(name string) bool { return s.in.given(name) }

// checkIncidentSet checks the flags together, before any passphrase is
// asked for.
func checkIncidentSet(in *call) error {
	s := incidentSetOf(in)
	var names []string
	for _, d := range incidentSetFlags {
		names = append(names, d.name)
	}
	if !in.anyGiven(names...) {
		return in.usagef("nothing to set: give at least one of --classification, --severity, --priority, --summary, --exercise, --detection-source, --aware, --next-step, --related or the other flags in 'custodiactl help incident set'")
	}
	switch {
	case s.given("exercise") && s.given("no-exercise"):
		return in.usagef("give --exercise or --no-exercise, not both")
	case s.given("aware-at") && !s.aware:
		return in.usagef("--aware-at needs --aware: awareness is a decision, recorded only when asked for")
	case s.given("next-step") && s.noNextSteps:
		return in.usagef("give --next-step or --no-next-steps, not both")
	case s.given("exercise") && s.exercise != incident.ExerciseNone && s.given("classification") &&
		s.classification == incident.ClassificationSecurityIncident:
		return in.usagef("--exercise %s and --classification security contradict each other: an exercise is never a security incident", s.exercise)
	case s.given("detected-at") && s.given("aware-at") && s.awareAt.Before(s.detection.DetectedAt):
		return in.usagef("--aware-at %s is before --detected-at %s: awareness cannot precede detection",
			textTime(s.awareAt), textTime(s.detection.DetectedAt))
	}
	var needRationale []string
	for _, n := range []string{"classification", "exercise", "no-exercise"} {
		if s.given(n) {
			needRationale = append(needRationale, "--"+n)
		}
	}
	if in.anyGiven(severityFlags...) {
		needRationale = append(needRationale, "a severity rating")
	}
	if in.anyGiven(priorityFlags...) {
		needRationale = append(needRationale, "a priority rating")
	}
	if len(needRationale) > 0 && strings.TrimSpace(in.reason) == "" {
		return in.usagef("--reason is required with %s: it is recorded as the rationale", strings.Join(needRationale, ", "))
	}
	return nil
}

func runIncidentSet(in *call, c *casefile.Case) error {
	s := incidentSetOf(in)
	inc, err := incident.Of(c).Incident()
	if err != nil {
		return err
	}
	changes, err := s.changes(inc, in.reason)
	if err != nil {
		return err
	}
	// One transaction and one custody entry for every change given: all
	// of them are recorded, or none is.
	if err := incident.Of(c).Apply(in.reason, changes...); err != nil {
		return incidentHint(err)
	}
	after, err := incident.Of(c).Incident()
	if err != nil {
		return err
	}
	for _, ch := range changes {
		fmt.Fprintln(in.stdout, changeText(ch, after))
	}
	action := incident.ActionIncidentUpdated
	if len(changes) == 1 {
		action = changeAction(changes[0])
	}
	writeRecordedHead(in.stdout, c, action)
	return nil
}

// changes returns the changes to make to inc, in the order they are made:
// clearing the exercise mark, detection, awareness, classification,
// setting an exercise mark, severity, priority, summary, next steps, and
// each related incident linked or unlinked. What needs the recorded values
// (the criteria of an earlier rating) is checked here, before anything is
// changed.
func (s *incidentSet) changes(inc incident.Incident, reason string) ([]incident.Change, error) {
	var out []incident.Change
	clearExercise := s.noExercise || (s.given("exercise") && s.exercise == incident.ExerciseNone)
	if clearExercise {
		out = append(out, incident.ExerciseChange{Kind: incident.ExerciseNone, Rationale: reason})
	}
	if s.in.anyGiven(detectionFlags...) {
		d := inc.Detection
		if s.given("detection-source") {
			d.Source = s.detection.Source
		}
		if s.given("detected-at") {
			d.DetectedAt = s.detection.DetectedAt
		}
		if s.given("detection-detail") {
			d.Detail = s.detection.Detail
		}
		out = append(out, incident.DetectionChange{Detection: d, Reason: reason})
	}
	if s.aware {
		out = append(out, incident.AwarenessChange{At: s.awareAt, Rationale: reason})
	}
	if s.given("classification") {
		out = append(out, incident.ClassifyChange{Classification: s.classification, Rationale: reason})
	}
	if s.given("exercise") && !clearExercise {
		out = append(out, incident.ExerciseChange{Kind: s.exercise, Rationale: reason})
	}
	if s.in.anyGiven(severityFlags...) {
		sc, err := s.severityCriteria(inc.Severity)
		if err != nil {
			return nil, err
		}
		out = append(out, incident.SeverityChange{Severity: incident.Severity(s.severity), Criteria: sc, Rationale: reason})
	}
	if s.in.anyGiven(priorityFlags...) {
		pf, err := s.priorityFactors(inc.Priority)
		if err != nil {
			return nil, err
		}
		out = append(out, incident.PriorityChange{Priority: incident.Priority(s.priority), Factors: pf, Rationale: reason})
	}
	if s.given("summary") {
		out = append(out, incident.SummaryChange{Summary: s.summary, Reason: reason})
	}
	if s.given("next-step") || s.noNextSteps {
		out = append(out, incident.NextStepsChange{Steps: nonNil(s.nextSteps), Reason: reason})
	}
	for _, num := range s.related {
		out = append(out, incident.RelateChange{Related: incident.RelatedIncident{CaseNumber: num}, Reason: reason})
	}
	for _, num := range s.unrelated {
		out = append(out, incident.UnrelateChange{CaseNumber: num, Reason: reason})
	}
	return out, nil
}

// changeText says what the change ch did, read from the incident record
// after it was made.
func changeText(ch incident.Change, after incident.Incident) string {
	switch ch := ch.(type) {
	case incident.ExerciseChange:
		if ch.Kind == incident.ExerciseNone {
			return "exercise: none (a real event)"
		}
		return "exercise: " + string(ch.Kind)
	case incident.DetectionChange:
		d := after.Detection
		text := "detection: " + orUnknown(string(d.Source))
		if !d.DetectedAt.IsZero() {
			text += ", detected " + textTime(d.DetectedAt)
		}
		return text
	case incident.AwarenessChange:
		if after.Awareness == nil {
			return "awareness: recorded"
		}
		return "awareness: " + textTime(after.Awareness.AwareAt)
	case incident.ClassifyChange:
		return "classification: " + ch.Classification.Title()
	case incident.SeverityChange:
		if after.Severity == nil {
			return "severity: set"
		}
		return "severity: " + severityText(*after.Severity)
	case incident.PriorityChange:
		if after.Priority == nil {
			return "priority: set"
		}
		return "priority: " + priorityText(*after.Priority)
	case incident.SummaryChange:
		return "summary: " + plural(len(ch.Summary), "byte", "bytes")
	case incident.NextStepsChange:
		return "next steps: " + count(len(ch.Steps))
	case incident.RelateChange:
		return "related: " + printable(strings.TrimSpace(ch.Related.CaseNumber), false) + " linked"
	case incident.UnrelateChange:
		return "related: " + printable(strings.TrimSpace(ch.CaseNumber), false) + " unlinked"
	}
	return fmt.Sprintf("%T", ch)
}

// changeAction is the custody action of a change made on its own.
func changeAction(ch incident.Change) casefile.Action {
	switch ch.(type) {
	case incident.ExerciseChange:
		return incident.ActionIncidentExercise
	case incident.DetectionChange:
		return incident.ActionIncidentDetection
	case incident.AwarenessChange:
		return incident.ActionIncidentAwareness
	case incident.ClassifyChange:
		return incident.ActionIncidentClassified
	case incident.SeverityChange:
		return incident.ActionIncidentSeverity
	case incident.PriorityChange:
		return incident.ActionIncidentPriority
	case incident.SummaryChange:
		return incident.ActionIncidentSummary
	case incident.NextStepsChange:
		return incident.ActionIncidentNextSteps
	case incident.RelateChange:
		return incident.ActionIncidentRelated
	case incident.UnrelateChange:
		return incident.ActionIncidentUnrelated
	}
	return incident.ActionIncidentUpdated
}

// severityCriteria are the recorded criteria of prev (nil before the first
// rating) with the criteria flags given applied.
func (s *incidentSet) severityCriteria(prev *incident.SeverityRating) (incident.SeverityCriteria, error) {
	sc := incident.SeverityCriteria{AffectedTenants: incident.TenantsUnknown}
	if prev != nil {
		sc = prev.Criteria
	}
	g, in := s.given, s.criteria
	if g("privacy") {
		sc.Privacy = in.Privacy
	}
	if g("tenants") {
		sc.AffectedTenants = in.AffectedTenants
	}
	if g("impact") {
		sc.Impact = in.Impact
	}
	if g("scope") {
		sc.Scope = in.Scope
	}
	if g("severity-details") {
		sc.Details = in.Details
	}
	if g("region") {
		sc.Regions = in.Regions
	}
	if g("service") {
		sc.Services = in.Services
	}
	if g("regulation") {
		sc.Regulations = in.Regulations
	}
	if sc.Privacy == "" {
		return sc, withHint(errors.New("set severity: the first severity rating needs --privacy: the criteria are recorded with it"),
			"say what risk customer data is at with --privacy none, possible, imminent or confirmed; nothing was changed")
	}
	return sc, nil
}

// priorityFactors are the recorded factors of prev (nil before the first
// rating) with the factor flags given applied.
func (s *incidentSet) priorityFactors(prev *incident.PriorityRating) (incident.PriorityFactors, error) {
	var pf incident.PriorityFactors
	if prev != nil {
		pf = prev.Factors
	}
	var missing []string
	for _, f := range []struct {
		flag string
		in   string
		dst  *string
	}{
		{"functional-impact", string(s.factors.Functional), (*string)(&pf.Functional)},
		{"informational-impact", string(s.factors.Informational), (*string)(&pf.Informational)},
		{"recoverability", string(s.factors.Recoverability), (*string)(&pf.Recoverability)},
	} {
		if s.given(f.flag) {
			*f.dst = f.in
		}
		if *f.dst == "" {
			missing = append(missing, "--"+f.flag)
		}
	}
	if len(missing) > 0 {
		return pf, withHint(fmt.Errorf("set priority: the first priority rating needs %s: the factors are recorded with it", strings.Join(missing, ", ")),
			"rate the functional impact, informational impact and recoverability ('custodiactl help incident set' shows the scale); nothing was changed")
	}
	return pf, nil
}

// incidentHint adds to a failed incident change what a person can do,
// and that nothing was changed: the changes of one call are made together
// or not at all.
func incidentHint(err error) error {
	hint := hintFor(err)
	if hint == "" {
		hint = "'custodiactl incident show' shows the record as it is now"
	}
	return withHint(err, hint+"; nothing was changed")
}
