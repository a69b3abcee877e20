package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/notify"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/webhook"
)

const baseURL = "https://portal.example.com"

// newClock starts on Thursday 5 November 2026, 09:00 UTC (ISO week 45).
func newClock() *clocktest.Clock { return clocktest.New(time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)) }

// env is a store on a temp database with a comms author and approver.
type env struct {
	clock            *clocktest.Clock
	store            *store.Store
	path             string
	author, approver account.User
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c := newClock()
	path := filepath.Join(t.TempDir(), "portal.db")
	s, err := store.Open(context.Background(), path, store.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &env{clock: c, store: s, path: path}
	e.author = e.user(t, "author", account.Comms)
	e.approver = e.user(t, "approver", account.Comms)
	for _, u := range []account.User{e.author, e.approver} {
		e.setDigest(t, u.ID, account.DigestOff, "en")
	}
	return e
}

func (e *env) user(t *testing.T, name string, roles ...account.Role) account.User {
	t.Helper()
	u, err := e.store.SignIn(context.Background(), account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:" + name, Email: name + "@example.com",
		Name: "Test " + name, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) setDigest(t *testing.T, userID int64, d account.Digest, lang string) {
	t.Helper()
	p, err := e.store.Profile(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	p.Digest, p.Language = d, lang
	if err := e.store.SaveProfile(context.Background(), userID, p); err != nil {
		t.Fatal(err)
	}
}

// livePost creates, approves and publishes a post at the clock's time.
func (e *env) livePost(t *testing.T, title string, groups ...int64) post.Post {
	t.Helper()
	ctx := context.Background()
	svc := post.NewService(e.store, post.Config{Policy: post.DefaultPolicy})
	created, err := svc.Create(ctx, post.Creation{Fields: post.Fields{Title: title, URL: "https://example.com/news?id=1&ref=x",
		Category: post.CompanyNews, Language: "en", GroupIDs: groups}, AuthorID: e.author.ID})
	if err != nil {
		t.Fatal(err)
	}
	id := created.ID
	if _, err := svc.Transition(ctx, post.Step{PostID: id, Action: post.Submit, ActorID: e.author.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transition(ctx, post.Step{PostID: id, Action: post.Approve, ActorID: e.approver.ID}); err != nil {
		t.Fatal(err)
	}
	live, err := e.store.PublishDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range live {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("post %q did not go live", title)
	return post.Post{}
}

// received is a request a test webhook got.
type received struct {
	Path        string
	ContentType string
	Body        []byte
}

// hookServer is a local HTTPS webhook that records what it receives and
// answers with the status its respond function gives (200 if nil).
type hookServer struct {
	*httptest.Server
	mu      sync.Mutex
	got     []received
	respond func(n int) int // n counts requests from 1
}

func newHookServer(t *testing.T, respond func(n int) int) *hookServer {
	t.Helper()
	h := &hookServer{respond: respond}
	h.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("webhook request body: %v", err)
		}
		h.mu.Lock()
		h.got = append(h.got, received{Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Body: body})
		n := len(h.got)
		h.mu.Unlock()
		status := http.StatusOK
		if h.respond != nil {
			status = h.respond(n)
		}
		w.WriteHeader(status)
		io.WriteString(w, http.StatusText(status))
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) requests() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.got...)
}

func (e *env) setHook(t *testing.T, target webhook.Target, u string) {
	t.Helper()
	if err := e.store.SetWebhookURL(context.Background(), target, u, e.author.ID); err != nil {
		t.Fatal(err)
	}
}

func (e *env) worker(h *hookServer, logs io.Writer) *notify.Worker {
	return &notify.Worker{Store: e.store, Client: h.Client(), Timeout: 2 * time.Second, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(logs, nil))}
}

func (e *env) deliveries(t *testing.T) []webhook.Delivery {
	t.Helper()
	ds, err := e.store.WebhookDeliveries(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

const nastyTitle = `Q3 <results> & "growth" <!channel> *now* [x](https://evil.example)`

func TestAnnounceDeliversSlackAndTeams(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	h := newHookServer(t, nil)
	e.setHook(t, webhook.Slack, h.URL+"/services/T0/B0/slacksecret")
	e.setHook(t, webhook.Teams, h.URL+"/workflows/teamssecret?sig=abc")
	p := e.livePost(t, nastyTitle)

	woken := 0
	hooks := &notify.Webhooks{Store: e.store, BaseURL: baseURL, Notify: func() { woken++ }}
	if err := hooks.Announce(ctx, []post.Post{p}); err != nil {
		t.Fatal(err)
	}
	if err := hooks.Announce(ctx, []post.Post{p}); err != nil { // the scheduler ran twice
		t.Fatal(err)
	}
	if ds := e.deliveries(t); len(ds) != 2 || woken != 1 {
		t.Fatalf("after announcing twice: %d deliveries, woken %d times; want 2 and once", len(ds), woken)
	}

	var logs bytes.Buffer
	w := e.worker(h, &logs)
	sent, failed, err := w.RunOnce(ctx)
	if err != nil || sent != 2 || failed != 0 {
		t.Fatalf("RunOnce = sent %d, failed %d, %v; want 2 sent", sent, failed, err)
	}
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent+failed != 0 {
		t.Errorf("second RunOnce = sent %d, failed %d, %v; want nothing left", sent, failed, err)
	}
	got := map[string]received{}
	for _, r := range h.requests() {
		got[r.Path] = r
		if !strings.HasPrefix(r.ContentType, "application/json") {
			t.Errorf("%s: content type %q, want JSON", r.Path, r.ContentType)
		}
	}

	t.Run("slack", func(t *testing.T) {
		r, ok := got["/services/T0/B0/slacksecret"]
		if !ok {
			t.Fatalf("Slack webhook got nothing; requests: %v", h.requests())
		}
		var msg struct {
			Text   string `json:"text"`
			Blocks []struct {
				Type string `json:"type"`
				Text struct {
					Type, Text string
				} `json:"text"`
				Elements []struct {
					Type, URL string
				} `json:"elements"`
			} `json:"blocks"`
		}
		if err := json.Unmarshal(r.Body, &msg); err != nil {
			t.Fatalf("Slack payload %s: %v", r.Body, err)
		}
		escaped := `Q3 &lt;results&gt; &amp; "growth" &lt;!channel&gt; *now* [x](https://evil.example)`
		if msg.Text != "New post to share: "+escaped {
			t.Errorf("text = %q, want the escaped title", msg.Text)
		}
		if len(msg.Blocks) != 2 || msg.Blocks[0].Text.Type != "mrkdwn" {
			t.Fatalf("blocks = %+v, want a mrkdwn section and actions", msg.Blocks)
		}
		if want := "<https://example.com/news?id=1&amp;ref=x|" + escaped + ">"; !strings.Contains(msg.Blocks[0].Text.Text, want) {
			t.Errorf("section = %q, want the link %q", msg.Blocks[0].Text.Text, want)
		}
		if strings.Contains(string(r.Body), "<!channel>") || strings.Contains(string(r.Body), "<results>") {
			t.Errorf("payload has unescaped markup: %s", r.Body)
		}
		var urls []string
		for _, el := range msg.Blocks[1].Elements {
			urls = append(urls, el.URL)
		}
		if len(urls) != 2 || urls[0] != baseURL+"/feed" || urls[1] != p.URL {
			t.Errorf("buttons go to %v, want the feed and the post", urls)
		}
	})

	t.Run("teams", func(t *testing.T) {
		r, ok := got["/workflows/teamssecret"]
		if !ok {
			t.Fatalf("Teams webhook got nothing; requests: %v", h.requests())
		}
		var msg struct {
			Type        string `json:"type"`
			Attachments []struct {
				ContentType string `json:"contentType"`
				Content     struct {
					Type string `json:"type"`
					Body []struct {
						Type    string `json:"type"`
						Text    string `json:"text"`
						Inlines []struct{ Type, Text string }
					} `json:"body"`
					Actions []struct{ Type, Title, URL string } `json:"actions"`
				} `json:"content"`
			} `json:"attachments"`
		}
		if err := json.Unmarshal(r.Body, &msg); err != nil {
			t.Fatalf("Teams payload %s: %v", r.Body, err)
		}
		if msg.Type != "message" || len(msg.Attachments) != 1 || msg.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" {
			t.Fatalf("payload = %s, want a message with one Adaptive Card", r.Body)
		}
		card := msg.Attachments[0].Content
		if card.Type != "AdaptiveCard" || len(card.Body) != 2 {
			t.Fatalf("card = %+v", card)
		}
		// The title is a TextRun, which Adaptive Cards never read as
		// Markdown: it arrives exactly as written, and in no TextBlock.
		if in := card.Body[1]; in.Type != "RichTextBlock" || len(in.Inlines) != 1 || in.Inlines[0].Type != "TextRun" || in.Inlines[0].Text != nastyTitle {
			t.Errorf("title block = %+v, want a TextRun with the title as plain text", in)
		}
		for _, b := range card.Body {
			if b.Type == "TextBlock" && strings.Contains(b.Text, "results") {
				t.Errorf("title in a Markdown TextBlock: %+v", b)
			}
		}
		if len(card.Actions) != 2 || card.Actions[0].URL != baseURL+"/feed" || card.Actions[1].URL != p.URL {
			t.Errorf("actions = %+v, want the feed and the post", card.Actions)
		}
	})

	if strings.Contains(logs.String(), "secret") {
		t.Errorf("logs show the webhook URL: %s", logs.String())
	}
}

func TestAnnounceWithoutWebhooksQueuesNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	p := e.livePost(t, "Quiet news")
	woken := false
	hooks := &notify.Webhooks{Store: e.store, BaseURL: baseURL, Notify: func() { woken = true }}
	if err := hooks.Announce(ctx, []post.Post{p}); err != nil {
		t.Fatal(err)
	}
	if ds := e.deliveries(t); len(ds) != 0 || woken {
		t.Errorf("without webhooks: %d deliveries queued, woken %v; want none", len(ds), woken)
	}

	// Only the configured one gets a delivery.
	e.setHook(t, webhook.Teams, "https://example.invalid/teams")
	if err := hooks.Announce(ctx, []post.Post{p}); err != nil {
		t.Fatal(err)
	}
	if ds := e.deliveries(t); len(ds) != 1 || ds[0].Target != webhook.Teams || ds[0].DedupeKey != "live:"+strconv.FormatInt(p.ID, 10)+":teams" {
		t.Errorf("with Teams only: %+v, want one Teams delivery", ds)
	}
}

func TestWorkerRetriesWithBackoffUntilAccepted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	h := newHookServer(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	e.setHook(t, webhook.Slack, h.URL+"/services/T0/B0/slacksecret")
	hooks := &notify.Webhooks{Store: e.store, BaseURL: baseURL}
	if err := hooks.Announce(ctx, []post.Post{e.livePost(t, "Launch")}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	w := e.worker(h, &logs)

	steps := []struct {
		advance      time.Duration
		sent, failed int
		wantAttempts int
		wantRetryIn  time.Duration
	}{
		{0, 0, 1, 1, time.Minute},                     // 500: retry in a minute
		{30 * time.Second, 0, 0, 1, 30 * time.Second}, // not due yet
		{30 * time.Second, 0, 1, 2, 5 * time.Minute},  // 500 again: retry in 5 minutes
		{5 * time.Minute, 1, 0, 2, 0},                 // accepted
	}
	for i, st := range steps {
		e.clock.Advance(st.advance)
		sent, failed, err := w.RunOnce(ctx)
		if err != nil || sent != st.sent || failed != st.failed {
			t.Fatalf("step %d: RunOnce = sent %d failed %d %v, want sent %d failed %d", i, sent, failed, err, st.sent, st.failed)
		}
		d := e.deliveries(t)[0]
		if d.Attempts != st.wantAttempts {
			t.Errorf("step %d: attempts %d, want %d", i, d.Attempts, st.wantAttempts)
		}
		if st.wantRetryIn > 0 && (!d.SentAt.IsZero() || !d.SendAfter.Equal(e.clock.Now().Add(st.wantRetryIn))) {
			t.Errorf("step %d: next try at %v (sent %v), want %v", i, d.SendAfter, d.SentAt, e.clock.Now().Add(st.wantRetryIn))
		}
		if st.sent == 1 && d.SentAt.IsZero() {
			t.Errorf("step %d: not marked sent", i)
		}
		if strings.Contains(d.LastError, "secret") || strings.Contains(d.LastError, h.URL) {
			t.Errorf("step %d: last error %q shows the webhook URL", i, d.LastError)
		}
	}
	if d := e.deliveries(t)[0]; !strings.Contains(d.LastError, "500") {
		t.Errorf("last error = %q, want the status that failed", d.LastError)
	}
	if n := len(h.requests()); n != 3 {
		t.Errorf("webhook got %d requests, want 3", n)
	}
	if !strings.Contains(logs.String(), "webhook delivery failed") || strings.Contains(logs.String(), "secret") ||
		strings.Contains(logs.String(), h.URL) {
		t.Errorf("logs = %s; want the failures logged without the URL", logs.String())
	}
}

func TestWorkerTimeoutBoundsASlowWebhook(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	release := make(chan struct{})
	slow := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	e.setHook(t, webhook.Teams, slow.URL+"/workflows/teamssecret")
	if err := (&notify.Webhooks{Store: e.store, BaseURL: baseURL}).Announce(ctx, []post.Post{e.livePost(t, "Slow")}); err != nil {
		t.Fatal(err)
	}
	w := &notify.Worker{Store: e.store, Client: slow.Client(), Timeout: 200 * time.Millisecond, Now: e.clock.Now}
	start := time.Now()
	sent, failed, err := w.RunOnce(ctx)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("RunOnce took %v, want it bounded by the 200ms timeout", took)
	}
	if err != nil || sent != 0 || failed != 1 {
		t.Fatalf("RunOnce = sent %d failed %d %v, want 1 failed", sent, failed, err)
	}
	d := e.deliveries(t)[0]
	if !strings.Contains(d.LastError, "no answer within") || strings.Contains(d.LastError, "secret") ||
		!d.SendAfter.Equal(e.clock.Now().Add(time.Minute)) {
		t.Errorf("delivery = %+v, want a timeout retried in a minute", d)
	}
}

func TestWorkerDoesNotFollowRedirects(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var elsewhere int
	var mu sync.Mutex
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			mu.Lock()
			elsewhere++
			mu.Unlock()
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	e.setHook(t, webhook.Slack, srv.URL+"/hook")
	if err := (&notify.Webhooks{Store: e.store, BaseURL: baseURL}).Announce(ctx, []post.Post{e.livePost(t, "Moved")}); err != nil {
		t.Fatal(err)
	}
	w := &notify.Worker{Store: e.store, Client: srv.Client(), Now: e.clock.Now}
	if sent, failed, err := w.RunOnce(ctx); err != nil || sent != 0 || failed != 1 {
		t.Fatalf("RunOnce = sent %d failed %d %v, want the redirect to count as a failure", sent, failed, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if elsewhere != 0 {
		t.Error("the payload followed the redirect")
	}
}

func TestRetryDelay(t *testing.T) {
	want := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 6 * time.Hour, 6 * time.Hour}
	for i, d := range want {
		if got := notify.RetryDelay(i + 1); got != d {
			t.Errorf("RetryDelay(%d) = %v, want %v", i+1, got, d)
		}
	}
}

func TestCheckWebhookURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://hooks.slack.com/services/T0/B0/xyz", "https://hooks.slack.com/services/T0/B0/xyz", true},
		{"  https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=s  ", "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=s", true},
		{"", "", false},
		{"http://hooks.slack.com/services/T0/B0/xyz", "", false},
		{"hooks.slack.com/services/T0/B0/xyz", "", false},
		{"https://user:pw@hooks.slack.com/x", "", false},
		{"https:///nohost", "", false},
		{"javascript:alert(1)", "", false},
		{"https://hooks.slack.com/x#frag", "", false},
		{"https://hooks.slack.com/" + strings.Repeat("a", 2001), "", false},
	}
	for _, tt := range tests {
		got, problem := notify.CheckWebhookURL(tt.in)
		if got != tt.want || (problem == "") != tt.ok {
			t.Errorf("CheckWebhookURL(%q) = %q, %q; want %q, ok %v", tt.in, got, problem, tt.want, tt.ok)
		}
		if problem != "" && strings.Contains(problem, "slack.com") {
			t.Errorf("problem %q repeats the URL", problem)
		}
	}
}
