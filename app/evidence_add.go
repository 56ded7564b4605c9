package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
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

// addEvidenceForm is the record form that names a source and describes
// it; Add evidence closes it and starts the ingest behind a progress
// dialog. Its fields are kept by name for tests.
type addEvidenceForm struct {
	v    *evidenceView
	form *recordForm

	source                *formEntry
	chooseFile, chooseDir *formButton
	kind                  *formSelect
	description           *formEntry
	timeZone, reason      *formEntry
	parse                 *formCheck
	add, cancel           *formButton

	sourceProblem, tzProblem *widget.Label
}

// showAddForm opens the Add evidence form.
func (v *evidenceView) showAddForm() {
	u := v.u
	form := u.newRecordForm("Add evidence", "Add evidence",
		"Every byte is read once, hashed with MD5, SHA-1 and SHA-256, and sealed into the case file in compressed, "+
			"encrypted chunks; the source is only read, never changed. A folder adds one item per file; entries that "+
			"are not regular files (links, pipes, devices) are listed and recorded as skipped.")
	form.width = 720
	f := &addEvidenceForm{v: v, form: form}
	f.source = newFormEntry(form.keys, 0)
	f.source.SetPlaceHolder("File, first segment (image.001), folder of logs, or device such as /dev/sdb")
	f.source.OnChanged = func(string) { form.recheck() }
	f.chooseFile = form.button("File…", theme.FileIcon(), func() { u.choosePath(f.source, false) })
	f.chooseDir = form.button("Folder…", theme.FolderOpenIcon(), func() { u.choosePath(f.source, true) })
	form.add("Source *", container.NewBorder(nil, nil, nil, container.NewHBox(f.chooseFile, f.chooseDir), f.source))
	form.fields["Source"] = f.source
	titles := make([]string, len(kindChoices))
	for i, k := range kindChoices {
		titles[i] = k.title
	}
	f.kind = form.choice("Kind", titles, titles[0])
	f.description = form.text("Description", "What it is and where it came from, e.g. system disk of FS01, imaged with dd by J. Doe", 3)
	f.timeZone = form.entry("Time zone", "UTC or e.g. Europe/Berlin; empty when not known")
	form.note("", mutedLabel("The time zone the source's clocks were set to, so its times can be read in UTC. "+
		"Leave it empty when it is not known."))
	f.reason = form.entry("Reason", "Why it is added, e.g. ticket SEC-4471 (recorded in the custody entry)")
	f.parse = form.checkBox("Timeline", "Parse log items into the timeline", nil)
	f.parse.SetChecked(true)
	form.note("", mutedLabel("Each item of kind Log is parsed right after it is sealed, so its events can be searched in "+
		"Timeline. A log no parser recognises stays added, with a note saying how to parse it."))
	f.add, f.cancel = form.save, form.cancel
	f.add.Icon = theme.ContentAddIcon()
	f.sourceProblem, f.tzProblem = form.problems["Source"].label, form.problems["Time zone"].label
	form.check = f.check
	form.hand = func() {
		path := strings.TrimSpace(f.source.Text)
		u.ingest(path, f.options(), f.parse.Checked)
	}
	form.onClosed = func() {
		if u.addEvidence == f {
			u.addEvidence = nil
		}
	}
	u.addEvidence = f
	form.show(f.source)
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
	f.form.setProblem("Source", src)
	f.form.setProblem("Time zone", tz)
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
		return "The source cannot be used: " + userMessage(err)
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
	if _, err := casefile.SourceTimeZone(tz); err != nil {
		return userMessage(err)
	}
	return ""
}

// ingest adds the evidence at path off the UI goroutine behind a progress
// dialog with Cancel. On success the list shows the new items and the last
// one is chosen. A source whose content is already in the case stops the
// ingest to ask whether to keep it (with a reason) or drop it; warnings,
// duplicates and the entries of a folder that were skipped are listed in a
// dialog afterwards. Cancelling rolls the item in progress back, and the
// dialog after it says so.
func (u *UI) ingest(path string, opts evidence.Options, parseLogs bool) {
	cv := u.cv
	if cv == nil {
		return
	}
	oc := cv.oc
	p := u.newProgress("Adding evidence",
		"Reading, hashing and sealing "+shownLine(filepath.Base(path))+". The source is only read.",
		"Stopping. The item in progress is being rolled back: nothing of it will stay in the case.")
	opts.Progress = p
	opts.Duplicate = func(ctx context.Context, newItem casefile.EvidenceMeta, existing []casefile.Evidence) (bool, string) {
		return u.askDuplicate(ctx, newItem, existing)
	}
	u.runWork(p, func(ctx context.Context) func() {
		r, err := evidence.IngestWithReport(ctx, oc.c, path, opts)
		current := p.Current()
		var parsed []ingestParse
		if parseLogs {
			parsed = u.parseIngested(ctx, oc, r.Items, opts.Reason, p)
		}
		return u.afterChange(cv, factsEvidence|factsCustody, func() {
			if v := areaViewOf[*evidenceView](u); v != nil && len(r.Items) > 0 {
				v.showItem(r.Items[len(r.Items)-1].ID)
			}
			u.reportIngest(path, r, current, err, parsed)
			u.indexParsed(oc, parsed)
		})
	})
}

