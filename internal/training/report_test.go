package training

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
)

// hrGuidelines has two modules: disclosure (three attempts, titled in
// English and Dutch) and timing (unlimited attempts).
func hrGuidelines() *Guidelines {
	return &Guidelines{Required: []string{"disclosure", "timing"}, Modules: []Module{
		{ID: "disclosure", Quiz: Quiz{PassMark: 80, MaxAttempts: 3},
			texts: map[string]ModuleText{"en": {Title: "Disclosure"}, "nl": {Title: "Openheid"}}},
		{ID: "timing", Quiz: Quiz{PassMark: 80}, texts: map[string]ModuleText{"en": {Title: "Timing"}}},
	}}
}

var hrNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func TestStandings(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name             string
		row              ReportRow
		lang             string
		wantTitle        string
		wantStatus       Status
		wantDaysOverdue  int
		wantAttemptsLeft int
	}{
		{"not started", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(day)}, "en", "Disclosure", NotStarted, 0, 3},
		{"title in the language asked for", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(day)}, "nl", "Openheid", NotStarted, 0, 3},
		{"title in the default language when missing", ReportRow{ModuleID: "timing", DueAt: hrNow.Add(day)}, "nl", "Timing", NotStarted, 0, -1},
		{"in progress", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(day), History: History{InProgress: true}}, "en",
			"Disclosure", InProgress, 0, 3},
		{"one attempt submitted", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(day), History: History{Submitted: 1}}, "en",
			"Disclosure", InProgress, 0, 2},
		{"attempts used up", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(day), History: History{Submitted: 3}}, "en",
			"Disclosure", Failed, 0, 0},
		{"passed", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(day), History: History{Passed: true, Submitted: 1}}, "en",
			"Disclosure", Passed, 0, 2},
		{"passed late is passed, not overdue", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(-5 * day), History: History{Passed: true}},
			"en", "Disclosure", Passed, 0, 3},
		{"due now is not overdue yet", ReportRow{ModuleID: "disclosure", DueAt: hrNow}, "en", "Disclosure", NotStarted, 0, 3},
		{"a second late is a day overdue", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(-time.Second)}, "en", "Disclosure", Overdue, 1, 3},
		{"two days late", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(-2 * day)}, "en", "Disclosure", Overdue, 2, 3},
		{"two days and a second late", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(-2*day - time.Second)}, "en",
			"Disclosure", Overdue, 3, 3},
		{"overdue outranks failed", ReportRow{ModuleID: "disclosure", DueAt: hrNow.Add(-day), History: History{Submitted: 3}}, "en",
			"Disclosure", Overdue, 1, 0},
		{"unlimited attempts", ReportRow{ModuleID: "timing", DueAt: hrNow.Add(day), History: History{Submitted: 7}}, "en",
			"Timing", InProgress, 0, -1},
		{"a module the guidelines lack keeps its id", ReportRow{ModuleID: "retired", DueAt: hrNow.Add(day)}, "en", "retired", NotStarted, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Standings([]ReportRow{tt.row}, hrGuidelines(), tt.lang, hrNow)
			if len(got) != 1 {
				t.Fatalf("Standings returned %d standings for one row", len(got))
			}
			s := got[0]
			if s.ModuleTitle != tt.wantTitle || s.Status != tt.wantStatus || s.DaysOverdue != tt.wantDaysOverdue ||
				s.AttemptsLeft != tt.wantAttemptsLeft {
				t.Errorf("title %q, status %s, %d days overdue, %d attempts left; want %q, %s, %d, %d", s.ModuleTitle, s.Status,
					s.DaysOverdue, s.AttemptsLeft, tt.wantTitle, tt.wantStatus, tt.wantDaysOverdue, tt.wantAttemptsLeft)
			}
			if s.ReportRow.ModuleID != tt.row.ModuleID || !s.DueAt.Equal(tt.row.DueAt) {
				t.Errorf("the standing's row is %+v, want the report's row %+v", s.ReportRow, tt.row)
			}
		})
	}
}

// standing is a standing of the named person in groups at a module.
func standing(userID int64, name string, module string, st Status, groups ...string) Standing {
	return Standing{ReportRow: ReportRow{UserID: userID, Name: name, Email: name + "@example.com", ModuleID: module, Groups: groups},
		ModuleTitle: module, Status: st}
}

