package letter_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/advocacy-portal/portal/internal/concern"
	"github.com/advocacy-portal/portal/internal/mail/letter"
	"github.com/advocacy-portal/portal/internal/post"
)

var (
	// leftover is a placeholder not filled in, or a key shown for a
	// missing text.
	leftover = regexp.MustCompile(`\{[a-z]+\}|\[[a-z-]+(\.[a-z0-9_-]+)+\]`)
	url      = regexp.MustCompile(`https://[^\s<>"]+`)
)

var march = time.Date(2027, 3, 10, 17, 5, 0, 0, time.UTC)

// every returns one mail of each kind, with text a person wrote that HTML
// must escape.
func every() map[string]interface{ Write(string) letter.Letter } {
	return map[string]interface{ Write(string) letter.Letter }{
		"assigned": letter.Training{Name: "Noor", Kind: letter.TrainingAssigned, URL: "https://portal.example.com/training",
			Modules: []letter.Module{{Title: "Say who you work for", Due: march}, {Title: "Timing & <context>", Due: march}}},
		"due-soon": letter.Training{Name: "Noor", Kind: letter.TrainingDueSoon, URL: "https://portal.example.com/training",
			Modules: []letter.Module{{Title: "Timing", Due: march}}},
		"overdue": letter.Training{Name: "Noor", Kind: letter.TrainingOverdue, URL: "https://portal.example.com/training",
			Modules: []letter.Module{{Title: "Timing", Due: march}}},
		"digest": letter.Digest{Name: "Noor", Titles: []string{"Office <b>opening</b>", "Q3 & more"}, More: 2,
			FeedURL: "https://portal.example.com/feed", ProfileURL: "https://portal.example.com/profile",
			UnsubscribeURL: "https://portal.example.com/unsubscribe/7.abc"},
		"weekly digest": letter.Digest{Name: "Noor", Weekly: true, Titles: []string{"One"},
			FeedURL: "https://portal.example.com/feed", ProfileURL: "https://portal.example.com/profile",
			UnsubscribeURL: "https://portal.example.com/unsubscribe/7.abc"},
		"concern": letter.UrgentConcern{Name: "Noor", Reporter: "Sam & Co", Kind: "journalist",
			Description: "A journalist asked <script>alert(1)</script>\nabout the results.", Link: "https://news.example/a?x=1&y=2",
			URL: "https://portal.example.com/concerns/5"},
		"pause": letter.Pause{Name: "Noor", By: "Mei", Reason: "A crisis <now>", PausedAt: march,
			URL: "https://portal.example.com/pause"},
		"resume": letter.Pause{Name: "Noor", Resumed: true, By: "Carlos", Campaign: "Spring",
			Reason: "A crisis", PausedAt: march, URL: "https://portal.example.com/pause"},
	}
}

// TestEveryMailInEveryLanguage writes each mail in each language: every
// placeholder filled in, the text and HTML saying the same, the HTML
// escaping what people wrote, and every address in the text a link in the
// HTML.
func TestEveryMailInEveryLanguage(t *testing.T) {
	for _, lang := range letter.Languages() {
		for name, m := range every() {
			t.Run(lang+"/"+name, func(t *testing.T) {
				l := m.Write(lang)
				if l.Lang != lang || l.Subject == "" || strings.ContainsAny(l.Subject, "\r\n") {
					t.Errorf("lang %q, subject %q; want %q and one line", l.Lang, l.Subject, lang)
				}
				for part, text := range map[string]string{"subject": l.Subject, "text": l.Text, "HTML": l.HTML} {
					if bad := leftover.FindString(text); bad != "" {
						t.Errorf("%s has %q left:\n%s", part, bad, text)
					}
				}
				doc, err := goquery.NewDocumentFromReader(strings.NewReader(l.HTML))
				if err != nil {
					t.Fatalf("parse HTML: %v", err)
				}
				if got, ok := doc.Find("html").Attr("lang"); !ok || got != lang {
					t.Errorf("<html lang> = %q (set: %v), want %q", got, ok, lang)
				}
				if doc.Find("title").Text() != l.Subject {
					t.Errorf("<title> = %q, want the subject %q", doc.Find("title").Text(), l.Subject)
				}
				if doc.Find("script").Length() != 0 || strings.Contains(l.HTML, "<b>") || strings.Contains(l.HTML, "<now>") {
					t.Errorf("HTML does not escape what people wrote:\n%s", l.HTML)
				}
				var hrefs []string
				doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
					hrefs = append(hrefs, a.AttrOr("href", "")) // there is one: a[href]
				})
				for _, u := range url.FindAllString(l.Text, -1) {
					if !slices.Contains(hrefs, u) {
						t.Errorf("%s is in the text but no link in the HTML (links: %v)", u, hrefs)
					}
				}
				// The words of the text are in the HTML too.
				body := strings.Join(strings.Fields(doc.Find("body").Text()), " ")
				for _, line := range strings.Split(l.Text, "\n") {
					line = strings.TrimSpace(strings.TrimLeft(strings.TrimPrefix(line, "- "), "> "))
					line = strings.TrimSuffix(line, ":")
					if line == "" || line == "--" || strings.HasPrefix(line, "https://") {
						continue
					}
					for _, piece := range strings.Split(line, ": ") {
						if !strings.HasPrefix(piece, "https://") && !strings.Contains(body, piece) {
							t.Errorf("%q is in the text but not in the HTML", piece)
						}
					}
				}
			})
		}
	}
}

