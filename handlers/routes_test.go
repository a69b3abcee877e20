package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
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
			continue // Fiber registers HEAD beside every GET
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
						// A refusal here must not be the role check: only the
						// domain may refuse (e.g. sharing still locked).
						doc := mustDoc(t, resp)
						if strings.Contains(doc.Text(), "Your roles do not give you access") {
							t.Fatalf("allowed persona got the role 403")
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
				}
			})
		}
	}
}
