package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/internal/check"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// TestSaveContentSettings holds SaveContentSettings to its contract: the
// checks, the four-eyes rule and the networks, each audit-logged as the
// actor's change, and the networks left alone when none are given.
func TestSaveContentSettings(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	admin := mustSignIn(t, s, "oidc:1", "ada@example.com")

	if ids, chosen, err := s.EnabledNetworks(ctx); err != nil || chosen || ids != nil {
		t.Fatalf("EnabledNetworks before any choice = %v, %t, %v; want none chosen", ids, chosen, err)
	}
	rules := check.DefaultRules()
	rules.BlockedTerms = []string{"guaranteed"}
	if err := s.SaveContentSettings(ctx, post.ContentSettings{FourEyes: false, Checks: rules, Networks: []string{"linkedin", "x"}}, admin.ID); err != nil {
		t.Fatal(err)
	}
	set, err := s.PostSettings(ctx, post.Settings{Policy: post.Policy{FourEyes: true}})
	if err != nil || set.Policy.FourEyes || !slices.Equal(set.Checks.BlockedTerms, []string{"guaranteed"}) {
		t.Errorf("PostSettings = %+v, %v; want four-eyes off and the blocked term", set, err)
	}
	if ids, chosen, err := s.EnabledNetworks(ctx); err != nil || !chosen || !slices.Equal(ids, []string{"linkedin", "x"}) {
		t.Errorf("EnabledNetworks = %v, %t, %v; want linkedin and x chosen", ids, chosen, err)
	}
	wantTargets := func(want ...string) {
		t.Helper()
		rows, _, err := s.SearchAudit(ctx, audit.Filter{Action: "settings.change"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			if r.ActorID != admin.ID {
				t.Errorf("audit entry %+v is not the admin's", r.Entry)
			}
			got = append(got, r.Target)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("settings changes logged for %v, want %v", got, want)
		}
	}
	wantTargets("setting:"+store.SettingCheckRules, "setting:"+store.SettingFourEyes, "setting:"+store.SettingNetworksEnabled)

	if err := s.SaveContentSettings(ctx, post.ContentSettings{FourEyes: true, Checks: rules}, admin.ID); err != nil {
		t.Fatal(err)
	}
	if ids, _, err := s.EnabledNetworks(ctx); err != nil || !slices.Equal(ids, []string{"linkedin", "x"}) {
		t.Errorf("EnabledNetworks after a save without networks = %v, %v; want them left alone", ids, err)
	}
	wantTargets("setting:"+store.SettingCheckRules, "setting:"+store.SettingFourEyes, "setting:"+store.SettingNetworksEnabled,
		"setting:"+store.SettingCheckRules, "setting:"+store.SettingFourEyes)
}
