package handlers

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/scim"
	"github.com/advocacy-portal/portal/internal/training"
)

// scimRoleTable: the admin pages for SCIM tokens.
var scimRoleTable = []roleEntry{
	{"GET", "/admin/scim", "/admin/scim", adminOnly},
	{"POST", "/admin/scim/tokens", "/admin/scim/tokens", adminOnly},
	{"POST", "/admin/scim/tokens/:id/revoke", "/admin/scim/tokens/1/revoke", adminOnly},
}

// scimAPIRoleTable: the SCIM endpoints. They take a bearer token and
// never a session, so no persona may use them: every persona, signed in
// or not, gets 401 (see isSCIMAPIRoute).
var scimAPIRoleTable = []roleEntry{
	{"GET", "/scim/v2/ServiceProviderConfig", "/scim/v2/ServiceProviderConfig", nil},
	{"GET", "/scim/v2/ResourceTypes", "/scim/v2/ResourceTypes", nil},
	{"GET", "/scim/v2/ResourceTypes/:id", "/scim/v2/ResourceTypes/User", nil},
	{"GET", "/scim/v2/Schemas", "/scim/v2/Schemas", nil},
	{"GET", "/scim/v2/Schemas/:id", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", nil},
	{"GET", "/scim/v2/Users", "/scim/v2/Users", nil},
	{"POST", "/scim/v2/Users", "/scim/v2/Users", nil},
	{"GET", "/scim/v2/Users/:id", "/scim/v2/Users/1", nil},
	{"PUT", "/scim/v2/Users/:id", "/scim/v2/Users/1", nil},
	{"PATCH", "/scim/v2/Users/:id", "/scim/v2/Users/1", nil},
	{"DELETE", "/scim/v2/Users/:id", "/scim/v2/Users/1", nil},
	{"GET", "/scim/v2/Groups", "/scim/v2/Groups", nil},
	{"POST", "/scim/v2/Groups", "/scim/v2/Groups", nil},
	{"GET", "/scim/v2/Groups/:id", "/scim/v2/Groups/1", nil},
	{"PUT", "/scim/v2/Groups/:id", "/scim/v2/Groups/1", nil},
	{"PATCH", "/scim/v2/Groups/:id", "/scim/v2/Groups/1", nil},
	{"DELETE", "/scim/v2/Groups/:id", "/scim/v2/Groups/1", nil},
}

// isSCIMAPIRoute reports whether a role table route is a SCIM endpoint,
// which answers 401 to everyone without a bearer token.
func isSCIMAPIRoute(route string) bool { return strings.HasPrefix(route, scimPrefix+"/") }

// withSCIM makes sure env's app serves the SCIM routes: the portal's own
// app once routes() registers them, until then one built the same way
// with them added.
func withSCIM(t *testing.T, env *testEnv) {
	t.Helper()
	for _, r := range env.app.GetRoutes(true) {
		if r.Path == scimPrefix+"/Users" {
			return
		}
	}
	d := Deps{Store: env.store, Guidelines: env.g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups", BaseURL: testBaseURL,
		Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.clock.Now}
	d.Clicks = reach.NewRecorder(d.Store, reach.Config{Now: d.Now})
	s := &server{Deps: d}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError, DisableStartupMessage: true})
	app.Use(requestid.New())
	s.scimRoutes(app, router{app: app, s: s})
	s.routes(app)
	env.app = app
}

