package logs

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// A CSVRecord is one record of a CSV file with where it is. A record can
// span lines (a quoted field holding line breaks).
type CSVRecord struct {
	Fields []string
	Line   int64 // of its first line
	Offset int64
	Length int64 // without the final line terminator
}

// CSVRecords reads a CSV file record by record, in bounded memory, keeping
// each record's exact offset and length: lines are joined while a quoted
// field is open, up to max bytes. A record that is not valid CSV, or longer
// than max, is a warning. The first record (the header) is passed like any
// other.
func CSVRecords(r io.Reader, max int, fn func(CSVRecord) error, warn func(Warning) error) error {
	if max <= 0 {
		max = DefaultMaxRecord
	}
	lr := NewLineReader(r, max)
	var pending strings.Builder
	var start CSVRecord
	quotes := 0
	open := false
	flush := func() error {
		text := pending.String()
		pending.Reset()
		open = false
		cr := csv.NewReader(strings.NewReader(text))
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		fields, err := cr.Read()
		if err != nil {
			return warn(Warning{Line: start.Line, Offset: start.Offset, Length: start.Length, Why: "not a CSV record: " + err.Error()})
		}
		start.Fields = fields
		return fn(start)
	}
	for {
		l, err := lr.Next()
		if errors.Is(err, io.EOF) {
			if open {
				if err := warn(Warning{Line: start.Line, Offset: start.Offset, Length: start.Length,
					Why: "a quoted field is not closed by the end of the file: the record is read as it is"}); err != nil {
					return err
				}
				return flush()
			}
			return nil
		}
		if err != nil {
			return err
		}
		if l.NUL || l.TooLong {
			if open {
				open = false
				pending.Reset()
				if err := warn(Warning{Line: start.Line, Offset: start.Offset, Why: "a quoted field runs into unreadable bytes: the record is skipped"}); err != nil {
					return err
				}
			}
			why := l.Problem(max)
			if err := warn(Warning{Line: l.Number, Offset: l.Offset, Length: l.Length, Why: why}); err != nil {
				return err
			}
			continue
		}
		if !open {
			if len(strings.TrimSpace(string(l.Text))) == 0 {
				continue
			}
			start = CSVRecord{Line: l.Number, Offset: l.Offset}
			quotes = 0
		} else {
			pending.WriteByte('\n')
		}
		pending.Write(l.Text)
		start.Length = l.Offset + l.Length - start.Offset
		quotes += strings.Count(string(l.Text), `"`)
		if quotes%2 == 1 && start.Length < int64(max) {
			open = true
			continue
		}
		if err := flush(); err != nil {
			return err
		}
	}
}
