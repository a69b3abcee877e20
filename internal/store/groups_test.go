package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/roster"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

// memberSources returns the members of a group as email to source.
func memberSources(tb testing.TB, s *store.Store, groupID int64) map[string]string {
	tb.Helper()
	members, err := s.GroupMembers(context.Background(), groupID)
	if err != nil {
		tb.Fatalf("GroupMembers %d: %v", groupID, err)
	}
	out := map[string]string{}
	for _, m := range members {
		out[m.Email] = m.Source
	}
	return out
}

func TestCreateGroup(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
	id, err := s.CreateGroup(ctx, "Sales", account.Department, hr.ID)
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	if _, err := s.CreateGroup(ctx, "sales", account.Team, hr.ID); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateGroup with the same name in another case: error %v, want ErrExists", err)
	}
	g, err := s.Group(ctx, id)
	if err != nil || g.Name != "Sales" || g.Kind != account.Department || g.Members != 0 {
		t.Errorf("Group = %+v, %v; want Sales, department, no members", g, err)
	}
	if e := lastAudit(t, s); e.Action != "group.create" || e.Target != fmt.Sprintf("group:%d", id) {
		t.Errorf("audit entry = %+v, want group.create", e)
	}
	if _, err := s.Group(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Group(999) error = %v, want ErrNotFound", err)
	}
}

func TestSignInJoinsIdPGroups(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
	sales := mustGroup(t, s, "Sales", account.Department, hr.ID)
	berlin := mustGroup(t, s, "Berlin", account.Location, hr.ID)
	blue := mustGroup(t, s, "Blue", account.Team, hr.ID)
	due := c.Now().Add(30 * day)
	mustAssign(t, s, training.Assignment{Modules: []string{"disclosure"}, GroupID: sales, DueAt: due, DueDays: 10}, hr.ID)

	// Sam is in Berlin by hand before ever signing in... which needs a user.
	sam := mustSignIn(t, s, "oidc:1", "sam@example.com")
	if err := s.AddToGroup(ctx, berlin, sam.ID, account.SourceManual, hr.ID); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name       string
		groups     []string
		wantGroups []string
		wantSource map[int64]string // group to Sam's membership source
	}{
		{"groups claim: known groups joined, unknown ones ignored", []string{"sales", "Berlin", "Nowhere"},
			[]string{"Berlin", "Sales"}, map[int64]string{sales: account.SourceIdP, berlin: account.SourceManual}},
		{"a new group in the claim", []string{"Sales", "Blue"},
			[]string{"Berlin", "Blue", "Sales"}, map[int64]string{sales: account.SourceIdP, berlin: account.SourceManual, blue: account.SourceIdP}},
		{"claim without them: provider groups left, manual kept", nil,
			[]string{"Berlin"}, map[int64]string{berlin: account.SourceManual}},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			c.Advance(time.Hour)
			if _, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "oidc:1", Email: "sam@example.com", Name: "Sam", Groups: st.groups}); err != nil {
				t.Fatalf("SignIn: %v", err)
			}
			got, err := s.GroupNames(ctx, sam.ID)
			if err != nil || !slices.Equal(got, st.wantGroups) {
				t.Errorf("GroupNames = %v, %v; want %v", got, err, st.wantGroups)
			}
			for _, g := range []int64{sales, berlin, blue} {
				if got, want := memberSources(t, s, g)["sam@example.com"], st.wantSource[g]; got != want {
					t.Errorf("Sam's membership of group %d has source %q, want %q", g, got, want)
				}
			}
		})
	}
	// Joining Sales through the provider gave Sam its assignment.
	if _, ok := mustOpenTasks(t, s)[fmt.Sprintf("%d:disclosure", sam.ID)]; !ok {
		t.Errorf("Sam has no disclosure task from joining Sales through the provider")
	}
	if groups, err := s.Groups(ctx); err != nil || len(groups) != 3 {
		t.Errorf("Groups = %+v, want the 3 created (a sign-in creates none) (error: %v)", groups, err)
	}
}

