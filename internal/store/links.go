package store

import (
	"context"
	"fmt"

	"github.com/advocacy-portal/portal/internal/reach"
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

// ReachByPost returns shares and clicks per post, most clicked first. With
// userID 0 it counts everyone's; otherwise only that employee's links.
// Clicks are people's clicks (previews and bots excluded), read from the
// per-link per-day rollups that RecordClicks keeps.
func (s *Store) ReachByPost(ctx context.Context, userID int64) ([]reach.PostTotals, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT p.id, p.title,
			COALESCE(SUM(sh.n), 0), COALESCE(SUM(c.n), 0)
		FROM links l
		JOIN posts p ON p.id = l.post_id
		LEFT JOIN (SELECT link_id, COUNT(*) AS n FROM shares GROUP BY link_id) sh ON sh.link_id = l.id
		LEFT JOIN (SELECT link_id, SUM(clicks) AS n FROM click_rollups GROUP BY link_id) c ON c.link_id = l.id
		WHERE ? = 0 OR l.user_id = ?
		GROUP BY p.id, p.title
		ORDER BY 4 DESC, 3 DESC, p.id DESC`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: reach by post: %w", err)
	}
	defer rows.Close()
	var out []reach.PostTotals
	for rows.Next() {
		var r reach.PostTotals
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
