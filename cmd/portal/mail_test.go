package main

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
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// smtpSink is a real SMTP server on loopback that keeps what it receives.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	msgs []*mail.Message
	tls  []bool // per message: whether it came over TLS
}

// startSMTPSink starts the sink; with tlsConfig it offers STARTTLS.
func startSMTPSink(t *testing.T, tlsConfig ...*tls.Config) *smtpSink {
	t.Helper()
	sink := &smtpSink{}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &sinkSession{sink: sink, conn: c}, nil
	}))
	srv.Domain = "localhost"
	if len(tlsConfig) > 0 {
		srv.TLSConfig = tlsConfig[0]
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return sink
}

func (s *smtpSink) messages() []*mail.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*mail.Message(nil), s.msgs...)
}

type sinkSession struct {
	sink *smtpSink
	conn *gosmtp.Conn
}

func (*sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (*sinkSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (*sinkSession) Reset()                                 {}
func (*sinkSession) Logout() error                          { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	m.Body = strings.NewReader(string(body))
	_, overTLS := s.conn.TLSConnectionState()
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	s.sink.msgs = append(s.sink.msgs, m)
	s.sink.tls = append(s.sink.tls, overTLS)
	return nil
}

// textPart returns the plain-text part of a multipart/alternative message,
// decoded, and whether it also has an HTML part.
func textPart(t *testing.T, m *mail.Message) (text string, hasHTML bool) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			return text, hasHTML
		}
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		switch p.Header.Get("Content-Type") {
		case "text/plain; charset=utf-8":
			text = strings.ReplaceAll(string(body), "\r\n", "\n")
		case "text/html; charset=utf-8":
			hasHTML = len(body) > 0
		}
	}
}

// TestTrainingMailArrives starts the portal with an SMTP server: the demo
// company's HR assigned the code of conduct programme to two departments,
// so their members get one mail each listing the modules, through the
// reminder job, the outbox and the mail worker.
func TestTrainingMailArrives(t *testing.T) {
	sink := startSMTPSink(t)
	startPortal(t, "-smtp-url", "smtp://"+sink.addr+"?from=advocacy@demo.example")

	// Digests of the demo posts go out too; this test is about training.
	dec := new(mime.WordDecoder)
	training := func() []*mail.Message {
		var out []*mail.Message
		for _, m := range sink.messages() {
			if subject, _ := dec.DecodeHeader(m.Header.Get("Subject")); subject == "New training for you" {
				out = append(out, m)
			}
		}
		return out
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(training()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	msgs := training()
	if len(msgs) != 2 {
		t.Fatalf("%d training mails arrived, want 2 (Sam Patel and Noor de Vries)", len(msgs))
	}
	got := map[string]string{}
	for _, m := range msgs {
		subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("Subject %q: %v", m.Header.Get("Subject"), err)
		}
		body, hasHTML := textPart(t, m)
		to, err := mail.ParseAddress(m.Header.Get("To"))
		if err != nil {
			t.Fatalf("To %q: %v", m.Header.Get("To"), err)
		}
		got[to.Address] = subject + "\n" + body
		if from := m.Header.Get("From"); !strings.Contains(from, "advocacy@demo.example") {
			t.Errorf("From = %q", from)
		}
		if to.Name == "" || !hasHTML || m.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("mail to %s: display name %q, HTML part %v, Auto-Submitted %q", to.Address, to.Name, hasHTML,
				m.Header.Get("Auto-Submitted"))
		}
	}
	for _, to := range []string{"sam.patel@demo.example", "noor.devries@demo.example"} {
		text, ok := got[to]
		if !ok {
			t.Errorf("no mail to %s; got mail to %v", to, keys(got))
			continue
		}
		if !strings.HasPrefix(text, "New training for you\n") || strings.Count(text, "\n- ") != 7 || !strings.Contains(text, "/training") {
			t.Errorf("mail to %s does not list the 7 modules with a link:\n%s", to, text)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(training()); n != 2 {
		t.Errorf("%d training mails after a while, want still 2: a reminder went out twice", n)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// testCA makes a certificate authority for one test and a certificate for
// 127.0.0.1 that it signed; it returns the CA's certificate as PEM and a
// server configuration serving the signed one.
func testCA(t *testing.T) (caPEM []byte, server *tls.Config) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Demo Company Root CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "relay.demo.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		&tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// TestMailThroughRelayWithPrivateCA starts the portal with a relay whose
// certificate a private CA signed, TLS required, and the CA given with
// -smtp-ca-file: the mail goes out over TLS.
func TestMailThroughRelayWithPrivateCA(t *testing.T) {
	caPEM, serverTLS := testCA(t)
	caFile := filepath.Join(t.TempDir(), "company-ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	sink := startSMTPSink(t, serverTLS)
	startPortal(t, "-smtp-url", "smtp://"+sink.addr+"?from=advocacy@demo.example&tls=required", "-smtp-ca-file", caFile)
	for deadline := time.Now().Add(20 * time.Second); len(sink.messages()) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no mail arrived in 20s through the relay with a private CA")
		}
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	for i, overTLS := range sink.tls {
		if !overTLS {
			t.Errorf("mail %d came without TLS", i)
		}
	}
}

// TestSMTPCAFileIsChecked: the portal refuses to start with a CA file it
// cannot read or that holds no certificate, and says which setting is wrong.
func TestSMTPCAFileIsChecked(t *testing.T) {
	caPEM, _ := testCA(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("ca.pem", caPEM)
	tests := []struct {
		name    string
		env     env
		wantErr []string // nil: no error
	}{
		{"a good file", env{"PORTAL_SMTP_URL": "smtp://relay.internal?from=a@example.com", "PORTAL_SMTP_CA_FILE": good}, nil},
		{"missing", env{"PORTAL_SMTP_URL": "smtp://relay.internal?from=a@example.com", "PORTAL_SMTP_CA_FILE": filepath.Join(dir, "nope.pem")},
			[]string{"-smtp-ca-file", "no such file"}},
		{"no certificate", env{"PORTAL_SMTP_URL": "smtp://relay.internal?from=a@example.com", "PORTAL_SMTP_CA_FILE": write("empty.pem", []byte("not a certificate\n"))},
			[]string{"-smtp-ca-file", "holds no PEM certificate"}},
		{"without an SMTP URL", env{"PORTAL_SMTP_CA_FILE": good}, []string{"-smtp-ca-file needs -smtp-url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(nil, tt.env.get, io.Discard)
			if tt.wantErr == nil {
				if err != nil || c.SMTPCAFile != good {
					t.Fatalf("parseConfig = %q, %v; want the CA file taken", c.SMTPCAFile, err)
				}
				return
			}
			if err == nil {
				t.Fatal("parseConfig: no error")
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}
