package mail

import (
	"strings"
	"testing"
	"time"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		url             string
		wantErr         string // substring; "" for success
		wantAddr        string
		wantImplicitTLS bool
		wantRequireTLS  bool
		wantUser        string
		wantFrom        string
	}{
		{url: "smtp://user:pass@mail.example.com:587?from=portal@example.com", wantAddr: "mail.example.com:587", wantUser: "user", wantFrom: "portal@example.com"},
		{url: "smtp://user:pass@mail.example.com?from=portal@example.com", wantAddr: "mail.example.com:587", wantUser: "user", wantFrom: "portal@example.com"},
		{url: "smtp://relay.internal?from=portal@example.com", wantAddr: "relay.internal:25", wantFrom: "portal@example.com"},
		{url: "smtp://relay.internal:25?from=portal@example.com&tls=required", wantAddr: "relay.internal:25", wantRequireTLS: true, wantFrom: "portal@example.com"},
		{url: "smtps://user:pass@mail.example.com?from=portal@example.com", wantAddr: "mail.example.com:465", wantImplicitTLS: true, wantUser: "user", wantFrom: "portal@example.com"},
		{url: "smtp://[::1]:2525?from=Portal%20%3Cportal@example.com%3E", wantAddr: "[::1]:2525", wantFrom: "portal@example.com"},
		{url: "http://mail.example.com?from=portal@example.com", wantErr: "scheme"},
		{url: "mail.example.com:587", wantErr: "scheme"},
		{url: "smtp://?from=portal@example.com", wantErr: "no host"},
		{url: "smtp://:587?from=portal@example.com", wantErr: "no host"},
		{url: "smtp://mail.example.com", wantErr: "no from"},
		{url: "smtp://mail.example.com?from=not-an-address", wantErr: "from address"},
		{url: "smtp://mail.example.com?from=portal@example.com&tls=yes", wantErr: "tls="},
		{url: "smtp://mail.example.com?from=portal@example.com&form=typo", wantErr: "unknown parameter"},
		{url: "smtp://:hunter2@mail.example.com?from=portal@example.com", wantErr: "no user"},
		{url: "smtp://user:hunter2%zz@mail.example.com?from=a@b.c", wantErr: "bad SMTP URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			s, err := ParseSMTPURL(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one about %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSMTPURL: %v", err)
			}
			if s.addr != tt.wantAddr || s.implicitTLS != tt.wantImplicitTLS || s.requireTLS != tt.wantRequireTLS ||
				s.username != tt.wantUser || s.from.Address != tt.wantFrom {
				t.Errorf("got addr %q, implicit TLS %v, require TLS %v, user %q, from %q",
					s.addr, s.implicitTLS, s.requireTLS, s.username, s.from.Address)
			}
			if strings.Contains(s.String(), ":pass@") {
				t.Errorf("String() shows the password: %s", s)
			}
		})
	}
}

func TestCredentialsAllowed(t *testing.T) {
	tests := []struct {
		host      string
		encrypted bool
		want      bool
	}{
		{"mail.example.com", true, true},
		{"mail.example.com", false, false},
		{"10.0.0.5", false, false},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"localhost", false, true},
		{"localhost.example.com", false, false},
	}
	for _, tt := range tests {
		if got := credentialsAllowed(tt.host, tt.encrypted); got != tt.want {
			t.Errorf("credentialsAllowed(%q, %v) = %v, want %v", tt.host, tt.encrypted, got, tt.want)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{1, time.Minute}, {2, 5 * time.Minute}, {3, 30 * time.Minute}, {4, 2 * time.Hour},
		{5, 6 * time.Hour}, {100, 6 * time.Hour},
	}
	for _, tt := range tests {
		if got := retryDelay(tt.failures); got != tt.want {
			t.Errorf("retryDelay(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("ëëë", 3); got != "ë…" {
		t.Errorf("truncate = %q, want %q", got, "ë…")
	}
	if got := truncate("abc", 3); got != "abc" {
		t.Errorf("truncate = %q", got)
	}
}
