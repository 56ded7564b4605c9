package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"

	"github.com/custodia-dfir/custodia/casefile"
)

// Report formats.
const (
	FormatMarkdown = "md"
	FormatHTML     = "html"
	FormatPDF      = "pdf"
)

// Formats lists the report formats in the order help shows them.
var Formats = []string{FormatPDF, FormatHTML, FormatMarkdown}

// Render writes d in format to w.
func Render(w io.Writer, d *Document, format string) error {
	switch format {
	case FormatMarkdown:
		return renderMarkdown(w, d)
	case FormatHTML:
		return renderHTML(w, d)
	case FormatPDF:
		return renderPDF(w, d)
	}
	return casefile.Invalidf("unknown report format %q: use pdf, html or md", format)
}

// ---- Markdown ----

// mdEscape escapes text for Markdown (CommonMark and GFM): the characters
// that make emphasis, code, links, images, tables and footnotes are
// backslash-escaped, < > & are written as entities so no reader sees HTML,
// "://" and "www." are broken up so no autolink forms, and a line that
// would start a heading, list, quote or rule has its first character
// escaped.
func mdEscape(s string) string { return mdEscapeAt(s, false) }

// mdEscapeAt is mdEscape; lineStart says s starts a line.
func mdEscapeAt(s string, lineStart bool) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if lineStart {
			lineStart = false
			j := i
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			if strings.ContainsRune("-+=>#", r) || (j > i && j < len(rs) && (rs[j] == '.' || rs[j] == ')')) {
				if j > i {
					b.WriteString(string(rs[i:j]))
					rs2 := rs[j:]
					b.WriteByte('\\')
					b.WriteString(mdEscapeAt(string(rs2), false))
					return b.String()
				}
				b.WriteByte('\\')
				b.WriteRune(r)
				continue
			}
		}
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '{', '}', '[', ']', '!', '|', '~', '^':
			b.WriteByte('\\')
			b.WriteRune(r)
		case ':':
			if i+1 < len(rs) && rs[i+1] == '/' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '.':
			if i >= 3 && strings.EqualFold(string(rs[i-3:i]), "www") {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdLines escapes a paragraph, keeping its lines as hard breaks.
func mdLines(s string, inline bool) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = mdEscapeAt(strings.TrimRight(l, " "), i > 0 || !inline)
	}
	return strings.Join(lines, "\\\n")
}

// mdChart is a chart as Markdown shows it: its title and what it shows,
// in words; the picture is in the PDF and HTML.
func mdChart(c *Chart) string {
	return "> **Chart: " + mdEscape(c.Title) + "** (drawn in the PDF and HTML versions of this report): " + mdEscape(c.Alt)
}

func renderMarkdown(w io.Writer, d *Document) error {
	var b bytes.Buffer
	banner := "**" + d.Marking + "**"
	if d.Exercise {
		banner += " · **EXERCISE**"
	}
	fmt.Fprintf(&b, "%s\n\n# %s\n\n", banner, mdEscape(d.Title))
	for _, t := range d.Trust {
		fmt.Fprintf(&b, "- **%s:** %s\n", mdEscape(t.Key), mdEscape(t.Value))
	}
	b.WriteString("\n## Contents\n\n")
	for i, s := range d.Sections {
		fmt.Fprintf(&b, "%d. %s\n", i+1, mdEscape(s.Title))
	}
	for i, s := range d.Sections {
		fmt.Fprintf(&b, "\n## %d. %s\n", i+1, mdEscape(s.Title))
		for _, bl := range s.Blocks {
			b.WriteString("\n")
			switch {
			case bl.Table != nil:
				t := bl.Table
				row := func(cells []string) {
					b.WriteString("|")
					for _, c := range cells {
						// A line break would end the row: a cell's lines are joined with " / ".
						b.WriteString(" " + strings.ReplaceAll(mdEscape(c), "\n", " / ") + " |")
					}
					b.WriteString("\n")
				}
				row(t.Head)
				b.WriteString("|" + strings.Repeat(" --- |", len(t.Head)) + "\n")
				for _, r := range t.Rows {
					row(r)
				}
			case bl.KV != nil:
				for _, x := range bl.KV {
					fmt.Fprintf(&b, "- **%s:** %s\n", mdEscape(x.Key), mdLines(x.Value, true))
				}
			case bl.Chart != nil:
				b.WriteString(mdChart(bl.Chart) + "\n")
			case bl.Heading:
				b.WriteString("### " + mdEscape(bl.Text) + "\n")
			default:
				b.WriteString(mdLines(bl.Text, false) + "\n")
			}
		}
	}
	fmt.Fprintf(&b, "\n---\n\n%s", banner)
	for _, t := range d.Trust[:4] {
		fmt.Fprintf(&b, " · %s: %s", mdEscape(t.Key), mdEscape(t.Value))
	}
	b.WriteString("\n")
	_, err := w.Write(b.Bytes())
	return err
}

// ---- HTML ----

