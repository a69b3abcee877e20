package reach

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by Writer.Record once the writer is closed.
var ErrClosed = errors.New("reach: click writer is closed")

// Committer writes a batch of hits in one transaction: all or none.
// internal/store implements it.
type Committer interface {
	RecordClicks(ctx context.Context, hits []Hit) error
}

// WriterConfig tunes a Writer. Zero values take the defaults.
type WriterConfig struct {
	// MaxBatch is the most clicks one transaction holds (default 256).
	MaxBatch int
	// MinBatch is how many queued clicks are committed without waiting
	// for more (default 1: a click never waits for company, only for the
	// commit in progress; those that queue behind it make the next batch).
	// Waiting for company saves transactions at the cost of latency, which
	// under load is what limits a client's rate: with 50 clients, batches
	// of 4 or more waiting up to 500µs gave 0.49 of the hello ceiling,
	// batches of whatever had queued 0.57.
	MinBatch int
	// MaxWait is how long the writer waits, after the first click of a
	// batch smaller than MinBatch, for more to join it (default 500µs).
	MaxWait time.Duration
	// Queue is how many clicks may wait to be picked up (default 4096).
	Queue int
}

// Writer records clicks by group commit: concurrent Record calls wait
// briefly and are written in one transaction on the store's single write
// connection, so a viral post neither loses clicks nor queues behind one
// transaction per click. Record returns only once its click is committed,
// or with the error that kept the batch from committing.
//
// Start it with NewWriter and stop it with Close, after the HTTP server
// has drained and before the store closes.
type Writer struct {
	to       Committer
	maxBatch int
	minBatch int
	maxWait  time.Duration
	in       chan *pending
	mu       sync.RWMutex // held for reading while sending on in; Close takes it to close in
	closed   bool
	done     chan struct{}
	pool     sync.Pool

	batches, clicks, committing atomic.Int64
}

// pending is one click waiting for its commit; pooled.
type pending struct {
	click   Hit
	visitor Visitor
	err     chan error
}

// NewWriter starts a writer that commits to to.
func NewWriter(to Committer, cfg WriterConfig) *Writer {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 256
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 500 * time.Microsecond
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4096
	}
	if cfg.MinBatch <= 0 {
		cfg.MinBatch = 1
	}
	w := &Writer{to: to, maxBatch: cfg.MaxBatch, minBatch: min(cfg.MinBatch, cfg.MaxBatch), maxWait: cfg.MaxWait,
		in: make(chan *pending, cfg.Queue), done: make(chan struct{})}
	w.pool.New = func() any { return &pending{err: make(chan error, 1)} }
	go w.run()
	return w
}

// Record queues h for the next group commit and waits for it. A nil
// error means h is committed. h.Visitor is copied (at most VisitorSize
// bytes), so the caller may reuse it once Record returns.
func (w *Writer) Record(h Hit) error {
	return w.record(h.LinkID, h.At, h.Kind, h.Visitor)
}

// record is Record with the hit's fields apart, so that the visitor
// bytes, only copied, can stay on the caller's stack.
func (w *Writer) record(linkID int64, at time.Time, kind Kind, visitor []byte) error {
	p := w.pool.Get().(*pending)
	p.click = Hit{LinkID: linkID, At: at, Kind: kind}
	if len(visitor) > 0 {
		n := copy(p.visitor[:], visitor)
		p.click.Visitor = p.visitor[:n]
	}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		w.pool.Put(p)
		return ErrClosed
	}
	w.in <- p
	w.mu.RUnlock()
	err := <-p.err
	p.click = Hit{}
	w.pool.Put(p)
	return err
}

// Close stops taking clicks, commits every click already queued, and
// returns once the last batch is answered. Record calls after Close
// return ErrClosed. Close is safe to call more than once.
func (w *Writer) Close() error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
	w.mu.Unlock()
	<-w.done
	return nil
}

// WriterStats is what a Writer has done so far.
type WriterStats struct {
	Batches    int64         // transactions committed or tried
	Clicks     int64         // clicks they held
	Committing time.Duration // time spent in the Committer
}

// Stats returns what the writer has done so far.
func (w *Writer) Stats() WriterStats {
	return WriterStats{Batches: w.batches.Load(), Clicks: w.clicks.Load(), Committing: time.Duration(w.committing.Load())}
}

// run is the writer's loop: take a first click, gather what else is
// waiting or arrives within maxWait, commit, answer everyone.
func (w *Writer) run() {
	defer close(w.done)
	batch := make([]*pending, 0, w.maxBatch)
	clicks := make([]Hit, 0, w.maxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		first, ok := <-w.in
		if !ok {
			return
		}
		batch = append(batch[:0], first)
		open := w.gather(&batch, timer)
		clicks = clicks[:0]
		for _, p := range batch {
			clicks = append(clicks, p.click)
		}
		// The batch is committed on its own context: a request that gave
		// up waiting must not cancel its neighbours' clicks.
		start := time.Now()
		err := w.to.RecordClicks(context.Background(), clicks)
		w.committing.Add(int64(time.Since(start)))
		w.batches.Add(1)
		w.clicks.Add(int64(len(batch)))
		for _, p := range batch {
			p.err <- err
		}
		clear(clicks) // drop references to the pooled visitors
		if !open {
			return
		}
	}
}

// gather adds to batch what is queued; if that makes fewer than
// minBatch clicks, it also waits up to maxWait for more, up to maxBatch.
// Under load the clicks that queued during the previous commit make the
// next batch at once; under light load a click waits at most maxWait for
// company. It reports false once the queue is closed and drained.
func (w *Writer) gather(batch *[]*pending, timer *time.Timer) bool {
drain:
	for len(*batch) < w.maxBatch {
		select {
		case p, ok := <-w.in:
			if !ok {
				return false
			}
			*batch = append(*batch, p)
		default:
			break drain
		}
	}
	if len(*batch) >= w.minBatch {
		return true
	}
	timer.Reset(w.maxWait)
	defer timer.Stop()
	for len(*batch) < w.maxBatch {
		select {
		case p, ok := <-w.in:
			if !ok {
				return false
			}
			*batch = append(*batch, p)
		case <-timer.C:
			return true
		}
	}
	return true
}
