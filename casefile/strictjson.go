package casefile

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Strict decoding of sealed JSON: the grammar of docs/FORMAT.md 4.5.
//
// encoding/json is lenient where a format must not be: it matches member
// names case-insensitively, lets the last of duplicate members win, takes
// null for any value (leaving it zero), accepts "-0" for an integer,
// ignores unknown members on request only, replaces invalid UTF-8 and lone
// surrogates with U+FFFD, and parses time.Time as any RFC 3339 text (other
// offsets, trailing zeros). encoding/json/v2 is stricter about names,
// duplicates and UTF-8, but needs GOEXPERIMENT=jsonv2 on this toolchain and
// still takes null for anything, "-0", and any RFC 3339 time. So the value
// is checked first, against the Go type it is decoded into, by the small
// validator below; only a value that passes is handed to json.Unmarshal.

// decodeStrict parses data, one sealed JSON value, into v, a non-nil
// pointer. It is the one decoder of every authenticated JSON value of a case
// (ledger entries, evidence descriptions and verifications, examiner roles,
// record rows and their data) and accepts exactly the grammar of
// docs/FORMAT.md 4.5, read off v's Go type:
//
//   - One JSON text (RFC 8259) and nothing after it but white space; strings
//     are valid UTF-8, without lone surrogate escapes.
//   - An object decoded into a struct holds only members named exactly (case
//     included) as the struct's json tags say, each at most once. A member
//     whose tag has omitempty or omitzero may be absent; every other member
//     is required.
//   - An object decoded into a map has string keys, each at most once.
//   - null is accepted only for a slice (an empty list), a map (an empty
//     object) or a pointer (absent); absent, null and [] mean the same.
//     Anywhere else null is refused.
//   - An integer is -?(0|[1-9][0-9]*) within the range of its Go type, never
//     "-0", never with a fraction or exponent; a boolean is true or false; a
//     string is a string (never a number or boolean).
//   - A time.Time is a string in the stored time form (parseStoredTime); a
//     uuid.UUID is a string in the canonical UUID form (parseStoredUUID).
//   - A json.RawMessage, an interface or a type with its own UnmarshalJSON
//     takes any JSON value under the rules above for strings, numbers and
//     duplicate members; decode it strictly again when its type is known.
//
// A refusal is an error whose text names the member and what is wrong with
// it, for a person ("member size: -0 is a negative zero, not an integer in
// canonical form"); errors.Is(err, ErrCorrupt) is true. The value was
// authenticated, so a writer wrote it: callers add which table, row and
// column it came from, e.g. ErrCorrupt.Errorf("evidence/%s meta: %v", id, err).
// A v of a type the grammar cannot describe (a non-string map key, the
// ",string" tag option, a func or channel) is a programming error, reported
// as an error that does not match ErrCorrupt.
func decodeStrict(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("casefile: decodeStrict needs a non-nil pointer, not %T", v)
	}
	if err := checkStrict(data, rv.Type().Elem()); err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		// Not reached for a value that passed the check; kept so that a
		// difference between the two is damage, never a silent zero value.
		return &jsonError{problem: err.Error()}
	}
	return nil
}

// checkStrict reports whether data is a value of type t under the grammar
// of decodeStrict, without decoding it. A caller that needs only part of a
// value checks it against the whole type, then unmarshals the part.
func checkStrict(data []byte, t reflect.Type) error {
	d := strictDecoder{data: data}
	d.path = d.pathArray[:0]
	d.skipSpace()
	if err := d.value(t); err != nil {
		return err
	}
	d.skipSpace()
	if d.off != len(d.data) {
		return d.failf("there is more data after the JSON value, at byte %d", d.off)
	}
	return nil
}

// jsonError is a refusal of decodeStrict: the member (a path such as
// target.id, container[1].size or details["md5"]; empty for the value
// itself) and what is wrong with it.
type jsonError struct {
	path    string
	problem string
}

func (e *jsonError) Error() string {
	if e.path == "" {
		return e.problem
	}
	return "member " + e.path + ": " + e.problem
}

// Is makes errors.Is(err, ErrCorrupt) true: an authenticated value that is
// not in the format's grammar is damage.
func (e *jsonError) Is(target error) bool { return target == ErrCorrupt }

