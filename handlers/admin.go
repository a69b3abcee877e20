package handlers

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/check"
	"github.com/advocacy-portal/portal/internal/share"
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

// showContentSettings lets admins set the four-eyes rule and the checks
// posts go through at submission.
func (s *server) showContentSettings(c *fiber.Ctx) error {
	set, err := s.Posts.Settings(ctx(c))
	if err != nil {
		return err
	}
	enabled, err := s.enabledNetworks(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.ContentSettingsView(s.chrome(c, "Content settings", "admin"),
		views.ContentSettingsPage{FourEyes: set.Policy.FourEyes, Rules: set.Checks, Networks: networkChoices(enabled), Saved: c.Query("saved") == "1"}))
}

// saveContentSettings stores the rules; both settings are audit-logged by
// the store with their old and new values.
func (s *server) saveContentSettings(c *fiber.Ctx) error {
	lines := func(field string) []string {
		var out []string
		for _, l := range strings.Split(c.FormValue(field), "\n") {
			if l = strings.TrimSpace(l); l != "" && !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
		return out
	}
	errs := views.FieldErrors{}
	severity := func(field string) check.Severity {
		switch sv := check.Severity(c.FormValue(field)); sv {
		case check.Block, check.Warn:
			return sv
		}
		errs[field] = "Choose block or warn."
		return check.Block
	}
	rules := check.Rules{
		BlockedTerms: lines("blocked_terms"), BlockedSeverity: severity("blocked_severity"),
		RequiredDisclosure: strings.TrimSpace(c.FormValue("disclosure")), DisclosureSeverity: severity("disclosure_severity"),
		WatchHashtags: lines("watch_hashtags"), WatchSeverity: severity("watch_severity"),
		LengthSeverity: severity("length_severity"),
	}
	if len(rules.BlockedTerms) > 500 || len(rules.WatchHashtags) > 500 {
		errs["blocked_terms"] = "Keep each list under 500 entries."
	}
	if len(rules.RequiredDisclosure) > 50 || strings.ContainsAny(rules.RequiredDisclosure, " \t") {
		errs["disclosure"] = "The disclosure is one word or hashtag, like #employee."
	}
	fourEyes := c.FormValue("four_eyes") == "1"
	// The networks fieldset sends a marker, so a form without it (an older
	// page or a script) leaves the offered networks as they are.
	networksShown := c.FormValue("networks_shown") == "1"
	var enabled []share.Network
	if networksShown {
		for _, v := range c.Request().PostArgs().PeekMulti("networks") {
			n, ok := share.Parse(string(v))
			if !ok {
				errs["networks"] = "One of the chosen networks does not exist. Reload the page and choose again."
				continue
			}
			if !slices.Contains(enabled, n) {
				enabled = append(enabled, n)
			}
		}
		if len(enabled) == 0 && errs["networks"] == "" {
			errs["networks"] = "Keep at least one network enabled, or people cannot share at all."
		}
	} else {
		var err error
		if enabled, err = s.enabledNetworks(c); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, views.ContentSettingsView(s.chrome(c, "Content settings", "admin"),
			views.ContentSettingsPage{FourEyes: fourEyes, Rules: rules, Networks: networkChoices(enabled), Errors: errs}))
	}
	actor := userOf(c).ID
	if err := s.Store.SetSetting(ctx(c), settingCheckRules, rules, actor); err != nil {
		return err
	}
	if err := s.Store.SetSetting(ctx(c), settingFourEyes, fourEyes, actor); err != nil {
		return err
	}
	if networksShown {
		ids := make([]string, 0, len(enabled))
		for _, n := range share.Networks { // stored in the feed's order
			if slices.Contains(enabled, n) {
				ids = append(ids, string(n))
			}
		}
		if err := s.Store.SetSetting(ctx(c), settingNetworksEnabled, ids, actor); err != nil {
			return err
		}
	}
	return c.Redirect("/admin/content?saved=1", fiber.StatusSeeOther)
}
