package demoidp_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/demoidp"
)

const (
	issuer   = "http://127.0.0.1:9999"
	clientID = "portal"
	secret   = "s3cret"
	redirect = "http://localhost:8080/auth/demo/callback"
)

var sam = demoidp.Person{Subject: "demo-sam", Email: "sam@demo.example", Name: "Sam Patel",
	Department: "Sales", Groups: []string{"Sales", "portal-hr"}}

func newProvider(t *testing.T) (*demoidp.Provider, *clocktest.Clock) {
	t.Helper()
	c := clocktest.New(time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC))
	p, err := demoidp.New(demoidp.Config{Issuer: issuer, ClientID: clientID, ClientSecret: secret,
		RedirectURIs: []string{redirect}, People: []demoidp.Person{sam}, Now: c.Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, c
}

func authRequest() demoidp.AuthRequest {
	return demoidp.AuthRequest{ClientID: clientID, RedirectURI: redirect, ResponseType: "code",
		Scope: "openid email profile groups", State: "st-123", Nonce: "n-456"}
}

func tokenRequest(code string) demoidp.TokenRequest {
	return demoidp.TokenRequest{GrantType: "authorization_code", Code: code, RedirectURI: redirect,
		ClientID: clientID, ClientSecret: secret}
}

// approve runs Approve for Sam and returns the code from the redirect.
func approve(t *testing.T, p *demoidp.Provider) string {
	t.Helper()
	to, err := p.Approve(authRequest(), sam.Subject)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	u, err := url.Parse(to)
	if err != nil {
		t.Fatalf("Approve redirect %q: %v", to, err)
	}
	code := u.Query().Get("code")
	if code == "" {
		t.Fatalf("Approve redirect %q has no code", to)
	}
	return code
}

func wantOAuthError(t *testing.T, err error, wantCode string, wantStatus int) {
	t.Helper()
	var oe *demoidp.Error
	if !errors.As(err, &oe) {
		t.Fatalf("error = %v (%T), want *demoidp.Error %s", err, err, wantCode)
	}
	if oe.Code != wantCode || oe.Status != wantStatus {
		t.Errorf("error = %d %s (%s), want %d %s", oe.Status, oe.Code, oe.Description, wantStatus, wantCode)
	}
}

func TestCheckAuthRequest(t *testing.T) {
	p, _ := newProvider(t)
	tests := []struct {
		name       string
		edit       func(*demoidp.AuthRequest)
		wantCode   string // "" when the request is fine
		wantStatus int
	}{
		{"valid", func(*demoidp.AuthRequest) {}, "", 0},
		{"only openid scope", func(r *demoidp.AuthRequest) { r.Scope = "openid" }, "", 0},
		{"unknown client", func(r *demoidp.AuthRequest) { r.ClientID = "evil" }, "invalid_request", 400},
		{"unregistered redirect_uri", func(r *demoidp.AuthRequest) { r.RedirectURI = "https://evil.example/cb" }, "invalid_request", 400},
		{"redirect_uri with extra path", func(r *demoidp.AuthRequest) { r.RedirectURI = redirect + "/x" }, "invalid_request", 400},
		{"response_type token", func(r *demoidp.AuthRequest) { r.ResponseType = "token" }, "unsupported_response_type", 400},
		{"scope without openid", func(r *demoidp.AuthRequest) { r.Scope = "email profile" }, "invalid_scope", 400},
		{"openid only as part of a word", func(r *demoidp.AuthRequest) { r.Scope = "openidx email" }, "invalid_scope", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := authRequest()
			tt.edit(&r)
			err := p.CheckAuthRequest(r)
			if tt.wantCode == "" {
				if err != nil {
					t.Errorf("CheckAuthRequest: %v, want nil", err)
				}
				return
			}
			wantOAuthError(t, err, tt.wantCode, tt.wantStatus)
			if _, aerr := p.Approve(r, sam.Subject); aerr == nil {
				t.Errorf("Approve accepted a request CheckAuthRequest refuses")
			}
		})
	}
}

func TestApprove(t *testing.T) {
	p, _ := newProvider(t)
	to, err := p.Approve(authRequest(), sam.Subject)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	u, err := url.Parse(to)
	if err != nil {
		t.Fatalf("redirect %q: %v", to, err)
	}
	if base := u.Scheme + "://" + u.Host + u.Path; base != redirect {
		t.Errorf("redirect base = %q, want %q", base, redirect)
	}
	if got := u.Query().Get("state"); got != "st-123" {
		t.Errorf("state = %q, want %q", got, "st-123")
	}
	if u.Query().Get("code") == "" {
		t.Errorf("redirect %q has no code", to)
	}

	t.Run("unknown person", func(t *testing.T) {
		_, err := p.Approve(authRequest(), "nobody")
		wantOAuthError(t, err, "invalid_request", 400)
	})
	t.Run("codes differ", func(t *testing.T) {
		if a, b := approve(t, p), approve(t, p); a == b {
			t.Errorf("two approvals gave the same code %q", a)
		}
	})
}

