package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// dashboardView shows who and what a case is, and the facts of its file.
type dashboardView struct {
	title, number, examiner, created, description *widget.Label
	caseUUID, format, keySlots, unlocked, path    *widget.Label
}

// notSet is shown for an optional field left empty.
const notSet = "—"

// timeLayout is how the GUI writes times: RFC 3339 in UTC.
const timeLayout = time.RFC3339

func buildDashboard(cv *caseView, a area) fyne.CanvasObject {
	info := cv.oc.info
	d := &dashboardView{}
	cv.dash = d
	value := func(text string) *widget.Label {
		l := widget.NewLabel(text)
		l.Selectable = true
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	orNotSet := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return notSet
		}
		return s
	}
	d.title = value(info.Title)
	d.number = value(orNotSet(info.CaseNumber))
	d.examiner = value(info.Examiner)
	d.created = value(info.Created.UTC().Format(timeLayout))
	d.description = value(orNotSet(info.Description))
	d.caseUUID = value(info.CaseUUID.String())
	d.format = value(strconv.Itoa(info.FormatVersion))
	d.keySlots = value(keySlotSummary(cv.oc.slots, cv.oc.slotsErr))
	d.unlocked = value(unlockedSummary(cv.oc))
	d.path = value(cv.oc.path)
	d.path.Wrapping = fyne.TextWrapBreak

	grids := factGrids(
		[]fact{
			{"Title", d.title},
			{"Case number", d.number},
			{"Examiner", d.examiner},
			{"Created (UTC)", d.created},
			{"Description", d.description},
		},
		[]fact{
			{"Case UUID", d.caseUUID},
			{"Format version", d.format},
			{"Key slots", d.keySlots},
			{"Unlocked with", d.unlocked},
			{"File", d.path},
		},
	)
	return container.NewVBox(
		heading(a.name),
		section("Case", grids[0]),
		section("Case file", grids[1]),
	)
}

// keySlotSummary says how many key slots the case has and of which kinds.
func keySlotSummary(slots []casefile.KeySlot, err error) string {
	if err != nil {
		return "Could not be read: " + userMessage(err)
	}
	kinds := map[casefile.SlotKind]int{}
	for _, s := range slots {
		kinds[s.Kind]++
	}
	var parts []string
	for _, k := range []casefile.SlotKind{casefile.SlotPassphrase, casefile.SlotRecovery} {
		if n := kinds[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	if len(parts) == 0 {
		return strconv.Itoa(len(slots))
	}
	return fmt.Sprintf("%d (%s)", len(slots), strings.Join(parts, ", "))
}

// unlockedSummary names the key slot that opened the case.
func unlockedSummary(oc *openCase) string {
	for _, s := range oc.slots {
		if s.ID == oc.unlocked {
			text := fmt.Sprintf("Slot %d, %s", s.ID, s.Kind)
			if s.Label != "" {
				text += " — " + s.Label
			}
			return text
		}
	}
	return fmt.Sprintf("Slot %d", oc.unlocked)
}
