package casefile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Every case is one incident (or suspected incident). Its record follows the
// two process documents Custodia is built on: the Azure security incident
// response white paper (roles, the five stages, emergency mitigation, the
// post-mortem, customer notification) and Microsoft's "Detection and
// analysis" article (the case record: summary, severity and priority with
// their criteria, indicators, related incidents, actions, evidence, next
// steps). The record needs no creation step: a case starts as an
// undetermined incident in Detect, and every change is a new sealed row plus
// its custody entry, so the whole history stays readable.

// Actions recorded by the incident, lifecycle, finding and post-mortem code.
const (
	ActionIncidentClassified  Action = "incident.classified"
	ActionIncidentExercise    Action = "incident.exercise-set"
	ActionIncidentDetection   Action = "incident.detection-set"
	ActionIncidentAwareness   Action = "incident.awareness-recorded"
	ActionIncidentSeverity    Action = "incident.severity-set"
	ActionIncidentPriority    Action = "incident.priority-set"
	ActionIncidentSummary     Action = "incident.summary-set"
	ActionIncidentNextSteps   Action = "incident.next-steps-set"
	ActionIncidentRelated     Action = "incident.related-added"
	ActionIncidentUnrelated   Action = "incident.related-removed"
	ActionIndicatorAdded      Action = "indicator.added"
	ActionRoleAssigned        Action = "role.assigned"
	ActionRoleReleased        Action = "role.released"
	ActionStageChanged        Action = "stage.changed"
	ActionFindingAdded        Action = "finding.added"
	ActionFindingEdited       Action = "finding.edited"
	ActionResponseRecorded    Action = "action.recorded"
	ActionMitigationRecorded  Action = "mitigation.recorded"
	ActionNotificationDecided Action = "notification.decided"
	ActionPostMortemUpdated   Action = "postmortem.updated"
	ActionRepairAdded         Action = "repair.added"
	ActionRepairUpdated       Action = "repair.updated"
	ActionRepairDone          Action = "repair.done"
)

// Target types of incident records. Changes to the incident as a whole
// (classification, severity, stage…) target TargetIncident with the case UUID.
const (
	TargetIncident   = "incident"
	TargetIndicator  = "indicator"
	TargetFinding    = "finding"
	TargetResponse   = "response-action"
	TargetMitigation = "mitigation"
	TargetPostMortem = "post-mortem"
	TargetRepairItem = "repair-item"
)

// Sentinel errors of the incident record. Test with errors.Is.
var (
	// ErrExerciseIncident means an exercise case was to be classified as a
	// security incident, or a security incident marked as an exercise.
	ErrExerciseIncident = errors.New("casefile: an exercise is never a security incident")
	// ErrIncidentClosed means the change needs an open incident: reopen it first.
	ErrIncidentClosed = errors.New("casefile: the incident is closed")
	// ErrNoSuchFinding means no finding has the given id.
	ErrNoSuchFinding = errors.New("casefile: no such finding")
	// ErrNoSuchIndicator means no indicator has the given id.
	ErrNoSuchIndicator = errors.New("casefile: no such indicator")
	// ErrNoSuchRepairItem means no repair item has the given id.
	ErrNoSuchRepairItem = errors.New("casefile: no such repair item")
)

// Classification says whether the event is a security incident: "illegal or
// unauthorized access that results in the loss, disclosure or alteration of
// Customer Data" (white paper, section 1).
type Classification string

// Classifications. A case starts undetermined.
const (
	ClassificationUndetermined        Classification = "undetermined"
	ClassificationSecurityIncident    Classification = "security-incident"
	ClassificationNotSecurityIncident Classification = "not-security-incident"
)

// Classifications lists the classifications in the order a form shows them.
var Classifications = []Classification{ClassificationUndetermined, ClassificationSecurityIncident, ClassificationNotSecurityIncident}

// Title returns the classification as people write it.
func (cl Classification) Title() string {
	switch cl {
	case ClassificationUndetermined:
		return "Undetermined"
	case ClassificationSecurityIncident:
		return "Security incident"
	case ClassificationNotSecurityIncident:
		return "Not a security incident"
	}
	return string(cl)
}

