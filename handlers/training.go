package handlers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/store"
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
	ack, err := s.Store.Acknowledgement(ctx(c), u.ID, conduct.Version)
	switch {
	case err == nil:
		m.AcknowledgedAt = ack.CreatedAt
		return m, nil
	case !errors.Is(err, store.ErrNotFound):
		return m, err
	}
	p, err := s.Store.Progress(ctx(c), u.ID)
	if err != nil {
		return m, err
	}
	versions, err := s.Store.ConductVersions(ctx(c))
	if err != nil {
		return m, err
	}
	m.StillCounts = training.AcknowledgementCurrent(versions, p.Acknowledged)
	m.MustReacknowledge = len(p.Acknowledged) > 0 && !m.StillCounts
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
	conduct := s.Guidelines.Conduct
	if c.FormValue("version") != conduct.Version {
		return apperr.New(apperr.Conflict, "The code of conduct changed while you were reading it. Please read the current version and acknowledge that one.")
	}
	lang := c.FormValue("lang")
	if !slices.Contains(s.Guidelines.Languages, lang) {
		lang = s.lang(c)
	}
	if err := s.Store.Acknowledge(ctx(c), training.Acknowledgement{UserID: userOf(c).ID, Version: conduct.Version,
		ContentHash: conduct.In(lang).Hash, ClientIP: s.clientIP(c).String()}); err != nil {
		return err
	}
	return c.Redirect(s.nextStep(c), fiber.StatusSeeOther)
}

// missingSteps is what still locks sharing for the signed-in user.
func (s *server) missingSteps(c *fiber.Ctx) ([]training.Step, error) {
	p, err := s.Store.Progress(ctx(c), userOf(c).ID)
	if err != nil {
		return nil, err
	}
	versions, err := s.Store.ConductVersions(ctx(c))
	if err != nil {
		return nil, err
	}
	required, err := s.requiredModules(c)
	if err != nil {
		return nil, err
	}
	return s.Guidelines.Missing(p, versions, required), nil
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
	p, err := s.Store.Progress(ctx(c), userOf(c).ID)
	if err != nil {
		return err
	}
	required, err := s.requiredModules(c)
	if err != nil {
		return err
	}
	due, err := s.Store.DueDates(ctx(c), userOf(c).ID)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	m := views.TrainingPage{}
	for _, mod := range s.Guidelines.Modules {
		m.Modules = append(m.Modules, views.ModuleSummary{ID: mod.ID, Text: mod.In(lang),
			Questions: len(mod.In(lang).Questions), Required: slices.Contains(required, mod.ID), Passed: p.Passed[mod.ID],
			Due: due[mod.ID], Overdue: !p.Passed[mod.ID] && !due[mod.ID].IsZero() && s.Now().After(due[mod.ID])})
	}
	return s.render(c, fiber.StatusOK, views.TrainingView(s.chrome(c, "Training", "training"), m))
}

func (s *server) module(c *fiber.Ctx) (training.Module, error) {
	m, ok := s.Guidelines.Module(c.Params("module"))
	if !ok {
		return m, apperr.New(apperr.NotFound, "There is no training module with that name.")
	}
	return m, nil
}

// showModule shows the module's page and where the person stands on its
// quiz: start, continue, wait, or out of attempts.
func (s *server) showModule(c *fiber.Ctx) error {
	m, err := s.module(c)
	if err != nil {
		return err
	}
	u := userOf(c)
	h, err := s.Store.QuizHistory(ctx(c), u.ID, m.ID)
	if err != nil {
		return err
	}
	page := views.ModulePage{ID: m.ID, Quiz: m.Quiz, Text: m.In(s.lang(c)), History: h, AttemptsLeft: m.Quiz.AttemptsLeft(h)}
	page.CanStart, page.NotBefore, page.Blocked = m.Quiz.CanStart(h, s.Now())
	if h.InProgress {
		open, err := s.Store.OpenAttempt(ctx(c), u.ID, m.ID)
		if err != nil {
			return err
		}
		page.OpenAttempt = open.ID
		page.Answered = len(open.Answers)
		page.CanStart = true
	}
	return s.render(c, fiber.StatusOK, views.ModuleView(s.chrome(c, page.Text.Title, "training"), page))
}

