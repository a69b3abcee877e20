package training_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/training"
)

var errNotFound = apperr.Sentinel(apperr.NotFound, "fake: not found", "")

// fakeLearner is a training.Repository in memory, for one person or more.
type fakeLearner struct {
	versions  []training.ConductVersion
	acks      []training.Acknowledgement
	passed    map[int64][]string // module ids passed, by user
	required  []string
	chosen    bool
	due       map[string]time.Time
	history   training.History
	attempts  map[int64]training.Attempt
	nextID    int64
	allowAsks int // times BeginAttempt called allow
}

func (r *fakeLearner) ConductVersions(context.Context) ([]training.ConductVersion, error) {
	return r.versions, nil
}

func (r *fakeLearner) Acknowledgement(_ context.Context, userID int64, version string) (training.Acknowledgement, error) {
	for _, a := range r.acks {
		if a.UserID == userID && a.Version == version {
			return a, nil
		}
	}
	return training.Acknowledgement{}, errNotFound
}

func (r *fakeLearner) Acknowledge(_ context.Context, a training.Acknowledgement) error {
	r.acks = append(r.acks, a)
	return nil
}

func (r *fakeLearner) Progress(_ context.Context, userID int64) (training.Progress, error) {
	p := training.Progress{Passed: map[string]bool{}}
	for _, a := range r.acks {
		if a.UserID == userID {
			p.Acknowledged = append(p.Acknowledged, a.Version)
		}
	}
	for _, id := range r.passed[userID] {
		p.Passed[id] = true
	}
	return p, nil
}

func (r *fakeLearner) RequiredModules(context.Context) ([]string, bool, error) {
	return r.required, r.chosen, nil
}

func (r *fakeLearner) SetRequiredModules(_ context.Context, ids []string, _ int64) error {
	r.required, r.chosen = ids, true
	return nil
}

func (r *fakeLearner) DueDates(context.Context, int64) (map[string]time.Time, error) {
	return r.due, nil
}

func (r *fakeLearner) QuizHistory(context.Context, int64, string) (training.History, error) {
	return r.history, nil
}

func (r *fakeLearner) open(userID int64, moduleID string) (training.Attempt, bool) {
	for _, id := range slices.Sorted(maps.Keys(r.attempts)) {
		if a := r.attempts[id]; a.UserID == userID && a.ModuleID == moduleID && !a.Submitted() {
			return a, true
		}
	}
	return training.Attempt{}, false
}

func (r *fakeLearner) OpenAttempt(_ context.Context, userID int64, moduleID string) (training.Attempt, error) {
	if a, ok := r.open(userID, moduleID); ok {
		return a, nil
	}
	return training.Attempt{}, errNotFound
}

func (r *fakeLearner) BeginAttempt(_ context.Context, a training.Attempt, allow func(training.History) error) (int64, error) {
	if open, ok := r.open(a.UserID, a.ModuleID); ok {
		return open.ID, nil
	}
	r.allowAsks++
	if err := allow(r.history); err != nil {
		return 0, err
	}
	r.nextID++
	a.ID, a.Answers = r.nextID, map[string]string{}
	if r.attempts == nil {
		r.attempts = map[int64]training.Attempt{}
	}
	r.attempts[a.ID] = a
	return a.ID, nil
}

func (r *fakeLearner) Attempt(_ context.Context, id int64) (training.Attempt, error) {
	a, ok := r.attempts[id]
	if !ok {
		return a, fmt.Errorf("fake: attempt %d: %w", id, errNotFound)
	}
	return a, nil
}

func (r *fakeLearner) SaveAnswer(_ context.Context, id int64, questionID, optionID string,
	score func(training.Attempt) (training.Result, error)) (training.Attempt, error) {
	a, ok := r.attempts[id]
	if !ok {
		return a, errNotFound
	}
	if a.Submitted() {
		return a, training.ErrSubmitted
	}
	if err := training.CheckAnswer(a.Questions, questionID, optionID); err != nil {
		return a, err
	}
	a.Answers = maps.Clone(a.Answers)
	a.Answers[questionID] = optionID
	if training.NextQuestion(a.Questions, a.Answers) == len(a.Questions) {
		res, err := score(a)
		if err != nil {
			return a, err
		}
		a.Correct, a.Total, a.Passed, a.SubmittedAt = res.Correct, res.Total, res.Passed, decided
	}
	r.attempts[id] = a
	return a, nil
}

