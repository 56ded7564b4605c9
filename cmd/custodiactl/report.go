package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/reports"
)

// The report commands (issue 14): generate a report from a case, verify a
// report file against the case's ledger, list the reports generated.

var reportCommand = &command{
	name:    "report",
	summary: "generate intelligence, post-mortem, custody and executive reports; verify a report file",
	about: `A report is made from the case's facts alone and carries the case UUID, the
custody head (entry number and hash) it is as of, the time of that entry and
Custodia's version. The same case state and options always give the same
bytes. Every report generated is recorded in the custody ledger
(report.generated) with the file's SHA-256, so 'report verify' can say
whether a file is exactly one generated from the case. 'custodiactl report
CASE …' is 'custodiactl report generate CASE …'.`,
	dflt: "generate",
	sub: []*command{
		{
			name:    "generate",
			summary: "write a report of a case to a new file",
			about: `Open CASE and write the report --kind chooses in --format to FILE (-o), a new
file; without -o, a file in the current folder named after the case number,
the kind and the head entry (with EXERCISE for an exercise case). Kinds:
intelligence (the whole case), postmortem (stage history, root cause, lapses,
repair items), custody (every ledger entry and the last verification), brief
(one page for executives). Formats: pdf, html (one self-contained file, no
script, nothing fetched) and md. --tlp marks every page with a TLP 2.0 level:
clear, green, amber (the default), amber+strict or red. --as-of N renders the
case as it stood at ledger entry N (what that covers: docs/user-guide.md).
--template DIR renders an html or md report with the templates in DIR
(KIND.html or report.html, KIND.md or report.md) instead of the built-in
layout; 'report data' prints what they can use (docs/REPORT-TEMPLATES.md).
The ledger entry then also records the templates' SHA-256.`,
			synopsis: "CASE --kind KIND --format FORMAT [-o FILE] [--tlp LEVEL] [--as-of N] [--template DIR]",
			params:   []param{caseParam},
			flags: []flagDef{
				{name: "kind", required: true, line: true, why: "choose intelligence, postmortem, custody or brief", show: "intelligence|postmortem|custody|brief", usage: "the report kind"},
				{name: "format", required: true, line: true, why: "choose pdf, html or md", show: "pdf|html|md", usage: "pdf, html or md"},
				{name: "o", usage: "write the report to `FILE`, a new file"},
				{name: "tlp", line: true, show: "clear|green|amber|amber+strict|red", usage: "the TLP 2.0 marking (default amber)"},
				{name: "as-of", line: true, usage: "render the case as it stood at ledger entry `N`"},
				{name: "template", line: true, usage: "render with the templates in `DIR` (html or md)"},
			},
			opens: true, changes: true,
			records: reports.ActionReportGenerated,
			check:   checkReport,
			do:      runReport,
		},
		{
			name:    "stix",
			summary: "write the case's indicators as a STIX 2.1 bundle",
			about: `Open CASE and write its indicators to FILE (-o), a new file, as a STIX 2.1
bundle: an identity (Custodia), a report naming the case and its custody head,
one indicator per case indicator with its STIX pattern ([ipv4-addr:value =
'…'], [file:hashes.'SHA-256' = '…'], [domain-name:value = '…'], [url:value =
'…'], [email-addr:value = '…']), a relationship from each to the report, and
the TLP marking (STIX 2.1 knows TLP 1.0 only: clear is written as WHITE,
amber+strict as AMBER). Indicators of type other have no pattern and are left
out (their number is printed). Ids are UUIDv5 from the case UUID and each
record's id, so the same case state gives the same bundle. Recorded as
report.generated (kind stix) with the file's SHA-256.`,
			synopsis: "CASE -o FILE [--tlp LEVEL] [--as-of N]",
			params:   []param{caseParam},
			flags: []flagDef{
				{name: "o", required: true, why: "name the new file to write the bundle to", usage: "write the bundle to `FILE`, a new file"},
				{name: "tlp", line: true, show: "clear|green|amber|amber+strict|red", usage: "the TLP marking (default amber)"},
				{name: "as-of", line: true, usage: "the case as it stood at ledger entry `N`"},
			},
			opens: true, changes: true,
			records: reports.ActionReportGenerated,
			check:   checkReportSTIX,
			do:      runReportSTIX,
		},
		{
			name:    "data",
			summary: "print the data a report template sees, as JSON",
			about: `Open CASE, read the report model (--as-of N: as the case stood at ledger entry
N) and build the document of --kind (default intelligence), and print both as
the JSON tree a template in a --template folder sees, key for key:
{"Format", "Document", "Model"}. Strings are shown as reports show them
(control and bidi characters as <U+XXXX>); with --format md they are also
Markdown-escaped, as an md template gets them. Records nothing.
docs/REPORT-TEMPLATES.md describes every field.`,
			synopsis: "CASE [--kind KIND] [--as-of N] [--format html|md] [--json]",
			params:   []param{caseParam},
			flags: []flagDef{
				{name: "kind", line: true, show: "intelligence|postmortem|custody|brief", usage: "the report kind (default intelligence)"},
				{name: "as-of", line: true, usage: "the case as it stood at ledger entry `N`"},
				{name: "format", line: true, show: "html|md", usage: "escape strings for html (the default) or md templates"},
				{name: "json", isBool: true, usage: "print JSON (the only output; accepted for scripts)"},
			},
			opens: true,
			check: checkReportData,
			do:    runReportData,
		},
		{
			name:    "verify",
			summary: "say whether a file is a report generated from the case",
			about: `Open CASE, hash FILE and find the report.generated entry with that SHA-256: it
prints the entry, the head the report is as of and when it was generated. A
file that was changed, that comes from another case, or that is newer than
this case file (a case restored from a backup behind a report already sent)
has no such entry: that is said, and the exit status is 1.`,
			params: []param{caseParam, {name: "FILE", why: "name the report file to verify"}},
			opens:  true,
			do:     runReportVerify,
		},
		{
			name:    "list",
			summary: "list the reports generated from the case",
			about:   `Open CASE and list every report generated from it, from the custody ledger: entry, time, kind, format, marking, the head it is as of and the file's SHA-256.`,
			params:  []param{caseParam},
			opens:   true,
			do:      runReportList,
		},
	},
}

