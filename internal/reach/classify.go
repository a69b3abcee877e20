package reach

import (
	"strings"
	"sync"

	"github.com/x-way/crawlerdetect"
)

// Kind is what a request to a tracked link was: a person's click, a link
// preview, or a bot. Its value is the kind stored with the click.
type Kind string

// The kinds of request.
const (
	Click   Kind = "click"   // a person followed the link
	Preview Kind = "preview" // a link-preview fetcher, or any HEAD request
	Bot     Kind = "bot"     // a crawler, a script, an unknown client, or no user agent
)

// previewFetchers are substrings of the user agents of the services that
// fetch a link to show its preview where it was shared. The product counts
// them apart from bots (PRODUCT.md, "Reach: definitions").
var previewFetchers = []string{
	"LinkedInBot",
	"facebookexternalhit", "facebookcatalog", "Facebot",
	"Twitterbot",
	"Slackbot", "Slack-ImgProxy",
	"WhatsApp/",
	"Discordbot",
	"TelegramBot",
	"SkypeUriPreview", "MicrosoftPreview",
	"XING-contenttabreceiver",
	"Bluesky Cardyb",
	"Mastodon/", // Mastodon servers fetch link cards: "http.rb/5.1 (Mastodon/4.2; +https://…)"
	"redditbot", "Pinterestbot", "vkShare", "Iframely", "Embedly", "Snap URL Preview", "Mattermost-Bot",
}

// Classify tells what a request to a tracked link was:
//
//   - a HEAD request is a preview (link checkers and unfurlers use them);
//   - a request without a user agent is a bot;
//   - a user agent of one of the link-preview fetchers above is a preview.
//     They are checked first because the crawler list below flags nearly
//     all of them as crawlers too, and the product counts them apart;
//   - a user agent that github.com/x-way/crawlerdetect (a Go port of the
//     maintained Crawler-Detect lists) flags is a bot: search engines, SEO
//     and AI crawlers, headless browsers, Lighthouse, and HTTP libraries
//     and tools such as curl, wget, python-requests and Go's client;
//   - a user agent that does not look like a browser's (see looksLikeBrowser:
//     "Mozilla/…" or "Opera/…", a platform in parentheses, at most 512
//     bytes) is a bot: the library lets some such clients through, and
//     very long user agents would make it slow;
//   - the rest are people, including in-app browsers such as LinkedIn's,
//     Facebook's and Instagram's.
func Classify(method, userAgent string) Kind {
	if method == "HEAD" {
		return Preview
	}
	return classifyAgent(userAgent)
}

// classifyAgent is Classify for a GET (or any method but HEAD). It is the
// slow part: crawlerdetect runs one large case-insensitive regular
// expression over the user agent, which is why Classifier remembers the
// answers.
func classifyAgent(userAgent string) Kind {
	if strings.TrimSpace(userAgent) == "" {
		return Bot
	}
	for _, p := range previewFetchers {
		if strings.Contains(userAgent, p) {
			return Preview
		}
	}
	// looksLikeBrowser is cheaper than the library and rejects most of
	// what it would anyway (curl/…, python-requests/…), so it goes first.
	if !looksLikeBrowser(userAgent) || crawlerdetect.IsCrawler(userAgent) {
		return Bot
	}
	return Click
}

// maxBrowserAgent is the longest user agent taken for a browser's. Real
// ones, in-app browsers included, are 100 to 350 bytes. It is also a
// guard: crawlerdetect's cost grows with the length of the user agent
// (about 0.15 ms for a desktop Chrome's, 0.7 ms for Facebook's in-app
// browser, 4.5 ms for 1 kB, 30 ms for 8 kB), and anyone can send the
// redirect new, long user agents that no Classifier has seen.
const maxBrowserAgent = 512

// looksLikeBrowser reports whether userAgent has the shape of a browser's:
// every browser people use, in-app browsers included, starts with
// "Mozilla/" ("Opera/" for the oldest Operas), names its platform in
// parentheses, and is at most maxBrowserAgent bytes long. crawlerdetect
// lets through clients that do not, which the tests show: Android's own
// HTTP client ("Dalvik/2.1.0 (Linux; U; …)", whose name the library's
// exclusions strip), made-up or junk user agents ("-", "x"), and scripts
// that send a bare "Mozilla/5.0".
func looksLikeBrowser(userAgent string) bool {
	return len(userAgent) <= maxBrowserAgent &&
		(strings.HasPrefix(userAgent, "Mozilla/") || strings.HasPrefix(userAgent, "Opera/")) &&
		strings.Contains(userAgent, "(")
}

// maxCachedAgents bounds a Classifier's memory of user agents.
const maxCachedAgents = 4096

// Classifier is Classify with a memory of the user agents it has seen, so
// that a popular link does not run the crawler list over the same few user
// agents again and again (a remembered one costs a map lookup and does not
// allocate). It remembers up to maxCachedAgents in two generations: new
// user agents join the recent one; when that is half full it becomes the
// older one and the one before is forgotten, while a user agent found in
// the older generation moves back to the recent one. So the user agents a
// link keeps seeing stay remembered however many one-off ones pass by.
// User agents longer than maxBrowserAgent are not remembered: they are
// cheap to classify and would only fill the memory. It is safe for
// concurrent use; the zero value is ready.
type Classifier struct {
	mu            sync.RWMutex
	recent, older map[string]Kind
}

// Classify returns the same as the package's Classify.
func (c *Classifier) Classify(method, userAgent string) Kind {
	if method == "HEAD" {
		return Preview
	}
	c.mu.RLock()
	k, ok := c.recent[userAgent]
	var old bool
	if !ok {
		k, old = c.older[userAgent]
	}
	c.mu.RUnlock()
	if ok {
		return k
	}
	if !old {
		k = classifyAgent(userAgent)
		if len(userAgent) > maxBrowserAgent {
			return k
		}
	}
	c.mu.Lock()
	if c.recent == nil || len(c.recent) >= maxCachedAgents/2 {
		c.older, c.recent = c.recent, make(map[string]Kind, 64)
	}
	c.recent[strings.Clone(userAgent)] = k // the caller's string may live in a reused request buffer
	c.mu.Unlock()
	return k
}
