package incident

import (
	"fmt"
	"slices"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
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
	return "", casefile.Invalidf("unknown stage %q; stages are detect, assess, diagnose, stabilize, close", s)
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
	casefile.Attribution
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
	// GuardNotification: Close needs a final customer-notification
	// decision: sent, not required (with the reason) or delayed by law
	// enforcement (with the reason) — not one still in progress.
	GuardNotification Guard = "notification-decided"
	// GuardSummary: Close needs the incident summary.
	GuardSummary Guard = "summary-written"
	// GuardDetectionTime: Close needs the time the event was detected.
	GuardDetectionTime Guard = "detection-time-recorded"
	// GuardAwareness: Close needs the time the organization became aware:
	// the regulatory clocks start from it.
	GuardAwareness Guard = "awareness-recorded"
)

// closeGuards are the guards other packages add to every move into Close.
var closeGuards []closeGuard

type closeGuard struct {
	guard Guard
	check func(r casefile.Reader) (string, error)
}

// RegisterCloseGuard adds guard g to every move into Close: check reads
// the case in the move's own transaction (or CheckMove's read) and returns
// what is missing and what to do, or "" when the guard passes. Packages
// built on this one register theirs from a package-level var, as
// casefile/notify does for its notices; every program that links such a
// package (custodiactl and the GUI link them all) enforces its guard. It
// returns true, for use in a var declaration.
func RegisterCloseGuard(g Guard, check func(r casefile.Reader) (string, error)) bool {
	closeGuards = append(closeGuards, closeGuard{g, check})
	return true
}

// ErrGuard is matched by every *GuardError and *MoveError.
var ErrGuard = casefile.NewKind("incident", "the lifecycle refuses the move", "do what each failed guard names, then move the incident again")

// GuardError is one failed guard of a stage change.
type GuardError struct {
	From, To Stage
	Guard    Guard
	Detail   string // what is missing and what to do
}

// Error names the failure and what to do about it.
func (e *GuardError) Error() string { return "incident: " + e.PersonMessage() }

// PersonMessage names the failure and what to do about it, for a person.
func (e *GuardError) PersonMessage() string {
	return fmt.Sprintf("cannot move from %s to %s: %s: %s", e.From.Title(), e.To.Title(), e.Guard, e.Detail)
}

// Hint says what to do about a refused move.
func (e *GuardError) Hint() string { return ErrGuard.Hint() }

// Is makes errors.Is(err, ErrGuard) true.
func (e *GuardError) Is(target error) bool { return target == ErrGuard }

// MoveError reports every failed guard of a refused stage change, not just
// the first. errors.As finds it, and each *GuardError through Unwrap.
type MoveError struct {
	From, To Stage
	Guards   []*GuardError
}

// Error names the failure and what to do about it.
func (e *MoveError) Error() string { return "incident: " + e.PersonMessage() }

// Hint says what to do about a refused move.
func (e *MoveError) Hint() string { return ErrGuard.Hint() }