func TestImportRoster(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
	sam, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "oidc:1", Email: "sam@example.com", Name: "Sam", Department: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "oidc:2", Email: "kim@example.com", Name: "Kim Keeps"})
	if err != nil {
		t.Fatal(err)
	}
	sales := mustGroup(t, s, "Sales", account.Department, hr.ID)
	due := c.Now().Add(30 * day)
	mustAssign(t, s, training.Assignment{Modules: []string{"disclosure"}, GroupID: sales, DueAt: due, DueDays: 10}, hr.ID)
	usersBefore, err := s.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}

	c.Advance(time.Hour)
	rows := []roster.Row{
		{Line: 2, Email: "Sam@Example.com", Name: "Samuel", Department: "sales", Location: "Berlin", Team: "Blue"},
		{Line: 3, Email: "noor@example.com", Department: "Sales"},
		{Line: 4, Email: "li@example.com", Name: "Li", Location: "Berlin"},
		{Line: 5, Email: "kim@example.com"},
	}
	created, updated, err := s.ImportRoster(ctx, rows, hr.ID)
	if err != nil {
		t.Fatalf("ImportRoster: %v", err)
	}
	if created != 2 || updated != 2 {
		t.Errorf("ImportRoster = %d created, %d updated; want 2, 2", created, updated)
	}
	if n, err := s.CountUsers(ctx); err != nil || n != usersBefore+2 {
		t.Errorf("CountUsers = %d, want %d (error: %v)", n, usersBefore+2, err)
	}

	users := []struct {
		email          string
		wantName       string
		wantDepartment string
		wantGroups     []string
	}{
		{"sam@example.com", "Samuel", "sales", []string{"Berlin", "Blue", "Sales"}},
		{"noor@example.com", "noor", "Sales", []string{"Sales"}},
		{"li@example.com", "Li", "", []string{"Berlin"}},
		{"kim@example.com", "Kim Keeps", "", nil},
	}
	for _, tt := range users {
		t.Run(tt.email, func(t *testing.T) {
			id, err := s.UserByEmail(ctx, tt.email)
			if err != nil {
				t.Fatalf("UserByEmail: %v", err)
			}
			u, err := s.User(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if u.Name != tt.wantName || u.Department != tt.wantDepartment || !u.Has(account.Employee) || !u.Active {
				t.Errorf("user = %+v, want name %q, department %q, an active employee", u, tt.wantName, tt.wantDepartment)
			}
			if got, err := s.GroupNames(ctx, id); err != nil || !slices.Equal(got, tt.wantGroups) {
				t.Errorf("groups = %v, want %v (error: %v)", got, tt.wantGroups, err)
			}
		})
	}
	if id, err := s.UserByEmail(ctx, "sam@example.com"); err != nil || id != sam.ID {
		t.Errorf("Sam's row was matched to user %d, want %d (error: %v)", id, sam.ID, err)
	}
	if id, err := s.UserByEmail(ctx, "kim@example.com"); err != nil || id != kept.ID {
		t.Errorf("Kim's row was matched to user %d, want %d (error: %v)", id, kept.ID, err)
	}

	groups, err := s.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range groups {
		got = append(got, fmt.Sprintf("%s %s %d", g.Kind, g.Name, g.Members))
	}
	want := []string{"department Sales 2", "location Berlin 2", "team Blue 1"}
	if !slices.Equal(got, want) {
		t.Errorf("Groups = %v, want %v", got, want)
	}
	if src := memberSources(t, s, sales); src["noor@example.com"] != account.SourceCSV || src["sam@example.com"] != account.SourceCSV {
		t.Errorf("Sales members = %v, want both from csv", src)
	}
	noor, err := s.UserByEmail(ctx, "noor@example.com")
	if err != nil {
		t.Fatal(err)
	}
	tasks := mustOpenTasks(t, s)
	if task, ok := tasks[fmt.Sprintf("%d:disclosure", noor)]; !ok || !task.DueAt.Equal(due) {
		t.Errorf("Noor's disclosure task = %+v (found %v), want one due %v from joining Sales", task, ok, due)
	}

	e := lastAudit(t, s)
	if e.Action != "roster.import" || e.ActorID != hr.ID || e.After != `{"created":2,"rows":4,"updated":2}` {
		t.Errorf("audit entry = %+v, want roster.import of 4 rows, 2 created, 2 updated", e)
	}
}

