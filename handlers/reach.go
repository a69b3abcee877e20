package handlers

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/views"
)

// reachRoutes registers the reach dashboards beyond /reach and /my/reach:
// a post's and a campaign's figures, the leaderboard, and the costs per
// click behind earned media value.
func (s *server) reachRoutes(r router) {
	r.allow(httpGet, "/reach/posts/:id", s.showPostReach, comms...)
	r.allow(httpGet, "/reach/campaigns/:id", s.showCampaignReach, comms...)
	r.allow(httpGet, "/leaderboard", s.showLeaderboard, employee...)
	r.allow(httpGet, "/admin/reach", s.showReachSettings, admin...)
	r.allow(httpPost, "/admin/reach", s.saveReachSettings, admin...)
}

// How many rows the dashboards show of the longer lists; the CSV has all.
const (
	topRows         = 10
	leaderboardRows = 50
)

// dashboard says what a comms dashboard is about.
type dashboard struct {
	kind          string // "programme", "post" or "campaign"
	scope         reach.Scope
	title         string
	heading       string
	intro         string
	path          string
	defaultPeriod string
	back          string
	backLabel     string
	campaign      *post.Campaign
}

// showReach is the programme dashboard.
func (s *server) showReach(c *fiber.Ctx) error {
	return s.reachDashboard(c, dashboard{kind: "programme", title: "Programme reach", heading: "Programme reach",
		intro: "Shares and clicks across all employees, post by post.", path: "/reach", defaultPeriod: "30"})
}

// showPostReach is one post's dashboard.
func (s *server) showPostReach(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "There is no such post.")
	}
	p, err := s.Store.Post(ctx(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.New(apperr.NotFound, "There is no such post.")
	}
	if err != nil {
		return err
	}
	return s.reachDashboard(c, dashboard{kind: "post", scope: reach.Scope{PostID: p.ID}, title: "Post reach", heading: p.Title,
		intro: "What this post's shares brought in.", path: fmt.Sprintf("/reach/posts/%d", p.ID), defaultPeriod: "all",
		back: fmt.Sprintf("/posts/%d", p.ID), backLabel: "Open the post"})
}