// errStrictType is the programming error of a Go type the grammar cannot
// describe.
var errStrictType = errors.New("casefile: decodeStrict cannot describe this Go type")

// maxJSONDepth bounds nesting, so a hostile value cannot exhaust the stack
// through the parts the type does not bound (json.RawMessage, interfaces).
const maxJSONDepth = 64

var (
	timeType            = reflect.TypeFor[time.Time]()
	uuidType            = reflect.TypeFor[uuid.UUID]()
	rawMessageType      = reflect.TypeFor[json.RawMessage]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// pathElem is one step of the path to the member being read: a struct
// member or map key (name), or a list index.
type pathElem struct {
	name  string
	index int
	isKey bool // a map key, shown as ["key"]
}

// strictDecoder walks one JSON text.
type strictDecoder struct {
	data  []byte
	off   int
	depth int
	path  []pathElem
	buf   []byte // unescaped string content, reused

	pathArray [8]pathElem // path's first elements, without allocating
}

func (d *strictDecoder) pathString() string {
	var b strings.Builder
	for i, p := range d.path {
		switch {
		case p.isKey:
			b.WriteString("[" + strconv.Quote(p.name) + "]")
		case p.name != "":
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p.name)
		default:
			fmt.Fprintf(&b, "[%d]", p.index)
		}
	}
	return b.String()
}

// failf refuses the member being read.
func (d *strictDecoder) failf(format string, args ...any) error {
	return &jsonError{path: d.pathString(), problem: fmt.Sprintf(format, args...)}
}

func (d *strictDecoder) skipSpace() {
	for d.off < len(d.data) {
		switch d.data[d.off] {
		case ' ', '\t', '\n', '\r':
			d.off++
		default:
			return
		}
	}
}

// peek returns the next byte, 0 at the end.
func (d *strictDecoder) peek() byte {
	if d.off < len(d.data) {
		return d.data[d.off]
	}
	return 0
}

func (d *strictDecoder) syntaxError(what string) error {
	if d.off >= len(d.data) {
		return d.failf("the JSON text ends early, expecting %s", what)
	}
	return d.failf("invalid JSON at byte %d: expecting %s, found %q", d.off, what, d.data[d.off])
}

// found names the kind of JSON value that starts at the next byte.
func (d *strictDecoder) found() string {
	switch c := d.peek(); {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "a list"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	}
	return ""
}

// describe names what a value of type t must be, for messages.
func describe(t reflect.Type) string {
	switch {
	case t == timeType:
		return "a time"
	case t == uuidType:
		return "a UUID"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return describe(t.Elem())
	}
	return "a JSON value"
}

// mismatch refuses a value of the wrong kind.
func (d *strictDecoder) mismatch(t reflect.Type) error {
	found := d.found()
	if found == "" {
		return d.syntaxError(describe(t))
	}
	return d.failf("is %s, want %s", found, describe(t))
}

// value checks the value at d.off against t.
func (d *strictDecoder) value(t reflect.Type) error {
	if d.peek() == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface:
			return nil
		}
		d.off -= len("null")
		return d.mismatch(t)
	}
	switch {
	case t == timeType:
		s, err := d.stringValue(t)
		if err != nil {
			return err
		}
		if _, err := parseStoredTime(string(s)); err != nil {
			return d.failf("%v", err)
		}
		return nil
	case t == uuidType:
		s, err := d.stringValue(t)
		if err != nil {
			return err
		}
		if !isCanonicalUUID(s) {
			_, err := parseStoredUUID(string(s))
			return d.failf("%v", err)
		}
		return nil
	case t == rawMessageType, t.Kind() == reflect.Interface:
		return d.anyValue()
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(jsonUnmarshalerType):
		return d.anyValue()
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textUnmarshalerType):
		_, err := d.stringValue(t)
		return err
	}
	switch t.Kind() {
	case reflect.Pointer:
		return d.value(t.Elem())
	case reflect.Bool:
		switch d.peek() {
		case 't':
			return d.literal("true")
		case 'f':
			return d.literal("false")
		}
		return d.mismatch(t)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return d.integer(t, true)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return d.integer(t, false)
	case reflect.Float32, reflect.Float64:
		if c := d.peek(); c != '-' && (c < '0' || c > '9') {
			return d.mismatch(t)
		}
		_, _, err := d.number()
		return err
	case reflect.String:
		_, err := d.stringValue(t)
		return err
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			_, err := d.stringValue(t) // base64; json.Unmarshal checks the alphabet
			return err
		}
		return d.list(t, -1)
	case reflect.Array:
		return d.list(t, t.Len())
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("%w: map key type %v", errStrictType, t.Key())
		}
		return d.mapObject(t)
	case reflect.Struct:
		return d.structObject(t)
	}
	return fmt.Errorf("%w: %v", errStrictType, t)
}

