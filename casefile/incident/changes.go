package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// Changes of the incident record. Each decision about the incident as a
// whole — its classification, exercise mark, detection, awareness,
// severity, priority, summary, next steps and related incidents — is a
// Change. A single method (Classify, SetSeverity…) makes one; Apply makes
// several at once, in one transaction with one custody entry, so that a
// command line setting five things either sets all five or none.

// A Change is one change of the incident record for Apply. The types of
// this file are the changes: ClassifyChange, ExerciseChange,
// DetectionChange, AwarenessChange, SeverityChange, PriorityChange,
// SummaryChange, NextStepsChange, RelateChange and UnrelateChange.
type Change interface {
	// what names the change in errors ("classify").
	what() string
	// check validates what needs no case.
	check() error
	// apply makes the change in e's transaction and returns its entry.
	apply(e *edit) (casefile.Event, error)
}

// edit is the state of the changes of one transaction: the incident record
// is read once, edited in memory by every change, and stored once.
type edit struct {
	tx     *casefile.Tx
	rec    incidentRecord
	loaded bool
	dirty  bool
}

// record returns the incident record as the changes so far left it.
func (e *edit) record() (*incidentRecord, error) {
	if !e.loaded {
		rec, err := currentRecord(e.tx)
		if err != nil {
			return nil, err
		}
		e.rec, e.loaded = rec, true
	}
	return &e.rec, nil
}

// changed returns the incident record to change, marked for storing.
func (e *edit) changed() (*incidentRecord, error) {
	rec, err := e.record()
	e.dirty = err == nil
	return rec, err
}

// ActionIncidentUpdated records several changes made together by Apply.
// Its details hold each change's details, prefixed with the change's
// action ("incident.classified.classification" = "security-incident"), and
// "changes" lists the actions in order.
const ActionIncidentUpdated casefile.Action = "incident.updated"

// Apply makes every change in one transaction, in the order given, and
// records them as one custody entry with reason: the entry of the change
// itself when there is one, else incident.updated. Each change sees the
// record as the changes before it left it; if any is refused, none is made
// and the error names it. Refused while the incident is closed.
func (s *Store) Apply(reason string, changes ...Change) error {
	_, err := s.apply("update incident", reason, changes...)
	return err
}

func (s *Store) apply(what, reason string, changes ...Change) (casefile.Event, error) {
	if len(changes) == 0 {
		return casefile.Event{}, fmt.Errorf("%s: %w", what, casefile.Invalidf("nothing to change"))
	}
	if len(changes) == 1 {
		what = changes[0].what()
	}
	for _, ch := range changes {
		if err := ch.check(); err != nil {
			return casefile.Event{}, fmt.Errorf("%s: %w", ch.what(), err)
		}
	}
	if err := casefile.CheckReason(reason); err != nil {
		return casefile.Event{}, fmt.Errorf("%s: %w", what, err)
	}
	var entry casefile.Event
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		if _, err := requireOpen(tx, "before changing its investigation record"); err != nil {
			return casefile.Event{}, err
		}
		e := &edit{tx: tx}
		events := make([]casefile.Event, 0, len(changes))
		for _, ch := range changes {
			ev, err := ch.apply(e)
			if err != nil {
				if len(changes) > 1 {
					err = fmt.Errorf("%s: %w", ch.what(), err)
				}
				return casefile.Event{}, err
			}
			if err := tx.RequireAction(ev.Action); err != nil {
				return casefile.Event{}, fmt.Errorf("%s: %w", ch.what(), err)
			}
			events = append(events, ev)
		}
		if e.dirty {
			if _, err := tx.Append(tblIncident, uuid.New(), e.rec); err != nil {
				return casefile.Event{}, err
			}
		}
		entry = mergeEvents(events, reason)
		entry.Target = target(tx)
		return entry, nil
	})
	return entry, err
}

// mergeEvents is the one custody entry of the changes' events.
func mergeEvents(events []casefile.Event, reason string) casefile.Event {
	if len(events) == 1 {
		ev := events[0]
		if ev.Reason == "" {
			ev.Reason = reason
		}
		return ev
	}
	out := casefile.Event{Action: ActionIncidentUpdated, Reason: reason, Details: map[string]string{}, Hashes: map[string]string{}}
	var names []string
	for _, ev := range events {
		names = append(names, string(ev.Action))
		for k, v := range ev.Details {
			out.Details[string(ev.Action)+"."+k] = v
		}
		for k, v := range ev.Hashes {
			out.Hashes[string(ev.Action)+"."+k] = v
		}
	}
	out.Details["changes"] = strings.Join(names, ",")
	return out
}

