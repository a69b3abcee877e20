package concern

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/mail/letter"
)

// Limits on a reported concern.
const (
	MaxText = 4000 // characters of a description, a comment or a closing note
	MaxLink = 2000 // bytes of the link the reporter saw
)

// ContactRoles are the roles admins may name as the points of contact.
var ContactRoles = []account.Role{account.Comms, account.HR, account.Admin}

// Screenshot is a picture attached to a report. The caller checks it
// (type, size and dimensions); it is stored with the report, in the same
// transaction.
type Screenshot struct {
	ContentType string // e.g. "image/png"; served as is
	Data        []byte
	Width       int // pixels
	Height      int
}

// The Service's errors. To whoever may not see a concern, it does not
// exist: ErrNotFound, as for one that does not.
var (
	ErrNotFound     = apperr.Sentinel(apperr.NotFound, "concern: no such concern for this person", "There is no concern at this address.")
	ErrNoScreenshot = apperr.Sentinel(apperr.NotFound, "concern: no screenshot", "This report has no screenshot.")
	ErrNoAssignee   = apperr.Sentinel(apperr.Invalid, "concern: assignee is not a point of contact",
		"Choose one of the points of contact to assign the concern to.")
	ErrComment = apperr.Sentinel(apperr.Invalid, "concern: comment empty or too long", "Write a comment of at most 4000 characters.")
	ErrNote    = apperr.Sentinel(apperr.Invalid, "concern: closing note too long", "Keep the closing note to 4000 characters or fewer.")
)

// FieldErrors say what is wrong with a form (a report, the choice of
// points of contact), by form field, in words for the person who sent it.
// As an error its kind is apperr.Invalid; nothing was stored.
type FieldErrors map[string]string

// Error lists the problems by field, for the log.
func (e FieldErrors) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e)) {
		parts = append(parts, k+": "+e[k])
	}
	return "concern: refused: " + strings.Join(parts, "; ")
}

// Kind is apperr.Invalid.
func (e FieldErrors) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is what the user is told when no form shows the fields.
func (e FieldErrors) UserMessage() string { return "Some fields need attention; nothing was saved." }

// MayView reports whether u may see concern c under the points of contact
// cc: its reporter and the points of contact may.
func (cc Contacts) MayView(u account.User, c Concern) bool {
	return c.ReporterID == u.ID || cc.Includes(u)
}

// MayTriage reports whether u may triage concerns under cc (acknowledge,
// assign, comment, close): the points of contact may.
func (cc Contacts) MayTriage(u account.User) bool { return cc.Includes(u) }

// After is the status of a concern in status once action is taken on it:
// acknowledging or assigning a new concern acknowledges it, closing closes
// it, and nothing else changes it, so a closed concern stays closed (the
// action is still in its history).
func After(status, action string) string {
	switch {
	case action == ActionClose:
		return StatusClosed
	case status == StatusNew && (action == ActionAcknowledge || action == ActionAssign):
		return StatusAcknowledged
	}
	return status
}

