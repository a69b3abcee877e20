package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

// gateSetup is a store with a live post in a campaign, expiring in two
// days, another live post for a team, and an employee outside the team
// who acknowledged the code of conduct, which is all the guidelines
// require unless admins choose modules.
type gateSetup struct {
	s        *store.Store
	clk      *clocktest.Clock
	svc      *share.Service
	comms    account.User
	emp      account.User
	post     int64
	campaign int64
	forSales int64 // targeted at a team the employee is not in
}

func newGateSetup(t *testing.T) gateSetup {
	t.Helper()
	ctx := context.Background()
	clk := newClock()
	s := mustOpenStore(t, store.WithClock(clk.Now))
	g := &training.Guidelines{Modules: []training.Module{{ID: "basics"}}}
	st := gateSetup{s: s, clk: clk, svc: share.NewService(s, g, clk.Now),
		comms: mustSignIn(t, s, "oidc:a", "mei@example.com", account.Comms),
		emp:   mustSignIn(t, s, "oidc:e", "sam@example.com")}
	approver := mustSignIn(t, s, "oidc:b", "carlos@example.com", account.Comms)
	st.campaign = mustCampaign(t, s, st.comms.ID, "Launch")
	st.post = mustCreatePostFields(t, s, st.comms.ID, post.Fields{Title: "Spring launch", URL: "https://example.com/spring",
		Category: post.Product, Language: "en", CampaignID: st.campaign, Suggestions: []post.Suggestion{{Text: "Have a look."}},
		ExpiresAt: clk.Now().Add(48 * time.Hour)})
	st.forSales = mustCreatePostFields(t, s, st.comms.ID, post.Fields{Title: "For sales", URL: "https://example.com/sales",
		Category: post.Product, Language: "en", GroupIDs: []int64{mustTeam(t, s, "Sales", approver.ID)}})
	for _, id := range []int64{st.post, st.forSales} {
		mustApprovePost(t, s, id, st.comms.ID, approver.ID)
	}
	if _, err := s.PublishDue(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{st.post, st.forSales} {
		if p := mustPost(t, s, id); !p.Live(clk.Now()) {
			t.Fatalf("post %+v is not live", p)
		}
	}
	if err := s.RegisterConductVersion(ctx, "2026.1", "h1", true); err != nil {
		t.Fatal(err)
	}
	if err := s.Acknowledge(ctx, training.Acknowledgement{UserID: st.emp.ID, Version: "2026.1", ContentHash: "h1", ClientIP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// share asks the service to share the post on n as the employee.
func (st gateSetup) share(t *testing.T, r share.Request) share.Outcome {
	t.Helper()
	r.UserID = st.emp.ID
	if r.PostID == 0 {
		r.PostID = st.post
	}
	out, err := st.svc.Share(context.Background(), r)
	if err != nil {
		t.Fatalf("Share: %v", err)
	}
	return out
}

// shares counts the employee's recorded shares.
func (st gateSetup) shares(t *testing.T) int {
	t.Helper()
	h, err := st.s.ShareHistory(context.Background(), st.emp.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

func (st gateSetup) setSetting(t *testing.T, key string, value any) {
	t.Helper()
	if err := st.s.SetSetting(context.Background(), key, value, st.comms.ID); err != nil {
		t.Fatal(err)
	}
}

// TestShareServiceReadsFacts runs the share gate over the store: each fact
// it decides on is read from where the portal keeps it.
func TestShareServiceReadsFacts(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		prepare     func(t *testing.T, st gateSetup)
		req         share.Request // an empty Network means LinkedIn
		forSales    bool          // share the team's post instead of the campaign's
		wantRefused share.Reason
	}{
		{"allowed", nil, share.Request{}, false, ""},
		{"a newer material code of conduct", func(t *testing.T, st gateSetup) {
			if err := st.s.RegisterConductVersion(ctx, "2026.2", "h2", true); err != nil {
				t.Fatal(err)
			}
		}, share.Request{}, false, share.TrainingMissing},
		{"a module admins require, not passed", func(t *testing.T, st gateSetup) {
			st.setSetting(t, store.SettingRequiredModules, []string{"basics"})
		}, share.Request{}, false, share.TrainingMissing},
		{"a module admins require, passed", func(t *testing.T, st gateSetup) {
			st.setSetting(t, store.SettingRequiredModules, []string{"basics"})
			id, _, err := st.s.StartAttempt(ctx, training.Attempt{UserID: st.emp.ID, ModuleID: "basics", Questions: quizQuestions(1)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.s.SaveAnswer(ctx, id, "q1", "a", scoreAt(50)); err != nil {
				t.Fatal(err)
			}
		}, share.Request{}, false, ""},
		{"no such post", nil, share.Request{PostID: 999}, false, share.NoSuchPost},
		{"archived", func(t *testing.T, st gateSetup) {
			if _, err := transitionPost(ctx, st.s, st.post, post.Archive, st.comms.ID, "", post.DefaultPolicy); err != nil {
				t.Fatal(err)
			}
		}, share.Request{}, false, share.NotLive},
		{"expired", func(t *testing.T, st gateSetup) { st.clk.Advance(48 * time.Hour) }, share.Request{}, false, share.NotLive},
		{"targeted at a team the employee is not in", nil, share.Request{}, true, share.NotForYou},
		{"its campaign paused", func(t *testing.T, st gateSetup) {
			if _, err := startPause(ctx, st.s, pause.Campaign(st.campaign), "Incident", st.comms.ID); err != nil {
				t.Fatal(err)
			}
		}, share.Request{}, false, share.Paused},
		{"another category paused", func(t *testing.T, st gateSetup) {
			if _, err := startPause(ctx, st.s, pause.Category(post.Jobs), "Incident", st.comms.ID); err != nil {
				t.Fatal(err)
			}
		}, share.Request{}, false, ""},
		{"network admins turned off", func(t *testing.T, st gateSetup) {
			st.setSetting(t, store.SettingNetworksEnabled, []string{"x"})
		}, share.Request{}, false, share.NetworkOff},
		{"past a hard cap", func(t *testing.T, st gateSetup) {
			st.setSetting(t, store.SettingShareCadence, cadence.Rule{Limit: 1, Hard: true})
			if _, _, err := st.s.ShareLink(ctx, st.emp.ID, st.post, share.LinkedIn, share.NewCode); err != nil {
				t.Fatal(err)
			}
		}, share.Request{}, false, share.CadenceCap},
		{"yesterday's shares do not count", func(t *testing.T, st gateSetup) {
			st.setSetting(t, store.SettingShareCadence, cadence.Rule{Limit: 1, Hard: true})
			if _, _, err := st.s.ShareLink(ctx, st.emp.ID, st.post, share.LinkedIn, share.NewCode); err != nil {
				t.Fatal(err)
			}
			st.clk.Advance(24 * time.Hour)
		}, share.Request{}, false, ""},
		{"Mastodon without a saved server", nil, share.Request{Network: share.Mastodon}, false, share.InstanceNeeded},
		{"Mastodon with the saved server", func(t *testing.T, st gateSetup) {
			if err := st.s.SetMastodonInstance(ctx, st.emp.ID, "mastodon.social"); err != nil {
				t.Fatal(err)
			}
		}, share.Request{Network: share.Mastodon}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newGateSetup(t)
			if tt.prepare != nil {
				tt.prepare(t, st)
			}
			before := st.shares(t)
			if tt.req.Network == "" {
				tt.req.Network = share.LinkedIn
			}
			if tt.forSales {
				tt.req.PostID = st.forSales
			}
			out := st.share(t, tt.req)
			if out.Refused != tt.wantRefused {
				t.Fatalf("Refused = %q, want %q", out.Refused, tt.wantRefused)
			}
			wantShares := before
			if tt.wantRefused == "" {
				wantShares++
				if out.Recorded.Code == "" || out.Recorded.ShareID == 0 || out.Recorded.LinkID == 0 {
					t.Errorf("Recorded = %+v, want a link and a share", out.Recorded)
				}
			}
			if got := st.shares(t); got != wantShares {
				t.Errorf("shares = %d, want %d", got, wantShares)
			}
		})
	}
}

func TestShareServiceRecords(t *testing.T) {
	ctx := context.Background()
	st := newGateSetup(t)
	mustSetFollowers(t, st.s, st.emp.ID, map[string]int{"linkedin": 300})

	first := st.share(t, share.Request{Network: share.LinkedIn})
	again := st.share(t, share.Request{Network: share.LinkedIn})
	if !first.Allowed() || !again.Allowed() {
		t.Fatalf("refused: %q, %q", first.Refused, again.Refused)
	}
	if first.Recorded.Code != again.Recorded.Code || first.Recorded.LinkID != again.Recorded.LinkID ||
		first.Recorded.ShareID == again.Recorded.ShareID {
		t.Errorf("shares = %+v, %+v; want one link with two shares", first.Recorded, again.Recorded)
	}
	if l, err := st.s.LinkTarget(ctx, first.Recorded.Code); err != nil || l.LinkID != first.Recorded.LinkID || l.Network != share.LinkedIn {
		t.Errorf("link %q = %+v, %v; want link %d on LinkedIn", first.Recorded.Code, l, err, first.Recorded.LinkID)
	}
	h, err := st.s.ShareHistory(ctx, st.emp.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 {
		t.Fatalf("history = %+v, want two shares", h)
	}
	if h[0].ID != again.Recorded.ShareID || h[0].PostID != st.post || h[0].Code != first.Recorded.Code || h[0].Followers != 300 {
		t.Errorf("newest share = %+v, want share %d of post %d on link %q with 300 followers", h[0], again.Recorded.ShareID, st.post, first.Recorded.Code)
	}

	out := st.share(t, share.Request{Network: share.Mastodon, Instance: "https://Fosstodon.org/"})
	if !out.Allowed() || out.Instance != "fosstodon.org" {
		t.Fatalf("Mastodon share = %q to %q, want allowed to fosstodon.org", out.Refused, out.Instance)
	}
	p, err := st.s.Profile(ctx, st.emp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.MastodonInstance != "fosstodon.org" {
		t.Errorf("saved server = %q, want fosstodon.org", p.MastodonInstance)
	}

	refused := st.share(t, share.Request{Network: share.Mastodon, Instance: "not a server"})
	if refused.Refused != share.InstanceInvalid {
		t.Fatalf("Refused = %q, want %q", refused.Refused, share.InstanceInvalid)
	}
	if p, err := st.s.Profile(ctx, st.emp.ID); err != nil || p.MastodonInstance != "fosstodon.org" {
		t.Errorf("saved server after a refused share = %q, %v; want fosstodon.org kept", p.MastodonInstance, err)
	}
}

// TestShareServiceCommittedPause: a pause committed before the share is
// recorded refuses it, and nothing is written.
func TestShareServiceCommittedPause(t *testing.T) {
	ctx := context.Background()
	st := newGateSetup(t)
	if out := st.share(t, share.Request{Network: share.X}); !out.Allowed() {
		t.Fatalf("before the pause: Refused = %q", out.Refused)
	}
	pa, err := startPause(ctx, st.s, pause.Programme, "Incident", st.comms.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := st.share(t, share.Request{Network: share.X})
	if out.Refused != share.Paused || out.Pause.ID != pa.ID {
		t.Fatalf("after the pause: Refused = %q by pause %d, want %q by %d", out.Refused, out.Pause.ID, share.Paused, pa.ID)
	}
	if got := st.shares(t); got != 1 {
		t.Errorf("shares = %d, want only the one before the pause", got)
	}
}

// pauseWhileDeciding is a share.Repository that, while the gate decides,
// has comms start a pause from another goroutine and waits a moment for it.
type pauseWhileDeciding struct {
	*store.Store
	commsID   int64
	paused    chan error // StartPause's result
	committed bool       // the pause committed while the gate was deciding
}

func (r *pauseWhileDeciding) RecordShare(ctx context.Context, q share.Query, decide func(share.Facts) (share.Record, bool)) (share.Recorded, error) {
	return r.Store.RecordShare(ctx, q, func(f share.Facts) (share.Record, bool) {
		go func() {
			_, err := startPause(ctx, r.Store, pause.Programme, "Incident", r.commsID)
			r.paused <- err
		}()
		select {
		case err := <-r.paused:
			r.committed = true
			r.paused <- err // for the test to read
		case <-time.After(200 * time.Millisecond):
		}
		return decide(f)
	})
}

// TestShareServiceOneTransaction: the facts are read and the share is
// recorded in one transaction, so a pause cannot commit between the two.
// If the facts were read before the transaction that records the share,
// the pause would commit while the gate decides, and the share would be
// recorded after a pause that holds it.
func TestShareServiceOneTransaction(t *testing.T) {
	ctx := context.Background()
	st := newGateSetup(t)
	repo := &pauseWhileDeciding{Store: st.s, commsID: st.comms.ID, paused: make(chan error, 1)}
	svc := share.NewService(repo, &training.Guidelines{}, st.clk.Now)

	out, err := svc.Share(ctx, share.Request{UserID: st.emp.ID, PostID: st.post, Network: share.LinkedIn})
	if err != nil {
		t.Fatalf("Share: %v", err)
	}
	if repo.committed {
		t.Fatal("a pause committed while the gate was deciding")
	}
	if !out.Allowed() {
		t.Fatalf("Refused = %q, want the share allowed on the facts before the pause", out.Refused)
	}
	if err := <-repo.paused; err != nil {
		t.Fatalf("StartPause after the share: %v", err)
	}
	if got := st.shares(t); got != 1 {
		t.Errorf("shares = %d, want 1", got)
	}
	if out := st.share(t, share.Request{Network: share.LinkedIn}); out.Refused != share.Paused {
		t.Errorf("after the pause committed: Refused = %q, want %q", out.Refused, share.Paused)
	}
}
