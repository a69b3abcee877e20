package handlers

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// textareaTag is a <textarea ...> opening tag in a template; textareaName
// is its name attribute when that is a literal.
var (
	textareaTag  = regexp.MustCompile(`<textarea\b[^>]*>`)
	textareaName = regexp.MustCompile(`\bname="([^"]*)"`)
)

// TestEveryTextareaIsMultiLine reads every template and fails when a
// <textarea> is not in multiLineFields, which would refuse the line breaks
// people type in it.
func TestEveryTextareaIsMultiLine(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "views", "*.templ"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates found: %v", err)
	}
	found := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range textareaTag.FindAllString(string(src), -1) {
			found++
			m := textareaName.FindStringSubmatch(tag)
			if m == nil {
				t.Errorf("%s: %s has no literal name, so TestEveryTextareaIsMultiLine cannot check it", filepath.Base(f), tag)
				continue
			}
			if !multiLineFields[m[1]] {
				t.Errorf("%s: <textarea name=%q> is not in multiLineFields (handlers/input.go): its line breaks would be refused", filepath.Base(f), m[1])
			}
		}
	}
	if found == 0 {
		t.Fatal("no <textarea> found in the templates; is the pattern still right?")
	}
}

// formCase is one form of the portal that stores text, with a valid
// submission and a way to count what it stored.
type formCase struct {
	name      string
	persona   string
	path      string
	form      url.Values // valid as it is
	multipart bool
	field     string                                  // the field to spoil
	label     string                                  // the label the refusal names it by
	count     func(t *testing.T, env *testEnv) int    // rows of the table the form adds to
	stored    func(t *testing.T, env *testEnv) string // multi-line fields: the value stored by the one success
}

func (fc formCase) post(t *testing.T, env *testEnv, form url.Values) *http.Response {
	t.Helper()
	if fc.multipart {
		return env.postMultipart(t, fc.persona, fc.path, form, "", nil)
	}
	return env.do(t, fc.persona, http.MethodPost, fc.path, form)
}

// rows fails the test on err and returns n.
func rows(t *testing.T, n int, err error) int {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// auditCount is the number of entries in the audit log.
func auditCount(t *testing.T, env *testEnv) int {
	t.Helper()
	log, err := auditLog(context.Background(), env.store, 100000)
	return rows(t, len(log), err)
}

// formsThatStoreText are the forms the hostile-input battery found storing
// NUL bytes and invalid UTF-8.
var formsThatStoreText = []formCase{
	{name: "post title", persona: "comms", path: "/posts", form: postFormValues(nil), field: "title", label: "Title",
		count: func(t *testing.T, env *testEnv) int { return len(env.allPosts(t)) }},
	{name: "post commentary", persona: "comms", path: "/posts", form: postFormValues(nil), field: "suggestion_text", label: "Suggested commentary",
		count: func(t *testing.T, env *testEnv) int { return len(env.allPosts(t)) },
		stored: func(t *testing.T, env *testEnv) string {
			posts := env.allPosts(t)
			if len(posts) != 1 || len(posts[0].Suggestions) == 0 {
				t.Fatalf("posts = %+v, want one with a suggestion", posts)
			}
			return posts[0].Suggestions[0].Text
		}},
	{name: "campaign name", persona: "comms", path: "/campaigns", form: url.Values{"name": {"Winter launch"}}, field: "name", label: "Name",
		count: func(t *testing.T, env *testEnv) int {
			list, err := env.store.Campaigns(context.Background())
			return rows(t, len(list), err)
		}},
	{name: "group name", persona: "hr", path: "/hr/groups", form: url.Values{"name": {"Sales"}, "kind": {"department"}}, field: "name", label: "Name",
		count: func(t *testing.T, env *testEnv) int {
			list, err := env.store.Groups(context.Background())
			return rows(t, len(list), err)
		}},
	{name: "concern text", persona: "employee", path: "/concerns", form: concernForm(false), multipart: true, field: "description", label: "What happened",
		count: func(t *testing.T, env *testEnv) int {
			list, err := env.store.ConcernsReportedBy(context.Background(), env.users["employee"].ID)
			return rows(t, len(list), err)
		},
		stored: func(t *testing.T, env *testEnv) string {
			list, err := env.store.ConcernsReportedBy(context.Background(), env.users["employee"].ID)
			if err != nil || len(list) != 1 {
				t.Fatalf("concerns = %+v, %v; want one", list, err)
			}
			return list[0].Description
		}},
	{name: "pause reason", persona: "comms", path: "/pause", form: url.Values{"scope": {"programme"}, "reason": {"An incident."}}, field: "reason", label: "Reason",
		count: func(t *testing.T, env *testEnv) int {
			list, err := env.store.PauseHistory(context.Background(), 100)
			return rows(t, len(list), err)
		},
		stored: func(t *testing.T, env *testEnv) string {
			list, err := env.store.ActivePauses(context.Background())
			if err != nil || len(list) != 1 {
				t.Fatalf("active pauses = %+v, %v; want one", list, err)
			}
			return list[0].Reason
		}},
	{name: "source name", persona: "comms", path: "/sources", form: url.Values{"name": {"Industry news"}, "url": {"https://news.example/feed.xml"}},
		field: "name", label: "Name", count: func(t *testing.T, env *testEnv) int {
			list, err := env.store.Sources(context.Background())
			return rows(t, len(list), err)
		}},
	{name: "SCIM token name", persona: "admin", path: "/admin/scim/tokens", form: url.Values{"name": {"Entra ID"}}, field: "name", label: "Name",
		count: func(t *testing.T, env *testEnv) int {
			list, err := env.store.SCIMTokens(context.Background())
			return rows(t, len(list), err)
		}},
}

// withField is a copy of form with name set to value.
func withField(form url.Values, name, value string) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = append([]string(nil), v...)
	}
	out.Set(name, value)
	return out
}

