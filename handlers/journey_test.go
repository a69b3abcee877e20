package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

func TestHealthz(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(t, "", "GET", "/healthz", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: got %d", resp.StatusCode)
	}
}

func TestAcknowledgeConduct(t *testing.T) {
	// ack reads the employee's acknowledgement of the current version.
	ack := func(t *testing.T, env *testEnv) (training.Acknowledgement, error) {
		t.Helper()
		return env.store.Acknowledgement(context.Background(), env.users["employee"].ID, env.g.Conduct.Version)
	}

	refused := []struct {
		name       string
		form       func(version string) url.Values
		wantStatus int
	}{
		{"tampered CSRF token changes nothing",
			func(v string) url.Values { return url.Values{"version": {v}, "_csrf": {"forged"}} }, http.StatusForbidden},
		{"missing CSRF token changes nothing",
			func(v string) url.Values { return url.Values{"version": {v}, "_csrf": {""}} }, http.StatusForbidden},
		{"an outdated version is refused",
			func(string) url.Values { return url.Values{"version": {"1999.1"}} }, http.StatusConflict},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t)
			resp := env.do(t, "employee", "POST", "/conduct/acknowledge", tc.form(env.g.Conduct.Version))
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("got %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if _, err := ack(t, env); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("acknowledgement stored although refused: %v", err)
			}
		})
	}
	t.Run("acknowledging records version, hash of the text read and client IP", func(t *testing.T) {
		env := newTestEnv(t)
		resp := env.do(t, "employee", "POST", "/conduct/acknowledge", url.Values{"version": {env.g.Conduct.Version}, "lang": {"nl"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/training/"+env.g.Required[0] {
			t.Fatalf("got %d to %q, want 303 to the next step", resp.StatusCode, resp.Header.Get("Location"))
		}
		a, err := ack(t, env)
		if err != nil {
			t.Fatal(err)
		}
		if a.ContentHash != env.g.Conduct.In("nl").Hash || a.ClientIP == "" {
			t.Fatalf("acknowledgement = %+v, want the Dutch text's hash and a client IP", a)
		}
		doc := mustDoc(t, env.do(t, "employee", "GET", "/conduct", nil))
		if !has(doc, "acknowledged") || has(doc, "acknowledge-form") {
			t.Fatal("conduct page does not show the acknowledgement")
		}
	})
}

func TestConductVersions(t *testing.T) {
	tests := []struct {
		name         string
		prior        []training.ConductVersion
		acknowledged string // the version the employee acknowledged; "" for the current one
		wantLocked   bool
		wantReackUI  bool
	}{
		{"a material change since the acknowledged version locks sharing",
			[]training.ConductVersion{{Version: "2025.1", Material: true}}, "2025.1", true, true},
		{"the current version acknowledged after a material change unlocks sharing",
			[]training.ConductVersion{{Version: "2025.1", Material: true}}, "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Every module passed, and the code of conduct acknowledged
			// in tc.acknowledged only.
			env2 := newTestEnv(t, tc.prior...)
			u := env2.users["employee"]
			for _, id := range env2.g.Required {
				m := env2.module(t, id)
				env2.takeQuiz(t, "employee", m, correctAnswers(m))
			}
			version, hash := tc.acknowledged, "old"
			if version == "" {
				version, hash = env2.g.Conduct.Version, env2.g.Conduct.In("en").Hash
			}
			if err := env2.store.Acknowledge(context.Background(), training.Acknowledgement{UserID: u.ID, Version: version,
				ContentHash: hash, ClientIP: "192.0.2.1"}); err != nil {
				t.Fatal(err)
			}
			doc := mustDoc(t, env2.do(t, "employee", "GET", "/feed", nil))
			if got := has(doc, "missing-conduct"); got != tc.wantLocked {
				t.Fatalf("feed asks to acknowledge: %v, want %v", got, tc.wantLocked)
			}
			doc = mustDoc(t, env2.do(t, "employee", "GET", "/conduct", nil))
			if got := has(doc, "reacknowledge"); got != tc.wantReackUI {
				t.Fatalf("conduct page asks to acknowledge again: %v, want %v", got, tc.wantReackUI)
			}
			// The server decides the same way when asked to share.
			p := env2.livePost(t, "News")
			resp := env2.do(t, "employee", "POST", fmt.Sprintf("/posts/%d/share", p.ID), url.Values{"network": {"x"}})
			wantShare := http.StatusSeeOther
			if tc.wantLocked {
				wantShare = http.StatusForbidden
			}
			if resp.StatusCode != wantShare {
				t.Fatalf("share: got %d, want %d", resp.StatusCode, wantShare)
			}
		})
	}
}

