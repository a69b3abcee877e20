package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

const day = 24 * time.Hour

// mustGroup creates a group with the given members (added by hand).
func mustGroup(tb testing.TB, s *store.Store, name string, kind account.GroupKind, actorID int64, members ...int64) int64 {
	tb.Helper()
	ctx := context.Background()
	id, err := s.CreateGroup(ctx, name, kind, actorID)
	if err != nil {
		tb.Fatalf("CreateGroup %s: %v", name, err)
	}
	for _, m := range members {
		if err := s.AddToGroup(ctx, id, m, account.SourceManual, actorID); err != nil {
			tb.Fatalf("AddToGroup %s %d: %v", name, m, err)
		}
	}
	return id
}

// mustAssign creates an assignment.
func mustAssign(tb testing.TB, s *store.Store, a training.Assignment, actorID int64) int64 {
	tb.Helper()
	id, err := s.CreateAssignment(context.Background(), a, actorID)
	if err != nil {
		tb.Fatalf("CreateAssignment %+v: %v", a, err)
	}
	return id
}

// taskKey is a task as "user:module".
func taskKey(t training.Task) string { return fmt.Sprintf("%d:%s", t.UserID, t.ModuleID) }

// mustOpenTasks returns the open tasks by user and module.
func mustOpenTasks(tb testing.TB, s *store.Store) map[string]training.Task {
	tb.Helper()
	tasks, err := s.OpenTasks(context.Background())
	if err != nil {
		tb.Fatalf("OpenTasks: %v", err)
	}
	out := map[string]training.Task{}
	for _, t := range tasks {
		if _, dup := out[taskKey(t)]; dup {
			tb.Errorf("OpenTasks lists %s twice", taskKey(t))
		}
		out[taskKey(t)] = t
	}
	return out
}

func sortedKeys(m map[string]training.Task) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func keys(userModules ...any) []string {
	var out []string
	for i := 0; i+1 < len(userModules); i += 2 {
		out = append(out, fmt.Sprintf("%d:%s", userModules[i], userModules[i+1]))
	}
	slices.Sort(out)
	return out
}

func TestCreateAssignmentToGroup(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com", account.HR)
	a := mustSignIn(t, s, "oidc:a", "a@example.com")
	b := mustSignIn(t, s, "oidc:b", "b@example.com")
	outsider := mustSignIn(t, s, "oidc:c", "c@example.com")
	sales := mustGroup(t, s, "Sales", account.Department, hr.ID, a.ID, b.ID)

	c.Advance(time.Hour)
	due := c.Now().Add(14 * day)
	id := mustAssign(t, s, training.Assignment{Modules: []string{"disclosure", "privacy"}, Programme: true, GroupID: sales,
		DueAt: due, DueDays: 10}, hr.ID)

	tasks := mustOpenTasks(t, s)
	if got, want := sortedKeys(tasks), keys(a.ID, "disclosure", a.ID, "privacy", b.ID, "disclosure", b.ID, "privacy"); !slices.Equal(got, want) {
		t.Errorf("tasks = %v, want %v (the members, not %d)", got, want, outsider.ID)
	}
	for k, task := range tasks {
		if !task.DueAt.Equal(due) || !task.AssignedAt.Equal(c.Now()) || task.Email == "" || task.Name == "" {
			t.Errorf("task %s = %+v, want due %v, assigned %v, with name and email", k, task, due, c.Now())
		}
	}

	as, err := s.Assignments(ctx)
	if err != nil {
		t.Fatalf("Assignments: %v", err)
	}
	if len(as) != 1 {
		t.Fatalf("Assignments = %+v, want 1", as)
	}
	got := as[0]
	if got.ID != id || got.GroupID != sales || got.UserID != 0 || got.Target != "Sales" || !got.Programme ||
		!slices.Equal(got.Modules, []string{"disclosure", "privacy"}) || !got.DueAt.Equal(due) || got.DueDays != 10 ||
		got.CreatedBy != hr.ID || !got.CreatedAt.Equal(c.Now()) || got.People != 2 {
		t.Errorf("assignment = %+v, want the one to Sales for 2 people", got)
	}

	e := lastAudit(t, s)
	if e.Action != "training.assign" || e.Target != fmt.Sprintf("group:%d", sales) || e.ActorID != hr.ID ||
		!strings.Contains(e.After, `"people":2`) || !strings.Contains(e.After, `"modules":["disclosure","privacy"]`) {
		t.Errorf("audit entry = %+v, want training.assign to the group for 2 people", e)
	}
}

