package handlers

import (
	"crypto/subtle"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/input"
	"github.com/advocacy-portal/portal/internal/store"
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
	state := auth.NewToken()
	authURL, saved, err := p.Flow.Begin(state)
	if err != nil {
		return err
	}
	if err := s.Store.SaveLoginState(ctx(c), store.LoginState{State: state, Provider: p.Slug,
		SessionData: saved, NextPath: localPath(c.Query("next"))}); err != nil {
		return err
	}
	c.Cookie(s.cookie(loginStateCookie, state, loginStateTTL))
	return c.Redirect(authURL, fiber.StatusFound)
}

// finishSignIn completes the sign-in: the state must be this browser's and
// unused, then the provider's flow exchanges the code and verifies who the
// person is, the store finds or creates their account by the rules of
// account.BindingFor, and a new session starts.
func (s *server) finishSignIn(c *fiber.Ctx) error {
	p, err := s.provider(c.Params("provider"))
	if err != nil {
		return err
	}
	c.Cookie(s.expiredCookie(loginStateCookie))
	state := c.Query("state")
	expired := "This sign-in took too long or was started in another browser. Please sign in again."
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(c.Cookies(loginStateCookie))) != 1 {
		return s.renderLogin(c, fiber.StatusBadRequest, expired)
	}
	ls, err := s.Store.TakeLoginState(ctx(c), state, loginStateTTL)
	if errors.Is(err, store.ErrNotFound) || (err == nil && ls.Provider != p.Slug) {
		return s.renderLogin(c, fiber.StatusBadRequest, expired)
	}
	if err != nil {
		return err
	}
	// Only now, with the state proven to be this browser's sign-in, is
	// what the provider says worth showing.
	if code := c.Query("error"); code != "" {
		s.Logger.Info("sign-in: the identity provider refused", "id", requestID(c), "provider", p.Slug, "error", code)
		return s.renderLogin(c, fiber.StatusUnauthorized, providerRefusal(code, c.Query("error_description")))
	}
	query, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return apperr.Wrap(apperr.Invalid, "The identity provider sent back a malformed answer.", err)
	}
	claims, err := p.Flow.Finish(ctx(c), ls.SessionData, query)
	if err != nil {
		s.Logger.Warn("sign-in: the identity provider's answer was refused", "id", requestID(c), "provider", p.Slug, "err", err)
		return s.renderLogin(c, fiber.StatusUnauthorized, "The identity provider did not confirm your sign-in. Please try again.")
	}
	id, err := s.RoleMap.Identity(p.Slug, claims)
	if err != nil {
		return s.renderLogin(c, fiber.StatusUnauthorized, "We cannot sign you in: "+err.Error()+".")
	}
	// The email-domain allow-list, checked before SignIn so that no account
	// is created or updated for someone outside it.
	if !allowedEmail(id.Email, s.AllowedDomains) {
		s.Logger.Info("sign-in: email domain not allowed", "id", requestID(c), "provider", p.Slug)
		return s.renderLogin(c, fiber.StatusForbidden, "Your account ("+id.Email+") is not allowed to use this portal: "+
			"it is open to work accounts of the organisation only. Sign in with your work account, or ask your IT team if you think this is a mistake.")
	}
	user, err := s.Store.SignIn(ctx(c), id)
	var taken *account.TakenError
	switch {
	case errors.Is(err, account.ErrEmailUnverified):
		s.Logger.Info("sign-in: email not verified", "id", requestID(c), "provider", p.Slug)
		return s.renderLogin(c, statusOf(err), "Your identity provider has not confirmed that "+id.Email+
			" is your address, so the portal cannot open an account for you with it. Ask your IT team to verify the address, then sign in again.")
	case errors.As(err, &taken):
		s.Logger.Warn("sign-in: email belongs to an account bound to another identity", "id", requestID(c),
			"provider", p.Slug, "user", taken.UserID)
		return s.renderLogin(c, statusOf(err), "The address "+id.Email+" already belongs to a portal account that signs in "+
			"with a different identity, so we did not sign you in: an account is never handed to another identity. "+
			"If this is your account, ask the portal's administrators; the attempt was recorded.")
	case err != nil:
		return err
	}
	if !user.Active {
		return apperr.New(apperr.Forbidden, "Your account in the portal is deactivated. Ask the portal's administrators if this is a mistake.")
	}
	// A new session id at every sign-in; any session this browser had ends.
	token, replace := auth.NewToken(), ""
	if old := c.Cookies(sessionCookie); old != "" {
		replace = auth.HashToken(old)
	}
	if err := s.Store.CreateSession(ctx(c), auth.HashToken(token), replace, user.ID, auth.NewToken(), s.Now().Add(sessionTTL)); err != nil {
		return err
	}
	c.Cookie(s.cookie(sessionCookie, token, sessionTTL))
	next := localPath(ls.NextPath)
	if next == "" || next == "/" {
		next = homeOf(user)
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// providerRefusal is the sign-in page's words for an OAuth error from the
// provider (RFC 6749 4.1.2.1): its description when it sent a usable one,
// and its error code. The page escapes both.
func providerRefusal(code, description string) string {
	const maxLen = 300
	usable := func(s string) bool { return s != "" && len(s) <= maxLen && input.Valid(s, input.Line) }
	msg := "The identity provider did not sign you in"
	if usable(description) {
		msg += ": " + description
	}
	if usable(code) {
		msg += " (" + code + ")"
	}
	return msg + ". Try again, or ask your IT team if it keeps happening."
}

// allowedEmail reports whether an address may sign in: its domain (after
// the last @) is one of domains, case ignored. No domains lets anyone in.
func allowedEmail(email string, domains []string) bool {
	if len(domains) == 0 {
		return true
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	domain := strings.TrimSuffix(email[at+1:], ".")
	return slices.ContainsFunc(domains, func(d string) bool {
		return d != "" && strings.EqualFold(strings.TrimSuffix(d, "."), domain)
	})
}

// signOut ends the session.
func (s *server) signOut(c *fiber.Ctx) error {
	if err := s.Store.DeleteSession(ctx(c), sessionOf(c).IDHash); err != nil {
		return err
	}
	c.Cookie(s.expiredCookie(sessionCookie))
	return c.Redirect("/", fiber.StatusSeeOther)
}

// healthz answers 200 once the database answers.
func (s *server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := s.Store.Ping(ctx(c)); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	}
	return c.SendString("ok")
}
