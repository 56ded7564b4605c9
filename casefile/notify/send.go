package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
	mail "github.com/wneessen/go-mail"
)

// SMTP security modes.
const (
	SecuritySTARTTLS = "starttls" // plain connection upgraded with STARTTLS, which the server must offer (port 587)
	SecurityTLS      = "tls"      // TLS from the first byte (port 465)
	SecurityNone     = "none"     // no encryption: only for a relay on this machine or a test server
)

// SMTPServer is the mail server a person configures to send notices
// through. Nothing of it is stored in the case; the custody entry names
// the host, port and security only.
type SMTPServer struct {
	Host     string
	Port     int    // 0: 587 with starttls, 465 with tls, 25 with none
	Security string // SecuritySTARTTLS (the default when empty), SecurityTLS or SecurityNone
	// Username and Password authenticate (PLAIN or LOGIN, as the server
	// offers) when Username is set; the server must be encrypted then.
	Username, Password string
	// RootCAs verifies the server's certificate; nil: the system's roots.
	RootCAs *x509.CertPool
	Timeout time.Duration // per connection; 0: 30 s
}

// Securities lists the SMTP security modes.
var Securities = []string{SecuritySTARTTLS, SecurityTLS, SecurityNone}

// ErrSMTP means the mail server could not be reached or refused a
// message; what it refused is named, and what it accepted was recorded.
var ErrSMTP = casefile.NewKind("notify", "the mail server did not take every message",
	"check the server, port, security and account (custodiactl notice send --help); the messages it accepted are recorded as sent: send to the others only (notice send --to ADDRESS; Only to in the program), or export them (notice export) and send them by hand")

