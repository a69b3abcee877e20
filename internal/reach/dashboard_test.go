package reach_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

var errMissing = apperr.Sentinel(apperr.NotFound, "fake: missing", "")

// audited is one LogAudit call.
type audited struct {
	actor          int64
	action, target string
	detail         any
}

// fakeDashboards is a reach.DashboardRepository with canned figures. It
// records what it was asked.
type fakeDashboards struct {
	report   reach.Report
	first    time.Time // zero: no share or click yet
	leaders  []reach.LeaderLine
	costs    reach.Costs
	optedOut map[int64]bool

	reports  []reach.Scope
	totals   []reach.Period
	toDate   int
	profiles int
	audits   []audited
	saved    []reach.Costs
}

func (f *fakeDashboards) ReachReport(_ context.Context, scope reach.Scope, _, _ time.Time) (reach.Report, error) {
	f.reports = append(f.reports, scope)
	return f.report, nil
}

func (f *fakeDashboards) ReachTotals(_ context.Context, _ reach.Scope, from, to time.Time) (reach.Counts, error) {
	f.totals = append(f.totals, reach.Period{From: from, To: to})
	return reach.Counts{Shares: 1}, nil
}

func (f *fakeDashboards) ReachFirstDay(context.Context, reach.Scope) (time.Time, bool, error) {
	return f.first, !f.first.IsZero(), nil
}

func (f *fakeDashboards) ReachClicksToDate(context.Context, reach.Scope) (int64, error) {
	f.toDate++
	return 42, nil
}

func (f *fakeDashboards) Leaderboard(context.Context, time.Time, time.Time) ([]reach.LeaderLine, error) {
	return f.leaders, nil
}

func (f *fakeDashboards) ReachCosts(context.Context) (reach.Costs, error) { return f.costs, nil }

func (f *fakeDashboards) SetReachCosts(_ context.Context, c reach.Costs, _ int64) error {
	f.saved = append(f.saved, c)
	return nil
}

func (f *fakeDashboards) Post(_ context.Context, id int64) (post.Post, error) {
	if id != 3 {
		return post.Post{}, fmt.Errorf("fake: post %d: %w", id, errMissing)
	}
	return post.Post{ID: 3, Title: "Launch"}, nil
}

func (f *fakeDashboards) Campaign(_ context.Context, id int64) (post.Campaign, error) {
	if id != 5 {
		return post.Campaign{}, fmt.Errorf("fake: campaign %d: %w", id, errMissing)
	}
	return post.Campaign{ID: 5, Name: "Spring"}, nil
}

func (f *fakeDashboards) Profile(_ context.Context, userID int64) (account.Profile, error) {
	f.profiles++
	return account.Profile{LeaderboardOptOut: f.optedOut[userID]}, nil
}

func (f *fakeDashboards) LogAudit(_ context.Context, actor int64, action, target string, detail any) error {
	f.audits = append(f.audits, audited{actor, action, target, detail})
	return nil
}

