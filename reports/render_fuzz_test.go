package reports

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var (
	fuzzTagRE = regexp.MustCompile(`(?i)<\s*(script|iframe|img|object|embed|link|base|form|svg|math|style\s)`)
	fuzzOnRE  = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	fuzzURLRE = regexp.MustCompile(`(?i)<[^>]*\s(src|href|action)\s*=\s*["']?\s*[^#"'\s]`)
)

// FuzzRenderText puts one string from a case into every kind of block and
// renders it in every format: nothing panics, the HTML has no active
// content and refers to nothing outside, no control or bidi character
// survives, and the PDF renders.
func FuzzRenderText(f *testing.F) {
	for _, s := range []string{
		"<script>alert(1)</script>", "[x](javascript:alert(1))", "![i](https://evil.example/p.png)",
		"a\r\nb\x00c\x1b[31m", "invoice\u202Egpj.exe", ") Tj ET BT (owned) Tj \\", "<img src=x onerror=alert(1)>",
		"*emph* **strong** `code`\n\n- item\n1. one\n# heading", "\xff\xfe invalid", strings.Repeat("W", 5000),
		"<a href=\"//evil.example\">x</a> www.evil.example https://evil.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := &Document{Title: v(s), Kind: KindIntelligence, Case: v(s), Marking: "TLP:RED", TLP: "red", Exercise: true,
			Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Trust: []KV{{"Case", v(s)}, {"Case UUID", "u"}, {"Custody head", "h"}, {"As of", "a"}},
			Sections: []Section{{Title: v(s), Blocks: []Block{p(s), md(s), {Heading: true, Text: v(s)}, kv("Key", s),
				table([]string{"A", "B"}, nil, [][]string{{s, s}})}}}}
		for _, format := range Formats {
			var b bytes.Buffer
			if err := Render(&b, d, format); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			out := b.String()
			if format == FormatPDF {
				continue
			}
			if !utf8.ValidString(out) {
				t.Fatalf("%s: invalid UTF-8", format)
			}
			if strings.ContainsAny(out, "\u202E\u2066\u200B\x00\x1b\r") {
				t.Fatalf("%s keeps a control or bidi character", format)
			}
			if format == FormatHTML {
				for _, re := range []*regexp.Regexp{fuzzTagRE, fuzzOnRE, fuzzURLRE} {
					if m := re.FindString(out); m != "" {
						t.Fatalf("html: %q", m)
					}
				}
			}
			if format == FormatMarkdown && strings.Contains(out, "<") && regexp.MustCompile(`<[a-zA-Z!/?]`).MatchString(out) {
				t.Fatalf("md holds raw HTML: %q", regexp.MustCompile(`<[a-zA-Z!/?].{0,20}`).FindString(out))
			}
		}
	})
}
