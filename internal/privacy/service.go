package privacy

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
)

// Repository is what the privacy Service needs from storage; the store
// implements it. A missing row is an error of kind apperr.NotFound.
type Repository interface {
	// PersonalData collects, in one read transaction, what the portal
	// keeps about userID.
	PersonalData(ctx context.Context, userID int64) (PersonalData, error)
	// EraseUser removes or anonymises, in one transaction, the personal
	// data of a person who has left, provided confirmEmail is their
	// address (ignoring case and surrounding space); otherwise it is
	// ErrNotConfirmed and nothing changes. It is audit-logged as
	// "user.erase" with the counts.
	EraseUser(ctx context.Context, userID int64, confirmEmail string, actorID int64) (Erasure, error)
	// LogAudit appends an audit entry for an action that changes nothing
	// else, with detail as its JSON "after".
	LogAudit(ctx context.Context, actorID int64, action, target string, detail any) error
}

// Erasure counts the rows an erasure removed or anonymised. It is what the
// audit log keeps about it: numbers, no personal data.
type Erasure struct {
	Sessions         int64 `json:"sessions"`
	Networks         int64 `json:"follower_counts"`
	Groups           int64 `json:"group_memberships"`
	Roles            int64 `json:"roles"`
	Tasks            int64 `json:"training_tasks"`
	Reminders        int64 `json:"training_reminders"`
	Mail             int64 `json:"mail"`
	Digests          int64 `json:"digest_state"`
	Acknowledgements int64 `json:"acknowledgements_anonymised"`
}

// The Service's errors, in English; the views translate the employees'
// ones.
var (
	// ErrNotConfirmed is an erasure whose confirmation does not match; the
	// repository returns it, wrapped.
	ErrNotConfirmed = apperr.Sentinel(apperr.Invalid, "confirmation does not match",
		"The email address you typed is not this person's, so nothing was erased. Type their email address exactly to confirm.")
	ErrFormat    = apperr.Sentinel(apperr.Invalid, "privacy: no such format", "Choose the format json or csv.")
	ErrEraseSelf = apperr.Sentinel(apperr.Conflict, "privacy: erasing oneself", "You cannot erase your own account. Ask another administrator.")
	ErrNoPerson  = apperr.Sentinel(apperr.NotFound, "privacy: no such person", "There is no such person.")
)

// Service runs a person's download of their own data and an admin's
// erasure of a departed person's. It is safe for concurrent use if its
// repository is.
type Service struct {
	repo Repository
	now  func() time.Time
}

// NewService returns the Service over repo at the time now tells
// (time.Now if nil).
func NewService(repo Repository, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{repo: repo, now: now}
}

// Download is a file to send.
type Download struct {
	ContentType string
	Filename    string
	Body        []byte
}

// Download is everything the portal keeps about userID, for them: "json"
// (one document), or "csv" as a zip of every section, or one section's
// file if section is not "" (an unknown one is ErrUnknownSection). Another
// format is ErrFormat. Every download is audit-logged.
func (s *Service) Download(ctx context.Context, userID int64, format, section string) (Download, error) {
	if format != "json" && format != "csv" {
		return Download{}, ErrFormat
	}
	d, err := s.repo.PersonalData(ctx, userID)
	if err != nil {
		return Download{}, err
	}
	now := s.now()
	export := New(d, now)
	day := now.UTC().Format(time.DateOnly)
	var buf bytes.Buffer
	var out Download
	switch {
	case format == "json":
		out.ContentType, out.Filename = "application/json; charset=utf-8", "my-data-"+day+".json"
		err = export.WriteJSON(&buf)
	case section != "":
		out.ContentType, out.Filename = "text/csv; charset=utf-8", "my-data-"+section+"-"+day+".csv"
		err = export.WriteCSV(&buf, section)
	default:
		out.ContentType, out.Filename = "application/zip", "my-data-"+day+".zip"
		err = export.WriteZip(&buf, now)
	}
	if err != nil {
		return Download{}, err
	}
	if err := s.repo.LogAudit(ctx, userID, "privacy.export", fmt.Sprintf("user:%d", userID),
		map[string]string{"format": format, "section": section}); err != nil {
		return Download{}, err
	}
	out.Body = buf.Bytes()
	return out, nil
}

// Erase erases the personal data of the person userID once actorID typed
// their email address to confirm (see Repository.EraseUser for what goes
// and what stays). Erasing oneself is ErrEraseSelf; an unknown person is
// ErrNoPerson; a wrong confirmation is ErrNotConfirmed and changes nothing.
func (s *Service) Erase(ctx context.Context, userID int64, confirmEmail string, actorID int64) error {
	if userID <= 0 {
		return ErrNoPerson
	}
	if userID == actorID {
		return ErrEraseSelf
	}
	_, err := s.repo.EraseUser(ctx, userID, confirmEmail, actorID)
	if apperr.KindOf(err) == apperr.NotFound {
		return fmt.Errorf("privacy: erase user %d: %w", userID, ErrNoPerson)
	}
	return err
}
