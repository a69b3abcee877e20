// Package training holds the code of conduct and the training modules, the
// rules for scoring a quiz, and what a person still has to do before sharing
// is unlocked. It knows nothing of HTTP or storage.
package training

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"go.yaml.in/yaml/v3"
)

// DefaultLanguage is the language every guideline must exist in.
const DefaultLanguage = "en"

// Guidelines is the loaded, validated content of a guidelines folder.
// It is read-only after Load and safe to share between goroutines.
type Guidelines struct {
	Conduct Conduct
	Modules []Module // in folder name order
}

// Conduct is one version of the social media code of conduct.
type Conduct struct {
	Title     string
	Version   string
	Material  bool // a material change: everyone must acknowledge it again
	Effective time.Time
	Summary   string
	HTML      string // the body rendered from markdown; raw HTML in the source is escaped
	Hash      string // SHA-256 of the source file, kept with every acknowledgement
}

// Module is a training module: a short page and its quiz.
type Module struct {
	ID       string
	Title    string
	Summary  string
	Minutes  int
	Required bool // must be passed before sharing is unlocked
	HTML     string
	Hash     string // SHA-256 of the source file; attempts record which version they answered
	Quiz     Quiz
}

// Quiz is the set of questions closing a module.
type Quiz struct {
	PassMark    int // percent of questions to answer correctly, 1 to 100
	MaxAttempts int // 0 means unlimited
	Questions   []Question
}

// Question is one multiple-choice question with exactly one correct option.
type Question struct {
	ID      string
	Text    string
	Options []Option
}

// Option is one answer to a question.
type Option struct {
	ID          string
	Text        string
	Correct     bool
	Explanation string // why this option is right or wrong
}

// Module returns the module with the given id.
func (g *Guidelines) Module(id string) (Module, bool) {
	i := slices.IndexFunc(g.Modules, func(m Module) bool { return m.ID == id })
	if i < 0 {
		return Module{}, false
	}
	return g.Modules[i], true
}

// Problem is one thing wrong with a guidelines file, located by file and line.
type Problem struct {
	File    string
	Line    int // 0 when the problem is about the file as a whole
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// Problems is every problem Load found; it is returned as an error.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return "invalid guidelines:\n  " + strings.Join(lines, "\n  ")
}

