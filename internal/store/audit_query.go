package store

import (
	"context"
	"fmt"
	"strings"

	auditlog "github.com/advocacy-portal/portal/internal/audit"
)

var _ auditlog.Repository = (*Store)(nil)

// auditWhere is the WHERE clause, with its arguments, of the entries f
// matches ("" for all).
func auditWhere(f auditlog.Filter) (string, []any) {
	var where []string
	var args []any
	if q := strings.TrimSpace(f.Actor); q != "" {
		like := containsPattern(q)
		where, args = append(where, `(lower(u.name) LIKE ? ESCAPE '\' OR lower(u.email) LIKE ? ESCAPE '\')`), append(args, like, like)
	}
	if f.Action != "" {
		where, args = append(where, `a.action = ?`), append(args, f.Action)
	}
	if q := strings.TrimSpace(f.Target); q != "" {
		where, args = append(where, `lower(a.target) LIKE ? ESCAPE '\'`), append(args, containsPattern(q))
	}
	if !f.From.IsZero() {
		where, args = append(where, `a.at >= ?`), append(args, timestamp(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, `a.at < ?`), append(args, timestamp(f.To))
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

const auditFrom = ` FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id`

// SearchAudit returns the entries matching f, newest first, and how many
// match in all (ignoring Limit and Offset).
func (s *Store) SearchAudit(ctx context.Context, f auditlog.Filter) ([]auditlog.Record, int, error) {
	cond, args := auditWhere(f)
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*)`+auditFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count audit log: %w", err)
	}
	var out []auditlog.Record
	err := s.EachAudit(ctx, f, func(r auditlog.Record) error {
		out = append(out, r)
		return nil
	})
	return out, total, err
}

// EachAudit calls fn with every entry matching f, newest first, reading
// them from the database as it goes; an error from fn stops it and is
// returned. Use it to export a large log without holding it in memory.
func (s *Store) EachAudit(ctx context.Context, f auditlog.Filter, fn func(auditlog.Record) error) error {
	cond, args := auditWhere(f)
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.read.QueryContext(ctx, `SELECT a.id, a.at, COALESCE(a.actor_id, 0), COALESCE(u.name, ''), COALESCE(u.email, ''),
		a.action, a.target, a.before, a.after`+auditFrom+cond+` ORDER BY a.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r auditlog.Record
		if err := rows.Scan(&r.ID, timeScanner{&r.At}, &r.ActorID, &r.ActorName, &r.ActorEmail,
			&r.Action, &r.Target, &r.Before, &r.After); err != nil {
			return fmt.Errorf("store: audit log: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: audit log: %w", err)
	}
	return nil
}

// AuditActions returns the distinct actions in the audit log, sorted, for
// the filter's select.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
	if err != nil {
		return nil, fmt.Errorf("store: audit actions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("store: audit actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
