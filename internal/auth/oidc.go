package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"
)

// DefaultScopes are the scopes the portal asks an OpenID Connect provider
// for when PORTAL_OIDC_SCOPES is not set. "groups" is added when the
// provider's discovery document lists it (Dex, Okta, Keycloak with a scope
// mapper release the groups claim only for that scope).
var DefaultScopes = []string{oidc.ScopeOpenID, "email", "profile"}

// OIDCConfig sets up sign-in through an OpenID Connect provider.
type OIDCConfig struct {
	Issuer       string // the issuer URL; its discovery document must name exactly this issuer
	ClientID     string
	ClientSecret string
	RedirectURL  string   // the portal's callback, registered at the provider
	Scopes       []string // asked for; nil means DefaultScopes
	GroupsClaim  string   // the claim whose values map to roles
	// TrustEmail says the provider vouches for every email address it sends
	// although it sends no email_verified claim (Entra ID with a
	// single-tenant issuer). Without it, only email_verified (or Entra's
	// xms_edov) true counts as verified.
	TrustEmail bool
	// IdentityIssuer is the issuer identities are kept under. Optional:
	// the token's own issuer by default. The demo provider's issuer changes
	// with its port, so it names a fixed one.
	IdentityIssuer string
	HTTPClient     *http.Client     // optional; for discovery, keys, tokens and userinfo
	Now            func() time.Time // optional; the clock the ID token's expiry is checked against
}

// OIDC signs people in through an OpenID Connect provider with goth's
// openidConnect provider for the code flow and userinfo, and strengthens it
// where goth does not: PKCE (S256), a nonce per sign-in, and the ID token's
// signature (the provider's JWKS), issuer, audience and expiry verified by
// github.com/coreos/go-oidc.
type OIDC struct {
	cfg      OIDCConfig
	goth     *openidConnect.Provider
	verifier *oidc.IDTokenVerifier
	scopes   []string
}

// NewOIDC reads the provider's discovery document and sets up the flow.
// It fails if the document cannot be read or names another issuer.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, cfg.HTTPClient)
	}
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OpenID Connect discovery for %s: %w", cfg.Issuer, err)
	}
	var meta struct {
		ScopesSupported  []string `json:"scopes_supported"`
		UserInfoEndpoint string   `json:"userinfo_endpoint"`
		EndSession       string   `json:"end_session_endpoint"`
		CodeChallenge    []string `json:"code_challenge_methods_supported"`
	}
	if err := provider.Claims(&meta); err != nil {
		return nil, fmt.Errorf("OpenID Connect discovery for %s: %w", cfg.Issuer, err)
	}
	scopes := slices.Clone(cfg.Scopes)
	if len(scopes) == 0 {
		scopes = slices.Clone(DefaultScopes)
	}
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	if slices.Contains(meta.ScopesSupported, "groups") && !slices.Contains(scopes, "groups") {
		scopes = append(scopes, "groups")
	}
	ep := provider.Endpoint()
	g, err := openidConnect.NewCustomisedURL(cfg.ClientID, cfg.ClientSecret, cfg.RedirectURL, ep.AuthURL, ep.TokenURL,
		cfg.Issuer, meta.UserInfoEndpoint, meta.EndSession, scopes...)
	if err != nil {
		return nil, fmt.Errorf("OpenID Connect for %s: %w", cfg.Issuer, err)
	}
	g.HTTPClient = cfg.HTTPClient
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	v := provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: now})
	return &OIDC{cfg: cfg, goth: g, verifier: v, scopes: scopes}, nil
}

// Scopes returns the scopes the portal asks the provider for.
func (o *OIDC) Scopes() []string { return slices.Clone(o.scopes) }

// oidcSaved is what a sign-in in progress keeps on the server between the
// redirect to the provider and the callback.
type oidcSaved struct {
	Goth     string `json:"goth"`     // goth's marshalled session
	Verifier string `json:"verifier"` // the PKCE code verifier
	Nonce    string `json:"nonce"`
}