// newSCIMToken creates a token on the admin page and returns it.
func newSCIMToken(t *testing.T, env *testEnv, name string) string {
	t.Helper()
	resp := env.do(t, "admin", http.MethodPost, "/admin/scim/tokens", url.Values{"name": {name}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create token: %d", resp.StatusCode)
	}
	token := attr(t, mustDoc(t, resp).Find(`[data-testid="new-token-value"]`), "value")
	if !strings.HasPrefix(token, scim.TokenPrefix) {
		t.Fatalf("token %q lacks the prefix", token)
	}
	return token
}

// scimResponse is a SCIM answer: its status and its decoded JSON.
type scimResponse struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// str returns the string at a dotted path of the body, e.g. "name.givenName".
func (r scimResponse) str(path string) string {
	var v any = r.body
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// list returns the array at key of the body.
func (r scimResponse) list(key string) []map[string]any {
	items, ok := r.body[key].([]any)
	if !ok {
		return nil
	}
	out := make([]map[string]any, len(items))
	for i, it := range items {
		if m, ok := it.(map[string]any); ok {
			out[i] = m
		}
	}
	return out
}

// scimDo sends a SCIM request with the bearer token ("" for none) and
// checks that any body is application/scim+json.
func scimDo(t *testing.T, env *testEnv, token, method, path, body string) scimResponse {
	t.Helper()
	return scimSend(t, env.app, scimRequest(method, path, token, body))
}

// scimRequest is a SCIM request with the bearer token ("" for none).
func scimRequest(method, path, token, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, testBaseURL+path, r)
	req.Header.Set("Content-Type", "application/scim+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// scimSend sends req to app and reads the SCIM answer.
func scimSend(t *testing.T, app *fiber.App, req *http.Request) scimResponse {
	t.Helper()
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return scimRead(t, req, resp)
}

// scimRead reads a SCIM answer and checks that any body is
// application/scim+json.
func scimRead(t *testing.T, req *http.Request, resp *http.Response) scimResponse {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	out := scimResponse{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if resp.StatusCode == http.StatusNoContent || req.Method == http.MethodHead {
		return out
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, scim.ContentType) {
		t.Fatalf("%s %s: Content-Type %q, want %s (body %.300s)", req.Method, req.URL.Path, ct, scim.ContentType, raw)
	}
	if err := json.Unmarshal(raw, &out.body); err != nil {
		t.Fatalf("%s %s: body %s: %v", req.Method, req.URL.Path, raw, err)
	}
	return out
}

// wantStatus fails unless r has the status (and, for errors, the scimType).
func (r scimResponse) wantStatus(t *testing.T, status int, scimType string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	if status >= 400 {
		if r.str("status") != fmt.Sprint(status) || r.str("scimType") != scimType ||
			!strings.Contains(r.raw, scim.ErrorSchema) {
			t.Fatalf("error body %s, want status %d scimType %q", r.raw, status, scimType)
		}
	}
}

func patchOps(ops ...string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

func filterQuery(filter string) string { return url.Values{"filter": {filter}}.Encode() }

// scimAuditActions returns the SCIM actions logged after the first skip
// entries, oldest first, and checks each has no actor (the client).
func scimAuditActions(t *testing.T, env *testEnv, skip int) []string {
	t.Helper()
	log, err := auditLog(context.Background(), env.store, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(log) - 1 - skip; i >= 0; i-- {
		e := log[i]
		if !strings.HasPrefix(e.Action, "scim.") {
			continue
		}
		if strings.HasPrefix(e.Action, "scim.user.") || strings.HasPrefix(e.Action, "scim.group.") {
			if e.ActorID != 0 {
				t.Errorf("%s by actor %d, want 0 (the provisioning client)", e.Action, e.ActorID)
			}
		}
		out = append(out, e.Action)
	}
	return out
}

func auditLength(t *testing.T, env *testEnv) int {
	t.Helper()
	log, err := auditLog(context.Background(), env.store, 100000)
	if err != nil {
		t.Fatal(err)
	}
	return len(log)
}

// signInAs gives the user a browser session under a new persona name.
func signInAs(t *testing.T, env *testEnv, persona string, userID int64) {
	t.Helper()
	u, err := env.store.User(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	env.users[persona] = u
	env.newSession(t, persona)
}

func TestSCIMTokenPage(t *testing.T) {
	env := newTestEnv(t)
	withSCIM(t, env)
	skip := auditLength(t, env)

	token := newSCIMToken(t, env, "Entra ID production")
	page := mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/scim", nil))
	if strings.Contains(page.Text(), token) || has(page, "new-token") {
		t.Errorf("the token is shown again after its creation")
	}
	if row := page.Find(`[data-testid="token-1"]`).Text(); !strings.Contains(row, "Entra ID production") || !strings.Contains(row, "In use") {
		t.Errorf("token row = %q", row)
	}
	scimDo(t, env, token, http.MethodGet, "/scim/v2/ServiceProviderConfig", "").wantStatus(t, 200, "")

	resp := env.do(t, "admin", http.MethodPost, "/admin/scim/tokens/1/revoke", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	scimDo(t, env, token, http.MethodGet, "/scim/v2/Users", "").wantStatus(t, 401, "")
	if resp := env.do(t, "admin", http.MethodPost, "/admin/scim/tokens/99/revoke", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoking an unknown token: %d, want 404", resp.StatusCode)
	}

	resp = env.do(t, "admin", http.MethodPost, "/admin/scim/tokens", url.Values{"name": {"  "}})
	if doc := mustDoc(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !has(doc, "error-name") {
		t.Errorf("token without a name: %d", resp.StatusCode)
	}

	log, err := auditLog(context.Background(), env.store, 10)
	if err != nil || len(log) == 0 {
		t.Fatalf("audit log = %d entries, %v; want the token's entries", len(log), err)
	}
	for _, e := range log {
		if strings.Contains(e.Before+e.After, token) || strings.Contains(e.Before+e.After, auth.HashToken(token)) {
			t.Errorf("audit entry %s holds the token or its hash", e.Action)
		}
	}
	if got := scimAuditActions(t, env, skip); !slices.Equal(got, []string{"scim.token.create", "scim.token.revoke"}) {
		t.Errorf("audit = %v", got)
	}
}

// userJSON is a User body with the core schema and the given attributes.
func userJSON(attrs string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],` + attrs + `}`
}

// groupJSON is a Group body with the core schema and the given attributes.
func groupJSON(attrs string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],` + attrs + `}`
}

// TestSCIMEntraID replays the requests Entra ID sends, as Microsoft's
// "Develop and plan provisioning for a SCIM endpoint" documents them: look
// up by userName, create with userName the UPN and the address in emails,
// PATCH with capitalised ops, emails[type eq "work"].value and string
// booleans, userName replaced, deactivation; groups created with Entra ID's
// own schema URN, looked up with excludedAttributes=members, renamed,
// members added and removed by PATCH; deletion.
func TestSCIMEntraID(t *testing.T) {
	env := newTestEnv(t)
	withSCIM(t, env)
	token := newSCIMToken(t, env, "Entra ID")
	ctx := context.Background()
	skip := auditLength(t, env)
	upn := "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee" // Microsoft's sample UPN is not even an address
	mail := "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"

	// Test connection and the lookup before a create.
	for _, q := range []string{`userName eq "` + upn + `"`, `userName eq "non-existent user"`} {
		r := scimDo(t, env, token, http.MethodGet, "/scim/v2/Users?"+filterQuery(q), "")
		r.wantStatus(t, 200, "")
		if r.str("totalResults") != "0" || len(r.list("Resources")) != 0 {
			t.Fatalf("lookup before create = %s", r.raw)
		}
	}

	r := scimDo(t, env, token, http.MethodPost, "/scim/v2/Users", `{
		"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"`+upn+`","active":true,
		"emails":[{"primary":true,"type":"work","value":"`+mail+`"}],
		"meta":{"resourceType":"User"},
		"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}`)
	r.wantStatus(t, 201, "")
	id := r.str("id")
	uid := mustParseID(t, id)
	emails := r.list("emails")
	if r.str("userName") != upn || len(emails) != 1 || emails[0]["value"] != mail || r.str("active") != "true" ||
		r.str("name.givenName") != "givenName" || r.str("externalId") != "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef" ||
		r.header.Get("Location") != testBaseURL+"/scim/v2/Users/"+id {
		t.Fatalf("created = %s (Location %s); want userName the UPN and the address from emails", r.raw, r.header.Get("Location"))
	}
	if r.str("meta.created") == "" || r.str("meta.lastModified") != r.str("meta.created") || r.str("meta.location") != testBaseURL+"/scim/v2/Users/"+id {
		t.Errorf("meta of a new user = %s", r.raw)
	}
	if u, err := env.store.User(ctx, uid); err != nil || u.Email != mail {
		t.Fatalf("the portal's address = %q, %v; want %s, the one sign-in matches", u.Email, err, mail)
	}
	scimDo(t, env, token, http.MethodPost, "/scim/v2/Users", userJSON(`"userName":"`+strings.ToUpper(upn)+`","emails":[{"primary":true,"value":"other@testuser.com"}]`)).
		wantStatus(t, 409, scim.Uniqueness)

	for _, q := range []string{`userName eq "` + upn + `"`, `externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
		`emails[type eq "work"].value eq "` + mail + `"`} {
		r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Users?"+filterQuery(q), "")
		if users := r.list("Resources"); r.str("totalResults") != "1" || len(users) != 1 || users[0]["id"] != id {
			t.Fatalf("lookup %s = %s", q, r.raw)
		}
	}
	if r := scimDo(t, env, token, http.MethodGet, "/scim/v2/Users?"+filterQuery(`userName eq "`+mail+`"`), ""); r.str("totalResults") != "0" {
		t.Errorf("userName eq the address found %s; userName is the UPN", r.raw)
	}
	created := scimDo(t, env, token, http.MethodGet, "/scim/v2/Users/"+id, "")
	created.wantStatus(t, 200, "")

	// Update User [Multi-valued properties]: the address changes, userName stays.
	env.clock.Advance(time.Minute)
	r = scimDo(t, env, token, http.MethodPatch, "/scim/v2/Users/"+id, patchOps(
		`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"}`,
		`{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}`))
	r.wantStatus(t, 200, "")
	if emails := r.list("emails"); len(emails) != 1 || emails[0]["value"] != "updatedEmail@microsoft.com" || r.str("userName") != upn ||
		r.str("name.familyName") != "updatedFamilyName" {
		t.Fatalf("after replacing emails[type eq \"work\"].value = %s", r.raw)
	}
	if u, err := env.store.User(ctx, uid); err != nil || u.Email != "updatedEmail@microsoft.com" {
		t.Errorf("the portal's address after the PATCH = %q, %v", u.Email, err)
	}
	if r.str("meta.lastModified") == created.str("meta.lastModified") || r.str("meta.version") == created.str("meta.version") ||
		r.str("meta.created") != created.str("meta.created") {
		t.Errorf("meta after a change = %s, before %s", r.str("meta"), created.str("meta"))
	}

	// More of Entra ID's updates: Add instead of Replace, the enterprise
	// department, displayName; then userName itself.
	r = scimDo(t, env, token, http.MethodPatch, "/scim/v2/Users/"+id, patchOps(
		`{"op":"Replace","path":"name.givenName","value":"Grace"}`,
		`{"op":"Replace","path":"name.familyName","value":"Hopper"}`,
		`{"op":"Add","path":"displayName","value":"Grace Hopper"}`,
		`{"op":"Add","path":"emails[type eq \"work\"].value","value":"grace.hopper@testuser.com"}`,
		`{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Navy"}`,
		`{"op":"Remove","path":"phoneNumbers[type eq \"work\"].value"}`))
	r.wantStatus(t, 200, "")
	if u, err := env.store.User(ctx, uid); err != nil || u.Name != "Grace Hopper" || u.Department != "Navy" || u.Email != "grace.hopper@testuser.com" {
		t.Errorf("user in the portal = %+v, %v", u, err)
	}
	r = scimDo(t, env, token, http.MethodPatch, "/scim/v2/Users/"+id, patchOps(
		`{"op":"Replace","path":"userName","value":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"}`))
	r.wantStatus(t, 200, "")
	if emails := r.list("emails"); r.str("userName") != "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com" || len(emails) != 1 ||
		emails[0]["value"] != "grace.hopper@testuser.com" {
		t.Fatalf("after replacing userName = %s; want the address kept", r.raw)
	}

	// What the portal does not keep is refused, and changes nothing.
	before := auditLength(t, env)
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Users/"+id, patchOps(
		`{"op":"Replace","path":"displayName","value":"Admiral Hopper"}`,
		`{"op":"Add","path":"title","value":"Rear Admiral"}`)).wantStatus(t, 400, scim.Mutability)
	if u, err := env.store.User(ctx, uid); err != nil || u.Name != "Grace Hopper" || auditLength(t, env) != before {
		t.Errorf("a refused PATCH changed %+v, %v", u, err)
	}

	// The person signs in; Entra ID then disables them.
	signInAs(t, env, "entra-user", uid)
	if resp := env.do(t, "entra-user", http.MethodGet, "/conduct", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed-in provisioned user: %d", resp.StatusCode)
	}
	r = scimDo(t, env, token, http.MethodPatch, "/scim/v2/Users/"+id, `{"Operations":[{"op":"Replace","path":"active","value":false}],
		"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`)
	r.wantStatus(t, 200, "")
	if r.str("active") != "false" {
		t.Fatalf("after deactivation = %s", r.raw)
	}
	resp := env.do(t, "entra-user", http.MethodGet, "/conduct", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("deactivated user's session: %d %s, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Users/"+id, patchOps(`{"op":"Replace","path":"active","value":"True"}`)).wantStatus(t, 200, "")
	if resp := env.do(t, "entra-user", http.MethodGet, "/conduct", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("session after reactivation: %d, want it ended for good", resp.StatusCode)
	}

	// Groups: look up, create, rename, add and remove a member.
	r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Groups?excludedAttributes=members&"+filterQuery(`displayName eq "displayName"`), "")
	if r.str("totalResults") != "0" {
		t.Fatalf("group lookup = %s", r.raw)
	}
	r = scimDo(t, env, token, http.MethodPost, "/scim/v2/Groups", `{
		"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
		"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","meta":{"resourceType":"Group"}}`)
	r.wantStatus(t, 201, "")
	gid := r.str("id")
	if r.str("meta.created") == "" || r.str("meta.lastModified") == "" || r.str("meta.location") != testBaseURL+"/scim/v2/Groups/"+gid {
		t.Errorf("meta of a new group = %s", r.raw)
	}
	scimDo(t, env, token, http.MethodPost, "/scim/v2/Groups", groupJSON(`"displayName":"DISPLAYNAME"`)).wantStatus(t, 409, scim.Uniqueness)
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Groups/"+gid, patchOps(
		`{"op":"Replace","path":"displayName","value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}`)).wantStatus(t, 204, "")

	module := env.g.Required[0]
	if _, err := env.store.CreateAssignment(ctx, training.Assignment{Modules: []string{module}, GroupID: mustParseID(t, gid),
		DueAt: env.clock.Now().Add(14 * 24 * time.Hour), DueDays: 14}, env.users["hr"].ID); err != nil {
		t.Fatal(err)
	}
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Groups/"+gid,
		patchOps(`{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+id+`"}]}`)).wantStatus(t, 204, "")
	r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Groups/"+gid, "")
	if m := r.list("members"); len(m) != 1 || m[0]["value"] != id || m[0]["display"] != "Grace Hopper" ||
		r.str("displayName") != "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" {
		t.Fatalf("group after adding = %s", r.raw)
	}
	if due, err := env.store.DueDates(ctx, uid); err != nil || due[module].IsZero() {
		t.Errorf("joining through SCIM did not give the group's training: %v, %v", due, err)
	}
	r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Groups/"+gid+"?excludedAttributes=members", "")
	if r.body["members"] != nil || r.str("displayName") == "" || r.str("meta.lastModified") == "" {
		t.Fatalf("group with excludedAttributes=members = %s", r.raw)
	}
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Groups/"+gid,
		patchOps(`{"op":"Remove","path":"members","value":[{"$ref":null,"value":"`+id+`"}]}`)).wantStatus(t, 204, "")
	if r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Groups/"+gid, ""); len(r.list("members")) != 0 {
		t.Fatalf("group after removing = %s", r.raw)
	}

	// Deletion: the user is deactivated and gone for SCIM, kept in the portal.
	scimDo(t, env, token, http.MethodDelete, "/scim/v2/Users/"+id, "").wantStatus(t, 204, "")
	scimDo(t, env, token, http.MethodGet, "/scim/v2/Users/"+id, "").wantStatus(t, 404, "")
	if r := scimDo(t, env, token, http.MethodGet, "/scim/v2/Users?"+filterQuery(`userName eq "`+upn+`"`), ""); r.str("totalResults") != "0" {
		t.Errorf("deleted user still found: %s", r.raw)
	}
	if u, err := env.store.User(ctx, uid); err != nil || u.Active {
		t.Errorf("deleted user in the portal = %+v, %v; want kept and inactive", u, err)
	}
	scimDo(t, env, token, http.MethodDelete, "/scim/v2/Groups/"+gid, "").wantStatus(t, 204, "")
	scimDo(t, env, token, http.MethodGet, "/scim/v2/Groups/"+gid, "").wantStatus(t, 404, "")

	want := []string{"scim.user.create", "scim.user.update", "scim.user.update", "scim.user.update", "scim.user.deactivate",
		"scim.user.reactivate", "scim.group.create", "scim.group.update", "scim.group.add_member", "scim.group.remove_member",
		"scim.user.delete", "scim.group.delete"}
	if got := scimAuditActions(t, env, skip); !slices.Equal(got, want) {
		t.Errorf("audit = %v\nwant    %v", got, want)
	}
}

// TestSCIMOkta replays Okta's SCIM 2.0 requests (developer.okta.com, "SCIM
// 2.0 Protocol Reference"): lookup with paging, create with the
// placeholder password Okta always sends, GET then PUT of what it got
// with a change, deactivation by a replace without a path, group push with
// rename, member add, remove and replace, and group deletion.
func TestSCIMOkta(t *testing.T) {
	env := newTestEnv(t)
	withSCIM(t, env)
	token := newSCIMToken(t, env, "Okta")

	r := scimDo(t, env, token, http.MethodGet, "/scim/v2/Users?"+filterQuery(`userName eq "test.user@okta.local"`)+"&startIndex=1&count=100", "")
	if r.str("totalResults") != "0" || r.str("startIndex") != "1" {
		t.Fatalf("lookup = %s", r.raw)
	}
	r = scimDo(t, env, token, http.MethodPost, "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},
		"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","nickName":"Testy","locale":"en-US",
		"externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`)
	r.wantStatus(t, 201, "")
	id := r.str("id")
	if strings.Contains(r.raw, "1mz050nq") {
		t.Errorf("the response holds the password")
	}
	if r.str("locale") != "en-US" || r.str("nickName") != "Testy" {
		t.Errorf("created = %s; want locale and nickName kept", r.raw)
	}

	// Okta GETs the user, changes what changed and PUTs all of it back.
	got := scimDo(t, env, token, http.MethodGet, "/scim/v2/Users/"+id, "")
	got.wantStatus(t, 200, "")
	name, ok := got.body["name"].(map[string]any)
	if !ok {
		t.Fatalf("user without name: %s", got.raw)
	}
	name["givenName"] = "Another"
	body, err := json.Marshal(got.body)
	if err != nil {
		t.Fatal(err)
	}
	r = scimDo(t, env, token, http.MethodPut, "/scim/v2/Users/"+id, string(body))
	r.wantStatus(t, 200, "")
	if r.str("name.givenName") != "Another" || r.str("externalId") != "00ujl29u0le5T6Aj10h7" || r.str("locale") != "en-US" {
		t.Fatalf("after PUT = %s", r.raw)
	}
	// Okta's documented PUT body, middleName and all.
	scimDo(t, env, token, http.MethodPut, "/scim/v2/Users/"+id, userJSON(`"id":"`+id+`","userName":"test.user@okta.local",
		"name":{"givenName":"Another","middleName":"","familyName":"User"},
		"emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
		"active":true,"groups":[],"meta":{"resourceType":"User"}`)).wantStatus(t, 200, "")
	scimDo(t, env, token, http.MethodPut, "/scim/v2/Users/"+id, userJSON(`"id":"`+id+`","userName":"test.user@okta.local",
		"name":{"givenName":"Another","middleName":"Excited","familyName":"User"},"active":true`)).wantStatus(t, 400, scim.Mutability)

	signInAs(t, env, "okta-user", mustParseID(t, id))
	r = scimDo(t, env, token, http.MethodPatch, "/scim/v2/Users/"+id, patchOps(`{"op":"replace","value":{"active":false}}`))
	r.wantStatus(t, 200, "")
	if r.str("active") != "false" {
		t.Fatalf("after deactivation = %s", r.raw)
	}
	if resp := env.do(t, "okta-user", http.MethodGet, "/conduct", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("deactivated user's session: %d, want a redirect to sign in", resp.StatusCode)
	}
	// Password sync: the portal keeps no passwords and says so.
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Users/"+id, patchOps(`{"op":"replace","value":{"password":"n3w-p4ss"}}`)).
		wantStatus(t, 400, scim.Mutability)

	second := scimDo(t, env, token, http.MethodPost, "/scim/v2/Users", userJSON(`"userName":"second@okta.local","active":true`))
	second.wantStatus(t, 201, "")
	id2 := second.str("id")

	r = scimDo(t, env, token, http.MethodPost, "/scim/v2/Groups", groupJSON(`"displayName":"Test SCIMv2","members":[]`))
	r.wantStatus(t, 201, "")
	gid := r.str("id")
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Groups/"+gid, patchOps(
		`{"op":"replace","value":{"id":"`+gid+`","displayName":"Test SCIMv2 renamed"}}`)).wantStatus(t, 204, "")
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Groups/"+gid, patchOps(
		`{"op":"add","path":"members","value":[{"value":"`+id+`","display":"test.user@okta.local"},{"value":"`+id2+`"}]}`)).wantStatus(t, 204, "")
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Groups/"+gid, patchOps(
		`{"op":"remove","path":"members[value eq \"`+id+`\"]"}`)).wantStatus(t, 204, "")
	r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Groups/"+gid, "")
	if m := r.list("members"); r.str("displayName") != "Test SCIMv2 renamed" || len(m) != 1 || m[0]["value"] != id2 {
		t.Fatalf("group = %s", r.raw)
	}
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Groups/"+gid, patchOps(
		`{"op":"replace","path":"members","value":[{"value":"`+id+`"}]}`)).wantStatus(t, 204, "")
	r = scimDo(t, env, token, http.MethodPut, "/scim/v2/Groups/"+gid, groupJSON(`"displayName":"Test SCIMv2 renamed","members":[{"value":"`+id+`"},{"value":"`+id2+`"}]`))
	r.wantStatus(t, 200, "")
	if m := r.list("members"); len(m) != 2 {
		t.Fatalf("group after PUT = %s", r.raw)
	}
	r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Groups?startIndex=1&count=100", "")
	if r.str("totalResults") != "1" {
		t.Fatalf("groups = %s", r.raw)
	}
	scimDo(t, env, token, http.MethodDelete, "/scim/v2/Groups/"+gid, "").wantStatus(t, 204, "")
	scimDo(t, env, token, http.MethodDelete, "/scim/v2/Groups/"+gid, "").wantStatus(t, 404, "")
}

