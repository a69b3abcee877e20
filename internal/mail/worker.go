package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
)

// Worker drains the outbox in the background: it claims due messages in
// batches, sends each through Sender, and records the outcome. A failed
// message is retried later with growing delays and is never dropped.
//
// Several portal instances may run a Worker against one database: claiming
// leases messages so that each goes out once (at least once, should an
// instance stall past the lease). Set the fields before calling Run and do
// not change them afterwards. Zero values take the defaults noted.
type Worker struct {
	Store       Outbox
	Sender      Sender       // nil: no SMTP configured, mail stays in the outbox
	Logger      *slog.Logger // nil: no logging
	Interval    time.Duration
	Batch       int           // messages per pass; default 20
	SendTimeout time.Duration // per message; default 30s

	// Now, if not nil, replaces time.Now for computing retry times; give it
	// the same clock as the store.
	Now func() time.Time

	// Stats counts passes and failed passes, for /metrics.
	Stats job.Stats
}

// Defaults for a Worker's zero fields.
const (
	DefaultInterval    = time.Minute
	DefaultBatch       = 20
	DefaultSendTimeout = 30 * time.Second
)

// retryDelays are the waits after the first, second, ... failed send; after
// the last, every further retry waits retryForever.
var retryDelays = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}

const retryForever = 6 * time.Hour

// retryDelay is how long to wait after a message's nth failed send (n >= 1).
func retryDelay(n int) time.Duration {
	if n >= 1 && n <= len(retryDelays) {
		return retryDelays[n-1]
	}
	if n < 1 {
		return retryDelays[0]
	}
	return retryForever
}

// maxErrorLen bounds the failure reason kept in the outbox.
const maxErrorLen = 500

// Run sends mail until ctx is done: at once, then every Interval, and
// promptly whenever the store committed mail (Store.MailQueued) or Wake
// was called. While passes fill a whole batch it keeps going. Run one
// Worker per Store: they share the store's wake-up.
func (w *Worker) Run(ctx context.Context) {
	interval := w.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	job.Loop(ctx, interval, w.Store.MailQueued(), w.drain)
}

// drain runs passes until one finds less than a full batch.
func (w *Worker) drain(ctx context.Context) {
	job.Drain(ctx, w.batch(), &w.Stats, w.RunOnce, func(err error) {
		w.logger().Error("mail: outbox pass", "err", err)
	})
}

// Wake asks Run for a pass now. The store already wakes Run whenever it
// queued mail; this is for anything else that makes mail due. It never
// blocks and is safe from any goroutine; wake-ups made while a pass runs
// fold into one more pass.
func (w *Worker) Wake() { w.Store.MailQueued().Wake() }

// RunOnce claims one batch of due messages and tries to send each, marking
// it sent or failed (job.Deliver). With a nil Sender it does nothing. err
// reports a store failure; a message whose outcome could not be recorded
// is tried again when its lease runs out.
func (w *Worker) RunOnce(ctx context.Context) (sent, failed int, err error) {
	if w.Sender == nil {
		return 0, 0, nil
	}
	timeout := w.SendTimeout
	if timeout <= 0 {
		timeout = DefaultSendTimeout
	}
	return job.Deliver[Mail](ctx, outbox{w}, job.Delivery{Batch: w.batch(), Timeout: timeout, Now: w.now})
}

// outbox is the store's outbox as job.Deliver works through it.
type outbox struct{ w *Worker }

func (o outbox) Claim(ctx context.Context, n int, lease time.Duration) ([]Mail, error) {
	return o.w.Store.ClaimMail(ctx, n, lease)
}

func (o outbox) Send(ctx context.Context, m Mail) error {
	return o.w.Sender.Send(ctx, Message{To: m.To, ToName: m.ToName, Subject: m.Subject, Body: m.Body,
		HTML: m.HTML, Lang: m.Lang, Unsubscribe: m.Unsubscribe})
}

func (o outbox) MarkSent(ctx context.Context, m Mail) error {
	return o.w.Store.MarkMailSent(ctx, m.ID)
}

func (o outbox) MarkFailed(ctx context.Context, m Mail, attempt int, err error, retryAt time.Time) error {
	o.w.logger().Warn("mail: send failed", "id", m.ID, "kind", m.Kind,
		"attempt", attempt, "retry_at", retryAt, "err", err)
	return o.w.Store.MarkMailFailed(ctx, m.ID, truncate(err.Error(), maxErrorLen), retryAt)
}

func (outbox) Attempts(m Mail) int { return m.Attempts }

func (outbox) RetryDelay(n int) time.Duration { return retryDelay(n) }

func (w *Worker) batch() int {
	if w.Batch <= 0 {
		return DefaultBatch
	}
	return w.Batch
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