// SplitEmails reads a list of addresses typed one a line (or separated by
// commas, semicolons or spaces): lower-cased, without repeats, in order.
func SplitEmails(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	}) {
		if e := strings.ToLower(f); !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// TriageQuery names what a triage action is decided on.
type TriageQuery struct {
	ConcernID  int64
	AssigneeID int64 // the person to assign the concern to; 0 for the other actions
}

// Triage is what a triage action is decided on, as the repository read it
// in the transaction that writes the action.
type Triage struct {
	Concern  Concern
	Contacts Contacts      // the points of contact as saved
	Assignee *account.User // the person TriageQuery.AssigneeID names, with their roles; nil if none
}

// Step is a triage action the Service decided, for the repository to
// write.
type Step struct {
	Action     string // one of the Action constants
	ActorID    int64
	Status     string // the concern's status after it (After)
	AssigneeID int64  // the concern's new assignee; 0 leaves it
	Note       string // for the history: a comment, a closing note, the assignee's name
}

// Repository is what the Service needs from storage; the store implements
// it. A concern that does not exist is an error of kind apperr.NotFound.
// Who may see a concern is the Service's to decide, not the repository's.
type Repository interface {
	// Concern returns the concern with the given id.
	Concern(ctx context.Context, id int64) (Concern, error)
	// ConcernsReportedBy returns the concerns reporterID reported, newest
	// first.
	ConcernsReportedBy(ctx context.Context, reporterID int64) ([]Concern, error)
	// ConcernQueue returns every concern: open ones before closed ones,
	// urgent first, then oldest first.
	ConcernQueue(ctx context.Context) ([]Concern, error)
	// ConcernHistory returns what happened to concern id, oldest first.
	ConcernHistory(ctx context.Context, id int64) ([]Event, error)
	// ConcernContacts returns the points of contact as saved; never saved,
	// the zero Contacts.
	ConcernContacts(ctx context.Context) (Contacts, error)
	// ConcernContactUsers returns the active people who are points of
	// contact under cc, with their roles, by name.
	ConcernContactUsers(ctx context.Context, cc Contacts) ([]account.User, error)
	// ConcernScreenshot returns the screenshot stored as image imageID.
	ConcernScreenshot(ctx context.Context, imageID int64) (Screenshot, error)

	// CreateConcern stores c, reported by c.ReporterID, with shot (nil:
	// none) as its image and an entry in its history, and returns its id.
	// When notify is not nil it reads the active points of contact as saved
	// (ConcernContactUsers of ConcernContacts) and queues the mails notify
	// returns for the new id and them. All of it is one transaction.
	CreateConcern(ctx context.Context, c Concern, shot *Screenshot, notify func(id int64, contacts []account.User) []mail.Mail) (int64, error)
	// TriageConcern reads the Triage for q and calls decide with it. When
	// decide returns an error, it writes nothing and returns that error as
	// it is; otherwise it writes the Step (the concern's status and
	// assignee, an entry in its history), in the same transaction.
	TriageConcern(ctx context.Context, q TriageQuery, decide func(Triage) (Step, error)) error
	// SaveConcernContacts reads the active people whose address is one of
	// cc.Emails (none when cc names a role) and calls check with them;
	// unless check returns an error, which it returns as it is, it saves cc
	// as the points of contact and audit-logs the change (settings.change),
	// in the same transaction.
	SaveConcernContacts(ctx context.Context, cc Contacts, actorID int64, check func(active []account.User) error) error
}

// Announcer sends a message to the Slack and Teams webhooks
// (notify.Webhooks); key names the message, so that it goes once.
type Announcer interface {
	Message(ctx context.Context, key, title, text, link string) error
}

// Config is what a Service is built with.
type Config struct {
	// BaseURL is the portal's public address, without a trailing slash,
	// for the link to a report in mails and webhook messages.
	BaseURL string
	// Webhooks are told of each urgent report once it committed, by its
	// kind and link only. Optional.
	Webhooks Announcer
	// Logger logs webhook failures, which are never returned. Optional:
	// slog.Default.
	Logger *slog.Logger
}

// Service runs reported concerns: reporting one, the triage by the points
// of contact, and the admins' choice of who they are. It decides who may
// see and triage a concern: its reporter sees it, the points of contact
// see and triage it, and to anyone else it does not exist. It is safe for
// concurrent use if its Repository is.
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

// Report is a concern as its reporter sent it.
type Report struct {
	Reporter    account.User
	Link        string // optional: an absolute http(s) address
	Kind        string // one of Kinds
	Description string
	Urgent      bool        // mail the points of contact at once
	Screenshot  *Screenshot // optional
	// Problems are what the caller found wrong that only it can tell (the
	// screenshot's upload), by form field. With any, nothing is stored.
	Problems map[string]string
}

// Check returns what is wrong with r's fields, by form field ("link",
// "kind", "description"), or nil.
func (r Report) Check() FieldErrors {
	errs := FieldErrors{}
	if link := strings.TrimSpace(r.Link); link != "" && !isWebLink(link) {
		errs["link"] = "Give the link as a full address starting with http:// or https://."
	}
	if !slices.Contains(Kinds, r.Kind) {
		errs["kind"] = "Choose what worries you."
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(r.Description)); {
	case n == 0:
		errs["description"] = "Describe what worries you."
	case n > MaxText:
		errs["description"] = "Keep the description to 4000 characters or fewer."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// isWebLink reports whether raw is an absolute http(s) address with a host,
// of at most MaxLink bytes.
func isWebLink(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(raw) <= MaxLink
}

// Report stores r and returns the new concern's id. A report with problems
// (Check, r.Problems) is FieldErrors and stores nothing, not even its
// screenshot. An urgent report mails each active point of contact, in
// their language and by name, in the transaction that stores it; once it
// committed, the webhooks are told that an urgent concern came in, by its
// kind and link only: the description and the reporter's name stay in the
// portal, where only the points of contact see them.
func (s *Service) Report(ctx context.Context, r Report) (int64, error) {
	r.Link, r.Description = strings.TrimSpace(r.Link), strings.TrimSpace(r.Description)
	errs := r.Check()
	if len(r.Problems) > 0 {
		if errs == nil {
			errs = FieldErrors{}
		}
		maps.Copy(errs, r.Problems)
	}
	if errs != nil {
		return 0, errs
	}
	c := Concern{ReporterID: r.Reporter.ID, Link: r.Link, Kind: r.Kind, Description: r.Description, Urgent: r.Urgent}
	var notify func(int64, []account.User) []mail.Mail
	if r.Urgent {
		notify = func(id int64, contacts []account.User) []mail.Mail { return s.urgentMails(id, contacts, r) }
	}
	id, err := s.repo.CreateConcern(ctx, c, r.Screenshot, notify)
	if err != nil {
		return 0, err
	}
	if r.Urgent {
		s.announce(ctx, fmt.Sprintf("concern:%d", id), "Urgent concern reported",
			fmt.Sprintf("An urgent concern was reported (%s). Points of contact: open it in the portal to triage it.", r.Kind),
			s.link(id))
	}
	return id, nil
}

// link is the address of concern id in the portal.
func (s *Service) link(id int64) string { return fmt.Sprintf("%s/concerns/%d", s.cfg.BaseURL, id) }

// urgentMails are the mails about urgent report r, stored as id, one per
// point of contact, each in that person's language and addressed by name.
func (s *Service) urgentMails(id int64, contacts []account.User, r Report) []mail.Mail {
	mails := make([]mail.Mail, 0, len(contacts))
	for _, p := range contacts {
		l := letter.UrgentConcern{Name: p.Name, Reporter: r.Reporter.Name, Kind: r.Kind, Description: r.Description,
			Link: r.Link, URL: s.link(id)}.Write(p.Language)
		m := mail.FromLetter("concern", p.Email, p.Name, l)
		m.DedupeKey = fmt.Sprintf("concern:%d:%s", id, p.Email)
		mails = append(mails, m)
	}
	return mails
}

// announce tells the webhooks, if any, of a change that committed; a
// failure is logged, never returned.
func (s *Service) announce(ctx context.Context, key, title, text, link string) {
	if s.cfg.Webhooks == nil {
		return
	}
	if err := s.cfg.Webhooks.Message(ctx, key, title, text, link); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "webhook message failed", "key", key, "err", err)
	}
}

// Listing is what one person sees of the concerns: their own reports and,
// for a point of contact, the triage queue.
type Listing struct {
	Mine    []Concern // newest first
	Contact bool      // the viewer is a point of contact
	Queue   []Concern // for a point of contact: every concern, open and urgent first
}

// Queue returns the concerns viewer sees.
func (s *Service) Queue(ctx context.Context, viewer account.User) (Listing, error) {
	var l Listing
	var err error
	if l.Mine, err = s.repo.ConcernsReportedBy(ctx, viewer.ID); err != nil {
		return l, err
	}
	cc, err := s.repo.ConcernContacts(ctx)
	if err != nil {
		return l, err
	}
	if l.Contact = cc.MayTriage(viewer); l.Contact {
		if l.Queue, err = s.repo.ConcernQueue(ctx); err != nil {
			return l, err
		}
	}
	return l, nil
}

// Detail is one concern as someone who may see it sees it.
type Detail struct {
	Concern  Concern
	History  []Event        // oldest first
	Contact  bool           // the viewer is a point of contact: theirs are the triage actions
	Contacts []account.User // for a point of contact: whom the concern may be assigned to
}

// visible returns concern id if viewer may see it, with the points of
// contact; ErrNotFound if it does not exist or they may not.
func (s *Service) visible(ctx context.Context, id int64, viewer account.User) (Concern, Contacts, error) {
	c, err := s.repo.Concern(ctx, id)
	if apperr.KindOf(err) == apperr.NotFound {
		return Concern{}, Contacts{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if err != nil {
		return Concern{}, Contacts{}, err
	}
	cc, err := s.repo.ConcernContacts(ctx)
	if err != nil {
		return Concern{}, Contacts{}, err
	}
	if !cc.MayView(viewer, c) {
		return Concern{}, Contacts{}, ErrNotFound
	}
	return c, cc, nil
}

// Show returns concern id as viewer sees it, or ErrNotFound when it does
// not exist or they may not see it.
func (s *Service) Show(ctx context.Context, id int64, viewer account.User) (Detail, error) {
	c, cc, err := s.visible(ctx, id, viewer)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Concern: c, Contact: cc.MayTriage(viewer)}
	if d.History, err = s.repo.ConcernHistory(ctx, id); err != nil {
		return d, err
	}
	if d.Contact {
		if d.Contacts, err = s.repo.ConcernContactUsers(ctx, cc); err != nil {
			return d, err
		}
	}
	return d, nil
}

// Screenshot returns the screenshot of concern id to a viewer who may see
// the concern: ErrNotFound if they may not, ErrNoScreenshot if it has none.
func (s *Service) Screenshot(ctx context.Context, id int64, viewer account.User) (Screenshot, error) {
	c, _, err := s.visible(ctx, id, viewer)
	if err != nil {
		return Screenshot{}, err
	}
	if c.ImageID == 0 {
		return Screenshot{}, ErrNoScreenshot
	}
	return s.repo.ConcernScreenshot(ctx, c.ImageID)
}

// triage takes a triage action on concern q.ConcernID on behalf of actor,
// a point of contact, as decide says; to anyone else the concern does not
// exist (ErrNotFound). It is decided on what the repository reads in the
// transaction that writes it.
func (s *Service) triage(ctx context.Context, q TriageQuery, actor account.User, decide func(Triage) (Step, error)) error {
	err := s.repo.TriageConcern(ctx, q, func(t Triage) (Step, error) {
		if !t.Contacts.MayTriage(actor) {
			return Step{}, ErrNotFound
		}
		return decide(t)
	})
	if apperr.KindOf(err) == apperr.NotFound && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// Acknowledge records that actor, a point of contact, has seen concern id.
func (s *Service) Acknowledge(ctx context.Context, id int64, actor account.User) error {
	return s.triage(ctx, TriageQuery{ConcernID: id}, actor, func(t Triage) (Step, error) {
		return Step{Action: ActionAcknowledge, ActorID: actor.ID, Status: After(t.Concern.Status, ActionAcknowledge)}, nil
	})
}

// Assign assigns concern id to the person assigneeID names, who must be an
// active point of contact (else ErrNoAssignee); the history names them.
func (s *Service) Assign(ctx context.Context, id int64, actor account.User, assigneeID int64) error {
	return s.triage(ctx, TriageQuery{ConcernID: id, AssigneeID: assigneeID}, actor, func(t Triage) (Step, error) {
		a := t.Assignee
		if a == nil || !a.Active || !t.Contacts.Includes(*a) {
			return Step{}, ErrNoAssignee
		}
		return Step{Action: ActionAssign, ActorID: actor.ID, Status: After(t.Concern.Status, ActionAssign),
			AssigneeID: a.ID, Note: a.Name}, nil
	})
}

// Comment adds actor's comment, of 1 to MaxText characters once trimmed
// (else ErrComment), to concern id's history, which its reporter sees.
func (s *Service) Comment(ctx context.Context, id int64, actor account.User, comment string) error {
	comment = strings.TrimSpace(comment)
	return s.triage(ctx, TriageQuery{ConcernID: id}, actor, func(t Triage) (Step, error) {
		if comment == "" || utf8.RuneCountInString(comment) > MaxText {
			return Step{}, ErrComment
		}
		return Step{Action: ActionComment, ActorID: actor.ID, Status: After(t.Concern.Status, ActionComment), Note: comment}, nil
	})
}

// Close closes concern id, with an optional closing note of at most
// MaxText characters (else ErrNote).
func (s *Service) Close(ctx context.Context, id int64, actor account.User, note string) error {
	note = strings.TrimSpace(note)
	return s.triage(ctx, TriageQuery{ConcernID: id}, actor, func(t Triage) (Step, error) {
		if utf8.RuneCountInString(note) > MaxText {
			return Step{}, ErrNote
		}
		return Step{Action: ActionClose, ActorID: actor.ID, Status: After(t.Concern.Status, ActionClose), Note: note}, nil
	})
}

// Contacts returns the points of contact as saved and the active people
// they are now, by name.
func (s *Service) Contacts(ctx context.Context) (Contacts, []account.User, error) {
	cc, err := s.repo.ConcernContacts(ctx)
	if err != nil {
		return cc, nil, err
	}
	people, err := s.repo.ConcernContactUsers(ctx, cc)
	return cc, people, err
}

// Choice is the points of contact as an admin chose them: everyone with a
// role, or a list of people by email (SplitEmails).
type Choice struct {
	ByList bool
	Role   account.Role // one of ContactRoles, unless ByList
	Emails []string     // at least one, each an active person's, if ByList
}

// SaveContacts saves the points of contact actorID chose, audit-logged. A
// choice with problems is FieldErrors ("role", "emails") and saves nothing:
// a role not in ContactRoles, an empty list, or an address no active person
// has (checked in the transaction that saves the choice).
func (s *Service) SaveContacts(ctx context.Context, c Choice, actorID int64) error {
	cc := Contacts{Role: c.Role}
	if c.ByList {
		cc = Contacts{Emails: c.Emails}
	} else if !slices.Contains(ContactRoles, c.Role) {
		return FieldErrors{"role": "Choose comms, hr or admin."}
	}
	return s.repo.SaveConcernContacts(ctx, cc, actorID, func(active []account.User) error {
		if !c.ByList {
			return nil
		}
		if len(c.Emails) == 0 {
			return FieldErrors{"emails": "Give at least one email address, or choose a role."}
		}
		for _, e := range c.Emails {
			if !slices.ContainsFunc(active, func(u account.User) bool { return strings.EqualFold(u.Email, e) }) {
				return FieldErrors{"emails": fmt.Sprintf("Nobody active in the portal has the address %s.", e)}
			}
		}
		return nil
	})
}
