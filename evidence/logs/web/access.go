package web

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// Access is the Apache/NGINX access log parser's registry entry.
var Access = logs.Parser{
	Name:  "access",
	Reads: "Apache and NGINX access logs: common, combined, and vhost variants",
	Names: []string{"access*.log*", "*access_log*", "*access.log*", "*_access*", "other_vhosts_access.log*", "ssl_request_log*"},
	Sniff: func(h *logs.Head) int {
		return h.Score(20, func(l []byte) bool {
			_, _, ok := split(string(l))
			return ok
		}) * 9 / 10
	},
	Parse: parseAccess,
}

// split cuts an access log line into tokens: bare words, [bracketed] and
// "quoted" (with \" escapes) ones; it reports where the [time] token is.
func split(s string) (toks []string, timeAt int, ok bool) {
	timeAt = -1
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		switch s[i] {
		case '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, -1, false
			}
			if timeAt < 0 {
				timeAt = len(toks)
			}
			toks = append(toks, s[i+1:i+j])
			i += j + 1
		case '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && (s[j+1] == '"' || s[j+1] == '\\') {
					j++ // Apache escapes only these two; \xhh stays as written
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, -1, false
			}
			toks = append(toks, b.String())
			i = j + 1
		default:
			j := strings.IndexByte(s[i:], ' ')
			if j < 0 {
				j = len(s) - i
			}
			toks = append(toks, s[i:i+j])
			i += j
		}
	}
	// host ident user [time] "request" status bytes, with up to one vhost
	// word before the host.
	if timeAt < 3 || timeAt > 4 || len(toks) < timeAt+4 {
		return nil, -1, false
	}
	if _, err := time.Parse(clfTime, toks[timeAt]); err != nil {
		return nil, -1, false
	}
	if _, err := strconv.Atoi(toks[timeAt+2]); err != nil {
		return nil, -1, false
	}
	return toks, timeAt, true
}

const clfTime = "02/Jan/2006:15:04:05 -0700"

func parseAccess(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	return logs.EachLine(r, opts, sink, func(l logs.Line, text string, warn func(string) error) error {
		return accessLine(l, text, opts, sink, warn)
	})
}

func accessLine(l logs.Line, text string, opts logs.Options, sink logs.Sink, warn func(string) error) error {
	toks, at, ok := split(text)
	if !ok {
		return warn(fmt.Sprintf("not an access log line: %q (expected host ident user [time] \"request\" status bytes)", logs.Clip(text, 60)))
	}
	e := logs.Event{Offset: l.Offset, Length: l.Length, TimestampDesc: logs.DescRequest}
	t, _ := time.Parse(clfTime, toks[at])
	e.SetTime(t, toks[at], opts, false)
	dash := func(s string) string {
		if s == "-" {
			return ""
		}
		return s
	}
	if at == 4 {
		vhost, port, found := strings.Cut(toks[0], ":")
		e.Add("vhost", vhost)
		if found {
			e.Add(logs.FieldDstPort, port)
		}
		toks = toks[1:]
		at--
	}
	client := toks[0]
	e.Add(logs.FieldSrcIP, client)
	e.Add("ident", dash(toks[1]))
	e.Add(logs.FieldUser, dash(toks[2]))
	req := toks[at+1]
	method, rest, _ := strings.Cut(req, " ")
	target, proto, _ := strings.Cut(rest, " ")
	if isMethod(method) && target != "" {
		e.Add("method", method)
		path, query, _ := strings.Cut(target, "?")
		e.Add("path", path)
		e.Add("query", query)
		e.Add("protocol", proto)
	} else {
		e.Add("request", dash(req)) // a probe or garbage: kept as it came
	}
	status := toks[at+2]
	e.Add("status", status)
	e.Add("bytes", dash(toks[at+3]))
	if len(toks) > at+4 {
		e.Add("referer", dash(toks[at+4]))
	}
	if len(toks) > at+5 {
		e.Add("user_agent", dash(toks[at+5]))
	}
	for i, x := range toks[min(len(toks), at+6):] {
		e.Add(fmt.Sprintf("extra[%d]", i), dash(x))
	}
	e.Add(logs.FieldOutcome, outcome(status))
	e.Message = fmt.Sprintf("%s → %s from %s", logs.Clip(req, 200), status, client)
	return sink.Event(e)
}

func isMethod(m string) bool {
	if m == "" || len(m) > 20 {
		return false
	}
	for i := 0; i < len(m); i++ {
		if m[i] < 'A' || m[i] > 'Z' {
			return false
		}
	}
	return true
}

// outcome reads an HTTP status: 2xx and 3xx succeed, 4xx and 5xx fail.
func outcome(status string) string {
	switch {
	case strings.HasPrefix(status, "2"), strings.HasPrefix(status, "3"):
		return "success"
	case strings.HasPrefix(status, "4"), strings.HasPrefix(status, "5"):
		return "failure"
	}
	return ""
}
