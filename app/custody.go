package app

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// custodyArea is the Custody area: the custody ledger in a table that
// draws only the rows on screen, filters, the details of the chosen entry,
// and chain verification with its verdict. The examiners of the case have
// their own area (examiners.go).
type custodyArea struct{}

func (custodyArea) title() string            { return "Custody" }
func (custodyArea) icon() fyne.ThemeIconName { return theme.IconNameList }
func (custodyArea) fill() bool               { return true }

// custodyView is the Custody area on screen. The rows come from a slice
// read off the UI goroutine (readCustody); the table asks for the cells it
// shows, so a ledger of any length costs the same to draw.
type custodyView struct {
	u  *UI
	cv *caseView

	ledger *fyne.Container // the area, laid out again when the verdict changes

	entries []casefile.CustodyEntry // the whole ledger, in order
	src     *listSource[casefile.CustodyEntry]

	loadProblem *widget.Label // the ledger could not be read

	head      *widget.Hyperlink // "entry N · short hash"; shows that entry
	copyHead  *widget.Button    // copies "entry N <full hash>"
	verify    *widget.Button
	verifying *widget.Activity

	verdict       *fyne.Container // the verdict panel, or the last recorded verification
	verdictTitle  *widget.Label
	verdictNote   *widget.Label
	verdictColour fyne.ThemeColorName // success or error; "" before a verification
	problems      *widget.List        // every problem of the last verification
	lastRecorded  *widget.Label       // the newest ledger.verified entry, before a verification

	actorFilter, actionFilter *widget.Select
	targetFilter              *widget.Entry
	count                     *widget.Label
	table                     *dataTable
	details                   *entryDetails
}

// allFilter is the filter choice that lets every entry through.
const allFilter = "All"

// ledgerColumns are the columns of the ledger table.
var ledgerColumns = []listColumn[casefile.CustodyEntry]{
	{dataColumn{title: "Seq", width: 80}, func(e *casefile.CustodyEntry) dataCell {
		return dataCell{text: fmt.Sprint(e.Seq), end: true}
	}, func(a, b *casefile.CustodyEntry) int { return cmp.Compare(a.Seq, b.Seq) }},
	{dataColumn{title: "Time (UTC)", width: 220}, func(e *casefile.CustodyEntry) dataCell {
		return cell(e.Time.UTC().Format(timeLayout))
	}, func(a, b *casefile.CustodyEntry) int { return a.Time.Compare(b.Time) }},
	{dataColumn{title: "Actor", width: 180}, func(e *casefile.CustodyEntry) dataCell { return cell(e.Actor) }, nil},
	{dataColumn{title: "Role", width: 220}, func(e *casefile.CustodyEntry) dataCell { return cell(roleTitle(e.Role)) }, nil},
	{dataColumn{title: "Action", width: 220}, func(e *casefile.CustodyEntry) dataCell { return cell(string(e.Action)) }, nil},
	{dataColumn{title: "Target", width: 180}, func(e *casefile.CustodyEntry) dataCell {
		return dataCell{text: targetText(e.Target), full: strings.TrimSpace(e.Target.Type + " " + e.Target.ID)}
	}, nil},
	{dataColumn{title: "Reason", width: 280}, func(e *casefile.CustodyEntry) dataCell {
		return dataCell{text: oneLine(e.Reason), full: e.Reason}
	}, nil},
}

// roleTitle is a role's title, or "—" for an entry recorded without one.
func roleTitle(r casefile.Role) string {
	if r == "" {
		return notSet
	}
	return r.Title()
}

// targetText is a target's type and the start of its id: enough to tell
// targets apart in a table; the details panel shows the whole id.
func targetText(t casefile.Target) string {
	id := t.ID
	if len(id) > 8 {
		id = id[:8] + "…"
	}
	return strings.TrimSpace(t.Type + " " + id)
}

