package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

func TestAcknowledgeKeepsFirstRecord(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	first := c.Now()

	if err := s.Acknowledge(ctx, training.Acknowledgement{UserID: u.ID, Version: "2026.1", ContentHash: "h1", ClientIP: "10.0.0.1"}); err != nil {
		t.Fatalf("Acknowledge: %v", err)
	}
	c.Advance(24 * time.Hour)
	if err := s.Acknowledge(ctx, training.Acknowledgement{UserID: u.ID, Version: "2026.1", ContentHash: "h2", ClientIP: "10.0.0.2"}); err != nil {
		t.Fatalf("second Acknowledge: %v", err)
	}
	a, err := s.Acknowledgement(ctx, u.ID, "2026.1")
	if err != nil {
		t.Fatalf("Acknowledgement: %v", err)
	}
	want := training.Acknowledgement{UserID: u.ID, Version: "2026.1", ContentHash: "h1", ClientIP: "10.0.0.1", CreatedAt: first}
	if a != want {
		t.Errorf("Acknowledgement = %+v, want the first %+v", a, want)
	}
	if _, err := s.Acknowledgement(ctx, u.ID, "2027.1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Acknowledgement of an unacknowledged version error = %v, want ErrNotFound", err)
	}
}

// quizQuestions returns questions q1…qn whose option "a" is right and "b" wrong.
func quizQuestions(n int) []training.Question {
	var qs []training.Question
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("q%d", i)
		qs = append(qs, training.Question{ID: id, Text: "Question " + id, Options: []training.Option{
			{ID: "a", Text: "Right", Correct: true, Explanation: "Yes."},
			{ID: "b", Text: "Wrong", Explanation: "No."},
		}})
	}
	return qs
}

// scoreAt returns a SaveAnswer callback scoring with the given pass mark.
func scoreAt(passMark int) func(training.Attempt) (training.Result, error) {
	return func(a training.Attempt) (training.Result, error) {
		return training.Score(a.Questions, passMark, a.Answers)
	}
}

// mustTakeQuiz starts an attempt of total questions at a module and answers
// correct of them right and the rest wrong, which submits it with a pass
// mark of 75. It returns the submitted attempt.
func mustTakeQuiz(tb testing.TB, s *store.Store, userID int64, moduleID string, correct, total int) training.Attempt {
	tb.Helper()
	return mustTakeQuizVersion(tb, s, training.Attempt{UserID: userID, ModuleID: moduleID, ModuleHash: "hash-" + moduleID,
		Language: "en", Questions: quizQuestions(total)}, correct)
}

// mustTakeQuizVersion is mustTakeQuiz for an attempt as given: its module
// version, language and questions.
func mustTakeQuizVersion(tb testing.TB, s *store.Store, in training.Attempt, correct int) training.Attempt {
	tb.Helper()
	ctx := context.Background()
	qs := in.Questions
	id, started, err := s.StartAttempt(ctx, in)
	if err != nil || !started {
		tb.Fatalf("StartAttempt at %s = %d, started %v, %v; want a new attempt", in.ModuleID, id, started, err)
	}
	var a training.Attempt
	for i, q := range qs {
		option := "b"
		if i < correct {
			option = "a"
		}
		if a, err = s.SaveAnswer(ctx, id, q.ID, option, scoreAt(75)); err != nil {
			tb.Fatalf("SaveAnswer %s: %v", q.ID, err)
		}
	}
	if !a.Submitted() {
		tb.Fatalf("attempt %d not submitted after every answer", id)
	}
	return a
}

