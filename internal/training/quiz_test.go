package training_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/training"
)

// fourQuestions is a quiz of questions q1…q4 whose correct option is "a".
func fourQuestions(passMark int) training.Quiz {
	q := training.Quiz{PassMark: passMark}
	for _, id := range []string{"q1", "q2", "q3", "q4"} {
		q.Questions = append(q.Questions, training.Question{ID: id, Text: "Question " + id, Options: []training.Option{
			{ID: "a", Text: "Right", Correct: true, Explanation: "Yes."},
			{ID: "b", Text: "Wrong", Explanation: "No."},
		}})
	}
	return q
}

func TestQuizScore(t *testing.T) {
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
			r, err := fourQuestions(tt.passMark).Score(tt.answers)
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
				if it.Correct != want || it.Question.ID != fourQuestions(0).Questions[i].ID || it.Chosen.ID != tt.answers[it.Question.ID] {
					t.Errorf("item %d = question %s, chose %s, correct %v; want question %s, chose %s, correct %v",
						i, it.Question.ID, it.Chosen.ID, it.Correct,
						fourQuestions(0).Questions[i].ID, tt.answers[fourQuestions(0).Questions[i].ID], want)
				}
			}
		})
	}
}

func TestQuizScoreAnswerErrors(t *testing.T) {
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
			wantMessage:    "every question",
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
			wantMessage:    "not one of its options",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := fourQuestions(75).Score(tt.answers)
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

func TestGuidelinesMissing(t *testing.T) {
	g := &training.Guidelines{
		Conduct: training.Conduct{Version: "2"},
		Modules: []training.Module{
			{ID: "disclosure", Required: true},
			{ID: "optional", Required: false},
			{ID: "privacy", Required: true},
		},
	}
	const conduct = "conduct"
	tests := []struct {
		name      string
		progress  training.Progress
		wantSteps []string // module ids, or "conduct"
	}{
		{
			name:      "nothing done",
			progress:  training.Progress{},
			wantSteps: []string{conduct, "disclosure", "privacy"},
		},
		{
			name:      "old conduct version acknowledged",
			progress:  training.Progress{AcknowledgedVersion: "1", Passed: map[string]bool{"disclosure": true, "privacy": true}},
			wantSteps: []string{conduct},
		},
		{
			name:      "conduct acknowledged, one module passed",
			progress:  training.Progress{AcknowledgedVersion: "2", Passed: map[string]bool{"privacy": true}},
			wantSteps: []string{"disclosure"},
		},
		{
			name:      "only the optional module passed",
			progress:  training.Progress{AcknowledgedVersion: "2", Passed: map[string]bool{"optional": true}},
			wantSteps: []string{"disclosure", "privacy"},
		},
		{
			name:      "all required done, optional never required",
			progress:  training.Progress{AcknowledgedVersion: "2", Passed: map[string]bool{"disclosure": true, "privacy": true}},
			wantSteps: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range g.Missing(tt.progress) {
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
