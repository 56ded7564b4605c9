package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	texttemplate "text/template"

	"github.com/custodia-dfir/custodia/casefile"
)

// User templates (docs/REPORT-TEMPLATES.md): a directory whose *.html files
// (html/template) or *.md files (text/template) replace the built-in
// layout of that format. The file executed is KIND.EXT when there is one
// (intelligence.html), else report.EXT; the other files of the format are
// parsed with it, for {{template "name"}}. PDF keeps its built-in layout.
//
// A template sees the report data (ReportData): the document the kind
// built and the model it was built from, as the JSON tree that
// 'custodiactl report data --json' prints, key for key. Every string in it
// is shown visibly (control and bidi characters as <U+XXXX>, each field cut
// at MaxField runes); html/template escapes it where it lands, and for
// Markdown every string is Markdown-escaped before the template sees it. A
// field the data does not have is an error naming the template file, line
// and field.

// ErrTemplate means a user template could not be read or failed.
var ErrTemplate = casefile.NewKind("reports", "the report template failed",
	"fix the template at the file and line named; 'custodiactl report data CASE --json' prints every field a template can use (docs/REPORT-TEMPLATES.md)")

// userTemplate is a parsed template directory.
type userTemplate struct {
	dir, main string // main: the file executed
	sha256    string // of the manifest of the files parsed
	html      *htmltemplate.Template
	text      *texttemplate.Template
}

// TemplateDigest is the SHA-256 a report made from template directory dir
// in format records: the SHA-256 of the lines "SHA256  NAME\n" of the
// directory's *.FORMAT files in byte order of their names — what
// `sha256sum *.md | sha256sum` prints in that directory (LC_ALL=C).
func TemplateDigest(dir, format string) (string, []string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*."+format))
	if err != nil {
		return "", nil, err
	}
	slices.Sort(names)
	var manifest bytes.Buffer
	var files []string
	for _, n := range names {
		if fi, err := os.Stat(n); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			return "", nil, err
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(sum[:]), filepath.Base(n))
		files = append(files, n)
	}
	sum := sha256.Sum256(manifest.Bytes())
	return hex.EncodeToString(sum[:]), files, nil
}

// loadTemplate parses the templates of dir for kind and format.
func loadTemplate(dir, kind, format string) (*userTemplate, error) {
	if format == FormatPDF {
		return nil, ErrTemplate.Errorf("templates are for html and md reports; the PDF layout is built in (leave --template out, or choose --format html or md)")
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return nil, ErrTemplate.Errorf("%s is not a folder of templates", dir)
	}
	sum, files, err := TemplateDigest(dir, format)
	if err != nil {
		return nil, ErrTemplate.Errorf("read %s: %w", dir, err)
	}
	t := &userTemplate{dir: dir, sha256: sum}
	for _, n := range []string{kind + "." + format, "report." + format} {
		if slices.Contains(files, filepath.Join(dir, n)) {
			t.main = n
			break
		}
	}
	if t.main == "" {
		return nil, ErrTemplate.Errorf("%s has no %s.%s or report.%s for a %s %s report", dir, kind, format, format, kind, format)
	}
	if format == FormatHTML {
		t.html = htmltemplate.New(t.main).Option("missingkey=error").Funcs(htmlFuncs).Funcs(htmltemplate.FuncMap{"chart": func(string) htmltemplate.HTML { return "" }})
		_, err = t.html.ParseFiles(files...)
	} else {
		t.text = texttemplate.New(t.main).Option("missingkey=error").Funcs(texttemplate.FuncMap{
			"inc": func(i int) int { return i + 1 }, "chart": func(string) string { return "" }})
		_, err = t.text.ParseFiles(files...)
	}
	if err != nil {
		return nil, t.wrap(err)
	}
	return t, nil
}

// wrap says a template error with the folder the file is in:
// "template DIR/report.md:5:12: executing … at <.Model.Nope>: map has no
// entry for key "Nope"".
func (t *userTemplate) wrap(err error) error {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "template: "); ok {
		msg = "template " + filepath.Join(t.dir, rest)
	}
	return ErrTemplate.Errorf("%s", msg)
}

