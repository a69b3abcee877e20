package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/webhook"
)

// DeliveryQueue is the queue of webhook deliveries a Worker drains; the
// store implements it. Claiming leases the deliveries it returns, so that
// two workers on one database do not send the same one; a delivery
// neither marked delivered nor failed is claimable again once its lease
// ends.
type DeliveryQueue interface {
	// ClaimWebhookDeliveries leases up to limit unsent deliveries due now
	// for lease, longest waiting first.
	ClaimWebhookDeliveries(ctx context.Context, limit int, lease time.Duration) ([]webhook.Delivery, error)
	// MarkWebhookDelivered records that delivery id was accepted.
	MarkWebhookDelivered(ctx context.Context, id int64) error
	// MarkWebhookFailed records why delivery id failed and when to try it
	// again.
	MarkWebhookFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error
}

// Worker sends queued webhook deliveries in the background: it claims due
// deliveries in batches, posts each one's JSON to its webhook, and records
// the outcome. A 2xx answer means sent; anything else is retried later with
// growing delays, forever: a delivery is never dropped.
//
// Several portal instances may run a Worker against one database: claiming
// leases deliveries so that each goes out once (at least once, should an
// instance stall past the lease). Set the fields before calling Run and do
// not change them afterwards. Zero values take the defaults noted.
type Worker struct {
	Store DeliveryQueue
	// Client posts the deliveries; nil means a plain http.Client. Redirects
	// are never followed whatever the client says: a webhook answers itself.
	Client   *http.Client
	Logger   *slog.Logger  // nil: no logging
	Interval time.Duration // between passes; default 1 minute
	Batch    int           // deliveries per pass; default 20
	Timeout  time.Duration // per delivery; default 10 seconds

	// Now, if not nil, replaces time.Now for computing retry times; give it
	// the same clock as the store.
	Now func() time.Time

	wake job.Waker

	// Stats counts passes and failed passes, for /metrics.
	Stats      job.Stats
	clientOnce sync.Once
	client     *http.Client
}

// Defaults for a Worker's zero fields.
const (
	DefaultInterval = time.Minute
	DefaultBatch    = 20
	DefaultTimeout  = 10 * time.Second
)

// retryDelays are the waits after the first, second, ... failed try; after
// the last, every further retry waits as long as the last.
var retryDelays = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// RetryDelay is how long a delivery waits after its nth failed try (n >= 1):
// 1 minute, 5 minutes, 30 minutes, 2 hours, then 6 hours every time.
func RetryDelay(n int) time.Duration {
	switch {
	case n < 1:
		return retryDelays[0]
	case n > len(retryDelays):
		return retryDelays[len(retryDelays)-1]
	}
	return retryDelays[n-1]
}

// maxErrorLen bounds the failure reason kept with a delivery, and
// maxBodyRead how much of a refusal's body is read to explain it.
const (
	maxErrorLen = 300
	maxBodyRead = 4 << 10
)

// Run sends deliveries until ctx is done: at once, then every Interval, and
// promptly after Wake. While passes fill a whole batch it keeps going.
func (w *Worker) Run(ctx context.Context) {
	interval := w.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	job.Loop(ctx, interval, &w.wake, w.drain)
}

// drain runs passes until one finds less than a full batch.
func (w *Worker) drain(ctx context.Context) {
	job.Drain(ctx, w.batch(), &w.Stats, w.RunOnce, func(err error) {
		w.logger().Error("notify: webhook pass", "err", err)
	})
}

// Wake asks Run for a pass now, e.g. after Announce queued deliveries. It
// never blocks and is safe from any goroutine; wake-ups made while a pass
// runs fold into one more pass.
func (w *Worker) Wake() {
	w.wake.Wake()
}

// RunOnce claims one batch of due deliveries and tries each, marking it
// sent or failed (job.Deliver). err reports a store failure; a delivery
// whose outcome could not be recorded is tried again when its lease runs
// out.
func (w *Worker) RunOnce(ctx context.Context) (sent, failed int, err error) {
	return job.Deliver[webhook.Delivery](ctx, deliveries{w}, job.Delivery{Batch: w.batch(), Timeout: w.timeout(), Now: w.now})
}

// deliveries are the queued webhook deliveries as job.Deliver works
// through them.
type deliveries struct{ w *Worker }

func (q deliveries) Claim(ctx context.Context, n int, lease time.Duration) ([]webhook.Delivery, error) {
	return q.w.Store.ClaimWebhookDeliveries(ctx, n, lease)
}

func (q deliveries) Send(ctx context.Context, d webhook.Delivery) error {
	return q.w.post(ctx, d, q.w.timeout())
}

func (q deliveries) MarkSent(ctx context.Context, d webhook.Delivery) error {
	return q.w.Store.MarkWebhookDelivered(ctx, d.ID)
}

func (q deliveries) MarkFailed(ctx context.Context, d webhook.Delivery, attempt int, err error, retryAt time.Time) error {
	reason := truncate(redact(err.Error(), d.URL), maxErrorLen)
	q.w.logger().Warn("notify: webhook delivery failed", "id", d.ID, "target", string(d.Target),
		"key", d.DedupeKey, "attempt", attempt, "retry_at", retryAt, "err", reason)
	return q.w.Store.MarkWebhookFailed(ctx, d.ID, reason, retryAt)
}

func (deliveries) Attempts(d webhook.Delivery) int { return d.Attempts }

func (deliveries) RetryDelay(n int) time.Duration { return RetryDelay(n) }

// post sends one delivery and reports why it was not accepted; ctx bounds
// it, and timeout is that bound, for the message. The error never holds
// the URL: the client's *url.Error, which quotes it, is unwrapped.
func (w *Worker) post(ctx context.Context, d webhook.Delivery, timeout time.Duration) error {
	if d.URL == "" {
		return errors.New("no webhook URL is configured for " + d.Target.Label())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return errors.New("the webhook URL cannot be used; an admin should set it again")
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "advocacy-portal")
	resp, err := w.httpClient().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("no answer within %s", timeout)
		}
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodyRead))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	msg := fmt.Sprintf("the webhook answered %s", resp.Status)
	if text := strings.Join(strings.Fields(string(body)), " "); text != "" {
		msg += ": " + truncate(text, 200)
	}
	return errors.New(msg)
}

// httpClient is Client (or a default one) that never follows redirects,
// so a payload goes nowhere but the configured webhook.
func (w *Worker) httpClient() *http.Client {
	w.clientOnce.Do(func() {
		c := http.Client{}
		if w.Client != nil {
			c = *w.Client
		}
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		w.client = &c
	})
	return w.client
}

func (w *Worker) batch() int {
	if w.Batch <= 0 {
		return DefaultBatch
	}
	return w.Batch
}

func (w *Worker) timeout() time.Duration {
	if w.Timeout <= 0 {
		return DefaultTimeout
	}
	return w.Timeout
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

// redact removes the webhook URL, and its path and query on their own,
// from a message, should anything have quoted them.
func redact(msg, webhookURL string) string {
	if webhookURL == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, webhookURL, "[webhook URL]")
	if u, err := url.Parse(webhookURL); err == nil {
		for _, part := range []string{u.RequestURI(), u.RawQuery, u.EscapedPath()} {
			if len(part) > 1 {
				msg = strings.ReplaceAll(msg, part, "[redacted]")
			}
		}
	}
	return msg
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