func TestSCIMDiscovery(t *testing.T) {
	env := newTestEnv(t)
	withSCIM(t, env)
	token := newSCIMToken(t, env, "Discovery")
	r := scimDo(t, env, token, http.MethodGet, "/scim/v2/ServiceProviderConfig", "")
	if r.str("patch.supported") != "true" || r.str("bulk.supported") != "false" || !strings.Contains(r.raw, "oauthbearertoken") {
		t.Errorf("ServiceProviderConfig = %s", r.raw)
	}
	if r := scimDo(t, env, token, http.MethodGet, "/scim/v2/ResourceTypes", ""); r.str("totalResults") != "2" {
		t.Errorf("ResourceTypes = %s", r.raw)
	}
	scimDo(t, env, token, http.MethodGet, "/scim/v2/ResourceTypes/Group", "").wantStatus(t, 200, "")
	if r := scimDo(t, env, token, http.MethodGet, "/scim/v2/Schemas", ""); r.str("totalResults") != "3" {
		t.Errorf("Schemas = %s", r.raw)
	}
	r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Schemas/"+scim.UserSchema, "")
	if r.str("id") != scim.UserSchema {
		t.Errorf("User schema = %s", r.raw)
	}
}

func TestSCIMErrors(t *testing.T) {
	env := newTestEnv(t)
	withSCIM(t, env)
	token := newSCIMToken(t, env, "Errors")
	revoked := newSCIMToken(t, env, "Old")
	if resp := env.do(t, "admin", http.MethodPost, "/admin/scim/tokens/2/revoke", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	user := scimDo(t, env, token, http.MethodPost, "/scim/v2/Users", userJSON(`"userName":"taken@example.com"`))
	user.wantStatus(t, 201, "")
	group := scimDo(t, env, token, http.MethodPost, "/scim/v2/Groups", groupJSON(`"displayName":"Existing"`))
	group.wantStatus(t, 201, "")
	gid := group.str("id")

	tests := []struct {
		name, token, method, path, body string
		wantStatus                      int
		wantType                        string
	}{
		{"no token", "", "GET", "/scim/v2/Users", "", 401, ""},
		{"wrong token", "portal_scim_nope", "GET", "/scim/v2/Users", "", 401, ""},
		{"revoked token", revoked, "GET", "/scim/v2/Users", "", 401, ""},
		{"a session token is no bearer token", env.sessions["admin"], "GET", "/scim/v2/Users", "", 401, ""},
		{"unknown user", token, "GET", "/scim/v2/Users/4242", "", 404, ""},
		{"id that cannot be", token, "GET", "/scim/v2/Users/abc", "", 404, ""},
		{"patch unknown user", token, "PATCH", "/scim/v2/Users/4242", patchOps(`{"op":"replace","path":"active","value":false}`), 404, ""},
		{"delete unknown user", token, "DELETE", "/scim/v2/Users/4242", "", 404, ""},
		{"unknown group", token, "GET", "/scim/v2/Groups/4242", "", 404, ""},
		{"unknown endpoint", token, "GET", "/scim/v2/Bulk", "", 404, ""},
		{"duplicate userName", token, "POST", "/scim/v2/Users", userJSON(`"userName":"TAKEN@example.com"`), 409, scim.Uniqueness},
		{"duplicate address", token, "POST", "/scim/v2/Users", userJSON(`"userName":"upn","emails":[{"value":"Taken@example.com","primary":true}]`), 409, scim.Uniqueness},
		{"duplicate displayName", token, "POST", "/scim/v2/Groups", groupJSON(`"displayName":"existing"`), 409, scim.Uniqueness},
		{"unsupported filter", token, "GET", "/scim/v2/Users?" + filterQuery(`name.familyName eq "x"`), "", 400, scim.InvalidFilter},
		{"unsupported operator", token, "GET", "/scim/v2/Users?" + filterQuery(`userName co "x"`), "", 400, scim.InvalidFilter},
		{"malformed filter", token, "GET", "/scim/v2/Users?" + filterQuery(`userName eq`), "", 400, scim.InvalidFilter},
		{"unsupported group filter", token, "GET", "/scim/v2/Groups?" + filterQuery(`members.value eq "1"`), "", 400, scim.InvalidFilter},
		{"malformed JSON", token, "POST", "/scim/v2/Users", `{"userName":`, 400, scim.InvalidSyntax},
		{"User without schemas", token, "POST", "/scim/v2/Users", `{"userName":"new@example.com"}`, 400, scim.InvalidSyntax},
		{"User with the Group schema", token, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"new@example.com"}`, 400, scim.InvalidSyntax},
		{"PUT User with the PatchOp schema", token, "PUT", "/scim/v2/Users/" + user.str("id"), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"userName":"taken@example.com"}`, 400, scim.InvalidSyntax},
		{"Group with the User schema", token, "POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"New"}`, 400, scim.InvalidSyntax},
		{"PUT Group without schemas", token, "PUT", "/scim/v2/Groups/" + gid, `{"displayName":"Existing"}`, 400, scim.InvalidSyntax},
		{"PATCH with the User schema", token, "PATCH", "/scim/v2/Users/" + user.str("id"), `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"replace","path":"active","value":false}]}`, 400, scim.InvalidSyntax},
		{"PATCH unknown path", token, "PATCH", "/scim/v2/Users/" + user.str("id"), patchOps(`{"op":"replace","path":"active","value":false}`, `{"op":"replace","path":"favouriteColour","value":"red"}`), 400, scim.InvalidPath},
		{"PATCH unknown group path", token, "PATCH", "/scim/v2/Groups/" + gid, patchOps(`{"op":"replace","path":"owner","value":"x"}`), 400, scim.InvalidPath},
		{"PATCH add roles", token, "PATCH", "/scim/v2/Users/" + user.str("id"), patchOps(`{"op":"replace","path":"active","value":false}`, `{"op":"add","path":"roles","value":[{"value":"admin"}]}`), 400, scim.Mutability},
		{"PATCH meta", token, "PATCH", "/scim/v2/Groups/" + gid, patchOps(`{"op":"replace","path":"meta.lastModified","value":"2020-01-01T00:00:00Z"}`), 400, scim.Mutability},
		{"POST roles", token, "POST", "/scim/v2/Users", userJSON(`"userName":"new@example.com","roles":[{"value":"admin","primary":true}]`), 400, scim.Mutability},
		{"unknown attribute", token, "POST", "/scim/v2/Users", userJSON(`"userName":"new@example.com","favouriteColour":"red"`), 400, scim.InvalidSyntax},
		{"bad attributes", token, "GET", "/scim/v2/Users?attributes=favouriteColour", "", 400, scim.InvalidValue},
		{"attributes and excludedAttributes", token, "GET", "/scim/v2/Groups?attributes=displayName&excludedAttributes=members", "", 400, scim.InvalidValue},
		{"malformed PATCH JSON", token, "PATCH", "/scim/v2/Users/" + user.str("id"), `{"Operations":[`, 400, scim.InvalidSyntax},
		{"bad PATCH op", token, "PATCH", "/scim/v2/Users/" + user.str("id"), patchOps(`{"op":"Frobnicate","path":"active","value":false}`), 400, scim.InvalidSyntax},
		{"PATCH without PatchOp schema", token, "PATCH", "/scim/v2/Users/" + user.str("id"), `{"Operations":[{"op":"replace","path":"active","value":false}]}`, 400, scim.InvalidSyntax},
		{"bad boolean", token, "PATCH", "/scim/v2/Users/" + user.str("id"), patchOps(`{"op":"Replace","path":"active","value":"perhaps"}`), 400, scim.InvalidValue},
		{"change id", token, "PATCH", "/scim/v2/Users/" + user.str("id"), patchOps(`{"op":"replace","path":"id","value":"99"}`), 400, scim.Mutability},
		{"remove without path", token, "PATCH", "/scim/v2/Groups/" + gid, patchOps(`{"op":"remove"}`), 400, scim.NoTarget},
		{"add unknown member", token, "PATCH", "/scim/v2/Groups/" + gid, patchOps(`{"op":"add","path":"members","value":[{"value":"4242"}]}`), 400, scim.InvalidValue},
		{"userName missing", token, "POST", "/scim/v2/Users", userJSON(`"name":{"givenName":"x"}`), 400, scim.InvalidValue},
		{"no address", token, "POST", "/scim/v2/Users", userJSON(`"userName":"jdoe"`), 400, scim.InvalidValue},
		{"bad count", token, "GET", "/scim/v2/Users?count=many", "", 400, scim.InvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scimDo(t, env, tt.token, tt.method, tt.path, tt.body)
			r.wantStatus(t, tt.wantStatus, tt.wantType)
			if tt.wantStatus == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without WWW-Authenticate: Bearer")
			}
		})
	}
	if u, err := env.store.User(context.Background(), mustParseID(t, user.str("id"))); err != nil || !u.Active {
		t.Errorf("a refused PATCH changed the user: %+v, %v", u, err)
	}
	if r := scimDo(t, env, token, http.MethodGet, "/scim/v2/Users", ""); r.str("totalResults") != fmt.Sprint(len(personas)+1) {
		t.Errorf("users after the refused requests: %s; want the personas and taken@example.com", r.str("totalResults"))
	}
}

