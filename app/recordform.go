package app

import (
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// recordForm is the one form of the GUI: every dialog that asks for
// values (a stage move, a classification, a finding, an examiner, the
// evidence to add, where to extract it, the passphrase) and the new-case
// screen are recordForms. A form is built from:
//
//   - fields in groups (section starts a titled group): each a name, the
//     widget that edits it (formEntry, formSelect, formCheck, checkList,
//     choiceGroup: see formkeys.go for their keys) and a problem slot under
//     it, one line high from the start, so a problem shown or cleared
//     moves no field; a problem wider than its field is cut there and
//     shown whole in the band;
//   - the form-level band above the buttons, also of fixed height: what
//     the form is doing (with an activity), or a refusal by casefile with
//     its hint, scrolling inside the band when longer;
//   - check, which shows each field's problem (once Save was pressed, then
//     as the user types; from the start when live) and says whether the
//     form can be saved;
//   - what Save does, one of: build, a change of the open case that
//     UI.change runs and after which the views show the facts read again;
//     job, work of its own off the UI goroutine (unlock a case, add an
//     examiner) with the form busy until it ends; or hand, which closes
//     the form and hands its values on (an ingest, an extraction, with a
//     progress dialog of their own).
//
// A refusal (refused: by default casefile's refusals of a rule, a guard,
// an invalid value) shows in the band, keeping what was typed; any other
// failure goes to an error dialog. The dialog is sized once when shown
// and only again when the user adds or removes rows; validation never
// resizes it, so nothing moves under the pointer.
type recordForm struct {
	u     *UI
	title string
	keys  *formKeys

	intro    *widget.Label
	groups   []formGroup
	order    []string                     // field names, in order
	fields   map[string]fyne.CanvasObject // by name (without " *"), for tests
	lists    map[string]*checkList        // the check lists among them, by name
	problems map[string]*problemSlot      // the slot under each field
	before   []fyne.CanvasObject          // shown between the intro and the fields
	after    []fyne.CanvasObject          // shown under the fields
	problem  *widget.Label                // the form-level problem: casefile's refusal
	cutText  *widget.Label                // the problems cut short under their fields, whole
	bandBox  *fyne.Container              // what the band holds
	slots    []namedSlot                  // problem slots that are not a field's (a row of a list)
	activity *widget.Activity             // shown while the form works
	status   *widget.Label                // says what it is doing
	busyText string                       // what status says while working
	save     *formButton
	cancel   *formButton
	width    float32 // the dialog's width
	inner    *fyne.Container
	body     fyne.CanvasObject // the fields and the band, as shown
	dlg      *dialog.CustomDialog
	onScreen bool // shown as the window's content (the new-case form), not as a dialog
	root     fyne.CanvasObject
	closed   bool
	handed   bool // closed by Save to hand its values on (hand)
	working  bool
	locked   []fyne.Disableable // the fields disabled while working
	prevKey  func(*fyne.KeyEvent)

	checked bool // Save was pressed once: check as the user types
	live    bool // check as the user types from the start

	changes factSet // the facts build's change makes stale; factsIncident|factsCustody unless set

	check func() bool                       // shows inline problems; reports whether the form can be saved
	build func() func(*casefile.Case) error // a change of the open case, read on the UI goroutine
	job   func() func() (func(), error)     // work of its own: returns the work, which returns what to apply
	hand  func()                            // hands the values on once the form is closed
	saved func()                            // runs on the UI goroutine after a successful save

	refused   func(error) bool // the failures shown in the form; nil: refusedInForm
	onRefused func(error)      // runs after a refusal is shown
	failTitle string           // the error dialog's title; "" for title + " failed"
	failClose bool             // close the form before showing a failure
	onCancel  func()           // runs after Cancel or Escape closed the form
	onClosed  func()           // runs once the form is closed, however
}

// formGroup is a titled group of fields ("" for none).
type formGroup struct {
	title string
	facts []fact
}

// newRecordForm starts a form titled title whose button says saveText.
// intro, when not "", is a paragraph above the fields.
func (u *UI) newRecordForm(title, saveText, intro string) *recordForm {
	f := &recordForm{u: u, title: title, fields: map[string]fyne.CanvasObject{}, problems: map[string]*problemSlot{},
		lists: map[string]*checkList{}, width: 640, busyText: "Recording…", groups: []formGroup{{}}}
	f.keys = &formKeys{submit: f.submit, cancel: f.userCancel}
	f.intro = widget.NewLabel(intro)
	f.intro.Wrapping = fyne.TextWrapWord
	if intro == "" {
		f.intro.Hide()
	}
	f.problem = problemLabel()
	f.cutText = problemLabel()
	f.activity = widget.NewActivity()
	f.activity.Hide()
	f.status = widget.NewLabel("")
	f.status.Hide()
	f.save = newFormButton(f.keys, saveText, theme.ConfirmIcon(), f.submit)
	f.save.Importance = widget.HighImportance
	f.cancel = newFormButton(f.keys, "Cancel", theme.CancelIcon(), f.userCancel)
	return f
}

// fieldName is a field's name without the mark of a required field.
func fieldName(label string) string { return strings.TrimSuffix(label, " *") }

// section starts a new group of fields titled title.
func (f *recordForm) section(title string) {
	if g := &f.groups[len(f.groups)-1]; len(g.facts) == 0 {
		g.title = title
		return
	}
	f.groups = append(f.groups, formGroup{title: title})
}

// add puts obj in the form under label ("Name *" marks a required field)
// with its problem slot under it, and returns the slot.
func (f *recordForm) add(label string, obj fyne.CanvasObject) *problemSlot {
	name := fieldName(label)
	p := newProblemSlot(f.showCut)
	f.fields[name] = obj
	f.problems[name] = p
	f.order = append(f.order, name)
	g := &f.groups[len(f.groups)-1]
	g.facts = append(g.facts, fact{label, container.NewVBox(obj, p.box)})
	return p
}

// note puts obj in the form under label as a fact with no problem of its
// own (a suggestion, a note).
func (f *recordForm) note(label string, obj fyne.CanvasObject) {
	g := &f.groups[len(f.groups)-1]
	g.facts = append(g.facts, fact{label, obj})
	f.fields[fieldName(label)] = obj
}

// entry adds a one-line entry.
func (f *recordForm) entry(label, placeholder string) *formEntry {
	e := newFormEntry(f.keys, 0)
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { f.recheck() }
	f.add(label, e)
	return e
}

// password adds a one-line passphrase entry.
func (f *recordForm) password(label, placeholder string) *formEntry {
	e := newFormPassword(f.keys)
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { f.recheck() }
	f.add(label, e)
	return e
}

// text adds a multi-line entry rows lines high.
func (f *recordForm) text(label, placeholder string, rows int) *formEntry {
	e := newFormEntry(f.keys, rows)
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { f.recheck() }
	f.add(label, e)
	return e
}

// choice adds a drop-down of options with selected chosen.
func (f *recordForm) choice(label string, options []string, selected string) *formSelect {
	s := newFormSelect(f.keys, options)
	if selected != "" {
		s.SetSelected(selected)
	}
	s.OnChanged = func(string) { f.recheck() }
	f.add(label, s)
	return s
}

// radio adds a set of exclusive options, side by side, with selected
// chosen.
func (f *recordForm) radio(label string, options []string, selected string) *choiceGroup {
	g := newChoiceGroup(f.keys, options, nil)
	g.Horizontal = true
	g.Selected = selected
	for i, o := range options {
		if o == selected {
			g.cursor = i
		}
	}
	g.OnChanged = func(string) { f.recheck() }
	f.add(label, g)
	return g
}

// checks adds a check box per option, in columns columns, ticked for
// those in selected.
func (f *recordForm) checks(label string, options, selected []string, columns int) *checkList {
	l := newCheckList(f.keys, options, columns, f.recheck)
	l.SetSelected(selected)
	f.add(label, l.box)
	f.lists[fieldName(label)] = l
	return l
}

// check box adds one check box.
func (f *recordForm) checkBox(label, text string, changed func(bool)) *formCheck {
	c := newFormCheck(f.keys, text, func(on bool) {
		if changed != nil {
			changed(on)
		}
		f.recheck()
	})
	f.add(label, c)
	return c
}

// button makes a button of the form (Choose…, Add location…), which keeps
// the form's keys.
func (f *recordForm) button(text string, icon fyne.Resource, tapped func()) *formButton {
	return newFormButton(f.keys, text, icon, tapped)
}

// recheck checks the form again after a change, once Save was pressed
// (or from the start when live).
func (f *recordForm) recheck() {
	if (f.checked || f.live) && f.check != nil {
		f.check()
	}
}

// setProblem shows msg under the field called name ("" clears it).
func (f *recordForm) setProblem(name, msg string) {
	if p := f.problems[name]; p != nil {
		p.set(msg)
	}
}

// problemText returns the problem shown under the field called name.
func (f *recordForm) problemText(name string) string {
	if p := f.problems[name]; p != nil && p.label.Visible() {
		return p.label.Text
	}
	return ""
}

// require shows under field name that it must be filled when text is
// blank, and reports whether it is filled.
func (f *recordForm) require(name, text, why string) bool {
	if strings.TrimSpace(text) == "" {
		f.setProblem(name, why)
		return false
	}
	f.setProblem(name, "")
	return true
}

// setFormProblem shows msg in the band above the buttons ("" clears it).
func (f *recordForm) setFormProblem(msg string) {
	f.problem.SetText(msg)
	if msg == "" {
		f.problem.Hide()
	} else {
		f.problem.Show()
	}
	if f.bandBox != nil {
		relayout(f.bandBox)
	}
}

// content builds the fields and the band of a dialog once.
func (f *recordForm) content() fyne.CanvasObject {
	if f.body != nil {
		return f.body
	}
	f.buildInner()
	f.body = container.NewBorder(nil, f.band(), nil, nil,
		container.New(&cappedLayout{inner: f.inner, maxHeight: f.maxHeight}, container.NewVScroll(f.inner)))
	return f.body
}

// buildInner lays out the intro, the groups of fields and what goes
// before and after them, once.
func (f *recordForm) buildInner() {
	if f.inner != nil {
		return
	}
	objs := []fyne.CanvasObject{f.intro}
	objs = append(objs, f.before...)
	var groups [][]fact
	for _, g := range f.groups {
		groups = append(groups, g.facts)
	}
	grids := factGrids(groups...)
	for i, g := range f.groups {
		if len(g.facts) == 0 {
			continue
		}
		if g.title != "" {
			objs = append(objs, section(g.title, grids[i]))
		} else {
			objs = append(objs, grids[i])
		}
	}
	objs = append(objs, f.after...)
	f.inner = container.NewVBox(objs...)
}

// band is the form-level band: three lines high from the start, holding
// the activity and status while the form works, or the refusal (which
// scrolls inside the band when it is longer).
func (f *recordForm) band() fyne.CanvasObject {
	lines := float32(3)
	h := lines*fyne.MeasureText("Ag", theme.TextSize(), fyne.TextStyle{}).Height + 2*theme.InnerPadding()
	strut := canvas.NewRectangle(color.Transparent)
	strut.SetMinSize(fyne.NewSize(0, h))
	f.bandBox = container.NewVBox(container.NewHBox(f.activity, f.status), f.problem, f.cutText)
	return container.NewStack(strut, container.NewVScroll(f.bandBox))
}

// namedSlot is a problem slot of the form that is not a field's.
type namedSlot struct {
	name string
	slot *problemSlot
}

// slot makes a problem slot for something in the form that is not a
// field (a location being added, a row of a list), called name in the
// band when its message is cut.
func (f *recordForm) slot(name string) *problemSlot {
	p := newProblemSlot(f.showCut)
	f.slots = append(f.slots, namedSlot{name, p})
	return p
}

// dropSlot forgets a slot of slot whose row was removed.
func (f *recordForm) dropSlot(p *problemSlot) {
	f.slots = slices.DeleteFunc(f.slots, func(s namedSlot) bool { return s.slot == p })
	f.showCut()
}

// showCut shows in the band, whole, every problem cut short under its
// field.
func (f *recordForm) showCut() {
	var lines []string
	for _, name := range f.order {
		if p := f.problems[name]; p != nil && p.cut && p.whole() != "" {
			lines = append(lines, name+": "+p.whole())
		}
	}
	for _, s := range f.slots {
		if s.slot.cut && s.slot.whole() != "" {
			lines = append(lines, s.name+": "+s.slot.whole())
		}
	}
	setProblem(f.cutText, strings.Join(lines, "\n"))
	if f.bandBox != nil {
		relayout(f.bandBox)
	}
}

// show builds the dialog and shows it, with the keyboard in focus (on
// focus, or on the first field when nil).
func (f *recordForm) show(focus fyne.Focusable) {
	u := f.u
	body := f.content()
	f.dlg = dialog.NewCustomWithoutButtons(f.title, body, u.win)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.save})
	f.dlg.SetOnClosed(func() { f.close() })
	u.record = f
	f.takeKeys()
	f.dlg.Show()
	f.fit()
	f.start(focus)
}

