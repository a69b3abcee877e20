package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/source"
	"github.com/advocacy-portal/portal/internal/sources"
)

var sourcesRoleTable = []roleEntry{
	{"GET", "/sources", "/sources", commsOnly},
	{"POST", "/sources", "/sources", commsOnly},
	{"POST", "/sources/:id/delete", "/sources/1/delete", commsOnly},
	{"POST", "/sources/feed-token", "/sources/feed-token", commsOnly},
	{"GET", "/sources/items", "/sources/items", commsOnly},
	{"POST", "/sources/items/:id/draft", "/sources/items/1/draft", commsOnly},
	{"POST", "/sources/items/:id/dismiss", "/sources/items/1/dismiss", commsOnly},
	// Token-authenticated, no session: without a valid token every persona,
	// anonymous included, gets 404.
	{"GET", "/feeds/posts.atom", "/feeds/posts.atom", anyone},
	{"GET", "/feeds/posts.ics", "/feeds/posts.ics", anyone},
}

// newSourcesEnv is the test app, whose routes include the source routes.
func newSourcesEnv(t *testing.T) *testEnv {
	t.Helper()
	env := newTestEnv(t)
	for _, r := range env.app.GetRoutes(true) {
		if r.Path == "/sources" {
			return env
		}
	}
	t.Fatal("the portal has no /sources route")
	return nil
}

func TestSourceRolesWithoutToken(t *testing.T) {
	env := newSourcesEnv(t)
	for _, e := range sourcesRoleTable {
		for _, persona := range anyone {
			resp := env.do(t, persona, e.method, e.example, nil)
			toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
			switch {
			case strings.HasPrefix(e.route, "/feeds/"):
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s as %q: %d, want 404 without a token", e.method, e.example, persona, resp.StatusCode)
				}
			case persona == "":
				if !toLogin {
					t.Errorf("%s %s anonymous: %d, want sign-in", e.method, e.example, resp.StatusCode)
				}
			case !slices.Contains(e.allowed, persona):
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s as %s: %d, want 403", e.method, e.example, persona, resp.StatusCode)
				}
			default:
				if resp.StatusCode == http.StatusForbidden || toLogin || resp.StatusCode >= 500 {
					t.Errorf("%s %s as %s: %d", e.method, e.example, persona, resp.StatusCode)
				}
			}
		}
	}
}

func TestAddSource(t *testing.T) {
	tests := []struct {
		name, feedName, url string
		wantStatus          int
		wantError           string // data-testid of the field error
	}{
		{"https feed", "Industry news", "https://news.example/feed.xml", http.StatusSeeOther, ""},
		{"http feed", "Blog", "http://blog.example/atom", http.StatusSeeOther, ""},
		{"ftp refused", "Files", "ftp://files.example/feed.xml", http.StatusUnprocessableEntity, "error-url"},
		{"file refused", "Local", "file:///etc/passwd", http.StatusUnprocessableEntity, "error-url"},
		{"javascript refused", "Script", "javascript:alert(1)", http.StatusUnprocessableEntity, "error-url"},
		{"no address", "Nothing", "", http.StatusUnprocessableEntity, "error-url"},
		{"no name", "", "https://news.example/other.xml", http.StatusUnprocessableEntity, "error-name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newSourcesEnv(t)
			resp := env.do(t, "comms", "POST", "/sources", url.Values{"name": {tt.feedName}, "url": {tt.url}})
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			list, err := env.store.Sources(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantError != "" {
				if doc := mustDoc(t, resp); !has(doc, tt.wantError) {
					t.Errorf("no %s on the page", tt.wantError)
				}
				if len(list) != 0 {
					t.Errorf("a refused source was stored: %+v", list)
				}
				return
			}
			if len(list) != 1 || list[0].URL != tt.url || list[0].Name != tt.feedName {
				t.Fatalf("sources = %+v", list)
			}
			again := env.do(t, "comms", "POST", "/sources", url.Values{"name": {"Again"}, "url": {tt.url}})
			if again.StatusCode != http.StatusUnprocessableEntity || !has(mustDoc(t, again), "error-url") {
				t.Errorf("adding the same feed twice: %d", again.StatusCode)
			}
		})
	}
}

