// Package demoidp is a small OpenID Connect provider for demos and tests.
//
// When no real identity provider is configured, the portal starts one of
// these on loopback and signs people in through it with the same goth
// OpenID Connect code as in production: discovery, the authorization code
// flow, a signed ID token (RS256, keys published as JWKS) and userinfo.
// Instead of a password form, its sign-in page lists the demo people to pick
// from. Codes and tokens live in memory and die with the process.
package demoidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Person is someone the demo provider can sign in.
type Person struct {
	Subject    string
	Email      string
	Name       string
	Department string
	Title      string   // what they do, shown on the picker to help choose
	Groups     []string // sent in the groups claim, which the portal maps to roles
}

// Config sets up a Provider.
type Config struct {
	Issuer       string // base URL the provider is reached at, without a trailing slash
	ClientID     string
	ClientSecret string
	RedirectURIs []string // the only redirect URIs codes are issued to
	People       []Person
	Now          func() time.Time // nil means time.Now
}

// Provider is the demo OpenID provider's protocol logic, without HTTP.
// Its methods are safe for concurrent use.
type Provider struct {
	cfg Config
	key *rsa.PrivateKey
	kid string

	mu     sync.Mutex
	codes  map[string]grant
	tokens map[string]grant
}

type grant struct {
	person      Person
	redirectURI string
	nonce       string
	challenge   string // the PKCE code challenge (S256), if the client sent one
	expires     time.Time
}

const (
	codeTTL  = 2 * time.Minute
	tokenTTL = time.Hour
)

// New creates a provider with a fresh signing key.
func New(cfg Config) (*Provider, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("demoidp: generate key: %w", err)
	}
	sum := sha256.Sum256(key.N.Bytes())
	return &Provider{cfg: cfg, key: key, kid: base64.RawURLEncoding.EncodeToString(sum[:8]),
		codes: map[string]grant{}, tokens: map[string]grant{}}, nil
}

// People returns the people the picker offers.
func (p *Provider) People() []Person { return p.cfg.People }

// Discovery is the provider's OpenID configuration document.
func (p *Provider) Discovery() map[string]any {
	iss := p.cfg.Issuer
	return map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"userinfo_endpoint":                     iss + "/userinfo",
		"jwks_uri":                              iss + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile", "groups"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"claims_supported":                      []string{"sub", "email", "email_verified", "name", "department", "groups"},
		"code_challenge_methods_supported":      []string{"S256"},
	}
}

// JWKS is the public half of the signing key as a JSON Web Key Set.
func (p *Provider) JWKS() map[string]any {
	pub := p.key.PublicKey
	return map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": p.kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}}
}

// Error is an OAuth 2.0 error response (RFC 6749 section 5.2).
type Error struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

// AuthRequest is an authorization request, as the picker page carries it.
type AuthRequest struct {
	ClientID     string
	RedirectURI  string
	ResponseType string
	Scope        string
	State        string
	Nonce        string
	// CodeChallenge and CodeChallengeMethod are PKCE (RFC 7636); only
	// S256 is accepted, and a client that sends no challenge gets none.
	CodeChallenge       string
	CodeChallengeMethod string
}

// CheckAuthRequest validates an authorization request. Errors about the
// client or redirect URI must be shown to the person, never redirected
// (RFC 6749 section 4.1.2.1).
func (p *Provider) CheckAuthRequest(r AuthRequest) error {
	if r.ClientID != p.cfg.ClientID {
		return &Error{Status: 400, Code: "invalid_request", Description: "unknown client_id"}
	}
	if !slices.Contains(p.cfg.RedirectURIs, r.RedirectURI) {
		return &Error{Status: 400, Code: "invalid_request", Description: "redirect_uri is not registered for this client"}
	}
	if r.ResponseType != "code" {
		return &Error{Status: 400, Code: "unsupported_response_type", Description: "only the code flow is supported"}
	}
	if !slices.Contains(strings.Fields(r.Scope), "openid") {
		return &Error{Status: 400, Code: "invalid_scope", Description: "the openid scope is required"}
	}
	if r.CodeChallenge != "" && r.CodeChallengeMethod != "S256" {
		return &Error{Status: 400, Code: "invalid_request", Description: "only the S256 code challenge method is supported"}
	}
	return nil
}

