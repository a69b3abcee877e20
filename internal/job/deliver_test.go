package job

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// item is a queued thing for fakeCourier: its id and how many of its
// tries failed before.
type item struct {
	id       int
	attempts int
}

// failure is what fakeCourier.MarkFailed was told.
type failure struct {
	id, attempt int
	err         error
	retryAt     time.Time
}

// fakeCourier keeps its queue in memory and records what Deliver asked of
// it. sendErr decides each send; markErr, if set, fails every mark.
type fakeCourier struct {
	queue    []item
	claimErr error
	sendErr  func(item) error
	markErr  error
	onSend   func(ctx context.Context, it item) // called before each send returns

	claimedN     int
	claimedLease time.Duration
	sent         []int
	sendDeadline []time.Duration // time left on each send's context
	marked       []int
	failures     []failure
	markCtxDone  []bool // whether each mark's context was already done
}

func (f *fakeCourier) Claim(_ context.Context, n int, lease time.Duration) ([]item, error) {
	f.claimedN, f.claimedLease = n, lease
	if f.claimErr != nil {
		return nil, f.claimErr
	}
	k := min(n, len(f.queue))
	claimed := slices.Clone(f.queue[:k])
	f.queue = f.queue[k:]
	return claimed, nil
}

func (f *fakeCourier) Send(ctx context.Context, it item) error {
	f.sent = append(f.sent, it.id)
	if d, ok := ctx.Deadline(); ok {
		f.sendDeadline = append(f.sendDeadline, time.Until(d))
	} else {
		f.sendDeadline = append(f.sendDeadline, 0)
	}
	if f.onSend != nil {
		f.onSend(ctx, it)
	}
	if f.sendErr != nil {
		return f.sendErr(it)
	}
	return nil
}

func (f *fakeCourier) MarkSent(ctx context.Context, it item) error {
	f.markCtxDone = append(f.markCtxDone, ctx.Err() != nil)
	if f.markErr != nil {
		return f.markErr
	}
	f.marked = append(f.marked, it.id)
	return nil
}

func (f *fakeCourier) MarkFailed(ctx context.Context, it item, attempt int, err error, retryAt time.Time) error {
	f.markCtxDone = append(f.markCtxDone, ctx.Err() != nil)
	if f.markErr != nil {
		return f.markErr
	}
	f.failures = append(f.failures, failure{id: it.id, attempt: attempt, err: err, retryAt: retryAt})
	return nil
}

func (f *fakeCourier) Attempts(it item) int { return it.attempts }

// RetryDelay is n hours, so that a test sees which attempt it was asked for.
func (f *fakeCourier) RetryDelay(n int) time.Duration { return time.Duration(n) * time.Hour }

var (
	errRefused = errors.New("refused")
	errDisk    = errors.New("disk full")
	t0         = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

func TestDeliver(t *testing.T) {
	failOdd := func(it item) error {
		if it.id%2 == 1 {
			return errRefused
		}
		return nil
	}
	tests := []struct {
		name        string
		queue       []item
		batch       int
		sendErr     func(item) error
		claimErr    error
		markErr     error
		wantSent    int
		wantFailed  int
		wantErr     error
		wantTried   []int
		wantMarked  []int
		wantFailure []failure
	}{
		{name: "every item goes out", queue: []item{{id: 2}, {id: 4}}, batch: 5,
			wantSent: 2, wantTried: []int{2, 4}, wantMarked: []int{2, 4}},
		{name: "a pass takes one batch", queue: []item{{id: 2}, {id: 4}, {id: 6}}, batch: 2,
			wantSent: 2, wantTried: []int{2, 4}, wantMarked: []int{2, 4}},
		{name: "a failed send is retried after the delay for its attempt", batch: 5, sendErr: failOdd,
			queue:    []item{{id: 1, attempts: 0}, {id: 2}, {id: 3, attempts: 4}},
			wantSent: 1, wantFailed: 2, wantTried: []int{1, 2, 3}, wantMarked: []int{2},
			wantFailure: []failure{{id: 1, attempt: 1, err: errRefused, retryAt: t0.Add(time.Hour)},
				{id: 3, attempt: 5, err: errRefused, retryAt: t0.Add(5 * time.Hour)}}},
		{name: "a failed claim sends nothing", queue: []item{{id: 2}}, batch: 5, claimErr: errDisk,
			wantErr: errDisk},
		{name: "a failed mark is reported and the pass goes on", queue: []item{{id: 1}, {id: 2}}, batch: 5,
			sendErr: failOdd, markErr: errDisk,
			wantSent: 1, wantFailed: 1, wantErr: errDisk, wantTried: []int{1, 2}},
		{name: "an empty queue", batch: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeCourier{queue: tt.queue, sendErr: tt.sendErr, claimErr: tt.claimErr, markErr: tt.markErr}
			d := Delivery{Batch: tt.batch, Timeout: 10 * time.Second, Now: func() time.Time { return t0 }}
			sent, failed, err := Deliver[item](context.Background(), f, d)
			if sent != tt.wantSent || failed != tt.wantFailed || !errors.Is(err, tt.wantErr) {
				t.Errorf("Deliver = sent %d, failed %d, %v; want %d, %d, %v", sent, failed, err, tt.wantSent, tt.wantFailed, tt.wantErr)
			}
			if f.claimedN != tt.batch || f.claimedLease != time.Duration(tt.batch)*10*time.Second+time.Minute {
				t.Errorf("claimed %d for %v, want %d for a batch of timeouts and a minute", f.claimedN, f.claimedLease, tt.batch)
			}
			if !slices.Equal(f.sent, tt.wantTried) {
				t.Errorf("tried %v, want %v", f.sent, tt.wantTried)
			}
			if !slices.Equal(f.marked, tt.wantMarked) {
				t.Errorf("marked sent %v, want %v", f.marked, tt.wantMarked)
			}
			if !slices.Equal(f.failures, tt.wantFailure) {
				t.Errorf("marked failed %+v, want %+v", f.failures, tt.wantFailure)
			}
			for i, left := range f.sendDeadline {
				if left <= 0 || left > 10*time.Second {
					t.Errorf("send %d had %v left, want the 10s timeout", i, left)
				}
			}
		})
	}
}

