package app

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// The hex view shows an item's bytes, 16 to a row: the offset, the bytes in
// hex and the same bytes as ASCII. An item of many GiB has hundreds of
// millions of rows, so nothing is laid out per row: the grid (hexgrid.go)
// draws only the rows that fit on screen, and scrolls in whole rows counted
// in int64 — a scroll container's float32 pixel offsets lose single rows
// past about 16 million pixels (some 700,000 rows).
//
// Bytes come from the case through a small cache of 64 KiB pages on top of
// casefile's EvidenceReader, whose own cache holds the last 1 MiB chunk it
// authenticated. A page that is not cached is read off the UI goroutine and
// the rows wait for it ("…"); scrolling within cached pages never touches
// the case. A page whose chunk fails authentication shows its rows as
// "read error" and names the chunk in a banner.

// byteSource is what the hex view reads: an item's original bytes.
// *casefile.EvidenceReader is one; tests wrap it to count reads.
type byteSource interface {
	io.ReaderAt
	Size() int64
}

const (
	hexRowBytes  = 16
	hexPageSize  = 64 << 10 // a whole number of rows
	hexPagesKept = 16       // 1 MiB of pages: a chunk's worth
)

// hexPage is one cached page: its bytes, or why they could not be read.
type hexPage struct {
	data []byte
	err  error
	used uint64 // when it was last used, for eviction
}

// hexView is a window showing the bytes of one item.
type hexView struct {
	u   *UI
	ev  casefile.Evidence
	src byteSource

	size, rows int64

	win         fyne.Window
	grid        *hexGrid
	bar         *rowScrollbar
	gotoEntry   *widget.Entry
	gotoBtn     *widget.Button
	gotoProblem *widget.Label
	errBanner   *fyne.Container // hidden until a read fails
	errText     *widget.Label
	status      *widget.Label
	inspector   *hexInspector
	top         *fyne.Container

	// Selecting a byte range and making a finding of it.
	markStart, markEnd, clearSel *widget.Button
	newFinding                   *widget.Button
	selText                      *widget.Label // the selected range, or how to select one

	// The page cache; touched on the UI goroutine only.
	pages   map[int64]*hexPage
	loading map[int64]bool
	tick    uint64
	readErr error // the first failed read, named in the banner

	// The pages on screen, for loaders to skip pages scrolled away from.
	wantLo, wantHi atomic.Int64
	closed         atomic.Bool
}

// openHexView records that the examiner views item ev's bytes and opens
// the hex view. The custody entry is written first, off the UI goroutine:
// no bytes are shown unless the view is on record. If ev's hex view is
// already open it is brought to the front instead. at, unless negative, is
// the offset the cursor starts on.
func (u *UI) openHexView(ev casefile.Evidence, at int64) {
	u.openHexViewRange(ev, at, -1)
}

// openHexViewRange is openHexView with the bytes [at, end) selected when
// end > at (a finding's location); an open view moves to them.
func (u *UI) openHexViewRange(ev casefile.Evidence, at, end int64) {
	cv := u.cv
	if cv == nil {
		return
	}
	for _, h := range u.hexViews {
		if h.ev.ID == ev.ID {
			if at >= 0 {
				h.GoTo(at)
			}
			if end > at && at >= 0 {
				h.grid.setSelection(at, end)
			}
			h.win.RequestFocus()
			return
		}
	}
	oc := cv.oc
	u.runJob(func() func() {
		r, err := oc.c.OpenEvidence(ev.ID)
		if err == nil {
			_, err = oc.c.Record(casefile.Event{
				Action:  casefile.ActionEvidenceViewed,
				Target:  casefile.Target{Type: casefile.TargetEvidence, ID: ev.ID.String()},
				Details: map[string]string{"via": "hex view"},
			})
		}
		return u.afterChange(cv, factsCustody, func() {
			switch {
			case err != nil:
				u.showError("The bytes could not be shown", err, nil)
			case u.cv == cv:
				h := u.showHexView(r.Evidence(), r)
				if at >= 0 {
					h.gotoEntry.SetText(fmt.Sprintf("0x%x", at))
					h.GoTo(at)
				}
				if end > at && at >= 0 {
					h.grid.setSelection(at, end)
				}
			}
		})
	})
}

