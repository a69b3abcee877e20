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
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/source"
)

func TestItemFields(t *testing.T) {
	long := strings.Repeat("word ", 60) // 300 characters
	tests := []struct {
		name      string
		item      source.Item
		wantTitle string
	}{
		{"its title", source.Item{Title: "Chips get smaller", Link: "https://news.example/chips"}, "Chips get smaller"},
		{"spaces around the title", source.Item{Title: "  Chips \n", Link: "https://news.example/chips"}, "Chips"},
		{"no title: the link", source.Item{Title: " ", Link: "https://news.example/chips"}, "https://news.example/chips"},
		{"a title too long: cut, with an ellipsis", source.Item{Title: long, Link: "https://news.example/long"},
			strings.TrimSpace(long[:post.MaxTitle-1]) + "…"},
		{"a title of exactly the limit", source.Item{Title: strings.Repeat("é", post.MaxTitle), Link: "https://news.example/e"},
			strings.Repeat("é", post.MaxTitle)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.item.SourceName = "Industry news"
			got := post.ItemFields(tt.item)
			want := post.Fields{Title: tt.wantTitle, URL: tt.item.Link, Category: post.IndustryInsight, Language: "en",
				Note: "From source Industry news"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ItemFields = %+v, want %+v", got, want)
			}
			if n := len([]rune(got.Title)); n > post.MaxTitle {
				t.Errorf("title of %d characters, over %d", n, post.MaxTitle)
			}
		})
	}
}

// TestDraftFromSource: a new item becomes a draft by the one way posts are
// made, and is marked used in the same write; an item handled already, or
// unknown, makes nothing.
func TestDraftFromSource(t *testing.T) {
	tests := []struct {
		name      string
		status    string // of the item; "" for no item at all
		wantErr   error
		wantKind  apperr.Kind
		wantDraft bool
	}{
		{name: "a new item", status: source.ItemNew, wantDraft: true},
		{name: "made into a draft already", status: source.ItemUsed, wantErr: source.ErrItemHandled, wantKind: apperr.Conflict},
		{name: "dismissed", status: source.ItemDismissed, wantErr: source.ErrItemHandled, wantKind: apperr.Conflict},
		{name: "no such item", wantKind: apperr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeRepo{}
			if tt.status != "" {
				repo.item = &source.Item{ID: 3, SourceName: "Industry news", Title: "Chips get smaller",
					Link: "https://news.example/chips", Status: tt.status}
			}
			svc := post.NewService(repo, post.Config{Policy: post.DefaultPolicy})

			p, err := svc.DraftFromSource(context.Background(), 3, carlos)

			if !tt.wantDraft {
				if err == nil || apperr.KindOf(err) != tt.wantKind || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("DraftFromSource = %+v, %v; want an error of kind %v (%v)", p, err, tt.wantKind, tt.wantErr)
				}
				if repo.created != nil {
					t.Errorf("a draft was stored: %+v", repo.created)
				}
				if repo.item != nil && repo.item.Status != tt.status {
					t.Errorf("the item became %q", repo.item.Status)
				}
				return
			}
			if err != nil {
				t.Fatalf("DraftFromSource: %v", err)
			}
			f := post.ItemFields(*repo.item)
			want := post.NewPost{Fields: f, AuthorID: carlos, Written: post.CreatedContent(f), SourceItemID: 3}
			if repo.created == nil || !reflect.DeepEqual(*repo.created, want) {
				t.Errorf("stored %+v, want %+v", repo.created, want)
			}
			if p.ID != 7 || p.Status != post.Draft || repo.item.Status != source.ItemUsed {
				t.Errorf("returned post %d (%s), item %q; want the stored draft and the item used", p.ID, p.Status, repo.item.Status)
			}
		})
	}
}

