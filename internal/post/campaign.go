package post

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/advocacy-portal/portal/internal/apperr"
)

// Campaign groups posts towards a goal.
type Campaign struct {
	ID         int64
	Name       string
	Slug       string // utm_campaign of its posts
	GoalClicks int    // 0: no goal
	StartsAt   time.Time
	EndsAt     time.Time
	Posts      int
	CreatedAt  time.Time
}

// Filter narrows a list of posts. Zero fields do not filter.
type Filter struct {
	Statuses []Status
	Category string
	Campaign int64
	Language string
	Query    string    // in the title, link, hashtags or suggestions
	From, To time.Time // publish time within [From, To)
	ForUser  int64     // only posts targeted to this user's groups, or to everyone
	LiveAt   time.Time // only posts live at this time
	Limit    int
}

// Limits on a campaign.
const (
	MaxCampaignName = 100           // characters
	MaxGoalClicks   = 1_000_000_000 // clicks
)

// ErrCampaignExists is a campaign whose name (or the slug made of it) is
// taken. Its kind is apperr.Conflict.
var ErrCampaignExists = apperr.Sentinel(apperr.Conflict, "campaign already exists",
	"A campaign with this name (or one too close to it) already exists.")

// CampaignInput is a campaign as comms typed it in the form.
type CampaignInput struct {
	Name       string
	GoalClicks string         // a whole number of clicks, or "" for no goal
	StartsOn   string         // the first day, yyyy-mm-dd, or ""
	EndsOn     string         // the last day, yyyy-mm-dd, or ""
	Zone       *time.Location // the days are taken in it; nil: UTC
}

// Campaign reads the input as a campaign, or says what is wrong with it by
// field ("name", "goal_clicks", "starts_on", "ends_on"); surrounding
// spaces do not count. A campaign starts at the beginning of its first day
// and ends at the end of its last, in in.Zone; it may not end before it
// starts.
func (in CampaignInput) Campaign() (Campaign, map[string]string) {
	loc := in.Zone
	if loc == nil {
		loc = time.UTC
	}
	errs := map[string]string{}
	cp := Campaign{Name: strings.TrimSpace(in.Name)}
	switch {
	case cp.Name == "":
		errs["name"] = "Give the campaign a name."
	case utf8.RuneCountInString(cp.Name) > MaxCampaignName:
		errs["name"] = "Keep the name to 100 characters or fewer."
	}
	if goal := strings.TrimSpace(in.GoalClicks); goal != "" {
		n, err := strconv.Atoi(goal)
		switch {
		case err != nil && !isDigits(goal):
			errs["goal_clicks"] = "Give the goal as a whole number of clicks, or leave it empty."
		case err != nil || n > MaxGoalClicks:
			errs["goal_clicks"] = "That goal is too large."
		case n < 0:
			errs["goal_clicks"] = "The goal cannot be negative."
		}
		cp.GoalClicks = n
	}
	day := func(field, value, example string) time.Time {
		if value = strings.TrimSpace(value); value == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, value, loc)
		if err != nil {
			errs[field] = "Enter the date as year-month-day, for example " + example + "."
		}
		return d
	}
	startDay, endDay := day("starts_on", in.StartsOn, "2026-12-01"), day("ends_on", in.EndsOn, "2026-12-31")
	if !startDay.IsZero() && !endDay.IsZero() && endDay.Before(startDay) {
		errs["ends_on"] = "The campaign must end after it starts."
	}
	if len(errs) > 0 {
		return Campaign{}, errs
	}
	cp.StartsAt = startDay
	if !endDay.IsZero() {
		cp.EndsAt = endDay.AddDate(0, 0, 1).Add(-time.Second) // the end of its last day
	}
	return cp, nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// CampaignRepository is what Campaigns needs from storage; the store
// implements it.
type CampaignRepository interface {
	// Campaigns returns every campaign, newest first, with its number of posts.
	Campaigns(ctx context.Context) ([]Campaign, error)
	// CreateCampaign stores c, with a slug made of its name, in the audit
	// log too, and returns its id. A name or slug taken is
	// ErrCampaignExists.
	CreateCampaign(ctx context.Context, c Campaign, actorID int64) (int64, error)
}

// Campaigns runs the campaign use cases. It is safe for concurrent use if
// its repository is.
type Campaigns struct {
	repo CampaignRepository
}

// NewCampaigns returns Campaigns over repo.
func NewCampaigns(repo CampaignRepository) *Campaigns {
	return &Campaigns{repo: repo}
}

// List returns every campaign, newest first.
func (s *Campaigns) List(ctx context.Context) ([]Campaign, error) {
	return s.repo.Campaigns(ctx)
}

// Create stores the campaign in as comms typed it (CampaignInput.Campaign),
// created by actorID, and returns its id. An input with problems, or a
// name already taken, is a *FormError and stores nothing.
func (s *Campaigns) Create(ctx context.Context, in CampaignInput, actorID int64) (int64, error) {
	cp, errs := in.Campaign()
	if errs != nil {
		return 0, &FormError{Fields: errs}
	}
	id, err := s.repo.CreateCampaign(ctx, cp, actorID)
	if errors.Is(err, ErrCampaignExists) {
		return 0, &FormError{Fields: map[string]string{"name": apperr.MessageOf(ErrCampaignExists)}}
	}
	return id, err
}
