package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestCreateCampaign(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	comms := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	starts, ends := c.Now().Add(24*time.Hour), c.Now().Add(30*24*time.Hour)

	tests := []struct {
		name       string
		campaign   post.Campaign
		wantSlug   string
		wantExists bool
	}{
		{"with a goal and dates", post.Campaign{Name: "Spring Launch 2026", GoalClicks: 500, StartsAt: starts, EndsAt: ends},
			"spring-launch-2026", false},
		{"without goal or dates", post.Campaign{Name: "Hiring Q4"}, "hiring-q4", false},
		{"same name, other case", post.Campaign{Name: "spring launch 2026"}, "", true},
		{"other name, same slug", post.Campaign{Name: "Spring launch, 2026!"}, "", true},
	}
	for _, tt := range tests {
		runStep(t, tt.name, func(t *testing.T) {
			c.Advance(time.Minute)
			auditBefore, err := auditLog(ctx, s, 100)
			if err != nil {
				t.Fatal(err)
			}
			id, err := s.CreateCampaign(ctx, tt.campaign, comms.ID)
			if tt.wantExists {
				if !errors.Is(err, store.ErrExists) {
					t.Fatalf("CreateCampaign = %d, %v; want ErrExists", id, err)
				}
				after, err := auditLog(ctx, s, 100)
				if err != nil {
					t.Fatal(err)
				}
				if len(after) != len(auditBefore) {
					t.Errorf("a refused campaign was audit-logged")
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateCampaign: %v", err)
			}
			got, err := s.Campaign(ctx, id)
			if err != nil {
				t.Fatalf("Campaign: %v", err)
			}
			want := tt.campaign
			want.ID, want.Slug, want.CreatedAt = id, tt.wantSlug, c.Now()
			if got.ID != want.ID || got.Name != want.Name || got.Slug != want.Slug || got.GoalClicks != want.GoalClicks ||
				!got.StartsAt.Equal(want.StartsAt) || !got.EndsAt.Equal(want.EndsAt) || !got.CreatedAt.Equal(want.CreatedAt) || got.Posts != 0 {
				t.Errorf("Campaign = %+v, want %+v", got, want)
			}
			entries, err := auditLog(ctx, s, 1)
			if err != nil || len(entries) != 1 {
				t.Fatalf("audit log = %v, %v", entries, err)
			}
			e := entries[0]
			var after map[string]any
			if err := json.Unmarshal([]byte(e.After), &after); err != nil {
				t.Fatalf("audit entry after %q: %v", e.After, err)
			}
			if e.Action != "campaign.create" || e.Target != fmt.Sprintf("campaign:%d", id) || e.ActorID != comms.ID ||
				after["name"] != tt.campaign.Name || !e.At.Equal(c.Now()) {
				t.Errorf("audit entry = %+v, want campaign.create of campaign:%d by %d", e, id, comms.ID)
			}
		})
	}

	runStep(t, "Campaigns lists newest first with post counts", func(t *testing.T) {
		spring := mustCampaign(t, s, comms.ID, "Spring Launch 2026")
		mustCreatePost(t, s, comms.ID, "One", "Spring Launch 2026")
		mustCreatePost(t, s, comms.ID, "Two", "Spring Launch 2026")
		mustCreatePost(t, s, comms.ID, "No campaign", "")
		all, err := s.Campaigns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].Name != "Hiring Q4" || all[1].ID != spring || all[1].Posts != 2 || all[0].Posts != 0 ||
			all[1].GoalClicks != 500 || !all[1].StartsAt.Equal(starts) {
			t.Errorf("Campaigns = %+v, want Hiring Q4 (0 posts) then Spring Launch 2026 (2 posts)", all)
		}
		if got, err := s.Campaign(ctx, spring); err != nil || got.Posts != 2 {
			t.Errorf("Campaign = %+v, %v; want 2 posts", got, err)
		}
	})
	runStep(t, "unknown campaign", func(t *testing.T) {
		if _, err := s.Campaign(ctx, 4242); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Campaign(unknown) error = %v, want ErrNotFound", err)
		}
	})
}
