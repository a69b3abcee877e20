// Package letter writes the portal's mails for their readers: each mail in
// the reader's language, with the words taken from message catalogues a
// translator edits without Go (messages/<language>.yaml, embedded), laid out
// twice, as plain text and as simple HTML with inline styles.
//
// Each kind of mail is a struct (Training, Digest, UrgentConcern, Pause)
// whose Write method returns the Letter for one reader. The package knows
// nothing of storage or sending, nor of the domain packages: its callers
// (the pause and concern services, the reminder and digest jobs) fill the
// structs with plain values and put the Letter in the outbox.
package letter

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// DefaultLanguage is the language a reader gets when the catalogues have
// none of theirs; it must have every key.
const DefaultLanguage = "en"

// Letter is one mail written for one reader: its subject, and its body as
// plain text and as a whole HTML document, both in Lang.
type Letter struct {
	Lang    string
	Subject string
	Text    string
	HTML    string
}

//go:embed messages/*.yaml
var messageFiles embed.FS

//go:embed layout.html
var layoutFile string

var layout = template.Must(template.New("layout").Parse(layoutFile))

// catalogues are the embedded message catalogues by language. They are
// checked by the package's tests, so a failure to load them is a bug in
// the build and panics.
var catalogues = sync.OnceValue(func() map[string]map[string]string {
	c, err := loadCatalogues(messageFiles)
	if err != nil {
		panic(err)
	}
	return c
})

// loadCatalogues reads messages/<language>.yaml from fsys, each a flat
// map of key to text.
func loadCatalogues(fsys fs.FS) (map[string]map[string]string, error) {
	names, err := fs.Glob(fsys, "messages/*.yaml")
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]string, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var texts map[string]string
		if err := yaml.Unmarshal(b, &texts); err != nil {
			return nil, fmt.Errorf("letter: %s: %w", name, err)
		}
		out[strings.TrimSuffix(path.Base(name), ".yaml")] = texts
	}
	if _, ok := out[DefaultLanguage]; !ok {
		return nil, fmt.Errorf("letter: no messages/%s.yaml", DefaultLanguage)
	}
	return out, nil
}

// Languages returns the languages mails can be written in, the default
// first and the others in alphabetical order.
func Languages() []string {
	var langs []string
	for l := range catalogues() {
		if l != DefaultLanguage {
			langs = append(langs, l)
		}
	}
	slices.Sort(langs)
	return append([]string{DefaultLanguage}, langs...)
}

// Lang returns the language to write to a person in, given the language
// they chose in the portal ("nl", "nl-BE", "en", "ru", ...): theirs when
// there is a catalogue for it or for its base language, else the default.
func Lang(chosen string) string {
	tag := strings.ToLower(strings.TrimSpace(chosen))
	for tag != "" {
		if _, ok := catalogues()[tag]; ok {
			return tag
		}
		i := strings.LastIndexAny(tag, "-_")
		if i < 0 {
			break
		}
		tag = tag[:i]
	}
	return DefaultLanguage
}

// writer builds one letter in one language, block by block.
type writer struct {
	lang   string
	texts  map[string]string
	body   []block
	footer []block
}

// block is a piece of a letter as the layout template reads it.
type block struct {
	Kind   string // p, list, quote, fields or button; in the footer p or link
	Text   string
	Items  []string
	Lines  []string
	Fields []field
	Label  string
	URL    string
}

// field is one labelled value; a value with a URL is a link.
type field struct {
	Label, Value, URL string
}

func newWriter(lang string) *writer {
	lang = Lang(lang)
	return &writer{lang: lang, texts: catalogues()[lang]}
}

