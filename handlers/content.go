package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/views"
)

// contentRoutes registers the content work around posts: images, the
// review queue, the calendar and campaigns for comms; suggestions and the
// share history for employees.
func (s *server) contentRoutes(r router) {
	r.allow(httpGet, "/images/:id", s.serveImage)
	r.allow(httpGet, "/review", s.showReviewQueue, comms...)
	r.allow(httpGet, "/calendar", s.showCalendar, comms...)
	r.allow(httpGet, "/campaigns", s.listCampaigns, comms...)
	r.allow(httpPost, "/campaigns", s.createCampaign, comms...)
	r.allow(httpGet, "/suggest", s.showSuggestForm, employee...)
	r.allow(httpPost, "/suggest", s.suggestLink, employee...)
	r.allow(httpGet, "/my/shares", s.showMyShares, employee...)
	r.allow(httpPost, "/my/shares/:id/confirm", s.confirmShare, employee...)
}

// showReviewQueue lists the posts in review and the employees' suggestions,
// longest waiting first.
func (s *server) showReviewQueue(c *fiber.Ctx) error {
	inReview, err := s.Store.Posts(ctx(c), post.Filter{Statuses: []post.Status{post.InReview}})
	if err != nil {
		return err
	}
	drafts, err := s.Store.Posts(ctx(c), post.Filter{Statuses: []post.Status{post.Draft}})
	if err != nil {
		return err
	}
	var items []views.ReviewItem
	for _, p := range inReview {
		since, err := s.inReviewSince(c, p)
		if err != nil {
			return err
		}
		items = append(items, views.ReviewItem{Post: p, Since: since})
	}
	for _, p := range drafts {
		if p.SuggestedBy != "" {
			items = append(items, views.ReviewItem{Post: p, Suggested: true, Since: p.CreatedAt})
		}
	}
	slices.SortStableFunc(items, func(a, b views.ReviewItem) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return int(a.Post.ID - b.Post.ID)
	})
	return s.render(c, fiber.StatusOK, views.ReviewView(s.chrome(c, "Review queue", "posts"),
		views.ReviewPage{Items: items, Now: s.Now(), Zone: location(userOf(c).TimeZone)}))
}

// inReviewSince is when p last entered review: the newest change into
// review in its history (edits while in review do not restart the wait).
func (s *server) inReviewSince(c *fiber.Ctx, p post.Post) (time.Time, error) {
	events, err := s.Store.PostHistory(ctx(c), p.ID)
	if err != nil {
		return time.Time{}, err
	}
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.To == post.InReview && e.From != post.InReview {
			return e.At, nil
		}
	}
	return p.UpdatedAt, nil
}

// calendarPeriod is the stretch of days a calendar page shows, in the
// viewer's zone: [start, end).
type calendarPeriod struct {
	week       bool
	start, end time.Time
}

// parseCalendarPeriod reads ?week=2026-W48 or ?month=2026-11 (the week
// wins if both are given); neither is the month holding now.
func parseCalendarPeriod(week, month string, now time.Time, loc *time.Location) (calendarPeriod, error) {
	if week = strings.TrimSpace(week); week != "" {
		var y, w int
		if n, err := fmt.Sscanf(week, "%d-W%d", &y, &w); err != nil || n != 2 || y < 2000 || y > 2100 ||
			w < 1 || w > isoWeeks(y) || (week != isoWeekValue(y, w) && week != fmt.Sprintf("%d-W%d", y, w)) {
			return calendarPeriod{}, apperr.New(apperr.Invalid, "Give the week as year-W-week, for example 2026-W48.")
		}
		start := isoWeekMonday(y, w, loc)
		return calendarPeriod{week: true, start: start, end: start.AddDate(0, 0, 7)}, nil
	}
	var start time.Time
	if month = strings.TrimSpace(month); month != "" {
		m, err := time.ParseInLocation("2006-01", month, loc)
		if err != nil || m.Year() < 2000 || m.Year() > 2100 {
			return calendarPeriod{}, apperr.New(apperr.Invalid, "Give the month as year-month, for example 2026-11.")
		}
		start = m
	} else {
		n := now.In(loc)
		start = time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc)
	}
	return calendarPeriod{start: start, end: start.AddDate(0, 1, 0)}, nil
}

