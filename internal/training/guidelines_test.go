package training_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/advocacy-portal/portal/guidelines"
	"github.com/advocacy-portal/portal/internal/training"
)

// embeddedModules is the code of conduct programme that ships with the
// portal, in the order guidelines/programme.yaml lists it.
var embeddedModules = []string{"why-we-share", "disclosure", "confidential", "engagement", "timing",
	"when-things-go-wrong", "account-security"}

// checkShippedGuidelines checks the guidelines that ship with the portal.
func checkShippedGuidelines(t *testing.T, g *training.Guidelines) {
	t.Helper()
	if !slices.Equal(g.Languages, []string{"en", "nl"}) {
		t.Errorf("Languages = %v, want [en nl]", g.Languages)
	}
	if got := moduleIDs(g); !slices.Equal(got, embeddedModules) {
		t.Errorf("modules = %v, want %v", got, embeddedModules)
	}
	if !slices.Equal(g.Required, embeddedModules) {
		t.Errorf("Required = %v, want all 7 modules %v", g.Required, embeddedModules)
	}
	if g.Conduct.Version == "" {
		t.Errorf("Conduct.Version is empty")
	}
	for _, lang := range []string{"en", "nl"} {
		c := g.Conduct.In(lang)
		if c.Language != lang || c.Title == "" || c.HTML == "" {
			t.Errorf("Conduct.In(%s) = language %q, title %q, %d bytes of HTML; want all set", lang, c.Language, c.Title, len(c.HTML))
		}
		if len(c.Hash) != 64 {
			t.Errorf("Conduct.In(%s).Hash = %q, want 64 hex characters", lang, c.Hash)
		}
	}
	if g.Conduct.In("en").Title == g.Conduct.In("nl").Title {
		t.Errorf("the Dutch code of conduct has the English title %q", g.Conduct.In("nl").Title)
	}
	m, ok := g.Module("disclosure")
	if !ok {
		t.Fatalf("Module(%q) not found; modules: %v", "disclosure", moduleIDs(g))
	}
	if !slices.Contains(g.Required, m.ID) {
		t.Errorf("disclosure module is not required")
	}
	if len(m.In("en").Questions) == 0 {
		t.Errorf("disclosure module has no questions")
	}
	if len(m.Hash) != 64 {
		t.Errorf("disclosure Hash = %q, want 64 hex characters", m.Hash)
	}
	if _, ok := g.Module("no-such-module"); ok {
		t.Errorf("Module(%q) found, want not found", "no-such-module")
	}
}

func TestLoadEmbedded(t *testing.T) {
	// guidelines.FS() is what the portal runs with when no folder is configured.
	g, err := training.Load(guidelines.FS())
	if err != nil {
		t.Fatalf("Load(embedded) error: %v", err)
	}
	checkShippedGuidelines(t, g)
}

func TestLoadGuidelinesFolder(t *testing.T) {
	// The same content read from the source folder: tells a problem with
	// the content apart from a problem with what is embedded.
	g, err := training.Load(os.DirFS("../../guidelines"))
	if err != nil {
		t.Fatalf("Load(guidelines folder) error: %v", err)
	}
	checkShippedGuidelines(t, g)
}

func moduleIDs(g *training.Guidelines) []string {
	var ids []string
	for _, m := range g.Modules {
		ids = append(ids, m.ID)
	}
	return ids
}

const (
	programmeFile = "programme.yaml"
	conductFile   = "conduct/en.md"
	moduleFile    = "modules/demo/en.md"
	conductNL     = "conduct/nl.md"
	moduleNL      = "modules/demo/nl.md"
)

// englishProgramme is a programme in English only, requiring module demo.
const englishProgramme = "languages: [en]\nrequired:\n  - demo\n"

// validConduct is a correct code of conduct file.
const validConduct = "---\ntitle: Code of conduct\nversion: \"2\"\neffective: 2026-11-01\n---\nBe nice.\n"

// validConductNL is validConduct in Dutch.
const validConductNL = "---\ntitle: Gedragscode\nversion: \"2\"\neffective: 2026-11-01\n---\nWees aardig.\n"

