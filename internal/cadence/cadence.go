// Package cadence holds the share cadence rule: at most Limit shares per
// person per day per network, as a gentle nudge or a hard cap. It knows
// nothing of HTTP or storage.
package cadence

import "time"

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
// shared sharedToday times today on the network.
func (r Rule) Decide(sharedToday int) Decision {
	switch {
	case r.Limit <= 0 || sharedToday < r.Limit:
		return Allow
	case r.Hard:
		return Refuse
	}
	return Ask
}

// WithinLimit reports whether the n-th share of a day on one network
// (counting from 1) is within the limit, i.e. earns points. Every share is
// within a rule without a limit.
func (r Rule) WithinLimit(n int) bool { return r.Limit <= 0 || n <= r.Limit }

// DayStart is the start of t's day in UTC, where a cadence day begins.
func DayStart(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
