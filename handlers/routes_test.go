package handlers

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// everyone signed in; anyone includes anonymous visitors.
var (
	signedIn  = []string{"employee", "hr", "comms", "admin"}
	commsOnly = []string{"comms", "admin"}
	hrOnly    = []string{"hr", "admin"}
	adminOnly = []string{"admin"}
	anyone    = append([]string{""}, signedIn...)
)

// roleEntry says which personas may use a route.
type roleEntry struct {
	method, route string
	example       string // a concrete path for the route
	allowed       []string
}

// roleTable says, for every registered route, which personas may use it.
// A route missing from it fails TestEveryRouteHasARoleEntry.
var roleTable = slices.Concat(coreRoleTable, hrRoleTable, profileRoleTable, contentRoleTable, adminRoleTable, privacyRoleTable, reachRoleTable,
	concernRoleTable, sourcesRoleTable, pauseRoleTable,
	scimRoleTable, scimAPIRoleTable)

var coreRoleTable = []roleEntry{
	{"GET", "/healthz", "/healthz", anyone},
	{"GET", "/metrics", "/metrics", anyone}, // a 404 unless the address or token is allowed
	{"GET", "/l/:code", "/l/unknowncode", anyone},
	{"GET", "/", "/", anyone},
	{"GET", "/login", "/login", anyone},
	{"GET", "/auth/:provider", "/auth/nowhere", anyone},
	{"GET", "/auth/:provider/callback", "/auth/nowhere/callback", anyone},
	{"POST", "/logout", "/logout", signedIn},
	{"POST", "/language", "/language", signedIn},
	{"GET", "/unsubscribe/:token", "/unsubscribe/1.notavalidmac", anyone},  // a token, never a session: 404 here
	{"POST", "/unsubscribe/:token", "/unsubscribe/1.notavalidmac", anyone}, // one-click (RFC 8058): no CSRF token

	{"GET", "/conduct", "/conduct", signedIn},
	{"POST", "/conduct/acknowledge", "/conduct/acknowledge", signedIn},
	{"GET", "/training", "/training", signedIn},
	{"GET", "/training/:module", "/training/disclosure", signedIn},
	{"POST", "/training/:module/attempts", "/training/disclosure/attempts", signedIn},
	{"GET", "/training/:module/attempts/:attempt", "/training/disclosure/attempts/1", signedIn},
	{"POST", "/training/:module/attempts/:attempt/answers", "/training/disclosure/attempts/1/answers", signedIn},

	{"GET", "/feed", "/feed", signedIn},
	{"POST", "/posts/:id/share", "/posts/1/share", signedIn},
	{"GET", "/my/reach", "/my/reach", signedIn},

	{"GET", "/posts", "/posts", commsOnly},
	{"GET", "/posts/new", "/posts/new", commsOnly},
	{"POST", "/posts", "/posts", commsOnly},
	{"POST", "/posts/preview", "/posts/preview", commsOnly},
	{"GET", "/posts/:id", "/posts/1", commsOnly},
	{"POST", "/posts/:id", "/posts/1", commsOnly},
	{"GET", "/posts/:id/edit", "/posts/1/edit", commsOnly},
	{"POST", "/posts/:id/archive", "/posts/1/archive", commsOnly},
	{"POST", "/posts/:id/submit", "/posts/1/submit", commsOnly},
	{"POST", "/posts/:id/approve", "/posts/1/approve", commsOnly},
	{"POST", "/posts/:id/return", "/posts/1/return", commsOnly},
	{"GET", "/reach", "/reach", commsOnly},

	{"GET", "/admin/training", "/admin/training", adminOnly},
	{"POST", "/admin/training", "/admin/training", adminOnly},
	{"GET", "/admin/content", "/admin/content", adminOnly},
	{"POST", "/admin/content", "/admin/content", adminOnly},
	{"GET", "/admin/outbox", "/admin/outbox", adminOnly},
}

