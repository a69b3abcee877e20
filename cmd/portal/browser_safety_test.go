package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/advocacy-portal/portal/internal/concern"
	"github.com/advocacy-portal/portal/internal/training"
)

// safetyFeed is a small valid RSS feed a content source serves.
const safetyFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Industry weekly</title>
    <link>https://example.com/weekly</link>
    <description>News of the trade</description>
    <item>
      <title>Browser test: advocacy programmes grow</title>
      <link>https://example.com/weekly/advocacy-grows</link>
      <description>More companies ask their people to share.</description>
      <guid>https://example.com/weekly/advocacy-grows</guid>
      <pubDate>Mon, 02 Jun 2025 09:00:00 GMT</pubDate>
    </item>
  </channel>
</rss>`

// TestBrowserProgrammeSafety walks the four safety features in Chromium:
// a crisis pause and its resumption, a reported concern and its triage,
// the share cadence, and content sources turned into a draft post; each
// with its refusals.
func TestBrowserProgrammeSafety(t *testing.T) {
	dir := programmeOf(t, "disclosure")
	g, err := training.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("load the copied guidelines: %v", err)
	}
	disclosure, ok := g.Module("disclosure")
	if !ok {
		t.Fatal("the guidelines have no disclosure module")
	}
	// The test opens the portal's database itself to poll the sources:
	// the poller runs at start and then every half hour, and the pages
	// offer no "poll now".
	base := startPortal(t, "-guidelines", dir, "-sources-allow-private=true")
	feedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		io.WriteString(w, safetyFeed)
	}))
	t.Cleanup(feedSrv.Close)
	b := newBrowser(t, "safety-")

	// Sam unlocks sharing and notes the posts in his feed.
	b.signIn(base, "demo-sam", "Sam Patel")
	b.do("open the code of conduct",
		chromedp.Navigate(base+"/conduct"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="acknowledge"]`)),
	)
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`[data-testid="acknowledge"]`))); err != nil {
		b.fail("acknowledge", err)
	}
	b.takeQuiz(base, disclosure, true)
	if b.count(`[data-testid="passed"]`) != 1 {
		b.fail("pass disclosure", fmt.Errorf("the result page says %q", b.text(`[data-testid="attempt-result"]`)))
	}
	b.do("open the feed",
		chromedp.Navigate(base+"/feed"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="feed"] [data-testid^="post-"]`)),
	)
	cards, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('[data-testid="feed"] [data-testid^="post-"]')].map(e => e.dataset.testid)`))
	if err != nil {
		b.fail("read the feed", err)
	}
	if len(cards) < 2 {
		b.fail("read the feed", fmt.Errorf("the feed shows %v, want at least 2 posts", cards))
	}
	b.shot("01-feed")
	b.signOut()

	// 1. Crisis pause: Carlos pauses the programme.
	const reason = "Browser test: a storm hit our region; we hold posts while we help customers."
	b.signIn(base, "demo-carlos", "Carlos Mendes")
	b.do("open the pause page",
		chromedp.Navigate(base+"/pause"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pause-form"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="pause"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-reason"]`)),
	)
	if b.count(`[data-testid="active-pauses"] [data-testid="resume"]`) != 0 {
		t.Error("a pause without a reason was started")
	}
	b.shot("02-pause-no-reason")
	b.do("pause with a reason",
		chromedp.SendKeys(chromedp.CSS(`#reason`), reason),
		chromedp.SetValue(chromedp.CSS(`#scope`), "programme"),
		chromedp.Click(chromedp.CSS(`[data-testid="pause"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="paused"]`)),
	)
	if n := b.count(`[data-testid="active-pauses"] [data-testid="resume"]`); n != 1 {
		t.Errorf("%d pauses in force, want 1", n)
	}
	b.shot("03-paused")
	b.signOut()

	// Sam sees the banner, no posts to share, and a direct share is refused.
	b.signIn(base, "demo-sam", "Sam Patel")
	b.do("open the paused feed",
		chromedp.Navigate(base+"/feed"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pause-banner"]`)),
	)
	if got := b.text(`[data-testid="pause-reason"]`); !strings.Contains(got, reason) {
		t.Errorf("the banner says %q, want the reason %q", got, reason)
	}
	if n := b.count(`[data-testid="feed"] [data-testid^="post-"]`); n != 0 {
		t.Errorf("the paused feed shows %d posts, want none", n)
	}
	if n := b.count(`[data-testid^="share-"]`); n != 0 {
		t.Errorf("the paused feed offers %d share controls, want none", n)
	}
	b.shot("04-feed-paused")
	postID := strings.TrimPrefix(cards[0], "post-")
	refused := b.postForm("/posts/"+postID+"/share", map[string]string{"network": "linkedin", "text": "Sharing anyway"})
	if refused.Status != http.StatusConflict || !strings.Contains(refused.Body, "paused") {
		t.Errorf("a share of a paused post answers %d, want 409 saying it is paused", refused.Status)
	}

	// 2. Report a concern: Sam uses the footer link.
	b.do("open the concern form from the footer",
		chromedp.Click(chromedp.CSS(`[data-testid="report-concern-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="concern-form"]`)),
	)
	if loc := b.location(); loc.Path != "/concerns/new" {
		t.Errorf("the footer link leads to %s, want /concerns/new", loc.Path)
	}
	b.do("send an empty report",
		chromedp.Click(chromedp.CSS(`[data-testid="send-concern"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-problem"]`)),
	)
	if b.count(`[data-testid="error-description"]`) != 1 {
		t.Error("the empty report shows no error for the description")
	}
	b.shot("05-concern-empty")
	const worry = "Browser test: a journalist asked me on LinkedIn about the storm outage."
	b.do("fill in the report",
		chromedp.SendKeys(chromedp.CSS(`#concern-link`), "https://example.com/journalist/question"),
		chromedp.SetValue(chromedp.CSS(`#concern-kind`), "journalist"),
		chromedp.SendKeys(chromedp.CSS(`#concern-description`), worry),
		chromedp.Click(chromedp.CSS(`[data-testid="concern-urgent"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="send-concern"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="concern-created"]`)),
	)
	concernPath := b.location().Path
	concernID := strings.TrimPrefix(concernPath, "/concerns/")
	if got := b.attr(`[data-testid="concern-status"]`, "data-status"); got != concern.StatusNew {
		t.Errorf("the new report's status is %q, want %q", got, concern.StatusNew)
	}
	if b.count(`h1 [data-testid="urgent"]`) != 1 {
		t.Error("the report is not marked urgent")
	}
	if got := b.text(`[data-testid="concern-description"]`); got != worry {
		t.Errorf("the report says %q, want %q", got, worry)
	}
	if b.count(`[data-testid="concern-actions"]`) != 0 {
		t.Error("Sam, the reporter, is offered the triage actions")
	}
	b.shot("06-concern-sent")
	b.do("open my concerns",
		chromedp.Navigate(base+"/concerns"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="concern-`+concernID+`"]`)),
	)
	b.signOut()

	// Noor, another employee, may not see it.
	b.signIn(base, "demo-noor", "Noor de Vries")
	if got := b.fetch(concernPath); got.Status != http.StatusNotFound {
		t.Errorf("Noor gets %d for Sam's report, want 404", got.Status)
	}
	b.do("open Sam's report as Noor",
		chromedp.Navigate(base+concernPath),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-page"]`)),
	)
	if b.count(`[data-testid="concern-description"]`) != 0 {
		t.Error("Noor sees Sam's report")
	}
	b.shot("07-concern-not-noors")
	b.signOut()

	// Carlos, a point of contact, triages it and resumes the programme.
	b.signIn(base, "demo-carlos", "Carlos Mendes")
	row := `[data-testid="concern-` + concernID + `"]`
	b.do("open the triage queue",
		chromedp.Navigate(base+"/concerns"),
		chromedp.WaitVisible(chromedp.CSS(row)),
	)
	if b.count(row+` [data-testid="urgent"]`) != 1 {
		t.Error("the queue does not mark the report urgent")
	}
	b.shot("08-concern-queue")
	const answer = "Browser test: thanks, I will call the journalist back today."
	b.do("acknowledge the report",
		chromedp.Navigate(base+concernPath),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="acknowledge"]`)),
	)
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`[data-testid="acknowledge"]`))); err != nil {
		b.fail("acknowledge the report", err)
	}
	b.do("comment",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="concern-actions"]`)),
		chromedp.SendKeys(chromedp.CSS(`#comment`), answer),
	)
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`[data-testid="comment"]`))); err != nil {
		b.fail("comment on the report", err)
	}
	b.do("see the comment", chromedp.WaitVisible(chromedp.CSS(`[data-testid="concern-event"][data-action="commented"]`)))
	if got := b.attr(`[data-testid="concern-status"]`, "data-status"); got != concern.StatusAcknowledged {
		t.Errorf("the acknowledged report's status is %q, want %q", got, concern.StatusAcknowledged)
	}
	b.shot("09-concern-triaged")

	b.do("open the pause page",
		chromedp.Navigate(base+"/pause"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="active-pauses"] [data-testid="resume"]`)),
	)
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`[data-testid="active-pauses"] [data-testid="resume"]`))); err != nil {
		b.fail("resume", err)
	}
	b.do("see it resumed", chromedp.WaitVisible(chromedp.CSS(`[data-testid="resumed"]`)))
	if n := b.count(`[data-testid="active-pauses"] [data-testid="resume"]`); n != 0 {
		t.Errorf("%d pauses still in force after resuming", n)
	}
	if got := b.text(`[data-testid="pause-history"]`); !strings.Contains(got, reason) {
		t.Errorf("the pause history says %q, want the resumed pause", got)
	}
	b.shot("10-resumed")
	b.signOut()

	// 3. Share cadence: Alex sets a gentle limit of one a day.
	b.signIn(base, "demo-alex", "Alex Kowalski")
	b.do("set a limit of zero",
		chromedp.Navigate(base+"/admin/cadence"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="cadence-settings"]`)),
		chromedp.SetValue(chromedp.CSS(`#limit`), "0"),
	)
	// The browser itself refuses 0 (min="1"); switch its check off to see
	// the server's.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid="cadence-settings"]').noValidate = true`)); err != nil {
		b.fail("switch off the browser's validation", err)
	}
	b.do("save a limit of zero",
		chromedp.Click(chromedp.CSS(`[data-testid="save-settings"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-limit"]`)),
	)
	b.shot("11-cadence-zero")
	b.do("set a limit of one",
		chromedp.SetValue(chromedp.CSS(`#limit`), "1"),
		chromedp.Click(chromedp.CSS(`[data-testid="save-settings"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="saved"]`)),
	)
	if got, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(`#limit`))); err != nil || got != "1" {
		t.Errorf("the saved limit reads %q (%v), want 1", got, err)
	}
	b.shot("12-cadence-saved")
	b.signOut()

	// Sam sees his posts again, and the triaged report; then shares twice.
	b.signIn(base, "demo-sam", "Sam Patel")
	b.do("open the report",
		chromedp.Navigate(base+concernPath),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="concern-event"][data-action="commented"]`)),
	)
	if got := b.attr(`[data-testid="concern-status"]`, "data-status"); got != concern.StatusAcknowledged {
		t.Errorf("Sam sees the status %q, want %q", got, concern.StatusAcknowledged)
	}
	if got := b.text(`[data-testid="concern-event"][data-action="commented"]`); !strings.Contains(got, answer) {
		t.Errorf("Sam sees the comment %q, want %q", got, answer)
	}
	b.shot("13-concern-reporter")

	first := `[data-testid="feed"] [data-testid="` + cards[0] + `"]`
	second := `[data-testid="feed"] [data-testid="` + cards[1] + `"]`
	b.do("open the resumed feed",
		chromedp.Navigate(base+"/feed"),
		chromedp.WaitVisible(chromedp.CSS(first+` [data-testid="share-linkedin"]`)),
	)
	if b.count(`[data-testid="pause-banner"]`) != 0 {
		t.Error("the feed still shows the pause banner after resuming")
	}
	if n := b.count(`[data-testid="feed"] [data-testid^="post-"]`); n != len(cards) {
		t.Errorf("the resumed feed shows %d posts, want the %d from before the pause", n, len(cards))
	}
	b.shot("14-feed-resumed")
	intent := b.shareInNewTab(first+` [data-testid="share-linkedin"]`, "www.linkedin.com")
	if intent.Path != "/sharing/share-offsite/" {
		t.Errorf("the first share goes to %s, want LinkedIn's share page", intent)
	}
	b.do("reload the feed",
		chromedp.Navigate(base+"/feed"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="cadence-linkedin"]`)),
	)
	b.shot("15-cadence-note")

	// The second share of the day opens the explanation, in the new tab.
	ask := b.openInNewTab(second+` [data-testid="share-linkedin"]`, base)
	ask.do("see the explanation", chromedp.WaitVisible(chromedp.CSS(`[data-testid="cadence-ask"]`)))
	if ask.location().Host == "www.linkedin.com" {
		t.Error("the second share went straight to LinkedIn")
	}
	if ask.count(`[data-testid="back-to-feed"]`) != 1 {
		t.Error("the explanation offers no way back to the feed")
	}
	ask.shot("16-cadence-ask")
	ask.do("share anyway", chromedp.Click(chromedp.CSS(`[data-testid="share-anyway"]`)))
	if u := ask.waitTargetHost("www.linkedin.com"); u.Path != "/sharing/share-offsite/" {
		t.Errorf("sharing anyway goes to %s, want LinkedIn's share page", u)
	}
	ask.close()
	b.signOut()

	// 4. Content sources: Mei adds a feed and makes a draft of its item.
	b.signIn(base, "demo-mei", "Mei Lin")
	b.do("add a non-web source",
		chromedp.Navigate(base+"/sources"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="source-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#source-name`), "Industry weekly"),
		chromedp.SendKeys(chromedp.CSS(`#source-url`), "ftp://example.com/feed.xml"),
		chromedp.Click(chromedp.CSS(`[data-testid="source-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-url"]`)),
	)
	if b.count(`[data-testid="sources"] tbody tr`) != 0 {
		t.Error("a non-web source was added")
	}
	b.shot("17-source-refused")
	b.do("add the feed",
		chromedp.SetValue(chromedp.CSS(`#source-url`), feedSrv.URL+"/feed.xml"),
		chromedp.Click(chromedp.CSS(`[data-testid="source-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="source-added"]`)),
	)
	// Adding a source wakes the poller: the item arrives without waiting
	// for the next half-hourly poll.
	got := ""
	for range 50 {
		b.do("open the sources", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="sources"]`)))
		if got = b.text(`[data-testid="sources"] [data-testid="source-items"]`); got == "1" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got != "1" {
		t.Errorf("the source lists %s items, want 1", got)
	}
	if n := b.count(`[data-testid="sources"] [data-testid="source-error"]`); n != 0 {
		t.Errorf("the source shows an error: %q", b.text(`[data-testid="source-error"]`))
	}
	b.shot("18-sources")
	const itemTitle = "Browser test: advocacy programmes grow"
	b.do("open the queue",
		chromedp.Click(chromedp.CSS(`[data-testid="source-queue-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="source-items"]`)),
	)
	if got := b.text(`[data-testid="source-items"] [data-testid="source-item-link"]`); got != itemTitle {
		t.Errorf("the queue lists %q, want %q", got, itemTitle)
	}
	b.shot("19-source-items")
	b.do("make a draft",
		chromedp.Click(chromedp.CSS(`[data-testid="source-item-draft"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="post-form"]`)),
	)
	if loc := b.location(); !strings.HasPrefix(loc.Path, "/posts/") || !strings.HasSuffix(loc.Path, "/edit") {
		t.Errorf("the draft opens at %s, want /posts/<id>/edit", loc.Path)
	}
	if got, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(`#title`))); err != nil || got != itemTitle {
		t.Errorf("the draft's title is %q (%v), want %q", got, err, itemTitle)
	}
	if got, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(`#url`))); err != nil || got != "https://example.com/weekly/advocacy-grows" {
		t.Errorf("the draft's link is %q (%v), want the item's", got, err)
	}
	b.shot("20-draft")
}

