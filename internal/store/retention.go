package store

import (
	"context"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/retention"
)

// DeleteClicksBefore deletes, in one short transaction, the raw click rows
// recorded before cutoff among the batch oldest rows of the table, and
// returns how many it deleted. The per-link per-day rollups are not
// touched: they already hold every click's count. Call it again while it
// returns batch; a smaller number means the old rows are gone.
//
// It looks only at the first batch rows by id, so each call costs the same
// however large the table is and holds the write lock briefly, which keeps
// the redirect path's writer moving. That relies on ids following time,
// which holds for the append-only click log; a row recorded out of order
// waits for a later pass. Two portals running it at once only delete the
// same rows once.
func (s *Store) DeleteClicksBefore(ctx context.Context, cutoff time.Time, batch int) (int64, error) {
	if batch <= 0 {
		return 0, fmt.Errorf("store: delete clicks: batch %d must be positive", batch)
	}
	res, err := s.write.ExecContext(ctx, `DELETE FROM clicks
		WHERE id IN (SELECT id FROM clicks ORDER BY id LIMIT ?) AND created_at < ?
			AND id <= (SELECT last_click_id FROM rollup_progress)`, batch, timestamp(cutoff)) // never a row not yet rolled up
	if err != nil {
		return 0, fmt.Errorf("store: delete clicks before %s: %w", timestamp(cutoff), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete clicks before %s: %w", timestamp(cutoff), err)
	}
	return n, nil
}

// PurgeExpired deletes, in one transaction, the sessions expired at now,
// the sign-ins in progress started before loginStatesBefore, and the
// visitor salts of UTC days before the day of keepSaltsFrom. The first
// click of a day already deletes old salts; this also does it on days
// without clicks. (RollUpClicks deletes the visitor hashes of those days.)
func (s *Store) PurgeExpired(ctx context.Context, now, loginStatesBefore, keepSaltsFrom time.Time) (retention.Purged, error) {
	var p retention.Purged
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return p, fmt.Errorf("store: purge expired: %w", err)
	}
	defer tx.Rollback()
	for _, d := range []struct {
		n     *int64
		query string
		arg   any
	}{
		{&p.Sessions, `DELETE FROM sessions WHERE expires_at <= ?`, timestamp(now)},
		{&p.LoginStates, `DELETE FROM login_states WHERE created_at < ?`, timestamp(loginStatesBefore)},
		{&p.Salts, `DELETE FROM visitor_salts WHERE day < ?`, keepSaltsFrom.UTC().Format(reach.DayLayout)},
	} {
		res, err := tx.ExecContext(ctx, d.query, d.arg)
		if err != nil {
			return p, fmt.Errorf("store: purge expired: %w", err)
		}
		if *d.n, err = res.RowsAffected(); err != nil {
			return p, fmt.Errorf("store: purge expired: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return p, fmt.Errorf("store: purge expired: %w", err)
	}
	return p, nil
}
