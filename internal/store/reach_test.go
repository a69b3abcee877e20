package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

// reachSetup is a small programme with known figures:
//
//	2026-03-01 10:00  sam shares Launch on LinkedIn (1000 followers) and Facebook (200)
//	                  LinkedIn link: 4 clicks by 3 visitors, a preview and a bot; Facebook: 1 click
//	2026-03-02        the LinkedIn link: 2 clicks by 2 visitors
//	2026-03-09 09:00  noor (opted out) shares Launch on X (500); sam shares Hiring on LinkedIn
//	                  X link: 3 clicks by 1 visitor
//	2026-03-10 08:00  sam shares Launch on LinkedIn again; the Hiring link: 2 clicks by 2 visitors
//
// It is now 2026-03-10 12:00: today is read live, days before from digests.
type reachSetup struct {
	s                              *store.Store
	db                             *sql.DB
	now                            *time.Time
	sam, noor                      account.User
	launch, hiring                 int64
	campaign                       int64
	teamA, teamB                   int64
	samLI, samFB, noorX, samHiring store.Link
}

func march(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }

func newReachSetup(t *testing.T) reachSetup {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	st := reachSetup{now: &now}
	st.s, st.db = mustOpenStoreAndDB(t, store.WithClock(func() time.Time { return *st.now }))
	s := st.s
	signIn := func(subject, name, department string, roles ...account.Role) account.User {
		u, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: subject, Email: subject + "@example.com", Name: name, Department: department, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	author := signIn("mei", "Mei", "Marketing", account.Comms)
	approver := signIn("carlos", "Carlos", "Marketing", account.Comms)
	st.sam = signIn("sam", "Sam Patel", "Sales")
	st.noor = signIn("noor", "Noor de Vries", "Support")
	if err := s.SaveProfile(ctx, st.sam.ID, account.Profile{Followers: map[string]int{"linkedin": 1000, "facebook": 200},
		Language: "en", Digest: account.DigestWeekly}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveProfile(ctx, st.noor.ID, account.Profile{Followers: map[string]int{"x": 500},
		Language: "en", Digest: account.DigestWeekly, LeaderboardOptOut: true}); err != nil {
		t.Fatal(err)
	}
	st.teamA = mustGroup(t, s, "Team A", account.Team, author.ID, st.sam.ID, st.noor.ID)
	st.teamB = mustGroup(t, s, "Team B", account.Team, author.ID, st.sam.ID)
	st.campaign = mustCampaign(t, s, author.ID, "Spring")
	st.launch = mustCreatePostFields(t, s, author.ID, post.Fields{Title: "Launch", URL: "https://example.com/launch",
		Category: post.CompanyNews, Language: "en", CampaignID: st.campaign})
	mustApprovePost(t, s, st.launch, author.ID, approver.ID)
	st.hiring = mustCreatePostFields(t, s, author.ID, post.Fields{Title: "Hiring", URL: "https://example.com/jobs",
		Category: post.Jobs, Language: "en"})
	mustApprovePost(t, s, st.hiring, author.ID, approver.ID)

	shareAt := func(at time.Time, u account.User, postID int64, n share.Network) store.Link {
		*st.now = at
		l, _, err := s.ShareLink(ctx, u.ID, postID, n, share.NewCode)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	clicks := func(l store.Link, at time.Time, kind reach.Kind, visitors ...string) {
		var cs []reach.Hit
		for _, v := range visitors {
			cs = append(cs, reach.Hit{LinkID: l.ID, At: at, Kind: kind, Visitor: []byte(v)})
		}
		if err := s.RecordClicks(ctx, cs); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RollUpClicks(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	st.samLI = shareAt(march(1).Add(10*time.Hour), st.sam, st.launch, share.LinkedIn)
	st.samFB = shareAt(march(1).Add(10*time.Hour), st.sam, st.launch, share.Facebook)
	clicks(st.samLI, march(1).Add(11*time.Hour), reach.Click, "a", "a", "b", "c")
	clicks(st.samLI, march(1).Add(11*time.Hour), reach.Preview, "")
	clicks(st.samLI, march(1).Add(11*time.Hour), reach.Bot, "")
	clicks(st.samFB, march(1).Add(12*time.Hour), reach.Click, "f")
	clicks(st.samLI, march(2).Add(9*time.Hour), reach.Click, "d", "e")
	st.noorX = shareAt(march(9).Add(9*time.Hour), st.noor, st.launch, share.X)
	st.samHiring = shareAt(march(9).Add(9*time.Hour), st.sam, st.hiring, share.LinkedIn)
	clicks(st.noorX, march(9).Add(10*time.Hour), reach.Click, "g", "g", "g")
	shareAt(march(10).Add(8*time.Hour), st.sam, st.launch, share.LinkedIn)
	clicks(st.samHiring, march(10).Add(9*time.Hour), reach.Click, "h", "i")
	*st.now = march(10).Add(12 * time.Hour)
	return st
}

// counts is the figures of a reach.Counts that tests compare.
type counts struct{ shares, pointShares, reach, clicks, visitors int64 }

func countsOf(c reach.Counts) counts {
	return counts{c.Shares, c.PointShares, c.Reach, c.Clicks, c.Visitors}
}

func lineCounts(lines []reach.Line) map[string]counts {
	out := map[string]counts{}
	for _, l := range lines {
		out[l.Name] = countsOf(l.Counts)
	}
	return out
}

func wantCounts(t *testing.T, what string, got map[string]counts, want map[string]counts) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
		return
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s %q: got %+v, want %+v", what, k, got[k], w)
		}
	}
}

func TestReachReportProgramme(t *testing.T) {
	ctx := context.Background()
	st := newReachSetup(t)
	check := func(t *testing.T) {
		r, err := st.s.ReachReport(ctx, reach.Scope{}, march(1), march(11))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := countsOf(r.Total), (counts{shares: 5, pointShares: 4, reach: 3700, clicks: 12, visitors: 9}); got != want {
			t.Errorf("total = %+v, want %+v", got, want)
		}
		if got := r.Total.NetworkClicks; len(got) != 3 || got[share.LinkedIn] != 8 || got[share.Facebook] != 1 || got[share.X] != 3 {
			t.Errorf("clicks per network = %v, want linkedin 8, facebook 1, x 3", got)
		}
		if len(r.Days) != 10 {
			t.Fatalf("%d days, want 10", len(r.Days))
		}
		wantDays := map[int][3]int64{1: {2, 5, 4}, 2: {0, 2, 2}, 9: {2, 3, 1}, 10: {1, 2, 2}}
		for i, d := range r.Days {
			if !d.Day.Equal(march(i + 1)) {
				t.Errorf("day %d is %s", i, d.Day)
			}
			if got := [3]int64{d.Shares, d.Clicks, d.Visitors}; got != wantDays[i+1] {
				t.Errorf("%s: shares, clicks, visitors = %v, want %v", d.Day.Format(time.DateOnly), got, wantDays[i+1])
			}
		}
		wantCounts(t, "network", lineCounts(r.Networks), map[string]counts{
			"linkedin": {3, 3, 3000, 8, 7}, "facebook": {1, 0, 200, 1, 1}, "x": {1, 1, 500, 3, 1}})
		wantCounts(t, "post", lineCounts(r.Posts), map[string]counts{
			"Launch": {4, 3, 2700, 10, 7}, "Hiring": {1, 1, 1000, 2, 2}})
		if r.Posts[0].Name != "Launch" || r.Posts[0].ID != st.launch || r.Posts[0].Detail != "company_news" || r.Posts[0].ClicksToDate != 10 {
			t.Errorf("top post = %+v, want Launch (company news) with 10 clicks to date", r.Posts[0])
		}
		wantCounts(t, "person", lineCounts(r.People), map[string]counts{
			"Sam Patel": {4, 3, 3200, 9, 8}, "Noor de Vries": {1, 1, 500, 3, 1}})
		if r.People[1].Name != "Noor de Vries" || !r.People[1].OptedOut || r.People[1].Detail != "Support" || r.People[0].OptedOut {
			t.Errorf("people = %+v; comms see Noor, marked as off the leaderboard", r.People)
		}
		wantCounts(t, "department", lineCounts(r.Departments), map[string]counts{
			"Sales": {4, 3, 3200, 9, 8}, "Support": {1, 1, 500, 3, 1}})
		wantCounts(t, "group", lineCounts(r.Groups), map[string]counts{
			"Team A": {5, 4, 3700, 12, 9}, "Team B": {4, 3, 3200, 9, 8}})
		wantCounts(t, "category", lineCounts(r.Categories), map[string]counts{
			"company_news": {4, 3, 2700, 10, 7}, "jobs": {1, 1, 1000, 2, 2}})
		wantCounts(t, "campaign", lineCounts(r.Campaigns), map[string]counts{"Spring": {4, 3, 2700, 10, 7}})
		if c := r.Campaigns[0]; c.ID != st.campaign || c.ClicksToDate != 10 {
			t.Errorf("campaign = %+v, want Spring with 10 clicks to date", c)
		}
	}
	digests := func() (days int) {
		t.Helper()
		if err := st.db.QueryRow(`SELECT COUNT(DISTINCT day) FROM reach_days`).Scan(&days); err != nil {
			t.Fatal(err)
		}
		return days
	}
	runStep(t, "today live", check)
	if n := digests(); n != 9 {
		t.Errorf("%d days digested, want 9 (the 1st to the 9th)", n)
	}
	runStep(t, "again, from the digests built the first time", check)
	runStep(t, "just after midnight, yesterday is still live", func(t *testing.T) {
		*st.now = march(11).Add(5 * time.Minute)
		check(t)
		if n := digests(); n != 9 {
			t.Errorf("%d days digested, want still 9", n)
		}
	})
	runStep(t, "two days on, every day from digests", func(t *testing.T) {
		*st.now = march(12).Add(time.Hour)
		check(t)
		if n := digests(); n != 11 {
			t.Errorf("%d days digested, want 11", n)
		}
		if n, err := st.s.BuildReachDays(ctx); err != nil || n != 0 {
			t.Errorf("BuildReachDays = %d, %v; want 0 left to build", n, err)
		}
	})
}

func TestReachReportPeriodsAndScopes(t *testing.T) {
	ctx := context.Background()
	st := newReachSetup(t)
	tests := []struct {
		name     string
		scope    reach.Scope
		from, to time.Time
		want     counts
	}{
		{"first two days", reach.Scope{}, march(1), march(3), counts{2, 1, 1200, 7, 6}},
		{"the last two days", reach.Scope{}, march(9), march(11), counts{3, 3, 2500, 5, 3}},
		{"a quiet week", reach.Scope{}, march(3), march(9), counts{}},
		{"one person", reach.Scope{UserID: st.noor.ID}, march(1), march(11), counts{1, 1, 500, 3, 1}},
		{"one person, one day", reach.Scope{UserID: st.sam.ID}, march(10), march(11), counts{1, 1, 1000, 2, 2}},
		{"one post", reach.Scope{PostID: st.hiring}, march(1), march(11), counts{1, 1, 1000, 2, 2}},
		{"one campaign", reach.Scope{CampaignID: st.campaign}, march(1), march(11), counts{4, 3, 2700, 10, 7}},
		{"one campaign, first day", reach.Scope{CampaignID: st.campaign}, march(1), march(2), counts{2, 1, 1200, 5, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := st.s.ReachReport(ctx, tt.scope, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if got := countsOf(r.Total); got != tt.want {
				t.Errorf("report total = %+v, want %+v", got, tt.want)
			}
			totals, err := st.s.ReachTotals(ctx, tt.scope, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if got := countsOf(totals); got != tt.want {
				t.Errorf("totals = %+v, want %+v", got, tt.want)
			}
			var clicks int64
			for _, n := range totals.NetworkClicks {
				clicks += n
			}
			if clicks != tt.want.clicks {
				t.Errorf("clicks per network add up to %d, want %d", clicks, tt.want.clicks)
			}
		})
	}

	t.Run("a person's report has no people, departments or groups", func(t *testing.T) {
		r, err := st.s.ReachReport(ctx, reach.Scope{UserID: st.sam.ID}, march(1), march(11))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.People) != 0 || len(r.Departments) != 0 || len(r.Groups) != 0 {
			t.Errorf("people %v, departments %v, groups %v: want none", r.People, r.Departments, r.Groups)
		}
		wantCounts(t, "post", lineCounts(r.Posts), map[string]counts{"Launch": {3, 2, 2200, 7, 6}, "Hiring": {1, 1, 1000, 2, 2}})
		wantCounts(t, "network", lineCounts(r.Networks), map[string]counts{"linkedin": {3, 3, 3000, 8, 7}, "facebook": {1, 0, 200, 1, 1}})
	})

	t.Run("clicks to date and first days", func(t *testing.T) {
		if n, err := st.s.ReachClicksToDate(ctx, reach.Scope{CampaignID: st.campaign}); err != nil || n != 10 {
			t.Errorf("campaign clicks to date = %d, %v; want 10", n, err)
		}
		for _, tt := range []struct {
			scope reach.Scope
			want  time.Time
		}{{reach.Scope{}, march(1)}, {reach.Scope{UserID: st.noor.ID}, march(9)}, {reach.Scope{PostID: st.hiring}, march(9)}} {
			if got, ok, err := st.s.ReachFirstDay(ctx, tt.scope); err != nil || !ok || !got.Equal(tt.want) {
				t.Errorf("first day of %+v = %s, %v, %v; want %s", tt.scope, got, ok, err, tt.want)
			}
		}
		if _, ok, err := st.s.ReachFirstDay(ctx, reach.Scope{UserID: 9999}); ok || err != nil {
			t.Errorf("a person who never shared has a first day (%v)", err)
		}
	})
}

func TestLeaderboard(t *testing.T) {
	ctx := context.Background()
	st := newReachSetup(t)
	lines, err := st.s.Leaderboard(ctx, march(1), march(11))
	if err != nil {
		t.Fatal(err)
	}
	want := reach.LeaderLine{UserID: st.sam.ID, Name: "Sam Patel", Department: "Sales", Shares: 4, PointShares: 3, Clicks: 9}
	if len(lines) != 1 || lines[0] != want {
		t.Fatalf("leaderboard = %+v, want only Sam (Noor opted out): %+v", lines, want)
	}
	if lines, err := st.s.Leaderboard(ctx, march(3), march(9)); err != nil || len(lines) != 0 {
		t.Errorf("leaderboard of a quiet week = %+v, %v; want no one", lines, err)
	}
	lines, err = st.s.Leaderboard(ctx, march(10), march(11))
	if err != nil || len(lines) != 1 || lines[0].Shares != 1 || lines[0].Clicks != 2 {
		t.Errorf("leaderboard of today = %+v, %v; want Sam with 1 share and 2 clicks", lines, err)
	}
	// From the 2nd: the running totals to the 9th less those to the 1st.
	lines, err = st.s.Leaderboard(ctx, march(2), march(11))
	if err != nil || len(lines) != 1 || lines[0].Shares != 2 || lines[0].PointShares != 2 || lines[0].Clicks != 4 {
		t.Errorf("leaderboard from the 2nd = %+v, %v; want Sam with 2 shares and 4 clicks", lines, err)
	}
	*st.now = march(20)
	lines, err = st.s.Leaderboard(ctx, march(1), march(21))
	if err != nil || len(lines) != 1 || lines[0] != want {
		t.Errorf("leaderboard ten days on = %+v, %v; want %+v", lines, err, want)
	}
}

func TestReachReportEmpty(t *testing.T) {
	s := mustOpenStore(t)
	r, err := s.ReachReport(context.Background(), reach.Scope{}, march(1), march(31))
	if err != nil {
		t.Fatal(err)
	}
	if r.Total.Shares != 0 || len(r.Days) != 30 || len(r.Posts) != 0 || len(r.Networks) != 0 {
		t.Errorf("empty report = %+v", r)
	}
	if _, ok, err := s.ReachFirstDay(context.Background(), reach.Scope{}); ok || err != nil {
		t.Errorf("first day of nothing: %v, %v", ok, err)
	}
}

// TestPointsWithinCadence checks that with a share cadence limit only the
// first Limit shares per person, network and UTC day earn points, in
// digests, live days and scoped reports alike, while every share counts.
func TestPointsWithinCadence(t *testing.T) {
	ctx := context.Background()
	for _, limit := range []int{1, 0} {
		st := newReachSetup(t)
		if limit > 0 {
			if err := st.s.SetSetting(ctx, store.SettingShareCadence, cadence.Rule{Limit: limit}, st.sam.ID); err != nil {
				t.Fatal(err)
			}
		}
		now := *st.now
		// A second LinkedIn share by Sam on the 9th and on the 10th.
		for _, sh := range []struct {
			at     time.Time
			postID int64
		}{{march(9).Add(9*time.Hour + 30*time.Minute), st.launch}, {march(10).Add(11 * time.Hour), st.hiring}} {
			*st.now = sh.at
			if _, _, err := st.s.ShareLink(ctx, st.sam.ID, sh.postID, share.LinkedIn, share.NewCode); err != nil {
				t.Fatal(err)
			}
		}
		*st.now = now
		// Each day's second LinkedIn share earns nothing with a limit of 1.
		perDay, all := int64(1), int64(3)
		if limit == 0 {
			perDay, all = 2, 5
		}
		board := func(from, to time.Time) reach.LeaderLine {
			t.Helper()
			lines, err := st.s.Leaderboard(ctx, from, to)
			if err != nil || len(lines) != 1 {
				t.Fatalf("limit %d: leaderboard %v to %v = %+v, %v; want Sam", limit, from, to, lines, err)
			}
			return lines[0]
		}
		if l := board(march(9), march(10)); l.Shares != 2 || l.PointShares != perDay {
			t.Errorf("limit %d: the 9th (digest): %d shares, %d points shares; want 2, %d", limit, l.Shares, l.PointShares, perDay)
		}
		if l := board(march(10), march(11)); l.Shares != 2 || l.PointShares != perDay {
			t.Errorf("limit %d: today (live): %d shares, %d points shares; want 2, %d", limit, l.Shares, l.PointShares, perDay)
		}
		// The 1st's Facebook share never earns; LinkedIn on two days earns twice.
		if l := board(march(1), march(11)); l.Shares != 6 || l.PointShares != all {
			t.Errorf("limit %d: all: %d shares, %d points shares; want 6, %d", limit, l.Shares, l.PointShares, all)
		}
		// Scoped reports rank a share among all its person's shares: Sam's
		// Launch share on the 9th came after his Hiring share.
		for _, tc := range []struct {
			scope               reach.Scope
			shares, pointShares int64
		}{
			{reach.Scope{PostID: st.launch}, 2, 1 + perDay - 1},
			{reach.Scope{PostID: st.hiring}, 1, 1},
			{reach.Scope{UserID: st.sam.ID}, 2, perDay},
			{reach.Scope{CampaignID: st.campaign}, 2, 1 + perDay - 1},
		} {
			c, err := st.s.ReachTotals(ctx, tc.scope, march(9), march(10))
			if err != nil || c.Shares != tc.shares || c.PointShares != tc.pointShares {
				t.Errorf("limit %d: totals of %+v on the 9th = %d shares, %d points shares, %v; want %d, %d",
					limit, tc.scope, c.Shares, c.PointShares, err, tc.shares, tc.pointShares)
			}
		}
	}
}