func TestCreateAssignmentToPerson(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com", account.HR)
	u, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "oidc:1", Email: "sam@example.com", Name: "Sam"})
	if err != nil {
		t.Fatal(err)
	}
	due := c.Now().Add(7 * day)
	mustAssign(t, s, training.Assignment{Modules: []string{"timing"}, UserID: u.ID, DueAt: due, DueDays: 7}, hr.ID)
	tasks := mustOpenTasks(t, s)
	if got := sortedKeys(tasks); !slices.Equal(got, keys(u.ID, "timing")) {
		t.Errorf("tasks = %v, want only Sam's timing", got)
	}
	as, err := s.Assignments(ctx)
	if err != nil || len(as) != 1 || as[0].Target != "Sam" || as[0].UserID != u.ID || as[0].People != 1 {
		t.Errorf("Assignments = %+v, %v; want one to Sam", as, err)
	}
	if e := lastAudit(t, s); e.Target != fmt.Sprintf("user:%d", u.ID) {
		t.Errorf("audit target = %q, want user:%d", e.Target, u.ID)
	}
}

func TestCreateAssignmentRefusesIncomplete(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	g := mustGroup(t, s, "Sales", account.Department, hr.ID, u.ID)
	due := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a    training.Assignment
	}{
		{"no modules", training.Assignment{GroupID: g, DueAt: due, DueDays: 7}},
		{"neither group nor person", training.Assignment{Modules: []string{"timing"}, DueAt: due, DueDays: 7}},
		{"both group and person", training.Assignment{Modules: []string{"timing"}, GroupID: g, UserID: u.ID, DueAt: due, DueDays: 7}},
		{"no due days", training.Assignment{Modules: []string{"timing"}, GroupID: g, DueAt: due}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if id, err := s.CreateAssignment(ctx, tt.a, hr.ID); err == nil {
				t.Errorf("CreateAssignment = %d, nil; want an error", id)
			}
		})
	}
	if tasks := mustOpenTasks(t, s); len(tasks) != 0 {
		t.Errorf("refused assignments left tasks %v", sortedKeys(tasks))
	}
}

func TestAddToGroupGivesTheGroupsAssignments(t *testing.T) {
	tests := []struct {
		name          string
		assignmentDue time.Duration // after the assignment is made
		dueDays       int
		joinAfter     time.Duration // after the assignment is made
	}{
		{"joins early: the assignment's date is later", 30 * day, 7, day},
		{"joins late: due days from joining", 3 * day, 14, 10 * day},
		{"joins long after", 5 * day, 5, 90 * day},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			s := mustOpenStore(t, store.WithClock(c.Now))
			hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
			first := mustSignIn(t, s, "oidc:a", "a@example.com")
			g := mustGroup(t, s, "Sales", account.Department, hr.ID, first.ID)
			due := c.Now().Add(tt.assignmentDue)
			mustAssign(t, s, training.Assignment{Modules: []string{"disclosure"}, GroupID: g, DueAt: due, DueDays: tt.dueDays}, hr.ID)

			c.Advance(tt.joinAfter)
			joined := c.Now()
			late := mustSignIn(t, s, "oidc:b", "b@example.com")
			if err := s.AddToGroup(ctx, g, late.ID, account.SourceManual, hr.ID); err != nil {
				t.Fatalf("AddToGroup: %v", err)
			}
			if e := lastAudit(t, s); e.Action != "group.add_member" || e.Target != fmt.Sprintf("group:%d", g) || e.ActorID != hr.ID ||
				!strings.Contains(e.After, fmt.Sprintf(`"user":%d`, late.ID)) {
				t.Errorf("audit entry = %+v, want group.add_member of user %d", e, late.ID)
			}
			c.Advance(time.Hour)
			if err := s.AddToGroup(ctx, g, late.ID, account.SourceManual, hr.ID); err != nil {
				t.Fatalf("AddToGroup again: %v", err)
			}

			tasks := mustOpenTasks(t, s)
			task, ok := tasks[fmt.Sprintf("%d:disclosure", late.ID)]
			if !ok {
				t.Fatalf("no task for the new member; tasks %v", sortedKeys(tasks))
			}
			wantDue := training.DueFor(joined, tt.dueDays, due)
			if !task.DueAt.Equal(wantDue) || !task.AssignedAt.Equal(joined) {
				t.Errorf("task due %v, assigned %v; want due %v, assigned when joining %v", task.DueAt, task.AssignedAt, wantDue, joined)
			}
			if old := tasks[fmt.Sprintf("%d:disclosure", first.ID)]; !old.DueAt.Equal(due) {
				t.Errorf("the first member's task moved to %v, want %v", old.DueAt, due)
			}
		})
	}
}

