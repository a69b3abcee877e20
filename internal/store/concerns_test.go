package store_test

import (
	"context"
	"errors"
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

	id, err := s.CreateConcern(ctx, concern.Concern{ReporterID: reporter.ID, Kind: "journalist", Description: "A call", Urgent: true}, nil,
		func(id int64) []mail.Mail {
			return []mail.Mail{{To: comms.Email, Subject: "Urgent", Kind: "concern"}}
		})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Concern(ctx, id+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown concern: got %v, want ErrNotFound", err)
	}
	if mails, err := s.Outbox(ctx, 0); err != nil || len(mails) != 1 || mails[0].To != comms.Email {
		t.Errorf("outbox = %+v, want one mail to %s (error: %v)", mails, comms.Email, err)
	}
	if err := s.AssignConcern(ctx, id, comms.ID, comms.ID, comms.Name); err != nil {
		t.Fatal(err)
	}
	if err := s.CommentOnConcern(ctx, id, comms.ID, "On it"); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseConcern(ctx, id, comms.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseConcern(ctx, id+100, comms.ID, ""); !errors.Is(err, store.ErrNotFound) {
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
	png := store.Image{ContentType: "image/png", Data: []byte("\x89PNG fake"), Width: 1, Height: 1}
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
