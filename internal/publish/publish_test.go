package publish_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/publish"
	"github.com/advocacy-portal/portal/internal/store"
)

// fixture is a store on a temp database with an author and an approver.
type fixture struct {
	clock            *clocktest.Clock
	store            *store.Store
	author, approver account.User
	logs             *bytes.Buffer
	announced        [][]int64 // post ids per OnLive call
	onLiveErr        error
	job              *publish.Job
	mu               sync.Mutex
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{clock: clocktest.New(time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)), logs: &bytes.Buffer{}}
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "portal.db"), store.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f.store = s
	for i, u := range []*account.User{&f.author, &f.approver} {
		if *u, err = s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "oidc:" + string(rune('a'+i)), Email: string(rune('a'+i)) + "@example.com",
			Name: "Person " + string(rune('A'+i)), Roles: []account.Role{account.Comms}}); err != nil {
			t.Fatal(err)
		}
	}
	f.job = &publish.Job{Store: s, Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
		OnLive: func(_ context.Context, posts []post.Post) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			var ids []int64
			for _, p := range posts {
				if !p.WentLiveAt.Equal(f.clock.Now()) {
					t.Errorf("OnLive got post %d with WentLiveAt %v, want %v", p.ID, p.WentLiveAt, f.clock.Now())
				}
				ids = append(ids, p.ID)
			}
			f.announced = append(f.announced, ids)
			return f.onLiveErr
		}}
	return f
}

// approved creates a post and has it approved, with the given publish and
// expiry times (zero: none).
func (f *fixture) approved(t *testing.T, title string, publishAt, expiresAt time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	svc := post.NewService(f.store, post.Config{Policy: post.DefaultPolicy})
	created, err := svc.Create(ctx, post.Creation{Fields: post.Fields{Title: title, URL: "https://example.com/" + post.Slugify(title),
		Category: post.CompanyNews, Language: "en", PublishAt: publishAt, ExpiresAt: expiresAt}, AuthorID: f.author.ID})
	if err != nil {
		t.Fatal(err)
	}
	id := created.ID
	if _, err := svc.Transition(ctx, post.Step{PostID: id, Action: post.Submit, ActorID: f.author.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transition(ctx, post.Step{PostID: id, Action: post.Approve, ActorID: f.approver.ID}); err != nil {
		t.Fatal(err)
	}
	return id
}

func labels(t *testing.T, s *store.Store, id int64) []string {
	t.Helper()
	h, err := s.PostHistory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range h {
		if e.Label != "" {
			out = append(out, e.Label)
		}
	}
	return out
}

func TestRunOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	start := f.clock.Now()
	hour := time.Hour
	scheduled := f.approved(t, "Scheduled", start.Add(hour), start.Add(3*hour))
	later := f.approved(t, "Later", start.Add(2*hour), time.Time{})

	steps := []struct {
		name          string
		advance       time.Duration
		wantPublished int
		wantExpired   int
		wantAnnounced [][]int64 // every OnLive call so far
		wantLive      []int64
	}{
		{"before the publish time nothing happens", 0, 0, 0, nil, nil},
		{"a minute before, still nothing", hour - time.Minute, 0, 0, nil, nil},
		{"at the publish time it goes live and is announced", time.Minute, 1, 0, [][]int64{{scheduled}}, []int64{scheduled}},
		{"the next run does not announce it again", time.Minute, 0, 0, [][]int64{{scheduled}}, []int64{scheduled}},
		{"the second post", hour, 1, 0, [][]int64{{scheduled}, {later}}, []int64{later, scheduled}},
		{"the expiry is recorded", hour, 0, 1, [][]int64{{scheduled}, {later}}, []int64{later}},
		{"and only once", hour, 0, 0, [][]int64{{scheduled}, {later}}, []int64{later}},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			f.clock.Advance(st.advance)
			published, expired, err := f.job.RunOnce(ctx)
			if err != nil {
				t.Fatalf("RunOnce: %v", err)
			}
			if published != st.wantPublished || expired != st.wantExpired {
				t.Errorf("RunOnce = %d published, %d expired; want %d, %d", published, expired, st.wantPublished, st.wantExpired)
			}
			if !slices.EqualFunc(f.announced, st.wantAnnounced, slices.Equal) {
				t.Errorf("OnLive calls = %v, want %v", f.announced, st.wantAnnounced)
			}
			live, err := f.store.Posts(ctx, post.Filter{LiveAt: f.clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, p := range live {
				ids = append(ids, p.ID)
			}
			if !slices.Equal(ids, st.wantLive) {
				t.Errorf("live posts = %v, want %v", ids, st.wantLive)
			}
		})
	}
	if got, want := labels(t, f.store, scheduled), []string{"created it as a draft", "Went live", "Expired"}; !slices.Equal(got, want) {
		t.Errorf("history of the scheduled post = %q, want %q", got, want)
	}
}

func TestRunOnceApprovedWithoutPublishTime(t *testing.T) {
	f := newFixture(t)
	id := f.approved(t, "Now", time.Time{}, time.Time{})
	if n, _, err := f.job.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1 published", n, err)
	}
	if len(f.announced) != 1 || !slices.Equal(f.announced[0], []int64{id}) {
		t.Errorf("OnLive calls = %v, want [[%d]]", f.announced, id)
	}
}

