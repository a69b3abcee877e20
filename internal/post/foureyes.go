package post

import (
	"fmt"
	"slices"
	"strings"
)

// ContentField names a part of a post that ends up in what employees see
// in their feed or share on a network. Changing one makes the person who
// changed it an editor of the post until its next approval, and under the
// four-eyes rule an editor may not approve it.
//
// Not content: category and language (chosen from fixed lists, they sort
// the feed), campaign (it names the UTM campaign, not the text), target
// groups and publish and expiry times (who sees the post and when, which
// reviewers adjust), and the suggester's note (read by comms only).
type ContentField string

// The content fields, in the order messages list them.
const (
	ContentTitle       ContentField = "title"
	ContentURL         ContentField = "url"
	ContentImage       ContentField = "image"
	ContentSuggestions ContentField = "suggestions"
	ContentHashtags    ContentField = "hashtags"
)

// ContentFields lists every content field in the order messages list them.
var ContentFields = []ContentField{ContentTitle, ContentURL, ContentImage, ContentSuggestions, ContentHashtags}

// Label is the field as people read it in a sentence.
func (f ContentField) Label() string {
	switch f {
	case ContentTitle:
		return "title"
	case ContentURL:
		return "link"
	case ContentImage:
		return "image"
	case ContentSuggestions:
		return "suggested commentary"
	case ContentHashtags:
		return "hashtags"
	}
	return string(f)
}

// ContentChanges returns the content fields that differ between a post's
// fields before and after an edit, in ContentFields order; none when the
// edit changed only what is not content.
func ContentChanges(before, after Fields) []ContentField {
	var out []ContentField
	for _, f := range ContentFields {
		if !sameContent(f, before, after) {
			out = append(out, f)
		}
	}
	return out
}

// CreatedContent is the content fields a new post has filled in: what its
// author wrote.
func CreatedContent(f Fields) []ContentField {
	return ContentChanges(Fields{}, f)
}

// withImage adds ContentImage to fields, in ContentFields order, when a new
// image is uploaded: its id is known only once it is stored, and a new
// image is always a change of the content.
func withImage(fields []ContentField, uploaded bool) []ContentField {
	if !uploaded || slices.Contains(fields, ContentImage) {
		return fields
	}
	out := append(slices.Clone(fields), ContentImage)
	slices.SortFunc(out, func(a, b ContentField) int {
		return slices.Index(ContentFields, a) - slices.Index(ContentFields, b)
	})
	return out
}

func sameContent(field ContentField, a, b Fields) bool {
	switch field {
	case ContentTitle:
		return a.Title == b.Title
	case ContentURL:
		return a.URL == b.URL
	case ContentImage:
		return a.ImageID == b.ImageID
	case ContentSuggestions:
		// A browser sends a textarea's line breaks as CRLF, whatever they
		// were stored as: only a change of the words is a change.
		return slices.EqualFunc(a.Suggestions, b.Suggestions, func(x, y Suggestion) bool {
			return x.Network == y.Network && sameLines(x.Text, y.Text)
		})
	case ContentHashtags:
		return slices.Equal(a.Hashtags, b.Hashtags)
	}
	return true
}

func sameLines(a, b string) bool {
	return a == b || strings.ReplaceAll(a, "\r\n", "\n") == strings.ReplaceAll(b, "\r\n", "\n")
}

// Editor is a person who wrote or changed a post's content in its current
// approval cycle: since it was last approved, or since it was created if it
// never was.
type Editor struct {
	ID     int64
	Name   string
	Fields []ContentField // what they changed, in ContentFields order
}

// FieldText is what the editor changed, as people read it: "title and link".
func (e Editor) FieldText() string {
	labels := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		labels[i] = f.Label()
	}
	switch len(labels) {
	case 0:
		return "content"
	case 1:
		return labels[0]
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " and " + labels[len(labels)-1]
}

// MergeEdits folds content edits, oldest first, into one Editor per person
// in the order they first edited, each with the union of what they changed.
// The store keeps each edit; this is how the rule and the page read them.
func MergeEdits(edits []Editor) []Editor {
	var out []Editor
	for _, e := range edits {
		i := slices.IndexFunc(out, func(o Editor) bool { return o.ID == e.ID })
		if i < 0 {
			out = append(out, Editor{ID: e.ID, Name: e.Name})
			i = len(out) - 1
		}
		for _, f := range e.Fields {
			if !slices.Contains(out[i].Fields, f) {
				out[i].Fields = append(out[i].Fields, f)
			}
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Fields, func(a, b ContentField) int {
			return slices.Index(ContentFields, a) - slices.Index(ContentFields, b)
		})
	}
	return out
}

// EditedBy returns the editor entry of userID in p's current approval
// cycle, if they changed its content since it was last approved.
func (p Post) EditedBy(userID int64) (Editor, bool) {
	for _, e := range p.Editors {
		if e.ID == userID {
			return e, true
		}
	}
	return Editor{}, false
}

// mayApprove says why actorID may not approve p under the four-eyes rule:
// nobody who wrote the post or changed its content since it was last
// approved approves it. nil means they may.
func (pol Policy) mayApprove(p Post, actorID int64) error {
	if !pol.FourEyes {
		return nil
	}
	if p.AuthorID == actorID {
		if p.SuggestedBy != "" {
			return &TransitionError{"You suggested this link, so someone else has to approve it (four-eyes rule)."}
		}
		return &TransitionError{"You wrote this post, so someone else has to approve it (four-eyes rule)."}
	}
	if e, ok := p.EditedBy(actorID); ok {
		return &TransitionError{fmt.Sprintf("You changed this post's %s since it was last approved, so someone who did not change it has to approve it (four-eyes rule).",
			e.FieldText())}
	}
	return nil
}
