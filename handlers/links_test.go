package handlers

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

// User agents the redirect tests send.
const (
	chromeUA   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	iphoneUA   = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.30.1424"
	linkedinUA = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"
	slackUA    = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
	googleUA   = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)

// linkApp is the portal's app for redirect tests, on env's store, with
// what the test sets in Deps, and its log.
type linkApp struct {
	app *fiber.App
	log *bytes.Buffer
}

func newLinkApp(t *testing.T, env *testEnv, change func(*Deps)) linkApp {
	t.Helper()
	var log bytes.Buffer
	d := Deps{Store: env.store, Guidelines: env.g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups",
		BaseURL: testBaseURL, Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(&syncWriter{w: &log}, nil)),
		Now: env.clock.Now}
	if change != nil {
		change(&d)
	}
	return linkApp{app: New(d), log: &log}
}

// syncWriter serialises writes to a buffer shared by concurrent requests.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// visit requests /l/code with method and user agent (and X-Forwarded-For
// if xff is not empty), without following the redirect.
func (a linkApp) visit(t *testing.T, method, code, ua, xff string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, testBaseURL+"/l/"+code, nil)
	req.Header.Set("User-Agent", ua)
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := a.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s /l/%s: %v", method, code, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// mustSeedLink creates a tracked link to a live post at postURL.
func mustSeedLink(t *testing.T, env *testEnv, postURL string) store.Link {
	t.Helper()
	links, err := env.store.SeedLinks(context.Background(), postURL, 1, share.NewCode)
	if err != nil || len(links) != 1 {
		t.Fatalf("SeedLinks = %d links, %v; want 1", len(links), err)
	}
	return links[0]
}

// mustClickTotals returns the rolled-up counts of every tracked link (the
// tests that use it make one) once the clicks committed so far are rolled
// up, as the portal's reach.Tally does every second.
func mustClickTotals(t *testing.T, env *testEnv) reach.ClickCounts {
	t.Helper()
	if _, err := (&reach.Tally{Store: env.store}).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	c, err := env.store.ClickTotals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRedirectLink(t *testing.T) {
	for name, change := range map[string]func(*Deps){
		"one transaction per click": nil,
		"group commit": func(d *Deps) {
			w := reach.NewWriter(d.Store, reach.WriterConfig{})
			t.Cleanup(func() { w.Close() })
			d.Clicks = reach.NewRecorder(d.Store, reach.Config{Writer: w, Now: d.Now})
		},
	} {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t)
			link := mustSeedLink(t, env, "https://example.com/news?ref=feed&lang=nl#part-2")
			a := newLinkApp(t, env, change)

			resp := a.visit(t, "GET", link.Code, chromeUA, "")
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("GET: status %d, want 302", resp.StatusCode)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			if rp := resp.Header.Get("Referrer-Policy"); rp != "strict-origin-when-cross-origin" {
				t.Errorf("Referrer-Policy = %q: the post's site must learn the portal's origin only", rp)
			}
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			q := loc.Query()
			if loc.Scheme != "https" || loc.Host != "example.com" || loc.Path != "/news" || loc.Fragment != "part-2" ||
				q.Get("ref") != "feed" || q.Get("lang") != "nl" || q.Get("utm_source") != "linkedin" ||
				q.Get("utm_medium") != "employee_advocacy" || !strings.HasPrefix(q.Get("utm_campaign"), "seeded-post-") {
				t.Errorf("Location = %s; want the post's URL with its query and #part-2 kept and the UTM parameters added", loc)
			}

			requests := []struct{ method, ua string }{
				{"GET", chromeUA},   // the same person again, the same day
				{"GET", iphoneUA},   // someone else, in LinkedIn's in-app browser
				{"HEAD", chromeUA},  // a link checker
				{"GET", linkedinUA}, // LinkedIn's preview of the share
				{"GET", slackUA},
				{"GET", googleUA},
				{"GET", ""},
			}
			for _, r := range requests {
				if resp := a.visit(t, r.method, link.Code, r.ua, ""); resp.StatusCode != http.StatusFound {
					t.Errorf("%s with %q: status %d, want 302", r.method, r.ua, resp.StatusCode)
				}
			}
			if got, want := mustClickTotals(t, env), (reach.ClickCounts{Clicks: 3, Previews: 3, Bots: 2, Visitors: 2}); got != want {
				t.Errorf("the link's counts are %+v, want %+v", got, want)
			}
			if strings.Contains(a.log.String(), "0.0.0.0") {
				t.Errorf("the log holds the client address:\n%s", a.log)
			}
		})
	}
}

func TestRedirectLinkUnknownCode(t *testing.T) {
	env := newTestEnv(t)
	mustSeedLink(t, env, "https://example.com/")
	a := newLinkApp(t, env, nil)
	resp := a.visit(t, "GET", "doesnotexist", chromeUA, "")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d, want 404", resp.StatusCode)
	}
	if resp.Header.Get("Location") != "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Location %q, Cache-Control %q; want none and no-store", resp.Header.Get("Location"), resp.Header.Get("Cache-Control"))
	}
	if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("Content-Type = %q, want the HTML error page", resp.Header.Get("Content-Type"))
	}
	totals, err := env.store.RawClickCounts(context.Background())
	if err != nil || totals != (reach.ClickCounts{}) {
		t.Errorf("clicks after an unknown code: %+v, %v; want none", totals, err)
	}
}

