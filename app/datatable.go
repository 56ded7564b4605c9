package app

import (
	"cmp"
	"image/color"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The one data table of the GUI. Every list of records (the custody
// ledger, the evidence items, the examiners, the findings, and the
// histories and inventories of the Lifecycle area) is a dataTable over a
// tableSource:
//
//   - Paged: the table asks its source for the rows it draws, a page at a
//     time (tableSource.rows), and keeps a few pages; a ledger of 100 000
//     entries builds the cells of the rows on screen, never all of them.
//   - Sortable: tapping a column's title sorts by it, again reverses; the
//     source does the ordering (a slice here, a query in later areas).
//   - Readable whole: a cell is cut with an ellipsis when its column is
//     narrower than its text, and some show a short form (a hash's first
//     16 digits). Right-clicking a cell, or pressing Enter on the cell the
//     keyboard is on, opens a popup with the cell's whole value and Copy
//     cell / Copy row; Ctrl+C copies the cell. A table on a page can also
//     show the chosen row's every cell in full under it (withDetails).
//   - Chosen row: tapping a row chooses its record (by key, so the choice
//     survives reloads, filters and sorts) and tells onSelect.

// dataCell is what one cell of a dataTable shows.
type dataCell struct {
	text string        // what the cell shows, cut with an ellipsis when the column is narrower
	full string        // the whole value when text is a short form of it (a short hash); "" when text is whole
	icon fyne.Resource // shown before the text; nil for none
	imp  widget.Importance
	mono bool
	bold bool
	end  bool // aligned to the trailing edge (sizes, counts)
}

// cell is a plain cell.
func cell(text string) dataCell { return dataCell{text: text} }

// whole is the cell's whole value: what the popup shows and Copy copies.
func (d dataCell) whole() string {
	if d.full != "" {
		return d.full
	}
	return d.text
}

// dataColumn is one column of a dataTable.
type dataColumn struct {
	title string
	// width is the widest the column grows to fit its values; the last
	// column also takes the free width of the pane.
	width float32
	// noSort says tapping the title does not sort by this column.
	noSort bool
}

// tableRow is one row a tableSource hands out.
type tableRow struct {
	// key identifies the record across reloads, filters and sorts (a UUID,
	// a sequence number); it must be comparable.
	key   any
	cells []dataCell // one per column
}

// tableSource gives a dataTable its rows, in the order shown.
type tableSource interface {
	count() int                     // how many rows are shown
	rows(from, to int) []tableRow   // the rows [from, to)
	rowOf(key any) int              // the row showing the record key, or -1
	sortBy(col int, desc bool) bool // orders the rows by column col (desc: reversed); false when it cannot
}

// tablePage is how many rows a dataTable asks its source for at once.
const tablePage = 64

// tablePagesKept is how many pages a dataTable keeps.
const tablePagesKept = 8

// dataTable shows a tableSource: a header of titles that sort, columns
// sized to their values, the last one filling the free width, the chosen
// row marked with the selection colour. Its height follows its rows between
// minRows and maxRows (0: no limit, for a table that fills its pane), so a
// short list takes little room on a page and a long one scrolls inside
// the table.
type dataTable struct {
	u    *UI
	cols []dataColumn
	src  tableSource

	sortCol  int  // the column sorted by; -1 for the source's own order
	desc     bool // sorted in reverse
	selected any  // the key of the chosen record; nil for none
	cur      widget.TableCellID
	onSelect func(key any) // the chosen record changed (nil: none)

	pages map[int][]tableRow // pages of rows, by page number
	order []int              // page numbers, oldest first

	minRows, maxRows int
	rowH             float32
	widths           []float32 // the natural width of each column

	table   *tableWidget
	layout  *dataTableLayout
	details *fyne.Container // the chosen row in full, or nil (withDetails)
	popup   *widget.PopUp   // the whole value of one cell, when on screen
	box     *fyne.Container
}

// newDataTable makes a table of cols over src.
func newDataTable(u *UI, cols []dataColumn, src tableSource, minRows, maxRows int) *dataTable {
	t := &dataTable{u: u, cols: cols, src: src, sortCol: -1, minRows: minRows, maxRows: maxRows,
		pages: map[int][]tableRow{}, cur: widget.TableCellID{Row: -1, Col: -1}}
	tw := &tableWidget{t: t}
	tw.Length = func() (int, int) { return t.src.count(), len(t.cols) }
	tw.CreateCell = func() fyne.CanvasObject { return newTableCell(t) }
	tw.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) { o.(*tableCell).show(id) }
	tw.ShowHeaderRow = true
	tw.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		b.IconPlacement = widget.ButtonIconTrailingText
		return b
	}
	tw.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		b := o.(*widget.Button)
		if id.Col < 0 || id.Col >= len(t.cols) {
			return
		}
		col := id.Col
		b.SetText(t.cols[col].title)
		switch {
		case col != t.sortCol:
			b.SetIcon(nil)
		case t.desc:
			b.SetIcon(theme.MenuDropDownIcon())
		default:
			b.SetIcon(theme.MenuDropUpIcon())
		}
		b.OnTapped = func() { t.sortByColumn(col) }
	}
	tw.OnSelected = func(id widget.TableCellID) {
		// The row background marks the choice; the table's own cell
		// highlight would mark one cell of it.
		tw.UnselectAll()
		t.cur = id
		if r := t.row(id.Row); r != nil {
			t.choose(r.key)
		}
	}
	tw.ExtendBaseWidget(tw)
	t.table = tw
	t.rowH = rowHeight()
	t.layout = &dataTableLayout{t: t}
	t.box = container.New(t.layout, tw)
	return t
}

