package retention_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/retention"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestRetentionJobRunOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "portal.db"), store.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	links, err := s.SeedLinks(ctx, "https://example.com/", 1, share.NewCode)
	if err != nil || len(links) != 1 {
		t.Fatalf("SeedLinks = %d links, %v; want 1", len(links), err)
	}
	var clicks []reach.Hit
	for i := range 25 { // 25 older than 30 days, then 5 recent
		clicks = append(clicks, reach.Hit{LinkID: links[0].ID, At: now.Add(-31*retention.Day + time.Duration(i)*time.Minute), Kind: reach.Click})
	}
	for i := range 5 {
		clicks = append(clicks, reach.Hit{LinkID: links[0].ID, At: now.Add(-time.Duration(i) * time.Hour), Kind: reach.Click})
	}
	if err := s.RecordClicks(ctx, clicks); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RollUpClicks(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VisitorSalt(ctx, "2026-11-01", "2026-01-01", []byte("old salt")); err != nil {
		t.Fatal(err)
	}
	job := &retention.Job{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ClickRetention: 30 * retention.Day,
		Batch: 10, Pause: time.Millisecond, Now: func() time.Time { return now }}
	r, err := job.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Clicks != 25 || r.Salts != 1 {
		t.Errorf("deleted %+v, want 25 clicks and 1 salt", r)
	}
	raw, rawErr := s.RawClickCounts(ctx)
	totals, totalsErr := s.ClickTotals(ctx)
	if err := errors.Join(rawErr, totalsErr); err != nil || raw.Clicks != 5 || totals.Clicks != 30 {
		t.Errorf("raw clicks %d (want 5), rollup clicks %d (want 30), error %v", raw.Clicks, totals.Clicks, err)
	}
}

func TestRetentionParsePeriod(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"400", 400 * retention.Day, false},
		{"400d", 400 * retention.Day, false},
		{" 30d ", 30 * retention.Day, false},
		{"9600h", 400 * retention.Day, false},
		{"1d", retention.Day, false},
		{"12h", 0, true},
		{"0", 0, true},
		{"-5d", 0, true},
		{"forever", 0, true},
		{"", 0, true},
		{"100000d", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := retention.ParsePeriod(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParsePeriod(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestRetentionJobKeepsYesterdaysSalt holds the job to the day it keeps
// visitor salts from: the previous UTC day, whatever the clock's zone.
func TestRetentionJobKeepsYesterdaysSalt(t *testing.T) {
	tests := []struct {
		name      string
		now       time.Time
		wantSalts int64
		wantDays  []string
	}{
		{"midday UTC", time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), 1, []string{"2026-11-19", "2026-11-20"}},
		{"just after midnight east of UTC", time.Date(2026, 11, 20, 0, 30, 0, 0, time.FixedZone("UTC+2", 2*60*60)), 0,
			[]string{"2026-11-18", "2026-11-19", "2026-11-20"}}, // still the 19th in UTC
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, filepath.Join(t.TempDir(), "portal.db"), store.WithClock(func() time.Time { return tt.now }))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, day := range []string{"2026-11-18", "2026-11-19", "2026-11-20"} {
				if _, err := s.VisitorSalt(ctx, day, "2026-01-01", []byte("salt of "+day)); err != nil {
					t.Fatal(err)
				}
			}
			job := &retention.Job{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return tt.now }}
			r, err := job.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if r.Salts != tt.wantSalts {
				t.Errorf("deleted %d salts, want %d", r.Salts, tt.wantSalts)
			}
			var days []string // the salts kept, read as the visitor hasher reads them
			for _, day := range []string{"2026-11-18", "2026-11-19", "2026-11-20"} {
				switch _, err := s.StoredVisitorSalt(ctx, day); {
				case err == nil:
					days = append(days, day)
				case !errors.Is(err, store.ErrNotFound):
					t.Fatal(err)
				}
			}
			if !slices.Equal(days, tt.wantDays) {
				t.Errorf("salt days left = %v, want %v", days, tt.wantDays)
			}
		})
	}
}
