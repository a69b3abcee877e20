package post

import (
	"strings"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/check"
)

// A TransitionError says why a status change is refused; its message is
// safe to show. Its kind is apperr.Conflict: the post is not in a state
// that allows the change.
type TransitionError struct{ Message string }

func (e *TransitionError) Error() string { return e.Message }

// Kind is apperr.Conflict.
func (e *TransitionError) Kind() apperr.Kind { return apperr.Conflict }

// UserMessage is Message.
func (e *TransitionError) UserMessage() string { return e.Message }

// Action is a workflow step a person can take on a post.
type Action string

// The workflow's actions.
const (
	Submit  Action = "submit"  // draft → in review
	Approve Action = "approve" // in review → approved
	Return  Action = "return"  // in review → draft, with a comment
	Archive Action = "archive" // any → archived
)

// Policy holds the workflow rules that admins may change.
type Policy struct {
	// FourEyes: nobody who wrote a post or changed its content since it
	// was last approved may approve it (see ContentField and Post.Editors).
	FourEyes bool
}

// DefaultPolicy is four-eyes on.
var DefaultPolicy = Policy{FourEyes: true}

// Audited reports whether taking a goes to the audit log: approving,
// sending back and archiving are privileged; submitting is not.
func (a Action) Audited() bool { return a == Approve || a == Return || a == Archive }

// Settings are the workflow's rules as admins set them: the policy, and
// the checks a post must pass to be submitted and approved.
type Settings struct {
	Policy Policy
	Checks check.Rules
}

// Check runs the checks on f; a blocking finding (check.Blocking) refuses
// a submission or an approval.
func (set Settings) Check(f Fields) []check.Finding { return check.Run(checkInput(f), set.Checks) }

// checkInput is what the checks look at: each suggestion as it will be
// offered, with the hashtags added.
func checkInput(f Fields) check.Post {
	p := Post{Hashtags: f.Hashtags}
	in := check.Post{Title: f.Title, URL: f.URL, Hashtags: f.Hashtags, Suggestions: map[string][]string{}}
	for _, sg := range f.Suggestions {
		in.Suggestions[sg.Network] = append(in.Suggestions[sg.Network], p.WithHashtags(sg.Text))
	}
	return in
}

// Next returns the status that action leads to from p's status, or a
// *TransitionError if actorID may not take it. For an approval, p.Editors
// must be the post's editors as stored, read in the same transaction that
// approves it.
func (pol Policy) Next(p Post, a Action, actorID int64, comment string) (Status, error) {
	switch a {
	case Submit:
		if p.Status != Draft {
			return "", &TransitionError{"Only a draft can be sent for review."}
		}
		return InReview, nil
	case Approve:
		if p.Status != InReview {
			return "", &TransitionError{"Only a post in review can be approved."}
		}
		if err := pol.mayApprove(p, actorID); err != nil {
			return "", err
		}
		return Approved, nil
	case Return:
		if p.Status != InReview {
			return "", &TransitionError{"Only a post in review can be sent back."}
		}
		if strings.TrimSpace(comment) == "" {
			return "", &TransitionError{"Say what needs to change when you send a post back."}
		}
		return Draft, nil
	case Archive:
		if p.Status == Archived {
			return "", &TransitionError{"This post is already archived."}
		}
		return Archived, nil
	}
	return "", &TransitionError{"Unknown action."}
}

// AfterEdit returns the status a post has once it is edited: an approved
// post goes back to review, so no one publishes text nobody approved. An
// archived post cannot be edited.
func AfterEdit(s Status) (Status, error) {
	switch s {
	case Archived:
		return "", &TransitionError{"An archived post cannot be edited."}
	case Approved:
		return InReview, nil
	}
	return s, nil
}
