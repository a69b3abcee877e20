package scim_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/scim"
)

// fakeRepo is a scim.Repository for the Service's own rules: the methods
// a test does not set up panic (the embedded interface is nil).
type fakeRepo struct {
	scim.Repository
	active  []scim.TokenHash
	touched []int64
	created []string // hashes of the tokens created
	err     error    // what every write returns
}

func (r *fakeRepo) ActiveSCIMTokens(context.Context) ([]scim.TokenHash, error) { return r.active, nil }

func (r *fakeRepo) TouchSCIMToken(_ context.Context, id int64) error {
	r.touched = append(r.touched, id)
	return nil
}

func (r *fakeRepo) CreateSCIMToken(_ context.Context, _, hash string, _ int64) (int64, error) {
	r.created = append(r.created, hash)
	return int64(len(r.created)), r.err
}

func (r *fakeRepo) CreateSCIMUser(_ context.Context, u scim.User, _ int64) (scim.User, error) {
	return u, r.err
}

func (r *fakeRepo) UpdateSCIMUser(_ context.Context, _ int64, change func(scim.User) (scim.User, error), _ int64) (scim.User, error) {
	if r.err != nil {
		return scim.User{}, r.err
	}
	return change(scim.User{UserName: "ada@example.com", Active: true})
}

func (r *fakeRepo) CreateSCIMGroup(_ context.Context, g scim.Group, _ int64) (scim.Group, error) {
	return g, r.err
}

func (r *fakeRepo) UpdateSCIMGroup(_ context.Context, _ int64, change func(scim.Group) (scim.Group, error), _ int64) (scim.Group, error) {
	if r.err != nil {
		return scim.Group{}, r.err
	}
	return change(scim.Group{DisplayName: "Sales"})
}

func TestAuthenticate(t *testing.T) {
	const good, other = "portal_scim_good", "portal_scim_other"
	active := []scim.TokenHash{{ID: 3, Hash: auth.HashToken(other)}, {ID: 5, Hash: auth.HashToken(good)}}
	tests := []struct {
		name        string
		token       string
		wantID      int64
		wantTouched []int64
	}{
		{"a token in use", good, 5, []int64{5}},
		{"another token in use", other, 3, []int64{3}},
		{"an unknown token", "portal_scim_nope", 0, nil},
		{"no token", "", 0, nil},
		{"a hash instead of the token", auth.HashToken(good), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeRepo{active: active}
			id, err := scim.NewService(repo).Authenticate(context.Background(), tt.token)
			if tt.wantID == 0 && !errors.Is(err, scim.ErrUnauthorized) {
				t.Errorf("Authenticate(%q) = %d, %v; want ErrUnauthorized", tt.token, id, err)
			}
			if tt.wantID != 0 && (err != nil || id != tt.wantID) {
				t.Errorf("Authenticate(%q) = %d, %v; want %d", tt.token, id, err, tt.wantID)
			}
			if fmt.Sprint(repo.touched) != fmt.Sprint(tt.wantTouched) {
				t.Errorf("touched %v, want %v", repo.touched, tt.wantTouched)
			}
		})
	}
	if code := scim.ErrUnauthorized.Code(); code != 401 {
		t.Errorf("ErrUnauthorized is a %d, want 401", code)
	}
}

