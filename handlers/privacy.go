package handlers

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/privacy"
	"github.com/advocacy-portal/portal/internal/retention"
	"github.com/advocacy-portal/portal/views"
)

// privacyRoutes registers the privacy page (anyone, signed in or not), the
// download of one's own data (anyone signed in) and the erasure of a
// departed person's personal data (admins).
func (s *server) privacyRoutes(r router) {
	r.public(httpGet, "/privacy", s.showPrivacy)
	r.allow(httpGet, "/my/data", s.downloadMyData)
	r.allow(httpPost, "/admin/users/:id/erase", s.eraseUser, admin...)
}

// clickRetention is how long raw clicks are kept, as the privacy page
// states it: the retention job's default.
func (s *server) clickRetention() time.Duration {
	return retention.DefaultClickRetention
}

// showPrivacy shows what the portal keeps about employees and for how long.
func (s *server) showPrivacy(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, views.PrivacyView(s.chrome(c, "Privacy", "privacy"), views.PrivacyPage{
		ClickRetentionDays: int(s.clickRetention() / retention.Day), SessionHours: int(sessionTTL / time.Hour)}))
}

// downloadMyData sends the signed-in person everything the portal keeps
// about them: JSON by default (?format=json), or CSV (?format=csv) as a zip
// of every section, or one section's file with ?section=. Every download
// is audit-logged.
func (s *server) downloadMyData(c *fiber.Ctx) error {
	d, err := s.Privacy.Download(ctx(c), userOf(c).ID, c.Query("format", "json"), c.Query("section"))
	if err != nil {
		return err // privacy.ErrUnknownSection is invalid and says which sections there are
	}
	c.Set(fiber.HeaderContentType, d.ContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+d.Filename+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(d.Body)
}

// eraseUser erases a departed person's personal data once the admin has
// typed their email address to confirm; see privacy.Repository.EraseUser
// for what goes and what stays. A wrong confirmation changes nothing (422).
func (s *server) eraseUser(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil {
		return privacy.ErrNoPerson
	}
	if err := s.Privacy.Erase(ctx(c), int64(id), c.FormValue("confirm_email"), userOf(c).ID); err != nil {
		return err // privacy.ErrNotConfirmed is invalid and says what to type
	}
	return c.Redirect(fmt.Sprintf("/admin/users/%d?erased=1", id), fiber.StatusSeeOther)
}
