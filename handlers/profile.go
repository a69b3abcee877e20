package handlers

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones are checked against the embedded database, whatever the host has

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/share"
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

// maxFollowers catches typos; no account has a billion followers.
const maxFollowers = 999_999_999

// thousands matches a number written with thousands separators: 12,500,
// 12.500, 12 500 or 12'500.
var thousands = regexp.MustCompile(`^\d{1,3}([,. '’]\d{3})+$`)

// commonTimeZones are offered as suggestions; any IANA name is accepted.
var commonTimeZones = []string{
	"UTC", "Europe/Amsterdam", "Europe/Brussels", "Europe/Berlin", "Europe/Paris", "Europe/London", "Europe/Dublin",
	"Europe/Lisbon", "Europe/Madrid", "Europe/Rome", "Europe/Zurich", "Europe/Vienna", "Europe/Stockholm",
	"Europe/Warsaw", "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Kyiv", "Asia/Jerusalem",
	"Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney",
	"Pacific/Auckland", "Africa/Johannesburg", "Africa/Lagos", "America/Sao_Paulo", "America/New_York",
	"America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto", "America/Mexico_City",
}

// Problems with the profile form, in English; the view translates them.
const (
	problemFollowers     = "Enter a whole number, 0 or more."
	problemFollowersHigh = "That is more followers than any account has. Check the number."
	problemInstance      = "That does not look like a server name. Type it like mastodon.social."
	problemLanguage      = "Choose one of the languages offered."
	problemTimeZone      = "That is not a time zone we know. Choose one from the list, such as Europe/Amsterdam."
	problemDigest        = "Choose off, daily or weekly."
)

// showProfile shows the signed-in person's profile.
func (s *server) showProfile(c *fiber.Ctx) error {
	u := userOf(c)
	p, err := s.Store.Profile(ctx(c), u.ID)
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

// saveProfile checks the profile form and saves it whole, or shows it again
// with the input kept and a problem beside each wrong field, saving nothing.
func (s *server) saveProfile(c *fiber.Ctx) error {
	form := views.ProfileForm{Followers: map[share.Network]string{}, Mastodon: strings.TrimSpace(c.FormValue("mastodon")),
		Language: c.FormValue("language"), TimeZone: strings.TrimSpace(c.FormValue("time_zone")),
		Digest: c.FormValue("digest"), LeaderboardOptOut: c.FormValue("leaderboard_opt_out") != "", Errors: views.FieldErrors{}}
	p := account.Profile{Followers: map[string]int{}, Language: form.Language, Digest: account.Digest(form.Digest),
		LeaderboardOptOut: form.LeaderboardOptOut}
	for _, n := range followerNetworks {
		field := "followers-" + string(n)
		typed := strings.TrimSpace(c.FormValue(field))
		form.Followers[n] = typed
		count, problem := parseFollowers(typed)
		if problem != "" {
			form.Errors[field] = problem
		}
		p.Followers[string(n)] = count
	}
	if form.Mastodon != "" {
		host, ok := share.ParseInstance(form.Mastodon)
		if !ok {
			form.Errors["mastodon"] = problemInstance
		}
		p.MastodonInstance = host
	}
	if !slices.Contains(s.Guidelines.Languages, form.Language) {
		form.Errors["language"] = problemLanguage
	}
	if !validTimeZone(form.TimeZone) {
		form.Errors["time_zone"] = problemTimeZone
	}
	p.TimeZone = form.TimeZone
	if !p.Digest.Valid() {
		form.Errors["digest"] = problemDigest
	}
	if len(form.Errors) > 0 {
		return s.renderProfile(c, fiber.StatusUnprocessableEntity, form, false)
	}
	if err := s.Store.SaveProfile(ctx(c), userOf(c).ID, p); err != nil {
		return err
	}
	return c.Redirect("/profile?saved=1", fiber.StatusSeeOther)
}

// parseFollowers reads a follower count as people type it: empty is 0,
// thousands separators are allowed.
func parseFollowers(typed string) (int, string) {
	if typed == "" {
		return 0, ""
	}
	if thousands.MatchString(typed) {
		typed = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, typed)
	}
	if strings.TrimLeft(typed, "0123456789") != "" {
		return 0, problemFollowers
	}
	n, err := strconv.Atoi(typed)
	if err != nil || n > maxFollowers {
		return 0, problemFollowersHigh
	}
	return n, ""
}

// validTimeZone reports whether name is empty (UTC) or an IANA time zone.
func validTimeZone(name string) bool {
	if name == "" {
		return true
	}
	if name == "Local" || len(name) > 64 {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}
