package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// roleChooser offers every incident-response role (casefile.Roles, in the
// order of the process document) as a check box, in two columns: eight
// titles in one column make a form needlessly tall, and in one row far too
// wide. It behaves like a widget.CheckGroup of the role titles.
type roleChooser struct {
	checks []*widget.Check // one per casefile.Roles, in that order
	root   *fyne.Container
}

// newRoleChooser checks the roles in selected; onChanged, if not nil, runs
// after every change.
func newRoleChooser(selected []casefile.Role, onChanged func()) *roleChooser {
	rc := &roleChooser{}
	objs := make([]fyne.CanvasObject, len(casefile.Roles))
	for i, r := range casefile.Roles {
		c := widget.NewCheck(r.Title(), func(bool) {
			if onChanged != nil {
				onChanged()
			}
		})
		for _, s := range selected {
			if s == r {
				c.Checked = true
			}
		}
		rc.checks = append(rc.checks, c)
		objs[i] = c
	}
	rc.root = container.NewGridWithColumns(2, objs...)
	return rc
}

// Selected returns the checked roles in casefile.Roles order.
func (rc *roleChooser) Selected() []casefile.Role {
	var out []casefile.Role
	for i, c := range rc.checks {
		if c.Checked {
			out = append(out, casefile.Roles[i])
		}
	}
	return out
}

// check returns the check box of role r.
func (rc *roleChooser) check(r casefile.Role) *widget.Check {
	for i, x := range casefile.Roles {
		if x == r {
			return rc.checks[i]
		}
	}
	return nil
}

// roleTitles joins the titles of roles, or says there are none.
func roleTitles(roles []casefile.Role) string {
	if len(roles) == 0 {
		return "No role"
	}
	titles := make([]string, len(roles))
	for i, r := range roles {
		titles[i] = r.Title()
	}
	return strings.Join(titles, ", ")
}
