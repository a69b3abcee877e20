package training

import "time"

// Acknowledgement is the evidence that a user acknowledged one version of
// the code of conduct.
type Acknowledgement struct {
	UserID      int64
	Version     string
	ContentHash string // of the text they read, in the language they read it
	ClientIP    string
	CreatedAt   time.Time
}

// Attempt is a quiz attempt: started, answered one question at a time,
// then submitted and scored.
type Attempt struct {
	ID          int64
	UserID      int64
	ModuleID    string
	ModuleHash  string
	Language    string
	Questions   []Question        // as presented: shuffled, in the attempt's language
	Answers     map[string]string // question id to option id
	Correct     int
	Total       int
	Passed      bool
	CreatedAt   time.Time
	SubmittedAt time.Time // zero while in progress
}

// Submitted reports whether the attempt has been scored.
func (a Attempt) Submitted() bool { return !a.SubmittedAt.IsZero() }
