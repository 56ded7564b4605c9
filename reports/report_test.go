package reports_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/notify"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/reports"
)

// hostile are strings from evidence that must stay inert in every format.
var hostile = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`[click](javascript:alert(1)) <a href="https://evil.example/x">x</a> ![i](https://evil.example/p.png)`,
	"line one\r\nline two\x00nul\x1b[31mred",
	"invoice\u202Egpj.exe and \u2066isolate\u2069 \u200Bzw",
	") Tj ET BT /F1 99 Tf (owned) Tj \\) \\(",
	strings.Repeat("A", 9000),
	"<style>body{background:url(https://evil.example/c)}</style><iframe src=//evil.example>",
}

// scenario fills a case with every part a report shows; with evil, the
// texts come from hostile.
func scenario(t *testing.T, evil bool) *casefile.Case {
	t.Helper()
	start := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	path := casetest.Create(t)
	c := casetest.Open(t, path, casetest.Passphrase, casetest.Ticking(&start))
	s := incident.Of(c)
	txt := func(i int, plain string) string {
		if evil {
			return hostile[i%len(hostile)] + " " + plain
		}
		return plain
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ev := casetest.StoreBytes(t, c, bytes.Repeat([]byte("vpn log line\n"), 500), txt(4, "vpn-gateway.log"))
	must(s.SetSummary(txt(0, "Credentials of a VPN account were used from **203.0.113.9** to copy the CRM export."), "first summary"))
	must(s.SetDetection(incident.Detection{Source: incident.DetectionMonitorAnomaly, DetectedAt: time.Date(2026, 11, 19, 22, 14, 0, 0, time.UTC), Detail: txt(5, "UEBA alert 4471")}, ""))
	must(s.RecordAwareness(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC), txt(1, "SOC lead confirmed the transfer")))
	must(s.Classify(incident.ClassificationSecurityIncident, txt(2, "customer data left the network")))
	_, err := s.SetSeverity(incident.SeverityHigh, incident.SeverityCriteria{Privacy: incident.PrivacyConfirmed, Impact: txt(3, "CRM export copied"),
		Scope: "one VPN concentrator", AffectedTenants: 12, Regions: []string{"eu-west"}, Services: []string{"CRM"}, Regulations: []string{"GDPR"}}, "rated")
	must(err)
	_, err = s.SetPriority(incident.PriorityHigh, incident.PriorityFactors{Functional: incident.FunctionalLow, Informational: incident.InformationalPrivacy,
		Recoverability: incident.RecoverySupplemented}, "rated")
	must(err)
	_, err = s.MoveTo(incident.StageAssess, txt(6, "triage"))
	must(err)
	ip, err := s.AddIndicator(incident.IndicatorIP, "203.0.113.9", txt(0, "source of the logins"), "")
	must(err)
	_, err = s.AddIndicator(incident.IndicatorOther, txt(7, "mutex Global\\vpn"), txt(5, "seen in memory"), "")
	must(err)
	_, err = s.AddFinding(incident.FindingContent{Title: txt(4, "Logins from 203.0.113.9"), Description: txt(2, "The gateway log shows *three* logins."),
		Confidence: incident.ConfidenceHigh, Locations: []incident.EvidenceLocation{{Evidence: ev.ID, Start: 13, End: 26}},
		Indicators: []uuid.UUID{ip.ID}, Techniques: []string{"T1078"}}, "")
	must(err)
	_, err = s.RecordAction(incident.NewResponseAction{Description: txt(1, "Imaged the VPN gateway logs"), Evidence: []uuid.UUID{ev.ID}})
	must(err)
	m, err := s.RecordMitigation(incident.NewMitigation{Description: txt(6, "Blocked 203.0.113.9 at the edge"), CausedOutage: true, OutageDetail: "VPN down 10 min"})
	must(err)
	_, err = s.ApproveMitigation(m.ID, incident.ApprovalIncidentManager, "block now")
	must(err)
	must(s.SetNextSteps([]string{txt(3, "Reset every VPN credential"), "Review egress rules"}, ""))
	_, err = s.UpdatePostMortem(incident.PostMortemContent{Summary: txt(0, "Root cause: a reused password without MFA."),
		Lapses:     []incident.Lapse{{Category: incident.LapseTechnical, Description: txt(5, "no MFA on the VPN"), EngineeringFollowUp: "identity team, ID-77"}},
		SOPUpdates: []string{txt(7, "add VPN credential reset steps")}}, "")
	must(err)
	_, err = s.AddRepairItem(incident.NewRepairItem{Description: txt(4, "MFA on the VPN"), Owner: casetest.NewCase.Examiner, Due: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	must(err)
	// The notification track: GDPR, one customer in scope, a draft notice.
	nt := notify.Of(c)
	_, _, err = nt.Start(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC), txt(1, "SOC lead confirmed the transfer"))
	must(err)
	_, err = nt.SetRegimes([]string{"gdpr"}, "EU customers")
	must(err)
	_, err = nt.AddCustomer(notify.CustomerInfo{ID: "C-1001", Name: txt(0, "Acme GmbH"), AdminContacts: []string{"it-admin@acme.example"},
		Jurisdiction: "DE", DataCategories: []string{"contact data"}, DataSubjects: 1200}, "CRM export")
	must(err)
	_, err = nt.DraftNotice(notify.NewNotice{Audience: notify.AudienceCustomer, Regime: "gdpr", Customer: "C-1001", From: "ir@custodia-corp.example"})
	must(err)
	// The gateway log's timeline, three of its events starred.
	w, err := timeline.Of(c).NewWriter(ev.ID)
	must(err)
	for i := range 6 {
		at := time.Date(2026, 11, 19, 21, 40+i*5, 0, 0, time.UTC)
		must(w.Add(timeline.Event{Time: at, TimeText: at.Add(time.Hour).Format("Jan 2 15:04:05"),
			TimeZone: "Europe/Berlin", TimestampDesc: "Event Logged", Offset: int64(i) * 13, Length: 13,
			Message: txt(i, fmt.Sprintf("vpn login %d for alice from 203.0.113.9", i))}))
	}
	_, err = w.Commit(timeline.Summary{Parser: "syslog", Detected: "content", Bytes: 6500}, "parse the gateway log")
	must(err)
	for _, n := range []int64{5, 2, 3} {
		// not hostile[5]: a custody table's narrow reason column wraps the PDF operators
		_, err = timeline.Of(c).Star(timeline.EventID(ev.ID, n), txt(int(n)+1, "key login"))
		must(err)
	}
	_, err = timeline.Of(c).Tag(timeline.EventID(ev.ID, 2), []string{"initial-access"}, "")
	must(err)
	return c
}

func render(t *testing.T, c *casefile.Case, kind, format string, asOf int64) []byte {
	t.Helper()
	b, _, _, err := reports.RenderReport(c, reports.Options{Kind: kind, Format: format, TLP: "amber+strict", AsOf: asOf, Tool: testTool})
	if err != nil {
		t.Fatalf("%s %s: %v", kind, format, err)
	}
	return b
}

// pdfText is the text pdftotext extracts from a PDF; the test is skipped
// without pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func pdfPages(t *testing.T, pdf []byte) int {
	return strings.Count(pdfText(t, pdf), "\f")
}

