// Package job holds what the portal's background jobs share.
package job

import "sync"

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