// TestSourcesEndToEnd adds a feed served locally and a broken one, polls
// them, and makes a draft of an item and dismisses another.
func TestSourcesEndToEnd(t *testing.T) {
	feeds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken" {
			fmt.Fprint(w, "<rss><channel><item>")
			return
		}
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Chips get smaller</title><link>https://news.example/chips</link><guid>1</guid><pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>Rain again</title><link>https://news.example/rain</link><guid>2</guid></item>
</channel></rss>`)
	}))
	defer feeds.Close()
	env := newSourcesEnv(t)
	ctx := context.Background()
	for name, path := range map[string]string{"Industry news": "/rss", "Broken feed": "/broken"} {
		if resp := env.do(t, "comms", "POST", "/sources", url.Values{"name": {name}, "url": {feeds.URL + path}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %s: %d", name, resp.StatusCode)
		}
	}
	job := &sources.Job{Store: env.store, Fetcher: &sources.Fetcher{AllowPrivate: true}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if n, err := job.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("RunOnce: %d, %v", n, err)
	}

	doc := mustDoc(t, env.do(t, "comms", "GET", "/sources", nil))
	if got := doc.Find(`[data-testid="source-error"]`).Text(); !strings.Contains(got, "not a readable RSS or Atom feed") {
		t.Errorf("broken feed's error = %q", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="source-items"]`).Text()); !strings.Contains(got, "2") {
		t.Errorf("item counts = %q", got)
	}

	doc = mustDoc(t, env.do(t, "comms", "GET", "/sources/items", nil))
	rows := doc.Find(`[data-testid^="source-item-"] [data-testid="source-item-link"]`)
	if rows.Length() != 2 {
		t.Fatalf("queue shows %d items, want 2", rows.Length())
	}
	items, err := env.store.NewSourceItems(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]source.Item{}
	for _, it := range items {
		byTitle[it.Title] = it
	}
	chips := byTitle["Chips get smaller"]
	resp := env.do(t, "comms2", "POST", fmt.Sprintf("/sources/items/%d/draft", chips.ID), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("make a draft: %d", resp.StatusCode)
	}
	var postID int64
	if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/posts/%d/edit", &postID); err != nil {
		t.Fatalf("draft redirects to %q", resp.Header.Get("Location"))
	}
	p := env.post(t, postID)
	if p.Title != "Chips get smaller" || p.URL != "https://news.example/chips" || p.Category != post.IndustryInsight ||
		p.Status != post.Draft || p.AuthorID != env.users["comms2"].ID {
		t.Errorf("draft = %+v", p)
	}
	if resp := env.do(t, "comms", "POST", fmt.Sprintf("/sources/items/%d/draft", chips.ID), nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("second draft of the same item: %d, want 409", resp.StatusCode)
	}
	if resp := env.do(t, "comms", "POST", fmt.Sprintf("/sources/items/%d/dismiss", byTitle["Rain again"].ID), nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("dismiss: %d", resp.StatusCode)
	}
	if doc := mustDoc(t, env.do(t, "comms", "GET", "/sources/items", nil)); !has(doc, "source-items-empty") {
		t.Error("the queue is not empty after a draft and a dismissal")
	}
	if resp := env.do(t, "comms", "POST", "/sources/items/9999/draft", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("draft of an unknown item: %d, want 404", resp.StatusCode)
	}

	list, err := env.store.Sources(ctx)
	if err != nil || len(list) == 0 {
		t.Fatalf("sources = %+v, %v; want the ones added", list, err)
	}
	for _, src := range list {
		if resp := env.do(t, "comms", "POST", fmt.Sprintf("/sources/%d/delete", src.ID), nil); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("delete: %d", resp.StatusCode)
		}
	}
	if list, err := env.store.Sources(ctx); err != nil || len(list) != 0 {
		t.Errorf("sources left after delete: %+v (error: %v)", list, err)
	}
	if doc := mustDoc(t, env.do(t, "comms", "GET", "/sources", nil)); !has(doc, "sources-empty") {
		t.Error("the sources page does not say there are none")
	}
}