// showScreen shows the form as the window's content, its buttons at the
// bottom, no wider than width.
func (f *recordForm) showScreen(head fyne.CanvasObject, focus fyne.Focusable) fyne.CanvasObject {
	f.onScreen = true
	f.buildInner()
	buttons := container.NewHBox(layout.NewSpacer(), f.cancel, f.save)
	page := container.NewVBox(head, f.inner)
	f.root = container.NewBorder(nil,
		container.NewPadded(newMaxWidth(f.width, container.NewVBox(f.band(), buttons))), nil, nil,
		container.NewVScroll(container.NewPadded(newMaxWidth(f.width, page))))
	f.u.win.SetContent(f.root)
	f.takeKeys()
	f.start(focus)
	return f.root
}

// start focuses focus, or the first field that takes the keyboard, and
// checks the form at once when it is live.
func (f *recordForm) start(focus fyne.Focusable) {
	if focus == nil {
		focus = f.firstFocusable()
	}
	if focus != nil {
		f.u.win.Canvas().Focus(focus)
	}
	if f.live && f.check != nil {
		f.check()
	}
}

// firstFocusable returns the first field that takes the keyboard.
func (f *recordForm) firstFocusable() fyne.Focusable {
	for _, name := range f.order {
		if fo := focusableIn(f.fields[name]); fo != nil {
			return fo
		}
	}
	return nil
}

