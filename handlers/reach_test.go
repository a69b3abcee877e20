package handlers

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

// reachRoleTable says who may use the routes reachRoutes registers.
var reachRoleTable = []roleEntry{
	{"GET", "/reach/posts/:id", "/reach/posts/1", commsOnly},
	{"GET", "/reach/campaigns/:id", "/reach/campaigns/1", commsOnly},
	{"GET", "/leaderboard", "/leaderboard", signedIn},
	{"GET", "/admin/reach", "/admin/reach", adminOnly},
	{"POST", "/admin/reach", "/admin/reach", adminOnly},
}

// withReachRoutes makes sure env's app serves reachRoutes. Until routes()
// calls reachRoutes itself, it builds the app as New does, with them.
func withReachRoutes(t *testing.T, env *testEnv) {
	t.Helper()
	for _, r := range env.app.GetRoutes(true) {
		if r.Path == "/leaderboard" {
			return
		}
	}
	d := Deps{Store: env.store, Guidelines: env.g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups", BaseURL: testBaseURL,
		Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.clock.Now}
	d.Clicks = reach.NewRecorder(d.Store, reach.Config{Now: d.Now})
	s := &server{Deps: d}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError})
	app.Use(s.securityHeaders)
	s.routes(app)
	s.reachRoutes(router{app: app, s: s})
	app.Use(func(c *fiber.Ctx) error { return apperr.New(apperr.NotFound, "There is no page at this address.") })
	env.app = app
}

// reachEnv is a test portal with a known programme. Today is 20 March
// 2026, 12:00 UTC:
//
//	10 Mar  employee shares Launch (campaign Spring, goal 20) on LinkedIn (1000 followers): 4 clicks that day
//	15 Mar  that link: 3 more clicks
//	18 Mar  employee shares Launch on Facebook (no followers): 2 clicks
//	19 Mar  hr (off the leaderboard) shares =Hiring (jobs) on X (400 followers): 6 clicks by 3 visitors
//	20 Mar  employee shares =Hiring on LinkedIn: 2 clicks
//
// The employee is in Sales, hr in People. Costs per click: LinkedIn 0.85,
// X 0.50 EUR.
type reachEnv struct {
	*testEnv
	launch, hiring post.Post
	campaign       int64
}

