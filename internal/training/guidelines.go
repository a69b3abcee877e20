// Package training holds the code of conduct and the training modules, the
// rules for taking and scoring a quiz, what a person still has to do before
// sharing is unlocked, and when assigned training is due; and HR's side of
// it: the HR service (hr.go), over a repository the store implements, and
// the counts HR follows (report.go). It knows nothing of HTTP or storage.
package training

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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

// DefaultLanguage is the language every guideline must exist in, and the
// one shown when a person's language is not available.
const DefaultLanguage = "en"

// Guidelines is the loaded, validated content of a guidelines folder.
// It is read-only after Load and safe to share between goroutines.
type Guidelines struct {
	Languages []string // DefaultLanguage first
	Required  []string // ids of the modules of the code of conduct programme, in order
	Conduct   Conduct
	Modules   []Module // in the programme's order, then any others by folder name
}

// Conduct is one version of the social media code of conduct.
type Conduct struct {
	Version   string
	Material  bool // a material change: everyone must acknowledge it again
	Effective time.Time
	texts     map[string]ConductText
}

// ConductText is the code of conduct in one language.
type ConductText struct {
	Language string
	Title    string
	Summary  string
	HTML     string // rendered from markdown; raw HTML in the source is left out
	Hash     string // SHA-256 of the source file, kept with every acknowledgement
}

// In returns the code of conduct in lang, or in the default language.
func (c Conduct) In(lang string) ConductText { return pick(c.texts, lang) }

// Module is a training module: a short page and its quiz.
type Module struct {
	ID    string
	Quiz  Quiz
	Hash  string // SHA-256 over every language file; attempts record the version they answered
	texts map[string]ModuleText
}

// In returns the module in lang, or in the default language.
func (m Module) In(lang string) ModuleText { return pick(m.texts, lang) }

// ModuleText is a module's page and questions in one language.
type ModuleText struct {
	Language  string
	Title     string
	Summary   string
	Minutes   int
	HTML      string
	Questions []Question
}

func pick[T any](texts map[string]T, lang string) T {
	if t, ok := texts[lang]; ok {
		return t
	}
	return texts[DefaultLanguage]
}

// Reveal says when a quiz's results show the right answers.
type Reveal string

// When right answers are shown.
const (
	RevealNever    Reveal = "never"
	RevealWhenDone Reveal = "when-done" // after a pass, or once no attempts are left
	RevealAlways   Reveal = "always"
)

// Quiz holds the rules of a module's quiz; its questions are in ModuleText.
type Quiz struct {
	PassMark    int           // percent of questions to answer correctly, 1 to 100
	MaxAttempts int           // 0 means unlimited
	RetryWait   time.Duration // minimum time between a failed attempt and the next
	Reveal      Reveal
}

// Question is one multiple-choice question with exactly one correct option.
type Question struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Options []Option `json:"options"`
}

// Option is one answer to a question.
type Option struct {
	ID          string `json:"id"`
	Text        string `json:"text"`
	Correct     bool   `json:"correct,omitempty"`
	Explanation string `json:"explanation"` // why this option is right or wrong
}

// Module returns the module with the given id.
func (g *Guidelines) Module(id string) (Module, bool) {
	i := slices.IndexFunc(g.Modules, func(m Module) bool { return m.ID == id })
	if i < 0 {
		return Module{}, false
	}
	return g.Modules[i], true
}

