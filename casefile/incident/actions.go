package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// NewResponseAction is what a person enters to record an action taken by
// the response team ("a list of all actions taken by the v-team").
type NewResponseAction struct {
	Description string
	// PerformedAt is when the action was taken; zero means now. Actions are
	// often written down after the fact: the recording time is kept apart.
	PerformedAt time.Time
	// Evidence lists sealed evidence items the action produced or used.
	Evidence []uuid.UUID
	// Reason is recorded in the action and its custody entry.
	Reason string
}

// ResponseAction is a recorded action.
type ResponseAction struct {
	ID          uuid.UUID   `json:"-"`
	Description string      `json:"description"`
	PerformedAt time.Time   `json:"performed_at"`
	Evidence    []uuid.UUID `json:"evidence"`
	Stage       Stage       `json:"stage"` // the incident's stage when recorded
	// Reason is why it was recorded, as in its custody entry; empty in
	// actions recorded before format version 4.
	Reason               string `json:"reason,omitempty"`
	casefile.Attribution        // who recorded it, when
}

// RecordAction records an action taken. Every linked evidence item must
// exist (ErrNoSuchEvidence). Refused while the incident is closed.
func (s *Store) RecordAction(na NewResponseAction) (ResponseAction, error) {
	if err := casefile.CheckText("action description", na.Description, true, casefile.MaxTextLen); err != nil {
		return ResponseAction{}, fmt.Errorf("record action: %w", err)
	}
	if err := casefile.CheckList("linked evidence", len(na.Evidence)); err != nil {
		return ResponseAction{}, fmt.Errorf("record action: %w", err)
	}
	var a ResponseAction
	err := s.write("record action", func(tx *casefile.Tx) (casefile.Event, error) {
		st, err := requireOpen(tx, "before recording actions")
		if err != nil {
			return casefile.Event{}, err
		}
		at := na.PerformedAt
		if at.IsZero() {
			at = tx.Now()
		}
		if at, err = casefile.CheckPast("action time", at, tx.Now()); err != nil {
			return casefile.Event{}, err
		}
		ids, err := checkEvidenceIDs(tx, na.Evidence)
		if err != nil {
			return casefile.Event{}, err
		}
		a = ResponseAction{ID: uuid.New(), Description: na.Description, PerformedAt: at, Evidence: ids, Stage: st, Reason: na.Reason, Attribution: tx.Stamp()}
		if _, err := tx.Append(tblActions, a.ID, a); err != nil {
			return casefile.Event{}, err
		}
		return casefile.Event{Action: ActionResponseRecorded, Target: casefile.Target{Type: TargetResponse, ID: a.ID.String()}, Reason: na.Reason,
			Details: map[string]string{"description": casefile.Brief(na.Description), "performed_at": casefile.FormatTime(at), "stage": string(st),
				"evidence": joinIDs(ids)}}, nil
	})
	return a, err
}

// ResponseActions returns the recorded actions in the order they were recorded.
func (s *Store) ResponseActions() ([]ResponseAction, error) {
	var out []ResponseAction
	err := s.c.Read("read actions", func(r casefile.Reader) error {
		rows, err := r.Records(tblActions)
		if err != nil {
			return err
		}
		out, err = casefile.DecodeRecords[ResponseAction](rows)
		for i := range out {
			out[i].ID = rows[i].ID
		}
		return err
	})
	return out, err
}

// ApprovalCapacity is the capacity in which a person approves an emergency
// mitigation. "The executive incident manager, service owner, and security
// incident manager may jointly choose to take immediate emergency
// mitigation steps" (white paper, 2.2.4). The service owner is not a
// Custodia role: approvers need not be examiners of the case.
type ApprovalCapacity string

// Approval capacities.
const (
	ApprovalExecutive       ApprovalCapacity = "executive-incident-manager"
	ApprovalServiceOwner    ApprovalCapacity = "service-owner"
	ApprovalIncidentManager ApprovalCapacity = "security-incident-manager"
)

// ApprovalCapacities lists the capacities whose joint approval an emergency
// mitigation calls for.
var ApprovalCapacities = []ApprovalCapacity{ApprovalExecutive, ApprovalServiceOwner, ApprovalIncidentManager}

// Approval is one person's approval of an emergency mitigation.
type Approval struct {
	Capacity ApprovalCapacity `json:"capacity"`
	Name     string           `json:"name"`
	// ExaminerID is set when Name is an examiner of the case.
	ExaminerID uuid.UUID `json:"examiner_id"`
}

// NewMitigation is what a person enters to record an emergency mitigation.
type NewMitigation struct {
	Description  string
	Approvals    []Approval // at least one; ExaminerID is filled in by RecordMitigation
	CausedOutage bool       // the step took a service down: outage notification applies
	OutageDetail string     // what was down, for how long
	PerformedAt  time.Time  // zero means now
	Reason       string     // recorded in the custody entry
}

