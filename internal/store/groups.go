package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/roster"
)

var _ account.GroupRepository = (*Store)(nil)

// userGroupNames selects, for the user u of the outer query, the names of
// their groups by name as a JSON array, read with namesScanner. A list,
// not a joined string, because a group name may contain a comma.
const userGroupNames = `(SELECT json_group_array(name) FROM (SELECT g.name FROM groups g
	JOIN group_members m ON m.group_id = g.id WHERE m.user_id = u.id ORDER BY g.name))`

// namesScanner scans a JSON array of strings (userGroupNames) into *N;
// an empty array gives nil.
type namesScanner struct{ N *[]string }

func (ns namesScanner) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case string:
		raw = []byte(v)
	case []byte:
		raw = v
	default:
		return fmt.Errorf("store: cannot scan %T into names", src)
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		return fmt.Errorf("store: bad list of names %q: %w", raw, err)
	}
	if len(names) == 0 {
		names = nil
	}
	*ns.N = names
	return nil
}

// ErrExists is returned, wrapped, when something with the same name exists.
// Its kind is apperr.Conflict.
var ErrExists = apperr.Sentinel(apperr.Conflict, "already exists",
	"Something with this name already exists, so nothing was changed. Choose another name.")

// CreateGroup creates a group and audit-logs it; a group with the same name
// (ignoring case) is ErrExists.
func (s *Store) CreateGroup(ctx context.Context, name string, kind account.GroupKind, actorID int64) (int64, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: create group %q: %w", name, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO groups (name, kind) VALUES (?, ?)`, name, string(kind))
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return 0, fmt.Errorf("store: create group %q: %w", name, ErrExists)
	}
	if err != nil {
		return 0, fmt.Errorf("store: create group %q: %w", name, err)
	}
	id, _ := res.LastInsertId()
	if err := audit(ctx, tx, s.now(), actorID, "group.create", fmt.Sprintf("group:%d", id), nil,
		map[string]string{"name": name, "kind": string(kind)}); err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// EnsureGroup returns the id of the group with the given name, creating it
// with kind if it does not exist.
func (s *Store) EnsureGroup(ctx context.Context, name string, kind account.GroupKind) (int64, error) {
	return ensureGroup(ctx, s.write, name, kind)
}

