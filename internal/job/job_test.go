package job

import (
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
