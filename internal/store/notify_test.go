package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/webhook"
)

// notifyLivePost creates a post by author for groups (none: everyone),
// has approver approve it, and publishes it at the clock's time.
func notifyLivePost(tb testing.TB, s *store.Store, author, approver int64, title string, groups ...int64) post.Post {
	tb.Helper()
	ctx := context.Background()
	id, err := createPost(ctx, s, post.Fields{Title: title, URL: "https://example.com/" + post.Slugify(title),
		Category: post.CompanyNews, Language: "en", GroupIDs: groups}, author, false)
	if err != nil {
		tb.Fatalf("CreatePost %q: %v", title, err)
	}
	if _, err := transitionPost(ctx, s, id, post.Submit, author, "", post.DefaultPolicy); err != nil {
		tb.Fatalf("submit %q: %v", title, err)
	}
	if _, err := transitionPost(ctx, s, id, post.Approve, approver, "", post.DefaultPolicy); err != nil {
		tb.Fatalf("approve %q: %v", title, err)
	}
	live, err := s.PublishDue(ctx)
	if err != nil {
		tb.Fatalf("PublishDue: %v", err)
	}
	for _, p := range live {
		if p.ID == id {
			return p
		}
	}
	tb.Fatalf("post %q did not go live", title)
	return post.Post{}
}

func testDelivery(target webhook.Target, key string) webhook.Delivery {
	return webhook.Delivery{Target: target, URL: "https://hooks.example.com/services/SECRET", Payload: []byte(`{"text":"hi"}`), DedupeKey: key}
}