// isoWeekMonday is the Monday starting ISO week w of year y, in loc.
func isoWeekMonday(y, w int, loc *time.Location) time.Time {
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, loc) // always in week 1
	offset := (int(jan4.Weekday()) + 6) % 7                // days since Monday
	return time.Date(y, time.January, 4-offset+(w-1)*7, 0, 0, 0, 0, loc)
}

// isoWeeks is the number of ISO weeks in year y (52 or 53).
func isoWeeks(y int) int {
	_, w := time.Date(y, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

func isoWeekValue(y, w int) string { return fmt.Sprintf("%d-W%02d", y, w) }

// weekValueOf is the ?week= value of the ISO week holding t.
func weekValueOf(t time.Time) string { return isoWeekValue(t.ISOWeek()) }

func dayKey(t time.Time) string { return t.Format(time.DateOnly) }

// showCalendar shows the scheduled and live posts of a month or a week by
// publish day, in the viewer's zone, with the period's category mix.
func (s *server) showCalendar(c *fiber.Ctx) error {
	u := userOf(c)
	loc, now := location(u.TimeZone), s.Now()
	period, err := parseCalendarPeriod(c.Query("week"), c.Query("month"), now, loc)
	if err != nil {
		return err
	}
	approved, err := s.Store.Posts(ctx(c), post.Filter{Statuses: []post.Status{post.Approved},
		From: period.start, To: period.end})
	if err != nil {
		return err
	}
	var shown []post.Post
	for _, p := range approved {
		if ph := p.Phase(now); ph == post.PhaseScheduled || ph == post.PhaseLive {
			shown = append(shown, p)
		}
	}
	slices.SortStableFunc(shown, func(a, b post.Post) int { return a.PublishAt.Compare(b.PublishAt) })
	byDay := map[string][]views.CalendarChip{}
	for _, p := range shown {
		at := p.PublishAt.In(loc)
		byDay[dayKey(at)] = append(byDay[dayKey(at)], views.CalendarChip{ID: p.ID, Title: p.Title,
			Time: at.Format("15:04"), Phase: p.Phase(now), Category: p.Category})
	}
	today := dayKey(now.In(loc))
	day := func(d time.Time) views.CalendarDay {
		in := !d.Before(period.start) && d.Before(period.end)
		cd := views.CalendarDay{Date: d, InPeriod: in, Today: dayKey(d) == today}
		if in {
			cd.Posts = byDay[dayKey(d)]
		}
		return cd
	}

	m := views.CalendarPage{Week: period.week, Mix: categoryMix(shown), Total: len(shown), Zone: zoneName(u.TimeZone)}
	if period.week {
		y, w := period.start.ISOWeek()
		last := period.end.AddDate(0, 0, -1)
		m.Title = fmt.Sprintf("Week %d, %d", w, y)
		m.Range = fmt.Sprintf("%s – %s", period.start.Format("2 January"), last.Format("2 January 2006"))
		for i := range 7 {
			m.Days = append(m.Days, day(period.start.AddDate(0, 0, i)))
		}
		m.PrevURL = "/calendar?week=" + weekValueOf(period.start.AddDate(0, 0, -7))
		m.NextURL = "/calendar?week=" + weekValueOf(period.end)
		m.TodayURL = "/calendar?week=" + weekValueOf(now.In(loc))
		m.OtherURL = "/calendar?month=" + period.start.AddDate(0, 0, 3).Format("2006-01") // the month of its Thursday
	} else {
		m.Title = period.start.Format("January 2006")
		first := period.start.AddDate(0, 0, -((int(period.start.Weekday()) + 6) % 7))
		for d := first; d.Before(period.end); d = d.AddDate(0, 0, 7) {
			week := make([]views.CalendarDay, 7)
			for i := range week {
				week[i] = day(d.AddDate(0, 0, i))
			}
			m.Weeks = append(m.Weeks, week)
		}
		m.PrevURL = "/calendar?month=" + period.start.AddDate(0, -1, 0).Format("2006-01")
		m.NextURL = "/calendar?month=" + period.end.Format("2006-01")
		m.TodayURL = "/calendar?month=" + now.In(loc).Format("2006-01")
		weekOf := period.start
		if n := now.In(loc); !n.Before(period.start) && n.Before(period.end) {
			weekOf = n
		}
		m.OtherURL = "/calendar?week=" + weekValueOf(weekOf)
	}
	return s.render(c, fiber.StatusOK, views.CalendarView(s.chrome(c, "Calendar", "posts"), m))
}

// categoryMix counts posts per category, every category in the forms'
// order, with each one's share of the total rounded to a whole percent.
func categoryMix(posts []post.Post) []views.CategoryShare {
	counts := map[post.Category]int{}
	for _, p := range posts {
		counts[p.Category]++
	}
	out := make([]views.CategoryShare, 0, len(post.Categories))
	for _, cat := range post.Categories {
		share := views.CategoryShare{Category: cat, Count: counts[cat]}
		if len(posts) > 0 {
			share.Percent = (share.Count*200 + len(posts)) / (2 * len(posts))
		}
		out = append(out, share)
	}
	return out
}

// Limits on a campaign.
const (
	maxCampaignName = 100
	maxGoalClicks   = 1_000_000_000
)

func (s *server) listCampaigns(c *fiber.Ctx) error {
	m := views.CampaignsPage{}
	if id, err := strconv.ParseInt(c.Query("created"), 10, 64); err == nil {
		if cp, err := s.Store.Campaign(ctx(c), id); err == nil {
			m.Created = cp.Name
		}
	}
	return s.renderCampaigns(c, fiber.StatusOK, m)
}

func (s *server) renderCampaigns(c *fiber.Ctx, status int, m views.CampaignsPage) error {
	var err error
	if m.Campaigns, err = s.Store.Campaigns(ctx(c)); err != nil {
		return err
	}
	m.Zone = location(userOf(c).TimeZone)
	return s.render(c, status, views.CampaignsView(s.chrome(c, "Campaigns", "posts"), m))
}

// createCampaign creates a campaign: a name (unique), an optional goal in
// clicks and optional first and last days, taken in the user's zone.
func (s *server) createCampaign(c *fiber.Ctx) error {
	form := views.CampaignForm{Name: strings.TrimSpace(c.FormValue("name")), GoalClicks: strings.TrimSpace(c.FormValue("goal_clicks")),
		StartsOn: strings.TrimSpace(c.FormValue("starts_on")), EndsOn: strings.TrimSpace(c.FormValue("ends_on")),
		Errors: views.FieldErrors{}}
	loc := location(userOf(c).TimeZone)
	cp := post.Campaign{Name: form.Name}
	switch {
	case form.Name == "":
		form.Errors["name"] = "Give the campaign a name."
	case utf8.RuneCountInString(form.Name) > maxCampaignName:
		form.Errors["name"] = "Keep the name to 100 characters or fewer."
	}
	if form.GoalClicks != "" {
		n, err := strconv.Atoi(form.GoalClicks)
		switch {
		case err != nil && !isDigits(form.GoalClicks):
			form.Errors["goal_clicks"] = "Give the goal as a whole number of clicks, or leave it empty."
		case err != nil || n > maxGoalClicks:
			form.Errors["goal_clicks"] = "That goal is too large."
		case n < 0:
			form.Errors["goal_clicks"] = "The goal cannot be negative."
		}
		cp.GoalClicks = n
	}
	var startDay, endDay time.Time
	var err error
	if form.StartsOn != "" {
		if startDay, err = time.ParseInLocation(time.DateOnly, form.StartsOn, loc); err != nil {
			form.Errors["starts_on"] = "Enter the date as year-month-day, for example 2026-12-01."
		}
	}
	if form.EndsOn != "" {
		if endDay, err = time.ParseInLocation(time.DateOnly, form.EndsOn, loc); err != nil {
			form.Errors["ends_on"] = "Enter the date as year-month-day, for example 2026-12-31."
		}
	}
	if !startDay.IsZero() && !endDay.IsZero() && endDay.Before(startDay) {
		form.Errors["ends_on"] = "The campaign must end after it starts."
	}
	if len(form.Errors) > 0 {
		return s.renderCampaigns(c, fiber.StatusUnprocessableEntity, views.CampaignsPage{Form: form})
	}
	cp.StartsAt = startDay
	if !endDay.IsZero() {
		cp.EndsAt = endDay.AddDate(0, 0, 1).Add(-time.Second) // the end of its last day
	}
	id, err := s.Store.CreateCampaign(ctx(c), cp, userOf(c).ID)
	if errors.Is(err, store.ErrExists) {
		form.Errors["name"] = "A campaign with this name (or one too close to it) already exists."
		return s.renderCampaigns(c, fiber.StatusUnprocessableEntity, views.CampaignsPage{Form: form})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/campaigns?created=%d", id), fiber.StatusSeeOther)
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// maxSuggestionNote is how long an employee's note to comms may be.
const maxSuggestionNote = 1000

func (s *server) showSuggestForm(c *fiber.Ctx) error {
	m := views.SuggestPage{Form: views.SuggestForm{Category: string(post.IndustryInsight)}, Done: c.Query("done") == "1"}
	return s.render(c, fiber.StatusOK, views.SuggestView(s.chrome(c, "Suggest a link", "feed"), m))
}

// suggestLink stores an employee's suggested link as a draft credited to
// them; it waits in the review queue for comms.
func (s *server) suggestLink(c *fiber.Ctx) error {
	u := userOf(c)
	form := views.SuggestForm{URL: strings.TrimSpace(c.FormValue("url")), Title: strings.TrimSpace(c.FormValue("title")),
		Category: c.FormValue("category"), Note: strings.TrimSpace(c.FormValue("note")), Errors: views.FieldErrors{}}
	if form.Category == "" {
		form.Category = string(post.IndustryInsight)
	}
	in := post.Input{Title: form.Title, URL: form.URL, Category: form.Category, Language: suggestionLanguage(u.Language),
		Note: form.Note}
	if in.Title == "" && post.CheckURL(form.URL) == "" {
		in.Title = titleFromURL(form.URL)
	}
	fields, errs := in.Validate(s.Now())
	for _, k := range []string{"url", "title", "category"} {
		// An empty title is the link's own until the link is good.
		if msg, ok := errs[k]; ok && (k != "title" || form.Title != "") {
			form.Errors[k] = msg
		}
	}
	if len(errs) > 0 && len(form.Errors) == 0 { // a rule this form has no field for
		form.Errors["url"] = "This link cannot be suggested. Check it and try again."
	}
	if utf8.RuneCountInString(form.Note) > maxSuggestionNote {
		form.Errors["note"] = "Keep the note to 1000 characters or fewer."
	}
	if len(form.Errors) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, views.SuggestView(s.chrome(c, "Suggest a link", "feed"),
			views.SuggestPage{Form: form}))
	}
	if _, err := s.Posts.Create(ctx(c), post.Creation{Fields: fields, AuthorID: u.ID, Suggested: true}); err != nil {
		return err
	}
	return c.Redirect("/suggest?done=1", fiber.StatusSeeOther)
}

// suggestionLanguage is the language a suggested post gets: the
// employee's, if posts can be in it, else English.
func suggestionLanguage(lang string) string {
	lang, _, _ = strings.Cut(lang, "-")
	if slices.Contains(post.Languages, lang) {
		return lang
	}
	return "en"
}

// titleFromURL makes a title from a link: its host and path, at most 200
// characters.
func titleFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	title := strings.TrimSuffix(strings.TrimPrefix(u.Host, "www.")+u.EscapedPath(), "/")
	if path, err := url.PathUnescape(title); err == nil && utf8.ValidString(path) {
		title = path
	}
	if r := []rune(title); len(r) > post.MaxTitle {
		title = string(r[:post.MaxTitle])
	}
	return title
}

// maxSharesShown is how many of their shares an employee sees.
const maxSharesShown = 200

func (s *server) showMyShares(c *fiber.Ctx) error {
	u := userOf(c)
	shares, err := s.Store.ShareHistory(ctx(c), u.ID, maxSharesShown)
	if err != nil {
		return err
	}
	m := views.MySharesPage{Shares: shares, Zone: location(u.TimeZone)}
	m.Confirmed, _ = strconv.ParseInt(c.Query("confirmed"), 10, 64)
	return s.render(c, fiber.StatusOK, views.MySharesView(s.chrome(c, "My shares", "feed"), m))
}

// confirmShare records the optional "I posted it" for one of the user's own
// shares; anyone else's is not found.
func (s *server) confirmShare(c *fiber.Ctx) error {
	const missing = "There is no such share in your history."
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.New(apperr.NotFound, missing)
	}
	err = s.Store.ConfirmShare(ctx(c), id, userOf(c).ID)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.New(apperr.NotFound, missing)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/my/shares?confirmed=%d#share-%d", id, id), fiber.StatusSeeOther)
}