func TestEveryRouteHasARoleEntry(t *testing.T) {
	env := newTestEnv(t)
	registered := map[string]bool{}
	for _, r := range env.app.GetRoutes(true) {
		if r.Method == http.MethodHead {
			continue // beside every GET (TestEveryGETRouteAnswersHEAD)
		}
		registered[r.Method+" "+r.Path] = true
	}
	inTable := map[string]bool{}
	for _, e := range roleTable {
		inTable[e.method+" "+e.route] = true
	}
	for r := range registered {
		if !inTable[r] {
			t.Errorf("route %s is registered but has no entry in roleTable: say who may use it", r)
		}
	}
	for r := range inTable {
		if !registered[r] {
			t.Errorf("roleTable lists %s, which is not registered", r)
		}
	}
}

// TestRoles checks every route as every persona: allowed personas get
// through (no 403, no sign-in redirect, no server error); others get 403,
// and anonymous visitors are sent to sign in.
func TestRoles(t *testing.T) {
	env := newTestEnv(t)
	env.livePost(t, "A live post")
	for _, e := range roleTable {
		for _, persona := range anyone {
			name := persona
			if name == "" {
				name = "anonymous"
			}
			t.Run(fmt.Sprintf("%s %s as %s", e.method, e.example, name), func(t *testing.T) {
				if persona != "" {
					env.newSession(t, persona) // a request may end the session (sign-out)
				}
				resp := env.do(t, persona, e.method, e.example, nil)
				toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
				if strings.HasPrefix(e.route, "/feeds/") {
					if resp.StatusCode != http.StatusNotFound {
						t.Fatalf("got %d, want 404: the feeds take a secret token, never a session", resp.StatusCode)
					}
					return
				}
				if isSCIMAPIRoute(e.route) {
					if resp.StatusCode != http.StatusUnauthorized {
						t.Fatalf("got %d, want 401: SCIM takes a bearer token, never a session", resp.StatusCode)
					}
					return
				}
				switch {
				case slices.Contains(e.allowed, persona):
					if resp.StatusCode == http.StatusForbidden && e.method == http.MethodPost {
						// Only the domain may refuse here (e.g. sharing
						// still locked): not the role check, and not the
						// form check either, since the form is the
						// persona's own.
						if why := refusalOf(t, resp); why != domainRefusal {
							t.Fatalf("allowed persona got the %s", why)
						}
						return
					}
					if resp.StatusCode == http.StatusForbidden || toLogin || resp.StatusCode >= 500 {
						t.Fatalf("allowed persona got %d %s", resp.StatusCode, resp.Header.Get("Location"))
					}
				case persona == "":
					if !toLogin {
						t.Fatalf("anonymous got %d %q, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
					}
				default:
					if resp.StatusCode != http.StatusForbidden {
						t.Fatalf("got %d, want 403", resp.StatusCode)
					}
					// The refusal allowed personas must never get: knowing
					// it here keeps the check above honest.
					if why := refusalOf(t, resp); why != roleRefusal {
						t.Fatalf("got the %s, want the role refusal", why)
					}
				}
			})
		}
	}
}

// The 403s the portal answers, told apart by their error pages.
const (
	roleRefusal   = "role refusal"                      // requireRoles
	formRefusal   = "refusal of a forged or stale form" // checkCSRF
	domainRefusal = "refusal by the domain"             // anything else, e.g. sharing still locked
)

// refusalOf says which refusal the 403 page resp is.
func refusalOf(t *testing.T, resp *http.Response) string {
	t.Helper()
	page := mustDoc(t, resp).Find(`[data-testid="error-page"]`)
	if page.Length() == 0 {
		t.Fatalf("403 without the error page")
	}
	switch text := page.Text(); {
	case strings.Contains(text, "Your roles do not give you access"):
		return roleRefusal
	case strings.Contains(text, "did not come from this portal"):
		return formRefusal
	}
	return domainRefusal
}

// TestEveryGETRouteAnswersHEAD: a route registered for GET is registered
// for HEAD too, however it was registered (app.Add(GET) alone is not).
func TestEveryGETRouteAnswersHEAD(t *testing.T) {
	env := newTestEnv(t)
	head := map[string]bool{}
	for _, r := range env.app.GetRoutes(true) {
		if r.Method == http.MethodHead {
			head[r.Path] = true
		}
	}
	for _, r := range env.app.GetRoutes(true) {
		if r.Method == http.MethodGet && !head[r.Path] {
			t.Errorf("GET %s has no HEAD route: link checkers and monitors would get 404", r.Path)
		}
	}
}

// rawResponse is an answer as it came over the wire.
type rawResponse struct {
	status int
	header http.Header
	body   []byte // everything after the header
}

// rawRequest sends one request to addr on a connection of its own and
// reads the answer as bytes, so that a body sent after a HEAD answer shows
// (net/http's client would not read it).
func rawRequest(t *testing.T, addr, method, path string, header http.Header) rawResponse {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: portal.test\r\nConnection: close\r\n", method, path)
	if err := header.Write(&req); err != nil {
		t.Fatal(err)
	}
	req.WriteString("\r\n")
	if _, err := conn.Write(req.Bytes()); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("%s %s: no end of header in %q", method, path, raw)
	}
	// Parsed as the answer to a HEAD so that ReadResponse reads no body.
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(append(head, "\r\n\r\n"...))), &http.Request{Method: http.MethodHead})
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	resp.Body.Close()
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: body}
}

