package share

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/cadence"
)

// fakeRepository hands out fixed facts and remembers what it was asked to
// record. The store's own tests run the Service against SQLite.
type fakeRepository struct {
	facts    Facts
	err      error // returned instead of asking the gate
	skip     bool  // return without asking the gate (a broken repository)
	query    Query
	recorded []Record

	networks       []string // ids admins enabled
	networksChosen bool

	cadence   cadence.Rule // the stored share cadence
	cadenceBy int64        // who stored it
}

func (r *fakeRepository) ShareCadence(context.Context) (cadence.Rule, error) { return r.cadence, nil }

func (r *fakeRepository) SetShareCadence(_ context.Context, c cadence.Rule, actorID int64) error {
	r.cadence, r.cadenceBy = c, actorID
	return nil
}

func (r *fakeRepository) EnabledNetworks(context.Context) ([]string, bool, error) {
	return r.networks, r.networksChosen, nil
}

func (r *fakeRepository) RecordShare(_ context.Context, q Query, decide func(Facts) (Record, bool)) (Recorded, error) {
	r.query = q
	if r.err != nil || r.skip {
		return Recorded{}, r.err
	}
	rec, ok := decide(r.facts)
	if !ok {
		return Recorded{}, nil
	}
	r.recorded = append(r.recorded, rec)
	return Recorded{LinkID: 1, Code: rec.NewCode(), ShareID: 2}, nil
}

func TestServiceShare(t *testing.T) {
	late := gateNow.Add(14*time.Hour + 30*time.Minute) // same cadence day as gateNow
	mastodon := func(f *Facts) { f.Instance = "mastodon.social" }
	tests := []struct {
		name         string
		req          Request
		change       func(*Facts)
		wantRefused  Reason
		wantRecorded bool
		wantInstance string // remembered with the share
	}{
		{"allowed is recorded", Request{Network: LinkedIn}, nil, "", true, ""},
		{"refused records nothing", Request{Network: LinkedIn}, func(f *Facts) { f.Targeted = false }, NotForYou, false, ""},
		{"the cadence question records nothing", Request{Network: LinkedIn}, func(f *Facts) {
			f.Cadence.Limit, f.SharedToday = 1, 1
		}, CadenceAsk, false, ""},
		{"a saved server is not written again", Request{Network: Mastodon}, mastodon, "", true, ""},
		{"a typed server is remembered", Request{Network: Mastodon, Instance: "@me@Hachyderm.io"}, mastodon, "", true, "hachyderm.io"},
		{"a server that is not one records nothing", Request{Network: Mastodon, Instance: "not a server"}, mastodon, InstanceInvalid, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeRepository{facts: openFacts()}
			if tt.change != nil {
				tt.change(&repo.facts)
			}
			s := NewService(repo, gateGuidelines(), func() time.Time { return late })
			tt.req.UserID, tt.req.PostID = 5, 7
			out, err := s.Share(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Share: %v", err)
			}
			if want := (Query{UserID: 5, PostID: 7, Network: tt.req.Network, Since: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}); repo.query != want {
				t.Errorf("query = %+v, want %+v", repo.query, want)
			}
			if out.Refused != tt.wantRefused {
				t.Errorf("Refused = %q, want %q", out.Refused, tt.wantRefused)
			}
			if got := len(repo.recorded) == 1; got != tt.wantRecorded {
				t.Fatalf("recorded %d shares, want recorded = %v", len(repo.recorded), tt.wantRecorded)
			}
			if !tt.wantRecorded {
				if out.Recorded != (Recorded{}) {
					t.Errorf("Recorded = %+v for a refused share", out.Recorded)
				}
				return
			}
			if got := repo.recorded[0].Instance; got != tt.wantInstance {
				t.Errorf("instance written = %q, want %q", got, tt.wantInstance)
			}
			if out.Recorded.ShareID != 2 || len(out.Recorded.Code) != 10 {
				t.Errorf("Recorded = %+v, want the repository's share with a new code", out.Recorded)
			}
		})
	}
}

func TestServiceShareErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	if _, err := NewService(&fakeRepository{err: boom}, gateGuidelines(), nil).Share(context.Background(), Request{Network: X}); !errors.Is(err, boom) {
		t.Errorf("Share with a failing repository = %v, want %v", err, boom)
	}
	if _, err := NewService(&fakeRepository{skip: true}, gateGuidelines(), nil).Share(context.Background(), Request{Network: X}); err == nil {
		t.Error("Share over a repository that never asked the gate succeeded, want an error")
	}
}

func TestServiceNetworks(t *testing.T) {
	tests := []struct {
		name   string
		ids    []string
		chosen bool
		want   []Network
	}{
		{"never chosen: every network", nil, false, Networks},
		{"chosen, in the feed's order", []string{"x", "linkedin", "gone"}, true, []Network{LinkedIn, X}},
		{"chosen none", []string{}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewService(&fakeRepository{networks: tt.ids, networksChosen: tt.chosen}, nil, nil).Networks(context.Background())
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("Networks() = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestChooseNetworks(t *testing.T) {
	tests := []struct {
		name        string
		ids         []string
		want        []Network
		wantProblem string
	}{
		{"some, in the feed's order, each once", []string{"x", "linkedin", "x"}, []Network{LinkedIn, X}, ""},
		{"none", nil, []Network{}, "Keep at least one network enabled, or people cannot share at all."},
		{"one unknown", []string{"myspace", "email"}, []Network{Email},
			"One of the chosen networks does not exist. Reload the page and choose again."},
		{"only unknown", []string{"myspace"}, []Network{}, "One of the chosen networks does not exist. Reload the page and choose again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problem := ChooseNetworks(tt.ids)
			if !slices.Equal(got, tt.want) || problem != tt.wantProblem {
				t.Errorf("ChooseNetworks(%v) = %v, %q; want %v, %q", tt.ids, got, problem, tt.want, tt.wantProblem)
			}
		})
	}
}

func TestParseCadence(t *testing.T) {
	tests := []struct {
		limit   string
		hard    bool
		want    cadence.Rule
		wantErr bool
	}{
		{"", false, cadence.Rule{}, false},
		{"", true, cadence.Rule{}, false}, // no hard cap without a limit
		{" 3 ", false, cadence.Rule{Limit: 3}, false},
		{"3", true, cadence.Rule{Limit: 3, Hard: true}, false},
		{"100", false, cadence.Rule{Limit: 100}, false},
		{"0", false, cadence.Rule{}, true},
		{"101", false, cadence.Rule{}, true},
		{"2.5", false, cadence.Rule{}, true},
		{"three", false, cadence.Rule{}, true},
	}
	for _, tt := range tests {
		got, err := ParseCadence(tt.limit, tt.hard)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseCadence(%q, %v) = %+v, %v; want %+v, error %v", tt.limit, tt.hard, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrCadenceLimit) {
			t.Errorf("ParseCadence(%q) error = %v, want ErrCadenceLimit", tt.limit, err)
		}
	}
}

func TestSetCadence(t *testing.T) {
	repo := &fakeRepository{}
	s := NewService(repo, nil, time.Now)
	if err := s.SetCadence(context.Background(), cadence.Rule{Limit: 2, Hard: true}, 7); err != nil {
		t.Fatal(err)
	}
	got, err := s.Cadence(context.Background())
	if err != nil || got != (cadence.Rule{Limit: 2, Hard: true}) || repo.cadenceBy != 7 {
		t.Errorf("Cadence = %+v, %v (stored by %d); want the rule set by 7", got, err, repo.cadenceBy)
	}
}
