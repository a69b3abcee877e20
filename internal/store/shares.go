package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/share"
)

// ShareLink returns the tracked link for (userID, postID, network),
// creating it with a code from newCode the first time, and records a share
// on it with the follower count the user declared for that network. Both
// happen in one transaction. It returns the share's id too.
func (s *Store) ShareLink(ctx context.Context, userID, postID int64, n share.Network, newCode func() string) (Link, int64, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return Link{}, 0, fmt.Errorf("store: share post %d: %w", postID, err)
	}
	defer tx.Rollback()
	l, shareID, err := recordShare(ctx, tx, userID, postID, n, newCode, s.now())
	if err != nil {
		return Link{}, 0, err
	}
	return l, shareID, tx.Commit()
}

// recordShare does ShareLink's work in tx.
func recordShare(ctx context.Context, tx *sql.Tx, userID, postID int64, n share.Network, newCode func() string, now time.Time) (Link, int64, error) {
	l := Link{UserID: userID, PostID: postID, Network: n}
	err := tx.QueryRowContext(ctx, `SELECT id, code FROM links WHERE user_id = ? AND post_id = ? AND network = ?`,
		userID, postID, string(n)).Scan(&l.ID, &l.Code)
	if errors.Is(err, sql.ErrNoRows) {
		l.ID, l.Code, err = insertLink(ctx, tx, l, newCode, timestamp(now))
	}
	if err != nil {
		return Link{}, 0, fmt.Errorf("store: link for post %d on %s: %w", postID, n, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO shares (link_id, followers, created_at) VALUES (?,
		COALESCE((SELECT followers FROM user_networks WHERE user_id = ? AND network = ?), 0), ?)`,
		l.ID, userID, string(n), timestamp(now))
	if err != nil {
		return Link{}, 0, fmt.Errorf("store: record share of post %d: %w", postID, err)
	}
	shareID, _ := res.LastInsertId()
	return l, shareID, nil
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

// ConfirmShare records that the user says they posted the share: the
// optional "I posted it" step. Another user's share is ErrNotFound.
func (s *Store) ConfirmShare(ctx context.Context, shareID, userID int64) error {
	res, err := s.write.ExecContext(ctx, `UPDATE shares SET confirmed_at = COALESCE(confirmed_at, ?)
		WHERE id = ? AND link_id IN (SELECT id FROM links WHERE user_id = ?)`, timestamp(s.now()), shareID, userID)
	if err != nil {
		return fmt.Errorf("store: confirm share %d: %w", shareID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: share %d of user %d: %w", shareID, userID, ErrNotFound)
	}
	return nil
}

// ShareHistory returns the user's shares, newest first, at most limit.
func (s *Store) ShareHistory(ctx context.Context, userID int64, limit int) ([]share.HistoryItem, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT sh.id, p.id, p.title, l.network, l.code, sh.followers, sh.created_at, sh.confirmed_at
		FROM shares sh JOIN links l ON l.id = sh.link_id JOIN posts p ON p.id = l.post_id
		WHERE l.user_id = ? ORDER BY sh.id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: shares of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []share.HistoryItem
	for rows.Next() {
		var r share.HistoryItem
		if err := rows.Scan(&r.ID, &r.PostID, &r.PostTitle, &r.Network, &r.Code, &r.Followers,
			timeScanner{&r.At}, timeScanner{&r.ConfirmedAt}); err != nil {
			return nil, fmt.Errorf("store: shares of user %d: %w", userID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