// startAttempt starts a quiz attempt with its questions and options
// shuffled once, then frozen in the attempt; an attempt already in progress
// is continued instead.
func (s *server) startAttempt(c *fiber.Ctx) error {
	m, err := s.module(c)
	if err != nil {
		return err
	}
	u := userOf(c)
	h, err := s.Store.QuizHistory(ctx(c), u.ID, m.ID)
	if err != nil {
		return err
	}
	if ok, _, why := m.Quiz.CanStart(h, s.Now()); !ok && !h.InProgress {
		return apperr.New(apperr.Conflict, why)
	}
	text := m.In(s.lang(c))
	id, _, err := s.Store.StartAttempt(ctx(c), training.Attempt{UserID: u.ID, ModuleID: m.ID, ModuleHash: m.Hash,
		Language: text.Language, Questions: training.Shuffle(text.Questions, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))})
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/training/%s/attempts/%d", m.ID, id), fiber.StatusSeeOther)
}

// attempt returns the attempt named in the URL if it is the user's and
// belongs to module m.
func (s *server) attempt(c *fiber.Ctx, m training.Module) (training.Attempt, error) {
	notFound := apperr.New(apperr.NotFound, "There is no such quiz attempt.")
	id, err := strconv.ParseInt(c.Params("attempt"), 10, 64)
	if err != nil {
		return training.Attempt{}, notFound
	}
	a, err := s.Store.Attempt(ctx(c), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (a.UserID != userOf(c).ID || a.ModuleID != m.ID)) {
		return a, notFound
	}
	return a, err
}

// showAttempt shows the next unanswered question of an attempt in
// progress, or the result of a submitted one, from the questions as they
// were asked.
func (s *server) showAttempt(c *fiber.Ctx) error {
	m, err := s.module(c)
	if err != nil {
		return err
	}
	a, err := s.attempt(c, m)
	if err != nil {
		return err
	}
	if !a.Submitted() {
		return s.renderQuestion(c, fiber.StatusOK, m, a, "")
	}
	return s.renderResult(c, m, a)
}

func (s *server) renderQuestion(c *fiber.Ctx, status int, m training.Module, a training.Attempt, problem string) error {
	i := training.NextQuestion(a.Questions, a.Answers)
	if i == len(a.Questions) {
		return apperr.New(apperr.Conflict, "Every question of this attempt is answered.")
	}
	page := views.QuestionPage{ModuleID: m.ID, Title: m.In(a.Language).Title, AttemptID: a.ID, Number: i + 1,
		Total: len(a.Questions), Question: a.Questions[i], Problem: problem}
	return s.render(c, status, views.QuestionView(s.chrome(c, page.Title, "training"), page))
}

func (s *server) renderResult(c *fiber.Ctx, m training.Module, a training.Attempt) error {
	result, err := training.Score(a.Questions, m.Quiz.PassMark, a.Answers)
	if err != nil {
		return err
	}
	result.Passed = a.Passed // the verdict given at the time stands
	h, err := s.Store.QuizHistory(ctx(c), a.UserID, m.ID)
	if err != nil {
		return err
	}
	missing, err := s.missingSteps(c)
	if err != nil {
		return err
	}
	page := views.AttemptPage{ModuleID: m.ID, Title: m.In(a.Language).Title, Quiz: m.Quiz, Result: result,
		Reveal: m.Quiz.RevealsAnswers(h), AttemptsLeft: m.Quiz.AttemptsLeft(h), Unlocked: len(missing) == 0}
	page.CanRetry, page.NotBefore, page.Blocked = m.Quiz.CanStart(h, s.Now())
	return s.render(c, fiber.StatusOK, views.AttemptView(s.chrome(c, "Quiz result", "training"), page))
}

// answerQuestion records the answer to one question; the last answer
// scores and submits the attempt. An answer to a question or option that
// is not in the attempt is refused and changes nothing.
func (s *server) answerQuestion(c *fiber.Ctx) error {
	m, err := s.module(c)
	if err != nil {
		return err
	}
	a, err := s.attempt(c, m)
	if err != nil {
		return err
	}
	a, err = s.Store.SaveAnswer(ctx(c), a.ID, c.FormValue("question"), c.FormValue("option"),
		func(a training.Attempt) (training.Result, error) {
			return training.Score(a.Questions, m.Quiz.PassMark, a.Answers)
		})
	var ae *training.AnswerError
	switch {
	case errors.As(err, &ae):
		return s.renderQuestion(c, statusOf(err), m, a, ae.Message)
	case err != nil:
		return err // store.ErrSubmitted, a conflict, for an attempt already submitted
	}
	if a.Submitted() && a.Passed {
		s.Logger.Info("quiz passed", "id", requestID(c), "module", m.ID, "user", a.UserID)
	}
	return c.Redirect(fmt.Sprintf("/training/%s/attempts/%d", m.ID, a.ID), fiber.StatusSeeOther)
}
