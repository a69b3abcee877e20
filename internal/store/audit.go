package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// audit appends an entry inside the caller's transaction, so the action and
// its record commit together. before and after are encoded as JSON (nil for
// none). The log has no update or delete path; triggers refuse both.
func audit(ctx context.Context, tx *sql.Tx, now time.Time, actorID int64, action, target string, before, after any) error {
	enc := func(v any) (string, error) {
		if v == nil {
			return "", nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	b, err := enc(before)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	a, err := enc(after)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, action, target, before, after)
		VALUES (?, ?, ?, ?, ?, ?)`, timestamp(now), nullID(actorID), action, target, b, a); err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	return nil
}

// LogAudit appends an entry for an action that changes nothing else in the
// database, such as an export. detail is encoded as JSON into After.
func (s *Store) LogAudit(ctx context.Context, actorID int64, action, target string, detail any) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	defer tx.Rollback()
	if err := audit(ctx, tx, s.now(), actorID, action, target, nil, detail); err != nil {
		return err
	}
	return tx.Commit()
}

// nullID is id, or NULL for 0 (the portal itself, or no one).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
