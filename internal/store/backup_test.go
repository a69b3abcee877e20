package store_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "portal.db")
	s := mustOpenStoreAt(t, path)
	for i := range 50 {
		mustSignIn(t, s, fmt.Sprintf("oidc:%d", i), fmt.Sprintf("person%d@example.com", i))
	}
	links := mustSeedLinks(t, s, 3)

	// Another goroutine keeps writing while the backup runs.
	stop := make(chan struct{})
	var written atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Provision(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: fmt.Sprintf("oidc:w%d", i),
				Email: fmt.Sprintf("writer%d@example.com", i), Name: "Writer"}); err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
			if err := recordClick(ctx, s, links[i%3].ID, time.Now()); err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
			written.Add(1)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); written.Load() < 5 && time.Now().Before(deadline); {
		runtime.Gosched()
	}
	dest := filepath.Join(dir, "backup.db")
	size, err := store.Backup(ctx, path, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if fi, err := os.Stat(dest); err != nil || fi.Size() != size || size == 0 {
		t.Fatalf("backup file: %v, size %d reported %d", err, fi.Size(), size)
	}

	restored := mustOpenStoreAt(t, dest)
	n, err := restored.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n < 50+4 || n > 50+4+int(written.Load()) { // 4: the seed author and links' people
		t.Errorf("backup has %d users; want between %d and %d", n, 54, 54+written.Load())
	}
	if _, err := restored.User(ctx, 1); err != nil {
		t.Errorf("read the backup: %v", err)
	}
	users, err := restored.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clicks, err := restored.RawClickCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Users and clicks are written in turn, so a consistent copy holds as
	// many writer users as clicks, or one more.
	if w := int64(users - 54); clicks.Clicks != w && clicks.Clicks != w-1 {
		t.Errorf("backup has %d writer users and %d clicks: not one moment's state", w, clicks.Clicks)
	}
}

func TestBackupRefusesToOverwriteOrCreate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "portal.db")
	mustOpenStoreAt(t, path)
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Backup(ctx, path, existing); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("Backup over an existing file: %v, want a refusal", err)
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "keep me" {
		t.Errorf("the existing file was changed (error: %v)", err)
	}
	missing := filepath.Join(dir, "missing.db")
	if _, err := store.Backup(ctx, missing, filepath.Join(dir, "copy.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Backup of a missing database: %v, want not exist", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Backup created the missing database")
	}
}