// dashboardsNow is the time of the Dashboards tests: Wednesday 2026-03-18.
var dashboardsNow = time.Date(2026, 3, 18, 15, 0, 0, 0, time.UTC)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCommsPeriod(t *testing.T) {
	tests := []struct {
		name         string
		q            reach.PeriodQuery
		first        time.Time
		wantErr      error
		wantFrom     string // first day
		wantLast     string // last day
		wantCompared bool
		wantPrevFrom string
		wantTexts    [2]string
	}{
		{"the default", reach.PeriodQuery{}, time.Time{}, nil, "2026-02-17", "2026-03-18", true, "2026-01-18", [2]string{"2026-02-17", "2026-03-18"}},
		{"a week", reach.PeriodQuery{Choice: "7"}, time.Time{}, nil, "2026-03-12", "2026-03-18", true, "2026-03-05", [2]string{"2026-03-12", "2026-03-18"}},
		{"all, no data yet: today", reach.PeriodQuery{Choice: "all"}, time.Time{}, nil, "2026-03-18", "2026-03-18", false, "", [2]string{"2026-03-18", "2026-03-18"}},
		{"all, from the first share", reach.PeriodQuery{Choice: "all"}, day("2025-12-01"), nil, "2025-12-01", "2026-03-18", false, "", [2]string{"2025-12-01", "2026-03-18"}},
		{"custom", reach.PeriodQuery{Choice: "custom", From: "2026-03-01", To: "2026-03-10"}, time.Time{}, nil,
			"2026-03-01", "2026-03-10", true, "2026-02-19", [2]string{"2026-03-01", "2026-03-10"}},
		{"custom backwards", reach.PeriodQuery{Choice: "custom", From: "2026-03-10", To: "2026-03-01"}, time.Time{}, reach.ErrEndsBefore, "", "", false, "", [2]string{}},
		{"a choice not offered", reach.PeriodQuery{Choice: "month"}, time.Time{}, reach.ErrNoSuchRange, "", "", false, "", [2]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := reach.NewDashboards(&fakeDashboards{first: tt.first}, func() time.Time { return dashboardsNow })
			got, err := d.CommsPeriod(context.Background(), reach.Scope{}, tt.q, "30")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("CommsPeriod = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if f, l := got.Period.From.Format(time.DateOnly), got.Period.Last().Format(time.DateOnly); f != tt.wantFrom || l != tt.wantLast {
				t.Errorf("period %s to %s, want %s to %s", f, l, tt.wantFrom, tt.wantLast)
			}
			if got.Compared != tt.wantCompared || (tt.wantCompared && got.Previous.From.Format(time.DateOnly) != tt.wantPrevFrom) {
				t.Errorf("compared %t with %v, want %t from %s", got.Compared, got.Previous, tt.wantCompared, tt.wantPrevFrom)
			}
			if got.Compared && !got.Previous.To.Equal(got.Period.From) {
				t.Errorf("previous period %v does not end where %v starts", got.Previous, got.Period)
			}
			if [2]string{got.FromText, got.ToText} != tt.wantTexts {
				t.Errorf("texts %q %q, want %q", got.FromText, got.ToText, tt.wantTexts)
			}
		})
	}
}

func TestEmployeePeriod(t *testing.T) {
	tests := []struct {
		choice   string
		wantFrom string
		wantErr  error
	}{
		{"", "2026-03-01", nil}, // the default given, this month
		{"month", "2026-03-01", nil},
		{"30", "2026-02-17", nil},
		{"all", "2025-11-02", nil},
		{"7", "", reach.ErrNoSuchRange},
		{"custom", "", reach.ErrNoSuchRange},
	}
	for _, tt := range tests {
		t.Run(tt.choice, func(t *testing.T) {
			d := reach.NewDashboards(&fakeDashboards{first: day("2025-11-02")}, func() time.Time { return dashboardsNow })
			got, err := d.EmployeePeriod(context.Background(), reach.PeriodQuery{Choice: tt.choice}, "month")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("EmployeePeriod = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (got.Period.From.Format(time.DateOnly) != tt.wantFrom || got.Period.Last().Format(time.DateOnly) != "2026-03-18" || got.Compared) {
				t.Errorf("period %v, compared %t; want from %s to today, not compared", got.Period, got.Compared, tt.wantFrom)
			}
		})
	}
}

func TestCostsPricing(t *testing.T) {
	tests := []struct {
		name         string
		costs        reach.Costs
		wantCurrency string
		wantPerClick map[share.Network]reach.Money
	}{
		{"never set", reach.Costs{}, reach.DefaultCurrency, map[share.Network]reach.Money{}},
		{"set", reach.Costs{Currency: "USD", CostPerClick: map[string]string{"linkedin": "0.85", "x": "0.0125"}}, "USD",
			map[share.Network]reach.Money{share.LinkedIn: 8500, share.X: 125}},
		{"edited by hand", reach.Costs{Currency: "USD", CostPerClick: map[string]string{"linkedin": "lots", "x": "0", "email": "-1"}}, "USD",
			map[share.Network]reach.Money{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.costs.Pricing()
			if got.Currency != tt.wantCurrency || !maps.Equal(got.PerClick, tt.wantPerClick) {
				t.Errorf("Pricing() = %+v, want %s %v", got, tt.wantCurrency, tt.wantPerClick)
			}
		})
	}
}

