package store_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/store"
)

func TestAcknowledgeKeepsFirstRecord(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	first := c.Now()

	if err := s.Acknowledge(ctx, store.Acknowledgement{UserID: u.ID, Version: "2026.1", ContentHash: "h1", ClientIP: "10.0.0.1"}); err != nil {
		t.Fatalf("Acknowledge: %v", err)
	}
	c.Advance(24 * time.Hour)
	if err := s.Acknowledge(ctx, store.Acknowledgement{UserID: u.ID, Version: "2026.1", ContentHash: "h2", ClientIP: "10.0.0.2"}); err != nil {
		t.Fatalf("second Acknowledge: %v", err)
	}
	a, err := s.Acknowledgement(ctx, u.ID, "2026.1")
	if err != nil {
		t.Fatalf("Acknowledgement: %v", err)
	}
	want := store.Acknowledgement{UserID: u.ID, Version: "2026.1", ContentHash: "h1", ClientIP: "10.0.0.1", CreatedAt: first}
	if a != want {
		t.Errorf("Acknowledgement = %+v, want the first %+v", a, want)
	}
	if _, err := s.Acknowledgement(ctx, u.ID, "2027.1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Acknowledgement of an unacknowledged version error = %v, want ErrNotFound", err)
	}
}

func TestProgress(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	other := mustSignIn(t, s, "oidc:2", "noor@example.com")

	steps := []struct {
		name        string
		do          func() error
		version     string
		wantVersion string
		wantPassed  map[string]bool
	}{
		{"nothing done", func() error { return nil }, "2", "", map[string]bool{}},
		{"old version acknowledged", func() error {
			return s.Acknowledge(ctx, store.Acknowledgement{UserID: u.ID, Version: "1", ContentHash: "h", ClientIP: "ip"})
		}, "2", "", map[string]bool{}},
		{"current version acknowledged", func() error {
			return s.Acknowledge(ctx, store.Acknowledgement{UserID: u.ID, Version: "2", ContentHash: "h", ClientIP: "ip"})
		}, "2", "2", map[string]bool{}},
		{"failed attempt", func() error {
			_, err := s.SaveAttempt(ctx, store.Attempt{UserID: u.ID, ModuleID: "disclosure", ModuleHash: "m", Correct: 1, Total: 4})
			return err
		}, "2", "2", map[string]bool{}},
		{"someone else passes", func() error {
			_, err := s.SaveAttempt(ctx, store.Attempt{UserID: other.ID, ModuleID: "privacy", ModuleHash: "m", Correct: 4, Total: 4, Passed: true})
			return err
		}, "2", "2", map[string]bool{}},
		{"passed attempt", func() error {
			_, err := s.SaveAttempt(ctx, store.Attempt{UserID: u.ID, ModuleID: "disclosure", ModuleHash: "m", Correct: 4, Total: 4, Passed: true})
			return err
		}, "2", "2", map[string]bool{"disclosure": true}},
		{"passed twice, failed later", func() error {
			for _, passed := range []bool{true, false} {
				if _, err := s.SaveAttempt(ctx, store.Attempt{UserID: u.ID, ModuleID: "disclosure", ModuleHash: "m", Total: 4, Passed: passed}); err != nil {
					return err
				}
			}
			return nil
		}, "2", "2", map[string]bool{"disclosure": true}},
		{"a newer version is out", func() error { return nil }, "3", "", map[string]bool{"disclosure": true}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := st.do(); err != nil {
				t.Fatalf("step: %v", err)
			}
			p, err := s.Progress(ctx, u.ID, st.version)
			if err != nil {
				t.Fatalf("Progress: %v", err)
			}
			if p.AcknowledgedVersion != st.wantVersion || !maps.Equal(p.Passed, st.wantPassed) {
				t.Errorf("Progress = %q %v, want %q %v", p.AcknowledgedVersion, p.Passed, st.wantVersion, st.wantPassed)
			}
		})
	}
}

func TestAttemptRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")

	in := store.Attempt{UserID: u.ID, ModuleID: "disclosure", ModuleHash: "abc123",
		Answers: map[string]string{"q1": "a", "q2": "c"}, Correct: 1, Total: 2, Passed: false}
	id, err := s.SaveAttempt(ctx, in)
	if err != nil {
		t.Fatalf("SaveAttempt: %v", err)
	}
	got, err := s.Attempt(ctx, id)
	if err != nil {
		t.Fatalf("Attempt: %v", err)
	}
	want := in
	want.ID = id
	want.CreatedAt = c.Now()
	if got.ID != want.ID || got.UserID != want.UserID || got.ModuleID != want.ModuleID || got.ModuleHash != want.ModuleHash ||
		got.Correct != want.Correct || got.Total != want.Total || got.Passed != want.Passed ||
		!got.CreatedAt.Equal(want.CreatedAt) || !maps.Equal(got.Answers, want.Answers) {
		t.Errorf("Attempt = %+v, want %+v", got, want)
	}

	passed, err := s.SaveAttempt(ctx, store.Attempt{UserID: u.ID, ModuleID: "disclosure", Answers: map[string]string{}, Correct: 2, Total: 2, Passed: true})
	if err != nil {
		t.Fatalf("SaveAttempt passed: %v", err)
	}
	if passed == id {
		t.Errorf("two attempts got the same id %d", id)
	}
	if a, err := s.Attempt(ctx, passed); err != nil || !a.Passed {
		t.Errorf("Attempt(%d) = %+v, %v; want passed", passed, a, err)
	}
	if _, err := s.Attempt(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Attempt(9999) error = %v, want ErrNotFound", err)
	}
}