// TestSCIMRoles checks the SCIM routes as every persona, as TestRoles
// does: the admin pages are for admins; the SCIM endpoints answer 401 to
// every session, since they take a bearer token only.
func TestSCIMRoles(t *testing.T) {
	env := newTestEnv(t)
	withSCIM(t, env)
	newSCIMToken(t, env, "For the revoke route")
	for _, e := range slices.Concat(scimRoleTable, scimAPIRoleTable) {
		for _, persona := range anyone {
			t.Run(fmt.Sprintf("%s %s as %q", e.method, e.example, persona), func(t *testing.T) {
				if persona != "" {
					env.newSession(t, persona)
				}
				resp := env.do(t, persona, e.method, e.example, nil)
				toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
				switch {
				case isSCIMAPIRoute(e.route):
					if resp.StatusCode != http.StatusUnauthorized {
						t.Fatalf("got %d, want 401: SCIM takes a bearer token, never a session", resp.StatusCode)
					}
				case slices.Contains(e.allowed, persona):
					if resp.StatusCode == http.StatusForbidden || toLogin || resp.StatusCode >= 500 {
						t.Fatalf("allowed persona got %d", resp.StatusCode)
					}
				case persona == "":
					if !toLogin {
						t.Fatalf("anonymous got %d, want 303 to /login", resp.StatusCode)
					}
				default:
					if resp.StatusCode != http.StatusForbidden {
						t.Fatalf("got %d, want 403", resp.StatusCode)
					}
				}
			})
		}
	}
	// Every SCIM route registered is in one of the tables.
	inTable := map[string]bool{}
	for _, e := range slices.Concat(scimRoleTable, scimAPIRoleTable) {
		inTable[e.method+" "+e.route] = true
	}
	for _, r := range env.app.GetRoutes(true) {
		if r.Method != http.MethodHead && (strings.HasPrefix(r.Path, "/scim/") || strings.HasPrefix(r.Path, "/admin/scim")) && !inTable[r.Method+" "+r.Path] {
			t.Errorf("route %s %s has no entry", r.Method, r.Path)
		}
	}
}

