package letter

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Training kinds: the reminders a training mail can carry, least pressing
// first. A mail about several is named after the most pressing.
const (
	TrainingAssigned = "assigned"
	TrainingDueSoon  = "due-soon"
	TrainingOverdue  = "overdue"
)

// TrainingKinds lists the training kinds, least pressing first.
var TrainingKinds = []string{TrainingAssigned, TrainingDueSoon, TrainingOverdue}

// Training is the mail about training assigned to a person: newly
// assigned, due soon, or overdue.
type Training struct {
	Name    string   // the reader's
	Kind    string   // one of TrainingKinds
	Modules []Module // in the reader's language
	URL     string   // the training page
}

// Module is one module a training mail lists.
type Module struct {
	Title string
	Due   time.Time
}

// Write returns the mail in lang.
func (m Training) Write(lang string) Letter {
	w := newWriter(lang)
	kind := m.Kind
	switch kind {
	case TrainingAssigned, TrainingDueSoon, TrainingOverdue:
	default:
		kind = TrainingOverdue
	}
	w.greet(m.Name)
	w.para(w.t("training." + kind + ".intro"))
	var items []string
	for _, mod := range m.Modules {
		item := w.t("training.module", "title", oneLine(mod.Title), "date", w.date(mod.Due))
		if !slices.Contains(items, item) {
			items = append(items, item)
		}
	}
	w.list(items)
	switch kind {
	case TrainingAssigned:
		w.para(w.t("training.assigned.unlock"))
	case TrainingOverdue:
		w.para(w.t("training.overdue.more"))
	}
	w.button(w.t("training.button"), m.URL)
	w.note(w.t("training.why"))
	return w.finish(w.t("training." + kind + ".subject"))
}

// Digest is the email digest of the posts that went live for a person.
type Digest struct {
	Name   string // the reader's
	Weekly bool   // a weekly digest; otherwise daily
	// Titles are the titles of the posts listed, newest first; More counts
	// the posts left out of the list, which the feed shows.
	Titles         []string
	More           int
	FeedURL        string
	ProfileURL     string
	UnsubscribeURL string // turns the digest off in one click; see List-Unsubscribe
}

// Write returns the mail in lang.
func (m Digest) Write(lang string) Letter {
	w := newWriter(lang)
	n := len(m.Titles) + max(m.More, 0)
	w.greet(m.Name)
	if m.Weekly {
		w.para(w.t("digest.intro.weekly"))
	} else {
		w.para(w.t("digest.intro.daily"))
	}
	items := make([]string, 0, len(m.Titles)+1)
	for _, t := range m.Titles {
		items = append(items, oneLine(t))
	}
	if m.More > 0 {
		items = append(items, w.t("digest.more", "count", strconv.Itoa(m.More)))
	}
	w.list(items)
	w.para(w.t("digest.share"))
	w.button(w.t("digest.button"), m.FeedURL)
	w.para(w.t("digest.voluntary"))
	w.note(w.t("digest.why"))
	w.footerLink(w.t("digest.profile"), m.ProfileURL)
	w.footerLink(w.t("digest.unsubscribe"), m.UnsubscribeURL)
	subject := "digest.subject.other"
	if n == 1 {
		subject = "digest.subject.one"
	}
	return w.finish(w.t(subject, "count", strconv.Itoa(n)))
}

// UrgentConcern is the mail to a point of contact about an urgent report.
type UrgentConcern struct {
	Name        string // the reader's
	Reporter    string // who reported it
	Kind        string // one of concern.Kinds, each named in the catalogue; any other reads as "something else"
	Description string // what the reporter wrote
	Link        string // what the reporter saw; may be empty
	URL         string // the report in the portal
}

// Write returns the mail in lang.
func (m UrgentConcern) Write(lang string) Letter {
	w := newWriter(lang)
	kind := m.Kind
	if !w.has("concern.kind." + kind) {
		kind = "other"
	}
	kindText := w.t("concern.kind." + kind)
	w.greet(m.Name)
	w.para(w.t("concern.intro", "reporter", oneLine(m.Reporter)))
	link := field{Label: w.t("concern.link"), Value: w.t("concern.no-link")}
	if m.Link != "" {
		link.Value, link.URL = m.Link, m.Link
	}
	w.fields(field{Label: w.t("concern.kind"), Value: kindText}, link)
	if strings.TrimSpace(m.Description) != "" {
		w.para(w.t("concern.description"))
		w.quote(m.Description)
	}
	w.button(w.t("concern.button"), m.URL)
	w.note(w.t("concern.why"))
	return w.finish(w.t("concern.subject", "kind", kindText))
}

// Pause is the mail to comms and admins that a crisis pause started or
// ended. What it covers is the whole programme unless Campaign or
// Category names what it covers (the pause package reads a scope into
// them).
type Pause struct {
	Name     string // the reader's
	Resumed  bool   // the pause ended; otherwise it started
	By       string // who paused, or who resumed
	Campaign string // the campaign it covers, by name (or by number, when it has none any more)
	Category string // the category it covers, as post.Category spells it
	Reason   string
	PausedAt time.Time
	URL      string // the pause page; empty leaves the link out
}

// Write returns the mail in lang.
func (m Pause) Write(lang string) Letter {
	w := newWriter(lang)
	scope := w.scope(m.Campaign, m.Category)
	by := oneLine(m.By)
	w.greet(m.Name)
	state := "started"
	if m.Resumed {
		state = "resumed"
		w.para(w.t("pause.resumed.intro", "by", by, "scope", scope, "since", w.dateTime(m.PausedAt)))
		w.quote(m.Reason)
		w.para(w.t("pause.resumed.effect"))
	} else {
		w.para(w.t("pause.started.intro", "by", by, "scope", scope))
		w.para(w.t("pause.started.reason"))
		w.quote(m.Reason)
		w.para(w.t("pause.started.effect"))
	}
	w.button(w.t("pause.button"), m.URL)
	w.note(w.t("pause.why"))
	return w.finish(w.t("pause."+state+".subject", "scope", scope))
}

// scope names what a pause covers, in words: a campaign, else a
// category, else the whole programme.
func (w *writer) scope(campaign, category string) string {
	switch {
	case campaign != "":
		return w.t("scope.campaign", "name", oneLine(campaign))
	case category != "":
		name := category // a category the catalogue does not name
		if w.has("category." + category) {
			name = w.t("category." + category)
		}
		return w.t("scope.category", "name", name)
	}
	return w.t("scope.programme")
}
