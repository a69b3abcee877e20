package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/advocacy-portal/portal/internal/post"
)

var _ post.CampaignRepository = (*Store)(nil)

// Campaigns returns every campaign, newest first.
func (s *Store) Campaigns(ctx context.Context) ([]post.Campaign, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT c.id, c.name, c.slug, c.goal_clicks, c.starts_at, c.ends_at, c.created_at,
		(SELECT COUNT(*) FROM posts p WHERE p.campaign_id = c.id) FROM campaigns c ORDER BY c.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: campaigns: %w", err)
	}
	defer rows.Close()
	var out []post.Campaign
	for rows.Next() {
		var c post.Campaign
		if err := rows.Scan(&c.ID, &c.Name, &c.Slug, &c.GoalClicks, timeScanner{&c.StartsAt}, timeScanner{&c.EndsAt},
			timeScanner{&c.CreatedAt}, &c.Posts); err != nil {
			return nil, fmt.Errorf("store: campaigns: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Campaign returns the campaign with the given id.
func (s *Store) Campaign(ctx context.Context, id int64) (post.Campaign, error) {
	c := post.Campaign{ID: id}
	err := s.read.QueryRowContext(ctx, `SELECT name, slug, goal_clicks, starts_at, ends_at, created_at,
		(SELECT COUNT(*) FROM posts WHERE campaign_id = ?) FROM campaigns WHERE id = ?`, id, id).
		Scan(&c.Name, &c.Slug, &c.GoalClicks, timeScanner{&c.StartsAt}, timeScanner{&c.EndsAt}, timeScanner{&c.CreatedAt}, &c.Posts)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("store: campaign %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("store: campaign %d: %w", id, err)
	}
	return c, nil
}

// CreateCampaign stores a campaign; its slug comes from its name. A name
// (or slug) already taken is post.ErrCampaignExists (and ErrExists). It
// is audit-logged.
func (s *Store) CreateCampaign(ctx context.Context, c post.Campaign, actorID int64) (int64, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: create campaign %q: %w", c.Name, err)
	}
	defer tx.Rollback()
	now := s.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (name, slug, goal_clicks, starts_at, ends_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, c.Name, post.Slugify(c.Name), c.GoalClicks, nullTimestamp(c.StartsAt), nullTimestamp(c.EndsAt), timestamp(now))
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return 0, fmt.Errorf("store: create campaign %q: %w (%w)", c.Name, post.ErrCampaignExists, ErrExists)
	}
	if err != nil {
		return 0, fmt.Errorf("store: create campaign %q: %w", c.Name, err)
	}
	id, _ := res.LastInsertId()
	if err := audit(ctx, tx, now, actorID, "campaign.create", fmt.Sprintf("campaign:%d", id), nil,
		map[string]any{"name": c.Name, "goal_clicks": c.GoalClicks}); err != nil {
		return 0, err
	}
	return id, tx.Commit()
}
