package store

// The redirect path's storage: where a tracked link goes (LinkTarget), the
// click rows its group commit writes (RecordClicks), and rolling them up,
// off the redirect path, into the per-link per-day counts that every page
// reads (RollUpClicks). The reports over those counts are in reach.go.

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/advocacy-portal/portal/internal/reach"
)

// The store keeps what the redirect path records (reach.Recorder, its
// Writer and Tally).
var _ reach.Store = (*Store)(nil)

// LinkTarget returns the redirect target of the link with the given code.
func (s *Store) LinkTarget(ctx context.Context, code string) (reach.LinkTarget, error) {
	var t reach.LinkTarget
	err := s.read.QueryRowContext(ctx, `SELECT l.id, l.network, p.url, COALESCE(c.slug, p.slug)
		FROM links l JOIN posts p ON p.id = l.post_id LEFT JOIN campaigns c ON c.id = p.campaign_id WHERE l.code = ?`, code).
		Scan(&t.LinkID, &t.Network, &t.PostURL, &t.Campaign)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("store: link %q: %w", code, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("store: link %q: %w", code, err)
	}
	return t, nil
}

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

// Rolling clicks up.
//
// The click writer commits only click rows, so that a redirect waits for
// as little as possible. RollUpClicks then adds them to the per-link
// per-day rollups that every page reads. Telling a new visitor from a
// repeat one means a write at a random place in a large index, which,
// done in the database's own write transaction, would keep the click
// writer waiting: tens of milliseconds per thousand clicks. So the visitor
// hashes seen on each link and day live in a file of their own beside the
// database (portal.visitors.db beside portal.db), with its own write lock.
//
// A pass reads the click rows after the last one rolled up, inserts their
// visitor hashes into the visitors file and, in the same transaction
// there, writes the pass's sums to an outbox and moves that file's mark.
// A second, short transaction in the database adds the outbox to the
// rollups and moves rollup_progress, and the outbox is emptied. A crash
// between the two leaves the outbox, which the next pass applies first,
// so every click is rolled up exactly once.
//
// The visitors file holds only derived, short-lived data: the hashes of
// today and yesterday (older ones are deleted as the salts are). A lost
// file (a restore from backup, say) is made anew; repeat visitors of that
// day may then count once more.

// visitorSchemaVersion is the visitors file's layout, kept in its
// user_version; a later layout that cannot read this one says so at start.
const visitorSchemaVersion = 1

const visitorSchema = `
-- A visitor is the 16-byte hash folded to 8 (foldVisitor): within one
-- link and day two of n visitors share them with a chance of about n²/2⁶⁵.
-- Integer keys keep the index small, and so the pages a pass writes few.
CREATE TABLE IF NOT EXISTS seen (
    day     INTEGER NOT NULL, -- YYYYMMDD, UTC
    link_id INTEGER NOT NULL,
    visitor INTEGER NOT NULL,
    PRIMARY KEY (day, link_id, visitor)
) WITHOUT ROWID;
-- The last click row whose visitors are counted here.
CREATE TABLE IF NOT EXISTS progress (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_click_id INTEGER NOT NULL
);
-- Sums of passes counted here and not yet added to the database's rollups.
CREATE TABLE IF NOT EXISTS outbox (
    pass_from INTEGER NOT NULL,
    pass_to   INTEGER NOT NULL,
    link_id   INTEGER NOT NULL,
    day       TEXT NOT NULL,
    clicks    INTEGER NOT NULL,
    previews  INTEGER NOT NULL,
    bots      INTEGER NOT NULL,
    visitors  INTEGER NOT NULL
);`

// visitorFile is the visitors file of a Store.
type visitorFile struct {
	db     *sql.DB
	insert *sql.Stmt  // a link's visitors of a day, as a JSON array, into seen
	mu     sync.Mutex // one pass at a time in this process
}

// visitorPath is the visitors file beside the database at path.
func visitorPath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + ".visitors" + ext
}

