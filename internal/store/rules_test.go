package store_test

// The rules the store applies in SQL for speed, each held to its one
// definition in Go: what "live" means (post.Post.Phase) and what a pause
// covers (pause.Scope.Covers).

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// sortedIDs is the posts' ids in increasing order.
func sortedIDs(ps []post.Post) []int64 {
	ids := postIDs(ps)
	slices.Sort(ids)
	return ids
}

// TestLiveAgreesWithPhase checks, for posts in every state and at every
// position in time around their publish time and expiry (to the
// microsecond, finer than the store keeps), that every query deciding in
// SQL whether a post is live or expired gives post.Post.Phase's answer:
// the feed's Posts(LiveAt), an employee's PostImage, the scheduler's
// PublishDue and ExpireDue, and DigestPosts.
func TestLiveAgreesWithPhase(t *testing.T) {
	ctx := context.Background()
	base := newClock().Now() // when the posts are written and approved
	publish, expiry := base.Add(time.Hour), base.Add(3*time.Hour)
	type postCase struct {
		name    string
		publish time.Time // zero: none, so approval publishes it at base
		expires time.Time
		actions []post.Action
	}
	// The first post is the one the instants below are named after.
	approve := []post.Action{post.Submit, post.Approve}
	postCases := []postCase{
		{"approved, published at P, expiring at E", publish, expiry, approve},
		{"draft", publish, expiry, nil},
		{"in review", publish, expiry, []post.Action{post.Submit}},
		{"archived", publish, expiry, []post.Action{post.Submit, post.Approve, post.Archive}},
		{"returned to its author", publish, expiry, []post.Action{post.Submit, post.Return}},
		{"approved without an expiry", publish, time.Time{}, approve},
		{"approved without a publish time", time.Time{}, expiry, approve},
		{"approved, published a day before", base.Add(-24 * time.Hour), time.Time{}, approve},
		// The form refuses an expiry before the publish time; the store
		// follows Phase even so: scheduled until P+1h, then expired.
		{"approved, expiring before its publish time", publish.Add(time.Hour), publish.Add(30 * time.Minute), approve},
	}
	instants := []struct {
		name      string
		at        time.Time
		wantPhase post.Phase // of postCases[0]
	}{
		{"before anything", base.Add(-time.Millisecond), post.PhaseScheduled},
		{"at approval", base, post.PhaseScheduled},
		{"a microsecond before P", publish.Add(-time.Microsecond), post.PhaseScheduled},
		{"at P", publish, post.PhaseLive},
		{"a microsecond after P", publish.Add(time.Microsecond), post.PhaseLive},
		{"between P+30m and P+1h", publish.Add(45 * time.Minute), post.PhaseLive},
		{"a microsecond before E", expiry.Add(-time.Microsecond), post.PhaseLive},
		{"at E", expiry, post.PhaseExpired},
		{"a day after E", expiry.Add(24 * time.Hour), post.PhaseExpired},
	}
	png := store.Image{ContentType: "image/png", Data: []byte("\x89PNG fake"), Width: 1, Height: 1}
	for _, in := range instants {
		t.Run(in.name, func(t *testing.T) {
			clk := newClock()
			s := mustOpenStore(t, store.WithClock(clk.Now))
			pp := mustImagePeople(t, s)
			var posts []post.Post
			for _, pc := range postCases {
				f := post.Fields{Title: pc.name, URL: "https://example.com/" + post.Slugify(pc.name), Category: post.Culture,
					Language: "en", PublishAt: pc.publish, ExpiresAt: pc.expires}
				id, err := s.CreatePostWithImage(ctx, f, &png, pp.mei.ID)
				if err != nil {
					t.Fatalf("%s: %v", pc.name, err)
				}
				for _, a := range pc.actions {
					switch a {
					case post.Return:
						if _, err := s.TransitionPost(ctx, id, a, pp.carlos.ID, "Name the source.", post.DefaultPolicy); err != nil {
							t.Fatalf("%s: %v", pc.name, err)
						}
					case post.Approve:
						mustAct(t, s, id, a, pp.carlos)
					default:
						mustAct(t, s, id, a, pp.mei)
					}
				}
				posts = append(posts, mustPost(t, s, id))
			}
			clk.Set(in.at)
			if ph := posts[0].Phase(in.at); ph != in.wantPhase {
				t.Fatalf("%s is %s, want %s: the instant is not where its name says", postCases[0].name, ph, in.wantPhase)
			}
			var wantLive, wantExpired []int64
			for _, p := range posts {
				switch p.Phase(in.at) {
				case post.PhaseLive:
					wantLive = append(wantLive, p.ID)
				case post.PhaseExpired:
					wantExpired = append(wantExpired, p.ID)
				}
				_, err := s.PostImage(ctx, p.ImageID, store.ImageViewer{UserID: pp.sam.ID, At: in.at})
				if seen := err == nil; seen != p.Live(in.at) {
					t.Errorf("PostImage of %q (%s) = %v; want seen %v", p.Title, p.Phase(in.at), err, p.Live(in.at))
				}
			}
			feed, err := s.Posts(ctx, store.PostFilter{LiveAt: in.at})
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedIDs(feed); !slices.Equal(got, wantLive) {
				t.Errorf("Posts(LiveAt) = %v, want the live ones %v", got, wantLive)
			}
			published, err := s.PublishDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedIDs(published); !slices.Equal(got, wantLive) {
				t.Errorf("PublishDue = %v, want the live ones %v", got, wantLive)
			}
			// What PublishDue just published went live at in.at.
			digest, err := s.DigestPosts(ctx, pp.sam.ID, in.at.Add(-time.Hour), in.at)
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedIDs(digest); !slices.Equal(got, wantLive) {
				t.Errorf("DigestPosts = %v, want the live ones %v", got, wantLive)
			}
			expired, err := s.ExpireDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedIDs(expired); !slices.Equal(got, wantExpired) {
				t.Errorf("ExpireDue = %v, want the expired ones %v", got, wantExpired)
			}
		})
	}
}

