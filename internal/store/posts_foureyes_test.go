package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// fourEyesPeople are the people of the four-eyes matrix: Mei writes posts,
// Carlos and Ana review them, Sam is an employee who suggests links.
type fourEyesPeople struct {
	mei, carlos, ana, sam account.User
}

func mustFourEyesPeople(t *testing.T, s *store.Store) fourEyesPeople {
	t.Helper()
	return fourEyesPeople{
		mei:    mustSignInNamed(t, s, "Mei", "mei@example.com", account.Comms),
		carlos: mustSignInNamed(t, s, "Carlos", "carlos@example.com", account.Comms),
		ana:    mustSignInNamed(t, s, "Ana", "ana@example.com", account.Comms),
		sam:    mustSignInNamed(t, s, "Sam", "sam@example.com"),
	}
}

// mustEdit saves p's stored fields with change applied, as by.
func mustEdit(t *testing.T, s *store.Store, id int64, by account.User, change func(*post.Fields)) post.Post {
	t.Helper()
	f := mustPost(t, s, id).AsFields()
	change(&f)
	p, err := updatePost(context.Background(), s, id, f, nil, by.ID)
	if err != nil {
		t.Fatalf("edit post %d as %s: %v", id, by.Name, err)
	}
	return p
}

func mustTransition(t *testing.T, s *store.Store, id int64, a post.Action, by account.User, pol post.Policy) post.Post {
	t.Helper()
	p, err := transitionPost(context.Background(), s, id, a, by.ID, "Please fix the title.", pol)
	if err != nil {
		t.Fatalf("%s post %d as %s: %v", a, id, by.Name, err)
	}
	return p
}

func editorsText(p post.Post) string {
	var out []string
	for _, e := range p.Editors {
		out = append(out, e.Name+": "+e.FieldText())
	}
	return strings.Join(out, "; ")
}

func newTitleAndLink(f *post.Fields) {
	f.Title, f.URL = "Written by Carlos", "https://evil.example/carlos"
}

