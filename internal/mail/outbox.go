package mail

import (
	"context"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/mail/letter"
)

// Mail is a message in the outbox. To is the bare address and ToName the
// recipient's display name, if known. Body is plain text; HTML, if not
// empty, is the same mail as an HTML document, sent beside it as an
// alternative. Lang is the language it is written in. Unsubscribe, if not
// empty, is the address that turns this kind of mail off in one click
// (List-Unsubscribe, RFC 8058). Kind says why it was sent ("assigned",
// "digest", "concern", ...). A non-empty DedupeKey makes the message
// unique: enqueueing the same key again does nothing.
//
// SendAfter is when the message may next be tried; SentAt is zero until it
// was sent (and from then on HTML is empty: the outbox keeps only the text
// of sent mail). Attempts counts failed sends and LastError holds the
// latest failure's reason.
type Mail struct {
	ID          int64
	To          string
	ToName      string
	Subject     string
	Body        string
	HTML        string
	Lang        string
	Unsubscribe string
	Kind        string
	DedupeKey   string
	CreatedAt   time.Time
	SendAfter   time.Time
	SentAt      time.Time
	Attempts    int
	LastError   string
}

// FromLetter is the outbox message of kind that carries l to the person at
// address to, whose name is name.
func FromLetter(kind, to, name string, l letter.Letter) Mail {
	return Mail{To: to, ToName: name, Subject: l.Subject, Body: l.Text, HTML: l.HTML, Lang: l.Lang, Kind: kind}
}

// Outbox is the queue of mail a Worker drains; the store implements it.
// Claiming leases the messages it returns, so that two workers on one
// database do not send the same message; a message neither marked sent nor
// failed is claimable again once its lease ends.
type Outbox interface {
	// ClaimMail leases up to limit messages due now for lease.
	ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]Mail, error)
	// MarkMailSent records that message id was sent.
	MarkMailSent(ctx context.Context, id int64) error
	// MarkMailFailed records why message id was not sent and when to try
	// it again.
	MarkMailFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error
	// MailQueued is woken whenever mail was queued.
	MailQueued() *job.Waker
}

// OutboxStore is what the admins' outbox page reads; the store implements
// it.
type OutboxStore interface {
	// Outbox returns the latest limit messages, newest first.
	Outbox(ctx context.Context, limit int) ([]Mail, error)
	// OutboxCounts counts the messages waiting, sent, and waiting after
	// a failed attempt.
	OutboxCounts(ctx context.Context) (pending, sent, failing int, err error)
}

// OutboxListing is the outbox as admins read it.
type OutboxListing struct {
	Mails                  []Mail // the latest, newest first
	Pending, Sent, Failing int
}

// OutboxReader reads the outbox for admins, who read mail there when no
// SMTP server is configured (demo mode) and see failures. It is safe for
// concurrent use if its store is.
type OutboxReader struct{ store OutboxStore }

// NewOutboxReader returns an OutboxReader over store.
func NewOutboxReader(store OutboxStore) *OutboxReader { return &OutboxReader{store: store} }

// OutboxPageSize is how many of the latest messages Latest lists.
const OutboxPageSize = 200

// Latest returns the latest OutboxPageSize messages and the counts.
func (r *OutboxReader) Latest(ctx context.Context) (OutboxListing, error) {
	mails, err := r.store.Outbox(ctx, OutboxPageSize)
	if err != nil {
		return OutboxListing{}, err
	}
	out := OutboxListing{Mails: mails}
	out.Pending, out.Sent, out.Failing, err = r.store.OutboxCounts(ctx)
	return out, err
}
