package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/post"
)

// Setting keys.
const (
	SettingRequiredModules = "required_modules" // []string: module ids that unlock sharing
	SettingNetworksEnabled = "networks_enabled" // []string of share.Network: the networks offered (share.Offered)
	SettingFourEyes        = "four_eyes"        // bool: post.Policy.FourEyes; true by default
	SettingCheckRules      = "check_rules"      // check.Rules: the checks posts pass to be submitted and approved
)

// Setting decodes the JSON value of a setting into dst. It reports false,
// leaving dst alone, when the setting was never changed from its default.
func (s *Store) Setting(ctx context.Context, key string, dst any) (bool, error) {
	return setting(ctx, s.read, key, dst)
}

func setting(ctx context.Context, q rowQuerier, key string, dst any) (bool, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: setting %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return false, fmt.Errorf("store: setting %s: %w", key, err)
	}
	return true, nil
}

// SetSetting stores a setting's new value and audit-logs the change with
// its old value.
func (s *Store) SetSetting(ctx context.Context, key string, value any, actorID int64) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	defer tx.Rollback()
	if err := setSetting(ctx, tx, s.now(), key, value, actorID); err != nil {
		return err
	}
	return tx.Commit()
}

// setSetting is SetSetting inside the caller's transaction.
func setSetting(ctx context.Context, tx *sql.Tx, now time.Time, key string, value any, actorID int64) error {
	b, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	var old sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&old); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		key, string(b), nullID(actorID), timestamp(now)); err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	var before any
	if old.Valid {
		before = json.RawMessage(old.String)
	}
	return audit(ctx, tx, now, actorID, "settings.change", "setting:"+key, before, json.RawMessage(b))
}

// SaveContentSettings stores the content settings in one transaction:
// the check rules, the four-eyes rule and, unless cs.Networks is nil, the
// networks offered, each change audit-logged with its old value.
func (s *Store) SaveContentSettings(ctx context.Context, cs post.ContentSettings, actorID int64) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: save content settings: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	if err := setSetting(ctx, tx, now, SettingCheckRules, cs.Checks, actorID); err != nil {
		return err
	}
	if err := setSetting(ctx, tx, now, SettingFourEyes, cs.FourEyes, actorID); err != nil {
		return err
	}
	if cs.Networks != nil {
		if err := setSetting(ctx, tx, now, SettingNetworksEnabled, cs.Networks, actorID); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// EnabledNetworks returns the ids of the networks admins enabled; chosen
// is false if they never chose (share.Offered).
func (s *Store) EnabledNetworks(ctx context.Context) (ids []string, chosen bool, err error) {
	chosen, err = setting(ctx, s.read, SettingNetworksEnabled, &ids)
	return ids, chosen, err
}
