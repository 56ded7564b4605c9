package app

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// examinersArea is the Examiners area: everyone who has acted on or been
// added to the case, the form that adds a person with their own
// passphrase, and who holds which role of Table 2 in this incident, with
// every assignment and release.
type examinersArea struct{}

func (examinersArea) title() string            { return "Examiners" }
func (examinersArea) icon() fyne.ThemeIconName { return theme.IconNameAccount }
func (examinersArea) fill() bool               { return false }

// examinersView is the Examiners area on screen.
type examinersView struct {
	u  *UI
	cv *caseView

	list    []casefile.Examiner
	src     *listSource[casefile.Examiner]
	problem *widget.Label // the examiners could not be read
	table   *dataTable
	add     *actionButton
	form    *addExaminerForm // open add-examiner form, for tests; nil when closed

	roles *rolesPanel
	root  *fyne.Container
}

// slotText says which key slot opens an examiner's passphrase, or that it
// was removed.
func slotText(e *casefile.Examiner) string {
	if !e.Active || e.SlotID == 0 {
		return "Removed"
	}
	if e.Kind == casefile.SlotRecovery {
		return fmt.Sprintf("Slot %d (recovery)", e.SlotID)
	}
	return fmt.Sprintf("Slot %d", e.SlotID)
}

func (a examinersArea) build(cv *caseView) areaView {
	v := &examinersView{u: cv.u, cv: cv}
	v.problem = problemLabel()
	v.add = cv.action("Add examiner…", theme.ContentAddIcon(), v.showAddForm)
	note := mutedLabel("Each examiner has their own passphrase and signing key; the passphrase that opens the case " +
		"decides who signs its custody record. Examiners whose key slot was removed stay listed, so their " +
		"signatures remain verifiable.")
	v.src = newListSource([]listColumn[casefile.Examiner]{
		{dataColumn{title: "Name", width: 220}, func(e *casefile.Examiner) dataCell {
			if e.ID == v.cv.oc.actor.ID {
				return dataCell{text: e.Name + " (acting)", bold: true}
			}
			return cell(e.Name)
		}, nil},
		{dataColumn{title: "Roles", width: 340}, func(e *casefile.Examiner) dataCell { return cell(roleTitles(e.Roles)) }, nil},
		{dataColumn{title: "Contact", width: 240}, func(e *casefile.Examiner) dataCell { return cell(orNotSet(e.Contact)) }, nil},
		{dataColumn{title: "Key slot", width: 160}, func(e *casefile.Examiner) dataCell { return cell(slotText(e)) }, nil},
		{dataColumn{title: "Fingerprint", width: 200}, func(e *casefile.Examiner) dataCell {
			return dataCell{text: e.Fingerprint(), mono: true}
		}, nil},
	}, func(e *casefile.Examiner) any { return e.ID })
	v.table = v.src.table(v.u, 2, 10)
	v.roles = newRolesPanel(cv)
	v.root = container.NewVBox(
		heading(a.title()),
		sectionWith("People", container.NewVBox(note, v.problem, v.table.box), v.add),
		v.roles.root,
	)
	v.refresh(factsAll)
	return v
}

func (v *examinersView) content() fyne.CanvasObject { return v.root }

func (v *examinersView) refresh(what factSet) {
	oc := v.cv.oc
	if what.has(factsCustody | factsActor) {
		v.load(oc.custody.examiners, oc.custody.examinersErr)
	}
	if what.has(factsIncident | factsCustody) {
		v.roles.load(oc.incident)
	}
	v.add.allow(v.cv.whyNot(casefile.PermManageExaminers))
}

// load shows a newly read list of examiners.
func (v *examinersView) load(list []casefile.Examiner, err error) {
	v.list = list
	if err != nil {
		setProblem(v.problem, "The examiners could not be read: "+userMessage(err)+" "+hint(err))
	} else {
		setProblem(v.problem, "")
	}
	v.src.set(list)
	v.table.reload()
	relayout(v.root)
}

