package reach

// The figures the dashboards show, as the store adds them up from the
// rollups and shares: what a Report holds, and whose figures (Scope).

import (
	"time"

	"github.com/advocacy-portal/portal/internal/share"
)

// ClickCounts is what requests to tracked links added up to.
type ClickCounts struct {
	Clicks   int64 // people's clicks
	Previews int64 // link-preview fetches and HEAD requests
	Bots     int64 // crawlers and scripts
	Visitors int64 // distinct visitors per link per day, summed
}

// Costs is what admins set for earned media value: a cost per click per
// network, as decimal strings (e.g. "0.85", see ParseMoney) in Currency,
// an ISO 4217 code. Networks without a cost count nothing.
type Costs struct {
	Currency     string            `json:"currency"`
	CostPerClick map[string]string `json:"cost_per_click"`
}

// Scope says whose figures a report adds up: one post's, one campaign's,
// one person's, or (all zero) the whole programme's.
type Scope struct {
	PostID     int64
	CampaignID int64
	UserID     int64
}

// Counts is what shares and clicks added up to.
type Counts struct {
	Shares      int64 // share pages opened
	PointShares int64 // points the shares earned: share.Network.Points each, within the share cadence
	Reach       int64 // potential reach: followers at share time, summed over the shares
	Clicks      int64 // people's clicks (previews and bots excluded)
	Visitors    int64 // distinct visitors per link per day, summed
	// NetworkClicks is Clicks per network, for earned media value.
	NetworkClicks map[share.Network]int64
}

// Line is one row of a breakdown.
type Line struct {
	ID     int64  // the post, campaign, person or group; 0 for a network, department or category
	Name   string // network, title, name, department, group or category as stored
	Detail string // posts: category; people: department; groups: kind
	// OptedOut marks a person who chose to stay off the leaderboard; comms
	// still see them among the advocates.
	OptedOut bool
	// GoalClicks and ClicksToDate are a campaign's goal and every click on
	// its posts so far (any period); ClicksToDate is also set for posts.
	GoalClicks, ClicksToDate int64
	Counts
}

// DayCounts is one day of a report's time series.
type DayCounts struct {
	Day                      time.Time
	Shares, Clicks, Visitors int64
}

// Report is a scope's figures over a period, with its breakdowns. Lines
// are sorted by clicks, then shares, most first; Posts and People hold
// every post and person with any share or click in the period. People,
// Departments and Groups are empty for a person's own report.
type Report struct {
	Total       Counts
	Days        []DayCounts // every day of the period, in order
	Networks    []Line
	Posts       []Line
	Categories  []Line
	Campaigns   []Line
	People      []Line
	Departments []Line
	Groups      []Line
}

// LeaderLine is one person on the leaderboard.
type LeaderLine struct {
	UserID      int64
	Name        string
	Department  string
	Shares      int64
	PointShares int64
	Clicks      int64
}

// LinkTotals is one tracked link of a person and what it brought in, from
// the per-link per-day rollups (never the raw clicks, which retention
// deletes).
type LinkTotals struct {
	Code      string
	PostID    int64
	PostTitle string
	Network   share.Network
	CreatedAt time.Time
	Shares    int
	Clicks    int64 // people's clicks
	Visitors  int64 // distinct visitors per day, summed over the days
}
