package reach

// The dashboards' use cases: which period a page shows, the figures of a
// scope over it, the leaderboard, the exports, and the costs per click
// behind earned media value.

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
)

// DashboardRepository is what the Dashboards need from storage; the store
// implements it. A missing row is an error of kind apperr.NotFound.
type DashboardRepository interface {
	// ReachReport adds up scope's figures over the days from to to (to
	// exclusive), with its breakdowns.
	ReachReport(ctx context.Context, scope Scope, from, to time.Time) (Report, error)
	// ReachTotals is ReachReport's Total alone.
	ReachTotals(ctx context.Context, scope Scope, from, to time.Time) (Counts, error)
	// ReachFirstDay returns the day of scope's first share or click; ok
	// is false if it has none.
	ReachFirstDay(ctx context.Context, scope Scope) (day time.Time, ok bool, err error)
	// ReachClicksToDate returns every click on scope's links so far.
	ReachClicksToDate(ctx context.Context, scope Scope) (int64, error)
	// Leaderboard returns the people on the leaderboard (not opted out)
	// with what they shared and brought in from from to to (exclusive).
	Leaderboard(ctx context.Context, from, to time.Time) ([]LeaderLine, error)
	// ReachCosts returns the costs per click admins set; the zero Costs
	// if they never did.
	ReachCosts(ctx context.Context) (Costs, error)
	// SetReachCosts stores the costs per click and audit-logs the change.
	SetReachCosts(ctx context.Context, c Costs, actorID int64) error
	// Post returns the post with the given id.
	Post(ctx context.Context, id int64) (post.Post, error)
	// Campaign returns the campaign with the given id.
	Campaign(ctx context.Context, id int64) (post.Campaign, error)
	// Profile returns the user's profile.
	Profile(ctx context.Context, userID int64) (account.Profile, error)
	// LogAudit appends an audit entry for an action that changes nothing
	// else, with detail as its JSON "after".
	LogAudit(ctx context.Context, actorID int64, action, target string, detail any) error
}

// Dashboards runs the reach dashboards: comms' (the programme, a post, a
// campaign), each employee's own, the leaderboard and their exports. It
// is safe for concurrent use if its repository is.
type Dashboards struct {
	repo DashboardRepository
	now  func() time.Time
}

// NewDashboards returns the dashboards over repo at the time now tells
// (time.Now if nil).
func NewDashboards(repo DashboardRepository, now func() time.Time) *Dashboards {
	if now == nil {
		now = time.Now
	}
	return &Dashboards{repo: repo, now: now}
}

// The Dashboards' errors.
var (
	ErrNoPost      = apperr.Sentinel(apperr.NotFound, "reach: no such post", "There is no such post.")
	ErrNoCampaign  = apperr.Sentinel(apperr.NotFound, "reach: no such campaign", "There is no such campaign.")
	ErrNoTable     = apperr.Sentinel(apperr.NotFound, "reach: no such table", "There is no such table to download.")
	ErrNoSuchRange = apperr.Sentinel(apperr.Invalid, "reach: no such period", "Choose one of the periods offered.")
)

// PeriodQuery is the period a page asks for, as its query gave it.
type PeriodQuery struct {
	Choice   string // one the page offers (see CommsPeriod, EmployeePeriod); "" for its default
	From, To string // a custom period's dates, as typed
}

// ShownPeriod is the period a page shows.
type ShownPeriod struct {
	Choice   string
	Period   Period // the days added up
	Compared bool   // the figures are compared with those of Previous
	Previous Period
	// FromText and ToText are a comms page's custom dates as typed, or,
	// when none were typed, Period's first and last days.
	FromText, ToText string
}

// CommsPeriod is the period a comms dashboard shows for q: the last 7, 30
// or 90 days (compared with the days just before), everything since the
// scope's first share or click ("all"), or the dates typed ("custom",
// compared too). An empty choice is def; any other is ErrNoSuchRange.
func (d *Dashboards) CommsPeriod(ctx context.Context, scope Scope, q PeriodQuery, def string) (ShownPeriod, error) {
	now := d.now()
	v := ShownPeriod{Choice: cmp.Or(q.Choice, def), FromText: q.From, ToText: q.To}
	var err error
	switch v.Choice {
	case "7", "30", "90":
		n, _ := strconv.Atoi(v.Choice)
		v.Period, v.Compared = LastDays(now, n), true
	case "all":
		if v.Period, err = d.allTime(ctx, scope); err != nil {
			return v, err
		}
	case "custom":
		if v.Period, err = CustomPeriod(v.FromText, v.ToText, now); err != nil {
			return v, err // invalid, saying what to change
		}
		v.Compared = true
	default:
		return v, ErrNoSuchRange
	}
	if v.FromText == "" && v.ToText == "" {
		v.FromText, v.ToText = v.Period.From.Format(time.DateOnly), v.Period.Last().Format(time.DateOnly)
	}
	if v.Compared {
		v.Previous = v.Period.Previous()
	}
	return v, nil
}