// oneLine puts a multi-line text on one line for a table cell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (a custodyArea) build(cv *caseView) areaView {
	v := &custodyView{u: cv.u, cv: cv}

	v.loadProblem = problemLabel()

	v.head = widget.NewHyperlink("", nil)
	v.head.OnTapped = v.showHeadEntry
	v.copyHead = copyButton(v.u, "Copy", func() string { return headCopyText(v.cv.oc.custody.headSeq, v.cv.oc.custody.head) })
	v.verify = widget.NewButtonWithIcon("Verify chain", theme.ConfirmIcon(), v.verifyChain)
	v.verify.Importance = widget.HighImportance
	v.verifying = widget.NewActivity()
	v.verifying.Hide()
	headRow := container.NewBorder(nil, nil,
		container.NewHBox(widget.NewLabelWithStyle("Custody head", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.head, v.copyHead),
		container.NewHBox(v.verifying, v.verify))

	v.verdict = container.NewVBox()
	v.verdictTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.verdictTitle.Wrapping = fyne.TextWrapWord
	v.verdictNote = widget.NewLabel("")
	v.verdictNote.Wrapping = fyne.TextWrapWord
	v.lastRecorded = widget.NewLabel("")
	v.lastRecorded.Wrapping = fyne.TextWrapWord
	v.problems = widget.NewList(
		func() int { return len(v.problemList()) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("Entry 0 — kind — detail")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(problemText(v.problemList()[i]))
		},
	)
	v.problems.OnSelected = func(i widget.ListItemID) {
		if ps := v.problemList(); i < len(ps) {
			v.showEntry(ps[i].Seq)
		}
	}

	v.actorFilter = widget.NewSelect([]string{allFilter}, func(string) { v.applyFilters() })
	v.actorFilter.Selected = allFilter
	v.actionFilter = widget.NewSelect([]string{allFilter}, func(string) { v.applyFilters() })
	v.actionFilter.Selected = allFilter
	v.targetFilter = widget.NewEntry()
	v.targetFilter.SetPlaceHolder("Type or id contains…")
	v.targetFilter.OnChanged = func(string) { v.applyFilters() }
	v.count = widget.NewLabel("")
	filterName := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	// Two rows of filters: one row would widen a window of 800 points.
	filters := container.NewVBox(
		container.NewHBox(
			filterName("Actor"), container.New(minSizeLayout{fyne.NewSize(150, 0)}, v.actorFilter),
			filterName("Action"), container.New(minSizeLayout{fyne.NewSize(170, 0)}, v.actionFilter)),
		container.NewBorder(nil, nil, filterName("Target"), v.count, v.targetFilter))

	v.src = newListSource(ledgerColumns, func(e *casefile.CustodyEntry) any { return e.Seq })
	v.src.keep = v.matches
	v.table = v.src.table(v.u, 3, 0)
	v.table.onSelect = func(key any) {
		seq, _ := key.(int64)
		v.details.show(v.entry(seq), v.problemsOf(seq))
	}
	v.details = newEntryDetails()
	split := container.NewVSplit(v.table.box, container.NewVScroll(v.details.root))
	split.Offset = 0.6

	v.ledger = container.NewBorder(
		container.NewVBox(heading(a.title()), headRow, v.verdict, v.loadProblem, filters),
		nil, nil, nil, split)

	v.load(cv.oc.custody)
	if cv.oc.verdict != nil {
		v.showVerdict(cv.oc.verdict)
	}
	// The head entry is chosen at first, so its full hash is in view. The
	// table is not laid out yet, so it is marked without scrolling to it.
	if n := len(v.entries); n > 0 && v.table.selected == nil {
		v.selectSeq(v.entries[n-1].Seq)
	}
	return v
}

func (v *custodyView) content() fyne.CanvasObject { return v.ledger }

func (v *custodyView) refresh(what factSet) {
	if what.has(factsCustody) {
		v.load(v.cv.oc.custody)
	}
}

// headCopyText is what Copy next to the head puts on the clipboard: the
// entry number and the full hash, as reports print them.
func headCopyText(seq int64, head casefile.Digest) string {
	if seq == 0 {
		return ""
	}
	return fmt.Sprintf("entry %d %s", seq, head)
}

// load shows a newly read custody record, keeping the filters and the
// chosen entry.
func (v *custodyView) load(f custodyFacts) {
	v.entries = f.entries
	var unreadable []string
	for _, e := range f.entries {
		if e.Unreadable != "" {
			unreadable = append(unreadable, fmt.Sprint(e.Seq))
		}
	}
	switch {
	case f.entriesErr != nil:
		setProblem(v.loadProblem, "The custody record could not be read: "+userMessage(f.entriesErr)+" "+hint(f.entriesErr)+
			" Verify chain still checks every entry and names the damaged ones.")
	case len(unreadable) > 0:
		what := "Entries " + strings.Join(unreadable, ", ") + " could not be read: they were"
		if len(unreadable) == 1 {
			what = "Entry " + unreadable[0] + " could not be read: it was"
		}
		setProblem(v.loadProblem, what+" changed or damaged outside Custodia. Verify chain still checks every entry and names the damaged ones.")
	default:
		setProblem(v.loadProblem, "")
	}
	relayout(v.ledger) // the problem shown or hidden changes the layout
	v.head.SetText(headText(f.headSeq, f.head))
	v.copyHead.Enable()
	if f.headSeq == 0 {
		v.copyHead.Disable()
	}
	v.setFilterOptions(f.examiners)
	v.src.set(f.entries)
	v.table.reload()
	v.showCount()
	v.details.show(v.entry(v.chosenSeq()), v.problemsOf(v.chosenSeq()))
	v.showLastRecorded()
}

