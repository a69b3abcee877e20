package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

// mustSignInNamed signs in a person with a name, email and provider roles.
func mustSignInNamed(tb testing.TB, s *store.Store, name, email string, roles ...account.Role) account.User {
	tb.Helper()
	u, err := s.SignIn(context.Background(), account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "oidc:" + email, Email: email, Name: name, Roles: roles})
	if err != nil {
		tb.Fatalf("SignIn %s: %v", email, err)
	}
	return u
}

// directory is the admins' users service over s: the roles and
// deactivation tests below run its rules over the store's transactions.
func directory(s *store.Store) *account.Directory { return account.NewDirectory(s, nil) }

func userRowIDs(rows []account.UserRow) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func TestListUsers(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	ada := mustSignInNamed(t, s, "Ada Lovelace", "ada@example.com", account.Admin)
	bob := mustSignInNamed(t, s, "Bob Stone", "bob@example.nl", account.HR)
	cleo := mustSignInNamed(t, s, "Cleo 100% Real", "cleo_x@example.com")
	dan := mustSignInNamed(t, s, "dan brown", "dan@example.com", account.Comms)
	sales := mustGroup(t, s, "Sales", account.Department, ada.ID, bob.ID, cleo.ID)
	mustGroup(t, s, "Empty", account.Team, ada.ID)
	if _, err := directory(s).SetManualRoles(ctx, cleo.ID, []account.Role{account.Comms}, ada.ID); err != nil {
		t.Fatal(err)
	}
	if err := directory(s).SetActive(ctx, dan.ID, false, ada.ID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		filter    account.UserFilter
		wantIDs   []int64
		wantTotal int
	}{
		{"everyone, by name ignoring case", account.UserFilter{}, []int64{ada.ID, bob.ID, cleo.ID, dan.ID}, 4},
		{"name contains, case ignored", account.UserFilter{Q: "STONE"}, []int64{bob.ID}, 1},
		{"email contains", account.UserFilter{Q: "example.nl"}, []int64{bob.ID}, 1},
		{"percent is literal", account.UserFilter{Q: "100%"}, []int64{cleo.ID}, 1},
		{"underscore is literal", account.UserFilter{Q: "o_x"}, []int64{cleo.ID}, 1},
		{"underscore does not match any character", account.UserFilter{Q: "a_a"}, []int64{}, 0},
		{"role from the provider", account.UserFilter{Role: account.HR}, []int64{bob.ID}, 1},
		{"role from either source", account.UserFilter{Role: account.Comms}, []int64{cleo.ID, dan.ID}, 2},
		{"every user is an employee", account.UserFilter{Role: account.Employee}, []int64{ada.ID, bob.ID, cleo.ID, dan.ID}, 4},
		{"group", account.UserFilter{GroupID: sales}, []int64{bob.ID, cleo.ID}, 2},
		{"active", account.UserFilter{Status: account.StatusActive}, []int64{ada.ID, bob.ID, cleo.ID}, 3},
		{"deactivated", account.UserFilter{Status: account.StatusDeactivated}, []int64{dan.ID}, 1},
		{"filters combine", account.UserFilter{Role: account.Comms, Status: account.StatusActive, GroupID: sales}, []int64{cleo.ID}, 1},
		{"first page", account.UserFilter{Limit: 3}, []int64{ada.ID, bob.ID, cleo.ID}, 4},
		{"second page", account.UserFilter{Limit: 3, Offset: 3}, []int64{dan.ID}, 4},
		{"past the end", account.UserFilter{Limit: 3, Offset: 6}, []int64{}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, total, err := s.ListUsers(ctx, tt.filter)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			if got := userRowIDs(rows); !slices.Equal(got, tt.wantIDs) || total != tt.wantTotal {
				t.Errorf("ListUsers = %v (total %d), want %v (total %d)", got, total, tt.wantIDs, tt.wantTotal)
			}
		})
	}

	rows, _, err := s.ListUsers(ctx, account.UserFilter{Q: "cleo"})
	if err != nil || len(rows) != 1 {
		t.Fatalf("ListUsers cleo = %v, %v", rows, err)
	}
	if want := []account.Role{account.Employee, account.Comms}; !slices.Equal(rows[0].Roles, want) || !slices.Equal(rows[0].Groups, []string{"Sales"}) {
		t.Errorf("cleo's row = roles %v groups %q, want %v and Sales", rows[0].Roles, rows[0].Groups, want)
	}
	if _, _, err := s.ListUsers(ctx, account.UserFilter{Status: "gone"}); err == nil {
		t.Errorf("ListUsers with an unknown status: no error")
	}
}

