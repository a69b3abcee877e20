package source_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/source"
)

var errNotFound = apperr.Sentinel(apperr.NotFound, "not found", "We could not find what you asked for.")

// fakeRepo keeps sources and items in memory, as the store would.
type fakeRepo struct {
	sources []source.Source
	items   []source.Item
	tokens  map[int64]string
	created map[int64]time.Time
	failAdd error // returned by AddSource instead of adding
	limits  []int // what NewSourceItems was asked for
}

func (r *fakeRepo) Sources(context.Context) ([]source.Source, error) { return r.sources, nil }

func (r *fakeRepo) NewSourceItems(_ context.Context, limit int) ([]source.Item, error) {
	r.limits = append(r.limits, limit)
	var out []source.Item
	for _, it := range r.items {
		if it.Status == source.ItemNew && (limit == 0 || len(out) < limit) {
			out = append(out, it)
		}
	}
	return out, nil
}

func (r *fakeRepo) FeedTokenCreated(_ context.Context, userID int64) (time.Time, error) {
	return r.created[userID], nil
}

func (r *fakeRepo) AddSource(_ context.Context, name, url string, _ int64) (int64, error) {
	if r.failAdd != nil {
		return 0, r.failAdd
	}
	for _, src := range r.sources {
		if src.URL == url {
			return 0, fmt.Errorf("fake: source %q: %w", url, source.ErrExists)
		}
	}
	id := int64(len(r.sources) + 1)
	r.sources = append(r.sources, source.Source{ID: id, Name: name, URL: url})
	return id, nil
}

func (r *fakeRepo) DeleteSource(context.Context, int64, int64) error { return nil }

func (r *fakeRepo) DismissSourceItem(_ context.Context, id int64) error {
	for i := range r.items {
		if r.items[i].ID != id {
			continue
		}
		if r.items[i].Status != source.ItemNew {
			return fmt.Errorf("fake: item %d: %w", id, source.ErrItemHandled)
		}
		r.items[i].Status = source.ItemDismissed
		return nil
	}
	return fmt.Errorf("fake: item %d: %w", id, errNotFound)
}

func (r *fakeRepo) SetFeedToken(_ context.Context, userID int64, hash string) error {
	r.tokens[userID] = hash
	return nil
}

// wakes counts the poller's wake-ups.
type wakes int

func (w *wakes) Wake() { *w++ }

