package handlers

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/mail/mailtest"
	"github.com/advocacy-portal/portal/internal/notify"
)

// receivedMail is a message the server got, decoded.
type receivedMail struct {
	Header     netmail.Header
	Subject    string
	Text, HTML string
}

func mustDecodeMail(t *testing.T, data []byte) receivedMail {
	t.Helper()
	header, parts := mailtest.Parts(t, data)
	m := receivedMail{Header: header}
	var err error
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(header.Get("Subject")); err != nil {
		t.Fatalf("subject: %v", err)
	}
	for _, p := range parts {
		switch p.ContentType {
		case "text/plain; charset=utf-8":
			m.Text = p.Body
		case "text/html; charset=utf-8":
			m.HTML = p.Body
		}
	}
	return m
}

// startMailWorker runs a mail worker on env's store that sends to srv and
// would, left to itself, look at the outbox only once an hour. It returns
// once the worker's opening pass is over, so that whatever arrives later
// came because the worker was woken.
func startMailWorker(t *testing.T, env *testEnv, srv *mailtest.Server) {
	t.Helper()
	sender, err := mail.ParseSMTPURL("smtp://" + srv.Addr + "?from=portal@example.com")
	if err != nil {
		t.Fatal(err)
	}
	w := &mail.Worker{Store: env.store, Sender: sender, Interval: time.Hour, Now: env.clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(10 * time.Second); w.Stats.Runs() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the mail worker made no pass in 10s")
		}
	}
}

// waitForMail waits, generously, for n messages.
func waitForMail(t *testing.T, srv *mailtest.Server, n int) []mailtest.Message {
	t.Helper()
	msgs := srv.WaitFor(n, 10*time.Second)
	if len(msgs) < n {
		t.Fatalf("%d mails arrived within 10s, want %d: the mail waited for the worker's next pass", len(msgs), n)
	}
	return msgs
}

// TestMailThatMustGoAtOnceGoesAtOnce: the mail about an urgent concern
// and about a pause reaches the SMTP server without waiting for the mail
// worker's next pass (an hour away), each written in its reader's
// language, addressed by name, as text and HTML.
func TestMailThatMustGoAtOnceGoesAtOnce(t *testing.T) {
	tests := []struct {
		name      string
		act       func(t *testing.T, env *testEnv)
		wantMails int // to comms, comms2 (Dutch) and, for a pause, admin
		wantNL    string
		wantEN    string
	}{
		{"urgent concern", func(t *testing.T, env *testEnv) {
			env.reportConcern(t, "employee", concernForm(true), nil)
		}, 2, "Dringende melding: Een vraag van een journalist", "Urgent concern: A journalist’s question"},
		{"pause", func(t *testing.T, env *testEnv) {
			wantRedirect(t, env.do(t, "comms", http.MethodPost, "/pause", url.Values{"scope": {"programme"}, "reason": {"Incident"}}),
				"/pause?done=paused")
		}, 3, "Delen gepauzeerd: het hele programma", "Sharing paused: the whole programme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newConcernEnv(t)
			if err := env.store.SetLanguage(context.Background(), env.users["comms2"].ID, "nl"); err != nil {
				t.Fatal(err)
			}
			srv := mailtest.StartServer(t, mailtest.Options{})
			startMailWorker(t, env, srv)
			if n := len(srv.Messages()); n != 0 {
				t.Fatalf("%d mails before anything happened", n)
			}
			tt.act(t, env)
			msgs := waitForMail(t, srv, tt.wantMails)
			seen := map[string]bool{}
			for _, msg := range msgs {
				m := mustDecodeMail(t, msg.Data)
				to := m.Header.Get("To")
				seen[to] = true
				want := tt.wantEN
				if strings.Contains(to, "comms2@") {
					want = tt.wantNL
				}
				if m.Subject != want || m.Header.Get("Auto-Submitted") != "auto-generated" {
					t.Errorf("mail to %s: subject %q, Auto-Submitted %q; want %q, auto-generated", to, m.Subject,
						m.Header.Get("Auto-Submitted"), want)
				}
				if strings.Contains(m.Text, "(journalist)") || m.HTML == "" {
					t.Errorf("mail to %s shows a raw kind or has no HTML:\n%s", to, m.Text)
				}
			}
			if !seen[`"Test comms2" <comms2@example.com>`] || !seen[`"Test comms" <comms@example.com>`] {
				t.Errorf("mail went to %v, want the points of contact by name", seen)
			}
		})
	}
}

