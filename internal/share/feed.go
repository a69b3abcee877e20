package share

import (
	"context"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/training"
)

// FeedQuery is a person asking for their feed, with the filters they set.
type FeedQuery struct {
	UserID   int64
	Category string // "" for every category
	Campaign int64  // 0 for every campaign
	Language string // "" for every language
	Search   string // in the title, link, hashtags or suggestions
}

// FeedRead names what the repository reads for a feed: whose, which of
// the posts live for them, and from when their shares count as today's.
type FeedRead struct {
	UserID int64
	Posts  post.Filter // ForUser and LiveAt set: only the posts in the person's feed now
	Since  time.Time   // the start of the cadence day (cadence.DayStart)
}

// FeedFacts are what a person's feed is made of, as the repository read
// them for a FeedRead.
type FeedFacts struct {
	Progress        training.Progress         // what the person has done of their training
	ConductVersions []training.ConductVersion // every version of the code of conduct
	RequiredModules []string                  // the module ids admins require, when RequiredChosen
	RequiredChosen  bool                      // admins chose the required modules; otherwise the guidelines' own list applies

	Networks       []string // ids of the networks admins enabled, when NetworksChosen
	NetworksChosen bool     // admins chose the networks; otherwise every network is offered

	Posts     []post.Post         // the posts FeedRead.Posts matched, newest first
	Campaigns []post.Campaign     // every campaign, to filter by
	Shared    map[int64][]Network // by post id, the networks the person shared it on
	Pauses    []pause.Pause       // the pauses in force

	Cadence     cadence.Rule    // the share cadence admins set
	SharedToday map[Network]int // the person's shares since FeedRead.Since, by network; none: absent
}

// FeedRepository is what Feed needs from storage; the store implements it.
type FeedRepository interface {
	// FeedFacts reads the facts of the feed q names.
	FeedFacts(ctx context.Context, q FeedRead) (FeedFacts, error)
	// ShareHistory returns the person's shares, newest first, at most limit.
	ShareHistory(ctx context.Context, userID int64, limit int) ([]HistoryItem, error)
	// ConfirmShare records that the person says they posted share
	// shareID (the first time only). A share that is not theirs is an
	// error of kind apperr.NotFound.
	ConfirmShare(ctx context.Context, shareID, userID int64) error
}

// Feed runs the employee's side of sharing around the share itself: the
// feed of posts they may share, and the history of what they shared. It
// is safe for concurrent use if its repository is.
type Feed struct {
	repo       FeedRepository
	guidelines *training.Guidelines
	now        func() time.Time
}

// NewFeed returns a Feed over repo, judging training against g, at the
// time now tells (time.Now if nil).
func NewFeed(repo FeedRepository, g *training.Guidelines, now func() time.Time) *Feed {
	if now == nil {
		now = time.Now
	}
	return &Feed{repo: repo, guidelines: g, now: now}
}

// Listing is a person's feed: what still locks sharing for them, or the
// posts they may share now and what goes with them.
type Listing struct {
	Missing []training.Step // non-empty: sharing is locked and this is why; nothing else is set

	Posts     []Offer         // the posts in the feed that no pause holds, newest first
	Networks  []Network       // the networks offered for sharing
	Campaigns []post.Campaign // to filter by
	// Pauses are the pauses to explain on the feed: those over the whole
	// programme, then those holding a post the feed would list, each once.
	Pauses  []pause.Pause
	Cadence Cadence // the person's shares today
}

// Offer is a post in the feed, with the networks the person shared it on.
type Offer struct {
	Post   post.Post
	Shared []Network
}

// Cadence is how often the person shared today, against the limit.
type Cadence struct {
	Limit  int            // a day per network; 0 for none
	Counts []NetworkCount // the networks shared on today, in the order of Networks
}

// NetworkCount is a number of shares on one network.
type NetworkCount struct {
	Network Network
	Count   int
}

// For returns the feed q asks for, as it stands now: the posts live now
// for the person that match q's filters (ListingOf says the rest).
func (f *Feed) For(ctx context.Context, q FeedQuery) (Listing, error) {
	now := f.now()
	read := FeedRead{UserID: q.UserID, Since: cadence.DayStart(now), Posts: post.Filter{ForUser: q.UserID, LiveAt: now,
		Category: q.Category, Campaign: q.Campaign, Language: q.Language, Query: q.Search}}
	facts, err := f.repo.FeedFacts(ctx, read)
	if err != nil {
		return Listing{}, err
	}
	return ListingOf(f.guidelines, facts), nil
}

// ListingOf is the feed made of facts, judging training against g: what
// locks sharing, if anything does; otherwise the posts no active pause
// holds, the pauses that explain the others (and any over the whole
// programme), the networks offered, and the shares today per network.
func ListingOf(g *training.Guidelines, facts FeedFacts) Listing {
	if m := missing(g, facts.Progress, facts.ConductVersions, facts.RequiredModules, facts.RequiredChosen); len(m) > 0 {
		return Listing{Missing: m}
	}
	l := Listing{Networks: Offered(facts.Networks, facts.NetworksChosen), Campaigns: facts.Campaigns,
		Cadence: Cadence{Limit: facts.Cadence.Limit}}
	shown := map[int64]bool{}
	for _, pa := range facts.Pauses {
		if pa.Active() && pa.Scope == pause.Programme && !shown[pa.ID] {
			l.Pauses, shown[pa.ID] = append(l.Pauses, pa), true
		}
	}
	for _, p := range facts.Posts {
		if pa, held := pause.Holding(facts.Pauses, p); held {
			if !shown[pa.ID] {
				l.Pauses, shown[pa.ID] = append(l.Pauses, pa), true
			}
			continue
		}
		l.Posts = append(l.Posts, Offer{Post: p, Shared: facts.Shared[p.ID]})
	}
	for _, n := range Networks {
		if c := facts.SharedToday[n]; c > 0 {
			l.Cadence.Counts = append(l.Cadence.Counts, NetworkCount{Network: n, Count: c})
		}
	}
	return l
}

// MaxHistory is how many of their shares a person's history shows.
const MaxHistory = 200

// History returns userID's shares, newest first, at most MaxHistory.
func (f *Feed) History(ctx context.Context, userID int64) ([]HistoryItem, error) {
	return f.repo.ShareHistory(ctx, userID, MaxHistory)
}

// ErrNoShare is a share that is not in the person's history (another
// person's, or none at all). Its kind is apperr.NotFound.
var ErrNoShare = apperr.Sentinel(apperr.NotFound, "share: not in the person's history", "There is no such share in your history.")

// Confirm records the optional "I posted it" for share shareID of
// userID's own; anyone else's share, or none, is ErrNoShare.
func (f *Feed) Confirm(ctx context.Context, shareID, userID int64) error {
	if shareID <= 0 {
		return ErrNoShare
	}
	err := f.repo.ConfirmShare(ctx, shareID, userID)
	if apperr.KindOf(err) == apperr.NotFound {
		return ErrNoShare
	}
	return err
}
