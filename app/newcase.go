package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// newCaseForm is the form that creates a case.
//
// The case file's location is a folder plus a file name rather than Fyne's
// Save dialog: that dialog opens (creates or truncates) the chosen file
// itself, and confirming its "Overwrite?" question on an existing case would
// destroy it. A folder picker never touches a file.
type newCaseForm struct {
	u *UI

	title, number, examiner, description *widget.Entry
	contact                              *widget.Entry
	roles                                *roleChooser // the creator's roles
	folder, fileName                     *widget.Entry
	passphrase, confirm                  *widget.Entry
	chooseFolder                         *widget.Button
	strength                             *widget.Label

	// Inline problems, shown under the field they concern.
	titleProblem, numberProblem, examinerProblem, descriptionProblem *widget.Label
	rolesProblem, contactProblem                                     *widget.Label
	locationProblem, passphraseProblem, confirmProblem, formProblem  *widget.Label

	create, cancel *widget.Button

	checked       bool // Create was pressed once; from then on every edit re-checks
	nameFromTitle bool // the file name still follows the title and case number
	proposing     bool // followTitle is setting the file name
	root          fyne.CanvasObject
}

func newNewCaseForm(u *UI) *newCaseForm {
	f := &newCaseForm{u: u, nameFromTitle: true}
	recheck := func(string) {
		if f.checked {
			f.check()
		}
	}
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.OnChanged = recheck
		return e
	}
	f.title = entry("e.g. Ransomware on finance file server")
	f.number = entry("e.g. IR-2026-0042")
	f.examiner = entry("Your name, as it will appear in the custody record")
	f.contact = entry("E-mail or phone (optional)")
	f.roles = newRoleChooser([]casefile.Role{casefile.RoleForensicEngineer}, func() { recheck("") })
	f.description = widget.NewMultiLineEntry()
	f.description.SetPlaceHolder("What happened, who reported it, what is in scope")
	f.description.SetMinRowsVisible(4)
	f.description.Wrapping = fyne.TextWrapWord
	f.description.OnChanged = recheck
	f.title.OnChanged = func(string) { f.followTitle(); recheck("") }
	f.number.OnChanged = func(string) { f.followTitle(); recheck("") }

	f.folder = entry("Folder that will hold the case file")
	f.folder.SetText(defaultFolder(u.cfg.DefaultFolder))
	f.fileName = entry("case" + casefile.Extension)
	f.fileName.OnChanged = func(string) {
		if !f.proposing {
			f.nameFromTitle = false
		}
		recheck("")
	}
	f.chooseFolder = widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() { f.u.choosePath(f.folder, true) })

	f.passphrase = widget.NewPasswordEntry()
	f.passphrase.SetPlaceHolder("A long sentence is easy to remember and hard to guess")
	f.confirm = widget.NewPasswordEntry()
	f.confirm.SetPlaceHolder("Type the passphrase again")
	f.strength = widget.NewLabel("")
	f.strength.Wrapping = fyne.TextWrapWord
	f.passphrase.OnChanged = func(s string) { showStrength(f.strength, s); recheck("") }
	f.confirm.OnChanged = recheck
	f.confirm.OnSubmitted = func(string) { f.submit() }
	showStrength(f.strength, "")

	f.titleProblem, f.numberProblem = problemLabel(), problemLabel()
	f.examinerProblem, f.descriptionProblem = problemLabel(), problemLabel()
	f.rolesProblem, f.contactProblem = problemLabel(), problemLabel()
	f.locationProblem, f.passphraseProblem = problemLabel(), problemLabel()
	f.confirmProblem, f.formProblem = problemLabel(), problemLabel()

	f.create = widget.NewButtonWithIcon("Create case", theme.ConfirmIcon(), f.submit)
	f.create.Importance = widget.HighImportance
	f.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), u.ShowStart)

	field := func(e fyne.CanvasObject, problem *widget.Label) fyne.CanvasObject {
		return container.NewVBox(e, problem)
	}
	grids := factGrids(
		[]fact{
			{"Title *", field(f.title, f.titleProblem)},
			{"Case number", field(f.number, f.numberProblem)},
			{"Description", field(f.description, f.descriptionProblem)},
		},
		[]fact{
			{"Examiner *", field(f.examiner, f.examinerProblem)},
			{"Your roles *", field(f.roles.root, f.rolesProblem)},
			{"Contact", field(f.contact, f.contactProblem)},
		},
		[]fact{
			{"Folder *", container.NewBorder(nil, nil, nil, f.chooseFolder, f.folder)},
			{"File name *", field(f.fileName, f.locationProblem)},
		},
		[]fact{
			{"Passphrase *", field(f.passphrase, f.passphraseProblem)},
			{"Confirm *", field(f.confirm, f.confirmProblem)},
			{"", f.strength},
		},
	)
	details, you, location, secret := grids[0], grids[1], grids[2], grids[3]
	warning := widget.NewLabel("The passphrase encrypts the case file and is yours alone: it decides who signs the " +
		"custody record. Nobody can recover it: without the passphrase (or a recovery key added later) the case " +
		"cannot be opened. Other examiners get their own passphrase when you add them.")
	warning.Wrapping = fyne.TextWrapWord
	warning.TextStyle = fyne.TextStyle{Italic: true}
	required := widget.NewLabel("Fields marked * are required.")

	body := container.NewVBox(
		heading("New case"),
		required,
		section("Case details", details),
		section("Examiner", you),
		section("Case file", location),
		section("Passphrase", container.NewVBox(secret, warning)),
		f.formProblem,
	)
	buttons := container.NewHBox(layout.NewSpacer(), f.cancel, f.create)
	f.root = container.NewBorder(nil, container.NewPadded(newMaxWidth(760, buttons)), nil, nil,
		container.NewVScroll(container.NewPadded(newMaxWidth(760, body))))
	return f
}

