package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// guardHelp says, for each guard, when it applies and what it needs, in
// the order casefile checks them.
var guardHelp = []struct {
	guard incident.Guard
	about string
}{
	{incident.GuardAllowedMove, "every move: the lifecycle allows it (see the moves above)"},
	{incident.GuardClassified, "leaving assess: classified, not undetermined ('incident set --classification')"},
	{incident.GuardSeverity, "leaving assess: a severity is set ('incident set --severity')"},
	{incident.GuardPriority, "leaving assess: a priority is set ('incident set --priority')"},
	{incident.GuardIncidentManager, "leaving assess: a Security Incident Manager is assigned ('role assign')"},
	{incident.GuardNotSecurityIncident, "assess to close: classified non-security"},
	{incident.GuardSummary, "entering close: the incident summary ('incident set --summary')"},
	{incident.GuardDetectionTime, "entering close: the detection time ('incident set --detected-at')"},
	{incident.GuardAwareness, "entering close: the awareness time ('incident set --aware')"},
	{incident.GuardPostMortem, "entering close: a post-mortem with a summary ('postmortem set')"},
	{incident.GuardRepairOwners, "entering close: every repair item has an owner ('repair assign')"},
	{incident.GuardNotification, "entering close: a final customer-notification decision, not in-progress ('notification decide')"},
}

// guardFix names the command that satisfies each guard, for hints.
var guardFix = map[incident.Guard]string{
	incident.GuardClassified:          "set the classification with 'custodiactl incident set --classification'",
	incident.GuardSeverity:            "set the severity with 'custodiactl incident set --severity'",
	incident.GuardPriority:            "set the priority with 'custodiactl incident set --priority'",
	incident.GuardIncidentManager:     "assign a Security Incident Manager with 'custodiactl role assign'",
	incident.GuardNotSecurityIncident: "move a security incident on to diagnose instead",
	incident.GuardSummary:             "write the incident summary with 'custodiactl incident set --summary'",
	incident.GuardDetectionTime:       "record the detection time with 'custodiactl incident set --detected-at'",
	incident.GuardAwareness:           "record the awareness time with 'custodiactl incident set --aware --aware-at'",
	incident.GuardPostMortem:          "write the post-mortem summary with 'custodiactl postmortem set'",
	incident.GuardRepairOwners:        "give each repair item an owner with 'custodiactl repair assign'",
	incident.GuardNotification:        "record the notification decision with 'custodiactl notification decide'",
}

func stageAbout() string {
	var b strings.Builder
	b.WriteString(`With CASE alone, show the incident's stage, the stages it can move to next
and, for each, whether its guards pass now and which fail; --json gives the
same with the stage history.

With STAGE, move the incident there, with --reason (required) as the
rationale. The guards of the move are checked when it is made; a refused
move changes nothing, exits 1 and prints every guard that failed, one per
line as "guard NAME: detail". 'stage CASE reopen' moves a closed incident
back to diagnose.

Stages, in order (a case starts in detect):
`)
	for _, st := range incident.Stages {
		fmt.Fprintf(&b, "  %-10s %s\n", st, st.Title())
	}
	b.WriteString(`
Moves:
  forward  detect, assess, diagnose, stabilize, close: one stage at a time
  back     stabilize to diagnose, as the investigation needs
  dismiss  assess to close, for an event classified non-security only
  reopen   close to diagnose ('stage CASE reopen'), for new facts

Guards:
`)
	width := 0
	for _, g := range guardHelp {
		width = max(width, len(g.guard))
	}
	for _, g := range guardHelp {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, g.guard, g.about)
	}
	return b.String()
}

var stageCommand = &command{
	name:     "stage",
	synopsis: "CASE [STAGE|reopen] [--reason TEXT] [--json]",
	summary:  "show the incident's lifecycle stage, or move it",
	about:    stageAbout(),
	params: []param{caseParam, {name: "STAGE|reopen", optional: true, check: func(_ *call, s string) (string, error) {
		if isReopen(s) {
			return "reopen", nil
		}
		st, err := incident.ParseStage(s)
		if err != nil {
			return "", fmt.Errorf("%s; or reopen", problem(err))
		}
		return string(st), nil
	}}},
	flags: []flagDef{{name: "json", isBool: true, usage: "print JSON instead of text (when showing the stage)"}},
	opens: true, changes: true,
	records: incident.ActionStageChanged,
	check:   checkStage,
	do:      runStage,
}

func isReopen(word string) bool { return strings.EqualFold(strings.TrimSpace(word), "reopen") }

// checkStage checks that the flags go with showing (CASE alone) or with a
// move (CASE STAGE).
func checkStage(in *call) error {
	if len(in.args) == 1 {
		if in.given("reason") {
			return in.usagef("--reason goes with a move: give the STAGE to move to")
		}
		return nil
	}
	if in.on("json") {
		return in.usagef("--json goes with showing the stage, not with a move")
	}
	if strings.TrimSpace(in.reason) == "" {
		return in.usagef("--reason is required: it is recorded as the rationale of the move")
	}
	return nil
}

func runStage(in *call, c *casefile.Case) error {
	if len(in.args) == 1 {
		return showStage(in, c)
	}
	path, word := in.args[0], in.args[1]
	var ch incident.StageChange
	var err error
	if word == "reopen" {
		ch, err = incident.Of(c).Reopen(in.reason)
	} else {
		ch, err = incident.Of(c).MoveTo(incident.Stage(word), in.reason)
	}
	if err != nil {
		return moveError(err, path, word)
	}
	fmt.Fprintf(in.stdout, "moved: %s to %s (%s)\n", ch.From.Title(), ch.To.Title(), ch.Kind)
	return nil
}