// TestFormsRefuseTextThatCannotBeStored sends each form that stores text
// with a NUL, invalid UTF-8, other control characters and (in a
// single-line field) a line break or tab, and checks that it is refused
// with 422 naming the field by its label and that nothing was stored; a
// multi-line field keeps its line breaks.
func TestFormsRefuseTextThatCannotBeStored(t *testing.T) {
	type spoiled struct{ name, value, reason string }
	everywhere := []spoiled{
		{"NUL", "Launch\x00day", "U+0000"},
		{"invalid UTF-8", "Caf\xe9 launch", "UTF-8"},
		{"escape sequence", "Launch \x1b[31mday", "U+001B"},
		{"line separator", "Launch\u2028day", "U+2028"},
	}
	inALine := []spoiled{
		{"line break in a line", "Launch\nSet-Cookie: x=1", "line break"},
		{"tab in a line", "Launch\tday", "tab"},
	}
	for _, fc := range formsThatStoreText {
		t.Run(fc.name, func(t *testing.T) {
			env := newTestEnv(t)
			tests := everywhere
			if !multiLineFields[fc.field] {
				tests = append(slices.Clone(everywhere), inALine...)
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					rowsBefore, auditBefore := fc.count(t, env), auditCount(t, env)
					resp := fc.post(t, env, withField(fc.form, fc.field, tt.value))
					wantStatus(t, resp, http.StatusUnprocessableEntity)
					doc := mustDoc(t, resp)
					problem := doc.Find(`[data-testid="input-problem-` + fc.field + `"]`)
					if !has(doc, "input-refused") || problem.Length() != 1 {
						t.Fatalf("no refusal naming %s on the page", fc.field)
					}
					if text := problem.Text(); !strings.Contains(text, fc.label) || !strings.Contains(text, tt.reason) {
						t.Errorf("problem says %q, want the label %q and %q", text, fc.label, tt.reason)
					}
					if got := fc.count(t, env); got != rowsBefore {
						t.Errorf("rows: %d before, %d after a refused form", rowsBefore, got)
					}
					if got := auditCount(t, env); got != auditBefore {
						t.Errorf("audit log: %d entries before, %d after a refused form", auditBefore, got)
					}
				})
			}
			if fc.stored == nil {
				return
			}
			t.Run("line breaks and tabs kept in a multi-line field", func(t *testing.T) {
				fresh := newTestEnv(t)
				text := "First line.\r\n\r\n\tSecond line."
				resp := fc.post(t, fresh, withField(fc.form, fc.field, text))
				if resp.StatusCode != http.StatusOK {
					wantStatus(t, resp, http.StatusSeeOther)
				}
				if got := fc.stored(t, fresh); !strings.Contains(got, text) {
					t.Errorf("stored %q, want %q kept", got, text)
				}
			})
		})
	}
}

