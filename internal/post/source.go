package post

import (
	"strings"

	"github.com/advocacy-portal/portal/internal/source"
)

// ItemFields are the fields of a draft made of a content source's item:
// the item's title (its link when it has none, shortened with an ellipsis
// past MaxTitle characters) and link, as an industry insight in English,
// with a note naming the source for whoever edits it.
func ItemFields(it source.Item) Fields {
	title := strings.TrimSpace(it.Title)
	if title == "" {
		title = it.Link
	}
	if r := []rune(title); len(r) > MaxTitle {
		title = strings.TrimSpace(string(r[:MaxTitle-1])) + "…"
	}
	return Fields{Title: title, URL: it.Link, Category: IndustryInsight, Language: "en", Note: "From source " + it.SourceName}
}
