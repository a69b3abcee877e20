package handlers

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/training"
	"github.com/advocacy-portal/portal/views"
)

// chooseLanguage remembers the language the user wants the guidelines in.
func (s *server) chooseLanguage(c *fiber.Ctx) error {
	if err := s.Profiles.ChooseLanguage(ctx(c), userOf(c).ID, c.FormValue("lang")); err != nil {
		return err
	}
	back := localPath(c.FormValue("back"))
	if back == "" {
		back = "/"
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

// conductStanding is where the user stands on the code of conduct.
func (s *server) conductStanding(c *fiber.Ctx) (views.ConductPage, error) {
	u := userOf(c)
	conduct := s.Guidelines.Conduct
	m := views.ConductPage{Conduct: conduct, Text: conduct.In(s.lang(c)), CanAcknowledge: u.Has(account.Employee)}
	st, err := s.Training.Conduct(ctx(c), u.ID)
	if err != nil {
		return m, err
	}
	m.AcknowledgedAt, m.StillCounts, m.MustReacknowledge = st.AcknowledgedAt, st.StillCounts, st.MustReacknowledge
	return m, nil
}

func (s *server) showConduct(c *fiber.Ctx) error {
	m, err := s.conductStanding(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.ConductView(s.chrome(c, m.Text.Title, "training"), m))
}

// acknowledgeConduct records the acknowledgement of the version the person
// read, in the language they read it; if the code changed while they were
// reading, they must read it again.
func (s *server) acknowledgeConduct(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if !slices.Contains(s.Guidelines.Languages, lang) {
		lang = s.lang(c)
	}
	if err := s.Training.Acknowledge(ctx(c), training.AcknowledgeRequest{UserID: userOf(c).ID, Version: c.FormValue("version"),
		Language: lang, ClientIP: s.clientIP(c).String()}); err != nil {
		return err
	}
	return c.Redirect(s.nextStep(c), fiber.StatusSeeOther)
}

// missingSteps is what still locks sharing for the signed-in user.
func (s *server) missingSteps(c *fiber.Ctx) ([]training.Step, error) {
	return s.Training.Missing(ctx(c), userOf(c).ID)
}

// nextStep is where to send someone after they finished a step: the next
// thing that locks sharing, or the feed.
func (s *server) nextStep(c *fiber.Ctx) string {
	steps, err := s.missingSteps(c)
	if err != nil || len(steps) == 0 {
		return "/feed"
	}
	if steps[0].Module != nil {
		return "/training/" + steps[0].Module.ID
	}
	return "/conduct"
}

func (s *server) listModules(c *fiber.Ctx) error {
	modules, err := s.Training.Modules(ctx(c), userOf(c).ID)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	m := views.TrainingPage{}
	for _, st := range modules {
		text := st.Module.In(lang)
		m.Modules = append(m.Modules, views.ModuleSummary{ID: st.Module.ID, Text: text, Questions: len(text.Questions),
			Required: st.Required, Passed: st.Passed, Due: st.Due, Overdue: st.Overdue})
	}
	return s.render(c, fiber.StatusOK, views.TrainingView(s.chrome(c, "Training", "training"), m))
}

// showModule shows the module's page and where the person stands on its
// quiz: start, continue, wait, or out of attempts.
func (s *server) showModule(c *fiber.Ctx) error {
	st, err := s.Training.Quiz(ctx(c), userOf(c).ID, c.Params("module"))
	if err != nil {
		return err
	}
	page := views.ModulePage{ID: st.Module.ID, Quiz: st.Module.Quiz, Text: st.Module.In(s.lang(c)), History: st.History,
		AttemptsLeft: st.AttemptsLeft, OpenAttempt: st.OpenAttempt, Answered: st.Answered,
		CanStart: st.CanStart, NotBefore: st.NotBefore, Blocked: st.Blocked}
	return s.render(c, fiber.StatusOK, views.ModuleView(s.chrome(c, page.Text.Title, "training"), page))
}

// startAttempt starts a quiz attempt with its questions and options
// shuffled once, then frozen in the attempt; an attempt already in progress
// is continued instead.
func (s *server) startAttempt(c *fiber.Ctx) error {
	moduleID := c.Params("module")
	id, err := s.Training.Start(ctx(c), userOf(c).ID, moduleID, s.lang(c))
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/training/%s/attempts/%d", moduleID, id), fiber.StatusSeeOther)
}

// attemptID is the attempt named in the URL, or 0 if it names none
// (training.Service answers ErrNoAttempt for it).
func attemptID(c *fiber.Ctx) int64 {
	id, err := strconv.ParseInt(c.Params("attempt"), 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// showAttempt shows the next unanswered question of an attempt in
// progress, or the result of a submitted one, from the questions as they
// were asked.
func (s *server) showAttempt(c *fiber.Ctx) error {
	st, err := s.Training.Attempt(ctx(c), userOf(c).ID, c.Params("module"), attemptID(c))
	if err != nil {
		return err
	}
	if !st.Attempt.Submitted() {
		return s.renderQuestion(c, fiber.StatusOK, st, "")
	}
	page := views.AttemptPage{ModuleID: st.Module.ID, Title: st.Module.In(st.Attempt.Language).Title, Quiz: st.Module.Quiz,
		Result: st.Result, Reveal: st.Reveal, AttemptsLeft: st.AttemptsLeft, Unlocked: st.Unlocked,
		CanRetry: st.CanRetry, NotBefore: st.NotBefore, Blocked: st.Blocked}
	return s.render(c, fiber.StatusOK, views.AttemptView(s.chrome(c, "Quiz result", "training"), page))
}

func (s *server) renderQuestion(c *fiber.Ctx, status int, st training.AttemptState, problem string) error {
	a := st.Attempt
	if st.Next >= len(a.Questions) {
		return training.ErrAllAnswered
	}
	page := views.QuestionPage{ModuleID: st.Module.ID, Title: st.Module.In(a.Language).Title, AttemptID: a.ID, Number: st.Next + 1,
		Total: len(a.Questions), Question: a.Questions[st.Next], Problem: problem}
	return s.render(c, status, views.QuestionView(s.chrome(c, page.Title, "training"), page))
}

// answerQuestion records the answer to one question; the last answer
// scores and submits the attempt. An answer to a question or option that
// is not in the attempt is refused and changes nothing.
func (s *server) answerQuestion(c *fiber.Ctx) error {
	st, err := s.Training.Answer(ctx(c), training.Answer{UserID: userOf(c).ID, ModuleID: c.Params("module"),
		AttemptID: attemptID(c), QuestionID: c.FormValue("question"), OptionID: c.FormValue("option")})
	if ae, ok := errors.AsType[*training.AnswerError](err); ok {
		return s.renderQuestion(c, statusOf(err), st, ae.Message)
	}
	if err != nil {
		return err // training.ErrSubmitted, a conflict, for an attempt already submitted
	}
	a := st.Attempt
	if a.Submitted() && a.Passed {
		s.Logger.Info("quiz passed", "id", requestID(c), "module", st.Module.ID, "user", a.UserID)
	}
	return c.Redirect(fmt.Sprintf("/training/%s/attempts/%d", st.Module.ID, a.ID), fiber.StatusSeeOther)
}