// showCampaignReach is one campaign's dashboard, with its progress
// towards its goal.
func (s *server) showCampaignReach(c *fiber.Ctx) error {
	notFound := apperr.New(apperr.NotFound, "There is no such campaign.")
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return notFound
	}
	camp, err := s.Store.Campaign(ctx(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	return s.reachDashboard(c, dashboard{kind: "campaign", scope: reach.Scope{CampaignID: camp.ID}, title: "Campaign reach",
		heading: "Campaign: " + camp.Name, intro: "What the shares of this campaign's posts brought in.",
		path: fmt.Sprintf("/reach/campaigns/%d", camp.ID), defaultPeriod: "all", campaign: &camp})
}

// reachDashboard shows a comms dashboard, or one of its tables as CSV.
func (s *server) reachDashboard(c *fiber.Ctx, d dashboard) error {
	period, shown, err := s.commsPeriod(c, d)
	if err != nil {
		return err
	}
	costs, err := s.reachCosts(c)
	if err != nil {
		return err
	}
	report, err := s.Store.ReachReport(ctx(c), d.scope, shown.From, shown.To)
	if err != nil {
		return err
	}
	m := views.ReachDashboardPage{Kind: d.kind, Heading: d.heading, Intro: d.intro, Path: d.path, Period: period,
		Currency: costs.currency, CostsSet: len(costs.perClick) > 0, Back: d.back, BackLabel: d.backLabel,
		Figures: costs.figures(report.Total)}
	if period.Compared {
		prev, err := s.Store.ReachTotals(ctx(c), d.scope, period.PrevFrom, period.PrevTo.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		m.Previous = costs.figures(prev)
		m.Changes = changes(m.Figures, m.Previous)
	}
	for _, day := range report.Days {
		m.Days = append(m.Days, views.ReachDayRow{Day: day.Day, Shares: day.Shares, Clicks: day.Clicks, Visitors: day.Visitors})
	}
	rows := func(lines []reach.Line, href string) []views.ReachRow {
		out := make([]views.ReachRow, 0, len(lines))
		for _, l := range lines {
			r := views.ReachRow{ID: l.ID, Name: l.Name, Detail: l.Detail, ReachFigures: costs.figures(l.Counts),
				OptedOut: l.OptedOut, Goal: l.GoalClicks, ToDate: l.ClicksToDate}
			if href != "" {
				r.Href = fmt.Sprintf(href, l.ID)
			}
			out = append(out, r)
		}
		return out
	}
	csvWanted := c.Query("format") == "csv"
	top := func(lines []reach.Line) []reach.Line {
		if csvWanted {
			return lines // the CSV has every row
		}
		return lines[:min(len(lines), topRows)]
	}
	m.Networks = rows(report.Networks, "")
	m.Posts, m.PostCount = rows(top(report.Posts), "/reach/posts/%d"), len(report.Posts)
	m.People, m.PeopleCount = rows(top(report.People), ""), len(report.People)
	m.Departments = rows(report.Departments, "")
	m.Groups = rows(report.Groups, "")
	m.Categories = rows(report.Categories, "")
	m.Campaigns = rows(report.Campaigns, "/reach/campaigns/%d")
	if d.campaign != nil {
		toDate, err := s.Store.ReachClicksToDate(ctx(c), d.scope)
		if err != nil {
			return err
		}
		m.Campaign = &views.ReachRow{ID: d.campaign.ID, Name: d.campaign.Name, Goal: int64(d.campaign.GoalClicks), ToDate: toDate}
	}
	if csvWanted {
		return s.sendReachCSV(c, d.kind, period, m)
	}
	return s.render(c, fiber.StatusOK, views.ReachDashboardView(s.chrome(c, d.title, "reach"), m))
}

// changes compares a period's figures with the previous period's.
func changes(cur, prev views.ReachFigures) views.ReachChanges {
	delta := func(a, b int64) views.ReachChange {
		p, ok := reach.Delta(a, b)
		return views.ReachChange{Percent: p, OK: ok}
	}
	ctr, ok := reach.RateDelta(cur.CTR, cur.HasCTR, prev.CTR, prev.HasCTR)
	return views.ReachChanges{Shares: delta(cur.Shares, prev.Shares), Clicks: delta(cur.Clicks, prev.Clicks),
		Visitors: delta(cur.Visitors, prev.Visitors), Reach: delta(cur.Reach, prev.Reach),
		EMV: delta(cur.EMVCents, prev.EMVCents), CTR: views.ReachChange{Percent: ctr, OK: ok}}
}

// commsPeriod reads the period a comms dashboard asks for: the last 7, 30
// or 90 days (compared with the days just before), everything since the
// scope's first share or click, or dates typed in. It returns the period
// for the view and the days to add up (To exclusive).
func (s *server) commsPeriod(c *fiber.Ctx, d dashboard) (views.ReachPeriod, reach.Period, error) {
	now := s.Now()
	v := views.ReachPeriod{Choice: c.Query("period", d.defaultPeriod), FromText: c.Query("from"), ToText: c.Query("to")}
	var p reach.Period
	switch v.Choice {
	case "7", "30", "90":
		n, _ := strconv.Atoi(v.Choice)
		p = reach.LastDays(now, n)
		v.Compared = true
	case "all":
		var err error
		if p, err = s.allTime(c, d.scope); err != nil {
			return v, p, err
		}
	case "custom":
		var err error
		if p, err = reach.CustomPeriod(v.FromText, v.ToText, now); err != nil {
			return v, p, err // invalid, saying what to change
		}
		v.Compared = true
	default:
		return v, p, apperr.New(apperr.Invalid, "Choose one of the periods offered.")
	}
	v.From, v.To = p.From, p.Last()
	if v.FromText == "" && v.ToText == "" {
		v.FromText, v.ToText = p.From.Format(time.DateOnly), p.Last().Format(time.DateOnly)
	}
	if v.Compared {
		prev := p.Previous()
		v.PrevFrom, v.PrevTo = prev.From, prev.Last()
	}
	return v, p, nil
}

// allTime is the period from scope's first share or click to today.
func (s *server) allTime(c *fiber.Ctx, scope reach.Scope) (reach.Period, error) {
	first, ok, err := s.Store.ReachFirstDay(ctx(c), scope)
	if err != nil {
		return reach.Period{}, err
	}
	p := reach.LastDays(s.Now(), 1)
	if ok && first.Before(p.From) {
		p.From = first
	}
	return p, nil
}

// employeePeriod reads the period an employee's page asks for: this
// month, the last 30 days, or everything since the programme's first share.
func (s *server) employeePeriod(c *fiber.Ctx, def string) (views.ReachPeriod, reach.Period, error) {
	v := views.ReachPeriod{Choice: c.Query("period", def)}
	var p reach.Period
	switch v.Choice {
	case "month":
		p = reach.ThisMonth(s.Now())
	case "30":
		p = reach.LastDays(s.Now(), 30)
	case "all":
		var err error
		if p, err = s.allTime(c, reach.Scope{}); err != nil {
			return v, p, err
		}
	default:
		return v, p, apperr.New(apperr.Invalid, "Choose one of the periods offered.")
	}
	v.From, v.To = p.From, p.Last()
	return v, p, nil
}

// reachCosts are the earned media value settings in use.
type reachCosts struct {
	currency string
	perClick map[share.Network]reach.Money
}

// defaultCurrency is the currency until admins choose one.
const defaultCurrency = "EUR"

// reachCosts reads the admins' costs per click; values that do not parse
// (the setting was edited by hand) count as no cost.
func (s *server) reachCosts(c *fiber.Ctx) (reachCosts, error) {
	var set reach.Costs
	if _, err := s.Store.Setting(ctx(c), store.SettingReachCosts, &set); err != nil {
		return reachCosts{}, err
	}
	costs := reachCosts{currency: cmp.Or(set.Currency, defaultCurrency), perClick: map[share.Network]reach.Money{}}
	for network, v := range set.CostPerClick {
		if m, err := reach.ParseMoney(v); err == nil && m > 0 {
			costs.perClick[share.Network(network)] = m
		}
	}
	return costs, nil
}

// figures turns counts into the figures dashboards show.
func (rc reachCosts) figures(n reach.Counts) views.ReachFigures {
	ctr, ok := reach.CTR(n.Clicks, n.Reach)
	return views.ReachFigures{Shares: n.Shares, Clicks: n.Clicks, Visitors: n.Visitors, Reach: n.Reach,
		Points: reach.Points(n.PointShares, n.Clicks), EMVCents: reach.EMV(n.NetworkClicks, rc.perClick).Cents(), CTR: ctr, HasCTR: ok}
}

// sendReachCSV sends one table of a comms dashboard as CSV. Exports name
// people, so each is audit-logged.
func (s *server) sendReachCSV(c *fiber.Ctx, kind string, p views.ReachPeriod, m views.ReachDashboardPage) error {
	table := c.Query("table")
	figureHeader := []string{"shares", "potential_reach", "clicks", "unique_visitors", "ctr_percent", "earned_media_value", "currency"}
	figureCells := func(f views.ReachFigures) []string {
		ctr := ""
		if f.HasCTR {
			ctr = strconv.FormatFloat(f.CTR*100, 'f', 4, 64)
		}
		return []string{int64Text(f.Shares), int64Text(f.Reach), int64Text(f.Clicks), int64Text(f.Visitors), ctr,
			fmt.Sprintf("%d.%02d", f.EMVCents/100, f.EMVCents%100), m.Currency}
	}
	var header []string
	var body [][]string
	lines := func(first []string, rows []views.ReachRow, cells func(views.ReachRow) []string) {
		header = append(first, figureHeader...)
		for _, r := range rows {
			body = append(body, append(cells(r), figureCells(r.ReachFigures)...))
		}
	}
	switch table {
	case "days":
		header = []string{"day", "shares", "clicks", "unique_visitors"}
		for _, d := range m.Days {
			body = append(body, []string{d.Day.Format(time.DateOnly), int64Text(d.Shares), int64Text(d.Clicks), int64Text(d.Visitors)})
		}
	case "networks":
		lines([]string{"network"}, m.Networks, func(r views.ReachRow) []string { return []string{r.Name} })
	case "posts":
		lines([]string{"post_id", "title", "category", "clicks_to_date"}, m.Posts, func(r views.ReachRow) []string {
			return []string{int64Text(r.ID), r.Name, r.Detail, int64Text(r.ToDate)}
		})
	case "people":
		lines([]string{"user_id", "name", "department", "off_leaderboard"}, m.People, func(r views.ReachRow) []string {
			return []string{int64Text(r.ID), r.Name, r.Detail, strconv.FormatBool(r.OptedOut)}
		})
	case "departments":
		lines([]string{"department"}, m.Departments, func(r views.ReachRow) []string { return []string{r.Name} })
	case "groups":
		lines([]string{"group_id", "group", "kind"}, m.Groups, func(r views.ReachRow) []string {
			return []string{int64Text(r.ID), r.Name, r.Detail}
		})
	case "categories":
		lines([]string{"category"}, m.Categories, func(r views.ReachRow) []string { return []string{r.Name} })
	case "campaigns":
		lines([]string{"campaign_id", "campaign", "goal_clicks", "clicks_to_date"}, m.Campaigns, func(r views.ReachRow) []string {
			return []string{int64Text(r.ID), r.Name, int64Text(r.Goal), int64Text(r.ToDate)}
		})
	default:
		return apperr.New(apperr.NotFound, "There is no such table to download.")
	}
	target := strings.TrimPrefix(m.Path, "/")
	if err := s.Store.LogAudit(ctx(c), userOf(c).ID, "reach.export", target,
		map[string]any{"table": table, "rows": len(body), "from": p.From.Format(time.DateOnly), "to": p.To.Format(time.DateOnly)}); err != nil {
		return err
	}
	return sendCSV(c, fmt.Sprintf("reach-%s-%s-%s-%s.csv", kind, table, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)), header, body)
}

func int64Text(n int64) string { return strconv.FormatInt(n, 10) }

// sendCSV sends rows as a CSV download, every cell neutralised against
// spreadsheet formulas.
func sendCSV(c *fiber.Ctx, filename string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = csvCell(v)
		}
		w.Write(cells)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("handlers: write %s: %w", filename, err)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, filename))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// showMyReach is an employee's own reach: their figures, per post and per
