package reach

import (
	"context"
	"log/slog"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/store"
)

// RollupStore rolls committed clicks up. *store.Store is one.
type RollupStore interface {
	RollUpClicks(ctx context.Context, limit int) (int64, error)
}

// Tally keeps the per-link per-day rollups (clicks, previews, bots and
// unique visitors) up with the click rows, off the redirect path. The
// click writer commits only the rows, so that a redirect waits for as
// little as possible; the rollups, and telling whether a visitor hash is
// new on a link that day (a write at a random place in a large index),
// are done here in passes of up to store.RollUpPass rows, and dashboards
// show a click about a second after its redirect.
type Tally struct {
	Store  RollupStore
	Logger *slog.Logger
	// Stats counts passes and failed passes, for /metrics.
	Stats job.Stats
}

// RunOnce rolls up every click row committed so far, pass after pass,
// and returns how many rows it took. Each pass is its own short
// transaction, so the click writer gets the database between passes.
func (t *Tally) RunOnce(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := t.Store.RollUpClicks(ctx, store.RollUpPass)
		total += n
		if err != nil || n < store.RollUpPass {
			return total, err
		}
	}
}

// Run rolls up clicks every interval until ctx is done. What it has not
// reached then, the next start rolls up; the portal also calls RunOnce
// once the click writer has stopped.
func (t *Tally) Run(ctx context.Context, interval time.Duration) {
	job.Loop(ctx, interval, nil, func(ctx context.Context) {
		_, err := t.RunOnce(ctx)
		t.Stats.Record(err)
		if err != nil && ctx.Err() == nil {
			t.Logger.Error("rolling up clicks failed", "err", err)
		}
	})
}
