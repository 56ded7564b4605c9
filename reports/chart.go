package reports

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/custodia-dfir/custodia/casefile/incident"
)

// Charts are PNG images drawn with gonum.org/v1/plot's vgimg canvas at a
// fixed resolution with the Go fonts, from the model alone: the same model
// gives the same pixels and the same PNG bytes, in every process.
//
// Each chart has a pixel width of its own (chartEvents, chartStages and
// chartFindings differ): fpdf orders a document's images by width, and two
// images of one width could change places between runs.

// Chart is one picture of a report.
type Chart struct {
	Name    string // events, findings, stages
	Title   string
	Alt     string // what it shows, in words: HTML's alt text and the Markdown note
	PNG     []byte `json:"-"`
	Width   int    // pixels
	Height  int
	WidthMM float64 // printed width in the PDF
}

// DataURI is the chart as a data: URI, for HTML.
func (c *Chart) DataURI() string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(c.PNG)
}

// Chart sizes (points at chartDPI; widths distinct, see above).
const (
	chartDPI = 150
	// widths in millimetres, each a different number of pixels
	chartEventsMM   = 180.0
	chartStagesMM   = 175.0
	chartFindingsMM = 110.0
)

var chartText = func() text.Plain {
	reg, err := opentype.Parse(goregular.TTF)
	if err != nil {
		panic(err)
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		panic(err)
	}
	return text.Plain{Fonts: font.NewCache(font.Collection{
		{Font: font.Font{Typeface: "Go"}, Face: reg},
		{Font: font.Font{Typeface: "Go", Weight: xfont.WeightBold}, Face: bold},
	})}
}()

// newPlot is a plot whose every text is in the Go fonts.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.TextHandler = chartText
	set := func(s *text.Style, size vg.Length, bold bool) {
		s.Handler = chartText
		s.Font = font.Font{Typeface: "Go", Size: size}
		if bold {
			s.Font.Weight = xfont.WeightBold
		}
	}
	set(&p.Title.TextStyle, 11, true)
	set(&p.Legend.TextStyle, 9, false)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		set(&a.Label.TextStyle, 9, false)
		set(&a.Tick.Label, 8, false)
	}
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xlabel, ylabel
	p.Title.Padding = vg.Points(6)
	return p
}

// drawChart renders p as a PNG of width × height millimetres.
func drawChart(p *plot.Plot, name, title, alt string, wmm, hmm float64) (*Chart, error) {
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(wmm)*vg.Millimeter, vg.Length(hmm)*vg.Millimeter), vgimg.UseDPI(chartDPI))
	pad := vg.Length(6) * vg.Millimeter // room for the first and last time label
	p.Draw(draw.Crop(draw.New(c), pad, -pad, vg.Millimeter, -vg.Millimeter))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("draw the %s chart: %w", name, err)
	}
	bd := c.Image().Bounds()
	return &Chart{Name: name, Title: title, Alt: alt, PNG: b.Bytes(), Width: bd.Dx(), Height: bd.Dy(), WidthMM: wmm}, nil
}

// rects is a plotter of filled rectangles in data coordinates.
type rects []rect

type rect struct {
	x0, x1, y0, y1 float64
	c              color.Color
}

func (rs rects) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for _, r := range rs {
		x0, x1, y0, y1 := tx(r.x0), tx(r.x1), ty(r.y0), ty(r.y1)
		if x1-x0 < 1 { // at least a point wide, so a short stay shows
			x1 = x0 + 1
		}
		c.FillPolygon(r.c, c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
	}
}

func (rs rects) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, r := range rs {
		xmin, xmax = min(xmin, r.x0), max(xmax, r.x1)
		ymin, ymax = min(ymin, r.y0), max(ymax, r.y1)
	}
	return
}

// timeSteps are the bucket and tick lengths a time axis chooses from.
var timeSteps = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
	3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour,
	91 * 24 * time.Hour, 365 * 24 * time.Hour}

// step is the shortest of timeSteps that cuts span into at most n parts.
func step(span time.Duration, n int) time.Duration {
	for _, s := range timeSteps {
		if span/s < time.Duration(n) {
			return s
		}
	}
	return timeSteps[len(timeSteps)-1] * (span/timeSteps[len(timeSteps)-1]/time.Duration(n) + 1)
}

