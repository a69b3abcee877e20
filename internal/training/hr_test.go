package training_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/training"
)

func TestParseDue(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	endOf := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 59, 59, 0, time.UTC) }
	tests := []struct {
		text        string
		wantDue     time.Time
		wantProblem string
	}{
		{"", time.Time{}, "Choose a due date."},
		{"soon", time.Time{}, "Enter the date as year-month-day, for example 2026-12-31."},
		{"10-03-2026", time.Time{}, "Enter the date as year-month-day, for example 2026-12-31."},
		{"2026-02-30", time.Time{}, "Enter the date as year-month-day, for example 2026-12-31."},
		{"2026-03-09", time.Time{}, "Choose a date in the future."},
		{"2001-01-01", time.Time{}, "Choose a date in the future."},
		{"2026-03-10", endOf(2026, 3, 10), ""}, // today: due at its end, still ahead
		{"2026-12-31", endOf(2026, 12, 31), ""},
		{"2031-03-08", endOf(2031, 3, 8), ""}, // now + MaxDueAhead is 2031-03-09 12:00
		{"2031-03-09", time.Time{}, "Choose a date within the next five years."},
		{"2036-01-01", time.Time{}, "Choose a date within the next five years."},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			due, problem := training.ParseDue(tt.text, now)
			if !due.Equal(tt.wantDue) || problem != tt.wantProblem {
				t.Errorf("ParseDue(%q) = %v, %q; want %v, %q", tt.text, due, problem, tt.wantDue, tt.wantProblem)
			}
		})
	}
}

func TestAssignmentCheck(t *testing.T) {
	due := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		a       training.Assignment
		wantErr bool
	}{
		{"to a group", training.Assignment{Modules: []string{"timing"}, GroupID: 1, DueAt: due, DueDays: 14}, false},
		{"to a person", training.Assignment{Modules: []string{"timing"}, UserID: 1, DueAt: due, DueDays: 1}, false},
		{"the most days", training.Assignment{Modules: []string{"timing"}, GroupID: 1, DueAt: due, DueDays: training.MaxDueDays}, false},
		{"no modules", training.Assignment{GroupID: 1, DueAt: due, DueDays: 14}, true},
		{"neither group nor person", training.Assignment{Modules: []string{"timing"}, DueAt: due, DueDays: 14}, true},
		{"both group and person", training.Assignment{Modules: []string{"timing"}, GroupID: 1, UserID: 2, DueAt: due, DueDays: 14}, true},
		{"no days to complete", training.Assignment{Modules: []string{"timing"}, GroupID: 1, DueAt: due}, true},
		{"too many days", training.Assignment{Modules: []string{"timing"}, GroupID: 1, DueAt: due, DueDays: training.MaxDueDays + 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.a.Check(); (err != nil) != tt.wantErr {
				t.Errorf("Check() = %v, want an error: %t", err, tt.wantErr)
			}
		})
	}
}

func TestAssignmentDueOnJoining(t *testing.T) {
	const day = 24 * time.Hour
	assigned := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		due     time.Time // the assignment's own date
		days    int
		joined  time.Time
		wantDue time.Time
	}{
		{"joins early: the assignment's date is later", assigned.Add(30 * day), 7, assigned.Add(day), assigned.Add(30 * day)},
		{"joins late: days from joining", assigned.Add(3 * day), 14, assigned.Add(10 * day), assigned.Add(24 * day)},
		{"joins on the day", assigned.Add(5 * day), 5, assigned, assigned.Add(5 * day)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := training.Assignment{Modules: []string{"timing"}, GroupID: 1, DueAt: tt.due, DueDays: tt.days}
			if got := a.DueOnJoining(tt.joined); !got.Equal(tt.wantDue) {
				t.Errorf("DueOnJoining(%v) = %v, want %v", tt.joined, got, tt.wantDue)
			}
		})
	}
}

func TestGuidelinesProgramme(t *testing.T) {
	g := &training.Guidelines{Required: []string{"disclosure", "timing"}}
	tests := []struct {
		name   string
		ids    []string
		chosen bool
		want   []string
	}{
		{"admins never chose: the guidelines' programme", nil, false, []string{"disclosure", "timing"}},
		{"admins chose", []string{"timing"}, true, []string{"timing"}},
		{"admins chose none", []string{}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g.Programme(tt.ids, tt.chosen); !slices.Equal(got, tt.want) {
				t.Errorf("Programme(%v, %t) = %v, want %v", tt.ids, tt.chosen, got, tt.want)
			}
		})
	}
}

func TestFieldErrorsAreInvalid(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", training.FieldErrors{"due": "Choose a due date.", "what": "Choose a module."})
	if k := apperr.KindOf(err); k != apperr.Invalid {
		t.Errorf("kind %v, want invalid", k)
	}
	var fe training.FieldErrors
	if !errors.As(err, &fe) || fe["due"] != "Choose a due date." || len(fe) != 2 {
		t.Errorf("errors.As gives %v", fe)
	}
	if got, want := err.Error(), "wrapped: training: invalid request: due: Choose a due date.; what: Choose a module."; got != want {
		t.Errorf("Error() = %q, want %q (fields in order)", got, want)
	}
}

func TestHRErrorsAreNotFound(t *testing.T) {
	for _, err := range []error{training.ErrNoPerson, training.ErrNoModule, training.ErrNotAssigned} {
		wrapped := fmt.Errorf("context: %w", err)
		if apperr.KindOf(wrapped) != apperr.NotFound || apperr.MessageOf(wrapped) == "" {
			t.Errorf("%v: kind %v, message %q; want not found with a message", err, apperr.KindOf(wrapped), apperr.MessageOf(wrapped))
		}
	}
}
