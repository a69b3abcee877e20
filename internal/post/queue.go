package post

import (
	"context"
	"slices"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
)

// Waiting is an item of the review queue: a post sent for review, or a
// link an employee suggested (still a draft), waiting for the
// communications team.
type Waiting struct {
	Post      Post
	Suggested bool      // an employee's suggestion
	Since     time.Time // when it started waiting
}

// ReviewQueue returns the posts in review and the links employees
// suggested, longest waiting first (the older post first when two waited
// as long). A post in review waits since it last entered review
// (EnteredReview); a suggestion since it was made.
func (s *Service) ReviewQueue(ctx context.Context) ([]Waiting, error) {
	inReview, err := s.repo.Posts(ctx, Filter{Statuses: []Status{InReview}})
	if err != nil {
		return nil, err
	}
	drafts, err := s.repo.Posts(ctx, Filter{Statuses: []Status{Draft}})
	if err != nil {
		return nil, err
	}
	var items []Waiting
	for _, p := range inReview {
		history, err := s.repo.PostHistory(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		items = append(items, Waiting{Post: p, Since: EnteredReview(p, history)})
	}
	for _, p := range drafts {
		if p.SuggestedBy != "" {
			items = append(items, Waiting{Post: p, Suggested: true, Since: p.CreatedAt})
		}
	}
	slices.SortStableFunc(items, func(a, b Waiting) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return int(a.Post.ID - b.Post.ID)
	})
	return items, nil
}

// EnteredReview is when p last entered review, from its history (oldest
// first): the newest change into review from another status, so that
// edits while in review do not restart the wait. Without one, it is p's
// last update.
func EnteredReview(p Post, history []Event) time.Time {
	for i := len(history) - 1; i >= 0; i-- {
		if e := history[i]; e.To == InReview && e.From != InReview {
			return e.At
		}
	}
	return p.UpdatedAt
}

// Choices are what the post form offers to choose from.
type Choices struct {
	Campaigns []Campaign      // newest first
	Groups    []account.Group // the groups a post may target; none chosen targets everyone
	Settings  Settings        // in force: the form says whether four-eyes is on
}

// Choices returns what the post form offers.
func (s *Service) Choices(ctx context.Context) (Choices, error) {
	var ch Choices
	var err error
	if ch.Campaigns, err = s.repo.Campaigns(ctx); err != nil {
		return ch, err
	}
	if ch.Groups, err = s.repo.Groups(ctx); err != nil {
		return ch, err
	}
	if ch.Settings, err = s.Settings(ctx); err != nil {
		return ch, err
	}
	return ch, nil
}
