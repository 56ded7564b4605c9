package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/reports"
)

// reportsArea is the Reports area (issue 14): choose a report's kind,
// format, TLP marking and the ledger entry it is as of; see a preview of
// exactly the bytes Save would write (the PDF's first pages as images when
// pdftoppm is installed, else the report's Markdown rendered), with their
// SHA-256 and size; Save… writes the report to a new file and records it
// (report.generated, with the SHA-256); the reports generated from the case
// are listed from its ledger; "Verify a report file…" says whether a file
// is exactly one of them.
type reportsArea struct{}

func (reportsArea) title() string            { return "Reports" }
func (reportsArea) icon() fyne.ThemeIconName { return theme.IconNameDocument }
func (reportsArea) fill() bool               { return true }

// choiceOf is one option of a chooser: what it shows and the value it
// stands for.
type choiceOf struct{ label, value string }

// The choosers' options, in the order the CLI's help lists them.
var (
	reportKindChoices = []choiceOf{
		{"Intelligence report", reports.KindIntelligence},
		{"Post-mortem report", reports.KindPostMortem},
		{"Custody report", reports.KindCustody},
		{"Executive brief", reports.KindBrief},
	}
	reportFormatChoices = []choiceOf{
		{"PDF", reports.FormatPDF},
		{"HTML", reports.FormatHTML},
		{"Markdown", reports.FormatMarkdown},
	}
	reportTLPChoices = []choiceOf{
		{"TLP:CLEAR", "clear"},
		{"TLP:GREEN", "green"},
		{"TLP:AMBER", "amber"},
		{"TLP:AMBER+STRICT", "amber+strict"},
		{"TLP:RED", "red"},
	}
)

func choiceLabels(cs []choiceOf) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.label
	}
	return out
}

// choiceValue is the value of the option labelled label.
func choiceValue(cs []choiceOf, label string) string {
	for _, c := range cs {
		if c.label == label {
			return c.value
		}
	}
	return ""
}

// choiceLabel is the label of the option standing for value, or value.
func choiceLabel(cs []choiceOf, value string) string {
	for _, c := range cs {
		if c.value == value {
			return c.label
		}
	}
	return value
}

// reportKindTitle names a report kind for people; a STIX bundle (from
// custodiactl report stix) is listed too.
func reportKindTitle(kind string) string {
	if kind == "stix" {
		return "STIX bundle"
	}
	return choiceLabel(reportKindChoices, kind)
}

// reportFormatTitle names a report format for people.
func reportFormatTitle(format string) string {
	if format == "stix-2.1" {
		return "STIX 2.1"
	}
	return choiceLabel(reportFormatChoices, format)
}

// reportTool is the software a report says produced it.
func reportTool() reports.Tool { return reports.Tool{Name: "Custodia", Version: toolVersion()} }

// previewPages is how many pages of a PDF the preview shows.
const previewPages = 3

// pdftoppmCommand finds pdftoppm (poppler-utils), which draws a PDF's
// pages; tests replace it.
var pdftoppmCommand = execLookPdftoppm

func execLookPdftoppm() (string, error) { return exec.LookPath("pdftoppm") }

// popplerNote is the line above a PDF's preview without pdftoppm.
const popplerNote = "Page images need poppler-utils (pdftoppm), which is not installed: the preview shows the same report " +
	"rendered from its Markdown. The SHA-256 and size are those of the PDF that Save writes."

// reportPreview is one rendering of the report the choosers choose: what
// the preview shows, worked out off the UI goroutine.
type reportPreview struct {
	opts  reports.Options
	sum   string // the SHA-256 of the bytes Save would write
	size  int
	asOf  int64  // the ledger entry the report is as of
	name  string // the default file name
	segs  []widget.RichTextSegment
	pages []image.Image // a PDF's first pages, when pdftoppm drew them
	more  bool          // the PDF has more pages than shown
	note  string        // a line about what the preview shows
	err   error         // why there is no preview
	why   string        // err for people; "" for userMessage and hint
}