func mustParseID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := scim.ParseID(s)
	if err != nil {
		t.Fatalf("id %q: %v", s, err)
	}
	return id
}

// TestSCIMRateLimitMadeUpTokens: a token the portal does not know buys no
// bucket of its own. A flood of made-up tokens from one address is limited
// by the address and answered with a SCIM 429; valid tokens keep their
// own buckets, also from that address.
func TestSCIMRateLimitMadeUpTokens(t *testing.T) {
	env := newTestEnv(t)
	valid := newSCIMToken(t, env, "Entra ID")
	other := newSCIMToken(t, env, "Okta")
	app := appWith(t, env, func(d *Deps) {
		d.RateLimits = RateLimits{SCIM: Rate{PerSecond: 1, Burst: 3}}
		d.TrustedProxies = []string{"0.0.0.0"} // app.Test's address; X-Forwarded-For names the client
	})
	send := func(client, token string) scimResponse {
		t.Helper()
		req := scimRequest(http.MethodGet, "/scim/v2/Users", token, "")
		req.Header.Set("X-Forwarded-For", client)
		return scimSend(t, app, req)
	}
	for i := range 3 {
		send("192.0.2.1", fmt.Sprintf("portal_scim_guess%d", i)).wantStatus(t, 401, "")
	}
	r := send("192.0.2.1", "portal_scim_guess3")
	r.wantStatus(t, 429, "")
	if !strings.Contains(r.str("detail"), "Retry-After") {
		t.Errorf("429 detail = %q, want it to say to wait", r.str("detail"))
	}
	if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After = %q, want whole seconds", r.header.Get("Retry-After"))
	}
	send("192.0.2.1", "").wantStatus(t, 429, "")                   // no token: the same address bucket
	send("192.0.2.2", "portal_scim_guess4").wantStatus(t, 401, "") // another address has its own
	send("192.0.2.1", valid).wantStatus(t, 200, "")                // a valid token is not held up by the flood
	send("192.0.2.1", valid).wantStatus(t, 200, "")                // …
	send("192.0.2.1", valid).wantStatus(t, 200, "")                // …its burst of 3
	send("192.0.2.1", valid).wantStatus(t, 429, "")                // then its own limit holds
	send("192.0.2.1", other).wantStatus(t, 200, "")                // and another token has another bucket
	env.clock.Advance(time.Second)
	send("192.0.2.1", "portal_scim_guess5").wantStatus(t, 401, "") // one token back for the address
	send("192.0.2.1", "portal_scim_guess6").wantStatus(t, 429, "")
}

