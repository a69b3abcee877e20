package post

import "time"

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