// TestFourEyesThroughTheStore runs the four-eyes matrix through the store:
// edits record their editors in the approval cycle they fall in, an
// approval closes the cycle, and TransitionPost judges the approver against
// the editors it reads in its own transaction.
func TestFourEyesThroughTheStore(t *testing.T) {
	on, off := post.DefaultPolicy, post.Policy{FourEyes: false}
	tests := []struct {
		name        string
		steps       func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 // returns the post, in review
		approver    func(pp fourEyesPeople) account.User
		policy      post.Policy
		wantEditors string // as editorsText reads the post in review
		wantErr     string // part of the refusal; "" when approved
	}{
		{
			name: "author approves own post",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
				mustTransition(t, s, id, post.Submit, pp.mei, on)
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.mei },
			policy:      on,
			wantEditors: "Mei: title, link and suggested commentary",
			wantErr:     "You wrote this post",
		},
		{
			name: "editor in review approves: the bypass",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
				mustTransition(t, s, id, post.Submit, pp.mei, on)
				if p := mustEdit(t, s, id, pp.carlos, newTitleAndLink); p.Status != post.InReview {
					t.Fatalf("edited post is %s, want still in review", p.Status)
				}
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.carlos },
			policy:      on,
			wantEditors: "Mei: title, link and suggested commentary; Carlos: title and link",
			wantErr:     "You changed this post's title and link since it was last approved",
		},
		{
			name: "untouched second reviewer approves an edited post",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
				mustTransition(t, s, id, post.Submit, pp.mei, on)
				mustEdit(t, s, id, pp.carlos, newTitleAndLink)
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.ana },
			policy:      on,
			wantEditors: "Mei: title, link and suggested commentary; Carlos: title and link",
		},
		{
			name: "author edits after it was sent back, a reviewer approves",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
				mustTransition(t, s, id, post.Submit, pp.mei, on)
				mustTransition(t, s, id, post.Return, pp.carlos, on)
				mustEdit(t, s, id, pp.mei, func(f *post.Fields) { f.Title = "Launch, fixed" })
				mustTransition(t, s, id, post.Submit, pp.mei, on)
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.carlos },
			policy:      on,
			wantEditors: "Mei: title, link and suggested commentary",
		},
		{
			name: "reviewer who edited before sending it back still may not approve",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
				mustTransition(t, s, id, post.Submit, pp.mei, on)
				mustEdit(t, s, id, pp.carlos, func(f *post.Fields) { f.Hashtags = []string{"carlos"} })
				mustTransition(t, s, id, post.Return, pp.carlos, on)
				mustEdit(t, s, id, pp.mei, func(f *post.Fields) { f.Title = "Launch, fixed" })
				mustTransition(t, s, id, post.Submit, pp.mei, on)
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.carlos },
			policy:      on,
			wantEditors: "Mei: title, link and suggested commentary; Carlos: hashtags",
			wantErr:     "You changed this post's hashtags",
		},
		{
			name: "editor of an earlier approved cycle approves a change he took no part in",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
				mustTransition(t, s, id, post.Submit, pp.mei, on)
				mustEdit(t, s, id, pp.carlos, newTitleAndLink)
				mustTransition(t, s, id, post.Approve, pp.ana, on)
				if p := mustEdit(t, s, id, pp.mei, func(f *post.Fields) { f.Hashtags = []string{"launch"} }); p.Status != post.InReview {
					t.Fatalf("approved post edited is %s, want back in review", p.Status)
				}
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.carlos },
			policy:      on,
			wantEditors: "Mei: hashtags",
		},
		{
			name: "editor of an earlier cycle who edits again may not approve",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
				mustTransition(t, s, id, post.Submit, pp.mei, on)
				mustEdit(t, s, id, pp.carlos, newTitleAndLink)
				mustTransition(t, s, id, post.Approve, pp.ana, on)
				mustEdit(t, s, id, pp.carlos, func(f *post.Fields) {
					f.Suggestions = []post.Suggestion{{Network: "x", Text: "Carlos again"}}
				})
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.carlos },
			policy:      on,
			wantEditors: "Carlos: suggested commentary",
			wantErr:     "You changed this post's suggested commentary",
		},
		{
			name: "a reviewer who changed only the schedule and groups approves",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
				sales := mustTeam(t, s, "Sales")
				mustTransition(t, s, id, post.Submit, pp.mei, on)
				mustEdit(t, s, id, pp.carlos, func(f *post.Fields) {
					f.PublishAt, f.GroupIDs, f.Category = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), []int64{sales}, post.Culture
				})
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.carlos },
			policy:      on,
			wantEditors: "Mei: title, link and suggested commentary",
		},
		{
			name: "suggester approves their suggestion",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustSuggest(t, s, pp.sam)
				mustTransition(t, s, id, post.Submit, pp.carlos, on)
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.sam },
			policy:      on,
			wantEditors: "Sam: title and link",
			wantErr:     "You suggested this link",
		},
		{
			name: "comms who rewrote a suggestion approves it",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustSuggest(t, s, pp.sam)
				mustEdit(t, s, id, pp.carlos, func(f *post.Fields) {
					f.Title, f.Suggestions = "Carlos's title", []post.Suggestion{{Text: "Carlos's words"}}
				})
				mustTransition(t, s, id, post.Submit, pp.carlos, on)
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.carlos },
			policy:      on,
			wantEditors: "Sam: title and link; Carlos: title and suggested commentary",
			wantErr:     "You changed this post's title and suggested commentary",
		},
		{
			name: "other comms approves a rewritten suggestion",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustSuggest(t, s, pp.sam)
				mustEdit(t, s, id, pp.carlos, func(f *post.Fields) {
					f.Title, f.Suggestions = "Carlos's title", []post.Suggestion{{Text: "Carlos's words"}}
				})
				mustTransition(t, s, id, post.Submit, pp.carlos, on)
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.ana },
			policy:      on,
			wantEditors: "Sam: title and link; Carlos: title and suggested commentary",
		},
		{
			name: "four-eyes off: the editor approves",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
				mustTransition(t, s, id, post.Submit, pp.mei, off)
				mustEdit(t, s, id, pp.carlos, newTitleAndLink)
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.carlos },
			policy:      off,
			wantEditors: "Mei: title, link and suggested commentary; Carlos: title and link",
		},
		{
			name: "four-eyes off: the author approves",
			steps: func(t *testing.T, s *store.Store, pp fourEyesPeople) int64 {
				id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
				mustTransition(t, s, id, post.Submit, pp.mei, off)
				return id
			},
			approver:    func(pp fourEyesPeople) account.User { return pp.mei },
			policy:      off,
			wantEditors: "Mei: title, link and suggested commentary",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			s := mustOpenStore(t, store.WithClock(c.Now))
			pp := mustFourEyesPeople(t, s)
			id := tt.steps(t, s, pp)
			before := mustPost(t, s, id)
			if before.Status != post.InReview {
				t.Fatalf("post is %s before the approval, want in review", before.Status)
			}
			if got := editorsText(before); got != tt.wantEditors {
				t.Errorf("editors = %q, want %q", got, tt.wantEditors)
			}
			approver := tt.approver(pp)
			c.Advance(time.Minute)
			p, err := transitionPost(ctx, s, id, post.Approve, approver.ID, "", tt.policy)
			if tt.wantErr == "" {
				if err != nil || p.Status != post.Approved || p.ApproverID != approver.ID {
					t.Fatalf("approve as %s = %s by %d, %v; want approved", approver.Name, p.Status, p.ApproverID, err)
				}
				if len(p.Editors) != 0 {
					t.Errorf("editors after the approval = %q, want none: the approval closes the cycle", editorsText(p))
				}
				return
			}
			if !isTransitionError(err) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("approve as %s: %v; want refused saying %q", approver.Name, err, tt.wantErr)
			}
			if after := mustPost(t, s, id); !reflect.DeepEqual(after, before) {
				t.Errorf("refused approval changed the post:\n got %+v\nwant %+v", after, before)
			}
		})
	}
}