// chosenSeq is the sequence number of the chosen entry, or 0.
func (v *custodyView) chosenSeq() int64 {
	seq, _ := v.table.selected.(int64)
	return seq
}

// setFilterOptions offers the examiners' names, and any other actor in the
// ledger, in the actor filter, and the actions present in the action filter.
func (v *custodyView) setFilterOptions(exs []casefile.Examiner) {
	actors := []string{allFilter}
	seen := map[string]bool{}
	for _, e := range exs {
		if !seen[e.Name] {
			seen[e.Name] = true
			actors = append(actors, e.Name)
		}
	}
	actions := map[string]bool{}
	for i := range v.entries {
		if a := v.entries[i].Actor; !seen[a] {
			seen[a] = true
			actors = append(actors, a)
		}
		actions[string(v.entries[i].Action)] = true
	}
	v.actorFilter.Options = actors
	if !slices.Contains(actors, v.actorFilter.Selected) {
		v.actorFilter.Selected = allFilter
	}
	v.actorFilter.Refresh()
	v.actionFilter.Options = append([]string{allFilter}, slices.Sorted(maps.Keys(actions))...)
	if !slices.Contains(v.actionFilter.Options, v.actionFilter.Selected) {
		v.actionFilter.Selected = allFilter
	}
	v.actionFilter.Refresh()
}

// matches reports whether entry e passes the filters.
func (v *custodyView) matches(e *casefile.CustodyEntry) bool {
	if a := v.actorFilter.Selected; a != allFilter && a != "" && e.Actor != a {
		return false
	}
	if a := v.actionFilter.Selected; a != allFilter && a != "" && string(e.Action) != a {
		return false
	}
	if q := strings.ToLower(strings.TrimSpace(v.targetFilter.Text)); q != "" {
		t := strings.ToLower(e.Target.Type + " " + e.Target.ID)
		if !strings.Contains(t, q) {
			return false
		}
	}
	return true
}

// applyFilters recomputes the rows on show and the count, keeping the
// chosen entry chosen when it still passes.
func (v *custodyView) applyFilters() {
	if v.src == nil {
		return // a filter fires while the area is built
	}
	v.src.filter()
	v.table.reload()
	v.showCount()
	v.details.show(v.entry(v.chosenSeq()), v.problemsOf(v.chosenSeq()))
}

// showCount says how many entries pass the filters.
func (v *custodyView) showCount() {
	v.count.SetText(fmt.Sprintf("%d of %s", v.src.count(), plural(len(v.entries), "entry", "entries")))
}

// entry returns the entry with sequence number seq, or nil.
func (v *custodyView) entry(seq int64) *casefile.CustodyEntry {
	// Entries are in order and usually numbered from 1 without gaps.
	if i := int(seq - 1); i >= 0 && i < len(v.entries) && v.entries[i].Seq == seq {
		return &v.entries[i]
	}
	for i := range v.entries {
		if v.entries[i].Seq == seq {
			return &v.entries[i]
		}
	}
	return nil
}

// selectSeq chooses entry seq (0 clears the choice) and shows it in the
// details panel.
func (v *custodyView) selectSeq(seq int64) {
	if seq == 0 {
		v.table.mark(nil)
	} else {
		v.table.mark(seq)
	}
	v.details.show(v.entry(seq), v.problemsOf(seq))
}

// showEntry chooses entry seq in the table, scrolled into view. Filters that
// hide it are cleared first.
func (v *custodyView) showEntry(seq int64) {
	if v.entry(seq) == nil {
		return
	}
	if v.src.rowOf(seq) < 0 {
		v.clearFilters()
	}
	v.selectSeq(seq)
	v.table.scrollToChosen()
}

// showHeadEntry chooses the last entry, whose hash is the head.
func (v *custodyView) showHeadEntry() {
	if n := len(v.entries); n > 0 {
		v.showEntry(v.entries[n-1].Seq)
	}
}

// clearFilters lets every entry through again.
func (v *custodyView) clearFilters() {
	v.actorFilter.Selected = allFilter
	v.actorFilter.Refresh()
	v.actionFilter.Selected = allFilter
	v.actionFilter.Refresh()
	v.targetFilter.SetText("") // applies the filters
	v.applyFilters()
}

