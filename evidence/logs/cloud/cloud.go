package cloud

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/jsonl"
)

// Names of the fields shared by the cloud parsers (see the package comment).
const (
	FieldActor     = "actor"
	FieldOperation = "operation"
	FieldService   = "service"
	FieldResource  = "resource"
	FieldResult    = "result"
)

// record is one flattened record with lookups by field name.
type record struct {
	fields []logs.Field
	index  map[string]string
}

func (r *record) get(names ...string) string {
	for _, n := range names {
		if v, ok := r.index[n]; ok && v != "" {
			return v
		}
	}
	return ""
}

// build is what a cloud format adds to a flattened record: the named fields
// (in order) and the message. It returns the name of the time member; a
// name ending in "!" is a time without a zone that is UTC by definition.
type build func(r *record, e *logs.Event) (timeField string)

// parseWith reads JSON records and builds events with b.
func parseWith(name string, b build) func(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	return func(ctx context.Context, in io.Reader, opts logs.Options, sink logs.Sink) error {
		_, err := jsonl.Records(in, opts.RecordLimit(), func(rec jsonl.Record) error {
			warn := func(why string) error {
				return sink.Warning(logs.Warning{Line: rec.Line, Offset: rec.Offset, Length: rec.Length, Why: why})
			}
			fields, why := jsonl.Fields(rec.Data)
			if fields == nil {
				return warn(why)
			}
			if why != "" {
				if err := warn(why); err != nil {
					return err
				}
			}
			e, w := event(fields, rec.Offset, rec.Length, b, opts)
			if w != "" {
				if err := warn(w); err != nil {
					return err
				}
			}
			return sink.Event(e)
		}, sink.Warning)
		return err
	}
}

// event builds the event of one flattened record.
func event(fields []logs.Field, off, length int64, b build, opts logs.Options) (logs.Event, string) {
	r := &record{fields: fields, index: make(map[string]string, len(fields))}
	for _, f := range fields {
		r.index[f.Name] = f.Value
	}
	e := logs.Event{Offset: off, Length: length, TimestampDesc: logs.DescEventTime}
	timeField := b(r, &e)
	utc := false
	if f, ok := strings.CutSuffix(timeField, "!"); ok {
		timeField, utc = f, true
		opts.Location = nil // UTC
	}
	warn := ""
	if v := r.get(timeField); v == "" {
		warn = "the record has no " + timeField + ": the event is kept without a time"
	} else if !jsonl.ParseTime(&e, v, opts) {
		e.TimeText = v
		warn = timeField + " " + quote(v) + " is not a time: the event is kept without one"
	} else if utc {
		e.TimeZone, e.TimeZoneAssumed = "UTC", false
	}
	seen := make(map[string]bool, len(e.Fields)+len(fields))
	for _, f := range e.Fields {
		seen[f.Name] = true
	}
	for _, f := range fields {
		if !seen[f.Name] {
			e.Fields = append(e.Fields, f)
			seen[f.Name] = true
		}
	}
	return e, warn
}

func quote(s string) string { return `"` + logs.Clip(s, 40) + `"` }

// outcomeOf maps a platform's result word to success or failure.
func outcomeOf(result string) string {
	switch strings.ToLower(result) {
	case "success", "succeeded", "true", "0", "ok", "partiallysucceeded":
		return "success"
	case "failure", "failed", "false", "error", "denied":
		return "failure"
	}
	return ""
}

// splitHostPort splits "1.2.3.4:5678" and "[2001:db8::1]:443"; a bare
// address (IPv6 included) is returned whole.
func splitHostPort(s string) (host, port string) {
	if ip := net.ParseIP(s); ip != nil {
		return s, ""
	}
	if h, p, err := net.SplitHostPort(s); err == nil {
		return h, p
	}
	return s, ""
}

// has reports whether the head's text holds all of the given markers.
func has(h *logs.Head, markers ...string) bool {
	for _, m := range markers {
		if !bytes.Contains(h.Text, []byte(m)) {
			return false
		}
	}
	return true
}

// message joins the non-empty parts with spaces.
func message(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" || strings.HasSuffix(p, " ") {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// with returns prefix+v, or "" when v is empty.
func with(prefix, v string) string {
	if v == "" {
		return ""
	}
	return prefix + v
}
