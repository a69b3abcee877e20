package concern

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/mail"
)

// fakeRepo keeps concerns in memory, as the store would: a write calls its
// callback as the store does and keeps nothing the callback refused.
type fakeRepo struct {
	concerns []Concern
	steps    []Step
	contacts Contacts
	users    []account.User // everyone, active or not
	mails    []mail.Mail
	saved    *Contacts
	fail     error // returned by CreateConcern, as a failed commit
}

var errNoRow = apperr.Sentinel(apperr.NotFound, "fake: no such row", "")

func (r *fakeRepo) Concern(_ context.Context, id int64) (Concern, error) {
	for _, c := range r.concerns {
		if c.ID == id {
			return c, nil
		}
	}
	return Concern{}, errNoRow
}

func (r *fakeRepo) ConcernsReportedBy(_ context.Context, reporterID int64) ([]Concern, error) {
	return slices.DeleteFunc(slices.Clone(r.concerns), func(c Concern) bool { return c.ReporterID != reporterID }), nil
}

func (r *fakeRepo) ConcernQueue(context.Context) ([]Concern, error) {
	return slices.Clone(r.concerns), nil
}

func (r *fakeRepo) ConcernHistory(_ context.Context, id int64) ([]Event, error) {
	var out []Event
	for _, st := range r.steps {
		out = append(out, Event{ConcernID: id, ActorID: st.ActorID, Action: st.Action, Note: st.Note})
	}
	return out, nil
}

func (r *fakeRepo) ConcernContacts(context.Context) (Contacts, error) { return r.contacts, nil }

func (r *fakeRepo) ConcernContactUsers(_ context.Context, cc Contacts) ([]account.User, error) {
	var out []account.User
	for _, u := range r.users {
		if u.Active && cc.Includes(u) {
			out = append(out, u)
		}
	}
	return out, nil
}

func (r *fakeRepo) ConcernScreenshot(_ context.Context, imageID int64) (Screenshot, error) {
	return Screenshot{ContentType: "image/png", Data: []byte{byte(imageID)}}, nil
}

func (r *fakeRepo) CreateConcern(_ context.Context, c Concern, shot *Screenshot, notify func(int64, []account.User) []mail.Mail) (int64, error) {
	if r.fail != nil {
		return 0, r.fail
	}
	c.ID, c.Status = int64(len(r.concerns)+1), StatusNew
	if shot != nil {
		c.ImageID = 100 + c.ID
	}
	r.concerns = append(r.concerns, c)
	if notify != nil {
		contacts, err := r.ConcernContactUsers(context.Background(), r.contacts)
		if err != nil {
			return 0, err
		}
		r.mails = append(r.mails, notify(c.ID, contacts)...)
	}
	return c.ID, nil
}

func (r *fakeRepo) TriageConcern(_ context.Context, q TriageQuery, decide func(Triage) (Step, error)) error {
	c, err := r.Concern(context.Background(), q.ConcernID)
	if err != nil {
		return err
	}
	t := Triage{Concern: c, Contacts: r.contacts}
	for _, u := range r.users {
		if u.ID == q.AssigneeID {
			t.Assignee = &u
		}
	}
	st, err := decide(t)
	if err != nil {
		return err
	}
	r.steps = append(r.steps, st)
	return nil
}

func (r *fakeRepo) SaveConcernContacts(_ context.Context, cc Contacts, _ int64, check func([]account.User) error) error {
	var active []account.User
	for _, u := range r.users {
		if u.Active && slices.ContainsFunc(cc.Emails, func(e string) bool { return strings.EqualFold(e, u.Email) }) {
			active = append(active, u)
		}
	}
	if err := check(active); err != nil {
		return err
	}
	r.saved = &cc
	return nil
}

// hooks records the keys and texts of webhook messages.
type hooks struct{ got []string }

func (h *hooks) Message(_ context.Context, key, title, text, link string) error {
	h.got = append(h.got, strings.Join([]string{key, title, text, link}, " | "))
	return nil
}