// showHexView opens a window with the hex view of ev, reading from src.
func (u *UI) showHexView(ev casefile.Evidence, src byteSource) *hexView {
	h := &hexView{u: u, ev: ev, src: src, size: src.Size(), pages: map[int64]*hexPage{}, loading: map[int64]bool{}}
	h.rows = (h.size + hexRowBytes - 1) / hexRowBytes
	h.wantLo.Store(0)
	h.wantHi.Store(0)

	h.grid = newHexGrid(h)
	h.bar = newRowScrollbar(h.grid)
	h.grid.onMoved = h.moved

	name := subheading(shownLine(ev.Meta.Name))
	name.Truncation = fyne.TextTruncateEllipsis
	facts := widget.NewLabel(fmt.Sprintf("%s · %s · SHA-256 %s", kindTitle(ev.Meta.Kind), byteCount(h.size),
		shortHash(ev.Meta.Hashes.SHA256)))
	facts.Truncation = fyne.TextTruncateEllipsis

	h.gotoEntry = widget.NewEntry()
	h.gotoEntry.SetPlaceHolder("0x100010 or 1048592")
	h.gotoEntry.OnSubmitted = func(string) { h.goToTyped() }
	h.gotoEntry.OnChanged = func(string) { setProblem(h.gotoProblem, ""); h.relayout() }
	h.gotoBtn = widget.NewButtonWithIcon("Go", theme.NavigateNextIcon(), h.goToTyped)
	h.gotoProblem = problemLabel()
	gotoRow := container.NewBorder(nil, nil,
		widget.NewLabelWithStyle("Go to offset", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		h.gotoBtn, container.New(minSizeLayout{fyne.NewSize(220, 0)}, h.gotoEntry))

	h.errText = widget.NewLabel("")
	h.errText.Wrapping = fyne.TextWrapWord
	h.errBanner = container.NewStack(banner(theme.ColorNameError, container.NewBorder(nil, nil,
		container.NewVBox(widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon()))), nil, h.errText)))
	h.errBanner.Hide()

	h.status = widget.NewLabel("")
	h.status.Truncation = fyne.TextTruncateEllipsis
	h.inspector = newHexInspector(h)
	h.markStart = widget.NewButtonWithIcon("Mark start", theme.NavigateBackIcon(), h.MarkStart)
	h.markEnd = widget.NewButtonWithIcon("Mark end", theme.NavigateNextIcon(), h.MarkEnd)
	h.clearSel = widget.NewButton("Clear", func() { h.grid.setSelection(0, 0) })
	h.newFinding = widget.NewButtonWithIcon("New finding from selection…", theme.DocumentCreateIcon(), h.findingFromSelection)
	h.newFinding.Importance = widget.HighImportance
	h.selText = widget.NewLabel("")
	h.selText.Wrapping = fyne.TextWrapWord
	selection := container.NewVBox(subheading("Selection"), h.selText,
		container.NewHBox(h.markStart, h.markEnd, h.clearSel), h.newFinding, widget.NewSeparator())

	h.top = container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewCenter(gotoRow), container.NewVBox(name, facts)),
		h.gotoProblem, h.errBanner)
	body := container.NewBorder(nil, nil, nil, h.bar, h.grid)
	note := widget.NewLabel("Read from the sealed case: every 1 MiB chunk is authenticated as it is read. " +
		"This view is recorded in the custody record.")
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance
	side := container.NewBorder(selection, note, nil, nil, container.NewVScroll(h.inspector.root))
	root := container.NewBorder(
		container.NewVBox(container.NewPadded(h.top), widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), container.NewPadded(h.status)),
		nil,
		container.NewPadded(container.New(minSizeLayout{fyne.NewSize(340, 0)}, side)),
		container.NewPadded(body))

	h.win = u.app.NewWindow("Bytes of " + shownLine(ev.Meta.Name) + " — Custodia")
	h.win.SetContent(root)
	h.win.Resize(fyne.NewSize(1100, 720))
	h.win.SetOnClosed(func() { h.forget() })
	u.hexViews = append(u.hexViews, h)
	h.win.Show()
	h.moved()
	h.win.Canvas().Focus(h.grid)
	return h
}

// forget marks the view closed and drops it from the UI's list.
func (h *hexView) forget() {
	h.closed.Store(true)
	for i, o := range h.u.hexViews {
		if o == h {
			h.u.hexViews = append(h.u.hexViews[:i], h.u.hexViews[i+1:]...)
			break
		}
	}
}

