package handlers

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/store"
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

// recentShareDays is the period a user's page counts recent shares over.
const recentShareDays = 30

// pageParam is the page the query asks for, from 1; anything else is 1.
func pageParam(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// usersFilter reads the list's filters from the query string and checks
// them against the choices the page offers.
func usersFilter(c *fiber.Ctx, groups []account.Group) (views.UsersFilter, account.UserFilter, views.FieldErrors) {
	f := views.UsersFilter{Q: strings.TrimSpace(c.Query("q")), Role: strings.TrimSpace(c.Query("role")),
		Group: strings.TrimSpace(c.Query("group")), Status: strings.TrimSpace(c.Query("status"))}
	sf, errs := account.UserFilter{Q: f.Q}, views.FieldErrors{}
	if f.Role != "" {
		if sf.Role = account.Role(f.Role); !sf.Role.Valid() {
			errs["role"] = "Choose one of the roles."
		}
	}
	if f.Group != "" {
		id, err := strconv.ParseInt(f.Group, 10, 64)
		if err != nil || !slices.ContainsFunc(groups, func(g account.Group) bool { return g.ID == id }) {
			errs["group"] = "Choose one of the groups."
		}
		sf.GroupID = id
	}
	switch f.Status {
	case "", account.StatusActive, account.StatusDeactivated:
		sf.Status = f.Status
	default:
		errs["status"] = "Choose active or deactivated."
	}
	return f, sf, errs
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

// listUsers lists the users matching the filters, a page at a time.
func (s *server) listUsers(c *fiber.Ctx) error {
	groups, err := s.Store.Groups(ctx(c))
	if err != nil {
		return err
	}
	f, sf, errs := usersFilter(c, groups)
	m := views.UsersPage{Filter: f, Errors: errs, Groups: groups,
		Pager: views.Pager{Path: "/admin/users", Query: f.Values(), Page: 1, PerPage: usersPerPage}}
	if len(errs) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, views.UsersView(s.chrome(c, "Users", "admin"), m))
	}
	m.Pager.Page = pageParam(c)
	if m.Users, err = loadPage(&m.Pager, func(limit, offset int) ([]account.UserRow, int, error) {
		sf.Limit, sf.Offset = limit, offset
		return s.Store.ListUsers(ctx(c), sf)
	}); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.UsersView(s.chrome(c, "Users", "admin"), m))
}

// showUser shows one user's roles by source, groups, training and shares.
func (s *server) showUser(c *fiber.Ctx) error {
	person, err := s.personParam(c)
	if err != nil {
		return err
	}
	done := c.Query("done")
	if !slices.Contains([]string{"roles", "unchanged", "deactivated", "reactivated", "identity-forgotten"}, done) {
		done = ""
	}
	return s.renderUser(c, fiber.StatusOK, person, views.UserPage{Done: done})
}

func (s *server) renderUser(c *fiber.Ctx, status int, person account.User, m views.UserPage) error {
	var err error
	m.User, m.Self, m.RecentDays = person, person.ID == userOf(c).ID, recentShareDays
	if m.Grants, err = s.Store.UserRoleGrants(ctx(c), person.ID); err != nil {
		return err
	}
	if m.Groups, err = s.Store.GroupNames(ctx(c), person.ID); err != nil {
		return err
	}
	tasks, err := s.personTasks(c, person.ID)
	if err != nil {
		return err
	}
	m.Modules = len(tasks)
	for _, n := range training.CountByStatus(tasks) {
		m.Training = append(m.Training, views.TrainingCount{Status: n.Status, N: n.N})
	}
	since := s.Now().Add(-recentShareDays * 24 * time.Hour)
	if m.SharesTotal, m.SharesRecent, err = s.Store.ShareCounts(ctx(c), person.ID, since); err != nil {
		return err
	}
	if m.Sessions, err = s.Store.SessionCount(ctx(c), person.ID); err != nil {
		return err
	}
	if m.Issuer, m.Subject, m.Bound, err = s.Store.UserIdentity(ctx(c), person.ID); err != nil {
		return err
	}
	return s.render(c, status, views.UserView(s.chrome(c, person.Name+" · Users", "admin"), m))
}

