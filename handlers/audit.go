package handlers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/views"
)

// auditPerPage is how many audit entries the page shows at a time.
const auditPerPage = 50

// auditQuery reads the audit log's filters from the query string.
func auditQuery(c *fiber.Ctx) (views.AuditLogFilter, audit.Query) {
	f := views.AuditLogFilter{Actor: strings.TrimSpace(c.Query("actor")), Action: strings.TrimSpace(c.Query("action")),
		Target: strings.TrimSpace(c.Query("target")), From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to"))}
	return f, audit.Query{Actor: f.Actor, Action: f.Action, Target: f.Target, From: f.From, To: f.To}
}

// showAuditLog lists the audit log, newest first, filtered and a page at
// a time.
func (s *server) showAuditLog(c *fiber.Ctx) error {
	f, q := auditQuery(c)
	p, err := s.Audit.Search(ctx(c), q, pageParam(c), auditPerPage)
	m := views.AuditLogPage{Filter: f, Actions: p.Actions, Entries: p.Entries,
		Pager: views.Pager{Path: "/admin/audit", Query: f.Values(), Page: max(p.Page, 1), PerPage: auditPerPage, Total: p.Total}}
	if errs, ok := errors.AsType[audit.FilterErrors](err); ok {
		m.Errors = views.FieldErrors(errs)
		return s.render(c, statusOf(err), views.AuditLogView(s.chrome(c, "Audit log", "admin"), m))
	}
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.AuditLogView(s.chrome(c, "Audit log", "admin"), m))
}

// exportAuditLog sends every entry matching the page's filters as CSV,
// with cells a spreadsheet would run as formulas neutralised. The export
// is itself audit-logged ("audit.export"), after the rows it contains.
func (s *server) exportAuditLog(c *fiber.Ctx) error {
	_, q := auditQuery(c)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"id", "at", "actor_id", "actor_name", "actor_email", "action", "target", "before", "after"})
	err := s.Audit.Export(ctx(c), q, userOf(c).ID, func(e audit.Record) error {
		actorID := ""
		if e.ActorID != 0 {
			actorID = strconv.FormatInt(e.ActorID, 10)
		}
		row := []string{strconv.FormatInt(e.ID, 10), rfc3339(e.At), actorID, e.ActorName, e.ActorEmail,
			e.Action, e.Target, e.Before, e.After}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		return w.Write(row)
	})
	if err != nil {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("handlers: write audit log: %w", err)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="audit-log-%s.csv"`,
		s.Now().UTC().Format(time.DateOnly)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}