// TestPauseAgreesWithCovers checks, for pauses of every kind of scope
// (alone, together, resumed) and posts in and out of campaigns and
// categories, that the posts PublishDue holds back are the ones
// pause.Holding says an active pause covers.
func TestPauseAgreesWithCovers(t *testing.T) {
	ctx := context.Background()
	type scopeOf func(launch, hiring int64) pause.Scope
	programme := func(_, _ int64) pause.Scope { return pause.Programme }
	campaign := func(launch, _ int64) pause.Scope { return pause.Campaign(launch) }
	otherCampaign := func(_, hiring int64) pause.Scope { return pause.Campaign(hiring) } // a campaign without posts
	category := func(c post.Category) scopeOf { return func(_, _ int64) pause.Scope { return pause.Category(c) } }
	tests := []struct {
		name     string
		active   []scopeOf
		resumed  []scopeOf
		wantHeld int // posts held back, so that no case passes by holding none
	}{
		{"no pause", nil, nil, 0},
		{"programme", []scopeOf{programme}, nil, 5},
		{"a campaign", []scopeOf{campaign}, nil, 2},
		{"a campaign without posts", []scopeOf{otherCampaign}, nil, 0},
		{"a category", []scopeOf{category(post.Culture)}, nil, 2},
		{"a category of posts in and out of campaigns", []scopeOf{category(post.Jobs)}, nil, 2},
		{"a category without posts", []scopeOf{category(post.IndustryInsight)}, nil, 0},
		{"a campaign and a category", []scopeOf{campaign, category(post.Product)}, nil, 3},
		{"the programme, resumed", nil, []scopeOf{programme}, 0},
		{"the programme resumed, a category active", []scopeOf{category(post.Jobs)}, []scopeOf{programme}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpenStore(t, store.WithClock(newClock().Now))
			author := mustSignIn(t, s, "a", "a@example.com", account.Comms)
			approver := mustSignIn(t, s, "b", "b@example.com", account.Comms)
			launch := mustCampaign(t, s, author.ID, "Launch")
			hiring := mustCampaign(t, s, author.ID, "Hiring")
			var posts []post.Post
			for _, pc := range []struct {
				campaign int64
				category post.Category
			}{{launch, post.Culture}, {launch, post.Jobs}, {0, post.Culture}, {0, post.Jobs}, {0, post.Product}} {
				id := mustCreatePostFields(t, s, author.ID, post.Fields{Title: fmt.Sprintf("%d %s", pc.campaign, pc.category),
					URL: "https://example.com", Category: pc.category, Language: "en", CampaignID: pc.campaign})
				posts = append(posts, mustApprovePost(t, s, id, author.ID, approver.ID))
			}
			for _, sc := range tt.resumed {
				p, err := s.StartPause(ctx, sc(launch, hiring), "Over", author.ID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.ResumePause(ctx, p.ID, approver.ID); err != nil {
					t.Fatal(err)
				}
			}
			for _, sc := range tt.active {
				if _, err := s.StartPause(ctx, sc(launch, hiring), "Incident", author.ID); err != nil {
					t.Fatal(err)
				}
			}
			pauses, err := s.ActivePauses(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, p := range posts {
				if _, held := pause.Holding(pauses, p); !held {
					want = append(want, p.ID)
				}
			}
			if held := len(posts) - len(want); held != tt.wantHeld {
				t.Fatalf("pause.Holding holds %d posts, want %d: the case does not test what it says", held, tt.wantHeld)
			}
			published, err := s.PublishDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedIDs(published); !slices.Equal(got, want) {
				t.Errorf("PublishDue under %v = %v, want the posts no pause covers %v", pauses, got, want)
			}
		})
	}
}