func TestExtendDue(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	due := c.Now().Add(7 * day)
	mustAssign(t, s, training.Assignment{Modules: []string{"disclosure", "timing"}, UserID: u.ID, DueAt: due, DueDays: 7}, hr.ID)

	c.Advance(time.Hour)
	later := due.Add(14 * day)
	if err := s.ExtendDue(ctx, u.ID, "disclosure", later, hr.ID); err != nil {
		t.Fatalf("ExtendDue: %v", err)
	}
	tasks := mustOpenTasks(t, s)
	if got := tasks[fmt.Sprintf("%d:disclosure", u.ID)].DueAt; !got.Equal(later) {
		t.Errorf("disclosure due %v, want %v", got, later)
	}
	if got := tasks[fmt.Sprintf("%d:timing", u.ID)].DueAt; !got.Equal(due) {
		t.Errorf("timing due %v, want it unchanged at %v", got, due)
	}
	e := lastAudit(t, s)
	wantBefore := `{"due_at":"` + due.UTC().Format("2006-01-02T15:04:05.000Z") + `"}`
	wantAfter := `{"due_at":"` + later.UTC().Format("2006-01-02T15:04:05.000Z") + `"}`
	if e.Action != "training.extend" || e.Target != fmt.Sprintf("user:%d module:disclosure", u.ID) || e.ActorID != hr.ID ||
		e.Before != wantBefore || e.After != wantAfter {
		t.Errorf("audit entry = %+v, want training.extend from %s to %s", e, wantBefore, wantAfter)
	}

	tests := []struct {
		name     string
		userID   int64
		moduleID string
	}{
		{"module not assigned", u.ID, "privacy"},
		{"person without tasks", hr.ID, "disclosure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.ExtendDue(ctx, tt.userID, tt.moduleID, later, hr.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ExtendDue error = %v, want ErrNotFound", err)
			}
			if got := lastAudit(t, s); got.ID != e.ID {
				t.Errorf("a refused extension was audit-logged: %+v", got)
			}
		})
	}
}

