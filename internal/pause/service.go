package pause

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/mail/letter"
	"github.com/advocacy-portal/portal/internal/post"
)

// MaxReason is the longest reason a pause may give, in characters:
// employees read it on their feed instead of the paused posts.
const MaxReason = 500

// HistoryShown is how many resumed pauses the pause page lists.
const HistoryShown = 50

// Told are the roles whose active holders are mailed when a pause starts
// or ends.
var Told = []account.Role{account.Comms, account.Admin}

// Start is a pause for the repository to record.
type Start struct {
	Scope   Scope
	Reason  string
	ActorID int64
	Tell    []account.Role // the roles whose active holders the Notice lists
}

// Resume is the end of a pause for the repository to record.
type Resume struct {
	ID      int64
	ActorID int64
	Tell    []account.Role // the roles whose active holders the Notice lists
}

// Target is what the repository knows of what a pause is to cover, read in
// the transaction that records it.
type Target struct {
	CampaignFound bool // the scope is a campaign's, and that campaign exists
}

// Notice is a pause as recorded, with what the mails about it need, read
// in the transaction that records it.
type Notice struct {
	Pause    Pause
	Campaign string         // the name of the campaign the pause covers; "" if none, or it is gone
	To       []account.User // the active holders of the roles told, by id
}

// Repository is what the Service needs from storage; the store implements
// it.
type Repository interface {
	// ActivePauses returns the pauses in force, oldest first.
	ActivePauses(ctx context.Context) ([]Pause, error)
	// PauseHistory returns the resumed pauses, most recently resumed
	// first, at most limit of them.
	PauseHistory(ctx context.Context, limit int) ([]Pause, error)
	// Campaigns returns the campaigns, which a pause may cover.
	Campaigns(ctx context.Context) ([]post.Campaign, error)
	// StartPause reads the Target of s.Scope and calls check with it; when
	// check returns an error, StartPause writes nothing and returns it as
	// it is. Otherwise it records the pause, audit-logs it (pause.start)
	// and queues the mails notify returns for its Notice, in the same
	// transaction, and returns the pause as recorded.
	StartPause(ctx context.Context, s Start, check func(Target) error, notify func(Notice) []mail.Mail) (Pause, error)
	// ResumePause ends the pause r.ID if it is still in force, audit-logs
	// it (pause.resume) and queues the mails notify returns for its
	// Notice, in one transaction, and returns the pause as it is then. A
	// pause that does not exist or was resumed already is an error of
	// kind apperr.NotFound.
	ResumePause(ctx context.Context, r Resume, notify func(Notice) []mail.Mail) (Pause, error)
}

// Announcer sends a message to the Slack and Teams webhooks
// (notify.Webhooks); key names the message, so that it goes once.
type Announcer interface {
	Message(ctx context.Context, key, title, text, link string) error
}

// Config is what a Service is built with.
type Config struct {
	// BaseURL is the portal's public address, without a trailing slash,
	// for the link to the pause page in mails and webhook messages. Empty,
	// mails carry no link.
	BaseURL string
	// Webhooks are told of each pause and resume once it committed.
	// Optional.
	Webhooks Announcer
	// Publisher is woken after a resume, so that posts held past their
	// publish time go live without waiting for its next pass. Optional.
	Publisher interface{ Wake() }
	// Logger logs webhook failures, which are never returned. Optional:
	// slog.Default.
	Logger *slog.Logger
}

// Service runs the crisis pause: comms pause the whole programme, a
// campaign or a category, and resume it; comms and admins are mailed and
// the webhooks told. It is safe for concurrent use if its Repository is.
type Service struct {
	repo Repository
	cfg  Config
}

// NewService returns a Service over repo.
func NewService(repo Repository, cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{repo: repo, cfg: cfg}
}

// ErrNotActive is a resume of a pause that is not in force.
var ErrNotActive = apperr.Sentinel(apperr.NotFound, "pause: not in force",
	"This pause is not in force any more; someone may have resumed it already.")

// FieldErrors say what is wrong with a request to pause, by form field
// ("scope", "reason"), in words for the person who sent it. As an error its
// kind is apperr.Invalid; nothing was recorded.
type FieldErrors map[string]string

// Error lists the problems by field, for the log.
func (e FieldErrors) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e)) {
		parts = append(parts, k+": "+e[k])
	}
	return "pause: refused: " + strings.Join(parts, "; ")
}

// Kind is apperr.Invalid.
func (e FieldErrors) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is what the user is told when no form shows the fields.
func (e FieldErrors) UserMessage() string { return "Some fields need attention; nothing was paused." }

// Overview is the pause page: the pauses in force, the latest resumed
// ones, and the campaigns a pause may cover.
type Overview struct {
	Active    []Pause // oldest first
	History   []Pause // resumed, most recent first, at most HistoryShown
	Campaigns []post.Campaign
}

// Overview returns the pause page's pauses and campaigns.
func (s *Service) Overview(ctx context.Context) (Overview, error) {
	var o Overview
	var err error
	if o.Active, err = s.repo.ActivePauses(ctx); err != nil {
		return o, err
	}
	if o.History, err = s.repo.PauseHistory(ctx, HistoryShown); err != nil {
		return o, err
	}
	if o.Campaigns, err = s.repo.Campaigns(ctx); err != nil {
		return o, err
	}
	return o, nil
}

// Active returns the pauses in force, oldest first.
func (s *Service) Active(ctx context.Context) ([]Pause, error) {
	return s.repo.ActivePauses(ctx)
}

