package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/publish"
)

const amsterdam = "Europe/Amsterdam"

// postFormValues is a valid post form; extra replaces or adds fields.
func postFormValues(extra url.Values) url.Values {
	form := url.Values{"title": {"Launch day"}, "url": {"https://example.com/launch"}, "category": {"product"},
		"language": {"en"}, "suggestion_network": {""}, "suggestion_text": {"We launched!"}}
	for k, v := range extra {
		form[k] = v
	}
	return form
}

// setZone makes persona type and read times in zone.
func (env *testEnv) setZone(t *testing.T, persona, zone string) {
	t.Helper()
	if err := env.store.SaveProfile(context.Background(), env.users[persona].ID, account.Profile{TimeZone: zone, Language: "en",
		Digest: account.DigestWeekly}); err != nil {
		t.Fatal(err)
	}
}

// advance moves the clock on and signs everyone in again, so sessions stay
// valid at the new time.
func (env *testEnv) advance(t *testing.T, d time.Duration) {
	t.Helper()
	env.clock.Advance(d)
	for _, p := range personas {
		env.newSession(t, p)
	}
}

func (env *testEnv) allPosts(t *testing.T) []post.Post {
	t.Helper()
	posts, err := env.store.Posts(context.Background(), post.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return posts
}

func (env *testEnv) post(t *testing.T, id int64) post.Post {
	t.Helper()
	p, err := env.store.Post(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// postIDFrom reads the post id from a redirect to /posts/{id}.
func postIDFrom(t *testing.T, resp *http.Response) int64 {
	t.Helper()
	wantStatus(t, resp, http.StatusSeeOther)
	var id int64
	if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/posts/%d", &id); err != nil {
		t.Fatalf("redirected to %q, want a post page", resp.Header.Get("Location"))
	}
	return id
}

// saveContentSettings posts the content settings form as admin.
func (env *testEnv) saveContentSettings(t *testing.T, fourEyes bool, blockedTerms ...string) {
	t.Helper()
	form := url.Values{"blocked_terms": {strings.Join(blockedTerms, "\n")}, "blocked_severity": {"block"},
		"disclosure": {""}, "disclosure_severity": {"block"}, "watch_hashtags": {""}, "watch_severity": {"warn"},
		"length_severity": {"block"}}
	if fourEyes {
		form.Set("four_eyes", "1")
	}
	wantRedirect(t, env.do(t, "admin", http.MethodPost, "/admin/content", form), "/admin/content?saved=1")
}

func historyText(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="history"] li`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.Join(strings.Fields(s.Text()), " "))
	})
	return out
}

func newPublishJob(env *testEnv) *publish.Job {
	return &publish.Job{Store: env.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestCreatePostWithEveryField(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	env.setZone(t, "comms", amsterdam)
	loc, err := time.LoadLocation(amsterdam)
	if err != nil {
		t.Fatal(err)
	}
	sales, err := env.store.CreateGroup(ctx, "Sales", account.Department, env.users["admin"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.CreateGroup(ctx, "Berlin", account.Location, env.users["admin"].ID); err != nil {
		t.Fatal(err)
	}
	campaign, err := env.store.CreateCampaign(ctx, post.Campaign{Name: "Spring Launch"}, env.users["comms"].ID)
	if err != nil {
		t.Fatal(err)
	}
	publishAt := env.clock.Now().Add(48 * time.Hour).In(loc).Truncate(time.Minute)
	expiresAt := publishAt.Add(7 * 24 * time.Hour)

	resp := env.do(t, "comms", http.MethodPost, "/posts", url.Values{"title": {"Spring launch"}, "url": {"https://example.com/spring"},
		"category": {"product"}, "language": {"nl"}, "campaign": {fmt.Sprint(campaign)}, "hashtags": {"#launch, jobs"},
		"suggestion_network": {"linkedin", "", "x", "", "myspace"},
		"suggestion_text":    {"For LinkedIn", "For everyone", "For X", "   ", "Unknown network"},
		"groups":             {fmt.Sprint(sales)},
		"publish_at":         {publishAt.Format(post.DateTimeLayout)}, "expires_at": {expiresAt.Format(post.DateTimeLayout)},
		"then": {"draft"}})
	id := postIDFrom(t, resp)

	p := env.post(t, id)
	wantSuggestions := []post.Suggestion{{Network: "linkedin", Text: "For LinkedIn"}, {Network: "", Text: "For everyone"},
		{Network: "x", Text: "For X"}, {Network: "", Text: "Unknown network"}}
	if p.Title != "Spring launch" || p.Category != post.Product || p.Language != "nl" || p.CampaignID != campaign ||
		p.Slug != "spring-launch" || !slices.Equal(p.Hashtags, []string{"launch", "jobs"}) ||
		!slices.Equal(p.Suggestions, wantSuggestions) || !slices.Equal(p.GroupIDs, []int64{sales}) ||
		!p.PublishAt.Equal(publishAt) || !p.ExpiresAt.Equal(expiresAt) || p.Status != post.Draft ||
		p.AuthorID != env.users["comms"].ID {
		t.Errorf("stored post = %+v", p)
	}
	if p.PublishAt.Location() != time.UTC {
		t.Errorf("publish time read back in %v, want UTC", p.PublishAt.Location())
	}

	doc := mustDoc(t, env.do(t, "comms", http.MethodGet, fmt.Sprintf("/posts/%d", id), nil))
	detail := strings.Join(strings.Fields(doc.Find(`[data-testid="post-detail"]`).Text()), " ")
	zoned := func(tm time.Time) string { return tm.In(loc).Format("2 Jan 2006, 15:04 MST") }
	for _, want := range []string{"Spring Launch", "Sales", "#launch #jobs", zoned(publishAt), zoned(expiresAt), "Product"} {
		if !strings.Contains(detail, want) {
			t.Errorf("post page does not show %q: %s", want, detail)
		}
	}
	previews := map[string]string{
		"linkedin": "For LinkedIn #launch #jobs",
		"x":        "For X #launch #jobs",
		"bluesky":  "For everyone #launch #jobs",
	}
	for network, want := range previews {
		if got := doc.Find(`[data-testid="preview-` + network + `"] .preview-text`).Text(); got != want {
			t.Errorf("preview on %s = %q, want %q", network, got, want)
		}
	}
	if got := doc.Find(`[data-testid="preview-facebook"]`).Text(); strings.Contains(got, "For everyone") {
		t.Errorf("Facebook preview has text: %q", got)
	}

	t.Run("the edit form shows what was typed, times in the author's zone", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "comms", http.MethodGet, fmt.Sprintf("/posts/%d/edit", id), nil))
		checks := map[string]string{
			"#publish_at":                publishAt.Format(post.DateTimeLayout),
			"#expires_at":                expiresAt.Format(post.DateTimeLayout),
			"#hashtags":                  "#launch #jobs",
			"#campaign option[selected]": fmt.Sprint(campaign),
			"#language option[selected]": "nl",
			fmt.Sprintf(`input[name="groups"][value="%d"][checked]`, sales): fmt.Sprint(sales),
		}
		for sel, want := range checks {
			if got := doc.Find(sel).AttrOr("value", ""); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		if got := doc.Find(`[data-testid="suggestion-2"]`).Text(); got != "For X" {
			t.Errorf("third suggestion = %q, want For X", got)
		}
		if got := doc.Find(`#sg-net-2 option[selected]`).AttrOr("value", ""); got != "x" {
			t.Errorf("third suggestion's network = %q, want x", got)
		}
	})
}