// Close closes the view's window.
func (h *hexView) Close() {
	if !h.closed.Load() {
		h.forget()
		h.win.Close()
	}
}

// closeHexViews closes every hex view; the case is about to close.
func (u *UI) closeHexViews() {
	for _, h := range append([]*hexView(nil), u.hexViews...) {
		h.Close()
	}
}

func (h *hexView) relayout() { relayout(h.top) }

// Rows returns the number of rows: one per 16 bytes.
func (h *hexView) Rows() int64 { return h.rows }

// Selection returns the byte range the examiner has chosen, [start, end),
// and whether there is one: the selected range, or else the byte under the
// cursor.
func (h *hexView) Selection() (start, end int64, ok bool) {
	if s, e, ok := h.grid.selection(); ok {
		return s, e, true
	}
	c := h.grid.cursor
	if c < 0 || c >= h.size {
		return 0, 0, false
	}
	return c, c + 1, true
}

// MarkStart makes the byte at the cursor the first of the selection.
func (h *hexView) MarkStart() {
	g := h.grid
	c := g.cursor
	if c < 0 {
		return
	}
	end := g.selEnd
	if end <= c {
		end = c + 1
	}
	g.anchor = c
	g.setSelection(c, end)
	h.win.Canvas().Focus(g)
}

// MarkEnd makes the byte at the cursor the last of the selection.
func (h *hexView) MarkEnd() {
	g := h.grid
	c := g.cursor
	if c < 0 {
		return
	}
	start, _, ok := g.selection()
	if !ok || start > c {
		start = c
	}
	g.setSelection(start, c+1)
	h.win.Canvas().Focus(g)
}

// findingFromSelection opens the finding editor in the main window,
// prefilled with this item and the selected range, and with the selected
// bytes (the first 256, where they are read already) as a hex dump in the
// description.
func (h *hexView) findingFromSelection() {
	start, end, ok := h.Selection()
	if !ok || h.u.cv == nil {
		return
	}
	h.u.win.RequestFocus()
	if h.u.cv.oc.incident.inc.Stage == incident.StageClose {
		h.u.showError("No finding can be added", fmt.Errorf("%w: reopen it (with the reason) before adding findings",
			incident.ErrIncidentClosed), nil)
		return
	}
	loc := incident.EvidenceLocation{Evidence: h.ev.ID, Start: start, End: end}
	desc := fmt.Sprintf("Bytes 0x%x–0x%x of %s (%s):\n\n", start, end-1, "`"+strings.ReplaceAll(shownLine(h.ev.Meta.Name), "`", "'")+"`",
		byteCount(end-start))
	if dump := h.hexDump(start, min(end, start+256)); dump != "" {
		desc += "```\n" + dump + "\n```\n"
	}
	h.u.showFindingEditor(nil, &findingDraft{location: loc, description: desc})
}

// hexDump writes the cached bytes [start, end) as hex-view rows, or ""
// when they are not all cached.
func (h *hexView) hexDump(start, end int64) string {
	b := h.bytesAt(start, int(end-start))
	if int64(len(b)) != end-start {
		return ""
	}
	var rows []string
	for off := start; off < end; off += hexRowBytes {
		chunk := b[off-start : min(off-start+hexRowBytes, int64(len(b)))]
		hx, ascii := formatHexRow(chunk)
		rows = append(rows, strings.TrimRight(fmt.Sprintf("%012x  %s  %s", off, hx, ascii), " "))
	}
	return strings.Join(rows, "\n")
}

// hexRow is what one row shows.
type hexRow struct {
	offset, hex, ascii string
	state              rowState
}

type rowState int

const (
	rowOK      rowState = iota
	rowLoading          // its page is being read
	rowError            // its page could not be read; hex holds the error
)

// row returns what row r shows, asking for its page when it is not cached.
func (h *hexView) row(r int64) hexRow {
	off := r * hexRowBytes
	out := hexRow{offset: fmt.Sprintf("%012x", off)}
	p := h.page(off / hexPageSize)
	switch {
	case p == nil:
		out.state = rowLoading
		out.hex = "…"
	case p.err != nil && int64(len(p.data)) <= off%hexPageSize:
		out.state = rowError
		out.hex = "read error: " + readErrorText(p.err)
	default:
		start := off % hexPageSize
		end := min(start+hexRowBytes, int64(len(p.data)))
		out.hex, out.ascii = formatHexRow(p.data[start:end])
	}
	return out
}