func TestPricingFigures(t *testing.T) {
	p := reach.Pricing{Currency: "EUR", PerClick: map[share.Network]reach.Money{share.LinkedIn: 8500}}
	n := reach.Counts{Shares: 4, PointShares: 3, Reach: 200, Clicks: 10, Visitors: 7,
		NetworkClicks: map[share.Network]int64{share.LinkedIn: 8, share.Facebook: 2}}
	got := p.Figures(n)
	want := reach.Figures{Shares: 4, Clicks: 10, Visitors: 7, Reach: 200, Points: 13, EMVCents: 680, CTR: 0.05, HasCTR: true}
	if got != want {
		t.Errorf("Figures() = %+v, want %+v", got, want)
	}
	if got := (reach.Pricing{}).Figures(reach.Counts{Clicks: 3, NetworkClicks: map[share.Network]int64{share.LinkedIn: 3}}); got.EMVCents != 0 || got.HasCTR {
		t.Errorf("Figures() without pricing or reach = %+v, want no money and no CTR", got)
	}
}

func TestCheckCosts(t *testing.T) {
	tests := []struct {
		name     string
		currency string
		typed    map[share.Network]string
		want     map[string]string // the costs kept
		wantErrs []string          // fields in error
	}{
		{"costs", "EUR", map[share.Network]string{share.LinkedIn: "0,85", share.X: "", share.Email: "0"}, map[string]string{"linkedin": "0.85"}, nil},
		{"no costs", "USD", map[share.Network]string{share.LinkedIn: ""}, map[string]string{}, nil},
		{"a bad currency", "euro", map[share.Network]string{share.LinkedIn: "1"}, nil, []string{"currency"}},
		{"bad amounts", "EUR", map[share.Network]string{share.LinkedIn: "abc", share.X: "-2", share.Email: "1"}, nil, []string{"linkedin", "x"}},
		{"everything wrong", "", map[share.Network]string{share.Bluesky: "0.00001"}, nil, []string{"bluesky", "currency"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reach.CheckCosts(tt.currency, tt.typed)
			if tt.wantErrs == nil {
				if err != nil || got.Currency != tt.currency || !maps.Equal(got.CostPerClick, tt.want) {
					t.Errorf("CheckCosts = %+v, %v; want %s %v", got, err, tt.currency, tt.want)
				}
				return
			}
			problems, ok := errors.AsType[reach.CostErrors](err)
			if !ok || apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("CheckCosts = %v, want invalid CostErrors", err)
			}
			if fields := slices.Sorted(maps.Keys(problems)); !slices.Equal(fields, tt.wantErrs) {
				t.Errorf("fields in error %v, want %v", fields, tt.wantErrs)
			}
		})
	}
}

