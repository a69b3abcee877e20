package handlers

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/internal/privacy"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

var privacyRoleTable = []roleEntry{
	{"GET", "/privacy", "/privacy", anyone},
	{"GET", "/my/data", "/my/data", signedIn},
	{"POST", "/admin/users/:id/erase", "/admin/users/1/erase", adminOnly},
}

// doIn sends a GET as persona with the browser asking for lang.
func (env *testEnv) doIn(t *testing.T, persona, lang, path string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, testBaseURL+path, nil)
	req.Header.Set("Accept-Language", lang)
	if persona != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: env.sessions[persona]})
	}
	resp, err := env.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestPrivacyPageInEnglishAndDutch(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name, persona, lang string
		wantHeading         string
		wantText            []string
		wantTestIDs         []string
		notText             []string
	}{
		{"english, signed out", "", "en", "Privacy",
			[]string{"IP address your acknowledgement came from", "never with the visitor's IP address or browser", "400 days", "12 hours",
				"never posts to them", "data protection officer"},
			[]string{"privacy-records", "privacy-ip", "privacy-clicks", "privacy-never", "retention-clicks", "download-sign-in", "privacy-contact"},
			[]string{"Download as JSON"}},
		{"english, signed in", "employee", "en", "Privacy",
			[]string{"follower counts you declare"},
			[]string{"download-json", "download-csv"},
			[]string{"Sign in to download"}},
		{"dutch", "employee", "nl", "Privacy",
			[]string{"het IP-adres waar je bevestiging vandaan kwam", "Losse klikken: 400 dagen", "Je inlogsessie: 12 uur",
				"post er nooit op", "Downloaden als JSON"},
			[]string{"privacy-records", "download-json", "download-csv", "retention-erasure"},
			[]string{"What the portal records about you", "What the portal never does", "How long it is kept", "Download your data",
				"IP address", "Individual clicks", "Questions"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.doIn(t, tt.persona, tt.lang, "/privacy")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			doc := mustDoc(t, resp)
			if h := strings.TrimSpace(doc.Find("h1").Text()); h != tt.wantHeading {
				t.Errorf("heading %q, want %q", h, tt.wantHeading)
			}
			text := strings.Join(strings.Fields(doc.Find("main").Text()+doc.Find("body").Text()), " ")
			for _, want := range tt.wantText {
				if !strings.Contains(text, want) {
					t.Errorf("page does not say %q", want)
				}
			}
			for _, not := range tt.notText {
				if strings.Contains(text, not) {
					t.Errorf("page says %q", not)
				}
			}
			for _, id := range tt.wantTestIDs {
				if !has(doc, id) {
					t.Errorf("data-testid %q is missing", id)
				}
			}
		})
	}
}

