package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/views"
)

// showFeed shows the live posts, or what the person must do first.
func (s *server) showFeed(c *fiber.Ctx) error {
	chrome := s.chrome(c, "Feed", "feed")
	missing, err := s.missingSteps(c)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return s.render(c, fiber.StatusOK, views.FeedView(chrome, views.FeedPage{Missing: missing}))
	}
	posts, err := s.Store.LivePosts(ctx(c))
	if err != nil {
		return err
	}
	shared, err := s.Store.SharedNetworks(ctx(c), userOf(c).ID)
	if err != nil {
		return err
	}
	m := views.FeedPage{Networks: share.Networks}
	for _, p := range posts {
		m.Posts = append(m.Posts, views.FeedPost{Post: p, Shared: shared[p.ID]})
	}
	return s.render(c, fiber.StatusOK, views.FeedView(chrome, m))
}

// livePost returns the post named in the URL if employees may share it now.
func (s *server) livePost(c *fiber.Ctx) (post.Post, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return post.Post{}, apperr.New(apperr.NotFound, "There is no such post.")
	}
	p, err := s.Store.Post(ctx(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return p, apperr.New(apperr.NotFound, "There is no such post.")
	}
	if err != nil {
		return p, err
	}
	if !p.Live(s.Now()) {
		return p, apperr.New(apperr.Conflict, "This post is not available for sharing any more.")
	}
	return p, nil
}

// sharePost gives the employee their tracked link for the post and network
// and sends them to the network's own share page. Nothing is posted for them.
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
	n, ok := share.Parse(c.FormValue("network"))
	if !ok {
		return apperr.New(apperr.Invalid, "Choose one of the networks offered on the feed.")
	}
	u := userOf(c)
	instance := u.MastodonInstance
	if n == share.Mastodon {
		if typed := c.FormValue("instance"); typed != "" {
			host, ok := share.ParseInstance(typed)
			if !ok {
				return s.render(c, fiber.StatusUnprocessableEntity, views.MastodonView(s.chrome(c, "Share on Mastodon", "feed"),
					views.MastodonPage{Post: p, Instance: typed, Problem: "That does not look like a server name. Type it like mastodon.social."}))
			}
			if err := s.Store.SetMastodonInstance(ctx(c), u.ID, host); err != nil {
				return err
			}
			instance = host
		}
		if instance == "" {
			return s.render(c, fiber.StatusOK, views.MastodonView(s.chrome(c, "Share on Mastodon", "feed"), views.MastodonPage{Post: p}))
		}
	}
	link, err := s.Store.ShareLink(ctx(c), u.ID, p.ID, n, share.NewCode)
	if err != nil {
		return err
	}
	tracked := s.BaseURL + "/l/" + link.Code
	if n == share.Copy {
		return s.render(c, fiber.StatusOK, views.CopyLinkView(s.chrome(c, "Your link", "feed"), views.CopyLinkPage{Post: p, Link: tracked}))
	}
	return c.Redirect(share.IntentURL(n, tracked, p.Commentary, p.Title, instance), fiber.StatusSeeOther)
}

// redirectLink is the hot path: it sends a tracked link's visitor on to the
// post with UTM parameters and counts the click. HEAD requests (link
// checkers) are redirected but not counted.
func (s *server) redirectLink(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	t, err := s.Store.LinkTarget(ctx(c), c.Params("code"))
	if errors.Is(err, store.ErrNotFound) {
		return apperr.New(apperr.NotFound, "This link is not known here. Check that it was copied completely.")
	}
	if err != nil {
		return err
	}
	target, err := share.Target(t.PostURL, t.Network, t.Campaign)
	if err != nil {
		return err
	}
	if c.Method() == fiber.MethodGet {
		if err := s.Store.RecordClick(ctx(c), t.LinkID); err != nil {
			return err
		}
	}
	return c.Redirect(target, fiber.StatusFound)
}

func (s *server) showMyReach(c *fiber.Ctx) error {
	rows, err := s.Store.ReachByPost(ctx(c), userOf(c).ID)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.ReachView(s.chrome(c, "My reach", "my-reach"), views.ReachPage{
		Heading: "My reach", Intro: "What your shares brought in, post by post.", Rows: rows}))
}

func (s *server) showReach(c *fiber.Ctx) error {
	rows, err := s.Store.ReachByPost(ctx(c), 0)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.ReachView(s.chrome(c, "Programme reach", "reach"), views.ReachPage{
		Heading: "Programme reach", Intro: "Shares and clicks across all employees, post by post.", Rows: rows}))
}