// withDetails shows the chosen row's every cell in full under the table,
// each with its column's title: for tables on a page, whose long cells
// have no details pane of their own.
func (t *dataTable) withDetails() *dataTable {
	t.details = container.NewVBox()
	t.details.Hide()
	t.box = container.NewVBox(container.New(t.layout, t.table), t.details)
	return t
}

// row returns row r as the source hands it out, from the kept pages, or
// nil when there is no such row.
func (t *dataTable) row(r int) *tableRow {
	if r < 0 || r >= t.src.count() {
		return nil
	}
	p := r / tablePage
	rows, ok := t.pages[p]
	if !ok {
		from := p * tablePage
		rows = t.src.rows(from, min(from+tablePage, t.src.count()))
		t.pages[p] = rows
		t.order = append(t.order, p)
		if len(t.order) > tablePagesKept {
			delete(t.pages, t.order[0])
			t.order = t.order[1:]
		}
	}
	if i := r % tablePage; i < len(rows) {
		return &rows[i]
	}
	return nil
}

// dropPage forgets the page holding row r and draws the table again: its
// source has the rows now (a source that reads its pages in jobs).
func (t *dataTable) dropPage(r int) {
	p := r / tablePage
	if _, ok := t.pages[p]; !ok {
		return
	}
	delete(t.pages, p)
	t.order = slices.DeleteFunc(t.order, func(q int) bool { return q == p })
	t.table.Refresh()
}

// reload shows the source anew after its records changed: the pages are
// read again, the columns sized to the values, and the chosen record
// stays chosen while it is still shown.
func (t *dataTable) reload() {
	clear(t.pages)
	t.order = t.order[:0]
	if t.sortCol >= 0 {
		t.src.sortBy(t.sortCol, t.desc)
	}
	t.rowH = rowHeight()
	t.sizeColumns()
	if t.selected != nil && t.src.rowOf(t.selected) < 0 {
		t.selected = nil
	}
	t.showDetails()
	t.table.Refresh()
	t.box.Refresh()
}

// sampleRanges are the rows [from, to) of n that sizeColumns reads: the
// first 200 and the last 200. A source whose pages cost a query (the
// Timeline's) reads them ahead, off the UI goroutine.
func sampleRanges(n int) [][2]int {
	const sample = 200
	out := [][2]int{{0, min(n, sample)}}
	if n > sample {
		out = append(out, [2]int{max(sample, n-sample), n})
	}
	return out
}