func TestCreatePostRefusesInvalidForms(t *testing.T) {
	env := newTestEnv(t)
	env.setZone(t, "comms", amsterdam)
	now := env.clock.Now()
	past := now.Add(-time.Hour).Format(post.DateTimeLayout)
	tomorrow := now.Add(24 * time.Hour).Format(post.DateTimeLayout)
	later := now.Add(48 * time.Hour).Format(post.DateTimeLayout)

	tests := []struct {
		name       string
		form       url.Values
		wantErrors []string
	}{
		{"empty form", url.Values{}, []string{"title", "url", "category"}},
		{"link that is not http(s)", postFormValues(url.Values{"url": {"javascript:alert(1)"}}), []string{"url"}},
		{"unknown category", postFormValues(url.Values{"category": {"gossip"}}), []string{"category"}},
		{"unknown language", postFormValues(url.Values{"language": {"xx"}}), []string{"language"}},
		{"bad hashtag", postFormValues(url.Values{"hashtags": {"#ok #not-ok"}}), []string{"hashtags"}},
		{"campaign that does not exist", postFormValues(url.Values{"campaign": {"4242"}}), []string{"campaign"}},
		{"group that is not a number", postFormValues(url.Values{"groups": {"sales"}}), []string{"groups"}},
		{"suggestion too long", postFormValues(url.Values{"suggestion_text": {strings.Repeat("a", post.MaxSuggestion+1)}}), []string{"suggestions"}},
		{"publish time unreadable", postFormValues(url.Values{"publish_at": {"soon"}}), []string{"publish_at"}},
		{"expiry in the past", postFormValues(url.Values{"expires_at": {past}}), []string{"expires_at"}},
		{"expiry before publish", postFormValues(url.Values{"publish_at": {later}, "expires_at": {tomorrow}}), []string{"expires_at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("then", "submit")
			resp := env.do(t, "comms", http.MethodPost, "/posts", tt.form)
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := mustDoc(t, resp)
			for _, field := range tt.wantErrors {
				if !has(doc, "error-"+field) {
					t.Errorf("no message beside %s", field)
				}
			}
			if !has(doc, "form-problem") {
				t.Errorf("no summary of the problem")
			}
			if got := attr(t, doc.Find("#title"), "value"); got != tt.form.Get("title") {
				t.Errorf("typed title lost: %q", got)
			}
			if n := len(env.allPosts(t)); n != 0 {
				t.Fatalf("%d posts stored from an invalid form", n)
			}
		})
	}
}

