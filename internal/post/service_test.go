package post_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/check"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/source"
)

// The people of the service's tests: Mei writes posts, Carlos changes
// them in review, Ana reviews without changing anything.
const (
	mei    int64 = 1
	carlos int64 = 2
	ana    int64 = 3
)

var decidedAt = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

// fakeRepo is a post.Repository holding at most one post in memory. It
// records what the service asked it to write, and writes it to its post.
type fakeRepo struct {
	post      post.Post
	exists    bool
	history   []post.Event
	fourEyes  *bool        // as an admin saved it; nil: never
	checks    *check.Rules // as an admin saved them; nil: never
	campaigns []int64      // the campaigns that exist
	groups    []account.Group
	item      *source.Item // the one source item; nil: none

	states  []post.State // what each decision was given
	created *post.NewPost
	revised *post.Revision
	changed *post.Change
}

func (r *fakeRepo) Post(_ context.Context, id int64) (post.Post, error) {
	if !r.exists || id != r.post.ID {
		return post.Post{}, fmt.Errorf("fake: post %d: %w", id, errNotFound)
	}
	return r.post, nil
}

func (r *fakeRepo) Posts(context.Context, post.Filter) ([]post.Post, error) {
	if !r.exists {
		return nil, nil
	}
	return []post.Post{r.post}, nil
}

func (r *fakeRepo) PostHistory(_ context.Context, id int64) ([]post.Event, error) {
	if _, err := r.Post(context.Background(), id); err != nil {
		return nil, err
	}
	return r.history, nil
}

func (r *fakeRepo) SaveContentSettings(_ context.Context, cs post.ContentSettings, _ int64) error {
	r.fourEyes, r.checks = &cs.FourEyes, &cs.Checks
	return nil
}

func (r *fakeRepo) PostSettings(_ context.Context, set post.Settings) (post.Settings, error) {
	if r.fourEyes != nil {
		set.Policy.FourEyes = *r.fourEyes
	}
	if r.checks != nil {
		set.Checks = *r.checks
	}
	return set, nil
}

func (r *fakeRepo) Campaigns(context.Context) ([]post.Campaign, error) {
	var out []post.Campaign
	for _, id := range slices.Backward(r.campaigns) {
		out = append(out, post.Campaign{ID: id, Name: fmt.Sprintf("Campaign %d", id)})
	}
	return out, nil
}

func (r *fakeRepo) Groups(context.Context) ([]account.Group, error) { return r.groups, nil }

var errNotFound = apperr.Sentinel(apperr.NotFound, "not found", "We could not find what you asked for.")

// state reads the State for q as a store would.
func (r *fakeRepo) state(q post.Query) (post.State, error) {
	st := post.State{Now: decidedAt, CampaignFound: q.CampaignID == 0 || slices.Contains(r.campaigns, q.CampaignID)}
	if q.PostID != 0 {
		p, err := r.Post(context.Background(), q.PostID)
		if err != nil {
			return st, err
		}
		st.Post = p
	}
	set, err := r.PostSettings(context.Background(), q.Defaults)
	if err != nil {
		return st, err
	}
	st.Settings = set
	if q.SourceItemID != 0 {
		if r.item == nil || r.item.ID != q.SourceItemID {
			return st, fmt.Errorf("fake: source item %d: %w", q.SourceItemID, errNotFound)
		}
		st.SourceItem = *r.item
	}
	r.states = append(r.states, st)
	return st, nil
}

func (r *fakeRepo) CreatePost(_ context.Context, q post.Query, decide func(post.State) (post.NewPost, error)) (post.Post, error) {
	st, err := r.state(q)
	if err != nil {
		return post.Post{}, err
	}
	np, err := decide(st)
	if err != nil {
		return post.Post{}, err
	}
	r.created = &np
	if np.SourceItemID != 0 {
		r.item.Status, r.item.PostID = source.ItemUsed, 7
	}
	f := np.Fields
	r.post = post.Post{ID: 7, Title: f.Title, URL: f.URL, Suggestions: f.Suggestions, Hashtags: f.Hashtags, Status: post.Draft,
		AuthorID: np.AuthorID, ImageID: f.ImageID}
	r.exists = true
	if np.Submit != nil {
		r.post.Status = np.Submit.To
	}
	return r.post, nil
}

func (r *fakeRepo) UpdatePost(_ context.Context, q post.Query, decide func(post.State) (post.Revision, error)) (post.Post, error) {
	st, err := r.state(q)
	if err != nil {
		return st.Post, err
	}
	rev, err := decide(st)
	if err != nil {
		return st.Post, err
	}
	r.revised = &rev
	r.post.Title, r.post.URL, r.post.Status, r.post.ImageID = rev.Fields.Title, rev.Fields.URL, rev.To, rev.Fields.ImageID
	return r.post, nil
}

