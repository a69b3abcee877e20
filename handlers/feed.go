package handlers

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/views"
)

// showFeed shows the live posts targeted to the employee, with filters and
// search, or what the person must do first.
func (s *server) showFeed(c *fiber.Ctx) error {
	chrome := s.chrome(c, "Feed", "feed")
	missing, err := s.missingSteps(c)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return s.render(c, fiber.StatusOK, views.FeedView(chrome, views.FeedPage{Missing: missing}))
	}
	u := userOf(c)
	networks, err := s.enabledNetworks(c)
	if err != nil {
		return err
	}
	m := views.FeedPage{Networks: networks, Languages: post.Languages, Filter: views.FeedFilter{
		Category: c.Query("category"), Campaign: c.Query("campaign"), Language: c.Query("language"), Query: c.Query("q")}}
	f := post.Filter{ForUser: u.ID, LiveAt: s.Now(), Category: m.Filter.Category, Language: m.Filter.Language, Query: m.Filter.Query}
	if m.Filter.Campaign != "" {
		f.Campaign, _ = strconv.ParseInt(m.Filter.Campaign, 10, 64)
	}
	posts, err := s.Store.Posts(ctx(c), f)
	if err != nil {
		return err
	}
	if m.Campaigns, err = s.Store.Campaigns(ctx(c)); err != nil {
		return err
	}
	shared, err := s.Store.SharedNetworks(ctx(c), u.ID)
	if err != nil {
		return err
	}
	// Crisis pause (pause.go): paused posts give way to a banner with the reason.
	pauses, err := s.Store.ActivePauses(ctx(c))
	if err != nil {
		return err
	}
	shown := map[int64]bool{}
	for _, pa := range pauses {
		if pa.Scope == pause.Programme {
			m.Pauses, shown[pa.ID] = append(m.Pauses, pa), true
		}
	}
	for _, p := range posts {
		if pa, held := pause.Holding(pauses, p); held {
			if !shown[pa.ID] {
				m.Pauses, shown[pa.ID] = append(m.Pauses, pa), true
			}
			continue
		}
		m.Posts = append(m.Posts, views.FeedPost{Post: p, Shared: shared[p.ID]})
	}
	if m.Cadence, err = s.cadenceToday(c); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.FeedView(chrome, m))
}

// livePost returns the post named in the URL if the employee may share it
// now: it exists, is live, and is for them. Anything else is "not found".
func (s *server) livePost(c *fiber.Ctx) (post.Post, error) {
	notFound := apperr.New(apperr.NotFound, "There is no such post in your feed. It may have expired or been withdrawn.")
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return post.Post{}, notFound
	}
	p, err := s.Store.Post(ctx(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return p, notFound
	}
	if err != nil {
		return p, err
	}
	if !p.Live(s.Now()) {
		return p, notFound
	}
	targeted, err := s.Store.Targeted(ctx(c), p.ID, userOf(c).ID)
	if err != nil {
		return p, err
	}
	if !targeted {
		return p, notFound
	}
	return p, nil
}

// maxShareText bounds the commentary an employee sends to a share page.
const maxShareText = 3000

// sharePost gives the employee their tracked link for the post and network
// and sends them to the network's own share page, with the commentary as
// they edited it (none for Facebook). Nothing is posted for them.
func (s *server) sharePost(c *fiber.Ctx) error {
	missing, err := s.missingSteps(c)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return apperr.New(apperr.Forbidden, "Sharing unlocks once you have acknowledged the code of conduct and passed the required training. Your feed shows what is left.")
	}
	p, err := s.livePost(c)
	if err != nil {
		return err
	}
	if err := s.refusePaused(c, p); err != nil { // crisis pause (pause.go)
		return err
	}
	n, ok := share.Parse(c.FormValue("network"))
	if !ok {
		return apperr.New(apperr.Invalid, "Choose one of the networks offered on the feed.")
	}
	if enabled, err := s.enabledNetworks(c); err != nil {
		return err
	} else if !slices.Contains(enabled, n) {
		return apperr.New(apperr.Invalid, "That network is not offered for sharing here.")
	}
	if handled, err := s.checkCadence(c, p, n); handled || err != nil { // share cadence (pause.go)
		return err
	}
	// The text the network gets: the employee's own words if they changed
	// the ones offered on the feed, otherwise the suggestion for that
	// network (it may differ from the one shown for any network).
	text := p.ShareText(string(n), n.Prefills())
	if args := c.Request().PostArgs(); args.Has("text") {
		edited := strings.TrimSpace(string(args.Peek("text")))
		if !args.Has("offered") || edited != strings.TrimSpace(string(args.Peek("offered"))) {
			text = edited
		}
	}
	if len([]rune(text)) > maxShareText {
		return apperr.New(apperr.Invalid, "Your text is longer than 3000 characters. Shorten it and share again.")
	}
	u := userOf(c)
	instance := u.MastodonInstance
	if n == share.Mastodon {
		if typed := c.FormValue("instance"); typed != "" {
			host, ok := share.ParseInstance(typed)
			if !ok {
				return s.render(c, fiber.StatusUnprocessableEntity, views.MastodonView(s.chrome(c, "Share on Mastodon", "feed"),
					views.MastodonPage{Post: p, Text: text, Instance: typed, Problem: "That does not look like a server name. Type it like mastodon.social."}))
			}
			if err := s.Store.SetMastodonInstance(ctx(c), u.ID, host); err != nil {
				return err
			}
			instance = host
		}
		if instance == "" {
			return s.render(c, fiber.StatusOK, views.MastodonView(s.chrome(c, "Share on Mastodon", "feed"), views.MastodonPage{Post: p, Text: text}))
		}
	}
	link, _, err := s.Store.ShareLink(ctx(c), u.ID, p.ID, n, share.NewCode)
	if err != nil {
		return err
	}
	tracked := s.BaseURL + "/l/" + link.Code
	if n == share.Copy {
		return s.render(c, fiber.StatusOK, views.CopyLinkView(s.chrome(c, "Your link", "feed"), views.CopyLinkPage{Post: p, Link: tracked, Text: text}))
	}
	return c.Redirect(share.IntentURL(n, tracked, text, p.Title, instance), fiber.StatusSeeOther)
}
