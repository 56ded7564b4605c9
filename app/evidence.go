package app

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
)

// evidenceFacts is what the Evidence area and the dashboard show of a
// case's items. It is read off the UI goroutine when the case opens and
// again after every ingest, verification and extraction.
type evidenceFacts struct {
	items []casefile.Evidence
	err   error
}

// readEvidence lists the items of c. It runs off the UI goroutine.
func readEvidence(c *casefile.Case) evidenceFacts {
	var f evidenceFacts
	f.items, f.err = c.ListEvidence()
	return f
}

// item returns the item with id, or nil.
func (f evidenceFacts) item(id uuid.UUID) *casefile.Evidence {
	for i := range f.items {
		if f.items[i].ID == id {
			return &f.items[i]
		}
	}
	return nil
}

// evidenceView is the Evidence area: the case's items in a table that
// draws only the rows on screen, the details of the chosen item with its
// hashes, verification and warnings, and the actions on evidence: Add
// evidence…, Verify, Verify all, Extract… and View bytes.
type evidenceView struct {
	u  *UI
	cv *caseView

	items    []casefile.Evidence
	selected uuid.UUID // the item in the details panel; uuid.Nil for none

	add, verifyAll *widget.Button
	allHashes      *widget.Check // Verify recomputes MD5 and SHA-1 as well as SHA-256
	count          *widget.Label
	loadProblem    *widget.Label

	table     *widget.Table
	tableFill *fillLastColumn
	tableBox  *fyne.Container
	details   *evidenceDetails
	body      *fyne.Container
}

// evidenceCell is what one table cell shows.
type evidenceCell struct {
	text string
	icon fyne.Resource // nil for none
	imp  widget.Importance
	mono bool
	end  bool // aligned to the trailing edge (numbers)
}

// evidenceColumn is one column of the evidence table.
type evidenceColumn struct {
	title string
	cell  func(ev *casefile.Evidence) evidenceCell
	width float32 // at most this wide
}

var evidenceColumns = []evidenceColumn{
	{"Name", func(ev *casefile.Evidence) evidenceCell {
		c := evidenceCell{text: shownLine(ev.Meta.Name)}
		if len(ev.Meta.Warnings) > 0 {
			c.icon = theme.NewWarningThemedResource(theme.WarningIcon())
		}
		return c
	}, 300},
	{"Kind", func(ev *casefile.Evidence) evidenceCell { return evidenceCell{text: kindTitle(ev.Meta.Kind)} }, 140},
	{"Size", func(ev *casefile.Evidence) evidenceCell {
		return evidenceCell{text: humanSize(ev.Meta.Size), end: true}
	}, 120},
	{"SHA-256", func(ev *casefile.Evidence) evidenceCell {
		return evidenceCell{text: shortHash(ev.Meta.Hashes.SHA256), mono: true}
	}, 200},
	{"Verified", func(ev *casefile.Evidence) evidenceCell { return verifiedCell(ev.Verification) }, 250},
	{"Ingested (UTC)", func(ev *casefile.Evidence) evidenceCell {
		return evidenceCell{text: ev.Meta.IngestedAt.UTC().Format(timeLayout)}
	}, 220},
}

// shortHash is the first 16 hex digits of a hash, as the GUI shows
// digests in tables (casefile.Digest.Short).
func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return orNotSet(h)
}

// verifiedCell is the Verified column: a check mark and the time of the
// last verification when it matched, MISMATCH when it did not, Never
// before the first.
func verifiedCell(v *casefile.Verification) evidenceCell {
	switch {
	case v == nil:
		return evidenceCell{text: "Never"}
	case v.OK:
		return evidenceCell{text: v.At.UTC().Format(timeLayout), icon: theme.NewSuccessThemedResource(theme.ConfirmIcon()),
			imp: widget.SuccessImportance}
	default:
		return evidenceCell{text: "MISMATCH", icon: theme.NewErrorThemedResource(theme.ErrorIcon()), imp: widget.DangerImportance}
	}
}

