package training

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
)

// Repository is what the learner's Service needs from storage; the store
// implements it. A missing row is an error of kind apperr.NotFound.
type Repository interface {
	// ConductVersions returns every version of the code of conduct the
	// portal has run with, oldest first.
	ConductVersions(ctx context.Context) ([]ConductVersion, error)
	// Acknowledgement returns the user's acknowledgement of a version.
	Acknowledgement(ctx context.Context, userID int64, version string) (Acknowledgement, error)
	// Acknowledge records an acknowledgement; the same version
	// acknowledged again keeps the first record.
	Acknowledge(ctx context.Context, a Acknowledgement) error
	// Progress returns the versions the user acknowledged and the modules
	// they passed.
	Progress(ctx context.Context, userID int64) (Progress, error)
	// RequiredModules returns the module ids admins chose to unlock
	// sharing, with chosen false if they never chose.
	RequiredModules(ctx context.Context) (ids []string, chosen bool, err error)
	// SetRequiredModules stores the admins' choice of the modules that
	// unlock sharing and audit-logs the change.
	SetRequiredModules(ctx context.Context, ids []string, actorID int64) error
	// DueDates returns the due date of each module assigned to the user,
	// by module id.
	DueDates(ctx context.Context, userID int64) (map[string]time.Time, error)
	// QuizHistory returns what the user has done at a module's quiz.
	QuizHistory(ctx context.Context, userID int64, moduleID string) (History, error)
	// OpenAttempt returns the user's attempt in progress at a module.
	OpenAttempt(ctx context.Context, userID int64, moduleID string) (Attempt, error)
	// BeginAttempt returns the id of the user's attempt in progress at
	// a.ModuleID if there is one; otherwise it reads their History there,
	// and if allow accepts it, stores a as a new attempt and returns its id.
	// Reading and writing are one transaction.
	BeginAttempt(ctx context.Context, a Attempt, allow func(History) error) (int64, error)
	// Attempt returns the attempt with the given id.
	Attempt(ctx context.Context, id int64) (Attempt, error)
	// SaveAnswer records an answer in the attempt in progress with the
	// given id, in one transaction: an attempt already submitted is
	// ErrSubmitted, an answer CheckAnswer refuses its *AnswerError (with the
	// attempt as read), and the last answer submits the attempt with the
	// result of score. It returns the attempt as saved.
	SaveAnswer(ctx context.Context, id int64, questionID, optionID string, score func(Attempt) (Result, error)) (Attempt, error)
}

// Service runs a person's own training: the code of conduct, the modules
// and their quizzes, and what still locks sharing. Each method is one use
// case; it is safe for concurrent use if its Repository is.
type Service struct {
	repo    Repository
	g       *Guidelines
	now     func() time.Time
	shuffle func([]Question) []Question
}

