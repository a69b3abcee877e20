package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/advocacy-portal/portal/internal/share"
)

// Link is a tracked link, unique to one employee, post and network.
type Link struct {
	ID      int64
	Code    string
	UserID  int64
	PostID  int64
	Network share.Network
}

// ShareLink returns the tracked link for (userID, postID, network),
// creating it with a code from newCode the first time, and records a share
// on it. Both happen in one transaction.
func (s *Store) ShareLink(ctx context.Context, userID, postID int64, n share.Network, newCode func() string) (Link, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return Link{}, fmt.Errorf("store: share post %d: %w", postID, err)
	}
	defer tx.Rollback()
	l := Link{UserID: userID, PostID: postID, Network: n}
	err = tx.QueryRowContext(ctx, `SELECT id, code FROM links WHERE user_id = ? AND post_id = ? AND network = ?`,
		userID, postID, string(n)).Scan(&l.ID, &l.Code)
	if errors.Is(err, sql.ErrNoRows) {
		l.ID, l.Code, err = insertLink(ctx, tx, l, newCode, timestamp(s.now()))
	}
	if err != nil {
		return Link{}, fmt.Errorf("store: link for post %d on %s: %w", postID, n, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO shares (link_id, created_at) VALUES (?, ?)`,
		l.ID, timestamp(s.now())); err != nil {
		return Link{}, fmt.Errorf("store: record share of post %d: %w", postID, err)
	}
	return l, tx.Commit()
}

// insertLink inserts a link, drawing a new code if one is already taken.
func insertLink(ctx context.Context, tx *sql.Tx, l Link, newCode func() string, now string) (int64, string, error) {
	for range 5 {
		code := newCode()
		res, err := tx.ExecContext(ctx, `INSERT INTO links (code, user_id, post_id, network, created_at)
			VALUES (?, ?, ?, ?, ?)`, code, l.UserID, l.PostID, string(l.Network), now)
		if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed: links.code") {
			continue
		}
		if err != nil {
			return 0, "", err
		}
		id, err := res.LastInsertId()
		return id, code, err
	}
	return 0, "", errors.New("no free link code after 5 tries")
}

// LinkTarget is what the redirect path needs to know about a tracked link.
type LinkTarget struct {
	LinkID   int64
	Network  share.Network
	PostURL  string
	Campaign string // the post's campaign, or its slug when it has none
}

// LinkTarget returns the redirect target of the link with the given code.
func (s *Store) LinkTarget(ctx context.Context, code string) (LinkTarget, error) {
	var t LinkTarget
	err := s.read.QueryRowContext(ctx, `SELECT l.id, l.network, p.url, CASE WHEN p.campaign = '' THEN p.slug ELSE p.campaign END
		FROM links l JOIN posts p ON p.id = l.post_id WHERE l.code = ?`, code).
		Scan(&t.LinkID, &t.Network, &t.PostURL, &t.Campaign)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("store: link %q: %w", code, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("store: link %q: %w", code, err)
	}
	return t, nil
}

// RecordClick records one click on a tracked link.
func (s *Store) RecordClick(ctx context.Context, linkID int64) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO clicks (link_id, created_at) VALUES (?, ?)`,
		linkID, timestamp(s.now())); err != nil {
		return fmt.Errorf("store: record click on link %d: %w", linkID, err)
	}
	return nil
}

// PostReach is the shares and clicks one post brought in.
type PostReach struct {
	PostID int64
	Title  string
	Shares int
	Clicks int
}

// ReachByPost returns shares and clicks per post, most clicked first. With
// userID 0 it counts everyone's; otherwise only that employee's links.
func (s *Store) ReachByPost(ctx context.Context, userID int64) ([]PostReach, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT p.id, p.title,
			COALESCE(SUM(sh.n), 0), COALESCE(SUM(c.n), 0)
		FROM links l
		JOIN posts p ON p.id = l.post_id
		LEFT JOIN (SELECT link_id, COUNT(*) AS n FROM shares GROUP BY link_id) sh ON sh.link_id = l.id
		LEFT JOIN (SELECT link_id, COUNT(*) AS n FROM clicks GROUP BY link_id) c ON c.link_id = l.id
		WHERE ? = 0 OR l.user_id = ?
		GROUP BY p.id, p.title
		ORDER BY 4 DESC, 3 DESC, p.id DESC`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: reach by post: %w", err)
	}
	defer rows.Close()
	var out []PostReach
	for rows.Next() {
		var r PostReach
		if err := rows.Scan(&r.PostID, &r.Title, &r.Shares, &r.Clicks); err != nil {
			return nil, fmt.Errorf("store: reach by post: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SharedNetworks returns, per post id, the networks userID has shared it to.
func (s *Store) SharedNetworks(ctx context.Context, userID int64) (map[int64][]share.Network, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT l.post_id, l.network FROM links l
		WHERE l.user_id = ? AND EXISTS (SELECT 1 FROM shares sh WHERE sh.link_id = l.id) ORDER BY l.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: shared networks of user %d: %w", userID, err)
	}
	defer rows.Close()
	out := map[int64][]share.Network{}
	for rows.Next() {
		var id int64
		var n share.Network
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("store: shared networks of user %d: %w", userID, err)
		}
		out[id] = append(out[id], n)
	}
	return out, rows.Err()
}
