package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
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
	"check the server, port, security and account (custodiactl notice send --help); the messages it accepted are recorded as sent, send the others again or export them (notice export) and send them by hand")

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
	if srv.Timeout <= 0 {
		srv.Timeout = 30 * time.Second
	}
	return nil
}

// Address is host:port.
func (srv SMTPServer) Address() string { return net.JoinHostPort(srv.Host, strconv.Itoa(srv.Port)) }

// Sent is what Send did: each message the server accepted (Path is
// empty: nothing is written to disk) and, per recipient, why the others
// were refused.
type Sent struct {
	Notice   Notice
	Accepted []EML
	Refused  map[string]string
}

// Send sends approved notice id through the mail server srv: one message
// per To recipient, byte for byte what Export writes (the first one also
// goes to the Cc recipients, whom every copy names), with the attachments.
// The recipients the server accepted are recorded as one sending (channel
// email), with each message's SHA-256 and the server in the custody entry,
// meeting obligation of the notice's regime when given. When the server
// refuses some, those are named in an ErrSMTP error and the others stay
// recorded; when it accepts none, nothing is recorded.
func (s *Store) Send(ctx context.Context, id uuid.UUID, srv SMTPServer, obligation, reason string, atts ...Attachment) (Sent, error) {
	const what = "send notice"
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
		return Sent{}, fmt.Errorf("%s: %w", what, err)
	}

	refused := map[string]string{}
	var accepted []EML
	var rcpts []string
	if err := deliver(ctx, srv, n, msgs, func(i int, err error) {
		if err != nil {
			refused[n.To[i]] = err.Error()
			if i == 0 {
				for _, cc := range n.Cc {
					refused[cc] = err.Error()
				}
			}
			return
		}
		accepted = append(accepted, EML{To: n.To[i], SHA256: casefile.ContentHash(msgs[i])})
		rcpts = append(rcpts, n.To[i])
		if i == 0 {
			rcpts = append(rcpts, n.Cc...)
		}
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
		return Sent{}, fmt.Errorf("%s: %w", what, err)
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

// deliver opens one connection to srv and hands it message i for n.To[i]
// (the first one also for n.Cc), exactly the bytes given, reporting each
// message's outcome to done. An error means the connection itself failed
// before any message was handed over.
func deliver(ctx context.Context, srv SMTPServer, n Notice, msgs [][]byte, done func(i int, err error)) error {
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
	if d := strings.LastIndexByte(n.From, '@'); d >= 0 {
		opts = append(opts, mail.WithHELO(n.From[d+1:]))
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
		rcpts := []string{n.To[i]}
		if i == 0 {
			rcpts = append(rcpts, n.Cc...)
		}
		err := func() error {
			if err := sc.Mail(n.From); err != nil {
				return fmt.Errorf("sender %s: %w", n.From, reply(err))
			}
			for _, r := range rcpts {
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