// openVisitors opens (creating if needed) the visitors file of the
// database at path. A new file starts from the clicks rolled up so far.
func (s *Store) openVisitors(ctx context.Context, path string) error {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+visitorPath(path)+"?"+q.Encode())
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	s.visitors.db = db
	var version int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	switch version {
	case 0: // a new file
		if _, err := db.ExecContext(ctx, visitorSchema+fmt.Sprintf("\nPRAGMA user_version = %d;", visitorSchemaVersion)); err != nil {
			return err
		}
	case visitorSchemaVersion:
	default:
		return fmt.Errorf("the file has layout %d; this portal knows layout %d (delete the file to start it afresh)", version, visitorSchemaVersion)
	}
	var applied int64
	if err := s.write.QueryRowContext(ctx, `SELECT last_click_id FROM rollup_progress`).Scan(&applied); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO progress (id, last_click_id) VALUES (1, ?) ON CONFLICT DO NOTHING`, applied); err != nil {
		return err
	}
	// WHERE true: SQLite's grammar needs a WHERE before ON CONFLICT after a SELECT.
	s.visitors.insert, err = db.PrepareContext(ctx, `INSERT INTO seen (day, link_id, visitor)
		SELECT ?, ?, value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`)
	return err
}

// RollUpClicks rolls up the click rows committed since its last call, at
// most limit of them (all if limit <= 0): their clicks, previews and bots
// join the per-link per-day rollups, and a person's visitor hash not yet
// seen on that link that day counts one more visitor. It returns how many
// rows it took (by id); call it again while that equals limit. The portal
// runs it every second (reach.Tally), so dashboards lag the redirects by
// about that much and never count the raw table.
func (s *Store) RollUpClicks(ctx context.Context, limit int) (int64, error) {
	s.visitors.mu.Lock()
	defer s.visitors.mu.Unlock()
	if err := s.applyRollupOutbox(ctx); err != nil {
		return 0, fmt.Errorf("store: roll up clicks: %w", err)
	}
	n, err := s.countPass(ctx, limit)
	if err != nil {
		return 0, fmt.Errorf("store: roll up clicks: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := s.applyRollupOutbox(ctx); err != nil {
		return 0, fmt.Errorf("store: roll up clicks: %w", err)
	}
	return n, nil
}

type rollupKey struct {
	day    int64 // YYYYMMDD
	linkID int64
}

type seenRow struct {
	rollupKey
	visitor int64 // foldVisitor of the hash
}

// foldVisitor folds a visitor hash (reach.VisitorSize, 16 bytes) into 8 by
// XOR of its halves; shorter hashes are padded with zeros.
func foldVisitor(hash []byte) int64 {
	var h [16]byte
	copy(h[:], hash)
	return int64(binary.BigEndian.Uint64(h[:8]) ^ binary.BigEndian.Uint64(h[8:]))
}

// dayNumber turns a day as stored (YYYY-MM-DD) into YYYYMMDD, whose
// order is the days'.
func dayNumber(day string) (int64, error) {
	t, err := time.Parse(reach.DayLayout, day)
	if err != nil {
		return 0, err
	}
	y, m, d := t.Date()
	return int64(y)*10000 + int64(m)*100 + int64(d), nil
}

// dayText turns YYYYMMDD back into the day as stored.
func dayText(n int64) string {
	return time.Date(int(n/10000), time.Month(n/100%100), int(n%100), 0, 0, 0, 0, time.UTC).Format(reach.DayLayout)
}

// countPass counts the next pass of click rows into the visitors file and
// its outbox.
func (s *Store) countPass(ctx context.Context, limit int) (int64, error) {
	var applied, last, counted int64
	if err := s.read.QueryRowContext(ctx, `SELECT last_click_id, (SELECT COALESCE(MAX(id), 0) FROM clicks)
		FROM rollup_progress`).Scan(&applied, &last); err != nil {
		return 0, err
	}
	if err := s.visitors.db.QueryRowContext(ctx, `SELECT last_click_id FROM progress`).Scan(&counted); err != nil {
		return 0, err
	}
	// Rows up to applied are in the rollups whatever the visitors file
	// says (it may be older, restored from a backup).
	from := max(applied, counted)
	to := last
	if limit > 0 {
		to = min(last, from+int64(limit))
	}
	if to <= from {
		return 0, nil
	}
	sums := map[rollupKey]*reach.ClickCounts{}
	var keys []rollupKey
	var seen []seenRow
	rows, err := s.read.QueryContext(ctx, `SELECT link_id, substr(created_at, 1, 10), kind, visitor_hash
		FROM clicks WHERE id > ? AND id <= ?`, from, to)
	if err != nil {
		return 0, err
	}
	days := map[string]int64{}       // a pass sees a day or two
	var day, kind, hash sql.RawBytes // reused row after row: no allocation per row
	for rows.Next() {
		var r seenRow
		if err := rows.Scan(&r.linkID, &day, &kind, &hash); err != nil {
			rows.Close()
			return 0, err
		}
		var ok bool
		if r.day, ok = days[string(day)]; !ok {
			if r.day, err = dayNumber(string(day)); err != nil {
				rows.Close()
				return 0, fmt.Errorf("click row with time %q: %w", day, err)
			}
			days[string(day)] = r.day
		}
		c := sums[r.rollupKey]
		if c == nil {
			c = &reach.ClickCounts{}
			sums[r.rollupKey] = c
			keys = append(keys, r.rollupKey)
		}
		switch string(kind) {
		case string(reach.Click):
			c.Clicks++
			if len(hash) > 0 {
				r.visitor = foldVisitor(hash)
				seen = append(seen, r)
			}
		case string(reach.Preview):
			c.Previews++
		case string(reach.Bot):
			c.Bots++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		// No rows in the range (deleted before they were rolled up, which
		// retention never does): leave both marks, so that the outbox and
		// the rollups stay in step; a later pass takes the range along
		// with newer rows.
		return 0, nil
	}
	// In key order, so that each page of the index is written once.
	slices.SortFunc(seen, func(a, b seenRow) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.linkID, b.linkID), cmp.Compare(a.visitor, b.visitor))
	})

	tx, err := s.visitors.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var now int64
	if err := tx.QueryRowContext(ctx, `SELECT last_click_id FROM progress`).Scan(&now); err != nil {
		return 0, err
	}
	if now != counted {
		return 0, nil // another process counted meanwhile; its pass is in the outbox
	}
	// A link's visitors of a day go in with one statement, as a JSON
	// array (one value for SQLite to take apart, rather than three per
	// row for the driver to convert): the rows it adds are the new ones.
	insert := tx.StmtContext(ctx, s.visitors.insert)
	var list []byte
	for len(seen) > 0 {
		k := seen[0].rollupKey
		list = append(list[:0], '[')
		n := 0
		for ; n < len(seen) && seen[n].rollupKey == k; n++ {
			if n > 0 {
				list = append(list, ',')
			}
			list = strconv.AppendInt(list, seen[n].visitor, 10)
		}
		list = append(list, ']')
		res, err := insert.ExecContext(ctx, k.day, k.linkID, string(list))
		if err != nil {
			return 0, fmt.Errorf("count visitors: %w", err)
		}
		added, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("count visitors: %w", err)
		}
		sums[k].Visitors += added
		seen = seen[n:]
	}
	for _, k := range keys {
		c := sums[k]
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (pass_from, pass_to, link_id, day, clicks, previews, bots, visitors)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, from, to, k.linkID, dayText(k.day), c.Clicks, c.Previews, c.Bots, c.Visitors); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE progress SET last_click_id = ?`, to); err != nil {
		return 0, err
	}
	// Hashes of days before yesterday go, as their salts do (VisitorSalt).
	keepFrom, _ := dayNumber(s.now().UTC().AddDate(0, 0, -1).Format(reach.DayLayout))
	if _, err := tx.ExecContext(ctx, `DELETE FROM seen WHERE day < ?`, keepFrom); err != nil {
		return 0, err
	}
	return to - from, tx.Commit()
}

