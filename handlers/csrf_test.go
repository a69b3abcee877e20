package handlers

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/demoidp"
)

func TestCSRFTokenAndOrigin(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	employee := env.users["employee"]
	token := env.csrf["employee"]
	type where int
	const (
		inBody where = iota
		inMultipart
		inHeader
		inQuery
		nowhere
	)
	tests := []struct {
		name      string
		token     string // the token sent
		where     where
		bodyToken string // a second token in the urlencoded body, if not ""
		origin    string // the Origin header, if not ""
		referer   string // the Referer header, if not ""
		wantOK    bool
	}{
		{name: "token in the form body", token: token, where: inBody, wantOK: true},
		{name: "token in a multipart body", token: token, where: inMultipart, wantOK: true},
		{name: "token in the X-CSRF-Token header", token: token, where: inHeader, wantOK: true},
		{name: "token in the query string only", token: token, where: inQuery},
		{name: "right token in the query, wrong one in the body", token: token, where: inQuery, bodyToken: "forged"},
		{name: "no token", where: nowhere},
		{name: "a wrong token", token: "forged", where: inBody},
		{name: "a wrong token in the header", token: "forged", where: inHeader},

		{name: "own origin", token: token, origin: testBaseURL, wantOK: true},
		{name: "own origin with its default port", token: token, origin: "http://portal.test:80", wantOK: true},
		{name: "own origin in capitals", token: token, origin: "HTTP://Portal.Test", wantOK: true},
		{name: "foreign origin", token: token, origin: "https://evil.example"},
		{name: "null origin", token: token, origin: "null"},
		{name: "origin of another scheme", token: token, origin: "https://portal.test"},
		{name: "origin of another port", token: token, origin: "http://portal.test:8080"},
		{name: "origin of a subdomain", token: token, origin: "http://evil.portal.test"},
		{name: "origin that only starts like ours", token: token, origin: "http://portal.test.evil.example"},
		{name: "garbage origin", token: token, origin: "::"},
		{name: "own referer without an origin", token: token, referer: testBaseURL + "/feed", wantOK: true},
		{name: "foreign referer without an origin", token: token, referer: "https://evil.example/page"},
		{name: "foreign origin beside our own referer", token: token, origin: "https://evil.example", referer: testBaseURL + "/feed"},
		{name: "neither origin nor referer", token: token, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := env.store.SetLanguage(ctx, employee.ID, "en"); err != nil {
				t.Fatal(err)
			}
			target := testBaseURL + "/language"
			form := url.Values{"lang": {"nl"}}
			var body io.Reader
			contentType := "application/x-www-form-urlencoded"
			switch tt.where {
			case inBody:
				form.Set("_csrf", tt.token)
			case inQuery:
				target += "?_csrf=" + url.QueryEscape(tt.token)
			}
			if tt.bodyToken != "" {
				form.Set("_csrf", tt.bodyToken)
			}
			body = strings.NewReader(form.Encode())
			if tt.where == inMultipart {
				var buf bytes.Buffer
				w := multipart.NewWriter(&buf)
				for k, v := range map[string]string{"lang": "nl", "_csrf": tt.token} {
					if err := w.WriteField(k, v); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				body, contentType = &buf, w.FormDataContentType()
			}
			req := httptest.NewRequest(http.MethodPost, target, body)
			req.Header.Set("Content-Type", contentType)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: env.sessions["employee"]})
			if tt.where == inHeader {
				req.Header.Set("X-CSRF-Token", tt.token)
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.referer != "" {
				req.Header.Set("Referer", tt.referer)
			}
			resp, err := env.app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			u, err := env.store.User(ctx, employee.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantOK {
				wantStatus(t, resp, http.StatusSeeOther)
				if u.Language != "nl" {
					t.Errorf("language = %q, want nl", u.Language)
				}
				return
			}
			wantStatus(t, resp, http.StatusForbidden)
			if text := mustDoc(t, resp).Find(`[data-testid="error-page"]`).Text(); !strings.Contains(text, "did not come from this portal") {
				t.Errorf("error page says %q", text)
			}
			if u.Language != "en" {
				t.Errorf("a refused request changed the language to %q", u.Language)
			}
		})
	}
}

// TestSCIMIsNotSubjectToCSRF: SCIM clients authenticate with a bearer
// token and send no form token; whatever Origin they send is theirs.
func TestSCIMIsNotSubjectToCSRF(t *testing.T) {
	env := newTestEnv(t)
	withSCIM(t, env)
	token := newSCIMToken(t, env, "Entra ID")
	req := httptest.NewRequest(http.MethodPost, testBaseURL+scimPrefix+"/Users",
		strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@example.com","active":true}`))
	req.Header.Set("Content-Type", "application/scim+json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Origin", "https://provisioning.example")
	resp, err := env.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	wantStatus(t, resp, http.StatusCreated)
}

// TestDemoIdPIsNotSubjectToThePortalsCSRF: the demo provider is an app of
// its own on another origin, with its own form token.
func TestDemoIdPIsNotSubjectToThePortalsCSRF(t *testing.T) {
	p, err := demoidp.New(demoidp.Config{Issuer: "http://127.0.0.1:9999", ClientID: "portal", ClientSecret: "secret",
		RedirectURIs: []string{testBaseURL + "/auth/demo/callback"},
		People:       []demoidp.Person{{Subject: "ann", Email: "ann@example.com", Name: "Ann"}}})
	if err != nil {
		t.Fatal(err)
	}
	app := NewDemoIdP(p, slog.New(slog.NewTextHandler(io.Discard, nil)))
	form := url.Values{"_csrf": {"t"}, "client_id": {"portal"}, "redirect_uri": {testBaseURL + "/auth/demo/callback"},
		"response_type": {"code"}, "scope": {"openid"}, "state": {"s"}, "subject": {"ann"}}
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9999/authorize", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://127.0.0.1:9999")
	req.AddCookie(&http.Cookie{Name: demoCSRFCookie, Value: "t"})
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, testBaseURL+"/auth/demo/callback?") {
		t.Errorf("Location = %q, want the portal's callback", loc)
	}
}