// EmployeePeriod is the period an employee's page shows for q: this month,
// the last 30 days, or everything since the programme's first share
// ("all"). An empty choice is def; any other is ErrNoSuchRange.
func (d *Dashboards) EmployeePeriod(ctx context.Context, q PeriodQuery, def string) (ShownPeriod, error) {
	v := ShownPeriod{Choice: cmp.Or(q.Choice, def)}
	var err error
	switch v.Choice {
	case "month":
		v.Period = ThisMonth(d.now())
	case "30":
		v.Period = LastDays(d.now(), 30)
	case "all":
		v.Period, err = d.allTime(ctx, Scope{})
	default:
		err = ErrNoSuchRange
	}
	return v, err
}

// allTime is the period from scope's first share or click to today.
func (d *Dashboards) allTime(ctx context.Context, scope Scope) (Period, error) {
	first, ok, err := d.repo.ReachFirstDay(ctx, scope)
	if err != nil {
		return Period{}, err
	}
	p := LastDays(d.now(), 1)
	if ok && first.Before(p.From) {
		p.From = first
	}
	return p, nil
}

// DefaultCurrency is the currency of earned media value until admins
// choose one.
const DefaultCurrency = "EUR"

// Pricing is what earned media value is counted at: a cost per click per
// network, in a currency.
type Pricing struct {
	Currency string
	PerClick map[share.Network]Money // networks without a cost are absent
}

// Pricing is c as earned media value counts it: DefaultCurrency if none
// is set, and costs that do not parse (the setting was edited by hand) or
// are zero left out.
func (c Costs) Pricing() Pricing {
	p := Pricing{Currency: cmp.Or(c.Currency, DefaultCurrency), PerClick: map[share.Network]Money{}}
	for network, v := range c.CostPerClick {
		if m, err := ParseMoney(v); err == nil && m > 0 {
			p.PerClick[share.Network(network)] = m
		}
	}
	return p
}

// Figures are what a dashboard shows of some Counts.
type Figures struct {
	Shares, Clicks, Visitors, Reach, Points int64
	EMVCents                                int64 // earned media value in cents of the currency
	CTR                                     float64
	HasCTR                                  bool // CTR is defined (there was potential reach)
}

// Figures turns counts into the figures dashboards show, earned media
// value at p (none with the zero Pricing, as employees see it).
func (p Pricing) Figures(n Counts) Figures {
	ctr, ok := CTR(n.Clicks, n.Reach)
	return Figures{Shares: n.Shares, Clicks: n.Clicks, Visitors: n.Visitors, Reach: n.Reach,
		Points: Points(n.PointShares, n.Clicks), EMVCents: EMV(n.NetworkClicks, p.PerClick).Cents(), CTR: ctr, HasCTR: ok}
}

// DashboardQuery asks for a comms dashboard: the programme's, a post's
// (PostID) or a campaign's (CampaignID), over a period, or one of its
// tables to export.
type DashboardQuery struct {
	PostID, CampaignID int64 // at most one; neither: the programme
	Period             PeriodQuery
	// CSV asks for Table (one of DashboardTables) to export instead of
	// the page; the export is audit-logged as ActorID's.
	CSV     bool
	Table   string
	ActorID int64
}

// DashboardTables are the tables of a comms dashboard that export as CSV.
var DashboardTables = []string{"days", "networks", "posts", "people", "departments", "groups", "categories", "campaigns"}

// Dashboard is a comms dashboard's content.
type Dashboard struct {
	Post         *post.Post     // the post of a post's dashboard
	Campaign     *post.Campaign // the campaign of a campaign's dashboard
	Period       ShownPeriod
	Pricing      Pricing
	Report       Report
	Previous     Counts // the previous period's totals, when Period.Compared
	ClicksToDate int64  // a campaign's clicks so far, for its goal
}

