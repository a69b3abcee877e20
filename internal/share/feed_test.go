package share

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/training"
)

// openFeed is the feed of a person whose training is done: three posts,
// one in campaign 3 and one about jobs, two networks enabled, a share of
// post 1 on LinkedIn and two on X today.
func openFeed() FeedFacts {
	return FeedFacts{
		Progress:        training.Progress{Acknowledged: []string{"v1"}, Passed: map[string]bool{"basics": true}},
		ConductVersions: []training.ConductVersion{{Seq: 1, Version: "v1", Material: true}},
		Networks:        []string{"x", "linkedin"}, NetworksChosen: true,
		Posts: []post.Post{{ID: 1, Category: post.Product}, {ID: 2, Category: post.Product, CampaignID: 3},
			{ID: 3, Category: post.Jobs}},
		Campaigns:   []post.Campaign{{ID: 3, Name: "Spring"}},
		Shared:      map[int64][]Network{1: {LinkedIn}},
		Cadence:     cadence.Rule{Limit: 3},
		SharedToday: map[Network]int{X: 2, LinkedIn: 0},
	}
}

func TestListingOf(t *testing.T) {
	campaignPause := pause.Pause{ID: 10, Scope: pause.Campaign(3)}
	jobsPause := pause.Pause{ID: 11, Scope: pause.Category(post.Jobs)}
	programme := pause.Pause{ID: 12, Scope: pause.Programme}
	unused := pause.Pause{ID: 13, Scope: pause.Category(post.Culture)}
	tests := []struct {
		name        string
		change      func(*FeedFacts)
		wantMissing []string
		wantPosts   []int64
		wantPauses  []int64
	}{
		{name: "open", wantPosts: []int64{1, 2, 3}},
		{name: "the code of conduct not acknowledged", change: func(f *FeedFacts) { f.Progress.Acknowledged = nil },
			wantMissing: []string{"conduct"}},
		{name: "a required module not passed", change: func(f *FeedFacts) { f.Progress.Passed = nil },
			wantMissing: []string{"basics"}},
		{name: "admins require another module", change: func(f *FeedFacts) { f.RequiredModules, f.RequiredChosen = []string{"extra"}, true },
			wantMissing: []string{"extra"}},
		{name: "admins require none", change: func(f *FeedFacts) {
			f.Progress.Passed, f.RequiredModules, f.RequiredChosen = nil, nil, true
		}, wantPosts: []int64{1, 2, 3}},
		{name: "a campaign pause holds its post", change: func(f *FeedFacts) { f.Pauses = []pause.Pause{campaignPause} },
			wantPosts: []int64{1, 3}, wantPauses: []int64{10}},
		{name: "pauses in the order of the posts they hold, each once, unused ones left out", change: func(f *FeedFacts) {
			f.Posts = append(f.Posts, post.Post{ID: 4, Category: post.Jobs})
			f.Pauses = []pause.Pause{unused, jobsPause, campaignPause}
		}, wantPosts: []int64{1}, wantPauses: []int64{10, 11}},
		{name: "a programme pause is shown first and holds everything", change: func(f *FeedFacts) {
			f.Pauses = []pause.Pause{jobsPause, programme}
		}, wantPauses: []int64{12, 11}},
		{name: "a programme pause with an empty feed", change: func(f *FeedFacts) {
			f.Posts, f.Pauses = nil, []pause.Pause{programme}
		}, wantPauses: []int64{12}},
		{name: "a resumed pause holds nothing", change: func(f *FeedFacts) {
			resumed := campaignPause
			resumed.ResumedAt = gateNow
			f.Pauses = []pause.Pause{resumed}
		}, wantPosts: []int64{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := openFeed()
			if tt.change != nil {
				tt.change(&f)
			}
			l := ListingOf(gateGuidelines(), f)
			var missing []string
			for _, st := range l.Missing {
				if st.Module == nil {
					missing = append(missing, "conduct")
				} else {
					missing = append(missing, st.Module.ID)
				}
			}
			if !slices.Equal(missing, tt.wantMissing) {
				t.Fatalf("missing %v, want %v", missing, tt.wantMissing)
			}
			if len(tt.wantMissing) > 0 {
				if !reflect.DeepEqual(l, Listing{Missing: l.Missing}) {
					t.Errorf("a locked feed shows more than what locks it: %+v", l)
				}
				return
			}
			var posts, pauses []int64
			for _, o := range l.Posts {
				posts = append(posts, o.Post.ID)
			}
			for _, pa := range l.Pauses {
				pauses = append(pauses, pa.ID)
			}
			if !slices.Equal(posts, tt.wantPosts) || !slices.Equal(pauses, tt.wantPauses) {
				t.Errorf("posts %v and pauses %v, want %v and %v", posts, pauses, tt.wantPosts, tt.wantPauses)
			}
			if !slices.Equal(l.Networks, []Network{LinkedIn, X}) {
				t.Errorf("networks %v, want the enabled ones in the order of Networks", l.Networks)
			}
			if len(l.Campaigns) != 1 || l.Campaigns[0].Name != "Spring" {
				t.Errorf("campaigns %+v", l.Campaigns)
			}
			wantCadence := Cadence{Limit: 3, Counts: []NetworkCount{{X, 2}}}
			if !reflect.DeepEqual(l.Cadence, wantCadence) {
				t.Errorf("cadence %+v, want %+v", l.Cadence, wantCadence)
			}
			for _, o := range l.Posts {
				if want := f.Shared[o.Post.ID]; !slices.Equal(o.Shared, want) {
					t.Errorf("post %d shared on %v, want %v", o.Post.ID, o.Shared, want)
				}
			}
		})
	}
}

