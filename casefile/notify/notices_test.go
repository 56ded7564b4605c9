package notify

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/google/uuid"
)

const sender = "incident-response@custodia-corp.example"

// scoped is a case with the track started, the customers of
// testdata/customers.csv imported and a summary; it returns the path.
func scoped(t *testing.T) string {
	t.Helper()
	path := newCase(t)
	dana := open(t, path, danaPass)
	check(t, incident.Of(dana.Case()).Apply("triage", incident.SummaryChange{Summary: "An attacker exported customer records from the CRM through a stolen VPN account."}))
	must2(dana.Start(ago(20*time.Hour), "SOC escalation"))(t)
	must(dana.ImportCSV(bytes.NewReader(must(os.ReadFile("testdata/customers.csv"))(t)), "CRM export"))(t)
	check(t, dana.Case().Close())
	return path
}

func TestNoticeLifecycle(t *testing.T) {
	path := scoped(t)
	cora := open(t, path, coraPass)
	if _, err := cora.DraftNotice(NewNotice{Audience: AudienceCustomer, Regime: "gdpr"}); message(err) != "a notice to a customer needs the customer (--customer ID)" {
		t.Fatalf("no customer: %q", message(err))
	}
	if _, err := cora.DraftNotice(NewNotice{Audience: AudienceCustomer, Customer: "C-1001", From: "ir@x.example\r\nBcc: all@evil.example"}); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("header injection in from: %v", err)
	}
	n := must(cora.DraftNotice(NewNotice{Audience: AudienceCustomer, Regime: "gdpr", Customer: "C-1001", From: sender, Reason: "first draft"}))(t)
	if n.Subject != "Security incident notification: Exfiltration via VPN concentrator (IR-2026-0042)" ||
		strings.Join(n.To, ",") != "it-admin@acme.example,ciso@acme.example" || n.Revision != 1 || n.Created.Examiner != "Cora" {
		t.Fatalf("draft %+v", n)
	}
	for _, want := range []string{"Dear administrators of Acme GmbH,", "== Nature of the personal data breach ==\nCategories of data concerned: contact data, payment data.\nApproximate number of data subjects: 1200.\n",
		"== Contact point ==\n[to be completed: the name and contact details"} {
		if !strings.Contains(n.Body, want) {
			t.Fatalf("body lacks %q:\n%s", want, n.Body)
		}
	}
	var refs []string
	for _, m := range n.Missing() {
		refs = append(refs, m.Ref)
	}
	if strings.Join(refs, "|") != "GDPR Art. 33(3)(b)|GDPR Art. 33(3)(c)|GDPR Art. 33(3)(d)" || len(n.Checklist) != 4 || !n.Checklist[0].Met {
		t.Fatalf("missing %v", refs)
	}

	// Lee may approve, but not with items missing.
	lee := reopen(t, cora, path, leePass)
	before := head(t, lee)
	_, err := lee.ApproveNotice(n.ID, "")
	if message(err) != "the notice misses GDPR Art. 33(3)(b) (Contact point), GDPR Art. 33(3)(c) (Likely consequences), GDPR Art. 33(3)(d) (Measures taken or proposed); complete the sections named (notice edit) and approve it then" {
		t.Fatalf("approve incomplete: %q", message(err))
	}
	if head(t, lee) != before {
		t.Fatal("refusal wrote")
	}
	// Lee completes it: now Lee is an author and may not approve it.
	nc := n.NoticeContent
	nc.Body = strings.NewReplacer(
		"[to be completed: the name and contact details of the data protection officer or other contact point where more information can be obtained]", "Our data protection officer, dpo@custodia-corp.example, +49 30 1234567.",
		"[to be completed: the likely consequences of the personal data breach]", "Phishing attempts that use your contact data.",
		"[to be completed: the measures taken or proposed to address the breach, including measures to mitigate its possible adverse effects]", "The VPN account was disabled and all sessions revoked.",
	).Replace(nc.Body)
	n = must(lee.EditNotice(n.ID, nc, "completed the GDPR items"))(t)
	if len(n.Missing()) != 0 || n.Revision != 2 {
		t.Fatalf("after edit missing %v", n.Missing())
	}
	_, err = lee.ApproveNotice(n.ID, "")
	if !errors.Is(err, ErrFourEyes) || message(err) != "a notice is approved by someone other than its authors (four eyes): Lee wrote revision 2 of it" {
		t.Fatalf("own approval: %q", message(err))
	}
	// Cora (communications manager) may not approve at all.
	cora = reopen(t, lee, path, coraPass)
	if _, err := cora.ApproveNotice(n.ID, ""); !errors.Is(err, casefile.ErrNotPermitted) {
		t.Fatalf("CM approves: %v", err)
	}
	if _, err := cora.MarkSent(n.ID, NewSending{Channel: "email"}); message(err) != "revision 2 of the notice is not approved; a notice is sent only once someone other than its authors approved it ('notice approve')" {
		t.Fatalf("sent unapproved: %q", message(err))
	}
	eve := reopen(t, cora, path, evePass)
	n = must(eve.ApproveNotice(n.ID, "reviewed against the findings"))(t)
	ap := n.Approved()
	if ap == nil || ap.Examiner != "Eve" || ap.Revision != 2 || n.Status() != "approved" {
		t.Fatalf("approval %+v", ap)
	}
	es := must(eve.Case().Entries())(t)
	if e := es[len(es)-1]; e.Action != ActionNoticeApproved || e.Actor != "Eve" || e.Hashes["content"] != ap.ContentSHA256 {
		t.Fatalf("approval entry %+v", e)
	}

	// Sent only after the declaration.
	cora = reopen(t, eve, path, coraPass)
	if _, err := cora.MarkSent(n.ID, NewSending{Channel: "email"}); message(err) != "no breach is declared: an official notice (to a customer) is sent only after the Executive Incident Manager declares the breach ('custodiactl declare')" {
		t.Fatalf("sent undeclared: %q", message(err))
	}
	if _, err := cora.MarkSent(n.ID, NewSending{Channel: "pigeon"}); message(err) != `unknown channel "pigeon"; use email, portal, phone or letter` {
		t.Fatalf("channel: %q", message(err))
	}
	eve = reopen(t, cora, path, evePass)
	must(eve.Declare("customer records left the network (finding 1)"))(t)
	cora = reopen(t, eve, path, coraPass)
	if _, err := cora.MarkSent(n.ID, NewSending{At: ago(time.Minute), Channel: "email"}); message(err) != "sending time 2026-11-26T09:59:00Z is before the approval (2026-11-26T10:00:00Z); give when it was sent" {
		t.Fatalf("sent before approval: %q", message(err))
	}
	n = must(cora.MarkSent(n.ID, NewSending{At: now, Channel: "email", Obligation: "authority", Reason: "sent from the IR mailbox"}))(t)
	if n.Status() != "sent" || n.Sendings[0].Regime != "gdpr" || strings.Join(n.Sendings[0].Recipients, ",") != "it-admin@acme.example,ciso@acme.example" {
		t.Fatalf("sent %+v", n.Sendings)
	}
	if _, err := cora.EditNotice(n.ID, n.NoticeContent, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("edit after sending: %v", err)
	}
	if ns := must(cora.Notices())(t); len(ns) != 1 || ns[0].ID != n.ID {
		t.Fatalf("notices %v", ns)
	}
	if id := must(cora.FindNotice(n.ID.String()[:8]))(t); id != n.ID {
		t.Fatal("prefix")
	}
	if _, err := cora.Notice(uuid.New()); !errors.Is(err, ErrNoSuchNotice) {
		t.Fatalf("unknown notice: %v", err)
	}
}

