package app

import (
	"context"
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/evidence"
)

// progressView is the dialog shown while evidence work runs (an ingest, a
// verification, an extraction): the item, a progress bar, the amount done
// with rate and time left, and Cancel.
//
// It is the GUI's evidence.Progress. The work calls Update on its own
// goroutines, at most about ten times a second (the evidence package
// throttles); Update keeps only the newest status and queues at most one
// redraw with fyne.Do, so however fast updates come the UI goroutine never
// falls behind and the window stays responsive.
type progressView struct {
	u     *UI
	title string
	ctx   context.Context
	stop  context.CancelFunc // cancels ctx; safe from any goroutine

	// Touched on the UI goroutine only.
	item, amount, note *widget.Label
	bar                *widget.ProgressBar
	// The whole job, shown when it has several items (Verify all, a
	// folder): which item of how many, and the bytes and time left of all.
	job        *fyne.Container
	jobBar     *widget.ProgressBar
	jobAmount  *widget.Label
	cancel     *widget.Button
	dlg        *dialog.CustomDialog
	content    *fyne.Container
	cancelNote string // what Cancel does, shown once it is pressed
	cancelled  bool   // Cancel was pressed

	mu      sync.Mutex // guards the fields below, written by the work
	latest  evidence.Status
	queued  bool   // a redraw is queued with fyne.Do
	current string // the item the work reported last
	hidden  bool

	prevKey func(*fyne.KeyEvent) // the window's keys before the dialog took Escape
}

// newProgress shows a progress dialog titled title. intro says what is
// being done; cancelNote says what Cancel does to the work.
func (u *UI) newProgress(title, intro, cancelNote string) *progressView {
	ctx, stop := context.WithCancel(context.Background())
	p := &progressView{u: u, title: title, ctx: ctx, stop: stop, cancelNote: cancelNote}
	p.item = widget.NewLabelWithStyle("Starting…", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.item.Truncation = fyne.TextTruncateEllipsis
	p.bar = widget.NewProgressBar()
	p.amount = widget.NewLabel("")
	p.amount.Truncation = fyne.TextTruncateEllipsis
	p.note = widget.NewLabel(intro)
	p.note.Wrapping = fyne.TextWrapWord
	p.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), p.requestCancel)
	p.jobBar = widget.NewProgressBar()
	p.jobAmount = widget.NewLabel("")
	p.jobAmount.Truncation = fyne.TextTruncateEllipsis
	p.job = container.NewVBox(widget.NewSeparator(),
		widget.NewLabelWithStyle("Whole job", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.jobBar, p.jobAmount)
	p.job.Hide()
	p.content = container.NewVBox(p.item, p.bar, p.amount, p.job, p.note)
	p.dlg = dialog.NewCustomWithoutButtons(title, p.content, u.win)
	p.dlg.SetButtons([]fyne.CanvasObject{p.cancel})

	u.mu.Lock()
	if u.works == nil {
		u.works = map[*progressView]struct{}{}
	}
	u.works[p] = struct{}{}
	u.mu.Unlock()
	u.progress = p
	// Escape is Cancel.
	c := u.win.Canvas()
	p.prevKey = c.OnTypedKey()
	prev := p.prevKey
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			p.requestCancel()
			return
		}
		if prev != nil {
			prev(ev)
		}
	})
	p.dlg.Show()
	fitDialog(u.win, p.dlg, p.content, 520)
	return p
}

// Update receives a status from the work. It is safe for concurrent use.
func (p *progressView) Update(s evidence.Status) {
	if h := p.u.progressHook; h != nil {
		h(p.ctx, s)
	}
	p.mu.Lock()
	p.latest, p.current = s, s.Item
	if p.queued || p.hidden {
		p.mu.Unlock()
		return
	}
	p.queued = true
	p.mu.Unlock()
	p.u.do(p.showLatest)
}

// showLatest draws the newest status on the UI goroutine.
func (p *progressView) showLatest() {
	p.mu.Lock()
	s, hidden := p.latest, p.hidden
	p.queued = false
	p.mu.Unlock()
	if !hidden {
		p.show(s)
	}
}

