package reach

import (
	"context"
	"log/slog"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/store"
)

// VisitorStore counts the visitors of committed clicks. *store.Store is one.
type VisitorStore interface {
	CountVisitors(ctx context.Context, limit int) (int64, error)
}

// VisitorCounter counts unique visitors off the redirect path. The click
// writer commits each click with its visitor hash and the rollup's click
// count; telling whether the hash is new on that link that day means a
// write at a random place in a large index, which in the commit would make
// every redirect wait for it. The counter does those writes instead, in
// passes of up to store.VisitorPass clicks in key order, so dashboards show
// visitors a second or so after the clicks.
type VisitorCounter struct {
	Store  VisitorStore
	Logger *slog.Logger
	// Stats counts passes and failed passes, for /metrics.
	Stats job.Stats
}

// RunOnce counts every click committed so far, pass after pass, and
// returns how many clicks it looked at.
func (v *VisitorCounter) RunOnce(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := v.Store.CountVisitors(ctx, store.VisitorPass)
		total += n
		if err != nil || n < store.VisitorPass {
			return total, err
		}
	}
}

// Run counts visitors every interval until ctx is done. Whatever it has
// not reached then, the next start counts; the portal also calls RunOnce
// once the click writer has stopped.
func (v *VisitorCounter) Run(ctx context.Context, interval time.Duration) {
	job.Loop(ctx, interval, nil, func(ctx context.Context) {
		_, err := v.RunOnce(ctx)
		v.Stats.Record(err)
		if err != nil && ctx.Err() == nil {
			v.Logger.Error("counting visitors failed", "err", err)
		}
	})
}
