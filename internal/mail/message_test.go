package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/mail/mailtest"
	"github.com/advocacy-portal/portal/internal/store"
)

// TestWorkerSendsTextAndHTML: a mail with an HTML body goes out as
// multipart/alternative, plain text first, with the recipient's display
// name (RFC 2047 encoded when it is not ASCII), its language, and, for a
// digest, the one-click unsubscribe headers of RFC 8058; every mail is
// marked auto-generated (RFC 3834).
func TestWorkerSendsTextAndHTML(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	st := mustOpenStore(t, store.WithClock(c.Now))
	srv := mailtest.StartServer(t, mailtest.Options{})
	w := &mail.Worker{Store: st, Sender: mustParseSMTPURL(t, "smtp://"+srv.Addr+"?from=portal@example.com"), Now: c.Now}

	html := "<!DOCTYPE html>\n<html lang=\"nl\"><body><p>Hallo Noor,</p><p><a href=\"https://portal.example.com/feed\">Naar de feed</a></p>" +
		strings.Repeat("<p>Een lange regel met = en ë.</p>", 8) + "</body></html>\n"
	mails := []mail.Mail{
		{To: "noor@example.com", ToName: "Noor de Vries", Subject: "Nieuw om te delen: 1 post", Body: "Hallo Noor,\n",
			HTML: html, Lang: "nl", Unsubscribe: "https://portal.example.com/unsubscribe/7.abc", Kind: "digest"},
		{To: "zoe@example.com", ToName: "Zoë Çelik", Subject: "Urgent concern", Body: "Hello Zoë,\n",
			HTML: "<p>Hello Zoë,</p>", Lang: "en", Kind: "concern"},
	}
	for _, m := range mails {
		mustEnqueue(t, st, m)
	}
	if sent, failed, err := w.RunOnce(ctx); sent != 2 || failed != 0 || err != nil {
		t.Fatalf("RunOnce = %d sent, %d failed, %v; want 2, 0, nil", sent, failed, err)
	}
	got := srv.Messages()
	if len(got) != 2 {
		t.Fatalf("server got %d messages, want 2", len(got))
	}
	tests := []struct {
		name                  string
		wantTo                string // as decoded
		wantRawToEncoded      bool
		wantUnsubscribe       string
		wantUnsubscribePost   string
		wantLang, wantText    string
		wantHTML              string
		wantEnvelopeRecipient string
	}{
		{name: "digest", wantTo: `"Noor de Vries" <noor@example.com>`, wantUnsubscribe: "<https://portal.example.com/unsubscribe/7.abc>",
			wantUnsubscribePost: "List-Unsubscribe=One-Click", wantLang: "nl", wantText: mails[0].Body, wantHTML: html,
			wantEnvelopeRecipient: "noor@example.com"},
		{name: "not a digest", wantTo: "Zoë Çelik <zoe@example.com>", wantRawToEncoded: true, wantLang: "en",
			wantText: mails[1].Body, wantHTML: mails[1].HTML + "\n", wantEnvelopeRecipient: "zoe@example.com"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(got[i].To) != 1 || got[i].To[0] != tt.wantEnvelopeRecipient {
				t.Errorf("envelope recipients = %q, want %q", got[i].To, tt.wantEnvelopeRecipient)
			}
			h, parts := mailtest.Parts(t, got[i].Data)
			rawTo := h.Get("To")
			if strings.Contains(rawTo, "=?utf-8?") != tt.wantRawToEncoded {
				t.Errorf("raw To = %q, RFC 2047 encoded: want %v", rawTo, tt.wantRawToEncoded)
			}
			to, err := h.AddressList("To")
			if err != nil || len(to) != 1 {
				t.Fatalf("To %q: %v", rawTo, err)
			}
			if tt.wantRawToEncoded {
				if to[0].Name+" <"+to[0].Address+">" != tt.wantTo {
					t.Errorf("To decodes to %q <%s>, want %s", to[0].Name, to[0].Address, tt.wantTo)
				}
			} else if rawTo != tt.wantTo {
				t.Errorf("To = %q, want %q", rawTo, tt.wantTo)
			}
			for name, want := range map[string]string{
				"Auto-Submitted":        "auto-generated",
				"Content-Language":      tt.wantLang,
				"List-Unsubscribe":      tt.wantUnsubscribe,
				"List-Unsubscribe-Post": tt.wantUnsubscribePost,
				"MIME-Version":          "1.0",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if len(parts) != 2 {
				t.Fatalf("%d parts, want text and HTML", len(parts))
			}
			want := []mailtest.Part{{ContentType: "text/plain; charset=utf-8", Body: tt.wantText}, {ContentType: "text/html; charset=utf-8", Body: tt.wantHTML}}
			for j := range want {
				if parts[j] != want[j] {
					t.Errorf("part %d = %+v, want %+v", j, parts[j], want[j])
				}
			}
		})
	}
}

func TestSendRefusesBadHeaders(t *testing.T) {
	srv := mailtest.StartServer(t, mailtest.Options{})
	sender := mustParseSMTPURL(t, "smtp://"+srv.Addr+"?from=portal@example.com")
	ok := mail.Message{To: "a@example.com", Subject: "Hi", Body: "x"}
	tests := []struct {
		name          string
		change        func(m *mail.Message)
		wantInjection bool
	}{
		{"line break in the name", func(m *mail.Message) { m.ToName = "Noor\r\nBcc: victim@example.org" }, true},
		{"line break in the language", func(m *mail.Message) { m.Lang = "nl\nBcc: victim@example.org" }, true},
		{"line break in the unsubscribe address", func(m *mail.Message) { m.Unsubscribe = "https://p.example/u\r\nBcc: x@y" }, true},
		{"a bracket in the unsubscribe address", func(m *mail.Message) { m.Unsubscribe = "https://p.example/u>, <mailto:x@y" }, false},
		{"a relative unsubscribe address", func(m *mail.Message) { m.Unsubscribe = "/unsubscribe/1.x" }, false},
		{"a language that is not a tag", func(m *mail.Message) { m.Lang = "nl; x=y" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.change(&m)
			err := sender.Send(context.Background(), m)
			if err == nil {
				t.Fatal("Send: no error")
			}
			if errors.Is(err, mail.ErrHeaderInjection) != tt.wantInjection {
				t.Errorf("Send = %v; ErrHeaderInjection: want %v", err, tt.wantInjection)
			}
		})
	}
	if got := len(srv.Messages()); got != 0 {
		t.Errorf("server got %d messages, want none", got)
	}
	// The same message without the bad field goes through.
	if err := sender.Send(context.Background(), ok); err != nil {
		t.Errorf("Send of the good message: %v", err)
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("server got %d messages, want 1", got)
	}
}
