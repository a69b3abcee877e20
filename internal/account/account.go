// Package account describes the people who use the portal: what their roles
// allow, the groups they are in, and what they tell the portal about
// themselves.
//
// Its services run the use cases over repositories the package declares
// and the store implements: Directory the admins' administration of users
// (the list, roles granted by hand, deactivation, identities), Groups HR's
// groups and roster import, Profiles each person's own profile. Their
// rules (who may change whose roles, which filters and forms are valid)
// are plain functions here, tested without storage.
package account

import (
	"slices"
	"time"
)

// Role is what a person may do in the portal. One person may hold several.
type Role string

// The portal's roles.
const (
	Employee Role = "employee" // reads the guidelines, trains, shares, sees own reach
	HR       Role = "hr"       // assigns and follows training
	Comms    Role = "comms"    // writes, reviews and approves posts; sees programme reach
	Admin    Role = "admin"    // runs the portal: sign-in, users, settings
)

// Roles lists every role, in the order pages show them.
var Roles = []Role{Employee, HR, Comms, Admin}

// Valid reports whether r is one of the portal's roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// User is a person known to the portal.
type User struct {
	ID               int64
	Email            string
	Name             string
	Department       string
	Language         string // the language of the guidelines the person reads
	LanguageChosen   bool   // they chose it; otherwise their browser's is used
	MastodonInstance string // host name of the person's Mastodon server, if they told us
	TimeZone         string // IANA name the person reads and types times in; "" means UTC
	Active           bool
	Roles            []Role
	CreatedAt        time.Time
	LastLoginAt      time.Time
}

// Has reports whether the user holds role r.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// HasAny reports whether the user holds at least one of roles.
func (u User) HasAny(roles ...Role) bool {
	return slices.ContainsFunc(roles, u.Has)
}
