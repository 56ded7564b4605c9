package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
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
			args:    "CASE STATUS --reason TEXT",
			summary: "record a customer-notification decision",
			about: `Open CASE and record the notification decision STATUS, with --reason (required
for not-required and delayed-law-enforcement). Allowed at every stage, also
after close. Recorded as notification.decided.

Statuses: not-required, in-progress, sent, delayed-law-enforcement.`,
			run: runNotificationDecide,
		},
		{
			name:    "show",
			args:    "CASE [--json]",
			summary: "show the notification decisions",
			about:   `Open CASE and show the current customer-notification decision and every earlier one.`,
			run:     runNotificationShow,
		},
	},
}

// notificationAliases are the CLI's spellings of the notification statuses.
var notificationAliases = map[string]casefile.NotificationStatus{
	"delayed-law-enforcement": casefile.NotificationDelayedByLawEnforcement,
}

var notificationChoices = []casefile.NotificationStatus{casefile.NotificationNotRequired, casefile.NotificationInProgress,
	casefile.NotificationSent, "delayed-law-enforcement"}

func runNotificationDecide(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	var cf caseFlags
	cf.addOpenFlags(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE", "STATUS")
	if err != nil {
		return err
	}
	status, err := parseChoice(pos[1], "notification status", notificationChoices, notificationAliases)
	if err != nil {
		return inv.usagef("%v", err)
	}
	if (status == casefile.NotificationNotRequired || status == casefile.NotificationDelayedByLawEnforcement) &&
		strings.TrimSpace(string(cf.reason)) == "" {
		return inv.usagef("--reason is required with %s: say why", pos[1])
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		d, err := c.DecideNotification(status, string(cf.reason))
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.stdout, "decided: customer notification %s\n", d.Status)
		writeRecordedHead(inv.stdout, c, casefile.ActionNotificationDecided)
		return nil
	})
}

func runNotificationShow(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		hist, err := c.NotificationHistory()
		if err != nil {
			return err
		}
		if *asJSON {
			j := notificationsJSON{History: make([]notificationJSON, 0, len(hist))}
			for _, d := range hist {
				j.History = append(j.History, toNotificationJSON(d))
			}
			if len(hist) > 0 {
				j.Current = &j.History[len(hist)-1]
			}
			return writeJSON(inv.stdout, j)
		}
		w := inv.stdout
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
	})
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

func toNotificationJSON(d casefile.NotificationDecision) notificationJSON {
	return notificationJSON{Status: string(d.Status), Reason: d.Reason, attributionJSON: toAttributionJSON(d.Attribution)}
}
