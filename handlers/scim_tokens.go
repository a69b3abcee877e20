package handlers

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/input"
	"github.com/advocacy-portal/portal/views"
)

// scimTokenPrefix starts every SCIM token, so that secret scanners and
// people recognise one in a paste or a log.
const scimTokenPrefix = "portal_scim_"

// showSCIMTokens lists the SCIM bearer tokens, in use and revoked.
func (s *server) showSCIMTokens(c *fiber.Ctx) error {
	return s.renderSCIMTokens(c, fiber.StatusOK, views.SCIMPage{Revoked: c.Query("revoked") == "1"})
}

func (s *server) renderSCIMTokens(c *fiber.Ctx, status int, m views.SCIMPage) error {
	tokens, err := s.Store.SCIMTokens(ctx(c))
	if err != nil {
		return err
	}
	m.Tokens, m.Endpoint = tokens, s.scimBase()
	return s.render(c, status, views.SCIMView(s.chrome(c, "SCIM provisioning", "admin"), m))
}

// createSCIMToken makes a random token, stores only its SHA-256 and shows
// it on this response only (not cached). The audit log records its name.
func (s *server) createSCIMToken(c *fiber.Ctx) error {
	name := strings.TrimSpace(c.FormValue("name"))
	if err := input.Check(name, input.Line); err != nil {
		return s.renderSCIMTokens(c, fiber.StatusUnprocessableEntity, views.SCIMPage{Name: name,
			Errors: views.FieldErrors{"name": "The name " + err.Error() + "."}})
	}
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return s.renderSCIMTokens(c, fiber.StatusUnprocessableEntity, views.SCIMPage{Name: name,
			Errors: views.FieldErrors{"name": "Give the token a name of up to 100 characters, saying where it is used."}})
	}
	token := scimTokenPrefix + auth.NewToken()
	if _, err := s.Store.CreateSCIMToken(ctx(c), name, auth.HashToken(token), userOf(c).ID); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.renderSCIMTokens(c, fiber.StatusOK, views.SCIMPage{NewToken: token, NewTokenName: name})
}

// revokeSCIMToken revokes a token at once; the audit log records it.
func (s *server) revokeSCIMToken(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "There is no such token.")
	}
	if err := s.Store.RevokeSCIMToken(ctx(c), id, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/admin/scim?revoked=1", fiber.StatusSeeOther)
}
