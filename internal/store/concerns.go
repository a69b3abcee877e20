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
// under cc, with their roles, by name.
func (s *Store) ConcernContactUsers(ctx context.Context, cc concern.Contacts) ([]account.User, error) {
	return concernContactUsers(ctx, s.read, cc)
}

// concernContactUsers is ConcernContactUsers read through q. Email
// addresses match as the users table compares them: ignoring case.
func concernContactUsers(ctx context.Context, q rowQuerier, cc concern.Contacts) ([]account.User, error) {
	if len(cc.Emails) > 0 {
		args := make([]any, len(cc.Emails))
		for i, e := range cc.Emails {
			args[i] = e
		}
		return usersWhere(ctx, q, `active = 1 AND email IN (`+placeholders(len(args))+`)`, "name, id", args...)
	}
	return usersWhere(ctx, q, `active = 1 AND id IN (SELECT user_id FROM user_roles WHERE role = ?)`, "name, id",
		string(cc.EffectiveRole()))
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

var _ concern.Repository = (*Store)(nil)

// CreateConcern stores c as reported by c.ReporterID, with shot (nil: none)
// as its image, and records it in its history. When notify is not nil, it
// reads the active points of contact and queues the mails notify returns
// for the new id and them. All of it is one transaction, so a report that
// is not stored leaves no image and no mail behind. It returns the new id.
func (s *Store) CreateConcern(ctx context.Context, c concern.Concern, shot *concern.Screenshot, notify func(id int64, contacts []account.User) []mail.Mail) (int64, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: create concern: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	if shot != nil {
		img := Image{ContentType: shot.ContentType, Data: shot.Data, Width: shot.Width, Height: shot.Height}
		if c.ImageID, err = s.saveImage(ctx, tx, img, c.ReporterID); err != nil {
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
		var cc concern.Contacts
		if _, err := setting(ctx, tx, SettingConcernContacts, &cc); err != nil {
			return 0, err
		}
		contacts, err := concernContactUsers(ctx, tx, cc)
		if err != nil {
			return 0, err
		}
		mails = notify(id, contacts)
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
// ErrNotFound. Who may see it is the caller's to check (concern.Service).
func (s *Store) Concern(ctx context.Context, id int64) (concern.Concern, error) {
	return concernByID(ctx, s.read, id)
}

func concernByID(ctx context.Context, q rowQuerier, id int64) (concern.Concern, error) {
	c, err := scanConcern(q.QueryRowContext(ctx, `SELECT `+concernColumns+concernFrom+` WHERE c.id = ?`, id))
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

// ConcernScreenshot returns the screenshot stored as image imageID; an
// unknown id is ErrNotFound.
func (s *Store) ConcernScreenshot(ctx context.Context, imageID int64) (concern.Screenshot, error) {
	img, err := s.Image(ctx, imageID)
	if err != nil {
		return concern.Screenshot{}, err
	}
	return concern.Screenshot{ContentType: img.ContentType, Data: img.Data, Width: img.Width, Height: img.Height}, nil
}

// TriageConcern reads the concern q names, the points of contact and the
// assignee q names (if any), calls decide with them and writes the step it
// returns: the concern's status and assignee and an entry in its history,
// in one transaction. When decide returns an error, nothing is written and
// the error is returned as it is. An unknown concern is ErrNotFound.
func (s *Store) TriageConcern(ctx context.Context, q concern.TriageQuery, decide func(concern.Triage) (concern.Step, error)) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: triage concern %d: %w", q.ConcernID, err)
	}
	defer tx.Rollback()
	var t concern.Triage
	if t.Concern, err = concernByID(ctx, tx, q.ConcernID); err != nil {
		return err
	}
	if _, err := setting(ctx, tx, SettingConcernContacts, &t.Contacts); err != nil {
		return err
	}
	if q.AssigneeID != 0 {
		found, err := usersWhere(ctx, tx, `id = ?`, "id", q.AssigneeID)
		if err != nil {
			return err
		}
		if len(found) == 1 {
			t.Assignee = &found[0]
		}
	}
	st, err := decide(t)
	if err != nil {
		return err
	}
	now := s.now()
	res, err := tx.ExecContext(ctx, `UPDATE concerns SET status = ?, assignee_id = COALESCE(?, assignee_id), updated_at = ? WHERE id = ?`,
		st.Status, nullID(st.AssigneeID), timestamp(now), q.ConcernID)
	if err := checkOneRow(res, err, "concern %d: %s", q.ConcernID, st.Action); err != nil {
		return err
	}
	if err := addConcernEvent(ctx, tx, now, q.ConcernID, st.ActorID, st.Action, st.Note); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: concern %d: %s: %w", q.ConcernID, st.Action, err)
	}
	return nil
}

// SaveConcernContacts reads the active people with one of the addresses
// cc lists, calls check with them, and unless it refuses saves cc as the
// points of contact, audit-logged as a settings change, in one
// transaction. A refusal is returned as it is, with nothing written.
func (s *Store) SaveConcernContacts(ctx context.Context, cc concern.Contacts, actorID int64, check func(active []account.User) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: save concern contacts: %w", err)
	}
	defer tx.Rollback()
	var active []account.User
	if len(cc.Emails) > 0 {
		if active, err = concernContactUsers(ctx, tx, concern.Contacts{Emails: cc.Emails}); err != nil {
			return err
		}
	}
	if err := check(active); err != nil {
		return err
	}
	if err := setSetting(ctx, tx, s.now(), SettingConcernContacts, cc, actorID); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: save concern contacts: %w", err)
	}
	return nil
}
