package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/advocacy-portal/portal/internal/post"
)

// CreatePost stores a new draft written by authorID and returns its id.
// The input must have been validated.
func (s *Store) CreatePost(ctx context.Context, in post.Input, authorID int64) (int64, error) {
	now := timestamp(s.now())
	res, err := s.write.ExecContext(ctx, `INSERT INTO posts
		(title, url, commentary, category, campaign, slug, status, author_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Title, in.URL, in.Commentary, in.Category, in.Campaign, post.Slugify(in.Title),
		string(post.Draft), authorID, now, now)
	if err != nil {
		return 0, fmt.Errorf("store: create post %q: %w", in.Title, err)
	}
	return res.LastInsertId()
}

const postColumns = `p.id, p.title, p.url, p.commentary, p.category, p.campaign, p.slug, p.status,
	p.author_id, u.name, COALESCE(p.approver_id, 0), p.publish_at, p.expires_at, p.created_at, p.updated_at`

const postFrom = ` FROM posts p JOIN users u ON u.id = p.author_id`

func scanPost(row interface{ Scan(...any) error }, p *post.Post) error {
	return row.Scan(&p.ID, &p.Title, &p.URL, &p.Commentary, &p.Category, &p.Campaign, &p.Slug, &p.Status,
		&p.AuthorID, &p.AuthorName, &p.ApproverID, timeScanner{&p.PublishAt}, timeScanner{&p.ExpiresAt},
		timeScanner{&p.CreatedAt}, timeScanner{&p.UpdatedAt})
}

// Post returns the post with the given id.
func (s *Store) Post(ctx context.Context, id int64) (post.Post, error) {
	return s.postFrom(ctx, s.read, id)
}

func (s *Store) postFrom(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) (post.Post, error) {
	var p post.Post
	err := scanPost(q.QueryRowContext(ctx, `SELECT `+postColumns+postFrom+` WHERE p.id = ?`, id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: post %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("store: post %d: %w", id, err)
	}
	return p, nil
}

// Posts returns every post that is not archived, newest first.
func (s *Store) Posts(ctx context.Context) ([]post.Post, error) {
	return s.queryPosts(ctx, `SELECT `+postColumns+postFrom+` WHERE p.status <> ? ORDER BY p.updated_at DESC, p.id DESC`,
		string(post.Archived))
}

// LivePosts returns the posts employees can share at the store's now, newest first.
func (s *Store) LivePosts(ctx context.Context) ([]post.Post, error) {
	now := timestamp(s.now())
	return s.queryPosts(ctx, `SELECT `+postColumns+postFrom+`
		WHERE p.status = ? AND p.publish_at <= ? AND (p.expires_at IS NULL OR p.expires_at > ?)
		ORDER BY p.publish_at DESC, p.id DESC`, string(post.Approved), now, now)
}

func (s *Store) queryPosts(ctx context.Context, query string, args ...any) ([]post.Post, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list posts: %w", err)
	}
	defer rows.Close()
	var posts []post.Post
	for rows.Next() {
		var p post.Post
		if err := scanPost(rows, &p); err != nil {
			return nil, fmt.Errorf("store: list posts: %w", err)
		}
		posts = append(posts, p)
	}
	return posts, rows.Err()
}

// TransitionPost applies a workflow action to a post on behalf of actorID,
// under policy, and records the change in the post's history. A refused
// action returns the policy's *post.TransitionError and changes nothing.
func (s *Store) TransitionPost(ctx context.Context, id int64, a post.Action, actorID int64, comment string, policy post.Policy) (post.Post, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return post.Post{}, fmt.Errorf("store: %s post %d: %w", a, id, err)
	}
	defer tx.Rollback()
	p, err := s.postFrom(ctx, tx, id)
	if err != nil {
		return p, err
	}
	to, err := policy.Next(p, a, actorID, comment)
	if err != nil {
		return p, err
	}
	now := s.now()
	if to == post.Approved {
		// Published at once; scheduling comes with the content calendar.
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET approver_id = ?, publish_at = COALESCE(publish_at, ?) WHERE id = ?`,
			actorID, timestamp(now), id); err != nil {
			return p, fmt.Errorf("store: approve post %d: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET status = ?, updated_at = ? WHERE id = ?`,
		string(to), timestamp(now), id); err != nil {
		return p, fmt.Errorf("store: %s post %d: %w", a, id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO post_events (post_id, actor_id, from_status, to_status, comment, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, actorID, string(p.Status), string(to), comment, timestamp(now)); err != nil {
		return p, fmt.Errorf("store: record %s of post %d: %w", a, id, err)
	}
	if p, err = s.postFrom(ctx, tx, id); err != nil {
		return p, err
	}
	return p, tx.Commit()
}

// PostHistory returns a post's status changes, oldest first.
func (s *Store) PostHistory(ctx context.Context, id int64) ([]post.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT u.name, e.from_status, e.to_status, e.comment, e.created_at
		FROM post_events e JOIN users u ON u.id = e.actor_id WHERE e.post_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: history of post %d: %w", id, err)
	}
	defer rows.Close()
	var events []post.Event
	for rows.Next() {
		var e post.Event
		if err := rows.Scan(&e.ActorName, &e.From, &e.To, &e.Comment, timeScanner{&e.At}); err != nil {
			return nil, fmt.Errorf("store: history of post %d: %w", id, err)
		}
		events = append(events, e)
	}
	return events, rows.Err()
}
