package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
)

// incidentSet holds the flags of 'incident set'.
type incidentSet struct {
	classification casefile.Classification
	exercise       casefile.ExerciseKind
	noExercise     bool
	severity       int
	criteria       casefile.SeverityCriteria // only the fields whose flags were given count
	regions        stringList
	services       stringList
	regulations    stringList
	priority       int
	factors        casefile.PriorityFactors // only the factors whose flags were given count
	detection      casefile.Detection       // only the fields whose flags were given count
	aware          bool
	awareAt        time.Time
	summary        string
	nextSteps      stringList
	noNextSteps    bool
	related        stringList
	unrelated      stringList
	given          map[string]bool // the flags given
}

// The flags of each kind of change.
var (
	severityFlags  = []string{"severity", "privacy", "tenants", "impact", "scope", "region", "service", "severity-details", "regulation"}
	priorityFlags  = []string{"priority", "functional-impact", "informational-impact", "recoverability"}
	detectionFlags = []string{"detection-source", "detected-at", "detection-detail"}
	// changeFlags are every flag that changes something.
	changeFlags = append(append(append([]string{"classification", "exercise", "no-exercise", "aware", "aware-at", "summary",
		"next-step", "no-next-steps", "related", "unrelated"}, severityFlags...), priorityFlags...), detectionFlags...)
)

func (s *incidentSet) define(fs *flag.FlagSet) {
	fs.Var(newChoice(&s.classification, "classification", classificationChoices, classificationAliases), "classification",
		"classify the event: `CLASS` security (a security incident), non-security or undetermined")
	fs.Var(optionalChoice[casefile.ExerciseKind]{newChoice(&s.exercise, "exercise kind", casefile.ExerciseKinds,
		map[string]casefile.ExerciseKind{"none": casefile.ExerciseNone}), casefile.ExerciseOther},
		"exercise", "mark the case as an exercise (red team, tabletop): bare for other-drill, or --exercise=KIND with red-team, tabletop or other-drill")
	fs.BoolVar(&s.noExercise, "no-exercise", false, "clear the exercise mark: the case is a real event")
	fs.Var(&levelValue{n: &s.severity, what: "severity"}, "severity",
		"set the severity `LEVEL`: 1 Critical, 2 High, 3 Medium, 4 Low; default the level the criteria suggest")
	fs.Var(newChoice(&s.criteria.Privacy, "privacy risk", casefile.PrivacyRisks, nil), "privacy",
		"severity criterion: the `RISK` to customer data, none, possible, imminent or confirmed")
	fs.Var(&tenantsValue{n: &s.criteria.AffectedTenants}, "tenants", "severity criterion: the number `N` of affected tenants, or unknown")
	fs.StringVar(&s.criteria.Impact, "impact", "", "severity criterion: what the incident does or threatens, `TEXT`")
	fs.StringVar(&s.criteria.Scope, "scope", "", "severity criterion: its scope, `TEXT`, e.g. \"one storage cluster\"")
	fs.Var(&s.regions, "region", "severity criterion: an affected `REGION`; repeat the flag for several")
	fs.Var(&s.services, "service", "severity criterion: an affected `SERVICE`; repeat the flag for several")
	fs.StringVar(&s.criteria.Details, "severity-details", "", "severity criterion: details of the incident that bear on severity, `TEXT`")
	fs.Var(&s.regulations, "regulation", "severity criterion: a customer industry or market `REGULATION` that applies, e.g. GDPR or HIPAA; repeat the flag for several")
	fs.Var(&levelValue{n: &s.priority, what: "priority"}, "priority",
		"set the priority `LEVEL`: 1 Critical, 2 High, 3 Medium, 4 Low; default the level the factors suggest")
	fs.Var(newChoice(&s.factors.Functional, "functional impact", casefile.FunctionalImpacts, nil), "functional-impact",
		"priority factor: the effect on business functions, `IMPACT` none, low, medium or high")
	fs.Var(newChoice(&s.factors.Informational, "informational impact", casefile.InformationalImpacts, nil), "informational-impact",
		"priority factor: the effect on information, `IMPACT` none, proprietary-breach, privacy-breach or integrity-loss")
	fs.Var(newChoice(&s.factors.Recoverability, "recoverability", casefile.Recoverabilities, nil), "recoverability",
		"priority factor: the effort recovery takes, `R` regular, supplemented, extended or not-recoverable")
	fs.Var(newChoice(&s.detection.Source, "detection source", casefile.DetectionSources,
		map[string]casefile.DetectionSource{"unknown": casefile.DetectionUnknown}), "detection-source",
		"what triggered the investigation, `SOURCE`: "+orList(casefile.DetectionSources)+", or unknown")
	fs.Var(&timeValue{t: &s.detection.DetectedAt}, "detected-at", "when the event was detected, an RFC 3339 `TIME`")
	fs.StringVar(&s.detection.Detail, "detection-detail", "", "the alert name, ticket number or other `TEXT` about the detection")
	fs.BoolVar(&s.aware, "aware", false, "record that the organization is aware of a (possible) breach, at --aware-at or now")
	fs.Var(&timeValue{t: &s.awareAt}, "aware-at", "with --aware: when the organization became aware, an RFC 3339 `TIME`")
	fs.StringVar(&s.summary, "summary", "", "a brief description of the incident and its potential impact, `TEXT`")
	fs.Var(&s.nextSteps, "next-step", "a recommended next step, `TEXT`; repeat the flag for several; replaces the recorded list")
	fs.BoolVar(&s.noNextSteps, "no-next-steps", false, "clear the recommended next steps")
	fs.Var(&s.related, "related", "link the incident with the case number `NUMBER`; repeat the flag for several")
	fs.Var(&s.unrelated, "unrelated", "remove the link to the incident with the case number `NUMBER`")
}

