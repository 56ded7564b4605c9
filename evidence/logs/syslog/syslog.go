package syslog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// Parser is the syslog parser's registry entry.
var Parser = logs.Parser{
	Name:  "syslog",
	Reads: "syslog text: RFC 3164 (BSD), rsyslog RFC 3339 and RFC 5424 lines; sshd, cron and sudo lines as typed events",
	Names: []string{"syslog*", "messages*", "auth.log*", "secure*", "kern.log*", "daemon.log*", "user.log*",
		"cron*", "maillog*", "mail.log*", "*.syslog", "debug*", "sys.log*"},
	Sniff: sniff,
	Parse: Parse,
}

func sniff(h *logs.Head) int {
	if h.Binary() {
		return 0
	}
	return h.Score(20, func(l []byte) bool {
		_, ok := header(string(l))
		return ok
	}) * 9 / 10 // a sure match, but leave room for narrower formats
}

// Parse reads a syslog file (see the package comment).
func Parse(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	p := &parser{opts: opts, sink: sink, years: yearTracker{opts: opts}}
	lr := logs.NewLineReader(r, opts.MaxRecord)
	for {
		l, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if err := p.line(l); err != nil {
			return err
		}
	}
	return p.flush()
}

type parser struct {
	opts    logs.Options
	sink    logs.Sink
	years   yearTracker
	pending *logs.Event // the last event, held back for continuation lines
	cont    int         // continuation lines appended to pending
}

func (p *parser) warn(l logs.Line, why string) error {
	return p.sink.Warning(logs.Warning{Line: l.Number, Offset: l.Offset, Length: l.Length, Why: why})
}

func (p *parser) flush() error {
	if p.pending == nil {
		return nil
	}
	e := *p.pending
	p.pending = nil
	return p.sink.Event(e)
}

func (p *parser) line(l logs.Line) error {
	switch {
	case l.NUL || l.TooLong:
		if err := p.flush(); err != nil {
			return err
		}
		return p.warn(l, l.Problem(p.opts.RecordLimit()))
	case len(bytes.TrimSpace(l.Text)) == 0:
		return nil // blank lines carry nothing
	}
	text := string(l.Text)
	if (text[0] == ' ' || text[0] == '\t') && p.pending != nil {
		end := l.Offset + l.Length
		if end-p.pending.Offset <= int64(p.opts.RecordLimit()) {
			p.pending.Length = end - p.pending.Offset
			p.pending.Message += "\n" + strings.TrimRight(text, " \t")
			p.cont++
			return nil
		}
	}
	if err := p.flush(); err != nil {
		return err
	}
	h, ok := header(text)
	if !ok {
		return p.warn(l, fmt.Sprintf("not a syslog line: it starts %q (expected a \"Mmm dd hh:mm:ss\" or RFC 3339 time, or \"<PRI>\")", logs.Clip(text, 40)))
	}
	e := logs.Event{Offset: l.Offset, Length: l.Length, TimestampDesc: logs.DescLogged}
	var warns []string
	switch h.kind {
	case kind5424:
		warns = p.rfc5424(&e, text, h)
	default:
		warns = p.bsd(&e, text, h)
	}
	for _, w := range warns {
		if err := p.warn(l, w); err != nil {
			return err
		}
	}
	p.pending = &e
	return nil
}

// header kinds
const (
	kind3164 = iota
	kindISO
	kind5424
)

type hdr struct {
	kind     int
	pri      int // -1 when absent
	body     int // index of the first byte after the time stamp (and its space)
	stamp    string
	month    time.Month
	day      int
	year     int // 0 when the stamp has none
	clock    int // seconds into the day
	nsec     int
	fracText bool
}

var months = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

