package app

import (
	"context"
	"errors"
	"os"
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// sourceForm asks where an item's original source is now, to re-hash it
// where it is still attached and compare it with the hashes recorded at
// ingest. It reads the source only, and leaves the case content alone.
type sourceForm struct {
	v    *evidenceView
	ev   casefile.Evidence
	form *recordForm

	path          *formEntry
	choose        *formButton
	problem       *widget.Label
	check, cancel *formButton
}

// showSourceForm opens the Check source form for the chosen item, with the
// source path recorded at ingest filled in.
func (v *evidenceView) showSourceForm() {
	ev := v.Selected()
	if ev == nil {
		return
	}
	u := v.u
	form := u.newRecordForm("Check the original source", "Check source",
		"Reads the original source of "+shownLine(ev.Meta.Name)+" again — a file, the first segment "+
			"of a split image, or a device — hashes it with MD5, SHA-1 and SHA-256 and compares them with the values "+
			"recorded at ingest. The source is only read; the check is recorded in the custody record.")
	form.width = 680
	form.live = true
	f := &sourceForm{v: v, ev: *ev, form: form}
	f.path = newFormEntry(form.keys, 0)
	f.path.SetText(ev.Meta.SourcePath)
	f.path.OnChanged = func(string) { form.recheck() }
	f.choose = form.button("Choose…", theme.FolderOpenIcon(), func() { u.choosePath(f.path, false) })
	form.add("Source *", container.NewBorder(nil, nil, nil, f.choose, f.path))
	form.fields["Source"] = f.path
	f.problem = form.problems["Source"].label
	f.check, f.cancel = form.save, form.cancel
	form.check = f.validate
	form.hand = func() { u.checkSource(f.ev, strings.TrimSpace(f.path.Text)) }
	form.onClosed = func() {
		if u.sourceCheck == f {
			u.sourceCheck = nil
		}
	}
	u.sourceCheck = f
	form.show(f.path)
}

// validate shows why the path cannot be checked, if it cannot.
func (f *sourceForm) validate() bool {
	msg := ""
	p := strings.TrimSpace(f.path.Text)
	if p == "" {
		msg = "Source is required: the file or device the item was ingested from."
	} else if fi, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		msg = "Nothing is at " + p + ": attach the original medium, or choose where the source is now."
	} else if err == nil && fi.IsDir() {
		msg = p + " is a folder: choose the file (or the first segment) the item was ingested from."
	}
	f.form.setProblem("Source", msg)
	return msg == ""
}

// checkSource re-hashes the source at path off the UI goroutine behind a
// progress dialog with Cancel and says whether it matches.
func (u *UI) checkSource(ev casefile.Evidence, path string) {
	cv := u.cv
	if cv == nil {
		return
	}
	oc := cv.oc
	p := u.newProgress("Checking the original source", "Reading "+path+" and hashing it with MD5, SHA-1 and SHA-256.",
		"Stopping. Nothing is recorded.")
	p.setStep(ev.Meta.Name)
	u.runWork(p, func(ctx context.Context) func() {
		got, ok, err := evidence.VerifySource(ctx, oc.c, ev.ID, path, p)
		return u.afterChange(cv, factsCustody, func() {
			switch {
			case errors.Is(err, context.Canceled):
				u.setLastError(err)
				u.showNotice("Source check cancelled", "The check of "+path+" was stopped; nothing was recorded.", theme.InfoIcon(), nil)
			case err != nil:
				u.showError("The source could not be checked", err, nil)
			case ok:
				u.showNotice("Source matches", "The source "+path+" still has the MD5, SHA-1 and SHA-256 recorded when "+
					shownLine(ev.Meta.Name)+" was ingested. The check is recorded in the custody record.",
					theme.NewSuccessThemedResource(theme.ConfirmIcon()), nil)
			default:
				u.showNotice("Source differs from ingest", "The source "+path+" no longer matches "+shownLine(ev.Meta.Name)+": "+
					ev.Meta.Hashes.Diff(got)+".\n\nWhat to do: the source changed after it was ingested, or this is not the "+
					"original. The copy sealed in the case is what was hashed at ingest. The check is recorded in the custody record.",
					theme.NewErrorThemedResource(theme.ErrorIcon()), nil)
			}
		})
	})
}
