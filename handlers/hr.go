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

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/roster"
	"github.com/advocacy-portal/portal/internal/training"
	"github.com/advocacy-portal/portal/views"
)

// hrRoutes registers the training administration: HR's dashboard and
// export, groups and roster import, assignments, and per-person extensions
// and resets. HR and admins only.
func (s *server) hrRoutes(r router) {
	r.allow(httpGet, "/hr", s.showTrainingDashboard, hr...)
	r.allow(httpGet, "/hr/export.csv", s.exportTrainingReport, hr...)
	r.allow(httpGet, "/hr/people/:id", s.showPersonTraining, hr...)
	r.allow(httpPost, "/hr/people/:id/modules/:module/extend", s.extendDueDate, hr...)
	r.allow(httpPost, "/hr/people/:id/modules/:module/reset", s.resetQuizAttempts, hr...)
	r.allow(httpGet, "/hr/groups", s.listGroups, hr...)
	r.allow(httpPost, "/hr/groups", s.createGroup, hr...)
	r.allow(httpPost, "/hr/groups/import", s.importRoster, hr...)
	r.allow(httpGet, "/hr/groups/:id", s.showGroup, hr...)
	r.allow(httpPost, "/hr/groups/:id/members", s.addGroupMember, hr...)
	r.allow(httpGet, "/hr/assignments", s.listAssignments, hr...)
	r.allow(httpPost, "/hr/assignments", s.createAssignment, hr...)
}

// maxTasksShown is how many person × module rows the dashboard lists; the
// CSV export has them all.
const maxTasksShown = 500

// hrFilter reads the dashboard's filters from the query string.
func hrFilter(c *fiber.Ctx) training.Filter {
	return training.Filter{Module: strings.TrimSpace(c.Query("module")), Group: strings.TrimSpace(c.Query("group")),
		Status: strings.TrimSpace(c.Query("status")), Q: strings.TrimSpace(c.Query("q"))}
}

// showTrainingDashboard shows completion by module and by group, the
// overdue list and every person × module. Completion counts every status;
// the status filter narrows the overdue list and the table.
func (s *server) showTrainingDashboard(c *fiber.Ctx) error {
	lang, f := s.lang(c), hrFilter(c)
	d, err := s.HR.Dashboard(ctx(c), lang, f)
	if err != nil {
		return err
	}
	m := views.HRDashboardPage{Filter: views.HRFilter{Filter: f}, Modules: s.moduleOptions(lang), Groups: d.Groups,
		ByModule: d.ByModule, ByGroup: d.ByGroup, Overdue: d.Overdue, MaxShown: maxTasksShown,
		TotalTasks: len(d.Tasks), Tasks: d.Tasks[:min(len(d.Tasks), maxTasksShown)]}
	for _, st := range training.Statuses {
		m.Statuses = append(m.Statuses, views.HROption{Value: string(st), Label: st.Label()})
	}
	return s.render(c, fiber.StatusOK, views.HRDashboardView(s.chrome(c, "Training status", "hr"), m))
}

// moduleOptions lists the modules for selects, titled in lang.
func (s *server) moduleOptions(lang string) []views.HROption {
	var out []views.HROption
	for _, m := range s.Guidelines.Modules {
		out = append(out, views.HROption{Value: m.ID, Label: m.In(lang).Title})
	}
	return out
}

