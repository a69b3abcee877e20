package post_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/post"
)

func TestContentChanges(t *testing.T) {
	base := post.Fields{Title: "Launch", URL: "https://example.com/launch", Category: post.Product, Language: "en",
		CampaignID: 1, Hashtags: []string{"launch", "jobs"}, Suggestions: []post.Suggestion{{Text: "Any"}, {Network: "x", Text: "X"}},
		GroupIDs: []int64{1}, PublishAt: now, ExpiresAt: now.Add(time.Hour), ImageID: 3, Note: "from Sam"}
	tests := []struct {
		name string
		edit func(*post.Fields)
		want []post.ContentField
	}{
		{"nothing", func(*post.Fields) {}, nil},
		{"title", func(f *post.Fields) { f.Title = "Launch!" }, []post.ContentField{post.ContentTitle}},
		{"link", func(f *post.Fields) { f.URL = "https://evil.example/" }, []post.ContentField{post.ContentURL}},
		{"new image", func(f *post.Fields) { f.ImageID = 4 }, []post.ContentField{post.ContentImage}},
		{"image removed", func(f *post.Fields) { f.ImageID = 0 }, []post.ContentField{post.ContentImage}},
		{"suggestion text", func(f *post.Fields) { f.Suggestions = []post.Suggestion{{Text: "Any!"}, {Network: "x", Text: "X"}} },
			[]post.ContentField{post.ContentSuggestions}},
		{"suggestion moved to another network", func(f *post.Fields) {
			f.Suggestions = []post.Suggestion{{Network: "linkedin", Text: "Any"}, {Network: "x", Text: "X"}}
		}, []post.ContentField{post.ContentSuggestions}},
		{"suggestion added", func(f *post.Fields) {
			f.Suggestions = append(slices.Clone(f.Suggestions), post.Suggestion{Text: "More"})
		},
			[]post.ContentField{post.ContentSuggestions}},
		{"hashtags reordered", func(f *post.Fields) { f.Hashtags = []string{"jobs", "launch"} }, []post.ContentField{post.ContentHashtags}},
		{"title and link", func(f *post.Fields) { f.Title, f.URL = "Other", "https://example.com/other" },
			[]post.ContentField{post.ContentTitle, post.ContentURL}},
		// Not content: how the post is sorted, aimed and timed.
		{"category, language, campaign, groups, times and note", func(f *post.Fields) {
			f.Category, f.Language, f.CampaignID, f.GroupIDs = post.Culture, "nl", 2, []int64{2}
			f.PublishAt, f.ExpiresAt, f.Note = now.Add(time.Hour), time.Time{}, "edited note"
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after := base
			tt.edit(&after)
			if got := post.ContentChanges(base, after); !slices.Equal(got, tt.want) {
				t.Errorf("ContentChanges = %v, want %v", got, tt.want)
			}
		})
	}
	stored := post.Fields{Suggestions: []post.Suggestion{{Text: "Line one\nLine two"}}}
	sent := post.Fields{Suggestions: []post.Suggestion{{Text: "Line one\r\nLine two"}}} // as a browser sends a textarea
	if got := post.ContentChanges(stored, sent); got != nil {
		t.Errorf("ContentChanges(LF, CRLF) = %v, want none", got)
	}
	if got := post.CreatedContent(post.Fields{Title: "T", URL: "https://example.com"}); !slices.Equal(got,
		[]post.ContentField{post.ContentTitle, post.ContentURL}) {
		t.Errorf("CreatedContent(title and link) = %v", got)
	}
	if got := post.CreatedContent(base); !slices.Equal(got, post.ContentFields) {
		t.Errorf("CreatedContent(every field) = %v, want %v", got, post.ContentFields)
	}
}

