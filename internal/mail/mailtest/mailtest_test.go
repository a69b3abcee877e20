package mailtest_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/advocacy-portal/portal/internal/mail/mailtest"
)

const letter = "Subject: Hi\r\n\r\nHello\r\n"

// send dials, authenticates when auth is not nil, and delivers letter
// from a@example.com to b@example.com; it returns the first error.
func send(tb testing.TB, dial func() (*gosmtp.Client, error), auth sasl.Client) error {
	tb.Helper()
	c, err := dial()
	if err != nil {
		return err
	}
	defer func() {
		if err := c.Close(); err != nil {
			tb.Errorf("close client: %v", err)
		}
	}()
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return err
		}
	}
	return c.SendMail("a@example.com", []string{"b@example.com"}, strings.NewReader(letter))
}

func plain(addr string) func() (*gosmtp.Client, error) {
	return func() (*gosmtp.Client, error) { return gosmtp.Dial(addr) }
}

// TestServerKeepsWhatItAccepts: over clear text, STARTTLS and implicit TLS
// the server keeps the envelope, the data and whether TLS was used; it
// needs the password when it has one.
func TestServerKeepsWhatItAccepts(t *testing.T) {
	ca := mailtest.NewCA(t)
	tests := []struct {
		name    string
		opts    mailtest.Options
		tls     func(addr string, config *tls.Config) (*gosmtp.Client, error) // nil: clear text
		auth    sasl.Client
		wantTLS bool
		wantErr bool
	}{
		{name: "clear text"},
		{name: "STARTTLS", opts: mailtest.Options{TLSConfig: ca.Server}, tls: gosmtp.DialStartTLS, wantTLS: true},
		{name: "implicit TLS", opts: mailtest.Options{TLSConfig: ca.Server, ImplicitTLS: true}, tls: gosmtp.DialTLS, wantTLS: true},
		{name: "password given", opts: mailtest.Options{User: "u", Password: "p"}, auth: sasl.NewPlainClient("", "u", "p")},
		{name: "password missing", opts: mailtest.Options{User: "u", Password: "p"}, wantErr: true},
		{name: "password wrong", opts: mailtest.Options{User: "u", Password: "p"}, auth: sasl.NewPlainClient("", "u", "nope"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.StartServer(t, tt.opts)
			dial := plain(srv.Addr)
			if tt.tls != nil {
				dial = func() (*gosmtp.Client, error) { return tt.tls(srv.Addr, ca.Client()) }
			}
			err := send(t, dial, tt.auth)
			if tt.wantErr {
				if err == nil || len(srv.Messages()) != 0 {
					t.Fatalf("send = %v, server got %d messages; want refused", err, len(srv.Messages()))
				}
				return
			}
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("server got %d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if m.From != "a@example.com" || len(m.To) != 1 || m.To[0] != "b@example.com" || string(m.Data) != letter ||
				m.TLS != tt.wantTLS || (m.AuthUser != "") != (tt.auth != nil) {
				t.Errorf("server got %+v, want the letter to b@example.com, TLS %v", m, tt.wantTLS)
			}
		})
	}
}

// TestCAIsTrustedAlone: a client trusting one CA refuses a server whose
// certificate another CA signed.
func TestCAIsTrustedAlone(t *testing.T) {
	srv := mailtest.StartServer(t, mailtest.Options{TLSConfig: mailtest.NewCA(t).Server, ImplicitTLS: true})
	other := mailtest.NewCA(t).Client()
	dial := func() (*gosmtp.Client, error) { return gosmtp.DialTLS(srv.Addr, other) }
	var unknown x509.UnknownAuthorityError
	if err := send(t, dial, nil); !errors.As(err, &unknown) || len(srv.Messages()) != 0 {
		t.Errorf("send = %v, server got %d messages; want a certificate error", err, len(srv.Messages()))
	}
}

// TestCAWriteFile: the file holds the CA's certificate and nothing else.
func TestCAWriteFile(t *testing.T) {
	ca := mailtest.NewCA(t)
	path := ca.WriteFile(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, ca.PEM) || !x509.NewCertPool().AppendCertsFromPEM(data) {
		t.Errorf("%s holds %q, want the CA's certificate %q", path, data, ca.PEM)
	}
}

// TestRejectAt: the server refuses at the step asked for, keeps nothing,
// and accepts again once told so.
func TestRejectAt(t *testing.T) {
	for _, step := range []mailtest.Step{mailtest.StepRcpt, mailtest.StepData} {
		t.Run(string(step), func(t *testing.T) {
			srv := mailtest.StartServer(t, mailtest.Options{})
			srv.RejectAt(step)
			if err := send(t, plain(srv.Addr), nil); err == nil || len(srv.Messages()) != 0 {
				t.Fatalf("send = %v, server got %d messages; want refused at %s", err, len(srv.Messages()), step)
			}
			srv.RejectAt(mailtest.StepNone)
			if err := send(t, plain(srv.Addr), nil); err != nil || len(srv.Messages()) != 1 {
				t.Fatalf("send = %v, server got %d messages; want accepted", err, len(srv.Messages()))
			}
		})
	}
}

// TestWaitFor returns as soon as the messages are there, and gives up
// after the time it was given.
func TestWaitFor(t *testing.T) {
	srv := mailtest.StartServer(t, mailtest.Options{})
	start := time.Now()
	if got := srv.WaitFor(1, 100*time.Millisecond); len(got) != 0 || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("WaitFor on an idle server = %d messages after %v; want none after 100ms", len(got), time.Since(start))
	}
	sent := make(chan error, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		c, err := gosmtp.Dial(srv.Addr)
		if err != nil {
			sent <- err
			return
		}
		err = c.SendMail("a@example.com", []string{"b@example.com"}, strings.NewReader(letter))
		if cerr := c.Close(); err == nil {
			err = cerr
		}
		sent <- err
	}()
	start = time.Now()
	if got := srv.WaitFor(1, 10*time.Second); len(got) != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("WaitFor = %d messages after %v; want 1 as soon as it came", len(got), time.Since(start))
	}
	if err := <-sent; err != nil {
		t.Fatalf("send: %v", err)
	}
}