// verdict is the result of the last chain verification in this window.
type verdict struct {
	report *casefile.LedgerReport
	entry  *casefile.CustodyEntry // the ledger.verified entry it appended; nil when none was (a failed chain)
	at     time.Time              // when it ran
	by     string                 // who ran it
}

// problemList returns the problems of the last verification.
func (v *custodyView) problemList() []*casefile.LedgerProblem {
	if vd := v.cv.oc.verdict; vd != nil {
		return vd.report.Problems
	}
	return nil
}

// problemsOf returns the problems the last verification found in entry seq.
func (v *custodyView) problemsOf(seq int64) []*casefile.LedgerProblem {
	var out []*casefile.LedgerProblem
	for _, p := range v.problemList() {
		if p.Seq == seq {
			out = append(out, p)
		}
	}
	return out
}

// problemText is one line of the problem list.
func problemText(p *casefile.LedgerProblem) string {
	return fmt.Sprintf("Entry %d — %s — %s", p.Seq, p.Kind, p.Detail)
}

// verifyChain verifies the whole ledger off the UI goroutine, shows the
// verdict and reloads the ledger, which ends with the verification when
// the chain is intact. A chain with problems is recorded nowhere: the
// case takes no more entries (the banner says so).
func (v *custodyView) verifyChain() {
	u, cv, oc := v.u, v.cv, v.cv.oc
	v.setVerifying(true)
	at, by := u.now(), oc.actor.Name
	u.runJob(func() func() {
		r, err := oc.c.VerifyLedger()
		return u.afterChange(cv, factsCustody, func() {
			v.setVerifying(false)
			if r != nil {
				vd := &verdict{report: r, at: at, by: by}
				if r.Recorded {
					es := oc.custody.entries
					for i := len(es) - 1; i >= 0; i-- {
						if es[i].Action == casefile.ActionLedgerVerified {
							vd.entry = &es[i]
							break
						}
					}
				}
				oc.verdict = vd
				if view := areaViewOf[*custodyView](u); view != nil {
					view.showVerdict(vd)
				}
			}
			if err != nil {
				u.showError("The custody record could not be verified", err, nil)
			}
		})
	})
}

// setVerifying shows or hides the busy state of Verify chain.
func (v *custodyView) setVerifying(on bool) {
	if on {
		v.verify.Disable()
		v.verify.SetText("Verifying…")
		v.verifying.Show()
		v.verifying.Start()
		return
	}
	v.verifying.Stop()
	v.verifying.Hide()
	v.verify.SetText("Verify chain")
	v.verify.Enable()
}

// showVerdict shows the result of a verification: green when the chain is
// intact, red with every problem otherwise.
func (v *custodyView) showVerdict(vd *verdict) {
	r := vd.report
	entries := plural(int(r.Entries), "entry", "entries")
	note := "Hash chain, signatures and sealed entries checked"
	if vd.entry != nil {
		note += fmt.Sprintf(" %s by %s (recorded as entry %d)", vd.entry.Time.UTC().Format(timeLayout), vd.entry.Actor, vd.entry.Seq)
	} else {
		note += fmt.Sprintf(" %s by %s", vd.at.UTC().Format(timeLayout), vd.by)
	}
	note += "."
	var panel fyne.CanvasObject
	if r.OK() {
		v.verdictTitle.SetText(fmt.Sprintf("Chain intact — %s, head %s", entries, r.Head.Short()))
		v.verdictNote.SetText(note)
		v.verdictColour = theme.ColorNameSuccess
		panel = banner(v.verdictColour, container.NewVBox(
			container.NewBorder(nil, nil, widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon())), nil, v.verdictTitle),
			v.verdictNote))
	} else {
		n := len(r.Problems)
		v.verdictTitle.SetText(fmt.Sprintf("%s — %s checked, head %s", plural(n, "problem", "problems"), entries, r.Head.Short()))
		v.verdictNote.SetText(note + " Nothing was recorded: the case takes no more entries. Choose a problem to see its " +
			"entry. Keep this copy of the case file unchanged, and compare the head with the one printed in the last report.")
		v.verdictColour = theme.ColorNameError
		rowHeight := v.problems.CreateItem().MinSize().Height + theme.SeparatorThicknessSize()
		v.problems.UnselectAll()
		v.problems.Refresh()
		panel = banner(v.verdictColour, container.NewVBox(
			container.NewBorder(nil, nil, widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon())), nil, v.verdictTitle),
			v.verdictNote,
			withHeight(float32(min(n, 4))*rowHeight, v.problems)))
	}
	v.verdict.Objects = []fyne.CanvasObject{panel}
	relayout(v.ledger) // the panel's height changes the table's
	v.details.show(v.entry(v.chosenSeq()), v.problemsOf(v.chosenSeq()))
}

