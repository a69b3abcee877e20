package training_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/training"
)

// fourQuestions are questions q1…q4 whose correct option is "a".
func fourQuestions() []training.Question {
	var qs []training.Question
	for _, id := range []string{"q1", "q2", "q3", "q4"} {
		qs = append(qs, training.Question{ID: id, Text: "Question " + id, Options: []training.Option{
			{ID: "a", Text: "Right", Correct: true, Explanation: "Yes."},
			{ID: "b", Text: "Wrong", Explanation: "No."},
		}})
	}
	return qs
}

func TestScore(t *testing.T) {
	tests := []struct {
		name        string
		passMark    int
		answers     map[string]string
		wantCorrect int
		wantPercent int
		wantPassed  bool
		wantItems   []bool // Correct of each item
	}{
		{
			name:        "all correct",
			passMark:    75,
			answers:     map[string]string{"q1": "a", "q2": "a", "q3": "a", "q4": "a"},
			wantCorrect: 4, wantPercent: 100, wantPassed: true,
			wantItems: []bool{true, true, true, true},
		},
		{
			name:        "exactly the pass mark passes",
			passMark:    75,
			answers:     map[string]string{"q1": "a", "q2": "b", "q3": "a", "q4": "a"},
			wantCorrect: 3, wantPercent: 75, wantPassed: true,
			wantItems: []bool{true, false, true, true},
		},
		{
			name:        "below the pass mark fails",
			passMark:    75,
			answers:     map[string]string{"q1": "a", "q2": "b", "q3": "b", "q4": "a"},
			wantCorrect: 2, wantPercent: 50, wantPassed: false,
			wantItems: []bool{true, false, false, true},
		},
		{
			name:        "one short of an uneven pass mark fails",
			passMark:    76,
			answers:     map[string]string{"q1": "a", "q2": "b", "q3": "a", "q4": "a"},
			wantCorrect: 3, wantPercent: 75, wantPassed: false,
			wantItems: []bool{true, false, true, true},
		},
		{
			name:        "all wrong",
			passMark:    1,
			answers:     map[string]string{"q1": "b", "q2": "b", "q3": "b", "q4": "b"},
			wantCorrect: 0, wantPercent: 0, wantPassed: false,
			wantItems: []bool{false, false, false, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			questions := fourQuestions()
			r, err := training.Score(questions, tt.passMark, tt.answers)
			if err != nil {
				t.Fatalf("Score: %v", err)
			}
			if r.Correct != tt.wantCorrect || r.Total != 4 || r.Percent != tt.wantPercent || r.Passed != tt.wantPassed {
				t.Errorf("Score = %d/%d (%d%%) passed %v, want %d/4 (%d%%) passed %v",
					r.Correct, r.Total, r.Percent, r.Passed, tt.wantCorrect, tt.wantPercent, tt.wantPassed)
			}
			if len(r.Items) != len(tt.wantItems) {
				t.Fatalf("got %d items, want %d", len(r.Items), len(tt.wantItems))
			}
			for i, want := range tt.wantItems {
				it := r.Items[i]
				if it.Correct != want || it.Question.ID != questions[i].ID || it.Chosen.ID != tt.answers[it.Question.ID] {
					t.Errorf("item %d = question %s, chose %s, correct %v; want question %s, chose %s, correct %v",
						i, it.Question.ID, it.Chosen.ID, it.Correct, questions[i].ID, tt.answers[questions[i].ID], want)
				}
				if it.Right.ID != "a" || !it.Right.Correct || it.Right.Explanation != "Yes." {
					t.Errorf("item %d Right = %+v, want option a with its explanation", i, it.Right)
				}
			}
		})
	}
}

func TestScoreKeepsTheOrderAsked(t *testing.T) {
	questions := fourQuestions()
	slices.Reverse(questions)
	questions[0].Options = []training.Option{questions[0].Options[1], questions[0].Options[0]}
	r, err := training.Score(questions, 75, map[string]string{"q1": "a", "q2": "a", "q3": "b", "q4": "a"})
	if err != nil {
		t.Fatalf("Score: %v", err)
	}
	var got []string
	for _, it := range r.Items {
		got = append(got, it.Question.ID)
	}
	if !slices.Equal(got, []string{"q4", "q3", "q2", "q1"}) {
		t.Errorf("items in order %v, want the order asked [q4 q3 q2 q1]", got)
	}
	if r.Items[0].Right.ID != "a" || !r.Items[0].Correct {
		t.Errorf("item q4 with shuffled options = %+v, want right option a, answered correctly", r.Items[0])
	}
	if r.Correct != 3 || r.Passed != true {
		t.Errorf("Score = %d correct, passed %v; want 3, true", r.Correct, r.Passed)
	}
}

