package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/training"
)

// Acknowledgement is the evidence that a user acknowledged one version of
// the code of conduct.
type Acknowledgement struct {
	UserID      int64
	Version     string
	ContentHash string
	ClientIP    string
	CreatedAt   time.Time
}

// Acknowledge records that a user acknowledged a version of the code of
// conduct. Acknowledging the same version again keeps the first record.
func (s *Store) Acknowledge(ctx context.Context, a Acknowledgement) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO acknowledgements (user_id, version, content_hash, client_ip, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, version) DO NOTHING`,
		a.UserID, a.Version, a.ContentHash, a.ClientIP, timestamp(s.now())); err != nil {
		return fmt.Errorf("store: acknowledge conduct %s for user %d: %w", a.Version, a.UserID, err)
	}
	return nil
}

// Acknowledgement returns the user's acknowledgement of a version.
func (s *Store) Acknowledgement(ctx context.Context, userID int64, version string) (Acknowledgement, error) {
	a := Acknowledgement{UserID: userID, Version: version}
	err := s.read.QueryRowContext(ctx, `SELECT content_hash, client_ip, created_at FROM acknowledgements
		WHERE user_id = ? AND version = ?`, userID, version).Scan(&a.ContentHash, &a.ClientIP, timeScanner{&a.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("store: acknowledgement of %s by user %d: %w", version, userID, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("store: acknowledgement of %s by user %d: %w", version, userID, err)
	}
	return a, nil
}

// Attempt is one submitted quiz attempt.
type Attempt struct {
	ID         int64
	UserID     int64
	ModuleID   string
	ModuleHash string
	Answers    map[string]string // question id to option id
	Correct    int
	Total      int
	Passed     bool
	CreatedAt  time.Time
}

// SaveAttempt stores a scored attempt and returns its id.
func (s *Store) SaveAttempt(ctx context.Context, a Attempt) (int64, error) {
	answers, err := json.Marshal(a.Answers)
	if err != nil {
		return 0, fmt.Errorf("store: save attempt: %w", err)
	}
	res, err := s.write.ExecContext(ctx, `INSERT INTO quiz_attempts
		(user_id, module_id, module_hash, answers, correct, total, passed, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.UserID, a.ModuleID, a.ModuleHash, string(answers), a.Correct, a.Total, a.Passed, timestamp(s.now()))
	if err != nil {
		return 0, fmt.Errorf("store: save attempt at %s for user %d: %w", a.ModuleID, a.UserID, err)
	}
	return res.LastInsertId()
}

// Attempt returns the attempt with the given id.
func (s *Store) Attempt(ctx context.Context, id int64) (Attempt, error) {
	a := Attempt{ID: id}
	var answers string
	err := s.read.QueryRowContext(ctx, `SELECT user_id, module_id, module_hash, answers, correct, total, passed, created_at
		FROM quiz_attempts WHERE id = ?`, id).Scan(&a.UserID, &a.ModuleID, &a.ModuleHash, &answers,
		&a.Correct, &a.Total, &a.Passed, timeScanner{&a.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("store: attempt %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("store: attempt %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
		return a, fmt.Errorf("store: attempt %d answers: %w", id, err)
	}
	return a, nil
}

// Progress returns what the user has done of their training: the latest
// conduct version they acknowledged among current, and the modules passed.
func (s *Store) Progress(ctx context.Context, userID int64, currentVersion string) (training.Progress, error) {
	p := training.Progress{Passed: map[string]bool{}}
	err := s.read.QueryRowContext(ctx, `SELECT version FROM acknowledgements WHERE user_id = ? AND version = ?`,
		userID, currentVersion).Scan(&p.AcknowledgedVersion)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: progress of user %d: %w", userID, err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT module_id FROM quiz_attempts WHERE user_id = ? AND passed = 1`, userID)
	if err != nil {
		return p, fmt.Errorf("store: progress of user %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return p, fmt.Errorf("store: progress of user %d: %w", userID, err)
		}
		p.Passed[id] = true
	}
	return p, rows.Err()
}