func TestRankLeaders(t *testing.T) {
	lines := []reach.LeaderLine{
		{UserID: 1, Name: "Cleo", PointShares: 2, Clicks: 3},  // 5
		{UserID: 2, Name: "Abel", PointShares: 1, Clicks: 9},  // 10
		{UserID: 3, Name: "Bea", PointShares: 0, Clicks: 5},   // 5: Facebook shares earn no points
		{UserID: 4, Name: "Dan", PointShares: 0, Clicks: 0},   // 0
		{UserID: 5, Name: "Ada", PointShares: 4, Clicks: 6},   // 10
		{UserID: 6, Name: "Ed", PointShares: 10, Clicks: 100}, // 110
	}
	got := reach.RankLeaders(lines, 3)
	type row struct {
		name   string
		rank   int
		points int64
		me     bool
	}
	want := []row{{"Ed", 1, 110, false}, {"Abel", 2, 10, false}, {"Ada", 2, 10, false}, {"Bea", 4, 5, true}, {"Cleo", 4, 5, false}, {"Dan", 6, 0, false}}
	if len(got) != len(want) {
		t.Fatalf("RankLeaders = %d rows, want %d", len(got), len(want))
	}
	for i, w := range want {
		if g := (row{got[i].Name, got[i].Rank, got[i].Points, got[i].Me}); g != w {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestDashboard(t *testing.T) {
	report := reach.Report{Days: make([]reach.DayCounts, 30), Networks: make([]reach.Line, 2), Posts: make([]reach.Line, 12),
		People: make([]reach.Line, 3)}
	tests := []struct {
		name       string
		q          reach.DashboardQuery
		wantErr    error
		wantScope  reach.Scope
		wantAudit  *audited
		wantToDate int
		wantTotals int // previous periods read
	}{
		{"the programme", reach.DashboardQuery{}, nil, reach.Scope{}, nil, 0, 1},
		{"a post, over everything", reach.DashboardQuery{PostID: 3}, nil, reach.Scope{PostID: 3}, nil, 0, 0},
		{"a campaign, with its clicks so far", reach.DashboardQuery{CampaignID: 5}, nil, reach.Scope{CampaignID: 5}, nil, 1, 0},
		{"no such post", reach.DashboardQuery{PostID: 4}, reach.ErrNoPost, reach.Scope{}, nil, 0, 0},
		{"no such campaign", reach.DashboardQuery{CampaignID: 4}, reach.ErrNoCampaign, reach.Scope{}, nil, 0, 0},
		{"an export of the posts, every row", reach.DashboardQuery{CSV: true, Table: "posts", ActorID: 9}, nil, reach.Scope{},
			&audited{9, "reach.export", "reach", map[string]any{"table": "posts", "rows": 12, "from": "2026-02-17", "to": "2026-03-18"}}, 0, 1},
		{"a post's export", reach.DashboardQuery{PostID: 3, CSV: true, Table: "people", ActorID: 9}, nil, reach.Scope{PostID: 3},
			&audited{9, "reach.export", "reach/posts/3", map[string]any{"table": "people", "rows": 3, "from": "2026-03-18", "to": "2026-03-18"}}, 0, 0},
		{"an export of no table", reach.DashboardQuery{CSV: true, ActorID: 9}, reach.ErrNoTable, reach.Scope{}, nil, 0, 1},
		{"an export of a table not offered", reach.DashboardQuery{CSV: true, Table: "secrets", ActorID: 9}, reach.ErrNoTable, reach.Scope{}, nil, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeDashboards{report: report, costs: reach.Costs{Currency: "USD"}}
			got, err := reach.NewDashboards(repo, func() time.Time { return dashboardsNow }).Dashboard(context.Background(), tt.q)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Dashboard = %v, want %v", err, tt.wantErr)
			}
			if k := apperr.KindOf(err); err != nil && k != apperr.NotFound {
				t.Errorf("Dashboard = %v of kind %v, want not found", err, k)
			}
			if tt.wantAudit == nil && len(repo.audits) != 0 {
				t.Errorf("audit-logged %+v, want nothing", repo.audits)
			}
			if tt.wantAudit != nil && (len(repo.audits) != 1 || fmt.Sprint(repo.audits[0]) != fmt.Sprint(*tt.wantAudit)) {
				t.Errorf("audit-logged %+v, want %+v", repo.audits, *tt.wantAudit)
			}
			if repo.toDate != tt.wantToDate || len(repo.totals) != tt.wantTotals {
				t.Errorf("read clicks to date %d times and %d previous periods; want %d and %d", repo.toDate, len(repo.totals), tt.wantToDate, tt.wantTotals)
			}
			if errors.Is(err, reach.ErrNoPost) || errors.Is(err, reach.ErrNoCampaign) {
				if len(repo.reports) != 0 {
					t.Errorf("read reports %v for a dashboard of nothing", repo.reports)
				}
				return
			}
			if len(repo.reports) != 1 || repo.reports[0] != tt.wantScope {
				t.Errorf("read reports of %v, want one of %v", repo.reports, tt.wantScope)
			}
			if err == nil && (got.Pricing.Currency != "USD" || (tt.wantToDate > 0) != (got.ClicksToDate == 42) || (tt.q.PostID != 0) != (got.Post != nil)) {
				t.Errorf("Dashboard = %+v, want the costs, the clicks to date of a campaign and the post of a post's", got)
			}
		})
	}
}

func TestMyReachAndLeaderboard(t *testing.T) {
	leaders := []reach.LeaderLine{{UserID: 1, Name: "Ada", Clicks: 9}, {UserID: 2, Name: "Bo", Clicks: 3}, {UserID: 3, Name: "Cy", Clicks: 3}}
	tests := []struct {
		name         string
		q            reach.EmployeeQuery
		optedOut     bool
		wantErr      error
		wantRank     int
		wantRanked   int
		wantProfiles int
	}{
		{"ranked", reach.EmployeeQuery{UserID: 3}, false, nil, 2, 3, 1},
		{"opted out", reach.EmployeeQuery{UserID: 3}, true, nil, 0, 0, 1},
		{"not on the board yet", reach.EmployeeQuery{UserID: 7}, false, nil, 0, 3, 1},
		{"a CSV of the posts", reach.EmployeeQuery{UserID: 3, CSV: true, Table: "posts"}, false, nil, 0, 0, 0},
		{"a CSV of no table", reach.EmployeeQuery{UserID: 3, CSV: true}, false, reach.ErrNoTable, 0, 0, 0},
		{"a period not offered", reach.EmployeeQuery{UserID: 3, Period: reach.PeriodQuery{Choice: "90"}}, false, reach.ErrNoSuchRange, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeDashboards{leaders: leaders, optedOut: map[int64]bool{3: tt.optedOut}}
			got, err := reach.NewDashboards(repo, func() time.Time { return dashboardsNow }).MyReach(context.Background(), tt.q)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("MyReach = %v, want %v", err, tt.wantErr)
			}
			if got.Rank != tt.wantRank || got.Ranked != tt.wantRanked || got.OptedOut != (tt.optedOut && tt.wantProfiles > 0) || repo.profiles != tt.wantProfiles {
				t.Errorf("MyReach = rank %d of %d, opted out %t, %d profile reads; want %d of %d, %t, %d",
					got.Rank, got.Ranked, got.OptedOut, repo.profiles, tt.wantRank, tt.wantRanked, tt.optedOut, tt.wantProfiles)
			}
			if err == nil && (len(repo.reports) != 1 || repo.reports[0] != (reach.Scope{UserID: tt.q.UserID})) {
				t.Errorf("read reports of %v, want the person's own", repo.reports)
			}
		})
	}
	t.Run("the leaderboard's CSV is of the table leaderboard", func(t *testing.T) {
		for table, want := range map[string]error{"leaderboard": nil, "": reach.ErrNoTable, "posts": reach.ErrNoTable} {
			repo := &fakeDashboards{leaders: leaders}
			b, err := reach.NewDashboards(repo, nil).Leaderboard(context.Background(), reach.EmployeeQuery{UserID: 1, CSV: true, Table: table})
			if !errors.Is(err, want) || repo.profiles != 0 {
				t.Errorf("Leaderboard CSV of %q = %v after %d profile reads, want %v and none", table, err, repo.profiles, want)
			}
			if err == nil && (len(b.Leaders) != 3 || !b.Leaders[0].Me) {
				t.Errorf("Leaderboard = %+v, want three leaders, Ada first and the one asking", b.Leaders)
			}
		}
	})
}