func stepText(s time.Duration) string {
	switch {
	case s >= 24*time.Hour && s%(24*time.Hour) == 0:
		if s == 24*time.Hour {
			return "day"
		}
		return strconv.Itoa(int(s/(24*time.Hour))) + " days"
	case s >= time.Hour:
		if s == time.Hour {
			return "hour"
		}
		return strconv.Itoa(int(s/time.Hour)) + " hours"
	case s == time.Minute:
		return "minute"
	}
	return strconv.Itoa(int(s/time.Minute)) + " minutes"
}

// timeTicks labels a Unix-seconds axis in UTC at whole steps.
type timeTicks struct{}

func (timeTicks) Ticks(lo, hi float64) []plot.Tick {
	span := time.Duration((hi - lo) * float64(time.Second))
	s := step(span, 6)
	layout := "2006-01-02 15:04"
	if s >= 24*time.Hour {
		layout = "2006-01-02"
	}
	sec := s.Seconds()
	var ts []plot.Tick
	for x := math.Ceil(lo/sec) * sec; x <= hi; x += sec {
		ts = append(ts, plot.Tick{Value: x, Label: time.Unix(int64(x), 0).UTC().Format(layout)})
	}
	return ts
}

// countTicks labels a count axis at whole numbers.
type countTicks struct{}

func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	n := math.Max(1, math.Ceil((hi-lo)/5))
	for _, s := range []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000} {
		if s >= n {
			n = s
			break
		}
	}
	var ts []plot.Tick
	for x := math.Ceil(lo/n) * n; x <= hi; x += n {
		ts = append(ts, plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'f', 0, 64)})
	}
	return ts
}

var (
	chartBlue  = color.RGBA{R: 0x2b, G: 0x5c, B: 0x9e, A: 0xff}
	stageColor = map[incident.Stage]color.Color{
		incident.StageDetect:    color.RGBA{R: 0x6b, G: 0x8e, B: 0xc7, A: 0xff},
		incident.StageAssess:    color.RGBA{R: 0xe0, G: 0xa4, B: 0x3a, A: 0xff},
		incident.StageDiagnose:  color.RGBA{R: 0xc0, G: 0x4b, B: 0x3c, A: 0xff},
		incident.StageStabilize: color.RGBA{R: 0x4f, G: 0x9a, B: 0x5c, A: 0xff},
		incident.StageClose:     color.RGBA{R: 0x77, G: 0x77, B: 0x77, A: 0xff},
	}
	confidenceColor = map[incident.Confidence]color.Color{
		incident.ConfidenceLow:    color.RGBA{R: 0xa7, G: 0xc4, B: 0xe5, A: 0xff},
		incident.ConfidenceMedium: color.RGBA{R: 0x4f, G: 0x80, B: 0xbd, A: 0xff},
		incident.ConfidenceHigh:   color.RGBA{R: 0x1f, G: 0x3a, B: 0x6b, A: 0xff},
	}
)

// eventsChart is a histogram of the starred events over time; nil when no
// starred event has a time.
func eventsChart(m *Model) (*Chart, error) {
	var ts []time.Time
	for _, e := range m.Starred {
		if !e.Time.IsZero() {
			ts = append(ts, e.Time.UTC())
		}
	}
	if len(ts) == 0 {
		return nil, nil
	}
	lo, hi := ts[0], ts[len(ts)-1] // Starred is oldest first
	s := step(hi.Sub(lo), 60)
	start := time.Unix(lo.Unix()/int64(s.Seconds())*int64(s.Seconds()), 0).UTC()
	n := int(hi.Sub(start)/s) + 1
	counts := make([]int, n)
	for _, t := range ts {
		counts[int(t.Sub(start)/s)]++
	}
	var rs rects
	top := 0
	for i, k := range counts {
		if k == 0 {
			continue
		}
		x0 := float64(start.Add(time.Duration(i) * s).Unix())
		rs = append(rs, rect{x0 + s.Seconds()*0.08, x0 + s.Seconds()*0.92, 0, float64(k), chartBlue})
		top = max(top, k)
	}
	title := "Starred events over time"
	p := newPlot(title, "UTC, one bar per "+stepText(s), "events")
	p.Add(rs)
	p.X.Min, p.X.Max = float64(start.Unix()), float64(start.Add(time.Duration(n)*s).Unix())
	p.Y.Min, p.Y.Max = 0, float64(top)*1.1
	p.X.Tick.Marker, p.Y.Tick.Marker = timeTicks{}, countTicks{}
	alt := fmt.Sprintf("%d starred events from %s to %s, counted per %s; the busiest %s holds %d.",
		len(ts), timeText(lo), timeText(hi), stepText(s), stepText(s), top)
	return drawChart(p, "events", title, alt, chartEventsMM, 60)
}

