package training

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
)

// This file holds HR's counting rules: where each person stands on each
// assigned module, which of them a filter keeps, completion by module and
// by group, the overdue list and the evidence an export carries. They are
// plain functions over the store's report rows; the HR service reads the
// rows and calls them.

// Statuses lists the statuses in the order filters and counts offer them.
var Statuses = []Status{NotStarted, InProgress, Passed, Failed, Overdue}

// Standing is one person's standing on one assigned module at a moment:
// the report row with what follows from it.
type Standing struct {
	ReportRow
	ModuleTitle  string // in the language asked for; the module id if the guidelines lack it
	Status       Status
	DaysOverdue  int // whole days, rounded up; 0 unless Status is Overdue
	AttemptsLeft int // -1 for unlimited
}

// Standings works out, at now, each row's status and attempts left under
// its module's quiz rules in g, with module titles in lang. A module the
// guidelines no longer have keeps its id as title and the zero quiz rules.
func Standings(rows []ReportRow, g *Guidelines, lang string, now time.Time) []Standing {
	out := make([]Standing, 0, len(rows))
	for _, r := range rows {
		m, known := g.Module(r.ModuleID)
		s := Standing{ReportRow: r, ModuleTitle: r.ModuleID, Status: m.Quiz.Status(r.History, r.DueAt, now),
			AttemptsLeft: m.Quiz.AttemptsLeft(r.History)}
		if known {
			s.ModuleTitle = m.In(lang).Title
		}
		if s.Status == Overdue {
			s.DaysOverdue = DaysOverdue(r.DueAt, now)
		}
		out = append(out, s)
	}
	return out
}

// DaysOverdue is how many days past due is at now, counting a day begun as
// a whole one: one second late is one day.
func DaysOverdue(due, now time.Time) int {
	const day = 24 * time.Hour
	return int((now.Sub(due) + day - 1) / day)
}

// CountByStatus counts standings per status, in the order of Statuses;
// statuses no one has are left out.
func CountByStatus(standings []Standing) []StatusCount {
	var out []StatusCount
	for _, st := range Statuses {
		n := 0
		for _, s := range standings {
			if s.Status == st {
				n++
			}
		}
		if n > 0 {
			out = append(out, StatusCount{Status: st, N: n})
		}
	}
	return out
}

// StatusCount is how many standings have one status.
type StatusCount struct {
	Status Status
	N      int
}

// Filter narrows HR's dashboard and its export. Empty fields do not filter.
type Filter struct {
	Module string // a module id
	Group  string // a group's whole name, or part of one (see Matches)
	Status string // a Status
	Q      string // part of a name or email address, case ignored
}

// Fields are the filter's fields that are set, by their names in a query
// string: module, group, status and q.
func (f Filter) Fields() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{"module": f.Module, "group": f.Group, "status": f.Status, "q": f.Q} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// Set says which fields are set, as Fields names them, without their
// values: a search is often a person's name.
func (f Filter) Set() map[string]bool {
	set := map[string]bool{}
	for k := range f.Fields() {
		set[k] = true
	}
	return set
}

// WithoutStatus is the filter with the status left out: completion counts
// every status.
func (f Filter) WithoutStatus() Filter {
	f.Status = ""
	return f
}

// Matches reports whether s passes the filter. groups are the names of
// every group: a Group naming one of them matches its members only (a
// group name may contain a comma, so "Sales" does not match someone in
// "Sales, EMEA"); any other text matches members of groups whose names
// contain it, case ignored.
func (f Filter) Matches(s Standing, groups []string) bool {
	if f.Module != "" && s.ModuleID != f.Module {
		return false
	}
	if f.Group != "" {
		if slices.Contains(groups, f.Group) {
			if !slices.Contains(s.Groups, f.Group) {
				return false
			}
		} else if part := strings.ToLower(f.Group); !slices.ContainsFunc(s.Groups, func(g string) bool {
			return strings.Contains(strings.ToLower(g), part)
		}) {
			return false
		}
	}
	if f.Status != "" && string(s.Status) != f.Status {
		return false
	}
	if q := strings.ToLower(f.Q); q != "" && !strings.Contains(strings.ToLower(s.Name), q) &&
		!strings.Contains(strings.ToLower(s.Email), q) {
		return false
	}
	return true
}