// TestEditVoidsApproval: an approval is of one revision.
func TestEditVoidsApproval(t *testing.T) {
	path := scoped(t)
	cora := open(t, path, coraPass)
	n := must(cora.DraftNotice(NewNotice{Audience: AudienceInternal, From: sender, To: []string{"exec@custodia-corp.example"}}))(t)
	if len(n.Checklist) != 0 || !strings.HasPrefix(n.Subject, "[Internal] Security incident IR-2026-0042") {
		t.Fatalf("internal %+v", n)
	}
	eve := reopen(t, cora, path, evePass)
	must(eve.ApproveNotice(n.ID, ""))(t)
	if _, err := eve.ApproveNotice(n.ID, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("approved twice: %v", err)
	}
	cora = reopen(t, eve, path, coraPass)
	// An internal notice is sent without a declaration.
	must(cora.MarkSent(n.ID, NewSending{Channel: "portal", Recipients: []string{"exec wiki page"}}))(t)
	n = must(cora.DraftNotice(NewNotice{Audience: AudienceInternal, From: sender, To: []string{"exec@custodia-corp.example"}}))(t)
	eve = reopen(t, cora, path, evePass)
	must(eve.ApproveNotice(n.ID, ""))(t)
	cora = reopen(t, eve, path, coraPass)
	nc := n.NoticeContent
	nc.Subject += " (update)"
	n = must(cora.EditNotice(n.ID, nc, "title"))(t)
	if n.Approved() != nil || n.Status() != "draft" {
		t.Fatal("an edit kept the approval")
	}
	if _, err := cora.Export(n.ID, t.TempDir()); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("export of unapproved: %v", err)
	}
	nc.Subject = "Update\r\nBcc: all@evil.example"
	if _, err := cora.EditNotice(n.ID, nc, ""); message(err) != "subject contains a control character (U+000D) at byte 6; it must be one line of text" {
		t.Fatalf("subject injection: %q", message(err))
	}
}

