package post

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/check"
	"github.com/advocacy-portal/portal/internal/source"
)

// Upload is a picture sent with the post form, checked by the caller (type,
// size and dimensions), to be stored with the post in the transaction that
// stores the post: a refused form stores no image.
type Upload struct {
	ContentType string // e.g. "image/png"
	Data        []byte
	Width       int // pixels
	Height      int
}

// Query names what the repository reads for a decision.
type Query struct {
	PostID     int64    // the post decided on; 0 for a new one
	CampaignID int64    // the campaign the fields name, whose existence the decision needs; 0 for none
	Defaults   Settings // the settings admins' choices are read over
	// SourceItemID is the content source's item a new draft is made of,
	// which the decision needs as it stands (State.SourceItem); 0 for none.
	SourceItemID int64
}

// State is what the Service decides on, as the repository read it in the
// transaction that writes the decision.
type State struct {
	Post          Post        // the post decided on, its editors included; zero for a new one
	Settings      Settings    // Query.Defaults with what admins chose applied
	CampaignFound bool        // the campaign Query.CampaignID names exists (true when it names none)
	Now           time.Time   // the time the repository records the change at
	SourceItem    source.Item // the item Query.SourceItemID names; zero when it names none
}

// NewPost is a new post the Service accepted, for the repository to store.
type NewPost struct {
	Fields    Fields  // ImageID is replaced by Image's once it is stored
	Image     *Upload // nil: no new image
	AuthorID  int64
	Suggested bool // an employee suggested the link: the author is its suggester
	// Written is the content the author wrote: they are the first editor
	// of its approval cycle (CreatedContent).
	Written []ContentField
	// Submit sends it for review in the same transaction; nil leaves it a draft.
	Submit *Change
	// SourceItemID is the content source's item the draft is made of, to
	// be marked used by it in the same transaction; 0 for none.
	SourceItemID int64
}

// Revision is an edit the Service accepted, for the repository to write.
type Revision struct {
	Fields   Fields  // ImageID is the image the post keeps (0: none), unless Image replaces it
	Image    *Upload // nil: no new image
	From, To Status  // To is AfterEdit(From): an approved post goes back to review
	ActorID  int64
	Comment  string // for the post's history
	// Changed is the content the actor changed: they become an editor of
	// the current approval cycle (see Post.Editors). None: no new editor.
	Changed []ContentField
}

// Change is a status change the Service decided, for the repository to
// write with an entry in the post's history.
type Change struct {
	Action   Action
	From, To Status
	ActorID  int64
	Comment  string
	// PublishAt, for an approval (To is Approved), is when the post goes
	// live. An approval also records ActorID as its approver and closes
	// the post's approval cycle: whoever changes its content afterwards is
	// a new editor.
	PublishAt time.Time
	// Audit says the change goes to the audit log too, in the same
	// transaction (Action.Audited).
	Audit bool
}

// Repository is what the Service needs from storage; the store implements
// it. A missing post or source item is an error of kind apperr.NotFound.
//
// Each write method reads the State for its Query, calls decide with it and
// writes what decide returns, in one transaction that holds the post it
// decides on from the read to the write: nothing that commits meanwhile (an
// edit, another approval) changes the state a decision was made on. When
// decide returns an error the method writes nothing and returns that error
// as it is. Each returns the post as written, read in the same transaction.
type Repository interface {
	// Post returns the post with its suggestions, groups and editors.
	Post(ctx context.Context, id int64) (Post, error)
	// Posts returns the posts f matches, newest first.
	Posts(ctx context.Context, f Filter) ([]Post, error)
	// PostHistory returns the post's history, oldest first.
	PostHistory(ctx context.Context, id int64) ([]Event, error)
	// PostSettings returns defaults with the settings admins saved applied.
	PostSettings(ctx context.Context, defaults Settings) (Settings, error)
	// Campaigns returns every campaign, newest first.
	Campaigns(ctx context.Context) ([]Campaign, error)
	// Groups returns every group a post may target, by name.
	Groups(ctx context.Context) ([]account.Group, error)
	// SaveContentSettings stores cs in one transaction, audit-logging
	// each setting's change as actorID's: the checks, the four-eyes rule,
	// then the networks unless cs.Networks is nil.
	SaveContentSettings(ctx context.Context, cs ContentSettings, actorID int64) error

	// CreatePost stores the NewPost decide returns: its image, the post as
	// a draft, its author as the first editor, its Submit change, and its
	// source item as used by the post (an item no longer new is
	// source.ErrItemHandled).
	CreatePost(ctx context.Context, q Query, decide func(State) (NewPost, error)) (Post, error)
	// UpdatePost writes the Revision decide returns: its image, fields and
	// status, an entry in the history, and the actor as an editor.
	UpdatePost(ctx context.Context, q Query, decide func(State) (Revision, error)) (Post, error)
	// TransitionPost writes the Change decide returns.
	TransitionPost(ctx context.Context, q Query, decide func(State) (Change, error)) (Post, error)
}

