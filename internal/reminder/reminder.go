// Package reminder emails people about the training assigned to them: when
// it is assigned, 7 days and 1 day before it is due, and once a day while
// it is overdue. A person gets one mail per pass listing every module it is
// about, not one per module. The job only queues mail in the outbox; the
// mail worker sends it. Every reminder is recorded, so running the job
// again, or on two instances at once, never sends one twice.
package reminder

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

// Job queues training reminders.
type Job struct {
	Store      *store.Store
	Guidelines *training.Guidelines
	BaseURL    string
	Logger     *slog.Logger
	Now        func() time.Time // nil means time.Now
	Notify     func()           // called after mail was queued, to wake the sender; may be nil

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
	task store.Task
	item store.ReminderItem
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
			byUser[t.UserID] = append(byUser[t.UserID], owed{task: t, item: store.ReminderItem{ModuleID: t.ModuleID, Key: r.Key}, kind: r.Kind})
		}
	}
	queued := 0
	for _, userID := range users {
		all := byUser[userID]
		items := make([]store.ReminderItem, len(all))
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
	if queued > 0 && j.Notify != nil {
		j.Notify()
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
var severity = map[string]int{"assigned": 0, "due-soon": 1, "overdue": 2}

// message writes one mail about every owed reminder of one person, in the
// person's language.
func (j *Job) message(due []owed) store.Mail {
	t := due[0].task
	kind := "assigned"
	var lines []string
	for _, o := range due {
		if severity[o.kind] > severity[kind] {
			kind = o.kind
		}
		m, _ := j.Guidelines.Module(o.task.ModuleID)
		line := fmt.Sprintf("- %s: %s", m.In(t.Language).Title, formatDate(o.task.DueAt, t.Language))
		if !slices.Contains(lines, line) {
			lines = append(lines, line)
		}
	}
	link := j.BaseURL + "/training"
	list := strings.Join(lines, "\n")
	mail := store.Mail{To: t.Email, Kind: kind}
	if t.Language == "nl" {
		switch kind {
		case "assigned":
			mail.Subject = "Nieuwe training voor jou"
			mail.Body = fmt.Sprintf("Hallo %s,\n\nJe hebt training gekregen. Rond elke module af vóór de datum erachter; elke module kost een paar minuten:\n\n%s\n\n%s\n\nDelen via het portaal wordt vrijgegeven zodra je de verplichte trainingen hebt gehaald.\n", t.Name, list, link)
		case "due-soon":
			mail.Subject = "Herinnering: je training moet bijna af zijn"
			mail.Body = fmt.Sprintf("Hallo %s,\n\nDeze training moet binnenkort af zijn:\n\n%s\n\n%s\n", t.Name, list, link)
		default:
			mail.Subject = "Je training is te laat"
			mail.Body = fmt.Sprintf("Hallo %s,\n\nDeze training had al af moeten zijn:\n\n%s\n\nRond hem zo snel mogelijk af, of vraag HR om uitstel.\n\n%s\n", t.Name, list, link)
		}
		return mail
	}
	switch kind {
	case "assigned":
		mail.Subject = "New training for you"
		mail.Body = fmt.Sprintf("Hello %s,\n\nYou have been assigned training. Please complete each module by the date beside it; each takes a few minutes:\n\n%s\n\n%s\n\nSharing through the portal unlocks once you have passed the required training.\n", t.Name, list, link)
	case "due-soon":
		mail.Subject = "Reminder: your training is due soon"
		mail.Body = fmt.Sprintf("Hello %s,\n\nThis training is due soon:\n\n%s\n\n%s\n", t.Name, list, link)
	default:
		mail.Subject = "Your training is overdue"
		mail.Body = fmt.Sprintf("Hello %s,\n\nThis training is past its due date:\n\n%s\n\nPlease complete it as soon as you can, or ask HR for more time.\n\n%s\n", t.Name, list, link)
	}
	return mail
}

var dutchMonths = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"}

// formatDate writes a due date the way the person's language does.
func formatDate(t time.Time, lang string) string {
	t = t.UTC()
	if lang == "nl" {
		return fmt.Sprintf("%d %s %d", t.Day(), dutchMonths[t.Month()-1], t.Year())
	}
	return t.Format("2 January 2006")
}
