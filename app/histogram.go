package app

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/timeline"
)

// histogram draws the events of a search per bucket of time, one bar per
// bucket. Clicking a bar, or dragging across bars, picks that time range
// (onPick); hovering names the bar under the pointer (onHover). It holds
// only the counts of one search, never events.
type histogram struct {
	widget.BaseWidget

	buckets []timeline.Bucket
	width   time.Duration // of one bucket
	max     int64

	dragFrom, dragTo int // bucket indices of a drag in progress; -1 for none

	caption string // the line above the bars: what they show, or the bar pointed at

	onPick  func(from, to time.Time)
	onHover func(b *timeline.Bucket) // nil b: the pointer left the bars
}

func newHistogram() *histogram {
	h := &histogram{dragFrom: -1, dragTo: -1}
	h.ExtendBaseWidget(h)
	return h
}

// histogramBars bounds the bars: the bucket is chosen so that a result's
// time span takes at most this many.
const histogramBars = 120

// niceBuckets are the bucket lengths a histogram chooses from.
var niceBuckets = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour,
	91 * 24 * time.Hour, 365 * 24 * time.Hour,
}

// bucketFor is the smallest nice bucket that shows first to last in at
// most histogramBars bars (buckets are aligned to the Unix epoch, so one
// more may be needed); beyond a year, whole years.
func bucketFor(first, last time.Time) time.Duration {
	span := last.Sub(first)
	for _, d := range niceBuckets {
		if span/d+2 <= histogramBars {
			return d
		}
	}
	year := 365 * 24 * time.Hour
	return (span/(histogramBars-2)/year + 1) * year
}

// bucketName says how long a bucket is, for the caption: "hour", "5
// minutes", "day".
func bucketName(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d == time.Second:
		return "second"
	case d == time.Minute:
		return "minute"
	case d == time.Hour:
		return "hour"
	case d == day:
		return "day"
	case d == 7*day:
		return "week"
	case d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return fmt.Sprintf("%d seconds", d/time.Second)
}

// setCaption sets the line drawn above the bars.
func (h *histogram) setCaption(s string) {
	h.caption = s
	h.Refresh()
}

// set shows buckets of width d; nil clears the bars.
func (h *histogram) set(buckets []timeline.Bucket, d time.Duration) {
	h.buckets, h.width, h.max = buckets, d, 0
	for _, b := range buckets {
		h.max = max(h.max, b.Count)
	}
	h.dragFrom, h.dragTo = -1, -1
	h.Refresh()
}

// at is the bucket under x, or -1 when there are no bars.
func (h *histogram) at(x float32) int {
	return h.atWidth(x, h.Size().Width)
}

func (h *histogram) atWidth(x, w float32) int {
	n := len(h.buckets)
	if n == 0 || w <= 0 {
		return -1
	}
	i := int(x / w * float32(n))
	return min(max(i, 0), n-1)
}

// pick reports the range of buckets i to j (in either order).
func (h *histogram) pick(i, j int) {
	if i < 0 || j < 0 || h.onPick == nil {
		return
	}
	if j < i {
		i, j = j, i
	}
	h.onPick(h.buckets[i].Start, h.buckets[j].Start.Add(h.width))
}

// Tapped picks the bar under the pointer.
func (h *histogram) Tapped(e *fyne.PointEvent) {
	i := h.at(e.Position.X)
	h.pick(i, i)
}

// Dragged marks the bars from where the drag started to the pointer.
func (h *histogram) Dragged(e *fyne.DragEvent) {
	if len(h.buckets) == 0 {
		return
	}
	if h.dragFrom < 0 {
		h.dragFrom = h.at(e.Position.X - e.Dragged.DX)
	}
	h.dragTo = h.at(e.Position.X)
	h.Refresh()
}

// DragEnd picks the marked bars.
func (h *histogram) DragEnd() {
	i, j := h.dragFrom, h.dragTo
	h.dragFrom, h.dragTo = -1, -1
	h.Refresh()
	h.pick(i, j)
}

// MouseIn, MouseMoved and MouseOut name the bar under the pointer.
func (h *histogram) MouseIn(e *desktop.MouseEvent) { h.MouseMoved(e) }

func (h *histogram) MouseMoved(e *desktop.MouseEvent) {
	if h.onHover == nil {
		return
	}
	if i := h.at(e.Position.X); i >= 0 {
		h.onHover(&h.buckets[i])
	}
}

