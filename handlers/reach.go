package handlers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
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

// showReach is the programme dashboard.
func (s *server) showReach(c *fiber.Ctx) error {
	return s.reachDashboard(c, reach.DashboardQuery{})
}

// showPostReach is one post's dashboard.
func (s *server) showPostReach(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id == 0 {
		return reach.ErrNoPost
	}
	return s.reachDashboard(c, reach.DashboardQuery{PostID: id})
}

// showCampaignReach is one campaign's dashboard, with its progress
// towards its goal.
func (s *server) showCampaignReach(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id == 0 {
		return reach.ErrNoCampaign
	}
	return s.reachDashboard(c, reach.DashboardQuery{CampaignID: id})
}

// periodQuery is the period a reach page's query asks for.
func periodQuery(c *fiber.Ctx) reach.PeriodQuery {
	return reach.PeriodQuery{Choice: c.Query("period"), From: c.Query("from"), To: c.Query("to")}
}

// employeeQuery is what an employee's reach page's query asks for.
func employeeQuery(c *fiber.Ctx) reach.EmployeeQuery {
	return reach.EmployeeQuery{UserID: userOf(c).ID, Period: periodQuery(c), CSV: c.Query("format") == "csv", Table: c.Query("table")}
}

// periodView is the period as the reach views show it.
func periodView(p reach.ShownPeriod) views.ReachPeriod {
	v := views.ReachPeriod{Choice: p.Choice, From: p.Period.From, To: p.Period.Last(), Compared: p.Compared,
		FromText: p.FromText, ToText: p.ToText}
	if p.Compared {
		v.PrevFrom, v.PrevTo = p.Previous.From, p.Previous.Last()
	}
	return v
}

// figures is f as the reach views show it.
func figures(f reach.Figures) views.ReachFigures { return views.ReachFigures(f) }

// reachDashboard shows a comms dashboard, or one of its tables as CSV.
func (s *server) reachDashboard(c *fiber.Ctx, q reach.DashboardQuery) error {
	csvWanted := c.Query("format") == "csv"
	q.Period, q.CSV, q.Table, q.ActorID = periodQuery(c), csvWanted, c.Query("table"), userOf(c).ID
	d, err := s.Reach.Dashboard(ctx(c), q)
	if err != nil {
		return err
	}
	m := views.ReachDashboardPage{Kind: "programme", Heading: "Programme reach", Intro: "Shares and clicks across all employees, post by post.",
		Path: "/reach", Period: periodView(d.Period), Currency: d.Pricing.Currency, CostsSet: len(d.Pricing.PerClick) > 0,
		Figures: figures(d.Pricing.Figures(d.Report.Total))}
	title := "Programme reach"
	switch {
	case d.Post != nil:
		title, m.Kind, m.Heading, m.Intro = "Post reach", "post", d.Post.Title, "What this post's shares brought in."
		m.Path, m.Back, m.BackLabel = fmt.Sprintf("/reach/posts/%d", d.Post.ID), fmt.Sprintf("/posts/%d", d.Post.ID), "Open the post"
	case d.Campaign != nil:
		title, m.Kind, m.Heading = "Campaign reach", "campaign", "Campaign: "+d.Campaign.Name
		m.Intro, m.Path = "What the shares of this campaign's posts brought in.", fmt.Sprintf("/reach/campaigns/%d", d.Campaign.ID)
		m.Campaign = &views.ReachRow{ID: d.Campaign.ID, Name: d.Campaign.Name, Goal: int64(d.Campaign.GoalClicks), ToDate: d.ClicksToDate}
	}
	if d.Period.Compared {
		m.Previous = figures(d.Pricing.Figures(d.Previous))
		m.Changes = changes(m.Figures, m.Previous)
	}
	for _, day := range d.Report.Days {
		m.Days = append(m.Days, views.ReachDayRow{Day: day.Day, Shares: day.Shares, Clicks: day.Clicks, Visitors: day.Visitors})
	}
	rows := func(lines []reach.Line, href string) []views.ReachRow {
		out := make([]views.ReachRow, 0, len(lines))
		for _, l := range lines {
			r := views.ReachRow{ID: l.ID, Name: l.Name, Detail: l.Detail, ReachFigures: figures(d.Pricing.Figures(l.Counts)),
				OptedOut: l.OptedOut, Goal: l.GoalClicks, ToDate: l.ClicksToDate}
			if href != "" {
				r.Href = fmt.Sprintf(href, l.ID)
			}
			out = append(out, r)
		}
		return out
	}
	top := func(lines []reach.Line) []reach.Line {
		if csvWanted {
			return lines // the CSV has every row
		}
		return lines[:min(len(lines), topRows)]
	}
	report := d.Report
	m.Networks = rows(report.Networks, "")
	m.Posts, m.PostCount = rows(top(report.Posts), "/reach/posts/%d"), len(report.Posts)
	m.People, m.PeopleCount = rows(top(report.People), ""), len(report.People)
	m.Departments = rows(report.Departments, "")
	m.Groups = rows(report.Groups, "")
	m.Categories = rows(report.Categories, "")
	m.Campaigns = rows(report.Campaigns, "/reach/campaigns/%d")
	if csvWanted {
		return sendReachCSV(c, m.Kind, m.Period, m)
	}
	return s.render(c, fiber.StatusOK, views.ReachDashboardView(s.chrome(c, title, "reach"), m))
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

// sendReachCSV sends one table of a comms dashboard as CSV (the
// reach.Dashboards audit-logged the export: it names people).
func sendReachCSV(c *fiber.Ctx, kind string, p views.ReachPeriod, m views.ReachDashboardPage) error {
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
		return reach.ErrNoTable
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
	q := employeeQuery(c)
	r, err := s.Reach.MyReach(ctx(c), q)
	if err != nil {
		return err
	}
	costs := reach.Pricing{} // employees see no money
	m := views.ReachPage{Heading: "My reach", Intro: "What your shares brought in, post by post.", Period: periodView(r.Period),
		Figures: figures(costs.Figures(r.Report.Total)), OptedOut: r.OptedOut, Rank: r.Rank, Ranked: r.Ranked}
	for _, l := range r.Report.Posts {
		m.Rows = append(m.Rows, views.ReachRow{ID: l.ID, Name: l.Name, Detail: l.Detail, ReachFigures: figures(costs.Figures(l.Counts))})
	}
	for _, l := range r.Report.Networks {
		m.Networks = append(m.Networks, views.ReachRow{Name: l.Name, ReachFigures: figures(costs.Figures(l.Counts))})
	}
	if q.CSV {
		return sendMyReachCSV(c, m.Period, m)
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
		return reach.ErrNoTable
	}
	return sendCSV(c, fmt.Sprintf("my-reach-%s-%s-%s.csv", table, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)), header, body)
}

