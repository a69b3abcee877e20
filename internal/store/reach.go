package store

// Reach dashboards: shares and people's clicks added up by day, network,
// post, person, department, group, category and campaign.
//
// Pages never count the raw click table. They read the per-link per-day
// click_rollups, shares and links, through reach_days: one row per part
// and finished UTC day holding that day's figures per link (with the
// link's person, post and network), or per post, person or network,
// packed into a blob. A day is digested the first time a dashboard needs
// it once it is over for good: ten minutes after midnight, since clicks
// and shares are stamped when they arrive and committed within moments.
// Today (and yesterday, in the first minutes of a day) is always read live
// from the rollups. A period of 30 days is then 29 blob reads and one
// small query, however many clicks there were.

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
)

// SettingReachCosts holds the earned media value settings: a reach.Costs.
const SettingReachCosts = "reach_costs"

var _ reach.DashboardRepository = (*Store)(nil)

// ReachCosts returns the costs per click admins set, or the zero Costs if
// they never did.
func (s *Store) ReachCosts(ctx context.Context) (reach.Costs, error) {
	var c reach.Costs
	_, err := s.Setting(ctx, SettingReachCosts, &c)
	return c, err
}

// SetReachCosts stores the costs per click and audit-logs the change with
// the old value.
func (s *Store) SetReachCosts(ctx context.Context, c reach.Costs, actorID int64) error {
	return s.SetSetting(ctx, SettingReachCosts, c, actorID)
}

// ReachReport adds up scope's shares and clicks on the UTC days from from
// up to (not including) to.
func (s *Store) ReachReport(ctx context.Context, scope reach.Scope, from, to time.Time) (reach.Report, error) {
	var r reach.Report
	a, live := newReachAgg(from, to), newLiveDays()
	programme := scope == (reach.Scope{})
	// The parts that do not depend on each other run side by side: the
	// live days and every post's clicks to date while the digests are read.
	var toDate []int64
	toDateDone := make(chan error, 1)
	if programme {
		for d := later(from, s.finalBefore()); d.Before(to) && !d.After(s.today()); d = d.AddDate(0, 0, 1) {
			live.start(ctx, s, d)
		}
		go func() {
			var err error
			toDate, err = s.postClicksToDate(ctx, live)
			toDateDone <- err
		}()
	} else {
		go func() {
			var err error
			if scope.UserID == 0 {
				toDate, err = s.scopedClicksToDate(ctx, scope)
			}
			toDateDone <- err
		}()
	}
	var err error
	if programme {
		err = s.eachReachDay(ctx, from, to, blobLinks, a.nets, live, a.add)
	} else {
		err = s.eachScopedEntry(ctx, scope, from, to, a.nets, a.add)
	}
	if err := errors.Join(err, <-toDateDone); err != nil {
		return r, fmt.Errorf("store: reach report: %w", err)
	}
	r.Total = a.total.counts(a.nets)
	for i := range a.days {
		r.Days = append(r.Days, reach.DayCounts{Day: from.AddDate(0, 0, i), Shares: a.days[i].shares, Clicks: a.days[i].clicks, Visitors: a.days[i].visitors})
	}
	for i := range a.byNet {
		if a.byNet[i].active() {
			r.Networks = append(r.Networks, reach.Line{Name: a.nets.names[i], Counts: a.byNet[i].counts(a.nets)})
		}
	}
	sortLines(r.Networks)
	groupsDone := make(chan error, 1)
	if scope.UserID == 0 {
		go func() { groupsDone <- s.groupLines(ctx, &r, a) }()
	} else {
		groupsDone <- nil
	}
	err = s.postLines(ctx, &r, a, toDate)
	if scope.UserID == 0 {
		err = errors.Join(err, s.personLines(ctx, &r, a))
	}
	if err := errors.Join(err, <-groupsDone); err != nil {
		return r, err
	}
	return r, nil
}

// ReachTotals is ReachReport's Total alone: cheaper, for comparing with a
// previous period.
func (s *Store) ReachTotals(ctx context.Context, scope reach.Scope, from, to time.Time) (reach.Counts, error) {
	a := newReachAgg(from, to)
	add := func(_ int, e *reachEntry) { a.total.add(e) }
	var err error
	if scope == (reach.Scope{}) {
		err = s.eachReachDay(ctx, from, to, blobNetworks, a.nets, nil, add)
	} else {
		err = s.eachScopedEntry(ctx, scope, from, to, a.nets, add)
	}
	if err != nil {
		return reach.Counts{}, fmt.Errorf("store: reach totals: %w", err)
	}
	return a.total.counts(a.nets), nil
}

