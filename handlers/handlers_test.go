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
	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

const testBaseURL = "http://portal.test"

// testBrowserUA is the user agent tests send: Firefox, so that the redirect
// path counts their requests as people's clicks (not bots).
const testBrowserUA = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"

// testEnv is the portal's app on a real SQLite database in a temp dir, with
// one signed-in session per persona.
type testEnv struct {
	clock    *clocktest.Clock
	app      *fiber.App
	store    *store.Store
	g        *training.Guidelines
	users    map[string]account.User
	sessions map[string]string // persona → session cookie value
	csrf     map[string]string // persona → CSRF token
}

// personas are the signed-in people tests act as; "" is anonymous.
var personas = []string{"employee", "hr", "comms", "comms2", "admin"}

func mustOpenStore(tb testing.TB, opts ...store.Option) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "portal.db"), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// newTestEnv builds the app on a fresh database. prior are code of conduct
// versions the portal ran with before the current one, oldest first.
func newTestEnv(t *testing.T, prior ...training.ConductVersion) *testEnv {
	t.Helper()
	g, err := training.Load(guidelines.FS())
	if err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(time.Now().UTC().Truncate(time.Second))
	env := &testEnv{clock: clk, store: mustOpenStore(t, store.WithClock(clk.Now)), g: g, users: map[string]account.User{},
		sessions: map[string]string{}, csrf: map[string]string{}}
	for _, v := range prior {
		if err := env.store.RegisterConductVersion(context.Background(), v.Version, "hash-of-"+v.Version, v.Material); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.store.RegisterConductVersion(context.Background(), g.Conduct.Version,
		g.Conduct.In("en").Hash, g.Conduct.Material); err != nil {
		t.Fatal(err)
	}
	roles := map[string][]account.Role{
		"employee": nil, "hr": {account.HR}, "comms": {account.Comms}, "comms2": {account.Comms}, "admin": {account.Admin},
	}
	ctx := context.Background()
	for _, p := range personas {
		u, err := env.store.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:" + p, Email: p + "@example.com",
			Name: "Test " + p, Roles: roles[p]})
		if err != nil {
			t.Fatal(err)
		}
		env.users[p] = u
		env.newSession(t, p)
	}
	env.app = New(Deps{Store: env.store, Guidelines: g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups",
		BaseURL: testBaseURL, Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clk.Now})
	return env
}

// newSession signs persona in afresh, as the sign-in callback would.
func (env *testEnv) newSession(t *testing.T, persona string) {
	t.Helper()
	token, csrf := auth.NewToken(), auth.NewToken()
	if err := env.store.CreateSession(context.Background(), auth.HashToken(token), "", env.users[persona].ID, csrf,
		env.clock.Now().Add(24*time.Hour)); err != nil {
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
	req.Header.Set("User-Agent", testBrowserUA) // a person's browser: tracked-link requests count as clicks
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
	u := env.users[persona]
	if err := env.store.Acknowledge(context.Background(), training.Acknowledgement{UserID: u.ID, Version: env.g.Conduct.Version,
		ContentHash: env.g.Conduct.In("en").Hash, ClientIP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range env.g.Required {
		m := env.module(t, id)
		env.takeQuiz(t, persona, m, correctAnswers(m))
	}
}

// takeQuiz starts an attempt at m for persona and answers it, in the
// module's own order, through the store; it returns the submitted attempt.
func (env *testEnv) takeQuiz(t *testing.T, persona string, m training.Module, answers map[string]string) training.Attempt {
	t.Helper()
	ctx := context.Background()
	questions := m.In("en").Questions
	id, _, err := env.store.StartAttempt(ctx, training.Attempt{UserID: env.users[persona].ID, ModuleID: m.ID,
		ModuleHash: m.Hash, Language: "en", Questions: questions})
	if err != nil {
		t.Fatal(err)
	}
	var a training.Attempt
	for _, q := range questions {
		a, err = env.store.SaveAnswer(ctx, id, q.ID, answers[q.ID], func(a training.Attempt) (training.Result, error) {
			return training.Score(a.Questions, m.Quiz.PassMark, a.Answers)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// correctAnswers maps each question of m to its correct option.
func correctAnswers(m training.Module) map[string]string {
	return answersWhere(m, true)
}

// wrongAnswers maps each question of m to a wrong option.
func wrongAnswers(m training.Module) map[string]string {
	return answersWhere(m, false)
}

func answersWhere(m training.Module, correct bool) map[string]string {
	answers := map[string]string{}
	for _, q := range m.In("en").Questions {
		for _, o := range q.Options {
			if o.Correct == correct {
				answers[q.ID] = o.ID
			}
		}
	}
	return answers
}

// livePost creates a post by comms, approved by comms2, and returns it.
func (env *testEnv) livePost(t *testing.T, title string) post.Post {
	t.Helper()
	return env.createPost(t, post.Input{Title: title, URL: "https://example.com/news?ref=feed",
		Suggestions: []post.Suggestion{{Text: "Look at this"}}, Category: string(post.CompanyNews)}, post.Submit, post.Approve)
}

// createPost creates a post by comms from in and takes it through actions
// (approval by comms2).
func (env *testEnv) createPost(t *testing.T, in post.Input, actions ...post.Action) post.Post {
	t.Helper()
	ctx := context.Background()
	f, errs := in.Validate(env.clock.Now())
	if errs != nil {
		t.Fatalf("invalid post: %v", errs)
	}
	p, err := env.posts().Create(ctx, post.Creation{Fields: f, AuthorID: env.users["comms"].ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range actions {
		actor := env.users["comms"].ID
		if a == post.Approve {
			actor = env.users["comms2"].ID
		}
		if p, err = env.posts().Transition(ctx, post.Step{PostID: p.ID, Action: a, ActorID: actor}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// posts is the post service over the test store, as the portal builds it.
func (env *testEnv) posts() *post.Service {
	return post.NewService(env.store, post.Config{Policy: post.DefaultPolicy})
}
