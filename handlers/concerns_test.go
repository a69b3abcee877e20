package handlers

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/concern"
	"github.com/advocacy-portal/portal/internal/store"
)

// concernRoleTable says who may use the concern routes. Every signed-in
// person may reach the report routes; who may see a report is
// concern.Service's rule (TestConcernVisibility).
var concernRoleTable = []roleEntry{
	{"GET", "/concerns/new", "/concerns/new", signedIn},
	{"POST", "/concerns", "/concerns", signedIn},
	{"GET", "/concerns", "/concerns", signedIn},
	{"GET", "/concerns/:id", "/concerns/1", signedIn},
	{"GET", "/concerns/:id/screenshot", "/concerns/1/screenshot", signedIn},
	{"POST", "/concerns/:id/acknowledge", "/concerns/1/acknowledge", signedIn},
	{"POST", "/concerns/:id/assign", "/concerns/1/assign", signedIn},
	{"POST", "/concerns/:id/comment", "/concerns/1/comment", signedIn},
	{"POST", "/concerns/:id/close", "/concerns/1/close", signedIn},
	{"GET", "/admin/concerns", "/admin/concerns", adminOnly},
	{"POST", "/admin/concerns", "/admin/concerns", adminOnly},
}

// newConcernEnv is newTestEnv, checked to have the concern routes
// (routes registers concernRoutes).
func newConcernEnv(t *testing.T) *testEnv {
	t.Helper()
	env := newTestEnv(t)
	for _, r := range env.app.GetRoutes() {
		if r.Path == "/concerns/new" {
			return env
		}
	}
	t.Fatal("the app has no /concerns/new route")
	return nil
}

// postMultipart sends fields and an optional file as persona, with the
// persona's CSRF token.
func (env *testEnv) postMultipart(t *testing.T, persona, path string, fields url.Values, fileField string, file []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fields.Set("_csrf", env.csrf[persona])
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if file != nil {
		fw, err := w.CreateFormFile(fileField, "screenshot.png")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(file); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, testBaseURL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: env.sessions[persona]})
	resp, err := env.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func concernForm(urgent bool) url.Values {
	f := url.Values{"link": {"https://news.example.com/story"}, "kind": {"journalist"},
		"description": {"A journalist called me about the merger."}}
	if urgent {
		f.Set("urgent", "1")
	}
	return f
}

// reportConcern reports a concern as persona and returns its id.
func (env *testEnv) reportConcern(t *testing.T, persona string, form url.Values, file []byte) int64 {
	t.Helper()
	resp := env.postMultipart(t, persona, "/concerns", form, "screenshot", file)
	var id int64
	if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/concerns/%d?created=1", &id); resp.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("report: got %d %q, want 303 to the new concern", resp.StatusCode, resp.Header.Get("Location"))
	}
	return id
}

func TestReportConcern(t *testing.T) {
	env := newConcernEnv(t)
	resp := env.do(t, "employee", "GET", "/concerns/new", nil)
	if doc := mustDoc(t, resp); resp.StatusCode != http.StatusOK || !has(doc, "concern-form") || !has(doc, "report-concern-link") {
		t.Fatalf("form: got %d, want 200 with the form and the footer link", resp.StatusCode)
	}
	id := env.reportConcern(t, "employee", concernForm(false), nil)
	resp = env.do(t, "employee", "GET", fmt.Sprintf("/concerns/%d?created=1", id), nil)
	doc := mustDoc(t, resp)
	if resp.StatusCode != http.StatusOK || !has(doc, "concern-created") || has(doc, "concern-actions") {
		t.Errorf("confirmation: got %d, created %v, actions %v", resp.StatusCode, has(doc, "concern-created"), has(doc, "concern-actions"))
	}
	c, err := env.store.Concern(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.ReporterID != env.users["employee"].ID || c.Kind != "journalist" || c.Link != "https://news.example.com/story" ||
		c.Urgent || c.Status != concern.StatusNew || c.ImageID != 0 {
		t.Errorf("stored %+v", c)
	}
	if mails, err := env.store.Outbox(context.Background(), 0); err != nil || len(mails) != 0 {
		t.Errorf("a report that is not urgent queued %d mails (error: %v)", len(mails), err)
	}
	resp = env.do(t, "employee", "GET", "/concerns", nil)
	if doc := mustDoc(t, resp); !has(doc, fmt.Sprintf("concern-%d", id)) || has(doc, "concern-queue") {
		t.Errorf("own list: want the report and no queue")
	}
	resp = env.do(t, "comms", "GET", "/concerns", nil)
	if doc := mustDoc(t, resp); doc.Find(`[data-testid="concern-queue"] [data-testid="concern-`+fmt.Sprint(id)+`"]`).Length() != 1 {
		t.Errorf("comms: want the report in the triage queue")
	}
}

func TestReportConcernRefusals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		change    func(url.Values)
		file      []byte
		wantError string
	}{
		{"no description", func(f url.Values) { f.Set("description", "  ") }, nil, "error-description"},
		{"description too long", func(f url.Values) { f.Set("description", strings.Repeat("x", 4001)) }, nil, "error-description"},
		{"link not http", func(f url.Values) { f.Set("link", "javascript:alert(1)") }, nil, "error-link"},
		{"link without host", func(f url.Values) { f.Set("link", "https://") }, nil, "error-link"},
		{"unknown kind", func(f url.Values) { f.Set("kind", "gossip") }, nil, "error-kind"},
		{"screenshot not an image", func(url.Values) {}, []byte("just some text, not a picture"), "error-screenshot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newConcernEnv(t)
			form := concernForm(true)
			tc.change(form)
			resp := env.postMultipart(t, "employee", "/concerns", form, "screenshot", tc.file)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", resp.StatusCode)
			}
			doc := mustDoc(t, resp)
			if !has(doc, tc.wantError) {
				t.Errorf("no %s on the page", tc.wantError)
			}
			description := doc.Find("#concern-description")
			if got, err := description.Html(); description.Length() != 1 || err != nil || !strings.Contains(form.Get("description"), strings.TrimSpace(got)) {
				t.Errorf("description not kept: %q (%d fields, error %v)", got, description.Length(), err)
			}
			if doc.Find(`[data-testid="concern-urgent"][checked]`).Length() != 1 {
				t.Errorf("urgent not kept")
			}
			if cs, err := env.store.ConcernsReportedBy(context.Background(), env.users["employee"].ID); err != nil || len(cs) != 0 {
				t.Errorf("saved %d concerns, want none (error: %v)", len(cs), err)
			}
			if mails, err := env.store.Outbox(context.Background(), 0); err != nil || len(mails) != 0 {
				t.Errorf("queued %d mails, want none (error: %v)", len(mails), err)
			}
		})
	}
}

