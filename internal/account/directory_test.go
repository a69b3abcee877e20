package account_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
)

func TestEmailLookups(t *testing.T) {
	tests := []struct {
		typed string
		want  []string
	}{
		{"ana@example.com", []string{"ana@example.com"}},
		{"Ana@Example.com", []string{"Ana@Example.com", "ana@example.com"}},
		{"ANA@EXAMPLE.COM", []string{"ANA@EXAMPLE.COM", "ana@example.com"}},
		{"", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			if got := account.EmailLookups(tt.typed); !slices.Equal(got, tt.want) {
				t.Errorf("EmailLookups(%q) = %q, want %q", tt.typed, got, tt.want)
			}
		})
	}
}

// The people of the directory's tests.
const (
	ada  int64 = 1 // an admin
	sam  int64 = 2 // an employee
	gone int64 = 99
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newDirectory() (*account.Directory, *fakeRepo) {
	r := newFakeRepo()
	r.addUser(ada, "ada@example.com", account.RoleGrants{IdP: []account.Role{account.Employee}, Manual: []account.Role{account.Admin}})
	r.addUser(sam, "sam@example.com", account.RoleGrants{IdP: []account.Role{account.Employee}})
	return account.NewDirectory(r, func() time.Time { return now }), r
}

func TestParseUserFilter(t *testing.T) {
	groups := []account.Group{{ID: 3, Name: "Sales"}, {ID: 7, Name: "Sales, EMEA"}}
	tests := []struct {
		name         string
		q            account.UserQuery
		want         account.UserFilter
		wantProblems []string // query parameters with a problem
	}{
		{"nothing filters", account.UserQuery{Limit: 50, Offset: 100}, account.UserFilter{Limit: 50, Offset: 100}, nil},
		{"search is trimmed", account.UserQuery{Q: "  ada "}, account.UserFilter{Q: "ada"}, nil},
		{"a role", account.UserQuery{Role: "hr"}, account.UserFilter{Role: account.HR}, nil},
		{"a role that is not one", account.UserQuery{Role: "root"}, account.UserFilter{Role: "root"}, []string{"role"}},
		{"a group", account.UserQuery{Group: "7"}, account.UserFilter{GroupID: 7}, nil},
		{"a group that does not exist", account.UserQuery{Group: "9"}, account.UserFilter{GroupID: 9}, []string{"group"}},
		{"a group that is not a number", account.UserQuery{Group: "Sales"}, account.UserFilter{}, []string{"group"}},
		{"active", account.UserQuery{Status: "active"}, account.UserFilter{Status: account.StatusActive}, nil},
		{"deactivated", account.UserQuery{Status: "deactivated"}, account.UserFilter{Status: account.StatusDeactivated}, nil},
		{"a status that is not one", account.UserQuery{Status: "gone"}, account.UserFilter{}, []string{"status"}},
		{"every problem at once", account.UserQuery{Role: "x", Group: "x", Status: "x"}, account.UserFilter{Role: "x"},
			[]string{"group", "role", "status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := account.ParseUserFilter(tt.q, groups)
			if got != tt.want {
				t.Errorf("filter = %+v, want %+v", got, tt.want)
			}
			if keys := slices.Sorted(maps.Keys(problems)); !slices.Equal(keys, tt.wantProblems) {
				t.Errorf("problems on %q, want on %q", keys, tt.wantProblems)
			}
		})
	}
}

func TestUsersRefusesAFilterWithoutListing(t *testing.T) {
	d, r := newDirectory()
	r.groups = []account.Group{{ID: 3, Name: "Sales"}}
	l, err := d.Users(context.Background(), account.UserQuery{Role: "root"})
	var problems account.FieldErrors
	if !errors.As(err, &problems) || problems["role"] == "" || apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("Users = %v, want FieldErrors on role", err)
	}
	if len(l.Groups) != 1 || len(l.Rows) != 0 || len(r.filters) != 0 {
		t.Errorf("list = %+v after %d reads of users; want the groups and no users read", l, len(r.filters))
	}
	l, err = d.Users(context.Background(), account.UserQuery{Group: "3", Limit: 10, Offset: 20})
	if err != nil || len(l.Rows) != 2 || l.Total != 2 || len(l.Groups) != 1 {
		t.Fatalf("Users = %+v, %v; want both users and the group", l, err)
	}
	if len(r.filters) != 1 || r.filters[0] != (account.UserFilter{GroupID: 3, Limit: 10, Offset: 20}) {
		t.Errorf("listed with %+v", r.filters)
	}
}

