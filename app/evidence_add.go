package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// The kind choices of the Add evidence form and the keyword evidence.ParseKind
// reads for each.
var kindChoices = []struct{ title, keyword string }{
	{"Auto-detect", "auto"},
	{"Disk image", "disk"},
	{"Log", "log"},
	{"Memory dump", "memory"},
	{"Other", "other"},
}

// addEvidenceForm is the dialog that names a source and describes it; Add
// starts the ingest behind a progress dialog.
type addEvidenceForm struct {
	v *evidenceView

	source                   *widget.Entry
	chooseFile, chooseDir    *widget.Button
	kind                     *widget.Select
	description              *widget.Entry
	timeZone, reason         *widget.Entry
	sourceProblem, tzProblem *widget.Label

	add, cancel *widget.Button
	checked     bool
	content     *fyne.Container
	dlg         *dialog.CustomDialog
}

// showAddForm opens the Add evidence form.
func (v *evidenceView) showAddForm() {
	u := v.u
	f := &addEvidenceForm{v: v}
	recheck := func(string) {
		if f.checked {
			f.check()
		}
	}
	f.source = widget.NewEntry()
	f.source.SetPlaceHolder("File, first segment (image.001), folder of logs, or device such as /dev/sdb")
	f.source.OnChanged = recheck
	f.chooseFile = widget.NewButtonWithIcon("File…", theme.FileIcon(), func() { u.choosePath(f.source, false) })
	f.chooseDir = widget.NewButtonWithIcon("Folder…", theme.FolderOpenIcon(), func() { u.choosePath(f.source, true) })
	titles := make([]string, len(kindChoices))
	for i, k := range kindChoices {
		titles[i] = k.title
	}
	f.kind = widget.NewSelect(titles, nil)
	f.kind.SetSelected(titles[0])
	f.description = widget.NewMultiLineEntry()
	f.description.SetPlaceHolder("What it is and where it came from, e.g. system disk of FS01, imaged with dd by J. Doe")
	f.description.SetMinRowsVisible(3)
	f.description.Wrapping = fyne.TextWrapWord
	f.timeZone = widget.NewEntry()
	f.timeZone.SetPlaceHolder("UTC or e.g. Europe/Berlin")
	f.timeZone.OnChanged = recheck
	f.reason = widget.NewEntry()
	f.reason.SetPlaceHolder("Why it is added, e.g. ticket SEC-4471 (recorded in the custody entry)")
	f.sourceProblem, f.tzProblem = problemLabel(), problemLabel()
	f.add = widget.NewButtonWithIcon("Add evidence", theme.ContentAddIcon(), f.submit)
	f.add.Importance = widget.HighImportance
	f.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), f.close)

	tzNote := widget.NewLabel("The time zone the source's clocks were set to, so its times can be read in UTC. " +
		"Leave it empty when it is not known.")
	tzNote.Wrapping = fyne.TextWrapWord
	tzNote.Importance = widget.LowImportance
	grid := factGrids([]fact{
		{"Source *", container.NewVBox(
			container.NewBorder(nil, nil, nil, container.NewHBox(f.chooseFile, f.chooseDir), f.source),
			f.sourceProblem)},
		{"Kind", selectFitting(f.kind)},
		{"Description", f.description},
		{"Time zone", container.NewVBox(f.timeZone, f.tzProblem, tzNote)},
		{"Reason", f.reason},
	})[0]
	intro := widget.NewLabel("Every byte is read once, hashed with MD5, SHA-1 and SHA-256, and sealed into the case file " +
		"in compressed, encrypted chunks; the source is only read, never changed. A folder adds one item per file.")
	intro.Wrapping = fyne.TextWrapWord
	f.content = container.NewVBox(intro, grid)
	f.dlg = dialog.NewCustomWithoutButtons("Add evidence", f.content, u.win)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.add})
	u.addEvidence = f
	f.dlg.Show()
	f.fit()
	u.win.Canvas().Focus(f.source)
}

func (f *addEvidenceForm) fit() { fitDialog(f.v.u.win, f.dlg, f.content, 720) }

// close hides the form.
func (f *addEvidenceForm) close() {
	f.dlg.Hide()
	if f.v.u.addEvidence == f {
		f.v.u.addEvidence = nil
	}
}

// options is what the form describes, for evidence.Ingest.
func (f *addEvidenceForm) options() evidence.Options {
	opts := evidence.Options{
		Description: strings.TrimSpace(f.description.Text),
		TimeZone:    strings.TrimSpace(f.timeZone.Text),
		Reason:      strings.TrimSpace(f.reason.Text),
		Tool:        "custodia " + toolVersion(),
	}
	for _, k := range kindChoices {
		if k.title == f.kind.Selected {
			if kind, auto, err := evidence.ParseKind(k.keyword); err == nil && !auto {
				opts.Kind = kind
			}
		}
	}
	return opts
}