func TestSubmissionChecks(t *testing.T) {
	env := newTestEnv(t)
	env.saveContentSettings(t, true, "insider tip")
	blocked := postFormValues(url.Values{"suggestion_text": {"An Insider-tip for you"}})

	t.Run("submitting with a blocked term is refused and saves nothing", func(t *testing.T) {
		form := postFormValues(nil)
		for k, v := range blocked {
			form[k] = v
		}
		form.Set("then", "submit")
		resp := env.do(t, "comms", http.MethodPost, "/posts", form)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		doc := mustDoc(t, resp)
		if !has(doc, "checks-blocking") || !has(doc, "finding-blocked-term") {
			t.Errorf("page does not show the blocking finding")
		}
		if n := len(env.allPosts(t)); n != 0 {
			t.Fatalf("%d posts stored", n)
		}
	})

	blocked.Set("then", "draft")
	id := postIDFrom(t, env.do(t, "comms", http.MethodPost, "/posts", blocked))
	if p := env.post(t, id); p.Status != post.Draft {
		t.Fatalf("saved as %s, want a draft", p.Status)
	}
	postPath := fmt.Sprintf("/posts/%d", id)

	t.Run("the draft cannot be sent for review from its page", func(t *testing.T) {
		resp := env.do(t, "comms", http.MethodPost, postPath+"/submit", nil)
		wantStatus(t, resp, http.StatusConflict)
		doc := mustDoc(t, resp)
		if !has(doc, "action-problem") || !has(doc, "finding-blocked-term") {
			t.Errorf("refusal does not say why")
		}
		if p := env.post(t, id); p.Status != post.Draft {
			t.Errorf("status = %s, want still a draft", p.Status)
		}
	})

	t.Run("approval is refused when a term is blocked after submission", func(t *testing.T) {
		ok := env.createPost(t, post.Input{Title: "Clean", URL: "https://example.com/clean", Category: string(post.Culture),
			Suggestions: []post.Suggestion{{Text: "A secret plan"}}}, post.Submit)
		env.saveContentSettings(t, true, "insider tip", "secret plan")
		resp := env.do(t, "comms2", http.MethodPost, fmt.Sprintf("/posts/%d/approve", ok.ID), nil)
		wantStatus(t, resp, http.StatusConflict)
		if p := env.post(t, ok.ID); p.Status != post.InReview {
			t.Errorf("status = %s, want still in review", p.Status)
		}
	})

	t.Run("once the term is lifted the draft can be submitted", func(t *testing.T) {
		env.saveContentSettings(t, true)
		wantRedirect(t, env.do(t, "comms", http.MethodPost, postPath+"/submit", nil), postPath)
		if p := env.post(t, id); p.Status != post.InReview {
			t.Errorf("status = %s, want in review", p.Status)
		}
	})
}

