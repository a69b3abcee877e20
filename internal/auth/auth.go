// Package auth signs people in through goth providers and keeps the
// portal's own sessions: random session ids in a cookie, stored hashed,
// each with its CSRF token. Sessions (session.go) runs signing in and out
// over a SessionRepository the store implements.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/markbates/goth"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/input"
)

// Provider is a configured way to sign in.
type Provider struct {
	Slug  string // used in URLs: /auth/{slug}
	Label string // shown on the sign-in button
	Flow  Flow
}

// Flow is one provider's sign-in: Begin sends the browser to the provider,
// Finish checks what the provider sent back. Implementations are safe for
// concurrent use.
type Flow interface {
	// Begin returns the URL to send the browser to for a sign-in with the
	// given OAuth state, and what Finish needs to complete it, which the
	// caller keeps on the server (never in the browser).
	Begin(state string) (authURL, saved string, err error)
	// Finish completes the sign-in from the callback's query (code and
	// state already matched by the caller) and what Begin saved, and
	// returns the verified claims about the person.
	Finish(ctx context.Context, saved string, query url.Values) (Claims, error)
}

// RoleMap maps values of the identity provider's groups claim to portal roles.
type RoleMap map[string][]account.Role

// DefaultRoleMap is used when PORTAL_ROLE_MAP is not set.
const DefaultRoleMap = "portal-hr=hr,portal-comms=comms,portal-admins=admin"

// ParseRoleMap reads a role map written as "group=role,group=role".
func ParseRoleMap(s string) (RoleMap, error) {
	m := RoleMap{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		group, role, ok := strings.Cut(pair, "=")
		r := account.Role(strings.TrimSpace(role))
		if !ok || strings.TrimSpace(group) == "" || !r.Valid() {
			return nil, fmt.Errorf("role map entry %q must look like group=role, with role one of employee, hr, comms, admin", pair)
		}
		g := strings.TrimSpace(group)
		m[g] = append(m[g], r)
	}
	return m, nil
}