func (r *fakeRepo) TransitionPost(_ context.Context, q post.Query, decide func(post.State) (post.Change, error)) (post.Post, error) {
	st, err := r.state(q)
	if err != nil {
		return st.Post, err
	}
	ch, err := decide(st)
	if err != nil {
		return st.Post, err
	}
	r.changed = &ch
	r.post.Status = ch.To
	if ch.To == post.Approved {
		r.post.ApproverID, r.post.PublishAt = ch.ActorID, ch.PublishAt
	}
	return r.post, nil
}

// wakes counts the publisher's wake-ups.
type wakes int

func (w *wakes) Wake() { *w++ }

// Check outcomes: the post's title has the word "secret"; the rules find
// nothing, warn about it or block it.
type checks int

const (
	clean checks = iota
	warns
	blocks
)

func (c checks) String() string { return [...]string{"checks pass", "checks warn", "checks block"}[c] }

// title is the title of a post the checks find c about.
func (c checks) title() string {
	if c == clean {
		return "Our launch"
	}
	return "Our secret launch"
}

// rules are the check rules that find c: "secret" is a blocked term that
// blocks, or only warns.
func (c checks) rules() *check.Rules {
	r := check.DefaultRules()
	r.BlockedTerms = []string{"secret"}
	if c == warns {
		r.BlockedSeverity = check.Warn
	}
	return &r
}

// inReview is a post Mei wrote and Carlos then changed the title of.
func inReview(status post.Status, title string) post.Post {
	return post.Post{ID: 1, Title: title, URL: "https://example.com/launch", Status: status, AuthorID: mei,
		Editors: []post.Editor{{ID: mei, Fields: []post.ContentField{post.ContentTitle, post.ContentURL}},
			{ID: carlos, Fields: []post.ContentField{post.ContentTitle}}}}
}

