package account

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/roster"
)

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

// MaxGroupName is the most characters a group's name may have.
const MaxGroupName = 100

// GroupRepository is what the Groups service needs from storage; the store
// implements it. A missing row is an error of kind apperr.NotFound.
type GroupRepository interface {
	// Groups returns every group with its number of members, by kind and
	// name.
	Groups(ctx context.Context) ([]Group, error)
	// Group returns the group with the given id.
	Group(ctx context.Context, id int64) (Group, error)
	// GroupMembers returns the members of a group, by name.
	GroupMembers(ctx context.Context, groupID int64) ([]Member, error)
	// UserByEmail returns the id of the user with exactly this address.
	UserByEmail(ctx context.Context, email string) (int64, error)
	// CreateGroup creates a group and audit-logs it; a group with the same
	// name (ignoring case) is an error of kind apperr.Conflict.
	CreateGroup(ctx context.Context, name string, kind GroupKind, actorID int64) (int64, error)
	// AddToGroup makes userID a member of groupID (being one already is
	// fine), gives them the group's assignments, due from today, and
	// audit-logs it, in one transaction.
	AddToGroup(ctx context.Context, groupID, userID int64, source string, actorID int64) error
	// ImportRoster creates or updates the people of rows (matched by
	// email) and adds them to the groups named, creating missing groups,
	// in one transaction: all rows or none. It audit-logs the import.
	ImportRoster(ctx context.Context, rows []roster.Row, actorID int64) (created, updated int, err error)
}

// Groups runs HR's groups: creating them, adding people by hand and
// importing a roster file. Each method is one use case; it is safe for
// concurrent use if its repository is.
type Groups struct {
	repo GroupRepository
}

// NewGroups returns the Groups service over repo.
func NewGroups(repo GroupRepository) *Groups { return &Groups{repo: repo} }

// List returns every group with its number of members, by kind and name.
func (g *Groups) List(ctx context.Context) ([]Group, error) { return g.repo.Groups(ctx) }

// Group returns the group with the given id and its members, by name; an
// unknown id is ErrNoGroup.
func (g *Groups) Group(ctx context.Context, id int64) (Group, []Member, error) {
	grp, err := g.group(ctx, id)
	if err != nil {
		return grp, nil, err
	}
	members, err := g.repo.GroupMembers(ctx, id)
	return grp, members, err
}

func (g *Groups) group(ctx context.Context, id int64) (Group, error) {
	grp, err := g.repo.Group(ctx, id)
	if apperr.KindOf(err) == apperr.NotFound {
		return grp, fmt.Errorf("account: group %d: %w: %w", id, ErrNoGroup, err)
	}
	return grp, err
}

// NewGroup is a group as HR asks for it.
type NewGroup struct {
	Name string // surrounding space is dropped
	Kind GroupKind
}

// Check returns what is wrong with n, by form field ("name", "kind"); none
// if it may be created.
func (n NewGroup) Check() FieldErrors {
	problems := FieldErrors{}
	switch name := strings.TrimSpace(n.Name); {
	case name == "":
		problems["name"] = "Give the group a name."
	case utf8.RuneCountInString(name) > MaxGroupName:
		problems["name"] = fmt.Sprintf("Keep the name to %d characters or fewer.", MaxGroupName)
	}
	if !n.Kind.Valid() {
		problems["kind"] = "Choose department, location or team."
	}
	return problems
}

// Create creates the group n as actorID and returns its id. What Check
// finds, and a name another group has (ignoring case), are FieldErrors.
// It is audit-logged.
func (g *Groups) Create(ctx context.Context, n NewGroup, actorID int64) (int64, error) {
	if problems := n.Check(); len(problems) > 0 {
		return 0, problems
	}
	id, err := g.repo.CreateGroup(ctx, strings.TrimSpace(n.Name), n.Kind, actorID)
	if apperr.KindOf(err) == apperr.Conflict {
		return 0, FieldErrors{"name": "A group with this name already exists."}
	}
	return id, err
}

// AddMember puts the person with the address typed (as EmailLookups finds
// it) in the group with id groupID by hand, as actorID: they get the
// group's assignments, due from today. An unknown group is ErrNoGroup; no
// address, or one no one has, is FieldErrors on "email". It is
// audit-logged.
func (g *Groups) AddMember(ctx context.Context, groupID int64, email string, actorID int64) error {
	if _, err := g.group(ctx, groupID); err != nil {
		return err
	}
	email = strings.TrimSpace(email)
	if email == "" {
		return FieldErrors{"email": "Enter the person's email address."}
	}
	userID, err := userByEmail(ctx, g.repo.UserByEmail, email)
	if errors.Is(err, ErrUnknownEmail) {
		return FieldErrors{"email": UnknownEmail}
	}
	if err != nil {
		return err
	}
	return g.repo.AddToGroup(ctx, groupID, userID, SourceManual, actorID)
}

// Imported is what a roster import did.
type Imported struct {
	Rows             int // people in the file
	Created, Updated int
}

// RejectedError refuses a roster file with rows that cannot be imported;
// nothing was. Its kind is apperr.Invalid.
type RejectedError struct {
	Rows     int               // rows in the file
	Rejected []roster.RowError // the rows with problems, by line
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("account: roster: %d of %d rows rejected", len(e.Rejected), e.Rows)
}

// Kind is apperr.Invalid.
func (e *RejectedError) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage says how many lines have problems.
func (e *RejectedError) UserMessage() string {
	return fmt.Sprintf("Nothing was imported: %d of %d lines have problems. Fix them and import the whole file again.",
		len(e.Rejected), e.Rows)
}

// Import reads a roster file (roster.Parse) and, if every row is fine,
// imports it whole as actorID: people created or updated by email and put
// in the groups named, creating missing groups. A file that cannot be read
// is a *roster.FileError, one with rows to fix a *RejectedError; then
// nothing is imported.
func (g *Groups) Import(ctx context.Context, file io.Reader, actorID int64) (Imported, error) {
	rows, bad, err := roster.Parse(file)
	if err != nil {
		return Imported{}, err
	}
	n := Imported{Rows: len(rows) + len(bad)}
	if len(bad) > 0 {
		return n, &RejectedError{Rows: n.Rows, Rejected: bad}
	}
	if n.Created, n.Updated, err = g.repo.ImportRoster(ctx, rows, actorID); err != nil {
		return Imported{Rows: n.Rows}, err
	}
	return n, nil
}