func TestNewSourceProblems(t *testing.T) {
	tests := []struct {
		name string
		in   source.NewSource
		want map[string]string
	}{
		{"a feed", source.NewSource{Name: "News", URL: "https://news.example/feed"}, nil},
		{"spaces around", source.NewSource{Name: "  News ", URL: " http://news.example/feed "}, nil},
		{"a name of 100 characters", source.NewSource{Name: strings.Repeat("ß", 100), URL: "https://news.example/feed"}, nil},
		{"nothing", source.NewSource{Name: " "}, map[string]string{"name": "Give the source a name.", "url": "Add the feed's address."}},
		{"a name too long", source.NewSource{Name: strings.Repeat("ß", 101), URL: "https://news.example/feed"},
			map[string]string{"name": "Keep the name to 100 characters or fewer."}},
		{"not a web address", source.NewSource{Name: "News", URL: "news.example/feed"},
			map[string]string{"url": "Use a full web address starting with https:// (or http://)."}},
		{"another scheme", source.NewSource{Name: "News", URL: "file:///etc/passwd"},
			map[string]string{"url": "Use a full web address starting with https:// (or http://)."}},
		{"an address too long", source.NewSource{Name: "News", URL: "https://news.example/" + strings.Repeat("a", source.MaxLink)},
			map[string]string{"url": "That address is too long."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Problems(); !maps.Equal(got, tt.want) {
				t.Errorf("Problems = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAdd(t *testing.T) {
	boom := errors.New("disk full")
	tests := []struct {
		name      string
		in        source.NewSource
		failAdd   error
		wantErrs  map[string]string // a *FormError's fields
		wantErr   error
		wantWakes int
	}{
		{name: "a new feed, trimmed", in: source.NewSource{Name: " Chips ", URL: " https://chips.example/feed "}, wantWakes: 1},
		{name: "a feed followed already", in: source.NewSource{Name: "Again", URL: "https://news.example/feed"},
			wantErrs: map[string]string{"url": "This feed is already a source."}},
		{name: "a form with problems", in: source.NewSource{URL: "https://chips.example/feed"},
			wantErrs: map[string]string{"name": "Give the source a name."}},
		{name: "storage fails", in: source.NewSource{Name: "Chips", URL: "https://chips.example/feed"}, failAdd: boom, wantErr: boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeRepo{sources: []source.Source{{ID: 1, Name: "News", URL: "https://news.example/feed"}}, failAdd: tt.failAdd}
			var w wakes
			svc := source.NewService(repo, source.Config{Poller: &w})
			id, err := svc.Add(context.Background(), tt.in, 7)
			switch {
			case tt.wantErrs != nil:
				refused, ok := errors.AsType[*source.FormError](err)
				if !ok || apperr.KindOf(err) != apperr.Invalid || !maps.Equal(refused.Fields, tt.wantErrs) {
					t.Errorf("Add = %d, %v; want a *source.FormError with %v", id, err, tt.wantErrs)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Add = %d, %v; want %v", id, err, tt.wantErr)
				}
			default:
				if err != nil || id != 2 || repo.sources[1].Name != "Chips" || repo.sources[1].URL != "https://chips.example/feed" {
					t.Errorf("Add = %d, %v; sources %+v", id, err, repo.sources)
				}
			}
			if int(w) != tt.wantWakes {
				t.Errorf("the poller was woken %d times, want %d", w, tt.wantWakes)
			}
			if tt.wantWakes == 0 && len(repo.sources) != 1 {
				t.Errorf("sources after a refusal: %+v", repo.sources)
			}
		})
	}
	// Without a poller, adding works all the same.
	if _, err := source.NewService(&fakeRepo{}, source.Config{}).Add(context.Background(),
		source.NewSource{Name: "News", URL: "https://news.example/feed"}, 7); err != nil {
		t.Errorf("Add without a poller: %v", err)
	}
}

func TestOverviewQueueDismiss(t *testing.T) {
	created := time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)
	repo := &fakeRepo{sources: []source.Source{{ID: 1, Name: "News"}},
		items:   []source.Item{{ID: 1, Status: source.ItemNew}, {ID: 2, Status: source.ItemNew}, {ID: 3, Status: source.ItemUsed}},
		created: map[int64]time.Time{7: created}, tokens: map[int64]string{}}
	svc := source.NewService(repo, source.Config{})
	ctx := context.Background()

	o, err := svc.Overview(ctx, 7)
	if err != nil || len(o.Sources) != 1 || o.Waiting != 2 || !o.FeedTokenCreated.Equal(created) {
		t.Errorf("Overview = %+v, %v; want one source, two waiting and the token's time", o, err)
	}
	if o, err := svc.Overview(ctx, 8); err != nil || !o.FeedTokenCreated.IsZero() {
		t.Errorf("Overview for someone without a token = %+v, %v", o, err)
	}

	if err := svc.Dismiss(ctx, 1); err != nil {
		t.Errorf("dismissing a new item: %v", err)
	}
	if err := svc.Dismiss(ctx, 3); err != nil {
		t.Errorf("dismissing an item made into a draft meanwhile: %v, want it out of the queue as asked", err)
	}
	if err := svc.Dismiss(ctx, 9); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("dismissing an unknown item: %v, want not found", err)
	}
	repo.limits = nil
	if items, err := svc.Queue(ctx); err != nil || len(items) != 1 || items[0].ID != 2 {
		t.Errorf("Queue = %+v, %v; want item 2 only", items, err)
	}
	if len(repo.limits) != 1 || repo.limits[0] != source.MaxQueue {
		t.Errorf("the queue asked for %v items, want at most %d", repo.limits, source.MaxQueue)
	}

	if err := svc.SetFeedToken(ctx, 7, "hash"); err != nil || repo.tokens[7] != "hash" {
		t.Errorf("SetFeedToken: %v, tokens %v", err, repo.tokens)
	}
}
