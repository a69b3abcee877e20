package handlers

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/scim"
	"github.com/advocacy-portal/portal/views"
)

// showSCIMTokens lists the SCIM bearer tokens, in use and revoked.
func (s *server) showSCIMTokens(c *fiber.Ctx) error {
	return s.renderSCIMTokens(c, fiber.StatusOK, views.SCIMPage{Revoked: c.Query("revoked") == "1"})
}

func (s *server) renderSCIMTokens(c *fiber.Ctx, status int, m views.SCIMPage) error {
	tokens, err := s.SCIM.Tokens(ctx(c))
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
	token, err := s.SCIM.CreateToken(ctx(c), name, userOf(c).ID)
	if refused, ok := errors.AsType[*scim.TokenNameError](err); ok {
		return s.renderSCIMTokens(c, statusOf(err), views.SCIMPage{Name: name, Errors: views.FieldErrors{"name": refused.Message}})
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.renderSCIMTokens(c, fiber.StatusOK, views.SCIMPage{NewToken: token, NewTokenName: name})
}

// revokeSCIMToken revokes a token at once; the audit log records it.
func (s *server) revokeSCIMToken(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return scim.ErrNoToken
	}
	if err := s.SCIM.RevokeToken(ctx(c), id, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/admin/scim?revoked=1", fiber.StatusSeeOther)
}
