// Package job holds what the portal's background jobs share.
package job

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Waker lets a job's loop be woken before its next tick, e.g. right after
// a request queued work for it. The zero value is ready to use. Wake never
// blocks and is safe from any goroutine; wake-ups that arrive while one is
// pending merge into it.
type Waker struct {
	once sync.Once
	c    chan struct{}
}

// Wake asks the loop for a pass now.
func (w *Waker) Wake() {
	select {
	case w.C() <- struct{}{}:
	default:
	}
}

// C is the channel the loop selects on beside its ticker.
func (w *Waker) C() chan struct{} {
	w.once.Do(func() { w.c = make(chan struct{}, 1) })
	return w.c
}

// Stats counts a job's passes and the ones that failed, for /metrics.
// The zero value is ready to use; it is safe for concurrent use.
type Stats struct {
	runs, failures atomic.Int64
}

// Record counts one pass that ended with err (nil for success).
func (s *Stats) Record(err error) {
	s.runs.Add(1)
	if err != nil {
		s.failures.Add(1)
	}
}

// Runs is how many passes the job made.
func (s *Stats) Runs() int64 { return s.runs.Load() }

// Failures is how many of them failed.
func (s *Stats) Failures() int64 { return s.failures.Load() }

// Loop calls pass at once, then every interval and whenever w is woken (w
// may be nil), until ctx is done. It is the loop every background job runs.
func Loop(ctx context.Context, interval time.Duration, w *Waker, pass func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var wake chan struct{}
	if w != nil {
		wake = w.C()
	}
	for {
		pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}
