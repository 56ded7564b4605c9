package app

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/evidence/memory"
)

// The Memory view (issue 13): part of the evidence details of a memory
// item. "Read memory facts" describes the dump from its header (format,
// system, process, crash, ranges, threads, modules); "Find strings" scans
// the item for its ASCII and UTF-16LE strings with a filter, off the UI
// goroutine, with its progress and time left, the hits shown as they come
// in a paged table. Both read the item through the case, never from disk,
// and each reading is a custody entry (evidence.viewed, via "memory view").

// maxShownHits is how many strings the view holds: a filter narrows a
// scan of a large dump to what is wanted; custodiactl memory strings
// lists them all.
const maxShownHits = 200_000

// memoryPanel is the Memory section of the evidence details.
type memoryPanel struct {
	v  *evidenceView
	u  *UI
	ev *casefile.Evidence // the item on show; nil when it is no memory item

	root     *fyne.Container
	readFact *actionButton
	facts    *widget.Label
	warnings *widget.Label
	modSrc   *listSource[memory.Module]
	modules  *dataTable
	modBox   *fyne.Container

	filter    *widget.Entry
	encoding  *widget.Select
	minLen    *widget.Entry
	find      *actionButton
	cancel    *widget.Button
	bar       *widget.ProgressBar
	barText   *widget.Label
	scanning  *fyne.Container
	problem   *widget.Label
	count     *widget.Label
	hitSrc    *hitSource
	hits      *dataTable
	showBytes *actionButton      // the chosen string in the hex view
	gen       int                // what is on show; a newer item or scan makes older results stale
	stop      context.CancelFunc // cancels the running scan, nil when none
}

var moduleColumns = []listColumn[memory.Module]{
	{dataColumn: dataColumn{title: "Base", width: 160}, cell: func(m *memory.Module) dataCell {
		return dataCell{text: fmt.Sprintf("%#x", m.Base), mono: true}
	}},
	{dataColumn: dataColumn{title: "Size", width: 100}, cell: func(m *memory.Module) dataCell {
		return dataCell{text: strconv.FormatUint(m.Size, 10), end: true}
	}},
	{dataColumn: dataColumn{title: "Linked (UTC)", width: 170}, cell: func(m *memory.Module) dataCell {
		if m.Timestamp.IsZero() {
			return cell("—")
		}
		return cell(m.Timestamp.Format(timeLayout))
	}},
	{dataColumn: dataColumn{title: "Name", width: 600}, cell: func(m *memory.Module) dataCell { return cell(shownLine(m.Name)) }},
}

func newMemoryPanel(v *evidenceView) *memoryPanel {
	p := &memoryPanel{v: v, u: v.u}
	p.readFact = v.cv.action("Read memory facts", theme.InfoIcon(), p.readFacts)
	p.facts = widget.NewLabel("")
	p.facts.Wrapping = fyne.TextWrapWord
	p.facts.Selectable = true
	p.warnings = widget.NewLabel("")
	p.warnings.Wrapping = fyne.TextWrapWord
	p.warnings.Importance = widget.WarningImportance
	p.warnings.Hide()
	p.modSrc = newListSource(moduleColumns, nil)
	p.modules = p.modSrc.table(p.u, 1, 8)
	p.modBox = container.NewVBox(widget.NewLabelWithStyle("Modules", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.modules.box)
	p.modBox.Hide()

	p.filter = widget.NewEntry()
	p.filter.SetPlaceHolder("text the strings contain (any case); empty: all")
	p.filter.OnSubmitted = func(string) { p.findStrings() }
	p.encoding = widget.NewSelect([]string{"ASCII and UTF-16LE", "ASCII", "UTF-16LE"}, nil)
	p.encoding.SetSelectedIndex(0)
	p.minLen = widget.NewEntry()
	p.minLen.SetText(strconv.Itoa(memory.DefaultMinLength))
	p.minLen.OnSubmitted = func(string) { p.findStrings() }
	p.find = v.cv.action("Find strings", theme.SearchIcon(), p.findStrings)
	p.find.Importance = widget.HighImportance
	p.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), p.cancelScan)
	p.bar = widget.NewProgressBar()
	p.barText = widget.NewLabel("")
	p.scanning = container.NewBorder(nil, nil, nil, p.cancel, container.NewVBox(p.bar, p.barText))
	p.scanning.Hide()
	p.problem = problemLabel()
	p.count = widget.NewLabel("")
	p.count.Wrapping = fyne.TextWrapWord
	p.hitSrc = &hitSource{}
	p.hits = newDataTable(p.u, hitColumns, p.hitSrc, 3, 14).withDetails()
	p.hits.onSelect = func(any) { p.enable(p.v.cv.whyNoChange()) }
	p.showBytes = v.cv.action("Show bytes", theme.VisibilityIcon(), p.openBytes)

	form := container.NewBorder(nil, nil, widget.NewLabelWithStyle("Filter", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(p.encoding, widget.NewLabel("at least"), container.New(minSizeLayout{fyne.NewSize(60, 0)}, p.minLen),
			widget.NewLabel("characters"), p.find), p.filter)
	note := widget.NewLabel("Read from the sealed case, never from disk; every reading is recorded in the custody record.")
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance
	p.root = container.NewVBox(
		sectionWith("Memory", container.NewVBox(p.facts, p.warnings, p.modBox), p.readFact),
		sectionWith("Strings", container.NewVBox(form, p.problem, p.scanning, p.count, p.hits.box, note), p.showBytes),
	)
	p.root.Hide()
	return p
}

