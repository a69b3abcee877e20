package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// mustCreatePost stores a draft by authorID with one suggestion for any
// network. campaign, when not empty, is the name of the campaign it
// belongs to, created if needed.
func mustCreatePost(tb testing.TB, s *store.Store, authorID int64, title, campaign string) int64 {
	tb.Helper()
	f := post.Fields{Title: title, URL: "https://example.com/news?id=1", Category: post.CompanyNews, Language: "en",
		Suggestions: []post.Suggestion{{Text: "Have a look."}}}
	if campaign != "" {
		f.CampaignID = mustCampaign(tb, s, authorID, campaign)
	}
	return mustCreatePostFields(tb, s, authorID, f)
}

// mustCreatePostFields stores a draft with fields f by authorID.
func mustCreatePostFields(tb testing.TB, s *store.Store, authorID int64, f post.Fields) int64 {
	tb.Helper()
	id, err := createPost(context.Background(), s, f, authorID, false)
	if err != nil {
		tb.Fatalf("CreatePost %q: %v", f.Title, err)
	}
	return id
}

// mustCampaign returns the id of the campaign named name, creating it.
func mustCampaign(tb testing.TB, s *store.Store, actorID int64, name string) int64 {
	tb.Helper()
	ctx := context.Background()
	id, err := s.CreateCampaign(ctx, post.Campaign{Name: name}, actorID)
	if errors.Is(err, store.ErrExists) {
		all, err := s.Campaigns(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		for _, c := range all {
			if c.Name == name {
				return c.ID
			}
		}
	}
	if err != nil {
		tb.Fatalf("CreateCampaign %q: %v", name, err)
	}
	return id
}

// mustApprovePost submits the post as its author and approves it as approverID.
func mustApprovePost(tb testing.TB, s *store.Store, id, authorID, approverID int64) post.Post {
	tb.Helper()
	ctx := context.Background()
	if _, err := transitionPost(ctx, s, id, post.Submit, authorID, "", post.DefaultPolicy); err != nil {
		tb.Fatalf("submit post %d: %v", id, err)
	}
	p, err := transitionPost(ctx, s, id, post.Approve, approverID, "", post.DefaultPolicy)
	if err != nil {
		tb.Fatalf("approve post %d: %v", id, err)
	}
	return p
}

// mustTeam creates a team group with members.
func mustTeam(tb testing.TB, s *store.Store, name string, members ...int64) int64 {
	tb.Helper()
	return mustGroup(tb, s, name, account.Team, 0, members...)
}

func mustPost(tb testing.TB, s *store.Store, id int64) post.Post {
	tb.Helper()
	p, err := s.Post(context.Background(), id)
	if err != nil {
		tb.Fatalf("Post %d: %v", id, err)
	}
	return p
}

func mustHistory(tb testing.TB, s *store.Store, id int64) []post.Event {
	tb.Helper()
	h, err := s.PostHistory(context.Background(), id)
	if err != nil {
		tb.Fatalf("PostHistory %d: %v", id, err)
	}
	return h
}

func postIDs(ps []post.Post) []int64 {
	var out []int64
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// livePosts returns the posts live at now, for everyone.
func livePosts(tb testing.TB, s *store.Store, now time.Time) []post.Post {
	tb.Helper()
	live, err := s.Posts(context.Background(), post.Filter{LiveAt: now})
	if err != nil {
		tb.Fatalf("live posts: %v", err)
	}
	return live
}

// isTransitionError reports whether err is, or wraps, a refused transition.
func isTransitionError(err error) bool {
	var te *post.TransitionError
	return errors.As(err, &te)
}

func TestCreatePost(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	sam := mustSignIn(t, s, "oidc:3", "sam@example.com")
	sales := mustTeam(t, s, "Sales")
	amsterdam := mustTeam(t, s, "Amsterdam")
	campaign := mustCampaign(t, s, author.ID, "Spring Launch 2026")
	img, err := s.SaveImage(ctx, store.Image{ContentType: "image/png", Data: []byte("\x89PNG fake")}, author.ID)
	if err != nil {
		t.Fatal(err)
	}
	publish, expires := c.Now().Add(48*time.Hour), c.Now().Add(96*time.Hour)
	suggestions := []post.Suggestion{{Network: "x", Text: "X one"}, {Network: "", Text: "Any"},
		{Network: "x", Text: "X two"}, {Network: "linkedin", Text: "LinkedIn"}}

	tests := []struct {
		name      string
		fields    post.Fields
		suggested bool
		wantPost  post.Post           // ID, times and author filled in by the test
		wantWrote []post.ContentField // what the author is recorded to have written
		wantErr   bool
	}{
		{
			name: "every field",
			fields: post.Fields{Title: "Our New Office!", URL: "https://example.com/office", Category: post.Culture, Language: "nl",
				CampaignID: campaign, Hashtags: []string{"launch", "Jobs_2026"}, Suggestions: suggestions,
				GroupIDs: []int64{sales, amsterdam}, PublishAt: publish, ExpiresAt: expires, ImageID: img, Note: "a note"},
			wantPost: post.Post{Title: "Our New Office!", URL: "https://example.com/office", Category: post.Culture, Language: "nl",
				CampaignID: campaign, CampaignName: "Spring Launch 2026", Slug: "spring-launch-2026",
				Hashtags: []string{"launch", "Jobs_2026"}, Suggestions: suggestions, Status: post.Draft,
				GroupIDs: []int64{amsterdam, sales}, Groups: []string{"Amsterdam", "Sales"}, // by name
				ImageID: img, Note: "a note", PublishAt: publish, ExpiresAt: expires},
			wantWrote: []post.ContentField{post.ContentTitle, post.ContentURL, post.ContentImage, post.ContentSuggestions, post.ContentHashtags},
		},
		{
			name:      "minimal, suggested by an employee",
			fields:    post.Fields{Title: "Read this", URL: "https://example.com/read", Category: post.IndustryInsight, Language: "en", Note: "Saw it today"},
			suggested: true,
			wantPost: post.Post{Title: "Read this", URL: "https://example.com/read", Category: post.IndustryInsight, Language: "en",
				Slug: "read-this", Status: post.Draft, Note: "Saw it today", SuggestedBy: sam.Name},
			wantWrote: []post.ContentField{post.ContentTitle, post.ContentURL},
		},
		{
			name:    "unknown campaign",
			fields:  post.Fields{Title: "Bad", URL: "https://example.com/bad", Category: post.Culture, Language: "en", CampaignID: 9999},
			wantErr: true,
		},
		{
			name: "unknown group",
			fields: post.Fields{Title: "Bad", URL: "https://example.com/bad", Category: post.Culture, Language: "en",
				Suggestions: []post.Suggestion{{Text: "x"}}, GroupIDs: []int64{sales, 9999}},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := s.Posts(ctx, post.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			c.Advance(time.Minute)
			by := author
			if tt.suggested {
				by = sam
			}
			id, err := createPost(ctx, s, tt.fields, by.ID, tt.suggested)
			if tt.wantErr {
				after, listErr := s.Posts(ctx, post.Filter{})
				if listErr != nil {
					t.Fatal(listErr)
				}
				if err == nil || len(after) != len(before) {
					t.Fatalf("CreatePost = %d, %v (%d posts, was %d); want an error and nothing stored", id, err, len(after), len(before))
				}
				return
			}
			if err != nil {
				t.Fatalf("CreatePost: %v", err)
			}
			got := mustPost(t, s, id)
			want := tt.wantPost
			want.ID, want.AuthorID, want.AuthorName = id, by.ID, by.Name
			want.Editors = []post.Editor{{ID: by.ID, Name: by.Name, Fields: tt.wantWrote}}
			if !got.CreatedAt.Equal(c.Now()) || !got.UpdatedAt.Equal(c.Now()) {
				t.Errorf("created %v updated %v, want both %v", got.CreatedAt, got.UpdatedAt, c.Now())
			}
			if !got.PublishAt.Equal(want.PublishAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
				t.Errorf("publish %v expires %v, want %v and %v", got.PublishAt, got.ExpiresAt, want.PublishAt, want.ExpiresAt)
			}
			got.CreatedAt, got.UpdatedAt, got.PublishAt, got.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if len(got.Hashtags) == 0 {
				got.Hashtags = nil // none stored: nil or empty are the same
			}
			want.PublishAt, want.ExpiresAt = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Post =\n %+v\nwant\n %+v", got, want)
			}
		})
	}
	if _, err := s.Post(ctx, 424242); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Post(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestUpdatePost(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		status      post.Status // where the post stands when edited
		wantStatus  post.Status // "" when the edit is refused
		wantComment string
	}{
		{"draft stays a draft", post.Draft, post.Draft, ""},
		{"in review stays in review", post.InReview, post.InReview, ""},
		{"approved and live goes back to review", post.Approved, post.InReview, "Edited after approval: back to review."},
		{"archived is refused", post.Archived, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			s := mustOpenStore(t, store.WithClock(c.Now))
			author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
			approver := mustSignIn(t, s, "oidc:2", "carlos@example.com", account.Comms)
			sales, berlin := mustTeam(t, s, "Sales"), mustTeam(t, s, "Berlin")
			id := mustCreatePostFields(t, s, author.ID, post.Fields{Title: "Launch", URL: "https://example.com/launch",
				Category: post.Product, Language: "en", Hashtags: []string{"launch"},
				Suggestions: []post.Suggestion{{Text: "Old text"}, {Network: "x", Text: "Old X"}}, GroupIDs: []int64{sales}})
			switch tt.status {
			case post.InReview:
				if _, err := transitionPost(ctx, s, id, post.Submit, author.ID, "", post.DefaultPolicy); err != nil {
					t.Fatal(err)
				}
			case post.Approved, post.Archived:
				mustApprovePost(t, s, id, author.ID, approver.ID)
				if live, err := s.PublishDue(ctx); err != nil || len(live) != 1 {
					t.Fatalf("PublishDue = %v, %v; want the post", live, err)
				}
				if tt.status == post.Archived {
					if _, err := transitionPost(ctx, s, id, post.Archive, approver.ID, "", post.DefaultPolicy); err != nil {
						t.Fatal(err)
					}
				}
			}
			before, history := mustPost(t, s, id), mustHistory(t, s, id)

			c.Advance(time.Hour)
			edit := post.Fields{Title: "Launch, edited", URL: "https://example.com/launch2", Category: post.Culture, Language: "de",
				Hashtags: []string{"new"}, Suggestions: []post.Suggestion{{Network: "linkedin", Text: "New text"}},
				GroupIDs: []int64{berlin}, PublishAt: c.Now().Add(time.Hour)}
			got, err := updatePost(ctx, s, id, edit, nil, approver.ID)
			if tt.wantStatus == "" {
				if !isTransitionError(err) {
					t.Fatalf("UpdatePost error = %v, want a *post.TransitionError", err)
				}
				if after := mustPost(t, s, id); !reflect.DeepEqual(after, before) {
					t.Errorf("refused edit changed the post:\n got %+v\nwant %+v", after, before)
				}
				if h := mustHistory(t, s, id); len(h) != len(history) {
					t.Errorf("refused edit added history: %+v", h)
				}
				return
			}
			if err != nil {
				t.Fatalf("UpdatePost: %v", err)
			}
			if !reflect.DeepEqual(got, mustPost(t, s, id)) {
				t.Errorf("UpdatePost returned %+v, but the store has %+v", got, mustPost(t, s, id))
			}
			if got.Status != tt.wantStatus || got.Title != edit.Title || got.URL != edit.URL || got.Category != edit.Category ||
				got.Language != edit.Language || !slices.Equal(got.Hashtags, edit.Hashtags) ||
				!slices.Equal(got.Suggestions, edit.Suggestions) || !slices.Equal(got.GroupIDs, edit.GroupIDs) ||
				!got.PublishAt.Equal(edit.PublishAt) || !got.UpdatedAt.Equal(c.Now()) || !got.CreatedAt.Equal(before.CreatedAt) {
				t.Errorf("after edit = %+v, want status %s and the edited fields", got, tt.wantStatus)
			}
			if got.ApproverID != 0 || !got.WentLiveAt.IsZero() {
				t.Errorf("after edit approver %d, went live %v; want both cleared", got.ApproverID, got.WentLiveAt)
			}
			if got.Live(c.Now().Add(2 * time.Hour)) {
				t.Errorf("edited post is live without a new approval")
			}
			// The history keeps everything that happened before the edit,
			// publication included, and adds the edit.
			h := mustHistory(t, s, id)
			if len(h) == 0 {
				t.Fatal("no history after the edit")
			}
			kept, last := h[:len(h)-1], h[len(h)-1]
			if (len(kept) > 0 || len(history) > 0) && !reflect.DeepEqual(kept, history) {
				t.Errorf("history before the edit = %+v\nafter the edit it reads %+v", history, kept)
			}
			if last.Label != "Edited" || last.ActorName != approver.Name || last.From != tt.status || last.To != tt.wantStatus ||
				last.Comment != tt.wantComment || !last.At.Equal(c.Now()) {
				t.Errorf("edit event = %+v, want Edited by %s from %s to %s with comment %q", last, approver.Name, tt.status, tt.wantStatus, tt.wantComment)
			}
			if tt.status == post.Approved {
				if live := livePosts(t, s, c.Now()); len(live) != 0 {
					t.Errorf("live posts after editing = %v, want none", postIDs(live))
				}
			}
		})
	}
	t.Run("unknown post", func(t *testing.T) {
		s := mustOpenStore(t)
		u := mustSignIn(t, s, "oidc:1", "mei@example.com")
		_, err := updatePost(ctx, s, 4242, post.Fields{Title: "x", URL: "https://example.com", Category: post.Culture, Language: "en"}, nil, u.ID)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdatePost(unknown) error = %v, want ErrNotFound", err)
		}
	})
}