var decided = time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)

// learnerGuidelines are guidelines in English and Dutch with one module,
// demo, of two questions, at most two attempts, required for sharing.
func learnerGuidelines(t *testing.T) *training.Guidelines {
	t.Helper()
	mod := strings.Replace(module("demo", "75", question("q1"), question("q2")), "  pass_mark: 75\n", "  pass_mark: 75\n  max_attempts: 2\n", 1)
	g, err := training.Load(with(bilingual(), moduleFile, mod))
	if err != nil {
		t.Fatal(err)
	}
	if g.Conduct.Version != "2" || len(g.Modules) != 1 || g.Modules[0].Quiz.MaxAttempts != 2 {
		t.Fatalf("fixture: conduct %q, %d modules, want version 2 and demo with two attempts", g.Conduct.Version, len(g.Modules))
	}
	return g
}

const learner, other int64 = 7, 8

func TestIsOverdue(t *testing.T) {
	due := time.Date(2026, 11, 1, 23, 59, 59, 0, time.UTC)
	tests := []struct {
		name   string
		passed bool
		due    time.Time
		now    time.Time
		want   bool
	}{
		{"not assigned", false, time.Time{}, due.Add(time.Hour), false},
		{"before the date", false, due, due.Add(-time.Hour), false},
		{"at the date", false, due, due, false},
		{"after the date", false, due, due.Add(time.Second), true},
		{"passed after the date", true, due, due.Add(time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := training.IsOverdue(tt.passed, tt.due, tt.now); got != tt.want {
				t.Errorf("IsOverdue(%t, %v, %v) = %t, want %t", tt.passed, tt.due, tt.now, got, tt.want)
			}
		})
	}
}

