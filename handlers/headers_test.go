package handlers

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
)

// appWith builds a portal on env's store with Deps changed by change.
func appWith(t *testing.T, env *testEnv, change func(*Deps)) *fiber.App {
	t.Helper()
	d := Deps{Store: env.store, Guidelines: env.g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups",
		BaseURL: testBaseURL, Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.clock.Now}
	if change != nil {
		change(&d)
	}
	return New(d)
}

func TestSecurityHeaders(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name, baseURL, path string
		wantHSTS            bool
	}{
		{"http page", "http://portal.test", "/", false},
		{"https page", "https://portal.test", "/", true},
		{"https error page", "https://portal.test", "/no/such/page", true},
		{"https redirect path", "https://portal.test", "/l/unknowncode", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := appWith(t, env, func(d *Deps) { d.BaseURL = tt.baseURL })
			resp, err := app.Test(httptest.NewRequest("GET", tt.path, nil))
			if err != nil {
				t.Fatal(err)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			var scriptSrc string
			for _, d := range strings.Split(csp, ";") {
				if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src ") {
					scriptSrc = d
				}
			}
			if scriptSrc != "script-src 'self'" {
				t.Errorf("script-src = %q, want only 'self' (CSP %q)", scriptSrc, csp)
			}
			for _, want := range []string{"frame-ancestors 'none'", "default-src 'self'", "base-uri 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %s", csp, want)
				}
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if got := resp.Header.Get("Referrer-Policy"); got == "" {
				t.Error("no Referrer-Policy")
			}
			hsts := resp.Header.Get("Strict-Transport-Security")
			if gotHSTS := hsts != ""; gotHSTS != tt.wantHSTS {
				t.Errorf("Strict-Transport-Security = %q, want present %v", hsts, tt.wantHSTS)
			}
			if tt.wantHSTS && hsts != "max-age=31536000; includeSubDomains" {
				t.Errorf("Strict-Transport-Security = %q", hsts)
			}
		})
	}
}

// TestNoInlineScripts checks the pages a signed-in employee sees carry no
// inline event handlers or inline scripts, which the CSP would block.
func TestNoInlineScripts(t *testing.T) {
	env := newTestEnv(t)
	env.livePost(t, "A live post")
	for _, path := range []string{"/", "/feed", "/conduct", "/training", "/profile", "/my/reach"} {
		resp := env.do(t, "employee", "GET", path, nil)
		doc := mustDoc(t, resp)
		doc.Find("*").Each(func(_ int, sel *goquery.Selection) {
			for _, a := range sel.Nodes[0].Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") || strings.HasPrefix(strings.ToLower(a.Key), "hx-on") {
					t.Errorf("%s: <%s %s=%q> is an inline handler", path, sel.Nodes[0].Data, a.Key, a.Val)
				}
			}
		})
		doc.Find("script").Each(func(_ int, sel *goquery.Selection) {
			if _, ok := sel.Attr("src"); !ok {
				t.Errorf("%s: inline <script>", path)
			}
		})
	}
}
