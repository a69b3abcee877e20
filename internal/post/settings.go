package post

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/check"
)

// ContentSettings are what admins set on the content settings page: the
// four-eyes rule, the checks posts pass, and the networks offered for
// sharing.
type ContentSettings struct {
	FourEyes bool
	Checks   check.Rules
	// Networks are the ids of the networks offered (share.Network), in the
	// feed's order; nil leaves the networks as they are.
	Networks []string
}

// The most entries a list of terms or hashtags may have, and the longest
// disclosure.
const (
	MaxListEntries = 500
	MaxDisclosure  = 50
)

// SettingsErrors say what is wrong with content settings, by form field
// ("blocked_terms", "disclosure"); as an error its kind is apperr.Invalid.
type SettingsErrors map[string]string

func (e SettingsErrors) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e)) {
		parts = append(parts, k+": "+e[k])
	}
	return "post: invalid settings: " + strings.Join(parts, "; ")
}

// Kind is apperr.Invalid.
func (e SettingsErrors) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is what the user is told when no form shows the fields.
func (e SettingsErrors) UserMessage() string { return "Some fields need attention; nothing was saved." }

// Problems says what is wrong with cs's checks, by field: lists over
// MaxListEntries, and a disclosure that is not one word or hashtag of at
// most MaxDisclosure bytes. None: nil.
func (cs ContentSettings) Problems() SettingsErrors {
	p := SettingsErrors{}
	if len(cs.Checks.BlockedTerms) > MaxListEntries || len(cs.Checks.WatchHashtags) > MaxListEntries {
		p["blocked_terms"] = "Keep each list under 500 entries."
	}
	if d := cs.Checks.RequiredDisclosure; len(d) > MaxDisclosure || strings.ContainsAny(d, " \t") {
		p["disclosure"] = "The disclosure is one word or hashtag, like #employee."
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// SaveSettings stores the content settings in one transaction, each
// change audit-logged with its old and new value as actorID's; with
// Problems, it is SettingsErrors and nothing is saved.
func (s *Service) SaveSettings(ctx context.Context, cs ContentSettings, actorID int64) error {
	if p := cs.Problems(); p != nil {
		return p
	}
	return s.repo.SaveContentSettings(ctx, cs, actorID)
}
