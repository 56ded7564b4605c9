package app

import (
	"fyne.io/fyne/v2"
)

// area is one section of an open case, listed in the sidebar. Adding an
// area is one file, holding a type that implements area and the view it
// builds, and one line in areaRegistry; nothing else lists areas.
type area interface {
	// title names the area in the sidebar and heads its pane.
	title() string
	// icon is the sidebar's icon for it.
	icon() fyne.ThemeIconName
	// fill gives the area the whole pane: it scrolls its own tables, which
	// must not sit in a scroll container of their own. Other areas are
	// put in a vertical scroll.
	fill() bool
	// build makes the area's view of the case on screen. It runs on the
	// UI goroutine each time the area is chosen, and reads only cv.oc.
	build(cv *caseView) areaView
}

// areaView is an area built for the case on screen.
type areaView interface {
	// content is what the pane shows.
	content() fyne.CanvasObject
	// refresh shows the facts in what, which were read again after a
	// change (cv.oc holds them). An area ignores the facts it does not
	// show.
	refresh(what factSet)
}

// areaRegistry lists the sidebar in order, one line per area; each area
// is its own file.
var areaRegistry = []area{
	dashboardArea{},     // dashboard.go
	evidenceArea{},      // evidence.go
	filesArea{},         // files.go
	timelineArea{},      // timeline.go
	incidentArea{},      // caserecord.go
	assessmentArea{},    // assessment.go
	lifecycleArea{},     // lifecycle.go
	indicatorsArea{},    // indicators.go
	findingsArea{},      // findings.go
	responseArea{},      // response.go
	postMortemArea{},    // postmortem.go
	notificationsArea{}, // notifications.go
	reportsArea{},       // reports.go
	exportsArea{},       // exports.go
	custodyArea{},       // custody.go
	examinersArea{},     // examiners.go
}

// factSet names facts of an open case that were read again after a
// change: what an area may have to show anew.
type factSet uint8

// The facts of an open case, as read by readFacts.
const (
	factsCustody  factSet = 1 << iota // the ledger, the examiners, the head
	factsEvidence                     // the items
	factsIncident                     // the incident record
	factsActor                        // the acting examiner's roles
	factsNotify                       // the notification track, customers and notices
)

// factsAll is every fact.
const factsAll = factsCustody | factsEvidence | factsIncident | factsActor | factsNotify

// has reports whether s holds any of the facts in f.
func (s factSet) has(f factSet) bool { return s&f != 0 }

// areaIndex returns the position of the area called name, or -1.
func areaIndex(name string) int {
	for i, a := range areaRegistry {
		if a.title() == name {
			return i
		}
	}
	return -1
}

// areaViewOf returns the view of the area on screen in u when it is a T,
// else T's zero value (nil). Code that acts on one area after a change
// (choose the finding just saved) and tests reach views through it.
func areaViewOf[T areaView](u *UI) T {
	var zero T
	if u.cv == nil {
		return zero
	}
	if v, ok := u.cv.view.(T); ok {
		return v
	}
	return zero
}
