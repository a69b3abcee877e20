package post

import (
	"context"
	"slices"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
)

// CalendarRepository is what Calendar needs from storage; the store
// implements it.
type CalendarRepository interface {
	// Posts returns the posts f matches, newest first (by publish time).
	Posts(ctx context.Context, f Filter) ([]Post, error)
	// FeedReader returns the person whose token for the feeds of posts has
	// the given hash (the token's SHA-256, in hex), with their roles. An
	// unknown hash is an error of kind apperr.NotFound.
	FeedReader(ctx context.Context, tokenHash string) (account.User, error)
}

// Calendar reads the programme's calendar: the scheduled and live posts,
// for the calendar page and for the Atom and iCalendar feeds that comms
// subscribe to with a secret token. It is safe for concurrent use if its
// repository is.
type Calendar struct {
	repo CalendarRepository
	now  func() time.Time
}

// NewCalendar returns a Calendar over repo, judging phases at the time now
// tells (time.Now if nil).
func NewCalendar(repo CalendarRepository, now func() time.Time) *Calendar {
	if now == nil {
		now = time.Now
	}
	return &Calendar{repo: repo, now: now}
}

// OnCalendar reports whether p is on the calendar at now: approved and
// scheduled, or live.
func OnCalendar(p Post, now time.Time) bool {
	ph := p.Phase(now)
	return ph == PhaseScheduled || ph == PhaseLive
}

// Schedule is posts on the calendar as of Now, the time their phases were
// judged at.
type Schedule struct {
	Posts []Post
	Now   time.Time
}

// Period returns the posts on the calendar whose publish time falls in
// [from, to), earliest first.
func (c *Calendar) Period(ctx context.Context, from, to time.Time) (Schedule, error) {
	now := c.now()
	approved, err := c.repo.Posts(ctx, Filter{Statuses: []Status{Approved}, From: from, To: to})
	if err != nil {
		return Schedule{}, err
	}
	shown := onCalendar(approved, now)
	slices.SortStableFunc(shown, func(a, b Post) int { return a.PublishAt.Compare(b.PublishAt) })
	return Schedule{Posts: shown, Now: now}, nil
}

func onCalendar(posts []Post, now time.Time) []Post {
	var out []Post
	for _, p := range posts {
		if OnCalendar(p, now) {
			out = append(out, p)
		}
	}
	return out
}

// MaxFeedPosts caps the approved posts the feeds of posts are made of.
const MaxFeedPosts = 500

// ErrNoFeed is a request for the feeds of posts with no token, a token no
// one has, or the token of someone who may not read them (any longer). It
// does not say which: its kind is apperr.NotFound, as if the feed did not
// exist.
var ErrNoFeed = apperr.Sentinel(apperr.NotFound, "post: no feed for that token", "There is no page at this address.")

// MayReadFeeds reports whether u may read the feeds of posts: an active
// member of the communications team or an admin.
func MayReadFeeds(u account.User) bool {
	return u.Active && u.HasAny(account.Comms, account.Admin)
}

// Subscribed returns the posts of the feeds of posts for the token whose
// hash is tokenHash ("" for a request without a token): those on the
// calendar among the MaxFeedPosts approved posts published last, latest
// publish time first. A token that opens no feed is ErrNoFeed.
func (c *Calendar) Subscribed(ctx context.Context, tokenHash string) (Schedule, error) {
	if tokenHash == "" {
		return Schedule{}, ErrNoFeed
	}
	u, err := c.repo.FeedReader(ctx, tokenHash)
	if apperr.KindOf(err) == apperr.NotFound {
		return Schedule{}, ErrNoFeed
	}
	if err != nil {
		return Schedule{}, err
	}
	if !MayReadFeeds(u) {
		return Schedule{}, ErrNoFeed
	}
	now := c.now()
	approved, err := c.repo.Posts(ctx, Filter{Statuses: []Status{Approved}, Limit: MaxFeedPosts})
	if err != nil {
		return Schedule{}, err
	}
	return Schedule{Posts: onCalendar(approved, now), Now: now}, nil
}

// CategoryShare is how many of a list's posts are in one category.
type CategoryShare struct {
	Category Category
	Count    int
	Percent  int // of the list's posts, rounded to a whole percent
}

// Mix counts posts per category: every category, in the forms' order
// (Categories), with its share of the total rounded half up to a whole
// percent.
func Mix(posts []Post) []CategoryShare {
	counts := map[Category]int{}
	for _, p := range posts {
		counts[p.Category]++
	}
	out := make([]CategoryShare, 0, len(Categories))
	for _, cat := range Categories {
		share := CategoryShare{Category: cat, Count: counts[cat]}
		if len(posts) > 0 {
			share.Percent = (share.Count*200 + len(posts)) / (2 * len(posts))
		}
		out = append(out, share)
	}
	return out
}
