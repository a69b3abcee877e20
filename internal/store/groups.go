package store

import (
	"context"
	"fmt"
)

// GroupKind says what a group stands for.
type GroupKind string

// The kinds of group.
const (
	Department GroupKind = "department"
	Location   GroupKind = "location"
	Team       GroupKind = "team"
)

// EnsureGroup returns the id of the group with the given name, creating it
// with kind if it does not exist.
func (s *Store) EnsureGroup(ctx context.Context, name string, kind GroupKind) (int64, error) {
	var id int64
	err := s.write.QueryRowContext(ctx, `INSERT INTO groups (name, kind) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET name = name RETURNING id`, name, string(kind)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: ensure group %q: %w", name, err)
	}
	return id, nil
}

// AddToGroup makes userID a member of groupID; being one already is fine.
func (s *Store) AddToGroup(ctx context.Context, groupID, userID int64) error {
	if _, err := s.write.ExecContext(ctx, `INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)`,
		groupID, userID); err != nil {
		return fmt.Errorf("store: add user %d to group %d: %w", userID, groupID, err)
	}
	return nil
}
