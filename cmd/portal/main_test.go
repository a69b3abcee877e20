package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/advocacy-portal/portal/internal/store"
)

// startPortal runs the whole portal, as main does, in demo mode: a temp
// database, a loopback port and the demo identity provider. It returns the
// portal's base URL once it accepts connections. At cleanup it cancels the
// portal and fails the test unless run returns nil in time.
func startPortal(t testing.TB, args ...string) (baseURL string) {
	t.Helper()
	cfg, err := parseConfig(append([]string{"-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "portal.db")}, args...),
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("parseConfig: %v", err)
	}
	if !cfg.Demo() {
		t.Fatal("the test configuration is not in demo mode")
	}
	logs := &testLogWriter{t: t}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, logger, func(u string) { ready <- u }) }()

	select {
	case baseURL = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("run returned before the portal was ready: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("the portal was not ready after 30s")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run did not shut down cleanly: %v", err)
			}
		case <-time.After(2 * shutdownGrace):
			t.Errorf("run did not return within %s of being cancelled", 2*shutdownGrace)
		}
		logs.stop()
	})
	return baseURL
}

// testLogWriter sends the portal's log lines to the test log until stop is
// called, so that nothing logs after the test has finished.
type testLogWriter struct {
	t       testing.TB
	mu      sync.Mutex
	stopped bool
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log("portal: " + strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLogWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}

// hop is one response on the way through redirects.
type hop struct {
	URL    *url.URL
	Status int
	Header http.Header
}

// browserClient is an HTTP client with a cookie jar that follows redirects
// like a browser and remembers every response it saw on the way, so tests
// can look at the Set-Cookie headers of intermediate redirects.
type browserClient struct {
	*http.Client
	mu   sync.Mutex
	hops []hop
}

// newBrowserClient returns a client with an empty cookie jar.
func newBrowserClient(t testing.TB) *browserClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	bc := &browserClient{}
	bc.Client = &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			bc.record(req.Response)
			return nil
		}}
	t.Cleanup(bc.CloseIdleConnections)
	return bc
}

func (bc *browserClient) record(resp *http.Response) {
	if resp == nil {
		return
	}
	bc.mu.Lock()
	bc.hops = append(bc.hops, hop{URL: resp.Request.URL, Status: resp.StatusCode, Header: resp.Header.Clone()})
	bc.mu.Unlock()
}

// redirectsFrom returns the recorded redirect responses to requests for
// path, oldest first.
func (bc *browserClient) redirectsFrom(path string) []hop {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	var out []hop
	for _, h := range bc.hops {
		if h.URL.Path == path {
			out = append(out, h)
		}
	}
	return out
}