// Approve signs in the person with the given subject for a checked request
// and returns where to send the browser: the client's redirect URI with a
// one-time code and the state.
func (p *Provider) Approve(r AuthRequest, subject string) (string, error) {
	if err := p.CheckAuthRequest(r); err != nil {
		return "", err
	}
	i := slices.IndexFunc(p.cfg.People, func(x Person) bool { return x.Subject == subject })
	if i < 0 {
		return "", &Error{Status: 400, Code: "invalid_request", Description: "choose one of the listed people"}
	}
	code := randomString()
	p.mu.Lock()
	p.expire()
	p.codes[code] = grant{person: p.cfg.People[i], redirectURI: r.RedirectURI, nonce: r.Nonce,
		challenge: r.CodeChallenge, expires: p.cfg.Now().Add(codeTTL)}
	p.mu.Unlock()
	u, err := url.Parse(r.RedirectURI)
	if err != nil {
		return "", &Error{Status: 400, Code: "invalid_request", Description: "bad redirect_uri"}
	}
	q := u.Query()
	q.Set("code", code)
	if r.State != "" {
		q.Set("state", r.State)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// TokenRequest is a token request with the client's credentials, from
// either HTTP basic authentication or the form.
type TokenRequest struct {
	GrantType    string
	Code         string
	RedirectURI  string
	ClientID     string
	ClientSecret string
	CodeVerifier string // PKCE: required when the authorization request sent a challenge
}

// TokenResponse is a successful token response.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	IDToken     string `json:"id_token"`
	Scope       string `json:"scope"`
}

// Exchange trades a one-time code for an access token and a signed ID token.
func (p *Provider) Exchange(r TokenRequest) (TokenResponse, error) {
	if r.ClientID != p.cfg.ClientID || subtle.ConstantTimeCompare([]byte(r.ClientSecret), []byte(p.cfg.ClientSecret)) != 1 {
		return TokenResponse{}, &Error{Status: 401, Code: "invalid_client", Description: "client authentication failed"}
	}
	if r.GrantType != "authorization_code" {
		return TokenResponse{}, &Error{Status: 400, Code: "unsupported_grant_type", Description: "only authorization_code is supported"}
	}
	p.mu.Lock()
	g, ok := p.codes[r.Code]
	delete(p.codes, r.Code) // a code is good for one try, right or wrong
	p.mu.Unlock()
	now := p.cfg.Now()
	if !ok || now.After(g.expires) {
		return TokenResponse{}, &Error{Status: 400, Code: "invalid_grant", Description: "the code is unknown, used or expired"}
	}
	if r.RedirectURI != g.redirectURI {
		return TokenResponse{}, &Error{Status: 400, Code: "invalid_grant", Description: "redirect_uri does not match the authorization request"}
	}
	if g.challenge != "" {
		sum := sha256.Sum256([]byte(r.CodeVerifier))
		if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1 {
			return TokenResponse{}, &Error{Status: 400, Code: "invalid_grant", Description: "the code_verifier does not match the code challenge"}
		}
	}
	claims := p.claims(g.person)
	claims["iss"] = p.cfg.Issuer
	claims["aud"] = p.cfg.ClientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(tokenTTL).Unix()
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	idToken, err := p.sign(claims)
	if err != nil {
		return TokenResponse{}, err
	}
	access := randomString()
	p.mu.Lock()
	p.tokens[access] = grant{person: g.person, expires: now.Add(tokenTTL)}
	p.mu.Unlock()
	return TokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(tokenTTL.Seconds()),
		IDToken: idToken, Scope: "openid email profile groups"}, nil
}

// UserInfo returns the claims about the holder of an access token.
func (p *Provider) UserInfo(accessToken string) (map[string]any, error) {
	p.mu.Lock()
	g, ok := p.tokens[accessToken]
	p.mu.Unlock()
	if !ok || p.cfg.Now().After(g.expires) {
		return nil, &Error{Status: 401, Code: "invalid_token", Description: "the access token is unknown or expired"}
	}
	return p.claims(g.person), nil
}

func (p *Provider) claims(x Person) map[string]any {
	return map[string]any{"sub": x.Subject, "email": x.Email, "email_verified": true, "name": x.Name,
		"department": x.Department, "groups": x.Groups}
}

// sign makes a compact JWS (RS256) of claims.
func (p *Provider) sign(claims map[string]any) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": p.kid})
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("demoidp: encode claims: %w", err)
	}
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("demoidp: sign token: %w", err)
	}
	return signingInput + "." + enc.EncodeToString(sig), nil
}

// expire drops codes and tokens past their time. Callers hold p.mu.
func (p *Provider) expire() {
	now := p.cfg.Now()
	for k, g := range p.codes {
		if now.After(g.expires) {
			delete(p.codes, k)
		}
	}
	for k, g := range p.tokens {
		if now.After(g.expires) {
			delete(p.tokens, k)
		}
	}
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