// NewService returns the Service over repo, with the content of g, at the
// time now tells (time.Now if nil). Each attempt gets its questions in an
// order of its own (Shuffle).
func NewService(repo Repository, g *Guidelines, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{repo: repo, g: g, now: now, shuffle: func(qs []Question) []Question {
		return Shuffle(qs, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	}}
}

// The Service's errors.
var (
	ErrNoAttempt = apperr.Sentinel(apperr.NotFound, "training: no such attempt", "There is no such quiz attempt.")
	// ErrConductChanged is the acknowledgement of a version that is no
	// longer the current one.
	ErrConductChanged = apperr.Sentinel(apperr.Conflict, "training: the code of conduct changed",
		"The code of conduct changed while you were reading it. Please read the current version and acknowledge that one.")
	// ErrSubmitted is an answer sent to an attempt already submitted.
	ErrSubmitted = apperr.Sentinel(apperr.Conflict, "attempt already submitted",
		"This attempt is already submitted. See its result, or start a new attempt from the module page.")
	// ErrModuleGone is a choice of a module the guidelines do not have.
	ErrModuleGone = apperr.Sentinel(apperr.Invalid, "training: no such module chosen",
		"One of the chosen modules does not exist any more. Reload the page and choose again.")
	// ErrAllAnswered is asking for the next question of an attempt in
	// progress whose every question is answered.
	ErrAllAnswered = apperr.Sentinel(apperr.Conflict, "training: every question answered", "Every question of this attempt is answered.")
)

// ConductStanding is where a person stands on the current code of conduct.
type ConductStanding struct {
	AcknowledgedAt    time.Time // when they acknowledged the current version; zero if they have not
	StillCounts       bool      // an earlier acknowledgement still counts (no material change since)
	MustReacknowledge bool      // they acknowledged before, but a material change needs a new one
}

// Conduct returns where the user stands on the current code of conduct.
func (s *Service) Conduct(ctx context.Context, userID int64) (ConductStanding, error) {
	var st ConductStanding
	ack, err := s.repo.Acknowledgement(ctx, userID, s.g.Conduct.Version)
	switch {
	case err == nil:
		st.AcknowledgedAt = ack.CreatedAt
		return st, nil
	case apperr.KindOf(err) != apperr.NotFound:
		return st, err
	}
	p, err := s.repo.Progress(ctx, userID)
	if err != nil {
		return st, err
	}
	versions, err := s.repo.ConductVersions(ctx)
	if err != nil {
		return st, err
	}
	st.StillCounts = AcknowledgementCurrent(versions, p.Acknowledged)
	st.MustReacknowledge = len(p.Acknowledged) > 0 && !st.StillCounts
	return st, nil
}

// AcknowledgeRequest is a person's acknowledgement of the code of conduct
// as they sent it.
type AcknowledgeRequest struct {
	UserID   int64
	Version  string // the version they read; it must be the current one
	Language string // the language they read it in
	ClientIP string
}

// Acknowledge records that r's person acknowledged the current code of
// conduct in the language they read it, with the hash of that text; a
// version that is not the current one is ErrConductChanged, and they must
// read it again.
func (s *Service) Acknowledge(ctx context.Context, r AcknowledgeRequest) error {
	conduct := s.g.Conduct
	if r.Version != conduct.Version {
		return ErrConductChanged
	}
	return s.repo.Acknowledge(ctx, Acknowledgement{UserID: r.UserID, Version: conduct.Version,
		ContentHash: conduct.In(r.Language).Hash, ClientIP: r.ClientIP})
}

// Missing returns what still locks sharing for the user (Guidelines.Missing
// over the programme admins chose, or the guidelines' own).
func (s *Service) Missing(ctx context.Context, userID int64) ([]Step, error) {
	p, err := s.repo.Progress(ctx, userID)
	if err != nil {
		return nil, err
	}
	versions, err := s.repo.ConductVersions(ctx)
	if err != nil {
		return nil, err
	}
	required, err := s.required(ctx)
	if err != nil {
		return nil, err
	}
	return s.g.Missing(p, versions, required), nil
}

func (s *Service) required(ctx context.Context) ([]string, error) {
	ids, chosen, err := s.repo.RequiredModules(ctx)
	if err != nil {
		return s.g.Required, err
	}
	return s.g.Programme(ids, chosen), nil
}

// Programme returns the ids of the modules that unlock sharing: the
// admins' choice, or the guidelines' programme if they made none.
func (s *Service) Programme(ctx context.Context) ([]string, error) { return s.required(ctx) }

// ChooseProgramme stores the admins' choice of the modules that unlock
// sharing, each once, in the order given; none is a choice too. A module
// the guidelines do not have is ErrModuleGone, and nothing is stored. The
// change is audit-logged.
func (s *Service) ChooseProgramme(ctx context.Context, ids []string, actorID int64) error {
	chosen := []string{}
	for _, id := range ids {
		if _, ok := s.g.Module(id); !ok {
			return fmt.Errorf("training: module %q: %w", id, ErrModuleGone)
		}
		if !slices.Contains(chosen, id) {
			chosen = append(chosen, id)
		}
	}
	return s.repo.SetRequiredModules(ctx, chosen, actorID)
}

// ModuleStanding is a module as a person's training overview lists it.
type ModuleStanding struct {
	Module   Module
	Required bool      // it unlocks sharing
	Passed   bool      // they passed its quiz
	Due      time.Time // HR assigned it, due then; zero if not assigned
	Overdue  bool      // assigned, due before now, not passed (IsOverdue)
}

// IsOverdue reports whether training due at due (zero: not assigned) and
// not passed is overdue at now.
func IsOverdue(passed bool, due, now time.Time) bool {
	return !passed && !due.IsZero() && now.After(due)
}

// Modules returns every module, in the guidelines' order, with where the
// user stands on it.
func (s *Service) Modules(ctx context.Context, userID int64) ([]ModuleStanding, error) {
	p, err := s.repo.Progress(ctx, userID)
	if err != nil {
		return nil, err
	}
	required, err := s.required(ctx)
	if err != nil {
		return nil, err
	}
	due, err := s.repo.DueDates(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []ModuleStanding
	for _, m := range s.g.Modules {
		out = append(out, ModuleStanding{Module: m, Required: slices.Contains(required, m.ID), Passed: p.Passed[m.ID],
			Due: due[m.ID], Overdue: IsOverdue(p.Passed[m.ID], due[m.ID], now)})
	}
	return out, nil
}

// QuizStanding is where a person stands at one module's quiz: whether
// they may start an attempt, continue one, wait, or are out of attempts.
type QuizStanding struct {
	Module       Module
	History      History
	AttemptsLeft int // -1: unlimited
	CanStart     bool
	NotBefore    time.Time // when a new attempt may start, if not now
	Blocked      string    // why one may not start now
	OpenAttempt  int64     // an attempt in progress, or 0; one in progress can always be continued
	Answered     int       // questions answered in it
}

// Quiz returns where the user stands at the module's quiz; an unknown
// module is ErrNoModule.
func (s *Service) Quiz(ctx context.Context, userID int64, moduleID string) (QuizStanding, error) {
	m, err := s.module(moduleID)
	if err != nil {
		return QuizStanding{}, err
	}
	h, err := s.repo.QuizHistory(ctx, userID, m.ID)
	if err != nil {
		return QuizStanding{}, err
	}
	st := QuizStanding{Module: m, History: h, AttemptsLeft: m.Quiz.AttemptsLeft(h)}
	st.CanStart, st.NotBefore, st.Blocked = m.Quiz.CanStart(h, s.now())
	if h.InProgress {
		open, err := s.repo.OpenAttempt(ctx, userID, m.ID)
		if err != nil {
			return st, err
		}
		st.OpenAttempt, st.Answered, st.CanStart = open.ID, len(open.Answers), true
	}
	return st, nil
}

// Start starts an attempt at the module's quiz with its questions in lang,
// shuffled once and then frozen in the attempt, and returns its id; an
// attempt already in progress is continued instead. An unknown module is
// ErrNoModule; a quiz the user may not start now (Quiz.CanStart) is a
// conflict that says why.
func (s *Service) Start(ctx context.Context, userID int64, moduleID, lang string) (int64, error) {
	m, err := s.module(moduleID)
	if err != nil {
		return 0, err
	}
	text := m.In(lang)
	a := Attempt{UserID: userID, ModuleID: m.ID, ModuleHash: m.Hash, Language: text.Language, Questions: s.shuffle(text.Questions)}
	return s.repo.BeginAttempt(ctx, a, func(h History) error {
		if ok, _, why := m.Quiz.CanStart(h, s.now()); !ok {
			return apperr.New(apperr.Conflict, why)
		}
		return nil
	})
}

// AttemptState is one of a person's attempts as its page shows it: the
// next question of one in progress, or the result of one submitted.
type AttemptState struct {
	Module  Module
	Attempt Attempt
	// Next is, for an attempt in progress, the index in Attempt.Questions
	// of the next question to answer: len(Attempt.Questions) if none is
	// left (ErrAllAnswered).
	Next int

	// Submitted attempts only.
	Result       Result // the verdict given at the time stands
	Reveal       bool   // the right answers may be shown (Quiz.RevealsAnswers)
	AttemptsLeft int    // -1: unlimited
	CanRetry     bool
	NotBefore    time.Time
	Blocked      string
	Unlocked     bool // nothing locks sharing any more
}

// Attempt returns the user's attempt with the given id at the module. An
// unknown module is ErrNoModule; an attempt that does not exist, or is
// another person's or at another module, is ErrNoAttempt.
func (s *Service) Attempt(ctx context.Context, userID int64, moduleID string, attemptID int64) (AttemptState, error) {
	st, err := s.attempt(ctx, userID, moduleID, attemptID)
	if err != nil {
		return st, err
	}
	a := st.Attempt
	if !a.Submitted() {
		st.Next = NextQuestion(a.Questions, a.Answers)
		return st, nil
	}
	if st.Result, err = Score(a.Questions, st.Module.Quiz.PassMark, a.Answers); err != nil {
		return st, err
	}
	st.Result.Passed = a.Passed // the verdict given at the time stands
	h, err := s.repo.QuizHistory(ctx, userID, st.Module.ID)
	if err != nil {
		return st, err
	}
	missing, err := s.Missing(ctx, userID)
	if err != nil {
		return st, err
	}
	q := st.Module.Quiz
	st.Reveal, st.AttemptsLeft, st.Unlocked = q.RevealsAnswers(h), q.AttemptsLeft(h), len(missing) == 0
	st.CanRetry, st.NotBefore, st.Blocked = q.CanStart(h, s.now())
	return st, nil
}

// Answer is an answer to one question of an attempt, as the person sent it.
type Answer struct {
	UserID     int64
	ModuleID   string
	AttemptID  int64
	QuestionID string
	OptionID   string
}

// Answer records the answer; the last answer scores and submits the
// attempt. It returns the attempt's state: after a submitting answer,
// Attempt.Submitted is true. Errors are Attempt's for the module and the
// attempt, ErrSubmitted for an attempt already submitted, and an
// *AnswerError, with the state as it was, for an answer to a question or
// option that is not in the attempt, which changes nothing.
func (s *Service) Answer(ctx context.Context, r Answer) (AttemptState, error) {
	st, err := s.attempt(ctx, r.UserID, r.ModuleID, r.AttemptID)
	if err != nil {
		return st, err
	}
	passMark := st.Module.Quiz.PassMark
	st.Attempt, err = s.repo.SaveAnswer(ctx, st.Attempt.ID, r.QuestionID, r.OptionID, func(a Attempt) (Result, error) {
		return Score(a.Questions, passMark, a.Answers)
	})
	st.Next = NextQuestion(st.Attempt.Questions, st.Attempt.Answers)
	return st, err
}

func (s *Service) module(id string) (Module, error) { return s.g.lookup(id) }

func (s *Service) attempt(ctx context.Context, userID int64, moduleID string, attemptID int64) (AttemptState, error) {
	m, err := s.module(moduleID)
	if err != nil {
		return AttemptState{}, err
	}
	st := AttemptState{Module: m}
	if attemptID <= 0 {
		return st, ErrNoAttempt
	}
	a, err := s.repo.Attempt(ctx, attemptID)
	switch {
	case apperr.KindOf(err) == apperr.NotFound || (err == nil && (a.UserID != userID || a.ModuleID != m.ID)):
		return st, fmt.Errorf("training: attempt %d: %w", attemptID, ErrNoAttempt)
	case err != nil:
		return st, err
	}
	st.Attempt = a
	return st, nil
}
