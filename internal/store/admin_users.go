package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
)

var _ account.DirectoryRepository = (*Store)(nil)

// ListUsers returns the users matching f, by name, and how many match in
// all (ignoring Limit and Offset).
func (s *Store) ListUsers(ctx context.Context, f account.UserFilter) ([]account.UserRow, int, error) {
	var where []string
	var args []any
	if q := strings.TrimSpace(f.Q); q != "" {
		like := containsPattern(q)
		where, args = append(where, `(lower(u.name) LIKE ? ESCAPE '\' OR lower(u.email) LIKE ? ESCAPE '\')`), append(args, like, like)
	}
	if f.Role != "" {
		where = append(where, `EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)`)
		args = append(args, string(f.Role))
	}
	if f.GroupID != 0 {
		where = append(where, `EXISTS (SELECT 1 FROM group_members m WHERE m.user_id = u.id AND m.group_id = ?)`)
		args = append(args, f.GroupID)
	}
	switch f.Status {
	case account.StatusActive:
		where = append(where, `u.active = 1`)
	case account.StatusDeactivated:
		where = append(where, `u.active = 0`)
	case "":
	default:
		return nil, 0, fmt.Errorf("store: list users: unknown status %q", f.Status)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.read.QueryContext(ctx, `SELECT u.id, u.email, u.name, u.department, u.language, u.language_chosen,
			u.mastodon_instance, u.time_zone, u.active, u.created_at, u.last_login_at,
			COALESCE((SELECT GROUP_CONCAT(role, ',') FROM (SELECT DISTINCT role FROM user_roles WHERE user_id = u.id)), ''),
			`+userGroupNames+`
		FROM users u`+cond+` ORDER BY u.name COLLATE NOCASE, u.id LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var out []account.UserRow
	for rows.Next() {
		var r account.UserRow
		var roles string
		u := &r.User
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.Department, &u.Language, &u.LanguageChosen, &u.MastodonInstance,
			&u.TimeZone, &u.Active, timeScanner{&u.CreatedAt}, timeScanner{&u.LastLoginAt}, &roles, namesScanner{&r.Groups}); err != nil {
			return nil, 0, fmt.Errorf("store: list users: %w", err)
		}
		u.Roles = account.SortRoles(splitRoles(roles))
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// UserRoleGrants returns the user's roles by source, each in the portal's
// order of roles.
func (s *Store) UserRoleGrants(ctx context.Context, userID int64) (account.RoleGrants, error) {
	return roleGrants(ctx, s.read, userID)
}

type queryer interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

func roleGrants(ctx context.Context, q queryer, userID int64) (account.RoleGrants, error) {
	var g account.RoleGrants
	rows, err := q.QueryContext(ctx, `SELECT role, source FROM user_roles WHERE user_id = ?`, userID)
	if err != nil {
		return g, fmt.Errorf("store: roles of user %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var role, source string
		if err := rows.Scan(&role, &source); err != nil {
			return g, fmt.Errorf("store: roles of user %d: %w", userID, err)
		}
		if source == account.SourceManual {
			g.Manual = append(g.Manual, account.Role(role))
		} else {
			g.IdP = append(g.IdP, account.Role(role))
		}
	}
	g.IdP, g.Manual = account.SortRoles(g.IdP), account.SortRoles(g.Manual)
	return g, rows.Err()
}

// roleChange is what the audit log keeps before and after a role change.
type roleChange struct {
	Manual []account.Role `json:"manual"`
	Roles  []account.Role `json:"roles"` // from every source
}

// ChangeManualRoles implements account.DirectoryRepository: in one
// transaction, it reads the user's role grants, asks decide, and if
// decide changes them replaces the roles granted by hand with the ones it
// returns, leaving those mapped from the identity provider alone, and
// audit-logs the change ("user.roles") with the roles before and after. A
// refusal or no change writes nothing; an unknown user is ErrNotFound.
func (s *Store) ChangeManualRoles(ctx context.Context, userID, actorID int64,
	decide func(account.RoleGrants) ([]account.Role, bool, error)) (bool, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: set roles of user %d: %w", userID, err)
	}
	defer tx.Rollback()
	if _, err := userActive(ctx, tx, userID); err != nil {
		return false, err
	}
	before, err := roleGrants(ctx, tx, userID)
	if err != nil {
		return false, err
	}
	manual, change, err := decide(before)
	if err != nil || !change {
		return false, err
	}
	after := account.RoleGrants{IdP: before.IdP, Manual: manual}
	if err := setRoles(ctx, tx, userID, account.SourceManual, manual); err != nil {
		return false, err
	}
	if err := audit(ctx, tx, s.now(), actorID, "user.roles", fmt.Sprintf("user:%d", userID),
		roleChange{Manual: nonNil(before.Manual), Roles: nonNil(before.All())},
		roleChange{Manual: nonNil(manual), Roles: nonNil(after.All())}); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: set roles of user %d: %w", userID, err)
	}
	return true, nil
}

// ChangeActive implements account.DirectoryRepository: in one
// transaction, it reads whether the user is active, asks check, and unless
// check refuses deactivates (active false) or reactivates the user and
// audit-logs it ("user.deactivate" or "user.reactivate"). Deactivation
// ends every session of the user at once; their history (training,
// shares, acknowledgements, the audit log) stays. An unknown user is
// ErrNotFound.
func (s *Store) ChangeActive(ctx context.Context, userID, actorID int64, active bool, check func(wasActive bool) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: set user %d active: %w", userID, err)
	}
	defer tx.Rollback()
	was, err := userActive(ctx, tx, userID)
	if err != nil {
		return err
	}
	if err := check(was); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET active = ? WHERE id = ?`, active, userID); err != nil {
		return fmt.Errorf("store: set user %d active: %w", userID, err)
	}
	action, after := "user.reactivate", map[string]any{"active": active}
	if !active {
		action = "user.deactivate"
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		if err != nil {
			return fmt.Errorf("store: end sessions of user %d: %w", userID, err)
		}
		n, _ := res.RowsAffected()
		after["sessions_ended"] = n
	}
	if err := audit(ctx, tx, s.now(), actorID, action, fmt.Sprintf("user:%d", userID),
		map[string]any{"active": was}, after); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: set user %d active: %w", userID, err)
	}
	return nil
}