// execute renders d and m through t.
func (t *userTemplate) execute(w io.Writer, d *Document, m *Model, format string) error {
	data, err := reportData(d, m, format)
	if err != nil {
		return err
	}
	// Every chart the model has, whatever the kind: a brief's template may
	// show the stage timeline.
	charts := map[string]*Chart{}
	for _, s := range d.Sections {
		for _, b := range s.Blocks {
			if b.Chart != nil {
				charts[b.Chart.Name] = b.Chart
			}
		}
	}
	for _, mk := range []func(*Model) (*Chart, error){eventsChart, findingsChart, stagesChart} {
		c, err := mk(m)
		if err != nil {
			return err
		}
		if c != nil && charts[c.Name] == nil {
			charts[c.Name] = c
		}
	}
	var b bytes.Buffer
	if t.html != nil {
		t.html.Funcs(htmltemplate.FuncMap{"chart": func(name string) htmltemplate.HTML { return chartHTML(charts[name]) }})
		err = t.html.ExecuteTemplate(&b, t.main, data)
	} else {
		t.text.Funcs(texttemplate.FuncMap{"chart": func(name string) string {
			if c := charts[name]; c != nil {
				return mdChart(c)
			}
			return ""
		}})
		err = t.text.ExecuteTemplate(&b, t.main, data)
	}
	if err != nil {
		return t.wrap(err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// ReportData is what a template sees: the format, the document built for
// the kind, and the model.
type ReportData struct {
	Format   string
	Document *Document
	Model    *Model
}

// reportData is d and m as the JSON tree a template sees: every string of
// the model shown visibly (the document's are already), and for Markdown
// every string Markdown-escaped.
func reportData(d *Document, m *Model, format string) (any, error) {
	raw, err := json.Marshal(ReportData{Format: format, Document: d, Model: m})
	if err != nil {
		return nil, fmt.Errorf("report data: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree map[string]any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("report data: %w", err)
	}
	model, _ := tree["Model"].(map[string]any)
	// An entry's hashes are byte arrays in Go: hex, as reports print them.
	entries, _ := model["Entries"].([]any)
	for _, e := range append(entries, model["LastVerification"]) {
		if e, ok := e.(map[string]any); ok {
			for _, k := range []string{"Hash", "PrevHash"} {
				if xs, ok := e[k].([]any); ok {
					b := make([]byte, len(xs))
					for i, x := range xs {
						n, _ := x.(json.Number).Int64()
						b[i] = byte(n)
					}
					e[k] = hex.EncodeToString(b)
				}
			}
		}
	}
	tree["Model"] = walkStrings(model, func(s string) string { return visible(s, true) })
	if format == FormatMarkdown {
		return walkStrings(tree, func(s string) string { return mdLines(s, false) }), nil
	}
	return tree, nil
}

// walkStrings applies f to every string value of a JSON tree.
func walkStrings(x any, f func(string) string) any {
	switch v := x.(type) {
	case string:
		return f(v)
	case map[string]any:
		for k, e := range v {
			v[k] = walkStrings(e, f)
		}
	case []any:
		for i, e := range v {
			v[i] = walkStrings(e, f)
		}
	}
	return x
}

// ReportDataJSON reads the model of c as o chooses (kind and as-of; the
// format says how strings are escaped, html when empty), builds the
// document, and returns the data a template sees as indented JSON. It
// records nothing.
func ReportDataJSON(c *casefile.Case, o Options) ([]byte, error) {
	if o.Format == "" {
		o.Format = FormatHTML
	}
	if err := o.check(); err != nil {
		return nil, fmt.Errorf("report data: %w", err)
	}
	m, err := ReadModel(c, o.AsOf, o.Tool)
	if err != nil {
		return nil, err
	}
	d, err := Build(m, o.Kind, o.TLP)
	if err != nil {
		return nil, fmt.Errorf("report data: %w", err)
	}
	data, err := reportData(d, m, o.Format)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(data); err != nil {
		return nil, fmt.Errorf("report data: %w", err)
	}
	return b.Bytes(), nil
}
