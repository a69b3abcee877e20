package handlers

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/auth/oidctest"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/roster"
)

// syncBuffer is a log destination tests read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// The people of the third-party provider. Their groups are released only
// for the groups scope, as Dex, Okta and Keycloak do.
var oidcPeople = []oidctest.Person{
	{Subject: "sub-hana", Email: "hana@example.com", EmailVerified: true, GivenName: "Hana", FamilyName: "Okafor",
		Groups: []string{"portal-hr", "Sales"}},
	{Subject: "sub-carl", Email: "carl@example.com", EmailVerified: true, GivenName: "Carl", FamilyName: "Mendes",
		Groups: []string{"portal-comms", "portal-admins"}},
	{Subject: "sub-mallory", Email: "hana@example.com", EmailVerified: true, GivenName: "Mallory", FamilyName: "Twin",
		Groups: []string{"portal-admins"}},
	{Subject: "sub-una", Email: "una@example.com", EmailVerified: false, GivenName: "Una", FamilyName: "Verified",
		Groups: []string{"portal-admins"}},
	{Subject: "sub-dana", Email: "dana@example.com", EmailVerified: true, GivenName: "Dana", FamilyName: "Directory"},
	{Subject: "sub-dino", Email: "dino@example.com", EmailVerified: false, GivenName: "Dino", FamilyName: "Directory"},
	{Subject: "sub-dana-twin", Email: "dana@example.com", EmailVerified: true, GivenName: "Dana", FamilyName: "Twin",
		Groups: []string{"portal-admins"}},
}

// oidcSetup is the portal on a real listener signing in through a real
// third-party OpenID provider (zitadel/oidc) on another.
type oidcSetup struct {
	env     *testEnv
	op      *oidctest.Provider
	baseURL string
	logs    *syncBuffer
}

type oidcOptions struct {
	scopes      []string // PORTAL_OIDC_SCOPES; nil for the default
	hideGroups  bool     // the provider does not list the groups scope
	skewedClock bool     // the portal's clock runs two hours ahead of the provider's
}

func newOIDCSetup(t *testing.T, o oidcOptions) *oidcSetup {
	t.Helper()
	env := newTestEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	op := oidctest.Start(t, oidctest.Config{ClientID: "portal", ClientSecret: "portal-secret",
		RedirectURIs: []string{base + "/auth/oidc/callback"}, People: oidcPeople, HideGroupsScope: o.hideGroups})
	now := env.clock.Now
	if o.skewedClock {
		now = func() time.Time { return env.clock.Now().Add(2 * time.Hour) }
	}
	flow, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{Issuer: op.Issuer, ClientID: "portal",
		ClientSecret: "portal-secret", RedirectURL: base + "/auth/oidc/callback", Scopes: o.scopes, GroupsClaim: "groups", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	roles, err := auth.ParseRoleMap(auth.DefaultRoleMap)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	app := New(Deps{Store: env.store, Guidelines: env.g, RoleMap: roles, GroupsClaim: "groups",
		Providers: []auth.Provider{{Slug: "oidc", Label: "Test company", Flow: flow}},
		BaseURL:   base, Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(logs, nil)), Now: env.clock.Now})
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	return &oidcSetup{env: env, op: op, baseURL: base, logs: logs}
}

// newBrowser is an HTTP client that keeps cookies and follows redirects,
// as a browser would.
func newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// signIn signs in as the provider's person with subject in a new browser
// and returns the page the browser ends on, its body read.
func (o *oidcSetup) signIn(t *testing.T, subject string) (*http.Response, string) {
	t.Helper()
	o.op.SignInAs(subject)
	return get(t, newBrowser(t), o.baseURL+"/auth/oidc")
}

func get(t *testing.T, b *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := b.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// userByEmail returns the account with email, if there is one.
func (o *oidcSetup) userByEmail(t *testing.T, email string) (account.User, bool) {
	t.Helper()
	rows, _, err := o.env.store.ListUsers(context.Background(), account.UserFilter{Q: email})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if strings.EqualFold(r.Email, email) {
			u, err := o.env.store.User(context.Background(), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			return u, true
		}
	}
	return account.User{}, false
}

func TestOIDCSignInMapsRolesFromGroupsScope(t *testing.T) {
	o := newOIDCSetup(t, oidcOptions{})
	resp, body := o.signIn(t, "sub-hana")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/feed" {
		t.Fatalf("sign-in ended at %s with %d:\n%.1500s", resp.Request.URL, resp.StatusCode, body)
	}
	req := o.op.LastRequest()
	if !slices.Contains(req.Scopes, "groups") {
		t.Errorf("scopes asked = %v; groups is listed in the provider's scopes_supported and must be asked for", req.Scopes)
	}
	u, ok := o.userByEmail(t, "hana@example.com")
	if !ok {
		t.Fatal("no account for hana")
	}
	if !slices.Equal(u.Roles, []account.Role{account.Employee, account.HR}) {
		t.Errorf("roles = %v, want [employee hr] from the groups claim", u.Roles)
	}
	if u.Name != "Hana Okafor" {
		t.Errorf("name = %q", u.Name)
	}
}

