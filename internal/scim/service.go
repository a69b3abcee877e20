package scim

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/input"
)

// Repository is what the SCIM Service needs from storage; the store
// implements it. A missing row is an error of kind apperr.NotFound; a
// userName, address or displayName in use is one of kind apperr.Conflict.
type Repository interface {
	// CreateSCIMToken stores a new token by its hash and audit-logs its
	// creation (without the token or its hash).
	CreateSCIMToken(ctx context.Context, name, tokenHash string, actorID int64) (int64, error)
	// SCIMTokens returns every token, in use or revoked, newest first.
	SCIMTokens(ctx context.Context) ([]Token, error)
	// ActiveSCIMTokens returns the hashes of the tokens not revoked.
	ActiveSCIMTokens(ctx context.Context) ([]TokenHash, error)
	// TouchSCIMToken records that a token was used.
	TouchSCIMToken(ctx context.Context, id int64) error
	// RevokeSCIMToken revokes a token and audit-logs it.
	RevokeSCIMToken(ctx context.Context, id, actorID int64) error

	// SCIMUsers returns one page of the users a SCIM client sees, by id,
	// and how many match f in all.
	SCIMUsers(ctx context.Context, f EqualityFilter, offset, limit int) ([]User, int, error)
	// SCIMUser returns the user with the given id that a SCIM client sees.
	SCIMUser(ctx context.Context, id int64) (User, error)
	// CreateSCIMUser creates (or restores) a user as a SCIM client asked,
	// with the employee role, and audit-logs it naming tokenID.
	CreateSCIMUser(ctx context.Context, u User, tokenID int64) (User, error)
	// UpdateSCIMUser changes a user in one transaction: change gets the
	// user as stored and returns them as they should be; its error is
	// returned as it is. Deactivation ends the user's sessions.
	UpdateSCIMUser(ctx context.Context, id int64, change func(User) (User, error), tokenID int64) (User, error)
	// DeleteSCIMUser deactivates a user and hides them from SCIM; their
	// history stays.
	DeleteSCIMUser(ctx context.Context, id, tokenID int64) error

	// SCIMGroups returns one page of the groups a SCIM client sees, by id,
	// with their members if members is true, and how many match f in all.
	SCIMGroups(ctx context.Context, f EqualityFilter, offset, limit int, members bool) ([]Group, int, error)
	// SCIMGroup returns the group with the given id, with its members if
	// members is true.
	SCIMGroup(ctx context.Context, id int64, members bool) (Group, error)
	// CreateSCIMGroup creates (or restores) a group with its members; a
	// member who is not a user SCIM sees is ErrUnknownMember.
	CreateSCIMGroup(ctx context.Context, g Group, tokenID int64) (Group, error)
	// UpdateSCIMGroup changes a group in one transaction, as
	// UpdateSCIMUser does a user.
	UpdateSCIMGroup(ctx context.Context, id int64, change func(Group) (Group, error), tokenID int64) (Group, error)
	// DeleteSCIMGroup deletes a group, or retires it when training
	// assignments or posts refer to it.
	DeleteSCIMGroup(ctx context.Context, id, tokenID int64) error
}

// The Service's errors. Those that are *Error are answered to the client
// as they are.
var (
	// ErrUnauthorized is a request without a token in use.
	ErrUnauthorized = Errorf(http.StatusUnauthorized, "", "a valid bearer token is required")
	// ErrUserTaken is a user whose userName or address another user has.
	ErrUserTaken = Errorf(http.StatusConflict, Uniqueness, "the userName or the email address is already in use")
	// ErrGroupTaken is a group whose displayName another group has.
	ErrGroupTaken = Errorf(http.StatusConflict, Uniqueness, "the displayName is already in use")
	// ErrUnknownMember is a group member who is not a user SCIM sees (or
	// was deleted by SCIM); the repository returns it, wrapped.
	ErrUnknownMember = apperr.Sentinel(apperr.Invalid, "unknown member", "A member is not a person of the portal.")
	// ErrNoToken is a token id that names no token.
	ErrNoToken = apperr.Sentinel(apperr.NotFound, "scim: no such token", "There is no such token.")
)

