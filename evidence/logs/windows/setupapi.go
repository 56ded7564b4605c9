// Package windows parses Windows text logs: the device installation log
// setupapi.dev.log (and setupapi.app.log), whose sections record when a
// device — a USB stick, say — was first installed.
package windows

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// SetupAPI is the setupapi log parser's registry entry.
var SetupAPI = logs.Parser{
	Name:  "setupapi",
	Reads: "Windows setupapi.dev.log / setupapi.app.log (one event per section: device installs)",
	Names: []string{"setupapi*.log*"},
	Sniff: func(h *logs.Head) int {
		t := h.Text
		switch {
		case bytes.Contains(t, []byte("[Device Install Log]")), bytes.Contains(t, []byte(">>>  Section start ")):
			return 95
		}
		return 0
	},
	Parse: Parse,
}

// A section runs from its ">>>  [title]" line to its "<<<  [Exit status: …]"
// line; its event's time is the ">>>  Section start" time, in the item's
// source zone (setupapi writes local time without a zone).
type section struct {
	e      *logs.Event
	line   int64
	start  bool
	ended  bool
	lastAt int64
}

// Parse reads a setupapi log.
func Parse(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	lr := logs.NewLineReader(r, opts.RecordLimit())
	var cur *section
	finish := func(cut bool) error {
		if cur == nil {
			return nil
		}
		s := cur
		cur = nil
		if cut {
			if err := sink.Warning(logs.Warning{Line: s.line, Offset: s.e.Offset, Length: s.e.Length,
				Why: "the section has no end (no \"<<<  [Exit status\" line): its event ends at the last line read"}); err != nil {
				return err
			}
		}
		if !s.start {
			if err := sink.Warning(logs.Warning{Line: s.line, Offset: s.e.Offset, Length: s.e.Length,
				Why: "the section has no \"Section start\" time: the event is kept without a time"}); err != nil {
				return err
			}
		}
		return sink.Event(*s.e)
	}
	for {
		l, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return finish(true)
		}
		if err != nil {
			return err
		}
		if l.NUL || l.TooLong {
			why := l.Problem(opts.RecordLimit())
			if err := sink.Warning(logs.Warning{Line: l.Number, Offset: l.Offset, Length: l.Length, Why: why}); err != nil {
				return err
			}
			continue
		}
		text := strings.TrimRight(string(l.Text), " \t")
		switch {
		case strings.HasPrefix(text, ">>>  ["):
			if err := finish(true); err != nil {
				return err
			}
			title := strings.TrimSuffix(strings.TrimPrefix(text, ">>>  ["), "]")
			e := &logs.Event{Offset: l.Offset, Length: l.Length, TimestampDesc: "Section Start", Message: title}
			kind, device, _ := strings.Cut(title, " - ")
			e.Add("section", kind)
			e.Add("device", device)
			cur = &section{e: e, line: l.Number}
		case cur == nil:
			// The log's header, or lines between sections.
		case strings.HasPrefix(text, ">>>  Section start "):
			stamp := strings.TrimPrefix(text, ">>>  Section start ")
			iso := strings.Replace(strings.ReplaceAll(stamp, "/", "-"), " ", "T", 1)
			if t, _, err := logs.ParseISO(iso, opts.Loc()); err == nil {
				cur.e.SetTime(t, stamp, opts, true)
				cur.start = true
			} else if err := sink.Warning(logs.Warning{Line: l.Number, Offset: l.Offset, Length: l.Length, Why: "section start time " + fmt.Sprintf("%q", stamp) + " is not a date and time"}); err != nil {
				return err
			}
			cur.e.Length = l.Offset + l.Length - cur.e.Offset
		case strings.HasPrefix(text, "<<<  Section end "):
			cur.e.Add("section_end", strings.TrimPrefix(text, "<<<  Section end "))
			cur.e.Length = l.Offset + l.Length - cur.e.Offset
		case strings.HasPrefix(text, "<<<  [Exit status: "):
			status := strings.TrimSuffix(strings.TrimPrefix(text, "<<<  [Exit status: "), "]")
			cur.e.Add("exit_status", status)
			switch {
			case strings.HasPrefix(status, "SUCCESS"):
				cur.e.Add(logs.FieldOutcome, "success")
			case strings.HasPrefix(status, "FAILURE"):
				cur.e.Add(logs.FieldOutcome, "failure")
			}
			cur.e.Length = l.Offset + l.Length - cur.e.Offset
			if err := finish(false); err != nil {
				return err
			}
		default:
			cur.e.Length = l.Offset + l.Length - cur.e.Offset
			if v, ok := strings.CutPrefix(strings.TrimSpace(text), "dvi:"); ok {
				v = strings.TrimSpace(v)
				for _, k := range []string{"Driver Version:", "Selected Driver:", "Device Description:", "Hardware ID:"} {
					if rest, ok := strings.CutPrefix(v, k); ok {
						name := strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(k, ":"), " ", "_"))
						cur.e.Add(name, strings.TrimSpace(rest))
					}
				}
			}
		}
	}
}
