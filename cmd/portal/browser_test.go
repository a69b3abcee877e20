package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/advocacy-portal/portal/guidelines"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/training"
)

// artifactsDir is where browser tests save screenshots (git-ignored).
const artifactsDir = "testdata/artifacts"

// browserTimeout bounds each browser test's steps, after the browser started.
const browserTimeout = 60 * time.Second

// browser is a headless Chromium tab driven by a test.
type browser struct {
	t      *testing.T
	ctx    context.Context // the tab, with a deadline
	tab    context.Context // the tab, without one: for a last screenshot
	prefix string          // of screenshot names
}

// newBrowser starts a headless Chromium with a fresh profile and returns its
// first tab. It skips the test when there is no Chromium, unless
// PORTAL_REQUIRE_BROWSER is set. Screenshots are named prefix + name.
func newBrowser(t *testing.T, prefix string) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if _, statErr := os.Stat("/usr/bin/chromium"); statErr == nil {
			path, err = "/usr/bin/chromium", nil
		}
	}
	if err != nil {
		if os.Getenv("PORTAL_REQUIRE_BROWSER") != "" {
			t.Fatal("no chromium binary found, and PORTAL_REQUIRE_BROWSER is set")
		}
		t.Skip("no chromium binary found; install Debian's chromium to run the browser test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		// Only the portal and its demo provider resolve: share pages of the
		// networks fail at once, on a closed network and on an open one alike.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser; no deadline here
		t.Fatalf("start chromium at %s: %v", path, err)
	}
	tctx, cancelT := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(cancelT)
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if abs, err := filepath.Abs(artifactsDir); err == nil {
		t.Logf("screenshots go to %s", abs)
	}
	return &browser{t: t, ctx: tctx, tab: ctx, prefix: prefix}
}

// do runs steps and fails the test, with a screenshot, if one fails.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail(what, err)
	}
}

// fail saves a screenshot of the page as it is, and stops the test.
func (b *browser) fail(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	loc, locErr := chromedp.Run(ctx, chromedp.Location())
	if locErr != nil {
		loc = "unknown: " + locErr.Error()
	}
	if png, shotErr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); shotErr == nil {
		name := filepath.Join(artifactsDir, b.prefix+"failed.png")
		if os.WriteFile(name, png, 0o644) == nil {
			b.t.Logf("screenshot of the failure: %s", name)
		}
	}
	b.t.Fatalf("%s (page %s): %v", what, loc, err)
}

// text returns the text of the first element matching css.
func (b *browser) text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.fail("read "+css, err)
	}
	return strings.TrimSpace(s)
}

// attr returns an attribute of the first element matching css.
func (b *browser) attr(css, name string) string {
	b.t.Helper()
	a, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(css), name))
	if err != nil {
		b.fail("read "+name+" of "+css, err)
	}
	if !a.Exists {
		b.fail("read "+name+" of "+css, fmt.Errorf("no attribute %s", name))
	}
	return a.Value
}

// location returns the address of the page.
func (b *browser) location() *url.URL {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail("read the location", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.fail("parse the location", err)
	}
	return u
}

// count returns how many elements match css right now.
func (b *browser) count(css string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", css)))
	if err != nil {
		b.fail("count "+css, err)
	}
	return n
}

// shot saves a full-page PNG screenshot as prefix + name + ".png".
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail("screenshot "+name, err)
	}
	file := filepath.Join(artifactsDir, b.prefix+name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Errorf("save screenshot: %v", err)
	}
}

// signIn signs in as subject through the demo provider, starting from the
// login page.
func (b *browser) signIn(base, subject, wantName string) {
	b.t.Helper()
	b.do("sign in as "+subject,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="provider"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="provider"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pick-`+subject+`"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="pick-`+subject+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in-as"]`)),
	)
	if got := b.text(`[data-testid="signed-in-as"]`); got != wantName {
		b.t.Fatalf("signed in as %q, want %q", got, wantName)
	}
}

