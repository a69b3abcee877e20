// Package publish puts approved posts live at their publish time and
// retires them at their expiry, without anyone visiting a page. It is safe
// with several portal instances on one database: the store claims each
// post in one statement, so only one instance announces it.
package publish

import (
	"context"
	"log/slog"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// Job publishes and expires posts.
type Job struct {
	Store  *store.Store
	Logger *slog.Logger
	// OnLive is called with the posts that just went live, e.g. to announce
	// them on Slack and Teams. It may be nil. An error is logged; the posts
	// stay live.
	OnLive func(context.Context, []post.Post) error

	wake job.Waker

	// Stats counts passes and failed passes, for /metrics.
	Stats job.Stats
}

// RunOnce publishes the posts due now and expires the ones past their
// expiry, and returns how many of each.
func (j *Job) RunOnce(ctx context.Context) (published, expired int, err error) {
	live, err := j.Store.PublishDue(ctx)
	if err != nil {
		return 0, 0, err
	}
	if len(live) > 0 && j.OnLive != nil {
		if err := j.OnLive(ctx, live); err != nil {
			j.Logger.Error("announcing live posts failed", "posts", len(live), "err", err)
		}
	}
	gone, err := j.Store.ExpireDue(ctx)
	if err != nil {
		return len(live), 0, err
	}
	return len(live), len(gone), nil
}

// Wake makes Run do a pass now, e.g. right after an approval. It never
// blocks; it is safe from any goroutine.
func (j *Job) Wake() {
	j.wake.Wake()
}

// Run runs the job at once, then every interval and whenever woken, until
// ctx is done.
func (j *Job) Run(ctx context.Context, interval time.Duration) {
	job.Loop(ctx, interval, &j.wake, func(ctx context.Context) {
		n, m, err := j.RunOnce(ctx)
		j.Stats.Record(err)
		if err != nil {
			j.Logger.Error("publishing posts failed", "err", err)
		} else if n+m > 0 {
			j.Logger.Info("posts published and expired", "published", n, "expired", m)
		}
	})
}