func TestListingOfEveryNetwork(t *testing.T) {
	f := openFeed()
	f.Networks, f.NetworksChosen = nil, false
	if l := ListingOf(gateGuidelines(), f); !slices.Equal(l.Networks, Networks) {
		t.Errorf("networks %v, want every one when admins never chose", l.Networks)
	}
}

// feedRepo answers with fixed facts and records what it was asked.
type feedRepo struct {
	facts     FeedFacts
	reads     []FeedRead
	limits    []int
	confirmed []int64
	own       map[int64]bool // share ids of the person
}

func (r *feedRepo) FeedFacts(_ context.Context, q FeedRead) (FeedFacts, error) {
	r.reads = append(r.reads, q)
	return r.facts, nil
}

func (r *feedRepo) ShareHistory(_ context.Context, _ int64, limit int) ([]HistoryItem, error) {
	r.limits = append(r.limits, limit)
	return []HistoryItem{{ID: 1}}, nil
}

var errNoRow = apperr.Sentinel(apperr.NotFound, "not found", "We could not find what you asked for.")

func (r *feedRepo) ConfirmShare(_ context.Context, shareID, _ int64) error {
	if !r.own[shareID] {
		return fmt.Errorf("fake: share %d: %w", shareID, errNoRow)
	}
	r.confirmed = append(r.confirmed, shareID)
	return nil
}

func TestFeedFor(t *testing.T) {
	now := time.Date(2026, 11, 5, 23, 30, 0, 0, time.UTC)
	repo := &feedRepo{facts: openFeed()}
	feed := NewFeed(repo, gateGuidelines(), func() time.Time { return now })
	l, err := feed.For(context.Background(), FeedQuery{UserID: 4, Category: "product", Campaign: 3, Language: "de", Search: "launch"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Posts) != 3 {
		t.Errorf("listed %d posts, want the facts' 3", len(l.Posts))
	}
	want := []FeedRead{{UserID: 4, Since: cadence.DayStart(now), Posts: post.Filter{ForUser: 4, LiveAt: now,
		Category: "product", Campaign: 3, Language: "de", Query: "launch"}}}
	if !reflect.DeepEqual(repo.reads, want) {
		t.Errorf("read %+v, want %+v", repo.reads, want)
	}
}

func TestFeedHistoryAndConfirm(t *testing.T) {
	repo := &feedRepo{own: map[int64]bool{5: true}}
	feed := NewFeed(repo, gateGuidelines(), nil)
	ctx := context.Background()
	if items, err := feed.History(ctx, 4); err != nil || len(items) != 1 || !slices.Equal(repo.limits, []int{MaxHistory}) {
		t.Errorf("History = %+v, %v; asked for %v, want at most %d", items, err, repo.limits, MaxHistory)
	}
	if err := feed.Confirm(ctx, 5, 4); err != nil {
		t.Errorf("confirming one's own share: %v", err)
	}
	for _, id := range []int64{6, 0, -1} {
		if err := feed.Confirm(ctx, id, 4); !errors.Is(err, ErrNoShare) || apperr.MessageOf(err) != "There is no such share in your history." {
			t.Errorf("confirming share %d: %v, want ErrNoShare", id, err)
		}
	}
	if !slices.Equal(repo.confirmed, []int64{5}) {
		t.Errorf("confirmed %v, want only the person's own share", repo.confirmed)
	}
}