// Roles returns the roles the given group values map to, without duplicates.
func (m RoleMap) Roles(groups []string) []account.Role {
	var roles []account.Role
	for _, g := range groups {
		for _, r := range m[g] {
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
	}
	return roles
}

// Claims is what the portal reads from an identity provider about a person.
type Claims struct {
	Issuer        string // who vouches for Subject
	Subject       string
	Email         string
	EmailVerified bool // the provider says the email address is the person's
	// EmailVerifiedSent says the provider sent a verification claim at all
	// (true or false): a setting that trusts its addresses applies only
	// when it said nothing, never over its "not verified".
	EmailVerifiedSent bool
	Name              string
	Department        string
	Groups            []string
}

// verificationClaims are the claims in which providers say whether they
// verified an email address.
var verificationClaims = []string{"email_verified", "verified_email", "xms_edov"}

// trusted is whether c's email counts as verified, given whether the
// provider's addresses are trusted when it says nothing about them.
func (c Claims) trusted(trustEmail bool) bool {
	return c.EmailVerified || (trustEmail && !c.EmailVerifiedSent)
}

// ClaimsFromGoth reads the claims of a goth user; Issuer is left to the
// caller. groupsClaim names the claim that carries group values (usually
// "groups"). The email counts as verified when email_verified is true (a
// boolean, or the string "true" as some providers send it), or Google's
// verified_email, or Entra ID's xms_edov (the email's domain is verified
// by the tenant).
func ClaimsFromGoth(u goth.User, groupsClaim string) Claims {
	c := Claims{Subject: u.UserID, Email: strings.TrimSpace(u.Email), Name: strings.TrimSpace(u.Name)}
	for _, k := range verificationClaims {
		switch v := u.RawData[k].(type) {
		case bool:
			c.EmailVerified, c.EmailVerifiedSent = c.EmailVerified || v, true
		case string:
			c.EmailVerified, c.EmailVerifiedSent = c.EmailVerified || strings.EqualFold(v, "true"), true
		}
	}
	if c.Name == "" {
		c.Name = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	if d, ok := u.RawData["department"].(string); ok {
		c.Department = d
	}
	switch v := u.RawData[groupsClaim].(type) {
	case []any:
		for _, g := range v {
			if s, ok := g.(string); ok {
				c.Groups = append(c.Groups, s)
			}
		}
	case []string:
		c.Groups = v
	case string:
		c.Groups = strings.Fields(v)
	}
	return c
}

// Identity turns claims from the provider with the given slug into the
// identity the store signs in, with roles mapped from the groups.
func (m RoleMap) Identity(providerSlug string, c Claims) (account.Identity, error) {
	if c.Subject == "" {
		return account.Identity{}, fmt.Errorf("the identity provider sent no subject")
	}
	if c.Email == "" || !strings.Contains(c.Email, "@") || !input.Valid(c.Email, input.Line) || strings.ContainsAny(c.Email, " <>,;\"") {
		return account.Identity{}, fmt.Errorf("the identity provider sent no usable email address")
	}
	if !input.Valid(c.Subject, input.Line) || !input.Valid(c.Issuer, input.Line) {
		return account.Identity{}, fmt.Errorf("the identity provider sent an identity that cannot be stored")
	}
	// Names, departments and groups are the provider's to correct, and a
	// person may edit their own name there: what cannot be stored is
	// replaced rather than refused.
	c.Name, c.Department = input.Clean(c.Name, input.Line), input.Clean(c.Department, input.Line)
	groups := make([]string, 0, len(c.Groups))
	for _, g := range c.Groups {
		if g = input.Clean(g, input.Line); g != "" {
			groups = append(groups, g)
		}
	}
	c.Groups = groups
	name := c.Name
	if name == "" {
		name, _, _ = strings.Cut(c.Email, "@")
	}
	if c.Issuer == "" {
		return account.Identity{}, fmt.Errorf("the identity provider sent no issuer")
	}
	return account.Identity{Issuer: c.Issuer, Subject: c.Subject, LegacySubject: providerSlug + ":" + c.Subject,
		Email: strings.ToLower(c.Email), EmailVerified: c.EmailVerified, Name: name,
		Department: c.Department, Roles: m.Roles(c.Groups), Groups: c.Groups}, nil
}

// GothFlow signs in through a goth provider that reads the person from the
// provider's own API with the access token (goth's Google and Microsoft
// providers) rather than from an ID token, so there is no token to verify
// and no nonce; goth sends them no PKCE either. The generic OpenID Connect
// flow (OIDC) is the stronger choice for the same providers.
type GothFlow struct {
	Provider    goth.Provider
	Issuer      string // the issuer identities are kept under, e.g. https://accounts.google.com
	GroupsClaim string
	TrustEmail  bool // the provider vouches for every email address it sends
}

// Begin implements Flow.
func (f GothFlow) Begin(state string) (string, string, error) {
	gs, err := f.Provider.BeginAuth(state)
	if err != nil {
		return "", "", err
	}
	u, err := gs.GetAuthURL()
	return u, gs.Marshal(), err
}

// Finish implements Flow.
func (f GothFlow) Finish(_ context.Context, saved string, query url.Values) (Claims, error) {
	gs, err := f.Provider.UnmarshalSession(saved)
	if err != nil {
		return Claims{}, fmt.Errorf("auth: the sign-in in progress is unreadable: %w", err)
	}
	if _, err := gs.Authorize(f.Provider, url.Values{"code": {query.Get("code")}}); err != nil {
		return Claims{}, fmt.Errorf("auth: code exchange: %w", err)
	}
	gu, err := f.Provider.FetchUser(gs)
	if err != nil {
		return Claims{}, fmt.Errorf("auth: fetch user: %w", err)
	}
	c := ClaimsFromGoth(gu, f.GroupsClaim)
	c.Issuer = f.Issuer
	c.EmailVerified = c.trusted(f.TrustEmail)
	return c, nil
}

// NewToken returns a random secret, 32 bytes in URL-safe base64.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the hex SHA-256 of a session id, which is what the
// store keeps, so a copy of the database does not hand out sessions.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
