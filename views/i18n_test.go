package views

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/advocacy-portal/portal/guidelines"
	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/training"
)

var (
	// trCall is any call of tr or trf; trKey is one whose key is a literal.
	trCall = regexp.MustCompile(`\btrf?\(`)
	trKey  = regexp.MustCompile(`\btrf?\(\s*[^,()]+,\s*"([^"]+)"`)
	// verb is an fmt verb; %% is a literal percent sign.
	verb = regexp.MustCompile(`%%|%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z]`)
)

// usedKeys scans the templates and the hand-written Go files of this
// package for tr and trf calls and returns the literal keys they use. In
// templates every key must be a literal, so that it can be checked; only
// the helpers in i18n.go pass keys on.
func usedKeys(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no .templ files found: %v", err)
	}
	goFiles, err := filepath.Glob("*.go")
	if err != nil || len(goFiles) == 0 {
		t.Fatalf("no .go files found: %v", err)
	}
	for _, f := range goFiles {
		if !strings.HasSuffix(f, "_templ.go") && !strings.HasSuffix(f, "_test.go") {
			files = append(files, f)
		}
	}
	used := make(map[string][]string) // key -> files using it
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			calls := len(trCall.FindAllString(line, -1))
			keys := trKey.FindAllStringSubmatch(line, -1)
			if strings.HasSuffix(f, ".templ") && calls != len(keys) {
				t.Errorf("%s:%d: tr or trf with a key that is not a string literal: %s", f, i+1, strings.TrimSpace(line))
			}
			for _, k := range keys {
				used[k[1]] = append(used[k[1]], f)
			}
		}
	}
	return used
}

func TestCatalogEntriesHaveBothLanguages(t *testing.T) {
	for key, m := range messages {
		if strings.TrimSpace(m.en) == "" || strings.TrimSpace(m.nl) == "" {
			t.Errorf("%q: want both en and nl, got en %q, nl %q", key, m.en, m.nl)
		}
		if en, nl := verb.FindAllString(m.en, -1), verb.FindAllString(m.nl, -1); !slices.Equal(en, nl) {
			t.Errorf("%q: fmt verbs differ: en %q, nl %q", key, en, nl)
		}
	}
}

func TestEveryKeyUsedIsInTheCatalog(t *testing.T) {
	for key, files := range usedKeys(t) {
		if _, ok := messages[key]; !ok {
			t.Errorf("%s: uses key %q, which is not in the catalog", strings.Join(slices.Compact(files), ", "), key)
		}
	}
}

func TestEveryCatalogEntryIsUsed(t *testing.T) {
	used := usedKeys(t)
	literals := goStringLiterals(t, "..")
	seen := make(map[string]string)
	for key, m := range messages {
		if !strings.HasPrefix(key, "given.") {
			if _, ok := used[key]; !ok {
				t.Errorf("%q is in the catalog but no template uses it", key)
			}
			continue
		}
		if !literals[m.en] {
			t.Errorf("%q translates %q, which no Go code outside views hands to the views any more: update or remove it", key, m.en)
		}
		if other, dup := seen[m.en]; dup {
			t.Errorf("%q and %q both translate %q", key, other, m.en)
		}
		seen[m.en] = key
	}
}