func newReachEnv(t *testing.T) reachEnv {
	t.Helper()
	env := newTestEnv(t)
	withReachRoutes(t, env)
	ctx := context.Background()
	today := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	env.setClock(t, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	for persona, dep := range map[string]string{"employee": "Sales", "hr": "People"} {
		if _, err := env.store.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:" + persona, Email: persona + "@example.com",
			Name: "Test " + persona, Department: dep, Roles: env.users[persona].Roles}); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.store.SaveProfile(ctx, env.users["employee"].ID, account.Profile{Followers: map[string]int{"linkedin": 1000},
		Language: "en", Digest: account.DigestWeekly}); err != nil {
		t.Fatal(err)
	}
	if err := env.store.SaveProfile(ctx, env.users["hr"].ID, account.Profile{Followers: map[string]int{"x": 400},
		Language: "en", Digest: account.DigestWeekly, LeaderboardOptOut: true}); err != nil {
		t.Fatal(err)
	}
	campaign, err := env.store.CreateCampaign(ctx, post.Campaign{Name: "Spring", GoalClicks: 20}, env.users["comms"].ID)
	if err != nil {
		t.Fatal(err)
	}
	re := reachEnv{testEnv: env, campaign: campaign}
	re.launch = env.createPost(t, post.Input{Title: "Launch", URL: "https://example.com/launch", Category: string(post.CompanyNews),
		Campaign: strconv.FormatInt(campaign, 10)}, post.Submit, post.Approve)
	re.hiring = env.createPost(t, post.Input{Title: "=Hiring", URL: "https://example.com/jobs", Category: string(post.Jobs)},
		post.Submit, post.Approve)

	links := map[string]store.Link{}
	shareAt := func(at time.Time, persona string, p post.Post, n share.Network) {
		env.clock.Set(at)
		l, _, err := env.store.ShareLink(ctx, env.users[persona].ID, p.ID, n, share.NewCode)
		if err != nil {
			t.Fatal(err)
		}
		links[fmt.Sprint(persona, p.ID, n)] = l
	}
	clicks := func(persona string, p post.Post, n share.Network, at time.Time, visitors ...string) {
		var cs []reach.Hit
		for _, v := range visitors {
			cs = append(cs, reach.Hit{LinkID: links[fmt.Sprint(persona, p.ID, n)].ID, At: at, Kind: reach.Click, Visitor: []byte(v)})
		}
		if err := env.store.RecordClicks(ctx, cs); err != nil {
			t.Fatal(err)
		}
		if _, err := env.store.RollUpClicks(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	march := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	shareAt(march(10, 10), "employee", re.launch, share.LinkedIn)
	clicks("employee", re.launch, share.LinkedIn, march(10, 11), "a", "b", "c", "d")
	clicks("employee", re.launch, share.LinkedIn, march(15, 11), "a", "b", "c")
	shareAt(march(18, 9), "employee", re.launch, share.Facebook)
	clicks("employee", re.launch, share.Facebook, march(18, 10), "e", "f")
	shareAt(march(19, 9), "hr", re.hiring, share.X)
	clicks("hr", re.hiring, share.X, march(19, 10), "g", "g", "h", "h", "i", "i")
	shareAt(march(20, 8), "employee", re.hiring, share.LinkedIn)
	clicks("employee", re.hiring, share.LinkedIn, march(20, 9), "j", "k")
	env.setClock(t, today)
	if err := env.store.SetSetting(ctx, store.SettingReachCosts, reach.Costs{Currency: "EUR",
		CostPerClick: map[string]string{"linkedin": "0.85", "x": "0.50"}}, env.users["admin"].ID); err != nil {
		t.Fatal(err)
	}
	return re
}

// text is the trimmed text of the element with the testid inside sel.
func text(sel *goquery.Selection, testid string) string {
	return strings.TrimSpace(sel.Find(`[data-testid="` + testid + `"]`).First().Text())
}

func TestProgrammeDashboard(t *testing.T) {
	env := newReachEnv(t)
	resp := env.do(t, "comms", http.MethodGet, "/reach?period=7", nil)
	wantStatus(t, resp, http.StatusOK)
	doc := mustDoc(t, resp)
	page := doc.Selection
	figures := map[string]string{
		"value-shares": "3", "value-clicks": "13", "value-visitors": "10", "value-reach": "1,400",
		"value-emv": "7.25 EUR", "value-ctr": "0.93%",
		"delta-shares": "▲ +200.0%", "delta-clicks": "▲ +225.0%", "previous-clicks": "4", "previous-reach": "1,000",
		"delta-reach": "▲ +40.0%", "previous-emv": "3.40 EUR", "previous-ctr": "0.40%",
	}
	for id, want := range figures {
		if got := text(page, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if got := text(page, "period-shown"); !strings.Contains(got, "14 March 2026 to 20 March 2026") || !strings.Contains(got, "7 March 2026 to 13 March 2026") {
		t.Errorf("period shown = %q", got)
	}
	for _, id := range []string{"how-we-count", "chart-clicks", "chart-shares", "days", "csv-days", "csv-posts", "csv-people", "period-form"} {
		if !has(doc, id) {
			t.Errorf("no %s", id)
		}
	}
	if n := doc.Find(`[data-testid="chart-clicks"] svg[role="img"] title`).Length(); n != 1 {
		t.Errorf("the chart has %d titles, want an accessible name", n)
	}
	if got := doc.Find(`[data-testid="days"] tbody tr`).Length(); got != 7 {
		t.Errorf("the table behind the charts has %d days, want 7", got)
	}
	if got := text(doc.Find(`[data-testid="day-2026-03-19"]`), "clicks"); got != "6" {
		t.Errorf("clicks on 19 March = %q, want 6", got)
	}
	rows := []struct{ row, cell, want string }{
		{fmt.Sprintf("reach-%d", env.hiring.ID), "shares", "2"},
		{fmt.Sprintf("reach-%d", env.hiring.ID), "clicks", "8"},
		{fmt.Sprintf("reach-%d", env.launch.ID), "clicks", "5"},
		{fmt.Sprintf("reach-%d", env.launch.ID), "ctr", "—"},
		{"network-linkedin", "clicks", "5"},
		{"network-linkedin", "emv", "4.25 EUR"},
		{"network-facebook", "emv", "0.00 EUR"},
		{"network-x", "clicks", "6"},
		{fmt.Sprintf("person-%d", env.users["employee"].ID), "clicks", "7"},
		{fmt.Sprintf("person-%d", env.users["hr"].ID), "clicks", "6"},
		{"department-Sales", "clicks", "7"},
		{"department-People", "shares", "1"},
		{"category-jobs", "clicks", "8"},
		{fmt.Sprintf("campaign-%d", env.campaign), "clicks", "5"},
	}
	for _, r := range rows {
		if got := text(doc.Find(`[data-testid="`+r.row+`"]`), r.cell); got != r.want {
			t.Errorf("%s %s = %q, want %q", r.row, r.cell, got, r.want)
		}
	}
	if got := testids(doc.Find(`[data-testid="posts"] tbody tr`)); !slices.Equal(got, []string{fmt.Sprintf("reach-%d", env.hiring.ID), fmt.Sprintf("reach-%d", env.launch.ID)}) {
		t.Errorf("top posts = %v, want =Hiring then Launch", got)
	}
	hr := doc.Find(fmt.Sprintf(`[data-testid="person-%d"]`, env.users["hr"].ID))
	if hr.Find(`[data-testid="opted-out"]`).Length() != 1 {
		t.Error("comms do not see that hr is off the leaderboard")
	}
	if got := text(doc.Find(fmt.Sprintf(`[data-testid="campaign-%d"]`, env.campaign)), "goal"); !strings.Contains(got, "9 of 20 (45%)") {
		t.Errorf("campaign goal = %q, want 9 of 20 (45%%)", got)
	}

	t.Run("the default period is the last 30 days", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "comms", http.MethodGet, "/reach", nil))
		if got := text(doc.Selection, "value-clicks"); got != "17" {
			t.Errorf("clicks = %q, want 17", got)
		}
		if got := text(doc.Selection, "delta-clicks"); got != "—" {
			t.Errorf("delta = %q, want — (nothing the 30 days before)", got)
		}
	})
	t.Run("custom dates", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "comms", http.MethodGet, "/reach?period=custom&from=2026-03-10&to=2026-03-10", nil))
		if got := text(doc.Selection, "value-clicks"); got != "4" {
			t.Errorf("clicks on 10 March = %q, want 4", got)
		}
		if got := text(doc.Selection, "value-ctr"); got != "0.40%" {
			t.Errorf("CTR = %q, want 0.40%%", got)
		}
	})
	t.Run("all time, with no comparison", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "admin", http.MethodGet, "/reach?period=all", nil))
		if got := text(doc.Selection, "value-shares"); got != "4" {
			t.Errorf("shares = %q, want 4", got)
		}
		if has(doc, "delta-shares") {
			t.Error("all time is compared with something")
		}
	})
	for _, bad := range []string{"period=custom&from=10-03-2026&to=2026-03-12", "period=custom&from=2026-03-12&to=2026-03-10",
		"period=custom&from=2030-01-01&to=2030-01-02", "period=365", "period=custom&from=2020-01-01&to=2026-03-01"} {
		t.Run("refuses "+bad, func(t *testing.T) {
			wantStatus(t, env.do(t, "comms", http.MethodGet, "/reach?"+bad, nil), http.StatusUnprocessableEntity)
		})
	}
}

