package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Encoding is the character encodings a strings scan looks for.
type Encoding uint8

// The encodings of Strings. Both is ASCII and UTF-16LE in one pass.
const (
	ASCII   Encoding = 1 << iota // 7-bit printable bytes, as GNU strings -e s
	UTF16LE                      // the same characters as 16-bit little-endian units, as GNU strings -e l
	Both    = ASCII | UTF16LE
)

// String returns "ascii", "utf16le" or "both".
func (e Encoding) String() string {
	switch e {
	case ASCII:
		return "ascii"
	case UTF16LE:
		return "utf16le"
	case Both:
		return "both"
	}
	return fmt.Sprintf("Encoding(%d)", uint8(e))
}

// ParseEncoding accepts "ascii", "utf16le" or "both".
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ascii":
		return ASCII, nil
	case "utf16le", "utf-16le":
		return UTF16LE, nil
	case "both", "":
		return Both, nil
	}
	return 0, fmt.Errorf("unknown encoding %q: use ascii, utf16le or both", s)
}

// DefaultMinLength is the shortest string reported unless asked otherwise,
// as GNU strings's.
const DefaultMinLength = 4

// MaxTextDefault is how many characters of one string a Hit holds unless
// asked otherwise; Length counts them all.
const MaxTextDefault = 64 << 10

// Hit is one string found: Length bytes at Offset (two bytes a character
// in UTF-16LE), whose characters are Text — all of them unless Truncated.
type Hit struct {
	Offset    int64
	Length    int64
	Encoding  Encoding // ASCII or UTF16LE
	Text      string
	Truncated bool
}

// End is the offset just after the hit.
func (h Hit) End() int64 { return h.Offset + h.Length }

// Chars is the number of characters of the string.
func (h Hit) Chars() int64 {
	if h.Encoding == UTF16LE {
		return h.Length / 2
	}
	return h.Length
}

// StringsOptions say what a scan looks for.
type StringsOptions struct {
	Min      int      // the fewest characters a string has; 0 means DefaultMinLength
	Encoding Encoding // 0 means Both
	MaxText  int      // the most characters a Hit's Text holds; 0 means MaxTextDefault
	// Base is the offset of the first byte scanned (a scan of part of an
	// item reports the item's offsets).
	Base int64
}

// graphic marks the characters of a string: tab and the printable ASCII
// characters, as GNU strings's STRING_ISGRAPHIC without
// --include-all-whitespace.
var graphic = func() (t [256]bool) {
	t['\t'] = true
	for c := 0x20; c <= 0x7e; c++ {
		t[c] = true
	}
	return
}()

// Scanner finds strings in bytes written to it in order, in chunks of any
// size: a string that straddles two writes is found once, whole. Its
// memory is bounded by MaxText, whatever the input. Hits go to the
// function given to NewScanner in the order of their offsets (with Both,
// at most a few out of order where a string of one encoding overlaps one
// of the other, and only with Min 1). It is not safe for concurrent use.
type Scanner struct {
	emit  func(Hit) error
	min   int64
	ascii *asciiScan
	utf16 *utf16Scan
	queue []Hit // with Both: hits held until the other encoding cannot find an earlier one
	err   error
}

const maxQueued = 1 << 14

// NewScanner returns a scanner that calls emit with each hit; an error from
// emit stops the scan and is returned by Write and Close.
func NewScanner(opt StringsOptions, emit func(Hit) error) *Scanner {
	if opt.Min <= 0 {
		opt.Min = DefaultMinLength
	}
	if opt.Encoding&Both == 0 {
		opt.Encoding = Both
	}
	if opt.MaxText <= 0 {
		opt.MaxText = MaxTextDefault
	}
	s := &Scanner{emit: emit, min: int64(opt.Min)}
	put := s.put
	if opt.Encoding != Both {
		put = s.send
	}
	if opt.Encoding&ASCII != 0 {
		s.ascii = &asciiScan{run: run{pos: opt.Base, min: int64(opt.Min), max: opt.MaxText, put: put, enc: ASCII, charLen: 1}}
	}
	if opt.Encoding&UTF16LE != 0 {
		s.utf16 = &utf16Scan{run: run{pos: opt.Base, min: int64(opt.Min), max: opt.MaxText, put: put, enc: UTF16LE, charLen: 2}}
	}
	return s
}

// Write scans p, the bytes after those written before. It never fails but
// with emit's error.
func (s *Scanner) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.ascii != nil {
		s.ascii.scan(p)
	}
	if s.utf16 != nil {
		s.utf16.scan(p)
	}
	s.release(false)
	if s.err != nil {
		return 0, s.err
	}
	return len(p), nil
}

// Close ends the input: a string running to its end is reported.
func (s *Scanner) Close() error {
	if s.err != nil {
		return s.err
	}
	if s.ascii != nil {
		s.ascii.end()
	}
	if s.utf16 != nil {
		s.utf16.end()
	}
	s.release(true)
	return s.err
}

func (s *Scanner) send(h Hit) {
	if s.err == nil {
		s.err = s.emit(h)
	}
}

func (s *Scanner) put(h Hit) { s.queue = append(s.queue, h) }

// release sends the queued hits (Both) that no string of the other
// encoding can come before: those starting before the earliest offset
// either scan may still report.
func (s *Scanner) release(all bool) {
	if len(s.queue) == 0 {
		return
	}
	slices.SortStableFunc(s.queue, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.Offset, b.Offset), cmp.Compare(a.Encoding, b.Encoding))
	})
	bound := min(s.ascii.next(), s.utf16.next())
	n := 0
	for n < len(s.queue) && (all || s.queue[n].Offset < bound || len(s.queue)-n > maxQueued) {
		s.send(s.queue[n])
		n++
	}
	s.queue = append(s.queue[:0], s.queue[n:]...)
}