// showLeaderboard is the leaderboard: people ranked by points for this
// month, the last 30 days or all time. People who opted out are not on
// it; they see their own figures on My reach.
func (s *server) showLeaderboard(c *fiber.Ctx) error {
	q := employeeQuery(c)
	b, err := s.Reach.Leaderboard(ctx(c), q)
	if err != nil {
		return err
	}
	period := periodView(b.Period)
	rows := make([]views.LeaderRow, len(b.Leaders))
	for i, l := range b.Leaders {
		rows[i] = views.LeaderRow{Rank: l.Rank, Name: l.Name, Department: l.Department, Shares: l.Shares, Clicks: l.Clicks,
			Points: l.Points, Me: l.Me}
	}
	if q.CSV {
		var body [][]string
		for _, r := range rows {
			body = append(body, []string{strconv.Itoa(r.Rank), r.Name, r.Department, int64Text(r.Shares), int64Text(r.Clicks), int64Text(r.Points)})
		}
		return sendCSV(c, fmt.Sprintf("leaderboard-%s-%s.csv", period.From.Format(time.DateOnly), period.To.Format(time.DateOnly)),
			[]string{"rank", "name", "department", "shares", "clicks", "points"}, body)
	}
	m := views.LeaderboardPage{Period: period, Total: len(rows), OptedOut: b.OptedOut}
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
	set, err := s.Reach.Costs(ctx(c))
	if err != nil {
		return err
	}
	m := views.ReachSettingsPage{Currency: set.Currency, Saved: c.Query("saved") == "1"}
	for _, n := range share.Networks {
		m.Costs = append(m.Costs, views.CostField{Network: n, Value: set.CostPerClick[string(n)]})
	}
	return s.render(c, fiber.StatusOK, views.ReachSettingsView(s.chrome(c, "Reach settings", "admin"), m))
}

// saveReachSettings stores the costs per click and the currency; the store
// audit-logs the change. Anything invalid re-renders the form with the
// values as typed, and nothing is saved.
func (s *server) saveReachSettings(c *fiber.Ctx) error {
	m := views.ReachSettingsPage{Currency: strings.ToUpper(strings.TrimSpace(c.FormValue("currency")))}
	typed := map[share.Network]string{}
	for _, n := range share.Networks {
		typed[n] = strings.TrimSpace(c.FormValue("cost-" + string(n)))
		m.Costs = append(m.Costs, views.CostField{Network: n, Value: typed[n]})
	}
	err := s.Reach.SaveCosts(ctx(c), m.Currency, typed, userOf(c).ID)
	if problems, ok := errors.AsType[reach.CostErrors](err); ok {
		m.Errors = views.FieldErrors{}
		for field, message := range problems {
			if field != "currency" {
				field = "cost-" + field
			}
			m.Errors[field] = message
		}
		return s.render(c, statusOf(err), views.ReachSettingsView(s.chrome(c, "Reach settings", "admin"), m))
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/reach?saved=1", fiber.StatusSeeOther)
}