// Request is a pause as someone asked for it.
type Request struct {
	Scope   string // as the form sent it (ParseScope)
	Reason  string // shown to employees on their feed
	ActorID int64
}

// Pause starts the pause r asks for: of the whole programme, of a campaign
// that exists, or of one of post.Categories, with a reason of at most
// MaxReason characters. A request with problems is FieldErrors and records
// nothing. The pause, its audit entry and a mail to every active holder of
// the Told roles are one transaction; once it committed, the webhooks are
// told.
func (s *Service) Pause(ctx context.Context, r Request) (Pause, error) {
	reason := strings.TrimSpace(r.Reason)
	sc, parsed := ParseScope(r.Scope)
	if !parsed {
		return Pause{}, problems(sc, false, Target{}, reason)
	}
	start := Start{Scope: sc, Reason: reason, ActorID: r.ActorID, Tell: Told}
	p, err := s.repo.StartPause(ctx, start, func(t Target) error {
		if errs := problems(sc, true, t, reason); errs != nil {
			return errs
		}
		return nil
	}, func(n Notice) []mail.Mail {
		return s.mails(n, false, fmt.Sprintf("pause:%d:start", n.Pause.ID))
	})
	if err != nil {
		return p, err
	}
	s.announce(ctx, fmt.Sprintf("pause:%d:start", p.ID), "Programme paused",
		fmt.Sprintf("%s paused sharing (%s). Reason: %s", p.PausedBy, p.Scope, p.Reason))
	return p, nil
}

// Resume ends pause id on behalf of actorID: the pause, its audit entry
// and the mails as for Pause are one transaction; once it committed, the
// webhooks are told and the publisher is woken, so that posts whose time
// came during the pause go live. A pause that is not in force is
// ErrNotActive.
func (s *Service) Resume(ctx context.Context, id, actorID int64) (Pause, error) {
	p, err := s.repo.ResumePause(ctx, Resume{ID: id, ActorID: actorID, Tell: Told}, func(n Notice) []mail.Mail {
		return s.mails(n, true, fmt.Sprintf("pause:%d:resume", n.Pause.ID))
	})
	if apperr.KindOf(err) == apperr.NotFound {
		return p, fmt.Errorf("%w: %w", ErrNotActive, err)
	}
	if err != nil {
		return p, err
	}
	s.announce(ctx, fmt.Sprintf("pause:%d:resume", p.ID), "Programme resumed",
		fmt.Sprintf("%s resumed sharing (%s), paused for: %s", p.ResumedBy, p.Scope, p.Reason))
	if s.cfg.Publisher != nil {
		s.cfg.Publisher.Wake()
	}
	return p, nil
}

// problems says what is wrong with a request to pause sc (parsed false:
// the form's scope did not parse) with reason, where t is what storage
// knows of the scope's campaign; nil if nothing is.
func problems(sc Scope, parsed bool, t Target, reason string) FieldErrors {
	errs := FieldErrors{}
	if !parsed || !covers(sc, t) {
		errs["scope"] = "Choose the whole programme, a campaign or a category."
	}
	switch {
	case reason == "":
		errs["reason"] = "Give a reason: employees see it on their feed instead of the paused posts."
	case utf8.RuneCountInString(reason) > MaxReason:
		errs["reason"] = "Keep the reason under 500 characters."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// covers reports whether sc names something a pause may cover: the
// programme, a campaign that exists, or one of post.Categories.
func covers(sc Scope, t Target) bool {
	if sc == Programme {
		return true
	}
	if _, ok := sc.CampaignID(); ok {
		return t.CampaignFound
	}
	cat, ok := sc.CategoryName()
	return ok && slices.Contains(post.Categories, cat)
}

// mails are the mails of notice n, one to each person it lists, in their
// language and by name, each sent once (dedupe is the key of the change).
func (s *Service) mails(n Notice, resumed bool, dedupe string) []mail.Mail {
	p := n.Pause
	l := letter.Pause{Resumed: resumed, By: p.PausedBy, Reason: p.Reason, PausedAt: p.PausedAt}
	if resumed {
		l.By = p.ResumedBy
	}
	l.Campaign, l.Category = inWords(p.Scope, n.Campaign)
	if s.cfg.BaseURL != "" {
		l.URL = s.cfg.BaseURL + "/pause"
	}
	mails := make([]mail.Mail, 0, len(n.To))
	for _, u := range n.To {
		l.Name = u.Name
		m := mail.FromLetter("pause", u.Email, u.Name, l.Write(u.Language))
		m.DedupeKey = fmt.Sprintf("%s:%d", dedupe, u.ID)
		mails = append(mails, m)
	}
	return mails
}

// inWords is what a mail says sc covers: a campaign by its name (or, once
// it is gone, by its number), or a category; both empty for the programme.
func inWords(sc Scope, campaignName string) (campaign, category string) {
	if id, ok := sc.CampaignID(); ok {
		if strings.TrimSpace(campaignName) != "" {
			return campaignName, ""
		}
		return strconv.FormatInt(id, 10), ""
	}
	if cat, ok := sc.CategoryName(); ok {
		return "", string(cat)
	}
	return "", ""
}

// announce tells the webhooks, if any, of a change that committed; a
// failure is logged, never returned.
func (s *Service) announce(ctx context.Context, key, title, text string) {
	if s.cfg.Webhooks == nil {
		return
	}
	if err := s.cfg.Webhooks.Message(ctx, key, title, text, s.cfg.BaseURL+"/pause"); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "webhook message failed", "key", key, "err", err)
	}
}