func buildEvidence(cv *caseView, a area) fyne.CanvasObject {
	v := &evidenceView{u: cv.u, cv: cv}
	cv.evidence = v
	v.loadProblem = problemLabel()
	v.add = widget.NewButtonWithIcon("Add evidence…", theme.ContentAddIcon(), v.showAddForm)
	v.add.Importance = widget.HighImportance
	v.verifyAll = widget.NewButtonWithIcon("Verify all", theme.ConfirmIcon(), v.verifyEvery)
	v.allHashes = widget.NewCheck("Verify recomputes MD5 and SHA-1 too (slower)", nil)
	v.count = widget.NewLabel("")
	toolbar := container.NewHBox(v.add, v.verifyAll, v.allHashes, layout.NewSpacer(), v.count)

	v.table = v.newTable()
	v.tableFill = &fillLastColumn{table: v.table}
	v.tableBox = container.New(v.tableFill, v.table)
	v.details = newEvidenceDetails(v)
	split := container.NewVSplit(v.tableBox, container.NewVScroll(container.NewPadded(v.details.root)))
	split.Offset = 0.38

	v.body = container.NewBorder(container.NewVBox(toolbar, v.loadProblem), nil, nil, nil, split)
	v.load(cv.oc.evidence)
	if len(v.items) > 0 {
		v.selectItem(v.items[len(v.items)-1].ID) // the newest item
	}
	return container.NewBorder(heading(a.name), nil, nil, nil, v.body)
}

// newTable makes the evidence table. Each cell is an icon and a label over
// a background that marks the row of the chosen item.
func (v *evidenceView) newTable() *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(v.items), len(evidenceColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			icon := widget.NewIcon(nil)
			icon.Hide()
			return container.NewStack(canvas.NewRectangle(color.Transparent),
				container.NewBorder(nil, nil, icon, nil, l))
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			cell := o.(*fyne.Container)
			bg := cell.Objects[0].(*canvas.Rectangle)
			row := cell.Objects[1].(*fyne.Container)
			l, icon := row.Objects[0].(*widget.Label), row.Objects[1].(*widget.Icon)
			if id.Row >= len(v.items) {
				l.SetText("")
				icon.Hide()
				return
			}
			ev := &v.items[id.Row]
			c := evidenceColumns[id.Col].cell(ev)
			l.Importance = c.imp
			l.TextStyle = fyne.TextStyle{Monospace: c.mono}
			l.Alignment = fyne.TextAlignLeading
			if c.end {
				l.Alignment = fyne.TextAlignTrailing
			}
			l.SetText(c.text)
			if c.icon != nil {
				icon.SetResource(c.icon)
				icon.Show()
			} else {
				icon.Hide()
			}
			markRow(bg, ev.ID == v.selected)
		},
	)
	setTitleHeader(t, len(evidenceColumns), func(col int) string { return evidenceColumns[col].title })
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(v.items) {
			v.selectItem(v.items[id.Row].ID)
		}
		// The row background marks the choice; the table's own cell
		// highlight would mark one cell of it.
		t.UnselectAll()
	}
	return t
}

// load shows a newly read list of items, keeping the chosen one.
func (v *evidenceView) load(f evidenceFacts) {
	v.items = f.items
	if f.err != nil {
		setProblem(v.loadProblem, "The evidence list could not be read: "+userMessage(f.err)+" "+hint(f.err))
	} else {
		setProblem(v.loadProblem, "")
	}
	relayout(v.body)
	var total int64
	for i := range v.items {
		total += v.items[i].Meta.Size
	}
	v.count.SetText(plural(len(v.items), "item", "items") + " · " + humanSize(total))
	if len(v.items) == 0 {
		v.verifyAll.Disable()
	} else {
		v.verifyAll.Enable()
	}
	v.sizeColumns()
	if f.item(v.selected) == nil {
		v.selected = uuid.Nil
	}
	v.selectItem(v.selected)
}

// sizeColumns fits each column to its header and values, within its limit.
func (v *evidenceView) sizeColumns() {
	pad := 2*theme.InnerPadding() + theme.Padding()
	widths := make([]float32, len(evidenceColumns))
	for c, col := range evidenceColumns {
		w := fyne.MeasureText(col.title, theme.TextSize(), fyne.TextStyle{Bold: true}).Width
		for i := range v.items {
			cell := col.cell(&v.items[i])
			cw := fyne.MeasureText(cell.text, theme.TextSize(), fyne.TextStyle{Monospace: cell.mono}).Width
			if cell.icon != nil {
				cw += theme.IconInlineSize() + theme.Padding()
			}
			w = max(w, cw)
		}
		widths[c] = min(w+pad, col.width)
	}
	v.tableFill.setWidths(widths, v.tableBox)
}