func TestOIDCSignInSendsPKCEAndNonce(t *testing.T) {
	o := newOIDCSetup(t, oidcOptions{})
	first, _ := o.signIn(t, "sub-carl")
	if first.Request.URL.Path != "/feed" {
		t.Fatalf("sign-in ended at %s", first.Request.URL)
	}
	a := o.op.LastRequest()
	o.signIn(t, "sub-carl")
	b := o.op.LastRequest()
	if a.CodeChallengeMethod != "S256" || len(a.CodeChallenge) < 43 {
		t.Errorf("PKCE = %q %q, want S256 and a challenge", a.CodeChallengeMethod, a.CodeChallenge)
	}
	if len(a.Nonce) < 32 {
		t.Errorf("nonce = %q, want a random one", a.Nonce)
	}
	if a.Nonce == b.Nonce || a.CodeChallenge == b.CodeChallenge {
		t.Errorf("two sign-ins share a nonce or challenge: %+v, %+v", a, b)
	}
}

func TestOIDCSignInWithoutGroupsScope(t *testing.T) {
	// A provider that does not list the groups scope is not asked for it;
	// an operator who needs it names it in PORTAL_OIDC_SCOPES.
	t.Run("not listed, not asked", func(t *testing.T) {
		o := newOIDCSetup(t, oidcOptions{hideGroups: true})
		o.signIn(t, "sub-hana")
		if scopes := o.op.LastRequest().Scopes; slices.Contains(scopes, "groups") {
			t.Errorf("scopes = %v, want no groups", scopes)
		}
		u, ok := o.userByEmail(t, "hana@example.com")
		if !ok || !slices.Equal(u.Roles, []account.Role{account.Employee}) {
			t.Errorf("account = %+v, %v; want an employee only", u, ok)
		}
	})
	t.Run("named in the scopes setting", func(t *testing.T) {
		o := newOIDCSetup(t, oidcOptions{hideGroups: true, scopes: []string{"openid", "email", "profile", "groups"}})
		o.signIn(t, "sub-hana")
		u, ok := o.userByEmail(t, "hana@example.com")
		if !ok || !slices.Equal(u.Roles, []account.Role{account.Employee, account.HR}) {
			t.Errorf("account = %+v, %v; want employee and hr", u, ok)
		}
	})
}

