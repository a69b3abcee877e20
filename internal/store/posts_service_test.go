package store_test

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/check"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// The store's post tests write posts as the portal does: through the post
// service over the store (post.Repository), with a policy before admins
// change it. The helpers take the arguments the store's own methods took
// before the service decided for them.

// postService is the post service over s with policy pol.
func postService(s *store.Store, pol post.Policy) *post.Service {
	return post.NewService(s, post.Config{Policy: pol})
}

// upload is img as the post form sends it, or nil.
func upload(img *store.Image) *post.Upload {
	if img == nil {
		return nil
	}
	return &post.Upload{ContentType: img.ContentType, Data: img.Data, Width: img.Width, Height: img.Height}
}

// createPost stores a draft with fields f by authorID (suggested: an
// employee suggested it) and returns its id.
func createPost(ctx context.Context, s *store.Store, f post.Fields, authorID int64, suggested bool) (int64, error) {
	p, err := postService(s, post.DefaultPolicy).Create(ctx, post.Creation{Fields: f, AuthorID: authorID, Suggested: suggested})
	return p.ID, err
}

// createPostWithImage stores a draft with fields f and the image img by
// authorID and returns its id.
func createPostWithImage(ctx context.Context, s *store.Store, f post.Fields, img *store.Image, authorID int64) (int64, error) {
	p, err := postService(s, post.DefaultPolicy).Create(ctx, post.Creation{Fields: f, Image: upload(img), AuthorID: authorID})
	return p.ID, err
}

// updatePost saves fields f as the edit of post id by actorID, with img as
// its new image unless nil; f.ImageID 0 without img removes the image.
func updatePost(ctx context.Context, s *store.Store, id int64, f post.Fields, img *store.Image, actorID int64) (post.Post, error) {
	return postService(s, post.DefaultPolicy).Update(ctx, post.Edit{PostID: id, Fields: f, ActorID: actorID,
		Image: post.ImageEdit{Upload: upload(img), Remove: f.ImageID == 0}})
}

// transitionPost takes action a on post id as actorID under policy pol.
func transitionPost(ctx context.Context, s *store.Store, id int64, a post.Action, actorID int64, comment string, pol post.Policy) (post.Post, error) {
	return postService(s, pol).Transition(ctx, post.Step{PostID: id, Action: a, ActorID: actorID, Comment: comment})
}