// quiz is one employee's attempt at the disclosure quiz, started on a
// portal of its own.
type quiz struct {
	env     *testEnv
	m       training.Module
	attempt string   // the attempt's path
	q1      string   // the first question it shows
	order   []string // that question's options, in the order shown
}

// newQuiz starts the employee's first attempt at the disclosure quiz on a
// new portal.
func newQuiz(t *testing.T) quiz {
	t.Helper()
	q := quiz{env: newTestEnv(t)}
	q.m = q.env.module(t, "disclosure")
	q.attempt = q.start(t)
	first := q.current(t, q.attempt)
	q.q1, q.order = first.question, first.options
	if q.q1 == "" || len(q.order) == 0 {
		t.Fatalf("a new attempt shows question %q with options %v", q.q1, q.order)
	}
	return q
}

// start starts (or continues) the employee's attempt and returns its path.
func (q quiz) start(t *testing.T) string {
	t.Helper()
	resp := q.env.do(t, "employee", "POST", "/training/disclosure/attempts", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: got %d, want 303", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// shown is the question an attempt shows and its options, in the order
// shown; question is "" once every question is answered.
type shown struct {
	question string
	options  []string
}

// current reads what attempt shows.
func (q quiz) current(t *testing.T, attempt string) shown {
	t.Helper()
	var s shown
	doc := mustDoc(t, q.env.do(t, "employee", "GET", attempt, nil))
	if sel := doc.Find(`input[name="question"]`); sel.Length() > 0 {
		s.question = attr(t, sel, "value")
	}
	doc.Find(`input[name="option"]`).Each(func(_ int, o *goquery.Selection) {
		s.options = append(s.options, attr(t, o, "value"))
	})
	return s
}

// answer sends one answer to attempt.
func (q quiz) answer(t *testing.T, attempt, question, option string) *http.Response {
	t.Helper()
	return q.env.do(t, "employee", "POST", attempt+"/answers", url.Values{"question": {question}, "option": {option}})
}

// answerAll answers every remaining question of attempt from answers and
// returns the result page.
func (q quiz) answerAll(t *testing.T, attempt string, answers map[string]string) *goquery.Document {
	t.Helper()
	for range q.m.In("en").Questions {
		question := q.current(t, attempt).question
		if question == "" {
			break
		}
		if resp := q.answer(t, attempt, question, answers[question]); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer %s: got %d", question, resp.StatusCode)
		}
	}
	return mustDoc(t, q.env.do(t, "employee", "GET", attempt, nil))
}

// failEveryAttempt answers the first attempt and then, each after the
// wait, every further one the quiz allows wrongly, calling each with the
// result page of attempt i (from 1).
func (q quiz) failEveryAttempt(t *testing.T, each func(i int, result *goquery.Document)) {
	t.Helper()
	attempt := q.attempt
	for i := 1; i <= q.m.Quiz.MaxAttempts; i++ {
		if i > 1 {
			q.env.clock.Advance(q.m.Quiz.RetryWait + time.Minute)
			attempt = q.start(t)
		}
		each(i, q.answerAll(t, attempt, wrongAnswers(q.m)))
	}
}

func TestQuiz(t *testing.T) {
	t.Run("a reload shows the same question and option order", func(t *testing.T) {
		q := newQuiz(t)
		for range 3 {
			if got := q.current(t, q.attempt); got.question != q.q1 || fmt.Sprint(got.options) != fmt.Sprint(q.order) {
				t.Fatalf("reload changed the quiz: %s %v, want %s %v", got.question, got.options, q.q1, q.order)
			}
		}
		if again := q.start(t); again != q.attempt {
			t.Fatalf("starting again made a new attempt %s instead of continuing %s", again, q.attempt)
		}
	})

	refused := []struct {
		name             string
		question, option func(q quiz) string
	}{
		{"no option chosen", func(q quiz) string { return q.q1 }, func(quiz) string { return "" }},
		{"answer for a question that does not exist", func(quiz) string { return "no-such-question" }, func(quiz) string { return "a" }},
		{"option that does not exist", func(q quiz) string { return q.q1 }, func(quiz) string { return "zz" }},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			q := newQuiz(t)
			resp := q.answer(t, q.attempt, tc.question(q), tc.option(q))
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", resp.StatusCode)
			}
			if !has(mustDoc(t, resp), "quiz-problem") {
				t.Fatal("no message saying what is wrong")
			}
			a, err := q.env.store.OpenAttempt(context.Background(), q.env.users["employee"].ID, "disclosure")
			if err != nil || len(a.Answers) != 0 {
				t.Fatalf("refused answer was saved: %v, %v", a.Answers, err)
			}
		})
	}

	t.Run("a failed attempt explains, hides the right answers and makes you wait", func(t *testing.T) {
		q := newQuiz(t)
		doc := q.answerAll(t, q.attempt, wrongAnswers(q.m))
		if !has(doc, "failed") || has(doc, "right-answer") || !has(doc, "answers-hidden") {
			t.Fatal("failed result should explain without revealing the right answers")
		}
		if doc.Find(`[data-testid="explanation"]`).Length() != len(q.m.In("en").Questions) {
			t.Fatal("not every answer is explained")
		}
		if !has(doc, "retry-blocked") {
			t.Fatal("a retry is offered before the wait is over")
		}
		if resp := q.env.do(t, "employee", "POST", "/training/disclosure/attempts", nil); resp.StatusCode != http.StatusConflict {
			t.Fatalf("start during the wait: got %d, want 409", resp.StatusCode)
		}
	})

	t.Run("after the wait, attempts run out and then the answers are revealed", func(t *testing.T) {
		q := newQuiz(t)
		if q.m.Quiz.MaxAttempts < 2 {
			t.Fatalf("the disclosure quiz allows %d attempts; this test needs a retry", q.m.Quiz.MaxAttempts)
		}
		q.failEveryAttempt(t, func(i int, doc *goquery.Document) {
			if last := i == q.m.Quiz.MaxAttempts; has(doc, "right-answer") != last {
				t.Fatalf("attempt %d: right answers revealed = %v, want %v", i, !last, last)
			}
		})
		q.env.clock.Advance(q.m.Quiz.RetryWait + time.Minute)
		doc := mustDoc(t, q.env.do(t, "employee", "GET", "/training/disclosure", nil))
		if !has(doc, "quiz-blocked") || has(doc, "start-quiz") {
			t.Fatal("module page still offers a new attempt after all attempts are used")
		}
		if resp := q.env.do(t, "employee", "POST", "/training/disclosure/attempts", nil); resp.StatusCode != http.StatusConflict {
			t.Fatalf("start with no attempts left: got %d, want 409", resp.StatusCode)
		}
	})

	t.Run("after HR resets the used-up attempts, all correct passes", func(t *testing.T) {
		q := newQuiz(t)
		q.failEveryAttempt(t, func(int, *goquery.Document) {})
		if err := q.env.store.ResetAttempts(context.Background(), q.env.users["employee"].ID, "disclosure", q.env.users["hr"].ID); err != nil {
			t.Fatal(err)
		}
		attempt := q.start(t)
		doc := q.answerAll(t, attempt, correctAnswers(q.m))
		if !has(doc, "passed") {
			t.Fatal("result does not say passed")
		}
		p, err := q.env.store.Progress(context.Background(), q.env.users["employee"].ID)
		if err != nil || !p.Passed["disclosure"] {
			t.Fatalf("progress = %+v, %v; want disclosure passed", p, err)
		}
		if resp := q.answer(t, attempt, q.q1, q.order[0]); resp.StatusCode != http.StatusConflict {
			t.Fatalf("answering a submitted attempt: got %d, want 409", resp.StatusCode)
		}
		if other := q.env.do(t, "hr", "GET", attempt, nil); other.StatusCode != http.StatusNotFound {
			t.Fatalf("another user's attempt: got %d, want 404", other.StatusCode)
		}
	})

	t.Run("unknown module", func(t *testing.T) {
		env := newTestEnv(t)
		if resp := env.do(t, "employee", "GET", "/training/no-such-module", nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("got %d, want 404", resp.StatusCode)
		}
	})
}

