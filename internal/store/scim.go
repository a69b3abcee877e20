package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/scim"
)

var _ scim.Repository = (*Store)(nil)

// CreateSCIMToken stores a new token by its hash and audit-logs its
// creation (without the token or its hash).
func (s *Store) CreateSCIMToken(ctx context.Context, name, tokenHash string, actorID int64) (int64, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: create scim token: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO scim_tokens (name, token_hash, created_by, created_at) VALUES (?, ?, ?, ?)`,
		name, tokenHash, actorID, timestamp(now))
	if err != nil {
		return 0, fmt.Errorf("store: create scim token: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := audit(ctx, tx, now, actorID, "scim.token.create", fmt.Sprintf("scim_token:%d", id), nil,
		map[string]string{"name": name}); err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// SCIMTokens returns every token, in use or revoked, newest first.
func (s *Store) SCIMTokens(ctx context.Context) ([]scim.Token, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT t.id, t.name, t.created_by, COALESCE(u.name, ''), t.created_at,
		t.last_used_at, t.revoked_at FROM scim_tokens t LEFT JOIN users u ON u.id = t.created_by ORDER BY t.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: scim tokens: %w", err)
	}
	defer rows.Close()
	var out []scim.Token
	for rows.Next() {
		var t scim.Token
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedBy, &t.CreatedByName, timeScanner{&t.CreatedAt},
			timeScanner{&t.LastUsedAt}, timeScanner{&t.RevokedAt}); err != nil {
			return nil, fmt.Errorf("store: scim tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ActiveSCIMTokens returns the hashes of the tokens not revoked, for the
// caller to compare in constant time.
func (s *Store) ActiveSCIMTokens(ctx context.Context) ([]scim.TokenHash, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, token_hash FROM scim_tokens WHERE revoked_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("store: active scim tokens: %w", err)
	}
	defer rows.Close()
	var out []scim.TokenHash
	for rows.Next() {
		var t scim.TokenHash
		if err := rows.Scan(&t.ID, &t.Hash); err != nil {
			return nil, fmt.Errorf("store: active scim tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TouchSCIMToken records that a token was used. To spare the single
// writer, it writes at most once a minute per token.
func (s *Store) TouchSCIMToken(ctx context.Context, id int64) error {
	now := s.now()
	if _, err := s.write.ExecContext(ctx, `UPDATE scim_tokens SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		timestamp(now), id, timestamp(now.Add(-time.Minute))); err != nil {
		return fmt.Errorf("store: touch scim token %d: %w", id, err)
	}
	return nil
}