func TestTransitionPostApprove(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:2", "carlos@example.com", account.Comms)
	created := c.Now()
	id := mustCreatePost(t, s, author.ID, "Launch", "")

	c.Advance(time.Minute)
	submitted := c.Now()
	p, err := transitionPost(ctx, s, id, post.Submit, author.ID, "", post.DefaultPolicy)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if p.Status != post.InReview || !p.PublishAt.IsZero() {
		t.Errorf("after Submit status %s publish %v, want in_review and no publish time", p.Status, p.PublishAt)
	}
	if live := livePosts(t, s, c.Now()); len(live) != 0 {
		t.Errorf("live posts before approval = %d posts, want 0", len(live))
	}

	c.Advance(time.Minute)
	approved := c.Now()
	p, err = transitionPost(ctx, s, id, post.Approve, approver.ID, "Looks good", post.DefaultPolicy)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if p.Status != post.Approved || p.ApproverID != approver.ID || !p.PublishAt.Equal(approved) || !p.UpdatedAt.Equal(approved) {
		t.Errorf("after Approve = status %s approver %d publish %v updated %v; want approved by %d, published and updated %v",
			p.Status, p.ApproverID, p.PublishAt, p.UpdatedAt, approver.ID, approved)
	}
	c.Advance(time.Minute)
	published := c.Now()
	if live, err := s.PublishDue(ctx); err != nil || !slices.Equal(postIDs(live), []int64{id}) {
		t.Fatalf("PublishDue = %v, %v; want the post", postIDs(live), err)
	}

	wantHistory := []post.Event{
		{ActorName: author.Name, Label: "created it as a draft", From: post.Draft, To: post.Draft, At: created},
		{ActorName: author.Name, From: post.Draft, To: post.InReview, At: submitted},
		{ActorName: approver.Name, From: post.InReview, To: post.Approved, Comment: "Looks good", At: approved},
		{Label: "Went live", From: post.Approved, To: post.Approved, At: published},
	}
	assertHistory(t, mustHistory(t, s, id), wantHistory)

	live := livePosts(t, s, c.Now())
	if len(live) != 1 || live[0].ID != id || !live[0].Live(c.Now()) || !live[0].WentLiveAt.Equal(published) {
		t.Errorf("LivePosts = %+v, want post %d, live since %v", live, id, published)
	}
}

