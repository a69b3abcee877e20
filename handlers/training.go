package handlers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
	"github.com/advocacy-portal/portal/views"
)

func (s *server) showConduct(c *fiber.Ctx) error {
	u := userOf(c)
	conduct := s.Guidelines.Conduct
	m := views.ConductPage{Conduct: conduct, CanAcknowledge: u.Has(account.Employee)}
	ack, err := s.Store.Acknowledgement(ctx(c), u.ID, conduct.Version)
	switch {
	case err == nil:
		m.AcknowledgedAt = ack.CreatedAt
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	return s.render(c, fiber.StatusOK, views.ConductView(s.chrome(c, conduct.Title, "conduct"), m))
}

// acknowledgeConduct records the acknowledgement of the version the person
// read; if the code changed while they were reading, they must read it again.
func (s *server) acknowledgeConduct(c *fiber.Ctx) error {
	conduct := s.Guidelines.Conduct
	if c.FormValue("version") != conduct.Version {
		return apperr.New(apperr.Conflict, "The code of conduct changed while you were reading it. Please read the current version and acknowledge that one.")
	}
	if err := s.Store.Acknowledge(ctx(c), store.Acknowledgement{UserID: userOf(c).ID, Version: conduct.Version,
		ContentHash: conduct.Hash, ClientIP: c.IP()}); err != nil {
		return err
	}
	return c.Redirect(s.nextStep(c), fiber.StatusSeeOther)
}

// nextStep is where to send someone after they finished a step: the next
// thing that locks sharing, or the feed.
func (s *server) nextStep(c *fiber.Ctx) string {
	p, err := s.Store.Progress(ctx(c), userOf(c).ID, s.Guidelines.Conduct.Version)
	if err != nil {
		return "/feed"
	}
	for _, step := range s.Guidelines.Missing(p) {
		if step.Module != nil {
			return "/training/" + step.Module.ID
		}
		return "/conduct"
	}
	return "/feed"
}

func (s *server) listModules(c *fiber.Ctx) error {
	p, err := s.Store.Progress(ctx(c), userOf(c).ID, s.Guidelines.Conduct.Version)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.TrainingView(s.chrome(c, "Training", "training"),
		views.TrainingPage{Modules: s.Guidelines.Modules, Passed: p.Passed}))
}

func (s *server) module(c *fiber.Ctx) (training.Module, error) {
	m, ok := s.Guidelines.Module(c.Params("module"))
	if !ok {
		return m, apperr.New(apperr.NotFound, "There is no training module with that name.")
	}
	return m, nil
}

func (s *server) showModule(c *fiber.Ctx) error {
	m, err := s.module(c)
	if err != nil {
		return err
	}
	p, err := s.Store.Progress(ctx(c), userOf(c).ID, s.Guidelines.Conduct.Version)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.ModuleView(s.chrome(c, m.Title, "training"),
		views.ModulePage{Module: m, Passed: p.Passed[m.ID]}))
}

// submitQuiz scores the answers and stores the attempt. Unanswered
// questions send the form back with the answers given so far; an answer
// to a question or option that does not exist is refused outright.
func (s *server) submitQuiz(c *fiber.Ctx) error {
	m, err := s.module(c)
	if err != nil {
		return err
	}
	answers := map[string]string{}
	c.Request().PostArgs().VisitAll(func(key, value []byte) {
		if qid, ok := strings.CutPrefix(string(key), "q."); ok {
			answers[qid] = string(value)
		}
	})
	result, err := m.Quiz.Score(answers)
	var ae *training.AnswerError
	if errors.As(err, &ae) {
		page := views.ModulePage{Module: m, Answers: answers, Problem: ae.Message, ErrorsAt: map[string]bool{}}
		for _, q := range m.Quiz.Questions {
			if answers[q.ID] == "" {
				page.ErrorsAt[q.ID] = true
			}
		}
		return s.render(c, fiber.StatusUnprocessableEntity, views.ModuleView(s.chrome(c, m.Title, "training"), page))
	}
	if err != nil {
		return err
	}
	id, err := s.Store.SaveAttempt(ctx(c), store.Attempt{UserID: userOf(c).ID, ModuleID: m.ID, ModuleHash: m.Hash,
		Answers: answers, Correct: result.Correct, Total: result.Total, Passed: result.Passed})
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/training/%s/attempts/%d", m.ID, id), fiber.StatusSeeOther)
}

// showAttempt shows a past attempt, scored against the module as it is now.
func (s *server) showAttempt(c *fiber.Ctx) error {
	m, err := s.module(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Params("attempt"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "There is no such quiz attempt.")
	}
	a, err := s.Store.Attempt(ctx(c), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (a.UserID != userOf(c).ID || a.ModuleID != m.ID)) {
		return apperr.New(apperr.NotFound, "There is no such quiz attempt.")
	}
	if err != nil {
		return err
	}
	result, err := m.Quiz.Score(a.Answers)
	if err != nil {
		return apperr.Wrap(apperr.Conflict, "This module's quiz has changed since this attempt, so its answers cannot be shown against it.", err)
	}
	result.Passed = a.Passed // the verdict given at the time stands
	p, err := s.Store.Progress(ctx(c), userOf(c).ID, s.Guidelines.Conduct.Version)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.AttemptView(s.chrome(c, "Quiz result", "training"),
		views.AttemptPage{Module: m, Result: result, Unlocked: len(s.Guidelines.Missing(p)) == 0}))
}
