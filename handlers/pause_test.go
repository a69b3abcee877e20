package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// pauseRoleTable lists the crisis pause and share cadence routes.
var pauseRoleTable = []roleEntry{
	{"GET", "/pause", "/pause", commsOnly},
	{"POST", "/pause", "/pause", commsOnly},
	{"POST", "/pause/:id/resume", "/pause/1/resume", commsOnly},
	{"GET", "/admin/cadence", "/admin/cadence", adminOnly},
	{"POST", "/admin/cadence", "/admin/cadence", adminOnly},
}

// withPauseRoutes checks that env's app has the pause routes (routes
// registers pauseRoutes).
func withPauseRoutes(t *testing.T, env *testEnv) {
	t.Helper()
	for _, r := range env.app.GetRoutes() {
		if r.Path == "/pause" {
			return
		}
	}
	t.Fatal("the app has no /pause route")
}

func TestPauseRoles(t *testing.T) {
	env := newTestEnv(t)
	withPauseRoutes(t, env)
	for _, e := range pauseRoleTable {
		for _, persona := range anyone {
			t.Run(fmt.Sprintf("%s %s as %q", e.method, e.example, persona), func(t *testing.T) {
				resp := env.do(t, persona, e.method, e.example, nil)
				toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
				switch {
				case slices.Contains(e.allowed, persona):
					if resp.StatusCode == http.StatusForbidden || toLogin || resp.StatusCode >= 500 {
						t.Fatalf("allowed persona got %d", resp.StatusCode)
					}
				case persona == "":
					if !toLogin {
						t.Fatalf("anonymous got %d, want 303 to /login", resp.StatusCode)
					}
				default:
					if resp.StatusCode != http.StatusForbidden {
						t.Fatalf("got %d, want 403", resp.StatusCode)
					}
				}
			})
		}
	}
}

