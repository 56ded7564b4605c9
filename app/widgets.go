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
	"fyne.io/fyne/v2/driver/desktop"
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

// copyButton returns a button called label that puts value() on the
// clipboard and says "Copied" for a moment.
func copyButton(u *UI, label string, value func() string) *widget.Button {
	b := widget.NewButtonWithIcon(label, theme.ContentCopyIcon(), nil)
	b.OnTapped = func() {
		u.app.Clipboard().SetContent(value())
		b.SetText("Copied")
		d := u.copiedFor
		if d == 0 {
			d = 2 * time.Second
		}
		if d > 0 {
			time.AfterFunc(d, func() { u.do(func() { b.SetText(label) }) })
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
	return selectWidthOf(append([]string{s.PlaceHolder}, s.Options...))
}

// selectWidthOf is the width a Select needs to show the longest of
// options (and a form's placeholder).
func selectWidthOf(options []string) float32 {
	var w float32
	for _, o := range append([]string{"(Choose one)"}, options...) {
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

// choosePath opens the file dialog, or with folder the folder dialog, where
// entry points (or in the default folder) and puts the chosen path into
// entry. The file dialog opens the chosen file for reading; it is closed at
// once, only its path is used, and the folder dialog touches no file.
func (u *UI) choosePath(entry *formEntry, folder bool) {
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

// valueLabel is a selectable, wrapping label for a value on a page.
func valueLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	return l
}

// mutedLabel is a wrapping label in the caption size, for notes and
// histories. (The low-importance colour is too faint to read on the dark
// theme.)
func mutedLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// sectionWith is a section whose heading has buttons at its right. The
// heading and the buttons wrap onto two rows in a narrow window rather
// than widen it.
func sectionWith(title string, content fyne.CanvasObject, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	head := container.NewBorder(nil, nil, nil, container.NewHBox(buttons...), subheading(title))
	return container.NewVBox(head, widget.NewCard("", "", content))
}

// historyLines writes records as lines for a history label, newest first,
// at most limit of them, or says there are none.
func historyLines(n, limit int, line func(i int) string) string {
	if n == 0 {
		return "No earlier decisions."
	}
	var out []string
	for i := n - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, line(i))
	}
	if n > limit {
		out = append(out, fmt.Sprintf("… and %d earlier", n-limit))
	}
	return strings.Join(out, "\n")
}

// actionButton is a button that changes the case. While it is disabled it
// says why: tapping it shows the reason under it, hovering it puts the
// reason in the case view's status line, and whyNot returns it. A change
// a person cannot make now names what stands in the way (the incident is
// closed, the case failed verification, nothing is chosen).
type actionButton struct {
	widget.Button
	reason string           // why it is disabled; "" while enabled
	status func(why string) // shows why in the status line ("" clears it); nil for none
	tip    *widget.PopUp    // the reason, on screen after a tap
}

// newActionButton makes an enabled action button.
func newActionButton(text string, icon fyne.Resource, tapped func()) *actionButton {
	b := &actionButton{}
	b.Text, b.Icon, b.OnTapped = text, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// allow enables b when why is "", else disables it saying why.
func (b *actionButton) allow(why string) {
	b.reason = why
	if why == "" {
		b.hideTip()
		b.Enable()
		return
	}
	b.Disable()
}

// whyNot is why b is disabled, or "" while it is enabled.
func (b *actionButton) whyNot() string {
	if !b.Disabled() {
		return ""
	}
	return b.reason
}

// Tapped runs the action, or shows why it cannot run now.
func (b *actionButton) Tapped(e *fyne.PointEvent) {
	if b.Disabled() {
		b.showTip()
		return
	}
	b.Button.Tapped(e)
}

// MouseIn puts the reason of a disabled button in the status line.
func (b *actionButton) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	if b.status != nil && b.whyNot() != "" {
		b.status(b.Text + " is not available: " + b.reason)
	}
}

// MouseOut clears the status line.
func (b *actionButton) MouseOut() {
	b.Button.MouseOut()
	if b.status != nil {
		b.status("")
	}
}

// showTip shows why the button is disabled in a popup under it.
func (b *actionButton) showTip() {
	why := b.whyNot()
	c := fyne.CurrentApp().Driver().CanvasForObject(b)
	if why == "" || c == nil {
		return
	}
	b.hideTip()
	why = b.Text + " is not available: " + why
	l := widget.NewLabel(why)
	l.Wrapping = fyne.TextWrapWord
	w := min(max(fyne.MeasureText(why, theme.TextSize(), fyne.TextStyle{}).Width+2*theme.InnerPadding(), 200), 420)
	b.tip = widget.NewPopUp(container.New(minSizeLayout{fyne.NewSize(w, 0)}, l), c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b).AddXY(0, b.Size().Height)
	size, cs := b.tip.MinSize(), c.Size()
	pos.X = max(min(pos.X, cs.Width-size.Width), 0)
	pos.Y = max(min(pos.Y, cs.Height-size.Height), 0)
	b.tip.ShowAtPosition(pos)
}

// hideTip hides the popup of showTip.
func (b *actionButton) hideTip() {
	if b.tip != nil {
		b.tip.Hide()
		b.tip = nil
	}
}
