// Package reach counts what tracked links bring in: it tells people's
// clicks from link-preview fetchers (a list of their own) and bots (the
// crawler lists of github.com/x-way/crawlerdetect, and user agents that
// are not a browser's; see Classify), hashes visitors with a salt
// that rotates daily, and writes clicks in group commits so that the
// redirect path is fast and loses no acknowledged click.
//
// It also owns what the dashboards show: the figures of a Report and the
// formulas over them (EMV, CTR, Points), and the Dashboards that serve
// them (dashboard.go): periods, exports, the leaderboard and the costs per
// click, over a DashboardRepository.
//
// It knows nothing of HTTP frameworks: the handler passes it the method,
// the user agent and the client address. Nor of storage: it declares what
// it needs of it (Store, Committer, RollupStore, SaltStore, TargetStore),
// and internal/store implements that and fills in the figures of Report.
//
// A click's way to a number on the dashboards runs through recorder.go:
// Recorder.Target finds where a tracked link goes (TargetStore);
// Recorder.Record classifies the request (Classify) and hashes a person's
// visitor (Hasher), then the Writer commits it in one transaction with
// the requests that arrived beside it (Committer) and only then lets the
// redirect go; the Tally rolls committed hits up, off the redirect path,
// into the per-link per-day counts (RollupStore) that the store reads
// every Report from.
package reach

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/share"
)

// Store is what a Recorder needs of storage. internal/store implements it.
type Store interface {
	Committer
	SaltStore
	RollupStore
	TargetStore
}

// TargetStore looks up where tracked links go.
type TargetStore interface {
	// LinkTarget returns the redirect target of the link with code; for
	// an unknown code, an error of kind apperr.NotFound.
	LinkTarget(ctx context.Context, code string) (LinkTarget, error)
}

// LinkTarget is what the redirect path needs to know about a tracked link.
type LinkTarget struct {
	LinkID   int64
	Network  share.Network
	PostURL  string
	Campaign string // the post's campaign, or its slug when it has none
}

// Hit is one request to a tracked link, as it is kept: a person's click,
// a preview or a bot. It holds no IP address and no user agent: people
// are told apart only by Visitor.
type Hit struct {
	LinkID int64
	At     time.Time
	Kind   Kind
	// Visitor is the keyed visitor hash of a person's click (Hasher); nil
	// for previews and bots, which are not visitors.
	Visitor []byte
}

// DayLayout formats the UTC day that hits are rolled up by and that
// visitor salts belong to.
const DayLayout = "2006-01-02"

// Config sets up a Recorder. Every field is optional.
type Config struct {
	// Writer group-commits the clicks, and a Tally must then roll them
	// up. Without one, each click is committed in a transaction of its
	// own and rolled up at once (tests, tools).
	Writer *Writer
	// Now is the clock for click times and salt days (time.Now by default).
	Now func() time.Time
	// TargetTTL is how long a link's redirect target is remembered
	// (default 30s): a change to a post's address reaches the redirect
	// path within that time.
	TargetTTL time.Duration
	// MaxTargets bounds the targets remembered (default 10000).
	MaxTargets int
}

// Recorder is the redirect path's domain: where a tracked link goes, and
// recording each request to it with its kind and visitor. It is safe for
// concurrent use.
type Recorder struct {
	store      Store
	writer     *Writer
	now        func() time.Time
	classifier Classifier
	hasher     *Hasher
	ttl        time.Duration
	maxTargets int

	mu      sync.RWMutex
	targets map[string]cachedTarget
}

// Target is where a tracked link sends its visitors.
type Target struct {
	LinkID   int64
	Location string // the post's URL with the link's UTM parameters
}

type cachedTarget struct {
	Target
	expires int64 // Unix nanoseconds
}

// NewRecorder returns a Recorder over st.
func NewRecorder(st Store, cfg Config) *Recorder {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TargetTTL <= 0 {
		cfg.TargetTTL = 30 * time.Second
	}
	if cfg.MaxTargets <= 0 {
		cfg.MaxTargets = 10000
	}
	return &Recorder{store: st, writer: cfg.Writer, now: cfg.Now, hasher: NewHasher(st, cfg.Now),
		ttl: cfg.TargetTTL, maxTargets: cfg.MaxTargets, targets: map[string]cachedTarget{}}
}

// ErrUnknownLink is a tracked link's code that names no link; Target
// returns it in front of the TargetStore's error.
var ErrUnknownLink = apperr.Sentinel(apperr.NotFound, "reach: unknown link",
	"This link is not known here. Check that it was copied completely.")