// PersonMessage names every failed guard and what to do about it, for a
// person.
func (e *MoveError) PersonMessage() string {
	parts := make([]string, len(e.Guards))
	for i, g := range e.Guards {
		parts[i] = fmt.Sprintf("%s: %s", g.Guard, g.Detail)
	}
	n := "1 guard"
	if len(e.Guards) != 1 {
		n = fmt.Sprintf("%d guards", len(e.Guards))
	}
	return fmt.Sprintf("cannot move from %s to %s (%s failed): %s", e.From.Title(), e.To.Title(), n, strings.Join(parts, "; "))
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
func (s *Store) CurrentStage() (Stage, error) {
	var st Stage
	err := s.c.Read("read stage", func(r casefile.Reader) error {
		var err error
		st, err = stage(r)
		return err
	})
	return st, err
}

func stage(r casefile.Reader) (Stage, error) {
	ch, err := casefile.LastOf[StageChange](r, tblStages)
	if err != nil {
		return "", err
	}
	if ch == nil {
		return StageDetect, nil
	}
	if ch.To.Number() == 0 {
		return "", casefile.ErrCorrupt.Errorf("unknown stage %q in the stage history", ch.To)
	}
	return ch.To, nil
}

// NextStages returns the stages the lifecycle allows a move to from the
// current stage, whether or not their guards pass now.
func (s *Store) NextStages() ([]Stage, error) {
	st, err := s.CurrentStage()
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
func (s *Store) CheckMove(to Stage) error {
	return s.c.Read("check move", func(r casefile.Reader) error {
		from, err := stage(r)
		if err != nil {
			return err
		}
		return checkGuards(r, from, to)
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
//   - entering Close needs the incident summary, the detection time, the
//     awareness time (the regulatory clocks start from it), a post-mortem
//     with a summary, an owner for every repair item and a final
//     customer-notification decision (sent, not required or delayed by law
//     enforcement; in progress is not final).
func (s *Store) MoveTo(to Stage, rationale string) (StageChange, error) {
	return s.moveTo(to, rationale, "")
}

// moveTo is MoveTo; a non-empty from requires the incident to be there.
func (s *Store) moveTo(to Stage, rationale string, want Stage) (StageChange, error) {
	if to.Number() == 0 {
		return StageChange{}, fmt.Errorf("move stage: %w", casefile.Invalidf("unknown stage %q", to))
	}
	if err := casefile.CheckText("rationale", rationale, true, casefile.MaxTextLen); err != nil {
		return StageChange{}, fmt.Errorf("move to %s: %w", to.Title(), err)
	}
	var ch StageChange
	err := s.write("move to "+to.Title(), func(tx *casefile.Tx) (casefile.Event, error) {
		from, err := stage(tx)
		if err != nil {
			return casefile.Event{}, err
		}
		if want != "" && from != want {
			return casefile.Event{}, casefile.Invalidf("the incident is in %s, not %s", from.Title(), want.Title())
		}
		if err := checkGuards(tx, from, to); err != nil {
			return casefile.Event{}, err
		}
		ch = StageChange{From: from, To: to, Kind: moveKind(from, to), Rationale: rationale, Attribution: tx.Stamp()}
		if _, err := tx.Append(tblStages, uuid.New(), ch); err != nil {
			return casefile.Event{}, err
		}
		return casefile.Event{Action: ActionStageChanged, Target: target(tx), Reason: rationale,
			Details: map[string]string{"from": string(from), "to": string(to), "move": string(ch.Kind)}}, nil
	})
	return ch, err
}

// Reopen moves a closed incident back to Diagnose (see MoveReopen). The
// reason is required.
func (s *Store) Reopen(reason string) (StageChange, error) {
	return s.moveTo(StageDiagnose, reason, StageClose)
}

// StageHistory returns every stage change, oldest first.
func (s *Store) StageHistory() ([]StageChange, error) {
	return casefile.ReadAll[StageChange](s.c, "read stage history", tblStages)
}

// checkGuards evaluates every guard of the move from → to and returns a
// *MoveError with all that fail, or nil.
func checkGuards(r casefile.Reader, from, to Stage) error {
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
		cl, err := classification(r)
		if err != nil {
			return err
		}
		if cl.Classification == ClassificationUndetermined {
			add(GuardClassified, "classify the event as a security incident or not (with the rationale)")
		}
		if sev, err := casefile.LastOf[SeverityRating](r, tblSeverity); err != nil {
			return err
		} else if sev == nil {
			add(GuardSeverity, "set the severity (1 critical to 4 low) from the severity criteria")
		}
		if pri, err := casefile.LastOf[PriorityRating](r, tblPriority); err != nil {
			return err
		} else if pri == nil {
			add(GuardPriority, "set the priority from the functional impact, informational impact and recoverability")
		}
		holders, err := roleHolders(r)
		if err != nil {
			return err
		}
		if len(holdersOf(holders, casefile.RoleSecurityIncidentManager)) == 0 {
			add(GuardIncidentManager, "assign a Security Incident Manager, who manages the incident through the stages")
		}
		if kind == MoveDismiss && cl.Classification != ClassificationNotSecurityIncident {
			add(GuardNotSecurityIncident, "only an event classified as not a security incident closes from Assess; a security incident is diagnosed and stabilized first")
		}
	}
	if to == StageClose {
		rec, err := currentRecord(r)
		if err != nil {
			return err
		}
		if strings.TrimSpace(rec.Summary) == "" {
			add(GuardSummary, "write the incident summary: what happened and its impact")
		}
		if rec.Detection.DetectedAt.IsZero() {
			add(GuardDetectionTime, "record when the event was detected")
		}
		if rec.Awareness == nil {
			add(GuardAwareness, "record when the organization became aware of the (possible) breach; the regulatory clocks start from it")
		}
		pm, err := casefile.LastOf[PostMortem](r, tblPostMortem)
		if err != nil {
			return err
		}
		switch {
		case pm == nil:
			add(GuardPostMortem, "write the post-mortem, at least its summary")
		case strings.TrimSpace(pm.Summary) == "":
			add(GuardPostMortem, "the post-mortem has no summary; write one")
		}
		items, err := repairItems(r)
		if err != nil {
			return err
		}
		var unowned []string
		for _, it := range items {
			if it.OwnerID == uuid.Nil {
				unowned = append(unowned, fmt.Sprintf("%q", casefile.Brief(it.Description)))
			}
		}
		if len(unowned) > 0 {
			add(GuardRepairOwners, "%d repair item(s) have no owner: %s; assign each to an examiner", len(unowned), strings.Join(unowned, ", "))
		}
		if d, err := casefile.LastOf[NotificationDecision](r, tblNotifications); err != nil {
			return err
		} else if d == nil {
			add(GuardNotification, "record the customer-notification decision: sent, not-required (with the reason) or delayed-by-law-enforcement (with the reason)")
		} else if d.Status == NotificationInProgress {
			add(GuardNotification, "the customer notification is still in progress; record that it was sent, is not required (with the reason) or is delayed by law enforcement (with the reason)")
		}
		for _, g := range closeGuards {
			detail, err := g.check(r)
			if err != nil {
				return err
			}
			if detail != "" {
				add(g.guard, "%s", detail)
			}
		}
	}
	if len(fail.Guards) > 0 {
		return fail
	}
	return nil
}