// The people of the tests: a reporter, two comms (one no longer active),
// and HR.
var (
	sam   = account.User{ID: 1, Name: "Sam", Email: "sam@example.com", Active: true, Roles: []account.Role{account.Employee}}
	mei   = account.User{ID: 2, Name: "Mei", Email: "mei@example.com", Language: "nl", Active: true, Roles: []account.Role{account.Comms}}
	gone  = account.User{ID: 3, Name: "Gone", Email: "gone@example.com", Active: false, Roles: []account.Role{account.Comms}}
	hr    = account.User{ID: 4, Name: "Ada", Email: "ada@example.com", Active: true, Roles: []account.Role{account.HR}}
	users = []account.User{sam, mei, gone, hr}
)

func fields(err error) []string {
	var fe FieldErrors
	if !errors.As(err, &fe) {
		return nil
	}
	return slices.Sorted(maps.Keys(fe))
}

func TestReportCheck(t *testing.T) {
	ok := Report{Link: "https://news.example.com/a", Kind: "journalist", Description: "A call"}
	for _, tt := range []struct {
		name   string
		change func(*Report)
		want   []string
	}{
		{"valid", func(*Report) {}, nil},
		{"no link", func(r *Report) { r.Link = "" }, nil},
		{"a script link", func(r *Report) { r.Link = "javascript:alert(1)" }, []string{"link"}},
		{"a link without host", func(r *Report) { r.Link = "https://" }, []string{"link"}},
		{"a link of 2000 bytes", func(r *Report) { r.Link = "https://e.com/" + strings.Repeat("a", MaxLink-14) }, nil},
		{"a link of 2001", func(r *Report) { r.Link = "https://e.com/" + strings.Repeat("a", MaxLink-13) }, []string{"link"}},
		{"an unknown kind", func(r *Report) { r.Kind = "gossip" }, []string{"kind"}},
		{"no description", func(r *Report) { r.Description = " \n " }, []string{"description"}},
		{"4000 characters", func(r *Report) { r.Description = strings.Repeat("é", MaxText) }, nil},
		{"4001 characters", func(r *Report) { r.Description = strings.Repeat("é", MaxText+1) }, []string{"description"}},
		{"all wrong", func(r *Report) { *r = Report{Link: "ftp://x"} }, []string{"description", "kind", "link"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.change(&r)
			errs := r.Check()
			if got := slices.Sorted(maps.Keys(errs)); !slices.Equal(got, tt.want) {
				t.Errorf("Check finds %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAfter(t *testing.T) {
	for _, tt := range []struct{ status, action, want string }{
		{StatusNew, ActionAcknowledge, StatusAcknowledged},
		{StatusNew, ActionAssign, StatusAcknowledged},
		{StatusNew, ActionComment, StatusNew},
		{StatusNew, ActionClose, StatusClosed},
		{StatusAcknowledged, ActionAcknowledge, StatusAcknowledged},
		{StatusAcknowledged, ActionClose, StatusClosed},
		{StatusClosed, ActionAcknowledge, StatusClosed},
		{StatusClosed, ActionAssign, StatusClosed},
		{StatusClosed, ActionComment, StatusClosed},
	} {
		if got := After(tt.status, tt.action); got != tt.want {
			t.Errorf("After(%s, %s) = %s, want %s", tt.status, tt.action, got, tt.want)
		}
	}
}

func TestMayViewAndTriage(t *testing.T) {
	c := Concern{ID: 9, ReporterID: sam.ID}
	for _, tt := range []struct {
		name       string
		cc         Contacts
		u          account.User
		wantView   bool
		wantTriage bool
	}{
		{"the reporter", Contacts{}, sam, true, false},
		{"comms, by default", Contacts{}, mei, true, true},
		{"HR, by default", Contacts{}, hr, false, false},
		{"HR, when HR is the role", Contacts{Role: account.HR}, hr, true, true},
		{"comms, when HR is the role", Contacts{Role: account.HR}, mei, false, false},
		{"on the list", Contacts{Emails: []string{"ADA@example.com"}}, hr, true, true},
		{"the reporter on the list", Contacts{Emails: []string{"sam@example.com"}}, sam, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cc.MayView(tt.u, c); got != tt.wantView {
				t.Errorf("MayView = %v, want %v", got, tt.wantView)
			}
			if got := tt.cc.MayTriage(tt.u); got != tt.wantTriage {
				t.Errorf("MayTriage = %v, want %v", got, tt.wantTriage)
			}
		})
	}
}

func TestSplitEmails(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a@example.com", []string{"a@example.com"}},
		{"A@Example.com\r\nb@example.com; a@example.com,\tc@example.com  ", []string{"a@example.com", "b@example.com", "c@example.com"}},
	} {
		if got := SplitEmails(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitEmails(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReport(t *testing.T) {
	ctx := context.Background()
	report := Report{Reporter: sam, Link: " https://news.example.com/a ", Kind: "journalist", Description: " A journalist called. ",
		Urgent: true, Screenshot: &Screenshot{ContentType: "image/png", Data: []byte("png")}}

	t.Run("urgent: stored, each active contact mailed, the webhooks told without details", func(t *testing.T) {
		repo, h := &fakeRepo{users: users}, &hooks{}
		id, err := NewService(repo, Config{BaseURL: "https://p.example", Webhooks: h}).Report(ctx, report)
		if err != nil {
			t.Fatal(err)
		}
		if len(repo.concerns) != 1 || repo.concerns[0].Link != "https://news.example.com/a" ||
			repo.concerns[0].Description != "A journalist called." || repo.concerns[0].ImageID == 0 {
			t.Fatalf("stored %+v, want the report trimmed, with its screenshot", repo.concerns)
		}
		if len(repo.mails) != 1 {
			t.Fatalf("%d mails, want one, to Mei (the only active comms)", len(repo.mails))
		}
		m := repo.mails[0]
		if m.To != mei.Email || m.Lang != "nl" || m.Kind != "concern" || m.DedupeKey != "concern:1:mei@example.com" ||
			!strings.Contains(m.Body, "https://p.example/concerns/1") || !strings.Contains(m.Body, "A journalist called.") {
			t.Errorf("mail %+v", m)
		}
		want := "concern:1 | Urgent concern reported | An urgent concern was reported (journalist). " +
			"Points of contact: open it in the portal to triage it. | https://p.example/concerns/1"
		if id != 1 || !slices.Equal(h.got, []string{want}) {
			t.Errorf("id %d, webhook messages %q; want 1 and %q", id, h.got, want)
		}
	})
	t.Run("not urgent: nobody mailed or told", func(t *testing.T) {
		repo, h := &fakeRepo{users: users}, &hooks{}
		r := report
		r.Urgent = false
		if _, err := NewService(repo, Config{Webhooks: h}).Report(ctx, r); err != nil {
			t.Fatal(err)
		}
		if len(repo.concerns) != 1 || len(repo.mails) != 0 || len(h.got) != 0 {
			t.Errorf("%d concerns, %d mails, %d messages; want the concern only", len(repo.concerns), len(repo.mails), len(h.got))
		}
	})
	t.Run("refused: nothing stored or told", func(t *testing.T) {
		repo, h := &fakeRepo{users: users}, &hooks{}
		r := report
		r.Problems = map[string]string{"screenshot": "Not an image."}
		_, err := NewService(repo, Config{Webhooks: h}).Report(ctx, r)
		if got := fields(err); !slices.Equal(got, []string{"screenshot"}) || apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("Report = %v, want FieldErrors for the screenshot", err)
		}
		r.Kind = "gossip"
		_, err = NewService(repo, Config{Webhooks: h}).Report(ctx, r)
		if got := fields(err); !slices.Equal(got, []string{"kind", "screenshot"}) {
			t.Errorf("refused fields %v, want kind and screenshot", got)
		}
		if len(repo.concerns) != 0 || len(repo.mails) != 0 || len(h.got) != 0 {
			t.Errorf("%d concerns, %d mails, %d messages; want none", len(repo.concerns), len(repo.mails), len(h.got))
		}
	})
	t.Run("not committed: the webhooks are not told", func(t *testing.T) {
		h := &hooks{}
		if _, err := NewService(&fakeRepo{fail: errors.New("disk full")}, Config{Webhooks: h}).Report(ctx, report); err == nil || len(h.got) != 0 {
			t.Errorf("Report = %v with %d messages; want the error and none", err, len(h.got))
		}
	})
}

func TestShowAndQueue(t *testing.T) {
	ctx := context.Background()
	repo := &fakeRepo{users: users, concerns: []Concern{{ID: 1, ReporterID: sam.ID}, {ID: 2, ReporterID: hr.ID, ImageID: 7}}}
	s := NewService(repo, Config{})
	for _, tt := range []struct {
		name         string
		viewer       account.User
		id           int64
		wantErr      error
		wantContact  bool
		wantContacts int
	}{
		{"the reporter", sam, 1, nil, false, 0},
		{"a point of contact", mei, 1, nil, true, 1},
		{"someone else", hr, 1, ErrNotFound, false, 0},
		{"a concern that does not exist", mei, 99, ErrNotFound, false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := s.Show(ctx, tt.id, tt.viewer)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Show = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if apperr.MessageOf(err) != apperr.MessageOf(ErrNotFound) {
					t.Errorf("message %q, want ErrNotFound's", apperr.MessageOf(err))
				}
				return
			}
			if d.Concern.ID != tt.id || d.Contact != tt.wantContact || len(d.Contacts) != tt.wantContacts {
				t.Errorf("Show = %+v, want contact %v with %d contacts", d, tt.wantContact, tt.wantContacts)
			}
		})
	}
	t.Run("screenshots", func(t *testing.T) {
		if _, err := s.Screenshot(ctx, 1, sam); !errors.Is(err, ErrNoScreenshot) {
			t.Errorf("a concern without one: %v, want ErrNoScreenshot", err)
		}
		if img, err := s.Screenshot(ctx, 2, hr); err != nil || len(img.Data) != 1 || img.Data[0] != 7 {
			t.Errorf("the reporter's: %+v, %v; want image 7", img, err)
		}
		if _, err := s.Screenshot(ctx, 2, sam); !errors.Is(err, ErrNotFound) {
			t.Errorf("someone else's: %v, want ErrNotFound", err)
		}
	})
	t.Run("queue", func(t *testing.T) {
		for _, tt := range []struct {
			viewer      account.User
			wantMine    int
			wantContact bool
			wantQueue   int
		}{{sam, 1, false, 0}, {mei, 0, true, 2}, {hr, 1, false, 0}} {
			l, err := s.Queue(ctx, tt.viewer)
			if err != nil || len(l.Mine) != tt.wantMine || l.Contact != tt.wantContact || len(l.Queue) != tt.wantQueue {
				t.Errorf("Queue(%s) = %+v, %v; want %d own, contact %v, %d queued", tt.viewer.Name, l, err, tt.wantMine, tt.wantContact, tt.wantQueue)
			}
		}
	})
}

func TestTriage(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("x", MaxText+1)
	for _, tt := range []struct {
		name     string
		act      func(s *Service) error
		wantErr  error
		wantStep Step
	}{
		{"acknowledge", func(s *Service) error { return s.Acknowledge(ctx, 1, mei) }, nil,
			Step{Action: ActionAcknowledge, ActorID: mei.ID, Status: StatusAcknowledged}},
		{"assign", func(s *Service) error { return s.Assign(ctx, 1, mei, mei.ID) }, nil,
			Step{Action: ActionAssign, ActorID: mei.ID, Status: StatusAcknowledged, AssigneeID: mei.ID, Note: "Mei"}},
		{"comment", func(s *Service) error { return s.Comment(ctx, 1, mei, "  On it  ") }, nil,
			Step{Action: ActionComment, ActorID: mei.ID, Status: StatusNew, Note: "On it"}},
		{"close", func(s *Service) error { return s.Close(ctx, 1, mei, "") }, nil,
			Step{Action: ActionClose, ActorID: mei.ID, Status: StatusClosed}},
		{"the reporter may not", func(s *Service) error { return s.Acknowledge(ctx, 1, sam) }, ErrNotFound, Step{}},
		{"nor may anyone else, whatever they send", func(s *Service) error { return s.Comment(ctx, 1, hr, " ") }, ErrNotFound, Step{}},
		{"a concern that does not exist", func(s *Service) error { return s.Close(ctx, 99, mei, "") }, ErrNotFound, Step{}},
		{"assign to someone not a contact", func(s *Service) error { return s.Assign(ctx, 1, mei, hr.ID) }, ErrNoAssignee, Step{}},
		{"assign to a contact no longer active", func(s *Service) error { return s.Assign(ctx, 1, mei, gone.ID) }, ErrNoAssignee, Step{}},
		{"assign to nobody", func(s *Service) error { return s.Assign(ctx, 1, mei, 0) }, ErrNoAssignee, Step{}},
		{"an empty comment", func(s *Service) error { return s.Comment(ctx, 1, mei, " \n") }, ErrComment, Step{}},
		{"a comment too long", func(s *Service) error { return s.Comment(ctx, 1, mei, long) }, ErrComment, Step{}},
		{"a closing note too long", func(s *Service) error { return s.Close(ctx, 1, mei, long) }, ErrNote, Step{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeRepo{users: users, concerns: []Concern{{ID: 1, ReporterID: sam.ID, Status: StatusNew}}}
			err := tt.act(NewService(repo, Config{}))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if apperr.MessageOf(err) != apperr.MessageOf(tt.wantErr) || len(repo.steps) != 0 {
					t.Errorf("message %q and %d steps written, want %q and none", apperr.MessageOf(err), len(repo.steps), apperr.MessageOf(tt.wantErr))
				}
				return
			}
			if len(repo.steps) != 1 || repo.steps[0] != tt.wantStep {
				t.Errorf("steps %+v, want %+v", repo.steps, tt.wantStep)
			}
		})
	}
}

func TestSaveContacts(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name       string
		choice     Choice
		wantFields []string
		wantSaved  *Contacts
	}{
		{"a role", Choice{Role: account.HR}, nil, &Contacts{Role: account.HR}},
		{"the employee role", Choice{Role: account.Employee}, []string{"role"}, nil},
		{"no role", Choice{}, []string{"role"}, nil},
		{"a list", Choice{ByList: true, Role: "ignored", Emails: []string{"mei@example.com", "ADA@example.com"}}, nil,
			&Contacts{Emails: []string{"mei@example.com", "ADA@example.com"}}},
		{"an empty list", Choice{ByList: true}, []string{"emails"}, nil},
		{"someone no longer active", Choice{ByList: true, Emails: []string{"mei@example.com", "gone@example.com"}}, []string{"emails"}, nil},
		{"someone unknown", Choice{ByList: true, Emails: []string{"nobody@example.com"}}, []string{"emails"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeRepo{users: users}
			err := NewService(repo, Config{}).SaveContacts(ctx, tt.choice, 9)
			if got := fields(err); !slices.Equal(got, tt.wantFields) || (tt.wantFields == nil && err != nil) {
				t.Fatalf("SaveContacts = %v, want problems with %v", err, tt.wantFields)
			}
			switch {
			case tt.wantSaved == nil && repo.saved != nil:
				t.Errorf("saved %+v, want nothing", *repo.saved)
			case tt.wantSaved != nil && (repo.saved == nil || repo.saved.Role != tt.wantSaved.Role ||
				!slices.Equal(repo.saved.Emails, tt.wantSaved.Emails)):
				t.Errorf("saved %+v, want %+v", repo.saved, *tt.wantSaved)
			}
		})
	}
	err := NewService(&fakeRepo{users: users}, Config{}).SaveContacts(ctx,
		Choice{ByList: true, Emails: []string{"nobody@example.com", "gone@example.com"}}, 9)
	if fe := (FieldErrors{}); !errors.As(err, &fe) || fe["emails"] != "Nobody active in the portal has the address nobody@example.com." {
		t.Errorf("SaveContacts = %v, want the first address no one active has named", err)
	}
}
