package app

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/evidence"
)

// hostileMarkdown is a finding description quoting what an attacker might
// plant: a script, javascript: and file: links (inline, reference and
// autolink), raw HTML with an event handler, remote and local images.
const hostileMarkdown = "# Payload found\n\n" +
	"<script>alert(1)</script>\n\n" +
	"Click [x](javascript:alert(1)) or [passwd](file:///etc/passwd) or [ref][r] or <javascript:alert(2)>.\n\n" +
	"<img src=x onerror=alert(3)>\n\n" +
	"Inline <img src=y onerror=alert(4)> and <a href=\"javascript:alert(5)\">anchor</a> tags.\n\n" +
	"![pixel](https://tracker.example/p.png \"beacon\") ![local](file:///etc/shadow)\n\n" +
	"- item with [a link](https://phish.example/login)\n\n" +
	"`<b>kept verbatim</b>` in code.\n\n" +
	"[r]: javascript:alert(6)\n"

// walkSegments calls f on every segment of segs, nested ones included.
func walkSegments(segs []widget.RichTextSegment, f func(widget.RichTextSegment)) {
	for _, s := range segs {
		f(s)
		switch t := s.(type) {
		case *widget.ListSegment:
			walkSegments(t.Items, f)
		case *widget.ParagraphSegment:
			walkSegments(t.Texts, f)
		}
	}
}

// checkInert fails unless segs hold no hyperlink, no image and no HTML tag
// other than inside code, and show every link's destination as text.
func checkInert(t *testing.T, where string, segs []widget.RichTextSegment) {
	t.Helper()
	var text, code strings.Builder
	walkSegments(segs, func(s widget.RichTextSegment) {
		switch x := s.(type) {
		case *widget.HyperlinkSegment:
			t.Errorf("%s: a hyperlink segment to %v survived", where, x.URL)
		case *widget.ImageSegment:
			t.Errorf("%s: an image segment loading %v survived", where, x.Source)
		case *widget.TextSegment:
			if x.Style == widget.RichTextStyleCodeInline || x.Style == widget.RichTextStyleCodeBlock {
				code.WriteString(x.Text + "\n")
			} else {
				text.WriteString(x.Text + "\n")
			}
		}
	})
	for _, bad := range []string{"<script", "alert(1)</script>", "onerror", "<img", "<a href"} {
		if strings.Contains(text.String(), bad) {
			t.Errorf("%s: HTML %q reached the text:\n%s", where, bad, text.String())
		}
	}
	for _, want := range []string{"<javascript:alert(1)>", "<file:///etc/passwd>", "<https://phish.example/login>",
		"[image not loaded: https://tracker.example/p.png — beacon]", "[image not loaded: file:///etc/shadow]", "<b>kept verbatim</b>"} {
		if !strings.Contains(code.String(), want) {
			t.Errorf("%s: %q is not shown as text; code segments:\n%s", where, want, code.String())
		}
	}
	if !strings.Contains(text.String(), "Payload found") {
		t.Errorf("%s: the heading is lost:\n%s", where, text.String())
	}
}

// checkNoActiveObjects fails if what is drawn under obj contains a
// hyperlink widget or an image.
func checkNoActiveObjects(t *testing.T, where string, obj fyne.CanvasObject) {
	t.Helper()
	for _, o := range test.LaidOutObjects(obj) {
		switch o.(type) {
		case *widget.Hyperlink:
			t.Errorf("%s: a hyperlink widget is drawn", where)
		case *canvas.Image:
			// Icons are images too; an image of a Markdown segment would
			// have a URI source.
			if img := o.(*canvas.Image); img.File != "" || img.Resource == nil && img.Image == nil {
				t.Errorf("%s: an image is drawn (%q)", where, img.File)
			}
		}
	}
}

func TestSafeMarkdown(t *testing.T) {
	checkInert(t, "safeMarkdown", safeMarkdown(hostileMarkdown))
	// Control and bidirectional characters are neutralized in text.
	var all strings.Builder
	walkSegments(safeMarkdown("evil\u202etxt.exe and [a\u200bb](https://x.example)"), func(s widget.RichTextSegment) {
		all.WriteString(s.Textual())
	})
	if strings.ContainsAny(all.String(), "\u202e\u200b") {
		t.Errorf("formatting characters survived: %q", all.String())
	}
}