// focusableIn returns the first enabled, visible widget in obj that takes
// the keyboard, or nil.
func focusableIn(obj fyne.CanvasObject) fyne.Focusable {
	if obj == nil || !obj.Visible() {
		return nil
	}
	if fo, ok := obj.(fyne.Focusable); ok {
		if d, ok := obj.(fyne.Disableable); !ok || !d.Disabled() {
			return fo
		}
	}
	if c, ok := obj.(*fyne.Container); ok {
		for _, o := range c.Objects {
			if fo := focusableIn(o); fo != nil {
				return fo
			}
		}
	}
	return nil
}

// takeKeys makes the keys pressed while no field has the focus the
// form's: Escape cancels, Enter and Ctrl+Enter submit.
func (f *recordForm) takeKeys() {
	c := f.u.win.Canvas()
	f.prevKey = c.OnTypedKey()
	prev := f.prevKey
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if !f.keys.typed(ev, true) && prev != nil {
			prev(ev)
		}
	})
	for _, s := range submitShortcuts {
		c.AddShortcut(s, func(fyne.Shortcut) { f.submit() })
	}
}

// submitShortcuts are Ctrl+Enter and Cmd+Enter, with either Enter key.
var submitShortcuts = []*desktop.CustomShortcut{
	{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl},
	{KeyName: fyne.KeyEnter, Modifier: fyne.KeyModifierControl},
	{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierSuper},
	{KeyName: fyne.KeyEnter, Modifier: fyne.KeyModifierSuper},
}

