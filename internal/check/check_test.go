package check_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/check"
)

// key is the part of a finding the tables compare; messages are checked
// separately with wantInMessage.
func key(f check.Finding) string {
	return fmt.Sprintf("%s %s %s", f.Field, f.Rule, f.Severity)
}

func keys(fs []check.Finding) []string {
	var ks []string
	for _, f := range fs {
		ks = append(ks, key(f))
	}
	return ks
}

const okURL = "https://example.com/news/1"

// rules returns DefaultRules changed by edit.
func rules(edit func(*check.Rules)) check.Rules {
	r := check.DefaultRules()
	if edit != nil {
		edit(&r)
	}
	return r
}

func TestRun(t *testing.T) {
	tests := []struct {
		name  string
		post  check.Post
		rules check.Rules
		want  []string
		// wantInMessage are substrings the messages, joined, must contain.
		wantInMessage []string
	}{
		{
			name:  "clean post",
			post:  check.Post{Title: "Our new office", URL: okURL, Hashtags: []string{"#office"}, Suggestions: map[string][]string{check.X: {"Take a look"}}},
			rules: check.DefaultRules(),
		},

		// Blocked terms.
		{
			name:          "blocked term ignores case",
			post:          check.Post{Title: "A SECRET plan", URL: okURL},
			rules:         rules(func(r *check.Rules) { r.BlockedTerms = []string{"Secret"} }),
			want:          []string{"title blocked-term block"},
			wantInMessage: []string{`The title contains the blocked term "Secret".`},
		},
		{
			name:  "blocked term with accent matches text without",
			post:  check.Post{Title: "New cafe opening", URL: okURL},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"Café"} }),
			want:  []string{"title blocked-term block"},
		},
		{
			name:  "blocked term without accent matches upper case with accent",
			post:  check.Post{Title: "NEW CAFÉ", URL: okURL},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"cafe"} }),
			want:  []string{"title blocked-term block"},
		},
		{
			name:  "blocked term matches decomposed accents and sharp s",
			post:  check.Post{Title: "Cafe\u0301 an der STRASSE", URL: okURL},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"straße"} }),
			want:  []string{"title blocked-term block"},
		},
		{
			name:  "blocked term with a stroked letter matches the plain letter",
			post:  check.Post{Title: "Visit ORSTED and Lodz", URL: okURL},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"Ørsted", "Łódź"} }),
			want:  []string{"title blocked-term block", "title blocked-term block"},
		},
		{
			name:  "blocked term is a whole word",
			post:  check.Post{Title: "Hello world, shell scripts", URL: okURL},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"hell"} }),
		},
		{
			name:  "blocked term next to punctuation",
			post:  check.Post{Title: "What the hell!", URL: okURL},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"hell"} }),
			want:  []string{"title blocked-term block"},
		},
		{
			name:          "blocked phrase across extra space and punctuation",
			post:          check.Post{URL: okURL, Suggestions: map[string][]string{check.X: {"Our Insider  tip! Read on"}}},
			rules:         rules(func(r *check.Rules) { r.BlockedTerms = []string{"insider tip"} }),
			want:          []string{"suggestion:x:0 blocked-term block"},
			wantInMessage: []string{`The X suggestion 1 contains the blocked term "insider tip".`},
		},
		{
			name:  "blocked phrase across a hyphen",
			post:  check.Post{Title: "an insider-tip", URL: okURL},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"insider tip"} }),
			want:  []string{"title blocked-term block"},
		},
		{
			name:  "blocked phrase needs its words in order and together",
			post:  check.Post{Title: "tip from an insider, insider trading tip, #insidertip", URL: okURL},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"insider tip"} }),
		},
		{
			name:          "blocked term in the hashtag list",
			post:          check.Post{Title: "News", URL: okURL, Hashtags: []string{"#Guaranteed", "news"}},
			rules:         rules(func(r *check.Rules) { r.BlockedTerms = []string{"guaranteed"} }),
			want:          []string{"hashtags blocked-term block"},
			wantInMessage: []string{`The hashtag #Guaranteed contains the blocked term "guaranteed".`},
		},
		{
			name: "multiple terms in several fields",
			post: check.Post{
				Title:    "Secret results",
				URL:      okURL,
				Hashtags: []string{"guaranteed"},
				Suggestions: map[string][]string{
					check.LinkedIn: {"Guaranteed returns, our secret sauce", "Nothing to see"},
					check.X:        {"secret"},
				},
			},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"secret", "guaranteed", "unused"} }),
			want: []string{
				"title blocked-term block",
				"hashtags blocked-term block",
				"suggestion:linkedin:0 blocked-term block",
				"suggestion:linkedin:0 blocked-term block",
				"suggestion:x:0 blocked-term block",
			},
			wantInMessage: []string{`The LinkedIn suggestion 1 contains the blocked term "secret".`, `The LinkedIn suggestion 1 contains the blocked term "guaranteed".`},
		},
		{
			name:  "blocked term in CJK text",
			post:  check.Post{Title: "这是机密信息", URL: okURL},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"机密"} }),
			want:  []string{"title blocked-term block"},
		},
		{
			name:  "blank and punctuation-only terms are ignored",
			post:  check.Post{Title: "Wow!!! ok", URL: okURL},
			rules: rules(func(r *check.Rules) { r.BlockedTerms = []string{"", "  ", "!!!"} }),
		},
		{
			name: "blocked severity from rules",
			post: check.Post{Title: "secret", URL: okURL},
			rules: rules(func(r *check.Rules) {
				r.BlockedTerms = []string{"secret"}
				r.BlockedSeverity = check.Warn
			}),
			want: []string{"title blocked-term warn"},
		},

		// Disclosure.
		{
			name:  "disclosure present in every suggestion",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.X: {"Great read #ad"}, check.LinkedIn: {"#AD. Great read"}}},
			rules: rules(func(r *check.Rules) { r.RequiredDisclosure = "#ad" }),
		},
		{
			name:          "disclosure missing on one network",
			post:          check.Post{URL: okURL, Suggestions: map[string][]string{check.X: {"Great read #ad"}, check.LinkedIn: {"Great read"}}},
			rules:         rules(func(r *check.Rules) { r.RequiredDisclosure = "#ad" }),
			want:          []string{"suggestion:linkedin:0 disclosure block"},
			wantInMessage: []string{`Add the required disclosure "#ad" to the LinkedIn suggestion 1`},
		},
		{
			name:  "disclosure must be a whole token",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.X: {"New #ads here", "x#ad"}}},
			rules: rules(func(r *check.Rules) { r.RequiredDisclosure = "#ad" }),
			want:  []string{"suggestion:x:0 disclosure block", "suggestion:x:1 disclosure block"},
		},
		{
			name:  "disclosure as a word",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.Xing: {"(Anzeige) Neues Büro"}, check.X: {"Anzeigen"}}},
			rules: rules(func(r *check.Rules) { r.RequiredDisclosure = "Anzeige" }),
			want:  []string{"suggestion:x:0 disclosure block"},
		},
		{
			name:  "disclosure in the hashtags covers every suggestion",
			post:  check.Post{URL: okURL, Hashtags: []string{"Employee"}, Suggestions: map[string][]string{check.X: {"Great read"}, check.Any: {"Hi"}}},
			rules: rules(func(r *check.Rules) { r.RequiredDisclosure = "#employee" }),
		},
		{
			name:          "Facebook is exempt from disclosure and flagged for having a suggestion",
			post:          check.Post{URL: okURL, Suggestions: map[string][]string{check.Facebook: {"Great read"}, check.X: {"Great read #employee"}}},
			rules:         rules(func(r *check.Rules) { r.RequiredDisclosure = "#employee" }),
			want:          []string{"suggestion:facebook:0 prefill warn"},
			wantInMessage: []string{"Facebook does not allow pre-filled text; this suggestion will not be used."},
		},
		{
			name:  "no text to carry the disclosure",
			post:  check.Post{URL: okURL, Hashtags: []string{"news"}},
			rules: rules(func(r *check.Rules) { r.RequiredDisclosure = "#employee" }),
			want:  []string{"hashtags disclosure block"},
		},
		{
			name:  "only a Facebook suggestion carries no disclosure",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.Facebook: {"Great read #employee"}}},
			rules: rules(func(r *check.Rules) { r.RequiredDisclosure = "#employee" }),
			want:  []string{"suggestion:facebook:0 prefill warn", "hashtags disclosure block"},
		},
		{
			name:  "blank suggestions are skipped",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.X: {"  ", "Read #ad"}}},
			rules: rules(func(r *check.Rules) { r.RequiredDisclosure = "#ad" }),
		},
		{
			name: "disclosure severity from rules",
			post: check.Post{URL: okURL, Suggestions: map[string][]string{check.Any: {"Read"}}},
			rules: rules(func(r *check.Rules) {
				r.RequiredDisclosure = "#ad"
				r.DisclosureSeverity = check.Warn
			}),
			want: []string{"suggestion::0 disclosure warn"},
		},

		// Watch list.
		{
			name:          "watched hashtag in the list",
			post:          check.Post{URL: okURL, Hashtags: []string{"#Layoffs", "news"}},
			rules:         rules(func(r *check.Rules) { r.WatchHashtags = []string{"layoffs"} }),
			want:          []string{"hashtags watch-hashtag warn"},
			wantInMessage: []string{"#Layoffs in the hashtags is on the comms watch list."},
		},
		{
			name:          "watched hashtag in a suggestion",
			post:          check.Post{URL: okURL, Suggestions: map[string][]string{check.Mastodon: {"Join the #STRIKE today, #strike!"}}},
			rules:         rules(func(r *check.Rules) { r.WatchHashtags = []string{"#strike"} }),
			want:          []string{"suggestion:mastodon:0 watch-hashtag warn"},
			wantInMessage: []string{"#STRIKE in the Mastodon suggestion 1"},
		},
		{
			name:  "watched hashtag with accents in the title",
			post:  check.Post{Title: "Notre #Grève", URL: okURL},
			rules: rules(func(r *check.Rules) { r.WatchHashtags = []string{"greve"} }),
			want:  []string{"title watch-hashtag warn"},
		},
		{
			name:  "only whole hashtags are watched",
			post:  check.Post{URL: okURL, Hashtags: []string{"strikes"}, Suggestions: map[string][]string{check.X: {"a strike, x#strike, #strikeout"}}},
			rules: rules(func(r *check.Rules) { r.WatchHashtags = []string{"strike"} }),
		},
		{
			name: "watch severity from rules",
			post: check.Post{URL: okURL, Hashtags: []string{"strike"}},
			rules: rules(func(r *check.Rules) {
				r.WatchHashtags = []string{"Strike"}
				r.WatchSeverity = check.Block
			}),
			want: []string{"hashtags watch-hashtag block"},
		},

		// Length.
		{
			name:  "X at the limit with the link",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.X: {strings.Repeat("a", 256)}}},
			rules: check.DefaultRules(),
		},
		{
			name:          "X one over with the link",
			post:          check.Post{URL: okURL, Suggestions: map[string][]string{check.X: {strings.Repeat("a", 257)}}},
			rules:         check.DefaultRules(),
			want:          []string{"suggestion:x:0 length block"},
			wantInMessage: []string{"The X suggestion 1 is too long: 281 characters where X allows 280, counting 24 for the link the portal adds."},
		},
		{
			name:  "X CJK counts double",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.X: {strings.Repeat("故", 128), strings.Repeat("故", 129)}}},
			rules: check.DefaultRules(),
			want:  []string{"suggestion:x:1 length block"},
		},
		{
			name:  "Bluesky limit",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.Bluesky: {strings.Repeat("é", 276), strings.Repeat("é", 277)}}},
			rules: check.DefaultRules(),
			want:  []string{"suggestion:bluesky:1 length block"},
		},
		{
			name:          "Mastodon limit with a long link in the text",
			post:          check.Post{URL: okURL, Suggestions: map[string][]string{check.Mastodon: {strings.Repeat("a", 452) + " https://example.com/" + strings.Repeat("p", 300), strings.Repeat("a", 477)}}},
			rules:         check.DefaultRules(),
			want:          []string{"suggestion:mastodon:1 length block"},
			wantInMessage: []string{"501 characters where Mastodon allows 500"},
		},
		{
			name:  "XING and LinkedIn limits",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.Xing: {strings.Repeat("a", 421)}, check.LinkedIn: {strings.Repeat("a", 3000)}}},
			rules: check.DefaultRules(),
			want:  []string{"suggestion:xing:0 length block"},
		},
		{
			name:          "any-network suggestion checked against each network",
			post:          check.Post{URL: okURL, Suggestions: map[string][]string{check.Any: {strings.Repeat("a", 300)}}},
			rules:         check.DefaultRules(),
			want:          []string{"suggestion::0 length block"},
			wantInMessage: []string{"324 characters where X allows 280; 324 characters where Bluesky allows 300"},
		},
		{
			name:  "Facebook and email are not length-checked",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.Facebook: {strings.Repeat("a", 5000)}, check.Email: {strings.Repeat("a", 5000)}}},
			rules: check.DefaultRules(),
			want:  []string{"suggestion:facebook:0 prefill warn"},
		},
		{
			name:  "length severity from rules",
			post:  check.Post{URL: okURL, Suggestions: map[string][]string{check.X: {strings.Repeat("a", 300)}}},
			rules: rules(func(r *check.Rules) { r.LengthSeverity = check.Warn }),
			want:  []string{"suggestion:x:0 length warn"},
		},
		{
			name:  "unset severities block",
			post:  check.Post{URL: okURL, Hashtags: []string{"strike"}},
			rules: check.Rules{WatchHashtags: []string{"strike"}},
			want:  []string{"hashtags watch-hashtag block"},
		},

		// Link.
		{name: "http link", post: check.Post{URL: "http://example.com"}, rules: check.DefaultRules()},
		{name: "upper-case scheme", post: check.Post{URL: "HTTPS://EXAMPLE.COM/a?b=c"}, rules: check.DefaultRules()},
		{
			name:          "javascript link",
			post:          check.Post{URL: "javascript:alert(1)"},
			rules:         check.DefaultRules(),
			want:          []string{"url link block"},
			wantInMessage: []string{`not "javascript:"`},
		},
		{name: "ftp link", post: check.Post{URL: "ftp://example.com/file"}, rules: check.DefaultRules(), want: []string{"url link block"}},
		{name: "mailto link", post: check.Post{URL: "mailto:a@example.com"}, rules: check.DefaultRules(), want: []string{"url link block"}},
		{name: "relative link", post: check.Post{URL: "/news/1"}, rules: check.DefaultRules(), want: []string{"url link block"}},
		{name: "link without scheme", post: check.Post{URL: "example.com/news"}, rules: check.DefaultRules(), want: []string{"url link block"}},
		{name: "scheme-relative link", post: check.Post{URL: "//example.com/news"}, rules: check.DefaultRules(), want: []string{"url link block"}},
		{name: "missing host", post: check.Post{URL: "https:///news"}, rules: check.DefaultRules(), want: []string{"url link block"}},
		{name: "port without host", post: check.Post{URL: "http://:8080/"}, rules: check.DefaultRules(), want: []string{"url link block"}},
		{name: "unparsable link", post: check.Post{URL: "http://exa mple.com"}, rules: check.DefaultRules(), want: []string{"url link block"}},
		{name: "empty link", post: check.Post{}, rules: check.DefaultRules(), want: []string{"url link block"}},
		{
			name:  "link always blocks",
			post:  check.Post{URL: "javascript:void(0)"},
			rules: check.Rules{BlockedSeverity: check.Warn, DisclosureSeverity: check.Warn, WatchSeverity: check.Warn, LengthSeverity: check.Warn},
			want:  []string{"url link block"},
		},

		// Order.
		{
			name: "findings in a stable order",
			post: check.Post{
				Title:    "secret #strike",
				URL:      "ftp://x",
				Hashtags: []string{"secret"},
				Suggestions: map[string][]string{
					"zz":           {"secret"},
					"aa":           {"secret"},
					check.WhatsApp: {"secret"},
					check.X:        {"secret", strings.Repeat("a", 300) + " secret #strike"},
					check.Any:      {"secret"},
					check.LinkedIn: {"secret"},
				},
			},
			rules: rules(func(r *check.Rules) {
				r.BlockedTerms = []string{"secret"}
				r.WatchHashtags = []string{"strike"}
				r.RequiredDisclosure = "#ad"
			}),
			want: []string{
				"url link block",
				"title blocked-term block",
				"title watch-hashtag warn",
				"hashtags blocked-term block",
				"suggestion::0 blocked-term block",
				"suggestion::0 disclosure block",
				"suggestion:linkedin:0 blocked-term block",
				"suggestion:linkedin:0 disclosure block",
				"suggestion:x:0 blocked-term block",
				"suggestion:x:0 disclosure block",
				"suggestion:x:1 blocked-term block",
				"suggestion:x:1 watch-hashtag warn",
				"suggestion:x:1 disclosure block",
				"suggestion:x:1 length block",
				"suggestion:whatsapp:0 blocked-term block",
				"suggestion:whatsapp:0 disclosure block",
				"suggestion:aa:0 blocked-term block",
				"suggestion:aa:0 disclosure block",
				"suggestion:zz:0 blocked-term block",
				"suggestion:zz:0 disclosure block",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check.Run(tt.post, tt.rules)
			if !slices.Equal(keys(got), tt.want) {
				t.Errorf("Run() findings:\n got %q\nwant %q", keys(got), tt.want)
			}
			var msgs []string
			for _, f := range got {
				if f.Message == "" {
					t.Errorf("finding %s has no message", key(f))
				}
				msgs = append(msgs, f.Message)
			}
			all := strings.Join(msgs, "\n")
			for _, s := range tt.wantInMessage {
				if !strings.Contains(all, s) {
					t.Errorf("messages %q do not contain %q", all, s)
				}
			}
		})
	}
}