func TestMergeEdits(t *testing.T) {
	got := post.MergeEdits([]post.Editor{
		{ID: 2, Name: "Carlos", Fields: []post.ContentField{post.ContentHashtags}},
		{ID: 1, Name: "Mei", Fields: []post.ContentField{post.ContentTitle}},
		{ID: 2, Name: "Carlos", Fields: []post.ContentField{post.ContentURL, post.ContentHashtags}},
	})
	want := []post.Editor{
		{ID: 2, Name: "Carlos", Fields: []post.ContentField{post.ContentURL, post.ContentHashtags}},
		{ID: 1, Name: "Mei", Fields: []post.ContentField{post.ContentTitle}},
	}
	if len(got) != len(want) {
		t.Fatalf("MergeEdits = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Name != want[i].Name || !slices.Equal(got[i].Fields, want[i].Fields) {
			t.Errorf("editor %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[0].FieldText() != "link and hashtags" {
		t.Errorf("FieldText = %q", got[0].FieldText())
	}
	three := post.Editor{Fields: []post.ContentField{post.ContentTitle, post.ContentImage, post.ContentSuggestions}}
	if got := three.FieldText(); got != "title, image and suggested commentary" {
		t.Errorf("FieldText of three = %q", got)
	}
	if post.MergeEdits(nil) != nil {
		t.Error("MergeEdits(nil) is not nil")
	}
}

// TestFourEyesMatrix is the four-eyes rule on a post in review: nobody who
// wrote the post or changed its content in the current approval cycle
// approves it. Editors are as the store reads them for that cycle (the
// store's own test runs the same matrix through edits and approvals).
func TestFourEyesMatrix(t *testing.T) {
	const mei, carlos, ana, sam = 1, 2, 3, 4 // Mei writes, Carlos and Ana review, Sam is an employee
	wrote := func(id int64, fields ...post.ContentField) post.Editor {
		return post.Editor{ID: id, Name: map[int64]string{mei: "Mei", carlos: "Carlos", ana: "Ana", sam: "Sam"}[id], Fields: fields}
	}
	meiWrote := wrote(mei, post.ContentTitle, post.ContentURL, post.ContentSuggestions)
	tests := []struct {
		name     string
		post     post.Post
		approver int64
		fourEyes bool
		wantErr  string // part of the refusal; "" when approved
	}{
		{"author approves own post", post.Post{AuthorID: mei, Editors: []post.Editor{meiWrote}}, mei, true, "You wrote this post"},
		{"editor approves", post.Post{AuthorID: mei, Editors: []post.Editor{meiWrote, wrote(carlos, post.ContentTitle, post.ContentURL)}},
			carlos, true, "You changed this post's title and link since it was last approved"},
		{"editor of the image only approves", post.Post{AuthorID: mei, Editors: []post.Editor{meiWrote, wrote(carlos, post.ContentImage)}},
			carlos, true, "You changed this post's image"},
		{"untouched second reviewer approves", post.Post{AuthorID: mei, Editors: []post.Editor{meiWrote, wrote(carlos, post.ContentTitle)}},
			ana, true, ""},
		{"author edited after it was returned, reviewer approves", post.Post{AuthorID: mei,
			Editors: []post.Editor{wrote(mei, post.ContentTitle, post.ContentURL, post.ContentSuggestions, post.ContentHashtags)}}, carlos, true, ""},
		// Carlos edited in an earlier cycle, which Ana approved; Mei's edit
		// after that opened a new cycle that Carlos took no part in.
		{"editor of an earlier approved cycle", post.Post{AuthorID: mei, Editors: []post.Editor{wrote(mei, post.ContentHashtags)}},
			carlos, true, ""},
		{"author who changed nothing in this cycle", post.Post{AuthorID: mei, Editors: []post.Editor{wrote(carlos, post.ContentTitle)}},
			mei, true, "You wrote this post"},
		{"suggester approves", post.Post{AuthorID: sam, SuggestedBy: "Sam", Editors: []post.Editor{wrote(sam, post.ContentTitle, post.ContentURL)}},
			sam, true, "You suggested this link"},
		{"comms who rewrote a suggestion approves", post.Post{AuthorID: sam, SuggestedBy: "Sam",
			Editors: []post.Editor{wrote(sam, post.ContentTitle, post.ContentURL), wrote(carlos, post.ContentTitle, post.ContentSuggestions)}},
			carlos, true, "You changed this post's title and suggested commentary"},
		{"other comms approves a rewritten suggestion", post.Post{AuthorID: sam, SuggestedBy: "Sam",
			Editors: []post.Editor{wrote(sam, post.ContentTitle, post.ContentURL), wrote(carlos, post.ContentTitle, post.ContentSuggestions)}},
			ana, true, ""},
		{"four-eyes off: author approves", post.Post{AuthorID: mei, Editors: []post.Editor{meiWrote}}, mei, false, ""},
		{"four-eyes off: editor approves", post.Post{AuthorID: mei, Editors: []post.Editor{meiWrote, wrote(carlos, post.ContentTitle)}},
			carlos, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.post.Status = post.InReview
			got, err := post.Policy{FourEyes: tt.fourEyes}.Next(tt.post, post.Approve, tt.approver, "")
			if tt.wantErr == "" {
				if err != nil || got != post.Approved {
					t.Errorf("Next = %q, %v; want approved", got, err)
				}
				return
			}
			if !isTransitionError(err) || got != "" || !strings.Contains(err.Error(), tt.wantErr) ||
				!strings.Contains(err.Error(), "four-eyes") {
				t.Errorf("Next = %q, %v; want refused saying %q (four-eyes rule)", got, err, tt.wantErr)
			}
		})
	}
	// Editors do not stop anything but approval.
	edited := post.Post{Status: post.InReview, AuthorID: mei, Editors: []post.Editor{wrote(carlos, post.ContentTitle)}}
	for _, a := range []post.Action{post.Return, post.Archive} {
		if got, err := post.DefaultPolicy.Next(edited, a, carlos, "Fix it."); err != nil || got == "" {
			t.Errorf("%s by an editor = %q, %v; want allowed", a, got, err)
		}
	}
}