// Select returns the standings that match the filter, in their order.
func (f Filter) Select(standings []Standing, groups []string) []Standing {
	var out []Standing
	for _, s := range standings {
		if f.Matches(s, groups) {
			out = append(out, s)
		}
	}
	return out
}

// Completion is how far one module or one group is with its training.
type Completion struct {
	Key    string // the module id or the group id
	Label  string // the module's title or the group's name
	People int    // people with at least one task
	Tasks  int    // person × module pairs assigned
	Passed int    // of Tasks
}

// Percent is the share of tasks passed, rounded down.
func (c Completion) Percent() int {
	if c.Tasks == 0 {
		return 0
	}
	return c.Passed * 100 / c.Tasks
}

// CompletionByModule counts tasks and passes per module, in the order of
// modules (the guidelines' order), then modules the guidelines lack in the
// order met; modules no one has are left out. Each standing is one person.
func CompletionByModule(standings []Standing, modules []Module) []Completion {
	rows := map[string]*Completion{}
	var order []string
	for _, s := range standings {
		r, ok := rows[s.ModuleID]
		if !ok {
			r = &Completion{Key: s.ModuleID, Label: s.ModuleTitle}
			rows[s.ModuleID] = r
			order = append(order, s.ModuleID)
		}
		r.People++ // one standing per person and module
		r.Tasks++
		if s.Status == Passed {
			r.Passed++
		}
	}
	rank := func(id string) int {
		if i := slices.IndexFunc(modules, func(m Module) bool { return m.ID == id }); i >= 0 {
			return i
		}
		return len(modules)
	}
	slices.SortStableFunc(order, func(a, b string) int { return rank(a) - rank(b) })
	out := make([]Completion, len(order))
	for i, id := range order {
		out[i] = *rows[id]
	}
	return out
}

// CompletionByGroup counts people, tasks and passes per group, in the
// order of groups, by whole group name; groups without tasks are left out.
func CompletionByGroup(standings []Standing, groups []account.Group) []Completion {
	var out []Completion
	for _, g := range groups {
		r := Completion{Key: strconv.FormatInt(g.ID, 10), Label: g.Name}
		people := map[int64]bool{}
		for _, s := range standings {
			if !slices.Contains(s.Groups, g.Name) {
				continue
			}
			people[s.UserID] = true
			r.Tasks++
			if s.Status == Passed {
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

// OverdueList returns the overdue standings, longest overdue first; those
// equally late keep their order.
func OverdueList(standings []Standing) []Standing {
	var out []Standing
	for _, s := range standings {
		if s.Status == Overdue {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Standing) int { return b.DaysOverdue - a.DaysOverdue })
	return out
}

// EvidenceColumns names the columns of the evidence export, in order; each
// row is a Standing's Evidence.
var EvidenceColumns = []string{"user", "email", "groups", "module", "module_version", "status", "best_score_percent",
	"attempts", "completed_at", "due_at", "acknowledged_version", "acknowledged_hash", "acknowledged_at"}

// Evidence is the standing as auditors read it, one value per
// EvidenceColumns: the module version of the first pass, the best score,
// every submitted attempt, when it was passed and due, and the latest
// acknowledgement of the code of conduct. Times are RFC 3339 in UTC, ""
// when there is none. Values are as stored: whoever writes them to a
// spreadsheet neutralises formulas.
func (s Standing) Evidence() []string {
	return []string{s.Name, s.Email, strings.Join(s.Groups, ", "), s.ModuleID, s.PassedHash, string(s.Status),
		strconv.Itoa(s.BestPercent), strconv.Itoa(s.Attempts), rfc3339(s.PassedAt), rfc3339(s.DueAt),
		s.AckVersion, s.AckHash, rfc3339(s.AckAt)}
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
