package app

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// lifecycleView is the Lifecycle area: the stage stepper over tabs for the
// stage and its moves, the assessment (classification, severity,
// priority), the case record (detection, awareness, summary, next steps,
// related incidents), indicators, role assignments, the response (actions,
// emergency mitigations, the notification decision) and the post-mortem
// with its repair items. It shows oc.incident and changes the case only
// through recordForms and UI.change.
type lifecycleView struct {
	u  *UI
	cv *caseView

	stepper     *stageStepper
	stageNote   *widget.Label
	loadProblem *widget.Label
	tabs        *container.AppTabs

	stage      *stagePanel
	assess     *assessmentPanel
	record     *recordPanel
	indicators *indicatorsPanel
	roles      *rolesPanel
	response   *responsePanel
	postMortem *postMortemPanel
	pmForm     *lapsesEditor // the lapses of the open post-mortem form, for tests

	top *fyne.Container
}

// The tabs of the Lifecycle area.
const (
	tabStage      = "Stage"
	tabAssessment = "Assessment"
	tabRecord     = "Case record"
	tabIndicators = "Indicators"
	tabRoles      = "Roles"
	tabResponse   = "Response"
	tabPostMortem = "Post-mortem"
)

func buildLifecycle(cv *caseView, a area) fyne.CanvasObject {
	lv := &lifecycleView{u: cv.u, cv: cv}
	cv.lifecycle = lv
	lv.stepper = newStageStepper(cv.oc.incident.inc.Stage)
	lv.stageNote = widget.NewLabel("")
	lv.stageNote.Wrapping = fyne.TextWrapWord
	lv.loadProblem = problemLabel()

	lv.stage = newStagePanel(lv)
	lv.assess = newAssessmentPanel(lv)
	lv.record = newRecordPanel(lv)
	lv.indicators = newIndicatorsPanel(lv)
	lv.roles = newRolesPanel(lv)
	lv.response = newResponsePanel(lv)
	lv.postMortem = newPostMortemPanel(lv)
	page := func(obj fyne.CanvasObject) fyne.CanvasObject {
		return container.NewVScroll(container.NewPadded(obj))
	}
	lv.tabs = container.NewAppTabs(
		container.NewTabItem(tabStage, page(lv.stage.root)),
		container.NewTabItem(tabAssessment, page(lv.assess.root)),
		container.NewTabItem(tabRecord, page(lv.record.root)),
		container.NewTabItem(tabIndicators, page(lv.indicators.root)),
		container.NewTabItem(tabRoles, page(lv.roles.root)),
		container.NewTabItem(tabResponse, page(lv.response.root)),
		container.NewTabItem(tabPostMortem, page(lv.postMortem.root)),
	)
	title := heading(a.name)
	title.Wrapping = fyne.TextWrapOff
	lv.top = container.NewVBox(
		container.NewBorder(nil, nil, container.NewVBox(title), nil, lv.stepper),
		lv.stageNote, lv.loadProblem)
	lv.load(cv.oc.incident)
	return container.NewBorder(lv.top, nil, nil, nil, lv.tabs)
}

// showTab shows the tab called name.
func (lv *lifecycleView) showTab(name string) {
	for i, it := range lv.tabs.Items {
		if it.Text == name {
			lv.tabs.SelectIndex(i)
			return
		}
	}
}

// load shows newly read incident facts in every tab.
func (lv *lifecycleView) load(f incidentFacts) {
	lv.stepper.SetStage(f.inc.Stage)
	lv.stageNote.SetText(stageNote(f, lv.u.now()))
	if f.err != nil {
		setProblem(lv.loadProblem, "Part of the incident record could not be read: "+userMessage(f.err)+" "+hint(f.err))
	} else {
		setProblem(lv.loadProblem, "")
	}
	relayout(lv.top)
	lv.stage.load(f)
	lv.assess.load(f)
	lv.record.load(f)
	lv.indicators.load(f)
	lv.roles.load(f)
	lv.response.load(f)
	lv.postMortem.load(f)
}

