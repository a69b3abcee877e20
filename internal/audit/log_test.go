package audit_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/audit"
)

func TestQueryFilter(t *testing.T) {
	actions := []string{"settings.change", "training.assign"}
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name     string
		q        audit.Query
		want     audit.Filter
		wantErrs []string
	}{
		{"nothing", audit.Query{}, audit.Filter{}, nil},
		{"text filters pass as they are", audit.Query{Actor: "ada", Target: "user:3", Action: "training.assign"},
			audit.Filter{Actor: "ada", Target: "user:3", Action: "training.assign"}, nil},
		{"the last day is included", audit.Query{From: "2026-03-01", To: "2026-03-31"},
			audit.Filter{From: day("2026-03-01"), To: day("2026-04-01")}, nil},
		{"one day", audit.Query{From: "2026-03-01", To: "2026-03-01"}, audit.Filter{From: day("2026-03-01"), To: day("2026-03-02")}, nil},
		{"an action not in the log", audit.Query{Action: "drop.table"}, audit.Filter{}, []string{"action"}},
		{"dates not as dates", audit.Query{From: "1 March", To: "2026-02-30"}, audit.Filter{}, []string{"from", "to"}},
		{"backwards", audit.Query{From: "2026-03-02", To: "2026-03-01"}, audit.Filter{}, []string{"to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := tt.q.Filter(actions)
			if fields := slices.Sorted(maps.Keys(errs)); !slices.Equal(fields, tt.wantErrs) {
				t.Fatalf("errors on %v, want %v", fields, tt.wantErrs)
			}
			if errs != nil {
				if apperr.KindOf(errs) != apperr.Invalid {
					t.Errorf("FilterErrors of kind %v, want invalid", apperr.KindOf(errs))
				}
				return
			}
			if got != tt.want {
				t.Errorf("Filter = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFilterErrorsMessage(t *testing.T) {
	tests := []struct {
		errs audit.FilterErrors
		want string
	}{
		{audit.FilterErrors{"to": "The last day cannot be before the first."}, "The audit log was not exported: the last day cannot be before the first."},
		{audit.FilterErrors{"to": "B.", "action": "Choose one of the actions in the log."},
			"The audit log was not exported: choose one of the actions in the log."},
	}
	for _, tt := range tests {
		if got := apperr.MessageOf(tt.errs); got != tt.want {
			t.Errorf("message of %v = %q, want %q", tt.errs, got, tt.want)
		}
	}
}

// fakeLog is an audit.Repository of n entries, newest first.
type fakeLog struct {
	n       int
	actions []string
	logged  []audit.Entry
	details []any
}

func (f *fakeLog) AuditActions(context.Context) ([]string, error) { return f.actions, nil }

func (f *fakeLog) entries(flt audit.Filter) []audit.Record {
	var out []audit.Record
	for i := f.n; i >= 1; i-- {
		if flt.Action == "" || flt.Action == "x" {
			out = append(out, audit.Record{Entry: audit.Entry{ID: int64(i), Action: "x"}})
		}
	}
	return out
}

func (f *fakeLog) SearchAudit(_ context.Context, flt audit.Filter) ([]audit.Record, int, error) {
	all := f.entries(flt)
	from := min(flt.Offset, len(all))
	return all[from:min(from+flt.Limit, len(all))], len(all), nil
}

func (f *fakeLog) EachAudit(_ context.Context, flt audit.Filter, fn func(audit.Record) error) error {
	for _, r := range f.entries(flt) {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeLog) LogAudit(_ context.Context, actorID int64, action, target string, detail any) error {
	f.logged = append(f.logged, audit.Entry{ActorID: actorID, Action: action, Target: target})
	f.details = append(f.details, detail)
	return nil
}

func TestLogSearch(t *testing.T) {
	tests := []struct {
		name      string
		n, page   int
		wantPage  int
		wantFirst int64 // the first entry's id; 0: none
		wantLen   int
	}{
		{"the first page", 25, 1, 1, 25, 10},
		{"the last page", 25, 3, 3, 5, 5},
		{"past the last page: the last", 25, 9, 3, 5, 5},
		{"no page: the first", 25, 0, 1, 25, 10},
		{"an empty log", 0, 4, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := audit.NewLog(&fakeLog{n: tt.n, actions: []string{"x"}}).Search(context.Background(), audit.Query{}, tt.page, 10)
			if err != nil {
				t.Fatal(err)
			}
			var first int64
			if len(p.Entries) > 0 {
				first = p.Entries[0].ID
			}
			if p.Page != tt.wantPage || first != tt.wantFirst || len(p.Entries) != tt.wantLen || p.Total != tt.n || !slices.Equal(p.Actions, []string{"x"}) {
				t.Errorf("Search = page %d of %d entries from %d (total %d); want page %d, %d from %d (total %d)",
					p.Page, len(p.Entries), first, p.Total, tt.wantPage, tt.wantLen, tt.wantFirst, tt.n)
			}
		})
	}
	t.Run("a filter not acceptable reads nothing", func(t *testing.T) {
		p, err := audit.NewLog(&fakeLog{n: 3, actions: []string{"x"}}).Search(context.Background(), audit.Query{Action: "y"}, 1, 10)
		if _, ok := errors.AsType[audit.FilterErrors](err); !ok || p.Entries != nil || !slices.Equal(p.Actions, []string{"x"}) {
			t.Errorf("Search = %+v, %v; want FilterErrors with the actions alone", p, err)
		}
	})
}

func TestLogExport(t *testing.T) {
	t.Run("every row, then the export is recorded", func(t *testing.T) {
		repo := &fakeLog{n: 3, actions: []string{"x"}}
		var ids []int64
		err := audit.NewLog(repo).Export(context.Background(), audit.Query{Actor: "Sam Jones", From: "2026-01-01"}, 7, func(r audit.Record) error {
			if len(repo.logged) != 0 {
				t.Error("the export was recorded before its rows were written")
			}
			ids = append(ids, r.ID)
			return nil
		})
		if err != nil || !slices.Equal(ids, []int64{3, 2, 1}) {
			t.Fatalf("Export = %v, rows %v; want 3, 2, 1", err, ids)
		}
		if len(repo.logged) != 1 || repo.logged[0] != (audit.Entry{ActorID: 7, Action: "audit.export", Target: "audit-log"}) {
			t.Fatalf("logged %+v, want one audit.export by 7", repo.logged)
		}
		if got, want := fmt.Sprint(repo.details[0]), fmt.Sprint(map[string]any{"rows": 3, "filters": map[string]bool{"actor": true, "from": true}}); got != want {
			t.Errorf("export recorded %s, want %s: which filters, never their values", got, want)
		}
	})
	t.Run("a filter not acceptable exports nothing", func(t *testing.T) {
		repo := &fakeLog{n: 3, actions: []string{"x"}}
		err := audit.NewLog(repo).Export(context.Background(), audit.Query{To: "soon"}, 7, func(audit.Record) error {
			t.Error("a row was written")
			return nil
		})
		if apperr.KindOf(err) != apperr.Invalid || len(repo.logged) != 0 {
			t.Errorf("Export = %v, logged %v; want invalid and nothing logged", err, repo.logged)
		}
	})
	t.Run("a row that fails stops the export, unrecorded", func(t *testing.T) {
		repo := &fakeLog{n: 3, actions: []string{"x"}}
		broken := errors.New("disk full")
		if err := audit.NewLog(repo).Export(context.Background(), audit.Query{}, 7, func(audit.Record) error { return broken }); !errors.Is(err, broken) || len(repo.logged) != 0 {
			t.Errorf("Export = %v, logged %v; want the row's error and nothing logged", err, repo.logged)
		}
	})
}
