package training

import (
	"errors"
	"fmt"
	"time"
)

// Assignment is training HR gave to a group or to one person. It gives a
// task per module to the person, or to everyone in the group when it is
// made, due at DueAt; whoever joins the group later gets the tasks when
// they join, due at DueOnJoining.
type Assignment struct {
	ID        int64
	Modules   []string // module ids
	Programme bool     // Modules were the whole code of conduct programme
	GroupID   int64    // or
	UserID    int64
	Target    string    // the group's or the person's name
	DueAt     time.Time // for those assigned now
	DueDays   int       // for those who join the group later
	CreatedBy int64
	CreatedAt time.Time
	People    int // how many people have tasks from it
}

// Check reports whether a can be stored: it names at least one module,
// exactly one of a group and a person, and from 1 to MaxDueDays days to
// complete for those who join the group later.
func (a Assignment) Check() error {
	switch {
	case len(a.Modules) == 0:
		return errors.New("training: an assignment needs modules")
	case (a.GroupID == 0) == (a.UserID == 0):
		return errors.New("training: an assignment needs one group or one person")
	case a.DueDays < 1 || a.DueDays > MaxDueDays:
		return fmt.Errorf("training: an assignment needs 1 to %d days to complete, not %d", MaxDueDays, a.DueDays)
	}
	return nil
}

// DueOnJoining is the due date of someone who joins a's group at joined
// (see DueFor).
func (a Assignment) DueOnJoining(joined time.Time) time.Time {
	return DueFor(joined, a.DueDays, a.DueAt)
}

// Task is one module a person has to pass, with the earliest due date of
// the assignments that gave it to them.
type Task struct {
	UserID     int64
	Name       string
	Email      string
	Language   string
	ModuleID   string
	AssignedAt time.Time
	DueAt      time.Time
}

// ReportRow is one person's standing on one assigned module, with the
// evidence auditors ask for.
type ReportRow struct {
	UserID      int64
	Name        string
	Email       string
	Groups      []string // names of the person's groups, by name
	ModuleID    string
	AssignedAt  time.Time
	DueAt       time.Time
	History     History
	Attempts    int       // submitted attempts, all time
	BestPercent int       // best score, 0 when none
	PassedAt    time.Time // first pass
	PassedHash  string    // module version of the first passing attempt
	AckVersion  string    // latest acknowledged code of conduct version
	AckHash     string
	AckAt       time.Time
}

// ReminderItem is one reminder about one module.
type ReminderItem struct {
	ModuleID string
	Key      string // from RemindersDue
}
