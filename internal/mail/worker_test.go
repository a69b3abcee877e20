package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/mail/mailtest"
	"github.com/advocacy-portal/portal/internal/store"
)

func mustParseSMTPURL(tb testing.TB, raw string) *mail.SMTP {
	tb.Helper()
	s, err := mail.ParseSMTPURL(raw)
	if err != nil {
		tb.Fatalf("ParseSMTPURL(%q): %v", raw, err)
	}
	return s
}

// mustEnqueue puts m in s's outbox as the reminder job queues a reminder
// (here with no reminder items to record), which wakes the mail worker as
// every store method that queues mail does.
func mustEnqueue(tb testing.TB, s *store.Store, m mail.Mail) {
	tb.Helper()
	if queued, err := s.QueueReminder(context.Background(), 0, nil, m); err != nil || !queued {
		tb.Fatalf("queue %q = %v, %v", m.Subject, queued, err)
	}
}

func mustOutbox(tb testing.TB, s *store.Store) []mail.Mail {
	tb.Helper()
	mails, err := s.Outbox(context.Background(), 100)
	if err != nil {
		tb.Fatalf("Outbox: %v", err)
	}
	return mails
}

// parsed is a received message with its headers and body decoded.
type parsed struct {
	Header  netmail.Header
	Subject string
	Body    string
}

func mustParse(tb testing.TB, data []byte) parsed {
	tb.Helper()
	if bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) {
		tb.Errorf("message has a bare LF:\n%s", data)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("read message: %v\n%s", err, data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		tb.Fatalf("decode subject %q: %v", msg.Header.Get("Subject"), err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		tb.Fatalf("decode body: %v", err)
	}
	return parsed{Header: msg.Header, Subject: subject, Body: strings.ReplaceAll(string(body), "\r\n", "\n")}
}

func TestWorkerDeliversQueuedMail(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	st := mustOpenStore(t, store.WithClock(c.Now))
	srv := mailtest.StartServer(t, mailtest.Options{})
	sender := mustParseSMTPURL(t, "smtp://"+srv.Addr+"?from=Advocacy%20Portal%20%3Cportal@example.com%3E")

	dutchBody := "Beste Noël,\n\nJe training \"Sociale media\" loopt af op 12 november.\n" +
		".Deze regel begint met een punt.\n" + strings.Repeat("Een heel lange regel ", 10) + "einde.\n"
	mustEnqueue(t, st, mail.Mail{To: "noel@example.com", Subject: "Herinnering: training ë", Body: dutchBody, Kind: "reminder"})
	mustEnqueue(t, st, mail.Mail{To: "Sam Jones <sam@example.com>", Subject: "New training assigned", Body: "Hello Sam", Kind: "assignment"})

	w := &mail.Worker{Store: st, Sender: sender, Now: c.Now, SendTimeout: 5 * time.Second, Batch: 10}
	sent, failed, err := w.RunOnce(ctx)
	if err != nil || sent != 2 || failed != 0 {
		t.Fatalf("RunOnce = %d sent, %d failed, %v; want 2, 0, nil", sent, failed, err)
	}

	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("server got %d messages, want 2", len(msgs))
	}
	tests := []struct {
		wantRcpt, wantTo, wantSubject, wantBody string
		wantRawSubjectEncoded                   bool
	}{
		{"noel@example.com", "<noel@example.com>", "Herinnering: training ë", dutchBody, true},
		{"sam@example.com", `"Sam Jones" <sam@example.com>`, "New training assigned", "Hello Sam\n", false},
	}
	for i, tt := range tests {
		t.Run(tt.wantRcpt, func(t *testing.T) {
			got := msgs[i]
			if got.From != "portal@example.com" || len(got.To) != 1 || got.To[0] != tt.wantRcpt {
				t.Errorf("envelope = from %q to %q, want from portal@example.com to %q", got.From, got.To, tt.wantRcpt)
			}
			p := mustParse(t, got.Data)
			if from := p.Header.Get("From"); from != `"Advocacy Portal" <portal@example.com>` {
				t.Errorf("From = %q", from)
			}
			if to := p.Header.Get("To"); to != tt.wantTo {
				t.Errorf("To = %q, want %q", to, tt.wantTo)
			}
			if raw := p.Header.Get("Subject"); strings.HasPrefix(raw, "=?utf-8?q?") != tt.wantRawSubjectEncoded {
				t.Errorf("raw Subject = %q, RFC 2047 encoded: want %v", raw, tt.wantRawSubjectEncoded)
			}
			if p.Subject != tt.wantSubject {
				t.Errorf("Subject = %q, want %q", p.Subject, tt.wantSubject)
			}
			if p.Body != tt.wantBody {
				t.Errorf("body = %q, want %q", p.Body, tt.wantBody)
			}
			for name, want := range map[string]string{
				"MIME-Version":              "1.0",
				"Content-Type":              "text/plain; charset=utf-8",
				"Content-Transfer-Encoding": "quoted-printable",
				"Auto-Submitted":            "auto-generated",
				"List-Unsubscribe":          "", // not a digest
			} {
				if got := p.Header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if id := p.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.com>") {
				t.Errorf("Message-ID = %q", id)
			}
			if _, err := p.Header.Date(); err != nil {
				t.Errorf("Date %q: %v", p.Header.Get("Date"), err)
			}
		})
	}

	for _, m := range mustOutbox(t, st) {
		if !m.SentAt.Equal(c.Now()) || m.Attempts != 0 {
			t.Errorf("outbox %q: sent %v, attempts %d; want sent now, 0 attempts", m.Subject, m.SentAt, m.Attempts)
		}
	}
	if sent, failed, err := w.RunOnce(ctx); sent+failed != 0 || err != nil {
		t.Errorf("second RunOnce = %d, %d, %v; want nothing to do", sent, failed, err)
	}
}

