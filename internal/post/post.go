// Package post holds what a shareable post and a campaign are and the rules
// of a post's workflow: which fields it needs and who may move it between
// states. Its Service runs the use cases (write, edit, submit, approve,
// send back, archive, draft from a content source's item, the review
// queue) over a Repository that the store implements. Beside it, each over
// a small repository of its own: Campaigns (list and create campaigns),
// Calendar (the calendar page and the token-protected feeds of posts) and
// Images (who may see a post's image).
package post

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
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

// Suggestion is suggested commentary for one network ("" for any).
type Suggestion struct {
	Network string
	Text    string
}

// Post is a piece of content that employees can share once approved.
type Post struct {
	ID           int64
	Title        string
	URL          string
	Suggestions  []Suggestion // in order; employees may edit them before sharing
	Hashtags     []string     // without '#'
	Category     Category
	Language     string
	CampaignID   int64
	CampaignName string
	Slug         string // of the campaign if it has one, else of the title: utm_campaign
	Status       Status
	AuthorID     int64
	AuthorName   string
	ApproverID   int64
	Editors      []Editor // who wrote or changed its content since it was last approved, in the order they first did
	SuggestedBy  string   // the employee who suggested the link, if one did
	Note         string   // the suggester's note
	ImageID      int64    // 0: no image
	GroupIDs     []int64
	Groups       []string // names of the groups it is for; none: everyone
	PublishAt    time.Time
	ExpiresAt    time.Time // zero means never
	WentLiveAt   time.Time // when the scheduler published it
	ExpiredAt    time.Time // when the scheduler saw it expire
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AsFields is the post's stored fields, as an edit starts from them.
func (p Post) AsFields() Fields {
	return Fields{Title: p.Title, URL: p.URL, Category: p.Category, Language: p.Language, CampaignID: p.CampaignID,
		Hashtags: p.Hashtags, Suggestions: p.Suggestions, GroupIDs: p.GroupIDs, PublishAt: p.PublishAt,
		ExpiresAt: p.ExpiresAt, ImageID: p.ImageID, Note: p.Note}
}

// Phase is where a post stands, from its status and times.
type Phase string

// The phases of a post.
const (
	PhaseDraft     Phase = "draft"
	PhaseInReview  Phase = "in_review"
	PhaseScheduled Phase = "scheduled"
	PhaseLive      Phase = "live"
	PhaseExpired   Phase = "expired"
	PhaseArchived  Phase = "archived"
)

// Label is the phase as people read it.
func (ph Phase) Label() string {
	switch ph {
	case PhaseDraft:
		return "Draft"
	case PhaseInReview:
		return "In review"
	case PhaseScheduled:
		return "Scheduled"
	case PhaseLive:
		return "Live"
	case PhaseExpired:
		return "Expired"
	case PhaseArchived:
		return "Archived"
	}
	return string(ph)
}

// Phase returns where the post stands at now. Only an approved post's
// times decide its phase: it is scheduled while it has no publish time or
// its publish time is after now, live from its publish time on, and
// expired from its expiry on (the expiry itself is no longer live). This
// is the one definition of "live": storage that selects posts by phase in
// SQL takes the status (Approved) and the time as parameters, and a test
// holds its answer to this one.
func (p Post) Phase(now time.Time) Phase {
	switch p.Status {
	case Draft:
		return PhaseDraft
	case InReview:
		return PhaseInReview
	case Archived:
		return PhaseArchived
	}
	switch {
	case p.PublishAt.IsZero() || p.PublishAt.After(now):
		return PhaseScheduled
	case !p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt):
		return PhaseExpired
	}
	return PhaseLive
}

// Live reports whether employees can see and share the post at now.
func (p Post) Live(now time.Time) bool { return p.Phase(now) == PhaseLive }

// SuggestionFor returns the first suggested text for network, or the first
// one for any network, or "".
func (p Post) SuggestionFor(network string) string {
	for _, s := range p.Suggestions {
		if s.Network == network {
			return s.Text
		}
	}
	for _, s := range p.Suggestions {
		if s.Network == "" {
			return s.Text
		}
	}
	return ""
}

// WithHashtags is a suggested text as it is offered for sharing: the
// post's hashtags are added at the end unless the text has hashtags of its
// own (then the author placed them).
func (p Post) WithHashtags(text string) string {
	if tags := p.HashtagText(); tags != "" && !strings.Contains(text, "#") {
		return strings.TrimSpace(text + " " + tags)
	}
	return text
}

// ShareText is what a network's share page is filled in with, before the
// employee edits it: the suggestion for the network (or for any network)
// with the hashtags. Networks that take no text get "".
func (p Post) ShareText(network string, prefills bool) string {
	if !prefills {
		return ""
	}
	return p.WithHashtags(p.SuggestionFor(network))
}

// HashtagText is the hashtags as they are written in a post: "#a #b".
func (p Post) HashtagText() string {
	tags := make([]string, len(p.Hashtags))
	for i, h := range p.Hashtags {
		tags[i] = "#" + h
	}
	return strings.Join(tags, " ")
}

// Event is one change of a post's status.
type Event struct {
	ActorName string // empty when the portal itself acted (scheduling, expiry)
	From, To  Status
	Label     string // what happened, when it is not a status change
	Comment   string
	At        time.Time
}

// Input is a post as an author typed it in the form.
type Input struct {
	Title       string
	URL         string
	Category    string
	Language    string
	Campaign    string // campaign id, or ""
	Hashtags    string // as typed: "#launch, #jobs"
	Suggestions []Suggestion
	Groups      []string // group ids
	PublishAt   string   // "2006-01-02T15:04" in TimeZone, or ""
	ExpiresAt   string
	TimeZone    string // IANA name the times were typed in; "" means UTC
	Note        string
}

