package handlers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/roster"
	"github.com/advocacy-portal/portal/internal/store"
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

// maxDueAhead is how far ahead a due date may be, to catch typos.
const maxDueAhead = 5 * 365 * 24 * time.Hour

// trainingStatuses lists the statuses in the order filters offer them.
var trainingStatuses = []training.Status{training.NotStarted, training.InProgress, training.Passed, training.Failed, training.Overdue}

// hrTasks turns the store's report into the dashboard's rows, with each
// status as of now and module titles in lang.
func (s *server) hrTasks(report []training.ReportRow, lang string) []views.HRTask {
	now := s.Now()
	out := make([]views.HRTask, 0, len(report))
	for _, r := range report {
		m, known := s.Guidelines.Module(r.ModuleID)
		title := r.ModuleID
		if known {
			title = m.In(lang).Title
		}
		t := views.HRTask{UserID: r.UserID, Name: r.Name, Email: r.Email, Groups: r.Groups, ModuleID: r.ModuleID,
			ModuleTitle: title, Status: m.Quiz.Status(r.History, r.DueAt, now), DueAt: r.DueAt,
			Attempts: r.Attempts, Counted: r.History.Submitted, AttemptsLeft: m.Quiz.AttemptsLeft(r.History),
			InProgress: r.History.InProgress, BestPercent: r.BestPercent, PassedAt: r.PassedAt}
		if t.Status == training.Overdue {
			t.DaysOverdue = int((now.Sub(r.DueAt) + 24*time.Hour - 1) / (24 * time.Hour))
		}
		out = append(out, t)
	}
	return out
}

// hrFilter reads the dashboard's filters from the query string.
func hrFilter(c *fiber.Ctx) views.HRFilter {
	return views.HRFilter{Module: strings.TrimSpace(c.Query("module")), Group: strings.TrimSpace(c.Query("group")),
		Status: strings.TrimSpace(c.Query("status")), Q: strings.TrimSpace(c.Query("q"))}
}

// matches reports whether t passes the filter; the status is checked only
// if withStatus. A group filter naming an existing group matches its
// members; any other text matches group names containing it.
func matches(t views.HRTask, f views.HRFilter, groupNames []string, withStatus bool) bool {
	if f.Module != "" && t.ModuleID != f.Module {
		return false
	}
	if f.Group != "" {
		if slices.Contains(groupNames, f.Group) {
			if !slices.Contains(t.Groups, f.Group) {
				return false
			}
		} else if part := strings.ToLower(f.Group); !slices.ContainsFunc(t.Groups, func(g string) bool {
			return strings.Contains(strings.ToLower(g), part)
		}) {
			return false
		}
	}
	if withStatus && f.Status != "" && string(t.Status) != f.Status {
		return false
	}
	if q := strings.ToLower(f.Q); q != "" && !strings.Contains(strings.ToLower(t.Name), q) &&
		!strings.Contains(strings.ToLower(t.Email), q) {
		return false
	}
	return true
}

func filterTasks(tasks []views.HRTask, f views.HRFilter, groupNames []string, withStatus bool) []views.HRTask {
	var out []views.HRTask
	for _, t := range tasks {
		if matches(t, f, groupNames, withStatus) {
			out = append(out, t)
		}
	}
	return out
}

func groupNames(groups []account.Group) []string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	return names
}

