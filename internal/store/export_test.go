package store

// Methods for the store's own tests alone: they read what no page reads
// (the rollups of one link, the days whose salts and visitor hashes are
// kept, the clicks not yet rolled up) or write what the product only
// writes together with something else (an image without a post, mail
// without the change it announces). Compiled into the store's tests only,
// so they are no part of the store's API.

import (
	"context"
	"fmt"

	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/reach"
)

// LinkClickCounts returns the rollups of one link summed over its days.
func (s *Store) LinkClickCounts(ctx context.Context, linkID int64) (reach.ClickCounts, error) {
	var c reach.ClickCounts
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(clicks), 0), COALESCE(SUM(previews), 0),
		COALESCE(SUM(bots), 0), COALESCE(SUM(visitors), 0) FROM click_rollups WHERE link_id = ?`, linkID).
		Scan(&c.Clicks, &c.Previews, &c.Bots, &c.Visitors); err != nil {
		return c, fmt.Errorf("store: click counts of link %d: %w", linkID, err)
	}
	return c, nil
}

// VisitorSaltDays lists the days that have a visitor salt, oldest first.
func (s *Store) VisitorSaltDays(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT day FROM visitor_salts ORDER BY day`)
	if err != nil {
		return nil, fmt.Errorf("store: visitor salt days: %w", err)
	}
	defer rows.Close()
	var days []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("store: visitor salt days: %w", err)
		}
		days = append(days, d)
	}
	return days, rows.Err()
}

// ClicksPending reports how many click rows wait for RollUpClicks, by id.
func (s *Store) ClicksPending(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM clicks) - last_click_id
		FROM rollup_progress`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: clicks pending: %w", err)
	}
	return max(n, 0), nil
}

// VisitorHashDays lists the days whose visitor hashes are kept, oldest
// first: today's and yesterday's at most, once a roll-up has run today.
func (s *Store) VisitorHashDays(ctx context.Context) ([]string, error) {
	rows, err := s.visitors.db.QueryContext(ctx, `SELECT DISTINCT day FROM seen ORDER BY day`)
	if err != nil {
		return nil, fmt.Errorf("store: visitor hash days: %w", err)
	}
	defer rows.Close()
	var days []string
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("store: visitor hash days: %w", err)
		}
		days = append(days, dayText(d))
	}
	return days, rows.Err()
}

// SaveImage stores img as a post's image would be stored, but alone, and
// returns its id. Size and SHA256 are computed from Data.
func (s *Store) SaveImage(ctx context.Context, img Image, actorID int64) (int64, error) {
	return s.saveImage(ctx, s.write, img, actorID)
}

// EnqueueMail puts m in the outbox to be sent at m.SendAfter (zero: now),
// as the store's methods do inside their own transactions, and wakes the
// mail worker. ID, CreatedAt, SentAt, Attempts and LastError are ignored.
// If another message already has m's DedupeKey, nothing changes and queued
// is false.
func (s *Store) EnqueueMail(ctx context.Context, m mail.Mail) (queued bool, err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: enqueue mail: %w", err)
	}
	defer tx.Rollback()
	if queued, err = enqueueMail(ctx, tx, s.now(), m); err != nil {
		return false, err
	}
	if err := s.commitMail(tx); err != nil {
		return false, fmt.Errorf("store: enqueue mail: %w", err)
	}
	return queued, nil
}