// TestUnsubscribeOneClick follows the unsubscribe link of a real digest:
// a GET (what a mail scanner does) changes nothing and shows a button; a
// POST without session or CSRF token, as RFC 8058 mail clients send it,
// turns the digest off and answers 200.
func TestUnsubscribeOneClick(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	env.livePost(t, "Office opening")
	if _, err := env.store.PublishDue(ctx); err != nil {
		t.Fatal(err)
	}
	digest := &notify.Digest{Store: env.store, BaseURL: testBaseURL, Now: env.clock.Now}
	if _, err := digest.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	employee := env.users["employee"]
	var link string
	mails, err := env.store.Outbox(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if m.To == employee.Email && m.Kind == "digest" {
			link = m.Unsubscribe
		}
	}
	path, ok := strings.CutPrefix(link, testBaseURL)
	if !ok || !strings.HasPrefix(path, "/unsubscribe/") {
		t.Fatalf("the employee's digest has unsubscribe link %q, want one under %s/unsubscribe/", link, testBaseURL)
	}
	digestOf := func(userID int64) account.Digest {
		t.Helper()
		p, err := env.store.Profile(ctx, userID)
		if err != nil {
			t.Fatal(err)
		}
		return p.Digest
	}

	for range 2 { // a scanner may fetch it more than once
		resp := env.do(t, "", http.MethodGet, path, nil)
		doc := mustDoc(t, resp)
		action := attr(t, doc.Find("form"), "action")
		if resp.StatusCode != http.StatusOK || !has(doc, "unsubscribe-button") || action != path ||
			resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(doc.Text(), employee.Email) {
			t.Fatalf("GET: %d, button %v, form action %q, Cache-Control %q; want 200 and a button posting to the link",
				resp.StatusCode, has(doc, "unsubscribe-button"), action, resp.Header.Get("Cache-Control"))
		}
	}
	if d := digestOf(employee.ID); d != account.DigestWeekly {
		t.Fatalf("after GET the digest is %q, want still weekly", d)
	}

	bad := path[:len(path)-3] + "AAA"
	for _, persona := range []string{"", "employee"} { // a session does not make a bad link good
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			if resp := env.do(t, persona, method, bad, url.Values{"List-Unsubscribe": {"One-Click"}}); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s of a forged link as %q: %d, want 404", method, persona, resp.StatusCode)
			}
		}
	}
	if d := digestOf(employee.ID); d != account.DigestWeekly {
		t.Fatalf("after forged links the digest is %q, want still weekly", d)
	}

	for range 2 { // clicking twice is fine
		resp := env.do(t, "", http.MethodPost, path, url.Values{"List-Unsubscribe": {"One-Click"}})
		if doc := mustDoc(t, resp); resp.StatusCode != http.StatusOK || !has(doc, "unsubscribed") {
			t.Fatalf("one-click POST: %d, want 200 saying the digest is off", resp.StatusCode)
		}
	}
	if d := digestOf(employee.ID); d != account.DigestOff {
		t.Errorf("after the one-click POST the digest is %q, want off", d)
	}
	if d := digestOf(env.users["hr"].ID); d != account.DigestWeekly {
		t.Errorf("someone else's digest is %q, want still weekly", d)
	}
}

// TestUnsubscribePageInTheirLanguage: the page speaks the language the
// person chose, whatever the browser that follows the link says.
func TestUnsubscribePageInTheirLanguage(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	employee := env.users["employee"]
	if err := env.store.SetLanguage(ctx, employee.ID, "nl"); err != nil {
		t.Fatal(err)
	}
	token, err := env.store.DigestUnsubscribeToken(ctx, employee.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		resp := env.do(t, "", method, "/unsubscribe/"+token, nil)
		doc := mustDoc(t, resp)
		lang := attr(t, doc.Find("html"), "lang")
		if resp.StatusCode != http.StatusOK || lang != "nl" || !strings.Contains(doc.Find("h1").Text(), "overzicht") {
			t.Errorf("%s: %d, lang %q, heading %q; want 200 in Dutch", method, resp.StatusCode, lang, doc.Find("h1").Text())
		}
	}
}
