package privacy_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/privacy"
)

var errMissing = apperr.Sentinel(apperr.NotFound, "fake: missing", "")

// fakeRepo is a privacy.Repository with one person, 7, whose address is
// sanne@example.com.
type fakeRepo struct {
	logged []string
	erased []int64
}

func (r *fakeRepo) PersonalData(_ context.Context, userID int64) (privacy.PersonalData, error) {
	if userID != 7 {
		return privacy.PersonalData{}, errMissing
	}
	return personalData(), nil
}

func (r *fakeRepo) EraseUser(_ context.Context, userID int64, confirm string, _ int64) (privacy.Erasure, error) {
	switch {
	case userID != 7:
		return privacy.Erasure{}, fmt.Errorf("fake: user %d: %w", userID, errMissing)
	case confirm != "sanne@example.com":
		return privacy.Erasure{}, privacy.ErrNotConfirmed
	}
	r.erased = append(r.erased, userID)
	return privacy.Erasure{Sessions: 1}, nil
}

func (r *fakeRepo) LogAudit(_ context.Context, actorID int64, action, target string, detail any) error {
	r.logged = append(r.logged, fmt.Sprint(actorID, " ", action, " ", target, " ", detail))
	return nil
}

func TestServiceDownload(t *testing.T) {
	tests := []struct {
		name, format, section string
		wantErr               error
		wantType, wantName    string
	}{
		{"json", "json", "", nil, "application/json; charset=utf-8", "my-data-2026-11-20.json"},
		{"json ignores the section", "json", "shares", nil, "application/json; charset=utf-8", "my-data-2026-11-20.json"},
		{"every section as csv", "csv", "", nil, "application/zip", "my-data-2026-11-20.zip"},
		{"one section", "csv", "shares", nil, "text/csv; charset=utf-8", "my-data-shares-2026-11-20.csv"},
		{"a section there is not", "csv", "passwords", privacy.ErrUnknownSection, "", ""},
		{"a format there is not", "xml", "", privacy.ErrFormat, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeRepo{}
			d, err := privacy.NewService(repo, func() time.Time { return at }).Download(context.Background(), 7, tt.format, tt.section)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Download = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if apperr.KindOf(err) != apperr.Invalid || len(repo.logged) != 0 {
					t.Errorf("Download = %v (kind %v), logged %v; want invalid and nothing logged", err, apperr.KindOf(err), repo.logged)
				}
				return
			}
			if d.ContentType != tt.wantType || d.Filename != tt.wantName || len(d.Body) == 0 {
				t.Errorf("Download = %s %s (%d bytes), want %s %s", d.ContentType, d.Filename, len(d.Body), tt.wantType, tt.wantName)
			}
			want := fmt.Sprint("7 privacy.export user:7 ", map[string]string{"format": tt.format, "section": tt.section})
			if len(repo.logged) != 1 || repo.logged[0] != want {
				t.Errorf("logged %q, want %q", repo.logged, want)
			}
		})
	}
}

func TestServiceErase(t *testing.T) {
	tests := []struct {
		name       string
		userID     int64
		confirm    string
		actorID    int64
		wantErr    error
		wantKind   apperr.Kind
		wantErased bool
	}{
		{"erased", 7, "sanne@example.com", 1, nil, apperr.Internal, true},
		{"a wrong confirmation", 7, "someone@example.com", 1, privacy.ErrNotConfirmed, apperr.Invalid, false},
		{"oneself", 7, "sanne@example.com", 7, privacy.ErrEraseSelf, apperr.Conflict, false},
		{"no such person", 8, "x@example.com", 1, privacy.ErrNoPerson, apperr.NotFound, false},
		{"no person named", 0, "", 1, privacy.ErrNoPerson, apperr.NotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeRepo{}
			err := privacy.NewService(repo, nil).Erase(context.Background(), tt.userID, tt.confirm, tt.actorID)
			if !errors.Is(err, tt.wantErr) || apperr.KindOf(err) != tt.wantKind {
				t.Errorf("Erase = %v (kind %v), want %v (kind %v)", err, apperr.KindOf(err), tt.wantErr, tt.wantKind)
			}
			if (len(repo.erased) == 1) != tt.wantErased {
				t.Errorf("erased %v, want erased: %t", repo.erased, tt.wantErased)
			}
		})
	}
}