// TestBrowserJourney walks the employee Sam Patel through the portal in
// Chromium: sign-in through the demo provider, the locked feed, the code of
// conduct, the quiz, sharing a post and seeing its reach.
func TestBrowserJourney(t *testing.T) {
	base := startPortal(t)
	b := newBrowser(t, "")

	b.do("open the home page",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home"]`)),
	)
	b.shot("01-home")

	b.do("go to the demo provider",
		chromedp.Click(chromedp.CSS(`[data-testid="sign-in-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="provider"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="provider"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pick-demo-sam"]`)),
	)
	if idp := b.location(); idp.Path != "/authorize" || strings.HasPrefix(base, "http://"+idp.Host) {
		t.Errorf("the picker is at %s, want the demo provider's /authorize", idp)
	}
	b.shot("02-idp")

	b.do("pick Sam Patel",
		chromedp.Click(chromedp.CSS(`[data-testid="pick-demo-sam"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="feed-locked"]`)),
	)
	if loc := b.location(); loc.String() != base+"/feed" {
		t.Errorf("signed in at %s, want %s/feed", loc, base)
	}
	if got := b.text(`[data-testid="signed-in-as"]`); got != "Sam Patel" {
		t.Errorf("signed in as %q, want Sam Patel", got)
	}
	g := loadEmbedded(t)
	for _, step := range append([]string{"missing-conduct"}, prefixed("missing-module-", g.Required)...) {
		if b.count(`[data-testid="feed-locked"] [data-testid="`+step+`"]`) != 1 {
			t.Errorf("the locked feed does not list %s", step)
		}
	}
	if b.count(`[data-testid^="share-"]`) != 0 {
		t.Error("the locked feed offers share buttons")
	}
	b.shot("03-feed-locked")

	b.do("acknowledge the code of conduct",
		chromedp.Click(chromedp.CSS(`[data-testid="missing-conduct"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="acknowledge"]`)),
	)
	b.shot("04-conduct")
	b.do("acknowledge",
		chromedp.Click(chromedp.CSS(`[data-testid="acknowledge"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="quiz-start"]`)),
	)
	if loc := b.location(); loc.Path != "/training/"+g.Required[0] {
		t.Errorf("after acknowledging, the next step is %s, want /training/%s", loc.Path, g.Required[0])
	}

	for i, id := range g.Required {
		m, ok := g.Module(id)
		if !ok {
			t.Fatalf("the guidelines have no module %q", id)
		}
		b.do("open "+id,
			chromedp.Navigate(base+"/training/"+id),
			chromedp.Click(chromedp.CSS(`[data-testid="start-quiz"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="question-form"]`)),
		)
		if i == 0 {
			b.do("send no answer",
				chromedp.Click(chromedp.CSS(`[data-testid="submit-answer"]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="quiz-problem"]`)),
			)
		}
		for n := range m.In("en").Questions {
			q := b.attr(`input[name="question"]`, "value")
			question, ok := findQuestion(m, q)
			if !ok {
				b.fail("read the question", fmt.Errorf("question %q is not in %s", q, id))
			}
			answer := `[data-testid="answer-` + q + `-` + correctOption(t, question) + `"]`
			b.do("answer "+q, chromedp.Click(chromedp.CSS(answer)))
			if i == 0 && n == 1 {
				b.shot("05-question")
			}
			// Click does not wait for the next page; RunResponse does.
			if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`[data-testid="submit-answer"]`))); err != nil {
				b.fail("submit "+q, err)
			}
			b.do("see the next page", chromedp.WaitVisible(chromedp.CSS(`[data-testid="question-form"], [data-testid="attempt-result"]`)))
		}
		if b.count(`[data-testid="passed"]`) != 1 {
			b.fail("pass "+id, fmt.Errorf("the result page says %q", b.text(`[data-testid="attempt-result"]`)))
		}
		if want := fmt.Sprintf("%d / %d", len(m.In("en").Questions), len(m.In("en").Questions)); b.text(`[data-testid="score"]`) != want {
			t.Errorf("%s: score %q, want %q", id, b.text(`[data-testid="score"]`), want)
		}
	}
	b.shot("06-result")

	b.do("go to the feed",
		chromedp.Click(chromedp.CSS(`[data-testid="go-to-feed"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="feed"] [data-testid^="post-"]`)),
	)
	if n := b.count(`[data-testid="feed"] [data-testid^="post-"]`); n != 2 {
		t.Errorf("the feed shows %d posts, want the 2 live demo posts", n)
	}
	b.shot("07-feed")

	card := b.attr(`[data-testid="feed"] [data-testid^="post-"]`, "data-testid")
	postID := strings.TrimPrefix(card, "post-")
	inCard := func(sel string) string { return `[data-testid="` + card + `"] ` + sel }
	postURL := b.attr(inCard(`a.post-link`), "href")
	if b.count(inCard(`[data-testid="shared-marker"]`)) != 0 {
		t.Errorf("%s is marked as shared before any share", card)
	}

	intent := b.shareInNewTab(inCard(`[data-testid="share-linkedin"]`), "www.linkedin.com")
	if intent.Scheme != "https" || intent.Path != "/sharing/share-offsite/" {
		t.Errorf("the LinkedIn share page is %s, want https://www.linkedin.com/sharing/share-offsite/", intent)
	}
	tracked := intent.Query().Get("url")
	if !strings.HasPrefix(tracked, base+"/l/") || len(tracked) <= len(base+"/l/") {
		t.Fatalf("the share page gets the link %q, want a tracked link %s/l/<code>", tracked, base)
	}

	// A link checker looks at the tracked link; that is not a click.
	resp, err := noRedirectClient(t).Head(tracked)
	if err != nil {
		t.Fatalf("HEAD %s: %v", tracked, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("HEAD the tracked link: status %d, want 302", resp.StatusCode)
	}

	// A visitor follows the tracked link, in a browser: Go's own user
	// agent would count as a bot.
	visit, err := http.NewRequest(http.MethodGet, tracked, nil)
	if err != nil {
		t.Fatal(err)
	}
	visit.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0")
	resp, err = noRedirectClient(t).Do(visit)
	if err != nil {
		t.Fatalf("GET %s: %v", tracked, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("GET the tracked link: status %d, want 302", resp.StatusCode)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("the tracked link's Cache-Control is %q, want no-store", got)
	}
	target := resp.Header.Get("Location")
	t.Logf("the tracked link %s redirects to %s", tracked, target)
	if !strings.HasPrefix(target, postURL+"?") {
		t.Errorf("the tracked link goes to %q, want the post's URL %s with UTM parameters", target, postURL)
	} else if u, err := url.Parse(target); err != nil {
		t.Errorf("the tracked link goes to %q: %v", target, err)
	} else if q := u.Query(); q.Get("utm_source") != "linkedin" || q.Get("utm_medium") != "employee_advocacy" {
		t.Errorf("the tracked link goes to %q, want utm_source=linkedin and utm_medium=employee_advocacy", target)
	}

	b.do("reload the feed",
		chromedp.Navigate(base+"/feed"),
		chromedp.WaitVisible(chromedp.CSS(inCard(`[data-testid="shared-marker"]`))),
	)
	if got := b.attr(inCard(`[data-testid="share-linkedin"]`), "data-shared"); got != "true" {
		t.Errorf("the LinkedIn button has data-shared=%q, want true", got)
	}

	b.do("copy the link",
		chromedp.Click(chromedp.CSS(inCard(`[data-testid="share-copy"]`))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="tracked-link"]`)),
	)
	copied, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(`[data-testid="tracked-link"]`)))
	if err != nil {
		b.fail("read the tracked link", err)
	}
	if !strings.HasPrefix(copied, base+"/l/") || copied == tracked {
		t.Errorf("the copy-link page shows %q, want a tracked link of its own under %s/l/", copied, base)
	}
	b.shot("08-copy-link")

	// The portal rolls clicks up every second: my reach shows the click
	// within a few reloads.
	row := `[data-testid="reach-` + postID + `"]`
	var got string
	for range 20 {
		b.do("open my reach",
			chromedp.Navigate(base+"/my/reach"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="reach"] `+row)),
		)
		if got = b.text(row + ` [data-testid="clicks"]`); got != "0" {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if got != "1" {
		t.Errorf("my reach shows %s clicks for post %s, want 1 (the GET; the HEAD does not count)", got, postID)
	}
	if got := b.text(row + ` [data-testid="shares"]`); got != "2" {
		t.Errorf("my reach shows %s shares for post %s, want 2 (LinkedIn and copy link)", got, postID)
	}
	if n := b.count(`[data-testid="reach"] tbody tr`); n != 1 {
		t.Errorf("my reach lists %d posts, want only the shared one", n)
	}
	b.shot("09-my-reach")

	// Communications see the same click on the programme dashboard (the
	// demo company has no clicks of its own).
	b.signOut()
	b.signIn(base, "demo-mei", "Mei Lin")
	b.do("open the programme dashboard",
		chromedp.Navigate(base+"/reach"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="posts"] `+row)),
	)
	if got := b.text(`[data-testid="posts"] ` + row + ` [data-testid="clicks"]`); got != "1" {
		t.Errorf("the programme dashboard shows %s clicks for post %s, want 1", got, postID)
	}
	if got := b.text(`[data-testid="value-clicks"]`); got != "1" {
		t.Errorf("the programme dashboard's clicks figure is %s, want 1", got)
	}
	b.shot("10-programme-reach")
}

// shareInNewTab clicks a share button whose form opens in a new tab, and
// returns the address of the network's share page that tab was sent to.
// Share pages do not load in tests, so it reads the address from the new
// target's info rather than from the page.
func (b *browser) shareInNewTab(button, host string) *url.URL {
	b.t.Helper()
	var (
		mu    sync.Mutex
		found string
	)
	wctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	ch := chromedp.WaitNewTarget(wctx, func(i *target.Info) bool {
		u, err := url.Parse(i.URL)
		if i.Type != "page" || err != nil || u.Host != host {
			return false
		}
		mu.Lock()
		found = i.URL
		mu.Unlock()
		return true
	})
	b.do("click "+button, chromedp.Click(chromedp.CSS(button)))
	var id target.ID
	select {
	case id = <-ch:
	case <-wctx.Done():
	}
	if id == "" {
		b.fail("wait for the share tab", fmt.Errorf("no new tab opened at %s", host))
	}
	tab, cancelTab := chromedp.NewContext(b.ctx, chromedp.WithTargetID(id))
	if loc, err := chromedp.Run(tab, chromedp.Location()); err == nil {
		b.t.Logf("the share tab shows %s", loc)
	}
	cancelTab() // closes the tab
	mu.Lock()
	defer mu.Unlock()
	u, err := url.Parse(found)
	if err != nil {
		b.fail("parse the share page's address", err)
	}
	return u
}

// loadEmbedded returns the embedded guidelines as the portal loads them.
func loadEmbedded(t *testing.T) *training.Guidelines {
	t.Helper()
	g, err := training.Load(guidelines.FS())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func findQuestion(m training.Module, id string) (training.Question, bool) {
	for _, q := range m.In("en").Questions {
		if q.ID == id {
			return q, true
		}
	}
	return training.Question{}, false
}

func prefixed(prefix string, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = prefix + id
	}
	return out
}

// correctOption returns the id of the right answer to q.
func correctOption(t *testing.T, q training.Question) string {
	t.Helper()
	for _, o := range q.Options {
		if o.Correct {
			return o.ID
		}
	}
	t.Fatalf("question %s has no correct option", q.ID)
	return ""
}

// TestBrowserCommsApprovesPost has one comms editor write a post and send it
// for review, and another approve it: the four-eyes rule in the browser.
func TestBrowserCommsApprovesPost(t *testing.T) {
	base := startPortal(t)
	b := newBrowser(t, "comms-")

	b.signIn(base, "demo-mei", "Mei Lin")
	b.do("open a new post",
		chromedp.Navigate(base+"/posts/new"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="post-form"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="save-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-problem"]`)),
	)
	for _, field := range []string{"title", "url", "category"} {
		if b.count(`[data-testid="error-`+field+`"]`) != 1 {
			t.Errorf("the empty form shows no error for %s", field)
		}
	}
	b.shot("01-form-problem")

	title := "Browser test: our new support hours"
	b.do("fill in the post",
		chromedp.SendKeys(chromedp.CSS(`#title`), title),
		chromedp.SendKeys(chromedp.CSS(`#url`), "https://example.com/news/support-hours"),
		chromedp.SetValue(chromedp.CSS(`#category`), string(post.CompanyNews)),
		chromedp.SendKeys(chromedp.CSS(`#sg-text-0`), "Support now answers around the clock."),
	)
	b.shot("02-form-filled")
	b.do("save and send for review",
		chromedp.Click(chromedp.CSS(`[data-testid="save-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="post-detail"]`)),
	)
	postPath := b.location().Path
	if !strings.HasPrefix(postPath, "/posts/") {
		t.Fatalf("after saving, the browser is at %s, want /posts/<id>", postPath)
	}
	if got := b.text(`[data-testid="status"]`); got != "In review" {
		t.Errorf("the new post's status is %q, want In review", got)
	}
	if got := b.text(`h1`); got != title {
		t.Errorf("the post page's heading is %q, want %q", got, title)
	}
	if b.count(`[data-testid="approve-post"]`) != 0 {
		t.Error("Mei may approve her own post; the four-eyes rule should stop her")
	}
	b.shot("03-in-review")

	b.do("sign out",
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home"]`)),
	)
	if b.count(`[data-testid="signed-in-as"]`) != 0 {
		t.Error("still signed in after signing out")
	}

	b.signIn(base, "demo-carlos", "Carlos Mendes")
	b.do("open the post",
		chromedp.Navigate(base+postPath),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="approve-post"]`)),
	)
	b.shot("04-review")
	b.do("approve",
		chromedp.Click(chromedp.CSS(`[data-testid="approve-post"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="live"]`)),
	)
	if got := b.text(`[data-testid="status"]`); got != "Live" {
		t.Errorf("the approved post's phase is %q, want Live", got)
	}
	if b.count(`[data-testid="approve-post"]`) != 0 {
		t.Error("the approved post still offers approval")
	}
	b.shot("05-live")
}