// check fills the defaults and checks the configuration.
func (srv *SMTPServer) check() error {
	if err := casefile.CheckLine("SMTP server", srv.Host, true, 255); err != nil {
		return err
	}
	if strings.ContainsAny(srv.Host, " /") {
		return casefile.Invalidf("SMTP server %q: give a host name or address, e.g. smtp.example.org", srv.Host)
	}
	if srv.Security == "" {
		srv.Security = SecuritySTARTTLS
	}
	if !slices.Contains(Securities, srv.Security) {
		return casefile.Invalidf("unknown SMTP security %q; use starttls, tls or none", srv.Security)
	}
	if srv.Port == 0 {
		srv.Port = map[string]int{SecuritySTARTTLS: 587, SecurityTLS: 465, SecurityNone: 25}[srv.Security]
	}
	if srv.Port < 1 || srv.Port > 65535 {
		return casefile.Invalidf("SMTP port %d: give a port from 1 to 65535", srv.Port)
	}
	if srv.Username != "" && srv.Security == SecurityNone {
		return casefile.Invalidf("a password is not sent over an unencrypted connection; use --security starttls or tls")
	}
	if srv.Security == SecurityNone && !isLoopback(srv.Host) {
		return casefile.Invalidf("security none sends the notice, which holds case facts, unencrypted across the network; it is for a relay on this machine only (localhost): use starttls or tls for %s", srv.Host)
	}
	if srv.Timeout <= 0 {
		srv.Timeout = 30 * time.Second
	}
	return nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Address is host:port.
func (srv SMTPServer) Address() string { return net.JoinHostPort(srv.Host, strconv.Itoa(srv.Port)) }

// SendOptions are what a person gives with a sending besides the server.
type SendOptions struct {
	Obligation  string // the regime obligation it meets, as package regime names it; optional
	Reason      string
	Attachments []Attachment
	// Only restricts the sending to these of the notice's To and Cc
	// recipients (e.g. those a server refused the first time); empty: all.
	Only []string
}

// Sent is what Send did: each message the server accepted (Path is
// empty: nothing is written to disk) and, per recipient, why the others
// were refused.
type Sent struct {
	Notice   Notice
	Accepted []EML
	Refused  map[string]string
}

// Send sends approved notice id through the mail server srv: one message
// per To recipient, what Export writes (byte for byte without
// attachments; the first one also goes to the Cc recipients, whom every
// copy names), with so's attachments, to all or to so.Only. The recipients
// the server accepted are recorded as one sending (channel email), with
// each message's SHA-256 and the server in the custody entry, meeting
// so.Obligation of the notice's regime when given. When the server refuses
// some, those are named in an ErrSMTP error and the others stay recorded;
// when it accepts none, nothing is recorded. When messages went out but
// could not be recorded, the error says so and Sent still lists them.
func (s *Store) Send(ctx context.Context, id uuid.UUID, srv SMTPServer, so SendOptions) (Sent, error) {
	const what = "send notice"
	obligation, reason, atts := so.Obligation, so.Reason, so.Attachments
	if err := srv.check(); err != nil {
		return Sent{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := checkAttachments(atts); err != nil {
		return Sent{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := casefile.CheckReason(reason); err != nil {
		return Sent{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.require(what, casefile.PermNoticeSend); err != nil {
		return Sent{}, err
	}
	// Build the messages from what the case says now, without holding a
	// transaction open while the network is slow.
	var n Notice
	var msgs [][]byte
	var at time.Time
	err := s.c.Read(what, func(r casefile.Reader) error {
		var err error
		if n, err = readNotice(r, id); err != nil {
			return err
		}
		if _, err := checkSendable(r, n); err != nil {
			return err
		}
		if len(n.To) == 0 {
			return casefile.Invalidf("the notice has no recipient; set them (notice edit --to ADDRESS)")
		}
		if err := checkObligation(n.Regime, obligation); err != nil {
			return err
		}
		for _, o := range so.Only {
			if !slices.Contains(n.To, o) && !slices.Contains(n.Cc, o) {
				return casefile.Invalidf("%s is not a recipient of the notice (To: %s; Cc: %s)", o, strings.Join(n.To, ", "), orNoneText(strings.Join(n.Cc, ", ")))
			}
		}
		at = r.Now()
		msgs = make([][]byte, len(n.To))
		for i, to := range n.To {
			if msgs[i], err = Message(n, to, i+1, at, atts...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Sent{}, err // Read names what was being done
	}

	// Each message's envelope: its To recipient, and with the first one the
	// Cc recipients; only those of so.Only when given.
	envelopes := make([][]string, len(msgs))
	want := func(a string) bool { return len(so.Only) == 0 || slices.Contains(so.Only, a) }
	for i, to := range n.To {
		if want(to) {
			envelopes[i] = append(envelopes[i], to)
		}
		if i == 0 {
			for _, cc := range n.Cc {
				if want(cc) {
					envelopes[i] = append(envelopes[i], cc)
				}
			}
		}
	}
	refused := map[string]string{}
	var accepted []EML
	var rcpts []string
	if err := deliver(ctx, srv, n.From, msgs, envelopes, func(i int, err error) {
		if err != nil {
			for _, a := range envelopes[i] {
				refused[a] = err.Error()
			}
			return
		}
		accepted = append(accepted, EML{To: n.To[i], SHA256: casefile.ContentHash(msgs[i])})
		rcpts = append(rcpts, envelopes[i]...)
	}); err != nil {
		return Sent{}, fmt.Errorf("%s: %w", what, ErrSMTP.Errorf("%s (%s): %v; nothing was sent or recorded", srv.Address(), srv.Security, err))
	}
	if len(accepted) == 0 {
		return Sent{Refused: refused}, fmt.Errorf("%s: %w", what, ErrSMTP.Errorf("%s refused every message (%s); nothing was recorded", srv.Address(), refusals(refused)))
	}

	err = s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		cur, err := readNotice(tx, id)
		if err != nil {
			return casefile.Event{}, err
		}
		if cur.Revision != n.Revision {
			return casefile.Event{}, casefile.Invalidf("the notice was revised (revision %d) while revision %d was being sent; the messages went out: record them with 'notice sent'", cur.Revision, n.Revision)
		}
		n = cur
		hashes := attachmentHashes(atts)
		for _, e := range accepted {
			hashes["message:"+e.To] = e.SHA256
		}
		sd := Sending{Revision: n.Revision, At: at, Channel: "email", Recipients: rcpts, Regime: n.Regime, Obligation: obligation,
			Reason: reason, Attribution: stamp(tx, casefile.PermNoticeSend)}
		extra := map[string]string{"via": "smtp " + srv.Address() + " " + srv.Security, "messages": fmt.Sprint(len(accepted))}
		if len(refused) > 0 {
			extra["refused"] = casefile.Brief(refusals(refused))
		}
		return recordSending(tx, &n, sd, hashes, extra)
	})
	if err != nil {
		return Sent{Accepted: accepted, Refused: refused}, fmt.Errorf("%s: %w", what, ErrSMTP.Errorf(
			"%d message(s) were delivered to %s but could not be recorded (%v); record the sending with 'notice sent' (Mark sent…), naming those recipients",
			len(accepted), strings.Join(rcpts, ", "), personText(err)))
	}
	out := Sent{Notice: n, Accepted: accepted, Refused: refused}
	if len(refused) > 0 {
		return out, fmt.Errorf("%s: %w", what, ErrSMTP.Errorf("%s accepted %d message(s), recorded as sent, and refused %s", srv.Address(), len(accepted), refusals(refused)))
	}
	return out, nil
}

// refusals lists the refused recipients with the server's reasons, sorted.
func refusals(refused map[string]string) string {
	keys := make([]string, 0, len(refused))
	for k := range refused {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		keys[i] = k + ": " + refused[k]
	}
	return strings.Join(keys, "; ")
}

// deliver opens one connection to srv and hands it message i for the
// recipients envelopes[i] (a message with none is skipped), exactly the
// bytes given, reporting each message's outcome to done. Each message has
// srv.Timeout, and a second more per 64 KiB, from its first command. An
// error means the connection itself failed before any message was handed
// over.
func deliver(ctx context.Context, srv SMTPServer, from string, msgs [][]byte, envelopes [][]string, done func(i int, err error)) error {
	opts := []mail.Option{mail.WithPort(srv.Port), mail.WithTimeout(srv.Timeout),
		mail.WithTLSConfig(&tls.Config{ServerName: srv.Host, RootCAs: srv.RootCAs, MinVersion: tls.VersionTLS12})}
	switch srv.Security {
	case SecurityTLS:
		opts = append(opts, mail.WithSSL())
	case SecurityNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if srv.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(srv.Username), mail.WithPassword(srv.Password))
	}
	if d := strings.LastIndexByte(from, '@'); d >= 0 {
		opts = append(opts, mail.WithHELO(from[d+1:]))
	}
	cl, err := mail.NewClient(srv.Host, opts...)
	if err != nil {
		return err
	}
	sc, err := cl.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return err
	}
	defer cl.CloseWithSMTPClient(sc)
	for i, msg := range msgs {
		if len(envelopes[i]) == 0 {
			continue
		}
		err := func() error {
			if err := sc.UpdateDeadline(srv.Timeout + time.Duration(len(msg)>>16)*time.Second); err != nil {
				return err
			}
			if err := sc.Mail(from); err != nil {
				return fmt.Errorf("sender %s: %w", from, reply(err))
			}
			for _, r := range envelopes[i] {
				if err := sc.Rcpt(r); err != nil {
					return fmt.Errorf("recipient %s: %w", r, reply(err))
				}
			}
			w, err := sc.Data()
			if err != nil {
				return reply(err)
			}
			if _, err := w.Write(msg); err != nil {
				w.Close()
				return reply(err)
			}
			return reply(w.Close())
		}()
		if err != nil {
			if rerr := sc.Reset(); rerr != nil && !errors.Is(rerr, err) {
				err = fmt.Errorf("%w (and the connection could not be reset: %v)", err, rerr)
			}
		}
		done(i, err)
	}
	return nil
}

// orNoneText is s, or "none".
func orNoneText(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// serverReply is an SMTP server's refusal as a person reads it: its code
// and text, without Go's quoting, control characters dropped.
type serverReply struct {
	code int
	msg  string
}

func (e serverReply) Error() string { return fmt.Sprintf("%03d %s", e.code, e.msg) }

// reply turns the server's refusal in err into a serverReply.
func reply(err error) error {
	var te *textproto.Error
	if !errors.As(err, &te) {
		return err
	}
	return serverReply{te.Code, strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, te.Msg)}
}

// personText is what a person reads of err.
func personText(err error) string {
	msg, _, _ := casefile.Explain(err)
	return msg
}

// ReadCertPool reads the PEM file of the certificates to trust for a mail
// server (at most 1 MiB).
func ReadCertPool(path string) (*x509.CertPool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read certificates: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20+1))
	if err != nil {
		return nil, fmt.Errorf("read certificates %s: %w", path, err)
	}
	if len(b) > 1<<20 {
		return nil, casefile.Invalidf("%s is larger than 1 MiB; give the PEM file of the server's certificate or its CA's", path)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, casefile.Invalidf("%s holds no PEM certificate; give the server's certificate or its CA's, in PEM", path)
	}
	return pool, nil
}
