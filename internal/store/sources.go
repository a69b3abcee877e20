package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/source"
)

var (
	_ source.Repository       = (*Store)(nil)
	_ post.CalendarRepository = (*Store)(nil)
)

// AddSource stores a feed added by actorID and returns its id. A feed
// already followed is source.ErrExists (and ErrExists).
func (s *Store) AddSource(ctx context.Context, name, url string, actorID int64) (int64, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: add source %q: %w", url, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sources WHERE url = ?`, url).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: add source %q: %w", url, err)
	}
	if n > 0 {
		return 0, fmt.Errorf("store: add source %q: %w (%w)", url, source.ErrExists, ErrExists)
	}
	now := s.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO sources (name, url, created_by, created_at) VALUES (?, ?, ?, ?)`,
		name, url, actorID, timestamp(now))
	if err != nil {
		return 0, fmt.Errorf("store: add source %q: %w", url, err)
	}
	id, _ := res.LastInsertId()
	if err := audit(ctx, tx, now, actorID, "source.add", fmt.Sprintf("source:%d", id), nil,
		map[string]string{"name": name, "url": url}); err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

const sourceColumns = `s.id, s.name, s.url, s.etag, s.last_modified, s.last_fetched_at, s.last_error,
	(SELECT COUNT(*) FROM source_items i WHERE i.source_id = s.id), s.created_at`

func scanSource(row interface{ Scan(...any) error }, src *source.Source) error {
	return row.Scan(&src.ID, &src.Name, &src.URL, &src.ETag, &src.LastModified, timeScanner{&src.LastFetchedAt},
		&src.LastError, &src.Items, timeScanner{&src.CreatedAt})
}

// Sources returns every source, by name.
func (s *Store) Sources(ctx context.Context) ([]source.Source, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources s ORDER BY lower(s.name), s.id`)
	if err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	defer rows.Close()
	var list []source.Source
	for rows.Next() {
		var src source.Source
		if err := scanSource(rows, &src); err != nil {
			return nil, fmt.Errorf("store: sources: %w", err)
		}
		list = append(list, src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	return list, nil
}

// Source returns the source with the given id.
func (s *Store) Source(ctx context.Context, id int64) (source.Source, error) {
	var src source.Source
	err := scanSource(s.read.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources s WHERE s.id = ?`, id), &src)
	if errors.Is(err, sql.ErrNoRows) {
		return src, fmt.Errorf("store: source %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return src, fmt.Errorf("store: source %d: %w", id, err)
	}
	return src, nil
}

// DeleteSource removes a source and the items still in its queue; drafts
// made from its items stay.
func (s *Store) DeleteSource(ctx context.Context, id, actorID int64) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: delete source %d: %w", id, err)
	}
	defer tx.Rollback()
	var name, url string
	err = tx.QueryRowContext(ctx, `SELECT name, url FROM sources WHERE id = ?`, id).Scan(&name, &url)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: delete source %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: delete source %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM source_items WHERE source_id = ?`, id); err != nil {
		return fmt.Errorf("store: delete source %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sources WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete source %d: %w", id, err)
	}
	if err := audit(ctx, tx, s.now(), actorID, "source.delete", fmt.Sprintf("source:%d", id),
		map[string]string{"name": name, "url": url}, nil); err != nil {
		return err
	}
	return tx.Commit()
}

// RecordPoll stores the outcome of polling source id: on success its new
// validators and the entries not seen before (by GUID or link), on failure
// the error (the old validators and items stay). It returns how many items
// were new.
func (s *Store) RecordPoll(ctx context.Context, id int64, p source.Poll) (int, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: record poll of source %d: %w", id, err)
	}
	defer tx.Rollback()
	now := timestamp(s.now())
	var res sql.Result
	switch {
	case p.Err != "":
		res, err = tx.ExecContext(ctx, `UPDATE sources SET last_fetched_at = ?, last_error = ? WHERE id = ?`, now, p.Err, id)
	case p.NotModified:
		res, err = tx.ExecContext(ctx, `UPDATE sources SET last_fetched_at = ?, last_error = '' WHERE id = ?`, now, id)
	default:
		res, err = tx.ExecContext(ctx, `UPDATE sources SET last_fetched_at = ?, last_error = '', etag = ?, last_modified = ? WHERE id = ?`,
			now, p.ETag, p.LastModified, id)
	}
	if err != nil {
		return 0, fmt.Errorf("store: record poll of source %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, fmt.Errorf("store: record poll of source %d: %w", id, ErrNotFound) // deleted meanwhile
	}
	added := 0
	for _, e := range p.Entries {
		guid := strings.TrimSpace(e.GUID)
		if guid == "" {
			guid = e.Link
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO source_items (source_id, guid, title, link, published_at, found_at)
			SELECT ?, ?, ?, ?, ?, ?
			WHERE NOT EXISTS (SELECT 1 FROM source_items WHERE source_id = ? AND (guid = ? OR link = ?))`,
			id, guid, e.Title, e.Link, nullTimestamp(e.PublishedAt), now, id, guid, e.Link)
		if err != nil {
			return 0, fmt.Errorf("store: record poll of source %d: %w", id, err)
		}
		n, _ := res.RowsAffected()
		added += int(n)
	}
	return added, tx.Commit()
}

const sourceItemColumns = `i.id, i.source_id, s.name, i.guid, i.title, i.link, i.published_at, i.found_at, i.status,
	COALESCE(i.post_id, 0)`

func scanSourceItem(row interface{ Scan(...any) error }, it *source.Item) error {
	return row.Scan(&it.ID, &it.SourceID, &it.SourceName, &it.GUID, &it.Title, &it.Link, timeScanner{&it.PublishedAt},
		timeScanner{&it.FoundAt}, &it.Status, &it.PostID)
}

// NewSourceItems returns the queue "from sources": items neither made into
// a draft nor dismissed, newest first, at most limit (0: all).
func (s *Store) NewSourceItems(ctx context.Context, limit int) ([]source.Item, error) {
	q := `SELECT ` + sourceItemColumns + ` FROM source_items i JOIN sources s ON s.id = i.source_id
		WHERE i.status = 'new' ORDER BY COALESCE(i.published_at, i.found_at) DESC, i.id DESC`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	rows, err := s.read.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: source items: %w", err)
	}
	defer rows.Close()
	var items []source.Item
	for rows.Next() {
		var it source.Item
		if err := scanSourceItem(rows, &it); err != nil {
			return nil, fmt.Errorf("store: source items: %w", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: source items: %w", err)
	}
	return items, nil
}

// SourceItem returns the item with the given id.
func (s *Store) SourceItem(ctx context.Context, id int64) (source.Item, error) {
	return sourceItem(ctx, s.read, id)
}

func sourceItem(ctx context.Context, q rowQuerier, id int64) (source.Item, error) {
	var it source.Item
	err := scanSourceItem(q.QueryRowContext(ctx, `SELECT `+sourceItemColumns+`
		FROM source_items i JOIN sources s ON s.id = i.source_id WHERE i.id = ?`, id), &it)
	if errors.Is(err, sql.ErrNoRows) {
		return it, fmt.Errorf("store: source item %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return it, fmt.Errorf("store: source item %d: %w", id, err)
	}
	return it, nil
}

// ErrItemHandled is source.ErrItemHandled: a source item already made
// into a draft or dismissed. Its kind is apperr.Conflict.
var ErrItemHandled = source.ErrItemHandled

// useSourceItem marks new item id used by post postID, in tx; an item no
// longer new is ErrItemHandled.
func useSourceItem(ctx context.Context, tx *sql.Tx, id, postID int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE source_items SET status = ?, post_id = ? WHERE id = ? AND status = ?`,
		source.ItemUsed, postID, id, source.ItemNew)
	if err != nil {
		return fmt.Errorf("store: source item %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store: source item %d: %w", id, errors.Join(ErrItemHandled, err))
	}
	return nil
}

// DismissSourceItem takes a new item out of the queue without a draft.
func (s *Store) DismissSourceItem(ctx context.Context, id int64) error {
	return s.setItemStatus(ctx, id, source.ItemNew, source.ItemDismissed)
}

func (s *Store) setItemStatus(ctx context.Context, id int64, from, to string) error {
	res, err := s.write.ExecContext(ctx, `UPDATE source_items SET status = ? WHERE id = ? AND status = ?`, to, id, from)
	if err != nil {
		return fmt.Errorf("store: source item %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.SourceItem(ctx, id); err != nil {
			return err
		}
		return fmt.Errorf("store: source item %d: %w", id, ErrItemHandled)
	}
	return nil
}

// SetFeedToken makes hash the SHA-256 of userID's feed token, replacing
// the old one (whose feed links stop working).
func (s *Store) SetFeedToken(ctx context.Context, userID int64, hash string) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO feed_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		userID, hash, timestamp(s.now()))
	if err != nil {
		return fmt.Errorf("store: feed token of user %d: %w", userID, err)
	}
	return nil
}

// FeedTokenCreated reports when userID's feed token was made, or the zero
// time if they have none.
func (s *Store) FeedTokenCreated(ctx context.Context, userID int64) (time.Time, error) {
	var at time.Time
	err := s.read.QueryRowContext(ctx, `SELECT created_at FROM feed_tokens WHERE user_id = ?`, userID).Scan(timeScanner{&at})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return at, fmt.Errorf("store: feed token of user %d: %w", userID, err)
	}
	return at, nil
}

// UserByFeedToken returns the id of the user whose feed token has the
// given hash; an unknown hash is ErrNotFound.
func (s *Store) UserByFeedToken(ctx context.Context, hash string) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT user_id FROM feed_tokens WHERE token_hash = ?`, hash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: feed token: %w", ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: feed token: %w", err)
	}
	return id, nil
}

// FeedReader implements post.CalendarRepository: the user whose feed token
// has the given hash, with their roles. An unknown hash is ErrNotFound.
func (s *Store) FeedReader(ctx context.Context, hash string) (account.User, error) {
	id, err := s.UserByFeedToken(ctx, hash)
	if err != nil {
		return account.User{}, err
	}
	return s.User(ctx, id)
}
