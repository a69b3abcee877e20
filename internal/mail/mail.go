// Package mail sends the portal's email: what a message in the outbox is
// (Mail), an SMTP sender, and a worker that drains the outbox in the
// background, so that no request waits on a mail server and a failed send
// is retried rather than lost. The outbox is an interface the store
// implements; this package does not import the store.
//
// The package knows nothing of HTTP. Without SMTP configured (demo mode) the
// worker runs with a nil Sender and mail stays in the outbox for admins to read.
package mail

import "context"

// Message is one email to a single recipient: To is the address (a bare
// address, or one with a display name like "Noor <noor@example.com>") and
// ToName, if not empty, the display name to show instead. Subject is one
// line; Body is plain text. HTML, if not empty, is the same mail as an HTML
// document, sent beside Body as multipart/alternative. Lang names the
// language it is written in (Content-Language). Unsubscribe, if not empty,
// is the https address that turns this kind of mail off in one click
// (List-Unsubscribe with List-Unsubscribe-Post, RFC 8058).
//
// Every message the portal sends is automatic, so each carries
// Auto-Submitted: auto-generated (RFC 3834) to keep auto-responders quiet.
type Message struct {
	To          string
	ToName      string
	Subject     string
	Body        string
	HTML        string
	Lang        string
	Unsubscribe string
}

// Sender delivers a message or returns why it could not. Implementations
// must honour ctx's deadline and be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
