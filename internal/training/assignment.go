package training

import "time"

// Assignment is training HR gave to a group or to one person.
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
