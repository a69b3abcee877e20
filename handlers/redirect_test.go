package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/input"
	"github.com/advocacy-portal/portal/internal/post"
)

// hostileTargets are redirect targets as a request hands them to the
// portal (already decoded from the query or form), with what localPath
// must make of them: "" means refused (the caller's default page).
var hostileTargets = []struct {
	name, raw, want string
}{
	{"header injection from the issue", "/\r\nSet-Cookie: injected=1", ""},
	{"bare line feed", "/\nSet-Cookie: injected=1", ""},
	{"tab hides a second slash", "/\t/evil.example/x", ""},
	{"backslash after the slash", "/\\evil.example", ""},
	{"backslash later on", "/feed\\..\\evil", ""},
	{"backslash first", "\\\\evil.example", ""},
	{"protocol-relative", "//evil.example", ""},
	{"three slashes", "///evil.example", ""},
	{"absolute URL", "https://evil.example/x", ""},
	{"scheme without slashes", "https:evil.example", ""},
	{"javascript", "javascript:alert(document.cookie)", ""},
	{"data URL", "data:text/html,<script>alert(1)</script>", ""},
	{"encoded slashes, not decoded", "%2F%2Fevil.example", ""},
	{"encoded slashes in the path", "/%2F%2Fevil.example", ""},
	{"encoded CRLF in the path", "/%0d%0a", ""},
	{"encoded CRLF with a header", "/%0D%0ASet-Cookie:%20injected%3D1", ""},
	{"encoded backslash", "/%5Cevil.example", ""},
	{"encoded tab", "/%09/evil.example", ""},
	{"NUL", "/feed\x00", ""},
	{"invalid UTF-8", "/caf\xe9", ""},
	{"line separator", "/\u2028evil.example", ""},
	{"zero-width space", "/\u200b/evil.example", ""},
	{"no-break space", "/\u00a0/evil.example", ""},
	{"byte order mark", "/\ufeff/evil.example", ""},
	{"right-to-left override", "/\u202eelpmaxe.live", ""},
	{"fullwidth slashes", "\uff0f\uff0fevil.example", ""},
	{"user information", "//user@evil.example", ""},
	{"space", "/feed evil", ""},
	{"too long", "/" + strings.Repeat("a", maxLocalPath), ""},
	{"empty", "", ""},
	{"relative path", "feed", ""},

	{"a page", "/feed", "/feed"},
	{"the start page", "/", "/"},
	{"with a query", "/training/disclosure?from=mail&x=1", "/training/disclosure?from=mail&x=1"},
	{"encoded query kept", "/feed?q=caf%C3%A9", "/feed?q=caf%C3%A9"},
	{"non-ASCII query encoded", "/feed?q=café", "/feed?q=caf%C3%A9"},
	{"non-ASCII path encoded", "/ünï", "/%C3%BCn%C3%AF"},
	{"fragment dropped", "/hr/people/3#module-x", "/hr/people/3"},
	{"a slash-slash in the query is only data", "/login?next=//evil.example", "/login?next=//evil.example"},
	{"a host-like first segment is a path", "/evil.example", "/evil.example"},
	{"an at sign in the path", "/x@evil.example", "/x@evil.example"},
	{"dot segments", "/feed/../posts", "/feed/../posts"},
}