func TestWorkerRetriesRejectedMail(t *testing.T) {
	for _, rejectAt := range []mailtest.Step{mailtest.StepRcpt, mailtest.StepData} {
		t.Run(string(rejectAt), func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			st := mustOpenStore(t, store.WithClock(c.Now))
			srv := mailtest.StartServer(t, mailtest.Options{})
			srv.RejectAt(rejectAt)
			var logs bytes.Buffer
			w := &mail.Worker{
				Store: st, Sender: mustParseSMTPURL(t, "smtp://"+srv.Addr+"?from=portal@example.com"),
				Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: c.Now, SendTimeout: 5 * time.Second,
			}
			mustEnqueue(t, st, mail.Mail{To: "a@example.com", Subject: "Reminder", Body: "secret-body-text", Kind: "reminder"})

			sent, failed, err := w.RunOnce(ctx)
			if err != nil || sent != 0 || failed != 1 {
				t.Fatalf("RunOnce = %d sent, %d failed, %v; want 0, 1, nil", sent, failed, err)
			}
			m := mustOutbox(t, st)[0]
			if m.Attempts != 1 || m.LastError == "" || !m.SendAfter.Equal(c.Now().Add(time.Minute)) || !m.SentAt.IsZero() {
				t.Fatalf("after rejection: attempts %d, last error %q, send after %v, sent %v; want 1, set, %v, zero",
					m.Attempts, m.LastError, m.SendAfter, m.SentAt, c.Now().Add(time.Minute))
			}
			log := logs.String()
			if !strings.Contains(log, fmt.Sprintf("id=%d", m.ID)) || !strings.Contains(log, "kind=reminder") {
				t.Errorf("failure log lacks id or kind: %s", log)
			}
			if strings.Contains(log, "secret-body-text") {
				t.Errorf("failure log contains the body: %s", log)
			}

			srv.RejectAt(mailtest.StepNone)
			c.Advance(59 * time.Second)
			if sent, failed, err := w.RunOnce(ctx); err != nil || sent+failed != 0 {
				t.Fatalf("RunOnce before the retry time = %d sent, %d failed, %v; want nothing", sent, failed, err)
			}
			c.Advance(time.Second)
			if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 1 || failed != 0 {
				t.Fatalf("RunOnce at the retry time = %d sent, %d failed, %v; want 1, 0, nil", sent, failed, err)
			}
			m = mustOutbox(t, st)[0]
			if !m.SentAt.Equal(c.Now()) || m.Attempts != 1 {
				t.Errorf("after retry: sent %v, attempts %d; want %v, 1", m.SentAt, m.Attempts, c.Now())
			}
			if got := len(srv.Messages()); got != 1 {
				t.Errorf("server got %d messages, want 1", got)
			}
		})
	}
}

func TestWorkerBacksOffForEver(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	st := mustOpenStore(t, store.WithClock(c.Now))
	w := &mail.Worker{Store: st, Sender: failingSender{}, Now: c.Now}
	mustEnqueue(t, st, mail.Mail{To: "a@example.com", Subject: "Overdue", Kind: "overdue"})

	wantDelays := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 6 * time.Hour, 6 * time.Hour}
	for i, want := range wantDelays {
		if _, failed, err := w.RunOnce(ctx); failed != 1 || err != nil {
			t.Fatalf("attempt %d: failed %d, %v; want 1 failure", i+1, failed, err)
		}
		m := mustOutbox(t, st)[0]
		if got := m.SendAfter.Sub(c.Now()); got != want || m.Attempts != i+1 {
			t.Fatalf("attempt %d: retry in %v with %d attempts, want %v and %d", i+1, got, m.Attempts, want, i+1)
		}
		c.Advance(want)
	}
	if pending, _, failing, err := st.OutboxCounts(ctx); err != nil || pending != 1 || failing != 1 {
		t.Errorf("OutboxCounts = %d pending, %d failing, %v; want the mail kept, 1 and 1", pending, failing, err)
	}
}