type reportsView struct {
	u  *UI
	cv *caseView

	kind, format, tlp *widget.Select
	asOf              *widget.Entry
	save              *actionButton
	verify            *widget.Button

	sum     *widget.Label // the preview's SHA-256 and size, or what went wrong
	note    *widget.Label // what the preview shows
	preview *fyne.Container
	scroll  *container.Scroll

	src         *listSource[reports.GeneratedReport]
	table       *dataTable
	none        *widget.Label
	listProblem *widget.Label

	root fyne.CanvasObject

	// The preview job: one at a time; a change of the choosers while one
	// runs renders again once it ends.
	rendering, pending bool
	listing, listAgain bool           // the same for the list
	current            *reportPreview // the preview on screen

	// The dialogs on screen and the last results, for tests.
	saving     *saveReportForm
	verifying  *verifyReportForm
	lastSaved  *reports.Generated
	lastVerify *reportVerdict
}

func (a reportsArea) build(cv *caseView) areaView {
	v := &reportsView{u: cv.u, cv: cv}
	intro := widget.NewLabel("A report is made from the case's facts alone: the same case state and choices give the same " +
		"bytes, and Save… records their SHA-256, so Verify knows that file later.")
	intro.Wrapping = fyne.TextWrapWord
	changed := func(string) { v.render() }
	v.kind = widget.NewSelect(choiceLabels(reportKindChoices), nil)
	v.format = widget.NewSelect(choiceLabels(reportFormatChoices), nil)
	v.tlp = widget.NewSelect(choiceLabels(reportTLPChoices), nil)
	v.kind.SetSelectedIndex(0)
	v.format.SetSelectedIndex(0)
	v.tlp.SetSelected(choiceLabel(reportTLPChoices, "amber"))
	v.asOf = widget.NewEntry()
	v.asOf.SetPlaceHolder("Latest")
	// The preview starts once the area is on screen (shown).
	v.kind.OnChanged, v.format.OnChanged, v.tlp.OnChanged, v.asOf.OnChanged = changed, changed, changed, changed
	labelled := func(name string, obj fyne.CanvasObject) fyne.CanvasObject {
		return container.NewVBox(widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), obj)
	}
	choosers := container.NewGridWithColumns(4,
		labelled("Kind", v.kind), labelled("Format", v.format), labelled("Marking", v.tlp),
		labelled("As of ledger entry", v.asOf))

	v.save = cv.action("Save…", theme.DocumentSaveIcon(), v.showSave)
	v.verify = widget.NewButtonWithIcon("Verify a report file…", theme.ConfirmIcon(), v.showVerify)

	v.src = newListSource([]listColumn[reports.GeneratedReport]{
		{dataColumn{title: "Entry", width: 70}, func(r *reports.GeneratedReport) dataCell {
			return dataCell{text: strconv.FormatInt(r.Entry.Seq, 10), end: true}
		}, nil},
		{dataColumn{title: "Generated (UTC)", width: 200}, func(r *reports.GeneratedReport) dataCell {
			return cell(r.Entry.Time.UTC().Format(timeLayout))
		}, nil},
		{dataColumn{title: "Kind", width: 170}, func(r *reports.GeneratedReport) dataCell { return cell(reportKindTitle(r.Kind)) }, nil},
		{dataColumn{title: "Format", width: 90}, func(r *reports.GeneratedReport) dataCell { return cell(reportFormatTitle(r.Format)) }, nil},
		{dataColumn{title: "Marking", width: 150}, func(r *reports.GeneratedReport) dataCell {
			return cell("TLP:" + strings.ToUpper(r.TLP))
		}, nil},
		{dataColumn{title: "SHA-256", width: 170}, func(r *reports.GeneratedReport) dataCell {
			return dataCell{text: shortHash(r.SHA256), full: r.SHA256, mono: true}
		}, nil},
		{dataColumn{title: "As of entry", width: 100}, func(r *reports.GeneratedReport) dataCell {
			return dataCell{text: strconv.FormatInt(r.HeadSeq, 10), full: fmt.Sprintf("entry %d, head %s", r.HeadSeq, r.Head), end: true}
		}, nil},
		{dataColumn{title: "Generated by", width: 260}, func(r *reports.GeneratedReport) dataCell {
			return cell(entryActor(r.Entry))
		}, nil},
		{dataColumn{title: "File", width: 320}, func(r *reports.GeneratedReport) dataCell {
			p := r.Entry.Details["path"]
			return dataCell{text: shownLine(filepath.Base(p)), full: shownLine(p)}
		}, nil},
	}, func(r *reports.GeneratedReport) any { return r.Entry.Seq })
	v.table = v.src.table(v.u, 1, 0)
	v.none = mutedLabel("No report has been generated from this case yet.")
	v.table.box.Hide() // until the list is read
	v.listProblem = problemLabel()

	v.sum = widget.NewLabel("")
	v.sum.TextStyle = fyne.TextStyle{Monospace: true}
	v.sum.Selectable = true
	v.sum.Truncation = fyne.TextTruncateEllipsis
	v.note = mutedLabel("")
	v.note.Hide()
	v.preview = container.NewVBox()
	// The note is in the scroll, so however long it is the area fits a
	// small window.
	v.scroll = container.NewVScroll(container.NewPadded(container.NewVBox(v.note, v.preview)))

	// The preview takes the room; the list of generated reports sits
	// under it, in a split the user can move.
	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(v.save, v.verify)),
		heading(a.title())), intro, choosers)
	bold := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	previewPane := container.NewBorder(v.sum, nil, nil, nil, v.scroll)
	listPane := container.NewBorder(container.NewVBox(bold("Reports generated from this case"), v.listProblem, v.none),
		nil, nil, nil, v.table.box)
	split := container.NewVSplit(previewPane, listPane)
	split.Offset = 0.7
	v.root = container.NewBorder(top, nil, nil, nil, split)
	v.allow()
	return v
}

