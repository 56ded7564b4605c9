package jsonl

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// Parser is the generic JSON parser's registry entry.
var Parser = logs.Parser{
	Name:  "jsonl",
	Reads: "JSON lines and JSON arrays of records (any fields; time found by name)",
	Names: []string{"*.jsonl", "*.ndjson", "*.json"},
	Sniff: func(h *logs.Head) int {
		layout, _ := sniffLayout(h.Raw)
		if layout != LayoutLines {
			return 60
		}
		return h.Score(10, func(l []byte) bool {
			l = bytes.TrimSpace(l)
			return len(l) > 1 && l[0] == '{' && l[len(l)-1] == '}'
		}) * 6 / 10
	},
	Parse: Parse,
}

// MaxFields bounds the fields of one event.
const MaxFields = 1000

// TimeNames are the member names the generic parser takes a time from, in
// order of preference (compared in lower case).
var TimeNames = []string{"@timestamp", "timestamp", "time", "datetime", "date", "eventtime", "event_time", "ts",
	"timecreated", "creationtime", "created_at", "createdat", "created", "logtime", "log_time", "_time"}

var messageNames = []string{"message", "msg", "log", "text", "event", "description"}

// Parse reads JSON records into generic events.
func Parse(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	_, err := Records(r, opts.RecordLimit(), func(rec Record) error {
		e, warns := Generic(rec, opts)
		for _, w := range warns {
			if err := sink.Warning(w); err != nil {
				return err
			}
		}
		if e == nil {
			return nil
		}
		return sink.Event(*e)
	}, sink.Warning)
	return err
}

// Fields flattens a record into fields, keeping the first of repeated
// names, at most MaxFields. It returns a warning text when the record is
// not JSON or has too many values.
func Fields(data []byte) ([]logs.Field, string) {
	var fields []logs.Field
	seen := map[string]bool{}
	over := 0
	err := Flatten(data, func(path, value string) {
		if seen[path] {
			return
		}
		if len(fields) >= MaxFields {
			over++
			return
		}
		seen[path] = true
		fields = append(fields, logs.Field{Name: path, Value: value})
	})
	if err != nil {
		return nil, "not a JSON record: " + err.Error()
	}
	if over > 0 {
		return fields, fmt.Sprintf("the record has %d more values than the %d an event keeps: they are only in the record's bytes", over, MaxFields)
	}
	return fields, ""
}

// Generic makes the event of one record of an arbitrary JSON log.
func Generic(rec Record, opts logs.Options) (*logs.Event, []logs.Warning) {
	var warns []logs.Warning
	w := func(why string) {
		warns = append(warns, logs.Warning{Line: rec.Line, Offset: rec.Offset, Length: rec.Length, Why: why})
	}
	fields, why := Fields(rec.Data)
	if fields == nil {
		w(why)
		return nil, warns
	}
	if why != "" {
		w(why)
	}
	e := &logs.Event{Offset: rec.Offset, Length: rec.Length, Fields: fields, TimestampDesc: logs.DescRecorded}
	if name, ok := SetTimeFrom(e, fields, TimeNames, opts); !ok {
		if name != "" {
			v, _ := e.Get(name)
			w(fmt.Sprintf("%s %q is not a time this parser reads: the event is kept without one", name, logs.Clip(v, 40)))
		} else {
			w("the record has no time member (" + strings.Join(TimeNames[:6], ", ") + ", …): the event is kept without a time")
		}
	}
	e.Message = Message(fields, messageNames)
	return e, warns
}

// SetTimeFrom sets the event's time from the first field named (in lower
// case, top level before nested) as one of names that parses. It returns
// the name of the field it tried first and whether a time was set.
func SetTimeFrom(e *logs.Event, fields []logs.Field, names []string, opts logs.Options) (string, bool) {
	first := ""
	for _, nested := range []bool{false, true} {
		for _, want := range names {
			for _, f := range fields {
				name := strings.ToLower(f.Name)
				if nested {
					if i := strings.LastIndexByte(name, '.'); i >= 0 {
						name = name[i+1:]
					} else {
						continue
					}
				}
				if name != want {
					continue
				}
				if first == "" {
					first = f.Name
				}
				if ParseTime(e, f.Value, opts) {
					return f.Name, true
				}
			}
		}
	}
	return first, false
}

// ParseTime reads an ISO 8601 text or a Unix time (s, ms, µs or ns) into
// the event's time fields.
func ParseTime(e *logs.Event, v string, opts logs.Options) bool {
	v = strings.TrimSpace(v)
	if t, hasZone, err := logs.ParseISO(v, opts.Loc()); err == nil {
		e.SetTime(t, v, opts, !hasZone)
		return true
	}
	if t, ok := UnixTime(v); ok {
		e.SetTime(t, v, opts, false)
		return true
	}
	return false
}

// UnixTime reads a Unix time in seconds, milliseconds, microseconds or
// nanoseconds, told apart by the size of its integer part.
func UnixTime(v string) (time.Time, bool) {
	ip, frac, _ := strings.Cut(v, ".")
	n, err := strconv.ParseInt(ip, 10, 64)
	if err != nil || n <= 0 || (frac != "" && !isDigits(frac)) {
		return time.Time{}, false
	}
	switch {
	case n < 1e11: // seconds (until the year 5138)
		t, err := logs.FromUnix(v)
		return t, err == nil
	case n < 1e14:
		return time.UnixMilli(n).UTC(), frac == ""
	case n < 1e17:
		return time.UnixMicro(n).UTC(), frac == ""
	default:
		return time.Unix(0, n).UTC(), frac == ""
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Message returns the first field named one of names (top level), or the
// first fields as name=value.
func Message(fields []logs.Field, names []string) string {
	for _, want := range names {
		for _, f := range fields {
			if strings.EqualFold(f.Name, want) && f.Value != "" {
				return firstLine(f.Value)
			}
		}
	}
	var b strings.Builder
	for i, f := range fields {
		if i == 8 || b.Len() > 300 {
			b.WriteString(" …")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		v := f.Value
		if len(v) > 60 {
			v = v[:60] + "…"
		}
		b.WriteString(f.Name + "=" + v)
	}
	return firstLine(b.String())
}

func firstLine(s string) string {
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return s
}
