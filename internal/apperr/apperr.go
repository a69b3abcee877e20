// Package apperr is the portal's error type for failures a user should hear
// about: it carries a kind, which maps to an HTTP status, and a message
// written for the user, kept apart from the wrapped error that is logged.
package apperr

import "errors"

// Kind classifies an error for the user.
type Kind int

// The kinds of error.
const (
	Invalid   Kind = iota + 1 // the request was malformed or failed a check (422)
	NotFound                  // the thing asked for does not exist (404)
	Forbidden                 // the user may not do this (403)
	Conflict                  // the request clashes with the current state (409)
)

// Error is an error with a message safe to show to users.
type Error struct {
	Kind    Kind
	Message string // for the user
	Err     error  // for the log; may be nil
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Status is the HTTP status code for the error's kind.
func (e *Error) Status() int {
	switch e.Kind {
	case Invalid:
		return 422
	case NotFound:
		return 404
	case Forbidden:
		return 403
	case Conflict:
		return 409
	}
	return 500
}

// New returns an error of the given kind with a message for the user.
func New(k Kind, message string) *Error { return &Error{Kind: k, Message: message} }

// Wrap returns an error of the given kind that shows message and logs err.
func Wrap(k Kind, message string, err error) *Error {
	return &Error{Kind: k, Message: message, Err: err}
}

// As returns the *Error in err's chain, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
