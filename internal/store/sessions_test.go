package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestSessions(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	created := c.Now()
	expires := created.Add(time.Hour)

	if err := s.CreateSession(ctx, "hash-1", "", u.ID, "csrf-1", expires); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	sess, err := s.SessionByHash(ctx, "hash-1")
	if err != nil {
		t.Fatalf("SessionByHash: %v", err)
	}
	if sess.IDHash != "hash-1" || sess.User.ID != u.ID || sess.User.Email != "sam@example.com" || sess.CSRFToken != "csrf-1" ||
		!sess.CreatedAt.Equal(created) || !sess.ExpiresAt.Equal(expires) {
		t.Errorf("session = %+v, want hash-1 of user %d with csrf-1, created %v, expiring %v", sess, u.ID, created, expires)
	}
	if len(sess.User.Roles) == 0 {
		t.Errorf("session user has no roles loaded")
	}

	tests := []struct {
		name      string
		advance   time.Duration
		hash      string
		wantFound bool
	}{
		{"unknown hash", 0, "hash-x", false},
		{"just before expiry", 59 * time.Minute, "hash-1", true},
		{"at expiry", time.Minute, "hash-1", false},
		{"after expiry", time.Minute, "hash-1", false},
	}
	for _, tt := range tests {
		runStep(t, tt.name, func(t *testing.T) {
			c.Advance(tt.advance)
			_, err := s.SessionByHash(ctx, tt.hash)
			if tt.wantFound && err != nil {
				t.Errorf("SessionByHash(%s) at %v: %v, want found", tt.hash, c.Now(), err)
			}
			if !tt.wantFound && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SessionByHash(%s) at %v error = %v, want ErrNotFound", tt.hash, c.Now(), err)
			}
		})
	}
}

func TestSessionRotationAndDelete(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	expires := time.Now().Add(time.Hour)

	if err := s.CreateSession(ctx, "old", "", u.ID, "csrf-old", expires); err != nil {
		t.Fatalf("CreateSession old: %v", err)
	}
	if err := s.CreateSession(ctx, "other", "", u.ID, "csrf-other", expires); err != nil {
		t.Fatalf("CreateSession other: %v", err)
	}
	if err := s.CreateSession(ctx, "new", "old", u.ID, "csrf-new", expires); err != nil {
		t.Fatalf("CreateSession new replacing old: %v", err)
	}
	check := func(hash string, wantFound bool) {
		t.Helper()
		_, err := s.SessionByHash(ctx, hash)
		switch {
		case wantFound && err != nil:
			t.Errorf("SessionByHash(%s): %v, want found", hash, err)
		case !wantFound && !errors.Is(err, store.ErrNotFound):
			t.Errorf("SessionByHash(%s) error = %v, want ErrNotFound", hash, err)
		}
	}
	check("old", false)
	check("new", true)
	check("other", true)

	if err := s.DeleteSession(ctx, "new"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	check("new", false)
	check("other", true)
	if err := s.DeleteSession(ctx, "never-existed"); err != nil {
		t.Errorf("DeleteSession of an unknown session: %v, want nil", err)
	}
}

func TestSessionDuplicateHashRefused(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	expires := time.Now().Add(time.Hour)
	if err := s.CreateSession(ctx, "h", "", u.ID, "a", expires); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, "h", "", u.ID, "b", expires); err == nil {
		t.Errorf("CreateSession with a hash in use succeeded, want an error")
	}
	sess, err := s.SessionByHash(ctx, "h")
	if err != nil || sess.CSRFToken != "a" {
		t.Errorf("session = %+v, %v; want the first one kept", sess, err)
	}
}

func TestTakeLoginState(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	const maxAge = 10 * time.Minute
	want := auth.LoginState{State: "st-1", Provider: "demo", SessionData: `{"AuthURL":"x"}`, NextPath: "/training", CreatedAt: c.Now()}
	if err := s.SaveLoginState(ctx, want); err != nil {
		t.Fatalf("SaveLoginState: %v", err)
	}

	got, err := s.TakeLoginState(ctx, "st-1", maxAge)
	if err != nil {
		t.Fatalf("TakeLoginState: %v", err)
	}
	if got != want {
		t.Errorf("TakeLoginState = %+v, want %+v", got, want)
	}
	if _, err := s.TakeLoginState(ctx, "st-1", maxAge); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second TakeLoginState error = %v, want ErrNotFound (one-time)", err)
	}
}

func TestTakeLoginStateExpiry(t *testing.T) {
	tests := []struct {
		name      string
		age       time.Duration
		wantFound bool
	}{
		{"fresh", 0, true},
		{"exactly max age", 10 * time.Minute, true},
		{"older than max age", 10*time.Minute + time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			s := mustOpenStore(t, store.WithClock(c.Now))
			if err := s.SaveLoginState(ctx, auth.LoginState{State: "st", Provider: "demo", NextPath: "/"}); err != nil {
				t.Fatalf("SaveLoginState: %v", err)
			}
			c.Advance(tt.age)
			_, err := s.TakeLoginState(ctx, "st", 10*time.Minute)
			if tt.wantFound && err != nil {
				t.Errorf("TakeLoginState after %v: %v, want found", tt.age, err)
			}
			if !tt.wantFound && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("TakeLoginState after %v error = %v, want ErrNotFound", tt.age, err)
			}
		})
	}
}

// TestTakeLoginStateRemovesStaleStates checks the documented promise that
// every stale state is removed on the way, also when the state asked for
// is not found.
func TestTakeLoginStateRemovesStaleStates(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	if err := s.SaveLoginState(ctx, auth.LoginState{State: "abandoned", Provider: "demo", NextPath: "/"}); err != nil {
		t.Fatalf("SaveLoginState: %v", err)
	}
	c.Advance(time.Hour)
	if _, err := s.TakeLoginState(ctx, "unknown", 10*time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("TakeLoginState(unknown) error = %v, want ErrNotFound", err)
	}
	// The abandoned state is an hour old: the call above must have removed it,
	// so even a generous max age no longer finds it.
	if ls, err := s.TakeLoginState(ctx, "abandoned", 24*time.Hour); err == nil {
		t.Errorf("stale state %q survived a TakeLoginState that found nothing (its DELETE was rolled back)", ls.State)
	}
}