func TestProgress(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	other := mustSignIn(t, s, "oidc:2", "noor@example.com")

	steps := []struct {
		name             string
		do               func() error
		wantAcknowledged []string
		wantPassed       map[string]bool
	}{
		{"nothing done", func() error { return nil }, nil, map[string]bool{}},
		{"old version acknowledged", func() error {
			return s.Acknowledge(ctx, training.Acknowledgement{UserID: u.ID, Version: "1", ContentHash: "h", ClientIP: "ip"})
		}, []string{"1"}, map[string]bool{}},
		{"current version acknowledged", func() error {
			return s.Acknowledge(ctx, training.Acknowledgement{UserID: u.ID, Version: "2", ContentHash: "h", ClientIP: "ip"})
		}, []string{"1", "2"}, map[string]bool{}},
		{"someone else acknowledges", func() error {
			return s.Acknowledge(ctx, training.Acknowledgement{UserID: other.ID, Version: "3", ContentHash: "h", ClientIP: "ip"})
		}, []string{"1", "2"}, map[string]bool{}},
		{"failed attempt", func() error {
			mustTakeQuiz(t, s, u.ID, "disclosure", 1, 4)
			return nil
		}, []string{"1", "2"}, map[string]bool{}},
		{"someone else passes", func() error {
			mustTakeQuiz(t, s, other.ID, "privacy", 4, 4)
			return nil
		}, []string{"1", "2"}, map[string]bool{}},
		{"attempt in progress", func() error {
			_, _, err := s.StartAttempt(ctx, training.Attempt{UserID: u.ID, ModuleID: "privacy", Questions: quizQuestions(2)})
			return err
		}, []string{"1", "2"}, map[string]bool{}},
		{"passed attempt", func() error {
			mustTakeQuiz(t, s, u.ID, "disclosure", 4, 4)
			return nil
		}, []string{"1", "2"}, map[string]bool{"disclosure": true}},
		{"passed again, failed later", func() error {
			mustTakeQuiz(t, s, u.ID, "disclosure", 4, 4)
			mustTakeQuiz(t, s, u.ID, "disclosure", 0, 4)
			return nil
		}, []string{"1", "2"}, map[string]bool{"disclosure": true}},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			if err := st.do(); err != nil {
				t.Fatalf("step: %v", err)
			}
			p, err := s.Progress(ctx, u.ID)
			if err != nil {
				t.Fatalf("Progress: %v", err)
			}
			got := slices.Sorted(slices.Values(p.Acknowledged))
			if !slices.Equal(got, st.wantAcknowledged) || !maps.Equal(p.Passed, st.wantPassed) {
				t.Errorf("Progress = %q %v, want %q %v", got, p.Passed, st.wantAcknowledged, st.wantPassed)
			}
		})
	}
}

func TestAttemptRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")

	in := training.Attempt{UserID: u.ID, ModuleID: "disclosure", ModuleHash: "abc123", Language: "nl", Questions: quizQuestions(2)}
	started := c.Now()
	id, isNew, err := s.StartAttempt(ctx, in)
	if err != nil || !isNew {
		t.Fatalf("StartAttempt = %d, %v, %v; want a new attempt", id, isNew, err)
	}
	got, err := s.Attempt(ctx, id)
	if err != nil {
		t.Fatalf("Attempt: %v", err)
	}
	if got.ID != id || got.UserID != u.ID || got.ModuleID != "disclosure" || got.ModuleHash != "abc123" || got.Language != "nl" ||
		got.Total != 2 || got.Correct != 0 || got.Passed || got.Submitted() || !got.CreatedAt.Equal(started) || len(got.Answers) != 0 {
		t.Errorf("Attempt = %+v, want a new attempt of 2 questions in nl created at %v", got, started)
	}
	if !reflect.DeepEqual(got.Questions, in.Questions) {
		t.Errorf("Questions = %+v, want as presented %+v", got.Questions, in.Questions)
	}
	if open, err := s.OpenAttempt(ctx, u.ID, "disclosure"); err != nil || open.ID != id {
		t.Errorf("OpenAttempt = %d, %v; want %d", open.ID, err, id)
	}

	c.Advance(time.Minute)
	if _, err := s.SaveAnswer(ctx, id, "q1", "a", scoreAt(75)); err != nil {
		t.Fatalf("SaveAnswer q1: %v", err)
	}
	c.Advance(time.Minute)
	if _, err := s.SaveAnswer(ctx, id, "q2", "b", scoreAt(75)); err != nil {
		t.Fatalf("SaveAnswer q2: %v", err)
	}
	got, err = s.Attempt(ctx, id)
	if err != nil {
		t.Fatalf("Attempt after answering: %v", err)
	}
	if got.Correct != 1 || got.Total != 2 || got.Passed || !got.SubmittedAt.Equal(c.Now()) ||
		!maps.Equal(got.Answers, map[string]string{"q1": "a", "q2": "b"}) || !got.CreatedAt.Equal(started) {
		t.Errorf("submitted Attempt = %+v, want 1/2 failed, submitted at %v", got, c.Now())
	}
	if _, err := s.OpenAttempt(ctx, u.ID, "disclosure"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OpenAttempt after submitting error = %v, want ErrNotFound", err)
	}

	passed := mustTakeQuiz(t, s, u.ID, "disclosure", 2, 2)
	if passed.ID == id {
		t.Errorf("two attempts got the same id %d", id)
	}
	if a, err := s.Attempt(ctx, passed.ID); err != nil || !a.Passed {
		t.Errorf("Attempt(%d) = %+v, %v; want passed", passed.ID, a, err)
	}
	if _, err := s.Attempt(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Attempt(9999) error = %v, want ErrNotFound", err)
	}
}