// TestSCIMErrorsAreSCIMJSON: every error under /scim/v2 is a SCIM error
// body (RFC 7644 §3.12) as application/scim+json, whoever raised it.
func TestSCIMErrorsAreSCIMJSON(t *testing.T) {
	env := newTestEnv(t)
	token := newSCIMToken(t, env, "Errors")
	tests := []struct {
		name, token, method, path, body string
		wantStatus                      int
		wantAllow                       string
	}{
		{"401 without a token", "", "GET", "/scim/v2/Users", "", 401, ""},
		{"401 on an unknown route", "", "GET", "/scim/v2/Bulk", "", 401, ""},
		{"404 unknown route", token, "GET", "/scim/v2/Bulk", "", 404, ""},
		{"404 the prefix itself", token, "GET", "/scim/v2", "", 404, ""},
		{"404 unknown route, lower case", token, "POST", "/scim/v2/me", "{}", 404, ""},
		{"405 POST to a user", token, "POST", "/scim/v2/Users/1", "{}", 405, "GET, HEAD, PUT, PATCH, DELETE"},
		{"405 DELETE all users", token, "DELETE", "/scim/v2/Users", "", 405, "GET, HEAD, POST"},
		{"405 PUT the configuration", token, "PUT", "/scim/v2/ServiceProviderConfig", "{}", 405, "GET, HEAD"},
		{"405 in another case", token, "POST", "/SCIM/V2/groups/7", "{}", 405, "GET, HEAD, PUT, PATCH, DELETE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scimDo(t, env, tt.token, tt.method, tt.path, tt.body)
			r.wantStatus(t, tt.wantStatus, "")
			if r.header.Get("Allow") != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", r.header.Get("Allow"), tt.wantAllow)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
			}
		})
	}
	if r := scimDo(t, env, token, http.MethodHead, "/scim/v2/Users", ""); r.status != 200 {
		t.Errorf("HEAD /scim/v2/Users = %d, want 200", r.status)
	}

	// An error from a check that runs before the SCIM handler (as a CSRF
	// or Origin check might) is a SCIM error too.
	d := Deps{Store: env.store, Guidelines: env.g, BaseURL: testBaseURL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.clock.Now}
	s := &server{Deps: d}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError, DisableStartupMessage: true})
	app.Use(func(c *fiber.Ctx) error {
		if c.Method() == fiber.MethodPost {
			return apperr.New(apperr.Forbidden, "This request did not come from this portal, so nothing was changed.")
		}
		return c.Next()
	})
	s.scimRoutes(app, router{app: app, s: s})
	r := scimSend(t, app, scimRequest(http.MethodPost, "/scim/v2/Users", token, userJSON(`"userName":"a@example.com"`)))
	r.wantStatus(t, 403, "")
	if !strings.Contains(r.str("detail"), "did not come from this portal") {
		t.Errorf("detail = %q, want the check's message", r.str("detail"))
	}
}