func TestOpenTasks(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, db := mustOpenStoreAndDB(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
	passer := mustSignIn(t, s, "oidc:a", "a@example.com")
	leaver := mustSignIn(t, s, "oidc:b", "b@example.com")
	dutch := mustSignIn(t, s, "oidc:c", "c@example.com")
	g := mustGroup(t, s, "Sales", account.Department, hr.ID, passer.ID, leaver.ID, dutch.ID)
	due := c.Now().Add(14 * day)
	mustAssign(t, s, training.Assignment{Modules: []string{"disclosure", "timing"}, GroupID: g, DueAt: due, DueDays: 14}, hr.ID)
	// A second assignment of a module already assigned: the earlier date counts.
	sooner := c.Now().Add(3 * day)
	mustAssign(t, s, training.Assignment{Modules: []string{"timing"}, UserID: dutch.ID, DueAt: sooner, DueDays: 3}, hr.ID)

	mustTakeQuiz(t, s, passer.ID, "disclosure", 4, 4)
	mustTakeQuiz(t, s, passer.ID, "timing", 0, 4) // failed: still open
	if _, err := db.ExecContext(ctx, `UPDATE users SET active = 0 WHERE id = ?`, leaver.ID); err != nil {
		t.Fatalf("deactivate user: %v", err)
	}
	if err := s.SetLanguage(ctx, dutch.ID, "nl"); err != nil {
		t.Fatalf("SetLanguage: %v", err)
	}

	list, err := s.OpenTasks(ctx)
	if err != nil {
		t.Fatalf("OpenTasks: %v", err)
	}
	tasks := mustOpenTasks(t, s)
	if got, want := sortedKeys(tasks), keys(passer.ID, "timing", dutch.ID, "disclosure", dutch.ID, "timing"); !slices.Equal(got, want) {
		t.Errorf("open tasks = %v, want %v (no passed module, no inactive person)", got, want)
	}
	if got := tasks[fmt.Sprintf("%d:timing", dutch.ID)]; !got.DueAt.Equal(sooner) || got.Language != "nl" || got.Email != "c@example.com" {
		t.Errorf("Dutch timing task = %+v, want due %v (the earlier assignment), language nl", got, sooner)
	}
	if got := tasks[fmt.Sprintf("%d:timing", passer.ID)]; got.Language != "en" {
		t.Errorf("task language = %q, want the default en", got.Language)
	}
	for i := 1; i < len(list); i++ {
		if list[i].DueAt.Before(list[i-1].DueAt) {
			t.Errorf("OpenTasks not ordered by due date: %v before %v", list[i-1].DueAt, list[i].DueAt)
		}
	}
}

func TestTrainingReport(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
	sam, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "oidc:1", Email: "sam@example.com", Name: "Sam"})
	if err != nil {
		t.Fatal(err)
	}
	amy, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "oidc:2", Email: "amy@example.com", Name: "Amy"})
	if err != nil {
		t.Fatal(err)
	}
	sales := mustGroup(t, s, "Sales", account.Department, hr.ID, sam.ID, amy.ID)
	mustGroup(t, s, "Berlin", account.Location, hr.ID, sam.ID)
	assigned := c.Now()
	due := assigned.Add(14 * day)
	mustAssign(t, s, training.Assignment{Modules: []string{"disclosure", "timing"}, GroupID: sales, DueAt: due, DueDays: 14}, hr.ID)

	attempt := func(hash string, correct int) training.Attempt {
		c.Advance(time.Hour)
		return mustTakeQuizVersion(t, s, training.Attempt{UserID: sam.ID, ModuleID: "disclosure", ModuleHash: hash,
			Language: "en", Questions: quizQuestions(4)}, correct)
	}
	attempt("v1", 2)              // 50%, failed
	firstPass := attempt("v2", 3) // 75%, passed
	attempt("v3", 4)              // 100%, practice
	c.Advance(time.Hour)
	if err := s.ResetAttempts(ctx, sam.ID, "disclosure", hr.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Acknowledge(ctx, training.Acknowledgement{UserID: sam.ID, Version: "2026.1", ContentHash: "h1", ClientIP: "ip"}); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour)
	ackAt := c.Now()
	if err := s.Acknowledge(ctx, training.Acknowledgement{UserID: sam.ID, Version: "2026.2", ContentHash: "h2", ClientIP: "ip"}); err != nil {
		t.Fatal(err)
	}

	rows, err := s.TrainingReport(ctx)
	if err != nil {
		t.Fatalf("TrainingReport: %v", err)
	}
	tests := []struct {
		name string
		want training.ReportRow
	}{
		{"Amy, nothing done", training.ReportRow{UserID: amy.ID, Name: "Amy", Email: "amy@example.com", Groups: []string{"Sales"}, ModuleID: "disclosure"}},
		{"Amy, second module", training.ReportRow{UserID: amy.ID, Name: "Amy", Email: "amy@example.com", Groups: []string{"Sales"}, ModuleID: "timing"}},
		{"Sam, passed, attempts reset since", training.ReportRow{UserID: sam.ID, Name: "Sam", Email: "sam@example.com", Groups: []string{"Berlin", "Sales"},
			ModuleID: "disclosure", History: training.History{Passed: true, Submitted: 0, LastSubmitted: firstPass.SubmittedAt.Add(time.Hour)},
			Attempts: 3, BestPercent: 100, PassedAt: firstPass.SubmittedAt, PassedHash: "v2",
			AckVersion: "2026.2", AckHash: "h2", AckAt: ackAt}},
		{"Sam, not started", training.ReportRow{UserID: sam.ID, Name: "Sam", Email: "sam@example.com", Groups: []string{"Berlin", "Sales"},
			ModuleID: "timing", AckVersion: "2026.2", AckHash: "h2", AckAt: ackAt}},
	}
	if len(rows) != len(tests) {
		t.Fatalf("TrainingReport has %d rows, want %d: %+v", len(rows), len(tests), rows)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			want.AssignedAt, want.DueAt = assigned, due
			got := rows[i]
			if !sameReportRow(got, want) {
				t.Errorf("row %d =\n%+v\nwant\n%+v", i, got, want)
			}
		})
	}
}

