package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/guidelines"
	"github.com/advocacy-portal/portal/handlers"
	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

// seedConfig says how much data `portal seed` generates.
type seedConfig struct {
	DB     string
	Users  int
	Posts  int
	Clicks int64
	Days   int    // the generated programme runs for this many days, up to today
	Seed   uint64 // the random seed: the same seed gives the same data
	Raw    bool   // also write one raw click row per request (slow; dashboards do not need them)
	Bench  int    // after seeding, time the dashboards this many times (0: do not)
	Now    time.Time
}

// seedCommand runs `portal seed`: it fills a new database with generated
// people, posts, tracked links, shares and per-link per-day click rollups,
// for trying the dashboards and measuring them at scale. It returns the
// exit code: 0 when done, 1 on failure, 2 for bad usage.
func seedCommand(args []string, stdout, stderr io.Writer) int {
	cfg := seedConfig{Now: time.Now()}
	fs := flag.NewFlagSet("portal seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DB, "db", "seed.db", "path of the SQLite database to fill (must be new or empty)")
	fs.IntVar(&cfg.Users, "users", 1000, "number of employees")
	fs.IntVar(&cfg.Posts, "posts", 200, "number of posts")
	fs.Int64Var(&cfg.Clicks, "clicks", 1_000_000, "number of people's clicks, spread over the tracked links")
	fs.IntVar(&cfg.Days, "days", 365, "how many days, up to today, the programme has been running")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed")
	fs.BoolVar(&cfg.Raw, "raw", false, "also write the raw click rows (slow; the dashboards read only the rollups)")
	fs.IntVar(&cfg.Bench, "bench", 0, "after seeding, time the programme dashboard and my reach this many times each")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: portal seed [flags]\n\nGenerates people, posts, shares and click rollups into a new database, for demos and benchmarks.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || cfg.Users < 1 || cfg.Posts < 1 || cfg.Clicks < 0 || cfg.Days < 1 || cfg.DB == "" || cfg.Bench < 0 {
		fmt.Fprintln(stderr, "portal seed: -users, -posts and -days must be at least 1, -clicks and -bench at least 0, and -db must name a file")
		return 2
	}
	ctx := context.Background()
	stats, err := seed(ctx, cfg, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "portal seed:", err)
		return 1
	}
	fmt.Fprintf(stdout, "seeded %s in %s: %d users, %d posts, %d campaigns, %d links, %d shares, %d rollup rows, %d clicks\n",
		cfg.DB, stats.Took.Round(time.Millisecond), stats.Users, stats.Posts, stats.Campaigns, stats.Links, stats.Shares, stats.Rollups, stats.Clicks)
	if err := digestDays(ctx, cfg.DB, cfg.Now, stdout); err != nil {
		fmt.Fprintln(stderr, "portal seed:", err)
		return 1
	}
	if cfg.Bench > 0 {
		if err := benchDashboards(ctx, cfg.DB, cfg.Bench, cfg.Now, stdout); err != nil {
			fmt.Fprintln(stderr, "portal seed:", err)
			return 1
		}
	}
	return 0
}

// seedStats is what seed wrote.
type seedStats struct {
	Users, Posts, Campaigns, Links, Shares, Rollups int
	Clicks                                          int64
	Took                                            time.Duration
}

var (
	seedFirstNames  = []string{"Sam", "Noor", "Hannah", "Carlos", "Mei", "Alex", "Priya", "Jonas", "Fatima", "Lars", "Aylin", "Tom", "Sofia", "Kenji", "Amara", "Ruben", "Eva", "Mateo", "Ines", "Yusuf"}
	seedLastNames   = []string{"Patel", "de Vries", "Okafor", "Mendes", "Lin", "Kowalski", "Jansen", "Bakker", "Nguyen", "Schmidt", "Haddad", "Visser", "Rossi", "Tanaka", "Mensah", "Smit", "Novak", "Garcia", "Cohen", "Ivanova"}
	seedDepartments = []string{"Sales", "Marketing", "Engineering", "Customer Success", "People", "Finance", "Operations", "Product", "Legal", "IT", "Research", "Support"}
	// seedNetworkShare is how often each network is chosen for a share.
	seedNetworkShare = map[share.Network]float64{share.LinkedIn: 45, share.X: 13, share.Facebook: 10, share.Xing: 4,
		share.Bluesky: 5, share.Mastodon: 3, share.WhatsApp: 8, share.Email: 5, share.Copy: 7}
	// seedFollowers is, per network, how likely a person has an account
	// there and their median follower count.
	seedFollowers = map[share.Network]struct {
		p      float64
		median float64
	}{share.LinkedIn: {0.85, 400}, share.X: {0.4, 200}, share.Facebook: {0.5, 250}, share.Xing: {0.1, 150},
		share.Bluesky: {0.15, 120}, share.Mastodon: {0.08, 100}, share.WhatsApp: {0.3, 60}}
)

