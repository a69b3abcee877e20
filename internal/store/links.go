package store

import (
	"context"
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
