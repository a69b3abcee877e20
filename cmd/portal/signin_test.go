package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSignInThroughDemoProvider signs in through the real demo OpenID
// provider over HTTP, as a browser without JavaScript would, and checks the
// session cookie, session renewal, a tampered callback and signing out.
func TestSignInThroughDemoProvider(t *testing.T) {
	base := startPortal(t)

	t.Run("sign in", func(t *testing.T) {
		c := newBrowserClient(t)
		feed := signIn(t, c, base, "demo-sam")
		if feed.URL.Path != "/feed" || feed.Status != http.StatusOK {
			t.Fatalf("sign-in ended at %s with status %d, want /feed and 200", feed.URL, feed.Status)
		}
		if got := feed.text(`[data-testid="signed-in-as"]`); got != "Sam Patel" {
			t.Errorf("signed in as %q, want Sam Patel", got)
		}
		cookie := callbackSessionCookie(t, c)
		if !cookie.HttpOnly {
			t.Error("portal_session is not HttpOnly")
		}
		if cookie.SameSite != http.SameSiteLaxMode {
			t.Errorf("portal_session has SameSite %v, want Lax", cookie.SameSite)
		}
		if cookie.Path != "/" {
			t.Errorf("portal_session has path %q, want /", cookie.Path)
		}
		if cookie.Secure {
			t.Error("portal_session is Secure on a plain http base URL; browsers would drop it")
		}
		if got := statusWithSession(t, base, "/feed", cookie.Value); got.StatusCode != http.StatusOK {
			t.Errorf("GET /feed with the new session cookie: status %d, want 200", got.StatusCode)
		}
	})

	t.Run("signing in again replaces the session", func(t *testing.T) {
		c := newBrowserClient(t)
		signIn(t, c, base, "demo-sam")
		first := callbackSessionCookie(t, c)
		feed := signIn(t, c, base, "demo-sam")
		if feed.URL.Path != "/feed" || feed.Status != http.StatusOK {
			t.Fatalf("second sign-in ended at %s with status %d, want /feed and 200", feed.URL, feed.Status)
		}
		second := callbackSessionCookie(t, c)
		if second.Value == first.Value {
			t.Fatal("the second sign-in kept the same session id")
		}
		resp := statusWithSession(t, base, "/feed", first.Value)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Ffeed" {
			t.Errorf("GET /feed with the replaced session: status %d, Location %q; want 303 to /login?next=%%2Ffeed",
				resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp := statusWithSession(t, base, "/feed", second.Value); resp.StatusCode != http.StatusOK {
			t.Errorf("GET /feed with the new session: status %d, want 200", resp.StatusCode)
		}
	})

	t.Run("back to the page asked for", func(t *testing.T) {
		c := newBrowserClient(t)
		login := getPage(t, c.Client, base+"/my/reach")
		if login.URL.Path != "/login" || !login.has(`[data-testid="provider"]`) {
			t.Fatalf("GET /my/reach signed out ended at %s, want the login page", login.URL)
		}
		href := attr(t, login.Doc.Find(`[data-testid="provider"]`), "href")
		if href != "/auth/demo?next=%2Fmy%2Freach" {
			t.Errorf("the provider link is %q, want /auth/demo?next=%%2Fmy%%2Freach", href)
		}
		p := signInFrom(t, c, resolve(t, login.URL, href), "demo-sam")
		if p.URL.Path != "/my/reach" || p.Status != http.StatusOK {
			t.Errorf("sign-in ended at %s with status %d, want /my/reach and 200", p.URL, p.Status)
		}
	})

	t.Run("never back to another site", func(t *testing.T) {
		for _, next := range []string{"//evil.example/feed", "https://evil.example/", `/\evil.example`, "feed"} {
			c := newBrowserClient(t)
			p := signInFrom(t, c, base+"/auth/demo?next="+url.QueryEscape(next), "demo-sam")
			if p.URL.String() != base+"/feed" {
				t.Errorf("sign-in with next=%q ended at %s, want %s/feed", next, p.URL, base)
			}
		}
	})

	t.Run("tampered callback", func(t *testing.T) {
		tests := []struct {
			name       string
			tamper     func(q url.Values)
			wantStatus int
		}{
			{"wrong state", func(q url.Values) { q.Set("state", "x"+q.Get("state")) }, http.StatusBadRequest},
			{"no state", func(q url.Values) { q.Del("state") }, http.StatusBadRequest},
			{"provider error", func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") }, http.StatusUnauthorized},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := newBrowserClient(t)
				callback := demoCallbackURL(t, c, base, "demo-sam")
				q := callback.Query()
				tt.tamper(q)
				callback.RawQuery = q.Encode()

				p := getPage(t, c.Client, callback.String())
				if p.Status != tt.wantStatus {
					t.Errorf("status %d, want %d", p.Status, tt.wantStatus)
				}
				if p.URL.Path != "/auth/demo/callback" || !p.has(`[data-testid="login"]`) {
					t.Errorf("ended at %s without the login page", p.URL)
				}
				if !p.has(`[data-testid="login-problem"]`) {
					t.Error("the login page does not say what went wrong")
				}
				if p.has(`[data-testid="signed-in-as"]`) {
					t.Error("the page shows someone signed in")
				}
				if ck := sessionCookieIn(p.Header); ck != nil && ck.Value != "" {
					t.Errorf("the callback set a session cookie: %v", ck)
				}
				for _, ck := range c.Jar.Cookies(mustParseURL(t, base)) {
					if ck.Name == "portal_session" {
						t.Errorf("the browser holds a session cookie: %v", ck)
					}
				}
				resp := noFollow(c).getResponse(t, base+"/feed")
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
					t.Errorf("GET /feed afterwards: status %d, Location %q; want 303 to /login",
						resp.StatusCode, resp.Header.Get("Location"))
				}
			})
		}
	})

	t.Run("sign out", func(t *testing.T) {
		c := newBrowserClient(t)
		feed := signIn(t, c, base, "demo-sam")
		token := csrfToken(t, feed)
		session := callbackSessionCookie(t, c)
		nf := noFollow(c)

		resp := nf.postResponse(t, base+"/logout", url.Values{"_csrf": {"not-" + token}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST /logout with a wrong token: status %d, want 403", resp.StatusCode)
		}
		resp = nf.postResponse(t, base+"/logout", url.Values{})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST /logout without a token: status %d, want 403", resp.StatusCode)
		}
		if p := getPage(t, c.Client, base+"/feed"); p.URL.Path != "/feed" || p.Status != http.StatusOK {
			t.Fatalf("after a refused sign-out, GET /feed ended at %s with status %d; the session should still work", p.URL, p.Status)
		}

		resp = nf.postResponse(t, base+"/logout", url.Values{"_csrf": {token}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("POST /logout: status %d, Location %q; want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
		}
		if ck := sessionCookieIn(resp.Header); ck == nil || ck.Value != "" || (ck.MaxAge >= 0 && ck.Expires.After(time.Now())) {
			t.Errorf("POST /logout did not clear the session cookie: %v", ck)
		}
		resp = nf.getResponse(t, base+"/feed")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Ffeed" {
			t.Errorf("GET /feed after signing out: status %d, Location %q; want 303 to /login?next=%%2Ffeed",
				resp.StatusCode, resp.Header.Get("Location"))
		}
		// The session ends on the server too, not only in this browser.
		if resp := statusWithSession(t, base, "/feed", session.Value); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("GET /feed with the signed-out session cookie: status %d, want 303", resp.StatusCode)
		}
	})
}

