package share

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/training"
)

// Query names the facts to read for a share: who, which post, which
// network, and from when shares count towards today's cadence.
type Query struct {
	UserID  int64
	PostID  int64
	Network Network
	Since   time.Time // the start of the cadence day (cadence.DayStart)
}

// Record is what to write for an allowed share, besides the share itself.
type Record struct {
	// NewCode draws a code for the tracked link when the person has none
	// yet for the post and network. It may be called again on a collision.
	NewCode func() string
	// Instance is a Mastodon server to remember for the person; "" leaves
	// the saved one alone.
	Instance string
}

// Recorded is a share as written: its tracked link and the share's own id.
type Recorded struct {
	LinkID  int64
	Code    string // the tracked link is /l/{Code}
	ShareID int64
}

// Repository is what the share Service needs from storage; the store
// implements it.
type Repository interface {
	// RecordShare reads the Facts for q and calls decide with them. When
	// decide returns ok, it records the share: the tracked link for (user,
	// post, network), created the first time with a code from rec.NewCode,
	// a share on it with the follower count the person declared for the
	// network, and rec.Instance as their Mastodon server if not empty.
	// Reading and writing are one transaction, so nothing that commits
	// meanwhile (a pause, an archived post, another share) changes the facts
	// a recorded share was allowed on. Without ok it writes nothing and
	// returns the zero Recorded.
	RecordShare(ctx context.Context, q Query, decide func(Facts) (rec Record, ok bool)) (Recorded, error)
	// EnabledNetworks returns the ids of the networks admins enabled, with
	// chosen false if they never chose (see Offered).
	EnabledNetworks(ctx context.Context) (ids []string, chosen bool, err error)
	// ShareCadence returns the share cadence admins set, or no limit.
	ShareCadence(ctx context.Context) (cadence.Rule, error)
	// SetShareCadence stores the share cadence, audit-logged as actorID's.
	SetShareCadence(ctx context.Context, r cadence.Rule, actorID int64) error
}

// Outcome is what came of a request to share: the gate's decision and,
// when it allowed the share, the share as recorded.
type Outcome struct {
	Decision
	Recorded Recorded // zero unless Allowed
}

// Service runs the share gate: it decides on a request over facts read
// in one transaction with the share it records. It is safe for concurrent
// use if its Repository is.
type Service struct {
	repo       Repository
	guidelines *training.Guidelines
	now        func() time.Time
	newCode    func() string
}

// NewService returns a Service over repo, judging training against g, at
// the time now tells (time.Now if nil). Tracked links get codes from NewCode.
func NewService(repo Repository, g *training.Guidelines, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{repo: repo, guidelines: g, now: now, newCode: NewCode}
}

// Share decides whether r may go ahead now (see Decide) and, if so,
// records the share and its tracked link. A refusal is an Outcome, not an
// error; errors are the repository's.
func (s *Service) Share(ctx context.Context, r Request) (Outcome, error) {
	now := s.now()
	var d Decision
	decided := false
	q := Query{UserID: r.UserID, PostID: r.PostID, Network: r.Network, Since: cadence.DayStart(now)}
	rec, err := s.repo.RecordShare(ctx, q, func(f Facts) (Record, bool) {
		d, decided = Decide(s.guidelines, r, f, now), true
		rec := Record{NewCode: s.newCode}
		if d.SaveInstance {
			rec.Instance = d.Instance
		}
		return rec, d.Allowed()
	})
	if err != nil {
		return Outcome{}, err
	}
	if !decided {
		return Outcome{}, errors.New("share: the repository recorded nothing and never asked the gate")
	}
	return Outcome{Decision: d, Recorded: rec}, nil
}

// Networks returns the networks offered for sharing, in the order of
// Networks (see Offered).
func (s *Service) Networks(ctx context.Context) ([]Network, error) {
	ids, chosen, err := s.repo.EnabledNetworks(ctx)
	if err != nil {
		return nil, err
	}
	return Offered(ids, chosen), nil
}

// MaxCadenceLimit is the highest share cadence admins may set, in shares
// per person, network and day.
const MaxCadenceLimit = 100

// ErrCadenceLimit refuses a cadence limit that is not a whole number from
// 1 to MaxCadenceLimit.
var ErrCadenceLimit = apperr.Sentinel(apperr.Invalid, "share: bad cadence limit",
	"Enter a whole number from 1 to 100, or leave it empty for no limit.")

// ParseCadence reads a cadence as admins type it: limit empty for none,
// and hard (refuse past the limit instead of asking) only with a limit.
func ParseCadence(limit string, hard bool) (cadence.Rule, error) {
	var r cadence.Rule
	if limit = strings.TrimSpace(limit); limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxCadenceLimit {
			return cadence.Rule{}, ErrCadenceLimit
		}
		r.Limit = n
	}
	r.Hard = hard && r.Limit > 0
	return r, nil
}

// Cadence returns the share cadence admins set.
func (s *Service) Cadence(ctx context.Context) (cadence.Rule, error) { return s.repo.ShareCadence(ctx) }

// SetCadence stores the share cadence admins chose, as actorID.
func (s *Service) SetCadence(ctx context.Context, r cadence.Rule, actorID int64) error {
	return s.repo.SetShareCadence(ctx, r, actorID)
}

// ChooseNetworks reads the networks an admin ticked, by id: each must be
// a network (else problem says to reload), and at least one must be
// chosen, or no one could share. The result is in the order of Networks;
// when problem is not "", it holds the networks that were understood.
func ChooseNetworks(ids []string) (chosen []Network, problem string) {
	for _, id := range ids {
		n, ok := Parse(id)
		if !ok {
			problem = "One of the chosen networks does not exist. Reload the page and choose again."
			continue
		}
		if !slices.Contains(chosen, n) {
			chosen = append(chosen, n)
		}
	}
	if len(chosen) == 0 && problem == "" {
		problem = "Keep at least one network enabled, or people cannot share at all."
	}
	ordered := []Network{}
	for _, n := range Networks {
		if slices.Contains(chosen, n) {
			ordered = append(ordered, n)
		}
	}
	return ordered, problem
}