func TestConcernScreenshot(t *testing.T) {
	env := newConcernEnv(t)
	id := env.reportConcern(t, "employee", concernForm(false), pngBytes(t))
	c, err := env.store.Concern(context.Background(), id)
	if err != nil || c.ImageID == 0 {
		t.Fatalf("concern %+v, %v: want a screenshot", c, err)
	}
	for persona, want := range map[string]int{"employee": 200, "comms": 200, "hr": 404, "admin": 404} {
		resp := env.do(t, persona, "GET", fmt.Sprintf("/concerns/%d/screenshot", id), nil)
		if resp.StatusCode != want {
			t.Errorf("screenshot as %s: got %d, want %d", persona, resp.StatusCode, want)
		}
		if want == 200 && resp.Header.Get("Content-Type") != "image/png" {
			t.Errorf("screenshot as %s: content type %q", persona, resp.Header.Get("Content-Type"))
		}
		// Not through the general image address either, even for those who may see it.
		if resp := env.do(t, persona, "GET", fmt.Sprintf("/images/%d", c.ImageID), nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("/images/%d as %s: got %d, want 404 (a concern's screenshot)", c.ImageID, persona, resp.StatusCode)
		}
	}
}

func TestConcernVisibility(t *testing.T) {
	env := newConcernEnv(t)
	id := env.reportConcern(t, "employee", concernForm(false), nil)
	path := fmt.Sprintf("/concerns/%d", id)
	for _, tc := range []struct {
		name     string
		contacts []string // emails; none: the comms role
		want     map[string]int
	}{
		{"comms role", nil, map[string]int{"employee": 200, "comms": 200, "comms2": 200, "hr": 404, "admin": 404}},
		{"a list", []string{"comms2@example.com", "hr@example.com"},
			map[string]int{"employee": 200, "comms": 404, "comms2": 200, "hr": 200, "admin": 404}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := env.store.SetSetting(context.Background(), store.SettingConcernContacts,
				concern.Contacts{Emails: tc.contacts}, env.users["admin"].ID); err != nil {
				t.Fatal(err)
			}
			for _, persona := range personas {
				resp := env.do(t, persona, "GET", path, nil)
				if resp.StatusCode != tc.want[persona] {
					t.Errorf("%s: got %d, want %d", persona, resp.StatusCode, tc.want[persona])
				}
				if resp := env.do(t, persona, "POST", path+"/comment", url.Values{"comment": {"hello"}}); persona == "employee" && resp.StatusCode != 404 {
					t.Errorf("reporter commenting: got %d, want 404", resp.StatusCode)
				}
			}
			if resp := env.do(t, "employee", "GET", "/concerns/99999", nil); resp.StatusCode != 404 {
				t.Errorf("unknown concern: got %d, want 404", resp.StatusCode)
			}
		})
	}
}

