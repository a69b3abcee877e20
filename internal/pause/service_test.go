package pause

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/post"
)

// fakeRepo keeps pauses in memory, as the store would: a write calls
// check and notify as the store does, and keeps nothing that check refused.
type fakeRepo struct {
	campaigns map[int64]string // by id: name
	to        []account.User   // who the notices list
	pauses    []Pause
	mails     []mail.Mail
	fail      error // returned by writes, after check, as a failed commit
}

func (r *fakeRepo) ActivePauses(context.Context) ([]Pause, error) {
	return slices.DeleteFunc(slices.Clone(r.pauses), func(p Pause) bool { return !p.Active() }), nil
}

func (r *fakeRepo) PauseHistory(_ context.Context, limit int) ([]Pause, error) {
	h := slices.DeleteFunc(slices.Clone(r.pauses), Pause.Active)
	return h[:min(limit, len(h))], nil
}

func (r *fakeRepo) Campaigns(context.Context) ([]post.Campaign, error) {
	var out []post.Campaign
	for _, id := range slices.Sorted(maps.Keys(r.campaigns)) {
		out = append(out, post.Campaign{ID: id, Name: r.campaigns[id]})
	}
	return out, nil
}

func (r *fakeRepo) campaign(sc Scope) (string, bool) {
	id, ok := sc.CampaignID()
	if !ok {
		return "", false
	}
	name, found := r.campaigns[id]
	return name, found
}

func (r *fakeRepo) StartPause(_ context.Context, s Start, check func(Target) error, notify func(Notice) []mail.Mail) (Pause, error) {
	name, found := r.campaign(s.Scope)
	if err := check(Target{CampaignFound: found}); err != nil {
		return Pause{}, err
	}
	if r.fail != nil {
		return Pause{}, r.fail
	}
	p := Pause{ID: int64(len(r.pauses) + 1), Scope: s.Scope, Reason: s.Reason, PausedBy: "Mei", PausedAt: time.Unix(1e9, 0)}
	r.pauses = append(r.pauses, p)
	r.mails = append(r.mails, notify(Notice{Pause: p, Campaign: name, To: r.to})...)
	return p, nil
}

func (r *fakeRepo) ResumePause(_ context.Context, res Resume, notify func(Notice) []mail.Mail) (Pause, error) {
	i := slices.IndexFunc(r.pauses, func(p Pause) bool { return p.ID == res.ID && p.Active() })
	if i < 0 {
		return Pause{}, apperr.Sentinel(apperr.NotFound, "fake: no such pause", "")
	}
	if r.fail != nil {
		return Pause{}, r.fail
	}
	r.pauses[i].ResumedBy, r.pauses[i].ResumedAt = "Carlos", time.Unix(2e9, 0)
	name, _ := r.campaign(r.pauses[i].Scope)
	r.mails = append(r.mails, notify(Notice{Pause: r.pauses[i], Campaign: name, To: r.to})...)
	return r.pauses[i], nil
}

// hooks records the webhook messages; with fail, it also fails them.
type hooks struct {
	keys []string
	fail bool
}

func (h *hooks) Message(_ context.Context, key, _, _, _ string) error {
	h.keys = append(h.keys, key)
	if h.fail {
		return errors.New("webhooks down")
	}
	return nil
}

type wakes int

func (w *wakes) Wake() { *w++ }

func TestProblems(t *testing.T) {
	long := strings.Repeat("é", MaxReason)
	tests := []struct {
		name       string
		scope      string
		found      bool // the campaign exists
		reason     string
		wantFields []string
	}{
		{"the programme", "programme", false, "Incident", nil},
		{"a campaign that exists", "campaign:3", true, "Incident", nil},
		{"a campaign that does not", "campaign:3", false, "Incident", []string{"scope"}},
		{"a category", "category:" + string(post.Jobs), false, "Incident", nil},
		{"a category that does not exist", "category:gossip", false, "Incident", []string{"scope"}},
		{"not a scope", "everything", false, "Incident", []string{"scope"}},
		{"no reason", "programme", false, "", []string{"reason"}},
		{"a reason of 500 characters", "programme", false, long, nil},
		{"a reason of 501", "programme", false, long + "x", []string{"reason"}},
		{"neither", "campaign:3", false, "", []string{"reason", "scope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, parsed := ParseScope(tt.scope)
			errs := problems(sc, parsed, Target{CampaignFound: tt.found}, tt.reason)
			if got := slices.Sorted(maps.Keys(errs)); !slices.Equal(got, tt.wantFields) {
				t.Errorf("problems with %v, want %v", got, tt.wantFields)
			}
			if errs != nil && apperr.KindOf(errs) != apperr.Invalid {
				t.Errorf("kind %v, want invalid", apperr.KindOf(errs))
			}
		})
	}
}

