package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
)

// recordForm is a dialog that records one decision or fact of the incident
// (a stage move, a classification, a severity rating, an action…) with the
// rationale or reason the process asks for. Its fields are checked as they
// are typed once Save was pressed (each problem under its field); casefile
// then judges the change off the UI goroutine, and a refusal (a failed
// guard, an invalid value) is shown in the form, with the hint, keeping what
// was typed. Other failures go to an error dialog.
type recordForm struct {
	u     *UI
	title string

	intro    *widget.Label
	facts    []fact                            // the fields, in order
	fields   map[string]fyne.CanvasObject      // by name (without " *"), for tests
	problems map[string]*widget.Label          // the inline problem of each field
	before   []fyne.CanvasObject               // shown between the intro and the fields
	after    []fyne.CanvasObject               // shown under the fields
	problem  *widget.Label                     // casefile's refusal
	activity *widget.Activity                  // shown while casefile works
	status   *widget.Label                     // says what it is doing
	save     *widget.Button                    // records the change
	cancel   *widget.Button                    // closes the form
	width    float32                           // the dialog's width
	inner    *fyne.Container                   // everything above the buttons
	dlg      *dialog.CustomDialog              // the dialog
	checked  bool                              // Save was pressed once: check as the user types
	check    func() bool                       // shows inline problems; reports whether the form can be saved
	build    func() func(*casefile.Case) error // the change the fields describe, on the UI goroutine
	saved    func()                            // runs on the UI goroutine after a successful save
}

// newRecordForm starts a form titled title whose button says saveText.
// intro, when not "", is a paragraph above the fields.
func (u *UI) newRecordForm(title, saveText, intro string) *recordForm {
	f := &recordForm{u: u, title: title, fields: map[string]fyne.CanvasObject{}, problems: map[string]*widget.Label{}, width: 640}
	f.intro = widget.NewLabel(intro)
	f.intro.Wrapping = fyne.TextWrapWord
	if intro == "" {
		f.intro.Hide()
	}
	f.problem = problemLabel()
	f.activity = widget.NewActivity()
	f.activity.Hide()
	f.status = widget.NewLabel("Recording…")
	f.status.Hide()
	f.save = widget.NewButtonWithIcon(saveText, theme.ConfirmIcon(), f.submit)
	f.save.Importance = widget.HighImportance
	f.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), f.close)
	return f
}

// fieldName is a field's name without the mark of a required field.
func fieldName(label string) string { return strings.TrimSuffix(label, " *") }

// add puts obj in the form under label ("Name *" marks a required field)
// and returns the label for its inline problem.
func (f *recordForm) add(label string, obj fyne.CanvasObject) *widget.Label {
	p := problemLabel()
	name := fieldName(label)
	f.fields[name] = obj
	f.problems[name] = p
	f.facts = append(f.facts, fact{label, container.NewVBox(obj, p)})
	return p
}

// entry adds a one-line entry.
func (f *recordForm) entry(label, placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { f.recheck() }
	e.OnSubmitted = func(string) { f.submit() }
	f.add(label, e)
	return e
}

// text adds a multi-line entry rows lines high.
func (f *recordForm) text(label, placeholder string, rows int) *widget.Entry {
	e := widget.NewMultiLineEntry()
	e.Wrapping = fyne.TextWrapWord
	e.SetPlaceHolder(placeholder)
	e.SetMinRowsVisible(rows)
	e.OnChanged = func(string) { f.recheck() }
	f.add(label, e)
	return e
}

// choice adds a drop-down of options with selected chosen.
func (f *recordForm) choice(label string, options []string, selected string) *widget.Select {
	s := widget.NewSelect(options, nil)
	if selected != "" {
		s.SetSelected(selected)
	}
	s.OnChanged = func(string) { f.recheck() }
	f.add(label, s)
	return s
}

// recheck checks the form again after a change, once Save was pressed.
func (f *recordForm) recheck() {
	if f.checked && f.check != nil {
		f.check()
		f.fit()
	}
}

// setProblem shows msg under the field called name.
func (f *recordForm) setProblem(name, msg string) {
	if p := f.problems[name]; p != nil {
		setProblem(p, msg)
	}
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

// show builds the dialog and shows it, with the keyboard in focus.
func (f *recordForm) show(focus fyne.Focusable) {
	u := f.u
	objs := []fyne.CanvasObject{f.intro}
	objs = append(objs, f.before...)
	if len(f.facts) > 0 {
		objs = append(objs, factGrids(f.facts)[0])
	}
	objs = append(objs, f.after...)
	objs = append(objs, f.problem, container.NewHBox(f.activity, f.status))
	f.inner = container.NewVBox(objs...)
	body := container.New(&cappedLayout{inner: f.inner, maxHeight: f.maxHeight}, container.NewVScroll(f.inner))
	f.dlg = dialog.NewCustomWithoutButtons(f.title, body, u.win)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.save})
	f.dlg.SetOnClosed(func() {
		if u.record == f {
			u.record = nil
		}
	})
	u.record = f
	f.dlg.Show()
	f.fit()
	if focus != nil {
		u.win.Canvas().Focus(focus)
	}
}

// maxHeight is the tallest the form's body may be before it scrolls: the
// window less the dialog's title and buttons.
func (f *recordForm) maxHeight() float32 {
	h := f.u.win.Canvas().Size().Height
	if h <= 0 {
		return 560
	}
	return max(h-190, 200)
}

// fit sizes the dialog to its content at the form's width.
func (f *recordForm) fit() {
	if f.dlg == nil {
		return
	}
	fitDialog(f.u.win, f.dlg, f.inner, f.width)
}

// submit checks the form and records the change off the UI goroutine.
func (f *recordForm) submit() {
	f.checked = true
	if f.check != nil && !f.check() {
		f.fit()
		return
	}
	change := f.build()
	if change == nil {
		f.fit()
		return
	}
	f.setWorking(true)
	f.u.change(change, func(err error) {
		f.setWorking(false)
		switch {
		case err == nil:
			f.close()
			if f.saved != nil {
				f.saved()
			}
		case refusedInForm(err):
			f.u.setLastError(err)
			setProblem(f.problem, refusalText(err))
			f.fit()
		default:
			f.u.showError(f.title+" failed", err, nil)
		}
	})
}

// setWorking shows or hides the busy state; while working the buttons do
// nothing.
func (f *recordForm) setWorking(on bool) {
	if on {
		setProblem(f.problem, "")
		f.save.Disable()
		f.cancel.Disable()
		f.activity.Show()
		f.activity.Start()
		f.status.Show()
	} else {
		f.save.Enable()
		f.cancel.Enable()
		f.activity.Stop()
		f.activity.Hide()
		f.status.Hide()
	}
	f.fit()
}

// close hides the form.
func (f *recordForm) close() {
	if f.dlg != nil {
		f.dlg.Hide()
	}
	if f.u.record == f {
		f.u.record = nil
	}
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
