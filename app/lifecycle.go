package app

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// lifecycleArea is the Lifecycle area: the stage stepper, a card for each
// move the lifecycle allows now, each saying whether its guards pass and
// listing every one that fails, Reopen for a closed incident, and the stage
// history.
type lifecycleArea struct{}

func (lifecycleArea) title() string            { return "Lifecycle" }
func (lifecycleArea) icon() fyne.ThemeIconName { return theme.IconNameViewRefresh }
func (lifecycleArea) fill() bool               { return false }

// lifecycleView is the Lifecycle area on screen. It shows oc.incident and
// changes the case only through recordForms and UI.change.
type lifecycleView struct {
	u  *UI
	cv *caseView

	stepper     *stageStepper
	stageNote   *widget.Label
	loadProblem *widget.Label

	intro      *widget.Label
	moves      *fyne.Container
	buttons    map[incident.Stage]*actionButton // the move buttons on show
	guards     map[incident.Stage]*widget.Label // what each move's guards say
	reopen     *actionButton                    // shown for a closed incident
	historySrc *listSource[incident.StageChange]
	history    *dataTable
	root       *fyne.Container
}

func (a lifecycleArea) build(cv *caseView) areaView {
	lv := &lifecycleView{u: cv.u, cv: cv}
	lv.stepper = newStageStepper(cv.oc.incident.inc.Stage)
	lv.stageNote = widget.NewLabel("")
	lv.stageNote.Wrapping = fyne.TextWrapWord
	lv.loadProblem = problemLabel()
	lv.intro = widget.NewLabel("")
	lv.intro.Wrapping = fyne.TextWrapWord
	lv.moves = container.NewVBox()
	lv.reopen = cv.action("Reopen…", theme.ViewRefreshIcon(), lv.showReopen)
	lv.historySrc = newListSource([]listColumn[incident.StageChange]{
		{dataColumn{title: "Time (UTC)", width: 220}, func(ch *incident.StageChange) dataCell {
			return cell(ch.At.UTC().Format(timeLayout))
		}, nil},
		{dataColumn{title: "By", width: 320}, func(ch *incident.StageChange) dataCell {
			return cell(attribution(casefile.Attribution{Examiner: ch.Examiner, Role: ch.Role}))
		}, nil},
		{dataColumn{title: "Move", width: 110}, func(ch *incident.StageChange) dataCell { return cell(moveKindTitle(ch.Kind)) }, nil},
		{dataColumn{title: "From → to", width: 320}, func(ch *incident.StageChange) dataCell {
			return cell(ch.From.Title() + " → " + ch.To.Title())
		}, nil},
		{dataColumn{title: "Rationale", width: 400}, func(ch *incident.StageChange) dataCell {
			return dataCell{text: oneLine(shown(ch.Rationale)), full: shown(ch.Rationale)}
		}, nil},
	}, nil)
	lv.history = lv.historySrc.table(cv.u, 2, 12).withDetails() // rationales are long
	lv.root = container.NewVBox(
		heading(a.title()),
		lv.stepper, lv.stageNote, lv.loadProblem,
		subheading("Next stage"), lv.intro, lv.moves,
		subheading("Stage history"), lv.history.box,
	)
	lv.load(cv.oc.incident)
	return lv
}

func (lv *lifecycleView) content() fyne.CanvasObject { return lv.root }

func (lv *lifecycleView) refresh(what factSet) {
	if what.has(factsIncident) || lv.cv.whyNoChange() != "" {
		lv.load(lv.cv.oc.incident)
	}
}