// rowOf returns the table row of item id, or -1.
func (v *evidenceView) rowOf(id uuid.UUID) int {
	for i := range v.items {
		if v.items[i].ID == id {
			return i
		}
	}
	return -1
}

// selectItem shows item id in the details panel (uuid.Nil clears it) and
// marks its row.
func (v *evidenceView) selectItem(id uuid.UUID) {
	v.selected = id
	var ev *casefile.Evidence
	if r := v.rowOf(id); r >= 0 {
		ev = &v.items[r]
	}
	v.details.show(ev, len(v.items))
	v.table.Refresh()
}

// showItem chooses item id and scrolls its row into view.
func (v *evidenceView) showItem(id uuid.UUID) {
	v.selectItem(id)
	if r := v.rowOf(id); r >= 0 {
		v.table.ScrollTo(widget.TableCellID{Row: r, Col: 0})
	}
}

// Selected returns the chosen item, or nil.
func (v *evidenceView) Selected() *casefile.Evidence {
	if r := v.rowOf(v.selected); r >= 0 {
		return &v.items[r]
	}
	return nil
}

// evidenceDetails is the panel under the evidence table with everything
// recorded about one item, and the actions on it.
type evidenceDetails struct {
	v *evidenceView

	empty                   *widget.Label
	name                    *widget.Label
	verify, extract, bytes  *widget.Button
	checkSource             *widget.Button // Check source…
	header                  *fyne.Container
	warnings                *fyne.Container // the warnings banner, hidden when there are none
	warningsText            *widget.Label
	verdict                 *fyne.Container // the last verification, as a banner
	verdictTitle            *widget.Label
	verdictNote             *widget.Label
	verdictColour           fyne.ThemeColorName // success, error, or "" before a verification
	id, kind, format        *widget.Label
	description, size       *widget.Label
	source, ingestedAt      *widget.Label
	ingestedBy, timeZone    *widget.Label
	host, tool, chunks      *widget.Label
	md5, sha1, sha256       *widget.Label
	copyMD5, copySHA1       *widget.Button
	copySHA256              *widget.Button
	acquisition, containers *widget.Label
	sections                *fyne.Container
	root                    *fyne.Container
}