// header recognises the start of a syslog line.
func header(s string) (hdr, bool) {
	h := hdr{pri: -1}
	i := 0
	if len(s) > 2 && s[0] == '<' {
		j := strings.IndexByte(s[:min(len(s), 6)], '>')
		if j < 2 {
			return h, false
		}
		n, ok := logs.Digits(s[1:j])
		if !ok || n > 191 {
			return h, false
		}
		h.pri = n
		i = j + 1
		// RFC 5424: a version number and a space.
		k := i
		for k < len(s) && k-i < 3 && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > i && k < len(s) && s[k] == ' ' && s[i] != '0' {
			h.kind = kind5424
			h.body = k + 1
			return h, true
		}
	}
	rest := s[i:]
	// RFC 3339 (rsyslog's high-precision template).
	if len(rest) >= 20 && rest[4] == '-' && rest[10] == 'T' {
		sp := strings.IndexByte(rest, ' ')
		if sp < 0 {
			sp = len(rest)
		}
		if _, _, err := logs.ParseISO(rest[:sp], time.UTC); err == nil {
			h.kind = kindISO
			h.stamp = rest[:sp]
			h.body = i + min(sp+1, len(rest))
			return h, true
		}
		return h, false
	}
	// RFC 3164: "Mmm dd hh:mm:ss" (day space-padded), optional ".frac",
	// optional year ("Mmm dd yyyy hh:mm:ss").
	if len(rest) < 15 {
		return h, false
	}
	m, ok := months[strings.ToLower(rest[:3])]
	if !ok || rest[3] != ' ' {
		return h, false
	}
	k := 4
	if rest[k] == ' ' {
		k++
	}
	d0 := k
	for k < len(rest) && k-d0 < 2 && rest[k] >= '0' && rest[k] <= '9' {
		k++
	}
	day, ok := logs.Digits(rest[d0:k])
	if !ok || day < 1 || day > 31 || k >= len(rest) || rest[k] != ' ' {
		return h, false
	}
	k++
	if len(rest) >= k+5 && rest[k+4] == ' ' {
		if y, ok := logs.Digits(rest[k : k+4]); ok {
			h.year = y
			k += 5
		}
	}
	if len(rest) < k+8 || rest[k+2] != ':' || rest[k+5] != ':' {
		return h, false
	}
	hh, ok1 := logs.Digits(rest[k : k+2])
	mi, ok2 := logs.Digits(rest[k+3 : k+5])
	ss, ok3 := logs.Digits(rest[k+6 : k+8])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mi > 59 || ss > 60 {
		return h, false
	}
	k += 8
	if k < len(rest) && rest[k] == '.' {
		f := k + 1
		for f < len(rest) && f-k <= 9 && rest[f] >= '0' && rest[f] <= '9' {
			f++
		}
		if f > k+1 {
			n, _ := strconv.Atoi(rest[k+1 : f])
			for z := f - k - 1; z < 9; z++ {
				n *= 10
			}
			h.nsec = n
			k = f
		}
	}
	if k < len(rest) && rest[k] != ' ' {
		return h, false
	}
	h.kind = kind3164
	h.month, h.day, h.clock = m, day, hh*3600+mi*60+ss
	h.stamp = rest[:k]
	h.body = i + min(k+1, len(rest))
	return h, true
}

var facilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}
var severities = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

func addPRI(e *logs.Event, pri int) {
	if pri < 0 {
		return
	}
	e.Add("facility", facilities[pri/8])
	e.Add(logs.FieldSeverity, severities[pri%8])
}

// bsd parses RFC 3164 and rsyslog RFC 3339 lines.
func (p *parser) bsd(e *logs.Event, s string, h hdr) []string {
	var warns []string
	if h.kind == kindISO {
		t, _, _ := logs.ParseISO(h.stamp, p.opts.Loc())
		_, hasZone, _ := logs.ParseISO(h.stamp, time.UTC)
		e.SetTime(t, h.stamp, p.opts, !hasZone)
	} else {
		year := h.year
		if year == 0 {
			var w string
			year, w = p.years.yearFor(h.month)
			if w != "" {
				warns = append(warns, w)
			}
		}
		t := time.Date(year, h.month, h.day, 0, 0, h.clock, h.nsec, p.opts.Loc())
		if t.Day() != h.day {
			warns = append(warns, fmt.Sprintf("%s is not a date in %d (the year was inferred; set --year if it is wrong): the event is kept without a time", h.stamp, year))
			e.TimeText, e.TimeZone, e.TimeZoneAssumed = h.stamp, p.opts.Loc().String(), true
		} else {
			e.SetTime(t, h.stamp, p.opts, true)
			if w := p.years.checkFuture(t); w != "" {
				warns = append(warns, w)
			}
		}
	}
	addPRI(e, h.pri)
	rest := s[h.body:]
	host, tagged := "", rest
	// A host name comes first unless the first word is already the tag.
	if sp := strings.IndexByte(rest, ' '); sp > 0 {
		first := rest[:sp]
		if !strings.HasSuffix(first, ":") && !(strings.Contains(first, "[") && strings.HasSuffix(first, "]:")) {
			host, tagged = first, rest[sp+1:]
		}
	} else if !strings.HasSuffix(rest, ":") {
		host, tagged = rest, ""
	}
	e.Add(logs.FieldHost, host)
	prog, pid, msg := splitTag(tagged)
	e.Add(logs.FieldProgram, prog)
	e.Add(logs.FieldPID, pid)
	e.Message = strings.TrimRight(tagged, " ")
	typed(e, prog, msg)
	return warns
}

// splitTag splits "prog[pid]: message" (or "prog: message").
func splitTag(s string) (prog, pid, msg string) {
	end := strings.IndexAny(s, ":[ ")
	if end <= 0 || end > 64 {
		return "", "", s
	}
	prog = s[:end]
	rest := s[end:]
	if rest[0] == '[' {
		close := strings.IndexByte(rest, ']')
		if close < 0 {
			return "", "", s
		}
		pid = rest[1:close]
		rest = rest[close+1:]
	}
	if !strings.HasPrefix(rest, ":") {
		return "", "", s
	}
	return prog, pid, strings.TrimPrefix(rest[1:], " ")
}