// Config is what a Service is built with.
type Config struct {
	// Policy is the workflow's rules before admins change them (usually
	// DefaultPolicy; the zero Policy has four-eyes off).
	Policy Policy
	// Publisher is woken after an approval commits, so that a post due now
	// goes live without waiting for the publisher's next pass. Optional.
	Publisher interface{ Wake() }
}

// Service runs the post use cases: writing, editing and moving posts
// through the workflow. It decides by the workflow's rules (Policy.Next,
// AfterEdit, four-eyes) and the checks (Settings.Check) over the State its
// Repository reads, in the transaction that writes the decision. It is
// safe for concurrent use if its Repository is.
type Service struct {
	repo Repository
	cfg  Config
}

// NewService returns a Service over repo.
func NewService(repo Repository, cfg Config) *Service {
	return &Service{repo: repo, cfg: cfg}
}

// defaults are the settings before admins change them.
func (s *Service) defaults() Settings {
	return Settings{Policy: s.cfg.Policy, Checks: check.DefaultRules()}
}

// Settings returns the workflow settings in force: the policy and the
// checks, as admins chose them.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	return s.repo.PostSettings(ctx, s.defaults())
}

// Check runs the checks in force on f, as on a submission: for the
// preview while an author types.
func (s *Service) Check(ctx context.Context, f Fields) ([]check.Finding, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	return set.Check(f), nil
}

// List returns the posts f matches, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Post, error) {
	return s.repo.Posts(ctx, f)
}

// noPost is what a user is told of a post that does not exist.
const noPost = "There is no such post."

// notFound gives a missing post the message users read; other errors are
// returned as they are.
func notFound(err error) error {
	if apperr.KindOf(err) == apperr.NotFound {
		return apperr.Wrap(apperr.NotFound, noPost, err)
	}
	return err
}

// ForEdit returns the post to show in the edit form, or a
// *TransitionError if it cannot be edited (AfterEdit).
func (s *Service) ForEdit(ctx context.Context, id int64) (Post, error) {
	p, err := s.repo.Post(ctx, id)
	if err != nil {
		return p, notFound(err)
	}
	if _, err := AfterEdit(p.Status); err != nil {
		return p, err
	}
	return p, nil
}

// Review is a post as the workflow shows it to one person: its history,
// what the checks find, and which actions are theirs to take.
type Review struct {
	Post     Post
	History  []Event
	Findings []check.Finding
	FourEyes bool // the four-eyes rule is on
	// What the viewer may do: send it for review, approve or send it back,
	// edit it, archive it.
	CanSubmit, CanReview, CanEdit, CanArchive bool
	// NoApproval says why the viewer may not approve the post in review
	// (four-eyes), when they may not.
	NoApproval string
}

// Review returns post id as viewerID sees it.
func (s *Service) Review(ctx context.Context, id, viewerID int64) (Review, error) {
	p, err := s.repo.Post(ctx, id)
	if err != nil {
		return Review{}, notFound(err)
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return Review{}, err
	}
	history, err := s.repo.PostHistory(ctx, p.ID)
	if err != nil {
		return Review{}, err
	}
	return reviewOf(p, history, set, viewerID), nil
}

// reviewOf decides what viewerID may do with p under set: each action the
// workflow would allow, and approval only while no finding blocks it.
func reviewOf(p Post, history []Event, set Settings, viewerID int64) Review {
	r := Review{Post: p, History: history, Findings: set.Check(p.AsFields()), FourEyes: set.Policy.FourEyes}
	allowed := func(a Action) bool {
		_, err := set.Policy.Next(p, a, viewerID, "")
		return err == nil
	}
	_, approveErr := set.Policy.Next(p, Approve, viewerID, "")
	_, editErr := AfterEdit(p.Status)
	r.CanSubmit, r.CanArchive, r.CanEdit = allowed(Submit), allowed(Archive), editErr == nil
	r.CanReview = approveErr == nil && !check.Blocking(r.Findings)
	var te *TransitionError
	if p.Status == InReview && errors.As(approveErr, &te) {
		r.NoApproval = te.Message
	}
	return r
}

// FormError is a new post or an edit refused for what was sent: a message
// per field, or the findings of the checks when one of them blocks it.
// Nothing was stored. Its kind is apperr.Invalid.
type FormError struct {
	Fields   map[string]string // by field name, as Input.Validate names them
	Findings []check.Finding   // every finding, when a blocking one refused it
	Post     Post              // the post as the edit found it; zero for a new one
}

