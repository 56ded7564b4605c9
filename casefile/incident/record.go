package incident

import (
	"slices"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
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

// The permission each action needs (casefile/authority.go).
var _ = casefile.RegisterActions(map[casefile.Action]casefile.Permission{
	ActionIncidentClassified: casefile.PermRateClassify, ActionIncidentExercise: casefile.PermRateClassify,
	ActionIncidentSeverity: casefile.PermRateClassify, ActionIncidentPriority: casefile.PermRateClassify,
	ActionIncidentDetection: casefile.PermEditIncident, ActionIncidentAwareness: casefile.PermEditIncident,
	ActionIncidentSummary: casefile.PermEditIncident, ActionIncidentNextSteps: casefile.PermEditIncident,
	ActionIncidentRelated: casefile.PermEditIncident, ActionIncidentUnrelated: casefile.PermEditIncident,
	ActionIncidentUpdated: casefile.PermEditIncident,
	ActionIndicatorAdded:  casefile.PermInvestigate, ActionFindingAdded: casefile.PermInvestigate,
	ActionFindingEdited: casefile.PermInvestigate, ActionResponseRecorded: casefile.PermInvestigate,
	ActionRoleAssigned: casefile.PermManageExaminers, ActionRoleReleased: casefile.PermManageExaminers,
	ActionStageChanged:        casefile.PermMoveStage,
	ActionMitigationRecorded:  casefile.PermRecordMitigation,
	ActionNotificationDecided: casefile.PermNotificationTrack,
	ActionPostMortemUpdated:   casefile.PermPostMortem, ActionRepairAdded: casefile.PermPostMortem,
	ActionRepairUpdated: casefile.PermPostMortem, ActionRepairDone: casefile.PermPostMortem,
})

const (
	ActionIncidentClassified  casefile.Action = "incident.classified"
	ActionIncidentExercise    casefile.Action = "incident.exercise-set"
	ActionIncidentDetection   casefile.Action = "incident.detection-set"
	ActionIncidentAwareness   casefile.Action = "incident.awareness-recorded"
	ActionIncidentSeverity    casefile.Action = "incident.severity-set"
	ActionIncidentPriority    casefile.Action = "incident.priority-set"
	ActionIncidentSummary     casefile.Action = "incident.summary-set"
	ActionIncidentNextSteps   casefile.Action = "incident.next-steps-set"
	ActionIncidentRelated     casefile.Action = "incident.related-added"
	ActionIncidentUnrelated   casefile.Action = "incident.related-removed"
	ActionIndicatorAdded      casefile.Action = "indicator.added"
	ActionRoleAssigned        casefile.Action = "role.assigned"
	ActionRoleReleased        casefile.Action = "role.released"
	ActionStageChanged        casefile.Action = "stage.changed"
	ActionFindingAdded        casefile.Action = "finding.added"
	ActionFindingEdited       casefile.Action = "finding.edited"
	ActionResponseRecorded    casefile.Action = "action.recorded"
	ActionMitigationRecorded  casefile.Action = "mitigation.recorded"
	ActionNotificationDecided casefile.Action = "notification.decided"
	ActionPostMortemUpdated   casefile.Action = "postmortem.updated"
	ActionRepairAdded         casefile.Action = "repair.added"
	ActionRepairUpdated       casefile.Action = "repair.updated"
	ActionRepairDone          casefile.Action = "repair.done"
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
	ErrExerciseIncident = casefile.NewKind("incident", "an exercise is never a security incident",
		"an exercise (red team, tabletop) is not a security incident: clear the exercise mark with a reason, or open a separate case for the real incident")
	// ErrIncidentClosed means the change needs an open incident: reopen it first.
	ErrIncidentClosed = casefile.NewKind("incident", "the incident is closed",
		"reopen the incident with a reason first; the post-mortem, repair items and notification stay editable after closing")
	// ErrNoSuchFinding means no finding has the given id.
	ErrNoSuchFinding = casefile.NewKind("incident", "no such finding", "list them first and use one of the ids shown")
	// ErrNoSuchIndicator means no indicator has the given id.
	ErrNoSuchIndicator = casefile.NewKind("incident", "no such indicator", "list them first and use one of the ids shown")
	// ErrNoSuchRepairItem means no repair item has the given id.
	ErrNoSuchRepairItem = casefile.NewKind("incident", "no such repair item", "list them first and use one of the ids shown")
	// ErrNoSuchMitigation means no mitigation has the given id.
	ErrNoSuchMitigation = casefile.NewKind("incident", "no such mitigation", "list them first ('custodiactl mitigation list') and use one of the ids shown")
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
	casefile.Attribution
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
	casefile.Attribution
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
func (s *Store) Incident() (Incident, error) {
	var inc Incident
	err := s.c.Read("read incident", func(r casefile.Reader) error {
		rec, err := currentRecord(r)
		if err != nil {
			return err
		}
		inc = Incident{Exercise: rec.Exercise, ExerciseNote: rec.ExerciseNote, Detection: rec.Detection, Awareness: rec.Awareness,
			Summary: rec.Summary, Related: rec.Related, NextSteps: rec.NextSteps}
		if inc.Stage, err = stage(r); err != nil {
			return err
		}
		if inc.Classification, err = classification(r); err != nil {
			return err
		}
		if inc.Severity, err = casefile.LastOf[SeverityRating](r, tblSeverity); err != nil {
			return err
		}
		if inc.Priority, err = casefile.LastOf[PriorityRating](r, tblPriority); err != nil {
			return err
		}
		if inc.Notification, err = casefile.LastOf[NotificationDecision](r, tblNotifications); err != nil {
			return err
		}
		inc.Roles, err = roleHolders(r)
		return err
	})
	return inc, err
}

// currentRecord returns the current revision of the incident record, or
// the defaults of a new case.
func currentRecord(r casefile.Reader) (incidentRecord, error) {
	var rec incidentRecord
	row, ok, err := r.Last(tblIncident)
	if err == nil && ok {
		err = row.Decode(&rec)
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
func classification(r casefile.Reader) (ClassificationDecision, error) {
	d, err := casefile.LastOf[ClassificationDecision](r, tblClassifications)
	if err != nil || d == nil {
		return ClassificationDecision{Classification: ClassificationUndetermined}, err
	}
	return *d, nil
}

// ClassificationHistory returns every classification decision, oldest first.
func (s *Store) ClassificationHistory() ([]ClassificationDecision, error) {
	return casefile.ReadAll[ClassificationDecision](s.c, "read classification history", tblClassifications)
}