func TestImportRosterAllOrNothing(t *testing.T) {
	rows := []roster.Row{
		{Line: 2, Email: "first@example.com", Name: "First", Department: "Sales", Team: "Blue"},
		{Line: 3, Email: "bad@example.com", Name: "Bad", Location: "Berlin"},
		{Line: 4, Email: "last@example.com", Name: "Last", Department: "Support"},
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, db *sql.DB, hrID int64) (actorID int64)
		rows    []roster.Row
		wantErr string // a part of the error
	}{
		{
			// A row in the middle the database refuses, after earlier rows
			// created a user, groups and memberships.
			name: "a row in the middle fails",
			setup: func(t *testing.T, db *sql.DB, hrID int64) int64 {
				if _, err := db.Exec(`CREATE TRIGGER refuse_bad BEFORE INSERT ON users WHEN NEW.email = 'bad@example.com'
					BEGIN SELECT RAISE(ABORT, 'refused by test'); END`); err != nil {
					t.Fatalf("create trigger: %v", err)
				}
				return hrID
			},
			rows:    rows,
			wantErr: "line 3",
		},
		{
			// Every row goes in, then the audit entry cannot be written.
			name:    "the audit entry fails",
			setup:   func(t *testing.T, db *sql.DB, hrID int64) int64 { return 9999 }, // no such user
			rows:    rows,
			wantErr: "audit",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, db := mustOpenStoreAndDB(t)
			hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
			existing := mustSignIn(t, s, "oidc:1", "last@example.com")
			actorID := tt.setup(t, db, hr.ID)
			usersBefore, err := s.CountUsers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			auditBefore := auditCount(t, s)

			created, updated, err := s.ImportRoster(ctx, tt.rows, actorID)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ImportRoster = %d, %d, %v; want an error about %q", created, updated, err, tt.wantErr)
			}
			if n, err := s.CountUsers(ctx); err != nil || n != usersBefore {
				t.Errorf("CountUsers = %d after a failed import, want %d (error: %v)", n, usersBefore, err)
			}
			if _, err := s.UserByEmail(ctx, "first@example.com"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the first row's user exists after a failed import (%v)", err)
			}
			if groups, err := s.Groups(ctx); err != nil || len(groups) != 0 {
				t.Errorf("groups %+v exist after a failed import, want none (error: %v)", groups, err)
			}
			if u, err := s.User(ctx, existing.ID); err != nil || u.Name != existing.Name {
				t.Errorf("existing user renamed to %q by a failed import, want %q (error: %v)", u.Name, existing.Name, err)
			}
			if n := auditCount(t, s); n != auditBefore {
				t.Errorf("audit log has %d entries after a failed import, want %d", n, auditBefore)
			}
		})
	}
}

func TestMembershipAddedByHandOutlivesTheProvider(t *testing.T) {
	// Sam is in Sales through the identity provider's groups claim. HR then
	// adds Sam to Sales by hand (or a roster import puts Sam in Sales). When
	// the provider later stops sending Sales, the membership HR made must
	// stay: setIdPGroups only removes memberships that came from the provider.
	tests := []struct {
		name       string
		add        func(t *testing.T, s *store.Store, groupID, userID, hrID int64)
		wantSource string
	}{
		{"added by hand", func(t *testing.T, s *store.Store, groupID, userID, hrID int64) {
			if err := s.AddToGroup(context.Background(), groupID, userID, account.SourceManual, hrID); err != nil {
				t.Fatalf("AddToGroup: %v", err)
			}
		}, account.SourceManual},
		{"imported from a roster", func(t *testing.T, s *store.Store, groupID, userID, hrID int64) {
			if _, _, err := s.ImportRoster(context.Background(), []roster.Row{{Line: 2, Email: "sam@example.com", Department: "Sales"}}, hrID); err != nil {
				t.Fatalf("ImportRoster: %v", err)
			}
		}, account.SourceCSV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := mustOpenStore(t)
			hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
			sales := mustGroup(t, s, "Sales", account.Department, hr.ID)
			id := account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "oidc:1", Email: "sam@example.com", Name: "Sam", Groups: []string{"Sales"}}
			sam, err := s.SignIn(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			tt.add(t, s, sales, sam.ID, hr.ID)
			if got := memberSources(t, s, sales)["sam@example.com"]; got != tt.wantSource {
				t.Errorf("after being %s, Sam's membership source is %q, want %q", tt.name, got, tt.wantSource)
			}
			id.Groups = nil
			if _, err := s.SignIn(ctx, id); err != nil {
				t.Fatal(err)
			}
			if got, err := s.GroupNames(ctx, sam.ID); err != nil || !slices.Contains(got, "Sales") {
				t.Errorf("a sign-in without Sales removed the membership Sam got by being %s; groups now %v (error: %v)", tt.name, got, err)
			}
		})
	}
}