// readCSV checks a CSV response and returns its rows.
func readCSV(t *testing.T, resp *http.Response) [][]string {
	t.Helper()
	wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type = %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestReachCSV(t *testing.T) {
	env := newReachEnv(t)
	tests := []struct {
		path     string
		wantRows int // without the header
		check    func(t *testing.T, rows [][]string)
	}{
		{"/reach?period=7&format=csv&table=days", 7, func(t *testing.T, rows [][]string) {
			if !slices.Equal(rows[6], []string{"2026-03-19", "1", "6", "3"}) {
				t.Errorf("19 March = %v", rows[6])
			}
		}},
		{"/reach?period=7&format=csv&table=posts", 2, func(t *testing.T, rows [][]string) {
			if rows[1][1] != "'=Hiring" {
				t.Errorf("title %q: a cell starting with = must be neutralised", rows[1][1])
			}
			if !slices.Equal(rows[0][:6], []string{"post_id", "title", "category", "clicks_to_date", "shares", "potential_reach"}) {
				t.Errorf("header = %v", rows[0])
			}
		}},
		{"/reach?period=7&format=csv&table=networks", 3, func(t *testing.T, rows [][]string) {
			i := slices.IndexFunc(rows, func(r []string) bool { return r[0] == "linkedin" })
			if i < 0 || rows[i][3] != "5" || rows[i][6] != "4.25" || rows[i][7] != "EUR" {
				t.Errorf("linkedin = %v", rows[max(i, 0)])
			}
		}},
		{"/reach?period=7&format=csv&table=people", 2, nil},
		{"/reach?period=7&format=csv&table=departments", 2, nil},
		{"/reach?period=7&format=csv&table=groups", 0, nil},
		{"/reach?period=7&format=csv&table=categories", 2, nil},
		{"/reach?period=7&format=csv&table=campaigns", 1, func(t *testing.T, rows [][]string) {
			if rows[1][2] != "20" || rows[1][3] != "9" {
				t.Errorf("campaign = %v, want goal 20 and 9 clicks to date", rows[1])
			}
		}},
		{fmt.Sprintf("/reach/posts/%d?format=csv&table=people", env.hiring.ID), 2, nil},
		{fmt.Sprintf("/reach/campaigns/%d?format=csv&table=posts", env.campaign), 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			exports := len(env.auditEntries(t, "reach.export"))
			rows := readCSV(t, env.do(t, "comms", http.MethodGet, tt.path, nil))
			if len(rows) != tt.wantRows+1 {
				t.Fatalf("%d rows, want a header and %d: %v", len(rows), tt.wantRows, rows)
			}
			if tt.check != nil {
				tt.check(t, rows)
			}
			if got := len(env.auditEntries(t, "reach.export")); got != exports+1 {
				t.Errorf("%d exports audit-logged after this one, want %d", got, exports+1)
			}
		})
	}
	wantStatus(t, env.do(t, "comms", http.MethodGet, "/reach?format=csv&table=secrets", nil), http.StatusNotFound)
}