func (cl Classification) valid() bool { return slices.Contains(Classifications, cl) }

// ClassificationExample is one row of Table 1 of the white paper: an event
// and how it is classified.
type ClassificationExample struct {
	Event          string
	Classification Classification
}

// ClassificationGuidance returns the examples of Table 1 ("Security and
// non-security incident examples") for the classification form. The result
// is a fresh copy.
func ClassificationGuidance() []ClassificationExample {
	not, sec := ClassificationNotSecurityIncident, ClassificationSecurityIncident
	return []ClassificationExample{
		{"Routine response to security vulnerabilities that has not resulted in inappropriate disclosure of customer data", not},
		{"A security issue that affects the service but has not resulted in inappropriate disclosure of customer data", not},
		{"Investigation of internal alarms or monitoring alerts which are shown to be false positives", not},
		{"Operations by the organization's own Red Team", not},
		{"Security issues within a customer deployment caused by a flaw or weakness introduced by the customer (failure to patch, brute force, configuration error)", not},
		{"Denial-of-service attack (DoS) against the infrastructure or customers", not},
		{"Compliance events that do not affect confidentiality, integrity, or availability of service or customer data", not},
		{"Unauthorized access to infrastructure systems and exfiltration of customer data", sec},
		{"Unauthorized disclosure of sensitive control data, such as credentials, encryption keys, or API keys, which could be used to alter or access customer data", sec},
		{"Physical intrusion into a datacenter hosting the service which results in theft of unencrypted customer data", sec},
		{"Bug in the service's code which has resulted in malicious alteration or exposure of customer data", sec},
		{"Intrusion into a customer deployment caused by a flaw or weakness introduced by the provider's infrastructure", sec},
	}
}

// ClassificationDecision is one classification with its rationale.
type ClassificationDecision struct {
	Classification Classification `json:"classification"`
	Rationale      string         `json:"rationale"`
	Attribution
}

// ExerciseKind marks a case as an exercise. "The only difference between
// the Red Team and an outside adversary is that the Red Team is prohibited
// from actually accessing customer data, such that the Red Team should not
// create an actual security incident" — so an exercise case is never
// classified as a security incident.
type ExerciseKind string

// Exercise kinds; ExerciseNone marks a real event.
const (
	ExerciseNone     ExerciseKind = ""
	ExerciseRedTeam  ExerciseKind = "red-team"    // Red Team operation, Blue Team response
	ExerciseTabletop ExerciseKind = "tabletop"    // walk-through of a scenario
	ExerciseOther    ExerciseKind = "other-drill" // any other test of the response capability
)

// ExerciseKinds lists the exercise kinds, ExerciseNone first.
var ExerciseKinds = []ExerciseKind{ExerciseNone, ExerciseRedTeam, ExerciseTabletop, ExerciseOther}

// DetectionSource is what triggered the investigation (white paper, 2.2.1).
type DetectionSource string

// Detection sources.
const (
	DetectionUnknown           DetectionSource = ""
	DetectionCustomerReport    DetectionSource = "customer-report"               // customer support report
	DetectionVulnerability     DetectionSource = "vulnerability-report"          // reported to the security response center
	DetectionRedTeam           DetectionSource = "red-team"                      // Red Team activity
	DetectionBlueTeam          DetectionSource = "blue-team"                     // Blue Team (security response) finding
	DetectionMonitorSignature  DetectionSource = "internal-monitoring-signature" // antimalware, IDS and other signature alarms
	DetectionMonitorAnomaly    DetectionSource = "internal-monitoring-anomaly"   // profiles of expected activity, anomaly alerts
	DetectionOperatorEscalated DetectionSource = "operator-escalation"           // an operator or employee escalated it
)

// DetectionSources lists the detection sources (without DetectionUnknown).
var DetectionSources = []DetectionSource{
	DetectionCustomerReport, DetectionVulnerability, DetectionRedTeam, DetectionBlueTeam,
	DetectionMonitorSignature, DetectionMonitorAnomaly, DetectionOperatorEscalated,
}