// markdownPolicy is what HTML keeps of Markdown from a case: text
// structure only — no links, images, attributes, styles or scripts, so
// nothing in a report is active or fetches anything.
var markdownPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "del")
	return p
}()

// markdownHTML renders Markdown from a case as sanitized HTML.
func markdownHTML(src string) template.HTML {
	var b bytes.Buffer
	if err := goldmark.Convert([]byte(src), &b); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(markdownPolicy.SanitizeBytes(b.Bytes()))
}

var tlpColors = map[string][2]string{ // text, background (TLP 2.0)
	"clear":        {"#FFFFFF", "#000000"},
	"green":        {"#33FF00", "#000000"},
	"amber":        {"#FFC000", "#000000"},
	"amber+strict": {"#FFC000", "#000000"},
	"red":          {"#FF2B2B", "#000000"},
}

// htmlFuncs are the functions of HTML report templates, built-in and a
// user's (docs/REPORT-TEMPLATES.md).
var htmlFuncs = template.FuncMap{
	"md":    markdownHTML,
	"inc":   func(i int) int { return i + 1 },
	"fg":    func(l string) string { return tlpColors[l][0] },
	"chart": chartHTML,
}

// chartHTML is a chart as an <img> whose source is its PNG as a data: URI
// (the one URL a report holds; the CSP allows img-src data: only), its
// alt text escaped, shown at its printed size (96 CSS pixels per inch).
// Written out rather than through html/template's attribute escaping,
// which would write every "+" of the base64 as "&#43;".
func chartHTML(c *Chart) template.HTML {
	if c == nil {
		return ""
	}
	return template.HTML(`<img src="` + c.DataURI() + `" alt="` + template.HTMLEscapeString(c.Alt) + `" width="` +
		strconv.Itoa(c.Width*96/chartDPI) + `">`)
}

var htmlTemplate = template.Must(template.New("report.html").Funcs(htmlFuncs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>{{.Case}} {{.Title}}</title>
<style>
body{font-family:"Go","DejaVu Sans",Arial,sans-serif;font-size:10.5pt;margin:2em auto;max-width:60em;color:#111;overflow-wrap:anywhere}
.marking{background:#000;color:{{fg .TLP}};font-weight:bold;padding:.2em .6em;display:inline-block}
.exercise{background:#b00;color:#fff;font-weight:bold;padding:.2em .6em;display:inline-block;margin-left:.5em}
header,footer{border-bottom:1px solid #999;padding:.3em 0;margin-bottom:1em}
footer{border-top:1px solid #999;border-bottom:0;margin-top:2em;font-size:9pt}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #bbb;padding:.2em .4em;text-align:left;vertical-align:top;white-space:pre-wrap}
th{background:#eee}
dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}
dt{font-weight:bold}
dd{margin:0;white-space:pre-wrap}
p.text{white-space:pre-wrap}
figure{margin:.8em 0}
figure img{max-width:100%;height:auto}
@media print{header{position:running(header)}}
</style>
</head>
<body>
<header><span class="marking">{{.Marking}}</span>{{if .Exercise}}<span class="exercise">EXERCISE</span>{{end}} Case {{.Case}}</header>
<h1>{{.Title}}</h1>
<dl>{{range .Trust}}<dt>{{.Key}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
<h2>Contents</h2>
<ol>{{range $i, $s := .Sections}}<li><a href="#s{{inc $i}}">{{$s.Title}}</a></li>{{end}}</ol>
{{range $i, $s := .Sections}}<section id="s{{inc $i}}">
<h2>{{inc $i}}. {{$s.Title}}</h2>
{{range $s.Blocks}}{{if .Table}}<table><thead><tr>{{range .Table.Head}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Table.Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody></table>
{{else if .Chart}}<figure>{{chart .Chart}}<figcaption>{{.Chart.Title}}</figcaption></figure>
{{else if .Heading}}<h3>{{.Text}}</h3>
{{else if .KV}}<dl>{{range .KV}}<dt>{{.Key}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
{{else if .Markdown}}<div class="markdown">{{md .Text}}</div>
{{else}}<p class="text">{{.Text}}</p>
{{end}}{{end}}</section>
{{end}}<footer><span class="marking">{{.Marking}}</span>{{if .Exercise}}<span class="exercise">EXERCISE</span>{{end}}{{range slice .Trust 0 4}} · {{.Key}}: {{.Value}}{{end}}</footer>
</body>
</html>
`))

func renderHTML(w io.Writer, d *Document) error {
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, d); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// FileName is the default file name of a report: case number, kind, head
// entry, EXERCISE for an exercise case, and the format's extension.
func FileName(d *Document, asOf int64, format string) string {
	number := d.Case
	if strings.TrimSpace(number) == "" {
		number = "case"
	}
	name := number + "-" + d.Kind + "-" + seqText(asOf)
	if d.Exercise {
		name += "-EXERCISE"
	}
	name = strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, name)
	name = strings.TrimLeft(name, "-.")
	ext := format
	if !slices.Contains(Formats, format) {
		ext = "out"
	}
	return name + "." + ext
}
