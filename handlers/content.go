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
	"github.com/advocacy-portal/portal/internal/share"
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
	items, err := s.Posts.ReviewQueue(ctx(c))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.ReviewView(s.chrome(c, "Review queue", "posts"),
		views.ReviewPage{Items: items, Now: s.Now(), Zone: location(userOf(c).TimeZone)}))
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
	sched, err := s.Calendar.Period(ctx(c), period.start, period.end)
	if err != nil {
		return err
	}
	byDay := map[string][]views.CalendarChip{}
	for _, p := range sched.Posts {
		at := p.PublishAt.In(loc)
		byDay[dayKey(at)] = append(byDay[dayKey(at)], views.CalendarChip{ID: p.ID, Title: p.Title,
			Time: at.Format("15:04"), Phase: p.Phase(sched.Now), Category: p.Category})
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

	m := views.CalendarPage{Week: period.week, Mix: post.Mix(sched.Posts), Total: len(sched.Posts), Zone: zoneName(u.TimeZone)}
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

func (s *server) listCampaigns(c *fiber.Ctx) error {
	created, _ := strconv.ParseInt(c.Query("created"), 10, 64)
	return s.renderCampaigns(c, fiber.StatusOK, views.CampaignsPage{}, created)
}

// renderCampaigns shows the campaigns with m's form, naming the campaign
// just created, if any.
func (s *server) renderCampaigns(c *fiber.Ctx, status int, m views.CampaignsPage, created int64) error {
	var err error
	if m.Campaigns, err = s.Campaigns.List(ctx(c)); err != nil {
		return err
	}
	for _, cp := range m.Campaigns {
		if created != 0 && cp.ID == created {
			m.Created = cp.Name
		}
	}
	m.Zone = location(userOf(c).TimeZone)
	return s.render(c, status, views.CampaignsView(s.chrome(c, "Campaigns", "posts"), m))
}

// createCampaign creates a campaign: a name (unique), an optional goal in
// clicks and optional first and last days, taken in the user's zone
// (post.CampaignInput says what is accepted).
func (s *server) createCampaign(c *fiber.Ctx) error {
	form := views.CampaignForm{Name: strings.TrimSpace(c.FormValue("name")), GoalClicks: strings.TrimSpace(c.FormValue("goal_clicks")),
		StartsOn: strings.TrimSpace(c.FormValue("starts_on")), EndsOn: strings.TrimSpace(c.FormValue("ends_on"))}
	id, err := s.Campaigns.Create(ctx(c), post.CampaignInput{Name: form.Name, GoalClicks: form.GoalClicks,
		StartsOn: form.StartsOn, EndsOn: form.EndsOn, Zone: location(userOf(c).TimeZone)}, userOf(c).ID)
	if refused, ok := errors.AsType[*post.FormError](err); ok {
		form.Errors = refused.Fields
		return s.renderCampaigns(c, fiber.StatusUnprocessableEntity, views.CampaignsPage{Form: form}, 0)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/campaigns?created=%d", id), fiber.StatusSeeOther)
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

func (s *server) showMyShares(c *fiber.Ctx) error {
	u := userOf(c)
	shares, err := s.Feed.History(ctx(c), u.ID)
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
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return share.ErrNoShare
	}
	if err := s.Feed.Confirm(ctx(c), id, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/my/shares?confirmed=%d#share-%d", id, id), fiber.StatusSeeOther)
}
