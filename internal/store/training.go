package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/advocacy-portal/portal/internal/training"
)

var _ training.Repository = (*Store)(nil)

// RegisterConductVersion records the code of conduct version the portal is
// running, the first time it sees it. A version seen before keeps its place
// in the history.
func (s *Store) RegisterConductVersion(ctx context.Context, version, hash string, material bool) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO conduct_versions (version, content_hash, material, first_seen)
		VALUES (?, ?, ?, ?) ON CONFLICT (version) DO NOTHING`, version, hash, material, timestamp(s.now())); err != nil {
		return fmt.Errorf("store: register conduct version %s: %w", version, err)
	}
	return nil
}

// ConductVersions returns every version of the code of conduct the portal
// has run with, oldest first.
func (s *Store) ConductVersions(ctx context.Context) ([]training.ConductVersion, error) {
	return conductVersions(ctx, s.read)
}

func conductVersions(ctx context.Context, q rowQuerier) ([]training.ConductVersion, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, version, material FROM conduct_versions ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("store: conduct versions: %w", err)
	}
	defer rows.Close()
	var out []training.ConductVersion
	for rows.Next() {
		var v training.ConductVersion
		if err := rows.Scan(&v.Seq, &v.Version, &v.Material); err != nil {
			return nil, fmt.Errorf("store: conduct versions: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Acknowledge records that a user acknowledged a version of the code of
// conduct. Acknowledging the same version again keeps the first record.
func (s *Store) Acknowledge(ctx context.Context, a training.Acknowledgement) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO acknowledgements (user_id, version, content_hash, client_ip, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, version) DO NOTHING`,
		a.UserID, a.Version, a.ContentHash, a.ClientIP, timestamp(s.now())); err != nil {
		return fmt.Errorf("store: acknowledge conduct %s for user %d: %w", a.Version, a.UserID, err)
	}
	return nil
}

// Acknowledgement returns the user's acknowledgement of a version.
func (s *Store) Acknowledgement(ctx context.Context, userID int64, version string) (training.Acknowledgement, error) {
	a := training.Acknowledgement{UserID: userID, Version: version}
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

const attemptColumns = `id, user_id, module_id, module_hash, language, questions, answers, correct, total, passed, created_at, submitted_at`

func scanAttempt(row interface{ Scan(...any) error }, a *training.Attempt) error {
	var questions, answers string
	if err := row.Scan(&a.ID, &a.UserID, &a.ModuleID, &a.ModuleHash, &a.Language, &questions, &answers,
		&a.Correct, &a.Total, &a.Passed, timeScanner{&a.CreatedAt}, timeScanner{&a.SubmittedAt}); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(questions), &a.Questions); err != nil {
		return fmt.Errorf("questions: %w", err)
	}
	if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
		return fmt.Errorf("answers: %w", err)
	}
	if a.Answers == nil {
		a.Answers = map[string]string{}
	}
	return nil
}

// StartAttempt starts an attempt with the questions as they will be
// presented, unless the user already has one in progress at the module, in
// which case it returns that one (started reports which).
func (s *Store) StartAttempt(ctx context.Context, a training.Attempt) (id int64, started bool, err error) {
	return s.startAttempt(ctx, a, nil)
}

// BeginAttempt is StartAttempt with allow, if not nil, deciding on the
// user's quiz history, read in the same transaction, whether a new attempt
// may start; its error is returned as is.
func (s *Store) BeginAttempt(ctx context.Context, a training.Attempt, allow func(training.History) error) (int64, error) {
	id, _, err := s.startAttempt(ctx, a, allow)
	return id, err
}

