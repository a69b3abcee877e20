// Package reach counts what tracked links bring in: it tells people's
// clicks from link-preview fetchers and bots, hashes visitors with a salt
// that rotates daily, and writes clicks in group commits so that the
// redirect path is fast and loses no acknowledged click.
//
// It knows nothing of HTTP frameworks: the handler passes it the method,
// the user agent and the client address.
package reach

import (
	"strings"
	"sync"

	"github.com/mileusna/useragent"

	"github.com/advocacy-portal/portal/internal/store"
)

// Kind is what a request to a tracked link was: a person's click, a link
// preview, or a bot. Its value is the kind stored with the click.
type Kind string

// The kinds of request.
const (
	Click   Kind = store.KindClick   // a person followed the link
	Preview Kind = store.KindPreview // a link-preview fetcher, or any HEAD request
	Bot     Kind = store.KindBot     // a crawler, a script, an unknown client, or no user agent
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

// botMarkers are substrings that make a user agent a bot whatever the
// parser says about the rest of it.
var botMarkers = []string{"HeadlessChrome", "PhantomJS", "Lighthouse", "Chrome-Lighthouse", "GoogleOther", "Google-InspectionTool"}

// Classify tells what a request to a tracked link was. HEAD requests are
// previews (link checkers and unfurlers use them); a request without a
// user agent is a bot. Otherwise the user agent decides: the link-preview
// fetchers above are previews; a user agent that the parser
// (github.com/mileusna/useragent) marks as a bot, or that is not a browser
// on a known device (curl, python-requests, Go's client…), is a bot; the
// rest are people, including in-app browsers such as LinkedIn's.
func Classify(method, userAgent string) Kind {
	if method == "HEAD" {
		return Preview
	}
	return classifyAgent(userAgent)
}

func classifyAgent(userAgent string) Kind {
	if strings.TrimSpace(userAgent) == "" {
		return Bot
	}
	for _, p := range previewFetchers {
		if strings.Contains(userAgent, p) {
			return Preview
		}
	}
	for _, b := range botMarkers {
		if strings.Contains(userAgent, b) {
			return Bot
		}
	}
	if !strings.HasPrefix(userAgent, "Mozilla/") && !strings.HasPrefix(userAgent, "Opera/") {
		return Bot // every browser people use says Mozilla/ (Opera/ for the oldest Operas)
	}
	ua := useragent.Parse(userAgent)
	if ua.Bot || !(ua.Desktop || ua.Mobile || ua.Tablet) {
		return Bot
	}
	return Click
}

// maxCachedAgents bounds a Classifier's memory of user agents.
const maxCachedAgents = 4096

// Classifier is Classify with a memory of the user agents it has seen, so
// that a popular link does not parse the same few user agents over and
// over. It is safe for concurrent use; the zero value is ready.
type Classifier struct {
	mu    sync.RWMutex
	kinds map[string]Kind
}

// Classify returns the same as the package's Classify.
func (c *Classifier) Classify(method, userAgent string) Kind {
	if method == "HEAD" {
		return Preview
	}
	c.mu.RLock()
	k, ok := c.kinds[userAgent]
	c.mu.RUnlock()
	if ok {
		return k
	}
	k = classifyAgent(userAgent)
	c.mu.Lock()
	if c.kinds == nil || len(c.kinds) >= maxCachedAgents {
		c.kinds = make(map[string]Kind, 64) // forget all: simple, bounded, and refilled by the next requests
	}
	c.kinds[strings.Clone(userAgent)] = k // the caller's string may live in a reused request buffer
	c.mu.Unlock()
	return k
}
