package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// A Record is one JSON value of an item, with where it is.
type Record struct {
	Data   []byte // valid until the callback returns
	Offset int64
	Length int64
	Line   int64 // 1-based line of its first byte
}

// Layouts of a JSON item, as Records finds them.
const (
	LayoutLines   = "lines"   // one JSON value per line (JSON lines, NDJSON)
	LayoutArray   = "array"   // a top-level array of records
	LayoutWrapped = "wrapped" // {"Records": [...]} and the like
	LayoutStream  = "stream"  // values one after another (pretty-printed)
)

// wrappers are the names of the record arrays of the cloud exports:
// CloudTrail's Records, Azure's records, Microsoft Graph's value.
var wrappers = map[string]bool{"Records": true, "records": true, "value": true, "Value": true, "entries": true, "events": true}

// Records reads the JSON records of an item, streaming, in bounded memory:
// JSON lines; a top-level array; an object whose first member is a wrapper
// array ("Records", "records", "value", "entries", "events"); or JSON values
// one after another. A record longer than max bytes, or a line that is not
// JSON, is a warning; a malformed array stops the parse with a warning, as
// nothing after it can be placed.
func Records(r io.Reader, max int, fn func(Record) error, warn func(logs.Warning) error) (layout string, err error) {
	if max <= 0 {
		max = logs.DefaultMaxRecord
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64 << 10)
	layout, skip := sniffLayout(head)
	if layout == LayoutLines {
		return layout, lines(br, max, fn, warn)
	}
	s := &scanner{br: br, max: max, line: 1}
	if err := s.discard(skip); err != nil {
		return layout, err
	}
	if layout == LayoutStream {
		return layout, s.stream(fn, warn)
	}
	return layout, s.array(fn, warn)
}

// sniffLayout decides the layout from the head, and how many bytes to skip
// to reach the '[' of the array (or the first value of a stream).
func sniffLayout(head []byte) (string, int) {
	i := 0
	if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		i = 3
	}
	for i < len(head) && isSpace(head[i]) {
		i++
	}
	if i >= len(head) {
		return LayoutLines, 0
	}
	switch head[i] {
	case '[':
		return LayoutArray, i
	case '{':
	default:
		return LayoutLines, 0
	}
	// One complete object on the first line: JSON lines.
	if nl := bytes.IndexByte(head[i:], '\n'); nl > 0 && json.Valid(head[i:i+nl]) {
		return LayoutLines, 0
	}
	if nl := bytes.IndexByte(head[i:], '\n'); nl < 0 && json.Valid(head[i:]) {
		// A single-line document: a wrapper or a lone record.
		if k, at := firstMember(head, i); wrappers[k] && at > 0 {
			return LayoutWrapped, at
		}
		return LayoutLines, 0
	}
	if k, at := firstMember(head, i); wrappers[k] && at > 0 {
		return LayoutWrapped, at
	}
	return LayoutStream, i
}

// firstMember reads `{ "name" : [` at i and returns the name and the index
// of the '[' (0 when the value is not an array).
func firstMember(b []byte, i int) (string, int) {
	i++
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i >= len(b) || b[i] != '"' {
		return "", 0
	}
	end := bytes.IndexByte(b[i+1:], '"')
	if end < 0 {
		return "", 0
	}
	name := string(b[i+1 : i+1+end])
	i += end + 2
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i >= len(b) || b[i] != ':' {
		return name, 0
	}
	i++
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i >= len(b) || b[i] != '[' {
		return name, 0
	}
	return name, i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func lines(r io.Reader, max int, fn func(Record) error, warn func(logs.Warning) error) error {
	lr := logs.NewLineReader(r, max)
	for {
		l, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case l.NUL || l.TooLong:
			err = warn(logs.Warning{Line: l.Number, Offset: l.Offset, Length: l.Length, Why: l.Problem(max)})
		case len(bytes.TrimSpace(l.Text)) == 0:
		default:
			err = fn(Record{Data: l.Text, Offset: l.Offset, Length: l.Length, Line: l.Number})
		}
		if err != nil {
			return err
		}
	}
}

// scanner finds the bounds of JSON values in a stream without decoding
// them, holding at most max bytes of one.
type scanner struct {
	br   *bufio.Reader
	max  int
	off  int64
	line int64
	buf  []byte
}