func TestPause(t *testing.T) {
	ctx := context.Background()
	to := []account.User{{ID: 4, Name: "Noor", Email: "noor@example.com", Language: "nl"},
		{ID: 9, Name: "Mei", Email: "mei@example.com", Language: "en"}}

	t.Run("recorded, mailed and announced", func(t *testing.T) {
		repo, h := &fakeRepo{campaigns: map[int64]string{3: "Spring"}, to: to}, &hooks{}
		p, err := NewService(repo, Config{BaseURL: "https://p.example", Webhooks: h}).Pause(ctx,
			Request{Scope: " campaign:3 ", Reason: "  A crisis  ", ActorID: 1})
		if err != nil {
			t.Fatal(err)
		}
		if p.Scope != Campaign(3) || p.Reason != "A crisis" {
			t.Errorf("recorded %+v, want campaign 3 and the reason trimmed", p)
		}
		if !slices.Equal(h.keys, []string{"pause:1:start"}) {
			t.Errorf("webhook keys %v", h.keys)
		}
		var got []string
		for _, m := range repo.mails {
			got = append(got, m.To+" "+m.DedupeKey+" "+m.Subject)
			if m.Kind != "pause" || !strings.Contains(m.Body, "https://p.example/pause") {
				t.Errorf("mail %+v: want kind pause and a link to the pause page", m)
			}
		}
		want := []string{"noor@example.com pause:1:start:4 Delen gepauzeerd: campagne “Spring”",
			"mei@example.com pause:1:start:9 Sharing paused: campaign “Spring”"}
		if !slices.Equal(got, want) {
			t.Errorf("mails %q, want %q", got, want)
		}
	})
	t.Run("refused: nothing recorded, nothing announced", func(t *testing.T) {
		repo, h := &fakeRepo{to: to}, &hooks{}
		for _, r := range []Request{{Scope: "campaign:3", Reason: "Incident"}, {Scope: "nonsense", Reason: "Incident"},
			{Scope: "programme"}} {
			_, err := NewService(repo, Config{Webhooks: h}).Pause(ctx, r)
			if fe := (FieldErrors{}); !errors.As(err, &fe) {
				t.Errorf("Pause(%+v) = %v, want FieldErrors", r, err)
			}
		}
		if len(repo.pauses) != 0 || len(repo.mails) != 0 || len(h.keys) != 0 {
			t.Errorf("%d pauses, %d mails, %d messages; want none", len(repo.pauses), len(repo.mails), len(h.keys))
		}
	})
	t.Run("not committed: nothing announced", func(t *testing.T) {
		h := &hooks{}
		_, err := NewService(&fakeRepo{fail: errors.New("disk full")}, Config{Webhooks: h}).Pause(ctx,
			Request{Scope: "programme", Reason: "Incident"})
		if err == nil || len(h.keys) != 0 {
			t.Errorf("Pause = %v with %d messages; want the error and none", err, len(h.keys))
		}
	})
	t.Run("a webhook failure is logged, not returned", func(t *testing.T) {
		var log bytes.Buffer
		h := &hooks{fail: true}
		_, err := NewService(&fakeRepo{}, Config{Webhooks: h, Logger: slog.New(slog.NewTextHandler(&log, nil))}).Pause(ctx,
			Request{Scope: "programme", Reason: "Incident"})
		if err != nil || len(h.keys) != 1 || !strings.Contains(log.String(), "webhooks down") {
			t.Errorf("Pause = %v, %d messages, log %q; want no error, the message tried and the failure logged", err, len(h.keys), log.String())
		}
	})
}

// TestMailNamesWhatIsPaused: a mail names a campaign by its name, and by
// its number once it is gone (it can be, by the time of a resume); a
// category by its words; else the whole programme.
func TestMailNamesWhatIsPaused(t *testing.T) {
	for _, tt := range []struct {
		scope    Scope
		campaign string // its name, as the repository read it
		want     string
	}{
		{Campaign(3), "Spring launch", "Sharing paused: campaign “Spring launch”"},
		{Campaign(3), "", "Sharing paused: campaign “3”"},
		{Category(post.Jobs), "", "Sharing paused: category “Jobs”"},
		{Programme, "", "Sharing paused: the whole programme"},
	} {
		t.Run(string(tt.scope)+" "+tt.campaign, func(t *testing.T) {
			n := Notice{Pause: Pause{ID: 5, Scope: tt.scope, Reason: "r"}, Campaign: tt.campaign,
				To: []account.User{{ID: 1, Email: "mei@example.com", Language: "en"}}}
			mails := NewService(&fakeRepo{}, Config{}).mails(n, false, "pause:5:start")
			if len(mails) != 1 || mails[0].Subject != tt.want || mails[0].DedupeKey != "pause:5:start:1" {
				t.Fatalf("mails %+v, want one with subject %q", mails, tt.want)
			}
		})
	}
}

func TestResume(t *testing.T) {
	ctx := context.Background()
	repo, h, pub := &fakeRepo{to: []account.User{{ID: 2, Email: "c@example.com"}}}, &hooks{}, new(wakes)
	s := NewService(repo, Config{Webhooks: h, Publisher: pub})
	p, err := s.Pause(ctx, Request{Scope: "programme", Reason: "Incident"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resume(ctx, p.ID, 2); err != nil {
		t.Fatal(err)
	}
	if *pub != 1 || !slices.Equal(h.keys, []string{"pause:1:start", "pause:1:resume"}) {
		t.Errorf("publisher woken %d times, messages %v; want once, and start and resume", *pub, h.keys)
	}
	if n := len(repo.mails); n != 2 || repo.mails[1].DedupeKey != "pause:1:resume:2" || !strings.Contains(repo.mails[1].Body, "Carlos") {
		t.Errorf("mails %+v, want the resume told by who resumed", repo.mails)
	}
	for _, id := range []int64{p.ID, 99} {
		_, err := s.Resume(ctx, id, 2)
		if !errors.Is(err, ErrNotActive) || apperr.MessageOf(err) != apperr.MessageOf(ErrNotActive) {
			t.Errorf("Resume(%d) again = %v, want ErrNotActive with its message", id, err)
		}
	}
	if *pub != 1 || len(h.keys) != 2 {
		t.Errorf("a refused resume woke the publisher or announced: %d wakes, %v", *pub, h.keys)
	}
	o, err := s.Overview(ctx)
	if err != nil || len(o.Active) != 0 || len(o.History) != 1 {
		t.Errorf("Overview = %+v, %v; want the pause in the history", o, err)
	}
}
