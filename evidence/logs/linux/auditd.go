package linux

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// Auditd is the Linux audit log parser's registry entry.
var Auditd = logs.Parser{
	Name:  "auditd",
	Reads: "Linux audit logs (audit.log: type=… msg=audit(epoch:serial): …)",
	Names: []string{"audit.log*"},
	Sniff: func(h *logs.Head) int {
		return h.Score(20, func(l []byte) bool {
			return (bytes.HasPrefix(l, []byte("type=")) || bytes.HasPrefix(l, []byte("node="))) && bytes.Contains(l, []byte(" msg=audit("))
		})
	},
	Parse: parseAuditd,
}

// hexFields are the audit fields the kernel writes hex-encoded when their
// value holds spaces or other unsafe bytes.
var hexFields = map[string]bool{"proctitle": true, "cmd": true, "acct": true, "exe": true, "comm": true, "name": true, "cwd": true, "data": true, "path": true}

func parseAuditd(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	return logs.EachLine(r, opts, sink, func(l logs.Line, text string, warn func(string) error) error {
		e, why := auditLine(text, l, opts)
		if why != "" {
			if err := warn(why); err != nil {
				return err
			}
		}
		if e != nil {
			return sink.Event(*e)
		}
		return nil
	})
}

// kv splits `a=1 b="two words" c='x=1 y=2'` into pairs, in order.
func kv(s string, out *[][2]string) {
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\x1d') {
			i++
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq <= 0 {
			return
		}
		key := s[i : i+eq]
		if strings.ContainsAny(key, " \"'") {
			// Not a key: skip a word.
			sp := strings.IndexByte(s[i:], ' ')
			if sp < 0 {
				return
			}
			i += sp
			continue
		}
		i += eq + 1
		var val string
		if i < len(s) && (s[i] == '"' || s[i] == '\'') {
			q := s[i]
			end := strings.IndexByte(s[i+1:], q)
			if end < 0 {
				val, i = s[i+1:], len(s)
			} else {
				val, i = s[i+1:i+1+end], i+end+2
			}
			if q == '\'' && strings.Contains(val, "=") {
				*out = append(*out, [2]string{key, val})
				kv(val, out) // msg='op=... acct=...' holds more pairs
				continue
			}
		} else {
			end := strings.IndexAny(s[i:], " \x1d")
			if end < 0 {
				end = len(s) - i
			}
			val, i = s[i:i+end], i+end
		}
		*out = append(*out, [2]string{key, val})
	}
}

func auditLine(text string, l logs.Line, opts logs.Options) (*logs.Event, string) {
	at := strings.Index(text, "msg=audit(")
	if at < 0 {
		return nil, fmt.Sprintf("not an audit record: %q (expected type=… msg=audit(epoch:serial): …)", logs.Clip(text, 60))
	}
	stampEnd := strings.Index(text[at:], "):")
	if stampEnd < 0 {
		return nil, "the audit(…) stamp is not closed: skipped"
	}
	stamp := text[at+len("msg=audit(") : at+stampEnd]
	epoch, serial, _ := strings.Cut(stamp, ":")
	e := &logs.Event{Offset: l.Offset, Length: l.Length, TimestampDesc: logs.DescLogged}
	why := ""
	if t, err := logs.FromUnix(epoch); err == nil {
		e.SetTime(t, stamp, opts, false)
	} else {
		e.TimeText = stamp
		why = fmt.Sprintf("audit stamp %q is not epoch:serial: the event is kept without a time", logs.Clip(stamp, 40))
	}
	var pairs [][2]string
	kv(text[:at], &pairs)
	typ := ""
	for _, p := range pairs {
		switch p[0] {
		case "type":
			typ = p[1]
		case "node":
			e.Add(logs.FieldHost, p[1])
		}
	}
	e.Add("type", typ)
	e.Add("audit_serial", serial)
	var body [][2]string
	kv(text[at+stampEnd+2:], &body)
	for _, p := range body {
		k, v := p[0], p[1]
		if k == "msg" && strings.Contains(v, "=") {
			continue
		}
		if hexFields[k] && len(v)%2 == 0 && len(v) >= 2 && isHex(v) {
			if b, err := hex.DecodeString(v); err == nil {
				if k == "proctitle" {
					b = bytes.ReplaceAll(b, []byte{0}, []byte{' '})
				}
				v = string(b)
			}
		}
		e.Add(k, v)
	}
	f := func(n string) string { v, _ := e.Get(n); return v }
	if u := f("acct"); u != "" && u != "?" {
		e.Add(logs.FieldUser, u)
	} else if u := f("AUID"); u != "" && u != "unset" {
		e.Add(logs.FieldUser, u)
	}
	if a := f("addr"); a != "" && a != "?" {
		e.Add(logs.FieldSrcIP, a)
	}
	switch f("res") {
	case "success", "1", "yes":
		e.Add(logs.FieldOutcome, "success")
	case "failed", "0", "no":
		e.Add(logs.FieldOutcome, "failure")
	}
	if s := f("success"); s == "yes" {
		e.Add(logs.FieldOutcome, "success")
	} else if s == "no" {
		e.Add(logs.FieldOutcome, "failure")
	}
	e.Message = strings.TrimSpace(typ + " " + strings.TrimSpace(text[at+stampEnd+2:]))
	if len(e.Message) > 2000 {
		e.Message = e.Message[:2000] + "…"
	}
	return e, why
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
