package app

import (
	"cmp"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// evidenceFacts is what the Evidence area and the dashboard show of a
// case's items. It is read off the UI goroutine when the case opens and
// again after every ingest, verification and extraction.
type evidenceFacts struct {
	items []casefile.Evidence
	err   error
	// provenance holds where each derived item was read from; provErr
	// says why it could not be read.
	provenance map[uuid.UUID][]evidence.Provenance
	provErr    error
}

// readEvidence lists the items of c and the derived items' provenance.
// It runs off the UI goroutine.
func readEvidence(c *casefile.Case) evidenceFacts {
	var f evidenceFacts
	f.items, f.err = c.ListEvidence()
	if f.err == nil {
		f.provenance, f.provErr = evidence.AllProvenance(c)
	}
	return f
}

// item returns the item with id, or nil.
func (f evidenceFacts) item(id uuid.UUID) *casefile.Evidence {
	return find(f.items, func(e *casefile.Evidence) bool { return e.ID == id })
}

// find returns the first element of xs that match accepts, or nil.
func find[T any](xs []T, match func(*T) bool) *T {
	for i := range xs {
		if match(&xs[i]) {
			return &xs[i]
		}
	}
	return nil
}

// evidenceArea is the Evidence area: the case's items in a table that
// draws only the rows on screen, the actions on the chosen item (Verify,
// Check source…, Extract…, View bytes, Withdraw… or Reinstate…) above its
// details — hashes, verification, warnings, provenance and, for a
// withdrawn item, its withdrawal — and Add evidence… and Verify all.
type evidenceArea struct{}

func (evidenceArea) title() string            { return "Evidence" }
func (evidenceArea) icon() fyne.ThemeIconName { return theme.IconNameStorage }
func (evidenceArea) fill() bool               { return true }

// evidenceView is the Evidence area on screen.
type evidenceView struct {
	u  *UI
	cv *caseView

	items []casefile.Evidence
	src   *listSource[casefile.Evidence]

	add, verifyAll *actionButton
	allHashes      *widget.Check // Verify recomputes MD5 and SHA-1 as well as SHA-256
	count          *widget.Label
	loadProblem    *widget.Label

	// The actions on the chosen item, above its details so they never
	// scroll out of view.
	verify, checkSource, extract, bytes *actionButton
	withdraw, reinstate                 *actionButton // one of the two shows
	itemBar                             *fyne.Container

	table   *dataTable
	details *evidenceDetails
	body    *fyne.Container
	root    *fyne.Container
}

// evidenceColumns are the columns of the evidence table.
var evidenceColumns = []listColumn[casefile.Evidence]{
	{dataColumn{title: "Name", width: 300}, func(ev *casefile.Evidence) dataCell {
		c := dataCell{text: shownLine(ev.Meta.Name)}
		if len(ev.Meta.Warnings) > 0 {
			c.icon = theme.NewWarningThemedResource(theme.WarningIcon())
		}
		return c
	}, nil},
	{dataColumn{title: "Status", width: 140}, func(ev *casefile.Evidence) dataCell { return statusCell(ev) }, nil},
	{dataColumn{title: "Kind", width: 140}, func(ev *casefile.Evidence) dataCell { return cell(kindTitle(ev.Meta.Kind)) }, nil},
	{dataColumn{title: "Size", width: 120}, func(ev *casefile.Evidence) dataCell {
		return dataCell{text: humanSize(ev.Meta.Size), full: byteCount(ev.Meta.Size), end: true}
	}, func(a, b *casefile.Evidence) int { return cmp.Compare(a.Meta.Size, b.Meta.Size) }},
	{dataColumn{title: "SHA-256", width: 200}, func(ev *casefile.Evidence) dataCell {
		return dataCell{text: shortHash(ev.Meta.Hashes.SHA256), full: ev.Meta.Hashes.SHA256, mono: true}
	}, nil},
	{dataColumn{title: "Verified", width: 250}, func(ev *casefile.Evidence) dataCell { return verifiedCell(ev.Verification) }, nil},
	{dataColumn{title: "Ingested (UTC)", width: 220}, func(ev *casefile.Evidence) dataCell {
		return cell(ev.Meta.IngestedAt.UTC().Format(timeLayout))
	}, func(a, b *casefile.Evidence) int { return a.Meta.IngestedAt.Compare(b.Meta.IngestedAt) }},
}

// statusCell is the Status column: In force, or the Withdrawn badge.
func statusCell(ev *casefile.Evidence) dataCell {
	if ev.InForce() {
		return cell("In force")
	}
	return dataCell{text: "Withdrawn", icon: theme.NewWarningThemedResource(theme.ContentRemoveIcon()),
		imp: widget.WarningImportance, bold: true}
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
func verifiedCell(v *casefile.Verification) dataCell {
	switch {
	case v == nil:
		return cell("Never")
	case v.OK:
		return dataCell{text: v.At.UTC().Format(timeLayout), icon: theme.NewSuccessThemedResource(theme.ConfirmIcon()),
			imp: widget.SuccessImportance}
	default:
		return dataCell{text: "MISMATCH", icon: theme.NewErrorThemedResource(theme.ErrorIcon()), imp: widget.DangerImportance}
	}
}

func (a evidenceArea) build(cv *caseView) areaView {
	v := &evidenceView{u: cv.u, cv: cv}
	v.loadProblem = problemLabel()
	v.add = cv.action("Add evidence…", theme.ContentAddIcon(), v.showAddForm)
	v.add.Importance = widget.HighImportance
	v.verifyAll = cv.action("Verify all", theme.ConfirmIcon(), v.verifyEvery)
	v.allHashes = widget.NewCheck("Verify recomputes MD5 and SHA-1 too (slower)", nil)
	v.count = widget.NewLabel("")
	toolbar := container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(v.add, v.verifyAll), v.count),
		v.allHashes)

	v.verify = cv.action("Verify", theme.ConfirmIcon(), v.verifyOne)
	v.checkSource = cv.action("Check source…", theme.SearchIcon(), v.showSourceForm)
	v.extract = cv.action("Extract…", theme.DownloadIcon(), v.showExtractForm)
	v.bytes = cv.action("View bytes", theme.VisibilityIcon(), v.viewBytes)
	v.withdraw = cv.action("Withdraw…", theme.ContentRemoveIcon(), v.showWithdraw)
	v.reinstate = cv.action("Reinstate…", theme.ContentUndoIcon(), v.showReinstate)
	v.itemBar = container.NewHBox(v.verify, v.checkSource, v.extract, v.bytes, v.withdraw, v.reinstate)

	v.src = newListSource(evidenceColumns, func(ev *casefile.Evidence) any { return ev.ID })
	v.table = v.src.table(v.u, 2, 0)
	v.table.onSelect = func(key any) {
		id, _ := key.(uuid.UUID)
		v.selectItem(id)
	}
	v.details = newEvidenceDetails(v)
	split := container.NewVSplit(v.table.box,
		container.NewBorder(v.itemBar, nil, nil, nil, container.NewVScroll(container.NewPadded(v.details.root))))
	split.Offset = 0.38

	v.body = container.NewBorder(container.NewVBox(toolbar, v.loadProblem), nil, nil, nil, split)
	v.load(cv.oc.evidence)
	if len(v.items) > 0 {
		v.selectItem(v.items[len(v.items)-1].ID) // the newest item
	}
	v.root = container.NewBorder(heading(a.title()), nil, nil, nil, v.body)
	return v
}