// RevokeSCIMToken revokes a token and audit-logs it; revoking a revoked
// token changes nothing. An unknown id is ErrNotFound.
func (s *Store) RevokeSCIMToken(ctx context.Context, id, actorID int64) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: revoke scim token %d: %w", id, err)
	}
	defer tx.Rollback()
	var name string
	var revoked sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT name, revoked_at FROM scim_tokens WHERE id = ?`, id).Scan(&name, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: scim token %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: revoke scim token %d: %w", id, err)
	}
	if revoked.Valid {
		return nil
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, `UPDATE scim_tokens SET revoked_at = ? WHERE id = ?`, timestamp(now), id); err != nil {
		return fmt.Errorf("store: revoke scim token %d: %w", id, err)
	}
	if err := audit(ctx, tx, now, actorID, "scim.token.revoke", fmt.Sprintf("scim_token:%d", id),
		map[string]string{"name": name}, map[string]any{"name": name, "revoked": true}); err != nil {
		return err
	}
	return tx.Commit()
}

const scimUserColumns = `id, email, scim_user_name, name, nick_name, given_name, family_name, formatted_name, locale,
	preferred_language, department, external_id, active, created_at, modified_at, revision`

func scanSCIMUser(row interface{ Scan(...any) error }, u *scim.User) error {
	if err := row.Scan(&u.ID, &u.Email, &u.UserName, &u.DisplayName, &u.NickName, &u.GivenName, &u.FamilyName, &u.Formatted,
		&u.Locale, &u.PreferredLanguage, &u.Department, &u.ExternalID, &u.Active, timeScanner{&u.Created},
		optionalTime{&u.Modified}, &u.Revision); err != nil {
		return err
	}
	if u.UserName == "" {
		u.UserName = u.Email // signed in or imported: SCIM's userName is the address
	}
	return nil
}

// optionalTime scans a timestamp column where the empty string (or NULL)
// is the zero time.
type optionalTime struct{ T *time.Time }

func (o optionalTime) Scan(src any) error {
	if s, ok := src.(string); ok && s == "" {
		*o.T = time.Time{}
		return nil
	}
	return timeScanner(o).Scan(src)
}

// scimUserNameIs is the condition that a user's userName is ?, ignoring
// case; it takes the name twice. (Written as a union so that SQLite looks
// the name up in both indexes instead of scanning users.)
const scimUserNameIs = `id IN (SELECT id FROM users WHERE scim_user_name = ? COLLATE NOCASE AND scim_user_name <> ''
	UNION ALL SELECT id FROM users WHERE email = ? AND scim_user_name = '')`

// scimUserWhere turns a SCIM filter into a condition on users: userName
// is the provider's userName (the address for people not provisioned),
// emails.value the address, both ignoring case; externalId is exact.
func scimUserWhere(f scim.EqualityFilter) (string, []any, error) {
	switch f.Attr {
	case "":
		return "", nil, nil
	case "userName":
		return ` AND ` + scimUserNameIs, []any{f.Value, f.Value}, nil
	case "emails.value":
		return ` AND email = ?`, []any{f.Value}, nil
	case "externalId": // "<> ''" lets SQLite use the partial index
		return ` AND external_id = ? AND external_id <> ''`, []any{f.Value}, nil
	case "id":
		return ` AND CAST(id AS TEXT) = ?`, []any{f.Value}, nil
	}
	return "", nil, fmt.Errorf("store: scim users: cannot filter by %s", f.Attr)
}

// SCIMUsers returns one page of the users a SCIM client sees (all but
// those it deleted), by id, and how many match in all. f.Attr is "" for
// every user, or userName, emails.value, externalId or id.
func (s *Store) SCIMUsers(ctx context.Context, f scim.EqualityFilter, offset, limit int) ([]scim.User, int, error) {
	where, args, err := scimUserWhere(f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE scim_deleted_at IS NULL`+where, args...).
		Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: scim users: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+scimUserColumns+` FROM users WHERE scim_deleted_at IS NULL`+where+
		` ORDER BY id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: scim users: %w", err)
	}
	defer rows.Close()
	out := []scim.User{}
	for rows.Next() {
		var u scim.User
		if err := scanSCIMUser(rows, &u); err != nil {
			return nil, 0, fmt.Errorf("store: scim users: %w", err)
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// SCIMUser returns the user with the given id; a user the SCIM client
// deleted is ErrNotFound.
func (s *Store) SCIMUser(ctx context.Context, id int64) (scim.User, error) {
	return scimUser(ctx, s.read, id)
}

func scimUser(ctx context.Context, q queryRower, id int64) (scim.User, error) {
	var u scim.User
	err := scanSCIMUser(q.QueryRowContext(ctx, `SELECT `+scimUserColumns+` FROM users
		WHERE id = ? AND scim_deleted_at IS NULL`, id), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("store: scim user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("store: scim user %d: %w", id, err)
	}
	return u, nil
}

// CreateSCIMUser creates a user as a SCIM client asked, with the employee
// role, and audit-logs it; tokenID names the client's token in the log.
// A userName or address in use is ErrExists, unless its user was deleted
// by SCIM: then that user is restored with the new attributes, history
// and all. The user signs in later; sign-in matches them by address.
func (s *Store) CreateSCIMUser(ctx context.Context, u scim.User, tokenID int64) (scim.User, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return scim.User{}, fmt.Errorf("store: create scim user: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	var id int64
	var deleted sql.NullString
	// The user holding the userName comes first: that is the one to restore.
	err = tx.QueryRowContext(ctx, `SELECT id, scim_deleted_at FROM users WHERE (`+scimUserNameIs+`) OR id = (SELECT id FROM users WHERE email = ?)
		ORDER BY scim_deleted_at IS NULL DESC, (`+scimUserNameIs+`) DESC LIMIT 1`,
		u.UserName, u.UserName, u.Email, u.UserName, u.UserName).Scan(&id, &deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, scim_user_name, name, nick_name, given_name, family_name,
			formatted_name, locale, preferred_language, department, external_id, active, created_at, modified_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.Email, u.UserName, u.DisplayName, u.NickName, u.GivenName,
			u.FamilyName, u.Formatted, u.Locale, u.PreferredLanguage, u.Department, u.ExternalID, u.Active, timestamp(now),
			timestamp(now))
		if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return scim.User{}, fmt.Errorf("store: create scim user: %w", ErrExists)
		}
		if err != nil {
			return scim.User{}, fmt.Errorf("store: create scim user: %w", err)
		}
		id, _ = res.LastInsertId()
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role, source) VALUES (?, 'employee', 'idp')`, id); err != nil {
			return scim.User{}, fmt.Errorf("store: create scim user: %w", err)
		}
		if err := audit(ctx, tx, now, 0, "scim.user.create", fmt.Sprintf("user:%d", id), nil,
			scimUserDiff(scim.User{}, u, tokenID, true)); err != nil {
			return scim.User{}, err
		}
	case err != nil:
		return scim.User{}, fmt.Errorf("store: create scim user: %w", err)
	case !deleted.Valid:
		return scim.User{}, fmt.Errorf("store: create scim user: %w", ErrExists)
	default:
		before, err := scimUserAny(ctx, tx, id)
		if err != nil {
			return scim.User{}, err
		}
		if err := writeSCIMUser(ctx, tx, now, id, u); err != nil {
			return scim.User{}, err
		}
		if err := audit(ctx, tx, now, 0, "scim.user.restore", fmt.Sprintf("user:%d", id),
			scimUserDiff(u, before, 0, false), scimUserDiff(before, u, tokenID, false)); err != nil {
			return scim.User{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		return scim.User{}, fmt.Errorf("store: create scim user: %w", err)
	}
	return s.SCIMUser(ctx, id)
}

