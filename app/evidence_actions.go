package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// verifyOne verifies the chosen item.
func (v *evidenceView) verifyOne() {
	if ev := v.Selected(); ev != nil {
		v.u.verifyItems([]casefile.Evidence{*ev}, false)
	}
}

// verifyEvery verifies every item, one after the other, with one progress
// for the whole job.
func (v *evidenceView) verifyEvery() {
	if len(v.items) > 0 {
		v.u.verifyItems(append([]casefile.Evidence(nil), v.items...), true)
	}
}

// verifyResult is the verification of one item.
type verifyResult struct {
	ev casefile.Evidence
	vr casefile.Verification
}

// verifyItems verifies items off the UI goroutine behind a progress dialog
// with Cancel, which shows the item in progress and the whole job (bytes,
// items, time left). Each result is recorded by the evidence package
// (sealed, and in the custody record) and shown in the item's details as
// it comes; a mismatch is also reported in a dialog. all says the examiner
// asked to verify every item, which earns a summary even when everything
// matched.
func (u *UI) verifyItems(items []casefile.Evidence, all bool) {
	cv := u.cv
	if cv == nil || len(items) == 0 {
		return
	}
	oc := cv.oc
	title := "Verifying evidence"
	ev := areaViewOf[*evidenceView](u)
	opts := evidence.VerifyOptions{AllHashes: ev != nil && ev.allHashes.Checked}
	what := "SHA-256 (MD5 and SHA-1 are not recomputed unless \"Verify recomputes MD5 and SHA-1 too\" is ticked)"
	if opts.AllHashes {
		what = "MD5, SHA-1 and SHA-256"
	}
	p := u.newProgress(title,
		"Re-reading every chunk from the case file, authenticating and decompressing it, and comparing its "+what+
			" with the values recorded at ingest.",
		"Stopping. Nothing is recorded for the item in progress.")
	p.setStep(items[0].Meta.Name)
	ids := make([]uuid.UUID, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	u.runWork(p, func(ctx context.Context) func() {
		var results []verifyResult
		var err error
		for r, verr := range evidence.VerifyItems(ctx, oc.c, ids, opts, "", p) {
			if verr != nil {
				err = verr
				break
			}
			results = append(results, verifyResult{r.Item, r.Verification})
			// Show each result as it is recorded.
			u.do(u.afterChange(cv, factsEvidence, nil))
		}
		return u.afterChange(cv, factsEvidence|factsCustody, func() {
			if v := areaViewOf[*evidenceView](u); v != nil && len(results) > 0 {
				show := results[0].ev.ID
				for _, r := range results {
					if !r.vr.OK {
						show = r.ev.ID
						break
					}
				}
				v.showItem(show)
			}
			u.reportVerify(items, results, err, all)
		})
	})
}

// showWithdraw opens the form that withdraws the chosen item, with the
// reason it needs.
func (v *evidenceView) showWithdraw() {
	ev := v.Selected()
	if ev == nil || !ev.InForce() {
		return
	}
	id, name := ev.ID, ev.Meta.Name
	form := v.u.newRecordForm("Withdraw "+shownLine(name), "Withdraw",
		"A withdrawn item stays sealed in the case and listed with a Withdrawn badge, but it is left out of reports and "+
			"exports. The withdrawal is recorded in the custody record with your reason, and Reinstate… undoes it.")
	reason := form.text("Reason *", "Why the item no longer counts, e.g. acquired from the wrong host", 2)
	form.changes = factsEvidence | factsCustody
	form.check = func() bool {
		return form.require("Reason", reason.Text, "Give the reason: an item is withdrawn only with one.")
	}
	form.build = func() func(*casefile.Case) error {
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := c.WithdrawEvidence(id, r)
			return err
		}
	}
	form.show(reason)
}

// showReinstate opens the form that puts the chosen withdrawn item back in
// force, with the reason it needs.
func (v *evidenceView) showReinstate() {
	ev := v.Selected()
	if ev == nil || ev.InForce() {
		return
	}
	id, name := ev.ID, ev.Meta.Name
	form := v.u.newRecordForm("Reinstate "+shownLine(name), "Reinstate",
		"The item counts again: reports and exports include it. The reinstatement is recorded in the custody record "+
			"with your reason; the withdrawal stays on record.")
	reason := form.text("Reason *", "Why the item counts again", 2)
	form.changes = factsEvidence | factsCustody
	form.check = func() bool {
		return form.require("Reason", reason.Text, "Give the reason: an item is reinstated only with one.")
	}
	form.build = func() func(*casefile.Case) error {
		r := strings.TrimSpace(reason.Text)
		return func(c *casefile.Case) error {
			_, err := c.ReinstateEvidence(id, r)
			return err
		}
	}
	form.show(reason)
}

