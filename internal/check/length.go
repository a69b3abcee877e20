package check

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// LinkLength is what one link counts against a limit on the networks that
// shorten links: X and Mastodon count every http(s) link as 23 characters
// whatever its length. The portal appends its tracked link (/l/{code}) to
// the text on X, Bluesky, Mastodon and WhatsApp, and counts it as
// LinkLength plus one for the space before it.
const LinkLength = 23

// Network ids, as in the share package. Suggestions keyed by any other id
// are checked for blocked terms, watched hashtags and the disclosure but
// not for length.
const (
	LinkedIn = "linkedin"
	X        = "x"
	Facebook = "facebook"
	Xing     = "xing"
	Bluesky  = "bluesky"
	Mastodon = "mastodon"
	WhatsApp = "whatsapp"
	Email    = "email"
	Copy     = "copy"
	// Any keys a suggestion offered on every network that pre-fills text.
	Any = ""
)

// networks is the order findings for suggestions are reported in (the order
// of the share buttons), and its labels are how messages name a network.
var networks = []struct{ id, label string }{
	{Any, "any-network"},
	{LinkedIn, "LinkedIn"},
	{X, "X"},
	{Facebook, "Facebook"},
	{Xing, "XING"},
	{Bluesky, "Bluesky"},
	{Mastodon, "Mastodon"},
	{WhatsApp, "WhatsApp"},
	{Email, "email"},
	{Copy, "copy-link"},
}

// Limit returns the most a text for network may count, as Length counts
// it; ok is false where there is no limit to check (Facebook, which takes
// no text; email; copy link; "" and unknown networks). The limits:
//
//   - X: 280, counted as X counts (see XLength).
//   - Bluesky: 300 grapheme clusters (user-perceived characters).
//   - Mastodon: 500, the default of mastodon.social and most servers;
//     grapheme clusters, links 23, remote mentions @user@host as @user.
//   - LinkedIn: 3000 for a post, in UTF-16 code units (an emoji counts 2,
//     as in LinkedIn's editor).
//   - XING: 420 for a status update (XING's figure), UTF-16 code units.
//   - WhatsApp: 65536 for a message, UTF-16 code units.
func Limit(network string) (max int, ok bool) {
	switch network {
	case X:
		return 280, true
	case Bluesky:
		return 300, true
	case Mastodon:
		return 500, true
	case LinkedIn:
		return 3000, true
	case Xing:
		return 420, true
	case WhatsApp:
		return 65536, true
	}
	return 0, false
}

// AddsLink reports whether the portal appends its tracked link to the text
// it pre-fills on network, so that Length counts the link too. LinkedIn and
// XING take the link as a separate parameter; Facebook takes no text.
func AddsLink(network string) bool {
	switch network {
	case X, Bluesky, Mastodon, WhatsApp:
		return true
	}
	return false
}

// Length returns what text counts against network's Limit once shared:
// the text as the network counts it, plus, where AddsLink, a space and the
// tracked link (LinkLength) the portal appends. For networks without a
// limit it returns the number of grapheme clusters of text. The post's
// hashtags are not counted: the portal does not add them to the text.
// Bluesky's composer shortens links it displays; Length counts links
// written in a Bluesky text in full, which can only overstate.
func Length(network, text string) int {
	// share.IntentURL sends strings.TrimSpace(text + " " + link).
	lead := strings.TrimLeftFunc(text, unicode.IsSpace)
	if AddsLink(network) && lead != "" {
		lead += " "
	}
	n := 0
	switch network {
	case X:
		n = XLength(lead)
	case Mastodon:
		n = mastodonLength(lead)
	case LinkedIn, Xing, WhatsApp:
		n = utf16Length(lead)
	default:
		n = uniseg.GraphemeClusterCount(lead)
	}
	if AddsLink(network) {
		n += LinkLength
	}
	return n
}

// XLength returns the length of text in X "characters", as twitter-text v3
// (the library X's own clients use) counts it against the 280 limit:
//
//   - the text is normalised to NFC first;
//   - every link counts 23, whatever its length: http:// and https:// links,
//     and bare domains (example.com, www.example.de, example.de/path) where
//     twitter-text would link them;
//   - an emoji counts 2, including sequences joined by U+200D, with skin
//     tones, keycaps and flags;
//   - any other code point counts 1 in U+0000–U+10FF, U+2000–U+200D,
//     U+2010–U+201F and U+2032–U+2037 (Latin, Greek, Cyrillic, Hebrew,
//     Arabic, Indic scripts, general punctuation), and 2 elsewhere (CJK,
//     Hangul, most symbols).
//
// Approximations: bare domains are recognised with any two-letter
// country code and a list of common generic top-level domains rather than
// IANA's full list, and internationalised host labels are not punycoded to
// check the 63-character label limit.
func XLength(text string) int {
	text = norm.NFC.String(text)
	weight := 0
	for _, seg := range splitURLs(text, true) {
		if seg.url {
			weight += LinkLength * xScale
			continue
		}
		weight += xWeight(seg.text)
	}
	return weight / xScale
}

// twitter-text v3 configuration.
const (
	xScale         = 100
	xDefaultWeight = 200
)

var xRanges = []struct{ lo, hi rune }{
	{0, 4351},
	{8192, 8205},
	{8208, 8223},
	{8242, 8247},
}

func xRuneWeight(r rune) int {
	for _, rg := range xRanges {
		if r >= rg.lo && r <= rg.hi {
			return 100
		}
	}
	return xDefaultWeight
}

// xWeight weighs text without links: emoji by cluster, the rest by code
// point.
func xWeight(s string) int {
	w := 0
	state := -1
	for s != "" {
		var cluster string
		cluster, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		if isEmoji(cluster) {
			w += xDefaultWeight
			continue
		}
		for _, r := range cluster {
			w += xRuneWeight(r)
		}
	}
	return w
}

