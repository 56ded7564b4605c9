// Package reports produces Custodia's outputs from a case: intelligence,
// post-mortem and chain-of-custody reports, customer and regulator notification
// drafts, and sealed evidence exports.
//
// Built so far: custody-ledger exports (custody.go, custody_case.go), and
// reports (model.go, kinds.go, render.go, pdf.go, generate.go): intelligence,
// post-mortem, custody and executive-brief reports in PDF, HTML and Markdown,
// recorded in the ledger as report.generated; charts (chart.go: PNGs drawn
// with gonum/plot) and user templates (template.go, docs/REPORT-TEMPLATES.md).
//   - WriteCustodyJSONL writes one JSON object per ledger entry, one per line,
//     for log tools and scripts.
//   - WriteCustodyCASE writes one CASE/UCO JSON-LD document (CASE 1.3, UCO
//     1.3: investigative actions, provenance records, the examiners as
//     persons and Custodia as the tool) for other forensic tools.
//
// Both take a CustodyExport: the case, its examiners, the entries and the
// ledger head read together, the exporting Tool and an injected generation
// time, so the same ledger always gives the same bytes. All text from a case
// is treated as hostile and only ever encoded by encoding/json.
//
// Like casefile and evidence, it imports no Fyne package and builds with
// CGO_ENABLED=0.
package reports
