package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
)

var _ share.Repository = (*Store)(nil)

// RecordShare implements share.Repository: it reads the share gate's facts
// for q, asks decide, and records the share decide allows, in one write
// transaction. The transaction takes the write lock when it begins, so no
// other write (a pause, an archived post, another share) commits between
// the facts being read and the share being recorded.
func (s *Store) RecordShare(ctx context.Context, q share.Query, decide func(share.Facts) (share.Record, bool)) (share.Recorded, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return share.Recorded{}, fmt.Errorf("store: share post %d: %w", q.PostID, err)
	}
	defer tx.Rollback()
	f, err := s.shareFacts(ctx, tx, q)
	if err != nil {
		return share.Recorded{}, err
	}
	rec, ok := decide(f)
	if !ok {
		return share.Recorded{}, nil
	}
	if rec.Instance != "" {
		if err := setMastodonInstance(ctx, tx, q.UserID, rec.Instance); err != nil {
			return share.Recorded{}, err
		}
	}
	l, shareID, err := recordShare(ctx, tx, q.UserID, q.PostID, q.Network, rec.NewCode, s.now())
	if err != nil {
		return share.Recorded{}, err
	}
	if err := tx.Commit(); err != nil {
		return share.Recorded{}, fmt.Errorf("store: share post %d: %w", q.PostID, err)
	}
	return share.Recorded{LinkID: l.ID, Code: l.Code, ShareID: shareID}, nil
}

// shareFacts reads what the share gate decides on for q, through db.
func (s *Store) shareFacts(ctx context.Context, db rowQuerier, q share.Query) (share.Facts, error) {
	var f share.Facts
	var err error
	if f.Progress, err = progress(ctx, db, q.UserID); err != nil {
		return f, err
	}
	if f.ConductVersions, err = conductVersions(ctx, db); err != nil {
		return f, err
	}
	if f.RequiredChosen, err = setting(ctx, db, SettingRequiredModules, &f.RequiredModules); err != nil {
		return f, err
	}
	f.Post, err = s.postFrom(ctx, db, q.PostID)
	switch {
	case errors.Is(err, ErrNotFound):
		f.Post = post.Post{}
	case err != nil:
		return f, err
	default:
		f.PostFound = true
		if f.Targeted, err = targeted(ctx, db, q.PostID, q.UserID); err != nil {
			return f, err
		}
	}
	if f.Pauses, err = activePauses(ctx, db); err != nil {
		return f, err
	}
	if f.NetworksChosen, err = setting(ctx, db, SettingNetworksEnabled, &f.Networks); err != nil {
		return f, err
	}
	if _, err = setting(ctx, db, SettingShareCadence, &f.Cadence); err != nil {
		return f, err
	}
	if f.SharedToday, err = sharesToday(ctx, db, q.UserID, q.Network, q.Since); err != nil {
		return f, err
	}
	if err := db.QueryRowContext(ctx, `SELECT mastodon_instance FROM users WHERE id = ?`, q.UserID).Scan(&f.Instance); err != nil {
		return f, fmt.Errorf("store: mastodon instance of user %d: %w", q.UserID, err)
	}
	return f, nil
}