func (h *histogram) MouseOut() {
	if h.onHover != nil {
		h.onHover(nil)
	}
}

// Cursor shows that the bars can be clicked.
func (h *histogram) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (h *histogram) MinSize() fyne.Size { return fyne.NewSize(200, captionHeight()+44) }

// captionHeight is the height of the caption line above the bars.
func captionHeight() float32 {
	return fyne.MeasureText("Mg", theme.CaptionTextSize(), fyne.TextStyle{}).Height + 2
}

func (h *histogram) CreateRenderer() fyne.WidgetRenderer {
	r := &histogramRenderer{h: h, bg: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)),
		sel: canvas.NewRectangle(color.Transparent), text: canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))}
	r.text.TextSize = theme.CaptionTextSize()
	return r
}

type histogramRenderer struct {
	h    *histogram
	bg   *canvas.Rectangle
	sel  *canvas.Rectangle
	text *canvas.Text
	bars []*canvas.Rectangle
	objs []fyne.CanvasObject
}

func (r *histogramRenderer) Layout(full fyne.Size) {
	h := r.h
	top := captionHeight()
	r.text.Text = h.caption
	r.text.Move(fyne.NewPos(theme.Padding(), 0))
	size := fyne.NewSize(full.Width, max(full.Height-top, 1))
	r.bg.Move(fyne.NewPos(0, top))
	r.bg.Resize(size)
	n := len(h.buckets)
	for len(r.bars) < n {
		r.bars = append(r.bars, canvas.NewRectangle(theme.Color(theme.ColorNamePrimary)))
	}
	r.bars = r.bars[:n]
	r.objs = append(r.objs[:0], r.text, r.bg, r.sel)
	if n == 0 {
		return
	}
	bw := size.Width / float32(n)
	gap := float32(0)
	if bw >= 3 {
		gap = 1
	}
	for i, b := range h.buckets {
		bar := r.bars[i]
		bar.FillColor = theme.Color(theme.ColorNamePrimary)
		hgt := float32(0)
		if h.max > 0 && b.Count > 0 {
			hgt = max(1, size.Height*float32(b.Count)/float32(h.max))
		}
		bar.Move(fyne.NewPos(float32(i)*bw, top+size.Height-hgt))
		bar.Resize(fyne.NewSize(max(bw-gap, 1), hgt))
		r.objs = append(r.objs, bar)
	}
	if h.dragFrom >= 0 && h.dragTo >= 0 {
		i, j := min(h.dragFrom, h.dragTo), max(h.dragFrom, h.dragTo)
		r.sel.FillColor = theme.Color(theme.ColorNameSelection)
		r.sel.Move(fyne.NewPos(float32(i)*bw, top))
		r.sel.Resize(fyne.NewSize(float32(j-i+1)*bw, size.Height))
	} else {
		r.sel.FillColor = color.Transparent
		r.sel.Resize(fyne.NewSize(0, 0))
	}
}

func (r *histogramRenderer) MinSize() fyne.Size { return r.h.MinSize() }

func (r *histogramRenderer) Refresh() {
	r.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.Layout(r.h.Size())
	r.bg.Refresh()
	r.sel.Refresh()
	r.text.Color = theme.Color(theme.ColorNamePlaceHolder)
	r.text.Refresh()
	for _, b := range r.bars {
		b.Refresh()
	}
}

func (r *histogramRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *histogramRenderer) Destroy()                     {}

// histogramCaption says what the bars show and how to use them.
func histogramCaption(buckets []timeline.Bucket, d time.Duration) string {
	if len(buckets) == 0 {
		return "No events with a time in this result: nothing to chart."
	}
	first, last := buckets[0].Start, buckets[len(buckets)-1].Start.Add(d)
	return fmt.Sprintf("Events per %s, %s to %s. Click a bar for its %s, or drag across bars, to search that range.",
		bucketName(d), casefile.FormatTime(first), casefile.FormatTime(last), bucketName(d))
}

// bucketText names one bar: its start and its count.
func bucketText(b *timeline.Bucket, d time.Duration) string {
	return fmt.Sprintf("%s to %s: %s", casefile.FormatTime(b.Start), casefile.FormatTime(b.Start.Add(d)),
		plural(int(b.Count), "event", "events"))
}
