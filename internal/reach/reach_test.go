package reach_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

func mustOpenStore(tb testing.TB, opts ...store.Option) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "portal.db"), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// mustLinks creates n tracked links to one post and returns their ids.
func mustLinks(tb testing.TB, s *store.Store, n int) []int64 {
	tb.Helper()
	links, err := s.SeedLinks(context.Background(), "https://example.com/news?ref=feed#part-2", n, share.NewCode)
	if err != nil || len(links) != n {
		tb.Fatalf("SeedLinks = %d links, %v; want %d", len(links), err, n)
	}
	ids := make([]int64, len(links))
	for i, l := range links {
		ids[i] = l.ID
	}
	return ids
}
