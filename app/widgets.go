package app

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// maxWidthLayout centres its objects horizontally, no wider than width, and
// gives them the full height.
type maxWidthLayout struct{ width float32 }

func newMaxWidth(width float32, obj fyne.CanvasObject) *fyne.Container {
	return container.New(maxWidthLayout{width}, obj)
}

func (l maxWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, l.width)
	for _, o := range objs {
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
	}
}

func (l maxWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// heading returns a label in the theme's heading size.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameHeadingText
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.Wrapping = fyne.TextWrapWord
	return l
}

// subheading returns a label in the theme's sub-heading size.
func subheading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameSubHeadingText
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// problemLabel returns a hidden label for an inline validation message.
func problemLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// setProblem shows msg in l, or hides l when msg is empty.
func setProblem(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// sentence returns s with its first letter in upper case.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// dialogSize returns a dialog size of at most w×h that fits in win.
func dialogSize(win fyne.Window, w, h float32) fyne.Size {
	c := win.Canvas().Size()
	if c.Width > 0 {
		w = min(w, c.Width-2*theme.Padding())
	}
	if c.Height > 0 && h > 0 {
		h = min(h, c.Height-2*theme.Padding())
	}
	return fyne.NewSize(w, h)
}

// fact is one row of a grid made by factGrids: a name and the object
// showing or editing its value.
type fact struct {
	name  string
	value fyne.CanvasObject
}

// factGrids lays out groups of facts as name/value grids whose name columns
// share one width, so grids stacked on a page line up.
func factGrids(groups ...[]fact) []fyne.CanvasObject {
	var width float32
	name := func(text string) *widget.Label {
		return widget.NewLabelWithStyle(text, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	for _, g := range groups {
		for _, f := range g {
			width = max(width, name(f.name).MinSize().Width)
		}
	}
	grids := make([]fyne.CanvasObject, len(groups))
	for i, g := range groups {
		objs := make([]fyne.CanvasObject, 0, 2*len(g))
		for _, f := range g {
			strut := canvas.NewRectangle(color.Transparent)
			strut.SetMinSize(fyne.NewSize(width, 0))
			objs = append(objs, container.NewStack(strut, name(f.name)), f.value)
		}
		grids[i] = container.New(layout.NewFormLayout(), objs...)
	}
	return grids
}

// section is a titled group on a page: a sub-heading over a card.
func section(title string, content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(subheading(title), widget.NewCard("", "", content))
}

// fitDialog gives d the width w (or less, to fit the window) and the height
// its content needs at that width. Wrapped labels know their height only
// after a layout at the final width, hence two passes.
func fitDialog(win fyne.Window, d dialog.Dialog, content fyne.CanvasObject, w float32) {
	size := dialogSize(win, w, 0)
	d.Resize(size)
	content.Refresh()
	d.Resize(size)
}

// plural writes n with the singular or plural noun: "1 entry", "2 entries".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// copyButton returns a button that puts value() on the clipboard and says
// "Copied" for a moment.
func copyButton(u *UI, value func() string) *widget.Button {
	b := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), nil)
	b.OnTapped = func() {
		u.app.Clipboard().SetContent(value())
		b.SetText("Copied")
		d := u.copiedFor
		if d == 0 {
			d = 2 * time.Second
		}
		if d > 0 {
			time.AfterFunc(d, func() { u.do(func() { b.SetText("Copy") }) })
		}
	}
	b.Importance = widget.LowImportance
	return b
}

// minSizeLayout gives its objects at least a fixed size.
type minSizeLayout struct{ size fyne.Size }

func (l minSizeLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l minSizeLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := l.size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// withHeight shows obj (a list or table, whose own minimum is one row) at
// least height tall.
func withHeight(height float32, obj fyne.CanvasObject) *fyne.Container {
	return container.New(minSizeLayout{fyne.NewSize(0, height)}, obj)
}

// selectFitting gives a Select the width its longest option needs; a Select
// on its own is only as wide as its placeholder.
func selectFitting(s *widget.Select) *fyne.Container {
	return container.New(minSizeLayout{fyne.NewSize(selectWidth(s), 0)}, s)
}

// selectWidth is the width a Select needs to show its longest option.
func selectWidth(s *widget.Select) float32 {
	var w float32
	for _, o := range append([]string{s.PlaceHolder}, s.Options...) {
		w = max(w, fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	return w + theme.IconInlineSize() + 4*theme.InnerPadding()
}

// banner is a panel tinted with a theme colour, for a verdict that must
// stand out: green for success, red for danger.
func banner(colour fyne.ThemeColorName, content fyne.CanvasObject) fyne.CanvasObject {
	c := theme.Color(colour)
	r, g, b, _ := c.RGBA()
	bg := canvas.NewRectangle(color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x26})
	bg.StrokeColor = c
	bg.StrokeWidth = 1
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(bg, container.NewPadded(content))
}

// relayout lays c out again after a wrapped label in it changed. A wrapped
// label knows its height only once laid out at its final width, hence two
// passes (as in fitDialog).
func relayout(c *fyne.Container) {
	c.Refresh()
	c.Refresh()
}

// fillLastColumn lays out one table and widens its last column to the
// table's free width, so a table narrower than its pane has no empty band
// at the right and its last column (often free text) shows as much as fits.
// widths holds the natural width of every column.
type fillLastColumn struct {
	table  *widget.Table
	widths []float32
	last   float32 // the width last given to the last column
}

func (l *fillLastColumn) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if n := len(l.widths); n > 0 {
		free := size.Width - float32(n)*theme.SeparatorThicknessSize() - theme.Padding()
		for _, w := range l.widths[:n-1] {
			free -= w
		}
		w := max(l.widths[n-1], free)
		if w != l.last {
			l.last = w
			l.table.SetColumnWidth(n-1, w)
		}
	}
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *fillLastColumn) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// setWidths sets the natural column widths of the table and lays it out.
func (l *fillLastColumn) setWidths(widths []float32, box *fyne.Container) {
	l.widths = widths
	l.last = -1
	for c, w := range widths {
		l.table.SetColumnWidth(c, w)
	}
	box.Refresh()
}

// choosePath opens the file dialog, or with folder the folder dialog, where
// entry points (or in the default folder) and puts the chosen path into
// entry. The file dialog opens the chosen file for reading; it is closed at
// once, only its path is used, and the folder dialog touches no file.
func (u *UI) choosePath(entry *widget.Entry, folder bool) {
	what := "file"
	if folder {
		what = "folder"
	}
	done := func(path string, err error) {
		if err != nil {
			u.showError("The "+what+" could not be chosen", err, nil)
		} else if path != "" {
			entry.SetText(path)
		}
	}
	var d *dialog.FileDialog
	if folder {
		d = dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
			path := ""
			if dir != nil {
				path = dir.Path()
			}
			done(path, err)
		}, u.win)
	} else {
		d = dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			path := ""
			if r != nil {
				path = r.URI().Path()
				r.Close()
			}
			done(path, err)
		}, u.win)
	}
	dir := strings.TrimSpace(entry.Text)
	if dir != "" && !isDir(dir) {
		dir = filepath.Dir(dir)
	}
	if !isDir(dir) {
		dir = defaultFolder(u.cfg.DefaultFolder)
	}
	if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
		d.SetLocation(l)
	}
	d.Resize(dialogSize(u.win, 860, 600))
	d.Show()
}
