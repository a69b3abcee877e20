package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestHealthz(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(t, "", "GET", "/healthz", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: got %d", resp.StatusCode)
	}
}

func TestAcknowledgeConduct(t *testing.T) {
	env := newTestEnv(t)
	version := env.g.Conduct.Version
	ack := func(t *testing.T) (store.Acknowledgement, error) {
		return env.store.Acknowledgement(context.Background(), env.users["employee"].ID, version)
	}

	t.Run("tampered CSRF token changes nothing", func(t *testing.T) {
		resp := env.do(t, "employee", "POST", "/conduct/acknowledge", url.Values{"version": {version}, "_csrf": {"forged"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("got %d, want 403", resp.StatusCode)
		}
		if _, err := ack(t); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("acknowledgement stored despite bad token: %v", err)
		}
	})
	t.Run("missing CSRF token changes nothing", func(t *testing.T) {
		resp := env.do(t, "employee", "POST", "/conduct/acknowledge", url.Values{"version": {version}, "_csrf": {""}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("got %d, want 403", resp.StatusCode)
		}
	})
	t.Run("an outdated version is refused", func(t *testing.T) {
		resp := env.do(t, "employee", "POST", "/conduct/acknowledge", url.Values{"version": {"1999.1"}})
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("got %d, want 409", resp.StatusCode)
		}
		if _, err := ack(t); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("acknowledgement stored for the wrong version: %v", err)
		}
	})
	t.Run("acknowledging records version, hash and client IP", func(t *testing.T) {
		resp := env.do(t, "employee", "POST", "/conduct/acknowledge", url.Values{"version": {version}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/training/disclosure" {
			t.Fatalf("got %d to %q, want 303 to the next step /training/disclosure", resp.StatusCode, resp.Header.Get("Location"))
		}
		a, err := ack(t)
		if err != nil {
			t.Fatal(err)
		}
		if a.ContentHash != env.g.Conduct.Hash || a.ClientIP == "" {
			t.Fatalf("acknowledgement = %+v, want the content hash and a client IP", a)
		}
		doc := mustDoc(t, env.do(t, "employee", "GET", "/conduct", nil))
		if !has(doc, "acknowledged") || has(doc, "acknowledge-form") {
			t.Fatal("conduct page does not show the acknowledgement")
		}
	})
}

func TestQuiz(t *testing.T) {
	env := newTestEnv(t)
	m, _ := env.g.Module("disclosure")
	correct := correctAnswers(m)
	form := func(answers map[string]string) url.Values {
		v := url.Values{}
		for q, o := range answers {
			v.Set("q."+q, o)
		}
		return v
	}
	with := func(extra map[string]string, drop string) map[string]string {
		out := map[string]string{}
		for k, v := range correct {
			if k != drop {
				out[k] = v
			}
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	firstQ := m.Quiz.Questions[0].ID
	lastQ := m.Quiz.Questions[len(m.Quiz.Questions)-1].ID

	refused := []struct {
		name    string
		answers map[string]string
		wantErr string // question marked as unanswered, if any
	}{
		{"nothing answered", map[string]string{}, firstQ},
		{"one question unanswered", with(nil, lastQ), lastQ},
		{"answer for a question that does not exist", with(map[string]string{"no-such-question": "a"}, ""), ""},
		{"option that does not exist", with(map[string]string{firstQ: "zz"}, ""), ""},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			resp := env.do(t, "employee", "POST", "/training/disclosure/attempts", form(tc.answers))
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", resp.StatusCode)
			}
			doc := mustDoc(t, resp)
			if !has(doc, "quiz-problem") {
				t.Fatal("no message saying what is wrong")
			}
			if tc.wantErr != "" && !doc.Find(`[data-testid="question-`+tc.wantErr+`"]`).HasClass("invalid") {
				t.Fatalf("question %s is not marked as unanswered", tc.wantErr)
			}
			// Answers already chosen are kept.
			for q, o := range tc.answers {
				if sel := doc.Find(`[data-testid="answer-` + q + `-` + o + `"]`); sel.Length() > 0 {
					if _, checked := sel.Attr("checked"); !checked {
						t.Errorf("answer %s=%s was lost", q, o)
					}
				}
			}
			if _, err := env.store.Attempt(context.Background(), 1); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("an attempt was stored: %v", err)
			}
		})
	}

	t.Run("a wrong answer fails and explains, without unlocking", func(t *testing.T) {
		var wrong string
		for _, o := range m.Quiz.Questions[0].Options {
			if !o.Correct {
				wrong = o.ID
			}
		}
		answers := with(map[string]string{firstQ: wrong}, "")
		for _, q := range m.Quiz.Questions[1:2] {
			for _, o := range q.Options {
				if !o.Correct {
					answers[q.ID] = o.ID
				}
			}
		}
		resp := env.do(t, "employee", "POST", "/training/disclosure/attempts", form(answers))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("got %d, want 303", resp.StatusCode)
		}
		doc := mustDoc(t, env.do(t, "employee", "GET", resp.Header.Get("Location"), nil))
		if !has(doc, "failed") || !has(doc, "retake") {
			t.Fatal("result does not say the quiz was failed and offer a retake")
		}
		if got := doc.Find(`[data-testid="result-` + firstQ + `"] .muted`).Text(); got == "" {
			t.Fatal("no explanation for the wrong answer")
		}
	})

	t.Run("all correct passes and is stored", func(t *testing.T) {
		resp := env.do(t, "employee", "POST", "/training/disclosure/attempts", form(correct))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("got %d, want 303", resp.StatusCode)
		}
		doc := mustDoc(t, env.do(t, "employee", "GET", resp.Header.Get("Location"), nil))
		if !has(doc, "passed") {
			t.Fatal("result does not say passed")
		}
		p, err := env.store.Progress(context.Background(), env.users["employee"].ID, env.g.Conduct.Version)
		if err != nil || !p.Passed["disclosure"] {
			t.Fatalf("progress = %+v, %v; want disclosure passed", p, err)
		}
		// Someone else's attempt is not shown to this person.
		other := env.do(t, "hr", "GET", resp.Header.Get("Location"), nil)
		if other.StatusCode != http.StatusNotFound {
			t.Fatalf("another user's attempt: got %d, want 404", other.StatusCode)
		}
	})

	t.Run("unknown module", func(t *testing.T) {
		if resp := env.do(t, "employee", "GET", "/training/no-such-module", nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("got %d, want 404", resp.StatusCode)
		}
	})
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
	if rows, _ := env.store.ReachByPost(context.Background(), 0); len(rows) != 0 {
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
		target, _ := url.Parse(resp.Header.Get("Location"))
		q := target.Query()
		if target.Host != "example.com" || q.Get("ref") != "feed" || q.Get("utm_source") != "linkedin" ||
			q.Get("utm_medium") != "employee_advocacy" || q.Get("utm_campaign") != p.Slug {
			t.Fatalf("redirect target = %s", target)
		}
		env.do(t, "", "HEAD", "/l/"+code, nil) // a link checker: not a click
		rows, err := env.store.ReachByPost(context.Background(), env.users["employee"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Clicks != 1 || rows[0].Shares != 3 {
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
		resp := env.do(t, "", "GET", "/l/doesnotexist", nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("got %d, want 404", resp.StatusCode)
		}
		rows, _ := env.store.ReachByPost(context.Background(), 0)
		if rows[0].Clicks != 1 {
			t.Fatalf("clicks = %d after unknown code, want 1", rows[0].Clicks)
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
			before, _ := env.store.ReachByPost(context.Background(), 0)
			resp := env.do(t, "employee", "POST", tc.path, tc.form)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("got %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			after, _ := env.store.ReachByPost(context.Background(), 0)
			if fmt.Sprint(before) != fmt.Sprint(after) {
				t.Fatalf("refused share changed reach: %v → %v", before, after)
			}
		})
	}

	t.Run("a post not live cannot be shared", func(t *testing.T) {
		id, err := env.store.CreatePost(context.Background(), post.Input{Title: "Draft", URL: "https://example.com/d",
			Category: string(post.Culture)}, env.users["comms"].ID)
		if err != nil {
			t.Fatal(err)
		}
		resp := env.do(t, "employee", "POST", fmt.Sprintf("/posts/%d/share", id), url.Values{"network": {"x"}})
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("got %d, want 409", resp.StatusCode)
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
		link, _ := doc.Find(`[data-testid="tracked-link"]`).Attr("value")
		if !strings.HasPrefix(link, testBaseURL+"/l/") || link == tracked {
			t.Fatalf("copy link = %q, want its own tracked link", link)
		}
	})
}

func TestCreateAndApprovePost(t *testing.T) {
	env := newTestEnv(t)
	countPosts := func() int {
		posts, err := env.store.Posts(context.Background())
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
			if got, _ := doc.Find("#title").Attr("value"); got != tc.form.Get("title") {
				t.Errorf("typed title lost: %q", got)
			}
			if n := countPosts(); n != 0 {
				t.Fatalf("%d posts stored from an invalid form", n)
			}
		})
	}

	resp := env.do(t, "comms", "POST", "/posts", url.Values{"title": {"Launch day"}, "url": {"https://example.com/launch"},
		"category": {"product"}, "commentary": {"We launched!"}, "then": {"submit"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: got %d, want 303", resp.StatusCode)
	}
	postPath := resp.Header.Get("Location")

	t.Run("the author cannot approve their own post", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "comms", "GET", postPath, nil))
		if has(doc, "approve-post") {
			t.Fatal("author is offered the approve button")
		}
		resp := env.do(t, "comms", "POST", postPath+"/approve", nil)
		if resp.StatusCode != http.StatusConflict || !has(mustDoc(t, resp), "action-problem") {
			t.Fatalf("got %d, want 409 with the reason", resp.StatusCode)
		}
		live, _ := env.store.LivePosts(context.Background())
		if len(live) != 0 {
			t.Fatal("the post went live")
		}
	})
	t.Run("sending back needs a comment", func(t *testing.T) {
		resp := env.do(t, "comms2", "POST", postPath+"/return", url.Values{"comment": {"  "}})
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("got %d, want 409", resp.StatusCode)
		}
	})
	t.Run("another reviewer approves and it goes live", func(t *testing.T) {
		resp := env.do(t, "comms2", "POST", postPath+"/approve", nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("got %d, want 303", resp.StatusCode)
		}
		doc := mustDoc(t, env.do(t, "comms2", "GET", postPath, nil))
		if !has(doc, "live") || doc.Find(`[data-testid="history"] li`).Length() != 2 {
			t.Fatal("approved post is not live with two history entries")
		}
		live, _ := env.store.LivePosts(context.Background())
		if len(live) != 1 || live[0].Title != "Launch day" {
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

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/feed", "/feed"},
		{"/training/x?y=1", "/training/x?y=1"},
		{"", ""},
		{"//evil.example", ""},
		{"/\\evil.example", ""},
		{"https://evil.example/", ""},
		{"javascript:alert(1)", ""},
	}
	for _, tc := range tests {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