// network, and their rank unless they opted out of the leaderboard.
func (s *server) showMyReach(c *fiber.Ctx) error {
	u := userOf(c)
	scope := reach.Scope{UserID: u.ID}
	period, shown, err := s.employeePeriod(c, "all")
	if err != nil {
		return err
	}
	report, err := s.Store.ReachReport(ctx(c), scope, shown.From, shown.To)
	if err != nil {
		return err
	}
	costs := reachCosts{} // employees see no money
	m := views.ReachPage{Heading: "My reach", Intro: "What your shares brought in, post by post.", Period: period,
		Figures: costs.figures(report.Total)}
	for _, l := range report.Posts {
		m.Rows = append(m.Rows, views.ReachRow{ID: l.ID, Name: l.Name, Detail: l.Detail, ReachFigures: costs.figures(l.Counts)})
	}
	for _, l := range report.Networks {
		m.Networks = append(m.Networks, views.ReachRow{Name: l.Name, ReachFigures: costs.figures(l.Counts)})
	}
	if c.Query("format") == "csv" {
		return sendMyReachCSV(c, period, m)
	}
	profile, err := s.Store.Profile(ctx(c), u.ID)
	if err != nil {
		return err
	}
	m.OptedOut = profile.LeaderboardOptOut
	if !m.OptedOut {
		board, err := s.leaderboard(c, period)
		if err != nil {
			return err
		}
		m.Ranked = len(board)
		if i := slices.IndexFunc(board, func(r views.LeaderRow) bool { return r.Me }); i >= 0 {
			m.Rank = board[i].Rank
		}
	}
	return s.render(c, fiber.StatusOK, views.ReachView(s.chrome(c, "My reach", "my-reach"), m))
}

