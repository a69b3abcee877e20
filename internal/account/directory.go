package account

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
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

// RecentShareDays is the period a user's Details count recent shares over.
const RecentShareDays = 30

// DirectoryRepository is what the Directory needs from storage; the store
// implements it. A missing row is an error of kind apperr.NotFound.
type DirectoryRepository interface {
	// Groups returns every group, with its number of members.
	Groups(ctx context.Context) ([]Group, error)
	// ListUsers returns the users matching f, by name, and how many match
	// in all (ignoring Limit and Offset).
	ListUsers(ctx context.Context, f UserFilter) ([]UserRow, int, error)
	// User returns the user with the given id, with their roles.
	User(ctx context.Context, id int64) (User, error)
	// UserByEmail returns the id of the user with exactly this address.
	UserByEmail(ctx context.Context, email string) (int64, error)
	// UserRoleGrants returns the user's roles by source.
	UserRoleGrants(ctx context.Context, userID int64) (RoleGrants, error)
	// GroupNames returns the names of the user's groups, by name.
	GroupNames(ctx context.Context, userID int64) ([]string, error)
	// ShareCounts returns how many shares the user made in all, and how
	// many since the given time.
	ShareCounts(ctx context.Context, userID int64, since time.Time) (total, recent int, err error)
	// SessionCount returns how many unexpired sessions the user has.
	SessionCount(ctx context.Context, userID int64) (int, error)
	// UserIdentity returns the identity the account is bound to; ok is
	// false if it has none.
	UserIdentity(ctx context.Context, userID int64) (issuer, subject string, ok bool, err error)
	// ChangeManualRoles reads the user's role grants and calls decide with
	// them. If decide returns change, it makes manual the user's roles
	// granted by hand, leaving those mapped from the identity provider
	// alone, and audit-logs it ("user.roles") with the roles before and
	// after. Reading and writing are one transaction. It reports whether
	// it wrote; decide's error is returned as it is, and nothing written.
	ChangeManualRoles(ctx context.Context, userID, actorID int64,
		decide func(before RoleGrants) (manual []Role, change bool, err error)) (bool, error)
	// ChangeActive reads whether the user is active and calls check with
	// it; unless check refuses, it deactivates the user (active false),
	// ending every session of theirs, or reactivates them, and audit-logs
	// it ("user.deactivate" or "user.reactivate"). Reading and writing are
	// one transaction; check's error is returned as it is.
	ChangeActive(ctx context.Context, userID, actorID int64, active bool, check func(wasActive bool) error) error
	// ForgetIdentity unbinds the account from its identity and ends its
	// sessions, audit-logged, in one transaction. It reports false, and
	// writes nothing, if the account has no identity.
	ForgetIdentity(ctx context.Context, userID, actorID int64) (bool, error)
}

// Directory runs the admins' administration of users: the list, a user's
// page, roles granted by hand, deactivation and identities. Each method is
// one use case; it is safe for concurrent use if its repository is.
type Directory struct {
	repo DirectoryRepository
	now  func() time.Time
}

// NewDirectory returns the Directory over repo, at the time now tells
// (time.Now if nil).
func NewDirectory(repo DirectoryRepository, now func() time.Time) *Directory {
	if now == nil {
		now = time.Now
	}
	return &Directory{repo: repo, now: now}
}

// UserQuery asks for a page of the admins' list of users, with the
// filters as typed: a role name, a group id, a status; empty ones do not
// filter.
type UserQuery struct {
	Q, Role, Group, Status string
	Limit, Offset          int // as in UserFilter
}

// UserList is a page of the admins' list of users, with the groups the
// list can be filtered by.
type UserList struct {
	Groups []Group
	Rows   []UserRow
	Total  int // users matching the filters, on every page
}

