package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/roster"
	"github.com/advocacy-portal/portal/internal/store"
)

const testIssuer = "https://idp.test"

func TestSignIn(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	first := c.Now()

	u, err := s.SignIn(ctx, account.Identity{Issuer: testIssuer, Subject: "1", Email: "sam@example.com", EmailVerified: true,
		Name: "Sam", Department: "Sales", Roles: []account.Role{account.Comms}})
	if err != nil {
		t.Fatalf("first SignIn: %v", err)
	}

	c.Advance(time.Hour)
	again, err := s.SignIn(ctx, account.Identity{Issuer: testIssuer, Subject: "1", Email: "samuel@example.com",
		EmailVerified: true, Name: "Samuel"})
	if err != nil {
		t.Fatalf("second SignIn: %v", err)
	}

	// An address the provider does not vouch for is not taken over.
	c.Advance(time.Hour)
	unverified, err := s.SignIn(ctx, account.Identity{Issuer: testIssuer, Subject: "1", Email: "sam@elsewhere.example",
		Name: "Samuel P", Roles: []account.Role{account.Admin, account.HR}})
	if err != nil {
		t.Fatalf("third SignIn: %v", err)
	}

	tests := []struct {
		name           string
		got            account.User
		wantEmail      string
		wantName       string
		wantDepartment string
		wantRoles      []account.Role
		wantLastLogin  time.Time
	}{
		{"first sign-in creates the user", u, "sam@example.com", "Sam", "Sales",
			[]account.Role{account.Employee, account.Comms}, first},
		{"same identity updates the same row", again, "samuel@example.com", "Samuel", "Sales",
			[]account.Role{account.Employee}, first.Add(time.Hour)},
		{"an unverified new email is not taken; roles still come from the groups", unverified, "samuel@example.com", "Samuel P", "Sales",
			[]account.Role{account.Employee, account.HR, account.Admin}, first.Add(2 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.got
			if g.ID != u.ID || g.Email != tt.wantEmail || g.Name != tt.wantName || g.Department != tt.wantDepartment {
				t.Errorf("user = %d %s %q %q, want %d %s %q %q", g.ID, g.Email, g.Name, g.Department,
					u.ID, tt.wantEmail, tt.wantName, tt.wantDepartment)
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

// TestSignInIdentityRules holds the store to account.BindingFor: each case
// starts from a store with one directory account (no identity yet, as SCIM
// or the CSV import makes them) and one account bound to an identity.
func TestSignInIdentityRules(t *testing.T) {
	ctx := context.Background()
	const (
		directoryEmail = "dana@example.com"
		boundEmail     = "bo@example.com"
	)
	bound := account.Identity{Issuer: testIssuer, Subject: "bo", Email: boundEmail, EmailVerified: true, Name: "Bo"}
	tests := []struct {
		name       string
		id         account.Identity
		wantErr    error // errors.Is
		wantTaken  bool  // an *account.TakenError for the bound account
		wantUser   string
		wantUsers  int
		wantAudit  string // the newest audit entry's action, if the attempt is audited
		wantBoName string // the bound account's name afterwards
	}{
		{"verified email links the directory account",
			account.Identity{Issuer: testIssuer, Subject: "dana", Email: directoryEmail, EmailVerified: true, Name: "Dana"},
			nil, false, directoryEmail, 2, "", "Bo"},
		{"unverified email does not link the directory account",
			account.Identity{Issuer: testIssuer, Subject: "dana", Email: directoryEmail, Name: "Dana"},
			account.ErrEmailUnverified, false, "", 2, "", "Bo"},
		{"unverified email gets no new account",
			account.Identity{Issuer: testIssuer, Subject: "eve", Email: "eve@example.com", Name: "Eve",
				Roles: []account.Role{account.Admin}},
			account.ErrEmailUnverified, false, "", 2, "", "Bo"},
		{"another subject with the bound account's email is refused and audited",
			account.Identity{Issuer: testIssuer, Subject: "mallory", Email: boundEmail, EmailVerified: true, Name: "Mallory",
				Roles: []account.Role{account.Admin}},
			nil, true, "", 2, "signin.refused", "Bo"},
		{"the same subject at another issuer is another identity",
			account.Identity{Issuer: "https://other-idp.test", Subject: "bo", Email: boundEmail, EmailVerified: true, Name: "Other Bo"},
			nil, true, "", 2, "signin.refused", "Bo"},
		{"email case does not hide a takeover",
			account.Identity{Issuer: testIssuer, Subject: "mallory", Email: "BO@example.com", EmailVerified: true, Name: "Mallory"},
			nil, true, "", 2, "signin.refused", "Bo"},
		{"a new verified person gets an account",
			account.Identity{Issuer: testIssuer, Subject: "finn", Email: "finn@example.com", EmailVerified: true, Name: "Finn"},
			nil, false, "finn@example.com", 3, "", "Bo"},
		{"the bound identity taking the directory account's email keeps its own",
			account.Identity{Issuer: testIssuer, Subject: "bo", Email: directoryEmail, EmailVerified: true, Name: "Bo B"},
			nil, false, boundEmail, 2, "", "Bo B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpenStore(t)
			if _, _, err := s.ImportRoster(ctx, []roster.Row{{Line: 2, Email: directoryEmail, Name: "Dana from the directory"}}, 0); err != nil {
				t.Fatal(err)
			}
			bo, err := s.SignIn(ctx, bound)
			if err != nil {
				t.Fatal(err)
			}
			before, err := auditLog(ctx, s, 1)
			if err != nil {
				t.Fatal(err)
			}

			u, err := s.SignIn(ctx, tt.id)
			var taken *account.TakenError
			switch {
			case tt.wantTaken:
				if !errors.As(err, &taken) || taken.UserID != bo.ID {
					t.Fatalf("SignIn = %+v, %v; want a TakenError naming account %d", u, err, bo.ID)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("SignIn = %+v, %v; want %v", u, err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("SignIn: %v", err)
			case u.Email != tt.wantUser:
				t.Errorf("signed in as %s, want %s", u.Email, tt.wantUser)
			}
			if n, err := s.CountUsers(ctx); err != nil || n != tt.wantUsers {
				t.Errorf("CountUsers = %d, %v; want %d", n, err, tt.wantUsers)
			}
			after, err := s.User(ctx, bo.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Name != tt.wantBoName || after.Email != boundEmail || !slices.Equal(after.Roles, []account.Role{account.Employee}) {
				t.Errorf("bound account is now %q %s %v; want %q %s [employee]", after.Name, after.Email, after.Roles, tt.wantBoName, boundEmail)
			}
			log, err := auditLog(ctx, s, 1)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.wantAudit != "":
				if len(log) != 1 || log[0].Action != tt.wantAudit || log[0].Target != fmt.Sprintf("user:%d", bo.ID) ||
					!strings.Contains(log[0].After, tt.id.Subject) {
					t.Errorf("newest audit entry = %+v, want %s on user:%d naming subject %s", log, tt.wantAudit, bo.ID, tt.id.Subject)
				}
			case len(log) != len(before) || (len(log) == 1 && log[0].ID != before[0].ID):
				t.Errorf("an audit entry was written: %+v", log)
			}
		})
	}
}

// TestSignInMovesLegacySubject: subjects kept before issuers were
// ("<provider slug>:<subject>") sign in to the same account, which is then
// bound to (issuer, subject).
func TestSignInMovesLegacySubject(t *testing.T) {
	ctx := context.Background()
	s, db := mustOpenStoreAndDB(t)
	old := mustSignIn(t, s, "placeholder", "sam@example.com")
	if _, err := db.Exec(`UPDATE identities SET issuer = 'legacy', subject = 'oidc:abc' WHERE user_id = ?`, old.ID); err != nil {
		t.Fatal(err)
	}
	id := account.Identity{Issuer: testIssuer, Subject: "abc", LegacySubject: "oidc:abc", Email: "sam@example.com",
		EmailVerified: true, Name: "Sam"}
	u, err := s.SignIn(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != old.ID {
		t.Fatalf("legacy subject signed in to account %d, want %d", u.ID, old.ID)
	}
	var issuer, subject string
	if err := db.QueryRow(`SELECT issuer, subject FROM identities WHERE user_id = ?`, old.ID).Scan(&issuer, &subject); err != nil {
		t.Fatal(err)
	}
	if issuer != testIssuer || subject != "abc" {
		t.Errorf("identity = (%s, %s), want (%s, abc)", issuer, subject, testIssuer)
	}
	// The legacy name is gone: another provider's "oidc:abc" is not this account.
	other := id
	other.Issuer, other.Subject, other.Email = "https://other.test", "abc", "other@example.com"
	if u2, err := s.SignIn(ctx, other); err != nil || u2.ID == old.ID {
		t.Errorf("another issuer's abc = %d, %v; want a new account", u2.ID, err)
	}
}

// TestLegacySubjectNeedsItsEmail: a legacy subject names no issuer, so it
// is moved only for a verified sign-in with the account's own address;
// another issuer's subject of the same spelling does not claim it.
func TestLegacySubjectNeedsItsEmail(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		email    string
		verified bool
		wantErr  bool // refused (unverified, or the address is the legacy account's and it is bound)
		wantSame bool // signed in to the legacy account
	}{
		{"verified, the account's address", "sam@example.com", true, false, true},
		{"verified, another address", "mallory@example.com", true, false, false},
		{"unverified, the account's address", "sam@example.com", false, true, false},
		{"unverified, another address", "mallory@example.com", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db := mustOpenStoreAndDB(t)
			old := mustSignIn(t, s, "placeholder", "sam@example.com", account.Admin)
			if _, err := db.Exec(`UPDATE identities SET issuer = 'legacy', subject = 'oidc:7' WHERE user_id = ?`, old.ID); err != nil {
				t.Fatal(err)
			}
			u, err := s.SignIn(ctx, account.Identity{Issuer: "https://new-issuer.test", Subject: "7", LegacySubject: "oidc:7",
				Email: tt.email, EmailVerified: tt.verified, Name: "Someone"})
			if (err != nil) != tt.wantErr {
				t.Fatalf("SignIn = %+v, %v; want an error: %v", u, err, tt.wantErr)
			}
			if !tt.wantErr && (u.ID == old.ID) != tt.wantSame {
				t.Errorf("signed in to account %d (legacy account %d); want the legacy one: %v", u.ID, old.ID, tt.wantSame)
			}
			var issuer string
			if err := db.QueryRow(`SELECT issuer FROM identities WHERE user_id = ?`, old.ID).Scan(&issuer); err != nil {
				t.Fatal(err)
			}
			if moved := issuer != "legacy"; moved != tt.wantSame {
				t.Errorf("legacy identity moved = %v, want %v", moved, tt.wantSame)
			}
		})
	}
}

// TestForgetIdentity: an admin unbinds an account whose person's identity
// was replaced; their next verified sign-in links it again.
func TestForgetIdentity(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	admin := mustSignIn(t, s, "admin", "admin@example.com", account.Admin)
	sam := mustSignIn(t, s, "sam-old", "sam@example.com")
	if err := s.CreateSession(ctx, "hash-of-sam", "", sam.ID, "csrf", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	replaced := account.Identity{Issuer: testIssuer, Subject: "sam-new", Email: "sam@example.com", EmailVerified: true, Name: "Sam"}
	var taken *account.TakenError
	if _, err := s.SignIn(ctx, replaced); !errors.As(err, &taken) {
		t.Fatalf("before: SignIn = %v, want a TakenError", err)
	}
	if err := directory(s).ForgetIdentity(ctx, sam.ID, admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := s.UserIdentity(ctx, sam.ID); err != nil || ok {
		t.Errorf("after: identity bound = %v, %v; want none", ok, err)
	}
	if n, err := s.SessionCount(ctx, sam.ID); err != nil || n != 0 {
		t.Errorf("sessions = %d, %v; want ended", n, err)
	}
	log := lastAudit(t, s)
	if log.Action != "user.identity.forget" || log.ActorID != admin.ID || !strings.Contains(log.Before, "sam-old") {
		t.Errorf("audit = %+v", log)
	}
	n := auditCount(t, s)
	if err := directory(s).ForgetIdentity(ctx, sam.ID, admin.ID); !errors.Is(err, account.ErrUnchanged) {
		t.Errorf("again: %v, want ErrUnchanged", err)
	}
	if got := auditCount(t, s); got != n {
		t.Errorf("forgetting no identity was audit-logged")
	}
	if err := directory(s).ForgetIdentity(ctx, 4242, admin.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown user: %v, want ErrNotFound", err)
	}
	u, err := s.SignIn(ctx, replaced)
	if err != nil || u.ID != sam.ID {
		t.Fatalf("after: SignIn = %d, %v; want account %d linked", u.ID, err, sam.ID)
	}
	if iss, sub, ok, err := s.UserIdentity(ctx, sam.ID); err != nil || !ok || iss != testIssuer || sub != "sam-new" {
		t.Errorf("identity = %s %s %v %v; want the new one", iss, sub, ok, err)
	}
}

// TestMigrationKeepsSubjects reruns migration 0013 over a users table with
// subjects as they were kept before it.
func TestMigrationKeepsSubjects(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "portal.db")
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	u := mustSignIn(t, s, "x", "sam@example.com")
	directory := mustSignIn(t, s, "y", "dana@example.com")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`DROP TABLE identities`,
		`DELETE FROM schema_migrations WHERE name LIKE '%0013_identities.sql'`,
		fmt.Sprintf(`UPDATE users SET subject = 'oidc:sam' WHERE id = %d`, u.ID),
		fmt.Sprintf(`UPDATE users SET subject = NULL WHERE id = %d`, directory.ID),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpenStoreAt(t, path)
	got, err := s.SignIn(ctx, account.Identity{Issuer: testIssuer, Subject: "sam", LegacySubject: "oidc:sam",
		Email: "sam@example.com", EmailVerified: true, Name: "Sam"})
	if err != nil || got.ID != u.ID {
		t.Fatalf("legacy sign-in = %d, %v; want account %d", got.ID, err, u.ID)
	}
	linked, err := s.SignIn(ctx, account.Identity{Issuer: testIssuer, Subject: "dana", Email: "dana@example.com", EmailVerified: true})
	if err != nil || linked.ID != directory.ID {
		t.Fatalf("directory account = %d, %v; want %d linked", linked.ID, err, directory.ID)
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
		u, err := s.SignIn(ctx, account.Identity{Issuer: testIssuer, Subject: "1", Email: "sam@example.com", EmailVerified: true, Name: "Sam", Roles: st.roles})
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
		{"no subject", account.Identity{Issuer: testIssuer, Email: "sam@example.com", EmailVerified: true}},
		{"no email", account.Identity{Issuer: testIssuer, Subject: "1", EmailVerified: true}},
		{"no issuer", account.Identity{Subject: "1", Email: "sam@example.com", EmailVerified: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if u, err := s.SignIn(context.Background(), tt.id); err == nil {
				t.Errorf("SignIn = %+v, nil; want an error", u)
			}
		})
	}
	if n, err := s.CountUsers(context.Background()); err != nil || n != 0 {
		t.Errorf("CountUsers = %d, %v; want 0", n, err)
	}
}

func TestProvisionDoesNotRecordSignIn(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	// Provision vouches for the email; SignIn of the same identity then
	// finds the account by its binding.
	id := account.Identity{Issuer: testIssuer, Subject: "sam", Email: "sam@example.com", Name: "Sam", Roles: []account.Role{account.HR}}

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
