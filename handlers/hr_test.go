package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/internal/training"
)

// hrRoleTable lists the training administration's routes: HR and admins only.
var hrRoleTable = []roleEntry{
	{"GET", "/hr", "/hr", hrOnly},
	{"GET", "/hr/export.csv", "/hr/export.csv", hrOnly},
	{"GET", "/hr/people/:id", "/hr/people/1", hrOnly},
	{"POST", "/hr/people/:id/modules/:module/extend", "/hr/people/1/modules/disclosure/extend", hrOnly},
	{"POST", "/hr/people/:id/modules/:module/reset", "/hr/people/1/modules/disclosure/reset", hrOnly},
	{"GET", "/hr/groups", "/hr/groups", hrOnly},
	{"POST", "/hr/groups", "/hr/groups", hrOnly},
	{"POST", "/hr/groups/import", "/hr/groups/import", hrOnly},
	{"GET", "/hr/groups/:id", "/hr/groups/1", hrOnly},
	{"POST", "/hr/groups/:id/members", "/hr/groups/1/members", hrOnly},
	{"GET", "/hr/assignments", "/hr/assignments", hrOnly},
	{"POST", "/hr/assignments", "/hr/assignments", hrOnly},
}

// upload posts a multipart form with the persona's CSRF token and, unless
// filename is empty, content as the field "file".
func (env *testEnv) upload(t *testing.T, persona, path, filename string, content []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if err := w.WriteField("_csrf", env.csrf[persona]); err != nil {
		t.Fatal(err)
	}
	if filename != "" {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, testBaseURL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: env.sessions[persona]})
	resp, err := env.app.Test(req, -1)
	if err != nil {
		t.Fatalf("upload to %s: %v", path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// day is the date n days from the test clock's now, as a date input sends it.
func (env *testEnv) day(n int) string {
	return env.clock.Now().AddDate(0, 0, n).Format(time.DateOnly)
}

// endOfDay is the due time a date input's value stands for.
func endOfDay(t *testing.T, date string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(24*time.Hour - time.Second)
}

// report returns the training report's rows by "email module".
func (env *testEnv) report(t *testing.T) map[string]training.ReportRow {
	t.Helper()
	rows, err := env.store.TrainingReport(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]training.ReportRow{}
	for _, r := range rows {
		out[r.Email+" "+r.ModuleID] = r
	}
	return out
}

// auditEntries returns the audit log's entries with the given action.
func (env *testEnv) auditEntries(t *testing.T, action string) []audit.Entry {
	t.Helper()
	log, err := auditLog(context.Background(), env.store, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(log, func(e audit.Entry) bool { return e.Action != action })
}

// wantRedirect checks for a 303 to location (and not to the sign-in page).
func wantRedirect(t *testing.T, resp *http.Response, location string) {
	t.Helper()
	wantStatus(t, resp, http.StatusSeeOther)
	if got := resp.Header.Get("Location"); got != location {
		t.Fatalf("redirected to %q, want %q", got, location)
	}
}

func wantStatus(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		body, err := io.ReadAll(resp.Body)
		t.Fatalf("status %d, want %d (Location %q)\n%.2000s (reading the body: %v)", resp.StatusCode, want, resp.Header.Get("Location"), body, err)
	}
}

// newGroup creates a group through the form and returns its id.
func (env *testEnv) newGroup(t *testing.T, name string) int64 {
	t.Helper()
	resp := env.do(t, "hr", http.MethodPost, "/hr/groups", url.Values{"name": {name}, "kind": {"department"}})
	wantStatus(t, resp, http.StatusSeeOther)
	var id int64
	if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/hr/groups/%d", &id); err != nil {
		t.Fatalf("created group at %q: %v", resp.Header.Get("Location"), err)
	}
	return id
}

func TestHRAssignToGroupReachesLaterMembers(t *testing.T) {
	env := newTestEnv(t)
	groupID := env.newGroup(t, "Sales")
	members := fmt.Sprintf("/hr/groups/%d/members", groupID)
	wantRedirect(t, env.do(t, "hr", http.MethodPost, members, url.Values{"email": {"employee@example.com"}}),
		fmt.Sprintf("/hr/groups/%d?done=added", groupID))

	due := env.day(3)
	resp := env.do(t, "hr", http.MethodPost, "/hr/assignments", url.Values{"what": {"disclosure"},
		"group": {fmt.Sprint(groupID)}, "due": {due}, "due_days": {"14"}})
	wantRedirect(t, resp, "/hr/assignments?done=created")
	row, ok := env.report(t)["employee@example.com disclosure"]
	if !ok {
		t.Fatal("the group's member got no task")
	}
	if want := endOfDay(t, due); !row.DueAt.Equal(want) {
		t.Errorf("member's due date %v, want %v", row.DueAt, want)
	}

	env.clock.Advance(48 * time.Hour)
	env.newSession(t, "hr") // the first one has expired
	wantRedirect(t, env.do(t, "hr", http.MethodPost, members, url.Values{"email": {"comms@example.com"}}),
		fmt.Sprintf("/hr/groups/%d?done=added", groupID))
	later, ok := env.report(t)["comms@example.com disclosure"]
	if !ok {
		t.Fatalf("a member who joined later got no task: %v", env.report(t))
	}
	if want := env.clock.Now().Add(14 * 24 * time.Hour); !later.DueAt.Equal(want) {
		t.Errorf("later member's due date %v, want %v (joined + 14 days)", later.DueAt, want)
	}

	doc := mustDoc(t, env.do(t, "hr", http.MethodGet, "/hr/assignments", nil))
	if got := doc.Find(`[data-testid="assignments"] [data-testid="people"]`).First().Text(); got != "2" {
		t.Errorf("assignment list shows %q people, want 2", got)
	}
	doc = mustDoc(t, env.do(t, "hr", http.MethodGet, fmt.Sprintf("/hr/groups/%d", groupID), nil))
	if got := doc.Find(fmt.Sprintf(`[data-testid="member-%d"] [data-testid="source"]`, env.users["comms"].ID)).Text(); got != "Added by hand" {
		t.Errorf("member joined through %q", got)
	}
}

func TestHRAssignProgrammeToPerson(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(t, "hr", http.MethodPost, "/hr/assignments", url.Values{"what": {"programme"},
		"email": {"Employee@Example.com"}, "due": {env.day(10)}, "due_days": {"14"}})
	wantRedirect(t, resp, "/hr/assignments?done=created")
	report := env.report(t)
	for _, id := range env.g.Required {
		if _, ok := report["employee@example.com "+id]; !ok {
			t.Errorf("no task for required module %s", id)
		}
	}
	if len(report) != len(env.g.Required) {
		t.Errorf("%d tasks, want %d", len(report), len(env.g.Required))
	}
}

func TestHRAssignmentFormErrors(t *testing.T) {
	tests := []struct {
		name      string
		form      url.Values
		wantError string // the field with the message
	}{
		{"no due date", url.Values{"what": {"disclosure"}, "email": {"employee@example.com"}, "due_days": {"14"}}, "due"},
		{"due date in the past", url.Values{"what": {"disclosure"}, "email": {"employee@example.com"}, "due": {"2001-01-01"}, "due_days": {"14"}}, "due"},
		{"due date not a date", url.Values{"what": {"disclosure"}, "email": {"employee@example.com"}, "due": {"soon"}, "due_days": {"14"}}, "due"},
		{"group and email", url.Values{"what": {"disclosure"}, "group": {"GROUP"}, "email": {"employee@example.com"}, "due": {"+10"}, "due_days": {"14"}}, "target"},
		{"neither group nor email", url.Values{"what": {"disclosure"}, "due": {"+10"}, "due_days": {"14"}}, "target"},
		{"nothing chosen to assign", url.Values{"email": {"employee@example.com"}, "due": {"+10"}, "due_days": {"14"}}, "what"},
		{"unknown module", url.Values{"what": {"no-such-module"}, "email": {"employee@example.com"}, "due": {"+10"}, "due_days": {"14"}}, "what"},
		{"unknown email", url.Values{"what": {"disclosure"}, "email": {"nobody@example.com"}, "due": {"+10"}, "due_days": {"14"}}, "email"},
		{"unknown group", url.Values{"what": {"disclosure"}, "group": {"999"}, "due": {"+10"}, "due_days": {"14"}}, "group"},
		{"days to complete out of range", url.Values{"what": {"disclosure"}, "email": {"employee@example.com"}, "due": {"+10"}, "due_days": {"0"}}, "due_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			groupID := env.newGroup(t, "Sales")
			if tt.form.Get("group") == "GROUP" {
				tt.form.Set("group", fmt.Sprint(groupID))
			}
			if tt.form.Get("due") == "+10" {
				tt.form.Set("due", env.day(10))
			}
			sent := url.Values{}
			for k, v := range tt.form {
				sent[k] = slices.Clone(v)
			}
			resp := env.do(t, "hr", http.MethodPost, "/hr/assignments", sent)
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := mustDoc(t, resp)
			if !has(doc, "error-"+tt.wantError) {
				t.Errorf("no message for %s", tt.wantError)
			}
			if got := attr(t, doc.Find(`#email`), "value"); got != tt.form.Get("email") {
				t.Errorf("email input %q, want what was typed, %q", got, tt.form.Get("email"))
			}
			if got := attr(t, doc.Find(`#due`), "value"); got != tt.form.Get("due") {
				t.Errorf("due input %q, want what was typed, %q", got, tt.form.Get("due"))
			}
			assignments, err := env.store.Assignments(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(assignments) != 0 || len(env.report(t)) != 0 {
				t.Errorf("an invalid form created %d assignments", len(assignments))
			}
		})
	}
}

func TestHRImportRoster(t *testing.T) {
	tests := []struct {
		name string
		file string
	}{
		{"comma", "email,name,department,location,team\nana@example.com,Ana Silva,Sales,Amsterdam,Key accounts\nBOB@example.com,Bob,Sales,,\n"},
		{"semicolon", "email;name;department;location;team\r\nana@example.com;Ana Silva;Sales;Amsterdam;Key accounts\r\nbob@example.com;Bob;Sales;;\r\n"},
		{"byte order mark", "\xef\xbb\xbfemail,name,department,location,team\nana@example.com,Ana Silva,Sales,Amsterdam,Key accounts\nbob@example.com,Bob,Sales,,\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			resp := env.upload(t, "hr", "/hr/groups/import", "people.csv", []byte(tt.file))
			wantStatus(t, resp, http.StatusOK)
			doc := mustDoc(t, resp)
			if !has(doc, "import-done") || !strings.Contains(doc.Find(`[data-testid="import-done"]`).Text(), "2 people imported (2 new, 0 updated)") {
				t.Errorf("result: %q", doc.Find("main").Text())
			}
			for _, email := range []string{"ana@example.com", "bob@example.com"} {
				if _, err := env.store.UserByEmail(context.Background(), email); err != nil {
					t.Errorf("%s: %v", email, err)
				}
			}
			groups, err := env.store.Groups(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, g := range groups {
				got[g.Name] = fmt.Sprintf("%s/%d", g.Kind, g.Members)
			}
			want := map[string]string{"Sales": "department/2", "Amsterdam": "location/1", "Key accounts": "team/1"}
			for name, w := range want {
				if got[name] != w {
					t.Errorf("group %s: %q, want %q", name, got[name], w)
				}
			}
		})
	}
}

func TestHRImportRosterRejectsBadRows(t *testing.T) {
	env := newTestEnv(t)
	before, err := env.store.CountUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	file := "email,name,department\nana@example.com,Ana,Sales\nnot-an-email,Bad,Sales\nana@example.com,Ana again,Sales\ncleo@example.com,Cleo,Sales\n"
	resp := env.upload(t, "hr", "/hr/groups/import", "people.csv", []byte(file))
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	doc := mustDoc(t, resp)
	if !strings.Contains(doc.Find(`[data-testid="import-rejected"]`).Text(), "Nothing was imported") {
		t.Error("the page does not say nothing was imported")
	}
	for line, reason := range map[int]string{3: "not an email address", 4: "already on line 2"} {
		row := doc.Find(fmt.Sprintf(`[data-testid="rejected-%d"]`, line))
		if !strings.Contains(row.Text(), reason) {
			t.Errorf("line %d: %q, want a reason with %q", line, row.Text(), reason)
		}
	}
	if n := doc.Find(`[data-testid="rejected-rows"] tbody tr`).Length(); n != 2 {
		t.Errorf("%d rejected rows listed, want 2", n)
	}
	after, err := env.store.CountUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	groups, err := env.store.Groups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if after != before || len(groups) != 0 {
		t.Errorf("users %d → %d, %d groups: something was imported", before, after, len(groups))
	}
}

func TestHRImportRosterFileErrors(t *testing.T) {
	tests := []struct {
		name, filename, file string
		want                 string // part of the message
	}{
		{"unbalanced quote", "people.csv", "email,name\n\"ana@example.com,Ana\nbob@example.com,Bob\n", "not valid CSV"},
		{"not UTF-8", "people.csv", "email,name\nana@example.com,Ana\njose@example.com,Jos\xe9\n", "UTF-8"},
		{"unknown column", "people.csv", "email,name,manager\nana@example.com,Ana,Bob\n", "Unknown column"},
		{"no email column", "people.csv", "name,team\nAna,Red\n", "no email column"},
		{"empty file", "people.csv", "", "empty"},
		{"no file", "", "", "No file was uploaded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			before, err := env.store.CountUsers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			resp := env.upload(t, "hr", "/hr/groups/import", tt.filename, []byte(tt.file))
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := mustDoc(t, resp)
			if got := doc.Find(`[data-testid="file-error"]`).Text(); !strings.Contains(got, tt.want) {
				t.Errorf("file error %q, want it to mention %q", got, tt.want)
			}
			if !has(doc, "import-form") {
				t.Error("no form to try again")
			}
			if after, err := env.store.CountUsers(context.Background()); err != nil || after != before {
				t.Errorf("users %d → %d (error: %v)", before, after, err)
			}
		})
	}
}