// anyGiven reports whether any of the flags names was given.
func (s *incidentSet) anyGiven(names ...string) bool {
	for _, n := range names {
		if s.given[n] {
			return true
		}
	}
	return false
}

// check checks the flags together, before any passphrase is asked for.
func (s *incidentSet) check(inv *invocation, reason string) error {
	if !s.anyGiven(changeFlags...) {
		return inv.usagef("nothing to set: give at least one of --classification, --severity, --priority, --summary, --exercise, --detection-source, --aware, --next-step, --related or the other flags in 'custodiactl help incident set'")
	}
	switch {
	case s.given["exercise"] && s.given["no-exercise"]:
		return inv.usagef("give --exercise or --no-exercise, not both")
	case s.given["aware-at"] && !s.aware:
		return inv.usagef("--aware-at needs --aware: awareness is a decision, recorded only when asked for")
	case s.given["next-step"] && s.noNextSteps:
		return inv.usagef("give --next-step or --no-next-steps, not both")
	case s.given["exercise"] && s.exercise != casefile.ExerciseNone && s.given["classification"] &&
		s.classification == casefile.ClassificationSecurityIncident:
		return inv.usagef("--exercise %s and --classification security contradict each other: an exercise is never a security incident", s.exercise)
	case s.given["detected-at"] && s.given["aware-at"] && s.awareAt.Before(s.detection.DetectedAt):
		return inv.usagef("--aware-at %s is before --detected-at %s: awareness cannot precede detection",
			textTime(s.awareAt), textTime(s.detection.DetectedAt))
	}
	var needRationale []string
	for _, n := range []string{"classification", "exercise", "no-exercise"} {
		if s.given[n] {
			needRationale = append(needRationale, "--"+n)
		}
	}
	if s.anyGiven(severityFlags...) {
		needRationale = append(needRationale, "a severity rating")
	}
	if s.anyGiven(priorityFlags...) {
		needRationale = append(needRationale, "a priority rating")
	}
	if len(needRationale) > 0 && strings.TrimSpace(reason) == "" {
		return inv.usagef("--reason is required with %s: it is recorded as the rationale", strings.Join(needRationale, ", "))
	}
	texts := []struct {
		flag, v  string
		max      int
		required bool
		oneLine  bool
	}{
		{"--summary", s.summary, casefile.MaxTextLen, false, false},
		{"--detection-detail", s.detection.Detail, casefile.MaxTextLen, false, false},
		{"--impact", s.criteria.Impact, casefile.MaxTextLen, false, false},
		{"--scope", s.criteria.Scope, casefile.MaxTextLen, false, false},
		{"--severity-details", s.criteria.Details, casefile.MaxTextLen, false, false},
	}
	for _, l := range []struct {
		flag   string
		values []string
		max    int
	}{
		{"--region", s.regions, casefile.MaxShortFieldLen}, {"--service", s.services, casefile.MaxShortFieldLen},
		{"--regulation", s.regulations, casefile.MaxShortFieldLen}, {"--related", s.related, casefile.MaxShortFieldLen},
		{"--unrelated", s.unrelated, casefile.MaxShortFieldLen}, {"--next-step", s.nextSteps, casefile.MaxTextLen},
	} {
		for _, v := range l.values {
			texts = append(texts, struct {
				flag, v  string
				max      int
				required bool
				oneLine  bool
			}{l.flag, v, l.max, true, l.flag != "--next-step"})
		}
	}
	for _, t := range texts {
		if err := inv.checkText(t.flag, t.v, t.max, t.required, t.oneLine); err != nil {
			return err
		}
	}
	return nil
}

