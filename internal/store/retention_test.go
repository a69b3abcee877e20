package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/retention"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestRetentionDeletesOnlyOldRawClicks(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := mustOpenStore(t, store.WithClock(func() time.Time { return now }))
	links := mustSeedLinks(t, s, 2)
	cutoff := now.Add(-400 * 24 * time.Hour)
	var clicks []reach.Hit
	for i := range 7 { // old: before the cutoff, oldest first as the log records them
		clicks = append(clicks, reach.Hit{LinkID: links[i%2].ID, At: cutoff.Add(-time.Duration(7-i) * time.Hour), Kind: reach.Click,
			Visitor: []byte{byte(i)}})
	}
	clicks = append(clicks,
		reach.Hit{LinkID: links[0].ID, At: cutoff.Add(-time.Minute), Kind: reach.Bot},
		reach.Hit{LinkID: links[0].ID, At: cutoff, Kind: reach.Click},                // exactly at the cutoff: kept
		reach.Hit{LinkID: links[1].ID, At: now.Add(-time.Hour), Kind: reach.Preview}, // recent
		reach.Hit{LinkID: links[1].ID, At: now, Kind: reach.Click},
	)
	if err := s.RecordClicks(ctx, clicks); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RollUpClicks(ctx, 0); err != nil {
		t.Fatal(err)
	}
	rollups, err := s.ClickTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}

	var deleted []int64
	for {
		n, err := s.DeleteClicksBefore(ctx, cutoff, 3)
		if err != nil {
			t.Fatal(err)
		}
		deleted = append(deleted, n)
		if n < 3 {
			break
		}
	}
	if want := []int64{3, 3, 2}; len(deleted) != len(want) || deleted[0] != 3 || deleted[1] != 3 || deleted[2] != 2 {
		t.Errorf("batches deleted %v, want %v", deleted, want)
	}
	raw, err := s.RawClickCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (reach.ClickCounts{Clicks: 2, Previews: 1}); raw != want {
		t.Errorf("raw clicks left = %+v, want %+v (the one at the cutoff and the recent ones)", raw, want)
	}
	if after, err := s.ClickTotals(ctx); err != nil || after != rollups {
		t.Errorf("rollups changed: %+v → %+v (%v)", rollups, after, err)
	}
	if n, err := s.DeleteClicksBefore(ctx, cutoff, 3); n != 0 || err != nil {
		t.Errorf("a second pass deleted %d (%v), want 0", n, err)
	}
	if _, err := s.DeleteClicksBefore(ctx, cutoff, 0); err == nil {
		t.Errorf("a batch of 0 is accepted")
	}
}

func TestRetentionPurgesExpiredSessionsStatesAndSalts(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	s := mustOpenStore(t, store.WithClock(clk.Now))
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	links := mustSeedLinks(t, s, 1)
	for _, day := range []string{"2026-11-10", "2026-11-18", "2026-11-19", "2026-11-20"} {
		if _, err := s.VisitorSalt(ctx, day, "2026-01-01", []byte("salt-"+day)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordClicks(ctx, []reach.Hit{
		{LinkID: links[0].ID, At: time.Date(2026, 11, 18, 8, 0, 0, 0, time.UTC), Kind: reach.Click, Visitor: []byte("a")},
		{LinkID: links[0].ID, At: time.Date(2026, 11, 19, 8, 0, 0, 0, time.UTC), Kind: reach.Click, Visitor: []byte("b")},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, "expired", "", u.ID, "c", clk.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, "live", "", u.ID, "c", clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLoginState(ctx, auth.LoginState{State: "old", Provider: "demo", NextPath: "/"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Hour)
	if err := s.SaveLoginState(ctx, auth.LoginState{State: "new", Provider: "demo", NextPath: "/"}); err != nil {
		t.Fatal(err)
	}

	p, err := s.PurgeExpired(ctx, clk.Now().Add(-90*time.Minute), clk.Now().Add(-time.Hour), time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if want := (retention.Purged{Sessions: 1, LoginStates: 1, Salts: 2}); p != want {
		t.Errorf("purged %+v, want %+v", p, want)
	}
	days, err := s.VisitorSaltDays(ctx)
	if err != nil || len(days) != 2 || days[0] != "2026-11-19" {
		t.Errorf("salt days left = %v (%v), want 2026-11-19 and 2026-11-20", days, err)
	}
	if _, err := s.TakeLoginState(ctx, "new", 24*time.Hour); err != nil {
		t.Errorf("the recent sign-in was purged: %v", err)
	}
	if p, err := s.PurgeExpired(ctx, clk.Now().Add(-90*time.Minute), clk.Now().Add(-time.Hour), time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)); err != nil || p != (retention.Purged{}) {
		t.Errorf("a second pass purged %+v (%v), want nothing", p, err)
	}
}