func TestWebhookDeliveriesDedupeClaimAndRetry(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))

	n, err := s.EnqueueWebhookDeliveries(ctx, []webhook.Delivery{testDelivery(webhook.Slack, "live:1:slack"), testDelivery(webhook.Teams, "live:1:teams")})
	if err != nil || n != 2 {
		t.Fatalf("EnqueueWebhookDeliveries = %d, %v; want 2 queued", n, err)
	}
	n, err = s.EnqueueWebhookDeliveries(ctx, []webhook.Delivery{testDelivery(webhook.Slack, "live:1:slack"), testDelivery(webhook.Slack, "live:2:slack")})
	if err != nil || n != 1 {
		t.Fatalf("enqueue again = %d, %v; want only the new key queued", n, err)
	}

	claimed, err := s.ClaimWebhookDeliveries(ctx, 2, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 2 || claimed[0].DedupeKey != "live:1:slack" || claimed[1].DedupeKey != "live:1:teams" {
		t.Fatalf("claimed %+v, want the two oldest", claimed)
	}
	if got := claimed[0]; got.Target != webhook.Slack || got.URL == "" || string(got.Payload) != `{"text":"hi"}` ||
		!got.SendAfter.Equal(c.Now().Add(5*time.Minute)) {
		t.Errorf("claimed delivery = %+v, want it whole with SendAfter at the lease's end", got)
	}
	rest, err := s.ClaimWebhookDeliveries(ctx, 10, 5*time.Minute)
	if err != nil || len(rest) != 1 || rest[0].DedupeKey != "live:2:slack" {
		t.Fatalf("second claim = %+v, %v; want only the unleased delivery", rest, err)
	}
	if again, err := s.ClaimWebhookDeliveries(ctx, 10, 5*time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("claim during the lease = %d deliveries, want none (error: %v)", len(again), err)
	}

	// Outcomes: one sent, one failed with a retry time, one left unmarked
	// (its sender died): it comes back when the lease ends.
	if err := s.MarkWebhookDelivered(ctx, claimed[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkWebhookFailed(ctx, claimed[1].ID, "the webhook answered 500", c.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	c.Advance(5*time.Minute + time.Second)
	back, err := s.ClaimWebhookDeliveries(ctx, 10, time.Minute)
	if err != nil || len(back) != 1 || back[0].DedupeKey != "live:2:slack" {
		t.Fatalf("claim after the lease = %+v, %v; want the unmarked delivery back", back, err)
	}
	if err := s.MarkWebhookDelivered(ctx, back[0].ID); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour)
	retry, err := s.ClaimWebhookDeliveries(ctx, 10, time.Minute)
	if err != nil || len(retry) != 1 || retry[0].ID != claimed[1].ID || retry[0].Attempts != 1 || retry[0].LastError != "the webhook answered 500" {
		t.Fatalf("claim at the retry time = %+v, %v; want the failed delivery with 1 attempt and its error", retry, err)
	}

	sentAt := c.Now()
	c.Advance(time.Minute)
	if err := s.MarkWebhookDelivered(ctx, claimed[0].ID); err != nil {
		t.Fatalf("marking sent twice: %v", err)
	}
	if err := s.MarkWebhookFailed(ctx, claimed[0].ID, "late", c.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkWebhookFailed on a sent delivery = %v, want ErrNotFound", err)
	}
	if err := s.MarkWebhookDelivered(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkWebhookDelivered(unknown) = %v, want ErrNotFound", err)
	}
	all, err := s.WebhookDeliveries(ctx, 0)
	if err != nil || len(all) != 3 {
		t.Fatalf("WebhookDeliveries = %d, %v; want 3", len(all), err)
	}
	for _, d := range all {
		if d.ID == claimed[0].ID && !d.SentAt.Before(sentAt) {
			t.Errorf("sent at %v after marking twice, want the first time kept", d.SentAt)
		}
	}
	pending, sent, failing, err := s.WebhookDeliveryCounts(ctx)
	if err != nil || pending != 1 || sent != 2 || failing != 1 {
		t.Errorf("counts = pending %d sent %d failing %d (%v), want 1, 2, 1", pending, sent, failing, err)
	}
}

func TestEnqueueWebhookDeliveriesAllOrNone(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	bad := testDelivery(webhook.Teams, "live:1:teams")
	bad.Payload = []byte("not json")
	noURL := testDelivery(webhook.Slack, "live:2:slack")
	noURL.URL = ""
	for name, d := range map[string]webhook.Delivery{"bad payload": bad, "no url": noURL,
		"unknown target": testDelivery("irc", "live:3:irc")} {
		if _, err := s.EnqueueWebhookDeliveries(ctx, []webhook.Delivery{testDelivery(webhook.Slack, "live:1:slack"), d}); err == nil {
			t.Errorf("%s: EnqueueWebhookDeliveries succeeded, want an error", name)
		}
	}
	if all, err := s.WebhookDeliveries(ctx, 0); err != nil || len(all) != 0 {
		t.Errorf("after refused batches %d deliveries are queued, want none (error: %v)", len(all), err)
	}
}

func TestSetWebhookURL(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	admin := mustSignIn(t, s, "oidc:admin", "admin@example.com", account.Admin)
	const secret = "T0000/B0000/XXXXsecretXXXX"
	first := "https://hooks.slack.com/services/" + secret

	if got, err := s.WebhookURL(ctx, webhook.Slack); err != nil || got != "" {
		t.Fatalf("WebhookURL before any = %q, %v; want none", got, err)
	}
	if err := s.SetWebhookURL(ctx, webhook.Slack, first, admin.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.WebhookURL(ctx, webhook.Slack); err != nil || got != first {
		t.Errorf("WebhookURL = %q, want %q (error: %v)", got, first, err)
	}
	if got, err := s.WebhookURL(ctx, webhook.Teams); err != nil || got != "" {
		t.Errorf("Teams WebhookURL = %q, want none (error: %v)", got, err)
	}
	if _, err := s.EnqueueWebhookDeliveries(ctx, []webhook.Delivery{{Target: webhook.Slack, URL: first,
		Payload: []byte(`{}`), DedupeKey: "live:1:slack", SendAfter: c.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}

	second := "https://hooks.slack.com/services/T1111/B1111/other"
	c.Advance(time.Minute)
	if err := s.SetWebhookURL(ctx, webhook.Slack, second, admin.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetWebhookURL(ctx, webhook.Slack, second, admin.ID); err != nil { // unchanged: not logged
		t.Fatal(err)
	}
	due, err := s.ClaimWebhookDeliveries(ctx, 10, time.Minute)
	if err != nil || len(due) != 1 || due[0].URL != second {
		t.Fatalf("after a new URL, claim = %+v, %v; want the pending delivery due now, to the new URL", due, err)
	}

	log, err := auditLog(ctx, s, 100)
	if err != nil {
		t.Fatal(err)
	}
	var entries []audit.Entry
	for _, e := range log {
		if e.Action == "settings.change" && e.Target == "setting:"+webhook.Slack.SettingKey() {
			entries = append(entries, e)
		}
	}
	if len(entries) != 2 {
		t.Fatalf("audit entries for the webhook = %+v, want 2 (set, changed)", entries)
	}
	for _, e := range entries {
		if e.ActorID != admin.ID || strings.Contains(e.Before+e.After, secret) || strings.Contains(e.Before+e.After, "other") ||
			!strings.Contains(e.After, "https://hooks.slack.com") {
			t.Errorf("audit entry %+v: want the admin, the host, and no secret", e)
		}
	}
	if entries[0].Before == "" || entries[1].Before != "" {
		t.Errorf("audit before values = %q, %q; want the old URL redacted on the change only", entries[0].Before, entries[1].Before)
	}

	if err := s.SetWebhookURL(ctx, webhook.Slack, "", admin.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.WebhookURL(ctx, webhook.Slack); err != nil || got != "" {
		t.Errorf("WebhookURL after removing = %q, want none (error: %v)", got, err)
	}
	if err := s.SetWebhookURL(ctx, "irc", first, admin.ID); err == nil {
		t.Error("SetWebhookURL for an unknown target succeeded")
	}
}

// TestSetWebhookURLs sets both targets in one call, and refuses the whole
// call for an unknown target.
func TestSetWebhookURLs(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	admin := mustSignIn(t, s, "oidc:admin", "admin@example.com", account.Admin)
	slack, teams := "https://hooks.slack.com/services/T0/B0/one", "https://example.webhook.office.com/two"
	if err := s.SetWebhookURLs(ctx, map[webhook.Target]string{webhook.Slack: slack, webhook.Teams: teams}, admin.ID); err != nil {
		t.Fatal(err)
	}
	for target, want := range map[webhook.Target]string{webhook.Slack: slack, webhook.Teams: teams} {
		if got, err := s.WebhookURL(ctx, target); err != nil || got != want {
			t.Errorf("WebhookURL(%s) = %q, %v; want %q", target, got, err, want)
		}
	}
	if err := s.SetWebhookURLs(ctx, map[webhook.Target]string{webhook.Slack: "", "irc": slack}, admin.ID); err == nil {
		t.Error("SetWebhookURLs with an unknown target succeeded")
	}
	if got, err := s.WebhookURL(ctx, webhook.Slack); err != nil || got != slack {
		t.Errorf("WebhookURL(slack) after a refused call = %q, %v; want it unchanged", got, err)
	}
	log, err := auditLog(ctx, s, 100)
	if err != nil {
		t.Fatal(err)
	}
	changes := 0
	for _, e := range log {
		if e.Action == "settings.change" {
			changes++
		}
	}
	if changes != 2 {
		t.Errorf("%d settings changes logged, want 2: one per target", changes)
	}
}

func TestDigestBookkeeping(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := filepath.Join(t.TempDir(), "portal.db")
	s := mustOpenStoreAt(t, path, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:author", "author@example.com", account.Comms)
	approver := mustSignIn(t, s, "oidc:approver", "approver@example.com", account.Comms)
	daily := mustSignIn(t, s, "oidc:daily", "daily@example.com")
	weekly := mustSignIn(t, s, "oidc:weekly", "weekly@example.com")
	off := mustSignIn(t, s, "oidc:off", "off@example.com")
	gone := mustSignIn(t, s, "oidc:gone", "gone@example.com")
	for _, u := range []struct {
		id     int64
		digest account.Digest
	}{{daily.ID, account.DigestDaily}, {off.ID, account.DigestOff}, {author.ID, account.DigestOff}, {approver.ID, account.DigestOff}} {
		p, err := s.Profile(ctx, u.id)
		if err != nil {
			t.Fatal(err)
		}
		p.Digest = u.digest
		if err := s.SaveProfile(ctx, u.id, p); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE users SET active = 0 WHERE id = ?`, gone.ID); err != nil {
		t.Fatal(err)
	}

	recipients, err := s.DigestRecipients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range recipients {
		ids = append(ids, r.UserID)
		if r.LastPeriod != "" || !r.CoveredUntil.IsZero() {
			t.Errorf("recipient %+v before any digest, want no last period", r)
		}
	}
	if !slices.Equal(ids, []int64{daily.ID, weekly.ID}) {
		t.Fatalf("DigestRecipients = %v, want daily %d and weekly (the default) %d only", ids, daily.ID, weekly.ID)
	}
	if recipients[0].Digest != account.DigestDaily || recipients[1].Digest != account.DigestWeekly || recipients[1].Email != "weekly@example.com" {
		t.Errorf("recipients = %+v", recipients)
	}

	team, err := s.CreateGroup(ctx, "Team A", account.Team, author.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddToGroup(ctx, team, daily.ID, account.SourceManual, author.ID); err != nil {
		t.Fatal(err)
	}
	start := c.Now()
	c.Advance(time.Minute)
	forAll := notifyLivePost(t, s, author.ID, approver.ID, "For everyone")
	c.Advance(time.Minute)
	forTeam := notifyLivePost(t, s, author.ID, approver.ID, "For team A", team)
	c.Advance(time.Minute)
	got, err := s.DigestPosts(ctx, daily.ID, start, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != forTeam.ID || got[1].ID != forAll.ID {
		t.Errorf("DigestPosts for a team member = %v, want both, newest first", digestTitles(got))
	}
	if got, err := s.DigestPosts(ctx, weekly.ID, start, c.Now()); err != nil || len(got) != 1 || got[0].ID != forAll.ID {
		t.Errorf("DigestPosts for someone else = %v, want only the post for everyone (error: %v)", digestTitles(got), err)
	}
	if got, err := s.DigestPosts(ctx, daily.ID, forAll.WentLiveAt, c.Now()); err != nil || len(got) != 1 || got[0].ID != forTeam.ID {
		t.Errorf("DigestPosts after the first went live = %v, want only the later one (error: %v)", digestTitles(got), err)
	}
	if got, err := s.DigestPosts(ctx, daily.ID, start, forAll.WentLiveAt.Add(-time.Second)); err != nil || len(got) != 0 {
		t.Errorf("DigestPosts up to before either went live = %v, want none (error: %v)", digestTitles(got), err)
	}

	digest := &mail.Mail{To: daily.Email, Subject: "New to share", Body: "…", Kind: "digest", DedupeKey: "digest:x:day:2026-11-05"}
	ok, err := s.RecordDigest(ctx, daily.ID, "day:2026-11-05", c.Now(), digest)
	if err != nil || !ok {
		t.Fatalf("RecordDigest = %v, %v; want recorded", ok, err)
	}
	ok, err = s.RecordDigest(ctx, daily.ID, "day:2026-11-05", c.Now(), &mail.Mail{To: daily.Email, Subject: "again", Kind: "digest"})
	if err != nil || ok {
		t.Fatalf("RecordDigest for the same period = %v, %v; want not recorded again", ok, err)
	}
	if ok, err := s.RecordDigest(ctx, weekly.ID, "week:2026-W45", c.Now(), nil); err != nil || !ok {
		t.Fatalf("RecordDigest without mail = %v, %v; want recorded", ok, err)
	}
	outbox, err := s.Outbox(ctx, 0)
	if err != nil || len(outbox) != 1 || outbox[0].Subject != "New to share" {
		t.Fatalf("outbox = %+v, %v; want the one digest mail", outbox, err)
	}
	if recipients, err = s.DigestRecipients(ctx); err != nil || len(recipients) != 2 {
		t.Fatalf("recipients after digests = %+v, %v; want the two", recipients, err)
	}
	if recipients[0].LastPeriod != "day:2026-11-05" || !recipients[0].CoveredUntil.Equal(c.Now()) ||
		recipients[1].LastPeriod != "week:2026-W45" {
		t.Errorf("recipients after digests = %+v, want their periods recorded", recipients)
	}
	c.Advance(24 * time.Hour)
	if ok, err := s.RecordDigest(ctx, daily.ID, "day:2026-11-06", c.Now(), nil); err != nil || !ok {
		t.Errorf("RecordDigest for the next day = %v, %v; want recorded", ok, err)
	}
}

func digestTitles(posts []post.Post) []string {
	var out []string
	for _, p := range posts {
		out = append(out, p.Title)
	}
	return out
}