// scimUserAny reads a user whether or not SCIM deleted them.
func scimUserAny(ctx context.Context, tx *sql.Tx, id int64) (scim.User, error) {
	var u scim.User
	if err := scanSCIMUser(tx.QueryRowContext(ctx, `SELECT `+scimUserColumns+` FROM users WHERE id = ?`, id), &u); err != nil {
		return u, fmt.Errorf("store: scim user %d: %w", id, err)
	}
	return u, nil
}

// writeSCIMUser stores u's attributes on user id (and undoes a SCIM
// deletion), and records the change at now. A userName or address another
// user has is ErrExists.
func writeSCIMUser(ctx context.Context, tx *sql.Tx, now time.Time, id int64, u scim.User) error {
	var taken bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id <> ? AND `+scimUserNameIs+`)`,
		id, u.UserName, u.UserName).Scan(&taken); err != nil {
		return fmt.Errorf("store: update scim user %d: %w", id, err)
	}
	if taken {
		return fmt.Errorf("store: update scim user %d: userName: %w", id, ErrExists)
	}
	// The userName is always written: for someone who signed in, it was
	// their address, and a new address must not take it along.
	_, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, scim_user_name = ?, name = ?, nick_name = ?, given_name = ?,
		family_name = ?, formatted_name = ?, locale = ?, preferred_language = ?, department = ?, external_id = ?, active = ?,
		scim_deleted_at = NULL WHERE id = ?`,
		u.Email, u.UserName, u.DisplayName, u.NickName, u.GivenName, u.FamilyName, u.Formatted, u.Locale, u.PreferredLanguage,
		u.Department, u.ExternalID, u.Active, id)
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("store: update scim user %d: %w", id, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("store: update scim user %d: %w", id, err)
	}
	// The trigger counted the change on the database's clock; the time is
	// the portal's.
	if _, err := tx.ExecContext(ctx, `UPDATE users SET modified_at = ? WHERE id = ?`, timestamp(now), id); err != nil {
		return fmt.Errorf("store: update scim user %d: %w", id, err)
	}
	return nil
}