// restoreKeys gives the window's keys back.
func (f *recordForm) restoreKeys() {
	c := f.u.win.Canvas()
	c.SetOnTypedKey(f.prevKey)
	for _, s := range submitShortcuts {
		c.RemoveShortcut(s)
	}
}

// maxHeight is the tallest the form's fields may be before they scroll:
// the window less the dialog's title, band and buttons.
func (f *recordForm) maxHeight() float32 {
	h := f.u.win.Canvas().Size().Height
	if h <= 0 {
		return 560
	}
	if f.onScreen {
		return h
	}
	return max(h-260, 160)
}

// fit sizes the dialog to its content at the form's width. It runs when
// the form is shown and when the user adds or removes a row; never on a
// validation.
func (f *recordForm) fit() {
	if f.dlg == nil {
		return
	}
	fitDialog(f.u.win, f.dlg, f.body, f.width)
}

// submit checks the form and records the change, runs the job or hands
// the values on.
func (f *recordForm) submit() {
	if f.working || f.closed {
		return
	}
	f.checked = true
	if f.check != nil && !f.check() {
		f.focusProblem()
		return
	}
	switch {
	case f.build != nil:
		change := f.build()
		if change == nil {
			return
		}
		f.setWorking(true)
		what := f.changes
		if what == 0 {
			what = factsIncident | factsCustody
		}
		f.u.changeFacts(what, change, f.finish)
	case f.job != nil:
		work := f.job()
		if work == nil {
			return
		}
		f.setWorking(true)
		f.u.runJob(func() func() {
			apply, err := work()
			return func() {
				f.finish(err)
				if err == nil && apply != nil {
					apply()
				}
			}
		})
	case f.hand != nil:
		f.handed = true
		f.close()
		f.hand()
	}
}