// RowText returns row r as one line, "offset  hex  ascii", as it is on
// screen (for tests and for copying).
func (h *hexView) RowText(r int64) string {
	row := h.row(r)
	return strings.TrimRight(row.offset+"  "+row.hex+"  "+row.ascii, " ")
}

// formatHexRow writes up to 16 bytes as hex pairs, with a wider gap after
// the eighth, padded to the full width, and as ASCII: printable characters
// as they are, everything else as '.'.
func formatHexRow(b []byte) (hex, ascii string) {
	var hb, ab strings.Builder
	const digits = "0123456789abcdef"
	for i := range hexRowBytes {
		if i > 0 {
			hb.WriteByte(' ')
			if i == 8 {
				hb.WriteByte(' ')
			}
		}
		if i < len(b) {
			hb.WriteByte(digits[b[i]>>4])
			hb.WriteByte(digits[b[i]&0xf])
			ab.WriteByte(printable(b[i]))
		} else {
			hb.WriteString("  ")
		}
	}
	return hb.String(), ab.String()
}

// printable returns c when it is printable ASCII, else '.'.
func printable(c byte) byte {
	if c >= 0x20 && c < 0x7f {
		return c
	}
	return '.'
}

// readErrorText is a read error for a row: the chunk and what is wrong
// with it, without the item's UUID, which the window title already names.
func readErrorText(err error) string {
	var ce *casefile.ChunkError
	if errors.As(err, &ce) {
		return fmt.Sprintf("chunk %d %s", ce.Index, ce.Reason)
	}
	return strings.TrimSuffix(userMessage(err), ".")
}

// page returns cached page idx, or nil after asking for it to be read.
func (h *hexView) page(idx int64) *hexPage {
	if p, ok := h.pages[idx]; ok {
		h.tick++
		p.used = h.tick
		return p
	}
	h.request(idx)
	return nil
}

// request reads page idx off the UI goroutine, unless it is being read.
func (h *hexView) request(idx int64) {
	if h.loading[idx] || idx < 0 || idx*hexPageSize >= h.size {
		return
	}
	h.loading[idx] = true
	src, size := h.src, h.size
	h.u.runJob(func() func() {
		// Skip a page scrolled away from while it waited; it is asked
		// for again if it comes back on screen.
		if h.closed.Load() || idx < h.wantLo.Load()-1 || idx > h.wantHi.Load()+1 {
			return func() {
				delete(h.loading, idx)
				if !h.closed.Load() {
					h.grid.Refresh()
				}
			}
		}
		off := idx * hexPageSize
		buf := make([]byte, min(hexPageSize, size-off))
		n, err := src.ReadAt(buf, off)
		if n == len(buf) && errors.Is(err, io.EOF) {
			err = nil
		}
		return func() {
			delete(h.loading, idx)
			if h.closed.Load() {
				return
			}
			h.store(idx, &hexPage{data: buf[:n], err: err})
		}
	})
}

// store caches a page just read, evicting the least recently used pages,
// and shows it.
func (h *hexView) store(idx int64, p *hexPage) {
	h.tick++
	p.used = h.tick
	h.pages[idx] = p
	for len(h.pages) > hexPagesKept {
		oldest, at := int64(-1), ^uint64(0)
		for i, q := range h.pages {
			if q.used < at {
				oldest, at = i, q.used
			}
		}
		delete(h.pages, oldest)
	}
	if p.err != nil && h.readErr == nil {
		h.readErr = p.err
		h.showReadError(p.err)
	}
	h.grid.Refresh()
	h.moved()
}

// showReadError names the failed chunk in the banner over the rows.
func (h *hexView) showReadError(err error) {
	what := "Some bytes could not be read: " + userMessage(err)
	var ce *casefile.ChunkError
	if errors.As(err, &ce) {
		from := ce.Index * int64(h.ev.ChunkSize)
		to := min(from+int64(h.ev.ChunkSize), h.size) - 1
		what = fmt.Sprintf("Chunk %d (offsets 0x%x–0x%x) could not be read: %s. Its rows show the error; "+
			"the rest of the item reads normally.", ce.Index, from, to, ce.Reason)
	}
	h.errText.SetText(what + " " + hint(err))
	h.errBanner.Show()
	h.relayout()
}

