package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/sources"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/views"
)

const maxSourceName = 100

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
	m := views.SourcesPage{}
	if id, err := strconv.ParseInt(c.Query("added"), 10, 64); err == nil {
		if src, err := s.Store.Source(ctx(c), id); err == nil {
			m.Added = src.Name
		}
	}
	return s.renderSources(c, fiber.StatusOK, m)
}

func (s *server) renderSources(c *fiber.Ctx, status int, m views.SourcesPage) error {
	var err error
	if m.Sources, err = s.Store.Sources(ctx(c)); err != nil {
		return err
	}
	items, err := s.Store.NewSourceItems(ctx(c), 0)
	if err != nil {
		return err
	}
	m.Queue = len(items)
	if m.TokenCreated, err = s.Store.FeedTokenCreated(ctx(c), userOf(c).ID); err != nil {
		return err
	}
	m.Zone = location(userOf(c).TimeZone)
	return s.render(c, status, views.SourcesView(s.chrome(c, "Content sources", "posts"), m))
}

// addSource adds a feed; only http(s) addresses are accepted.
func (s *server) addSource(c *fiber.Ctx) error {
	form := views.SourceForm{Name: strings.TrimSpace(c.FormValue("name")), URL: strings.TrimSpace(c.FormValue("url")),
		Errors: views.FieldErrors{}}
	switch {
	case form.Name == "":
		form.Errors["name"] = "Give the source a name."
	case utf8.RuneCountInString(form.Name) > maxSourceName:
		form.Errors["name"] = "Keep the name to 100 characters or fewer."
	}
	if msg := sources.CheckURL(form.URL); msg != "" {
		form.Errors["url"] = msg
	}
	if len(form.Errors) > 0 {
		return s.renderSources(c, fiber.StatusUnprocessableEntity, views.SourcesPage{Form: form})
	}
	id, err := s.Store.AddSource(ctx(c), form.Name, form.URL, userOf(c).ID)
	if errors.Is(err, store.ErrExists) {
		form.Errors["url"] = "This feed is already a source."
		return s.renderSources(c, fiber.StatusUnprocessableEntity, views.SourcesPage{Form: form})
	}
	if err != nil {
		return err
	}
	if s.Jobs.Sources != nil {
		s.Jobs.Sources.Wake() // fetch the new feed now, not at the next half hour
	}
	return c.Redirect(fmt.Sprintf("/sources?added=%d", id), fiber.StatusSeeOther)
}

// deleteSource removes a source and its waiting items.
func (s *server) deleteSource(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil {
		return apperr.New(apperr.NotFound, "There is no such source.")
	}
	if err := s.Store.DeleteSource(ctx(c), int64(id), userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/sources", fiber.StatusSeeOther)
}

// showSourceItems shows the "from sources" queue.
func (s *server) showSourceItems(c *fiber.Ctx) error {
	items, err := s.Store.NewSourceItems(ctx(c), 500)
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
	postID, err := s.Store.DraftFromSourceItem(ctx(c), int64(id), userOf(c).ID)
	if err != nil {
		return err // store.ErrItemHandled, a conflict, for an item already handled
	}
	return c.Redirect(fmt.Sprintf("/posts/%d/edit", postID), fiber.StatusSeeOther)
}

// dismissSourceItem takes an item out of the queue.
func (s *server) dismissSourceItem(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil {
		return apperr.New(apperr.NotFound, "There is no such item.")
	}
	err = s.Store.DismissSourceItem(ctx(c), int64(id))
	if err != nil && !errors.Is(err, store.ErrItemHandled) {
		return err
	}
	return c.Redirect("/sources/items", fiber.StatusSeeOther)
}

// regenerateFeedToken makes a new secret token for the person's feeds of
// posts (the old addresses stop working) and shows the new addresses once.
func (s *server) regenerateFeedToken(c *fiber.Ctx) error {
	token := auth.NewToken()
	if err := s.Store.SetFeedToken(ctx(c), userOf(c).ID, auth.HashToken(token)); err != nil {
		return err
	}
	q := "?token=" + url.QueryEscape(token)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.renderSources(c, fiber.StatusOK, views.SourcesPage{NewFeeds: &views.FeedLinks{
		Atom: s.BaseURL + "/feeds/posts.atom" + q, Calendar: s.BaseURL + "/feeds/posts.ics" + q}})
}
