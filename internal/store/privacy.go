package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/advocacy-portal/portal/internal/privacy"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/training"
)

// PersonalData collects, in one read transaction so the parts agree, what
// the portal keeps about userID. An unknown user is ErrNotFound.
func (s *Store) PersonalData(ctx context.Context, userID int64) (privacy.PersonalData, error) {
	var d privacy.PersonalData
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return d, fmt.Errorf("store: personal data of user %d: %w", userID, err)
	}
	defer tx.Rollback()
	for _, part := range []func(context.Context, *sql.Tx, int64, *privacy.PersonalData) error{
		personalUser, personalRoles, personalGroups, personalTraining, personalShares, personalLinks,
	} {
		if err := part(ctx, tx, userID, &d); err != nil {
			if errors.Is(err, ErrNotFound) {
				return d, fmt.Errorf("store: personal data of user %d: %w", userID, ErrNotFound)
			}
			return d, fmt.Errorf("store: personal data of user %d: %w", userID, err)
		}
	}
	return d, nil
}

func personalUser(ctx context.Context, tx *sql.Tx, userID int64, d *privacy.PersonalData) error {
	var subject sql.NullString
	var issuer sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT `+userColumns+`,
		(SELECT issuer FROM identities WHERE user_id = users.id), (SELECT subject FROM identities WHERE user_id = users.id), external_id, given_name, family_name, digest, leaderboard_opt_out
		FROM users WHERE id = ?`, userID).
		Scan(&d.User.ID, &d.User.Email, &d.User.Name, &d.User.Department, &d.User.Language, &d.User.LanguageChosen,
			&d.User.MastodonInstance, &d.User.TimeZone, &d.User.Active, timeScanner{&d.User.CreatedAt}, timeScanner{&d.User.LastLoginAt},
			&issuer, &subject, &d.ExternalID, &d.GivenName, &d.FamilyName, &d.Profile.Digest, &d.Profile.LeaderboardOptOut)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("user: %w", err)
	}
	d.Issuer, d.Subject = issuer.String, subject.String
	d.Profile.MastodonInstance, d.Profile.Language, d.Profile.TimeZone = d.User.MastodonInstance, d.User.Language, d.User.TimeZone
	d.Profile.Followers = map[string]int{}
	rows, err := tx.QueryContext(ctx, `SELECT network, followers FROM user_networks WHERE user_id = ? ORDER BY network`, userID)
	if err != nil {
		return fmt.Errorf("followers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var network string
		var n int
		if err := rows.Scan(&network, &n); err != nil {
			return fmt.Errorf("followers: %w", err)
		}
		d.Profile.Followers[network] = n
	}
	return rows.Err()
}

func personalRoles(ctx context.Context, tx *sql.Tx, userID int64, d *privacy.PersonalData) error {
	rows, err := tx.QueryContext(ctx, `SELECT role, source FROM user_roles WHERE user_id = ?
		ORDER BY CASE role WHEN 'employee' THEN 0 WHEN 'hr' THEN 1 WHEN 'comms' THEN 2 ELSE 3 END, source`, userID)
	if err != nil {
		return fmt.Errorf("roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r privacy.PersonalRole
		if err := rows.Scan(&r.Role, &r.Source); err != nil {
			return fmt.Errorf("roles: %w", err)
		}
		d.Roles = append(d.Roles, r)
		if !d.User.Has(r.Role) {
			d.User.Roles = append(d.User.Roles, r.Role)
		}
	}
	return rows.Err()
}

func personalGroups(ctx context.Context, tx *sql.Tx, userID int64, d *privacy.PersonalData) error {
	rows, err := tx.QueryContext(ctx, `SELECT g.name, g.kind, m.source, m.joined_at
		FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ? ORDER BY g.name`, userID)
	if err != nil {
		return fmt.Errorf("groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g privacy.PersonalGroup
		var joined string
		if err := rows.Scan(&g.Name, &g.Kind, &g.Source, &joined); err != nil {
			return fmt.Errorf("groups: %w", err)
		}
		if joined != "" { // memberships from before joined_at was kept have none
			if err := (timeScanner{&g.JoinedAt}).Scan(joined); err != nil {
				return fmt.Errorf("groups: %w", err)
			}
		}
		d.Groups = append(d.Groups, g)
	}
	return rows.Err()
}

func personalTraining(ctx context.Context, tx *sql.Tx, userID int64, d *privacy.PersonalData) error {
	rows, err := tx.QueryContext(ctx, `SELECT version, content_hash, client_ip, created_at FROM acknowledgements
		WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return fmt.Errorf("acknowledgements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a := training.Acknowledgement{UserID: userID}
		if err := rows.Scan(&a.Version, &a.ContentHash, &a.ClientIP, timeScanner{&a.CreatedAt}); err != nil {
			return fmt.Errorf("acknowledgements: %w", err)
		}
		d.Acknowledgements = append(d.Acknowledgements, a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("acknowledgements: %w", err)
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT module_id, module_hash, language, correct, total, passed, created_at, submitted_at
		FROM quiz_attempts WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return fmt.Errorf("attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a privacy.PersonalAttempt
		if err := rows.Scan(&a.ModuleID, &a.ModuleHash, &a.Language, &a.Correct, &a.Total, &a.Passed,
			timeScanner{&a.StartedAt}, timeScanner{&a.SubmittedAt}); err != nil {
			return fmt.Errorf("attempts: %w", err)
		}
		d.Attempts = append(d.Attempts, a)
	}
	return rows.Err()
}

func personalShares(ctx context.Context, tx *sql.Tx, userID int64, d *privacy.PersonalData) error {
	rows, err := tx.QueryContext(ctx, `SELECT sh.id, p.id, p.title, l.network, l.code, sh.followers, sh.created_at, sh.confirmed_at
		FROM shares sh JOIN links l ON l.id = sh.link_id JOIN posts p ON p.id = l.post_id
		WHERE l.user_id = ? ORDER BY sh.id DESC`, userID)
	if err != nil {
		return fmt.Errorf("shares: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r share.HistoryItem
		if err := rows.Scan(&r.ID, &r.PostID, &r.PostTitle, &r.Network, &r.Code, &r.Followers,
			timeScanner{&r.At}, timeScanner{&r.ConfirmedAt}); err != nil {
			return fmt.Errorf("shares: %w", err)
		}
		d.Shares = append(d.Shares, r)
	}
	return rows.Err()
}

func personalLinks(ctx context.Context, tx *sql.Tx, userID int64, d *privacy.PersonalData) error {
	rows, err := tx.QueryContext(ctx, `SELECT l.code, p.id, p.title, l.network, l.created_at,
			(SELECT COUNT(*) FROM shares sh WHERE sh.link_id = l.id),
			COALESCE(SUM(r.clicks), 0), COALESCE(SUM(r.visitors), 0)
		FROM links l JOIN posts p ON p.id = l.post_id LEFT JOIN click_rollups r ON r.link_id = l.id
		WHERE l.user_id = ? GROUP BY l.id ORDER BY l.id`, userID)
	if err != nil {
		return fmt.Errorf("reach: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r reach.LinkTotals
		if err := rows.Scan(&r.Code, &r.PostID, &r.PostTitle, &r.Network, timeScanner{&r.CreatedAt}, &r.Shares,
			&r.Clicks, &r.Visitors); err != nil {
			return fmt.Errorf("reach: %w", err)
		}
		d.Links = append(d.Links, r)
	}
	return rows.Err()
}

var _ privacy.Repository = (*Store)(nil)

// ErasedName is what an erased person's name becomes.
func ErasedName(userID int64) string { return fmt.Sprintf("Erased user #%d", userID) }

// ErasedEmail is what an erased person's email address becomes: unique, as
// the column must be, and in the reserved .invalid domain, so no mail can
// ever reach anyone.
func ErasedEmail(userID int64) string { return fmt.Sprintf("erased-%d@invalid", userID) }

// EraseUser removes or anonymises, in one transaction, the personal data
// of a person who has left, provided confirmEmail is their email address
// (ignoring case and surrounding space); otherwise it is privacy.ErrNotConfirmed
// and nothing changes. An unknown user is ErrNotFound.
//
// The users row stays, so that posts, shares, links and clicks keep their
// author and the programme's reach figures do not change: it becomes
// ErasedName and ErasedEmail, loses its identity-provider subject, SCIM
// external id and names, department, Mastodon server, time zone and
// preferences, and is deactivated. Sessions, follower counts, group memberships, roles,
// training tasks and reminders, mail to their address (sent or not) and
// digest bookkeeping are deleted. Acknowledgements and quiz attempts stay
// as anonymous training evidence, but the acknowledgements lose their IP
// address: once the person cannot be named, the address no longer proves
// anything about them and is only personal data. The audit log is
// append-only and names people by id; the erasure is logged as
// "user.erase" with the counts in Erasure.
func (s *Store) EraseUser(ctx context.Context, userID int64, confirmEmail string, actorID int64) (privacy.Erasure, error) {
	var e privacy.Erasure
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return e, fmt.Errorf("store: erase user %d: %w", userID, err)
	}
	defer tx.Rollback()
	var email string
	err = tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = ?`, userID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("store: erase user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("store: erase user %d: %w", userID, err)
	}
	if !strings.EqualFold(strings.TrimSpace(confirmEmail), email) {
		return e, fmt.Errorf("store: erase user %d: %w", userID, privacy.ErrNotConfirmed)
	}
	deletions := []struct {
		n     *int64
		query string
		arg   any
	}{
		{&e.Sessions, `DELETE FROM sessions WHERE user_id = ?`, userID},
		{&e.Networks, `DELETE FROM user_networks WHERE user_id = ?`, userID},
		{&e.Groups, `DELETE FROM group_members WHERE user_id = ?`, userID},
		{&e.Roles, `DELETE FROM user_roles WHERE user_id = ?`, userID},
		{&e.Tasks, `DELETE FROM training_tasks WHERE user_id = ?`, userID},
		{new(int64), `DELETE FROM assignments WHERE user_id = ?`, userID}, // assigned to them alone; their tasks are gone
		{&e.Reminders, `DELETE FROM training_reminders WHERE user_id = ?`, userID},
		{&e.Mail, `DELETE FROM outbox WHERE to_addr = ? COLLATE NOCASE`, email},
		{&e.Digests, `DELETE FROM user_digests WHERE user_id = ?`, userID},
		{&e.Acknowledgements, `UPDATE acknowledgements SET client_ip = '' WHERE user_id = ?`, userID},
	}
	for _, d := range deletions {
		res, err := tx.ExecContext(ctx, d.query, d.arg)
		if err != nil {
			return e, fmt.Errorf("store: erase user %d: %w", userID, err)
		}
		if *d.n, err = res.RowsAffected(); err != nil {
			return e, fmt.Errorf("store: erase user %d: %w", userID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM identities WHERE user_id = ?`, userID); err != nil {
		return e, fmt.Errorf("store: erase user %d: %w", userID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, email = ?, subject = NULL, department = '',
		external_id = '', given_name = '', family_name = '', scim_user_name = '', nick_name = '', formatted_name = '',
		locale = '', preferred_language = '', mastodon_instance = '', time_zone = '', language = 'en', language_chosen = 0, digest = 'off',
		leaderboard_opt_out = 1, active = 0, last_login_at = NULL WHERE id = ?`,
		ErasedName(userID), ErasedEmail(userID), userID); err != nil {
		return e, fmt.Errorf("store: erase user %d: %w", userID, err)
	}
	if err := audit(ctx, tx, s.now(), actorID, "user.erase", fmt.Sprintf("user:%d", userID), nil, e); err != nil {
		return e, err
	}
	if err := tx.Commit(); err != nil {
		return e, fmt.Errorf("store: erase user %d: %w", userID, err)
	}
	return e, nil
}
