package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
