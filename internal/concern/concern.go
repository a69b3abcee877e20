// Package concern is what the portal knows of reported concerns: something
// worrying an employee saw (a negative mention, a journalist asking, a
// mistake of their own) and reported to the points of contact, and the
// triage that follows (acknowledge, assign, comment, close), with who may
// see and triage one (Service). It is plain Go: the store keeps concerns
// and implements the Repository, the handlers and views show them.
package concern

import (
	"slices"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
)

// Kinds are the kinds of concern a report may be about, in the order the
// report form offers them. Mails name each in words; any other value reads
// as "other".
var Kinds = []string{"negative-mention", "journalist", "customer-complaint", "own-mistake", "other"}

// Statuses of a concern.
const (
	StatusNew          = "new"
	StatusAcknowledged = "acknowledged"
	StatusClosed       = "closed"
)

// Actions recorded in a concern's history.
const (
	ActionReport      = "reported"
	ActionAcknowledge = "acknowledged"
	ActionAssign      = "assigned"
	ActionComment     = "commented"
	ActionClose       = "closed"
)

// Concern is something an employee reported to the points of contact.
type Concern struct {
	ID            int64
	ReporterID    int64
	ReporterName  string // set when read
	ReporterEmail string // set when read
	Link          string // optional
	Kind          string // one of Kinds
	Description   string
	Urgent        bool
	ImageID       int64 // 0: no screenshot
	Status        string
	AssigneeID    int64  // 0: nobody
	AssigneeName  string // set when read
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Event is one entry in a concern's history.
type Event struct {
	ID        int64
	ConcernID int64
	ActorID   int64
	ActorName string
	Action    string // one of the Action constants
	Note      string // a comment, or the assignee's name
	At        time.Time
}

// Contacts says who the points of contact for concerns are: the people
// listed by email when Emails is not empty, else everyone holding Role
// (comms when empty).
type Contacts struct {
	Role   account.Role `json:"role,omitempty"`
	Emails []string     `json:"emails,omitempty"`
}

// Includes reports whether u is a point of contact under cc.
func (cc Contacts) Includes(u account.User) bool {
	if len(cc.Emails) > 0 {
		return slices.ContainsFunc(cc.Emails, func(e string) bool { return strings.EqualFold(e, u.Email) })
	}
	return u.Has(cc.EffectiveRole())
}

// EffectiveRole is the role whose holders are the points of contact when no
// emails are listed: Role, or comms when it is empty.
func (cc Contacts) EffectiveRole() account.Role {
	if cc.Role == "" {
		return account.Comms
	}
	return cc.Role
}