type outboxRow struct {
	from, to int64
	linkID   int64
	day      string
	counts   reach.ClickCounts
}

// applyRollupOutbox adds the passes waiting in the outbox to the rollups
// in one transaction of the database, and empties the outbox.
func (s *Store) applyRollupOutbox(ctx context.Context) error {
	rows, err := s.visitors.db.QueryContext(ctx, `SELECT pass_from, pass_to, link_id, day, clicks, previews, bots, visitors
		FROM outbox ORDER BY pass_to, rowid`)
	if err != nil {
		return err
	}
	var pending []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.from, &r.to, &r.linkID, &r.day, &r.counts.Clicks, &r.counts.Previews,
			&r.counts.Bots, &r.counts.Visitors); err != nil {
			rows.Close()
			return err
		}
		pending = append(pending, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(pending) == 0 {
		return nil
	}
	applied, err := s.applyRollups(ctx, pending)
	if errors.Is(err, errRollupGap) {
		// The outbox does not start where the rollups end (one of the two
		// files was restored from a backup): count again from the rollups.
		if _, err := s.visitors.db.ExecContext(ctx, `DELETE FROM outbox`); err != nil {
			return err
		}
		_, err = s.visitors.db.ExecContext(ctx, `UPDATE progress SET last_click_id = ?`, applied)
		return err
	}
	if err != nil {
		return err
	}
	_, err = s.visitors.db.ExecContext(ctx, `DELETE FROM outbox WHERE pass_to <= ?`, applied)
	return err
}

var errRollupGap = errors.New("the rollup outbox does not follow on from the rollups")

// applyRollups adds the outbox rows of passes after the rollups' mark to
// the rollups, in one transaction, and returns the new mark.
func (s *Store) applyRollups(ctx context.Context, pending []outboxRow) (int64, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var applied int64
	if err := tx.QueryRowContext(ctx, `SELECT last_click_id FROM rollup_progress`).Scan(&applied); err != nil {
		return 0, err
	}
	mark := applied
	for _, r := range pending {
		if r.to <= applied {
			continue // applied before a crash emptied the outbox
		}
		if r.from != mark && r.to != mark {
			return applied, errRollupGap
		}
		c := r.counts
		if _, err := tx.ExecContext(ctx, `INSERT INTO click_rollups (link_id, day, clicks, previews, bots, visitors)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (link_id, day) DO UPDATE SET clicks = clicks + excluded.clicks, previews = previews + excluded.previews,
				bots = bots + excluded.bots, visitors = visitors + excluded.visitors`,
			r.linkID, r.day, c.Clicks, c.Previews, c.Bots, c.Visitors); err != nil {
			return 0, fmt.Errorf("roll up link %d: %w", r.linkID, err)
		}
		mark = r.to
	}
	if mark == applied {
		return applied, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE rollup_progress SET last_click_id = ?`, mark); err != nil {
		return 0, err
	}
	return mark, tx.Commit()
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
