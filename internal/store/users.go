package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/advocacy-portal/portal/internal/account"
)

// SignIn records a sign-in for the person the identity provider vouched for:
// it finds the user by subject, then by email, creates them if neither
// matches (just-in-time provisioning), refreshes their name and department,
// replaces the roles mapped from the provider, and makes sure every user
// holds the employee role. Roles granted by hand in the portal are kept.
func (s *Store) SignIn(ctx context.Context, id account.Identity) (account.User, error) {
	return s.upsertIdentity(ctx, id, true)
}

// Provision creates or updates a user as SignIn does, without recording a
// sign-in. Demo data and provisioning from a directory use it.
func (s *Store) Provision(ctx context.Context, id account.Identity) (account.User, error) {
	return s.upsertIdentity(ctx, id, false)
}

func (s *Store) upsertIdentity(ctx context.Context, id account.Identity, signIn bool) (account.User, error) {
	if id.Email == "" || id.Subject == "" {
		return account.User{}, fmt.Errorf("store: sign in: identity without email or subject")
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return account.User{}, fmt.Errorf("store: sign in %s: %w", id.Email, err)
	}
	defer tx.Rollback()

	now := timestamp(s.now())
	var lastLogin any
	if signIn {
		lastLogin = now
	}
	userID, err := findIdentity(ctx, tx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, subject, department, created_at, last_login_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id.Email, id.Name, id.Subject, id.Department, now, lastLogin)
		if err != nil {
			return account.User{}, fmt.Errorf("store: create user %s: %w", id.Email, err)
		}
		userID, _ = res.LastInsertId()
	case err != nil:
		return account.User{}, err
	default:
		if _, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, name = ?, subject = ?,
			department = CASE WHEN ? = '' THEN department ELSE ? END,
			last_login_at = COALESCE(?, last_login_at) WHERE id = ?`,
			id.Email, id.Name, id.Subject, id.Department, id.Department, lastLogin, userID); err != nil {
			return account.User{}, fmt.Errorf("store: update user %s: %w", id.Email, err)
		}
	}
	if err := setRoles(ctx, tx, userID, "idp", append([]account.Role{account.Employee}, id.Roles...)); err != nil {
		return account.User{}, err
	}
	if err := setIdPGroups(ctx, tx, s.now(), userID, id.Groups); err != nil {
		return account.User{}, err
	}
	if err := tx.Commit(); err != nil {
		return account.User{}, fmt.Errorf("store: sign in %s: %w", id.Email, err)
	}
	return s.User(ctx, userID)
}

func findIdentity(ctx context.Context, tx *sql.Tx, id account.Identity) (int64, error) {
	var userID int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE subject = ?`, id.Subject).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ?`, id.Email).Scan(&userID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: find user %s: %w", id.Email, err)
	}
	return userID, nil
}

// setRoles replaces the user's roles from one source.
func setRoles(ctx context.Context, tx *sql.Tx, userID int64, source string, roles []account.Role) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = ? AND source = ?`, userID, source); err != nil {
		return fmt.Errorf("store: clear roles of user %d: %w", userID, err)
	}
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO user_roles (user_id, role, source) VALUES (?, ?, ?)`,
			userID, string(r), source); err != nil {
			return fmt.Errorf("store: grant %s to user %d: %w", r, userID, err)
		}
	}
	return nil
}

const userColumns = `id, email, name, department, language, language_chosen, mastodon_instance, time_zone, active, created_at, last_login_at`

func scanUser(row interface{ Scan(...any) error }, u *account.User) error {
	return row.Scan(&u.ID, &u.Email, &u.Name, &u.Department, &u.Language, &u.LanguageChosen, &u.MastodonInstance, &u.TimeZone,
		&u.Active, timeScanner{&u.CreatedAt}, timeScanner{&u.LastLoginAt})
}

// User returns the user with the given id, with their roles.
func (s *Store) User(ctx context.Context, id int64) (account.User, error) {
	var u account.User
	err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("store: user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("store: user %d: %w", id, err)
	}
	if u.Roles, err = s.roles(ctx, id); err != nil {
		return u, err
	}
	return u, nil
}

func (s *Store) roles(ctx context.Context, userID int64) ([]account.Role, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT role FROM user_roles WHERE user_id = ?`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: roles of user %d: %w", userID, err)
	}
	defer rows.Close()
	var roles []account.Role
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("store: roles of user %d: %w", userID, err)
		}
		roles = append(roles, account.Role(r))
	}
	slices.SortFunc(roles, func(a, b account.Role) int {
		return slices.Index(account.Roles, a) - slices.Index(account.Roles, b)
	})
	return roles, rows.Err()
}

// CountUsers returns how many users exist; demo seeding runs only on an empty database.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// SetMastodonInstance remembers the host of the user's Mastodon server.
func (s *Store) SetMastodonInstance(ctx context.Context, userID int64, host string) error {
	host = strings.ToLower(strings.TrimSpace(host))
	if _, err := s.write.ExecContext(ctx, `UPDATE users SET mastodon_instance = ? WHERE id = ?`, host, userID); err != nil {
		return fmt.Errorf("store: set mastodon instance of user %d: %w", userID, err)
	}
	return nil
}

// SetLanguage records the language a user chose for the guidelines.
func (s *Store) SetLanguage(ctx context.Context, userID int64, lang string) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE users SET language = ?, language_chosen = 1 WHERE id = ?`, lang, userID); err != nil {
		return fmt.Errorf("store: set language of user %d: %w", userID, err)
	}
	return nil
}