func TestManualRoleChange(t *testing.T) {
	idp := func(roles ...account.Role) account.RoleGrants { return account.RoleGrants{IdP: roles} }
	manualAdmin := account.RoleGrants{IdP: []account.Role{account.Employee}, Manual: []account.Role{account.Admin}}
	tests := []struct {
		name        string
		before      account.RoleGrants
		want        []account.Role
		user, actor int64
		wantManual  []account.Role
		wantChange  bool
		wantErr     error
	}{
		{"grant, without repeats, in the portal's order", idp(account.Employee), []account.Role{account.Admin, account.Comms, account.Admin},
			sam, ada, []account.Role{account.Comms, account.Admin}, true, nil},
		{"the same set is no change", manualAdmin, []account.Role{account.Admin}, sam, ada, []account.Role{account.Admin}, false, nil},
		{"the same set in another order is no change", account.RoleGrants{Manual: []account.Role{account.HR, account.Comms}},
			[]account.Role{account.Comms, account.HR, account.HR}, sam, ada, []account.Role{account.HR, account.Comms}, false, nil},
		{"none is none", idp(account.Employee), nil, sam, ada, []account.Role{}, false, nil},
		{"revoking every manual role", manualAdmin, nil, sam, ada, []account.Role{}, true, nil},
		{"an unknown role", idp(account.Employee), []account.Role{account.HR, "root"}, sam, ada, nil, false, account.ErrUnknownRole},
		{"an admin by hand cannot drop their own admin role", manualAdmin, []account.Role{account.HR}, ada, ada,
			nil, false, account.ErrSelfDemotion},
		{"they may change their other roles", account.RoleGrants{Manual: []account.Role{account.HR, account.Admin}},
			[]account.Role{account.Admin}, ada, ada, []account.Role{account.Admin}, true, nil},
		{"another admin may demote them", manualAdmin, nil, ada, sam, []account.Role{}, true, nil},
		{"an admin the provider maps keeps admin without the manual grant", account.RoleGrants{IdP: []account.Role{account.Admin},
			Manual: []account.Role{account.Admin}}, nil, ada, ada, []account.Role{}, true, nil},
		{"taking nothing from oneself when one is no admin", idp(account.Employee), []account.Role{account.HR}, sam, sam,
			[]account.Role{account.HR}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			manual, change, err := account.ManualRoleChange(tt.before, tt.want, tt.user, tt.actor)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || change {
					t.Fatalf("ManualRoleChange = %v, %t, %v; want %v", manual, change, err, tt.wantErr)
				}
				return
			}
			if err != nil || change != tt.wantChange || !slices.Equal(manual, tt.wantManual) || manual == nil {
				t.Errorf("ManualRoleChange = %v, %t, %v; want %v, %t", manual, change, err, tt.wantManual, tt.wantChange)
			}
		})
	}
}

func TestActiveChange(t *testing.T) {
	tests := []struct {
		name             string
		was, active      bool
		user, actor      int64
		wantErr, wantAll error // the error in its own words, and the kind of refusal it is
	}{
		{"deactivate", true, false, sam, ada, nil, nil},
		{"reactivate", false, true, sam, ada, nil, nil},
		{"deactivate twice", false, false, sam, ada, account.ErrAlreadyDeactivated, account.ErrUnchanged},
		{"reactivate twice", true, true, sam, ada, account.ErrAlreadyActive, account.ErrUnchanged},
		{"an admin cannot deactivate themselves", true, false, ada, ada, account.ErrSelfDeactivation, account.ErrSelfLockout},
		{"deactivated twice by oneself is already so", false, false, ada, ada, account.ErrAlreadyDeactivated, account.ErrUnchanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := account.ActiveChange(tt.was, tt.active, tt.user, tt.actor)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("ActiveChange = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, tt.wantAll) || apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("ActiveChange = %v (kind %v), want %v, which is %v, a conflict", err, apperr.KindOf(err), tt.wantErr, tt.wantAll)
			}
		})
	}
}