func TestUrgentConcernMailsPointsOfContact(t *testing.T) {
	env := newConcernEnv(t)
	id := env.reportConcern(t, "employee", concernForm(true), nil)
	mails, err := env.store.Outbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, m := range mails {
		to = append(to, m.To)
		if m.Kind != "concern" || !strings.Contains(m.Body, fmt.Sprintf("%s/concerns/%d", testBaseURL, id)) {
			t.Errorf("mail %+v: want kind concern and a link to the report", m)
		}
	}
	slices.Sort(to)
	if want := []string{"comms2@example.com", "comms@example.com"}; !slices.Equal(to, want) {
		t.Errorf("mail to %v, want %v", to, want)
	}
}

func TestConcernTriage(t *testing.T) {
	env := newConcernEnv(t)
	id := env.reportConcern(t, "employee", concernForm(false), nil)
	path := fmt.Sprintf("/concerns/%d", id)
	steps := []struct {
		action string
		form   url.Values
	}{
		{"acknowledge", nil},
		{"assign", url.Values{"assignee": {fmt.Sprint(env.users["comms2"].ID)}}},
		{"comment", url.Values{"comment": {"We are on it; do not reply to the journalist."}}},
		{"close", url.Values{"note": {"Handled by the press office."}}},
	}
	for _, st := range steps {
		if resp := env.do(t, "comms", "POST", path+"/"+st.action, st.form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: got %d, want 303", st.action, resp.StatusCode)
		}
	}
	for _, bad := range []struct {
		action string
		form   url.Values
	}{
		{"assign", url.Values{"assignee": {fmt.Sprint(env.users["hr"].ID)}}}, // not a point of contact
		{"comment", url.Values{"comment": {" "}}},
	} {
		if resp := env.do(t, "comms", "POST", path+"/"+bad.action, bad.form); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s %v: got %d, want 422", bad.action, bad.form, resp.StatusCode)
		}
	}
	c, err := env.store.Concern(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != concern.StatusClosed || c.AssigneeID != env.users["comms2"].ID {
		t.Errorf("concern %+v: want closed, assigned to comms2", c)
	}
	history, err := env.store.ConcernHistory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range history {
		actions = append(actions, e.Action)
	}
	if want := []string{"reported", "acknowledged", "assigned", "commented", "closed"}; !slices.Equal(actions, want) {
		t.Errorf("history %v, want %v", actions, want)
	}
	resp := env.do(t, "employee", "GET", path, nil)
	doc := mustDoc(t, resp)
	if !strings.Contains(doc.Find(`[data-testid="concern-history"]`).Text(), "do not reply to the journalist") {
		t.Errorf("the reporter does not see the comment")
	}
	if s := attr(t, doc.Find(`[data-testid="concern-status"]`), "data-status"); s != concern.StatusClosed {
		t.Errorf("reporter sees status %q, want closed", s)
	}
}

func TestConcernSettings(t *testing.T) {
	env := newConcernEnv(t)
	if resp := env.do(t, "admin", "POST", "/admin/concerns", url.Values{"mode": {"list"},
		"emails": {"comms2@example.com\nnobody@example.com"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown address: got %d, want 422", resp.StatusCode)
	}
	if resp := env.do(t, "admin", "POST", "/admin/concerns", url.Values{"mode": {"role"}, "role": {"employee"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("role employee: got %d, want 422", resp.StatusCode)
	}
	if resp := env.do(t, "admin", "POST", "/admin/concerns", url.Values{"mode": {"list"},
		"emails": {"Comms2@example.com, hr@example.com"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid list: got %d, want 303", resp.StatusCode)
	}
	cc, err := env.store.ConcernContacts(context.Background())
	if err != nil || !slices.Equal(cc.Emails, []string{"comms2@example.com", "hr@example.com"}) {
		t.Errorf("contacts %+v, %v", cc, err)
	}
	if n := len(env.auditEntries(t, "settings.change")); n != 1 {
		t.Errorf("%d settings.change audit records, want 1", n)
	}
	resp := env.do(t, "admin", "GET", "/admin/concerns?saved=1", nil)
	if doc := mustDoc(t, resp); !has(doc, "saved") || doc.Find(`[data-testid="contacts"] li`).Length() != 2 {
		t.Errorf("settings page: want saved and two contacts")
	}
}

func TestConcernRoles(t *testing.T) {
	env := newConcernEnv(t)
	for _, e := range concernRoleTable {
		for _, persona := range anyone {
			if persona != "" {
				env.newSession(t, persona)
			}
			resp := env.do(t, persona, e.method, e.example, nil)
			toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
			switch {
			case slices.Contains(e.allowed, persona):
				if resp.StatusCode == http.StatusForbidden || toLogin || resp.StatusCode >= 500 {
					t.Errorf("%s %s as %s: got %d", e.method, e.example, persona, resp.StatusCode)
				}
			case persona == "":
				if !toLogin {
					t.Errorf("%s %s anonymous: got %d, want sign-in", e.method, e.example, resp.StatusCode)
				}
			default:
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s as %s: got %d, want 403", e.method, e.example, persona, resp.StatusCode)
				}
			}
		}
	}
}