// t returns the text of key in the writer's language (the default
// language's if this one lacks it), with each {placeholder} replaced by
// the value given after its name in vars. The tests make sure no key is
// missing; if one were, the mail would show it as [key].
func (w *writer) t(key string, vars ...string) string {
	text, ok := w.texts[key]
	if !ok {
		if text, ok = catalogues()[DefaultLanguage][key]; !ok {
			return "[" + key + "]"
		}
	}
	if len(vars) == 0 {
		return text
	}
	pairs := make([]string, 0, len(vars))
	for i := 0; i+1 < len(vars); i += 2 {
		pairs = append(pairs, "{"+vars[i]+"}", vars[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// has reports whether key is in the catalogues.
func (w *writer) has(key string) bool {
	_, ok := catalogues()[DefaultLanguage][key]
	return ok
}

// greet opens the letter with the reader's name.
func (w *writer) greet(name string) {
	if name = oneLine(name); name == "" {
		w.para(w.t("greeting-anonymous"))
		return
	}
	w.para(w.t("greeting", "name", name))
}

func (w *writer) para(text string) { w.body = append(w.body, block{Kind: "p", Text: text}) }

func (w *writer) list(items []string) {
	if len(items) > 0 {
		w.body = append(w.body, block{Kind: "list", Items: items})
	}
}

// quote shows text a person wrote, line by line, set apart from the
// portal's own words.
func (w *writer) quote(text string) {
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n")
	w.body = append(w.body, block{Kind: "quote", Lines: lines})
}

func (w *writer) fields(fs ...field) { w.body = append(w.body, block{Kind: "fields", Fields: fs}) }

// button is the letter's main link; it is left out without a URL.
func (w *writer) button(label, url string) {
	if url != "" {
		w.body = append(w.body, block{Kind: "button", Label: label, URL: url})
	}
}

func (w *writer) note(text string) { w.footer = append(w.footer, block{Kind: "p", Text: text}) }

func (w *writer) footerLink(label, url string) {
	if url != "" {
		w.footer = append(w.footer, block{Kind: "link", Label: label, URL: url})
	}
}

// date is a day as the reader's language writes it, in UTC.
func (w *writer) date(t time.Time) string {
	t = t.UTC()
	return w.t("date", "day", strconv.Itoa(t.Day()), "month", w.t("month."+strconv.Itoa(int(t.Month()))),
		"year", strconv.Itoa(t.Year()))
}

// dateTime is a moment as the reader's language writes it, in UTC.
func (w *writer) dateTime(t time.Time) string {
	t = t.UTC()
	return w.t("date-time", "day", strconv.Itoa(t.Day()), "month", w.t("month."+strconv.Itoa(int(t.Month()))),
		"year", strconv.Itoa(t.Year()), "time", t.Format("15:04"))
}

// finish lays the letter out as text and HTML under subject, with the
// footer every mail has.
func (w *writer) finish(subject string) Letter {
	w.note(w.t("footer.automatic"))
	subject = oneLine(subject)
	l := Letter{Lang: w.lang, Subject: subject, Text: w.text()}
	var b bytes.Buffer
	if err := layout.Execute(&b, struct {
		Lang, Subject string
		Body, Footer  []block
	}{w.lang, subject, w.body, w.footer}); err != nil {
		// The template is embedded and the data typed: only a bug gets here.
		panic(fmt.Sprintf("letter: layout: %v", err))
	}
	l.HTML = b.String()
	return l
}

// text lays the letter out as plain text: paragraphs apart, lists as
// "- " lines, quoted words behind "> ", links on a line of their own, and
// the footer after the signature separator.
func (w *writer) text() string {
	var b strings.Builder
	for _, bl := range w.body {
		switch bl.Kind {
		case "p":
			b.WriteString(bl.Text + "\n")
		case "list":
			for _, it := range bl.Items {
				b.WriteString("- " + it + "\n")
			}
		case "quote":
			for _, l := range bl.Lines {
				b.WriteString(strings.TrimRight("> "+l, " ") + "\n")
			}
		case "fields":
			for _, f := range bl.Fields {
				b.WriteString(f.Label + ": " + f.Value + "\n")
			}
		case "button":
			b.WriteString(bl.Label + ":\n" + bl.URL + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("-- \n")
	for _, bl := range w.footer {
		if bl.Kind == "link" {
			b.WriteString(bl.Label + ": " + bl.URL + "\n")
		} else {
			b.WriteString(bl.Text + "\n")
		}
	}
	return b.String()
}

// oneLine keeps a name or title on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
