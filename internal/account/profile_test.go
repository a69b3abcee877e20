package account_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
)

func TestParseFollowers(t *testing.T) {
	tests := []struct {
		typed       string
		want        int
		wantProblem bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"0", 0, false},
		{"42", 42, false},
		{" 40 ", 40, false},
		{"1,250", 1250, false},
		{"12.500", 12500, false},
		{"12 500", 12500, false},
		{"12'500", 12500, false},
		{"1’000’000", 1000000, false},
		{"999999999", 999999999, false},
		{"1000000000", 0, true},
		{"12345678901", 0, true},
		{"-5", 0, true},
		{"lots", 0, true},
		{"1,5", 0, true},
		{"1,2345", 0, true},
		{"+3", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			n, problem := account.ParseFollowers(tt.typed)
			if n != tt.want || (problem != "") != tt.wantProblem {
				t.Errorf("ParseFollowers(%q) = %d, %q; want %d, a problem: %t", tt.typed, n, problem, tt.want, tt.wantProblem)
			}
		})
	}
}

func TestValidTimeZone(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"", true},
		{"UTC", true},
		{"Europe/Amsterdam", true},
		{"Asia/Jerusalem", true},
		{"Local", false},
		{"Mars/Olympus_Mons", false},
		{"../../etc/passwd", false},
		{"Europe/" + strings.Repeat("x", 60), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := account.ValidTimeZone(tt.name); got != tt.want {
				t.Errorf("ValidTimeZone(%q) = %t, want %t", tt.name, got, tt.want)
			}
		})
	}
}

// instance is a stand-in for share.ParseInstance: a host name with a dot.
func instance(typed string) (string, bool) {
	host := strings.ToLower(strings.TrimPrefix(typed, "@me@"))
	return host, strings.Contains(host, ".") && !strings.Contains(host, " ")
}

func newProfiles() (*account.Profiles, *fakeRepo) {
	r := newFakeRepo()
	return account.NewProfiles(r, account.ProfileOptions{Networks: []string{"linkedin", "x"}, Languages: []string{"en", "nl"},
		Instance: instance}), r
}

func validForm() account.ProfileForm {
	return account.ProfileForm{Followers: map[string]string{"linkedin": "1,250", "x": " 40 "}, Mastodon: " @me@Fosstodon.org ",
		Language: "nl", TimeZone: " Europe/Amsterdam ", Digest: "daily", LeaderboardOptOut: true}
}

func TestProfilesCheck(t *testing.T) {
	p, _ := newProfiles()
	got, problems := p.Check(validForm())
	want := account.Profile{Followers: map[string]int{"linkedin": 1250, "x": 40}, MastodonInstance: "fosstodon.org", Language: "nl",
		TimeZone: "Europe/Amsterdam", Digest: account.DigestDaily, LeaderboardOptOut: true}
	if len(problems) != 0 || !maps.Equal(got.Followers, want.Followers) || got.MastodonInstance != want.MastodonInstance ||
		got.Language != want.Language || got.TimeZone != want.TimeZone || got.Digest != want.Digest || !got.LeaderboardOptOut {
		t.Fatalf("Check = %+v, %v; want %+v", got, problems, want)
	}

	tests := []struct {
		name      string
		change    func(*account.ProfileForm)
		wantField string // the one field with a problem
	}{
		{"followers not a number", func(f *account.ProfileForm) { f.Followers["x"] = "lots" }, "followers-x"},
		{"too many followers", func(f *account.ProfileForm) { f.Followers["linkedin"] = "12345678901" }, "followers-linkedin"},
		{"a Mastodon server that is not one", func(f *account.ProfileForm) { f.Mastodon = "not a server!" }, "mastodon"},
		{"a language not offered", func(f *account.ProfileForm) { f.Language = "xx" }, "language"},
		{"no language", func(f *account.ProfileForm) { f.Language = "" }, "language"},
		{"an unknown time zone", func(f *account.ProfileForm) { f.TimeZone = "Mars/Olympus_Mons" }, "time_zone"},
		{"an unknown digest", func(f *account.ProfileForm) { f.Digest = "hourly" }, "digest"},
		{"no digest", func(f *account.ProfileForm) { f.Digest = "" }, "digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validForm()
			f.Followers = maps.Clone(f.Followers)
			tt.change(&f)
			_, problems := p.Check(f)
			if keys := slices.Collect(maps.Keys(problems)); !slices.Equal(keys, []string{tt.wantField}) {
				t.Errorf("problems %v, want only on %s", problems, tt.wantField)
			}
		})
	}

	t.Run("empty fields are nothing", func(t *testing.T) {
		got, problems := p.Check(account.ProfileForm{Language: "en", Digest: "off", Followers: map[string]string{"mastodon": "12"}})
		if len(problems) != 0 || got.MastodonInstance != "" || got.TimeZone != "" ||
			!maps.Equal(got.Followers, map[string]int{"linkedin": 0, "x": 0}) {
			t.Errorf("Check = %+v, %v; want every network at 0 and only the options' networks", got, problems)
		}
	})
}

func TestProfilesSave(t *testing.T) {
	ctx := context.Background()
	p, r := newProfiles()
	if err := p.Save(ctx, sam, validForm()); err != nil {
		t.Fatal(err)
	}
	if got := r.saved[sam]; got.MastodonInstance != "fosstodon.org" || got.Followers["linkedin"] != 1250 {
		t.Errorf("saved %+v", got)
	}
	bad := validForm()
	bad.Digest = "hourly"
	var problems account.FieldErrors
	if err := p.Save(ctx, ada, bad); !errors.As(err, &problems) || apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("Save = %v, want FieldErrors", err)
	}
	if _, ok := r.saved[ada]; ok {
		t.Errorf("a refused profile was saved")
	}
	r.fail = errNotFound
	if err := p.Save(ctx, gone, validForm()); !errors.Is(err, account.ErrNoUser) {
		t.Errorf("an unknown user: %v, want ErrNoUser", err)
	}
}

func TestChooseLanguage(t *testing.T) {
	ctx := context.Background()
	p, r := newProfiles()
	if err := p.ChooseLanguage(ctx, sam, "nl"); err != nil || r.language[sam] != "nl" {
		t.Fatalf("ChooseLanguage = %v, recorded %q", err, r.language[sam])
	}
	err := p.ChooseLanguage(ctx, sam, "xx")
	if !errors.Is(err, account.ErrUnknownLanguage) || apperr.KindOf(err) != apperr.Invalid ||
		apperr.MessageOf(err) != "That language is not available." || r.language[sam] != "nl" {
		t.Errorf("ChooseLanguage(xx) = %v, recorded %q; want it refused", err, r.language[sam])
	}
}