// showLastRecorded says, until Verify chain runs in this window, what the
// newest ledger.verified entry recorded. It is history, not a verdict, so it
// is not coloured like one.
func (v *custodyView) showLastRecorded() {
	if v.cv.oc.verdict != nil {
		return
	}
	text, _ := lastVerification(v.entries, nil, nil)
	if text == "Never verified" {
		text = "The chain has never been verified."
	} else {
		text = "Last verification: " + text + "."
	}
	v.lastRecorded.SetText(text + " Verify chain checks every entry now.")
	v.verdict.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, v.lastRecorded)}
	relayout(v.ledger)
}

// entryDetails is the panel under the ledger table with everything about
// one entry.
type entryDetails struct {
	empty                                                *widget.Label
	seq, time, actor, role, action, target, reason       *widget.Label
	hashes, details, prevHash, hash, signature, signedBy *widget.Label
	problems                                             *widget.Label
	grid                                                 fyne.CanvasObject
	root                                                 *fyne.Container
}

func newEntryDetails() *entryDetails {
	d := &entryDetails{}
	d.empty = widget.NewLabel("Choose an entry to see its hashes, details and signature.")
	d.empty.TextStyle = fyne.TextStyle{Italic: true}
	text := func() *widget.Label {
		l := widget.NewLabel("")
		l.Selectable = true
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	hex := func() *widget.Label {
		l := text()
		l.TextStyle = fyne.TextStyle{Monospace: true}
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	d.seq, d.time, d.actor, d.role, d.action, d.target, d.reason = text(), text(), text(), text(), text(), text(), text()
	d.hashes, d.details = hex(), text()
	d.prevHash, d.hash, d.signature, d.signedBy = hex(), hex(), hex(), hex()
	d.problems = text()
	d.problems.Importance = widget.DangerImportance
	d.problems.TextStyle = fyne.TextStyle{Bold: true}
	d.grid = factGrids([]fact{
		{"Entry", d.seq},
		{"Time (UTC)", d.time},
		{"Actor", d.actor},
		{"Role", d.role},
		{"Action", d.action},
		{"Target", d.target},
		{"Reason", d.reason},
		{"Hashes", d.hashes},
		{"Details", d.details},
		{"Previous hash", d.prevHash},
		{"Entry hash", d.hash},
		{"Signature", d.signature},
		{"Signed with key", d.signedBy},
	})[0]
	d.root = container.NewVBox(d.empty, d.problems, d.grid)
	d.show(nil, nil)
	return d
}

// show fills the panel with e, or shows the prompt to choose an entry.
func (d *entryDetails) show(e *casefile.CustodyEntry, problems []*casefile.LedgerProblem) {
	if e == nil {
		d.empty.Show()
		d.problems.Hide()
		d.grid.Hide()
		relayout(d.root)
		return
	}
	d.empty.Hide()
	d.grid.Show()
	d.seq.SetText(fmt.Sprint(e.Seq))
	if len(problems) > 0 {
		lines := make([]string, len(problems))
		for i, p := range problems {
			lines[i] = fmt.Sprintf("%s — %s", p.Kind, p.Detail)
		}
		d.problems.SetText(strings.Join(lines, "\n"))
		d.problems.Show()
	} else {
		d.problems.SetText("")
		d.problems.Hide()
	}
	d.time.SetText(e.Time.UTC().Format(timeLayout))
	d.actor.SetText(fmt.Sprintf("%s (%s)", e.Actor, e.ActorID))
	d.role.SetText(roleTitle(e.Role))
	d.action.SetText(string(e.Action))
	d.target.SetText(strings.TrimSpace(e.Target.Type + " " + e.Target.ID))
	d.reason.SetText(orNotSet(e.Reason))
	d.hashes.SetText(mapLines(e.Hashes, ": "))
	d.details.SetText(mapLines(e.Details, " = "))
	d.prevHash.SetText(e.PrevHash.String())
	d.hash.SetText(e.Hash.String())
	d.signature.SetText(fmt.Sprintf("%x", e.Signature))
	d.signedBy.SetText(fmt.Sprintf("%x", e.ActorKey))
	relayout(d.root)
}

// mapLines writes a map as sorted "key<sep>value" lines.
func mapLines(m map[string]string, sep string) string {
	if len(m) == 0 {
		return notSet
	}
	lines := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		lines = append(lines, k+sep+m[k])
	}
	return strings.Join(lines, "\n")
}