// Begin implements Flow: the provider's authorization URL with a PKCE
// challenge and a fresh nonce, which are kept in saved.
func (o *OIDC) Begin(state string) (string, string, error) {
	gs, err := o.goth.BeginAuth(state)
	if err != nil {
		return "", "", err
	}
	authURL, err := gs.GetAuthURL()
	if err != nil {
		return "", "", err
	}
	u, err := url.Parse(authURL)
	if err != nil {
		return "", "", fmt.Errorf("oidc: authorization URL: %w", err)
	}
	saved := oidcSaved{Goth: gs.Marshal(), Verifier: oauth2.GenerateVerifier(), Nonce: NewToken()}
	q := u.Query()
	q.Set("nonce", saved.Nonce)
	q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(saved.Verifier))
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	b, err := json.Marshal(saved)
	if err != nil {
		return "", "", fmt.Errorf("oidc: keep sign-in: %w", err)
	}
	return u.String(), string(b), nil
}

// ErrNonce refuses an ID token that does not carry the nonce this sign-in
// sent: it was issued for another sign-in (a replayed or injected code).
var ErrNonce = errors.New("oidc: the ID token's nonce is not the one this sign-in sent")

// Finish implements Flow: it exchanges the code with the PKCE verifier,
// verifies the ID token (signature, issuer, audience, expiry, nonce and,
// when present, the access token hash), then reads userinfo through goth.
func (o *OIDC) Finish(ctx context.Context, saved string, query url.Values) (Claims, error) {
	var sv oidcSaved
	if err := json.Unmarshal([]byte(saved), &sv); err != nil || sv.Verifier == "" || sv.Nonce == "" {
		return Claims{}, fmt.Errorf("oidc: the sign-in in progress is unreadable")
	}
	gs, err := o.goth.UnmarshalSession(sv.Goth)
	if err != nil {
		return Claims{}, fmt.Errorf("oidc: the sign-in in progress is unreadable: %w", err)
	}
	params := url.Values{"code": {query.Get("code")}, "code_verifier": {sv.Verifier}}
	if _, err := gs.Authorize(o.goth, params); err != nil {
		return Claims{}, fmt.Errorf("oidc: code exchange: %w", err)
	}
	sess, ok := gs.(*openidConnect.Session)
	if !ok || sess.IDToken == "" {
		return Claims{}, fmt.Errorf("oidc: the provider sent no ID token")
	}
	if o.cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, o.cfg.HTTPClient)
	}
	idt, err := o.verifier.Verify(ctx, sess.IDToken)
	if err != nil {
		return Claims{}, fmt.Errorf("oidc: ID token: %w", err)
	}
	if idt.Nonce != sv.Nonce {
		return Claims{}, ErrNonce
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(sess.AccessToken); err != nil {
			return Claims{}, fmt.Errorf("oidc: access token: %w", err)
		}
	}
	gu, err := o.goth.FetchUser(gs)
	if err != nil {
		return Claims{}, fmt.Errorf("oidc: userinfo: %w", err)
	}
	if gu.UserID != idt.Subject {
		return Claims{}, fmt.Errorf("oidc: userinfo names another subject than the ID token")
	}
	// goth lays userinfo over the ID token's claims. An address and what
	// the provider says of it are taken as a pair from one source: the
	// verified token when it carries an address, else userinfo.
	var token map[string]any
	if err := idt.Claims(&token); err != nil {
		return Claims{}, fmt.Errorf("oidc: ID token claims: %w", err)
	}
	if email, ok := token["email"].(string); ok && email != "" {
		gu.Email = email
		for _, k := range verificationClaims {
			if v, ok := token[k]; ok {
				gu.RawData[k] = v
			} else {
				delete(gu.RawData, k)
			}
		}
	}
	c := ClaimsFromGoth(gu, o.cfg.GroupsClaim)
	c.Issuer = idt.Issuer
	if o.cfg.IdentityIssuer != "" {
		c.Issuer = o.cfg.IdentityIssuer
	}
	c.EmailVerified = c.trusted(o.cfg.TrustEmail)
	return c, nil
}
