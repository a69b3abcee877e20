package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/training"
)

// The store keeps HR's assignments and reports for the training service.
var _ training.HRRepository = (*Store)(nil)

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// CreateAssignment stores an assignment that passes a.Check and gives its
// tasks to the person, or to every current member of the group, due at
// a.DueAt (later members get theirs in joinGroup). It is audit-logged.
// Reminders follow from the tasks.
func (s *Store) CreateAssignment(ctx context.Context, a training.Assignment, actorID int64) (int64, error) {
	if err := a.Check(); err != nil {
		return 0, fmt.Errorf("store: create assignment: %w", err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: create assignment: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO assignments (modules, programme, group_id, user_id, due_at, due_days, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, jsonList(a.Modules), a.Programme, nullID(a.GroupID), nullID(a.UserID),
		timestamp(a.DueAt), a.DueDays, actorID, timestamp(now))
	if err != nil {
		return 0, fmt.Errorf("store: create assignment: %w", err)
	}
	a.ID, _ = res.LastInsertId()
	members := []int64{a.UserID}
	target := fmt.Sprintf("user:%d", a.UserID)
	if a.GroupID != 0 {
		target = fmt.Sprintf("group:%d", a.GroupID)
		if members, err = groupMembers(ctx, tx, a.GroupID); err != nil {
			return 0, err
		}
	}
	for _, userID := range members {
		if err := createTasks(ctx, tx, now, a, userID, a.DueAt); err != nil {
			return 0, err
		}
	}
	if err := audit(ctx, tx, now, actorID, "training.assign", target, nil, map[string]any{
		"assignment": a.ID, "modules": a.Modules, "programme": a.Programme, "due_at": timestamp(a.DueAt),
		"due_days": a.DueDays, "people": len(members)}); err != nil {
		return 0, err
	}
	return a.ID, tx.Commit()
}

func groupMembers(ctx context.Context, tx *sql.Tx, groupID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT user_id FROM group_members WHERE group_id = ?`, groupID)
	if err != nil {
		return nil, fmt.Errorf("store: members of group %d: %w", groupID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: members of group %d: %w", groupID, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func createTasks(ctx context.Context, tx *sql.Tx, now time.Time, a training.Assignment, userID int64, due time.Time) error {
	for _, m := range a.Modules {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO training_tasks (assignment_id, user_id, module_id, assigned_at, due_at)
			VALUES (?, ?, ?, ?, ?)`, a.ID, userID, m, timestamp(now), timestamp(due)); err != nil {
			return fmt.Errorf("store: assign %s to user %d: %w", m, userID, err)
		}
	}
	return nil
}

type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