// findingsChart counts the findings by confidence; nil without findings.
// Findings carry a confidence, not a severity of their own (the severity
// is the incident's): the chart shows how sure the findings are.
func findingsChart(m *Model) (*Chart, error) {
	if len(m.Findings) == 0 {
		return nil, nil
	}
	counts := map[incident.Confidence]int{}
	for _, f := range m.Findings {
		counts[f.Confidence]++
	}
	title := "Findings by confidence"
	p := newPlot(title, "", "findings")
	var names []string
	top := 0
	alt := fmt.Sprintf("%d findings:", len(m.Findings))
	for i, c := range incident.Confidences {
		k := counts[c]
		bar, err := plotter.NewBarChart(plotter.Values{float64(k)}, vg.Points(40))
		if err != nil {
			return nil, err
		}
		bar.XMin = float64(i)
		bar.Color = confidenceColor[c]
		bar.LineStyle.Width = 0
		p.Add(bar)
		names = append(names, string(c))
		top = max(top, k)
		alt += fmt.Sprintf(" %d %s", k, c)
		if i < len(incident.Confidences)-1 {
			alt += ","
		}
	}
	alt += " confidence."
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = 0, math.Max(1, float64(top)*1.1)
	p.Y.Tick.Marker = countTicks{}
	return drawChart(p, "findings", title, alt, chartFindingsMM, 55)
}

// stagesChart shows how long the incident stood in each stage, from the
// case's creation to the time the report is as of; nil when the incident
// never moved.
func stagesChart(m *Model) (*Chart, error) {
	if len(m.Stages) == 0 {
		return nil, nil
	}
	from := m.Case.Created.UTC()
	if first := m.Stages[0].At; first.Before(from) {
		from = first
	}
	end := m.AsOf
	if end.Before(m.Stages[len(m.Stages)-1].At) {
		end = m.Stages[len(m.Stages)-1].At
	}
	row := func(s incident.Stage) float64 { return float64(len(incident.Stages) - s.Number()) }
	var rs rects
	cur, since := incident.StageDetect, from
	add := func(until time.Time) {
		y := row(cur)
		rs = append(rs, rect{float64(since.Unix()), float64(until.Unix()), y - 0.35, y + 0.35, stageColor[cur]})
	}
	for _, ch := range m.Stages {
		add(ch.At)
		cur, since = ch.To, ch.At
	}
	add(end)
	title := "Stage timeline"
	p := newPlot(title, "UTC", "")
	p.Add(rs)
	p.X.Min, p.X.Max = float64(from.Unix()), math.Max(float64(end.Unix()), float64(from.Unix())+60)
	p.Y.Min, p.Y.Max = -0.6, float64(len(incident.Stages))-0.4
	var ticks []plot.Tick
	for _, s := range incident.Stages {
		ticks = append(ticks, plot.Tick{Value: row(s), Label: s.Title()})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = timeTicks{}, plot.ConstantTicks(ticks)
	alt := fmt.Sprintf("The incident's %d stage moves from %s to %s; it stands in %s.", len(m.Stages), timeText(from), timeText(end), m.Stage.Title())
	return drawChart(p, "stages", title, alt, chartStagesMM, 55)
}

// chart is the block of a chart, or none when mk draws nothing.
func chart(mk func(*Model) (*Chart, error), m *Model) ([]Block, error) {
	c, err := mk(m)
	if err != nil || c == nil {
		return nil, err
	}
	return []Block{{Chart: c}}, nil
}