// run is a string being read, and where the scan is.
type run struct {
	pos     int64 // offset of the next byte to scan
	min     int64
	max     int
	put     func(Hit)
	enc     Encoding
	charLen int64 // bytes a character
	on      bool  // a string is being read
	start   int64 // its offset
	n       int64 // its characters so far
	text    []byte
}

// next is the earliest offset at which this scan may still report a
// string.
func (r *run) next() int64 {
	if r.on {
		return r.start
	}
	return r.pos
}

func (r *run) begin(at int64) { r.on, r.start, r.n, r.text = true, at, 0, r.text[:0] }

// add appends characters to the string being read (text as the bytes b
// hold them, one byte a character).
func (r *run) add(b []byte, chars int64) {
	if room := r.max - len(r.text); room > 0 {
		r.text = append(r.text, b[:min(len(b), room)]...)
	}
	r.n += chars
}

// finish ends the string being read, reporting it when long enough.
func (r *run) finish() {
	if r.on && r.n >= r.min {
		r.put(Hit{Offset: r.start, Length: r.n * r.charLen, Encoding: r.enc, Text: string(r.text), Truncated: r.n > int64(len(r.text))})
	}
	r.on = false
}

type asciiScan struct{ run }

func (a *asciiScan) next() int64 {
	if a == nil {
		return 1<<63 - 1
	}
	return a.run.next()
}

func (a *asciiScan) scan(p []byte) {
	base := a.pos
	i := 0
	for i < len(p) {
		if !a.on {
			for i < len(p) && !graphic[p[i]] {
				i++
			}
			if i == len(p) {
				break
			}
			j := i + 1
			for j < len(p) && graphic[p[j]] {
				j++
			}
			if j < len(p) { // the whole string is in p: no copy of its text
				if int64(j-i) >= a.min {
					t := p[i:min(j, i+a.max)]
					a.put(Hit{Offset: base + int64(i), Length: int64(j - i), Encoding: ASCII, Text: string(t), Truncated: len(t) < j-i})
				}
				i = j + 1
				continue
			}
			a.begin(base + int64(i))
			a.add(p[i:j], int64(j-i))
			i = j
			break
		}
		j := i
		for j < len(p) && graphic[p[j]] {
			j++
		}
		a.add(p[i:j], int64(j-i))
		if j == len(p) {
			i = j
			break
		}
		a.finish()
		i = j + 1
	}
	a.pos = base + int64(len(p))
}

func (a *asciiScan) end() { a.finish() }

// utf16Scan reads 16-bit little-endian characters. As GNU strings does, a
// character that is not part of a string makes the scan go on from its
// second byte, so that strings at odd and even offsets are both found; a
// string ends at the first character that is not part of it.
type utf16Scan struct {
	run
	odd     bool // a byte of the input is held back: the low byte of the next character
	oddByte byte
}

func (u *utf16Scan) next() int64 {
	if u == nil {
		return 1<<63 - 1
	}
	if !u.on && u.odd {
		return u.pos - 1
	}
	return u.run.next()
}

func isChar16(lo, hi byte) bool { return hi == 0 && graphic[lo] }

func (u *utf16Scan) scan(p []byte) {
	if len(p) == 0 {
		return
	}
	base := u.pos // offset of p[0]
	i := 0
	if u.odd { // the character made of the held byte and p[0]
		u.odd = false
		if isChar16(u.oddByte, p[0]) {
			if !u.on {
				u.begin(base - 1)
			}
			u.add([]byte{u.oddByte}, 1)
			i = 1
		} else {
			u.finish()
			i = 0 // go on from the character's second byte
		}
	}
	for {
		if !u.on {
			for i+1 < len(p) && !isChar16(p[i], p[i+1]) {
				i++
			}
			if i+1 >= len(p) {
				break
			}
			u.begin(base + int64(i))
		}
		j := i
		for j+1 < len(p) && isChar16(p[j], p[j+1]) {
			j += 2
		}
		if j > i {
			u.addUTF16(p[i:j])
		}
		if j+1 >= len(p) {
			i = j
			break
		}
		u.finish()
		i = j + 1
	}
	if i < len(p) {
		u.odd, u.oddByte = true, p[i]
	}
	u.pos = base + int64(len(p))
}

// addUTF16 appends the characters of b, an even number of bytes, each a
// printable ASCII byte and a zero.
func (u *utf16Scan) addUTF16(b []byte) {
	chars := len(b) / 2
	if room := u.max - len(u.text); room > 0 {
		for k := 0; k < min(chars, room); k++ {
			u.text = append(u.text, b[2*k])
		}
	}
	u.n += int64(chars)
}

func (u *utf16Scan) end() { u.finish() }

// ScanBlock is how many bytes Strings reads at a time.
const ScanBlock = 1 << 20

// Strings scans everything r reads for strings and calls fn with each hit,
// in the order of their offsets. It stops at ctx's end or fn's first error.
func Strings(ctx context.Context, r io.Reader, opt StringsOptions, fn func(Hit) error) error {
	s := NewScanner(opt, fn)
	buf := make([]byte, ScanBlock)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if _, werr := s.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return s.Close()
		}
		if err != nil {
			return err
		}
	}
}
