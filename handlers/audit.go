package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/views"
)

// auditPerPage is how many audit entries the page shows at a time.
const auditPerPage = 50

// auditFilter reads the audit log's filters from the query string. The
// action must be one of actions; dates are days in UTC, to included. If a
// filter is not acceptable, errs says why, keyed by field.
func auditFilter(c *fiber.Ctx, actions []string) (views.AuditLogFilter, audit.Filter, views.FieldErrors) {
	f := views.AuditLogFilter{Actor: strings.TrimSpace(c.Query("actor")), Action: strings.TrimSpace(c.Query("action")),
		Target: strings.TrimSpace(c.Query("target")), From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to"))}
	sf, errs := audit.Filter{Actor: f.Actor, Action: f.Action, Target: f.Target}, views.FieldErrors{}
	if f.Action != "" && !slices.Contains(actions, f.Action) {
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
	sf.From = day("from", f.From)
	if to := day("to", f.To); !to.IsZero() {
		sf.To = to.Add(24 * time.Hour) // the whole last day
	}
	if !sf.From.IsZero() && !sf.To.IsZero() && !sf.To.After(sf.From) && errs["from"] == "" && errs["to"] == "" {
		errs["to"] = "The last day cannot be before the first."
	}
	return f, sf, errs
}

// showAuditLog lists the audit log, newest first, filtered and a page at
// a time.
func (s *server) showAuditLog(c *fiber.Ctx) error {
	actions, err := s.Store.AuditActions(ctx(c))
	if err != nil {
		return err
	}
	f, sf, errs := auditFilter(c, actions)
	m := views.AuditLogPage{Filter: f, Actions: actions, Errors: errs,
		Pager: views.Pager{Path: "/admin/audit", Query: f.Values(), Page: 1, PerPage: auditPerPage}}
	if len(errs) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, views.AuditLogView(s.chrome(c, "Audit log", "admin"), m))
	}
	m.Pager.Page = pageParam(c)
	if m.Entries, err = loadPage(&m.Pager, func(limit, offset int) ([]audit.Record, int, error) {
		sf.Limit, sf.Offset = limit, offset
		return s.Store.SearchAudit(ctx(c), sf)
	}); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.AuditLogView(s.chrome(c, "Audit log", "admin"), m))
}

// exportAuditLog sends every entry matching the page's filters as CSV,
// with cells a spreadsheet would run as formulas neutralised. The export
// is itself audit-logged ("audit.export"), after the rows it contains.
func (s *server) exportAuditLog(c *fiber.Ctx) error {
	actions, err := s.Store.AuditActions(ctx(c))
	if err != nil {
		return err
	}
	f, sf, errs := auditFilter(c, actions)
	for _, field := range []string{"action", "from", "to"} {
		if msg := errs[field]; msg != "" {
			return apperr.New(apperr.Invalid, "The audit log was not exported: "+strings.ToLower(msg[:1])+msg[1:])
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"id", "at", "actor_id", "actor_name", "actor_email", "action", "target", "before", "after"})
	n := 0
	err = s.Store.EachAudit(ctx(c), sf, func(e audit.Record) error {
		actorID := ""
		if e.ActorID != 0 {
			actorID = strconv.FormatInt(e.ActorID, 10)
		}
		row := []string{strconv.FormatInt(e.ID, 10), rfc3339(e.At), actorID, e.ActorName, e.ActorEmail,
			e.Action, e.Target, e.Before, e.After}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		n++
		return w.Write(row)
	})
	if err != nil {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("handlers: write audit log: %w", err)
	}
	// Which filters were set, not their values: a search is often a
	// person's name, and the audit log keeps everything for ever.
	filters := map[string]bool{}
	for k, v := range f.Values() {
		filters[k] = v[0] != ""
	}
	if err := s.Store.LogAudit(ctx(c), userOf(c).ID, "audit.export", "audit-log",
		map[string]any{"rows": n, "filters": filters}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="audit-log-%s.csv"`,
		s.Now().UTC().Format(time.DateOnly)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}
