package training

import "time"

// Reminder is an email owed to someone about a module assigned to them.
type Reminder struct {
	Kind string // "assigned", "due-soon" or "overdue"
	// Key tells this reminder apart from others of the same task, so that it
	// is sent once: "assigned", "due-7d-2026-11-29", "due-1d-2026-11-29"
	// (with the due date, so a new due date gets its own reminders), or
	// "overdue-2026-11-22" (with the day it is sent).
	Key string
}

// RemindersDue returns the reminders owed at now for a module assigned at
// assignedAt and due at due that is not passed yet: the notice of the
// assignment, then the most pressing of 7 days before, 1 day before, and
// once a day while overdue. A reminder whose time has been overtaken by a
// later one is not returned, so a job that was down does not send a pile
// of stale mail; one that fell before the assignment was made is skipped.
func RemindersDue(assignedAt, due, now time.Time) []Reminder {
	out := []Reminder{{Kind: "assigned", Key: "assigned"}}
	switch {
	case !now.Before(due):
		out = append(out, Reminder{Kind: "overdue", Key: "overdue-" + now.UTC().Format(time.DateOnly)})
	case !now.Before(due.Add(-24*time.Hour)) && assignedAt.Before(due.Add(-24*time.Hour)):
		out = append(out, Reminder{Kind: "due-soon", Key: "due-1d-" + due.UTC().Format(time.DateOnly)})
	case !now.Before(due.Add(-7*24*time.Hour)) && now.Before(due.Add(-24*time.Hour)) && assignedAt.Before(due.Add(-7*24*time.Hour)):
		out = append(out, Reminder{Kind: "due-soon", Key: "due-7d-" + due.UTC().Format(time.DateOnly)})
	}
	return out
}

// DueFor is the due date of someone who joins a group with an assignment at
// joined: due days later, or the assignment's own date if that is later.
func DueFor(joined time.Time, dueDays int, assignmentDue time.Time) time.Time {
	due := joined.Add(time.Duration(dueDays) * 24 * time.Hour)
	if due.Before(assignmentDue) {
		return assignmentDue
	}
	return due
}
