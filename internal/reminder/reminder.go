// Package reminder emails people about the training assigned to them: when
// it is assigned, 7 days and 1 day before it is due, and once a day while
// it is overdue. A person gets one mail per pass listing every module it is
// about, not one per module, in the person's language. The job only queues
// mail in the outbox; the store wakes the mail worker, which sends it at
// once. Every reminder is recorded, so running the job again, or on two
// instances at once, never sends one twice.
package reminder

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/mail/letter"
	"github.com/advocacy-portal/portal/internal/training"
)

// Store is what the job needs of storage: the open training tasks, which
// reminders each person has had, and a way to queue a mail and record its
// reminders at once, so that no reminder is sent twice.
type Store interface {
	// OpenTasks returns the tasks of active people who have not passed the
	// module yet.
	OpenTasks(ctx context.Context) ([]training.Task, error)
	// UnsentReminders returns those of items not yet sent to the user.
	UnsentReminders(ctx context.Context, userID int64, items []training.ReminderItem) ([]training.ReminderItem, error)
	// QueueReminder puts m in the outbox and records items as sent to the
	// user, in one transaction. If any of them was recorded first (by
	// another instance), nothing is queued and it returns false.
	QueueReminder(ctx context.Context, userID int64, items []training.ReminderItem, m mail.Mail) (bool, error)
}

// Job queues training reminders.
type Job struct {
	Store      Store
	Guidelines *training.Guidelines
	BaseURL    string
	Logger     *slog.Logger
	Now        func() time.Time // nil means time.Now

	wake job.Waker

	// Stats counts passes and failed passes, for /metrics.
	Stats job.Stats
}

// Wake makes Run do a pass now instead of at its next tick, e.g. after an
// assignment was made. It never blocks; it is safe from any goroutine.
func (j *Job) Wake() {
	j.wake.Wake()
}

// owed is a reminder about one module that a person has not had yet.
type owed struct {
	task training.Task
	item training.ReminderItem
	kind string
}

// RunOnce queues the reminders owed now, one mail per person, and returns
// how many mails it queued.
func (j *Job) RunOnce(ctx context.Context) (int, error) {
	now := time.Now()
	if j.Now != nil {
		now = j.Now()
	}
	tasks, err := j.Store.OpenTasks(ctx)
	if err != nil {
		return 0, err
	}
	byUser := map[int64][]owed{}
	var users []int64
	for _, t := range tasks {
		if _, ok := j.Guidelines.Module(t.ModuleID); !ok {
			continue // a module removed from the guidelines
		}
		for _, r := range training.RemindersDue(t.AssignedAt, t.DueAt, now) {
			if _, seen := byUser[t.UserID]; !seen {
				users = append(users, t.UserID)
			}
			byUser[t.UserID] = append(byUser[t.UserID], owed{task: t, item: training.ReminderItem{ModuleID: t.ModuleID, Key: r.Key}, kind: r.Kind})
		}
	}
	queued := 0
	for _, userID := range users {
		all := byUser[userID]
		items := make([]training.ReminderItem, len(all))
		for i, o := range all {
			items[i] = o.item
		}
		unsent, err := j.Store.UnsentReminders(ctx, userID, items)
		if err != nil {
			return queued, err
		}
		if len(unsent) == 0 {
			continue
		}
		var due []owed
		for _, o := range all {
			if slices.Contains(unsent, o.item) {
				due = append(due, o)
			}
		}
		m := j.message(due)
		ok, err := j.Store.QueueReminder(ctx, userID, unsent, m)
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}

// Run runs the job at once, then every interval and whenever woken, until
// ctx is done. Errors are logged and the next run tries again.
func (j *Job) Run(ctx context.Context, interval time.Duration) {
	job.Loop(ctx, interval, &j.wake, func(ctx context.Context) {
		n, err := j.RunOnce(ctx)
		j.Stats.Record(err)
		if err != nil {
			j.Logger.Error("training reminders failed", "err", err)
		} else if n > 0 {
			j.Logger.Info("training reminders queued", "mails", n)
		}
	})
}

// severity orders reminder kinds: the mail is named after the most pressing.
var severity = map[string]int{letter.TrainingAssigned: 0, letter.TrainingDueSoon: 1, letter.TrainingOverdue: 2}

// message writes one mail about every owed reminder of one person, in the
// person's language, module titles included.
func (j *Job) message(due []owed) mail.Mail {
	t := due[0].task
	lang := letter.Lang(t.Language)
	m := letter.Training{Name: t.Name, Kind: letter.TrainingAssigned, URL: j.BaseURL + "/training"}
	for _, o := range due {
		if severity[o.kind] > severity[m.Kind] {
			m.Kind = o.kind
		}
		mod, _ := j.Guidelines.Module(o.task.ModuleID)
		m.Modules = append(m.Modules, letter.Module{Title: mod.In(lang).Title, Due: o.task.DueAt})
	}
	return mail.FromLetter(m.Kind, t.Email, t.Name, m.Write(lang))
}
