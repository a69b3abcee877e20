package account

import "slices"

// Digest is how often a person gets the email digest of new posts.
type Digest string

// The digest choices; weekly is the default.
const (
	DigestOff    Digest = "off"
	DigestDaily  Digest = "daily"
	DigestWeekly Digest = "weekly"
)

// Digests lists the choices in the order forms offer them.
var Digests = []Digest{DigestOff, DigestDaily, DigestWeekly}

// Valid reports whether d is one of the digest choices.
func (d Digest) Valid() bool { return slices.Contains(Digests, d) }

// Profile is what a person tells the portal about themselves.
type Profile struct {
	// Followers maps a network ("linkedin", "x", ...) to the person's
	// self-declared follower count there; a network missing has 0.
	Followers         map[string]int
	MastodonInstance  string // host name, e.g. "mastodon.social"; "" if not told
	Language          string
	TimeZone          string // IANA name; "" means UTC
	Digest            Digest
	LeaderboardOptOut bool
}
