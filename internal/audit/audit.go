// Package audit is what the portal's audit log is: an append-only record of
// privileged actions (who did what to what, when, and what it was before
// and after), and how admins narrow it down to read or export it. The store
// appends and reads the log; this package holds its types and the Log
// (log.go) through which admins search and export it.
package audit

import "time"

// Entry is one privileged action: who did what to what, when, and what it
// was before and after.
type Entry struct {
	ID        int64
	At        time.Time
	ActorID   int64 // 0 for the portal itself (a background job, SCIM)
	ActorName string
	Action    string // e.g. "training.assign", "training.extend", "settings.change"
	Target    string // e.g. "user:12 module:disclosure"
	Before    string // JSON, or empty
	After     string // JSON, or empty
}

// Filter narrows a search of the log. Empty fields do not filter.
type Filter struct {
	Actor  string    // part of the actor's name or email address, case ignored
	Action string    // the action, exactly
	Target string    // part of the target, case ignored
	From   time.Time // entries at or after this instant
	To     time.Time // entries before this instant
	Limit  int       // at most this many entries; 0 means no limit
	Offset int       // entries to skip, for paging
}

// Record is an entry with the actor's email address, for the admins' page
// and export.
type Record struct {
	Entry
	ActorEmail string // "" for the portal itself
}