func TestOIDCSignInRefusesTakeover(t *testing.T) {
	o := newOIDCSetup(t, oidcOptions{})
	if resp, _ := o.signIn(t, "sub-hana"); resp.Request.URL.Path != "/feed" {
		t.Fatalf("hana's sign-in ended at %s", resp.Request.URL)
	}
	hana, ok := o.userByEmail(t, "hana@example.com")
	if !ok {
		t.Fatal("no account for hana")
	}
	resp, body := o.signIn(t, "sub-mallory") // another subject, same verified email
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "already belongs to a portal account") {
		t.Fatalf("takeover answered %d at %s:\n%.1500s", resp.StatusCode, resp.Request.URL, body)
	}
	after, err := o.env.store.User(context.Background(), hana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Name != "Hana Okafor" || !slices.Equal(after.Roles, hana.Roles) || !after.LastLoginAt.Equal(hana.LastLoginAt) {
		t.Errorf("hana's account changed: %+v (was %+v)", after, hana)
	}
	log, err := auditLog(context.Background(), o.env.store, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Action != "signin.refused" || !strings.Contains(log[0].After, "sub-mallory") {
		t.Errorf("audit = %+v, want a signin.refused entry naming sub-mallory", log)
	}
}

func TestOIDCSignInEmailVerification(t *testing.T) {
	tests := []struct {
		name        string
		subject     string
		directory   string // an account the CSV import made first
		wantStatus  int
		wantPath    string
		wantText    string
		wantAccount bool
		wantRoles   []account.Role
	}{
		{"unverified email gets no account and no roles", "sub-una", "", http.StatusForbidden, "/auth/oidc/callback",
			"has not confirmed", false, nil},
		{"verified email links the directory's account", "sub-dana", "dana@example.com", http.StatusOK, "/feed",
			"", true, []account.Role{account.Employee}},
		{"unverified email does not link the directory's account", "sub-dino", "dino@example.com", http.StatusForbidden,
			"/auth/oidc/callback", "has not confirmed", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOIDCSetup(t, oidcOptions{})
			ctx := context.Background()
			if tt.directory != "" {
				if _, _, err := o.env.store.ImportRoster(ctx, []roster.Row{{Line: 2, Email: tt.directory, Name: "From the directory"}},
					o.env.users["hr"].ID); err != nil {
					t.Fatal(err)
				}
			}
			before, err := o.env.store.CountUsers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			resp, body := o.signIn(t, tt.subject)
			if resp.StatusCode != tt.wantStatus || resp.Request.URL.Path != tt.wantPath || !strings.Contains(body, tt.wantText) {
				t.Fatalf("sign-in answered %d at %s, want %d at %s saying %q:\n%.1500s", resp.StatusCode, resp.Request.URL,
					tt.wantStatus, tt.wantPath, tt.wantText, body)
			}
			if n, err := o.env.store.CountUsers(ctx); err != nil || n != before {
				t.Errorf("users = %d, %v; want %d (no account made)", n, err, before)
			}
			email := strings.TrimPrefix(tt.subject, "sub-") + "@example.com"
			u, ok := o.userByEmail(t, email)
			if ok != tt.wantAccount {
				t.Fatalf("account for %s exists = %v, want %v", email, ok, tt.wantAccount)
			}
			if ok && tt.wantRoles != nil && !slices.Equal(u.Roles, tt.wantRoles) {
				t.Errorf("roles = %v, want %v", u.Roles, tt.wantRoles)
			}
			if ok && tt.wantRoles == nil && !u.LastLoginAt.IsZero() {
				t.Errorf("the directory account was signed in to")
			}
		})
	}
}

// TestOIDCSignInLinkBindsTheDirectoryAccount: once a verified sign-in has
// linked the account the directory made, it is that identity's: another
// subject with the same address is refused, and the first signs in again.
func TestOIDCSignInLinkBindsTheDirectoryAccount(t *testing.T) {
	o := newOIDCSetup(t, oidcOptions{})
	ctx := context.Background()
	if _, _, err := o.env.store.ImportRoster(ctx, []roster.Row{{Line: 2, Email: "dana@example.com", Name: "From the directory"}},
		o.env.users["hr"].ID); err != nil {
		t.Fatal(err)
	}
	if resp, body := o.signIn(t, "sub-dana"); resp.Request.URL.Path != "/feed" {
		t.Fatalf("dana's first sign-in ended at %s:\n%.1500s", resp.Request.URL, body)
	}
	dana, ok := o.userByEmail(t, "dana@example.com")
	if !ok {
		t.Fatal("no account for dana")
	}
	if iss, sub, bound, err := o.env.store.UserIdentity(ctx, dana.ID); err != nil || !bound || iss != o.op.Issuer || sub != "sub-dana" {
		t.Fatalf("identity = %s %s %v %v; want (%s, sub-dana)", iss, sub, bound, err, o.op.Issuer)
	}
	resp, body := o.signIn(t, "sub-dana-twin")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "already belongs to a portal account") {
		t.Fatalf("the twin's sign-in answered %d at %s:\n%.1500s", resp.StatusCode, resp.Request.URL, body)
	}
	if after, err := o.env.store.User(ctx, dana.ID); err != nil || !slices.Equal(after.Roles, []account.Role{account.Employee}) {
		t.Errorf("dana's account after the twin = %+v, %v; want an employee still", after, err)
	}
	if resp, _ := o.signIn(t, "sub-dana"); resp.Request.URL.Path != "/feed" {
		t.Errorf("dana's second sign-in ended at %s", resp.Request.URL)
	}
}

// TestOIDCSignInRefusesBadTokens: each case makes the provider (or the
// clock) misbehave; the sign-in is refused, no account or session is made,
// and the log says why.
func TestOIDCSignInRefusesBadTokens(t *testing.T) {
	tests := []struct {
		name    string
		opts    oidcOptions
		break_  func(*oidctest.Provider)
		wantLog string
	}{
		{"token signed with a key the provider does not publish", oidcOptions{},
			func(p *oidctest.Provider) { p.SignWithUnpublishedKey(true) }, "signature"},
		{"expired token", oidcOptions{skewedClock: true}, func(*oidctest.Provider) {}, "expired"},
		{"nonce of another sign-in", oidcOptions{},
			func(p *oidctest.Provider) { p.ReplaceNonce("a-nonce-the-portal-never-sent") }, "nonce"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOIDCSetup(t, tt.opts)
			tt.break_(o.op)
			resp, body := o.signIn(t, "sub-carl")
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "did not confirm your sign-in") {
				t.Fatalf("sign-in answered %d at %s:\n%.1500s", resp.StatusCode, resp.Request.URL, body)
			}
			if _, ok := o.userByEmail(t, "carl@example.com"); ok {
				t.Errorf("an account was made")
			}
			if logs := o.logs.String(); !strings.Contains(logs, tt.wantLog) {
				t.Errorf("log does not say %q:\n%s", tt.wantLog, logs)
			}
		})
	}
}

