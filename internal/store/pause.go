package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/mail"
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

var _ pause.Repository = (*Store)(nil)

// StartPause reads the Target of st.Scope and calls check with it (if not
// nil); unless check refuses, it records the pause, audit-logs it and queues the mails
// notify returns for its Notice, all in one transaction (see
// pause.Repository). It returns the new pause.
func (s *Store) StartPause(ctx context.Context, st pause.Start, check func(pause.Target) error, notify func(pause.Notice) []mail.Mail) (pause.Pause, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return pause.Pause{}, fmt.Errorf("store: pause %s: %w", st.Scope, err)
	}
	defer tx.Rollback()
	campaign, found, err := pausedCampaign(ctx, tx, st.Scope)
	if err != nil {
		return pause.Pause{}, err
	}
	if check != nil {
		if err := check(pause.Target{CampaignFound: found}); err != nil {
			return pause.Pause{}, err
		}
	}
	now := s.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO pauses (scope, reason, paused_by, paused_at) VALUES (?, ?, ?, ?)`,
		string(st.Scope), st.Reason, st.ActorID, timestamp(now))
	if err != nil {
		return pause.Pause{}, fmt.Errorf("store: pause %s: %w", st.Scope, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return pause.Pause{}, fmt.Errorf("store: pause %s: %w", st.Scope, err)
	}
	if err := audit(ctx, tx, now, st.ActorID, "pause.start", fmt.Sprintf("pause:%d %s", id, st.Scope), nil,
		map[string]string{"scope": string(st.Scope), "reason": st.Reason}); err != nil {
		return pause.Pause{}, err
	}
	p, err := pauseFrom(ctx, tx, id)
	if err != nil {
		return p, err
	}
	if err := queueNotice(ctx, tx, now, pause.Notice{Pause: p, Campaign: campaign}, st.Tell, notify); err != nil {
		return p, err
	}
	return p, s.commitMail(tx)
}

// ResumePause ends an active pause on behalf of r.ActorID, audit-logs it
// and queues the mails notify returns for its Notice, in one transaction.
// A pause that does not exist or was already resumed is ErrNotFound.
func (s *Store) ResumePause(ctx context.Context, r pause.Resume, notify func(pause.Notice) []mail.Mail) (pause.Pause, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return pause.Pause{}, fmt.Errorf("store: resume pause %d: %w", r.ID, err)
	}
	defer tx.Rollback()
	now := s.now()
	res, err := tx.ExecContext(ctx, `UPDATE pauses SET resumed_by = ?, resumed_at = ? WHERE id = ? AND resumed_at IS NULL`,
		r.ActorID, timestamp(now), r.ID)
	if err := checkOneRow(res, err, "resume pause %d", r.ID); err != nil {
		return pause.Pause{}, err
	}
	p, err := pauseFrom(ctx, tx, r.ID)
	if err != nil {
		return p, err
	}
	if err := audit(ctx, tx, now, r.ActorID, "pause.resume", fmt.Sprintf("pause:%d %s", r.ID, p.Scope),
		map[string]string{"scope": string(p.Scope), "reason": p.Reason}, nil); err != nil {
		return p, err
	}
	campaign, _, err := pausedCampaign(ctx, tx, p.Scope)
	if err != nil {
		return p, err
	}
	if err := queueNotice(ctx, tx, now, pause.Notice{Pause: p, Campaign: campaign}, r.Tell, notify); err != nil {
		return p, err
	}
	return p, s.commitMail(tx)
}

// pausedCampaign returns the name of the campaign sc covers, and whether
// it exists; "" and false when sc covers no campaign.
func pausedCampaign(ctx context.Context, q rowQuerier, sc pause.Scope) (string, bool, error) {
	id, ok := sc.CampaignID()
	if !ok {
		return "", false, nil
	}
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM campaigns WHERE id = ?`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: pause campaign %d: %w", id, err)
	}
	return name, true, nil
}

// queueNotice reads the active holders of roles into n and queues the
// mails notify returns for it, inside tx. A nil notify queues none.
func queueNotice(ctx context.Context, tx *sql.Tx, now time.Time, n pause.Notice, roles []account.Role, notify func(pause.Notice) []mail.Mail) error {
	if notify == nil {
		return nil
	}
	var err error
	if n.To, err = activeHolders(ctx, tx, roles); err != nil {
		return err
	}
	for _, m := range notify(n) {
		if _, err := enqueueMail(ctx, tx, now, m); err != nil {
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
