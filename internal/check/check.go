// Package check runs the checks a post passes through when its author
// submits it for review: a link that is not http(s), blocked terms, the
// disclosure the company requires, hashtags on the comms watch list, and
// suggested commentary too long for its network. It knows nothing of HTTP
// or storage: callers hand it a Post and the Rules admins configured and
// get back Findings to show beside the fields they concern.
package check

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Severity says what a finding does to a submission.
type Severity string

const (
	// Block stops the post from going to review until it is fixed.
	Block Severity = "block"
	// Warn is shown to the author and the reviewer but lets the post go on.
	Warn Severity = "warn"
)

// Rule names the check that produced a finding.
type Rule string

// The checks.
const (
	RuleLink         Rule = "link"          // the URL is not an absolute http(s) URL; always blocks
	RuleBlockedTerm  Rule = "blocked-term"  // a blocked word or phrase in the title, hashtags or a suggestion
	RuleDisclosure   Rule = "disclosure"    // the required disclosure is missing
	RuleWatchHashtag Rule = "watch-hashtag" // a hashtag on the comms watch list
	RuleLength       Rule = "length"        // a suggestion longer than its network allows
	RulePrefill      Rule = "prefill"       // a suggestion for a network that takes no text (Facebook); always warns
)

// Rules is what admins configure. The zero value checks only the link and
// lengths, and treats every empty Severity as Block.
type Rules struct {
	// BlockedTerms are words or phrases the post may not contain, in the
	// title, the hashtags or any suggestion (not the URL). Matching is by
	// whole words, ignoring case and accents: text and terms are split into
	// words (runs of letters and digits; everything else, including '#',
	// '-', '_' and apostrophes, separates words) and a term matches where
	// its words occur consecutively, whatever separates them. So "Café"
	// matches "cafe" and "CAFÉ"; "hell" does not match "hello";
	// "insider tip" matches "Insider  tip!", "insider-tip" and "#insider
	// #tip" but not "#insidertip". In scripts written without spaces
	// (Chinese, Japanese, Thai...) every character is a word, so terms
	// match anywhere. Terms with no letters or digits are ignored.
	BlockedTerms    []string
	BlockedSeverity Severity

	// RequiredDisclosure, when not empty, is a marker such as "#ad" or
	// "#employee" that every pre-filled text must carry. It is satisfied
	// for the whole post when it is among the hashtags; otherwise each
	// suggestion (except Facebook's, which is never used) must contain it
	// as a whole token, ignoring case and accents ("#ad" is in "#AD." but
	// not in "#ads"), and a post with no suggestion to carry it is flagged
	// on its hashtags.
	RequiredDisclosure string
	DisclosureSeverity Severity

	// WatchHashtags are hashtags comms want to know about, written with or
	// without '#'. Compared ignoring case and accents with the post's
	// hashtags and with the #tags written in its title and suggestions.
	WatchHashtags []string
	WatchSeverity Severity

	// LengthSeverity applies to suggestions longer than Limit allows.
	LengthSeverity Severity
}

// DefaultRules returns the rules of a fresh installation: no blocked terms,
// no disclosure, an empty watch list; blocked terms, a missing disclosure
// and over-long text block, watched hashtags warn.
func DefaultRules() Rules {
	return Rules{
		BlockedSeverity:    Block,
		DisclosureSeverity: Block,
		WatchSeverity:      Warn,
		LengthSeverity:     Block,
	}
}

// Post is what the checks look at.
type Post struct {
	Title string
	URL   string
	// Hashtags as the author entered them, with or without '#'.
	Hashtags []string
	// Suggestions maps a network id (LinkedIn, X, ...; Any for every
	// network) to the suggested texts for it. Blank texts are skipped.
	Suggestions map[string][]string
}

// Finding is one problem found, for the author to fix or acknowledge.
type Finding struct {
	// Field is where the problem is: "url", "title", "hashtags", or a
	// suggestion as named by SuggestionField ("suggestion:x:0").
	Field    string
	Rule     Rule
	Severity Severity
	// Message is for the author: it names the term, tag, network, count
	// and limit concerned.
	Message string
}