// UpdateSCIMUser changes a user in one transaction: change gets the user as
// stored and returns them as they should be (a PUT's replacement or a
// PATCH applied); an error from change is returned as it is. The change is
// audit-logged as scim.user.deactivate or .reactivate when only the active
// flag moved, as scim.user.update otherwise, and not at all when nothing
// changed. Deactivation ends the user's sessions.
func (s *Store) UpdateSCIMUser(ctx context.Context, id int64, change func(scim.User) (scim.User, error), tokenID int64) (scim.User, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return scim.User{}, fmt.Errorf("store: update scim user %d: %w", id, err)
	}
	defer tx.Rollback()
	cur, err := scimUser(ctx, tx, id)
	if err != nil {
		return scim.User{}, err
	}
	next, err := change(cur)
	if err != nil {
		return scim.User{}, err
	}
	next.ID, next.Created, next.Modified, next.Revision = cur.ID, cur.Created, cur.Modified, cur.Revision
	if next == cur {
		return cur, nil
	}
	now := s.now()
	if err := writeSCIMUser(ctx, tx, now, id, next); err != nil {
		return scim.User{}, err
	}
	if cur.Active && !next.Active {
		if err := endSessions(ctx, tx, id); err != nil {
			return scim.User{}, err
		}
	}
	action := "scim.user.update"
	onlyActive := cur
	onlyActive.Active = next.Active
	switch {
	case onlyActive != next:
	case next.Active:
		action = "scim.user.reactivate"
	default:
		action = "scim.user.deactivate"
	}
	if err := audit(ctx, tx, now, 0, action, fmt.Sprintf("user:%d", id),
		scimUserDiff(next, cur, 0, false), scimUserDiff(cur, next, tokenID, false)); err != nil {
		return scim.User{}, err
	}
	if err := tx.Commit(); err != nil {
		return scim.User{}, fmt.Errorf("store: update scim user %d: %w", id, err)
	}
	return s.SCIMUser(ctx, id)
}

// DeleteSCIMUser handles a SCIM DELETE: the user is deactivated, their
// sessions end and SCIM no longer sees them, but the row and its history
// stay. It is audit-logged as scim.user.delete.
func (s *Store) DeleteSCIMUser(ctx context.Context, id, tokenID int64) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: delete scim user %d: %w", id, err)
	}
	defer tx.Rollback()
	cur, err := scimUser(ctx, tx, id)
	if err != nil {
		return err
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, `UPDATE users SET active = 0, scim_deleted_at = ? WHERE id = ?`, timestamp(now), id); err != nil {
		return fmt.Errorf("store: delete scim user %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET modified_at = ? WHERE id = ?`, timestamp(now), id); err != nil {
		return fmt.Errorf("store: delete scim user %d: %w", id, err)
	}
	if err := endSessions(ctx, tx, id); err != nil {
		return err
	}
	if err := audit(ctx, tx, now, 0, "scim.user.delete", fmt.Sprintf("user:%d", id),
		map[string]any{"active": cur.Active},
		map[string]any{"active": false, "deleted": true, "scim_token": tokenID}); err != nil {
		return err
	}
	return tx.Commit()
}

// endSessions signs a user out everywhere.
func endSessions(ctx context.Context, tx *sql.Tx, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: end sessions of user %d: %w", userID, err)
	}
	return nil
}

// scimUserDiff returns the attributes of b that differ from a (all of
// them with all), for the audit log; with a token id, it names the token.
func scimUserDiff(a, b scim.User, tokenID int64, all bool) map[string]any {
	// The audit log is kept for ever and erasure cannot reach it, so it
	// records which personal fields changed, never their values; only the
	// active flag is recorded as it is.
	d := map[string]any{}
	var changed []string
	add := func(key string, x, y any) {
		if !(all || x != y) {
			return
		}
		if key == "active" {
			d[key] = y
			return
		}
		changed = append(changed, key)
	}

	add("userName", a.UserName, b.UserName)
	add("email", a.Email, b.Email)
	add("displayName", a.DisplayName, b.DisplayName)
	add("nickName", a.NickName, b.NickName)
	add("givenName", a.GivenName, b.GivenName)
	add("familyName", a.FamilyName, b.FamilyName)
	add("formatted", a.Formatted, b.Formatted)
	add("locale", a.Locale, b.Locale)
	add("preferredLanguage", a.PreferredLanguage, b.PreferredLanguage)
	add("department", a.Department, b.Department)
	add("externalId", a.ExternalID, b.ExternalID)
	add("active", a.Active, b.Active)
	if len(changed) > 0 {
		d["changed"] = changed
	}
	if tokenID != 0 {
		d["scim_token"] = tokenID
	}
	return d
}

