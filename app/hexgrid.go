package app

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// hexGrid draws the rows of a hex view that fit on screen, from row top.
// It scrolls in whole rows with the mouse wheel, the keyboard and the
// scrollbar beside it, and keeps a cursor on one byte: tapping a byte puts
// it there, the arrow keys move it, and go-to-offset sets it. The cursor's
// row is highlighted.
type hexGrid struct {
	widget.BaseWidget
	h *hexView

	top     int64 // first row on screen
	visible int   // rows that fit, set by the renderer's layout
	cursor  int64 // byte offset of the cursor; -1 for none
	focused bool
	wheel   float32 // wheel movement not yet worth a row

	// The selection [selStart, selEnd); none when selEnd <= selStart.
	selStart, selEnd int64
	anchor           int64 // where a shift-extended selection starts; -1 for none
	shift            bool  // a shift key is held (keyboard), or was at the last mouse press

	onMoved func() // top or cursor changed
}

var (
	_ fyne.Focusable    = (*hexGrid)(nil)
	_ fyne.Scrollable   = (*hexGrid)(nil)
	_ fyne.Tappable     = (*hexGrid)(nil)
	_ desktop.Mouseable = (*hexGrid)(nil)
	_ desktop.Keyable   = (*hexGrid)(nil)
)

func newHexGrid(h *hexView) *hexGrid {
	g := &hexGrid{h: h, cursor: -1, anchor: -1}
	g.ExtendBaseWidget(g)
	return g
}

// hexMetrics are the sizes the grid lays out with: the width of one
// monospace character, the height of a row, and where each column starts.
type hexMetrics struct {
	char, line, header float32
	textY              float32 // from the top of a row to the top of its text
	offX, hexX, asciiX float32
	width              float32
	textSize, padding  float32
}

// hex column layout, in characters: 12 offset digits, 2 spaces, 16 pairs
// with single spaces and one more after the eighth (48), 2 spaces, 16 ASCII.
const (
	hexOffsetChars = 12
	hexBytesChars  = 16*3 + 1 - 1
	hexGapChars    = 3
)

func metrics() hexMetrics {
	var m hexMetrics
	m.textSize = theme.TextSize()
	s := fyne.MeasureText("0", m.textSize, fyne.TextStyle{Monospace: true})
	m.char = s.Width
	m.line = float32(math.Ceil(float64(s.Height) * 1.3))
	m.textY = (m.line - s.Height) / 2
	m.header = m.line + theme.Padding()
	m.padding = theme.InnerPadding()
	m.offX = m.padding
	m.hexX = m.offX + (hexOffsetChars+hexGapChars)*m.char
	m.asciiX = m.hexX + (hexBytesChars+hexGapChars)*m.char
	m.width = m.asciiX + hexRowBytes*m.char + m.padding
	return m
}

// byteX returns the x of byte i of a row in the hex column.
func (m hexMetrics) byteX(i int) float32 {
	x := m.hexX + float32(3*i)*m.char
	if i >= 8 {
		x += m.char
	}
	return x
}

// maxTop is the greatest first row: the last rows fill the screen.
func (g *hexGrid) maxTop() int64 {
	return max(0, g.h.rows-int64(max(g.visible, 1)))
}

// setTop scrolls so that row top is first on screen.
func (g *hexGrid) setTop(top int64) {
	top = min(max(top, 0), g.maxTop())
	if top == g.top {
		return
	}
	g.top = top
	g.Refresh()
	g.moved()
}

func (g *hexGrid) moved() {
	if g.onMoved != nil {
		g.onMoved()
	}
}

// HighlightedRow returns the row of the cursor, or -1.
func (g *hexGrid) HighlightedRow() int64 {
	if g.cursor < 0 {
		return -1
	}
	return g.cursor / hexRowBytes
}

// setCursor puts the cursor on byte off and, if it is off screen, scrolls
// its row into view; centre places the row a third of the way down (for a
// jump) rather than at the nearest edge (for a step).
func (g *hexGrid) setCursor(off int64, centre bool) {
	if g.h.size == 0 {
		return
	}
	g.cursor = min(max(off, 0), g.h.size-1)
	row := g.cursor / hexRowBytes
	vis := int64(max(g.visible, 1))
	switch {
	case centre:
		g.top = row - vis/3
	case row < g.top:
		g.top = row
	case row >= g.top+vis:
		g.top = row - vis + 1
	}
	g.top = min(max(g.top, 0), g.maxTop())
	g.Refresh()
	g.moved()
}

