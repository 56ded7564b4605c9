package hunt

import (
	"slices"
	"unicode/utf16"
)

// A multi-pattern matcher (Aho-Corasick) over bytes, fed in pieces of any
// size: a match across two pieces is found once, at its offset in the
// whole stream. Each pattern is one indicator in one encoding (its UTF-8
// bytes, or UTF-16LE), matched either exactly or with ASCII letters folded
// to lower case, and with a boundary rule so that 10.0.0.5 is not found in
// 110.0.0.55, nor evil.com in notevil.com (boundary below).
//
// Memory is bounded by the patterns, never by the stream: the automaton
// (a dense table over byte classes when it fits maxDense entries, else
// sparse edges with failure links), and a carry of the last maxLen+8
// bytes for the boundary checks.

// boundary is the rule a match must satisfy at its edges.
type boundary uint8

const (
	bNone   boundary = iota // URLs, paths, other values: found anywhere
	bWord                   // not next to a letter or digit
	bIPv4                   // not next to a digit, nor to a dot beside a digit (1.10.0.0.5)
	bIPv6                   // not next to a hex digit or a colon
	bDomain                 // left: not a letter, digit or hyphen (a dot is a subdomain); right: not a letter, digit, hyphen or .label
	bEmail                  // left: not a letter, digit or . _ % + -; right: as a domain
)

// Encodings of a pattern.
const (
	EncodingASCII   = "ascii"    // the value's UTF-8 bytes (ASCII for most indicators)
	EncodingUTF16LE = "utf-16le" // UTF-16 little endian, as Windows writes strings
)

type pattern struct {
	key      int // the caller's index (an indicator)
	bytes    []byte
	fold     bool
	width    int // 1 for UTF-8, 2 for UTF-16LE
	encoding string
	bound    boundary
}

// encodeUTF16LE returns s in UTF-16 little endian.
func encodeUTF16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(u))
	for _, c := range u {
		out = append(out, byte(c), byte(c>>8))
	}
	return out
}

// maxDense bounds the dense table of an automaton, in entries (4 bytes
// each): 16M entries is 64 MiB.
const maxDense = 16 << 20

type edge struct {
	b  byte
	to int32
}