// serve serves app on a loopback port until the test ends and returns its
// address.
func serve(t *testing.T, app interface {
	Listener(net.Listener) error
	Shutdown() error
}) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.Shutdown(); err != nil {
			t.Error(err)
		}
		if err := <-served; err != nil {
			t.Error(err)
		}
	})
	return ln.Addr().String()
}

// TestHEADAnswersLikeGET checks every GET route of the role table as every
// persona: HEAD gets the status and headers GET gets, and no body.
func TestHEADAnswersLikeGET(t *testing.T) {
	env := newTestEnv(t)
	env.livePost(t, "A live post")
	withSCIM(t, env)
	scimToken := newSCIMToken(t, env, "monitor")
	link := mustSeedLink(t, env, "https://example.com/news")
	addr := serve(t, env.app)

	type check struct {
		name, path string
		header     http.Header
	}
	var checks []check
	for _, e := range roleTable {
		if e.method != http.MethodGet {
			continue
		}
		for _, persona := range anyone {
			name := persona
			if name == "" {
				name = "anonymous"
			}
			h := http.Header{"User-Agent": {testBrowserUA}}
			if persona != "" {
				h.Set("Cookie", sessionCookie+"="+env.sessions[persona])
			}
			checks = append(checks, check{e.route + " as " + name, e.example, h})
		}
	}
	for _, path := range []string{"/scim/v2/Users", "/scim/v2/Groups", "/scim/v2/ServiceProviderConfig"} {
		checks = append(checks, check{path + " with a SCIM token", path, http.Header{"Authorization": {"Bearer " + scimToken}}})
	}

	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			get := rawRequest(t, addr, http.MethodGet, c.path, c.header)
			head := rawRequest(t, addr, http.MethodHead, c.path, c.header)
			if head.status != get.status {
				t.Fatalf("HEAD %d, GET %d", head.status, get.status)
			}
			if head.status == http.StatusMethodNotAllowed {
				t.Fatalf("HEAD %d", head.status)
			}
			for _, h := range []string{"Content-Type", "Location", "Cache-Control", "Content-Security-Policy"} {
				if head.header.Get(h) != get.header.Get(h) {
					t.Errorf("%s: HEAD %q, GET %q", h, head.header.Get(h), get.header.Get(h))
				}
			}
			if len(head.body) != 0 {
				t.Errorf("HEAD answered with a body of %d bytes", len(head.body))
			}
		})
	}

	t.Run("a tracked link: a preview, never a click", func(t *testing.T) {
		before := mustClickTotals(t, env)
		h := http.Header{"User-Agent": {testBrowserUA}}
		head := rawRequest(t, addr, http.MethodHead, "/l/"+link.Code, h)
		if head.status != http.StatusFound || head.header.Get("Location") == "" || len(head.body) != 0 {
			t.Fatalf("HEAD: %d, Location %q, %d bytes of body; want a 302 with no body", head.status, head.header.Get("Location"), len(head.body))
		}
		after := mustClickTotals(t, env)
		if after.Clicks != before.Clicks || after.Previews != before.Previews+1 {
			t.Errorf("HEAD changed the counts from %+v to %+v, want one more preview and no click", before, after)
		}
		if get := rawRequest(t, addr, http.MethodGet, "/l/"+link.Code, h); get.header.Get("Location") != head.header.Get("Location") {
			t.Errorf("GET Location %q, HEAD %q", get.header.Get("Location"), head.header.Get("Location"))
		}
	})
}