// TestSCIMLongFilter runs the portal on a real listener, so that
// fasthttp's read buffer is the one in production: a filter of a few KB
// in the query string gets a SCIM answer, not the HTML 431 page, and one
// over the filter parser's limit gets its SCIM 400 invalidFilter.
func TestSCIMLongFilter(t *testing.T) {
	env := newTestEnv(t)
	token := newSCIMToken(t, env, "Long filters")
	externalID := strings.Repeat("0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef.", 95) // 3.5 KB
	scimDo(t, env, token, http.MethodPost, "/scim/v2/Users", userJSON(`"userName":"long@example.com","externalId":"`+externalID+`"`)).
		wantStatus(t, 201, "")

	_, send := listen(t, appWith(t, env, nil))
	get := func(filter string) scimResponse {
		t.Helper()
		return send(http.MethodGet, "/scim/v2/Users?"+filterQuery(filter), token, "")
	}
	r := get(`externalId eq "` + externalID + `"`)
	r.wantStatus(t, 200, "")
	if users := r.list("Resources"); len(users) != 1 || users[0]["userName"] != "long@example.com" {
		t.Errorf("lookup by a 3.5 KB externalId = %.300s", r.raw)
	}
	get(`externalId eq "`+strings.Repeat("x", 4100)+`"`).wantStatus(t, 400, scim.InvalidFilter)
}

// listen serves app on a loopback port until the test ends, and returns a
// function that sends it a SCIM request through net/http: unlike
// app.Test, this goes through fasthttp's read buffer and body limit as in
// production, and through the error handler when they are exceeded.
func listen(t *testing.T, app *fiber.App) (addr string, send func(method, path, token, body string) scimResponse) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.Shutdown(); err != nil {
			t.Error(err)
		}
		if err := <-served; err != nil {
			t.Error(err)
		}
	})
	client := &http.Client{Timeout: 20 * time.Second}
	return ln.Addr().String(), func(method, path, token, body string) scimResponse {
		t.Helper()
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, "http://"+ln.Addr().String()+path, r)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/scim+json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return scimRead(t, req, resp)
	}
}

// TestSCIMBodyLimit: a body over the portal's limit is refused by
// fasthttp before any handler runs; the answer is still a SCIM error.
func TestSCIMBodyLimit(t *testing.T) {
	env := newTestEnv(t)
	token := newSCIMToken(t, env, "Big bodies")
	addr, _ := listen(t, appWith(t, env, nil))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	// The headers announce 4 MB; the portal answers before any of it is
	// sent, so that the test does not race the server closing the
	// connection.
	if _, err := fmt.Fprintf(conn, "POST /scim/v2/Users HTTP/1.1\r\nHost: portal.test\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/scim+json\r\nContent-Length: %d\r\n\r\n", token, 4<<20); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/scim/v2/Users", nil)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	r := scimRead(t, req, resp)
	r.wantStatus(t, 413, "")
	if !strings.Contains(r.str("detail"), "larger than the portal accepts") {
		t.Errorf("413 detail = %q", r.str("detail"))
	}
}