func assertHistory(t *testing.T, got, want []post.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("PostHistory = %+v, want %d events", got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ActorName != w.ActorName || g.From != w.From || g.To != w.To || g.Label != w.Label ||
			g.Comment != w.Comment || !g.At.Equal(w.At) {
			t.Errorf("event %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestTransitionPostRefused(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	other := mustSignIn(t, s, "oidc:2", "carlos@example.com", account.Comms)
	id := mustCreatePost(t, s, author.ID, "Launch", "")
	if _, err := transitionPost(ctx, s, id, post.Submit, author.ID, "", post.DefaultPolicy); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	before := mustPost(t, s, id)

	tests := []struct {
		name    string
		action  post.Action
		actor   int64
		comment string
	}{
		{"author approves own post", post.Approve, author.ID, ""},
		{"return without comment", post.Return, other.ID, "  "},
		{"submit again", post.Submit, author.ID, ""},
		{"unknown action", "publish", other.ID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Advance(time.Minute)
			_, err := transitionPost(ctx, s, id, tt.action, tt.actor, tt.comment, post.DefaultPolicy)
			var te *post.TransitionError
			if !errors.As(err, &te) {
				t.Fatalf("TransitionPost error = %v (%T), want *post.TransitionError", err, err)
			}
			if after := mustPost(t, s, id); !reflect.DeepEqual(after, before) {
				t.Errorf("post changed by a refused transition:\n got %+v\nwant %+v", after, before)
			}
			if h := mustHistory(t, s, id); len(h) != 2 {
				t.Errorf("PostHistory has %d events, want 2 (the creation and the submit)", len(h))
			}
			if live := livePosts(t, s, c.Now()); len(live) != 0 {
				t.Errorf("live posts = %d posts, want 0", len(live))
			}
		})
	}
	t.Run("four-eyes off lets the author approve", func(t *testing.T) {
		p, err := transitionPost(ctx, s, id, post.Approve, author.ID, "", post.Policy{FourEyes: false})
		if err != nil || p.Status != post.Approved || p.ApproverID != author.ID {
			t.Errorf("TransitionPost = %+v, %v; want approved by the author", p, err)
		}
	})
}

func TestTransitionPostUnknown(t *testing.T) {
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "mei@example.com")
	if _, err := transitionPost(context.Background(), s, 42, post.Submit, u.ID, "", post.DefaultPolicy); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TransitionPost(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestPosts(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:2", "carlos@example.com", account.Comms)
	member := mustSignIn(t, s, "oidc:3", "sam@example.com")
	outsider := mustSignIn(t, s, "oidc:4", "noor@example.com")
	sales := mustTeam(t, s, "Sales", member.ID)
	spring := mustCampaign(t, s, author.ID, "Spring")
	now := c.Now()
	hour := time.Hour

	create := func(f post.Fields, status post.Status) int64 {
		t.Helper()
		f.URL = "https://example.com/" + post.Slugify(f.Title)
		if f.Language == "" {
			f.Language = "en"
		}
		if f.Category == "" {
			f.Category = post.CompanyNews
		}
		id := mustCreatePostFields(t, s, author.ID, f)
		switch status {
		case post.Approved:
			mustApprovePost(t, s, id, author.ID, approver.ID)
		case post.Archived:
			mustApprovePost(t, s, id, author.ID, approver.ID)
			if _, err := transitionPost(ctx, s, id, post.Archive, author.ID, "", post.DefaultPolicy); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	launch := create(post.Fields{Title: "Spring launch", Category: post.Product, CampaignID: spring, Hashtags: []string{"Launch"},
		PublishAt: now}, post.Approved)
	hiring := create(post.Fields{Title: "Hiring in Berlin", Category: post.Jobs, Language: "de", GroupIDs: []int64{sales},
		Suggestions: []post.Suggestion{{Network: "x", Text: "We are 100% hiring"}}, PublishAt: now.Add(-hour)}, post.Approved)
	club := create(post.Fields{Title: "Culture_club", Category: post.Culture,
		Suggestions: []post.Suggestion{{Text: "Join the club"}}}, post.Draft)
	archived := create(post.Fields{Title: "Old news", PublishAt: now.Add(-3 * hour)}, post.Archived)
	future := create(post.Fields{Title: "Future plans", CampaignID: spring, PublishAt: now.Add(24 * hour)}, post.Approved)
	expired := create(post.Fields{Title: "Last week", PublishAt: now.Add(-48 * hour), ExpiresAt: now.Add(-2 * hour)}, post.Approved)

	tests := []struct {
		name    string
		filter  post.Filter
		wantIDs []int64
	}{
		{"everything, newest publish time (or change) first", post.Filter{}, []int64{future, club, launch, hiring, archived, expired}},
		{"statuses", post.Filter{Statuses: []post.Status{post.Draft, post.Archived}}, []int64{club, archived}},
		{"one status", post.Filter{Statuses: []post.Status{post.Approved}}, []int64{future, launch, hiring, expired}},
		{"category", post.Filter{Category: string(post.Jobs)}, []int64{hiring}},
		{"campaign", post.Filter{Campaign: spring}, []int64{future, launch}},
		{"language", post.Filter{Language: "de"}, []int64{hiring}},
		{"query in the title, any case", post.Filter{Query: "BERLIN"}, []int64{hiring}},
		{"query in the hashtags", post.Filter{Query: "launch"}, []int64{launch}},
		{"query in the link", post.Filter{Query: "example.com/future"}, []int64{future}},
		{"query in a suggestion", post.Filter{Query: "join the"}, []int64{club}},
		{"query trimmed", post.Filter{Query: "  club \t"}, []int64{club}},
		{"% taken literally", post.Filter{Query: "%"}, []int64{hiring}},
		{"100% taken literally", post.Filter{Query: "100%"}, []int64{hiring}},
		{"% between words taken literally", post.Filter{Query: "spring%launch"}, nil},
		{"_ taken literally", post.Filter{Query: "_"}, []int64{club}},
		{"_ is not any character", post.Filter{Query: "culture_"}, []int64{club}},
		{"_ does not match a space", post.Filter{Query: "spring_launch"}, nil},
		{"backslash taken literally", post.Filter{Query: `\`}, nil},
		{"query matching nothing", post.Filter{Query: "nothing like this"}, nil},
		{"from", post.Filter{From: now}, []int64{future, launch}},
		{"from and to", post.Filter{From: now.Add(-3 * hour), To: now}, []int64{hiring, archived}},
		{"to", post.Filter{To: now.Add(-3 * hour)}, []int64{expired}},
		{"live now", post.Filter{LiveAt: now}, []int64{launch, hiring}},
		{"live tomorrow", post.Filter{LiveAt: now.Add(25 * hour)}, []int64{future, launch, hiring}},
		{"live for a member of the target group", post.Filter{LiveAt: now, ForUser: member.ID}, []int64{launch, hiring}},
		{"live for someone outside it", post.Filter{LiveAt: now, ForUser: outsider.ID}, []int64{launch}},
		{"for an outsider, every status", post.Filter{ForUser: outsider.ID}, []int64{future, club, launch, archived, expired}},
		{"filters combine", post.Filter{Campaign: spring, LiveAt: now, ForUser: outsider.ID}, []int64{launch}},
		{"limit", post.Filter{Limit: 2}, []int64{future, club}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Posts(ctx, tt.filter)
			if err != nil {
				t.Fatalf("Posts: %v", err)
			}
			if !slices.Equal(postIDs(got), tt.wantIDs) {
				t.Errorf("Posts(%+v) = %v, want %v", tt.filter, postIDs(got), tt.wantIDs)
			}
		})
	}
	t.Run("listed posts carry their suggestions and groups", func(t *testing.T) {
		got, err := s.Posts(ctx, post.Filter{Category: string(post.Jobs)})
		if err != nil || len(got) != 1 {
			t.Fatalf("Posts = %v, %v", got, err)
		}
		if !slices.Equal(got[0].Groups, []string{"Sales"}) || len(got[0].Suggestions) != 1 {
			t.Errorf("post = %+v, want its group and suggestion", got[0])
		}
	})
	t.Run("live now", func(t *testing.T) {
		if got := livePosts(t, s, c.Now()); !slices.Equal(postIDs(got), []int64{launch, hiring}) {
			t.Errorf("live posts = %v, want %v", postIDs(got), []int64{launch, hiring})
		}
	})
}

func TestTargeted(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	sam := mustSignIn(t, s, "oidc:3", "sam@example.com")
	noor := mustSignIn(t, s, "oidc:4", "noor@example.com")
	hannah := mustSignIn(t, s, "oidc:5", "hannah@example.com")
	sales := mustTeam(t, s, "Sales", sam.ID)
	berlin := mustTeam(t, s, "Berlin", noor.ID)
	empty := mustTeam(t, s, "Nobody")
	base := post.Fields{URL: "https://example.com", Category: post.Culture, Language: "en"}
	withGroups := func(title string, groups ...int64) int64 {
		f := base
		f.Title, f.GroupIDs = title, groups
		return mustCreatePostFields(t, s, author.ID, f)
	}
	everyone := withGroups("Everyone")
	salesOnly := withGroups("Sales", sales)
	salesOrBerlin := withGroups("Sales or Berlin", sales, berlin)
	nobody := withGroups("Nobody", empty)

	tests := []struct {
		name   string
		post   int64
		user   account.User
		wantOK bool
	}{
		{"untargeted, anyone", everyone, hannah, true},
		{"untargeted, the author", everyone, author, true},
		{"one group, member", salesOnly, sam, true},
		{"one group, not a member", salesOnly, noor, false},
		{"one group, the author is not a member", salesOnly, author, false},
		{"two groups, member of the second", salesOrBerlin, noor, true},
		{"two groups, member of neither", salesOrBerlin, hannah, false},
		{"a group without members", nobody, sam, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Targeted(ctx, tt.post, tt.user.ID)
			if err != nil || got != tt.wantOK {
				t.Errorf("Targeted = %v, %v; want %v", got, err, tt.wantOK)
			}
		})
	}
}

func TestPublishAndExpireDue(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:2", "carlos@example.com", account.Comms)
	start := c.Now()
	hour := time.Hour
	create := func(title string, publish, expires time.Time, approve bool) int64 {
		t.Helper()
		id := mustCreatePostFields(t, s, author.ID, post.Fields{Title: title, URL: "https://example.com", Category: post.Culture,
			Language: "en", PublishAt: publish, ExpiresAt: expires})
		if approve {
			mustApprovePost(t, s, id, author.ID, approver.ID)
		}
		return id
	}
	atOnce := create("At once", time.Time{}, time.Time{}, true)
	inAnHour := create("In an hour", start.Add(hour), start.Add(3*hour), true)
	tomorrow := create("Tomorrow", start.Add(24*hour), time.Time{}, true)
	missed := create("Missed", start.Add(30*time.Minute), start.Add(50*time.Minute), true) // expires before the next run
	// A draft: never approved, so never in the lists below.
	create("Draft", start.Add(-hour), time.Time{}, false)

	steps := []struct {
		name         string
		advance      time.Duration
		wantLive     []int64
		wantExpired  []int64
		wantLiveNow  []int64
		wantNotAgain bool
	}{
		{"approved without a publish time goes live at once", 0, []int64{atOnce}, nil, []int64{atOnce}, true},
		{"nothing due a minute later", time.Minute, nil, nil, []int64{atOnce}, true},
		{"due after its publish time; an expired one is not published", hour, []int64{inAnHour}, []int64{missed}, []int64{inAnHour, atOnce}, true},
		{"expiry", 2 * hour, nil, []int64{inAnHour}, []int64{atOnce}, true},
		{"next day", 24 * hour, []int64{tomorrow}, nil, []int64{tomorrow, atOnce}, true},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			c.Advance(st.advance)
			live, err := s.PublishDue(ctx)
			if err != nil {
				t.Fatalf("PublishDue: %v", err)
			}
			if !slices.Equal(postIDs(live), st.wantLive) {
				t.Errorf("PublishDue = %v, want %v", postIDs(live), st.wantLive)
			}
			for _, p := range live {
				if !p.WentLiveAt.Equal(c.Now()) {
					t.Errorf("post %d went live at %v, want %v", p.ID, p.WentLiveAt, c.Now())
				}
			}
			gone, err := s.ExpireDue(ctx)
			if err != nil {
				t.Fatalf("ExpireDue: %v", err)
			}
			if !slices.Equal(postIDs(gone), st.wantExpired) {
				t.Errorf("ExpireDue = %v, want %v", postIDs(gone), st.wantExpired)
			}
			for _, p := range gone {
				if !p.ExpiredAt.Equal(c.Now()) {
					t.Errorf("post %d expired at %v, want %v", p.ID, p.ExpiredAt, c.Now())
				}
			}
			again, publishErr := s.PublishDue(ctx)
			goneAgain, expireErr := s.ExpireDue(ctx)
			if err := errors.Join(publishErr, expireErr); err != nil || len(again)+len(goneAgain) != 0 {
				t.Errorf("second run published %v and expired %v, %v; want nothing", postIDs(again), postIDs(goneAgain), err)
			}
			if got := livePosts(t, s, c.Now()); !slices.Equal(postIDs(got), st.wantLiveNow) {
				t.Errorf("live posts = %v, want %v", postIDs(got), st.wantLiveNow)
			}
		})
	}

	t.Run("history records publication and expiry", func(t *testing.T) {
		h := mustHistory(t, s, inAnHour)
		published, expired := start.Add(hour+time.Minute), start.Add(3*hour+time.Minute)
		assertHistory(t, h, []post.Event{
			{ActorName: author.Name, Label: "created it as a draft", From: post.Draft, To: post.Draft, At: start},
			{ActorName: author.Name, From: post.Draft, To: post.InReview, At: start},
			{ActorName: approver.Name, From: post.InReview, To: post.Approved, At: start},
			{Label: "Went live", From: post.Approved, To: post.Approved, At: published},
			{Label: "Expired", From: post.Approved, To: post.Approved, At: expired},
		})
	})
}

func TestPublishDueTwoInstances(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := filepath.Join(t.TempDir(), "portal.db")
	a := mustOpenStoreAt(t, path, store.WithClock(c.Now))
	b := mustOpenStoreAt(t, path, store.WithClock(c.Now))
	author := mustSignIn(t, a, "oidc:1", "mei@example.com", account.Comms)
	approver := mustSignIn(t, a, "oidc:2", "carlos@example.com", account.Comms)
	var want []int64
	for i := range 20 {
		id := mustCreatePost(t, a, author.ID, fmt.Sprintf("Post %d", i), "")
		mustApprovePost(t, a, id, author.ID, approver.ID)
		want = append(want, id)
	}
	var mu sync.Mutex
	var got []int64
	var wg sync.WaitGroup
	for _, s := range []*store.Store{a, b, a, b} {
		wg.Go(func() {
			live, err := s.PublishDue(ctx)
			if err != nil {
				t.Errorf("PublishDue: %v", err)
			}
			mu.Lock()
			got = append(got, postIDs(live)...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("published %v across instances, want each of %v once", got, want)
	}
}

// An edited post that had expired gets a new expiry: its expiry must be
// recorded again, and its history must keep the first publication and
// expiry.
func TestRepublishAfterExpiry(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:2", "carlos@example.com", account.Comms)
	f := post.Fields{Title: "Event", URL: "https://example.com/event", Category: post.Culture, Language: "en",
		ExpiresAt: c.Now().Add(time.Hour)}
	id := mustCreatePostFields(t, s, author.ID, f)
	mustApprovePost(t, s, id, author.ID, approver.ID)
	if live, err := s.PublishDue(ctx); err != nil || len(live) != 1 {
		t.Fatalf("PublishDue = %v, want the post (error: %v)", postIDs(live), err)
	}
	c.Advance(time.Hour)
	if gone, err := s.ExpireDue(ctx); err != nil || len(gone) != 1 {
		t.Fatalf("ExpireDue = %v, want the post (error: %v)", postIDs(gone), err)
	}

	c.Advance(time.Hour)
	f.PublishAt, f.ExpiresAt = time.Time{}, c.Now().Add(time.Hour)
	if _, err := updatePost(ctx, s, id, f, nil, author.ID); err != nil {
		t.Fatalf("UpdatePost: %v", err)
	}
	if _, err := transitionPost(ctx, s, id, post.Approve, approver.ID, "", post.DefaultPolicy); err != nil {
		t.Fatalf("approve again: %v", err)
	}
	if live, err := s.PublishDue(ctx); err != nil || !slices.Equal(postIDs(live), []int64{id}) {
		t.Errorf("PublishDue after re-approval = %v, want the post (error: %v)", postIDs(live), err)
	}
	c.Advance(time.Hour)
	if gone, err := s.ExpireDue(ctx); err != nil || !slices.Equal(postIDs(gone), []int64{id}) {
		t.Errorf("ExpireDue after the new expiry = %v, want the post (expired_at was not cleared by the edit) (error: %v)", postIDs(gone), err)
	}
	var labels []string
	for _, e := range mustHistory(t, s, id) {
		if e.Label != "" {
			labels = append(labels, e.Label)
		}
	}
	want := []string{"created it as a draft", "Went live", "Expired", "Edited", "Went live", "Expired"}
	if !slices.Equal(labels, want) {
		t.Errorf("history labels = %q, want %q", labels, want)
	}
}