// Mitigation is a recorded emergency mitigation or containment step.
type Mitigation struct {
	ID           uuid.UUID  `json:"-"`
	Description  string     `json:"description"`
	Approvals    []Approval `json:"approvals"`
	CausedOutage bool       `json:"caused_outage"`
	OutageDetail string     `json:"outage_detail"`
	PerformedAt  time.Time  `json:"performed_at"`
	Stage        Stage      `json:"stage"`
	// Reason is why it was recorded, as in its custody entry; empty in
	// mitigations recorded before format version 4.
	Reason string `json:"reason,omitempty"`
	casefile.Attribution
}

// JointlyApproved reports whether all three capacities approved the step,
// as the process asks; the GUI flags a mitigation that was not.
func (m Mitigation) JointlyApproved() bool {
	for _, want := range ApprovalCapacities {
		if !slices.ContainsFunc(m.Approvals, func(a Approval) bool { return a.Capacity == want }) {
			return false
		}
	}
	return true
}

// RecordMitigation records an emergency mitigation with who approved it in
// which capacity and whether it caused an outage. At least one approval is
// required; a person named in an approval who is an examiner of the case is
// linked by id. Refused while the incident is closed.
func (s *Store) RecordMitigation(nm NewMitigation) (Mitigation, error) {
	if err := nm.validate(); err != nil {
		return Mitigation{}, fmt.Errorf("record mitigation: %w", err)
	}
	var m Mitigation
	err := s.write("record mitigation", func(tx *casefile.Tx) (casefile.Event, error) {
		st, err := requireOpen(tx, "before recording mitigations")
		if err != nil {
			return casefile.Event{}, err
		}
		at := nm.PerformedAt
		if at.IsZero() {
			at = tx.Now()
		}
		if at, err = casefile.CheckPast("mitigation time", at, tx.Now()); err != nil {
			return casefile.Event{}, err
		}
		exs, err := tx.Examiners()
		if err != nil {
			return casefile.Event{}, err
		}
		approvals := make([]Approval, len(nm.Approvals))
		var names []string
		for i, a := range nm.Approvals {
			a.Name = strings.TrimSpace(a.Name)
			a.ExaminerID = uuid.Nil
			if ex, err := casefile.ResolveExaminer(exs, a.Name); err == nil {
				a.ExaminerID = ex.ID
			}
			approvals[i] = a
			names = append(names, string(a.Capacity)+"="+casefile.Brief(a.Name))
		}
		m = Mitigation{ID: uuid.New(), Description: nm.Description, Approvals: approvals, CausedOutage: nm.CausedOutage,
			OutageDetail: nm.OutageDetail, PerformedAt: at, Stage: st, Reason: nm.Reason, Attribution: tx.Stamp()}
		if _, err := tx.Append(tblMitigations, m.ID, m); err != nil {
			return casefile.Event{}, err
		}
		return casefile.Event{Action: ActionMitigationRecorded, Target: casefile.Target{Type: TargetMitigation, ID: m.ID.String()}, Reason: nm.Reason,
			Details: map[string]string{"description": casefile.Brief(nm.Description), "approvals": strings.Join(names, "; "),
				"jointly_approved": fmt.Sprint(m.JointlyApproved()), "caused_outage": fmt.Sprint(nm.CausedOutage),
				"performed_at": casefile.FormatTime(at), "stage": string(st)}}, nil
	})
	return m, err
}

func (nm NewMitigation) validate() error {
	if err := casefile.CheckText("mitigation description", nm.Description, true, casefile.MaxTextLen); err != nil {
		return err
	}
	if err := casefile.CheckText("outage detail", nm.OutageDetail, false, casefile.MaxTextLen); err != nil {
		return err
	}
	if len(nm.Approvals) == 0 {
		return casefile.Invalidf("an emergency mitigation needs at least one approval (executive incident manager, service owner, security incident manager)")
	}
	if len(nm.Approvals) > 20 {
		return casefile.Invalidf("%d approvals, at most 20", len(nm.Approvals))
	}
	seen := map[string]bool{}
	for _, a := range nm.Approvals {
		if !slices.Contains(ApprovalCapacities, a.Capacity) {
			return casefile.Invalidf("unknown approval capacity %q; use executive-incident-manager, service-owner or security-incident-manager", a.Capacity)
		}
		if err := casefile.CheckLine("approver name", strings.TrimSpace(a.Name), true, casefile.MaxShortFieldLen); err != nil {
			return err
		}
		key := string(a.Capacity) + "\x00" + strings.ToLower(strings.TrimSpace(a.Name))
		if seen[key] {
			return casefile.Invalidf("%s approved as %s twice", a.Name, a.Capacity)
		}
		seen[key] = true
	}
	return nil
}

// Mitigations returns the recorded emergency mitigations, oldest first.
func (s *Store) Mitigations() ([]Mitigation, error) {
	var out []Mitigation
	err := s.c.Read("read mitigations", func(r casefile.Reader) error {
		rows, err := r.Records(tblMitigations)
		if err != nil {
			return err
		}
		out, err = casefile.DecodeRecords[Mitigation](rows)
		for i := range out {
			out[i].ID = rows[i].ID
		}
		return err
	})
	return out, err
}