// duplicateAnswer is what the examiner decided about a duplicate.
type duplicateAnswer struct {
	keep   bool
	reason string
}

// askDuplicate asks, on the UI goroutine, whether to keep an item whose
// content is already in the case, and waits for the answer; it runs on
// the ingest's goroutine (evidence.DuplicateFunc). Cancelling the ingest
// drops the item.
func (u *UI) askDuplicate(ctx context.Context, newItem casefile.EvidenceMeta, existing []casefile.Evidence) (bool, string) {
	answer := make(chan duplicateAnswer, 1)
	u.do(func() { u.showDuplicateForm(newItem, existing, answer) })
	select {
	case a := <-answer:
		return a.keep, a.reason
	case <-ctx.Done():
		u.do(func() {
			if f := u.duplicate; f != nil {
				f.form.close()
			}
		})
		return false, ""
	}
}

// duplicateForm asks whether to keep a duplicate: Keep needs the reason,
// Drop (and Escape) rolls the item back.
type duplicateForm struct {
	form   *recordForm
	reason *formEntry
	keep   *formButton
	drop   *formButton
}

// showDuplicateForm opens the question; answer receives the decision once.
func (u *UI) showDuplicateForm(newItem casefile.EvidenceMeta, existing []casefile.Evidence, answer chan<- duplicateAnswer) {
	lines := make([]string, len(existing))
	for i, ev := range existing {
		lines[i] = fmt.Sprintf("• %s — item %s, ingested %s by %s", shownLine(ev.Meta.Name), ev.ID,
			ev.Meta.IngestedAt.UTC().Format(timeLayout), shownLine(ev.Meta.IngestedBy))
		if !ev.InForce() {
			lines[i] += " (withdrawn)"
		}
	}
	which, other := "an item", "the other item"
	if len(existing) > 1 {
		which, other = fmt.Sprintf("%d items", len(existing)), "the others"
	}
	intro := fmt.Sprintf("%s has the SHA-256 of %s already in the case:\n%s\n\nKeep it as a duplicate "+
		"(recorded with your reason and a warning naming %s), or drop it: nothing of it stays in the case, "+
		"and the custody record notes that it was dropped.",
		shownLine(newItem.Name), which, strings.Join(lines, "\n"), other)
	form := u.newRecordForm("Content already in the case", "Keep as duplicate", intro)
	form.width = 680
	f := &duplicateForm{form: form}
	sum := widget.NewLabel(newItem.Hashes.SHA256)
	sum.TextStyle = fyne.TextStyle{Monospace: true}
	sum.Wrapping = fyne.TextWrapBreak
	sum.Selectable = true
	form.note("SHA-256", sum)
	f.reason = form.entry("Reason *", "Why a second copy of the same bytes is kept, e.g. acquired again from the original disk")
	f.keep, f.drop = form.save, form.cancel
	f.drop.Text = "Drop it"
	f.drop.Icon = theme.DeleteIcon()
	answered := false
	send := func(a duplicateAnswer) {
		if !answered {
			answered = true
			answer <- a
		}
	}
	form.check = func() bool {
		return form.require("Reason", f.reason.Text, "Give the reason the copy is kept: it is recorded with the item.")
	}
	form.hand = func() { send(duplicateAnswer{keep: true, reason: strings.TrimSpace(f.reason.Text)}) }
	form.onClosed = func() {
		if !form.handed {
			send(duplicateAnswer{}) // closed without Keep: drop
		}
		if u.duplicate == f {
			u.duplicate = nil
		}
	}
	u.duplicate = f
	form.show(f.reason)
}

