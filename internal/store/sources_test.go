package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/source"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestSources(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t, store.WithClock(newClock().Now))
	comms := mustSignIn(t, s, "comms", "comms@example.com", account.Comms)
	id, err := s.AddSource(ctx, "Industry news", "https://news.example/feed", comms.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSource(ctx, "Again", "https://news.example/feed", comms.ID); !errors.Is(err, store.ErrExists) {
		t.Fatalf("adding a feed twice: %v, want ErrExists", err)
	}
	published := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	entries := []source.Entry{
		{GUID: "a", Title: "First", Link: "https://news.example/a", PublishedAt: published},
		{Title: "Second", Link: "https://news.example/b"},
	}
	n, err := s.RecordPoll(ctx, id, source.Poll{ETag: `"x"`, LastModified: "yesterday", Entries: entries})
	if err != nil || n != 2 {
		t.Fatalf("RecordPoll: %d, %v; want 2", n, err)
	}
	// The same items again, one under a new GUID but the same link: nothing new.
	entries[1].GUID = "b-now-with-guid"
	if n, err := s.RecordPoll(ctx, id, source.Poll{Entries: entries}); err != nil || n != 0 {
		t.Fatalf("RecordPoll again: %d, %v; want 0", n, err)
	}
	if n, err := s.RecordPoll(ctx, id, source.Poll{Err: "the server answered 500"}); err != nil || n != 0 {
		t.Fatalf("RecordPoll of an error: %d, %v", n, err)
	}
	src, err := s.Source(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if src.LastError != "the server answered 500" || src.Items != 2 || src.LastFetchedAt.IsZero() {
		t.Errorf("source = %+v", src)
	}

	items, err := s.NewSourceItems(ctx, 0)
	if err != nil || len(items) != 2 {
		t.Fatalf("queue: %d items, %v", len(items), err)
	}
	var first source.Item
	for _, it := range items {
		if it.GUID == "a" {
			first = it
		}
	}
	if first.SourceName != "Industry news" || !first.PublishedAt.Equal(published) {
		t.Errorf("item = %+v", first)
	}
	drafts := post.NewService(s, post.Config{Policy: post.DefaultPolicy})
	made, err := drafts.DraftFromSource(ctx, first.ID, comms.ID)
	if err != nil {
		t.Fatal(err)
	}
	postID := made.ID
	p, err := s.Post(ctx, postID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "First" || p.URL != "https://news.example/a" || p.Category != post.IndustryInsight ||
		p.Status != post.Draft || p.AuthorID != comms.ID {
		t.Errorf("draft = %+v", p)
	}
	if _, err := drafts.DraftFromSource(ctx, first.ID, comms.ID); !errors.Is(err, store.ErrItemHandled) {
		t.Errorf("second draft of the same item: %v, want ErrItemHandled", err)
	}
	if it, err := s.SourceItem(ctx, first.ID); err != nil || it.Status != source.ItemUsed || it.PostID != postID {
		t.Errorf("used item = %+v (error: %v)", it, err)
	}
	other := items[0].ID + items[1].ID - first.ID
	if err := s.DismissSourceItem(ctx, other); err != nil {
		t.Fatal(err)
	}
	if items, err := s.NewSourceItems(ctx, 0); err != nil || len(items) != 0 {
		t.Errorf("queue after draft and dismiss: %+v (error: %v)", items, err)
	}
	if err := s.DismissSourceItem(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("dismissing an unknown item: %v", err)
	}

	if err := s.DeleteSource(ctx, id, comms.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Post(ctx, postID); err != nil {
		t.Errorf("the draft went with its source: %v", err)
	}
	if _, err := s.RecordPoll(ctx, id, source.Poll{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("poll of a deleted source: %v, want ErrNotFound", err)
	}
}

func TestFeedTokens(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	comms := mustSignIn(t, s, "comms", "comms@example.com", account.Comms)
	if at, err := s.FeedTokenCreated(ctx, comms.ID); err != nil || !at.IsZero() {
		t.Fatalf("no token yet: %v, %v", at, err)
	}
	if err := s.SetFeedToken(ctx, comms.ID, "hash-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFeedToken(ctx, comms.ID, "hash-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByFeedToken(ctx, "hash-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old token still works: %v", err)
	}
	if id, err := s.UserByFeedToken(ctx, "hash-2"); err != nil || id != comms.ID {
		t.Errorf("UserByFeedToken = %d, %v", id, err)
	}
	if at, err := s.FeedTokenCreated(ctx, comms.ID); err != nil || at.IsZero() {
		t.Error("FeedTokenCreated is zero after a token was set", err)
	}
}
