package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
)

// ActionReportGenerated records a generated report: the file's SHA-256,
// kind, format, TLP marking, the head entry the report is as of and its
// hash.
const ActionReportGenerated casefile.Action = "report.generated"

var _ = casefile.RegisterAction(ActionReportGenerated, casefile.PermGenerateReports)

// Options choose a report.
type Options struct {
	Kind   string // intelligence, postmortem, custody, brief
	Format string // pdf, html, md
	TLP    string // a TLP 2.0 level; empty means amber
	AsOf   int64  // ledger entry; 0 for the head
	Tool   Tool
	// Template is a folder of user templates replacing the built-in
	// layout of html or md (docs/REPORT-TEMPLATES.md); empty for the
	// built-in one. Not for pdf.
	Template string
}

func (o *Options) check() error {
	if o.TLP == "" {
		o.TLP = "amber"
	}
	o.TLP = strings.ToLower(o.TLP)
	if !slices.Contains(Kinds, o.Kind) {
		return casefile.Invalidf("unknown report kind %q: use %s", o.Kind, strings.Join(Kinds, ", "))
	}
	if !slices.Contains(Formats, o.Format) {
		return casefile.Invalidf("unknown report format %q: use pdf, html or md", o.Format)
	}
	if !slices.Contains(TLPLevels, o.TLP) {
		return casefile.Invalidf(errTLP, o.TLP)
	}
	return nil
}

// RenderReport renders the report o chooses from c into memory, without
// recording anything: the bytes Generate writes. It returns the bytes and
// the document (for its default file name).
func RenderReport(c *casefile.Case, o Options) ([]byte, *Document, *Model, error) {
	b, d, m, _, err := renderReport(c, o)
	return b, d, m, err
}

// renderReport is RenderReport; it also returns the TemplateDigest of the
// user templates it parsed (empty without o.Template).
func renderReport(c *casefile.Case, o Options) ([]byte, *Document, *Model, string, error) {
	if err := o.check(); err != nil {
		return nil, nil, nil, "", fmt.Errorf("render report: %w", err)
	}
	var t *userTemplate
	if o.Template != "" { // a broken template fails before the case is read
		var err error
		if t, err = loadTemplate(o.Template, o.Kind, o.Format); err != nil {
			return nil, nil, nil, "", fmt.Errorf("render %s report: %w", o.Format, err)
		}
	}
	m, err := ReadModel(c, o.AsOf, o.Tool)
	if err != nil {
		return nil, nil, nil, "", err
	}
	d, err := Build(m, o.Kind, o.TLP)
	if err != nil {
		return nil, nil, nil, "", fmt.Errorf("render report: %w", err)
	}
	var b bytes.Buffer
	if t != nil {
		if err := t.execute(&b, d, m, o.Format); err != nil {
			return nil, nil, nil, "", fmt.Errorf("render %s report: %w", o.Format, err)
		}
		return b.Bytes(), d, m, t.sha256, nil
	}
	if err := Render(&b, d, o.Format); err != nil {
		return nil, nil, nil, "", fmt.Errorf("render %s report: %w", o.Format, err)
	}
	return b.Bytes(), d, m, "", nil
}

// Generated is a report Generate wrote and recorded.
type Generated struct {
	Path    string
	SHA256  string
	Kind    string
	Format  string
	TLP     string
	HeadSeq int64  // the entry the report is as of
	Head    string // its hash
	Entry   casefile.CustodyEntry
	// Template and TemplateDir: the TemplateDigest of the user templates
	// the report was rendered from and their folder; empty for the
	// built-in layout.
	Template, TemplateDir string
}