func TestScoreAnswerErrors(t *testing.T) {
	tests := []struct {
		name           string
		answers        map[string]string
		wantQuestionID string
		wantMessage    string // a part of the message
	}{
		{
			name:           "unanswered question",
			answers:        map[string]string{"q1": "a", "q2": "a", "q4": "a"},
			wantQuestionID: "q3",
			wantMessage:    "every question",
		},
		{
			name:           "empty answer",
			answers:        map[string]string{"q1": "a", "q2": "", "q3": "a", "q4": "a"},
			wantQuestionID: "q2",
			wantMessage:    "Choose an answer",
		},
		{
			name:           "unknown question",
			answers:        map[string]string{"q1": "a", "q2": "a", "q3": "a", "q4": "a", "q9": "a"},
			wantQuestionID: "q9",
			wantMessage:    `"q9"`,
		},
		{
			name:           "unknown option",
			answers:        map[string]string{"q1": "a", "q2": "z", "q3": "a", "q4": "a"},
			wantQuestionID: "q2",
			wantMessage:    "not one of this question's options",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := training.Score(fourQuestions(), 75, tt.answers)
			var ae *training.AnswerError
			if !errors.As(err, &ae) {
				t.Fatalf("Score error = %v (%T), want *training.AnswerError", err, err)
			}
			if ae.QuestionID != tt.wantQuestionID {
				t.Errorf("QuestionID = %q, want %q", ae.QuestionID, tt.wantQuestionID)
			}
			if !strings.Contains(ae.Error(), tt.wantMessage) {
				t.Errorf("message %q does not contain %q", ae.Error(), tt.wantMessage)
			}
			if r.Total != 0 || r.Items != nil || r.Passed {
				t.Errorf("Score returned a result %+v with the error, want the zero Result", r)
			}
		})
	}
}

func TestCheckAnswer(t *testing.T) {
	tests := []struct {
		name        string
		questionID  string
		optionID    string
		wantErr     bool
		wantMessage string
	}{
		{"right option", "q2", "a", false, ""},
		{"wrong option is still an answer", "q2", "b", false, ""},
		{"unknown question", "q9", "a", true, `"q9"`},
		{"no option", "q2", "", true, "Choose an answer"},
		{"unknown option", "q2", "z", true, "not one of this question's options"},
		{"option id of another case", "q2", "A", true, "not one of this question's options"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := training.CheckAnswer(fourQuestions(), tt.questionID, tt.optionID)
			if !tt.wantErr {
				if err != nil {
					t.Errorf("CheckAnswer = %v, want nil", err)
				}
				return
			}
			var ae *training.AnswerError
			if !errors.As(err, &ae) {
				t.Fatalf("CheckAnswer = %v (%T), want *training.AnswerError", err, err)
			}
			if ae.QuestionID != tt.questionID || !strings.Contains(ae.Message, tt.wantMessage) {
				t.Errorf("AnswerError = %+v, want question %q and a message containing %q", ae, tt.questionID, tt.wantMessage)
			}
		})
	}
}

func TestNextQuestion(t *testing.T) {
	tests := []struct {
		name    string
		answers map[string]string
		want    int
	}{
		{"none answered", nil, 0},
		{"first answered", map[string]string{"q1": "a"}, 1},
		{"a gap comes first", map[string]string{"q1": "a", "q3": "b"}, 1},
		{"only a later one answered", map[string]string{"q4": "a"}, 0},
		{"an empty answer is no answer", map[string]string{"q1": "a", "q2": ""}, 1},
		{"all answered", map[string]string{"q1": "a", "q2": "b", "q3": "a", "q4": "b"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := training.NextQuestion(fourQuestions(), tt.answers); got != tt.want {
				t.Errorf("NextQuestion = %d, want %d", got, tt.want)
			}
		})
	}
}

// sixByFour is six questions of four options each; option "a" is correct.
func sixByFour() []training.Question {
	var qs []training.Question
	for _, id := range []string{"q1", "q2", "q3", "q4", "q5", "q6"} {
		q := training.Question{ID: id, Text: "Question " + id}
		for _, o := range []string{"a", "b", "c", "d"} {
			q.Options = append(q.Options, training.Option{ID: o, Text: id + o, Correct: o == "a", Explanation: "Because " + id + o})
		}
		qs = append(qs, q)
	}
	return qs
}

