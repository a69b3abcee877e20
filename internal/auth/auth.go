// Package auth signs people in through goth providers and keeps the
// portal's own sessions: random session ids in a cookie, stored hashed,
// each with its CSRF token.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/markbates/goth"

	"github.com/advocacy-portal/portal/internal/account"
)

// Provider is a configured way to sign in.
type Provider struct {
	Slug  string // used in URLs: /auth/{slug}
	Label string // shown on the sign-in button
	Goth  goth.Provider
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
	Subject    string
	Email      string
	Name       string
	Department string
	Groups     []string
}

// ClaimsFromGoth reads the claims of a goth user. groupsClaim names the
// claim that carries group values (usually "groups").
func ClaimsFromGoth(u goth.User, groupsClaim string) Claims {
	c := Claims{Subject: u.UserID, Email: strings.TrimSpace(u.Email), Name: strings.TrimSpace(u.Name)}
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
	if c.Email == "" || !strings.Contains(c.Email, "@") {
		return account.Identity{}, fmt.Errorf("the identity provider sent no email address")
	}
	name := c.Name
	if name == "" {
		name, _, _ = strings.Cut(c.Email, "@")
	}
	return account.Identity{Subject: providerSlug + ":" + c.Subject, Email: strings.ToLower(c.Email), Name: name,
		Department: c.Department, Roles: m.Roles(c.Groups), Groups: c.Groups}, nil
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