// TestReportAndUserListGroupsAreNames checks that the training report and
// the admins' user list give each person's groups as a list of names: a
// group name may contain a comma, so someone in "Sales, EMEA" must not read
// as someone in "Sales" and "EMEA".
func TestReportAndUserListGroupsAreNames(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	hr := mustSignInNamed(t, s, "HR", "hr@example.com", account.HR)
	ann := mustSignInNamed(t, s, "Ann", "ann@example.com")
	ben := mustSignInNamed(t, s, "Ben", "ben@example.com")
	cy := mustSignInNamed(t, s, "Cy", "cy@example.com")
	dee := mustSignInNamed(t, s, "Dee", "dee@example.com")
	mustGroup(t, s, "Sales", account.Department, hr.ID, ann.ID, cy.ID)
	mustGroup(t, s, "Sales, EMEA", account.Team, hr.ID, ben.ID)
	mustGroup(t, s, "EMEA", account.Location, hr.ID, cy.ID)
	want := map[int64][]string{
		ann.ID: {"Sales"},
		ben.ID: {"Sales, EMEA"},
		cy.ID:  {"EMEA", "Sales"},
		dee.ID: nil,
	}
	due := newClock().Now().Add(day)
	for id := range want {
		mustAssign(t, s, training.Assignment{Modules: []string{"disclosure"}, UserID: id, DueAt: due, DueDays: 1}, hr.ID)
	}

	t.Run("training report", func(t *testing.T) {
		rows, err := s.TrainingReport(ctx)
		if err != nil {
			t.Fatalf("TrainingReport: %v", err)
		}
		if len(rows) != len(want) {
			t.Fatalf("TrainingReport has %d rows, want %d: %+v", len(rows), len(want), rows)
		}
		for _, r := range rows {
			if !slices.Equal(r.Groups, want[r.UserID]) {
				t.Errorf("%s's groups = %q, want %q", r.Name, r.Groups, want[r.UserID])
			}
		}
	})
	t.Run("user list", func(t *testing.T) {
		rows, _, err := s.ListUsers(ctx, account.UserFilter{})
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		if len(rows) != len(want)+1 {
			t.Fatalf("ListUsers has %d rows, want %d: %+v", len(rows), len(want)+1, rows)
		}
		for _, r := range rows {
			if w, ok := want[r.ID]; ok && !slices.Equal(r.Groups, w) {
				t.Errorf("%s's groups = %q, want %q", r.Name, r.Groups, w)
			}
		}
	})
}

// sameReportRow compares report rows, times by the instant.
func sameReportRow(a, b training.ReportRow) bool {
	times := func(r training.ReportRow) []time.Time {
		return []time.Time{r.AssignedAt, r.DueAt, r.History.LastSubmitted, r.PassedAt, r.AckAt}
	}
	if !slices.EqualFunc(times(a), times(b), time.Time.Equal) {
		return false
	}
	a.AssignedAt, a.DueAt, a.History.LastSubmitted, a.PassedAt, a.AckAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	b.AssignedAt, b.DueAt, b.History.LastSubmitted, b.PassedAt, b.AckAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !slices.Equal(a.Groups, b.Groups) {
		return false
	}
	a.Groups, b.Groups = nil, nil
	return reflect.DeepEqual(a, b)
}
