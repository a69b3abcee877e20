package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/advocacy-portal/portal/guidelines"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/training"
)

// TestBrowserContentJourney follows one post from the comms desk to an
// employee's LinkedIn: Mei Lin writes it with an image and suggestions per
// network, watching the live preview; she cannot approve it herself;
// Carlos Mendes approves it and it goes live; Sam Patel, once trained,
// finds it in his feed, edits the words and shares it to LinkedIn and X;
// and the post's history shows every step.
func TestBrowserContentJourney(t *testing.T) {
	dir := programmeOf(t, "disclosure")
	g, err := training.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("load the copied guidelines: %v", err)
	}
	if len(g.Required) != 1 || g.Required[0] != "disclosure" {
		t.Fatalf("the copied programme requires %v, want disclosure alone", g.Required)
	}
	disclosure, ok := g.Module("disclosure")
	if !ok {
		t.Fatal("the guidelines have no disclosure module")
	}
	base := startPortal(t, "-guidelines", dir)
	imagePath := writePNG(t)
	b := newBrowser(t, "content-")

	// Mei writes the post and watches the preview.
	b.signIn(base, "demo-mei", "Mei Lin")
	const (
		title    = "Browser test: our office opens in Lisbon"
		link     = "https://example.com/news/lisbon-office"
		xText    = "Olá Lisbon: our new office opens today"
		anyText  = "We opened an office in Lisbon, with room for sixty people and a view of the river."
		hashtags = "#employee #lisbon"
	)
	xCount := `[data-testid="preview-x"] [data-testid="count"]`
	b.do("open a new post",
		chromedp.Navigate(base+"/posts/new"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="post-form"]`)),
		chromedp.WaitVisible(chromedp.CSS(xCount)),
	)
	// Empty, the X share page would hold the tracked link alone: 23.
	if got := b.text(xCount); got != "23 / 280" {
		t.Errorf("the empty form's X count is %q, want 23 / 280 (the link)", got)
	}
	b.shot("01-new-post")

	b.do("fill in the post",
		chromedp.SendKeys(chromedp.CSS(`#title`), title),
		chromedp.SendKeys(chromedp.CSS(`#url`), link),
		chromedp.SetValue(chromedp.CSS(`#sg-net-0`), "x"),
		chromedp.SendKeys(chromedp.CSS(`#sg-text-0`), xText),
		chromedp.SendKeys(chromedp.CSS(`#sg-text-1`), anyText),
		chromedp.SendKeys(chromedp.CSS(`#hashtags`), hashtags),
		chromedp.SetValue(chromedp.CSS(`#category`), string(post.CompanyNews)),
		chromedp.SetUploadFiles(chromedp.CSS(`#image`), []string{imagePath}),
	)
	// X counts the text, a space and the link as 23: the hashtags are
	// added to a suggestion without any.
	xShared := xText + " " + hashtags
	want := fmt.Sprintf("%d / 280", len([]rune(xShared))+1+23)
	// htmx swaps the preview as she types: read it in one go once the
	// count is right.
	type preview struct{ X, LinkedIn, Link string }
	pv, err := chromedp.Run(b.ctx, chromedp.Poll[preview](fmt.Sprintf(`(() => {
		const q = s => document.querySelector(s)?.textContent.trim() ?? "";
		if (q(%q) !== %q) return null;
		return {x: q('[data-testid="preview-x"] .preview-text'), linkedIn: q('[data-testid="preview-linkedin"] .preview-text'),
			link: q('[data-testid="preview-x"] .post-link')};
	})()`, xCount, want), chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		b.fail("see the X count update", fmt.Errorf("it reads %q, want %q: %w", b.text(xCount), want, err))
	}
	if pv.X != xShared {
		t.Errorf("the X preview shows %q, want %q", pv.X, xShared)
	}
	if pv.LinkedIn != anyText+" "+hashtags {
		t.Errorf("the LinkedIn preview shows %q, want the any-network suggestion with the hashtags", pv.LinkedIn)
	}
	if !strings.HasPrefix(pv.Link, base+"/l/") {
		t.Errorf("the X preview's link is %q, want a tracked link under %s/l/", pv.Link, base)
	}
	b.shot("02-form-filled")

	b.do("save and send for review",
		chromedp.Click(chromedp.CSS(`[data-testid="save-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="post-detail"]`)),
	)
	postPath := b.location().Path
	postID := strings.TrimPrefix(postPath, "/posts/")
	if !regexp.MustCompile(`^[0-9]+$`).MatchString(postID) {
		t.Fatalf("after saving, the browser is at %s, want /posts/<id>", postPath)
	}
	if got := b.text(`[data-testid="status"]`); got != "In review" {
		t.Errorf("the new post's status is %q, want In review", got)
	}
	if b.count(`[data-testid="approve-post"]`) != 0 {
		t.Error("Mei may approve her own post; the four-eyes rule should stop her")
	}
	if b.count(`[data-testid="post-image"]`) != 1 {
		t.Error("the post page shows no image")
	}
	b.shot("03-in-review")
	b.signOut()

	// Carlos approves it.
	b.signIn(base, "demo-carlos", "Carlos Mendes")
	b.do("open the post",
		chromedp.Navigate(base+postPath),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="approve-post"]`)),
	)
	b.shot("04-to-approve")
	b.do("approve",
		chromedp.Click(chromedp.CSS(`[data-testid="approve-post"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="live"]`)),
	)
	if got := b.text(`[data-testid="status"]`); got != "Live" {
		t.Errorf("the approved post's phase is %q, want Live", got)
	}
	b.waitImage(`[data-testid="post-image"]`)
	img := b.fetch(b.attr(`[data-testid="post-image"]`, "src"))
	if img.Status != 200 || img.Type != "image/png" {
		t.Errorf("the post's image answers %d %q, want 200 image/png", img.Status, img.Type)
	}
	b.shot("05-live")
	b.signOut()

	// Sam passes the one required module, and shares the post.
	b.signIn(base, "demo-sam", "Sam Patel")
	b.do("acknowledge the code of conduct",
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
	card := `[data-testid="feed"] [data-testid="post-` + postID + `"]`
	b.do("open the feed",
		chromedp.Navigate(base+"/feed"),
		chromedp.WaitVisible(chromedp.CSS(card)),
	)
	if got := b.attr(`[data-testid="feed"] [data-testid^="post-"]`, "data-testid"); got != "post-"+postID {
		t.Errorf("the feed starts with %s, want the newest post, post-%s", got, postID)
	}
	if got := b.text(card + ` h2`); got != title {
		t.Errorf("the feed card is headed %q, want %q", got, title)
	}
	b.waitImage(card + ` img.post-image`)
	if got := b.attr(card+` textarea[data-testid="share-text"]`, "id"); got == "" {
		t.Error("the share text has no id for its label")
	}
	offered, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(card+` [data-testid="share-text"]`)))
	if err != nil {
		b.fail("read the offered text", err)
	}
	if offered != anyText+" "+hashtags {
		t.Errorf("the feed offers %q, want the any-network suggestion with the hashtags", offered)
	}
	mine := "Proud of the team: Lisbon is open! #employee"
	b.do("edit the text",
		chromedp.Clear(chromedp.CSS(card+` [data-testid="share-text"]`)),
		chromedp.SendKeys(chromedp.CSS(card+` [data-testid="share-text"]`), mine),
	)
	b.shot("06-feed")

	intent := b.shareInNewTab(card+` [data-testid="share-linkedin"]`, "www.linkedin.com")
	if intent.Scheme != "https" || intent.Path != "/sharing/share-offsite/" {
		t.Errorf("the LinkedIn share page is %s, want https://www.linkedin.com/sharing/share-offsite/", intent)
	}
	linkedIn := intent.Query().Get("url")
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `/l/[A-Za-z0-9_-]+$`).MatchString(linkedIn) {
		t.Errorf("LinkedIn gets the link %q, want %s/l/<code>", linkedIn, base)
	}

	intent = b.shareInNewTab(card+` [data-testid="share-x"]`, "x.com")
	if intent.Path != "/intent/post" {
		t.Errorf("the X share page is %s, want https://x.com/intent/post", intent)
	}
	if got := intent.Query().Get("text"); got != mine {
		t.Errorf("X gets the text %q, want Sam's own words %q", got, mine)
	}
	if got := intent.Query().Get("url"); !strings.HasPrefix(got, base+"/l/") || got == linkedIn {
		t.Errorf("X gets the link %q, want a tracked link of its own (LinkedIn's is %s)", got, linkedIn)
	}
	b.do("reload the feed",
		chromedp.Navigate(base+"/feed"),
		chromedp.WaitVisible(chromedp.CSS(card+` [data-testid="shared-marker"]`)),
	)
	b.shot("07-shared")
	b.signOut()

	// Mei reads the history.
	b.signIn(base, "demo-mei", "Mei Lin")
	b.do("open the post", chromedp.Navigate(base+postPath), chromedp.WaitVisible(chromedp.CSS(`[data-testid="history"]`)))
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelectorAll('[data-testid="history"] li').length >= 3`,
		chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.do("reload the post", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="history"]`)))
	}
	steps, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('[data-testid="history"] li')].map(li => li.textContent.replace(/\s+/g, " ").trim())`))
	if err != nil {
		b.fail("read the history", err)
	}
	wantSteps := []string{
		"Mei Lin created it as a draft",
		"Mei Lin moved it from Draft to In review",
		"Carlos Mendes moved it from In review to Approved",
		"Went live",
	}
	if len(steps) != len(wantSteps) {
		t.Errorf("the history has %d steps, want %d:\n%s", len(steps), len(wantSteps), strings.Join(steps, "\n"))
	}
	for i, w := range wantSteps {
		if i >= len(steps) || !strings.HasPrefix(steps[i], w) {
			t.Errorf("history step %d is %q, want it to start with %q", i+1, at(steps, i), w)
		}
	}
	b.shot("08-history")
}

