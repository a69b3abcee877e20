package training_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/advocacy-portal/portal/guidelines"
	"github.com/advocacy-portal/portal/internal/training"
)

func TestLoadEmbedded(t *testing.T) {
	g, err := training.Load(guidelines.FS())
	if err != nil {
		t.Fatalf("Load(embedded) error: %v", err)
	}
	if g.Conduct.Version == "" {
		t.Errorf("Conduct.Version is empty")
	}
	if g.Conduct.Title == "" || g.Conduct.HTML == "" {
		t.Errorf("Conduct title or HTML is empty: title %q, %d bytes of HTML", g.Conduct.Title, len(g.Conduct.HTML))
	}
	if len(g.Conduct.Hash) != 64 {
		t.Errorf("Conduct.Hash = %q, want 64 hex characters", g.Conduct.Hash)
	}
	m, ok := g.Module("disclosure")
	if !ok {
		t.Fatalf("Module(%q) not found; modules: %v", "disclosure", moduleIDs(g))
	}
	if !m.Required {
		t.Errorf("disclosure module is not required")
	}
	if len(m.Quiz.Questions) == 0 {
		t.Errorf("disclosure module has no questions")
	}
	if _, ok := g.Module("no-such-module"); ok {
		t.Errorf("Module(%q) found, want not found", "no-such-module")
	}
}

func moduleIDs(g *training.Guidelines) []string {
	var ids []string
	for _, m := range g.Modules {
		ids = append(ids, m.ID)
	}
	return ids
}

const (
	conductFile = "conduct/en.md"
	moduleFile  = "modules/demo/en.md"
)

// validConduct is a correct code of conduct file.
const validConduct = "---\ntitle: Code of conduct\nversion: \"2\"\neffective: 2026-11-01\n---\nBe nice.\n"

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

// module returns a module file whose first question starts on line 8 of
// the file, the second on line 18, and so on (each question is 10 lines).
func module(id, passMark string, questions ...string) string {
	return "---\n" + // line 1
		"id: " + id + "\n" + // 2
		"title: Demo module\n" + // 3
		"required: true\n" + // 4
		"quiz:\n" + // 5
		"  pass_mark: " + passMark + "\n" + // 6
		"  questions:\n" + // 7
		strings.Join(questions, "") + // 8…
		"---\nThe module body.\n"
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

func files(conduct, mod string) fstest.MapFS {
	fsys := fstest.MapFS{}
	if conduct != "" {
		fsys[conductFile] = &fstest.MapFile{Data: []byte(conduct)}
	}
	if mod != "" {
		fsys[moduleFile] = &fstest.MapFile{Data: []byte(mod)}
	}
	return fsys
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
				"required: true\n", "required: true\nmandatory: true\n", 1)),
			wantProblems: []wantProblem{{moduleFile, 5, `unknown key "mandatory"`}},
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
	m, ok := g.Module("demo")
	if !ok {
		t.Fatalf("module demo not loaded")
	}
	if m.Quiz.PassMark != 75 || len(m.Quiz.Questions) != 2 {
		t.Errorf("quiz = pass mark %d, %d questions; want 75, 2", m.Quiz.PassMark, len(m.Quiz.Questions))
	}
	if q := m.Quiz.Questions[0]; len(q.Options) != 2 || !q.Options[0].Correct || q.Options[1].Correct {
		t.Errorf("question q1 options = %+v, want a correct and b wrong", q.Options)
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
	m, _ := g.Module("demo")
	for name, html := range map[string]string{"conduct": g.Conduct.HTML, "module": m.HTML} {
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
