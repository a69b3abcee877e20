package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/guidelines"
	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

const testBaseURL = "http://portal.test"

// testEnv is the portal's app on a real SQLite database in a temp dir, with
// one signed-in session per persona.
type testEnv struct {
	app      *fiber.App
	store    *store.Store
	g        *training.Guidelines
	users    map[string]account.User
	sessions map[string]string // persona → session cookie value
	csrf     map[string]string // persona → CSRF token
}

// personas are the signed-in people tests act as; "" is anonymous.
var personas = []string{"employee", "hr", "comms", "comms2", "admin"}

func mustOpenStore(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "portal.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	g, err := training.Load(guidelines.FS())
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{store: mustOpenStore(t), g: g, users: map[string]account.User{},
		sessions: map[string]string{}, csrf: map[string]string{}}
	roles := map[string][]account.Role{
		"employee": nil, "hr": {account.HR}, "comms": {account.Comms}, "comms2": {account.Comms}, "admin": {account.Admin},
	}
	ctx := context.Background()
	for _, p := range personas {
		u, err := env.store.SignIn(ctx, account.Identity{Subject: "test:" + p, Email: p + "@example.com",
			Name: "Test " + p, Roles: roles[p]})
		if err != nil {
			t.Fatal(err)
		}
		env.users[p] = u
		env.newSession(t, p)
	}
	env.app = New(Deps{Store: env.store, Guidelines: g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups",
		BaseURL: testBaseURL, Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return env
}

// newSession signs persona in afresh, as the sign-in callback would.
func (env *testEnv) newSession(t *testing.T, persona string) {
	t.Helper()
	token, csrf := auth.NewToken(), auth.NewToken()
	if err := env.store.CreateSession(context.Background(), auth.HashToken(token), "", env.users[persona].ID, csrf,
		time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	env.sessions[persona], env.csrf[persona] = token, csrf
}

// do sends a request as persona ("" for anonymous). For POST, form is sent
// with the persona's CSRF token unless form already has one.
func (env *testEnv) do(t *testing.T, persona, method, path string, form url.Values) *http.Response {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		if form == nil {
			form = url.Values{}
		}
		if _, ok := form["_csrf"]; !ok && persona != "" {
			form.Set("_csrf", env.csrf[persona])
		}
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, testBaseURL+path, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if persona != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: env.sessions[persona]})
	}
	resp, err := env.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func mustDoc(t *testing.T, resp *http.Response) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// has reports whether the page has an element with the data-testid.
func has(doc *goquery.Document, testid string) bool {
	return doc.Find(`[data-testid="`+testid+`"]`).Length() > 0
}

// unlockSharing acknowledges the code of conduct and passes every required
// module for persona, as the pages would.
func (env *testEnv) unlockSharing(t *testing.T, persona string) {
	t.Helper()
	ctx := context.Background()
	u := env.users[persona]
	if err := env.store.Acknowledge(ctx, store.Acknowledgement{UserID: u.ID, Version: env.g.Conduct.Version,
		ContentHash: env.g.Conduct.Hash, ClientIP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range env.g.Modules {
		if _, err := env.store.SaveAttempt(ctx, store.Attempt{UserID: u.ID, ModuleID: m.ID, ModuleHash: m.Hash,
			Answers: correctAnswers(m), Correct: len(m.Quiz.Questions), Total: len(m.Quiz.Questions), Passed: true}); err != nil {
			t.Fatal(err)
		}
	}
}

func correctAnswers(m training.Module) map[string]string {
	answers := map[string]string{}
	for _, q := range m.Quiz.Questions {
		for _, o := range q.Options {
			if o.Correct {
				answers[q.ID] = o.ID
			}
		}
	}
	return answers
}

// livePost creates a post by comms, approved by comms2, and returns it.
func (env *testEnv) livePost(t *testing.T, title string) post.Post {
	t.Helper()
	ctx := context.Background()
	id, err := env.store.CreatePost(ctx, post.Input{Title: title, URL: "https://example.com/news?ref=feed",
		Commentary: "Look at this", Category: string(post.CompanyNews)}, env.users["comms"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.TransitionPost(ctx, id, post.Submit, env.users["comms"].ID, "", post.DefaultPolicy); err != nil {
		t.Fatal(err)
	}
	p, err := env.store.TransitionPost(ctx, id, post.Approve, env.users["comms2"].ID, "", post.DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
