// Package views holds the portal's pages as templ components. Every page
// takes a Chrome (what the layout needs) and a typed view model; views only
// present what handlers give them.
package views

import (
	"strings"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
)

// Chrome is what every page's layout needs.
type Chrome struct {
	Title     string
	User      *account.User // nil when signed out
	CSRF      string        // token for forms; empty when signed out
	Demo      bool          // demo sign-in is on: every page says so
	Active    string        // the navigation entry to mark as current, e.g. "feed"
	Lang      string        // language of the guidelines shown
	Dir       string        // "ltr" or "rtl"
	Languages []string      // the languages offered by the switcher
	Path      string        // the current page, to come back to after switching language
}

// navItem is an entry in the top navigation.
type navItem struct {
	Key, Label, Href string
}

// nav lists the entries the user's roles give them.
func (c Chrome) nav() []navItem {
	if c.User == nil {
		return nil
	}
	var items []navItem
	if c.User.Has(account.Employee) {
		items = append(items,
			navItem{"feed", "Feed", "/feed"},
			navItem{"training", "Training", "/training"},
			navItem{"my-reach", "My reach", "/my/reach"})
	}
	if c.User.HasAny(account.Comms, account.Admin) {
		items = append(items, navItem{"posts", "Content", "/posts"}, navItem{"reach", "Reach", "/reach"})
	}
	if c.User.HasAny(account.HR, account.Admin) {
		items = append(items, navItem{"hr", "HR", "/hr"})
	}
	if c.User.Has(account.Admin) {
		items = append(items, navItem{"admin", "Admin", "/admin/training"})
	}
	return items
}

// FieldErrors maps a form field's name to what is wrong with it.
type FieldErrors map[string]string

// dateTime formats a time for people: "22 Nov 2026, 14:05 UTC".
func dateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2 Jan 2006, 15:04 MST")
}

// shortDate formats a day for tables: "22 Nov 2026".
func shortDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2 Jan 2006")
}

// date formats a day for people: "22 November 2026".
func date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2 January 2006")
}

func statusText(status int) string {
	switch status {
	case 400:
		return "400 · Bad request"
	case 401:
		return "401 · Sign-in needed"
	case 403:
		return "403 · Not allowed"
	case 404:
		return "404 · Not found"
	case 405:
		return "405 · Not allowed here"
	case 409:
		return "409 · Conflict"
	case 413:
		return "413 · Too large"
	case 422:
		return "422 · Cannot accept this"
	}
	return "500 · Server error"
}

// TextDirection is "rtl" for languages written right to left, else "ltr".
func TextDirection(lang string) string {
	switch strings.SplitN(lang, "-", 2)[0] {
	case "ar", "he", "fa", "ur", "yi":
		return "rtl"
	}
	return "ltr"
}

// languageName is a language's name in that language, for the switcher.
func languageName(lang string) string {
	switch lang {
	case "en":
		return "English"
	case "nl":
		return "Nederlands"
	case "de":
		return "Deutsch"
	case "fr":
		return "Français"
	case "he":
		return "עברית"
	case "ru":
		return "Русский"
	case "ar":
		return "العربية"
	}
	return lang
}
