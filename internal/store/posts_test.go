package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// mustCreatePost stores a draft by authorID.
func mustCreatePost(tb testing.TB, s *store.Store, authorID int64, title, campaign string) int64 {
	tb.Helper()
	id, err := s.CreatePost(context.Background(), post.Input{Title: title, URL: "https://example.com/news?id=1",
		Commentary: "Have a look.", Category: string(post.CompanyNews), Campaign: campaign}, authorID)
	if err != nil {
		tb.Fatalf("CreatePost %q: %v", title, err)
	}
	return id
}

// mustApprovePost submits the post as its author and approves it as approverID.
func mustApprovePost(tb testing.TB, s *store.Store, id, authorID, approverID int64) post.Post {
	tb.Helper()
	ctx := context.Background()
	if _, err := s.TransitionPost(ctx, id, post.Submit, authorID, "", post.DefaultPolicy); err != nil {
		tb.Fatalf("submit post %d: %v", id, err)
	}
	p, err := s.TransitionPost(ctx, id, post.Approve, approverID, "", post.DefaultPolicy)
	if err != nil {
		tb.Fatalf("approve post %d: %v", id, err)
	}
	return p
}

func TestCreatePost(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	id := mustCreatePost(t, s, author.ID, "Our New Office!", "")

	p, err := s.Post(ctx, id)
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if p.ID != id || p.Title != "Our New Office!" || p.URL != "https://example.com/news?id=1" || p.Commentary != "Have a look." ||
		p.Category != post.CompanyNews || p.Slug != "our-new-office" || p.Status != post.Draft ||
		p.AuthorID != author.ID || p.AuthorName != author.Name || p.ApproverID != 0 ||
		!p.PublishAt.IsZero() || !p.ExpiresAt.IsZero() || !p.CreatedAt.Equal(c.Now()) || !p.UpdatedAt.Equal(c.Now()) {
		t.Errorf("Post = %+v, want a draft by %s with slug our-new-office, created now", p, author.Name)
	}
	if _, err := s.Post(ctx, id+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Post(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestTransitionPostApprove(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:2", "carlos@example.com", account.Comms)
	id := mustCreatePost(t, s, author.ID, "Launch", "")

	submitted := c.Now().Add(time.Minute)
	c.Advance(time.Minute)
	p, err := s.TransitionPost(ctx, id, post.Submit, author.ID, "", post.DefaultPolicy)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if p.Status != post.InReview || !p.PublishAt.IsZero() {
		t.Errorf("after Submit status %s publish %v, want in_review and no publish time", p.Status, p.PublishAt)
	}
	if live, _ := s.LivePosts(ctx); len(live) != 0 {
		t.Errorf("LivePosts before approval = %d posts, want 0", len(live))
	}

	c.Advance(time.Minute)
	approved := c.Now()
	p, err = s.TransitionPost(ctx, id, post.Approve, approver.ID, "Looks good", post.DefaultPolicy)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if p.Status != post.Approved || p.ApproverID != approver.ID || !p.PublishAt.Equal(approved) || !p.UpdatedAt.Equal(approved) {
		t.Errorf("after Approve = status %s approver %d publish %v updated %v; want approved by %d, published and updated %v",
			p.Status, p.ApproverID, p.PublishAt, p.UpdatedAt, approver.ID, approved)
	}

	history, err := s.PostHistory(ctx, id)
	if err != nil {
		t.Fatalf("PostHistory: %v", err)
	}
	wantHistory := []post.Event{
		{ActorName: author.Name, From: post.Draft, To: post.InReview, Comment: "", At: submitted},
		{ActorName: approver.Name, From: post.InReview, To: post.Approved, Comment: "Looks good", At: approved},
	}
	if len(history) != len(wantHistory) {
		t.Fatalf("PostHistory = %+v, want %d events", history, len(wantHistory))
	}
	for i, want := range wantHistory {
		if got := history[i]; got.ActorName != want.ActorName || got.From != want.From || got.To != want.To ||
			got.Comment != want.Comment || !got.At.Equal(want.At) {
			t.Errorf("event %d = %+v, want %+v", i, got, want)
		}
	}

	live, err := s.LivePosts(ctx)
	if err != nil {
		t.Fatalf("LivePosts: %v", err)
	}
	if len(live) != 1 || live[0].ID != id || !live[0].Live(c.Now()) {
		t.Errorf("LivePosts = %+v, want post %d, live", live, id)
	}
}

func TestTransitionPostRefused(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	other := mustSignIn(t, s, "oidc:2", "carlos@example.com", account.Comms)
	id := mustCreatePost(t, s, author.ID, "Launch", "")
	if _, err := s.TransitionPost(ctx, id, post.Submit, author.ID, "", post.DefaultPolicy); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	before, err := s.Post(ctx, id)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		action  post.Action
		actor   int64
		comment string
	}{
		{"author approves own post", post.Approve, author.ID, ""},
		{"return without comment", post.Return, other.ID, "  "},
		{"submit again", post.Submit, author.ID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Advance(time.Minute)
			_, err := s.TransitionPost(ctx, id, tt.action, tt.actor, tt.comment, post.DefaultPolicy)
			var te *post.TransitionError
			if !errors.As(err, &te) {
				t.Fatalf("TransitionPost error = %v (%T), want *post.TransitionError", err, err)
			}
			after, err := s.Post(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Errorf("post changed by a refused transition:\n got %+v\nwant %+v", after, before)
			}
			history, err := s.PostHistory(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(history) != 1 {
				t.Errorf("PostHistory has %d events, want 1 (the submit)", len(history))
			}
			if live, _ := s.LivePosts(ctx); len(live) != 0 {
				t.Errorf("LivePosts = %d posts, want 0", len(live))
			}
		})
	}
}

func TestTransitionPostUnknown(t *testing.T) {
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "mei@example.com")
	if _, err := s.TransitionPost(context.Background(), 42, post.Submit, u.ID, "", post.DefaultPolicy); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TransitionPost(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestPostsAndLivePosts(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:2", "carlos@example.com", account.Comms)

	draft := mustCreatePost(t, s, author.ID, "Draft", "")
	c.Advance(time.Minute)
	older := mustCreatePost(t, s, author.ID, "Older", "")
	mustApprovePost(t, s, older, author.ID, approver.ID)
	c.Advance(time.Minute)
	newer := mustCreatePost(t, s, author.ID, "Newer", "")
	mustApprovePost(t, s, newer, author.ID, approver.ID)
	c.Advance(time.Minute)
	archived := mustCreatePost(t, s, author.ID, "Archived", "")
	mustApprovePost(t, s, archived, author.ID, approver.ID)
	if _, err := s.TransitionPost(ctx, archived, post.Archive, approver.ID, "", post.DefaultPolicy); err != nil {
		t.Fatalf("Archive: %v", err)
	}

	ids := func(ps []post.Post, err error) []int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	tests := []struct {
		name    string
		got     []int64
		wantIDs []int64
	}{
		{"LivePosts newest first", ids(s.LivePosts(ctx)), []int64{newer, older}},
		{"Posts without archived, recently updated first", ids(s.Posts(ctx)), []int64{newer, older, draft}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.got) != len(tt.wantIDs) {
				t.Fatalf("ids = %v, want %v", tt.got, tt.wantIDs)
			}
			for i := range tt.got {
				if tt.got[i] != tt.wantIDs[i] {
					t.Errorf("ids = %v, want %v", tt.got, tt.wantIDs)
					break
				}
			}
		})
	}
}
