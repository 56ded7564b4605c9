package app

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/reports"
)

// openReports opens the case at path with passphrase pass at the Reports
// area, its preview and list read.
func openReports(t *testing.T, dir, path, pass string) (*UI, *reportsView) {
	t.Helper()
	u := newTestUI(t, dir)
	u.OpenWithPassphrase(path, []byte(pass))
	waitJobs(t, u)
	if u.Screen() != ScreenCase {
		t.Fatalf("case did not open: %v", u.LastError())
	}
	v := viewOf[*reportsView](t, u, "Reports")
	waitJobs(t, u)
	return u, v
}

// held runs f, which starts jobs, holding them until f has returned, then
// waits for them. The test driver applies a job's result on the job's
// goroutine, which would otherwise race with f's own redraws.
func held(t *testing.T, u *UI, f func()) {
	t.Helper()
	gate := make(chan struct{})
	u.jobGate = gate
	f()
	u.jobGate = nil
	close(gate)
	waitJobs(t, u)
}

// choose picks label in one of the area's choosers and waits for the
// preview.
func choose(t *testing.T, u *UI, s *widget.Select, label string) {
	t.Helper()
	held(t, u, func() { s.SetSelected(label) })
}

func sumOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// wantRendered renders the report o chooses from u's case as Save would
// and returns its SHA-256.
func wantRendered(t *testing.T, u *UI, o reports.Options) string {
	t.Helper()
	o.Tool = reportTool()
	data, _, _, err := reports.RenderReport(u.Case(), o)
	if err != nil {
		t.Fatal(err)
	}
	return sumOf(data)
}

// previewRichText is the rendered Markdown in the preview, or nil.
func previewRichText(v *reportsView) *widget.RichText {
	for _, o := range v.preview.Objects {
		if rt, ok := o.(*widget.RichText); ok {
			return rt
		}
	}
	return nil
}

// previewImages counts the page images in the preview.
func previewImages(v *reportsView) int {
	n := 0
	for _, o := range test.LaidOutObjects(v.preview) {
		if _, ok := o.(*canvas.Image); ok {
			n++
		}
	}
	return n
}