func TestServiceConduct(t *testing.T) {
	g := learnerGuidelines(t)
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	v1 := training.ConductVersion{Seq: 1, Version: "1"}
	v2 := training.ConductVersion{Seq: 2, Version: "2"}
	tests := []struct {
		name     string
		versions []training.ConductVersion
		acks     []training.Acknowledgement
		want     training.ConductStanding
	}{
		{"never acknowledged", []training.ConductVersion{v1, v2}, nil, training.ConductStanding{}},
		{"acknowledged the current version", []training.ConductVersion{v1, v2},
			[]training.Acknowledgement{{UserID: learner, Version: "2", CreatedAt: at}}, training.ConductStanding{AcknowledgedAt: at}},
		{"someone else acknowledged it", []training.ConductVersion{v1, v2},
			[]training.Acknowledgement{{UserID: other, Version: "2", CreatedAt: at}}, training.ConductStanding{}},
		{"an earlier version still counts", []training.ConductVersion{v1, v2},
			[]training.Acknowledgement{{UserID: learner, Version: "1", CreatedAt: at}}, training.ConductStanding{StillCounts: true}},
		{"a material change since", []training.ConductVersion{v1, {Seq: 2, Version: "2", Material: true}},
			[]training.Acknowledgement{{UserID: learner, Version: "1", CreatedAt: at}}, training.ConductStanding{MustReacknowledge: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := training.NewService(&fakeLearner{versions: tt.versions, acks: tt.acks}, g, nil)
			got, err := svc.Conduct(context.Background(), learner)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Conduct() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestServiceAcknowledge(t *testing.T) {
	g := learnerGuidelines(t)
	tests := []struct {
		name     string
		version  string
		lang     string
		wantErr  error
		wantHash string
	}{
		{"the current version, in Dutch", "2", "nl", nil, g.Conduct.In("nl").Hash},
		{"the current version, in English", "2", "en", nil, g.Conduct.In("en").Hash},
		{"a version no longer current", "1", "en", training.ErrConductChanged, ""},
		{"no version", "", "en", training.ErrConductChanged, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeLearner{}
			err := training.NewService(repo, g, nil).Acknowledge(context.Background(),
				training.AcknowledgeRequest{UserID: learner, Version: tt.version, Language: tt.lang, ClientIP: "192.0.2.1"})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Acknowledge() = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if len(repo.acks) != 0 {
					t.Errorf("stored %+v for a refused acknowledgement", repo.acks)
				}
				return
			}
			want := []training.Acknowledgement{{UserID: learner, Version: "2", ContentHash: tt.wantHash, ClientIP: "192.0.2.1"}}
			if !slices.Equal(repo.acks, want) {
				t.Errorf("stored %+v, want %+v", repo.acks, want)
			}
		})
	}
	if g.Conduct.In("nl").Hash == g.Conduct.In("en").Hash {
		t.Error("fixture: the Dutch and English texts have the same hash, so the test cannot tell them apart")
	}
}

func TestServiceMissingAndModules(t *testing.T) {
	g := learnerGuidelines(t)
	now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	current := []training.ConductVersion{{Seq: 1, Version: "2"}}
	acked := []training.Acknowledgement{{UserID: learner, Version: "2"}}
	tests := []struct {
		name         string
		repo         *fakeLearner
		wantMissing  []string // "conduct" or a module id
		wantRequired bool
		wantOverdue  bool
	}{
		{"nothing done", &fakeLearner{versions: current}, []string{"conduct", "demo"}, true, false},
		{"acknowledged", &fakeLearner{versions: current, acks: acked}, []string{"demo"}, true, false},
		{"all done", &fakeLearner{versions: current, acks: acked, passed: map[int64][]string{learner: {"demo"}}}, nil, true, false},
		{"admins chose no modules", &fakeLearner{versions: current, acks: acked, chosen: true}, nil, false, false},
		{"admins chose an unknown module", &fakeLearner{versions: current, acks: acked, chosen: true, required: []string{"gone"}}, nil, false, false},
		{"assigned and overdue", &fakeLearner{versions: current, acks: acked, due: map[string]time.Time{"demo": now.Add(-time.Hour)}},
			[]string{"demo"}, true, true},
		{"another person passed", &fakeLearner{versions: current, acks: acked, passed: map[int64][]string{other: {"demo"}}},
			[]string{"demo"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := training.NewService(tt.repo, g, func() time.Time { return now })
			steps, err := svc.Missing(context.Background(), learner)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range steps {
				if s.Module == nil {
					got = append(got, "conduct")
				} else {
					got = append(got, s.Module.ID)
				}
			}
			if !slices.Equal(got, tt.wantMissing) {
				t.Errorf("Missing() = %v, want %v", got, tt.wantMissing)
			}
			mods, err := svc.Modules(context.Background(), learner)
			if err != nil {
				t.Fatal(err)
			}
			if len(mods) != 1 {
				t.Fatalf("Modules() = %d modules, want 1", len(mods))
			}
			if m := mods[0]; m.Module.ID != "demo" || m.Required != tt.wantRequired || m.Overdue != tt.wantOverdue {
				t.Errorf("Modules()[0] = %s required %t overdue %t, want demo required %t overdue %t",
					m.Module.ID, m.Required, m.Overdue, tt.wantRequired, tt.wantOverdue)
			}
		})
	}
}

func TestServiceStart(t *testing.T) {
	g := learnerGuidelines(t)
	now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		module    string
		history   training.History
		open      bool // an attempt is in progress
		wantErr   error
		wantKind  apperr.Kind
		wantAsked int // times allow was asked
		wantCount int // attempts stored after
	}{
		{"a first attempt", "demo", training.History{}, false, nil, apperr.Internal, 1, 1},
		{"attempts used up", "demo", training.History{Submitted: 2, LastSubmitted: now.Add(-time.Hour)}, false, nil, apperr.Conflict, 1, 0},
		{"an attempt in progress continues", "demo", training.History{Submitted: 2, InProgress: true}, true, nil, apperr.Internal, 0, 1},
		{"practice after a pass", "demo", training.History{Passed: true, Submitted: 2}, false, nil, apperr.Internal, 1, 1},
		{"no such module", "nope", training.History{}, false, training.ErrNoModule, apperr.NotFound, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeLearner{history: tt.history}
			var openID int64
			if tt.open {
				repo.attempts, repo.nextID = map[int64]training.Attempt{4: {ID: 4, UserID: learner, ModuleID: "demo"}}, 4
				openID = 4
			}
			id, err := training.NewService(repo, g, func() time.Time { return now }).Start(context.Background(), learner, tt.module, "nl")
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Start() = %v, want %v", err, tt.wantErr)
			}
			if k := apperr.KindOf(err); k != tt.wantKind {
				t.Errorf("Start() = %v, of kind %v, want %v", err, k, tt.wantKind)
			}
			if repo.allowAsks != tt.wantAsked || len(repo.attempts) != tt.wantCount {
				t.Errorf("allow asked %d times, %d attempts stored; want %d and %d", repo.allowAsks, len(repo.attempts), tt.wantAsked, tt.wantCount)
			}
			if err != nil {
				return
			}
			if tt.open && id != openID {
				t.Errorf("Start() = attempt %d, want the one in progress, %d", id, openID)
			}
			a, ok := repo.attempts[id]
			if !ok {
				t.Fatalf("Start() = attempt %d, which was not stored", id)
			}
			if !tt.open && (a.Language != "nl" || len(a.Questions) != 2 || a.ModuleHash != g.Modules[0].Hash) {
				t.Errorf("stored %+v, want two questions in Dutch with the module's hash", a)
			}
		})
	}
}

