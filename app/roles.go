package app

import (
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
)

// roleChooser offers every incident-response role (casefile.Roles, in the
// order of the process document) as a check box of a form, in two columns:
// eight titles in one column make a form needlessly tall, and in one row
// far too wide.
type roleChooser struct {
	list *checkList
}

// roles adds the role chooser to f under label, with the roles in
// selected ticked.
func (f *recordForm) roles(label string, selected []casefile.Role) *roleChooser {
	titles := make([]string, len(casefile.Roles))
	for i, r := range casefile.Roles {
		titles[i] = r.Title()
	}
	var sel []string
	for _, r := range selected {
		sel = append(sel, r.Title())
	}
	return &roleChooser{list: f.checks(label, titles, sel, 2)}
}

// Selected returns the checked roles in casefile.Roles order.
func (rc *roleChooser) Selected() []casefile.Role {
	var out []casefile.Role
	for i, c := range rc.list.checks {
		if c.Checked {
			out = append(out, casefile.Roles[i])
		}
	}
	return out
}

// check returns the check box of role r.
func (rc *roleChooser) check(r casefile.Role) *formCheck {
	return rc.list.check(r.Title())
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