// TestReportsPreviewIsWhatSaveWrites chooses every kind and format and
// marking in the area: the preview's SHA-256 and size are RenderReport's for
// the same choices; Markdown and HTML show the report rendered; a PDF shows
// its pages as images when pdftoppm is installed, and without it the
// rendered Markdown under a line that says page images need poppler-utils.
// A bad "as of" is said in the preview.
func TestReportsPreviewIsWhatSaveWrites(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, v := openReports(t, dir, path, "pass")
	if v.save.Disabled() {
		t.Fatalf("Save… is disabled for the case's creator: %s", v.save.whyNot())
	}
	if got := v.kind.Selected + " " + v.format.Selected + " " + v.tlp.Selected; got != "Intelligence report PDF TLP:AMBER" {
		t.Errorf("the choosers start at %q", got)
	}
	_, havePoppler := pdftoppmCommand()
	for _, k := range reportKindChoices {
		for _, f := range reportFormatChoices {
			choose(t, u, v.kind, k.label)
			choose(t, u, v.format, f.label)
			want := wantRendered(t, u, reports.Options{Kind: k.value, Format: f.value})
			p := v.current
			if p == nil || p.err != nil || p.sum != want {
				t.Fatalf("%s %s: preview %+v, want SHA-256 %s", k.label, f.label, p, want)
			}
			if !strings.HasPrefix(v.sum.Text, "Preview: SHA-256 "+want+" · ") || !strings.HasSuffix(v.sum.Text, fmt.Sprintf(" · as of entry %d", u.cv.oc.custody.headSeq)) {
				t.Errorf("%s %s: the preview line says %q", k.label, f.label, v.sum.Text)
			}
			if f.value == reports.FormatPDF && havePoppler == nil {
				if n := previewImages(v); n == 0 || n > previewPages || previewRichText(v) != nil {
					t.Errorf("%s PDF: %d page images", k.label, n)
				}
				continue
			}
			rt := previewRichText(v)
			if rt == nil || !strings.Contains(rt.String(), "IR-2026-0007") {
				t.Errorf("%s %s: the preview does not show the rendered report", k.label, f.label)
			}
		}
	}
	// Each marking changes the bytes, and the preview follows.
	choose(t, u, v.kind, "Executive brief")
	choose(t, u, v.format, "Markdown")
	for _, l := range reportTLPChoices {
		choose(t, u, v.tlp, l.label)
		if want := wantRendered(t, u, reports.Options{Kind: reports.KindBrief, Format: reports.FormatMarkdown, TLP: l.value}); v.current.sum != want {
			t.Errorf("%s: preview %s, want %s", l.label, v.current.sum, want)
		}
		if rt := previewRichText(v); rt == nil || !strings.Contains(rt.String(), l.label) {
			t.Errorf("%s: the rendered brief does not carry the marking", l.label)
		}
	}

	// As of an earlier entry: the report as the case stood then.
	held(t, u, func() { v.asOf.SetText("1") })
	if want := wantRendered(t, u, reports.Options{Kind: reports.KindBrief, Format: reports.FormatMarkdown, TLP: "red", AsOf: 1}); v.current.sum != want ||
		!strings.HasSuffix(v.sum.Text, " · as of entry 1") {
		t.Errorf("as of 1: %q, want %s", v.sum.Text, want)
	}
	head := u.cv.oc.custody.headSeq
	held(t, u, func() { v.asOf.SetText("99") })
	want := fmt.Sprintf(`As of "99": give a ledger entry number from 1 to %d, or leave it empty for the latest entry.`, head)
	if v.current.err == nil || v.sum.Text != "Preview: none." || !strings.HasPrefix(v.note.Text, want) {
		t.Errorf("as of 99: %q / %q; want %q", v.sum.Text, v.note.Text, want)
	}
	held(t, u, func() { v.asOf.SetText("") })

	// Without pdftoppm a PDF's preview is its Markdown, with the reason.
	pdftoppmCommand = func() (string, error) { return "", errors.New("not installed") }
	defer func() { pdftoppmCommand = execLookPdftoppm }()
	choose(t, u, v.format, "PDF")
	if want := wantRendered(t, u, reports.Options{Kind: reports.KindBrief, Format: reports.FormatPDF, TLP: "red"}); v.current.sum != want {
		t.Errorf("PDF without pdftoppm: preview %s, want %s", v.current.sum, want)
	}
	if v.note.Text != popplerNote || !v.note.Visible() || previewRichText(v) == nil || previewImages(v) != 0 {
		t.Errorf("PDF without pdftoppm: note %q, rich text %v", v.note.Text, previewRichText(v) != nil)
	}
	if !strings.HasPrefix(popplerNote, "Page images need poppler-utils (pdftoppm), which is not installed") {
		t.Errorf("the note %q does not say what to install", popplerNote)
	}
}

// TestPDFPagesThroughPipes draws a three-page PDF with pdftoppm: the pages
// come back through its standard output, two shown and "more" said.
func TestPDFPagesThroughPipes(t *testing.T) {
	bin, err := execLookPdftoppm()
	if err != nil {
		t.Skip("pdftoppm (poppler-utils) is not installed")
	}
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data, _, _, err := reports.RenderReport(c, reports.Options{Kind: reports.KindCustody, Format: reports.FormatPDF, Tool: reportTool()})
	if err != nil {
		t.Fatal(err)
	}
	all, more, err := pdfPages(bin, data, 50)
	if err != nil || more || len(all) == 0 {
		t.Fatalf("all pages: %d, more %v, %v", len(all), more, err)
	}
	if b := all[0].Bounds(); b.Dx() != 794 || b.Dy() != 1123 {
		t.Errorf("page 1 is %dx%d pixels; an A4 page at 96 dpi is 794x1123", b.Dx(), b.Dy())
	}
	if len(all) > 1 {
		some, more, err := pdfPages(bin, data, len(all)-1)
		if err != nil || !more || len(some) != len(all)-1 {
			t.Errorf("first %d of %d pages: %d, more %v, %v", len(all)-1, len(all), len(some), more, err)
		}
	}
	if _, _, err := pdfPages(bin, []byte("not a PDF"), 3); err == nil || !strings.HasPrefix(err.Error(), "pdftoppm: ") {
		t.Errorf("not a PDF: %v", err)
	}
}

