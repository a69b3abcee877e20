package training

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
)

// AnswerError says why an answer cannot be taken. Its message is safe to
// show to the person who answered.
type AnswerError struct {
	QuestionID string
	Message    string
}

func (e *AnswerError) Error() string { return e.Message }

// Kind is apperr.Invalid.
func (e *AnswerError) Kind() apperr.Kind { return apperr.Invalid }

// UserMessage is Message.
func (e *AnswerError) UserMessage() string { return e.Message }

// Shuffle returns the questions in a random order, each with its options in
// a random order. An attempt keeps the result, so the order is frozen for
// that attempt: a reload shows the same quiz.
func Shuffle(questions []Question, r *rand.Rand) []Question {
	out := make([]Question, len(questions))
	for i, q := range questions {
		q.Options = slices.Clone(q.Options)
		r.Shuffle(len(q.Options), func(a, b int) { q.Options[a], q.Options[b] = q.Options[b], q.Options[a] })
		out[i] = q
	}
	r.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
	return out
}

// CheckAnswer reports whether optionID is an option of the question
// questionID among questions; if not, it returns an *AnswerError.
func CheckAnswer(questions []Question, questionID, optionID string) error {
	i := slices.IndexFunc(questions, func(q Question) bool { return q.ID == questionID })
	if i < 0 {
		return &AnswerError{QuestionID: questionID,
			Message: fmt.Sprintf("An answer was sent for question %q, which is not in this quiz. Reload the page and answer again.", questionID)}
	}
	if optionID == "" {
		return &AnswerError{QuestionID: questionID, Message: "Choose an answer."}
	}
	if !slices.ContainsFunc(questions[i].Options, func(o Option) bool { return o.ID == optionID }) {
		return &AnswerError{QuestionID: questionID,
			Message: "That answer is not one of this question's options. Reload the page and answer again."}
	}
	return nil
}

// NextQuestion returns the index of the first question without an answer,
// or len(questions) when all are answered.
func NextQuestion(questions []Question, answers map[string]string) int {
	for i, q := range questions {
		if answers[q.ID] == "" {
			return i
		}
	}
	return len(questions)
}

// Result is a scored attempt.
type Result struct {
	Correct int
	Total   int
	Percent int
	Passed  bool
	Items   []Item // one per question, in the order they were asked
}

// Item is how one question was answered.
type Item struct {
	Question Question
	Chosen   Option
	Correct  bool
	Right    Option // the correct option
}

// Score checks answers (question id to option id) against questions. Every
// question must be answered, and every answer must name a question and an
// option that exist; otherwise Score returns an *AnswerError and no result.
func Score(questions []Question, passMark int, answers map[string]string) (Result, error) {
	for qid, oid := range answers {
		if err := CheckAnswer(questions, qid, oid); err != nil {
			return Result{}, err
		}
	}
	r := Result{Total: len(questions)}
	for _, q := range questions {
		oid, ok := answers[q.ID]
		if !ok || oid == "" {
			return Result{}, &AnswerError{QuestionID: q.ID, Message: "Choose an answer to every question."}
		}
		item := Item{Question: q}
		for _, o := range q.Options {
			if o.ID == oid {
				item.Chosen = o
			}
			if o.Correct {
				item.Right = o
			}
		}
		item.Correct = item.Chosen.Correct
		if item.Correct {
			r.Correct++
		}
		r.Items = append(r.Items, item)
	}
	if r.Total > 0 {
		r.Percent = r.Correct * 100 / r.Total
	}
	r.Passed = r.Total > 0 && r.Correct*100 >= passMark*r.Total
	return r, nil
}

// History is what a person has done at one module's quiz, counting only
// attempts since HR last reset them.
type History struct {
	Passed        bool      // some attempt passed, ever (resets do not undo a pass)
	Submitted     int       // attempts submitted since the last reset
	LastSubmitted time.Time // when the latest of them was submitted
	InProgress    bool      // an attempt is started and not yet submitted
}

// AttemptsLeft is how many attempts remain; -1 means unlimited.
func (q Quiz) AttemptsLeft(h History) int {
	if q.MaxAttempts == 0 {
		return -1
	}
	return max(0, q.MaxAttempts-h.Submitted)
}