func TestReportsShowTheHead(t *testing.T) {
	c := scenario(t, false)
	_, _, seq, head, err := c.LedgerSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	info := c.Info()
	for _, kind := range reports.Kinds {
		for _, format := range reports.Formats {
			b := render(t, c, kind, format, 0)
			text := string(b)
			if format == reports.FormatPDF {
				text = pdfText(t, b)
			}
			if format == reports.FormatHTML {
				text = html.UnescapeString(text)
			}
			flat := strings.Join(strings.Fields(strings.ReplaceAll(text, "\\", "")), " ")
			for _, want := range []string{info.CaseNumber, info.CaseUUID.String(), head.String(), "entry " + itoa(seq), "TLP:AMBER+STRICT", "Custodia 0.1.0"} {
				if !strings.Contains(flat, want) && !strings.Contains(strings.ReplaceAll(flat, " ", ""), strings.ReplaceAll(want, " ", "")) {
					t.Errorf("%s %s lacks %q", kind, format, want)
				}
			}
			if format == reports.FormatPDF {
				pages := pdfPages(t, b)
				if got := strings.Count(text, "TLP:AMBER+STRICT"); got < 2*pages {
					t.Errorf("%s pdf: marking %d times on %d pages (header and footer of each)", kind, got, pages)
				}
				if !strings.Contains(text, "Page 1 of "+itoa(int64(pages))) {
					t.Errorf("%s pdf: no page numbers", kind)
				}
				if kind == reports.KindBrief && pages != 1 {
					t.Errorf("brief is %d pages", pages)
				}
			}
		}
	}
	intel := string(render(t, c, reports.KindIntelligence, reports.FormatMarkdown, 0))
	for _, want := range []string{"Logins from 203.0.113.9", "vpn-gateway.log", "bytes 13–26 (13)", "High", "GDPR", "Blocked 203.0.113.9",
		"security-incident-manager: " + casetest.NewCase.Examiner + " (signed", "missing: executive-incident-manager, service-owner", "Reset every VPN credential",
		"## 12. Custody summary", "## 8. Affected customers and notification",
		"| C-1001 | Acme GmbH | DE | 1200 | contact data |",
		"| gdpr authority | Notify the supervisory authority | awareness 2026-11-20 08:00:00 UTC | 2026-11-23 08:00:00 UTC | running |",
		"| gdpr data-subjects | Communicate to the data subjects without undue delay | awareness 2026-11-20 08:00:00 UTC | no fixed deadline | running |",
		"not decided: the Executive Incident Manager has not declared a breach"} {
		if !strings.Contains(intel, want) {
			t.Errorf("intelligence md lacks %q", want)
		}
	}
	if !regexp.MustCompile(`\| [0-9a-f]{8} \| customer C-1001 \| gdpr \| Security incident notification: [^|]+ \| draft \(revision 1\) \| — \|`).MatchString(intel) {
		t.Errorf("intelligence md lacks the notice row")
	}
	br := string(render(t, c, reports.KindBrief, reports.FormatMarkdown, 0))
	for _, want := range []string{"declare the breach, or record that none is declared (Executive Incident Manager)",
		"notify: Notify the supervisory authority (gdpr/authority), running, due 2026-11-23 08:00:00 UTC"} {
		if !strings.Contains(br, want) {
			t.Errorf("brief md lacks %q:\n%s", want, br)
		}
	}
	cust := string(render(t, c, reports.KindCustody, reports.FormatMarkdown, 0))
	if n := strings.Count(cust, "| "+casetest.NewCase.Examiner+" ("); n != int(seq) {
		t.Errorf("custody md: %d entry rows, want %d", n, seq)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestReportAsOf(t *testing.T) {
	c := scenario(t, false)
	_, _, seq, _, _ := c.LedgerSnapshot()
	es, _ := c.Entries()
	// As of the entry that added the first indicator: no finding yet.
	var at int64
	for _, e := range es {
		if e.Action == incident.ActionIndicatorAdded {
			at = e.Seq
			break
		}
	}
	md := string(render(t, c, reports.KindIntelligence, reports.FormatMarkdown, at))
	if !strings.Contains(md, "No findings.") || !strings.Contains(md, "203.0.113.9") || strings.Contains(md, "mutex") ||
		!strings.Contains(md, "entry "+itoa(at)+", hash "+es[at-1].Hash.String()) {
		t.Errorf("as of %d:\n%s", at, md)
	}
	if !strings.Contains(md, "The summary, detection, awareness, next steps and related incidents were changed after entry "+itoa(at)) {
		t.Errorf("as of %d: the gap is not said", at)
	}
	_, _, _, err := reports.RenderReport(c, reports.Options{Kind: "custody", Format: "md", AsOf: seq + 1})
	if !errors.Is(err, reports.ErrAsOf) || !strings.Contains(err.Error(), "entry "+itoa(seq+1)+": the case's ledger ends at entry "+itoa(seq)) {
		t.Fatalf("as of beyond the head: %v", err)
	}
	cust := string(render(t, c, reports.KindCustody, reports.FormatMarkdown, 3))
	if n := strings.Count(cust, "| "+casetest.NewCase.Examiner+" ("); n != 3 {
		t.Errorf("custody as of 3: %d entries", n)
	}
}

func TestReportBadOptions(t *testing.T) {
	c := scenario(t, false)
	for _, tc := range []struct {
		o    reports.Options
		want string
	}{
		{reports.Options{Kind: "summary", Format: "pdf"}, `unknown report kind "summary": use intelligence, postmortem, custody, brief`},
		{reports.Options{Kind: "brief", Format: "docx"}, `unknown report format "docx": use pdf, html or md`},
		{reports.Options{Kind: "brief", Format: "pdf", TLP: "white"}, `unknown TLP level "white": use clear, green, amber, amber+strict or red`},
	} {
		_, _, _, err := reports.RenderReport(c, tc.o)
		if !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v", tc.o, err)
		}
	}
}

var (
	// Case text is escaped, so a "<" in the HTML is always markup.
	scriptRE   = regexp.MustCompile(`(?i)<\s*(script|iframe|img|object|embed|link|base|form|svg|math)`)
	onAttrRE   = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	externalRE = regexp.MustCompile(`(?i)<[^>]*\s(src|href|action)\s*=\s*["']?\s*[^#"'\s]`)
	cssURLRE   = regexp.MustCompile(`(?i)url\(|@import`)
	// chartRE is the one image a report holds: a chart, as a data: URI of
	// a PNG, with alt text and a width and nothing else.
	chartRE = regexp.MustCompile(`<img src="data:image/png;base64,[A-Za-z0-9+/]+=*" alt="[^"<>]*" width="[0-9]+">`)
)

func TestHostileStringsStayInert(t *testing.T) {
	c := scenario(t, true)
	for _, kind := range reports.Kinds {
		for _, format := range reports.Formats {
			b := render(t, c, kind, format, 0)
			text := string(b)
			switch format {
			case reports.FormatHTML:
				if kind == reports.KindIntelligence && len(chartRE.FindAllString(text, -1)) != 3 {
					t.Errorf("%s html: %d charts, want 3 (key events, findings, stages)", kind, len(chartRE.FindAllString(text, -1)))
				}
				text = chartRE.ReplaceAllString(text, "")
				if m := scriptRE.FindString(text); m != "" {
					t.Errorf("%s html has active content %q", kind, m)
				}
				if m := onAttrRE.FindString(text); m != "" {
					t.Errorf("%s html has an event attribute %q", kind, m)
				}
				if m := externalRE.FindString(text); m != "" {
					t.Errorf("%s html refers outside %q", kind, m)
				}
				style := text[strings.Index(text, "<style>"):strings.Index(text, "</style>")]
				if m := cssURLRE.FindString(style); m != "" || strings.Count(text, "<style>") != 1 {
					t.Errorf("%s html style fetches %q", kind, m)
				}
				text = html.UnescapeString(text)
			case reports.FormatMarkdown:
				if strings.Contains(text, "<script") || regexp.MustCompile(`[^\\]\]\(`).MatchString(text) || strings.Contains(text, "<img") {
					t.Errorf("%s md keeps markup", kind)
				}
			case reports.FormatPDF:
				text = pdfText(t, b)
				if strings.Contains(text, "owned") && !strings.Contains(text, ") Tj ET BT /F1 99 Tf (owned) Tj") {
					t.Errorf("%s pdf: the PDF operators were not printed as text", kind)
				}
			}
			if strings.ContainsAny(text, "\u202E\u2066\u2069\u200B\x00\x1b\r") {
				t.Errorf("%s %s keeps a control or bidi character", kind, format)
			}
			if (kind == reports.KindIntelligence || kind == reports.KindPostMortem) && !strings.Contains(text, "<U+202E>") && !strings.Contains(text, "&lt;U+202E&gt;") {
				t.Errorf("%s %s does not show U+202E", kind, format)
			}
		}
	}
	pdf := pdfText(t, render(t, c, reports.KindIntelligence, reports.FormatPDF, 0))
	for _, want := range []string{"<U+202E>", "<U+0000>", "<U+000D><U+000A>", "more characters not shown"} {
		if !strings.Contains(pdf, want) {
			t.Errorf("intelligence pdf does not show %q", want)
		}
	}
}

func TestReportBytesReproducible(t *testing.T) {
	c := scenario(t, false)
	for _, kind := range reports.Kinds {
		for _, format := range reports.Formats {
			a, b := render(t, c, kind, format, 0), render(t, c, kind, format, 0)
			if !bytes.Equal(a, b) {
				t.Errorf("%s %s: two renders differ", kind, format)
			}
		}
	}
}

func TestGenerateAndVerify(t *testing.T) {
	c := scenario(t, false)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.pdf")
	g, err := reports.Generate(c, reports.Options{Kind: "intelligence", Format: "pdf", TLP: "red", Tool: testTool}, out, "for the customer")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	sum := sha256.Sum256(b)
	if g.SHA256 != hex.EncodeToString(sum[:]) || g.Entry.Action != reports.ActionReportGenerated || g.Entry.Hashes["sha256"] != g.SHA256 ||
		g.Entry.Details["kind"] != "intelligence" || g.Entry.Details["tlp"] != "red" || g.Entry.Details["head"] != itoa(g.HeadSeq)+":"+g.Head ||
		g.Entry.Seq != g.HeadSeq+1 || g.Entry.Reason != "for the customer" {
		t.Fatalf("generated %+v", g)
	}
	r, _, err := reports.VerifyReport(c, out)
	if err != nil || r.Entry.Seq != g.Entry.Seq || r.HeadSeq != g.HeadSeq || r.Head != g.Head {
		t.Fatalf("verify: %+v %v", r, err)
	}
	b[len(b)/2] ^= 1
	bad := filepath.Join(dir, "changed.pdf")
	os.WriteFile(bad, b, 0o600)
	if _, sum, err := reports.VerifyReport(c, bad); !errors.Is(err, reports.ErrNotGenerated) || !strings.Contains(err.Error(), sum) {
		t.Fatalf("verify a changed report: %v", err)
	}
	if _, err := reports.Generate(c, reports.Options{Kind: "brief", Format: "md"}, out, ""); !errors.Is(err, casefile.ErrExists) {
		t.Fatalf("generate over a file: %v", err)
	}
	ls, err := reports.ListReports(c)
	if err != nil || len(ls) != 1 || ls[0].SHA256 != g.SHA256 {
		t.Fatalf("list %+v %v", ls, err)
	}
}
