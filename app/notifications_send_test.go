package app

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/casefile/notify"
)

// approvedNotice drafts, completes, approves (Eve) and declares, through
// the core, the GDPR notice to C-1001 of a case whose track startTrack
// started and whose customers are imported; it returns the notice.
func approvedNotice(t *testing.T, path string) notify.Notice {
	t.Helper()
	open := func(pass string) *notify.Store {
		c, err := casefile.Open(path, []byte(pass), casefile.Options{KDF: casefile.TestKDF, Clock: func() time.Time { return created }})
		if err != nil {
			t.Fatal(err)
		}
		return notify.Of(c)
	}
	cora := open(cmPass)
	n, err := cora.DraftNotice(notify.NewNotice{Audience: notify.AudienceCustomer, Regime: "gdpr", Customer: "C-1001",
		From: "incident-response@nightfall.example", Reason: "draft"})
	if err != nil {
		t.Fatal(err)
	}
	nc := n.NoticeContent
	nc.Body = completeBody(nc.Body)
	if n, err = cora.EditNotice(n.ID, nc, "completed"); err != nil {
		t.Fatal(err)
	}
	cora.Case().Close()
	eve := open(eimPass)
	if n, err = eve.ApproveNotice(n.ID, "reviewed"); err != nil {
		t.Fatal(err)
	}
	if _, err := eve.Declare("records left the network"); err != nil {
		t.Fatal(err)
	}
	eve.Case().Close()
	return n
}

// TestNotificationsEditNotRequiredSend: Cora corrects a customer, Sam
// decides that GDPR's data-subject communication does not apply, and Cora
// sends the approved notice through a local mail server with STARTTLS, a
// password and a report attached: the server receives both messages, the
// GDPR authority clock is met, and the password is nowhere in the case.
func TestNotificationsEditNotRequiredSend(t *testing.T) {
	dir := t.TempDir()
	path := makeNotifyCase(t, dir)
	u := newNotifyUI(t, dir, &testClock{t: created})
	startTrack(t, u, path, []string{regimeLabel("gdpr")})
	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte(customers), 0o600); err != nil {
		t.Fatal(err)
	}
	v := openAs(t, u, path, cmPass)
	fillAndSave(t, u, v.importCustomers, "Import customers", map[string]any{"File": csv, "Reason": "CRM export"})
	dismissNotice(u)

	// Edit customer… needs a customer chosen; then it keeps the id.
	v = areaViewOf[*notificationsView](u)
	if !v.editCustomer.Disabled() || v.editCustomer.reason != "choose a customer in the table first." {
		t.Errorf("Edit customer with none chosen: %v %q", v.editCustomer.Disabled(), v.editCustomer.reason)
	}
	v.customers.choose("C-1002")
	fillAndSave(t, u, v.editCustomer, "Edit customer C-1002", map[string]any{"Data subjects": "700", "Reason": "counted again"})
	v = areaViewOf[*notificationsView](u)
	if rows := tableRows(v.customers); len(rows) != 2 || rows[1] != "C-1002|Globex, Inc.|US-CA|700|health records|secops@globex.example" {
		t.Fatalf("customers after the edit: %q", rows)
	}

	// Sam: the data subjects need no communication.
	v = openAs(t, u, path, simPass)
	fillAndSave(t, u, v.regimes, "Choose the applicable regimes", map[string]any{"Regimes": []string{regimeLabel("gdpr")},
		"Do not apply": []string{"gdpr/data-subjects — Communicate to the data subjects without undue delay (if likely to result in a high risk to their rights and freedoms)"},
		"Reason":       "encrypted at rest: no high risk"})
	v = areaViewOf[*notificationsView](u)
	if got := clockRow(t, v, "gdpr/data-subjects")[2]; got != "does not apply to this case (Choose regimes…)" {
		t.Errorf("data-subjects clock: %q", got)
	}

	u.CloseCase()
	waitJobs(t, u)
	n := approvedNotice(t, path)
	sink := casetest.StartSMTPSink(t, true)
	pem := filepath.Join(dir, "smtp.pem")
	report := filepath.Join(dir, "IR-2026-0042-intelligence.pdf")
	for p, b := range map[string][]byte{pem: sink.CertPEM, report: []byte("%PDF-1.7 stand-in")} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	v = openAs(t, u, path, fePass)
	v.choose(n.ID)
	if !v.send.Disabled() || !strings.HasPrefix(v.send.reason, "only ") {
		t.Errorf("Send for a forensic engineer: %v %q", v.send.Disabled(), v.send.reason)
	}
	v = openAs(t, u, path, cmPass)
	v.choose(n.ID)
	fields := map[string]any{"Mail server": "localhost:" + strconv.Itoa(sink.Port), "Account": sink.User, "Password": sink.Password,
		"Trusted certificates": pem, "Attachments": report, "Obligation met": "authority", "Reason": "sent through the IR mailer"}
	// Without the certificate the server is not trusted: the form stays
	// open with the reason and nothing is recorded.
	entries := len(u.cv.oc.custody.entries)
	test.Tap(v.send)
	f := openForm(t, u, "Send notice "+n.ID.String()[:8]+" by e-mail")
	for name, value := range fields {
		if name != "Trusted certificates" {
			setField(t, f, name, value)
		}
	}
	test.Tap(f.save)
	waitJobs(t, u)
	if u.record != f || !strings.Contains(f.problem.Text, "certificate") {
		t.Fatalf("untrusted server: form open %v, band %q", u.record == f, f.problem.Text)
	}
	if len(u.cv.oc.custody.entries) != entries || len(sink.Messages()) != 0 {
		t.Fatalf("a refused send recorded or delivered")
	}
	setField(t, f, "Trusted certificates", pem)
	saveForm(t, u, f)
	if u.record != nil {
		t.Fatalf("send: %q", f.problem.Text)
	}
	if u.notice == nil || u.notice.title != "Notice sent" || u.notice.message != "2 messages were accepted by the server and recorded as sent." {
		t.Fatalf("after sending: %+v", u.notice)
	}
	dismissNotice(u)
	got := sink.Messages()
	if len(got) != 2 || !got[0].Authenticated {
		t.Fatalf("the server received %d messages", len(got))
	}
	for i, to := range []string{"it-admin@acme.example", "ciso@acme.example"} {
		m, err := mail.ReadMessage(bytes.NewReader(got[i].Data))
		if err != nil || m.Header.Get("To") != "<"+to+">" || !bytes.Contains(got[i].Data, []byte(`filename="IR-2026-0042-intelligence.pdf"`)) {
			t.Errorf("message %d: %v %v", i+1, m, err)
		}
	}
	v = areaViewOf[*notificationsView](u)
	if got := clockRow(t, v, "gdpr/authority")[2]; got != "met by notice "+n.ID.String()[:8] {
		t.Errorf("GDPR authority clock after sending: %q", got)
	}
	// Nothing of the password reached the case: not in any custody entry
	// nor in the notice's records, read decrypted.
	u.CloseCase()
	waitJobs(t, u)
	c, err := casefile.Open(path, []byte(cmPass), casefile.Options{KDF: casefile.TestKDF, Clock: func() time.Time { return created }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	es, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	ns, err := notify.Of(c).Notices()
	if err != nil {
		t.Fatal(err)
	}
	dump, _ := json.Marshal([]any{es, ns})
	if bytes.Contains(dump, []byte(sink.Password)) || !bytes.Contains(dump, []byte("smtp localhost:")) {
		t.Errorf("the custody entries hold the password, or do not name the server")
	}
}