// names are the names of the people in standings, in order.
func names(standings []Standing) []string {
	var out []string
	for _, s := range standings {
		out = append(out, s.Name+"/"+s.ModuleID)
	}
	return out
}

func TestFilterSelect(t *testing.T) {
	standings := []Standing{
		standing(1, "ana", "disclosure", Overdue, "Sales"),
		standing(2, "ben", "disclosure", Passed, "Sales, EMEA"),
		standing(3, "cy", "disclosure", NotStarted, "EMEA", "Amsterdam"),
		standing(4, "dee", "disclosure", Passed),
		standing(1, "ana", "timing", Passed, "Sales"),
	}
	groups := []string{"Amsterdam", "EMEA", "Sales", "Sales, EMEA"}
	tests := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"no filter", Filter{}, []string{"ana/disclosure", "ben/disclosure", "cy/disclosure", "dee/disclosure", "ana/timing"}},
		{"a group: its members only", Filter{Group: "Sales"}, []string{"ana/disclosure", "ana/timing"}},
		{"a group with a comma in its name", Filter{Group: "Sales, EMEA"}, []string{"ben/disclosure"}},
		{"the group after the comma", Filter{Group: "EMEA"}, []string{"cy/disclosure"}},
		{"a group among several", Filter{Group: "Amsterdam"}, []string{"cy/disclosure"}},
		{"not a group: names containing it", Filter{Group: "sal"}, []string{"ana/disclosure", "ben/disclosure", "ana/timing"}},
		{"not a group: case ignored", Filter{Group: "emea"}, []string{"ben/disclosure", "cy/disclosure"}},
		{"no group contains it", Filter{Group: "Marketing"}, nil},
		{"module", Filter{Module: "timing"}, []string{"ana/timing"}},
		{"status", Filter{Status: string(Passed)}, []string{"ben/disclosure", "dee/disclosure", "ana/timing"}},
		{"search by name, case ignored", Filter{Q: "BEN"}, []string{"ben/disclosure"}},
		{"search by email", Filter{Q: "dee@"}, []string{"dee/disclosure"}},
		{"every field at once", Filter{Module: "disclosure", Group: "sal", Status: string(Passed), Q: "b"}, []string{"ben/disclosure"}},
		{"status left out", Filter{Group: "Sales", Status: string(Overdue)}.WithoutStatus(), []string{"ana/disclosure", "ana/timing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(tt.filter.Select(standings, groups)); !slices.Equal(got, tt.want) {
				t.Errorf("%+v selects %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}

func TestFilterFieldsAndSet(t *testing.T) {
	tests := []struct {
		name       string
		filter     Filter
		wantFields map[string]string
		wantSet    map[string]bool
	}{
		{"none", Filter{}, map[string]string{}, map[string]bool{}},
		{"status", Filter{Status: "passed"}, map[string]string{"status": "passed"}, map[string]bool{"status": true}},
		{"all", Filter{Module: "timing", Group: "Sales", Status: "overdue", Q: "Ana Silva"},
			map[string]string{"module": "timing", "group": "Sales", "status": "overdue", "q": "Ana Silva"},
			map[string]bool{"module": true, "group": true, "status": true, "q": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.filter.Fields(); !maps.Equal(got, tt.wantFields) {
				t.Errorf("Fields() = %v, want %v", got, tt.wantFields)
			}
			if got := tt.filter.Set(); !maps.Equal(got, tt.wantSet) {
				t.Errorf("Set() = %v, want %v", got, tt.wantSet)
			}
		})
	}
}

func TestCompletionByModule(t *testing.T) {
	modules := hrGuidelines().Modules
	tests := []struct {
		name      string
		standings []Standing
		want      []Completion
	}{
		{"nothing assigned", nil, []Completion{}},
		{"in the guidelines' order, then unknown modules as met", []Standing{
			standing(1, "ana", "retired", Passed),
			standing(1, "ana", "timing", Passed),
			standing(2, "ben", "timing", Overdue),
			standing(2, "ben", "disclosure", NotStarted),
			standing(3, "cy", "timing", InProgress),
		}, []Completion{
			{Key: "disclosure", Label: "disclosure", People: 1, Tasks: 1, Passed: 0},
			{Key: "timing", Label: "timing", People: 3, Tasks: 3, Passed: 1},
			{Key: "retired", Label: "retired", People: 1, Tasks: 1, Passed: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompletionByModule(tt.standings, modules); !slices.Equal(got, tt.want) {
				t.Errorf("CompletionByModule = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCompletionByGroup(t *testing.T) {
	groups := []account.Group{{ID: 7, Name: "Sales"}, {ID: 8, Name: "Sales, EMEA"}, {ID: 9, Name: "EMEA"}, {ID: 10, Name: "Empty"}}
	standings := []Standing{
		standing(1, "ana", "disclosure", Passed, "Sales"),
		standing(1, "ana", "timing", Overdue, "Sales"),
		standing(2, "ben", "disclosure", Passed, "Sales", "Sales, EMEA"),
		standing(3, "cy", "disclosure", NotStarted, "EMEA"),
		standing(4, "dee", "disclosure", Passed),
	}
	want := []Completion{
		{Key: "7", Label: "Sales", People: 2, Tasks: 3, Passed: 2},
		{Key: "8", Label: "Sales, EMEA", People: 1, Tasks: 1, Passed: 1},
		{Key: "9", Label: "EMEA", People: 1, Tasks: 1, Passed: 0},
	}
	if got := CompletionByGroup(standings, groups); !slices.Equal(got, want) {
		t.Errorf("CompletionByGroup = %+v, want %+v (whole names; groups without tasks left out)", got, want)
	}
}

func TestCompletionPercent(t *testing.T) {
	for _, tt := range []struct {
		c    Completion
		want int
	}{
		{Completion{}, 0},
		{Completion{Tasks: 3, Passed: 1}, 33},
		{Completion{Tasks: 3, Passed: 2}, 66},
		{Completion{Tasks: 2, Passed: 2}, 100},
	} {
		if got := tt.c.Percent(); got != tt.want {
			t.Errorf("%d of %d: %d%%, want %d%%", tt.c.Passed, tt.c.Tasks, got, tt.want)
		}
	}
}

func TestOverdueList(t *testing.T) {
	late := func(name string, days int) Standing {
		s := standing(0, name, "disclosure", Overdue)
		s.DaysOverdue = days
		return s
	}
	in := []Standing{late("ana", 1), standing(0, "ben", "disclosure", Passed), late("cy", 5), late("dee", 1), late("eve", 3)}
	want := []string{"cy/disclosure", "eve/disclosure", "ana/disclosure", "dee/disclosure"}
	if got := names(OverdueList(in)); !slices.Equal(got, want) {
		t.Errorf("OverdueList = %v, want %v (longest overdue first, ties in order)", got, want)
	}
}

func TestCountByStatus(t *testing.T) {
	in := []Standing{standing(0, "a", "m", Overdue), standing(0, "b", "m", Passed), standing(0, "c", "m", Overdue),
		standing(0, "d", "m", NotStarted)}
	want := []StatusCount{{NotStarted, 1}, {Passed, 1}, {Overdue, 2}}
	if got := CountByStatus(in); !slices.Equal(got, want) {
		t.Errorf("CountByStatus = %v, want %v (in the order of Statuses, absent ones left out)", got, want)
	}
}

func TestEvidence(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		s    Standing
		want []string
	}{
		{"passed", Standing{Status: Passed, ReportRow: ReportRow{Name: "Ana Silva", Email: "ana@example.com",
			Groups: []string{"Sales, EMEA", "Team"}, ModuleID: "disclosure", PassedHash: "abc", BestPercent: 80, Attempts: 2,
			PassedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, cet), DueAt: time.Date(2026, 3, 5, 23, 59, 59, 0, time.UTC),
			AckVersion: "2026-01", AckHash: "def", AckAt: time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC)}},
			[]string{"Ana Silva", "ana@example.com", "Sales, EMEA, Team", "disclosure", "abc", "passed", "80", "2",
				"2026-03-01T09:00:00Z", "2026-03-05T23:59:59Z", "2026-01", "def", "2026-02-01T09:30:00Z"}},
		{"nothing done yet", Standing{Status: NotStarted, ReportRow: ReportRow{Name: "=cmd", Email: "x@example.com", ModuleID: "timing",
			DueAt: time.Date(2026, 3, 5, 23, 59, 59, 0, time.UTC)}},
			[]string{"=cmd", "x@example.com", "", "timing", "", "not-started", "0", "0", "", "2026-03-05T23:59:59Z", "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Evidence()
			if len(got) != len(EvidenceColumns) {
				t.Fatalf("%d values for %d columns", len(got), len(EvidenceColumns))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Evidence() = %q, want %q", got, tt.want)
			}
		})
	}
}
