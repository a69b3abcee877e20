package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/post"
)

var _ post.Repository = (*Store)(nil)

// PostSettings implements post.Repository: defaults with the four-eyes
// and check settings admins saved applied over them.
func (s *Store) PostSettings(ctx context.Context, defaults post.Settings) (post.Settings, error) {
	return postSettings(ctx, s.read, defaults)
}

// postSettings reads the workflow settings through q over set: a setting
// never saved keeps its default, and saved check rules are decoded over
// the default ones.
func postSettings(ctx context.Context, q rowQuerier, set post.Settings) (post.Settings, error) {
	var fourEyes bool
	found, err := setting(ctx, q, SettingFourEyes, &fourEyes)
	if err != nil {
		return set, err
	}
	if found {
		set.Policy.FourEyes = fourEyes
	}
	if _, err := setting(ctx, q, SettingCheckRules, &set.Checks); err != nil {
		return set, err
	}
	return set, nil
}

// postState reads, in tx, what a decision on q needs (post.State).
func (s *Store) postState(ctx context.Context, tx *sql.Tx, q post.Query) (post.State, error) {
	st := post.State{Now: s.now(), CampaignFound: true}
	var err error
	if q.PostID != 0 {
		if st.Post, err = s.lockPost(ctx, tx, q.PostID); err != nil {
			return st, err
		}
	}
	if st.Settings, err = postSettings(ctx, tx, q.Defaults); err != nil {
		return st, err
	}
	if q.CampaignID != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = ?)`, q.CampaignID).Scan(&st.CampaignFound); err != nil {
			return st, fmt.Errorf("store: campaign %d: %w", q.CampaignID, err)
		}
	}
	if q.SourceItemID != 0 {
		if st.SourceItem, err = sourceItem(ctx, tx, q.SourceItemID); err != nil {
			return st, err
		}
	}
	return st, nil
}

// lockPost reads the post a write transaction decides on, holding it until
// the transaction ends. On SQLite the write transaction began with BEGIN
// IMMEDIATE and holds the database's one write lock already; a PostgreSQL
// store selects the row FOR UPDATE here.
func (s *Store) lockPost(ctx context.Context, tx *sql.Tx, id int64) (post.Post, error) {
	return s.postFrom(ctx, tx, id)
}

// CreatePost implements post.Repository: it reads the state for q, asks
// decide, and stores the new post decide returns, in one transaction: its
// image, the draft with its suggestions and groups, its author as the
// first editor, its submission if it is sent for review at once, and the
// source item it was made of as used by it. A refusal stores nothing, not
// even the image.
func (s *Store) CreatePost(ctx context.Context, q post.Query, decide func(post.State) (post.NewPost, error)) (post.Post, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return post.Post{}, fmt.Errorf("store: create post: %w", err)
	}
	defer tx.Rollback()
	st, err := s.postState(ctx, tx, q)
	if err != nil {
		return post.Post{}, err
	}
	np, err := decide(st)
	if err != nil {
		return post.Post{}, err
	}
	id, err := s.insertPost(ctx, tx, np, st.Now)
	if err != nil {
		return post.Post{}, err
	}
	if np.SourceItemID != 0 {
		if err := useSourceItem(ctx, tx, np.SourceItemID, id); err != nil {
			return post.Post{}, err
		}
	}
	if np.Submit != nil {
		if err := applyChange(ctx, tx, id, *np.Submit, st.Now); err != nil {
			return post.Post{}, err
		}
	}
	p, err := s.postFrom(ctx, tx, id)
	if err != nil {
		return p, err
	}
	if err := tx.Commit(); err != nil {
		return post.Post{}, fmt.Errorf("store: create post %q: %w", np.Fields.Title, err)
	}
	return p, nil
}

// insertPost stores np as a draft in tx and returns its id: its image
// (which replaces np.Fields.ImageID), suggestions and groups, and its
// author as the editor of what they wrote.
func (s *Store) insertPost(ctx context.Context, tx *sql.Tx, np post.NewPost, at time.Time) (int64, error) {
	f := np.Fields
	var err error
	if np.Image != nil {
		if f.ImageID, err = s.saveImage(ctx, tx, imageOf(*np.Image), np.AuthorID); err != nil {
			return 0, err
		}
	}
	now := timestamp(at)
	var suggestedBy any
	if np.Suggested {
		suggestedBy = np.AuthorID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO posts
		(title, url, category, language, campaign_id, hashtags, image_id, note, slug, status, author_id, suggested_by,
		 publish_at, expires_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.Title, f.URL, string(f.Category), f.Language, nullID(f.CampaignID), strings.Join(f.Hashtags, " "), nullID(f.ImageID),
		f.Note, post.Slugify(f.Title), string(post.Draft), np.AuthorID, suggestedBy,
		nullTimestamp(f.PublishAt), nullTimestamp(f.ExpiresAt), now, now)
	if err != nil {
		return 0, fmt.Errorf("store: create post %q: %w", f.Title, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: create post %q: %w", f.Title, err)
	}
	if err := writePostParts(ctx, tx, id, f); err != nil {
		return 0, err
	}
	if err := recordContentEdit(ctx, tx, id, np.AuthorID, np.Written, now); err != nil {
		return 0, err
	}
	return id, nil
}

// imageOf is an upload as the store keeps it.
func imageOf(u post.Upload) Image {
	return Image{ContentType: u.ContentType, Data: u.Data, Width: u.Width, Height: u.Height}
}

// recordContentEdit records that editorID changed fields of a post's
// content in its current approval cycle, for the four-eyes rule. It runs
// in the transaction of the edit itself.
func recordContentEdit(ctx context.Context, tx *sql.Tx, id, editorID int64, fields []post.ContentField, at string) error {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = string(f)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO post_content_edits (post_id, cycle, editor_id, fields, created_at)
		SELECT id, review_cycle, ?, ?, ? FROM posts WHERE id = ?`, editorID, strings.Join(names, " "), at, id); err != nil {
		return fmt.Errorf("store: record editor of post %d: %w", id, err)
	}
	return nil
}