// isEmoji reports whether a grapheme cluster is an emoji that
// twitter-text counts as one: a pictograph from the emoji planes, or any
// sequence with an emoji presentation selector, a joiner, a keycap or a
// skin tone. Single pictographs elsewhere (☺, ❤, ‼) weigh 2 as plain code
// points anyway.
func isEmoji(cluster string) bool {
	multi := utf8.RuneCountInString(cluster) > 1
	for _, r := range cluster {
		switch {
		case r >= 0x1F000 && r <= 0x1FAFF:
			return true
		case multi && (r == 0xFE0F || r == 0x200D || r == 0x20E3):
			return true
		}
	}
	return false
}

// mastodonLength counts as Mastodon's StatusLengthValidator does: grapheme
// clusters, with each http(s) link counted as 23 and each remote mention
// @user@host counted as @user.
func mastodonLength(text string) int {
	n := 0
	for _, seg := range splitURLs(text, false) {
		if seg.url {
			n += LinkLength
			continue
		}
		n += uniseg.GraphemeClusterCount(remoteMention.ReplaceAllString(seg.text, "$1"))
	}
	return n
}

var remoteMention = regexp.MustCompile(`(@[\p{L}\p{N}_]+(?:[.-]+[\p{L}\p{N}_]+)*)@[\p{L}\p{N}.-]+\.\p{L}{2,}`)

func utf16Length(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// segment is a run of text that is or is not a link.
type segment struct {
	text string
	url  bool
}

// urlCandidate finds what may be a link: an optional http(s) scheme, a
// host of dot-separated labels, an optional port, and a path, query or
// fragment up to the next space. splitURLs validates each candidate.
var urlCandidate = regexp.MustCompile(`(?i)(https?://)?([\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+)(:\d{1,5})?([/?#][^\s]*)?`)

// genericTLDs are the generic top-level domains recognised in links
// without a scheme. Every two-letter top-level domain is taken for a
// country code.
var genericTLDs = map[string]bool{
	"com": true, "net": true, "org": true, "edu": true, "gov": true, "mil": true,
	"int": true, "info": true, "biz": true, "name": true, "pro": true, "mobi": true,
	"jobs": true, "travel": true, "museum": true, "aero": true, "coop": true,
	"app": true, "dev": true, "blog": true, "shop": true, "online": true,
	"site": true, "tech": true, "xyz": true, "news": true, "cloud": true,
	"page": true, "store": true, "live": true, "media": true, "digital": true,
	"agency": true, "company": true, "email": true, "social": true, "today": true,
	"world": true, "network": true, "systems": true, "solutions": true,
	"group": true, "global": true, "berlin": true, "eus": true, "cat": true,
}

// splitURLs splits text into links and the text between them. With bare,
// domains without a scheme count as links too (X); without, only http(s)
// links do (Mastodon).
func splitURLs(text string, bare bool) []segment {
	var segs []segment
	last := 0
	for _, m := range urlCandidate.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[0], m[1]
		hasScheme := m[2] >= 0
		host := text[m[4]:m[5]]
		if !hasScheme && !bare {
			continue
		}
		if start > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:start])
			if strings.ContainsRune("@＠$#＃", prev) || (!hasScheme && strings.ContainsRune("-_./", prev)) {
				continue
			}
			if !hasScheme && (unicode.IsLetter(prev) || unicode.IsNumber(prev)) {
				continue
			}
		}
		hasPath := m[8] >= 0
		if hasPath {
			end = m[8] + trimPath(text[m[8]:m[9]])
			hasPath = end > m[8]
		}
		if !validHost(host, hasScheme, hasPath) {
			continue
		}
		if start > last {
			segs = append(segs, segment{text: text[last:start]})
		}
		segs = append(segs, segment{text: text[start:end], url: true})
		last = end
	}
	if last < len(text) {
		segs = append(segs, segment{text: text[last:]})
	}
	return segs
}

// trimPath returns how much of a path belongs to the link: trailing
// punctuation that ends a sentence, and closing brackets without an
// opening one, do not.
func trimPath(p string) int {
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		switch {
		case strings.ContainsRune(".,;:!?'\"“”‘’…", r):
		case r == ')' && strings.Count(p, "(") < strings.Count(p, ")"):
		case r == ']' && strings.Count(p, "[") < strings.Count(p, "]"):
		default:
			return len(p)
		}
		p = p[:len(p)-size]
	}
	return 0
}

// validHost reports whether host is one twitter-text links: labels of at
// most 63 characters that neither start nor end with a hyphen, underscores
// only left of the registered domain, and a top-level domain of letters
// (or an IPv4 address after a scheme). Without a scheme the top-level
// domain must be a known one, and a two-label country-code domain
// (example.de) needs a path, except t.co.
func validHost(host string, hasScheme, hasPath bool) bool {
	labels := strings.Split(host, ".")
	if hasScheme && isIPv4(labels) {
		return true
	}
	for i, l := range labels {
		if l == "" || utf8.RuneCountInString(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		if i >= len(labels)-2 && strings.Contains(l, "_") {
			return false
		}
	}
	tld := strings.ToLower(labels[len(labels)-1])
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	if hasScheme {
		return true
	}
	if genericTLDs[tld] {
		return true
	}
	if len(tld) != 2 || tld[0] > 'z' || tld[0] < 'a' || tld[1] > 'z' || tld[1] < 'a' {
		return false
	}
	return len(labels) > 2 || hasPath || strings.EqualFold(host, "t.co")
}

func isIPv4(labels []string) bool {
	if len(labels) != 4 {
		return false
	}
	for _, l := range labels {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 || n > 255 || len(l) > 3 {
			return false
		}
	}
	return true
}