// order returns the question ids and, per question, the option ids.
func order(qs []training.Question) string {
	var b strings.Builder
	for _, q := range qs {
		b.WriteString(q.ID + ":")
		for _, o := range q.Options {
			b.WriteString(o.ID)
		}
		b.WriteString(" ")
	}
	return b.String()
}

func TestShuffle(t *testing.T) {
	in := sixByFour()
	got := training.Shuffle(in, rand.New(rand.NewPCG(1, 2)))

	t.Run("deterministic for a seed", func(t *testing.T) {
		again := training.Shuffle(sixByFour(), rand.New(rand.NewPCG(1, 2)))
		if !reflect.DeepEqual(got, again) {
			t.Errorf("two shuffles with the same seed differ:\n%s\n%s", order(got), order(again))
		}
	})
	t.Run("keeps every question and option", func(t *testing.T) {
		if len(got) != len(in) {
			t.Fatalf("got %d questions, want %d", len(got), len(in))
		}
		want := map[string]training.Question{}
		for _, q := range sixByFour() {
			want[q.ID] = q
		}
		for _, q := range got {
			w, ok := want[q.ID]
			if !ok {
				t.Errorf("question %q was not in the input, or came twice", q.ID)
				continue
			}
			delete(want, q.ID)
			if q.Text != w.Text || len(q.Options) != len(w.Options) {
				t.Errorf("question %s = %+v, want %+v", q.ID, q, w)
				continue
			}
			for _, o := range w.Options {
				// The whole option travels: text, correct flag and explanation.
				if !slices.Contains(q.Options, o) {
					t.Errorf("question %s lost option %+v; has %+v", q.ID, o, q.Options)
				}
			}
		}
		if len(want) > 0 {
			t.Errorf("questions missing after the shuffle: %v", want)
		}
	})
	t.Run("does not modify its input", func(t *testing.T) {
		if !reflect.DeepEqual(in, sixByFour()) {
			t.Errorf("input changed to %s", order(in))
		}
	})
	t.Run("changes the order", func(t *testing.T) {
		original := order(sixByFour())
		questionsMoved, optionsMoved := false, false
		for seed := range uint64(20) {
			s := training.Shuffle(sixByFour(), rand.New(rand.NewPCG(seed, seed+1)))
			for i, q := range s {
				questionsMoved = questionsMoved || q.ID != sixByFour()[i].ID
				optionsMoved = optionsMoved || q.Options[0].ID != "a" || q.Options[3].ID != "d"
			}
		}
		if !questionsMoved || !optionsMoved {
			t.Errorf("20 seeds left the order as it was (questions moved %v, options moved %v): %s",
				questionsMoved, optionsMoved, original)
		}
	})
}

