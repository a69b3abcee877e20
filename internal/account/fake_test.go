package account_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/roster"
)

// errNotFound is the fake repository's missing row, as the store's is: of
// kind apperr.NotFound.
var errNotFound = apperr.Sentinel(apperr.NotFound, "not found", "We could not find what you asked for.")

// fakeRepo is an account.DirectoryRepository, GroupRepository and
// ProfileRepository in memory. It keeps users by id with their role
// grants and whether they are active, and records what the services asked
// it to write.
type fakeRepo struct {
	users    map[int64]account.User
	grants   map[int64]account.RoleGrants
	emails   map[string]int64 // exactly as stored
	groups   []account.Group
	members  map[int64][]account.Member
	bound    map[int64]bool // users with an identity
	profiles map[int64]account.Profile

	lookups  []string // the addresses UserByEmail was asked for, in order
	filters  []account.UserFilter
	since    time.Time // what ShareCounts was asked for
	decided  []account.RoleGrants
	checked  []bool // the wasActive each check was given
	writes   []string
	created  []account.NewGroup
	added    [][2]int64 // group, user
	imported [][]roster.Row
	saved    map[int64]account.Profile
	language map[int64]string
	fail     error // returned by every write, when set
}

func newFakeRepo() *fakeRepo {
	return &fakeRepo{users: map[int64]account.User{}, grants: map[int64]account.RoleGrants{}, emails: map[string]int64{},
		members: map[int64][]account.Member{}, bound: map[int64]bool{}, profiles: map[int64]account.Profile{},
		saved: map[int64]account.Profile{}, language: map[int64]string{}}
}

// addUser adds an active user with the grants given.
func (r *fakeRepo) addUser(id int64, email string, g account.RoleGrants) {
	r.users[id] = account.User{ID: id, Email: email, Name: fmt.Sprintf("User %d", id), Active: true, Roles: g.All()}
	r.grants[id], r.emails[email] = g, id
}

func (r *fakeRepo) Groups(context.Context) ([]account.Group, error) { return r.groups, nil }

func (r *fakeRepo) Group(_ context.Context, id int64) (account.Group, error) {
	i := slices.IndexFunc(r.groups, func(g account.Group) bool { return g.ID == id })
	if i < 0 {
		return account.Group{}, fmt.Errorf("fake: group %d: %w", id, errNotFound)
	}
	return r.groups[i], nil
}

func (r *fakeRepo) GroupMembers(_ context.Context, id int64) ([]account.Member, error) {
	return r.members[id], nil
}

func (r *fakeRepo) ListUsers(_ context.Context, f account.UserFilter) ([]account.UserRow, int, error) {
	r.filters = append(r.filters, f)
	var rows []account.UserRow
	for _, u := range r.users {
		rows = append(rows, account.UserRow{User: u})
	}
	return rows, len(rows), nil
}

func (r *fakeRepo) User(_ context.Context, id int64) (account.User, error) {
	u, ok := r.users[id]
	if !ok {
		return u, fmt.Errorf("fake: user %d: %w", id, errNotFound)
	}
	return u, nil
}

func (r *fakeRepo) UserByEmail(_ context.Context, email string) (int64, error) {
	r.lookups = append(r.lookups, email)
	id, ok := r.emails[email]
	if !ok {
		return 0, fmt.Errorf("fake: user %s: %w", email, errNotFound)
	}
	return id, nil
}

func (r *fakeRepo) UserRoleGrants(_ context.Context, id int64) (account.RoleGrants, error) {
	return r.grants[id], nil
}

func (r *fakeRepo) GroupNames(context.Context, int64) ([]string, error) {
	return []string{"Sales"}, nil
}

func (r *fakeRepo) ShareCounts(_ context.Context, _ int64, since time.Time) (int, int, error) {
	r.since = since
	return 5, 2, nil
}

func (r *fakeRepo) SessionCount(context.Context, int64) (int, error) { return 1, nil }

