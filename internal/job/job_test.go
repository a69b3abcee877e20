package job

import (
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
