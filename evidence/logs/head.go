package logs

import (
	"bytes"
	"path"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// HeadSize is how many bytes detection looks at.
const HeadSize = 64 << 10

// A Head is the start of an item, as detection sees it.
type Head struct {
	// Name is the item's base name, lower-case, without a ".gz" suffix.
	Name string
	// Raw is the first bytes of the item (decompressed when it is gzip).
	Raw []byte
	// Text is Raw decoded to UTF-8 with any byte-order mark removed.
	Text []byte
	// Encoding is the encoding Raw was decoded from.
	Encoding Encoding
	// Complete is true when Raw holds the whole item.
	Complete bool
}

// NewHead builds the Head of an item from its first bytes and its name.
func NewHead(raw []byte, name string, complete bool) *Head {
	h := &Head{Raw: raw, Complete: complete}
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, `\`, "/")))
	if base == "." || base == "/" {
		base = ""
	}
	h.Name = strings.TrimSuffix(base, ".gz")
	enc, bom := SniffEncoding(raw)
	h.Encoding = enc
	switch enc {
	case UTF8:
		h.Text = raw[bom:]
	default:
		b := raw[bom:]
		units := make([]uint16, len(b)/2)
		for i := range units {
			if enc == UTF16LE {
				units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			} else {
				units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			}
		}
		var t []byte
		for _, r := range utf16.Decode(units) {
			t = utf8.AppendRune(t, r)
		}
		h.Text = t
	}
	return h
}

// Lines returns up to n complete lines of Text, skipping empty ones; the
// last, unterminated piece counts only when the head is the whole item.
// Carriage returns before a line feed are removed.
func (h *Head) Lines(n int) [][]byte {
	var out [][]byte
	t := h.Text
	for len(out) < n && len(t) > 0 {
		i := bytes.IndexByte(t, '\n')
		var line []byte
		if i < 0 {
			if !h.Complete {
				break
			}
			line, t = t, nil
		} else {
			line, t = t[:i], t[i+1:]
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(bytes.TrimSpace(line)) > 0 {
			out = append(out, line)
		}
	}
	return out
}

// Score returns the share (0..100) of up to n head lines for which ok holds,
// or 0 when the head has no line.
func (h *Head) Score(n int, ok func([]byte) bool) int {
	lines := h.Lines(n)
	if len(lines) == 0 {
		return 0
	}
	hit := 0
	for _, l := range lines {
		if ok(l) {
			hit++
		}
	}
	return hit * 100 / len(lines)
}

// Binary reports whether the head looks like binary data rather than text:
// more than a tenth of its first 4 KiB are control bytes other than tab,
// CR, LF and form feed (NUL runs count, so a log with zeroed blocks in it
// should be forced with --parser).
func (h *Head) Binary() bool {
	t := h.Text
	if len(t) > 4096 {
		t = t[:4096]
	}
	if len(t) == 0 {
		return false
	}
	bad := 0
	for _, c := range t {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			bad++
		}
	}
	return bad*10 > len(t)
}
