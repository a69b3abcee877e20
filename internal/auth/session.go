package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/input"
)

// How long a session and a sign-in in progress last.
const (
	SessionTTL    = 12 * time.Hour
	LoginStateTTL = 10 * time.Minute
)

// Session is a signed-in browser. The cookie holds a secret id; storage
// keeps only its hash (HashToken).
type Session struct {
	IDHash    string
	User      account.User
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LoginState is a sign-in in progress between redirecting to the identity
// provider and its callback.
type LoginState struct {
	State       string
	Provider    string
	SessionData string // what the provider's Flow.Begin saved
	NextPath    string
	CreatedAt   time.Time
}

// SessionRepository is what Sessions need from storage; the store
// implements it. A missing row is an error of kind apperr.NotFound.
type SessionRepository interface {
	// SaveLoginState stores a sign-in in progress.
	SaveLoginState(ctx context.Context, ls LoginState) error
	// TakeLoginState returns and deletes the sign-in in progress with the
	// given state, so that a callback can be used once only; states older
	// than maxAge are not found.
	TakeLoginState(ctx context.Context, state string, maxAge time.Duration) (LoginState, error)
	// SignIn finds or creates the account of a verified identity by the
	// rules of account.BindingFor and records the sign-in.
	SignIn(ctx context.Context, id account.Identity) (account.User, error)
	// CreateSession stores a new session for userID; if replaceHash names
	// an existing session it is deleted in the same transaction.
	CreateSession(ctx context.Context, idHash, replaceHash string, userID int64, csrf string, expires time.Time) error
	// SessionByHash returns the unexpired session with the given id hash
	// and its user, who must be active.
	SessionByHash(ctx context.Context, idHash string) (Session, error)
	// DeleteSession ends a session; one that does not exist is no error.
	DeleteSession(ctx context.Context, idHash string) error
	// Ping reports whether storage answers.
	Ping(ctx context.Context) error
}

// SessionsConfig is how Sessions sign people in.
type SessionsConfig struct {
	RoleMap RoleMap
	// AllowedDomains are the email domains that may sign in (AllowedEmail);
	// none lets any in.
	AllowedDomains []string
	Now            func() time.Time // time.Now if nil
}

// Sessions signs people in through a Provider and keeps the portal's own
// sessions. Each method is one use case; it is safe for concurrent use if
// its repository is.
type Sessions struct {
	repo SessionRepository
	cfg  SessionsConfig
}

// NewSessions returns Sessions over repo.
func NewSessions(repo SessionRepository, cfg SessionsConfig) *Sessions {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Sessions{repo: repo, cfg: cfg}
}

// ErrDeactivated is a sign-in to an account an admin or the directory
// deactivated.
var ErrDeactivated = apperr.Sentinel(apperr.Forbidden, "auth: account deactivated",
	"Your account in the portal is deactivated. Ask the portal's administrators if this is a mistake.")

// Reason says why a sign-in was refused.
type Reason int

// The reasons a sign-in is refused.
const (
	Expired          Reason = iota + 1 // the state is unknown, used, too old, or another browser's
	ProviderRefused                    // the identity provider answered with an OAuth error
	NotConfirmed                       // the provider's answer did not check out (Flow.Finish)
	NoIdentity                         // the provider's claims make no identity (RoleMap.Identity)
	DomainNotAllowed                   // the address is outside AllowedDomains
	EmailUnverified                    // account.ErrEmailUnverified
	EmailTaken                         // the address belongs to an account of another identity (*account.TakenError)
)

// Refusal is a sign-in refused, with words for the sign-in page. Err is
// the cause worth logging, if any; Refusal unwraps to it. Nothing was
// stored but the taking of the sign-in's state (and, for EmailTaken, the
// attempt the store records).
type Refusal struct {
	Reason  Reason
	Message string
	Err     error
}

func (r *Refusal) Error() string {
	if r.Err != nil {
		return "auth: sign-in refused: " + r.Message + ": " + r.Err.Error()
	}
	return "auth: sign-in refused: " + r.Message
}

func (r *Refusal) Unwrap() error { return r.Err }

// Kind is apperr.Forbidden: the person is not signed in.
func (r *Refusal) Kind() apperr.Kind { return apperr.Forbidden }

// UserMessage is Message.
func (r *Refusal) UserMessage() string { return r.Message }

// expiredSignIn is what every state that does not check out is told.
const expiredSignIn = "This sign-in took too long or was started in another browser. Please sign in again."

// Begin starts a sign-in with p that is to end at next (a local path,
// or "" for the person's home): it returns the URL to send the browser
// to and the OAuth state, which the caller also binds to the browser (a
// cookie) for Finish to compare. What the provider's flow needs to finish
// is kept in storage only.
func (s *Sessions) Begin(ctx context.Context, p Provider, next string) (authURL, state string, err error) {
	state = NewToken()
	authURL, saved, err := p.Flow.Begin(state)
	if err != nil {
		return "", "", err
	}
	if err := s.repo.SaveLoginState(ctx, LoginState{State: state, Provider: p.Slug, SessionData: saved, NextPath: next}); err != nil {
		return "", "", err
	}
	return authURL, state, nil
}

// Callback is the identity provider's answer as the browser brought it.
type Callback struct {
	Provider   Provider
	State      string // the state the callback carries
	BoundState string // the state this browser was given at Begin
	ErrorCode  string // the provider's OAuth error, if it sent one
	ErrorText  string // its error_description
	RawQuery   string // the callback's whole query, for the flow
	OldSession string // the session token this browser had, if any: it ends
}

// SignedIn is a sign-in that succeeded: a new session, whose Token the
// browser keeps until Expires, for User, who asked to go to Next (as
// given to Begin).
type SignedIn struct {
	User    account.User
	Token   string
	Expires time.Time
	Next    string
}

// Finish completes a sign-in: the state must be the browser's and unused,
// then the provider's flow checks who the person is, their address must
// be allowed, the repository finds or creates their account, and a new
// session starts, ending the browser's old one. A refusal is a *Refusal
// saying why; a deactivated account is ErrDeactivated; a malformed query
// is invalid.
func (s *Sessions) Finish(ctx context.Context, cb Callback) (SignedIn, error) {
	p := cb.Provider
	if cb.State == "" || subtle.ConstantTimeCompare([]byte(cb.State), []byte(cb.BoundState)) != 1 {
		return SignedIn{}, &Refusal{Reason: Expired, Message: expiredSignIn}
	}
	ls, err := s.repo.TakeLoginState(ctx, cb.State, LoginStateTTL)
	if apperr.KindOf(err) == apperr.NotFound || (err == nil && ls.Provider != p.Slug) {
		return SignedIn{}, &Refusal{Reason: Expired, Message: expiredSignIn}
	}
	if err != nil {
		return SignedIn{}, err
	}
	// Only now, with the state proven to be this browser's sign-in, is
	// what the provider says worth showing.
	if cb.ErrorCode != "" {
		return SignedIn{}, &Refusal{Reason: ProviderRefused, Message: ProviderRefusal(cb.ErrorCode, cb.ErrorText)}
	}
	query, err := url.ParseQuery(cb.RawQuery)
	if err != nil {
		return SignedIn{}, apperr.Wrap(apperr.Invalid, "The identity provider sent back a malformed answer.", err)
	}
	claims, err := p.Flow.Finish(ctx, ls.SessionData, query)
	if err != nil {
		return SignedIn{}, &Refusal{Reason: NotConfirmed, Message: "The identity provider did not confirm your sign-in. Please try again.", Err: err}
	}
	id, err := s.cfg.RoleMap.Identity(p.Slug, claims)
	if err != nil {
		return SignedIn{}, &Refusal{Reason: NoIdentity, Message: "We cannot sign you in: " + err.Error() + "."}
	}
	// Checked before SignIn, so that no account is created or updated for
	// someone outside the allowed domains.
	if !AllowedEmail(id.Email, s.cfg.AllowedDomains) {
		return SignedIn{}, &Refusal{Reason: DomainNotAllowed, Message: "Your account (" + id.Email + ") is not allowed to use this portal: " +
			"it is open to work accounts of the organisation only. Sign in with your work account, or ask your IT team if you think this is a mistake."}
	}
	user, err := s.repo.SignIn(ctx, id)
	var taken *account.TakenError
	switch {
	case errors.Is(err, account.ErrEmailUnverified):
		return SignedIn{}, &Refusal{Reason: EmailUnverified, Err: err, Message: "Your identity provider has not confirmed that " + id.Email +
			" is your address, so the portal cannot open an account for you with it. Ask your IT team to verify the address, then sign in again."}
	case errors.As(err, &taken):
		return SignedIn{}, &Refusal{Reason: EmailTaken, Err: err, Message: "The address " + id.Email + " already belongs to a portal account that signs in " +
			"with a different identity, so we did not sign you in: an account is never handed to another identity. " +
			"If this is your account, ask the portal's administrators; the attempt was recorded."}
	case err != nil:
		return SignedIn{}, err
	}
	if !user.Active {
		return SignedIn{}, fmt.Errorf("auth: sign in user %d: %w", user.ID, ErrDeactivated)
	}
	// A new session id at every sign-in; any session this browser had ends.
	out := SignedIn{User: user, Token: NewToken(), Expires: s.cfg.Now().Add(SessionTTL), Next: ls.NextPath}
	replace := ""
	if cb.OldSession != "" {
		replace = HashToken(cb.OldSession)
	}
	if err := s.repo.CreateSession(ctx, HashToken(out.Token), replace, user.ID, NewToken(), out.Expires); err != nil {
		return SignedIn{}, err
	}
	return out, nil
}

// Session returns the session whose cookie holds token; an expired or
// unknown session, or one of a deactivated person, is of kind
// apperr.NotFound.
func (s *Sessions) Session(ctx context.Context, token string) (Session, error) {
	return s.repo.SessionByHash(ctx, HashToken(token))
}

// SignOut ends the session with the given id hash.
func (s *Sessions) SignOut(ctx context.Context, idHash string) error {
	return s.repo.DeleteSession(ctx, idHash)
}

// Ready reports whether sign-in can work: storage answers.
func (s *Sessions) Ready(ctx context.Context) error { return s.repo.Ping(ctx) }

// ProviderRefusal is the sign-in page's words for an OAuth error from the
// provider (RFC 6749 4.1.2.1): its description when it sent a usable one,
// and its error code. The page escapes both.
func ProviderRefusal(code, description string) string {
	const maxLen = 300
	usable := func(s string) bool { return s != "" && len(s) <= maxLen && input.Valid(s, input.Line) }
	msg := "The identity provider did not sign you in"
	if usable(description) {
		msg += ": " + description
	}
	if usable(code) {
		msg += " (" + code + ")"
	}
	return msg + ". Try again, or ask your IT team if it keeps happening."
}

// AllowedEmail reports whether an address may sign in: its domain (after
// the last @) is one of domains, case ignored. No domains lets anyone in.
func AllowedEmail(email string, domains []string) bool {
	if len(domains) == 0 {
		return true
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	domain := strings.TrimSuffix(email[at+1:], ".")
	return slices.ContainsFunc(domains, func(d string) bool {
		return d != "" && strings.EqualFold(strings.TrimSuffix(d, "."), domain)
	})
}
