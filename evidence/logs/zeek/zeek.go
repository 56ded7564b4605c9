// Package zeek parses Zeek (Bro) TSV logs: conn, dns, http, ssl, files,
// notice and any other, their columns named by the #fields directive. The
// ts column gives the time (Unix seconds, UTC); id.orig_h, id.orig_p,
// id.resp_h and id.resp_p are also written src_ip, src_port, dst_ip and
// dst_port. Unset values ("-") give no field; empty ones ("(empty)") give
// an empty field. Set and vector values keep their separator.
package zeek

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// Parser is the Zeek parser's registry entry.
var Parser = logs.Parser{
	Name:  "zeek",
	Reads: "Zeek (Bro) TSV logs: conn, dns, http, ssl, files, … (columns from #fields)",
	Names: []string{"conn.log*", "dns.log*", "http.log*", "ssl.log*", "files.log*", "notice.log*", "weird.log*", "x509.log*", "smtp.log*", "ssh.log*", "dhcp.log*"},
	Sniff: func(h *logs.Head) int {
		if bytes.HasPrefix(h.Text, []byte("#separator ")) && bytes.Contains(h.Text, []byte("\n#fields")) {
			return 100
		}
		return 0
	},
	Parse: Parse,
}

var shared = map[string]string{"id.orig_h": logs.FieldSrcIP, "id.orig_p": logs.FieldSrcPort, "id.resp_h": logs.FieldDstIP, "id.resp_p": logs.FieldDstPort}

type header struct {
	sep, setSep, empty, unset string
	path                      string
	fields                    []string
}

// unescape turns the \x09 notation of the #separator line into bytes.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Parse reads a Zeek TSV log.
func Parse(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	h := header{sep: "\t", setSep: ",", empty: "(empty)", unset: "-"}
	lr := logs.NewLineReader(r, opts.RecordLimit())
	for {
		l, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		warn := func(why string) error {
			return sink.Warning(logs.Warning{Line: l.Number, Offset: l.Offset, Length: l.Length, Why: why})
		}
		switch {
		case l.NUL || l.TooLong:
			err = warn(l.Problem(opts.RecordLimit()))
		case len(l.Text) == 0:
		case l.Text[0] == '#':
			directive(&h, string(l.Text))
		case h.fields == nil:
			err = warn("a Zeek record before any #fields directive: its columns are unknown, the line is skipped")
		default:
			err = record(l, h, opts, sink)
		}
		if err != nil {
			return err
		}
	}
}

func directive(h *header, s string) {
	if v, ok := strings.CutPrefix(s, "#separator "); ok {
		h.sep = unescape(v)
		return
	}
	name, v, _ := strings.Cut(s[1:], h.sep)
	switch name {
	case "set_separator":
		h.setSep = v
	case "empty_field":
		h.empty = v
	case "unset_field":
		h.unset = v
	case "path":
		h.path = v
	case "fields":
		h.fields = strings.Split(v, h.sep)
	}
}

func record(l logs.Line, h header, opts logs.Options, sink logs.Sink) error {
	vals := strings.Split(string(l.Text), h.sep)
	warn := func(why string) error {
		return sink.Warning(logs.Warning{Line: l.Number, Offset: l.Offset, Length: l.Length, Why: why})
	}
	if len(vals) != len(h.fields) {
		return warn(fmt.Sprintf("the line has %d values but #fields names %d columns: skipped", len(vals), len(h.fields)))
	}
	e := logs.Event{Offset: l.Offset, Length: l.Length, TimestampDesc: logs.DescEventTime}
	if h.path == "conn" {
		e.TimestampDesc = logs.DescConnStart
	}
	if h.path != "" {
		e.Add(logs.FieldSource, "zeek:"+h.path)
	}
	get := map[string]string{}
	for i, name := range h.fields {
		v := vals[i]
		if v == h.unset {
			continue
		}
		if v == h.empty {
			v = ""
		}
		get[name] = v
		if common, ok := shared[name]; ok {
			e.Add(common, v)
		}
	}
	for i, name := range h.fields {
		if v, ok := get[name]; ok {
			if _, dup := e.Get(name); !dup {
				e.Fields = append(e.Fields, logs.Field{Name: name, Value: v})
			}
		}
		_ = i
	}
	if ts, ok := get["ts"]; ok {
		if t, err := logs.FromUnix(ts); err == nil {
			e.SetTime(t, ts, opts, false)
		} else {
			e.TimeText = ts
			if err := warn(fmt.Sprintf("ts %q is not a Unix time: the event is kept without a time", logs.Clip(ts, 30))); err != nil {
				return err
			}
		}
	} else if err := warn("the record has no ts: the event is kept without a time"); err != nil {
		return err
	}
	e.Message = summary(h.path, get)
	return sink.Event(e)
}

func summary(path string, v map[string]string) string {
	flow := ""
	if v["id.orig_h"] != "" {
		flow = fmt.Sprintf("%s:%s → %s:%s", v["id.orig_h"], v["id.orig_p"], v["id.resp_h"], v["id.resp_p"])
	}
	var parts []string
	add := func(s string) {
		if strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
	}
	add(path)
	switch path {
	case "conn":
		add(v["proto"])
		add(flow)
		add(v["service"])
		add(v["conn_state"])
	case "dns":
		add(flow)
		add(v["qtype_name"])
		add(v["query"])
		if v["answers"] != "" {
			add("→ " + v["answers"])
		}
	case "http":
		add(flow)
		add(v["method"])
		add(v["host"] + v["uri"])
		if v["status_code"] != "" {
			add("→ " + v["status_code"])
		}
	case "ssl":
		add(flow)
		add(v["server_name"])
		add(v["version"])
	default:
		add(flow)
		for _, k := range []string{"note", "msg", "name", "filename", "mime_type", "subject"} {
			add(v[k])
		}
	}
	return strings.Join(parts, " ")
}