// auditRecordsOf returns the entries with the given action, oldest first.
func auditRecordsOf(tb testing.TB, s *store.Store, action string) []audit.Record {
	tb.Helper()
	rows, _, err := s.SearchAudit(context.Background(), audit.Filter{Action: action})
	if err != nil {
		tb.Fatalf("SearchAudit: %v", err)
	}
	slices.Reverse(rows)
	return rows
}

func decodeAuditJSON(tb testing.TB, s string) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		tb.Fatalf("decode %q: %v", s, err)
	}
	return m
}

// TestSetManualRoles: the directory's changes of manual roles, decided in
// the store's transaction (ChangeManualRoles), write the roles and one
// audit entry, or nothing.
func TestSetManualRoles(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	admin := mustSignInNamed(t, s, "Ada", "ada@example.com", account.Admin)
	sam := mustSignInNamed(t, s, "Sam", "sam@example.com", account.HR)

	steps := []struct {
		name        string
		user, actor int64
		roles       []account.Role
		wantChanged bool
		wantErr     error
		wantIdP     []account.Role
		wantManual  []account.Role
		wantBefore  string // the audit entry's Before, when one is written
		wantAfter   string
	}{
		{"grant comms and admin by hand", sam.ID, admin.ID, []account.Role{account.Admin, account.Comms, account.Admin}, true, nil,
			[]account.Role{account.Employee, account.HR}, []account.Role{account.Comms, account.Admin},
			`{"manual":[],"roles":["employee","hr"]}`, `{"manual":["comms","admin"],"roles":["employee","hr","comms","admin"]}`},
		{"the same set again changes nothing", sam.ID, admin.ID, []account.Role{account.Comms, account.Admin}, false, nil,
			[]account.Role{account.Employee, account.HR}, []account.Role{account.Comms, account.Admin}, "", ""},
		{"a mapped role granted by hand too is kept apart", sam.ID, admin.ID, []account.Role{account.HR}, true, nil,
			[]account.Role{account.Employee, account.HR}, []account.Role{account.HR},
			`{"manual":["comms","admin"],"roles":["employee","hr","comms","admin"]}`, `{"manual":["hr"],"roles":["employee","hr"]}`},
		{"revoking every manual role leaves the mapped ones", sam.ID, admin.ID, nil, true, nil,
			[]account.Role{account.Employee, account.HR}, nil,
			`{"manual":["hr"],"roles":["employee","hr"]}`, `{"manual":[],"roles":["employee","hr"]}`},
		{"an unknown role is refused", sam.ID, admin.ID, []account.Role{"root"}, false, errAny,
			[]account.Role{account.Employee, account.HR}, nil, "", ""},
		{"an unknown user", 9999, admin.ID, []account.Role{account.HR}, false, store.ErrNotFound, nil, nil, "", ""},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			n := auditCount(t, s)
			changed, err := directory(s).SetManualRoles(ctx, st.user, st.roles, st.actor)
			if !errMatches(err, st.wantErr) {
				t.Fatalf("SetManualRoles: %v, want %v", err, st.wantErr)
			}
			if changed != st.wantChanged {
				t.Errorf("changed = %t, want %t", changed, st.wantChanged)
			}
			if st.user == sam.ID {
				g, err := s.UserRoleGrants(ctx, sam.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(g.IdP, st.wantIdP) || !slices.Equal(g.Manual, st.wantManual) {
					t.Errorf("grants = idp %v manual %v, want %v and %v", g.IdP, g.Manual, st.wantIdP, st.wantManual)
				}
			}
			if !st.wantChanged {
				if got := auditCount(t, s); got != n {
					t.Errorf("audit entries = %d, want %d (unchanged)", got, n)
				}
				return
			}
			if got := auditCount(t, s); got != n+1 {
				t.Fatalf("audit entries = %d, want %d", got, n+1)
			}
			e := lastAudit(t, s)
			if e.Action != "user.roles" || e.ActorID != admin.ID || e.Target != "user:"+idText(sam.ID) ||
				e.Before != st.wantBefore || e.After != st.wantAfter {
				t.Errorf("audit = %+v, want user.roles by %d on user:%d, %s → %s", e, admin.ID, sam.ID, st.wantBefore, st.wantAfter)
			}
		})
	}

	// A sign-in replaces the mapped roles and keeps those granted by hand.
	if _, err := directory(s).SetManualRoles(ctx, sam.ID, []account.Role{account.Comms}, admin.ID); err != nil {
		t.Fatal(err)
	}
	again := mustSignInNamed(t, s, "Sam", "sam@example.com")
	g, err := s.UserRoleGrants(ctx, sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.IdP, []account.Role{account.Employee}) || !slices.Equal(g.Manual, []account.Role{account.Comms}) ||
		!slices.Equal(again.Roles, []account.Role{account.Employee, account.Comms}) {
		t.Errorf("after sign-in: idp %v manual %v roles %v, want [employee] [comms] [employee comms]", g.IdP, g.Manual, again.Roles)
	}
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }

// errAny stands for "some error" in tables of wanted errors.
var errAny = errors.New("any error")

// errMatches reports whether err is what want asks for: nil, any error
// (errAny), or one wrapping want.
func errMatches(err, want error) bool {
	switch want {
	case nil:
		return err == nil
	case errAny:
		return err != nil
	}
	return errors.Is(err, want)
}

// TestSetManualRolesSelfDemotion: an admin's refused change to their own
// admin role leaves the roles and the audit log as they were.
func TestSetManualRolesSelfDemotion(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	boot := mustSignInNamed(t, s, "Boot", "boot@example.com", account.Admin)
	manual := mustSignInNamed(t, s, "Manual", "manual@example.com")
	if _, err := directory(s).SetManualRoles(ctx, manual.ID, []account.Role{account.Admin, account.HR}, boot.ID); err != nil {
		t.Fatal(err)
	}
	mapped := mustSignInNamed(t, s, "Mapped", "mapped@example.com", account.Admin)
	if _, err := directory(s).SetManualRoles(ctx, mapped.ID, []account.Role{account.Admin}, boot.ID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name        string
		user, actor int64
		roles       []account.Role
		wantErr     error
		wantManual  []account.Role
	}{
		{"an admin by hand cannot drop their own admin role", manual.ID, manual.ID, []account.Role{account.HR},
			account.ErrSelfLockout, []account.Role{account.HR, account.Admin}},
		{"they may change their other roles", manual.ID, manual.ID, []account.Role{account.Admin},
			nil, []account.Role{account.Admin}},
		{"another admin may demote them", manual.ID, boot.ID, nil, nil, nil},
		{"an admin the provider maps keeps admin without the manual grant", mapped.ID, mapped.ID, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := auditCount(t, s)
			_, err := directory(s).SetManualRoles(ctx, tt.user, tt.roles, tt.actor)
			if !errMatches(err, tt.wantErr) {
				t.Fatalf("SetManualRoles: %v, want %v", err, tt.wantErr)
			}
			g, err := s.UserRoleGrants(ctx, tt.user)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(g.Manual, tt.wantManual) {
				t.Errorf("manual roles = %v, want %v", g.Manual, tt.wantManual)
			}
			if tt.wantErr != nil && auditCount(t, s) != n {
				t.Errorf("a refused change was audit-logged")
			}
		})
	}
}

