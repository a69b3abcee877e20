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

// SignIn records a sign-in for the person the identity provider vouched
// for. account.BindingFor decides which account that is: the one bound to
// (issuer, subject); else one a directory created with the same verified
// email, which is then bound; else a new one (just-in-time provisioning)
// if the email is verified. It refreshes the name and department, replaces
// the roles mapped from the provider, and makes sure every user holds the
// employee role; roles granted by hand in the portal are kept.
//
// It returns account.ErrEmailUnverified, or an *account.TakenError when the
// email belongs to an account bound to another identity; then nothing is
// changed but an audit entry ("signin.refused") that names both.
func (s *Store) SignIn(ctx context.Context, id account.Identity) (account.User, error) {
	return s.upsertIdentity(ctx, id, true)
}

// Provision creates or updates a user as SignIn does, without recording a
// sign-in. Demo data and provisioning from a directory use it: the caller
// vouches for the email address, so it counts as verified.
func (s *Store) Provision(ctx context.Context, id account.Identity) (account.User, error) {
	id.EmailVerified = true
	return s.upsertIdentity(ctx, id, false)
}

func (s *Store) upsertIdentity(ctx context.Context, id account.Identity, signIn bool) (account.User, error) {
	if id.Email == "" || id.Subject == "" || id.Issuer == "" {
		return account.User{}, fmt.Errorf("store: sign in: identity without issuer, subject or email")
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
	userID, err := boundAccount(ctx, tx, id, now)
	if err != nil {
		return account.User{}, err
	}
	holder, err := emailHolder(ctx, tx, id.Email, userID)
	if err != nil {
		return account.User{}, err
	}
	binding, err := account.BindingFor(id, userID != 0, holder)
	var taken *account.TakenError
	if errors.As(err, &taken) {
		// Nothing changes, but admins must be able to see the attempt.
		if err := audit(ctx, tx, s.now(), 0, "signin.refused", fmt.Sprintf("user:%d", taken.UserID), nil,
			map[string]string{"reason": "email belongs to an account bound to another identity",
				"issuer": id.Issuer, "subject": id.Subject, "email": id.Email}); err != nil {
			return account.User{}, err
		}
		if err := tx.Commit(); err != nil {
			return account.User{}, fmt.Errorf("store: sign in %s: %w", id.Email, err)
		}
		return account.User{}, fmt.Errorf("store: sign in %s: %w", id.Email, err)
	}
	if err != nil {
		return account.User{}, fmt.Errorf("store: sign in %s: %w", id.Email, err)
	}
	switch binding {
	case account.CreateAccount:
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, department, created_at, last_login_at)
			VALUES (?, ?, ?, ?, ?)`, id.Email, id.Name, id.Department, now, lastLogin)
		if err != nil {
			return account.User{}, fmt.Errorf("store: create user %s: %w", id.Email, err)
		}
		if userID, err = res.LastInsertId(); err != nil {
			return account.User{}, fmt.Errorf("store: create user %s: %w", id.Email, err)
		}
		if err := bindIdentity(ctx, tx, id, userID, now); err != nil {
			return account.User{}, err
		}
	case account.LinkByEmail:
		userID = holder.UserID
		if err := bindIdentity(ctx, tx, id, userID, now); err != nil {
			return account.User{}, err
		}
		fallthrough
	case account.SignInBound:
		var current string
		if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = ?`, userID).Scan(&current); err != nil {
			return account.User{}, fmt.Errorf("store: sign in %s: %w", id.Email, err)
		}
		email := account.EmailAfterSignIn(id, current, holder != nil && holder.UserID != userID)
		if _, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, name = ?,
			department = CASE WHEN ? = '' THEN department ELSE ? END,
			last_login_at = COALESCE(?, last_login_at) WHERE id = ?`,
			email, id.Name, id.Department, id.Department, lastLogin, userID); err != nil {
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

// boundAccount returns the account bound to id, or 0. An account bound
// under id's legacy subject (from before issuers were kept) is moved to
// (issuer, subject) on the way, but only when the provider verified the
// email and it is the account's: a legacy subject names no issuer, so
// another provider's (or a new issuer's) subject of the same spelling must
// not claim it.
func boundAccount(ctx context.Context, tx *sql.Tx, id account.Identity, now string) (int64, error) {
	var userID int64
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM identities WHERE issuer = ? AND subject = ?`,
		id.Issuer, id.Subject).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) && id.LegacySubject != "" && id.EmailVerified {
		err = tx.QueryRowContext(ctx, `UPDATE identities SET issuer = ?, subject = ?, created_at = ?
			WHERE issuer = 'legacy' AND subject = ?
			AND user_id IN (SELECT id FROM users WHERE email = ? COLLATE NOCASE) RETURNING user_id`,
			id.Issuer, id.Subject, now, id.LegacySubject, id.Email).Scan(&userID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: find identity of %s: %w", id.Email, err)
	}
	return userID, nil
}

