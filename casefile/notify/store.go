// Package notify is the notification track of a case (issue 15; the white
// paper's 2.3): when the organisation became aware, the decisions that start
// legal clocks, the applicable regimes, law-enforcement delays, the
// executive incident manager's declaration, the impacted customers and the
// notices drafted, approved (four eyes, signed by the approver's own
// custody entry) and sent.
//
// Like casefile/incident, a Store holds nothing of its own: every method
// reads or changes the record tables of migration 0007 through casefile's
// record primitive, one custody entry per change. It stores what the
// regulatory clocks need (package casefile/notify/regime computes them):
// trigger decisions with their times, regime ids, delays, and which notice
// met which regime's obligation.
package notify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// Store is the notification track of one open case.
type Store struct {
	c *casefile.Case
}

// Of returns the notification track of case c.
func Of(c *casefile.Case) *Store { return &Store{c: c} }

// Case returns the case the track belongs to.
func (s *Store) Case() *casefile.Case { return s.c }

// The record tables of migration 0007 (docs/FORMAT.md section 13).
const (
	tblTracks       = "notification_tracks"
	tblTriggers     = "notification_triggers"
	tblRegimes      = "notification_regimes"
	tblDelays       = "notification_delays"
	tblDeclarations = "notification_declarations"
	tblCustomers    = "notification_customers"
	tblNotices      = "notice_revisions"
	tblApprovals    = "notice_approvals"
	tblSendings     = "notice_sendings"
)

// Target types of the track's custody entries.
const (
	TargetTrack    = "notification-track"
	TargetCustomer = "customer"
	TargetNotice   = "notice"
)

// The actions of the notification track, each with its permission.
const (
	ActionTrackStarted     casefile.Action = "notification.track-started"
	ActionTriggerRecorded  casefile.Action = "notification.trigger-recorded"
	ActionRegimesSet       casefile.Action = "notification.regimes-set"
	ActionDelayRecorded    casefile.Action = "notification.delay-recorded"
	ActionBreachDeclared   casefile.Action = "breach.declared"
	ActionNoBreachDeclared casefile.Action = "breach.not-declared"
	ActionCustomersImport  casefile.Action = "customer.imported"
	ActionCustomerAdded    casefile.Action = "customer.added"
	ActionCustomerEdited   casefile.Action = "customer.edited"
	ActionNoticeDrafted    casefile.Action = "notice.drafted"
	ActionNoticeEdited     casefile.Action = "notice.edited"
	ActionNoticeApproved   casefile.Action = "notice.approved"
	ActionNoticeExported   casefile.Action = "notice.exported"
	ActionNoticeSent       casefile.Action = "notice.sent"
)

var _ = casefile.RegisterAction(ActionTrackStarted, casefile.PermNotificationTrack)
var _ = casefile.RegisterAction(ActionTriggerRecorded, casefile.PermNotificationTrack)
var _ = casefile.RegisterAction(ActionRegimesSet, casefile.PermNotificationTrack)
var _ = casefile.RegisterAction(ActionDelayRecorded, casefile.PermLawEnforcementDelay)
var _ = casefile.RegisterAction(ActionBreachDeclared, casefile.PermDeclareBreach)
var _ = casefile.RegisterAction(ActionNoBreachDeclared, casefile.PermDeclareBreach)
var _ = casefile.RegisterAction(ActionCustomersImport, casefile.PermCustomerScope)
var _ = casefile.RegisterAction(ActionCustomerAdded, casefile.PermCustomerScope)
var _ = casefile.RegisterAction(ActionCustomerEdited, casefile.PermCustomerScope)
var _ = casefile.RegisterAction(ActionNoticeDrafted, casefile.PermNoticeDraft)
var _ = casefile.RegisterAction(ActionNoticeEdited, casefile.PermNoticeDraft)
var _ = casefile.RegisterAction(ActionNoticeApproved, casefile.PermNoticeApprove)
var _ = casefile.RegisterAction(ActionNoticeExported, casefile.PermNoticeSend)
var _ = casefile.RegisterAction(ActionNoticeSent, casefile.PermNoticeSend)

// Errors of the notification track. Test with errors.Is.
var (
	// ErrNotStarted means a change needs the track started first.
	ErrNotStarted = casefile.NewKind("notify", "the notification track is not started",
		"start it first ('custodiactl notification start CASE --aware-at T --reason TEXT')")
	// ErrNoSuchCustomer means no impacted customer has the id given.
	ErrNoSuchCustomer = casefile.NewKind("notify", "no such customer", "list them ('custodiactl customer list') and use one of the ids shown")
	// ErrNoSuchNotice means no notice has the id given.
	ErrNoSuchNotice = casefile.NewKind("notify", "no such notice", "list them ('custodiactl notice list') and use one of the ids shown")
	// ErrFourEyes means an author of a notice tried to approve it.
	ErrFourEyes = casefile.NewKind("notify", "a notice is approved by someone other than its authors (four eyes)",
		"ask an examiner who did not write it and may approve notices (Security Incident Manager, Executive Incident Manager or Legal Advisor) to approve it")
	// ErrCSV means an imported customer file is malformed; nothing of it
	// was stored.
	ErrCSV = casefile.NewKind("notify", "the customer file is malformed",
		"fix the line and column named (columns: id,name,admin_contacts,jurisdiction,data_categories,data_subjects) and import the whole file again; nothing of it was stored")
)

// write runs one change of the track with its custody entry.
func (s *Store) write(what string, fn func(tx *casefile.Tx) (casefile.Event, error)) error {
	_, err := s.c.Change(what, fn)
	return err
}

// require checks permission p before anything runs.
func (s *Store) require(what string, p casefile.Permission) error {
	if err := s.c.Require(p); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func trackTarget(r casefile.Reader) casefile.Target {
	return casefile.Target{Type: TargetTrack, ID: r.CaseID().String()}
}

// heldRoles names the roles ex holds, for refusals: "Forensic Engineer,
// Security Incident Manager" or "no role".
func heldRoles(ex casefile.Examiner) string {
	if len(ex.Roles) == 0 {
		return "no role"
	}
	t := make([]string, len(ex.Roles))
	for i, r := range ex.Roles {
		t[i] = r.Title()
	}
	return strings.Join(t, ", ")
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

// uniqueIDs drops repeated ids, keeping the first of each.
func uniqueIDs(ids []uuid.UUID) []uuid.UUID {
	out := []uuid.UUID{}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// stamp is tx.Stamp with the role whose authority the change uses for
// permission p, as its custody entry records it: the acting role when it
// may, else the first role the actor holds that may.
func stamp(tx *casefile.Tx, p casefile.Permission) casefile.Attribution {
	a := tx.Stamp()
	if casefile.May(a.Role, p) {
		return a
	}
	ex := tx.Actor()
	for _, r := range casefile.Roles {
		if ex.HasRole(r) && casefile.May(r, p) {
			a.Role = r
			break
		}
	}
	return a
}