// reportIngest says how an ingest ended: a dialog for a cancellation (the
// item in progress was rolled back), a failure, or, on success, the
// warnings on new items, the duplicates met and the entries skipped.
func (u *UI) reportIngest(path string, r evidence.Report, current string, err error, parsed []ingestParse) {
	items := r.Items
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
		title := "The evidence was not added"
		if kept != "" {
			title = "Not all the evidence was added"
		}
		u.showErrorNote(title, err, strings.TrimSpace(kept))
		return
	}
	var parts []string
	var warnings []string
	for _, ev := range items {
		for _, w := range ev.Meta.Warnings {
			warnings = append(warnings, "• "+shownLine(ev.Meta.Name)+": "+shown(w))
		}
	}
	if len(warnings) > 0 {
		parts = append(parts, "Read these warnings before relying on the evidence; they stay recorded with the item:\n"+
			strings.Join(warnings, "\n"))
	}
	if len(r.Duplicates) > 0 {
		var ds []string
		for _, d := range r.Duplicates {
			what := "dropped"
			if d.Kept {
				what = "kept as a duplicate: " + shownLine(d.Reason)
			}
			ds = append(ds, "• "+shownLine(d.Meta.Name)+" — "+what)
		}
		parts = append(parts, plural(len(r.Duplicates), "source was", "sources were")+" already in the case:\n"+strings.Join(ds, "\n"))
	}
	if len(r.Skipped) > 0 {
		var ss []string
		for _, sk := range r.Skipped {
			line := "• " + shown(sk.Path) + " — " + sk.Reason
			if sk.Target != "" {
				line += " (→ " + shown(sk.Target) + ")"
			}
			ss = append(ss, line)
		}
		parts = append(parts, plural(len(r.Skipped), "entry of the folder was", "entries of the folder were")+
			" not read: only regular files become items, and links are not followed. The custody record lists them too:\n"+
			strings.Join(ss, "\n"))
	}
	// A parse that worked needs no dialog of its own; one that did not
	// does, and once there is a dialog it tells every parse.
	if lines, failed := parseLines(parsed); failed || (len(parts) > 0 && len(lines) > 0) {
		parts = append(parts, "Timeline:\n"+strings.Join(lines, "\n"))
	}
	if len(parts) == 0 {
		return
	}
	var icon fyne.Resource = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	title := "Evidence added"
	added := plural(len(items), "item was", "items were") + " added."
	switch {
	case len(items) == 0:
		title, icon, added = "No evidence added", theme.InfoIcon(), "No item was added."
	case len(warnings) > 0:
		title, icon = "Evidence added with warnings", theme.NewWarningThemedResource(theme.WarningIcon())
	}
	u.showNotice(title, added+"\n\n"+strings.Join(parts, "\n\n"), icon, nil)
}

// ingestParse is how the parse of one log item after its ingest ended.
type ingestParse struct {
	item uuid.UUID
	name string
	res  timeline.Parse
	err  error
}

// parseIngested parses the log items among items into the timeline, with
// the ingest's progress and reason, and brings the search index up to date
// when the case has one. An item that cannot be parsed stays ingested; the
// report says how to parse it. It runs off the UI goroutine.
func (u *UI) parseIngested(ctx context.Context, oc *openCase, items []casefile.Evidence, reason string, p *progressView) []ingestParse {
	if strings.TrimSpace(reason) == "" {
		reason = "parsed on ingest"
	}
	var out []ingestParse
	for _, ev := range items {
		if ev.Meta.Kind != casefile.KindLog || ctx.Err() != nil {
			continue
		}
		p.setStep("Parsing " + ev.Meta.Name)
		res, err := evidence.ParseItem(ctx, oc.c, ev.ID, evidence.ParseOptions{Reason: reason, Progress: p})
		out = append(out, ingestParse{item: ev.ID, name: ev.Meta.Name, res: res, err: err})
	}
	return out
}

// parseLines are the report's lines about the parses after an ingest;
// failed says whether one did not parse.
func parseLines(parsed []ingestParse) (lines []string, failed bool) {
	for _, pr := range parsed {
		name := shownLine(pr.name)
		switch {
		case errors.Is(pr.err, context.Canceled):
			failed = true
			lines = append(lines, "• "+name+" — not parsed: stopped. It stays added; parse it in Timeline with Parse….")
		case pr.err != nil:
			failed = true
			lines = append(lines, "• "+name+" — not parsed: "+userMessage(pr.err)+" It stays added; parse it in Timeline with Parse… and a parser chosen.")
		default:
			lines = append(lines, "• "+parseSummary(name, pr.res))
		}
	}
	return lines, failed
}

// indexParsed brings the open case's search index, when it has one, up to
// date with the items parsed after an ingest, off the UI goroutine, and
// searches again. It runs on the UI goroutine.
func (u *UI) indexParsed(oc *openCase, parsed []ingestParse) {
	ti := oc.timeline
	if ti == nil || ti.index() == nil {
		return // built from the case, parses included, when first shown
	}
	ix := ti.index()
	u.runJob(func() func() {
		var err error
		for _, pr := range parsed {
			if pr.err == nil && err == nil {
				err = ix.ReplaceItem(context.Background(), timeline.Of(oc.c), pr.item)
			}
		}
		return func() {
			if err != nil {
				u.showError("The events were stored, but the search index could not be brought up to date", err, nil)
				return
			}
			if w := areaViewOf[*timelineView](u); w != nil && w.ti == ti {
				w.search()
			}
		}
	})
}
