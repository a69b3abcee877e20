package store_test

// The rules the store applies in SQL for speed, each held to its one
// definition in Go: what "live" means (post.Post.Phase), what a pause
// covers (pause.Scope.Covers), and which shares earn points
// (share.Network.Points within the share cadence, cadence.Rule).

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
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
				id, err := createPostWithImage(ctx, s, f, &png, pp.mei.ID)
				if err != nil {
					t.Fatalf("%s: %v", pc.name, err)
				}
				for _, a := range pc.actions {
					switch a {
					case post.Return:
						if _, err := transitionPost(ctx, s, id, a, pp.carlos.ID, "Name the source.", post.DefaultPolicy); err != nil {
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
			feed, err := s.Posts(ctx, post.Filter{LiveAt: in.at})
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
				p, err := startPause(ctx, s, sc(launch, hiring), "Over", author.ID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := resumePause(ctx, s, p.ID, approver.ID); err != nil {
					t.Fatal(err)
				}
			}
			for _, sc := range tt.active {
				if _, err := startPause(ctx, s, sc(launch, hiring), "Incident", author.ID); err != nil {
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

// TestPointsAgreeWithCadence checks that the points the store adds up for
// the leaderboard and for reports are the Go rules': a share earns
// share.Network.Points when it is within cadence.Rule.WithinLimit among
// its person's shares on its network that day (from cadence.DayStart),
// and a person's points are reach.Points of those and their clicks. It
// runs on every network, with shares either side of midnight, over
// digested days and today, and for every kind of scope. The share gate's
// count (SharesToday) is held to the same ranks.
func TestPointsAgreeWithCadence(t *testing.T) {
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	type planned struct {
		at     time.Time
		person int // index in people
		post   int // index in posts
		net    share.Network
	}
	// Up to three shares per person, network and day, and two of Sam's on
	// LinkedIn either side of the first midnight.
	var plan []planned
	for d := range 3 {
		for person := range 2 {
			for k, n := range share.Networks {
				for j := range (d + person + k) % 4 {
					at := day(1 + d).Add(time.Duration(8+3*j)*time.Hour + time.Duration(k)*time.Minute)
					plan = append(plan, planned{at, person, (j + k) % 2, n})
				}
			}
		}
	}
	plan = append(plan, planned{day(2).Add(-time.Millisecond), 0, 0, share.LinkedIn}, planned{day(2), 0, 1, share.LinkedIn})
	slices.SortStableFunc(plan, func(a, b planned) int { return a.at.Compare(b.at) })

	for _, rule := range []cadence.Rule{{}, {Limit: 1}, {Limit: 2}, {Limit: 2, Hard: true}} {
		t.Run(fmt.Sprintf("limit %d hard %v", rule.Limit, rule.Hard), func(t *testing.T) {
			clk := newClock()
			s := mustOpenStore(t, store.WithClock(clk.Now))
			clk.Set(day(1))
			author := mustSignIn(t, s, "mei", "mei@example.com", account.Comms)
			approver := mustSignIn(t, s, "carlos", "carlos@example.com", account.Comms)
			people := []account.User{mustSignIn(t, s, "sam", "sam@example.com"), mustSignIn(t, s, "noor", "noor@example.com")}
			if err := s.SetSetting(ctx, store.SettingShareCadence, rule, author.ID); err != nil {
				t.Fatal(err)
			}
			campaign := mustCampaign(t, s, author.ID, "Spring")
			posts := []int64{mustCreatePost(t, s, author.ID, "Launch", "Spring"), mustCreatePost(t, s, author.ID, "Hiring", "")}
			for _, id := range posts {
				mustApprovePost(t, s, id, author.ID, approver.ID)
			}

			// Record the plan, and what the Go rules make of each share:
			// its rank among its person's shares on its network that day.
			type recorded struct {
				planned
				points int64
				clicks []time.Time
			}
			var shares []recorded
			rank := map[string]int{}
			for i, p := range plan {
				clk.Set(p.at)
				key := fmt.Sprint(p.person, p.net, cadence.DayStart(p.at))
				// The share gate counts the same shares the ranks do.
				today, err := s.SharesToday(ctx, people[p.person].ID, p.net, cadence.DayStart(p.at))
				if err != nil {
					t.Fatal(err)
				}
				if today != rank[key] {
					t.Errorf("SharesToday before share %d = %d, want %d", i, today, rank[key])
				}
				l, _, err := s.ShareLink(ctx, people[p.person].ID, posts[p.post], p.net, share.NewCode)
				if err != nil {
					t.Fatal(err)
				}
				rank[key]++
				r := recorded{planned: p}
				if rule.WithinLimit(rank[key]) {
					r.points = p.net.Points()
				}
				if i%3 == 0 { // a click a second later, on the link
					r.clicks = append(r.clicks, p.at.Add(time.Second))
					err = s.RecordClicks(ctx, []reach.Hit{{LinkID: l.ID, At: r.clicks[0], Kind: reach.Click, Visitor: []byte(fmt.Sprint(i))}})
					if err != nil {
						t.Fatal(err)
					}
				}
				shares = append(shares, r)
			}
			if _, err := s.RollUpClicks(ctx, 0); err != nil {
				t.Fatal(err)
			}
			clk.Set(day(3).Add(12 * time.Hour)) // the 1st and 2nd from digests, the 3rd live

			// want adds up the shares and clicks of the period that keep
			// says are in scope.
			type sums struct{ shares, points, clicks int64 }
			want := func(from, to time.Time, keep func(recorded) bool) sums {
				var w sums
				in := func(at time.Time) bool { return !at.Before(from) && at.Before(to) }
				for _, r := range shares {
					if !keep(r) {
						continue
					}
					if in(r.at) {
						w.shares++
						w.points += r.points
					}
					for _, c := range r.clicks {
						if in(c) {
							w.clicks++
						}
					}
				}
				return w
			}
			periods := [][2]time.Time{{day(1), day(4)}, {day(2), day(4)}, {day(3), day(4)}, {day(1), day(2)}, {day(2), day(3)}}
			var anyLimited bool // some share earns nothing for the limit alone
			for _, r := range shares {
				anyLimited = anyLimited || (r.points == 0 && r.net.Points() > 0)
			}
			if anyLimited != (rule.Limit > 0) {
				t.Fatalf("the plan has shares past the limit: %v, want %v", anyLimited, rule.Limit > 0)
			}
			for _, pr := range periods {
				lines, err := s.Leaderboard(ctx, pr[0], pr[1])
				if err != nil {
					t.Fatal(err)
				}
				got := map[int64]reach.LeaderLine{}
				for _, l := range lines {
					got[l.UserID] = l
				}
				for i, u := range people {
					w := want(pr[0], pr[1], func(r recorded) bool { return r.person == i })
					l, ok := got[u.ID]
					if !ok {
						t.Errorf("leaderboard %s to %s has no line for %s, want %+v", pr[0].Format(time.DateOnly), pr[1].Format(time.DateOnly), u.Email, w)
						continue
					}
					if g := (sums{l.Shares, l.PointShares, l.Clicks}); g != w {
						t.Errorf("leaderboard %s to %s, %s: %+v, want %+v", pr[0].Format(time.DateOnly), pr[1].Format(time.DateOnly), u.Email, g, w)
					}
					if g, w := reach.Points(l.PointShares, l.Clicks), w.points+w.clicks; g != w {
						t.Errorf("leaderboard %s to %s, %s: %d points, want %d", pr[0].Format(time.DateOnly), pr[1].Format(time.DateOnly), u.Email, g, w)
					}
				}
			}
			scopes := []struct {
				line  string // its line in the programme's report: a post's title, a campaign's or a person's name
				scope reach.Scope
				keep  func(recorded) bool
			}{
				{"", reach.Scope{}, func(recorded) bool { return true }},
				{people[0].Name, reach.Scope{UserID: people[0].ID}, func(r recorded) bool { return r.person == 0 }},
				{people[1].Name, reach.Scope{UserID: people[1].ID}, func(r recorded) bool { return r.person == 1 }},
				{"Launch", reach.Scope{PostID: posts[0]}, func(r recorded) bool { return r.post == 0 }},
				{"Hiring", reach.Scope{PostID: posts[1]}, func(r recorded) bool { return r.post == 1 }},
				{"Spring", reach.Scope{CampaignID: campaign}, func(r recorded) bool { return r.post == 0 }},
			}
			// The programme's report breaks the digested days down per
			// post, campaign and person: a share's points there depend on
			// which of a day's shares earn them, not only on how many do.
			for _, pr := range periods {
				r, err := s.ReachReport(ctx, reach.Scope{}, pr[0], pr[1])
				if err != nil {
					t.Fatal(err)
				}
				lines := map[string]reach.Line{}
				for _, l := range slices.Concat(r.Posts, r.Campaigns, r.People) {
					lines[l.Name] = l
				}
				for _, sc := range scopes {
					if sc.line == "" {
						continue
					}
					w := want(pr[0], pr[1], sc.keep)
					l, ok := lines[sc.line]
					if g := (sums{l.Shares, l.PointShares, l.Clicks}); !ok || g != w {
						t.Errorf("report %s to %s, line %q: %+v (found %v), want %+v", pr[0].Format(time.DateOnly), pr[1].Format(time.DateOnly), sc.line, g, ok, w)
					}
				}
			}
			for _, sc := range scopes {
				for _, pr := range periods {
					c, err := s.ReachTotals(ctx, sc.scope, pr[0], pr[1])
					if err != nil {
						t.Fatal(err)
					}
					w := want(pr[0], pr[1], sc.keep)
					if g := (sums{c.Shares, c.PointShares, c.Clicks}); g != w {
						t.Errorf("totals of %+v %s to %s: %+v, want %+v", sc.scope, pr[0].Format(time.DateOnly), pr[1].Format(time.DateOnly), g, w)
					}
				}
			}
		})
	}
}