// focusProblem puts the keyboard on the first field showing a problem.
func (f *recordForm) focusProblem() {
	for _, name := range f.order {
		if p := f.problems[name]; p != nil && p.label.Visible() {
			if fo := focusableIn(f.fields[name]); fo != nil {
				f.u.win.Canvas().Focus(fo)
			}
			return
		}
	}
}

// finish ends a save with err: it closes the form on success, shows a
// refusal in the band, or any other failure in an error dialog.
func (f *recordForm) finish(err error) {
	f.setWorking(false)
	refused := refusedInForm
	if f.refused != nil {
		refused = f.refused
	}
	switch {
	case err == nil:
		f.close()
		if f.saved != nil {
			f.saved()
		}
	case refused(err):
		f.u.setLastError(err)
		f.setFormProblem(refusalText(err))
		if f.onRefused != nil {
			f.onRefused(err)
		}
	default:
		title := f.failTitle
		if title == "" {
			title = f.title + " failed"
		}
		if f.failClose {
			f.close()
		}
		f.u.showError(title, err, nil)
	}
}

// setWorking shows or hides the busy state in the band; while working the
// fields and buttons take nothing.
func (f *recordForm) setWorking(on bool) {
	f.working = on
	if on {
		f.setFormProblem("")
		f.locked = f.locked[:0]
		for _, name := range f.order {
			f.locked = append(f.locked, enabledIn(f.fields[name])...)
		}
		f.locked = append(f.locked, enabledIn(f.save)...)
		f.locked = append(f.locked, enabledIn(f.cancel)...)
		for _, d := range f.locked {
			d.Disable()
		}
		f.status.SetText(f.busyText)
		f.status.Show()
		f.activity.Show()
		f.activity.Start()
		return
	}
	for _, d := range f.locked {
		d.Enable()
	}
	f.locked = f.locked[:0]
	f.activity.Stop()
	f.activity.Hide()
	f.status.Hide()
}

// enabledIn lists the enabled widgets in obj that can be disabled.
func enabledIn(obj fyne.CanvasObject) []fyne.Disableable {
	switch o := obj.(type) {
	case nil:
		return nil
	case fyne.Disableable:
		if !o.Disabled() {
			return []fyne.Disableable{o}
		}
		return nil
	case *fyne.Container:
		var out []fyne.Disableable
		for _, c := range o.Objects {
			out = append(out, enabledIn(c)...)
		}
		return out
	}
	return nil
}

// userCancel is Cancel and Escape: the form closes unless it is working.
func (f *recordForm) userCancel() {
	if f.working || f.closed {
		return
	}
	f.close()
	if f.onCancel != nil {
		f.onCancel()
	}
}

