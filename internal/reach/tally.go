package reach

import (
	"context"
	"log/slog"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
)

// RollupStore rolls committed hits up. internal/store implements it.
type RollupStore interface {
	// RollUpClicks rolls up the hits committed since its last call, at
	// most limit of them (all if limit <= 0), and returns how many it
	// took: call it again while that equals limit.
	RollUpClicks(ctx context.Context, limit int) (int64, error)
}

// RollUpPass is how many hits a Tally's RollUpClicks pass takes at most:
// passes of thousands of rows write each touched page of the visitors
// index once for many clicks.
const RollUpPass = 50_000

// Tally keeps the per-link per-day rollups (clicks, previews, bots and
// unique visitors) up with the click rows, off the redirect path. The
// click writer commits only the rows, so that a redirect waits for as
// little as possible; the rollups, and telling whether a visitor hash is
// new on a link that day (a write at a random place in a large index),
// are done here in passes of up to RollUpPass rows, and dashboards
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
		n, err := t.Store.RollUpClicks(ctx, RollUpPass)
		total += n
		if err != nil || n < RollUpPass {
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