// userURL is a user's admin page, confirming what was done.
func userURL(id int64, done string) string {
	return fmt.Sprintf("/admin/users/%d?done=%s", id, done)
}

// saveUserRoles replaces the roles granted to a user by hand with the ones
// ticked; roles mapped from the identity provider are not touched. The
// store audit-logs the change with the roles before and after.
func (s *server) saveUserRoles(c *fiber.Ctx) error {
	person, err := s.personParam(c)
	if err != nil {
		return err
	}
	roles := []account.Role{}
	for _, v := range c.Request().PostArgs().PeekMulti("role") {
		r := account.Role(v)
		if !r.Valid() {
			return s.renderUser(c, fiber.StatusUnprocessableEntity, person, views.UserPage{
				Problem: "One of the chosen roles does not exist, so nothing was changed. Reload the page and choose again."})
		}
		roles = append(roles, r)
	}
	changed, err := s.Store.SetManualRoles(ctx(c), person.ID, roles, userOf(c).ID)
	switch {
	case errors.Is(err, store.ErrSelfLockout):
		return s.renderUser(c, statusOf(err), person, views.UserPage{Chosen: roles,
			Problem: "You cannot remove your own admin role, so nothing was changed. Another admin can do it."})
	case errors.Is(err, store.ErrNotFound):
		return apperr.New(apperr.NotFound, "There is no such person.")
	case err != nil:
		return err
	case !changed:
		return c.Redirect(userURL(person.ID, "unchanged"), fiber.StatusSeeOther)
	}
	return c.Redirect(userURL(person.ID, "roles"), fiber.StatusSeeOther)
}

// deactivateUser stops a user from signing in and ends their sessions;
// their history stays. Audit-logged by the store.
func (s *server) deactivateUser(c *fiber.Ctx) error {
	return s.setUserActive(c, false)
}

// reactivateUser lets a deactivated user sign in again. Audit-logged by
// the store.
func (s *server) reactivateUser(c *fiber.Ctx) error {
	return s.setUserActive(c, true)
}

func (s *server) setUserActive(c *fiber.Ctx, active bool) error {
	person, err := s.personParam(c)
	if err != nil {
		return err
	}
	err = s.Store.SetUserActive(ctx(c), person.ID, active, userOf(c).ID)
	switch {
	case errors.Is(err, store.ErrSelfLockout):
		return s.renderUser(c, statusOf(err), person, views.UserPage{
			Problem: "You cannot deactivate your own account. Another admin can do it."})
	case errors.Is(err, store.ErrUnchanged) && active:
		return s.renderUser(c, statusOf(err), person, views.UserPage{Problem: "This account is already active."})
	case errors.Is(err, store.ErrUnchanged):
		return s.renderUser(c, statusOf(err), person, views.UserPage{Problem: "This account is already deactivated."})
	case errors.Is(err, store.ErrNotFound):
		return apperr.New(apperr.NotFound, "There is no such person.")
	case err != nil:
		return err
	}
	if active {
		return c.Redirect(userURL(person.ID, "reactivated"), fiber.StatusSeeOther)
	}
	return c.Redirect(userURL(person.ID, "deactivated"), fiber.StatusSeeOther)
}

// forgetUserIdentity unbinds a user's account from its sign-in identity,
// so that their next sign-in with a verified email links it again: for a
// person whose account at the identity provider was replaced, or after a
// move to another provider. Their sessions end. Audit-logged by the store.
func (s *server) forgetUserIdentity(c *fiber.Ctx) error {
	person, err := s.personParam(c)
	if err != nil {
		return err
	}
	err = s.Store.ForgetIdentity(ctx(c), person.ID, userOf(c).ID)
	switch {
	case errors.Is(err, store.ErrUnchanged):
		return s.renderUser(c, statusOf(err), person, views.UserPage{
			Problem: "This account has no sign-in identity to forget: it links to the next sign-in with its verified email address already."})
	case errors.Is(err, store.ErrNotFound):
		return apperr.New(apperr.NotFound, "There is no such person.")
	case err != nil:
		return err
	}
	return c.Redirect(userURL(person.ID, "identity-forgotten"), fiber.StatusSeeOther)
}