func TestServiceAttempt(t *testing.T) {
	g := learnerGuidelines(t)
	qs := g.Modules[0].In("en").Questions
	if len(qs) != 2 {
		t.Fatalf("fixture: %d questions, want 2", len(qs))
	}
	mine := training.Attempt{ID: 1, UserID: learner, ModuleID: "demo", Language: "en", Questions: qs, Answers: map[string]string{"q1": "a"}}
	theirs := training.Attempt{ID: 2, UserID: other, ModuleID: "demo", Language: "en", Questions: qs, Answers: map[string]string{}}
	elsewhere := training.Attempt{ID: 3, UserID: learner, ModuleID: "other", Language: "en", Questions: qs, Answers: map[string]string{}}
	done := training.Attempt{ID: 4, UserID: learner, ModuleID: "demo", Language: "en", Questions: qs,
		Answers: map[string]string{"q1": "a", "q2": "b"}, Passed: true, SubmittedAt: decided} // a pass mark changed since stands
	tests := []struct {
		name       string
		module     string
		attempt    int64
		wantErr    error
		wantNext   int
		wantResult bool // Result.Passed
	}{
		{"in progress", "demo", 1, nil, 1, false},
		{"submitted: the verdict stands", "demo", 4, nil, 0, true},
		{"another person's", "demo", 2, training.ErrNoAttempt, 0, false},
		{"at another module", "demo", 3, training.ErrNoAttempt, 0, false},
		{"none named", "demo", 0, training.ErrNoAttempt, 0, false},
		{"unknown", "demo", 99, training.ErrNoAttempt, 0, false},
		{"unknown module", "nope", 1, training.ErrNoModule, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeLearner{attempts: map[int64]training.Attempt{1: mine, 2: theirs, 3: elsewhere, 4: done},
				history: training.History{Passed: true, Submitted: 1}}
			st, err := training.NewService(repo, g, nil).Attempt(context.Background(), learner, tt.module, tt.attempt)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Attempt() = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if st.Next != tt.wantNext || st.Result.Passed != tt.wantResult {
				t.Errorf("Attempt() next %d, passed %t; want %d, %t", st.Next, st.Result.Passed, tt.wantNext, tt.wantResult)
			}
			if st.Attempt.Submitted() && (st.Result.Total != 2 || st.Result.Correct != 1 || !st.Reveal) {
				t.Errorf("result %+v, reveal %t; want 1 of 2 with the answers shown after a pass", st.Result, st.Reveal)
			}
		})
	}
}