func TestApproveSchedulesAndPublishes(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	env.setZone(t, "comms", amsterdam)
	env.unlockSharing(t, "employee")
	loc, err := time.LoadLocation(amsterdam)
	if err != nil {
		t.Fatal(err)
	}
	publishAt := env.clock.Now().Add(2 * time.Hour).In(loc).Truncate(time.Minute)

	id := postIDFrom(t, env.do(t, "comms", http.MethodPost, "/posts", postFormValues(url.Values{
		"publish_at": {publishAt.Format(post.DateTimeLayout)}, "then": {"submit"}})))
	postPath := fmt.Sprintf("/posts/%d", id)
	if p := env.post(t, id); p.Status != post.InReview || !p.PublishAt.Equal(publishAt) {
		t.Fatalf("after submit = %s, publish %v; want in review, publish %v", p.Status, p.PublishAt, publishAt)
	}

	t.Run("the author cannot approve", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "comms", http.MethodGet, postPath, nil))
		if has(doc, "approve-post") {
			t.Error("author is offered the approve button")
		}
		resp := env.do(t, "comms", http.MethodPost, postPath+"/approve", nil)
		wantStatus(t, resp, http.StatusConflict)
		if !has(mustDoc(t, resp), "action-problem") {
			t.Error("refusal does not say why")
		}
	})

	wantRedirect(t, env.do(t, "comms2", http.MethodPost, postPath+"/approve", nil), postPath)
	sharePath := postPath + "/share"

	t.Run("approved with a future publish time it is scheduled", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "comms2", http.MethodGet, postPath, nil))
		if !has(doc, "scheduled") || has(doc, "live") || doc.Find(`.title-row [data-testid="status"]`).Text() != "Scheduled" {
			t.Errorf("page does not show the post as scheduled")
		}
		if live := env.livePosts(t); len(live) != 0 {
			t.Errorf("live posts = %d, want none", len(live))
		}
		if has(mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil)), fmt.Sprintf("post-%d", id)) {
			t.Error("the feed shows a scheduled post")
		}
		wantStatus(t, env.do(t, "employee", http.MethodPost, sharePath, url.Values{"network": {"linkedin"}}), http.StatusNotFound)
		if n, _, err := newPublishJob(env).RunOnce(ctx); err != nil || n != 0 {
			t.Errorf("RunOnce before the publish time = %d, %v; want nothing published", n, err)
		}
	})

	t.Run("once the clock passes the publish time and the job runs it is live", func(t *testing.T) {
		env.advance(t, 2*time.Hour)
		if n, _, err := newPublishJob(env).RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v; want 1 published", n, err)
		}
		doc := mustDoc(t, env.do(t, "comms2", http.MethodGet, postPath, nil))
		if !has(doc, "live") || has(doc, "scheduled") {
			t.Errorf("page does not show the post as live")
		}
		h := historyText(doc)
		if len(h) != 4 || !strings.Contains(h[0], "created it as a draft") || !strings.Contains(h[3], "Went live") {
			t.Errorf("history = %q, want creation, submit, approve and publication", h)
		}
		if !has(mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil)), fmt.Sprintf("post-%d", id)) {
			t.Error("the feed does not show the live post")
		}
		wantStatus(t, env.do(t, "employee", http.MethodPost, sharePath, url.Values{"network": {"linkedin"}}), http.StatusSeeOther)
	})

	t.Run("without a publish time it is live at once", func(t *testing.T) {
		id := postIDFrom(t, env.do(t, "comms", http.MethodPost, "/posts", postFormValues(url.Values{"then": {"submit"}})))
		wantStatus(t, env.do(t, "comms2", http.MethodPost, fmt.Sprintf("/posts/%d/approve", id), nil), http.StatusSeeOther)
		p := env.post(t, id)
		if !p.PublishAt.Equal(env.clock.Now()) || p.ApproverID != env.users["comms2"].ID {
			t.Errorf("approved post publish %v approver %d; want now and comms2", p.PublishAt, p.ApproverID)
		}
		if !has(mustDoc(t, env.do(t, "comms2", http.MethodGet, fmt.Sprintf("/posts/%d", id), nil)), "live") {
			t.Errorf("page does not show the post as live")
		}
	})
}

func TestFourEyesSetting(t *testing.T) {
	env := newTestEnv(t)
	p := env.createPost(t, post.Input{Title: "Own post", URL: "https://example.com/own", Category: string(post.Culture)}, post.Submit)
	postPath := fmt.Sprintf("/posts/%d", p.ID)
	wantStatus(t, env.do(t, "comms", http.MethodPost, postPath+"/approve", nil), http.StatusConflict)

	doc := mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/content", nil))
	if _, checked := doc.Find(`[data-testid="four-eyes"]`).Attr("checked"); !checked {
		t.Fatal("four-eyes is not on by default")
	}
	env.saveContentSettings(t, false)
	doc = mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/content?saved=1", nil))
	if _, checked := doc.Find(`[data-testid="four-eyes"]`).Attr("checked"); checked || !has(doc, "saved") {
		t.Fatal("four-eyes still on after turning it off, or no saved notice")
	}

	doc = mustDoc(t, env.do(t, "comms", http.MethodGet, postPath, nil))
	if !has(doc, "approve-post") {
		t.Error("without four-eyes the author is not offered the approve button")
	}
	wantRedirect(t, env.do(t, "comms", http.MethodPost, postPath+"/approve", nil), postPath)
	if got := env.post(t, p.ID); got.Status != post.Approved || got.ApproverID != env.users["comms"].ID {
		t.Errorf("post = %s approved by %d, want approved by its author", got.Status, got.ApproverID)
	}
}

