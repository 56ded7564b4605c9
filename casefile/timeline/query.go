package timeline

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The query language (for docs/user-guide.md, which does not describe it yet):
//
//	failed password          both terms (AND is implied between neighbours)
//	"session opened"         a phrase: the words in this order
//	admin*                   a prefix
//	user:admin               a field with this value (case-insensitive, whole value)
//	src_ip:10.0.0.5          … values with dots, dashes and slashes need no quotes
//	user:adm*                a field whose value starts so
//	path:"C:\Program Files"  a quoted value
//	event_id:>4000           a field compared as a number: > >= < <=
//	time:>=2026-02-21T02:00:00Z   the event time (RFC 3339, or a date YYYY-MM-DD)
//	parser:syslog item:UUID id:UUID:N timestamp_desc:"Event Logged" message:word
//	starred:true tag:lateral-movement tag:lat* comment:"first seen"   annotations
//	a AND b, a OR b, NOT a, (a OR b) AND NOT c
//
// Terms and phrases match words of the message and of every field value.
// A word with a colon after a name is a field expression, so text with a
// colon in it (fe80::1, C:\Windows) is searched as a phrase: "fe80::1".
// AND, OR and NOT are operators only in capitals; NOT binds tighter than
// AND, and AND than OR. A query is parsed here into a tree and turned into
// SQL whose every value is a bound parameter: no text of the query is ever
// part of the SQL.

// QueryError is a query that cannot be read: where (Pos, the 1-based
// character in the query) and what is wrong. errors.Is(err, ErrBadQuery)
// holds.
type QueryError struct {
	Query string
	Pos   int
	Msg   string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("%s: at character %d: %s", ErrBadQuery.Error(), e.Pos, e.Msg)
}

// Unwrap makes a QueryError an ErrBadQuery.
func (e *QueryError) Unwrap() error { return ErrBadQuery }

// Marker returns the query with a caret line under the position of the
// error, for a terminal.
func (e *QueryError) Marker() string {
	return e.Query + "\n" + strings.Repeat(" ", max(0, e.Pos-1)) + "^"
}

// MaxQueryLen bounds a query, in bytes.
const MaxQueryLen = 4096

type nodeKind int

const (
	nAnd nodeKind = iota
	nOr
	nNot
	nTerm    // word or phrase, full text
	nField   // name:value (exact or prefix)
	nCompare // name:>N
)

type node struct {
	kind   nodeKind
	kids   []*node
	text   string // term text or field value
	phrase bool
	prefix bool
	name   string // field name, lower case
	op     string // > >= < <=
	num    float64
	ns     int64 // for time comparisons
	pos    int
}

type tokKind int

const (
	tWord tokKind = iota
	tPhrase
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tEOF
)

type token struct {
	kind tokKind
	text string
	pos  int // 1-based character
	// glued is set for a phrase that directly follows a word ending in ':'
	glued bool
}

func lex(q string) ([]token, error) {
	var toks []token
	i, char := 0, 1
	adv := func() (rune, int) {
		r, n := utf8.DecodeRuneInString(q[i:])
		return r, n
	}
	prevEnd := -1 // byte index where the previous token ended
	for i < len(q) {
		r, n := adv()
		if unicode.IsSpace(r) {
			i += n
			char++
			continue
		}
		start, startChar := i, char
		switch {
		case r == '(':
			toks = append(toks, token{kind: tLParen, pos: startChar})
			i += n
			char++
		case r == ')':
			toks = append(toks, token{kind: tRParen, pos: startChar})
			i += n
			char++
		case r == '"':
			i += n
			char++
			var b strings.Builder
			closed := false
			for i < len(q) {
				r, n = adv()
				i += n
				char++
				if r == '"' {
					if i < len(q) && q[i] == '"' { // "" inside a phrase is one quote
						b.WriteByte('"')
						i++
						char++
						continue
					}
					closed = true
					break
				}
				b.WriteRune(r)
			}
			if !closed {
				return nil, &QueryError{Query: q, Pos: startChar, Msg: `this quote is never closed: end the phrase with "`}
			}
			t := token{kind: tPhrase, text: b.String(), pos: startChar}
			if prevEnd == start && len(toks) > 0 && toks[len(toks)-1].kind == tWord && strings.HasSuffix(toks[len(toks)-1].text, ":") {
				t.glued = true
			}
			toks = append(toks, t)
		default:
			for i < len(q) {
				r, n = adv()
				if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
					break
				}
				i += n
				char++
			}
			w := q[start:i]
			t := token{kind: tWord, text: w, pos: startChar}
			switch w {
			case "AND":
				t.kind = tAnd
			case "OR":
				t.kind = tOr
			case "NOT":
				t.kind = tNot
			}
			toks = append(toks, t)
		}
		prevEnd = i
	}
	toks = append(toks, token{kind: tEOF, pos: char})
	return toks, nil
}

