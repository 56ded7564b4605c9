package app

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/custodia-dfir/custodia/casefile/incident"
)

// stepState is how the stepper shows one stage.
type stepState int

const (
	stepTodo    stepState = iota // not reached yet
	stepDone                     // passed
	stepCurrent                  // the incident is here
	stepClosed                   // Close, reached: the incident is closed
)

func (s stepState) String() string {
	return [...]string{"todo", "done", "current", "closed"}[s]
}

// stageStepper draws the five stages of the lifecycle in a row: numbered
// circles joined by lines, each with its name. Stages before the current one
// are marked done with a check, the current one is filled and its name
// bold, later ones are outlined. A closed incident shows every stage done
// and Close filled.
type stageStepper struct {
	widget.BaseWidget
	current incident.Stage
}

func newStageStepper(st incident.Stage) *stageStepper {
	s := &stageStepper{current: st}
	s.ExtendBaseWidget(s)
	return s
}

// SetStage shows st as the current stage.
func (s *stageStepper) SetStage(st incident.Stage) {
	if s.current == st {
		return
	}
	s.current = st
	s.Refresh()
}

// State returns how stage st is shown.
func (s *stageStepper) State(st incident.Stage) stepState {
	cur, n := s.current.Number(), st.Number()
	switch {
	case s.current == incident.StageClose && st == incident.StageClose:
		return stepClosed
	case n < cur:
		return stepDone
	case n == cur:
		return stepCurrent
	}
	return stepTodo
}

// stepperMetrics are the sizes the stepper lays out with.
type stepperMetrics struct {
	diameter, gap, textSize, textHeight float32
}

func stepMetrics() stepperMetrics {
	ts := theme.TextSize()
	return stepperMetrics{diameter: ts * 2, gap: theme.Padding(), textSize: ts,
		textHeight: fyne.MeasureText("Ag", ts, fyne.TextStyle{Bold: true}).Height}
}

// MinSize is narrow enough for a window of 800 points: a stage name
// wider than its column goes on two lines (stepperRenderer.Layout), and
// the height has room for them from the start.
func (s *stageStepper) MinSize() fyne.Size {
	m := stepMetrics()
	var w float32
	for _, st := range incident.Stages {
		first, second := splitTitle(st.Title())
		for _, part := range []string{first, second} {
			w = max(w, fyne.MeasureText(part, m.textSize, fyne.TextStyle{Bold: true}).Width)
		}
	}
	n := float32(len(incident.Stages))
	return fyne.NewSize(n*(w+2*theme.InnerPadding()), 2*m.gap+m.diameter+m.gap+2*m.textHeight)
}

// splitTitle cuts a stage title in two lines at the space nearest its
// middle: "Stabilize &" and "Recover".
func splitTitle(title string) (string, string) {
	best := -1
	for i, r := range title {
		if r == ' ' && (best < 0 || abs(i-len(title)/2) < abs(best-len(title)/2)) {
			best = i
		}
	}
	if best < 0 {
		return title, ""
	}
	return title[:best], title[best+1:]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func (s *stageStepper) CreateRenderer() fyne.WidgetRenderer {
	r := &stepperRenderer{s: s}
	for range incident.Stages {
		c := canvas.NewCircle(color.Transparent)
		c.StrokeWidth = 2
		num := canvas.NewText("", color.White)
		num.TextStyle = fyne.TextStyle{Bold: true}
		num.Alignment = fyne.TextAlignCenter
		check := canvas.NewImageFromResource(theme.NewInvertedThemedResource(theme.ConfirmIcon()))
		check.FillMode = canvas.ImageFillContain
		name := canvas.NewText("", color.White)
		name.Alignment = fyne.TextAlignCenter
		name2 := canvas.NewText("", color.White)
		name2.Alignment = fyne.TextAlignCenter
		r.circles = append(r.circles, c)
		r.numbers = append(r.numbers, num)
		r.checks = append(r.checks, check)
		r.names = append(r.names, name)
		r.names2 = append(r.names2, name2)
	}
	for range len(incident.Stages) - 1 {
		r.links = append(r.links, canvas.NewRectangle(color.Transparent))
	}
	r.Refresh()
	return r
}

type stepperRenderer struct {
	s       *stageStepper
	circles []*canvas.Circle
	numbers []*canvas.Text
	checks  []*canvas.Image
	names   []*canvas.Text // a stage's name, or its first line
	names2  []*canvas.Text // the second line of a name too wide for its column
	links   []*canvas.Rectangle
}

func (r *stepperRenderer) Destroy() {}

func (r *stepperRenderer) MinSize() fyne.Size { return r.s.MinSize() }

func (r *stepperRenderer) Objects() []fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for _, l := range r.links {
		objs = append(objs, l)
	}
	for i := range r.circles {
		objs = append(objs, r.circles[i], r.numbers[i], r.checks[i], r.names[i], r.names2[i])
	}
	return objs
}