func TestHRExportCSV(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	evil, err := env.store.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:evil", Email: "evil@example.com",
		Name: `=HYPERLINK("http://evil.example","click")`})
	if err != nil {
		t.Fatal(err)
	}
	due := env.clock.Now().Add(7 * 24 * time.Hour)
	for _, a := range []training.Assignment{
		{Modules: []string{"disclosure", "timing"}, UserID: env.users["employee"].ID, DueAt: due, DueDays: 14},
		{Modules: []string{"disclosure"}, UserID: evil.ID, DueAt: due, DueDays: 14},
	} {
		if _, err := env.store.CreateAssignment(ctx, a, env.users["hr"].ID); err != nil {
			t.Fatal(err)
		}
	}
	disclosure := env.module(t, "disclosure")
	env.takeQuiz(t, "employee", disclosure, correctAnswers(disclosure))
	conductHash := env.g.Conduct.In("en").Hash
	if err := env.store.Acknowledge(ctx, training.Acknowledgement{UserID: env.users["employee"].ID,
		Version: env.g.Conduct.Version, ContentHash: conductHash, ClientIP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}

	resp := env.do(t, "hr", http.MethodGet, "/hr/export.csv", nil)
	wantStatus(t, resp, http.StatusOK)
	if got := resp.Header.Get("Content-Type"); got != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	wantName := fmt.Sprintf(`attachment; filename="training-report-%s.csv"`, env.clock.Now().Format(time.DateOnly))
	if got := resp.Header.Get("Content-Disposition"); got != wantName {
		t.Errorf("Content-Disposition %q, want %q", got, wantName)
	}
	records, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"user", "email", "groups", "module", "module_version", "status", "best_score_percent", "attempts",
		"completed_at", "due_at", "acknowledged_version", "acknowledged_hash", "acknowledged_at"}
	if len(records) == 0 || !slices.Equal(records[0], header) {
		t.Fatalf("records %q, want the header %q first", records, header)
	}
	rows := map[string]map[string]string{}
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, h := range header {
			row[h] = rec[i]
		}
		rows[row["email"]+" "+row["module"]] = row
	}
	if len(records) != 4 || len(rows) != 3 {
		t.Fatalf("%d rows, want one per person and module (3):\n%q", len(records)-1, records[1:])
	}

	passed := rows["employee@example.com disclosure"]
	for col, want := range map[string]string{"user": "Test employee", "module_version": disclosure.Hash, "status": "passed",
		"best_score_percent": "100", "attempts": "1", "due_at": due.UTC().Format(time.RFC3339),
		"acknowledged_version": env.g.Conduct.Version, "acknowledged_hash": conductHash} {
		if passed[col] != want {
			t.Errorf("passed row %s = %q, want %q", col, passed[col], want)
		}
	}
	for _, col := range []string{"completed_at", "acknowledged_at"} {
		if _, err := time.Parse(time.RFC3339, passed[col]); err != nil {
			t.Errorf("passed row %s = %q: %v", col, passed[col], err)
		}
	}
	open := rows["employee@example.com timing"]
	if open["status"] != "not-started" || open["completed_at"] != "" || open["module_version"] != "" || open["attempts"] != "0" {
		t.Errorf("open row: %v", open)
	}
	if got := rows["evil@example.com disclosure"]["user"]; got != `'=HYPERLINK("http://evil.example","click")` {
		t.Errorf("formula not neutralised: %q", got)
	}

	entries := env.auditEntries(t, "training.export")
	if len(entries) != 1 || entries[0].ActorID != env.users["hr"].ID {
		t.Fatalf("audit entries for the export: %+v", entries)
	}
	var detail struct {
		Rows int `json:"rows"`
	}
	if err := json.Unmarshal([]byte(entries[0].After), &detail); err != nil || detail.Rows != 3 {
		t.Errorf("audit detail %s: %v", entries[0].After, err)
	}

	resp = env.do(t, "hr", http.MethodGet, "/hr/export.csv?status=passed", nil)
	records, err = csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 || records[1][1] != "employee@example.com" {
		t.Errorf("filtered export: %q", records)
	}
	if entries := env.auditEntries(t, "training.export"); len(entries) != 2 || !strings.Contains(entries[0].After, `"status":true`) {
		t.Errorf("filtered export's audit entry: %+v", entries)
	}
}