// goStringLiterals returns the string literals in the module's non-test Go
// files outside this package.
func goStringLiterals(t *testing.T, root string) map[string]bool {
	t.Helper()
	out := make(map[string]bool)
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "views", "testdata", "vendor", "node_modules", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil // a file being edited elsewhere; its literals just do not count
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[s] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHelpersKeepEnglishAsItWas(t *testing.T) {
	everyone := Chrome{User: &account.User{Roles: account.Roles}}
	for _, item := range everyone.nav() {
		if got := navLabel("en", item); got != item.Label {
			t.Errorf("navLabel(en, %q) = %q, want %q", item.Key, got, item.Label)
		}
		if got, want := navLabel("nl", item), messages["nav."+item.Key].nl; got != want || want == "" {
			t.Errorf("navLabel(nl, %q) = %q, want the catalog's %q", item.Key, got, want)
		}
	}
	for _, c := range post.Categories {
		if got := categoryLabel("en", c); got != c.Label() {
			t.Errorf("categoryLabel(en, %q) = %q, want %q", c, got, c.Label())
		}
		if _, ok := messages["category."+string(c)]; !ok {
			t.Errorf("category %q has no catalog entry", c)
		}
	}
	for _, n := range share.Networks {
		if got := networkLabel("en", n); got != n.Label() {
			t.Errorf("networkLabel(en, %q) = %q, want %q", n, got, n.Label())
		}
	}
	for _, status := range []int{400, 401, 403, 404, 405, 409, 413, 422, 500} {
		if got, want := messages["status."+strconv.Itoa(status)].en, statusText(status); got != want {
			t.Errorf("status.%d is %q in the catalog, statusText says %q", status, got, want)
		}
	}
}

func TestTranslate(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"dutch", tr("nl", "layout.sign-out"), "Uitloggen"},
		{"english", tr("en", "layout.sign-out"), "Sign out"},
		{"regional dutch", tr("nl-BE", "layout.sign-out"), "Uitloggen"},
		{"other language falls back to english", tr("de", "layout.sign-out"), "Sign out"},
		{"unknown key shows itself", tr("nl", "no.such.key"), "no.such.key"},
		{"with arguments", trf("nl", "question.progress", 2, 5)[:13], "Vraag 2 van 5"},
		{"percent sign", trf("nl", "result.passed", 80, 100), "Je had 80% nodig en haalde 100%."},
		{"given text", trGiven("nl", "Choose an answer."), "Kies een antwoord."},
		{"given text in english", trGiven("en", "Choose an answer."), "Choose an answer."},
		{"unknown given text", trGiven("nl", "Something new"), "Something new"},
		{"blocked: wait", quizBlocked("nl", "Take a moment…", time.Date(2026, 11, 22, 14, 5, 0, 0, time.UTC)), "Lees de pagina rustig nog eens door: je kunt het om 14:05 UTC opnieuw proberen."},
		{"blocked in english as given", quizBlocked("en", "Take a moment…", time.Date(2026, 11, 22, 14, 5, 0, 0, time.UTC)), "Take a moment…"},
		{"blocked: no attempts", quizBlocked("nl", "You have used all your attempts at this quiz. Ask HR to reset them.", time.Time{}), "Je hebt al je pogingen voor deze quiz gebruikt. Vraag HR om ze opnieuw in te stellen."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestDates(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 5, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name, got, want string
	}{
		{"date nl", dateIn("nl", at), "2 maart 2026"},
		{"date en", dateIn("en", at), date(at)},
		{"date time nl, in UTC", dateTimeIn("nl", at), "2 mrt. 2026, 08:05 UTC"},
		{"date time en", dateTimeIn("en", at), dateTime(at)},
		{"zero nl", dateIn("nl", time.Time{}), "—"},
		{"zero date time nl", dateTimeIn("nl", time.Time{}), "—"},
		{"november", dateIn("nl", time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)), "22 november 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// TestDutchPagesHaveNoEnglishLeft renders the employee pages in Dutch and
// looks for any English text of the catalog that has a different Dutch one.
func TestDutchPagesHaveNoEnglishLeft(t *testing.T) {
	g, err := training.Load(guidelines.FS())
	if err != nil {
		t.Fatal(err)
	}
	mod := g.Modules[0]
	text := mod.In("nl")
	q := text.Questions[0]
	right, wrong := q.Options[0], q.Options[1]
	for _, o := range q.Options {
		if o.Correct {
			right = o
		} else {
			wrong = o
		}
	}
	user := &account.User{Name: "Sanne de Vries", Roles: []account.Role{account.Employee}}
	c := Chrome{User: user, CSRF: "t", Demo: true, Active: "feed", Lang: "nl", Dir: "ltr", Languages: []string{"en", "nl"}, Path: "/feed"}
	when := time.Date(2026, 11, 22, 14, 5, 0, 0, time.UTC)
	p := post.Post{ID: 7, Title: "Nieuw kantoor", URL: "https://example.com/kantoor", Category: post.CompanyNews, PublishAt: when}
	pages := []struct {
		name string
		page templ.Component
		want []string // data-testid values that must still be there
	}{
		{"home", HomePage(Chrome{Lang: "nl", Demo: true, Title: "Welcome"}), []string{"home", "sign-in-link"}},
		{"login", LoginPage(Chrome{Lang: "nl", Demo: true, Title: "Sign in"}, []LoginProvider{{Label: "the demo identity provider", Href: "/auth/demo"}}, "Choose an answer."), []string{"login", "provider"}},
		{"feed locked", FeedView(c, FeedPage{Missing: []training.Step{{}, {Module: &mod}}}), []string{"feed-locked", "missing-conduct", "missing-module-" + mod.ID, "sign-out", "demo-banner"}},
		{"feed", FeedView(c, FeedPage{Posts: []FeedPost{{Post: p, Shared: []share.Network{share.LinkedIn}}}, Networks: share.Networks}), []string{"feed", "shared-marker", "share-copy"}},
		{"feed empty", FeedView(c, FeedPage{Networks: share.Networks}), []string{"feed"}},
		{"copy link", CopyLinkView(c, CopyLinkPage{Post: p, Link: "https://example.com/l/x"}), []string{"tracked-link"}},
		{"mastodon", MastodonView(c, MastodonPage{Post: p, Problem: "That does not look like a server name. Type it like mastodon.social."}), []string{"mastodon-form", "error-instance"}},
		{"conduct to acknowledge", ConductView(c, ConductPage{Conduct: g.Conduct, Text: g.Conduct.In("nl"), MustReacknowledge: true, CanAcknowledge: true}), []string{"reacknowledge", "acknowledge"}},
		{"conduct still counts", ConductView(c, ConductPage{Conduct: g.Conduct, Text: g.Conduct.In("nl"), StillCounts: true, CanAcknowledge: true}), []string{"acknowledge-form"}},
		{"conduct acknowledged", ConductView(c, ConductPage{Conduct: g.Conduct, Text: g.Conduct.In("nl"), AcknowledgedAt: when}), []string{"acknowledged"}},
		{"training", TrainingView(c, TrainingPage{Modules: []ModuleSummary{
			{ID: "a", Text: text, Questions: 4, Required: true, Due: when},
			{ID: "b", Text: text, Questions: 4, Due: when, Overdue: true},
			{ID: "c", Text: text, Questions: 4, Passed: true},
			{ID: "d", Text: text, Questions: 4}}}), []string{"modules", "due", "overdue"}},
		{"module to start", ModuleView(c, ModulePage{ID: mod.ID, Quiz: mod.Quiz, Text: text, AttemptsLeft: 2, CanStart: true}), []string{"module-page", "start-quiz", "attempts-left"}},
		{"module passed", ModuleView(c, ModulePage{ID: mod.ID, Quiz: mod.Quiz, Text: text, History: training.History{Passed: true}, AttemptsLeft: -1, CanStart: true}), []string{"module-passed", "start-quiz"}},
		{"module in progress", ModuleView(c, ModulePage{ID: mod.ID, Quiz: mod.Quiz, Text: text, AttemptsLeft: -1, OpenAttempt: 3, Answered: 1}), []string{"continue-quiz"}},
		{"module blocked", ModuleView(c, ModulePage{ID: mod.ID, Quiz: mod.Quiz, Text: text, NotBefore: when, Blocked: "Take a moment to reread the page: you can try again at 14:05 UTC."}), []string{"quiz-blocked"}},
		{"question", QuestionView(c, QuestionPage{ModuleID: mod.ID, Title: text.Title, AttemptID: 3, Number: 1, Total: 4, Question: q, Problem: "Choose an answer."}), []string{"quiz-progress", "quiz-problem", "submit-answer"}},
		{"last question", QuestionView(c, QuestionPage{ModuleID: mod.ID, Title: text.Title, AttemptID: 3, Number: 4, Total: 4, Question: q}), []string{"submit-answer"}},
		{"result passed", AttemptView(c, AttemptPage{ModuleID: mod.ID, Title: text.Title, Quiz: mod.Quiz, Reveal: true, Unlocked: true,
			Result: training.Result{Correct: 1, Total: 2, Percent: 50, Passed: true, Items: []training.Item{
				{Question: q, Chosen: right, Correct: true, Right: right}, {Question: q, Chosen: wrong, Right: right}}}}), []string{"passed", "go-to-feed", "right-answer"}},
		{"result passed, more to do", AttemptView(c, AttemptPage{ModuleID: mod.ID, Title: text.Title, Quiz: mod.Quiz, Result: training.Result{Passed: true}}), []string{"whats-left"}},
		{"result failed", AttemptView(c, AttemptPage{ModuleID: mod.ID, Title: text.Title, Quiz: mod.Quiz, AttemptsLeft: 1, CanRetry: true,
			Result: training.Result{Total: 1, Items: []training.Item{{Question: q, Chosen: wrong, Right: right}}}}), []string{"failed", "retake", "answers-hidden"}},
		{"result blocked", AttemptView(c, AttemptPage{ModuleID: mod.ID, Title: text.Title, Quiz: mod.Quiz, AttemptsLeft: 0,
			Blocked: "You have used all your attempts at this quiz. Ask HR to reset them."}), []string{"retry-blocked"}},
		{"my reach", ReachView(c, ReachPage{Heading: "My reach", Intro: "What your shares brought in, post by post."}), []string{"reach-empty"}},
		{"programme reach", ReachView(c, ReachPage{Heading: "Programme reach", Intro: "Shares and clicks across all employees, post by post.", Rows: nil}), []string{"reach-empty"}},
		{"error", ErrorPage(Chrome{Lang: "nl", Title: "Error"}, 404, "There is no such post."), []string{"error-page"}},
		{"input refused", InputRefusedView(c, InputRefusedPage{Back: "/concerns/new", Fields: []RefusedField{
			{Field: "description", Label: "What happened", Reason: "is not valid UTF-8 text; paste it again from its source, or type it"},
			{Field: "screenshot", Label: "Screenshot", Part: PartFileName, Reason: "is not valid UTF-8 text; paste it again from its source, or type it"},
			{Part: PartFieldName, Reason: "is not valid UTF-8 text; paste it again from its source, or type it"}}}),
			[]string{"input-refused", "input-problem-description", "input-problem-screenshot", "input-problem-field-name", "input-back"}},
	}
	var english []string
	for _, m := range messages {
		if m.en != m.nl && len(m.en) >= 6 {
			english = append(english, m.en)
		}
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.page.Render(context.Background(), &buf); err != nil {
				t.Fatal(err)
			}
			doc, err := goquery.NewDocumentFromReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range tt.want {
				if doc.Find(`[data-testid="`+id+`"]`).Length() == 0 {
					t.Errorf("data-testid %q is missing", id)
				}
			}
			doc.Find(".prose").Remove() // the guidelines' own text, which may quote English
			page, err := doc.Html()
			if err != nil {
				t.Fatal(err)
			}
			body := html.UnescapeString(page)
			for _, en := range english {
				if strings.Contains(body, en) {
					t.Errorf("Dutch page shows English %q", en)
				}
			}
		})
	}
}