// incidentChange is one change 'incident set' makes: apply makes it and
// returns what to print; action is its custody entry's action.
type incidentChange struct {
	action casefile.Action
	apply  func() (string, error)
}

func runIncidentSet(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	var s incidentSet
	s.define(fs)
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	s.given = flagsSet(fs)
	reason := string(cf.reason)
	if err := s.check(inv, reason); err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		changes, err := s.plan(c, reason)
		if err != nil {
			return err
		}
		for i, ch := range changes {
			text, err := ch.apply()
			if err != nil {
				return partlyApplied(incidentHint(err), i)
			}
			fmt.Fprintln(inv.stdout, text)
			writeRecordedHead(inv.stdout, c, ch.action)
		}
		return nil
	})
}

// plan reads the incident record and returns the changes to make, in
// order. Everything that can be checked before the first change is.
func (s *incidentSet) plan(c *casefile.Case, reason string) ([]incidentChange, error) {
	inc, err := c.Incident()
	if err != nil {
		return nil, err
	}
	var out []incidentChange
	add := func(action casefile.Action, apply func() (string, error)) {
		out = append(out, incidentChange{action, apply})
	}
	setExercise := func() (string, error) {
		if err := c.SetExercise(s.exercise, reason); err != nil {
			return "", err
		}
		if s.exercise == casefile.ExerciseNone {
			return "exercise: none (a real event)", nil
		}
		return "exercise: " + string(s.exercise), nil
	}
	clearExercise := s.noExercise || (s.given["exercise"] && s.exercise == casefile.ExerciseNone)
	// casefile refuses an exercise classified as a security incident; find
	// out now, before the first change, rather than halfway through.
	class, exercise := inc.Classification.Classification, inc.Exercise
	if s.given["classification"] {
		class = s.classification
	}
	if clearExercise {
		exercise = casefile.ExerciseNone
	} else if s.given["exercise"] {
		exercise = s.exercise
	}
	if exercise != casefile.ExerciseNone && class == casefile.ClassificationSecurityIncident {
		return nil, withHint(fmt.Errorf("%w: the case is marked as an exercise (%s) and would be classified as a security incident", casefile.ErrExerciseIncident, exercise),
			casefile.Hint(casefile.ErrExerciseIncident)+"; nothing was changed")
	}
	if clearExercise {
		s.exercise = casefile.ExerciseNone
		add(casefile.ActionIncidentExercise, setExercise)
	}
	if s.anyGiven(detectionFlags...) {
		d := inc.Detection
		if s.given["detection-source"] {
			d.Source = s.detection.Source
		}
		if s.given["detected-at"] {
			d.DetectedAt = s.detection.DetectedAt
		}
		if s.given["detection-detail"] {
			d.Detail = s.detection.Detail
		}
		add(casefile.ActionIncidentDetection, func() (string, error) {
			if err := c.SetDetection(d, reason); err != nil {
				return "", err
			}
			text := "detection: " + orUnknown(string(d.Source))
			if !d.DetectedAt.IsZero() {
				text += ", detected " + textTime(d.DetectedAt)
			}
			return text, nil
		})
	}
	if s.aware {
		add(casefile.ActionIncidentAwareness, func() (string, error) {
			if err := c.RecordAwareness(s.awareAt, reason); err != nil {
				return "", err
			}
			inc, err := c.Incident()
			if err != nil || inc.Awareness == nil {
				return "awareness: recorded", err
			}
			return "awareness: " + textTime(inc.Awareness.AwareAt), nil
		})
	}
	if s.given["classification"] {
		add(casefile.ActionIncidentClassified, func() (string, error) {
			if err := c.Classify(s.classification, reason); err != nil {
				return "", err
			}
			return "classification: " + s.classification.Title(), nil
		})
	}
	if s.given["exercise"] && !clearExercise {
		add(casefile.ActionIncidentExercise, setExercise)
	}
	if s.anyGiven(severityFlags...) {
		sc, err := s.severityCriteria(inc.Severity)
		if err != nil {
			return nil, err
		}
		add(casefile.ActionIncidentSeverity, func() (string, error) {
			r, err := c.SetSeverity(casefile.Severity(s.severity), sc, reason)
			return "severity: " + severityText(r), err
		})
	}
	if s.anyGiven(priorityFlags...) {
		pf, err := s.priorityFactors(inc.Priority)
		if err != nil {
			return nil, err
		}
		add(casefile.ActionIncidentPriority, func() (string, error) {
			r, err := c.SetPriority(casefile.Priority(s.priority), pf, reason)
			return "priority: " + priorityText(r), err
		})
	}
	if s.given["summary"] {
		add(casefile.ActionIncidentSummary, func() (string, error) {
			return fmt.Sprintf("summary: %s", plural(len(s.summary), "byte", "bytes")), c.SetSummary(s.summary, reason)
		})
	}
	if s.given["next-step"] || s.noNextSteps {
		add(casefile.ActionIncidentNextSteps, func() (string, error) {
			return "next steps: " + count(len(s.nextSteps)), c.SetNextSteps(s.nextSteps, reason)
		})
	}
	for _, num := range s.related {
		add(casefile.ActionIncidentRelated, func() (string, error) {
			return "related: " + printable(strings.TrimSpace(num), false) + " linked",
				c.AddRelatedIncident(casefile.RelatedIncident{CaseNumber: num}, reason)
		})
	}
	for _, num := range s.unrelated {
		add(casefile.ActionIncidentUnrelated, func() (string, error) {
			return "related: " + printable(strings.TrimSpace(num), false) + " unlinked", c.RemoveRelatedIncident(num, reason)
		})
	}
	return out, nil
}