// load shows newly read incident facts.
func (lv *lifecycleView) load(f incidentFacts) {
	lv.stepper.SetStage(f.inc.Stage)
	lv.stageNote.SetText(stageNote(f, lv.u.now()))
	showLoadProblem(lv.loadProblem, f)
	why := lv.cv.whyNot(casefile.PermMoveStage)
	cur := f.inc.Stage
	lv.buttons = map[incident.Stage]*actionButton{}
	lv.guards = map[incident.Stage]*widget.Label{}
	var cards []fyne.CanvasObject
	switch {
	case cur == incident.StageClose:
		lv.intro.SetText("The incident is closed. Its post-mortem, repair items and notification decision stay editable. " +
			"Reopening it (with the reason) returns it to Diagnose for new facts.")
		lv.reopen.allow(why)
		cards = append(cards, container.NewHBox(lv.reopen))
	case len(f.moves) == 0:
		lv.intro.SetText("No move is possible from " + cur.Title() + ".")
	default:
		lv.intro.SetText(fmt.Sprintf("From %s the lifecycle allows %s. Each move is checked against its guards now; "+
			"a move whose guards fail lists what is missing.", cur.Title(), plural(len(f.moves), "move", "moves")))
		for _, m := range f.moves {
			cards = append(cards, lv.moveCard(cur, m, why))
		}
	}
	lv.moves.Objects = cards
	lv.moves.Refresh()

	hist := make([]incident.StageChange, 0, len(f.stages))
	for i := len(f.stages) - 1; i >= 0; i-- { // newest first
		hist = append(hist, f.stages[i])
	}
	lv.historySrc.set(hist)
	lv.history.reload()
	relayout(lv.root)
}

// stageNote says where the incident is, since when and on whose move.
func stageNote(f incidentFacts, now time.Time) string {
	st := f.inc.Stage
	if len(f.stages) == 0 {
		return fmt.Sprintf("In %s since the case was created.", st.Title())
	}
	last := f.stages[len(f.stages)-1]
	verb := "In " + st.Title()
	if st == incident.StageClose {
		verb = "Closed"
	}
	since := sinceText(last.At, now)
	if since != "just now" {
		since += " ago"
	}
	return fmt.Sprintf("%s since %s (%s), moved by %s.", verb, last.At.UTC().Format(timeLayout), since,
		attribution(casefile.Attribution{Examiner: last.Examiner, Role: last.Role}))
}

// stageDescriptions say what happens in each stage (white paper, table
// "Incident response stages").
var stageDescriptions = map[incident.Stage]string{
	incident.StageDetect: "First indication of an event investigation: record how and when it was detected, and when the " +
		"organization became aware of it.",
	incident.StageAssess: "Triage: classify the event, set its severity and priority, and assign a Security Incident Manager.",
	incident.StageDiagnose: "The technical and forensic investigation: findings on the evidence, containment, mitigation " +
		"and workaround strategies. Customer notification starts in parallel if customer data may be exposed.",
	incident.StageStabilize: "Stabilize and recover: emergency mitigation, a recovery plan, and checks that the risk is " +
		"contained. The team may move back to Diagnose as the investigation progresses.",
	incident.StageClose: "The post-mortem: lapses, procedures and SOP updates, with an owner and date for every repair item.",
}

// moveKindOf is the kind of the lifecycle move from → to, as casefile
// allows them (incident.MoveKind).
func moveKindOf(from, to incident.Stage) incident.MoveKind {
	if k := incident.MoveKindOf(from, to); k != "" {
		return k
	}
	return incident.MoveForward
}

// moveButtonText is what the button of a move says.
func moveButtonText(from, to incident.Stage) string {
	switch moveKindOf(from, to) {
	case incident.MoveBack:
		return "Back to " + to.Title() + "…"
	case incident.MoveDismiss:
		return "Close as not a security incident…"
	case incident.MoveReopen:
		return "Reopen…"
	}
	return "Move to " + to.Title() + "…"
}

// moveKindTitle names a move kind in the stage history.
func moveKindTitle(k incident.MoveKind) string {
	switch k {
	case incident.MoveForward:
		return "Forward"
	case incident.MoveBack:
		return "Back"
	case incident.MoveDismiss:
		return "Dismissed"
	case incident.MoveReopen:
		return "Reopened"
	}
	return string(k)
}

