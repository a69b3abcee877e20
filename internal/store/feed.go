package store

import (
	"context"

	"github.com/advocacy-portal/portal/internal/share"
)

var _ share.FeedRepository = (*Store)(nil)

// FeedFacts implements share.FeedRepository: it reads what q's feed is
// made of, each part as it stands when it is read (a pure read: nothing is
// decided on it that is written).
func (s *Store) FeedFacts(ctx context.Context, q share.FeedRead) (share.FeedFacts, error) {
	var f share.FeedFacts
	var err error
	if f.Progress, err = progress(ctx, s.read, q.UserID); err != nil {
		return f, err
	}
	if f.ConductVersions, err = conductVersions(ctx, s.read); err != nil {
		return f, err
	}
	if f.RequiredChosen, err = setting(ctx, s.read, SettingRequiredModules, &f.RequiredModules); err != nil {
		return f, err
	}
	if f.NetworksChosen, err = setting(ctx, s.read, SettingNetworksEnabled, &f.Networks); err != nil {
		return f, err
	}
	if f.Posts, err = s.Posts(ctx, q.Posts); err != nil {
		return f, err
	}
	if f.Campaigns, err = s.Campaigns(ctx); err != nil {
		return f, err
	}
	if f.Shared, err = s.SharedNetworks(ctx, q.UserID); err != nil {
		return f, err
	}
	if f.Pauses, err = activePauses(ctx, s.read); err != nil {
		return f, err
	}
	if _, err = setting(ctx, s.read, SettingShareCadence, &f.Cadence); err != nil {
		return f, err
	}
	if f.SharedToday, err = s.SharesTodayByNetwork(ctx, q.UserID, q.Since); err != nil {
		return f, err
	}
	return f, nil
}