// sizeColumns fits each column to its title and the widest of a sample of
// its values (the first and last pages), within the column's limit.
func (t *dataTable) sizeColumns() {
	pad := 2*theme.InnerPadding() + theme.Padding()
	var sample []tableRow
	for _, r := range sampleRanges(t.src.count()) {
		sample = append(sample, t.src.rows(r[0], r[1])...)
	}
	t.widths = make([]float32, len(t.cols))
	for c, col := range t.cols {
		// The title's width, and room for the sort mark.
		w := fyne.MeasureText(col.title, theme.TextSize(), fyne.TextStyle{}).Width + theme.IconInlineSize() + theme.Padding()
		for _, r := range sample {
			if c < len(r.cells) {
				d := r.cells[c]
				cw := fyne.MeasureText(d.text, theme.TextSize(), fyne.TextStyle{Monospace: d.mono, Bold: d.bold}).Width
				if d.icon != nil {
					cw += theme.IconInlineSize() + theme.Padding()
				}
				w = max(w, cw)
			}
		}
		t.widths[c] = min(w+pad, col.width)
	}
	t.layout.last = -1
	for c, w := range t.widths {
		t.table.SetColumnWidth(c, w)
	}
}

// sortByColumn sorts by column col, or reverses the order when it is the
// column sorted by already.
func (t *dataTable) sortByColumn(col int) {
	if col < 0 || col >= len(t.cols) || t.cols[col].noSort {
		return
	}
	desc := col == t.sortCol && !t.desc
	if !t.src.sortBy(col, desc) {
		return
	}
	t.sortCol, t.desc = col, desc
	clear(t.pages)
	t.order = t.order[:0]
	t.table.Refresh()
	t.scrollToChosen()
}

// choose marks the record key as chosen (nil: none) and tells onSelect.
func (t *dataTable) choose(key any) {
	t.selected = key
	t.table.Refresh()
	t.showDetails()
	if t.onSelect != nil {
		t.onSelect(key)
	}
}

// mark marks the record key as chosen without telling onSelect: the view
// chose it itself.
func (t *dataTable) mark(key any) {
	if t.selected == key {
		return
	}
	t.selected = key
	t.table.Refresh()
	t.showDetails()
}

// chooseRow chooses the record shown in row r, as tapping the row does.
func (t *dataTable) chooseRow(r int) {
	if row := t.row(r); row != nil {
		t.choose(row.key)
	}
}

// scrollToChosen scrolls the chosen record's row into view.
func (t *dataTable) scrollToChosen() {
	if r := t.src.rowOf(t.selected); r >= 0 {
		t.table.ScrollTo(widget.TableCellID{Row: r, Col: 0})
	}
}

// chosenRow returns the chosen record's row, or nil.
func (t *dataTable) chosenRow() *tableRow {
	if t.selected == nil {
		return nil
	}
	return t.row(t.src.rowOf(t.selected))
}

// showDetails shows the chosen row in full under the table (withDetails).
func (t *dataTable) showDetails() {
	if t.details == nil {
		return
	}
	r := t.chosenRow()
	if r == nil {
		t.details.Hide()
		t.details.Objects = nil
		return
	}
	facts := make([]fact, 0, len(t.cols))
	for c, col := range t.cols {
		if c < len(r.cells) {
			v := wrapped(r.cells[c].whole())
			if r.cells[c].mono {
				v.TextStyle = fyne.TextStyle{Monospace: true}
				v.Wrapping = fyne.TextWrapBreak
			}
			facts = append(facts, fact{col.title, v})
		}
	}
	t.details.Objects = []fyne.CanvasObject{widget.NewCard("", "", factGrids(facts)[0])}
	t.details.Show()
	relayout(t.details)
}

// rowText is a row's whole values separated by tabs, for Copy row.
func rowText(r *tableRow) string {
	vals := make([]string, len(r.cells))
	for i, c := range r.cells {
		vals[i] = c.whole()
	}
	return strings.Join(vals, "\t")
}

