package source

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/advocacy-portal/portal/internal/apperr"
)

// Repository is what the Service needs from storage; the store implements
// it. An unknown source or item is an error of kind apperr.NotFound.
type Repository interface {
	// Sources returns every source, by name.
	Sources(ctx context.Context) ([]Source, error)
	// NewSourceItems returns the items waiting in the queue (ItemNew),
	// newest first, at most limit (0: all).
	NewSourceItems(ctx context.Context, limit int) ([]Item, error)
	// FeedTokenCreated reports when the person's feed token was made, or
	// the zero time if they have none.
	FeedTokenCreated(ctx context.Context, userID int64) (time.Time, error)
	// AddSource stores a feed added by actorID, in the audit log too, and
	// returns its id. A feed already followed is ErrExists.
	AddSource(ctx context.Context, name, url string, actorID int64) (int64, error)
	// DeleteSource removes a source and the items still in its queue, in
	// the audit log too; drafts made of its items stay.
	DeleteSource(ctx context.Context, id, actorID int64) error
	// DismissSourceItem takes a new item out of the queue; an item no
	// longer new is ErrItemHandled.
	DismissSourceItem(ctx context.Context, id int64) error
	// SetFeedToken makes hash the SHA-256 of the person's feed token,
	// replacing the one they had (whose feed addresses stop working).
	SetFeedToken(ctx context.Context, userID int64, hash string) error
}

// Config is what a Service is built with.
type Config struct {
	// Poller is woken after a feed is added, so that its items arrive
	// without waiting for the next scheduled poll. Optional.
	Poller interface{ Wake() }
}

// Service runs what comms do with content sources. It is safe for
// concurrent use if its Repository is.
type Service struct {
	repo Repository
	cfg  Config
}

// NewService returns a Service over repo.
func NewService(repo Repository, cfg Config) *Service {
	return &Service{repo: repo, cfg: cfg}
}

// MaxQueue is how many items the "from sources" queue shows at most.
const MaxQueue = 500

// Overview is the sources page as one person sees it.
type Overview struct {
	Sources []Source
	Waiting int // items in the "from sources" queue
	// FeedTokenCreated is when the person's token for the feeds of posts
	// was made; zero if they have none.
	FeedTokenCreated time.Time
}

// Overview returns the sources, how many items wait in the queue, and
// when userID made their feed token.
func (s *Service) Overview(ctx context.Context, userID int64) (Overview, error) {
	var o Overview
	var err error
	if o.Sources, err = s.repo.Sources(ctx); err != nil {
		return o, err
	}
	items, err := s.repo.NewSourceItems(ctx, 0)
	if err != nil {
		return o, err
	}
	o.Waiting = len(items)
	if o.FeedTokenCreated, err = s.repo.FeedTokenCreated(ctx, userID); err != nil {
		return o, err
	}
	return o, nil
}

// Queue returns the "from sources" queue, newest first, at most MaxQueue
// items.
func (s *Service) Queue(ctx context.Context) ([]Item, error) {
	return s.repo.NewSourceItems(ctx, MaxQueue)
}

// MaxName is the longest name of a source, in characters.
const MaxName = 100

// NewSource is a feed as comms typed it in, to follow.
type NewSource struct {
	Name string
	URL  string
}

// Problems says what is wrong with n, by field ("name", "url"), or nil.
// Surrounding spaces do not count.
func (n NewSource) Problems() map[string]string {
	errs := map[string]string{}
	switch name := strings.TrimSpace(n.Name); {
	case name == "":
		errs["name"] = "Give the source a name."
	case utf8.RuneCountInString(name) > MaxName:
		errs["name"] = "Keep the name to 100 characters or fewer."
	}
	if msg := CheckURL(strings.TrimSpace(n.URL)); msg != "" {
		errs["url"] = msg
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// FormError is a source refused for what was typed: a message per field.
// Nothing was stored. Its kind is apperr.Invalid.
type FormError struct {
	Fields map[string]string // by field name, as NewSource.Problems names them
}

// Error names the fields refused, for the log.
func (e *FormError) Error() string {
	return fmt.Sprintf("source: refused: %d fields wrong", len(e.Fields))
}

// Kind is apperr.Invalid.
func (e *FormError) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage says that the form needs fixing.
func (e *FormError) UserMessage() string { return "Some of what you entered needs to be fixed." }

// Add follows the feed n names, added by actorID, and wakes the poller so
// that its items arrive soon. A name or address that is wrong, or a feed
// already followed, is a *FormError and stores nothing. It returns the
// new source's id.
func (s *Service) Add(ctx context.Context, n NewSource, actorID int64) (int64, error) {
	if errs := n.Problems(); errs != nil {
		return 0, &FormError{Fields: errs}
	}
	id, err := s.repo.AddSource(ctx, strings.TrimSpace(n.Name), strings.TrimSpace(n.URL), actorID)
	if errors.Is(err, ErrExists) {
		return 0, &FormError{Fields: map[string]string{"url": apperr.MessageOf(ErrExists)}}
	}
	if err != nil {
		return 0, err
	}
	if s.cfg.Poller != nil {
		s.cfg.Poller.Wake() // fetch the new feed now, not at the next half hour
	}
	return id, nil
}

// Delete stops following source id, as actorID asked: the items still in
// its queue go, the drafts made of its items stay.
func (s *Service) Delete(ctx context.Context, id, actorID int64) error {
	return s.repo.DeleteSource(ctx, id, actorID)
}

// Dismiss takes item id out of the queue without a draft. An item that
// was handled meanwhile (a draft made of it, or dismissed by someone
// else) is out of the queue already, which is what was asked: no error.
func (s *Service) Dismiss(ctx context.Context, id int64) error {
	if err := s.repo.DismissSourceItem(ctx, id); err != nil && !errors.Is(err, ErrItemHandled) {
		return err
	}
	return nil
}

// SetFeedToken makes hash (the SHA-256 of a new secret token) userID's
// token for the feeds of posts; the addresses with the old token stop
// working.
func (s *Service) SetFeedToken(ctx context.Context, userID int64, hash string) error {
	return s.repo.SetFeedToken(ctx, userID, hash)
}