// Language returns the best of the guidelines' languages for someone who
// asked for the given ones, in order of preference (a chosen language, then
// the browser's Accept-Language entries). It falls back to the default.
func (g *Guidelines) Language(wanted ...string) string {
	for _, w := range wanted {
		w = strings.ToLower(strings.TrimSpace(w))
		base, _, _ := strings.Cut(w, "-")
		for _, l := range g.Languages {
			if l == w || l == base {
				return l
			}
		}
	}
	return DefaultLanguage
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

const programmeFile = "programme.yaml"

type programmeFront struct {
	Languages []string `yaml:"languages"`
	Required  []string `yaml:"required"`
}

var languagePattern = regexp.MustCompile(`^[a-z]{2,3}$`)

// Load reads and validates the guidelines in fsys (laid out as described in
// guidelines/README.md). If anything is wrong it returns Problems naming
// every file, line and problem it found, not just the first.
func Load(fsys fs.FS) (*Guidelines, error) {
	var (
		g        Guidelines
		problems Problems
		prog     programmeFront
	)
	bad := func(file string, line int, format string, args ...any) {
		problems = append(problems, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	src, err := fs.ReadFile(fsys, programmeFile)
	if err != nil {
		bad(programmeFile, 0, "file is missing: it lists the languages and the required modules")
	} else if err := decodeStrict(src, &prog); err != nil {
		problems = append(problems, yamlProblems(programmeFile, 0, err)...)
	}
	g.Languages = []string{DefaultLanguage}
	for _, l := range prog.Languages {
		switch {
		case !languagePattern.MatchString(l):
			bad(programmeFile, 0, "language %q must be a two- or three-letter code like nl", l)
		case !slices.Contains(g.Languages, l):
			g.Languages = append(g.Languages, l)
		}
	}

	g.Conduct, problems = loadConduct(fsys, g.Languages, problems)

	dirs, err := fs.ReadDir(fsys, "modules")
	if err != nil {
		bad("modules", 0, "cannot read the modules folder: %v", err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		m, ps := loadModule(fsys, d.Name(), g.Languages)
		problems = append(problems, ps...)
		if len(ps) == 0 {
			g.Modules = append(g.Modules, m)
		}
	}

	lines := sequenceLines(src, 0, "required")
	for i, id := range prog.Required {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		switch {
		case !slices.ContainsFunc(dirs, func(d fs.DirEntry) bool { return d.IsDir() && d.Name() == id }):
			bad(programmeFile, line, "required module %q does not exist in modules/", id)
		case slices.Contains(g.Required, id):
			bad(programmeFile, line, "module %q is listed twice", id)
		default:
			g.Required = append(g.Required, id)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	// The programme's modules first, in its order.
	slices.SortStableFunc(g.Modules, func(a, b Module) int {
		ia, ib := slices.Index(g.Required, a.ID), slices.Index(g.Required, b.ID)
		if ia < 0 {
			ia = len(g.Required)
		}
		if ib < 0 {
			ib = len(g.Required)
		}
		return ia - ib
	})
	return &g, nil
}

type conductFront struct {
	Title     string `yaml:"title"`
	Version   string `yaml:"version"`
	Material  bool   `yaml:"material"`
	Effective string `yaml:"effective"`
	Summary   string `yaml:"summary"`
}

func loadConduct(fsys fs.FS, languages []string, problems Problems) (Conduct, Problems) {
	c := Conduct{texts: map[string]ConductText{}}
	for _, lang := range languages {
		file := path.Join("conduct", lang+".md")
		var front conductFront
		body, hash, ps := readDocument(fsys, file, &front)
		if len(ps) > 0 {
			problems = append(problems, ps...)
			continue
		}
		bad := func(format string, args ...any) {
			problems = append(problems, Problem{File: file, Line: 1, Message: fmt.Sprintf(format, args...)})
		}
		if front.Title == "" {
			bad("title is missing")
		}
		if front.Version == "" {
			bad("version is missing")
		}
		effective, err := time.Parse(time.DateOnly, front.Effective)
		if front.Effective != "" && err != nil {
			bad("effective must be a date like 2026-11-01")
		}
		if lang == DefaultLanguage {
			c.Version, c.Material, c.Effective = front.Version, front.Material, effective
		} else if front.Version != c.Version || front.Material != c.Material || !effective.Equal(c.Effective) {
			bad("version, material and effective must be the same as in conduct/%s.md", DefaultLanguage)
		}
		html, err := renderMarkdown(body)
		if err != nil {
			bad("%v", err)
		}
		c.texts[lang] = ConductText{Language: lang, Title: front.Title, Summary: front.Summary, HTML: html, Hash: hash}
	}
	return c, problems
}

type moduleFront struct {
	ID      string `yaml:"id"`
	Title   string `yaml:"title"`
	Summary string `yaml:"summary"`
	Minutes int    `yaml:"minutes"`
	Quiz    struct {
		PassMark    int    `yaml:"pass_mark"`
		MaxAttempts int    `yaml:"max_attempts"`
		RetryWait   string `yaml:"retry_wait"`
		Reveal      string `yaml:"reveal_answers"`
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

func loadModule(fsys fs.FS, folder string, languages []string) (Module, Problems) {
	m := Module{ID: folder, texts: map[string]ModuleText{}}
	var ps Problems
	hash := sha256.New()
	for _, lang := range languages {
		file := path.Join("modules", folder, lang+".md")
		var front moduleFront
		body, fileHash, fps := readDocument(fsys, file, &front)
		if len(fps) > 0 {
			ps = append(ps, fps...)
			continue
		}
		hash.Write([]byte(fileHash))
		bad := func(line int, format string, args ...any) {
			ps = append(ps, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
		}
		if front.ID != folder {
			bad(1, "id %q must equal the folder name %q", front.ID, folder)
		}
		if front.Title == "" {
			bad(1, "title is missing")
		}
		q := front.Quiz
		if lang == DefaultLanguage {
			m.Quiz = quizRules(q.PassMark, q.MaxAttempts, q.RetryWait, q.Reveal, bad)
		} else if q.PassMark != 0 || q.MaxAttempts != 0 || q.RetryWait != "" || q.Reveal != "" {
			bad(1, "quiz settings (pass_mark, max_attempts, retry_wait, reveal_answers) belong in %s.md only", DefaultLanguage)
		}
		if n := len(q.Questions); n < 1 || n > 6 {
			bad(1, "a quiz needs 1 to 6 questions, this one has %d", n)
		}
		lines := sequenceLines(fileFront(fsys, file), 1, "quiz", "questions")
		text := ModuleText{Language: lang, Title: front.Title, Summary: front.Summary, Minutes: front.Minutes}
		seenQ := map[string]bool{}
		for i, fq := range q.Questions {
			line := 1
			if i < len(lines) {
				line = lines[i]
			}
			question := Question{ID: fq.ID, Text: fq.Text}
			switch {
			case !idPattern.MatchString(question.ID):
				bad(line, "question id %q must be lowercase letters, digits and hyphens", question.ID)
			case seenQ[question.ID]:
				bad(line, "duplicate question id %q", question.ID)
			}
			seenQ[question.ID] = true
			if question.Text == "" {
				bad(line, "question %q has no text", question.ID)
			}
			if len(fq.Options) < 2 {
				bad(line, "question %q needs at least 2 options", question.ID)
			}
			seenO := map[string]bool{}
			correct := 0
			for _, fo := range fq.Options {
				o := Option(fo)
				switch {
				case !idPattern.MatchString(o.ID):
					bad(line, "question %q: option id %q must be lowercase letters, digits and hyphens", question.ID, o.ID)
				case seenO[o.ID]:
					bad(line, "question %q: duplicate option id %q", question.ID, o.ID)
				}
				seenO[o.ID] = true
				if o.Text == "" {
					bad(line, "question %q: option %q has no text", question.ID, o.ID)
				}
				if o.Explanation == "" {
					bad(line, "question %q: option %q has no explanation", question.ID, o.ID)
				}
				if o.Correct {
					correct++
				}
				question.Options = append(question.Options, o)
			}
			if correct != 1 {
				bad(line, "question %q must have exactly one correct option, it has %d", question.ID, correct)
			}
			text.Questions = append(text.Questions, question)
		}
		if lang != DefaultLanguage {
			if en, ok := m.texts[DefaultLanguage]; ok && !sameShape(en.Questions, text.Questions) {
				bad(1, "the quiz must have the same questions, options and correct answers (by id, in order) as %s.md", DefaultLanguage)
			}
		}
		html, err := renderMarkdown(body)
		if err != nil {
			bad(0, "%v", err)
		}
		text.HTML = html
		m.texts[lang] = text
	}
	m.Hash = hex.EncodeToString(hash.Sum(nil))
	return m, ps
}

// quizRules reads the quiz settings of the default language file.
func quizRules(passMark, maxAttempts int, retryWait, reveal string, bad func(int, string, ...any)) Quiz {
	q := Quiz{PassMark: passMark, MaxAttempts: maxAttempts, Reveal: Reveal(reveal)}
	if passMark < 1 || passMark > 100 {
		bad(1, "quiz.pass_mark must be a percentage from 1 to 100, not %d", passMark)
	}
	if maxAttempts < 0 {
		bad(1, "quiz.max_attempts must be 0 (unlimited) or more")
	}
	if retryWait != "" {
		d, err := time.ParseDuration(retryWait)
		if err != nil || d < 0 {
			bad(1, "quiz.retry_wait %q must be a duration like 10m or 1h", retryWait)
		}
		q.RetryWait = d
	}
	switch q.Reveal {
	case "":
		q.Reveal = RevealWhenDone
	case RevealNever, RevealWhenDone, RevealAlways:
	default:
		bad(1, "quiz.reveal_answers must be never, when-done or always, not %q", reveal)
	}
	return q
}

// sameShape reports whether two translations of a quiz have the same
// questions and options, by id and order, with the same correct answers.
func sameShape(a, b []Question) bool {
	return slices.EqualFunc(a, b, func(x, y Question) bool {
		return x.ID == y.ID && slices.EqualFunc(x.Options, y.Options, func(o, p Option) bool {
			return o.ID == p.ID && o.Correct == p.Correct
		})
	})
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
	if err := decodeStrict(meta, front); err != nil {
		return nil, "", yamlProblems(file, 1, err)
	}
	return body, hash, nil
}

func decodeStrict(src []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return nil // an empty document sets nothing
	}
	return err
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlProblems turns a YAML error into Problems, one per message, with line
// numbers shifted by offset (1 for front matter, after its opening ---).
func yamlProblems(file string, offset int, err error) Problems {
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
			p.Line, p.Message = n+offset, msg[len(m[0]):]
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

// fileFront returns the front matter of a file, or nil.
func fileFront(fsys fs.FS, file string) []byte {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil
	}
	meta, _, _ := splitFrontMatter(src)
	return meta
}

// sequenceLines returns the line of each item of the YAML sequence found
// at keys in src, plus shift (1 for front matter, whose opening --- line
// comes before it in the file). It is for messages and returns nil if the
// sequence cannot be found.
func sequenceLines(src []byte, shift int, keys ...string) []int {
	var doc yaml.Node
	if src == nil || yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	n := doc.Content[0]
	for _, k := range keys {
		n = mappingValue(n, k)
	}
	if n == nil {
		return nil
	}
	lines := make([]int, len(n.Content))
	for i, item := range n.Content {
		lines[i] = item.Line + shift
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