func (v *evidenceView) content() fyne.CanvasObject { return v.root }

func (v *evidenceView) refresh(what factSet) {
	if what.has(factsEvidence) {
		v.load(v.cv.oc.evidence)
	} else {
		v.enable()
	}
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
	withdrawn := 0
	for i := range v.items {
		total += v.items[i].Meta.Size
		if !v.items[i].InForce() {
			withdrawn++
		}
	}
	count := plural(len(v.items), "item", "items") + " · " + humanSize(total)
	if withdrawn > 0 {
		count += fmt.Sprintf(" · %d withdrawn", withdrawn)
	}
	v.count.SetText(count)
	v.src.set(v.items)
	v.table.reload()
	v.selectItem(v.selectedID())
}

// selectedID is the chosen item's id, or uuid.Nil.
func (v *evidenceView) selectedID() uuid.UUID {
	id, _ := v.table.selected.(uuid.UUID)
	return id
}

// enable allows the actions the case and the chosen item take now, and
// says why the others are disabled. Recording a verification, an
// extraction or a view writes a custody entry, so a suspect case takes
// none of them.
func (v *evidenceView) enable() {
	why := v.cv.whyNoChange()
	v.add.allow(v.cv.whyNot(casefile.PermHandleEvidence))
	switch {
	case why != "":
		v.verifyAll.allow(why)
	case len(v.items) == 0:
		v.verifyAll.allow("the case has no evidence yet; add some first.")
	default:
		v.verifyAll.allow("")
	}
	ev := v.Selected()
	if why == "" && ev == nil {
		why = "choose an item in the table first."
	}
	for _, b := range []*actionButton{v.verify, v.checkSource, v.bytes} {
		b.allow(why)
	}
	v.extract.allow(orWhy(why, v.cv.notPermitted(casefile.PermExportEvidence)))
	for _, b := range []*actionButton{v.withdraw, v.reinstate} {
		b.allow(orWhy(why, v.cv.notPermitted(casefile.PermWithdrawEvidence)))
	}
	v.details.memory.enable(why)
	if ev == nil || ev.InForce() {
		v.reinstate.Hide()
		v.withdraw.Show()
	} else {
		v.withdraw.Hide()
		v.reinstate.Show()
	}
	v.itemBar.Refresh()
}

