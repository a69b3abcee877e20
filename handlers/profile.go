package handlers

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/training"
	"github.com/advocacy-portal/portal/views"
)

// profileRoutes registers a person's own profile (anyone signed in) and
// the admins' notification settings (Slack and Teams webhooks).
func (s *server) profileRoutes(r router) {
	r.allow(httpGet, "/profile", s.showProfile)
	r.allow(httpPost, "/profile", s.saveProfile)
	r.allow(httpGet, "/admin/notifications", s.showNotificationSettings, admin...)
	r.allow(httpPost, "/admin/notifications", s.saveNotificationSettings, admin...)
}

// followerNetworks are the networks a person has followers on: every one
// offered except e-mail and copying the link.
var followerNetworks = slices.DeleteFunc(slices.Clone(share.Networks), func(n share.Network) bool {
	return n == share.Email || n == share.Copy
})

// newProfiles is the profile service over repo: follower counts on
// followerNetworks, the languages of g, Mastodon servers as share reads
// them.
func newProfiles(repo account.ProfileRepository, g *training.Guidelines) *account.Profiles {
	opts := account.ProfileOptions{Languages: g.Languages, Instance: share.ParseInstance}
	for _, n := range followerNetworks {
		opts.Networks = append(opts.Networks, string(n))
	}
	return account.NewProfiles(repo, opts)
}

// commonTimeZones are offered as suggestions; any IANA name is accepted.
var commonTimeZones = []string{
	"UTC", "Europe/Amsterdam", "Europe/Brussels", "Europe/Berlin", "Europe/Paris", "Europe/London", "Europe/Dublin",
	"Europe/Lisbon", "Europe/Madrid", "Europe/Rome", "Europe/Zurich", "Europe/Vienna", "Europe/Stockholm",
	"Europe/Warsaw", "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Kyiv", "Asia/Jerusalem",
	"Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney",
	"Pacific/Auckland", "Africa/Johannesburg", "Africa/Lagos", "America/Sao_Paulo", "America/New_York",
	"America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto", "America/Mexico_City",
}

// showProfile shows the signed-in person's profile.
func (s *server) showProfile(c *fiber.Ctx) error {
	u := userOf(c)
	p, err := s.Profiles.Profile(ctx(c), u.ID)
	if err != nil {
		return err
	}
	form := views.ProfileForm{Followers: map[share.Network]string{}, Mastodon: p.MastodonInstance,
		Language: p.Language, TimeZone: p.TimeZone, Digest: string(p.Digest), LeaderboardOptOut: p.LeaderboardOptOut}
	if !u.LanguageChosen {
		form.Language = s.lang(c) // what they see now, until they choose
	}
	for _, n := range followerNetworks {
		if count := p.Followers[string(n)]; count > 0 {
			form.Followers[n] = strconv.Itoa(count)
		}
	}
	return s.renderProfile(c, fiber.StatusOK, form, c.Query("saved") == "1")
}

func (s *server) renderProfile(c *fiber.Ctx, status int, form views.ProfileForm, saved bool) error {
	return s.render(c, status, views.ProfileView(s.chrome(c, "Profile", "profile"), views.ProfilePage{
		Form: form, Networks: followerNetworks, Languages: s.Guidelines.Languages, TimeZones: commonTimeZones, Saved: saved}))
}

// saveProfile saves the profile form whole, or shows it again with the
// input kept and a problem beside each wrong field, saving nothing.
func (s *server) saveProfile(c *fiber.Ctx) error {
	form := views.ProfileForm{Followers: map[share.Network]string{}, Mastodon: strings.TrimSpace(c.FormValue("mastodon")),
		Language: c.FormValue("language"), TimeZone: strings.TrimSpace(c.FormValue("time_zone")),
		Digest: c.FormValue("digest"), LeaderboardOptOut: c.FormValue("leaderboard_opt_out") != ""}
	typed := account.ProfileForm{Followers: map[string]string{}, Mastodon: form.Mastodon, Language: form.Language,
		TimeZone: form.TimeZone, Digest: form.Digest, LeaderboardOptOut: form.LeaderboardOptOut}
	for _, n := range followerNetworks {
		form.Followers[n] = strings.TrimSpace(c.FormValue("followers-" + string(n)))
		typed.Followers[string(n)] = form.Followers[n]
	}
	err := s.Profiles.Save(ctx(c), userOf(c).ID, typed)
	if fe := (account.FieldErrors{}); errors.As(err, &fe) {
		form.Errors = views.FieldErrors(fe)
		return s.renderProfile(c, fiber.StatusUnprocessableEntity, form, false)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/profile?saved=1", fiber.StatusSeeOther)
}