// writePostParts replaces a post's suggestions and target groups.
func writePostParts(ctx context.Context, tx *sql.Tx, id int64, f post.Fields) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM post_suggestions WHERE post_id = ?`, id); err != nil {
		return fmt.Errorf("store: suggestions of post %d: %w", id, err)
	}
	for i, sg := range f.Suggestions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_suggestions (post_id, network, position, text) VALUES (?, ?, ?, ?)`,
			id, sg.Network, i, sg.Text); err != nil {
			return fmt.Errorf("store: suggestions of post %d: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM post_groups WHERE post_id = ?`, id); err != nil {
		return fmt.Errorf("store: groups of post %d: %w", id, err)
	}
	for _, g := range f.GroupIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_groups (post_id, group_id) VALUES (?, ?)`, id, g); err != nil {
			return fmt.Errorf("store: groups of post %d: %w", id, err)
		}
	}
	return nil
}

// UpdatePost implements post.Repository: it reads the state for q, asks
// decide, and writes the revision decide returns, in one transaction: the
// new image if any, the fields and status (a post leaving approval loses
// its approver and its publication), an edit in the history, and the
// actor as an editor of the content they changed. A refusal writes
// nothing, not even the image.
func (s *Store) UpdatePost(ctx context.Context, q post.Query, decide func(post.State) (post.Revision, error)) (post.Post, error) {
	id := q.PostID
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return post.Post{}, fmt.Errorf("store: update post %d: %w", id, err)
	}
	defer tx.Rollback()
	st, err := s.postState(ctx, tx, q)
	if err != nil {
		return st.Post, err
	}
	rev, err := decide(st)
	if err != nil {
		return st.Post, err
	}
	f := rev.Fields
	if rev.Image != nil {
		if f.ImageID, err = s.saveImage(ctx, tx, imageOf(*rev.Image), rev.ActorID); err != nil {
			return st.Post, err
		}
	}
	now := timestamp(st.Now)
	to := string(rev.To)
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET title = ?, url = ?, category = ?, language = ?, campaign_id = ?,
		hashtags = ?, image_id = ?, publish_at = ?, expires_at = ?, status = ?, updated_at = ?,
		approver_id = CASE WHEN ? = 'approved' THEN approver_id ELSE NULL END,
		went_live_at = CASE WHEN ? = 'approved' THEN went_live_at ELSE NULL END,
		expired_at = NULL
		WHERE id = ?`,
		f.Title, f.URL, string(f.Category), f.Language, nullID(f.CampaignID), strings.Join(f.Hashtags, " "), nullID(f.ImageID),
		nullTimestamp(f.PublishAt), nullTimestamp(f.ExpiresAt), to, now, to, to, id); err != nil {
		return st.Post, fmt.Errorf("store: update post %d: %w", id, err)
	}
	if err := writePostParts(ctx, tx, id, f); err != nil {
		return st.Post, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO post_events (post_id, actor_id, from_status, to_status, comment, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, rev.ActorID, string(rev.From), to, "edit: "+rev.Comment, now); err != nil {
		return st.Post, fmt.Errorf("store: record edit of post %d: %w", id, err)
	}
	if len(rev.Changed) > 0 {
		if err := recordContentEdit(ctx, tx, id, rev.ActorID, rev.Changed, now); err != nil {
			return st.Post, err
		}
	}
	p, err := s.postFrom(ctx, tx, id)
	if err != nil {
		return p, err
	}
	if err := tx.Commit(); err != nil {
		return post.Post{}, fmt.Errorf("store: update post %d: %w", id, err)
	}
	return p, nil
}

