package handlers

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/input"
	"github.com/advocacy-portal/portal/views"
)

// multiLineFields are the names of the form fields that hold multi-line
// text: every <textarea> of the views (TestEveryTextareaIsMultiLine holds
// this set to the templates) and the hidden fields that carry a
// textarea's text on (offered). Every other field is a single line.
var multiLineFields = map[string]bool{
	"blocked_terms":   true, // admin: content checks
	"watch_hashtags":  true, // admin: content checks
	"description":     true, // concern: what happened
	"comment":         true, // concern comment; sending a post back
	"note":            true, // concern closing note; a suggested link's note
	"emails":          true, // concern contacts, one a line
	"text":            true, // share: the employee's own words
	"offered":         true, // share: the suggestion the words started from
	"reason":          true, // crisis pause
	"suggestion_text": true, // a post's suggested commentary
}

// fieldLabels are the labels people know the form fields by, in English
// (the views translate them); a field missing here is shown by its name.
var fieldLabels = map[string]string{
	"title":              "Title",
	"url":                "Link",
	"link":               "Link",
	"suggestion_text":    "Suggested commentary",
	"suggestion_network": "Network for a suggestion",
	"hashtags":           "Hashtags",
	"campaign":           "Campaign",
	"category":           "Category",
	"language":           "Language",
	"publish_at":         "Publish at",
	"expires_at":         "Expires at",
	"image":              "Image",
	"name":               "Name",
	"kind":               "Kind",
	"description":        "What happened",
	"screenshot":         "Screenshot",
	"comment":            "Comment",
	"note":               "Note",
	"emails":             "Email addresses",
	"email":              "Email address",
	"confirm_email":      "Email address to confirm",
	"reason":             "Reason",
	"scope":              "What to pause",
	"text":               "Your words",
	"offered":            "The suggested text",
	"instance":           "Your server",
	"mastodon":           "Your server",
	"time_zone":          "Time zone",
	"blocked_terms":      "Blocked words and phrases",
	"watch_hashtags":     "Hashtags on the watch list",
	"disclosure":         "Required disclosure",
	"currency":           "Currency",
	"goal_clicks":        "Goal",
	"starts_on":          "Starts",
	"ends_on":            "Ends",
	"due":                "Due date",
	"file":               "CSV file",
	"lang":               "Language",
	"back":               "The page to return to",
}

// refusedInputMessage is the summary of a refused form, for the log and
// for anything that shows only the message.
const refusedInputMessage = "Some of what you sent cannot be stored, so nothing was changed."

// refusedInput is a request whose form holds text that may not be stored;
// the error handler shows each field's problem.
type refusedInput struct {
	fields []views.RefusedField
}

func (e *refusedInput) Error() string {
	names := make([]string, len(e.fields))
	for i, f := range e.fields {
		names[i] = f.Field
		if f.Part == views.PartFieldName {
			names[i] = "(a field's name)"
		}
	}
	return fmt.Sprintf("handlers: form values refused: %s", strings.Join(names, ", "))
}

// Unwrap makes a refused form an invalid request (422) to whoever asks.
func (e *refusedInput) Unwrap() error { return apperr.New(apperr.Invalid, refusedInputMessage) }

// checkInput refuses a state-changing request any of whose form values is
// text that may not be stored (input.Check: valid UTF-8, no control
// characters; line breaks and tabs only in multiLineFields). It reads what
// handlers read: the query string (Fiber's FormValue reads it first), the
// urlencoded or multipart body, and the names of uploaded files, but not
// their contents; field names are checked too. It runs after checkCSRF, so
// only a signed-in user's own form is answered in detail. SCIM, whose
// bodies are JSON, never passes through it.
func (s *server) checkInput(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	var refused []views.RefusedField
	seen := map[string]bool{}
	check := func(name, value string, part views.FieldPart) {
		if seen[name] {
			return
		}
		if err := input.Check(name, input.Line); err != nil {
			seen[name] = true
			refused = append(refused, views.RefusedField{Part: views.PartFieldName, Reason: err.Error()})
			return
		}
		kind := input.Line
		if part == views.PartValue && multiLineFields[name] {
			kind = input.Text
		}
		if err := input.Check(value, kind); err != nil {
			seen[name] = true
			refused = append(refused, views.RefusedField{Field: name, Label: fieldLabel(name), Part: part, Reason: err.Error()})
		}
	}
	visit := func(k, v []byte) { check(string(k), string(v), views.PartValue) }
	c.Request().URI().QueryArgs().VisitAll(visit)
	c.Request().PostArgs().VisitAll(visit)
	if form, err := c.MultipartForm(); err == nil {
		for _, name := range slices.Sorted(maps.Keys(form.Value)) {
			for _, v := range form.Value[name] {
				check(name, v, views.PartValue)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(form.File)) {
			for _, fh := range form.File[name] {
				check(name, fh.Filename, views.PartFileName)
			}
		}
	}
	if len(refused) > 0 {
		return &refusedInput{fields: refused}
	}
	return c.Next()
}

// fieldLabel is the label of a form field, or its name if it has none.
func fieldLabel(name string) string {
	if label, ok := fieldLabels[name]; ok {
		return label
	}
	return name
}