func (v *reportsView) content() fyne.CanvasObject { return v.root }

// shown starts the preview and reads the list once the area is on screen.
func (v *reportsView) shown() {
	v.render()
	v.loadList()
}

func (v *reportsView) refresh(what factSet) {
	if !what.has(factsCustody | factsActor) {
		return
	}
	v.allow()
	// The head moved (or the actor's roles changed): the latest report is
	// another, and the list may have grown.
	v.render()
	v.loadList()
}

// allow enables Save for a role that may generate reports.
func (v *reportsView) allow() {
	v.save.allow(v.cv.whyNot(casefile.PermGenerateReports))
}

// options are the report the choosers choose, or what is wrong with them.
func (v *reportsView) options() (reports.Options, error) {
	o := reports.Options{Kind: choiceValue(reportKindChoices, v.kind.Selected), Format: choiceValue(reportFormatChoices, v.format.Selected),
		TLP: choiceValue(reportTLPChoices, v.tlp.Selected), Tool: reportTool()}
	a := strings.TrimSpace(v.asOf.Text)
	if a == "" || strings.EqualFold(a, "latest") {
		return o, nil
	}
	n, err := strconv.ParseInt(a, 10, 64)
	head := v.cv.oc.custody.headSeq
	if err != nil || n < 1 || n > head {
		return o, casefile.Invalidf("as of %q: give a ledger entry number from 1 to %d, or leave it empty for the latest entry", a, head)
	}
	o.AsOf = n
	return o, nil
}

// onScreen reports whether the view is the area on screen: a job that
// ends after the user went elsewhere shows nothing.
func (v *reportsView) onScreen() bool { return v.u.cv == v.cv && v.cv.view == v }

