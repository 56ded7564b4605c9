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
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// newCaseForm is the record form that creates a case, shown as the
// window's content. Its widgets are kept by name for tests.
//
// The case file's location is a folder plus a file name rather than Fyne's
// Save dialog: that dialog opens (creates or truncates) the chosen file
// itself, and confirming its "Overwrite?" question on an existing case would
// destroy it. A folder picker never touches a file.
type newCaseForm struct {
	u    *UI
	form *recordForm

	title, number, examiner, description *formEntry
	contact, reason                      *formEntry
	roles                                *roleChooser // the creator's roles
	folder, fileName                     *formEntry
	passphrase, confirm                  *formEntry
	chooseFolder                         *formButton
	strength                             *widget.Label

	// Inline problems, shown under the field they concern.
	titleProblem, numberProblem, examinerProblem, descriptionProblem *widget.Label
	rolesProblem, contactProblem                                     *widget.Label
	locationProblem, passphraseProblem, confirmProblem, formProblem  *widget.Label

	create, cancel *formButton

	nameFromTitle bool // the file name still follows the title and case number
	proposing     bool // followTitle is setting the file name
	root          fyne.CanvasObject
}

func newNewCaseForm(u *UI) *newCaseForm {
	f := &newCaseForm{u: u, nameFromTitle: true}
	form := u.newRecordForm("New case", "Create case", "")
	form.width = 760
	form.busyText = "Deriving the encryption key from the passphrase and writing the case file…"
	form.failTitle = "The case was not created"
	f.form = form
	form.section("Case details")
	f.title = form.entry("Title *", "e.g. Ransomware on finance file server")
	f.number = form.entry("Case number", "e.g. IR-2026-0042")
	f.description = form.text("Description", "What happened, who reported it, what is in scope", 4)
	f.title.OnChanged = func(string) { f.followTitle(); form.recheck() }
	f.number.OnChanged = func(string) { f.followTitle(); form.recheck() }
	form.section("Examiner")
	f.examiner = form.entry("Examiner *", "Your name, as it will appear in the custody record")
	f.roles = form.roles("Your roles *", casefile.DefaultCreatorRoles)
	f.contact = form.entry("Contact", "E-mail or phone (optional)")
	form.section("Case file")
	f.folder = newFormEntry(form.keys, 0)
	f.folder.SetPlaceHolder("Folder that will hold the case file")
	f.folder.SetText(defaultFolder(u.cfg.DefaultFolder))
	f.folder.OnChanged = func(string) { form.recheck() }
	f.chooseFolder = form.button("Choose…", theme.FolderOpenIcon(), func() { f.u.choosePath(f.folder, true) })
	form.add("Folder *", container.NewBorder(nil, nil, nil, f.chooseFolder, f.folder))
	form.fields["Folder"] = f.folder
	f.fileName = form.entry("File name *", "case"+casefile.Extension)
	f.fileName.OnChanged = func(string) {
		if !f.proposing {
			f.nameFromTitle = false
		}
		form.recheck()
	}
	form.section("Passphrase")
	f.passphrase = form.password("Passphrase *", "A long sentence is easy to remember and hard to guess")
	f.confirm = form.password("Confirm *", "Type the passphrase again")
	f.strength = widget.NewLabel("")
	f.strength.Wrapping = fyne.TextWrapWord
	f.passphrase.OnChanged = func(s string) { showStrength(f.strength, s); form.recheck() }
	showStrength(f.strength, "")
	warning := widget.NewLabel("The passphrase encrypts the case file and is yours alone: it decides who signs the " +
		"custody record. Nobody can recover it: without the passphrase (or a recovery key added later) the case " +
		"cannot be opened. Other examiners get their own passphrase when you add them.")
	warning.Wrapping = fyne.TextWrapWord
	warning.TextStyle = fyne.TextStyle{Italic: true}
	form.note("", container.NewVBox(f.strength, warning))
	form.section("Custody record")
	f.reason = form.entry("Reason", "Why the case is opened, e.g. ticket SEC-4471 (recorded in custody entry 1)")

	f.titleProblem = form.problems["Title"].label
	f.numberProblem = form.problems["Case number"].label
	f.examinerProblem = form.problems["Examiner"].label
	f.descriptionProblem = form.problems["Description"].label
	f.rolesProblem = form.problems["Your roles"].label
	f.contactProblem = form.problems["Contact"].label
	f.locationProblem = form.problems["File name"].label
	f.passphraseProblem = form.problems["Passphrase"].label
	f.confirmProblem = form.problems["Confirm"].label
	f.formProblem = form.problem
	f.create, f.cancel = form.save, form.cancel

	form.check = func() bool { _, _, ok := f.check(); return ok }
	form.job = f.job
	form.onCancel = u.ShowStart

	head := container.NewVBox(heading("New case"), widget.NewLabel("Fields marked * are required."))
	f.root = form.showScreen(head, nil)
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
	form := f.form
	nc := f.newCase()
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
	problems := []struct{ field, msg string }{
		{"Title", probe(func(n *casefile.NewCase) { n.Title = nc.Title })},
		{"Case number", probe(func(n *casefile.NewCase) { n.CaseNumber = nc.CaseNumber })},
		{"Examiner", probe(func(n *casefile.NewCase) { n.Examiner = nc.Examiner })},
		{"Description", probe(func(n *casefile.NewCase) { n.Description = nc.Description })},
		{"Your roles", rolesMessage(nc.ExaminerRoles)},
		{"Contact", contactMessage(nc.ExaminerContact)},
		{"File name", f.locationMessage()},
		{"Passphrase", passphraseMessage(f.passphrase.Text)},
		{"Confirm", confirmMessage(f.passphrase.Text, f.confirm.Text)},
	}
	ok := true
	for _, p := range problems {
		form.setProblem(p.field, p.msg)
		ok = ok && p.msg == ""
	}
	form.setFormProblem("")
	if err := nc.Validate(); ok && err != nil {
		form.setFormProblem(userMessage(err)) // a rule that spans fields
		ok = false
	}
	return nc, f.Path(), ok
}

// newCase is the case the form describes.
func (f *newCaseForm) newCase() casefile.NewCase {
	return casefile.NewCase{
		Title:           f.title.Text,
		CaseNumber:      f.number.Text,
		Examiner:        f.examiner.Text,
		Description:     f.description.Text,
		ExaminerRoles:   f.roles.Selected(),
		ExaminerContact: strings.TrimSpace(f.contact.Text),
		Reason:          strings.TrimSpace(f.reason.Text),
	}
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
		return "The file name cannot be used: " + userMessage(err)
	}
	return ""
}

// job creates the case off the UI goroutine (key derivation takes about a
// second), then shows it.
func (f *newCaseForm) job() func() (func(), error) {
	u := f.u
	nc, path, _ := f.check()
	pass := []byte(f.passphrase.Text)
	return func() (func(), error) {
		c, err := casefile.Create(path, pass, nc, u.cfg.CaseOptions)
		clear(pass)
		if err != nil {
			return nil, err
		}
		oc := loadCase(c)
		if !u.adopt(oc) {
			return func() {}, nil
		}
		return func() { u.showCase(oc) }, nil
	}
}
