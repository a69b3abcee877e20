// Package publish puts approved posts live at their publish time and
// retires them at their expiry, without anyone visiting a page. It is safe
// with several portal instances on one database: the store claims each
// post in one statement, so only one instance announces it. The job
// declares what it needs of storage (Store); the store implements it.
package publish

import (
	"context"
	"log/slog"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/post"
)

// Store is what the job needs of storage: claiming the posts that are due
// to go live or to expire. Each post is claimed once, however many
// instances ask at the same time, so only one of them announces it.
type Store interface {
	// PublishDue marks the approved posts whose publish time has come, and
	// that no crisis pause holds back, as live and returns them.
	PublishDue(ctx context.Context) ([]post.Post, error)
	// ExpireDue marks the posts whose expiry has come as expired and
	// returns them.
	ExpireDue(ctx context.Context) ([]post.Post, error)
}

// Job publishes and expires posts.
type Job struct {
	Store  Store
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