func TestContentSettings(t *testing.T) {
	env := newTestEnv(t)
	form := url.Values{"four_eyes": {"1"}, "blocked_terms": {"insider tip\n  \nguaranteed returns\ninsider tip"},
		"blocked_severity": {"warn"}, "disclosure": {"#employee"}, "disclosure_severity": {"block"},
		"watch_hashtags": {"#competitor"}, "watch_severity": {"warn"}, "length_severity": {"block"}}
	wantRedirect(t, env.do(t, "admin", http.MethodPost, "/admin/content", form), "/admin/content?saved=1")

	doc := mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/content", nil))
	if got := doc.Find(`[data-testid="blocked-terms"]`).Text(); got != "insider tip\nguaranteed returns" {
		t.Errorf("blocked terms = %q, want the two terms, once each", got)
	}
	if got := doc.Find(`[data-testid="disclosure"]`).AttrOr("value", ""); got != "#employee" {
		t.Errorf("disclosure = %q", got)
	}
	entries := env.auditEntries(t, "settings.change")
	var targets []string
	for _, e := range entries {
		targets = append(targets, e.Target)
		if e.ActorID != env.users["admin"].ID {
			t.Errorf("audit entry %+v not by the admin", e)
		}
	}
	slices.Sort(targets)
	if !slices.Equal(targets, []string{"setting:check_rules", "setting:four_eyes"}) {
		t.Errorf("audited settings = %v, want check_rules and four_eyes", targets)
	}
	if !strings.Contains(entries[len(entries)-1].After+entries[0].After, "guaranteed returns") {
		t.Errorf("audit entries do not record the new rules: %+v", entries)
	}

	refused := []struct {
		name      string
		edit      url.Values
		wantError string
	}{
		{"unknown severity", url.Values{"blocked_severity": {"shout"}}, "blocked_severity"},
		{"disclosure with a space", url.Values{"disclosure": {"# employee"}}, "disclosure"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			for k, v := range tt.edit {
				bad[k] = v
			}
			before := len(env.auditEntries(t, "settings.change"))
			resp := env.do(t, "admin", http.MethodPost, "/admin/content", bad)
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := mustDoc(t, resp)
			if !has(doc, "form-problem") {
				t.Error("no summary of the problem")
			}
			if tt.wantError == "disclosure" && !has(doc, "error-disclosure") {
				t.Error("no message beside the disclosure")
			}
			if after := len(env.auditEntries(t, "settings.change")); after != before {
				t.Errorf("refused settings were saved (%d audit entries, was %d)", after, before)
			}
		})
	}
}

func TestEditPost(t *testing.T) {
	env := newTestEnv(t)
	p := env.livePost(t, "Approved post")
	postPath := fmt.Sprintf("/posts/%d", p.ID)

	doc := mustDoc(t, env.do(t, "comms", http.MethodGet, postPath+"/edit", nil))
	if got := doc.Find("#title").AttrOr("value", ""); got != "Approved post" {
		t.Errorf("edit form title = %q", got)
	}
	if !strings.Contains(doc.Find(".notice").Text(), "back to review") {
		t.Error("edit form does not warn that an approved post goes back to review")
	}

	t.Run("an edit with a blocked term is refused and changes nothing", func(t *testing.T) {
		env.saveContentSettings(t, true, "forbidden")
		resp := env.do(t, "comms", http.MethodPost, postPath, postFormValues(url.Values{"title": {"Forbidden words"}}))
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if got := env.post(t, p.ID); got.Title != "Approved post" || got.Status != post.Approved {
			t.Errorf("post = %q %s, want unchanged", got.Title, got.Status)
		}
		env.saveContentSettings(t, true)
	})

	env.advance(t, time.Minute)
	wantRedirect(t, env.do(t, "comms", http.MethodPost, postPath, postFormValues(url.Values{"title": {"Approved post, edited"}})), postPath)
	got := env.post(t, p.ID)
	if got.Title != "Approved post, edited" || got.Status != post.InReview || got.ApproverID != 0 {
		t.Errorf("after edit = %q %s approver %d; want the new title, in review, no approver", got.Title, got.Status, got.ApproverID)
	}
	if live := env.livePosts(t); len(live) != 0 {
		t.Errorf("edited post still live")
	}
	doc = mustDoc(t, env.do(t, "comms2", http.MethodGet, postPath, nil))
	h := historyText(doc)
	if len(h) == 0 || !strings.Contains(h[len(h)-1], "Edited") || !strings.Contains(h[len(h)-1], "back to review") {
		t.Errorf("history = %q, want the edit last", h)
	}
	if !has(doc, "approve-post") {
		t.Error("another reviewer is not offered to approve the edited post")
	}

	t.Run("unknown post", func(t *testing.T) {
		wantStatus(t, env.do(t, "comms", http.MethodGet, "/posts/4242/edit", nil), http.StatusNotFound)
		wantStatus(t, env.do(t, "comms", http.MethodPost, "/posts/4242", postFormValues(nil)), http.StatusNotFound)
	})
}

