package app

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// incidentFacts is what the incident areas (Incident, Assessment,
// Lifecycle, Indicators, Findings, Response, Post-mortem, the roles of
// Examiners) and the dashboard show of the case's incident record. It is read off the UI goroutine when
// the case opens and again after every change made through the window
// (UI.change), so the views never query the case themselves.
type incidentFacts struct {
	inc             incident.Incident
	stages          []incident.StageChange
	moves           []stageMove // the moves the lifecycle allows now, with their guards
	classifications []incident.ClassificationDecision
	severities      []incident.SeverityRating
	priorities      []incident.PriorityRating
	indicators      []incident.Indicator
	roleHistory     []incident.RoleAssignment
	actions         []incident.ResponseAction
	mitigations     []incident.Mitigation
	notifications   []incident.NotificationDecision
	findings        []incident.Finding
	postMortem      *incident.PostMortem // the latest revision; nil before the first
	repairs         []incident.RepairItem

	err error // the first read that failed; the rest may be partial
}

// stageMove is one move the lifecycle allows from the current stage and
// whether its guards pass now.
type stageMove struct {
	to      incident.Stage
	refused *incident.MoveError // the guards that fail now; nil when all pass
	err     error               // the check itself failed
}

// readIncident reads the incident record of c. It runs off the UI
// goroutine.
func readIncident(c *casefile.Case) incidentFacts {
	var f incidentFacts
	keep := func(err error) {
		if err != nil && f.err == nil {
			f.err = err
		}
	}
	var err error
	f.inc, err = incident.Of(c).Incident()
	keep(err)
	f.stages, err = incident.Of(c).StageHistory()
	keep(err)
	next, err := incident.Of(c).NextStages()
	keep(err)
	for _, to := range next {
		m := stageMove{to: to}
		if err := incident.Of(c).CheckMove(to); err != nil {
			if !errors.As(err, &m.refused) {
				m.err = err
			}
		}
		f.moves = append(f.moves, m)
	}
	f.classifications, err = incident.Of(c).ClassificationHistory()
	keep(err)
	f.severities, err = incident.Of(c).SeverityHistory()
	keep(err)
	f.priorities, err = incident.Of(c).PriorityHistory()
	keep(err)
	f.indicators, err = incident.Of(c).Indicators()
	keep(err)
	f.roleHistory, err = incident.Of(c).RoleHistory()
	keep(err)
	f.actions, err = incident.Of(c).ResponseActions()
	keep(err)
	f.mitigations, err = incident.Of(c).Mitigations()
	keep(err)
	f.notifications, err = incident.Of(c).NotificationHistory()
	keep(err)
	f.findings, err = incident.Of(c).Findings()
	keep(err)
	pm, ok, err := incident.Of(c).PostMortem()
	keep(err)
	if ok {
		f.postMortem = &pm
	}
	f.repairs, err = incident.Of(c).RepairItems()
	keep(err)
	return f
}

// move returns the allowed move to stage to, or nil.
func (f incidentFacts) move(to incident.Stage) *stageMove {
	for i := range f.moves {
		if f.moves[i].to == to {
			return &f.moves[i]
		}
	}
	return nil
}

// indicator returns the indicator with id, or nil.
func (f incidentFacts) indicator(id uuid.UUID) *incident.Indicator {
	return find(f.indicators, func(x *incident.Indicator) bool { return x.ID == id })
}

// now is the time the GUI measures "since" and "overdue" against: the
// case's clock when the configuration gives one (tests), else the system
// clock.
func (u *UI) now() time.Time {
	if clk := u.cfg.CaseOptions.Clock; clk != nil {
		return clk().UTC()
	}
	return time.Now().UTC()
}

// change runs do against the open case off the UI goroutine, then reads
// the incident and custody facts again and shows them in the area on
// screen. done, if not nil, runs afterwards on the UI goroutine with do's
// error. Every change to the incident record goes through here, so the
// views never show a state older than the change they asked for.
func (u *UI) change(do func(c *casefile.Case) error, done func(err error)) {
	u.changeFacts(factsIncident|factsCustody, do, done)
}

// changeFacts is change for a change that makes the facts in what stale
// (a withdrawal: the evidence and the custody record).
func (u *UI) changeFacts(what factSet, do func(c *casefile.Case) error, done func(err error)) {
	cv := u.cv
	if cv == nil {
		return
	}
	u.runJob(func() func() {
		err := do(cv.oc.c)
		return u.afterChange(cv, what, func() {
			if done != nil {
				done(err)
			}
		})
	})
}

// attribution says who recorded something, in which role, and when:
// "Sam Okafor (Forensic Engineer), 2026-03-14T09:26:53Z".
func attribution(a casefile.Attribution) string {
	who := shownLine(a.Examiner)
	if a.Role != "" {
		who += " (" + a.Role.Title() + ")"
	}
	if a.At.IsZero() {
		return who
	}
	return who + ", " + a.At.UTC().Format(timeLayout)
}