// addExaminerForm is the record form that adds an examiner with their own
// passphrase. Key derivation runs off the UI goroutine while the form
// shows that it is working. Its fields are kept by name for tests.
type addExaminerForm struct {
	form *recordForm

	name, contact, reason *formEntry
	passphrase, confirm   *formEntry
	roles                 *roleChooser
	strength              *widget.Label

	nameProblem, contactProblem, passphraseProblem, confirmProblem, formProblem *widget.Label

	activity *widget.Activity
	add      *formButton
	cancel   *formButton
}

// showAddForm opens the add-examiner form.
func (v *examinersView) showAddForm() {
	u, cv := v.u, v.cv
	form := u.newRecordForm("Add examiner", "Add examiner",
		"The new examiner opens the case with their own passphrase and signs what they do with their own key. "+
			"Let them type it here, or change it later. You record this addition in the custody record.")
	form.width = 640
	form.busyText = "Deriving the new examiner's key from the passphrase…"
	form.failTitle = "The examiner was not added"
	f := &addExaminerForm{form: form}
	f.name = form.entry("Name *", "Full name, as it will appear in the custody record")
	f.roles = form.roles("Roles", nil)
	f.contact = form.entry("Contact", "E-mail or phone (optional)")
	f.passphrase = form.password("Passphrase *", "The new examiner's own passphrase")
	f.confirm = form.password("Confirm *", "Type it again")
	f.strength = widget.NewLabel("")
	f.strength.Wrapping = fyne.TextWrapWord
	form.note("", f.strength)
	f.passphrase.OnChanged = func(s string) { showStrength(f.strength, s); form.recheck() }
	showStrength(f.strength, "")
	f.reason = form.entry("Reason", "Why this person joins the case (optional)")
	f.nameProblem = form.problems["Name"].label
	f.contactProblem = form.problems["Contact"].label
	f.passphraseProblem = form.problems["Passphrase"].label
	f.confirmProblem = form.problems["Confirm"].label
	f.formProblem = form.problem
	f.activity = form.activity
	f.add, f.cancel = form.save, form.cancel

	form.check = f.check
	form.job = func() func() (func(), error) {
		ne := f.newExaminer()
		pass := []byte(f.passphrase.Text)
		reason := strings.TrimSpace(f.reason.Text)
		c := cv.oc.c
		return func() (func(), error) {
			_, err := c.AddExaminer(ne, pass, reason)
			clear(pass)
			if err != nil {
				return nil, err
			}
			return u.afterChange(cv, factsCustody, nil), nil
		}
	}
	form.onClosed = func() {
		if v.form == f {
			v.form = nil
		}
	}
	v.form = f
	form.show(f.name)
}

// newExaminer is what the form describes.
func (f *addExaminerForm) newExaminer() casefile.NewExaminer {
	return casefile.NewExaminer{
		Name:    strings.TrimSpace(f.name.Text),
		Roles:   f.roles.Selected(),
		Contact: strings.TrimSpace(f.contact.Text),
	}
}

// check shows every problem under its field and reports whether the
// examiner can be added. casefile's NewExaminer.Validate judges the fields.
func (f *addExaminerForm) check() bool {
	form := f.form
	ne := f.newExaminer()
	probe := func(set func(*casefile.NewExaminer)) string {
		one := casefile.NewExaminer{Name: "n"}
		set(&one)
		if err := one.Validate(); err != nil {
			return userMessage(err)
		}
		return ""
	}
	msgs := map[string]string{
		"Name":       probe(func(n *casefile.NewExaminer) { n.Name = ne.Name }),
		"Contact":    probe(func(n *casefile.NewExaminer) { n.Contact = ne.Contact }),
		"Passphrase": passphraseMessage(f.passphrase.Text),
		"Confirm":    confirmMessage(f.passphrase.Text, f.confirm.Text),
	}
	ok := true
	for name, msg := range msgs {
		form.setProblem(name, msg)
		ok = ok && msg == ""
	}
	form.setFormProblem("")
	if err := ne.Validate(); ok && err != nil {
		form.setFormProblem(userMessage(err)) // a rule that spans fields
		ok = false
	}
	return ok
}