// refusedMove is a move the lifecycle refused, printed with one line per
// failed guard.
type refusedMove struct {
	*incident.MoveError
}

func (e *refusedMove) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the incident cannot move from %s to %s: %s failed", e.From.Title(), e.To.Title(),
		plural(len(e.Guards), "guard", "guards"))
	for _, g := range e.Guards {
		b.WriteString("\n")
		b.WriteString(guardLine(g))
	}
	return b.String()
}

func (e *refusedMove) Unwrap() error { return e.MoveError }

// guardLine is one failed guard: "guard NAME: detail".
func guardLine(g *incident.GuardError) string {
	return fmt.Sprintf("guard %s: %s", g.Guard, printable(g.Detail, false))
}

// moveError turns a refused move into the error a person reads: every
// failed guard, and what to run about each.
func moveError(err error, path, word string) error {
	me, ok := errors.AsType[*incident.MoveError](err)
	if !ok {
		if errors.Is(err, casefile.ErrInvalid) && strings.EqualFold(word, "reopen") {
			return withHint(err, fmt.Sprintf("only a closed incident is reopened; 'custodiactl stage %s' shows its stage and where it can move", path))
		}
		return err
	}
	var fixes []string
	for _, g := range me.Guards {
		if f, ok := guardFix[g.Guard]; ok {
			fixes = append(fixes, f)
		}
	}
	hint := fmt.Sprintf("'custodiactl stage %s' shows where the incident can move and what each move needs", path)
	if len(fixes) > 0 {
		hint = strings.Join(fixes, "; ") + "; then run 'custodiactl stage " + path + " " + word + "' again"
	}
	return withHint(&refusedMove{me}, hint)
}

// nextStage is a stage the incident can move to and the guards that fail now.
type nextStage struct {
	stage  incident.Stage
	failed []*incident.GuardError
}

func showStage(in *call, c *casefile.Case) error {
	st, err := incident.Of(c).CurrentStage()
	if err != nil {
		return err
	}
	stages, err := incident.Of(c).NextStages()
	if err != nil {
		return err
	}
	var next []nextStage
	for _, to := range stages {
		n := nextStage{stage: to}
		if err := incident.Of(c).CheckMove(to); err != nil {
			me, ok := errors.AsType[*incident.MoveError](err)
			if !ok {
				return err
			}
			n.failed = me.Guards
		}
		next = append(next, n)
	}
	hist, err := incident.Of(c).StageHistory()
	if err != nil {
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, stageToJSON(st, next, hist))
	}
	writeStageText(in.stdout, st, next, hist)
	return nil
}

func writeStageText(w io.Writer, st incident.Stage, next []nextStage, hist []incident.StageChange) {
	fmt.Fprintf(w, "Stage:  %s (%d of %d)\n", st.Title(), st.Number(), len(incident.Stages))
	fmt.Fprint(w, "Next:")
	if len(next) == 0 {
		fmt.Fprint(w, "   (none)")
	}
	fmt.Fprintln(w)
	for _, n := range next {
		state := "ready"
		if len(n.failed) > 0 {
			state = "blocked, " + plural(len(n.failed), "guard fails", "guards fail")
		}
		fmt.Fprintf(w, "  %-10s %s\n", n.stage, state)
		for _, g := range n.failed {
			fmt.Fprintf(w, "    %s\n", guardLine(g))
		}
	}
	fmt.Fprintf(w, "History: %s\n", count(len(hist)))
	for _, h := range hist {
		fmt.Fprintf(w, "  %s  %s to %s (%s) by %s: %s\n", textTime(h.At), h.From, h.To, h.Kind,
			printable(h.Examiner, false), printable(h.Rationale, false))
	}
}

// stageJSON is the JSON form of 'stage CASE'; its field names are a stable
// interface for scripts.
type stageJSON struct {
	Stage   string            `json:"stage"`
	Title   string            `json:"title"`
	Number  int               `json:"number"`
	Next    []nextStageJSON   `json:"next"`
	History []stageChangeJSON `json:"history"`
}

type nextStageJSON struct {
	Stage  string      `json:"stage"`
	Title  string      `json:"title"`
	Ready  bool        `json:"ready"`
	Guards []guardJSON `json:"failed_guards"`
}

type guardJSON struct {
	Guard  string `json:"guard"`
	Detail string `json:"detail"`
}

type stageChangeJSON struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Kind      string `json:"kind"`
	Rationale string `json:"rationale"`
	attributionJSON
}

func stageToJSON(st incident.Stage, next []nextStage, hist []incident.StageChange) stageJSON {
	j := stageJSON{Stage: string(st), Title: st.Title(), Number: st.Number(),
		Next: make([]nextStageJSON, 0, len(next)), History: make([]stageChangeJSON, 0, len(hist))}
	for _, n := range next {
		nj := nextStageJSON{Stage: string(n.stage), Title: n.stage.Title(), Ready: len(n.failed) == 0,
			Guards: make([]guardJSON, 0, len(n.failed))}
		for _, g := range n.failed {
			nj.Guards = append(nj.Guards, guardJSON{Guard: string(g.Guard), Detail: g.Detail})
		}
		j.Next = append(j.Next, nj)
	}
	for _, h := range hist {
		j.History = append(j.History, stageChangeJSON{From: string(h.From), To: string(h.To), Kind: string(h.Kind),
			Rationale: h.Rationale, attributionJSON: toAttributionJSON(h.Attribution)})
	}
	return j
}
