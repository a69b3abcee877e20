package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/mail/letter"
	"github.com/advocacy-portal/portal/internal/pause"
)

// pausedPost returns an SQL condition, with its arguments, true when an
// active pause covers the post in the table or alias named p: a pause's
// scope is one of pause.Covering's three for the post, built from
// pause.Programme and the scope prefixes passed as parameters (a post in
// no campaign has a NULL campaign_id, which matches no scope). Queries that
// must hold paused posts (PublishDue) add NOT before it.
// TestPauseAgreesWithCovers holds it to pause.Holding.
func pausedPost(p string) (cond string, args []any) {
	return fmt.Sprintf(`EXISTS (SELECT 1 FROM pauses pa WHERE pa.resumed_at IS NULL
		AND pa.scope IN (?, ? || %[1]s.campaign_id, ? || %[1]s.category))`, p),
		[]any{string(pause.Programme), pause.CampaignPrefix, pause.CategoryPrefix}
}

const pauseColumns = `pa.id, pa.scope, pa.reason, u.name, pa.paused_at, COALESCE(r.name, ''), pa.resumed_at
	FROM pauses pa JOIN users u ON u.id = pa.paused_by LEFT JOIN users r ON r.id = pa.resumed_by`

// StartPause records a pause of scope by actorID with reason, audit-logs it
// and queues a mail to every active comms user and admin, all in one
// transaction. It returns the new pause.
func (s *Store) StartPause(ctx context.Context, scope pause.Scope, reason string, actorID int64) (pause.Pause, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return pause.Pause{}, fmt.Errorf("store: pause %s: %w", scope, err)
	}
	defer tx.Rollback()
	now := s.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO pauses (scope, reason, paused_by, paused_at) VALUES (?, ?, ?, ?)`,
		string(scope), reason, actorID, timestamp(now))
	if err != nil {
		return pause.Pause{}, fmt.Errorf("store: pause %s: %w", scope, err)
	}
	id, _ := res.LastInsertId()
	if err := audit(ctx, tx, now, actorID, "pause.start", fmt.Sprintf("pause:%d %s", id, scope), nil,
		map[string]string{"scope": string(scope), "reason": reason}); err != nil {
		return pause.Pause{}, err
	}
	p, err := pauseFrom(ctx, tx, id)
	if err != nil {
		return p, err
	}
	if err := s.mailComms(ctx, tx, now, fmt.Sprintf("pause:%d:start", id), letter.Pause{By: p.PausedBy, Scope: p.Scope,
		Reason: p.Reason, PausedAt: p.PausedAt}); err != nil {
		return p, err
	}
	return p, s.commitMail(tx)
}

// ResumePause ends an active pause on behalf of actorID, audit-logs it and
// queues a mail to comms, in one transaction. A pause that does not exist
// or was already resumed is ErrNotFound.
func (s *Store) ResumePause(ctx context.Context, id, actorID int64) (pause.Pause, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return pause.Pause{}, fmt.Errorf("store: resume pause %d: %w", id, err)
	}
	defer tx.Rollback()
	now := s.now()
	res, err := tx.ExecContext(ctx, `UPDATE pauses SET resumed_by = ?, resumed_at = ? WHERE id = ? AND resumed_at IS NULL`,
		actorID, timestamp(now), id)
	if err := checkOneRow(res, err, "resume pause %d", id); err != nil {
		return pause.Pause{}, err
	}
	p, err := pauseFrom(ctx, tx, id)
	if err != nil {
		return p, err
	}
	if err := audit(ctx, tx, now, actorID, "pause.resume", fmt.Sprintf("pause:%d %s", id, p.Scope),
		map[string]string{"scope": string(p.Scope), "reason": p.Reason}, nil); err != nil {
		return p, err
	}
	if err := s.mailComms(ctx, tx, now, fmt.Sprintf("pause:%d:resume", id), letter.Pause{Resumed: true, By: p.ResumedBy,
		Scope: p.Scope, Reason: p.Reason, PausedAt: p.PausedAt}); err != nil {
		return p, err
	}
	return p, s.commitMail(tx)
}

// mailComms queues the pause notice m to every active comms user and
// admin, each in their own language and addressed by name, with a link to
// the pause page when the store knows the portal's address.
func (s *Store) mailComms(ctx context.Context, tx *sql.Tx, now time.Time, dedupe string, m letter.Pause) error {
	if id, ok := strings.CutPrefix(string(m.Scope), pause.CampaignPrefix); ok {
		err := tx.QueryRowContext(ctx, `SELECT name FROM campaigns WHERE id = ?`, id).Scan(&m.Campaign)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: pause campaign %s: %w", id, err)
		}
	}
	if s.baseURL != "" {
		m.URL = s.baseURL + "/pause"
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT u.id, u.email, u.name, u.language FROM users u
		JOIN user_roles r ON r.user_id = u.id
		WHERE u.active = 1 AND r.role IN ('comms', 'admin') ORDER BY u.id`)
	if err != nil {
		return fmt.Errorf("store: comms recipients: %w", err)
	}
	type recipient struct {
		id                int64
		email, name, lang string
	}
	var to []recipient
	for rows.Next() {
		var r recipient
		if err := rows.Scan(&r.id, &r.email, &r.name, &r.lang); err != nil {
			rows.Close()
			return fmt.Errorf("store: comms recipients: %w", err)
		}
		to = append(to, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: comms recipients: %w", err)
	}
	for _, r := range to {
		m.Name = r.name
		msg := mail.FromLetter("pause", r.email, r.name, m.Write(r.lang))
		msg.DedupeKey = fmt.Sprintf("%s:%d", dedupe, r.id)
		if _, err := enqueueMail(ctx, tx, now, msg); err != nil {
			return err
		}
	}
	return nil
}

func scanPause(row interface{ Scan(...any) error }, p *pause.Pause) error {
	return row.Scan(&p.ID, &p.Scope, &p.Reason, &p.PausedBy, timeScanner{&p.PausedAt}, &p.ResumedBy, timeScanner{&p.ResumedAt})
}

func pauseFrom(ctx context.Context, q rowQuerier, id int64) (pause.Pause, error) {
	var p pause.Pause
	err := scanPause(q.QueryRowContext(ctx, `SELECT `+pauseColumns+` WHERE pa.id = ?`, id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: pause %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("store: pause %d: %w", id, err)
	}
	return p, nil
}

// ActivePauses returns the pauses in force, oldest first.
func (s *Store) ActivePauses(ctx context.Context) ([]pause.Pause, error) {
	return activePauses(ctx, s.read)
}

func activePauses(ctx context.Context, q rowQuerier) ([]pause.Pause, error) {
	return queryPauses(ctx, q, `WHERE pa.resumed_at IS NULL ORDER BY pa.paused_at, pa.id`)
}

// PauseHistory returns the resumed pauses, most recently resumed first, at
// most limit of them.
func (s *Store) PauseHistory(ctx context.Context, limit int) ([]pause.Pause, error) {
	return queryPauses(ctx, s.read, `WHERE pa.resumed_at IS NOT NULL ORDER BY pa.resumed_at DESC, pa.id DESC LIMIT ?`, limit)
}

func queryPauses(ctx context.Context, q rowQuerier, tail string, args ...any) ([]pause.Pause, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+pauseColumns+` `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list pauses: %w", err)
	}
	defer rows.Close()
	var list []pause.Pause
	for rows.Next() {
		var p pause.Pause
		if err := scanPause(rows, &p); err != nil {
			return nil, fmt.Errorf("store: list pauses: %w", err)
		}
		list = append(list, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list pauses: %w", err)
	}
	return list, nil
}
