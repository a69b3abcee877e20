package handlers

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/webhook"
)

// profileRoleTable lists the routes of profileRoutes, for roleTable.
var profileRoleTable = []roleEntry{
	{"GET", "/profile", "/profile", signedIn},
	{"POST", "/profile", "/profile", signedIn},
	{"GET", "/admin/notifications", "/admin/notifications", adminOnly},
	{"POST", "/admin/notifications", "/admin/notifications", adminOnly},
}

// newProfileEnv is newTestEnv with the profile routes. Until routes()
// registers them, it serves them from an app of their own on the same
// store, sessions and error page.
func newProfileEnv(t *testing.T) *testEnv {
	t.Helper()
	env := newTestEnv(t)
	for _, r := range env.app.GetRoutes(true) {
		if r.Path == "/profile" {
			return env
		}
	}
	s := &server{Deps: Deps{Store: env.store, Guidelines: env.g, RoleMap: auth.RoleMap{}, GroupsClaim: "groups",
		BaseURL: testBaseURL, Policy: post.DefaultPolicy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: env.clock.Now}}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError, DisableStartupMessage: true})
	s.profileRoutes(router{app: app, s: s})
	env.app = app
	return env
}

func (env *testEnv) profile(t *testing.T, persona string) account.Profile {
	t.Helper()
	p, err := env.store.Profile(context.Background(), env.users[persona].ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// validProfile is a profile form that saves.
func validProfile() url.Values {
	return url.Values{
		"followers-linkedin": {"1,250"}, "followers-x": {" 40 "}, "followers-facebook": {""}, "followers-xing": {"0"},
		"followers-bluesky": {"12"}, "followers-mastodon": {"7"}, "followers-whatsapp": {""},
		"mastodon": {"@me@Fosstodon.org"}, "language": {"nl"}, "time_zone": {"Europe/Amsterdam"},
		"digest": {"daily"}, "leaderboard_opt_out": {"1"},
	}
}

func TestProfileSave(t *testing.T) {
	env := newProfileEnv(t)
	doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/profile", nil))
	if !has(doc, "profile-form") {
		t.Fatal("no profile form")
	}
	if _, checked := doc.Find(`[data-testid="digest-weekly"]`).Attr("checked"); !checked {
		t.Error("weekly digest is not the default choice")
	}
	for _, n := range []string{"email", "copy"} {
		if has(doc, "followers-"+n) {
			t.Errorf("form asks for followers on %s", n)
		}
	}

	resp := env.do(t, "employee", http.MethodPost, "/profile", validProfile())
	wantRedirect(t, resp, "/profile?saved=1")
	got := env.profile(t, "employee")
	wantFollowers := map[string]int{"linkedin": 1250, "x": 40, "bluesky": 12, "mastodon": 7}
	if !maps.Equal(got.Followers, wantFollowers) || got.MastodonInstance != "fosstodon.org" || got.Language != "nl" ||
		got.TimeZone != "Europe/Amsterdam" || got.Digest != account.DigestDaily || !got.LeaderboardOptOut {
		t.Fatalf("saved profile = %+v, want followers %v and the rest of the form", got, wantFollowers)
	}

	doc = mustDoc(t, env.do(t, "employee", http.MethodGet, "/profile?saved=1", nil))
	if !has(doc, "saved") {
		t.Error("no saved notice")
	}
	if v := attr(t, doc.Find(`[data-testid="followers-linkedin"]`), "value"); v != "1250" {
		t.Errorf("LinkedIn followers shown as %q, want 1250", v)
	}
	if v := attr(t, doc.Find(`[data-testid="mastodon"]`), "value"); v != "fosstodon.org" {
		t.Errorf("Mastodon server shown as %q", v)
	}
	if lang := attr(t, doc.Find("html"), "lang"); lang != "nl" {
		t.Errorf("after choosing Dutch the page is in %q", lang)
	}
	if h1 := doc.Find("h1").First().Text(); h1 != "Je profiel" {
		t.Errorf("heading %q, want Dutch", h1)
	}

	// Turning things off again: empty fields, no box ticked, digest off.
	form := url.Values{"language": {"en"}, "digest": {"off"}, "followers-linkedin": {"0"}}
	wantRedirect(t, env.do(t, "employee", http.MethodPost, "/profile", form), "/profile?saved=1")
	got = env.profile(t, "employee")
	if len(got.Followers) != 0 || got.MastodonInstance != "" || got.TimeZone != "" || got.Digest != account.DigestOff || got.LeaderboardOptOut {
		t.Errorf("profile after clearing = %+v, want everything off", got)
	}
}

func TestProfileRefusesBadInput(t *testing.T) {
	tests := []struct {
		name, field, value string
		testid             string // of the input that must keep the value
	}{
		{"negative followers", "followers-x", "-5", "followers-x"},
		{"followers not a number", "followers-linkedin", "lots", "followers-linkedin"},
		{"followers with a decimal", "followers-bluesky", "1,5", "followers-bluesky"},
		{"too many followers", "followers-facebook", "12345678901", "followers-facebook"},
		{"mastodon server", "mastodon", "not a server!", "mastodon"},
		{"unknown time zone", "time_zone", "Mars/Olympus_Mons", "time-zone"},
		{"local time zone", "time_zone", "Local", "time-zone"},
		{"path as time zone", "time_zone", "../../etc/passwd", "time-zone"},
		{"language", "language", "xx", ""},
		{"digest", "digest", "hourly", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newProfileEnv(t)
			before := env.profile(t, "employee")
			form := validProfile()
			form.Set(tt.field, tt.value)
			resp := env.do(t, "employee", http.MethodPost, "/profile", form)
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := mustDoc(t, resp)
			errorID := "error-" + tt.field
			if !has(doc, errorID) || !has(doc, "form-problem") {
				t.Errorf("no %s message", errorID)
			}
			if n := doc.Find(".field-error").Length(); n != 1 {
				t.Errorf("%d field messages, want only the one", n)
			}
			if tt.testid != "" {
				if v := attr(t, doc.Find(`[data-testid="`+tt.testid+`"]`), "value"); v != tt.value {
					t.Errorf("input kept as %q, want %q", v, tt.value)
				}
			}
			if v := attr(t, doc.Find(`[data-testid="followers-linkedin"]`), "value"); tt.field != "followers-linkedin" && v != "1,250" {
				t.Errorf("other input kept as %q, want what was typed", v)
			}
			if after := env.profile(t, "employee"); !maps.Equal(after.Followers, before.Followers) || after.Digest != before.Digest ||
				after.Language != before.Language || after.TimeZone != before.TimeZone || after.MastodonInstance != before.MastodonInstance {
				t.Errorf("profile changed to %+v despite the error", after)
			}
		})
	}
}

func TestProfileProblemsInDutch(t *testing.T) {
	env := newProfileEnv(t)
	if err := env.store.SetLanguage(context.Background(), env.users["employee"].ID, "nl"); err != nil {
		t.Fatal(err)
	}
	form := validProfile()
	form.Set("followers-x", "veel")
	form.Set("mastodon", "geen server")
	form.Set("time_zone", "Nergens")
	resp := env.do(t, "employee", http.MethodPost, "/profile", form)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	doc := mustDoc(t, resp)
	for id, want := range map[string]string{
		"error-followers-x": "Vul een heel getal in, 0 of meer.",
		"error-mastodon":    "Dat lijkt geen servernaam. Typ hem zoals mastodon.social.",
		"error-time_zone":   "Die tijdzone kennen we niet. Kies er een uit de lijst, zoals Europe/Amsterdam.",
	} {
		if got := strings.TrimSpace(doc.Find(`[data-testid="` + id + `"]`).Text()); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
}

func TestNotificationSettings(t *testing.T) {
	env := newProfileEnv(t)
	ctx := context.Background()
	const slackSecret = "T0001/B0001/slacksecretvalue"
	slack := "https://hooks.slack.com/services/" + slackSecret
	teams := "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=teamssecretvalue"

	doc := mustDoc(t, env.do(t, "admin", http.MethodGet, "/admin/notifications", nil))
	if !has(doc, "webhook-settings") || !has(doc, "deliveries-empty") {
		t.Fatal("settings page without its form or delivery list")
	}

	refused := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"http", url.Values{"slack": {"http://hooks.slack.com/services/x"}}, "slack"},
		{"not a URL", url.Values{"teams": {"prod-01.westeurope.logic.azure.com/workflows"}}, "teams"},
		{"one of two wrong", url.Values{"slack": {slack}, "teams": {"ftp://example.com/hook"}}, "teams"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.do(t, "admin", http.MethodPost, "/admin/notifications", tt.form)
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := mustDoc(t, resp)
			if !has(doc, "error-"+tt.field) {
				t.Errorf("no message for %s", tt.field)
			}
			for _, target := range []string{"slack", "teams"} {
				if v := attr(t, doc.Find(`[data-testid="webhook-url-`+target+`"]`), "value"); v != tt.form.Get(target) {
					t.Errorf("%s input kept as %q, want %q", target, v, tt.form.Get(target))
				}
			}
			for _, target := range webhook.Targets {
				if u, err := env.store.WebhookURL(ctx, target); err != nil || u != "" {
					t.Errorf("%s saved as %q despite the error (error: %v)", target, u, err)
				}
			}
		})
	}
	if n := len(env.auditEntries(t, "settings.change")); n != 0 {
		t.Fatalf("%d settings changes logged after refused saves, want none", n)
	}

	resp := env.do(t, "admin", http.MethodPost, "/admin/notifications", url.Values{"slack": {" " + slack + " "}, "teams": {teams}})
	wantRedirect(t, resp, "/admin/notifications?saved=1")
	for target, want := range map[webhook.Target]string{webhook.Slack: slack, webhook.Teams: teams} {
		if got, err := env.store.WebhookURL(ctx, target); err != nil || got != want {
			t.Errorf("%s webhook = %q, want %q (error: %v)", target, got, want, err)
		}
	}
	entries := env.auditEntries(t, "settings.change")
	if len(entries) != 2 {
		t.Fatalf("audit entries = %+v, want one per webhook", entries)
	}
	for _, e := range entries {
		if e.ActorID != env.users["admin"].ID || !strings.HasPrefix(e.Target, "setting:webhook_") ||
			strings.Contains(e.After, "secretvalue") || e.After == "" {
			t.Errorf("audit entry %+v: want the admin, the setting, and the URL redacted", e)
		}
	}

	resp = env.do(t, "admin", http.MethodGet, "/admin/notifications?saved=1", nil)
	wantStatus(t, resp, http.StatusOK)
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "secretvalue") {
		t.Error("the settings page shows a webhook URL")
	}
	if doc, err = goquery.NewDocumentFromReader(strings.NewReader(string(body))); err != nil {
		t.Fatal(err)
	}
	if !has(doc, "saved") || !strings.Contains(doc.Find(`[data-testid="configured-slack"]`).Text(), "https://hooks.slack.com") {
		t.Errorf("page after saving does not say the webhooks are set")
	}

	// An empty field keeps the URL; the remove box clears it; both at once
	// is refused.
	wantRedirect(t, env.do(t, "admin", http.MethodPost, "/admin/notifications", url.Values{}), "/admin/notifications?saved=1")
	if got, err := env.store.WebhookURL(ctx, webhook.Slack); err != nil || got != slack {
		t.Errorf("after saving an empty form Slack is %q, want it kept (error: %v)", got, err)
	}
	resp = env.do(t, "admin", http.MethodPost, "/admin/notifications", url.Values{"slack": {slack}, "slack-remove": {"1"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	wantRedirect(t, env.do(t, "admin", http.MethodPost, "/admin/notifications", url.Values{"slack-remove": {"1"}}), "/admin/notifications?saved=1")
	if got, err := env.store.WebhookURL(ctx, webhook.Slack); err != nil || got != "" {
		t.Errorf("after removing, Slack is %q (error: %v)", got, err)
	}
	if got, err := env.store.WebhookURL(ctx, webhook.Teams); err != nil || got != teams {
		t.Errorf("removing Slack changed Teams to %q (error: %v)", got, err)
	}
	if n := len(env.auditEntries(t, "settings.change")); n != 3 {
		t.Errorf("%d settings changes logged, want 3 (two set, one removed)", n)
	}
}