const postColumns = `p.id, p.title, p.url, p.category, p.language, COALESCE(p.campaign_id, 0), COALESCE(c.name, ''),
	COALESCE(c.slug, p.slug), p.hashtags, p.status, p.author_id, u.name, COALESCE(p.approver_id, 0),
	COALESCE(sb.name, ''), p.note, COALESCE(p.image_id, 0), p.publish_at, p.expires_at, p.went_live_at, p.expired_at,
	p.created_at, p.updated_at`

const postFrom = ` FROM posts p JOIN users u ON u.id = p.author_id
	LEFT JOIN campaigns c ON c.id = p.campaign_id LEFT JOIN users sb ON sb.id = p.suggested_by`

func scanPost(row interface{ Scan(...any) error }, p *post.Post) error {
	var hashtags string
	err := row.Scan(&p.ID, &p.Title, &p.URL, &p.Category, &p.Language, &p.CampaignID, &p.CampaignName, &p.Slug, &hashtags,
		&p.Status, &p.AuthorID, &p.AuthorName, &p.ApproverID, &p.SuggestedBy, &p.Note, &p.ImageID,
		timeScanner{&p.PublishAt}, timeScanner{&p.ExpiresAt}, timeScanner{&p.WentLiveAt}, timeScanner{&p.ExpiredAt},
		timeScanner{&p.CreatedAt}, timeScanner{&p.UpdatedAt})
	p.Hashtags = strings.Fields(hashtags)
	return err
}

// Post returns the post with the given id, with its suggestions and groups.
func (s *Store) Post(ctx context.Context, id int64) (post.Post, error) {
	return s.postFrom(ctx, s.read, id)
}

type rowQuerier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

