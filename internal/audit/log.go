package audit

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
)

// Repository is what the Log needs from storage; the store implements it.
type Repository interface {
	// AuditActions returns every action in the log, sorted.
	AuditActions(ctx context.Context) ([]string, error)
	// SearchAudit returns the entries f matches, newest first, a page as
	// f's Limit and Offset say, and how many match in all.
	SearchAudit(ctx context.Context, f Filter) ([]Record, int, error)
	// EachAudit calls fn with every entry f matches, newest first,
	// stopping at fn's first error, which it returns.
	EachAudit(ctx context.Context, f Filter, fn func(Record) error) error
	// LogAudit appends an entry for an action that changes nothing else,
	// with detail as its JSON "after".
	LogAudit(ctx context.Context, actorID int64, action, target string, detail any) error
}

// Log is the admins' way into the audit log: searching it a page at a
// time and exporting it. It is safe for concurrent use if its repository
// is.
type Log struct{ repo Repository }

// NewLog returns the Log over repo.
func NewLog(repo Repository) *Log { return &Log{repo: repo} }

// Query is the audit log's filters as an admin typed them, trimmed by the
// caller. Empty fields do not filter.
type Query struct {
	Actor  string // part of the actor's name or email address
	Action string // one of the actions in the log
	Target string // part of the target
	From   string // yyyy-mm-dd, the first day (UTC)
	To     string // yyyy-mm-dd, the last day (UTC), included
}

// Set says which of q's filters are set, by their names in the page's
// query ("actor", "action", "target", "from", "to"): what an export
// records, as a search is often a person's name and the log keeps
// everything for ever.
func (q Query) Set() map[string]bool {
	set := map[string]bool{}
	for k, v := range map[string]string{"actor": q.Actor, "action": q.Action, "target": q.Target, "from": q.From, "to": q.To} {
		if v != "" {
			set[k] = true
		}
	}
	return set
}

// FilterErrors say which filters of a Query are not acceptable and why,
// by field ("action", "from", "to"); as an error its kind is
// apperr.Invalid.
type FilterErrors map[string]string

func (e FilterErrors) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e)) {
		parts = append(parts, k+": "+e[k])
	}
	return "audit: invalid filter: " + strings.Join(parts, "; ")
}

// Kind is apperr.Invalid.
func (e FilterErrors) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is the first problem, by field, for a request that has no
// form to show them beside: an export.
func (e FilterErrors) UserMessage() string {
	for _, field := range []string{"action", "from", "to"} {
		if msg := e[field]; msg != "" {
			return "The audit log was not exported: " + strings.ToLower(msg[:1]) + msg[1:]
		}
	}
	return "The audit log was not exported: a filter is not acceptable."
}

// Filter is q as a Filter over the log: the action must be one of
// actions; dates are days in UTC, the last one included. If a filter is not
// acceptable, FilterErrors say why.
func (q Query) Filter(actions []string) (Filter, FilterErrors) {
	f, errs := Filter{Actor: q.Actor, Action: q.Action, Target: q.Target}, FilterErrors{}
	if q.Action != "" && !slices.Contains(actions, q.Action) {
		errs["action"] = "Choose one of the actions in the log."
	}
	day := func(field, text string) time.Time {
		if text == "" {
			return time.Time{}
		}
		d, err := time.Parse(time.DateOnly, text)
		if err != nil {
			errs[field] = "Enter the date as year-month-day, for example 2026-12-31."
		}
		return d
	}
	f.From = day("from", q.From)
	if to := day("to", q.To); !to.IsZero() {
		f.To = to.Add(24 * time.Hour) // the whole last day
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) && errs["from"] == "" && errs["to"] == "" {
		errs["to"] = "The last day cannot be before the first."
	}
	if len(errs) == 0 {
		return f, nil
	}
	return f, errs
}

// Page is one page of a search of the log.
type Page struct {
	Actions []string // every action in the log, for the filter
	Entries []Record // newest first
	Page    int      // from 1; the last page when the one asked for is past it
	Total   int      // entries matching in all
}

// Search returns the page-th page (from 1) of perPage entries that q
// matches, or the last page if there are fewer. If q is not acceptable
// it returns FilterErrors with the Actions alone.
func (l *Log) Search(ctx context.Context, q Query, page, perPage int) (Page, error) {
	var p Page
	var err error
	if p.Actions, err = l.repo.AuditActions(ctx); err != nil {
		return p, err
	}
	f, errs := q.Filter(p.Actions)
	if errs != nil {
		return p, errs
	}
	load := func(page int) error {
		f.Limit, f.Offset = perPage, (page-1)*perPage
		p.Page = page
		p.Entries, p.Total, err = l.repo.SearchAudit(ctx, f)
		return err
	}
	if err := load(max(page, 1)); err != nil {
		return p, err
	}
	if last := pages(p.Total, perPage); p.Page > last {
		err = load(last)
	}
	return p, err
}

// pages is how many pages of perPage total entries fill; at least 1.
func pages(total, perPage int) int {
	if perPage <= 0 || total <= perPage {
		return 1
	}
	return (total + perPage - 1) / perPage
}

// Export calls row with every entry q matches, newest first, and then
// records in the log that actorID exported them: how many rows and which
// filters were set (Query.Set), not their values. If q is not acceptable
// it returns FilterErrors, exporting nothing; an error from row stops the
// export, unrecorded.
func (l *Log) Export(ctx context.Context, q Query, actorID int64, row func(Record) error) error {
	actions, err := l.repo.AuditActions(ctx)
	if err != nil {
		return err
	}
	f, errs := q.Filter(actions)
	if errs != nil {
		return errs
	}
	n := 0
	if err := l.repo.EachAudit(ctx, f, func(r Record) error {
		n++
		return row(r)
	}); err != nil {
		return err
	}
	return l.repo.LogAudit(ctx, actorID, "audit.export", "audit-log", map[string]any{"rows": n, "filters": q.Set()})
}