func TestPostAndCampaignDashboards(t *testing.T) {
	env := newReachEnv(t)
	doc := mustDoc(t, env.do(t, "comms", http.MethodGet, fmt.Sprintf("/reach/posts/%d", env.hiring.ID), nil))
	for id, want := range map[string]string{"value-shares": "2", "value-clicks": "8", "value-reach": "1,400", "value-emv": "4.70 EUR"} {
		if got := text(doc.Selection, id); got != want {
			t.Errorf("post %s = %q, want %q", id, got, want)
		}
	}
	if got := doc.Find(`[data-testid="days"] tbody tr`).Length(); got != 2 {
		t.Errorf("all time for a post shared on the 19th has %d days, want 2", got)
	}
	if !has(doc, "how-we-count") || has(doc, "posts") {
		t.Error("a post's page: want the note and no list of posts")
	}
	doc = mustDoc(t, env.do(t, "comms", http.MethodGet, fmt.Sprintf("/reach/campaigns/%d", env.campaign), nil))
	for id, want := range map[string]string{"value-shares": "2", "value-clicks": "9", "goal-to-date": "9"} {
		if got := text(doc.Selection, id); got != want {
			t.Errorf("campaign %s = %q, want %q", id, got, want)
		}
	}
	if got := text(doc.Selection, "campaign-goal"); !strings.Contains(got, "45%") {
		t.Errorf("goal = %q, want 45%%", got)
	}
	doc = mustDoc(t, env.do(t, "comms", http.MethodGet, fmt.Sprintf("/reach/campaigns/%d?period=7", env.campaign), nil))
	if got := text(doc.Selection, "value-clicks"); got != "5" {
		t.Errorf("campaign clicks in 7 days = %q, want 5", got)
	}
	if got := text(doc.Selection, "goal-to-date"); got != "9" {
		t.Errorf("the goal counts every click so far, whatever the period: %q", got)
	}
	for _, path := range []string{"/reach/posts/99999", "/reach/posts/abc", "/reach/campaigns/99999", "/reach/campaigns/x"} {
		wantStatus(t, env.do(t, "comms", http.MethodGet, path, nil), http.StatusNotFound)
	}
}

