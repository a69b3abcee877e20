package mail_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/mail/mailtest"
	"github.com/advocacy-portal/portal/internal/store"
)

func writeFile(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestRelayWithPrivateCA: a relay whose certificate a company's own CA
// signed is used once the CA file is given, over STARTTLS and implicit
// TLS; without it the mail is refused, kept in the outbox, and the log and
// the outbox say why and what to set.
func TestRelayWithPrivateCA(t *testing.T) {
	ca := mailtest.NewCA(t)
	caFile := ca.WriteFile(t)
	for _, mode := range []struct {
		name     string
		implicit bool
		scheme   string
	}{{"STARTTLS", false, "smtp://"}, {"implicit TLS", true, "smtps://"}} {
		for _, withCA := range []bool{true, false} {
			name := mode.name + " without the CA file"
			if withCA {
				name = mode.name + " with the CA file"
			}
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				c := newClock()
				st := mustOpenStore(t, store.WithClock(c.Now))
				srv := mailtest.StartServer(t, mailtest.Options{TLSConfig: ca.Server, ImplicitTLS: mode.implicit})
				// tls=required: a STARTTLS that fails must not fall back to clear text.
				sender := mustParseSMTPURL(t, mode.scheme+srv.Addr+"?from=portal@example.com&tls=required")
				if withCA {
					if err := sender.TrustCAFile(caFile); err != nil {
						t.Fatalf("TrustCAFile: %v", err)
					}
				}
				var logs bytes.Buffer
				w := &mail.Worker{Store: st, Sender: sender, Now: c.Now, SendTimeout: 5 * time.Second,
					Logger: slog.New(slog.NewTextHandler(&logs, nil))}
				mustEnqueue(t, st, mail.Mail{To: "a@example.com", Subject: "Urgent concern", Body: "x", Kind: "concern"})

				sent, failed, err := w.RunOnce(ctx)
				if err != nil {
					t.Fatalf("RunOnce: %v", err)
				}
				m := mustOutbox(t, st)[0]
				if withCA {
					msgs := srv.Messages()
					if sent != 1 || failed != 0 || len(msgs) != 1 || !msgs[0].TLS {
						t.Fatalf("RunOnce = %d sent, %d failed, server got %+v; want one message over TLS", sent, failed, msgs)
					}
					return
				}
				if sent != 0 || failed != 1 || len(srv.Messages()) != 0 {
					t.Fatalf("RunOnce = %d sent, %d failed, server got %d; want the mail refused", sent, failed, len(srv.Messages()))
				}
				for where, text := range map[string]string{"outbox": m.LastError, "log": logs.String()} {
					if !strings.Contains(text, "not signed by an authority this portal trusts") ||
						!strings.Contains(text, "PORTAL_SMTP_CA_FILE") {
						t.Errorf("%s does not say the certificate is untrusted and what to set: %s", where, text)
					}
				}
				if !m.SentAt.IsZero() || m.Attempts != 1 {
					t.Errorf("refused mail: sent %v, attempts %d; want kept for a retry", m.SentAt, m.Attempts)
				}
			})
		}
	}
}

func TestLoadCAFile(t *testing.T) {
	ca, other := mailtest.NewCA(t), mailtest.NewCA(t)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte("not really a key")})
	tests := []struct {
		name    string
		path    string
		wantErr string // substring; "" for success
	}{
		{"one certificate", ca.WriteFile(t), ""},
		{"a bundle", writeFile(t, "bundle.pem", append(append([]byte("# company roots\n"), ca.PEM...), other.PEM...)), ""},
		{"missing", filepath.Join(t.TempDir(), "nope.pem"), "no such file"},
		{"a folder", t.TempDir(), "SMTP CA file"},
		{"empty", writeFile(t, "empty.pem", nil), "holds no PEM certificate"},
		{"DER, not PEM", writeFile(t, "ca.der", []byte{0x30, 0x82, 0x01, 0x0a}), "holds no PEM certificate"},
		{"a private key", writeFile(t, "key.pem", keyPEM), `holds a "EC PRIVATE KEY" block`},
		{"a broken certificate", writeFile(t, "bad.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")})), "certificate 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := mail.LoadCAFile(tt.path)
			if tt.wantErr == "" {
				if err != nil || pool == nil {
					t.Fatalf("LoadCAFile = %v, %v; want a pool", pool, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("LoadCAFile = %v, want an error about %q", err, tt.wantErr)
			}
			sender := mustParseSMTPURL(t, "smtp://127.0.0.1:25?from=portal@example.com")
			if err := sender.TrustCAFile(tt.path); err == nil || sender.TLSConfig != nil {
				t.Errorf("TrustCAFile = %v with TLS config %v; want an error and nothing changed", err, sender.TLSConfig)
			}
		})
	}
}
