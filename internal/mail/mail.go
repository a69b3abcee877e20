// Package mail sends the portal's email: an SMTP sender and a worker that
// drains the store's outbox in the background, so that no request waits on
// a mail server and a failed send is retried rather than lost.
//
// The package knows nothing of HTTP. Without SMTP configured (demo mode) the
// worker runs with a nil Sender and mail stays in the outbox for admins to read.
package mail

import "context"

// Message is one email: a single recipient address, a one-line subject and
// a plain-text body.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender delivers a message or returns why it could not. Implementations
// must honour ctx's deadline and be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