func TestMyReach(t *testing.T) {
	env := newReachEnv(t)
	doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/my/reach", nil))
	for id, want := range map[string]string{"value-shares": "3", "value-clicks": "11", "value-reach": "2,000", "value-ctr": "0.55%",
		"value-points": "13", "rank": "You are number 1 of 1 on the leaderboard in this period."} {
		if got := text(doc.Selection, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	rows := []struct{ row, cell, want string }{
		{fmt.Sprintf("reach-%d", env.launch.ID), "shares", "2"},
		{fmt.Sprintf("reach-%d", env.launch.ID), "clicks", "9"},
		{fmt.Sprintf("reach-%d", env.launch.ID), "points", "10"},
		{fmt.Sprintf("reach-%d", env.hiring.ID), "points", "3"},
		{"network-linkedin", "points", "11"},
		{"network-facebook", "shares", "1"},
		{"network-facebook", "points", "2"},
	}
	for _, r := range rows {
		if got := text(doc.Find(`[data-testid="`+r.row+`"]`), r.cell); got != r.want {
			t.Errorf("%s %s = %q, want %q", r.row, r.cell, got, r.want)
		}
	}
	if !has(doc, "how-we-count") || has(doc, "value-emv") {
		t.Error("my reach: want the note, and no money")
	}
	t.Run("this month", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/my/reach?period=month", nil))
		if got := text(doc.Selection, "value-clicks"); got != "11" {
			t.Errorf("clicks = %q", got)
		}
	})
	t.Run("off the leaderboard: own figures, no rank", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "hr", http.MethodGet, "/my/reach", nil))
		if got := text(doc.Selection, "value-points"); got != "7" {
			t.Errorf("points = %q, want 7", got)
		}
		if !has(doc, "rank-opted-out") || has(doc, "rank") {
			t.Error("hr opted out: want the note instead of a rank")
		}
	})
	t.Run("nothing shared yet", func(t *testing.T) {
		doc := mustDoc(t, env.do(t, "comms", http.MethodGet, "/my/reach", nil))
		if !has(doc, "reach-empty") || !has(doc, "no-rank") || text(doc.Selection, "value-ctr") != "—" {
			t.Error("comms never shared: want the empty state, no rank and no rate")
		}
	})
	t.Run("CSV", func(t *testing.T) {
		rows := readCSV(t, env.do(t, "employee", http.MethodGet, "/my/reach?format=csv&table=posts", nil))
		if len(rows) != 3 || rows[0][0] != "post_id" {
			t.Fatalf("rows = %v", rows)
		}
		rows = readCSV(t, env.do(t, "employee", http.MethodGet, "/my/reach?format=csv&table=networks", nil))
		if len(rows) != 3 {
			t.Fatalf("rows = %v", rows)
		}
		wantStatus(t, env.do(t, "employee", http.MethodGet, "/my/reach?format=csv&table=people", nil), http.StatusNotFound)
	})
	t.Run("in Dutch", func(t *testing.T) {
		if err := env.store.SetLanguage(context.Background(), env.users["employee"].ID, "nl"); err != nil {
			t.Fatal(err)
		}
		doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/my/reach", nil))
		if got := text(doc.Selection, "figure-points"); !strings.Contains(got, "Punten") {
			t.Errorf("points figure in Dutch = %q", got)
		}
		if got := text(doc.Selection, "how-we-count"); !strings.Contains(got, "Zo tellen we") {
			t.Errorf("note in Dutch = %q", got)
		}
	})
	wantStatus(t, env.do(t, "employee", http.MethodGet, "/my/reach?period=forever", nil), http.StatusUnprocessableEntity)
}

func TestLeaderboard(t *testing.T) {
	env := newReachEnv(t)
	// comms gets into the board too, with one share and no clicks this month.
	if _, _, err := env.store.ShareLink(context.Background(), env.users["comms"].ID, env.launch.ID, share.X, share.NewCode); err != nil {
		t.Fatal(err)
	}
	doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/leaderboard", nil))
	if got := testids(doc.Find(`[data-testid="leaderboard"] tbody tr`)); len(got) != 2 {
		t.Fatalf("rows = %v, want the employee and comms (hr opted out)", got)
	}
	first, second := doc.Find(`[data-testid="leader-1"]`), doc.Find(`[data-testid="leader-2"]`)
	if name := strings.Join(strings.Fields(text(first, "name")), " "); name != "Test employee you" {
		t.Errorf("first = %q, want the employee, marked as you", name)
	}
	for cell, want := range map[string]string{"rank": "1", "shares": "3", "clicks": "11", "points": "13"} {
		if got := text(first, cell); got != want {
			t.Errorf("first %s = %q, want %q", cell, got, want)
		}
	}
	if text(second, "points") != "1" || text(second, "rank") != "2" {
		t.Errorf("second = %q", second.Text())
	}
	if strings.Contains(doc.Find(`[data-testid="leaderboard"]`).Text(), "Test hr") {
		t.Error("hr opted out but is on the leaderboard")
	}
	if got := text(doc.Selection, "rank"); got != "You are number 1 of 2 on the leaderboard in this period." {
		t.Errorf("my rank = %q", got)
	}
	doc = mustDoc(t, env.do(t, "hr", http.MethodGet, "/leaderboard?period=all", nil))
	if !has(doc, "rank-opted-out") {
		t.Error("hr is not told why they have no rank")
	}
	doc = mustDoc(t, env.do(t, "employee", http.MethodGet, "/leaderboard?period=30", nil))
	if got := text(doc.Find(`[data-testid="leader-1"]`), "points"); got != "13" {
		t.Errorf("30 days: %q", got)
	}
	rows := readCSV(t, env.do(t, "employee", http.MethodGet, "/leaderboard?period=all&format=csv&table=leaderboard", nil))
	if len(rows) != 3 || rows[1][5] != "13" {
		t.Errorf("CSV = %v", rows)
	}
	wantStatus(t, env.do(t, "employee", http.MethodGet, "/leaderboard?period=decade", nil), http.StatusUnprocessableEntity)
}