func (s *Store) postFrom(ctx context.Context, q rowQuerier, id int64) (post.Post, error) {
	var p post.Post
	err := scanPost(q.QueryRowContext(ctx, `SELECT `+postColumns+postFrom+` WHERE p.id = ?`, id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: post %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("store: post %d: %w", id, err)
	}
	posts := []post.Post{p}
	if err := loadPostParts(ctx, q, posts); err != nil {
		return p, err
	}
	return posts[0], nil
}

// loadPostParts fills in the suggestions and groups of posts.
func loadPostParts(ctx context.Context, q rowQuerier, posts []post.Post) error {
	if len(posts) == 0 {
		return nil
	}
	index := map[int64]int{}
	ids := make([]any, len(posts))
	for i, p := range posts {
		index[p.ID] = i
		ids[i] = p.ID
	}
	in := placeholders(len(ids))
	rows, err := q.QueryContext(ctx, `SELECT post_id, network, text FROM post_suggestions WHERE post_id IN (`+in+`) ORDER BY post_id, position`, ids...)
	if err != nil {
		return fmt.Errorf("store: post suggestions: %w", err)
	}
	for rows.Next() {
		var id int64
		var sg post.Suggestion
		if err := rows.Scan(&id, &sg.Network, &sg.Text); err != nil {
			rows.Close()
			return fmt.Errorf("store: post suggestions: %w", err)
		}
		posts[index[id]].Suggestions = append(posts[index[id]].Suggestions, sg)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: post suggestions: %w", err)
	}
	if err := loadEditors(ctx, q, posts, index, in, ids); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT pg.post_id, g.id, g.name FROM post_groups pg JOIN groups g ON g.id = pg.group_id
		WHERE pg.post_id IN (`+in+`) ORDER BY g.name`, ids...)
	if err != nil {
		return fmt.Errorf("store: post groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, gid int64
		var name string
		if err := rows.Scan(&id, &gid, &name); err != nil {
			return fmt.Errorf("store: post groups: %w", err)
		}
		p := &posts[index[id]]
		p.GroupIDs, p.Groups = append(p.GroupIDs, gid), append(p.Groups, name)
	}
	return rows.Err()
}

// loadEditors fills in who changed the content of posts in their current
// approval cycle (post.Post.Editors).
func loadEditors(ctx context.Context, q rowQuerier, posts []post.Post, index map[int64]int, in string, ids []any) error {
	rows, err := q.QueryContext(ctx, `SELECT e.post_id, e.editor_id, u.name, e.fields FROM post_content_edits e
		JOIN posts p ON p.id = e.post_id AND e.cycle = p.review_cycle JOIN users u ON u.id = e.editor_id
		WHERE e.post_id IN (`+in+`) ORDER BY e.post_id, e.id`, ids...)
	if err != nil {
		return fmt.Errorf("store: post editors: %w", err)
	}
	defer rows.Close()
	edits := map[int64][]post.Editor{}
	for rows.Next() {
		var id int64
		var e post.Editor
		var fields string
		if err := rows.Scan(&id, &e.ID, &e.Name, &fields); err != nil {
			return fmt.Errorf("store: post editors: %w", err)
		}
		for _, f := range strings.Fields(fields) {
			e.Fields = append(e.Fields, post.ContentField(f))
		}
		edits[id] = append(edits[id], e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: post editors: %w", err)
	}
	for id, es := range edits {
		posts[index[id]].Editors = post.MergeEdits(es)
	}
	return nil
}

// liveAt returns post.Post.Live(at) as an SQL condition on the post in
// the table or alias named p, with its arguments: the status is
// post.Approved and at is the time, both passed as parameters. Times are
// stored to the millisecond and compare as strings: a stored time is at
// or before at exactly when it is at or before timestamp(at).
// TestLiveAgreesWithPhase holds it to post.Post.Phase.
func liveAt(p string, at time.Time) (cond string, args []any) {
	ts := timestamp(at)
	return fmt.Sprintf(`%[1]s.status = ? AND %[1]s.publish_at <= ? AND (%[1]s.expires_at IS NULL OR %[1]s.expires_at > ?)`, p),
		[]any{string(post.Approved), ts, ts}
}

// expiredAt is liveAt's counterpart for post.PhaseExpired: approved,
// published, and its expiry has come.
func expiredAt(p string, at time.Time) (cond string, args []any) {
	ts := timestamp(at)
	return fmt.Sprintf(`%[1]s.status = ? AND %[1]s.publish_at <= ? AND %[1]s.expires_at <= ?`, p),
		[]any{string(post.Approved), ts, ts}
}

// targetedTo is true when the post aliased p is for the user given as its
// one argument: it has no target groups, or the user is in one of them.
const targetedTo = `(NOT EXISTS (SELECT 1 FROM post_groups pg WHERE pg.post_id = p.id)
	OR EXISTS (SELECT 1 FROM post_groups pg JOIN group_members m ON m.group_id = pg.group_id
		WHERE pg.post_id = p.id AND m.user_id = ?))`

// Posts returns the posts matching f, newest first (by publish time, then
// by last change).
func (s *Store) Posts(ctx context.Context, f post.Filter) ([]post.Post, error) {
	var where []string
	var args []any
	if len(f.Statuses) > 0 {
		where = append(where, `p.status IN (`+placeholders(len(f.Statuses))+`)`)
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if f.Category != "" {
		where, args = append(where, `p.category = ?`), append(args, f.Category)
	}
	if f.Campaign != 0 {
		where, args = append(where, `p.campaign_id = ?`), append(args, f.Campaign)
	}
	if f.Language != "" {
		where, args = append(where, `p.language = ?`), append(args, f.Language)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
		where = append(where, `(lower(p.title) LIKE ? ESCAPE '\' OR lower(p.url) LIKE ? ESCAPE '\' OR lower(p.hashtags) LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM post_suggestions ps WHERE ps.post_id = p.id AND lower(ps.text) LIKE ? ESCAPE '\'))`)
		args = append(args, like, like, like, like)
	}
	if !f.From.IsZero() {
		where, args = append(where, `p.publish_at >= ?`), append(args, timestamp(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, `p.publish_at < ?`), append(args, timestamp(f.To))
	}
	if f.ForUser != 0 {
		where, args = append(where, targetedTo), append(args, f.ForUser)
	}
	if !f.LiveAt.IsZero() {
		live, liveArgs := liveAt("p", f.LiveAt)
		where, args = append(where, live), append(args, liveArgs...)
	}
	query := `SELECT ` + postColumns + postFrom
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY COALESCE(p.publish_at, p.updated_at) DESC, p.id DESC`
	if f.Limit > 0 {
		query += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list posts: %w", err)
	}
	var posts []post.Post
	for rows.Next() {
		var p post.Post
		if err := scanPost(rows, &p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: list posts: %w", err)
		}
		posts = append(posts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list posts: %w", err)
	}
	return posts, loadPostParts(ctx, s.read, posts)
}

// Targeted reports whether the post is for the user: it has no target
// groups, or the user is in one of them.
func (s *Store) Targeted(ctx context.Context, postID, userID int64) (bool, error) {
	return targeted(ctx, s.read, postID, userID)
}

func targeted(ctx context.Context, q rowQuerier, postID, userID int64) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM post_groups WHERE post_id = ?)
		OR EXISTS (SELECT 1 FROM post_groups pg JOIN group_members m ON m.group_id = pg.group_id WHERE pg.post_id = ? AND m.user_id = ?)`,
		postID, postID, userID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: targeting of post %d: %w", postID, err)
	}
	return ok, nil
}

// TransitionPost implements post.Repository: it reads the state for q,
// the post's editors included, asks decide, and writes the change decide
// returns, in one transaction, so that the four-eyes rule judges the
// editors as they are when the post is approved. A refusal writes nothing.
func (s *Store) TransitionPost(ctx context.Context, q post.Query, decide func(post.State) (post.Change, error)) (post.Post, error) {
	id := q.PostID
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return post.Post{}, fmt.Errorf("store: change post %d: %w", id, err)
	}
	defer tx.Rollback()
	st, err := s.postState(ctx, tx, q)
	if err != nil {
		return st.Post, err
	}
	ch, err := decide(st)
	if err != nil {
		return st.Post, err
	}
	if err := applyChange(ctx, tx, id, ch, st.Now); err != nil {
		return st.Post, err
	}
	p, err := s.postFrom(ctx, tx, id)
	if err != nil {
		return p, err
	}
	if err := tx.Commit(); err != nil {
		return post.Post{}, fmt.Errorf("store: %s post %d: %w", ch.Action, id, err)
	}
	return p, nil
}