func TestCSVCellNeutralisesFormulas(t *testing.T) {
	for in, want := range map[string]string{"=1+2": "'=1+2", "+31 20": "'+31 20", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "Ana": "Ana", "": "", "a=b": "a=b"} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHRDashboardShowsOverdue(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	groupID := env.newGroup(t, "Sales")
	for _, p := range []string{"employee", "comms"} {
		if err := env.store.AddToGroup(ctx, groupID, env.users[p].ID, account.SourceManual, 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.store.CreateAssignment(ctx, training.Assignment{Modules: []string{"disclosure"}, GroupID: groupID,
		DueAt: env.clock.Now().Add(-48 * time.Hour), DueDays: 14}, env.users["hr"].ID); err != nil {
		t.Fatal(err)
	}
	disclosure := env.module(t, "disclosure")
	env.takeQuiz(t, "comms", disclosure, correctAnswers(disclosure))

	resp := env.do(t, "hr", http.MethodGet, "/hr", nil)
	wantStatus(t, resp, http.StatusOK)
	doc := mustDoc(t, resp)
	late := doc.Find(fmt.Sprintf(`[data-testid="overdue-%d-disclosure"]`, env.users["employee"].ID))
	if late.Length() != 1 {
		t.Fatalf("the employee is not in the overdue list")
	}
	if got := late.Find(`[data-testid="days-overdue"]`).Text(); got != "2" {
		t.Errorf("days overdue %q, want 2", got)
	}
	if !strings.Contains(late.Text(), "Sales") || !strings.Contains(late.Text(), "employee@example.com") {
		t.Errorf("overdue row lacks group or email: %q", late.Text())
	}
	if has(doc, fmt.Sprintf("overdue-%d-disclosure", env.users["comms"].ID)) {
		t.Error("someone who passed is listed as overdue")
	}
	for persona, want := range map[string]string{"employee": "Overdue", "comms": "Passed"} {
		got := doc.Find(fmt.Sprintf(`[data-testid="task-%d-disclosure"] [data-testid="status"]`, env.users[persona].ID)).Text()
		if got != want {
			t.Errorf("%s's status %q, want %q", persona, got, want)
		}
	}
	if got := doc.Find(`[data-testid="by-module-disclosure"] [data-testid="percent"]`).Text(); got != "50%" {
		t.Errorf("module completion %q, want 50%%", got)
	}
	if got := doc.Find(fmt.Sprintf(`[data-testid="by-group-%d"] [data-testid="percent"]`, groupID)).Text(); got != "50%" {
		t.Errorf("group completion %q, want 50%%", got)
	}
	if href := attr(t, doc.Find(`[data-testid="export-csv"]`), "href"); href != "/hr/export.csv" {
		t.Errorf("export link %q", href)
	}

	filtered := []struct {
		query string
		want  []string // personas in the table
	}{
		{"status=passed", []string{"comms"}},
		{"status=overdue", []string{"employee"}},
		{"q=EMPLOYEE%40", []string{"employee"}},
		{"group=Sales", []string{"comms", "employee"}},
		{"group=sal", []string{"comms", "employee"}},
		{"group=Marketing", nil},
		{"module=timing", nil},
	}
	for _, f := range filtered {
		doc := mustDoc(t, env.do(t, "hr", http.MethodGet, "/hr?"+f.query, nil))
		var got []string
		for _, p := range []string{"comms", "employee"} {
			if has(doc, fmt.Sprintf("task-%d-disclosure", env.users[p].ID)) {
				got = append(got, p)
			}
		}
		if !slices.Equal(got, f.want) {
			t.Errorf("/hr?%s lists %v, want %v", f.query, got, f.want)
		}
		if href := attr(t, doc.Find(`[data-testid="export-csv"]`), "href"); !strings.HasPrefix(href, "/hr/export.csv?") {
			t.Errorf("/hr?%s: export link %q does not keep the filters", f.query, href)
		}
	}
}

// TestHRGroupFilterMatchesWholeNames holds the dashboard's and the export's
// group filter to whole group names: a group name may contain a comma, so a
// person in "Sales, EMEA" is in neither "Sales" nor "EMEA".
func TestHRGroupFilterMatchesWholeNames(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	groups := map[string]int64{}
	for name, persona := range map[string]string{"Sales": "employee", "Sales, EMEA": "comms", "EMEA": "admin"} {
		groups[name] = env.newGroup(t, name)
		if err := env.store.AddToGroup(ctx, groups[name], env.users[persona].ID, account.SourceManual, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := env.store.CreateAssignment(ctx, training.Assignment{Modules: []string{"disclosure"}, GroupID: groups[name],
			DueAt: env.clock.Now().Add(7 * 24 * time.Hour), DueDays: 14}, env.users["hr"].ID); err != nil {
			t.Fatal(err)
		}
	}
	personas := []string{"admin", "comms", "employee"}

	tests := []struct {
		group string
		want  []string // personas in the table and the export
	}{
		{"Sales", []string{"employee"}},
		{"Sales, EMEA", []string{"comms"}},
		{"EMEA", []string{"admin"}},
		{"sal", []string{"comms", "employee"}}, // not a group: names containing it
		{"emea", []string{"admin", "comms"}},   // not a group: names containing it, case ignored
	}
	for _, tt := range tests {
		t.Run(tt.group, func(t *testing.T) {
			query := url.Values{"group": {tt.group}}.Encode()
			doc := mustDoc(t, env.do(t, "hr", http.MethodGet, "/hr?"+query, nil))
			var got []string
			for _, p := range personas {
				if has(doc, fmt.Sprintf("task-%d-disclosure", env.users[p].ID)) {
					got = append(got, p)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("/hr?%s lists %v, want %v", query, got, tt.want)
			}

			resp := env.do(t, "hr", http.MethodGet, "/hr/export.csv?"+query, nil)
			wantStatus(t, resp, http.StatusOK)
			records, err := csv.NewReader(resp.Body).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(records) == 0 {
				t.Fatal("the export has no header")
			}
			var exported []string
			for _, p := range personas {
				for _, rec := range records[1:] {
					if len(rec) > 1 && rec[1] == env.users[p].Email {
						exported = append(exported, p)
					}
				}
			}
			if !slices.Equal(exported, tt.want) {
				t.Errorf("/hr/export.csv?%s has %v, want %v", query, exported, tt.want)
			}
		})
	}

	t.Run("completion by group", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "hr", http.MethodGet, "/hr", nil))
		for name, id := range groups {
			row := doc.Find(fmt.Sprintf(`[data-testid="by-group-%d"]`, id))
			if row.Length() != 1 {
				t.Errorf("no completion row for %q", name)
				continue
			}
			if got := row.Find(`[data-testid="people"]`).Text(); got != "1" {
				t.Errorf("%q counts %s people, want 1", name, got)
			}
		}
	})

	t.Run("groups column", func(t *testing.T) {
		resp := env.do(t, "hr", http.MethodGet, "/hr/export.csv", nil)
		wantStatus(t, resp, http.StatusOK)
		records, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		groupsOf := map[string]string{}
		for _, rec := range records {
			if len(rec) > 2 {
				groupsOf[rec[1]] = rec[2]
			}
		}
		for persona, want := range map[string]string{"employee": "Sales", "comms": "Sales, EMEA", "admin": "EMEA"} {
			if got := groupsOf[env.users[persona].Email]; got != want {
				t.Errorf("%s's groups in the export: %q, want %q", persona, got, want)
			}
		}
	})
}

func TestHRExtendDueDate(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	employee := env.users["employee"].ID
	if _, err := env.store.CreateAssignment(ctx, training.Assignment{Modules: []string{"disclosure"}, UserID: employee,
		DueAt: env.clock.Now().Add(-24 * time.Hour), DueDays: 14}, env.users["hr"].ID); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/hr/people/%d/modules/disclosure/extend", employee)

	t.Run("refused", func(t *testing.T) {
		for _, due := range []string{"", "2001-02-03", "tomorrow", env.clock.Now().AddDate(10, 0, 0).Format(time.DateOnly)} {
			resp := env.do(t, "hr", http.MethodPost, path, url.Values{"due": {due}})
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := mustDoc(t, resp)
			if !has(doc, "error-due") {
				t.Errorf("due %q: no message", due)
			}
			if got := attr(t, doc.Find("#due-disclosure"), "value"); got != due {
				t.Errorf("due input %q, want %q", got, due)
			}
		}
		for _, p := range []string{fmt.Sprintf("/hr/people/%d/modules/timing/extend", employee),
			fmt.Sprintf("/hr/people/%d/modules/no-such-module/extend", employee),
			"/hr/people/9999/modules/disclosure/extend", "/hr/people/x/modules/disclosure/extend"} {
			wantStatus(t, env.do(t, "hr", http.MethodPost, p, url.Values{"due": {env.day(5)}}), http.StatusNotFound)
		}
		if n := len(env.auditEntries(t, "training.extend")); n != 0 {
			t.Errorf("%d extensions logged", n)
		}
	})

	newDue := env.day(10)
	resp := env.do(t, "hr", http.MethodPost, path, url.Values{"due": {newDue}})
	wantRedirect(t, resp, fmt.Sprintf("/hr/people/%d?done=extended#module-disclosure", employee))
	if got := env.report(t)["employee@example.com disclosure"].DueAt; !got.Equal(endOfDay(t, newDue)) {
		t.Errorf("due %v, want %v", got, endOfDay(t, newDue))
	}
	entries := env.auditEntries(t, "training.extend")
	if len(entries) != 1 || entries[0].ActorID != env.users["hr"].ID ||
		entries[0].Target != fmt.Sprintf("user:%d module:disclosure", employee) {
		t.Errorf("audit entries: %+v", entries)
	}
	doc := mustDoc(t, env.do(t, "hr", http.MethodGet, fmt.Sprintf("/hr/people/%d?done=extended", employee), nil))
	if !has(doc, "done-extended") {
		t.Error("no confirmation")
	}
	if got := doc.Find(`[data-testid="person-module-disclosure"] [data-testid="status"]`).Text(); got != "Not started" {
		t.Errorf("status after the extension %q, want Not started", got)
	}
}

func TestHRResetAttempts(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	employee := env.users["employee"].ID
	if _, err := env.store.CreateAssignment(ctx, training.Assignment{Modules: []string{"disclosure"}, UserID: employee,
		DueAt: env.clock.Now().Add(30 * 24 * time.Hour), DueDays: 14}, env.users["hr"].ID); err != nil {
		t.Fatal(err)
	}
	m := env.module(t, "disclosure")
	if m.Quiz.MaxAttempts == 0 {
		t.Skip("the disclosure quiz has unlimited attempts")
	}
	for range m.Quiz.MaxAttempts {
		env.takeQuiz(t, "employee", m, wrongAnswers(m))
		env.clock.Advance(m.Quiz.RetryWait + time.Minute)
	}
	h, err := env.store.QuizHistory(ctx, employee, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok, from, why := m.Quiz.CanStart(h, env.clock.Now()); ok {
		t.Fatalf("after %d failed attempts the quiz can still start (from %v, %q): %+v", m.Quiz.MaxAttempts, from, why, h)
	}
	doc := mustDoc(t, env.do(t, "hr", http.MethodGet, fmt.Sprintf("/hr/people/%d", employee), nil))
	if got := doc.Find(`[data-testid="person-module-disclosure"] [data-testid="status"]`).Text(); got != "Failed" {
		t.Errorf("status before the reset %q, want Failed", got)
	}

	env.clock.Advance(time.Minute)
	resp := env.do(t, "hr", http.MethodPost, fmt.Sprintf("/hr/people/%d/modules/disclosure/reset", employee), nil)
	wantRedirect(t, resp, fmt.Sprintf("/hr/people/%d?done=reset#module-disclosure", employee))
	if h, err = env.store.QuizHistory(ctx, employee, m.ID); err != nil {
		t.Fatal(err)
	}
	if h.Submitted != 0 {
		t.Errorf("%d attempts still count after the reset", h.Submitted)
	}
	if ok, _, why := m.Quiz.CanStart(h, env.clock.Now()); !ok {
		t.Errorf("cannot start after the reset: %s", why)
	}
	entries := env.auditEntries(t, "training.reset_attempts")
	if len(entries) != 1 || entries[0].ActorID != env.users["hr"].ID {
		t.Errorf("audit entries: %+v", entries)
	}
	doc = mustDoc(t, env.do(t, "hr", http.MethodGet, resp.Header.Get("Location"), nil))
	if !has(doc, "done-reset") {
		t.Error("no confirmation")
	}
	if got := doc.Find(`[data-testid="person-module-disclosure"] [data-testid="attempts-left"]`).Text(); got != fmt.Sprint(m.Quiz.MaxAttempts) {
		t.Errorf("attempts left %q, want %d", got, m.Quiz.MaxAttempts)
	}
	wantStatus(t, env.do(t, "hr", http.MethodPost, fmt.Sprintf("/hr/people/%d/modules/nope/reset", employee), nil), http.StatusNotFound)
}

func TestHRGroupForms(t *testing.T) {
	env := newTestEnv(t)
	groupID := env.newGroup(t, "Sales")
	tests := []struct {
		name      string
		form      url.Values
		wantError string
	}{
		{"no name", url.Values{"name": {"  "}, "kind": {"team"}}, "name"},
		{"name too long", url.Values{"name": {strings.Repeat("é", 101)}, "kind": {"team"}}, "name"},
		{"duplicate name", url.Values{"name": {"sales"}, "kind": {"team"}}, "name"},
		{"unknown kind", url.Values{"name": {"Red team"}, "kind": {"tribe"}}, "kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.do(t, "hr", http.MethodPost, "/hr/groups", tt.form)
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := mustDoc(t, resp)
			if !has(doc, "error-"+tt.wantError) {
				t.Errorf("no message for %s", tt.wantError)
			}
			if got := attr(t, doc.Find("#group-name"), "value"); got != strings.TrimSpace(tt.form.Get("name")) {
				t.Errorf("name input %q", got)
			}
		})
	}
	if groups, err := env.store.Groups(context.Background()); err != nil || len(groups) != 1 {
		t.Errorf("%d groups, want only Sales (error: %v)", len(groups), err)
	}

	members := fmt.Sprintf("/hr/groups/%d/members", groupID)
	resp := env.do(t, "hr", http.MethodPost, members, url.Values{"email": {"nobody@example.com"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	doc := mustDoc(t, resp)
	if got := doc.Find(`[data-testid="error-email"]`).Text(); got != account.UnknownEmail {
		t.Errorf("message %q", got)
	}
	if got := attr(t, doc.Find("#member-email"), "value"); got != "nobody@example.com" {
		t.Errorf("email input %q", got)
	}
	wantStatus(t, env.do(t, "hr", http.MethodPost, "/hr/groups/999/members", url.Values{"email": {"employee@example.com"}}), http.StatusNotFound)
	wantStatus(t, env.do(t, "hr", http.MethodGet, "/hr/groups/999", nil), http.StatusNotFound)

	doc = mustDoc(t, env.do(t, "hr", http.MethodGet, "/hr/groups", nil))
	if got := doc.Find(fmt.Sprintf(`[data-testid="group-%d"] [data-testid="members"]`, groupID)).Text(); got != "0" {
		t.Errorf("members %q", got)
	}
}
