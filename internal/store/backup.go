package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// Backup writes a consistent copy of the SQLite database at dbPath to
// dest and returns the copy's size in bytes. It runs VACUUM INTO through
// a read-only connection of its own, so it may run while a portal uses the
// database: the copy is the database as of one moment (a WAL snapshot),
// writers carry on meanwhile, and the copy is compacted and needs no -wal
// file. It refuses to overwrite dest, and checks the copy with
// quick_check before it reports success; a copy that fails is removed.
func Backup(ctx context.Context, dbPath, dest string) (int64, error) {
	fi, err := os.Stat(dbPath)
	if err != nil {
		return 0, fmt.Errorf("store: backup: database %w", err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("store: backup: database %s is not a file", dbPath)
	}
	if _, err := os.Lstat(dest); err == nil {
		return 0, fmt.Errorf("store: backup: %s already exists; choose a new file name", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	src, err := sql.Open("sqlite", readOnlyDSN(dbPath))
	if err != nil {
		return 0, fmt.Errorf("store: backup: open %s: %w", dbPath, err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		if !strings.Contains(err.Error(), "already exists") { // a file that appeared meanwhile is not ours
			os.Remove(dest) // what a failed VACUUM INTO may have left
		}
		return 0, fmt.Errorf("store: backup %s to %s: %w", dbPath, dest, err)
	}
	if err := quickCheck(ctx, dest); err != nil {
		os.Remove(dest)
		return 0, fmt.Errorf("store: backup: the copy failed its check and was removed: %w", err)
	}
	fi, err = os.Stat(dest)
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	return fi.Size(), nil
}

// readOnlyDSN opens path read-only: it is never created, and never written.
func readOnlyDSN(path string) string {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(5000)")
	return "file:" + path + "?" + q.Encode()
}

// quickCheck runs SQLite's quick_check on the database at path.
func quickCheck(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", readOnlyDSN(path))
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&result); err != nil {
		return err
	}
	if result != "ok" {
		return fmt.Errorf("quick_check: %s", result)
	}
	return nil
}
