package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/privacy"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/roster"
	"github.com/advocacy-portal/portal/internal/scim"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/internal/training"
)

// errorCase is an error a handler returns as it got it from the domain or
// the store, and how the portal must answer it.
type errorCase struct {
	name        string
	err         error
	wantStatus  int
	wantMessage string // on the error page; "" for the generic one of a 500
}

// untranslatedErrors are errors as handlers return them without
// translating them. Before domain errors carried a kind, every one of
// them but the app error, the missing row and the Fiber error was a 500:
// createPost, for one, returned the *post.TransitionError of a refused
// submission as it got it.
var untranslatedErrors = []errorCase{
	{"a refused transition, as createPost returns it", &post.TransitionError{Message: "Only a draft can be sent for review."},
		http.StatusConflict, "Only a draft can be sent for review."},
	{"a name in use", fmt.Errorf("store: create group %q: %w", "Sales", store.ErrExists),
		http.StatusConflict, "Something with this name already exists, so nothing was changed. Choose another name."},
	{"an attempt already submitted", training.ErrSubmitted,
		http.StatusConflict, "This attempt is already submitted. See its result, or start a new attempt from the module page."},
	{"a source item already handled", fmt.Errorf("store: source item 3: %w", store.ErrItemHandled),
		http.StatusConflict, "This item was already made into a draft or dismissed."},
	{"an admin locking themselves out", fmt.Errorf("account: deactivate user 1: %w", account.ErrSelfLockout),
		http.StatusConflict, "You cannot take away your own admin role or deactivate your own account, so nothing was changed. Another admin can do it."},
	{"a change to the state it is in", fmt.Errorf("account: set user 2 active=true: %w", account.ErrUnchanged),
		http.StatusConflict, "This is already so; nothing was changed."},
	{"a wrong erasure confirmation", fmt.Errorf("store: erase user 2: %w", privacy.ErrNotConfirmed),
		http.StatusUnprocessableEntity, "The email address you typed is not this person's, so nothing was erased. Type their email address exactly to confirm."},
	{"an unknown member", scim.ErrUnknownMember, http.StatusUnprocessableEntity, "A member is not a person of the portal."},
	{"an answer not in the quiz", &training.AnswerError{QuestionID: "q1", Message: "Choose an answer."},
		http.StatusUnprocessableEntity, "Choose an answer."},
	{"an unverified email address", account.ErrEmailUnverified, http.StatusForbidden,
		"Your identity provider has not confirmed your email address, so the portal cannot open an account for you with it. Ask your IT team to verify the address, then sign in again."},
	{"an address bound to another identity", &account.TakenError{UserID: 7}, http.StatusForbidden,
		"Your email address already belongs to a portal account that signs in with a different identity, so we did not sign you in: an account is never handed to another identity. If this is your account, ask the portal's administrators."},
	{"a period that ends before it starts", reach.ErrEndsBefore, http.StatusUnprocessableEntity, "The period ends before it starts: swap the dates."},
	{"an amount that is not money", reach.ErrNotMoney, http.StatusUnprocessableEntity, "Enter an amount such as 0.85, or leave it empty."},
	{"an unknown export section", fmt.Errorf("privacy: %w %q", privacy.ErrUnknownSection, "x"), http.StatusUnprocessableEntity,
		"There is no such section. Choose profile, acknowledgements, attempts, shares or reach."},
	{"an unreadable roster", &roster.FileError{Reason: "The file is empty."}, http.StatusUnprocessableEntity, "The file is empty."},

	// These were answered right before, and still are.
	{"a missing row", fmt.Errorf("store: post 9: %w", store.ErrNotFound), http.StatusNotFound, "We could not find what you asked for."},
	{"an app error", apperr.New(apperr.Forbidden, "Not for you."), http.StatusForbidden, "Not for you."},
	{"an app error wrapping a domain error says its own words", apperr.Wrap(apperr.NotFound, "There is no such person.", privacy.ErrNotConfirmed),
		http.StatusNotFound, "There is no such person."},
	{"a Fiber error", fiber.ErrMethodNotAllowed, http.StatusMethodNotAllowed, "This address does not accept that kind of request."},
	{"a failure of the portal's own", errors.New("disk full"), http.StatusInternalServerError, ""},
	{"a failure joined to a domain error is a failure", errors.Join(training.ErrSubmitted, errors.New("disk full")),
		http.StatusInternalServerError, ""},
	{"domain errors joined are the first one's", errors.Join(training.ErrSubmitted, store.ErrNotFound), http.StatusConflict,
		"This attempt is already submitted. See its result, or start a new attempt from the module page."},
}