// noRedirectClient returns a client without a cookie jar that hands back
// redirects instead of following them.
func noRedirectClient(t testing.TB) *http.Client {
	c := &http.Client{Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// page is a fetched HTML page.
type page struct {
	URL    *url.URL // where the request ended, after redirects
	Status int
	Header http.Header
	Doc    *goquery.Document
}

// readPage reads resp as an HTML page and closes its body.
func readPage(t testing.TB, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: parse HTML: %v", resp.Request.Method, resp.Request.URL, err)
	}
	return page{URL: resp.Request.URL, Status: resp.StatusCode, Header: resp.Header, Doc: doc}
}

// getPage GETs u with c and parses the answer as HTML.
func getPage(t testing.TB, c *http.Client, u string) page {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return readPage(t, resp)
}

// postForm POSTs form to u with c and parses the answer as HTML.
func postForm(t testing.TB, c *http.Client, u string, form url.Values) page {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	return readPage(t, resp)
}

// text returns the trimmed text of the first element matching sel.
func (p page) text(sel string) string {
	return strings.TrimSpace(p.Doc.Find(sel).First().Text())
}

// has reports whether an element matches sel.
func (p page) has(sel string) bool { return p.Doc.Find(sel).Length() > 0 }

// attr returns the attribute name of sel's first element, failing the test
// if sel is empty or that element has no such attribute.
func attr(t testing.TB, sel *goquery.Selection, name string) string {
	t.Helper()
	v, ok := sel.First().Attr(name)
	if !ok {
		t.Fatalf("no element with a %s attribute (%d elements)", name, sel.Length())
	}
	return v
}

// formValues returns the named inputs of form (hidden and text fields and
// checked radios) as a form would submit them, without its buttons.
func formValues(form *goquery.Selection) url.Values {
	v := url.Values{}
	form.Find("input[name]").Each(func(_ int, in *goquery.Selection) {
		// What a browser sends: no value is an empty one, no type a text field.
		name, value := in.AttrOr("name", ""), in.AttrOr("value", "")
		switch in.AttrOr("type", "text") {
		case "radio", "checkbox":
			if _, checked := in.Attr("checked"); !checked {
				return
			}
		case "submit", "button", "image", "file":
			return
		}
		v.Add(name, value)
	})
	return v
}

// resolve returns ref resolved against base.
func resolve(t testing.TB, base *url.URL, ref string) string {
	t.Helper()
	u, err := base.Parse(ref)
	if err != nil {
		t.Fatalf("resolve %q against %s: %v", ref, base, err)
	}
	return u.String()
}

// signIn signs in as subject through the demo identity provider, as a
// browser would: it starts at /auth/demo, submits the provider's picker
// form and follows the redirects back into the portal. It returns the page
// the portal sent the person to.
func signIn(t testing.TB, c *browserClient, baseURL, subject string) page {
	t.Helper()
	return signInFrom(t, c, baseURL+"/auth/demo", subject)
}

// signInFrom is signIn starting from the sign-in link start.
func signInFrom(t testing.TB, c *browserClient, start, subject string) page {
	t.Helper()
	idp := getPage(t, c.Client, start)
	if idp.Status != http.StatusOK || !idp.has(`[data-testid="demo-idp"]`) {
		t.Fatalf("GET %s ended at %s with status %d, not at the demo provider's picker", start, idp.URL, idp.Status)
	}
	form := idp.Doc.Find(`[data-testid="demo-idp"] form`).First()
	if !idp.has(`button[name="subject"][value="` + subject + `"]`) {
		t.Fatalf("the demo provider does not offer %q", subject)
	}
	values := formValues(form)
	for _, name := range []string{"_csrf", "client_id", "redirect_uri", "response_type", "scope", "state", "nonce"} {
		if form.Find(`input[type="hidden"][name="`+name+`"]`).Length() != 1 {
			t.Errorf("the picker form has no hidden input %q", name)
		}
	}
	// The nonce is optional in the code flow, and goth sends none.
	for _, name := range []string{"_csrf", "client_id", "redirect_uri", "response_type", "scope", "state"} {
		if values.Get(name) == "" {
			t.Errorf("the picker form has no value for %q", name)
		}
	}
	values.Set("subject", subject)
	action := attr(t, form, "action")
	return postForm(t, c.Client, resolve(t, idp.URL, action), values)
}

// csrfToken returns the CSRF token of the sign-out form on a page.
func csrfToken(t testing.TB, p page) string {
	t.Helper()
	token, ok := p.Doc.Find(`form[action="/logout"] input[name="_csrf"]`).Attr("value")
	if !ok || token == "" {
		t.Fatalf("%s has no sign-out form with a CSRF token", p.URL)
	}
	return token
}

// sessionCookieIn returns the portal_session cookie set by a response
// with header h, or nil.
func sessionCookieIn(h http.Header) *http.Cookie {
	resp := http.Response{Header: h}
	for _, c := range resp.Cookies() {
		if c.Name == "portal_session" {
			return c
		}
	}
	return nil
}

// freeAddr returns a loopback address that nothing listens on right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestRunReportsStartupErrors checks that run returns an error, without
// calling ready, when the portal cannot start, and that it leaves nothing
// listening behind.
func TestRunReportsStartupErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	tests := []struct {
		name    string
		args    func(t *testing.T, dir string) []string
		wantErr string
	}{
		{
			name:    "address in use",
			args:    func(t *testing.T, dir string) []string { return []string{"-addr", busy.Addr().String()} },
			wantErr: "listen on " + busy.Addr().String(),
		},
		{
			name:    "demo provider address in use",
			args:    func(t *testing.T, dir string) []string { return []string{"-demo-idp-addr", busy.Addr().String()} },
			wantErr: "demo identity provider",
		},
		{
			name: "database in a missing folder",
			args: func(t *testing.T, dir string) []string {
				return []string{"-db", filepath.Join(dir, "missing", "portal.db")}
			},
			wantErr: "portal.db",
		},
		{
			// The demo provider is already serving when the demo data is
			// loaded; a failure there must not leave it running.
			name: "demo data cannot be loaded",
			args: func(t *testing.T, dir string) []string {
				db := filepath.Join(dir, "portal.db")
				refuseNewUsers(t, db)
				return []string{"-db", db}
			},
			wantErr: "load demo data",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			portalAddr, idpAddr := freeAddr(t), freeAddr(t)
			args := append([]string{"-addr", portalAddr, "-demo-idp-addr", idpAddr, "-db", filepath.Join(dir, "portal.db")},
				tt.args(t, dir)...)
			cfg, err := parseConfig(args, func(string) string { return "" }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			readyCalled := false
			err = run(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), func(string) { readyCalled = true })
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("run = %v, want an error mentioning %q", err, tt.wantErr)
			}
			if readyCalled {
				t.Error("run called ready")
			}
			for what, addr := range map[string]string{"the portal": cfg.Addr, "the demo provider": cfg.DemoIdPAddr} {
				if addr == busy.Addr().String() {
					continue
				}
				if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
					conn.Close()
					t.Errorf("after run failed, %s still listens on %s", what, addr)
				}
			}
		})
	}
}

// refuseNewUsers creates the portal's database at path with a trigger that
// makes every insert into users fail, so that loading the demo data fails.
func refuseNewUsers(t *testing.T, path string) {
	t.Helper()
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER refuse_users BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'test: no new users'); END`); err != nil {
		t.Fatal(err)
	}
}
