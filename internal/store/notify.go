package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/notify"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/webhook"
)

// WebhookURL returns the URL configured for t, or "" if there is none.
// The URL is a secret: whoever has it can post to the channel.
func (s *Store) WebhookURL(ctx context.Context, t webhook.Target) (string, error) {
	var u string
	if _, err := s.Setting(ctx, t.SettingKey(), &u); err != nil {
		return "", err
	}
	return u, nil
}

// SetWebhookURL configures the webhook URL for t ("" removes it) on behalf
// of actorID. Unsent deliveries to t follow the new URL and are tried again
// at once (with none configured they wait, failing, until one is). The
// change is audit-logged as a settings change, but with the URLs redacted
// to host and fingerprint: the audit log is append-only and must not keep
// a secret. Setting the URL it already has changes nothing.
func (s *Store) SetWebhookURL(ctx context.Context, t webhook.Target, webhookURL string, actorID int64) error {
	return s.SetWebhookURLs(ctx, map[webhook.Target]string{t: webhookURL}, actorID)
}

var _ notify.WebhookSettingsStore = (*Store)(nil)

// SetWebhookURLs is SetWebhookURL for each target in urls, in the order of
// webhook.Targets, in one transaction: an unknown target changes nothing.
func (s *Store) SetWebhookURLs(ctx context.Context, urls map[webhook.Target]string, actorID int64) error {
	for t := range urls {
		if !t.Valid() {
			return fmt.Errorf("store: set webhook: unknown target %q", t)
		}
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: set webhooks: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	for _, t := range webhook.Targets {
		if u, ok := urls[t]; ok {
			if err := setWebhookURL(ctx, tx, now, t, u, actorID); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: set webhooks: %w", err)
	}
	return nil
}

// setWebhookURL is SetWebhookURL for one target in tx, at now.
func setWebhookURL(ctx context.Context, tx *sql.Tx, now time.Time, t webhook.Target, webhookURL string, actorID int64) error {
	key := t.SettingKey()
	var raw sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&raw); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	var old string
	if raw.Valid {
		if err := json.Unmarshal([]byte(raw.String), &old); err != nil {
			return fmt.Errorf("store: set %s: %w", key, err)
		}
	}
	if old == webhookURL {
		return nil
	}
	value, err := json.Marshal(webhookURL)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		key, string(value), nullID(actorID), timestamp(now)); err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET url = ?, send_after = ?
		WHERE target = ? AND sent_at IS NULL`, webhookURL, timestamp(now), string(t)); err != nil {
		return fmt.Errorf("store: set %s: retarget deliveries: %w", key, err)
	}
	var before any
	if raw.Valid {
		before = webhook.RedactURL(old)
	}
	return audit(ctx, tx, now, actorID, "settings.change", "setting:"+key, before, webhook.RedactURL(webhookURL))
}

const deliveryColumns = `id, target, url, payload, dedupe_key, attempts, last_error, created_at, send_after, sent_at`

func scanDelivery(row interface{ Scan(...any) error }) (webhook.Delivery, error) {
	var d webhook.Delivery
	var payload string
	err := row.Scan(&d.ID, &d.Target, &d.URL, &payload, &d.DedupeKey, &d.Attempts, &d.LastError,
		timeScanner{&d.CreatedAt}, timeScanner{&d.SendAfter}, timeScanner{&d.SentAt})
	d.Payload = []byte(payload)
	return d, err
}

// EnqueueWebhookDeliveries queues deliveries, all or none, to be sent at
// their SendAfter (zero: now). ID, CreatedAt, SentAt, Attempts and
// LastError are ignored. A delivery whose DedupeKey is already queued (or
// sent) is skipped; queued counts the new ones.
func (s *Store) EnqueueWebhookDeliveries(ctx context.Context, deliveries []webhook.Delivery) (queued int, err error) {
	if len(deliveries) == 0 {
		return 0, nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue webhook deliveries: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	for _, d := range deliveries {
		if !d.Target.Valid() || d.URL == "" || d.DedupeKey == "" || !json.Valid(d.Payload) {
			return 0, fmt.Errorf("store: enqueue webhook delivery %q: target, URL, dedupe key and a JSON payload are required", d.DedupeKey)
		}
		if d.SendAfter.IsZero() {
			d.SendAfter = now
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (target, url, payload, dedupe_key, created_at, send_after)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
			string(d.Target), d.URL, string(d.Payload), d.DedupeKey, timestamp(now), timestamp(d.SendAfter))
		if err != nil {
			return 0, fmt.Errorf("store: enqueue webhook delivery %q: %w", d.DedupeKey, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("store: enqueue webhook delivery %q: %w", d.DedupeKey, err)
		}
		queued += int(n)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: enqueue webhook deliveries: %w", err)
	}
	return queued, nil
}

// ClaimWebhookDeliveries takes up to limit unsent deliveries that are due,
// longest waiting first, and moves their SendAfter to now+lease so that no
// other portal instance claims them meanwhile. The caller must mark each
// one delivered or failed; one left unmarked is claimed again once the
// lease ends, so the lease should outlast sending the whole batch.
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, limit int, lease time.Duration) ([]webhook.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: claim webhook deliveries: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE sent_at IS NULL AND send_after <= ? ORDER BY send_after, id LIMIT ?`, timestamp(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim webhook deliveries: %w", err)
	}
	var out []webhook.Delivery
	var ids []any
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: claim webhook deliveries: %w", err)
		}
		out = append(out, d)
		ids = append(ids, d.ID)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("store: claim webhook deliveries: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	until := now.Add(lease)
	args := append([]any{timestamp(until)}, ids...)
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET send_after = ?
		WHERE id IN (`+placeholders(len(ids))+`)`, args...); err != nil {
		return nil, fmt.Errorf("store: claim webhook deliveries: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: claim webhook deliveries: %w", err)
	}
	for i := range out {
		out[i].SendAfter = until.UTC().Truncate(time.Millisecond) // as stored
	}
	return out, nil
}

// MarkWebhookDelivered records that delivery id was accepted by its
// webhook. Marking it again keeps the first time; an unknown id is
// ErrNotFound.
func (s *Store) MarkWebhookDelivered(ctx context.Context, id int64) error {
	res, err := s.write.ExecContext(ctx, `UPDATE webhook_deliveries SET sent_at = COALESCE(sent_at, ?) WHERE id = ?`,
		timestamp(s.now()), id)
	return checkOneRow(res, err, "mark webhook delivery %d sent", id)
}

// MarkWebhookFailed records a failed try of delivery id: one more attempt,
// reason as the last error (the caller keeps the URL out of it), and no
// new try before retryAt. An unknown or already sent id is ErrNotFound.
func (s *Store) MarkWebhookFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	res, err := s.write.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?, send_after = ?
		WHERE id = ? AND sent_at IS NULL`, reason, timestamp(retryAt), id)
	return checkOneRow(res, err, "mark webhook delivery %d failed", id)
}

