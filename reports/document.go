package reports

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// A report is built in two steps: a kind (intelligence, custody,
// postmortem, brief) turns the Model into a Document — titled sections of
// paragraphs, key/value lists and tables of plain strings — and a format
// (md, html, pdf) renders the Document. Every string from the case passes
// through visible on the way into the Document, so the renderers only ever
// see text whose control and bidi characters are already shown as <U+XXXX>.

// Document is a report before it has a format.
type Document struct {
	Title    string
	Kind     string
	Case     string // the case number, in every page header
	Marking  string // "TLP:AMBER"
	TLP      string // the level: clear, green, amber, amber+strict, red
	Exercise bool   // EXERCISE on every page
	Date     time.Time
	Trust    []KV // case UUID, head, as of, version: printed on the first page
	Sections []Section
	OnePage  bool // the brief: one page
}

// Section is one titled part of a document.
type Section struct {
	Title  string
	Blocks []Block
}

// Block is one paragraph, key/value list, table or chart. Markdown is set
// for a paragraph whose source is Markdown (HTML renders it sanitized;
// Markdown and PDF print its text). A chart is an image in PDF and HTML
// and a note in Markdown.
type Block struct {
	Heading  bool // Text is a sub-heading (a finding's title)
	Text     string
	Markdown bool
	KV       []KV
	Table    *Table
	Chart    *Chart
}

// KV is one key and value.
type KV struct{ Key, Value string }

// Table is a table of text.
type Table struct {
	Head   []string
	Rows   [][]string
	Widths []float64 // relative column widths for PDF; nil for equal
}

// MaxField bounds one field in a report, in runes; longer text is cut with
// a note saying how much was left out, so a hostile megabyte-long string
// cannot blow up a report.
const MaxField = 4000

// visible returns s as a report shows it: invalid UTF-8 replaced, control
// characters (C0 but tab and, when keepNL, newline; DEL; C1), bidi
// embeddings, overrides, isolates and marks, zero-width characters and line
// and paragraph separators shown as <U+XXXX>, and cut at MaxField runes.
func visible(s string, keepNL bool) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	n := 0
	for i, r := range s {
		if n == MaxField {
			fmt.Fprintf(&b, " … (%d more characters not shown)", utf8.RuneCountInString(s[i:]))
			break
		}
		n++
		switch {
		case r == '\n' && keepNL:
			b.WriteRune(r)
		case r == '\t':
			b.WriteString("    ")
		case r < 0x20, r == 0x7F, r >= 0x80 && r <= 0x9F,
			r == 0x061C, r >= 0x200B && r <= 0x200F, r >= 0x2028 && r <= 0x202E,
			r >= 0x2060 && r <= 0x206F, r == 0xFEFF, r >= 0xFFF9 && r <= 0xFFFB:
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// v is visible on one line.
func v(s string) string { return visible(s, false) }

// p is a paragraph block of case text (newlines kept).
func p(s string) Block { return Block{Text: visible(s, true)} }

// md is a paragraph block of Markdown from the case.
func md(s string) Block { return Block{Text: visible(s, true), Markdown: true} }

// kv is a key/value block; values are case text.
func kv(pairs ...string) Block {
	b := Block{}
	for i := 0; i+1 < len(pairs); i += 2 {
		b.KV = append(b.KV, KV{pairs[i], v(pairs[i+1])})
	}
	return b
}

// table is a table block; cells are case text.
func table(head []string, widths []float64, rows [][]string) Block {
	t := &Table{Head: head, Widths: widths}
	for _, r := range rows {
		row := make([]string, len(r))
		for i, c := range r {
			row[i] = v(c)
		}
		t.Rows = append(t.Rows, row)
	}
	return Block{Table: t}
}

// TLPLevels are the TLP 2.0 levels a report may carry.
var TLPLevels = []string{"clear", "green", "amber", "amber+strict", "red"}

// ErrTLP means an unknown TLP level.
var errTLP = "unknown TLP level %q: use clear, green, amber, amber+strict or red"

// timeText is a time as reports print it: UTC, to the second, or "—".
func timeText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