// TestRefusalsSayWhy: each refusal of a change tells the admin its own
// reason, and is still the general refusal it is.
func TestRefusalsSayWhy(t *testing.T) {
	tests := []struct {
		err         error
		is          error
		wantKind    apperr.Kind
		wantMessage string
	}{
		{account.ErrSelfDemotion, account.ErrSelfLockout, apperr.Conflict,
			"You cannot remove your own admin role, so nothing was changed. Another admin can do it."},
		{account.ErrSelfDeactivation, account.ErrSelfLockout, apperr.Conflict, "You cannot deactivate your own account. Another admin can do it."},
		{account.ErrAlreadyActive, account.ErrUnchanged, apperr.Conflict, "This account is already active."},
		{account.ErrAlreadyDeactivated, account.ErrUnchanged, apperr.Conflict, "This account is already deactivated."},
		{account.ErrNoIdentity, account.ErrUnchanged, apperr.Conflict,
			"This account has no sign-in identity to forget: it links to the next sign-in with its verified email address already."},
		{account.ErrUnknownRole, account.ErrUnknownRole, apperr.Invalid,
			"One of the chosen roles does not exist, so nothing was changed. Reload the page and choose again."},
	}
	for _, tt := range tests {
		t.Run(tt.wantMessage, func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", tt.err)
			if !errors.Is(err, tt.is) || apperr.KindOf(err) != tt.wantKind || apperr.MessageOf(err) != tt.wantMessage {
				t.Errorf("%v: is %v %t, kind %v, message %q", err, tt.is, errors.Is(err, tt.is), apperr.KindOf(err), apperr.MessageOf(err))
			}
		})
	}
}

func TestSetManualRoles(t *testing.T) {
	ctx := context.Background()
	t.Run("grants through the repository's decision", func(t *testing.T) {
		d, r := newDirectory()
		changed, err := d.SetManualRoles(ctx, sam, []account.Role{account.HR, account.HR}, ada)
		if err != nil || !changed {
			t.Fatalf("SetManualRoles = %t, %v", changed, err)
		}
		if want := []string{"roles 2 [hr] by 1"}; !slices.Equal(r.writes, want) {
			t.Errorf("writes = %q, want %q", r.writes, want)
		}
		if len(r.decided) != 1 || !slices.Equal(r.decided[0].IdP, []account.Role{account.Employee}) {
			t.Errorf("decided on %v, want sam's grants", r.decided)
		}
	})
	t.Run("an unknown role never reaches the repository", func(t *testing.T) {
		d, r := newDirectory()
		if _, err := d.SetManualRoles(ctx, sam, []account.Role{"root"}, ada); !errors.Is(err, account.ErrUnknownRole) {
			t.Fatalf("SetManualRoles = %v, want ErrUnknownRole", err)
		}
		if len(r.decided) != 0 || len(r.writes) != 0 {
			t.Errorf("the repository was asked: %v, %q", r.decided, r.writes)
		}
	})
	t.Run("self-demotion writes nothing", func(t *testing.T) {
		d, r := newDirectory()
		changed, err := d.SetManualRoles(ctx, ada, nil, ada)
		if !errors.Is(err, account.ErrSelfDemotion) || changed || len(r.writes) != 0 {
			t.Errorf("SetManualRoles = %t, %v, writes %q; want ErrSelfDemotion and none", changed, err, r.writes)
		}
	})
	t.Run("an unknown user", func(t *testing.T) {
		d, _ := newDirectory()
		_, err := d.SetManualRoles(ctx, gone, []account.Role{account.HR}, ada)
		if !errors.Is(err, account.ErrNoUser) || !errors.Is(err, errNotFound) || apperr.MessageOf(err) != "There is no such person." {
			t.Errorf("SetManualRoles = %v (%q), want ErrNoUser wrapping the repository's error", err, apperr.MessageOf(err))
		}
	})
	t.Run("a failure is the repository's", func(t *testing.T) {
		d, r := newDirectory()
		r.fail = errors.New("disk full")
		if _, err := d.SetManualRoles(ctx, sam, []account.Role{account.HR}, ada); !errors.Is(err, r.fail) || apperr.KindOf(err) != apperr.Internal {
			t.Errorf("SetManualRoles = %v, want the failure as it is", err)
		}
	})
}