// CanStart says whether a new attempt may start at now. If not, it returns
// when one may (zero if never, without HR resetting the attempts) and why.
// After a pass, practice attempts are always allowed.
func (q Quiz) CanStart(h History, now time.Time) (ok bool, from time.Time, why string) {
	if h.Passed {
		return true, time.Time{}, ""
	}
	if q.AttemptsLeft(h) == 0 {
		return false, time.Time{}, "You have used all your attempts at this quiz. Ask HR to reset them."
	}
	if wait := h.LastSubmitted.Add(q.RetryWait); h.Submitted > 0 && now.Before(wait) {
		return false, wait, "Take a moment to reread the page: you can try again at " + wait.UTC().Format("15:04 MST") + "."
	}
	return true, time.Time{}, ""
}

// RevealsAnswers reports whether results may show the right answers to
// someone with history h.
func (q Quiz) RevealsAnswers(h History) bool {
	switch q.Reveal {
	case RevealAlways:
		return true
	case RevealWhenDone:
		return h.Passed || q.AttemptsLeft(h) == 0
	}
	return false
}

// Status is where a person stands on an assigned module.
type Status string

// The statuses of assigned training.
const (
	NotStarted Status = "not-started"
	InProgress Status = "in-progress"
	Passed     Status = "passed"
	Failed     Status = "failed" // attempts used up without a pass
	Overdue    Status = "overdue"
)

// Label is the status as people read it.
func (s Status) Label() string {
	switch s {
	case NotStarted:
		return "Not started"
	case InProgress:
		return "In progress"
	case Passed:
		return "Passed"
	case Failed:
		return "Failed"
	case Overdue:
		return "Overdue"
	}
	return string(s)
}

// Status is where someone with history h stands at now on training due at due.
func (q Quiz) Status(h History, due, now time.Time) Status {
	switch {
	case h.Passed:
		return Passed
	case !due.IsZero() && now.After(due):
		return Overdue
	case q.AttemptsLeft(h) == 0:
		return Failed
	case h.Submitted > 0 || h.InProgress:
		return InProgress
	}
	return NotStarted
}

// Progress is what a person has done of their training.
type Progress struct {
	Acknowledged []string        // versions of the code of conduct they acknowledged
	Passed       map[string]bool // module ids with at least one passed attempt
}

// Step is something a person must still do before sharing is unlocked.
type Step struct {
	Module *Module // nil for the code of conduct
}

// Missing lists what stands between the person and sharing: acknowledging
// the code of conduct if the versions they acknowledged no longer count,
// then each required module not yet passed. required lists module ids (the
// admins' choice, or g.Required); ids of modules that do not exist are
// ignored. Sharing is unlocked when Missing returns nothing.
func (g *Guidelines) Missing(p Progress, versions []ConductVersion, required []string) []Step {
	var steps []Step
	if !AcknowledgementCurrent(versions, p.Acknowledged) {
		steps = append(steps, Step{})
	}
	for _, id := range required {
		if i := slices.IndexFunc(g.Modules, func(m Module) bool { return m.ID == id }); i >= 0 && !p.Passed[id] {
			steps = append(steps, Step{Module: &g.Modules[i]})
		}
	}
	return steps
}

// ConductVersion is a version of the code of conduct the portal has run
// with; Seq orders them by when the portal first saw them.
type ConductVersion struct {
	Seq      int64
	Version  string
	Material bool
}

// AcknowledgementCurrent reports whether the acknowledged versions still
// count: one of them must be the latest material version or a later one.
// If no version was ever material, the first version counts as the
// baseline everyone must acknowledge. With no versions nothing counts.
func AcknowledgementCurrent(versions []ConductVersion, acknowledged []string) bool {
	if len(versions) == 0 {
		return false
	}
	sorted := slices.SortedFunc(slices.Values(versions), func(a, b ConductVersion) int { return int(a.Seq - b.Seq) })
	baseline := 0
	for i, v := range sorted {
		if v.Material {
			baseline = i
		}
	}
	for _, v := range sorted[baseline:] {
		if slices.Contains(acknowledged, v.Version) {
			return true
		}
	}
	return false
}
