package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// caseView is the main window while a case is open: a header with the case
// title, who acts in which role and a Close case button, the banner of a
// case that takes no more changes, the sidebar of areas (areaRegistry),
// the chosen area, and a status line that says why a control under the
// pointer is disabled.
type caseView struct {
	u  *UI
	oc *openCase

	sidebar  *widget.List
	content  *fyne.Container
	closeBtn *widget.Button
	current  int      // index into areaRegistry; -1 before the first
	view     areaView // the area on screen

	// The header: the case and who acts, with the role picker.
	subtitle   *widget.Label
	acting     *widget.Label
	rolePicker *widget.Select
	roleBox    *fyne.Container // holds rolePicker at the width of its longest role

	// The banner of a suspect case: its ledger failed verification, so
	// nothing more is written to it (casefile.Case.Suspect).
	banner     *fyne.Container
	bannerText *widget.Label
	// status is the line under the area: why the control under the
	// pointer is disabled.
	status *widget.Label

	root fyne.CanvasObject
}

func newCaseView(u *UI, oc *openCase) *caseView {
	cv := &caseView{u: u, oc: oc, current: -1}
	cv.sidebar = widget.NewList(
		func() int { return len(areaRegistry) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("Notifications"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(theme.Icon(areaRegistry[i].icon()))
			row.Objects[1].(*widget.Label).SetText(areaRegistry[i].title())
		},
	)
	cv.sidebar.OnSelected = func(i widget.ListItemID) { cv.show(i) }
	cv.content = container.NewStack()

	cv.closeBtn = widget.NewButtonWithIcon("Close case", theme.LogoutIcon(), u.CloseCase)
	title := widget.NewLabel(oc.info.Title)
	title.SizeName = theme.SizeNameSubHeadingText
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Truncation = fyne.TextTruncateEllipsis
	cv.subtitle = widget.NewLabel(caseSubtitle(oc))
	cv.subtitle.Truncation = fyne.TextTruncateEllipsis
	cv.buildActing()
	right := container.NewHBox(cv.acting, cv.roleBox, widget.NewSeparator(), cv.closeBtn)
	header := container.NewBorder(nil, nil, nil, container.NewCenter(right), container.NewVBox(title, cv.subtitle))
	band := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))

	cv.bannerText = widget.NewLabel("")
	cv.bannerText.Wrapping = fyne.TextWrapWord
	cv.bannerText.Importance = widget.DangerImportance
	cv.banner = container.NewPadded(banner(theme.ColorNameError, container.NewBorder(nil, nil,
		container.NewVBox(widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon()))), nil, cv.bannerText)))
	cv.showSuspect()

	cv.status = widget.NewLabel("")
	cv.status.Truncation = fyne.TextTruncateEllipsis
	cv.status.SizeName = theme.SizeNameCaptionText

	root := container.NewBorder(
		container.NewVBox(container.NewStack(band, container.NewPadded(header)), widget.NewSeparator(), cv.banner),
		container.NewVBox(widget.NewSeparator(), cv.status),
		container.NewBorder(nil, nil, nil, widget.NewSeparator(), cv.sidebar),
		nil,
		cv.content,
	)
	cv.root = root
	cv.sidebar.Select(0)
	return cv
}

// caseSubtitle is the line under the case title in the header: the case
// number and the examiner acting now (whose passphrase opened the case;
// the dashboard names its creator).
func caseSubtitle(oc *openCase) string {
	s := "Examiner " + oc.actor.Name
	if oc.info.CaseNumber != "" {
		s = "Case " + oc.info.CaseNumber + "  ·  " + s
	}
	return s
}