// callbackSessionCookie returns the portal_session cookie set by the latest
// sign-in callback that c followed.
func callbackSessionCookie(t *testing.T, c *browserClient) *http.Cookie {
	t.Helper()
	hops := c.redirectsFrom("/auth/demo/callback")
	if len(hops) == 0 {
		t.Fatal("no redirect from /auth/demo/callback was seen")
	}
	last := hops[len(hops)-1]
	if last.Status != http.StatusSeeOther {
		t.Errorf("the callback answered %d, want 303", last.Status)
	}
	cookie := sessionCookieIn(last.Header)
	if cookie == nil || cookie.Value == "" {
		t.Fatalf("the callback set no portal_session cookie; Set-Cookie: %q", last.Header.Values("Set-Cookie"))
	}
	return cookie
}

// demoCallbackURL starts a sign-in with c, picks subject at the demo
// provider and returns the callback URL the provider sends the browser to,
// without following it.
func demoCallbackURL(t *testing.T, c *browserClient, base, subject string) *url.URL {
	t.Helper()
	idp := getPage(t, c.Client, base+"/auth/demo")
	form := idp.Doc.Find(`[data-testid="demo-idp"] form`).First()
	if form.Length() == 0 {
		t.Fatalf("GET /auth/demo ended at %s with status %d, not at the demo provider's picker", idp.URL, idp.Status)
	}
	values := formValues(form)
	values.Set("subject", subject)
	action := attr(t, form, "action")
	resp := noFollow(c).postResponse(t, resolve(t, idp.URL, action), values)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the demo provider answered %d, want 303", resp.StatusCode)
	}
	u, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	if want := base + "/auth/demo/callback"; !strings.HasPrefix(u.String(), want+"?") {
		t.Fatalf("the demo provider redirects to %s, want %s", u, want)
	}
	return u
}

// jarClient is a client that shares a browser client's cookies but does
// not follow redirects.
type jarClient struct{ *http.Client }

func noFollow(c *browserClient) jarClient {
	return jarClient{&http.Client{Jar: c.Jar, Timeout: c.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c jarClient) getResponse(t *testing.T, u string) *http.Response {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	resp.Body.Close()
	return resp
}

func (c jarClient) postResponse(t *testing.T, u string, form url.Values) *http.Response {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	resp.Body.Close()
	return resp
}

// statusWithSession GETs path with no cookie but a portal_session of value,
// without following redirects.
func statusWithSession(t *testing.T, base, path, value string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "portal_session", Value: value})
	resp, err := noRedirectClient(t).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp.Body.Close()
	return resp
}

func mustParseURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
