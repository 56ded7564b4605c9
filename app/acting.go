package app

import (
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// The passphrase that opened a case decides who acts: the owner of its key
// slot signs every custody entry written through this window. The header
// says who that is and in which of their roles they act; the role picker
// lists only roles the examiner holds, so casefile never refuses a choice
// made there.

// buildActing makes the "Acting as" label and the role picker of the
// header.
func (cv *caseView) buildActing() {
	oc := cv.oc
	cv.acting = widget.NewLabel(actingText(oc.actor))
	titles := make([]string, len(oc.actor.Roles))
	for i, r := range oc.actor.Roles {
		titles[i] = r.Title()
	}
	cv.rolePicker = widget.NewSelect(titles, nil)
	cv.rolePicker.PlaceHolder = "No role"
	if oc.role != "" {
		cv.rolePicker.SetSelected(oc.role.Title())
	}
	cv.rolePicker.OnChanged = func(title string) { cv.chooseRole(title) }
	cv.roleBox = selectFitting(cv.rolePicker)
	if len(titles) == 0 {
		cv.rolePicker.Hide()
		cv.roleBox.Hide()
	}
}

// actingText is the header's "Acting as" line. With a role, the role
// picker beside it names the role.
func actingText(actor casefile.Examiner) string {
	if len(actor.Roles) == 0 {
		return "Acting as: " + actor.Name + " · holds no role"
	}
	return "Acting as: " + actor.Name + " ·"
}

// roleByTitle returns the role of the acting examiner whose title is title.
func roleByTitle(actor casefile.Examiner, title string) (casefile.Role, bool) {
	for _, r := range actor.Roles {
		if r.Title() == title {
			return r, true
		}
	}
	return "", false
}

// chooseRole makes the role titled title the one recorded in later custody
// entries. SetRole waits for the case's lock, which a verification may hold
// for a while, so it runs off the UI goroutine.
func (cv *caseView) chooseRole(title string) {
	oc := cv.oc
	r, ok := roleByTitle(oc.actor, title)
	if !ok || r == oc.role {
		return
	}
	u := cv.u
	u.runJob(func() func() {
		err := oc.c.SetRole(r)
		return func() {
			if err != nil {
				// Put the picker back on the role still in force.
				cv.rolePicker.OnChanged = nil
				cv.rolePicker.SetSelected(oc.role.Title())
				cv.rolePicker.OnChanged = func(title string) { cv.chooseRole(title) }
				u.showError("The role was not changed", err, nil)
				return
			}
			oc.role = r
			if u.cv == cv && cv.view != nil {
				cv.view.refresh(factsActor)
			}
		}
	})
}