// TestSetUserActive: the directory's (de)activations, checked in the
// store's transaction (ChangeActive), end sessions and are audit-logged,
// or write nothing.
func TestSetUserActive(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	admin := mustSignInNamed(t, s, "Ada", "ada@example.com", account.Admin)
	sam := mustSignInNamed(t, s, "Sam", "sam@example.com")
	for _, h := range []string{"s1", "s2"} {
		if err := s.CreateSession(ctx, h, "", sam.ID, "csrf", c.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSession(ctx, "a1", "", admin.ID, "csrf", c.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	author := mustSignInNamed(t, s, "Mei", "mei@example.com", account.Comms)
	approver := mustSignInNamed(t, s, "Carlos", "carlos@example.com", account.Comms)
	postID := mustCreatePost(t, s, author.ID, "Spring Launch", "")
	mustApprovePost(t, s, postID, author.ID, approver.ID)
	if _, _, err := s.ShareLink(ctx, sam.ID, postID, share.LinkedIn, share.NewCode); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name         string
		user, actor  int64
		active       bool
		wantErr      error
		wantActive   bool
		wantSessions int
		wantAction   string // the audit entry written, if any
		wantAfter    string
	}{
		{"deactivate ends every session", sam.ID, admin.ID, false, nil, false, 0, "user.deactivate", `{"active":false,"sessions_ended":2}`},
		{"deactivate twice", sam.ID, admin.ID, false, account.ErrUnchanged, false, 0, "", ""},
		{"an admin cannot deactivate themselves", admin.ID, admin.ID, false, account.ErrSelfLockout, true, 1, "", ""},
		{"reactivate", sam.ID, admin.ID, true, nil, true, 0, "user.reactivate", `{"active":true}`},
		{"reactivate twice", sam.ID, admin.ID, true, account.ErrUnchanged, true, 0, "", ""},
		{"an unknown user", 9999, admin.ID, false, store.ErrNotFound, false, 0, "", ""},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			n := auditCount(t, s)
			err := directory(s).SetActive(ctx, st.user, st.active, st.actor)
			if !errMatches(err, st.wantErr) {
				t.Fatalf("SetActive: %v, want %v", err, st.wantErr)
			}
			if st.user == 9999 {
				return
			}
			u, err := s.User(ctx, st.user)
			if err != nil {
				t.Fatal(err)
			}
			if u.Active != st.wantActive {
				t.Errorf("active = %t, want %t", u.Active, st.wantActive)
			}
			if got, err := s.SessionCount(ctx, st.user); err != nil || got != st.wantSessions {
				t.Errorf("sessions = %d, want %d (error: %v)", got, st.wantSessions, err)
			}
			if st.wantAction == "" {
				if auditCount(t, s) != n {
					t.Errorf("a refused change was audit-logged")
				}
				return
			}
			if got := auditCount(t, s); got != n+1 {
				t.Fatalf("audit entries = %d, want %d", got, n+1)
			}
			e := lastAudit(t, s)
			if e.Action != st.wantAction || e.ActorID != admin.ID || e.Target != "user:"+idText(st.user) ||
				e.Before != `{"active":`+boolText(!st.active)+`}` || e.After != st.wantAfter {
				t.Errorf("audit = %+v, want %s by %d, after %s", e, st.wantAction, admin.ID, st.wantAfter)
			}
		})
	}

	// A deactivated user's session no longer signs them in, and their
	// history stays.
	if err := s.CreateSession(ctx, "s3", "", sam.ID, "csrf", c.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := directory(s).SetActive(ctx, sam.ID, false, admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByHash(ctx, "s3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SessionByHash after deactivation: %v, want ErrNotFound", err)
	}
	if total, recent, err := s.ShareCounts(ctx, sam.ID, c.Now().Add(-time.Hour)); err != nil || total != 1 || recent != 1 {
		t.Errorf("ShareCounts = %d, %d, %v; want 1, 1", total, recent, err)
	}
	if got := decodeAuditJSON(t, auditRecordsOf(t, s, "user.deactivate")[1].After); got["sessions_ended"] != float64(1) {
		t.Errorf("second deactivation ended %v sessions, want 1", got["sessions_ended"])
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestShareCounts(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignInNamed(t, s, "Mei", "mei@example.com", account.Comms)
	approver := mustSignInNamed(t, s, "Carlos", "carlos@example.com", account.Comms)
	sam := mustSignInNamed(t, s, "Sam", "sam@example.com")
	noor := mustSignInNamed(t, s, "Noor", "noor@example.com")
	postID := mustCreatePost(t, s, author.ID, "Spring Launch", "")
	mustApprovePost(t, s, postID, author.ID, approver.ID)
	start := c.Now()
	for _, n := range []share.Network{share.LinkedIn, share.X, share.LinkedIn} {
		if _, _, err := s.ShareLink(ctx, sam.ID, postID, n, share.NewCode); err != nil {
			t.Fatal(err)
		}
		c.Advance(10 * day)
	}
	tests := []struct {
		name                  string
		user                  int64
		since                 time.Time
		wantTotal, wantRecent int
	}{
		{"all since the start", sam.ID, start, 3, 3},
		{"the last two", sam.ID, start.Add(5 * day), 3, 2},
		{"none recent", sam.ID, c.Now(), 3, 0},
		{"someone who never shared", noor.ID, start, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total, recent, err := s.ShareCounts(ctx, tt.user, tt.since)
			if err != nil || total != tt.wantTotal || recent != tt.wantRecent {
				t.Errorf("ShareCounts = %d, %d, %v; want %d, %d", total, recent, err, tt.wantTotal, tt.wantRecent)
			}
		})
	}
}
