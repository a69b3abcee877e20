package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// Digest queues the email digest of new posts: for each active person who
// chose a daily or weekly digest, once per period (a UTC day, or an ISO
// week starting on Monday), one mail listing the posts targeted to them
// that went live since their last digest. A period without new posts sends
// nothing but is still recorded, so the next digest starts where it left
// off. Mail goes to the outbox with the dedupe key "digest:<user>:<period>",
// and each period is recorded per person in the same transaction, so
// running the job again, or on two instances at once, never sends a
// digest twice.
type Digest struct {
	Store   *store.Store
	BaseURL string       // the portal's public address, without a trailing slash
	Logger  *slog.Logger // nil: no logging
	Now     func() time.Time
	Notify  func() // called after mail was queued, to wake the mail worker; may be nil

	wake job.Waker

	// Stats counts passes and failed passes, for /metrics.
	Stats job.Stats
}

// MaxDigestPosts is how many posts one digest lists; the rest are counted
// and left to the feed.
const MaxDigestPosts = 20

// Wake makes Run do a pass now instead of at its next tick. It never
// blocks; it is safe from any goroutine.
func (j *Digest) Wake() {
	j.wake.Wake()
}

// Run runs the job at once, then every interval and whenever woken, until
// ctx is done. Errors are logged and the next run tries again.
func (j *Digest) Run(ctx context.Context, interval time.Duration) {
	job.Loop(ctx, interval, &j.wake, func(ctx context.Context) {
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
		var mail *store.Mail
		if len(posts) > 0 {
			m := j.message(r, posts)
			m.DedupeKey = fmt.Sprintf("digest:%d:%s", r.UserID, period)
			mail = &m
		}
		recorded, err := j.Store.RecordDigest(ctx, r.UserID, period, now, mail)
		if err != nil {
			return queued, err
		}
		if recorded && mail != nil {
			queued++
		}
	}
	if queued > 0 && j.Notify != nil {
		j.Notify()
	}
	return queued, nil
}

// PeriodKey names the digest period that t falls in: "day:2026-11-05" for
// a daily digest, "week:2026-W45" (ISO week, from Monday, in UTC) for a
// weekly one, "" for none.
func PeriodKey(d store.Digest, t time.Time) string {
	t = t.UTC()
	switch d {
	case store.DigestDaily:
		return "day:" + t.Format(time.DateOnly)
	case store.DigestWeekly:
		year, week := t.ISOWeek()
		return fmt.Sprintf("week:%04d-W%02d", year, week)
	}
	return ""
}

// periodLength is how far back a person's first digest looks.
func periodLength(d store.Digest) time.Duration {
	if d == store.DigestDaily {
		return 24 * time.Hour
	}
	return 7 * 24 * time.Hour
}

// message writes the digest mail for r, in their language (Dutch for nl,
// else English), listing posts newest first.
func (j *Digest) message(r store.DigestRecipient, posts []post.Post) store.Mail {
	dutch := r.Language == "nl" || strings.HasPrefix(r.Language, "nl-")
	feed := j.BaseURL + "/feed"
	var list strings.Builder
	for _, p := range posts[:min(len(posts), MaxDigestPosts)] {
		fmt.Fprintf(&list, "- %s\n", oneLine(p.Title))
	}
	more := len(posts) - MaxDigestPosts
	m := store.Mail{To: r.Email, Kind: "digest"}
	switch {
	case dutch:
		m.Subject = fmt.Sprintf("Nieuw om te delen: %d %s", len(posts), plural(len(posts), "post", "posts"))
		if r.Digest == store.DigestDaily {
			m.Body = fmt.Sprintf("Hallo %s,\n\nSinds je vorige overzicht staan er nieuwe posts voor je klaar:\n\n", r.Name)
		} else {
			m.Body = fmt.Sprintf("Hallo %s,\n\nDit is je wekelijkse overzicht. Sinds het vorige staan er nieuwe posts voor je klaar:\n\n", r.Name)
		}
		m.Body += list.String()
		if more > 0 {
			m.Body += fmt.Sprintf("- en nog %d in de feed\n", more)
		}
		m.Body += fmt.Sprintf("\nDeel ze in je eigen woorden vanuit de feed:\n%s\n\nDelen is vrijwillig. Je kunt dit overzicht in je profiel dagelijks of wekelijks laten komen, of uitzetten:\n%s/profile\n", feed, j.BaseURL)
	default:
		m.Subject = fmt.Sprintf("New to share: %d %s", len(posts), plural(len(posts), "post", "posts"))
		if r.Digest == store.DigestDaily {
			m.Body = fmt.Sprintf("Hello %s,\n\nThere are new posts for you since your last digest:\n\n", r.Name)
		} else {
			m.Body = fmt.Sprintf("Hello %s,\n\nThis is your weekly digest. There are new posts for you since the last one:\n\n", r.Name)
		}
		m.Body += list.String()
		if more > 0 {
			m.Body += fmt.Sprintf("- and %d more in the feed\n", more)
		}
		m.Body += fmt.Sprintf("\nShare them in your own words from the feed:\n%s\n\nSharing is voluntary. You can get this digest daily or weekly, or turn it off, on your profile:\n%s/profile\n", feed, j.BaseURL)
	}
	return m
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// oneLine keeps a title on one line of the plain-text mail.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (j *Digest) logger() *slog.Logger {
	if j.Logger != nil {
		return j.Logger
	}
	return slog.New(slog.DiscardHandler)
}
