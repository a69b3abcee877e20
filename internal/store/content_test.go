package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/source"
	"github.com/advocacy-portal/portal/internal/store"
)

// mustQueueItems adds a source and polls entries into its queue, and
// returns the queue, by title.
func mustQueueItems(t *testing.T, s *store.Store, actorID int64, titles ...string) map[string]source.Item {
	t.Helper()
	ctx := context.Background()
	id, err := s.AddSource(ctx, "Industry news", "https://news.example/feed", actorID)
	if err != nil {
		t.Fatal(err)
	}
	var entries []source.Entry
	for _, title := range titles {
		entries = append(entries, source.Entry{GUID: title, Title: title, Link: "https://news.example/" + title})
	}
	if n, err := s.RecordPoll(ctx, id, source.Poll{Entries: entries}); err != nil || n != len(titles) {
		t.Fatalf("RecordPoll: %d, %v; want %d", n, err, len(titles))
	}
	items, err := s.NewSourceItems(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]source.Item{}
	for _, it := range items {
		out[it.Title] = it
	}
	if len(out) != len(titles) {
		t.Fatalf("queue = %+v, want %v", items, titles)
	}
	return out
}

// TestDraftFromSourceItem: the draft and the item's being used are one
// write. An item handled meanwhile makes no post, and a write that fails
// after the post was inserted leaves the item in the queue.
func TestDraftFromSourceItem(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t, store.WithClock(newClock().Now))
	comms := mustSignIn(t, s, "comms", "comms@example.com", account.Comms)
	items := mustQueueItems(t, s, comms.ID, "chips", "rain", "snow")
	svc := post.NewService(s, post.Config{Policy: post.DefaultPolicy})

	p, err := svc.DraftFromSource(ctx, items["chips"].ID, comms.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := mustPost(t, s, p.ID)
	if stored.Title != "chips" || stored.Note != "From source Industry news" || stored.Status != post.Draft || p.Title != "chips" {
		t.Errorf("draft = %+v (returned %+v)", stored, p)
	}
	if it, err := s.SourceItem(ctx, items["chips"].ID); err != nil || it.Status != source.ItemUsed || it.PostID != p.ID {
		t.Errorf("item = %+v, %v; want used by post %d", it, err, p.ID)
	}

	// The store holds the item to being new itself, whatever decide said.
	if err := s.DismissSourceItem(ctx, items["rain"].ID); err != nil {
		t.Fatal(err)
	}
	before := len(mustPosts(t, s))
	_, err = s.CreatePost(ctx, post.Query{}, func(post.State) (post.NewPost, error) {
		f := post.Fields{Title: "rain", URL: "https://news.example/rain", Category: post.IndustryInsight, Language: "en"}
		return post.NewPost{Fields: f, AuthorID: comms.ID, Written: post.CreatedContent(f), SourceItemID: items["rain"].ID}, nil
	})
	if !errors.Is(err, source.ErrItemHandled) || apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("a draft of a dismissed item: %v, want ErrItemHandled", err)
	}
	if after := len(mustPosts(t, s)); after != before {
		t.Errorf("%d posts after a refused draft, want %d", after, before)
	}

	// A failure after the item was marked (here: a submission by no one,
	// which the database refuses) rolls the post back and leaves the item new.
	_, err = s.CreatePost(ctx, post.Query{SourceItemID: items["snow"].ID}, func(st post.State) (post.NewPost, error) {
		f := post.ItemFields(st.SourceItem)
		return post.NewPost{Fields: f, AuthorID: comms.ID, Written: post.CreatedContent(f), SourceItemID: st.SourceItem.ID,
			Submit: &post.Change{Action: post.Submit, From: post.Draft, To: post.InReview, ActorID: -1}}, nil
	})
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("a submission by no one: %v, want the database to refuse it", err)
	}
	if after := len(mustPosts(t, s)); after != before {
		t.Errorf("%d posts after a failed draft, want %d", after, before)
	}
	if it, err := s.SourceItem(ctx, items["snow"].ID); err != nil || it.Status != source.ItemNew || it.PostID != 0 {
		t.Errorf("item after a failed draft = %+v, %v; want it still new", it, err)
	}

	if _, err := svc.DraftFromSource(ctx, 9999, comms.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("a draft of an unknown item: %v, want not found", err)
	}
}