// ClassifyChange classifies the event, with the rationale (required). An
// exercise case cannot be classified a security incident
// (ErrExerciseIncident).
type ClassifyChange struct {
	Classification Classification
	Rationale      string
}

func (c ClassifyChange) what() string { return "classify" }

func (c ClassifyChange) check() error {
	if !c.Classification.valid() {
		return casefile.Invalidf("unknown classification %q; use %s, %s or %s", c.Classification,
			ClassificationSecurityIncident, ClassificationNotSecurityIncident, ClassificationUndetermined)
	}
	return casefile.CheckText("rationale", c.Rationale, true, casefile.MaxTextLen)
}

func (c ClassifyChange) apply(e *edit) (casefile.Event, error) {
	rec, err := e.record()
	if err != nil {
		return casefile.Event{}, err
	}
	if c.Classification == ClassificationSecurityIncident && rec.Exercise != ExerciseNone {
		return casefile.Event{}, ErrExerciseIncident.Errorf("this case is marked as an exercise (%s), and exercises are run so that no customer data is accessed — "+
			"an exercise creates no actual security incident. If real unauthorized access to customer data was found, "+
			"clear the exercise mark with the reason first, or open a separate case for it", rec.Exercise)
	}
	prev, err := classification(e.tx)
	if err != nil {
		return casefile.Event{}, err
	}
	d := ClassificationDecision{Classification: c.Classification, Rationale: c.Rationale, Attribution: e.tx.Stamp()}
	if _, err := e.tx.Append(tblClassifications, uuid.New(), d); err != nil {
		return casefile.Event{}, err
	}
	return casefile.Event{Action: ActionIncidentClassified, Reason: c.Rationale,
		Details: map[string]string{"classification": string(c.Classification), "previous": string(prev.Classification)}}, nil
}

// ExerciseChange marks the case as an exercise of the given kind, or as a
// real event with ExerciseNone; the rationale is required. A case
// classified as a security incident cannot be marked as an exercise
// (ErrExerciseIncident).
type ExerciseChange struct {
	Kind      ExerciseKind
	Rationale string
}

func (c ExerciseChange) what() string { return "set exercise" }

func (c ExerciseChange) check() error {
	if !slices.Contains(ExerciseKinds, c.Kind) {
		return casefile.Invalidf("unknown exercise kind %q; use %s, %s, %s or none", c.Kind, ExerciseRedTeam, ExerciseTabletop, ExerciseOther)
	}
	return casefile.CheckText("rationale", c.Rationale, true, casefile.MaxTextLen)
}

func (c ExerciseChange) apply(e *edit) (casefile.Event, error) {
	cl, err := classification(e.tx)
	if err != nil {
		return casefile.Event{}, err
	}
	if c.Kind != ExerciseNone && cl.Classification == ClassificationSecurityIncident {
		return casefile.Event{}, ErrExerciseIncident.Errorf("the case is classified as a security incident; an exercise creates none. " +
			"Reclassify it first if the classification was wrong")
	}
	rec, err := e.changed()
	if err != nil {
		return casefile.Event{}, err
	}
	prev := rec.Exercise
	rec.Exercise, rec.ExerciseNote = c.Kind, c.Rationale
	exercise := string(c.Kind)
	if c.Kind == ExerciseNone {
		exercise = "none"
	}
	return casefile.Event{Action: ActionIncidentExercise, Reason: c.Rationale,
		Details: map[string]string{"exercise": exercise, "previous": string(prev)}}, nil
}

// DetectionChange records how and when the event was detected. The
// detection time, when given, must not lie in the future nor after the
// recorded awareness.
type DetectionChange struct {
	Detection Detection
	Reason    string
}

func (c DetectionChange) what() string { return "set detection" }

func (c DetectionChange) check() error {
	if d := c.Detection; d.Source != DetectionUnknown && !slices.Contains(DetectionSources, d.Source) {
		return casefile.Invalidf("unknown detection source %q", d.Source)
	}
	if err := casefile.CheckText("detection detail", c.Detection.Detail, false, casefile.MaxTextLen); err != nil {
		return err
	}
	return casefile.CheckText("reason", c.Reason, false, casefile.MaxTextLen)
}