// postForm POSTs a form to path from the page, with the browser's cookies
// and the page's CSRF token, without following redirects.
func (b *browser) postForm(path string, fields map[string]string) fetched {
	b.t.Helper()
	var js strings.Builder
	js.WriteString(`(() => { const f = new URLSearchParams(); f.set("_csrf", document.querySelector('input[name="_csrf"]').value);`)
	for k, v := range fields {
		fmt.Fprintf(&js, "f.set(%q, %q);", k, v)
	}
	fmt.Fprintf(&js, `return fetch(%q, {method: "POST", body: f, redirect: "manual"})
		.then(async r => ({status: r.status, type: r.headers.get("Content-Type") || "", body: await r.text()})); })()`, path)
	f, err := chromedp.Run(b.ctx, chromedp.Evaluate[fetched](js.String(), chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("post to "+path, err)
	}
	return f
}

// openInNewTab clicks a button whose form opens in a new tab at the portal
// (base), and returns that tab.
func (b *browser) openInNewTab(button, base string) *newTab {
	b.t.Helper()
	want, err := url.Parse(base)
	if err != nil {
		b.t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	ch := chromedp.WaitNewTarget(wctx, func(i *target.Info) bool {
		u, err := url.Parse(i.URL)
		return i.Type == "page" && err == nil && u.Host == want.Host
	})
	b.do("click "+button, chromedp.Click(chromedp.CSS(button)))
	var id target.ID
	select {
	case id = <-ch:
	case <-wctx.Done():
	}
	if id == "" {
		b.fail("wait for the new tab", fmt.Errorf("no new tab opened at %s", base))
	}
	tab, cancelTab := chromedp.NewContext(b.ctx, chromedp.WithTargetID(id))
	b.t.Cleanup(cancelTab)
	return &newTab{browser: &browser{t: b.t, ctx: tab, tab: tab, prefix: b.prefix}, id: id, closeTab: cancelTab}
}

// newTab is a tab a form opened.
type newTab struct {
	*browser
	id       target.ID
	closeTab context.CancelFunc
}

// waitTargetHost waits until the tab's address is at host, and returns it.
// Share pages do not load in tests: it reads the target's info, not the page.
func (b *newTab) waitTargetHost(host string) *url.URL {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		infos, err := chromedp.Targets(b.ctx)
		if err != nil {
			b.fail("list the tabs", err)
		}
		for _, i := range infos {
			if i.TargetID != b.id {
				continue
			}
			last = i.URL
			if u, err := url.Parse(i.URL); err == nil && u.Host == host {
				return u
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.fail("wait for "+host, fmt.Errorf("the tab stayed at %q", last))
	return nil
}

// close closes a tab opened by openInNewTab.
func (b *newTab) close() { b.closeTab() }