func TestLanguage(t *testing.T) {
	env := newTestEnv(t)
	m := env.module(t, "disclosure")
	title := func(doc *goquery.Document) string { return strings.TrimSpace(doc.Find("h1").First().Text()) }

	doc := mustDoc(t, env.do(t, "employee", "GET", "/training/disclosure", nil))
	if title(doc) != m.In("en").Title {
		t.Fatalf("default title %q, want English", title(doc))
	}
	req := httptest.NewRequest("GET", testBaseURL+"/training/disclosure", nil)
	req.Header.Set("Accept-Language", "nl-BE,nl;q=0.9,en;q=0.5")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: env.sessions["employee"]})
	resp, err := env.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if doc := mustDoc(t, resp); title(doc) != m.In("nl").Title {
		t.Fatalf("browser in Dutch: title %q, want %q", title(doc), m.In("nl").Title)
	}

	resp = env.do(t, "employee", "POST", "/language", url.Values{"lang": {"nl"}, "back": {"/training/disclosure"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/training/disclosure" {
		t.Fatalf("switch: got %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	doc = mustDoc(t, env.do(t, "employee", "GET", "/training/disclosure", nil))
	if title(doc) != m.In("nl").Title {
		t.Fatalf("after choosing Dutch: title %q", title(doc))
	}
	if lang := attr(t, doc.Find("html"), "lang"); lang != "nl" {
		t.Fatalf("html lang = %q, want nl", lang)
	}
	for _, bad := range []url.Values{{"lang": {"xx"}}, {"lang": {""}}} {
		if resp := env.do(t, "employee", "POST", "/language", bad); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("language %q: got %d, want 422", bad.Get("lang"), resp.StatusCode)
		}
	}
	if resp := env.do(t, "employee", "POST", "/language", url.Values{"lang": {"en"}, "back": {"https://evil.example/"}}); resp.Header.Get("Location") != "/" {
		t.Fatalf("switch back to another site: %q", resp.Header.Get("Location"))
	}
}

func TestRequiredModulesSetting(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(t, "admin", "POST", "/admin/training", url.Values{"required": {"disclosure"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: got %d", resp.StatusCode)
	}
	doc := mustDoc(t, env.do(t, "employee", "GET", "/feed", nil))
	if !has(doc, "missing-module-disclosure") || has(doc, "missing-module-why-we-share") {
		t.Fatal("feed does not follow the admins' choice of required modules")
	}
	entries, err := auditLog(context.Background(), env.store, 10)
	if err != nil || len(entries) == 0 || entries[0].Action != "settings.change" {
		t.Fatalf("settings change not audit-logged: %+v, %v", entries, err)
	}
	if resp := env.do(t, "admin", "POST", "/admin/training", url.Values{"required": {"no-such-module"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown module: got %d, want 422", resp.StatusCode)
	}
	doc = mustDoc(t, env.do(t, "admin", "GET", "/admin/training", nil))
	if _, checked := doc.Find(`[data-testid="require-disclosure"]`).Attr("checked"); !checked {
		t.Fatal("settings page does not show the saved choice")
	}
}

func TestFeedLockedUntilTrainingDone(t *testing.T) {
	env := newTestEnv(t)
	p := env.livePost(t, "Our new office")

	doc := mustDoc(t, env.do(t, "employee", "GET", "/feed", nil))
	if !has(doc, "feed-locked") || !has(doc, "missing-conduct") || !has(doc, "missing-module-disclosure") {
		t.Fatal("locked feed does not list the missing steps")
	}
	if doc.Find(`[data-testid="missing-conduct"] a[href="/conduct"]`).Length() == 0 {
		t.Fatal("missing step has no link to the code of conduct")
	}
	// The server refuses the share too, not just the page.
	resp := env.do(t, "employee", "POST", fmt.Sprintf("/posts/%d/share", p.ID), url.Values{"network": {"linkedin"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("share while locked: got %d, want 403", resp.StatusCode)
	}
	if rows := env.reachByPost(t, 0); len(rows) != 0 {
		t.Fatalf("a link was created while sharing is locked: %+v", rows)
	}

	env.unlockSharing(t, "employee")
	doc = mustDoc(t, env.do(t, "employee", "GET", "/feed", nil))
	if !has(doc, "feed") || !has(doc, fmt.Sprintf("post-%d", p.ID)) {
		t.Fatal("unlocked feed does not show the live post")
	}
}

func TestShareAndRedirect(t *testing.T) {
	env := newTestEnv(t)
	p := env.livePost(t, "Our new office")
	env.unlockSharing(t, "employee")
	sharePath := fmt.Sprintf("/posts/%d/share", p.ID)

	resp := env.do(t, "employee", "POST", sharePath, url.Values{"network": {"linkedin"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("share: got %d, want 303", resp.StatusCode)
	}
	intent, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || intent.Host != "www.linkedin.com" {
		t.Fatalf("share went to %q, want LinkedIn's share page", resp.Header.Get("Location"))
	}
	tracked := intent.Query().Get("url")
	code, ok := strings.CutPrefix(tracked, testBaseURL+"/l/")
	if !ok || code == "" {
		t.Fatalf("shared link %q is not a tracked link", tracked)
	}

	again := env.do(t, "employee", "POST", sharePath, url.Values{"network": {"linkedin"}})
	if got := again.Header.Get("Location"); got != resp.Header.Get("Location") {
		t.Fatalf("second share to the same network made a new link: %q vs %q", got, resp.Header.Get("Location"))
	}
	other := env.do(t, "hr", "POST", sharePath, url.Values{"network": {"linkedin"}})
	if other.StatusCode != http.StatusForbidden {
		t.Fatalf("untrained colleague could share: %d", other.StatusCode)
	}

	facebook := env.do(t, "employee", "POST", sharePath, url.Values{"network": {"facebook"}})
	if loc := facebook.Header.Get("Location"); strings.Contains(loc, "Look+at+this") || strings.Contains(loc, "Look%20at%20this") {
		t.Fatalf("Facebook got pre-filled text: %s", loc)
	}

	t.Run("the tracked link redirects with UTM and counts the click", func(t *testing.T) {
		resp := env.do(t, "", "GET", "/l/"+code, nil)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("got %d, want 302", resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("Cache-Control = %q, want no-store", cc)
		}
		target, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		q := target.Query()
		if target.Host != "example.com" || q.Get("ref") != "feed" || q.Get("utm_source") != "linkedin" ||
			q.Get("utm_medium") != "employee_advocacy" || q.Get("utm_campaign") != p.Slug {
			t.Fatalf("redirect target = %s", target)
		}
		env.do(t, "", "HEAD", "/l/"+code, nil) // a link checker: not a click
		if rows := env.reachByPost(t, env.users["employee"].ID); len(rows) != 1 || rows[0].Clicks != 1 || rows[0].Shares != 3 {
			t.Fatalf("reach = %+v, want 1 click and 3 shares", rows)
		}
		doc := mustDoc(t, env.do(t, "employee", "GET", "/my/reach", nil))
		if got := doc.Find(`[data-testid="reach-` + fmt.Sprint(p.ID) + `"] [data-testid="clicks"]`).Text(); got != "1" {
			t.Fatalf("my reach shows %q clicks, want 1", got)
		}
		doc = mustDoc(t, env.do(t, "comms", "GET", "/reach", nil))
		if got := doc.Find(`[data-testid="reach-` + fmt.Sprint(p.ID) + `"] [data-testid="shares"]`).Text(); got != "3" {
			t.Fatalf("programme reach shows %q shares, want 3", got)
		}
	})

	t.Run("an unknown code is a 404 and counts nothing", func(t *testing.T) {
		before := env.reachByPost(t, 0)
		resp := env.do(t, "", "GET", "/l/doesnotexist", nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("got %d, want 404", resp.StatusCode)
		}
		if after := env.reachByPost(t, 0); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("reach after an unknown code = %+v, want %+v", after, before)
		}
	})

	refused := []struct {
		name       string
		path       string
		form       url.Values
		wantStatus int
	}{
		{"unknown network", sharePath, url.Values{"network": {"myspace"}}, http.StatusUnprocessableEntity},
		{"no network", sharePath, url.Values{}, http.StatusUnprocessableEntity},
		{"unknown post", "/posts/99999/share", url.Values{"network": {"x"}}, http.StatusNotFound},
		{"malformed post id", "/posts/abc/share", url.Values{"network": {"x"}}, http.StatusNotFound},
		{"bad Mastodon server", sharePath, url.Values{"network": {"mastodon"}, "instance": {"not a server"}}, http.StatusUnprocessableEntity},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			before := env.reachByPost(t, 0)
			resp := env.do(t, "employee", "POST", tc.path, tc.form)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("got %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			after := env.reachByPost(t, 0)
			if fmt.Sprint(before) != fmt.Sprint(after) {
				t.Fatalf("refused share changed reach: %v → %v", before, after)
			}
		})
	}

	t.Run("a post not live cannot be shared", func(t *testing.T) {
		draft := env.createPost(t, post.Input{Title: "Draft", URL: "https://example.com/d", Category: string(post.Culture)})
		resp := env.do(t, "employee", "POST", fmt.Sprintf("/posts/%d/share", draft.ID), url.Values{"network": {"x"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("got %d, want 404", resp.StatusCode)
		}
	})

	t.Run("Mastodon asks for the server once, then remembers it", func(t *testing.T) {
		resp := env.do(t, "employee", "POST", sharePath, url.Values{"network": {"mastodon"}})
		if resp.StatusCode != http.StatusOK || !has(mustDoc(t, resp), "mastodon-form") {
			t.Fatalf("got %d, want the form asking for the server", resp.StatusCode)
		}
		resp = env.do(t, "employee", "POST", sharePath, url.Values{"network": {"mastodon"}, "instance": {"https://Fosstodon.org/"}})
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "https://fosstodon.org/share?text=") {
			t.Fatalf("got %d to %q, want fosstodon's share page", resp.StatusCode, loc)
		}
		resp = env.do(t, "employee", "POST", sharePath, url.Values{"network": {"mastodon"}})
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "https://fosstodon.org/share") {
			t.Fatalf("server not remembered: got %d to %q", resp.StatusCode, loc)
		}
	})

	t.Run("copy link shows the tracked link", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "employee", "POST", sharePath, url.Values{"network": {"copy"}}))
		link := attr(t, doc.Find(`[data-testid="tracked-link"]`), "value")
		if !strings.HasPrefix(link, testBaseURL+"/l/") || link == tracked {
			t.Fatalf("copy link = %q, want its own tracked link", link)
		}
	})
}

func TestCreateAndApprovePost(t *testing.T) {
	env := newTestEnv(t)
	countPosts := func(t *testing.T) int {
		t.Helper()
		posts, err := env.store.Posts(context.Background(), post.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(posts)
	}

	invalid := []struct {
		name       string
		form       url.Values
		wantErrors []string
	}{
		{"empty form", url.Values{}, []string{"title", "url", "category"}},
		{"link that is not http(s)", url.Values{"title": {"Hello"}, "url": {"javascript:alert(1)"}, "category": {"culture"}}, []string{"url"}},
		{"unknown category", url.Values{"title": {"Hello"}, "url": {"https://example.com"}, "category": {"gossip"}}, []string{"category"}},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			resp := env.do(t, "comms", "POST", "/posts", tc.form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", resp.StatusCode)
			}
			doc := mustDoc(t, resp)
			for _, field := range tc.wantErrors {
				if !has(doc, "error-"+field) {
					t.Errorf("no message beside %s", field)
				}
			}
			if got := attr(t, doc.Find("#title"), "value"); got != tc.form.Get("title") {
				t.Errorf("typed title lost: %q", got)
			}
			if n := countPosts(t); n != 0 {
				t.Fatalf("%d posts stored from an invalid form", n)
			}
		})
	}

	// submitted has comms write a post and send it for review through the
	// form, on a portal of its own, and returns the post's path.
	submitted := func(t *testing.T) (*testEnv, string) {
		t.Helper()
		env := newTestEnv(t)
		resp := env.do(t, "comms", "POST", "/posts", url.Values{"title": {"Launch day"}, "url": {"https://example.com/launch"},
			"category": {"product"}, "suggestion_network": {""}, "suggestion_text": {"We launched!"}, "then": {"submit"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: got %d, want 303", resp.StatusCode)
		}
		return env, resp.Header.Get("Location")
	}

	t.Run("the author cannot approve their own post", func(t *testing.T) {
		env, postPath := submitted(t)
		doc := mustDoc(t, env.do(t, "comms", "GET", postPath, nil))
		if has(doc, "approve-post") {
			t.Fatal("author is offered the approve button")
		}
		resp := env.do(t, "comms", "POST", postPath+"/approve", nil)
		if resp.StatusCode != http.StatusConflict || !has(mustDoc(t, resp), "action-problem") {
			t.Fatalf("got %d, want 409 with the reason", resp.StatusCode)
		}
		if live := env.livePosts(t); len(live) != 0 {
			t.Fatal("the post went live")
		}
	})
	t.Run("sending back needs a comment", func(t *testing.T) {
		env, postPath := submitted(t)
		resp := env.do(t, "comms2", "POST", postPath+"/return", url.Values{"comment": {"  "}})
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("got %d, want 409", resp.StatusCode)
		}
	})
	t.Run("another reviewer approves and it goes live", func(t *testing.T) {
		env, postPath := submitted(t)
		resp := env.do(t, "comms2", "POST", postPath+"/approve", nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("got %d, want 303", resp.StatusCode)
		}
		doc := mustDoc(t, env.do(t, "comms2", "GET", postPath, nil))
		if !has(doc, "live") || doc.Find(`[data-testid="history"] li`).Length() != 3 {
			t.Fatal("approved post is not live with three history entries (created, submitted, approved)")
		}
		live := env.livePosts(t)
		if len(live) != 1 || live[0].Title != "Launch day" || live[0].SuggestionFor("x") != "We launched!" {
			t.Fatalf("live posts = %+v", live)
		}
	})
	t.Run("unknown post", func(t *testing.T) {
		for _, path := range []string{"/posts/424242", "/posts/424242/approve", "/posts/nope"} {
			method := "GET"
			if strings.HasSuffix(path, "approve") {
				method = "POST"
			}
			if resp := env.do(t, "comms", method, path, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: got %d, want 404", method, path, resp.StatusCode)
			}
		}
	})
}

func TestUnknownPageAndSignInRedirect(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(t, "employee", "GET", "/no/such/page", nil)
	if resp.StatusCode != http.StatusNotFound || !has(mustDoc(t, resp), "error-page") {
		t.Fatalf("got %d, want the 404 page", resp.StatusCode)
	}
	resp = env.do(t, "", "GET", "/training/disclosure?x=1", nil)
	if got := resp.Header.Get("Location"); got != "/login?next=%2Ftraining%2Fdisclosure%3Fx%3D1" {
		t.Fatalf("sign-in redirect = %q", got)
	}
}