// exportSetup gives the employee something in every section of the export.
func exportSetup(t *testing.T, env *testEnv) store.Link {
	t.Helper()
	ctx := context.Background()
	env.unlockSharing(t, "employee")
	u := env.users["employee"]
	if err := env.store.SaveProfile(ctx, u.ID, account.Profile{Followers: map[string]int{"linkedin": 321}, Language: "en",
		Digest: account.DigestWeekly, MastodonInstance: "mastodon.example"}); err != nil {
		t.Fatal(err)
	}
	p := env.livePost(t, "Office opening =1+1")
	l, _, err := env.store.ShareLink(ctx, u.ID, p.ID, share.LinkedIn, share.NewCode)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.store.RecordClicks(ctx, []reach.Hit{
		{LinkID: l.ID, At: env.clock.Now(), Kind: reach.Click, Visitor: []byte("v1")},
		{LinkID: l.ID, At: env.clock.Now(), Kind: reach.Click, Visitor: []byte("v2")},
		{LinkID: l.ID, At: env.clock.Now(), Kind: reach.Click, Visitor: []byte("v2")},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.RollUpClicks(ctx, 0); err != nil {
		t.Fatal(err)
	}
	// Someone else's share, which must not show up.
	if _, _, err := env.store.ShareLink(ctx, env.users["comms"].ID, p.ID, share.X, share.NewCode); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestExportMyDataAsJSON(t *testing.T) {
	env := newTestEnv(t)
	link := exportSetup(t, env)
	resp := env.do(t, "employee", "GET", "/my/data", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="my-data-`) || !strings.HasSuffix(cd, `.json"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var got privacy.Export
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	u := env.users["employee"]
	if got.Profile.ID != u.ID || got.Profile.Email != "employee@example.com" || got.Profile.Name != "Test employee" ||
		got.Profile.Subject != "test:employee" || got.Profile.Followers["linkedin"] != 321 || got.Profile.MastodonInstance != "mastodon.example" ||
		got.Profile.Digest != "weekly" || len(got.Profile.Roles) != 1 || got.Profile.Roles[0].Role != "employee" {
		t.Errorf("profile = %+v", got.Profile)
	}
	if len(got.Training.Acknowledgements) != 1 || got.Training.Acknowledgements[0].IPAddress != "192.0.2.1" ||
		got.Training.Acknowledgements[0].Version != env.g.Conduct.Version || got.Training.Acknowledgements[0].ContentHash == "" {
		t.Errorf("acknowledgements = %+v", got.Training.Acknowledgements)
	}
	if len(got.Training.Attempts) != len(env.g.Required) || !got.Training.Attempts[0].Passed || got.Training.Attempts[0].ScorePercent != 100 {
		t.Errorf("attempts = %+v", got.Training.Attempts)
	}
	if len(got.Shares) != 1 || got.Shares[0].LinkCode != link.Code || got.Shares[0].Network != "linkedin" ||
		got.Shares[0].Followers != 321 || got.Shares[0].PostTitle != "Office opening =1+1" {
		t.Errorf("shares = %+v", got.Shares)
	}
	if len(got.Reach) != 1 || got.Reach[0].Clicks != 3 || got.Reach[0].Visitors != 2 || got.Reach[0].LinkCode != link.Code {
		t.Errorf("reach = %+v", got.Reach)
	}
	entry := lastAuditEntry(t, env)
	if entry.Action != "privacy.export" || entry.Target != fmt.Sprintf("user:%d", u.ID) || entry.ActorID != u.ID ||
		!strings.Contains(entry.After, `"format":"json"`) {
		t.Errorf("audit entry = %+v", entry)
	}
}

func lastAuditEntry(t *testing.T, env *testEnv) audit.Entry {
	t.Helper()
	log, err := auditLog(context.Background(), env.store, 1)
	if err != nil || len(log) == 0 {
		t.Fatalf("audit log: %v, %d entries", err, len(log))
	}
	return log[0]
}

func TestExportMyDataAsCSV(t *testing.T) {
	env := newTestEnv(t)
	link := exportSetup(t, env)

	resp := env.do(t, "employee", "GET", "/my/data?format=csv", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.HasSuffix(resp.Header.Get("Content-Disposition"), `.zip"`) {
		t.Fatalf("status %d, %q, %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][][]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(rc).ReadAll()
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = rows
	}
	for _, section := range privacy.Sections {
		if _, ok := files[section+".csv"]; !ok {
			t.Errorf("zip has no %s.csv (has %d files)", section, len(files))
		}
	}
	shares := files["shares.csv"]
	if len(shares) != 2 || shares[1][1] != "Office opening =1+1" || shares[1][3] != link.Code {
		t.Errorf("shares.csv = %q", shares)
	}
	if reach := files["reach.csv"]; len(reach) != 2 || reach[1][6] != "3" || reach[1][7] != "2" {
		t.Errorf("reach.csv = %q", reach)
	}
	if acks := files["acknowledgements.csv"]; len(acks) != 2 || acks[1][3] != "192.0.2.1" {
		t.Errorf("acknowledgements.csv = %q", acks)
	}
	profile := files["profile.csv"]
	if !slices.ContainsFunc(profile, func(r []string) bool { return r[0] == "followers:linkedin" && r[1] == "321" }) ||
		!slices.ContainsFunc(profile, func(r []string) bool { return r[0] == "email" && r[1] == "employee@example.com" }) {
		t.Errorf("profile.csv = %q", profile)
	}

	resp = env.do(t, "employee", "GET", "/my/data?format=csv&section=attempts", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "my-data-attempts-") {
		t.Fatalf("one section: status %d, %q, %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(rows) != 1+len(env.g.Required) || rows[0][0] != "module" {
		t.Errorf("attempts.csv = %q (%v)", rows, err)
	}
	if e := lastAuditEntry(t, env); e.Action != "privacy.export" || !strings.Contains(e.After, `"section":"attempts"`) {
		t.Errorf("audit entry = %+v", e)
	}
}

func TestExportMyDataRefusesUnknownFormats(t *testing.T) {
	env := newTestEnv(t)
	for _, path := range []string{"/my/data?format=xml", "/my/data?format=csv&section=passwords"} {
		before := len(mustAudit(t, env))
		resp := env.doIn(t, "employee", "nl", path)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", path, resp.StatusCode)
		}
		if doc := mustDoc(t, resp); !strings.Contains(doc.Text(), "Kies") {
			t.Errorf("%s: the problem is not told in Dutch: %s", path, strings.Join(strings.Fields(doc.Find("main").Text()), " "))
		}
		if after := len(mustAudit(t, env)); after != before {
			t.Errorf("%s: a refused export was audit-logged", path)
		}
	}
}

func mustAudit(t *testing.T, env *testEnv) []audit.Entry {
	t.Helper()
	log, err := auditLog(context.Background(), env.store, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return log
}

func TestEraseUserThroughTheAdminForm(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	exportSetup(t, env)
	u := env.users["employee"]
	path := fmt.Sprintf("/admin/users/%d/erase", u.ID)
	before, err := env.store.ClickTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}

	resp := env.do(t, "admin", "POST", path, url.Values{"confirm_email": {"hr@example.com"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong confirmation: status %d, want 422", resp.StatusCode)
	}
	if got, err := env.store.User(ctx, u.ID); err != nil || got.Email != u.Email || got.Name != u.Name || !got.Active {
		t.Fatalf("a refused erasure changed the user: %+v (error: %v)", got, err)
	}
	if resp := env.do(t, "employee", "GET", "/feed", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("the employee was signed out by a refused erasure: %d", resp.StatusCode)
	}

	resp = env.do(t, "admin", "POST", fmt.Sprintf("/admin/users/%d/erase", env.users["admin"].ID),
		url.Values{"confirm_email": {"admin@example.com"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("erasing oneself: status %d, want 409", resp.StatusCode)
	}
	if resp := env.do(t, "admin", "POST", "/admin/users/9999/erase", url.Values{"confirm_email": {"x@example.com"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("erasing no one: status %d, want 404", resp.StatusCode)
	}

	resp = env.do(t, "admin", "POST", path, url.Values{"confirm_email": {"Employee@Example.com"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/admin/users/%d?erased=1", u.ID) {
		t.Fatalf("erasure: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	got, err := env.store.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != store.ErasedName(u.ID) || got.Email != store.ErasedEmail(u.ID) || got.Active {
		t.Errorf("erased user = %+v", got)
	}
	if resp := env.do(t, "employee", "GET", "/feed", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the erased person's session still works: %d", resp.StatusCode)
	}
	if after, err := env.store.ClickTotals(ctx); err != nil || after != before {
		t.Errorf("click totals changed: %+v → %+v", before, after)
	}
	if e := lastAuditEntry(t, env); e.Action != "user.erase" || e.Target != fmt.Sprintf("user:%d", u.ID) ||
		e.ActorID != env.users["admin"].ID || strings.Contains(e.After, "employee@example.com") || strings.Contains(e.After, "Test employee") {
		t.Errorf("audit entry = %+v", e)
	}
}
