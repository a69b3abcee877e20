package store_test

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/store"
)

// BenchmarkRollUpClicks times one roll-up pass over a second's worth of
// the redirect benchmark's clicks (25000, over 200 links, nine in ten new
// visitors), on a day that has 250000 visitors already.
func BenchmarkRollUpClicks(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := mustOpenStore(b, store.WithClock(func() time.Time { return now }))
	links := mustSeedLinks(b, s, 200)
	rng := rand.New(rand.NewPCG(1, 2))
	batch := func(n int) []reach.Hit {
		cs := make([]reach.Hit, n)
		for i := range cs {
			v := make([]byte, 16)
			binary.BigEndian.PutUint64(v, rng.Uint64())
			binary.BigEndian.PutUint64(v[8:], rng.Uint64())
			cs[i] = reach.Hit{LinkID: links[rng.IntN(len(links))].ID, At: now, Kind: reach.Click, Visitor: v}
		}
		return cs
	}
	for range 10 {
		if err := s.RecordClicks(ctx, batch(25000)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.RollUpClicks(ctx, 0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if err := s.RecordClicks(ctx, batch(25000)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.RollUpClicks(ctx, 0); err != nil {
			b.Fatal(err)
		}
	}
}