// defaultFolder is where a new case goes unless the examiner picks a folder.
func defaultFolder(configured string) string {
	if configured != "" {
		return configured
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	if docs := filepath.Join(home, "Documents"); isDir(docs) {
		return docs
	}
	return home
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// followTitle proposes a file name from the case number and title until the
// examiner types a file name of their own.
func (f *newCaseForm) followTitle() {
	if !f.nameFromTitle {
		return
	}
	f.proposing = true
	f.fileName.SetText(fileNameFor(f.number.Text, f.title.Text))
	f.proposing = false
}

// fileNameFor makes a file name from the case number and title: letters and
// digits kept, everything else a single hyphen, at most 60 characters.
func fileNameFor(number, title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.TrimSpace(number + " " + title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			hyphen = false
		} else if !hyphen && b.Len() > 0 {
			b.WriteByte('-')
			hyphen = true
		}
		if utf8.RuneCountInString(b.String()) >= 60 {
			break
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		return ""
	}
	return name + casefile.Extension
}

// showStrength shows in l how long the passphrase is and what would make it
// stronger. Only length is judged: it is what matters for a passphrase
// hashed with Argon2id, and it is what a person can act on.
func showStrength(l *widget.Label, pass string) {
	n := utf8.RuneCountInString(pass)
	switch {
	case n == 0:
		l.SetText("Use four or more words, 20 characters or more.")
		l.Importance = widget.MediumImportance
	case n < 12:
		l.SetText(fmt.Sprintf("%d characters — weak. Use at least 12; four or more words are better.", n))
		l.Importance = widget.DangerImportance
	case n < 20:
		l.SetText(fmt.Sprintf("%d characters — fair. 20 or more (several words) is stronger.", n))
		l.Importance = widget.WarningImportance
	default:
		l.SetText(fmt.Sprintf("%d characters — good length.", n))
		l.Importance = widget.SuccessImportance
	}
	l.Refresh()
}

// Path returns the case file path the form would create, with the case
// extension added when the file name lacks it.
func (f *newCaseForm) Path() string {
	name := strings.TrimSpace(f.fileName.Text)
	if name == "" {
		return ""
	}
	if !hasCaseExtension(name) {
		name += casefile.Extension
	}
	return filepath.Join(strings.TrimSpace(f.folder.Text), name)
}

// check validates the form, shows every problem under its field and reports
// whether the case can be created. The case fields are judged by
// casefile's NewCase.Validate alone.
func (f *newCaseForm) check() (casefile.NewCase, string, bool) {
	nc := casefile.NewCase{
		Title:           f.title.Text,
		CaseNumber:      f.number.Text,
		Examiner:        f.examiner.Text,
		Description:     f.description.Text,
		ExaminerRoles:   f.roles.Selected(),
		ExaminerContact: strings.TrimSpace(f.contact.Text),
	}
	// Validate reports the first problem only; asking it about one field at
	// a time, with valid values in the others, puts each message under its
	// own field.
	probe := func(set func(*casefile.NewCase)) string {
		one := casefile.NewCase{Title: "t", Examiner: "e"}
		set(&one)
		if err := one.Validate(); err != nil {
			return userMessage(err)
		}
		return ""
	}
	problems := []struct {
		label *widget.Label
		msg   string
	}{
		{f.titleProblem, probe(func(n *casefile.NewCase) { n.Title = nc.Title })},
		{f.numberProblem, probe(func(n *casefile.NewCase) { n.CaseNumber = nc.CaseNumber })},
		{f.examinerProblem, probe(func(n *casefile.NewCase) { n.Examiner = nc.Examiner })},
		{f.descriptionProblem, probe(func(n *casefile.NewCase) { n.Description = nc.Description })},
		{f.rolesProblem, rolesMessage(nc.ExaminerRoles)},
		{f.contactProblem, contactMessage(nc.ExaminerContact)},
		{f.locationProblem, f.locationMessage()},
		{f.passphraseProblem, f.passphraseMessage()},
		{f.confirmProblem, f.confirmMessage()},
		{f.formProblem, ""},
	}
	ok := true
	for _, p := range problems {
		if p.msg != "" {
			ok = false
		}
	}
	if err := nc.Validate(); ok && err != nil {
		problems[len(problems)-1].msg = userMessage(err) // a rule that spans fields
		ok = false
	}
	for _, p := range problems {
		setProblem(p.label, p.msg)
	}
	f.root.Refresh() // lay out again: shown or hidden messages change row heights
	return nc, f.Path(), ok
}

// rolesMessage asks for at least one role. casefile would quietly record
// Forensic Engineer for none; a person who unticked every box meant
// something else.
func rolesMessage(roles []casefile.Role) string {
	if len(roles) == 0 {
		return "Choose at least one role: every custody entry records the role you act in."
	}
	return ""
}

// contactMessage is casefile's judgement of the contact field, which it
// checks when it records the creator as an examiner.
func contactMessage(contact string) string {
	if err := (casefile.NewExaminer{Name: "n", Contact: contact}).Validate(); err != nil {
		return userMessage(err)
	}
	return ""
}

func (f *newCaseForm) locationMessage() string {
	folder := strings.TrimSpace(f.folder.Text)
	name := strings.TrimSpace(f.fileName.Text)
	switch {
	case folder == "":
		return "Folder is required: choose where to save the case file."
	case !isDir(folder):
		return "Folder " + folder + " does not exist: choose an existing folder."
	case name == "":
		return "File name is required: enter a name for the case file."
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return "File name must be a name, not a path: choose the folder with Choose…."
	}
	if _, err := os.Lstat(f.Path()); err == nil {
		return "A file named " + filepath.Base(f.Path()) + " already exists in this folder: choose another name. Custodia never overwrites a file."
	} else if !errors.Is(err, os.ErrNotExist) {
		return "The file name cannot be used: " + err.Error() + "."
	}
	return ""
}

func (f *newCaseForm) passphraseMessage() string {
	if f.passphrase.Text == "" {
		return "Passphrase is required: " + casefile.Hint(casefile.ErrEmptyPassphrase) + "."
	}
	return ""
}

func (f *newCaseForm) confirmMessage() string {
	if f.passphrase.Text != "" && f.confirm.Text != f.passphrase.Text {
		return "The passphrases differ: type the same passphrase in both fields."
	}
	return ""
}

// submit checks the form and, when it is complete, creates the case.
func (f *newCaseForm) submit() {
	f.checked = true
	nc, path, ok := f.check()
	if !ok {
		return
	}
	pass := []byte(f.passphrase.Text)
	f.u.createCase(path, pass, nc)
}

// createCase creates the case off the UI goroutine behind a busy dialog,
// then shows it. Key derivation takes about a second.
func (u *UI) createCase(path string, pass []byte, nc casefile.NewCase) {
	busy := newBusy(u, "Creating case", "Deriving the encryption key from the passphrase and writing "+filepath.Base(path)+"…")
	u.runJob(func() func() {
		c, err := casefile.Create(path, pass, nc, u.cfg.CaseOptions)
		clear(pass)
		var oc *openCase
		if err == nil {
			oc = loadCase(c)
			if !u.adopt(oc) {
				return func() {}
			}
		}
		return func() {
			busy.Hide(u)
			if err != nil {
				u.showError("The case was not created", err, nil)
				return
			}
			u.showCase(oc)
		}
	})
}
