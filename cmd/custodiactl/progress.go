package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/custodia-dfir/custodia/evidence"
)

// isTerminal reports whether w is an open file on a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// interruptible returns a context that is cancelled on the first Ctrl-C
// (SIGINT) or SIGTERM, so that long work can stop cleanly: an ingest rolls
// back the item in progress, an extraction removes its partial file. The
// signals' default action returns as soon as the first one arrives, so a
// second Ctrl-C ends a process that is slow to stop at once; casefile
// removes a half-ingested item the next time the case is opened.
func interruptible() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}

// interruptible runs f with a context that Ctrl-C cancels.
func (inv *invocation) interruptible(f func(ctx context.Context) error) error {
	ctx, stop := inv.env.interruptible()
	defer stop()
	return f(ctx)
}

// progressInterval is how often the progress line is redrawn at most.
const progressInterval = 250 * time.Millisecond

// progressLine shows long work on a terminal as one line, redrawn in place:
//
//	ingesting disk.img  1.2 GiB / 2.0 GiB  310.4 MiB/s  0:03 left
//
// It is safe for concurrent use, as evidence.Progress requires. A nil
// *progressLine shows nothing.
type progressLine struct {
	w    io.Writer
	verb string // what is being done: "ingesting", "verifying", …
	cols int    // width of the terminal
	now  func() time.Time

	mu    sync.Mutex
	last  time.Time // when the line was last drawn
	width int       // characters on screen now
}

// progress returns a progress line on standard error for work described by
// verb, or nil when standard error is not a terminal: logs and pipes get no
// progress, only the result.
func (inv *invocation) progress(verb string) *progressLine {
	if !inv.isTerminal(inv.stderr) {
		return nil
	}
	cols := 80
	if f, ok := inv.stderr.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			cols = w
		}
	}
	return &progressLine{w: inv.stderr, verb: verb, cols: cols, now: time.Now}
}

// sink returns p as the evidence package's Progress, or nil for no progress.
func (p *progressLine) sink() evidence.Progress {
	if p == nil {
		return nil
	}
	return p
}

// Update redraws the line with s, at most every progressInterval, and
// always when the work is complete.
func (p *progressLine) Update(s evidence.Status) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Sub(p.last) < progressInterval && s.Done != s.Total {
		return
	}
	p.last = now
	p.draw(p.format(s))
}

// format is the text of the line for s, at most p.cols-1 characters wide so
// that it never wraps: a wrapped line cannot be redrawn with a carriage return.
func (p *progressLine) format(s evidence.Status) string {
	amount := humanSize(s.Done)
	if s.Total >= 0 {
		amount += " / " + humanSize(s.Total)
	}
	tail := "  " + amount
	if s.Rate > 0 {
		tail += "  " + humanSize(int64(s.Rate)) + "/s"
	}
	if s.Remaining >= 0 && s.Total >= 0 {
		tail += "  " + clock(s.Remaining) + " left"
	}
	name := printable(s.Item, false)
	room := p.cols - 1 - utf8.RuneCountInString(p.verb) - 1 - utf8.RuneCountInString(tail)
	return p.verb + " " + shorten(name, room) + tail
}

// draw replaces the line on screen with line.
func (p *progressLine) draw(line string) {
	n := utf8.RuneCountInString(line)
	pad := ""
	if n < p.width {
		pad = strings.Repeat(" ", p.width-n)
	}
	fmt.Fprint(p.w, "\r"+line+pad)
	p.width = n
}

// clear removes the line, so that what is printed next starts on a clean
// line. Call it before printing results or errors.
func (p *progressLine) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.width > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.width)+"\r")
		p.width = 0
	}
	p.last = time.Time{}
}

// shorten cuts s to at most n characters, keeping its end, which for a
// path or file name is the part that tells items apart.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 2 {
		return "…"
	}
	return "…" + string(r[len(r)-n+1:])
}

// clock is a duration as a countdown: "0:03", "12:40", "1:02:03".
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// humanSize is a byte count for people, in binary units with one decimal:
// "512 B", "1.5 KiB", "2.0 GiB".
func humanSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n) / 1024
	const units = "KMGTPE"
	i := 0
	// Move up a unit where one decimal would round to 1024.0.
	for v >= 1023.95 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, units[i])
}

// byteSize is an exact byte count with its human form: "3145851 bytes (3.0 MiB)".
func byteSize(n int64) string {
	if n < 1024 {
		return plural(int(n), "byte", "bytes")
	}
	return fmt.Sprintf("%d bytes (%s)", n, humanSize(n))
}