func TestRegisterConductVersion(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	for _, v := range []struct {
		version  string
		hash     string
		material bool
	}{
		{"2026.1", "h1", true},
		{"2026.2", "h2", false},
		{"2026.1", "h1-edited", false}, // seen before: keeps its place and its material flag
		{"2027.1", "h3", true},
		{"2026.2", "h2", false},
	} {
		c.Advance(time.Hour)
		if err := s.RegisterConductVersion(ctx, v.version, v.hash, v.material); err != nil {
			t.Fatalf("RegisterConductVersion %s: %v", v.version, err)
		}
	}
	got, err := s.ConductVersions(ctx)
	if err != nil {
		t.Fatalf("ConductVersions: %v", err)
	}
	var versions []string
	var material []bool
	for i, v := range got {
		versions, material = append(versions, v.Version), append(material, v.Material)
		if i > 0 && v.Seq <= got[i-1].Seq {
			t.Errorf("Seq %d of %s not after %d", v.Seq, v.Version, got[i-1].Seq)
		}
	}
	if !slices.Equal(versions, []string{"2026.1", "2026.2", "2027.1"}) || !slices.Equal(material, []bool{true, false, true}) {
		t.Errorf("ConductVersions = %v material %v, want [2026.1 2026.2 2027.1] material [true false true]", versions, material)
	}
}

func TestStartAttemptReturnsTheOpenOne(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	other := mustSignIn(t, s, "oidc:2", "noor@example.com")

	first, started, err := s.StartAttempt(ctx, training.Attempt{UserID: u.ID, ModuleID: "disclosure", Questions: quizQuestions(2)})
	if err != nil || !started {
		t.Fatalf("first StartAttempt = %d, %v, %v; want a new one", first, started, err)
	}
	tests := []struct {
		name        string
		attempt     training.Attempt
		wantStarted bool
		wantSame    bool
	}{
		// The second call's questions (a reload with another shuffle) are ignored.
		{"same person and module", training.Attempt{UserID: u.ID, ModuleID: "disclosure", Questions: quizQuestions(3)}, false, true},
		{"another module", training.Attempt{UserID: u.ID, ModuleID: "privacy", Questions: quizQuestions(2)}, true, false},
		{"another person", training.Attempt{UserID: other.ID, ModuleID: "disclosure", Questions: quizQuestions(2)}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, started, err := s.StartAttempt(ctx, tt.attempt)
			if err != nil {
				t.Fatalf("StartAttempt: %v", err)
			}
			if started != tt.wantStarted || (id == first) != tt.wantSame {
				t.Errorf("StartAttempt = %d, started %v; want started %v, same as %d: %v", id, started, tt.wantStarted, first, tt.wantSame)
			}
		})
	}
	if a, err := s.Attempt(ctx, first); err != nil || len(a.Questions) != 2 {
		t.Errorf("open attempt has %d questions (%v), want the 2 it started with", len(a.Questions), err)
	}
}

// TestBeginAttemptAsksAllowOverTheHistory holds BeginAttempt to its
// contract: allow decides on the history as stored (resets counted), its
// refusal stores nothing, and an attempt in progress is returned without
// asking.
func TestBeginAttemptAsksAllowOverTheHistory(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	mustTakeQuiz(t, s, u.ID, "disclosure", 1, 2)
	refused := errors.New("refused")

	var seen []training.History
	asking := func(err error) func(training.History) error {
		return func(h training.History) error {
			seen = append(seen, h)
			return err
		}
	}
	if _, err := s.BeginAttempt(ctx, training.Attempt{UserID: u.ID, ModuleID: "disclosure", Questions: quizQuestions(2)}, asking(refused)); !errors.Is(err, refused) {
		t.Fatalf("BeginAttempt with a refusal = %v, want it returned as is", err)
	}
	if len(seen) != 1 || seen[0].Submitted != 1 || seen[0].Passed || seen[0].InProgress {
		t.Fatalf("allow saw %+v, want one history of one failed attempt", seen)
	}
	if _, err := s.OpenAttempt(ctx, u.ID, "disclosure"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("OpenAttempt after a refusal = %v, want ErrNotFound: nothing stored", err)
	}
	id, err := s.BeginAttempt(ctx, training.Attempt{UserID: u.ID, ModuleID: "disclosure", Questions: quizQuestions(2)}, asking(nil))
	if err != nil {
		t.Fatalf("BeginAttempt allowed: %v", err)
	}
	if open, err := s.OpenAttempt(ctx, u.ID, "disclosure"); err != nil || open.ID != id {
		t.Fatalf("OpenAttempt = %d, %v; want %d", open.ID, err, id)
	}
	again, err := s.BeginAttempt(ctx, training.Attempt{UserID: u.ID, ModuleID: "disclosure", Questions: quizQuestions(3)}, asking(refused))
	if err != nil || again != id {
		t.Errorf("BeginAttempt with one in progress = %d, %v; want %d, nil", again, err, id)
	}
	if len(seen) != 2 {
		t.Errorf("allow asked %d times, want 2: not for the attempt in progress", len(seen))
	}
}