// TestOIDCSignInRefusesInjectedCode: a code issued for one sign-in, taken
// to the callback of another (an attacker's code in a victim's browser),
// fails the PKCE check at the provider.
func TestOIDCSignInRefusesInjectedCode(t *testing.T) {
	o := newOIDCSetup(t, oidcOptions{})
	stop := func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), o.baseURL+"/auth/oidc/callback") {
			return http.ErrUseLastResponse
		}
		return nil
	}
	// The attacker's sign-in, stopped at the callback: a code for Mallory.
	attacker := newBrowser(t)
	attacker.CheckRedirect = stop
	o.op.SignInAs("sub-carl")
	resp, _ := get(t, attacker, o.baseURL+"/auth/oidc")
	callback, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || callback.Query().Get("code") == "" {
		t.Fatalf("attacker's callback = %q, %v", resp.Header.Get("Location"), err)
	}
	// The victim's sign-in, stopped at its callback too.
	victim := newBrowser(t)
	victim.CheckRedirect = stop
	o.op.SignInAs("sub-hana")
	resp, _ = get(t, victim, o.baseURL+"/auth/oidc")
	own, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := own.Query()
	q.Set("code", callback.Query().Get("code"))
	own.RawQuery = q.Encode()
	resp, body := get(t, victim, own.String())
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("injected code answered %d:\n%.1500s", resp.StatusCode, body)
	}
	if logs := o.logs.String(); !strings.Contains(logs, "code exchange") || !strings.Contains(logs, "invalid_grant") {
		t.Errorf("the provider did not refuse the code:\n%s", logs)
	}
	if _, ok := o.userByEmail(t, "carl@example.com"); ok {
		t.Errorf("the injected code made an account")
	}
}

// TestSignInCallbackError: the provider's ?error= is shown only when the
// state is this browser's sign-in, and then escaped, with its description.
func TestSignInCallbackError(t *testing.T) {
	tests := []struct {
		name       string
		validState bool
		query      string
		wantStatus int
		want       string
		notWant    string
	}{
		{"valid state shows the description escaped", true,
			"error=access_denied&error_description=" + url.QueryEscape("You are not in the <b>advocacy</b> app"),
			http.StatusUnauthorized, "You are not in the &lt;b&gt;advocacy&lt;/b&gt; app (access_denied)", "<b>advocacy</b>"},
		{"a description with control characters is left out", true,
			"error=access_denied&error_description=" + url.QueryEscape("line one\r\nSet-Cookie: x=1"),
			http.StatusUnauthorized, "did not sign you in (access_denied)", "Set-Cookie"},
		{"no state: the error is not shown", false,
			"error=access_denied&error_description=" + url.QueryEscape("Call +1 555 0100 to unlock your account"),
			http.StatusBadRequest, "took too long or was started in another browser", "555 0100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			idp := &fakeIdP{}
			app := New(Deps{Store: env.store, Guidelines: env.g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups",
				Providers: []auth.Provider{{Slug: "fake", Label: "Fake", Flow: auth.GothFlow{Provider: idp, Issuer: "https://idp.test"}}},
				BaseURL:   testBaseURL, Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.clock.Now})
			resp, err := app.Test(httptest.NewRequest(http.MethodGet, testBaseURL+"/auth/fake", nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var state *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == loginStateCookie {
					state = c
				}
			}
			if state == nil {
				t.Fatal("no state cookie")
			}
			target := testBaseURL + "/auth/fake/callback?" + tt.query
			if tt.validState {
				target += "&state=" + url.QueryEscape(state.Value)
			}
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.AddCookie(state)
			resp, err = app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.want) || strings.Contains(string(body), tt.notWant) {
				t.Errorf("answered %d, want %d with %q and without %q:\n%.2000s", resp.StatusCode, tt.wantStatus, tt.want, tt.notWant, body)
			}
		})
	}
}
