package training_test

import (
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/training"
)

func TestRemindersDue(t *testing.T) {
	const day = 24 * time.Hour
	due := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	early := due.Add(-14 * day) // assigned two weeks ahead
	tests := []struct {
		name       string
		assignedAt time.Time
		now        time.Time
		wantKeys   []string
		wantKinds  []string
	}{
		{"just assigned", early, early, []string{"assigned"}, []string{"assigned"}},
		{"before the 7-day mark", early, due.Add(-7*day - time.Minute), []string{"assigned"}, []string{"assigned"}},
		{"at the 7-day mark", early, due.Add(-7 * day), []string{"assigned", "due-7d-2026-11-20"}, []string{"assigned", "due-soon"}},
		{"inside the 7-day window", early, due.Add(-3 * day), []string{"assigned", "due-7d-2026-11-20"}, []string{"assigned", "due-soon"}},
		{"at the 1-day mark", early, due.Add(-day), []string{"assigned", "due-1d-2026-11-20"}, []string{"assigned", "due-soon"}},
		{"inside the 1-day window", early, due.Add(-time.Hour), []string{"assigned", "due-1d-2026-11-20"}, []string{"assigned", "due-soon"}},
		{"due now is overdue", early, due, []string{"assigned", "overdue-2026-11-20"}, []string{"assigned", "overdue"}},
		{"overdue the next day", early, due.Add(day), []string{"assigned", "overdue-2026-11-21"}, []string{"assigned", "overdue"}},
		{"overdue keyed by the UTC date", early, time.Date(2026, 11, 22, 0, 30, 0, 0, time.FixedZone("CET", 3600)),
			[]string{"assigned", "overdue-2026-11-21"}, []string{"assigned", "overdue"}},
		{"assigned 5 days before due: no 7-day reminder", due.Add(-5 * day), due.Add(-3 * day),
			[]string{"assigned"}, []string{"assigned"}},
		{"assigned 5 days before due: the 1-day one comes", due.Add(-5 * day), due.Add(-12 * time.Hour),
			[]string{"assigned", "due-1d-2026-11-20"}, []string{"assigned", "due-soon"}},
		{"assigned 12 hours before due: no 1-day reminder", due.Add(-12 * time.Hour), due.Add(-time.Hour),
			[]string{"assigned"}, []string{"assigned"}},
		{"assigned after it was due", due.Add(time.Hour), due.Add(2 * time.Hour),
			[]string{"assigned", "overdue-2026-11-20"}, []string{"assigned", "overdue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var keys, kinds []string
			for _, r := range training.RemindersDue(tt.assignedAt, due, tt.now) {
				keys, kinds = append(keys, r.Key), append(kinds, r.Kind)
			}
			if !slices.Equal(keys, tt.wantKeys) || !slices.Equal(kinds, tt.wantKinds) {
				t.Errorf("RemindersDue = keys %v kinds %v, want %v %v", keys, kinds, tt.wantKeys, tt.wantKinds)
			}
		})
	}
}

func TestRemindersDueJobDownPastTheDayMark(t *testing.T) {
	// A job that did not run between the 7-day and the 1-day mark sends
	// the 1-day reminder only, not the stale 7-day one as well.
	due := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	assigned := due.Add(-30 * 24 * time.Hour)
	for _, r := range training.RemindersDue(assigned, due, due.Add(-2*time.Hour)) {
		if r.Key == "due-7d-2026-11-20" {
			t.Errorf("RemindersDue returned the 7-day reminder after the 1-day mark")
		}
	}
}

func TestRemindersDueOverdueOncePerDay(t *testing.T) {
	due := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	assigned := due.Add(-14 * 24 * time.Hour)
	key := func(now time.Time) string {
		rs := training.RemindersDue(assigned, due, now)
		return rs[len(rs)-1].Key
	}
	morning, evening := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	nextDay := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	if key(morning) != key(evening) {
		t.Errorf("two runs on one day give keys %q and %q, want one", key(morning), key(evening))
	}
	if key(morning) == key(nextDay) {
		t.Errorf("two days give the same key %q, want one a day", key(morning))
	}
}

func TestDueFor(t *testing.T) {
	joined := time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		dueDays       int
		assignmentDue time.Time
		want          time.Time
	}{
		{"due days after joining, later than the assignment", 14, joined.Add(24 * time.Hour), joined.Add(14 * 24 * time.Hour)},
		{"the assignment's date when that is later", 7, joined.Add(30 * 24 * time.Hour), joined.Add(30 * 24 * time.Hour)},
		{"assignment long past", 3, joined.Add(-60 * 24 * time.Hour), joined.Add(3 * 24 * time.Hour)},
		{"both the same", 10, joined.Add(10 * 24 * time.Hour), joined.Add(10 * 24 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := training.DueFor(joined, tt.dueDays, tt.assignmentDue); !got.Equal(tt.want) {
				t.Errorf("DueFor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRemindersDueAfterAnExtension(t *testing.T) {
	// HR moves the due date: the reminders before the new date are new
	// reminders, not the ones already sent for the old date.
	const day = 24 * time.Hour
	oldDue := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)
	newDue := oldDue.Add(7 * day)
	assigned := oldDue.Add(-30 * day)
	before := training.RemindersDue(assigned, oldDue, oldDue.Add(-2*time.Hour))
	after := training.RemindersDue(assigned, newDue, newDue.Add(-2*time.Hour))
	if len(before) != 2 || len(after) != 2 || before[1].Key == after[1].Key {
		t.Fatalf("1-day reminders before and after the extension share a key: %v, %v", before, after)
	}
}
