package account

import (
	"fmt"

	"github.com/advocacy-portal/portal/internal/apperr"
)

// Identity is what an identity provider tells us about a person at sign-in,
// after the portal has verified the provider's answer.
//
// A person is identified by (Issuer, Subject), the pair OpenID Connect
// promises is stable and never reassigned; the email address is only a
// way to find an account that a directory (SCIM, the CSV import) created
// before the person first signed in.
type Identity struct {
	Issuer  string // who vouches for Subject: the provider's issuer URL (or a fixed name for the demo provider)
	Subject string // the provider's id for the person; stable across renames
	// LegacySubject is how the portal stored this identity before it kept
	// issuers ("<provider slug>:<subject>"). Optional: an account bound
	// under it is moved to (Issuer, Subject) at sign-in.
	LegacySubject string
	Email         string
	// EmailVerified says the provider vouches that Email belongs to the
	// person (its email_verified claim, or a provider the portal is told
	// always verifies). Only a verified email may create an account or
	// link an identity to an existing one.
	EmailVerified bool
	Name          string
	Department    string
	Roles         []Role   // roles mapped from the provider's groups claim
	Groups        []string // the groups claim's values; matching portal groups are joined
}

// EmailHolder is the account that already has an identity's email address.
type EmailHolder struct {
	UserID int64
	// Bound says the account already has an identity (another one: the
	// identity's own binding was looked up first).
	Bound bool
}

// Binding says how a sign-in finds its account.
type Binding int

const (
	// SignInBound signs in the account already bound to the identity.
	SignInBound Binding = iota
	// LinkByEmail binds the identity to the account with its email address,
	// which a directory created and nobody has signed in to yet.
	LinkByEmail
	// CreateAccount creates a new account bound to the identity.
	CreateAccount
)

// ErrEmailUnverified refuses a sign-in that would create an account, or
// link one, on the strength of an email address the provider has not
// verified. Its kind is apperr.Forbidden.
var ErrEmailUnverified = apperr.Sentinel(apperr.Forbidden, "the identity provider has not verified the email address",
	"Your identity provider has not confirmed your email address, so the portal cannot open an account for you with it. "+
		"Ask your IT team to verify the address, then sign in again.")

// TakenError refuses a sign-in whose email address belongs to an account
// bound to another identity: signing in must never take an account over.
type TakenError struct {
	UserID int64 // the account that has the email address
}

func (e *TakenError) Error() string {
	return fmt.Sprintf("the email address belongs to account %d, which is bound to another identity", e.UserID)
}

// Kind is apperr.Forbidden.
func (e *TakenError) Kind() apperr.Kind { return apperr.Forbidden }

// UserMessage says why the sign-in was refused without naming the account.
func (e *TakenError) UserMessage() string {
	return "Your email address already belongs to a portal account that signs in with a different identity, so we did not sign you in: " +
		"an account is never handed to another identity. If this is your account, ask the portal's administrators."
}

// BindingFor decides how id signs in. bound says an account is bound to
// (id.Issuer, id.Subject); holder is the account that has id.Email, or nil.
//
// The rules: an identity bound to an account signs in to it, whatever its
// email says. Otherwise an unverified email neither links nor creates an
// account (and, checked first, tells nothing about the accounts there
// are); an account is found by a verified email only if it has no
// identity yet; and a verified email held by an account bound to another
// identity is refused (*TakenError), never rewritten.
func BindingFor(id Identity, bound bool, holder *EmailHolder) (Binding, error) {
	switch {
	case bound:
		return SignInBound, nil
	case !id.EmailVerified:
		return 0, ErrEmailUnverified
	case holder != nil && holder.Bound:
		return 0, &TakenError{UserID: holder.UserID}
	case holder != nil:
		return LinkByEmail, nil
	default:
		return CreateAccount, nil
	}
}

// EmailAfterSignIn is the email address a bound account keeps after id
// signs in to it: the provider's, if verified and no other account has it,
// and otherwise the one the account had.
func EmailAfterSignIn(id Identity, current string, heldByAnother bool) string {
	if !id.EmailVerified || heldByAnother || id.Email == "" {
		return current
	}
	return id.Email
}
