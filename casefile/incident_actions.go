package casefile

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

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
	// Reason is recorded in the custody entry (not in the action itself).
	Reason string
}

// ResponseAction is a recorded action.
type ResponseAction struct {
	ID          uuid.UUID   `json:"-"`
	Description string      `json:"description"`
	PerformedAt time.Time   `json:"performed_at"`
	Evidence    []uuid.UUID `json:"evidence"`
	Stage       Stage       `json:"stage"` // the incident's stage when recorded
	Attribution             // who recorded it, when
}

// RecordAction records an action taken. Every linked evidence item must
// exist (ErrNoSuchEvidence). Refused while the incident is closed.
func (c *Case) RecordAction(na NewResponseAction) (ResponseAction, error) {
	if err := checkText("action description", na.Description, true, MaxTextLen); err != nil {
		return ResponseAction{}, fmt.Errorf("record action: %w", err)
	}
	if err := checkList("linked evidence", len(na.Evidence)); err != nil {
		return ResponseAction{}, fmt.Errorf("record action: %w", err)
	}
	var a ResponseAction
	err := c.write("record action", func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		st, err := c.stage(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		if st == StageClose {
			return Event{}, fmt.Errorf("%w: reopen it (with the reason) before recording actions", ErrIncidentClosed)
		}
		at := na.PerformedAt
		if at.IsZero() {
			at = now
		}
		if at, err = checkPast("action time", at, now); err != nil {
			return Event{}, err
		}
		ids, err := c.checkEvidenceIDs(ctx, tx, na.Evidence)
		if err != nil {
			return Event{}, err
		}
		a = ResponseAction{ID: uuid.New(), Description: na.Description, PerformedAt: at, Evidence: ids, Stage: st, Attribution: c.stamp(now)}
		if _, err := c.appendRow(ctx, tx, tblActions, a.ID, uuid.Nil, a); err != nil {
			return Event{}, err
		}
		return Event{Action: ActionResponseRecorded, Target: Target{Type: TargetResponse, ID: a.ID.String()}, Reason: na.Reason,
			Details: map[string]string{"description": short(na.Description), "performed_at": formatTime(at), "stage": string(st),
				"evidence": joinIDs(ids)}}, nil
	})
	return a, err
}

// checkEvidenceIDs checks every id names a sealed item and drops repeats.
func (c *Case) checkEvidenceIDs(ctx context.Context, tx *sql.Tx, ids []uuid.UUID) ([]uuid.UUID, error) {
	out := []uuid.UUID{}
	for _, id := range ids {
		if slices.Contains(out, id) {
			continue
		}
		if _, err := c.lookupEvidence(ctx, tx, id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// joinIDs lists ids for a custody detail: up to 8, then a count.
func joinIDs(ids []uuid.UUID) string {
	var s []string
	for i, id := range ids {
		if i == 8 {
			s = append(s, fmt.Sprintf("… %d more", len(ids)-8))
			break
		}
		s = append(s, id.String())
	}
	return strings.Join(s, ",")
}

// ResponseActions returns the recorded actions in the order they were recorded.
func (c *Case) ResponseActions() ([]ResponseAction, error) {
	var out []ResponseAction
	err := c.read("read actions", func(ctx context.Context, q querier) error {
		rows, err := c.readRows(ctx, q, tblActions, uuid.Nil)
		if err != nil {
			return err
		}
		out, err = decodeRows[ResponseAction](tblActions, rows)
		for i := range out {
			out[i].ID = rows[i].id
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
	Attribution
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
func (c *Case) RecordMitigation(nm NewMitigation) (Mitigation, error) {
	if err := nm.validate(); err != nil {
		return Mitigation{}, fmt.Errorf("record mitigation: %w", err)
	}
	var m Mitigation
	err := c.write("record mitigation", func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		st, err := c.stage(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		if st == StageClose {
			return Event{}, fmt.Errorf("%w: reopen it (with the reason) before recording mitigations", ErrIncidentClosed)
		}
		at := nm.PerformedAt
		if at.IsZero() {
			at = now
		}
		if at, err = checkPast("mitigation time", at, now); err != nil {
			return Event{}, err
		}
		exs, err := c.readExaminers(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		approvals := make([]Approval, len(nm.Approvals))
		var names []string
		for i, a := range nm.Approvals {
			a.Name = strings.TrimSpace(a.Name)
			a.ExaminerID = uuid.Nil
			if ex, err := resolveExaminer(exs, a.Name); err == nil {
				a.ExaminerID = ex.ID
			}
			approvals[i] = a
			names = append(names, string(a.Capacity)+"="+short(a.Name))
		}
		m = Mitigation{ID: uuid.New(), Description: nm.Description, Approvals: approvals, CausedOutage: nm.CausedOutage,
			OutageDetail: nm.OutageDetail, PerformedAt: at, Stage: st, Attribution: c.stamp(now)}
		if _, err := c.appendRow(ctx, tx, tblMitigations, m.ID, uuid.Nil, m); err != nil {
			return Event{}, err
		}
		return Event{Action: ActionMitigationRecorded, Target: Target{Type: TargetMitigation, ID: m.ID.String()}, Reason: nm.Reason,
			Details: map[string]string{"description": short(nm.Description), "approvals": strings.Join(names, "; "),
				"jointly_approved": fmt.Sprint(m.JointlyApproved()), "caused_outage": fmt.Sprint(nm.CausedOutage),
				"performed_at": formatTime(at), "stage": string(st)}}, nil
	})
	return m, err
}

func (nm NewMitigation) validate() error {
	if err := checkText("mitigation description", nm.Description, true, MaxTextLen); err != nil {
		return err
	}
	if err := checkText("outage detail", nm.OutageDetail, false, MaxTextLen); err != nil {
		return err
	}
	if len(nm.Approvals) == 0 {
		return invalidf("an emergency mitigation needs at least one approval (executive incident manager, service owner, security incident manager)")
	}
	if len(nm.Approvals) > 20 {
		return invalidf("%d approvals, at most 20", len(nm.Approvals))
	}
	seen := map[string]bool{}
	for _, a := range nm.Approvals {
		if !slices.Contains(ApprovalCapacities, a.Capacity) {
			return invalidf("unknown approval capacity %q; use executive-incident-manager, service-owner or security-incident-manager", a.Capacity)
		}
		if err := checkLine("approver name", strings.TrimSpace(a.Name), true, MaxShortFieldLen); err != nil {
			return err
		}
		key := string(a.Capacity) + "\x00" + strings.ToLower(strings.TrimSpace(a.Name))
		if seen[key] {
			return invalidf("%s approved as %s twice", a.Name, a.Capacity)
		}
		seen[key] = true
	}
	return nil
}

// Mitigations returns the recorded emergency mitigations, oldest first.
func (c *Case) Mitigations() ([]Mitigation, error) {
	var out []Mitigation
	err := c.read("read mitigations", func(ctx context.Context, q querier) error {
		rows, err := c.readRows(ctx, q, tblMitigations, uuid.Nil)
		if err != nil {
			return err
		}
		out, err = decodeRows[Mitigation](tblMitigations, rows)
		for i := range out {
			out[i].ID = rows[i].id
		}
		return err
	})
	return out, err
}
