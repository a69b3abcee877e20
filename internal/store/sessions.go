package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/auth"
)

var _ auth.SessionRepository = (*Store)(nil)

// CreateSession stores a new session for userID. If replaceHash names an
// existing session it is deleted in the same transaction, which is how a
// sign-in rotates the session id.
func (s *Store) CreateSession(ctx context.Context, idHash, replaceHash string, userID int64, csrf string, expires time.Time) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	defer tx.Rollback()
	if replaceHash != "" {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, replaceHash); err != nil {
			return fmt.Errorf("store: rotate session: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, idHash, userID, csrf, timestamp(s.now()), timestamp(expires)); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return tx.Commit()
}

// SessionByHash returns the unexpired session with the given id hash and its
// user; an expired, unknown or deactivated user's session is ErrNotFound.
func (s *Store) SessionByHash(ctx context.Context, idHash string) (auth.Session, error) {
	var sess auth.Session
	sess.IDHash = idHash
	err := s.read.QueryRowContext(ctx, `SELECT s.user_id, s.csrf_token, s.created_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires_at > ? AND u.active = 1`, idHash, timestamp(s.now())).
		Scan(&sess.User.ID, &sess.CSRFToken, timeScanner{&sess.CreatedAt}, timeScanner{&sess.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		return sess, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return sess, fmt.Errorf("store: session: %w", err)
	}
	if sess.User, err = s.User(ctx, sess.User.ID); err != nil {
		return sess, err
	}
	return sess, nil
}

// DeleteSession ends a session. Deleting one that does not exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// SaveLoginState stores a sign-in in progress.
func (s *Store) SaveLoginState(ctx context.Context, ls auth.LoginState) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO login_states (state, provider, session_data, next_path, created_at)
		VALUES (?, ?, ?, ?, ?)`, ls.State, ls.Provider, ls.SessionData, ls.NextPath, timestamp(s.now())); err != nil {
		return fmt.Errorf("store: save login state: %w", err)
	}
	return nil
}

// TakeLoginState returns and deletes the sign-in in progress with the given
// state, so that a callback can be used once only. States older than maxAge
// are ErrNotFound, and every such stale state is removed on the way.
func (s *Store) TakeLoginState(ctx context.Context, state string, maxAge time.Duration) (auth.LoginState, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return auth.LoginState{}, fmt.Errorf("store: take login state: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_states WHERE created_at < ?`, timestamp(s.now().Add(-maxAge))); err != nil {
		return auth.LoginState{}, fmt.Errorf("store: expire login states: %w", err)
	}
	ls := auth.LoginState{State: state}
	err = tx.QueryRowContext(ctx, `DELETE FROM login_states WHERE state = ?
		RETURNING provider, session_data, next_path, created_at`, state).
		Scan(&ls.Provider, &ls.SessionData, &ls.NextPath, timeScanner{&ls.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		if err := tx.Commit(); err != nil { // keep the clean-up of stale states
			return ls, fmt.Errorf("store: take login state: %w", err)
		}
		return ls, fmt.Errorf("store: login state: %w", ErrNotFound)
	}
	if err != nil {
		return ls, fmt.Errorf("store: take login state: %w", err)
	}
	return ls, tx.Commit()
}