// Scrolled moves by whole rows for the wheel or touchpad.
func (g *hexGrid) Scrolled(ev *fyne.ScrollEvent) {
	m := metrics()
	g.wheel -= ev.Scrolled.DY
	if n := int64(g.wheel / m.line); n != 0 {
		g.wheel -= float32(n) * m.line
		g.setTop(g.top + n)
	}
}

// Tapped puts the cursor on the byte under the pointer and takes the
// keyboard focus; with shift held it selects from the anchor to that byte.
func (g *hexGrid) Tapped(ev *fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(g); c != nil {
		c.Focus(g)
	}
	if off, ok := g.byteAt(ev.Position); ok {
		g.moveTo(off, g.shift)
	}
}

// moveTo puts the cursor on off. With extend, the selection runs from the
// anchor (or the old cursor) to off; without, off becomes the anchor.
func (g *hexGrid) moveTo(off int64, extend bool) {
	from := g.anchor
	if from < 0 {
		from = g.cursor
	}
	g.setCursor(off, false)
	if extend && from >= 0 {
		g.anchor = from
		g.setSelection(min(from, g.cursor), max(from, g.cursor)+1)
		return
	}
	g.anchor = g.cursor
}

// MouseDown notes whether shift is held for the tap that follows.
func (g *hexGrid) MouseDown(ev *desktop.MouseEvent) {
	g.shift = ev.Modifier&fyne.KeyModifierShift != 0
}

// MouseUp does nothing; Tapped acts.
func (g *hexGrid) MouseUp(*desktop.MouseEvent) {}

// KeyDown notes a shift key going down, for shift-arrow selection.
func (g *hexGrid) KeyDown(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		g.shift = true
	}
}

// KeyUp notes a shift key going up.
func (g *hexGrid) KeyUp(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		g.shift = false
	}
}

// setSelection selects [start, end), clamped to the item; end <= start
// clears it.
func (g *hexGrid) setSelection(start, end int64) {
	start, end = max(start, 0), min(end, g.h.size)
	if end <= start {
		start, end = 0, 0
	}
	g.selStart, g.selEnd = start, end
	g.Refresh()
	g.moved()
}

// selection returns the selected range and whether there is one.
func (g *hexGrid) selection() (start, end int64, ok bool) {
	return g.selStart, g.selEnd, g.selEnd > g.selStart
}

// byteAt returns the byte under position p, if any.
func (g *hexGrid) byteAt(p fyne.Position) (int64, bool) {
	m := metrics()
	if p.Y < m.header {
		return 0, false
	}
	row := g.top + int64((p.Y-m.header)/m.line)
	if row >= g.h.rows {
		return 0, false
	}
	col := 0
	switch {
	case p.X >= m.asciiX:
		col = int((p.X - m.asciiX) / m.char)
	case p.X >= m.hexX:
		for i := range hexRowBytes {
			if p.X >= m.byteX(i)-m.char/2 {
				col = i
			}
		}
	}
	col = min(max(col, 0), hexRowBytes-1)
	off := min(row*hexRowBytes+int64(col), g.h.size-1)
	return off, true
}

// FocusGained shows the cursor as active.
func (g *hexGrid) FocusGained() { g.focused = true; g.Refresh() }

// FocusLost shows the cursor as inactive.
func (g *hexGrid) FocusLost() { g.focused = false; g.Refresh() }

// TypedRune does nothing: the view is read-only.
func (g *hexGrid) TypedRune(rune) {}