func TestLocalPath(t *testing.T) {
	for _, tt := range hostileTargets {
		t.Run(tt.name, func(t *testing.T) {
			if got := localPath(tt.raw); got != tt.want {
				t.Errorf("localPath(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

// FuzzLocalPath holds localPath to its promise on any input: what it
// returns is a path of this site and holds nothing a header cannot.
func FuzzLocalPath(f *testing.F) {
	for _, tt := range hostileTargets {
		f.Add(tt.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := localPath(raw)
		if got == "" {
			return
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\ \t\r\n\x00") {
			t.Fatalf("localPath(%q) = %q, not a plain local path", raw, got)
		}
		for i := 0; i < len(got); i++ {
			if got[i] < 0x21 || got[i] > 0x7e {
				t.Fatalf("localPath(%q) = %q holds byte %#x", raw, got, got[i])
			}
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
			t.Fatalf("localPath(%q) = %q parses as %+v, %v", raw, got, u, err)
		}
		if again := localPath(got); again != got {
			t.Fatalf("localPath is not stable: %q, then %q", got, again)
		}
	})
}

// wantNoInjectedHeader fails if a hostile value made it into a header of
// its own: a cookie called injected, or a line break left in a value.
func wantNoInjectedHeader(t *testing.T, resp *http.Response) {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "injected" {
			t.Errorf("the response set the cookie %q from the request", c.Name)
		}
	}
	for name, values := range resp.Header {
		for _, v := range values {
			if strings.ContainsAny(v, "\r\n") || (name == "Set-Cookie" && strings.HasPrefix(v, "injected")) {
				t.Errorf("header %s: %q carries the request's value", name, v)
			}
		}
	}
}

// wantLocalLocation fails unless the response redirects to want, or to
// fallback when the target was refused.
func wantLocalLocation(t *testing.T, resp *http.Response, want, fallback string) {
	t.Helper()
	if want == "" {
		want = fallback
	}
	if got := resp.Header.Get("Location"); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
}

func TestSignInKeepsOnlyALocalNextPath(t *testing.T) {
	env := newTestEnv(t)
	idp := &fakeIdP{}
	app := appWith(t, env, func(d *Deps) {
		d.Providers = []auth.Provider{{Slug: "demo", Label: "Demo", Flow: auth.GothFlow{Provider: idp, Issuer: "https://idp.test"}}}
	})
	for _, tt := range hostileTargets {
		t.Run(tt.name, func(t *testing.T) {
			// The sign-in page passes next on to the provider's button.
			resp, err := app.Test(httptest.NewRequest(http.MethodGet, testBaseURL+"/login?next="+url.QueryEscape(tt.raw), nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			wantStatus(t, resp, http.StatusOK)
			doc := mustDoc(t, resp)
			resp.Body.Close()
			buttons := doc.Find(`[data-testid="provider"]`)
			if buttons.Length() != 1 {
				t.Fatalf("%d provider buttons, want 1", buttons.Length())
			}
			href := attr(t, buttons, "href")
			begin, err := url.Parse(href)
			if err != nil || begin.Path != "/auth/demo" {
				t.Fatalf("button href %q, want /auth/demo?…: %v", href, err)
			}
			if got := begin.Query().Get("next"); got != tt.want {
				t.Errorf("button's next = %q, want %q", got, tt.want)
			}

			// Starting the sign-in stores only a clean next path.
			resp, err = app.Test(httptest.NewRequest(http.MethodGet, testBaseURL+"/auth/demo?next="+url.QueryEscape(tt.raw), nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			wantStatus(t, resp, http.StatusFound)
			wantNoInjectedHeader(t, resp)
			var state string
			for _, c := range resp.Cookies() {
				if c.Name == loginStateCookie {
					state = c.Value
				}
			}
			if state == "" {
				t.Fatal("no login state cookie")
			}
			ls, err := env.store.TakeLoginState(context.Background(), state, loginStateTTL)
			if err != nil {
				t.Fatal(err)
			}
			if ls.NextPath != tt.want {
				t.Errorf("stored next path = %q, want %q", ls.NextPath, tt.want)
			}
		})
	}
}

func TestChooseLanguageGoesBackOnlyToALocalPath(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	for _, tt := range hostileTargets {
		t.Run(tt.name, func(t *testing.T) {
			if err := env.store.SetLanguage(ctx, env.users["employee"].ID, "en"); err != nil {
				t.Fatal(err)
			}
			resp := env.do(t, "employee", http.MethodPost, "/language", url.Values{"lang": {"nl"}, "back": {tt.raw}})
			wantNoInjectedHeader(t, resp)
			if input.Check(tt.raw, input.Line) != nil {
				// Text no field may hold is refused before the handler runs.
				wantStatus(t, resp, http.StatusUnprocessableEntity)
				return
			}
			wantStatus(t, resp, http.StatusSeeOther)
			wantLocalLocation(t, resp, tt.want, "/")
		})
	}
	// The query string is no way round it: Fiber's FormValue reads it first.
	for _, back := range []string{"/\\evil.example", "//evil.example", "/\r\nSet-Cookie: injected=1"} {
		resp := env.do(t, "employee", http.MethodPost, "/language?back="+url.QueryEscape(back), url.Values{"lang": {"en"}})
		wantNoInjectedHeader(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			wantStatus(t, resp, http.StatusSeeOther)
			wantLocalLocation(t, resp, "", "/")
		}
	}
}

// guardedApp is a bare app behind guardHeaders whose routes set the
// headers a careless handler might.
func guardedApp(t *testing.T, env *testEnv) *fiber.App {
	t.Helper()
	s := &server{Deps: Deps{Store: env.store, Guidelines: env.g, BaseURL: testBaseURL, Policy: post.DefaultPolicy,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.clock.Now}}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError})
	app.Use(s.guardHeaders)
	app.Get("/redirect", func(c *fiber.Ctx) error { return c.Redirect(c.Query("to"), fiber.StatusSeeOther) })
	app.Get("/header", func(c *fiber.Ctx) error {
		c.Set("X-Note", c.Query("v"))
		return c.SendString("ok")
	})
	app.Get("/cookie", func(c *fiber.Ctx) error {
		c.Cookie(&fiber.Cookie{Name: "note", Value: c.Query("v")})
		return c.SendString("ok")
	})
	app.Get("/fail", func(c *fiber.Ctx) error {
		c.Location(c.Query("to"))
		return apperr.New(apperr.Invalid, "That is not possible.")
	})
	return app
}

func TestGuardHeadersRefusesControlCharacters(t *testing.T) {
	env := newTestEnv(t)
	app := guardedApp(t, env)
	injection := url.QueryEscape("/\r\nSet-Cookie: injected=1")
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantHeader string // a header the response must carry, "Name: value"
	}{
		{"a clean redirect passes", "/redirect?to=%2Ffeed", http.StatusSeeOther, "Location: /feed"},
		{"a clean header passes", "/header?v=" + url.QueryEscape("a\tb"), http.StatusOK, "X-Note: a\tb"},
		{"a redirect with CRLF", "/redirect?to=" + injection, http.StatusInternalServerError, ""},
		{"a redirect with LF only", "/redirect?to=" + url.QueryEscape("/\nSet-Cookie: injected=1"), http.StatusInternalServerError, ""},
		// fasthttp's Set (which c.Set calls) turns line breaks into spaces,
		// but SetCanonical (which c.Redirect and c.Location call) and
		// cookies do not, and neither touches NUL.
		{"c.Set with CR only", "/header?v=" + url.QueryEscape("x\rSet-Cookie: injected=1"), http.StatusOK, "X-Note: x Set-Cookie: injected=1"},
		{"a header with NUL", "/header?v=%00", http.StatusInternalServerError, ""},
		{"a cookie value with CRLF", "/cookie?v=" + injection, http.StatusInternalServerError, ""},
		{"an error page keeps the check", "/fail?to=" + injection, http.StatusInternalServerError, ""},
		{"an error page with clean headers", "/fail?to=%2Ffine", http.StatusUnprocessableEntity, "Location: /fine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := app.Test(httptest.NewRequest(http.MethodGet, testBaseURL+tt.path, nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			wantStatus(t, resp, tt.wantStatus)
			wantNoInjectedHeader(t, resp)
			if tt.wantHeader != "" {
				name, value, ok := strings.Cut(tt.wantHeader, ": ")
				if !ok {
					t.Fatalf("wantHeader %q is not \"Name: value\"", tt.wantHeader)
				}
				if got := resp.Header.Get(name); got != value {
					t.Errorf("%s = %q, want %q", name, got, value)
				}
			}
			if tt.wantStatus == http.StatusInternalServerError && !has(mustDoc(t, resp), "error-page") {
				t.Error("a refused response is not the error page")
			}
		})
	}
}