func checkReport(in *call) error {
	if k := in.text("kind"); !slices.Contains(reports.Kinds, k) {
		return in.usagef("--kind %q: use intelligence, postmortem, custody or brief", k)
	}
	if f := in.text("format"); !slices.Contains(reports.Formats, f) {
		return in.usagef("--format %q: use pdf, html or md", f)
	}
	if l := in.text("tlp"); l != "" && !slices.Contains(reports.TLPLevels, strings.ToLower(l)) {
		return in.usagef("--tlp %q: use clear, green, amber, amber+strict or red", l)
	}
	if a := in.text("as-of"); a != "" {
		if n, err := strconv.ParseInt(a, 10, 64); err != nil || n < 1 {
			return in.usagef("--as-of %q: give a ledger entry number, 1 or more", a)
		}
	}
	if dir := in.text("template"); dir != "" && in.text("format") == reports.FormatPDF {
		return in.usagef("--template: the PDF layout is built in; templates are for --format html and md")
	}
	if o := in.text("o"); o != "" && fileExists(o) {
		return existingFile("write report to", o)
	}
	return nil
}

func checkReportData(in *call) error {
	if k := in.text("kind"); k != "" && !slices.Contains(reports.Kinds, k) {
		return in.usagef("--kind %q: use intelligence, postmortem, custody or brief", k)
	}
	if f := in.text("format"); f != "" && f != reports.FormatHTML && f != reports.FormatMarkdown {
		return in.usagef("--format %q: use html or md (templates are for those two)", f)
	}
	if a := in.text("as-of"); a != "" {
		if n, err := strconv.ParseInt(a, 10, 64); err != nil || n < 1 {
			return in.usagef("--as-of %q: give a ledger entry number, 1 or more", a)
		}
	}
	return nil
}

func runReportData(in *call, c *casefile.Case) error {
	o := reports.Options{Kind: in.text("kind"), Format: in.text("format"), Tool: exportTool()}
	if o.Kind == "" {
		o.Kind = reports.KindIntelligence
	}
	if a := in.text("as-of"); a != "" {
		o.AsOf, _ = strconv.ParseInt(a, 10, 64)
	}
	b, err := reports.ReportDataJSON(c, o)
	if err != nil {
		return err
	}
	_, err = in.stdout.Write(b)
	return err
}