// TokenPrefix starts every SCIM token, so that secret scanners and
// people recognise one in a paste or a log.
const TokenPrefix = "portal_scim_"

// MaxTokenName is the longest name a token may have, in characters.
const MaxTokenName = 100

// TokenNameError says why a token's name cannot be taken. Its kind is
// apperr.Invalid; its Message is for the admin, beside the name field.
type TokenNameError struct{ Message string }

func (e *TokenNameError) Error() string { return "scim: token name: " + e.Message }

// Kind is apperr.Invalid.
func (e *TokenNameError) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is Message.
func (e *TokenNameError) UserMessage() string { return e.Message }

// CheckTokenName returns nil if name (trimmed by the caller) may name a
// token, and a *TokenNameError saying why not otherwise.
func CheckTokenName(name string) error {
	if err := input.Check(name, input.Line); err != nil {
		return &TokenNameError{Message: "The name " + err.Error() + "."}
	}
	if name == "" || utf8.RuneCountInString(name) > MaxTokenName {
		return &TokenNameError{Message: fmt.Sprintf("Give the token a name of up to %d characters, saying where it is used.", MaxTokenName)}
	}
	return nil
}

// Service runs SCIM provisioning: authenticating a client's bearer token,
// the users and groups it reads and writes, and the tokens admins make
// and revoke. Each method is one use case; it is safe for concurrent use
// if its Repository is.
type Service struct {
	repo     Repository
	newToken func() string
}

// NewService returns the Service over repo.
func NewService(repo Repository) *Service {
	return &Service{repo: repo, newToken: auth.NewToken}
}

// Authenticate finds token among the tokens in use, comparing hashes in
// constant time, records that it was used and returns its id. An empty,
// unknown or revoked token is ErrUnauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (int64, error) {
	if token == "" {
		return 0, ErrUnauthorized
	}
	tokens, err := s.repo.ActiveSCIMTokens(ctx)
	if err != nil {
		return 0, err
	}
	hash := []byte(auth.HashToken(token))
	var found int64
	for _, t := range tokens {
		if subtle.ConstantTimeCompare(hash, []byte(t.Hash)) == 1 {
			found = t.ID
		}
	}
	if found == 0 {
		return 0, ErrUnauthorized
	}
	if err := s.repo.TouchSCIMToken(ctx, found); err != nil {
		return 0, err
	}
	return found, nil
}

// Tokens returns every token, in use or revoked, newest first.
func (s *Service) Tokens(ctx context.Context) ([]Token, error) { return s.repo.SCIMTokens(ctx) }

// CreateToken makes a random token named name (CheckTokenName), stores
// only its hash and returns the token, which is never shown again. It is
// audit-logged by name.
func (s *Service) CreateToken(ctx context.Context, name string, actorID int64) (string, error) {
	if err := CheckTokenName(name); err != nil {
		return "", err
	}
	token := TokenPrefix + s.newToken()
	if _, err := s.repo.CreateSCIMToken(ctx, name, auth.HashToken(token), actorID); err != nil {
		return "", err
	}
	return token, nil
}

// RevokeToken revokes the token with the given id at once; an unknown id
// is of kind apperr.NotFound. It is audit-logged.
func (s *Service) RevokeToken(ctx context.Context, id, actorID int64) error {
	if id <= 0 {
		return ErrNoToken
	}
	return s.repo.RevokeSCIMToken(ctx, id, actorID)
}

// Users returns the page p of the users matching f, and how many match.
func (s *Service) Users(ctx context.Context, f EqualityFilter, p Page) ([]User, int, error) {
	return s.repo.SCIMUsers(ctx, f, p.Offset(), p.Count)
}

// User returns the user with the given id.
func (s *Service) User(ctx context.Context, id int64) (User, error) { return s.repo.SCIMUser(ctx, id) }