// mustSuggest stores a link suggested by an employee, as /suggest does.
func mustSuggest(t *testing.T, s *store.Store, by account.User) int64 {
	t.Helper()
	id, err := createPost(context.Background(), s, post.Fields{Title: "Worth a read", URL: "https://example.com/read",
		Category: post.IndustryInsight, Language: "en", Note: "Saw it today"}, by.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestMigrationRecordsEarlierEditors opens a database made before 0015,
// with edits in its posts' history, and checks that whoever edited a post
// since its last approval is its editor after the upgrade.
func TestMigrationRecordsEarlierEditors(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	mustExec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`)
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	for _, f := range files {
		if filepath.Base(f) >= "0015" {
			break
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mustExec(string(body))
		mustExec(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, '2026-01-01T00:00:00.000Z')`, strings.ReplaceAll(f, `\`, "/"))
	}
	const at = "2026-11-01T00:00:00.000Z"
	mustExec(`INSERT INTO users (id, email, name, created_at) VALUES (1, 'mei@example.com', 'Mei', ?),
		(2, 'carlos@example.com', 'Carlos', ?), (3, 'ana@example.com', 'Ana', ?)`, at, at, at)
	// Post 1: Mei's, in review, edited there by Carlos (the bypass).
	// Post 2: Mei's, edited by Carlos, approved by Ana, then edited by Mei:
	// back in review, Carlos's edit is of the approved cycle.
	mustExec(`INSERT INTO posts (id, title, url, category, slug, status, author_id, created_at, updated_at) VALUES
		(1, 'One', 'https://example.com/1', 'culture', 'one', 'in_review', 1, ?, ?),
		(2, 'Two', 'https://example.com/2', 'culture', 'two', 'in_review', 1, ?, ?)`, at, at, at, at)
	mustExec(`INSERT INTO post_events (post_id, actor_id, from_status, to_status, comment, created_at) VALUES
		(1, 1, 'draft', 'in_review', '', ?),
		(1, 2, 'in_review', 'in_review', 'edit: ', ?),
		(2, 1, 'draft', 'in_review', '', ?),
		(2, 2, 'in_review', 'in_review', 'edit: ', ?),
		(2, 3, 'in_review', 'approved', '', ?),
		(2, 1, 'approved', 'in_review', 'edit: Edited after approval: back to review.', ?)`, at, at, at, at, at, at)
	db.Close()

	s := mustOpenStoreAt(t, path)
	tests := []struct {
		id          int64
		wantEditors string
		carlos      bool // may Carlos approve
	}{
		{1, "Mei: title, link, image, suggested commentary and hashtags; Carlos: title, link, image, suggested commentary and hashtags", false},
		{2, "Mei: title, link, image, suggested commentary and hashtags", true},
	}
	for _, tt := range tests {
		p := mustPost(t, s, tt.id)
		if got := editorsText(p); got != tt.wantEditors {
			t.Errorf("post %d editors = %q, want %q", tt.id, got, tt.wantEditors)
		}
		_, err := transitionPost(ctx, s, tt.id, post.Approve, 2, "", post.DefaultPolicy)
		if (err == nil) != tt.carlos || (err != nil && !isTransitionError(err)) {
			t.Errorf("Carlos approves post %d: %v; want allowed %v", tt.id, err, tt.carlos)
		}
	}
}