// reportVerify says how a verification ended when a dialog is needed: a
// mismatch, a cancellation, a failure to verify, or the summary of Verify
// all.
func (u *UI) reportVerify(items []casefile.Evidence, results []verifyResult, err error, all bool) {
	var bad []string
	for _, r := range results {
		if !r.vr.OK {
			bad = append(bad, "• "+shownLine(r.ev.Meta.Name)+" — "+verifyDetail(r.vr.Detail))
		}
	}
	done := ""
	if len(results) > 0 && len(items) > 1 {
		done = fmt.Sprintf(" %s verified before it keep their results.", plural(len(results), "item was", "items were"))
	}
	switch {
	case errors.Is(err, context.Canceled):
		u.setLastError(err)
		name := shownLine(items[len(results)].Meta.Name)
		u.showNotice("Verification cancelled", "Verification of "+name+" was stopped; nothing was recorded for it."+done,
			theme.InfoIcon(), nil)
		return
	case err != nil:
		u.showError("The evidence could not be verified", err, nil)
		if len(bad) == 0 {
			return
		}
	}
	if len(bad) > 0 {
		what := "An item no longer reads back as it was ingested"
		if len(bad) > 1 {
			what = fmt.Sprintf("%d items no longer read back as they were ingested", len(bad))
		}
		u.showNotice("Evidence MISMATCH", what+":\n\n"+strings.Join(bad, "\n")+"\n\nWhat to do: "+
			sentence(casefile.Hint(casefile.ErrAuthFailed))+". The result is recorded in the custody record.",
			theme.NewErrorThemedResource(theme.ErrorIcon()), nil)
		return
	}
	if all && err == nil {
		// Every item matched with the same options, so one detail says it all.
		u.showNotice("Evidence verified", fmt.Sprintf("%s verified: %s. Each result is recorded in the custody record.",
			plural(len(results), "item", "items"), results[0].vr.Detail),
			theme.NewSuccessThemedResource(theme.ConfirmIcon()), nil)
	}
}

// extractForm is the record form that chooses where an item's bytes are
// written.
//
// It is a folder plus a file name rather than Fyne's Save dialog: that
// dialog creates (or truncates) the chosen file itself, and Custodia never
// overwrites a file. An existing file is refused in the form.
type extractForm struct {
	v    *evidenceView
	ev   casefile.Evidence
	form *recordForm

	folder, fileName, reason *formEntry
	chooseFolder             *formButton
	locationProblem          *widget.Label
	extract, cancel          *formButton
}

// showExtractForm opens the Extract form for the chosen item.
func (v *evidenceView) showExtractForm() {
	ev := v.Selected()
	if ev == nil {
		return
	}
	u := v.u
	form := u.newRecordForm("Extract evidence", "Extract",
		"Writes the exact original bytes of "+shownLine(ev.Meta.Name)+" ("+humanSize(ev.Meta.Size)+
			") to a new file, checking their SHA-256 against the value recorded at ingest. The extraction is recorded "+
			"in the custody record with the file's path and hash. Custodia never overwrites a file.")
	form.width = 680
	form.live = true
	f := &extractForm{v: v, ev: *ev, form: form}
	f.folder = newFormEntry(form.keys, 0)
	f.folder.SetText(defaultFolder(u.cfg.DefaultFolder))
	f.folder.OnChanged = func(string) { form.recheck() }
	f.chooseFolder = form.button("Choose…", theme.FolderOpenIcon(), func() { u.choosePath(f.folder, true) })
	form.add("Folder *", container.NewBorder(nil, nil, nil, f.chooseFolder, f.folder))
	form.fields["Folder"] = f.folder
	f.fileName = form.entry("File name *", "A new file's name")
	f.fileName.SetText(extractName(ev.Meta.Name))
	f.reason = form.entry("Reason", "Why the bytes leave the case, e.g. hand-over to legal (recorded)")
	f.locationProblem = form.problems["File name"].label
	f.extract, f.cancel = form.save, form.cancel
	f.extract.Icon = theme.DownloadIcon()
	form.check = f.check
	form.hand = func() { u.extractItem(f.ev, f.Path(), strings.TrimSpace(f.reason.Text)) }
	form.onClosed = func() {
		if u.extract == f {
			u.extract = nil
		}
	}
	u.extract = f
	form.show(f.fileName)
}