// TestReportsSaveAndVerify saves the previewed report with the keyboard:
// the file's SHA-256 is the preview's, the ledger gains exactly one
// report.generated entry, the confirmation shows path, SHA-256 and entry,
// and the list shows the report. Escape closes the dialogs without doing
// anything. Verify says the saved file was generated from this case at
// that entry; a copy with one byte flipped was not.
func TestReportsSaveAndVerify(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, v := openReports(t, dir, path, "pass")
	choose(t, u, v.format, "HTML")
	choose(t, u, v.tlp, "TLP:GREEN")
	preview := v.current.sum
	before := len(u.cv.oc.custody.entries)
	head := u.cv.oc.custody.headSeq
	if len(v.src.items) != 0 || !v.none.Visible() {
		t.Fatal("a new case lists reports")
	}

	// Escape closes the form and saves nothing.
	test.Tap(v.save)
	f := v.saving
	if f == nil {
		t.Fatal("Save… opened no form")
	}
	wantName := fmt.Sprintf("IR-2026-0007-intelligence-%d.html", head)
	if f.name.Text != wantName || f.folder.Text != dir {
		t.Errorf("the form proposes %q in %q; want %q in %q", f.name.Text, f.folder.Text, wantName, dir)
	}
	if u.win.Canvas().Focused() != fyne.Focusable(f.name) {
		t.Error("the form does not start with the keyboard on the file name")
	}
	press(t, u, fyne.KeyEscape)
	waitJobs(t, u)
	if v.saving != nil || len(u.cv.oc.custody.entries) != before || fileExistsApp(filepath.Join(dir, wantName)) {
		t.Fatal("Escape did not close the form without saving")
	}

	// An existing file is refused in the form.
	taken := filepath.Join(dir, "taken.html")
	os.WriteFile(taken, []byte("x"), 0o600)
	test.Tap(v.save)
	f = v.saving
	f.name.SetText("taken.html")
	press(t, u, fyne.KeyReturn)
	if v.saving != f || !strings.HasPrefix(f.form.problemText("File name"), "A file named taken.html already exists in this folder") {
		t.Fatalf("an existing file: problem %q", f.form.problemText("File name"))
	}
	f.name.SetText(wantName)
	u.win.Canvas().Focus(f.reason)
	test.Type(f.reason, "for the customer")
	press(t, u, fyne.KeyReturn)
	waitJobs(t, u)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	g := v.lastSaved
	if g == nil || v.saving != nil || u.notice == nil || u.notice.title != "Report saved" {
		t.Fatalf("no confirmation: %v", u.notice)
	}
	saved := filepath.Join(dir, wantName)
	data, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	if sumOf(data) != preview || g.SHA256 != preview {
		t.Errorf("saved SHA-256 %s (recorded %s); the preview said %s", sumOf(data), g.SHA256, preview)
	}
	entries := u.cv.oc.custody.entries
	var generated []casefile.CustodyEntry
	for _, e := range entries {
		if e.Action == reports.ActionReportGenerated {
			generated = append(generated, e)
		}
	}
	if len(entries) != before+1 || len(generated) != 1 {
		t.Fatalf("the ledger gained %d entries, %d report.generated", len(entries)-before, len(generated))
	}
	e := generated[0]
	if e.Hashes["sha256"] != preview || e.Details["kind"] != "intelligence" || e.Details["format"] != "html" ||
		e.Details["tlp"] != "green" || e.Reason != "for the customer" || e.Seq != head+1 {
		t.Errorf("entry %+v", e)
	}
	texts := canvasTexts(u.win.Canvas())
	for _, want := range []string{saved, preview, fmt.Sprintf("%d report.generated by Sam Okafor", e.Seq)} {
		if !strings.Contains(texts, want) {
			t.Errorf("the confirmation does not show %q", want)
		}
	}
	press(t, u, fyne.KeyReturn) // Enter closes the confirmation
	if u.notice != nil {
		t.Fatal("Enter did not close the confirmation")
	}
	rows := tableRows(v.table)
	if len(rows) != 1 || v.none.Visible() {
		t.Fatalf("the list: %q", rows)
	}
	wantRow := fmt.Sprintf("%d|%s|Intelligence report|HTML|TLP:GREEN|%s|%d|%s|%s", e.Seq, e.Time.UTC().Format(timeLayout),
		shortHash(preview), head, entryActor(e), wantName)
	if rows[0] != wantRow {
		t.Errorf("the list's row:\n%s\nwant\n%s", rows[0], wantRow)
	}
	u.win.Resize(fyne.NewSize(800, 600))
	if min := u.win.Content().MinSize(); min.Width > 800 || min.Height > 600 {
		t.Errorf("with a report listed the area needs %v, more than 800×600", min)
	}
	if got := v.table.row(0).cells[5].whole(); got != preview {
		t.Errorf("the SHA-256 cell's whole value is %q", got)
	}
	// The head moved: the latest report is another, and the preview follows.
	if v.current.asOf != head+1 {
		t.Errorf("the preview is as of entry %d after the save; want %d", v.current.asOf, head+1)
	}

	// Verify: Escape closes; Enter verifies.
	test.Tap(v.verify)
	if v.verifying == nil {
		t.Fatal("Verify a report file… opened no form")
	}
	press(t, u, fyne.KeyEscape)
	if v.verifying != nil || v.lastVerify != nil {
		t.Fatal("Escape did not close the verify form")
	}
	test.Tap(v.verify)
	test.Type(v.verifying.file, saved)
	press(t, u, fyne.KeyReturn)
	waitJobs(t, u)
	if vd := v.lastVerify; vd == nil || !vd.generated || u.notice == nil || u.notice.title != "Report verified" {
		t.Fatalf("verify the saved file: %+v, %v", v.lastVerify, u.LastError())
	}
	wantMsg := fmt.Sprintf("%s was generated from this case at entry %d by Sam Okafor (%s) on %s: the intelligence report (HTML, TLP:GREEN) as of entry %d, head ",
		saved, e.Seq, e.Role.Title(), e.Time.UTC().Format(timeLayout), head)
	if !strings.HasPrefix(u.notice.message, wantMsg) {
		t.Errorf("verdict %q\nwant %q…", u.notice.message, wantMsg)
	}
	press(t, u, fyne.KeyEscape)

	// One flipped byte: not generated from this case.
	data[len(data)/2] ^= 1
	flipped := filepath.Join(dir, "flipped.html")
	os.WriteFile(flipped, data, 0o600)
	test.Tap(v.verify)
	v.verifying.file.SetText(flipped)
	press(t, u, fyne.KeyReturn)
	waitJobs(t, u)
	if vd := v.lastVerify; vd == nil || vd.generated || vd.sum != sumOf(data) || u.notice == nil || u.notice.title != "Not generated from this case" {
		t.Fatalf("verify a changed file: %+v", v.lastVerify)
	}
	if want := flipped + " is not a report generated from this case"; !strings.HasPrefix(u.notice.message, want) ||
		!strings.Contains(u.notice.message, "a single changed byte is enough") || !strings.Contains(u.notice.message, "restored from a backup") {
		t.Errorf("verdict %q", u.notice.message)
	}
	if len(u.cv.oc.custody.entries) != before+1 {
		t.Error("verifying recorded something")
	}
	press(t, u, fyne.KeyReturn)

	// A file that is not there is named in the form.
	test.Tap(v.verify)
	v.verifying.file.SetText(filepath.Join(dir, "missing.pdf"))
	press(t, u, fyne.KeyReturn)
	if v.verifying == nil || !strings.HasPrefix(v.verifying.form.problemText("Report file"), "No file ") {
		t.Errorf("a missing file: %v", v.verifying)
	}
}