// TestCreateAndSubmit: writing a post and sending it for review at once
// is one transaction. Accepted, the post is in review, its creation and its
// submission in its history at the same moment. Refused by a blocking
// check, nothing of it is stored, not even as a draft: no post, no image,
// no history, no editor; the form comes back with what the author typed,
// as it always has, and saving it as a draft stores it. And when a write
// fails after the post was inserted, the post and its image go with it.
func TestCreateAndSubmit(t *testing.T) {
	ctx := context.Background()
	png := store.Image{ContentType: "image/png", Data: []byte("\x89PNG fake"), Width: 1, Height: 1}
	fields := post.Fields{Title: "Launch", URL: "https://example.com/launch", Category: post.Product, Language: "en",
		Suggestions: []post.Suggestion{{Text: "An insider tip for you"}}}
	counts := func(t *testing.T, db *sql.DB) map[string]int {
		t.Helper()
		out := map[string]int{}
		for _, table := range []string{"posts", "images", "post_events", "post_content_edits"} {
			out[table] = countRows(t, db, table)
		}
		return out
	}
	nothing := map[string]int{"posts": 0, "images": 0, "post_events": 0, "post_content_edits": 0}

	t.Run("accepted", func(t *testing.T) {
		c := newClock()
		s := mustOpenStore(t, store.WithClock(c.Now))
		mei := mustSignInNamed(t, s, "Mei", "mei@example.com", account.Comms)
		c.Advance(time.Minute)
		p, err := postService(s, post.DefaultPolicy).Create(ctx, post.Creation{Fields: fields, Image: upload(&png), AuthorID: mei.ID, Submit: true})
		if err != nil {
			t.Fatal(err)
		}
		if stored := mustPost(t, s, p.ID); !reflect.DeepEqual(p, stored) || p.Status != post.InReview || p.ImageID == 0 {
			t.Errorf("Create returned %+v, the store has %+v; want it in review with its image", p, stored)
		}
		assertHistory(t, mustHistory(t, s, p.ID), []post.Event{
			{ActorName: "Mei", Label: "created it as a draft", From: post.Draft, To: post.Draft, At: c.Now()},
			{ActorName: "Mei", From: post.Draft, To: post.InReview, At: c.Now()},
		})
		if got := editorsText(p); got != "Mei: title, link, image and suggested commentary" {
			t.Errorf("editors = %q", got)
		}
		if rows := auditRecordsOf(t, s, "post.submit"); len(rows) != 0 {
			t.Errorf("the submission was audited: %+v", rows)
		}
	})
	t.Run("refused by a blocking check", func(t *testing.T) {
		s, db := mustOpenStoreAndDB(t)
		mei := mustSignInNamed(t, s, "Mei", "mei@example.com", account.Comms)
		admin := mustSignInNamed(t, s, "Ada", "ada@example.com", account.Admin)
		rules := check.DefaultRules()
		rules.BlockedTerms = []string{"insider tip"}
		if err := s.SetSetting(ctx, store.SettingCheckRules, rules, admin.ID); err != nil {
			t.Fatal(err)
		}
		svc := postService(s, post.DefaultPolicy)
		_, err := svc.Create(ctx, post.Creation{Fields: fields, Image: upload(&png), AuthorID: mei.ID, Submit: true})
		refused, ok := errors.AsType[*post.FormError](err)
		if !ok || !check.Blocking(refused.Findings) || refused.Findings[0].Rule != check.RuleBlockedTerm {
			t.Fatalf("Create = %v, want a *post.FormError with the blocked term", err)
		}
		if got := counts(t, db); !maps.Equal(got, nothing) {
			t.Errorf("a refused submission stored %v, want nothing", got)
		}
		p, err := svc.Create(ctx, post.Creation{Fields: fields, Image: upload(&png), AuthorID: mei.ID})
		if err != nil || p.Status != post.Draft {
			t.Fatalf("saved as a draft: %+v, %v; want a draft", p, err)
		}
	})
	t.Run("a failed write takes the post and its image with it", func(t *testing.T) {
		s, db := mustOpenStoreAndDB(t)
		mei := mustSignInNamed(t, s, "Mei", "mei@example.com", account.Comms)
		// A submission by someone who does not exist fails on its history
		// entry, after the image and the post were inserted.
		_, err := s.CreatePost(ctx, post.Query{}, func(post.State) (post.NewPost, error) {
			return post.NewPost{Fields: fields, Image: upload(&png), AuthorID: mei.ID, Written: post.CreatedContent(fields),
				Submit: &post.Change{Action: post.Submit, From: post.Draft, To: post.InReview, ActorID: 4242}}, nil
		})
		if err == nil {
			t.Fatal("CreatePost with a submission by nobody: no error")
		}
		if got := counts(t, db); !maps.Equal(got, nothing) {
			t.Errorf("a failed create-and-submit left %v, want nothing", got)
		}
	})
}

// editWhileDeciding is a post.Repository that, while the service decides
// on a step, runs edit from another goroutine and waits a moment for it to
// commit.
type editWhileDeciding struct {
	*store.Store
	edit      func() error
	edited    chan error // edit's result
	committed bool       // the edit committed while the service was deciding
}

func (r *editWhileDeciding) TransitionPost(ctx context.Context, q post.Query, decide func(post.State) (post.Change, error)) (post.Post, error) {
	return r.Store.TransitionPost(ctx, q, func(st post.State) (post.Change, error) {
		go func() { r.edited <- r.edit() }()
		select {
		case err := <-r.edited:
			r.committed = true
			r.edited <- err // for the test to read
		case <-time.After(200 * time.Millisecond):
		}
		return decide(st)
	})
}

