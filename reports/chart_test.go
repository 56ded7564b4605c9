package reports_test

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/reports"
)

// The charts: drawn from the model alone, the same bytes every time, as
// PNG images in the PDF (pdfimages lists them) and as data: URIs in the
// HTML; Markdown says what they show.
func TestCharts(t *testing.T) {
	c := scenario(t, false)
	pdf := render(t, c, reports.KindIntelligence, reports.FormatPDF, 0)
	for range 6 { // fpdf orders images by width: a tie could swap them
		if again := render(t, c, reports.KindIntelligence, reports.FormatPDF, 0); !bytes.Equal(again, pdf) {
			t.Fatal("two renders of the intelligence PDF with charts differ")
		}
	}

	page := string(render(t, c, reports.KindIntelligence, reports.FormatHTML, 0))
	uris := regexp.MustCompile(`<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(uris) != 3 {
		t.Fatalf("%d chart images in the HTML, want 3", len(uris))
	}
	wantAlt := []string{"3 starred events from 2026-11-19 21:45:00 UTC to 2026-11-19 22:00:00 UTC, counted per minute; the busiest minute holds 1.",
		"1 findings: 0 low, 0 medium, 1 high confidence.", "The incident&#39;s 1 stage moves from"}
	widths := []int{1063, 650, 1033}
	for i, u := range uris {
		raw, err := base64.StdEncoding.DecodeString(u[1])
		if err != nil {
			t.Fatalf("chart %d: %v", i, err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("chart %d is not a PNG: %v", i, err)
		}
		if w := img.Bounds().Dx(); w != widths[i] {
			t.Errorf("chart %d is %d pixels wide, want %d", i, w, widths[i])
		}
		if !strings.HasPrefix(u[2], wantAlt[i]) {
			t.Errorf("chart %d alt = %q, want %q…", i, u[2], wantAlt[i])
		}
	}
	if !strings.Contains(page, `img-src data:`) {
		t.Error("the HTML's CSP does not allow its data: images")
	}

	md := string(render(t, c, reports.KindIntelligence, reports.FormatMarkdown, 0))
	for _, want := range []string{"> **Chart: Starred events over time** (drawn in the PDF and HTML versions of this report): 3 starred events",
		"> **Chart: Findings by confidence**", "> **Chart: Stage timeline**"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "data:image") {
		t.Error("markdown embeds an image")
	}

	if _, err := exec.LookPath("pdfimages"); err != nil {
		t.Skip("pdfimages (poppler-utils) is not installed")
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfimages", "-list", f).Output()
	if err != nil {
		t.Fatalf("pdfimages: %v", err)
	}
	var got []string
	for _, l := range strings.Split(string(out), "\n")[2:] {
		if fs := strings.Fields(l); len(fs) > 12 {
			got = append(got, fs[3]+"x"+fs[4]+" "+fs[5]+" "+fs[12]) // width x height, colour, ppi
		}
	}
	want := []string{"1063x354 rgb 150", "650x325 rgb 150", "1033x325 rgb 150"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("pdfimages -list: %q, want %q", got, want)
	}
}

// The timeline of key events shows the starred events with their source
// time and zone, tags and why they were starred, among the findings and
// stage moves.
func TestKeyEventsShowStarredEvents(t *testing.T) {
	c := scenario(t, false)
	md := string(render(t, c, reports.KindIntelligence, reports.FormatMarkdown, 0))
	i := strings.Index(md, "## 4. Timeline of key events")
	j := strings.Index(md, "## 5. Findings")
	if i < 0 || j < i {
		t.Fatalf("no timeline of key events before the findings:\n%s", md)
	}
	sec := md[i:j]
	for _, want := range []string{
		"| 2026-11-19 21:45:00 UTC | Nov 19 22:45:00 (Europe/Berlin) | Starred event | vpn login 1 for alice from 203.0.113.9 / tags: initial-access / starred: key login | vpn-gateway.log (",
		"| 2026-11-19 22:00:00 UTC | Nov 19 23:00:00 (Europe/Berlin) | Starred event | vpn login 4 for alice",
		"| Finding | Finding 1: Logins from 203.0.113.9 |",
		"| Stage move | Detect → Assess |",
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("timeline of key events lacks %q:\n%s", want, sec)
		}
	}
	if strings.Contains(sec, "vpn login 3 ") {
		t.Error("an event that was never starred is in the timeline of key events")
	}
	if strings.Index(sec, "vpn login 1") > strings.Index(sec, "vpn login 2") || strings.Index(sec, "vpn login 2") > strings.Index(sec, "vpn login 4") {
		t.Error("the starred events are not in time order")
	}
}
