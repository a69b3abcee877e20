package account

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/advocacy-portal/portal/internal/apperr"
)

// FieldErrors say what is wrong with a form someone filled in, by form
// field, in words for them. As an error its kind is apperr.Invalid;
// nothing was changed.
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e)) {
		parts = append(parts, k+": "+e[k])
	}
	return "account: invalid form: " + strings.Join(parts, "; ")
}

// Kind is apperr.Invalid.
func (e FieldErrors) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is what the user is told when no form shows the fields.
func (e FieldErrors) UserMessage() string { return "Some fields need attention; nothing was changed." }

// The services' errors for things that do not exist.
var (
	ErrNoUser  = apperr.Sentinel(apperr.NotFound, "account: no such user", "There is no such person.")
	ErrNoGroup = apperr.Sentinel(apperr.NotFound, "account: no such group", "There is no such group.")
	// ErrUnknownEmail is an address no one in the portal has.
	ErrUnknownEmail = apperr.Sentinel(apperr.NotFound, "account: no user with that email", UnknownEmail)
)

// ErrSelfLockout is what the refusals of an admin's change to their own
// account are (errors.Is): taking away their own admin role
// (ErrSelfDemotion) or deactivating themselves (ErrSelfDeactivation). The
// portal would lose the person making the change, and possibly its last
// admin. Its kind is apperr.Conflict.
var ErrSelfLockout = apperr.Sentinel(apperr.Conflict, "an admin cannot demote or deactivate themselves",
	"You cannot take away your own admin role or deactivate your own account, so nothing was changed. Another admin can do it.")

// ErrUnchanged is what the refusals of a change to the state an account is
// already in are (errors.Is): ErrAlreadyActive, ErrAlreadyDeactivated and
// ErrNoIdentity. Nothing is written. Its kind is apperr.Conflict.
var ErrUnchanged = apperr.Sentinel(apperr.Conflict, "already in that state", "This is already so; nothing was changed.")

// The refusals of an admin's change to an account, each in its own words.
var (
	ErrUnknownRole = apperr.Sentinel(apperr.Invalid, "account: unknown role",
		"One of the chosen roles does not exist, so nothing was changed. Reload the page and choose again.")
	ErrSelfDemotion = apperr.Wrap(apperr.Conflict,
		"You cannot remove your own admin role, so nothing was changed. Another admin can do it.", ErrSelfLockout)
	ErrSelfDeactivation = apperr.Wrap(apperr.Conflict,
		"You cannot deactivate your own account. Another admin can do it.", ErrSelfLockout)
	ErrAlreadyActive      = apperr.Wrap(apperr.Conflict, "This account is already active.", ErrUnchanged)
	ErrAlreadyDeactivated = apperr.Wrap(apperr.Conflict, "This account is already deactivated.", ErrUnchanged)
	ErrNoIdentity         = apperr.Wrap(apperr.Conflict,
		"This account has no sign-in identity to forget: it links to the next sign-in with its verified email address already.",
		ErrUnchanged)
)

// ErrUnknownLanguage refuses a language the guidelines are not offered in.
// Its kind is apperr.Invalid.
var ErrUnknownLanguage = apperr.Sentinel(apperr.Invalid, "account: language not offered", "That language is not available.")

// noUser turns a repository's not-found error for user id into one that
// is also ErrNoUser; any other error is returned as it is.
func noUser(err error, id int64) error {
	if apperr.KindOf(err) == apperr.NotFound {
		return fmt.Errorf("account: user %d: %w: %w", id, ErrNoUser, err)
	}
	return err
}
