package casetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPSink is a local SMTP server started by a test: STARTTLS with a
// certificate of its own, PLAIN authentication, and every message kept.
type SMTPSink struct {
	// Refuse are the recipients the server refuses (550 5.1.1); set when
	// it starts.
	Refuse []string
	// User and Password are the account PLAIN authentication accepts.
	User, Password string
	// Roots trusts the server's certificate (nil without TLS).
	Roots *x509.CertPool
	// CertPEM is the server's certificate in PEM (nil without TLS).
	CertPEM []byte
	// Port is where it listens on 127.0.0.1.
	Port int

	srv *smtp.Server

	mu  sync.Mutex
	got []Received
}

// Received is one message the sink was handed: the envelope sender and
// recipients, the bytes, and whether the session authenticated.
type Received struct {
	From          string
	Rcpts         []string
	Data          []byte
	Authenticated bool
}

type smtpSession struct {
	s   *SMTPSink
	cur Received
}

func (b *SMTPSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: b}, nil }

func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (ss *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.User || pass != ss.s.Password {
			return errors.New("invalid credentials")
		}
		ss.cur.Authenticated = true
		return nil
	}), nil
}
func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error { ss.cur.From = from; return nil }
func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if slices.Contains(ss.s.Refuse, to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	ss.cur.Rcpts = append(ss.cur.Rcpts, to)
	return nil
}
func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.Data = data
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, ss.cur)
	ss.s.mu.Unlock()
	ss.cur = Received{Authenticated: ss.cur.Authenticated}
	return nil
}
func (ss *smtpSession) Reset()        { ss.cur = Received{Authenticated: ss.cur.Authenticated} }
func (ss *smtpSession) Logout() error { return nil }

// StartSMTPSink starts the server on 127.0.0.1, closed when the test
// ends, refusing the recipients refuse; withTLS false offers no STARTTLS
// (and allows authentication without it).
func StartSMTPSink(t testing.TB, withTLS bool, refuse ...string) *SMTPSink {
	t.Helper()
	b, err := NewSMTPSink(withTLS, refuse...)
	if err != nil {
		t.Skipf("cannot start a local SMTP server: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// NewSMTPSink is StartSMTPSink for code without a testing.TB (test
// scripts); Close stops it.
func NewSMTPSink(withTLS bool, refuse ...string) (*SMTPSink, error) {
	b := &SMTPSink{User: "ir-mailer", Password: "s3cret", Refuse: refuse}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	if withTLS {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return nil, err
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		b.Roots = x509.NewCertPool()
		b.Roots.AddCert(cert)
		b.CertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	} else {
		srv.AllowInsecureAuth = true
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b.Port = l.Addr().(*net.TCPAddr).Port
	b.srv = srv
	go srv.Serve(l)
	return b, nil
}

// Close stops the server.
func (b *SMTPSink) Close() error { return b.srv.Close() }

// Messages returns the messages received so far, in order.
func (b *SMTPSink) Messages() []Received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Received(nil), b.got...)
}