// sinceText writes how long ago t was, relative to now: "3 d 4 h",
// "2 h 05 min", "12 min", "just now"; "—" for a zero time.
func sinceText(t, now time.Time) string {
	if t.IsZero() {
		return notSet
	}
	d := now.Sub(t)
	if d < 0 {
		return "in the future (" + t.UTC().Format(timeLayout) + ")"
	}
	mins := int64(d / time.Minute)
	switch {
	case mins < 1:
		return "just now"
	case mins < 60:
		return fmt.Sprintf("%d min", mins)
	case mins < 48*60:
		return fmt.Sprintf("%d h %02d min", mins/60, mins%60)
	}
	return fmt.Sprintf("%d d %d h", mins/(24*60), mins/60%24)
}

// timeInputLayouts are the forms a person may type a time in; all but the
// first two are read as UTC.
var timeInputLayouts = []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// parseTimeInput reads a time typed by a person: RFC 3339 with a zone
// ("2026-03-14T08:10:00Z", "…+01:00") or a UTC date and time
// ("2026-03-14 08:10"). When it cannot be used, problem says why.
func parseTimeInput(s string) (t time.Time, problem string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, "Type a time: 2026-03-14T08:10:00Z, or 2026-03-14 08:10 for UTC."
	}
	for _, layout := range timeInputLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), ""
		}
	}
	return time.Time{}, fmt.Sprintf("%q is not a time: type it as 2026-03-14T08:10:00Z (RFC 3339, any zone) or 2026-03-14 08:10 (UTC).", s)
}

// parseDateInput reads a calendar day typed as 2026-03-31.
func parseDateInput(s string) (t time.Time, problem string) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Sprintf("%q is not a date: type it as 2026-03-31.", s)
	}
	return t, ""
}

// lines splits a text into its non-empty lines, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// commaList splits "a, b,c" into its non-empty items, trimmed.
func commaList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// guardTitles name the guards of the lifecycle as the Lifecycle area
// lists them.
var guardTitles = map[incident.Guard]string{
	incident.GuardAllowedMove:         "Allowed move",
	incident.GuardClassified:          "Classification",
	incident.GuardSeverity:            "Severity",
	incident.GuardPriority:            "Priority",
	incident.GuardIncidentManager:     "Security Incident Manager",
	incident.GuardNotSecurityIncident: "Not a security incident",
	incident.GuardPostMortem:          "Post-mortem",
	incident.GuardRepairOwners:        "Repair item owners",
	incident.GuardNotification:        "Notification decision",
	incident.GuardSummary:             "Summary",
	incident.GuardDetectionTime:       "Detection time",
	incident.GuardAwareness:           "Awareness",
}

// guardTitle names guard g.
func guardTitle(g incident.Guard) string {
	if t, ok := guardTitles[g]; ok {
		return t
	}
	return string(g)
}

// guardLines lists every failed guard of a refused move, one per line:
// "• Severity — set the severity (1 critical to 4 low) from the severity
// criteria."
func guardLines(me *incident.MoveError) string {
	out := make([]string, len(me.Guards))
	for i, g := range me.Guards {
		d := sentence(strings.TrimSpace(shown(g.Detail)))
		if !strings.HasSuffix(d, ".") {
			d += "."
		}
		out[i] = "• " + guardTitle(g.Guard) + " — " + d
	}
	return strings.Join(out, "\n")
}

// refusalText is how a form shows a refusal from casefile: the failed
// guards of a refused move one per line, any other refusal as a sentence,
// each followed by what to do.
func refusalText(err error) string {
	var me *incident.MoveError
	if errors.As(err, &me) {
		return fmt.Sprintf("The move from %s to %s is refused: %s fail.\n%s\n%s", me.From.Title(), me.To.Title(),
			plural(len(me.Guards), "guard", "guards"), guardLines(me), hint(err))
	}
	msg, h, known := casefile.Explain(err)
	if !known {
		return userMessage(err) + " " + hint(err)
	}
	msg = endSentence(sentence(msg))
	if h == "" {
		return msg + " " + hint(err)
	}
	return msg + " " + endSentence(sentence(h))
}

// refusedInForm reports whether err is a refusal a form shows under its
// fields (a rule casefile checked), rather than a failure for a dialog.
func refusedInForm(err error) bool {
	for _, target := range []error{casefile.ErrInvalid, incident.ErrGuard, incident.ErrIncidentClosed,
		incident.ErrExerciseIncident, casefile.ErrUnknownExaminer, casefile.ErrNoSuchEvidence,
		incident.ErrNoSuchIndicator, incident.ErrNoSuchFinding, incident.ErrNoSuchRepairItem} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