// TestCrisisPause walks pause → no sharing, a banner, a scheduled post
// held past its time → resume → the post goes live on the next run.
func TestCrisisPause(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	withPauseRoutes(t, env)
	env.unlockSharing(t, "employee")
	live := env.livePost(t, "Live before the crisis")
	scheduled := env.createPost(t, post.Input{Title: "Scheduled launch", URL: "https://example.com/launch",
		Suggestions: []post.Suggestion{{Text: "Launch day"}}, Category: string(post.Product),
		PublishAt: env.clock.Now().Add(time.Hour).Format(post.DateTimeLayout)}, post.Submit, post.Approve)
	if n, _, err := newPublishJob(env).RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("first run published %d, %v; want the live post", n, err)
	}
	if _, _, err := env.store.ShareLink(ctx, env.users["employee"].ID, live.ID, "linkedin", func() string { return "precrisis" }); err != nil {
		t.Fatal(err)
	}

	runStep(t, "a pause needs a reason and a known scope", func(t *testing.T) {
		resp := env.do(t, "comms", http.MethodPost, "/pause", url.Values{"scope": {"campaign:999"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		doc := mustDoc(t, resp)
		if !has(doc, "error-scope") || !has(doc, "error-reason") {
			t.Error("errors not shown beside the fields")
		}
	})

	wantRedirect(t, env.do(t, "comms", http.MethodPost, "/pause",
		url.Values{"scope": {"programme"}, "reason": {"We are responding to an incident."}}), "/pause?done=paused")
	active, err := env.store.ActivePauses(ctx)
	if err != nil || len(active) != 1 {
		t.Fatalf("active pauses = %v, %v", active, err)
	}

	runStep(t, "while paused", func(t *testing.T) {
		resp := env.do(t, "employee", http.MethodPost, fmt.Sprintf("/posts/%d/share", live.ID), url.Values{"network": {"linkedin"}})
		wantStatus(t, resp, http.StatusConflict)
		if !strings.Contains(mustDoc(t, resp).Text(), "paused") {
			t.Error("refusal does not say sharing is paused")
		}
		doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil))
		if !has(doc, "pause-banner") || !strings.Contains(doc.Find(`[data-testid="pause-reason"]`).Text(), "responding to an incident") {
			t.Error("feed shows no banner with the reason")
		}
		if has(doc, fmt.Sprintf("post-%d", live.ID)) {
			t.Error("feed still shows the paused post")
		}
		env.advance(t, 2*time.Hour)
		if n, _, err := newPublishJob(env).RunOnce(ctx); err != nil || n != 0 {
			t.Errorf("RunOnce while paused published %d, %v; want none", n, err)
		}
		if p := env.post(t, scheduled.ID); !p.WentLiveAt.IsZero() {
			t.Error("the scheduled post went live during the pause")
		}
		resp = env.do(t, "", http.MethodGet, "/l/precrisis", nil)
		if resp.StatusCode != http.StatusFound {
			t.Errorf("tracked link answered %d, want 302", resp.StatusCode)
		}
		if !has(mustDoc(t, env.do(t, "comms", http.MethodGet, "/pause", nil)), fmt.Sprintf("pause-%d", active[0].ID)) {
			t.Error("pause page does not list the active pause")
		}
	})

	runStep(t, "pausing and resuming are mailed to comms and audited", func(t *testing.T) {
		wantRedirect(t, env.do(t, "admin", http.MethodPost, fmt.Sprintf("/pause/%d/resume", active[0].ID), nil), "/pause?done=resumed")
		wantStatus(t, env.do(t, "admin", http.MethodPost, fmt.Sprintf("/pause/%d/resume", active[0].ID), nil), http.StatusNotFound)
		mails, err := env.store.Outbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, m := range mails {
			if m.Kind == "pause" {
				got[m.To]++
			}
		}
		for _, p := range []string{"comms", "comms2", "admin"} {
			if got[p+"@example.com"] != 2 {
				t.Errorf("%s got %d pause mails, want 2", p, got[p+"@example.com"])
			}
		}
		if got["employee@example.com"] != 0 {
			t.Error("an employee was mailed")
		}
		log, err := auditLog(ctx, env.store, 20)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action)
		}
		if !slices.Contains(actions, "pause.start") || !slices.Contains(actions, "pause.resume") {
			t.Errorf("audit actions = %v", actions)
		}
	})

	runStep(t, "after resuming", func(t *testing.T) {
		if n, _, err := newPublishJob(env).RunOnce(ctx); err != nil || n != 1 {
			t.Errorf("RunOnce after resume published %d, %v; want the scheduled post", n, err)
		}
		doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil))
		if has(doc, "pause-banner") || !has(doc, fmt.Sprintf("post-%d", scheduled.ID)) {
			t.Error("feed after resume still shows the banner or lacks the post")
		}
		wantStatus(t, env.do(t, "employee", http.MethodPost, fmt.Sprintf("/posts/%d/share", live.ID), url.Values{"network": {"linkedin"}}), http.StatusSeeOther)
		if !has(mustDoc(t, env.do(t, "comms", http.MethodGet, "/pause", nil)), "pause-history") {
			t.Error("pause page has no history")
		}
	})
}

func TestCategoryPauseHoldsOnlyThatCategory(t *testing.T) {
	env := newTestEnv(t)
	withPauseRoutes(t, env)
	env.unlockSharing(t, "employee")
	news := env.livePost(t, "Company news") // category company news
	jobs := env.createPost(t, post.Input{Title: "We are hiring", URL: "https://example.com/jobs",
		Suggestions: []post.Suggestion{{Text: "Join us"}}, Category: string(post.Jobs)}, post.Submit, post.Approve)
	wantRedirect(t, env.do(t, "comms", http.MethodPost, "/pause",
		url.Values{"scope": {"category:" + string(post.Jobs)}, "reason": {"Hiring freeze"}}), "/pause?done=paused")
	doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil))
	if !has(doc, fmt.Sprintf("post-%d", news.ID)) || has(doc, fmt.Sprintf("post-%d", jobs.ID)) || !has(doc, "pause-banner") {
		t.Error("category pause does not hold exactly its category")
	}
	wantStatus(t, env.do(t, "employee", http.MethodPost, fmt.Sprintf("/posts/%d/share", jobs.ID), url.Values{"network": {"x"}}), http.StatusConflict)
	wantStatus(t, env.do(t, "employee", http.MethodPost, fmt.Sprintf("/posts/%d/share", news.ID), url.Values{"network": {"x"}}), http.StatusSeeOther)
}

var _ = store.SettingShareCadence