type queryRower interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func ensureGroup(ctx context.Context, q queryRower, name string, kind account.GroupKind) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO groups (name, kind) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET name = name RETURNING id`, name, string(kind)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: ensure group %q: %w", name, err)
	}
	return id, nil
}

// Groups returns every group with its number of members, by kind and name.
func (s *Store) Groups(ctx context.Context) ([]account.Group, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT g.id, g.name, g.kind, COUNT(m.user_id)
		FROM groups g LEFT JOIN group_members m ON m.group_id = g.id
		GROUP BY g.id ORDER BY CASE g.kind WHEN 'department' THEN 0 WHEN 'location' THEN 1 ELSE 2 END, g.name`)
	if err != nil {
		return nil, fmt.Errorf("store: groups: %w", err)
	}
	defer rows.Close()
	var out []account.Group
	for rows.Next() {
		var g account.Group
		if err := rows.Scan(&g.ID, &g.Name, &g.Kind, &g.Members); err != nil {
			return nil, fmt.Errorf("store: groups: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Group returns the group with the given id.
func (s *Store) Group(ctx context.Context, id int64) (account.Group, error) {
	g := account.Group{ID: id}
	err := s.read.QueryRowContext(ctx, `SELECT g.name, g.kind, (SELECT COUNT(*) FROM group_members WHERE group_id = g.id)
		FROM groups g WHERE g.id = ?`, id).Scan(&g.Name, &g.Kind, &g.Members)
	if errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("store: group %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return g, fmt.Errorf("store: group %d: %w", id, err)
	}
	return g, nil
}

// AddToGroup makes userID a member of groupID (being one already is fine)
// and gives them the group's assignments, due from today. actorID (0 for
// the portal itself) is recorded in the audit log.
func (s *Store) AddToGroup(ctx context.Context, groupID, userID int64, source string, actorID int64) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: add user %d to group %d: %w", userID, groupID, err)
	}
	defer tx.Rollback()
	now := s.now()
	var was sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT source FROM group_members WHERE group_id = ? AND user_id = ?`, groupID, userID).
		Scan(&was); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: add user %d to group %d: %w", userID, groupID, err)
	}
	if err := joinGroup(ctx, tx, now, groupID, userID, source); err != nil {
		return err
	}
	if was.Valid && (was.String == source || source == account.SourceIdP) {
		return tx.Commit() // nothing changed: nothing to log
	}
	var before any
	if was.Valid {
		before = map[string]any{"user": userID, "source": was.String}
	}
	if err := audit(ctx, tx, now, actorID, "group.add_member", fmt.Sprintf("group:%d", groupID), before,
		map[string]any{"user": userID, "source": source}); err != nil {
		return err
	}
	return tx.Commit()
}

// joinGroup adds a membership and, if it is new, creates the member's
// training tasks for every assignment the group has.
func joinGroup(ctx context.Context, tx *sql.Tx, now time.Time, groupID, userID int64, source string) error {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?)`,
		groupID, userID).Scan(&exists); err != nil {
		return fmt.Errorf("store: add user %d to group %d: %w", userID, groupID, err)
	}
	if exists {
		// A membership added by hand or by CSV outranks one from the
		// identity provider, so that the next sign-in does not undo it.
		if source != account.SourceIdP {
			if _, err := tx.ExecContext(ctx, `UPDATE group_members SET source = ? WHERE group_id = ? AND user_id = ? AND source = ?`,
				source, groupID, userID, account.SourceIdP); err != nil {
				return fmt.Errorf("store: add user %d to group %d: %w", userID, groupID, err)
			}
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id, source, joined_at) VALUES (?, ?, ?, ?)`,
		groupID, userID, source, timestamp(now)); err != nil {
		return fmt.Errorf("store: add user %d to group %d: %w", userID, groupID, err)
	}
	assignments, err := queryAssignments(ctx, tx, `WHERE a.group_id = ?`, groupID)
	if err != nil {
		return err
	}
	for _, a := range assignments {
		if err := createTasks(ctx, tx, now, a, userID, a.DueOnJoining(now)); err != nil {
			return err
		}
	}
	return nil
}

// setIdPGroups makes the user a member of exactly those existing groups
// whose names the identity provider sent, among memberships that came from
// the provider; groups joined by hand or by CSV are left alone.
func setIdPGroups(ctx context.Context, tx *sql.Tx, now time.Time, userID int64, names []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE user_id = ? AND source = ? AND group_id NOT IN
		(SELECT id FROM groups WHERE name IN (SELECT value FROM json_each(?)))`, userID, account.SourceIdP, jsonList(names)); err != nil {
		return fmt.Errorf("store: groups of user %d: %w", userID, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM groups WHERE name IN (SELECT value FROM json_each(?))`, jsonList(names))
	if err != nil {
		return fmt.Errorf("store: groups of user %d: %w", userID, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("store: groups of user %d: %w", userID, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := joinGroup(ctx, tx, now, id, userID, account.SourceIdP); err != nil {
			return err
		}
	}
	return nil
}

// GroupNames returns the names of the groups a user is in, by name.
func (s *Store) GroupNames(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT g.name FROM groups g JOIN group_members m ON m.group_id = g.id
		WHERE m.user_id = ? ORDER BY g.name`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: groups of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("store: groups of user %d: %w", userID, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ImportRoster creates or updates the people of a roster file (matched by
// email) and adds them to the groups it names, creating missing groups.
// It runs in one transaction: the whole file or nothing. New people can
// sign in later; their identity provider account is matched by email.
func (s *Store) ImportRoster(ctx context.Context, rows []roster.Row, actorID int64) (created, updated int, err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("store: import roster: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	for _, r := range rows {
		var userID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ?`, r.Email).Scan(&userID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			name := r.Name
			if name == "" {
				name, _, _ = strings.Cut(r.Email, "@")
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, department, created_at) VALUES (?, ?, ?, ?)`,
				r.Email, name, r.Department, timestamp(now))
			if err != nil {
				return 0, 0, fmt.Errorf("store: import line %d: %w", r.Line, err)
			}
			userID, _ = res.LastInsertId()
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role, source) VALUES (?, 'employee', 'idp')`, userID); err != nil {
				return 0, 0, fmt.Errorf("store: import line %d: %w", r.Line, err)
			}
			created++
		case err != nil:
			return 0, 0, fmt.Errorf("store: import line %d: %w", r.Line, err)
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE users SET name = CASE WHEN ? = '' THEN name ELSE ? END,
				department = CASE WHEN ? = '' THEN department ELSE ? END WHERE id = ?`,
				r.Name, r.Name, r.Department, r.Department, userID); err != nil {
				return 0, 0, fmt.Errorf("store: import line %d: %w", r.Line, err)
			}
			updated++
		}
		for _, g := range []struct {
			name string
			kind account.GroupKind
		}{{r.Department, account.Department}, {r.Location, account.Location}, {r.Team, account.Team}} {
			if g.name == "" {
				continue
			}
			groupID, err := ensureGroup(ctx, tx, g.name, g.kind)
			if err != nil {
				return 0, 0, err
			}
			if err := joinGroup(ctx, tx, now, groupID, userID, account.SourceCSV); err != nil {
				return 0, 0, err
			}
		}
	}
	if err := audit(ctx, tx, now, actorID, "roster.import", "", nil,
		map[string]int{"rows": len(rows), "created": created, "updated": updated}); err != nil {
		return 0, 0, err
	}
	return created, updated, tx.Commit()
}

// GroupMembers returns the members of a group, by name.
func (s *Store) GroupMembers(ctx context.Context, groupID int64) ([]account.Member, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT u.id, u.name, u.email, m.source, m.joined_at
		FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = ? ORDER BY u.name, u.id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("store: members of group %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []account.Member
	for rows.Next() {
		var m account.Member
		var joined string
		if err := rows.Scan(&m.UserID, &m.Name, &m.Email, &m.Source, &joined); err != nil {
			return nil, fmt.Errorf("store: members of group %d: %w", groupID, err)
		}
		if joined != "" {
			m.JoinedAt, _ = time.Parse(timeLayout, joined)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
