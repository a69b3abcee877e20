package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/concern"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestConcernLifecycle(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	reporter := mustSignIn(t, s, "test:reporter", "reporter@example.com")
	comms := mustSignIn(t, s, "test:comms", "comms@example.com", account.Comms)
	svc := concern.NewService(s, concern.Config{})

	var told []int64
	id, err := s.CreateConcern(ctx, concern.Concern{ReporterID: reporter.ID, Kind: "journalist", Description: "A call", Urgent: true}, nil,
		func(id int64, contacts []account.User) []mail.Mail {
			for _, c := range contacts {
				told = append(told, c.ID)
			}
			return []mail.Mail{{To: comms.Email, Subject: "Urgent", Kind: "concern"}}
		})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(told, []int64{comms.ID}) {
		t.Errorf("notify was told of %v, want the points of contact (comms) %v", told, []int64{comms.ID})
	}
	if _, err := s.Concern(ctx, id+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown concern: got %v, want ErrNotFound", err)
	}
	if mails, err := s.Outbox(ctx, 0); err != nil || len(mails) != 1 || mails[0].To != comms.Email {
		t.Errorf("outbox = %+v, want one mail to %s (error: %v)", mails, comms.Email, err)
	}
	if err := svc.Assign(ctx, id, comms, comms.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Comment(ctx, id, comms, "On it"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Close(ctx, id, comms, ""); err != nil {
		t.Fatal(err)
	}
	if err := svc.Close(ctx, id+100, comms, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("close unknown concern: got %v, want ErrNotFound", err)
	}
	c, err := s.Concern(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != concern.StatusClosed || c.AssigneeID != comms.ID || c.ReporterName != "Name of test:reporter" || !c.Urgent {
		t.Errorf("concern = %+v", c)
	}
	history, err := s.ConcernHistory(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range history {
		actions = append(actions, e.Action)
	}
	want := []string{"reported", "assigned", "commented", "closed"}
	if len(actions) != len(want) {
		t.Fatalf("history = %v, want %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Errorf("history = %v, want %v", actions, want)
		}
	}
	mine, err := s.ConcernsReportedBy(ctx, reporter.ID)
	if err != nil || len(mine) != 1 {
		t.Errorf("ConcernsReportedBy = %v, %v; want one", mine, err)
	}
	if theirs, err := s.ConcernsReportedBy(ctx, comms.ID); err != nil || len(theirs) != 0 {
		t.Errorf("ConcernsReportedBy(comms) = %v, want none (error: %v)", theirs, err)
	}
}

func TestConcernContactUsers(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	mustSignIn(t, s, "test:employee", "employee@example.com")
	comms := mustSignIn(t, s, "test:comms", "comms@example.com", account.Comms)
	hr := mustSignIn(t, s, "test:hr", "hr@example.com", account.HR)

	for _, tc := range []struct {
		name string
		cc   concern.Contacts
		want []int64
	}{
		{"default is comms", concern.Contacts{}, []int64{comms.ID}},
		{"a role", concern.Contacts{Role: account.HR}, []int64{hr.ID}},
		{"a list", concern.Contacts{Emails: []string{"HR@example.com", "nobody@example.com"}}, []int64{hr.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			users, err := s.ConcernContactUsers(ctx, tc.cc)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, u := range users {
				got = append(got, u.ID)
				if !tc.cc.Includes(u) {
					t.Errorf("Includes(%s) = false", u.Email)
				}
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestConcernScreenshotWithTheConcern(t *testing.T) {
	ctx := context.Background()
	png := concern.Screenshot{ContentType: "image/png", Data: []byte("\x89PNG fake"), Width: 1, Height: 1}
	t.Run("a concern that is not stored leaves no screenshot", func(t *testing.T) {
		s, db := mustOpenStoreAndDB(t)
		if _, err := s.CreateConcern(ctx, concern.Concern{ReporterID: 4242, Kind: "other", Description: "d"}, &png, nil); err == nil {
			t.Fatal("CreateConcern by an unknown reporter: no error")
		}
		if n, m := countRows(t, db, "images"), countRows(t, db, "concerns"); n != 0 || m != 0 {
			t.Errorf("%d images and %d concerns stored, want none", n, m)
		}
	})
	t.Run("a stored concern keeps its screenshot", func(t *testing.T) {
		s := mustOpenStore(t)
		reporter := mustSignIn(t, s, "test:reporter", "reporter@example.com")
		id, err := s.CreateConcern(ctx, concern.Concern{ReporterID: reporter.ID, Kind: "other", Description: "d"}, &png, nil)
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Concern(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		img, err := s.Image(ctx, c.ImageID)
		if err != nil || string(img.Data) != string(png.Data) {
			t.Errorf("screenshot = %+v, %v; want the uploaded one", img, err)
		}
	})
}

// TestTriageConcernDecidesOnWhatItWrites: the triage facts are the concern,
// the points of contact as saved and the assignee named, read in the
// transaction that writes the step; a refused step writes nothing and its
// error comes back as it is.
func TestTriageConcernDecidesOnWhatItWrites(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	reporter := mustSignIn(t, s, "r", "reporter@example.com")
	hr := mustSignIn(t, s, "h", "hr@example.com", account.HR)
	if err := s.SetSetting(ctx, store.SettingConcernContacts, concern.Contacts{Role: account.HR}, hr.ID); err != nil {
		t.Fatal(err)
	}
	report := func(t *testing.T) int64 {
		t.Helper()
		id, err := s.CreateConcern(ctx, concern.Concern{ReporterID: reporter.ID, Kind: "other", Description: "d"}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	history := func(t *testing.T, id int64) int {
		t.Helper()
		h, err := s.ConcernHistory(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return len(h)
	}

	t.Run("the facts", func(t *testing.T) {
		id := report(t)
		for _, tt := range []struct {
			assignee     int64
			wantAssignee int64 // 0: none
		}{{hr.ID, hr.ID}, {4242, 0}, {0, 0}} {
			var got concern.Triage
			refused := errors.New("refused")
			err := s.TriageConcern(ctx, concern.TriageQuery{ConcernID: id, AssigneeID: tt.assignee}, func(tr concern.Triage) (concern.Step, error) {
				got = tr
				return concern.Step{}, refused
			})
			if err != refused {
				t.Errorf("TriageConcern = %v, want decide's error as it is", err)
			}
			if got.Concern.ID != id || got.Contacts.Role != account.HR {
				t.Errorf("triage facts %+v, want concern %d and the contacts saved", got, id)
			}
			switch {
			case tt.wantAssignee == 0 && got.Assignee != nil:
				t.Errorf("assignee %d: read %+v, want none", tt.assignee, got.Assignee)
			case tt.wantAssignee != 0 && (got.Assignee == nil || got.Assignee.ID != tt.wantAssignee || !got.Assignee.Has(account.HR)):
				t.Errorf("assignee %d: read %+v, want them with their roles", tt.assignee, got.Assignee)
			}
		}
		if n := history(t, id); n != 1 {
			t.Errorf("%d history entries after refused steps, want only the report", n)
		}
	})
	t.Run("a step is written", func(t *testing.T) {
		id := report(t)
		err := s.TriageConcern(ctx, concern.TriageQuery{ConcernID: id}, func(concern.Triage) (concern.Step, error) {
			return concern.Step{Action: concern.ActionAssign, ActorID: hr.ID, Status: concern.StatusAcknowledged, AssigneeID: hr.ID,
				Note: "HR"}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.TriageConcern(ctx, concern.TriageQuery{ConcernID: id}, func(concern.Triage) (concern.Step, error) {
			return concern.Step{Action: concern.ActionComment, ActorID: hr.ID, Status: concern.StatusAcknowledged, Note: "On it"}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Concern(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != concern.StatusAcknowledged || c.AssigneeID != hr.ID {
			t.Errorf("concern %+v: want acknowledged, still assigned to HR after a step that names no assignee", c)
		}
		if n := history(t, id); n != 3 {
			t.Errorf("%d history entries, want 3", n)
		}
	})
}

// TestUrgentReportMailsTheContactsAsSaved: an urgent report through the
// service mails each active point of contact the saved list names, in
// their language, with a link to the report; nobody else.
func TestUrgentReportMailsTheContactsAsSaved(t *testing.T) {
	ctx := context.Background()
	s, db := mustOpenStoreAndDB(t)
	reporter := mustSignInNamed(t, s, "Sam", "sam@example.com")
	noor := mustSignInNamed(t, s, "Noor", "noor@example.com", account.HR)
	gone := mustSignInNamed(t, s, "Gone", "gone@example.com", account.HR)
	mustSignInNamed(t, s, "Mei", "mei@example.com", account.Comms) // comms, but not on the list
	if err := s.SetLanguage(ctx, noor.ID, "nl"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE users SET active = 0 WHERE id = ?`, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, store.SettingConcernContacts, concern.Contacts{Emails: []string{"noor@example.com", "gone@example.com"}},
		noor.ID); err != nil {
		t.Fatal(err)
	}
	svc := concern.NewService(s, concern.Config{BaseURL: "https://portal.example.com"})
	id, err := svc.Report(ctx, concern.Report{Reporter: reporter, Kind: "journalist", Description: "A call", Urgent: true})
	if err != nil {
		t.Fatal(err)
	}
	mails, err := s.Outbox(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 1 {
		t.Fatalf("%d mails, want one, to Noor", len(mails))
	}
	m := mails[0]
	if m.To != noor.Email || m.Lang != "nl" || m.Kind != "concern" || !containsAll(m.Body, "Hallo Noor", "Sam", fmt.Sprintf("https://portal.example.com/concerns/%d", id)) {
		t.Errorf("mail %+v: want Noor's, in Dutch, naming the reporter and linking the report", m)
	}
}

// TestSaveConcernContactsChecksInItsTransaction: the check is given the
// active people the list names (as the users table compares addresses,
// ignoring case); refused, nothing is saved or audited; accepted, the
// choice is saved and audited as a settings change.
func TestSaveConcernContactsChecksInItsTransaction(t *testing.T) {
	ctx := context.Background()
	s, db := mustOpenStoreAndDB(t)
	admin := mustSignIn(t, s, "a", "admin@example.com", account.Admin)
	hr := mustSignIn(t, s, "h", "HR@example.com", account.HR)
	gone := mustSignIn(t, s, "g", "gone@example.com", account.HR)
	if _, err := db.ExecContext(ctx, `UPDATE users SET active = 0 WHERE id = ?`, gone.ID); err != nil {
		t.Fatal(err)
	}
	list := concern.Contacts{Emails: []string{"hr@example.com", "gone@example.com", "nobody@example.com"}}
	var given []int64
	refused := errors.New("refused")
	err := s.SaveConcernContacts(ctx, list, admin.ID, func(active []account.User) error {
		for _, u := range active {
			given = append(given, u.ID)
		}
		return refused
	})
	if err != refused {
		t.Errorf("SaveConcernContacts = %v, want the check's error as it is", err)
	}
	if !slices.Equal(given, []int64{hr.ID}) {
		t.Errorf("check given %v, want only the active person listed, %v", given, []int64{hr.ID})
	}
	if n := countRows(t, db, "audit_log"); n != 0 {
		t.Errorf("%d audit entries after a refusal, want none", n)
	}
	if cc, err := s.ConcernContacts(ctx); err != nil || len(cc.Emails) != 0 {
		t.Errorf("contacts after a refusal: %+v, %v; want none saved", cc, err)
	}
	if err := s.SaveConcernContacts(ctx, list, admin.ID, func([]account.User) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if cc, err := s.ConcernContacts(ctx); err != nil || !slices.Equal(cc.Emails, list.Emails) {
		t.Errorf("contacts saved: %+v, %v; want %v", cc, err, list.Emails)
	}
	if n := countRows(t, db, "audit_log"); n != 1 {
		t.Errorf("%d audit entries, want the settings change", n)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
