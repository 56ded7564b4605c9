// Package timesketch re-imports timelines in Timesketch's import format: CSV
// or JSON lines with the columns message, datetime (ISO 8601) and
// timestamp_desc, an optional timestamp (microseconds since 1970), and any
// further columns, which become fields. Custodia's own timeline export
// writes this format, so an exported timeline reads back unchanged.
package timesketch

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/jsonl"
)

// Parser is the Timesketch parser's registry entry.
var Parser = logs.Parser{
	Name:  "timesketch",
	Reads: "Timesketch import files (CSV or JSONL with message, datetime, timestamp_desc)",
	Names: []string{"*timesketch*.csv", "*timesketch*.jsonl", "*.plaso.csv"},
	Sniff: func(h *logs.Head) int {
		lines := h.Lines(1)
		if len(lines) == 0 {
			return 0
		}
		first := string(lines[0])
		for _, k := range []string{"message", "datetime", "timestamp_desc"} {
			if !strings.Contains(first, k) {
				return 0
			}
		}
		return 97
	},
	Parse: Parse,
}

var core = map[string]bool{"message": true, "datetime": true, "timestamp_desc": true, "timestamp": true}

// Parse reads a Timesketch CSV or JSONL file.
func Parse(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	head, br := logs.PeekText(r)
	if len(head) > 0 && head[0] == '{' {
		_, err := jsonl.Records(br, opts.RecordLimit(), func(rec jsonl.Record) error {
			fields, why := jsonl.Fields(rec.Data)
			if fields == nil {
				return sink.Warning(logs.Warning{Line: rec.Line, Offset: rec.Offset, Length: rec.Length, Why: why})
			}
			return emit(fields, rec.Line, rec.Offset, rec.Length, opts, sink)
		}, sink.Warning)
		return err
	}
	var cols []string
	return logs.CSVRecords(br, opts.RecordLimit(), func(rec logs.CSVRecord) error {
		if cols == nil {
			for _, c := range rec.Fields {
				cols = append(cols, strings.TrimPrefix(strings.TrimSpace(c), "\uFEFF"))
			}
			return nil
		}
		if len(rec.Fields) != len(cols) {
			return sink.Warning(logs.Warning{Line: rec.Line, Offset: rec.Offset, Length: rec.Length,
				Why: fmt.Sprintf("the record has %d values but the header names %d columns: skipped", len(rec.Fields), len(cols))})
		}
		fields := make([]logs.Field, 0, len(cols))
		for i, c := range cols {
			fields = append(fields, logs.Field{Name: c, Value: rec.Fields[i]})
		}
		return emit(fields, rec.Line, rec.Offset, rec.Length, opts, sink)
	}, sink.Warning)
}

func emit(fields []logs.Field, line, off, length int64, opts logs.Options, sink logs.Sink) error {
	e := logs.Event{Offset: off, Length: length}
	get := func(n string) string {
		for _, f := range fields {
			if f.Name == n {
				return f.Value
			}
		}
		return ""
	}
	e.Message = get("message")
	e.TimestampDesc = get("timestamp_desc")
	ok := false
	if dt := get("datetime"); dt != "" {
		ok = jsonl.ParseTime(&e, dt, opts)
	}
	if !ok {
		if ts := get("timestamp"); ts != "" {
			if t, good := jsonl.UnixTime(ts); good {
				e.SetTime(t, ts, opts, false)
				ok = true
			}
		}
	}
	if !ok {
		e.TimeText = get("datetime")
		if err := sink.Warning(logs.Warning{Line: line, Offset: off, Length: length,
			Why: fmt.Sprintf("datetime %q (and timestamp %q) give no time: the event is kept without one", logs.Clip(get("datetime"), 40), logs.Clip(get("timestamp"), 20))}); err != nil {
			return err
		}
	}
	for _, f := range fields {
		if !core[f.Name] && f.Value != "" {
			e.Add(f.Name, f.Value)
		}
	}
	return sink.Event(e)
}