func TestExchange(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(*demoidp.TokenRequest)
		advance    time.Duration
		wantCode   string
		wantStatus int
	}{
		{"wrong secret", func(r *demoidp.TokenRequest) { r.ClientSecret = "guess" }, 0, "invalid_client", 401},
		{"no secret", func(r *demoidp.TokenRequest) { r.ClientSecret = "" }, 0, "invalid_client", 401},
		{"wrong client", func(r *demoidp.TokenRequest) { r.ClientID = "other" }, 0, "invalid_client", 401},
		{"wrong grant type", func(r *demoidp.TokenRequest) { r.GrantType = "password" }, 0, "unsupported_grant_type", 400},
		{"unknown code", func(r *demoidp.TokenRequest) { r.Code = "made-up" }, 0, "invalid_grant", 400},
		{"mismatched redirect_uri", func(r *demoidp.TokenRequest) { r.RedirectURI = "https://evil.example/cb" }, 0, "invalid_grant", 400},
		{"expired code", func(*demoidp.TokenRequest) {}, 3 * time.Minute, "invalid_grant", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := newProvider(t)
			r := tokenRequest(approve(t, p))
			tt.edit(&r)
			c.Advance(tt.advance)
			_, err := p.Exchange(r)
			wantOAuthError(t, err, tt.wantCode, tt.wantStatus)
		})
	}
}

func TestExchangeCodeIsOneTime(t *testing.T) {
	p, _ := newProvider(t)
	code := approve(t, p)

	// A failed client authentication does not use up the code.
	bad := tokenRequest(code)
	bad.ClientSecret = "guess"
	_, err := p.Exchange(bad)
	wantOAuthError(t, err, "invalid_client", 401)

	tok, err := p.Exchange(tokenRequest(code))
	if err != nil {
		t.Fatalf("Exchange with the right secret: %v", err)
	}
	if tok.AccessToken == "" || tok.IDToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 {
		t.Errorf("token response = %+v, want an access token, an ID token, Bearer, 3600", tok)
	}

	_, err = p.Exchange(tokenRequest(code))
	wantOAuthError(t, err, "invalid_grant", 400)
}

func TestExchangeMismatchUsesUpCode(t *testing.T) {
	p, _ := newProvider(t)
	code := approve(t, p)
	r := tokenRequest(code)
	r.RedirectURI = "https://evil.example/cb"
	_, err := p.Exchange(r)
	wantOAuthError(t, err, "invalid_grant", 400)
	_, err = p.Exchange(tokenRequest(code))
	wantOAuthError(t, err, "invalid_grant", 400)
}

func TestExchangeJustBeforeExpiry(t *testing.T) {
	p, c := newProvider(t)
	code := approve(t, p)
	c.Advance(2 * time.Minute)
	if _, err := p.Exchange(tokenRequest(code)); err != nil {
		t.Errorf("Exchange at exactly the code's lifetime: %v, want success", err)
	}
}

// publicKey rebuilds the RSA key with the given kid from the JWKS.
func publicKey(t *testing.T, jwks map[string]any, kid string) *rsa.PublicKey {
	t.Helper()
	// Go through JSON, as a client would.
	raw, err := json.Marshal(jwks)
	if err != nil {
		t.Fatalf("marshal JWKS: %v", err)
	}
	var set struct {
		Keys []struct{ Kty, Use, Alg, Kid, N, E string }
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatalf("unmarshal JWKS: %v", err)
	}
	for _, k := range set.Keys {
		if k.Kid != kid {
			continue
		}
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" {
			t.Errorf("key = kty %s alg %s use %s, want RSA RS256 sig", k.Kty, k.Alg, k.Use)
		}
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		if err != nil {
			t.Fatalf("decode n: %v", err)
		}
		e, err := base64.RawURLEncoding.DecodeString(k.E)
		if err != nil {
			t.Fatalf("decode e: %v", err)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	t.Fatalf("no key with kid %q in %s", kid, raw)
	return nil
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("decode segment %q: %v", seg, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("unmarshal segment %s: %v", b, err)
	}
}

func TestIDToken(t *testing.T) {
	p, c := newProvider(t)
	tok, err := p.Exchange(tokenRequest(approve(t, p)))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	parts := strings.Split(tok.IDToken, ".")
	if len(parts) != 3 {
		t.Fatalf("ID token has %d parts, want 3: %q", len(parts), tok.IDToken)
	}
	var header struct{ Alg, Typ, Kid string }
	decodeSegment(t, parts[0], &header)
	if header.Alg != "RS256" || header.Kid == "" {
		t.Errorf("header = %+v, want alg RS256 and a kid", header)
	}

	key := publicKey(t, p.JWKS(), header.Kid)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("decode signature: %v", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("signature does not verify with the JWKS key: %v", err)
	}
	tampered := sha256.Sum256([]byte(parts[0] + "." + parts[1] + "x"))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, tampered[:], sig); err == nil {
		t.Errorf("signature verifies over different content")
	}

	var claims struct {
		Iss, Aud, Sub, Email, Name, Nonce string
		Exp, Iat                          int64
		Groups                            []string
	}
	decodeSegment(t, parts[1], &claims)
	now := c.Now()
	if claims.Iss != issuer || claims.Aud != clientID || claims.Sub != sam.Subject || claims.Email != sam.Email ||
		claims.Name != sam.Name || claims.Nonce != "n-456" {
		t.Errorf("claims = %+v, want iss %s aud %s sub %s email %s name %s nonce n-456",
			claims, issuer, clientID, sam.Subject, sam.Email, sam.Name)
	}
	if claims.Iat != now.Unix() || claims.Exp != now.Add(time.Hour).Unix() {
		t.Errorf("iat, exp = %d, %d; want %d, %d", claims.Iat, claims.Exp, now.Unix(), now.Add(time.Hour).Unix())
	}
	if !slices.Equal(claims.Groups, sam.Groups) {
		t.Errorf("groups = %v, want %v", claims.Groups, sam.Groups)
	}
}

