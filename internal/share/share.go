// Package share knows the social networks employees share to: their
// share-intent pages, and the tracked links and UTM parameters that let the
// portal count what a share brought in. The portal never posts on anyone's
// behalf; it only opens the network's own share page.
//
// It also holds the share gate: Decide says whether a person may share a
// post on a network now, or why not, and the Service reads the facts for it
// and records an allowed share in one transaction of its Repository. Feed
// reads the rest of an employee's side of sharing over a FeedRepository:
// their feed (ListingOf: what locks sharing, or the posts no pause holds)
// and the history of their shares.
package share

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Network is a place an employee can share to.
type Network string

// The networks the portal offers.
const (
	LinkedIn Network = "linkedin"
	X        Network = "x"
	Facebook Network = "facebook"
	Xing     Network = "xing"
	Bluesky  Network = "bluesky"
	Mastodon Network = "mastodon"
	WhatsApp Network = "whatsapp"
	Email    Network = "email"
	Copy     Network = "copy"
)

// Networks lists every network in the order share buttons appear.
var Networks = []Network{LinkedIn, X, Facebook, Xing, Bluesky, Mastodon, WhatsApp, Email, Copy}

// Parse returns the network named s.
func Parse(s string) (Network, bool) {
	for _, n := range Networks {
		if string(n) == s {
			return n, true
		}
	}
	return "", false
}

// Label is the network's name as people know it.
func (n Network) Label() string {
	switch n {
	case LinkedIn:
		return "LinkedIn"
	case X:
		return "X"
	case Facebook:
		return "Facebook"
	case Xing:
		return "XING"
	case Bluesky:
		return "Bluesky"
	case Mastodon:
		return "Mastodon"
	case WhatsApp:
		return "WhatsApp"
	case Email:
		return "Email"
	case Copy:
		return "Copy link"
	}
	return string(n)
}

// Prefills reports whether the portal may put suggested text on the
// network's share page. Facebook's platform rules forbid pre-filled
// captions, so it gets the link alone.
func (n Network) Prefills() bool { return n != Facebook }

// Points is what one share on n earns on the leaderboard: 1, but nothing
// on Facebook, whose platform rules forbid rewarding people for posting
// there. It lives with the networks, not in internal/reach, so that the
// store, which adds points up for the dashboards, applies this definition
// instead of a copy of it.
func (n Network) Points() int64 {
	if n == Facebook {
		return 0
	}
	return 1
}

// IntentURL returns the network's share page for link with the suggested
// text. For Mastodon, instance is the host of the person's own server; for
// Copy there is no share page and IntentURL returns "".
func IntentURL(n Network, link, text, title, instance string) string {
	if !n.Prefills() {
		text = ""
	}
	withLink := strings.TrimSpace(text + " " + link)
	q := url.Values{}
	switch n {
	case LinkedIn:
		q.Set("url", link)
		return "https://www.linkedin.com/sharing/share-offsite/?" + q.Encode()
	case X:
		q.Set("url", link)
		if text != "" {
			q.Set("text", text)
		}
		return "https://x.com/intent/post?" + q.Encode()
	case Facebook:
		q.Set("u", link)
		return "https://www.facebook.com/sharer/sharer.php?" + q.Encode()
	case Xing:
		q.Set("url", link)
		return "https://www.xing.com/spi/shares/new?" + q.Encode()
	case Bluesky:
		q.Set("text", withLink)
		return "https://bsky.app/intent/compose?" + q.Encode()
	case Mastodon:
		q.Set("text", withLink)
		return "https://" + instance + "/share?" + q.Encode()
	case WhatsApp:
		q.Set("text", withLink)
		return "https://wa.me/?" + q.Encode()
	case Email:
		return "mailto:?subject=" + mailtoEscape(title) + "&body=" + mailtoEscape(withLink)
	}
	return ""
}

// mailtoEscape escapes a mailto header value: like a query value, but
// with %20 for spaces, since mail clients do not read + as a space.
func mailtoEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

var hostPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)

// ParseInstance turns what a person typed for their Mastodon server
// ("mastodon.social", "https://fosstodon.org/", "@me@hachyderm.io") into a
// host name, or reports that it is not one.
func ParseInstance(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s, _, _ = strings.Cut(s, "/")
	if !hostPattern.MatchString(s) {
		return "", false
	}
	return s, true
}

// Target returns the address a tracked link redirects to: the post's URL
// with UTM parameters saying the visit came from employee advocacy on
// network, for campaign. Parameters already on the URL are kept, except
// that ours replace any utm_source, utm_medium and utm_campaign.
func Target(postURL string, n Network, campaign string) (string, error) {
	u, err := url.Parse(postURL)
	if err != nil {
		return "", fmt.Errorf("share: bad post url %q: %w", postURL, err)
	}
	q := u.Query()
	q.Set("utm_source", string(n))
	q.Set("utm_medium", "employee_advocacy")
	q.Set("utm_campaign", campaign)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

const codeAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewCode returns a random tracked-link code: 10 characters from an
// alphabet without look-alikes (about 58 bits).
func NewCode() string {
	b := make([]byte, 10)
	rand.Read(b) // never returns an error (crypto/rand, Go 1.24+)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}
