package app

import (
	"encoding/binary"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
)

// act runs f as a UI event would run. The test driver's fyne.Do runs a
// job's result on the job's own goroutine; an event that starts jobs (a
// hex view asking for pages) and goes on touching widgets must not overlap
// those results, which UI.do serialises with this lock.
func act(u *UI, f func()) {
	u.applying.Lock()
	defer u.applying.Unlock()
	f()
}

// countingSource counts the reads the hex view makes.
type countingSource struct {
	byteSource
	reads atomic.Int64
}

func (s *countingSource) ReadAt(p []byte, off int64) (int, error) {
	s.reads.Add(1)
	return s.byteSource.ReadAt(p, off)
}

// rowPattern is the content of row r of the generated items below: the
// row's offset as 8 big-endian bytes, then "rowdata!" — every row differs,
// and a wrong row is easy to spot.
func rowPattern(r int64) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, uint64(r*16))
	copy(b[8:], "rowdata!")
	return b
}

// patternSource is a synthetic item of any size made of rowPattern rows;
// nothing is stored, so a 4 GiB item costs nothing.
type patternSource struct{ size int64 }

func (s patternSource) Size() int64 { return s.size }

func (s patternSource) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) && off+int64(n) < s.size {
		pos := off + int64(n)
		n += copy(p[n:], rowPattern(pos / 16)[pos%16:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func TestHexViewReadsOnlyVisibleRows(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	const size = 64 << 20
	data := make([]byte, size)
	for r := int64(0); r < size/16; r++ {
		copy(data[r*16:], rowPattern(r))
	}
	ev := ingestClosed(t, path, "big.img", data)

	u, _ := openCaseUI(t, dir, path)
	r, err := u.Case().OpenEvidence(ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	src := &countingSource{byteSource: r}
	var h *hexView
	act(u, func() { h = u.showHexView(ev, src) })
	waitJobs(t, u)
	if h.Rows() != size/16 {
		t.Errorf("rows = %d, want %d", h.Rows(), size/16)
	}
	g := h.grid
	if g.visible < 10 || g.visible > 100 {
		t.Fatalf("%d rows on screen", g.visible)
	}
	// The rows on screen lie in one 64 KiB page: one read.
	if n := src.reads.Load(); n != 1 {
		t.Errorf("opening read %d pages, want 1", n)
	}
	if got, want := h.RowText(1), rowHex(16, rowPattern(1)); got != want {
		t.Errorf("row 1 = %q, want %q", got, want)
	}

	// Jumping to the end reads the last page only; the wheel within it
	// reads nothing more.
	act(u, func() { h.GoTo(size - 1) })
	waitJobs(t, u)
	if n := src.reads.Load(); n != 2 {
		t.Errorf("after going to the end: %d reads, want 2", n)
	}
	last := int64(size/16 - 1)
	if g.top != last-int64(g.visible)+1 || g.HighlightedRow() != last {
		t.Errorf("at the end: top %d, cursor row %d, visible %d", g.top, g.HighlightedRow(), g.visible)
	}
	if got, want := h.RowText(last), rowHex(size-16, rowPattern(last)); got != want {
		t.Errorf("last row = %q, want %q", got, want)
	}
	top := g.top
	act(u, func() { g.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: 10 * metrics().line}}) })
	if g.top != top-10 {
		t.Errorf("wheel up by 10 rows: top %d, want %d", g.top, top-10)
	}
	waitJobs(t, u)
	if n := src.reads.Load(); n != 2 {
		t.Errorf("after the wheel: %d reads, want 2", n)
	}

	// Paging down from the start reads one more page each time a page
	// boundary is crossed, not every row.
	act(u, func() { h.GoTo(0) })
	waitJobs(t, u)
	before := src.reads.Load()
	for range 200 {
		act(u, func() { g.TypedKey(&fyne.KeyEvent{Name: fyne.KeyPageDown}) })
		waitJobs(t, u)
	}
	pages := (g.top+int64(g.visible))*16/hexPageSize + 1
	if n := src.reads.Load() - before; n > pages {
		t.Errorf("200 pages down (to row %d) made %d reads, want at most %d", g.top, n, pages)
	}
	if got, want := h.RowText(g.top), rowHex(g.top*16, rowPattern(g.top)); got != want {
		t.Errorf("row %d = %q, want %q", g.top, got, want)
	}
	if len(h.pages) > hexPagesKept {
		t.Errorf("%d pages cached, want at most %d", len(h.pages), hexPagesKept)
	}
}

func TestHexViewFourGiB(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, _ := openCaseUI(t, dir, path)
	const size = 4 << 30
	ev := casefile.Evidence{ID: uuid.New(), ChunkSize: casefile.DefaultChunkSize, ChunkCount: size / casefile.DefaultChunkSize,
		Meta: casefile.EvidenceMeta{Name: "sparse.img", Kind: casefile.KindDisk, Size: size}}
	src := &countingSource{byteSource: patternSource{size}}
	var h *hexView
	act(u, func() { h = u.showHexView(ev, src) })
	waitJobs(t, u)
	if h.Rows() != size/16 {
		t.Fatalf("rows = %d, want %d", h.Rows(), size/16)
	}
	g := h.grid
	// Rows far beyond float32's exact range are reached exactly.
	for _, off := range []int64{size - 1, 0xdeadbee0, 1<<32 - 1<<20 + 16} {
		act(u, func() { h.GoTo(off) })
		waitJobs(t, u)
		row := off / 16
		if g.HighlightedRow() != row {
			t.Errorf("go to %#x: row %#x", off, g.HighlightedRow())
		}
		if got, want := h.RowText(row), rowHex(row*16, rowPattern(row)); got != want {
			t.Errorf("row %#x = %q, want %q", row, got, want)
		}
		if !strings.Contains(canvasTextsAll(h.win.Canvas()), rowHex(row*16, nil)[:12]) {
			t.Errorf("row %#x not drawn", row)
		}
	}
	// Tapping a byte puts the cursor on it, in the hex or the ASCII column;
	// the keys move it.
	m := metrics()
	top := g.top
	act(u, func() { test.TapAt(g, fyne.NewPos(m.byteX(5)+m.char/2, m.header+2*m.line+m.line/2)) })
	if want := (top+2)*16 + 5; g.cursor != want {
		t.Errorf("tap on byte 5 of the third row: cursor %#x, want %#x", g.cursor, want)
	}
	act(u, func() { test.TapAt(g, fyne.NewPos(m.asciiX+9*m.char+m.char/2, m.header+m.line/2)) })
	if want := top*16 + 9; g.cursor != want {
		t.Errorf("tap on ASCII 9 of the first row: cursor %#x, want %#x", g.cursor, want)
	}
	for _, k := range []struct {
		key  fyne.KeyName
		want int64
	}{
		{fyne.KeyRight, top*16 + 10},
		{fyne.KeyDown, top*16 + 26},
		{fyne.KeyLeft, top*16 + 25},
		{fyne.KeyUp, top*16 + 9},
		{fyne.KeyHome, 0},
		{fyne.KeyUp, 0},
		{fyne.KeyEnd, size - 1},
		{fyne.KeyRight, size - 1},
	} {
		act(u, func() { g.TypedKey(&fyne.KeyEvent{Name: k.key}) })
		if g.cursor != k.want {
			t.Errorf("%s: cursor %#x, want %#x", k.key, g.cursor, k.want)
		}
	}
	waitJobs(t, u)
	if got := h.inspector.values[1].Text; got != "0x21 · 33 · '!'" {
		t.Errorf("inspector byte at the end = %q", got)
	}

	// One wheel step moves by rows even at the end of 4 GiB.
	top = g.top
	act(u, func() { g.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: 3 * metrics().line}}) })
	if g.top != top-3 {
		t.Errorf("wheel at the end: top %d, want %d", g.top, top-3)
	}
	// Dragging the scrollbar thumb to the middle lands in the middle.
	bar := h.bar
	y, th := bar.thumb(bar.Size().Height)
	mid := bar.Size().Height / 2
	act(u, func() {
		bar.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(4, mid)}, Dragged: fyne.Delta{DY: mid - (y + th/2)}})
		bar.DragEnd()
	})
	if half := g.maxTop() / 2; g.top < half-half/50 || g.top > half+half/50 {
		t.Errorf("thumb dragged to the middle: top %d, want about %d", g.top, half)
	}
	waitJobs(t, u)
	if n := src.reads.Load(); n > 8 {
		t.Errorf("%d reads for a handful of screens of a 4 GiB item", n)
	}
}

