package logs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// An Encoding is the character encoding of a text log.
type Encoding int

// Encodings a LineReader decodes. Everything that is not UTF-16 is read as
// UTF-8 (which includes ASCII); invalid bytes survive until Run replaces
// them in event text.
const (
	UTF8 Encoding = iota
	UTF16LE
	UTF16BE
)

func (e Encoding) String() string {
	switch e {
	case UTF16LE:
		return "UTF-16LE"
	case UTF16BE:
		return "UTF-16BE"
	}
	return "UTF-8"
}

// SniffEncoding tells the encoding of a text from its first bytes and the
// length of its byte-order mark (0 when there is none). UTF-16 without a BOM
// is recognised by the zero high bytes of ASCII text.
func SniffEncoding(head []byte) (Encoding, int) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return UTF8, 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return UTF16LE, 2
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return UTF16BE, 2
	}
	n := min(len(head), 512) &^ 1
	if n < 8 {
		return UTF8, 0
	}
	var evenZero, oddZero int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			evenZero++
		}
		if head[i+1] == 0 {
			oddZero++
		}
	}
	pairs := n / 2
	switch {
	case oddZero*10 >= pairs*9 && evenZero*10 < pairs:
		return UTF16LE, 0
	case evenZero*10 >= pairs*9 && oddZero*10 < pairs:
		return UTF16BE, 0
	}
	return UTF8, 0
}

// A Line is one line of a text log as a LineReader returns it.
type Line struct {
	// Number is the 1-based line number: one more than the line feeds
	// before Offset.
	Number int64
	// Offset and Length locate the line's bytes in the stream, without its
	// line terminator (LF or CR LF).
	Offset, Length int64
	// Text is the line decoded to UTF-8, without its terminator. It is
	// valid only until the next call to Next, and nil for TooLong and NUL.
	Text []byte
	// TooLong marks a line longer than the reader's bound; it was skipped.
	TooLong bool
	// NUL marks a run of NUL bytes (a zeroed region, typically left by a
	// crash or a pre-allocated file), returned apart from the text around it.
	NUL bool
}

// A LineReader splits a stream into lines, keeping the exact byte offset and
// length of each in the stream, in bounded memory: a line longer than the
// bound is skipped (reported TooLong), never held whole. It decodes UTF-16
// (with or without BOM) to UTF-8 and skips a leading BOM.
type LineReader struct {
	r     io.Reader
	enc   Encoding
	max   int
	buf   []byte
	start int
	end   int
	base  int64 // stream offset of buf[0]
	eof   bool
	err   error
	line  int64
	text  []byte // decoded UTF-16 text
	first bool
}

// NewLineReader reads lines of at most max bytes from r (max <= 0 means
// DefaultMaxRecord). The encoding is sniffed from the first bytes.
func NewLineReader(r io.Reader, max int) *LineReader {
	if max <= 0 {
		max = DefaultMaxRecord
	}
	return &LineReader{r: r, max: max, buf: make([]byte, min(64<<10, max+2)), line: 1, first: true}
}

// Encoding returns the encoding sniffed from the stream's first bytes. It is
// known after the first call to Next.
func (lr *LineReader) Encoding() Encoding { return lr.enc }

// Offset returns the stream offset of the next unread byte.
func (lr *LineReader) Offset() int64 { return lr.base + int64(lr.start) }

func (lr *LineReader) fill() {
	if lr.eof {
		return
	}
	if lr.start > 0 {
		copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.base += int64(lr.start)
		lr.end -= lr.start
		lr.start = 0
	}
	if lr.end == len(lr.buf) {
		// A line longer than the buffer: grow up to the bound.
		if len(lr.buf) >= lr.max+2 {
			return
		}
		nb := make([]byte, min(2*len(lr.buf), lr.max+2))
		copy(nb, lr.buf[:lr.end])
		lr.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := lr.r.Read(lr.buf[lr.end:])
		lr.end += n
		if err != nil {
			lr.eof = true
			if !errors.Is(err, io.EOF) {
				lr.err = err
			}
			return
		}
		if n > 0 {
			return
		}
	}
	lr.eof = true
	lr.err = io.ErrNoProgress
}

// Next returns the next line, or io.EOF after the last one. A read error of
// the underlying stream is returned after the lines before it.
func (lr *LineReader) Next() (Line, error) {
	if lr.first {
		lr.first = false
		for lr.end < min(512, len(lr.buf)) && !lr.eof {
			lr.fill()
		}
		enc, bom := SniffEncoding(lr.buf[:lr.end])
		lr.enc = enc
		lr.start = bom
	}
	if lr.enc != UTF8 {
		return lr.next16()
	}
	for {
		if lr.start < lr.end {
			b := lr.buf[lr.start:lr.end]
			if b[0] == 0 {
				return lr.nulRun(1), nil
			}
			i := bytes.IndexByte(b, '\n')
			seg := b
			if i >= 0 {
				seg = b[:i]
			}
			if j := bytes.IndexByte(seg, 0); j >= 0 {
				return lr.emit(j, 0), nil
			}
			if i >= 0 {
				return lr.emit(i, 1), nil
			}
			if lr.eof {
				return lr.emit(len(b), 0), nil
			}
			if len(b) > lr.max {
				return lr.skipLong(1), nil
			}
		} else if lr.eof {
			if lr.err != nil {
				return Line{}, lr.err
			}
			return Line{}, io.EOF
		}
		lr.fill()
	}
}