// seedLink is a generated tracked link with its shares.
type seedLink struct {
	user, post int64
	network    share.Network
	followers  int64
	sharedAt   time.Time
	reshared   bool
	weight     float64
	clicks     int64
}

// seed generates the data into cfg.DB. The database is created and
// migrated through the store; the bulk rows are then written with plain
// SQL in large transactions.
func seed(ctx context.Context, cfg seedConfig, progress io.Writer) (seedStats, error) {
	start := time.Now()
	var stats seedStats
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return stats, err
	}
	n, err := st.CountUsers(ctx)
	st.Close()
	if err != nil {
		return stats, err
	}
	if n > 0 {
		return stats, fmt.Errorf("%s already has %d users: seed only a new database", cfg.DB, n)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(OFF)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+cfg.DB+"?"+q.Encode())
	if err != nil {
		return stats, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	today := cfg.Now.UTC().Truncate(24 * time.Hour)
	begin := today.AddDate(0, 0, -(cfg.Days - 1))
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	logf := func(format string, a ...any) { fmt.Fprintf(progress, format+"\n", a...) }

	// People, their departments (as groups too) and their followers.
	w, err := newBulk(ctx, db)
	if err != nil {
		return stats, err
	}
	followers := make([]map[share.Network]int64, cfg.Users+1)
	activity := make([]float64, cfg.Users+1) // how keen each person is to share
	for g, name := range seedDepartments {
		if err := w.add(`INSERT INTO groups (id, name, kind) VALUES (?, ?, 'department')`, g+1, name); err != nil {
			return stats, err
		}
	}
	for id := 1; id <= cfg.Users; id++ {
		dep := int(math.Min(float64(len(seedDepartments)-1), rng.ExpFloat64()*3))
		name := seedFirstNames[rng.IntN(len(seedFirstNames))] + " " + seedLastNames[rng.IntN(len(seedLastNames))]
		optOut := rng.Float64() < 0.05
		if err := w.add(`INSERT INTO users (id, email, name, department, created_at, leaderboard_opt_out) VALUES (?, ?, ?, ?, ?, ?)`,
			id, fmt.Sprintf("person%d@seed.example", id), name, seedDepartments[dep], ts(begin.AddDate(0, 0, -30)), optOut); err != nil {
			return stats, err
		}
		if err := w.add(`INSERT INTO user_roles (user_id, role, source) VALUES (?, 'employee', 'idp')`, id); err != nil {
			return stats, err
		}
		if err := w.add(`INSERT INTO group_members (group_id, user_id, source, joined_at) VALUES (?, ?, 'csv', ?)`,
			dep+1, id, ts(begin)); err != nil {
			return stats, err
		}
		followers[id] = map[share.Network]int64{}
		for _, nw := range share.Networks {
			f, ok := seedFollowers[nw]
			if !ok || rng.Float64() >= f.p {
				continue
			}
			count := int64(f.median * math.Exp(rng.NormFloat64()))
			followers[id][nw] = count
			if err := w.add(`INSERT INTO user_networks (user_id, network, followers) VALUES (?, ?, ?)`, id, string(nw), count); err != nil {
				return stats, err
			}
		}
		activity[id] = 1 / math.Pow(float64(rng.IntN(cfg.Users)+1), 0.8)
	}
	stats.Users = cfg.Users
	logf("users: %d", cfg.Users)

	// Campaigns run one after another; posts in their time may belong to them.
	nCampaigns := max(1, cfg.Posts/25)
	stats.Campaigns = nCampaigns
	campaignSpan := float64(cfg.Days) / float64(nCampaigns)
	campaignPosts := make([]int, nCampaigns+1)
	postCampaign := make([]int, cfg.Posts+1)
	postAt := make([]time.Time, cfg.Posts+1)
	span := today.Add(24 * time.Hour).Sub(begin)
	offsets := make([]time.Duration, cfg.Posts)
	for i := range offsets {
		offsets[i] = time.Duration(rng.Int64N(int64(span)))
	}
	slices.Sort(offsets)
	for id := 1; id <= cfg.Posts; id++ {
		at := begin.Add(offsets[id-1])
		if at.After(cfg.Now) {
			at = cfg.Now.Add(-time.Duration(rng.Int64N(int64(time.Hour))))
		}
		postAt[id] = at
		if rng.Float64() < 0.6 {
			c := min(nCampaigns, int(at.Sub(begin).Hours()/24/campaignSpan)+1)
			postCampaign[id] = c
			campaignPosts[c]++
		}
	}
	categories := []post.Category{post.CompanyNews, post.CompanyNews, post.IndustryInsight, post.Culture, post.Jobs, post.Product}
	for id := 1; id <= cfg.Posts; id++ {
		title := fmt.Sprintf("Seeded post %d", id)
		var campaignID any
		campaignName := ""
		if c := postCampaign[id]; c > 0 {
			campaignID, campaignName = c, fmt.Sprintf("Campaign %d", c)
		}
		cat := categories[rng.IntN(len(categories))]
		if err := w.add(`INSERT INTO posts (id, title, url, category, campaign, slug, status, author_id, approver_id,
			publish_at, created_at, updated_at, campaign_id, went_live_at) VALUES (?, ?, ?, ?, ?, ?, 'approved', 1, 1, ?, ?, ?, ?, ?)`,
			id, title, fmt.Sprintf("https://example.com/news/%d", id), string(cat), campaignName, post.Slugify(title),
			ts(postAt[id]), ts(postAt[id].Add(-time.Hour)), ts(postAt[id]), campaignID, ts(postAt[id])); err != nil {
			return stats, err
		}
	}
	stats.Posts = cfg.Posts
	logf("posts: %d", cfg.Posts)

	// Who shared what, where and when.
	cum := make([]float64, cfg.Users+1)
	for id := 1; id <= cfg.Users; id++ {
		cum[id] = cum[id-1] + activity[id]
	}
	pickUser := func() int64 {
		x := rng.Float64() * cum[cfg.Users]
		return int64(max(1, sort.SearchFloat64s(cum, x)))
	}
	var netCum []float64
	var netTotal float64
	for _, nw := range share.Networks {
		netTotal += seedNetworkShare[nw]
		netCum = append(netCum, netTotal)
	}
	pickNetwork := func() share.Network {
		return share.Networks[min(len(share.Networks)-1, sort.SearchFloat64s(netCum, rng.Float64()*netTotal))]
	}
	var links []seedLink
	meanSharers := max(1, float64(cfg.Users)/100)
	for p := 1; p <= cfg.Posts; p++ {
		sharers := min(cfg.Users, int(meanSharers*math.Exp(rng.NormFloat64()*0.7-0.245))+1)
		seen := map[[2]int64]bool{}
		for range sharers {
			u := pickUser()
			networks := []share.Network{pickNetwork()}
			if rng.Float64() < 0.2 {
				networks = append(networks, pickNetwork())
			}
			for _, nw := range networks {
				key := [2]int64{u, int64(slices.Index(share.Networks, nw))}
				if seen[key] {
					continue
				}
				seen[key] = true
				at := postAt[p].Add(time.Duration(rng.ExpFloat64() * float64(18*time.Hour)))
				if at.After(cfg.Now) {
					continue
				}
				f := followers[u][nw]
				links = append(links, seedLink{user: u, post: int64(p), network: nw, followers: f, sharedAt: at,
					reshared: rng.Float64() < 0.05, weight: math.Pow(float64(f+20), 0.6) * math.Exp(rng.NormFloat64())})
			}
		}
	}
	// Clicks are spread over the links by weight, adding up to exactly cfg.Clicks.
	var total float64
	for _, l := range links {
		total += l.weight
	}
	var given int64
	for i := range links {
		links[i].clicks = int64(float64(cfg.Clicks) * links[i].weight / total)
		given += links[i].clicks
	}
	for i := 0; given < cfg.Clicks && len(links) > 0; i++ {
		links[rng.IntN(len(links))].clicks++
		given++
	}
	for i, l := range links {
		id := i + 1
		code := fmt.Sprintf("s%x", sha256.Sum256(fmt.Appendf(nil, "%d-%d", cfg.Seed, id)))[:12]
		if err := w.add(`INSERT INTO links (id, code, user_id, post_id, network, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, code, l.user, l.post, string(l.network), ts(l.sharedAt)); err != nil {
			return stats, err
		}
		var confirmed any
		if rng.Float64() < 0.4 {
			confirmed = ts(l.sharedAt.Add(10 * time.Minute))
		}
		if err := w.add(`INSERT INTO shares (link_id, followers, created_at, confirmed_at) VALUES (?, ?, ?, ?)`,
			id, l.followers, ts(l.sharedAt), confirmed); err != nil {
			return stats, err
		}
		stats.Shares++
		if again := l.sharedAt.Add(time.Duration(rng.Int64N(int64(72 * time.Hour)))); l.reshared && again.Before(cfg.Now) {
			if err := w.add(`INSERT INTO shares (link_id, followers, created_at) VALUES (?, ?, ?)`, id, l.followers, ts(again)); err != nil {
				return stats, err
			}
			stats.Shares++
		}
	}
	stats.Links = len(links)
	if err := w.flush(); err != nil {
		return stats, err
	}
	logf("links: %d, shares: %d", stats.Links, stats.Shares)

	// Each link's clicks fall mostly on the day it was shared and fade over
	// two weeks; every click day is one rollup row.
	var decay [14]float64
	for d := range decay {
		decay[d] = math.Pow(0.45, float64(d))
	}
	step := max(1, len(links)/10)
	for i, l := range links {
		id := i + 1
		shareDay := l.sharedAt.UTC().Truncate(24 * time.Hour)
		days := min(len(decay), int(today.Sub(shareDay).Hours()/24)+1)
		var weightLeft float64
		for d := range days {
			weightLeft += decay[d]
		}
		left := l.clicks
		for d := 0; d < days && left > 0; d++ {
			k := left
			if d < days-1 {
				k = min(left, int64(float64(left)*decay[d]/weightLeft+rng.Float64()))
			}
			weightLeft -= decay[d]
			left -= k
			if k == 0 {
				continue
			}
			day := shareDay.AddDate(0, 0, d)
			visitors := max(1, k-k/8)
			previews, bots := k/10+int64(rng.IntN(3)), k/20
			if err := w.add(`INSERT INTO click_rollups (link_id, day, clicks, previews, bots, visitors) VALUES (?, ?, ?, ?, ?, ?)`,
				id, day.Format(reach.DayLayout), k, previews, bots, visitors); err != nil {
				return stats, err
			}
			stats.Rollups++
			stats.Clicks += k
			if cfg.Raw {
				if err := seedRawClicks(w, rng, id, day, cfg.Now, k, previews, bots); err != nil {
					return stats, err
				}
			}
		}
		if (i+1)%step == 0 {
			logf("clicks: %d%% (%d rollup rows)", (i+1)*100/len(links), stats.Rollups)
		}
	}
	// Goals the campaigns can just about reach.
	campaignClicks := make([]int64, nCampaigns+1)
	for _, l := range links {
		campaignClicks[postCampaign[l.post]] += l.clicks
	}
	for c := 1; c <= nCampaigns; c++ {
		from := begin.Add(time.Duration(float64(c-1) * campaignSpan * float64(24*time.Hour)))
		goal := int64(math.Round(float64(campaignClicks[c])*(0.6+rng.Float64()*0.8)/100) * 100)
		if err := w.add(`INSERT INTO campaigns (id, name, slug, goal_clicks, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c, fmt.Sprintf("Campaign %d", c), fmt.Sprintf("campaign-%d", c), goal, ts(from),
			ts(from.Add(time.Duration(campaignSpan*float64(24*time.Hour)))), ts(from.Add(-24*time.Hour))); err != nil {
			return stats, err
		}
	}
	if err := w.flush(); err != nil {
		return stats, err
	}
	// The seeded rollups hold the seeded click rows already.
	if _, err := db.ExecContext(ctx, `UPDATE rollup_progress SET last_click_id = (SELECT COALESCE(MAX(id), 0) FROM clicks)`); err != nil {
		return stats, fmt.Errorf("mark the seeded clicks rolled up: %w", err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return stats, fmt.Errorf("analyze: %w", err)
	}
	stats.Took = time.Since(start)
	return stats, nil
}

// seedRawClicks writes the raw rows behind one rollup row.
func seedRawClicks(w *bulk, rng *rand.Rand, linkID int, day, now time.Time, clicks, previews, bots int64) error {
	at := func() string {
		t := day.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
		if t.After(now) {
			t = now
		}
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	for range clicks {
		var visitor [16]byte
		for j := range visitor {
			visitor[j] = byte(rng.IntN(256))
		}
		if err := w.add(`INSERT INTO clicks (link_id, created_at, kind, visitor_hash) VALUES (?, ?, 'click', ?)`, linkID, at(), visitor[:]); err != nil {
			return err
		}
	}
	for range previews {
		if err := w.add(`INSERT INTO clicks (link_id, created_at, kind) VALUES (?, ?, 'preview')`, linkID, at()); err != nil {
			return err
		}
	}
	for range bots {
		if err := w.add(`INSERT INTO clicks (link_id, created_at, kind) VALUES (?, ?, 'bot')`, linkID, at()); err != nil {
			return err
		}
	}
	return nil
}

// bulk writes rows in transactions of many rows each, with one prepared
// statement per query text.
type bulk struct {
	ctx   context.Context
	db    *sql.DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	rows  int
}

const bulkTxRows = 50_000

func newBulk(ctx context.Context, db *sql.DB) (*bulk, error) {
	return &bulk{ctx: ctx, db: db, stmts: map[string]*sql.Stmt{}}, nil
}

func (b *bulk) add(query string, args ...any) error {
	if b.tx == nil {
		tx, err := b.db.BeginTx(b.ctx, nil)
		if err != nil {
			return err
		}
		b.tx = tx
	}
	stmt, ok := b.stmts[query]
	if !ok {
		var err error
		if stmt, err = b.tx.PrepareContext(b.ctx, query); err != nil {
			return fmt.Errorf("prepare %s: %w", strings.Fields(query)[2], err)
		}
		b.stmts[query] = stmt
	}
	if _, err := stmt.ExecContext(b.ctx, args...); err != nil {
		return fmt.Errorf("insert into %s: %w", strings.Fields(query)[2], err)
	}
	if b.rows++; b.rows >= bulkTxRows {
		return b.flush()
	}
	return nil
}

// flush commits the rows added so far.
func (b *bulk) flush() error {
	if b.tx == nil {
		return nil
	}
	for _, s := range b.stmts {
		s.Close()
	}
	clear(b.stmts)
	err := b.tx.Commit()
	b.tx, b.rows = nil, 0
	return err
}

// digestDays builds the dashboards' digests of the finished days, which
// the first dashboard would otherwise build, and says how long it took.
func digestDays(ctx context.Context, path string, now time.Time, out io.Writer) error {
	st, err := store.Open(ctx, path, store.WithClock(func() time.Time { return now }))
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	n, err := st.BuildReachDays(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "digested %d days for the dashboards in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

// benchDashboards times the dashboards on the seeded database: each
// dashboard's store queries and each page through the portal's handlers
// (server time: query and render, no network), times times each, printing
// the median and the slowest.
func benchDashboards(ctx context.Context, path string, times int, now time.Time, out io.Writer) error {
	st, err := store.Open(ctx, path, store.WithClock(func() time.Time { return now }))
	if err != nil {
		return err
	}
	defer st.Close()
	pages, err := dashboardPages(ctx, st, now)
	if err != nil {
		return err
	}
	for _, q := range append(dashboardQueries(st, now), pages...) {
		var took []time.Duration
		for range times {
			start := time.Now()
			if err := q.run(ctx); err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		fmt.Fprintf(out, "%-40s median %7.1f ms   max %7.1f ms\n", q.name, ms(took[len(took)/2]), ms(took[len(took)-1]))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// dashboardQuery is one thing to time: a dashboard's store queries or page.
type dashboardQuery struct {
	name string
	run  func(context.Context) error
}

// dashboardQueries are the store query sets of the programme dashboard (a
// period and the one before it) and of my reach (all time and the rank).
func dashboardQueries(st *store.Store, now time.Time) []dashboardQuery {
	tomorrow := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	programme := func(days int) func(context.Context) error {
		return func(ctx context.Context) error {
			from := tomorrow.AddDate(0, 0, -days)
			if _, err := st.ReachReport(ctx, reach.Scope{}, from, tomorrow); err != nil {
				return err
			}
			_, err := st.ReachTotals(ctx, reach.Scope{}, from.AddDate(0, 0, -days), from)
			return err
		}
	}
	return []dashboardQuery{
		{"store: programme, 7 days", programme(7)},
		{"store: programme, 30 days", programme(30)},
		{"store: programme, 90 days", programme(90)},
		{"store: programme, 365 days", programme(365)},
		{"store: my reach, all time, with rank", func(ctx context.Context) error {
			first, _, err := st.ReachFirstDay(ctx, reach.Scope{})
			if err != nil {
				return err
			}
			if _, err := st.ReachReport(ctx, reach.Scope{UserID: 1}, first, tomorrow); err != nil {
				return err
			}
			_, err = st.Leaderboard(ctx, first, tomorrow)
			return err
		}},
	}
}

// benchSessionCookie is the portal's session cookie (handlers' sessionCookie).
const benchSessionCookie = "portal_session"

// dashboardPages are the dashboard pages, requested through the portal's
// handlers as a comms person (adding one to the database), as the employee
// with the most points of all and as one in the middle of the leaderboard.
func dashboardPages(ctx context.Context, st *store.Store, now time.Time) ([]dashboardQuery, error) {
	g, err := training.Load(guidelines.FS())
	if err != nil {
		return nil, err
	}
	app := handlers.New(handlers.Deps{Store: st, Guidelines: g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups",
		BaseURL: "http://portal.bench", Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now }})
	comms, err := st.SignIn(ctx, account.Identity{Issuer: "urn:advocacy-portal:seed", Subject: "bench-comms", EmailVerified: true, Email: "bench-comms@seed.example",
		Name: "Benchmark comms", Roles: []account.Role{account.Comms}})
	if err != nil {
		return nil, err
	}
	first, _, err := st.ReachFirstDay(ctx, reach.Scope{})
	if err != nil {
		return nil, err
	}
	board, err := st.Leaderboard(ctx, first, now.AddDate(0, 0, 1))
	if err != nil || len(board) == 0 {
		return nil, fmt.Errorf("no one to show my reach of: %v", err)
	}
	slices.SortFunc(board, func(a, b reach.LeaderLine) int { return int(b.PointShares + b.Clicks - a.PointShares - a.Clicks) })
	top, typical := board[0], board[len(board)/2]
	session := func(userID int64) (string, error) {
		token := auth.NewToken()
		return token, st.CreateSession(ctx, auth.HashToken(token), "", userID, auth.NewToken(), now.Add(24*time.Hour))
	}
	commsToken, err := session(comms.ID)
	if err != nil {
		return nil, err
	}
	topToken, err := session(top.UserID)
	if err != nil {
		return nil, err
	}
	typicalToken, err := session(typical.UserID)
	if err != nil {
		return nil, err
	}
	get := func(path, token string) func(context.Context) error {
		return func(context.Context) error {
			req := httptest.NewRequest(http.MethodGet, "http://portal.bench"+path, nil)
			req.AddCookie(&http.Cookie{Name: benchSessionCookie, Value: token})
			resp, err := app.Test(req, -1)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: %s", path, resp.Status)
			}
			return nil
		}
	}
	registered := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		registered[r.Path] = true
	}
	var out []dashboardQuery
	for _, p := range []struct{ name, route, path, token string }{
		{"page: /reach (30 days)", "/reach", "/reach", commsToken},
		{"page: /reach?period=7", "/reach", "/reach?period=7", commsToken},
		{"page: /reach?period=90", "/reach", "/reach?period=90", commsToken},
		{"page: /reach/campaigns/1 (all time)", "/reach/campaigns/:id", "/reach/campaigns/1", commsToken},
		{"page: /reach/posts/1 (all time)", "/reach/posts/:id", "/reach/posts/1", commsToken},
		{"page: /my/reach, typical person (all time)", "/my/reach", "/my/reach", typicalToken},
		{"page: /my/reach, top advocate (all time)", "/my/reach", "/my/reach", topToken},
		{"page: /leaderboard (this month)", "/leaderboard", "/leaderboard", typicalToken},
		{"page: /leaderboard?period=all", "/leaderboard", "/leaderboard?period=all", typicalToken},
	} {
		if registered[p.route] {
			out = append(out, dashboardQuery{p.name, get(p.path, p.token)})
		}
	}
	return out, nil
}