type failingSender struct{}

func (failingSender) Send(context.Context, mail.Message) error { return errors.New("no route") }

func TestSendToDownServerIsBounded(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never greets
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() })
		}
	}()

	tests := []struct{ name, addr string }{
		{"closed port", closedAddr},
		{"silent server", silent.Addr().String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			st := mustOpenStore(t, store.WithClock(c.Now))
			const timeout = 300 * time.Millisecond
			w := &mail.Worker{Store: st, Sender: mustParseSMTPURL(t, "smtp://"+tt.addr+"?from=portal@example.com"), Now: c.Now, SendTimeout: timeout}
			mustEnqueue(t, st, mail.Mail{To: "a@example.com", Subject: "Reminder", Kind: "reminder"})

			start := time.Now()
			sent, failed, err := w.RunOnce(ctx)
			if elapsed := time.Since(start); elapsed > timeout+time.Second {
				t.Errorf("RunOnce took %v with a send timeout of %v", elapsed, timeout)
			}
			if err != nil || sent != 0 || failed != 1 {
				t.Fatalf("RunOnce = %d sent, %d failed, %v; want 0, 1, nil", sent, failed, err)
			}
			if m := mustOutbox(t, st)[0]; m.Attempts != 1 || m.LastError == "" {
				t.Errorf("attempts %d, last error %q; want 1 and a reason", m.Attempts, m.LastError)
			}
		})
	}
}

func TestSendRefusesHeaderInjection(t *testing.T) {
	srv := mailtest.StartServer(t, mailtest.Options{})
	sender := mustParseSMTPURL(t, "smtp://"+srv.Addr+"?from=portal@example.com")
	tests := []struct {
		name string
		msg  mail.Message
	}{
		{"CRLF in subject", mail.Message{To: "a@example.com", Subject: "Hi\r\nBcc: victim@example.org", Body: "x"}},
		{"LF in subject", mail.Message{To: "a@example.com", Subject: "Hi\nBcc: victim@example.org", Body: "x"}},
		{"CR in recipient", mail.Message{To: "a@example.com\rBcc: victim@example.org", Subject: "Hi", Body: "x"}},
		{"LF in recipient", mail.Message{To: "a@example.com\nBcc: victim@example.org", Subject: "Hi", Body: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sender.Send(context.Background(), tt.msg)
			if !errors.Is(err, mail.ErrHeaderInjection) {
				t.Errorf("Send = %v, want ErrHeaderInjection", err)
			}
		})
	}
	if err := sender.Send(context.Background(), mail.Message{To: "not an address", Subject: "Hi"}); err == nil {
		t.Errorf("Send to a malformed address: no error")
	}
	if got := len(srv.Messages()); got != 0 {
		t.Errorf("server got %d messages, want none", got)
	}
}

func TestSMTPAuthOverLoopback(t *testing.T) {
	srv := mailtest.StartServer(t, mailtest.Options{User: "portal", Password: "s3cret"})
	tests := []struct {
		name    string
		url     string
		wantErr bool
	}{
		{"right password", "smtp://portal:s3cret@" + srv.Addr + "?from=portal@example.com", false},
		{"wrong password", "smtp://portal:nope@" + srv.Addr + "?from=portal@example.com", true},
		{"no credentials", "smtp://" + srv.Addr + "?from=portal@example.com", true},
		{"tls required", "smtp://portal:s3cret@" + srv.Addr + "?from=portal@example.com&tls=required", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Messages())
			err := mustParseSMTPURL(t, tt.url).Send(context.Background(), mail.Message{To: "a@example.com", Subject: tt.name, Body: "x"})
			if (err != nil) != tt.wantErr {
				t.Errorf("Send = %v, want error: %v", err, tt.wantErr)
			}
			msgs := srv.Messages()
			if tt.wantErr {
				if len(msgs) != before {
					t.Errorf("server got %+v, want nothing more", msgs[before:])
				}
				return
			}
			if len(msgs) != before+1 || msgs[before].AuthUser != "portal" {
				t.Errorf("server got %+v, want one more message, from user portal", msgs[before:])
			}
		})
	}
}