// Fields is a checked post, ready to store.
type Fields struct {
	Title       string
	URL         string
	Category    Category
	Language    string
	CampaignID  int64
	Hashtags    []string
	Suggestions []Suggestion
	GroupIDs    []int64
	PublishAt   time.Time // zero: as soon as it is approved
	ExpiresAt   time.Time // zero: never
	ImageID     int64
	Note        string
}

// Limits on the fields of a post.
const (
	MaxTitle       = 200
	MaxSuggestion  = 3000
	MaxSuggestions = 12
	MaxURL         = 2000
	MaxHashtags    = 10
)

// Languages posts can be in.
var Languages = []string{"en", "nl", "de", "fr"}

// DateTimeLayout is how forms send times (an HTML datetime-local input).
const DateTimeLayout = "2006-01-02T15:04"

var hashtagPattern = regexp.MustCompile(`^[\pL\pN_]{1,100}$`)

// Validate checks the input and returns the fields, or a message per field
// that is wrong, keyed by field name ("title", "url", "publish_at", …).
// now is used to refuse an expiry in the past.
func (in *Input) Validate(now time.Time) (Fields, map[string]string) {
	in.Title = strings.TrimSpace(in.Title)
	in.URL = strings.TrimSpace(in.URL)
	errs := map[string]string{}
	d := Fields{Title: in.Title, URL: in.URL, Category: Category(in.Category), Language: in.Language, Note: strings.TrimSpace(in.Note)}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		errs["title"] = "Give the post a title."
	case n > MaxTitle:
		errs["title"] = "Keep the title under 200 characters."
	}
	if msg := CheckURL(in.URL); msg != "" {
		errs["url"] = msg
	}
	if !slices.Contains(Categories, d.Category) {
		errs["category"] = "Choose a category."
	}
	if d.Language == "" {
		d.Language = "en"
	}
	if !slices.Contains(Languages, d.Language) {
		errs["language"] = "Choose a language."
	}
	if in.Campaign != "" {
		id, err := strconv.ParseInt(in.Campaign, 10, 64)
		if err != nil || id <= 0 {
			errs["campaign"] = "Choose a campaign from the list."
		}
		d.CampaignID = id
	}
	var msg string
	if d.Hashtags, msg = ParseHashtags(in.Hashtags); msg != "" {
		errs["hashtags"] = msg
	}
	for _, s := range in.Suggestions {
		s.Text = strings.TrimSpace(s.Text)
		if s.Text == "" {
			continue
		}
		if utf8.RuneCountInString(s.Text) > MaxSuggestion {
			errs["suggestions"] = "Keep each suggestion under 3000 characters."
		}
		d.Suggestions = append(d.Suggestions, s)
	}
	if len(d.Suggestions) > MaxSuggestions {
		errs["suggestions"] = "Use at most 12 suggestions."
	}
	for _, g := range in.Groups {
		id, err := strconv.ParseInt(g, 10, 64)
		if err != nil || id <= 0 {
			errs["groups"] = "Choose groups from the list."
			break
		}
		if !slices.Contains(d.GroupIDs, id) {
			d.GroupIDs = append(d.GroupIDs, id)
		}
	}
	loc := time.UTC
	if in.TimeZone != "" {
		l, err := time.LoadLocation(in.TimeZone)
		if err != nil {
			errs["publish_at"] = "Your time zone is unknown; set it in your profile."
		} else {
			loc = l
		}
	}
	var err error
	if in.PublishAt != "" {
		if d.PublishAt, err = time.ParseInLocation(DateTimeLayout, in.PublishAt, loc); err != nil {
			errs["publish_at"] = "Give a date and time, or leave it empty to publish when approved."
		}
	}
	if in.ExpiresAt != "" {
		if d.ExpiresAt, err = time.ParseInLocation(DateTimeLayout, in.ExpiresAt, loc); err != nil {
			errs["expires_at"] = "Give a date and time, or leave it empty for no expiry."
		} else if !d.ExpiresAt.After(now) {
			errs["expires_at"] = "The expiry is in the past."
		} else if !d.PublishAt.IsZero() && !d.ExpiresAt.After(d.PublishAt) {
			errs["expires_at"] = "The post must expire after it is published."
		}
	}
	d.PublishAt, d.ExpiresAt = d.PublishAt.UTC(), d.ExpiresAt.UTC()
	if len(errs) > 0 {
		return Fields{}, errs
	}
	return d, nil
}

// ParseHashtags reads hashtags as an author types them ("#launch, jobs"):
// without '#', without duplicates (ignoring case). It returns what it could
// read and, if something is wrong, a message saying what.
func ParseHashtags(typed string) (tags []string, problem string) {
	for _, tag := range strings.FieldsFunc(typed, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		tag = strings.TrimPrefix(tag, "#")
		if tag == "" {
			continue
		}
		if !hashtagPattern.MatchString(tag) {
			problem = fmt.Sprintf("#%s is not a hashtag: use letters, digits and _ only.", tag)
			continue
		}
		if !slices.ContainsFunc(tags, func(h string) bool { return strings.EqualFold(h, tag) }) {
			tags = append(tags, tag)
		}
	}
	if len(tags) > MaxHashtags && problem == "" {
		problem = "Use at most 10 hashtags."
	}
	return tags, problem
}

// CheckURL returns why raw is not a web address a post may link to, or "".
func CheckURL(raw string) string {
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
