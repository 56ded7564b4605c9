package app

import (
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// passphrasePrompt is the record form that asks for the passphrase of a
// case and unlocks it. The file is inspected first (casefile.Inspect), so
// nobody is asked for the key of a file that is no case. Key derivation
// runs off the UI goroutine while the form shows that it is working. A
// wrong passphrase, or one that belongs to another examiner than the one
// named, keeps the prompt open, says so in it, and lets the examiner try
// again; any other failure closes it and shows an error dialog. Its
// widgets are kept by name for tests.
type passphrasePrompt struct {
	u    *UI
	path string
	form *recordForm

	examiner *formEntry       // optional: who expects to act (Options.Examiner)
	entry    *formEntry       // the passphrase
	problem  *widget.Label    // "Wrong passphrase…"; empty until needed
	activity *widget.Activity // spins while the key is derived
	status   *widget.Label    // says what the activity is
	unlock   *formButton
	cancel   *formButton

	preset []byte // a passphrase given without typing (OpenWithPassphrase)
}

// PromptOpen checks the file at path and, when it is a case, asks for its
// passphrase and opens it. A file that is not a case (or is missing, cut
// short or damaged) is said to be so at once, with what to do.
func (u *UI) PromptOpen(path string) {
	u.inspectThen(path, func() { u.showPrompt(path) })
}

// OpenWithPassphrase opens the case at path with pass without asking; pass
// is wiped afterwards. A wrong passphrase shows the prompt with the message,
// so the examiner can type the right one.
func (u *UI) OpenWithPassphrase(path string, pass []byte) {
	u.inspectThen(path, func() {
		p := u.showPrompt(path)
		if len(pass) > 0 {
			p.preset = pass
			p.form.submit()
		}
	}, pass)
}

// inspectThen inspects the file at path off the UI goroutine, then runs
// then on the UI goroutine, or shows why the file cannot be opened. Any
// passphrase given in wipe is wiped when the file is refused.
func (u *UI) inspectThen(path string, then func(), wipe ...[]byte) {
	if u.prompt != nil {
		u.prompt.form.close()
	}
	u.runJob(func() func() {
		err := casefile.Inspect(path)
		return func() {
			if err != nil {
				for _, w := range wipe {
					clear(w)
				}
				u.showError("The case could not be opened", err, nil)
				return
			}
			then()
		}
	})
}

// showPrompt shows the passphrase form for the case at path.
func (u *UI) showPrompt(path string) *passphrasePrompt {
	if u.prompt != nil {
		u.prompt.form.close()
	}
	p := &passphrasePrompt{u: u, path: path}
	form := u.newRecordForm("Unlock case", "Unlock",
		"Enter your passphrase for "+filepath.Base(path)+" in "+filepath.Dir(path)+
			". Each examiner has their own passphrase; it decides who signs the custody record.")
	form.width = 520
	form.busyText = "Deriving the key from the passphrase…"
	form.failTitle = "The case could not be opened"
	form.failClose = true
	p.form = form
	p.examiner = form.entry("Examiner", "Your name (optional)")
	p.entry = form.password("Passphrase *", "Passphrase")
	p.problem, p.activity, p.status = form.problem, form.activity, form.status
	p.unlock, p.cancel = form.save, form.cancel
	p.unlock.Icon = theme.LoginIcon()
	form.check = func() bool {
		if p.preset != nil {
			return true
		}
		return form.require("Passphrase", p.entry.Text, "Enter the passphrase.")
	}
	form.refused = func(err error) bool {
		return errors.Is(err, casefile.ErrWrongPassphrase) || errors.Is(err, casefile.ErrNotThisExaminer)
	}
	form.onRefused = func(error) { u.win.Canvas().Focus(p.entry) }
	form.job = p.job
	form.onClosed = func() {
		clear(p.preset)
		if u.prompt == p {
			u.prompt = nil
		}
	}
	u.prompt = p
	form.show(p.entry)
	return p
}

// options are the case options for this attempt: the configured ones and
// the examiner named in the prompt, if any.
func (p *passphrasePrompt) options() casefile.Options {
	opts := p.u.cfg.CaseOptions
	if name := strings.TrimSpace(p.examiner.Text); name != "" {
		opts.Examiner = name
	}
	return opts
}

// job opens the case with the typed (or preset) passphrase; the typed one
// leaves the entry at once, and every copy is wiped after the attempt.
func (p *passphrasePrompt) job() func() (func(), error) {
	u := p.u
	pass := p.preset
	p.preset = nil
	if pass == nil {
		pass = []byte(p.entry.Text)
		changed := p.entry.OnChanged
		p.entry.OnChanged = nil
		p.entry.SetText("")
		p.entry.OnChanged = changed
	}
	opts, path := p.options(), p.path
	return func() (func(), error) {
		c, err := casefile.Open(path, pass, opts)
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