type automaton struct {
	fold    bool
	classOf [256]uint8 // input byte (folded when fold) → class; 0 for bytes in no pattern
	nclass  int
	dense   []int32  // state*nclass + class → next state; nil when sparse
	edges   [][]edge // sparse goto, sorted by byte
	fail    []int32
	out     [][]int32 // patterns ending at a state (own and through failure links)
	final   []bool    // out is not empty
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func newAutomaton(ps []pattern, idx []int32, fold bool) *automaton {
	a := &automaton{fold: fold, edges: [][]edge{nil}, fail: []int32{0}, out: [][]int32{nil}}
	var used [256]bool
	for _, pi := range idx {
		s := int32(0)
		for _, b := range ps[pi].bytes {
			if fold {
				b = lower(b)
			}
			used[b] = true
			s = a.child(s, b, true)
		}
		a.out[s] = append(a.out[s], pi)
	}
	a.nclass = 1
	var classes [256]uint8
	for b := range 256 {
		if used[b] {
			classes[b] = uint8(a.nclass)
			a.nclass++
		}
	}
	for b := range 256 {
		in := byte(b)
		if fold {
			in = lower(in)
		}
		a.classOf[b] = classes[in]
	}
	// Failure links, breadth first.
	queue := []int32{}
	for _, e := range a.edges[0] {
		queue = append(queue, e.to)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, e := range a.edges[s] {
			f := a.fail[s]
			for f != 0 && a.child(f, e.b, false) < 0 {
				f = a.fail[f]
			}
			t := a.child(f, e.b, false)
			if t < 0 || t == e.to {
				t = 0
			}
			a.fail[e.to] = t
			if len(a.out[t]) > 0 {
				a.out[e.to] = append(slices.Clip(a.out[e.to]), a.out[t]...)
			}
			queue = append(queue, e.to)
		}
	}
	a.final = make([]bool, len(a.out))
	for i, o := range a.out {
		a.final[i] = len(o) > 0
	}
	if n := len(a.edges) * a.nclass; n <= maxDense {
		a.dense = make([]int32, n)
		// In breadth-first order a state's failure target is done first.
		order := []int32{0}
		for i := 0; i < len(order); i++ {
			s := order[i]
			for c := 1; c < a.nclass; c++ {
				a.dense[int(s)*a.nclass+c] = a.dense[int(a.fail[s])*a.nclass+c]
			}
			for _, e := range a.edges[s] {
				a.dense[int(s)*a.nclass+int(classes[e.b])] = e.to
				order = append(order, e.to)
			}
		}
	}
	return a
}

// child returns the goto of s on b, creating it when add is set; -1 when
// there is none.
func (a *automaton) child(s int32, b byte, add bool) int32 {
	es := a.edges[s]
	i, ok := slices.BinarySearchFunc(es, b, func(e edge, b byte) int { return int(e.b) - int(b) })
	if ok {
		return es[i].to
	}
	if !add {
		return -1
	}
	t := int32(len(a.edges))
	a.edges = append(a.edges, nil)
	a.fail = append(a.fail, 0)
	a.out = append(a.out, nil)
	a.edges[s] = slices.Insert(es, i, edge{b, t})
	return t
}

// step returns the state after byte b from s.
func (a *automaton) step(s int32, b byte) int32 {
	if a.dense != nil {
		return a.dense[int(s)*a.nclass+int(a.classOf[b])]
	}
	if a.fold {
		b = lower(b)
	}
	for {
		if t := a.child(s, b, false); t >= 0 {
			return t
		}
		if s == 0 {
			return 0
		}
		s = a.fail[s]
	}
}

// A Hit is one match of a pattern in a stream.
type hit struct {
	pat            int // index into matcher.pats
	offset, length int64
}

// matcher finds a set of patterns.
type matcher struct {
	pats   []pattern
	auto   []*automaton // one exact, one folding (either may be absent)
	maxLen int
}

func newMatcher(ps []pattern) *matcher {
	m := &matcher{pats: ps}
	var exact, folded []int32
	for i, p := range ps {
		m.maxLen = max(m.maxLen, len(p.bytes))
		if p.fold {
			folded = append(folded, int32(i))
		} else {
			exact = append(exact, int32(i))
		}
	}
	if len(exact) > 0 {
		m.auto = append(m.auto, newAutomaton(ps, exact, false))
	}
	if len(folded) > 0 {
		m.auto = append(m.auto, newAutomaton(ps, folded, true))
	}
	return m
}

// stream is one pass of a matcher over a stream of bytes.
type stream struct {
	m       *matcher
	states  []int32
	buf     []byte // carry, then the piece being scanned
	base    int64  // stream offset of buf[0]
	pending []hit  // matches waiting for bytes after them
	emit    func(hit)
}

func (m *matcher) newStream(emit func(hit)) *stream {
	return &stream{m: m, states: make([]int32, len(m.auto)), emit: emit}
}

// reset starts a new stream.
func (s *stream) reset() {
	clear(s.states)
	s.buf, s.base, s.pending = s.buf[:0], 0, s.pending[:0]
}

const ctxBytes = 8 // bytes a boundary rule looks at beyond a match: two UTF-16 units, twice

// write scans the next piece of the stream.
func (s *stream) write(p []byte) {
	from := len(s.buf)
	s.buf = append(s.buf, p...)
	for ai, a := range s.m.auto {
		st := s.states[ai]
		found := func(i int) {
			end := s.base + int64(i) + 1
			for _, pi := range a.out[st] {
				n := int64(len(s.m.pats[pi].bytes))
				s.pending = append(s.pending, hit{pat: int(pi), offset: end - n, length: n})
			}
		}
		if a.dense != nil {
			// The hot loop: one table lookup per byte.
			dense, classOf, nclass, final := a.dense, &a.classOf, int32(a.nclass), a.final
			for i, b := range s.buf[from:] {
				st = dense[st*nclass+int32(classOf[b])]
				if final[st] {
					found(from + i)
				}
			}
		} else {
			for i := from; i < len(s.buf); i++ {
				st = a.step(st, s.buf[i])
				if a.final[st] {
					found(i)
				}
			}
		}
		s.states[ai] = st
	}
	s.settle(false)
	// Keep what a later match or boundary check can look back at.
	if keep := s.m.maxLen + 2*ctxBytes; len(s.buf) > keep {
		drop := len(s.buf) - keep
		s.base += int64(drop)
		s.buf = append(s.buf[:0], s.buf[drop:]...)
	}
}

// close ends the stream: the matches waiting for more bytes are checked
// against the end.
func (s *stream) close() { s.settle(true) }

// settle checks the pending matches whose right context is in the buffer
// (all of them at the end) and emits those that hold, in stream order.
func (s *stream) settle(final bool) {
	end := s.base + int64(len(s.buf))
	slices.SortFunc(s.pending, func(x, y hit) int {
		if x.offset+x.length != y.offset+y.length {
			return int((x.offset + x.length) - (y.offset + y.length))
		}
		return x.pat - y.pat
	})
	keep := s.pending[:0]
	for _, h := range s.pending {
		if !final && h.offset+h.length+ctxBytes > end {
			keep = append(keep, h)
			continue
		}
		if s.holds(h) {
			s.emit(h)
		}
	}
	s.pending = keep
}

// unit returns the character of the unit at stream offset off in the
// pattern's encoding: an ASCII byte, 0x80 for any other character, -1
// outside the stream seen.
func (s *stream) unit(off int64, width int) int {
	i := off - s.base
	if off < 0 || i < 0 || i+int64(width) > int64(len(s.buf)) {
		return -1
	}
	b := s.buf[i]
	if width == 2 && s.buf[i+1] != 0 {
		return 0x80
	}
	if b >= 0x80 {
		return 0x80
	}
	return int(b)
}

func isDigit(c int) bool    { return '0' <= c && c <= '9' }
func isAlnum(c int) bool    { return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }
func isHexDigit(c int) bool { return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') }

// holds applies the pattern's boundary rule.
func (s *stream) holds(h hit) bool {
	p := &s.m.pats[h.pat]
	w := int64(p.width)
	l1, l2 := s.unit(h.offset-w, p.width), s.unit(h.offset-2*w, p.width)
	r1, r2 := s.unit(h.offset+h.length, p.width), s.unit(h.offset+h.length+w, p.width)
	switch p.bound {
	case bWord:
		return !isAlnum(l1) && !isAlnum(r1)
	case bIPv4:
		return !isDigit(l1) && !(l1 == '.' && isDigit(l2)) && !isDigit(r1) && !(r1 == '.' && isDigit(r2))
	case bIPv6:
		return !isHexDigit(l1) && l1 != ':' && !isHexDigit(r1) && r1 != ':'
	case bDomain:
		return !isAlnum(l1) && l1 != '-' && !isAlnum(r1) && r1 != '-' && !(r1 == '.' && isAlnum(r2))
	case bEmail:
		left := !isAlnum(l1) && l1 != '.' && l1 != '_' && l1 != '%' && l1 != '+' && l1 != '-'
		return left && !isAlnum(r1) && r1 != '-' && !(r1 == '.' && isAlnum(r2))
	}
	return true
}