// emit returns the n bytes at start as a line and consumes them plus term
// terminator bytes.
func (lr *LineReader) emit(n, term int) Line {
	off := lr.Offset()
	text := lr.buf[lr.start : lr.start+n]
	if len(text) > 0 && text[len(text)-1] == '\r' && term > 0 {
		text = text[:len(text)-1]
	}
	l := Line{Number: lr.line, Offset: off, Length: int64(len(text)), Text: text}
	lr.start += n + term
	if term > 0 {
		lr.line++
	}
	return l
}

// nulRun consumes a run of NUL code units of w bytes each.
func (lr *LineReader) nulRun(w int) Line {
	l := Line{Number: lr.line, Offset: lr.Offset(), NUL: true}
	for {
		for lr.start+w <= lr.end && isZero(lr.buf[lr.start:lr.start+w]) {
			lr.start += w
			l.Length += int64(w)
		}
		if lr.start+w <= lr.end || lr.eof {
			return l
		}
		lr.fill()
	}
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// skipLong discards a line too long to hold, up to and including its line
// feed, counting its bytes.
func (lr *LineReader) skipLong(w int) Line {
	l := Line{Number: lr.line, Offset: lr.Offset(), TooLong: true}
	for {
		b := lr.buf[lr.start:lr.end]
		if w == 1 {
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				l.Length += int64(i)
				lr.start += i + 1
				lr.line++
				return l
			}
		} else {
			for k := 0; k+1 < len(b); k += 2 {
				if lr.unit(b[k:]) == '\n' {
					l.Length += int64(k)
					lr.start += k + 2
					lr.line++
					return l
				}
			}
		}
		keep := len(b) % w
		l.Length += int64(len(b) - keep)
		lr.start = lr.end - keep
		if lr.eof {
			l.Length += int64(keep)
			lr.start = lr.end
			return l
		}
		lr.fill()
	}
}

func (lr *LineReader) unit(b []byte) uint16 {
	if lr.enc == UTF16BE {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (lr *LineReader) next16() (Line, error) {
	scanned := 0
	for {
		b := lr.buf[lr.start:lr.end]
		if len(b) >= 2 && lr.unit(b) == 0 {
			return lr.nulRun(2), nil
		}
		k := scanned
		for ; k+1 < len(b); k += 2 {
			u := lr.unit(b[k:])
			if u == '\n' {
				return lr.emit16(k, 2), nil
			}
			if u == 0 {
				return lr.emit16(k, 0), nil
			}
		}
		scanned = k
		if lr.eof {
			if len(b) == 0 {
				if lr.err != nil {
					return Line{}, lr.err
				}
				return Line{}, io.EOF
			}
			return lr.emit16(len(b), 0), nil
		}
		if len(b) > lr.max {
			return lr.skipLong(2), nil
		}
		lr.fill() // keeps positions relative to lr.start
	}
}

func (lr *LineReader) emit16(n, term int) Line {
	raw := lr.buf[lr.start : lr.start+n]
	units := make([]uint16, 0, len(raw)/2)
	for k := 0; k+1 < len(raw); k += 2 {
		units = append(units, lr.unit(raw[k:]))
	}
	length := int64(n)
	if term > 0 && len(units) > 0 && units[len(units)-1] == '\r' {
		units = units[:len(units)-1]
		length -= 2
	}
	lr.text = lr.text[:0]
	for _, r := range utf16.Decode(units) {
		lr.text = utf8.AppendRune(lr.text, r)
	}
	if len(raw)%2 == 1 {
		lr.text = utf8.AppendRune(lr.text, utf8.RuneError)
	}
	l := Line{Number: lr.line, Offset: lr.Offset(), Length: length, Text: lr.text}
	lr.start += n + term
	if term > 0 {
		lr.line++
	}
	return l
}

// Problem says why l holds no record — a run of NUL bytes, or a line longer
// than limit, the bound for one record — or "" for a line with text: the
// one wording of the warning every line-based parser gives for it.
func (l Line) Problem(limit int) string {
	switch {
	case l.NUL:
		return fmt.Sprintf("%d NUL bytes (a zeroed stretch, as a crash or a pre-allocated file leaves): no record here", l.Length)
	case l.TooLong:
		return fmt.Sprintf("line of %d bytes is longer than the %d-byte bound for one record: skipped", l.Length, limit)
	}
	return ""
}

// EachLine reads r a line at a time (NewLineReader, bounded by
// opts.RecordLimit) and calls fn on every line that holds text, with the
// line's text and warn, which reports a problem with that line. A line
// that holds no record (Line.Problem) is a warning of its own; a blank
// line is skipped.
func EachLine(r io.Reader, opts Options, sink Sink, fn func(l Line, text string, warn func(why string) error) error) error {
	limit := opts.RecordLimit()
	lr := NewLineReader(r, limit)
	for {
		l, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		warn := func(why string) error {
			return sink.Warning(Warning{Line: l.Number, Offset: l.Offset, Length: l.Length, Why: why})
		}
		if p := l.Problem(limit); p != "" {
			if err := warn(p); err != nil {
				return err
			}
			continue
		}
		text := string(l.Text)
		if len(bytes.TrimSpace(l.Text)) == 0 {
			continue
		}
		if err := fn(l, text, warn); err != nil {
			return err
		}
	}
}

// PeekText reads the first 4 KiB of r and returns them with a UTF-8 byte
// order mark and leading white space left out — for a parser that picks
// its format (JSON or CSV) by the first character — and a reader of the
// whole stream, those bytes included.
func PeekText(r io.Reader) (head []byte, all io.Reader) {
	buf := make([]byte, 4096)
	n, _ := io.ReadFull(r, buf)
	buf = buf[:n]
	head = bytes.TrimLeft(bytes.TrimPrefix(buf, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	return head, io.MultiReader(bytes.NewReader(buf), r)
}