// Detection is how and when the event was first noticed.
type Detection struct {
	Source     DetectionSource `json:"source"`
	DetectedAt time.Time       `json:"detected_at"` // zero when unknown
	Detail     string          `json:"detail"`      // e.g. the alert name or ticket number
}

// Awareness is the decision that the organization is aware of a (possible)
// breach: the instant from which regulatory clocks such as GDPR Art. 33's
// 72 hours run. Who decided is the acting examiner, recorded automatically.
type Awareness struct {
	AwareAt   time.Time `json:"aware_at"` // UTC; given by the examiner or now
	Rationale string    `json:"rationale"`
	Attribution
}

// RelatedIncident names another incident by its case number.
type RelatedIncident struct {
	CaseNumber string `json:"case_number"`
	Note       string `json:"note"`
}

// incidentRecord is one revision of the descriptive part of the incident.
type incidentRecord struct {
	Summary      string            `json:"summary"`
	Exercise     ExerciseKind      `json:"exercise"`
	ExerciseNote string            `json:"exercise_note"`
	Detection    Detection         `json:"detection"`
	Awareness    *Awareness        `json:"awareness,omitempty"`
	Related      []RelatedIncident `json:"related"`
	NextSteps    []string          `json:"next_steps"`
}

// Incident is the current view of the case's incident record.
type Incident struct {
	Stage          Stage
	Classification ClassificationDecision // Classification is undetermined before the first decision
	Exercise       ExerciseKind
	ExerciseNote   string
	Detection      Detection
	Awareness      *Awareness // nil until recorded
	Severity       *SeverityRating
	Priority       *PriorityRating
	Summary        string
	Related        []RelatedIncident
	NextSteps      []string
	Roles          []RoleHolder
	Notification   *NotificationDecision // nil until decided
}

// Incident returns the current incident record.
func (c *Case) Incident() (Incident, error) {
	var inc Incident
	err := c.read("read incident", func(ctx context.Context, q querier) error {
		rec, err := c.incidentRecord(ctx, q)
		if err != nil {
			return err
		}
		inc = Incident{Exercise: rec.Exercise, ExerciseNote: rec.ExerciseNote, Detection: rec.Detection, Awareness: rec.Awareness,
			Summary: rec.Summary, Related: rec.Related, NextSteps: rec.NextSteps}
		if inc.Stage, err = c.stage(ctx, q); err != nil {
			return err
		}
		if inc.Classification, err = c.classification(ctx, q); err != nil {
			return err
		}
		if inc.Severity, err = lastOf[SeverityRating](ctx, c, q, tblSeverity); err != nil {
			return err
		}
		if inc.Priority, err = lastOf[PriorityRating](ctx, c, q, tblPriority); err != nil {
			return err
		}
		if inc.Notification, err = lastOf[NotificationDecision](ctx, c, q, tblNotifications); err != nil {
			return err
		}
		inc.Roles, err = c.roleHolders(ctx, q)
		return err
	})
	return inc, err
}

// lastOf decodes the last row of a flat table, nil when it is empty.
func lastOf[T any](ctx context.Context, c *Case, q querier, table string) (*T, error) {
	r, ok, err := c.lastRow(ctx, q, table)
	if err != nil || !ok {
		return nil, err
	}
	v := new(T)
	return v, decodeRow(table, r, v)
}

// incidentRecord returns the current revision of the incident record, or
// the defaults of a new case.
func (c *Case) incidentRecord(ctx context.Context, q querier) (incidentRecord, error) {
	var rec incidentRecord
	r, ok, err := c.lastRow(ctx, q, tblIncident)
	if err == nil && ok {
		err = decodeRow(tblIncident, r, &rec)
	}
	if rec.Related == nil {
		rec.Related = []RelatedIncident{}
	}
	if rec.NextSteps == nil {
		rec.NextSteps = []string{}
	}
	return rec, err
}