func TestAttemptsLeft(t *testing.T) {
	tests := []struct {
		name        string
		maxAttempts int
		submitted   int
		want        int
	}{
		{"unlimited", 0, 7, -1},
		{"none used", 3, 0, 3},
		{"some used", 3, 2, 1},
		{"all used", 3, 3, 0},
		{"more used than allowed (the maximum was lowered)", 3, 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := training.Quiz{PassMark: 75, MaxAttempts: tt.maxAttempts}
			if got := q.AttemptsLeft(training.History{Submitted: tt.submitted}); got != tt.want {
				t.Errorf("AttemptsLeft = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestCanStart(t *testing.T) {
	now := time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)
	quiz := training.Quiz{PassMark: 75, MaxAttempts: 3, RetryWait: 10 * time.Minute}
	tests := []struct {
		name     string
		quiz     training.Quiz
		history  training.History
		wantOK   bool
		wantFrom time.Time
		wantWhy  string // a part of the reason
	}{
		{"never tried", quiz, training.History{}, true, time.Time{}, ""},
		{"attempts left, wait over", quiz,
			training.History{Submitted: 2, LastSubmitted: now.Add(-10 * time.Minute)}, true, time.Time{}, ""},
		{"all attempts used", quiz,
			training.History{Submitted: 3, LastSubmitted: now.Add(-24 * time.Hour)}, false, time.Time{}, "used all your attempts"},
		{"retry wait not over", quiz,
			training.History{Submitted: 1, LastSubmitted: now.Add(-4 * time.Minute)}, false, now.Add(6 * time.Minute), "try again at 09:06 UTC"},
		{"retry wait in another time zone", quiz,
			training.History{Submitted: 1, LastSubmitted: now.Add(-4 * time.Minute).In(time.FixedZone("CET", 3600))}, false, now.Add(6 * time.Minute), "09:06 UTC"},
		{"unlimited attempts", training.Quiz{PassMark: 75},
			training.History{Submitted: 40, LastSubmitted: now.Add(-time.Second)}, true, time.Time{}, ""},
		{"passed: practice allowed despite the maximum and the wait", quiz,
			training.History{Passed: true, Submitted: 3, LastSubmitted: now.Add(-time.Minute)}, true, time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, from, why := tt.quiz.CanStart(tt.history, now)
			if ok != tt.wantOK || !from.Equal(tt.wantFrom) {
				t.Errorf("CanStart = %v, %v, %q; want %v, %v", ok, from, why, tt.wantOK, tt.wantFrom)
			}
			if tt.wantOK && why != "" {
				t.Errorf("CanStart allowed with reason %q, want none", why)
			}
			if !tt.wantOK && !strings.Contains(why, tt.wantWhy) {
				t.Errorf("CanStart reason = %q, want it to contain %q", why, tt.wantWhy)
			}
		})
	}
}

func TestRevealsAnswers(t *testing.T) {
	tests := []struct {
		name    string
		reveal  training.Reveal
		max     int
		history training.History
		want    bool
	}{
		{"never, even after a pass", training.RevealNever, 3, training.History{Passed: true, Submitted: 1}, false},
		{"never, attempts used", training.RevealNever, 3, training.History{Submitted: 3}, false},
		{"always, before anything", training.RevealAlways, 3, training.History{}, true},
		{"always, after a fail with attempts left", training.RevealAlways, 3, training.History{Submitted: 1}, true},
		{"when done, after a pass", training.RevealWhenDone, 3, training.History{Passed: true, Submitted: 1}, true},
		{"when done, attempts left", training.RevealWhenDone, 3, training.History{Submitted: 2}, false},
		{"when done, attempts used", training.RevealWhenDone, 3, training.History{Submitted: 3}, true},
		{"when done, unlimited and not passed", training.RevealWhenDone, 0, training.History{Submitted: 9}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := training.Quiz{PassMark: 75, MaxAttempts: tt.max, Reveal: tt.reveal}
			if got := q.RevealsAnswers(tt.history); got != tt.want {
				t.Errorf("RevealsAnswers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	now := time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC)
	before, after := now.Add(48*time.Hour), now.Add(-time.Minute) // due dates
	quiz := training.Quiz{PassMark: 75, MaxAttempts: 3}
	tests := []struct {
		name    string
		quiz    training.Quiz
		history training.History
		due     time.Time
		want    training.Status
	}{
		{"passed", quiz, training.History{Passed: true, Submitted: 2}, before, training.Passed},
		{"passed late is passed", quiz, training.History{Passed: true, Submitted: 3}, after, training.Passed},
		{"overdue beats failed", quiz, training.History{Submitted: 3}, after, training.Overdue},
		{"overdue beats in progress", quiz, training.History{Submitted: 1, InProgress: true}, after, training.Overdue},
		{"overdue without starting", quiz, training.History{}, after, training.Overdue},
		{"failed: attempts used", quiz, training.History{Submitted: 3}, before, training.Failed},
		{"in progress: failed once", quiz, training.History{Submitted: 1}, before, training.InProgress},
		{"in progress: attempt open", quiz, training.History{InProgress: true}, before, training.InProgress},
		{"in progress with unlimited attempts", training.Quiz{PassMark: 75}, training.History{Submitted: 9}, before, training.InProgress},
		{"not started", quiz, training.History{}, before, training.NotStarted},
		{"no due date is never overdue", quiz, training.History{}, time.Time{}, training.NotStarted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.quiz.Status(tt.history, tt.due, now); got != tt.want {
				t.Errorf("Status = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatusLabel(t *testing.T) {
	tests := []struct {
		status training.Status
		want   string
	}{
		{training.NotStarted, "Not started"},
		{training.InProgress, "In progress"},
		{training.Passed, "Passed"},
		{training.Failed, "Failed"},
		{training.Overdue, "Overdue"},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			if got := tt.status.Label(); got != tt.want {
				t.Errorf("Label = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAcknowledgementCurrent(t *testing.T) {
	v := func(seq int64, version string, material bool) training.ConductVersion {
		return training.ConductVersion{Seq: seq, Version: version, Material: material}
	}
	history := []training.ConductVersion{v(1, "1", true), v(2, "2", false), v(3, "3", true)}
	tests := []struct {
		name         string
		versions     []training.ConductVersion
		acknowledged []string
		want         bool
	}{
		{"no versions", nil, []string{"1"}, false},
		{"one version, acknowledged", history[:1], []string{"1"}, true},
		{"one version, not acknowledged", history[:1], nil, false},
		{"one version, another acknowledged", history[:1], []string{"0"}, false},
		{"typo fix after v1: v1 still counts", history[:2], []string{"1"}, true},
		{"typo fix after v1: v2 counts", history[:2], []string{"2"}, true},
		{"material v3: v1 no longer counts", history, []string{"1"}, false},
		{"material v3: v2 no longer counts", history, []string{"1", "2"}, false},
		{"material v3: v3 counts", history, []string{"1", "3"}, true},
		{"versions out of order", []training.ConductVersion{history[2], history[0], history[1]}, []string{"2"}, false},
		{"first version not material is the baseline", []training.ConductVersion{v(1, "a", false), v(2, "b", false)}, []string{"a"}, true},
		{"first version not material, later one acknowledged", []training.ConductVersion{v(1, "a", false), v(2, "b", false)}, []string{"b"}, true},
		{"first version not material, nothing acknowledged", []training.ConductVersion{v(1, "a", false), v(2, "b", false)}, nil, false},
		{"first not material, then material", []training.ConductVersion{v(1, "a", false), v(2, "b", true)}, []string{"a"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := training.AcknowledgementCurrent(tt.versions, tt.acknowledged); got != tt.want {
				t.Errorf("AcknowledgementCurrent(%v, %v) = %v, want %v", tt.versions, tt.acknowledged, got, tt.want)
			}
		})
	}
}

func TestGuidelinesMissing(t *testing.T) {
	g := &training.Guidelines{
		Conduct: training.Conduct{Version: "2"},
		Modules: []training.Module{{ID: "disclosure"}, {ID: "optional"}, {ID: "privacy"}},
	}
	versions := []training.ConductVersion{{Seq: 1, Version: "1", Material: true}, {Seq: 2, Version: "2", Material: true}}
	required := []string{"disclosure", "privacy"}
	const conduct = "conduct"
	tests := []struct {
		name      string
		progress  training.Progress
		versions  []training.ConductVersion
		required  []string
		wantSteps []string // module ids, or "conduct"
	}{
		{
			name:      "nothing done",
			progress:  training.Progress{},
			versions:  versions,
			required:  required,
			wantSteps: []string{conduct, "disclosure", "privacy"},
		},
		{
			name:      "old conduct version acknowledged",
			progress:  training.Progress{Acknowledged: []string{"1"}, Passed: map[string]bool{"disclosure": true, "privacy": true}},
			versions:  versions,
			required:  required,
			wantSteps: []string{conduct},
		},
		{
			name:      "conduct acknowledged, one module passed",
			progress:  training.Progress{Acknowledged: []string{"1", "2"}, Passed: map[string]bool{"privacy": true}},
			versions:  versions,
			required:  required,
			wantSteps: []string{"disclosure"},
		},
		{
			name:      "only the optional module passed",
			progress:  training.Progress{Acknowledged: []string{"2"}, Passed: map[string]bool{"optional": true}},
			versions:  versions,
			required:  required,
			wantSteps: []string{"disclosure", "privacy"},
		},
		{
			name:      "all required done, optional never required",
			progress:  training.Progress{Acknowledged: []string{"2"}, Passed: map[string]bool{"disclosure": true, "privacy": true}},
			versions:  versions,
			required:  required,
			wantSteps: nil,
		},
		{
			name:      "the admins' order is kept",
			progress:  training.Progress{Acknowledged: []string{"2"}},
			versions:  versions,
			required:  []string{"privacy", "optional"},
			wantSteps: []string{"privacy", "optional"},
		},
		{
			name:      "a required module that does not exist is ignored",
			progress:  training.Progress{Acknowledged: []string{"2"}, Passed: map[string]bool{"disclosure": true}},
			versions:  versions,
			required:  []string{"disclosure", "removed"},
			wantSteps: nil,
		},
		{
			name:      "nothing required",
			progress:  training.Progress{Acknowledged: []string{"2"}},
			versions:  versions,
			required:  nil,
			wantSteps: nil,
		},
		{
			name:      "no conduct versions known: the conduct is never done",
			progress:  training.Progress{Acknowledged: []string{"2"}, Passed: map[string]bool{"disclosure": true, "privacy": true}},
			versions:  nil,
			required:  required,
			wantSteps: []string{conduct},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range g.Missing(tt.progress, tt.versions, tt.required) {
				if s.Module == nil {
					got = append(got, conduct)
				} else {
					got = append(got, s.Module.ID)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.wantSteps, ",") {
				t.Errorf("Missing = %v, want %v", got, tt.wantSteps)
			}
		})
	}
}
