package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

// sequence returns a newCode func handing out codes in order, and a
// counter of calls.
func sequence(codes ...string) (func() string, *int) {
	calls := 0
	return func() string {
		calls++
		if calls <= len(codes) {
			return codes[calls-1]
		}
		return fmt.Sprintf("extra%05d", calls)
	}, &calls
}

// postReach is what one post brought in, as a line of a reach report.
type postReach struct {
	PostID int64
	Title  string
	Shares int64
	Clicks int64
}

// reachByPost returns the shares and clicks per post on now's UTC day,
// most clicked first, as the reach pages add them up: userID's own, or with
// userID 0 everyone's.
func reachByPost(tb testing.TB, s *store.Store, userID int64, now time.Time) []postReach {
	tb.Helper()
	day := now.UTC().Truncate(24 * time.Hour)
	return reachReportPosts(tb, s, reach.Scope{UserID: userID}, day, day.AddDate(0, 0, 1))
}

// reachReportPosts returns the post lines of scope's reach report on the
// UTC days from from up to to.
func reachReportPosts(tb testing.TB, s *store.Store, scope reach.Scope, from, to time.Time) []postReach {
	tb.Helper()
	r, err := s.ReachReport(context.Background(), scope, from, to)
	if err != nil {
		tb.Fatalf("reach report: %v", err)
	}
	var out []postReach
	for _, l := range r.Posts {
		out = append(out, postReach{PostID: l.ID, Title: l.Name, Shares: l.Shares, Clicks: l.Clicks})
	}
	return out
}

// recordClick records one person's click on a tracked link at at, without
// a visitor hash, and rolls it up, as the redirect path does without a
// click writer.
func recordClick(ctx context.Context, s *store.Store, linkID int64, at time.Time) error {
	if err := s.RecordClicks(ctx, []reach.Hit{{LinkID: linkID, At: at, Kind: reach.Click}}); err != nil {
		return err
	}
	_, err := s.RollUpClicks(ctx, 0)
	return err
}

// sharingSetup is a store with an approved post and two employees.
type sharingSetup struct {
	s         *store.Store
	post      int64 // "Spring Launch", no campaign
	otherPost int64 // "Hiring", campaign jobs-q4
	sam, noor account.User
}

func newSharingSetup(t *testing.T) sharingSetup {
	t.Helper()
	s := mustOpenStore(t)
	author := mustSignIn(t, s, "oidc:a", "mei@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:b", "carlos@example.com", account.Comms)
	st := sharingSetup{s: s,
		sam:  mustSignIn(t, s, "oidc:1", "sam@example.com"),
		noor: mustSignIn(t, s, "oidc:2", "noor@example.com"),
	}
	st.post = mustCreatePost(t, s, author.ID, "Spring Launch", "")
	mustApprovePost(t, s, st.post, author.ID, approver.ID)
	st.otherPost = mustCreatePost(t, s, author.ID, "Hiring", "jobs-q4")
	mustApprovePost(t, s, st.otherPost, author.ID, approver.ID)
	return st
}

func TestShareLink(t *testing.T) {
	ctx := context.Background()
	st := newSharingSetup(t)
	s := st.s
	newCode, calls := sequence("codeAAAAAA", "codeBBBBBB", "codeCCCCCC")

	first, _, err := s.ShareLink(ctx, st.sam.ID, st.post, share.LinkedIn, newCode)
	if err != nil {
		t.Fatalf("ShareLink: %v", err)
	}
	again, _, err := s.ShareLink(ctx, st.sam.ID, st.post, share.LinkedIn, newCode)
	if err != nil {
		t.Fatalf("ShareLink again: %v", err)
	}
	other, _, err := s.ShareLink(ctx, st.sam.ID, st.post, share.X, newCode)
	if err != nil {
		t.Fatalf("ShareLink on X: %v", err)
	}

	tests := []struct {
		name     string
		got      store.Link
		wantCode string
		wantNet  share.Network
	}{
		{"first share creates the link", first, "codeAAAAAA", share.LinkedIn},
		{"second share reuses it", again, "codeAAAAAA", share.LinkedIn},
		{"another network gets another link", other, "codeBBBBBB", share.X},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.Code != tt.wantCode || tt.got.Network != tt.wantNet || tt.got.UserID != st.sam.ID || tt.got.PostID != st.post || tt.got.ID == 0 {
				t.Errorf("link = %+v, want code %s on %s for user %d, post %d", tt.got, tt.wantCode, tt.wantNet, st.sam.ID, st.post)
			}
		})
	}
	if first.ID != again.ID || first.ID == other.ID {
		t.Errorf("link ids = %d, %d, %d; want the first two equal and the third different", first.ID, again.ID, other.ID)
	}
	if *calls != 2 {
		t.Errorf("newCode called %d times, want 2 (once per new link)", *calls)
	}

	reach := reachByPost(t, s, st.sam.ID, time.Now())
	if len(reach) != 1 || reach[0].PostID != st.post || reach[0].Shares != 3 || reach[0].Clicks != 0 {
		t.Errorf("reach by post = %+v, want post %d with 3 shares (2 on LinkedIn, 1 on X), 0 clicks", reach, st.post)
	}
}

