package post_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/post"
)

func validInput() post.Input {
	return post.Input{Title: "Our new office", URL: "https://example.com/news/office", Category: string(post.CompanyNews)}
}

func TestInputValidate(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(*post.Input)
		wantFields []string // fields with an error, sorted
		wantInput  post.Input
	}{
		{
			name:       "valid",
			edit:       func(*post.Input) {},
			wantFields: nil,
			wantInput:  validInput(),
		},
		{
			name: "whitespace is trimmed",
			edit: func(in *post.Input) {
				in.Title = "  Our new office\t"
				in.URL = " https://example.com/news/office\n"
				in.Commentary = "  Come and see.  "
				in.Campaign = " spring "
			},
			wantFields: nil,
			wantInput: post.Input{Title: "Our new office", URL: "https://example.com/news/office",
				Commentary: "Come and see.", Category: string(post.CompanyNews), Campaign: "spring"},
		},
		{
			name:       "empty title",
			edit:       func(in *post.Input) { in.Title = "   " },
			wantFields: []string{"title"},
		},
		{
			name:       "title of 200 runes",
			edit:       func(in *post.Input) { in.Title = strings.Repeat("é", 200) },
			wantFields: nil,
		},
		{
			name:       "title of 201 runes",
			edit:       func(in *post.Input) { in.Title = strings.Repeat("é", 201) },
			wantFields: []string{"title"},
		},
		{
			name:       "empty url",
			edit:       func(in *post.Input) { in.URL = "" },
			wantFields: []string{"url"},
		},
		{
			name:       "javascript url",
			edit:       func(in *post.Input) { in.URL = "javascript:alert(1)" },
			wantFields: []string{"url"},
		},
		{
			name:       "ftp url",
			edit:       func(in *post.Input) { in.URL = "ftp://example.com/file" },
			wantFields: []string{"url"},
		},
		{
			name:       "url without host",
			edit:       func(in *post.Input) { in.URL = "https:///path" },
			wantFields: []string{"url"},
		},
		{
			name:       "relative url",
			edit:       func(in *post.Input) { in.URL = "/news/office" },
			wantFields: []string{"url"},
		},
		{
			name:       "http url",
			edit:       func(in *post.Input) { in.URL = "http://example.com" },
			wantFields: nil,
		},
		{
			name:       "too long url",
			edit:       func(in *post.Input) { in.URL = "https://example.com/" + strings.Repeat("a", post.MaxURL) },
			wantFields: []string{"url"},
		},
		{
			name:       "too long commentary",
			edit:       func(in *post.Input) { in.Commentary = strings.Repeat("x", post.MaxCommentary+1) },
			wantFields: []string{"commentary"},
		},
		{
			name:       "unknown category",
			edit:       func(in *post.Input) { in.Category = "gossip" },
			wantFields: []string{"category"},
		},
		{
			name:       "missing category",
			edit:       func(in *post.Input) { in.Category = "" },
			wantFields: []string{"category"},
		},
		{
			name: "several fields wrong",
			edit: func(in *post.Input) {
				in.Title = ""
				in.URL = "ftp://x"
				in.Category = "nope"
			},
			wantFields: []string{"category", "title", "url"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			errs := in.Validate()
			got := slices.Sorted(maps.Keys(errs))
			if !slices.Equal(got, tt.wantFields) {
				t.Errorf("Validate() fields = %v, want %v (%v)", got, tt.wantFields, errs)
			}
			for field, msg := range errs {
				if msg == "" {
					t.Errorf("field %s has an empty message", field)
				}
			}
			if tt.wantInput != (post.Input{}) && in != tt.wantInput {
				t.Errorf("after Validate input = %+v, want %+v", in, tt.wantInput)
			}
		})
	}
}

func TestPolicyNext(t *testing.T) {
	const author, other = 1, 2
	statuses := []post.Status{post.Draft, post.InReview, post.Approved, post.Archived}
	// want[action][status] is the resulting status, "" when refused, for
	// someone other than the author with a comment.
	want := map[post.Action]map[post.Status]post.Status{
		post.Submit:  {post.Draft: post.InReview},
		post.Approve: {post.InReview: post.Approved},
		post.Return:  {post.InReview: post.Draft},
		post.Archive: {post.Draft: post.Archived, post.InReview: post.Archived, post.Approved: post.Archived},
		"publish":    {},
	}
	for action, byStatus := range want {
		for _, from := range statuses {
			t.Run(string(action)+" from "+string(from), func(t *testing.T) {
				p := post.Post{Status: from, AuthorID: author}
				got, err := post.DefaultPolicy.Next(p, action, other, "please fix")
				wantTo := byStatus[from]
				if wantTo == "" {
					if !post.IsTransitionError(err) || got != "" {
						t.Errorf("Next = %q, %v; want refused with a *TransitionError", got, err)
					}
					return
				}
				if err != nil || got != wantTo {
					t.Errorf("Next = %q, %v; want %q", got, err, wantTo)
				}
			})
		}
	}
}