func TestSaveAnswer(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	id, _, err := s.StartAttempt(ctx, training.Attempt{UserID: u.ID, ModuleID: "disclosure", Questions: quizQuestions(3)})
	if err != nil {
		t.Fatalf("StartAttempt: %v", err)
	}
	scored := 0
	score := func(a training.Attempt) (training.Result, error) {
		scored++
		return training.Score(a.Questions, 60, a.Answers)
	}

	steps := []struct {
		name          string
		questionID    string
		optionID      string
		wantAnswerErr bool
		wantErr       error
		wantAnswers   map[string]string
		wantSubmitted bool
	}{
		{"unknown question", "q9", "a", true, nil, map[string]string{}, false},
		{"unknown option", "q1", "z", true, nil, map[string]string{}, false},
		{"no option", "q1", "", true, nil, map[string]string{}, false},
		{"first answer", "q1", "a", false, nil, map[string]string{"q1": "a"}, false},
		{"answer changed", "q1", "b", false, nil, map[string]string{"q1": "b"}, false},
		{"second answer", "q3", "a", false, nil, map[string]string{"q1": "b", "q3": "a"}, false},
		{"last answer submits", "q2", "a", false, nil, map[string]string{"q1": "b", "q2": "a", "q3": "a"}, true},
		{"answer after submitting", "q2", "b", false, training.ErrSubmitted, map[string]string{"q1": "b", "q2": "a", "q3": "a"}, true},
	}
	for _, st := range steps {
		runStep(t, st.name, func(t *testing.T) {
			c.Advance(time.Minute)
			_, err := s.SaveAnswer(ctx, id, st.questionID, st.optionID, score)
			var ae *training.AnswerError
			switch {
			case st.wantAnswerErr:
				if !errors.As(err, &ae) || ae.QuestionID != st.questionID {
					t.Errorf("SaveAnswer error = %v (%T), want an *training.AnswerError for %s", err, err, st.questionID)
				}
			case st.wantErr != nil:
				if !errors.Is(err, st.wantErr) {
					t.Errorf("SaveAnswer error = %v, want %v", err, st.wantErr)
				}
			case err != nil:
				t.Fatalf("SaveAnswer: %v", err)
			}
			a, err := s.Attempt(ctx, id)
			if err != nil {
				t.Fatalf("Attempt: %v", err)
			}
			if !maps.Equal(a.Answers, st.wantAnswers) || a.Submitted() != st.wantSubmitted {
				t.Errorf("stored answers %v, submitted %v; want %v, %v", a.Answers, a.Submitted(), st.wantAnswers, st.wantSubmitted)
			}
		})
	}
	a, err := s.Attempt(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if scored != 1 || a.Correct != 2 || a.Total != 3 || !a.Passed {
		t.Errorf("after the last answer: scored %d times, %d/%d passed %v; want once, 2/3 passed (pass mark 60)",
			scored, a.Correct, a.Total, a.Passed)
	}
	if _, err := s.SaveAnswer(ctx, 9999, "q1", "a", score); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SaveAnswer to attempt 9999 error = %v, want ErrNotFound", err)
	}
}

func TestSaveAnswerScoreErrorSavesNothing(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")
	id, _, err := s.StartAttempt(ctx, training.Attempt{UserID: u.ID, ModuleID: "disclosure", Questions: quizQuestions(1)})
	if err != nil {
		t.Fatalf("StartAttempt: %v", err)
	}
	boom := errors.New("module gone")
	if _, err := s.SaveAnswer(ctx, id, "q1", "a", func(training.Attempt) (training.Result, error) { return training.Result{}, boom }); !errors.Is(err, boom) {
		t.Fatalf("SaveAnswer error = %v, want the score error", err)
	}
	a, err := s.Attempt(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Answers) != 0 || a.Submitted() {
		t.Errorf("after a failed scoring the attempt has answers %v, submitted %v; want none, open", a.Answers, a.Submitted())
	}
}

