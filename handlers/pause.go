package handlers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/cadence"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
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

// maxPauseReason bounds the reason shown on the feed.
const maxPauseReason = 500

// showPauses lists the pauses in force and the history, with the form to pause.
func (s *server) showPauses(c *fiber.Ctx) error {
	return s.renderPauses(c, fiber.StatusOK, views.PauseForm{Scope: string(pause.Programme)})
}

func (s *server) renderPauses(c *fiber.Ctx, status int, form views.PauseForm) error {
	m := views.PausesPage{Form: form, Categories: post.Categories, Done: c.Query("done")}
	var err error
	if m.Active, err = s.Store.ActivePauses(ctx(c)); err != nil {
		return err
	}
	if m.History, err = s.Store.PauseHistory(ctx(c), 50); err != nil {
		return err
	}
	if m.Campaigns, err = s.Store.Campaigns(ctx(c)); err != nil {
		return err
	}
	return s.render(c, status, views.PausesView(s.chrome(c, "Pause sharing", "posts"), m))
}

// startPause pauses the programme, a campaign or a category.
func (s *server) startPause(c *fiber.Ctx) error {
	form := views.PauseForm{Scope: c.FormValue("scope"), Reason: strings.TrimSpace(c.FormValue("reason")), Errors: views.FieldErrors{}}
	scope, ok := pause.ParseScope(form.Scope)
	if ok && strings.HasPrefix(string(scope), "category:") {
		ok = false
		for _, cat := range post.Categories {
			ok = ok || scope == pause.Category(cat)
		}
	}
	if ok && strings.HasPrefix(string(scope), "campaign:") {
		campaigns, err := s.Store.Campaigns(ctx(c))
		if err != nil {
			return err
		}
		ok = false
		for _, cp := range campaigns {
			ok = ok || scope == pause.Campaign(cp.ID)
		}
	}
	if !ok {
		form.Errors["scope"] = "Choose the whole programme, a campaign or a category."
	}
	switch {
	case form.Reason == "":
		form.Errors["reason"] = "Give a reason: employees see it on their feed instead of the paused posts."
	case len([]rune(form.Reason)) > maxPauseReason:
		form.Errors["reason"] = "Keep the reason under 500 characters."
	}
	if len(form.Errors) > 0 {
		return s.renderPauses(c, fiber.StatusUnprocessableEntity, form)
	}
	p, err := s.Store.StartPause(ctx(c), scope, form.Reason, userOf(c).ID)
	if err != nil {
		return err
	}
	s.announce(c, fmt.Sprintf("pause:%d:start", p.ID), "Programme paused",
		fmt.Sprintf("%s paused sharing (%s). Reason: %s", p.PausedBy, p.Scope, p.Reason), s.BaseURL+"/pause")
	return c.Redirect("/pause?done=paused", fiber.StatusSeeOther)
}

// resumePause ends a pause; posts whose time has come go live on the
// publisher's next run, which it is woken for.
func (s *server) resumePause(c *fiber.Ctx) error {
	notActive := apperr.New(apperr.NotFound, "This pause is not in force any more; someone may have resumed it already.")
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return notActive
	}
	p, err := s.Store.ResumePause(ctx(c), id, userOf(c).ID)
	if errors.Is(err, store.ErrNotFound) {
		return notActive
	} else if err != nil {
		return err
	}
	s.announce(c, fmt.Sprintf("pause:%d:resume", p.ID), "Programme resumed",
		fmt.Sprintf("%s resumed sharing (%s), paused for: %s", p.ResumedBy, p.Scope, p.Reason), s.BaseURL+"/pause")
	s.wakePublisher()
	return c.Redirect("/pause?done=resumed", fiber.StatusSeeOther)
}

// cadenceToday is the employee's shares today per network, for the feed.
func (s *server) cadenceToday(c *fiber.Ctx) (views.CadenceNote, error) {
	var note views.CadenceNote
	rule, err := s.Store.ShareCadence(ctx(c))
	if err != nil {
		return note, err
	}
	note.Limit = rule.Limit
	counts, err := s.Store.SharesTodayByNetwork(ctx(c), userOf(c).ID, cadence.DayStart(s.Now()))
	if err != nil {
		return note, err
	}
	for _, n := range share.Networks {
		if counts[n] > 0 {
			note.Counts = append(note.Counts, views.NetworkCount{Network: n, Count: counts[n]})
		}
	}
	return note, nil
}

// showCadenceSettings shows the share cadence admins set.
func (s *server) showCadenceSettings(c *fiber.Ctx) error {
	rule, err := s.Store.ShareCadence(ctx(c))
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
	var rule cadence.Rule
	if form.Limit != "" {
		n, err := strconv.Atoi(form.Limit)
		if err != nil || n < 1 || n > 100 {
			form.Errors = views.FieldErrors{"limit": "Enter a whole number from 1 to 100, or leave it empty for no limit."}
			return s.render(c, fiber.StatusUnprocessableEntity, views.CadenceSettingsView(s.chrome(c, "Share cadence", "admin"), form))
		}
		rule.Limit = n
	}
	rule.Hard = form.Hard && rule.Limit > 0
	if err := s.Store.SetSetting(ctx(c), store.SettingShareCadence, rule, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/admin/cadence?saved=1", fiber.StatusSeeOther)
}
