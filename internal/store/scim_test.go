package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/scim"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

// scimAuditActions returns the actions of the audit entries after the
// first skip ones, oldest first, and checks every SCIM one has no actor.
func scimAuditActions(tb testing.TB, s *store.Store, skip int) []string {
	tb.Helper()
	log, err := auditLog(context.Background(), s, 1000)
	if err != nil {
		tb.Fatalf("audit log: %v", err)
	}
	var out []string
	for i := len(log) - 1 - skip; i >= 0; i-- {
		e := log[i]
		if strings.HasPrefix(e.Action, "scim.user.") || strings.HasPrefix(e.Action, "scim.group.") {
			if e.ActorID != 0 {
				tb.Errorf("%s has actor %d, want 0 (the provisioning client)", e.Action, e.ActorID)
			}
		}
		out = append(out, e.Action)
	}
	return out
}

func mustSCIMUser(tb testing.TB, s *store.Store, userName string) scim.User {
	tb.Helper()
	u, err := s.CreateSCIMUser(context.Background(), scim.User{UserName: userName, Email: userName, DisplayName: "Name of " + userName,
		GivenName: "Given", FamilyName: "Family", ExternalID: "ext-" + userName, Active: true}, 1)
	if err != nil {
		tb.Fatalf("CreateSCIMUser %s: %v", userName, err)
	}
	return u
}