// moved updates what depends on the rows on screen and the cursor: the
// scrollbar, the status line and the inspector.
func (h *hexView) moved() {
	h.bar.Refresh()
	h.status.SetText(h.statusText())
	h.inspector.show()
	h.showSelection()
}

// showSelection says what is selected, and allows what needs a
// selection.
func (h *hexView) showSelection() {
	if h.selText == nil {
		return // not built yet
	}
	if a, b, ok := h.grid.selection(); ok {
		h.selText.SetText(fmt.Sprintf("0x%x–0x%x · %s", a, b-1, byteCount(b-a)))
		h.clearSel.Enable()
	} else {
		h.selText.SetText("None: shift-click a byte, or Mark start and Mark end at the cursor. " +
			"Without a selection, a finding points at the byte under the cursor.")
		h.clearSel.Disable()
	}
	if _, _, ok := h.Selection(); ok {
		h.newFinding.Enable()
		h.markStart.Enable()
		h.markEnd.Enable()
	} else {
		h.newFinding.Disable()
		h.markStart.Disable()
		h.markEnd.Disable()
	}
}

// want notes the pages of the rows on screen, from row top, before they
// are asked for: a loader skips a page no longer among them.
func (h *hexView) want(top int64, visible int) {
	last := min(top+int64(max(visible, 1)), h.rows) - 1
	h.wantLo.Store(top * hexRowBytes / hexPageSize)
	h.wantHi.Store(max(last, 0) * hexRowBytes / hexPageSize)
}

// statusText is the line under the rows.
func (h *hexView) statusText() string {
	if h.rows == 0 {
		return "The item is empty (0 bytes)."
	}
	g := h.grid
	last := min(g.top+int64(max(g.visible, 1)), h.rows)
	s := fmt.Sprintf("Rows %s–%s of %s", groupDigits(g.top+1), groupDigits(last), groupDigits(h.rows))
	if c := g.cursor; c >= 0 {
		s += fmt.Sprintf(" · cursor at 0x%x (%s), row 0x%x", c, groupDigits(c), c/hexRowBytes)
		if cs := int64(h.ev.ChunkSize); cs > 0 {
			s += fmt.Sprintf(", chunk %d", c/cs)
		}
	}
	return s
}

// goToTyped moves to the offset typed in the go-to entry, or says under it
// why it cannot.
func (h *hexView) goToTyped() {
	off, problem := parseOffset(h.gotoEntry.Text, h.size)
	setProblem(h.gotoProblem, problem)
	h.relayout()
	if problem != "" {
		return
	}
	h.GoTo(off)
	h.win.Canvas().Focus(h.grid)
}

// GoTo puts the cursor on byte off, highlights its row and scrolls it into
// view.
func (h *hexView) GoTo(off int64) {
	h.grid.setCursor(off, true)
}

// parseOffset reads an offset typed by a person: decimal, or hexadecimal
// with 0x; a leading zero does not mean octal. It must lie in an item of
// size bytes. When it cannot be used, problem says why, as a sentence for
// the form.
func parseOffset(s string, size int64) (off int64, problem string) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	if t == "" {
		return 0, "Type an offset: decimal (1048592) or hexadecimal with 0x (0x100010)."
	}
	var err error
	if h, ok := strings.CutPrefix(strings.ToLower(t), "0x"); ok {
		off, err = strconv.ParseInt(h, 16, 64)
	} else {
		off, err = strconv.ParseInt(t, 10, 64)
	}
	switch {
	case err != nil || off < 0:
		return 0, fmt.Sprintf("%q is not an offset: type it in decimal (1048592) or in hexadecimal with 0x (0x100010).", strings.TrimSpace(s))
	case size == 0:
		return 0, "The item is empty: it has no offsets."
	case off >= size:
		return 0, fmt.Sprintf("Offset 0x%x (%s) is past the end of the item: the last byte is at 0x%x (%s).",
			off, groupDigits(off), size-1, groupDigits(size-1))
	}
	return off, ""
}

