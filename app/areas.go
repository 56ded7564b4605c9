package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// area is one section of an open case, listed in the sidebar.
type area struct {
	name  string
	icon  fyne.ThemeIconName
	build func(cv *caseView, a area) fyne.CanvasObject
	// fill gives the area the whole pane: it scrolls its own tables, which
	// must not sit in a scroll container of their own.
	fill bool
}

// areas lists the sidebar in order. Later work replaces a placeholder with
// its own builder, each in its own file.
var areas []area

// The builders reach areas (through UI.SelectArea), so the table is filled
// in init rather than by its declaration.
func init() {
	areas = []area{
		{name: "Dashboard", icon: theme.IconNameHome, build: buildDashboard},
		{name: "Evidence", icon: theme.IconNameStorage, build: buildEvidence, fill: true},
		{name: "Timeline", icon: theme.IconNameHistory, build: placeholder(
			"The timeline will appear here: events from all evidence in one searchable list, in UTC, " +
				"with each source's original time zone beside it.")},
		{name: "Findings", icon: theme.IconNameSearch, build: buildFindings, fill: true},
		{name: "Lifecycle", icon: theme.IconNameViewRefresh, build: buildLifecycle, fill: true},
		{name: "Notifications", icon: theme.IconNameMailSend, build: placeholder(
			"Notifications will appear here: customer and regulator notices drafted from case facts, their approval " +
				"and sending, and the regulatory deadlines that the case's recorded decisions start.")},
		{name: "Reports", icon: theme.IconNameDocument, build: placeholder(
			"Reports will appear here: the intelligence report, the post-mortem, the custody report " +
				"and sealed evidence exports for legal review.")},
		{name: "Custody", icon: theme.IconNameList, build: buildCustody, fill: true},
	}
}

// areaIndex returns the position of the area called name, or -1.
func areaIndex(name string) int {
	for i, a := range areas {
		if a.name == name {
			return i
		}
	}
	return -1
}
