package incident

import (
	"fmt"
	"slices"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// Store is the incident record of one open case. It holds nothing of its
// own: every method reads or changes the case's record tables through
// casefile's record primitive, so a change and its custody entry commit
// together. A Store is safe for concurrent use, as the case is.
type Store struct {
	c *casefile.Case
}

// Of returns the incident of case c.
func Of(c *casefile.Case) *Store { return &Store{c: c} }

// Case returns the case the incident belongs to.
func (s *Store) Case() *casefile.Case { return s.c }

// MaxIndicatorLen bounds one indicator value (URLs and paths included), in
// bytes of UTF-8.
const MaxIndicatorLen = 4_096

// The record tables of migration 0003 (docs/FORMAT.md section 10).
const (
	tblIncident        = "incident_revisions"
	tblClassifications = "incident_classifications"
	tblSeverity        = "incident_severity"
	tblPriority        = "incident_priority"
	tblStages          = "incident_stages"
	tblRoles           = "incident_roles"
	tblIndicators      = "incident_indicators"
	tblActions         = "incident_actions"
	tblMitigations     = "incident_mitigations"
	tblNotifications   = "incident_notifications"
	tblFindings        = "finding_revisions"
	tblPostMortem      = "postmortem_revisions"
	tblRepairItems     = "repair_item_revisions"
)

// tables lists the incident's record tables.
var tables = []string{tblIncident, tblClassifications, tblSeverity, tblPriority, tblStages, tblRoles, tblIndicators,
	tblActions, tblMitigations, tblNotifications, tblFindings, tblPostMortem, tblRepairItems}

// write runs one change of the incident with its custody entry.
func (s *Store) write(what string, fn func(tx *casefile.Tx) (casefile.Event, error)) error {
	_, err := s.c.Change(what, fn)
	return err
}

// target is the target of custody entries about the incident as a whole.
func target(r casefile.Reader) casefile.Target {
	return casefile.Target{Type: TargetIncident, ID: r.CaseID().String()}
}

// requireOpen refuses changes to a closed incident's investigation record;
// doing names what was refused ("before adding findings").
func requireOpen(r casefile.Reader, doing string) (Stage, error) {
	st, err := stage(r)
	if err != nil {
		return "", err
	}
	if st == StageClose {
		return st, ErrIncidentClosed.Errorf("reopen it (with the reason) %s", doing)
	}
	return st, nil
}

// checkEvidenceIDs checks every id names a sealed item and drops repeats.
func checkEvidenceIDs(r casefile.Reader, ids []uuid.UUID) ([]uuid.UUID, error) {
	out := []uuid.UUID{}
	for _, id := range ids {
		if slices.Contains(out, id) {
			continue
		}
		if _, err := r.Evidence(id); err != nil {
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
