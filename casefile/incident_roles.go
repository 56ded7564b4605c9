package casefile

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Role assignment and examiner roles are two different facts:
//
//   - Examiner.Roles says what a person may act as: the roles they can pick
//     when opening the case (Options.Role, Case.SetRole), which their custody
//     entries then name.
//   - A role assignment says who fills a role in this incident: who IS the
//     Security Incident Manager, the Communications Manager…
//
// Assigning a role to an examiner who cannot act in it yet also grants it:
// the role is added to the examiner's sealed roles in the same transaction,
// and the role.assigned entry says so (details granted=true). Releasing an
// assignment does not take the role away, because past custody entries were
// signed in it and the person keeps the capability. Several examiners may
// hold one role, and one examiner several roles; handing a role over is an
// assignment of the new holder and a release of the old one.

// RoleAssignment is one assignment or release of a role.
// The assignee's fields have their own JSON names: the embedded
// Attribution (who made the assignment, in which role) uses role,
// examiner_id and examiner.
type RoleAssignment struct {
	Role       Role      `json:"assigned_role"`
	ExaminerID uuid.UUID `json:"assignee_id"`
	Examiner   string    `json:"assignee_name"`
	Released   bool      `json:"released"` // false: assigned
	Granted    bool      `json:"granted"`  // the assignment added Role to the examiner's roles
	Reason     string    `json:"reason"`
	Attribution
}

// RoleHolder is an examiner currently assigned to a role.
type RoleHolder struct {
	Role       Role
	ExaminerID uuid.UUID
	Examiner   string
	Since      Attribution // the assignment
}

// AssignRole assigns examiner (a UUID or a name) to role (an id or a title,
// as ParseRole accepts) in this incident.
// An unknown examiner is ErrUnknownExaminer; one without a key slot (who
// can no longer act) or a recovery-key identity is refused. Allowed at every
// stage.
func (c *Case) AssignRole(role Role, examiner, reason string) (RoleAssignment, error) {
	return c.assignRole(role, examiner, reason, false)
}

// ReleaseRole ends examiner's assignment to role in this incident. The
// examiner keeps the role in Examiner.Roles.
func (c *Case) ReleaseRole(role Role, examiner, reason string) (RoleAssignment, error) {
	return c.assignRole(role, examiner, reason, true)
}

func (c *Case) assignRole(role Role, examiner, reason string, release bool) (RoleAssignment, error) {
	what := "assign role"
	if release {
		what = "release role"
	}
	role, err := ParseRole(string(role))
	if err != nil {
		return RoleAssignment{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := checkText("reason", reason, false, MaxTextLen); err != nil {
		return RoleAssignment{}, fmt.Errorf("%s: %w", what, err)
	}
	var ra RoleAssignment
	var granted *Examiner
	err = c.write(what, func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		ex, err := c.lookupExaminer(ctx, tx, examiner)
		if err != nil {
			return Event{}, err
		}
		holders, err := c.roleHolders(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		holds := slices.ContainsFunc(holders, func(h RoleHolder) bool { return h.Role == role && h.ExaminerID == ex.ID })
		switch {
		case release && !holds:
			return Event{}, invalidf("%s is not assigned as %s", ex.Name, role.Title())
		case !release && holds:
			return Event{}, invalidf("%s is assigned as %s already", ex.Name, role.Title())
		case !release && ex.Kind == SlotRecovery:
			return Event{}, invalidf("%s is a recovery key, not a person; assign roles to people", ex.Name)
		case !release && !ex.Active:
			return Event{}, invalidf("%s no longer has a key slot and cannot act on the case; add them again first", ex.Name)
		}
		ra = RoleAssignment{Role: role, ExaminerID: ex.ID, Examiner: ex.Name, Released: release, Reason: reason, Attribution: c.stamp(now)}
		if !release && !ex.HasRole(role) {
			ex.Roles = append(slices.Clone(ex.Roles), role)
			if err := c.updateExaminerRoles(ctx, tx, ex); err != nil {
				return Event{}, err
			}
			ra.Granted, granted = true, &ex
		}
		if _, err := c.appendRow(ctx, tx, tblRoles, uuid.New(), uuid.Nil, ra); err != nil {
			return Event{}, err
		}
		action := ActionRoleAssigned
		if release {
			action = ActionRoleReleased
		}
		return Event{Action: action, Target: Target{Type: TargetExaminer, ID: ex.ID.String()}, Reason: reason,
			Details: map[string]string{"role": string(role), "examiner": ex.Name, "granted": fmt.Sprint(ra.Granted)}}, nil
	})
	if err == nil && granted != nil {
		c.mu.Lock()
		if c.actor.ID == granted.ID {
			c.actor.Roles = granted.Roles
		}
		c.mu.Unlock()
	}
	return ra, err
}

// updateExaminerRoles reseals ex.Roles into the examiners table.
func (c *Case) updateExaminerRoles(ctx context.Context, tx *sql.Tx, ex Examiner) error {
	js, err := json.Marshal(ex.Roles)
	if err != nil {
		return err
	}
	sealed, err := c.rec.seal("examiners", ex.ID.String(), "roles", js)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE examiners SET roles = ? WHERE examiner_uuid = ?`, sealed, ex.ID.String())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("%w: %q", ErrUnknownExaminer, ex.Name)
	}
	return nil
}

// RoleHolders returns who holds which role now, in the order of Roles and
// then of assignment.
func (c *Case) RoleHolders() ([]RoleHolder, error) {
	var out []RoleHolder
	err := c.read("read role holders", func(ctx context.Context, q querier) error {
		var err error
		out, err = c.roleHolders(ctx, q)
		return err
	})
	return out, err
}

// RoleHistory returns every assignment and release, oldest first.
func (c *Case) RoleHistory() ([]RoleAssignment, error) {
	return readTable[RoleAssignment](c, "read role history", tblRoles)
}

func (c *Case) roleHolders(ctx context.Context, q querier) ([]RoleHolder, error) {
	rows, err := c.readRows(ctx, q, tblRoles, uuid.Nil)
	if err != nil {
		return nil, err
	}
	hist, err := decodeRows[RoleAssignment](tblRoles, rows)
	if err != nil {
		return nil, err
	}
	var out []RoleHolder
	for _, a := range hist {
		i := slices.IndexFunc(out, func(h RoleHolder) bool { return h.Role == a.Role && h.ExaminerID == a.ExaminerID })
		switch {
		case a.Released && i >= 0:
			out = slices.Delete(out, i, i+1)
		case !a.Released && i < 0:
			out = append(out, RoleHolder{Role: a.Role, ExaminerID: a.ExaminerID, Examiner: a.Examiner, Since: a.Attribution})
		}
	}
	slices.SortStableFunc(out, func(a, b RoleHolder) int { return slices.Index(Roles, a.Role) - slices.Index(Roles, b.Role) })
	return out, nil
}

// holdersOf returns the names of the examiners holding role.
func holdersOf(hs []RoleHolder, role Role) []string {
	var names []string
	for _, h := range hs {
		if h.Role == role {
			names = append(names, h.Examiner)
		}
	}
	return names
}