// bytesAt returns up to n cached bytes from off, fewer at the end of the
// item or where a page is not cached.
func (h *hexView) bytesAt(off int64, n int) []byte {
	var out []byte
	for len(out) < n && off < h.size {
		p, ok := h.pages[off/hexPageSize]
		if !ok || p.err != nil && int64(len(p.data)) <= off%hexPageSize {
			break
		}
		start := off % hexPageSize
		if start >= int64(len(p.data)) {
			break
		}
		take := min(int64(n-len(out)), int64(len(p.data))-start)
		out = append(out, p.data[start:start+take]...)
		off += take
	}
	return out
}

// hexInspector is the side panel: the value of the bytes at the cursor
// read as the integer and time types that turn up in disk structures.
type hexInspector struct {
	h      *hexView
	values []*widget.Label
	root   *fyne.Container
}

// inspectorFields are the rows of the inspector, each decoding the bytes
// at the cursor (at least need of them).
var inspectorFields = []struct {
	name   string
	need   int
	decode func(b []byte) string
}{
	{"Offset", 0, nil},
	{"Byte", 1, func(b []byte) string {
		return fmt.Sprintf("0x%02x · %d · '%c'", b[0], b[0], printable(b[0]))
	}},
	{"int8", 1, func(b []byte) string { return strconv.Itoa(int(int8(b[0]))) }},
	{"uint16 LE", 2, func(b []byte) string { return strconv.FormatUint(uint64(binary.LittleEndian.Uint16(b)), 10) }},
	{"uint16 BE", 2, func(b []byte) string { return strconv.FormatUint(uint64(binary.BigEndian.Uint16(b)), 10) }},
	{"int32 LE", 4, func(b []byte) string { return strconv.FormatInt(int64(int32(binary.LittleEndian.Uint32(b))), 10) }},
	{"uint32 LE", 4, func(b []byte) string { return strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b)), 10) }},
	{"uint32 BE", 4, func(b []byte) string { return strconv.FormatUint(uint64(binary.BigEndian.Uint32(b)), 10) }},
	{"int64 LE", 8, func(b []byte) string { return strconv.FormatInt(int64(binary.LittleEndian.Uint64(b)), 10) }},
	{"Unix time (32 LE)", 4, func(b []byte) string {
		return time.Unix(int64(binary.LittleEndian.Uint32(b)), 0).UTC().Format(timeLayout)
	}},
	{"FILETIME (64 LE)", 8, func(b []byte) string { return filetimeText(binary.LittleEndian.Uint64(b)) }},
}

func newHexInspector(h *hexView) *hexInspector {
	in := &hexInspector{h: h}
	facts := make([]fact, len(inspectorFields))
	for i, f := range inspectorFields {
		l := widget.NewLabel("")
		l.TextStyle = fyne.TextStyle{Monospace: true}
		l.Selectable = true
		l.Truncation = fyne.TextTruncateEllipsis
		in.values = append(in.values, l)
		facts[i] = fact{f.name, l}
	}
	hintText := widget.NewLabel("Click a byte, use the arrow keys, or go to an offset.")
	hintText.Wrapping = fyne.TextWrapWord
	hintText.Importance = widget.LowImportance
	in.root = container.NewVBox(subheading("At the cursor"), factGrids(facts)[0], hintText, layout.NewSpacer())
	return in
}

// show decodes the bytes at the cursor.
func (in *hexInspector) show() {
	c := in.h.grid.cursor
	var b []byte
	if c >= 0 {
		b = in.h.bytesAt(c, 8)
	}
	for i, f := range inspectorFields {
		text := notSet
		switch {
		case c < 0:
		case f.decode == nil:
			text = fmt.Sprintf("0x%x", c)
		case len(b) >= f.need:
			text = f.decode(b[:f.need])
		}
		in.values[i].SetText(text)
	}
}

// filetimeText reads a Windows FILETIME (100 ns intervals since 1601) as
// UTC, or says it is out of range.
func filetimeText(ft uint64) string {
	const epochDiff = 116444736000000000 // 1601-01-01 to 1970-01-01 in 100 ns
	if ft < epochDiff || ft > epochDiff+uint64(250*365*24*3600)*1e7 {
		return "out of range"
	}
	d := ft - epochDiff
	return time.Unix(int64(d/1e7), int64(d%1e7)*100).UTC().Format(time.RFC3339Nano)
}
