package account

import (
	"slices"
	"strings"
)

// User statuses for UserFilter.Status.
const (
	StatusActive      = "active"
	StatusDeactivated = "deactivated"
)

// UserFilter narrows the admins' list of users. Empty fields do not filter.
type UserFilter struct {
	Q       string // part of a name or email address, case ignored
	Role    Role   // holds this role, from any source
	GroupID int64  // member of this group
	Status  string // StatusActive or StatusDeactivated
	Limit   int    // at most this many rows; 0 means no limit
	Offset  int    // rows to skip, for paging
}

// UserRow is a user as the admins' list shows them.
type UserRow struct {
	User            // with Roles from every source
	Groups []string // names of the user's groups, by name
}

// RoleGrants are a user's roles by where they come from. A role may be in
// both lists.
type RoleGrants struct {
	IdP    []Role // mapped from the identity provider at every sign-in
	Manual []Role // granted by an admin in the portal
}

// All is the union of both sources, in the portal's order of roles.
func (g RoleGrants) All() []Role {
	var out []Role
	for _, r := range slices.Concat(g.IdP, g.Manual) {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return SortRoles(out)
}

// SortRoles sorts roles in place into the portal's order (Roles) and
// returns them.
func SortRoles(roles []Role) []Role {
	slices.SortFunc(roles, func(a, b Role) int {
		return slices.Index(Roles, a) - slices.Index(Roles, b)
	})
	return roles
}

// UnknownEmail is what someone is told who typed an address no one in the
// portal has.
const UnknownEmail = "No one with this email has signed in or been imported yet."

// EmailLookups are the addresses to look a person up by, in order, for an
// address someone typed: as typed, then in lower case if that differs.
func EmailLookups(typed string) []string {
	if lower := strings.ToLower(typed); lower != typed {
		return []string{typed, lower}
	}
	return []string{typed}
}