func (s *scanner) discard(n int) error {
	for range n {
		if _, err := s.byte(); err != nil {
			return err
		}
	}
	return nil
}

func (s *scanner) byte() (byte, error) {
	c, err := s.br.ReadByte()
	if err != nil {
		return 0, err
	}
	s.off++
	if c == '\n' {
		s.line++
	}
	return c, nil
}

func (s *scanner) unread(c byte) {
	_ = s.br.UnreadByte()
	s.off--
	if c == '\n' {
		s.line--
	}
}

// ws skips white space and returns the next byte (consumed).
func (s *scanner) ws() (byte, error) {
	for {
		c, err := s.byte()
		if err != nil || !isSpace(c) {
			return c, err
		}
	}
}

// value reads one JSON value whose first byte c was just consumed. It
// returns the value's bytes (nil when longer than max: then n says how long).
func (s *scanner) value(c byte) (data []byte, n int64, err error) {
	s.buf = append(s.buf[:0], c)
	n = 1
	keep := func(b byte) {
		n++
		if len(s.buf) <= s.max {
			s.buf = append(s.buf, b)
		}
	}
	switch c {
	case '{', '[':
		depth, inStr, esc := 1, false, false
		for depth > 0 {
			b, err := s.byte()
			if err != nil {
				return nil, n, fmt.Errorf("the value starting %d bytes earlier is cut off by the end of the item", n)
			}
			keep(b)
			switch {
			case inStr && esc:
				esc = false
			case inStr && b == '\\':
				esc = true
			case inStr && b == '"':
				inStr = false
			case inStr:
			case b == '"':
				inStr = true
			case b == '{' || b == '[':
				depth++
			case b == '}' || b == ']':
				depth--
			}
		}
	case '"':
		esc := false
		for {
			b, err := s.byte()
			if err != nil {
				return nil, n, errors.New("a string is cut off by the end of the item")
			}
			keep(b)
			if esc {
				esc = false
			} else if b == '\\' {
				esc = true
			} else if b == '"' {
				break
			}
		}
	default:
		for {
			b, err := s.byte()
			if err != nil {
				break
			}
			if isSpace(b) || b == ',' || b == ']' || b == '}' {
				s.unread(b)
				break
			}
			keep(b)
		}
	}
	if len(s.buf) > s.max {
		return nil, n, nil
	}
	return s.buf, n, nil
}

func (s *scanner) emit(start, line int64, data []byte, n int64, fn func(Record) error, warn func(logs.Warning) error) error {
	if data == nil {
		return warn(logs.Warning{Line: line, Offset: start, Length: n, Why: fmt.Sprintf("record of %d bytes is longer than the %d-byte bound for one record: skipped", n, s.max)})
	}
	return fn(Record{Data: data, Offset: start, Length: n, Line: line})
}

// array reads the records of an array whose '[' is next.
func (s *scanner) array(fn func(Record) error, warn func(logs.Warning) error) error {
	bad := func(why string) error {
		return warn(logs.Warning{Line: s.line, Offset: s.off, Why: "the JSON document is malformed here (" + why + "): the records after this point cannot be read"})
	}
	c, err := s.ws()
	if err != nil || c != '[' {
		return bad("expected '['")
	}
	for first := true; ; first = false {
		c, err := s.ws()
		if err != nil {
			return bad("the array is not closed")
		}
		if c == ']' {
			return nil
		}
		if !first {
			if c != ',' {
				return bad(fmt.Sprintf("expected ',' between records, found %q", string(rune(c))))
			}
			if c, err = s.ws(); err != nil {
				return bad("the array is not closed")
			}
		}
		start, line := s.off-1, s.line
		data, n, err := s.value(c)
		if err != nil {
			return bad(err.Error())
		}
		if err := s.emit(start, line, data, n, fn, warn); err != nil {
			return err
		}
	}
}

// stream reads values one after another to the end of the item.
func (s *scanner) stream(fn func(Record) error, warn func(logs.Warning) error) error {
	for {
		c, err := s.ws()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		start, line := s.off-1, s.line
		data, n, err := s.value(c)
		if err != nil {
			return warn(logs.Warning{Line: line, Offset: start, Length: n, Why: err.Error()})
		}
		if err := s.emit(start, line, data, n, fn, warn); err != nil {
			return err
		}
	}
}
