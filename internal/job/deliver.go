package job

import (
	"context"
	"errors"
	"time"
)

// A Courier is one kind of queued item the portal sends, such as mail or
// webhook deliveries, as Deliver needs it: where the items wait, how one
// is sent, and how its outcome is kept. The queue is shared by every
// instance of the portal; Claim leases items so that each goes out once.
type Courier[T any] interface {
	// Claim leases up to n items that are due, for lease: no other claim
	// returns them until the lease ends or they are marked.
	Claim(ctx context.Context, n int, lease time.Duration) ([]T, error)
	// Send tries to send item; ctx carries the per-item timeout.
	Send(ctx context.Context, item T) error
	// MarkSent records that item went out.
	MarkSent(ctx context.Context, item T) error
	// MarkFailed records that try number attempt (1 for the first) of
	// item failed with err and that it is due again at retryAt. What it
	// keeps and logs of err is the courier's to decide.
	MarkFailed(ctx context.Context, item T, attempt int, err error, retryAt time.Time) error
	// Attempts is how many tries of item failed before this one.
	Attempts(item T) int
	// RetryDelay is how long to wait after the nth failed try (n >= 1).
	RetryDelay(n int) time.Duration
}

// Delivery is how Deliver works through a queue.
type Delivery struct {
	Batch   int              // items claimed per pass; must be positive
	Timeout time.Duration    // per send; must be positive
	Now     func() time.Time // for retry times; nil means time.Now
}

// Lease is how long a pass holds its claim. Items are sent one after
// another, so it covers a whole batch of timeouts, with a minute to spare.
func (d Delivery) Lease() time.Duration {
	return time.Duration(d.Batch)*d.Timeout + time.Minute
}

func (d Delivery) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Deliver makes one pass over c's queue: it claims a batch of due items
// and sends each within the timeout, marking it sent, or failed and due
// again after the courier's retry delay for its number of failures. A
// failed item is never dropped.
//
// It reports how many items were sent and how many failed; err reports a
// failure to claim or mark (a failed send is not an error of the pass).
// An item whose outcome could not be marked is tried again once its lease
// ends. When ctx ends, the items not yet tried stay leased until then,
// and the outcome of a send already made is still marked, so that an item
// that went out is not sent again after a restart.
func Deliver[T any](ctx context.Context, c Courier[T], d Delivery) (sent, failed int, err error) {
	items, err := c.Claim(ctx, d.Batch, d.Lease())
	if err != nil {
		return 0, 0, err
	}
	var errs []error
	for _, item := range items {
		if ctx.Err() != nil {
			break // the rest go out once their lease ends
		}
		sendCtx, cancel := context.WithTimeout(ctx, d.Timeout)
		sendErr := c.Send(sendCtx, item)
		cancel()
		markCtx := context.WithoutCancel(ctx)
		if sendErr == nil {
			sent++
			if err := c.MarkSent(markCtx, item); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		failed++
		attempt := c.Attempts(item) + 1
		if err := c.MarkFailed(markCtx, item, attempt, sendErr, d.now().Add(c.RetryDelay(attempt))); err != nil {
			errs = append(errs, err)
		}
	}
	return sent, failed, errors.Join(errs...)
}

// Drain calls pass until a pass fails, tries fewer than batch items (the
// queue is drained), or ctx ends. Each pass is counted in stats, and the
// error of a failed one is given to report unless ctx ended meanwhile.
// pass is a Deliver pass, or one that may skip it.
func Drain(ctx context.Context, batch int, stats *Stats, pass func(context.Context) (sent, failed int, err error), report func(error)) {
	for ctx.Err() == nil {
		sent, failed, err := pass(ctx)
		stats.Record(err)
		if err != nil && ctx.Err() == nil {
			report(err)
		}
		if err != nil || sent+failed < batch {
			return
		}
	}
}