// show shows the panel for ev when it is a memory item, and hides it
// otherwise. Another item clears what was read and stops a running scan.
func (p *memoryPanel) show(ev *casefile.Evidence) {
	if ev == nil || ev.Meta.Kind != casefile.KindMemory {
		p.clear()
		p.ev = nil
		p.root.Hide()
		return
	}
	if p.ev == nil || p.ev.ID != ev.ID {
		p.clear()
		p.facts.SetText("Read memory facts recognises the dump by its header (LiME, ELF core, Windows minidump, crash dump, " +
			"hibernation file or raw memory) and shows what it says: ranges, process, threads, modules, streams, time.")
	}
	e := *ev
	p.ev = &e
	p.root.Show()
}

// clear forgets what was read and stops the scan.
func (p *memoryPanel) clear() {
	p.cancelScan()
	p.gen++
	p.facts.SetText("")
	p.warnings.Hide()
	p.modSrc.set(nil)
	p.modules.reload()
	p.modBox.Hide()
	p.hitSrc.set(nil)
	p.hits.reload()
	p.count.SetText("")
	setProblem(p.problem, "")
	p.scanning.Hide()
}

// enable allows reading the item when the case takes a custody entry
// (why is the evidence view's reason it does not, or "").
func (p *memoryPanel) enable(why string) {
	p.readFact.allow(why)
	if why == "" && p.stop != nil {
		why = "a scan is running: cancel it or wait for it to end."
	}
	p.find.allow(why)
	bytesWhy := p.v.cv.whyNoChange()
	if bytesWhy == "" && p.chosenHit() == nil {
		bytesWhy = "choose a string in the list first."
	}
	p.showBytes.allow(bytesWhy)
}

// chosenHit is the string chosen in the list, or nil.
func (p *memoryPanel) chosenHit() *memory.Hit {
	if r := p.hitSrc.rowOf(p.hits.selected); r >= 0 {
		return &p.hitSrc.hits[r]
	}
	return nil
}

// openBytes opens the hex view at the chosen string, its bytes selected
// (the view is recorded as the hex view records it).
func (p *memoryPanel) openBytes() {
	if h := p.chosenHit(); h != nil && p.ev != nil {
		p.u.openHexViewRange(*p.ev, h.Offset, h.End())
	}
}

// readFacts describes the item off the UI goroutine and records the
// reading.
func (p *memoryPanel) readFacts() {
	if p.ev == nil {
		return
	}
	id, c, gen, u, cv := p.ev.ID, p.v.cv.oc.c, p.gen, p.u, p.v.cv
	p.readFact.Disable()
	u.runJob(func() func() {
		var info *memory.Info
		err := memory.RecordRead(c, id, "memory view", "", map[string]string{"read": "header"})
		if err == nil {
			info, err = memory.DescribeItem(c, id)
		}
		return u.afterChange(cv, factsCustody, func() {
			if gen != p.gen {
				return
			}
			p.readFact.Enable()
			p.v.enable()
			if err != nil {
				u.showError("The memory dump could not be read", err, nil)
				return
			}
			p.showInfo(info)
		})
	})
}

// showInfo shows what the dump's header says.
func (p *memoryPanel) showInfo(in *memory.Info) {
	p.facts.SetText(memoryFactsText(in))
	if len(in.Warnings) > 0 {
		lines := make([]string, len(in.Warnings))
		for i, w := range in.Warnings {
			lines[i] = "• " + sentence(shown(w))
		}
		p.warnings.SetText("Partly read:\n" + strings.Join(lines, "\n"))
		p.warnings.Show()
	} else {
		p.warnings.Hide()
	}
	p.modSrc.set(in.Modules)
	p.modules.reload()
	if len(in.Modules) > 0 {
		p.modBox.Show()
	} else {
		p.modBox.Hide()
	}
	relayout(p.root)
}

