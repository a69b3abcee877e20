package post_test

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
)

// now is the time the tests validate at: a week before Amsterdam moves to
// summer time (UTC+1 until 29 March 2026, UTC+2 after).
var now = time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)

func validInput() post.Input {
	return post.Input{Title: "Our new office", URL: "https://example.com/news/office", Category: string(post.CompanyNews)}
}

func validFields() post.Fields {
	return post.Fields{Title: "Our new office", URL: "https://example.com/news/office", Category: post.CompanyNews, Language: "en"}
}

func utc(s string) time.Time {
	t, err := time.Parse(post.DateTimeLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestInputValidate(t *testing.T) {
	tags := func(n int) string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("#tag%d", i))
		}
		return strings.Join(out, " ")
	}
	suggestions := func(n int) []post.Suggestion {
		var out []post.Suggestion
		for i := range n {
			out = append(out, post.Suggestion{Text: fmt.Sprintf("text %d", i)})
		}
		return out
	}
	tests := []struct {
		name       string
		edit       func(*post.Input)
		wantErrors []string     // fields with an error, sorted
		wantFields *post.Fields // checked only when set
	}{
		{
			name:       "minimal",
			edit:       func(*post.Input) {},
			wantFields: ptr(validFields()),
		},
		{
			name: "every field",
			edit: func(in *post.Input) {
				in.Title = "  Our new office\t"
				in.URL = " https://example.com/news/office\n"
				in.Language = "nl"
				in.Campaign = "7"
				in.Hashtags = "#Launch, jobs #launch\n#Jobs_2026\t#Über"
				in.Suggestions = []post.Suggestion{{Network: "linkedin", Text: "  Come and see.  "}, {Network: "", Text: " \n "},
					{Network: "x", Text: "Short"}, {Network: "", Text: "For everyone"}}
				in.Groups = []string{"3", "5", "3"}
				in.PublishAt = "2026-04-01T10:00" // summer time: UTC+2
				in.ExpiresAt = "2026-04-02T09:30"
				in.TimeZone = "Europe/Amsterdam"
				in.Note = "  from Sam "
			},
			wantFields: &post.Fields{Title: "Our new office", URL: "https://example.com/news/office", Category: post.CompanyNews,
				Language: "nl", CampaignID: 7, Hashtags: []string{"Launch", "jobs", "Jobs_2026", "Über"},
				Suggestions: []post.Suggestion{{Network: "linkedin", Text: "Come and see."}, {Network: "x", Text: "Short"},
					{Network: "", Text: "For everyone"}},
				GroupIDs: []int64{3, 5}, PublishAt: utc("2026-04-01T08:00"), ExpiresAt: utc("2026-04-02T07:30"), Note: "from Sam"},
		},
		{
			name: "winter time in Amsterdam is UTC+1",
			edit: func(in *post.Input) {
				in.PublishAt, in.ExpiresAt, in.TimeZone = "2026-03-21T10:00", "2026-03-22T10:00", "Europe/Amsterdam"
			},
			wantFields: func() *post.Fields {
				f := validFields()
				f.PublishAt, f.ExpiresAt = utc("2026-03-21T09:00"), utc("2026-03-22T09:00")
				return &f
			}(),
		},
		{
			name: "no time zone is UTC",
			edit: func(in *post.Input) { in.PublishAt = "2026-03-21T10:00" },
			wantFields: func() *post.Fields {
				f := validFields()
				f.PublishAt = utc("2026-03-21T10:00")
				return &f
			}(),
		},
		{"empty title", func(in *post.Input) { in.Title = "   " }, []string{"title"}, nil},
		{"title of 200 runes", func(in *post.Input) { in.Title = strings.Repeat("é", 200) }, nil, nil},
		{"title of 201 runes", func(in *post.Input) { in.Title = strings.Repeat("é", 201) }, []string{"title"}, nil},
		{"empty url", func(in *post.Input) { in.URL = "" }, []string{"url"}, nil},
		{"javascript url", func(in *post.Input) { in.URL = "javascript:alert(1)" }, []string{"url"}, nil},
		{"ftp url", func(in *post.Input) { in.URL = "ftp://example.com/file" }, []string{"url"}, nil},
		{"url without host", func(in *post.Input) { in.URL = "https:///path" }, []string{"url"}, nil},
		{"relative url", func(in *post.Input) { in.URL = "/news/office" }, []string{"url"}, nil},
		{"http url", func(in *post.Input) { in.URL = "http://example.com" }, nil, nil},
		{"too long url", func(in *post.Input) { in.URL = "https://example.com/" + strings.Repeat("a", post.MaxURL) }, []string{"url"}, nil},
		{"unknown category", func(in *post.Input) { in.Category = "gossip" }, []string{"category"}, nil},
		{"missing category", func(in *post.Input) { in.Category = "" }, []string{"category"}, nil},
		{"unknown language", func(in *post.Input) { in.Language = "es" }, []string{"language"}, nil},
		{"every language offered", func(in *post.Input) { in.Language = post.Languages[len(post.Languages)-1] }, nil, nil},
		{"campaign not a number", func(in *post.Input) { in.Campaign = "spring" }, []string{"campaign"}, nil},
		{"campaign zero", func(in *post.Input) { in.Campaign = "0" }, []string{"campaign"}, nil},
		{"campaign negative", func(in *post.Input) { in.Campaign = "-3" }, []string{"campaign"}, nil},
		{"hashtag with a hyphen", func(in *post.Input) { in.Hashtags = "#good #bad-tag" }, []string{"hashtags"}, nil},
		{"hashtag with two #", func(in *post.Input) { in.Hashtags = "##double" }, []string{"hashtags"}, nil},
		{"hashtag of punctuation", func(in *post.Input) { in.Hashtags = "#ok #!!" }, []string{"hashtags"}, nil},
		{"hashtag of 101 runes", func(in *post.Input) { in.Hashtags = "#" + strings.Repeat("a", 101) }, []string{"hashtags"}, nil},
		{
			name: "lone # and separators are skipped",
			edit: func(in *post.Input) { in.Hashtags = " # , ,#a\t\n" },
			wantFields: func() *post.Fields {
				f := validFields()
				f.Hashtags = []string{"a"}
				return &f
			}(),
		},
		{"10 hashtags", func(in *post.Input) { in.Hashtags = tags(10) }, nil, nil},
		{"11 hashtags", func(in *post.Input) { in.Hashtags = tags(11) }, []string{"hashtags"}, nil},
		{"11 hashtags of which 2 the same", func(in *post.Input) { in.Hashtags = tags(10) + " #TAG0" }, nil, nil},
		{"suggestion of 3000 runes", func(in *post.Input) {
			in.Suggestions = []post.Suggestion{{Text: strings.Repeat("é", post.MaxSuggestion)}}
		}, nil, nil},
		{"suggestion of 3001 runes", func(in *post.Input) {
			in.Suggestions = []post.Suggestion{{Network: "x", Text: "ok"}, {Text: strings.Repeat("é", post.MaxSuggestion+1)}}
		}, []string{"suggestions"}, nil},
		{"12 suggestions", func(in *post.Input) { in.Suggestions = suggestions(12) }, nil, nil},
		{"13 suggestions", func(in *post.Input) { in.Suggestions = suggestions(13) }, []string{"suggestions"}, nil},
		{"13 suggestions of which one blank", func(in *post.Input) {
			in.Suggestions = append(suggestions(12), post.Suggestion{Network: "x", Text: "  "})
		}, nil, nil},
		{"group not a number", func(in *post.Input) { in.Groups = []string{"2", "sales"} }, []string{"groups"}, nil},
		{"group zero", func(in *post.Input) { in.Groups = []string{"0"} }, []string{"groups"}, nil},
		{"group negative", func(in *post.Input) { in.Groups = []string{"-4"} }, []string{"groups"}, nil},
		{"publish time unparsable", func(in *post.Input) { in.PublishAt = "tomorrow" }, []string{"publish_at"}, nil},
		{"publish time with a space", func(in *post.Input) { in.PublishAt = "2026-04-01 10:00" }, []string{"publish_at"}, nil},
		{"publish time in the past is allowed", func(in *post.Input) { in.PublishAt = "2026-01-01T10:00" }, nil, nil},
		{"expiry unparsable", func(in *post.Input) { in.ExpiresAt = "2026-04-31T10:00" }, []string{"expires_at"}, nil},
		{"expiry in the past", func(in *post.Input) { in.ExpiresAt = "2026-03-19T10:00" }, []string{"expires_at"}, nil},
		{"expiry right now", func(in *post.Input) { in.ExpiresAt = "2026-03-20T12:00" }, []string{"expires_at"}, nil},
		{"expiry in the past only in the author's zone", func(in *post.Input) {
			in.ExpiresAt, in.TimeZone = "2026-03-20T12:30", "Europe/Amsterdam" // 11:30 UTC
		}, []string{"expires_at"}, nil},
		{"expiry a minute from now", func(in *post.Input) { in.ExpiresAt = "2026-03-20T12:01" }, nil, nil},
		{"expiry before publish", func(in *post.Input) {
			in.PublishAt, in.ExpiresAt = "2026-04-02T10:00", "2026-04-01T10:00"
		}, []string{"expires_at"}, nil},
		{"expiry at the publish time", func(in *post.Input) {
			in.PublishAt, in.ExpiresAt = "2026-04-02T10:00", "2026-04-02T10:00"
		}, []string{"expires_at"}, nil},
		{"unknown time zone", func(in *post.Input) {
			in.PublishAt, in.TimeZone = "2026-04-02T10:00", "Mars/Olympus_Mons"
		}, []string{"publish_at"}, nil},
		{"several fields wrong", func(in *post.Input) {
			in.Title, in.URL, in.Category, in.Hashtags, in.Groups = "", "ftp://x", "nope", "#a-b", []string{"x"}
		}, []string{"category", "groups", "hashtags", "title", "url"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			f, errs := in.Validate(now)
			got := slices.Sorted(maps.Keys(errs))
			if !slices.Equal(got, tt.wantErrors) {
				t.Errorf("Validate() error fields = %v, want %v (%v)", got, tt.wantErrors, errs)
			}
			for field, msg := range errs {
				if msg == "" {
					t.Errorf("field %s has an empty message", field)
				}
			}
			if len(errs) > 0 && !reflect.DeepEqual(f, post.Fields{}) {
				t.Errorf("Validate() with errors returned fields %+v, want none", f)
			}
			if len(errs) == 0 {
				for name, tm := range map[string]time.Time{"PublishAt": f.PublishAt, "ExpiresAt": f.ExpiresAt} {
					if !tm.IsZero() && tm.Location() != time.UTC {
						t.Errorf("%s = %v, want it in UTC", name, tm)
					}
				}
			}
			if tt.wantFields != nil && !fieldsEqual(f, *tt.wantFields) {
				t.Errorf("Validate() =\n %+v\nwant\n %+v", f, *tt.wantFields)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// fieldsEqual compares fields, times with Equal.
func fieldsEqual(a, b post.Fields) bool {
	if !a.PublishAt.Equal(b.PublishAt) || !a.ExpiresAt.Equal(b.ExpiresAt) {
		return false
	}
	a.PublishAt, a.ExpiresAt, b.PublishAt, b.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func TestPhase(t *testing.T) {
	hour := time.Hour
	past, future := now.Add(-hour), now.Add(hour)
	tests := []struct {
		name      string
		post      post.Post
		wantPhase post.Phase
	}{
		{"draft", post.Post{Status: post.Draft}, post.PhaseDraft},
		{"draft with times in the past", post.Post{Status: post.Draft, PublishAt: past.Add(-hour), ExpiresAt: past}, post.PhaseDraft},
		{"in review", post.Post{Status: post.InReview}, post.PhaseInReview},
		{"in review, publish time passed", post.Post{Status: post.InReview, PublishAt: past}, post.PhaseInReview},
		{"archived", post.Post{Status: post.Archived}, post.PhaseArchived},
		{"archived while live", post.Post{Status: post.Archived, PublishAt: past, ExpiresAt: future}, post.PhaseArchived},
		{"archived after expiry", post.Post{Status: post.Archived, PublishAt: past.Add(-hour), ExpiresAt: past}, post.PhaseArchived},
		{"approved, no publish time", post.Post{Status: post.Approved}, post.PhaseScheduled},
		{"approved, publish time ahead", post.Post{Status: post.Approved, PublishAt: future}, post.PhaseScheduled},
		{"approved, publish time ahead, expiry later", post.Post{Status: post.Approved, PublishAt: future, ExpiresAt: future.Add(hour)}, post.PhaseScheduled},
		{"approved, published right now", post.Post{Status: post.Approved, PublishAt: now}, post.PhaseLive},
		{"approved, published, no expiry", post.Post{Status: post.Approved, PublishAt: past}, post.PhaseLive},
		{"approved, published, expiry ahead", post.Post{Status: post.Approved, PublishAt: past, ExpiresAt: future}, post.PhaseLive},
		{"approved, expires right now", post.Post{Status: post.Approved, PublishAt: past, ExpiresAt: now}, post.PhaseExpired},
		{"approved, expired", post.Post{Status: post.Approved, PublishAt: past.Add(-hour), ExpiresAt: past}, post.PhaseExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.post.Phase(now); got != tt.wantPhase {
				t.Errorf("Phase = %q, want %q", got, tt.wantPhase)
			}
			if got, want := tt.post.Live(now), tt.wantPhase == post.PhaseLive; got != want {
				t.Errorf("Live = %v, want %v", got, want)
			}
			if tt.wantPhase.Label() == "" || tt.wantPhase.Label() == string(tt.wantPhase) {
				t.Errorf("phase %q has no label", tt.wantPhase)
			}
		})
	}
}

func TestSuggestionFor(t *testing.T) {
	tests := []struct {
		name        string
		suggestions []post.Suggestion
		network     string
		want        string
	}{
		{"none", nil, "x", ""},
		{"only for another network", []post.Suggestion{{Network: "linkedin", Text: "LI"}}, "x", ""},
		{"for any network", []post.Suggestion{{Network: "", Text: "Any"}}, "x", "Any"},
		{"own network before any, even when listed later",
			[]post.Suggestion{{Network: "", Text: "Any"}, {Network: "linkedin", Text: "LI"}, {Network: "x", Text: "X"}}, "x", "X"},
		{"first of several for the network",
			[]post.Suggestion{{Network: "x", Text: "X1"}, {Network: "", Text: "Any"}, {Network: "x", Text: "X2"}}, "x", "X1"},
		{"first of several for any network",
			[]post.Suggestion{{Network: "linkedin", Text: "LI"}, {Network: "", Text: "Any1"}, {Network: "", Text: "Any2"}}, "x", "Any1"},
		{"asked for any network", []post.Suggestion{{Network: "x", Text: "X"}, {Network: "", Text: "Any"}}, "", "Any"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := post.Post{Suggestions: tt.suggestions}
			if got := p.SuggestionFor(tt.network); got != tt.want {
				t.Errorf("SuggestionFor(%q) = %q, want %q", tt.network, got, tt.want)
			}
		})
	}
}

func TestWithHashtags(t *testing.T) {
	tests := []struct {
		name     string
		hashtags []string
		text     string
		want     string
	}{
		{"no hashtags", nil, "Look at this", "Look at this"},
		{"hashtags added at the end", []string{"launch", "jobs"}, "Look at this", "Look at this #launch #jobs"},
		{"text with its own hashtags kept as is", []string{"launch"}, "Our #launch is today", "Our #launch is today"},
		{"empty text gets only the hashtags", []string{"launch"}, "", "#launch"},
		{"no text, no hashtags", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := post.Post{Hashtags: tt.hashtags}
			if got := p.WithHashtags(tt.text); got != tt.want {
				t.Errorf("WithHashtags(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestShareText(t *testing.T) {
	p := post.Post{Hashtags: []string{"launch"}, Suggestions: []post.Suggestion{
		{Network: "", Text: "For everyone"}, {Network: "x", Text: "Short for X"}, {Network: "facebook", Text: "Never used"}}}
	tests := []struct {
		network share.Network
		want    string
	}{
		{share.X, "Short for X #launch"},
		{share.LinkedIn, "For everyone #launch"},
		{share.Bluesky, "For everyone #launch"},
		{share.Facebook, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.network), func(t *testing.T) {
			if got := p.ShareText(string(tt.network), tt.network.Prefills()); got != tt.want {
				t.Errorf("ShareText(%s) = %q, want %q", tt.network, got, tt.want)
			}
		})
	}
	if got := (post.Post{}).ShareText("x", true); got != "" {
		t.Errorf("ShareText of a post without suggestions or hashtags = %q, want empty", got)
	}
	if got := p.HashtagText(); got != "#launch" {
		t.Errorf("HashtagText = %q, want #launch", got)
	}
}

func TestPolicyNext(t *testing.T) {
	const author, other = 1, 2
	statuses := []post.Status{post.Draft, post.InReview, post.Approved, post.Archived}
	actions := []post.Action{post.Submit, post.Approve, post.Return, post.Archive, "publish"}
	// allowed[action][status] is the resulting status for someone other
	// than the author with a comment; missing means refused.
	allowed := map[post.Action]map[post.Status]post.Status{
		post.Submit:  {post.Draft: post.InReview},
		post.Approve: {post.InReview: post.Approved},
		post.Return:  {post.InReview: post.Draft},
		post.Archive: {post.Draft: post.Archived, post.InReview: post.Archived, post.Approved: post.Archived},
	}
	for _, fourEyes := range []bool{true, false} {
		for _, actor := range []int64{author, other} {
			for _, action := range actions {
				for _, from := range statuses {
					name := fmt.Sprintf("four-eyes %v/actor %d/%s from %s", fourEyes, actor, action, from)
					t.Run(name, func(t *testing.T) {
						wantTo := allowed[action][from]
						if action == post.Approve && fourEyes && actor == author {
							wantTo = ""
						}
						p := post.Post{Status: from, AuthorID: author}
						got, err := post.Policy{FourEyes: fourEyes}.Next(p, action, actor, "please fix")
						if wantTo == "" {
							var te *post.TransitionError
							if !errors.As(err, &te) || got != "" || te.Message == "" {
								t.Errorf("Next = %q, %v; want refused with a *TransitionError with a message", got, err)
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
		{"default policy is four-eyes", post.DefaultPolicy, post.Approve, author, "", ""},
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
				if !isTransitionError(err) || got != "" {
					t.Fatalf("Next = %q, %v; want a *TransitionError", got, err)
				}
				return
			}
			if err != nil || got != tt.wantTo {
				t.Errorf("Next = %q, %v; want %q", got, err, tt.wantTo)
			}
		})
	}
}

// isTransitionError reports whether err is, or wraps, a refused transition.
func isTransitionError(err error) bool {
	var te *post.TransitionError
	return errors.As(err, &te)
}

func TestAfterEdit(t *testing.T) {
	tests := []struct {
		from    post.Status
		wantTo  post.Status
		wantErr bool
	}{
		{post.Draft, post.Draft, false},
		{post.InReview, post.InReview, false},
		{post.Approved, post.InReview, false},
		{post.Archived, "", true},
	}
	for _, tt := range tests {
		t.Run(string(tt.from), func(t *testing.T) {
			got, err := post.AfterEdit(tt.from)
			if tt.wantErr != isTransitionError(err) || (!tt.wantErr && err != nil) || got != tt.wantTo {
				t.Errorf("AfterEdit(%s) = %q, %v; want %q (error %v)", tt.from, got, err, tt.wantTo, tt.wantErr)
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
