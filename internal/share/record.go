package share

import "time"

// HistoryItem is one share in a person's history: the share page they opened,
// through which tracked link, and the follower count they had there then.
type HistoryItem struct {
	ID          int64
	PostID      int64
	PostTitle   string
	Network     Network
	Code        string
	Followers   int
	At          time.Time
	ConfirmedAt time.Time // when they said "I posted it"; zero if they did not
}