// selectItem shows item id in the details panel (uuid.Nil clears it) and
// marks its row.
func (v *evidenceView) selectItem(id uuid.UUID) {
	if v.src.find(id) == nil {
		id = uuid.Nil
	}
	if id == uuid.Nil {
		v.table.mark(nil)
	} else {
		v.table.mark(id)
	}
	v.details.show(v.Selected(), len(v.items))
	v.enable()
}

// showItem chooses item id and scrolls its row into view.
func (v *evidenceView) showItem(id uuid.UUID) {
	v.selectItem(id)
	v.table.scrollToChosen()
}

// Selected returns the chosen item, or nil.
func (v *evidenceView) Selected() *casefile.Evidence {
	return v.src.find(v.table.selected)
}

// evidenceDetails is the panel under the evidence table with everything
// recorded about one item, and the actions on it.
type evidenceDetails struct {
	v *evidenceView

	empty                                *widget.Label
	name                                 *widget.Label
	withdrawal                           *fyne.Container // the withdrawal banner, hidden while the item is in force
	withdrawalText                       *widget.Label
	warnings                             *fyne.Container // the warnings banner, hidden when there are none
	warningsText                         *widget.Label
	verdict                              *fyne.Container // the last verification, as a banner
	verdictTitle                         *widget.Label
	verdictNote                          *widget.Label
	verdictColour                        fyne.ThemeColorName // success, error, or "" before a verification
	id, kind, format                     *widget.Label
	description, size                    *widget.Label
	source, ingestedAt                   *widget.Label
	ingestedBy, timeZone                 *widget.Label
	host, tool, chunks                   *widget.Label
	md5, sha1, sha256                    *widget.Label
	copyMD5, copySHA1                    *widget.Button
	copySHA256                           *widget.Button
	acquisition, containers, derivedFrom *widget.Label
	memory                               *memoryPanel // the Memory view, shown for memory items
	sections                             *fyne.Container
	root                                 *fyne.Container
}

func newEvidenceDetails(v *evidenceView) *evidenceDetails {
	d := &evidenceDetails{v: v}
	d.empty = widget.NewLabel("")
	d.empty.Wrapping = fyne.TextWrapWord
	d.empty.TextStyle = fyne.TextStyle{Italic: true}

	d.name = subheading("")
	d.name.Wrapping = fyne.TextWrapBreak

	d.withdrawalText = widget.NewLabel("")
	d.withdrawalText.Wrapping = fyne.TextWrapWord
	withdrawnTitle := widget.NewLabelWithStyle("Withdrawn", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	withdrawnTitle.Importance = widget.WarningImportance
	d.withdrawal = container.NewStack(banner(theme.ColorNameWarning, container.NewVBox(
		container.NewHBox(widget.NewIcon(theme.NewWarningThemedResource(theme.ContentRemoveIcon())), withdrawnTitle),
		d.withdrawalText)))

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
	d.copyMD5 = copyButton(v.u, "Copy", func() string { return d.hashes().MD5 })
	d.copySHA1 = copyButton(v.u, "Copy", func() string { return d.hashes().SHA1 })
	d.copySHA256 = copyButton(v.u, "Copy", func() string { return d.hashes().SHA256 })
	d.acquisition, d.containers, d.derivedFrom = text(), mono(), mono()
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
			{"Derived from", d.derivedFrom},
			{"Container files", d.containers},
		},
	)
	d.memory = newMemoryPanel(v)
	d.sections = container.NewVBox(
		d.name, d.withdrawal, d.warnings, d.verdict, d.memory.root,
		section("Hashes recorded at ingest", grids[1]),
		section("Item", grids[0]),
		section("Provenance", grids[2]),
	)
	d.root = container.NewVBox(d.empty, d.sections)
	return d
}