func (s *Store) startAttempt(ctx context.Context, a training.Attempt, allow func(training.History) error) (id int64, started bool, err error) {
	questions, err := json.Marshal(a.Questions)
	if err != nil {
		return 0, false, fmt.Errorf("store: start attempt: %w", err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("store: start attempt: %w", err)
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, `SELECT id FROM quiz_attempts WHERE user_id = ? AND module_id = ? AND submitted_at IS NULL`,
		a.UserID, a.ModuleID).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("store: start attempt: %w", err)
	}
	if allow != nil {
		h, err := quizHistory(ctx, tx, a.UserID, a.ModuleID)
		if err != nil {
			return 0, false, err
		}
		if err := allow(h); err != nil {
			return 0, false, err
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO quiz_attempts
		(user_id, module_id, module_hash, language, questions, answers, correct, total, passed, created_at)
		VALUES (?, ?, ?, ?, ?, '{}', 0, ?, 0, ?)`,
		a.UserID, a.ModuleID, a.ModuleHash, a.Language, string(questions), len(a.Questions), timestamp(s.now()))
	if err != nil {
		return 0, false, fmt.Errorf("store: start attempt at %s for user %d: %w", a.ModuleID, a.UserID, err)
	}
	id, err = res.LastInsertId()
	if err != nil {
		return 0, false, fmt.Errorf("store: start attempt: %w", err)
	}
	return id, true, tx.Commit()
}

// Attempt returns the attempt with the given id.
func (s *Store) Attempt(ctx context.Context, id int64) (training.Attempt, error) {
	var a training.Attempt
	err := scanAttempt(s.read.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM quiz_attempts WHERE id = ?`, id), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("store: attempt %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("store: attempt %d: %w", id, err)
	}
	return a, nil
}

// OpenAttempt returns the user's attempt in progress at a module.
func (s *Store) OpenAttempt(ctx context.Context, userID int64, moduleID string) (training.Attempt, error) {
	var a training.Attempt
	err := scanAttempt(s.read.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM quiz_attempts
		WHERE user_id = ? AND module_id = ? AND submitted_at IS NULL`, userID, moduleID), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("store: open attempt at %s: %w", moduleID, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("store: open attempt at %s: %w", moduleID, err)
	}
	return a, nil
}

// SaveAnswer records an answer in an attempt in progress; an attempt
// already submitted is training.ErrSubmitted. training.CheckAnswer
// validates the answer against the attempt's questions before anything is
// written.
// When every question is answered, score is called with the attempt and
// its result is stored, submitting the attempt, in the same transaction.
func (s *Store) SaveAnswer(ctx context.Context, id int64, questionID, optionID string,
	score func(training.Attempt) (training.Result, error)) (training.Attempt, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return training.Attempt{}, fmt.Errorf("store: answer attempt %d: %w", id, err)
	}
	defer tx.Rollback()
	var a training.Attempt
	err = scanAttempt(tx.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM quiz_attempts WHERE id = ?`, id), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("store: attempt %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("store: attempt %d: %w", id, err)
	}
	if a.Submitted() {
		return a, training.ErrSubmitted
	}
	if err := training.CheckAnswer(a.Questions, questionID, optionID); err != nil {
		return a, err
	}
	a.Answers[questionID] = optionID
	answers, _ := json.Marshal(a.Answers)
	if _, err := tx.ExecContext(ctx, `UPDATE quiz_attempts SET answers = ? WHERE id = ?`, string(answers), id); err != nil {
		return a, fmt.Errorf("store: answer attempt %d: %w", id, err)
	}
	if training.NextQuestion(a.Questions, a.Answers) == len(a.Questions) {
		r, err := score(a)
		if err != nil {
			return a, err
		}
		a.Correct, a.Total, a.Passed, a.SubmittedAt = r.Correct, r.Total, r.Passed, s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE quiz_attempts SET correct = ?, total = ?, passed = ?, submitted_at = ? WHERE id = ?`,
			a.Correct, a.Total, a.Passed, timestamp(a.SubmittedAt), id); err != nil {
			return a, fmt.Errorf("store: submit attempt %d: %w", id, err)
		}
	}
	return a, tx.Commit()
}

// QuizHistory returns what the user has done at a module's quiz; attempts
// before HR's latest reset do not count towards the maximum.
func (s *Store) QuizHistory(ctx context.Context, userID int64, moduleID string) (training.History, error) {
	return quizHistory(ctx, s.read, userID, moduleID)
}

func quizHistory(ctx context.Context, q rowQuerier, userID int64, moduleID string) (training.History, error) {
	var h training.History
	var inProgress int
	err := q.QueryRowContext(ctx, `SELECT
			COALESCE(MAX(passed), 0),
			COUNT(submitted_at) FILTER (WHERE submitted_at > COALESCE(
				(SELECT MAX(reset_at) FROM quiz_resets r WHERE r.user_id = a.user_id AND r.module_id = a.module_id), '')),
			MAX(submitted_at),
			COUNT(*) FILTER (WHERE submitted_at IS NULL)
		FROM quiz_attempts a WHERE user_id = ? AND module_id = ?`, userID, moduleID).
		Scan(&h.Passed, &h.Submitted, timeScanner{&h.LastSubmitted}, &inProgress)
	if err != nil {
		return h, fmt.Errorf("store: quiz history of user %d at %s: %w", userID, moduleID, err)
	}
	h.InProgress = inProgress > 0
	return h, nil
}

// ResetAttempts lets a user start over at a module's quiz: attempts so far
// stop counting towards the maximum, and an attempt in progress is
// discarded. The reset is audit-logged.
func (s *Store) ResetAttempts(ctx context.Context, userID int64, moduleID string, actorID int64) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: reset attempts: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	var used int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_attempts WHERE user_id = ? AND module_id = ? AND submitted_at IS NOT NULL
		AND submitted_at > COALESCE((SELECT MAX(reset_at) FROM quiz_resets WHERE user_id = ? AND module_id = ?), '')`,
		userID, moduleID, userID, moduleID).Scan(&used); err != nil {
		return fmt.Errorf("store: reset attempts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM quiz_attempts WHERE user_id = ? AND module_id = ? AND submitted_at IS NULL`,
		userID, moduleID); err != nil {
		return fmt.Errorf("store: reset attempts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO quiz_resets (user_id, module_id, reset_at, reset_by) VALUES (?, ?, ?, ?)`,
		userID, moduleID, timestamp(now), actorID); err != nil {
		return fmt.Errorf("store: reset attempts: %w", err)
	}
	if err := audit(ctx, tx, now, actorID, "training.reset_attempts", fmt.Sprintf("user:%d module:%s", userID, moduleID),
		map[string]int{"attempts_counted": used}, map[string]int{"attempts_counted": 0}); err != nil {
		return err
	}
	return tx.Commit()
}

// RequiredModules returns the module ids admins chose to unlock sharing;
// chosen is false if they never chose (training.Guidelines.Programme).
func (s *Store) RequiredModules(ctx context.Context) (ids []string, chosen bool, err error) {
	chosen, err = setting(ctx, s.read, SettingRequiredModules, &ids)
	return ids, chosen, err
}

// SetRequiredModules stores the admins' choice of the modules that unlock
// sharing and audit-logs the change with the old value.
func (s *Store) SetRequiredModules(ctx context.Context, ids []string, actorID int64) error {
	return s.SetSetting(ctx, SettingRequiredModules, ids, actorID)
}

// Progress returns what the user has done of their training: every
// version of the code of conduct they acknowledged and the modules passed.
func (s *Store) Progress(ctx context.Context, userID int64) (training.Progress, error) {
	return progress(ctx, s.read, userID)
}

func progress(ctx context.Context, q rowQuerier, userID int64) (training.Progress, error) {
	p := training.Progress{Passed: map[string]bool{}}
	rows, err := q.QueryContext(ctx, `SELECT version FROM acknowledgements WHERE user_id = ?`, userID)
	if err != nil {
		return p, fmt.Errorf("store: progress of user %d: %w", userID, err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return p, fmt.Errorf("store: progress of user %d: %w", userID, err)
		}
		p.Acknowledged = append(p.Acknowledged, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("store: progress of user %d: %w", userID, err)
	}
	rows, err = q.QueryContext(ctx, `SELECT DISTINCT module_id FROM quiz_attempts WHERE user_id = ? AND passed = 1`, userID)
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