// severityCriteria are the recorded criteria of prev (nil before the first
// rating) with the criteria flags given applied.
func (s *incidentSet) severityCriteria(prev *casefile.SeverityRating) (casefile.SeverityCriteria, error) {
	sc := casefile.SeverityCriteria{AffectedTenants: casefile.TenantsUnknown}
	if prev != nil {
		sc = prev.Criteria
	}
	g, in := s.given, s.criteria
	if g["privacy"] {
		sc.Privacy = in.Privacy
	}
	if g["tenants"] {
		sc.AffectedTenants = in.AffectedTenants
	}
	if g["impact"] {
		sc.Impact = in.Impact
	}
	if g["scope"] {
		sc.Scope = in.Scope
	}
	if g["severity-details"] {
		sc.Details = in.Details
	}
	if g["region"] {
		sc.Regions = s.regions
	}
	if g["service"] {
		sc.Services = s.services
	}
	if g["regulation"] {
		sc.Regulations = s.regulations
	}
	if sc.Privacy == "" {
		return sc, withHint(errors.New("set severity: the first severity rating needs --privacy: the criteria are recorded with it"),
			"say what risk customer data is at with --privacy none, possible, imminent or confirmed; nothing was changed")
	}
	return sc, nil
}

// priorityFactors are the recorded factors of prev (nil before the first
// rating) with the factor flags given applied.
func (s *incidentSet) priorityFactors(prev *casefile.PriorityRating) (casefile.PriorityFactors, error) {
	var pf casefile.PriorityFactors
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
		if s.given[f.flag] {
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
// where casefile's own hint does not say it.
func incidentHint(err error) error {
	if errors.Is(err, casefile.ErrInvalid) && hintFor(err) == "" {
		return withHint(err, "'custodiactl incident show' shows the record as it is now")
	}
	return err
}