// literal consumes the literal word (true, false or null).
func (d *strictDecoder) literal(word string) error {
	if !bytes.HasPrefix(d.data[d.off:], []byte(word)) {
		return d.syntaxError(word)
	}
	d.off += len(word)
	return nil
}

// integer checks an integer of type t.
func (d *strictDecoder) integer(t reflect.Type, signed bool) error {
	if c := d.peek(); c != '-' && (c < '0' || c > '9') {
		return d.mismatch(t)
	}
	lit, isInt, err := d.number()
	if err != nil {
		return err
	}
	switch {
	case !isInt:
		return d.failf("%s is not an integer (no fraction or exponent)", lit)
	case string(lit) == "-0":
		return d.failf("-0 is a negative zero, not an integer in canonical form")
	case signed:
		if _, err := strconv.ParseInt(string(lit), 10, t.Bits()); err != nil {
			return d.failf("%s is out of range", lit)
		}
	default:
		if _, err := strconv.ParseUint(string(lit), 10, t.Bits()); err != nil {
			return d.failf("%s is out of range (not a non-negative integer of %d bits)", lit, t.Bits())
		}
	}
	return nil
}

// number consumes an RFC 8259 number and returns its text and whether it
// has neither fraction nor exponent.
func (d *strictDecoder) number() (lit []byte, isInt bool, err error) {
	start := d.off
	digits := func() int {
		n := 0
		for d.off < len(d.data) && d.data[d.off] >= '0' && d.data[d.off] <= '9' {
			d.off++
			n++
		}
		return n
	}
	if d.peek() == '-' {
		d.off++
	}
	switch c := d.peek(); {
	case c == '0':
		d.off++
	case c >= '1' && c <= '9':
		digits()
	default:
		return nil, false, d.syntaxError("a digit")
	}
	isInt = true
	if d.peek() == '.' {
		d.off++
		if digits() == 0 {
			return nil, false, d.syntaxError("a digit")
		}
		isInt = false
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.off++
		if c := d.peek(); c == '+' || c == '-' {
			d.off++
		}
		if digits() == 0 {
			return nil, false, d.syntaxError("a digit")
		}
		isInt = false
	}
	return d.data[start:d.off], isInt, nil
}

// stringValue checks that a string comes next (t names what was wanted)
// and returns its content.
func (d *strictDecoder) stringValue(t reflect.Type) ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.mismatch(t)
	}
	return d.str()
}

// str consumes a string and returns its content, unescaped. The result is
// valid only until the next call.
func (d *strictDecoder) str() ([]byte, error) {
	d.off++ // the opening quote
	start := d.off
	ascii := true
	for d.off < len(d.data) {
		c := d.data[d.off]
		switch {
		case c == '"':
			s := d.data[start:d.off]
			d.off++
			if !ascii && !utf8.Valid(s) {
				return nil, d.failf("a string is not valid UTF-8")
			}
			return s, nil
		case c == '\\':
			d.buf = append(d.buf[:0], d.data[start:d.off]...)
			if !ascii && !utf8.Valid(d.buf) {
				return nil, d.failf("a string is not valid UTF-8")
			}
			return d.escapedStr()
		case c < 0x20:
			return nil, d.failf("invalid JSON at byte %d: a control character inside a string", d.off)
		case c >= 0x80:
			ascii = false
		}
		d.off++
	}
	return nil, d.syntaxError(`"`)
}

