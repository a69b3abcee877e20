package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

func mustSetFollowers(tb testing.TB, s *store.Store, userID int64, followers map[string]int) {
	tb.Helper()
	if err := s.SaveProfile(context.Background(), userID, account.Profile{Followers: followers, Language: "en",
		Digest: account.DigestWeekly}); err != nil {
		tb.Fatalf("SaveProfile: %v", err)
	}
}

func TestShareLinkCopiesFollowers(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:a", "mei@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:b", "carlos@example.com", account.Comms)
	sam := mustSignIn(t, s, "oidc:1", "sam@example.com")
	postID := mustCreatePost(t, s, author.ID, "Spring Launch", "")
	mustApprovePost(t, s, postID, author.ID, approver.ID)
	mustSetFollowers(t, s, sam.ID, map[string]int{"linkedin": 500, "x": 20})

	shares := []struct {
		name          string
		network       share.Network
		setFollowers  map[string]int // changed before the share, if set
		wantFollowers int
	}{
		{"LinkedIn with 500 followers", share.LinkedIn, nil, 500},
		{"X with 20", share.X, nil, 20},
		{"a network without a count", share.Mastodon, nil, 0},
		{"LinkedIn again after the count grew", share.LinkedIn, map[string]int{"linkedin": 900}, 900},
	}
	var ids []int64
	for _, sh := range shares {
		runStep(t, sh.name, func(t *testing.T) {
			c.Advance(time.Minute)
			if sh.setFollowers != nil {
				mustSetFollowers(t, s, sam.ID, sh.setFollowers)
			}
			l, shareID, err := s.ShareLink(ctx, sam.ID, postID, sh.network, share.NewCode)
			if err != nil {
				t.Fatalf("ShareLink: %v", err)
			}
			if shareID == 0 || l.ID == 0 {
				t.Fatalf("ShareLink = %+v, share %d; want ids", l, shareID)
			}
			ids = append(ids, shareID)
		})
	}

	history, err := s.ShareHistory(ctx, sam.ID, 10)
	if err != nil {
		t.Fatalf("ShareHistory: %v", err)
	}
	if len(history) != len(shares) {
		t.Fatalf("ShareHistory = %+v, want %d shares", history, len(shares))
	}
	start := newClock().Now()
	for i, sh := range shares {
		r := history[len(shares)-1-i] // newest first
		wantAt := start.Add(time.Duration(i+1) * time.Minute)
		if r.ID != ids[i] || r.Network != sh.network || r.Followers != sh.wantFollowers || r.PostID != postID ||
			r.PostTitle != "Spring Launch" || r.Code == "" || !r.At.Equal(wantAt) || !r.ConfirmedAt.IsZero() {
			t.Errorf("share %d = %+v, want id %d on %s with %d followers at %v, unconfirmed", i, r, ids[i], sh.network, sh.wantFollowers, wantAt)
		}
	}
	if history[0].Code != history[3].Code {
		t.Errorf("two LinkedIn shares have codes %q and %q, want the same link", history[0].Code, history[3].Code)
	}

	runStep(t, "limit keeps the newest", func(t *testing.T) {
		got, err := s.ShareHistory(ctx, sam.ID, 2)
		if err != nil || len(got) != 2 || got[0].ID != ids[3] || got[1].ID != ids[2] {
			t.Errorf("ShareHistory(limit 2) = %+v, %v; want shares %d and %d", got, err, ids[3], ids[2])
		}
	})
	runStep(t, "someone else's history is empty", func(t *testing.T) {
		if got, err := s.ShareHistory(ctx, approver.ID, 10); err != nil || len(got) != 0 {
			t.Errorf("ShareHistory(other) = %+v, %v; want none", got, err)
		}
	})
}

func TestConfirmShare(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:a", "mei@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:b", "carlos@example.com", account.Comms)
	sam := mustSignIn(t, s, "oidc:1", "sam@example.com")
	noor := mustSignIn(t, s, "oidc:2", "noor@example.com")
	postID := mustCreatePost(t, s, author.ID, "Spring Launch", "")
	mustApprovePost(t, s, postID, author.ID, approver.ID)
	_, samShare, err := s.ShareLink(ctx, sam.ID, postID, share.LinkedIn, share.NewCode)
	if err != nil {
		t.Fatal(err)
	}
	_, noorShare, err := s.ShareLink(ctx, noor.ID, postID, share.LinkedIn, share.NewCode)
	if err != nil {
		t.Fatal(err)
	}
	firstConfirm := c.Now().Add(time.Minute)

	tests := []struct {
		name          string
		shareID       int64
		user          account.User
		wantNotFound  bool
		wantConfirmed time.Time // of Sam's share afterwards
	}{
		{"own share", samShare, sam, false, firstConfirm},
		{"again later keeps the first time", samShare, sam, false, firstConfirm},
		{"another person's share", noorShare, sam, true, firstConfirm},
		{"own share confirmed by someone else", samShare, noor, true, firstConfirm},
		{"unknown share", 4242, sam, true, firstConfirm},
	}
	for _, tt := range tests {
		runStep(t, tt.name, func(t *testing.T) {
			c.Advance(time.Minute)
			err := s.ConfirmShare(ctx, tt.shareID, tt.user.ID)
			if tt.wantNotFound != errors.Is(err, store.ErrNotFound) || (!tt.wantNotFound && err != nil) {
				t.Fatalf("ConfirmShare = %v, want not found %v", err, tt.wantNotFound)
			}
			got, err := s.ShareHistory(ctx, sam.ID, 10)
			if err != nil || len(got) != 1 {
				t.Fatalf("ShareHistory = %+v, %v", got, err)
			}
			if !got[0].ConfirmedAt.Equal(tt.wantConfirmed) {
				t.Errorf("Sam's share confirmed at %v, want %v", got[0].ConfirmedAt, tt.wantConfirmed)
			}
			theirs, err := s.ShareHistory(ctx, noor.ID, 10)
			if err != nil || len(theirs) != 1 || !theirs[0].ConfirmedAt.IsZero() {
				t.Errorf("Noor's share = %+v, %v; want unconfirmed", theirs, err)
			}
		})
	}
}
