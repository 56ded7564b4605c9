package casefile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Stage is a stage of the incident response lifecycle (white paper, table
// "Incident response stages"). A case starts in Detect.
type Stage string

// The five stages.
const (
	StageDetect    Stage = "detect"    // first indication of an event investigation
	StageAssess    Stage = "assess"    // triage: impact, severity, priority, a Security Incident Manager
	StageDiagnose  Stage = "diagnose"  // the technical and forensic investigation
	StageStabilize Stage = "stabilize" // Stabilize & Recover: mitigation and recovery
	StageClose     Stage = "close"     // Close & Post-mortem
)

// Stages lists the stages in order.
var Stages = []Stage{StageDetect, StageAssess, StageDiagnose, StageStabilize, StageClose}

var stageTitles = map[Stage]string{
	StageDetect: "Detect", StageAssess: "Assess", StageDiagnose: "Diagnose",
	StageStabilize: "Stabilize & Recover", StageClose: "Close & Post-mortem",
}

// Title returns the stage's name as the process document writes it.
func (s Stage) Title() string {
	if t, ok := stageTitles[s]; ok {
		return t
	}
	return string(s)
}

// Number returns the stage's position, 1 (Detect) to 5 (Close), or 0 for
// an unknown stage.
func (s Stage) Number() int { return slices.Index(Stages, s) + 1 }

// ParseStage accepts a stage id ("stabilize") or its title ("Stabilize &
// Recover"), case-insensitively.
func ParseStage(s string) (Stage, error) {
	t := strings.TrimSpace(s)
	for _, st := range Stages {
		if strings.EqualFold(string(st), t) || strings.EqualFold(st.Title(), t) {
			return st, nil
		}
	}
	return "", invalidf("unknown stage %q; stages are detect, assess, diagnose, stabilize, close", s)
}

// MoveKind says what kind of move a stage change was.
type MoveKind string

// The moves the lifecycle allows:
//
//	forward  detect → assess → diagnose → stabilize → close, one stage at a time
//	back     stabilize → diagnose ("the team may move back and forth between
//	         diagnose and stabilize as the investigation progresses")
//	dismiss  assess → close, only for an event classified as not a security
//	         incident: "the assessment may or may not result in further
//	         escalation" — a false positive is closed, with its post-mortem
//	         and notification decision, without a diagnosis
//	reopen   close → diagnose, with a mandatory reason. A reopened incident
//	         goes back to Diagnose, not Assess: it is reopened because of new
//	         facts that need investigating, and its classification, severity,
//	         priority and roles stay on record and can be revised in any
//	         open stage.
const (
	MoveForward MoveKind = "forward"
	MoveBack    MoveKind = "back"
	MoveDismiss MoveKind = "dismiss"
	MoveReopen  MoveKind = "reopen"
)

// MoveKindOf returns the kind of the move from → to (forward, back,
// dismiss, reopen), or "" if the lifecycle does not allow it.
func MoveKindOf(from, to Stage) MoveKind { return moveKind(from, to) }

// moveKind returns the kind of the move from → to, or "" if the lifecycle
// does not allow it.
func moveKind(from, to Stage) MoveKind {
	switch {
	case from == StageStabilize && to == StageDiagnose:
		return MoveBack
	case from == StageAssess && to == StageClose:
		return MoveDismiss
	case from == StageClose && to == StageDiagnose:
		return MoveReopen
	case from.Number() > 0 && to.Number() == from.Number()+1:
		return MoveForward
	}
	return ""
}

// StageChange is one move of the incident through the lifecycle.
type StageChange struct {
	From      Stage    `json:"from"`
	To        Stage    `json:"to"`
	Kind      MoveKind `json:"kind"`
	Rationale string   `json:"rationale"`
	Attribution
}

// Guard names a condition a stage change must meet.
type Guard string

// The guards.
const (
	// GuardAllowedMove: the lifecycle allows the move at all (see MoveKind).
	GuardAllowedMove Guard = "allowed-move"
	// GuardClassified: leaving Assess needs a classification other than undetermined.
	GuardClassified Guard = "classified"
	// GuardSeverity: leaving Assess needs a severity.
	GuardSeverity Guard = "severity-set"
	// GuardPriority: leaving Assess needs a priority.
	GuardPriority Guard = "priority-set"
	// GuardIncidentManager: leaving Assess needs an assigned Security Incident Manager.
	GuardIncidentManager Guard = "incident-manager-assigned"
	// GuardNotSecurityIncident: dismissing from Assess straight to Close
	// needs the classification not-security-incident.
	GuardNotSecurityIncident Guard = "not-a-security-incident"
	// GuardPostMortem: Close needs a post-mortem with a summary.
	GuardPostMortem Guard = "post-mortem-written"
	// GuardRepairOwners: Close needs an owner for every repair item.
	GuardRepairOwners Guard = "repair-items-owned"
	// GuardNotification: Close needs a customer-notification decision.
	GuardNotification Guard = "notification-decided"
)

// ErrGuard is matched by every *GuardError and *MoveError.
var ErrGuard = errors.New("casefile: the lifecycle refuses the move")

// GuardError is one failed guard of a stage change.
type GuardError struct {
	From, To Stage
	Guard    Guard
	Detail   string // what is missing and what to do
}

// Error names the failure and what to do about it.
func (e *GuardError) Error() string {
	return fmt.Sprintf("casefile: cannot move from %s to %s: %s: %s", e.From.Title(), e.To.Title(), e.Guard, e.Detail)
}

// Is makes errors.Is(err, ErrGuard) true.
func (e *GuardError) Is(target error) bool { return target == ErrGuard }

// MoveError reports every failed guard of a refused stage change, not just
// the first. errors.As finds it, and each *GuardError through Unwrap.
type MoveError struct {
	From, To Stage
	Guards   []*GuardError
}

// Error names the failure and what to do about it.
func (e *MoveError) Error() string {
	parts := make([]string, len(e.Guards))
	for i, g := range e.Guards {
		parts[i] = fmt.Sprintf("%s: %s", g.Guard, g.Detail)
	}
	n := "1 guard"
	if len(e.Guards) != 1 {
		n = fmt.Sprintf("%d guards", len(e.Guards))
	}
	return fmt.Sprintf("casefile: cannot move from %s to %s (%s failed): %s", e.From.Title(), e.To.Title(), n, strings.Join(parts, "; "))
}

// Unwrap returns the failed guards.
func (e *MoveError) Unwrap() []error {
	out := make([]error, len(e.Guards))
	for i, g := range e.Guards {
		out[i] = g
	}
	return out
}

// Is makes errors.Is(err, ErrGuard) true.
func (e *MoveError) Is(target error) bool { return target == ErrGuard }

// Failed reports whether guard g is among the failed guards.
func (e *MoveError) Failed(g Guard) bool {
	return slices.ContainsFunc(e.Guards, func(x *GuardError) bool { return x.Guard == g })
}

// CurrentStage returns the incident's stage.
func (c *Case) CurrentStage() (Stage, error) {
	var st Stage
	err := c.read("read stage", func(ctx context.Context, q querier) error {
		var err error
		st, err = c.stage(ctx, q)
		return err
	})
	return st, err
}

func (c *Case) stage(ctx context.Context, q querier) (Stage, error) {
	ch, err := lastOf[StageChange](ctx, c, q, tblStages)
	if err != nil {
		return "", err
	}
	if ch == nil {
		return StageDetect, nil
	}
	if ch.To.Number() == 0 {
		return "", fmt.Errorf("%w: unknown stage %q in the stage history", ErrCorrupt, ch.To)
	}
	return ch.To, nil
}

// NextStages returns the stages the lifecycle allows a move to from the
// current stage, whether or not their guards pass now.
func (c *Case) NextStages() ([]Stage, error) {
	st, err := c.CurrentStage()
	if err != nil {
		return nil, err
	}
	var out []Stage
	for _, to := range Stages {
		if moveKind(st, to) != "" {
			out = append(out, to)
		}
	}
	return out, nil
}

// CheckMove reports whether MoveTo(to) would pass every guard now: nil, or
// the *MoveError MoveTo would return. It records nothing.
func (c *Case) CheckMove(to Stage) error {
	return c.read("check move", func(ctx context.Context, q querier) error {
		from, err := c.stage(ctx, q)
		if err != nil {
			return err
		}
		return c.checkGuards(ctx, q, from, to)
	})
}

// MoveTo moves the incident to stage to, with a rationale (required).
// Guards are checked in the same transaction as the move; a refusal is a
// *MoveError listing every failed guard:
//
//   - only the moves of MoveKind are allowed (GuardAllowedMove);
//   - leaving Assess needs a classification other than undetermined, a
//     severity, a priority and an assigned Security Incident Manager;
//   - moving from Assess straight to Close needs the classification
//     not-security-incident;
//   - entering Close needs a post-mortem with a summary, an owner for every
//     repair item and a customer-notification decision.
func (c *Case) MoveTo(to Stage, rationale string) (StageChange, error) {
	return c.moveTo(to, rationale, "")
}

// moveTo is MoveTo; a non-empty from requires the incident to be there.
func (c *Case) moveTo(to Stage, rationale string, want Stage) (StageChange, error) {
	if to.Number() == 0 {
		return StageChange{}, fmt.Errorf("move stage: %w", invalidf("unknown stage %q", to))
	}
	if err := checkText("rationale", rationale, true, MaxTextLen); err != nil {
		return StageChange{}, fmt.Errorf("move to %s: %w", to.Title(), err)
	}
	var ch StageChange
	err := c.write("move to "+to.Title(), func(ctx context.Context, tx *sql.Tx, now time.Time) (Event, error) {
		from, err := c.stage(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		if want != "" && from != want {
			return Event{}, invalidf("the incident is in %s, not %s", from.Title(), want.Title())
		}
		if err := c.checkGuards(ctx, tx, from, to); err != nil {
			return Event{}, err
		}
		ch = StageChange{From: from, To: to, Kind: moveKind(from, to), Rationale: rationale, Attribution: c.stamp(now)}
		if _, err := c.appendRow(ctx, tx, tblStages, uuid.New(), uuid.Nil, ch); err != nil {
			return Event{}, err
		}
		return Event{Action: ActionStageChanged, Target: c.incidentTarget(), Reason: rationale,
			Details: map[string]string{"from": string(from), "to": string(to), "move": string(ch.Kind)}}, nil
	})
	return ch, err
}

// Reopen moves a closed incident back to Diagnose (see MoveReopen). The
// reason is required.
func (c *Case) Reopen(reason string) (StageChange, error) {
	return c.moveTo(StageDiagnose, reason, StageClose)
}

// StageHistory returns every stage change, oldest first.
func (c *Case) StageHistory() ([]StageChange, error) {
	return readTable[StageChange](c, "read stage history", tblStages)
}

// checkGuards evaluates every guard of the move from → to and returns a
// *MoveError with all that fail, or nil.
func (c *Case) checkGuards(ctx context.Context, q querier, from, to Stage) error {
	kind := moveKind(from, to)
	fail := &MoveError{From: from, To: to}
	add := func(g Guard, format string, args ...any) {
		fail.Guards = append(fail.Guards, &GuardError{From: from, To: to, Guard: g, Detail: fmt.Sprintf(format, args...)})
	}
	if kind == "" {
		var next []string
		for _, s := range Stages {
			if moveKind(from, s) != "" {
				next = append(next, s.Title())
			}
		}
		detail := "the incident moves one stage forward at a time, or between Diagnose and Stabilize"
		if from == to {
			detail = "the incident is in that stage already"
		}
		add(GuardAllowedMove, "%s; from %s it can move to %s", detail, from.Title(), strings.Join(next, " or "))
		return fail
	}
	if from == StageAssess {
		cl, err := c.classification(ctx, q)
		if err != nil {
			return err
		}
		if cl.Classification == ClassificationUndetermined {
			add(GuardClassified, "classify the event as a security incident or not (with the rationale)")
		}
		if sev, err := lastOf[SeverityRating](ctx, c, q, tblSeverity); err != nil {
			return err
		} else if sev == nil {
			add(GuardSeverity, "set the severity (1 critical to 4 low) from the severity criteria")
		}
		if pri, err := lastOf[PriorityRating](ctx, c, q, tblPriority); err != nil {
			return err
		} else if pri == nil {
			add(GuardPriority, "set the priority from the functional impact, informational impact and recoverability")
		}
		holders, err := c.roleHolders(ctx, q)
		if err != nil {
			return err
		}
		if len(holdersOf(holders, RoleSecurityIncidentManager)) == 0 {
			add(GuardIncidentManager, "assign a Security Incident Manager, who manages the incident through the stages")
		}
		if kind == MoveDismiss && cl.Classification != ClassificationNotSecurityIncident {
			add(GuardNotSecurityIncident, "only an event classified as not a security incident closes from Assess; a security incident is diagnosed and stabilized first")
		}
	}
	if to == StageClose {
		pm, err := lastOf[PostMortem](ctx, c, q, tblPostMortem)
		if err != nil {
			return err
		}
		switch {
		case pm == nil:
			add(GuardPostMortem, "write the post-mortem, at least its summary")
		case strings.TrimSpace(pm.Summary) == "":
			add(GuardPostMortem, "the post-mortem has no summary; write one")
		}
		items, err := c.repairItems(ctx, q)
		if err != nil {
			return err
		}
		var unowned []string
		for _, it := range items {
			if it.OwnerID == uuid.Nil {
				unowned = append(unowned, fmt.Sprintf("%q", short(it.Description)))
			}
		}
		if len(unowned) > 0 {
			add(GuardRepairOwners, "%d repair item(s) have no owner: %s; assign each to an examiner", len(unowned), strings.Join(unowned, ", "))
		}
		if d, err := lastOf[NotificationDecision](ctx, c, q, tblNotifications); err != nil {
			return err
		} else if d == nil {
			add(GuardNotification, "record the customer-notification decision: not-required (with the reason), in-progress, sent, or delayed-by-law-enforcement (with the reason)")
		}
	}
	if len(fail.Guards) > 0 {
		return fail
	}
	return nil
}