// extractName proposes a file name for an item: its name without any
// folder part, or "evidence.bin".
func extractName(name string) string {
	name = filepath.Base(filepath.FromSlash(strings.ReplaceAll(name, `\`, "/")))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." || name == string(filepath.Separator) {
		return "evidence.bin"
	}
	return name
}

// Path returns the file the form would write.
func (f *extractForm) Path() string {
	return filepath.Join(strings.TrimSpace(f.folder.Text), strings.TrimSpace(f.fileName.Text))
}

// check shows the location problem, if any, and reports whether the
// extraction can start.
func (f *extractForm) check() bool {
	msg := extractLocationMessage(strings.TrimSpace(f.folder.Text), strings.TrimSpace(f.fileName.Text))
	f.form.setProblem("File name", msg)
	return msg == ""
}

// extractLocationMessage judges a destination: an existing folder and a
// new file name.
func extractLocationMessage(folder, name string) string {
	switch {
	case folder == "":
		return "Folder is required: choose where to write the file."
	case !isDir(folder):
		return "Folder " + folder + " does not exist: choose an existing folder."
	case name == "":
		return "File name is required."
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return "File name must be a name, not a path: choose the folder with Choose…."
	}
	if _, err := os.Lstat(filepath.Join(folder, name)); err == nil {
		return "A file named " + name + " already exists in this folder: choose another name. Custodia never overwrites a file."
	} else if !errors.Is(err, os.ErrNotExist) {
		return "The file name cannot be used: " + userMessage(err)
	}
	return ""
}

// extractItem writes ev's bytes to dest off the UI goroutine behind a
// progress dialog with Cancel, then shows the written path and its SHA-256.
func (u *UI) extractItem(ev casefile.Evidence, dest, reason string) {
	cv := u.cv
	if cv == nil {
		return
	}
	oc := cv.oc
	p := u.newProgress("Extracting evidence",
		"Writing the original bytes to "+dest+" and re-hashing them with SHA-256.",
		"Stopping. The partial file is being removed.")
	p.setStep(ev.Meta.Name)
	u.runWork(p, func(ctx context.Context) func() {
		hs, err := evidence.Extract(ctx, oc.c, ev.ID, dest, reason, p)
		return u.afterChange(cv, factsCustody, func() {
			switch {
			case errors.Is(err, context.Canceled):
				u.setLastError(err)
				u.showNotice("Extraction cancelled", "The extraction of "+shownLine(ev.Meta.Name)+" was stopped and the partial file "+
					dest+" was removed.", theme.InfoIcon(), nil)
			case err != nil:
				u.showError("The evidence was not extracted", err, nil)
			default:
				u.showExtracted(ev, dest, hs)
			}
		})
	})
}

// showExtracted reports a finished extraction: the file and its SHA-256,
// with a Copy button, and that it matches the recorded value.
func (u *UI) showExtracted(ev casefile.Evidence, dest string, hs casefile.Hashes) {
	path := widget.NewLabel(dest)
	path.Selectable = true
	path.Wrapping = fyne.TextWrapBreak
	sum := widget.NewLabel(hs.SHA256)
	sum.Selectable = true
	sum.TextStyle = fyne.TextStyle{Monospace: true}
	sum.Wrapping = fyne.TextWrapBreak
	grid := factGrids([]fact{
		{"File", path},
		{"SHA-256", container.NewBorder(nil, nil, nil, container.NewVBox(copyButton(u, "Copy", func() string { return hs.SHA256 })), sum)},
	})[0]
	u.showNotice("Evidence extracted",
		fmt.Sprintf("%s (%s) was written. Its SHA-256 matches the value recorded at ingest, and the extraction is recorded in the custody record.",
			shownLine(ev.Meta.Name), byteCount(ev.Meta.Size)),
		theme.NewSuccessThemedResource(theme.ConfirmIcon()), grid)
}

// viewBytes opens the hex view of the chosen item.
func (v *evidenceView) viewBytes() {
	if ev := v.Selected(); ev != nil {
		v.u.openHexView(*ev, -1)
	}
}