type parser struct {
	q    string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errf(pos int, format string, args ...any) error {
	return &QueryError{Query: p.q, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// parseQuery parses q; an empty query (only white space) gives nil: every
// event.
func parseQuery(q string) (*node, error) {
	if len(q) > MaxQueryLen {
		return nil, &QueryError{Query: strings.ToValidUTF8(q[:64], "") + "…", Pos: utf8.RuneCountInString(q[:MaxQueryLen]) + 1,
			Msg: fmt.Sprintf("the query is longer than %d bytes: shorten it", MaxQueryLen)}
	}
	if !utf8.ValidString(q) {
		return nil, &QueryError{Query: strings.ToValidUTF8(q, "\uFFFD"), Pos: utf8.RuneCountInString(q[:firstInvalid(q)]) + 1,
			Msg: "the query holds bytes that are not UTF-8 text"}
	}
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{q: q, toks: toks}
	if p.peek().kind == tEOF {
		return nil, nil
	}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, p.errf(t.pos, "this ) closes no (")
		}
		return nil, p.errf(t.pos, "unexpected %s", describe(t))
	}
	return n, nil
}

func firstInvalid(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return i
			}
		}
	}
	return len(s)
}

func describe(t token) string {
	switch t.kind {
	case tLParen:
		return "("
	case tRParen:
		return ")"
	case tAnd, tOr, tNot:
		return t.text
	case tEOF:
		return "end of the query"
	case tPhrase:
		return "phrase"
	}
	return strconv.Quote(t.text)
}

const maxDepth = 64

func (p *parser) or(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, p.errf(p.peek().pos, "the query nests more than %d levels deep", maxDepth)
	}
	first, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	n := &node{kind: nOr, kids: []*node{first}, pos: first.pos}
	for p.peek().kind == tOr {
		op := p.next()
		k, err := p.and(depth)
		if err != nil {
			if t := p.peek(); t.kind == tEOF {
				return nil, p.errf(op.pos, "OR needs something to search for after it")
			}
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	if len(n.kids) == 1 {
		return first, nil
	}
	return n, nil
}

func (p *parser) and(depth int) (*node, error) {
	first, err := p.not(depth)
	if err != nil {
		return nil, err
	}
	n := &node{kind: nAnd, kids: []*node{first}, pos: first.pos}
	for {
		t := p.peek()
		switch t.kind {
		case tAnd:
			p.next()
			if nt := p.peek(); nt.kind == tEOF || nt.kind == tRParen || nt.kind == tOr || nt.kind == tAnd {
				return nil, p.errf(t.pos, "AND needs something to search for after it")
			}
		case tWord, tPhrase, tLParen, tNot:
		default:
			if len(n.kids) == 1 {
				return first, nil
			}
			return n, nil
		}
		k, err := p.not(depth)
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
}

func (p *parser) not(depth int) (*node, error) {
	t := p.peek()
	if t.kind == tNot {
		p.next()
		if nt := p.peek(); nt.kind == tEOF || nt.kind == tRParen || nt.kind == tOr || nt.kind == tAnd {
			return nil, p.errf(t.pos, "NOT needs something to leave out after it")
		}
		k, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		return &node{kind: nNot, kids: []*node{k}, pos: t.pos}, nil
	}
	return p.primary(depth)
}

func (p *parser) primary(depth int) (*node, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		if p.peek().kind == tRParen {
			return nil, p.errf(t.pos, "these parentheses are empty")
		}
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c.kind != tRParen {
			return nil, p.errf(t.pos, "this ( is never closed: add a )")
		}
		p.next()
		return n, nil
	case tPhrase:
		return p.term(t.text, true, t.pos)
	case tWord:
		return p.word(t)
	case tRParen:
		return nil, p.errf(t.pos, "this ) closes no (")
	case tEOF:
		return nil, p.errf(t.pos, "the query ends where a term was expected")
	}
	return nil, p.errf(t.pos, "%s needs something to search for before it", t.text)
}

func (p *parser) term(text string, phrase bool, pos int) (*node, error) {
	prefix := false
	if !phrase && strings.HasSuffix(text, "*") {
		prefix, text = true, strings.TrimSuffix(text, "*")
	}
	if strings.ContainsRune(text, '*') && !phrase {
		return nil, p.errf(pos, "%q: * may only end a term (a prefix), as in admin*", text+map[bool]string{true: "*"}[prefix])
	}
	if !hasWordChar(text) {
		if phrase {
			return nil, p.errf(pos, "this phrase has no letters or digits to search for")
		}
		return nil, p.errf(pos, "%q has no letters or digits to search for; to find it exactly, use a field, as in user:%s", text, text)
	}
	return &node{kind: nTerm, text: text, phrase: phrase, prefix: prefix, pos: pos}, nil
}

func hasWordChar(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && (r == '.' || r == '-' || (r >= '0' && r <= '9')):
		default:
			return false
		}
	}
	return true
}