// moveCard shows one allowed move: its button, enabled when every guard
// passes, and the verdict of its guards.
func (lv *lifecycleView) moveCard(cur incident.Stage, m stageMove, whyNot string) fyne.CanvasObject {
	to := m.to
	icon := theme.NavigateNextIcon()
	if moveKindOf(cur, to) == incident.MoveBack {
		icon = theme.NavigateBackIcon()
	}
	b := lv.cv.action(moveButtonText(cur, to), icon, func() { lv.showMove(to) })
	title := widget.NewLabelWithStyle(to.Title(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	what := widget.NewLabel(stageDescriptions[to])
	what.Wrapping = fyne.TextWrapWord
	verdict := widget.NewLabel("")
	verdict.Wrapping = fyne.TextWrapWord
	colour := theme.ColorNameSuccess
	switch {
	case m.err != nil:
		verdict.SetText("The guards could not be checked: " + userMessage(m.err) + " " + hint(m.err))
		verdict.Importance = widget.DangerImportance
		colour = theme.ColorNameError
		b.allow("the guards could not be checked: " + userMessage(m.err))
	case m.refused != nil:
		verdict.SetText(fmt.Sprintf("Refused now — %s:\n%s", plural(len(m.refused.Guards), "guard fails", "guards fail"),
			guardLines(m.refused)))
		verdict.Importance = widget.DangerImportance
		colour = theme.ColorNameError
		b.allow(guardsWhy(m.refused))
	default:
		verdict.SetText("Every guard passes: the move can be made.")
		verdict.Importance = widget.SuccessImportance
		b.Importance = widget.HighImportance
		b.allow(whyNot)
	}
	if whyNot != "" {
		b.allow(whyNot)
	}
	lv.buttons[to] = b
	lv.guards[to] = verdict
	return banner(colour, container.NewBorder(nil, nil, nil, container.NewVBox(b), container.NewVBox(title, what, verdict)))
}

// showMove opens the form that moves the incident to stage to, with the
// rationale the move needs. A move whose guards fail now can still be
// asked for (casefile checks again and refuses it); the form lists the
// failed guards first.
func (lv *lifecycleView) showMove(to incident.Stage) {
	f := lv.cv.oc.incident
	cur := f.inc.Stage
	title := strings.TrimSuffix(moveButtonText(cur, to), "…")
	intro := fmt.Sprintf("The incident moves from %s to %s. %s", cur.Title(), to.Title(), stageDescriptions[to])
	form := lv.u.newRecordForm(title, "Move", intro)
	if m := f.move(to); m != nil && m.refused != nil {
		warn := widget.NewLabel("Refused now:\n" + guardLines(m.refused))
		warn.Wrapping = fyne.TextWrapWord
		warn.Importance = widget.DangerImportance
		form.before = append(form.before, warn)
	} else if m == nil {
		warn := widget.NewLabel(fmt.Sprintf("The lifecycle does not offer this move from %s.", cur.Title()))
		warn.Wrapping = fyne.TextWrapWord
		warn.Importance = widget.DangerImportance
		form.before = append(form.before, warn)
	}
	rationale := form.text("Rationale *", "Why the incident moves now: what was established, what remains", 3)
	form.check = func() bool {
		return form.require("Rationale", rationale.Text, "Write the rationale: the custody record keeps why the incident moved.")
	}
	form.build = func() func(*casefile.Case) error {
		r := strings.TrimSpace(rationale.Text)
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).MoveTo(to, r)
			return err
		}
	}
	form.show(rationale)
}

// guardsWhy says why a move's button is disabled: the guards that fail.
func guardsWhy(me *incident.MoveError) string {
	names := make([]string, len(me.Guards))
	for i, g := range me.Guards {
		names[i] = strings.ToLower(guardTitle(g.Guard))
	}
	return fmt.Sprintf("%s: %s (the card lists what each needs).",
		plural(len(me.Guards), "guard fails", "guards fail"), strings.Join(names, ", "))
}

// showReopen opens the form that reopens a closed incident (it returns to
// Diagnose) with the reason.
func (lv *lifecycleView) showReopen() {
	form := lv.u.newRecordForm("Reopen the incident", "Reopen",
		"A reopened incident returns to Diagnose: new facts need investigating. Its classification, severity, priority, "+
			"roles and findings stay on record and can be revised.")
	reason := form.text("Reason *", "The new facts that reopen the incident", 3)
	form.check = func() bool {
		return form.require("Reason", reason.Text, "Write the reason: an incident is reopened only with one.")
	}
	form.build = func() func(*casefile.Case) error {
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).Reopen(r)
			return err
		}
	}
	form.show(reason)
}