// question returns a quiz question in YAML, 10 lines long, with options a
// (correct) and b.
func question(id string) string {
	return "    - id: " + id + "\n" +
		"      text: Question " + id + "?\n" +
		"      options:\n" +
		"        - id: a\n" +
		"          text: Yes\n" +
		"          correct: true\n" +
		"          explanation: Right.\n" +
		"        - id: b\n" +
		"          text: No\n" +
		"          explanation: Wrong.\n"
}

// vraag is question in Dutch: the same ids and correct option.
func vraag(id string) string {
	return "    - id: " + id + "\n" +
		"      text: Vraag " + id + "?\n" +
		"      options:\n" +
		"        - id: a\n" +
		"          text: Ja\n" +
		"          correct: true\n" +
		"          explanation: Goed.\n" +
		"        - id: b\n" +
		"          text: Nee\n" +
		"          explanation: Fout.\n"
}

// module returns a module file whose first question starts on line 8 of
// the file, the second on line 18, and so on (each question is 10 lines).
func module(id, passMark string, questions ...string) string {
	return "---\n" + // line 1
		"id: " + id + "\n" + // 2
		"title: Demo module\n" + // 3
		"minutes: 3\n" + // 4
		"quiz:\n" + // 5
		"  pass_mark: " + passMark + "\n" + // 6
		"  questions:\n" + // 7
		strings.Join(questions, "") + // 8…
		"---\nThe module body.\n"
}

// translation returns a Dutch module file: no quiz settings, which belong
// in en.md only. Its first question starts on line 7.
func translation(id string, questions ...string) string {
	return "---\n" +
		"id: " + id + "\n" +
		"title: Demomodule\n" +
		"minutes: 3\n" +
		"quiz:\n" +
		"  questions:\n" +
		strings.Join(questions, "") +
		"---\nDe module.\n"
}

