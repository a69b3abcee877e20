package training

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
)

// HRRepository is what the HR service needs from storage; the store
// implements it. A missing row is an error of kind apperr.NotFound.
type HRRepository interface {
	// TrainingReport returns a row per person and assigned module, by name.
	TrainingReport(ctx context.Context) ([]ReportRow, error)
	// Groups returns every group, with its number of members.
	Groups(ctx context.Context) ([]account.Group, error)
	// Group returns the group with the given id.
	Group(ctx context.Context, id int64) (account.Group, error)
	// User returns the user with the given id.
	User(ctx context.Context, id int64) (account.User, error)
	// UserByEmail returns the id of the user with exactly this address.
	UserByEmail(ctx context.Context, email string) (int64, error)
	// GroupNames returns the names of the user's groups, by name.
	GroupNames(ctx context.Context, userID int64) ([]string, error)
	// RequiredModules returns the module ids admins chose to unlock
	// sharing, with chosen false if they never chose.
	RequiredModules(ctx context.Context) (ids []string, chosen bool, err error)
	// Assignments returns every assignment, newest first.
	Assignments(ctx context.Context) ([]Assignment, error)
	// CreateAssignment stores a (which must pass a.Check) and, in the same
	// transaction, gives a task per module to everyone it covers now, due
	// at a.DueAt: the person, or every current member of the group. From
	// then on, whoever joins the group gets tasks due at a.DueOnJoining.
	// It audit-logs the assignment and returns its id.
	CreateAssignment(ctx context.Context, a Assignment, actorID int64) (int64, error)
	// ExtendDue moves the due date of the user's tasks at the module to
	// due and audit-logs the old and new dates; without such a task it is
	// a not-found error.
	ExtendDue(ctx context.Context, userID int64, moduleID string, due time.Time, actorID int64) error
	// ResetAttempts lets the user start over at the module's quiz (see
	// History) and audit-logs it.
	ResetAttempts(ctx context.Context, userID int64, moduleID string, actorID int64) error
	// LogAudit appends an audit entry for an action that changes nothing
	// else, with detail as its JSON "after".
	LogAudit(ctx context.Context, actorID int64, action, target string, detail any) error
}

// HR runs the training administration: what HR assigns to whom, how far
// everyone is, and the evidence for auditors. Each method is one use case;
// it is safe for concurrent use if its repository is.
type HR struct {
	repo HRRepository
	g    *Guidelines
	now  func() time.Time
}

// NewHR returns the HR service over repo, with the modules of g, at the
// time now tells (time.Now if nil).
func NewHR(repo HRRepository, g *Guidelines, now func() time.Time) *HR {
	if now == nil {
		now = time.Now
	}
	return &HR{repo: repo, g: g, now: now}
}

// The HR service's errors for things that do not exist.
var (
	ErrNoPerson    = apperr.Sentinel(apperr.NotFound, "training: no such person", "There is no such person.")
	ErrNoModule    = apperr.Sentinel(apperr.NotFound, "training: no such module", "There is no training module with that name.")
	ErrNotAssigned = apperr.Sentinel(apperr.NotFound, "training: module not assigned to the person",
		"This module is not assigned to this person, so there is no due date to extend.")
)

// FieldErrors say what is wrong with a request HR filled in, by form
// field, in words for them. As an error its kind is apperr.Invalid; nothing
// was changed.
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e)) {
		parts = append(parts, k+": "+e[k])
	}
	return "training: invalid request: " + strings.Join(parts, "; ")
}

// Kind is apperr.Invalid.
func (e FieldErrors) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is what the user is told when no form shows the fields.
func (e FieldErrors) UserMessage() string { return "Some fields need attention; nothing was changed." }

// Dashboard is HR's picture of the training: completion by module and by
// group, who is overdue, and every person × module, narrowed by a Filter.
type Dashboard struct {
	Groups   []string     // every group's name, for the group filter
	ByModule []Completion // the status filter does not apply: completion counts every status
	ByGroup  []Completion // likewise
	Overdue  []Standing   // of Tasks, longest overdue first
	Tasks    []Standing   // every person × module the filter matches, by name
}