// Generate renders the report o chooses and writes it to path, a new file
// (never replacing one: casefile.ErrExists), and records it as
// report.generated with the file's SHA-256. If it cannot be recorded the
// file is removed again.
func Generate(c *casefile.Case, o Options, path, reason string) (Generated, error) {
	const doing = "generate report"
	if err := casefile.CheckReason(reason); err != nil {
		return Generated{}, fmt.Errorf("%s: %w", doing, err)
	}
	data, _, m, digest, err := renderReport(c, o)
	if err != nil {
		return Generated{}, err
	}
	o.check()
	g := Generated{Kind: o.Kind, Format: o.Format, TLP: o.TLP, HeadSeq: m.AsOfSeq, Head: m.Head, Template: digest}
	if o.Template != "" {
		g.TemplateDir = o.Template
		if a, err := filepath.Abs(o.Template); err == nil {
			g.TemplateDir = a
		}
	}
	g.Path, g.SHA256, g.Entry, err = exportFile(c, doing, path, func(w io.Writer) error { _, err := w.Write(data); return err },
		func(abs, sum string) casefile.Event {
			hashes := map[string]string{"sha256": sum}
			details := map[string]string{"kind": o.Kind, "format": o.Format, "tlp": o.TLP, "path": abs,
				"head": fmt.Sprintf("%d:%s", m.AsOfSeq, m.Head), "as_of": strconv.FormatInt(m.AsOfSeq, 10)}
			if g.Template != "" {
				hashes["template_sha256"] = g.Template
				details["template"] = g.TemplateDir
			}
			return casefile.Event{Action: ActionReportGenerated,
				Target: casefile.Target{Type: casefile.TargetCase, ID: m.Case.UUID.String()},
				Reason: reason, Hashes: hashes, Details: details}
		})
	if err != nil {
		return Generated{}, err
	}
	return g, nil
}

// GeneratedReport is one report.generated entry of a case.
type GeneratedReport struct {
	Entry   casefile.CustodyEntry
	SHA256  string
	Kind    string
	Format  string
	TLP     string
	HeadSeq int64
	Head    string
	// Template and TemplateDir: see Generated; empty for the built-in
	// layout.
	Template, TemplateDir string
}

// ListReports returns every report generated from c, oldest first, from
// its ledger.
func ListReports(c *casefile.Case) ([]GeneratedReport, error) {
	es, err := c.Entries()
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	var out []GeneratedReport
	for _, e := range es {
		if e.Action != ActionReportGenerated {
			continue
		}
		r := GeneratedReport{Entry: e, SHA256: e.Hashes["sha256"], Kind: e.Details["kind"], Format: e.Details["format"], TLP: e.Details["tlp"]}
		seq, hash, _ := strings.Cut(e.Details["head"], ":")
		r.HeadSeq, _ = strconv.ParseInt(seq, 10, 64)
		r.Head = hash
		r.Template, r.TemplateDir = e.Hashes["template_sha256"], e.Details["template"]
		out = append(out, r)
	}
	return out, nil
}

// ErrNotGenerated means a file is not a report generated from the case:
// changed, from another case, or from a case file rolled back behind it.
var ErrNotGenerated = casefile.NewKind("reports", "the file was not generated from this case",
	"no report.generated entry of this case has this file's SHA-256: the file was changed after it was generated, comes from another case, or this case file is older than the report (restored from a backup behind it)")

// VerifyReport hashes the file at path and finds the report.generated
// entry of c with that SHA-256; none is ErrNotGenerated.
func VerifyReport(c *casefile.Case, path string) (GeneratedReport, string, error) {
	const doing = "verify report"
	fh, err := os.Open(path)
	if err != nil {
		return GeneratedReport{}, "", fmt.Errorf("%s: %w", doing, err)
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return GeneratedReport{}, "", fmt.Errorf("%s: %w", doing, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	rs, err := ListReports(c)
	if err != nil {
		return GeneratedReport{}, sum, fmt.Errorf("%s: %w", doing, err)
	}
	for _, r := range rs {
		if r.SHA256 == sum {
			return r, sum, nil
		}
	}
	return GeneratedReport{}, sum, fmt.Errorf("%s %s: %w", doing, path, ErrNotGenerated.Errorf("SHA-256 %s", sum))
}