func TestSMTPTLS(t *testing.T) {
	ca := mailtest.NewCA(t)
	serverTLS, clientTLS := ca.Server, ca.Client()
	tests := []struct {
		name     string
		opts     mailtest.Options
		scheme   string
		query    string
		wantErr  string
		wantTLS  bool
		wantAuth bool
	}{
		{name: "STARTTLS with auth", opts: mailtest.Options{TLSConfig: serverTLS, User: "u", Password: "p"}, scheme: "smtp://u:p@", wantTLS: true, wantAuth: true},
		{name: "STARTTLS required", opts: mailtest.Options{TLSConfig: serverTLS}, scheme: "smtp://", query: "&tls=required", wantTLS: true},
		{name: "required but not offered", opts: mailtest.Options{}, scheme: "smtp://", query: "&tls=required", wantErr: "STARTTLS"},
		{name: "not offered, opportunistic", opts: mailtest.Options{}, scheme: "smtp://"},
		{name: "implicit TLS", opts: mailtest.Options{TLSConfig: serverTLS, ImplicitTLS: true, User: "u", Password: "p"}, scheme: "smtps://u:p@", wantTLS: true, wantAuth: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.StartServer(t, tt.opts)
			sender := mustParseSMTPURL(t, tt.scheme+srv.Addr+"?from=portal@example.com"+tt.query)
			sender.TLSConfig = clientTLS
			err := sender.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "Hi", Body: "x"})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Send = %v, want an error about %s", err, tt.wantErr)
				}
				if n := len(srv.Messages()); n != 0 {
					t.Errorf("server got %d messages, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 || msgs[0].TLS != tt.wantTLS || (msgs[0].AuthUser != "") != tt.wantAuth {
				t.Errorf("server got %+v, want one message with TLS %v, auth %v", msgs, tt.wantTLS, tt.wantAuth)
			}
		})
	}
}

func TestSendHonoursContext(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() })
		}
	}()
	sender := mustParseSMTPURL(t, "smtp://"+silent.Addr().String()+"?from=portal@example.com")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err = sender.Send(ctx, mail.Message{To: "a@example.com", Subject: "Hi"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("cancelled Send took %v", elapsed)
	}
}

func TestWorkerWithoutSenderLeavesMail(t *testing.T) {
	ctx := context.Background()
	st := mustOpenStore(t)
	mustEnqueue(t, st, mail.Mail{To: "a@example.com", Subject: "Demo", Kind: "assignment"})
	w := &mail.Worker{Store: st}

	if sent, failed, err := w.RunOnce(ctx); sent != 0 || failed != 0 || err != nil {
		t.Fatalf("RunOnce = %d, %d, %v; want 0, 0, nil", sent, failed, err)
	}
	runCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	w.Wake()
	w.Run(runCtx) // returns when runCtx ends

	pending, sent, failing, err := st.OutboxCounts(ctx)
	if err != nil || pending != 1 || sent != 0 || failing != 0 {
		t.Fatalf("OutboxCounts = %d pending, %d sent, %d failing, %v; want 1, 0, 0", pending, sent, failing, err)
	}
	if m := mustOutbox(t, st)[0]; m.Attempts != 0 || m.LastError != "" {
		t.Errorf("demo mail touched: attempts %d, error %q", m.Attempts, m.LastError)
	}
}

// TestQueuedMailWakesRun: mail is sent as soon as the store committed
// it, by whichever method, without waiting for the worker's next pass (an
// hour here); Wake asks for a pass too.
func TestQueuedMailWakesRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := mustOpenStore(t)
	srv := mailtest.StartServer(t, mailtest.Options{})
	w := &mail.Worker{Store: st, Sender: mustParseSMTPURL(t, "smtp://"+srv.Addr+"?from=portal@example.com"),
		Interval: time.Hour, SendTimeout: 5 * time.Second}
	done := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-done
	})

	// The first message goes out in Run's opening pass; once it has arrived
	// that pass is over and only a wake-up (or an hour) can send the others.
	mustEnqueue(t, st, mail.Mail{To: "a@example.com", Subject: "first", Kind: "assignment"})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	waitForMessages(t, srv, 1)

	mustEnqueue(t, st, mail.Mail{To: "a@example.com", Subject: "second", Kind: "assignment"})
	waitForMessages(t, srv, 2)

	// Mail that became due without being queued just now: Wake sends it.
	mustEnqueue(t, st, mail.Mail{To: "a@example.com", Subject: "third", Kind: "assignment",
		SendAfter: time.Now().Add(300 * time.Millisecond)})
	time.Sleep(400 * time.Millisecond)
	w.Wake()
	waitForMessages(t, srv, 3)
}

func waitForMessages(tb testing.TB, srv *mailtest.Server, n int) {
	tb.Helper()
	if got := len(srv.WaitFor(n, 5*time.Second)); got < n {
		tb.Fatalf("server has %d messages after 5s, want %d", got, n)
	}
}