// CreateUser provisions a person; they get the employee role and sign in
// later through the identity provider, matched by their address. A
// userName or address in use is ErrUserTaken.
func (s *Service) CreateUser(ctx context.Context, u User, tokenID int64) (User, error) {
	created, err := s.repo.CreateSCIMUser(ctx, u, tokenID)
	return created, taken(err, ErrUserTaken)
}

// ReplaceUser replaces the user's attributes with those of a PUT's body
// (ReplaceUser), read and written in one transaction.
func (s *Service) ReplaceUser(ctx context.Context, id int64, body []byte, tokenID int64) (User, error) {
	u, err := s.repo.UpdateSCIMUser(ctx, id, func(cur User) (User, error) { return ReplaceUser(cur, body) }, tokenID)
	return u, taken(err, ErrUserTaken)
}

// PatchUser applies a PatchOp's operations to the user in one
// transaction; setting active to false deactivates the person and ends
// their sessions.
func (s *Service) PatchUser(ctx context.Context, id int64, ops []Operation, tokenID int64) (User, error) {
	u, err := s.repo.UpdateSCIMUser(ctx, id, func(cur User) (User, error) { return ApplyUserPatch(cur, ops) }, tokenID)
	return u, taken(err, ErrUserTaken)
}

// DeleteUser deactivates the person; their history stays.
func (s *Service) DeleteUser(ctx context.Context, id, tokenID int64) error {
	return s.repo.DeleteSCIMUser(ctx, id, tokenID)
}

// Groups returns the page p of the groups matching f, with their members
// if members is true, and how many match.
func (s *Service) Groups(ctx context.Context, f EqualityFilter, p Page, members bool) ([]Group, int, error) {
	return s.repo.SCIMGroups(ctx, f, p.Offset(), p.Count, members)
}

// Group returns the group with the given id, with its members if members
// is true.
func (s *Service) Group(ctx context.Context, id int64, members bool) (Group, error) {
	return s.repo.SCIMGroup(ctx, id, members)
}

// CreateGroup creates a group (a team); its members get its training. A
// displayName in use is ErrGroupTaken, a member who is not a user
// ErrUnknownMember.
func (s *Service) CreateGroup(ctx context.Context, g Group, tokenID int64) (Group, error) {
	created, err := s.repo.CreateSCIMGroup(ctx, g, tokenID)
	return created, taken(err, ErrGroupTaken)
}

// ReplaceGroup replaces the group's name and members with those of a
// PUT's body (ReplaceGroup), read and written in one transaction.
func (s *Service) ReplaceGroup(ctx context.Context, id int64, body []byte, tokenID int64) (Group, error) {
	g, err := s.repo.UpdateSCIMGroup(ctx, id, func(cur Group) (Group, error) { return ReplaceGroup(cur, body) }, tokenID)
	return g, taken(err, ErrGroupTaken)
}

// PatchGroup applies a PatchOp's operations to the group in one
// transaction: a new name, or members added, removed or replaced.
func (s *Service) PatchGroup(ctx context.Context, id int64, ops []Operation, tokenID int64) error {
	_, err := s.repo.UpdateSCIMGroup(ctx, id, func(cur Group) (Group, error) { return ApplyGroupPatch(cur, ops) }, tokenID)
	return taken(err, ErrGroupTaken)
}

// DeleteGroup deletes a group, or retires it when training assignments or
// posts refer to it.
func (s *Service) DeleteGroup(ctx context.Context, id, tokenID int64) error {
	return s.repo.DeleteSCIMGroup(ctx, id, tokenID)
}

// taken is err with as, SCIM's uniqueness error for the resource, in front
// when err is the repository's conflict over a name in use; any other
// error is returned as it is.
func taken(err error, as *Error) error {
	if err == nil || apperr.KindOf(err) != apperr.Conflict {
		return err
	}
	return fmt.Errorf("%w: %w", as, err)
}