// Dashboard returns the dashboard at now, module titles in lang, narrowed
// by f.
func (h *HR) Dashboard(ctx context.Context, lang string, f Filter) (Dashboard, error) {
	standings, groups, err := h.standings(ctx, lang)
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Groups: groupNames(groups)}
	all := f.WithoutStatus().Select(standings, d.Groups)
	d.ByModule = CompletionByModule(all, h.g.Modules)
	d.ByGroup = CompletionByGroup(all, groups)
	d.Tasks = f.Select(all, d.Groups)
	d.Overdue = OverdueList(d.Tasks)
	return d, nil
}

// Export returns the dashboard's people × modules matching f, for the
// evidence export (Standing.Evidence), and records in the audit log that
// actorID exported them: how many rows and which filters were set, not
// their values.
func (h *HR) Export(ctx context.Context, actorID int64, lang string, f Filter) ([]Standing, error) {
	standings, groups, err := h.standings(ctx, lang)
	if err != nil {
		return nil, err
	}
	rows := f.Select(standings, groupNames(groups))
	if err := h.repo.LogAudit(ctx, actorID, "training.export", "training-report",
		map[string]any{"rows": len(rows), "filters": f.Set()}); err != nil {
		return nil, err
	}
	return rows, nil
}

func (h *HR) standings(ctx context.Context, lang string) ([]Standing, []account.Group, error) {
	report, err := h.repo.TrainingReport(ctx)
	if err != nil {
		return nil, nil, err
	}
	groups, err := h.repo.Groups(ctx)
	if err != nil {
		return nil, nil, err
	}
	return Standings(report, h.g, lang, h.now()), groups, nil
}

func groupNames(groups []account.Group) []string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	return names
}

// Person is one person's assigned training.
type Person struct {
	User   account.User
	Groups []string   // their groups' names, by name
	Tasks  []Standing // their assigned modules
}

// Person returns the training of the user with id userID, module titles in
// lang; an unknown id is ErrNoPerson.
func (h *HR) Person(ctx context.Context, userID int64, lang string) (Person, error) {
	u, err := h.user(ctx, userID)
	if err != nil {
		return Person{}, err
	}
	p := Person{User: u}
	if p.Tasks, err = h.Standings(ctx, userID, lang); err != nil {
		return p, err
	}
	if p.Groups, err = h.repo.GroupNames(ctx, userID); err != nil {
		return p, err
	}
	return p, nil
}

// Standings returns where the user stands on each module assigned to them,
// module titles in lang.
func (h *HR) Standings(ctx context.Context, userID int64, lang string) ([]Standing, error) {
	report, err := h.repo.TrainingReport(ctx)
	if err != nil {
		return nil, err
	}
	report = slices.DeleteFunc(report, func(r ReportRow) bool { return r.UserID != userID })
	return Standings(report, h.g, lang, h.now()), nil
}

func (h *HR) user(ctx context.Context, id int64) (account.User, error) {
	u, err := h.repo.User(ctx, id)
	if apperr.KindOf(err) == apperr.NotFound {
		return u, fmt.Errorf("training: user %d: %w", id, ErrNoPerson)
	}
	return u, err
}

func (h *HR) module(id string) (Module, error) { return h.g.lookup(id) }

// lookup returns the module with the given id, or ErrNoModule.
func (g *Guidelines) lookup(id string) (Module, error) {
	m, ok := g.Module(id)
	if !ok {
		return m, fmt.Errorf("training: module %q: %w", id, ErrNoModule)
	}
	return m, nil
}

// Extension is HR's request to move one person's due date at one module.
type Extension struct {
	UserID   int64
	ModuleID string
	Due      string // the new date as typed, yyyy-mm-dd (see ParseDue)
}

