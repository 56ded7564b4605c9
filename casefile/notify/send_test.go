package notify

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/google/uuid"
)

// serverOf is the sink as the SMTP server to send through.
func serverOf(b *casetest.SMTPSink, security string) SMTPServer {
	return SMTPServer{Host: "localhost", Port: b.Port, Security: security, Username: b.User, Password: b.Password, RootCAs: b.Roots, Timeout: 10 * time.Second}
}

// approved is a scoped case whose GDPR notice to Acme (two
// administrators, legal@ in copy; GDPR chosen) is approved by Eve, who
// declared the breach; it returns the path and the notice.
func approved(t *testing.T) (string, Notice) {
	t.Helper()
	path := scoped(t)
	dana := open(t, path, danaPass)
	must(dana.SetRegimes([]string{"gdpr"}, "EU data subjects"))(t)
	cora := reopen(t, dana, path, coraPass)
	n := must(cora.DraftNotice(NewNotice{Audience: AudienceCustomer, Regime: "gdpr", Customer: "C-1001", From: sender, Cc: []string{"legal@custodia-corp.example"}, Reason: "draft"}))(t)
	nc := n.NoticeContent
	nc.Body = strings.NewReplacer(
		"[to be completed: the name and contact details of the data protection officer or other contact point where more information can be obtained]", "dpo@custodia-corp.example",
		"[to be completed: the likely consequences of the personal data breach]", "Phishing.",
		"[to be completed: the measures taken or proposed to address the breach, including measures to mitigate its possible adverse effects]", "Sessions revoked.",
	).Replace(nc.Body)
	n = must(cora.EditNotice(n.ID, nc, "completed"))(t)
	eve := reopen(t, cora, path, evePass)
	n = must(eve.ApproveNotice(n.ID, "reviewed"))(t)
	must(eve.Declare("customer records left the network"))(t)
	check(t, eve.Case().Close())
	return path, n
}

// TestSendOverSMTP sends an approved notice through a local server with
// STARTTLS and a password: the server receives byte for byte the messages
// Export writes, the first also for the Cc recipient, and one sending is
// recorded with each message's SHA-256.
func TestSendOverSMTP(t *testing.T) {
	sink := casetest.StartSMTPSink(t, true)
	path, n := approved(t)
	cora := open(t, path, coraPass)
	sent, err := cora.Send(context.Background(), n.ID, serverOf(sink, SecuritySTARTTLS), SendOptions{Obligation: "authority", Reason: "sent from the IR mailbox"})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.Messages()
	if len(got) != 2 || len(sent.Accepted) != 2 || len(sent.Refused) != 0 {
		t.Fatalf("server got %d messages, Send says %+v", len(got), sent)
	}
	for i, to := range []string{"it-admin@acme.example", "ciso@acme.example"} {
		want := must(Message(n, to, i+1, now))(t)
		if !bytes.Equal(got[i].Data, want) {
			t.Fatalf("message %d differs from the exported bytes:\n%s\nwant:\n%s", i+1, got[i].Data, want)
		}
		if !got[i].Authenticated || got[i].From != sender {
			t.Fatalf("message %d: authenticated %v, from %q", i+1, got[i].Authenticated, got[i].From)
		}
		if sent.Accepted[i].SHA256 != casefile.ContentHash(want) {
			t.Fatalf("hash %d", i)
		}
	}
	if r := strings.Join(got[0].Rcpts, ","); r != "it-admin@acme.example,legal@custodia-corp.example" {
		t.Fatalf("first envelope %s", r)
	}
	if r := strings.Join(got[1].Rcpts, ","); r != "ciso@acme.example" {
		t.Fatalf("second envelope %s", r)
	}
	m, err := mail.ReadMessage(bytes.NewReader(got[0].Data))
	if err != nil || m.Header.Get("Cc") != "<legal@custodia-corp.example>" || m.Header.Get("Date") != "Thu, 26 Nov 2026 10:00:00 +0000" {
		t.Fatalf("parsed %v %v", m.Header, err)
	}
	sd := sent.Notice.Sendings[0]
	if sd.Channel != "email" || sd.Obligation != "authority" || strings.Join(sd.Recipients, ",") != "it-admin@acme.example,legal@custodia-corp.example,ciso@acme.example" || sd.Examiner != "Cora" {
		t.Fatalf("sending %+v", sd)
	}
	es := must(cora.Case().Entries())(t)
	e := es[len(es)-1]
	if e.Action != ActionNoticeSent || e.Details["via"] != "smtp "+serverOf(sink, "").Address()+" starttls" || e.Hashes["message:ciso@acme.example"] != sent.Accepted[1].SHA256 {
		t.Fatalf("entry %+v", e)
	}
	if cs := must(cora.Clocks(now))(t); cs[0].Status != "met" {
		t.Fatalf("the authority clock is %s after sending", cs[0].Status)
	}
}

