package app

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// examinersView is the Examiners tab of the Custody area: everyone who has
// acted on or been added to the case, and the form that adds a person.
type examinersView struct {
	custody *custodyView

	list    []casefile.Examiner
	problem *widget.Label // the examiners could not be read
	table   *widget.Table
	fill    *fillLastColumn
	box     *fyne.Container // the table, its last column filling the pane
	add     *widget.Button
	form    *addExaminerForm // open add-examiner form, for tests; nil when closed
	root    *fyne.Container
}

// examinerColumn is one column of the examiners table.
type examinerColumn struct {
	title string
	text  func(v *examinersView, e *casefile.Examiner) string
	width float32 // at most
	mono  bool
}

var examinerColumns = []examinerColumn{
	{"Name", func(v *examinersView, e *casefile.Examiner) string {
		if e.ID == v.custody.cv.oc.actor.ID {
			return e.Name + " (acting)"
		}
		return e.Name
	}, 220, false},
	{"Roles", func(_ *examinersView, e *casefile.Examiner) string { return roleTitles(e.Roles) }, 340, false},
	{"Contact", func(_ *examinersView, e *casefile.Examiner) string { return orNotSet(e.Contact) }, 240, false},
	{"Key slot", func(_ *examinersView, e *casefile.Examiner) string { return slotText(e) }, 160, false},
	{"Fingerprint", func(_ *examinersView, e *casefile.Examiner) string { return e.Fingerprint() }, 200, true},
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

func newExaminersView(c *custodyView) *examinersView {
	v := &examinersView{custody: c}
	v.problem = problemLabel()
	v.add = widget.NewButtonWithIcon("Add examiner…", theme.ContentAddIcon(), v.showAddForm)
	note := widget.NewLabel("Each examiner has their own passphrase and signing key; the passphrase that opens the case " +
		"decides who signs its custody record. Examiners whose key slot was removed stay listed, so their " +
		"signatures remain verifiable.")
	note.Wrapping = fyne.TextWrapWord
	v.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(v.list), len(examinerColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row >= len(v.list) {
				l.SetText("")
				return
			}
			col := examinerColumns[id.Col]
			l.TextStyle = fyne.TextStyle{Monospace: col.mono}
			l.SetText(col.text(v, &v.list[id.Row]))
		},
	)
	v.table.ShowHeaderColumn = false
	v.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	v.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(examinerColumns) {
			o.(*widget.Label).SetText(examinerColumns[id.Col].title)
		}
	}
	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewVBox(v.add), note), v.problem)
	v.fill = &fillLastColumn{table: v.table}
	v.box = container.New(v.fill, v.table)
	v.root = container.NewBorder(top, nil, nil, nil, v.box)
	return v
}

// load shows a newly read list of examiners.
func (v *examinersView) load(list []casefile.Examiner, err error) {
	v.list = list
	if err != nil {
		setProblem(v.problem, "The examiners could not be read: "+userMessage(err)+" "+hint(err))
	} else {
		setProblem(v.problem, "")
	}
	v.root.Refresh()
	pad := 2*theme.InnerPadding() + theme.Padding()
	widths := make([]float32, len(examinerColumns))
	for c, col := range examinerColumns {
		w := fyne.MeasureText(col.title, theme.TextSize(), fyne.TextStyle{Bold: true}).Width
		for i := range list {
			w = max(w, fyne.MeasureText(col.text(v, &list[i]), theme.TextSize(), fyne.TextStyle{Monospace: col.mono}).Width)
		}
		widths[c] = min(w+pad, col.width)
	}
	v.fill.setWidths(widths, v.box)
	v.table.Refresh()
}

// addExaminerForm is the dialog that adds an examiner with their own
// passphrase. Key derivation runs off the UI goroutine while the form shows
// that it is working.
type addExaminerForm struct {
	v *examinersView

	name, contact, reason *widget.Entry
	passphrase, confirm   *widget.Entry
	roles                 *roleChooser
	strength              *widget.Label

	nameProblem, contactProblem, passphraseProblem, confirmProblem, formProblem *widget.Label

	activity *widget.Activity
	status   *widget.Label
	add      *widget.Button
	cancel   *widget.Button
	checked  bool
	content  *fyne.Container
	dlg      *dialog.CustomDialog
}

