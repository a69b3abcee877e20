package mail_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/store"
)

func newClock() *clocktest.Clock { return clocktest.New(time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)) }

// mustOpenStore opens a store on a new SQLite database in a temporary
// directory and closes it when the test ends.
func mustOpenStore(tb testing.TB, opts ...store.Option) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "portal.db"), opts...)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}