// provenanceText says where a derived item was read from (parent item,
// volume, path, inode or MFT entry, byte runs in the parent), or that the
// item was acquired from its source, from the facts read with the items.
func (d *evidenceDetails) provenanceText(ev *casefile.Evidence) string {
	f := d.v.cv.oc.evidence
	if f.provErr != nil {
		return "The provenance could not be read: " + userMessage(f.provErr)
	}
	ps := f.provenance[ev.ID]
	if len(ps) == 0 {
		return "(acquired from its source, not derived)"
	}
	var b strings.Builder
	for _, p := range ps {
		parent := p.Parent.String()
		if pe := f.item(p.Parent); pe != nil {
			parent = shownLine(pe.Meta.Name) + " (" + p.Parent.String()[:8] + ")"
		}
		path := shown(p.Path)
		if p.Stream != "" {
			path += ":" + shown(p.Stream)
		}
		inode := fmt.Sprintf("inode %d", p.Inode)
		if p.FileSystem == "NTFS" {
			inode = fmt.Sprintf("MFT entry %d", p.Inode)
		}
		fmt.Fprintf(&b, "%s, volume %d (%s at byte %d)\n%s, %s", parent, p.Volume, shown(p.FileSystem), p.VolumeStart, path, inode)
		if p.Deleted {
			b.WriteString(", deleted")
		}
		n := len(p.Runs) + p.RunsOmitted
		fmt.Fprintf(&b, "\n%s in the parent", plural(n, "byte run", "byte runs"))
		for i, r := range p.Runs {
			if i == 8 {
				fmt.Fprintf(&b, "\n… %d more", n-8)
				break
			}
			if r.ImageOffset < 0 {
				fmt.Fprintf(&b, "\n%s at file byte %d: sparse", byteCount(r.Length), r.Offset)
				continue
			}
			fmt.Fprintf(&b, "\n%s at file byte %d: item byte %d", byteCount(r.Length), r.Offset, r.ImageOffset)
		}
	}
	return b.String()
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
		d.memory.show(nil)
		d.sections.Hide()
		relayout(d.root)
		return
	}
	d.empty.Hide()
	d.sections.Show()
	m := ev.Meta
	d.name.SetText(shownLine(m.Name))
	if w := ev.Withdrawal; w != nil {
		d.withdrawalText.SetText(fmt.Sprintf("%s: %s It stays sealed and listed, and is left out of reports and exports. "+
			"Reinstate… puts it back in force, with the reason.", attribution(w.Attribution), endSentence(sentence(shown(w.Reason)))))
		d.withdrawal.Show()
	} else {
		d.withdrawal.Hide()
	}
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
	d.memory.show(ev)
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
	d.derivedFrom.SetText(d.provenanceText(ev))
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
	note := fmt.Sprintf("%s by %s. %s", vr.At.UTC().Format(timeLayout), shown(vr.By), verifyDetail(vr.Detail))
	if !vr.OK {
		note += " " + sentence(casefile.Hint(casefile.ErrAuthFailed)) + "."
	}
	d.verdictNote.SetText(note)
	d.verdict.Objects = []fyne.CanvasObject{banner(d.verdictColour, container.NewBorder(nil, nil,
		container.NewVBox(widget.NewIcon(icon)), nil, container.NewVBox(d.verdictTitle, d.verdictNote)))}
	d.verdict.Refresh()
}

// verifyDetail is a verification's detail, worded by the core for a
// person, as a sentence: "Chunk 1 (bytes …): failed authentication (…)."
func verifyDetail(detail string) string {
	return endSentence(sentence(strings.TrimSpace(shown(detail))))
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
