// Package apperr gives the portal's errors a kind: whether a failure is
// the user's (the request was invalid, asked for something that does not
// exist or that they may not do, or clashes with the current state) or
// the portal's own, and a message written for the user, kept apart from
// the error text that is logged.
//
// Domain packages declare their errors with a kind: a sentinel with
// Sentinel, a type with a Kind method (and a UserMessage method for its
// message). KindOf and MessageOf are the one place that reads them; the
// HTTP layer turns a kind into a status. The package knows nothing of HTTP.
package apperr

// Kind classifies an error for the user.
type Kind int

// The kinds of error.
const (
	Internal  Kind = iota // the portal failed, not the user; the zero Kind
	Invalid               // the request was malformed or failed a check
	NotFound              // the thing asked for does not exist (for this user)
	Forbidden             // the user may not do this
	Conflict              // the request clashes with the current state
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Forbidden:
		return "forbidden"
	case Conflict:
		return "conflict"
	}
	return "internal"
}

// Kinded is implemented by errors that know their kind. An error that also
// has a UserMessage method says with it what the user is told.
type Kinded interface {
	error
	Kind() Kind
}

type userMessager interface{ UserMessage() string }

// Error is an error of a kind with a message safe to show to users,
// wrapping, if it was made by Wrap, the error that is logged.
type Error struct {
	kind    Kind
	message string
	err     error
}

// New returns an error of the given kind with a message for the user.
func New(k Kind, message string) *Error { return &Error{kind: k, message: message} }

// Wrap returns an error of the given kind that shows message and logs err.
func Wrap(k Kind, message string, err error) *Error {
	return &Error{kind: k, message: message, err: err}
}

func (e *Error) Error() string {
	if e.err != nil {
		return e.message + ": " + e.err.Error()
	}
	return e.message
}

func (e *Error) Unwrap() error { return e.err }

// Kind is the error's kind.
func (e *Error) Kind() Kind { return e.kind }

// UserMessage is what the user is told.
func (e *Error) UserMessage() string { return e.message }

// Sentinel returns a new error value of kind k, for a package to declare
// as its sentinel (callers compare with errors.Is and wrap it with %w):
// text is what its Error method says, for the log and for wrapping;
// message is what the user is told.
func Sentinel(k Kind, text, message string) error {
	return &sentinel{kind: k, text: text, message: message}
}

type sentinel struct {
	kind          Kind
	text, message string
}

func (e *sentinel) Error() string       { return e.text }
func (e *sentinel) Kind() Kind          { return e.kind }
func (e *sentinel) UserMessage() string { return e.message }

// find returns the error with a kind that err is or wraps, or nil. Of
// several errors joined (errors.Join, or fmt.Errorf with several %w) it
// returns the first one's, but only if each of them has a kind: a failure
// of the portal's own beside a user's error is still the portal's.
func find(err error) Kinded {
	for err != nil {
		if k, ok := err.(Kinded); ok {
			return k
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			var first Kinded
			for _, e := range u.Unwrap() {
				k := find(e)
				if k == nil {
					return nil
				}
				if first == nil {
					first = k
				}
			}
			return first
		default:
			return nil
		}
	}
	return nil
}

// KindOf is the kind of the error err is or wraps that has one (the first
// found, err itself first); Internal if there is none, or err is nil. Of
// errors joined, it is the first one's if each has a kind, and Internal
// otherwise.
func KindOf(err error) Kind {
	if k := find(err); k != nil {
		return k.Kind()
	}
	return Internal
}

// MessageOf is the message for the user of the error KindOf reads, or ""
// if there is none: err has no kind, or that error has no UserMessage.
func MessageOf(err error) string {
	if m, ok := find(err).(userMessager); ok {
		return m.UserMessage()
	}
	return ""
}