// TestReportsExerciseFileName: an exercise case's default file name says
// EXERCISE.
func TestReportsExerciseFileName(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := incident.Of(c).SetExercise(incident.ExerciseTabletop, "tabletop drill"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	u, v := openReports(t, dir, path, "pass")
	choose(t, u, v.kind, "Post-mortem report")
	choose(t, u, v.format, "Markdown")
	test.Tap(v.save)
	want := fmt.Sprintf("IR-2026-0007-postmortem-%d-EXERCISE.md", u.cv.oc.custody.headSeq)
	if v.saving == nil || v.saving.name.Text != want {
		t.Fatalf("default name %q; want %q", v.saving.name.Text, want)
	}
	press(t, u, fyne.KeyEscape)
}

// TestReportsSaveNeedsThePermission opens a case as a service team expert,
// whose role may not generate reports: Save… is disabled and says which
// roles may, and the preview says so instead of rendering.
func TestReportsSaveNeedsThePermission(t *testing.T) {
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	c, err := casefile.Open(path, []byte("pass"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddExaminer(casefile.NewExaminer{Name: "Dana Reyes", Roles: []casefile.Role{casefile.RoleServiceTeamExpert}},
		[]byte("dana's passphrase"), "service team"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	_, v := openReports(t, dir, path, "dana's passphrase")
	p := casefile.PermGenerateReports
	want := "only " + casefile.WhoMay(p) + " may " + p.What() + "; you hold Service Team Expert (a security incident manager assigns roles in Examiners)."
	if !v.save.Disabled() || v.save.reason != want {
		t.Errorf("Save…: disabled %v, %q; want %q", v.save.Disabled(), v.save.reason, want)
	}
	test.Tap(v.save)
	if v.saving != nil {
		t.Error("a tap on the disabled Save… opened the form")
	}
	if v.current == nil || v.current.err == nil || v.sum.Text != "Preview: none." || v.note.Text != "No report can be rendered: "+want {
		t.Errorf("the preview says %q / %q", v.sum.Text, v.note.Text)
	}
	if v.verify.Disabled() {
		t.Error("Verify a report file… is disabled; anyone may check a file")
	}
}

// TestReportsAreaCapture draws the Reports area (a PDF preview) into a
// PNG in CUSTODIA_SCREENSHOT_DIR, to look at.
func TestReportsAreaCapture(t *testing.T) {
	out := os.Getenv("CUSTODIA_SCREENSHOT_DIR")
	if out == "" {
		t.Skip("set CUSTODIA_SCREENSHOT_DIR to keep a picture of the Reports area")
	}
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, v := openReports(t, dir, path, "pass")
	capture := func(name string) {
		fh, err := os.Create(filepath.Join(out, "reports-"+name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(fh, u.win.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	for _, f := range []string{"PDF", "Markdown"} {
		choose(t, u, v.format, f)
		capture(strings.ToLower(f))
	}
	test.Tap(v.save)
	capture("save-form")
	press(t, u, fyne.KeyReturn)
	waitJobs(t, u)
	capture("saved")
	press(t, u, fyne.KeyReturn)
	test.Tap(v.verify)
	v.verifying.file.SetText(v.lastSaved.Path)
	press(t, u, fyne.KeyReturn)
	waitJobs(t, u)
	capture("verified")
	press(t, u, fyne.KeyReturn)
	capture("list")
}