func TestQuizHistoryAndResetAttempts(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	hr := mustSignIn(t, s, "oidc:hr", "hr@example.com")
	u := mustSignIn(t, s, "oidc:1", "sam@example.com")

	check := func(t *testing.T, want training.History) {
		t.Helper()
		h, err := s.QuizHistory(ctx, u.ID, "disclosure")
		if err != nil {
			t.Fatalf("QuizHistory: %v", err)
		}
		if h.Passed != want.Passed || h.Submitted != want.Submitted || h.InProgress != want.InProgress || !h.LastSubmitted.Equal(want.LastSubmitted) {
			t.Errorf("QuizHistory = %+v, want %+v", h, want)
		}
	}
	check(t, training.History{})

	c.Advance(time.Minute)
	mustTakeQuiz(t, s, u.ID, "disclosure", 0, 2)
	c.Advance(time.Minute)
	failed := mustTakeQuiz(t, s, u.ID, "disclosure", 1, 2)
	mustTakeQuiz(t, s, u.ID, "privacy", 0, 2) // another module does not count
	check(t, training.History{Submitted: 2, LastSubmitted: failed.SubmittedAt})

	c.Advance(time.Minute)
	open, _, err := s.StartAttempt(ctx, training.Attempt{UserID: u.ID, ModuleID: "disclosure", Questions: quizQuestions(2)})
	if err != nil {
		t.Fatal(err)
	}
	check(t, training.History{Submitted: 2, LastSubmitted: failed.SubmittedAt, InProgress: true})

	c.Advance(time.Minute)
	if err := s.ResetAttempts(ctx, u.ID, "disclosure", hr.ID); err != nil {
		t.Fatalf("ResetAttempts: %v", err)
	}
	t.Run("reset discards the open attempt", func(t *testing.T) {
		if _, err := s.Attempt(ctx, open); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("open attempt after reset: error %v, want ErrNotFound", err)
		}
		// Attempts before the reset stop counting; the last one is still known.
		check(t, training.History{Submitted: 0, LastSubmitted: failed.SubmittedAt})
	})
	t.Run("reset is audit-logged", func(t *testing.T) {
		log, err := auditLog(ctx, s, 10)
		if err != nil {
			t.Fatalf("audit log: %v", err)
		}
		if len(log) == 0 {
			t.Fatalf("audit log is empty")
		}
		e := log[0]
		wantTarget := fmt.Sprintf("user:%d module:disclosure", u.ID)
		if e.Action != "training.reset_attempts" || e.Target != wantTarget || e.ActorID != hr.ID || e.ActorName != hr.Name ||
			e.Before != `{"attempts_counted":2}` || e.After != `{"attempts_counted":0}` || !e.At.Equal(c.Now()) {
			t.Errorf("audit entry = %+v, want training.reset_attempts on %s by %d, 2 attempts counted before", e, wantTarget, hr.ID)
		}
	})

	c.Advance(time.Minute)
	passed := mustTakeQuiz(t, s, u.ID, "disclosure", 2, 2)
	t.Run("attempts after the reset count", func(t *testing.T) {
		check(t, training.History{Passed: true, Submitted: 1, LastSubmitted: passed.SubmittedAt})
	})

	c.Advance(time.Minute)
	if err := s.ResetAttempts(ctx, u.ID, "disclosure", hr.ID); err != nil {
		t.Fatalf("second ResetAttempts: %v", err)
	}
	t.Run("a reset does not undo a pass", func(t *testing.T) {
		check(t, training.History{Passed: true, Submitted: 0, LastSubmitted: passed.SubmittedAt})
		p, err := s.Progress(ctx, u.ID)
		if err != nil || !p.Passed["disclosure"] {
			t.Errorf("Progress = %+v, %v; want disclosure passed", p, err)
		}
	})
}

// TestRequiredModules holds the HR service's read of the programme to the
// admins' setting: not chosen until an admin saves one, then their list,
// even an empty one.
func TestRequiredModules(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	admin := mustSignIn(t, s, "oidc:admin", "admin@example.com")
	ids, chosen, err := s.RequiredModules(ctx)
	if err != nil || chosen || len(ids) != 0 {
		t.Fatalf("before any choice: RequiredModules = %v, %t, %v; want nothing chosen", ids, chosen, err)
	}
	for _, want := range [][]string{{"timing", "disclosure"}, {}} {
		if err := s.SetSetting(ctx, store.SettingRequiredModules, want, admin.ID); err != nil {
			t.Fatalf("SetSetting: %v", err)
		}
		ids, chosen, err := s.RequiredModules(ctx)
		if err != nil || !chosen || !slices.Equal(ids, want) {
			t.Errorf("after choosing %v: RequiredModules = %v, %t, %v", want, ids, chosen, err)
		}
	}
}