func (c DetectionChange) apply(e *edit) (casefile.Event, error) {
	rec, err := e.changed()
	if err != nil {
		return casefile.Event{}, err
	}
	d := c.Detection
	if !d.DetectedAt.IsZero() {
		if d.DetectedAt, err = casefile.CheckPast("detection time", d.DetectedAt, e.tx.Now()); err != nil {
			return casefile.Event{}, err
		}
		if rec.Awareness != nil && rec.Awareness.AwareAt.Before(d.DetectedAt) {
			return casefile.Event{}, casefile.Invalidf("detection time %s is after the recorded awareness %s; awareness cannot precede detection",
				casefile.FormatTime(d.DetectedAt), casefile.FormatTime(rec.Awareness.AwareAt))
		}
	}
	rec.Detection = d
	details := map[string]string{"source": string(d.Source)}
	if !d.DetectedAt.IsZero() {
		details["detected_at"] = casefile.FormatTime(d.DetectedAt)
	}
	return casefile.Event{Action: ActionIncidentDetection, Reason: c.Reason, Details: details}, nil
}

// AwarenessChange records that the organization became aware of a
// (possible) breach at the given time (zero means now), decided by the
// acting examiner. A later one replaces the decision; the custody ledger
// keeps every one.
type AwarenessChange struct {
	At        time.Time
	Rationale string
}

func (c AwarenessChange) what() string { return "record awareness" }

func (c AwarenessChange) check() error {
	return casefile.CheckText("rationale", c.Rationale, false, casefile.MaxTextLen)
}

func (c AwarenessChange) apply(e *edit) (casefile.Event, error) {
	rec, err := e.changed()
	if err != nil {
		return casefile.Event{}, err
	}
	at := c.At
	if at.IsZero() {
		at = e.tx.Now()
	}
	if at, err = casefile.CheckPast("awareness time", at, e.tx.Now()); err != nil {
		return casefile.Event{}, err
	}
	if det := rec.Detection.DetectedAt; !det.IsZero() && at.Before(det) {
		return casefile.Event{}, casefile.Invalidf("awareness time %s is before the detection time %s", casefile.FormatTime(at), casefile.FormatTime(det))
	}
	details := map[string]string{"aware_at": casefile.FormatTime(at)}
	if rec.Awareness != nil {
		details["previous"] = casefile.FormatTime(rec.Awareness.AwareAt)
	}
	rec.Awareness = &Awareness{AwareAt: at, Rationale: c.Rationale, Attribution: e.tx.Stamp()}
	return casefile.Event{Action: ActionIncidentAwareness, Reason: c.Rationale, Details: details}, nil
}

// SeverityChange records a severity rating with its criteria and rationale
// (required). A zero Severity takes the suggestion of the criteria.
type SeverityChange struct {
	Severity  Severity
	Criteria  SeverityCriteria
	Rationale string
	rating    *SeverityRating // filled with what was recorded, for SetSeverity
}

func (c SeverityChange) what() string { return "set severity" }

func (c SeverityChange) check() error {
	sev := c.Severity
	if sev == 0 {
		sev = c.Criteria.Suggest()
	}
	if !sev.valid() {
		return casefile.Invalidf("severity %d is outside 1 (critical) to 4 (low)", int(sev))
	}
	if err := c.Criteria.validate(); err != nil {
		return err
	}
	return casefile.CheckText("rationale", c.Rationale, true, casefile.MaxTextLen)
}

func (c SeverityChange) apply(e *edit) (casefile.Event, error) {
	cr := c.Criteria
	cr.Regions, cr.Services, cr.Regulations = slices.Clone(cr.Regions), slices.Clone(cr.Services), slices.Clone(cr.Regulations)
	sev := c.Severity
	if sev == 0 {
		sev = cr.Suggest()
	}
	prev, err := casefile.LastOf[SeverityRating](e.tx, tblSeverity)
	if err != nil {
		return casefile.Event{}, err
	}
	r := SeverityRating{Severity: sev, Suggested: cr.Suggest(), Criteria: cr, Rationale: c.Rationale, Attribution: e.tx.Stamp()}
	if _, err := e.tx.Append(tblSeverity, uuid.New(), r); err != nil {
		return casefile.Event{}, err
	}
	if c.rating != nil {
		*c.rating = r
	}
	details := map[string]string{"severity": fmt.Sprint(int(sev)), "suggested": fmt.Sprint(int(r.Suggested)),
		"privacy": string(cr.Privacy), "affected_tenants": fmt.Sprint(cr.AffectedTenants)}
	if prev != nil {
		details["previous"] = fmt.Sprint(int(prev.Severity))
	}
	return casefile.Event{Action: ActionIncidentSeverity, Reason: c.Rationale, Details: details}, nil
}

// PriorityChange records a priority rating with its factors and rationale
// (required). A zero Priority takes the suggestion of the factors.
type PriorityChange struct {
	Priority  Priority
	Factors   PriorityFactors
	Rationale string
	rating    *PriorityRating // filled with what was recorded, for SetPriority
}

func (c PriorityChange) what() string { return "set priority" }