// word reads a term, a prefix, or a field expression.
func (p *parser) word(t token) (*node, error) {
	name, val, ok := strings.Cut(t.text, ":")
	if !ok || !validFieldName(name) {
		return p.term(t.text, false, t.pos)
	}
	name = strings.ToLower(name)
	vpos := t.pos + utf8.RuneCountInString(name) + 1
	if val == "" {
		if nt := p.peek(); nt.kind == tPhrase && nt.glued {
			p.next()
			return p.field(name, nt.text, false, vpos, true)
		}
		return nil, p.errf(vpos, "field %s: needs a value after the colon, as in %s:value or %s:\"two words\"", name, name, name)
	}
	for _, op := range []string{">=", "<=", ">", "<"} {
		if strings.HasPrefix(val, op) {
			return p.compare(name, op, val[len(op):], vpos+len(op))
		}
	}
	prefix := false
	if strings.HasSuffix(val, "*") {
		prefix, val = true, strings.TrimSuffix(val, "*")
		if val == "" {
			return nil, p.errf(vpos, "field %s: * alone matches anything; give the start of a value, as in %s:adm*", name, name)
		}
	}
	if strings.ContainsRune(val, '*') {
		return nil, p.errf(vpos, "field %s: * may only end a value (a prefix), as in %s:adm*", name, name)
	}
	return p.field(name, val, prefix, vpos, false)
}

func (p *parser) field(name, val string, prefix bool, pos int, quoted bool) (*node, error) {
	if name == "time" || name == "datetime" {
		return nil, p.errf(pos, "field %s: compare times with >, >=, < or <=, as in time:>=2026-02-21T02:00:00Z", name)
	}
	if annotationFields[name] {
		return p.annotation(name, val, prefix, pos)
	}
	if name == "message" {
		n, err := p.term(val, quoted, pos)
		if err != nil {
			return nil, err
		}
		if prefix {
			n.prefix = true
		}
		n.name = "message"
		return n, nil
	}
	return &node{kind: nField, name: name, text: val, prefix: prefix, pos: pos}, nil
}

func (p *parser) compare(name, op, val string, pos int) (*node, error) {
	n := &node{kind: nCompare, name: name, op: op, pos: pos}
	if val == "" {
		return nil, p.errf(pos, "field %s: %s needs a number after it, as in %s:%s4000", name, op, name, op)
	}
	if name == "time" || name == "datetime" {
		t, err := parseQueryTime(val)
		if err != nil {
			return nil, p.errf(pos, "field %s: %q is not a time: write RFC 3339 (2026-02-21T02:00:00Z) or a date (2026-02-21, UTC)", name, val)
		}
		n.name, n.ns = "time", t.UnixNano()
		return n, nil
	}
	f, err := strconv.ParseFloat(val, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || strings.ContainsAny(val, "xXpP_") {
		return nil, p.errf(pos, "field %s: %q is not a number; %s compares numbers only", name, val, op)
	}
	n.num = f
	return n, nil
}

// parseQueryTime reads a time of a query or a time range: RFC 3339 with or
// without fractional seconds, or a date (midnight UTC).
func parseQueryTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, s); err != nil {
			return time.Time{}, err
		}
	}
	t = t.UTC()
	if y := t.Year(); y < 1678 || y > 2261 {
		return time.Time{}, fmt.Errorf("year %d is outside 1678 to 2261", y)
	}
	return t, nil
}

// ParseTime reads a time given for a range (--from, --to): RFC 3339, or a
// date for midnight UTC.
func ParseTime(s string) (time.Time, error) {
	t, err := parseQueryTime(strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a time: write RFC 3339 (2026-02-21T02:00:00Z) or a date (2026-02-21, UTC)", s)
	}
	return t, nil
}

// ftsString quotes s as one FTS5 string (a phrase of its words).
func ftsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
