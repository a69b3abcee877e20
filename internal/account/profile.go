package account

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones are checked against the embedded database, whatever the host has
)

// Digest is how often a person gets the email digest of new posts.
type Digest string

// The digest choices; weekly is the default.
const (
	DigestOff    Digest = "off"
	DigestDaily  Digest = "daily"
	DigestWeekly Digest = "weekly"
)

// Digests lists the choices in the order forms offer them.
var Digests = []Digest{DigestOff, DigestDaily, DigestWeekly}

// Valid reports whether d is one of the digest choices.
func (d Digest) Valid() bool { return slices.Contains(Digests, d) }

// Profile is what a person tells the portal about themselves.
type Profile struct {
	// Followers maps a network ("linkedin", "x", ...) to the person's
	// self-declared follower count there; a network missing has 0.
	Followers         map[string]int
	MastodonInstance  string // host name, e.g. "mastodon.social"; "" if not told
	Language          string
	TimeZone          string // IANA name; "" means UTC
	Digest            Digest
	LeaderboardOptOut bool
}

// MaxFollowers catches typos; no account has a billion followers.
const MaxFollowers = 999_999_999

// thousands matches a number written with thousands separators: 12,500,
// 12.500, 12 500 or 12'500.
var thousands = regexp.MustCompile(`^\d{1,3}([,. '’]\d{3})+$`)

// Problems with the profile form, in English; the view translates them.
const (
	problemFollowers     = "Enter a whole number, 0 or more."
	problemFollowersHigh = "That is more followers than any account has. Check the number."
	problemInstance      = "That does not look like a server name. Type it like mastodon.social."
	problemLanguage      = "Choose one of the languages offered."
	problemTimeZone      = "That is not a time zone we know. Choose one from the list, such as Europe/Amsterdam."
	problemDigest        = "Choose off, daily or weekly."
)

// ProfileRepository is what the Profiles service needs from storage; the
// store implements it. An unknown user is an error of kind
// apperr.NotFound.
type ProfileRepository interface {
	// Profile returns the user's profile.
	Profile(ctx context.Context, userID int64) (Profile, error)
	// SaveProfile replaces the user's profile whole, in one transaction,
	// recording the language as chosen; a follower count of 0 is no count.
	SaveProfile(ctx context.Context, userID int64, p Profile) error
	// SetLanguage records the language a user chose for the guidelines.
	SetLanguage(ctx context.Context, userID int64, lang string) error
}

// ProfileOptions are what a profile is checked against.
type ProfileOptions struct {
	// Networks are those a person declares followers on, by name
	// ("linkedin", ...).
	Networks []string
	// Languages are those the guidelines are offered in.
	Languages []string
	// Instance turns what a person typed for their Mastodon server into a
	// host name, or reports that it is not one (share.ParseInstance).
	Instance func(typed string) (host string, ok bool)
}

// Profiles runs a person's own profile. Each method is one use case; it
// is safe for concurrent use if its repository is.
type Profiles struct {
	repo ProfileRepository
	opts ProfileOptions
}

// NewProfiles returns the Profiles service over repo, checking profiles
// against opts.
func NewProfiles(repo ProfileRepository, opts ProfileOptions) *Profiles {
	return &Profiles{repo: repo, opts: opts}
}

// Profile returns the profile of the user with id userID; an unknown user
// is ErrNoUser.
func (p *Profiles) Profile(ctx context.Context, userID int64) (Profile, error) {
	pr, err := p.repo.Profile(ctx, userID)
	return pr, noUser(err, userID)
}

// ProfileForm is a profile as its person typed it.
type ProfileForm struct {
	Followers         map[string]string // by network name; a network missing is empty
	Mastodon          string
	Language          string
	TimeZone          string
	Digest            string
	LeaderboardOptOut bool
}

// Check reads f into a profile, or returns what is wrong with it by form
// field: "followers-<network>", "mastodon", "language", "time_zone" and
// "digest". Follower counts are read as ParseFollowers reads them, only
// for the options' networks; an empty Mastodon server is none; the
// language must be one offered, the time zone one ValidTimeZone accepts.
func (p *Profiles) Check(f ProfileForm) (Profile, FieldErrors) {
	problems := FieldErrors{}
	pr := Profile{Followers: map[string]int{}, Language: f.Language, TimeZone: strings.TrimSpace(f.TimeZone),
		Digest: Digest(f.Digest), LeaderboardOptOut: f.LeaderboardOptOut}
	for _, n := range p.opts.Networks {
		count, problem := ParseFollowers(f.Followers[n])
		if problem != "" {
			problems["followers-"+n] = problem
		}
		pr.Followers[n] = count
	}
	if typed := strings.TrimSpace(f.Mastodon); typed != "" {
		host, ok := p.opts.Instance(typed)
		if !ok {
			problems["mastodon"] = problemInstance
		}
		pr.MastodonInstance = host
	}
	if !slices.Contains(p.opts.Languages, pr.Language) {
		problems["language"] = problemLanguage
	}
	if !ValidTimeZone(pr.TimeZone) {
		problems["time_zone"] = problemTimeZone
	}
	if !pr.Digest.Valid() {
		problems["digest"] = problemDigest
	}
	return pr, problems
}

// Save checks f (Check) and saves it whole as the profile of the user
// with id userID, or returns its FieldErrors and saves nothing. The
// language counts as chosen from then on.
func (p *Profiles) Save(ctx context.Context, userID int64, f ProfileForm) error {
	pr, problems := p.Check(f)
	if len(problems) > 0 {
		return problems
	}
	return noUser(p.repo.SaveProfile(ctx, userID, pr), userID)
}

// ChooseLanguage records lang as the language the user with id userID
// reads the guidelines in; one they are not offered in is
// ErrUnknownLanguage.
func (p *Profiles) ChooseLanguage(ctx context.Context, userID int64, lang string) error {
	if !slices.Contains(p.opts.Languages, lang) {
		return fmt.Errorf("account: language %q: %w", lang, ErrUnknownLanguage)
	}
	return p.repo.SetLanguage(ctx, userID, lang)
}

// ParseFollowers reads a follower count as people type it: empty is 0,
// surrounding space and thousands separators are allowed. Otherwise it
// returns the problem, in words for the person.
func ParseFollowers(typed string) (int, string) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return 0, ""
	}
	if thousands.MatchString(typed) {
		typed = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, typed)
	}
	if strings.TrimLeft(typed, "0123456789") != "" {
		return 0, problemFollowers
	}
	n, err := strconv.Atoi(typed)
	if err != nil || n > MaxFollowers {
		return 0, problemFollowersHigh
	}
	return n, ""
}

// ValidTimeZone reports whether name is empty (UTC) or an IANA time zone
// name; "Local", the host's, is not one.
func ValidTimeZone(name string) bool {
	if name == "" {
		return true
	}
	if name == "Local" || len(name) > 64 {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}
