package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestSignIn(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	first := c.Now()

	u, err := s.SignIn(ctx, account.Identity{Subject: "oidc:1", Email: "sam@example.com", Name: "Sam",
		Department: "Sales", Roles: []account.Role{account.Comms}})
	if err != nil {
		t.Fatalf("first SignIn: %v", err)
	}

	c.Advance(time.Hour)
	again, err := s.SignIn(ctx, account.Identity{Subject: "oidc:1", Email: "samuel@example.com", Name: "Samuel"})
	if err != nil {
		t.Fatalf("second SignIn: %v", err)
	}

	// Someone whose subject changed but whose email is known is the same user.
	c.Advance(time.Hour)
	byEmail, err := s.SignIn(ctx, account.Identity{Subject: "other:9", Email: "samuel@example.com", Name: "Samuel P",
		Roles: []account.Role{account.Admin, account.HR}})
	if err != nil {
		t.Fatalf("third SignIn: %v", err)
	}

	tests := []struct {
		name           string
		got            account.User
		wantID         int64
		wantEmail      string
		wantName       string
		wantDepartment string
		wantRoles      []account.Role
		wantLastLogin  time.Time
	}{
		{"first sign-in creates the user", u, u.ID, "sam@example.com", "Sam", "Sales",
			[]account.Role{account.Employee, account.Comms}, first},
		{"same subject updates the same row", again, u.ID, "samuel@example.com", "Samuel", "Sales",
			[]account.Role{account.Employee}, first.Add(time.Hour)},
		{"known email links the new subject", byEmail, u.ID, "samuel@example.com", "Samuel P", "Sales",
			[]account.Role{account.Employee, account.HR, account.Admin}, first.Add(2 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.got
			if g.ID != tt.wantID || g.Email != tt.wantEmail || g.Name != tt.wantName || g.Department != tt.wantDepartment {
				t.Errorf("user = %d %s %q %q, want %d %s %q %q", g.ID, g.Email, g.Name, g.Department,
					tt.wantID, tt.wantEmail, tt.wantName, tt.wantDepartment)
			}
			if !slices.Equal(g.Roles, tt.wantRoles) {
				t.Errorf("roles = %v, want %v", g.Roles, tt.wantRoles)
			}
			if !g.LastLoginAt.Equal(tt.wantLastLogin) {
				t.Errorf("LastLoginAt = %v, want %v", g.LastLoginAt, tt.wantLastLogin)
			}
			if !g.CreatedAt.Equal(first) {
				t.Errorf("CreatedAt = %v, want %v", g.CreatedAt, first)
			}
			if !g.Active {
				t.Errorf("user is not active")
			}
		})
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 1 {
		t.Errorf("CountUsers = %d, %v; want 1", n, err)
	}
}

func TestSignInRolesReplaced(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	steps := []struct {
		roles     []account.Role
		wantRoles []account.Role
	}{
		{[]account.Role{account.Comms}, []account.Role{account.Employee, account.Comms}},
		{[]account.Role{account.Comms, account.HR, account.Comms}, []account.Role{account.Employee, account.HR, account.Comms}},
		{nil, []account.Role{account.Employee}},
		{[]account.Role{account.Employee}, []account.Role{account.Employee}},
	}
	var id int64
	for i, st := range steps {
		u, err := s.SignIn(ctx, account.Identity{Subject: "oidc:1", Email: "sam@example.com", Name: "Sam", Roles: st.roles})
		if err != nil {
			t.Fatalf("SignIn %d: %v", i, err)
		}
		if i == 0 {
			id = u.ID
		}
		if u.ID != id {
			t.Errorf("SignIn %d: ID = %d, want %d", i, u.ID, id)
		}
		if !slices.Equal(u.Roles, st.wantRoles) {
			t.Errorf("SignIn %d with %v: roles = %v, want %v", i, st.roles, u.Roles, st.wantRoles)
		}
	}
}

func TestSignInRefusesIncompleteIdentity(t *testing.T) {
	s := mustOpenStore(t)
	tests := []struct {
		name string
		id   account.Identity
	}{
		{"no subject", account.Identity{Email: "sam@example.com"}},
		{"no email", account.Identity{Subject: "oidc:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if u, err := s.SignIn(context.Background(), tt.id); err == nil {
				t.Errorf("SignIn = %+v, nil; want an error", u)
			}
		})
	}
	if n, _ := s.CountUsers(context.Background()); n != 0 {
		t.Errorf("CountUsers = %d, want 0", n)
	}
}

func TestProvisionDoesNotRecordSignIn(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	id := account.Identity{Subject: "demo:sam", Email: "sam@example.com", Name: "Sam", Roles: []account.Role{account.HR}}

	u, err := s.Provision(ctx, id)
	if err != nil {
		t.Fatalf("Provision: %v", err)
	}
	if !u.LastLoginAt.IsZero() {
		t.Errorf("after Provision LastLoginAt = %v, want zero", u.LastLoginAt)
	}
	if !slices.Equal(u.Roles, []account.Role{account.Employee, account.HR}) {
		t.Errorf("after Provision roles = %v, want [employee hr]", u.Roles)
	}

	c.Advance(time.Minute)
	signedIn, err := s.SignIn(ctx, id)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if signedIn.ID != u.ID || !signedIn.LastLoginAt.Equal(c.Now()) {
		t.Errorf("after SignIn ID, LastLoginAt = %d, %v; want %d, %v", signedIn.ID, signedIn.LastLoginAt, u.ID, c.Now())
	}

	c.Advance(time.Minute)
	again, err := s.Provision(ctx, id)
	if err != nil {
		t.Fatalf("Provision again: %v", err)
	}
	if !again.LastLoginAt.Equal(signedIn.LastLoginAt) {
		t.Errorf("Provision changed LastLoginAt to %v, want %v kept", again.LastLoginAt, signedIn.LastLoginAt)
	}
}

func TestUserNotFound(t *testing.T) {
	s := mustOpenStore(t)
	if _, err := s.User(context.Background(), 42); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("User(42) error = %v, want ErrNotFound", err)
	}
}

func TestSetMastodonInstance(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	if err := s.SetMastodonInstance(ctx, u.ID, "  Fosstodon.ORG "); err != nil {
		t.Fatalf("SetMastodonInstance: %v", err)
	}
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MastodonInstance != "fosstodon.org" {
		t.Errorf("MastodonInstance = %q, want %q", got.MastodonInstance, "fosstodon.org")
	}
}
