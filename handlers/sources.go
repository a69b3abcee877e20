package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/source"
	"github.com/advocacy-portal/portal/views"
)

// sourceRoutes registers content sources and the "from sources" queue for
// comms, and the Atom and iCalendar feeds of posts. The feeds are read by
// feed readers and calendars, which have no session: they carry a
// per-person secret token instead, so they are registered on app directly.
func (s *server) sourceRoutes(r router, app *fiber.App) {
	r.allow(httpGet, "/sources", s.showSources, comms...)
	r.allow(httpPost, "/sources", s.addSource, comms...)
	r.allow(httpPost, "/sources/:id/delete", s.deleteSource, comms...)
	r.allow(httpPost, "/sources/feed-token", s.regenerateFeedToken, comms...)
	r.allow(httpGet, "/sources/items", s.showSourceItems, comms...)
	r.allow(httpPost, "/sources/items/:id/draft", s.draftFromSourceItem, comms...)
	r.allow(httpPost, "/sources/items/:id/dismiss", s.dismissSourceItem, comms...)

	app.Get("/feeds/posts.atom", s.servePostsAtom)
	app.Get("/feeds/posts.ics", s.servePostsCalendar)
}

// showSources lists the sources, with the form to add one.
func (s *server) showSources(c *fiber.Ctx) error {
	added, _ := strconv.ParseInt(c.Query("added"), 10, 64)
	return s.renderSources(c, fiber.StatusOK, views.SourcesPage{}, added)
}

// renderSources shows the sources page with m's form, naming the source
// just added, if any.
func (s *server) renderSources(c *fiber.Ctx, status int, m views.SourcesPage, added int64) error {
	o, err := s.Sources.Overview(ctx(c), userOf(c).ID)
	if err != nil {
		return err
	}
	m.Sources, m.Queue, m.TokenCreated = o.Sources, o.Waiting, o.FeedTokenCreated
	for _, src := range o.Sources {
		if added != 0 && src.ID == added {
			m.Added = src.Name
		}
	}
	m.Zone = location(userOf(c).TimeZone)
	return s.render(c, status, views.SourcesView(s.chrome(c, "Content sources", "posts"), m))
}

// addSource adds a feed (source.NewSource says what is accepted); the
// poller fetches it at once.
func (s *server) addSource(c *fiber.Ctx) error {
	form := views.SourceForm{Name: strings.TrimSpace(c.FormValue("name")), URL: strings.TrimSpace(c.FormValue("url"))}
	id, err := s.Sources.Add(ctx(c), source.NewSource{Name: form.Name, URL: form.URL}, userOf(c).ID)
	if refused, ok := errors.AsType[*source.FormError](err); ok {
		form.Errors = refused.Fields
		return s.renderSources(c, fiber.StatusUnprocessableEntity, views.SourcesPage{Form: form}, 0)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/sources?added=%d", id), fiber.StatusSeeOther)
}

// deleteSource removes a source and its waiting items.
func (s *server) deleteSource(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil {
		return apperr.New(apperr.NotFound, "There is no such source.")
	}
	if err := s.Sources.Delete(ctx(c), int64(id), userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/sources", fiber.StatusSeeOther)
}

// showSourceItems shows the "from sources" queue.
func (s *server) showSourceItems(c *fiber.Ctx) error {
	items, err := s.Sources.Queue(ctx(c))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.SourceItemsView(s.chrome(c, "From sources", "posts"),
		views.SourceItemsPage{Items: items, Zone: location(userOf(c).TimeZone)}))
}

// draftFromSourceItem makes a draft post of a queued item, credited to the
// comms person who clicked, and opens it for editing.
func (s *server) draftFromSourceItem(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil {
		return apperr.New(apperr.NotFound, "There is no such item.")
	}
	p, err := s.Posts.DraftFromSource(ctx(c), int64(id), userOf(c).ID)
	if err != nil {
		return err // source.ErrItemHandled, a conflict, for an item already handled
	}
	return c.Redirect(fmt.Sprintf("/posts/%d/edit", p.ID), fiber.StatusSeeOther)
}

// dismissSourceItem takes an item out of the queue.
func (s *server) dismissSourceItem(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil {
		return apperr.New(apperr.NotFound, "There is no such item.")
	}
	if err := s.Sources.Dismiss(ctx(c), int64(id)); err != nil {
		return err
	}
	return c.Redirect("/sources/items", fiber.StatusSeeOther)
}

// regenerateFeedToken makes a new secret token for the person's feeds of
// posts (the old addresses stop working) and shows the new addresses once.
func (s *server) regenerateFeedToken(c *fiber.Ctx) error {
	token := auth.NewToken()
	if err := s.Sources.SetFeedToken(ctx(c), userOf(c).ID, auth.HashToken(token)); err != nil {
		return err
	}
	q := "?token=" + url.QueryEscape(token)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.renderSources(c, fiber.StatusOK, views.SourcesPage{NewFeeds: &views.FeedLinks{
		Atom: s.BaseURL + "/feeds/posts.atom" + q, Calendar: s.BaseURL + "/feeds/posts.ics" + q}}, 0)
}
