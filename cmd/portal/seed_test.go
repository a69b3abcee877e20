package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "seed.db")
	cfg := seedConfig{DB: path, Users: 60, Posts: 12, Clicks: 5000, Days: 30, Seed: 7, Raw: true, Now: now}
	var progress bytes.Buffer
	stats, err := seed(ctx, cfg, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Users != 60 || stats.Posts != 12 || stats.Clicks != 5000 || stats.Links == 0 || stats.Shares < stats.Links || stats.Rollups == 0 {
		t.Errorf("stats = %+v", stats)
	}
	if !strings.Contains(progress.String(), "links:") {
		t.Errorf("no progress printed: %q", progress.String())
	}
	st, err := store.Open(ctx, path, store.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.CountUsers(ctx); err != nil || n != 60 {
		t.Errorf("%d users, %v", n, err)
	}
	rolled, err := st.ClickTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := st.RawClickCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rolled.Clicks != 5000 || raw.Clicks != 5000 || raw.Previews != rolled.Previews || raw.Bots != rolled.Bots || rolled.Visitors > rolled.Clicks {
		t.Errorf("rollups %+v, raw %+v: want 5000 clicks in both, and the same previews and bots", rolled, raw)
	}
	first, ok, err := st.ReachFirstDay(ctx, reach.Scope{})
	if err != nil || !ok || first.Before(now.AddDate(0, 0, -30)) {
		t.Fatalf("first day %s, %v, %v: want within the 30 days", first, ok, err)
	}
	r, err := st.ReachReport(ctx, reach.Scope{}, first, now.Truncate(24*time.Hour).AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if r.Total.Clicks != 5000 || r.Total.Shares != int64(stats.Shares) || r.Total.Reach == 0 || len(r.Posts) == 0 || len(r.Departments) == 0 {
		t.Errorf("the dashboard adds up to %+v; want all 5000 clicks and %d shares", r.Total, stats.Shares)
	}
	if _, err := seed(ctx, cfg, &progress); err == nil || !strings.Contains(err.Error(), "already has 60 users") {
		t.Errorf("seeding a database with data: %v, want a refusal", err)
	}
}

func TestSeedCommand(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"seeds and times the dashboards", []string{"-db", filepath.Join(dir, "a.db"), "-users", "40", "-posts", "6", "-clicks", "2000",
			"-days", "20", "-bench", "1"}, 0, "page: /reach (30 days)"},
		{"no users", []string{"-db", filepath.Join(dir, "b.db"), "-users", "0"}, 2, ""},
		{"negative clicks", []string{"-db", filepath.Join(dir, "c.db"), "-clicks", "-5"}, 2, ""},
		{"an argument", []string{"-db", filepath.Join(dir, "d.db"), "extra"}, 2, ""},
		{"unknown flag", []string{"-rows", "5"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := seedCommand(tt.args, &out, &errOut); code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.wantCode, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output %q lacks %q", out.String(), tt.wantOut)
			}
		})
	}
}

// BenchmarkDashboards times the programme dashboard and my reach, as store
// queries and as pages through the handlers (server time, no network), on
// generated data: 1000 people, 200 posts and a million clicks by default,
// or the database PORTAL_BENCH_DB names, seeded beforehand with e.g.
//
//	portal seed -users 10000 -posts 2000 -clicks 10000000 -db /tmp/seed10m.db
//	PORTAL_BENCH_DB=/tmp/seed10m.db go test ./cmd/portal -run '^$' -bench Dashboards -benchtime 20x
func BenchmarkDashboards(b *testing.B) {
	ctx := context.Background()
	now := time.Now()
	path := os.Getenv("PORTAL_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
		stats, err := seed(ctx, seedConfig{DB: path, Users: 1000, Posts: 200, Clicks: 1_000_000, Days: 365, Seed: 1, Now: now}, &bytes.Buffer{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %+v", stats)
	}
	st, err := store.Open(ctx, path, store.WithClock(func() time.Time { return now }))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	n, err := st.BuildReachDays(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("digested %d days in %s", n, time.Since(start))
	pages, err := dashboardPages(ctx, st, now)
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range append(dashboardQueries(st, now), pages...) {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if err := q.run(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