func (r *fakeRepo) UserIdentity(_ context.Context, id int64) (string, string, bool, error) {
	if !r.bound[id] {
		return "", "", false, nil
	}
	return "https://idp.test", fmt.Sprintf("sub-%d", id), true, nil
}

func (r *fakeRepo) ChangeManualRoles(ctx context.Context, userID, actorID int64,
	decide func(account.RoleGrants) ([]account.Role, bool, error)) (bool, error) {
	if _, err := r.User(ctx, userID); err != nil {
		return false, err
	}
	before := r.grants[userID]
	r.decided = append(r.decided, before)
	manual, change, err := decide(before)
	if err != nil || !change {
		return false, err
	}
	if r.fail != nil {
		return false, r.fail
	}
	r.grants[userID] = account.RoleGrants{IdP: before.IdP, Manual: manual}
	r.writes = append(r.writes, fmt.Sprintf("roles %d %v by %d", userID, manual, actorID))
	return true, nil
}

func (r *fakeRepo) ChangeActive(ctx context.Context, userID, actorID int64, active bool, check func(bool) error) error {
	u, err := r.User(ctx, userID)
	if err != nil {
		return err
	}
	r.checked = append(r.checked, u.Active)
	if err := check(u.Active); err != nil {
		return err
	}
	u.Active = active
	r.users[userID] = u
	r.writes = append(r.writes, fmt.Sprintf("active %d %t by %d", userID, active, actorID))
	return nil
}

func (r *fakeRepo) ForgetIdentity(ctx context.Context, userID, actorID int64) (bool, error) {
	if _, err := r.User(ctx, userID); err != nil {
		return false, err
	}
	if !r.bound[userID] {
		return false, nil
	}
	delete(r.bound, userID)
	r.writes = append(r.writes, fmt.Sprintf("forget %d by %d", userID, actorID))
	return true, nil
}

// errExists is the fake's name in use, as the store's is: of kind
// apperr.Conflict.
var errExists = apperr.Sentinel(apperr.Conflict, "already exists", "Something with this name already exists.")

func (r *fakeRepo) CreateGroup(_ context.Context, name string, kind account.GroupKind, _ int64) (int64, error) {
	for _, g := range r.groups {
		if g.Name == name {
			return 0, fmt.Errorf("fake: create group %q: %w", name, errExists)
		}
	}
	if r.fail != nil {
		return 0, r.fail
	}
	id := int64(len(r.groups) + 1)
	r.groups = append(r.groups, account.Group{ID: id, Name: name, Kind: kind})
	r.created = append(r.created, account.NewGroup{Name: name, Kind: kind})
	return id, nil
}

func (r *fakeRepo) AddToGroup(_ context.Context, groupID, userID int64, source string, actorID int64) error {
	if r.fail != nil {
		return r.fail
	}
	r.added = append(r.added, [2]int64{groupID, userID})
	r.writes = append(r.writes, fmt.Sprintf("add %d to %d (%s) by %d", userID, groupID, source, actorID))
	return nil
}

func (r *fakeRepo) ImportRoster(_ context.Context, rows []roster.Row, _ int64) (int, int, error) {
	if r.fail != nil {
		return 0, 0, r.fail
	}
	r.imported = append(r.imported, rows)
	return len(rows) - 1, 1, nil
}

func (r *fakeRepo) Profile(_ context.Context, userID int64) (account.Profile, error) {
	p, ok := r.profiles[userID]
	if !ok {
		return p, fmt.Errorf("fake: profile %d: %w", userID, errNotFound)
	}
	return p, nil
}

func (r *fakeRepo) SaveProfile(_ context.Context, userID int64, p account.Profile) error {
	if r.fail != nil {
		return r.fail
	}
	r.saved[userID] = p
	return nil
}

func (r *fakeRepo) SetLanguage(_ context.Context, userID int64, lang string) error {
	r.language[userID] = lang
	return nil
}

var (
	_ account.DirectoryRepository = (*fakeRepo)(nil)
	_ account.GroupRepository     = (*fakeRepo)(nil)
	_ account.ProfileRepository   = (*fakeRepo)(nil)
)
