// Package post holds what a shareable post is and the rules of its
// workflow: which fields it needs and who may move it between states.
package post

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a post stands in its workflow.
type Status string

// The workflow: draft → in review → approved (scheduled until its publish
// time, then live) → archived.
const (
	Draft    Status = "draft"
	InReview Status = "in_review"
	Approved Status = "approved"
	Archived Status = "archived"
)

// Label is the status as people read it.
func (s Status) Label() string {
	switch s {
	case Draft:
		return "Draft"
	case InReview:
		return "In review"
	case Approved:
		return "Approved"
	case Archived:
		return "Archived"
	}
	return string(s)
}

// Category is the kind of content; comms watch the mix.
type Category string

// The categories a post can have.
const (
	CompanyNews     Category = "company_news"
	IndustryInsight Category = "industry_insight"
	Culture         Category = "culture"
	Jobs            Category = "jobs"
	Product         Category = "product"
)

// Categories lists every category in the order forms offer them.
var Categories = []Category{CompanyNews, IndustryInsight, Culture, Jobs, Product}

// Label is the category as people read it.
func (c Category) Label() string {
	switch c {
	case CompanyNews:
		return "Company news"
	case IndustryInsight:
		return "Industry insight"
	case Culture:
		return "Culture"
	case Jobs:
		return "Jobs"
	case Product:
		return "Product"
	}
	return string(c)
}

// Post is a piece of content that employees can share once approved.
type Post struct {
	ID         int64
	Title      string
	URL        string
	Commentary string // suggested text employees may edit before sharing
	Category   Category
	Campaign   string
	Slug       string
	Status     Status
	AuthorID   int64
	AuthorName string
	ApproverID int64
	PublishAt  time.Time // zero until approved
	ExpiresAt  time.Time // zero means never
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Live reports whether employees can see and share the post at now.
func (p Post) Live(now time.Time) bool {
	return p.Status == Approved && !p.PublishAt.IsZero() && !p.PublishAt.After(now) &&
		(p.ExpiresAt.IsZero() || now.Before(p.ExpiresAt))
}

// Event is one change of a post's status.
type Event struct {
	ActorName string
	From, To  Status
	Comment   string
	At        time.Time
}

// Input is what an author submits to create a post.
type Input struct {
	Title      string
	URL        string
	Commentary string
	Category   string
	Campaign   string
}

// Limits on the fields of a post.
const (
	MaxTitle      = 200
	MaxCommentary = 3000
	MaxURL        = 2000
)

// Validate checks the input and returns a message per field that is wrong,
// keyed by field name ("title", "url", …); an empty map means it is fine.
func (in *Input) Validate() map[string]string {
	in.Title = strings.TrimSpace(in.Title)
	in.URL = strings.TrimSpace(in.URL)
	in.Commentary = strings.TrimSpace(in.Commentary)
	in.Campaign = strings.TrimSpace(in.Campaign)
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		errs["title"] = "Give the post a title."
	case n > MaxTitle:
		errs["title"] = "Keep the title under 200 characters."
	}
	if msg := checkURL(in.URL); msg != "" {
		errs["url"] = msg
	}
	if utf8.RuneCountInString(in.Commentary) > MaxCommentary {
		errs["commentary"] = "Keep the suggested commentary under 3000 characters."
	}
	valid := false
	for _, c := range Categories {
		valid = valid || string(c) == in.Category
	}
	if !valid {
		errs["category"] = "Choose a category."
	}
	return errs
}

func checkURL(raw string) string {
	if raw == "" {
		return "Add the link the post is about."
	}
	if len(raw) > MaxURL {
		return "That link is too long."
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "Use a full web address starting with https:// (or http://)."
	}
	return ""
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify makes a campaign-style identifier from a title, for UTM parameters.
func Slugify(title string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(title), "-"), "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	if s == "" {
		s = "post"
	}
	return s
}
