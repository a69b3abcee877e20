package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/advocacy-portal/portal/internal/apperr"
)

// refusal is a domain error type with a kind and a message.
type refusal struct{ why string }

func (e *refusal) Error() string       { return "refused: " + e.why }
func (e *refusal) Kind() apperr.Kind   { return apperr.Conflict }
func (e *refusal) UserMessage() string { return e.why }

// bare is a domain error type with a kind and no message of its own.
type bare struct{}

func (bare) Error() string     { return "bare" }
func (bare) Kind() apperr.Kind { return apperr.Forbidden }

var (
	errGone  = apperr.Sentinel(apperr.NotFound, "gone", "It is gone.")
	errTaken = apperr.Sentinel(apperr.Conflict, "taken", "It is taken.")
	errDisk  = errors.New("disk full")
)

func TestKindOf(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantKind    apperr.Kind
		wantMessage string
	}{
		{"nil", nil, apperr.Internal, ""},
		{"a plain error", errDisk, apperr.Internal, ""},
		{"a wrapped plain error", fmt.Errorf("store: x: %w", errDisk), apperr.Internal, ""},
		{"an app error", apperr.New(apperr.Invalid, "Type a date."), apperr.Invalid, "Type a date."},
		{"an app error wrapping a failure", apperr.Wrap(apperr.Forbidden, "No.", errDisk), apperr.Forbidden, "No."},
		{"an app error wrapping a sentinel says its own words", apperr.Wrap(apperr.Invalid, "Check it.", errGone),
			apperr.Invalid, "Check it."},
		{"a wrapped app error", fmt.Errorf("handlers: %w", apperr.New(apperr.NotFound, "No such post.")),
			apperr.NotFound, "No such post."},
		{"a sentinel", errGone, apperr.NotFound, "It is gone."},
		{"a wrapped sentinel", fmt.Errorf("store: post 3: %w", errGone), apperr.NotFound, "It is gone."},
		{"twice wrapped", fmt.Errorf("a: %w", fmt.Errorf("b: %w", errTaken)), apperr.Conflict, "It is taken."},
		{"a domain type", &refusal{"Archived."}, apperr.Conflict, "Archived."},
		{"a wrapped domain type", fmt.Errorf("store: %w", &refusal{"Archived."}), apperr.Conflict, "Archived."},
		{"a domain type without a message", fmt.Errorf("x: %w", bare{}), apperr.Forbidden, ""},
		{"joined errors with kinds are the first one's", errors.Join(errTaken, errGone), apperr.Conflict, "It is taken."},
		{"a failure joined to a sentinel is a failure", errors.Join(errGone, errDisk), apperr.Internal, ""},
		{"a sentinel joined to a failure is a failure", errors.Join(errDisk, errGone), apperr.Internal, ""},
		{"several %w with kinds", fmt.Errorf("%w and %w", errGone, errTaken), apperr.NotFound, "It is gone."},
		{"an app error of no kind", apperr.New(apperr.Internal, "Oops."), apperr.Internal, "Oops."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apperr.KindOf(tt.err); got != tt.wantKind {
				t.Errorf("KindOf = %v, want %v", got, tt.wantKind)
			}
			if got := apperr.MessageOf(tt.err); got != tt.wantMessage {
				t.Errorf("MessageOf = %q, want %q", got, tt.wantMessage)
			}
		})
	}
}

func TestSentinel(t *testing.T) {
	wrapped := fmt.Errorf("store: post 3: %w", errGone)
	if !errors.Is(wrapped, errGone) || errors.Is(wrapped, errTaken) {
		t.Errorf("errors.Is(wrapped errGone): errGone %v, errTaken %v; want true, false",
			errors.Is(wrapped, errGone), errors.Is(wrapped, errTaken))
	}
	if same := apperr.Sentinel(apperr.NotFound, "gone", "It is gone."); errors.Is(same, errGone) {
		t.Error("two sentinels with the same words are the same error; want each its own")
	}
	if got := wrapped.Error(); got != "store: post 3: gone" {
		t.Errorf("Error = %q, want the log text, not the message for users", got)
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  *apperr.Error
		want string
	}{
		{apperr.New(apperr.Invalid, "Type a date."), "Type a date."},
		{apperr.Wrap(apperr.Invalid, "Type a date.", errDisk), "Type a date.: disk full"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error = %q, want %q", got, tt.want)
		}
	}
	if w := apperr.Wrap(apperr.Invalid, "x", errDisk); !errors.Is(w, errDisk) {
		t.Error("Wrap does not wrap its error")
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[apperr.Kind]string{apperr.Internal: "internal", apperr.Invalid: "invalid",
		apperr.NotFound: "not found", apperr.Forbidden: "forbidden", apperr.Conflict: "conflict"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}