func runReport(in *call, c *casefile.Case) error {
	o := reports.Options{Kind: in.text("kind"), Format: in.text("format"), TLP: in.text("tlp"), Tool: exportTool(), Template: in.text("template")}
	if a := in.text("as-of"); a != "" {
		o.AsOf, _ = strconv.ParseInt(a, 10, 64)
	}
	out := in.text("o")
	if out == "" {
		_, d, m, err := reports.RenderReport(c, o)
		if err != nil {
			return err
		}
		out = reports.FileName(d, m.AsOfSeq, o.Format)
	}
	g, err := reports.Generate(c, o, out, in.reason)
	if errors.Is(err, casefile.ErrExists) {
		return existingFile("write report to", out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "report: %s %s to %s (%s)\n", g.Kind, g.Format, out, "TLP:"+strings.ToUpper(g.TLP))
	fmt.Fprintf(in.stdout, "as of: entry %d, head %s\n", g.HeadSeq, g.Head)
	fmt.Fprintf(in.stdout, "sha256: %s\n", g.SHA256)
	if g.Template != "" {
		fmt.Fprintf(in.stdout, "template: %s (sha256 %s)\n", g.TemplateDir, g.Template)
	}
	return nil
}

func runReportVerify(in *call, c *casefile.Case) error {
	r, sum, err := reports.VerifyReport(c, in.args[1])
	if err != nil {
		return err
	}
	w := in.stdout
	fmt.Fprintf(w, "verified: %s was generated from this case\n", in.args[1])
	writeField(w, 11, "SHA-256", sum)
	writeField(w, 11, "Entry", fmt.Sprintf("%d %s by %s (%s)", r.Entry.Seq, r.Entry.Action, r.Entry.Actor, r.Entry.Role.Title()))
	writeField(w, 11, "Generated", r.Entry.Time.UTC().Format("2006-01-02T15:04:05Z"))
	writeField(w, 11, "Report", r.Kind+" "+r.Format+" TLP:"+strings.ToUpper(r.TLP))
	writeField(w, 11, "As of", fmt.Sprintf("entry %d, head %s", r.HeadSeq, r.Head))
	if r.Template != "" {
		writeField(w, 11, "Template", r.TemplateDir+" (sha256 "+r.Template+")")
	}
	return nil
}

func runReportList(in *call, c *casefile.Case) error {
	rs, err := reports.ListReports(c)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		fmt.Fprintln(in.stdout, "no reports generated")
		return nil
	}
	tw := tabwriter.NewWriter(in.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTRY\tGENERATED\tKIND\tFORMAT\tMARKING\tAS OF\tSHA-256")
	for _, r := range rs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\tTLP:%s\t%d\t%s\n", r.Entry.Seq, r.Entry.Time.UTC().Format("2006-01-02T15:04:05Z"),
			r.Kind, r.Format, strings.ToUpper(r.TLP), r.HeadSeq, r.SHA256)
	}
	return tw.Flush()
}

func checkReportSTIX(in *call) error {
	if l := in.text("tlp"); l != "" && !slices.Contains(reports.TLPLevels, strings.ToLower(l)) {
		return in.usagef("--tlp %q: use clear, green, amber, amber+strict or red", l)
	}
	if a := in.text("as-of"); a != "" {
		if n, err := strconv.ParseInt(a, 10, 64); err != nil || n < 1 {
			return in.usagef("--as-of %q: give a ledger entry number, 1 or more", a)
		}
	}
	if fileExists(in.text("o")) {
		return existingFile("write STIX bundle to", in.text("o"))
	}
	return nil
}

func runReportSTIX(in *call, c *casefile.Case) error {
	var asOf int64
	if a := in.text("as-of"); a != "" {
		asOf, _ = strconv.ParseInt(a, 10, 64)
	}
	out := in.text("o")
	g, skipped, err := reports.ExportSTIX(c, asOf, strings.ToLower(in.text("tlp")), exportTool(), out, in.reason)
	if errors.Is(err, casefile.ErrExists) {
		return existingFile("write STIX bundle to", out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "stix: bundle to %s (TLP:%s)\n", out, strings.ToUpper(g.TLP))
	if skipped > 0 {
		fmt.Fprintf(in.stdout, "left out: %d indicators of type other (no STIX pattern)\n", skipped)
	}
	fmt.Fprintf(in.stdout, "as of: entry %d, head %s\n", g.HeadSeq, g.Head)
	fmt.Fprintf(in.stdout, "sha256: %s\n", g.SHA256)
	return nil
}