func queryAssignments(ctx context.Context, q querier, where string, args ...any) ([]training.Assignment, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.modules, a.programme, COALESCE(a.group_id, 0), COALESCE(a.user_id, 0),
			COALESCE(g.name, u.name, ''), a.due_at, a.due_days, a.created_by, a.created_at,
			(SELECT COUNT(DISTINCT t.user_id) FROM training_tasks t WHERE t.assignment_id = a.id)
		FROM assignments a LEFT JOIN groups g ON g.id = a.group_id LEFT JOIN users u ON u.id = a.user_id `+where+`
		ORDER BY a.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: assignments: %w", err)
	}
	defer rows.Close()
	var out []training.Assignment
	for rows.Next() {
		var a training.Assignment
		var modules string
		if err := rows.Scan(&a.ID, &modules, &a.Programme, &a.GroupID, &a.UserID, &a.Target, timeScanner{&a.DueAt},
			&a.DueDays, &a.CreatedBy, timeScanner{&a.CreatedAt}, &a.People); err != nil {
			return nil, fmt.Errorf("store: assignments: %w", err)
		}
		if err := json.Unmarshal([]byte(modules), &a.Modules); err != nil {
			return nil, fmt.Errorf("store: assignment %d modules: %w", a.ID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Assignments returns every assignment, newest first.
func (s *Store) Assignments(ctx context.Context) ([]training.Assignment, error) {
	return queryAssignments(ctx, s.read, "")
}

// OpenTasks returns the tasks of active people who have not passed the
// module yet, for reminders.
func (s *Store) OpenTasks(ctx context.Context) ([]training.Task, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT t.user_id, u.name, u.email, u.language, t.module_id, MIN(t.assigned_at), MIN(t.due_at)
		FROM training_tasks t JOIN users u ON u.id = t.user_id
		WHERE u.active = 1 AND NOT EXISTS (SELECT 1 FROM quiz_attempts q WHERE q.user_id = t.user_id AND q.module_id = t.module_id AND q.passed = 1)
		GROUP BY t.user_id, t.module_id ORDER BY MIN(t.due_at)`)
	if err != nil {
		return nil, fmt.Errorf("store: open tasks: %w", err)
	}
	defer rows.Close()
	var out []training.Task
	for rows.Next() {
		var t training.Task
		if err := rows.Scan(&t.UserID, &t.Name, &t.Email, &t.Language, &t.ModuleID, timeScanner{&t.AssignedAt}, timeScanner{&t.DueAt}); err != nil {
			return nil, fmt.Errorf("store: open tasks: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ExtendDue moves the due date of a person's tasks at a module to due, and
// audit-logs the old and new dates. A person without such a task is ErrNotFound.
func (s *Store) ExtendDue(ctx context.Context, userID int64, moduleID string, due time.Time, actorID int64) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: extend due date: %w", err)
	}
	defer tx.Rollback()
	var old sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT MIN(due_at) FROM training_tasks WHERE user_id = ? AND module_id = ?`,
		userID, moduleID).Scan(&old); err != nil {
		return fmt.Errorf("store: extend due date: %w", err)
	}
	if !old.Valid {
		return fmt.Errorf("store: no %s task for user %d: %w", moduleID, userID, ErrNotFound)
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, `UPDATE training_tasks SET due_at = ? WHERE user_id = ? AND module_id = ?`,
		timestamp(due), userID, moduleID); err != nil {
		return fmt.Errorf("store: extend due date: %w", err)
	}
	if err := audit(ctx, tx, now, actorID, "training.extend", fmt.Sprintf("user:%d module:%s", userID, moduleID),
		map[string]string{"due_at": old.String}, map[string]string{"due_at": timestamp(due)}); err != nil {
		return err
	}
	return tx.Commit()
}

// TrainingReport returns a row per person and assigned module, by name.
func (s *Store) TrainingReport(ctx context.Context) ([]training.ReportRow, error) {
	rows, err := s.read.QueryContext(ctx, `WITH tasks AS (
			SELECT user_id, module_id, MIN(assigned_at) AS assigned_at, MIN(due_at) AS due_at
			FROM training_tasks GROUP BY user_id, module_id),
		attempts AS (
			SELECT q.user_id, q.module_id,
				MAX(q.passed) AS passed,
				COUNT(q.submitted_at) AS attempts,
				COUNT(q.submitted_at) FILTER (WHERE q.submitted_at > COALESCE(
					(SELECT MAX(r.reset_at) FROM quiz_resets r WHERE r.user_id = q.user_id AND r.module_id = q.module_id), '')) AS counted,
				MAX(q.submitted_at) AS last_submitted,
				COUNT(*) FILTER (WHERE q.submitted_at IS NULL) AS open,
				MAX(CASE WHEN q.total > 0 THEN q.correct * 100 / q.total ELSE 0 END) FILTER (WHERE q.submitted_at IS NOT NULL) AS best,
				MIN(q.submitted_at) FILTER (WHERE q.passed = 1) AS passed_at
			FROM quiz_attempts q GROUP BY q.user_id, q.module_id)
		SELECT u.id, u.name, u.email,
			`+userGroupNames+`,
			t.module_id, t.assigned_at, t.due_at,
			COALESCE(a.passed, 0), COALESCE(a.counted, 0), a.last_submitted, COALESCE(a.open, 0),
			COALESCE(a.attempts, 0), COALESCE(a.best, 0), a.passed_at,
			COALESCE((SELECT q.module_hash FROM quiz_attempts q WHERE q.user_id = u.id AND q.module_id = t.module_id AND q.passed = 1
				ORDER BY q.submitted_at LIMIT 1), ''),
			COALESCE(ack.version, ''), COALESCE(ack.content_hash, ''), ack.created_at
		FROM tasks t
		JOIN users u ON u.id = t.user_id
		LEFT JOIN attempts a ON a.user_id = t.user_id AND a.module_id = t.module_id
		LEFT JOIN acknowledgements ack ON ack.id = (SELECT id FROM acknowledgements WHERE user_id = u.id ORDER BY created_at DESC, id DESC LIMIT 1)
		ORDER BY u.name, u.id, t.module_id`)
	if err != nil {
		return nil, fmt.Errorf("store: training report: %w", err)
	}
	defer rows.Close()
	var out []training.ReportRow
	for rows.Next() {
		var r training.ReportRow
		var open int
		if err := rows.Scan(&r.UserID, &r.Name, &r.Email, namesScanner{&r.Groups}, &r.ModuleID, timeScanner{&r.AssignedAt}, timeScanner{&r.DueAt},
			&r.History.Passed, &r.History.Submitted, timeScanner{&r.History.LastSubmitted}, &open,
			&r.Attempts, &r.BestPercent, timeScanner{&r.PassedAt}, &r.PassedHash,
			&r.AckVersion, &r.AckHash, timeScanner{&r.AckAt}); err != nil {
			return nil, fmt.Errorf("store: training report: %w", err)
		}
		r.History.InProgress = open > 0
		out = append(out, r)
	}
	return out, rows.Err()
}

// UserByEmail returns the id of the user with the given email address.
func (s *Store) UserByEmail(ctx context.Context, email string) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ?`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: user %s: %w", email, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: user %s: %w", email, err)
	}
	return id, nil
}

// DueDates returns, per module assigned to the user, the earliest due date.
func (s *Store) DueDates(ctx context.Context, userID int64) (map[string]time.Time, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT module_id, MIN(due_at) FROM training_tasks WHERE user_id = ? GROUP BY module_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: due dates of user %d: %w", userID, err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var due time.Time
		if err := rows.Scan(&id, timeScanner{&due}); err != nil {
			return nil, fmt.Errorf("store: due dates of user %d: %w", userID, err)
		}
		out[id] = due
	}
	return out, rows.Err()
}

// UnsentReminders returns those of items not yet sent to the user.
func (s *Store) UnsentReminders(ctx context.Context, userID int64, items []training.ReminderItem) ([]training.ReminderItem, error) {
	var out []training.ReminderItem
	for _, it := range items {
		var n int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM training_reminders WHERE user_id = ? AND module_id = ? AND key = ?`,
			userID, it.ModuleID, it.Key).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: reminders of user %d: %w", userID, err)
		}
		if n == 0 {
			out = append(out, it)
		}
	}
	return out, nil
}

// QueueReminder puts one mail about items in the outbox and records the
// items as sent, in one transaction. If another instance recorded any of
// them first, nothing is queued and it returns false.
func (s *Store) QueueReminder(ctx context.Context, userID int64, items []training.ReminderItem, m mail.Mail) (bool, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: queue reminder: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	for _, it := range items {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO training_reminders (user_id, module_id, key, sent_at) VALUES (?, ?, ?, ?)`,
			userID, it.ModuleID, it.Key, timestamp(now))
		if err != nil {
			return false, fmt.Errorf("store: queue reminder: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, nil
		}
	}
	if _, err := enqueueMail(ctx, tx, now, m); err != nil {
		return false, err
	}
	return true, s.commitMail(tx)
}
