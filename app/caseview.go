package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// caseView is the main window while a case is open: a header with the case
// title and a Close case button, the sidebar of areas, and the chosen area.
type caseView struct {
	u  *UI
	oc *openCase

	sidebar  *widget.List
	content  *fyne.Container
	closeBtn *widget.Button
	current  int // index into areas

	// The acting examiner and the role picker in the header.
	acting     *widget.Label
	rolePicker *widget.Select
	roleBox    *fyne.Container // holds rolePicker at the width of its longest role

	// The views of the area on screen, for tests; nil when another area shows.
	dash        *dashboardView
	placeholder *placeholderView
	custody     *custodyView
	evidence    *evidenceView
	lifecycle   *lifecycleView
	findings    *findingsView

	root fyne.CanvasObject
}

func newCaseView(u *UI, oc *openCase) *caseView {
	cv := &caseView{u: u, oc: oc, current: -1}
	cv.sidebar = widget.NewList(
		func() int { return len(areas) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("Notifications"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(theme.Icon(areas[i].icon))
			row.Objects[1].(*widget.Label).SetText(areas[i].name)
		},
	)
	cv.sidebar.OnSelected = func(i widget.ListItemID) { cv.show(i) }
	cv.content = container.NewStack()

	cv.closeBtn = widget.NewButtonWithIcon("Close case", theme.LogoutIcon(), u.CloseCase)
	title := widget.NewLabel(oc.info.Title)
	title.SizeName = theme.SizeNameSubHeadingText
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Truncation = fyne.TextTruncateEllipsis
	sub := widget.NewLabel(caseSubtitle(oc))
	sub.Truncation = fyne.TextTruncateEllipsis
	cv.buildActing()
	right := container.NewHBox(cv.acting, cv.roleBox, widget.NewSeparator(), cv.closeBtn)
	header := container.NewBorder(nil, nil, nil, container.NewCenter(right), container.NewVBox(title, sub))
	band := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))

	cv.root = container.NewBorder(
		container.NewVBox(container.NewStack(band, container.NewPadded(header)), widget.NewSeparator()),
		nil,
		container.NewBorder(nil, nil, nil, widget.NewSeparator(), cv.sidebar),
		nil,
		cv.content,
	)
	cv.sidebar.Select(0)
	return cv
}

// caseSubtitle is the line under the case title in the header.
func caseSubtitle(oc *openCase) string {
	s := "Examiner " + oc.info.Examiner
	if oc.info.CaseNumber != "" {
		s = "Case " + oc.info.CaseNumber + "  ·  " + s
	}
	return s
}

// show puts area i in the content pane.
func (cv *caseView) show(i int) {
	if i < 0 || i >= len(areas) || i == cv.current {
		return
	}
	cv.current = i
	cv.dash, cv.placeholder, cv.custody, cv.evidence, cv.lifecycle, cv.findings = nil, nil, nil, nil, nil, nil
	obj := areas[i].build(cv, areas[i])
	if areas[i].fill {
		obj = container.NewPadded(obj) // the area scrolls its own tables
	} else {
		obj = container.NewVScroll(container.NewPadded(obj))
	}
	cv.content.Objects = []fyne.CanvasObject{obj}
	cv.content.Refresh()
}

// custodyChanged shows new custody facts (read by UI.change after each change) in the area
// on screen.
func (cv *caseView) custodyChanged() {
	if cv.dash != nil {
		cv.dash.showCustody(cv.oc)
	}
	if cv.custody != nil {
		cv.custody.load(cv.oc.custody)
	}
}

// evidenceChanged shows new evidence facts (read after an ingest or a
// verification) in the area on screen.
func (cv *caseView) evidenceChanged() {
	if cv.dash != nil {
		cv.dash.showEvidence(cv.oc.evidence)
	}
	if cv.evidence != nil {
		cv.evidence.load(cv.oc.evidence)
	}
	if cv.findings != nil {
		cv.findings.load(cv.oc.incident) // locations name their items
	}
	if cv.lifecycle != nil {
		cv.lifecycle.load(cv.oc.incident) // actions name their items
	}
}

// incidentChanged shows new incident facts (read by UI.change) in the area
// on screen.
func (cv *caseView) incidentChanged() {
	if cv.dash != nil {
		cv.dash.showIncident(cv.oc, cv.u.now())
	}
	if cv.lifecycle != nil {
		cv.lifecycle.load(cv.oc.incident)
	}
	if cv.findings != nil {
		cv.findings.load(cv.oc.incident)
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
	return areas[u.cv.current].name
}

// SelectArea shows the area called name in the open case.
func (u *UI) SelectArea(name string) error {
	if u.cv == nil {
		return fmt.Errorf("no case is open")
	}
	i := areaIndex(name)
	if i < 0 {
		return fmt.Errorf("no area called %q", name)
	}
	u.cv.sidebar.Select(i)
	return nil
}