func newEvidenceDetails(v *evidenceView) *evidenceDetails {
	d := &evidenceDetails{v: v}
	d.empty = widget.NewLabel("")
	d.empty.Wrapping = fyne.TextWrapWord
	d.empty.TextStyle = fyne.TextStyle{Italic: true}

	d.name = subheading("")
	d.name.Truncation = fyne.TextTruncateEllipsis
	d.verify = widget.NewButtonWithIcon("Verify", theme.ConfirmIcon(), func() { v.verifyOne() })
	d.extract = widget.NewButtonWithIcon("Extract…", theme.DownloadIcon(), v.showExtractForm)
	d.bytes = widget.NewButtonWithIcon("View bytes", theme.VisibilityIcon(), v.viewBytes)
	d.checkSource = widget.NewButtonWithIcon("Check source…", theme.SearchIcon(), v.showSourceForm)
	d.header = container.NewBorder(nil, nil, nil, container.NewHBox(d.verify, d.checkSource, d.extract, d.bytes), d.name)

	d.warningsText = widget.NewLabel("")
	d.warningsText.Wrapping = fyne.TextWrapWord
	d.warningsText.Importance = widget.WarningImportance
	warnTitle := widget.NewLabelWithStyle("Warnings", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	warnTitle.Importance = widget.WarningImportance
	d.warnings = container.NewStack(banner(theme.ColorNameWarning, container.NewVBox(
		container.NewHBox(widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())), warnTitle),
		d.warningsText)))

	d.verdictTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.verdictTitle.Wrapping = fyne.TextWrapWord
	d.verdictNote = widget.NewLabel("")
	d.verdictNote.Wrapping = fyne.TextWrapWord
	d.verdict = container.NewStack()

	text := func() *widget.Label {
		l := widget.NewLabel("")
		l.Selectable = true
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	mono := func() *widget.Label {
		l := text()
		l.TextStyle = fyne.TextStyle{Monospace: true}
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	d.id, d.kind, d.format, d.description = mono(), text(), text(), text()
	d.size, d.source, d.ingestedAt, d.ingestedBy = text(), text(), text(), text()
	d.timeZone, d.host, d.tool, d.chunks = text(), text(), text(), text()
	d.source.Wrapping = fyne.TextWrapBreak
	d.md5, d.sha1, d.sha256 = mono(), mono(), mono()
	d.copyMD5 = copyButton(v.u, func() string { return d.hashes().MD5 })
	d.copySHA1 = copyButton(v.u, func() string { return d.hashes().SHA1 })
	d.copySHA256 = copyButton(v.u, func() string { return d.hashes().SHA256 })
	d.acquisition, d.containers = text(), mono()
	hash := func(l *widget.Label, b *widget.Button) fyne.CanvasObject {
		return container.NewBorder(nil, nil, nil, container.NewVBox(b), l)
	}
	grids := factGrids(
		[]fact{
			{"Item ID", d.id},
			{"Kind", d.kind},
			{"Format", d.format},
			{"Description", d.description},
			{"Size", d.size},
			{"Source", d.source},
			{"Time zone", d.timeZone},
		},
		[]fact{
			{"MD5", hash(d.md5, d.copyMD5)},
			{"SHA-1", hash(d.sha1, d.copySHA1)},
			{"SHA-256", hash(d.sha256, d.copySHA256)},
		},
		[]fact{
			{"Ingested (UTC)", d.ingestedAt},
			{"Ingested by", d.ingestedBy},
			{"Host", d.host},
			{"Tool", d.tool},
			{"Stored as", d.chunks},
			{"Acquisition", d.acquisition},
			{"Container files", d.containers},
		},
	)
	d.sections = container.NewVBox(
		d.header, d.warnings, d.verdict,
		section("Hashes recorded at ingest", grids[1]),
		section("Item", grids[0]),
		section("Provenance", grids[2]),
	)
	d.root = container.NewVBox(d.empty, d.sections)
	return d
}

// hashes returns the recorded hashes of the item on show.
func (d *evidenceDetails) hashes() casefile.Hashes {
	if ev := d.v.Selected(); ev != nil {
		return ev.Meta.Hashes
	}
	return casefile.Hashes{}
}

// show fills the panel with ev, or says what to do when no item is chosen.
func (d *evidenceDetails) show(ev *casefile.Evidence, items int) {
	if ev == nil {
		if items == 0 {
			d.empty.SetText("No evidence in this case yet. Add evidence… reads a disk image, a log, a memory dump or a " +
				"folder of logs, hashes every byte with MD5, SHA-1 and SHA-256, and seals it into the case file with a custody entry.")
		} else {
			d.empty.SetText("Choose an item to see its hashes, provenance and verification.")
		}
		d.empty.Show()
		d.sections.Hide()
		relayout(d.root)
		return
	}
	d.empty.Hide()
	d.sections.Show()
	m := ev.Meta
	d.name.SetText(shownLine(m.Name))
	if len(m.Warnings) > 0 {
		lines := make([]string, len(m.Warnings))
		for i, w := range m.Warnings {
			lines[i] = "• " + sentence(shown(w))
		}
		d.warningsText.SetText(strings.Join(lines, "\n"))
		d.warnings.Show()
	} else {
		d.warningsText.SetText("")
		d.warnings.Hide()
	}
	d.showVerification(ev)
	d.id.SetText(ev.ID.String())
	d.kind.SetText(kindTitle(m.Kind))
	d.format.SetText(formatTitle(m.Format))
	d.description.SetText(orNotSet(shown(m.Description)))
	d.size.SetText(byteCount(m.Size))
	d.source.SetText(orNotSet(shown(m.SourcePath)))
	d.timeZone.SetText(timeZoneText(m.TimeZone))
	d.md5.SetText(orNotSet(m.Hashes.MD5))
	d.sha1.SetText(orNotSet(m.Hashes.SHA1))
	d.sha256.SetText(orNotSet(m.Hashes.SHA256))
	d.ingestedAt.SetText(m.IngestedAt.UTC().Format(timeLayout))
	d.ingestedBy.SetText(orNotSet(shown(m.IngestedBy)))
	d.host.SetText(orNotSet(shown(m.Host)))
	d.tool.SetText(orNotSet(shown(m.Tool)))
	d.chunks.SetText(chunkText(ev))
	d.acquisition.SetText(shown(mapLines(m.Acquisition, ": ")))
	d.containers.SetText(containerText(m.Container))
	relayout(d.root)
}

// showVerification shows the item's last verification as a banner: green
// when the hashes matched, red with the detail when they did not.
func (d *evidenceDetails) showVerification(ev *casefile.Evidence) {
	vr := ev.Verification
	var icon fyne.Resource
	switch {
	case vr == nil:
		d.verdictColour = ""
		d.verdictTitle.SetText("Never verified")
		d.verdictNote.SetText("Verify re-reads every chunk from the case file, authenticates and decompresses it, " +
			"and compares the SHA-256 of the whole item with the value recorded at ingest; with \"Verify recomputes " +
			"MD5 and SHA-1 too\" ticked it compares all three.")
		d.verdict.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil,
			container.NewVBox(widget.NewIcon(theme.InfoIcon())), nil, container.NewVBox(d.verdictTitle, d.verdictNote))}
		d.verdict.Refresh()
		return
	case vr.OK:
		d.verdictColour = theme.ColorNameSuccess
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		title := "Verified — SHA-256 matches"
		if len(vr.RecomputedHashes()) == 3 {
			title = "Verified — MD5, SHA-1 and SHA-256 match"
		}
		d.verdictTitle.SetText(title)
	default:
		d.verdictColour = theme.ColorNameError
		icon = theme.NewErrorThemedResource(theme.ErrorIcon())
		d.verdictTitle.SetText("MISMATCH — the item no longer reads back as ingested")
	}
	note := fmt.Sprintf("%s by %s. %s", vr.At.UTC().Format(timeLayout), shown(vr.By), verifyDetail(ev, vr.Detail))
	if !vr.OK {
		note += " " + sentence(casefile.Hint(casefile.ErrAuthFailed)) + "."
	}
	d.verdictNote.SetText(note)
	d.verdict.Objects = []fyne.CanvasObject{banner(d.verdictColour, container.NewBorder(nil, nil,
		container.NewVBox(widget.NewIcon(icon)), nil, container.NewVBox(d.verdictTitle, d.verdictNote)))}
	d.verdict.Refresh()
}

