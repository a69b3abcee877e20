// Package pause holds the rules of a crisis pause: what a pause covers (the
// whole programme, one campaign or one category), whether a post falls
// under one, and the use cases of pausing and resuming (Service), with who
// is told. It knows nothing of HTTP or storage: the store implements its
// Repository.
package pause

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/post"
)

// Scope is what a pause covers: "programme", "campaign:<id>" or
// "category:<name>".
type Scope string

// Programme pauses every post.
const Programme Scope = "programme"

// The prefixes of the other scopes, each followed by a campaign's id or a
// category's name. Storage that matches scopes in SQL builds them from
// these and Programme rather than spelling them out.
const (
	CampaignPrefix = "campaign:"
	CategoryPrefix = "category:"
)

// Campaign returns the scope of one campaign.
func Campaign(id int64) Scope { return Scope(CampaignPrefix + strconv.FormatInt(id, 10)) }

// Category returns the scope of one category.
func Category(c post.Category) Scope { return Scope(CategoryPrefix + string(c)) }

// CampaignID is the campaign sc covers, if it is a campaign's scope.
func (sc Scope) CampaignID() (int64, bool) {
	rest, ok := strings.CutPrefix(string(sc), CampaignPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// CategoryName is the category sc covers, if it is a category's scope.
func (sc Scope) CategoryName() (post.Category, bool) {
	rest, ok := strings.CutPrefix(string(sc), CategoryPrefix)
	return post.Category(rest), ok && rest != ""
}

// ParseScope reads a scope as typed in a form and reports whether it is
// well formed. It does not check that the campaign or category exists.
func ParseScope(s string) (Scope, bool) {
	s = strings.TrimSpace(s)
	switch {
	case s == string(Programme):
		return Programme, true
	case strings.HasPrefix(s, CampaignPrefix):
		id, err := strconv.ParseInt(strings.TrimPrefix(s, CampaignPrefix), 10, 64)
		if err != nil || id <= 0 {
			return "", false
		}
		return Campaign(id), true
	case strings.HasPrefix(s, CategoryPrefix):
		name := strings.TrimSpace(strings.TrimPrefix(s, CategoryPrefix))
		if name == "" {
			return "", false
		}
		return Category(post.Category(name)), true
	}
	return "", false
}

// Covering returns the scopes that cover p: the programme, p's campaign
// if it is in one, and p's category. It is the one definition of what a
// pause covers; the store's SQL matches a pause's scope against the same
// three.
func Covering(p post.Post) []Scope {
	scopes := []Scope{Programme}
	if p.CampaignID != 0 {
		scopes = append(scopes, Campaign(p.CampaignID))
	}
	return append(scopes, Category(p.Category))
}

// Covers reports whether the scope covers the post.
func (sc Scope) Covers(p post.Post) bool { return slices.Contains(Covering(p), sc) }

// Pause is one pause: active while ResumedAt is zero.
type Pause struct {
	ID        int64
	Scope     Scope
	Reason    string // shown to employees on the feed
	PausedBy  string // name of who paused
	PausedAt  time.Time
	ResumedBy string // name of who resumed; empty while active
	ResumedAt time.Time
}

// Active reports whether the pause still holds.
func (p Pause) Active() bool { return p.ResumedAt.IsZero() }

// Holding returns the first active pause among pauses that covers p.
func Holding(pauses []Pause, p post.Post) (Pause, bool) {
	for _, pa := range pauses {
		if pa.Active() && pa.Scope.Covers(p) {
			return pa, true
		}
	}
	return Pause{}, false
}

// Without returns the posts that no active pause covers, in order.
func Without(pauses []Pause, posts []post.Post) []post.Post {
	var kept []post.Post
	for _, p := range posts {
		if _, held := Holding(pauses, p); !held {
			kept = append(kept, p)
		}
	}
	return kept
}
