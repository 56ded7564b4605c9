package casefile

import (
	"fmt"

	"github.com/google/uuid"
)

// Withdrawing an item. An examiner who finds that an item should not have
// been ingested — the wrong disk, a duplicate, data outside the warrant —
// cannot delete it: the custody record says it was acquired, and its sealed
// bytes stay as evidence of what was done. Instead the item is withdrawn: it
// stays sealed, verifiable and listed (with a badge), and reports and
// exports leave it out, until a recorded reinstatement puts it back. Each
// decision is a row of the record table evidence_status (one record per
// item) with its custody entry.

// tblEvidenceStatus is the record table of migration 0004.
const tblEvidenceStatus = "evidence_status"

// Actions recorded by withdrawing and reinstating items.
const (
	ActionEvidenceWithdrawn  Action = "evidence.withdrawn"
	ActionEvidenceReinstated Action = "evidence.reinstated"
)

// Withdrawal says an item is withdrawn: when, by whom, in which role, why.
type Withdrawal struct {
	Reason string
	Attribution
}

// statusRow is one decision about an item, the body of an evidence_status row.
type statusRow struct {
	Withdrawn bool   `json:"withdrawn"` // false: reinstated
	Reason    string `json:"reason"`
	Attribution
}

// WithdrawEvidence withdraws item id with a reason (required): it stays
// sealed and listed but is left out of reports and exports. Withdrawing a
// withdrawn item is refused.
func (c *Case) WithdrawEvidence(id uuid.UUID, reason string) (Evidence, error) {
	return c.setEvidenceStatus("withdraw evidence", id, true, reason)
}

// ReinstateEvidence puts a withdrawn item back in force, with a reason
// (required).
func (c *Case) ReinstateEvidence(id uuid.UUID, reason string) (Evidence, error) {
	return c.setEvidenceStatus("reinstate evidence", id, false, reason)
}

func (c *Case) setEvidenceStatus(what string, id uuid.UUID, withdraw bool, reason string) (Evidence, error) {
	if err := checkText("reason", reason, true, MaxReasonLen); err != nil {
		return Evidence{}, fmt.Errorf("%s: %w (say why, for the custody record)", what, err)
	}
	var ev Evidence
	_, err := c.Change(what, func(tx *Tx) (Event, error) {
		var err error
		if ev, err = tx.Evidence(id); err != nil {
			return Event{}, err
		}
		switch {
		case withdraw && ev.Withdrawal != nil:
			return Event{}, invalidf("%s was withdrawn already, on %s by %s", ev.Meta.Name, formatTime(ev.Withdrawal.At), ev.Withdrawal.Examiner)
		case !withdraw && ev.Withdrawal == nil:
			return Event{}, invalidf("%s is not withdrawn", ev.Meta.Name)
		}
		row := statusRow{Withdrawn: withdraw, Reason: reason, Attribution: tx.Stamp()}
		if _, err := tx.AppendRevision(tblEvidenceStatus, id, row); err != nil {
			return Event{}, err
		}
		ev.Withdrawal = nil
		action := ActionEvidenceReinstated
		if withdraw {
			ev.Withdrawal = &Withdrawal{Reason: reason, Attribution: row.Attribution}
			action = ActionEvidenceWithdrawn
		}
		return Event{Action: action, Target: Target{Type: TargetEvidence, ID: id.String()}, Reason: reason,
			Hashes:  map[string]string{"sha256": ev.Meta.Hashes.SHA256},
			Details: map[string]string{"name": ev.Meta.Name}}, nil
	})
	if err != nil {
		return Evidence{}, err
	}
	return ev, nil
}

// withdrawals returns the current withdrawal of every withdrawn item.
func withdrawals(r Reader) (map[uuid.UUID]*Withdrawal, error) {
	rs, err := r.Records(tblEvidenceStatus)
	if err != nil {
		return nil, err
	}
	out := map[uuid.UUID]*Withdrawal{}
	for _, rec := range rs {
		var row statusRow
		if err := rec.Decode(&row); err != nil {
			return nil, err
		}
		if row.Withdrawn {
			out[rec.Parent] = &Withdrawal{Reason: row.Reason, Attribution: row.Attribution}
		} else {
			delete(out, rec.Parent)
		}
	}
	return out, nil
}

// withdrawalOf returns the current withdrawal of item id, or nil.
func withdrawalOf(r Reader, id uuid.UUID) (*Withdrawal, error) {
	rs, err := r.Revisions(tblEvidenceStatus, id)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	var row statusRow
	if err := rs[len(rs)-1].Decode(&row); err != nil {
		return nil, err
	}
	if !row.Withdrawn {
		return nil, nil
	}
	return &Withdrawal{Reason: row.Reason, Attribution: row.Attribution}, nil
}

// InForce reports whether the item counts as evidence: not withdrawn.
// Reports and exports include only items in force.
func (ev Evidence) InForce() bool { return ev.Withdrawal == nil }
