package app

import (
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// passphrasePrompt asks for the passphrase of a case and unlocks it. Key
// derivation runs off the UI goroutine while the prompt shows that it is
// working. A wrong passphrase, or one that belongs to another examiner than
// the one named, keeps the prompt open, says so, and lets the examiner try
// again; any other failure closes it and shows an error dialog.
type passphrasePrompt struct {
	u    *UI
	path string

	examiner *widget.Entry    // optional: who expects to act (Options.Examiner)
	entry    *widget.Entry    // the passphrase
	problem  *widget.Label    // "Wrong passphrase…"; hidden until needed
	activity *widget.Activity // spins while the key is derived
	status   *widget.Label    // says what the activity is
	unlock   *widget.Button
	cancel   *widget.Button
	content  *fyne.Container
	dlg      *dialog.CustomDialog
}

// fit sizes the prompt to its content at a fixed width, so a message shown
// or hidden never overflows or leaves a gap.
func (p *passphrasePrompt) fit() {
	fitDialog(p.u.win, p.dlg, p.content, 480)
}

// PromptOpen asks for the passphrase of the case at path and opens it.
func (u *UI) PromptOpen(path string) {
	if u.prompt != nil {
		u.prompt.dlg.Hide()
	}
	p := &passphrasePrompt{u: u, path: path}
	p.examiner = widget.NewEntry()
	p.examiner.SetPlaceHolder("Your name (optional)")
	p.examiner.OnSubmitted = func(string) { u.win.Canvas().Focus(p.entry) }
	p.entry = widget.NewPasswordEntry()
	p.entry.SetPlaceHolder("Passphrase")
	p.entry.OnSubmitted = func(string) { p.submit() }
	p.problem = problemLabel()
	p.activity = widget.NewActivity()
	p.activity.Hide()
	p.status = widget.NewLabel("Deriving the key from the passphrase…")
	p.status.Hide()
	p.unlock = widget.NewButtonWithIcon("Unlock", theme.LoginIcon(), p.submit)
	p.unlock.Importance = widget.HighImportance
	p.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), p.close)

	name := widget.NewLabelWithStyle(filepath.Base(path), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	where := widget.NewLabel(filepath.Dir(path))
	where.Truncation = fyne.TextTruncateEllipsis
	about := widget.NewLabel("Each examiner has their own passphrase; it decides who signs the custody record.")
	about.Wrapping = fyne.TextWrapWord
	about.Importance = widget.LowImportance
	fields := factGrids([]fact{{"Examiner", p.examiner}, {"Passphrase", p.entry}})[0]
	p.content = container.NewVBox(
		widget.NewLabel("Enter your passphrase for this case:"),
		name, where,
		fields,
		p.problem,
		about,
		container.NewHBox(p.activity, p.status),
	)
	p.dlg = dialog.NewCustomWithoutButtons("Unlock case", p.content, u.win)
	p.dlg.SetButtons([]fyne.CanvasObject{p.cancel, p.unlock})
	u.prompt = p
	p.dlg.Show()
	p.fit()
	u.win.Canvas().Focus(p.entry)
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

// OpenWithPassphrase opens the case at path with pass without asking; pass
// is wiped afterwards. A wrong passphrase shows the prompt with the message,
// so the examiner can type the right one.
func (u *UI) OpenWithPassphrase(path string, pass []byte) {
	u.PromptOpen(path)
	if len(pass) == 0 {
		return // nothing to try; the prompt asks
	}
	u.prompt.unlockWith(pass)
}

// submit unlocks the case with the typed passphrase.
func (p *passphrasePrompt) submit() {
	if p.entry.Text == "" {
		setProblem(p.problem, "Enter the passphrase.")
		p.fit()
		return
	}
	pass := []byte(p.entry.Text)
	p.entry.SetText("")
	p.unlockWith(pass)
}

// unlockWith opens the case off the UI goroutine; pass is wiped afterwards.
func (p *passphrasePrompt) unlockWith(pass []byte) {
	p.setWorking(true)
	u := p.u
	opts := p.options()
	u.runJob(func() func() {
		c, err := casefile.Open(p.path, pass, opts)
		clear(pass)
		var oc *openCase
		if err == nil {
			oc = loadCase(c)
			if !u.adopt(oc) {
				return func() {}
			}
		}
		return func() {
			p.setWorking(false)
			switch {
			case errors.Is(err, casefile.ErrWrongPassphrase):
				u.setLastError(err)
				setProblem(p.problem, "Wrong passphrase. "+sentence(casefile.Hint(err))+".")
				p.fit()
				u.win.Canvas().Focus(p.entry)
			case errors.Is(err, casefile.ErrNotThisExaminer):
				u.setLastError(err)
				setProblem(p.problem, notThisExaminerMessage(err)+" "+hint(err))
				p.fit()
				u.win.Canvas().Focus(p.entry)
			case err != nil:
				p.close()
				u.showError("The case could not be opened", err, nil)
			default:
				p.close()
				u.showCase(oc)
			}
		}
	})
}

// setWorking shows or hides the busy state; while working nothing can be typed
// or pressed.
func (p *passphrasePrompt) setWorking(on bool) {
	if on {
		setProblem(p.problem, "")
		p.examiner.Disable()
		p.entry.Disable()
		p.unlock.Disable()
		p.cancel.Disable()
		p.activity.Show()
		p.activity.Start()
		p.status.Show()
		p.fit()
		return
	}
	p.activity.Stop()
	p.activity.Hide()
	p.status.Hide()
	p.examiner.Enable()
	p.entry.Enable()
	p.unlock.Enable()
	p.cancel.Enable()
	p.fit()
}

// close hides the prompt.
func (p *passphrasePrompt) close() {
	p.dlg.Hide()
	if p.u.prompt == p {
		p.u.prompt = nil
	}
}

// notThisExaminerMessage says whose key slot the passphrase opened, without
// the file path casefile puts in front: the prompt already shows the file.
func notThisExaminerMessage(err error) string {
	msg := err.Error()
	what := strings.TrimPrefix(casefile.ErrNotThisExaminer.Error(), "casefile: ")
	if i := strings.Index(msg, what); i >= 0 {
		return sentence(msg[i:]) + "."
	}
	return userMessage(err)
}
