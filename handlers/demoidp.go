package handlers

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/demoidp"
	"github.com/advocacy-portal/portal/views"
)

const demoCSRFCookie = "demoidp_csrf"

// NewDemoIdP builds the HTTP side of the demo OpenID provider: discovery,
// JWKS, the sign-in page that lists the demo people, token and userinfo.
// It runs as its own app on its own (loopback) listener.
func NewDemoIdP(p *demoidp.Provider, logger *slog.Logger) *fiber.App {
	h := &demoIdP{p: p, logger: logger}
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: h.handleError})
	app.Use(recover.New(), demoIdPSecurityHeaders)
	app.Use("/assets", staticFiles())
	app.Get("/.well-known/openid-configuration", h.discovery)
	app.Get("/jwks", h.jwks)
	app.Get("/authorize", h.showSignIn)
	app.Post("/authorize", h.approve)
	app.Post("/token", h.token)
	app.Get("/userinfo", h.userinfo)
	return app
}

type demoIdP struct {
	p      *demoidp.Provider
	logger *slog.Logger
}

func (h *demoIdP) discovery(c *fiber.Ctx) error { return c.JSON(h.p.Discovery()) }
func (h *demoIdP) jwks(c *fiber.Ctx) error      { return c.JSON(h.p.JWKS()) }

// authRequest reads an authorization request with query (c.Query or
// c.FormValue). The values are copies: the provider keeps the redirect
// URI and nonce until the code is exchanged, and Fiber's strings point
// into buffers fasthttp reuses for the connection's next request.
func authRequest(query func(string, ...string) string) demoidp.AuthRequest {
	get := func(key string) string { return strings.Clone(query(key)) }
	return demoidp.AuthRequest{ClientID: get("client_id"), RedirectURI: get("redirect_uri"),
		ResponseType: get("response_type"), Scope: get("scope"), State: get("state"), Nonce: get("nonce"),
		CodeChallenge: get("code_challenge"), CodeChallengeMethod: get("code_challenge_method")}
}

func (h *demoIdP) showSignIn(c *fiber.Ctx) error {
	r := authRequest(c.Query)
	if err := h.p.CheckAuthRequest(r); err != nil {
		return err
	}
	token := c.Cookies(demoCSRFCookie)
	if token == "" {
		token = auth.NewToken()
		c.Cookie(&fiber.Cookie{Name: demoCSRFCookie, Value: token, Path: "/", HTTPOnly: true,
			SameSite: fiber.CookieSameSiteStrictMode, Expires: time.Now().Add(time.Hour)})
	}
	c.Type("html", "utf-8")
	return views.DemoSignInView(views.DemoSignInPage{Request: r, People: h.p.People(), CSRF: token}).
		Render(c.UserContext(), c.Response().BodyWriter())
}

func (h *demoIdP) approve(c *fiber.Ctx) error {
	sent, want := c.FormValue("_csrf"), c.Cookies(demoCSRFCookie)
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		return &demoidp.Error{Status: 403, Code: "access_denied", Description: "the sign-in form expired; go back to the portal and sign in again"}
	}
	to, err := h.p.Approve(authRequest(c.FormValue), c.FormValue("subject"))
	if err != nil {
		return err
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

func (h *demoIdP) token(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	r := demoidp.TokenRequest{GrantType: c.FormValue("grant_type"), Code: c.FormValue("code"),
		RedirectURI: c.FormValue("redirect_uri"), ClientID: c.FormValue("client_id"), ClientSecret: c.FormValue("client_secret"),
		CodeVerifier: c.FormValue("code_verifier")}
	if id, secret, ok := basicAuth(c.Get(fiber.HeaderAuthorization)); ok {
		r.ClientID, r.ClientSecret = id, secret
	}
	resp, err := h.p.Exchange(r)
	if err != nil {
		return err
	}
	return c.JSON(resp)
}

func (h *demoIdP) userinfo(c *fiber.Ctx) error {
	token, _ := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	claims, err := h.p.UserInfo(token)
	if err != nil {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer error="invalid_token"`)
		return err
	}
	return c.JSON(claims)
}

// basicAuth decodes client credentials sent as HTTP basic authentication,
// which OAuth 2.0 form-encodes before base64 (RFC 6749 section 2.3.1).
func basicAuth(header string) (id, secret string, ok bool) {
	enc, found := strings.CutPrefix(header, "Basic ")
	if !found {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", "", false
	}
	id, secret, ok = strings.Cut(string(raw), ":")
	if !ok {
		return "", "", false
	}
	id, err1 := url.QueryUnescape(id)
	secret, err2 := url.QueryUnescape(secret)
	return id, secret, err1 == nil && err2 == nil
}

func (h *demoIdP) handleError(c *fiber.Ctx, err error) error {
	var oe *demoidp.Error
	if errors.As(err, &oe) {
		return c.Status(oe.Status).JSON(oe)
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return c.Status(fe.Code).JSON(demoidp.Error{Code: "invalid_request", Description: fe.Message})
	}
	h.logger.Error("demo identity provider failed", "path", c.Path(), "err", err)
	return c.Status(fiber.StatusInternalServerError).JSON(demoidp.Error{Code: "server_error", Description: "internal error"})
}