// stageNote says where the incident is, since when and on whose move.
func stageNote(f incidentFacts, now time.Time) string {
	st := f.inc.Stage
	if len(f.stages) == 0 {
		return fmt.Sprintf("In %s since the case was created.", st.Title())
	}
	last := f.stages[len(f.stages)-1]
	verb := "In " + st.Title()
	if st == casefile.StageClose {
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
var stageDescriptions = map[casefile.Stage]string{
	casefile.StageDetect: "First indication of an event investigation: record how and when it was detected, and when the " +
		"organization became aware of it.",
	casefile.StageAssess: "Triage: classify the event, set its severity and priority, and assign a Security Incident Manager.",
	casefile.StageDiagnose: "The technical and forensic investigation: findings on the evidence, containment, mitigation " +
		"and workaround strategies. Customer notification starts in parallel if customer data may be exposed.",
	casefile.StageStabilize: "Stabilize and recover: emergency mitigation, a recovery plan, and checks that the risk is " +
		"contained. The team may move back to Diagnose as the investigation progresses.",
	casefile.StageClose: "The post-mortem: lapses, procedures and SOP updates, with an owner and date for every repair item.",
}

// moveKindOf is the kind of the lifecycle move from → to, as casefile
// allows them (casefile.MoveKind).
func moveKindOf(from, to casefile.Stage) casefile.MoveKind {
	if k := casefile.MoveKindOf(from, to); k != "" {
		return k
	}
	return casefile.MoveForward
}

// moveButtonText is what the button of a move says.
func moveButtonText(from, to casefile.Stage) string {
	switch moveKindOf(from, to) {
	case casefile.MoveBack:
		return "Back to " + to.Title() + "…"
	case casefile.MoveDismiss:
		return "Close as not a security incident…"
	case casefile.MoveReopen:
		return "Reopen…"
	}
	return "Move to " + to.Title() + "…"
}

// stagePanel is the Stage tab: a card for each move the lifecycle allows
// now, each saying whether its guards pass and listing every one that
// fails; Reopen for a closed incident; and the stage history.
type stagePanel struct {
	lv *lifecycleView

	intro   *widget.Label
	moves   *fyne.Container
	buttons map[casefile.Stage]*widget.Button // the move buttons on show
	guards  map[casefile.Stage]*widget.Label  // what each move's guards say
	reopen  *widget.Button                    // shown for a closed incident
	history *dataTable
	root    *fyne.Container
}

func newStagePanel(lv *lifecycleView) *stagePanel {
	p := &stagePanel{lv: lv}
	p.intro = widget.NewLabel("")
	p.intro.Wrapping = fyne.TextWrapWord
	p.moves = container.NewVBox()
	p.reopen = widget.NewButtonWithIcon("Reopen…", theme.ViewRefreshIcon(), p.showReopen)
	p.history = newDataTable([]dataColumn{
		{"Time (UTC)", 220}, {"By", 320}, {"Move", 110}, {"From → to", 320}, {"Rationale", 400},
	}, 2, 12)
	p.root = container.NewVBox(
		subheading("Next stage"), p.intro, p.moves,
		subheading("Stage history"), p.history.box,
	)
	return p
}

func (p *stagePanel) load(f incidentFacts) {
	cur := f.inc.Stage
	p.buttons = map[casefile.Stage]*widget.Button{}
	p.guards = map[casefile.Stage]*widget.Label{}
	var cards []fyne.CanvasObject
	switch {
	case cur == casefile.StageClose:
		p.intro.SetText("The incident is closed. Its post-mortem, repair items and notification decision stay editable. " +
			"Reopening it (with the reason) returns it to Diagnose for new facts.")
		cards = append(cards, container.NewHBox(p.reopen))
	case len(f.moves) == 0:
		p.intro.SetText("No move is possible from " + cur.Title() + ".")
	default:
		p.intro.SetText(fmt.Sprintf("From %s the lifecycle allows %s. Each move is checked against its guards now; "+
			"a move whose guards fail lists what is missing.", cur.Title(), plural(len(f.moves), "move", "moves")))
		for _, m := range f.moves {
			cards = append(cards, p.moveCard(cur, m))
		}
	}
	p.moves.Objects = cards
	p.moves.Refresh()

	rows := make([][]dataCell, 0, len(f.stages))
	for i := len(f.stages) - 1; i >= 0; i-- { // newest first
		ch := f.stages[i]
		rows = append(rows, []dataCell{
			cell(ch.At.UTC().Format(timeLayout)),
			cell(attribution(casefile.Attribution{Examiner: ch.Examiner, Role: ch.Role})),
			cell(moveKindTitle(ch.Kind)),
			cell(ch.From.Title() + " → " + ch.To.Title()),
			cell(oneLine(shown(ch.Rationale))),
		})
	}
	p.history.set(rows)
	relayout(p.root)
}

// moveKindTitle names a move kind in the stage history.
func moveKindTitle(k casefile.MoveKind) string {
	switch k {
	case casefile.MoveForward:
		return "Forward"
	case casefile.MoveBack:
		return "Back"
	case casefile.MoveDismiss:
		return "Dismissed"
	case casefile.MoveReopen:
		return "Reopened"
	}
	return string(k)
}

// moveCard shows one allowed move: its button, enabled when every guard
// passes, and the verdict of its guards.
func (p *stagePanel) moveCard(cur casefile.Stage, m stageMove) fyne.CanvasObject {
	to := m.to
	icon := theme.NavigateNextIcon()
	if moveKindOf(cur, to) == casefile.MoveBack {
		icon = theme.NavigateBackIcon()
	}
	b := widget.NewButtonWithIcon(moveButtonText(cur, to), icon, func() { p.lv.showMove(to) })
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
		b.Disable()
	case m.refused != nil:
		verdict.SetText(fmt.Sprintf("Refused now — %s:\n%s", plural(len(m.refused.Guards), "guard fails", "guards fail"),
			guardLines(m.refused)))
		verdict.Importance = widget.DangerImportance
		colour = theme.ColorNameError
		b.Disable()
	default:
		verdict.SetText("Every guard passes: the move can be made.")
		verdict.Importance = widget.SuccessImportance
		b.Importance = widget.HighImportance
	}
	p.buttons[to] = b
	p.guards[to] = verdict
	return banner(colour, container.NewBorder(nil, nil, nil, container.NewVBox(b), container.NewVBox(title, what, verdict)))
}

// showMove opens the form that moves the incident to stage to, with the
// rationale the move needs. A move whose guards fail now can still be
// asked for (casefile checks again and refuses it); the form lists the
// failed guards first.
func (lv *lifecycleView) showMove(to casefile.Stage) {
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
			_, err := c.MoveTo(to, r)
			return err
		}
	}
	form.show(rationale)
}

// showReopen opens the form that reopens a closed incident (it returns to
// Diagnose) with the reason.
func (p *stagePanel) showReopen() {
	lv := p.lv
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
			_, err := c.Reopen(r)
			return err
		}
	}
	form.show(reason)
}

// historyLines writes records as lines for a history label, newest first,
// at most limit of them, or says there are none.
func historyLines(n, limit int, line func(i int) string) string {
	if n == 0 {
		return "No earlier decisions."
	}
	var out []string
	for i := n - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, line(i))
	}
	if n > limit {
		out = append(out, fmt.Sprintf("… and %d earlier", n-limit))
	}
	return strings.Join(out, "\n")
}

// valueLabel is a selectable, wrapping label for a value on a page.
func valueLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	return l
}

// mutedLabel is a wrapping label in the caption size, for notes and
// histories. (The low-importance colour is too faint to read on the dark
// theme.)
func mutedLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// sectionWith is a section whose heading has buttons at its right.
func sectionWith(title string, content fyne.CanvasObject, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	head := container.NewHBox(append([]fyne.CanvasObject{subheading(title), layout.NewSpacer()}, buttons...)...)
	return container.NewVBox(head, widget.NewCard("", "", content))
}
