package handlers

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/views"
)

// pauseRoutes registers the crisis pause (comms) and the share cadence
// settings (admins).
func (s *server) pauseRoutes(r router) {
	r.allow(httpGet, "/pause", s.showPauses, comms...)
	r.allow(httpPost, "/pause", s.startPause, comms...)
	r.allow(httpPost, "/pause/:id/resume", s.resumePause, comms...)
	r.allow(httpGet, "/admin/cadence", s.showCadenceSettings, admin...)
	r.allow(httpPost, "/admin/cadence", s.saveCadenceSettings, admin...)
}

// showPauses lists the pauses in force and the history, with the form to pause.
func (s *server) showPauses(c *fiber.Ctx) error {
	return s.renderPauses(c, fiber.StatusOK, views.PauseForm{Scope: string(pause.Programme)})
}

func (s *server) renderPauses(c *fiber.Ctx, status int, form views.PauseForm) error {
	o, err := s.Pauses.Overview(ctx(c))
	if err != nil {
		return err
	}
	m := views.PausesPage{Active: o.Active, History: o.History, Campaigns: o.Campaigns, Categories: post.Categories,
		Form: form, Done: c.Query("done")}
	return s.render(c, status, views.PausesView(s.chrome(c, "Pause sharing", "posts"), m))
}

// startPause pauses the programme, a campaign or a category
// (pause.Service.Pause); a refused form comes back with what was typed and
// a message beside each field.
func (s *server) startPause(c *fiber.Ctx) error {
	form := views.PauseForm{Scope: c.FormValue("scope"), Reason: strings.TrimSpace(c.FormValue("reason"))}
	_, err := s.Pauses.Pause(ctx(c), pause.Request{Scope: form.Scope, Reason: form.Reason, ActorID: userOf(c).ID})
	if fe := (pause.FieldErrors{}); errors.As(err, &fe) {
		form.Errors = views.FieldErrors(fe)
		return s.renderPauses(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/pause?done=paused", fiber.StatusSeeOther)
}

// resumePause ends a pause (pause.Service.Resume); posts whose time has
// come go live on the publisher's next run, which it is woken for.
func (s *server) resumePause(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return pause.ErrNotActive
	}
	if _, err := s.Pauses.Resume(ctx(c), id, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/pause?done=resumed", fiber.StatusSeeOther)
}

// showCadenceSettings shows the share cadence admins set.
func (s *server) showCadenceSettings(c *fiber.Ctx) error {
	rule, err := s.Shares.Cadence(ctx(c))
	if err != nil {
		return err
	}
	form := views.CadenceForm{Hard: rule.Hard, Saved: c.Query("saved") == "1"}
	if rule.Limit > 0 {
		form.Limit = strconv.Itoa(rule.Limit)
	}
	return s.render(c, fiber.StatusOK, views.CadenceSettingsView(s.chrome(c, "Share cadence", "admin"), form))
}

// saveCadenceSettings saves the share cadence; an empty limit means none.
func (s *server) saveCadenceSettings(c *fiber.Ctx) error {
	form := views.CadenceForm{Limit: strings.TrimSpace(c.FormValue("limit")), Hard: c.FormValue("hard") == "1"}
	rule, err := share.ParseCadence(form.Limit, form.Hard)
	if err != nil {
		form.Errors = views.FieldErrors{"limit": apperr.MessageOf(err)}
		return s.render(c, fiber.StatusUnprocessableEntity, views.CadenceSettingsView(s.chrome(c, "Share cadence", "admin"), form))
	}
	if err := s.Shares.SetCadence(ctx(c), rule, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/admin/cadence?saved=1", fiber.StatusSeeOther)
}
