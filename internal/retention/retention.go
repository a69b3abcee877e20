// Package retention deletes what the portal no longer needs to keep: raw
// click rows older than the retention period (the per-link per-day rollups
// keep their counts, so no figure changes), expired sessions, sign-ins
// abandoned at the identity provider, and visitor salts and hashes older
// than the previous day. It is safe with several portal instances on one
// database: every deletion can run twice, and the clicks go in short
// batches so the redirect path's writer is never held up for long.
package retention

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
)

// Day is 24 hours, the unit retention periods are given in.
const Day = 24 * time.Hour

// Defaults for a Job's zero fields.
const (
	DefaultClickRetention = 400 * Day
	DefaultBatch          = 2000
	DefaultPause          = 20 * time.Millisecond
	// LoginStateMaxAge is how long a sign-in in progress is kept: well past
	// the ten minutes the sign-in callback accepts.
	LoginStateMaxAge = time.Hour
)

// Store is what the job needs of storage. Each deletion may run twice, or
// on two instances at once, without harm.
type Store interface {
	// DeleteClicksBefore deletes, in one short transaction, raw clicks
	// recorded before cutoff among the batch oldest, and returns how many;
	// fewer than batch means none are left. The per-day rollups keep
	// their counts.
	DeleteClicksBefore(ctx context.Context, cutoff time.Time, batch int) (int64, error)
	// PurgeExpired deletes the sessions expired at now, the sign-ins
	// started before loginStatesBefore and the visitor salts of UTC days
	// before the day of keepSaltsFrom.
	PurgeExpired(ctx context.Context, now, loginStatesBefore, keepSaltsFrom time.Time) (Purged, error)
}

// Purged counts what Store.PurgeExpired deleted.
type Purged struct {
	Sessions    int64 // expired sessions
	LoginStates int64 // sign-ins abandoned before the identity provider called back
	Salts       int64 // visitor salts of days before the previous one
}

// Job is the retention job. Set Store and Logger; the rest has defaults.
type Job struct {
	Store          Store
	Logger         *slog.Logger
	ClickRetention time.Duration    // raw clicks older than this are deleted; DefaultClickRetention if 0
	Batch          int              // clicks deleted per transaction; DefaultBatch if 0
	Pause          time.Duration    // between batches, so other writers get in; DefaultPause if 0
	Now            func() time.Time // time.Now if nil

	// Stats counts passes and failed passes, for /metrics.
	Stats job.Stats
}

// Result is what one pass deleted.
type Result struct {
	Clicks int64
	Purged
}

// RunOnce deletes the raw clicks older than the retention period, batch by
// batch, then the expired sessions, abandoned sign-ins and old visitor
// salts. It stops early, with what it did so far, when ctx is done.
func (j *Job) RunOnce(ctx context.Context) (Result, error) {
	var r Result
	now := time.Now()
	if j.Now != nil {
		now = j.Now()
	}
	keep, batch, pause := cmp.Or(j.ClickRetention, DefaultClickRetention), cmp.Or(j.Batch, DefaultBatch), cmp.Or(j.Pause, DefaultPause)
	cutoff := now.Add(-keep)
	for {
		n, err := j.Store.DeleteClicksBefore(ctx, cutoff, batch)
		r.Clicks += n
		if err != nil {
			return r, fmt.Errorf("retention: %w", err)
		}
		if n < int64(batch) {
			break
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(pause):
		}
	}
	yesterday := now.UTC().Truncate(Day).Add(-Day)
	purged, err := j.Store.PurgeExpired(ctx, now, now.Add(-LoginStateMaxAge), yesterday)
	if err != nil {
		return r, fmt.Errorf("retention: %w", err)
	}
	r.Purged = purged
	return r, nil
}

// Run runs a pass at once, then every interval, until ctx is done.
func (j *Job) Run(ctx context.Context, interval time.Duration) {
	job.Loop(ctx, interval, nil, func(ctx context.Context) {
		r, err := j.RunOnce(ctx)
		j.Stats.Record(err)
		if err != nil && ctx.Err() == nil {
			j.Logger.Error("retention failed", "err", err)
		} else if r.Clicks+r.Sessions+r.LoginStates+r.Salts > 0 {
			j.Logger.Info("retention deleted old data", "clicks", r.Clicks, "sessions", r.Sessions,
				"login_states", r.LoginStates, "visitor_salts", r.Salts)
		}
	})
}

// ParsePeriod reads a retention period: a number of days ("400" or "400d")
// or a Go duration ("9600h"). It must be at least one day.
func ParsePeriod(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil {
		if days > 100*365 {
			return 0, fmt.Errorf("%q is more than a hundred years", s)
		}
		d = time.Duration(days) * Day
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, fmt.Errorf("%q is not a number of days (like 400d) or a duration (like 9600h)", s)
	}
	if d < Day {
		return 0, fmt.Errorf("%q is shorter than one day", s)
	}
	return d, nil
}