func TestRunOnceOnLiveErrorKeepsPostsLive(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.onLiveErr = errors.New("slack is down")
	a := f.approved(t, "A", time.Time{}, time.Time{})
	b := f.approved(t, "B", time.Time{}, time.Time{})

	published, _, err := f.job.RunOnce(ctx)
	if err != nil || published != 2 {
		t.Fatalf("RunOnce = %d, %v; want 2 published and no error", published, err)
	}
	if !strings.Contains(f.logs.String(), "slack is down") || !strings.Contains(f.logs.String(), "level=ERROR") {
		t.Errorf("log = %q, want the OnLive error logged", f.logs.String())
	}
	live, err := f.store.Posts(ctx, post.Filter{LiveAt: f.clock.Now()})
	if err != nil || len(live) != 2 {
		t.Errorf("live posts = %v, %v; want both posts", live, err)
	}
	if len(f.announced) != 1 || !slices.Equal(f.announced[0], []int64{a, b}) && !slices.Equal(f.announced[0], []int64{b, a}) {
		t.Errorf("OnLive calls = %v, want one with both posts", f.announced)
	}
	f.onLiveErr = nil
	if n, _, err := f.job.RunOnce(ctx); err != nil || n != 0 || len(f.announced) != 1 {
		t.Errorf("after a failed announcement, the next run published %d and announced %v, %v; want nothing again", n, f.announced, err)
	}
}

func TestRunOnceWithoutOnLive(t *testing.T) {
	f := newFixture(t)
	f.job.OnLive = nil
	f.approved(t, "Quiet", time.Time{}, time.Time{})
	if n, _, err := f.job.RunOnce(context.Background()); err != nil || n != 1 {
		t.Errorf("RunOnce without OnLive = %d, %v; want 1 published", n, err)
	}
}

func TestRunWakes(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.job.Run(ctx, time.Hour) // only the first pass and wakes
	}()
	waitFor := func(n int) bool {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			f.mu.Lock()
			got := len(f.announced)
			f.mu.Unlock()
			if got >= n {
				return true
			}
			time.Sleep(5 * time.Millisecond)
		}
		return false
	}
	time.Sleep(20 * time.Millisecond) // let the first pass run on an empty database
	f.approved(t, "Woken", time.Time{}, time.Time{})
	f.job.Wake()
	f.job.Wake() // never blocks
	if !waitFor(1) {
		t.Errorf("Wake did not publish the approved post")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when its context was cancelled")
	}
}

// runStep runs f, the next step of a sequence, on t itself rather than as a
// subtest: each step works on what the steps before it left, so no step
// may be run alone with -run. The step's name is logged first, so that a
// failure says which step it came from.
func runStep(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	t.Logf("step: %s", name)
	f(t)
}
