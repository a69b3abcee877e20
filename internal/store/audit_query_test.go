package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/internal/store"
)

func auditIDs(rows []audit.Record) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func TestSearchAudit(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	ada := mustSignInNamed(t, s, "Ada Lovelace", "ada@example.com", account.Admin)
	bob := mustSignInNamed(t, s, "Bob Stone", "bob@hr.example.com", account.HR)
	start := c.Now()

	// Five entries, a day apart: ids 1..5.
	logs := []struct {
		actor          int64
		action, target string
	}{
		{ada.ID, "settings.change", "setting:four_eyes"},
		{bob.ID, "training.export", "training-report"},
		{ada.ID, "user.roles", "user:2"},
		{0, "scim.create", "user:42"},
		{bob.ID, "training.export", "Training-Report 100%"},
	}
	for _, l := range logs {
		if err := s.LogAudit(ctx, l.actor, l.action, l.target, map[string]int{"n": 1}); err != nil {
			t.Fatal(err)
		}
		c.Advance(day)
	}

	tests := []struct {
		name      string
		filter    audit.Filter
		wantIDs   []int64
		wantTotal int
	}{
		{"everything, newest first", audit.Filter{}, []int64{5, 4, 3, 2, 1}, 5},
		{"actor name contains", audit.Filter{Actor: "lovelace"}, []int64{3, 1}, 2},
		{"actor email contains", audit.Filter{Actor: "@HR."}, []int64{5, 2}, 2},
		{"the portal itself has no actor to match", audit.Filter{Actor: "a"}, []int64{5, 3, 2, 1}, 4},
		{"action exactly", audit.Filter{Action: "training.export"}, []int64{5, 2}, 2},
		{"part of an action is not an action", audit.Filter{Action: "training"}, []int64{}, 0},
		{"target contains, case ignored", audit.Filter{Target: "training-report"}, []int64{5, 2}, 2},
		{"percent in a target is literal", audit.Filter{Target: "100%"}, []int64{5}, 1},
		{"from is inclusive", audit.Filter{From: start.Add(2 * day)}, []int64{5, 4, 3}, 3},
		{"to is exclusive", audit.Filter{To: start.Add(2 * day)}, []int64{2, 1}, 2},
		{"a period", audit.Filter{From: start.Add(day), To: start.Add(3 * day)}, []int64{3, 2}, 2},
		{"filters combine", audit.Filter{Actor: "bob", Action: "training.export", From: start.Add(2 * day)}, []int64{5}, 1},
		{"first page", audit.Filter{Limit: 2}, []int64{5, 4}, 5},
		{"last page", audit.Filter{Limit: 2, Offset: 4}, []int64{1}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, total, err := s.SearchAudit(ctx, tt.filter)
			if err != nil {
				t.Fatalf("SearchAudit: %v", err)
			}
			if got := auditIDs(rows); !slices.Equal(got, tt.wantIDs) || total != tt.wantTotal {
				t.Errorf("SearchAudit = %v (total %d), want %v (total %d)", got, total, tt.wantIDs, tt.wantTotal)
			}
		})
	}

	rows, _, err := s.SearchAudit(ctx, audit.Filter{Limit: 1, Offset: 2})
	if err != nil || len(rows) != 1 {
		t.Fatalf("SearchAudit = %v, %v", rows, err)
	}
	want := audit.Record{Entry: audit.Entry{ID: 3, At: start.Add(2 * day), ActorID: ada.ID, ActorName: "Ada Lovelace",
		Action: "user.roles", Target: "user:2", After: `{"n":1}`}, ActorEmail: "ada@example.com"}
	if got := rows[0]; got != want {
		t.Errorf("entry = %+v, want %+v", got, want)
	}

	actions, err := s.AuditActions(ctx)
	if want := []string{"scim.create", "settings.change", "training.export", "user.roles"}; err != nil || !slices.Equal(actions, want) {
		t.Errorf("AuditActions = %v, %v; want %v", actions, err, want)
	}
}

func TestEachAuditStopsOnError(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	for range 3 {
		if err := s.LogAudit(ctx, 0, "x.test", "t", nil); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	calls := 0
	err := s.EachAudit(ctx, audit.Filter{}, func(audit.Record) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("EachAudit = %v after %d calls, want stop after 1", err, calls)
	}
}