func TestSCIMTokens(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	admin := mustSignIn(t, s, "oidc:admin", "admin@example.com", account.Admin)

	id, err := s.CreateSCIMToken(ctx, "Entra ID", "hash-of-secret", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "scim.token.create" || e.ActorID != admin.ID || strings.Contains(e.After, "hash-of-secret") {
		t.Errorf("audit = %+v, want scim.token.create by the admin without the hash", e)
	}
	active, err := s.ActiveSCIMTokens(ctx)
	if err != nil || len(active) != 1 || active[0].ID != id || active[0].Hash != "hash-of-secret" {
		t.Fatalf("ActiveSCIMTokens = %+v, %v", active, err)
	}

	if err := s.TouchSCIMToken(ctx, id); err != nil {
		t.Fatal(err)
	}
	first := c.Now()
	c.Advance(30 * time.Second)
	if err := s.TouchSCIMToken(ctx, id); err != nil {
		t.Fatal(err)
	}
	tokens, err := s.SCIMTokens(ctx)
	if err != nil || len(tokens) != 1 {
		t.Fatalf("SCIMTokens = %+v, %v", tokens, err)
	}
	if !tokens[0].LastUsedAt.Equal(first) || tokens[0].CreatedByName != admin.Name {
		t.Errorf("token = %+v, want last used %v (written at most once a minute) by %s", tokens[0], first, admin.Name)
	}

	before := auditCount(t, s)
	if err := s.RevokeSCIMToken(ctx, id, admin.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeSCIMToken(ctx, id, admin.ID); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	if n := auditCount(t, s); n != before+1 || lastAudit(t, s).Action != "scim.token.revoke" {
		t.Errorf("audit entries after revoking twice = %d, want %d, the last scim.token.revoke", n, before+1)
	}
	if active, err := s.ActiveSCIMTokens(ctx); err != nil || len(active) != 0 {
		t.Errorf("a revoked token is still active: %+v (error: %v)", active, err)
	}
	if err := s.RevokeSCIMToken(ctx, 999, admin.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking an unknown token: %v, want ErrNotFound", err)
	}
}

func TestSCIMUserLifecycle(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	skip := auditCount(t, s)

	u := mustSCIMUser(t, s, "Ada@Example.com")
	if !u.Active || u.Created.IsZero() || u.DisplayName != "Name of Ada@Example.com" {
		t.Errorf("created %+v", u)
	}
	if got, err := s.User(ctx, u.ID); err != nil || !got.Has(account.Employee) {
		t.Errorf("User = %+v, %v; want the employee role", got, err)
	}
	if _, err := s.CreateSCIMUser(ctx, scim.User{UserName: "ada@example.com", Email: "other@example.com", DisplayName: "Other", Active: true}, 1); !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate userName (other case): %v, want ErrExists", err)
	}

	for _, f := range []scim.EqualityFilter{
		{Attr: "userName", Value: "ADA@example.com"},
		{Attr: "emails.value", Value: "ada@example.com"},
		{Attr: "externalId", Value: "ext-Ada@Example.com"},
	} {
		got, total, err := s.SCIMUsers(ctx, f, 0, 10)
		if err != nil || total != 1 || len(got) != 1 || got[0].ID != u.ID {
			t.Errorf("SCIMUsers(%+v) = %+v, %d, %v", f, got, total, err)
		}
	}
	if got, total, err := s.SCIMUsers(ctx, scim.EqualityFilter{Attr: "externalId", Value: "EXT-ADA@EXAMPLE.COM"}, 0, 10); err != nil || total != 0 {
		t.Errorf("externalId is case-exact, got %+v, %v", got, err)
	}

	// Deactivation ends sessions; reactivating does not bring them back.
	if err := s.CreateSession(ctx, "session-hash", "", u.ID, "csrf", c.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	deactivate := func(u scim.User) (scim.User, error) { u.Active = false; return u, nil }
	if _, err := s.UpdateSCIMUser(ctx, u.ID, deactivate, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateSCIMUser(ctx, u.ID, deactivate, 1); err != nil {
		t.Fatal(err) // no change: no audit entry
	}
	if _, err := s.UpdateSCIMUser(ctx, u.ID, func(u scim.User) (scim.User, error) { u.Active = true; return u, nil }, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByHash(ctx, "session-hash"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session after deactivation and reactivation: %v, want ErrNotFound", err)
	}

	renamed, err := s.UpdateSCIMUser(ctx, u.ID, func(u scim.User) (scim.User, error) {
		u.UserName, u.Department = "ada.lovelace@example.com", "Engineering"
		return u, nil
	}, 1)
	if err != nil || renamed.UserName != "ada.lovelace@example.com" || renamed.Department != "Engineering" || renamed.Email != "Ada@Example.com" {
		t.Errorf("rename = %+v, %v; want a new userName, the address kept", renamed, err)
	}
	other := mustSCIMUser(t, s, "grace@example.com")
	if _, err := s.UpdateSCIMUser(ctx, other.ID, func(u scim.User) (scim.User, error) {
		u.UserName = "ADA.lovelace@example.com"
		return u, nil
	}, 1); !errors.Is(err, store.ErrExists) {
		t.Errorf("renaming onto another user's userName: %v, want ErrExists", err)
	}
	wantErr := scim.Errorf(400, scim.InvalidValue, "no")
	if _, err := s.UpdateSCIMUser(ctx, u.ID, func(scim.User) (scim.User, error) { return scim.User{}, wantErr }, 1); err != wantErr {
		t.Errorf("error from change = %v, want it returned as it is", err)
	}

	// DELETE deactivates and hides; history stays; creating again restores.
	if err := s.DeleteSCIMUser(ctx, u.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SCIMUser(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SCIMUser after delete: %v, want ErrNotFound", err)
	}
	if err := s.DeleteSCIMUser(ctx, u.ID, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	if _, total, err := s.SCIMUsers(ctx, scim.EqualityFilter{}, 0, 10); err != nil || total != 1 {
		t.Errorf("users SCIM sees after delete = %d, %v; want 1", total, err)
	}
	if kept, err := s.User(ctx, u.ID); err != nil || kept.Active {
		t.Errorf("deleted user in the portal = %+v, %v; want kept, inactive", kept, err)
	}
	back, err := s.CreateSCIMUser(ctx, scim.User{UserName: "ada.lovelace@example.com", Email: "ada@example.com", DisplayName: "Ada", Active: true}, 1)
	if err != nil || back.ID != u.ID || !back.Active {
		t.Errorf("re-created = %+v, %v; want user %d restored", back, err, u.ID)
	}

	want := []string{"scim.user.create", "scim.user.deactivate", "scim.user.reactivate", "scim.user.update",
		"scim.user.create", "scim.user.delete", "scim.user.restore"}
	if got := scimAuditActions(t, s, skip); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit actions = %v, want %v", got, want)
	}
	if e := lastAudit(t, s); !strings.Contains(e.After, `"scim_token":1`) || e.Target != fmt.Sprintf("user:%d", u.ID) {
		t.Errorf("audit entry %+v: want the token and the user", e)
	}
}

func TestSCIMUsersPaging(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	for _, name := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		mustSCIMUser(t, s, name)
	}
	got, total, err := s.SCIMUsers(ctx, scim.EqualityFilter{}, 1, 1)
	if err != nil || total != 3 || len(got) != 1 || got[0].UserName != "b@example.com" {
		t.Errorf("page 2 of 1 = %+v, total %d, %v", got, total, err)
	}
}

func TestSCIMGroupMembership(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com", account.HR)
	ada := mustSCIMUser(t, s, "ada@example.com")
	grace := mustSCIMUser(t, s, "grace@example.com")

	g, err := s.CreateSCIMGroup(ctx, scim.Group{DisplayName: "Sales", ExternalID: "g-1",
		Members: []scim.Member{{ID: ada.ID}}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Members) != 1 || g.Members[0].ID != ada.ID || g.Members[0].Display != ada.DisplayName {
		t.Errorf("members = %+v", g.Members)
	}
	if _, err := s.CreateSCIMGroup(ctx, scim.Group{DisplayName: "sales"}, 1); !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate displayName: %v, want ErrExists", err)
	}
	mustAssign(t, s, training.Assignment{Modules: []string{"disclosure"}, GroupID: g.ID, DueAt: c.Now().Add(14 * 24 * time.Hour), DueDays: 14}, hr.ID)

	// Joining through SCIM gives the group's training.
	add := func(ids ...int64) func(scim.Group) (scim.Group, error) {
		return func(g scim.Group) (scim.Group, error) {
			for _, id := range ids {
				g.Members = append(g.Members, scim.Member{ID: id})
			}
			return g, nil
		}
	}
	if _, err := s.UpdateSCIMGroup(ctx, g.ID, add(grace.ID), 1); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueDates(ctx, grace.ID)
	if err != nil || due["disclosure"].IsZero() {
		t.Errorf("grace's due dates = %v, %v; want the group's module", due, err)
	}
	if _, err := s.UpdateSCIMGroup(ctx, g.ID, add(424242), 1); !errors.Is(err, scim.ErrUnknownMember) {
		t.Errorf("adding an unknown user: %v, want ErrUnknownMember", err)
	}

	// A sign-in whose groups claim does not name the group keeps the SCIM membership.
	mustSignIn(t, s, "oidc:ada", "ada@example.com")
	if src := memberSources(t, s, g.ID); src["ada@example.com"] != account.SourceSCIM || src["grace@example.com"] != account.SourceSCIM {
		t.Errorf("sources after sign-in = %v, want both scim", src)
	}

	// Removing takes away SCIM memberships, not those made by hand.
	manual := mustSignIn(t, s, "oidc:lin", "lin@example.com")
	if err := s.AddToGroup(ctx, g.ID, manual.ID, account.SourceManual, hr.ID); err != nil {
		t.Fatal(err)
	}
	skip := auditCount(t, s)
	if _, err := s.UpdateSCIMGroup(ctx, g.ID, func(g scim.Group) (scim.Group, error) {
		g.Members, g.DisplayName = nil, "Sales EMEA"
		return g, nil
	}, 1); err != nil {
		t.Fatal(err)
	}
	got, err := s.SCIMGroup(ctx, g.ID, true)
	if err != nil || got.DisplayName != "Sales EMEA" || len(got.Members) != 1 || got.Members[0].ID != manual.ID {
		t.Errorf("after removing all = %+v, %v; want only the manual member", got, err)
	}
	want := []string{"scim.group.update", "scim.group.remove_member", "scim.group.remove_member"}
	if got := scimAuditActions(t, s, skip); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit actions = %v, want %v", got, want)
	}

	groups, total, err := s.SCIMGroups(ctx, scim.EqualityFilter{Attr: "displayName", Value: "sales emea"}, 0, 10, false)
	if err != nil || total != 1 || len(groups) != 1 || groups[0].ID != g.ID || groups[0].Members != nil {
		t.Errorf("SCIMGroups by displayName = %+v, %d, %v", groups, total, err)
	}
}

func TestDeleteSCIMGroup(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com", account.HR)
	ada := mustSCIMUser(t, s, "ada@example.com")

	plain, err := s.CreateSCIMGroup(ctx, scim.Group{DisplayName: "Plain", Members: []scim.Member{{ID: ada.ID}}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSCIMGroup(ctx, plain.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Group(ctx, plain.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a group nothing refers to is deleted; Group: %v", err)
	}

	trained, err := s.CreateSCIMGroup(ctx, scim.Group{DisplayName: "Trained", Members: []scim.Member{{ID: ada.ID}}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	mustAssign(t, s, training.Assignment{Modules: []string{"disclosure"}, GroupID: trained.ID, DueAt: c.Now().Add(time.Hour), DueDays: 14}, hr.ID)
	if err := s.DeleteSCIMGroup(ctx, trained.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SCIMGroup(ctx, trained.ID, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SCIMGroup of a retired group: %v, want ErrNotFound", err)
	}
	if _, err := s.Group(ctx, trained.ID); err != nil {
		t.Errorf("a group with assignments is retired, not deleted: %v", err)
	}
	if due, err := s.DueDates(ctx, ada.ID); err != nil || due["disclosure"].IsZero() {
		t.Errorf("ada's training task went with the group (error: %v)", err)
	}
	if e := lastAudit(t, s); e.Action != "scim.group.delete" || !strings.Contains(e.After, `"retired":true`) {
		t.Errorf("audit = %+v", e)
	}
	back, err := s.CreateSCIMGroup(ctx, scim.Group{DisplayName: "Trained"}, 1)
	if err != nil || back.ID != trained.ID {
		t.Errorf("re-created = %+v, %v; want group %d restored", back, err, trained.ID)
	}
}

// TestSCIMUserNameApartFromEmail: Entra ID's userName (the UPN) and the
// address from emails are kept apart, and both are unique.
func TestSCIMUserNameApartFromEmail(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u, err := s.CreateSCIMUser(ctx, scim.User{UserName: "GHopper@corp.example", Email: "grace.hopper@example.com",
		DisplayName: "Grace", NickName: "Amazing Grace", Formatted: "Rear Admiral Grace Hopper", Locale: "en-US",
		PreferredLanguage: "en", Active: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if u.UserName != "GHopper@corp.example" || u.Email != "grace.hopper@example.com" || u.NickName != "Amazing Grace" ||
		u.Formatted != "Rear Admiral Grace Hopper" || u.Locale != "en-US" || u.PreferredLanguage != "en" {
		t.Errorf("created %+v", u)
	}
	if got, err := s.User(ctx, u.ID); err != nil || got.Email != "grace.hopper@example.com" {
		t.Errorf("the portal's address = %q, %v; want the one from emails", got.Email, err)
	}
	find := func(attr, value string) []int64 {
		t.Helper()
		got, total, err := s.SCIMUsers(ctx, scim.EqualityFilter{Attr: attr, Value: value}, 0, 10)
		if err != nil || total != len(got) {
			t.Fatalf("SCIMUsers(%s eq %q) = %+v, %d, %v", attr, value, got, total, err)
		}
		ids := []int64{}
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		return ids
	}
	signedIn := mustSignIn(t, s, "oidc:lin", "lin@example.com")
	for _, tt := range []struct {
		attr, value string
		want        []int64
	}{
		{"userName", "ghopper@CORP.example", []int64{u.ID}},
		{"userName", "grace.hopper@example.com", []int64{}},
		{"emails.value", "Grace.Hopper@example.com", []int64{u.ID}},
		{"emails.value", "GHopper@corp.example", []int64{}},
		{"userName", "LIN@example.com", []int64{signedIn.ID}}, // not provisioned: the address is the userName
	} {
		if got := find(tt.attr, tt.value); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s eq %q: %v, want %v", tt.attr, tt.value, got, tt.want)
		}
	}

	// A new address for someone who signed in keeps their userName.
	moved, err := s.UpdateSCIMUser(ctx, signedIn.ID, func(u scim.User) (scim.User, error) {
		u.Email = "lin.chen@example.com"
		return u, nil
	}, 1)
	if err != nil || moved.UserName != "lin@example.com" || moved.Email != "lin.chen@example.com" {
		t.Errorf("new address = %+v, %v; want userName lin@example.com kept", moved, err)
	}

	// Unique: a userName another has as userName, or as address when not
	// provisioned; an address another has.
	mustSignIn(t, s, "oidc:mei", "mei@example.com")
	for _, tt := range []struct{ userName, email string }{
		{"ghopper@corp.example", "new1@example.com"},
		{"MEI@example.com", "new2@example.com"},
		{"new3@corp.example", "GRACE.HOPPER@example.com"},
	} {
		if _, err := s.CreateSCIMUser(ctx, scim.User{UserName: tt.userName, Email: tt.email, DisplayName: "x", Active: true}, 1); !errors.Is(err, store.ErrExists) {
			t.Errorf("create userName %s, address %s: %v, want ErrExists", tt.userName, tt.email, err)
		}
		if _, err := s.UpdateSCIMUser(ctx, moved.ID, func(u scim.User) (scim.User, error) {
			u.UserName, u.Email = tt.userName, tt.email
			return u, nil
		}, 1); !errors.Is(err, store.ErrExists) {
			t.Errorf("update to userName %s, address %s: %v, want ErrExists", tt.userName, tt.email, err)
		}
	}
}

// TestSCIMMeta: created, lastModified and version follow every change of
// what SCIM shows, whoever makes it.
func TestSCIMMeta(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	admin := mustSignIn(t, s, "oidc:admin", "admin@example.com", account.Admin)
	created := c.Now()
	u := mustSCIMUser(t, s, "ada@example.com")
	if !u.Created.Equal(created) || !u.Modified.Equal(created) || u.Revision != 0 {
		t.Errorf("created: %v %v revision %d; want both %v, revision 0", u.Created, u.Modified, u.Revision, created)
	}

	c.Advance(time.Hour)
	u, err := s.UpdateSCIMUser(ctx, u.ID, func(u scim.User) (scim.User, error) { u.NickName = "Countess"; return u, nil }, 1)
	if err != nil || !u.Modified.Equal(c.Now()) || u.Revision != 1 || !u.Created.Equal(created) {
		t.Errorf("after a change: %+v, %v; want modified %v, revision 1", u, err, c.Now())
	}
	c.Advance(time.Hour)
	same, err := s.UpdateSCIMUser(ctx, u.ID, func(u scim.User) (scim.User, error) { return u, nil }, 1)
	if err != nil || !same.Modified.Equal(u.Modified) || same.Revision != 1 {
		t.Errorf("after no change: %+v, %v; want it as it was", same, err)
	}

	// Outside SCIM: an admin deactivates; the database counts it.
	if err := directory(s).SetActive(ctx, u.ID, false, admin.ID); err != nil {
		t.Fatal(err)
	}
	off, err := s.SCIMUser(ctx, u.ID)
	if err != nil || off.Revision != 2 || off.Modified.Equal(u.Modified) || off.Modified.IsZero() {
		t.Errorf("after an admin's change: %+v, %v; want revision 2 and a new lastModified", off, err)
	}

	// Groups: created and changed by SCIM, then a member added by hand.
	g, err := s.CreateSCIMGroup(ctx, scim.Group{DisplayName: "Sales", Members: []scim.Member{{ID: u.ID}}}, 1)
	if err != nil || !g.Created.Equal(c.Now()) || !g.Modified.Equal(c.Now()) {
		t.Fatalf("created group %+v, %v; want created and modified %v", g, err, c.Now())
	}
	c.Advance(time.Minute)
	g2, err := s.UpdateSCIMGroup(ctx, g.ID, func(g scim.Group) (scim.Group, error) { g.DisplayName = "Sales EMEA"; return g, nil }, 1)
	if err != nil || !g2.Modified.Equal(c.Now()) || g2.Revision <= g.Revision {
		t.Errorf("renamed group %+v, %v; want modified %v and a new revision", g2, err, c.Now())
	}
	lin := mustSignIn(t, s, "oidc:lin", "lin@example.com")
	if err := s.AddToGroup(ctx, g.ID, lin.ID, account.SourceManual, admin.ID); err != nil {
		t.Fatal(err)
	}
	g3, err := s.SCIMGroup(ctx, g.ID, false)
	if err != nil || g3.Revision <= g2.Revision || g3.Modified.Equal(g2.Modified) {
		t.Errorf("group after a member was added by hand = %+v, %v; want a new revision and lastModified", g3, err)
	}
	// A group made outside SCIM gets its creation time from the database.
	id, err := s.CreateGroup(ctx, "Made by hand", account.Team, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if hand, err := s.SCIMGroup(ctx, id, false); err != nil || hand.Created.IsZero() {
		t.Errorf("group made by hand = %+v, %v; want a creation time", hand, err)
	}
}

// TestEraseClearsSCIMAttributes: erasure also removes what SCIM brought.
func TestEraseClearsSCIMAttributes(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	admin := mustSignIn(t, s, "oidc:admin", "admin@example.com", account.Admin)
	u, err := s.CreateSCIMUser(ctx, scim.User{UserName: "GHopper@corp.example", Email: "grace@example.com", DisplayName: "Grace",
		NickName: "Amazing Grace", Formatted: "Grace Brewster Hopper", Locale: "en-US", PreferredLanguage: "en", Active: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseUser(ctx, u.ID, "grace@example.com", admin.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.SCIMUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{got.UserName, got.Email, got.NickName, got.Formatted, got.Locale, got.PreferredLanguage} {
		if strings.Contains(strings.ToLower(v), "hopper") || strings.Contains(strings.ToLower(v), "grace") || v == "en-US" || v == "en" {
			t.Errorf("erased user still holds %q: %+v", v, got)
		}
	}
}