// TestTransitionOneTransaction: the post an approval decides on is held
// from the read to the write, so an edit cannot commit in between. If the
// post were read before the transaction that approves it, Carlos could
// change its title while his approval is decided, and approve a post he
// changed: the four-eyes rule would be bypassed.
func TestTransitionOneTransaction(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	pp := mustFourEyesPeople(t, s)
	id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
	if _, err := transitionPost(ctx, s, id, post.Submit, pp.mei.ID, "", post.DefaultPolicy); err != nil {
		t.Fatal(err)
	}
	f := mustPost(t, s, id).AsFields()
	f.Title = "Written by Carlos"
	repo := &editWhileDeciding{Store: s, edited: make(chan error, 1), edit: func() error {
		_, err := postService(s, post.DefaultPolicy).Update(ctx, post.Edit{PostID: id, Fields: f, ActorID: pp.carlos.ID})
		return err
	}}
	svc := post.NewService(repo, post.Config{Policy: post.DefaultPolicy})

	p, err := svc.Transition(ctx, post.Step{PostID: id, Action: post.Approve, ActorID: pp.carlos.ID})
	if repo.committed {
		t.Fatal("an edit committed while the approval was decided")
	}
	if err != nil || p.Status != post.Approved || p.Title != "Launch" {
		t.Fatalf("Transition = %+v, %v; want Mei's post approved by Carlos, who had not changed it", p, err)
	}
	if err := <-repo.edited; err != nil {
		t.Fatalf("Carlos's edit after the approval: %v", err)
	}
	after := mustPost(t, s, id)
	if after.Status != post.InReview || after.ApproverID != 0 || after.Title != "Written by Carlos" || editorsText(after) != "Carlos: title" {
		t.Errorf("after the edit = %s approved by %d, %q, editors %q; want back in review, Carlos the editor of the new cycle",
			after.Status, after.ApproverID, after.Title, editorsText(after))
	}
	if _, err := transitionPost(ctx, s, id, post.Approve, pp.carlos.ID, "", post.DefaultPolicy); !errors.As(err, new(*post.TransitionError)) {
		t.Errorf("Carlos approving his own edit: %v, want a *post.TransitionError", err)
	}
}

// TestPostSettings: the workflow's settings are what admins saved over the
// defaults the service gives: four-eyes as saved, or as the service was
// built when never saved; saved check rules decoded over the default ones,
// so a field the saved value does not name (a rule saved before the field
// existed) keeps its default. A decision reads them in its transaction,
// and an error it returns is returned as it is, with nothing written.
func TestPostSettings(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	admin := mustSignInNamed(t, s, "Ada", "ada@example.com", account.Admin)
	id := mustCreatePost(t, s, admin.ID, "Launch", "")
	defaults := post.Settings{Policy: post.DefaultPolicy, Checks: check.DefaultRules()}
	inDecision := func(t *testing.T) post.Settings {
		t.Helper()
		var got post.Settings
		errStop := errors.New("stop")
		_, err := s.TransitionPost(ctx, post.Query{PostID: id, Defaults: defaults}, func(st post.State) (post.Change, error) {
			got = st.Settings
			return post.Change{}, errStop
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("TransitionPost = %v, want the decision's error", err)
		}
		return got
	}

	t.Run("never saved", func(t *testing.T) {
		got, err := s.PostSettings(ctx, defaults)
		if err != nil || !reflect.DeepEqual(got, defaults) || !reflect.DeepEqual(inDecision(t), defaults) {
			t.Errorf("PostSettings = %+v, %v; want the defaults %+v", got, err, defaults)
		}
	})
	t.Run("saved", func(t *testing.T) {
		if err := s.SetSetting(ctx, store.SettingFourEyes, false, admin.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(ctx, store.SettingCheckRules, map[string]any{"BlockedTerms": []string{"insider tip"}, "BlockedSeverity": "warn"},
			admin.ID); err != nil {
			t.Fatal(err)
		}
		want := defaults
		want.Policy.FourEyes = false
		want.Checks.BlockedTerms, want.Checks.BlockedSeverity = []string{"insider tip"}, check.Warn
		got, err := s.PostSettings(ctx, defaults)
		if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(inDecision(t), want) {
			t.Errorf("PostSettings = %+v, %v; want %+v", got, err, want)
		}
		if p := mustPost(t, s, id); p.Status != post.Draft || len(mustHistory(t, s, id)) != 1 {
			t.Errorf("a refused decision wrote: %+v", p)
		}
	})
}