// openFindingsCase opens a new case with one ingested item of size bytes.
func openFindingsCase(t *testing.T, size int) (*UI, casefile.Evidence) {
	t.Helper()
	dir := t.TempDir()
	path, _ := makeCase(t, dir, "pass")
	u, _ := openCaseUI(t, dir, path)
	u.previewDelay = -1
	u.ingest(writeTestFile(t, dir, "mail.eml", testBytes(size, 9)), evidence.Options{}, true)
	waitJobs(t, u)
	if len(u.cv.oc.evidence.items) != 1 {
		t.Fatalf("ingest failed: %v", u.LastError())
	}
	return u, u.cv.oc.evidence.items[0]
}

func TestFindingHostileMarkdownRendersInert(t *testing.T) {
	u, _ := openFindingsCase(t, 4096)
	if err := u.SelectArea("Findings"); err != nil {
		t.Fatal(err)
	}
	fv := viewOf[*findingsView](t, u, "Findings")
	test.Tap(fv.add)
	e := u.editor
	if e == nil {
		t.Fatal("New finding… opened no editor")
	}
	e.description.SetText(hostileMarkdown)
	checkInert(t, "editor preview", e.preview.Segments)
	checkNoActiveObjects(t, "editor preview", e.preview)
	if !strings.Contains(canvasTexts(u.win.Canvas()), "Links are shown as text and never opened") {
		t.Error("the editor does not say how the preview treats links, images and HTML")
	}

	setField(t, e.form, "Title", "Phishing mail with a scripted attachment")
	saveForm(t, u, e.form)
	d := fv.details
	if fv.Selected() == nil {
		t.Fatal("the saved finding is not shown")
	}
	checkInert(t, "finding details", d.description.Segments)
	checkNoActiveObjects(t, "finding details", d.description)
	if got := fv.Selected().Description; got != hostileMarkdown {
		t.Error("the description was not stored verbatim")
	}
}

func TestFindingLocationOutsideItemShowsCasefileError(t *testing.T) {
	u, ev := openFindingsCase(t, 4096)
	u.showFindingEditor(nil, nil)
	e := u.editor
	if e.locItem.Selected != itemChoice(ev) {
		t.Fatalf("item picker shows %q", e.locItem.Selected)
	}

	// Typed: the form says what casefile would, at once.
	e.locStart.SetText("0")
	e.locEnd.SetText("4097")
	want := userMessage(&incident.LocationError{Location: incident.EvidenceLocation{Evidence: ev.ID, Start: 0, End: 4097},
		Item: ev.Meta.Name, Size: 4096})
	if !e.locProblem.Visible() || e.locProblem.Text != want {
		t.Errorf("location problem = %q (visible %v), want %q", e.locProblem.Text, e.locProblem.Visible(), want)
	}
	test.Tap(e.locAdd)
	if len(e.locations) != 0 {
		t.Fatalf("an out-of-range location was added: %+v", e.locations)
	}
	e.locStart.SetText("0x20")
	e.locEnd.SetText("0x20")
	if !strings.Contains(e.locProblem.Text, "is not a byte range: it needs 0 <= start < end") {
		t.Errorf("an empty range: %q", e.locProblem.Text)
	}
	e.locEnd.SetText("0x1000") // the whole rest of the item, end exclusive
	test.Tap(e.locAdd)
	if len(e.locations) != 1 || e.locations[0] != (incident.EvidenceLocation{Evidence: ev.ID, Start: 0x20, End: 0x1000}) {
		t.Fatalf("locations = %+v", e.locations)
	}

	// Saved: casefile judges the location and the form shows its error.
	bad := incident.EvidenceLocation{Evidence: ev.ID, Start: 4000, End: 5000}
	e.locations = append(e.locations, bad)
	setField(t, e.form, "Title", "Header of the phishing mail")
	test.Tap(e.form.save)
	waitJobs(t, u)
	var le *incident.LocationError
	if !errors.As(u.LastError(), &le) || le.Location != bad {
		t.Fatalf("last error = %v, want casefile's LocationError", u.LastError())
	}
	if u.record != e.form || !strings.Contains(e.form.problem.Text, userMessage(le)) {
		t.Errorf("form problem = %q, want casefile's %q", e.form.problem.Text, userMessage(le))
	}
	if n := len(u.cv.oc.incident.findings); n != 0 {
		t.Errorf("%d findings recorded", n)
	}
	// Removing it saves.
	e.locations = e.locations[:1]
	e.showLocations()
	saveForm(t, u, e.form)
	if fs := u.cv.oc.incident.findings; len(fs) != 1 || len(fs[0].Locations) != 1 {
		t.Fatalf("findings = %+v", fs)
	}
}