// showAddForm opens the add-examiner form.
func (v *examinersView) showAddForm() {
	u := v.custody.u
	f := &addExaminerForm{v: v}
	recheck := func() {
		if f.checked {
			f.check()
		}
	}
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.OnChanged = func(string) { recheck() }
		return e
	}
	f.name = entry("Full name, as it will appear in the custody record")
	f.contact = entry("E-mail or phone (optional)")
	f.reason = entry("Why this person joins the case (optional)")
	f.roles = newRoleChooser(nil, recheck)
	f.passphrase = widget.NewPasswordEntry()
	f.passphrase.SetPlaceHolder("The new examiner's own passphrase")
	f.confirm = widget.NewPasswordEntry()
	f.confirm.SetPlaceHolder("Type it again")
	f.confirm.OnChanged = func(string) { recheck() }
	f.confirm.OnSubmitted = func(string) { f.submit() }
	f.strength = widget.NewLabel("")
	f.strength.Wrapping = fyne.TextWrapWord
	f.passphrase.OnChanged = func(s string) { showStrength(f.strength, s); recheck() }
	showStrength(f.strength, "")
	f.nameProblem, f.contactProblem = problemLabel(), problemLabel()
	f.passphraseProblem, f.confirmProblem, f.formProblem = problemLabel(), problemLabel(), problemLabel()
	f.activity = widget.NewActivity()
	f.activity.Hide()
	f.status = widget.NewLabel("Deriving the new examiner's key from the passphrase…")
	f.status.Hide()
	f.add = widget.NewButtonWithIcon("Add examiner", theme.ContentAddIcon(), f.submit)
	f.add.Importance = widget.HighImportance
	f.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), f.close)

	field := func(e fyne.CanvasObject, problem *widget.Label) fyne.CanvasObject {
		return container.NewVBox(e, problem)
	}
	grid := factGrids([]fact{
		{"Name *", field(f.name, f.nameProblem)},
		{"Roles", f.roles.root},
		{"Contact", field(f.contact, f.contactProblem)},
		{"Passphrase *", field(f.passphrase, f.passphraseProblem)},
		{"Confirm *", field(f.confirm, f.confirmProblem)},
		{"", f.strength},
		{"Reason", f.reason},
	})[0]
	intro := widget.NewLabel("The new examiner opens the case with their own passphrase and signs what they do " +
		"with their own key. Let them type it here, or change it later. You record this addition in the custody record.")
	intro.Wrapping = fyne.TextWrapWord
	f.content = container.NewVBox(intro, grid, f.formProblem, container.NewHBox(f.activity, f.status))
	f.dlg = dialog.NewCustomWithoutButtons("Add examiner", f.content, u.win)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.add})
	v.form = f
	f.dlg.Show()
	f.fit()
	u.win.Canvas().Focus(f.name)
}

func (f *addExaminerForm) fit() {
	fitDialog(f.v.custody.u.win, f.dlg, f.content, 620)
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
	ne := f.newExaminer()
	probe := func(set func(*casefile.NewExaminer)) string {
		one := casefile.NewExaminer{Name: "n"}
		set(&one)
		if err := one.Validate(); err != nil {
			return userMessage(err)
		}
		return ""
	}
	msgs := []struct {
		label *widget.Label
		msg   string
	}{
		{f.nameProblem, probe(func(n *casefile.NewExaminer) { n.Name = ne.Name })},
		{f.contactProblem, probe(func(n *casefile.NewExaminer) { n.Contact = ne.Contact })},
		{f.passphraseProblem, ""},
		{f.confirmProblem, ""},
		{f.formProblem, ""},
	}
	if f.passphrase.Text == "" {
		msgs[2].msg = "Passphrase is required: " + casefile.Hint(casefile.ErrEmptyPassphrase) + "."
	}
	if f.passphrase.Text != "" && f.confirm.Text != f.passphrase.Text {
		msgs[3].msg = "The passphrases differ: type the same passphrase in both fields."
	}
	ok := true
	for _, m := range msgs {
		ok = ok && m.msg == ""
	}
	if err := ne.Validate(); ok && err != nil {
		msgs[4].msg = userMessage(err)
		ok = false
	}
	for _, m := range msgs {
		setProblem(m.label, m.msg)
	}
	f.fit()
	return ok
}

// submit checks the form and adds the examiner off the UI goroutine.
func (f *addExaminerForm) submit() {
	f.checked = true
	if !f.check() {
		return
	}
	ne := f.newExaminer()
	pass := []byte(f.passphrase.Text)
	reason := strings.TrimSpace(f.reason.Text)
	cv := f.v.custody.cv
	u, oc := cv.u, cv.oc
	f.setWorking(true)
	u.runJob(func() func() {
		_, err := oc.c.AddExaminer(ne, pass, reason)
		clear(pass)
		var facts custodyFacts
		if err == nil {
			facts = readCustody(oc.c)
		}
		return func() {
			f.setWorking(false)
			switch {
			case errors.Is(err, casefile.ErrInvalid):
				// A rule the form cannot check alone, such as a name
				// already taken: say it in the form, keep what was typed.
				u.setLastError(err)
				setProblem(f.formProblem, userMessage(err))
				f.fit()
			case err != nil:
				u.showError("The examiner was not added", err, nil)
			default:
				f.close()
				oc.custody = facts
				if u.cv == cv {
					cv.custodyChanged()
				}
			}
		}
	})
}

// setWorking shows or hides the busy state; while working nothing can be
// typed or pressed.
func (f *addExaminerForm) setWorking(on bool) {
	entries := []*widget.Entry{f.name, f.contact, f.reason, f.passphrase, f.confirm}
	if on {
		setProblem(f.formProblem, "")
		for _, e := range entries {
			e.Disable()
		}
		for _, c := range f.roles.checks {
			c.Disable()
		}
		f.add.Disable()
		f.cancel.Disable()
		f.activity.Show()
		f.activity.Start()
		f.status.Show()
		f.fit()
		return
	}
	for _, e := range entries {
		e.Enable()
	}
	for _, c := range f.roles.checks {
		c.Enable()
	}
	f.add.Enable()
	f.cancel.Enable()
	f.activity.Stop()
	f.activity.Hide()
	f.status.Hide()
	f.fit()
}

// close hides the form.
func (f *addExaminerForm) close() {
	f.dlg.Hide()
	if f.v.form == f {
		f.v.form = nil
	}
}
