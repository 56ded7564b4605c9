package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The keyboard in a form. Every field of a recordForm is one of the
// widgets below, which know the form they belong to:
//
//   - Tab and Shift+Tab move the focus to the next and previous field,
//     also out of a multi-line entry (a Fyne multi-line entry keeps Tab
//     for itself; formEntry does not).
//   - Escape cancels the form, from any field.
//   - Enter in a one-line field submits the form; in a multi-line entry it
//     starts a new line, and Ctrl+Enter (Cmd+Enter on macOS) submits from
//     any field.
//   - Focus is visible: the entries, selects, check boxes and buttons draw
//     Fyne's focus mark, and a choiceGroup outlines its focused option.

// formKeys is what the keys pressed in a form's fields do.
type formKeys struct {
	submit func() // Enter in a one-line field, Ctrl+Enter anywhere
	cancel func() // Escape
	// submitAll, when set, is what Ctrl+Enter does instead of submit: for
	// fields whose Enter adds a row (a location) rather than saving.
	submitAll func()
}

// typed handles the keys every field shares; it reports whether it did.
func (k *formKeys) typed(ev *fyne.KeyEvent, oneLine bool) bool {
	if k == nil {
		return false
	}
	switch ev.Name {
	case fyne.KeyEscape:
		k.cancel()
		return true
	case fyne.KeyReturn, fyne.KeyEnter:
		if oneLine {
			k.submit()
			return true
		}
	}
	return false
}

// shortcut handles Ctrl+Enter (Cmd+Enter); it reports whether it did.
func (k *formKeys) shortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if k == nil || !ok || (cs.KeyName != fyne.KeyReturn && cs.KeyName != fyne.KeyEnter) ||
		(cs.Modifier != fyne.KeyModifierControl && cs.Modifier != fyne.KeyModifierSuper) {
		return false
	}
	if k.submitAll != nil {
		k.submitAll()
	} else {
		k.submit()
	}
	return true
}

// formEntry is a text entry of a form.
type formEntry struct {
	widget.Entry
	keys  *formKeys
	shift bool // Shift is held, for Shift+Tab from drivers that send Tab as a key
}