// showCell opens the popup with the whole value of cell id at pos (an
// absolute position on the window's canvas).
func (t *dataTable) showCell(id widget.TableCellID, pos fyne.Position) {
	r := t.row(id.Row)
	if r == nil || id.Col < 0 || id.Col >= len(r.cells) {
		return
	}
	d := r.cells[id.Col]
	c := fyne.CurrentApp().Driver().CanvasForObject(t.table)
	if c == nil {
		return
	}
	title := widget.NewLabelWithStyle(t.cols[id.Col].title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	value := widget.NewLabel(d.whole())
	value.Selectable = true
	value.Wrapping = fyne.TextWrapWord
	if d.mono {
		value.TextStyle = fyne.TextStyle{Monospace: true}
		value.Wrapping = fyne.TextWrapBreak
	}
	copyCell := copyButton(t.u, "Copy cell", d.whole)
	copyRow := copyButton(t.u, "Copy row", func() string { return rowText(r) })
	w := min(max(fyne.MeasureText(d.whole(), theme.TextSize(), fyne.TextStyle{Monospace: d.mono}).Width+4*theme.InnerPadding(), 260),
		480, c.Size().Width-2*theme.Padding())
	body := container.NewVBox(title, container.New(minSizeLayout{fyne.NewSize(w, 0)}, value),
		container.NewHBox(copyCell, copyRow))
	if t.popup != nil {
		t.popup.Hide()
	}
	t.popup = widget.NewPopUp(body, c)
	size := t.popup.MinSize()
	cs := c.Size()
	pos.X = max(min(pos.X, cs.Width-size.Width), 0)
	pos.Y = max(min(pos.Y, cs.Height-size.Height), 0)
	t.popup.ShowAtPosition(pos)
}

// copyCell puts the whole value of cell id on the clipboard.
func (t *dataTable) copyCell(id widget.TableCellID) {
	r := t.row(id.Row)
	if r == nil || id.Col < 0 || id.Col >= len(r.cells) {
		return
	}
	t.u.app.Clipboard().SetContent(r.cells[id.Col].whole())
}

// cellText is what the cell at row, col shows, "" for none.
func (t *dataTable) cellText(row, col int) string {
	if r := t.row(row); r != nil && col >= 0 && col < len(r.cells) {
		return r.cells[col].text
	}
	return ""
}

// tableWidget is the Fyne table of a dataTable, with the keyboard's
// copy: Ctrl+C copies the cell chosen last, Enter opens its popup.
type tableWidget struct {
	widget.Table
	t *dataTable
}

// TypedShortcut copies the cell chosen last on Ctrl+C.
func (tw *tableWidget) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*fyne.ShortcutCopy); ok && tw.t.cur.Row >= 0 {
		tw.t.copyCell(tw.t.cur)
	}
}

