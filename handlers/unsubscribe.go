package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/views"
)

// showUnsubscribe answers the digest's unsubscribe link (GET
// /unsubscribe/:token) with a page and a button. It changes nothing: mail
// scanners and link previews open links before people do.
func (s *server) showUnsubscribe(c *fiber.Ctx) error {
	u, err := s.Unsubscribe.Who(ctx(c), c.Params("token"))
	if err != nil {
		return err
	}
	return s.renderUnsubscribe(c, u, views.UnsubscribePage{Token: c.Params("token"), Email: u.Email})
}

// unsubscribe turns the digest off for the person the link's token names
// (POST /unsubscribe/:token). It is the one-click unsubscribe of RFC 8058:
// mail clients post List-Unsubscribe=One-Click from their own servers,
// with no session and no CSRF token; the unguessable token is the proof.
// Posting twice is harmless. It answers 200, never a redirect.
func (s *server) unsubscribe(c *fiber.Ctx) error {
	u, err := s.Unsubscribe.Unsubscribe(ctx(c), c.Params("token"))
	if err != nil {
		return err
	}
	return s.renderUnsubscribe(c, u, views.UnsubscribePage{Email: u.Email, Done: true})
}

// renderUnsubscribe shows the page in the language u chose, if they chose
// one, and keeps it out of caches: its address is a key.
func (s *server) renderUnsubscribe(c *fiber.Ctx, u account.User, m views.UnsubscribePage) error {
	ch := s.chrome(c, "Email digest", "")
	if u.LanguageChosen {
		ch.Lang = s.Guidelines.Language(u.Language)
		ch.Dir = views.TextDirection(ch.Lang)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusOK, views.UnsubscribeView(ch, m))
}