func (c PriorityChange) check() error {
	if err := c.Factors.validate(); err != nil {
		return err
	}
	p := c.Priority
	if p == 0 {
		p = c.Factors.Suggest()
	}
	if !p.valid() {
		return casefile.Invalidf("priority %d is outside 1 (critical) to 4 (low)", int(p))
	}
	return casefile.CheckText("rationale", c.Rationale, true, casefile.MaxTextLen)
}

func (c PriorityChange) apply(e *edit) (casefile.Event, error) {
	p := c.Priority
	if p == 0 {
		p = c.Factors.Suggest()
	}
	prev, err := casefile.LastOf[PriorityRating](e.tx, tblPriority)
	if err != nil {
		return casefile.Event{}, err
	}
	r := PriorityRating{Priority: p, Suggested: c.Factors.Suggest(), Factors: c.Factors, Rationale: c.Rationale, Attribution: e.tx.Stamp()}
	if _, err := e.tx.Append(tblPriority, uuid.New(), r); err != nil {
		return casefile.Event{}, err
	}
	if c.rating != nil {
		*c.rating = r
	}
	f := c.Factors
	details := map[string]string{"priority": fmt.Sprint(int(p)), "suggested": fmt.Sprint(int(r.Suggested)),
		"functional": string(f.Functional), "informational": string(f.Informational), "recoverability": string(f.Recoverability)}
	if prev != nil {
		details["previous"] = fmt.Sprint(int(prev.Priority))
	}
	return casefile.Event{Action: ActionIncidentPriority, Reason: c.Rationale, Details: details}, nil
}

// SummaryChange replaces the incident summary: a brief description of the
// incident and its potential impact (at most casefile.MaxTextLen bytes).
type SummaryChange struct {
	Summary string
	Reason  string
}

func (c SummaryChange) what() string { return "set summary" }

func (c SummaryChange) check() error {
	if err := casefile.CheckText("summary", c.Summary, false, casefile.MaxTextLen); err != nil {
		return err
	}
	return casefile.CheckText("reason", c.Reason, false, casefile.MaxTextLen)
}

func (c SummaryChange) apply(e *edit) (casefile.Event, error) {
	rec, err := e.changed()
	if err != nil {
		return casefile.Event{}, err
	}
	rec.Summary = c.Summary
	return casefile.Event{Action: ActionIncidentSummary, Reason: c.Reason,
		Hashes:  map[string]string{"summary_sha256": casefile.ContentHash([]byte(c.Summary))},
		Details: map[string]string{"bytes": fmt.Sprint(len(c.Summary))}}, nil
}

// NextStepsChange replaces the list of recommended next steps and actions.
type NextStepsChange struct {
	Steps  []string
	Reason string
}

func (c NextStepsChange) what() string { return "set next steps" }

func (c NextStepsChange) check() error {
	if err := casefile.CheckList("next steps", len(c.Steps)); err != nil {
		return err
	}
	for i, s := range c.Steps {
		if err := casefile.CheckText(fmt.Sprintf("next step %d", i+1), s, true, casefile.MaxTextLen); err != nil {
			return err
		}
	}
	return casefile.CheckText("reason", c.Reason, false, casefile.MaxTextLen)
}

func (c NextStepsChange) apply(e *edit) (casefile.Event, error) {
	rec, err := e.changed()
	if err != nil {
		return casefile.Event{}, err
	}
	rec.NextSteps = slices.Clone(c.Steps)
	if rec.NextSteps == nil {
		rec.NextSteps = []string{}
	}
	return casefile.Event{Action: ActionIncidentNextSteps, Reason: c.Reason, Details: map[string]string{"steps": fmt.Sprint(len(c.Steps))}}, nil
}

// RelateChange links another incident by its case number.
type RelateChange struct {
	Related RelatedIncident
	Reason  string
}

func (c RelateChange) what() string { return "add related incident" }

func (c RelateChange) check() error {
	if err := casefile.CheckLine("related case number", strings.TrimSpace(c.Related.CaseNumber), true, casefile.MaxShortFieldLen); err != nil {
		return err
	}
	if err := casefile.CheckText("note", c.Related.Note, false, casefile.MaxTextLen); err != nil {
		return err
	}
	return casefile.CheckText("reason", c.Reason, false, casefile.MaxTextLen)
}