// TestSendRefusals: a refused recipient is named and the others stay
// recorded; a server without STARTTLS, a wrong password and bad settings
// send and record nothing.
func TestSendRefusals(t *testing.T) {
	sink := casetest.StartSMTPSink(t, true, "ciso@acme.example")
	path, n := approved(t)
	cora := open(t, path, coraPass)
	sent, err := cora.Send(context.Background(), n.ID, serverOf(sink, SecuritySTARTTLS), SendOptions{Obligation: "", Reason: "first try"})
	if !errors.Is(err, ErrSMTP) || !strings.Contains(message(err), "accepted 1 message(s), recorded as sent, and refused ciso@acme.example: recipient ciso@acme.example: 550 5.1.1 no such mailbox") {
		t.Fatalf("refused recipient: %q", message(err))
	}
	if len(sent.Notice.Sendings) != 1 || strings.Join(sent.Notice.Sendings[0].Recipients, ",") != "it-admin@acme.example,legal@custodia-corp.example" {
		t.Fatalf("recorded %+v", sent.Notice.Sendings)
	}

	before := head(t, cora)
	plain := casetest.StartSMTPSink(t, false)
	if _, err := cora.Send(context.Background(), n.ID, serverOf(plain, SecuritySTARTTLS), SendOptions{Obligation: "", Reason: "x"}); !errors.Is(err, ErrSMTP) ||
		!strings.Contains(message(err), "nothing was sent or recorded") {
		t.Fatalf("no STARTTLS: %q", message(err))
	}
	bad := serverOf(sink, SecuritySTARTTLS)
	bad.Password = "wrong"
	if _, err := cora.Send(context.Background(), n.ID, bad, SendOptions{Obligation: "", Reason: "x"}); !errors.Is(err, ErrSMTP) {
		t.Fatalf("wrong password: %v", err)
	}
	untrusted := serverOf(sink, SecuritySTARTTLS)
	untrusted.RootCAs = x509.NewCertPool()
	if _, err := cora.Send(context.Background(), n.ID, untrusted, SendOptions{Obligation: "", Reason: "x"}); !errors.Is(err, ErrSMTP) || !strings.Contains(message(err), "certificate") {
		t.Fatalf("untrusted certificate: %q", message(err))
	}
	for _, tc := range []struct {
		srv  SMTPServer
		want string
	}{
		{SMTPServer{Host: "localhost", Security: "ssl"}, `unknown SMTP security "ssl"; use starttls, tls or none`},
		{SMTPServer{Host: "localhost", Security: SecurityNone, Username: "u"}, "a password is not sent over an unencrypted connection; use --security starttls or tls"},
		{SMTPServer{Host: "smtp.example.org/x"}, `SMTP server "smtp.example.org/x": give a host name or address, e.g. smtp.example.org`},
		{SMTPServer{Host: "localhost", Port: 70000}, "SMTP port 70000: give a port from 1 to 65535"},
	} {
		if _, err := cora.Send(context.Background(), n.ID, tc.srv, SendOptions{Obligation: "", Reason: "x"}); message(err) != tc.want {
			t.Errorf("%+v: %q, want %q", tc.srv, message(err), tc.want)
		}
	}
	if _, err := cora.Send(context.Background(), uuid.New(), serverOf(sink, SecuritySTARTTLS), SendOptions{Obligation: "", Reason: "x"}); !errors.Is(err, ErrNoSuchNotice) {
		t.Fatalf("unknown notice: %v", err)
	}
	if _, err := cora.Send(context.Background(), n.ID, serverOf(sink, SecuritySTARTTLS), SendOptions{Reason: "x", Only: []string{"ceo@acme.example"}}); message(err) !=
		"ceo@acme.example is not a recipient of the notice (To: it-admin@acme.example, ciso@acme.example; Cc: legal@custodia-corp.example)" {
		t.Fatalf("only a stranger: %q", message(err))
	}
	if head(t, cora) != before {
		t.Fatal("a refused send wrote to the ledger")
	}
	if len(sink.Messages()) != 1 {
		t.Fatalf("server got %d messages", len(sink.Messages()))
	}

	// The refused recipient again, through another server, and only them:
	// nobody gets a second copy.
	other := casetest.StartSMTPSink(t, true)
	sent, err = cora.Send(context.Background(), n.ID, serverOf(other, SecuritySTARTTLS), SendOptions{Reason: "the refused one, through the backup relay", Only: []string{"ciso@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := other.Messages(); len(got) != 1 || strings.Join(got[0].Rcpts, ",") != "ciso@acme.example" {
		t.Fatalf("retry delivered %+v", got)
	}
	if ss := sent.Notice.Sendings; len(ss) != 2 || strings.Join(ss[1].Recipients, ",") != "ciso@acme.example" {
		t.Fatalf("sendings after the retry %+v", ss)
	}
}

// TestSendSettings: unencrypted only on this machine; two attachments of
// one name are refused.
func TestSendSettings(t *testing.T) {
	path, n := approved(t)
	cora := open(t, path, coraPass)
	if _, err := cora.Send(context.Background(), n.ID, SMTPServer{Host: "mail.example.org", Security: SecurityNone}, SendOptions{Reason: "x"}); message(err) !=
		"security none sends the notice, which holds case facts, unencrypted across the network; it is for a relay on this machine only (localhost): use starttls or tls for mail.example.org" {
		t.Fatalf("none to a remote host: %q", message(err))
	}
	atts := []Attachment{{Name: "report.pdf", Data: []byte("a")}, {Name: "report.pdf", Data: []byte("b")}}
	if _, err := cora.Send(context.Background(), n.ID, SMTPServer{Host: "localhost"}, SendOptions{Reason: "x", Attachments: atts}); message(err) !=
		`two attachments are named "report.pdf"; rename one, so that the recipient and the custody entry can tell them apart` {
		t.Fatalf("same names: %q", message(err))
	}
}

// TestAttachReport: an attached report travels in every message, intact,
// and its SHA-256 is in the custody entry.
func TestAttachReport(t *testing.T) {
	sink := casetest.StartSMTPSink(t, true)
	path, n := approved(t)
	cora := open(t, path, coraPass)
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 0xff, '\r', '\n', '.'}, 4000)...)
	att := Attachment{Name: "IR-2026-0042-intelligence.pdf", Data: pdf}
	if _, err := cora.Send(context.Background(), n.ID, serverOf(sink, SecuritySTARTTLS), SendOptions{Obligation: "", Reason: "with the report", Attachments: []Attachment{att}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range sink.Messages() {
		m := must(mail.ReadMessage(bytes.NewReader(r.Data)))(t)
		mt, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
		if mt != "multipart/mixed" {
			t.Fatalf("content type %s", mt)
		}
		mr := multipart.NewReader(m.Body, params["boundary"])
		var found bool
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			check(t, err)
			if p.FileName() == att.Name {
				if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "base64" {
					t.Fatalf("attachment encoded %q", cte)
				}
				b64 := strings.NewReplacer("\r", "", "\n", "").Replace(string(must(io.ReadAll(p))(t)))
				found = bytes.Equal(must(base64.StdEncoding.DecodeString(b64))(t), pdf)
			}
		}
		if !found {
			t.Fatal("the attachment is not in the message, or its bytes differ")
		}
	}
	es := must(cora.Case().Entries())(t)
	if e := es[len(es)-1]; e.Hashes["attachment:"+att.Name] != casefile.ContentHash(pdf) {
		t.Fatalf("entry hashes %v", e.Hashes)
	}
	if _, err := cora.Send(context.Background(), n.ID, serverOf(sink, SecuritySTARTTLS), SendOptions{Obligation: "", Reason: "x", Attachments: []Attachment{Attachment{Name: "../x.pdf", Data: pdf}}}); message(err) !=
		`attachment name "../x.pdf": give a file name without a folder or quotes` {
		t.Fatalf("path in name: %q", message(err))
	}
	if _, err := cora.Send(context.Background(), n.ID, serverOf(sink, SecuritySTARTTLS), SendOptions{Obligation: "", Reason: "x", Attachments: []Attachment{Attachment{Name: "big.bin", Data: make([]byte, MaxAttachmentBytes+1)}}}); !errors.Is(err, casefile.ErrInvalid) {
		t.Fatalf("too big: %v", err)
	}
}
