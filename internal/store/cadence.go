package store

import (
	"context"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/share"
)

// SettingShareCadence is the setting holding the share cadence, a
// cadence.Rule ({"limit": 3, "hard": false}); unset means no limit.
const SettingShareCadence = "share_cadence"

// ShareCadence returns the share cadence admins set, or no limit.
func (s *Store) ShareCadence(ctx context.Context) (cadence.Rule, error) {
	var r cadence.Rule
	_, err := s.Setting(ctx, SettingShareCadence, &r)
	return r, err
}

// SetShareCadence stores the share cadence, audit-logged as actorID's.
func (s *Store) SetShareCadence(ctx context.Context, r cadence.Rule, actorID int64) error {
	return s.SetSetting(ctx, SettingShareCadence, r, actorID)
}

// SharesToday counts the user's shares on the network recorded at or after
// dayStart (see cadence.DayStart). Every press of a share button counts,
// also a second share of the same post.
func (s *Store) SharesToday(ctx context.Context, userID int64, n share.Network, dayStart time.Time) (int, error) {
	return sharesToday(ctx, s.read, userID, n, dayStart)
}

func sharesToday(ctx context.Context, q rowQuerier, userID int64, n share.Network, dayStart time.Time) (int, error) {
	var count int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM shares sh JOIN links l ON l.id = sh.link_id
		WHERE l.user_id = ? AND l.network = ? AND sh.created_at >= ?`, userID, string(n), timestamp(dayStart)).Scan(&count)
	if err != nil {
		return 0, fmt.Errorf("store: shares today of user %d on %s: %w", userID, n, err)
	}
	return count, nil
}

// SharesTodayByNetwork counts the user's shares since dayStart per network;
// networks without shares are absent.
func (s *Store) SharesTodayByNetwork(ctx context.Context, userID int64, dayStart time.Time) (map[share.Network]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT l.network, COUNT(*) FROM shares sh JOIN links l ON l.id = sh.link_id
		WHERE l.user_id = ? AND sh.created_at >= ? GROUP BY l.network`, userID, timestamp(dayStart))
	if err != nil {
		return nil, fmt.Errorf("store: shares today of user %d: %w", userID, err)
	}
	defer rows.Close()
	counts := map[share.Network]int{}
	for rows.Next() {
		var n share.Network
		var c int
		if err := rows.Scan(&n, &c); err != nil {
			return nil, fmt.Errorf("store: shares today of user %d: %w", userID, err)
		}
		counts[n] = c
	}
	return counts, rows.Err()
}
