package linux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// History is the shell history parser's registry entry.
var History = logs.Parser{
	Name:  "shell_history",
	Reads: "shell histories: bash with #epoch lines (HISTTIMEFORMAT), zsh extended history",
	Names: []string{".bash_history*", "bash_history*", ".zsh_history*", "zsh_history*", ".history", ".sh_history", "*_history"},
	Sniff: func(h *logs.Head) int {
		lines := h.Lines(20)
		if len(lines) < 2 {
			return 0
		}
		stamps := 0
		for _, l := range lines {
			if _, ok := bashStamp(string(l)); ok {
				stamps++
			} else if _, _, ok := zshLine(string(l)); ok {
				stamps++
			}
		}
		if stamps*3 >= len(lines) {
			return 80
		}
		return 0
	},
	Parse: parseHistory,
}

func bashStamp(s string) (string, bool) {
	if len(s) < 2 || s[0] != '#' {
		return "", false
	}
	n := s[1:]
	if len(n) < 9 || len(n) > 11 || !allDigits(n) {
		return "", false
	}
	return n, true
}

// zshLine reads ": 1700000000:0;command".
func zshLine(s string) (stamp, cmd string, ok bool) {
	if !strings.HasPrefix(s, ": ") {
		return "", "", false
	}
	head, cmd, found := strings.Cut(s[2:], ";")
	stamp, _, _ = strings.Cut(head, ":")
	if !found || !allDigits(stamp) {
		return "", "", false
	}
	return stamp, cmd, true
}

func allDigits(s string) bool {
	_, ok := logs.Digits(s)
	return ok
}

// parseHistory makes one event per command. A bash record is the #epoch
// line and the command after it (a multi-line command runs to the next
// #epoch line); a zsh record is its line; a command without a time stamp
// is its line.
func parseHistory(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	lr := logs.NewLineReader(r, opts.RecordLimit())
	var pending *logs.Event
	timed := false
	stamp, stampOff := "", int64(0)
	var noTime, firstNoTime int64
	flush := func() error {
		if pending == nil {
			return nil
		}
		e := *pending
		pending = nil
		return sink.Event(e)
	}
	start := func(off int64, l logs.Line, cmd, stampText string) {
		e := &logs.Event{Offset: off, Length: l.Offset + l.Length - off, TimestampDesc: logs.DescCommand, Message: cmd}
		timed = stampText != ""
		if timed {
			if t, err := logs.FromUnix(stampText); err == nil {
				e.SetTime(t, stampText, opts, false)
			}
		} else {
			if noTime == 0 {
				firstNoTime = l.Offset
			}
			noTime++
		}
		e.Add("command", cmd)
		pending = e
	}
	for {
		l, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if w := l.Problem(opts.RecordLimit()); w != "" {
			if err := flush(); err != nil {
				return err
			}
			if err := sink.Warning(logs.Warning{Line: l.Number, Offset: l.Offset, Length: l.Length, Why: w}); err != nil {
				return err
			}
			continue
		}
		text := string(l.Text)
		if s, ok := bashStamp(text); ok {
			if err := flush(); err != nil {
				return err
			}
			stamp, stampOff = s, l.Offset
			continue
		}
		if s, cmd, ok := zshLine(text); ok {
			if err := flush(); err != nil {
				return err
			}
			start(l.Offset, l, cmd, s)
			continue
		}
		switch {
		case stamp != "":
			if err := flush(); err != nil {
				return err
			}
			start(stampOff, l, text, stamp)
			stamp = ""
		case pending != nil && timed:
			// The next line of a multi-line command.
			pending.Length = l.Offset + l.Length - pending.Offset
			pending.Message += "\n" + text
			pending.Set("command", pending.Message)
		case strings.TrimSpace(text) == "":
		default:
			if err := flush(); err != nil {
				return err
			}
			start(l.Offset, l, text, "")
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if noTime > 0 {
		return sink.Warning(logs.Warning{Offset: firstNoTime, Why: fmt.Sprintf(
			"%d commands have no time stamp (the shell wrote none: HISTTIMEFORMAT unset): they are kept without a time, in file order", noTime)})
	}
	return nil
}
