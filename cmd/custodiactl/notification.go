package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

var notificationCommand = &command{
	name:    "notification",
	summary: "decide and show the customer-notification track",
	about: `If customer data may have been accessed by an unlawful or unauthorized party,
the security incident manager starts the customer security incident
notification process, in parallel with the investigation; the executive
incident manager's incident declaration starts official notification. The
case records each decision about it, and the incident closes only once one
was made.

Statuses:
  not-required                no customer notification is due (--reason required)
  in-progress                 scoping, drafting or confirmation is under way
  sent                        the affected customers were notified
  delayed-law-enforcement     delayed at the direction of law enforcement
                              (--reason required: who directed it, until when)`,
	sub: []*command{
		{
			name:    "decide",
			summary: "record a customer-notification decision",
			about: `Open CASE and record the notification decision STATUS, with --reason (required
for not-required and delayed-law-enforcement). Allowed at every stage, also
after close. Recorded as notification.decided.

Statuses: not-required, in-progress, sent, delayed-law-enforcement.`,
			synopsis: "CASE STATUS [--reason TEXT]",
			params: []param{caseParam, {name: "STATUS", check: func(_ *call, s string) (string, error) {
				st, err := parseNotificationStatus(s)
				return string(st), err
			}}},
			opens: true, changes: true,
			records: incident.ActionNotificationDecided,
			check:   checkNotificationDecide,
			do:      runNotificationDecide,
		},
		{
			name:    "show",
			summary: "show the notification decisions",
			about:   `Open CASE and show the current customer-notification decision and every earlier one.`,
			params:  []param{caseParam},
			flags:   []flagDef{jsonFlag},
			opens:   true,
			do:      runNotificationShow,
		},
		notificationStartCommand,
		notificationTriggerCommand,
		notificationRegimesCommand,
		notificationDelayCommand,
		notificationTrackCommand,
		notificationClocksCommand,
	},
}

// notificationAliases are the CLI's spellings of the notification statuses.
var notificationAliases = map[string]incident.NotificationStatus{
	"delayed-law-enforcement": incident.NotificationDelayedByLawEnforcement,
}

var notificationChoices = []incident.NotificationStatus{incident.NotificationNotRequired, incident.NotificationInProgress,
	incident.NotificationSent, "delayed-law-enforcement"}

func parseNotificationStatus(s string) (incident.NotificationStatus, error) {
	return parseChoice(s, "notification status", notificationChoices, notificationAliases)
}

// notificationWord is a status as the CLI spells it.
func notificationWord(st incident.NotificationStatus) string {
	for word, id := range notificationAliases {
		if id == st {
			return word
		}
	}
	return string(st)
}

func checkNotificationDecide(in *call) error {
	st := incident.NotificationStatus(in.args[1])
	if (st == incident.NotificationNotRequired || st == incident.NotificationDelayedByLawEnforcement) &&
		strings.TrimSpace(in.reason) == "" {
		return in.usagef("--reason is required with %s: say why", notificationWord(st))
	}
	return nil
}

func runNotificationDecide(in *call, c *casefile.Case) error {
	d, err := incident.Of(c).DecideNotification(incident.NotificationStatus(in.args[1]), in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "decided: customer notification %s\n", d.Status)
	return nil
}

func runNotificationShow(in *call, c *casefile.Case) error {
	hist, err := incident.Of(c).NotificationHistory()
	if err != nil {
		return err
	}
	if in.on("json") {
		j := notificationsJSON{History: make([]notificationJSON, 0, len(hist))}
		for _, d := range hist {
			j.History = append(j.History, toNotificationJSON(d))
		}
		if len(hist) > 0 {
			j.Current = &j.History[len(hist)-1]
		}
		return writeJSON(in.stdout, j)
	}
	w := in.stdout
	if len(hist) == 0 {
		fmt.Fprint(w, "Status:  (not decided)\n")
		return nil
	}
	last := hist[len(hist)-1]
	writeField(w, 9, "Status", string(last.Status))
	writeField(w, 9, "Reason", orNone(printable(last.Reason, true)))
	writeField(w, 9, "Decided", byText(last.Attribution))
	fmt.Fprintf(w, "History: %d\n", len(hist))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range hist {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", textTime(d.At), d.Status, printable(d.Examiner, false), orDash(printable(d.Reason, false)))
	}
	tw.Flush()
	return nil
}

// notificationJSON is the JSON form of a notification decision; its field
// names are a stable interface for scripts.
type notificationJSON struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
	attributionJSON
}

type notificationsJSON struct {
	Current *notificationJSON  `json:"current"` // null before the first decision
	History []notificationJSON `json:"history"`
}

func toNotificationJSON(d incident.NotificationDecision) notificationJSON {
	return notificationJSON{Status: string(d.Status), Reason: d.Reason, attributionJSON: toAttributionJSON(d.Attribution)}
}
