// Package input says whether text that a person or a client sent may be
// stored: it must be valid UTF-8 without control characters, except that
// multi-line text may hold line breaks and tabs. Every way text enters the
// portal (forms, the CSV import, SCIM) checks it here, so one rule decides.
package input

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind says which characters beyond printable text a value may hold.
type Kind int

const (
	// Line is single-line text: a title, a name, an address.
	Line Kind = iota
	// Text is multi-line text: it may also hold line breaks and tabs.
	Text
)

// Error says what is wrong with a value, in words a person can act on.
// It never repeats the value.
type Error struct {
	Reason string // e.g. "contains a control character (U+0000)"
}

func (e *Error) Error() string { return e.Reason }

// Check returns nil if s may be stored as text of kind k, and an *Error
// saying why not otherwise.
func Check(s string, k Kind) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return &Error{Reason: "is not valid UTF-8 text; paste it again from its source, or type it"}
			}
		}
		if k == Text && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			what := "a control character"
			if r == '\n' || r == '\r' {
				what = "a line break"
			} else if r == '\t' {
				what = "a tab"
			}
			return &Error{Reason: fmt.Sprintf("contains %s (U+%04X), which this field cannot hold; remove it and send again", what, r)}
		}
	}
	return nil
}

// Clean returns s with what Check refuses replaced: invalid UTF-8 by
// U+FFFD and each disallowed character by a space, trimmed. It is for text
// a person cannot correct at once, such as an identity provider's claims;
// text a person sends is refused with Check instead.
func Clean(s string, k Kind) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				b.WriteRune(utf8.RuneError)
				continue
			}
		}
		if !Valid(string(r), k) {
			r = ' '
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// Valid reports whether s may be stored as text of kind k.
func Valid(s string, k Kind) bool { return Check(s, k) == nil }