// newFormEntry makes a one-line entry, or a multi-line one rows lines
// high (rows > 0), of the form with keys.
func newFormEntry(keys *formKeys, rows int) *formEntry {
	e := &formEntry{keys: keys}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	if rows > 0 {
		e.MultiLine = true
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	if rows > 0 {
		e.SetMinRowsVisible(rows)
	}
	return e
}

// newFormPassword makes a one-line passphrase entry with a button that
// shows what was typed.
func newFormPassword(keys *formKeys) *formEntry {
	e := newFormEntry(keys, 0)
	e.Password = true
	var reveal *widget.Button
	reveal = widget.NewButtonWithIcon("", theme.VisibilityOffIcon(), func() {
		e.Password = !e.Password
		if e.Password {
			reveal.SetIcon(theme.VisibilityOffIcon())
		} else {
			reveal.SetIcon(theme.VisibilityIcon())
		}
		e.Refresh()
	})
	reveal.Importance = widget.LowImportance
	e.ActionItem = reveal
	return e
}

// AcceptsTab is false: Tab moves the focus on, also out of a multi-line
// entry.
func (e *formEntry) AcceptsTab() bool { return false }

// KeyDown notes Shift, then lets the entry handle the key.
func (e *formEntry) KeyDown(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(ev)
}

// KeyUp notes Shift released, then lets the entry handle the key.
func (e *formEntry) KeyUp(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(ev)
}

// TypedKey handles Escape, Enter and Tab as the form's keys, and every
// other key as an entry does.
func (e *formEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyTab {
		// Desktop drivers move the focus themselves (AcceptsTab is false);
		// others hand Tab to the entry.
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil {
			if e.shift {
				c.FocusPrevious()
			} else {
				c.FocusNext()
			}
		}
		return
	}
	if e.keys.typed(ev, !e.MultiLine) {
		return
	}
	e.Entry.TypedKey(ev)
}

// TypedShortcut submits the form on Ctrl+Enter; other shortcuts are an
// entry's (copy, paste, undo…).
func (e *formEntry) TypedShortcut(s fyne.Shortcut) {
	if e.keys.shortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// formSelect is a drop-down of a form.
type formSelect struct {
	widget.Select
	keys *formKeys
}

func newFormSelect(keys *formKeys, options []string) *formSelect {
	s := &formSelect{keys: keys}
	s.Options = options
	s.PlaceHolder = "(Choose one)"
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey handles Escape and Enter as the form's keys; Space and the
// arrows open and move through the options as in any select.
func (s *formSelect) TypedKey(ev *fyne.KeyEvent) {
	if !s.keys.typed(ev, true) {
		s.Select.TypedKey(ev)
	}
}

// TypedShortcut submits the form on Ctrl+Enter.
func (s *formSelect) TypedShortcut(sc fyne.Shortcut) { s.keys.shortcut(sc) }

// formCheck is a check box of a form.
type formCheck struct {
	widget.Check
	keys *formKeys
}

func newFormCheck(keys *formKeys, label string, changed func(bool)) *formCheck {
	c := &formCheck{keys: keys}
	c.Text = label
	c.OnChanged = changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey handles Escape and Enter as the form's keys; Space ticks.
func (c *formCheck) TypedKey(ev *fyne.KeyEvent) {
	if !c.keys.typed(ev, true) {
		c.Check.TypedKey(ev)
	}
}

// TypedShortcut submits the form on Ctrl+Enter.
func (c *formCheck) TypedShortcut(sc fyne.Shortcut) { c.keys.shortcut(sc) }

// formButton is a button of a form: Escape cancels the form, Enter and
// Space press the button.
type formButton struct {
	widget.Button
	keys *formKeys
}

func newFormButton(keys *formKeys, text string, icon fyne.Resource, tapped func()) *formButton {
	b := &formButton{keys: keys}
	b.Text = text
	b.Icon = icon
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Enter (and Space), cancels on Escape.
func (b *formButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
		return
	case fyne.KeyEscape:
		if b.keys != nil {
			b.keys.cancel()
			return
		}
	}
	b.Button.TypedKey(ev)
}

// TypedShortcut submits the form on Ctrl+Enter.
func (b *formButton) TypedShortcut(sc fyne.Shortcut) { b.keys.shortcut(sc) }

// checkList is a set of check boxes of a form, one per option, in a
// column (or in columns side by side): each is a stop of Tab, and Space
// ticks it. It is shown through box.
type checkList struct {
	options []string
	checks  []*formCheck
	box     *fyne.Container
}

// newCheckList makes the check boxes of options in columns columns (1: a
// column); changed, if not nil, runs after every tick.
func newCheckList(keys *formKeys, options []string, columns int, changed func()) *checkList {
	l := &checkList{options: options, box: container.NewGridWithColumns(max(columns, 1))}
	for _, o := range options {
		c := newFormCheck(keys, o, func(bool) {
			if changed != nil {
				changed()
			}
		})
		l.checks = append(l.checks, c)
		l.box.Add(c)
	}
	return l
}

// check returns the check box of option o, or nil.
func (l *checkList) check(o string) *formCheck {
	for i, x := range l.options {
		if x == o {
			return l.checks[i]
		}
	}
	return nil
}

// Selected returns the ticked options, in order.
func (l *checkList) Selected() []string {
	var out []string
	for i, c := range l.checks {
		if c.Checked {
			out = append(out, l.options[i])
		}
	}
	return out
}

// SetSelected ticks exactly the options in sel.
func (l *checkList) SetSelected(sel []string) {
	for i, c := range l.checks {
		on := false
		for _, s := range sel {
			on = on || s == l.options[i]
		}
		c.SetChecked(on)
	}
}

// choiceGroup is a set of exclusive options of a form, drawn as radio
// buttons. It is one stop of Tab, as a native radio group is: the arrow
// keys move the choice, Space chooses the option under the focus mark,
// Escape and Enter are the form's. The focused option is outlined.
type choiceGroup struct {
	widget.DisableableWidget
	Options    []string
	Selected   string
	Horizontal bool
	OnChanged  func(string)

	keys    *formKeys
	focused bool
	cursor  int // the option the focus mark is on
	items   []*fyne.Container
}

func newChoiceGroup(keys *formKeys, options []string, changed func(string)) *choiceGroup {
	g := &choiceGroup{keys: keys, Options: options, OnChanged: changed}
	g.ExtendBaseWidget(g)
	return g
}

// SetSelected chooses option s ("" for none) and tells OnChanged.
func (g *choiceGroup) SetSelected(s string) {
	if s == g.Selected {
		return
	}
	g.Selected = s
	for i, o := range g.Options {
		if o == s {
			g.cursor = i
		}
	}
	g.Refresh()
	if g.OnChanged != nil {
		g.OnChanged(s)
	}
}

func (g *choiceGroup) CreateRenderer() fyne.WidgetRenderer {
	r := &choiceRenderer{g: g, box: container.NewVBox()}
	r.Refresh()
	return r
}

// Tapped chooses the option under the pointer.
func (g *choiceGroup) Tapped(e *fyne.PointEvent) {
	if g.Disabled() {
		return
	}
	for i, it := range g.items {
		p, s := it.Position(), it.Size()
		if e.Position.X >= p.X && e.Position.X < p.X+s.Width && e.Position.Y >= p.Y && e.Position.Y < p.Y+s.Height {
			g.cursor = i
			if c := fyne.CurrentApp().Driver().CanvasForObject(g); c != nil {
				c.Focus(g)
			}
			g.SetSelected(g.Options[i])
			return
		}
	}
}

// FocusGained shows the focus mark.
func (g *choiceGroup) FocusGained() {
	g.focused = true
	g.Refresh()
}

// FocusLost hides the focus mark.
func (g *choiceGroup) FocusLost() {
	g.focused = false
	g.Refresh()
}

// TypedRune chooses the option under the focus mark on Space.
func (g *choiceGroup) TypedRune(r rune) {
	if r == ' ' && !g.Disabled() && g.cursor < len(g.Options) {
		g.SetSelected(g.Options[g.cursor])
	}
}

// TypedKey moves the choice with the arrow keys; Escape and Enter are the
// form's.
func (g *choiceGroup) TypedKey(ev *fyne.KeyEvent) {
	if g.keys.typed(ev, true) || g.Disabled() || len(g.Options) == 0 {
		return
	}
	switch ev.Name {
	case fyne.KeyDown, fyne.KeyRight:
		g.cursor = (g.cursor + 1) % len(g.Options)
	case fyne.KeyUp, fyne.KeyLeft:
		g.cursor = (g.cursor + len(g.Options) - 1) % len(g.Options)
	default:
		return
	}
	g.SetSelected(g.Options[g.cursor])
}

// TypedShortcut submits the form on Ctrl+Enter.
func (g *choiceGroup) TypedShortcut(sc fyne.Shortcut) { g.keys.shortcut(sc) }

// focusMarked reports whether the focus mark is drawn on option i.
func (g *choiceGroup) focusMarked(i int) bool { return g.focused && i == g.cursor }

type choiceRenderer struct {
	g   *choiceGroup
	box *fyne.Container
}

func (r *choiceRenderer) Destroy()                     {}
func (r *choiceRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.box} }
func (r *choiceRenderer) MinSize() fyne.Size           { return r.box.MinSize() }
func (r *choiceRenderer) Layout(s fyne.Size)           { r.box.Resize(s) }

func (r *choiceRenderer) Refresh() {
	g := r.g
	if g.Horizontal {
		r.box.Layout = layout.NewHBoxLayout()
	} else {
		r.box.Layout = layout.NewVBoxLayout()
	}
	g.items = g.items[:0]
	objs := make([]fyne.CanvasObject, len(g.Options))
	for i, o := range g.Options {
		res := theme.RadioButtonIcon()
		if o == g.Selected {
			res = theme.RadioButtonCheckedIcon()
		}
		switch {
		case g.Disabled():
			res = theme.NewDisabledResource(res)
		case o == g.Selected:
			res = theme.NewPrimaryThemedResource(res)
		}
		icon := widget.NewIcon(res)
		label := widget.NewLabel(o)
		if g.Disabled() {
			label.Importance = widget.LowImportance
		}
		mark := canvas.NewRectangle(color.Transparent)
		mark.CornerRadius = theme.InputRadiusSize()
		if g.focusMarked(i) {
			mark.FillColor = theme.Color(theme.ColorNameFocus)
		}
		item := container.NewStack(mark, container.NewHBox(icon, label))
		g.items = append(g.items, item)
		objs[i] = item
	}
	r.box.Objects = objs
	r.box.Refresh()
}