// Target returns where the link with code goes: for an unknown code,
// ErrUnknownLink. Targets are remembered for
// the configured TTL; unknown codes are not, so a new link works at once.
func (r *Recorder) Target(ctx context.Context, code string) (Target, error) {
	now := r.now().UnixNano()
	r.mu.RLock()
	t, ok := r.targets[code]
	r.mu.RUnlock()
	if ok && now < t.expires {
		return t.Target, nil
	}
	lt, err := r.store.LinkTarget(ctx, code)
	if apperr.KindOf(err) == apperr.NotFound {
		return Target{}, fmt.Errorf("%w: %w", ErrUnknownLink, err)
	}
	if err != nil {
		return Target{}, err
	}
	loc, err := share.Target(lt.PostURL, lt.Network, lt.Campaign)
	if err != nil {
		return Target{}, err
	}
	t = cachedTarget{Target: Target{LinkID: lt.LinkID, Location: loc}, expires: now + int64(r.ttl)}
	r.mu.Lock()
	if len(r.targets) >= r.maxTargets {
		r.evict(now)
	}
	r.targets[string([]byte(code))] = t // copy: code may live in a reused request buffer
	r.mu.Unlock()
	return t.Target, nil
}

// evict drops expired targets, or, if none has expired, an arbitrary
// eighth of them. It runs with r.mu held.
func (r *Recorder) evict(now int64) {
	for k, t := range r.targets {
		if now >= t.expires {
			delete(r.targets, k)
		}
	}
	for k := range r.targets {
		if len(r.targets) < r.maxTargets-r.maxTargets/8 {
			break
		}
		delete(r.targets, k) // map order is random enough for a cache
	}
}

// Visit is one request to a tracked link. IP is the client's address; it
// is hashed, never stored.
type Visit struct {
	LinkID    int64
	Method    string
	UserAgent string
	IP        netip.Addr
}

// Record classifies v, hashes the visitor of a person's click, and
// returns once the click is committed. The caller may answer the request
// (redirect) only when the error is nil.
func (r *Recorder) Record(ctx context.Context, v Visit) (Kind, error) {
	kind := r.classifier.Classify(v.Method, v.UserAgent)
	at := r.now()
	var visitor Visitor
	n := 0
	if kind == Click {
		var err error
		if visitor, err = r.hasher.Hash(ctx, v.IP, v.UserAgent); err != nil {
			return kind, err
		}
		n = len(visitor)
	}
	if r.writer != nil {
		return kind, r.writer.record(v.LinkID, at, kind, visitor[:n])
	}
	h := Hit{LinkID: v.LinkID, At: at, Kind: kind, Visitor: bytes.Clone(visitor[:n])}
	if err := r.store.RecordClicks(ctx, []Hit{h}); err != nil {
		return kind, err
	}
	// Without a writer no Tally runs: roll this click up now. The click is
	// committed and must be answered as such; if rolling up fails, the
	// next call rolls up what it left.
	_, _ = r.store.RollUpClicks(ctx, 0)
	return kind, nil
}

// ErrClosed is returned by Recorder.Record once its writer is closed.
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

// Writer records clicks by group commit: concurrent Recorder.Record calls
// wait briefly and are written in one transaction on the store's single
// write connection, so a viral post neither loses clicks nor queues behind
// one transaction per click. Each returns only once its click is
// committed, or with the error that kept the batch from committing.
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

// record queues a click for the next group commit and waits for it. A nil
// error means the click is committed. visitor is copied (at most
// VisitorSize bytes), so that it can stay on the caller's stack and the
// caller may reuse it once record returns.
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
// returns once the last batch is answered. Clicks recorded after Close
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

// RollupStore rolls committed hits up. internal/store implements it.
type RollupStore interface {
	// RollUpClicks rolls up the hits committed since its last call, at
	// most limit of them (all if limit <= 0), and returns how many it
	// took: call it again while that equals limit.
	RollUpClicks(ctx context.Context, limit int) (int64, error)
}

// RollUpPass is how many hits a Tally's RollUpClicks pass takes at most:
// passes of thousands of rows write each touched page of the visitors
// index once for many clicks.
const RollUpPass = 50_000

// Tally keeps the per-link per-day rollups (clicks, previews, bots and
// unique visitors) up with the click rows, off the redirect path. The
// click writer commits only the rows, so that a redirect waits for as
// little as possible; the rollups, and telling whether a visitor hash is
// new on a link that day (a write at a random place in a large index),
// are done here in passes of up to RollUpPass rows, and dashboards
// show a click about a second after its redirect.
type Tally struct {
	Store  RollupStore
	Logger *slog.Logger
	// Stats counts passes and failed passes, for /metrics.
	Stats job.Stats
}

// RunOnce rolls up every click row committed so far, pass after pass,
// and returns how many rows it took. Each pass is its own short
// transaction, so the click writer gets the database between passes.
func (t *Tally) RunOnce(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := t.Store.RollUpClicks(ctx, RollUpPass)
		total += n
		if err != nil || n < RollUpPass {
			return total, err
		}
	}
}

// Run rolls up clicks every interval until ctx is done. What it has not
// reached then, the next start rolls up; the portal also calls RunOnce
// once the click writer has stopped.
func (t *Tally) Run(ctx context.Context, interval time.Duration) {
	job.Loop(ctx, interval, nil, func(ctx context.Context) {
		_, err := t.RunOnce(ctx)
		t.Stats.Record(err)
		if err != nil && ctx.Err() == nil {
			t.Logger.Error("rolling up clicks failed", "err", err)
		}
	})
}