// applyChange writes a status change of post id in tx: the status, for an
// approval its approver and publish time and the end of its approval
// cycle (edits after it make new editors), an entry in its history, and
// the audit entry when the change is audited.
func applyChange(ctx context.Context, tx *sql.Tx, id int64, ch post.Change, at time.Time) error {
	now := timestamp(at)
	if ch.To == post.Approved {
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET approver_id = ?, publish_at = ?, review_cycle = review_cycle + 1 WHERE id = ?`,
			ch.ActorID, timestamp(ch.PublishAt), id); err != nil {
			return fmt.Errorf("store: approve post %d: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET status = ?, updated_at = ? WHERE id = ?`,
		string(ch.To), now, id); err != nil {
		return fmt.Errorf("store: %s post %d: %w", ch.Action, id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO post_events (post_id, actor_id, from_status, to_status, comment, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, ch.ActorID, string(ch.From), string(ch.To), ch.Comment, now); err != nil {
		return fmt.Errorf("store: record %s of post %d: %w", ch.Action, id, err)
	}
	if ch.Audit {
		if err := audit(ctx, tx, at, ch.ActorID, "post."+string(ch.Action), fmt.Sprintf("post:%d", id),
			map[string]string{"status": string(ch.From)}, map[string]string{"status": string(ch.To)}); err != nil {
			return err
		}
	}
	return nil
}

// PostHistory returns a post's history, oldest first: every status change
// and edit, and when the portal published it and saw it expire.
func (s *Store) PostHistory(ctx context.Context, id int64) ([]post.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name, from_status, to_status, comment, at FROM (
			SELECT u.name AS name, 'draft' AS from_status, 'draft' AS to_status, 'created' AS comment, p.created_at AS at, 0 AS ord
				FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = ?
			UNION ALL SELECT u.name, e.from_status, e.to_status, e.comment, e.created_at, e.id
				FROM post_events e JOIN users u ON u.id = e.actor_id WHERE e.post_id = ?
			UNION ALL SELECT '', 'approved', 'approved', kind, at, 1e18 + id FROM post_milestones WHERE post_id = ?)
		ORDER BY at, ord`, id, id, id)
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
		switch {
		case e.ActorName == "" && e.Comment == "published":
			e.Label, e.Comment = "Went live", ""
		case e.ActorName != "" && e.Comment == "created" && e.From == post.Draft && e.To == post.Draft:
			e.Label, e.Comment = "created it as a draft", ""
		case e.ActorName == "" && e.Comment == "expired":
			e.Label, e.Comment = "Expired", ""
		case strings.HasPrefix(e.Comment, "edit: "):
			e.Label, e.Comment = "Edited", strings.TrimPrefix(e.Comment, "edit: ")
		}
		events = append(events, e)
	}
	return events, rows.Err()
}

// PublishDue marks approved posts whose publish time has come as live,
// records it in their history and returns them, once: two instances
// running it at the same time never return the same post (the update
// claims it inside one transaction). Posts under an active crisis pause
// (see pause.go) wait and go live on the first run after it is resumed.
func (s *Store) PublishDue(ctx context.Context) ([]post.Post, error) {
	now := s.now()
	live, liveArgs := liveAt("posts", now)
	paused, pausedArgs := pausedPost("posts")
	return s.claimPosts(ctx, "published", `UPDATE posts SET went_live_at = ? WHERE went_live_at IS NULL
		AND `+live+` AND NOT `+paused+` RETURNING id`, slices.Concat([]any{timestamp(now)}, liveArgs, pausedArgs)...)
}

// ExpireDue marks approved posts whose expiry has come (post.PhaseExpired)
// and returns them, once.
func (s *Store) ExpireDue(ctx context.Context) ([]post.Post, error) {
	now := s.now()
	expired, args := expiredAt("posts", now)
	return s.claimPosts(ctx, "expired", `UPDATE posts SET expired_at = ? WHERE expired_at IS NULL
		AND `+expired+` RETURNING id`, append([]any{timestamp(now)}, args...)...)
}

func (s *Store) claimPosts(ctx context.Context, milestone, query string, args ...any) ([]post.Post, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: schedule posts: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: schedule posts: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: schedule posts: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: schedule posts: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_milestones (post_id, kind, at) VALUES (?, ?, ?)`,
			id, milestone, timestamp(s.now())); err != nil {
			return nil, fmt.Errorf("store: schedule posts: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: schedule posts: %w", err)
	}
	var out []post.Post
	for _, id := range ids {
		p, err := s.Post(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