func TestParseOffset(t *testing.T) {
	for _, c := range []struct {
		in      string
		size    int64
		want    int64
		problem string
	}{
		{"0x100010", 3 << 20, 0x100010, ""},
		{" 0X1F ", 100, 31, ""},
		{"0100", 200, 100, ""}, // decimal, not octal
		{"1_048_576", 2 << 20, 1 << 20, ""},
		{"0", 1, 0, ""},
		{"", 10, 0, "Type an offset"},
		{"-5", 10, 0, `"-5" is not an offset`},
		{"0xfg", 10, 0, `"0xfg" is not an offset`},
		{"10", 10, 0, "Offset 0xa (10) is past the end of the item: the last byte is at 0x9 (9)."},
		{"0", 0, 0, "The item is empty"},
	} {
		got, problem := parseOffset(c.in, c.size)
		if got != c.want || !strings.HasPrefix(problem, c.problem) || (c.problem == "") != (problem == "") {
			t.Errorf("parseOffset(%q, %d) = %d, %q; want %d, %q", c.in, c.size, got, problem, c.want, c.problem)
		}
	}
}

func TestStatusText(t *testing.T) {
	for _, c := range []struct {
		s    evidence.Status
		want string
	}{
		{evidence.Status{Done: 1288490189, Total: 2 << 30, Rate: 310 << 20, Remaining: 3 * time.Second}, "1.2 GiB of 2.0 GiB · 310.0 MiB/s · 0:03 left"},
		{evidence.Status{Done: 512, Total: -1, Remaining: -1}, "512 B read"},
		{evidence.Status{Done: 10 << 20, Total: 10 << 20, Rate: 1 << 20, Remaining: 0}, "10.0 MiB of 10.0 MiB · 1.0 MiB/s"},
		{evidence.Status{Done: 0, Total: 5 << 40, Rate: 100 << 20, Remaining: 15 * time.Hour}, "0 B of 5.0 TiB · 100.0 MiB/s · 15:00:00 left"},
	} {
		if got := statusText(c.s); got != c.want {
			t.Errorf("statusText(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestHexViewSelection(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, _ := openCaseUI(t, dir, path)
	ev := casefile.Evidence{ID: uuid.New()}
	ev.Meta.Name = "synthetic.img"
	ev.Meta.Size = 1 << 20
	var h *hexView
	act(u, func() { h = u.showHexView(ev, patternSource{size: 1 << 20}) })
	waitJobs(t, u)
	g := h.grid

	// Without a selection, the byte under the cursor is the selection.
	if _, _, ok := h.Selection(); ok {
		t.Error("a selection before the cursor was placed")
	}
	if !h.newFinding.Disabled() || !h.markStart.Disabled() {
		t.Error("selection buttons enabled without a cursor")
	}
	act(u, func() { h.GoTo(0x40) })
	if s, e, ok := h.Selection(); !ok || s != 0x40 || e != 0x41 {
		t.Errorf("cursor-only selection = [%#x, %#x) %v", s, e, ok)
	}
	if h.newFinding.Disabled() || !h.clearSel.Disabled() {
		t.Error("New finding disabled with a cursor, or Clear enabled without a range")
	}

	// Shift-arrows extend from the anchor, across rows.
	act(u, func() {
		g.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
		g.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		g.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
		g.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	})
	if s, e, ok := h.Selection(); !ok || s != 0x40 || e != 0x52 {
		t.Errorf("shift-arrow selection = [%#x, %#x) %v, want [0x40, 0x52)", s, e, ok)
	}
	// Backwards past the anchor: the range flips.
	act(u, func() {
		g.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftRight})
		g.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
		g.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
		g.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftRight})
	})
	if s, e, ok := h.Selection(); !ok || s != 0x31 || e != 0x41 {
		t.Errorf("backwards selection = [%#x, %#x) %v, want [0x31, 0x41)", s, e, ok)
	}
	// Moving without shift keeps the selection; Escape clears it.
	act(u, func() { g.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown}) })
	if s, e, ok := g.selection(); !ok || s != 0x31 || e != 0x41 {
		t.Errorf("a plain move changed the selection to [%#x, %#x)", s, e)
	}
	act(u, func() { g.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) })
	if _, _, ok := g.selection(); ok {
		t.Error("Escape did not clear the selection")
	}

	// Mark start and Mark end at the cursor, in either order.
	act(u, func() { h.GoTo(0x2000); h.MarkEnd(); h.GoTo(0x1ff0); h.MarkStart() })
	if s, e, ok := h.Selection(); !ok || s != 0x1ff0 || e != 0x2001 {
		t.Errorf("marked selection = [%#x, %#x) %v", s, e, ok)
	}
	if got := h.selText.Text; got != "0x1ff0–0x2000 · 17 bytes" {
		t.Errorf("selection text = %q", got)
	}
	// The selected bytes are drawn marked on every row they cover.
	act(u, func() { h.GoTo(0x1ff8) })
	var marked int
	for _, o := range test.LaidOutObjects(g) {
		if r, ok := o.(*canvas.Rectangle); ok && r.Visible() && r.FillColor == withAlpha(theme.Color(theme.ColorNamePrimary), 0x50) {
			marked++
		}
	}
	if marked != 4 { // two rows, hex and ASCII each
		t.Errorf("%d selection marks drawn, want 4", marked)
	}
	act(u, func() { test.Tap(h.clearSel) })
	if _, _, ok := g.selection(); ok {
		t.Error("Clear did not clear the selection")
	}
}
