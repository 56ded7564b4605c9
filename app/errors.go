package app

import (
	"errors"
	"io/fs"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// errorView is a dialog that says what went wrong and what to do about it.
type errorView struct {
	title   string
	message string // what happened
	note    string // what else the person should know (what was done before the failure); "" for none
	hint    string // what to do
	details string // the error's full text, for a bug report (Copy details)
	dlg     *dialog.CustomDialog
}

// showError records err as the last error and shows it in a dialog titled
// title, with the hint on what to do and a Copy details button. onClosed,
// if not nil, runs when the dialog is dismissed.
func (u *UI) showError(title string, err error, onClosed func()) {
	u.showErrorWith(title, err, "", onClosed)
}

// showErrorNote is showError with a note under the message: what was done
// before the failure.
func (u *UI) showErrorNote(title string, err error, note string) {
	u.showErrorWith(title, err, note, nil)
}

func (u *UI) showErrorWith(title string, err error, note string, onClosed func()) {
	u.setLastError(err)
	ev := &errorView{title: title, message: userMessage(err), note: note, hint: hint(err), details: errorDetails(err)}

	msg := widget.NewLabel(ev.message)
	msg.Wrapping = fyne.TextWrapWord
	msg.Selectable = true
	content := container.NewVBox(msg)
	if note != "" {
		n := widget.NewLabel(note)
		n.Wrapping = fyne.TextWrapWord
		content.Add(n)
	}
	what := widget.NewLabel("What to do")
	what.TextStyle = fyne.TextStyle{Bold: true}
	h := widget.NewLabel(ev.hint)
	h.Wrapping = fyne.TextWrapWord
	copyDetails := copyButton(u, "Copy details", func() string { return ev.details })
	content.Add(what)
	content.Add(h)
	content.Add(container.NewHBox(copyDetails))

	ev.dlg = u.messageDialog(title, theme.ErrorIcon(), content, 520, func() {
		if u.alert == ev {
			u.alert = nil
		}
		if onClosed != nil {
			onClosed()
		}
	})
	u.alert = ev
}

// messageDialog shows content in a dialog with one OK button, which has
// the keyboard: Enter and Escape close the dialog, from the button or
// from anywhere that does not take them. onClosed, if not nil, runs once
// it is closed.
func (u *UI) messageDialog(title string, icon fyne.Resource, content fyne.CanvasObject, width float32, onClosed func()) *dialog.CustomDialog {
	return u.messageDialogWith(title, "OK", icon, content, width, onClosed)
}

// messageDialogWith is messageDialog with a button that says okText.
func (u *UI) messageDialogWith(title, okText string, icon fyne.Resource, content fyne.CanvasObject, width float32, onClosed func()) *dialog.CustomDialog {
	var d *dialog.CustomDialog
	keys := &formKeys{}
	keys.submit = func() { d.Hide() }
	keys.cancel = keys.submit
	ok := newFormButton(keys, okText, theme.ConfirmIcon(), keys.submit)
	ok.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons(title, content, u.win)
	d.SetButtons([]fyne.CanvasObject{ok})
	if icon != nil {
		d.SetIcon(icon)
	}
	u.showKeyed(d, keys, content, width, ok, onClosed)
	return d
}

// showKeyed shows the dialog d with keys taking Enter and Escape from
// anywhere in the window that does not take them itself, as long as d is
// open; then focus goes to focus and the dialog is fitted to content at
// width. onClosed, if not nil, runs once it is closed.
func (u *UI) showKeyed(d *dialog.CustomDialog, keys *formKeys, content fyne.CanvasObject, width float32, focus fyne.Focusable, onClosed func()) {
	c := u.win.Canvas()
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if !keys.typed(ev, true) && prev != nil {
			prev(ev)
		}
	})
	d.SetOnClosed(func() {
		c.SetOnTypedKey(prev)
		if onClosed != nil {
			onClosed()
		}
	})
	d.Show()
	fitDialog(u.win, d, content, width)
	c.Focus(focus)
}

// userMessage is what a person reads about err: casefile.Explain's message
// as a sentence. An internal failure, which has no message for a person,
// is said to be one; its text is for the bug report (see errorDetails).
func userMessage(err error) string {
	msg, _, known := casefile.Explain(err)
	if !known {
		msg = "Custodia could not complete this because of an internal error"
	}
	return endSentence(sentence(msg))
}

// hint says what a person can do about err: the hint of its kind when it
// has one, otherwise advice for common file-system failures.
func hint(err error) string {
	h := casefile.Hint(err)
	switch {
	case h != "":
	case errors.Is(err, casefile.ErrNotThisExaminer):
		h = "check the examiner name, or leave it empty to open the case as whoever the passphrase belongs to"
	case errors.Is(err, fs.ErrNotExist):
		h = "check that the file still exists and that the drive holding it is connected"
	case errors.Is(err, fs.ErrPermission):
		h = "check that your account may read and write the file and its folder"
	default:
		h = "try again; if it happens again, keep the case file unchanged and report the problem with its details (Copy details)"
	}
	return endSentence(sentence(h))
}

// errorDetails is the full text of err, for a bug report: what Copy details
// puts on the clipboard. It is never shown in place of the message.
func errorDetails(err error) string { return err.Error() }

// endSentence ends s with a period unless it ends with punctuation already.
func endSentence(s string) string {
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

// confirmDialog asks a yes-or-no question: dismissText keeps things as
// they are and has the keyboard (Enter presses it, Escape too), confirmText
// does what the question says. onConfirm runs after confirmText.
func (u *UI) confirmDialog(title, message, confirmText, dismissText string, onConfirm func()) *dialog.CustomDialog {
	var d *dialog.CustomDialog
	confirmed := false
	keys := &formKeys{}
	keys.cancel = func() { d.Hide() }
	keys.submit = keys.cancel
	dismiss := newFormButton(keys, dismissText, theme.CancelIcon(), keys.cancel)
	confirm := newFormButton(keys, confirmText, theme.ConfirmIcon(), func() { confirmed = true; d.Hide() })
	confirm.Importance = widget.DangerImportance
	msg := widget.NewLabel(message)
	msg.Wrapping = fyne.TextWrapWord
	d = dialog.NewCustomWithoutButtons(title, msg, u.win)
	d.SetButtons([]fyne.CanvasObject{dismiss, confirm})
	u.showKeyed(d, keys, msg, 480, dismiss, func() {
		if confirmed && onConfirm != nil {
			onConfirm()
		}
	})
	return d
}
