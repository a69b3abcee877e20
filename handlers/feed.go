package handlers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/views"
)

// showFeed shows the live posts targeted to the employee, with filters and
// search, or what the person must do first (share.Feed.For).
func (s *server) showFeed(c *fiber.Ctx) error {
	filter := views.FeedFilter{Category: c.Query("category"), Campaign: c.Query("campaign"),
		Language: c.Query("language"), Query: c.Query("q")}
	q := share.FeedQuery{UserID: userOf(c).ID, Category: filter.Category, Language: filter.Language, Search: filter.Query}
	if filter.Campaign != "" {
		q.Campaign, _ = strconv.ParseInt(filter.Campaign, 10, 64)
	}
	l, err := s.Feed.For(ctx(c), q)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.FeedView(s.chrome(c, "Feed", "feed"), feedPage(l, filter)))
}

// feedPage is the feed page for listing l, filtered by filter.
func feedPage(l share.Listing, filter views.FeedFilter) views.FeedPage {
	if len(l.Missing) > 0 {
		return views.FeedPage{Missing: l.Missing}
	}
	m := views.FeedPage{Networks: l.Networks, Languages: post.Languages, Filter: filter, Campaigns: l.Campaigns,
		Pauses: l.Pauses, Cadence: views.CadenceNote{Limit: l.Cadence.Limit}}
	for _, o := range l.Posts {
		m.Posts = append(m.Posts, views.FeedPost{Post: o.Post, Shared: o.Shared})
	}
	for _, n := range l.Cadence.Counts {
		m.Cadence.Counts = append(m.Cadence.Counts, views.NetworkCount{Network: n.Network, Count: n.Count})
	}
	return m
}

// sharePost asks the share gate whether the employee may share the post on
// the network now and, when it records the share, sends them to the
// network's own share page with their tracked link and the commentary as
// they edited it (none for Facebook). Nothing is posted for them. Otherwise
// it shows what the gate's decision calls for: the cadence question, the
// Mastodon server form, or why the share is refused.
func (s *server) sharePost(c *fiber.Ctx) error {
	r := share.Request{UserID: userOf(c).ID, Network: share.Network(c.FormValue("network")),
		Instance: c.FormValue("instance"), Confirmed: c.FormValue("confirm") == "1"}
	// An id that does not parse names no post; the gate refuses it after
	// checking training, as it does an unknown post.
	if id, err := strconv.ParseInt(c.Params("id"), 10, 64); err == nil {
		r.PostID = id
	}
	// The employee's own words count if they changed the ones offered on
	// the feed (or sent text without the offered words).
	if args := c.Request().PostArgs(); args.Has("text") {
		edited := strings.TrimSpace(string(args.Peek("text")))
		if !args.Has("offered") || edited != strings.TrimSpace(string(args.Peek("offered"))) {
			r.Text, r.OwnText = edited, true
		}
	}
	out, err := s.Shares.Share(ctx(c), r)
	if err != nil {
		return err
	}
	switch out.Refused {
	case "":
	case share.CadenceAsk:
		return s.askCadence(c, out.Decision)
	case share.InstanceNeeded:
		return s.render(c, fiber.StatusOK, views.MastodonView(s.chrome(c, "Share on Mastodon", "feed"),
			views.MastodonPage{Post: out.Post, Text: out.Text}))
	case share.InstanceInvalid:
		return s.render(c, fiber.StatusUnprocessableEntity, views.MastodonView(s.chrome(c, "Share on Mastodon", "feed"),
			views.MastodonPage{Post: out.Post, Text: out.Text, Instance: r.Instance, Problem: "That does not look like a server name. Type it like mastodon.social."}))
	default:
		return shareRefused(out.Refused)
	}
	tracked := s.BaseURL + "/l/" + out.Recorded.Code
	if out.Network == share.Copy {
		return s.render(c, fiber.StatusOK, views.CopyLinkView(s.chrome(c, "Your link", "feed"), views.CopyLinkPage{Post: out.Post, Link: tracked, Text: out.Text}))
	}
	return c.Redirect(share.IntentURL(out.Network, tracked, out.Text, out.Post.Title, out.Instance), fiber.StatusSeeOther)
}

// askCadence renders the page explaining why a pause is wise, with the
// share form carried over so that "share anyway" sends it again with
// confirm=1.
func (s *server) askCadence(c *fiber.Ctx, d share.Decision) error {
	m := views.CadenceAskPage{Post: d.Post, Network: d.Network, Count: d.SharedToday, Limit: d.Limit}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if name := string(k); name != "_csrf" && name != "confirm" {
			m.Fields = append(m.Fields, views.HiddenField{Name: name, Value: string(v)})
		}
	})
	return s.render(c, fiber.StatusOK, views.CadenceAskView(s.chrome(c, "Take a breath", "feed"), m))
}

// Messages employees get when a share is refused.
const (
	lockedShareMessage    = "Sharing unlocks once you have acknowledged the code of conduct and passed the required training. Your feed shows what is left."
	noPostShareMessage    = "There is no such post in your feed. It may have expired or been withdrawn."
	pausedShareMessage    = "Sharing this post is paused for now. Your feed says why; it comes back once the communications team resumes it."
	cadenceCapMessage     = "You have reached today's share limit on this network. Give your network a rest and share again tomorrow."
	textTooLongMessage    = "Your text is longer than 3000 characters. Shorten it and share again."
	unknownNetworkMessage = "Choose one of the networks offered on the feed."
	networkOffMessage     = "That network is not offered for sharing here."
)

// shareRefused is the error for a share the gate refused with reason why.
// A post that does not exist, is not live or is not for the person is the
// same "not found", so that no one learns of posts they cannot see.
func shareRefused(why share.Reason) error {
	switch why {
	case share.TrainingMissing:
		return apperr.New(apperr.Forbidden, lockedShareMessage)
	case share.NoSuchPost, share.NotLive, share.NotForYou:
		return apperr.New(apperr.NotFound, noPostShareMessage)
	case share.Paused:
		return apperr.New(apperr.Conflict, pausedShareMessage)
	case share.UnknownNetwork:
		return apperr.New(apperr.Invalid, unknownNetworkMessage)
	case share.NetworkOff:
		return apperr.New(apperr.Invalid, networkOffMessage)
	case share.CadenceCap:
		return apperr.New(apperr.Conflict, cadenceCapMessage)
	case share.TextTooLong:
		return apperr.New(apperr.Invalid, textTooLongMessage)
	}
	return fmt.Errorf("handlers: share refused for a reason with no page: %q", why)
}
