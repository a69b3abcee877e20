package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/markbates/goth"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/training"
)

// adminRoleTable says who may use the routes of adminUserRoutes. POST
// examples name a user who does not exist, so that an admin's request
// (404) changes no persona the other checks sign in as.
var adminRoleTable = []roleEntry{
	{"GET", "/admin/users", "/admin/users", adminOnly},
	{"GET", "/admin/users/:id", "/admin/users/1", adminOnly},
	{"POST", "/admin/users/:id/roles", "/admin/users/999999/roles", adminOnly},
	{"POST", "/admin/users/:id/deactivate", "/admin/users/999999/deactivate", adminOnly},
	{"POST", "/admin/users/:id/identity/forget", "/admin/users/999999/identity/forget", adminOnly},
	{"POST", "/admin/users/:id/reactivate", "/admin/users/999999/reactivate", adminOnly},
	{"GET", "/admin/audit", "/admin/audit", adminOnly},
	{"GET", "/admin/audit.csv", "/admin/audit.csv", adminOnly},
}

// newAdminEnv is newTestEnv with adminUserRoutes reachable. Until routes()
// registers them, it serves them from an app of their own, built as New
// builds the portal's.
func newAdminEnv(t *testing.T) *testEnv {
	t.Helper()
	env := newTestEnv(t)
	for _, r := range env.app.GetRoutes(true) {
		if r.Path == "/admin/users" {
			return env
		}
	}
	s := &server{Deps: Deps{Store: env.store, Guidelines: env.g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups",
		BaseURL: testBaseURL, Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.clock.Now}}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError, DisableStartupMessage: true})
	app.Use(requestid.New())
	s.adminUserRoutes(router{app: app, s: s})
	env.app = app
	return env
}

// fakeIdP is a goth provider that vouches for whoever user is, so that a
// test can run the sign-in callback without an identity provider. It
// implements what beginSignIn and finishSignIn call; the rest of
// goth.Provider is left nil.
type fakeIdP struct {
	goth.Provider
	user goth.User
}

func (p *fakeIdP) Name() string { return "fake" }

func (p *fakeIdP) BeginAuth(state string) (goth.Session, error) {
	return &fakeIdPSession{AuthURL: "https://idp.test/authorize?state=" + state}, nil
}

func (p *fakeIdP) UnmarshalSession(data string) (goth.Session, error) {
	s := &fakeIdPSession{}
	return s, json.Unmarshal([]byte(data), s)
}

func (p *fakeIdP) FetchUser(goth.Session) (goth.User, error) { return p.user, nil }

type fakeIdPSession struct{ AuthURL string }

func (s *fakeIdPSession) GetAuthURL() (string, error) { return s.AuthURL, nil }
func (s *fakeIdPSession) Marshal() string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a struct of strings always marshals
	}
	return string(b)
}
func (s *fakeIdPSession) Authorize(goth.Provider, goth.Params) (string, error) { return "token", nil }