// passphraseMessage asks for a passphrase.
func passphraseMessage(pass string) string {
	if pass == "" {
		return "Passphrase is required: " + casefile.Hint(casefile.ErrEmptyPassphrase) + "."
	}
	return ""
}

// confirmMessage asks for the same passphrase twice.
func confirmMessage(pass, confirm string) string {
	if pass != "" && confirm != pass {
		return "The passphrases differ: type the same passphrase in both fields."
	}
	return ""
}

// rolesPanel is the roles part of the Examiners area: who holds which
// role in this incident, the form that assigns an examiner to a role,
// releasing the chosen assignment, and every assignment and release.
type rolesPanel struct {
	cv *caseView

	holders    []incident.RoleHolder
	src        *listSource[incident.RoleHolder]
	table      *dataTable
	historySrc *listSource[incident.RoleAssignment]
	history    *dataTable
	assign     *actionButton
	release    *actionButton
	root       *fyne.Container
}

// holderKey identifies a role holder across reloads.
type holderKey struct {
	role casefile.Role
	id   string
}

func newRolesPanel(cv *caseView) *rolesPanel {
	p := &rolesPanel{cv: cv}
	p.assign = cv.action("Assign role…", theme.AccountIcon(), cv.showAssignRole)
	p.release = cv.action("Release…", theme.ContentRemoveIcon(), p.showRelease)
	p.src = newListSource([]listColumn[incident.RoleHolder]{
		{dataColumn{title: "Role", width: 260}, func(h *incident.RoleHolder) dataCell {
			return dataCell{text: h.Role.Title(), bold: true}
		}, nil},
		{dataColumn{title: "Examiner", width: 240}, func(h *incident.RoleHolder) dataCell { return cell(shownLine(h.Examiner)) }, nil},
		{dataColumn{title: "Since (UTC)", width: 220}, func(h *incident.RoleHolder) dataCell {
			return cell(h.Since.At.UTC().Format(timeLayout))
		}, nil},
		{dataColumn{title: "Assigned by", width: 340}, func(h *incident.RoleHolder) dataCell {
			return cell(attribution(casefile.Attribution{Examiner: h.Since.Examiner, Role: h.Since.Role}))
		}, nil},
	}, func(h *incident.RoleHolder) any { return holderKey{h.Role, h.ExaminerID.String()} })
	p.table = p.src.table(cv.u, 2, 10)
	p.table.onSelect = func(any) { p.enable() }
	p.historySrc = newListSource([]listColumn[incident.RoleAssignment]{
		{dataColumn{title: "Time (UTC)", width: 220}, func(a *incident.RoleAssignment) dataCell {
			return cell(a.At.UTC().Format(timeLayout))
		}, nil},
		{dataColumn{title: "Change", width: 170}, func(a *incident.RoleAssignment) dataCell {
			switch {
			case a.Released:
				return cell("Released")
			case a.Granted:
				return cell("Assigned (granted)")
			}
			return cell("Assigned")
		}, nil},
		{dataColumn{title: "Role", width: 260}, func(a *incident.RoleAssignment) dataCell { return cell(a.Role.Title()) }, nil},
		{dataColumn{title: "Examiner", width: 220}, func(a *incident.RoleAssignment) dataCell { return cell(shownLine(a.Examiner)) }, nil},
		{dataColumn{title: "By", width: 300}, func(a *incident.RoleAssignment) dataCell {
			return cell(attribution(casefile.Attribution{Examiner: a.Attribution.Examiner, Role: a.Attribution.Role}))
		}, nil},
		{dataColumn{title: "Reason", width: 300}, func(a *incident.RoleAssignment) dataCell {
			return dataCell{text: oneLine(shown(a.Reason)), full: shown(a.Reason)}
		}, nil},
	}, nil)
	p.history = p.historySrc.table(cv.u, 2, 10)
	intro := mutedLabel("Role assignments say who fills each role of Table 2 in this incident. Assigning a role the " +
		"examiner cannot act in yet also grants it to them; releasing an assignment does not take it away.")
	p.root = container.NewVBox(
		sectionWith("Role holders", container.NewVBox(intro, p.table.box), p.release, p.assign),
		container.NewVBox(subheading("Assignments and releases"), p.history.box),
	)
	return p
}

