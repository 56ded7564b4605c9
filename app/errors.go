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
	"github.com/custodia-dfir/custodia/evidence"
)

// errorView is a dialog that says what went wrong and what to do about it.
type errorView struct {
	title   string
	message string // what happened
	hint    string // what to do
	dlg     *dialog.CustomDialog
}

// showError records err as the last error and shows it in a dialog titled
// title, with casefile's hint on what to do. onClosed, if not nil, runs when
// the dialog is dismissed.
func (u *UI) showError(title string, err error, onClosed func()) {
	u.setLastError(err)
	ev := &errorView{title: title, message: userMessage(err), hint: hint(err)}

	msg := widget.NewLabel(ev.message)
	msg.Wrapping = fyne.TextWrapWord
	msg.Selectable = true
	what := widget.NewLabel("What to do")
	what.TextStyle = fyne.TextStyle{Bold: true}
	h := widget.NewLabel(ev.hint)
	h.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(msg, what, h)

	ev.dlg = dialog.NewCustom(title, "OK", content, u.win)
	ev.dlg.SetIcon(theme.ErrorIcon())
	ev.dlg.SetOnClosed(func() {
		if u.alert == ev {
			u.alert = nil
		}
		if onClosed != nil {
			onClosed()
		}
	})
	u.alert = ev
	ev.dlg.Show()
	fitDialog(u.win, ev.dlg, content, 520)
}

// userMessage turns err into a sentence for a person: the package prefixes
// that only programmers need are dropped.
func userMessage(err error) string {
	s := err.Error()
	s = strings.ReplaceAll(s, casefile.ErrInvalid.Error()+": ", "")
	s = strings.ReplaceAll(s, "casefile: ", "")
	s = strings.ReplaceAll(s, "evidence: ", "")
	s = sentence(s)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// hint says what a person can do about err: casefile's hint when it has one,
// otherwise advice for common file-system failures.
func hint(err error) string {
	h := casefile.Hint(err)
	switch {
	case h != "":
	case errors.Is(err, evidence.ErrDestination):
		h = "choose another folder or file name: Custodia writes only new files, in a folder your account may write to, on a disk with room for the item"
	case errors.Is(err, evidence.ErrUnsupported):
		h = "this format cannot be read yet; add the raw bytes instead (for example a dd image), or the file as it is with kind Other"
	case errors.Is(err, evidence.ErrSource):
		h = "check that the source is readable and not changing (unmount a disk, stop a log's writer, or work from a copy), then add it again"
	case errors.Is(err, casefile.ErrNotThisExaminer):
		h = "check the examiner name, or leave it empty to open the case as whoever the passphrase belongs to"
	case errors.Is(err, fs.ErrNotExist):
		h = "check that the file still exists and that the drive holding it is connected"
	case errors.Is(err, fs.ErrPermission):
		h = "check that your account may read and write the file and its folder"
	default:
		h = "try again; if it happens again, keep the case file unchanged and report the message above"
	}
	return sentence(h) + "."
}