// scimGroupWhere turns a SCIM filter into a condition on groups.
func scimGroupWhere(f scim.EqualityFilter) (string, []any, error) {
	switch f.Attr {
	case "":
		return "", nil, nil
	case "displayName":
		return ` AND name = ?`, []any{f.Value}, nil
	case "externalId": // "<> ''" lets SQLite use the partial index
		return ` AND external_id = ? AND external_id <> ''`, []any{f.Value}, nil
	case "id":
		return ` AND CAST(id AS TEXT) = ?`, []any{f.Value}, nil
	}
	return "", nil, fmt.Errorf("store: scim groups: cannot filter by %s", f.Attr)
}

// SCIMGroups returns one page of the groups a SCIM client sees (all but
// those it deleted), by id, with their members if members is true, and how
// many match in all. f.Attr is "" for every group, or displayName,
// externalId or id.
func (s *Store) SCIMGroups(ctx context.Context, f scim.EqualityFilter, offset, limit int, members bool) ([]scim.Group, int, error) {
	where, args, err := scimGroupWhere(f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM groups WHERE scim_deleted_at IS NULL`+where, args...).
		Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: scim groups: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+scimGroupColumns+` FROM groups WHERE scim_deleted_at IS NULL`+where+
		` ORDER BY id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: scim groups: %w", err)
	}
	out := []scim.Group{}
	for rows.Next() {
		var g scim.Group
		if err := scanSCIMGroup(rows, &g); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("store: scim groups: %w", err)
		}
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: scim groups: %w", err)
	}
	if members {
		for i := range out {
			if out[i].Members, err = scimMembers(ctx, s.read, out[i].ID); err != nil {
				return nil, 0, err
			}
		}
	}
	return out, total, nil
}