// errorApp is a bare app behind the portal's error handler whose routes,
// on the HTML side and under the SCIM prefix, return err.
func errorApp(t *testing.T, env *testEnv, err error) *fiber.App {
	t.Helper()
	s := &server{Deps: Deps{Store: env.store, Guidelines: env.g, BaseURL: testBaseURL, Policy: post.DefaultPolicy,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.clock.Now}}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError})
	app.Get("/fail", func(*fiber.Ctx) error { return err })
	app.Get(scimPrefix+"/Users", func(*fiber.Ctx) error { return err })
	return app
}

// TestUntranslatedDomainErrors checks that an error a handler returns as it
// got it is answered by its kind, with its own message, and that the
// status the request log and /metrics record is the one answered.
func TestUntranslatedDomainErrors(t *testing.T) {
	env := newTestEnv(t)
	for _, tt := range untranslatedErrors {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := errorApp(t, env, tt.err).Test(httptest.NewRequest(http.MethodGet, "/fail", nil))
			if err != nil {
				t.Fatal(err)
			}
			wantStatus(t, resp, tt.wantStatus)
			if got := statusOf(tt.err); got != tt.wantStatus {
				t.Errorf("statusOf = %d, want the %d answered", got, tt.wantStatus)
			}
			doc := mustDoc(t, resp)
			page := doc.Find(`[data-testid="error-page"] h1`)
			if page.Length() != 1 {
				t.Fatalf("no error page")
			}
			want := tt.wantMessage
			if want == "" {
				want = serverErrorMessage
			}
			if got := page.Text(); got != want {
				t.Errorf("error page says %q, want %q", got, want)
			}
		})
	}
}

// TestUntranslatedDomainErrorsUnderSCIM checks that the SCIM error writer
// answers the same errors with the same statuses, as SCIM JSON, except an
// unknown member, which SCIM calls an invalid value (400).
func TestUntranslatedDomainErrorsUnderSCIM(t *testing.T) {
	env := newTestEnv(t)
	for _, tt := range untranslatedErrors {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := errorApp(t, env, tt.err).Test(httptest.NewRequest(http.MethodGet, scimPrefix+"/Users", nil))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.wantStatus
			if errors.Is(tt.err, scim.ErrUnknownMember) {
				want = http.StatusBadRequest
			}
			wantStatus(t, resp, want)
			if ct := resp.Header.Get(fiber.HeaderContentType); ct != scim.ContentType {
				t.Errorf("Content-Type %q, want %q", ct, scim.ContentType)
			}
			var got scim.Error
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if got.Status != fmt.Sprint(want) || got.Detail == "" {
				t.Errorf("SCIM error %+v, want status %d with a detail", got, want)
			}
			if want >= 500 && strings.Contains(got.Detail, "disk full") {
				t.Errorf("detail %q tells the client what failed inside", got.Detail)
			}
		})
	}
}

func TestStatusForKinds(t *testing.T) {
	tests := []struct {
		kind apperr.Kind
		want int
	}{
		{apperr.Invalid, http.StatusUnprocessableEntity},
		{apperr.NotFound, http.StatusNotFound},
		{apperr.Forbidden, http.StatusForbidden},
		{apperr.Conflict, http.StatusConflict},
		{apperr.Internal, http.StatusInternalServerError},
		{apperr.Kind(99), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			if got := statusFor(tt.kind); got != tt.want {
				t.Errorf("statusFor(%v) = %d, want %d", tt.kind, got, tt.want)
			}
			if tt.kind == apperr.Internal || tt.kind == apperr.Kind(99) {
				return
			}
			if status, message := problemOf(kindOnly{tt.kind}); status != tt.want || message == "" || message == serverErrorMessage {
				t.Errorf("problemOf(an error of kind %v without a message) = %d, %q; want %d and a message for the kind",
					tt.kind, status, message, tt.want)
			}
		})
	}
}

// kindOnly is a domain error with a kind and no message of its own.
type kindOnly struct{ kind apperr.Kind }

func (e kindOnly) Error() string     { return "kind only" }
func (e kindOnly) Kind() apperr.Kind { return e.kind }
