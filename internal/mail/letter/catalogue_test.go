package letter

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/advocacy-portal/portal/internal/post"
)

// placeholder is a {name} the portal fills in.
var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

func placeholders(text string) []string {
	found := placeholder.FindAllString(text, -1)
	slices.Sort(found)
	return slices.Compact(found)
}

// TestEveryKeyInEveryLanguage: each catalogue has exactly the keys of the
// English one, none empty, each with the same placeholders.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	all := catalogues()
	en := all[DefaultLanguage]
	if len(all) < 2 {
		t.Fatalf("catalogues for %v, want English and Dutch at least", Languages())
	}
	for lang, texts := range all {
		for key, want := range en {
			got, ok := texts[key]
			if !ok {
				t.Errorf("%s.yaml has no %q", lang, key)
				continue
			}
			if strings.TrimSpace(got) == "" {
				t.Errorf("%s.yaml: %q is empty", lang, key)
			}
			if g, w := placeholders(got), placeholders(want); !slices.Equal(g, w) {
				t.Errorf("%s.yaml: %q has placeholders %v, English has %v", lang, key, g, w)
			}
		}
		for key := range texts {
			if _, ok := en[key]; !ok {
				t.Errorf("%s.yaml has %q, which en.yaml does not", lang, key)
			}
		}
	}
}

// keyCall is a call of w.t whose key is a literal.
var keyCall = regexp.MustCompile(`\.t\(\s*"([^"]+)"\s*[,)]`)

// generatedKeys are the keys the code builds from a value instead of
// writing them out.
func generatedKeys() []string {
	var keys []string
	for _, k := range TrainingKinds {
		keys = append(keys, "training."+k+".intro", "training."+k+".subject")
	}
	for m := 1; m <= 12; m++ {
		keys = append(keys, "month."+strconv.Itoa(m))
	}
	// The kinds of concern are concern.Kinds, which this package cannot
	// import (concern writes its mails with it): the external
	// TestConcernKindsAreTheCatalogues holds these keys to that list.
	for key := range catalogues()[DefaultLanguage] {
		if strings.HasPrefix(key, "concern.kind.") {
			keys = append(keys, key)
		}
	}
	for _, c := range post.Categories {
		keys = append(keys, "category."+string(c))
	}
	return append(keys, "pause.started.subject", "pause.resumed.subject", "digest.subject.one", "digest.subject.other")
}

// TestEveryKeyUsedIsThere: every key the code looks up is in the English
// catalogue, and every key there is used, so that none is left behind for
// translators to translate in vain.
func TestEveryKeyUsedIsThere(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyCall.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 20 {
		t.Fatalf("found only %d keys in the code; is the pattern out of date?", len(used))
	}
	for _, k := range generatedKeys() {
		used[k] = true
	}
	en := catalogues()[DefaultLanguage]
	for key := range used {
		if _, ok := en[key]; !ok {
			t.Errorf("the code uses %q, which en.yaml lacks", key)
		}
	}
	for key := range en {
		if !used[key] {
			t.Errorf("en.yaml has %q, which no mail uses", key)
		}
	}
}

func TestLoadCataloguesRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		wantErr string
	}{
		{"no English", fstest.MapFS{"messages/nl.yaml": {Data: []byte("greeting: Hallo\n")}}, "no messages/en.yaml"},
		{"not YAML", fstest.MapFS{"messages/en.yaml": {Data: []byte("greeting: [unclosed\n")}}, "en.yaml"},
		{"not flat", fstest.MapFS{"messages/en.yaml": {Data: []byte("greeting:\n  nested: x\n")}}, "en.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := loadCatalogues(tt.files); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("loadCatalogues = %v, want an error about %q", err, tt.wantErr)
			}
		})
	}
}

func TestLang(t *testing.T) {
	tests := []struct{ chosen, want string }{
		{"nl", "nl"}, {"nl-BE", "nl"}, {"NL", "nl"}, {"en", "en"}, {"en-GB", "en"},
		{"ru", "en"}, {"he", "en"}, {"", "en"}, {"x-unknown-tag", "en"},
	}
	for _, tt := range tests {
		if got := Lang(tt.chosen); got != tt.want {
			t.Errorf("Lang(%q) = %q, want %q", tt.chosen, got, tt.want)
		}
	}
	if got := Languages(); len(got) < 2 || got[0] != DefaultLanguage || !slices.Contains(got, "nl") {
		t.Errorf("Languages() = %v, want en first, and nl", got)
	}
}