func TestArchivePost(t *testing.T) {
	env := newTestEnv(t)
	env.unlockSharing(t, "employee")
	p := env.livePost(t, "To archive")
	postPath := fmt.Sprintf("/posts/%d", p.ID)

	wantRedirect(t, env.do(t, "comms", http.MethodPost, postPath+"/archive", nil), postPath)
	if got := env.post(t, p.ID); got.Status != post.Archived {
		t.Fatalf("status = %s, want archived", got.Status)
	}
	if live := env.livePosts(t); len(live) != 0 {
		t.Errorf("archived post still live")
	}
	wantStatus(t, env.do(t, "employee", http.MethodPost, postPath+"/share", url.Values{"network": {"x"}}), http.StatusNotFound)
	doc := mustDoc(t, env.do(t, "comms", http.MethodGet, postPath, nil))
	if has(doc, "archive-post") || has(doc, "edit-post") {
		t.Error("an archived post offers archive or edit")
	}
	wantStatus(t, env.do(t, "comms", http.MethodPost, postPath+"/archive", nil), http.StatusConflict)
	wantStatus(t, env.do(t, "comms", http.MethodGet, postPath+"/edit", nil), http.StatusConflict)
	wantStatus(t, env.do(t, "comms", http.MethodPost, postPath, postFormValues(nil)), http.StatusConflict)
	if got := env.post(t, p.ID); got.Title != "To archive" {
		t.Errorf("archived post edited: %q", got.Title)
	}
}

func TestPostPreview(t *testing.T) {
	env := newTestEnv(t)
	counts := func(doc *goquery.Document) map[string]string {
		out := map[string]string{}
		doc.Find(`[data-testid^="preview-"]`).Each(func(_ int, s *goquery.Selection) {
			network := strings.TrimPrefix(s.AttrOr("data-testid", ""), "preview-")
			out[network] = strings.Join(strings.Fields(s.Find(`[data-testid="count"]`).Text()), " ")
		})
		return out
	}
	tests := []struct {
		name         string
		form         url.Values
		wantCounts   map[string]string
		wantFindings []string
	}{
		{
			name: "the X count includes the link as 23 and a space",
			form: url.Values{"title": {"Hi"}, "url": {"https://example.com"}, "category": {"product"}, "hashtags": {"#launch"},
				"suggestion_network": {""}, "suggestion_text": {"Hello"}},
			// "Hello #launch" is 13; X and Bluesky add " " and the link (23).
			wantCounts: map[string]string{"x": "37 / 280", "linkedin": "13 / 3000", "bluesky": "37 / 300", "facebook": ""},
		},
		{
			// The form starts with no category chosen: the preview must
			// still add the hashtags while the author types.
			name: "hashtags count before a category is chosen",
			form: url.Values{"title": {"Hi"}, "url": {"https://example.com"}, "hashtags": {"#launch"},
				"suggestion_network": {""}, "suggestion_text": {"Hello"}},
			wantCounts: map[string]string{"x": "37 / 280", "linkedin": "13 / 3000"},
		},
		{
			name: "an X text at the limit",
			form: url.Values{"title": {"Hi"}, "url": {"https://example.com"},
				"suggestion_network": {"x"}, "suggestion_text": {strings.Repeat("a", 256)}},
			wantCounts: map[string]string{"x": "280 / 280"},
		},
		{
			name: "an X text over the limit",
			form: url.Values{"title": {"Hi"}, "url": {"https://example.com"},
				"suggestion_network": {"x"}, "suggestion_text": {strings.Repeat("a", 257)}},
			wantCounts:   map[string]string{"x": "281 / 280"},
			wantFindings: []string{"finding-length"},
		},
		{
			name:         "a link that is not http(s)",
			form:         url.Values{"title": {"Hi"}, "url": {"ftp://example.com"}},
			wantFindings: []string{"finding-link"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.do(t, "comms", http.MethodPost, "/posts/preview", tt.form)
			wantStatus(t, resp, http.StatusOK)
			doc := mustDoc(t, resp)
			got := counts(doc)
			for network, want := range tt.wantCounts {
				if got[network] != want {
					t.Errorf("count on %s = %q, want %q", network, got[network], want)
				}
			}
			var findings []string
			doc.Find(`[data-testid^="finding-"]`).Each(func(_ int, s *goquery.Selection) {
				findings = append(findings, s.AttrOr("data-testid", ""))
			})
			if !slices.Equal(findings, tt.wantFindings) {
				t.Errorf("findings = %v, want %v", findings, tt.wantFindings)
			}
		})
	}
	if n := len(env.allPosts(t)); n != 0 {
		t.Errorf("the preview stored %d posts", n)
	}
}