// SuggestionField names the field of the i-th (from 0) suggestion for
// network, as Finding.Field does.
func SuggestionField(network string, i int) string {
	return "suggestion:" + network + ":" + strconv.Itoa(i)
}

// Blocking reports whether any finding blocks the submission.
func Blocking(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == Block })
}

// Run checks p against r and returns every finding, nil if there are none.
// Findings come in a stable order: the URL, the title, the hashtags, then
// suggestions by network in the order of the share buttons (Any first,
// unknown networks last, alphabetically) and by index; within a field,
// blocked terms in the order of r.BlockedTerms, then watched hashtags,
// disclosure and length.
func Run(p Post, r Rules) []Finding {
	c := newChecker(r)
	var fs []Finding
	fs = append(fs, checkLink(p.URL)...)

	fs = append(fs, c.blockedTerms("title", "the title", p.Title)...)
	fs = append(fs, c.watchedTags("title", "the title", hashtagsIn(p.Title))...)

	fs = append(fs, c.hashtags(p.Hashtags)...)
	disclosed := c.disclosure == "" || slices.ContainsFunc(p.Hashtags, func(t string) bool {
		return tagKey(t) == tagKey(c.disclosure)
	})

	carriers := 0 // suggestions that pre-fill text somewhere
	for _, network := range networkOrder(p.Suggestions) {
		for i, text := range p.Suggestions[network] {
			if strings.TrimSpace(text) == "" {
				continue
			}
			field := SuggestionField(network, i)
			where := fmt.Sprintf("the %s suggestion %d", networkLabel(network), i+1)
			if network == Facebook {
				fs = append(fs, Finding{Field: field, Rule: RulePrefill, Severity: Warn,
					Message: "Facebook does not allow pre-filled text; this suggestion will not be used."})
			}
			fs = append(fs, c.blockedTerms(field, where, text)...)
			fs = append(fs, c.watchedTags(field, where, hashtagsIn(text))...)
			if network == Facebook {
				continue
			}
			carriers++
			if !disclosed && !containsToken(fold(text), fold(c.disclosure)) {
				fs = append(fs, Finding{Field: field, Rule: RuleDisclosure, Severity: c.disclosureSev,
					Message: fmt.Sprintf("Add the required disclosure %q to %s, or to the hashtags.", c.disclosure, where)})
			}
			fs = append(fs, c.length(field, where, network, text)...)
		}
	}
	if !disclosed && carriers == 0 {
		fs = append(fs, Finding{Field: "hashtags", Rule: RuleDisclosure, Severity: c.disclosureSev,
			Message: fmt.Sprintf("Add the required disclosure %q to the hashtags or to the suggested text.", c.disclosure)})
	}
	return fs
}

// checker holds the rules prepared for matching.
type checker struct {
	terms         []term
	blockedSev    Severity
	disclosure    string
	disclosureSev Severity
	watch         map[string]bool
	watchSev      Severity
	lengthSev     Severity
}

// term is a blocked term as written and as the words it matches.
type term struct {
	text  string
	words []string
}

func newChecker(r Rules) *checker {
	c := &checker{
		blockedSev:    severity(r.BlockedSeverity),
		disclosure:    strings.TrimSpace(r.RequiredDisclosure),
		disclosureSev: severity(r.DisclosureSeverity),
		watch:         map[string]bool{},
		watchSev:      severity(r.WatchSeverity),
		lengthSev:     severity(r.LengthSeverity),
	}
	for _, t := range r.BlockedTerms {
		t = strings.TrimSpace(t)
		if ws := words(fold(t)); len(ws) > 0 {
			c.terms = append(c.terms, term{text: t, words: ws})
		}
	}
	for _, t := range r.WatchHashtags {
		if k := tagKey(t); k != "" {
			c.watch[k] = true
		}
	}
	return c
}

// severity turns an unset or unknown severity into Block, so that a
// misconfigured rule errs on the side of stopping the post.
func severity(s Severity) Severity {
	if s == Warn {
		return Warn
	}
	return Block
}