func (r *stepperRenderer) Layout(size fyne.Size) {
	m := stepMetrics()
	n := len(incident.Stages)
	col := size.Width / float32(n)
	y := m.gap
	for i := range n {
		cx := col * (float32(i) + 0.5)
		r.circles[i].Move(fyne.NewPos(cx-m.diameter/2, y))
		r.circles[i].Resize(fyne.NewSize(m.diameter, m.diameter))
		th := fyne.MeasureText("0", m.textSize, fyne.TextStyle{Bold: true}).Height
		r.numbers[i].Move(fyne.NewPos(cx-m.diameter/2, y+(m.diameter-th)/2))
		r.numbers[i].Resize(fyne.NewSize(m.diameter, th))
		ic := m.diameter * 0.7
		r.checks[i].Move(fyne.NewPos(cx-ic/2, y+(m.diameter-ic)/2))
		r.checks[i].Resize(fyne.NewSize(ic, ic))
		title := incident.Stages[i].Title()
		first, second := title, ""
		if fyne.MeasureText(title, m.textSize, r.names[i].TextStyle).Width > col-2*theme.InnerPadding() {
			first, second = splitTitle(title)
		}
		r.names[i].Text, r.names2[i].Text = first, second
		r.names[i].Move(fyne.NewPos(col*float32(i), y+m.diameter+m.gap))
		r.names[i].Resize(fyne.NewSize(col, m.textHeight))
		r.names2[i].Move(fyne.NewPos(col*float32(i), y+m.diameter+m.gap+m.textHeight))
		r.names2[i].Resize(fyne.NewSize(col, m.textHeight))
		r.names[i].Refresh()
		r.names2[i].Refresh()
		if i < n-1 {
			x0 := cx + m.diameter/2 + m.gap
			x1 := col*(float32(i)+1.5) - m.diameter/2 - m.gap
			r.links[i].Move(fyne.NewPos(x0, y+m.diameter/2-1))
			r.links[i].Resize(fyne.NewSize(max(x1-x0, 0), 2))
		}
	}
}

func (r *stepperRenderer) Refresh() {
	s := r.s
	m := stepMetrics()
	primary := theme.Color(theme.ColorNamePrimary)
	muted := theme.Color(theme.ColorNameDisabled)
	fg := theme.Color(theme.ColorNameForeground)
	onPrimary := theme.Color(theme.ColorNameForegroundOnPrimary)
	for i, st := range incident.Stages {
		state := s.State(st)
		c, num, check, name, name2 := r.circles[i], r.numbers[i], r.checks[i], r.names[i], r.names2[i]
		num.Text = strconv.Itoa(i + 1)
		num.TextSize = m.textSize
		name.Text = st.Title()
		name.TextSize = m.textSize
		name.TextStyle = fyne.TextStyle{}
		switch state {
		case stepDone:
			c.FillColor, c.StrokeColor = withAlpha(primary, 0x59), primary
			num.Hide()
			check.Resource = theme.NewThemedResource(theme.ConfirmIcon())
			check.Show()
			name.Color = fg
		case stepCurrent, stepClosed:
			c.FillColor, c.StrokeColor = primary, primary
			num.Color = onPrimary
			num.Show()
			check.Hide()
			if state == stepClosed {
				num.Hide()
				check.Resource = theme.NewInvertedThemedResource(theme.ConfirmIcon())
				check.Show()
			}
			name.Color = primary
			name.TextStyle = fyne.TextStyle{Bold: true}
		default:
			c.FillColor, c.StrokeColor = color.Transparent, muted
			num.Color = muted
			num.Show()
			check.Hide()
			name.Color = theme.Color(theme.ColorNamePlaceHolder)
		}
		c.Refresh()
		num.Refresh()
		check.Refresh()
		name2.TextSize, name2.TextStyle, name2.Color = name.TextSize, name.TextStyle, name.Color
		name.Refresh()
		if i < len(r.links) {
			r.links[i].FillColor = muted
			if st.Number() < s.current.Number() {
				r.links[i].FillColor = primary
			}
			r.links[i].Refresh()
		}
	}
	r.Layout(s.Size())
}

// withAlpha returns c with alpha a (0–255), not premultiplied.
func withAlpha(c color.Color, a uint8) color.Color {
	cr, cg, cb, _ := c.RGBA()
	return color.NRGBA{R: uint8(cr >> 8), G: uint8(cg >> 8), B: uint8(cb >> 8), A: a}
}
