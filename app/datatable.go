package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dataCell is what one cell of a dataTable shows.
type dataCell struct {
	text string
	imp  widget.Importance
	mono bool
	bold bool
}

// cell is a plain cell.
func cell(text string) dataCell { return dataCell{text: text} }

// dataColumn is one column of a dataTable: its title and the widest it
// grows to fit its values.
type dataColumn struct {
	title string
	width float32
}

// dataTable is a read-only table of records (stage changes, indicators,
// actions, repair items…) with a header, columns sized to their values,
// the last column filling the free width, and a chosen row marked with the
// selection colour. It draws only the rows on screen. Its height follows its
// rows between minRows and maxRows, so a short list takes little room on a
// page and a long one scrolls inside the table.
type dataTable struct {
	cols     []dataColumn
	rows     [][]dataCell
	selected int // the chosen row, -1 for none
	onSelect func(row int)

	minRows, maxRows int
	rowH             float32 // the height of a row, measured when rows are set

	table  *widget.Table
	layout *dataTableLayout
	box    *fyne.Container
}

func newDataTable(cols []dataColumn, minRows, maxRows int) *dataTable {
	t := &dataTable{cols: cols, selected: -1, minRows: minRows, maxRows: maxRows}
	t.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.rows), len(t.cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewStack(canvas.NewRectangle(color.Transparent), l)
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			bg, l := c.Objects[0].(*canvas.Rectangle), c.Objects[1].(*widget.Label)
			if id.Row >= len(t.rows) || id.Col >= len(t.rows[id.Row]) {
				l.SetText("")
				return
			}
			d := t.rows[id.Row][id.Col]
			l.Importance = d.imp
			l.TextStyle = fyne.TextStyle{Monospace: d.mono, Bold: d.bold}
			l.SetText(d.text)
			markRow(bg, id.Row == t.selected)
		},
	)
	setTitleHeader(t.table, len(t.cols), func(col int) string { return t.cols[col].title })
	t.table.OnSelected = func(id widget.TableCellID) {
		t.table.UnselectAll() // the row background marks the choice
		if id.Row >= 0 && id.Row < len(t.rows) {
			t.choose(id.Row)
		}
	}
	t.rowH = rowHeight()
	t.layout = &dataTableLayout{t: t}
	t.box = container.New(t.layout, t.table)
	return t
}

// choose marks row (-1: none) and tells onSelect.
func (t *dataTable) choose(row int) {
	t.selected = row
	t.table.Refresh()
	if t.onSelect != nil {
		t.onSelect(row)
	}
}

// set shows rows, keeping the chosen row when it still exists.
func (t *dataTable) set(rows [][]dataCell) {
	t.rows = rows
	t.rowH = rowHeight()
	if t.selected >= len(rows) {
		t.selected = -1
	}
	pad := 2*theme.InnerPadding() + theme.Padding()
	widths := make([]float32, len(t.cols))
	for c, col := range t.cols {
		w := fyne.MeasureText(col.title, theme.TextSize(), fyne.TextStyle{Bold: true}).Width
		for _, r := range rows {
			if c < len(r) {
				w = max(w, fyne.MeasureText(r[c].text, theme.TextSize(), fyne.TextStyle{Monospace: r[c].mono, Bold: r[c].bold}).Width)
			}
		}
		widths[c] = min(w+pad, col.width)
	}
	t.layout.widths = widths
	t.layout.last = -1
	for c, w := range widths {
		t.table.SetColumnWidth(c, w)
	}
	t.box.Refresh()
	t.table.Refresh()
}

// rowHeight is the height of one table row.
func rowHeight() float32 {
	return widget.NewLabel("Ag").MinSize().Height + theme.SeparatorThicknessSize()
}

// dataTableLayout sizes a dataTable: at least minRows and at most maxRows
// rows high, its last column widened to the free width.
type dataTableLayout struct {
	t      *dataTable
	widths []float32
	last   float32
}

func (l *dataTableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if n := len(l.widths); n > 0 {
		free := size.Width - float32(n)*theme.SeparatorThicknessSize() - theme.Padding()
		for _, w := range l.widths[:n-1] {
			free -= w
		}
		// The last column takes the free width; when the others leave it
		// less than its values need, it truncates them rather than push
		// the table into a horizontal scroll, down to a readable minimum.
		w := max(free, min(l.widths[n-1], 160))
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
	rows := min(max(len(l.t.rows), l.t.minRows), l.t.maxRows)
	return fyne.NewSize(0, float32(rows+1)*l.t.rowH+theme.Padding())
}

// markRow gives a cell's background the selection colour when its row is
// the chosen one, refreshing only on a change (every table's cells use it).
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

// setTitleHeader gives t a bold header row whose column col reads title(col).
func setTitleHeader(t *widget.Table, titles int, title func(col int) string) {
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < titles {
			o.(*widget.Label).SetText(title(id.Col))
		}
	}
}