// classification returns the current classification decision.
func (c *Case) classification(ctx context.Context, q querier) (ClassificationDecision, error) {
	d, err := lastOf[ClassificationDecision](ctx, c, q, tblClassifications)
	if err != nil || d == nil {
		return ClassificationDecision{Classification: ClassificationUndetermined}, err
	}
	return *d, nil
}

// updateIncident applies edit to the current incident record and stores the
// result as a new revision, with the custody entry edit returns. Refused
// while the incident is closed.
func (c *Case) updateIncident(what string, edit func(ctx context.Context, tx *sql.Tx, now time.Time, rec *incidentRecord) (Event, error)) error {
	return c.write(what, func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		if err := c.requireOpen(ctx, tx); err != nil {
			return Event{}, err
		}
		rec, err := c.incidentRecord(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		ev, err := edit(ctx, tx, now, &rec)
		if err != nil {
			return Event{}, err
		}
		_, err = c.appendRow(ctx, tx, tblIncident, uuid.New(), uuid.Nil, rec)
		ev.Target = c.incidentTarget()
		return ev, err
	})
}

// requireOpen refuses changes to a closed incident's investigation record.
func (c *Case) requireOpen(ctx context.Context, q querier) error {
	st, err := c.stage(ctx, q)
	if err != nil {
		return err
	}
	if st == StageClose {
		return fmt.Errorf("%w: reopen it (with the reason) before changing its investigation record", ErrIncidentClosed)
	}
	return nil
}