func TestPolicyNextRules(t *testing.T) {
	const author, other = 1, 2
	inReview := post.Post{Status: post.InReview, AuthorID: author}
	tests := []struct {
		name    string
		policy  post.Policy
		action  post.Action
		actor   int64
		comment string
		wantTo  post.Status // "" when refused
	}{
		{"four-eyes: author cannot approve", post.Policy{FourEyes: true}, post.Approve, author, "", ""},
		{"four-eyes: someone else can approve", post.Policy{FourEyes: true}, post.Approve, other, "", post.Approved},
		{"no four-eyes: author can approve", post.Policy{FourEyes: false}, post.Approve, author, "", post.Approved},
		{"return without comment refused", post.DefaultPolicy, post.Return, other, "", ""},
		{"return with blank comment refused", post.DefaultPolicy, post.Return, other, " \n\t", ""},
		{"return with comment", post.DefaultPolicy, post.Return, other, "Fix the link.", post.Draft},
		{"author may return own post", post.DefaultPolicy, post.Return, author, "Not ready.", post.Draft},
		{"author may archive own post", post.DefaultPolicy, post.Archive, author, "", post.Archived},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.policy.Next(inReview, tt.action, tt.actor, tt.comment)
			if tt.wantTo == "" {
				var te *post.TransitionError
				if !errors.As(err, &te) || got != "" {
					t.Fatalf("Next = %q, %v; want a *TransitionError", got, err)
				}
				if te.Message == "" {
					t.Errorf("TransitionError has no message")
				}
				return
			}
			if err != nil || got != tt.wantTo {
				t.Errorf("Next = %q, %v; want %q", got, err, tt.wantTo)
			}
		})
	}
}

func TestPostLive(t *testing.T) {
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	hour := time.Hour
	tests := []struct {
		name     string
		post     post.Post
		wantLive bool
	}{
		{"approved, published in the past", post.Post{Status: post.Approved, PublishAt: now.Add(-hour)}, true},
		{"approved, published right now", post.Post{Status: post.Approved, PublishAt: now}, true},
		{"approved, scheduled in the future", post.Post{Status: post.Approved, PublishAt: now.Add(hour)}, false},
		{"approved, no publish time", post.Post{Status: post.Approved}, false},
		{"approved, expires later", post.Post{Status: post.Approved, PublishAt: now.Add(-hour), ExpiresAt: now.Add(hour)}, true},
		{"approved, expired", post.Post{Status: post.Approved, PublishAt: now.Add(-2 * hour), ExpiresAt: now.Add(-hour)}, false},
		{"approved, expires right now", post.Post{Status: post.Approved, PublishAt: now.Add(-hour), ExpiresAt: now}, false},
		{"in review", post.Post{Status: post.InReview, PublishAt: now.Add(-hour)}, false},
		{"archived", post.Post{Status: post.Archived, PublishAt: now.Add(-hour)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.post.Live(now); got != tt.wantLive {
				t.Errorf("Live = %v, want %v", got, tt.wantLive)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct {
		title    string
		wantSlug string
	}{
		{"Our New Office!", "our-new-office"},
		{"  --Spring   Launch 2026--  ", "spring-launch-2026"},
		{"Café & Crème", "caf-cr-me"},
		{"", "post"},
		{"!!!", "post"},
		{"日本語", "post"},
		{strings.Repeat("a", 59) + " b", strings.Repeat("a", 59)},
		{strings.Repeat("ab", 40), strings.Repeat("ab", 30)},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			got := post.Slugify(tt.title)
			if got != tt.wantSlug {
				t.Errorf("Slugify(%q) = %q, want %q", tt.title, got, tt.wantSlug)
			}
			if len(got) > 60 || strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") {
				t.Errorf("Slugify(%q) = %q: longer than 60 or edged with hyphens", tt.title, got)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	for _, c := range post.Categories {
		if c.Label() == string(c) || c.Label() == "" {
			t.Errorf("category %q has no label", c)
		}
	}
	for _, s := range []post.Status{post.Draft, post.InReview, post.Approved, post.Archived} {
		if s.Label() == string(s) || s.Label() == "" {
			t.Errorf("status %q has no label", s)
		}
	}
}