// signInThroughFakeIdP runs the sign-in flow of app through idp as user: it starts the
// sign-in, then calls the callback as the identity provider would send the
// browser back.
func signInThroughFakeIdP(t *testing.T, app *fiber.App, idp *fakeIdP, user goth.User) *http.Response {
	t.Helper()
	idp.user = user
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, testBaseURL+"/auth/fake", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("begin sign-in: %d", resp.StatusCode)
	}
	var state *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == loginStateCookie {
			state = c
		}
	}
	if state == nil {
		t.Fatalf("begin sign-in set no state cookie")
	}
	req := httptest.NewRequest(http.MethodGet, testBaseURL+"/auth/fake/callback?code=abc&state="+url.QueryEscape(state.Value), nil)
	req.AddCookie(state)
	resp, err = app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestSignInAllowList(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	idp := &fakeIdP{}
	app := New(Deps{Store: env.store, Guidelines: env.g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups",
		Providers: []auth.Provider{{Slug: "fake", Label: "Fake",
			Flow: auth.GothFlow{Provider: idp, Issuer: "https://idp.test", GroupsClaim: "groups", TrustEmail: true}}}, AllowedDomains: []string{"example.com", "example.nl"},
		BaseURL: testBaseURL, Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.clock.Now})
	outsider := env.users["employee"] // signed in before the list was set up; example.com is on it, so move them off it
	if _, err := env.store.Provision(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:employee", Email: "employee@old.example.org",
		Name: "Test employee"}); err != nil {
		t.Fatal(err)
	}
	if err := env.directory().SetActive(ctx, env.users["comms2"].ID, false, env.users["admin"].ID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name        string
		user        goth.User
		wantStatus  int
		wantProblem string // in the page, when refused
		wantNew     int    // users the sign-in adds to the database
	}{
		{"an address on the list signs in and is created", goth.User{UserID: "n1", Email: "new@Example.com", Name: "New"},
			http.StatusSeeOther, "", 1},
		{"the second domain", goth.User{UserID: "n2", Email: "nl@example.nl", Name: "Dutch"}, http.StatusSeeOther, "", 1},
		{"an address off the list gets no account", goth.User{UserID: "x1", Email: "mallory@gmail.com", Name: "Mallory"},
			http.StatusForbidden, "Your account (mallory@gmail.com) is not allowed to use this portal", 0},
		{"a subdomain is not the domain", goth.User{UserID: "x2", Email: "eve@eu.example.com", Name: "Eve"},
			http.StatusForbidden, "Your account (eve@eu.example.com) is not allowed", 0},
		{"a known person now off the list is refused and not updated", goth.User{UserID: "test:employee", Email: "employee@old.example.org",
			Name: "Renamed"}, http.StatusForbidden, "Your account (employee@old.example.org) is not allowed", 0},
		{"a deactivated person on the list is refused", goth.User{UserID: "test:comms2", Email: "comms2@example.com", Name: "Test comms2"},
			http.StatusForbidden, "deactivated", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := env.store.CountUsers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			resp := signInThroughFakeIdP(t, app, idp, tt.user)
			wantStatus(t, resp, tt.wantStatus)
			if tt.wantProblem != "" {
				if text := mustDoc(t, resp).Text(); !strings.Contains(text, tt.wantProblem) {
					t.Errorf("page does not say %q:\n%.1500s", tt.wantProblem, text)
				}
				for _, c := range resp.Cookies() {
					if c.Name == sessionCookie && c.Value != "" {
						t.Errorf("a refused sign-in set a session cookie")
					}
				}
			}
			if n, err := env.store.CountUsers(ctx); err != nil || n != before+tt.wantNew {
				t.Errorf("users = %d, %v; want %d", n, err, before+tt.wantNew)
			}
		})
	}
	u, err := env.store.User(ctx, outsider.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Test employee" || !u.LastLoginAt.Equal(outsider.LastLoginAt) {
		t.Errorf("the refused person was updated: %q, last sign-in %v (was %v)", u.Name, u.LastLoginAt, outsider.LastLoginAt)
	}
}

