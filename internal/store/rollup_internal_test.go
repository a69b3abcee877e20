package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/reach"
)

// rollupFixture is a store at path with one tracked link.
func rollupFixture(t *testing.T, path string) (*Store, int64) {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	links, err := s.SeedLinks(context.Background(), "https://example.com/", 1, func() string { n++; return fmt.Sprintf("code%d", n) })
	if err != nil || len(links) != 1 {
		t.Fatalf("SeedLinks = %d links, %v; want 1", len(links), err)
	}
	return s, links[0].ID
}

func mustClicks(t *testing.T, s *Store, linkID int64, visitors ...string) {
	t.Helper()
	var cs []reach.Hit
	for _, v := range visitors {
		cs = append(cs, reach.Hit{LinkID: linkID, At: time.Now(), Kind: reach.Click, Visitor: []byte(v)})
	}
	if err := s.RecordClicks(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
}

func mustLinkCounts(t *testing.T, s *Store, linkID int64) reach.ClickCounts {
	t.Helper()
	c, err := s.LinkClickCounts(context.Background(), linkID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRollUpAfterCrashBetweenCountAndApply stops a pass after it counted
// into the visitors file and before the rollups took its sums, as a crash
// would, and checks that the next start applies them exactly once.
func TestRollUpAfterCrashBetweenCountAndApply(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "portal.db")
	s, link := rollupFixture(t, path)
	mustClicks(t, s, link, "alice", "alice", "bob")
	if n, err := s.countPass(ctx, 0); err != nil || n != 3 {
		t.Fatalf("countPass = %d, %v; want 3 rows counted", n, err)
	}
	if got := mustLinkCounts(t, s, link); got != (reach.ClickCounts{}) {
		t.Errorf("rollups before the apply = %+v, want none", got)
	}
	s.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 {
		if _, err := s.RollUpClicks(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if got, want := mustLinkCounts(t, s, link), (reach.ClickCounts{Clicks: 3, Visitors: 2}); got != want {
			t.Errorf("rollups after the restart = %+v, want %+v", got, want)
		}
	}
	if pending, err := s.ClicksPending(ctx); err != nil || pending != 0 {
		t.Errorf("%d clicks pending, want 0 (error: %v)", pending, err)
	}
}

// TestRollUpWithoutVisitorsFile deletes the visitors file between two
// starts: the rollups keep their counts, rows already rolled up are not
// rolled up again, and new clicks count.
func TestRollUpWithoutVisitorsFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "portal.db")
	s, link := rollupFixture(t, path)
	mustClicks(t, s, link, "alice", "bob")
	if _, err := s.RollUpClicks(ctx, 0); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(visitorPath(path) + suffix); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustClicks(t, s, link, "carol")
	if _, err := s.RollUpClicks(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got, want := mustLinkCounts(t, s, link), (reach.ClickCounts{Clicks: 3, Visitors: 3}); got != want {
		t.Errorf("rollups = %+v, want %+v", got, want)
	}
}

func TestDayNumber(t *testing.T) {
	for _, day := range []string{"2026-01-01", "2026-11-22", "1999-12-31"} {
		n, err := dayNumber(day)
		if err != nil || dayText(n) != day {
			t.Errorf("dayNumber(%q) = %d, %v; back %q", day, n, err, dayText(n))
		}
	}
	if _, err := dayNumber("22-11-2026"); err == nil {
		t.Error("dayNumber took a day in another layout")
	}
	if foldVisitor([]byte("visitor-1")) == foldVisitor([]byte("visitor-2")) {
		t.Error("foldVisitor lost the end of a hash")
	}
}

// TestVisitorsFileOfAnotherLayout refuses to start on a visitors file of a
// layout this portal does not know, rather than misreading it.
func TestVisitorsFileOfAnotherLayout(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "portal.db")
	s, _ := rollupFixture(t, path)
	if _, err := s.visitors.db.ExecContext(ctx, `PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(ctx, path)
	if err == nil {
		s.Close()
		t.Fatal("Open took a visitors file of layout 99")
	}
	if !strings.Contains(err.Error(), "layout 99") || !strings.Contains(err.Error(), visitorPath(path)) {
		t.Errorf("error = %v; want it to name the file and its layout", err)
	}
}
