package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

// mustSeedLinks creates n tracked links to one live post.
func mustSeedLinks(tb testing.TB, s *store.Store, n int) []store.Link {
	tb.Helper()
	links, err := s.SeedLinks(context.Background(), "https://example.com/news?ref=feed", n, share.NewCode)
	if err != nil || len(links) != n {
		tb.Fatalf("SeedLinks = %d links, %v; want %d", len(links), err, n)
	}
	return links
}

func TestRecordClicksRollsUp(t *testing.T) {
	ctx := context.Background()
	monday := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	tuesday := monday.Add(24 * time.Hour)
	s := mustOpenStore(t, store.WithClock((clocktest.New(tuesday.Add(time.Hour))).Now))
	links := mustSeedLinks(t, s, 2)
	a, b := links[0].ID, links[1].ID
	alice, bob := []byte("alice-hash-00000"), []byte("bob-hash-0000000")

	batches := [][]reach.Hit{
		{
			{LinkID: a, At: monday, Kind: reach.Click, Visitor: alice},
			{LinkID: a, At: monday, Kind: reach.Click, Visitor: alice}, // again in the same batch
			{LinkID: a, At: monday, Kind: reach.Click, Visitor: bob},
			{LinkID: a, At: monday, Kind: reach.Preview},
			{LinkID: b, At: monday, Kind: reach.Bot},
		},
		{
			{LinkID: a, At: monday.Add(time.Hour), Kind: reach.Click, Visitor: alice}, // again in a later batch
			{LinkID: a, At: tuesday, Kind: reach.Click, Visitor: alice},               // a new day
			{LinkID: b, At: monday, Kind: reach.Click, Visitor: alice},                // another link
		},
	}
	for _, batch := range batches {
		if err := s.RecordClicks(ctx, batch); err != nil {
			t.Fatalf("RecordClicks: %v", err)
		}
	}
	if got, err := s.ClickTotals(ctx); err != nil || got != (reach.ClickCounts{}) {
		t.Errorf("before RollUpClicks: %+v, want nothing rolled up yet (error: %v)", got, err)
	}
	if pending, err := s.ClicksPending(ctx); err != nil || pending != 8 {
		t.Errorf("ClicksPending = %d, %v; want 8", pending, err)
	}
	// Three rows per pass: the passes meet alice's repeats in different
	// passes and batches, and still count her once a day per link.
	for {
		n, err := s.RollUpClicks(ctx, 3)
		if err != nil {
			t.Fatalf("RollUpClicks: %v", err)
		}
		if n < 3 {
			break
		}
	}
	if pending, err := s.ClicksPending(ctx); err != nil || pending != 0 {
		t.Errorf("ClicksPending after rolling up = %d, want 0 (error: %v)", pending, err)
	}

	tests := []struct {
		name string
		get  func() (reach.ClickCounts, error)
		want reach.ClickCounts
	}{
		{"link a", func() (reach.ClickCounts, error) { return s.LinkClickCounts(ctx, a) },
			reach.ClickCounts{Clicks: 5, Previews: 1, Visitors: 3}}, // Monday alice and bob, Tuesday alice
		{"link b", func() (reach.ClickCounts, error) { return s.LinkClickCounts(ctx, b) },
			reach.ClickCounts{Clicks: 1, Bots: 1, Visitors: 1}},
		{"all links", func() (reach.ClickCounts, error) { return s.ClickTotals(ctx) },
			reach.ClickCounts{Clicks: 6, Previews: 1, Bots: 1, Visitors: 4}},
		{"raw rows", func() (reach.ClickCounts, error) { return s.RawClickCounts(ctx) },
			reach.ClickCounts{Clicks: 6, Previews: 1, Bots: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}

	t.Run("raw rows keep kind and visitor, nothing else", func(t *testing.T) {
		rows, err := s.LinkClicks(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 6 || rows[0].Kind != reach.Click || string(rows[0].Visitor) != string(alice) ||
			!rows[0].At.Equal(monday) || rows[3].Kind != reach.Preview || rows[3].Visitor != nil {
			t.Errorf("clicks of link a = %+v", rows)
		}
	})

	t.Run("a bad click fails the whole batch", func(t *testing.T) {
		err := s.RecordClicks(ctx, []reach.Hit{
			{LinkID: a, At: monday, Kind: reach.Click, Visitor: []byte("carol-hash-00000")},
			{LinkID: 99999, At: monday, Kind: reach.Click},
		})
		if err == nil {
			t.Fatal("RecordClicks with an unknown link succeeded")
		}
		if got, err := s.LinkClickCounts(ctx, a); err != nil || got.Clicks != 5 || got.Visitors != 3 {
			t.Errorf("link a after the failed batch: %+v, want it unchanged (error: %v)", got, err)
		}
		if err := s.RecordClicks(ctx, []reach.Hit{{LinkID: a, At: monday, Kind: "like"}}); err == nil {
			t.Error("RecordClicks with an unknown kind succeeded")
		}
	})

	t.Run("large batches", func(t *testing.T) {
		var batch []reach.Hit
		for i := range 450 {
			batch = append(batch, reach.Hit{LinkID: b, At: tuesday, Kind: reach.Click, Visitor: []byte{byte(i), byte(i >> 8)}})
		}
		if err := s.RecordClicks(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if n, err := s.RollUpClicks(ctx, 0); err != nil || n != 450 {
			t.Fatalf("CountVisitors = %d, %v; want 450 clicks looked at", n, err)
		}
		if n, err := s.RollUpClicks(ctx, 0); err != nil || n != 0 {
			t.Errorf("CountVisitors again = %d, %v; want nothing left", n, err)
		}
		if got, err := s.LinkClickCounts(ctx, b); err != nil || got.Clicks != 451 || got.Visitors != 451 {
			t.Errorf("link b = %+v, want 451 clicks from 451 visitors (error: %v)", got, err)
		}
	})
}

func TestReachCountsPeopleOnly(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	links := mustSeedLinks(t, s, 1)
	now := time.Now()
	if err := s.RecordClicks(ctx, []reach.Hit{
		{LinkID: links[0].ID, At: now, Kind: reach.Click, Visitor: []byte("v1")},
		{LinkID: links[0].ID, At: now, Kind: reach.Preview},
		{LinkID: links[0].ID, At: now, Kind: reach.Bot},
	}); err != nil {
		t.Fatal(err)
	}
	if err := recordClick(ctx, s, links[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if rows := reachByPost(t, s, 0, now); len(rows) != 1 || rows[0].PostID != links[0].PostID || rows[0].Clicks != 2 {
		t.Errorf("reach by post = %+v, want 2 clicks (previews and bots apart)", rows)
	}
}

func TestVisitorSalt(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)

	first, err := s.VisitorSalt(ctx, "2026-11-02", "2026-11-01", []byte("salt-a"))
	if err != nil || string(first) != "salt-a" {
		t.Fatalf("VisitorSalt = %q, %v; want the fresh salt", first, err)
	}
	again, err := s.VisitorSalt(ctx, "2026-11-02", "2026-11-01", []byte("salt-b"))
	if err != nil || string(again) != "salt-a" {
		t.Fatalf("VisitorSalt again = %q, %v; want the stored salt-a (a second process gets the first's)", again, err)
	}
	if _, err := s.VisitorSalt(ctx, "2026-11-03", "2026-11-02", []byte("salt-c")); err != nil {
		t.Fatal(err)
	}
	if days, err := s.VisitorSaltDays(ctx); err != nil || !slices.Equal(days, []string{"2026-11-02", "2026-11-03"}) {
		t.Errorf("salt days = %v, want Monday and Tuesday (error: %v)", days, err)
	}
	if _, err := s.VisitorSalt(ctx, "2026-11-04", "2026-11-03", []byte("salt-d")); err != nil {
		t.Fatal(err)
	}
	if days, err := s.VisitorSaltDays(ctx); err != nil || !slices.Equal(days, []string{"2026-11-03", "2026-11-04"}) {
		t.Errorf("salt days = %v, want Tuesday and Wednesday (error: %v)", days, err)
	}
	if _, err := s.StoredVisitorSalt(ctx, "2026-11-02"); err == nil {
		t.Error("Monday's salt is still there")
	}
}

// TestRollUpForgetsOldHashes checks that the visitor hashes of days
// before yesterday go, as their salts do, and that a click waiting to be
// rolled up when its day's hashes go is still told apart first.
func TestRollUpForgetsOldHashes(t *testing.T) {
	ctx := context.Background()
	monday := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clk := clocktest.New(monday)
	s := mustOpenStore(t, store.WithClock(clk.Now))
	links := mustSeedLinks(t, s, 1)
	click := func() {
		t.Helper()
		if err := s.RecordClicks(ctx, []reach.Hit{{LinkID: links[0].ID, At: monday, Kind: reach.Click, Visitor: []byte("v1")}}); err != nil {
			t.Fatal(err)
		}
	}
	rollUp := func() {
		t.Helper()
		if _, err := s.RollUpClicks(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	click()
	rollUp()
	if days, err := s.VisitorHashDays(ctx); err != nil || !slices.Equal(days, []string{"2026-11-02"}) {
		t.Errorf("hash days = %v, %v; want Monday", days, err)
	}
	click() // waits while the clock moves on to Wednesday
	clk.Advance(49 * time.Hour)
	rollUp()
	if got, err := s.LinkClickCounts(ctx, links[0].ID); err != nil || got.Clicks != 2 || got.Visitors != 1 {
		t.Errorf("counts = %+v; want 2 clicks from 1 visitor: the waiting click met Monday's hashes before they went (error: %v)", got, err)
	}
	if days, err := s.VisitorHashDays(ctx); err != nil || len(days) != 0 {
		t.Errorf("hash days on Wednesday = %v, %v; want none (Monday's went with its salt)", days, err)
	}
	click()
	rollUp()
	if got, err := s.LinkClickCounts(ctx, links[0].ID); err != nil || got.Clicks != 3 || got.Visitors != 2 {
		t.Errorf("counts = %+v; want 3 clicks, and 2 visitors since Monday's hashes were deleted (error: %v)", got, err)
	}
}

// TestMigrationBackfillsRollups opens a database made by the migrations
// before 0006, with clicks in it, and checks that 0006 rolls them up.
func TestMigrationBackfillsRollups(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	mustExec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`)
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	for _, f := range files {
		if filepath.Base(f) >= "0006" {
			break
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mustExec(string(body))
		mustExec(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, '2026-01-01T00:00:00.000Z')`, strings.ReplaceAll(f, `\`, "/"))
	}
	mustExec(`INSERT INTO users (id, email, name, created_at) VALUES (1, 'sam@example.com', 'Sam', '2026-11-01T00:00:00.000Z')`)
	mustExec(`INSERT INTO posts (id, title, url, category, slug, status, author_id, created_at, updated_at)
		VALUES (1, 'News', 'https://example.com/', 'company_news', 'news', 'approved', 1, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')`)
	mustExec(`INSERT INTO links (id, code, user_id, post_id, network, created_at) VALUES
		(1, 'codeA', 1, 1, 'linkedin', '2026-11-01T00:00:00.000Z'), (2, 'codeB', 1, 1, 'x', '2026-11-01T00:00:00.000Z')`)
	mustExec(`INSERT INTO clicks (link_id, created_at) VALUES
		(1, '2026-11-02T08:00:00.000Z'), (1, '2026-11-02T23:59:59.999Z'), (1, '2026-11-03T00:00:00.000Z'),
		(2, '2026-11-03T12:00:00.000Z')`)
	db.Close()

	s := mustOpenStoreAt(t, path)
	if got, err := s.ClickTotals(ctx); err != nil || got != (reach.ClickCounts{Clicks: 4}) {
		t.Errorf("rollups after migrating = %+v, %v; want 4 clicks", got, err)
	}
	if got, err := s.RawClickCounts(ctx); err != nil || got != (reach.ClickCounts{Clicks: 4}) {
		t.Errorf("raw clicks after migrating = %+v, want 4 people's clicks (error: %v)", got, err)
	}
	if got, err := s.LinkClickCounts(ctx, 1); err != nil || got.Clicks != 3 {
		t.Errorf("link 1 = %+v, want 3 clicks (error: %v)", got, err)
	}
	days := reachReportPosts(t, s, reach.Scope{}, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC))
	if len(days) != 1 || days[0].Clicks != 4 {
		t.Errorf("reach by post after migrating = %+v; want 4 clicks", days)
	}
}

// BenchmarkRecordClicks measures one group commit of 30 clicks spread over
// 30 links, as the redirect path writes them under load (cmd/loadtest).
func BenchmarkRecordClicks(b *testing.B) {
	ctx := context.Background()
	s := mustOpenStore(b)
	links := mustSeedLinks(b, s, 200)
	batch := make([]reach.Hit, 30)
	now := time.Now()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		for j := range batch {
			i++
			// 200 links, a new visitor each time, like a post going viral.
			batch[j] = reach.Hit{LinkID: links[i*7919%len(links)].ID, At: now, Kind: reach.Click,
				Visitor: []byte{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}
		}
		if err := s.RecordClicks(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/click")
}