// TestBrowserContentScreens saves a screenshot of each content page as the
// demo user who uses it, for people to look at: review-*.png. It runs only
// when PORTAL_SCREENS is set.
func TestBrowserContentScreens(t *testing.T) {
	if os.Getenv("PORTAL_SCREENS") == "" {
		t.Skip("set PORTAL_SCREENS=1 to save screenshots of the content pages")
	}
	base := startPortal(t)
	b := newBrowser(t, "review-")
	visit := func(path, name, wait string) {
		t.Helper()
		b.do("open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(wait)))
		time.Sleep(600 * time.Millisecond) // htmx fragments
		b.shot(name)
	}
	b.signIn(base, "demo-mei", "Mei Lin")
	visit("/posts", "posts", `[data-testid="posts"]`)
	visit("/posts/new", "post-new", `[data-testid="preview-x"]`)
	visit("/posts", "posts", `[data-testid="posts"]`)
	b.do("open a post", chromedp.Click(chromedp.CSS(`[data-testid="posts"] tbody tr a`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="post-detail"]`)))
	b.shot("post")
	visit("/review", "review", `main`)
	visit("/calendar", "calendar-month", `main`)
	y, w := time.Now().ISOWeek()
	visit(fmt.Sprintf("/calendar?week=%d-W%02d", y, w), "calendar-week", `main`)
	visit("/campaigns", "campaigns", `main`)
	visit("/reach", "reach", `main`)
	visit("/profile", "profile-mei", `main`)
	b.signOut()

	b.signIn(base, "demo-sam", "Sam Patel")
	visit("/feed", "feed-locked", `main`)
	visit("/suggest", "suggest", `main`)
	visit("/my/shares", "my-shares", `main`)
	visit("/profile", "profile", `main`)
	b.signOut()

	b.signIn(base, "demo-alex", "Alex Kowalski")
	visit("/admin/content", "admin-content", `main`)
	visit("/admin/notifications", "admin-notifications", `main`)
	visit("/admin/outbox", "admin-outbox", `main`)
	visit("/admin/training", "admin-training", `main`)
	b.do("narrow window", chromedp.EmulateViewport(390, 844))
	visit("/posts/new", "mobile-post-new", `[data-testid="post-form"]`)
	visit("/calendar", "mobile-calendar", `main`)
}

// programmeOf copies the embedded guidelines into a temporary folder whose
// programme requires only the given modules, and returns the folder.
func programmeOf(t *testing.T, modules ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, guidelines.FS()); err != nil {
		t.Fatalf("copy the embedded guidelines: %v", err)
	}
	file := filepath.Join(dir, "programme.yaml")
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	required := regexp.MustCompile(`(?m)^required:\s*\n(?:\s+-.*\n?)+`)
	if !required.Match(text) {
		t.Fatalf("%s has no required: list", file)
	}
	text = required.ReplaceAll(text, []byte("required: ["+strings.Join(modules, ", ")+"]\n"))
	if err := os.WriteFile(file, text, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writePNG writes a small PNG, a blue banner with a white stripe, and
// returns its path.
func writePNG(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 60))
	for y := range 60 {
		for x := range 120 {
			c := color.RGBA{0x1d, 0x4e, 0xd8, 0xff}
			if y >= 25 && y < 35 {
				c = color.RGBA{0xff, 0xff, 0xff, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), "lisbon.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitImage waits until the image matching css has loaded.
func (b *browser) waitImage(css string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](fmt.Sprintf(
		`(() => { const i = document.querySelector(%q); return !!i && i.complete && i.naturalWidth > 0 })()`, css),
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		b.fail("see the image "+css+" loaded", err)
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}