// Leaderboard returns the people on the leaderboard with their shares and
// clicks on the UTC days from from up to to, in no particular order.
// People who opted out are left out; so is anyone with no share or click.
func (s *Store) Leaderboard(ctx context.Context, from, to time.Time) ([]reach.LeaderLine, error) {
	people, err := s.peopleBetween(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: leaderboard: %w", err)
	}
	var active []int64
	for id, p := range people {
		if p.shares > 0 || p.clicks > 0 {
			active = append(active, int64(id))
		}
	}
	if len(active) == 0 {
		return nil, nil
	}
	ids, err := json.Marshal(active)
	if err != nil {
		return nil, fmt.Errorf("store: leaderboard: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT u.id, u.name, u.department FROM json_each(?) j JOIN users u ON u.id = j.value
		WHERE u.leaderboard_opt_out = 0`, string(ids))
	if err != nil {
		return nil, fmt.Errorf("store: leaderboard: %w", err)
	}
	defer rows.Close()
	out := make([]reach.LeaderLine, 0, len(active))
	for rows.Next() {
		var l reach.LeaderLine
		if err := rows.Scan(&l.UserID, &l.Name, &l.Department); err != nil {
			return nil, fmt.Errorf("store: leaderboard: %w", err)
		}
		p := people[l.UserID]
		l.Shares, l.PointShares, l.Clicks = p.shares, p.pointShares, p.clicks
		out = append(out, l)
	}
	return out, rows.Err()
}

// personTotals is what the leaderboard needs of a person.
type personTotals struct{ shares, pointShares, clicks int64 }

// peopleBetween returns everyone's shares and clicks on the days from
// from up to to, indexed by user id. Finished days come from running
// totals (see peopleThrough): any period is the difference of two.
func (s *Store) peopleBetween(ctx context.Context, from, to time.Time) ([]personTotals, error) {
	final := s.finalBefore()
	var people []personTotals
	if end := earlier(to, final); from.Before(end) {
		hi, err := s.peopleThrough(ctx, end.AddDate(0, 0, -1))
		if err != nil {
			return nil, err
		}
		lo, err := s.peopleThrough(ctx, from.AddDate(0, 0, -1))
		if err != nil {
			return nil, err
		}
		people = grow(hi, int64(len(lo))-1)
		for id, p := range lo {
			people[id].shares -= p.shares
			people[id].pointShares -= p.pointShares
			people[id].clicks -= p.clicks
		}
	}
	err := s.eachReachDay(ctx, later(from, final), to, blobPeople, newNetworkIndex(), nil, func(_ int, e *reachEntry) {
		people = grow(people, e.user)
		p := &people[e.user]
		p.shares += e.shares
		p.pointShares += e.pointShares
		p.clicks += e.clicks
	})
	return people, err
}

// peopleThrough returns everyone's shares and clicks from the first day up
// to and including through, a finished day, indexed by user id. It keeps
// the totals as the day's people_to_date digest, so that the next call
// starts from there and adds only the days since.
func (s *Store) peopleThrough(ctx context.Context, through time.Time) ([]personTotals, error) {
	var people []personTotals
	add := func(e *reachEntry) {
		people = grow(people, e.user)
		p := &people[e.user]
		p.shares += e.shares
		p.pointShares += e.pointShares
		p.clicks += e.clicks
	}
	var start time.Time
	var baseDay string
	var data []byte
	err := s.read.QueryRowContext(ctx, `SELECT day, data FROM reach_days WHERE part = 'people_to_date' AND format = ? AND day <= ?
		ORDER BY day DESC LIMIT 1`, reachFormat, through.Format(reach.DayLayout)).Scan(&baseDay, &data)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		first, ok, err := s.ReachFirstDay(ctx, reach.Scope{})
		if err != nil || !ok {
			return nil, err
		}
		start = first
	case err != nil:
		return nil, err
	default:
		if err := decodeReachDay(data, newNetworkIndex(), add); err != nil {
			return nil, fmt.Errorf("people to %s: %w", baseDay, err)
		}
		base, err := time.Parse(reach.DayLayout, baseDay)
		if err != nil {
			return nil, err
		}
		start = base.AddDate(0, 0, 1)
	}
	if start.After(through) {
		return people, nil
	}
	if err := s.eachReachDay(ctx, start, through.AddDate(0, 0, 1), blobPeople, newNetworkIndex(), nil, func(_ int, e *reachEntry) { add(e) }); err != nil {
		return nil, err
	}
	var entries []reachEntry
	for id, p := range people {
		if p != (personTotals{}) {
			entries = append(entries, reachEntry{user: int64(id), shares: p.shares, pointShares: p.pointShares, clicks: p.clicks})
		}
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO reach_days (part, day, format, data, built_at) VALUES ('people_to_date', ?, ?, ?, ?)
		ON CONFLICT (part, day) DO UPDATE SET format = excluded.format, data = excluded.data, built_at = excluded.built_at`,
		through.Format(reach.DayLayout), reachFormat, encodeReachDay(entries), timestamp(s.now())); err != nil {
		return nil, err
	}
	return people, nil
}

// ReachFirstDay is the first UTC day with a share or a click in scope,
// for periods that run from the start; ok is false when there is none yet.
func (s *Store) ReachFirstDay(ctx context.Context, scope reach.Scope) (day time.Time, ok bool, err error) {
	var share, click sql.NullString
	if scope == (reach.Scope{}) {
		err = s.read.QueryRowContext(ctx, `SELECT (SELECT MIN(created_at) FROM shares), (SELECT MIN(day) FROM click_rollups)`).
			Scan(&share, &click)
	} else {
		where, arg := scopeLinks(scope)
		err = s.read.QueryRowContext(ctx, `SELECT
			(SELECT MIN(sh.created_at) FROM links l JOIN shares sh ON sh.link_id = l.id WHERE `+where+`),
			(SELECT MIN(r.day) FROM links l JOIN click_rollups r ON r.link_id = l.id WHERE `+where+`)`, arg, arg).
			Scan(&share, &click)
	}
	if err != nil {
		return day, false, fmt.Errorf("store: first reach day: %w", err)
	}
	first := ""
	for _, v := range []sql.NullString{share, click} {
		if v.Valid && len(v.String) >= 10 && (first == "" || v.String[:10] < first) {
			first = v.String[:10]
		}
	}
	if first == "" {
		return day, false, nil
	}
	day, err = time.Parse(reach.DayLayout, first)
	if err != nil {
		return day, false, fmt.Errorf("store: first reach day: %w", err)
	}
	return day, true, nil
}

// ReachClicksToDate is every click so far on the links of a post's, a
// campaign's or a person's scope, whatever the period: a campaign's
// progress towards its goal.
func (s *Store) ReachClicksToDate(ctx context.Context, scope reach.Scope) (int64, error) {
	if scope == (reach.Scope{}) {
		return 0, errors.New("store: clicks to date: the scope is the whole programme")
	}
	where, arg := scopeLinks(scope)
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(r.clicks), 0) FROM links l JOIN click_rollups r ON r.link_id = l.id
		WHERE `+where, arg).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: clicks to date: %w", err)
	}
	return n, nil
}

// BuildReachDays digests every finished day that has no digest yet, so
// that the first dashboard after a bulk import is as fast as the next.
// It returns how many days it digested.
func (s *Store) BuildReachDays(ctx context.Context) (int, error) {
	first, ok, err := s.ReachFirstDay(ctx, reach.Scope{})
	if err != nil || !ok {
		return 0, err
	}
	built := 0
	final := s.finalBefore()
	for from := first; from.Before(final); from = from.AddDate(0, 0, 60) {
		to := earlier(from.AddDate(0, 0, 60), final)
		n, err := s.ensureReachDays(ctx, from, to)
		if err != nil {
			return built, fmt.Errorf("store: build reach days: %w", err)
		}
		built += n
	}
	return built, nil
}

// scopeLinks is the SQL condition on links l that picks scope's links,
// and its argument.
func scopeLinks(scope reach.Scope) (string, int64) {
	switch {
	case scope.PostID != 0:
		return `l.post_id = ?`, scope.PostID
	case scope.UserID != 0:
		return `l.user_id = ?`, scope.UserID
	}
	return `l.post_id IN (SELECT id FROM posts WHERE campaign_id = ?)`, scope.CampaignID
}

// eachScopedEntry calls fn with the shares and clicks of scope's links on
// each day from from up to to, read from the rollups and shares through
// the links' indexes: a post's, a campaign's or a person's links are few
// enough that this beats reading every link's digest. The shares are read
// beside the clicks; fn is called from the caller's goroutine only.
func (s *Store) eachScopedEntry(ctx context.Context, scope reach.Scope, from, to time.Time, nets *networkIndex, fn func(day int, e *reachEntry)) error {
	where, arg := scopeLinks(scope)
	days := newDayIndex(from, to)
	var shares []scopedShare
	sharesDone := make(chan error, 1)
	go func() {
		var err error
		shares, err = s.scopedShares(ctx, scope, from, to)
		sharesDone <- err
	}()
	err := s.eachScopedRollup(ctx, where, arg, from, to, days, nets, fn)
	if err := errors.Join(err, <-sharesDone); err != nil {
		return err
	}
	var e reachEntry
	for i := range shares {
		sh := &shares[i]
		if day, ok := days.of(sh.day); ok {
			e = reachEntry{link: sh.link, user: sh.user, post: sh.post, net: nets.of(sh.network),
				shares: sh.shares, reach: sh.reach, pointShares: sh.pointShares}
			fn(day, &e)
		}
	}
	return nil
}

// eachScopedRollup calls fn with the people's clicks on the links that
// where (on links l, with arg) picks on each day from from up to to.
func (s *Store) eachScopedRollup(ctx context.Context, where string, arg int64, from, to time.Time, days *dayIndex, nets *networkIndex, fn func(day int, e *reachEntry)) error {
	rows, err := s.read.QueryContext(ctx, `SELECT r.day, l.id, l.user_id, l.post_id, l.network, r.clicks, r.visitors
		FROM links l JOIN click_rollups r ON r.link_id = l.id
		WHERE `+where+` AND r.day >= ? AND r.day < ? AND (r.clicks > 0 OR r.visitors > 0)`,
		arg, from.Format(reach.DayLayout), to.Format(reach.DayLayout))
	if err != nil {
		return err
	}
	defer rows.Close()
	var e reachEntry
	var day, network string
	for rows.Next() {
		e = reachEntry{}
		if err := rows.Scan(&day, &e.link, &e.user, &e.post, &network, &e.clicks, &e.visitors); err != nil {
			return err
		}
		if i, ok := days.of(day); ok {
			e.net = nets.of(network)
			fn(i, &e)
		}
	}
	return rows.Err()
}

// scopedShare is one link's shares on one UTC day (YYYY-MM-DD).
type scopedShare struct {
	day, network               string
	link, user, post           int64
	shares, reach, pointShares int64
}

// scopedShares returns the shares of scope's links recorded from from up
// to to, per link and UTC day.
//
// A share earns a point by its rank among all of its person's shares on
// its network that UTC day (see rankedShares), not only the scope's: a
// share's points do not depend on the report. A person's scope ranks that
// person's shares in the period, as rankedShares does. A post's or a
// campaign's people are many and share much, mostly other posts on other
// days, so ranking all of their shares would read far more than needed:
// only the days on which the scope has shares matter, so the query ranks
// just the shares of those days (found through shares_created), and of
// those only the ones in the partitions (person, network, day) of one of
// the scope's shares, the same partitions rankedShares would put them in.
func (s *Store) scopedShares(ctx context.Context, scope reach.Scope, from, to time.Time) ([]scopedShare, error) {
	limit, err := s.pointLimit(ctx)
	if err != nil {
		return nil, err
	}
	where, arg := scopeLinks(scope)
	var rows *sql.Rows
	if scope.UserID != 0 {
		rows, err = s.read.QueryContext(ctx, `SELECT substr(sh.created_at, 1, 10), l.id, l.user_id, l.post_id, l.network,
				COUNT(*), SUM(sh.followers), SUM(sh.n <= ?)
			FROM links l JOIN `+rankedShares(where)+` sh ON sh.link_id = l.id GROUP BY 1, 2`,
			limit, timestamp(from), timestamp(to), arg)
	} else {
		// days has, per day, the bounds of its shares within the period:
		// a share of day d has created_at from d (inclusive) up to the
		// next day (exclusive), so the range only narrows the search
		// through the index; the day itself is still compared, as
		// rankedShares partitions by it.
		rows, err = s.read.QueryContext(ctx, `WITH scoped AS MATERIALIZED (
				SELECT sh.id, sh.followers, substr(sh.created_at, 1, 10) AS day, l.id AS link, l.user_id, l.post_id, l.network
				FROM links l JOIN shares sh ON sh.link_id = l.id
				WHERE `+where+` AND sh.created_at >= ? AND sh.created_at < ?),
			partitions AS MATERIALIZED (SELECT DISTINCT user_id, network, day FROM scoped),
			days AS MATERIALIZED (SELECT DISTINCT day, max(day, ?) AS lo, min(date(day, '+1 day'), ?) AS hi FROM partitions),
			ranked AS MATERIALIZED (
				SELECT sh.id, ROW_NUMBER() OVER (PARTITION BY o.user_id, o.network, d.day ORDER BY sh.created_at, sh.id) AS n
				FROM days d CROSS JOIN shares sh CROSS JOIN links o
				WHERE sh.created_at >= d.lo AND sh.created_at < d.hi AND substr(sh.created_at, 1, 10) = d.day
					AND o.id = sh.link_id AND (o.user_id, o.network, d.day) IN (SELECT user_id, network, day FROM partitions))
			SELECT s.day, s.link, s.user_id, s.post_id, s.network, COUNT(*), SUM(s.followers), SUM(r.n <= ?)
			FROM scoped s JOIN ranked r ON r.id = s.id GROUP BY s.day, s.link`,
			arg, timestamp(from), timestamp(to), timestamp(from), timestamp(to), limit)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scopedShare
	for rows.Next() {
		var sh scopedShare
		var within int64
		if err := rows.Scan(&sh.day, &sh.link, &sh.user, &sh.post, &sh.network, &sh.shares, &sh.reach, &within); err != nil {
			return nil, err
		}
		sh.pointShares = within * share.Network(sh.network).Points()
		out = append(out, sh)
	}
	return out, rows.Err()
}

// dayIndex numbers the UTC days (YYYY-MM-DD) of a period from 0, parsing
// each distinct day once.
type dayIndex struct {
	from, to time.Time
	seen     map[string]int // -1: not a day of the period
}

func newDayIndex(from, to time.Time) *dayIndex {
	return &dayIndex{from: from, to: to, seen: map[string]int{}}
}

// of returns day's index in the period, and false if it is not one of the
// period's days.
func (d *dayIndex) of(day string) (int, bool) {
	i, ok := d.seen[day]
	if !ok {
		t, err := time.Parse(reach.DayLayout, day)
		i = int(t.Sub(d.from).Hours() / 24)
		if err != nil || t.Before(d.from) || !t.Before(d.to) {
			i = -1
		}
		d.seen[day] = i
	}
	return i, i >= 0
}

// scopedClicksToDate returns the clicks so far on each post of a post's
// or a campaign's scope, indexed by post id.
func (s *Store) scopedClicksToDate(ctx context.Context, scope reach.Scope) ([]int64, error) {
	where, arg := scopeLinks(scope)
	rows, err := s.read.QueryContext(ctx, `SELECT l.post_id, SUM(r.clicks) FROM links l JOIN click_rollups r ON r.link_id = l.id
		WHERE `+where+` GROUP BY l.post_id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: clicks to date: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var post, clicks int64
		if err := rows.Scan(&post, &clicks); err != nil {
			return nil, fmt.Errorf("store: clicks to date: %w", err)
		}
		out = grow(out, post)
		out[post] = clicks
	}
	return out, rows.Err()
}

