package store_test

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestProfileRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "ana@example.com")

	p, err := s.Profile(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Digest != account.DigestWeekly || p.Language != "en" || p.TimeZone != "" || p.MastodonInstance != "" ||
		p.LeaderboardOptOut || len(p.Followers) != 0 {
		t.Errorf("new profile = %+v, want the defaults: weekly digest, English, no followers", p)
	}

	want := account.Profile{Followers: map[string]int{"linkedin": 1200, "x": 0, "mastodon": 85},
		MastodonInstance: "fosstodon.org", Language: "nl", TimeZone: "Europe/Amsterdam", Digest: account.DigestDaily,
		LeaderboardOptOut: true}
	if err := s.SaveProfile(ctx, u.ID, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Profile(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantFollowers := map[string]int{"linkedin": 1200, "mastodon": 85} // zero counts are not kept
	if !maps.Equal(got.Followers, wantFollowers) || got.MastodonInstance != want.MastodonInstance || got.Language != "nl" ||
		got.TimeZone != want.TimeZone || got.Digest != account.DigestDaily || !got.LeaderboardOptOut {
		t.Errorf("Profile after save = %+v, want %+v with followers %v", got, want, wantFollowers)
	}
	user, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if user.Language != "nl" || !user.LanguageChosen || user.MastodonInstance != "fosstodon.org" {
		t.Errorf("user after save = %+v, want Dutch chosen and the instance", user)
	}

	// Saving again replaces the counts: a network set to 0 goes away.
	want.Followers = map[string]int{"linkedin": 0, "x": 40}
	want.Digest, want.LeaderboardOptOut = account.DigestOff, false
	if err := s.SaveProfile(ctx, u.ID, want); err != nil {
		t.Fatal(err)
	}
	if got, err = s.Profile(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got.Followers, map[string]int{"x": 40}) || got.Digest != account.DigestOff || got.LeaderboardOptOut {
		t.Errorf("Profile after second save = %+v, want only x: 40, digest off, on the leaderboard", got)
	}
}

func TestSaveProfileRefusesBadValues(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "ana@example.com")
	good := account.Profile{Followers: map[string]int{"linkedin": 5}, Language: "en", Digest: account.DigestWeekly}
	if err := s.SaveProfile(ctx, u.ID, good); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    account.Profile
	}{
		{"unknown digest", account.Profile{Language: "en", Digest: "hourly"}},
		{"negative followers", account.Profile{Followers: map[string]int{"x": -1}, Language: "en", Digest: account.DigestDaily}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.SaveProfile(ctx, u.ID, tt.p); err == nil {
				t.Fatal("SaveProfile succeeded, want an error")
			}
			got, err := s.Profile(ctx, u.ID)
			if err != nil || got.Digest != account.DigestWeekly || got.Followers["linkedin"] != 5 {
				t.Errorf("profile after a refused save = %+v, %v; want it unchanged", got, err)
			}
		})
	}
	if _, err := s.Profile(ctx, u.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Profile(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.SaveProfile(ctx, u.ID+100, good); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SaveProfile(unknown) = %v, want ErrNotFound", err)
	}
}
