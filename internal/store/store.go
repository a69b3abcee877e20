// Package store keeps the portal's data in SQLite.
//
// A Store holds two pools on one database file: a single write connection,
// so writers queue in Go instead of fighting over SQLite's lock, and a pool
// of read-only connections that WAL mode lets run beside the writer. A
// third connection checkpoints the write-ahead log in the background, so
// that no commit (the redirect path's least of all) waits for one.
// Methods are safe for concurrent use.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/job"
)

// ErrNotFound is returned, wrapped, when a row asked for does not exist.
// Its kind is apperr.NotFound.
var ErrNotFound = apperr.Sentinel(apperr.NotFound, "not found", "We could not find what you asked for.")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the portal's database. Create it with Open and release it with Close.
type Store struct {
	write *sql.DB
	read  *sql.DB
	now   func() time.Time

	checkpoints     *sql.DB       // one connection, for checkpointLoop
	stopCheckpoints chan struct{} // closed by Close
	checkpointsDone chan struct{} // closed when checkpointLoop returns

	clickRows multiRowInsert // the click writer's statement
	visitors  visitorFile    // see clicks.go

	mailQueued job.Waker // woken after each commit that queued mail; see MailQueued
}

// Option changes how Open sets up a Store.
type Option func(*Store)

// WithClock makes the store stamp rows with now instead of the wall clock.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// Open opens (creating if needed) the SQLite database at path and applies
// any migrations it has not seen yet.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	s := &Store{now: time.Now}
	for _, opt := range opts {
		opt(s)
	}
	var err error
	if s.write, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetConnMaxIdleTime(0)
	if s.read, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("store: open %s for reading: %w", path, err)
	}
	s.read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	if s.checkpoints, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		s.read.Close()
		s.write.Close()
		return nil, fmt.Errorf("store: open %s for checkpoints: %w", path, err)
	}
	s.checkpoints.SetMaxOpenConns(1)
	s.stopCheckpoints, s.checkpointsDone = make(chan struct{}), make(chan struct{})
	go s.checkpointLoop(checkpointInterval)
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.clickRows = multiRowInsert{head: `INSERT INTO clicks (link_id, created_at, kind, visitor_hash) VALUES `, row: `(?, ?, ?, ?)`, cols: 4}
	if err := s.clickRows.prepare(ctx, s.write); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: prepare: %w", path, err)
	}
	if err := s.openVisitors(ctx, path); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open the visitors file %s: %w", visitorPath(path), err)
	}
	return s, nil
}

// dsn builds the connection string: WAL, a busy timeout, foreign keys on,
// no checkpoints on commit (checkpointLoop does them) and a write-ahead log
// cut back to 64 MB after each reset, and write transactions that take the
// lock up front (BEGIN IMMEDIATE).
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "wal_autocheckpoint(0)")
	q.Add("_pragma", "journal_size_limit(67108864)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Close stops the checkpoints and closes the connections; the last one
// to close checkpoints what is left of the log.
func (s *Store) Close() error {
	close(s.stopCheckpoints)
	<-s.checkpointsDone
	var visitors error
	if s.visitors.db != nil {
		visitors = s.visitors.db.Close()
	}
	return errors.Join(s.checkpoints.Close(), s.read.Close(), s.write.Close(), visitors)
}

// checkpointInterval is how often checkpointLoop copies the write-ahead
// log into the database file.
const checkpointInterval = time.Second

// checkpointLoop checkpoints the write-ahead log every interval until
// Close. A passive checkpoint copies what no reader still needs and never
// blocks the writer; the writer starts the log afresh once all of it is
// copied. Done here rather than by SQLite on commit, a checkpoint (page
// copies and an fsync) never lengthens a commit, and pages written many
// times within an interval are copied once.
func (s *Store) checkpointLoop(interval time.Duration) {
	defer close(s.checkpointsDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stopCheckpoints:
			return
		case <-t.C:
			_ = s.checkpoint(context.Background()) // a failed checkpoint is retried on the next tick
		}
	}
}

// checkpoint copies the write-ahead log into the database file as far as
// readers allow, without blocking the writer (a passive checkpoint).
func (s *Store) checkpoint(ctx context.Context) error {
	if _, err := s.checkpoints.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	return nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// migrate applies, in name order, every embedded migration not yet recorded
// in schema_migrations, each in its own transaction.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: create migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.applyMigration(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, name string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	if n > 0 {
		return nil
	}
	body, err := migrationFiles.ReadFile(name)
	if err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
		name, timestamp(s.now())); err != nil {
		return fmt.Errorf("store: migration %s: %w", name, err)
	}
	return tx.Commit()
}

// timeLayout is fixed-width UTC, so that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000Z"

// timestamp formats t for storage.
func timestamp(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTimestamp formats t for storage, or NULL for the zero time.
func nullTimestamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return timestamp(t)
}

// timeScanner scans a timestamp column (NULL gives the zero time) into *T.
type timeScanner struct{ T *time.Time }

func (ts timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*ts.T = time.Time{}
		return nil
	case string:
		t, err := time.Parse(timeLayout, v)
		if err != nil {
			return fmt.Errorf("store: bad timestamp %q: %w", v, err)
		}
		*ts.T = t
		return nil
	case []byte:
		return ts.Scan(string(v))
	default:
		return fmt.Errorf("store: cannot scan %T into a time", src)
	}
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