func TestReachSettings(t *testing.T) {
	env := newTestEnv(t)
	withReachRoutes(t, env)
	ctx := context.Background()
	doc := mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/reach", nil))
	if got := attr(t, doc.Find(`[data-testid="currency"]`), "value"); got != "EUR" {
		t.Errorf("default currency = %q", got)
	}
	form := func(kv ...string) url.Values {
		v := url.Values{"currency": {"usd"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	wantRedirect(t, env.do(t, "admin", http.MethodPost, "/admin/reach", form("cost-linkedin", "0,85", "cost-x", "0.5", "cost-facebook", "")), "/admin/reach?saved=1")
	var saved reach.Costs
	if ok, err := env.store.Setting(ctx, store.SettingReachCosts, &saved); err != nil || !ok {
		t.Fatal("not saved", err)
	}
	if saved.Currency != "USD" || len(saved.CostPerClick) != 2 || saved.CostPerClick["linkedin"] != "0.85" || saved.CostPerClick["x"] != "0.50" {
		t.Errorf("saved %+v", saved)
	}
	if n := len(env.auditEntries(t, "settings.change")); n != 1 {
		t.Errorf("%d settings changes audit-logged, want 1", n)
	}
	doc = mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/reach?saved=1", nil))
	if got := attr(t, doc.Find(`[data-testid="cost-linkedin"]`), "value"); got != "0.85" || !has(doc, "saved") {
		t.Errorf("form shows %q after saving", got)
	}

	refused := []struct {
		name, field string
		form        url.Values
	}{
		{"negative", "cost-linkedin", form("cost-linkedin", "-1")},
		{"not a number", "cost-x", form("cost-x", "cheap")},
		{"too precise", "cost-x", form("cost-x", "0.123456")},
		{"too much", "cost-x", form("cost-x", "1000000")},
		{"bad currency", "currency", url.Values{"currency": {"EURO"}, "cost-x": {"1"}}},
		{"no currency", "currency", url.Values{"cost-x": {"1"}}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.do(t, "admin", http.MethodPost, "/admin/reach", tt.form)
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := mustDoc(t, resp)
			if !has(doc, "error-"+tt.field) || !has(doc, "form-problem") {
				t.Errorf("no error beside %s", tt.field)
			}
			var now reach.Costs
			if _, err := env.store.Setting(ctx, store.SettingReachCosts, &now); err != nil {
				t.Fatal(err)
			}
			if now.Currency != "USD" || now.CostPerClick["linkedin"] != "0.85" || len(now.CostPerClick) != 2 {
				t.Errorf("a refused form changed the setting: %+v", now)
			}
			if n := len(env.auditEntries(t, "settings.change")); n != 1 {
				t.Errorf("%d settings changes audit-logged, want still 1", n)
			}
		})
	}
}

// TestReachRoutesRoles checks reachRoleTable as every persona, as
// TestRoles does for the routes already wired in routes().
func TestReachRoutesRoles(t *testing.T) {
	env := newTestEnv(t)
	withReachRoutes(t, env)
	env.livePost(t, "A live post")
	for _, e := range reachRoleTable {
		for _, persona := range anyone {
			t.Run(fmt.Sprintf("%s %s as %q", e.method, e.example, persona), func(t *testing.T) {
				resp := env.do(t, persona, e.method, e.example, nil)
				toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
				switch {
				case slices.Contains(e.allowed, persona):
					if resp.StatusCode == http.StatusForbidden || toLogin || resp.StatusCode >= 500 {
						t.Fatalf("allowed persona got %d", resp.StatusCode)
					}
				case persona == "":
					if !toLogin {
						t.Fatalf("anonymous got %d, want a redirect to sign in", resp.StatusCode)
					}
				default:
					if resp.StatusCode != http.StatusForbidden {
						t.Fatalf("got %d, want 403", resp.StatusCode)
					}
				}
			})
		}
	}
}