func (c RelateChange) apply(e *edit) (casefile.Event, error) {
	r := c.Related
	r.CaseNumber = strings.TrimSpace(r.CaseNumber)
	if own := strings.TrimSpace(e.tx.Info().CaseNumber); own != "" && strings.EqualFold(own, r.CaseNumber) {
		return casefile.Event{}, casefile.Invalidf("%s is this case's own number", r.CaseNumber)
	}
	rec, err := e.changed()
	if err != nil {
		return casefile.Event{}, err
	}
	for _, x := range rec.Related {
		if strings.EqualFold(x.CaseNumber, r.CaseNumber) {
			return casefile.Event{}, casefile.Invalidf("%s is already linked", x.CaseNumber)
		}
	}
	if err := casefile.CheckList("related incidents", len(rec.Related)+1); err != nil {
		return casefile.Event{}, err
	}
	rec.Related = append(rec.Related, r)
	return casefile.Event{Action: ActionIncidentRelated, Reason: c.Reason, Details: map[string]string{"case_number": r.CaseNumber}}, nil
}

// UnrelateChange unlinks the incident with the given case number.
type UnrelateChange struct {
	CaseNumber string
	Reason     string
}

func (c UnrelateChange) what() string { return "remove related incident" }

func (c UnrelateChange) check() error {
	return casefile.CheckText("reason", c.Reason, false, casefile.MaxTextLen)
}

func (c UnrelateChange) apply(e *edit) (casefile.Event, error) {
	rec, err := e.changed()
	if err != nil {
		return casefile.Event{}, err
	}
	i := slices.IndexFunc(rec.Related, func(x RelatedIncident) bool { return strings.EqualFold(x.CaseNumber, strings.TrimSpace(c.CaseNumber)) })
	if i < 0 {
		return casefile.Event{}, casefile.Invalidf("%q is not linked to this incident", c.CaseNumber)
	}
	num := rec.Related[i].CaseNumber
	rec.Related = slices.Delete(rec.Related, i, i+1)
	return casefile.Event{Action: ActionIncidentUnrelated, Reason: c.Reason, Details: map[string]string{"case_number": num}}, nil
}

// The single changes, each one transaction with its custody entry.

// Classify records a classification with its rationale (see ClassifyChange).
// Classification may change at any stage before Close; every decision is
// kept (ClassificationHistory).
func (s *Store) Classify(cl Classification, rationale string) error {
	return s.Apply("", ClassifyChange{Classification: cl, Rationale: rationale})
}

// SetExercise marks the case as an exercise, or as a real event with
// ExerciseNone (see ExerciseChange).
func (s *Store) SetExercise(kind ExerciseKind, rationale string) error {
	return s.Apply("", ExerciseChange{Kind: kind, Rationale: rationale})
}

// SetDetection records how and when the event was detected (see
// DetectionChange).
func (s *Store) SetDetection(d Detection, reason string) error {
	return s.Apply("", DetectionChange{Detection: d, Reason: reason})
}

// RecordAwareness records when the organization became aware of a
// (possible) breach (see AwarenessChange).
func (s *Store) RecordAwareness(at time.Time, rationale string) error {
	return s.Apply("", AwarenessChange{At: at, Rationale: rationale})
}

// SetSeverity records a severity rating (see SeverityChange) and returns
// it. The severity may change as the investigation continues; every rating
// is kept (SeverityHistory).
func (s *Store) SetSeverity(sev Severity, criteria SeverityCriteria, rationale string) (SeverityRating, error) {
	var r SeverityRating
	err := s.Apply("", SeverityChange{Severity: sev, Criteria: criteria, Rationale: rationale, rating: &r})
	return r, err
}

// SetPriority records a priority rating (see PriorityChange) and returns
// it. Every rating is kept (PriorityHistory).
func (s *Store) SetPriority(p Priority, factors PriorityFactors, rationale string) (PriorityRating, error) {
	var r PriorityRating
	err := s.Apply("", PriorityChange{Priority: p, Factors: factors, Rationale: rationale, rating: &r})
	return r, err
}

// SetSummary replaces the incident summary (see SummaryChange).
func (s *Store) SetSummary(summary, reason string) error {
	return s.Apply("", SummaryChange{Summary: summary, Reason: reason})
}

// SetNextSteps replaces the list of recommended next steps (see
// NextStepsChange).
func (s *Store) SetNextSteps(steps []string, reason string) error {
	return s.Apply("", NextStepsChange{Steps: steps, Reason: reason})
}

// AddRelatedIncident links another incident by its case number.
func (s *Store) AddRelatedIncident(r RelatedIncident, reason string) error {
	return s.Apply("", RelateChange{Related: r, Reason: reason})
}

// RemoveRelatedIncident unlinks the incident with the given case number.
func (s *Store) RemoveRelatedIncident(caseNumber, reason string) error {
	return s.Apply("", UnrelateChange{CaseNumber: caseNumber, Reason: reason})
}
