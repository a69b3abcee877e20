package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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

// clickChunk bounds the rows of one multi-row INSERT (4 values a row).
const clickChunk = 200

// RecordClicks writes clicks in one transaction, together with the
// per-link per-day rollups they change: a person's click whose visitor was
// not yet seen on that link that day also counts one more visitor. Either
// every click is committed or none is.
func (s *Store) RecordClicks(ctx context.Context, clicks []Click) error {
	if len(clicks) == 0 {
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: record %d clicks: %w", len(clicks), err)
	}
	defer tx.Rollback()
	rollups, err := insertClicks(ctx, tx, clicks)
	if err != nil {
		return fmt.Errorf("store: record %d clicks: %w", len(clicks), err)
	}
	if err := upsertRollups(ctx, tx, rollups); err != nil {
		return fmt.Errorf("store: record %d clicks: %w", len(clicks), err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: record %d clicks: %w", len(clicks), err)
	}
	return nil
}

type rollupKey struct {
	linkID int64
	day    string
}

// insertClicks inserts the raw rows and the new visitors, and returns what
// each (link, day) rollup must grow by.
func insertClicks(ctx context.Context, tx *sql.Tx, clicks []Click) (map[rollupKey]*ClickCounts, error) {
	rollups := map[rollupKey]*ClickCounts{}
	days := make([]string, len(clicks))
	var visitors []int // indexes of people's clicks
	for i, c := range clicks {
		days[i] = c.At.UTC().Format(DayLayout)
		r := rollups[rollupKey{c.LinkID, days[i]}]
		if r == nil {
			r = &ClickCounts{}
			rollups[rollupKey{c.LinkID, days[i]}] = r
		}
		switch c.Kind {
		case KindClick:
			r.Clicks++
			if len(c.Visitor) > 0 {
				visitors = append(visitors, i)
			}
		case KindPreview:
			r.Previews++
		case KindBot:
			r.Bots++
		default:
			return nil, fmt.Errorf("unknown click kind %q", c.Kind)
		}
	}
	var q strings.Builder
	args := make([]any, 0, 4*min(len(clicks), clickChunk))
	for start := 0; start < len(clicks); start += clickChunk {
		part := clicks[start:min(start+clickChunk, len(clicks))]
		q.Reset()
		args = args[:0]
		q.WriteString(`INSERT INTO clicks (link_id, created_at, kind, visitor_hash) VALUES `)
		for i, c := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?)")
			var visitor any
			if c.Kind == KindClick && len(c.Visitor) > 0 {
				visitor = c.Visitor
			}
			args = append(args, c.LinkID, timestamp(c.At), c.Kind, visitor)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return nil, err
		}
	}
	for start := 0; start < len(visitors); start += clickChunk {
		part := visitors[start:min(start+clickChunk, len(visitors))]
		q.Reset()
		args = args[:0]
		q.WriteString(`INSERT INTO click_visitors (link_id, day, visitor_hash) VALUES `)
		for i, ci := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?)")
			args = append(args, clicks[ci].LinkID, days[ci], clicks[ci].Visitor)
		}
		// Only the rows inserted come back: each is a visitor not yet
		// counted on that link that day (a repeat within the batch too).
		q.WriteString(` ON CONFLICT DO NOTHING RETURNING link_id, day`)
		if err := countNewVisitors(ctx, tx, q.String(), args, rollups); err != nil {
			return nil, err
		}
	}
	return rollups, nil
}

// upsertRollups adds the counts to their (link, day) rollups, in
// statements of up to clickChunk rows.
func upsertRollups(ctx context.Context, tx *sql.Tx, rollups map[rollupKey]*ClickCounts) error {
	var q strings.Builder
	args := make([]any, 0, 6*min(len(rollups), clickChunk))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		q.WriteString(` ON CONFLICT (link_id, day) DO UPDATE SET clicks = clicks + excluded.clicks,
			previews = previews + excluded.previews, bots = bots + excluded.bots, visitors = visitors + excluded.visitors`)
		_, err := tx.ExecContext(ctx, q.String(), args...)
		q.Reset()
		args = args[:0]
		return err
	}
	for key, r := range rollups {
		if len(args) == 0 {
			q.WriteString(`INSERT INTO click_rollups (link_id, day, clicks, previews, bots, visitors) VALUES (?, ?, ?, ?, ?, ?)`)
		} else {
			q.WriteString(", (?, ?, ?, ?, ?, ?)")
		}
		args = append(args, key.linkID, key.day, r.Clicks, r.Previews, r.Bots, r.Visitors)
		if len(args) == 6*clickChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func countNewVisitors(ctx context.Context, tx *sql.Tx, query string, args []any, rollups map[rollupKey]*ClickCounts) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k rollupKey
		if err := rows.Scan(&k.linkID, &k.day); err != nil {
			return err
		}
		if r := rollups[k]; r != nil {
			r.Visitors++
		}
	}
	return rows.Err()
}

// RecordClick records one person's click on a tracked link, without a
// visitor hash. The redirect path uses RecordClicks through internal/reach;
// this is for tools and tests.
func (s *Store) RecordClick(ctx context.Context, linkID int64) error {
	return s.RecordClicks(ctx, []Click{{LinkID: linkID, At: s.now(), Kind: KindClick}})
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

// LinkClickCounts returns the rollups of one link summed over its days.
func (s *Store) LinkClickCounts(ctx context.Context, linkID int64) (ClickCounts, error) {
	var c ClickCounts
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
// days before keepFrom, and the visitor hashes counted on those days: once
// its salt is gone a hash can no longer be matched to anyone.
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
	if _, err := tx.ExecContext(ctx, `DELETE FROM click_visitors WHERE day < ?`, keepFrom); err != nil {
		return nil, fmt.Errorf("store: delete visitor hashes before %s: %w", keepFrom, err)
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
