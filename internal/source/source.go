// Package source is what the portal knows of content sources: the RSS and
// Atom feeds comms follow for ideas, the items those feeds published
// waiting in the "from sources" queue, and the outcome of polling a feed.
// It holds only types and imports nothing of the portal, so that both the
// store, which keeps sources and items, and package sources, which polls
// the feeds and records what it found through the store, can use them.
package source

import "time"

// Source is an RSS or Atom feed comms follow for content ideas.
type Source struct {
	ID            int64
	Name          string
	URL           string
	ETag          string // validator of the last full response, for If-None-Match
	LastModified  string // validator of the last full response, for If-Modified-Since
	LastFetchedAt time.Time
	LastError     string // empty after a successful poll
	Items         int    // items found so far, in any state
	CreatedAt     time.Time
}

// Item states.
const (
	ItemNew       = "new"
	ItemUsed      = "used"
	ItemDismissed = "dismissed"
)

// Item is an entry a source published, waiting in the "from sources" queue
// until comms make a draft of it or dismiss it.
type Item struct {
	ID          int64
	SourceID    int64
	SourceName  string
	GUID        string
	Title       string
	Link        string
	PublishedAt time.Time // zero when the feed did not say
	FoundAt     time.Time
	Status      string // ItemNew, ItemUsed or ItemDismissed
	PostID      int64
}

// Entry is an entry as the poller read it from a feed.
type Entry struct {
	GUID        string // the feed's id for it; empty means use the link
	Title       string
	Link        string
	PublishedAt time.Time
}

// Poll is the outcome of polling a source once.
type Poll struct {
	Err          string // why the poll failed; empty on success
	NotModified  bool   // the server answered 304: nothing changed
	ETag         string
	LastModified string
	Entries      []Entry
}
