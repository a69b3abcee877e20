package handlers

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/views"
)

// showHome sends signed-in people to their starting page and shows
// everyone else what the portal is.
func (s *server) showHome(c *fiber.Ctx) error {
	if sess := sessionOf(c); sess != nil {
		return c.Redirect(homeOf(sess.User), fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, views.HomePage(s.chrome(c, "Welcome", "")))
}

// homeOf is where a user lands after signing in.
func homeOf(u account.User) string {
	if u.Has(account.Employee) {
		return "/feed"
	}
	if u.HasAny(account.Comms, account.Admin) {
		return "/posts"
	}
	return "/conduct"
}

func (s *server) showLogin(c *fiber.Ctx) error {
	return s.renderLogin(c, fiber.StatusOK, "")
}

func (s *server) renderLogin(c *fiber.Ctx, status int, problem string) error {
	next := localPath(c.Query("next"))
	providers := make([]views.LoginProvider, len(s.Providers))
	for i, p := range s.Providers {
		href := "/auth/" + p.Slug
		if next != "" {
			href += "?next=" + url.QueryEscape(next)
		}
		providers[i] = views.LoginProvider{Label: p.Label, Href: href}
	}
	return s.render(c, status, views.LoginPage(s.chrome(c, "Sign in", ""), providers, problem))
}

func (s *server) provider(slug string) (auth.Provider, error) {
	for _, p := range s.Providers {
		if p.Slug == slug {
			return p, nil
		}
	}
	return auth.Provider{}, apperr.New(apperr.NotFound, "There is no such way to sign in here.")
}

// beginSignIn sends the browser to the identity provider, remembering the
// OAuth state both in the database and in a cookie bound to this browser,
// and what the provider's flow needs to finish (PKCE verifier, nonce) in
// the database only.
func (s *server) beginSignIn(c *fiber.Ctx) error {
	p, err := s.provider(c.Params("provider"))
	if err != nil {
		return err
	}
	// The state cookie must come back to the host of the callback URL.
	if base, err := url.Parse(s.BaseURL); err == nil && base.Host != "" && base.Host != string(c.Request().Host()) {
		return c.Redirect(s.BaseURL+string(c.Request().URI().RequestURI()), fiber.StatusSeeOther)
	}
	authURL, state, err := s.Sessions.Begin(ctx(c), p, localPath(c.Query("next")))
	if err != nil {
		return err
	}
	c.Cookie(s.cookie(loginStateCookie, state, loginStateTTL))
	return c.Redirect(authURL, fiber.StatusFound)
}

// finishSignIn completes the sign-in (auth.Sessions.Finish): the state
// must be this browser's and unused, then the provider's flow exchanges
// the code and verifies who the person is, the store finds or creates
// their account by the rules of account.BindingFor, and a new session
// starts. A refusal shows the sign-in page saying why.
func (s *server) finishSignIn(c *fiber.Ctx) error {
	p, err := s.provider(c.Params("provider"))
	if err != nil {
		return err
	}
	c.Cookie(s.expiredCookie(loginStateCookie))
	in, err := s.Sessions.Finish(ctx(c), auth.Callback{Provider: p, State: c.Query("state"), BoundState: c.Cookies(loginStateCookie),
		ErrorCode: c.Query("error"), ErrorText: c.Query("error_description"), RawQuery: string(c.Request().URI().QueryString()),
		OldSession: c.Cookies(sessionCookie)})
	if refused, ok := errors.AsType[*auth.Refusal](err); ok {
		return s.renderLogin(c, s.refusalStatus(c, p, refused), refused.Message)
	}
	if err != nil {
		return err
	}
	c.Cookie(s.cookie(sessionCookie, in.Token, sessionTTL))
	next := localPath(in.Next)
	if next == "" || next == "/" {
		next = homeOf(in.User)
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// refusalStatus is the status of the sign-in page for a refused sign-in,
// logging the refusals worth knowing about.
func (s *server) refusalStatus(c *fiber.Ctx, p auth.Provider, r *auth.Refusal) int {
	id := requestID(c)
	switch r.Reason {
	case auth.ProviderRefused:
		s.Logger.Info("sign-in: the identity provider refused", "id", id, "provider", p.Slug, "error", c.Query("error"))
		return fiber.StatusUnauthorized
	case auth.NotConfirmed:
		s.Logger.Warn("sign-in: the identity provider's answer was refused", "id", id, "provider", p.Slug, "err", r.Err)
		return fiber.StatusUnauthorized
	case auth.NoIdentity:
		return fiber.StatusUnauthorized
	case auth.DomainNotAllowed:
		s.Logger.Info("sign-in: email domain not allowed", "id", id, "provider", p.Slug)
		return fiber.StatusForbidden
	case auth.EmailUnverified:
		s.Logger.Info("sign-in: email not verified", "id", id, "provider", p.Slug)
		return statusOf(r.Err)
	case auth.EmailTaken:
		var userID int64
		if taken, ok := errors.AsType[*account.TakenError](r.Err); ok {
			userID = taken.UserID
		}
		s.Logger.Warn("sign-in: email belongs to an account bound to another identity", "id", id, "provider", p.Slug, "user", userID)
		return statusOf(r.Err)
	}
	return fiber.StatusBadRequest // auth.Expired
}

// signOut ends the session.
func (s *server) signOut(c *fiber.Ctx) error {
	if err := s.Sessions.SignOut(ctx(c), sessionOf(c).IDHash); err != nil {
		return err
	}
	c.Cookie(s.expiredCookie(sessionCookie))
	return c.Redirect("/", fiber.StatusSeeOther)
}

// healthz answers 200 once the database answers.
func (s *server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := s.Sessions.Ready(ctx(c)); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	}
	return c.SendString("ok")
}
