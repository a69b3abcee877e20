package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/internal/store"
)

// mustOpenStoreAndDB opens a store on a new database, and a second,
// independent database/sql handle on the same file for what the store
// offers no method for (or must refuse). Both close when the test ends.
func mustOpenStoreAndDB(tb testing.TB, opts ...store.Option) (*store.Store, *sql.DB) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "portal.db")
	s := mustOpenStoreAt(tb, path, opts...)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return s, db
}

// auditLog returns the newest entries of the audit log first, at most limit
// of them, read as the admins' audit page reads them.
func auditLog(ctx context.Context, s *store.Store, limit int) ([]audit.Entry, error) {
	records, _, err := s.SearchAudit(ctx, audit.Filter{Limit: limit})
	entries := make([]audit.Entry, len(records))
	for i, r := range records {
		entries[i] = r.Entry
	}
	return entries, err
}

// lastAudit returns the newest audit entry.
func lastAudit(tb testing.TB, s *store.Store) audit.Entry {
	tb.Helper()
	log, err := auditLog(context.Background(), s, 1)
	if err != nil {
		tb.Fatalf("audit log: %v", err)
	}
	if len(log) == 0 {
		tb.Fatalf("audit log is empty")
	}
	return log[0]
}

// auditCount returns how many entries the audit log has.
func auditCount(tb testing.TB, s *store.Store) int {
	tb.Helper()
	log, err := auditLog(context.Background(), s, 1000000)
	if err != nil {
		tb.Fatalf("audit log: %v", err)
	}
	return len(log)
}

func TestAuditLogAppendOnly(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, db := mustOpenStoreAndDB(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
	if err := s.LogAudit(ctx, hr.ID, "training.export", "training-report", map[string]int{"rows": 3}); err != nil {
		t.Fatalf("LogAudit: %v", err)
	}
	c.Advance(time.Minute)
	if err := s.LogAudit(ctx, 0, "mail.retry", "outbox", nil); err != nil {
		t.Fatalf("LogAudit by the portal: %v", err)
	}
	want, err := auditLog(ctx, s, 10)
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	if len(want) != 2 {
		t.Fatalf("audit log has %d entries, want 2", len(want))
	}
	newest, oldest := want[0], want[1]
	if newest.Action != "mail.retry" || newest.ActorID != 0 || newest.ActorName != "" || newest.After != "" || !newest.At.Equal(c.Now()) {
		t.Errorf("newest entry = %+v, want mail.retry by the portal (actor 0) with no detail", newest)
	}
	if oldest.Action != "training.export" || oldest.Target != "training-report" || oldest.ActorID != hr.ID ||
		oldest.ActorName != hr.Name || oldest.Before != "" || oldest.After != `{"rows":3}` {
		t.Errorf("oldest entry = %+v, want training.export by %d with {\"rows\":3}", oldest, hr.ID)
	}
	if got, err := auditLog(ctx, s, 1); err != nil || len(got) != 1 || got[0].ID != newest.ID {
		t.Errorf("audit log (limit 1) = %+v, %v; want only the newest", got, err)
	}

	for _, stmt := range []string{
		`UPDATE audit_log SET action = 'nothing.happened'`,
		`UPDATE audit_log SET after = '' WHERE action = 'training.export'`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE action = 'mail.retry'`,
	} {
		t.Run(stmt, func(t *testing.T) {
			_, err := db.ExecContext(ctx, stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: error %v, want the triggers to refuse it as append-only", stmt, err)
			}
			got, err := auditLog(ctx, s, 10)
			if err != nil {
				t.Fatalf("audit log: %v", err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("audit log changed to %+v, want %+v", got, want)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	admin := mustSignIn(t, s, "oidc:admin", "admin@example.com")

	untouched := []string{"default"}
	if ok, err := s.Setting(ctx, store.SettingRequiredModules, &untouched); err != nil || ok || !slices.Equal(untouched, []string{"default"}) {
		t.Fatalf("Setting before any change = %v, %v, %v; want false, nil, dst untouched", ok, err, untouched)
	}
	steps := []struct {
		name       string
		value      []string
		wantBefore string
		wantAfter  string
	}{
		{"first change", []string{"disclosure"}, "", `["disclosure"]`},
		{"second change", []string{"disclosure", "privacy"}, `["disclosure"]`, `["disclosure","privacy"]`},
		{"emptied", []string{}, `["disclosure","privacy"]`, `[]`},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			c.Advance(time.Minute)
			if err := s.SetSetting(ctx, store.SettingRequiredModules, st.value, admin.ID); err != nil {
				t.Fatalf("SetSetting: %v", err)
			}
			var got []string
			ok, err := s.Setting(ctx, store.SettingRequiredModules, &got)
			if err != nil || !ok || !slices.Equal(got, st.value) || got == nil {
				t.Errorf("Setting = %v, %v, %#v; want true, nil, %#v", ok, err, got, st.value)
			}
			e := lastAudit(t, s)
			if e.Action != "settings.change" || e.Target != "setting:"+store.SettingRequiredModules || e.ActorID != admin.ID ||
				e.Before != st.wantBefore || e.After != st.wantAfter || !e.At.Equal(c.Now()) {
				t.Errorf("audit entry = %+v, want settings.change from %s to %s", e, st.wantBefore, st.wantAfter)
			}
		})
	}
	var wrongType map[string]int
	if _, err := s.Setting(ctx, store.SettingRequiredModules, &wrongType); err == nil {
		t.Errorf("Setting into a map succeeded, want a decoding error")
	}
}
