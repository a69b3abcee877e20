package notify_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/notify"
)

// digestMails returns the digest mails in the outbox by recipient.
func (e *env) digestMails(t *testing.T) map[string][]mail.Mail {
	t.Helper()
	mails, err := e.store.Outbox(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]mail.Mail{}
	for _, m := range mails {
		if m.Kind == "digest" {
			out[m.To] = append(out[m.To], m)
		}
	}
	return out
}

func TestDigest(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	daily := e.user(t, "daily")
	e.setDigest(t, daily.ID, account.DigestDaily, "en")
	weekly := e.user(t, "weekly") // weekly is the default
	dutch := e.user(t, "dutch")
	e.setDigest(t, dutch.ID, account.DigestDaily, "nl")
	off := e.user(t, "off")
	e.setDigest(t, off.ID, account.DigestOff, "en")
	gone := e.user(t, "gone")
	db, err := sql.Open("sqlite", "file:"+e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE users SET active = 0 WHERE id = ?`, gone.ID); err != nil {
		t.Fatal(err)
	}
	team, err := e.store.CreateGroup(ctx, "Sales", account.Team, e.author.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []int64{daily.ID, off.ID, gone.ID} {
		if err := e.store.AddToGroup(ctx, team, u, account.SourceManual, e.author.ID); err != nil {
			t.Fatal(err)
		}
	}

	woken := func() bool {
		select {
		case <-e.store.MailQueued().C():
			return true
		default:
			return false
		}
	}
	woken() // setting up queued no mail, but take no chances
	job := &notify.Digest{Store: e.store, BaseURL: baseURL, Now: e.clock.Now}
	run := func(wantQueued int) {
		t.Helper()
		n, err := job.RunOnce(ctx)
		if err != nil || n != wantQueued {
			t.Fatalf("RunOnce at %v = %d, %v; want %d mails", e.clock.Now(), n, err, wantQueued)
		}
	}

	// Thursday: two posts went live, one of them for Sales only.
	e.clock.Advance(-2 * time.Hour)
	e.livePost(t, "Office opening")
	e.clock.Advance(time.Hour)
	e.livePost(t, "Sales kick-off", team)
	e.clock.Advance(time.Hour)
	run(3)
	if !woken() {
		t.Errorf("mail worker not woken")
	}
	mails := e.digestMails(t)
	for _, who := range []string{off.Email, gone.Email, e.author.Email} {
		if len(mails[who]) != 0 {
			t.Errorf("%s got %d digests, want none", who, len(mails[who]))
		}
	}
	wantPosts := map[string][]string{
		daily.Email:  {"Sales kick-off", "Office opening"},
		weekly.Email: {"Office opening"},
		dutch.Email:  {"Office opening"},
	}
	for who, titles := range wantPosts {
		if len(mails[who]) != 1 {
			t.Fatalf("%s got %d digests, want 1", who, len(mails[who]))
		}
		m := mails[who][0]
		if !strings.Contains(m.Body, baseURL+"/feed") || !strings.Contains(m.HTML, `<a href="`+baseURL+`/feed"`) {
			t.Errorf("%s: text or HTML does not link to the feed:\n%s\n%s", who, m.Body, m.HTML)
		}
		if !strings.HasPrefix(m.Unsubscribe, baseURL+notify.UnsubscribePath) || !strings.Contains(m.Body, m.Unsubscribe) ||
			!strings.Contains(m.HTML, `<a href="`+m.Unsubscribe+`"`) {
			t.Errorf("%s: unsubscribe address %q, not in the text and the HTML:\n%s", who, m.Unsubscribe, m.Body)
		}
		if m.ToName != "Test "+strings.TrimSuffix(who, "@example.com") {
			t.Errorf("%s: display name %q", who, m.ToName)
		}
		for _, title := range []string{"Office opening", "Sales kick-off"} {
			if got, want := strings.Contains(m.Body, "- "+title+"\n"), slices.Contains(titles, title); got != want {
				t.Errorf("%s: lists %q: %v, want %v\n%s", who, title, got, want, m.Body)
			}
		}
	}
	if m := mails[daily.Email][0]; m.Subject != "New to share: 2 posts" || !strings.HasPrefix(m.Body, "Hello Test daily,") ||
		m.DedupeKey != fmt.Sprintf("digest:%d:day:2026-11-05", daily.ID) {
		t.Errorf("daily mail = %q / %q / %q", m.Subject, m.DedupeKey, m.Body)
	}
	if m := mails[weekly.Email][0]; !strings.Contains(m.Body, "weekly digest") || m.DedupeKey != fmt.Sprintf("digest:%d:week:2026-W45", weekly.ID) {
		t.Errorf("weekly mail = %q / %q", m.DedupeKey, m.Body)
	}
	if m := mails[dutch.Email][0]; m.Subject != "Nieuw om te delen: 1 post" || !strings.HasPrefix(m.Body, "Hallo Test dutch,") ||
		!strings.Contains(m.Body, "Deel ze in je eigen woorden") || m.Lang != "nl" || !strings.Contains(m.HTML, `<html lang="nl">`) {
		t.Errorf("Dutch mail = %q / %q", m.Subject, m.Body)
	}

	// Later the same day: a new post, but every period is done.
	run(0)
	e.clock.Advance(time.Hour)
	e.livePost(t, "Afternoon news")
	run(0)

	// Friday: the daily people get what went live since; weekly waits.
	e.clock.Set(time.Date(2026, 11, 6, 0, 5, 0, 0, time.UTC))
	run(2)
	mails = e.digestMails(t)
	if got := mails[daily.Email]; len(got) != 2 || !strings.Contains(got[0].Body, "- Afternoon news\n") ||
		strings.Contains(got[0].Body, "Office opening") || got[0].Subject != "New to share: 1 post" {
		t.Errorf("Friday's daily digest = %+v, want only the afternoon post", got[0])
	}
	if len(mails[weekly.Email]) != 1 {
		t.Errorf("weekly got %d digests by Friday, want 1", len(mails[weekly.Email]))
	}

	// Saturday: nothing new, so no mail, and the day still counts as done.
	e.clock.Set(time.Date(2026, 11, 7, 8, 0, 0, 0, time.UTC))
	run(0)

	// The first run on Monday sends the weekly digest of the week's news.
	e.clock.Set(time.Date(2026, 11, 9, 13, 0, 0, 0, time.UTC))
	e.livePost(t, "Monday news")
	run(3) // daily, dutch and weekly
	mails = e.digestMails(t)
	if got := mails[weekly.Email]; len(got) != 2 || !strings.Contains(got[0].Body, "- Afternoon news\n") ||
		!strings.Contains(got[0].Body, "- Monday news\n") || strings.Contains(got[0].Body, "Office opening") ||
		got[0].DedupeKey != fmt.Sprintf("digest:%d:week:2026-W46", weekly.ID) {
		t.Errorf("Monday's weekly digest = %+v", got[0])
	}
	run(0)

	// Someone who turns the digest off gets nothing more.
	e.setDigest(t, daily.ID, account.DigestOff, "en")
	e.clock.Set(time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC))
	e.livePost(t, "Tuesday news")
	run(1) // the Dutch daily only
	if got := e.digestMails(t)[daily.Email]; len(got) != 3 {
		t.Errorf("after turning it off, %s has %d digests, want still 3", daily.Email, len(got))
	}
}

func TestPeriodKey(t *testing.T) {
	tests := []struct {
		d    account.Digest
		at   time.Time
		want string
	}{
		{account.DigestDaily, time.Date(2026, 11, 5, 23, 59, 0, 0, time.UTC), "day:2026-11-05"},
		{account.DigestDaily, time.Date(2026, 11, 6, 0, 30, 0, 0, time.FixedZone("CET", 3600)), "day:2026-11-05"}, // UTC day
		{account.DigestWeekly, time.Date(2026, 11, 8, 23, 0, 0, 0, time.UTC), "week:2026-W45"},                    // Sunday
		{account.DigestWeekly, time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC), "week:2026-W46"},                     // Monday
		{account.DigestWeekly, time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), "week:2026-W53"},                     // ISO year
		{account.DigestOff, time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC), ""},
	}
	for _, tt := range tests {
		if got := notify.PeriodKey(tt.d, tt.at); got != tt.want {
			t.Errorf("PeriodKey(%s, %v) = %q, want %q", tt.d, tt.at, got, tt.want)
		}
	}
}

// TestDigestUnsubscribeLink: the one-click link in a digest turns that
// person's digest off, and only theirs.
func TestDigestUnsubscribeLink(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	leaving := e.user(t, "leaving")
	e.setDigest(t, leaving.ID, account.DigestDaily, "en")
	staying := e.user(t, "staying")
	e.setDigest(t, staying.ID, account.DigestDaily, "en")
	job := &notify.Digest{Store: e.store, BaseURL: baseURL, Now: e.clock.Now}
	e.livePost(t, "Office opening")
	if n, err := job.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("RunOnce = %d, %v; want 2 digests", n, err)
	}
	mails := e.digestMails(t)
	if len(mails[leaving.Email]) != 1 {
		t.Fatalf("%s got %d digests, want 1", leaving.Email, len(mails[leaving.Email]))
	}
	token, ok := strings.CutPrefix(mails[leaving.Email][0].Unsubscribe, baseURL+notify.UnsubscribePath)
	if !ok {
		t.Fatalf("unsubscribe address %q is not under %s", mails[leaving.Email][0].Unsubscribe, baseURL+notify.UnsubscribePath)
	}
	if u, err := e.store.UnsubscribeDigest(ctx, token); err != nil || u.ID != leaving.ID {
		t.Fatalf("UnsubscribeDigest = user %d, %v; want %d", u.ID, err, leaving.ID)
	}

	e.clock.Advance(24 * time.Hour)
	e.livePost(t, "Next day's news")
	if n, err := job.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("next day's RunOnce = %d, %v; want 1 digest", n, err)
	}
	mails = e.digestMails(t)
	if len(mails[leaving.Email]) != 1 || len(mails[staying.Email]) != 2 {
		t.Errorf("after unsubscribing: %d and %d digests, want 1 (no new one) and 2", len(mails[leaving.Email]), len(mails[staying.Email]))
	}
}