func TestDutchMailsAreDutch(t *testing.T) {
	mails := every()
	tests := []struct {
		mail        string
		wantSubject string
		want        []string
		notWant     []string
	}{
		{"concern", "Dringende melding: Een vraag van een journalist",
			[]string{"Hallo Noor,", "Sam & Co heeft een dringende melding gedaan", "Waar het om gaat: Een vraag van een journalist",
				"> A journalist asked", "Melding beoordelen:\nhttps://portal.example.com/concerns/5"},
			[]string{"(journalist)", "journalist)", "Urgent", "Hello"}},
		{"assigned", "Nieuwe training voor jou", []string{"- Say who you work for: uiterlijk 10 maart 2027"}, []string{"March", "Hello"}},
		{"digest", "Nieuw om te delen: 4 posts", []string{"- Office <b>opening</b>\n", "- en nog 2 in de feed\n",
			"Dit overzicht uitzetten: https://portal.example.com/unsubscribe/7.abc"}, []string{"Hello"}},
		{"weekly digest", "Nieuw om te delen: 1 post", []string{"wekelijkse overzicht"}, nil},
		{"pause", "Delen gepauzeerd: het hele programma", []string{"Mei heeft delen gepauzeerd: het hele programma."}, []string{"programme"}},
		{"resume", "Delen hervat: campagne “Spring”", []string{"sinds 10 maart 2027, 17:05 UTC"}, []string{"campaign:3"}},
	}
	for _, tt := range tests {
		t.Run(tt.mail, func(t *testing.T) {
			l := mails[tt.mail].Write("nl-NL")
			if l.Lang != "nl" || l.Subject != tt.wantSubject {
				t.Errorf("lang %q, subject %q; want nl, %q", l.Lang, l.Subject, tt.wantSubject)
			}
			for _, w := range tt.want {
				if !strings.Contains(l.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, l.Text)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(l.Text, w) || strings.Contains(l.HTML, w) {
					t.Errorf("mail has %q:\n%s", w, l.Text)
				}
			}
		})
	}
}

func TestPauseScopesInWords(t *testing.T) {
	tests := []struct {
		campaign string
		category post.Category
		lang     string
		want     string
	}{
		{"", "", "en", "Sharing paused: the whole programme"},
		{"Spring launch", "", "en", "Sharing paused: campaign “Spring launch”"},
		{"3", "", "en", "Sharing paused: campaign “3”"}, // a deleted campaign, by number (pause.TestMailNamesWhatIsPaused)
		{"", post.Jobs, "en", "Sharing paused: category “Jobs”"},
		{"", post.Jobs, "nl", "Delen gepauzeerd: categorie “Vacatures”"},
		{"", "retired", "en", "Sharing paused: category “retired”"},
	}
	for _, tt := range tests {
		l := letter.Pause{Campaign: tt.campaign, Category: string(tt.category), Reason: "r"}.Write(tt.lang)
		if l.Subject != tt.want {
			t.Errorf("campaign %q, category %q in %s: subject %q, want %q", tt.campaign, tt.category, tt.lang, l.Subject, tt.want)
		}
	}
}

// TestConcernKindsAreTheForms: every kind the report form offers
// (concern.Kinds, the one list the form and the mail both read) has words
// in the mail, so none shows as a raw value.
func TestConcernKindsAreTheForms(t *testing.T) {
	for _, lang := range letter.Languages() {
		subjects := map[string]string{}
		for _, kind := range concern.Kinds {
			l := letter.UrgentConcern{Kind: kind, URL: "https://p.example/concerns/1"}.Write(lang)
			if other, seen := subjects[l.Subject]; seen {
				t.Errorf("%s: kinds %q and %q both read %q", lang, other, kind, l.Subject)
			}
			subjects[l.Subject] = kind
			if strings.Contains(l.Subject, "("+kind+")") || strings.Contains(l.Text, "("+kind+")") {
				t.Errorf("%s: the mail shows the raw kind %q:\n%s", lang, kind, l.Text)
			}
		}
	}
}

// TestConcernKindsAreTheCatalogues: the catalogue names exactly the kinds
// in concern.Kinds, none missing and none left over, so that
// UrgentConcern, which knows a kind by its words in the catalogue, reads
// exactly those as known.
func TestConcernKindsAreTheCatalogues(t *testing.T) {
	var got []string
	for _, key := range letter.Keys() {
		if kind, ok := strings.CutPrefix(key, "concern.kind."); ok {
			got = append(got, kind)
		}
	}
	want := slices.Sorted(slices.Values(concern.Kinds))
	if !slices.Equal(got, want) {
		t.Errorf("the catalogue names the kinds %q, want concern.Kinds %q", got, want)
	}
}

func TestMailWithoutNameOrLinks(t *testing.T) {
	l := letter.Pause{Reason: "r", By: "Mei"}.Write("en")
	if !strings.HasPrefix(l.Text, "Hello,\n") || strings.Contains(l.Text, "Open the pause page") || strings.Contains(l.HTML, "href") {
		t.Errorf("a mail without a name or URL: %s\n%s", l.Text, l.HTML)
	}
	c := letter.UrgentConcern{Name: "Noor", Reporter: "Sam", Kind: "made-up", URL: "https://p.example/concerns/1"}.Write("en")
	if !strings.Contains(c.Text, "What it is about: Something else\nLink they saw: none\n") || strings.Contains(c.Text, "What they wrote") {
		t.Errorf("a concern without a link or description:\n%s", c.Text)
	}
}