// close hides the form.
func (f *recordForm) close() {
	if f.closed {
		return
	}
	f.closed = true
	f.restoreKeys()
	if f.dlg != nil {
		f.dlg.Hide()
	}
	if f.u.record == f {
		f.u.record = nil
	}
	if f.onClosed != nil {
		f.onClosed()
	}
}

// problemSlot is the line under a field for its problem. Every field has
// one, one line high from the start, so a problem that appears or goes
// moves nothing under the pointer. The message is drawn in that line, cut
// with an ellipsis when it is wider than the field; a cut message shows
// whole in the form's band (recordForm.showCut). label holds the message
// and whether it shows, as for any label; the slot draws it.
type problemSlot struct {
	widget.BaseWidget
	label   *widget.Label
	text    *canvas.Text
	cut     bool   // the message does not fit the line
	onCut   func() // told when cut changes; nil for none
	box     fyne.CanvasObject
	lastW   float32
	lastMsg string
}

func newProblemSlot(onCut func()) *problemSlot {
	p := &problemSlot{label: problemLabel(), onCut: onCut}
	p.text = canvas.NewText("", theme.Color(theme.ColorNameError))
	p.text.TextSize = theme.CaptionTextSize()
	p.ExtendBaseWidget(p)
	p.box = p
	return p
}

// set shows msg in the slot, or clears it for "".
func (p *problemSlot) set(msg string) {
	setProblem(p.label, msg)
	p.Refresh()
}

// whole is the message, or "" when none shows.
func (p *problemSlot) whole() string {
	if !p.label.Visible() {
		return ""
	}
	return p.label.Text
}

func (p *problemSlot) CreateRenderer() fyne.WidgetRenderer {
	return &slotRenderer{p: p}
}

// problemLineHeight is the height of a problem slot.
func problemLineHeight() float32 {
	return fyne.MeasureText("Ag", theme.CaptionTextSize(), fyne.TextStyle{}).Height + theme.Padding()
}

type slotRenderer struct{ p *problemSlot }

func (r *slotRenderer) Destroy()                     {}
func (r *slotRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.p.text} }
func (r *slotRenderer) MinSize() fyne.Size           { return fyne.NewSize(0, problemLineHeight()) }
func (r *slotRenderer) Refresh()                     { r.Layout(r.p.Size()) }

// Layout fits the message into the line, cutting it with an ellipsis.
func (r *slotRenderer) Layout(size fyne.Size) {
	p := r.p
	msg := p.whole()
	p.text.Color = theme.Color(theme.ColorNameError)
	p.text.TextSize = theme.CaptionTextSize()
	shown, cut := fitLine(msg, size.Width-theme.InnerPadding(), p.text.TextSize)
	p.text.Text = shown
	p.text.Move(fyne.NewPos(theme.InnerPadding()/2, 0))
	p.text.Resize(fyne.NewSize(max(size.Width-theme.InnerPadding(), 0), size.Height))
	p.text.Refresh()
	if size.Width <= 0 {
		cut = false // not laid out yet
	}
	if cut != p.cut {
		p.cut = cut
		if p.onCut != nil {
			p.onCut()
		}
	} else if cut && msg != p.lastMsg && p.onCut != nil {
		p.onCut() // another message, cut too
	}
	p.lastMsg = msg
}

// fitLine returns s as it fits width at text size ts: whole, or cut with
// an ellipsis (cut true).
func fitLine(s string, width, ts float32) (string, bool) {
	if s == "" || fyne.MeasureText(s, ts, fyne.TextStyle{}).Width <= width {
		return s, false
	}
	runes := []rune(s)
	lo, hi := 0, len(runes)
	for lo < hi { // the longest prefix that fits with the ellipsis
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(runes[:mid])+"…", ts, fyne.TextStyle{}).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(runes[:lo]), " ") + "…", true
}

// cappedLayout gives a scroll container the height of its content, up to
// maxHeight: a form shorter than the window does not scroll, a longer one
// does.
type cappedLayout struct {
	inner     fyne.CanvasObject
	maxHeight func() float32
}

func (l *cappedLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *cappedLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	s := l.inner.MinSize()
	return fyne.NewSize(s.Width+theme.ScrollBarSize(), min(s.Height, l.maxHeight()))
}
