package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/mail/letter"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
)

// DigestStore is what Digest needs of storage: who chose a digest and where
// their last one left off, the posts to list, the pauses in force, and a
// way to record a period and queue its mail at once.
type DigestStore interface {
	// DigestRecipients returns every active person whose digest is daily
	// or weekly, by id.
	DigestRecipients(ctx context.Context) ([]DigestRecipient, error)
	// ActivePauses returns the crisis pauses in force.
	ActivePauses(ctx context.Context) ([]pause.Pause, error)
	// DigestPosts returns the posts targeted to the user that went live
	// after after and no later than until and are still live at until,
	// newest first.
	DigestPosts(ctx context.Context, userID int64, after, until time.Time) ([]post.Post, error)
	// RecordDigest records that the user's digest for period covered
	// posts up to until and, if digest is not nil, queues it in the same
	// transaction. If the period was already recorded for the user,
	// nothing changes and recorded is false.
	RecordDigest(ctx context.Context, userID int64, period string, until time.Time, digest *mail.Mail) (recorded bool, err error)
	// DigestUnsubscribeToken returns the token of the user's one-click
	// link that turns their digest off.
	DigestUnsubscribeToken(ctx context.Context, userID int64) (string, error)
}

// DigestRecipient is an active person who chose a daily or weekly email
// digest, with where their last digest left off: LastPeriod (a PeriodKey)
// is "" and CoveredUntil zero before their first.
type DigestRecipient struct {
	UserID       int64
	Email        string
	Name         string
	Language     string
	Digest       account.Digest
	LastPeriod   string
	CoveredUntil time.Time
}

// Digest queues the email digest of new posts: for each active person who
// chose a daily or weekly digest, once per period (a UTC day, or an ISO
// week starting on Monday), one mail listing the posts targeted to them
// that went live since their last digest, in their language, with a
// one-click link that turns the digest off (List-Unsubscribe). A period
// without new posts sends nothing but is still recorded, so the next digest
// starts where it left off. Mail goes to the outbox with the dedupe key
// "digest:<user>:<period>", and each period is recorded per person in the
// same transaction, so running the job again, or on two instances at once,
// never sends a digest twice. The store wakes the mail worker.
type Digest struct {
	Store   DigestStore
	BaseURL string       // the portal's public address, without a trailing slash
	Logger  *slog.Logger // nil: no logging
	Now     func() time.Time

	// Stats counts passes and failed passes, for /metrics.
	Stats job.Stats
}

// MaxDigestPosts is how many posts one digest lists; the rest are counted
// and left to the feed.
const MaxDigestPosts = 20

// Run runs the job at once, then every interval, until ctx is done.
// Errors are logged and the next run tries again.
func (j *Digest) Run(ctx context.Context, interval time.Duration) {
	job.Loop(ctx, interval, nil, func(ctx context.Context) {
		n, err := j.RunOnce(ctx)
		j.Stats.Record(err)
		if err != nil && ctx.Err() == nil {
			j.logger().Error("notify: email digest failed", "err", err)
		} else if n > 0 {
			j.logger().Info("notify: email digests queued", "mails", n)
		}
	})
}

// RunOnce handles every person whose digest period is due and returns how
// many mails it queued.
func (j *Digest) RunOnce(ctx context.Context) (int, error) {
	now := time.Now()
	if j.Now != nil {
		now = j.Now()
	}
	now = now.UTC()
	recipients, err := j.Store.DigestRecipients(ctx)
	if err != nil {
		return 0, err
	}
	pauses, err := j.Store.ActivePauses(ctx) // posts under a crisis pause are left out
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, r := range recipients {
		if ctx.Err() != nil {
			break
		}
		period := PeriodKey(r.Digest, now)
		if period == "" || period == r.LastPeriod {
			continue
		}
		since := r.CoveredUntil
		if since.IsZero() {
			since = now.Add(-periodLength(r.Digest))
		}
		posts, err := j.Store.DigestPosts(ctx, r.UserID, since, now)
		if err != nil {
			return queued, err
		}
		posts = pause.Without(pauses, posts)
		var digest *mail.Mail
		if len(posts) > 0 {
			m, err := j.message(ctx, r, posts)
			if err != nil {
				return queued, err
			}
			m.DedupeKey = fmt.Sprintf("digest:%d:%s", r.UserID, period)
			digest = &m
		}
		recorded, err := j.Store.RecordDigest(ctx, r.UserID, period, now, digest)
		if err != nil {
			return queued, err
		}
		if recorded && digest != nil {
			queued++
		}
	}
	return queued, nil
}

// PeriodKey names the digest period that t falls in: "day:2026-11-05" for
// a daily digest, "week:2026-W45" (ISO week, from Monday, in UTC) for a
// weekly one, "" for none.
func PeriodKey(d account.Digest, t time.Time) string {
	t = t.UTC()
	switch d {
	case account.DigestDaily:
		return "day:" + t.Format(time.DateOnly)
	case account.DigestWeekly:
		year, week := t.ISOWeek()
		return fmt.Sprintf("week:%04d-W%02d", year, week)
	}
	return ""
}

// periodLength is how far back a person's first digest looks.
func periodLength(d account.Digest) time.Duration {
	if d == account.DigestDaily {
		return 24 * time.Hour
	}
	return 7 * 24 * time.Hour
}

// UnsubscribePath is where the digest's one-click unsubscribe links point,
// followed by the person's token (DigestStore.DigestUnsubscribeToken).
const UnsubscribePath = "/unsubscribe/"

// message writes the digest mail for r, in their language, listing posts
// newest first.
func (j *Digest) message(ctx context.Context, r DigestRecipient, posts []post.Post) (mail.Mail, error) {
	token, err := j.Store.DigestUnsubscribeToken(ctx, r.UserID)
	if err != nil {
		return mail.Mail{}, err
	}
	d := letter.Digest{Name: r.Name, Weekly: r.Digest == account.DigestWeekly, More: len(posts) - MaxDigestPosts,
		FeedURL: j.BaseURL + "/feed", ProfileURL: j.BaseURL + "/profile", UnsubscribeURL: j.BaseURL + UnsubscribePath + token}
	for _, p := range posts[:min(len(posts), MaxDigestPosts)] {
		d.Titles = append(d.Titles, p.Title)
	}
	m := mail.FromLetter("digest", r.Email, r.Name, d.Write(letter.Lang(r.Language)))
	m.Unsubscribe = d.UnsubscribeURL
	return m, nil
}

func (j *Digest) logger() *slog.Logger {
	if j.Logger != nil {
		return j.Logger
	}
	return slog.New(slog.DiscardHandler)
}
