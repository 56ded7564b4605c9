package casefile

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

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
	Attribution
}

// DecideNotification records a customer-notification decision. Not-required
// and delayed-by-law-enforcement need a reason. Allowed at every stage, also
// after Close (a delayed notification is sent later).
func (c *Case) DecideNotification(status NotificationStatus, reason string) (NotificationDecision, error) {
	if !slices.Contains(NotificationStatuses, status) {
		return NotificationDecision{}, fmt.Errorf("decide notification: %w", invalidf("unknown notification status %q; use not-required, in-progress, sent or delayed-by-law-enforcement", status))
	}
	required := status == NotificationNotRequired || status == NotificationDelayedByLawEnforcement
	if err := checkText("reason", reason, required, MaxTextLen); err != nil {
		if required {
			return NotificationDecision{}, fmt.Errorf("decide notification: %w (a %s decision must say why)", err, status)
		}
		return NotificationDecision{}, fmt.Errorf("decide notification: %w", err)
	}
	var d NotificationDecision
	err := c.write("decide notification", func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		prev, err := lastOf[NotificationDecision](ctx, c, tx, tblNotifications)
		if err != nil {
			return Event{}, err
		}
		d = NotificationDecision{Status: status, Reason: reason, Attribution: c.stamp(now)}
		if _, err := c.appendRow(ctx, tx, tblNotifications, uuid.New(), uuid.Nil, d); err != nil {
			return Event{}, err
		}
		details := map[string]string{"status": string(status)}
		if prev != nil {
			details["previous"] = string(prev.Status)
		}
		return Event{Action: ActionNotificationDecided, Target: c.incidentTarget(), Reason: reason, Details: details}, nil
	})
	return d, err
}

// NotificationHistory returns every notification decision, oldest first.
func (c *Case) NotificationHistory() ([]NotificationDecision, error) {
	return readTable[NotificationDecision](c, "read notification decisions", tblNotifications)
}
