package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The kinds of request to a tracked link, as stored in clicks.kind.
const (
	KindClick   = "click"   // a person followed the link
	KindPreview = "preview" // a link-preview fetcher or a HEAD request
	KindBot     = "bot"     // a crawler, a script, or no user agent at all
)

// Click is one request to a tracked link. It holds no IP address and no
// user agent: people are told apart only by Visitor.
type Click struct {
	LinkID int64
	At     time.Time
	Kind   string // KindClick, KindPreview or KindBot
	// Visitor is the keyed visitor hash of a person's click (see
	// internal/reach); nil for previews and bots, which are not visitors.
	Visitor []byte
}

// DayLayout formats the UTC day that clicks are rolled up by and that
// visitor salts belong to.
const DayLayout = "2006-01-02"

// RecordClicks writes clicks in one transaction: either every click is
// committed or none is. It writes the click rows only, with multi-row
// INSERTs, so that the redirect path's group commit stays short; the
// per-link per-day rollups and unique visitors follow by RollUpClicks.
func (s *Store) RecordClicks(ctx context.Context, clicks []Click) error {
	if len(clicks) == 0 {
		return nil
	}
	rows := make([]any, 0, 4*len(clicks))
	for _, c := range clicks {
		switch c.Kind {
		case KindClick, KindPreview, KindBot:
		default:
			return fmt.Errorf("store: record %d clicks: unknown click kind %q", len(clicks), c.Kind)
		}
		var visitor any
		if c.Kind == KindClick && len(c.Visitor) > 0 {
			visitor = c.Visitor
		}
		rows = append(rows, c.LinkID, timestamp(c.At), c.Kind, visitor)
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

// ClickCounts is what requests to tracked links added up to.
type ClickCounts struct {
	Clicks   int64 // people's clicks
	Previews int64 // link-preview fetches and HEAD requests
	Bots     int64 // crawlers and scripts
	Visitors int64 // distinct visitors per link per day, summed
}

// ClickTotals returns the rollups summed over every link and day.
func (s *Store) ClickTotals(ctx context.Context) (ClickCounts, error) {
	var c ClickCounts
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(clicks), 0), COALESCE(SUM(previews), 0),
		COALESCE(SUM(bots), 0), COALESCE(SUM(visitors), 0) FROM click_rollups`).
		Scan(&c.Clicks, &c.Previews, &c.Bots, &c.Visitors); err != nil {
		return c, fmt.Errorf("store: click totals: %w", err)
	}
	return c, nil
}

// RawClickCounts counts the raw click rows by kind. It reads the whole
// clicks table: for audits, the benchmark's loss check and tests, never
// for pages (they read the rollups).
func (s *Store) RawClickCounts(ctx context.Context) (ClickCounts, error) {
	var c ClickCounts
	if err := s.read.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(kind = 'click'), 0), COALESCE(SUM(kind = 'preview'), 0), COALESCE(SUM(kind = 'bot'), 0)
		FROM clicks`).Scan(&c.Clicks, &c.Previews, &c.Bots); err != nil {
		return c, fmt.Errorf("store: raw click counts: %w", err)
	}
	return c, nil
}

// LinkClicks returns the raw clicks of one link, oldest first. Like
// RawClickCounts it is for audits, the benchmark and tests.
func (s *Store) LinkClicks(ctx context.Context, linkID int64) ([]Click, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT link_id, created_at, kind, visitor_hash FROM clicks
		WHERE link_id = ? ORDER BY id`, linkID)
	if err != nil {
		return nil, fmt.Errorf("store: clicks of link %d: %w", linkID, err)
	}
	defer rows.Close()
	var out []Click
	for rows.Next() {
		var c Click
		if err := rows.Scan(&c.LinkID, timeScanner{&c.At}, &c.Kind, &c.Visitor); err != nil {
			return nil, fmt.Errorf("store: clicks of link %d: %w", linkID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// VisitorSalt returns the visitor salt of day (DayLayout), storing fresh
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