// ExtendDue moves the due date of e's person at e's module. An unknown
// person is ErrNoPerson, an unknown module ErrNoModule, a module not
// assigned to them ErrNotAssigned (in that order); a date ParseDue refuses
// is FieldErrors on "due". It is audit-logged with the dates before and
// after.
func (h *HR) ExtendDue(ctx context.Context, e Extension, actorID int64) error {
	if _, err := h.user(ctx, e.UserID); err != nil {
		return err
	}
	m, err := h.module(e.ModuleID)
	if err != nil {
		return err
	}
	tasks, err := h.Standings(ctx, e.UserID, "")
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(tasks, func(s Standing) bool { return s.ModuleID == m.ID }) {
		return ErrNotAssigned
	}
	due, problem := ParseDue(e.Due, h.now())
	if problem != "" {
		return FieldErrors{"due": problem}
	}
	err = h.repo.ExtendDue(ctx, e.UserID, m.ID, due, actorID)
	if apperr.KindOf(err) == apperr.NotFound {
		return fmt.Errorf("training: extend %s for user %d: %w", m.ID, e.UserID, ErrNotAssigned)
	}
	return err
}

// ResetAttempts lets the person start the module's quiz over with a full
// set of attempts; past attempts stay on record. An unknown person is
// ErrNoPerson, an unknown module ErrNoModule. It is audit-logged.
func (h *HR) ResetAttempts(ctx context.Context, userID int64, moduleID string, actorID int64) error {
	if _, err := h.user(ctx, userID); err != nil {
		return err
	}
	m, err := h.module(moduleID)
	if err != nil {
		return err
	}
	return h.repo.ResetAttempts(ctx, userID, m.ID, actorID)
}

// AssignmentLine is an assignment as HR's list shows it.
type AssignmentLine struct {
	Assignment
	Titles []string // of its modules, in the language asked for; an id where the guidelines lack the module
}

// Assignments is what the assignments page lists: every assignment and
// the groups one can be made to.
type Assignments struct {
	Assignments []AssignmentLine // newest first
	Groups      []account.Group
}

// Assignments returns every assignment, module titles in lang, and every
// group.
func (h *HR) Assignments(ctx context.Context, lang string) (Assignments, error) {
	list, err := h.repo.Assignments(ctx)
	if err != nil {
		return Assignments{}, err
	}
	out := Assignments{}
	if out.Groups, err = h.repo.Groups(ctx); err != nil {
		return out, err
	}
	for _, a := range list {
		line := AssignmentLine{Assignment: a, Titles: make([]string, len(a.Modules))}
		for i, id := range a.Modules {
			line.Titles[i] = id
			if m, ok := h.g.Module(id); ok {
				line.Titles[i] = m.In(lang).Title
			}
		}
		out.Assignments = append(out.Assignments, line)
	}
	return out, nil
}

// AssignProgramme is AssignRequest.What for the whole code of conduct
// programme.
const AssignProgramme = "programme"

// AssignRequest is HR's request to assign training, as the form sent it.
type AssignRequest struct {
	What    string // AssignProgramme, or a module id
	Group   string // a group's id; or
	Email   string // one person's email address
	Due     string // yyyy-mm-dd: due at the end of that day, UTC, for those it covers now (ParseDue)
	DueDays string // days to complete for those who join the group later, 1 to MaxDueDays
}