// emailHolder returns the account other than except that has email, and
// whether it is bound to an identity; nil if there is none.
func emailHolder(ctx context.Context, tx *sql.Tx, email string, except int64) (*account.EmailHolder, error) {
	var h account.EmailHolder
	err := tx.QueryRowContext(ctx, `SELECT u.id, EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id)
		FROM users u WHERE u.email = ? COLLATE NOCASE AND u.id <> ? ORDER BY u.id LIMIT 1`, email, except).Scan(&h.UserID, &h.Bound)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: find user %s: %w", email, err)
	}
	return &h, nil
}

func bindIdentity(ctx context.Context, tx *sql.Tx, id account.Identity, userID int64, now string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)`,
		id.Issuer, id.Subject, userID, now); err != nil {
		return fmt.Errorf("store: bind identity to user %d: %w", userID, err)
	}
	return nil
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
	return setMastodonInstance(ctx, s.write, userID, host)
}

func setMastodonInstance(ctx context.Context, ex execer, userID int64, host string) error {
	host = strings.ToLower(strings.TrimSpace(host))
	if _, err := ex.ExecContext(ctx, `UPDATE users SET mastodon_instance = ? WHERE id = ?`, host, userID); err != nil {
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

// UserIdentity returns the identity the account is bound to; ok is false
// for an account no one has signed in to (a directory's) or one whose
// identity an admin forgot.
func (s *Store) UserIdentity(ctx context.Context, userID int64) (issuer, subject string, ok bool, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT issuer, subject FROM identities WHERE user_id = ?`, userID).Scan(&issuer, &subject)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("store: identity of user %d: %w", userID, err)
	}
	return issuer, subject, true, nil
}

// ForgetIdentity unbinds the account from its identity, for a person whose
// account at the identity provider was replaced (a new subject) or a portal
// moved to another provider: their next sign-in with a verified email
// address links the account again (account.BindingFor). Their sessions
// end. It is audit-logged with the identity forgotten. It reports false,
// writing nothing, if the account has none; an unknown user is
// ErrNotFound.
func (s *Store) ForgetIdentity(ctx context.Context, userID, actorID int64) (bool, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: forget identity of user %d: %w", userID, err)
	}
	defer tx.Rollback()
	if _, err := userActive(ctx, tx, userID); err != nil {
		return false, err
	}
	var issuer, subject string
	err = tx.QueryRowContext(ctx, `DELETE FROM identities WHERE user_id = ? RETURNING issuer, subject`, userID).Scan(&issuer, &subject)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: forget identity of user %d: %w", userID, err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return false, fmt.Errorf("store: end sessions of user %d: %w", userID, err)
	}
	ended, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: end sessions of user %d: %w", userID, err)
	}
	if err := audit(ctx, tx, s.now(), actorID, "user.identity.forget", fmt.Sprintf("user:%d", userID),
		map[string]string{"issuer": issuer, "subject": subject}, map[string]int64{"sessions_ended": ended}); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: forget identity of user %d: %w", userID, err)
	}
	return true, nil
}
