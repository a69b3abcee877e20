package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/advocacy-portal/portal/internal/account"
)

var _ account.ProfileRepository = (*Store)(nil)

// Profile returns the user's profile; an unknown user is ErrNotFound.
func (s *Store) Profile(ctx context.Context, userID int64) (account.Profile, error) {
	p := account.Profile{Followers: map[string]int{}}
	err := s.read.QueryRowContext(ctx, `SELECT mastodon_instance, language, time_zone, digest, leaderboard_opt_out
		FROM users WHERE id = ?`, userID).Scan(&p.MastodonInstance, &p.Language, &p.TimeZone, &p.Digest, &p.LeaderboardOptOut)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: profile of user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("store: profile of user %d: %w", userID, err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT network, followers FROM user_networks WHERE user_id = ?`, userID)
	if err != nil {
		return p, fmt.Errorf("store: followers of user %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var network string
		var n int
		if err := rows.Scan(&network, &n); err != nil {
			return p, fmt.Errorf("store: followers of user %d: %w", userID, err)
		}
		p.Followers[network] = n
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("store: followers of user %d: %w", userID, err)
	}
	return p, nil
}

// SaveProfile replaces the user's profile in one transaction: follower
// counts (a count of 0 removes the network's row), Mastodon instance,
// language (recorded as chosen), time zone, digest and leaderboard opt-out.
// The caller validates; a negative count or an unknown digest is refused
// here too. An unknown user is ErrNotFound.
func (s *Store) SaveProfile(ctx context.Context, userID int64, p account.Profile) error {
	if !p.Digest.Valid() {
		return fmt.Errorf("store: save profile of user %d: unknown digest %q", userID, p.Digest)
	}
	for network, n := range p.Followers {
		if n < 0 || network == "" {
			return fmt.Errorf("store: save profile of user %d: bad follower count %d for %q", userID, n, network)
		}
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: save profile of user %d: %w", userID, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE users SET mastodon_instance = ?, language = ?, language_chosen = 1,
		time_zone = ?, digest = ?, leaderboard_opt_out = ? WHERE id = ?`,
		p.MastodonInstance, p.Language, p.TimeZone, string(p.Digest), p.LeaderboardOptOut, userID)
	if err := checkOneRow(res, err, "save profile of user %d", userID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_networks WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: save followers of user %d: %w", userID, err)
	}
	for _, network := range slices.Sorted(maps.Keys(p.Followers)) {
		n := p.Followers[network]
		if n == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_networks (user_id, network, followers) VALUES (?, ?, ?)`,
			userID, network, n); err != nil {
			return fmt.Errorf("store: save followers of user %d: %w", userID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: save profile of user %d: %w", userID, err)
	}
	return nil
}