// Classify records a classification with its rationale (required). An
// exercise case cannot be classified a security incident
// (ErrExerciseIncident). Classification may change at any stage before
// Close; every decision is kept (ClassificationHistory).
func (c *Case) Classify(cl Classification, rationale string) error {
	if !cl.valid() {
		return fmt.Errorf("classify: %w", invalidf("unknown classification %q; use %s, %s or %s", cl,
			ClassificationSecurityIncident, ClassificationNotSecurityIncident, ClassificationUndetermined))
	}
	if err := checkText("rationale", rationale, true, MaxTextLen); err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	return c.write("classify", func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		if err := c.requireOpen(ctx, tx); err != nil {
			return Event{}, err
		}
		rec, err := c.incidentRecord(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		if cl == ClassificationSecurityIncident && rec.Exercise != ExerciseNone {
			return Event{}, fmt.Errorf("%w: this case is marked as an exercise (%s), and exercises are run so that no customer data is accessed — "+
				"an exercise creates no actual security incident. If real unauthorized access to customer data was found, "+
				"clear the exercise mark with the reason first, or open a separate case for it", ErrExerciseIncident, rec.Exercise)
		}
		prev, err := c.classification(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		d := ClassificationDecision{Classification: cl, Rationale: rationale, Attribution: c.stamp(now)}
		if _, err := c.appendRow(ctx, tx, tblClassifications, uuid.New(), uuid.Nil, d); err != nil {
			return Event{}, err
		}
		return Event{Action: ActionIncidentClassified, Target: c.incidentTarget(), Reason: rationale,
			Details: map[string]string{"classification": string(cl), "previous": string(prev.Classification)}}, nil
	})
}

// ClassificationHistory returns every classification decision, oldest first.
func (c *Case) ClassificationHistory() ([]ClassificationDecision, error) {
	return readTable[ClassificationDecision](c, "read classification history", tblClassifications)
}

// SetExercise marks the case as an exercise of the given kind, or as a real
// event with ExerciseNone; the rationale is required. A case classified as a
// security incident cannot be marked as an exercise (ErrExerciseIncident).
func (c *Case) SetExercise(kind ExerciseKind, rationale string) error {
	if !slices.Contains(ExerciseKinds, kind) {
		return fmt.Errorf("set exercise: %w", invalidf("unknown exercise kind %q; use %s, %s, %s or none", kind, ExerciseRedTeam, ExerciseTabletop, ExerciseOther))
	}
	if err := checkText("rationale", rationale, true, MaxTextLen); err != nil {
		return fmt.Errorf("set exercise: %w", err)
	}
	return c.updateIncident("set exercise", func(ctx context.Context, tx *sql.Tx, _ time.Time, rec *incidentRecord) (Event, error) {
		cl, err := c.classification(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		if kind != ExerciseNone && cl.Classification == ClassificationSecurityIncident {
			return Event{}, fmt.Errorf("%w: the case is classified as a security incident; an exercise creates none. "+
				"Reclassify it first if the classification was wrong", ErrExerciseIncident)
		}
		prev := rec.Exercise
		rec.Exercise, rec.ExerciseNote = kind, rationale
		exercise := string(kind)
		if kind == ExerciseNone {
			exercise = "none"
		}
		return Event{Action: ActionIncidentExercise, Reason: rationale,
			Details: map[string]string{"exercise": exercise, "previous": string(prev)}}, nil
	})
}

// SetDetection records how and when the event was detected. The detection
// time, when given, must not lie in the future nor after the recorded
// awareness.
func (c *Case) SetDetection(d Detection, reason string) error {
	if d.Source != DetectionUnknown && !slices.Contains(DetectionSources, d.Source) {
		return fmt.Errorf("set detection: %w", invalidf("unknown detection source %q", d.Source))
	}
	if err := checkText("detection detail", d.Detail, false, MaxTextLen); err != nil {
		return fmt.Errorf("set detection: %w", err)
	}
	if err := checkText("reason", reason, false, MaxTextLen); err != nil {
		return fmt.Errorf("set detection: %w", err)
	}
	return c.updateIncident("set detection", func(_ context.Context, _ *sql.Tx, now time.Time, rec *incidentRecord) (Event, error) {
		if !d.DetectedAt.IsZero() {
			var err error
			if d.DetectedAt, err = checkPast("detection time", d.DetectedAt, now); err != nil {
				return Event{}, err
			}
			if rec.Awareness != nil && rec.Awareness.AwareAt.Before(d.DetectedAt) {
				return Event{}, invalidf("detection time %s is after the recorded awareness %s; awareness cannot precede detection",
					formatTime(d.DetectedAt), formatTime(rec.Awareness.AwareAt))
			}
		}
		rec.Detection = d
		details := map[string]string{"source": string(d.Source)}
		if !d.DetectedAt.IsZero() {
			details["detected_at"] = formatTime(d.DetectedAt)
		}
		return Event{Action: ActionIncidentDetection, Reason: reason, Details: details}, nil
	})
}

// RecordAwareness records that the organization became aware of a
// (possible) breach at the given time (zero means now), decided by the
// acting examiner. A later call replaces the decision; the custody ledger
// keeps every one.
func (c *Case) RecordAwareness(at time.Time, rationale string) error {
	if err := checkText("rationale", rationale, false, MaxTextLen); err != nil {
		return fmt.Errorf("record awareness: %w", err)
	}
	return c.updateIncident("record awareness", func(_ context.Context, _ *sql.Tx, now time.Time, rec *incidentRecord) (Event, error) {
		if at.IsZero() {
			at = now
		}
		at, err := checkPast("awareness time", at, now)
		if err != nil {
			return Event{}, err
		}
		if det := rec.Detection.DetectedAt; !det.IsZero() && at.Before(det) {
			return Event{}, invalidf("awareness time %s is before the detection time %s", formatTime(at), formatTime(det))
		}
		details := map[string]string{"aware_at": formatTime(at)}
		if rec.Awareness != nil {
			details["previous"] = formatTime(rec.Awareness.AwareAt)
		}
		rec.Awareness = &Awareness{AwareAt: at, Rationale: rationale, Attribution: c.stamp(now)}
		return Event{Action: ActionIncidentAwareness, Reason: rationale, Details: details}, nil
	})
}

// SetSummary replaces the incident summary: a brief description of the
// incident and its potential impact (at most MaxTextLen bytes).
func (c *Case) SetSummary(summary, reason string) error {
	if err := checkText("summary", summary, false, MaxTextLen); err != nil {
		return fmt.Errorf("set summary: %w", err)
	}
	if err := checkText("reason", reason, false, MaxTextLen); err != nil {
		return fmt.Errorf("set summary: %w", err)
	}
	return c.updateIncident("set summary", func(_ context.Context, _ *sql.Tx, _ time.Time, rec *incidentRecord) (Event, error) {
		rec.Summary = summary
		return Event{Action: ActionIncidentSummary, Reason: reason,
			Hashes: map[string]string{"summary_sha256": contentHash([]byte(summary))}, Details: map[string]string{"bytes": fmt.Sprint(len(summary))}}, nil
	})
}

// SetNextSteps replaces the list of recommended next steps and actions.
func (c *Case) SetNextSteps(steps []string, reason string) error {
	if err := checkList("next steps", len(steps)); err != nil {
		return fmt.Errorf("set next steps: %w", err)
	}
	for i, s := range steps {
		if err := checkText(fmt.Sprintf("next step %d", i+1), s, true, MaxTextLen); err != nil {
			return fmt.Errorf("set next steps: %w", err)
		}
	}
	if err := checkText("reason", reason, false, MaxTextLen); err != nil {
		return fmt.Errorf("set next steps: %w", err)
	}
	return c.updateIncident("set next steps", func(_ context.Context, _ *sql.Tx, _ time.Time, rec *incidentRecord) (Event, error) {
		rec.NextSteps = slices.Clone(steps)
		if rec.NextSteps == nil {
			rec.NextSteps = []string{}
		}
		return Event{Action: ActionIncidentNextSteps, Reason: reason, Details: map[string]string{"steps": fmt.Sprint(len(steps))}}, nil
	})
}

// AddRelatedIncident links another incident by its case number.
func (c *Case) AddRelatedIncident(r RelatedIncident, reason string) error {
	r.CaseNumber = strings.TrimSpace(r.CaseNumber)
	if err := checkLine("related case number", r.CaseNumber, true, MaxShortFieldLen); err != nil {
		return fmt.Errorf("add related incident: %w", err)
	}
	if err := checkText("note", r.Note, false, MaxTextLen); err != nil {
		return fmt.Errorf("add related incident: %w", err)
	}
	return c.updateIncident("add related incident", func(_ context.Context, _ *sql.Tx, _ time.Time, rec *incidentRecord) (Event, error) {
		if own := strings.TrimSpace(c.info.CaseNumber); own != "" && strings.EqualFold(own, r.CaseNumber) {
			return Event{}, invalidf("%s is this case's own number", r.CaseNumber)
		}
		for _, x := range rec.Related {
			if strings.EqualFold(x.CaseNumber, r.CaseNumber) {
				return Event{}, invalidf("%s is already linked", x.CaseNumber)
			}
		}
		if err := checkList("related incidents", len(rec.Related)+1); err != nil {
			return Event{}, err
		}
		rec.Related = append(rec.Related, r)
		return Event{Action: ActionIncidentRelated, Reason: reason, Details: map[string]string{"case_number": r.CaseNumber}}, nil
	})
}

// RemoveRelatedIncident unlinks the incident with the given case number.
func (c *Case) RemoveRelatedIncident(caseNumber, reason string) error {
	if err := checkText("reason", reason, false, MaxTextLen); err != nil {
		return fmt.Errorf("remove related incident: %w", err)
	}
	return c.updateIncident("remove related incident", func(_ context.Context, _ *sql.Tx, _ time.Time, rec *incidentRecord) (Event, error) {
		i := slices.IndexFunc(rec.Related, func(x RelatedIncident) bool { return strings.EqualFold(x.CaseNumber, strings.TrimSpace(caseNumber)) })
		if i < 0 {
			return Event{}, invalidf("%q is not linked to this incident", caseNumber)
		}
		num := rec.Related[i].CaseNumber
		rec.Related = slices.Delete(rec.Related, i, i+1)
		return Event{Action: ActionIncidentUnrelated, Reason: reason, Details: map[string]string{"case_number": num}}, nil
	})
}
