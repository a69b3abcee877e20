package handlers

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/views"
)

// showTrainingSettings lets admins choose the modules that unlock sharing.
func (s *server) showTrainingSettings(c *fiber.Ctx) error {
	required, err := s.requiredModules(c)
	if err != nil {
		return err
	}
	return s.renderTrainingSettings(c, fiber.StatusOK, required, c.Query("saved") == "1")
}

func (s *server) renderTrainingSettings(c *fiber.Ctx, status int, required []string, saved bool) error {
	lang := s.lang(c)
	m := views.TrainingSettingsPage{Saved: saved, Default: s.Guidelines.Required}
	for _, mod := range s.Guidelines.Modules {
		m.Modules = append(m.Modules, views.ModuleChoice{ID: mod.ID, Title: mod.In(lang).Title,
			Required: slices.Contains(required, mod.ID)})
	}
	return s.render(c, status, views.TrainingSettingsView(s.chrome(c, "Training settings", "admin"), m))
}

// saveTrainingSettings stores the admins' choice of required modules; the
// change is audit-logged by the store.
func (s *server) saveTrainingSettings(c *fiber.Ctx) error {
	var required []string
	for _, v := range c.Request().PostArgs().PeekMulti("required") {
		id := string(v)
		if _, ok := s.Guidelines.Module(id); !ok {
			return apperr.New(apperr.Invalid, "One of the chosen modules does not exist any more. Reload the page and choose again.")
		}
		if !slices.Contains(required, id) {
			required = append(required, id)
		}
	}
	if required == nil {
		required = []string{}
	}
	if err := s.Store.SetSetting(ctx(c), store.SettingRequiredModules, required, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/admin/training?saved=1", fiber.StatusSeeOther)
}

// showOutbox lists the mail the portal sent or is about to send, so admins
// can read it when no SMTP server is configured (demo mode) and see failures.
func (s *server) showOutbox(c *fiber.Ctx) error {
	mails, err := s.Store.Outbox(ctx(c), 200)
	if err != nil {
		return err
	}
	pending, sent, failing, err := s.Store.OutboxCounts(ctx(c))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.OutboxView(s.chrome(c, "Outbox", "admin"), views.OutboxPage{
		Mails: mails, Pending: pending, Sent: sent, Failing: failing, SMTP: s.MailConfigured}))
}