// Error says how much was refused, for the log.
func (e *FormError) Error() string {
	return fmt.Sprintf("post: refused: %d fields wrong, %d findings", len(e.Fields), len(e.Findings))
}

// Kind is apperr.Invalid.
func (e *FormError) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage says that the form needs fixing.
func (e *FormError) UserMessage() string { return "Some of what you entered needs to be fixed." }

// Refusal is a workflow action the rules refused, with the post as the
// action found it, for the page that says why. Nothing was changed. Its
// kind is apperr.Conflict; it wraps its Reason.
type Refusal struct {
	Reason   *TransitionError
	ByChecks bool   // a blocking finding refused it (see Review.Findings)
	Review   Review // the post as the actor sees it
}

// Error is the Reason's.
func (e *Refusal) Error() string { return e.Reason.Error() }

// Unwrap is the Reason.
func (e *Refusal) Unwrap() error { return e.Reason }

// Kind is apperr.Conflict.
func (e *Refusal) Kind() apperr.Kind { return apperr.Conflict }

// UserMessage is the Reason's message.
func (e *Refusal) UserMessage() string { return e.Reason.Message }

// checksRefuse is why a submission or approval is refused when a finding
// blocks it.
const checksRefuse = "The checks found problems that must be fixed first: edit the post."

// problems are the form's problems with what only storage can tell: a
// campaign that does not exist. It returns nil when there are none.
func problems(given map[string]string, f Fields, st State) map[string]string {
	out := maps.Clone(given)
	if f.CampaignID != 0 && !st.CampaignFound {
		if out == nil {
			out = map[string]string{}
		}
		out["campaign"] = "That campaign does not exist any more."
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Creation is a new post as its author sent it.
type Creation struct {
	Fields Fields // as Input.Validate read them; Image replaces ImageID
	// Problems are what the caller found wrong in the form, by field
	// (Input.Validate, the upload). With any, nothing is stored, and the
	// refusal adds what only storage can tell.
	Problems  map[string]string
	Image     *Upload // stored with the post; nil: none
	AuthorID  int64
	Suggested bool // an employee suggested the link
	Submit    bool // send it for review at once, if the checks allow
}

// Create stores a new draft, and when d.Submit sends it for review in the
// same transaction. A form with problems, or a submission a blocking
// finding refuses, is a *FormError and stores nothing: no post, no image.
// Findings that only warn do not stop a submission.
func (s *Service) Create(ctx context.Context, d Creation) (Post, error) {
	q := Query{CampaignID: d.Fields.CampaignID, Defaults: s.defaults()}
	return s.repo.CreatePost(ctx, q, func(st State) (NewPost, error) { return newPost(d, st) })
}

// newPost decides on the new post d in st: the one way a post is made,
// whether someone wrote it or it was drafted from a source's item.
func newPost(d Creation, st State) (NewPost, error) {
	if errs := problems(d.Problems, d.Fields, st); errs != nil {
		return NewPost{}, &FormError{Fields: errs}
	}
	np := NewPost{Fields: d.Fields, Image: d.Image, AuthorID: d.AuthorID, Suggested: d.Suggested,
		Written: withImage(CreatedContent(d.Fields), d.Image != nil)}
	if !d.Submit {
		return np, nil
	}
	if findings := st.Settings.Check(d.Fields); check.Blocking(findings) {
		return NewPost{}, &FormError{Findings: findings}
	}
	draft := Post{Status: Draft, AuthorID: d.AuthorID}
	to, err := st.Settings.Policy.Next(draft, Submit, d.AuthorID, "")
	if err != nil {
		return NewPost{}, err
	}
	np.Submit = &Change{Action: Submit, From: Draft, To: to, ActorID: d.AuthorID, Audit: Submit.Audited()}
	return np, nil
}

// DraftFromSource makes a draft of the content source's item itemID,
// written by authorID (ItemFields says what it holds), and marks the item
// used by it, in one transaction: two clicks make one draft. An item no
// longer in the queue (made into a draft or dismissed) is
// source.ErrItemHandled; an unknown one is of kind apperr.NotFound.
func (s *Service) DraftFromSource(ctx context.Context, itemID, authorID int64) (Post, error) {
	q := Query{SourceItemID: itemID, Defaults: s.defaults()}
	return s.repo.CreatePost(ctx, q, func(st State) (NewPost, error) {
		if st.SourceItem.ID != itemID {
			return NewPost{}, fmt.Errorf("post: the repository read no source item %d", itemID)
		}
		if st.SourceItem.Status != source.ItemNew {
			return NewPost{}, source.ErrItemHandled
		}
		np, err := newPost(Creation{Fields: ItemFields(st.SourceItem), AuthorID: authorID}, st)
		if err != nil {
			return NewPost{}, err
		}
		np.SourceItemID = itemID
		return np, nil
	})
}

// Edit is a change to a post's fields as someone sent it.
type Edit struct {
	PostID int64
	Fields Fields // as Input.Validate read them; Image says what becomes of the image
	// Problems are what the caller found wrong in the form, as for Creation.
	Problems map[string]string
	Image    ImageEdit
	ActorID  int64
}

// ImageEdit is what an edit does to the post's image.
type ImageEdit struct {
	Upload *Upload // a new image to store and use; nil: none
	Remove bool    // take the image off the post (an Upload replaces it instead)
}

// Update saves an edit of a post. A form with problems is a *FormError, and
// so is an edit of a post past its draft that a blocking finding refuses:
// what is in review or approved passes the checks as at submission. An
// approved post goes back to review; an archived one cannot be edited (a
// *TransitionError). Whoever changes the content becomes an editor of the
// current approval cycle, so the four-eyes rule keeps them from approving
// it. A refused edit changes nothing: a new image is not stored and the
// old one stays.
func (s *Service) Update(ctx context.Context, e Edit) (Post, error) {
	q := Query{PostID: e.PostID, CampaignID: e.Fields.CampaignID, Defaults: s.defaults()}
	p, err := s.repo.UpdatePost(ctx, q, func(st State) (Revision, error) {
		if errs := problems(e.Problems, e.Fields, st); errs != nil {
			return Revision{}, &FormError{Fields: errs, Post: st.Post}
		}
		if st.Post.Status != Draft {
			if findings := st.Settings.Check(e.Fields); check.Blocking(findings) {
				return Revision{}, &FormError{Findings: findings, Post: st.Post}
			}
		}
		to, err := AfterEdit(st.Post.Status)
		if err != nil {
			return Revision{}, err
		}
		f := e.Fields
		f.ImageID = st.Post.ImageID
		if e.Image.Remove && e.Image.Upload == nil {
			f.ImageID = 0
		}
		rev := Revision{Fields: f, Image: e.Image.Upload, From: st.Post.Status, To: to, ActorID: e.ActorID,
			Changed: withImage(ContentChanges(st.Post.AsFields(), f), e.Image.Upload != nil)}
		if st.Post.Status == Approved {
			rev.Comment = "Edited after approval: back to review."
		}
		return rev, nil
	})
	return p, notFound(err)
}

// Step is a workflow action someone takes on a post.
type Step struct {
	PostID  int64
	Action  Action
	ActorID int64
	Comment string // required to send a post back
}

// Transition takes st on its post and returns the post as it is then.
// Submitting and approving run the checks first: a blocking finding
// refuses them. Then the workflow decides (Policy.Next, four-eyes against
// the editors as the transaction reads them). A refused step is a
// *Refusal and changes nothing. After an approval commits, the publisher
// is woken; the post goes live at its publish time, or at once without one.
func (s *Service) Transition(ctx context.Context, st Step) (Post, error) {
	var refused *Refusal
	p, err := s.repo.TransitionPost(ctx, Query{PostID: st.PostID, Defaults: s.defaults()}, func(state State) (Change, error) {
		ch, err := decideStep(state, st)
		if te, ok := errors.AsType[*TransitionError](err); ok {
			r := reviewOf(state.Post, nil, state.Settings, st.ActorID)
			refused = &Refusal{Reason: te, Review: r, ByChecks: checked(st.Action) && check.Blocking(r.Findings)}
		}
		return ch, err
	})
	switch {
	case refused != nil && errors.Is(err, refused.Reason):
		if refused.Review.History, err = s.repo.PostHistory(ctx, st.PostID); err != nil {
			return Post{}, err
		}
		return refused.Review.Post, refused
	case err != nil:
		return p, notFound(err)
	}
	if st.Action == Approve && s.cfg.Publisher != nil {
		s.cfg.Publisher.Wake()
	}
	return p, nil
}

// checked reports whether the checks run before a: submitting and
// approving do.
func checked(a Action) bool { return a == Submit || a == Approve }

// decideStep is the change st makes to the post in state, or why it may
// not: the checks for a submission or an approval, then the workflow.
func decideStep(state State, st Step) (Change, error) {
	p := state.Post
	if checked(st.Action) {
		if check.Blocking(state.Settings.Check(p.AsFields())) {
			return Change{}, &TransitionError{checksRefuse}
		}
	}
	to, err := state.Settings.Policy.Next(p, st.Action, st.ActorID, st.Comment)
	if err != nil {
		return Change{}, err
	}
	ch := Change{Action: st.Action, From: p.Status, To: to, ActorID: st.ActorID, Comment: st.Comment, Audit: st.Action.Audited()}
	if to == Approved {
		ch.PublishAt = p.PublishAt
		if ch.PublishAt.IsZero() {
			ch.PublishAt = state.Now // without a publish time it goes live at once
		}
	}
	return ch, nil
}