func TestFeedFilters(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	env.unlockSharing(t, "employee")
	spring, err := env.store.CreateCampaign(ctx, post.Campaign{Name: "Spring"}, env.users["comms"].ID)
	if err != nil {
		t.Fatal(err)
	}
	launch := env.createPost(t, post.Input{Title: "Launch", URL: "https://example.com/launch", Category: string(post.Product),
		Campaign: fmt.Sprint(spring)}, post.Submit, post.Approve)
	jobs := env.createPost(t, post.Input{Title: "Jobs in Berlin", URL: "https://example.com/jobs", Category: string(post.Jobs),
		Language: "de"}, post.Submit, post.Approve)
	office := env.createPost(t, post.Input{Title: "Culture", URL: "https://example.com/culture", Category: string(post.Culture),
		Suggestions: []post.Suggestion{{Text: "Our new office is 100% ready"}}}, post.Submit, post.Approve)
	draft := env.createPost(t, post.Input{Title: "Draft office", URL: "https://example.com/draft", Category: string(post.Culture)})

	tests := []struct {
		query   string
		wantIDs []int64
	}{
		{"", []int64{office.ID, jobs.ID, launch.ID}},
		{"category=jobs", []int64{jobs.ID}},
		{fmt.Sprintf("campaign=%d", spring), []int64{launch.ID}},
		{"language=de", []int64{jobs.ID}},
		{"q=office", []int64{office.ID}},
		{"q=100%25", []int64{office.ID}},
		{"q=nothing+like+it", nil},
		{"category=culture&language=de", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := env.do(t, "employee", http.MethodGet, "/feed?"+tt.query, nil)
			wantStatus(t, resp, http.StatusOK)
			var got []int64
			mustDoc(t, resp).Find(`[data-testid="feed"] article[data-testid^="post-"]`).Each(func(_ int, s *goquery.Selection) {
				var id int64
				if _, err := fmt.Sscanf(attr(t, s, "data-testid"), "post-%d", &id); err != nil {
					t.Errorf("feed entry: %v", err)
				}
				got = append(got, id)
			})
			if !slices.Equal(got, tt.wantIDs) {
				t.Errorf("feed = %v, want %v", got, tt.wantIDs)
			}
			if slices.Contains(got, draft.ID) {
				t.Errorf("feed shows a draft")
			}
		})
	}
}