// rfc5424 parses "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG".
func (p *parser) rfc5424(e *logs.Event, s string, h hdr) []string {
	var warns []string
	addPRI(e, h.pri)
	rest := s[h.body:]
	var parts [5]string
	for i := range parts {
		sp := strings.IndexByte(rest, ' ')
		if sp < 0 {
			parts[i], rest = rest, ""
			if i < 4 {
				warns = append(warns, "RFC 5424 header ends early: "+[]string{"host", "app name", "process id", "message id"}[i]+" missing")
			}
			break
		}
		parts[i], rest = rest[:sp], rest[sp+1:]
	}
	nil5424 := func(v string) string {
		if v == "-" {
			return ""
		}
		return v
	}
	stamp := parts[0]
	switch {
	case stamp == "-":
		e.TimeText = "-"
		warns = append(warns, "the record has no time (RFC 5424 NILVALUE): the event is kept without one")
	default:
		t, hasZone, err := logs.ParseISO(stamp, p.opts.Loc())
		if err != nil {
			e.TimeText = stamp
			warns = append(warns, fmt.Sprintf("time %s: %v: the event is kept without a time", logs.Clip(stamp, 40), err))
		} else {
			e.SetTime(t, stamp, p.opts, !hasZone)
		}
	}
	e.Add(logs.FieldHost, nil5424(parts[1]))
	e.Add(logs.FieldProgram, nil5424(parts[2]))
	e.Add(logs.FieldPID, nil5424(parts[3]))
	e.Add("msgid", nil5424(parts[4]))
	msg, sdWarn := p.structuredData(e, rest)
	if sdWarn != "" {
		warns = append(warns, sdWarn)
	}
	msg = strings.TrimPrefix(msg, "\uFEFF")
	prog := nil5424(parts[2])
	if prog != "" {
		pid := nil5424(parts[3])
		if pid != "" {
			e.Message = prog + "[" + pid + "]: " + msg
		} else {
			e.Message = prog + ": " + msg
		}
	} else {
		e.Message = msg
	}
	typed(e, prog, msg)
	return warns
}

// structuredData reads "-" or "[id k="v" ...][...]" and returns the message
// after it. Parameters become fields named "id.k".
func (p *parser) structuredData(e *logs.Event, s string) (string, string) {
	if strings.HasPrefix(s, "-") {
		return strings.TrimPrefix(s[1:], " "), ""
	}
	if !strings.HasPrefix(s, "[") {
		return s, "RFC 5424 structured data is missing (expected \"-\" or \"[\"): the rest is kept as the message"
	}
	i := 0
	for i < len(s) && s[i] == '[' {
		i++
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != ']' {
			j++
		}
		id := s[i:j]
		i = j
		for i < len(s) && s[i] == ' ' {
			i++
			k := i
			for k < len(s) && s[k] != '=' && s[k] != ']' {
				k++
			}
			if k+1 >= len(s) || s[k] != '=' || s[k+1] != '"' {
				return s, fmt.Sprintf("RFC 5424 structured data [%s is malformed at byte %d: kept as the message", logs.Clip(id, 32), i)
			}
			name := s[i:k]
			var val strings.Builder
			k += 2
			for k < len(s) && s[k] != '"' {
				if s[k] == '\\' && k+1 < len(s) && strings.IndexByte(`"\]`, s[k+1]) >= 0 {
					k++
				}
				val.WriteByte(s[k])
				k++
			}
			if k >= len(s) {
				return s, fmt.Sprintf("RFC 5424 structured data [%s has an unterminated value: kept as the message", logs.Clip(id, 32))
			}
			e.Set(id+"."+name, val.String())
			i = k + 1
		}
		if i >= len(s) || s[i] != ']' {
			return s, fmt.Sprintf("RFC 5424 structured data [%s is not closed: kept as the message", logs.Clip(id, 32))
		}
		i++
	}
	return strings.TrimPrefix(s[i:], " "), ""
}

// yearTracker gives RFC 3164 stamps their year (see the package comment).
type yearTracker struct {
	opts     logs.Options
	started  bool
	year     int
	last     time.Month
	warned   bool
	noYearOK bool
}

func (y *yearTracker) yearFor(m time.Month) (int, string) {
	var w string
	if !y.started {
		y.started = true
		switch {
		case y.opts.Year != 0:
			y.year = y.opts.Year
		case !y.opts.Reference.IsZero():
			ref := y.opts.Reference.In(y.opts.Loc())
			y.year = ref.Year()
			if m > ref.Month() {
				y.year--
			}
		default:
			y.year = time.Now().In(y.opts.Loc()).Year()
			w = fmt.Sprintf("the log's stamps have no year and neither --year nor the item's modification time was given: assumed %d; re-parse with --year", y.year)
		}
		y.last = m
		return y.year, w
	}
	switch {
	case m < y.last && y.last-m >= 6:
		y.year++
	case m > y.last && m-y.last >= 6:
		return y.year - 1, "" // a late line from before the new year
	}
	y.last = m
	return y.year, ""
}

func (y *yearTracker) checkFuture(t time.Time) string {
	if y.warned || y.opts.Year != 0 || y.opts.Reference.IsZero() || !t.After(y.opts.Reference.Add(24*time.Hour)) {
		return ""
	}
	y.warned = true
	return fmt.Sprintf("with the inferred year this line is after the item's reference time %s: the log may span more than a year; re-parse with --year",
		y.opts.Reference.UTC().Format(time.RFC3339))
}
