package reach_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/store"
)

// countingCommitter counts the transactions (RecordClicks calls) it passes
// on, and can be made to fail or to hold a commit until released.
type countingCommitter struct {
	to    reach.Committer
	txs   atomic.Int64
	fail  error
	hold  chan struct{} // when not nil, each commit waits for a value
	sizes chan int      // when not nil, receives each batch's size
}

func (c *countingCommitter) RecordClicks(ctx context.Context, clicks []reach.Hit) error {
	c.txs.Add(1)
	if c.sizes != nil {
		c.sizes <- len(clicks)
	}
	if c.hold != nil {
		<-c.hold
	}
	if c.fail != nil {
		return c.fail
	}
	return c.to.RecordClicks(ctx, clicks)
}

func TestWriterGroupsConcurrentClicks(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	links := mustLinks(t, s, 4)
	// The first commit is held until every other click has queued behind
	// it: those must then go in full batches, not a transaction each.
	cc := &countingCommitter{to: s, hold: make(chan struct{}), sizes: make(chan int, 10)}
	w := reach.NewWriter(cc, reach.WriterConfig{MaxBatch: 64})
	defer w.Close()

	const n = 200
	at := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var acked atomic.Int64
	first := make(chan int, 1) // the size of the held first batch
	go func() {
		size := <-cc.sizes
		first <- size
		for deadline := time.Now().Add(10 * time.Second); reach.Queued(w) < n-size; {
			if time.Now().After(deadline) {
				t.Errorf("%d clicks queued behind the first batch of %d after 10 s, want %d", reach.Queued(w), size, n-size)
				break
			}
			time.Sleep(time.Millisecond)
		}
		close(cc.hold)
		for range cc.sizes { // the later batches' sizes, unread
		}
	}()
	for i := range n {
		wg.Go(func() {
			c := reach.Hit{LinkID: links[i%len(links)], At: at, Kind: reach.Click, Visitor: []byte{byte(i), 1, 2, 3}}
			if i%10 == 0 {
				c.Kind, c.Visitor = reach.Bot, nil
			}
			if err := reach.RecordClick(w, c); err != nil {
				t.Errorf("record: %v", err)
				return
			}
			acked.Add(1)
		})
	}
	wg.Wait()

	size := <-first
	if txs, want := cc.txs.Load(), int64(1+(n-size+63)/64); txs != want {
		t.Errorf("%d clicks took %d transactions; want %d: the first batch of %d, then the %d queued behind it in batches of 64",
			n, txs, want, size, n-size)
	}
	raw, err := s.RawClickCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Clicks+raw.Bots != acked.Load() || raw.Bots != n/10 {
		t.Errorf("database holds %+v; want %d acknowledged clicks, %d of them bots", raw, acked.Load(), n/10)
	}
	if n, err := (&reach.Tally{Store: s}).RunOnce(ctx); err != nil || n != raw.Clicks+raw.Bots {
		t.Errorf("Tally.RunOnce = %d, %v; want every click row looked at", n, err)
	}
	totals, err := s.ClickTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (reach.ClickCounts{Clicks: n - n/10, Bots: n / 10, Visitors: n - n/10}); totals != want {
		t.Errorf("rollups = %+v, want %+v", totals, want)
	}
	if st := w.Stats(); st.Batches != cc.txs.Load() || st.Clicks != n || st.Committing <= 0 {
		t.Errorf("Stats() = %+v; want %d batches, %d clicks and some time committing", st, cc.txs.Load(), n)
	}
}

func TestWriterBatchLimit(t *testing.T) {
	s := mustOpenStore(t)
	links := mustLinks(t, s, 1)
	cc := &countingCommitter{to: s, hold: make(chan struct{}), sizes: make(chan int, 100)}
	w := reach.NewWriter(cc, reach.WriterConfig{MaxBatch: 8, MinBatch: 8, MaxWait: time.Hour})
	defer w.Close()

	// Batches wait (up to an hour) for 8 clicks: the 21 are committed 8
	// and 8 at a time, and the last 5 without waiting the hour once the
	// queue is closed. Four commits may pass the hold; three are needed.
	var wg sync.WaitGroup
	record := func() {
		if err := reach.RecordClick(w, reach.Hit{LinkID: links[0], At: time.Now(), Kind: reach.Bot}); err != nil {
			t.Errorf("record: %v", err)
		}
	}
	wg.Go(record)
	for range 20 {
		wg.Go(record)
	}
	go func() {
		for range 4 {
			cc.hold <- struct{}{}
		}
	}()
	time.Sleep(20 * time.Millisecond)
	w.Close()
	wg.Wait()
	close(cc.sizes)
	total := 0
	for size := range cc.sizes {
		if size > 8 {
			t.Errorf("a batch of %d clicks, want at most 8", size)
		}
		total += size
	}
	if total != 21 {
		t.Errorf("batches held %d clicks, want 21", total)
	}
}