// render renders the preview of the chosen report in a job; while one
// runs, it renders again once that ends.
func (v *reportsView) render() {
	if v.rendering {
		v.pending = true
		return
	}
	o, err := v.options()
	if err != nil {
		v.show(&reportPreview{opts: o, err: err, why: userMessage(err) + " " + hint(err)})
		return
	}
	if why := v.cv.notPermitted(casefile.PermGenerateReports); why != "" {
		// The core refuses too; the preview says which roles may.
		v.show(&reportPreview{opts: o, err: casefile.ErrNotPermitted, why: "No report can be rendered: " + why})
		return
	}
	v.rendering = true
	v.sum.SetText("Preview: rendering the " + strings.ToLower(reportKindTitle(o.Kind)) + " as " + reportFormatTitle(o.Format) + "…")
	c := v.cv.oc.c
	v.u.runJob(func() func() {
		p := renderPreview(c, o)
		return func() {
			v.rendering = false
			if v.pending {
				v.pending = false
				v.render()
				return
			}
			if v.onScreen() {
				v.show(p)
			}
		}
	})
}

// renderPreview renders the report o chooses from c, as RenderReport does
// for Save, and works out what the preview shows. It runs off the UI
// goroutine and writes nothing to disk.
func renderPreview(c *casefile.Case, o reports.Options) *reportPreview {
	p := &reportPreview{opts: o}
	data, d, m, err := reports.RenderReport(c, o)
	if err != nil {
		p.err = err
		return p
	}
	s := sha256.Sum256(data)
	p.sum, p.size, p.asOf = hex.EncodeToString(s[:]), len(data), m.AsOfSeq
	p.name = reports.FileName(d, m.AsOfSeq, o.Format)
	if o.Format == reports.FormatPDF {
		if bin, err := pdftoppmCommand(); err == nil {
			pages, more, err := pdfPages(bin, data, previewPages)
			if err == nil {
				p.pages, p.more = pages, more
				switch {
				case more:
					p.note = fmt.Sprintf("The first %d pages of the PDF, as pdftoppm draws them.", len(pages))
				default:
					p.note = "Every page of the PDF (" + plural(len(pages), "page", "pages") + "), as pdftoppm draws them."
				}
				return p
			}
			p.note = "The PDF's pages could not be drawn (" + shownLine(err.Error()) + "): the preview shows the same report " +
				"rendered from its Markdown."
		} else {
			p.note = popplerNote
		}
	}
	var md bytes.Buffer
	if err := reports.Render(&md, d, reports.FormatMarkdown); err != nil {
		p.err = err
		return p
	}
	if o.Format == reports.FormatHTML {
		p.note = "The HTML report's content, rendered from the same report's Markdown. The SHA-256 and size are those of " +
			"the self-contained HTML file that Save writes."
	}
	p.segs = safeMarkdown(md.String())
	return p
}

// pdfPages draws the first n pages of a PDF as PNG images with pdftoppm,
// through pipes: the PDF goes in on its standard input and the images come
// back on its standard output, so nothing decrypted is written to disk.
// more reports that the PDF has more than n pages.
func pdfPages(bin string, pdf []byte, n int) (pages []image.Image, more bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// One page more than shown says whether more follow.
	cmd := exec.CommandContext(ctx, bin, "-png", "-r", "96", "-f", "1", "-l", strconv.Itoa(n+1), "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, false, fmt.Errorf("pdftoppm: %s", msg)
		}
		return nil, false, fmt.Errorf("pdftoppm: %w", err)
	}
	r := bytes.NewReader(out.Bytes())
	for r.Len() > 0 {
		img, err := png.Decode(r)
		if err != nil {
			return nil, false, fmt.Errorf("pdftoppm's page %d: %w", len(pages)+1, err)
		}
		pages = append(pages, img)
	}
	if len(pages) == 0 {
		return nil, false, errors.New("pdftoppm drew no page")
	}
	if len(pages) > n {
		return pages[:n], true, nil
	}
	return pages, false, nil
}