func TestFeedTargetingAndSharing(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	env.unlockSharing(t, "employee")
	sales, err := env.store.CreateGroup(ctx, "Sales", account.Department, env.users["admin"].ID)
	if err != nil {
		t.Fatal(err)
	}
	targeted := env.createPost(t, post.Input{Title: "For sales", URL: "https://example.com/sales", Category: string(post.Product),
		Groups: []string{fmt.Sprint(sales)}, Suggestions: []post.Suggestion{{Text: "Sales text"}}}, post.Submit, post.Approve)
	everyone := env.livePost(t, "For everyone")
	testid := fmt.Sprintf("post-%d", targeted.ID)
	sharePath := fmt.Sprintf("/posts/%d/share", targeted.ID)

	runStep(t, "a non-member neither sees nor shares it", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil))
		if has(doc, testid) || !has(doc, fmt.Sprintf("post-%d", everyone.ID)) {
			t.Errorf("feed shows the targeted post, or not the untargeted one")
		}
		wantStatus(t, env.do(t, "employee", http.MethodPost, sharePath, url.Values{"network": {"linkedin"}}), http.StatusNotFound)
		if rows := env.reachByPost(t, env.users["employee"].ID); len(rows) != 0 {
			t.Errorf("a refused share was recorded: %+v", rows)
		}
	})
	runStep(t, "a member sees and shares it", func(t *testing.T) {
		if err := env.store.AddToGroup(ctx, sales, env.users["employee"].ID, account.SourceManual, env.users["admin"].ID); err != nil {
			t.Fatal(err)
		}
		doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil))
		if !has(doc, testid) {
			t.Fatal("feed does not show the post to a member")
		}
		if got := doc.Find(`[data-testid="` + testid + `"] [data-testid="share-text"]`).Text(); got != "Sales text" {
			t.Errorf("share text = %q, want the suggestion", got)
		}
		wantStatus(t, env.do(t, "employee", http.MethodPost, sharePath, url.Values{"network": {"linkedin"}}), http.StatusSeeOther)
	})

	shares := []struct {
		name         string
		form         url.Values
		wantHost     string
		wantText     string // the "text" query parameter
		wantNoText   string // must not appear anywhere in the URL
		wantNoTextOK bool
	}{
		{"the edited text reaches X", url.Values{"network": {"x"}, "text": {"  My own words  "}}, "x.com", "My own words", "", false},
		{"the suggestion when no text is sent", url.Values{"network": {"x"}}, "x.com", "Sales text", "", false},
		{"empty text sent stays empty", url.Values{"network": {"x"}, "text": {""}}, "x.com", "", "Sales", true},
		{"Facebook gets no text even when sent", url.Values{"network": {"facebook"}, "text": {"Facebook words"}}, "www.facebook.com", "", "Facebook", true},
	}
	for _, tt := range shares {
		runStep(t, tt.name, func(t *testing.T) {
			resp := env.do(t, "employee", http.MethodPost, sharePath, tt.form)
			wantStatus(t, resp, http.StatusSeeOther)
			loc := resp.Header.Get("Location")
			intent, err := url.Parse(loc)
			if err != nil || intent.Host != tt.wantHost {
				t.Fatalf("share went to %q, want %s", loc, tt.wantHost)
			}
			if got := intent.Query().Get("text"); got != tt.wantText {
				t.Errorf("text = %q, want %q", got, tt.wantText)
			}
			if tt.wantNoTextOK {
				if unescaped, err := url.QueryUnescape(loc); err != nil || strings.Contains(unescaped, tt.wantNoText) {
					t.Errorf("intent URL %q carries %q (error: %v)", loc, tt.wantNoText, err)
				}
			}
		})
	}
	runStep(t, "text over 3000 characters is refused", func(t *testing.T) {
		resp := env.do(t, "employee", http.MethodPost, sharePath, url.Values{"network": {"x"}, "text": {strings.Repeat("a", 3001)}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
	})
}

func TestExpiredPostIsGone(t *testing.T) {
	env := newTestEnv(t)
	env.unlockSharing(t, "employee")
	expires := env.clock.Now().Add(time.Hour).Format(post.DateTimeLayout)
	p := env.createPost(t, post.Input{Title: "Short-lived", URL: "https://example.com/short", Category: string(post.Culture),
		ExpiresAt: expires}, post.Submit, post.Approve)
	sharePath := fmt.Sprintf("/posts/%d/share", p.ID)
	wantStatus(t, env.do(t, "employee", http.MethodPost, sharePath, url.Values{"network": {"linkedin"}}), http.StatusSeeOther)

	env.advance(t, time.Hour)
	if has(mustDoc(t, env.do(t, "employee", http.MethodGet, "/feed", nil)), fmt.Sprintf("post-%d", p.ID)) {
		t.Error("the feed shows an expired post")
	}
	wantStatus(t, env.do(t, "employee", http.MethodPost, sharePath, url.Values{"network": {"linkedin"}}), http.StatusNotFound)
	doc := mustDoc(t, env.do(t, "comms", http.MethodGet, fmt.Sprintf("/posts/%d", p.ID), nil))
	if !has(doc, "expired") {
		t.Error("the post page does not say it expired")
	}
}