// failingStore fails every click write.
type failingStore struct{ reach.Store }

func (failingStore) RecordClicks(context.Context, []reach.Hit) error {
	return errors.New("database is locked")
}

func TestRedirectLinkWithoutCommitIsNotRedirected(t *testing.T) {
	env := newTestEnv(t)
	link := mustSeedLink(t, env, "https://example.com/")
	for name, writer := range map[string]bool{"one transaction": false, "group commit": true} {
		t.Run(name, func(t *testing.T) {
			a := newLinkApp(t, env, func(d *Deps) {
				cfg := reach.Config{Now: d.Now}
				if writer {
					cfg.Writer = reach.NewWriter(failingStore{d.Store}, reach.WriterConfig{})
					t.Cleanup(func() { cfg.Writer.Close() })
				}
				d.Clicks = reach.NewRecorder(failingStore{d.Store}, cfg)
			})
			resp := a.visit(t, "GET", link.Code, chromeUA, "")
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Location") != "" {
				t.Errorf("status %d, Location %q; want 503 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
			}
			if !strings.Contains(a.log.String(), "database is locked") {
				t.Errorf("the failure is not logged:\n%s", a.log)
			}
		})
	}
}

func TestRedirectLinkGroupCommitUnderLoad(t *testing.T) {
	env := newTestEnv(t)
	link := mustSeedLink(t, env, "https://example.com/")
	w := reach.NewWriter(env.store, reach.WriterConfig{})
	a := newLinkApp(t, env, func(d *Deps) { d.Clicks = reach.NewRecorder(d.Store, reach.Config{Writer: w, Now: d.Now}) })

	const n = 100
	var wg sync.WaitGroup
	var mu sync.Mutex
	found := 0
	for i := range n {
		wg.Go(func() {
			req := httptest.NewRequest("GET", testBaseURL+"/l/"+link.Code, nil)
			req.Header.Set("User-Agent", chromeUA)
			req.Header.Set("X-Forwarded-For", "198.51.100."+string(rune('0'+i%10))) // ignored: no trusted proxy
			resp, err := a.app.Test(req, -1)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusFound {
				mu.Lock()
				found++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	w.Close()
	st := w.Stats()
	got := mustClickTotals(t, env)
	if found != n || got.Clicks != n || st.Clicks != n {
		t.Errorf("%d redirects, %d clicks in the database, %d through the writer; want %d each", found, got.Clicks, st.Clicks, n)
	}
	if got.Visitors != 1 {
		t.Errorf("%d visitors, want 1: X-Forwarded-For from an untrusted peer is ignored", got.Visitors)
	}
	t.Logf("%d clicks in %d transactions", st.Clicks, st.Batches)
}

func TestRedirectLinkClientAddress(t *testing.T) {
	// app.Test's connections come from 0.0.0.0.
	peer := netip.MustParseAddr("0.0.0.0")
	tests := []struct {
		name    string
		trusted []string
		xff     string
		want    netip.Addr
	}{
		{"no trusted proxy: X-Forwarded-For is ignored", nil, "198.51.100.7", peer},
		{"an untrusted peer: X-Forwarded-For is ignored", []string{"10.0.0.1"}, "198.51.100.7", peer},
		{"a trusted proxy: its X-Forwarded-For is used", []string{"0.0.0.0"}, "198.51.100.7", netip.MustParseAddr("198.51.100.7")},
		{"a chain: the right-most address that is not a trusted proxy", []string{"0.0.0.0", "10.0.0.0/8"},
			"203.0.113.66, 198.51.100.7, 10.1.2.3", netip.MustParseAddr("198.51.100.7")},
		{"a forged entry left of the client is not believed", []string{"0.0.0.0"},
			"127.0.0.1, 198.51.100.7", netip.MustParseAddr("198.51.100.7")},
		{"a malformed entry stops the walk", []string{"0.0.0.0", "10.0.0.0/8"},
			"198.51.100.7, not-an-ip, 10.1.2.3", netip.MustParseAddr("10.1.2.3")},
		{"a trusted proxy without X-Forwarded-For", []string{"0.0.0.0"}, "", peer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			link := mustSeedLink(t, env, "https://example.com/")
			a := newLinkApp(t, env, func(d *Deps) { d.TrustedProxies = tt.trusted })
			if resp := a.visit(t, "GET", link.Code, chromeUA, tt.xff); resp.StatusCode != http.StatusFound {
				t.Fatalf("status %d, want 302", resp.StatusCode)
			}
			ctx := context.Background()
			clicks, err := env.store.LinkClicks(ctx, link.ID)
			if err != nil || len(clicks) != 1 {
				t.Fatalf("clicks = %+v, %v; want one", clicks, err)
			}
			salt, err := env.store.StoredVisitorSalt(ctx, env.clock.Now().UTC().Format(reach.DayLayout))
			if err != nil {
				t.Fatal(err)
			}
			want := reach.HashVisitor(salt, tt.want, chromeUA)
			if !bytes.Equal(clicks[0].Visitor, want[:]) {
				t.Errorf("the visitor hash is not that of %s", tt.want)
			}
			for _, addr := range []string{"198.51.100.7", "203.0.113.66", "10.1.2.3"} {
				if strings.Contains(a.log.String(), addr) {
					t.Errorf("the log holds the address %s", addr)
				}
			}
		})
	}
}