// show puts p in the preview.
func (v *reportsView) show(p *reportPreview) {
	v.current = p
	v.preview.RemoveAll()
	if p.err != nil {
		v.sum.SetText("Preview: none.")
		why := p.why
		if why == "" {
			why = userMessage(p.err) + " " + hint(p.err)
		}
		v.note.SetText(why)
		v.note.Importance = widget.DangerImportance
		v.note.Show()
		relayout(v.root.(*fyne.Container))
		return
	}
	v.sum.SetText("Preview: SHA-256 " + p.sum + " · " + humanSize(int64(p.size)) + " · as of entry " + strconv.FormatInt(p.asOf, 10))
	v.note.Importance = widget.MediumImportance
	v.note.SetText(p.note)
	if p.note == "" {
		v.note.Hide()
	} else {
		v.note.Show()
	}
	if len(p.pages) > 0 {
		for i, img := range p.pages {
			im := canvas.NewImageFromImage(img)
			im.FillMode = canvas.ImageFillContain
			b := img.Bounds()
			w := float32(min(b.Dx(), 720))
			im.SetMinSize(fyne.NewSize(w, w*float32(b.Dy())/float32(max(b.Dx(), 1))))
			v.preview.Add(mutedLabel(fmt.Sprintf("Page %d", i+1)))
			v.preview.Add(container.NewHBox(im))
		}
		if p.more {
			v.preview.Add(mutedLabel("… more pages follow in the file Save writes."))
		}
	} else {
		rt := widget.NewRichText(p.segs...)
		rt.Wrapping = fyne.TextWrapWord
		v.preview.Add(rt)
	}
	v.scroll.ScrollToTop()
	relayout(v.root.(*fyne.Container))
}

// loadList reads the reports generated from the case in a job.
func (v *reportsView) loadList() {
	if v.listing {
		v.listAgain = true
		return
	}
	v.listing = true
	c := v.cv.oc.c
	v.u.runJob(func() func() {
		rs, err := reports.ListReports(c)
		return func() {
			v.listing = false
			if v.listAgain {
				v.listAgain = false
				v.loadList()
				return
			}
			if !v.onScreen() {
				return
			}
			if err != nil {
				setProblem(v.listProblem, "The reports could not be listed: "+userMessage(err)+" "+hint(err))
			} else {
				setProblem(v.listProblem, "")
			}
			// Newest first.
			for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
				rs[i], rs[j] = rs[j], rs[i]
			}
			v.src.set(rs)
			v.table.reload()
			if len(rs) == 0 {
				v.none.Show()
				v.table.box.Hide()
			} else {
				v.none.Hide()
				v.table.box.Show()
			}
			relayout(v.root.(*fyne.Container))
		}
	})
}

// entryActor names who recorded e: "Sam Okafor (Forensic Engineer)".
func entryActor(e casefile.CustodyEntry) string {
	s := shownLine(e.Actor)
	if e.Role != "" {
		s += " (" + e.Role.Title() + ")"
	}
	return s
}

// saveReportForm is the Save report form, kept for tests.
type saveReportForm struct {
	form                 *recordForm
	opts                 reports.Options
	folder, name, reason *formEntry
	chooseFolder         *formButton
}

// Path is the file the form would write.
func (f *saveReportForm) Path() string {
	return filepath.Join(strings.TrimSpace(f.folder.Text), strings.TrimSpace(f.name.Text))
}