// checkLink reports a URL that is not an absolute http(s) URL with a host.
func checkLink(raw string) []Finding {
	raw = strings.TrimSpace(raw)
	msg := ""
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		msg = "Add the link to share."
	case err != nil:
		msg = fmt.Sprintf("The link %q is not a valid address.", raw)
	case u.Scheme == "":
		msg = fmt.Sprintf("The link %q must be a full address starting with https:// or http://.", raw)
	case u.Scheme != "http" && u.Scheme != "https":
		msg = fmt.Sprintf("The link must start with https:// or http://, not %q.", u.Scheme+":")
	case u.Hostname() == "":
		msg = fmt.Sprintf("The link %q has no host name.", raw)
	}
	if msg == "" {
		return nil
	}
	return []Finding{{Field: "url", Rule: RuleLink, Severity: Block, Message: msg}}
}

// blockedTerms reports each blocked term found in text, once per field.
func (c *checker) blockedTerms(field, where, text string) []Finding {
	if len(c.terms) == 0 || text == "" {
		return nil
	}
	ws := words(fold(text))
	var fs []Finding
	for _, t := range c.terms {
		if containsWords(ws, t.words) {
			fs = append(fs, Finding{Field: field, Rule: RuleBlockedTerm, Severity: c.blockedSev,
				Message: fmt.Sprintf("%s contains the blocked term %q.", capitalize(where), t.text)})
		}
	}
	return fs
}

// watchedTags reports each watched hashtag among tags, once per field.
func (c *checker) watchedTags(field, where string, tags []string) []Finding {
	if len(c.watch) == 0 {
		return nil
	}
	var fs []Finding
	seen := map[string]bool{}
	for _, tag := range tags {
		k := tagKey(tag)
		if !c.watch[k] || seen[k] {
			continue
		}
		seen[k] = true
		fs = append(fs, Finding{Field: field, Rule: RuleWatchHashtag, Severity: c.watchSev,
			Message: fmt.Sprintf("#%s in %s is on the comms watch list.", strings.TrimLeft(strings.TrimSpace(tag), "#＃"), where)})
	}
	return fs
}

// hashtags checks the post's hashtag list for blocked terms and watched
// tags.
func (c *checker) hashtags(tags []string) []Finding {
	var fs []Finding
	for _, t := range tags {
		name := strings.TrimLeft(strings.TrimSpace(t), "#＃")
		if name == "" {
			continue
		}
		fs = append(fs, c.blockedTerms("hashtags", "the hashtag #"+name, name)...)
	}
	return append(fs, c.watchedTags("hashtags", "the hashtags", tags)...)
}

// length reports a suggestion longer than its network allows. A suggestion
// for Any is checked against every network that pre-fills text and has a
// limit, in one finding naming each network it is too long for.
func (c *checker) length(field, where, network, text string) []Finding {
	targets := []string{network}
	if network == Any {
		targets = []string{X, Bluesky, Xing, Mastodon, LinkedIn, WhatsApp}
	}
	var over []string
	for _, n := range targets {
		limit, ok := Limit(n)
		if !ok {
			continue
		}
		if got := Length(n, text); got > limit {
			over = append(over, fmt.Sprintf("%d characters where %s allows %d", got, networkLabel(n), limit))
		}
	}
	if len(over) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%s is too long: %s", capitalize(where), strings.Join(over, "; "))
	switch {
	case network == Any:
		msg += " (each counted as that network counts, with the link the portal adds where it adds one)."
	case AddsLink(network):
		msg += fmt.Sprintf(", counting %d for the link the portal adds.", LinkLength+1)
	default:
		msg += "."
	}
	return []Finding{{Field: field, Rule: RuleLength, Severity: c.lengthSev, Message: msg}}
}

// networkOrder returns the networks of suggestions in reporting order.
func networkOrder(s map[string][]string) []string {
	var known, unknown []string
	for _, n := range networks {
		if _, ok := s[n.id]; ok {
			known = append(known, n.id)
		}
	}
	for n := range s {
		if !slices.Contains(known, n) {
			unknown = append(unknown, n)
		}
	}
	slices.Sort(unknown)
	return append(known, unknown...)
}

func networkLabel(id string) string {
	for _, n := range networks {
		if n.id == id {
			return n.label
		}
	}
	return id
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
