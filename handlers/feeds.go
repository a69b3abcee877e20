package handlers

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
)

// feedPosts returns the posts of the feeds of posts for the request's
// token (post.Calendar.Subscribed): the live and scheduled posts, latest
// publish time first, as of when they were judged. An unknown token, or
// one of a person who is no longer comms, is a 404: the feed does not say
// whether it exists.
func (s *server) feedPosts(c *fiber.Ctx) (post.Schedule, error) {
	hash := ""
	if token := c.Query("token"); token != "" {
		hash = auth.HashToken(token)
	}
	sched, err := s.Calendar.Subscribed(ctx(c), hash)
	if err != nil {
		return sched, err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Referrer-Policy", "no-referrer")
	return sched, nil
}

// publishTime is when a post goes (or went) live: its publish time, or,
// for one published as soon as approved, when it went live.
func publishTime(p post.Post) time.Time {
	switch {
	case !p.PublishAt.IsZero():
		return p.PublishAt
	case !p.WentLiveAt.IsZero():
		return p.WentLiveAt
	}
	return p.UpdatedAt
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Author    atomPerson `xml:"author"`
	Category  []atomCat  `xml:"category"`
	Summary   string     `xml:"summary"`
}

type atomCat struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

// servePostsAtom serves the live and scheduled posts as an Atom feed.
func (s *server) servePostsAtom(c *fiber.Ctx) error {
	sched, err := s.feedPosts(c)
	if err != nil {
		return err
	}
	body, err := atomOf(sched.Posts, s.BaseURL, sched.Now)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	return c.Send(body)
}

// atomOf writes posts as an Atom feed (RFC 4287) of the portal at baseURL.
func atomOf(posts []post.Post, baseURL string, now time.Time) ([]byte, error) {
	f := atomFeed{ID: baseURL + "/feeds/posts.atom", Title: "Advocacy portal: live and scheduled posts",
		Updated: now.UTC().Format(time.RFC3339), Author: atomPerson{Name: "Advocacy portal"},
		Links: []atomLink{{Rel: "alternate", Href: baseURL + "/calendar", Type: "text/html"}}}
	var newest time.Time
	for _, p := range posts {
		if p.UpdatedAt.After(newest) {
			newest = p.UpdatedAt
		}
		at := publishTime(p)
		summary := fmt.Sprintf("%s from %s. %s", p.Phase(now).Label(), at.UTC().Format("2 January 2006 15:04 MST"), p.URL)
		if p.CampaignName != "" {
			summary += " Campaign: " + p.CampaignName + "."
		}
		f.Entries = append(f.Entries, atomEntry{
			ID: fmt.Sprintf("%s/posts/%d", baseURL, p.ID), Title: p.Title,
			Updated: p.UpdatedAt.UTC().Format(time.RFC3339), Published: at.UTC().Format(time.RFC3339),
			Links: []atomLink{{Rel: "alternate", Href: fmt.Sprintf("%s/posts/%d", baseURL, p.ID), Type: "text/html"},
				{Rel: "related", Href: p.URL}},
			Author:   atomPerson{Name: p.AuthorName},
			Category: []atomCat{{Term: string(p.Category), Label: p.Category.Label()}},
			Summary:  summary,
		})
	}
	if !newest.IsZero() {
		f.Updated = newest.UTC().Format(time.RFC3339)
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("atom feed: %w", err)
	}
	return append([]byte(xml.Header), out...), nil
}

// servePostsCalendar serves the live and scheduled posts as an iCalendar
// feed, one event per post at its publish time.
func (s *server) servePostsCalendar(c *fiber.Ctx) error {
	sched, err := s.feedPosts(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	return c.SendString(calendarOf(sched.Posts, s.BaseURL, sched.Now))
}

// calendarOf writes posts as an iCalendar stream (RFC 5545): CRLF line
// ends, lines folded at 75 octets, text escaped, times in UTC.
func calendarOf(posts []post.Post, baseURL string, now time.Time) string {
	host := baseURL
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	var b strings.Builder
	line := func(name, value string) { b.WriteString(foldLine(name + ":" + value)) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Advocacy portal//Posts//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", icsText("Advocacy portal posts"))
	for _, p := range posts {
		at := publishTime(p)
		line("BEGIN", "VEVENT")
		line("UID", fmt.Sprintf("post-%d@%s", p.ID, host))
		line("DTSTAMP", icsTime(now))
		line("LAST-MODIFIED", icsTime(p.UpdatedAt))
		line("DTSTART", icsTime(at))
		line("DURATION", "PT15M")
		line("SUMMARY", icsText(p.Title))
		desc := fmt.Sprintf("%s · %s\n%s\n%s/posts/%d", p.Phase(now).Label(), p.Category.Label(), p.URL, baseURL, p.ID)
		if p.CampaignName != "" {
			desc += "\nCampaign: " + p.CampaignName
		}
		line("DESCRIPTION", icsText(desc))
		line("CATEGORIES", icsText(p.Category.Label()))
		line("URL", fmt.Sprintf("%s/posts/%d", baseURL, p.ID))
		line("TRANSP", "TRANSPARENT")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return b.String()
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value: backslash, semicolon, comma and newlines.
var icsEscaper = strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

func icsText(s string) string { return icsEscaper.Replace(s) }

// foldLine ends a content line with CRLF, folding it so that no line is
// longer than 75 octets, without splitting a UTF-8 character.
func foldLine(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space of a continuation counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}