// Users returns the page of users q asks for. Filters that are not among
// the choices (ParseUserFilter) are FieldErrors by query parameter; the
// list then has its Groups and no rows.
func (d *Directory) Users(ctx context.Context, q UserQuery) (UserList, error) {
	groups, err := d.repo.Groups(ctx)
	if err != nil {
		return UserList{}, err
	}
	l := UserList{Groups: groups}
	f, problems := ParseUserFilter(q, groups)
	if len(problems) > 0 {
		return l, problems
	}
	l.Rows, l.Total, err = d.repo.ListUsers(ctx, f)
	return l, err
}

// ParseUserFilter checks the filters of q against the choices there are:
// the portal's roles, the groups, active or deactivated. Those that are
// not are problems, keyed by query parameter ("role", "group", "status").
func ParseUserFilter(q UserQuery, groups []Group) (UserFilter, FieldErrors) {
	f, problems := UserFilter{Q: strings.TrimSpace(q.Q), Limit: q.Limit, Offset: q.Offset}, FieldErrors{}
	if q.Role != "" {
		if f.Role = Role(q.Role); !f.Role.Valid() {
			problems["role"] = "Choose one of the roles."
		}
	}
	if q.Group != "" {
		id, err := strconv.ParseInt(q.Group, 10, 64)
		if err != nil || !slices.ContainsFunc(groups, func(g Group) bool { return g.ID == id }) {
			problems["group"] = "Choose one of the groups."
		}
		f.GroupID = id
	}
	switch q.Status {
	case "", StatusActive, StatusDeactivated:
		f.Status = q.Status
	default:
		problems["status"] = "Choose active or deactivated."
	}
	return f, problems
}

// User returns the user with the given id; an unknown id is ErrNoUser.
func (d *Directory) User(ctx context.Context, id int64) (User, error) {
	u, err := d.repo.User(ctx, id)
	return u, noUser(err, id)
}

// UserByEmail returns the id of the person with the address typed, as
// typed or in lower case (EmailLookups). An address no one has is
// ErrUnknownEmail, which also wraps the repository's not-found error.
func (d *Directory) UserByEmail(ctx context.Context, typed string) (int64, error) {
	return userByEmail(ctx, d.repo.UserByEmail, typed)
}

func userByEmail(ctx context.Context, lookup func(context.Context, string) (int64, error), typed string) (int64, error) {
	var err error
	for _, e := range EmailLookups(typed) {
		var id int64
		if id, err = lookup(ctx, e); apperr.KindOf(err) != apperr.NotFound {
			return id, err
		}
	}
	return 0, fmt.Errorf("account: user %q: %w: %w", typed, ErrUnknownEmail, err)
}

// Details is what the admins' page of a user shows, besides training.
type Details struct {
	User         User
	Grants       RoleGrants
	Groups       []string // their groups' names, by name
	SharesTotal  int
	SharesRecent int // in the last RecentShareDays days
	Sessions     int // unexpired
	// Issuer and Subject are the identity the account is bound to, if
	// Bound; an account no one signed in to, or whose identity an admin
	// forgot, has none.
	Issuer, Subject string
	Bound           bool
}

// Details returns the details of the user with the given id; an unknown
// id is ErrNoUser.
func (d *Directory) Details(ctx context.Context, id int64) (Details, error) {
	u, err := d.User(ctx, id)
	if err != nil {
		return Details{}, err
	}
	m := Details{User: u}
	if m.Grants, err = d.repo.UserRoleGrants(ctx, id); err != nil {
		return m, err
	}
	if m.Groups, err = d.repo.GroupNames(ctx, id); err != nil {
		return m, err
	}
	since := d.now().Add(-RecentShareDays * 24 * time.Hour)
	if m.SharesTotal, m.SharesRecent, err = d.repo.ShareCounts(ctx, id, since); err != nil {
		return m, err
	}
	if m.Sessions, err = d.repo.SessionCount(ctx, id); err != nil {
		return m, err
	}
	if m.Issuer, m.Subject, m.Bound, err = d.repo.UserIdentity(ctx, id); err != nil {
		return m, err
	}
	return m, nil
}

