package jsonl

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the nesting depth below which Flatten writes a value as its
// raw JSON text instead of descending into it.
const MaxDepth = 32

// Flatten parses one JSON value and calls add for each leaf in document
// order: objects join names with ".", arrays number items "[i]", strings are
// unescaped, numbers keep their exact text (no float rounding, however
// large), booleans are "true"/"false", and nulls and empty containers give
// nothing. A value nested deeper than MaxDepth is passed as its raw JSON.
// Trailing bytes after the value, other than white space, are an error.
func Flatten(data []byte, add func(path, value string)) error {
	f := &flattener{b: data, add: add}
	f.ws()
	if f.i >= len(f.b) {
		return errors.New("no JSON value")
	}
	if err := f.value(nil, 0); err != nil {
		return err
	}
	f.ws()
	if f.i != len(f.b) {
		return fmt.Errorf("unexpected %q after the JSON value at byte %d", clip(string(f.b[f.i:]), 16), f.i)
	}
	return nil
}

type flattener struct {
	b   []byte
	i   int
	add func(path, value string)
	buf []byte
}

func (f *flattener) ws() {
	for f.i < len(f.b) {
		switch f.b[f.i] {
		case ' ', '\t', '\n', '\r':
			f.i++
		default:
			return
		}
	}
}

func (f *flattener) errf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", f.i, fmt.Sprintf(format, args...))
}

func (f *flattener) value(path []byte, depth int) error {
	if f.i >= len(f.b) {
		return f.errf("the value is cut off")
	}
	c := f.b[f.i]
	if depth >= MaxDepth && (c == '{' || c == '[') {
		start := f.i
		if err := f.skip(); err != nil {
			return err
		}
		f.add(string(path), string(f.b[start:f.i]))
		return nil
	}
	switch {
	case c == '{':
		f.i++
		f.ws()
		if f.i < len(f.b) && f.b[f.i] == '}' {
			f.i++
			return nil
		}
		for {
			f.ws()
			if f.i >= len(f.b) || f.b[f.i] != '"' {
				return f.errf("expected a quoted name")
			}
			key, err := f.str()
			if err != nil {
				return err
			}
			f.ws()
			if f.i >= len(f.b) || f.b[f.i] != ':' {
				return f.errf("expected ':' after the name %q", clip(key, 32))
			}
			f.i++
			f.ws()
			child := path
			if len(child) > 0 {
				child = append(child[:len(child):len(child)], '.')
			}
			child = append(child[:len(child):len(child)], key...)
			if err := f.value(child, depth+1); err != nil {
				return err
			}
			if more, err := f.more('}', "object"); !more {
				return err
			}
		}
	case c == '[':
		f.i++
		f.ws()
		if f.i < len(f.b) && f.b[f.i] == ']' {
			f.i++
			return nil
		}
		for n := 0; ; n++ {
			f.ws()
			child := append(path[:len(path):len(path)], '[')
			child = strconv.AppendInt(child, int64(n), 10)
			child = append(child, ']')
			if err := f.value(child, depth+1); err != nil {
				return err
			}
			if more, err := f.more(']', "array"); !more {
				return err
			}
		}
	case c == '"':
		s, err := f.str()
		if err != nil {
			return err
		}
		f.add(pathName(path), s)
		return nil
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if len(f.b)-f.i >= len(lit) && string(f.b[f.i:f.i+len(lit)]) == lit {
				f.i += len(lit)
				if lit != "null" {
					f.add(pathName(path), lit)
				}
				return nil
			}
		}
		return f.errf("unknown literal")
	case c == '-' || (c >= '0' && c <= '9'):
		start := f.i
		if err := f.number(); err != nil {
			return err
		}
		f.add(pathName(path), string(f.b[start:f.i]))
		return nil
	}
	return f.errf("unexpected %q", string(rune(c)))
}

func pathName(p []byte) string {
	if len(p) == 0 {
		return "value"
	}
	return string(p)
}

// number checks JSON number syntax and leaves f.i after it.
func (f *flattener) number() error {
	b, i := f.b, f.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	d := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == d || (b[d] == '0' && i-d > 1) {
		return f.errf("malformed number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		d = i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return f.errf("malformed number")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d = i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return f.errf("malformed number")
		}
	}
	f.i = i
	return nil
}

// str reads a quoted string at f.i and returns it unescaped.
func (f *flattener) str() (string, error) {
	f.i++ // opening quote
	start := f.i
	// Fast path: no escapes.
	for f.i < len(f.b) {
		c := f.b[f.i]
		if c == '"' {
			s := string(f.b[start:f.i])
			f.i++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", f.errf("control character in a string")
		}
		f.i++
	}
	buf := append(f.buf[:0], f.b[start:f.i]...)
	for f.i < len(f.b) {
		c := f.b[f.i]
		switch {
		case c == '"':
			f.i++
			f.buf = buf
			return string(buf), nil
		case c < 0x20:
			return "", f.errf("control character in a string")
		case c != '\\':
			buf = append(buf, c)
			f.i++
			continue
		}
		if f.i+1 >= len(f.b) {
			break
		}
		e := f.b[f.i+1]
		f.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := f.hex4()
			if !ok {
				return "", f.errf("bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if f.i+1 < len(f.b) && f.b[f.i] == '\\' && f.b[f.i+1] == 'u' {
					f.i += 2
					if x, ok := f.hex4(); ok {
						r2 = x
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", f.errf("bad escape \\%c", e)
		}
	}
	return "", f.errf("the string is not closed")
}

func (f *flattener) hex4() (rune, bool) {
	if f.i+4 > len(f.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(f.b[f.i:f.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	f.i += 4
	return rune(n), true
}

// skip passes over one value without recursion (any depth).
func (f *flattener) skip() error {
	depth := 0
	for f.i < len(f.b) {
		c := f.b[f.i]
		switch c {
		case '"':
			if _, err := f.str(); err != nil {
				return err
			}
			if depth == 0 {
				return nil
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				f.i++
				return nil
			}
			if depth < 0 {
				return f.errf("unbalanced %q", string(rune(c)))
			}
		}
		f.i++
	}
	return f.errf("the value is cut off")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// more reads what follows a member of an object or an element of an array
// (what, closed by closer): true after a ',', false with no error after
// the closer, false with the error for anything else.
func (f *flattener) more(closer byte, what string) (bool, error) {
	f.ws()
	switch {
	case f.i >= len(f.b):
		return false, f.errf("the %s is not closed", what)
	case f.b[f.i] == ',':
		f.i++
		return true, nil
	case f.b[f.i] == closer:
		f.i++
		return false, nil
	}
	return false, f.errf("expected ',' or '%c' in an %s", closer, what)
}