// TestExportEML: an approved notice exports as one .eml per recipient that
// Python's email package parses: headers and both alternatives.
func TestExportEML(t *testing.T) {
	path := scoped(t)
	cora := open(t, path, coraPass)
	n := must(cora.DraftNotice(NewNotice{Audience: AudienceCustomer, Customer: "C-1002", From: sender, Cc: []string{"legal@custodia-corp.example"}}))(t)
	nc := n.NoticeContent
	nc.Body += "\nA note from the evidence: <script>alert(1)</script> & Ünïcödé\n"
	n = must(cora.EditNotice(n.ID, nc, ""))(t)
	eve := reopen(t, cora, path, evePass)
	must(eve.ApproveNotice(n.ID, ""))(t)
	fern := reopen(t, eve, path, fernPass)
	if _, err := fern.Export(n.ID, t.TempDir()); !errors.Is(err, casefile.ErrNotPermitted) {
		t.Fatalf("FE exports: %v", err)
	}
	cora = reopen(t, fern, path, coraPass)
	dir := t.TempDir()
	emls := must(cora.Export(n.ID, dir))(t)
	if len(emls) != 1 || filepath.Base(emls[0].Path) != "notice-"+n.ID.String()[:8]+"-r2-01-secops@globex.example.eml" {
		t.Fatalf("exported %+v", emls)
	}
	raw := must(os.ReadFile(emls[0].Path))(t)
	if casefile.ContentHash(raw) != emls[0].SHA256 {
		t.Fatal("hash")
	}
	es := must(cora.Case().Entries())(t)
	if e := es[len(es)-1]; e.Action != ActionNoticeExported || e.Hashes[filepath.Base(emls[0].Path)] != emls[0].SHA256 {
		t.Fatalf("entry %+v", e)
	}
	if _, err := cora.Export(n.ID, dir); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("overwrote: %v", err)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	script := `
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
print(m['From']); print(m['To']); print(m['Cc']); print(m['Subject']); print(m['Date']); print(m['Message-ID'].strip())
print(m.get_content_type())
parts = [p for p in m.walk() if not p.is_multipart()]
print(len(parts))
for p in parts:
    print(p.get_content_type())
print(parts[0].get_content().count('Dear administrators of Globex, Inc.'))
h = parts[1].get_content()
print('<script>' in h, '&lt;script&gt;alert(1)&lt;/script&gt; &amp; Ünïcödé' in h, '<h2>Nature of the incident</h2>' not in h, '<h2>What happened</h2>' in h)
print('Ünïcödé' in parts[0].get_content())
`
	out, err := exec.Command(py, "-c", script, emls[0].Path).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	want := strings.Join([]string{
		sender, "secops@globex.example", "legal@custodia-corp.example",
		"Security incident notification: Exfiltration via VPN concentrator (IR-2026-0042)",
		"Thu, 26 Nov 2026 10:00:00 +0000",
		"<notice-" + n.ID.String() + ".2.1@custodia-corp.example>",
		"multipart/alternative", "2", "text/plain", "text/html", "1", "False True True True", "True", ""}, "\n")
	if !bytes.Contains(raw, []byte("\r\nMessage-ID:\r\n <notice-"+n.ID.String()+".2.1@custodia-corp.example>\r\n")) {
		t.Fatalf("raw message:\n%s", raw)
	}
	if string(out) != want {
		t.Fatalf("python read\n%s\nwant\n%s", out, want)
	}
}

// FuzzNoticeBody: the checklist reader and the HTML alternative take any
// body; the HTML never carries markup of the body's own.
func FuzzNoticeBody(f *testing.F) {
	f.Add("== Contact point ==\nDPO, dpo@example.com\n\n== Likely consequences ==\n[to be completed: x]\n")
	f.Add("<script>alert(1)</script>\r\n\r\n== <b>x</b> ==\n")
	f.Fuzz(func(t *testing.T, body string) {
		for _, r := range Regimes {
			Checklist(r, body)
		}
		h := HTMLBody("s", body)
		if strings.Contains(h, "<script") || strings.Contains(h, "<b>") {
			t.Fatalf("markup of the body in the HTML: %q", h)
		}
	})
}
