package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/mail"
)

// mailColumns are the outbox columns in the order scanMail reads them.
const mailColumns = `id, to_addr, to_name, subject, body, html, lang, unsubscribe_url, kind, COALESCE(dedupe_key, ''),
	created_at, send_after, sent_at, attempts, last_error`

func scanMail(row interface{ Scan(...any) error }) (mail.Mail, error) {
	var m mail.Mail
	err := row.Scan(&m.ID, &m.To, &m.ToName, &m.Subject, &m.Body, &m.HTML, &m.Lang, &m.Unsubscribe, &m.Kind, &m.DedupeKey,
		timeScanner{&m.CreatedAt}, timeScanner{&m.SendAfter}, timeScanner{&m.SentAt},
		&m.Attempts, &m.LastError)
	return m, err
}

// MailQueued is woken each time the store commits a transaction that put
// mail in the outbox, whichever method did it, so that the mail worker
// sends mail at once instead of at its next scheduled pass. One worker
// should wait on it per Store; mail queued by another portal instance is
// sent by that instance's worker, or by this one's next pass.
func (s *Store) MailQueued() *job.Waker { return &s.mailQueued }

// commitMail commits tx, which queued mail, and wakes the mail worker.
func (s *Store) commitMail(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return err
	}
	s.mailQueued.Wake()
	return nil
}

// enqueueMail puts m in the outbox to be sent at m.SendAfter (zero: now),
// inside the caller's transaction, so that a store method queues mail
// together with the change it announces; commit with commitMail. ID,
// CreatedAt, SentAt, Attempts and LastError are ignored. If another message
// already has m's DedupeKey, nothing changes and it returns false.
func enqueueMail(ctx context.Context, tx *sql.Tx, now time.Time, m mail.Mail) (bool, error) {
	if m.To == "" || m.Kind == "" {
		return false, fmt.Errorf("store: enqueue mail: recipient and kind are required")
	}
	if m.SendAfter.IsZero() {
		m.SendAfter = now
	}
	var dedupe any
	if m.DedupeKey != "" {
		dedupe = m.DedupeKey
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (to_addr, to_name, subject, body, html, lang, unsubscribe_url, kind,
			dedupe_key, created_at, send_after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dedupe_key) DO NOTHING`,
		m.To, m.ToName, m.Subject, m.Body, m.HTML, m.Lang, m.Unsubscribe, m.Kind, dedupe, timestamp(now), timestamp(m.SendAfter))
	if err != nil {
		return false, fmt.Errorf("store: enqueue %s mail: %w", m.Kind, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: enqueue %s mail: %w", m.Kind, err)
	}
	return n == 1, nil
}

// ClaimMail takes up to limit unsent messages that are due, longest waiting
// first, and moves their SendAfter to now+lease so that no other portal
// instance claims them meanwhile. The caller must then mark each one sent
// or failed; a message left unmarked is claimed again once the lease ends.
// The lease should outlast sending the whole batch, or a message may be
// sent twice.
func (s *Store) ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]mail.Mail, error) {
	if limit <= 0 {
		return nil, nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	rows, err := tx.QueryContext(ctx, `SELECT `+mailColumns+` FROM outbox
		WHERE sent_at IS NULL AND send_after <= ?
		ORDER BY send_after, id LIMIT ?`, timestamp(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	var mails []mail.Mail
	var ids []any
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: claim mail: %w", err)
		}
		mails = append(mails, m)
		ids = append(ids, m.ID)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	if len(mails) == 0 {
		return nil, nil
	}
	until := now.Add(lease)
	args := append([]any{timestamp(until)}, ids...)
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET send_after = ?
		WHERE id IN (`+placeholders(len(ids))+`)`, args...); err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: claim mail: %w", err)
	}
	for i := range mails {
		mails[i].SendAfter = until.UTC().Truncate(time.Millisecond) // as stored
	}
	return mails, nil
}

// MarkMailSent records that message id was sent. Marking it again keeps the
// first time. The HTML of a sent message is dropped: it is the text again,
// laid out, and several times its size; the text stays for the outbox page.
// An unknown id is ErrNotFound.
func (s *Store) MarkMailSent(ctx context.Context, id int64) error {
	res, err := s.write.ExecContext(ctx, `UPDATE outbox SET sent_at = COALESCE(sent_at, ?), html = '' WHERE id = ?`,
		timestamp(s.now()), id)
	return checkOneRow(res, err, "mark mail %d sent", id)
}

// MarkMailFailed records a failed send of message id: one more attempt,
// reason as the last error, and no new try before retryAt. An unknown or
// already sent id is ErrNotFound.
func (s *Store) MarkMailFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	res, err := s.write.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, send_after = ?
		WHERE id = ? AND sent_at IS NULL`, reason, timestamp(retryAt), id)
	return checkOneRow(res, err, "mark mail %d failed", id)
}

// checkOneRow turns the result of an update of one row by id into an error,
// ErrNotFound when no row matched.
func checkOneRow(res sql.Result, err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return nil
}

var _ mail.OutboxStore = (*Store)(nil)

// Outbox returns up to limit messages, sent or not, newest first, for the
// admin page. A limit of zero or less means 100.
func (s *Store) Outbox(ctx context.Context, limit int) ([]mail.Mail, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+mailColumns+` FROM outbox
		ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	defer rows.Close()
	var mails []mail.Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, fmt.Errorf("store: outbox: %w", err)
		}
		mails = append(mails, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	return mails, nil
}

// OutboxCounts counts the outbox: pending is every unsent message, failing
// the unsent ones that have failed at least once (so failing <= pending),
// and sent the messages sent.
func (s *Store) OutboxCounts(ctx context.Context) (pending, sent, failing int, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0)
		FROM outbox`).Scan(&pending, &sent, &failing)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: outbox counts: %w", err)
	}
	return pending, sent, failing, nil
}