func sendMyReachCSV(c *fiber.Ctx, p views.ReachPeriod, m views.ReachPage) error {
	header := []string{"shares", "potential_reach", "clicks", "unique_visitors", "points"}
	cells := func(f views.ReachFigures) []string {
		return []string{int64Text(f.Shares), int64Text(f.Reach), int64Text(f.Clicks), int64Text(f.Visitors), int64Text(f.Points)}
	}
	var body [][]string
	table := c.Query("table")
	switch table {
	case "posts":
		header = append([]string{"post_id", "title"}, header...)
		for _, r := range m.Rows {
			body = append(body, append([]string{int64Text(r.ID), r.Name}, cells(r.ReachFigures)...))
		}
	case "networks":
		header = append([]string{"network"}, header...)
		for _, r := range m.Networks {
			body = append(body, append([]string{r.Name}, cells(r.ReachFigures)...))
		}
	default:
		return apperr.New(apperr.NotFound, "There is no such table to download.")
	}
	return sendCSV(c, fmt.Sprintf("my-reach-%s-%s-%s.csv", table, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)), header, body)
}

// leaderboard ranks the people on the leaderboard for the period by
// points, most first; equal points share a rank.
func (s *server) leaderboard(c *fiber.Ctx, p views.ReachPeriod) ([]views.LeaderRow, error) {
	lines, err := s.Store.Leaderboard(ctx(c), p.From, p.To.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	me := userOf(c).ID
	rows := make([]views.LeaderRow, len(lines))
	for i, l := range lines {
		rows[i] = views.LeaderRow{Name: l.Name, Department: l.Department, Shares: l.Shares, Clicks: l.Clicks,
			Points: reach.Points(l.PointShares, l.Clicks), Me: l.UserID == me}
	}
	slices.SortStableFunc(rows, func(a, b views.LeaderRow) int {
		if a.Points != b.Points {
			return int(b.Points - a.Points)
		}
		return strings.Compare(a.Name, b.Name)
	})
	points := make([]int64, len(rows))
	for i, r := range rows {
		points[i] = r.Points
	}
	for i, rank := range reach.Ranks(points) {
		rows[i].Rank = rank
	}
	return rows, nil
}

// showLeaderboard is the leaderboard: people ranked by points for this
// month, the last 30 days or all time. People who opted out are not on
// it; they see their own figures on My reach.
func (s *server) showLeaderboard(c *fiber.Ctx) error {
	period, _, err := s.employeePeriod(c, "month")
	if err != nil {
		return err
	}
	rows, err := s.leaderboard(c, period)
	if err != nil {
		return err
	}
	if c.Query("format") == "csv" {
		if c.Query("table") != "leaderboard" {
			return apperr.New(apperr.NotFound, "There is no such table to download.")
		}
		var body [][]string
		for _, r := range rows {
			body = append(body, []string{strconv.Itoa(r.Rank), r.Name, r.Department, int64Text(r.Shares), int64Text(r.Clicks), int64Text(r.Points)})
		}
		return sendCSV(c, fmt.Sprintf("leaderboard-%s-%s.csv", period.From.Format(time.DateOnly), period.To.Format(time.DateOnly)),
			[]string{"rank", "name", "department", "shares", "clicks", "points"}, body)
	}
	profile, err := s.Store.Profile(ctx(c), userOf(c).ID)
	if err != nil {
		return err
	}
	m := views.LeaderboardPage{Period: period, Total: len(rows), OptedOut: profile.LeaderboardOptOut}
	for _, r := range rows {
		if r.Me {
			m.MyRank, m.MyPoints = r.Rank, r.Points
		}
	}
	m.Rows = rows[:min(len(rows), leaderboardRows)]
	return s.render(c, fiber.StatusOK, views.LeaderboardView(s.chrome(c, "Leaderboard", "my-reach"), m))
}

// showReachSettings lets admins set the cost per click per network.
func (s *server) showReachSettings(c *fiber.Ctx) error {
	var set reach.Costs
	if _, err := s.Store.Setting(ctx(c), store.SettingReachCosts, &set); err != nil {
		return err
	}
	m := views.ReachSettingsPage{Currency: cmp.Or(set.Currency, defaultCurrency), Saved: c.Query("saved") == "1"}
	for _, n := range share.Networks {
		m.Costs = append(m.Costs, views.CostField{Network: n, Value: set.CostPerClick[string(n)]})
	}
	return s.render(c, fiber.StatusOK, views.ReachSettingsView(s.chrome(c, "Reach settings", "admin"), m))
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// saveReachSettings stores the costs per click and the currency; the store
// audit-logs the change. Anything invalid re-renders the form with the
// values as typed, and nothing is saved.
func (s *server) saveReachSettings(c *fiber.Ctx) error {
	m := views.ReachSettingsPage{Currency: strings.ToUpper(strings.TrimSpace(c.FormValue("currency"))), Errors: views.FieldErrors{}}
	set := reach.Costs{Currency: m.Currency, CostPerClick: map[string]string{}}
	if !currencyCode.MatchString(m.Currency) {
		m.Errors["currency"] = "Enter a three-letter currency code, such as EUR or USD."
	}
	for _, n := range share.Networks {
		key := "cost-" + string(n)
		typed := strings.TrimSpace(c.FormValue(key))
		m.Costs = append(m.Costs, views.CostField{Network: n, Value: typed})
		money, err := reach.ParseMoney(typed)
		switch {
		case err != nil:
			m.Errors[key] = apperr.MessageOf(err)
		case money > 0:
			set.CostPerClick[string(n)] = money.String()
		}
	}
	if len(m.Errors) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, views.ReachSettingsView(s.chrome(c, "Reach settings", "admin"), m))
	}
	if err := s.Store.SetSetting(ctx(c), store.SettingReachCosts, set, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/admin/reach?saved=1", fiber.StatusSeeOther)
}