// TestSaveCostsInTheStore runs the costs' round trip over the real store:
// what SaveCosts keeps is what Costs and Dashboard read back, audit-logged.
func TestSaveCostsInTheStore(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	d := reach.NewDashboards(s, nil)
	got, err := d.Costs(ctx)
	if err != nil || got.Currency != reach.DefaultCurrency || len(got.CostPerClick) != 0 {
		t.Fatalf("Costs before any were set = %+v, %v; want %s and none", got, err, reach.DefaultCurrency)
	}
	if err := d.SaveCosts(ctx, "usd", map[share.Network]string{share.LinkedIn: "1"}, 0); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("SaveCosts with a bad currency = %v, want invalid", err)
	}
	if err := d.SaveCosts(ctx, "USD", map[share.Network]string{share.LinkedIn: "0,85", share.X: "0"}, 0); err != nil {
		t.Fatal(err)
	}
	got, err = d.Costs(ctx)
	if err != nil || got.Currency != "USD" || !maps.Equal(got.CostPerClick, map[string]string{"linkedin": "0.85"}) {
		t.Errorf("Costs = %+v, %v; want USD with LinkedIn at 0.85", got, err)
	}
	dash, err := d.Dashboard(ctx, reach.DashboardQuery{})
	if err != nil || dash.Pricing.PerClick[share.LinkedIn] != 8500 {
		t.Errorf("Dashboard pricing = %+v, %v; want LinkedIn at 8500", dash.Pricing, err)
	}
	var _ reach.DashboardRepository = (*store.Store)(nil)
}