func TestListUsersPage(t *testing.T) {
	env := newAdminEnv(t)
	ctx := context.Background()
	admin := env.users["admin"].ID
	sales, err := env.store.CreateGroup(ctx, "Sales", account.Department, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"hr", "comms"} {
		if err := env.store.AddToGroup(ctx, sales, env.users[p].ID, account.SourceManual, admin); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.directory().SetActive(ctx, env.users["comms2"].ID, false, admin); err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		if _, err := env.store.Provision(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: fmt.Sprintf("bulk:%d", i),
			Email: fmt.Sprintf("zz%02d@example.com", i), Name: fmt.Sprintf("Zz %02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	id := func(p string) string { return fmt.Sprintf("user-%d", env.users[p].ID) }

	tests := []struct {
		name       string
		query      string
		wantStatus int
		wantRows   []string // testids of rows that must be listed
		wantNot    []string // and must not
		wantCount  int      // rows on the page
		wantNext   bool
		wantError  string // testid of a field error
	}{
		{"first page", "", 200, []string{id("admin"), id("comms")}, nil, 50, true, ""},
		{"second page", "?page=2", 200, nil, []string{id("admin")}, 15, false, ""},
		{"past the end shows the last page", "?page=9", 200, nil, nil, 15, false, ""},
		{"a page that is not a number is the first", "?page=x", 200, []string{id("admin")}, nil, 50, true, ""},
		{"search by name", "?q=test+c", 200, []string{id("comms"), id("comms2")}, []string{id("hr")}, 2, false, ""},
		{"search by email", "?q=HR%40example", 200, []string{id("hr")}, nil, 1, false, ""},
		{"role", "?role=admin", 200, []string{id("admin")}, nil, 1, false, ""},
		{"group", fmt.Sprintf("?group=%d", sales), 200, []string{id("hr"), id("comms")}, nil, 2, false, ""},
		{"deactivated", "?status=deactivated", 200, []string{id("comms2")}, nil, 1, false, ""},
		{"active and comms", "?status=active&role=comms", 200, []string{id("comms")}, []string{id("comms2")}, 1, false, ""},
		{"nothing matches", "?q=nobody-at-all", 200, nil, nil, 0, false, ""},
		{"an unknown role", "?role=root", 422, nil, nil, 0, false, "error-role"},
		{"an unknown status", "?status=gone", 422, nil, nil, 0, false, "error-status"},
		{"a group that does not exist", "?group=9999", 422, nil, nil, 0, false, "error-group"},
		{"a group that is not a number", "?group=sales", 422, nil, nil, 0, false, "error-group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.do(t, "admin", http.MethodGet, "/admin/users"+tt.query, nil)
			wantStatus(t, resp, tt.wantStatus)
			doc := mustDoc(t, resp)
			for _, r := range tt.wantRows {
				if !has(doc, r) {
					t.Errorf("row %s missing", r)
				}
			}
			for _, r := range tt.wantNot {
				if has(doc, r) {
					t.Errorf("row %s listed", r)
				}
			}
			if got := doc.Find(`[data-testid="users"] tbody tr`).Length(); got != tt.wantCount {
				t.Errorf("rows = %d, want %d", got, tt.wantCount)
			}
			if got := has(doc, "next-page"); got != tt.wantNext {
				t.Errorf("next page link = %t, want %t", got, tt.wantNext)
			}
			if tt.wantError != "" && !has(doc, tt.wantError) {
				t.Errorf("no %s on the page", tt.wantError)
			}
		})
	}

	// The next-page link keeps the filters.
	doc := mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/users?q=zz&status=active", nil))
	if href := attr(t, doc.Find(`[data-testid="next-page"]`).First(), "href"); href != "/admin/users?page=2&q=zz&status=active" {
		t.Errorf("next page = %q", href)
	}
}

func TestShowUserPage(t *testing.T) {
	env := newAdminEnv(t)
	ctx := context.Background()
	admin, hr := env.users["admin"], env.users["hr"]
	if _, err := env.directory().SetManualRoles(ctx, hr.ID, []account.Role{account.Comms, account.HR}, admin.ID); err != nil {
		t.Fatal(err)
	}
	sales, err := env.store.CreateGroup(ctx, "Sales", account.Department, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.store.AddToGroup(ctx, sales, hr.ID, account.SourceManual, admin.ID); err != nil {
		t.Fatal(err)
	}
	m := env.g.Modules[0]
	if _, err := env.store.CreateAssignment(ctx, training.Assignment{Modules: []string{m.ID, env.g.Modules[1].ID}, UserID: hr.ID,
		DueAt: env.clock.Now().Add(7 * 24 * time.Hour), DueDays: 7}, admin.ID); err != nil {
		t.Fatal(err)
	}
	env.takeQuiz(t, "hr", m, correctAnswers(m))
	p := env.livePost(t, "A live post")
	mustShare(t, env, "hr", p.ID, share.LinkedIn)
	mustShare(t, env, "hr", p.ID, share.X)

	resp := env.do(t, "admin", http.MethodGet, fmt.Sprintf("/admin/users/%d", hr.ID), nil)
	wantStatus(t, resp, http.StatusOK)
	doc := mustDoc(t, resp)
	checks := []struct {
		name string
		ok   bool
	}{
		{"name", doc.Find(`[data-testid="user-name"]`).Text() == "Test hr"},
		{"roles from the provider", has(doc, "idp-employee") && has(doc, "idp-hr") && !has(doc, "idp-comms")},
		{"manual roles ticked", doc.Find(`[data-testid="manual-comms"]`).Is("[checked]") &&
			doc.Find(`[data-testid="manual-hr"]`).Is("[checked]") && !doc.Find(`[data-testid="manual-admin"]`).Is("[checked]")},
		{"groups", strings.Contains(doc.Find(`[data-testid="groups"]`).Text(), "Sales")},
		{"training", has(doc, "training-passed") && has(doc, "training-not-started")},
		{"shares", strings.Contains(doc.Find(`[data-testid="shares"]`).Text(), "2 in the last 30 days, 2 in all")},
		{"sessions", doc.Find(`[data-testid="sessions"]`).Text() == "1"},
		{"deactivate offered", has(doc, "deactivate-form")},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: not as expected", c.name)
		}
	}

	// Looking at oneself: no deactivation, and the admin role granted by
	// hand cannot be unticked.
	if _, err := env.directory().SetManualRoles(ctx, admin.ID, []account.Role{account.Admin}, admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.Provision(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:admin", Email: "admin@example.com", Name: "Test admin"}); err != nil {
		t.Fatal(err) // the provider no longer maps admin
	}
	doc = mustDoc(t, env.do(t, "admin", http.MethodGet, fmt.Sprintf("/admin/users/%d", admin.ID), nil))
	if has(doc, "deactivate-form") || !doc.Find(`[data-testid="manual-admin"]`).Is("[disabled]") {
		t.Errorf("own page offers deactivation or an uncheckable admin role")
	}

	wantStatus(t, env.do(t, "admin", http.MethodGet, "/admin/users/999999", nil), http.StatusNotFound)
	wantStatus(t, env.do(t, "admin", http.MethodGet, "/admin/users/abc", nil), http.StatusNotFound)
}

// directory is the admins' users service over the env's store, for
// setting up users as an admin would.
func (env *testEnv) directory() *account.Directory {
	return account.NewDirectory(env.store, env.clock.Now)
}

// manualRoles returns a user's roles granted by hand.
func (env *testEnv) manualRoles(t *testing.T, userID int64) []account.Role {
	t.Helper()
	g, err := env.store.UserRoleGrants(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return g.Manual
}

func TestSaveUserRoles(t *testing.T) {
	env := newAdminEnv(t)
	ctx := context.Background()
	admin, hr := env.users["admin"], env.users["hr"]
	path := func(id int64) string { return fmt.Sprintf("/admin/users/%d/roles", id) }

	steps := []struct {
		name         string
		user         int64
		roles        []string
		wantStatus   int
		wantLocation string
		wantManual   []account.Role // hr's, afterwards
		wantAudit    int            // user.roles entries, afterwards
	}{
		{"grant comms and admin", hr.ID, []string{"comms", "admin"}, 303, fmt.Sprintf("/admin/users/%d?done=roles", hr.ID),
			[]account.Role{account.Comms, account.Admin}, 1},
		{"the same again", hr.ID, []string{"admin", "comms"}, 303, fmt.Sprintf("/admin/users/%d?done=unchanged", hr.ID),
			[]account.Role{account.Comms, account.Admin}, 1},
		{"an unknown role changes nothing", hr.ID, []string{"comms", "root"}, 422, "",
			[]account.Role{account.Comms, account.Admin}, 1},
		{"revoke admin", hr.ID, []string{"comms"}, 303, fmt.Sprintf("/admin/users/%d?done=roles", hr.ID),
			[]account.Role{account.Comms}, 2},
		{"revoke everything", hr.ID, nil, 303, fmt.Sprintf("/admin/users/%d?done=roles", hr.ID), nil, 3},
		{"an unknown user", 999999, []string{"comms"}, 404, "", nil, 3},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			resp := env.do(t, "admin", http.MethodPost, path(st.user), url.Values{"role": st.roles})
			if st.wantLocation != "" {
				wantRedirect(t, resp, st.wantLocation)
			} else {
				wantStatus(t, resp, st.wantStatus)
			}
			if got := env.manualRoles(t, hr.ID); !slices.Equal(got, st.wantManual) {
				t.Errorf("manual roles = %v, want %v", got, st.wantManual)
			}
			if got := len(env.auditEntries(t, "user.roles")); got != st.wantAudit {
				t.Errorf("user.roles entries = %d, want %d", got, st.wantAudit)
			}
		})
	}

	// An admin by hand only cannot remove their own admin role.
	if _, err := env.directory().SetManualRoles(ctx, admin.ID, []account.Role{account.Admin}, admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.Provision(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:admin", Email: "admin@example.com", Name: "Test admin"}); err != nil {
		t.Fatal(err)
	}
	n := len(env.auditEntries(t, "user.roles"))
	resp := env.do(t, "admin", http.MethodPost, path(admin.ID), url.Values{"role": {"hr"}})
	wantStatus(t, resp, http.StatusConflict)
	doc := mustDoc(t, resp)
	if !has(doc, "form-problem") || !doc.Find(`[data-testid="manual-hr"]`).Is("[checked]") {
		t.Errorf("the refusal does not explain itself or lost the choice")
	}
	if got := env.manualRoles(t, admin.ID); !slices.Equal(got, []account.Role{account.Admin}) {
		t.Errorf("own manual roles = %v, want [admin]", got)
	}
	if got := len(env.auditEntries(t, "user.roles")); got != n {
		t.Errorf("the refused change was audit-logged")
	}
	// The role still works: the admin can load admin pages.
	wantStatus(t, env.do(t, "admin", http.MethodGet, "/admin/users", nil), http.StatusOK)
}

func TestDeactivateUser(t *testing.T) {
	env := newAdminEnv(t)
	employee := env.users["employee"]
	path := func(id int64, what string) string { return fmt.Sprintf("/admin/users/%d/%s", id, what) }
	env.newSession(t, "employee") // a second session: both must end

	steps := []struct {
		name         string
		path         string
		wantStatus   int
		wantLocation string
		wantActive   bool // the employee, afterwards
	}{
		{"deactivate", path(employee.ID, "deactivate"), 303, fmt.Sprintf("/admin/users/%d?done=deactivated", employee.ID), false},
		{"deactivate again", path(employee.ID, "deactivate"), 409, "", false},
		{"an admin cannot deactivate themselves", path(env.users["admin"].ID, "deactivate"), 409, "", false},
		{"reactivate", path(employee.ID, "reactivate"), 303, fmt.Sprintf("/admin/users/%d?done=reactivated", employee.ID), true},
		{"reactivate again", path(employee.ID, "reactivate"), 409, "", true},
		{"an unknown user", path(999999, "deactivate"), 404, "", true},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			resp := env.do(t, "admin", http.MethodPost, st.path, nil)
			if st.wantLocation != "" {
				wantRedirect(t, resp, st.wantLocation)
			} else {
				wantStatus(t, resp, st.wantStatus)
				if st.wantStatus == 409 && !has(mustDoc(t, resp), "form-problem") {
					t.Errorf("the refusal does not explain itself")
				}
			}
			u, err := env.store.User(context.Background(), employee.ID)
			if err != nil {
				t.Fatal(err)
			}
			if u.Active != st.wantActive {
				t.Errorf("active = %t, want %t", u.Active, st.wantActive)
			}
			if st.name == "deactivate" {
				// The session ended: the employee is sent to sign in.
				resp := env.do(t, "employee", http.MethodGet, "/admin/users", nil)
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
					t.Errorf("deactivated employee got %d %s, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
				}
				if n, err := env.store.SessionCount(context.Background(), employee.ID); err != nil || n != 0 {
					t.Errorf("sessions left = %d, want 0 (error: %v)", n, err)
				}
			}
		})
	}
	if u, err := env.store.User(context.Background(), env.users["admin"].ID); err != nil || !u.Active {
		t.Errorf("the admin deactivated themselves (error: %v)", err)
	}
}

func TestForgetUserIdentity(t *testing.T) {
	env := newAdminEnv(t)
	employee := env.users["employee"]
	page := mustDoc(t, env.do(t, "admin", http.MethodGet, fmt.Sprintf("/admin/users/%d", employee.ID), nil))
	if got := page.Find(`[data-testid="identity-subject"]`).Text(); got != "test:employee" || !has(page, "forget-identity-form") {
		t.Fatalf("the user page shows subject %q and a forget form: %v", got, has(page, "forget-identity-form"))
	}
	path := fmt.Sprintf("/admin/users/%d/identity/forget", employee.ID)
	wantRedirect(t, env.do(t, "admin", http.MethodPost, path, nil), fmt.Sprintf("/admin/users/%d?done=identity-forgotten", employee.ID))
	if _, _, ok, err := env.store.UserIdentity(context.Background(), employee.ID); err != nil || ok {
		t.Errorf("identity still bound: %v, %v", ok, err)
	}
	page = mustDoc(t, env.do(t, "admin", http.MethodGet, fmt.Sprintf("/admin/users/%d?done=identity-forgotten", employee.ID), nil))
	if !has(page, "done-identity-forgotten") || !has(page, "identity-none") || has(page, "forget-identity-form") {
		t.Errorf("the page after forgetting does not say so")
	}
	resp := env.do(t, "admin", http.MethodPost, path, nil)
	wantStatus(t, resp, http.StatusConflict)
	if !has(mustDoc(t, resp), "form-problem") {
		t.Errorf("forgetting twice does not explain itself")
	}
	wantStatus(t, env.do(t, "admin", http.MethodPost, "/admin/users/999999/identity/forget", nil), http.StatusNotFound)
}

// TestUserPageRefusalsSayWhy: a change the directory refuses shows the
// user's page again with the reason in the directory's words, and the
// status of its kind.
func TestUserPageRefusalsSayWhy(t *testing.T) {
	ctx := context.Background()
	none := func(*testing.T, *testEnv) {}
	tests := []struct {
		name        string
		setup       func(*testing.T, *testEnv)
		persona     string // whose account the change is to
		action      string
		form        url.Values
		wantStatus  int
		wantProblem string
	}{
		{"an unknown role", none, "hr", "roles", url.Values{"role": {"comms", "root"}}, http.StatusUnprocessableEntity,
			"One of the chosen roles does not exist, so nothing was changed. Reload the page and choose again."},
		{"taking one's own admin role", func(t *testing.T, env *testEnv) {
			admin := env.users["admin"]
			if _, err := env.directory().SetManualRoles(ctx, admin.ID, []account.Role{account.Admin}, admin.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := env.store.Provision(ctx, account.Identity{Issuer: "https://idp.test", Subject: "test:admin",
				Email: "admin@example.com", Name: "Test admin"}); err != nil {
				t.Fatal(err)
			}
		}, "admin", "roles", url.Values{"role": {"hr"}}, http.StatusConflict,
			"You cannot remove your own admin role, so nothing was changed. Another admin can do it."},
		{"deactivating oneself", none, "admin", "deactivate", nil, http.StatusConflict,
			"You cannot deactivate your own account. Another admin can do it."},
		{"deactivating twice", func(t *testing.T, env *testEnv) {
			if err := env.directory().SetActive(ctx, env.users["employee"].ID, false, env.users["admin"].ID); err != nil {
				t.Fatal(err)
			}
		}, "employee", "deactivate", nil, http.StatusConflict, "This account is already deactivated."},
		{"reactivating an active account", none, "employee", "reactivate", nil, http.StatusConflict, "This account is already active."},
		{"forgetting no identity", func(t *testing.T, env *testEnv) {
			if err := env.directory().ForgetIdentity(ctx, env.users["employee"].ID, env.users["admin"].ID); err != nil {
				t.Fatal(err)
			}
		}, "employee", "identity/forget", nil, http.StatusConflict,
			"This account has no sign-in identity to forget: it links to the next sign-in with its verified email address already."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newAdminEnv(t)
			tt.setup(t, env)
			id := env.users[tt.persona].ID
			resp := env.do(t, "admin", http.MethodPost, fmt.Sprintf("/admin/users/%d/%s", id, tt.action), tt.form)
			wantStatus(t, resp, tt.wantStatus)
			doc := mustDoc(t, resp)
			if got := strings.TrimSpace(doc.Find(`[data-testid="form-problem"]`).Text()); got != tt.wantProblem {
				t.Errorf("problem %q, want %q", got, tt.wantProblem)
			}
			if got := doc.Find(`[data-testid="user-name"]`).Text(); got != env.users[tt.persona].Name {
				t.Errorf("the page is %q's, want %q's", got, env.users[tt.persona].Name)
			}
		})
	}
}
