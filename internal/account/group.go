package account

import "time"

// GroupKind says what a group stands for.
type GroupKind string

// The kinds of group.
const (
	Department GroupKind = "department"
	Location   GroupKind = "location"
	Team       GroupKind = "team"
)

// GroupKinds lists the kinds in the order forms offer them.
var GroupKinds = []GroupKind{Department, Location, Team}

// Valid reports whether k is a known kind.
func (k GroupKind) Valid() bool { return k == Department || k == Location || k == Team }

// How someone came to be in a group (Member.Source); a role comes from
// SourceManual or SourceIdP.
const (
	SourceManual = "manual" // added in the portal
	SourceCSV    = "csv"    // named by a roster import
	SourceIdP    = "idp"    // from the identity provider's groups claim at sign-in
	// SourceSCIM marks a membership set by a SCIM provisioning client. It
	// is kept apart from SourceIdP, which sign-in replaces with the groups
	// claim, so that a sign-in does not undo what the directory provisioned.
	SourceSCIM = "scim"
)

// Group is a department, location or team.
type Group struct {
	ID      int64
	Name    string
	Kind    GroupKind
	Members int
}

// Member is a person in a group.
type Member struct {
	UserID   int64
	Name     string
	Email    string
	Source   string // SourceManual, SourceCSV, SourceIdP or SourceSCIM
	JoinedAt time.Time
}