// verifyDetail is a verification's detail as a sentence, without the
// package prefix and the item's own UUID, which the panel already shows:
// "Chunk 1: failed authentication (…)."
func verifyDetail(ev *casefile.Evidence, detail string) string {
	detail = strings.ReplaceAll(detail, "casefile: ", "")
	detail = strings.ReplaceAll(detail, "evidence "+ev.ID.String()+" ", "")
	detail = sentence(strings.TrimSpace(shown(detail)))
	if !strings.HasSuffix(detail, ".") {
		detail += "."
	}
	return detail
}

// timeZoneText is the recorded time zone of a source, or says it is
// unknown.
func timeZoneText(tz string) string {
	if tz == "" {
		return "Unknown (not given at ingest)"
	}
	return shown(tz)
}

// chunkText says how the item is stored in the case.
func chunkText(ev *casefile.Evidence) string {
	return fmt.Sprintf("%s of %s, sealed (compressed and encrypted) in the case file",
		plural(int(ev.ChunkCount), "chunk", "chunks"), humanSize(int64(ev.ChunkSize)))
}

// containerText lists the files an item was read from when they are not the
// content itself (split raw segments, E01 segments), with their SHA-256.
func containerText(files []casefile.ContainerFile) string {
	if len(files) == 0 {
		return notSet
	}
	lines := make([]string, len(files))
	for i, f := range files {
		lines[i] = fmt.Sprintf("%s  %s\n  SHA-256 %s", shown(f.Path), humanSize(f.Size), orNotSet(f.Hashes.SHA256))
	}
	return strings.Join(lines, "\n")
}