// Dashboard returns the comms dashboard q asks for: over the last 30 days
// for the programme by default, over everything for a post or campaign.
// An unknown post is ErrNoPost, an unknown campaign ErrNoCampaign. An
// export of a table not in DashboardTables is ErrNoTable; an export is
// audit-logged (reach.export) with the table, its number of rows and the
// period, as the people it names are personal data.
func (d *Dashboards) Dashboard(ctx context.Context, q DashboardQuery) (Dashboard, error) {
	var out Dashboard
	var scope Scope
	def, target := "30", "reach"
	switch {
	case q.PostID != 0:
		p, err := d.repo.Post(ctx, q.PostID)
		if err != nil {
			return out, notFound(err, ErrNoPost, q.PostID)
		}
		out.Post, scope, def, target = &p, Scope{PostID: p.ID}, "all", fmt.Sprintf("reach/posts/%d", p.ID)
	case q.CampaignID != 0:
		c, err := d.repo.Campaign(ctx, q.CampaignID)
		if err != nil {
			return out, notFound(err, ErrNoCampaign, q.CampaignID)
		}
		out.Campaign, scope, def, target = &c, Scope{CampaignID: c.ID}, "all", fmt.Sprintf("reach/campaigns/%d", c.ID)
	}
	var err error
	if out.Period, err = d.CommsPeriod(ctx, scope, q.Period, def); err != nil {
		return out, err
	}
	costs, err := d.repo.ReachCosts(ctx)
	if err != nil {
		return out, err
	}
	out.Pricing = costs.Pricing()
	p := out.Period.Period
	if out.Report, err = d.repo.ReachReport(ctx, scope, p.From, p.To); err != nil {
		return out, err
	}
	if out.Period.Compared {
		prev := out.Period.Previous
		if out.Previous, err = d.repo.ReachTotals(ctx, scope, prev.From, prev.To); err != nil {
			return out, err
		}
	}
	if out.Campaign != nil {
		if out.ClicksToDate, err = d.repo.ReachClicksToDate(ctx, scope); err != nil {
			return out, err
		}
	}
	if !q.CSV {
		return out, nil
	}
	rows, ok := out.Report.tableRows()[q.Table]
	if !ok {
		return out, ErrNoTable
	}
	return out, d.repo.LogAudit(ctx, q.ActorID, "reach.export", target, map[string]any{"table": q.Table, "rows": rows,
		"from": p.From.Format(time.DateOnly), "to": p.Last().Format(time.DateOnly)})
}

// tableRows is how many rows each of DashboardTables has in r.
func (r Report) tableRows() map[string]int {
	return map[string]int{"days": len(r.Days), "networks": len(r.Networks), "posts": len(r.Posts), "people": len(r.People),
		"departments": len(r.Departments), "groups": len(r.Groups), "categories": len(r.Categories), "campaigns": len(r.Campaigns)}
}

// notFound is err as the Dashboards' own not-found error when it is one.
func notFound(err, as error, id int64) error {
	if apperr.KindOf(err) == apperr.NotFound {
		return fmt.Errorf("reach: %d: %w", id, as)
	}
	return err
}

// Leader is one person on the leaderboard, ranked.
type Leader struct {
	Rank int // equal points share a rank
	LeaderLine
	Points int64
	Me     bool // the person who asked
}

// RankLeaders ranks the lines by points (Points), most first, then by
// name; equal points share a rank (Ranks). me marks the person asking.
func RankLeaders(lines []LeaderLine, me int64) []Leader {
	out := make([]Leader, len(lines))
	for i, l := range lines {
		out[i] = Leader{LeaderLine: l, Points: Points(l.PointShares, l.Clicks), Me: l.UserID == me}
	}
	slices.SortStableFunc(out, func(a, b Leader) int {
		if a.Points != b.Points {
			return cmp.Compare(b.Points, a.Points)
		}
		return strings.Compare(a.Name, b.Name)
	})
	points := make([]int64, len(out))
	for i, l := range out {
		points[i] = l.Points
	}
	for i, rank := range Ranks(points) {
		out[i].Rank = rank
	}
	return out
}

// Board is the leaderboard as a person sees it.
type Board struct {
	Period   ShownPeriod
	Leaders  []Leader // everyone on it, ranked
	OptedOut bool     // the person asking stays off it (not read for an export)
}

// EmployeeQuery asks for a page of an employee's: their own reach or the
// leaderboard.
type EmployeeQuery struct {
	UserID int64 // who asks
	Period PeriodQuery
	CSV    bool   // a table to download instead of the page
	Table  string // with CSV, which
}

// Leaderboard returns the leaderboard for q's person over the period q
// asks for (this month by default), people who opted out left off. A CSV
// must be of the table "leaderboard" (ErrNoTable otherwise).
func (d *Dashboards) Leaderboard(ctx context.Context, q EmployeeQuery) (Board, error) {
	var b Board
	var err error
	if b.Period, err = d.EmployeePeriod(ctx, q.Period, "month"); err != nil {
		return b, err
	}
	if b.Leaders, err = d.leaders(ctx, q.UserID, b.Period.Period); err != nil {
		return b, err
	}
	if q.CSV {
		if q.Table != "leaderboard" {
			return b, ErrNoTable
		}
		return b, nil
	}
	profile, err := d.repo.Profile(ctx, q.UserID)
	if err != nil {
		return b, err
	}
	b.OptedOut = profile.LeaderboardOptOut
	return b, nil
}