// refusedProblems is the refusal page's list of problems, by test id.
func refusedProblems(t *testing.T, resp *http.Response) map[string]string {
	t.Helper()
	doc := mustDoc(t, resp)
	if !has(doc, "input-refused") {
		t.Fatal("not the refusal page")
	}
	out := map[string]string{}
	doc.Find(`[data-testid="input-problems"] li`).Each(func(_ int, li *goquery.Selection) {
		id := attr(t, li, "data-testid")
		out[id] = strings.Join(strings.Fields(li.Text()), " ")
	})
	return out
}

func TestCheckInputReadsWhatHandlersRead(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	campaigns := func() int {
		list, err := env.store.Campaigns(ctx)
		return rows(t, len(list), err)
	}

	t.Run("a value in the query string, which FormValue reads first", func(t *testing.T) {
		resp := env.do(t, "comms", http.MethodPost, "/campaigns?name=Winter%00launch", url.Values{"name": {"Winter launch"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if p := refusedProblems(t, resp); !strings.Contains(p["input-problem-name"], "U+0000") {
			t.Errorf("problems %v, want the name's NUL", p)
		}
		if n := campaigns(); n != 0 {
			t.Errorf("%d campaigns stored", n)
		}
	})
	t.Run("a field name", func(t *testing.T) {
		resp := env.do(t, "comms", http.MethodPost, "/campaigns", url.Values{"name": {"Winter launch"}, "x\x00y": {"1"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if p := refusedProblems(t, resp); !strings.Contains(p["input-problem-field-name"], "The name of a form field") {
			t.Errorf("problems %v, want the field name", p)
		}
		if n := campaigns(); n != 0 {
			t.Errorf("%d campaigns stored", n)
		}
	})
	t.Run("every refused field is listed", func(t *testing.T) {
		resp := env.do(t, "comms", http.MethodPost, "/posts", postFormValues(url.Values{"title": {"a\x00"}, "hashtags": {"#a\n#b"}}))
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		p := refusedProblems(t, resp)
		if len(p) != 2 || !strings.HasPrefix(p["input-problem-title"], "Title:") || !strings.HasPrefix(p["input-problem-hashtags"], "Hashtags:") {
			t.Errorf("problems %v, want title and hashtags by their labels", p)
		}
	})
	t.Run("a field without a label is named by its name", func(t *testing.T) {
		resp := env.do(t, "comms", http.MethodPost, "/campaigns", url.Values{"name": {"Winter launch"}, "nickname": {"\x00"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if p := refusedProblems(t, resp); !strings.HasPrefix(p["input-problem-nickname"], "nickname:") {
			t.Errorf("problems %v", p)
		}
	})

	reports := func() int {
		list, err := env.store.ConcernsReportedBy(ctx, env.users["employee"].ID)
		return rows(t, len(list), err)
	}
	// (A control character below space in a file name never gets this far:
	// the multipart parser refuses the part's header line.)
	for _, name := range []string{"shot\xff.png", "shot\u2028.png", "shot\u0085.png"} {
		t.Run("an uploaded file's name: "+strings.ToValidUTF8(name, "?"), func(t *testing.T) {
			before := reports()
			resp := env.postMultipartFile(t, "employee", "/concerns", concernForm(false), "screenshot", name, pngBytes(t))
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			if p := refusedProblems(t, resp); !strings.Contains(p["input-problem-screenshot"], "The name of the file in “Screenshot”") {
				t.Errorf("problems %v, want the screenshot's file name", p)
			}
			if n := reports(); n != before {
				t.Errorf("concerns: %d before, %d after", before, n)
			}
		})
	}
	t.Run("a file's contents are not text and are not checked", func(t *testing.T) {
		before := reports()
		png := pngBytes(t)
		if !bytes.ContainsRune(png, 0) {
			t.Fatal("the test image holds no NUL byte")
		}
		resp := env.postMultipartFile(t, "employee", "/concerns", concernForm(false), "screenshot", "shot.png", png)
		wantStatus(t, resp, http.StatusSeeOther)
		if n := reports(); n != before+1 {
			t.Errorf("concerns: %d before, %d after", before, n)
		}
	})
}

// postMultipartFile is postMultipart with the file's name chosen.
func (env *testEnv) postMultipartFile(t *testing.T, persona, path string, fields url.Values, fileField, fileName string, file []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fields = withField(fields, "_csrf", env.csrf[persona])
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	fw, err := w.CreateFormFile(fileField, fileName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(file); err != nil {
		t.Fatal(err)
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

// TestRefusedInputGivesNoDetailWithoutASession: the check runs after
// sign-in and CSRF, so forged or anonymous garbage learns nothing.
func TestRefusedInputGivesNoDetailWithoutASession(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(t, "", http.MethodPost, "/campaigns", url.Values{"name": {"\x00"}})
	wantStatus(t, resp, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
		t.Errorf("anonymous: Location %q, want sign-in", loc)
	}
	resp = env.do(t, "comms", http.MethodPost, "/campaigns", url.Values{"name": {"\x00"}, "_csrf": {"forged"}})
	wantStatus(t, resp, http.StatusForbidden)
	if has(mustDoc(t, resp), "input-refused") {
		t.Error("a forged form was told what is wrong with its fields")
	}
}

func TestRefusedInputPage(t *testing.T) {
	env := newTestEnv(t)
	send := func(t *testing.T, referer string) *http.Response {
		t.Helper()
		form := url.Values{"name": {"Winter\x00"}, "_csrf": {env.csrf["comms"]}}
		req := httptest.NewRequest(http.MethodPost, testBaseURL+"/campaigns", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", testBaseURL)
		if referer != "" {
			req.Header.Set("Referer", referer)
		}
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: env.sessions["comms"]})
		resp, err := env.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		return resp
	}
	t.Run("back to the form it came from", func(t *testing.T) {
		doc := mustDoc(t, send(t, testBaseURL+"/campaigns?x=1"))
		if href := attr(t, doc.Find(`[data-testid="input-back"]`), "href"); href != "/campaigns?x=1" {
			t.Errorf("back link %q, want the form's page", href)
		}
	})
	t.Run("a foreign or hostile referer is not linked", func(t *testing.T) {
		for _, ref := range []string{"https://evil.example/campaigns", testBaseURL + "//evil.example", ""} {
			doc := mustDoc(t, send(t, ref))
			if has(doc, "input-back") || !has(doc, "input-home") {
				t.Errorf("referer %q: the page links back to it", ref)
			}
		}
	})
	t.Run("in Dutch", func(t *testing.T) {
		if err := env.store.SetLanguage(context.Background(), env.users["comms"].ID, "nl"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := env.store.SetLanguage(context.Background(), env.users["comms"].ID, "en"); err != nil {
				t.Error(err)
			}
		})
		doc := mustDoc(t, send(t, ""))
		if got := doc.Find(`[data-testid="input-problem-name"] strong`).Text(); got != "Naam" {
			t.Errorf("label %q, want Naam", got)
		}
		if got := doc.Find("h1").Text(); got != "Een deel van wat je stuurde, kunnen we niet opslaan" {
			t.Errorf("heading %q", got)
		}
	})
}

// TestHRImportRefusesTextNoFieldMayHold: the CSV import's cells are
// checked by the same rule as forms, row by row with their lines.
func TestHRImportRefusesTextNoFieldMayHold(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	before, err := env.store.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file := "email,name,department\nana@example.com,Ana\x00,Sales\nbo@example.com,Bo,\"Sales\r\nNorth\"\ncleo@example.com,Cleo,Sales\n"
	resp := env.upload(t, "hr", "/hr/groups/import", "people.csv", []byte(file))
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	doc := mustDoc(t, resp)
	for line, reason := range map[int]string{2: "the name contains a control character (U+0000)", 3: "the department contains a line break"} {
		if row := doc.Find(`[data-testid="rejected-` + strconv.Itoa(line) + `"]`); !strings.Contains(row.Text(), reason) {
			t.Errorf("line %d: %q, want a reason with %q", line, row.Text(), reason)
		}
	}
	after, err := env.store.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := env.store.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before || len(groups) != 0 {
		t.Errorf("users %d → %d, %d groups: something was imported", before, after, len(groups))
	}
}