func TestSetActive(t *testing.T) {
	ctx := context.Background()
	d, r := newDirectory()
	steps := []struct {
		name        string
		user        int64
		active      bool
		wantErr     error
		wantChecked bool // what the check was given
	}{
		{"deactivate", sam, false, nil, true},
		{"deactivate again", sam, false, account.ErrAlreadyDeactivated, false},
		{"oneself", ada, false, account.ErrSelfDeactivation, true},
		{"reactivate", sam, true, nil, false},
	}
	for _, st := range steps {
		n := len(r.writes)
		err := d.SetActive(ctx, st.user, st.active, ada)
		if !errors.Is(err, st.wantErr) || (st.wantErr == nil) != (err == nil) {
			t.Fatalf("%s: SetActive = %v, want %v", st.name, err, st.wantErr)
		}
		if got := r.checked[len(r.checked)-1]; got != st.wantChecked {
			t.Errorf("%s: check was given %t, want %t", st.name, got, st.wantChecked)
		}
		if wrote := len(r.writes) > n; wrote != (st.wantErr == nil) {
			t.Errorf("%s: wrote %t", st.name, wrote)
		}
	}
	if err := d.SetActive(ctx, gone, false, ada); !errors.Is(err, account.ErrNoUser) {
		t.Errorf("an unknown user: %v, want ErrNoUser", err)
	}
}

func TestForgetIdentity(t *testing.T) {
	ctx := context.Background()
	d, r := newDirectory()
	r.bound[sam] = true
	if err := d.ForgetIdentity(ctx, sam, ada); err != nil {
		t.Fatalf("ForgetIdentity = %v", err)
	}
	if err := d.ForgetIdentity(ctx, sam, ada); !errors.Is(err, account.ErrNoIdentity) || !errors.Is(err, account.ErrUnchanged) {
		t.Errorf("again: %v, want ErrNoIdentity", err)
	}
	if err := d.ForgetIdentity(ctx, gone, ada); !errors.Is(err, account.ErrNoUser) {
		t.Errorf("an unknown user: %v, want ErrNoUser", err)
	}
	if want := []string{"forget 2 by 1"}; !slices.Equal(r.writes, want) {
		t.Errorf("writes = %q, want %q", r.writes, want)
	}
}

func TestDirectoryUserByEmail(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		typed       string
		wantID      int64
		wantLookups []string
	}{
		{"sam@example.com", sam, []string{"sam@example.com"}},
		{"Sam@Example.com", sam, []string{"Sam@Example.com", "sam@example.com"}},
		{"nobody@example.com", 0, []string{"nobody@example.com"}},
		{"Nobody@example.com", 0, []string{"Nobody@example.com", "nobody@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			d, r := newDirectory()
			id, err := d.UserByEmail(ctx, tt.typed)
			if tt.wantID == 0 {
				if !errors.Is(err, account.ErrUnknownEmail) || !errors.Is(err, errNotFound) || apperr.KindOf(err) != apperr.NotFound {
					t.Errorf("UserByEmail = %d, %v; want ErrUnknownEmail wrapping the repository's not-found", id, err)
				}
			} else if err != nil || id != tt.wantID {
				t.Errorf("UserByEmail = %d, %v; want %d", id, err, tt.wantID)
			}
			if !slices.Equal(r.lookups, tt.wantLookups) {
				t.Errorf("looked up %q, want %q", r.lookups, tt.wantLookups)
			}
		})
	}
}

func TestDetails(t *testing.T) {
	d, r := newDirectory()
	r.bound[sam] = true
	got, err := d.Details(context.Background(), sam)
	if err != nil {
		t.Fatal(err)
	}
	if got.User.ID != sam || !slices.Equal(got.Grants.IdP, []account.Role{account.Employee}) || !slices.Equal(got.Groups, []string{"Sales"}) ||
		got.SharesTotal != 5 || got.SharesRecent != 2 || got.Sessions != 1 || !got.Bound || got.Subject != "sub-2" {
		t.Errorf("Details = %+v", got)
	}
	if want := now.AddDate(0, 0, -account.RecentShareDays); !r.since.Equal(want) {
		t.Errorf("recent shares counted since %v, want %v", r.since, want)
	}
	if _, err := d.Details(context.Background(), gone); !errors.Is(err, account.ErrNoUser) {
		t.Errorf("an unknown user: %v, want ErrNoUser", err)
	}
}