func TestShareLinkRetriesCodeCollision(t *testing.T) {
	ctx := context.Background()
	st := newSharingSetup(t)
	s := st.s

	taken, _, err := s.ShareLink(ctx, st.sam.ID, st.post, share.LinkedIn, func() string { return "takencode1" })
	if err != nil {
		t.Fatalf("ShareLink: %v", err)
	}
	newCode, calls := sequence("takencode1", "freshcode1")
	l, _, err := s.ShareLink(ctx, st.noor.ID, st.post, share.LinkedIn, newCode)
	if err != nil {
		t.Fatalf("ShareLink with a colliding code: %v", err)
	}
	if l.Code != "freshcode1" || *calls != 2 {
		t.Errorf("link code = %q after %d calls, want %q after 2", l.Code, *calls, "freshcode1")
	}
	if l.ID == taken.ID {
		t.Errorf("colliding share got Sam's link %d", taken.ID)
	}
	for code, wantUser := range map[string]int64{"takencode1": st.sam.ID, "freshcode1": st.noor.ID} {
		target, err := s.LinkTarget(ctx, code)
		if err != nil {
			t.Errorf("LinkTarget(%s): %v", code, err)
			continue
		}
		if wantLink := map[int64]int64{st.sam.ID: taken.ID, st.noor.ID: l.ID}[wantUser]; target.LinkID != wantLink {
			t.Errorf("LinkTarget(%s).LinkID = %d, want %d", code, target.LinkID, wantLink)
		}
	}

	t.Run("gives up when every code is taken", func(t *testing.T) {
		_, _, err := s.ShareLink(ctx, st.noor.ID, st.otherPost, share.X, func() string { return "takencode1" })
		if err == nil {
			t.Fatalf("ShareLink with only taken codes succeeded, want an error")
		}
		if got, err := s.SharedNetworks(ctx, st.noor.ID); err != nil || len(got[st.otherPost]) != 0 {
			t.Errorf("failed share was recorded: %v (error: %v)", got, err)
		}
	})
}

func TestLinkTarget(t *testing.T) {
	ctx := context.Background()
	st := newSharingSetup(t)
	s := st.s
	noCampaign, _, err := s.ShareLink(ctx, st.sam.ID, st.post, share.Mastodon, share.NewCode)
	if err != nil {
		t.Fatal(err)
	}
	withCampaign, _, err := s.ShareLink(ctx, st.sam.ID, st.otherPost, share.LinkedIn, share.NewCode)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		code         string
		wantTarget   reach.LinkTarget
		wantNotFound bool
	}{
		{"campaign falls back to the slug", noCampaign.Code,
			reach.LinkTarget{LinkID: noCampaign.ID, Network: share.Mastodon, PostURL: "https://example.com/news?id=1", Campaign: "spring-launch"}, false},
		{"post campaign", withCampaign.Code,
			reach.LinkTarget{LinkID: withCampaign.ID, Network: share.LinkedIn, PostURL: "https://example.com/news?id=1", Campaign: "jobs-q4"}, false},
		{"unknown code", "nosuchcode", reach.LinkTarget{}, true},
		{"empty code", "", reach.LinkTarget{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.LinkTarget(ctx, tt.code)
			if tt.wantNotFound {
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("LinkTarget(%q) error = %v, want ErrNotFound", tt.code, err)
				}
				return
			}
			if err != nil || got != tt.wantTarget {
				t.Errorf("LinkTarget(%q) = %+v, %v; want %+v", tt.code, got, err, tt.wantTarget)
			}
		})
	}
}