// TypedKey moves the cursor: arrows by a byte or a row, Page Up and Page
// Down by a screen, Home and End to the first and last byte; with shift
// held the move extends the selection. Escape clears the selection.
func (g *hexGrid) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		g.setSelection(0, 0)
		return
	}
	if g.h.size == 0 {
		return
	}
	c := g.cursor
	if c < 0 {
		c = g.top * hexRowBytes
	}
	page := int64(max(g.visible-1, 1)) * hexRowBytes
	switch ev.Name {
	case fyne.KeyLeft:
		c--
	case fyne.KeyRight:
		c++
	case fyne.KeyUp:
		c -= hexRowBytes
	case fyne.KeyDown:
		c += hexRowBytes
	case fyne.KeyPageUp:
		c -= page
		g.setTop(g.top - int64(max(g.visible-1, 1)))
	case fyne.KeyPageDown:
		c += page
		g.setTop(g.top + int64(max(g.visible-1, 1)))
	case fyne.KeyHome:
		c = 0
	case fyne.KeyEnd:
		c = g.h.size - 1
	default:
		return
	}
	g.moveTo(min(max(c, 0), g.h.size-1), g.shift)
}

// Cursor shows the text cursor over the grid.
func (g *hexGrid) Cursor() desktop.Cursor { return desktop.TextCursor }

// MinSize is the width of a full row and a few rows of height.
func (g *hexGrid) MinSize() fyne.Size {
	m := metrics()
	return fyne.NewSize(m.width, m.header+4*m.line)
}