// showSave opens the Save report form: the report chosen, a folder and a
// new file's name (by default the case number, kind, head entry and
// EXERCISE for an exercise case), and the reason. Like Extract it is a
// folder and a name rather than Fyne's Save dialog, which would create the
// file itself: Custodia never overwrites a file.
func (v *reportsView) showSave() {
	u, cv := v.u, v.cv
	o, err := v.options()
	if err != nil {
		u.showError("The report cannot be saved", err, nil)
		return
	}
	what := reportKindTitle(o.Kind) + " · " + reportFormatTitle(o.Format) + " · " + choiceLabel(reportTLPChoices, o.TLP)
	name := ""
	p := v.current
	if p != nil && p.err == nil && p.opts == o {
		what += fmt.Sprintf(" · as of entry %d\nSHA-256 of the preview: %s", p.asOf, p.sum)
		name = p.name
	} else {
		asOf := o.AsOf
		if asOf == 0 {
			asOf = cv.oc.custody.headSeq
		}
		what += fmt.Sprintf(" · as of entry %d", asOf)
		name = reports.FileName(&reports.Document{Case: cv.oc.info.CaseNumber, Kind: o.Kind,
			Exercise: cv.oc.incident.inc.Exercise != ""}, asOf, o.Format)
	}
	form := u.newRecordForm("Save report", "Save",
		"Writes the report to a new file and records it in the custody record with the file's SHA-256. "+
			"Custodia never overwrites a file.")
	form.width = 680
	form.live = true
	form.busyText = "Writing the report…"
	f := &saveReportForm{form: form, opts: o}
	summary := widget.NewLabel(what)
	summary.Wrapping = fyne.TextWrapBreak
	form.note("Report", summary)
	f.folder = newFormEntry(form.keys, 0)
	f.folder.SetText(defaultFolder(u.cfg.DefaultFolder))
	f.folder.OnChanged = func(string) { form.recheck() }
	f.chooseFolder = form.button("Choose…", theme.FolderOpenIcon(), func() { u.choosePath(f.folder, true) })
	form.add("Folder *", container.NewBorder(nil, nil, nil, f.chooseFolder, f.folder))
	form.fields["Folder"] = f.folder
	f.name = form.entry("File name *", "A new file's name")
	f.name.SetText(name)
	f.reason = form.entry("Reason", "Why the report is made, e.g. for the customer's security team (recorded)")
	form.check = func() bool {
		msg := extractLocationMessage(strings.TrimSpace(f.folder.Text), strings.TrimSpace(f.name.Text))
		form.setProblem("File name", msg)
		return msg == ""
	}
	form.refused = func(err error) bool { return refusedInForm(err) || errors.Is(err, casefile.ErrExists) }
	form.job = func() func() (func(), error) {
		oc, path, reason := cv.oc, f.Path(), strings.TrimSpace(f.reason.Text)
		return func() (func(), error) {
			g, err := reports.Generate(oc.c, o, path, reason)
			if err != nil {
				return nil, err
			}
			return u.afterChange(cv, factsCustody, func() {
				v.lastSaved = &g
				v.showSaved(g)
			}), nil
		}
	}
	v.saving = f
	form.onClosed = func() {
		if v.saving == f {
			v.saving = nil
		}
	}
	form.show(f.name)
}

// showSaved confirms a saved report: where it is, its SHA-256 and the
// ledger entry that records it.
func (v *reportsView) showSaved(g reports.Generated) {
	u := v.u
	mono := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Selectable = true
		l.TextStyle = fyne.TextStyle{Monospace: true}
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	facts := []fact{
		{"File", mono(g.Path)},
		{"SHA-256", container.NewBorder(nil, nil, nil, copyButton(u, "Copy", func() string { return g.SHA256 }), mono(g.SHA256))},
		{"Ledger entry", mono(fmt.Sprintf("%d %s by %s, %s", g.Entry.Seq, g.Entry.Action, entryActor(g.Entry),
			g.Entry.Time.UTC().Format(timeLayout)))},
		{"As of", mono(fmt.Sprintf("entry %d, head %s", g.HeadSeq, g.Head))},
	}
	u.showNotice("Report saved", fmt.Sprintf("The %s (%s, TLP:%s) was written and recorded in the custody record with its "+
		"SHA-256; Verify a report file… recognises exactly this file.", strings.ToLower(reportKindTitle(g.Kind)),
		reportFormatTitle(g.Format), strings.ToUpper(g.TLP)),
		theme.NewSuccessThemedResource(theme.ConfirmIcon()), factGrids(facts)[0])
}

