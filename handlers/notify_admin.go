package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/notify"
	"github.com/advocacy-portal/portal/internal/webhook"
	"github.com/advocacy-portal/portal/views"
)

// maxDeliveriesShown is how many webhook deliveries the settings page lists.
const maxDeliveriesShown = 100

// showNotificationSettings shows the Slack and Teams webhooks (redacted)
// and the latest deliveries to them.
func (s *server) showNotificationSettings(c *fiber.Ctx) error {
	forms, err := s.webhookForms(c)
	if err != nil {
		return err
	}
	return s.renderNotificationSettings(c, fiber.StatusOK, forms, nil, c.Query("saved") == "1")
}

// webhookForms describes what is configured for each target.
func (s *server) webhookForms(c *fiber.Ctx) ([]views.WebhookForm, error) {
	var forms []views.WebhookForm
	for _, t := range webhook.Targets {
		u, err := s.Store.WebhookURL(ctx(c), t)
		if err != nil {
			return nil, err
		}
		forms = append(forms, views.WebhookForm{Target: t, Configured: webhook.RedactURL(u)})
	}
	return forms, nil
}

func (s *server) renderNotificationSettings(c *fiber.Ctx, status int, forms []views.WebhookForm, errs views.FieldErrors, saved bool) error {
	deliveries, err := s.Store.WebhookDeliveries(ctx(c), maxDeliveriesShown)
	if err != nil {
		return err
	}
	pending, sent, failing, err := s.Store.WebhookDeliveryCounts(ctx(c))
	if err != nil {
		return err
	}
	return s.render(c, status, views.NotificationSettingsView(s.chrome(c, "Notifications", "admin"), views.NotificationSettingsPage{
		Webhooks: forms, Errors: errs, Saved: saved, Deliveries: deliveries, Pending: pending, Sent: sent, Failing: failing}))
}

// saveNotificationSettings sets or removes webhook URLs. A URL typed for a
// target replaces its current one; an empty field keeps it; the remove box
// clears it. Every URL must be https; if any field is wrong nothing is
// saved. Each change is audit-logged (redacted) by the store.
func (s *server) saveNotificationSettings(c *fiber.Ctx) error {
	forms, err := s.webhookForms(c)
	if err != nil {
		return err
	}
	errs := views.FieldErrors{}
	clean := map[webhook.Target]string{}
	for i := range forms {
		f := &forms[i]
		key := string(f.Target)
		f.URL = strings.TrimSpace(c.FormValue(key))
		f.Remove = f.Configured != "" && c.FormValue(key+"-remove") != ""
		switch {
		case f.URL != "" && f.Remove:
			errs[key] = "Either paste a new URL or remove the webhook, not both."
		case f.URL != "":
			u, problem := notify.CheckWebhookURL(f.URL)
			if problem != "" {
				errs[key] = problem
			}
			clean[f.Target] = u
		case f.Remove:
			clean[f.Target] = ""
		}
	}
	if len(errs) > 0 {
		return s.renderNotificationSettings(c, fiber.StatusUnprocessableEntity, forms, errs, false)
	}
	for _, t := range webhook.Targets {
		if u, change := clean[t]; change {
			if err := s.Store.SetWebhookURL(ctx(c), t, u, userOf(c).ID); err != nil {
				return err
			}
		}
	}
	return c.Redirect("/admin/notifications?saved=1", fiber.StatusSeeOther)
}