// Assign assigns a module, or the whole programme (the modules that unlock
// sharing: the admins' choice, or the guidelines' programme), to a group or
// to one person found by email (as typed, or in lower case). It checks
// every field and returns FieldErrors for all that are wrong ("what",
// "target", "group", "email", "due", "due_days"), assigning nothing; if
// they are right, everyone it covers gets their tasks (see
// HRRepository.CreateAssignment) and it returns the assignment's id.
func (h *HR) Assign(ctx context.Context, r AssignRequest, actorID int64) (int64, error) {
	problems := FieldErrors{}
	a := Assignment{}

	switch r.What {
	case "":
		problems["what"] = "Choose a module or the whole programme."
	case AssignProgramme:
		ids, chosen, err := h.repo.RequiredModules(ctx)
		if err != nil {
			return 0, err
		}
		a.Modules, a.Programme = h.g.Programme(ids, chosen), true
		if len(a.Modules) == 0 {
			problems["what"] = "The programme has no required modules yet; an admin chooses them. Assign single modules instead."
		}
	default:
		if _, ok := h.g.Module(r.What); !ok {
			problems["what"] = "There is no such module. Choose one from the list."
		}
		a.Modules = []string{r.What}
	}

	switch {
	case r.Group == "" && r.Email == "":
		problems["target"] = "Choose a group, or type the email address of one person."
	case r.Group != "" && r.Email != "":
		problems["target"] = "Choose a group or type an email address, not both."
	case r.Group != "":
		id, err := strconv.ParseInt(r.Group, 10, 64)
		if err != nil {
			problems["group"] = "There is no such group. Choose one from the list."
			break
		}
		_, err = h.repo.Group(ctx, id)
		switch {
		case err == nil:
			a.GroupID = id
		case apperr.KindOf(err) == apperr.NotFound:
			problems["group"] = "There is no such group. Choose one from the list."
		default:
			return 0, err
		}
	default:
		id, err := h.userByEmail(ctx, r.Email)
		switch {
		case err == nil:
			a.UserID = id
		case apperr.KindOf(err) == apperr.NotFound:
			problems["email"] = account.UnknownEmail
		default:
			return 0, err
		}
	}

	due, problem := ParseDue(r.Due, h.now())
	if problem != "" {
		problems["due"] = problem
	}
	a.DueAt = due
	days, err := strconv.Atoi(r.DueDays)
	if err != nil || days < 1 || days > MaxDueDays {
		problems["due_days"] = fmt.Sprintf("Enter a number of days from 1 to %d.", MaxDueDays)
	}
	a.DueDays = days

	if len(problems) > 0 {
		return 0, problems
	}
	return h.repo.CreateAssignment(ctx, a, actorID)
}

// userByEmail finds a person by an address as someone typed it.
func (h *HR) userByEmail(ctx context.Context, email string) (int64, error) {
	var err error
	for _, e := range account.EmailLookups(email) {
		var id int64
		if id, err = h.repo.UserByEmail(ctx, e); apperr.KindOf(err) != apperr.NotFound {
			return id, err
		}
	}
	return 0, err
}

// MaxDueDays is the most days to complete HR may give those who join a
// group after its assignment.
const MaxDueDays = 365

// MaxDueAhead is how far ahead a due date may be, to catch typos.
const MaxDueAhead = 5 * 365 * 24 * time.Hour

// ParseDue reads a due date typed as yyyy-mm-dd: the end of that day in
// UTC. It must not be over at now, nor more than MaxDueAhead after now. If
// the text is not acceptable, problem says why, in words for the person who
// typed it, and due is zero.
func ParseDue(text string, now time.Time) (due time.Time, problem string) {
	if text == "" {
		return time.Time{}, "Choose a due date."
	}
	day, err := time.Parse(time.DateOnly, text)
	if err != nil {
		return time.Time{}, "Enter the date as year-month-day, for example 2026-12-31."
	}
	due = day.Add(24*time.Hour - time.Second)
	if !due.After(now) {
		return time.Time{}, "Choose a date in the future."
	}
	if due.After(now.Add(MaxDueAhead)) {
		return time.Time{}, "Choose a date within the next five years."
	}
	return due, ""
}

// Programme is the modules of the code of conduct programme, which unlock
// sharing: ids if admins chose them (chosen), the guidelines' Required
// otherwise.
func (g *Guidelines) Programme(ids []string, chosen bool) []string {
	if chosen {
		return ids
	}
	return g.Required
}