// userActive returns whether the user is active, or ErrNotFound.
func userActive(ctx context.Context, tx *sql.Tx, userID int64) (bool, error) {
	var active bool
	err := tx.QueryRowContext(ctx, `SELECT active FROM users WHERE id = ?`, userID).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("store: user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("store: user %d: %w", userID, err)
	}
	return active, nil
}

// ShareCounts returns how many shares the user made in all, and how many
// since the given time.
func (s *Store) ShareCounts(ctx context.Context, userID int64, since time.Time) (total, recent int, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE sh.created_at >= ?)
		FROM shares sh JOIN links l ON l.id = sh.link_id WHERE l.user_id = ?`, timestamp(since), userID).Scan(&total, &recent)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count shares of user %d: %w", userID, err)
	}
	return total, recent, nil
}

// SessionCount returns how many unexpired sessions the user has.
func (s *Store) SessionCount(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = ? AND expires_at > ?`,
		userID, timestamp(s.now())).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count sessions of user %d: %w", userID, err)
	}
	return n, nil
}

// containsPattern is a LIKE pattern (with ESCAPE '\') matching text that
// contains q, lowercased.
func containsPattern(q string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
}

func splitRoles(s string) []account.Role {
	var out []account.Role
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			out = append(out, account.Role(r))
		}
	}
	return out
}

// nonNil is roles, or an empty list, so that JSON shows [] rather than null.
func nonNil(roles []account.Role) []account.Role {
	if roles == nil {
		return []account.Role{}
	}
	return roles
}