// escapedStr finishes a string that has escapes, from d.off (a backslash),
// into d.buf.
func (d *strictDecoder) escapedStr() ([]byte, error) {
	for d.off < len(d.data) {
		c := d.data[d.off]
		switch {
		case c == '"':
			d.off++
			return d.buf, nil
		case c < 0x20:
			return nil, d.failf("invalid JSON at byte %d: a control character inside a string", d.off)
		case c == '\\':
			d.off++
			r, err := d.escape()
			if err != nil {
				return nil, err
			}
			d.buf = utf8.AppendRune(d.buf, r)
		case c < 0x80:
			d.buf = append(d.buf, c)
			d.off++
		default:
			r, n := utf8.DecodeRune(d.data[d.off:])
			if r == utf8.RuneError && n <= 1 {
				return nil, d.failf("a string is not valid UTF-8")
			}
			d.buf = append(d.buf, d.data[d.off:d.off+n]...)
			d.off += n
		}
	}
	return nil, d.syntaxError(`"`)
}

// escape decodes the escape after a backslash.
func (d *strictDecoder) escape() (rune, error) {
	if d.off >= len(d.data) {
		return 0, d.syntaxError("an escape")
	}
	c := d.data[d.off]
	d.off++
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		r, err := d.hex4()
		if err != nil {
			return 0, err
		}
		switch {
		case r >= 0xdc00 && r <= 0xdfff:
			return 0, d.failf("a string holds a lone low surrogate \\u%04x", r)
		case r >= 0xd800 && r <= 0xdbff:
			if !bytes.HasPrefix(d.data[d.off:], []byte(`\u`)) {
				return 0, d.failf("a string holds a lone high surrogate \\u%04x", r)
			}
			d.off += 2
			lo, err := d.hex4()
			if err != nil {
				return 0, err
			}
			if lo < 0xdc00 || lo > 0xdfff {
				return 0, d.failf("a string holds a lone high surrogate \\u%04x", r)
			}
			return utf16Pair(r, lo), nil
		}
		return r, nil
	}
	d.off--
	return 0, d.syntaxError(`an escape (one of \" \\ \/ \b \f \n \r \t \uXXXX)`)
}

func utf16Pair(hi, lo rune) rune { return (hi-0xd800)<<10 | (lo - 0xdc00) + 0x10000 }

func (d *strictDecoder) hex4() (rune, error) {
	if d.off+4 > len(d.data) {
		d.off = len(d.data)
		return 0, d.syntaxError("four hex digits")
	}
	var r rune
	for _, c := range d.data[d.off : d.off+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, d.syntaxError("four hex digits")
		}
		d.off++
	}
	return r, nil
}

// enter and leave bound the nesting depth.
func (d *strictDecoder) enter() error {
	d.depth++
	if d.depth > maxJSONDepth {
		return d.failf("nested more than %d levels deep", maxJSONDepth)
	}
	return nil
}

func (d *strictDecoder) leave() { d.depth-- }

// open consumes the '{' or '[' that starts an object or list.
func (d *strictDecoder) open() error {
	if err := d.enter(); err != nil {
		return err
	}
	d.off++
	d.skipSpace()
	return nil
}

// next moves to the next member or element of the object or list being
// read, which closer ends; first is true for the first call. It returns
// false once the closer is consumed. A trailing comma is a syntax error,
// found when the member or element that must follow it is read.
func (d *strictDecoder) next(closer byte, first bool) (bool, error) {
	if !first {
		d.skipSpace()
		switch d.peek() {
		case ',':
			d.off++
			d.skipSpace()
			return true, nil
		case closer:
		default:
			return false, d.syntaxError(`"," or "` + string(closer) + `"`)
		}
	} else if d.peek() != closer {
		return true, nil
	}
	d.off++
	d.leave()
	return false, nil
}

// memberName reads a member's name and the colon after it. The name is
// valid until the next string is read.
func (d *strictDecoder) memberName() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.syntaxError("a member name")
	}
	name, err := d.str()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.peek() != ':' {
		return nil, d.syntaxError(`":"`)
	}
	d.off++
	d.skipSpace()
	return name, nil
}

// Each reader of an object or list below pushes one path element for its
// members or elements and pops it when it is done; on an error it returns
// at once, with the path naming where.