func (p *rolesPanel) load(f incidentFacts) {
	p.holders = f.inc.Roles
	p.src.set(p.holders)
	p.table.reload()
	hist := make([]incident.RoleAssignment, 0, len(f.roleHistory))
	for i := len(f.roleHistory) - 1; i >= 0; i-- { // newest first
		hist = append(hist, f.roleHistory[i])
	}
	p.historySrc.set(hist)
	p.history.reload()
	p.enable()
}

// chosen returns the chosen role holder, or nil.
func (p *rolesPanel) chosen() *incident.RoleHolder {
	return p.src.find(p.table.selected)
}

func (p *rolesPanel) enable() {
	why := p.cv.whyNot(casefile.PermManageExaminers)
	p.assign.allow(why)
	if why == "" && p.chosen() == nil {
		why = "choose a role holder in the table first."
	}
	p.release.allow(why)
}

// assignableExaminers lists the examiners who can hold a role: people with
// a key slot (not recovery keys).
func assignableExaminers(exs []casefile.Examiner) []string {
	var out []string
	for _, e := range exs {
		if e.Active && e.Kind != casefile.SlotRecovery {
			out = append(out, e.Name)
		}
	}
	return out
}

// showAssignRole opens the form that assigns an examiner to a role.
func (cv *caseView) showAssignRole() {
	form := cv.u.newRecordForm("Assign a role", "Assign",
		"The examiner fills the role in this incident. The Security Incident Manager manages the incident through the "+
			"stages; leaving Assess needs one.")
	var roles []string
	for _, r := range casefile.Roles {
		roles = append(roles, r.Title())
	}
	role := form.choice("Role *", roles, casefile.RoleSecurityIncidentManager.Title())
	names := assignableExaminers(cv.oc.custody.examiners)
	who := form.choice("Examiner *", names, "")
	reason := form.entry("Reason", "Why this person (optional)")
	form.check = func() bool {
		ok := true
		switch {
		case len(names) == 0:
			form.setProblem("Examiner", "No examiner can hold a role: add one with Add examiner… first.")
			ok = false
		case who.Selected == "":
			form.setProblem("Examiner", "Choose the examiner.")
			ok = false
		default:
			form.setProblem("Examiner", "")
		}
		if role.Selected == "" {
			form.setProblem("Role", "Choose the role.")
			ok = false
		} else {
			form.setProblem("Role", "")
		}
		return ok
	}
	form.build = func() func(*casefile.Case) error {
		r, err := casefile.ParseRole(role.Selected)
		if err != nil {
			form.setFormProblem(userMessage(err))
			return nil
		}
		name, why := who.Selected, strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).AssignRole(r, name, why)
			return err
		}
	}
	form.show(nil)
	if len(names) == 0 {
		form.setProblem("Examiner", "No examiner can hold a role: add one with Add examiner… first.")
	}
}

// showRelease opens the form that releases the chosen role holder.
func (p *rolesPanel) showRelease() {
	h := p.chosen()
	if h == nil {
		return
	}
	role, id, name := h.Role, h.ExaminerID.String(), h.Examiner
	form := p.cv.u.newRecordForm("Release "+shownLine(name)+" as "+role.Title(), "Release",
		"The assignment ends; the examiner keeps the role among those they may act in.")
	reason := form.entry("Reason", "e.g. handed over to another manager (optional)")
	form.build = func() func(*casefile.Case) error {
		why := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := incident.Of(c).ReleaseRole(role, id, why)
			return err
		}
	}
	form.saved = func() { p.table.choose(nil) }
	form.show(reason)
}
