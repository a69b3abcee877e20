package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestPauseHoldsPublishingUntilResumed(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := mustOpenStore(t, store.WithClock(clk.Now))
	author := mustSignIn(t, s, "a", "a@example.com", account.Comms)
	approver := mustSignIn(t, s, "b", "b@example.com", account.Comms)
	mustSignIn(t, s, "e", "e@example.com")
	held := mustCreatePost(t, s, author.ID, "In the paused campaign", "Launch")
	free := mustCreatePost(t, s, author.ID, "Elsewhere", "")
	mustApprovePost(t, s, held, author.ID, approver.ID)
	mustApprovePost(t, s, free, author.ID, approver.ID)

	p, err := startPause(ctx, s, pause.Campaign(mustCampaign(t, s, author.ID, "Launch")), "Incident", author.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.PausedBy == "" || !p.Active() {
		t.Errorf("pause = %+v", p)
	}
	live, err := s.PublishDue(ctx)
	if err != nil || len(live) != 1 || live[0].ID != free {
		t.Fatalf("PublishDue during the pause = %v, %v; want only the free post", postIDs(live), err)
	}
	mails, err := s.Outbox(ctx, 10)
	if err != nil || len(mails) != 2 {
		t.Errorf("mails = %d, %v; want one per comms user", len(mails), err)
	}

	clk.Advance(time.Hour)
	if _, err := resumePause(ctx, s, p.ID, approver.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResumePause(ctx, pause.Resume{ID: p.ID, ActorID: approver.ID}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second resume = %v, want ErrNotFound", err)
	}
	if active, err := s.ActivePauses(ctx); err != nil || len(active) != 0 {
		t.Errorf("active = %v, %v", active, err)
	}
	if hist, err := s.PauseHistory(ctx, 10); err != nil || len(hist) != 1 || hist[0].ResumedBy == "" {
		t.Errorf("history = %+v, %v", hist, err)
	}
	live, err = s.PublishDue(ctx)
	if err != nil || len(live) != 1 || live[0].ID != held {
		t.Fatalf("PublishDue after resume = %v, %v; want the held post", postIDs(live), err)
	}
}

func TestSharesToday(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := mustOpenStore(t, store.WithClock(clk.Now))
	author := mustSignIn(t, s, "a", "a@example.com", account.Comms)
	approver := mustSignIn(t, s, "b", "b@example.com", account.Comms)
	emp := mustSignIn(t, s, "e", "e@example.com")
	id := mustCreatePost(t, s, author.ID, "Post", "")
	mustApprovePost(t, s, id, author.ID, approver.ID)
	code := 0
	newCode := func() string { code++; return "code" + string(rune('a'+code)) }
	for _, n := range []share.Network{share.LinkedIn, share.LinkedIn, share.X} {
		if _, _, err := s.ShareLink(ctx, emp.ID, id, n, newCode); err != nil {
			t.Fatal(err)
		}
	}
	day := cadence.DayStart(clk.Now())
	if got, err := s.SharesToday(ctx, emp.ID, share.LinkedIn, day); err != nil || got != 2 {
		t.Errorf("SharesToday linkedin = %d, %v; want 2", got, err)
	}
	if got, err := s.SharesTodayByNetwork(ctx, emp.ID, day); err != nil || got[share.X] != 1 || got[share.LinkedIn] != 2 {
		t.Errorf("by network = %v, %v", got, err)
	}
	if got, err := s.SharesToday(ctx, emp.ID, share.LinkedIn, day.Add(24*time.Hour)); err != nil || got != 0 {
		t.Errorf("next day = %d, want 0 (error: %v)", got, err)
	}
}