// TestSCIMTextChecked: every string SCIM stores goes through input.Check;
// a NUL byte, a control character or invalid UTF-8 is a 400 invalidValue
// naming the attribute, and nothing is stored.
func TestSCIMTextChecked(t *testing.T) {
	env := newTestEnv(t)
	token := newSCIMToken(t, env, "Text")
	user := scimDo(t, env, token, http.MethodPost, "/scim/v2/Users", userJSON(`"userName":"ada@example.com"`))
	user.wantStatus(t, 201, "")
	group := scimDo(t, env, token, http.MethodPost, "/scim/v2/Groups", groupJSON(`"displayName":"Sales"`))
	group.wantStatus(t, 201, "")
	skip := auditLength(t, env)
	tests := []struct {
		name, method, path, body, wantAttr string
	}{
		{"NUL in userName", "POST", "/scim/v2/Users", userJSON(`"userName":"u\u0000@x.com"`), "userName"},
		{"NUL in the address", "POST", "/scim/v2/Users", userJSON(`"userName":"u","emails":[{"value":"u\u0000@x.com","primary":true}]`), "emails.value"},
		{"escape in displayName", "POST", "/scim/v2/Users", userJSON(`"userName":"u@x.com","displayName":"\u001b[31mred"`), "displayName"},
		{"invalid UTF-8 in givenName", "POST", "/scim/v2/Users", userJSON("\"userName\":\"u@x.com\",\"name\":{\"givenName\":\"caf\xe9\"}"), "name.givenName"},
		{"lone surrogate in nickName", "POST", "/scim/v2/Users", userJSON(`"userName":"u@x.com","nickName":"\ud83d"`), "nickName"},
		{"newline in department", "PUT", "/scim/v2/Users/" + user.str("id"),
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
				`"userName":"ada@example.com","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D\nSet-Cookie: x=1"}}`, "department"},
		{"NUL by PATCH", "PATCH", "/scim/v2/Users/" + user.str("id"), patchOps(`{"op":"replace","path":"externalId","value":"e\u0000"}`), "externalId"},
		{"NUL in a group name", "POST", "/scim/v2/Groups", groupJSON(`"displayName":"Sales\u0000"`), "displayName"},
		{"invalid UTF-8 in a group rename", "PATCH", "/scim/v2/Groups/" + group.str("id"), patchOps("{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"\xff\"}"), "displayName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scimDo(t, env, token, tt.method, tt.path, tt.body)
			r.wantStatus(t, 400, scim.InvalidValue)
			if !strings.HasPrefix(r.str("detail"), tt.wantAttr+" ") {
				t.Errorf("detail %q does not name %s", r.str("detail"), tt.wantAttr)
			}
		})
	}
	if n := auditLength(t, env); n != skip {
		t.Errorf("%d audit entries after refused requests, want none", n-skip)
	}
	if r := scimDo(t, env, token, http.MethodGet, "/scim/v2/Users?"+filterQuery(`userName eq "u@x.com"`), ""); r.str("totalResults") != "0" {
		t.Errorf("a refused user was stored: %s", r.raw)
	}
	if r := scimDo(t, env, token, http.MethodGet, "/scim/v2/Users/"+user.str("id"), ""); r.str("externalId") != "" {
		t.Errorf("a refused PATCH was stored: %s", r.raw)
	}
}

// TestSCIMAttributesParameter: attributes= and excludedAttributes= on GET,
// for lists and single resources (RFC 7644 §3.4.2.5).
func TestSCIMAttributesParameter(t *testing.T) {
	env := newTestEnv(t)
	token := newSCIMToken(t, env, "Attributes")
	u := scimDo(t, env, token, http.MethodPost, "/scim/v2/Users", userJSON(`"userName":"upn@corp.example","nickName":"Ada",
		"emails":[{"value":"ada@example.com","primary":true}],"name":{"givenName":"Ada","familyName":"Lovelace"}`))
	u.wantStatus(t, 201, "")
	id := u.str("id")
	scimDo(t, env, token, http.MethodPost, "/scim/v2/Groups", groupJSON(`"displayName":"Sales","members":[{"value":"`+id+`"}]`)).wantStatus(t, 201, "")

	keys := func(m map[string]any) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return strings.Join(ks, ",")
	}
	r := scimDo(t, env, token, http.MethodGet, "/scim/v2/Users/"+id+"?attributes=userName,emails.value,name.givenName", "")
	r.wantStatus(t, 200, "")
	if got := keys(r.body); got != "emails,id,name,schemas,userName" || r.str("name.givenName") != "Ada" || r.str("name.familyName") != "" {
		t.Errorf("attributes=userName,emails.value,name.givenName: %s", r.raw)
	}
	r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Users?"+filterQuery(`userName eq "upn@corp.example"`)+"&excludedAttributes=name,meta,emails", "")
	users := r.list("Resources")
	if len(users) != 1 || users[0]["name"] != nil || users[0]["meta"] != nil || users[0]["emails"] != nil || users[0]["nickName"] != "Ada" {
		t.Errorf("list with excludedAttributes=name,meta,emails: %s", r.raw)
	}
	r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Groups?attributes=displayName", "")
	groups := r.list("Resources")
	if len(groups) != 1 || keys(groups[0]) != "displayName,id,schemas" {
		t.Errorf("groups with attributes=displayName: %s", r.raw)
	}
	r = scimDo(t, env, token, http.MethodGet, "/scim/v2/Groups/"+groups[0]["id"].(string)+"?attributes=members.value", "")
	if m := r.list("members"); len(m) != 1 || keys(m[0]) != "value" || m[0]["value"] != id {
		t.Errorf("group with attributes=members.value: %s", r.raw)
	}
}

// TestSCIMMetaFollowsChanges: meta.lastModified and meta.version move with
// every change, a group's members included; created stays.
func TestSCIMMetaFollowsChanges(t *testing.T) {
	env := newTestEnv(t)
	token := newSCIMToken(t, env, "Meta")
	u := scimDo(t, env, token, http.MethodPost, "/scim/v2/Users", userJSON(`"userName":"ada@example.com"`))
	g := scimDo(t, env, token, http.MethodPost, "/scim/v2/Groups", groupJSON(`"displayName":"Sales"`))
	g.wantStatus(t, 201, "")
	env.clock.Advance(time.Hour)
	scimDo(t, env, token, http.MethodPatch, "/scim/v2/Groups/"+g.str("id"),
		patchOps(`{"op":"add","path":"members","value":[{"value":"`+u.str("id")+`"}]}`)).wantStatus(t, 204, "")
	after := scimDo(t, env, token, http.MethodGet, "/scim/v2/Groups/"+g.str("id"), "")
	want := env.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	if after.str("meta.lastModified") != want || after.str("meta.version") == g.str("meta.version") ||
		after.str("meta.created") != g.str("meta.created") {
		t.Errorf("group meta after a member joined = %s; before %s; want lastModified %s", after.str("meta"), g.str("meta"), want)
	}
}

// TestSCIMTokenNameChecked: a token name the portal cannot store is
// refused by the check at the edge (checkInput), naming the field, and no
// token is made.
func TestSCIMTokenNameChecked(t *testing.T) {
	env := newTestEnv(t)
	for _, name := range []string{"Entra\x00ID", "Okta\nprod", "caf\xe9"} {
		resp := env.do(t, "admin", http.MethodPost, "/admin/scim/tokens", url.Values{"name": {name}})
		doc := mustDoc(t, resp)
		msg := doc.Find(`[data-testid="input-problems"]`).Text()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "Name") || has(doc, "new-token") {
			t.Errorf("token name %q: %d, message %q; want 422 with a message and no token", name, resp.StatusCode, msg)
		}
	}
	tokens, err := env.store.SCIMTokens(context.Background())
	if err != nil || len(tokens) != 0 {
		t.Errorf("tokens = %+v, %v; want none", tokens, err)
	}
}
