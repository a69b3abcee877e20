package handlers

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/notify"
	"github.com/advocacy-portal/portal/internal/webhook"
	"github.com/advocacy-portal/portal/views"
)

// showNotificationSettings shows the Slack and Teams webhooks (redacted)
// and the latest deliveries to them.
func (s *server) showNotificationSettings(c *fiber.Ctx) error {
	p, err := s.WebhookSettings.Page(ctx(c))
	if err != nil {
		return err
	}
	return s.renderNotificationSettings(c, fiber.StatusOK, p, nil, c.Query("saved") == "1")
}

func (s *server) renderNotificationSettings(c *fiber.Ctx, status int, p notify.WebhookPage, errs views.FieldErrors, saved bool) error {
	m := views.NotificationSettingsPage{Errors: errs, Saved: saved, Deliveries: p.Deliveries, Pending: p.Pending, Sent: p.Sent, Failing: p.Failing}
	for _, w := range p.Webhooks {
		m.Webhooks = append(m.Webhooks, views.WebhookForm{Target: w.Target, Configured: w.Configured, URL: w.URL, Remove: w.Remove})
	}
	return s.render(c, status, views.NotificationSettingsView(s.chrome(c, "Notifications", "admin"), m))
}

// saveNotificationSettings sets or removes webhook URLs. A URL typed for a
// target replaces its current one; an empty field keeps it; the remove box
// clears it. Every URL must be https; if any field is wrong nothing is
// saved. Each change is audit-logged (redacted) by the store.
func (s *server) saveNotificationSettings(c *fiber.Ctx) error {
	typed := map[webhook.Target]notify.WebhookChange{}
	for _, t := range webhook.Targets {
		key := string(t)
		typed[t] = notify.WebhookChange{URL: strings.TrimSpace(c.FormValue(key)), Remove: c.FormValue(key+"-remove") != ""}
	}
	p, err := s.WebhookSettings.Save(ctx(c), typed, userOf(c).ID)
	if problems, ok := errors.AsType[notify.WebhookErrors](err); ok {
		errs := views.FieldErrors{}
		for t, message := range problems {
			errs[string(t)] = message
		}
		return s.renderNotificationSettings(c, statusOf(err), p, errs, false)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/notifications?saved=1", fiber.StatusSeeOther)
}