func TestEnteredReview(t *testing.T) {
	at := func(h int) time.Time { return decidedAt.Add(time.Duration(h) * time.Hour) }
	p := post.Post{Status: post.InReview, UpdatedAt: at(9)}
	tests := []struct {
		name    string
		history []post.Event
		want    time.Time
	}{
		{"no history: its last update", nil, at(9)},
		{"submitted once", []post.Event{{From: post.Draft, To: post.InReview, At: at(1)}}, at(1)},
		{"edits in review do not restart the wait", []post.Event{
			{From: post.Draft, To: post.InReview, At: at(1)}, {From: post.InReview, To: post.InReview, Label: "edited", At: at(2)}}, at(1)},
		{"sent back and submitted again", []post.Event{
			{From: post.Draft, To: post.InReview, At: at(1)}, {From: post.InReview, To: post.Draft, At: at(2)},
			{From: post.Draft, To: post.InReview, At: at(3)}}, at(3)},
		{"edited after approval: back to review", []post.Event{
			{From: post.Draft, To: post.InReview, At: at(1)}, {From: post.InReview, To: post.Approved, At: at(2)},
			{From: post.Approved, To: post.InReview, At: at(4)}}, at(4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post.EnteredReview(p, tt.history); !got.Equal(tt.want) {
				t.Errorf("EnteredReview = %v, want %v", got, tt.want)
			}
		})
	}
}

// queueRepo holds several posts, each with its history.
type queueRepo struct {
	fakeRepo
	posts   []post.Post
	history map[int64][]post.Event
	asked   []post.Filter
}