// TestDeliverStopsWithItsContext checks that a pass stops trying once its
// context ends, yet still marks the outcome of the send it made.
func TestDeliverStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fakeCourier{queue: []item{{id: 1}, {id: 2}, {id: 3}}}
	f.onSend = func(_ context.Context, it item) {
		if it.id == 1 {
			cancel() // e.g. SIGTERM while the first item is sent
		}
	}
	sent, failed, err := Deliver[item](ctx, f, Delivery{Batch: 3, Timeout: time.Second})
	if sent != 1 || failed != 0 || err != nil {
		t.Fatalf("Deliver = sent %d, failed %d, %v; want the one in flight sent", sent, failed, err)
	}
	if !slices.Equal(f.sent, []int{1}) || !slices.Equal(f.marked, []int{1}) {
		t.Errorf("tried %v and marked %v, want only item 1 both", f.sent, f.marked)
	}
	if !slices.Equal(f.markCtxDone, []bool{false}) {
		t.Errorf("mark contexts done: %v, want the mark made with a live context", f.markCtxDone)
	}
}

func TestDrain(t *testing.T) {
	tests := []struct {
		name         string
		passes       [][3]int // sent, failed, 1 for an error
		wantPasses   int
		wantFailures int64
		wantReported int
	}{
		{"one short pass", [][3]int{{1, 0, 0}}, 1, 0, 0},
		{"full passes go on until a short one", [][3]int{{2, 0, 0}, {1, 1, 0}, {1, 0, 0}, {2, 0, 0}}, 3, 0, 0},
		{"a failed pass stops and is reported", [][3]int{{2, 0, 0}, {2, 0, 1}, {2, 0, 0}}, 2, 1, 1},
		{"an empty queue", [][3]int{{0, 0, 0}}, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stats Stats
			calls, reported := 0, 0
			pass := func(context.Context) (int, int, error) {
				if calls >= len(tt.passes) {
					t.Fatalf("pass %d called, want at most %d", calls+1, len(tt.passes))
				}
				p := tt.passes[calls]
				calls++
				var err error
				if p[2] == 1 {
					err = errDisk
				}
				return p[0], p[1], err
			}
			Drain(context.Background(), 2, &stats, pass, func(err error) {
				if !errors.Is(err, errDisk) {
					t.Errorf("reported %v, want the pass's error", err)
				}
				reported++
			})
			if calls != tt.wantPasses || stats.Runs() != int64(tt.wantPasses) || stats.Failures() != tt.wantFailures ||
				reported != tt.wantReported {
				t.Errorf("passes %d, stats %d runs %d failures, reported %d; want %d, %d, %d, %d", calls, stats.Runs(),
					stats.Failures(), reported, tt.wantPasses, tt.wantPasses, tt.wantFailures, tt.wantReported)
			}
		})
	}
}

// TestDrainQuietAfterItsContext checks that a pass failing because the job
// is stopping is counted but not reported as a failure.
func TestDrainQuietAfterItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stats Stats
	Drain(ctx, 2, &stats, func(context.Context) (int, int, error) {
		cancel()
		return 0, 0, context.Canceled
	}, func(err error) { t.Errorf("reported %v after the context ended", err) })
	if stats.Runs() != 1 || stats.Failures() != 1 {
		t.Errorf("stats %d runs %d failures, want 1 and 1", stats.Runs(), stats.Failures())
	}
	Drain(ctx, 2, &stats, func(context.Context) (int, int, error) {
		t.Error("pass called with a context already done")
		return 0, 0, nil
	}, func(error) {})
}
