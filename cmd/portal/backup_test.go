package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/store"
)

// TestBackupCommandRestores backs the database up while another goroutine
// writes to it, then opens the copy as the portal would after a restore.
func TestBackupCommandRestores(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "portal.db")
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 20 {
		if _, err := s.Provision(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: fmt.Sprintf("oidc:%d", i), Email: fmt.Sprintf("p%d@example.com", i),
			Name: fmt.Sprintf("Person %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Provision(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: fmt.Sprintf("oidc:w%d", i), Email: fmt.Sprintf("w%d@example.com", i),
				Name: "Writer"}); err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
		}
	})

	dest := filepath.Join(dir, "backup.db")
	var stdout, stderr bytes.Buffer
	code := backupCommand(ctx, []string{dest}, func(k string) string {
		if k == "PORTAL_DB" {
			return path
		}
		return ""
	}, &stdout, &stderr)
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "backed up "+path+" to "+dest+": ") || !strings.Contains(stdout.String(), "kB (") {
		t.Errorf("stdout %q", stdout.String())
	}

	restored, err := store.Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	u, err := restored.User(ctx, 20)
	if err != nil || u.Name != "Person 19" {
		t.Errorf("user 20 in the backup: %+v, %v", u, err)
	}
	if n, err := restored.CountUsers(ctx); err != nil || n < 20 {
		t.Errorf("backup holds %d users (%v), want at least 20", n, err)
	}

	// A second backup to the same file is refused and leaves it alone.
	before, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if code := backupCommand(ctx, []string{"-db", path, dest}, func(string) string { return "" }, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "already exists") {
		t.Errorf("backup over an existing file: exit %d, %q", code, stderr.String())
	}
	if after, err := os.ReadFile(dest); err != nil || !bytes.Equal(before, after) {
		t.Errorf("the existing backup was changed (error: %v)", err)
	}
}

func TestBackupCommandUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"a.db", "b.db"}, {"-nope", "x.db"}} {
		var stdout, stderr bytes.Buffer
		if code := backupCommand(context.Background(), args, func(string) string { return "" }, &stdout, &stderr); code != 2 ||
			!strings.Contains(stderr.String(), "usage: portal backup") && !strings.Contains(stderr.String(), "flag provided but not defined") {
			t.Errorf("%q: exit %d, %q", args, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	dir := t.TempDir()
	if code := backupCommand(context.Background(), []string{"-db", filepath.Join(dir, "missing.db"), filepath.Join(dir, "b.db")},
		func(string) string { return "" }, &stdout, &stderr); code != 1 {
		t.Errorf("missing database: exit %d, %q", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Errorf("the missing database was created")
	}
}