// Load reads and validates the guidelines in fsys (laid out as described in
// guidelines/README.md). If anything is wrong it returns Problems naming
// every file, line and problem it found, not just the first.
func Load(fsys fs.FS) (*Guidelines, error) {
	var (
		g        Guidelines
		problems Problems
	)
	conductFile := path.Join("conduct", DefaultLanguage+".md")
	if c, ps := loadConduct(fsys, conductFile); len(ps) > 0 {
		problems = append(problems, ps...)
	} else {
		g.Conduct = c
	}

	dirs, err := fs.ReadDir(fsys, "modules")
	if err != nil {
		problems = append(problems, Problem{File: "modules", Message: "cannot read the modules folder: " + err.Error()})
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		file := path.Join("modules", d.Name(), DefaultLanguage+".md")
		m, ps := loadModule(fsys, file, d.Name())
		problems = append(problems, ps...)
		if len(ps) == 0 {
			g.Modules = append(g.Modules, m)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return &g, nil
}

type conductFront struct {
	Title     string `yaml:"title"`
	Version   string `yaml:"version"`
	Material  bool   `yaml:"material"`
	Effective string `yaml:"effective"`
	Summary   string `yaml:"summary"`
}

func loadConduct(fsys fs.FS, file string) (Conduct, Problems) {
	var front conductFront
	body, hash, ps := readDocument(fsys, file, &front)
	if len(ps) > 0 {
		return Conduct{}, ps
	}
	c := Conduct{Title: front.Title, Version: front.Version, Material: front.Material, Summary: front.Summary, Hash: hash}
	if c.Title == "" {
		ps = append(ps, Problem{File: file, Line: 1, Message: "title is missing"})
	}
	if c.Version == "" {
		ps = append(ps, Problem{File: file, Line: 1, Message: "version is missing"})
	}
	if front.Effective != "" {
		t, err := time.Parse(time.DateOnly, front.Effective)
		if err != nil {
			ps = append(ps, Problem{File: file, Line: 1, Message: "effective must be a date like 2026-11-01"})
		}
		c.Effective = t
	}
	html, err := renderMarkdown(body)
	if err != nil {
		ps = append(ps, Problem{File: file, Message: err.Error()})
	}
	c.HTML = html
	return c, ps
}

type moduleFront struct {
	ID       string `yaml:"id"`
	Title    string `yaml:"title"`
	Summary  string `yaml:"summary"`
	Minutes  int    `yaml:"minutes"`
	Required bool   `yaml:"required"`
	Quiz     struct {
		PassMark    int `yaml:"pass_mark"`
		MaxAttempts int `yaml:"max_attempts"`
		Questions   []struct {
			ID      string `yaml:"id"`
			Text    string `yaml:"text"`
			Options []struct {
				ID          string `yaml:"id"`
				Text        string `yaml:"text"`
				Correct     bool   `yaml:"correct"`
				Explanation string `yaml:"explanation"`
			} `yaml:"options"`
		} `yaml:"questions"`
	} `yaml:"quiz"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func loadModule(fsys fs.FS, file, folder string) (Module, Problems) {
	var front moduleFront
	body, hash, ps := readDocument(fsys, file, &front)
	if len(ps) > 0 {
		return Module{}, ps
	}
	lines := questionLines(fsys, file)
	lineOf := func(i int) int {
		if i < len(lines) {
			return lines[i]
		}
		return 1
	}
	m := Module{ID: front.ID, Title: front.Title, Summary: front.Summary, Minutes: front.Minutes,
		Required: front.Required, Hash: hash,
		Quiz: Quiz{PassMark: front.Quiz.PassMark, MaxAttempts: front.Quiz.MaxAttempts}}
	bad := func(line int, format string, args ...any) {
		ps = append(ps, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	if m.ID != folder {
		bad(1, "id %q must equal the folder name %q", m.ID, folder)
	}
	if m.Title == "" {
		bad(1, "title is missing")
	}
	if m.Quiz.PassMark < 1 || m.Quiz.PassMark > 100 {
		bad(1, "quiz.pass_mark must be a percentage from 1 to 100, not %d", m.Quiz.PassMark)
	}
	if m.Quiz.MaxAttempts < 0 {
		bad(1, "quiz.max_attempts must be 0 (unlimited) or more")
	}
	if n := len(front.Quiz.Questions); n < 1 || n > 6 {
		bad(1, "a quiz needs 1 to 6 questions, this one has %d", n)
	}
	seenQ := map[string]bool{}
	for i, fq := range front.Quiz.Questions {
		line := lineOf(i)
		q := Question{ID: fq.ID, Text: fq.Text}
		switch {
		case !idPattern.MatchString(q.ID):
			bad(line, "question id %q must be lowercase letters, digits and hyphens", q.ID)
		case seenQ[q.ID]:
			bad(line, "duplicate question id %q", q.ID)
		}
		seenQ[q.ID] = true
		if q.Text == "" {
			bad(line, "question %q has no text", q.ID)
		}
		if len(fq.Options) < 2 {
			bad(line, "question %q needs at least 2 options", q.ID)
		}
		seenO := map[string]bool{}
		correct := 0
		for _, fo := range fq.Options {
			o := Option(fo)
			switch {
			case !idPattern.MatchString(o.ID):
				bad(line, "question %q: option id %q must be lowercase letters, digits and hyphens", q.ID, o.ID)
			case seenO[o.ID]:
				bad(line, "question %q: duplicate option id %q", q.ID, o.ID)
			}
			seenO[o.ID] = true
			if o.Text == "" {
				bad(line, "question %q: option %q has no text", q.ID, o.ID)
			}
			if o.Explanation == "" {
				bad(line, "question %q: option %q has no explanation", q.ID, o.ID)
			}
			if o.Correct {
				correct++
			}
			q.Options = append(q.Options, o)
		}
		if correct != 1 {
			bad(line, "question %q must have exactly one correct option, it has %d", q.ID, correct)
		}
		m.Quiz.Questions = append(m.Quiz.Questions, q)
	}
	html, err := renderMarkdown(body)
	if err != nil {
		bad(0, "%v", err)
	}
	m.HTML = html
	return m, ps
}

// readDocument splits a file into YAML front matter, decoded strictly into
// front, and the markdown body. It returns the body and the file's hash.
func readDocument(fsys fs.FS, file string, front any) (body []byte, hash string, ps Problems) {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", Problems{{File: file, Message: "file is missing"}}
		}
		return nil, "", Problems{{File: file, Message: err.Error()}}
	}
	sum := sha256.Sum256(src)
	hash = hex.EncodeToString(sum[:])
	meta, body, ok := splitFrontMatter(src)
	if !ok {
		return nil, "", Problems{{File: file, Line: 1, Message: "the file must start with front matter between two --- lines"}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(meta))
	dec.KnownFields(true)
	if err := dec.Decode(front); err != nil {
		return nil, "", yamlProblems(file, err)
	}
	return body, hash, nil
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlProblems turns a YAML error into Problems, one per message, with line
// numbers shifted by one for the opening --- line.
func yamlProblems(file string, err error) Problems {
	messages := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		messages = te.Errors
	}
	ps := make(Problems, 0, len(messages))
	for _, msg := range messages {
		p := Problem{File: file, Line: 1, Message: strings.TrimPrefix(msg, "yaml: ")}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			p.Line, p.Message = n+1, msg[len(m[0]):]
		}
		if field, _, ok := strings.Cut(strings.TrimPrefix(p.Message, "field "), " not found in type "); ok {
			p.Message = fmt.Sprintf("unknown key %q (see guidelines/README.md for the keys)", field)
		}
		ps = append(ps, p)
	}
	return ps
}

func splitFrontMatter(src []byte) (meta, body []byte, ok bool) {
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	rest, found := bytes.CutPrefix(src, []byte("---\n"))
	if !found {
		return nil, nil, false
	}
	meta, body, found = bytes.Cut(rest, []byte("\n---\n"))
	if !found {
		return nil, nil, false
	}
	return meta, body, true
}

// questionLines returns the file line of each quiz question, for messages.
func questionLines(fsys fs.FS, file string) []int {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil
	}
	meta, _, ok := splitFrontMatter(src)
	if !ok {
		return nil
	}
	var doc yaml.Node
	if yaml.Unmarshal(meta, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	quiz := mappingValue(doc.Content[0], "quiz")
	questions := mappingValue(quiz, "questions")
	if questions == nil {
		return nil
	}
	lines := make([]int, len(questions.Content))
	for i, q := range questions.Content {
		lines[i] = q.Line + 1 // +1 for the opening --- line
	}
	return lines
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// renderMarkdown renders CommonMark (with GitHub tables and lists) to HTML.
// Raw HTML in the source is left out, so content cannot inject markup.
func renderMarkdown(src []byte) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert(src, &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return buf.String(), nil
}
