package handlers

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/demoidp"
)

// TestDemoIdPKeepsWhatItWasSent: the demo provider remembers a sign-in's
// redirect URI and nonce until the code is exchanged. Fiber's strings
// point into buffers fasthttp reuses for the next request on the
// connection, so what it keeps must be copies: a second sign-in on the
// same connection must not change the first one's nonce.
func TestDemoIdPKeepsWhatItWasSent(t *testing.T) {
	const redirectURI = "http://portal.test/auth/demo/callback"
	p, err := demoidp.New(demoidp.Config{Issuer: "http://idp.test", ClientID: "portal", ClientSecret: "secret",
		RedirectURIs: []string{redirectURI}, People: []demoidp.Person{{Subject: "ana", Email: "ana@example.com", Name: "Ana"}}})
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, NewDemoIdP(p, slog.New(slog.NewTextHandler(io.Discard, nil))))
	client := &http.Client{
		Transport:     &http.Transport{MaxConnsPerHost: 1}, // one connection, so one request buffer
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(client.CloseIdleConnections)
	post := func(path string, form url.Values, cookie string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: demoCSRFCookie, Value: cookie})
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	approve := func(nonce string) string {
		t.Helper()
		resp := post("/authorize", url.Values{"_csrf": {"csrf-token"}, "client_id": {"portal"}, "redirect_uri": {redirectURI},
			"response_type": {"code"}, "scope": {"openid"}, "state": {"state"}, "nonce": {nonce}, "subject": {"ana"}}, "csrf-token")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: status %d", resp.StatusCode)
		}
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			t.Fatal(err)
		}
		return loc.Query().Get("code")
	}
	first := approve(strings.Repeat("a", 32))
	approve(strings.Repeat("b", 32)) // the same connection, the same buffers
	resp := post("/token", url.Values{"grant_type": {"authorization_code"}, "code": {first}, "redirect_uri": {redirectURI},
		"client_id": {"portal"}, "client_secret": {"secret"}}, "")
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: status %d: %s", resp.StatusCode, body)
	}
	var tok demoidp.TokenResponse
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatalf("token: %v in %s", err, body)
	}
	parts := strings.Split(tok.IDToken, ".")
	if len(parts) != 3 {
		t.Fatalf("ID token %q is not a JWS", tok.IDToken)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Nonce string }
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("a", 32); claims.Nonce != want {
		t.Errorf("nonce %q, want %q: the provider kept a string over a reused buffer", claims.Nonce, want)
	}
}
