package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/store"
)

// mustOpenStore opens a store on a new SQLite database in a temporary
// directory and closes it when the test ends.
func mustOpenStore(tb testing.TB, opts ...store.Option) *store.Store {
	tb.Helper()
	return mustOpenStoreAt(tb, filepath.Join(tb.TempDir(), "portal.db"), opts...)
}

// mustOpenStoreAt opens the store at path and closes it when the test ends.
func mustOpenStoreAt(tb testing.TB, path string, opts ...store.Option) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), path, opts...)
	if err != nil {
		tb.Fatalf("open store %s: %v", path, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

func newClock() *clocktest.Clock { return clocktest.New(time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)) }

// mustSignIn signs in a person with the given subject and email.
func mustSignIn(tb testing.TB, s *store.Store, subject, email string, roles ...account.Role) account.User {
	tb.Helper()
	u, err := s.SignIn(context.Background(), account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: subject, Email: email, Name: "Name of " + subject, Roles: roles})
	if err != nil {
		tb.Fatalf("SignIn %s: %v", email, err)
	}
	return u
}

func TestOpenTwiceAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "portal.db")

	first, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	u := mustSignIn(t, first, "oidc:1", "sam@example.com")
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	second := mustOpenStoreAt(t, path)
	if err := second.Ping(ctx); err != nil {
		t.Fatalf("Ping after reopening: %v", err)
	}
	got, err := second.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User after reopening: %v", err)
	}
	if got.Email != "sam@example.com" {
		t.Errorf("User after reopening = %+v, want sam@example.com", got)
	}

	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("list migrations: %v, %d files", err, len(files))
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	defer db.Close()
	var rows, distinct int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT name) FROM schema_migrations`).Scan(&rows, &distinct); err != nil {
		t.Fatalf("count migrations: %v", err)
	}
	if rows != len(files) || distinct != len(files) {
		t.Errorf("schema_migrations has %d rows (%d distinct), want %d", rows, distinct, len(files))
	}
}

func TestOpenBadPath(t *testing.T) {
	_, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "no-such-dir", "portal.db"))
	if err == nil {
		t.Errorf("Open in a missing directory succeeded, want an error")
	}
}