// memoryFactsText is the facts of a dump as lines of text for a person.
func memoryFactsText(in *memory.Info) string {
	var b strings.Builder
	line := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\n", name, value)
		}
	}
	line("Format", fmt.Sprintf("%s — %s", in.Format, in.Description))
	if !in.Timestamp.IsZero() {
		line("Written (UTC)", in.Timestamp.Format(timeLayout))
	}
	if s := in.System; s != nil {
		var parts []string
		for _, x := range []string{s.Machine, s.Platform, s.OSVersion, shownLine(s.ServicePack)} {
			if x != "" {
				parts = append(parts, x)
			}
		}
		if s.Processors > 0 {
			parts = append(parts, plural(s.Processors, "processor", "processors"))
		}
		line("System", strings.Join(parts, ", "))
	}
	if pr := in.Process; pr != nil {
		text := fmt.Sprintf("pid %d", pr.PID)
		if pr.Name != "" {
			text = fmt.Sprintf("%s (pid %d, parent %d, uid %d), arguments %q", shownLine(pr.Name), pr.PID, pr.PPID, pr.UID, shownLine(pr.Args))
		}
		if !pr.CreateTime.IsZero() {
			text += ", started " + pr.CreateTime.Format(timeLayout)
		}
		line("Process", text)
	}
	if c := in.Crash; c != nil {
		line("Dump type", c.DumpType)
		line("Bug check", fmt.Sprintf("%#08x (%#x, %#x, %#x, %#x)", c.BugCheckCode, c.BugCheckParams[0], c.BugCheckParams[1], c.BugCheckParams[2], c.BugCheckParams[3]))
		line("Comment", shownLine(c.Comment))
	}
	if n := len(in.Ranges); n > 0 {
		var total uint64
		for _, r := range in.Ranges {
			total += r.Size
		}
		first, last := in.Ranges[0], in.Ranges[n-1]
		line("Memory", fmt.Sprintf("%s, %s in the file, from %#x to %#x", plural(n, "range", "ranges"), humanSize(int64(min(total, 1<<62))), first.Start, last.End))
	}
	if n := len(in.Threads); n > 0 {
		ids := make([]string, 0, min(n, 8))
		for _, t := range in.Threads[:min(n, 8)] {
			ids = append(ids, strconv.FormatInt(t.ID, 10))
		}
		more := ""
		if n > 8 {
			more = ", …"
		}
		line("Threads", fmt.Sprintf("%d (%s%s)", n, strings.Join(ids, ", "), more))
	}
	if n := len(in.MappedFiles); n > 0 {
		line("Mapped files", strconv.Itoa(n))
	}
	if n := len(in.Streams); n > 0 {
		names := make([]string, len(in.Streams))
		for i, s := range in.Streams {
			names[i] = s.Name
		}
		line("Streams", strings.Join(names, ", "))
	}
	if n := len(in.Notes); n > 0 {
		line("Notes", strconv.Itoa(n))
	}
	return strings.TrimRight(b.String(), "\n")
}

// stringsOptions reads the form; problem says what is wrong with it.
func (p *memoryPanel) stringsOptions() (opt memory.StringsOptions, problem string) {
	n, err := strconv.Atoi(strings.TrimSpace(p.minLen.Text))
	if err != nil || n < 1 || n > 1024 {
		return opt, "The least number of characters is a whole number from 1 to 1024."
	}
	opt.Min = n
	opt.Encoding = []memory.Encoding{memory.Both, memory.ASCII, memory.UTF16LE}[max(p.encoding.SelectedIndex(), 0)]
	opt.MaxText = 4096
	return opt, ""
}