// csvCell neutralises a value a spreadsheet would run as a formula.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// exportTrainingReport sends the dashboard's rows, with the same filters,
// as CSV evidence for auditors. Every export is audit-logged.
func (s *server) exportTrainingReport(c *fiber.Ctx) error {
	rows, err := s.HR.Export(ctx(c), userOf(c).ID, s.lang(c), hrFilter(c))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(training.EvidenceColumns)
	for _, r := range rows {
		cells := r.Evidence()
		for j := range cells {
			cells[j] = csvCell(cells[j])
		}
		w.Write(cells)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("handlers: write training report: %w", err)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="training-report-%s.csv"`,
		s.Now().UTC().Format(time.DateOnly)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// personTasks returns where the person stands on each assigned module.
func (s *server) personTasks(c *fiber.Ctx, userID int64) ([]training.Standing, error) {
	return s.HR.Standings(ctx(c), userID, s.lang(c))
}

// idParam reads the :id parameter; one that is not a number is notFound.
func idParam(c *fiber.Ctx, notFound error) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, notFound
	}
	return id, nil
}

func (s *server) showPersonTraining(c *fiber.Ctx) error {
	id, err := idParam(c, training.ErrNoPerson)
	if err != nil {
		return err
	}
	done := c.Query("done")
	if done != "extended" && done != "reset" {
		done = ""
	}
	return s.renderPerson(c, fiber.StatusOK, id, views.HRPersonPage{Done: done})
}

func (s *server) renderPerson(c *fiber.Ctx, status int, userID int64, m views.HRPersonPage) error {
	p, err := s.HR.Person(ctx(c), userID, s.lang(c))
	if err != nil {
		return err
	}
	m.Person, m.Groups, m.Tasks, m.Today = p.User, p.Groups, p.Tasks, s.Now().UTC().Format(time.DateOnly)
	return s.render(c, status, views.HRPersonView(s.chrome(c, p.User.Name+" · Training", "hr"), m))
}

// extendDueDate moves a person's due date for one module.
func (s *server) extendDueDate(c *fiber.Ctx) error {
	id, err := idParam(c, training.ErrNoPerson)
	if err != nil {
		return err
	}
	e := training.Extension{UserID: id, ModuleID: c.Params("module"), Due: strings.TrimSpace(c.FormValue("due"))}
	err = s.HR.ExtendDue(ctx(c), e, userOf(c).ID)
	if fe := (training.FieldErrors{}); errors.As(err, &fe) {
		return s.renderPerson(c, fiber.StatusUnprocessableEntity, id, views.HRPersonPage{
			Errors: map[string]string{e.ModuleID: fe["due"]}, DueInput: map[string]string{e.ModuleID: e.Due}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/hr/people/%d?done=extended#module-%s", id, e.ModuleID), fiber.StatusSeeOther)
}

// resetQuizAttempts lets a person start a module's quiz over with a full
// set of attempts.
func (s *server) resetQuizAttempts(c *fiber.Ctx) error {
	id, err := idParam(c, training.ErrNoPerson)
	if err != nil {
		return err
	}
	module := c.Params("module")
	if err := s.HR.ResetAttempts(ctx(c), id, module, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/hr/people/%d?done=reset#module-%s", id, module), fiber.StatusSeeOther)
}

func (s *server) listGroups(c *fiber.Ctx) error {
	return s.renderGroups(c, fiber.StatusOK, views.HRGroupForm{Kind: string(account.Department)})
}

func (s *server) renderGroups(c *fiber.Ctx, status int, form views.HRGroupForm) error {
	groups, err := s.Groups.List(ctx(c))
	if err != nil {
		return err
	}
	return s.render(c, status, views.HRGroupsView(s.chrome(c, "Groups", "hr"), views.HRGroupsPage{Groups: groups, Form: form}))
}

// createGroup creates a group and opens it, to add people.
func (s *server) createGroup(c *fiber.Ctx) error {
	form := views.HRGroupForm{Name: strings.TrimSpace(c.FormValue("name")), Kind: c.FormValue("kind")}
	id, err := s.Groups.Create(ctx(c), account.NewGroup{Name: form.Name, Kind: account.GroupKind(form.Kind)}, userOf(c).ID)
	if fe := (account.FieldErrors{}); errors.As(err, &fe) {
		form.Errors = views.FieldErrors(fe)
		return s.renderGroups(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/hr/groups/%d", id), fiber.StatusSeeOther)
}

// importRoster imports a CSV file of people and their groups: the whole
// file, or nothing and the list of lines to fix.
func (s *server) importRoster(c *fiber.Ctx) error {
	page := views.HRImportPage{}
	refuse := func(m views.HRImportPage) error {
		return s.render(c, fiber.StatusUnprocessableEntity, views.HRImportView(s.chrome(c, "Import people and groups", "hr"), m))
	}
	fh, err := c.FormFile("file")
	if err != nil {
		page.FileError = "No file was uploaded. Choose a CSV file and import it again."
		return refuse(page)
	}
	page.FileName = fh.Filename
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("handlers: open uploaded roster: %w", err)
	}
	defer f.Close()
	n, err := s.Groups.Import(ctx(c), f, userOf(c).ID)
	var fe *roster.FileError
	var rejected *account.RejectedError
	switch {
	case errors.As(err, &fe):
		page.FileError = fe.Reason
		return refuse(page)
	case errors.As(err, &rejected):
		page.Rows, page.Rejected = rejected.Rows, rejected.Rejected
		return refuse(page)
	case err != nil:
		return err
	}
	page.Rows, page.Created, page.Updated = n.Rows, n.Created, n.Updated
	s.wakeReminders()
	return s.render(c, fiber.StatusOK, views.HRImportView(s.chrome(c, "Import people and groups", "hr"), page))
}

// groupParam reads the :id parameter of a group's pages; one that is not a
// number is account.ErrNoGroup.
func groupParam(c *fiber.Ctx) (int64, error) {
	return idParam(c, account.ErrNoGroup)
}

func (s *server) showGroup(c *fiber.Ctx) error {
	id, err := groupParam(c)
	if err != nil {
		return err
	}
	m := views.HRGroupPage{}
	if c.Query("done") == "added" {
		m.Done = "added"
	}
	return s.renderGroup(c, fiber.StatusOK, id, m)
}

func (s *server) renderGroup(c *fiber.Ctx, status int, id int64, m views.HRGroupPage) error {
	var err error
	if m.Group, m.Members, err = s.Groups.Group(ctx(c), id); err != nil {
		return err
	}
	return s.render(c, status, views.HRGroupView(s.chrome(c, m.Group.Name, "hr"), m))
}

// userByEmail finds a person by email address, as typed or in lower case
// (account.EmailLookups). An address no one has is account.ErrUnknownEmail,
// which wraps the store's ErrNotFound too.
func (s *server) userByEmail(c *fiber.Ctx, email string) (int64, error) {
	return s.Directory.UserByEmail(ctx(c), email)
}

// addGroupMember puts a person in the group by hand; they get the group's
// assignments, due from today.
func (s *server) addGroupMember(c *fiber.Ctx) error {
	id, err := groupParam(c)
	if err != nil {
		return err
	}
	m := views.HRGroupPage{Email: strings.TrimSpace(c.FormValue("email"))}
	err = s.Groups.AddMember(ctx(c), id, m.Email, userOf(c).ID)
	if fe := (account.FieldErrors{}); errors.As(err, &fe) {
		m.Errors = views.FieldErrors(fe)
		return s.renderGroup(c, fiber.StatusUnprocessableEntity, id, m)
	}
	if err != nil {
		return err
	}
	s.wakeReminders()
	return c.Redirect(fmt.Sprintf("/hr/groups/%d?done=added", id), fiber.StatusSeeOther)
}

func (s *server) listAssignments(c *fiber.Ctx) error {
	form := views.HRAssignmentForm{DueDays: "14", Group: c.Query("group")}
	return s.renderAssignments(c, fiber.StatusOK, form, c.Query("done") == "created")
}

func (s *server) renderAssignments(c *fiber.Ctx, status int, form views.HRAssignmentForm, created bool) error {
	lang := s.lang(c)
	list, err := s.HR.Assignments(ctx(c), lang)
	if err != nil {
		return err
	}
	m := views.HRAssignmentsPage{Assignments: list.Assignments, Modules: s.moduleOptions(lang), Groups: list.Groups,
		Form: form, Created: created, Today: s.Now().UTC().Format(time.DateOnly)}
	return s.render(c, status, views.HRAssignmentsView(s.chrome(c, "Assignments", "hr"), m))
}

// createAssignment assigns a module, or the whole programme, to a group or
// a person. An invalid form comes back with what was typed and a message
// per field, and nothing is assigned.
func (s *server) createAssignment(c *fiber.Ctx) error {
	r := training.AssignRequest{What: c.FormValue("what"), Group: strings.TrimSpace(c.FormValue("group")),
		Email: strings.TrimSpace(c.FormValue("email")), Due: strings.TrimSpace(c.FormValue("due")),
		DueDays: strings.TrimSpace(c.FormValue("due_days"))}
	_, err := s.HR.Assign(ctx(c), r, userOf(c).ID)
	if fe := (training.FieldErrors{}); errors.As(err, &fe) {
		form := views.HRAssignmentForm{What: r.What, Group: r.Group, Email: r.Email, Due: r.Due, DueDays: r.DueDays,
			Errors: views.FieldErrors(fe)}
		return s.renderAssignments(c, fiber.StatusUnprocessableEntity, form, false)
	}
	if err != nil {
		return err
	}
	s.wakeReminders()
	return c.Redirect("/hr/assignments?done=created", fiber.StatusSeeOther)
}