// scimMembers returns a group's members SCIM sees (of any source), by id.
func scimMembers(ctx context.Context, q querier, groupID int64) ([]scim.Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.name FROM group_members m JOIN users u ON u.id = m.user_id
		WHERE m.group_id = ? AND u.scim_deleted_at IS NULL ORDER BY u.id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("store: members of group %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []scim.Member
	for rows.Next() {
		var m scim.Member
		if err := rows.Scan(&m.ID, &m.Display); err != nil {
			return nil, fmt.Errorf("store: members of group %d: %w", groupID, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SCIMGroup returns the group with the given id, with its members if
// members is true; a group the SCIM client deleted is ErrNotFound.
func (s *Store) SCIMGroup(ctx context.Context, id int64, members bool) (scim.Group, error) {
	g, err := scimGroup(ctx, s.read, id)
	if err != nil || !members {
		return g, err
	}
	g.Members, err = scimMembers(ctx, s.read, id)
	return g, err
}

const scimGroupColumns = `id, name, external_id, created_at, modified_at, revision`

func scanSCIMGroup(row interface{ Scan(...any) error }, g *scim.Group) error {
	return row.Scan(&g.ID, &g.DisplayName, &g.ExternalID, optionalTime{&g.Created}, optionalTime{&g.Modified}, &g.Revision)
}

func scimGroup(ctx context.Context, q queryRower, id int64) (scim.Group, error) {
	var g scim.Group
	err := scanSCIMGroup(q.QueryRowContext(ctx, `SELECT `+scimGroupColumns+` FROM groups WHERE id = ? AND scim_deleted_at IS NULL`, id), &g)
	if errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("store: scim group %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return g, fmt.Errorf("store: scim group %d: %w", id, err)
	}
	return g, nil
}

// touchSCIMGroup records at now, the portal's clock, that a group changed
// (the triggers counted the change).
func touchSCIMGroup(ctx context.Context, tx *sql.Tx, now time.Time, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE groups SET modified_at = ? WHERE id = ?`, timestamp(now), id); err != nil {
		return fmt.Errorf("store: update scim group %d: %w", id, err)
	}
	return nil
}

// CreateSCIMGroup creates a group (a team) with its members and audit-logs
// it as one scim.group.create entry. Members join with source scim and get
// the group's training. A name in use is ErrExists, unless SCIM retired
// that group: then it is restored. A member who is not a user is
// ErrUnknownMember.
func (s *Store) CreateSCIMGroup(ctx context.Context, g scim.Group, tokenID int64) (scim.Group, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return scim.Group{}, fmt.Errorf("store: create scim group: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	var id int64
	var deleted sql.NullString
	action := "scim.group.create"
	err = tx.QueryRowContext(ctx, `SELECT id, scim_deleted_at FROM groups WHERE name = ?`, g.DisplayName).Scan(&id, &deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.ExecContext(ctx, `INSERT INTO groups (name, kind, external_id, created_at, modified_at) VALUES (?, ?, ?, ?, ?)`,
			g.DisplayName, string(account.Team), g.ExternalID, timestamp(now), timestamp(now))
		if err != nil {
			return scim.Group{}, fmt.Errorf("store: create scim group: %w", err)
		}
		id, _ = res.LastInsertId()
	case err != nil:
		return scim.Group{}, fmt.Errorf("store: create scim group: %w", err)
	case !deleted.Valid:
		return scim.Group{}, fmt.Errorf("store: create scim group %q: %w", g.DisplayName, ErrExists)
	default:
		action = "scim.group.restore"
		if _, err := tx.ExecContext(ctx, `UPDATE groups SET name = ?, external_id = ?, scim_deleted_at = NULL WHERE id = ?`,
			g.DisplayName, g.ExternalID, id); err != nil {
			return scim.Group{}, fmt.Errorf("store: restore scim group %d: %w", id, err)
		}
	}
	ids := g.MemberIDs()
	for _, userID := range ids {
		if err := joinSCIMGroup(ctx, tx, now, id, userID); err != nil {
			return scim.Group{}, err
		}
	}
	if err := touchSCIMGroup(ctx, tx, now, id); err != nil {
		return scim.Group{}, err
	}
	if err := audit(ctx, tx, now, 0, action, fmt.Sprintf("group:%d", id), nil, map[string]any{
		"displayName": g.DisplayName, "externalId": g.ExternalID, "members": ids, "scim_token": tokenID}); err != nil {
		return scim.Group{}, err
	}
	if err := tx.Commit(); err != nil {
		return scim.Group{}, fmt.Errorf("store: create scim group: %w", err)
	}
	return s.SCIMGroup(ctx, id, true)
}

// joinSCIMGroup adds a user SCIM sees to a group, giving them its training.
func joinSCIMGroup(ctx context.Context, tx *sql.Tx, now time.Time, groupID, userID int64) error {
	if _, err := scimUser(ctx, tx, userID); errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: add user %d to group %d: %w", userID, groupID, scim.ErrUnknownMember)
	} else if err != nil {
		return err
	}
	return joinGroup(ctx, tx, now, groupID, userID, account.SourceSCIM)
}

// UpdateSCIMGroup changes a group in one transaction: change gets the
// group as stored, with its members, and returns it as it should be. A new
// name or externalId is logged as scim.group.update; each member added or
// removed as scim.group.add_member or .remove_member. Members join with
// source scim and get the group's training. Removing takes away
// memberships from SCIM and the identity provider only: people added by
// hand or by CSV stay. An error from change is returned as it is.
func (s *Store) UpdateSCIMGroup(ctx context.Context, id int64, change func(scim.Group) (scim.Group, error), tokenID int64) (scim.Group, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return scim.Group{}, fmt.Errorf("store: update scim group %d: %w", id, err)
	}
	defer tx.Rollback()
	cur, err := scimGroup(ctx, tx, id)
	if err != nil {
		return scim.Group{}, err
	}
	if cur.Members, err = scimMembers(ctx, tx, id); err != nil {
		return scim.Group{}, err
	}
	next, err := change(cur)
	if err != nil {
		return scim.Group{}, err
	}
	now := s.now()
	target := fmt.Sprintf("group:%d", id)
	changed := false
	if next.DisplayName != cur.DisplayName || next.ExternalID != cur.ExternalID {
		changed = true
		_, err := tx.ExecContext(ctx, `UPDATE groups SET name = ?, external_id = ? WHERE id = ?`, next.DisplayName, next.ExternalID, id)
		if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return scim.Group{}, fmt.Errorf("store: rename group %d: %w", id, ErrExists)
		}
		if err != nil {
			return scim.Group{}, fmt.Errorf("store: update scim group %d: %w", id, err)
		}
		if err := audit(ctx, tx, now, 0, "scim.group.update", target,
			map[string]string{"displayName": cur.DisplayName, "externalId": cur.ExternalID},
			map[string]any{"displayName": next.DisplayName, "externalId": next.ExternalID, "scim_token": tokenID}); err != nil {
			return scim.Group{}, err
		}
	}
	was, will := cur.MemberIDs(), next.MemberIDs()
	for _, userID := range will {
		if slices.Contains(was, userID) {
			continue
		}
		if err := joinSCIMGroup(ctx, tx, now, id, userID); err != nil {
			return scim.Group{}, err
		}
		changed = true
		if err := audit(ctx, tx, now, 0, "scim.group.add_member", target, nil,
			map[string]any{"user": userID, "source": account.SourceSCIM, "scim_token": tokenID}); err != nil {
			return scim.Group{}, err
		}
	}
	for _, userID := range was {
		if slices.Contains(will, userID) {
			continue
		}
		var source string
		err := tx.QueryRowContext(ctx, `DELETE FROM group_members WHERE group_id = ? AND user_id = ? AND source IN (?, ?)
			RETURNING source`, id, userID, account.SourceSCIM, account.SourceIdP).Scan(&source)
		if errors.Is(err, sql.ErrNoRows) {
			continue // added by hand or by CSV: not the directory's to take away
		}
		if err != nil {
			return scim.Group{}, fmt.Errorf("store: remove user %d from group %d: %w", userID, id, err)
		}
		changed = true
		if err := audit(ctx, tx, now, 0, "scim.group.remove_member", target, map[string]any{"user": userID, "source": source},
			map[string]any{"scim_token": tokenID}); err != nil {
			return scim.Group{}, err
		}
	}
	if changed {
		if err := touchSCIMGroup(ctx, tx, now, id); err != nil {
			return scim.Group{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		return scim.Group{}, fmt.Errorf("store: update scim group %d: %w", id, err)
	}
	return s.SCIMGroup(ctx, id, true)
}

// DeleteSCIMGroup handles a SCIM DELETE of a group. A group nothing else
// refers to is deleted with its memberships. A group that training
// assignments or posts refer to is retired instead, so that employees'
// training records stay: SCIM no longer sees it and its SCIM memberships
// end. Either way it is audit-logged as scim.group.delete.
func (s *Store) DeleteSCIMGroup(ctx context.Context, id, tokenID int64) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: delete scim group %d: %w", id, err)
	}
	defer tx.Rollback()
	cur, err := scimGroup(ctx, tx, id)
	if err != nil {
		return err
	}
	var referenced bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM assignments WHERE group_id = ?)
		OR EXISTS (SELECT 1 FROM post_groups WHERE group_id = ?)`, id, id).Scan(&referenced); err != nil {
		return fmt.Errorf("store: delete scim group %d: %w", id, err)
	}
	now := s.now()
	if referenced {
		if _, err := tx.ExecContext(ctx, `UPDATE groups SET scim_deleted_at = ? WHERE id = ?`, timestamp(now), id); err != nil {
			return fmt.Errorf("store: retire scim group %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = ? AND source = ?`, id, account.SourceSCIM); err != nil {
			return fmt.Errorf("store: retire scim group %d: %w", id, err)
		}
	} else if _, err := tx.ExecContext(ctx, `DELETE FROM groups WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete scim group %d: %w", id, err)
	}
	if err := audit(ctx, tx, now, 0, "scim.group.delete", fmt.Sprintf("group:%d", id),
		map[string]string{"displayName": cur.DisplayName, "externalId": cur.ExternalID},
		map[string]any{"deleted": true, "retired": referenced, "scim_token": tokenID}); err != nil {
		return err
	}
	return tx.Commit()
}