func (d *Dashboards) leaders(ctx context.Context, userID int64, p Period) ([]Leader, error) {
	lines, err := d.repo.Leaderboard(ctx, p.From, p.To)
	if err != nil {
		return nil, err
	}
	return RankLeaders(lines, userID), nil
}

// MyReachTables are the tables of an employee's own reach that export as
// CSV.
var MyReachTables = []string{"posts", "networks"}

// MyReach is an employee's own reach.
type MyReach struct {
	Period   ShownPeriod
	Report   Report // People, Departments and Groups are empty
	OptedOut bool   // they stay off the leaderboard
	Rank     int    // their rank on the leaderboard; 0 if off it or not on it
	Ranked   int    // how many people are on the leaderboard; 0 if they are off it
}

// MyReach returns q's person's own figures over the period q asks for
// (everything by default), and their rank unless they opted out of the
// leaderboard. A CSV must be of one of MyReachTables (ErrNoTable
// otherwise), and has no rank.
func (d *Dashboards) MyReach(ctx context.Context, q EmployeeQuery) (MyReach, error) {
	var m MyReach
	var err error
	if m.Period, err = d.EmployeePeriod(ctx, q.Period, "all"); err != nil {
		return m, err
	}
	p := m.Period.Period
	userID := q.UserID
	if m.Report, err = d.repo.ReachReport(ctx, Scope{UserID: userID}, p.From, p.To); err != nil {
		return m, err
	}
	if q.CSV {
		if !slices.Contains(MyReachTables, q.Table) {
			return m, ErrNoTable
		}
		return m, nil
	}
	profile, err := d.repo.Profile(ctx, userID)
	if err != nil {
		return m, err
	}
	if m.OptedOut = profile.LeaderboardOptOut; m.OptedOut {
		return m, nil
	}
	leaders, err := d.leaders(ctx, userID, p)
	if err != nil {
		return m, err
	}
	m.Ranked = len(leaders)
	if i := slices.IndexFunc(leaders, func(l Leader) bool { return l.Me }); i >= 0 {
		m.Rank = leaders[i].Rank
	}
	return m, nil
}

// Costs returns the costs per click as admins set them, for their form:
// DefaultCurrency if they set none.
func (d *Dashboards) Costs(ctx context.Context) (Costs, error) {
	c, err := d.repo.ReachCosts(ctx)
	c.Currency = cmp.Or(c.Currency, DefaultCurrency)
	return c, err
}

// CostErrors say what is wrong with costs per click as typed, by
// "currency" or by network; as an error its kind is apperr.Invalid.
type CostErrors map[string]string

func (e CostErrors) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e)) {
		parts = append(parts, k+": "+e[k])
	}
	return "reach: invalid costs: " + strings.Join(parts, "; ")
}

// Kind is apperr.Invalid.
func (e CostErrors) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is what the user is told when no form shows the fields.
func (e CostErrors) UserMessage() string { return "Some fields need attention; nothing was saved." }

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// CheckCosts reads costs per click as an admin typed them: a three-letter
// currency code, and per network an amount ParseMoney takes, or nothing.
// Zero costs are left out. If anything is wrong it returns CostErrors for
// all of it.
func CheckCosts(currency string, typed map[share.Network]string) (Costs, error) {
	c := Costs{Currency: currency, CostPerClick: map[string]string{}}
	problems := CostErrors{}
	if !currencyCode.MatchString(currency) {
		problems["currency"] = "Enter a three-letter currency code, such as EUR or USD."
	}
	for n, v := range typed {
		money, err := ParseMoney(v)
		switch {
		case err != nil:
			problems[string(n)] = apperr.MessageOf(err)
		case money > 0:
			c.CostPerClick[string(n)] = money.String()
		}
	}
	if len(problems) > 0 {
		return Costs{}, problems
	}
	return c, nil
}

// SaveCosts stores the costs per click as typed (CheckCosts), audit-logged
// as actorID's change; with CostErrors nothing is saved.
func (d *Dashboards) SaveCosts(ctx context.Context, currency string, typed map[share.Network]string, actorID int64) error {
	c, err := CheckCosts(currency, typed)
	if err != nil {
		return err
	}
	return d.repo.SetReachCosts(ctx, c, actorID)
}
