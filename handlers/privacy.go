package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/privacy"
	"github.com/advocacy-portal/portal/internal/retention"
	"github.com/advocacy-portal/portal/internal/store"
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

// Problems with a download or an erasure, in English; the views translate
// the employees' ones.
const (
	problemExportFormat = "Choose the format json or csv."
	problemEraseSelf    = "You cannot erase your own account. Ask another administrator."
	problemNoPerson     = "There is no such person."
)

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
	u := userOf(c)
	format, section := c.Query("format", "json"), c.Query("section")
	if format != "json" && format != "csv" {
		return apperr.New(apperr.Invalid, problemExportFormat)
	}
	d, err := s.Store.PersonalData(ctx(c), u.ID)
	if err != nil {
		return err
	}
	now := s.Now()
	export := privacy.New(d, now)
	day := now.UTC().Format(time.DateOnly)
	var buf bytes.Buffer
	var contentType, filename string
	switch {
	case format == "json":
		contentType, filename = "application/json; charset=utf-8", "my-data-"+day+".json"
		err = export.WriteJSON(&buf)
	case section != "":
		contentType, filename = "text/csv; charset=utf-8", "my-data-"+section+"-"+day+".csv"
		err = export.WriteCSV(&buf, section)
	default:
		contentType, filename = "application/zip", "my-data-"+day+".zip"
		err = export.WriteZip(&buf, now)
	}
	if err != nil {
		return err // privacy.ErrUnknownSection is invalid and says which sections there are
	}
	if err := s.Store.LogAudit(ctx(c), u.ID, "privacy.export", fmt.Sprintf("user:%d", u.ID),
		map[string]string{"format": format, "section": section}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// eraseUser erases a departed person's personal data once the admin has
// typed their email address to confirm; see store.EraseUser for what goes
// and what stays. A wrong confirmation changes nothing (422).
func (s *server) eraseUser(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return apperr.New(apperr.NotFound, problemNoPerson)
	}
	actor := userOf(c)
	if int64(id) == actor.ID {
		return apperr.New(apperr.Conflict, problemEraseSelf)
	}
	_, err = s.Store.EraseUser(ctx(c), int64(id), c.FormValue("confirm_email"), actor.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apperr.Wrap(apperr.NotFound, problemNoPerson, err)
	case err != nil:
		return err // store.ErrNotConfirmed is invalid and says what to type
	}
	return c.Redirect(fmt.Sprintf("/admin/users/%d?erased=1", id), fiber.StatusSeeOther)
}
