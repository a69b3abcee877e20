package handlers

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/training"
	"github.com/advocacy-portal/portal/views"
)

// adminUserRoutes registers the administration of users (list, a user's
// page, roles granted by hand, deactivation) and the audit log with its
// export. Admins only.
func (s *server) adminUserRoutes(r router) {
	r.allow(httpGet, "/admin/users", s.listUsers, admin...)
	r.allow(httpGet, "/admin/users/:id", s.showUser, admin...)
	r.allow(httpPost, "/admin/users/:id/roles", s.saveUserRoles, admin...)
	r.allow(httpPost, "/admin/users/:id/deactivate", s.deactivateUser, admin...)
	r.allow(httpPost, "/admin/users/:id/reactivate", s.reactivateUser, admin...)
	r.allow(httpPost, "/admin/users/:id/identity/forget", s.forgetUserIdentity, admin...)
	r.allow(httpGet, "/admin/audit", s.showAuditLog, admin...)
	r.allow(httpGet, "/admin/audit.csv", s.exportAuditLog, admin...)
}

// usersPerPage is how many users the admins' list shows at a time.
const usersPerPage = 50

// pageParam is the page the query asks for, from 1; anything else is 1.
func pageParam(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// loadPage loads the page p asks for, setting p.Total; a page past the
// end loads the last page instead, and p.Page says so.
func loadPage[T any](p *views.Pager, load func(limit, offset int) ([]T, int, error)) ([]T, error) {
	items, total, err := load(p.PerPage, (p.Page-1)*p.PerPage)
	if err != nil {
		return nil, err
	}
	p.Total = total
	if last := p.Pages(); p.Page > last {
		p.Page = last
		if items, p.Total, err = load(p.PerPage, (last-1)*p.PerPage); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// listUsers lists the users matching the filters, a page at a time. A
// filter that is not among the choices shows the filters again with a
// problem beside it, and no list.
func (s *server) listUsers(c *fiber.Ctx) error {
	f := views.UsersFilter{Q: strings.TrimSpace(c.Query("q")), Role: strings.TrimSpace(c.Query("role")),
		Group: strings.TrimSpace(c.Query("group")), Status: strings.TrimSpace(c.Query("status"))}
	m := views.UsersPage{Filter: f, Errors: views.FieldErrors{},
		Pager: views.Pager{Path: "/admin/users", Query: f.Values(), Page: pageParam(c), PerPage: usersPerPage}}
	q := account.UserQuery{Q: f.Q, Role: f.Role, Group: f.Group, Status: f.Status}
	users, err := loadPage(&m.Pager, func(limit, offset int) ([]account.UserRow, int, error) {
		q.Limit, q.Offset = limit, offset
		list, err := s.Directory.Users(ctx(c), q)
		m.Groups = list.Groups
		return list.Rows, list.Total, err
	})
	if fe := (account.FieldErrors{}); errors.As(err, &fe) {
		m.Errors, m.Pager.Page = views.FieldErrors(fe), 1
		return s.render(c, fiber.StatusUnprocessableEntity, views.UsersView(s.chrome(c, "Users", "admin"), m))
	}
	if err != nil {
		return err
	}
	m.Users = users
	return s.render(c, fiber.StatusOK, views.UsersView(s.chrome(c, "Users", "admin"), m))
}

// userParam reads the :id parameter of a user's pages; one that is not a
// number is account.ErrNoUser.
func userParam(c *fiber.Ctx) (int64, error) {
	return idParam(c, account.ErrNoUser)
}

// showUser shows one user's roles by source, groups, training and shares.
func (s *server) showUser(c *fiber.Ctx) error {
	id, err := userParam(c)
	if err != nil {
		return err
	}
	done := c.Query("done")
	if !slices.Contains([]string{"roles", "unchanged", "deactivated", "reactivated", "identity-forgotten"}, done) {
		done = ""
	}
	return s.renderUser(c, fiber.StatusOK, id, views.UserPage{Done: done})
}

func (s *server) renderUser(c *fiber.Ctx, status int, id int64, m views.UserPage) error {
	d, err := s.Directory.Details(ctx(c), id)
	if err != nil {
		return err
	}
	m.User, m.Self, m.RecentDays = d.User, d.User.ID == userOf(c).ID, account.RecentShareDays
	m.Grants, m.Groups, m.SharesTotal, m.SharesRecent, m.Sessions = d.Grants, d.Groups, d.SharesTotal, d.SharesRecent, d.Sessions
	m.Issuer, m.Subject, m.Bound = d.Issuer, d.Subject, d.Bound
	tasks, err := s.personTasks(c, id)
	if err != nil {
		return err
	}
	m.Modules = len(tasks)
	for _, n := range training.CountByStatus(tasks) {
		m.Training = append(m.Training, views.TrainingCount{Status: n.Status, N: n.N})
	}
	return s.render(c, status, views.UserView(s.chrome(c, d.User.Name+" · Users", "admin"), m))
}

// refusedChange is a change to a user the directory refused (a kind the
// user page explains with its message), rather than a failure or a user
// that does not exist.
func refusedChange(err error) bool {
	k := apperr.KindOf(err)
	return k == apperr.Invalid || k == apperr.Conflict
}

// userURL is a user's admin page, confirming what was done.
func userURL(id int64, done string) string {
	return fmt.Sprintf("/admin/users/%d?done=%s", id, done)
}

// saveUserRoles replaces the roles granted to a user by hand with the ones
// ticked; roles mapped from the identity provider are not touched. The
// change is audit-logged with the roles before and after. A refused change
// shows the user's page again saying why, with the roles as ticked unless
// one of them does not exist.
func (s *server) saveUserRoles(c *fiber.Ctx) error {
	id, err := userParam(c)
	if err != nil {
		return err
	}
	roles := []account.Role{}
	for _, v := range c.Request().PostArgs().PeekMulti("role") {
		roles = append(roles, account.Role(v))
	}
	changed, err := s.Directory.SetManualRoles(ctx(c), id, roles, userOf(c).ID)
	switch {
	case refusedChange(err):
		m := views.UserPage{Problem: apperr.MessageOf(err)}
		if !errors.Is(err, account.ErrUnknownRole) {
			m.Chosen = roles
		}
		return s.renderUser(c, statusOf(err), id, m)
	case err != nil:
		return err
	case !changed:
		return c.Redirect(userURL(id, "unchanged"), fiber.StatusSeeOther)
	}
	return c.Redirect(userURL(id, "roles"), fiber.StatusSeeOther)
}

// deactivateUser stops a user from signing in and ends their sessions;
// their history stays. Audit-logged.
func (s *server) deactivateUser(c *fiber.Ctx) error {
	return s.setUserActive(c, false)
}

// reactivateUser lets a deactivated user sign in again. Audit-logged.
func (s *server) reactivateUser(c *fiber.Ctx) error {
	return s.setUserActive(c, true)
}

func (s *server) setUserActive(c *fiber.Ctx, active bool) error {
	id, err := userParam(c)
	if err != nil {
		return err
	}
	err = s.Directory.SetActive(ctx(c), id, active, userOf(c).ID)
	switch {
	case refusedChange(err):
		return s.renderUser(c, statusOf(err), id, views.UserPage{Problem: apperr.MessageOf(err)})
	case err != nil:
		return err
	case active:
		return c.Redirect(userURL(id, "reactivated"), fiber.StatusSeeOther)
	}
	return c.Redirect(userURL(id, "deactivated"), fiber.StatusSeeOther)
}

// forgetUserIdentity unbinds a user's account from its sign-in identity,
// so that their next sign-in with a verified email links it again: for a
// person whose account at the identity provider was replaced, or after a
// move to another provider. Their sessions end. Audit-logged.
func (s *server) forgetUserIdentity(c *fiber.Ctx) error {
	id, err := userParam(c)
	if err != nil {
		return err
	}
	err = s.Directory.ForgetIdentity(ctx(c), id, userOf(c).ID)
	switch {
	case refusedChange(err):
		return s.renderUser(c, statusOf(err), id, views.UserPage{Problem: apperr.MessageOf(err)})
	case err != nil:
		return err
	}
	return c.Redirect(userURL(id, "identity-forgotten"), fiber.StatusSeeOther)
}