func TestServiceAnswer(t *testing.T) {
	g := learnerGuidelines(t)
	qs := g.Modules[0].In("en").Questions
	tests := []struct {
		name          string
		answers       map[string]string
		submitted     bool
		question      string
		option        string
		wantErr       bool
		wantKind      apperr.Kind
		wantSubmitted bool
		wantAnswers   int
	}{
		{"a first answer", map[string]string{}, false, "q1", "a", false, apperr.Internal, false, 1},
		{"the last answer submits", map[string]string{"q1": "a"}, false, "q2", "a", false, apperr.Internal, true, 2},
		{"no option", map[string]string{}, false, "q1", "", true, apperr.Invalid, false, 0},
		{"a question not asked", map[string]string{}, false, "q9", "a", true, apperr.Invalid, false, 0},
		{"already submitted", map[string]string{"q1": "a", "q2": "a"}, true, "q1", "b", true, apperr.Conflict, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := training.Attempt{ID: 1, UserID: learner, ModuleID: "demo", Language: "en", Questions: qs, Answers: tt.answers}
			if tt.submitted {
				a.SubmittedAt = decided
			}
			repo := &fakeLearner{attempts: map[int64]training.Attempt{1: a}}
			st, err := training.NewService(repo, g, nil).Answer(context.Background(),
				training.Answer{UserID: learner, ModuleID: "demo", AttemptID: 1, QuestionID: tt.question, OptionID: tt.option})
			if (err != nil) != tt.wantErr || apperr.KindOf(err) != tt.wantKind {
				t.Fatalf("Answer() = %v (kind %v), want an error %t of kind %v", err, apperr.KindOf(err), tt.wantErr, tt.wantKind)
			}
			saved := repo.attempts[1]
			if saved.Submitted() != tt.wantSubmitted || len(saved.Answers) != tt.wantAnswers {
				t.Errorf("saved: submitted %t, %d answers; want %t, %d", saved.Submitted(), len(saved.Answers), tt.wantSubmitted, tt.wantAnswers)
			}
			if tt.wantKind == apperr.Invalid && (st.Attempt.ID != 1 || st.Next != 0) {
				t.Errorf("refused answer: state %+v, want the attempt as it was, at its first question", st)
			}
			if tt.wantSubmitted && !tt.submitted && (!st.Attempt.Passed || !st.Attempt.Submitted()) {
				t.Errorf("Answer() = %+v, want the attempt submitted and passed", st.Attempt)
			}
		})
	}
	t.Run("another person's attempt", func(t *testing.T) {
		repo := &fakeLearner{attempts: map[int64]training.Attempt{1: {ID: 1, UserID: other, ModuleID: "demo", Questions: qs, Answers: map[string]string{}}}}
		_, err := training.NewService(repo, g, nil).Answer(context.Background(),
			training.Answer{UserID: learner, ModuleID: "demo", AttemptID: 1, QuestionID: "q1", OptionID: "a"})
		if !errors.Is(err, training.ErrNoAttempt) || len(repo.attempts[1].Answers) != 0 {
			t.Errorf("Answer() = %v, saved %v; want ErrNoAttempt and nothing saved", err, repo.attempts[1].Answers)
		}
	})
}

func TestServiceChooseProgramme(t *testing.T) {
	g := learnerGuidelines(t)
	tests := []struct {
		name    string
		ids     []string
		wantErr error
		want    []string // the programme after
	}{
		{"never chosen: the guidelines'", nil, nil, []string{"demo"}},
		{"a module", []string{"demo"}, nil, []string{"demo"}},
		{"a module twice", []string{"demo", "demo"}, nil, []string{"demo"}},
		{"none", []string{}, nil, []string{}},
		{"a module that is gone", []string{"demo", "gone"}, training.ErrModuleGone, []string{"demo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeLearner{}
			svc := training.NewService(repo, g, nil)
			if tt.ids != nil {
				if err := svc.ChooseProgramme(context.Background(), tt.ids, 1); !errors.Is(err, tt.wantErr) {
					t.Fatalf("ChooseProgramme(%v) = %v, want %v", tt.ids, err, tt.wantErr)
				}
			}
			if tt.wantErr != nil && repo.chosen {
				t.Errorf("stored %v after a refusal", repo.required)
			}
			got, err := svc.Programme(context.Background())
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("Programme() = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