// show puts area i in the content pane.
func (cv *caseView) show(i int) {
	if i < 0 || i >= len(areaRegistry) || i == cv.current {
		return
	}
	a := areaRegistry[i]
	cv.hideView()
	cv.current = i
	cv.status.SetText("")
	cv.view = a.build(cv)
	obj := cv.view.content()
	if a.fill() {
		obj = container.NewPadded(obj) // the area scrolls its own tables
	} else {
		obj = container.NewVScroll(container.NewPadded(obj))
	}
	cv.content.Objects = []fyne.CanvasObject{obj}
	cv.content.Refresh()
	// An area that starts work when it is shown (the Timeline builds its
	// search index) starts it once its content is on screen, so the work's
	// results never touch widgets that are still being drawn.
	if s, ok := cv.view.(interface{ shown() }); ok {
		s.shown()
	}
}

// hideView tells the area on screen that it is being replaced or closed,
// when it wants to know (the Notifications area stops its clock ticker).
func (cv *caseView) hideView() {
	if h, ok := cv.view.(interface{ hidden() }); ok {
		h.hidden()
	}
}

// action makes a button that changes the case: while disabled it says
// why, in the status line when the pointer is on it and under it when it
// is tapped.
func (cv *caseView) action(text string, icon fyne.Resource, tapped func()) *actionButton {
	b := newActionButton(text, icon, tapped)
	b.status = func(why string) { cv.status.SetText(why) }
	return b
}

// whyNoChange says why the case takes no change now, or "" when it does:
// a case whose custody ledger failed verification is written to no more.
func (cv *caseView) whyNoChange() string {
	if cv.oc.suspect != nil {
		return "the case failed verification, so nothing more is written to it (see the banner at the top)."
	}
	return ""
}

// whyNoIncidentChange says why the incident record takes no change now,
// or "": the case takes none, or the incident is closed.
func (cv *caseView) whyNoIncidentChange() string {
	if why := cv.whyNoChange(); why != "" {
		return why
	}
	if cv.oc.incident.inc.Stage == incident.StageClose {
		return "the incident is closed; reopen it in Lifecycle (with the reason) to change it."
	}
	return ""
}

// whyNot says why the acting examiner cannot take an action that needs
// permission p now, or "": the case takes no change, or no role they hold
// permits it (the core refuses it too; a disabled control says which
// roles may). It reads the facts on screen, never the case's lock.
func (cv *caseView) whyNot(p casefile.Permission) string {
	if why := cv.whyNoChange(); why != "" {
		return why
	}
	return cv.notPermitted(p)
}

// whyNotIncident is whyNot for a change of the incident record, which a
// closed incident takes none of.
func (cv *caseView) whyNotIncident(p casefile.Permission) string {
	if why := cv.whyNoIncidentChange(); why != "" {
		return why
	}
	return cv.notPermitted(p)
}

// orWhy is why when it is not "", else then: the first reason a control
// is disabled.
func orWhy(why, then string) string {
	if why != "" {
		return why
	}
	return then
}

// notPermitted says which roles may take p when the acting examiner holds
// none of them, or "".
func (cv *caseView) notPermitted(p casefile.Permission) string {
	if casefile.ExaminerMay(cv.oc.actor, cv.oc.custody.examiners, p) {
		return ""
	}
	held := "you hold no role"
	if len(cv.oc.actor.Roles) > 0 {
		titles := make([]string, len(cv.oc.actor.Roles))
		for i, r := range cv.oc.actor.Roles {
			titles[i] = r.Title()
		}
		held = "you hold " + strings.Join(titles, ", ")
	}
	return "only " + casefile.WhoMay(p) + " may " + p.What() + "; " + held +
		" (a security incident manager assigns roles in Examiners)."
}

// showSuspect shows the banner of a suspect case, or hides it.
func (cv *caseView) showSuspect() {
	err := cv.oc.suspect
	if err == nil {
		if cv.banner.Visible() {
			cv.banner.Hide()
			if root, ok := cv.root.(*fyne.Container); ok {
				relayout(root)
			}
		}
		return
	}
	cv.bannerText.SetText(suspectText(err))
	cv.banner.Show()
	if root, ok := cv.root.(*fyne.Container); ok {
		relayout(root) // the banner takes room from the area
	}
}