func TestUserInfo(t *testing.T) {
	p, c := newProvider(t)
	tok, err := p.Exchange(tokenRequest(approve(t, p)))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	info, err := p.UserInfo(tok.AccessToken)
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if info["sub"] != sam.Subject || info["email"] != sam.Email || info["name"] != sam.Name {
		t.Errorf("UserInfo = %v, want sub %s email %s name %s", info, sam.Subject, sam.Email, sam.Name)
	}
	raw, err := json.Marshal(info["groups"])
	if err != nil {
		t.Fatal(err)
	}
	if want, err := json.Marshal(sam.Groups); err != nil || string(raw) != string(want) {
		t.Errorf("UserInfo groups = %s, want %s (error: %v)", raw, want, err)
	}

	t.Run("unknown token", func(t *testing.T) {
		_, err := p.UserInfo("not-a-token")
		wantOAuthError(t, err, "invalid_token", 401)
	})
	t.Run("ID token is not an access token", func(t *testing.T) {
		_, err := p.UserInfo(tok.IDToken)
		wantOAuthError(t, err, "invalid_token", 401)
	})
	t.Run("expired token", func(t *testing.T) {
		c.Advance(time.Hour + time.Second)
		_, err := p.UserInfo(tok.AccessToken)
		wantOAuthError(t, err, "invalid_token", 401)
	})
}

func TestDiscovery(t *testing.T) {
	p, _ := newProvider(t)
	d := p.Discovery()
	tests := []struct {
		key  string
		want string
	}{
		{"issuer", issuer},
		{"authorization_endpoint", issuer + "/authorize"},
		{"token_endpoint", issuer + "/token"},
		{"userinfo_endpoint", issuer + "/userinfo"},
		{"jwks_uri", issuer + "/jwks"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if d[tt.key] != tt.want {
				t.Errorf("Discovery()[%q] = %v, want %q", tt.key, d[tt.key], tt.want)
			}
		})
	}
}

func TestExchangePKCE(t *testing.T) {
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B
	const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	tests := []struct {
		name     string
		method   string
		verifier string
		wantCode string // OAuth error code; "" means a token
	}{
		{"right verifier", "S256", verifier, ""},
		{"wrong verifier", "S256", verifier + "x", "invalid_grant"},
		{"no verifier", "S256", "", "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := newProvider(t)
			r := authRequest()
			r.CodeChallenge, r.CodeChallengeMethod = challenge, tt.method
			to, err := p.Approve(r, sam.Subject)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(to)
			if err != nil {
				t.Fatal(err)
			}
			tr := tokenRequest(u.Query().Get("code"))
			tr.CodeVerifier = tt.verifier
			_, err = p.Exchange(tr)
			var e *demoidp.Error
			switch {
			case tt.wantCode == "" && err != nil:
				t.Fatalf("Exchange: %v", err)
			case tt.wantCode != "" && (!errors.As(err, &e) || e.Code != tt.wantCode):
				t.Fatalf("Exchange error = %v, want %s", err, tt.wantCode)
			}
		})
	}
	t.Run("plain is refused", func(t *testing.T) {
		p, _ := newProvider(t)
		r := authRequest()
		r.CodeChallenge, r.CodeChallengeMethod = verifier, "plain"
		var e *demoidp.Error
		if err := p.CheckAuthRequest(r); !errors.As(err, &e) || e.Code != "invalid_request" {
			t.Errorf("CheckAuthRequest = %v, want invalid_request", err)
		}
	})
}
