package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"time"
)

// The client side is the standard library's net/smtp: it is frozen but
// complete for what we need (EHLO, STARTTLS, AUTH PLAIN, dot-stuffed DATA),
// it works on any net.Conn we dial ourselves, which gives us deadlines and
// cancellation, and its PlainAuth already refuses to send credentials in
// clear text to anything but localhost. A client of our own would be more
// code to get wrong; a third-party one would be a dependency to earn.

// defaultSendTimeout bounds a send whose context has no deadline.
const defaultSendTimeout = time.Minute

// SMTP is a Sender that delivers through one SMTP server. Build it with
// ParseSMTPURL. It keeps no connection open between sends and is safe for
// concurrent use.
type SMTP struct {
	// TLSConfig, if not nil, is used for STARTTLS and implicit TLS instead
	// of the defaults (system roots, ServerName set to the host, TLS 1.2 at
	// least). TrustCAFile sets its roots for a relay with a private CA;
	// tests use it to trust their own certificate.
	TLSConfig *tls.Config

	url         *url.URL // for String, password redacted there
	host        string
	addr        string // host:port
	implicitTLS bool   // smtps://
	requireTLS  bool   // ?tls=required
	username    string
	password    string
	from        *netmail.Address
}

// ParseSMTPURL reads the SMTP server to send through from a URL:
//
//	smtp://user:pass@host:587?from=portal@example.com  STARTTLS when offered
//	smtp://…?from=…&tls=required                       refuse to send without STARTTLS
//	smtps://user:pass@host?from=…                      implicit TLS
//	smtp://relay.internal:25?from=…                    local relay, no credentials
//
// The default port is 465 for smtps, 587 for smtp with credentials and 25
// without. from may include a display name ("Portal <portal@example.com>",
// URL-encoded). Credentials are only ever sent over TLS, or in clear text to
// a loopback host.
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("mail: bad SMTP URL: %w", redactURLError(err))
	}
	s := &SMTP{url: u, host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.implicitTLS = true
	default:
		return nil, fmt.Errorf("mail: SMTP URL scheme is %q, want smtp or smtps", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("mail: SMTP URL has no host")
	}
	if u.User != nil {
		s.username = u.User.Username()
		s.password, _ = u.User.Password()
		if s.username == "" {
			return nil, errors.New("mail: SMTP URL has a password but no user name")
		}
	}
	port := u.Port()
	switch {
	case port != "":
	case s.implicitTLS:
		port = "465"
	case s.username != "":
		port = "587"
	default:
		port = "25"
	}
	s.addr = net.JoinHostPort(s.host, port)

	q := u.Query()
	for key := range q {
		if key != "from" && key != "tls" {
			return nil, fmt.Errorf("mail: SMTP URL has unknown parameter %q (want from, tls)", key)
		}
	}
	switch q.Get("tls") {
	case "":
	case "required":
		s.requireTLS = true
	default:
		return nil, fmt.Errorf("mail: SMTP URL has tls=%q, want tls=required or no tls parameter", q.Get("tls"))
	}
	from := q.Get("from")
	if from == "" {
		return nil, errors.New("mail: SMTP URL has no from address (add ?from=portal@example.com)")
	}
	if s.from, err = netmail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail: SMTP URL from address %q: %w", from, err)
	}
	return s, nil
}

// redactURLError keeps a password in a malformed URL out of error messages.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// String returns the server's URL with the password hidden, for logs.
func (s *SMTP) String() string { return s.url.Redacted() }

// Send delivers m, within ctx's deadline (one minute if it has none). It
// upgrades to TLS when the server offers STARTTLS, and fails without sending
// when TLS is required but not offered, or when credentials would otherwise
// cross an unencrypted connection to a host that is not loopback.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	to, msg, err := s.build(m, time.Now())
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultSendTimeout)
		defer cancel()
	}
	conn, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("mail: %s: %w", s.addr, err)
	}
	// A cancelled context stops a send in progress by expiring the deadline.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if err := s.deliver(conn, to, msg); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("mail: %s: %w (%w)", s.addr, ctx.Err(), err)
		}
		return fmt.Errorf("mail: %s: %w", s.addr, err)
	}
	return nil
}

func (s *SMTP) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{}
	var conn net.Conn
	var err error
	if s.implicitTLS {
		td := &tls.Dialer{NetDialer: d, Config: s.tlsConfig()}
		conn, err = td.DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("mail: connect to %s: %w", s.addr, explainTLS(err))
	}
	return conn, nil
}

func (s *SMTP) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if cfg.ServerName == "" {
		cfg.ServerName = s.host
	}
	return cfg
}

// TrustCAFile makes the sender trust, beside the system's roots, the
// certificates in the PEM file at path: for a relay whose certificate a
// private CA signed. Call it before the first Send. It fails, changing
// nothing, when the file cannot be read or holds no certificate.
func (s *SMTP) TrustCAFile(path string) error {
	pool, err := LoadCAFile(path)
	if err != nil {
		return err
	}
	cfg := &tls.Config{}
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	}
	cfg.RootCAs = pool
	s.TLSConfig = cfg
	return nil
}

// LoadCAFile returns the system's trusted roots (none, where the system
// has no store) with every certificate in the PEM file at path added. It
// fails when the file cannot be read, or holds no certificate or a block
// that is not one.
func LoadCAFile(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	n := 0
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("mail: SMTP CA file %s holds a %q block; want only certificates (BEGIN CERTIFICATE)", path, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("mail: SMTP CA file %s: certificate %d: %w", path, n+1, err)
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("mail: SMTP CA file %s holds no PEM certificate (BEGIN CERTIFICATE)", path)
	}
	return pool, nil
}