// postLines fills the report's posts, categories and campaigns.
func (s *Store) postLines(ctx context.Context, r *reach.Report, a *reachAgg, toDate []int64) error {
	if len(a.byPost) == 0 {
		return nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, title, category, COALESCE(campaign_id, 0) FROM posts WHERE id < ?`, len(a.byPost))
	if err != nil {
		return fmt.Errorf("store: reach by post: %w", err)
	}
	defer rows.Close()
	var cats, camps []string
	var byCat, byCamp []reachAcc
	campIDs := map[int64]int{}
	for rows.Next() {
		var l reach.Line
		var campaign int64
		if err := rows.Scan(&l.ID, &l.Name, &l.Detail, &campaign); err != nil {
			return fmt.Errorf("store: reach by post: %w", err)
		}
		p := &a.byPost[l.ID]
		if !p.active() {
			continue
		}
		l.Counts = p.counts(a.nets)
		if l.ID < int64(len(toDate)) {
			l.ClicksToDate = toDate[l.ID]
		}
		r.Posts = append(r.Posts, l)
		i := slices.Index(cats, l.Detail)
		if i < 0 {
			i, cats, byCat = len(cats), append(cats, l.Detail), append(byCat, reachAcc{})
		}
		byCat[i].merge(p)
		if campaign != 0 {
			j, ok := campIDs[campaign]
			if !ok {
				j, camps, byCamp = len(camps), append(camps, ""), append(byCamp, reachAcc{})
				campIDs[campaign] = j
			}
			byCamp[j].merge(p)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: reach by post: %w", err)
	}
	sortLines(r.Posts)
	for i, c := range cats {
		r.Categories = append(r.Categories, reach.Line{Name: c, Counts: byCat[i].counts(a.nets)})
	}
	sortLines(r.Categories)
	if len(campIDs) == 0 {
		return nil
	}
	campaignTotals := map[int64]int64{}
	crow, err := s.read.QueryContext(ctx, `SELECT id, COALESCE(campaign_id, 0) FROM posts WHERE campaign_id IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("store: reach by campaign: %w", err)
	}
	defer crow.Close()
	for crow.Next() {
		var post, campaign int64
		if err := crow.Scan(&post, &campaign); err != nil {
			return fmt.Errorf("store: reach by campaign: %w", err)
		}
		if post < int64(len(toDate)) {
			campaignTotals[campaign] += toDate[post]
		}
	}
	if err := crow.Err(); err != nil {
		return fmt.Errorf("store: reach by campaign: %w", err)
	}
	campaigns, err := s.Campaigns(ctx)
	if err != nil {
		return err
	}
	for _, c := range campaigns {
		if j, ok := campIDs[c.ID]; ok {
			r.Campaigns = append(r.Campaigns, reach.Line{ID: c.ID, Name: c.Name, GoalClicks: int64(c.GoalClicks),
				ClicksToDate: campaignTotals[c.ID], Counts: byCamp[j].counts(a.nets)})
		}
	}
	sortLines(r.Campaigns)
	return nil
}

