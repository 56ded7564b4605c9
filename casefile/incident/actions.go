package incident

import (
	"fmt"
	"slices"
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
// mitigation steps" (white paper, 2.2.4). Each capacity is held through a
// role (CapacityRole): the service owner approves as a Service Team Expert
// of their own service.
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

// CapacityRole returns the role through which an examiner approves in
// capacity c.
func CapacityRole(c ApprovalCapacity) casefile.Role {
	switch c {
	case ApprovalExecutive:
		return casefile.RoleExecutiveIncidentManager
	case ApprovalServiceOwner:
		return casefile.RoleServiceTeamExpert
	case ApprovalIncidentManager:
		return casefile.RoleSecurityIncidentManager
	}
	return ""
}

// ActionMitigationApproved is an approver's own, signed approval of an
// emergency mitigation.
const ActionMitigationApproved casefile.Action = "mitigation.approved"

var _ = casefile.RegisterAction(ActionMitigationApproved, casefile.PermApproveMitigation)

// Approval is one person's approval of an emergency mitigation. Since
// format version 7 an approval is made by the approver themselves
// (ApproveMitigation): a custody entry signed with their own key, Signed
// true. Mitigations recorded before carry the approvers' names as typed by
// whoever recorded them (Signed false), shown as such.
type Approval struct {
	Capacity ApprovalCapacity `json:"capacity"`
	Name     string           `json:"name"`
	// ExaminerID is the approver's examiner id: always for a signed
	// approval; for an older typed one, when the name was an examiner's.
	ExaminerID uuid.UUID `json:"examiner_id"`
	Signed     bool      `json:"-"`
	At         time.Time `json:"-"` // when a signed approval was given
	Reason     string    `json:"-"`
}

// approvalRow is a signed approval as stored: a revision row of its
// mitigation (parent = the mitigation's id) in incident_mitigations.
type approvalRow struct {
	Capacity ApprovalCapacity `json:"capacity"`
	Reason   string           `json:"reason,omitempty"`
	casefile.Attribution
}

// NewMitigation is what a person enters to record an emergency mitigation.
type NewMitigation struct {
	Description  string
	CausedOutage bool      // the step took a service down: outage notification applies
	OutageDetail string    // what was down, for how long
	PerformedAt  time.Time // zero means now
	Reason       string    // recorded in the custody entry
}

// Mitigation is a recorded emergency mitigation or containment step.
type Mitigation struct {
	ID           uuid.UUID  `json:"-"`
	Description  string     `json:"description"`
	Approvals    []Approval `json:"approvals"` // typed approvals (before format 7), then the signed ones
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
// as the process asks; the GUI flags a mitigation that was not. Typed
// approvals of mitigations recorded before format 7 count as they did.
func (m Mitigation) JointlyApproved() bool { return len(m.MissingApprovals()) == 0 }

// MissingApprovals lists the capacities that have not approved m, in
// ApprovalCapacities order.
func (m Mitigation) MissingApprovals() []ApprovalCapacity {
	var out []ApprovalCapacity
	for _, want := range ApprovalCapacities {
		if !slices.ContainsFunc(m.Approvals, func(a Approval) bool { return a.Capacity == want }) {
			out = append(out, want)
		}
	}
	return out
}

// RecordMitigation records an emergency mitigation and whether it caused
// an outage. Approvals are not typed in: each approver gives theirs with
// ApproveMitigation, under their own passphrase. Refused while the
// incident is closed.
func (s *Store) RecordMitigation(nm NewMitigation) (Mitigation, error) {
	if err := nm.validate(); err != nil {
		return Mitigation{}, fmt.Errorf("record mitigation: %w", err)
	}
	if err := s.c.Require(casefile.PermRecordMitigation); err != nil {
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
		m = Mitigation{ID: uuid.New(), Description: nm.Description, Approvals: []Approval{}, CausedOutage: nm.CausedOutage,
			OutageDetail: nm.OutageDetail, PerformedAt: at, Stage: st, Reason: nm.Reason, Attribution: tx.Stamp()}
		if _, err := tx.Append(tblMitigations, m.ID, m); err != nil {
			return casefile.Event{}, err
		}
		return casefile.Event{Action: ActionMitigationRecorded, Target: casefile.Target{Type: TargetMitigation, ID: m.ID.String()}, Reason: nm.Reason,
			Details: map[string]string{"description": casefile.Brief(nm.Description), "caused_outage": fmt.Sprint(nm.CausedOutage),
				"performed_at": casefile.FormatTime(at), "stage": string(st)}}, nil
	})
	return m, err
}

// ApproveMitigation records the acting examiner's own approval of
// mitigation id in capacity: a custody entry signed with their key. They
// must hold the capacity's role (CapacityRole); a capacity approves once,
// and one person approves in one capacity only (the approval is joint).
// Refused while the incident is closed.
func (s *Store) ApproveMitigation(id uuid.UUID, capacity ApprovalCapacity, reason string) (Mitigation, error) {
	const what = "approve mitigation"
	if !slices.Contains(ApprovalCapacities, capacity) {
		return Mitigation{}, fmt.Errorf("%s: %w", what, casefile.Invalidf("unknown approval capacity %q; use executive-incident-manager, service-owner or security-incident-manager", capacity))
	}
	if err := casefile.CheckText("reason", reason, false, casefile.MaxTextLen); err != nil {
		return Mitigation{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.c.Require(casefile.PermApproveMitigation); err != nil {
		return Mitigation{}, fmt.Errorf("%s: %w", what, err)
	}
	actor := s.c.Actor()
	if role := CapacityRole(capacity); !actor.HasRole(role) {
		return Mitigation{}, fmt.Errorf("%s: %w", what, casefile.ErrNotPermitted.Errorf(
			"approving as %s needs the %s role, and %s does not hold it", capacity, role.Title(), actor.Name))
	}
	var m Mitigation
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		if _, err := requireOpen(tx, "before approving mitigations"); err != nil {
			return casefile.Event{}, err
		}
		ms, err := readMitigations(tx, id)
		if err != nil {
			return casefile.Event{}, err
		}
		if len(ms) == 0 {
			return casefile.Event{}, fmt.Errorf("%w: %s", ErrNoSuchMitigation, id)
		}
		m = ms[0]
		for _, a := range m.Approvals {
			switch {
			case a.Capacity == capacity:
				by := a.Name
				if !a.Signed {
					by += " (typed in when it was recorded)"
				}
				return casefile.Event{}, casefile.Invalidf("the mitigation is already approved as %s, by %s", capacity, by)
			case a.Signed && a.ExaminerID == actor.ID:
				return casefile.Event{}, casefile.Invalidf("%s already approved the mitigation as %s; a joint approval needs another person for %s", actor.Name, a.Capacity, capacity)
			}
		}
		row := approvalRow{Capacity: capacity, Reason: reason, Attribution: tx.Stamp()}
		if _, err := tx.AppendRevision(tblMitigations, id, row); err != nil {
			return casefile.Event{}, err
		}
		m.Approvals = append(m.Approvals, row.approval())
		return casefile.Event{Action: ActionMitigationApproved, Target: casefile.Target{Type: TargetMitigation, ID: id.String()}, Reason: reason,
			Details: map[string]string{"capacity": string(capacity), "jointly_approved": fmt.Sprint(m.JointlyApproved())}}, nil
	})
	return m, err
}

func (a approvalRow) approval() Approval {
	return Approval{Capacity: a.Capacity, Name: a.Examiner, ExaminerID: a.ExaminerID, Signed: true, At: a.At, Reason: a.Reason}
}

func (nm NewMitigation) validate() error {
	if err := casefile.CheckText("mitigation description", nm.Description, true, casefile.MaxTextLen); err != nil {
		return err
	}
	return casefile.CheckText("outage detail", nm.OutageDetail, false, casefile.MaxTextLen)
}

// Mitigations returns the recorded emergency mitigations, oldest first,
// each with its approvals.
func (s *Store) Mitigations() ([]Mitigation, error) {
	var out []Mitigation
	err := s.c.Read("read mitigations", func(r casefile.Reader) (err error) {
		out, err = readMitigations(r, uuid.Nil)
		return err
	})
	return out, err
}

// readMitigations returns the mitigations (only the one with id, unless
// id is uuid.Nil) with their signed approvals: the table's rows without a
// parent are mitigations, its revision rows approvals of their parent.
func readMitigations(r casefile.Reader, id uuid.UUID) ([]Mitigation, error) {
	rows, err := r.Records(tblMitigations)
	if err != nil {
		return nil, err
	}
	var out []Mitigation
	at := map[uuid.UUID]int{}
	for _, row := range rows {
		if row.Parent == uuid.Nil {
			if id != uuid.Nil && row.ID != id {
				continue
			}
			var m Mitigation
			if err := row.Decode(&m); err != nil {
				return nil, err
			}
			m.ID = row.ID
			at[m.ID] = len(out)
			out = append(out, m)
			continue
		}
		i, ok := at[row.Parent]
		if !ok {
			if id != uuid.Nil {
				continue
			}
			return nil, fmt.Errorf("%w: %s/%s approves mitigation %s, which is not before it", casefile.ErrCorrupt, tblMitigations, row.ID, row.Parent)
		}
		var a approvalRow
		if err := row.Decode(&a); err != nil {
			return nil, err
		}
		out[i].Approvals = append(out[i].Approvals, a.approval())
	}
	return out, nil
}