// TestTransition holds the service to the workflow's decisions: every
// action from where it may and may not be taken, by the author, an editor
// and another reviewer, with four-eyes on and off, and with the checks
// passing, warning and blocking. Checks run before the workflow for a
// submission and an approval only.
func TestTransition(t *testing.T) {
	later := decidedAt.Add(48 * time.Hour)
	tests := []struct {
		action   post.Action
		from     post.Status
		actor    int64
		fourEyes bool
		checks   checks
		comment  string
		publish  time.Time // the post's publish time

		wantTo      post.Status // "" when refused
		wantRefusal string      // in the refusal's message
		wantChecks  bool        // the checks refused it
		wantPublish time.Time
	}{
		{action: post.Submit, from: post.Draft, actor: mei, fourEyes: true, checks: clean, wantTo: post.InReview},
		{action: post.Submit, from: post.Draft, actor: mei, fourEyes: true, checks: warns, wantTo: post.InReview},
		{action: post.Submit, from: post.Draft, actor: mei, fourEyes: true, checks: blocks, wantRefusal: "The checks found problems", wantChecks: true},
		{action: post.Submit, from: post.Draft, actor: mei, fourEyes: false, checks: clean, wantTo: post.InReview},
		{action: post.Submit, from: post.Draft, actor: mei, fourEyes: false, checks: blocks, wantRefusal: "The checks found problems", wantChecks: true},
		{action: post.Submit, from: post.InReview, actor: mei, fourEyes: true, checks: clean, wantRefusal: "Only a draft"},
		{action: post.Submit, from: post.Approved, actor: mei, fourEyes: true, checks: warns, wantRefusal: "Only a draft"},
		{action: post.Submit, from: post.Archived, actor: mei, fourEyes: true, checks: blocks, wantRefusal: "The checks found problems", wantChecks: true},

		{action: post.Approve, from: post.InReview, actor: ana, fourEyes: true, checks: clean, wantTo: post.Approved, wantPublish: decidedAt},
		{action: post.Approve, from: post.InReview, actor: ana, fourEyes: true, checks: clean, publish: later, wantTo: post.Approved, wantPublish: later},
		{action: post.Approve, from: post.InReview, actor: ana, fourEyes: true, checks: warns, wantTo: post.Approved, wantPublish: decidedAt},
		{action: post.Approve, from: post.InReview, actor: ana, fourEyes: true, checks: blocks, wantRefusal: "The checks found problems", wantChecks: true},
		{action: post.Approve, from: post.InReview, actor: ana, fourEyes: false, checks: blocks, wantRefusal: "The checks found problems", wantChecks: true},
		{action: post.Approve, from: post.InReview, actor: mei, fourEyes: true, checks: clean, wantRefusal: "You wrote this post"},
		{action: post.Approve, from: post.InReview, actor: mei, fourEyes: true, checks: warns, wantRefusal: "You wrote this post"},
		{action: post.Approve, from: post.InReview, actor: mei, fourEyes: true, checks: blocks, wantRefusal: "The checks found problems", wantChecks: true},
		{action: post.Approve, from: post.InReview, actor: mei, fourEyes: false, checks: clean, wantTo: post.Approved, wantPublish: decidedAt},
		{action: post.Approve, from: post.InReview, actor: carlos, fourEyes: true, checks: clean, wantRefusal: "You changed this post's title"},
		{action: post.Approve, from: post.InReview, actor: carlos, fourEyes: false, checks: warns, wantTo: post.Approved, wantPublish: decidedAt},
		{action: post.Approve, from: post.Draft, actor: ana, fourEyes: true, checks: clean, wantRefusal: "Only a post in review"},
		{action: post.Approve, from: post.Approved, actor: ana, fourEyes: false, checks: clean, wantRefusal: "Only a post in review"},
		{action: post.Approve, from: post.Archived, actor: ana, fourEyes: true, checks: warns, wantRefusal: "Only a post in review"},

		{action: post.Return, from: post.InReview, actor: ana, fourEyes: true, checks: clean, comment: "Name the source.", wantTo: post.Draft},
		{action: post.Return, from: post.InReview, actor: ana, fourEyes: true, checks: blocks, comment: "Name the source.", wantTo: post.Draft},
		{action: post.Return, from: post.InReview, actor: mei, fourEyes: true, checks: warns, comment: "Not yet.", wantTo: post.Draft},
		{action: post.Return, from: post.InReview, actor: ana, fourEyes: false, checks: clean, comment: "  ", wantRefusal: "Say what needs to change"},
		{action: post.Return, from: post.Draft, actor: ana, fourEyes: true, checks: clean, comment: "Name the source.", wantRefusal: "Only a post in review can be sent back"},
		{action: post.Return, from: post.Approved, actor: ana, fourEyes: true, checks: blocks, comment: "Name the source.", wantRefusal: "Only a post in review can be sent back"},

		{action: post.Archive, from: post.Draft, actor: mei, fourEyes: true, checks: clean, wantTo: post.Archived},
		{action: post.Archive, from: post.InReview, actor: carlos, fourEyes: true, checks: blocks, wantTo: post.Archived},
		{action: post.Archive, from: post.Approved, actor: mei, fourEyes: false, checks: warns, wantTo: post.Archived},
		{action: post.Archive, from: post.Archived, actor: ana, fourEyes: true, checks: clean, wantRefusal: "already archived"},

		{action: "publish", from: post.InReview, actor: ana, fourEyes: true, checks: clean, wantRefusal: "Unknown action"},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s from %s by %d, four-eyes %v, %s", tt.action, tt.from, tt.actor, tt.fourEyes, tt.checks)
		t.Run(name, func(t *testing.T) {
			p := inReview(tt.from, tt.checks.title())
			p.PublishAt = tt.publish
			history := []post.Event{{ActorName: "Mei", From: post.Draft, To: post.Draft, Label: "created it as a draft"}}
			repo := &fakeRepo{post: p, exists: true, history: history, checks: tt.checks.rules()}
			var woken wakes
			svc := post.NewService(repo, post.Config{Policy: post.Policy{FourEyes: tt.fourEyes}, Publisher: &woken})

			got, err := svc.Transition(context.Background(), post.Step{PostID: p.ID, Action: tt.action, ActorID: tt.actor, Comment: tt.comment})

			if len(repo.states) != 1 || !reflect.DeepEqual(repo.states[0].Post, p) {
				t.Fatalf("decided on %+v, want the post as the repository read it, once", repo.states)
			}
			if tt.wantTo == "" {
				refusal, ok := errors.AsType[*post.Refusal](err)
				if !ok {
					t.Fatalf("Transition = %+v, %v; want a *post.Refusal", got, err)
				}
				if !strings.Contains(refusal.Reason.Message, tt.wantRefusal) || refusal.ByChecks != tt.wantChecks {
					t.Errorf("refused: %q (by the checks: %v), want %q (%v)", refusal.Reason.Message, refusal.ByChecks, tt.wantRefusal, tt.wantChecks)
				}
				if _, ok := errors.AsType[*post.TransitionError](err); !ok || apperr.KindOf(err) != apperr.Conflict ||
					apperr.MessageOf(err) != refusal.Reason.Message {
					t.Errorf("refusal %v: kind %v, message %q; want a conflict wrapping the *TransitionError", err, apperr.KindOf(err), apperr.MessageOf(err))
				}
				page, err := svc.Review(context.Background(), p.ID, tt.actor)
				if err != nil {
					t.Fatal(err)
				}
				if r := refusal.Review; !reflect.DeepEqual(r, page) || !reflect.DeepEqual(r.Post, p) {
					t.Errorf("the refusal's review = %+v, want the post as it was, as its page shows it: %+v", r, page)
				}
				if repo.changed != nil || woken != 0 {
					t.Errorf("a refused step wrote %+v and woke the publisher %d times", repo.changed, woken)
				}
				return
			}
			if err != nil {
				t.Fatalf("Transition: %v", err)
			}
			want := post.Change{Action: tt.action, From: tt.from, To: tt.wantTo, ActorID: tt.actor, Comment: tt.comment,
				PublishAt: tt.wantPublish, Audit: tt.action != post.Submit}
			if repo.changed == nil || !reflect.DeepEqual(*repo.changed, want) {
				t.Errorf("wrote %+v, want %+v", repo.changed, want)
			}
			if got.Status != tt.wantTo {
				t.Errorf("returned a post %s, want %s", got.Status, tt.wantTo)
			}
			if wantWakes := wakes(btoi(tt.action == post.Approve)); woken != wantWakes {
				t.Errorf("publisher woken %d times, want %d", woken, wantWakes)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestTransitionSettings: what admins saved decides over the policy the
// service was built with, and the checks they saved are the ones run.
func TestTransitionSettings(t *testing.T) {
	off, on := false, true
	tests := []struct {
		name     string
		config   post.Policy
		saved    *bool
		rules    *check.Rules
		wantDone bool
	}{
		{"built with four-eyes, never changed", post.DefaultPolicy, nil, nil, false},
		{"built with four-eyes, turned off", post.DefaultPolicy, &off, nil, true},
		{"built without, turned on", post.Policy{}, &on, nil, false},
		{"four-eyes off, a blocked term saved", post.DefaultPolicy, &off, blocks.rules(), false},
		{"four-eyes off, the term only warns", post.DefaultPolicy, &off, warns.rules(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeRepo{post: inReview(post.InReview, blocks.title()), exists: true, fourEyes: tt.saved, checks: tt.rules}
			svc := post.NewService(repo, post.Config{Policy: tt.config})
			_, err := svc.Transition(context.Background(), post.Step{PostID: 1, Action: post.Approve, ActorID: mei})
			if done := err == nil; done != tt.wantDone {
				t.Errorf("the author's approval: %v; want done %v", err, tt.wantDone)
			}
			set, err := svc.Settings(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			wantFourEyes := tt.config.FourEyes
			if tt.saved != nil {
				wantFourEyes = *tt.saved
			}
			wantRules := check.DefaultRules()
			if tt.rules != nil {
				wantRules = *tt.rules
			}
			if set.Policy.FourEyes != wantFourEyes || !reflect.DeepEqual(set.Checks, wantRules) {
				t.Errorf("Settings = %+v, want four-eyes %v and rules %+v", set, wantFourEyes, wantRules)
			}
		})
	}
}

func TestTransitionUnknownPost(t *testing.T) {
	svc := post.NewService(&fakeRepo{}, post.Config{Policy: post.DefaultPolicy})
	for _, a := range []post.Action{post.Submit, post.Approve, post.Return, post.Archive} {
		_, err := svc.Transition(context.Background(), post.Step{PostID: 42, Action: a, ActorID: ana, Comment: "x"})
		if apperr.KindOf(err) != apperr.NotFound || apperr.MessageOf(err) != "There is no such post." || !errors.Is(err, errNotFound) {
			t.Errorf("%s of an unknown post: %v (%s, %q); want not found, wrapping the repository's error", a, err, apperr.KindOf(err), apperr.MessageOf(err))
		}
	}
}

// TestCreate: a new post is stored as a draft, or sent for review at once
// if the checks allow; a form with problems, a campaign that does not exist
// or a submission the checks block store nothing.
func TestCreate(t *testing.T) {
	png := &post.Upload{ContentType: "image/png", Data: []byte("png"), Width: 1, Height: 1}
	fields := func(c checks) post.Fields {
		return post.Fields{Title: c.title(), URL: "https://example.com/launch", Category: post.Product, Language: "en",
			Suggestions: []post.Suggestion{{Text: "Have a look"}}}
	}
	tests := []struct {
		name   string
		d      post.Creation
		checks checks

		wantFields   map[string]string // the refusal's, by field
		wantFindings bool              // refused by the checks
		wantSubmit   bool
		wantWritten  []post.ContentField
	}{
		{name: "a draft", d: post.Creation{Fields: fields(clean)}, wantWritten: []post.ContentField{"title", "url", "suggestions"}},
		{name: "a draft the checks would block", d: post.Creation{Fields: fields(blocks)}, checks: blocks,
			wantWritten: []post.ContentField{"title", "url", "suggestions"}},
		{name: "with an image", d: post.Creation{Fields: fields(clean), Image: png},
			wantWritten: []post.ContentField{"title", "url", "image", "suggestions"}},
		{name: "suggested", d: post.Creation{Fields: post.Fields{Title: "Read", URL: "https://example.com/read"}, Suggested: true},
			wantWritten: []post.ContentField{"title", "url"}},
		{name: "submitted, checks pass", d: post.Creation{Fields: fields(clean), Submit: true}, wantSubmit: true,
			wantWritten: []post.ContentField{"title", "url", "suggestions"}},
		{name: "submitted, checks warn", d: post.Creation{Fields: fields(warns), Submit: true}, checks: warns, wantSubmit: true,
			wantWritten: []post.ContentField{"title", "url", "suggestions"}},
		{name: "submitted, checks block", d: post.Creation{Fields: fields(blocks), Submit: true}, checks: blocks, wantFindings: true},
		{name: "problems in the form", d: post.Creation{Problems: map[string]string{"title": "Give the post a title.", "image": "Not an image."}, Submit: true},
			wantFields: map[string]string{"title": "Give the post a title.", "image": "Not an image."}},
		{name: "a campaign that does not exist", d: post.Creation{Fields: post.Fields{Title: "x", URL: "https://example.com", CampaignID: 99}},
			wantFields: map[string]string{"campaign": "That campaign does not exist any more."}},
		{name: "an image problem and a campaign that does not exist",
			d:          post.Creation{Fields: post.Fields{Title: "x", URL: "https://example.com", CampaignID: 99}, Problems: map[string]string{"image": "Not an image."}},
			wantFields: map[string]string{"campaign": "That campaign does not exist any more.", "image": "Not an image."}},
		{name: "a campaign that exists", d: post.Creation{Fields: post.Fields{Title: "x", URL: "https://example.com", CampaignID: 5}},
			wantWritten: []post.ContentField{"title", "url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeRepo{checks: tt.checks.rules(), campaigns: []int64{5}}
			svc := post.NewService(repo, post.Config{Policy: post.DefaultPolicy})
			tt.d.AuthorID = mei
			problems := maps.Clone(tt.d.Problems)

			got, err := svc.Create(context.Background(), tt.d)

			if !maps.Equal(tt.d.Problems, problems) {
				t.Errorf("Create changed the caller's problems: %v", tt.d.Problems)
			}
			if tt.wantFields != nil || tt.wantFindings {
				refused, ok := errors.AsType[*post.FormError](err)
				if !ok || apperr.KindOf(err) != apperr.Invalid {
					t.Fatalf("Create = %+v, %v; want a *post.FormError", got, err)
				}
				if !maps.Equal(refused.Fields, tt.wantFields) || check.Blocking(refused.Findings) != tt.wantFindings {
					t.Errorf("refused with %v and findings %+v, want %v (blocking findings: %v)", refused.Fields, refused.Findings, tt.wantFields, tt.wantFindings)
				}
				if repo.created != nil {
					t.Errorf("a refused post was stored: %+v", repo.created)
				}
				return
			}
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			want := post.NewPost{Fields: tt.d.Fields, Image: tt.d.Image, AuthorID: mei, Suggested: tt.d.Suggested, Written: tt.wantWritten}
			if tt.wantSubmit {
				want.Submit = &post.Change{Action: post.Submit, From: post.Draft, To: post.InReview, ActorID: mei}
			}
			if repo.created == nil || !reflect.DeepEqual(*repo.created, want) {
				t.Errorf("stored %+v, want %+v", repo.created, want)
			}
			if got.ID != 7 {
				t.Errorf("returned post %d, want the stored one", got.ID)
			}
		})
	}
}

// TestUpdate: an edit of a draft is saved as it is; past the draft it
// passes the checks; an approved post goes back to review and an archived
// one cannot be edited. Problems come first, then the checks, then the
// workflow, as the form has always answered.
func TestUpdate(t *testing.T) {
	png := &post.Upload{ContentType: "image/png", Data: []byte("png"), Width: 1, Height: 1}
	stored := func(status post.Status) post.Post {
		return post.Post{ID: 1, Title: "Launch", URL: "https://example.com/launch", Category: post.Product, Language: "en",
			Status: status, AuthorID: mei, ImageID: 40, Suggestions: []post.Suggestion{{Text: "Have a look"}}}
	}
	retitled := func(c checks) post.Fields {
		f := stored(post.Draft).AsFields()
		f.Title = c.title()
		return f
	}
	recategorised := stored(post.Draft).AsFields()
	recategorised.Category = post.Culture
	tests := []struct {
		name     string
		from     post.Status
		edit     post.Edit
		checks   checks
		campaign bool // the campaign the fields name exists

		wantFields   map[string]string
		wantFindings bool
		wantConflict string // a *TransitionError's message
		wantTo       post.Status
		wantComment  string
		wantImage    int64 // Fields.ImageID as written: the image the post keeps, unless an upload replaces it
		wantUpload   bool
		wantChanged  []post.ContentField
	}{
		{name: "a draft", from: post.Draft, edit: post.Edit{Fields: retitled(clean)}, wantTo: post.Draft, wantImage: 40,
			wantChanged: []post.ContentField{"title"}},
		{name: "a draft the checks would block", from: post.Draft, edit: post.Edit{Fields: retitled(blocks)}, checks: blocks,
			wantTo: post.Draft, wantImage: 40, wantChanged: []post.ContentField{"title"}},
		{name: "in review, checks pass", from: post.InReview, edit: post.Edit{Fields: retitled(clean)}, wantTo: post.InReview,
			wantImage: 40, wantChanged: []post.ContentField{"title"}},
		{name: "in review, checks warn", from: post.InReview, edit: post.Edit{Fields: retitled(warns)}, checks: warns,
			wantTo: post.InReview, wantImage: 40, wantChanged: []post.ContentField{"title"}},
		{name: "in review, checks block", from: post.InReview, edit: post.Edit{Fields: retitled(blocks)}, checks: blocks, wantFindings: true},
		{name: "approved goes back to review", from: post.Approved, edit: post.Edit{Fields: retitled(clean)}, wantTo: post.InReview,
			wantComment: "Edited after approval: back to review.", wantImage: 40, wantChanged: []post.ContentField{"title"}},
		{name: "approved, checks block", from: post.Approved, edit: post.Edit{Fields: retitled(blocks)}, checks: blocks, wantFindings: true},
		{name: "approved, not content", from: post.Approved, edit: post.Edit{Fields: recategorised}, wantTo: post.InReview,
			wantComment: "Edited after approval: back to review.", wantImage: 40},
		{name: "archived", from: post.Archived, edit: post.Edit{Fields: retitled(clean)}, wantConflict: "An archived post cannot be edited."},
		{name: "archived, checks block", from: post.Archived, edit: post.Edit{Fields: retitled(blocks)}, checks: blocks, wantFindings: true},
		{name: "archived, problems in the form", from: post.Archived, edit: post.Edit{Problems: map[string]string{"url": "Add the link."}},
			wantFields: map[string]string{"url": "Add the link."}},
		{name: "a campaign that does not exist", from: post.InReview,
			edit:       post.Edit{Fields: post.Fields{Title: "x", URL: "https://example.com", CampaignID: 99}},
			wantFields: map[string]string{"campaign": "That campaign does not exist any more."}},
		{name: "a campaign that exists", from: post.Draft, edit: post.Edit{Fields: post.Fields{Title: "Launch", URL: "https://example.com/launch",
			Category: post.Product, Language: "en", CampaignID: 99, Suggestions: []post.Suggestion{{Text: "Have a look"}}}}, campaign: true,
			wantTo: post.Draft, wantImage: 40},
		{name: "the image removed", from: post.Draft, edit: post.Edit{Fields: retitled(clean), Image: post.ImageEdit{Remove: true}},
			wantTo: post.Draft, wantImage: 0, wantChanged: []post.ContentField{"title", "image"}},
		{name: "a new image", from: post.InReview, edit: post.Edit{Fields: recategorised, Image: post.ImageEdit{Upload: png}},
			wantTo: post.InReview, wantImage: 40, wantUpload: true, wantChanged: []post.ContentField{"image"}},
		{name: "a new image rather than none", from: post.Draft, edit: post.Edit{Fields: retitled(clean), Image: post.ImageEdit{Upload: png, Remove: true}},
			wantTo: post.Draft, wantImage: 40, wantUpload: true, wantChanged: []post.ContentField{"title", "image"}},
		{name: "the image kept whatever the fields say", from: post.Draft, edit: post.Edit{Fields: post.Fields{Title: "Launch",
			URL: "https://example.com/launch", Category: post.Product, Language: "en", ImageID: 41, Suggestions: []post.Suggestion{{Text: "Have a look"}}}},
			wantTo: post.Draft, wantImage: 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := stored(tt.from)
			repo := &fakeRepo{post: p, exists: true, checks: tt.checks.rules()}
			if tt.campaign {
				repo.campaigns = []int64{99}
			}
			svc := post.NewService(repo, post.Config{Policy: post.DefaultPolicy})
			tt.edit.PostID, tt.edit.ActorID = p.ID, carlos

			_, err := svc.Update(context.Background(), tt.edit)

			switch {
			case tt.wantFields != nil || tt.wantFindings:
				refused, ok := errors.AsType[*post.FormError](err)
				if !ok {
					t.Fatalf("Update: %v, want a *post.FormError", err)
				}
				if !maps.Equal(refused.Fields, tt.wantFields) || check.Blocking(refused.Findings) != tt.wantFindings ||
					!reflect.DeepEqual(refused.Post, p) {
					t.Errorf("refused with %v, findings %+v, post %+v; want %v (blocking findings: %v) and the post as stored",
						refused.Fields, refused.Findings, refused.Post, tt.wantFields, tt.wantFindings)
				}
			case tt.wantConflict != "":
				te, ok := errors.AsType[*post.TransitionError](err)
				if !ok || te.Message != tt.wantConflict {
					t.Fatalf("Update: %v, want a *post.TransitionError %q", err, tt.wantConflict)
				}
			case err != nil:
				t.Fatalf("Update: %v", err)
			}
			if tt.wantTo == "" {
				if repo.revised != nil {
					t.Errorf("a refused edit was written: %+v", repo.revised)
				}
				return
			}
			rev := repo.revised
			if rev == nil {
				t.Fatal("nothing written")
			}
			wantFields := tt.edit.Fields
			wantFields.ImageID = tt.wantImage
			if rev.From != tt.from || rev.To != tt.wantTo || rev.ActorID != carlos || rev.Comment != tt.wantComment ||
				!reflect.DeepEqual(rev.Fields, wantFields) || (rev.Image != nil) != tt.wantUpload || !slices.Equal(rev.Changed, tt.wantChanged) {
				t.Errorf("wrote %+v, want %s → %s, comment %q, image %d (new: %v), changed %v", rev, tt.from, tt.wantTo, tt.wantComment,
					tt.wantImage, tt.wantUpload, tt.wantChanged)
			}
		})
	}
	t.Run("unknown post", func(t *testing.T) {
		svc := post.NewService(&fakeRepo{}, post.Config{Policy: post.DefaultPolicy})
		_, err := svc.Update(context.Background(), post.Edit{PostID: 42, Fields: retitled(clean), ActorID: ana})
		if apperr.KindOf(err) != apperr.NotFound || apperr.MessageOf(err) != "There is no such post." {
			t.Errorf("Update(unknown) = %v, want not found", err)
		}
	})
}

// TestReview: the page of a post offers each viewer the actions the
// workflow would allow them, and approval only while no finding blocks it.
func TestReview(t *testing.T) {
	tests := []struct {
		name     string
		status   post.Status
		viewer   int64
		fourEyes bool
		checks   checks

		wantSubmit, wantReview, wantEdit, wantArchive bool
		wantNoApproval                                string
	}{
		{name: "draft", status: post.Draft, viewer: mei, fourEyes: true, wantSubmit: true, wantEdit: true, wantArchive: true},
		{name: "draft the checks block", status: post.Draft, viewer: mei, fourEyes: true, checks: blocks, wantSubmit: true, wantEdit: true, wantArchive: true},
		{name: "in review, to a reviewer", status: post.InReview, viewer: ana, fourEyes: true, wantReview: true, wantEdit: true, wantArchive: true},
		{name: "in review, checks warn", status: post.InReview, viewer: ana, fourEyes: true, checks: warns, wantReview: true, wantEdit: true, wantArchive: true},
		{name: "in review, checks block", status: post.InReview, viewer: ana, fourEyes: true, checks: blocks, wantEdit: true, wantArchive: true},
		{name: "in review, to its author", status: post.InReview, viewer: mei, fourEyes: true, wantEdit: true, wantArchive: true,
			wantNoApproval: "You wrote this post, so someone else has to approve it (four-eyes rule)."},
		{name: "in review, to an editor", status: post.InReview, viewer: carlos, fourEyes: true, checks: blocks, wantEdit: true, wantArchive: true,
			wantNoApproval: "You changed this post's title since it was last approved, so someone who did not change it has to approve it (four-eyes rule)."},
		{name: "in review, to its author without four-eyes", status: post.InReview, viewer: mei, wantReview: true, wantEdit: true, wantArchive: true},
		{name: "approved", status: post.Approved, viewer: ana, fourEyes: true, wantEdit: true, wantArchive: true},
		{name: "archived", status: post.Archived, viewer: ana, fourEyes: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := inReview(tt.status, tt.checks.title())
			history := []post.Event{{ActorName: "Mei", Label: "created it as a draft"}}
			repo := &fakeRepo{post: p, exists: true, history: history, checks: tt.checks.rules()}
			svc := post.NewService(repo, post.Config{Policy: post.Policy{FourEyes: tt.fourEyes}})
			r, err := svc.Review(context.Background(), p.ID, tt.viewer)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Post, p) || !reflect.DeepEqual(r.History, history) || r.FourEyes != tt.fourEyes ||
				check.Blocking(r.Findings) != (tt.checks == blocks) || (len(r.Findings) > 0) != (tt.checks != clean) {
				t.Errorf("Review = %+v, want the post, its history, the policy and what the checks find", r)
			}
			if r.CanSubmit != tt.wantSubmit || r.CanReview != tt.wantReview || r.CanEdit != tt.wantEdit || r.CanArchive != tt.wantArchive ||
				r.NoApproval != tt.wantNoApproval {
				t.Errorf("offers submit %v, review %v, edit %v, archive %v, no approval %q; want %v %v %v %v %q",
					r.CanSubmit, r.CanReview, r.CanEdit, r.CanArchive, r.NoApproval,
					tt.wantSubmit, tt.wantReview, tt.wantEdit, tt.wantArchive, tt.wantNoApproval)
			}
		})
	}
	t.Run("unknown post", func(t *testing.T) {
		svc := post.NewService(&fakeRepo{}, post.Config{Policy: post.DefaultPolicy})
		if _, err := svc.Review(context.Background(), 42, ana); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("Review(unknown) = %v, want not found", err)
		}
	})
}

// TestForEdit: any post but an archived one opens in the edit form.
func TestForEdit(t *testing.T) {
	for _, st := range []post.Status{post.Draft, post.InReview, post.Approved, post.Archived} {
		t.Run(string(st), func(t *testing.T) {
			p := inReview(st, "Launch")
			svc := post.NewService(&fakeRepo{post: p, exists: true}, post.Config{Policy: post.DefaultPolicy})
			got, err := svc.ForEdit(context.Background(), p.ID)
			if st == post.Archived {
				if _, ok := errors.AsType[*post.TransitionError](err); !ok {
					t.Errorf("ForEdit(archived) = %v, want a *post.TransitionError", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, p) {
				t.Errorf("ForEdit = %+v, %v; want the post", got, err)
			}
		})
	}
}

// TestCheck: the preview's findings are the checks admins saved, run on
// each suggestion as it will be offered (with the hashtags).
func TestCheck(t *testing.T) {
	rules := check.DefaultRules()
	rules.WatchHashtags = []string{"#competitor"}
	repo := &fakeRepo{checks: &rules}
	svc := post.NewService(repo, post.Config{Policy: post.DefaultPolicy})
	findings, err := svc.Check(context.Background(), post.Fields{Title: "Hi", URL: "https://example.com",
		Hashtags: []string{"competitor"}, Suggestions: []post.Suggestion{{Network: "x", Text: strings.Repeat("a", 270)}}})
	if err != nil {
		t.Fatal(err)
	}
	var rulesFound []check.Rule
	for _, f := range findings {
		rulesFound = append(rulesFound, f.Rule)
	}
	slices.Sort(rulesFound)
	rulesFound = slices.Compact(rulesFound)
	// 270 characters fit X alone; with " #competitor" and the link they do not.
	if want := []check.Rule{check.RuleLength, check.RuleWatchHashtag}; !slices.Equal(rulesFound, want) {
		t.Errorf("findings = %+v, want %v", findings, want)
	}
}

func TestContentSettingsProblems(t *testing.T) {
	many := make([]string, post.MaxListEntries+1)
	for i := range many {
		many[i] = fmt.Sprint("term", i)
	}
	tests := []struct {
		name   string
		rules  check.Rules
		fields []string
	}{
		{"the defaults", check.DefaultRules(), nil},
		{"a hashtag disclosure", check.Rules{RequiredDisclosure: "#employee"}, nil},
		{"the most terms", check.Rules{BlockedTerms: many[:post.MaxListEntries], WatchHashtags: many[:post.MaxListEntries]}, nil},
		{"too many terms", check.Rules{BlockedTerms: many}, []string{"blocked_terms"}},
		{"too many hashtags", check.Rules{WatchHashtags: many}, []string{"blocked_terms"}},
		{"a disclosure of two words", check.Rules{RequiredDisclosure: "I work here"}, []string{"disclosure"}},
		{"a disclosure with a tab", check.Rules{RequiredDisclosure: "#a\tb"}, []string{"disclosure"}},
		{"a long disclosure", check.Rules{RequiredDisclosure: strings.Repeat("x", post.MaxDisclosure+1)}, []string{"disclosure"}},
		{"both", check.Rules{BlockedTerms: many, RequiredDisclosure: "a b"}, []string{"blocked_terms", "disclosure"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := post.ContentSettings{Checks: tt.rules}
			if got := slices.Sorted(maps.Keys(cs.Problems())); !slices.Equal(got, tt.fields) {
				t.Errorf("Problems() = %v, want %v", got, tt.fields)
			}
			repo := &fakeRepo{}
			err := post.NewService(repo, post.Config{}).SaveSettings(context.Background(), cs, mei)
			if tt.fields == nil {
				if err != nil || repo.checks == nil {
					t.Errorf("SaveSettings = %v, saved %v; want saved", err, repo.checks)
				}
				return
			}
			if _, ok := errors.AsType[post.SettingsErrors](err); !ok || apperr.KindOf(err) != apperr.Invalid || repo.checks != nil {
				t.Errorf("SaveSettings = %v, saved %v; want invalid SettingsErrors and nothing saved", err, repo.checks)
			}
		})
	}
}
