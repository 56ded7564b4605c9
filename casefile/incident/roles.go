package incident

import (
	"fmt"
	"slices"

	"github.com/custodia-dfir/custodia/casefile"
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
	Role       casefile.Role `json:"assigned_role"`
	ExaminerID uuid.UUID     `json:"assignee_id"`
	Examiner   string        `json:"assignee_name"`
	Released   bool          `json:"released"` // false: assigned
	Granted    bool          `json:"granted"`  // the assignment added Role to the examiner's roles
	Reason     string        `json:"reason"`
	casefile.Attribution
}

// RoleHolder is an examiner currently assigned to a role.
type RoleHolder struct {
	Role       casefile.Role
	ExaminerID uuid.UUID
	Examiner   string
	Since      casefile.Attribution // the assignment
}

// AssignRole assigns examiner (a UUID or a name) to role (an id or a title,
// as ParseRole accepts) in this incident.
// An unknown examiner is ErrUnknownExaminer; one without a key slot (who
// can no longer act) or a recovery-key identity is refused. Allowed at every
// stage.
func (s *Store) AssignRole(role casefile.Role, examiner, reason string) (RoleAssignment, error) {
	return s.assignRole(role, examiner, reason, false)
}

// ReleaseRole ends examiner's assignment to role in this incident. The
// examiner keeps the role in Examiner.Roles.
func (s *Store) ReleaseRole(role casefile.Role, examiner, reason string) (RoleAssignment, error) {
	return s.assignRole(role, examiner, reason, true)
}

func (s *Store) assignRole(role casefile.Role, examiner, reason string, release bool) (RoleAssignment, error) {
	what := "assign role"
	if release {
		what = "release role"
	}
	role, err := casefile.ParseRole(string(role))
	if err != nil {
		return RoleAssignment{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := casefile.CheckText("reason", reason, false, casefile.MaxTextLen); err != nil {
		return RoleAssignment{}, fmt.Errorf("%s: %w", what, err)
	}
	var ra RoleAssignment
	err = s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		ex, err := tx.FindExaminer(examiner)
		if err != nil {
			return casefile.Event{}, err
		}
		holders, err := roleHolders(tx)
		if err != nil {
			return casefile.Event{}, err
		}
		holds := slices.ContainsFunc(holders, func(h RoleHolder) bool { return h.Role == role && h.ExaminerID == ex.ID })
		switch {
		case release && !holds:
			return casefile.Event{}, casefile.Invalidf("%s is not assigned as %s", ex.Name, role.Title())
		case !release && holds:
			return casefile.Event{}, casefile.Invalidf("%s is assigned as %s already", ex.Name, role.Title())
		case !release && ex.Kind == casefile.SlotRecovery:
			return casefile.Event{}, casefile.Invalidf("%s is a recovery key, not a person; assign roles to people", ex.Name)
		case !release && !ex.Active:
			return casefile.Event{}, casefile.Invalidf("%s no longer has a key slot and cannot act on the case; add them again first", ex.Name)
		}
		ra = RoleAssignment{Role: role, ExaminerID: ex.ID, Examiner: ex.Name, Released: release, Reason: reason, Attribution: tx.Stamp()}
		if !release && !ex.HasRole(role) {
			if ex, err = tx.GrantRole(ex, role); err != nil {
				return casefile.Event{}, err
			}
			ra.Granted = true
		}
		if _, err := tx.Append(tblRoles, uuid.New(), ra); err != nil {
			return casefile.Event{}, err
		}
		action := ActionRoleAssigned
		if release {
			action = ActionRoleReleased
		}
		return casefile.Event{Action: action, Target: casefile.Target{Type: casefile.TargetExaminer, ID: ex.ID.String()}, Reason: reason,
			Details: map[string]string{"role": string(role), "examiner": ex.Name, "granted": fmt.Sprint(ra.Granted)}}, nil
	})
	return ra, err
}

// RoleHolders returns who holds which role now, in the order of Roles and
// then of assignment.
func (s *Store) RoleHolders() ([]RoleHolder, error) {
	var out []RoleHolder
	err := s.c.Read("read role holders", func(r casefile.Reader) error {
		var err error
		out, err = roleHolders(r)
		return err
	})
	return out, err
}

// RoleHistory returns every assignment and release, oldest first.
func (s *Store) RoleHistory() ([]RoleAssignment, error) {
	return casefile.ReadAll[RoleAssignment](s.c, "read role history", tblRoles)
}

func roleHolders(r casefile.Reader) ([]RoleHolder, error) {
	rows, err := r.Records(tblRoles)
	if err != nil {
		return nil, err
	}
	hist, err := casefile.DecodeRecords[RoleAssignment](rows)
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
	slices.SortStableFunc(out, func(a, b RoleHolder) int {
		return slices.Index(casefile.Roles, a.Role) - slices.Index(casefile.Roles, b.Role)
	})
	return out, nil
}

// holdersOf returns the names of the examiners holding role.
func holdersOf(hs []RoleHolder, role casefile.Role) []string {
	var names []string
	for _, h := range hs {
		if h.Role == role {
			names = append(names, h.Examiner)
		}
	}
	return names
}
