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

// RecordClicks writes clicks in one transaction, together with the
// per-link per-day rollups of clicks, previews and bots they change. Either
// every click is committed or none is. Unique visitors are counted after
// the commit, off the redirect path, by CountVisitors.
func (s *Store) RecordClicks(ctx context.Context, clicks []Click) error {
	if len(clicks) == 0 {
		return nil
	}
	if err := s.recordClicks(ctx, clicks); err != nil {
		return fmt.Errorf("store: record %d clicks: %w", len(clicks), err)
	}
	return nil
}

func (s *Store) recordClicks(ctx context.Context, clicks []Click) error {
	type key struct {
		linkID int64
		day    string
	}
	rollups := map[key]*ClickCounts{}
	var order []key // the rollups in first-seen order
	rows := make([]any, 0, 4*len(clicks))
	lastDay, lastDayStart := "", time.Time{}
	for _, c := range clicks {
		at := c.At.UTC()
		if lastDay == "" || at.Before(lastDayStart) || !at.Before(lastDayStart.Add(24*time.Hour)) {
			lastDayStart = at.Truncate(24 * time.Hour)
			lastDay = lastDayStart.Format(DayLayout)
		}
		k := key{c.LinkID, lastDay}
		r := rollups[k]
		if r == nil {
			r = &ClickCounts{}
			rollups[k] = r
			order = append(order, k)
		}
		var visitor any
		switch c.Kind {
		case KindClick:
			r.Clicks++
			if len(c.Visitor) > 0 {
				visitor = c.Visitor
			}
		case KindPreview:
			r.Previews++
		case KindBot:
			r.Bots++
		default:
			return fmt.Errorf("unknown click kind %q", c.Kind)
		}
		rows = append(rows, c.LinkID, timestamp(at), c.Kind, visitor)
	}
	sums := make([]any, 0, 5*len(order))
	for _, k := range order {
		r := rollups[k]
		sums = append(sums, k.linkID, k.day, r.Clicks, r.Previews, r.Bots)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.clickRows.exec(ctx, tx, rows); err != nil {
		return err
	}
	if err := s.rollupRows.exec(ctx, tx, sums); err != nil {
		return fmt.Errorf("roll up: %w", err)
	}
	return tx.Commit()
}

// CountVisitors counts the unique visitors of the people's clicks
// committed since its last call, at most limit clicks (no limit if limit
// <= 0), in one transaction: a visitor hash not yet seen on that link that
// day joins click_visitors and counts one more visitor in the link's
// rollup. It returns how many clicks it looked at; call it again while
// that equals limit. The click writer's clicks are counted so, within a
// second or so, by a background job (reach.VisitorCounter).
func (s *Store) CountVisitors(ctx context.Context, limit int) (int64, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: count visitors: %w", err)
	}
	defer tx.Rollback()
	n, err := countVisitors(ctx, tx, limit)
	if err != nil {
		return 0, fmt.Errorf("store: count visitors: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: count visitors: %w", err)
	}
	return n, nil
}

// countVisitors is CountVisitors within tx. The hashes are inserted in
// key order, so that each page of click_visitors a pass touches is written
// once however many of the clicks land on it.
func countVisitors(ctx context.Context, tx *sql.Tx, limit int) (int64, error) {
	var from, last int64
	if err := tx.QueryRowContext(ctx, `SELECT last_click_id, (SELECT COALESCE(MAX(id), 0) FROM clicks)
		FROM visitor_progress`).Scan(&from, &last); err != nil {
		return 0, err
	}
	to := last
	if limit > 0 {
		to = min(last, from+int64(limit))
	}
	if to <= from {
		return 0, nil
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO click_visitors (link_id, day, visitor_hash)
		SELECT link_id, substr(created_at, 1, 10), visitor_hash FROM clicks
		WHERE id > ? AND id <= ? AND kind = 'click' AND visitor_hash IS NOT NULL
		ORDER BY 1, 2, 3
		ON CONFLICT DO NOTHING
		RETURNING link_id, day`, from, to)
	if err != nil {
		return 0, err
	}
	type key struct {
		linkID int64
		day    string
	}
	fresh := map[key]int64{}
	var order []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.linkID, &k.day); err != nil {
			rows.Close()
			return 0, err
		}
		if fresh[k] == 0 {
			order = append(order, k)
		}
		fresh[k]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, k := range order {
		if _, err := tx.ExecContext(ctx, `INSERT INTO click_rollups (link_id, day, visitors) VALUES (?, ?, ?)
			ON CONFLICT (link_id, day) DO UPDATE SET visitors = visitors + excluded.visitors`, k.linkID, k.day, fresh[k]); err != nil {
			return 0, fmt.Errorf("roll up visitors of link %d: %w", k.linkID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE visitor_progress SET last_click_id = ?`, to); err != nil {
		return 0, err
	}
	return to - from, nil
}

// VisitorPass is how many clicks a background CountVisitors pass takes at
// most: enough to write each touched page once for many clicks, few
// enough to hold the write lock for milliseconds, not seconds.
const VisitorPass = 20_000

// VisitorsPending reports how many clicks wait for CountVisitors, by id.
func (s *Store) VisitorsPending(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM clicks) - last_click_id
		FROM visitor_progress`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: visitors pending: %w", err)
	}
	return max(n, 0), nil
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
	// Clicks still waiting to be counted may be of the days whose hashes
	// go now: count them first, or their visitors would count again.
	if _, err := countVisitors(ctx, tx, 0); err != nil {
		return nil, fmt.Errorf("store: count visitors before deleting old hashes: %w", err)
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
