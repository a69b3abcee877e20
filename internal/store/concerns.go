package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/concern"
	"github.com/advocacy-portal/portal/internal/mail"
)

// SettingConcernContacts holds the points of contact for reported concerns,
// a concern.Contacts.
const SettingConcernContacts = "concern_contacts"

// ConcernContacts returns the configured points of contact; never set, it
// is everyone holding the comms role.
func (s *Store) ConcernContacts(ctx context.Context) (concern.Contacts, error) {
	var cc concern.Contacts
	_, err := s.Setting(ctx, SettingConcernContacts, &cc)
	return cc, err
}

// ConcernContactUsers returns the active people who are points of contact
// under cc, by name.
func (s *Store) ConcernContactUsers(ctx context.Context, cc concern.Contacts) ([]account.User, error) {
	var rows *sql.Rows
	var err error
	if len(cc.Emails) > 0 {
		args := make([]any, len(cc.Emails))
		for i, e := range cc.Emails {
			args[i] = e
		}
		rows, err = s.read.QueryContext(ctx, `SELECT id FROM users WHERE active = 1 AND email IN (`+placeholders(len(args))+`)
			ORDER BY name, id`, args...)
	} else {
		rows, err = s.read.QueryContext(ctx, `SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
			WHERE u.active = 1 AND r.role = ? ORDER BY u.name, u.id`, string(cc.EffectiveRole()))
	}
	if err != nil {
		return nil, fmt.Errorf("store: concern contacts: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: concern contacts: %w", err)
		}
		ids = append(ids, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("store: concern contacts: %w", err)
	}
	users := make([]account.User, 0, len(ids))
	for _, id := range ids {
		u, err := s.User(ctx, id)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, nil
}

const concernColumns = `c.id, c.reporter_id, r.name, r.email, c.link, c.kind, c.description, c.urgent, COALESCE(c.image_id, 0),
	c.status, COALESCE(c.assignee_id, 0), COALESCE(a.name, ''), c.created_at, c.updated_at`

const concernFrom = ` FROM concerns c JOIN users r ON r.id = c.reporter_id LEFT JOIN users a ON a.id = c.assignee_id`

func scanConcern(row interface{ Scan(...any) error }) (concern.Concern, error) {
	var c concern.Concern
	err := row.Scan(&c.ID, &c.ReporterID, &c.ReporterName, &c.ReporterEmail, &c.Link, &c.Kind, &c.Description, &c.Urgent,
		&c.ImageID, &c.Status, &c.AssigneeID, &c.AssigneeName, timeScanner{&c.CreatedAt}, timeScanner{&c.UpdatedAt})
	return c, err
}

// CreateConcern stores c as reported by c.ReporterID, records it in its
// history and, in the same transaction, queues the mails notify returns for
// its new id (notify may be nil). A screenshot that is not nil is saved as
// the concern's image in the same transaction, so a report that is not
// stored leaves no image behind. It returns the new id.
func (s *Store) CreateConcern(ctx context.Context, c concern.Concern, screenshot *Image, notify func(id int64) []mail.Mail) (int64, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: create concern: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	if screenshot != nil {
		if c.ImageID, err = s.saveImage(ctx, tx, *screenshot, c.ReporterID); err != nil {
			return 0, fmt.Errorf("store: create concern: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO concerns (reporter_id, link, kind, description, urgent, image_id, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ReporterID, c.Link, c.Kind, c.Description, c.Urgent, nullID(c.ImageID),
		concern.StatusNew, timestamp(now), timestamp(now))
	if err != nil {
		return 0, fmt.Errorf("store: create concern: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: create concern: %w", err)
	}
	if err := addConcernEvent(ctx, tx, now, id, c.ReporterID, concern.ActionReport, ""); err != nil {
		return 0, err
	}
	var mails []mail.Mail
	if notify != nil {
		mails = notify(id)
	}
	for _, m := range mails {
		if _, err := enqueueMail(ctx, tx, now, m); err != nil {
			return 0, err
		}
	}
	if len(mails) == 0 {
		err = tx.Commit()
	} else {
		err = s.commitMail(tx)
	}
	if err != nil {
		return 0, fmt.Errorf("store: create concern: %w", err)
	}
	return id, nil
}

func addConcernEvent(ctx context.Context, tx *sql.Tx, now time.Time, id, actorID int64, action, note string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO concern_events (concern_id, actor_id, action, note, at) VALUES (?, ?, ?, ?, ?)`,
		id, actorID, action, note, timestamp(now)); err != nil {
		return fmt.Errorf("store: concern %d: record %s: %w", id, action, err)
	}
	return nil
}

// Concern returns the concern with the given id; an unknown id is
// ErrNotFound. Who may see it is the caller's to check.
func (s *Store) Concern(ctx context.Context, id int64) (concern.Concern, error) {
	c, err := scanConcern(s.read.QueryRowContext(ctx, `SELECT `+concernColumns+concernFrom+` WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("store: concern %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("store: concern %d: %w", id, err)
	}
	return c, nil
}

// ConcernsReportedBy returns the concerns reporterID reported, newest first.
func (s *Store) ConcernsReportedBy(ctx context.Context, reporterID int64) ([]concern.Concern, error) {
	return s.concerns(ctx, ` WHERE c.reporter_id = ? ORDER BY c.created_at DESC, c.id DESC`, reporterID)
}

// ConcernQueue returns every concern for the points of contact: open ones
// before closed ones, urgent first, then oldest first.
func (s *Store) ConcernQueue(ctx context.Context) ([]concern.Concern, error) {
	return s.concerns(ctx, ` ORDER BY c.status = 'closed', c.urgent DESC, c.created_at, c.id`)
}

func (s *Store) concerns(ctx context.Context, where string, args ...any) ([]concern.Concern, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+concernColumns+concernFrom+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: concerns: %w", err)
	}
	defer rows.Close()
	var out []concern.Concern
	for rows.Next() {
		c, err := scanConcern(rows)
		if err != nil {
			return nil, fmt.Errorf("store: concerns: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: concerns: %w", err)
	}
	return out, nil
}

// ConcernHistory returns what happened to concern id, oldest first.
func (s *Store) ConcernHistory(ctx context.Context, id int64) ([]concern.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, e.concern_id, e.actor_id, u.name, e.action, e.note, e.at
		FROM concern_events e JOIN users u ON u.id = e.actor_id WHERE e.concern_id = ? ORDER BY e.at, e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: concern %d history: %w", id, err)
	}
	defer rows.Close()
	var out []concern.Event
	for rows.Next() {
		var e concern.Event
		if err := rows.Scan(&e.ID, &e.ConcernID, &e.ActorID, &e.ActorName, &e.Action, &e.Note, timeScanner{&e.At}); err != nil {
			return nil, fmt.Errorf("store: concern %d history: %w", id, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: concern %d history: %w", id, err)
	}
	return out, nil
}

// AcknowledgeConcern marks concern id as acknowledged by actorID. A closed
// concern stays closed; the acknowledgement is still recorded.
func (s *Store) AcknowledgeConcern(ctx context.Context, id, actorID int64) error {
	return s.actOnConcern(ctx, id, actorID, concern.ActionAcknowledge, "",
		`UPDATE concerns SET status = CASE status WHEN 'new' THEN 'acknowledged' ELSE status END, updated_at = ? WHERE id = ?`)
}

// AssignConcern assigns concern id to assigneeID; note names the assignee
// in the history. A new concern becomes acknowledged.
func (s *Store) AssignConcern(ctx context.Context, id, actorID, assigneeID int64, note string) error {
	return s.actOnConcern(ctx, id, actorID, concern.ActionAssign, note,
		`UPDATE concerns SET assignee_id = ?, status = CASE status WHEN 'new' THEN 'acknowledged' ELSE status END, updated_at = ?
		WHERE id = ?`, assigneeID)
}

// CommentOnConcern adds actorID's comment to concern id's history.
func (s *Store) CommentOnConcern(ctx context.Context, id, actorID int64, comment string) error {
	return s.actOnConcern(ctx, id, actorID, concern.ActionComment, comment, `UPDATE concerns SET updated_at = ? WHERE id = ?`)
}

// CloseConcern closes concern id, with an optional closing note.
func (s *Store) CloseConcern(ctx context.Context, id, actorID int64, note string) error {
	return s.actOnConcern(ctx, id, actorID, concern.ActionClose, note,
		`UPDATE concerns SET status = 'closed', updated_at = ? WHERE id = ?`)
}

// actOnConcern runs update (whose last two arguments are the time and the
// id, after extra) and records the action, in one transaction. An unknown
// id is ErrNotFound.
func (s *Store) actOnConcern(ctx context.Context, id, actorID int64, action, note, update string, extra ...any) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: concern %d: %s: %w", id, action, err)
	}
	defer tx.Rollback()
	now := s.now()
	res, err := tx.ExecContext(ctx, update, append(extra, timestamp(now), id)...)
	if err := checkOneRow(res, err, "concern %d: %s", id, action); err != nil {
		return err
	}
	if err := addConcernEvent(ctx, tx, now, id, actorID, action, note); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: concern %d: %s: %w", id, action, err)
	}
	return nil
}