// showTrainingDashboard shows completion by module and by group, the
// overdue list and every person × module. Completion counts every status;
// the status filter narrows the overdue list and the table.
func (s *server) showTrainingDashboard(c *fiber.Ctx) error {
	report, err := s.Store.TrainingReport(ctx(c))
	if err != nil {
		return err
	}
	groups, err := s.Store.Groups(ctx(c))
	if err != nil {
		return err
	}
	lang, f, names := s.lang(c), hrFilter(c), groupNames(groups)
	all := filterTasks(s.hrTasks(report, lang), f, names, false)
	m := views.HRDashboardPage{Filter: f, Modules: s.moduleOptions(lang), Groups: names, MaxShown: maxTasksShown}
	for _, st := range trainingStatuses {
		m.Statuses = append(m.Statuses, views.HROption{Value: string(st), Label: st.Label()})
	}
	m.ByModule = completionByModule(all, s.Guidelines.Modules)
	m.ByGroup = completionByGroup(all, groups)
	shown := filterTasks(all, f, names, true)
	for _, t := range shown {
		if t.Status == training.Overdue {
			m.Overdue = append(m.Overdue, t)
		}
	}
	slices.SortStableFunc(m.Overdue, func(a, b views.HRTask) int { return b.DaysOverdue - a.DaysOverdue })
	m.TotalTasks = len(shown)
	m.Tasks = shown[:min(len(shown), maxTasksShown)]
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

// completionByModule counts tasks and passes per module, in the
// guidelines' order; modules no one has are left out.
func completionByModule(tasks []views.HRTask, modules []training.Module) []views.HRCompletion {
	rows := map[string]*views.HRCompletion{}
	var order []string
	for _, t := range tasks {
		r, ok := rows[t.ModuleID]
		if !ok {
			r = &views.HRCompletion{Key: t.ModuleID, Label: t.ModuleTitle}
			rows[t.ModuleID] = r
			order = append(order, t.ModuleID)
		}
		r.People++ // one task per person and module
		r.Tasks++
		if t.Status == training.Passed {
			r.Passed++
		}
	}
	rank := func(id string) int {
		if i := slices.IndexFunc(modules, func(m training.Module) bool { return m.ID == id }); i >= 0 {
			return i
		}
		return len(modules)
	}
	slices.SortStableFunc(order, func(a, b string) int { return rank(a) - rank(b) })
	out := make([]views.HRCompletion, len(order))
	for i, id := range order {
		out[i] = *rows[id]
	}
	return out
}

// completionByGroup counts people, tasks and passes per group; groups
// without tasks are left out.
func completionByGroup(tasks []views.HRTask, groups []account.Group) []views.HRCompletion {
	var out []views.HRCompletion
	for _, g := range groups {
		r := views.HRCompletion{Key: strconv.FormatInt(g.ID, 10), Label: g.Name}
		people := map[int64]bool{}
		for _, t := range tasks {
			if !slices.Contains(t.Groups, g.Name) {
				continue
			}
			people[t.UserID] = true
			r.Tasks++
			if t.Status == training.Passed {
				r.Passed++
			}
		}
		r.People = len(people)
		if r.Tasks > 0 {
			out = append(out, r)
		}
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
	report, err := s.Store.TrainingReport(ctx(c))
	if err != nil {
		return err
	}
	groups, err := s.Store.Groups(ctx(c))
	if err != nil {
		return err
	}
	f, names := hrFilter(c), groupNames(groups)
	tasks := s.hrTasks(report, s.lang(c))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"user", "email", "groups", "module", "module_version", "status", "best_score_percent", "attempts",
		"completed_at", "due_at", "acknowledged_version", "acknowledged_hash", "acknowledged_at"})
	n := 0
	for i, t := range tasks {
		if !matches(t, f, names, true) {
			continue
		}
		r := report[i]
		row := []string{r.Name, r.Email, strings.Join(r.Groups, ", "), r.ModuleID, r.PassedHash, string(t.Status), strconv.Itoa(r.BestPercent),
			strconv.Itoa(r.Attempts), rfc3339(r.PassedAt), rfc3339(r.DueAt), r.AckVersion, r.AckHash, rfc3339(r.AckAt)}
		for j := range row {
			row[j] = csvCell(row[j])
		}
		w.Write(row)
		n++
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("handlers: write training report: %w", err)
	}
	// Which filters were set, not their values: a search is often a
	// person's name, and the audit log keeps everything for ever.
	filters := map[string]bool{}
	for k, v := range f.Values() {
		filters[k] = v[0] != ""
	}
	if err := s.Store.LogAudit(ctx(c), userOf(c).ID, "training.export", "training-report",
		map[string]any{"rows": n, "filters": filters}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="training-report-%s.csv"`,
		s.Now().UTC().Format(time.DateOnly)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// personParam returns the person named by the :id parameter.
func (s *server) personParam(c *fiber.Ctx) (account.User, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return account.User{}, apperr.New(apperr.NotFound, "There is no such person.")
	}
	u, err := s.Store.User(ctx(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return u, apperr.New(apperr.NotFound, "There is no such person.")
	}
	return u, err
}

// personTasks returns the person's assigned modules with their standing.
func (s *server) personTasks(c *fiber.Ctx, userID int64) ([]views.HRTask, error) {
	report, err := s.Store.TrainingReport(ctx(c))
	if err != nil {
		return nil, err
	}
	report = slices.DeleteFunc(report, func(r training.ReportRow) bool { return r.UserID != userID })
	return s.hrTasks(report, s.lang(c)), nil
}

func (s *server) showPersonTraining(c *fiber.Ctx) error {
	person, err := s.personParam(c)
	if err != nil {
		return err
	}
	done := c.Query("done")
	if done != "extended" && done != "reset" {
		done = ""
	}
	return s.renderPerson(c, fiber.StatusOK, person, views.HRPersonPage{Done: done})
}

func (s *server) renderPerson(c *fiber.Ctx, status int, person account.User, m views.HRPersonPage) error {
	tasks, err := s.personTasks(c, person.ID)
	if err != nil {
		return err
	}
	if m.Groups, err = s.Store.GroupNames(ctx(c), person.ID); err != nil {
		return err
	}
	m.Person, m.Tasks, m.Today = person, tasks, s.Now().UTC().Format(time.DateOnly)
	return s.render(c, status, views.HRPersonView(s.chrome(c, person.Name+" · Training", "hr"), m))
}

// personModule returns the person and module named by the route.
func (s *server) personModule(c *fiber.Ctx) (account.User, training.Module, error) {
	person, err := s.personParam(c)
	if err != nil {
		return person, training.Module{}, err
	}
	m, ok := s.Guidelines.Module(c.Params("module"))
	if !ok {
		return person, m, apperr.New(apperr.NotFound, "There is no training module with that name.")
	}
	return person, m, nil
}

// parseDueDate reads a yyyy-mm-dd date as the end of that day in UTC. It
// must not be over yet, nor more than five years ahead; if it is not
// acceptable, the message says why.
func parseDueDate(text string, now time.Time) (time.Time, string) {
	if text == "" {
		return time.Time{}, "Choose a due date."
	}
	day, err := time.Parse(time.DateOnly, text)
	if err != nil {
		return time.Time{}, "Enter the date as year-month-day, for example 2026-12-31."
	}
	due := day.Add(24*time.Hour - time.Second)
	if !due.After(now) {
		return time.Time{}, "Choose a date in the future."
	}
	if due.After(now.Add(maxDueAhead)) {
		return time.Time{}, "Choose a date within the next five years."
	}
	return due, ""
}

// extendDueDate moves a person's due date for one module.
func (s *server) extendDueDate(c *fiber.Ctx) error {
	person, m, err := s.personModule(c)
	if err != nil {
		return err
	}
	tasks, err := s.personTasks(c, person.ID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(tasks, func(t views.HRTask) bool { return t.ModuleID == m.ID }) {
		return apperr.New(apperr.NotFound, "This module is not assigned to this person, so there is no due date to extend.")
	}
	text := strings.TrimSpace(c.FormValue("due"))
	due, problem := parseDueDate(text, s.Now())
	if problem != "" {
		return s.renderPerson(c, fiber.StatusUnprocessableEntity, person, views.HRPersonPage{
			Errors: map[string]string{m.ID: problem}, DueInput: map[string]string{m.ID: text}})
	}
	err = s.Store.ExtendDue(ctx(c), person.ID, m.ID, due, userOf(c).ID)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.New(apperr.NotFound, "This module is not assigned to this person, so there is no due date to extend.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/hr/people/%d?done=extended#module-%s", person.ID, m.ID), fiber.StatusSeeOther)
}

// resetQuizAttempts lets a person start a module's quiz over with a full
// set of attempts.
func (s *server) resetQuizAttempts(c *fiber.Ctx) error {
	person, m, err := s.personModule(c)
	if err != nil {
		return err
	}
	if err := s.Store.ResetAttempts(ctx(c), person.ID, m.ID, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/hr/people/%d?done=reset#module-%s", person.ID, m.ID), fiber.StatusSeeOther)
}

func (s *server) listGroups(c *fiber.Ctx) error {
	return s.renderGroups(c, fiber.StatusOK, views.HRGroupForm{Kind: string(account.Department)})
}

func (s *server) renderGroups(c *fiber.Ctx, status int, form views.HRGroupForm) error {
	groups, err := s.Store.Groups(ctx(c))
	if err != nil {
		return err
	}
	return s.render(c, status, views.HRGroupsView(s.chrome(c, "Groups", "hr"), views.HRGroupsPage{Groups: groups, Form: form}))
}

// createGroup creates a group and opens it, to add people.
func (s *server) createGroup(c *fiber.Ctx) error {
	form := views.HRGroupForm{Name: strings.TrimSpace(c.FormValue("name")), Kind: c.FormValue("kind"),
		Errors: views.FieldErrors{}}
	switch {
	case form.Name == "":
		form.Errors["name"] = "Give the group a name."
	case utf8.RuneCountInString(form.Name) > 100:
		form.Errors["name"] = "Keep the name to 100 characters or fewer."
	}
	if !account.GroupKind(form.Kind).Valid() {
		form.Errors["kind"] = "Choose department, location or team."
	}
	if len(form.Errors) > 0 {
		return s.renderGroups(c, fiber.StatusUnprocessableEntity, form)
	}
	id, err := s.Store.CreateGroup(ctx(c), form.Name, account.GroupKind(form.Kind), userOf(c).ID)
	if errors.Is(err, store.ErrExists) {
		form.Errors["name"] = "A group with this name already exists."
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
	if fh.Size == 0 {
		page.FileError = "The file is empty."
		return refuse(page)
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("handlers: open uploaded roster: %w", err)
	}
	defer f.Close()
	rows, bad, err := roster.Parse(f)
	var fe *roster.FileError
	if errors.As(err, &fe) {
		page.FileError = fe.Reason
		return refuse(page)
	}
	if err != nil {
		return err
	}
	page.Rows = len(rows) + len(bad)
	if len(bad) > 0 {
		page.Rejected = bad
		return refuse(page)
	}
	if page.Created, page.Updated, err = s.Store.ImportRoster(ctx(c), rows, userOf(c).ID); err != nil {
		return err
	}
	s.wakeReminders()
	return s.render(c, fiber.StatusOK, views.HRImportView(s.chrome(c, "Import people and groups", "hr"), page))
}

// groupParam returns the group named by the :id parameter.
func (s *server) groupParam(c *fiber.Ctx) (account.Group, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return account.Group{}, apperr.New(apperr.NotFound, "There is no such group.")
	}
	g, err := s.Store.Group(ctx(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return g, apperr.New(apperr.NotFound, "There is no such group.")
	}
	return g, err
}

func (s *server) showGroup(c *fiber.Ctx) error {
	g, err := s.groupParam(c)
	if err != nil {
		return err
	}
	m := views.HRGroupPage{Group: g}
	if c.Query("done") == "added" {
		m.Done = "added"
	}
	return s.renderGroup(c, fiber.StatusOK, m)
}

func (s *server) renderGroup(c *fiber.Ctx, status int, m views.HRGroupPage) error {
	members, err := s.Store.GroupMembers(ctx(c), m.Group.ID)
	if err != nil {
		return err
	}
	m.Members = members
	return s.render(c, status, views.HRGroupView(s.chrome(c, m.Group.Name, "hr"), m))
}

// userByEmail finds a person by email address, as typed or in lower case.
func (s *server) userByEmail(c *fiber.Ctx, email string) (int64, error) {
	id, err := s.Store.UserByEmail(ctx(c), email)
	if errors.Is(err, store.ErrNotFound) && strings.ToLower(email) != email {
		id, err = s.Store.UserByEmail(ctx(c), strings.ToLower(email))
	}
	return id, err
}

const unknownEmail = "No one with this email has signed in or been imported yet."

// addGroupMember puts a person in the group by hand; they get the group's
// assignments, due from today.
func (s *server) addGroupMember(c *fiber.Ctx) error {
	g, err := s.groupParam(c)
	if err != nil {
		return err
	}
	m := views.HRGroupPage{Group: g, Email: strings.TrimSpace(c.FormValue("email")), Errors: views.FieldErrors{}}
	if m.Email == "" {
		m.Errors["email"] = "Enter the person's email address."
		return s.renderGroup(c, fiber.StatusUnprocessableEntity, m)
	}
	userID, err := s.userByEmail(c, m.Email)
	if errors.Is(err, store.ErrNotFound) {
		m.Errors["email"] = unknownEmail
		return s.renderGroup(c, fiber.StatusUnprocessableEntity, m)
	}
	if err != nil {
		return err
	}
	if err := s.Store.AddToGroup(ctx(c), g.ID, userID, account.SourceManual, userOf(c).ID); err != nil {
		return err
	}
	s.wakeReminders()
	return c.Redirect(fmt.Sprintf("/hr/groups/%d?done=added", g.ID), fiber.StatusSeeOther)
}

func (s *server) listAssignments(c *fiber.Ctx) error {
	form := views.HRAssignmentForm{DueDays: "14", Group: c.Query("group")}
	return s.renderAssignments(c, fiber.StatusOK, form, c.Query("done") == "created")
}

func (s *server) renderAssignments(c *fiber.Ctx, status int, form views.HRAssignmentForm, created bool) error {
	assignments, err := s.Store.Assignments(ctx(c))
	if err != nil {
		return err
	}
	groups, err := s.Store.Groups(ctx(c))
	if err != nil {
		return err
	}
	lang := s.lang(c)
	m := views.HRAssignmentsPage{Modules: s.moduleOptions(lang), Groups: groups, Form: form, Created: created,
		Today: s.Now().UTC().Format(time.DateOnly)}
	for _, a := range assignments {
		row := views.HRAssignmentRow{Assignment: a, What: fmt.Sprintf("Whole code of conduct programme (%d modules)", len(a.Modules))}
		if !a.Programme {
			titles := make([]string, len(a.Modules))
			for i, id := range a.Modules {
				titles[i] = id
				if mod, ok := s.Guidelines.Module(id); ok {
					titles[i] = mod.In(lang).Title
				}
			}
			row.What = "Module: " + strings.Join(titles, ", ")
		}
		m.Assignments = append(m.Assignments, row)
	}
	return s.render(c, status, views.HRAssignmentsView(s.chrome(c, "Assignments", "hr"), m))
}

// createAssignment assigns a module, or the whole programme, to a group or
// a person. An invalid form comes back with what was typed and a message
// per field, and nothing is assigned.
func (s *server) createAssignment(c *fiber.Ctx) error {
	form := views.HRAssignmentForm{What: c.FormValue("what"), Group: strings.TrimSpace(c.FormValue("group")),
		Email: strings.TrimSpace(c.FormValue("email")), Due: strings.TrimSpace(c.FormValue("due")),
		DueDays: strings.TrimSpace(c.FormValue("due_days")), Errors: views.FieldErrors{}}
	a := training.Assignment{}

	switch form.What {
	case "":
		form.Errors["what"] = "Choose a module or the whole programme."
	case "programme":
		required, err := s.requiredModules(c)
		if err != nil {
			return err
		}
		if len(required) == 0 {
			form.Errors["what"] = "The programme has no required modules yet; an admin chooses them. Assign single modules instead."
		}
		a.Modules, a.Programme = required, true
	default:
		if _, ok := s.Guidelines.Module(form.What); !ok {
			form.Errors["what"] = "There is no such module. Choose one from the list."
		}
		a.Modules = []string{form.What}
	}

	switch {
	case form.Group == "" && form.Email == "":
		form.Errors["target"] = "Choose a group, or type the email address of one person."
	case form.Group != "" && form.Email != "":
		form.Errors["target"] = "Choose a group or type an email address, not both."
	case form.Group != "":
		id, err := strconv.ParseInt(form.Group, 10, 64)
		if err == nil {
			_, err = s.Store.Group(ctx(c), id)
		}
		switch {
		case err == nil:
			a.GroupID = id
		case errors.Is(err, store.ErrNotFound) || errors.Is(err, strconv.ErrSyntax) || errors.Is(err, strconv.ErrRange):
			form.Errors["group"] = "There is no such group. Choose one from the list."
		default:
			return err
		}
	default:
		id, err := s.userByEmail(c, form.Email)
		switch {
		case err == nil:
			a.UserID = id
		case errors.Is(err, store.ErrNotFound):
			form.Errors["email"] = unknownEmail
		default:
			return err
		}
	}

	due, problem := parseDueDate(form.Due, s.Now())
	if problem != "" {
		form.Errors["due"] = problem
	}
	a.DueAt = due
	days, err := strconv.Atoi(form.DueDays)
	if err != nil || days < 1 || days > 365 {
		form.Errors["due_days"] = "Enter a number of days from 1 to 365."
	}
	a.DueDays = days

	if len(form.Errors) > 0 {
		return s.renderAssignments(c, fiber.StatusUnprocessableEntity, form, false)
	}
	if _, err := s.Store.CreateAssignment(ctx(c), a, userOf(c).ID); err != nil {
		return err
	}
	s.wakeReminders()
	return c.Redirect("/hr/assignments?done=created", fiber.StatusSeeOther)
}