// SetManualRoles makes roles the complete set of roles granted by hand to
// the user with id userID, as actorID; roles mapped from the identity
// provider are not touched. It reports whether anything changed: the same
// set again writes nothing. An unknown role is ErrUnknownRole, an admin
// taking away their own admin role ErrSelfDemotion (ManualRoleChange), an
// unknown user ErrNoUser. The change is audit-logged.
func (d *Directory) SetManualRoles(ctx context.Context, userID int64, roles []Role, actorID int64) (bool, error) {
	if err := CheckRoles(roles); err != nil {
		return false, err
	}
	changed, err := d.repo.ChangeManualRoles(ctx, userID, actorID, func(before RoleGrants) ([]Role, bool, error) {
		return ManualRoleChange(before, roles, userID, actorID)
	})
	return changed, noUser(err, userID)
}

// CheckRoles returns ErrUnknownRole if any of roles is not the portal's.
func CheckRoles(roles []Role) error {
	for _, r := range roles {
		if !r.Valid() {
			return fmt.Errorf("account: role %q: %w", r, ErrUnknownRole)
		}
	}
	return nil
}

// ManualRoleChange decides a change by actorID of the roles granted by
// hand to userID, whose roles were before, to want: the manual roles to
// keep (want without repeats, in the portal's order of roles) and whether
// they differ from before's. An unknown role is ErrUnknownRole; an admin
// who would lose the admin role on their own account (from every source)
// is ErrSelfDemotion. An unchanged set is never refused.
func ManualRoleChange(before RoleGrants, want []Role, userID, actorID int64) ([]Role, bool, error) {
	if err := CheckRoles(want); err != nil {
		return nil, false, err
	}
	manual := []Role{}
	for _, r := range want {
		if !slices.Contains(manual, r) {
			manual = append(manual, r)
		}
	}
	manual = SortRoles(manual)
	if slices.Equal(before.Manual, manual) {
		return manual, false, nil
	}
	after := RoleGrants{IdP: before.IdP, Manual: manual}
	if userID == actorID && slices.Contains(before.All(), Admin) && !slices.Contains(after.All(), Admin) {
		return nil, false, ErrSelfDemotion
	}
	return manual, true, nil
}

// SetActive deactivates (active false) or reactivates the user with id
// userID, as actorID. Deactivation ends their sessions; their history
// stays. Refusals are ActiveChange's; an unknown user is ErrNoUser. It is
// audit-logged.
func (d *Directory) SetActive(ctx context.Context, userID int64, active bool, actorID int64) error {
	err := d.repo.ChangeActive(ctx, userID, actorID, active, func(wasActive bool) error {
		return ActiveChange(wasActive, active, userID, actorID)
	})
	return noUser(err, userID)
}

// ActiveChange decides whether actorID may make userID's account active
// (or not) when it was wasActive: asking for the state it is in is
// ErrAlreadyActive or ErrAlreadyDeactivated, and deactivating one's own
// account ErrSelfDeactivation.
func ActiveChange(wasActive, active bool, userID, actorID int64) error {
	switch {
	case wasActive == active && active:
		return ErrAlreadyActive
	case wasActive == active:
		return ErrAlreadyDeactivated
	case !active && userID == actorID:
		return ErrSelfDeactivation
	}
	return nil
}

// ForgetIdentity unbinds the user's account from its sign-in identity, so
// that their next sign-in with a verified email address links it again
// (BindingFor): for a person whose account at the identity provider was
// replaced, or a portal moved to another provider. Their sessions end. An
// account without an identity is ErrNoIdentity, an unknown user ErrNoUser.
// It is audit-logged with the identity forgotten.
func (d *Directory) ForgetIdentity(ctx context.Context, userID, actorID int64) error {
	forgot, err := d.repo.ForgetIdentity(ctx, userID, actorID)
	if err != nil {
		return noUser(err, userID)
	}
	if !forgot {
		return fmt.Errorf("account: forget identity of user %d: %w", userID, ErrNoIdentity)
	}
	return nil
}