func mustPosts(t *testing.T, s *store.Store) []post.Post {
	t.Helper()
	posts, err := s.Posts(context.Background(), post.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return posts
}

// TestDomainSentinels: what already exists is the domain's error, and
// still the store's.
func TestDomainSentinels(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	comms := mustSignIn(t, s, "comms", "comms@example.com", account.Comms)
	if _, err := s.AddSource(ctx, "News", "https://news.example/feed", comms.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSource(ctx, "News again", "https://news.example/feed", comms.ID); !errors.Is(err, source.ErrExists) ||
		!errors.Is(err, store.ErrExists) || apperr.MessageOf(err) != "This feed is already a source." {
		t.Errorf("a feed added twice: %v", err)
	}
	mustCampaign(t, s, comms.ID, "Spring")
	if _, err := s.CreateCampaign(ctx, post.Campaign{Name: "Spring"}, comms.ID); !errors.Is(err, post.ErrCampaignExists) ||
		!errors.Is(err, store.ErrExists) || apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("a campaign created twice: %v", err)
	}
}

func TestFeedReader(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	comms := mustSignIn(t, s, "comms", "comms@example.com", account.Comms)
	if err := s.SetFeedToken(ctx, comms.ID, "hash-1"); err != nil {
		t.Fatal(err)
	}
	u, err := s.FeedReader(ctx, "hash-1")
	if err != nil || u.ID != comms.ID || !u.Active || !u.HasAny(account.Comms) {
		t.Errorf("FeedReader = %+v, %v; want comms with their role", u, err)
	}
	if _, err := s.FeedReader(ctx, "hash-2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown token: %v, want ErrNotFound", err)
	}
}

// TestFeedFacts: the feed's facts are read for the person asking: their
// training, the posts live for them as the filter says, where they shared
// them, today's shares, and the settings and pauses in force.
func TestFeedFacts(t *testing.T) {
	ctx := context.Background()
	st := newGateSetup(t)
	s := st.s
	if out := st.share(t, share.Request{Network: share.LinkedIn}); !out.Allowed() {
		t.Fatalf("share refused: %s", out.Refused)
	}
	for key, value := range map[string]any{store.SettingShareCadence: cadence.Rule{Limit: 2},
		store.SettingNetworksEnabled: []string{"linkedin", "x"}, store.SettingRequiredModules: []string{"basics"}} {
		if err := s.SetSetting(ctx, key, value, st.comms.ID); err != nil {
			t.Fatal(err)
		}
	}
	pa, err := startPause(ctx, s, pause.Category(post.Jobs), "Hiring freeze", st.comms.ID)
	if err != nil {
		t.Fatal(err)
	}
	now, since := st.clk.Now(), cadence.DayStart(st.clk.Now())

	f, err := s.FeedFacts(ctx, share.FeedRead{UserID: st.emp.ID, Since: since, Posts: post.Filter{ForUser: st.emp.ID, LiveAt: now}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Progress.Acknowledged) != 1 || len(f.ConductVersions) != 1 {
		t.Errorf("training: %+v, versions %+v", f.Progress, f.ConductVersions)
	}
	if !f.RequiredChosen || !slices.Equal(f.RequiredModules, []string{"basics"}) ||
		!f.NetworksChosen || !slices.Equal(f.Networks, []string{"linkedin", "x"}) || f.Cadence.Limit != 2 {
		t.Errorf("settings: required %v (%v), networks %v (%v), cadence %+v", f.RequiredModules, f.RequiredChosen,
			f.Networks, f.NetworksChosen, f.Cadence)
	}
	if len(f.Posts) != 1 || f.Posts[0].ID != st.post {
		t.Errorf("posts %+v, want only the live post for everyone (not the team's)", f.Posts)
	}
	if len(f.Campaigns) != 1 || f.Campaigns[0].ID != st.campaign {
		t.Errorf("campaigns %+v", f.Campaigns)
	}
	if !slices.Equal(f.Shared[st.post], []share.Network{share.LinkedIn}) || f.SharedToday[share.LinkedIn] != 1 || len(f.SharedToday) != 1 {
		t.Errorf("shared %v, today %v; want the one share on LinkedIn", f.Shared, f.SharedToday)
	}
	if len(f.Pauses) != 1 || f.Pauses[0].ID != pa.ID {
		t.Errorf("pauses %+v, want the one started", f.Pauses)
	}

	// The filter is storage's to apply, and the counts are the person's own.
	f, err = s.FeedFacts(ctx, share.FeedRead{UserID: st.comms.ID, Since: since,
		Posts: post.Filter{ForUser: st.comms.ID, LiveAt: now, Campaign: st.campaign + 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Posts) != 0 || len(f.Shared) != 0 || len(f.SharedToday) != 0 || len(f.Progress.Acknowledged) != 0 {
		t.Errorf("facts for comms, another campaign: posts %+v, shared %v, today %v, progress %+v",
			f.Posts, f.Shared, f.SharedToday, f.Progress)
	}
}