// verifyReportForm is the Verify a report file form, kept for tests.
type verifyReportForm struct {
	form       *recordForm
	file       *formEntry
	chooseFile *formButton
}

// reportVerdict is what Verify found, for tests.
type reportVerdict struct {
	path      string
	sum       string
	generated bool
	report    reports.GeneratedReport
}

// showVerify opens the form that checks a report file against the case's
// ledger.
func (v *reportsView) showVerify() {
	u, cv := v.u, v.cv
	form := u.newRecordForm("Verify a report file", "Verify",
		"Custodia hashes the file with SHA-256 and looks for the report.generated entry of this case with that hash: "+
			"only a report generated from this case, byte for byte, has one.")
	form.width = 640
	form.busyText = "Hashing the file…"
	f := &verifyReportForm{form: form}
	f.file = newFormEntry(form.keys, 0)
	f.chooseFile = form.button("Choose…", theme.FolderOpenIcon(), func() { u.choosePath(f.file, false) })
	form.add("Report file *", container.NewBorder(nil, nil, nil, f.chooseFile, f.file))
	form.fields["Report file"] = f.file
	form.check = func() bool {
		p := strings.TrimSpace(f.file.Text)
		if !form.require("Report file", p, "Name the report file to verify.") {
			return false
		}
		if st, err := os.Stat(p); err != nil {
			form.setProblem("Report file", "No file "+p+": choose the report file with Choose….")
			return false
		} else if st.IsDir() {
			form.setProblem("Report file", p+" is a folder: choose the report file itself.")
			return false
		}
		form.setProblem("Report file", "")
		return true
	}
	form.job = func() func() (func(), error) {
		c, path := cv.oc.c, strings.TrimSpace(f.file.Text)
		return func() (func(), error) {
			r, sum, err := reports.VerifyReport(c, path)
			vd := &reportVerdict{path: path, sum: sum, report: r, generated: err == nil}
			if err != nil && !errors.Is(err, reports.ErrNotGenerated) {
				return nil, err
			}
			return func() {
				v.lastVerify = vd
				v.showVerdict(vd)
			}, nil
		}
	}
	v.verifying = f
	form.onClosed = func() {
		if v.verifying == f {
			v.verifying = nil
		}
	}
	form.show(f.file)
}

// showVerdict says for a person what Verify found.
func (v *reportsView) showVerdict(vd *reportVerdict) {
	u := v.u
	l := widget.NewLabel("SHA-256 " + vd.sum)
	l.TextStyle = fyne.TextStyle{Monospace: true}
	l.Selectable = true
	l.Wrapping = fyne.TextWrapBreak
	if !vd.generated {
		u.showNotice("Not generated from this case", shownLine(vd.path)+" is not a report generated from this case: no report "+
			"this case recorded has this file's SHA-256. Either the file was changed after it was generated (a single changed "+
			"byte is enough), it comes from another case, or this case file is older than the report: restored from a backup "+
			"behind a report that is already out. Do not rely on it as this case's report; ask for the file as it was sent, "+
			"or check it against the case file it came from.",
			theme.NewErrorThemedResource(theme.ErrorIcon()), l)
		return
	}
	r := vd.report
	u.showNotice("Report verified", fmt.Sprintf("%s was generated from this case at entry %d by %s on %s: the %s (%s, TLP:%s) "+
		"as of entry %d, head %s.", shownLine(vd.path), r.Entry.Seq, entryActor(r.Entry), r.Entry.Time.UTC().Format(timeLayout),
		strings.ToLower(reportKindTitle(r.Kind)), reportFormatTitle(r.Format), strings.ToUpper(r.TLP), r.HeadSeq, r.Head),
		theme.NewSuccessThemedResource(theme.ConfirmIcon()), l)
}
