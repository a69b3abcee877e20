// Package source is what the portal knows of content sources: the RSS and
// Atom feeds comms follow for ideas, the items those feeds published
// waiting in the "from sources" queue, and the outcome of polling a feed.
// Its Service runs what comms do with them on the sources pages (add and
// remove feeds, go through the queue, issue their feed token) over a
// Repository the store implements; making a draft of an item is
// post.Service's, like every new post. It imports no other package of the
// portal but apperr, so that the store, package sources (which polls the
// feeds) and package post can all use its types.
package source

import (
	"net/url"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
)

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

// MaxLink is the longest feed or item address, in bytes, the portal keeps.
const MaxLink = 2000

// CheckURL says what is wrong with a feed address, or "" if it is a full
// http or https URL.
func CheckURL(raw string) string {
	if raw == "" {
		return "Add the feed's address."
	}
	if len(raw) > MaxLink {
		return "That address is too long."
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "Use a full web address starting with https:// (or http://)."
	}
	return ""
}

// Errors of sources and items, for the store to return (wrapped) and
// callers to compare with errors.Is.
var (
	// ErrExists is a feed added that is already a source. Its kind is
	// apperr.Conflict.
	ErrExists = apperr.Sentinel(apperr.Conflict, "source already followed", "This feed is already a source.")
	// ErrItemHandled is an item already made into a draft or dismissed.
	// Its kind is apperr.Conflict.
	ErrItemHandled = apperr.Sentinel(apperr.Conflict, "source item already handled",
		"This item was already made into a draft or dismissed.")
)