func (r *queueRepo) Posts(_ context.Context, f post.Filter) ([]post.Post, error) {
	r.asked = append(r.asked, f)
	var out []post.Post
	for _, p := range r.posts {
		if slices.Contains(f.Statuses, p.Status) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (r *queueRepo) PostHistory(_ context.Context, id int64) ([]post.Event, error) {
	return r.history[id], nil
}

func TestReviewQueue(t *testing.T) {
	at := func(h int) time.Time { return decidedAt.Add(time.Duration(h) * time.Hour) }
	repo := &queueRepo{posts: []post.Post{
		{ID: 1, Status: post.InReview, UpdatedAt: at(8)},                      // no history: waits since its update
		{ID: 2, Status: post.InReview, UpdatedAt: at(9)},                      // submitted at 2
		{ID: 3, Status: post.Draft, SuggestedBy: "Sam", CreatedAt: at(2)},     // suggested at 2, as long as post 2
		{ID: 4, Status: post.Draft, CreatedAt: at(0)},                         // a draft of comms' own: not waiting
		{ID: 5, Status: post.Approved, UpdatedAt: at(0)},                      // not waiting
		{ID: 6, Status: post.Draft, SuggestedBy: "Ana", CreatedAt: at(1)},     // suggested first
		{ID: 7, Status: post.InReview, UpdatedAt: at(5), CreatedAt: at(-100)}, // back in review at 4
	}, history: map[int64][]post.Event{
		2: {{From: post.Draft, To: post.InReview, At: at(2)}, {From: post.InReview, To: post.InReview, At: at(6)}},
		7: {{From: post.Draft, To: post.InReview, At: at(-50)}, {From: post.InReview, To: post.Draft, At: at(3)},
			{From: post.Draft, To: post.InReview, At: at(4)}},
	}}
	svc := post.NewService(repo, post.Config{Policy: post.DefaultPolicy})

	items, err := svc.ReviewQueue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id        int64
		suggested bool
		since     time.Time
	}
	var got []row
	for _, it := range items {
		got = append(got, row{it.Post.ID, it.Suggested, it.Since})
	}
	want := []row{{6, true, at(1)}, {2, false, at(2)}, {3, true, at(2)}, {7, false, at(4)}, {1, false, at(8)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("queue = %+v, want %+v", got, want)
	}
	for _, f := range repo.asked {
		if len(f.Statuses) != 1 || f.ForUser != 0 || !f.LiveAt.IsZero() || f.Limit != 0 {
			t.Errorf("asked for %+v, want one status and nothing else", f)
		}
	}
}

func TestChoices(t *testing.T) {
	off := false
	repo := &fakeRepo{campaigns: []int64{4, 9}, groups: []account.Group{{ID: 2, Name: "Sales, EMEA"}}, fourEyes: &off}
	svc := post.NewService(repo, post.Config{Policy: post.DefaultPolicy})
	ch, err := svc.Choices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Campaigns) != 2 || ch.Campaigns[0].ID != 9 || len(ch.Groups) != 1 || ch.Groups[0].Name != "Sales, EMEA" {
		t.Errorf("choices = %+v", ch)
	}
	if ch.Settings.Policy.FourEyes {
		t.Error("four-eyes is on in the choices, though an admin turned it off")
	}
}

func TestCampaignInput(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, berlin) }
	tests := []struct {
		name     string
		in       post.CampaignInput
		want     post.Campaign
		wantErrs map[string]string
	}{
		{name: "a name only", in: post.CampaignInput{Name: " Spring launch "}, want: post.Campaign{Name: "Spring launch"}},
		{name: "everything", in: post.CampaignInput{Name: "Spring", GoalClicks: "500", StartsOn: "2026-03-01", EndsOn: "2026-03-31"},
			want: post.Campaign{Name: "Spring", GoalClicks: 500, StartsAt: day(2026, 3, 1), EndsAt: day(2026, 4, 1).Add(-time.Second)}},
		{name: "one day", in: post.CampaignInput{Name: "Day", StartsOn: "2026-03-01", EndsOn: "2026-03-01"},
			want: post.Campaign{Name: "Day", StartsAt: day(2026, 3, 1), EndsAt: day(2026, 3, 2).Add(-time.Second)}},
		{name: "the largest goal", in: post.CampaignInput{Name: "Big", GoalClicks: "1000000000"},
			want: post.Campaign{Name: "Big", GoalClicks: post.MaxGoalClicks}},
		{name: "no name", in: post.CampaignInput{Name: "  "}, wantErrs: map[string]string{"name": "Give the campaign a name."}},
		{name: "a name too long", in: post.CampaignInput{Name: strings.Repeat("ü", 101)},
			wantErrs: map[string]string{"name": "Keep the name to 100 characters or fewer."}},
		{name: "a goal not a number", in: post.CampaignInput{Name: "x", GoalClicks: "lots"},
			wantErrs: map[string]string{"goal_clicks": "Give the goal as a whole number of clicks, or leave it empty."}},
		{name: "a goal with decimals", in: post.CampaignInput{Name: "x", GoalClicks: "1.5"},
			wantErrs: map[string]string{"goal_clicks": "Give the goal as a whole number of clicks, or leave it empty."}},
		{name: "a goal over the limit", in: post.CampaignInput{Name: "x", GoalClicks: "1000000001"},
			wantErrs: map[string]string{"goal_clicks": "That goal is too large."}},
		{name: "a goal past an int", in: post.CampaignInput{Name: "x", GoalClicks: "99999999999999999999999"},
			wantErrs: map[string]string{"goal_clicks": "That goal is too large."}},
		{name: "a negative goal", in: post.CampaignInput{Name: "x", GoalClicks: "-5"},
			wantErrs: map[string]string{"goal_clicks": "The goal cannot be negative."}},
		{name: "dates that are not dates", in: post.CampaignInput{Name: "x", StartsOn: "1 March", EndsOn: "2026-02-30"},
			wantErrs: map[string]string{"starts_on": "Enter the date as year-month-day, for example 2026-12-01.",
				"ends_on": "Enter the date as year-month-day, for example 2026-12-31."}},
		{name: "ends before it starts", in: post.CampaignInput{StartsOn: "2026-03-02", EndsOn: "2026-03-01"},
			wantErrs: map[string]string{"name": "Give the campaign a name.", "ends_on": "The campaign must end after it starts."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Zone = berlin
			got, errs := tt.in.Campaign()
			if !maps.Equal(errs, tt.wantErrs) {
				t.Fatalf("problems = %v, want %v", errs, tt.wantErrs)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("campaign = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// campaignRepo keeps campaigns in memory; a name taken is refused.
type campaignRepo struct {
	stored []post.Campaign
}

func (r *campaignRepo) Campaigns(context.Context) ([]post.Campaign, error) { return r.stored, nil }

func (r *campaignRepo) CreateCampaign(_ context.Context, c post.Campaign, _ int64) (int64, error) {
	for _, old := range r.stored {
		if strings.EqualFold(old.Name, c.Name) {
			return 0, fmt.Errorf("fake: campaign %q: %w", c.Name, post.ErrCampaignExists)
		}
	}
	c.ID = int64(len(r.stored) + 1)
	r.stored = append(r.stored, c)
	return c.ID, nil
}

func TestCreateCampaign(t *testing.T) {
	repo := &campaignRepo{}
	svc := post.NewCampaigns(repo)
	ctx := context.Background()
	id, err := svc.Create(ctx, post.CampaignInput{Name: "Spring", GoalClicks: "10"}, mei)
	if err != nil || id != 1 {
		t.Fatalf("Create = %d, %v", id, err)
	}
	for _, tt := range []struct {
		name string
		in   post.CampaignInput
		want map[string]string
	}{
		{"a name taken", post.CampaignInput{Name: "spring"}, map[string]string{"name": "A campaign with this name (or one too close to it) already exists."}},
		{"a form with problems", post.CampaignInput{Name: "Autumn", GoalClicks: "-1"}, map[string]string{"goal_clicks": "The goal cannot be negative."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Create(ctx, tt.in, mei)
			refused, ok := errors.AsType[*post.FormError](err)
			if !ok || apperr.KindOf(err) != apperr.Invalid || !maps.Equal(refused.Fields, tt.want) {
				t.Errorf("Create = %v, want a *post.FormError with %v", err, tt.want)
			}
			if list, err := svc.List(ctx); err != nil || len(list) != 1 {
				t.Errorf("campaigns after a refusal: %+v, %v; want the first one only", list, err)
			}
		})
	}
}

// calendarRepo lists posts, and knows one feed token per person.
type calendarRepo struct {
	posts   []post.Post
	readers map[string]account.User // by token hash
	asked   []post.Filter
}

func (r *calendarRepo) Posts(_ context.Context, f post.Filter) ([]post.Post, error) {
	r.asked = append(r.asked, f)
	return r.posts, nil
}

func (r *calendarRepo) FeedReader(_ context.Context, hash string) (account.User, error) {
	u, ok := r.readers[hash]
	if !ok {
		return u, fmt.Errorf("fake: feed token: %w", errNotFound)
	}
	return u, nil
}

// calendarPosts are approved posts in every phase, newest first, and a
// draft as storage would never list it (so the filter is seen to hold).
func calendarPosts() []post.Post {
	at := func(h int) time.Time { return decidedAt.Add(time.Duration(h) * time.Hour) }
	return []post.Post{
		{ID: 1, Status: post.Approved, PublishAt: at(48)},                      // scheduled
		{ID: 2, Status: post.Approved, PublishAt: at(2)},                       // scheduled, sooner
		{ID: 3, Status: post.Approved, PublishAt: at(-1)},                      // live
		{ID: 4, Status: post.Approved, PublishAt: at(-5), ExpiresAt: at(0)},    // expired at the very moment
		{ID: 5, Status: post.Approved, PublishAt: at(-9), ExpiresAt: at(1)},    // live until 1
		{ID: 6, Status: post.Draft, PublishAt: at(-2)},                         // not approved
		{ID: 7, Status: post.Archived, PublishAt: at(-3)},                      // archived
		{ID: 8, Status: post.Approved, PublishAt: at(-20), ExpiresAt: at(-10)}, // expired long ago
	}
}

func ids(posts []post.Post) []int64 {
	var out []int64
	for _, p := range posts {
		out = append(out, p.ID)
	}
	return out
}

func TestCalendarPeriod(t *testing.T) {
	repo := &calendarRepo{posts: calendarPosts()}
	cal := post.NewCalendar(repo, func() time.Time { return decidedAt })
	from, to := decidedAt.AddDate(0, 0, -7), decidedAt.AddDate(0, 0, 7)
	sched, err := cal.Period(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(sched.Posts), []int64{5, 3, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("period = %v, want the scheduled and live posts by publish time %v", got, want)
	}
	if !sched.Now.Equal(decidedAt) {
		t.Errorf("judged at %v, want %v", sched.Now, decidedAt)
	}
	if len(repo.asked) != 1 || !slices.Equal(repo.asked[0].Statuses, []post.Status{post.Approved}) ||
		!repo.asked[0].From.Equal(from) || !repo.asked[0].To.Equal(to) {
		t.Errorf("asked storage for %+v", repo.asked)
	}
}

func TestSubscribed(t *testing.T) {
	readers := map[string]account.User{
		"comms":    {ID: 1, Active: true, Roles: []account.Role{account.Comms}},
		"admin":    {ID: 2, Active: true, Roles: []account.Role{account.Admin}},
		"employee": {ID: 3, Active: true},
		"hr":       {ID: 4, Active: true, Roles: []account.Role{account.HR}},
		"gone":     {ID: 5, Active: false, Roles: []account.Role{account.Comms}},
	}
	tests := []struct {
		hash   string
		wantOK bool
	}{
		{"comms", true}, {"admin", true}, {"employee", false}, {"hr", false}, {"gone", false}, {"unknown", false}, {"", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("token %q", tt.hash), func(t *testing.T) {
			repo := &calendarRepo{posts: calendarPosts(), readers: readers}
			cal := post.NewCalendar(repo, func() time.Time { return decidedAt })
			sched, err := cal.Subscribed(context.Background(), tt.hash)
			if !tt.wantOK {
				if !errors.Is(err, post.ErrNoFeed) || apperr.KindOf(err) != apperr.NotFound {
					t.Errorf("Subscribed = %v, %v; want ErrNoFeed", ids(sched.Posts), err)
				}
				if len(repo.asked) != 0 {
					t.Errorf("posts were read for a feed that does not open: %+v", repo.asked)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ids(sched.Posts), []int64{1, 2, 3, 5}; !slices.Equal(got, want) {
				t.Errorf("feed = %v, want the scheduled and live posts in storage's order %v", got, want)
			}
			if len(repo.asked) != 1 || repo.asked[0].Limit != post.MaxFeedPosts ||
				!slices.Equal(repo.asked[0].Statuses, []post.Status{post.Approved}) {
				t.Errorf("asked storage for %+v", repo.asked)
			}
		})
	}
}

func TestMix(t *testing.T) {
	p := func(c post.Category) post.Post { return post.Post{Category: c} }
	tests := []struct {
		name  string
		posts []post.Post
		want  map[post.Category][2]int // count, percent
	}{
		{"none", nil, map[post.Category][2]int{}},
		{"one of each of two", []post.Post{p(post.Jobs), p(post.Culture)},
			map[post.Category][2]int{post.Jobs: {1, 50}, post.Culture: {1, 50}}},
		{"thirds round half up", []post.Post{p(post.Jobs), p(post.Jobs), p(post.Product)},
			map[post.Category][2]int{post.Jobs: {2, 67}, post.Product: {1, 33}}},
		{"an eighth is 12.5: 13", []post.Post{p(post.Jobs), p(post.Product), p(post.Product), p(post.Product),
			p(post.Product), p(post.Product), p(post.Product), p(post.Product)},
			map[post.Category][2]int{post.Jobs: {1, 13}, post.Product: {7, 88}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := post.Mix(tt.posts)
			var cats []post.Category
			for _, s := range got {
				cats = append(cats, s.Category)
				if w := tt.want[s.Category]; s.Count != w[0] || s.Percent != w[1] {
					t.Errorf("%s: %d posts, %d%%; want %d, %d%%", s.Category, s.Count, s.Percent, w[0], w[1])
				}
			}
			if !slices.Equal(cats, post.Categories) {
				t.Errorf("categories %v, want every one in the forms' order %v", cats, post.Categories)
			}
		})
	}
}

// imageRepo answers as storage would: what viewer may see, else not found.
type imageRepo struct {
	viewers []post.ImageViewer
	allow   bool
}

func (r *imageRepo) PostImage(_ context.Context, id int64, v post.ImageViewer) (post.Image, error) {
	r.viewers = append(r.viewers, v)
	if !r.allow {
		return post.Image{}, fmt.Errorf("fake: image %d: %w", id, errNotFound)
	}
	return post.Image{ID: id, ContentType: "image/png"}, nil
}

func TestImagesOpen(t *testing.T) {
	tests := []struct {
		name      string
		id        int64
		roles     []account.Role
		allow     bool
		wantStaff bool
		wantErr   bool
	}{
		{name: "an employee", id: 4, allow: true},
		{name: "comms are staff", id: 4, roles: []account.Role{account.Comms}, allow: true, wantStaff: true},
		{name: "admins are staff", id: 4, roles: []account.Role{account.Admin}, allow: true, wantStaff: true},
		{name: "HR are not", id: 4, roles: []account.Role{account.HR}, allow: true},
		{name: "one they may not see", id: 4, wantErr: true},
		{name: "an id no image has", id: 0, allow: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &imageRepo{allow: tt.allow}
			imgs := post.NewImages(repo, func() time.Time { return decidedAt })
			img, err := imgs.Open(context.Background(), tt.id, account.User{ID: 9, Roles: tt.roles})
			if tt.wantErr {
				if !errors.Is(err, post.ErrNoImage) || apperr.MessageOf(err) != "There is no image at this address." {
					t.Errorf("Open = %+v, %v; want ErrNoImage", img, err)
				}
				return
			}
			if err != nil || img.ID != tt.id {
				t.Fatalf("Open = %+v, %v", img, err)
			}
			want := []post.ImageViewer{{UserID: 9, Staff: tt.wantStaff, At: decidedAt}}
			if !reflect.DeepEqual(repo.viewers, want) {
				t.Errorf("asked as %+v, want %+v", repo.viewers, want)
			}
		})
	}
}