// TypedKey opens the popup of the cell chosen last on Enter; other keys
// move through the table as in any Fyne table.
func (tw *tableWidget) TypedKey(ev *fyne.KeyEvent) {
	if (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && tw.t.cur.Row >= 0 {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(tw)
		tw.t.showCell(tw.t.cur, pos.AddXY(theme.Padding(), tw.t.rowH))
		return
	}
	tw.Table.TypedKey(ev)
}

// tableCell is one cell of a dataTable: an icon and a label over a
// background that marks the chosen row. Right-clicking it opens the popup
// with its whole value.
type tableCell struct {
	widget.BaseWidget
	t     *dataTable
	id    widget.TableCellID
	bg    *canvas.Rectangle
	icon  *widget.Icon
	label *widget.Label
	row   *fyne.Container // the icon and the label, laid out again when the icon shows or goes
}

func newTableCell(t *dataTable) *tableCell {
	c := &tableCell{t: t, bg: canvas.NewRectangle(color.Transparent), icon: widget.NewIcon(nil), label: widget.NewLabel("")}
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.icon.Hide()
	c.ExtendBaseWidget(c)
	return c
}

func (c *tableCell) CreateRenderer() fyne.WidgetRenderer {
	c.row = container.NewBorder(nil, nil, c.icon, nil, c.label)
	return widget.NewSimpleRenderer(container.NewStack(c.bg, c.row))
}

// showIcon shows res before the text, or no icon for nil.
func (c *tableCell) showIcon(res fyne.Resource) {
	was := c.icon.Visible()
	if res != nil {
		c.icon.SetResource(res)
		c.icon.Show()
	} else {
		c.icon.Hide()
	}
	if was != c.icon.Visible() && c.row != nil {
		c.row.Refresh()
	}
}

// TappedSecondary opens the popup with the cell's whole value.
func (c *tableCell) TappedSecondary(e *fyne.PointEvent) {
	c.t.cur = c.id
	c.t.showCell(c.id, e.AbsolutePosition)
}

// show fills the cell with the value at id.
func (c *tableCell) show(id widget.TableCellID) {
	c.id = id
	r := c.t.row(id.Row)
	if r == nil || id.Col >= len(r.cells) {
		c.label.SetText("")
		c.showIcon(nil)
		markRow(c.bg, false)
		return
	}
	d := r.cells[id.Col]
	c.label.Importance = d.imp
	c.label.TextStyle = fyne.TextStyle{Monospace: d.mono, Bold: d.bold}
	c.label.Alignment = fyne.TextAlignLeading
	if d.end {
		c.label.Alignment = fyne.TextAlignTrailing
	}
	c.label.SetText(d.text)
	c.showIcon(d.icon)
	markRow(c.bg, c.t.selected != nil && r.key == c.t.selected)
}

// rowHeight is the height of one table row.
func rowHeight() float32 {
	return widget.NewLabel("Ag").MinSize().Height + theme.SeparatorThicknessSize()
}

// dataTableLayout sizes a dataTable: at least minRows and at most maxRows
// rows high (no limit when maxRows is 0), its last column widened to the
// free width. Its minimum width is small: a table narrower than its
// columns scrolls sideways, it never widens the window.
type dataTableLayout struct {
	t    *dataTable
	last float32 // the width last given to the last column
}

func (l *dataTableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if n := len(l.t.widths); n > 0 {
		free := size.Width - float32(n)*theme.SeparatorThicknessSize() - theme.Padding()
		for _, w := range l.t.widths[:n-1] {
			free -= w
		}
		// The last column takes the free width; when the others leave it
		// less than its values need, it cuts them rather than push the
		// table into a sideways scroll, down to a readable minimum.
		w := max(free, min(l.t.widths[n-1], 160))
		if w != l.last {
			l.last = w
			l.t.table.SetColumnWidth(n-1, w)
		}
	}
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *dataTableLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	rows := max(l.t.src.count(), l.t.minRows)
	if l.t.maxRows > 0 {
		rows = min(rows, l.t.maxRows)
	} else {
		rows = l.t.minRows
	}
	return fyne.NewSize(0, float32(rows+1)*l.t.rowH+theme.Padding())
}

// markRow gives a cell's background the selection colour when its row is
// the chosen one, refreshing only on a change.
func markRow(bg *canvas.Rectangle, chosen bool) {
	fill := color.Color(color.Transparent)
	if chosen {
		fill = theme.Color(theme.ColorNameSelection)
	}
	if bg.FillColor != fill {
		bg.FillColor = fill
		bg.Refresh()
	}
}

// listColumn is one column of a listSource: the dataColumn, how a record
// shows in it, and optionally how it orders records (by default, by the
// cells' whole values, numbers as numbers).
type listColumn[T any] struct {
	dataColumn
	cell    func(*T) dataCell
	compare func(a, b *T) int // nil: by the cells' values
}

// listSource is the tableSource of a slice of records held in memory:
// it builds the cells of the rows asked for only, lets through the records
// keep accepts (nil: all) and sorts by any column. A record is known by
// key; with no key function (records without an identity of their own,
// such as the entries of an append-only history) by its index in the
// slice.
type listSource[T any] struct {
	items []T
	cols  []listColumn[T]
	key   func(*T) any // nil: the record's index
	keep  func(*T) bool

	shown   []int // indices into items, in the order shown
	sortCol int   // -1: the items' own order
	desc    bool
}

// newListSource makes a source over no records yet; set gives it some.
// key may be nil: records are then known by their index.
func newListSource[T any](cols []listColumn[T], key func(*T) any) *listSource[T] {
	return &listSource[T]{cols: cols, key: key, sortCol: -1}
}

// keyAt is the key of items[i].
func (s *listSource[T]) keyAt(i int) any {
	if s.key == nil {
		return i
	}
	return s.key(&s.items[i])
}

// table makes a dataTable over the source, minRows to maxRows rows high
// (maxRows 0: it fills its pane).
func (s *listSource[T]) table(u *UI, minRows, maxRows int) *dataTable {
	return newDataTable(u, s.columns(), s, minRows, maxRows)
}

// columns returns the dataColumns of the source's columns.
func (s *listSource[T]) columns() []dataColumn {
	out := make([]dataColumn, len(s.cols))
	for i, c := range s.cols {
		out[i] = c.dataColumn
	}
	return out
}

// set replaces the records and filters and orders them again; the table
// must reload.
func (s *listSource[T]) set(items []T) {
	s.items = items
	s.filter()
}

// filter lets through the records keep accepts, in the current order.
func (s *listSource[T]) filter() {
	s.shown = s.shown[:0]
	for i := range s.items {
		if s.keep == nil || s.keep(&s.items[i]) {
			s.shown = append(s.shown, i)
		}
	}
	if s.sortCol >= 0 {
		s.sortBy(s.sortCol, s.desc)
	}
}

// item returns the record shown in row r, or nil.
func (s *listSource[T]) item(r int) *T {
	if r < 0 || r >= len(s.shown) {
		return nil
	}
	return &s.items[s.shown[r]]
}

// find returns the record with key, shown or not, or nil.
func (s *listSource[T]) find(key any) *T {
	if key == nil {
		return nil
	}
	for i := range s.items {
		if s.keyAt(i) == key {
			return &s.items[i]
		}
	}
	return nil
}

func (s *listSource[T]) count() int { return len(s.shown) }

func (s *listSource[T]) rows(from, to int) []tableRow {
	from, to = max(from, 0), min(to, len(s.shown))
	out := make([]tableRow, 0, max(to-from, 0))
	for _, i := range s.shown[from:max(from, to)] {
		it := &s.items[i]
		cells := make([]dataCell, len(s.cols))
		for c, col := range s.cols {
			cells[c] = col.cell(it)
		}
		out = append(out, tableRow{key: s.keyAt(i), cells: cells})
	}
	return out
}

func (s *listSource[T]) rowOf(key any) int {
	if key == nil {
		return -1
	}
	for r, i := range s.shown {
		if s.keyAt(i) == key {
			return r
		}
	}
	return -1
}

func (s *listSource[T]) sortBy(col int, desc bool) bool {
	if col < 0 || col >= len(s.cols) || s.cols[col].noSort {
		return false
	}
	s.sortCol, s.desc = col, desc
	c := s.cols[col]
	byIndex := func(a, b int) int { return cmp.Compare(a, b) }
	var compare func(a, b int) int
	if c.compare != nil {
		compare = func(a, b int) int { return c.compare(&s.items[a], &s.items[b]) }
	} else {
		keys := make(map[int]string, len(s.shown))
		for _, i := range s.shown {
			keys[i] = c.cell(&s.items[i]).whole()
		}
		compare = func(a, b int) int { return naturalCompare(keys[a], keys[b]) }
	}
	slices.SortStableFunc(s.shown, func(a, b int) int {
		r := compare(a, b)
		if r == 0 {
			r = byIndex(a, b) // the records' own order breaks ties, both ways
			return r
		}
		if desc {
			return -r
		}
		return r
	})
	return true
}

// naturalCompare orders two cell values: as numbers when both are
// integers, else as text, ignoring case.
func naturalCompare(a, b string) int {
	if x, err := strconv.ParseInt(strings.ReplaceAll(a, ",", ""), 10, 64); err == nil {
		if y, err := strconv.ParseInt(strings.ReplaceAll(b, ",", ""), 10, 64); err == nil {
			return cmp.Compare(x, y)
		}
	}
	if r := cmp.Compare(strings.ToLower(a), strings.ToLower(b)); r != 0 {
		return r
	}
	return cmp.Compare(a, b)
}
