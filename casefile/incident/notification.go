package incident

import (
	"fmt"
	"slices"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// NotificationStatus is the state of the customer security incident
// notification track (white paper, 2.3), as far as closing the incident is
// concerned: an incident closes only once someone decided about it.
type NotificationStatus string

// Notification statuses.
const (
	// NotificationNotRequired: no customer notification is due; the reason is required.
	NotificationNotRequired NotificationStatus = "not-required"
	// NotificationInProgress: scoping, drafting or confirmation is under way.
	NotificationInProgress NotificationStatus = "in-progress"
	// NotificationSent: the affected customers were notified.
	NotificationSent NotificationStatus = "sent"
	// NotificationDelayedByLawEnforcement: delayed at the direction of law
	// enforcement (2.3.4); the reason (who directed it, until when) is required.
	NotificationDelayedByLawEnforcement NotificationStatus = "delayed-by-law-enforcement"
)

// NotificationStatuses lists the statuses.
var NotificationStatuses = []NotificationStatus{NotificationNotRequired, NotificationInProgress, NotificationSent, NotificationDelayedByLawEnforcement}

// NotificationDecision is one decision about customer notification.
type NotificationDecision struct {
	Status NotificationStatus `json:"status"`
	Reason string             `json:"reason"`
	casefile.Attribution
}

// DecideNotification records a customer-notification decision. Not-required
// and delayed-by-law-enforcement need a reason. Allowed at every stage, also
// after Close (a delayed notification is sent later).
func (s *Store) DecideNotification(status NotificationStatus, reason string) (NotificationDecision, error) {
	if !slices.Contains(NotificationStatuses, status) {
		return NotificationDecision{}, fmt.Errorf("decide notification: %w", casefile.Invalidf("unknown notification status %q; use not-required, in-progress, sent or delayed-by-law-enforcement", status))
	}
	required := status == NotificationNotRequired || status == NotificationDelayedByLawEnforcement
	if err := casefile.CheckText("reason", reason, required, casefile.MaxTextLen); err != nil {
		if required {
			return NotificationDecision{}, fmt.Errorf("decide notification: %w (a %s decision must say why)", err, status)
		}
		return NotificationDecision{}, fmt.Errorf("decide notification: %w", err)
	}
	var d NotificationDecision
	err := s.write("decide notification", func(tx *casefile.Tx) (casefile.Event, error) {
		prev, err := casefile.LastOf[NotificationDecision](tx, tblNotifications)
		if err != nil {
			return casefile.Event{}, err
		}
		d = NotificationDecision{Status: status, Reason: reason, Attribution: tx.Stamp()}
		if _, err := tx.Append(tblNotifications, uuid.New(), d); err != nil {
			return casefile.Event{}, err
		}
		details := map[string]string{"status": string(status)}
		if prev != nil {
			details["previous"] = string(prev.Status)
		}
		return casefile.Event{Action: ActionNotificationDecided, Target: target(tx), Reason: reason, Details: details}, nil
	})
	return d, err
}

// NotificationHistory returns every notification decision, oldest first.
func (s *Store) NotificationHistory() ([]NotificationDecision, error) {
	return casefile.ReadAll[NotificationDecision](s.c, "read notification decisions", tblNotifications)
}
