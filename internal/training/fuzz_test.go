package training

import (
	"errors"
	"io/fs"
	"maps"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/advocacy-portal/portal/guidelines"
)

// smallFS is a MapFS a fuzz case may change: the embedded conduct and one
// module, in English only, so that each run is quick.
func smallFS(tb testing.TB) fstest.MapFS {
	tb.Helper()
	m := fstest.MapFS{"programme.yaml": &fstest.MapFile{Data: []byte("languages: [en]\nrequired: [timing]\n")}}
	for _, path := range []string{"conduct/en.md", "modules/timing/en.md"} {
		b, err := fs.ReadFile(guidelines.FS(), path)
		if err != nil {
			tb.Fatal(err)
		}
		m[path] = &fstest.MapFile{Data: b}
	}
	return m
}

// FuzzLoad feeds fuzzed front matter (and programme) to Load: it must
// never panic, and must either load or say what is wrong as Problems.
func FuzzLoad(f *testing.F) {
	base := smallFS(f)
	module := string(base["modules/timing/en.md"].Data)
	f.Add(string(base["programme.yaml"].Data), module)
	f.Add("languages: [en]\nrequired: [timing]\n", module)
	f.Add("languages: [en]\nrequired: [timing]\n", "---\nid: timing\ntitle: T\nminutes: 1\nquiz:\n  pass_mark: 101\n  questions: []\n---\nBody\n")
	f.Add("languages: [EN, nl, nl]\nrequired: [nope, timing, timing]\n", "---\nid: timing\n---\n")
	f.Add("languages: {a: b}\n", "---\n: : :\n\t- [\n---\n")
	f.Add("required:\n  - &a timing\n  - *a\n", "---\nquiz:\n  questions:\n    - id: q\n      options:\n        - id: a\n          correct: true\n        - id: a\n---\n")
	f.Add("", "no front matter")
	f.Add("languages: [en]\nextra: 1\n", "---\nid: other\ntitle: x\nunknown: y\nminutes: -3\nquiz:\n  retry_wait: forever\n  reveal_answers: sometimes\n---\n# Heading\n")
	f.Fuzz(func(t *testing.T, programme, moduleDoc string) {
		fsys := maps.Clone(base)
		fsys["programme.yaml"] = &fstest.MapFile{Data: []byte(programme)}
		fsys["modules/timing/en.md"] = &fstest.MapFile{Data: []byte(moduleDoc)}
		g, err := Load(fsys)
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error %v (%T) is not Problems", err, err)
			}
			if g != nil {
				t.Fatal("guidelines returned beside problems")
			}
			return
		}
		if g == nil || !slices.Contains(g.Languages, DefaultLanguage) {
			t.Fatalf("loaded guidelines without the default language: %+v", g)
		}
		for _, id := range g.Required {
			if _, ok := g.Module(id); !ok {
				t.Errorf("required module %q is not loaded", id)
			}
		}
	})
}

// FuzzCheckAnswer sends fuzzed question and option ids, as a quiz form
// could, to CheckAnswer and Score: they must refuse what is not in the
// quiz with an *AnswerError, and never panic.
func FuzzCheckAnswer(f *testing.F) {
	g, err := Load(guidelines.FS())
	if err != nil {
		f.Fatal(err)
	}
	m, ok := g.Module("timing")
	if !ok {
		f.Fatal("no timing module")
	}
	questions := m.In(DefaultLanguage).Questions
	f.Add("trending-hashtag", "c", "crisis-pause", "a")
	f.Add("trending-hashtag", "", "", "")
	f.Add("no-such-question", "a", "trending-hashtag", "zz")
	f.Add("crisis-pause", "c\x00", "Trending-Hashtag", "C")
	f.Add("", "", "\xff", "\u00e9")
	f.Fuzz(func(t *testing.T, q1, o1, q2, o2 string) {
		err := CheckAnswer(questions, q1, o1)
		var ae *AnswerError
		if err != nil && (!errors.As(err, &ae) || ae.Message == "") {
			t.Fatalf("error %v (%T) is not an *AnswerError with a message", err, err)
		}
		if err == nil && !knownOption(questions, q1, o1) {
			t.Fatalf("accepted option %q of question %q, which the quiz does not have", o1, q1)
		}
		answers := map[string]string{q1: o1, q2: o2}
		for _, q := range questions { // a complete answer sheet with the fuzzed ids on top
			if _, ok := answers[q.ID]; !ok {
				answers[q.ID] = q.Options[0].ID
			}
		}
		r, err := Score(questions, 75, answers)
		if err != nil {
			if !errors.As(err, &ae) {
				t.Fatalf("Score error %v (%T) is not an *AnswerError", err, err)
			}
			return
		}
		if r.Total != len(questions) || r.Correct > r.Total || r.Percent < 0 || r.Percent > 100 || len(r.Items) != r.Total {
			t.Fatalf("inconsistent result %+v", r)
		}
	})
}

func knownOption(questions []Question, qid, oid string) bool {
	for _, q := range questions {
		if q.ID == qid {
			return slices.ContainsFunc(q.Options, func(o Option) bool { return o.ID == oid })
		}
	}
	return false
}