// list checks a list of t.Elem(); n ≥ 0 is the exact length of an array.
func (d *strictDecoder) list(t reflect.Type, n int) error {
	if d.peek() != '[' {
		return d.mismatch(t)
	}
	if err := d.open(); err != nil {
		return err
	}
	d.path = append(d.path, pathElem{})
	for i := 0; ; i++ {
		more, err := d.next(']', i == 0)
		if err != nil {
			return err
		}
		if !more {
			d.path = d.path[:len(d.path)-1]
			if n >= 0 && i != n {
				return d.failf("has %d elements, want %d", i, n)
			}
			return nil
		}
		d.path[len(d.path)-1].index = i
		if n >= 0 && i >= n {
			return d.failf("is one element too many: the list has %d", n)
		}
		if err := d.value(t.Elem()); err != nil {
			return err
		}
	}
}

// mapObject checks an object whose members are the keys of a map.
func (d *strictDecoder) mapObject(t reflect.Type) error {
	if d.peek() != '{' {
		return d.mismatch(t)
	}
	return d.keyedObject(true, "the key %q appears twice", func() error { return d.value(t.Elem()) })
}

// keyedObject reads an object whose member names are free (a map's keys,
// or members of a value of unknown type), refusing a name that appears
// twice with the message dup (one %q, the name); value reads each member's
// value. isKey marks the names as map keys in error paths.
func (d *strictDecoder) keyedObject(isKey bool, dup string, value func() error) error {
	if err := d.open(); err != nil {
		return err
	}
	var seen keySet
	d.path = append(d.path, pathElem{isKey: isKey})
	for first := true; ; first = false {
		more, err := d.next('}', first)
		if err != nil || !more {
			d.path = d.path[:len(d.path)-1]
			return err
		}
		name, err := d.memberName()
		if err != nil {
			return err
		}
		key := string(name)
		if !seen.add(key) {
			d.path = d.path[:len(d.path)-1]
			return d.failf(dup, key)
		}
		d.path[len(d.path)-1].name = key
		if err := value(); err != nil {
			return err
		}
	}
}

// structObject checks an object whose members are the fields of a struct.
func (d *strictDecoder) structObject(t reflect.Type) error {
	if d.peek() != '{' {
		return d.mismatch(t)
	}
	info, err := strictFieldsOf(t)
	if err != nil {
		return err
	}
	var seenSmall [16]bool
	seen := seenSmall[:0]
	if len(info.fields) <= len(seenSmall) {
		seen = seenSmall[:len(info.fields)]
	} else {
		seen = make([]bool, len(info.fields))
	}
	if err := d.open(); err != nil {
		return err
	}
	for first := true; ; first = false {
		more, err := d.next('}', first)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		name, err := d.memberName()
		if err != nil {
			return err
		}
		i, ok := info.index[string(name)]
		if !ok {
			if want, ok := info.folded[strings.ToLower(string(name))]; ok {
				return d.failf("%q is not a member: member names are case-sensitive, this one is %q", name, want)
			}
			return d.failf("%q is not a member here (unknown members are refused)", name)
		}
		f := &info.fields[i]
		if seen[i] {
			return d.failf("%q appears twice", f.name)
		}
		seen[i] = true
		d.path = append(d.path, pathElem{name: f.name})
		if err := d.value(f.typ); err != nil {
			return err
		}
		d.path = d.path[:len(d.path)-1]
	}
	for i, f := range info.fields {
		if f.required && !seen[i] {
			return d.failf("the required member %q is missing", f.name)
		}
	}
	return nil
}

// anyValue checks a value of unknown type: the JSON syntax, with the rules
// for strings and duplicate members.
func (d *strictDecoder) anyValue() error {
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{':
		return d.keyedObject(false, "%q appears twice", d.anyValue)
	case c == '[':
		if err := d.open(); err != nil {
			return err
		}
		d.path = append(d.path, pathElem{})
		for i := 0; ; i++ {
			more, err := d.next(']', i == 0)
			if err != nil || !more {
				d.path = d.path[:len(d.path)-1]
				return err
			}
			d.path[len(d.path)-1].index = i
			if err := d.anyValue(); err != nil {
				return err
			}
		}
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		lit, _, err := d.number()
		if err == nil {
			if _, perr := strconv.ParseFloat(string(lit), 64); perr != nil {
				return d.failf("%s is out of range", lit)
			}
		}
		return err
	}
	return d.syntaxError("a JSON value")
}

