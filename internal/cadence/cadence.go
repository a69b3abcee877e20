// Package cadence holds the share cadence rule: at most Limit shares per
// person per day per network, as a gentle nudge or a hard cap. It knows
// nothing of HTTP or storage.
package cadence

import (
	"math"
	"time"
)

// Rule is the share cadence admins set. A Limit of 0 or less means no limit.
type Rule struct {
	Limit int  `json:"limit"`
	Hard  bool `json:"hard"` // refuse shares past the limit instead of asking first
}

// Decision is what to do with one more share.
type Decision int

// The decisions.
const (
	Allow  Decision = iota // under the limit
	Ask                    // past the limit: explain why a pause is wise, share if confirmed
	Refuse                 // past a hard cap
)

// Decide says what to do with one more share by someone who already
// shared sharedToday times today on the network: allow it when it is
// within the limit (WithinLimit), so that the shares allowed without
// asking are the ones that earn points.
func (r Rule) Decide(sharedToday int) Decision {
	switch {
	case r.WithinLimit(sharedToday + 1):
		return Allow
	case r.Hard:
		return Refuse
	}
	return Ask
}

// WithinLimit reports whether the n-th share of a day on one network
// (counting from 1, in the order the shares were recorded) is within the
// limit, i.e. earns points. Every share is within a rule without a limit.
func (r Rule) WithinLimit(n int) bool { return n <= r.LastWithinLimit() }

// LastWithinLimit is the highest n for which WithinLimit(n) holds: the
// limit, or math.MaxInt without one. Storage that ranks a day's shares in
// SQL compares the rank with it rather than restating the rule.
func (r Rule) LastWithinLimit() int {
	if r.Limit <= 0 {
		return math.MaxInt
	}
	return r.Limit
}

// DayStart is the start of t's day in UTC, where a cadence day begins:
// the n of WithinLimit counts the shares from there.
func DayStart(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