func TestCheckTokenName(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string // part of the message; "" for none
	}{
		{"a name", "Entra ID production", ""},
		{"the longest name", strings.Repeat("é", scim.MaxTokenName), ""},
		{"empty", "", "up to 100 characters"},
		{"too long", strings.Repeat("a", scim.MaxTokenName+1), "up to 100 characters"},
		{"a control character", "Entra\x00", "The name contains a control character"},
		{"a line break", "Entra\nID", "The name contains a line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := scim.CheckTokenName(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("CheckTokenName = %v, want nil", err)
				}
				return
			}
			refused, ok := errors.AsType[*scim.TokenNameError](err)
			if !ok || !strings.Contains(refused.Message, tt.wantErr) || apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("CheckTokenName = %v, want an invalid *TokenNameError saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestCreateToken(t *testing.T) {
	t.Run("a name refused stores nothing", func(t *testing.T) {
		repo := &fakeRepo{}
		if token, err := scim.NewService(repo).CreateToken(context.Background(), "", 1); token != "" || err == nil || len(repo.created) != 0 {
			t.Errorf("CreateToken = %q, %v, stored %d; want a refusal and nothing stored", token, err, len(repo.created))
		}
	})
	t.Run("only the hash is stored", func(t *testing.T) {
		repo := &fakeRepo{}
		token, err := scim.NewService(repo).CreateToken(context.Background(), "Okta", 1)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(token, scim.TokenPrefix) || len(token) < len(scim.TokenPrefix)+20 {
			t.Errorf("token %q, want %s and a long random part", token, scim.TokenPrefix)
		}
		if len(repo.created) != 1 || repo.created[0] != auth.HashToken(token) {
			t.Errorf("stored %v, want only the hash of the token", repo.created)
		}
	})
}

// TestNamesInUseAreUniqueness holds the Service to answering a name in use
// with SCIM's uniqueness error for the resource at hand, and to passing
// other errors on as they are.
func TestNamesInUseAreUniqueness(t *testing.T) {
	inUse := fmt.Errorf("store: create: %w", apperr.Sentinel(apperr.Conflict, "already exists", "in use"))
	unknownMember := fmt.Errorf("store: add user 9: %w", scim.ErrUnknownMember)
	ctx := context.Background()
	patch, err := scim.ParsePatch([]byte(`{"schemas":["` + scim.PatchOpSchema + `"],"Operations":[{"op":"replace","path":"displayName","value":"EMEA"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	userPatch, err := scim.ParsePatch([]byte(`{"schemas":["` + scim.PatchOpSchema + `"],"Operations":[{"op":"replace","path":"active","value":false}]}`))
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct {
		name string
		want *scim.Error // for a name in use
		call func(s *scim.Service) error
	}{
		{"create user", scim.ErrUserTaken, func(s *scim.Service) error { _, err := s.CreateUser(ctx, scim.User{}, 1); return err }},
		{"replace user", scim.ErrUserTaken, func(s *scim.Service) error { _, err := s.ReplaceUser(ctx, 1, nil, 1); return err }},
		{"patch user", scim.ErrUserTaken, func(s *scim.Service) error { _, err := s.PatchUser(ctx, 1, userPatch, 1); return err }},
		{"create group", scim.ErrGroupTaken, func(s *scim.Service) error { _, err := s.CreateGroup(ctx, scim.Group{}, 1); return err }},
		{"replace group", scim.ErrGroupTaken, func(s *scim.Service) error { _, err := s.ReplaceGroup(ctx, 1, nil, 1); return err }},
		{"patch group", scim.ErrGroupTaken, func(s *scim.Service) error { return s.PatchGroup(ctx, 1, patch, 1) }},
	}
	for _, c := range calls {
		t.Run(c.name+": a name in use", func(t *testing.T) {
			err := c.call(scim.NewService(&fakeRepo{err: inUse}))
			se, ok := errors.AsType[*scim.Error](err)
			if !ok || se != c.want || !errors.Is(err, inUse) {
				t.Errorf("error %v, want %v in front of the repository's", err, c.want)
			}
		})
		t.Run(c.name+": another error", func(t *testing.T) {
			err := c.call(scim.NewService(&fakeRepo{err: unknownMember}))
			if _, ok := errors.AsType[*scim.Error](err); ok || !errors.Is(err, scim.ErrUnknownMember) {
				t.Errorf("error %v, want the repository's as it is", err)
			}
		})
	}
	if scim.ErrUserTaken.ScimType != scim.Uniqueness || scim.ErrGroupTaken.ScimType != scim.Uniqueness ||
		scim.ErrUserTaken.Code() != 409 || scim.ErrGroupTaken.Code() != 409 {
		t.Errorf("ErrUserTaken %+v, ErrGroupTaken %+v; want 409 uniqueness", scim.ErrUserTaken, scim.ErrGroupTaken)
	}
}