func TestRunIsStable(t *testing.T) {
	p := check.Post{URL: okURL, Suggestions: map[string][]string{}}
	for _, n := range []string{"b", "a", check.X, check.Email, check.Bluesky, check.Any, check.Mastodon, check.Facebook} {
		p.Suggestions[n] = []string{"secret", "secret too"}
	}
	r := rules(func(r *check.Rules) { r.BlockedTerms = []string{"secret"} })
	first := keys(check.Run(p, r))
	for range 20 {
		if got := keys(check.Run(p, r)); !slices.Equal(got, first) {
			t.Fatalf("Run() order changed:\n got %q\nwant %q", got, first)
		}
	}
}

func TestBlocking(t *testing.T) {
	warn := check.Finding{Field: "title", Rule: check.RuleWatchHashtag, Severity: check.Warn, Message: "w"}
	block := check.Finding{Field: "url", Rule: check.RuleLink, Severity: check.Block, Message: "b"}
	tests := []struct {
		name string
		fs   []check.Finding
		want bool
	}{
		{name: "none", fs: nil, want: false},
		{name: "warnings only", fs: []check.Finding{warn, warn}, want: false},
		{name: "one block", fs: []check.Finding{warn, block}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check.Blocking(tt.fs); got != tt.want {
				t.Errorf("Blocking() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDefaultRules(t *testing.T) {
	r := check.DefaultRules()
	if len(r.BlockedTerms) != 0 || r.RequiredDisclosure != "" || len(r.WatchHashtags) != 0 {
		t.Errorf("DefaultRules() configures checks: %+v", r)
	}
	if r.BlockedSeverity != check.Block || r.DisclosureSeverity != check.Block || r.WatchSeverity != check.Warn || r.LengthSeverity != check.Block {
		t.Errorf("DefaultRules() severities = %+v", r)
	}
}

func TestSuggestionField(t *testing.T) {
	if got, want := check.SuggestionField(check.X, 2), "suggestion:x:2"; got != want {
		t.Errorf("SuggestionField() = %q, want %q", got, want)
	}
}
