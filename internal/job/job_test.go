package job

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWaker(t *testing.T) {
	var w Waker
	w.Wake()
	w.Wake() // merges with the pending one, does not block
	select {
	case <-w.C():
	case <-time.After(time.Second):
		t.Fatal("no wake-up")
	}
	select {
	case <-w.C():
		t.Fatal("two wake-ups pending, want them merged into one")
	default:
	}
}

func TestStats(t *testing.T) {
	var s Stats
	s.Record(nil)
	s.Record(errBoom)
	s.Record(nil)
	if s.Runs() != 3 || s.Failures() != 1 {
		t.Fatalf("runs %d failures %d, want 3 and 1", s.Runs(), s.Failures())
	}
}

var errBoom = errors.New("boom")

func TestLoop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var w Waker
	passes := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		Loop(ctx, time.Hour, &w, func(context.Context) { passes <- struct{}{} })
		close(done)
	}()
	<-passes // at once
	w.Wake()
	select {
	case <-passes: // and when woken, long before the hour
	case <-time.After(5 * time.Second):
		t.Fatal("Wake did not bring a pass")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Loop did not stop with its context")
	}
}