// explainTLS adds what to do to a TLS error an administrator can fix: a
// certificate no trusted authority signed, or one for another host.
func explainTLS(err error) error {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("the server's certificate is not signed by an authority this portal trusts (%w); "+
			"if the relay uses a private CA, give its certificate with -smtp-ca-file (PORTAL_SMTP_CA_FILE)", err)
	case errors.As(err, &host):
		return fmt.Errorf("the server's certificate is not for the host in the SMTP URL (%w)", err)
	}
	return err
}

// deliver speaks SMTP on conn to send msg to the envelope recipient to.
func (s *SMTP) deliver(conn net.Conn, to string, msg []byte) error {
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if !s.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig()); err != nil {
				return fmt.Errorf("STARTTLS: %w", explainTLS(err))
			}
		} else if s.requireTLS {
			return errors.New("server does not offer STARTTLS and the URL has tls=required")
		}
	}
	if s.username != "" {
		_, encrypted := c.TLSConnectionState()
		if !credentialsAllowed(s.host, encrypted) {
			return errors.New("refusing to send credentials over an unencrypted connection")
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("server does not offer AUTH but the URL has credentials")
		}
		if err := c.Auth(smtp.PlainAuth("", s.username, s.password, s.host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return c.Quit()
}

// credentialsAllowed reports whether a password may be sent to host: always
// over TLS, in clear text only to a loopback host (the same hosts net/smtp's
// PlainAuth accepts).
func credentialsAllowed(host string, encrypted bool) bool {
	return encrypted || host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// ErrHeaderInjection is returned, wrapped, for a recipient, name, subject,
// language or unsubscribe address that contains a line break.
var ErrHeaderInjection = errors.New("line break in a header field")

// build checks m and renders it as an RFC 5322 message with CRLF line
// endings, returning the bare recipient address for the envelope.
func (s *SMTP) build(m Message, now time.Time) (to string, msg []byte, err error) {
	for _, f := range []struct{ name, value string }{
		{"recipient", m.To}, {"recipient name", m.ToName}, {"subject", m.Subject},
		{"language", m.Lang}, {"unsubscribe address", m.Unsubscribe},
	} {
		if strings.ContainsAny(f.value, "\r\n") {
			return "", nil, fmt.Errorf("mail: %s: %w", f.name, ErrHeaderInjection)
		}
	}
	rcpt, err := netmail.ParseAddress(m.To)
	if err != nil {
		return "", nil, fmt.Errorf("mail: recipient %q: %w", m.To, err)
	}
	if name := strings.TrimSpace(m.ToName); name != "" {
		rcpt.Name = name
	}
	if m.Lang != "" && !validLanguageTag(m.Lang) {
		return "", nil, fmt.Errorf("mail: language %q is not a language tag like nl or en-GB", m.Lang)
	}
	if m.Unsubscribe != "" && !validUnsubscribe(m.Unsubscribe) {
		return "", nil, fmt.Errorf("mail: unsubscribe address %q is not an absolute http(s) URL", m.Unsubscribe)
	}
	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("From", s.from.String())
	header("To", rcpt.String()) // quoted, or RFC 2047 encoded when not ASCII
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+rand.Text()+"@"+domainOf(s.from.Address)+">")
	header("MIME-Version", "1.0")
	// Every mail the portal sends is written by a program (RFC 3834), so
	// vacation and out-of-office replies should not answer it; Exchange
	// and Outlook read their own header for the same thing.
	header("Auto-Submitted", "auto-generated")
	header("X-Auto-Response-Suppress", "All")
	if m.Lang != "" {
		header("Content-Language", m.Lang)
	}
	if m.Unsubscribe != "" {
		// One click (RFC 8058): the mail client POSTs
		// List-Unsubscribe=One-Click to the address, without a session.
		header("List-Unsubscribe", "<"+m.Unsubscribe+">")
		header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	if m.HTML == "" {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQuotedPrintable(&b, m.Body); err != nil {
			return "", nil, err
		}
		return rcpt.Address, b.Bytes(), nil
	}
	// The plain text first and the HTML last: a client shows the last
	// alternative it can (RFC 2046, section 5.1.4).
	parts := multipart.NewWriter(&b)
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": parts.Boundary()}))
	b.WriteString("\r\n")
	for _, p := range []struct{ contentType, body string }{
		{"text/plain; charset=utf-8", m.Body}, {"text/html; charset=utf-8", m.HTML},
	} {
		w, err := parts.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.contentType},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return "", nil, fmt.Errorf("mail: encode body: %w", err)
		}
		if err := writeQuotedPrintable(w, p.body); err != nil {
			return "", nil, err
		}
	}
	if err := parts.Close(); err != nil {
		return "", nil, fmt.Errorf("mail: encode body: %w", err)
	}
	b.WriteString("\r\n")
	return rcpt.Address, b.Bytes(), nil
}

// writeQuotedPrintable writes body quoted-printable, ending in a line
// break; the encoder turns \n and \r\n into CRLF.
func writeQuotedPrintable(w io.Writer, body string) error {
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, body); err != nil {
		return fmt.Errorf("mail: encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("mail: encode body: %w", err)
	}
	return nil
}

// validLanguageTag reports whether tag looks like a language tag (letters,
// digits and hyphens), which is all a header needs.
func validLanguageTag(tag string) bool {
	if len(tag) > 35 {
		return false
	}
	for _, r := range tag {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// validUnsubscribe reports whether raw can go between the angle brackets
// of List-Unsubscribe: an absolute http(s) URL without spaces or brackets.
func validUnsubscribe(raw string) bool {
	if strings.ContainsAny(raw, " \t<>\"") {
		return false
	}
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return addr[i+1:]
	}
	return "localhost"
}