func TestReachByPost(t *testing.T) {
	ctx := context.Background()
	st := newSharingSetup(t)
	s := st.s
	mustShare := func(u account.User, postID int64, n share.Network) store.Link {
		t.Helper()
		l, _, err := s.ShareLink(ctx, u.ID, postID, n, share.NewCode)
		if err != nil {
			t.Fatalf("ShareLink: %v", err)
		}
		return l
	}
	mustClick := func(l store.Link, n int) {
		t.Helper()
		for range n {
			if err := recordClick(ctx, s, l.ID, time.Now()); err != nil {
				t.Fatalf("record click: %v", err)
			}
		}
	}
	samLinkedIn := mustShare(st.sam, st.post, share.LinkedIn)
	mustShare(st.sam, st.post, share.LinkedIn)
	samX := mustShare(st.sam, st.post, share.X)
	noorLinkedIn := mustShare(st.noor, st.post, share.LinkedIn)
	noorOther := mustShare(st.noor, st.otherPost, share.Email)
	mustClick(samLinkedIn, 3)
	mustClick(samX, 1)
	mustClick(noorLinkedIn, 2)
	mustClick(noorOther, 10)
	nobody := mustSignIn(t, s, "oidc:3", "hannah@example.com")

	tests := []struct {
		name      string
		userID    int64
		wantReach []postReach
	}{
		{"Sam", st.sam.ID, []postReach{{PostID: st.post, Title: "Spring Launch", Shares: 3, Clicks: 4}}},
		{"Noor, most clicked first", st.noor.ID, []postReach{
			{PostID: st.otherPost, Title: "Hiring", Shares: 1, Clicks: 10},
			{PostID: st.post, Title: "Spring Launch", Shares: 1, Clicks: 2},
		}},
		{"everyone (user 0)", 0, []postReach{
			{PostID: st.otherPost, Title: "Hiring", Shares: 1, Clicks: 10},
			{PostID: st.post, Title: "Spring Launch", Shares: 4, Clicks: 6},
		}},
		{"someone who never shared", nobody.ID, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reachByPost(t, s, tt.userID, time.Now()); !slices.Equal(got, tt.wantReach) {
				t.Errorf("reach by post of %d = %+v, want %+v", tt.userID, got, tt.wantReach)
			}
		})
	}
}

func TestRecordClickUnknownLink(t *testing.T) {
	s := mustOpenStore(t)
	if err := recordClick(context.Background(), s, 12345, time.Now()); err == nil {
		t.Errorf("a click on an unknown link was recorded, want a foreign key error")
	}
}

func TestSharedNetworks(t *testing.T) {
	ctx := context.Background()
	st := newSharingSetup(t)
	s := st.s
	for _, sh := range []struct {
		user    account.User
		post    int64
		network share.Network
	}{
		{st.sam, st.post, share.LinkedIn},
		{st.sam, st.post, share.X},
		{st.sam, st.post, share.LinkedIn},
		{st.sam, st.otherPost, share.Copy},
		{st.noor, st.post, share.Mastodon},
	} {
		if _, _, err := s.ShareLink(ctx, sh.user.ID, sh.post, sh.network, share.NewCode); err != nil {
			t.Fatalf("ShareLink: %v", err)
		}
	}
	tests := []struct {
		name   string
		userID int64
		want   map[int64][]share.Network
	}{
		{"Sam", st.sam.ID, map[int64][]share.Network{st.post: {share.LinkedIn, share.X}, st.otherPost: {share.Copy}}},
		{"Noor", st.noor.ID, map[int64][]share.Network{st.post: {share.Mastodon}}},
		{"nobody", 9999, map[int64][]share.Network{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SharedNetworks(ctx, tt.userID)
			if err != nil {
				t.Fatalf("SharedNetworks: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("SharedNetworks = %v, want %v", got, tt.want)
			}
			for id, nets := range tt.want {
				if !slices.Equal(got[id], nets) {
					t.Errorf("SharedNetworks[%d] = %v, want %v", id, got[id], nets)
				}
			}
		})
	}
}
