package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/advocacy-portal/portal/internal/reach"
)

// The store keeps what the redirect path records (reach.Recorder, its
// Writer and Tally).
var _ reach.Store = (*Store)(nil)

// RecordClicks writes hits in one transaction: either every hit is
// committed or none is. It writes the click rows only, with multi-row
// INSERTs, so that the redirect path's group commit stays short; the
// per-link per-day rollups and unique visitors follow by RollUpClicks.
func (s *Store) RecordClicks(ctx context.Context, clicks []reach.Hit) error {
	if len(clicks) == 0 {
		return nil
	}
	rows := make([]any, 0, 4*len(clicks))
	for _, c := range clicks {
		switch c.Kind {
		case reach.Click, reach.Preview, reach.Bot:
		default:
			return fmt.Errorf("store: record %d clicks: unknown click kind %q", len(clicks), c.Kind)
		}
		var visitor any
		if c.Kind == reach.Click && len(c.Visitor) > 0 {
			visitor = c.Visitor
		}
		rows = append(rows, c.LinkID, timestamp(c.At), string(c.Kind), visitor)
	}
	if err := s.insertClicks(ctx, rows); err != nil {
		return fmt.Errorf("store: record %d clicks: %w", len(clicks), err)
	}
	return nil
}

func (s *Store) insertClicks(ctx context.Context, rows []any) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.clickRows.exec(ctx, tx, rows); err != nil {
		return err
	}
	return tx.Commit()
}

// RecordClick records one person's click on a tracked link, without a
// visitor hash, and rolls it up at once. The redirect path uses
// RecordClicks through internal/reach; this is for tools and tests.
func (s *Store) RecordClick(ctx context.Context, linkID int64) error {
	if err := s.RecordClicks(ctx, []reach.Hit{{LinkID: linkID, At: s.now(), Kind: reach.Click}}); err != nil {
		return err
	}
	_, err := s.RollUpClicks(ctx, 0)
	return err
}

// ClickTotals returns the rollups summed over every link and day.
func (s *Store) ClickTotals(ctx context.Context) (reach.ClickCounts, error) {
	var c reach.ClickCounts
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(clicks), 0), COALESCE(SUM(previews), 0),
		COALESCE(SUM(bots), 0), COALESCE(SUM(visitors), 0) FROM click_rollups`).
		Scan(&c.Clicks, &c.Previews, &c.Bots, &c.Visitors); err != nil {
		return c, fmt.Errorf("store: click totals: %w", err)
	}
	return c, nil
}

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

// RawClickCounts counts the raw click rows by kind. It reads the whole
// clicks table: for audits, the benchmark's loss check and tests, never
// for pages (they read the rollups).
func (s *Store) RawClickCounts(ctx context.Context) (reach.ClickCounts, error) {
	var c reach.ClickCounts
	if err := s.read.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(kind = ?), 0), COALESCE(SUM(kind = ?), 0), COALESCE(SUM(kind = ?), 0)
		FROM clicks`, string(reach.Click), string(reach.Preview), string(reach.Bot)).Scan(&c.Clicks, &c.Previews, &c.Bots); err != nil {
		return c, fmt.Errorf("store: raw click counts: %w", err)
	}
	return c, nil
}

// LinkClicks returns the raw clicks of one link, oldest first. Like
// RawClickCounts it is for audits, the benchmark and tests.
func (s *Store) LinkClicks(ctx context.Context, linkID int64) ([]reach.Hit, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT link_id, created_at, kind, visitor_hash FROM clicks
		WHERE link_id = ? ORDER BY id`, linkID)
	if err != nil {
		return nil, fmt.Errorf("store: clicks of link %d: %w", linkID, err)
	}
	defer rows.Close()
	var out []reach.Hit
	for rows.Next() {
		var c reach.Hit
		if err := rows.Scan(&c.LinkID, timeScanner{&c.At}, &c.Kind, &c.Visitor); err != nil {
			return nil, fmt.Errorf("store: clicks of link %d: %w", linkID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// VisitorSalt returns the visitor salt of day (reach.DayLayout), storing fresh
// as that salt if the day has none yet; when two portals race, both get
// the one stored first. In the same transaction it deletes the salts of
// days before keepFrom. (RollUpClicks deletes the visitor hashes of the
// same days: once its salt is gone a hash can no longer be matched to
// anyone.)
func (s *Store) VisitorSalt(ctx context.Context, day, keepFrom string, fresh []byte) ([]byte, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: visitor salt of %s: %w", day, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO visitor_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING`,
		day, fresh); err != nil {
		return nil, fmt.Errorf("store: visitor salt of %s: %w", day, err)
	}
	var salt []byte
	if err := tx.QueryRowContext(ctx, `SELECT salt FROM visitor_salts WHERE day = ?`, day).Scan(&salt); err != nil {
		return nil, fmt.Errorf("store: visitor salt of %s: %w", day, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM visitor_salts WHERE day < ?`, keepFrom); err != nil {
		return nil, fmt.Errorf("store: delete visitor salts before %s: %w", keepFrom, err)
	}
	return salt, tx.Commit()
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

// StoredVisitorSalt returns the salt kept for day, or ErrNotFound. Unlike
// VisitorSalt it never creates one.
func (s *Store) StoredVisitorSalt(ctx context.Context, day string) ([]byte, error) {
	var salt []byte
	err := s.read.QueryRowContext(ctx, `SELECT salt FROM visitor_salts WHERE day = ?`, day).Scan(&salt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: visitor salt of %s: %w", day, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: visitor salt of %s: %w", day, err)
	}
	return salt, nil
}

// SeedLinks creates, in one transaction, an approved live post at postURL
// and n tracked links to it, each for a new employee
// (seed-N-I@example.invalid) on LinkedIn, with codes from newCode. It is
// for the redirect benchmark (cmd/loadtest) and tests, which need many
// links without going through the sharing pages.
func (s *Store) SeedLinks(ctx context.Context, postURL string, n int, newCode func() string) ([]Link, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: seed links: %w", err)
	}
	defer tx.Rollback()
	now := timestamp(s.now())
	tag := fmt.Sprint(s.now().UnixNano())
	res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, created_at) VALUES (?, 'Seed author', ?)`,
		"seed-"+tag+"-author@example.invalid", now)
	if err != nil {
		return nil, fmt.Errorf("store: seed links: %w", err)
	}
	author, _ := res.LastInsertId()
	res, err = tx.ExecContext(ctx, `INSERT INTO posts (title, url, category, slug, status, author_id, approver_id,
			publish_at, went_live_at, created_at, updated_at) VALUES ('Seeded post', ?, 'company_news', ?, 'approved', ?, ?, ?, ?, ?, ?)`,
		postURL, "seeded-post-"+tag, author, author, now, now, now, now)
	if err != nil {
		return nil, fmt.Errorf("store: seed links: %w", err)
	}
	postID, _ := res.LastInsertId()
	links := make([]Link, 0, n)
	for i := range n {
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, created_at) VALUES (?, ?, ?)`,
			fmt.Sprintf("seed-%s-%d@example.invalid", tag, i), fmt.Sprintf("Seed %d", i), now)
		if err != nil {
			return nil, fmt.Errorf("store: seed links: %w", err)
		}
		userID, _ := res.LastInsertId()
		l := Link{UserID: userID, PostID: postID, Network: "linkedin"}
		if l.ID, l.Code, err = insertLink(ctx, tx, l, newCode, now); err != nil {
			return nil, fmt.Errorf("store: seed links: %w", err)
		}
		links = append(links, l)
	}
	return links, tx.Commit()
}