// suspectText is the banner of a suspect case: what happened, that every
// change is disabled, and what to do.
func suspectText(err error) string {
	return userMessage(err) + " Every change is disabled, and so is all that the custody record would record " +
		"(verifying or extracting an item, viewing its bytes). What is recorded can still be read, and Verify chain " +
		"still checks it. What to do: " + hint(err)
}

// caseFacts holds the facts readFacts read again, for showFacts.
type caseFacts struct {
	what     factSet // what was read; factsActor when the actor's roles changed
	custody  custodyFacts
	evidence evidenceFacts
	incident incidentFacts
	notify   notifyFacts
	actor    casefile.Examiner
	suspect  error
}

// readFacts reads the facts in what from c, the acting examiner and
// whether the case is suspect. It runs off the UI goroutine, after the
// change that made them stale.
func readFacts(c *casefile.Case, what factSet) caseFacts {
	f := caseFacts{what: what, actor: c.Actor(), suspect: c.Suspect()}
	if what.has(factsCustody) {
		f.custody = readCustody(c)
	}
	if what.has(factsEvidence) {
		f.evidence = readEvidence(c)
	}
	if what.has(factsIncident) {
		f.incident = readIncident(c)
	}
	if what.has(factsNotify) {
		f.notify = readNotify(c)
	}
	return f
}

// showFacts stores f in the open case and shows it in the header and the
// area on screen. It runs on the UI goroutine.
func (cv *caseView) showFacts(f caseFacts) {
	oc := cv.oc
	if f.what.has(factsCustody) {
		oc.custody = f.custody
	}
	if f.what.has(factsEvidence) {
		oc.evidence = f.evidence
	}
	if f.what.has(factsIncident) {
		oc.incident = f.incident
	}
	if f.what.has(factsNotify) {
		oc.notify = f.notify
	}
	what := f.what
	if !slices.Equal(f.actor.Roles, oc.actor.Roles) {
		what |= factsActor
	}
	oc.actor = f.actor
	if (f.suspect == nil) != (oc.suspect == nil) {
		what = factsAll // every change button of every area says why it is disabled
	}
	oc.suspect = f.suspect
	if cv.u.cv != cv {
		return // the case is no longer on screen
	}
	cv.showSuspect()
	if what.has(factsActor) {
		cv.actorChanged()
	}
	if cv.view != nil {
		cv.view.refresh(what)
	}
}

// afterChange reads the facts in what again off the UI goroutine (call it
// from a job) and returns the function that shows them and then runs
// then, if not nil: the end of every job that changed the case.
func (u *UI) afterChange(cv *caseView, what factSet, then func()) func() {
	f := readFacts(cv.oc.c, what)
	return func() {
		cv.showFacts(f)
		if then != nil {
			then()
		}
	}
}

// actorChanged shows the acting examiner's roles again after an assignment
// granted them a role: the role picker offers it from now on.
func (cv *caseView) actorChanged() {
	oc := cv.oc
	titles := make([]string, len(oc.actor.Roles))
	for i, r := range oc.actor.Roles {
		titles[i] = r.Title()
	}
	cv.rolePicker.Options = titles
	cv.rolePicker.Refresh()
	cv.acting.SetText(actingText(oc.actor))
	cv.subtitle.SetText(caseSubtitle(oc))
	if len(titles) > 0 {
		cv.rolePicker.Show()
		cv.roleBox.Show()
	}
	cv.roleBox.Layout = minSizeLayout{fyne.NewSize(selectWidth(cv.rolePicker), 0)}
	cv.roleBox.Refresh()
}

// Area returns the name of the area on screen, or "" when no case is open.
func (u *UI) Area() string {
	if u.cv == nil || u.cv.current < 0 {
		return ""
	}
	return areaRegistry[u.cv.current].title()
}

// SelectArea shows the area called name in the open case.
func (u *UI) SelectArea(name string) error {
	if u.cv == nil {
		return errors.New("no case is open")
	}
	i := areaIndex(name)
	if i < 0 {
		return fmt.Errorf("no area called %q", name)
	}
	u.cv.sidebar.Select(i)
	return nil
}
