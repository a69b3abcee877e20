package main

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/mail/mailtest"
)

// textPart returns the plain-text part of a multipart/alternative message,
// decoded, and whether it also has an HTML part.
func textPart(t *testing.T, data []byte) (text string, hasHTML bool) {
	t.Helper()
	_, parts := mailtest.Parts(t, data)
	for _, p := range parts {
		switch p.ContentType {
		case "text/plain; charset=utf-8":
			text = p.Body
		case "text/html; charset=utf-8":
			hasHTML = len(p.Body) > 0
		}
	}
	return text, hasHTML
}

// TestTrainingMailArrives starts the portal with an SMTP server: the demo
// company's HR assigned the code of conduct programme to two departments,
// so their members get one mail each listing the modules, through the
// reminder job, the outbox and the mail worker.
func TestTrainingMailArrives(t *testing.T) {
	srv := mailtest.StartServer(t, mailtest.Options{})
	startPortal(t, "-smtp-url", "smtp://"+srv.Addr+"?from=advocacy@demo.example")

	// Digests of the demo posts go out too; this test is about training.
	dec := new(mime.WordDecoder)
	type received struct {
		header  mail.Header
		subject string
		data    []byte
	}
	training := func() []received {
		t.Helper()
		var out []received
		for _, msg := range srv.Messages() {
			m, err := mail.ReadMessage(bytes.NewReader(msg.Data))
			if err != nil {
				t.Fatalf("read message: %v\n%s", err, msg.Data)
			}
			subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
			if err != nil {
				t.Fatalf("Subject %q: %v", m.Header.Get("Subject"), err)
			}
			if subject == "New training for you" {
				out = append(out, received{header: m.Header, subject: subject, data: msg.Data})
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
		body, hasHTML := textPart(t, m.data)
		to, err := mail.ParseAddress(m.header.Get("To"))
		if err != nil {
			t.Fatalf("To %q: %v", m.header.Get("To"), err)
		}
		got[to.Address] = m.subject + "\n" + body
		if from := m.header.Get("From"); !strings.Contains(from, "advocacy@demo.example") {
			t.Errorf("From = %q", from)
		}
		if to.Name == "" || !hasHTML || m.header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("mail to %s: display name %q, HTML part %v, Auto-Submitted %q", to.Address, to.Name, hasHTML,
				m.header.Get("Auto-Submitted"))
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

// TestMailThroughRelayWithPrivateCA starts the portal with a relay whose
// certificate a private CA signed, TLS required, and the CA given with
// -smtp-ca-file: the mail goes out over TLS.
func TestMailThroughRelayWithPrivateCA(t *testing.T) {
	ca := mailtest.NewCA(t)
	srv := mailtest.StartServer(t, mailtest.Options{TLSConfig: ca.Server})
	startPortal(t, "-smtp-url", "smtp://"+srv.Addr+"?from=advocacy@demo.example&tls=required", "-smtp-ca-file", ca.WriteFile(t))
	if len(srv.WaitFor(1, 20*time.Second)) == 0 {
		t.Fatal("no mail arrived in 20s through the relay with a private CA")
	}
	for i, m := range srv.Messages() {
		if !m.TLS {
			t.Errorf("mail %d came without TLS", i)
		}
	}
}

// TestSMTPCAFileIsChecked: the portal refuses to start with a CA file it
// cannot read or that holds no certificate, and says which setting is wrong.
func TestSMTPCAFileIsChecked(t *testing.T) {
	good := mailtest.NewCA(t).WriteFile(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
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
