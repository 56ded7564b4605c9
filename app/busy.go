package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// busyView is a dialog with an endless progress bar shown while a job runs.
// It has no buttons: key derivation cannot be interrupted, and it takes
// seconds.
type busyView struct {
	title string
	bar   *widget.ProgressBarInfinite
	dlg   *dialog.CustomDialog
}

// newBusy shows a busy dialog; the job hides it when it is done.
func newBusy(u *UI, title, message string) *busyView {
	msg := widget.NewLabel(message)
	msg.Wrapping = fyne.TextWrapWord
	b := &busyView{title: title, bar: widget.NewProgressBarInfinite()}
	b.dlg = dialog.NewCustomWithoutButtons(title, container.NewVBox(msg, b.bar), u.win)
	b.dlg.Resize(dialogSize(u.win, 460, 170))
	u.busy = b
	b.dlg.Show()
	return b
}

// Hide stops the progress bar and closes the dialog.
func (b *busyView) Hide(u *UI) {
	b.bar.Stop()
	b.dlg.Hide()
	if u.busy == b {
		u.busy = nil
	}
}
