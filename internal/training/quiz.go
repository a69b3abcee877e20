package training

import (
	"fmt"
	"slices"
)

// AnswerError says why a set of quiz answers cannot be scored. Its message
// is safe to show to the person who answered.
type AnswerError struct {
	QuestionID string
	Message    string
}

func (e *AnswerError) Error() string { return e.Message }

// Result is a scored attempt.
type Result struct {
	Correct int
	Total   int
	Percent int
	Passed  bool
	Items   []Item // one per question, in the quiz's order
}

// Item is how one question was answered.
type Item struct {
	Question Question
	Chosen   Option
	Correct  bool
}

// Score checks answers (question id to option id) against the quiz. Every
// question must be answered, and every answer must name a question and an
// option that exist; otherwise Score returns an *AnswerError and no result.
func (q Quiz) Score(answers map[string]string) (Result, error) {
	for qid := range answers {
		if !slices.ContainsFunc(q.Questions, func(qq Question) bool { return qq.ID == qid }) {
			return Result{}, &AnswerError{QuestionID: qid,
				Message: fmt.Sprintf("An answer was sent for question %q, which is not in this quiz. Reload the page and answer again.", qid)}
		}
	}
	r := Result{Total: len(q.Questions)}
	for _, question := range q.Questions {
		oid, ok := answers[question.ID]
		if !ok || oid == "" {
			return Result{}, &AnswerError{QuestionID: question.ID, Message: "Choose an answer to every question."}
		}
		i := slices.IndexFunc(question.Options, func(o Option) bool { return o.ID == oid })
		if i < 0 {
			return Result{}, &AnswerError{QuestionID: question.ID,
				Message: fmt.Sprintf("The answer to %q is not one of its options. Reload the page and answer again.", question.Text)}
		}
		chosen := question.Options[i]
		if chosen.Correct {
			r.Correct++
		}
		r.Items = append(r.Items, Item{Question: question, Chosen: chosen, Correct: chosen.Correct})
	}
	if r.Total > 0 {
		r.Percent = r.Correct * 100 / r.Total
	}
	r.Passed = r.Total > 0 && r.Correct*100 >= q.PassMark*r.Total
	return r, nil
}

// Progress is what a person has done of their training.
type Progress struct {
	AcknowledgedVersion string          // the code of conduct version they last acknowledged, if any
	Passed              map[string]bool // module ids with at least one passed attempt
}

// Step is something a person must still do before sharing is unlocked.
type Step struct {
	Module *Module // nil for the code of conduct
}

// Missing lists what stands between the person and sharing: acknowledging
// the current code of conduct, then each required module not yet passed.
// Sharing is unlocked when it returns nothing.
func (g *Guidelines) Missing(p Progress) []Step {
	var steps []Step
	if p.AcknowledgedVersion != g.Conduct.Version {
		steps = append(steps, Step{})
	}
	for i := range g.Modules {
		if m := &g.Modules[i]; m.Required && !p.Passed[m.ID] {
			steps = append(steps, Step{Module: m})
		}
	}
	return steps
}
