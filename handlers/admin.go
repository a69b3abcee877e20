package handlers

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/check"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/views"
)

// showTrainingSettings lets admins choose the modules that unlock sharing.
func (s *server) showTrainingSettings(c *fiber.Ctx) error {
	required, err := s.Training.Programme(ctx(c))
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
	if err := s.Training.ChooseProgramme(ctx(c), postValues(c, "required"), userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/admin/training?saved=1", fiber.StatusSeeOther)
}

// showOutbox lists the mail the portal sent or is about to send, so admins
// can read it when no SMTP server is configured (demo mode) and see failures.
func (s *server) showOutbox(c *fiber.Ctx) error {
	o, err := s.Outbox.Latest(ctx(c))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.OutboxView(s.chrome(c, "Outbox", "admin"), views.OutboxPage{
		Mails: o.Mails, Pending: o.Pending, Sent: o.Sent, Failing: o.Failing, SMTP: s.MailConfigured}))
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
	cs := post.ContentSettings{FourEyes: c.FormValue("four_eyes") == "1", Checks: rules}
	maps.Copy(errs, cs.Problems())
	// The networks fieldset sends a marker, so a form without it (an older
	// page or a script) leaves the offered networks as they are.
	var enabled []share.Network
	if c.FormValue("networks_shown") == "1" {
		var problem string
		if enabled, problem = share.ChooseNetworks(postValues(c, "networks")); problem != "" {
			errs["networks"] = problem
		}
		cs.Networks = make([]string, len(enabled))
		for i, n := range enabled {
			cs.Networks[i] = string(n)
		}
	} else {
		var err error
		if enabled, err = s.enabledNetworks(c); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderContentSettings(c, cs, enabled, errs)
	}
	err := s.Posts.SaveSettings(ctx(c), cs, userOf(c).ID)
	if problems, ok := errors.AsType[post.SettingsErrors](err); ok {
		return s.renderContentSettings(c, cs, enabled, views.FieldErrors(problems))
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/content?saved=1", fiber.StatusSeeOther)
}

// renderContentSettings shows the content settings form as sent, with
// what is wrong with it.
func (s *server) renderContentSettings(c *fiber.Ctx, cs post.ContentSettings, enabled []share.Network, errs views.FieldErrors) error {
	return s.render(c, fiber.StatusUnprocessableEntity, views.ContentSettingsView(s.chrome(c, "Content settings", "admin"),
		views.ContentSettingsPage{FourEyes: cs.FourEyes, Rules: cs.Checks, Networks: networkChoices(enabled), Errors: errs}))
}

// postValues are the values of a form field sent more than once (check
// boxes), in the order sent.
func postValues(c *fiber.Ctx, field string) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(field) {
		out = append(out, string(v))
	}
	return out
}