// keySet remembers the member names of one object: a short list while it
// is short (most objects have a handful), a map beyond, so a hostile object
// with many members costs linear time.
type keySet struct {
	list  []string
	set   map[string]bool
	array [8]string // list's first keys, without allocating
}

// add records key and reports whether it was new.
func (s *keySet) add(key string) bool {
	if s.set != nil {
		if s.set[key] {
			return false
		}
		s.set[key] = true
		return true
	}
	for _, k := range s.list {
		if k == key {
			return false
		}
	}
	if s.list == nil {
		s.list = s.array[:0]
	}
	s.list = append(s.list, key)
	if len(s.list) > 16 {
		s.set = make(map[string]bool, 2*len(s.list))
		for _, k := range s.list {
			s.set[k] = true
		}
		s.list = nil
	}
	return true
}

// strictField is one member of a struct's object.
type strictField struct {
	name     string
	typ      reflect.Type
	required bool
}

// strictStruct describes the object of a struct type.
type strictStruct struct {
	fields []strictField
	index  map[string]int    // member name → fields index
	folded map[string]string // lower-case name → member name, for messages
}

var strictStructs sync.Map // reflect.Type → *strictStruct or error

// strictFieldsOf returns the members of t's object as encoding/json sees
// them: exported fields by their json tag name (else their Go name),
// fields of untagged embedded structs promoted, "-" skipped; of several
// fields with one name, the shallowest wins, then the tagged one, and if
// that leaves several, none.
func strictFieldsOf(t reflect.Type) (*strictStruct, error) {
	if v, ok := strictStructs.Load(t); ok {
		if err, ok := v.(error); ok {
			return nil, err
		}
		return v.(*strictStruct), nil
	}
	info, err := buildStrictStruct(t)
	if err != nil {
		strictStructs.Store(t, err)
		return nil, err
	}
	strictStructs.Store(t, info)
	return info, nil
}

func buildStrictStruct(t reflect.Type) (*strictStruct, error) {
	type candidate struct {
		f      strictField
		depth  int
		tagged bool
	}
	var cands []candidate
	var walk func(t reflect.Type, depth int, optional bool, visiting map[reflect.Type]bool) error
	walk = func(t reflect.Type, depth int, optional bool, visiting map[reflect.Type]bool) error {
		visiting[t] = true
		defer delete(visiting, t)
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if sf.Anonymous {
				ft := sf.Type
				ptr := ft.Kind() == reflect.Pointer
				if ptr {
					ft = ft.Elem()
				}
				if !sf.IsExported() && ft.Kind() != reflect.Struct {
					continue
				}
				if name == "" && ft.Kind() == reflect.Struct {
					if !visiting[ft] {
						if err := walk(ft, depth+1, optional || ptr, visiting); err != nil {
							return err
						}
					}
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			tagged := name != ""
			if !tagged {
				name = sf.Name
			}
			omit := false
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "omitempty", "omitzero":
					omit = true
				case "string":
					return fmt.Errorf("%w: the \",string\" option of %v.%s", errStrictType, t, sf.Name)
				}
			}
			cands = append(cands, candidate{f: strictField{name: name, typ: sf.Type, required: !omit && !optional}, depth: depth, tagged: tagged})
		}
		return nil
	}
	if err := walk(t, 0, false, map[reflect.Type]bool{}); err != nil {
		return nil, err
	}
	byName := map[string][]candidate{}
	var order []string
	for _, c := range cands {
		if _, ok := byName[c.f.name]; !ok {
			order = append(order, c.f.name)
		}
		byName[c.f.name] = append(byName[c.f.name], c)
	}
	info := &strictStruct{index: map[string]int{}, folded: map[string]string{}}
	for _, name := range order {
		cs := byName[name]
		minDepth := cs[0].depth
		for _, c := range cs {
			minDepth = min(minDepth, c.depth)
		}
		var top, tagged []candidate
		for _, c := range cs {
			if c.depth == minDepth {
				top = append(top, c)
				if c.tagged {
					tagged = append(tagged, c)
				}
			}
		}
		switch {
		case len(top) == 1:
		case len(tagged) == 1:
			top = tagged
		default:
			continue // ambiguous: encoding/json drops it
		}
		info.index[name] = len(info.fields)
		info.folded[strings.ToLower(name)] = name
		info.fields = append(info.fields, top[0].f)
	}
	return info, nil
}