// WebhookDeliveries returns up to limit deliveries, sent or not, newest
// first, for the admin page. A limit of zero or less means 100.
func (s *Store) WebhookDeliveries(ctx context.Context, limit int) ([]webhook.Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: webhook deliveries: %w", err)
	}
	defer rows.Close()
	var out []webhook.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store: webhook deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: webhook deliveries: %w", err)
	}
	return out, nil
}

// WebhookDeliveryCounts counts deliveries: pending is every unsent one,
// failing the unsent ones that failed at least once, sent the delivered.
func (s *Store) WebhookDeliveryCounts(ctx context.Context) (pending, sent, failing int, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0)
		FROM webhook_deliveries`).Scan(&pending, &sent, &failing)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: webhook delivery counts: %w", err)
	}
	return pending, sent, failing, nil
}

// DigestRecipients returns every active person whose digest is daily or
// weekly, by id.
func (s *Store) DigestRecipients(ctx context.Context) ([]notify.DigestRecipient, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT u.id, u.email, u.name, u.language, u.digest,
		COALESCE(d.period, ''), d.covered_until
		FROM users u LEFT JOIN user_digests d ON d.user_id = u.id
		WHERE u.active = 1 AND u.digest IN ('daily', 'weekly') ORDER BY u.id`)
	if err != nil {
		return nil, fmt.Errorf("store: digest recipients: %w", err)
	}
	defer rows.Close()
	var out []notify.DigestRecipient
	for rows.Next() {
		var r notify.DigestRecipient
		if err := rows.Scan(&r.UserID, &r.Email, &r.Name, &r.Language, &r.Digest, &r.LastPeriod, timeScanner{&r.CoveredUntil}); err != nil {
			return nil, fmt.Errorf("store: digest recipients: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: digest recipients: %w", err)
	}
	return out, nil
}

// DigestPosts returns the posts targeted to the user that went live after
// after and no later than until and are still live at until, newest first.
func (s *Store) DigestPosts(ctx context.Context, userID int64, after, until time.Time) ([]post.Post, error) {
	live, args := liveAt("p", until)
	rows, err := s.read.QueryContext(ctx, `SELECT `+postColumns+postFrom+`
		WHERE `+live+` AND p.went_live_at > ? AND p.went_live_at <= ? AND `+targetedTo+`
		ORDER BY p.went_live_at DESC, p.id DESC`, append(args, timestamp(after), timestamp(until), userID)...)
	if err != nil {
		return nil, fmt.Errorf("store: digest posts for user %d: %w", userID, err)
	}
	var posts []post.Post
	for rows.Next() {
		var p post.Post
		if err := scanPost(rows, &p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: digest posts for user %d: %w", userID, err)
		}
		posts = append(posts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: digest posts for user %d: %w", userID, err)
	}
	return posts, loadPostParts(ctx, s.read, posts)
}

// RecordDigest records that the user's digest for period (e.g.
// "day:2026-11-05") covered posts up to until and, if digest is not nil,
// queues it in the same transaction. If that period is already recorded
// for the user (another pass or instance got there first) nothing changes
// and recorded is false.
func (s *Store) RecordDigest(ctx context.Context, userID int64, period string, until time.Time, digest *mail.Mail) (recorded bool, err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: record digest of user %d: %w", userID, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO user_digests (user_id, period, covered_until) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET period = excluded.period, covered_until = excluded.covered_until
		WHERE user_digests.period <> excluded.period`, userID, period, timestamp(until))
	if err != nil {
		return false, fmt.Errorf("store: record digest of user %d: %w", userID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if digest == nil {
		if err := tx.Commit(); err != nil {
			return false, fmt.Errorf("store: record digest of user %d: %w", userID, err)
		}
		return true, nil
	}
	if _, err := enqueueMail(ctx, tx, s.now(), *digest); err != nil {
		return false, err
	}
	if err := s.commitMail(tx); err != nil {
		return false, fmt.Errorf("store: record digest of user %d: %w", userID, err)
	}
	return true, nil
}