// personLines fills the report's people, departments and groups.
func (s *Store) personLines(ctx context.Context, r *reach.Report, a *reachAgg) error {
	var active []int64
	for id := range a.byUser {
		if a.byUser[id].active() {
			active = append(active, int64(id))
		}
	}
	if len(active) == 0 {
		return nil
	}
	ids, err := json.Marshal(active)
	if err != nil {
		return fmt.Errorf("store: reach by person: %w", err)
	}
	// Only the people with shares or clicks: json_each hands SQLite the ids.
	rows, err := s.read.QueryContext(ctx, `SELECT u.id, u.name, u.department, u.leaderboard_opt_out
		FROM json_each(?) j JOIN users u ON u.id = j.value`, string(ids))
	if err != nil {
		return fmt.Errorf("store: reach by person: %w", err)
	}
	defer rows.Close()
	var deps []string
	var byDep []reachAcc
	depIndex := map[string]int{}
	r.People = make([]reach.Line, 0, len(active))
	for rows.Next() {
		var l reach.Line
		if err := rows.Scan(&l.ID, &l.Name, &l.Detail, &l.OptedOut); err != nil {
			return fmt.Errorf("store: reach by person: %w", err)
		}
		p := &a.byUser[l.ID]
		l.Counts = p.counts(a.nets)
		r.People = append(r.People, l)
		i, ok := depIndex[l.Detail]
		if !ok {
			i, deps, byDep = len(deps), append(deps, l.Detail), append(byDep, reachAcc{})
			depIndex[l.Detail] = i
		}
		byDep[i].merge(p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: reach by person: %w", err)
	}
	sortLines(r.People)
	for i, d := range deps {
		r.Departments = append(r.Departments, reach.Line{Name: d, Counts: byDep[i].counts(a.nets)})
	}
	sortLines(r.Departments)
	return nil
}

// groupLines fills the report's groups: a person counts in every group
// they are in.
func (s *Store) groupLines(ctx context.Context, r *reach.Report, a *reachAgg) error {
	type group struct{ name, kind string }
	groups := map[int64]group{}
	grows, err := s.read.QueryContext(ctx, `SELECT id, name, kind FROM groups`)
	if err != nil {
		return fmt.Errorf("store: reach by group: %w", err)
	}
	defer grows.Close()
	for grows.Next() {
		var id int64
		var g group
		if err := grows.Scan(&id, &g.name, &g.kind); err != nil {
			return fmt.Errorf("store: reach by group: %w", err)
		}
		groups[id] = g
	}
	if err := grows.Err(); err != nil || len(groups) == 0 {
		return err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT group_id, user_id FROM group_members WHERE user_id < ?`, len(a.byUser))
	if err != nil {
		return fmt.Errorf("store: reach by group: %w", err)
	}
	defer rows.Close()
	byGroup := map[int64]*reachAcc{}
	for rows.Next() {
		var group, user int64
		if err := rows.Scan(&group, &user); err != nil {
			return fmt.Errorf("store: reach by group: %w", err)
		}
		if p := &a.byUser[user]; p.active() {
			acc := byGroup[group]
			if acc == nil {
				acc = &reachAcc{}
				byGroup[group] = acc
			}
			acc.merge(p)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: reach by group: %w", err)
	}
	for id, acc := range byGroup {
		g := groups[id]
		r.Groups = append(r.Groups, reach.Line{ID: id, Name: g.name, Detail: g.kind, Counts: acc.counts(a.nets)})
	}
	sortLines(r.Groups)
	return nil
}

// postClicksToDate returns every post's clicks so far, indexed by post id.
func (s *Store) postClicksToDate(ctx context.Context, live *liveDays) ([]int64, error) {
	first, ok, err := s.ReachFirstDay(ctx, reach.Scope{})
	if err != nil || !ok {
		return nil, err
	}
	var out []int64
	err = s.eachReachDay(ctx, first, s.today().AddDate(0, 0, 1), blobPosts, newNetworkIndex(), live, func(_ int, e *reachEntry) {
		out = grow(out, e.post)
		out[e.post] += e.clicks
	})
	if err != nil {
		return nil, fmt.Errorf("store: clicks to date: %w", err)
	}
	return out, nil
}

// sortLines orders lines by clicks, then shares, most first, then by name
// and id.
func sortLines(lines []reach.Line) {
	slices.SortFunc(lines, func(a, b reach.Line) int {
		if c := cmp.Compare(b.Clicks, a.Clicks); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Shares, a.Shares); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// grow returns s long enough to index i, its new elements zero.
func grow[T any](s []T, i int64) []T {
	switch {
	case i < int64(len(s)):
		return s
	case i < int64(cap(s)):
		return s[:i+1] // never written beyond len: still zero
	}
	n := make([]T, i+1, max(2*cap(s), int(i)+1))
	copy(n, s)
	return n
}

// maxNetworks bounds the distinct networks a report tells apart; any
// beyond (there are nine) are added to the last.
const maxNetworks = 16

// networkIndex numbers the networks seen in a report.
type networkIndex struct {
	names []string
	index map[string]int
}

func newNetworkIndex() *networkIndex {
	n := &networkIndex{index: map[string]int{}}
	for _, nw := range share.Networks {
		n.of(string(nw))
	}
	return n
}

func (n *networkIndex) of(name string) int {
	if i, ok := n.index[name]; ok {
		return i
	}
	if len(n.names) == maxNetworks {
		return maxNetworks - 1
	}
	n.index[name] = len(n.names)
	n.names = append(n.names, name)
	return len(n.names) - 1
}

// reachAcc adds up entries.
type reachAcc struct {
	shares, pointShares, reach, clicks, visitors int64
	netClicks                                    [maxNetworks]int64
}

func (a *reachAcc) add(e *reachEntry) {
	a.shares += e.shares
	a.pointShares += e.pointShares
	a.reach += e.reach
	a.clicks += e.clicks
	a.visitors += e.visitors
	if e.net >= 0 {
		a.netClicks[e.net] += e.clicks
	}
}

func (a *reachAcc) merge(b *reachAcc) {
	a.shares += b.shares
	a.pointShares += b.pointShares
	a.reach += b.reach
	a.clicks += b.clicks
	a.visitors += b.visitors
	for i := range a.netClicks {
		a.netClicks[i] += b.netClicks[i]
	}
}

func (a *reachAcc) active() bool { return a.shares > 0 || a.clicks > 0 || a.visitors > 0 }

func (a *reachAcc) counts(nets *networkIndex) reach.Counts {
	c := reach.Counts{Shares: a.shares, PointShares: a.pointShares, Reach: a.reach, Clicks: a.clicks, Visitors: a.visitors,
		NetworkClicks: map[share.Network]int64{}}
	for i, n := range a.netClicks {
		if n != 0 {
			c.NetworkClicks[share.Network(nets.names[i])] += n
		}
	}
	return c
}

// reachAgg adds up a period's link entries every way a report needs.
type reachAgg struct {
	nets   *networkIndex
	total  reachAcc
	days   []reachAcc
	byNet  []reachAcc
	byPost []reachAcc
	byUser []reachAcc
}

func newReachAgg(from, to time.Time) *reachAgg {
	n := max(0, int(to.Sub(from).Hours()/24+0.5))
	return &reachAgg{nets: newNetworkIndex(), days: make([]reachAcc, n), byNet: make([]reachAcc, maxNetworks)}
}

func (a *reachAgg) add(day int, e *reachEntry) {
	a.total.add(e)
	d := &a.days[day]
	d.shares += e.shares
	d.clicks += e.clicks
	d.visitors += e.visitors
	if e.net >= 0 {
		a.byNet[e.net].add(e)
	}
	a.byPost = grow(a.byPost, e.post)
	a.byPost[e.post].add(e)
	a.byUser = grow(a.byUser, e.user)
	a.byUser[e.user].add(e)
}

// reachEntry is one line of a day digest: a link's figures that day, or a
// post's, a person's or a network's. Fields that do not apply are 0, and
// net is -1.
type reachEntry struct {
	link, user, post                             int64
	net                                          int // in the caller's networkIndex
	netName                                      string
	clicks, visitors, shares, pointShares, reach int64
}

// The blobs of a day digest.
type reachBlob int

const (
	blobLinks reachBlob = iota
	blobPosts
	blobPeople
	blobNetworks
)

var reachBlobParts = [...]string{"links", "posts", "people", "networks"}

// reachFormat is the layout of the blobs; rows of another are rebuilt.
const reachFormat = 1

// today is the store clock's UTC day.
func (s *Store) today() time.Time { return s.now().UTC().Truncate(24 * time.Hour) }

// finalAfter is how long after its end a day is taken as final. Clicks
// and shares are stamped when they arrive and committed within moments
// (the redirect path answers only once its click is committed), so ten
// minutes leaves a wide margin.
const finalAfter = 10 * time.Minute

// finalBefore is the first day that may still change: today, or yesterday
// in the first minutes of the day.
func (s *Store) finalBefore() time.Time {
	return s.now().Add(-finalAfter).UTC().Truncate(24 * time.Hour)
}

// eachReachDay calls fn with every entry of the chosen blob for each day
// from from up to to, and the day's index in the period; networks are
// numbered in nets. Finished days
// come from their digests (built first where missing); later days from
// the rollups themselves.
func (s *Store) eachReachDay(ctx context.Context, from, to time.Time, blob reachBlob, nets *networkIndex, live *liveDays, fn func(day int, e *reachEntry)) error {
	final := s.finalBefore()
	if from.Before(final) {
		if _, err := s.ensureReachDays(ctx, from, earlier(to, final)); err != nil {
			return err
		}
		rows, err := s.read.QueryContext(ctx, `SELECT day, data FROM reach_days WHERE part = ? AND day >= ? AND day < ? ORDER BY day`,
			reachBlobParts[blob], from.Format(reach.DayLayout), earlier(to, final).Format(reach.DayLayout))
		if err != nil {
			return err
		}
		defer rows.Close()
		var data []byte
		var day string
		for rows.Next() {
			if err := rows.Scan(&day, &data); err != nil {
				return err
			}
			t, err := time.Parse(reach.DayLayout, day)
			if err != nil {
				return err
			}
			i := int(t.Sub(from).Hours() / 24)
			if err := decodeReachDay(data, nets, func(e *reachEntry) { fn(i, e) }); err != nil {
				return fmt.Errorf("day %s: %w", day, err)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for d := later(from, final); d.Before(to) && !d.After(s.today()); d = d.AddDate(0, 0, 1) {
		entries, err := live.read(ctx, s, d)
		if err != nil {
			return err
		}
		i := int(d.Sub(from).Hours() / 24)
		for _, e := range digestBlob(entries, blob) {
			e.net = -1
			if e.netName != "" {
				e.net = nets.of(e.netName)
			}
			fn(i, &e)
		}
	}
	return nil
}

// liveDays are the days one report reads live, each read once however
// many of the report's parts need it, and started early so that reading
// runs beside the rest. A nil *liveDays keeps nothing. Safe for
// concurrent use.
type liveDays struct {
	mu   sync.Mutex
	days map[string]*liveDay
}

type liveDay struct {
	done    chan struct{}
	entries []reachEntry // read only once done
	err     error
}

func newLiveDays() *liveDays { return &liveDays{days: map[string]*liveDay{}} }

// start begins reading day, unless it is read or being read already.
func (l *liveDays) start(ctx context.Context, s *Store, day time.Time) *liveDay {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := day.Format(reach.DayLayout)
	if d := l.days[key]; d != nil {
		return d
	}
	d := &liveDay{done: make(chan struct{})}
	l.days[key] = d
	go func() {
		defer close(d.done)
		d.entries, d.err = s.readReachDay(ctx, day)
	}()
	return d
}

// read returns day's entries; callers must not change them.
func (l *liveDays) read(ctx context.Context, s *Store, day time.Time) ([]reachEntry, error) {
	if l == nil {
		return s.readReachDay(ctx, day)
	}
	d := l.start(ctx, s, day)
	select {
	case <-d.done:
		return d.entries, d.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ensureReachDays digests the finished days from from up to to that have
// no digest in the current format, and returns how many it digested.
func (s *Store) ensureReachDays(ctx context.Context, from, to time.Time) (int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT day FROM reach_days WHERE part = 'networks' AND day >= ? AND day < ? AND format = ?`,
		from.Format(reach.DayLayout), to.Format(reach.DayLayout), reachFormat)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for rows.Next() {
		var day string
		if err := rows.Scan(&day); err != nil {
			rows.Close()
			return 0, err
		}
		have[day] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var missing []time.Time
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		if !have[d.Format(reach.DayLayout)] {
			missing = append(missing, d)
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	// A digest is final: the clicks still waiting to be rolled up belong
	// in it.
	if _, err := s.RollUpClicks(ctx, 0); err != nil {
		return 0, err
	}
	type digest struct {
		day   string
		blobs [4][]byte
	}
	var digests []digest
	for _, d := range missing {
		entries, err := s.readReachDay(ctx, d)
		if err != nil {
			return 0, err
		}
		dg := digest{day: d.Format(reach.DayLayout)}
		for b := range dg.blobs {
			dg.blobs[b] = encodeReachDay(digestBlob(entries, reachBlob(b)))
		}
		digests = append(digests, dg)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	now := timestamp(s.now())
	for _, dg := range digests {
		// All parts in one transaction: the networks part tells whether a
		// day is digested.
		for b := range dg.blobs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO reach_days (part, day, format, data, built_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (part, day) DO UPDATE SET format = excluded.format, data = excluded.data, built_at = excluded.built_at`,
				reachBlobParts[b], dg.day, reachFormat, dg.blobs[b], now); err != nil {
				return 0, err
			}
		}
	}
	return len(digests), tx.Commit()
}

// rankedShares is a subquery of the shares recorded from its first
// argument up to its second that meet cond (on links l), each with n, its
// rank among its person's shares on its network that UTC day (the day of
// cadence.DayStart: a stored time's first ten characters), in the order
// they were recorded: the n-th share earns its points only within the
// share cadence (cadence.Rule.WithinLimit, see pointLimit).
func rankedShares(cond string) string {
	return `(SELECT sh.id, sh.link_id, sh.followers, sh.created_at,
			ROW_NUMBER() OVER (PARTITION BY l.user_id, l.network, substr(sh.created_at, 1, 10) ORDER BY sh.created_at, sh.id) AS n
		FROM shares sh JOIN links l ON l.id = sh.link_id WHERE sh.created_at >= ? AND sh.created_at < ? AND ` + cond + `)`
}

// pointLimit is the highest rank (see rankedShares) of a share that earns
// its points: the share cadence's cadence.Rule.LastWithinLimit. A share's
// points are then share.Network.Points, applied in Go to each row's count
// of shares within the limit. TestPointsAgreeWithCadence holds both to the
// Go rules.
//
// Points are fixed when a finished day is digested (reach_days, and the
// people_to_date running totals built from them): changing the cadence
// limit later applies to days digested afterwards and to today's and
// scoped reports read live, but does not recompute digests already built.
func (s *Store) pointLimit(ctx context.Context) (int64, error) {
	r, err := s.ShareCadence(ctx)
	if err != nil {
		return 0, fmt.Errorf("share cadence: %w", err)
	}
	return int64(r.LastWithinLimit()), nil
}

// readReachDay reads one day's shares and people's clicks per link from
// shares, links and click_rollups, ordered by link.
func (s *Store) readReachDay(ctx context.Context, day time.Time) ([]reachEntry, error) {
	byLink := map[int64]*reachEntry{}
	var entries []*reachEntry
	entry := func(link, user, post int64, network string) *reachEntry {
		e := byLink[link]
		if e == nil {
			e = &reachEntry{link: link, user: user, post: post, netName: network}
			byLink[link] = e
			entries = append(entries, e)
		}
		return e
	}
	rows, err := s.read.QueryContext(ctx, `SELECT r.link_id, l.user_id, l.post_id, l.network, r.clicks, r.visitors
		FROM click_rollups r JOIN links l ON l.id = r.link_id WHERE r.day = ? AND (r.clicks > 0 OR r.visitors > 0)`, day.Format(reach.DayLayout))
	if err != nil {
		return nil, fmt.Errorf("clicks on %s: %w", day.Format(reach.DayLayout), err)
	}
	defer rows.Close()
	for rows.Next() {
		var link, user, post, clicks, visitors int64
		var network string
		if err := rows.Scan(&link, &user, &post, &network, &clicks, &visitors); err != nil {
			return nil, err
		}
		e := entry(link, user, post, network)
		e.clicks, e.visitors = clicks, visitors
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	limit, err := s.pointLimit(ctx)
	if err != nil {
		return nil, err
	}
	srows, err := s.read.QueryContext(ctx, `SELECT sh.link_id, l.user_id, l.post_id, l.network, COUNT(*), SUM(sh.followers), SUM(sh.n <= ?)
		FROM `+rankedShares("1")+` sh JOIN links l ON l.id = sh.link_id GROUP BY sh.link_id`,
		limit, timestamp(day), timestamp(day.AddDate(0, 0, 1)))
	if err != nil {
		return nil, fmt.Errorf("shares on %s: %w", day.Format(reach.DayLayout), err)
	}
	defer srows.Close()
	for srows.Next() {
		var link, user, post, shares, reach, within int64
		var network string
		if err := srows.Scan(&link, &user, &post, &network, &shares, &reach, &within); err != nil {
			return nil, err
		}
		e := entry(link, user, post, network)
		e.shares, e.reach = shares, reach
		e.pointShares = within * share.Network(network).Points()
	}
	if err := srows.Err(); err != nil {
		return nil, err
	}
	out := make([]reachEntry, len(entries))
	for i, e := range entries {
		out[i] = *e
	}
	slices.SortFunc(out, func(a, b reachEntry) int { return int(a.link - b.link) })
	return out, nil
}

// digestBlob turns a day's link entries into the entries of blob: the
// links themselves, or their sums per post, person or network.
func digestBlob(links []reachEntry, blob reachBlob) []reachEntry {
	if blob == blobLinks {
		return links
	}
	sums := map[string]*reachEntry{}
	var keys []string
	for _, l := range links {
		var e reachEntry
		switch blob {
		case blobPosts:
			e.post = l.post
		case blobPeople:
			e.user = l.user
		case blobNetworks:
			e.netName = l.netName
		}
		key := fmt.Sprint(e.post, e.user, e.netName)
		sum := sums[key]
		if sum == nil {
			sum = &e
			sums[key] = sum
			keys = append(keys, key)
		}
		sum.clicks += l.clicks
		sum.visitors += l.visitors
		sum.shares += l.shares
		sum.pointShares += l.pointShares
		sum.reach += l.reach
	}
	out := make([]reachEntry, 0, len(keys))
	for _, k := range keys {
		out = append(out, *sums[k])
	}
	return out
}

// encodeReachDay packs entries: a table of network names, then per entry
// link, person, post, network (1-based in the table, 0 for none), clicks,
// visitors, shares, point-earning shares and potential reach as uvarints.
func encodeReachDay(entries []reachEntry) []byte {
	var names []string
	for _, e := range entries {
		if e.netName != "" && !slices.Contains(names, e.netName) {
			names = append(names, e.netName)
		}
	}
	buf := []byte{reachFormat}
	buf = binary.AppendUvarint(buf, uint64(len(names)))
	for _, n := range names {
		buf = binary.AppendUvarint(buf, uint64(len(n)))
		buf = append(buf, n...)
	}
	buf = binary.AppendUvarint(buf, uint64(len(entries)))
	for _, e := range entries {
		net := 0
		if e.netName != "" {
			net = slices.Index(names, e.netName) + 1
		}
		for _, v := range [...]int64{e.link, e.user, e.post, int64(net), e.clicks, e.visitors, e.shares, e.pointShares, e.reach} {
			buf = binary.AppendUvarint(buf, uint64(v))
		}
	}
	return buf
}

var errBadDigest = errors.New("malformed reach digest")

// decodeReachDay calls fn with each entry packed by encodeReachDay, its
// network numbered in nets. The entry is reused between calls.
func decodeReachDay(data []byte, nets *networkIndex, fn func(e *reachEntry)) error {
	if len(data) == 0 || data[0] != reachFormat {
		return errBadDigest
	}
	data = data[1:]
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(data)
		if n <= 0 {
			return 0, false
		}
		data = data[n:]
		return v, true
	}
	count, ok := next()
	if !ok || count > uint64(len(data)) {
		return errBadDigest
	}
	local := make([]int, count+1)
	local[0] = -1
	for i := range count {
		n, ok := next()
		if !ok || n > uint64(len(data)) {
			return errBadDigest
		}
		local[i+1] = nets.of(string(data[:n]))
		data = data[n:]
	}
	entries, ok := next()
	if !ok {
		return errBadDigest
	}
	var e reachEntry
	var v [9]uint64
	for range entries {
		for i := range v {
			if v[i], ok = next(); !ok {
				return errBadDigest
			}
		}
		if v[3] >= uint64(len(local)) {
			return errBadDigest
		}
		e = reachEntry{link: int64(v[0]), user: int64(v[1]), post: int64(v[2]), net: local[v[3]],
			clicks: int64(v[4]), visitors: int64(v[5]), shares: int64(v[6]), pointShares: int64(v[7]), reach: int64(v[8])}
		fn(&e)
	}
	return nil
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
