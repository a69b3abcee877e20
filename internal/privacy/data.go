package privacy

import (
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/training"
)

// PersonalData is what the portal keeps about one person that they may
// ask a copy of: their account and profile, their training evidence, their
// shares and the reach of their tracked links. New turns it into the
// download; the store collects it.
type PersonalData struct {
	User             account.User // with every role, whatever its source
	Issuer           string       // the identity provider that vouches for them; "" if they never signed in
	Subject          string       // the identity provider's id for them; "" if they never signed in
	ExternalID       string       // the directory's id for them, from SCIM provisioning
	GivenName        string       // from SCIM provisioning
	FamilyName       string       // from SCIM provisioning
	Profile          account.Profile
	Roles            []PersonalRole
	Groups           []PersonalGroup
	Acknowledgements []training.Acknowledgement
	Attempts         []PersonalAttempt
	Shares           []share.HistoryItem // newest first
	Links            []reach.LinkTotals  // one per tracked link, oldest first
}

// PersonalRole is one role a person holds and where it comes from.
type PersonalRole struct {
	Role   account.Role
	Source string // "idp" (mapped from the identity provider) or "manual"
}

// PersonalGroup is one group a person is in.
type PersonalGroup struct {
	Name     string
	Kind     account.GroupKind
	Source   string // account.SourceManual, SourceCSV, SourceIdP or SourceSCIM
	JoinedAt time.Time
}

// PersonalAttempt is a quiz attempt as the person's training record shows
// it: the score, not the questions.
type PersonalAttempt struct {
	ModuleID    string
	ModuleHash  string
	Language    string
	Correct     int
	Total       int
	Passed      bool
	StartedAt   time.Time
	SubmittedAt time.Time // zero while in progress
}