// findStrings scans the item for strings off the UI goroutine, showing the
// hits that contain the filter as they are found, with the progress and
// the time left.
func (p *memoryPanel) findStrings() {
	if p.ev == nil || p.stop != nil {
		return
	}
	opt, problem := p.stringsOptions()
	setProblem(p.problem, problem)
	if problem != "" {
		relayout(p.root)
		return
	}
	want := strings.ToLower(p.filter.Text)
	p.gen++
	gen, u, c, cv := p.gen, p.u, p.v.cv.oc.c, p.v.cv
	id, size := p.ev.ID, p.ev.Meta.Size
	ctx, stop := context.WithCancel(context.Background())
	p.stop = stop
	p.hitSrc.set(nil)
	p.hits.reload()
	p.count.SetText("Scanning…")
	p.bar.SetValue(0)
	p.barText.SetText("")
	p.scanning.Show()
	p.v.enable()
	relayout(p.root)

	found := &hitBuffer{}
	var status struct {
		sync.Mutex
		s      evidence.Status
		queued bool
	}
	show := func() {
		status.Lock()
		s := status.s
		status.queued = false
		status.Unlock()
		if gen != p.gen {
			return
		}
		hits := found.snapshot()
		p.hitSrc.set(hits)
		p.hits.reload()
		p.count.SetText(hitCountText(len(hits), false, ""))
		if s.Total > 0 {
			p.bar.SetValue(float64(s.Done) / float64(s.Total))
		}
		p.barText.SetText(statusText(s))
	}
	prog := evidence.ProgressFunc(func(s evidence.Status) {
		status.Lock()
		status.s = s
		queue := !status.queued
		status.queued = true
		status.Unlock()
		if queue {
			u.do(show)
		}
	})
	u.runJob(func() func() {
		err := memory.RecordRead(c, id, "memory view", "", map[string]string{"read": "strings",
			"min": strconv.Itoa(opt.Min), "encoding": opt.Encoding.String(), "filter": want})
		full := false
		if err == nil {
			err = memory.ItemStrings(ctx, c, id, opt, prog, func(h memory.Hit) error {
				if want != "" && !strings.Contains(strings.ToLower(h.Text), want) {
					return nil
				}
				if !found.add(h) {
					full = true
					return errHitsFull
				}
				return nil
			})
		}
		if err == errHitsFull {
			err = nil
		}
		cancelled := ctx.Err() != nil && !full
		stop()
		return u.afterChange(cv, factsCustody, func() {
			if gen != p.gen {
				return
			}
			p.stop = nil
			p.scanning.Hide()
			p.v.enable()
			hits := found.snapshot()
			p.hitSrc.set(hits)
			p.hits.reload()
			switch {
			case cancelled:
				p.count.SetText(hitCountText(len(hits), false, "Cancelled: "))
			case err != nil:
				p.count.SetText("")
				u.showError("The strings could not be read", err, nil)
			default:
				text := hitCountText(len(hits), full, "")
				if !full {
					text += " in " + byteCount(size)
				}
				p.count.SetText(text)
			}
			relayout(p.root)
		})
	})
}

// cancelScan stops the running scan; what it found stays on show.
func (p *memoryPanel) cancelScan() {
	if p.stop != nil {
		p.stop()
	}
}

var errHitsFull = fmt.Errorf("memory view: %d strings found", maxShownHits)

func hitCountText(n int, full bool, prefix string) string {
	if full {
		return fmt.Sprintf("%sthe first %s are shown: the scan stopped there. Narrow the filter, or list them all with "+
			"custodiactl memory strings.", prefix, plural(n, "string", "strings"))
	}
	return prefix + plural(n, "string", "strings") + " found"
}

// hitBuffer collects hits on the scanning goroutine for the UI to show.
type hitBuffer struct {
	mu   sync.Mutex
	hits []memory.Hit
}

// add appends h; false when the view holds as many as it shows.
func (b *hitBuffer) add(h memory.Hit) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.hits) >= maxShownHits {
		return false
	}
	b.hits = append(b.hits, h)
	return true
}

// snapshot is the hits found so far; the slice is never written again
// below its length.
func (b *hitBuffer) snapshot() []memory.Hit {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hits[:len(b.hits):len(b.hits)]
}

var hitColumns = []dataColumn{
	{title: "Offset", width: 120, noSort: true},
	{title: "Encoding", width: 90, noSort: true},
	{title: "Text", width: 800, noSort: true},
}

// hitSource is the tableSource of the strings found, in offset order.
type hitSource struct{ hits []memory.Hit }

func (s *hitSource) set(h []memory.Hit) { s.hits = h }
func (s *hitSource) count() int         { return len(s.hits) }
func (s *hitSource) sortBy(int, bool) bool {
	return false // in offset order, as found
}

func (s *hitSource) rows(from, to int) []tableRow {
	from, to = max(from, 0), min(to, len(s.hits))
	out := make([]tableRow, 0, max(to-from, 0))
	for _, h := range s.hits[from:max(from, to)] {
		text := shownLine(h.Text)
		if h.Truncated {
			text += fmt.Sprintf(" … (%d characters)", h.Chars())
		}
		out = append(out, tableRow{key: hitKey{h.Offset, h.Encoding}, cells: []dataCell{
			{text: strconv.FormatInt(h.Offset, 10), full: fmt.Sprintf("%d (%#x)", h.Offset, h.Offset), mono: true, end: true},
			cell(h.Encoding.String()),
			{text: text, mono: true},
		}})
	}
	return out
}

func (s *hitSource) rowOf(key any) int {
	k, ok := key.(hitKey)
	if !ok {
		return -1
	}
	i := sort.Search(len(s.hits), func(i int) bool { return s.hits[i].Offset >= k.off })
	for ; i < len(s.hits) && s.hits[i].Offset == k.off; i++ {
		if s.hits[i].Encoding == k.enc {
			return i
		}
	}
	return -1
}

// hitKey identifies a string found: its offset and encoding.
type hitKey struct {
	off int64
	enc memory.Encoding
}