func TestQuestionFixtureLines(t *testing.T) {
	// The line numbers the other tests expect rest on this layout.
	lines := strings.Split(module("demo", "75", question("q1"), question("q2")), "\n")
	for _, tt := range []struct {
		line int
		want string
	}{{8, "    - id: q1"}, {18, "    - id: q2"}} {
		if got := lines[tt.line-1]; got != tt.want {
			t.Errorf("line %d = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// files returns an English-only guidelines folder requiring module demo.
func files(conduct, mod string) fstest.MapFS {
	fsys := fstest.MapFS{programmeFile: &fstest.MapFile{Data: []byte(englishProgramme)}}
	if conduct != "" {
		fsys[conductFile] = &fstest.MapFile{Data: []byte(conduct)}
	}
	if mod != "" {
		fsys[moduleFile] = &fstest.MapFile{Data: []byte(mod)}
	}
	return fsys
}

// bilingual returns a valid guidelines folder in English and Dutch with one
// required module, demo, of two questions.
func bilingual() fstest.MapFS {
	return fstest.MapFS{
		programmeFile: {Data: []byte("languages: [en, nl]\nrequired:\n  - demo\n")},
		conductFile:   {Data: []byte(validConduct)},
		conductNL:     {Data: []byte(validConductNL)},
		moduleFile:    {Data: []byte(module("demo", "75", question("q1"), question("q2")))},
		moduleNL:      {Data: []byte(translation("demo", vraag("q1"), vraag("q2")))},
	}
}

// with returns a copy of fsys with file set to content, or removed if
// content is empty.
func with(fsys fstest.MapFS, file, content string) fstest.MapFS {
	out := fstest.MapFS{}
	for k, v := range fsys {
		out[k] = v
	}
	if content == "" {
		delete(out, file)
	} else {
		out[file] = &fstest.MapFile{Data: []byte(content)}
	}
	return out
}

type wantProblem struct {
	file     string
	line     int
	contains string
}

func TestLoadProblems(t *testing.T) {
	noCorrect := strings.Replace(question("q2"), "          correct: true\n", "", 1)
	twoCorrect := strings.Replace(question("q2"), "          explanation: Wrong.\n",
		"          correct: true\n          explanation: Wrong.\n", 1)
	dupOption := strings.Replace(question("q2"), "        - id: b\n", "        - id: a\n", 1)
	noExplanation := strings.Replace(question("q2"), "          explanation: Wrong.\n", "", 1)
	withSetting := func(setting string) string {
		return strings.Replace(module("demo", "75", question("q1")), "  pass_mark: 75\n", "  pass_mark: 75\n"+setting+"\n", 1)
	}

	tests := []struct {
		name         string
		fsys         fstest.MapFS
		wantProblems []wantProblem
	}{
		{
			name:         "missing conduct file",
			fsys:         files("", module("demo", "75", question("q1"))),
			wantProblems: []wantProblem{{conductFile, 0, "file is missing"}},
		},
		{
			name:         "front matter missing",
			fsys:         files("# Code of conduct\n\nBe nice.\n", module("demo", "75", question("q1"))),
			wantProblems: []wantProblem{{conductFile, 1, "front matter"}},
		},
		{
			name:         "front matter not closed",
			fsys:         files("---\ntitle: Code\nversion: \"1\"\nBe nice.\n", module("demo", "75", question("q1"))),
			wantProblems: []wantProblem{{conductFile, 1, "front matter"}},
		},
		{
			name:         "unknown key in conduct",
			fsys:         files("---\ntitle: Code\nversion: \"1\"\ncolour: blue\n---\nBe nice.\n", module("demo", "75", question("q1"))),
			wantProblems: []wantProblem{{conductFile, 4, `unknown key "colour"`}},
		},
		{
			// Every unknown key is a problem of its own, each at its own
			// line of the file (the front matter starts on line 2).
			name: "two unknown keys in conduct",
			fsys: files("---\ntitle: Code\nversion: \"1\"\ncolour: blue\nsize: 3\n---\nBe nice.\n", module("demo", "75", question("q1"))),
			wantProblems: []wantProblem{
				{conductFile, 4, `unknown key "colour"`},
				{conductFile, 5, `unknown key "size"`},
			},
		},
		{
			name: "unknown key in module",
			fsys: files(validConduct, strings.Replace(module("demo", "75", question("q1")),
				"minutes: 3\n", "minutes: 3\nmandatory: true\n", 1)),
			wantProblems: []wantProblem{{moduleFile, 5, `unknown key "mandatory"`}},
		},
		{
			// Whether a module is required is up to programme.yaml now.
			name: "required in module front matter",
			fsys: files(validConduct, strings.Replace(module("demo", "75", question("q1")),
				"minutes: 3\n", "minutes: 3\nrequired: true\n", 1)),
			wantProblems: []wantProblem{{moduleFile, 5, `unknown key "required"`}},
		},
		{
			name:         "conduct without version",
			fsys:         files("---\ntitle: Code\n---\nBe nice.\n", module("demo", "75", question("q1"))),
			wantProblems: []wantProblem{{conductFile, 1, "version is missing"}},
		},
		{
			name:         "module id is not the folder name",
			fsys:         files(validConduct, module("other", "75", question("q1"))),
			wantProblems: []wantProblem{{moduleFile, 1, `id "other" must equal the folder name "demo"`}},
		},
		{
			name:         "question without a correct option",
			fsys:         files(validConduct, module("demo", "75", question("q1"), noCorrect)),
			wantProblems: []wantProblem{{moduleFile, 18, `question "q2" must have exactly one correct option, it has 0`}},
		},
		{
			name:         "question with two correct options",
			fsys:         files(validConduct, module("demo", "75", question("q1"), twoCorrect)),
			wantProblems: []wantProblem{{moduleFile, 18, `question "q2" must have exactly one correct option, it has 2`}},
		},
		{
			name:         "duplicate question id",
			fsys:         files(validConduct, module("demo", "75", question("q1"), question("q2"), question("q1"))),
			wantProblems: []wantProblem{{moduleFile, 28, `duplicate question id "q1"`}},
		},
		{
			name:         "duplicate option id",
			fsys:         files(validConduct, module("demo", "75", question("q1"), dupOption)),
			wantProblems: []wantProblem{{moduleFile, 18, `question "q2": duplicate option id "a"`}},
		},
		{
			name:         "option without explanation",
			fsys:         files(validConduct, module("demo", "75", question("q1"), noExplanation)),
			wantProblems: []wantProblem{{moduleFile, 18, `question "q2": option "b" has no explanation`}},
		},
		{
			name:         "pass mark 0",
			fsys:         files(validConduct, module("demo", "0", question("q1"))),
			wantProblems: []wantProblem{{moduleFile, 1, "pass_mark must be a percentage from 1 to 100, not 0"}},
		},
		{
			name:         "pass mark 101",
			fsys:         files(validConduct, module("demo", "101", question("q1"))),
			wantProblems: []wantProblem{{moduleFile, 1, "pass_mark must be a percentage from 1 to 100, not 101"}},
		},
		{
			name:         "no questions",
			fsys:         files(validConduct, module("demo", "75")),
			wantProblems: []wantProblem{{moduleFile, 1, "1 to 6 questions, this one has 0"}},
		},
		{
			name:         "retry_wait not a duration",
			fsys:         files(validConduct, withSetting("  retry_wait: soon")),
			wantProblems: []wantProblem{{moduleFile, 1, `quiz.retry_wait "soon" must be a duration`}},
		},
		{
			name:         "retry_wait negative",
			fsys:         files(validConduct, withSetting("  retry_wait: -10m")),
			wantProblems: []wantProblem{{moduleFile, 1, `quiz.retry_wait "-10m" must be a duration`}},
		},
		{
			name:         "reveal_answers unknown",
			fsys:         files(validConduct, withSetting("  reveal_answers: sometimes")),
			wantProblems: []wantProblem{{moduleFile, 1, `reveal_answers must be never, when-done or always, not "sometimes"`}},
		},
		{
			name:         "max_attempts negative",
			fsys:         files(validConduct, withSetting("  max_attempts: -1")),
			wantProblems: []wantProblem{{moduleFile, 1, "max_attempts must be 0 (unlimited) or more"}},
		},
		{
			name:         "programme.yaml missing",
			fsys:         with(files(validConduct, module("demo", "75", question("q1"))), programmeFile, ""),
			wantProblems: []wantProblem{{programmeFile, 0, "file is missing"}},
		},
		{
			name: "unknown required module",
			fsys: with(files(validConduct, module("demo", "75", question("q1"))), programmeFile,
				"languages: [en]\nrequired:\n  - demo\n  - no-such-module\n"),
			wantProblems: []wantProblem{{programmeFile, 4, `required module "no-such-module" does not exist`}},
		},
		{
			name: "module listed twice",
			fsys: with(files(validConduct, module("demo", "75", question("q1"))), programmeFile,
				"languages: [en]\nrequired:\n  - demo\n  - demo\n"),
			wantProblems: []wantProblem{{programmeFile, 4, `module "demo" is listed twice`}},
		},
		{
			name: "bad language code",
			fsys: with(files(validConduct, module("demo", "75", question("q1"))), programmeFile,
				"languages: [en, Dutch]\nrequired:\n  - demo\n"),
			wantProblems: []wantProblem{{programmeFile, 0, `language "Dutch" must be a two- or three-letter code`}},
		},
		{
			name: "unknown key in programme.yaml",
			fsys: with(files(validConduct, module("demo", "75", question("q1"))), programmeFile,
				"languages: [en]\nrequired:\n  - demo\nmodules: [demo]\n"),
			wantProblems: []wantProblem{{programmeFile, 4, `unknown key "modules"`}},
		},
		{
			name:         "module translation missing",
			fsys:         with(bilingual(), moduleNL, ""),
			wantProblems: []wantProblem{{moduleNL, 0, "file is missing"}},
		},
		{
			name:         "conduct translation missing",
			fsys:         with(bilingual(), conductNL, ""),
			wantProblems: []wantProblem{{conductNL, 0, "file is missing"}},
		},
		{
			name:         "conduct translation with another version",
			fsys:         with(bilingual(), conductNL, strings.Replace(validConductNL, `version: "2"`, `version: "3"`, 1)),
			wantProblems: []wantProblem{{conductNL, 1, "version, material and effective must be the same as in conduct/en.md"}},
		},
		{
			name:         "translation with another question id",
			fsys:         with(bilingual(), moduleNL, translation("demo", vraag("q1"), vraag("q9"))),
			wantProblems: []wantProblem{{moduleNL, 1, "the quiz must have the same questions, options and correct answers"}},
		},
		{
			name:         "translation with the questions in another order",
			fsys:         with(bilingual(), moduleNL, translation("demo", vraag("q2"), vraag("q1"))),
			wantProblems: []wantProblem{{moduleNL, 1, "the quiz must have the same questions, options and correct answers"}},
		},
		{
			name: "translation with the options in another order",
			fsys: with(bilingual(), moduleNL, translation("demo", vraag("q1"),
				"    - id: q2\n      text: Vraag q2?\n      options:\n"+
					"        - id: b\n          text: Nee\n          explanation: Fout.\n"+
					"        - id: a\n          text: Ja\n          correct: true\n          explanation: Goed.\n")),
			wantProblems: []wantProblem{{moduleNL, 1, "the quiz must have the same questions, options and correct answers"}},
		},
		{
			name: "translation with another correct option",
			fsys: with(bilingual(), moduleNL, translation("demo", vraag("q1"),
				strings.Replace(strings.Replace(vraag("q2"), "          correct: true\n", "", 1),
					"          explanation: Fout.\n", "          correct: true\n          explanation: Fout.\n", 1))),
			wantProblems: []wantProblem{{moduleNL, 1, "the quiz must have the same questions, options and correct answers"}},
		},
		{
			name: "translation repeating quiz settings",
			fsys: with(bilingual(), moduleNL, strings.Replace(translation("demo", vraag("q1"), vraag("q2")),
				"quiz:\n", "quiz:\n  pass_mark: 75\n", 1)),
			wantProblems: []wantProblem{{moduleNL, 1, "quiz settings (pass_mark, max_attempts, retry_wait, reveal_answers) belong in en.md only"}},
		},
		{
			name: "several problems at once",
			fsys: func() fstest.MapFS {
				fsys := files("", module("other", "101", question("q1"), twoCorrect))
				fsys["modules/second/en.md"] = &fstest.MapFile{Data: []byte(module("second", "75", noExplanation))}
				return fsys
			}(),
			wantProblems: []wantProblem{
				{conductFile, 0, "file is missing"},
				{moduleFile, 1, `id "other" must equal the folder name "demo"`},
				{moduleFile, 1, "not 101"},
				{moduleFile, 18, `question "q2" must have exactly one correct option, it has 2`},
				{"modules/second/en.md", 8, `question "q2": option "b" has no explanation`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := training.Load(tt.fsys)
			if err == nil {
				t.Fatalf("Load succeeded, want problems %v", tt.wantProblems)
			}
			if g != nil {
				t.Errorf("Load returned guidelines %+v with an error, want nil", g)
			}
			var problems training.Problems
			if !errors.As(err, &problems) {
				t.Fatalf("Load error is %T (%v), want training.Problems", err, err)
			}
			if len(problems) != len(tt.wantProblems) {
				t.Errorf("got %d problems, want %d:\n%v", len(problems), len(tt.wantProblems), err)
			}
			for _, w := range tt.wantProblems {
				if !hasProblem(problems, w) {
					t.Errorf("no problem %s:%d containing %q in:\n%v", w.file, w.line, w.contains, err)
				}
			}
		})
	}
}

func hasProblem(ps training.Problems, w wantProblem) bool {
	for _, p := range ps {
		if p.File == w.file && p.Line == w.line && strings.Contains(p.Message, w.contains) {
			return true
		}
	}
	return false
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		problem training.Problem
		want    string
	}{
		{training.Problem{File: "a.md", Line: 3, Message: "bad"}, "a.md:3: bad"},
		{training.Problem{File: "a.md", Message: "bad"}, "a.md: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.problem.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadValidFixture(t *testing.T) {
	g, err := training.Load(files(validConduct, module("demo", "75", question("q1"), question("q2"))))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if g.Conduct.Version != "2" {
		t.Errorf("Conduct.Version = %q, want %q", g.Conduct.Version, "2")
	}
	if got, want := g.Conduct.Effective.Format("2006-01-02"), "2026-11-01"; got != want {
		t.Errorf("Conduct.Effective = %s, want %s", got, want)
	}
	if !slices.Equal(g.Languages, []string{"en"}) || !slices.Equal(g.Required, []string{"demo"}) {
		t.Errorf("Languages, Required = %v, %v; want [en], [demo]", g.Languages, g.Required)
	}
	m, ok := g.Module("demo")
	if !ok {
		t.Fatalf("module demo not loaded")
	}
	want := training.Quiz{PassMark: 75, Reveal: training.RevealWhenDone}
	if m.Quiz != want {
		t.Errorf("Quiz = %+v, want %+v (reveal defaults to when-done)", m.Quiz, want)
	}
	en := m.In("en")
	if en.Title != "Demo module" || en.Minutes != 3 || len(en.Questions) != 2 {
		t.Fatalf("In(en) = title %q, %d minutes, %d questions; want Demo module, 3, 2", en.Title, en.Minutes, len(en.Questions))
	}
	if q := en.Questions[0]; len(q.Options) != 2 || !q.Options[0].Correct || q.Options[1].Correct {
		t.Errorf("question q1 options = %+v, want a correct and b wrong", q.Options)
	}
}

func TestLoadQuizSettings(t *testing.T) {
	tests := []struct {
		name     string
		settings string
		want     training.Quiz
	}{
		{"defaults", "", training.Quiz{PassMark: 75, Reveal: training.RevealWhenDone}},
		{"all set", "  max_attempts: 3\n  retry_wait: 10m\n  reveal_answers: always\n",
			training.Quiz{PassMark: 75, MaxAttempts: 3, RetryWait: 10 * time.Minute, Reveal: training.RevealAlways}},
		{"never reveal", "  reveal_answers: never\n  retry_wait: 1h30m\n",
			training.Quiz{PassMark: 75, RetryWait: 90 * time.Minute, Reveal: training.RevealNever}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := strings.Replace(module("demo", "75", question("q1")), "  pass_mark: 75\n", "  pass_mark: 75\n"+tt.settings, 1)
			g, err := training.Load(files(validConduct, mod))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if m := mustModule(t, g, "demo"); m.Quiz != tt.want {
				t.Errorf("Quiz = %+v, want %+v", m.Quiz, tt.want)
			}
		})
	}
}

func TestLoadTranslations(t *testing.T) {
	g, err := training.Load(bilingual())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !slices.Equal(g.Languages, []string{"en", "nl"}) {
		t.Errorf("Languages = %v, want [en nl]", g.Languages)
	}
	m := mustModule(t, g, "demo")
	tests := []struct {
		lang             string
		wantConduct      string
		wantModule       string
		wantQuestion     string
		wantTextLanguage string
	}{
		{"en", "Code of conduct", "Demo module", "Question q1?", "en"},
		{"nl", "Gedragscode", "Demomodule", "Vraag q1?", "nl"},
		{"fr", "Code of conduct", "Demo module", "Question q1?", "en"}, // not available: the default
		{"", "Code of conduct", "Demo module", "Question q1?", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			c := g.Conduct.In(tt.lang)
			if c.Title != tt.wantConduct || c.Language != tt.wantTextLanguage {
				t.Errorf("Conduct.In(%q) = %q in %q, want %q in %q", tt.lang, c.Title, c.Language, tt.wantConduct, tt.wantTextLanguage)
			}
			mt := m.In(tt.lang)
			if mt.Title != tt.wantModule || mt.Language != tt.wantTextLanguage || len(mt.Questions) != 2 || mt.Questions[0].Text != tt.wantQuestion {
				t.Errorf("Module.In(%q) = %q in %q, questions %+v; want %q in %q, first %q",
					tt.lang, mt.Title, mt.Language, mt.Questions, tt.wantModule, tt.wantTextLanguage, tt.wantQuestion)
			}
		})
	}
	if en, nl := g.Conduct.In("en").Hash, g.Conduct.In("nl").Hash; en == nl || len(nl) != 64 {
		t.Errorf("conduct hashes en %q, nl %q: want two different SHA-256s", en, nl)
	}

	// The module's hash covers every language: changing the translation
	// makes it a new version of the module.
	changed, err := training.Load(with(bilingual(), moduleNL, translation("demo", vraag("q1"), strings.Replace(vraag("q2"), "Nee", "Neen", 1))))
	if err != nil {
		t.Fatalf("Load with changed translation: %v", err)
	}
	if cm := mustModule(t, changed, "demo"); cm.Hash == m.Hash {
		t.Errorf("module hash %q did not change with the Dutch text", m.Hash)
	}
}

func TestLanguage(t *testing.T) {
	g, err := training.Load(bilingual())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name   string
		wanted []string
		want   string
	}{
		{"chosen", []string{"nl"}, "nl"},
		{"chosen beats the browser", []string{"en", "nl"}, "en"},
		{"nothing chosen, browser region tag", []string{"", "nl-BE", "en"}, "nl"},
		{"upper case", []string{"NL-be"}, "nl"},
		{"unknown ones skipped", []string{"fr", "de-DE", "nl", "en"}, "nl"},
		{"none available", []string{"fr", "de"}, "en"},
		{"nothing asked", nil, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g.Language(tt.wanted...); got != tt.want {
				t.Errorf("Language(%q) = %q, want %q", tt.wanted, got, tt.want)
			}
		})
	}
}

func TestLoadOrdersModulesByProgramme(t *testing.T) {
	fsys := fstest.MapFS{
		programmeFile: {Data: []byte("languages: [en]\nrequired:\n  - charlie\n  - bravo\n")},
		conductFile:   {Data: []byte(validConduct)},
	}
	for _, id := range []string{"alpha", "bravo", "charlie", "zulu"} {
		fsys["modules/"+id+"/en.md"] = &fstest.MapFile{Data: []byte(module(id, "75", question("q1")))}
	}
	g, err := training.Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := moduleIDs(g), []string{"charlie", "bravo", "alpha", "zulu"}; !slices.Equal(got, want) {
		t.Errorf("modules = %v, want %v (the programme's order, then the others by folder)", got, want)
	}
	if !slices.Equal(g.Required, []string{"charlie", "bravo"}) {
		t.Errorf("Required = %v, want [charlie bravo]", g.Required)
	}
}

func TestLoadDoesNotRenderRawHTML(t *testing.T) {
	body := "Hello <script>alert(1)</script> there.\n\n" +
		"<div onclick=\"steal()\">block</div>\n\n" +
		"[click me](javascript:alert(2))\n\n" +
		"**bold**\n"
	conduct := strings.Replace(validConduct, "Be nice.\n", body, 1)
	mod := strings.Replace(module("demo", "75", question("q1")), "The module body.\n", body, 1)
	g, err := training.Load(files(conduct, mod))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	m := mustModule(t, g, "demo")
	for name, html := range map[string]string{"conduct": g.Conduct.In("en").HTML, "module": m.In("en").HTML} {
		t.Run(name, func(t *testing.T) {
			for _, bad := range []string{"<script", "<div", "onclick", "javascript:"} {
				if strings.Contains(html, bad) {
					t.Errorf("HTML contains %q:\n%s", bad, html)
				}
			}
			if !strings.Contains(html, "<strong>bold</strong>") {
				t.Errorf("markdown not rendered, HTML:\n%s", html)
			}
		})
	}
}

func ExampleProblems_Error() {
	err := training.Problems{{File: "conduct/en.md", Message: "file is missing"}, {File: "modules/x/en.md", Line: 8, Message: "bad"}}
	fmt.Println(err.Error())
	// Output:
	// invalid guidelines:
	//   conduct/en.md: file is missing
	//   modules/x/en.md:8: bad
}

// mustModule returns g's module id, failing the test if there is none.
func mustModule(t *testing.T, g *training.Guidelines, id string) training.Module {
	t.Helper()
	m, ok := g.Module(id)
	if !ok {
		t.Fatalf("no module %q", id)
	}
	return m
}
