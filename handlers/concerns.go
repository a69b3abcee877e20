package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/concern"
	"github.com/advocacy-portal/portal/views"
)

// concernRoutes registers reporting a concern (any signed-in person), the
// triage of reports by the points of contact, and the admins' choice of
// points of contact. Who may see a report is concern.Service's rule: only
// its reporter and the points of contact; anyone else gets 404.
func (s *server) concernRoutes(r router) {
	r.allow(httpGet, "/concerns/new", s.newConcern)
	r.allow(httpPost, "/concerns", s.reportConcern)
	r.allow(httpGet, "/concerns", s.listConcerns)
	r.allow(httpGet, "/concerns/:id", s.showConcern)
	r.allow(httpGet, "/concerns/:id/screenshot", s.serveConcernScreenshot)
	r.allow(httpPost, "/concerns/:id/acknowledge", s.acknowledgeConcern)
	r.allow(httpPost, "/concerns/:id/assign", s.assignConcern)
	r.allow(httpPost, "/concerns/:id/comment", s.commentOnConcern)
	r.allow(httpPost, "/concerns/:id/close", s.closeConcern)
	r.allow(httpGet, "/admin/concerns", s.showConcernSettings, admin...)
	r.allow(httpPost, "/admin/concerns", s.saveConcernSettings, admin...)
}

func (s *server) newConcern(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, views.NewConcernView(s.chrome(c, "Report a concern", ""),
		views.NewConcernPage{Form: views.ConcernForm{Kind: concern.Kinds[0]}}))
}

// reportConcern stores a report (concern.Service.Report: an urgent one is
// mailed to the points of contact at once). An invalid report is shown
// again with what was typed; nothing is stored. The screenshot is only
// read once the rest of the report is valid.
func (s *server) reportConcern(c *fiber.Ctx) error {
	form := views.ConcernForm{Link: strings.TrimSpace(c.FormValue("link")), Kind: c.FormValue("kind"),
		Description: strings.TrimSpace(c.FormValue("description")), Urgent: c.FormValue("urgent") != ""}
	r := concern.Report{Reporter: userOf(c), Link: form.Link, Kind: form.Kind, Description: form.Description, Urgent: form.Urgent}
	if r.Check() == nil {
		upload, problem, err := s.uploadedImage(c, "screenshot")
		if err != nil {
			return err
		}
		if problem != "" {
			r.Problems = map[string]string{"screenshot": problem}
		}
		if upload != nil {
			r.Screenshot = &concern.Screenshot{ContentType: upload.ContentType, Data: upload.Data, Width: upload.Width, Height: upload.Height}
		}
	}
	id, err := s.Concerns.Report(ctx(c), r)
	if fe := (concern.FieldErrors{}); errors.As(err, &fe) {
		form.Errors = views.FieldErrors(fe)
		return s.render(c, fiber.StatusUnprocessableEntity, views.NewConcernView(s.chrome(c, "Report a concern", ""),
			views.NewConcernPage{Form: form}))
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/concerns/%d?created=1", id), fiber.StatusSeeOther)
}

// listConcerns shows the person's own reports and, to a point of contact,
// the triage queue.
func (s *server) listConcerns(c *fiber.Ctx) error {
	l, err := s.Concerns.Queue(ctx(c), userOf(c))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.ConcernsView(s.chrome(c, "Concerns", ""),
		views.ConcernsPage{Mine: l.Mine, Contact: l.Contact, Queue: l.Queue}))
}

// concernID is the concern the route names; a malformed id names none.
func concernID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, concern.ErrNotFound
	}
	return id, nil
}

func (s *server) showConcern(c *fiber.Ctx) error {
	id, err := concernID(c)
	if err != nil {
		return err
	}
	d, err := s.Concerns.Show(ctx(c), id, userOf(c))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.ConcernView(s.chrome(c, "Concern", ""), views.ConcernPage{Concern: d.Concern,
		History: d.History, Contact: d.Contact, Contacts: d.Contacts, Created: c.Query("created") == "1"}))
}

// serveConcernScreenshot sends a report's screenshot to those who may see
// the report.
func (s *server) serveConcernScreenshot(c *fiber.Ctx) error {
	id, err := concernID(c)
	if err != nil {
		return err
	}
	img, err := s.Concerns.Screenshot(ctx(c), id, userOf(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentType, img.ContentType)
	return c.Send(img.Data)
}

// triageConcern runs one triage action on the concern the route names and
// goes back to it; act returns the action's error, e.g. a refusal.
func (s *server) triageConcern(c *fiber.Ctx, act func(id int64, actor account.User) error) error {
	id, err := concernID(c)
	if err != nil {
		return err
	}
	if err := act(id, userOf(c)); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/concerns/%d", id), fiber.StatusSeeOther)
}

func (s *server) acknowledgeConcern(c *fiber.Ctx) error {
	return s.triageConcern(c, func(id int64, actor account.User) error {
		return s.Concerns.Acknowledge(ctx(c), id, actor)
	})
}

// assignConcern assigns a report to a point of contact.
func (s *server) assignConcern(c *fiber.Ctx) error {
	return s.triageConcern(c, func(id int64, actor account.User) error {
		assignee, err := strconv.ParseInt(c.FormValue("assignee"), 10, 64)
		if err != nil {
			assignee = 0 // names nobody: the service refuses it, once it knows the actor may triage
		}
		return s.Concerns.Assign(ctx(c), id, actor, assignee)
	})
}

func (s *server) commentOnConcern(c *fiber.Ctx) error {
	return s.triageConcern(c, func(id int64, actor account.User) error {
		return s.Concerns.Comment(ctx(c), id, actor, c.FormValue("comment"))
	})
}

func (s *server) closeConcern(c *fiber.Ctx) error {
	return s.triageConcern(c, func(id int64, actor account.User) error {
		return s.Concerns.Close(ctx(c), id, actor, c.FormValue("note"))
	})
}

func (s *server) showConcernSettings(c *fiber.Ctx) error {
	cc, people, err := s.Concerns.Contacts(ctx(c))
	if err != nil {
		return err
	}
	m := views.ConcernSettingsPage{ByList: len(cc.Emails) > 0, Role: string(cmp.Or(cc.Role, account.Comms)),
		Emails: strings.Join(cc.Emails, "\n"), Saved: c.Query("saved") == "1", Contacts: people, Roles: concern.ContactRoles}
	return s.render(c, fiber.StatusOK, views.ConcernSettingsView(s.chrome(c, "Concern contacts", "admin"), m))
}

// saveConcernSettings sets the points of contact: a role, or a list of
// people by email, each of whom must be an active person of the portal
// (concern.Service.SaveContacts, which audit-logs the change). A refused
// choice comes back as typed, with what is wrong.
func (s *server) saveConcernSettings(c *fiber.Ctx) error {
	m := views.ConcernSettingsPage{ByList: c.FormValue("mode") == "list", Role: c.FormValue("role"),
		Emails: strings.TrimSpace(c.FormValue("emails")), Roles: concern.ContactRoles}
	err := s.Concerns.SaveContacts(ctx(c), concern.Choice{ByList: m.ByList, Role: account.Role(m.Role),
		Emails: concern.SplitEmails(m.Emails)}, userOf(c).ID)
	if fe := (concern.FieldErrors{}); errors.As(err, &fe) {
		m.Errors = views.FieldErrors(fe)
		return s.render(c, fiber.StatusUnprocessableEntity, views.ConcernSettingsView(s.chrome(c, "Concern contacts", "admin"), m))
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/concerns?saved=1", fiber.StatusSeeOther)
}