// check shows every problem under its field and reports whether the
// ingest can start.
func (f *addEvidenceForm) check() bool {
	src := sourceMessage(strings.TrimSpace(f.source.Text), f.v.cv.oc.path)
	tz := timeZoneMessage(strings.TrimSpace(f.timeZone.Text))
	setProblem(f.sourceProblem, src)
	setProblem(f.tzProblem, tz)
	f.fit()
	return src == "" && tz == ""
}

// sourceMessage judges a source path before any reading: it must exist,
// be a file, folder or device, and not be the case file itself.
func sourceMessage(path, casePath string) string {
	if path == "" {
		return "Source is required: choose a file or a folder, or type a path such as /dev/sdb."
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "Nothing is at " + path + ": check the path, and that the drive holding it is connected."
	case errors.Is(err, fs.ErrPermission):
		return "Custodia may not read " + path + ": check its permissions (a device may need to be readable by your account)."
	case err != nil:
		return "The source cannot be used: " + err.Error() + "."
	}
	if cfi, err := os.Stat(casePath); err == nil && os.SameFile(fi, cfi) {
		return "That is this case's own file: choose the evidence to add, not the case."
	}
	if m := fi.Mode(); !m.IsRegular() && !m.IsDir() && m&fs.ModeDevice == 0 {
		return path + " is not a file, a folder or a block device."
	}
	return ""
}

// timeZoneMessage accepts an empty time zone (unknown) or an IANA name.
func timeZoneMessage(tz string) string {
	if tz == "" {
		return ""
	}
	if strings.EqualFold(tz, "local") {
		return "Give the time zone by name, e.g. Europe/Berlin: \"Local\" means this computer's zone, not the source's."
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return "Unknown time zone " + tz + ": use an IANA name such as UTC, Europe/Berlin or America/New_York."
	}
	return ""
}

// submit checks the form and, when it is complete, closes it and starts
// the ingest.
func (f *addEvidenceForm) submit() {
	f.checked = true
	if !f.check() {
		return
	}
	path := strings.TrimSpace(f.source.Text)
	opts := f.options()
	f.close()
	f.v.u.ingest(path, opts)
}

// ingest adds the evidence at path off the UI goroutine behind a progress
// dialog with Cancel. On success the list shows the new items and the last
// one is chosen; warnings are listed in a dialog. Cancelling rolls the item
// in progress back, and the dialog after it says so.
func (u *UI) ingest(path string, opts evidence.Options) {
	cv := u.cv
	if cv == nil {
		return
	}
	oc := cv.oc
	p := u.newProgress("Adding evidence",
		"Reading, hashing and sealing "+shownLine(filepath.Base(path))+". The source is only read.",
		"Stopping. The item in progress is being rolled back: nothing of it will stay in the case.")
	opts.Progress = p
	u.runWork(p, func(ctx context.Context) func() {
		items, err := evidence.Ingest(ctx, oc.c, path, opts)
		ef, cf := readEvidence(oc.c), readCustody(oc.c)
		current := p.Current()
		return func() {
			oc.evidence, oc.custody = ef, cf
			if u.cv == cv {
				cv.evidenceChanged()
				cv.custodyChanged()
				if cv.evidence != nil && len(items) > 0 {
					cv.evidence.showItem(items[len(items)-1].ID)
				}
			}
			u.reportIngest(path, items, current, err)
		}
	})
}

// reportIngest says how an ingest ended: a dialog for a cancellation (the
// item in progress was rolled back), a failure, or warnings on new items.
func (u *UI) reportIngest(path string, items []casefile.Evidence, current string, err error) {
	kept := ""
	if len(items) > 0 {
		names := make([]string, len(items))
		for i, ev := range items {
			names[i] = shownLine(ev.Meta.Name)
		}
		kept = fmt.Sprintf(" %s finished before it stay in the case: %s.",
			plural(len(items), "item", "items"), strings.Join(names, ", "))
	}
	switch {
	case errors.Is(err, context.Canceled):
		u.setLastError(err)
		what := "The item in progress"
		if current != "" {
			what += ", " + shownLine(current) + ","
		}
		u.showNotice("Adding evidence cancelled",
			what+" was rolled back: nothing of it was kept in the case."+kept,
			theme.InfoIcon(), nil)
		return
	case err != nil:
		if kept != "" {
			err = fmt.Errorf("%w.%s", err, kept)
		}
		u.showError("The evidence was not added", err, nil)
		return
	}
	var warnings []string
	for _, ev := range items {
		for _, w := range ev.Meta.Warnings {
			warnings = append(warnings, "• "+shownLine(ev.Meta.Name)+": "+shown(w))
		}
	}
	if len(warnings) > 0 {
		u.showNotice("Evidence added with warnings",
			plural(len(items), "item was", "items were")+" added. Read these warnings before relying on the evidence; "+
				"they stay recorded with the item:\n\n"+strings.Join(warnings, "\n"),
			theme.NewWarningThemedResource(theme.WarningIcon()), nil)
	}
}