// show draws s.
func (p *progressView) show(s evidence.Status) {
	if s.Item != "" {
		p.item.SetText(stepText(s) + shownLine(s.Item))
	}
	if s.Total > 0 {
		p.bar.SetValue(float64(s.Done) / float64(s.Total))
	} else if s.Total == 0 {
		p.bar.SetValue(1)
	}
	p.amount.SetText(statusText(s))
	if s.JobTotal > 0 {
		p.jobBar.SetValue(float64(s.JobDone) / float64(s.JobTotal))
		p.jobAmount.SetText(jobText(s))
		if !p.job.Visible() {
			p.job.Show()
			fitDialog(p.u.win, p.dlg, p.content, 520)
		}
	}
}

// stepText says which of several items is worked on: "2 of 5 · ", or ""
// for one.
func stepText(s evidence.Status) string {
	if s.Count > 1 && s.Index > 0 {
		return fmt.Sprintf("%d of %d · ", s.Index, s.Count)
	}
	return ""
}

// jobText is the whole job's line: "item 2 of 5 · 1.2 GiB of 3.0 GiB ·
// 0:42 left".
func jobText(s evidence.Status) string {
	text := humanSize(s.JobDone) + " of " + humanSize(s.JobTotal)
	if s.Count > 1 && s.Index > 0 {
		text = fmt.Sprintf("item %d of %d · ", s.Index, s.Count) + text
	}
	if s.JobRemaining >= 0 && s.JobDone < s.JobTotal {
		text += " · " + clockText(s.JobRemaining) + " left"
	}
	return text
}

// statusText is the amount line of a progress dialog:
// "1.2 GiB of 2.0 GiB · 310.4 MiB/s · 0:03 left".
func statusText(s evidence.Status) string {
	text := humanSize(s.Done) + " read"
	if s.Total >= 0 {
		text = humanSize(s.Done) + " of " + humanSize(s.Total)
	}
	if s.Rate > 0 {
		text += " · " + humanSize(int64(s.Rate)) + "/s"
	}
	if s.Remaining >= 0 && s.Total >= 0 && s.Done < s.Total {
		text += " · " + clockText(s.Remaining) + " left"
	}
	return text
}

// setStep names the item the work starts with, before its first status.
func (p *progressView) setStep(item string) {
	p.item.SetText(shownLine(item))
	p.bar.SetValue(0)
	p.amount.SetText("")
}

// Current returns the item the work reported last, or "".
func (p *progressView) Current() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}

// requestCancel is the Cancel button: it cancels the work's context and
// says what that does. The dialog stays until the work has stopped.
func (p *progressView) requestCancel() {
	if p.cancelled {
		return
	}
	p.cancelled = true
	p.stop()
	p.cancel.Disable()
	p.cancel.SetText("Cancelling…")
	p.note.SetText(p.cancelNote)
	fitDialog(p.u.win, p.dlg, p.content, 520)
}

// Cancelled reports whether Cancel was pressed.
func (p *progressView) Cancelled() bool { return p.cancelled }

// hide closes the dialog once the work has ended.
func (p *progressView) hide() {
	p.mu.Lock()
	p.hidden = true
	p.mu.Unlock()
	p.stop() // release the context
	p.u.win.Canvas().SetOnTypedKey(p.prevKey)
	p.dlg.Hide()
	u := p.u
	u.mu.Lock()
	delete(u.works, p)
	u.mu.Unlock()
	if u.progress == p {
		u.progress = nil
	}
}

// runWork runs evidence work off the UI goroutine with the progress
// dialog p, then closes the dialog and applies the result on the UI
// goroutine. The work must stop when its context is cancelled.
func (u *UI) runWork(p *progressView, work func(ctx context.Context) (apply func())) {
	u.runJob(func() func() {
		apply := work(p.ctx)
		return func() {
			p.hide()
			apply()
		}
	})
}

// noticeView is a dialog that reports a result: an ingest that was
// cancelled, a verification that found a mismatch, a file extracted.
type noticeView struct {
	title   string
	message string
	dlg     *dialog.CustomDialog
}

// showNotice shows a result dialog with title and message, an icon, and
// optionally more content under the message.
func (u *UI) showNotice(title, message string, icon fyne.Resource, extra fyne.CanvasObject) {
	nv := &noticeView{title: title, message: message}
	msg := widget.NewLabel(message)
	msg.Wrapping = fyne.TextWrapWord
	msg.Selectable = true
	content := container.NewVBox(msg)
	if extra != nil {
		content.Add(extra)
	}
	nv.dlg = u.messageDialog(title, icon, content, 600, func() {
		if u.notice == nv {
			u.notice = nil
		}
	})
	u.notice = nv
}