func (g *hexGrid) CreateRenderer() fyne.WidgetRenderer {
	r := &hexGridRenderer{g: g}
	r.bg = canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	r.bg.CornerRadius = theme.InputRadiusSize()
	r.headBg = canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	r.rowMark = canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	r.hexMark = canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	r.asciiMark = canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	head := func(s string) *canvas.Text {
		t := canvas.NewText(s, theme.Color(theme.ColorNamePlaceHolder))
		t.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
		return t
	}
	hexHead, _ := formatHexRow([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	r.head = [3]*canvas.Text{head("Offset"), head(hexHead), head("ASCII")}
	return r
}

// hexGridRenderer draws a hexGrid: a header, the row and cursor marks, and
// three texts (offset, hex, ASCII) per row on screen.
type hexGridRenderer struct {
	g                           *hexGrid
	bg, headBg                  *canvas.Rectangle
	rowMark, hexMark, asciiMark *canvas.Rectangle
	head                        [3]*canvas.Text
	lines                       [][3]*canvas.Text
	selMarks                    [][2]*canvas.Rectangle // the selection on each row on screen: hex, ASCII
	size                        fyne.Size
}

func (r *hexGridRenderer) Destroy() {}

func (r *hexGridRenderer) MinSize() fyne.Size { return r.g.MinSize() }

func (r *hexGridRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.bg, r.headBg, r.rowMark}
	for _, m := range r.selMarks {
		objs = append(objs, m[0], m[1])
	}
	objs = append(objs, r.hexMark, r.asciiMark, r.head[0], r.head[1], r.head[2])
	for _, l := range r.lines {
		objs = append(objs, l[0], l[1], l[2])
	}
	return objs
}

// Layout fits as many rows as the height allows and makes a text line for
// each.
func (r *hexGridRenderer) Layout(size fyne.Size) {
	r.size = size
	m := metrics()
	r.bg.Resize(size)
	r.headBg.Move(fyne.NewPos(0, 0))
	r.headBg.Resize(fyne.NewSize(size.Width, m.header))
	vis := max(int((size.Height-m.header)/m.line), 0)
	for len(r.lines) < vis {
		var l [3]*canvas.Text
		for i := range l {
			l[i] = canvas.NewText("", theme.Color(theme.ColorNameForeground))
			l[i].TextStyle = fyne.TextStyle{Monospace: true}
		}
		r.lines = append(r.lines, l)
		r.selMarks = append(r.selMarks, [2]*canvas.Rectangle{canvas.NewRectangle(color.Transparent), canvas.NewRectangle(color.Transparent)})
	}
	g := r.g
	changed := g.visible != vis
	g.visible = vis
	if g.top > g.maxTop() {
		g.top = g.maxTop()
		changed = true
	}
	r.draw(m)
	if changed {
		g.moved()
	}
}

func (r *hexGridRenderer) Refresh() {
	m := metrics()
	r.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.headBg.FillColor = theme.Color(theme.ColorNameHeaderBackground)
	r.bg.Refresh()
	r.headBg.Refresh()
	r.draw(m)
}

// draw puts the rows from top into the text lines and places the marks.
func (r *hexGridRenderer) draw(m hexMetrics) {
	g := r.g
	h := g.h
	h.want(g.top, g.visible)
	xs := [3]float32{m.offX, m.hexX, m.asciiX}
	for i, t := range r.head {
		t.TextSize = m.textSize
		t.Color = theme.Color(theme.ColorNamePlaceHolder)
		t.Move(fyne.NewPos(xs[i], (m.header-m.line)/2+m.textY))
		t.Refresh()
	}
	fg := theme.Color(theme.ColorNameForeground)
	muted := theme.Color(theme.ColorNamePlaceHolder)
	errColour := theme.Color(theme.ColorNameError)
	offColour := theme.Color(theme.ColorNamePrimary)
	for i, l := range r.lines {
		row := g.top + int64(i)
		show := i < g.visible && row < h.rows
		var hr hexRow
		if show {
			hr = h.row(row)
		}
		texts := [3]string{hr.offset, hr.hex, hr.ascii}
		colours := [3]color.Color{offColour, fg, muted}
		switch hr.state {
		case rowLoading:
			colours[1] = muted
		case rowError:
			colours[1] = errColour
		}
		y := m.header + float32(i)*m.line
		for c, t := range l {
			if !show {
				t.Hide()
				continue
			}
			t.Text = texts[c]
			t.Color = colours[c]
			t.TextSize = m.textSize
			t.Move(fyne.NewPos(xs[c], y+m.textY))
			t.Show()
			t.Refresh()
		}
	}

	r.drawSelection(m)

	// The cursor's row and byte.
	row := g.HighlightedRow()
	if row < g.top || row >= g.top+int64(g.visible) || row < 0 {
		r.rowMark.Hide()
		r.hexMark.Hide()
		r.asciiMark.Hide()
		return
	}
	y := m.header + float32(row-g.top)*m.line
	r.rowMark.FillColor = theme.Color(theme.ColorNameSelection)
	r.rowMark.Move(fyne.NewPos(0, y))
	r.rowMark.Resize(fyne.NewSize(r.size.Width, m.line))
	r.rowMark.Show()
	r.rowMark.Refresh()
	mark := theme.Color(theme.ColorNamePrimary)
	if !g.focused {
		mark = theme.Color(theme.ColorNameHover)
	}
	col := int(g.cursor % hexRowBytes)
	cr, cg, cb, _ := mark.RGBA()
	fill := color.NRGBA{R: uint8(cr >> 8), G: uint8(cg >> 8), B: uint8(cb >> 8), A: 0x70}
	for _, mk := range []struct {
		rect *canvas.Rectangle
		x, w float32
	}{
		{r.hexMark, m.byteX(col) - m.char/4, 2.5 * m.char},
		{r.asciiMark, m.asciiX + float32(col)*m.char, m.char},
	} {
		mk.rect.FillColor = fill
		mk.rect.CornerRadius = 2
		mk.rect.Move(fyne.NewPos(mk.x, y+1))
		mk.rect.Resize(fyne.NewSize(mk.w, m.line-2))
		mk.rect.Show()
		mk.rect.Refresh()
	}
}

// drawSelection marks the selected bytes of each row on screen, in the
// hex and the ASCII column.
func (r *hexGridRenderer) drawSelection(m hexMetrics) {
	g := r.g
	fill := withAlpha(theme.Color(theme.ColorNamePrimary), 0x50)
	for i, mk := range r.selMarks {
		row := g.top + int64(i)
		lo, hi := row*hexRowBytes, row*hexRowBytes+hexRowBytes
		s, e := max(g.selStart, lo), min(g.selEnd, hi)
		if i >= g.visible || row >= g.h.rows || s >= e {
			mk[0].Hide()
			mk[1].Hide()
			continue
		}
		a, b := int(s-lo), int(e-lo) // first and one past the last column
		y := m.header + float32(i)*m.line
		x0, x1 := m.byteX(a)-m.char/2, m.byteX(b-1)+2*m.char+m.char/2
		mk[0].Move(fyne.NewPos(x0, y))
		mk[0].Resize(fyne.NewSize(x1-x0, m.line))
		mk[1].Move(fyne.NewPos(m.asciiX+float32(a)*m.char, y))
		mk[1].Resize(fyne.NewSize(float32(b-a)*m.char, m.line))
		for _, rect := range mk {
			rect.FillColor = fill
			rect.Show()
			rect.Refresh()
		}
	}
}

// rowScrollbar is the scrollbar of a hexGrid. It works in rows (int64), so
// it reaches every row of an item of any size: dragging the thumb maps its
// position to a row, clicking the track pages up or down.
type rowScrollbar struct {
	widget.BaseWidget
	g *hexGrid

	dragging bool
	grab     float32 // where in the thumb the drag took hold
}

var (
	_ fyne.Draggable = (*rowScrollbar)(nil)
	_ fyne.Tappable  = (*rowScrollbar)(nil)
)

func newRowScrollbar(g *hexGrid) *rowScrollbar {
	s := &rowScrollbar{g: g}
	s.ExtendBaseWidget(s)
	return s
}

// thumb returns the thumb's y and height in a track of height h.
func (s *rowScrollbar) thumb(h float32) (y, th float32) {
	g := s.g
	rows := g.h.rows
	vis := int64(max(g.visible, 1))
	if rows <= vis {
		return 0, h
	}
	th = max(float32(float64(h)*float64(vis)/float64(rows)), 2*theme.ScrollBarSize())
	th = min(th, h)
	y = float32(float64(h-th) * float64(g.top) / float64(g.maxTop()))
	return y, th
}

// Dragged moves the thumb with the pointer and scrolls to the row that its
// position stands for.
func (s *rowScrollbar) Dragged(ev *fyne.DragEvent) {
	h := s.Size().Height
	y, th := s.thumb(h)
	if !s.dragging {
		s.dragging = true
		s.grab = th / 2
		start := ev.Position.Y - ev.Dragged.DY
		if start >= y && start <= y+th {
			s.grab = start - y
		}
	}
	if h <= th {
		return
	}
	frac := float64(ev.Position.Y-s.grab) / float64(h-th)
	frac = min(max(frac, 0), 1)
	s.g.setTop(int64(math.Round(frac * float64(s.g.maxTop()))))
}

// DragEnd ends a drag.
func (s *rowScrollbar) DragEnd() { s.dragging = false }

// Tapped pages towards the pointer when the track is clicked.
func (s *rowScrollbar) Tapped(ev *fyne.PointEvent) {
	y, th := s.thumb(s.Size().Height)
	page := int64(max(s.g.visible-1, 1))
	switch {
	case ev.Position.Y < y:
		s.g.setTop(s.g.top - page)
	case ev.Position.Y > y+th:
		s.g.setTop(s.g.top + page)
	}
}

func (s *rowScrollbar) MinSize() fyne.Size {
	return fyne.NewSize(theme.ScrollBarSize()+theme.Padding(), 2*theme.ScrollBarSize())
}

func (s *rowScrollbar) CreateRenderer() fyne.WidgetRenderer {
	r := &scrollbarRenderer{s: s}
	r.track = canvas.NewRectangle(theme.Color(theme.ColorNameScrollBarBackground))
	r.bar = canvas.NewRectangle(theme.Color(theme.ColorNameScrollBar))
	return r
}

type scrollbarRenderer struct {
	s          *rowScrollbar
	track, bar *canvas.Rectangle
}

func (r *scrollbarRenderer) Destroy()                     {}
func (r *scrollbarRenderer) MinSize() fyne.Size           { return r.s.MinSize() }
func (r *scrollbarRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.track, r.bar} }

func (r *scrollbarRenderer) Layout(size fyne.Size) {
	w := theme.ScrollBarSize()
	x := (size.Width - w) / 2
	r.track.Move(fyne.NewPos(x, 0))
	r.track.Resize(fyne.NewSize(w, size.Height))
	r.track.CornerRadius = w / 2
	y, th := r.s.thumb(size.Height)
	r.bar.Move(fyne.NewPos(x, y))
	r.bar.Resize(fyne.NewSize(w, th))
	r.bar.CornerRadius = w / 2
}

func (r *scrollbarRenderer) Refresh() {
	r.track.FillColor = theme.Color(theme.ColorNameScrollBarBackground)
	r.bar.FillColor = theme.Color(theme.ColorNameScrollBar)
	r.Layout(r.s.Size())
	r.track.Refresh()
	r.bar.Refresh()
}