func TestWriterErrorFailsTheBatch(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	links := mustLinks(t, s, 1)
	boom := errors.New("disk full")
	cc := &countingCommitter{to: s, fail: boom}
	w := reach.NewWriter(cc, reach.WriterConfig{MinBatch: 10, MaxWait: 20 * time.Millisecond}) // batches wait for company
	defer w.Close()

	const n = 10
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { errs <- reach.RecordClick(w, reach.Hit{LinkID: links[0], At: time.Now(), Kind: reach.Click}) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, boom) {
			t.Errorf("record = %v, want %v", err, boom)
		}
	}
	if raw, err := s.RawClickCounts(ctx); err != nil || raw != (reach.ClickCounts{}) {
		t.Errorf("failed clicks are in the database: %+v (error: %v)", raw, err)
	}

	t.Run("a batch with a bad click fails whole", func(t *testing.T) {
		cc.fail = nil
		var wg sync.WaitGroup
		var failed atomic.Int64
		for i := range n {
			wg.Go(func() {
				c := reach.Hit{LinkID: links[0], At: time.Now(), Kind: reach.Click}
				if i == 0 {
					c.LinkID = 99999 // no such link: the foreign key fails the transaction
				}
				if err := reach.RecordClick(w, c); err != nil {
					failed.Add(1)
				}
			})
		}
		wg.Wait()
		raw, err := s.RawClickCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if raw.Clicks+failed.Load() != n {
			t.Errorf("%d clicks failed and %d are in the database, want %d in all", failed.Load(), raw.Clicks, n)
		}
		if failed.Load() < 2 {
			t.Errorf("only %d clicks failed; the bad one should have taken its batch with it", failed.Load())
		}
	})
}

func TestWriterCloseCommitsTheQueue(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	links := mustLinks(t, s, 1)
	const n = 30
	cc := &countingCommitter{to: s, hold: make(chan struct{}), sizes: make(chan int, n)}
	w := reach.NewWriter(cc, reach.WriterConfig{MaxBatch: 4, MaxWait: time.Hour})

	errs := make(chan error, n)
	for range n {
		go func() { errs <- reach.RecordClick(w, reach.Hit{LinkID: links[0], At: time.Now(), Kind: reach.Click}) }()
	}
	// Wait until the first batch is committing and every other click is
	// queued: only then is Close sure to find all of them.
	first := <-cc.sizes
	deadline := time.Now().Add(10 * time.Second)
	for reach.Queued(w) < n-first {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s %d clicks are queued beside a batch of %d, want %d", reach.Queued(w), first, n-first)
		}
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { w.Close(); close(closed) }()
	go func() {
		for {
			select {
			case cc.hold <- struct{}{}:
			case <-closed:
				return
			}
		}
	}()
	<-closed
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("record: %v", err)
		}
	}
	if raw, err := s.RawClickCounts(ctx); err != nil || raw.Clicks != n {
		t.Errorf("after Close the database holds %d clicks, want %d (error: %v)", raw.Clicks, n, err)
	}
	if err := reach.RecordClick(w, reach.Hit{LinkID: links[0], At: time.Now(), Kind: reach.Click}); !errors.Is(err, reach.ErrClosed) {
		t.Errorf("record after Close = %v, want ErrClosed", err)
	}
	w.Close() // a second Close is harmless
}

// TestTallyPasses counts more clicks than one pass takes, and
// checks that every visitor is counted once, however passes split them.
func TestTallyPasses(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s := mustOpenStore(t, store.WithClock(func() time.Time { return day }))
	links := mustLinks(t, s, 2)
	const n = reach.RollUpPass + reach.RollUpPass/2
	clicks := make([]reach.Hit, 0, n)
	for i := range n {
		// 999 visitors, each on both links many times.
		v := i % 999
		clicks = append(clicks, reach.Hit{LinkID: links[i%2], At: day, Kind: reach.Click, Visitor: []byte{byte(v), byte(v >> 8)}})
	}
	if err := s.RecordClicks(ctx, clicks); err != nil {
		t.Fatal(err)
	}
	c := &reach.Tally{Store: s}
	if got, err := c.RunOnce(ctx); err != nil || got != n {
		t.Fatalf("RunOnce = %d, %v; want all %d clicks in two passes", got, err, n)
	}
	totals, err := s.ClickTotals(ctx)
	if err != nil || totals.Clicks != n || totals.Visitors != 2*999 {
		t.Errorf("totals = %+v, %v; want %d clicks from 999 visitors on each of the 2 links", totals, err, n)
	}
	if got, err := c.RunOnce(ctx); err != nil || got != 0 {
		t.Errorf("RunOnce again = %d, %v; want nothing left", got, err)
	}
}
