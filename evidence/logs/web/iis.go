package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// IIS is the W3C extended log parser's registry entry.
var IIS = logs.Parser{
	Name:  "iis",
	Reads: "IIS and other W3C extended logs (columns from the #Fields directive)",
	Names: []string{"u_ex*.log", "ex*.log", "u_in*.log", "pfirewall.log*", "*w3c*.log"},
	Sniff: func(h *logs.Head) int {
		t := h.Text
		if (bytes.HasPrefix(t, []byte("#Software:")) || bytes.HasPrefix(t, []byte("#Version:")) || bytes.HasPrefix(t, []byte("#Date:"))) &&
			bytes.Contains(t, []byte("\n#Fields:")) {
			return 95
		}
		return 0
	},
	Parse: parseW3C,
}

// w3cNames maps W3C column names to the shared field names.
var w3cNames = map[string]string{
	"c-ip": logs.FieldSrcIP, "src-ip": logs.FieldSrcIP, "s-ip": logs.FieldDstIP, "dst-ip": logs.FieldDstIP,
	"s-port": logs.FieldDstPort, "dst-port": logs.FieldDstPort, "src-port": logs.FieldSrcPort, "c-port": logs.FieldSrcPort,
	"cs-username": logs.FieldUser, "cs-method": "method", "cs-uri-stem": "path", "cs-uri-query": "query",
	"sc-status": "status", "cs(user-agent)": "user_agent", "cs(referer)": "referer", "s-computername": logs.FieldHost,
	"cs-host": "vhost", "sc-bytes": "bytes", "cs-version": "protocol", "action": logs.FieldAction,
}

func parseW3C(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	var fields []string
	utc := false
	software := ""
	return logs.EachLine(r, opts, sink, func(l logs.Line, text string, warn func(string) error) error {
		text = strings.TrimRight(text, " ")
		if text[0] == '#' {
			k, v, _ := strings.Cut(text[1:], ":")
			switch strings.ToLower(k) {
			case "fields":
				fields = strings.Fields(v)
			case "software":
				software = strings.TrimSpace(v)
				utc = strings.Contains(software, "Internet Information Services") || strings.Contains(software, "Exchange")
			}
			return nil
		}
		if fields == nil {
			return warn("a W3C record before any #Fields directive: its columns are unknown, the line is skipped")
		}
		vals := strings.Split(text, " ")
		if len(vals) != len(fields) {
			return warn(fmt.Sprintf("the line has %d values but #Fields names %d columns: skipped", len(vals), len(fields)))
		}
		e := logs.Event{Offset: l.Offset, Length: l.Length, TimestampDesc: logs.DescRequest}
		var date, clock string
		for i, name := range fields {
			v := vals[i]
			if v == "-" {
				continue // the column is empty
			}
			switch strings.ToLower(name) {
			case "date":
				date = v
			case "time":
				clock = v
			}
			if common, ok := w3cNames[strings.ToLower(name)]; ok {
				if common == "user_agent" || common == "referer" {
					v = strings.ReplaceAll(v, "+", " ")
				}
				e.Add(common, v)
			}
		}
		for i, name := range fields {
			if vals[i] != "-" {
				e.Add(name, vals[i])
			}
		}
		if date != "" && clock != "" {
			o := opts
			if utc {
				o.Location = nil
			}
			stamp := date + " " + clock
			if t, _, err := logs.ParseISO(stamp, o.Loc()); err == nil {
				e.SetTime(t, stamp, o, !utc)
			} else {
				e.TimeText = stamp
				if err := warn(fmt.Sprintf("date and time %q: %v: the event is kept without a time", stamp, err)); err != nil {
					return err
				}
			}
		} else if err := warn("the record has no date and time columns: the event is kept without a time"); err != nil {
			return err
		}
		status, _ := e.Get("status")
		e.Add(logs.FieldOutcome, outcome(status))
		method, _ := e.Get("method")
		path, _ := e.Get("path")
		src, _ := e.Get(logs.FieldSrcIP)
		if method != "" {
			e.Message = fmt.Sprintf("%s %s → %s from %s", method, path, status, src)
		} else {
			e.Message = strings.Join(vals, " ")
		}
		return sink.Event(e)
	})
}
