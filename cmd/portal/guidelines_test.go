package main

import (
	"bytes"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/guidelines"
)

// copyGuidelines writes the embedded guidelines into a temporary folder
// and applies edits (file → old → new) to it.
func copyGuidelines(t *testing.T, edits map[string][2]string) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(guidelines.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(guidelines.FS(), path)
		if err != nil {
			return err
		}
		if e, ok := edits[path]; ok {
			if !bytes.Contains(data, []byte(e[0])) {
				t.Fatalf("%s does not contain %q", path, e[0])
			}
			data = bytes.Replace(data, []byte(e[0]), []byte(e[1]), 1)
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(path)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestGuidelinesCheck(t *testing.T) {
	tests := []struct {
		name     string
		args     func(t *testing.T) []string
		wantCode int
		wantOut  []string // lines expected on standard output
	}{
		{"the embedded guidelines are valid", func(t *testing.T) []string { return []string{"check"} }, 0,
			[]string{"the embedded guidelines are valid"}},
		{"a copy of them is valid", func(t *testing.T) []string { return []string{"check", copyGuidelines(t, nil)} }, 0,
			[]string{"are valid: code of conduct 2026.1, 7 modules (7 required), languages [en nl]"}},
		{"every problem is reported with file and line", func(t *testing.T) []string {
			return []string{"check", copyGuidelines(t, map[string][2]string{
				"programme.yaml":                     {"  - timing\n", "  - timing\n  - no-such-module\n"},
				"modules/engagement/en.md":           {"correct: true", "correct: false"},
				"modules/timing/en.md":               {"pass_mark: 75", "pass_mark: 0"},
				"modules/why-we-share/nl.md":         {"id: why-we-share", "id: why-we-share\ncolour: blue"},
				"modules/account-security/en.md":     {"retry_wait: 10m", "retry_wait: soon"},
				"conduct/nl.md":                      {"version: \"2026.1\"", "version: \"2025.9\""},
				"modules/confidential/en.md":         {"reveal_answers: when-done", "reveal_answers: sometimes"},
				"modules/when-things-go-wrong/nl.md": {"minutes:", "minutes: 3\nminutes:"},
			})}
		}, 1, []string{
			"programme.yaml:12: required module \"no-such-module\" does not exist in modules/",
			"modules/engagement/en.md:12: question",
			"modules/engagement/nl.md:1: the quiz must have the same questions",
			"modules/timing/en.md:1: quiz.pass_mark must be a percentage from 1 to 100, not 0",
			"modules/why-we-share/nl.md:3: unknown key \"colour\"",
			"modules/account-security/en.md:1: quiz.retry_wait \"soon\" must be a duration",
			"conduct/nl.md:1: version, material and effective must be the same as in conduct/en.md",
			"modules/confidential/en.md:1: quiz.reveal_answers must be never, when-done or always",
			"modules/when-things-go-wrong/nl.md:",
		}},
		{"no such folder", func(t *testing.T) []string { return []string{"check", filepath.Join(t.TempDir(), "nope")} }, 2, nil},
		{"bad usage", func(t *testing.T) []string { return []string{"validate"} }, 2, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := guidelinesCommand(tc.args(t), &stdout, &stderr)
			if code != tc.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, &stdout, &stderr)
			}
			for _, want := range tc.wantOut {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, &stdout)
				}
			}
		})
	}
}

// TestRunRefusesInvalidGuidelines checks that the portal does not start on
// a broken guidelines folder and says why, as the check command does.
func TestRunRefusesInvalidGuidelines(t *testing.T) {
	dir := copyGuidelines(t, map[string][2]string{"modules/engagement/en.md": {"correct: true", "correct: false"}})
	cfg, err := parseConfig([]string{"-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "p.db"), "-guidelines", dir},
		func(string) string { return "" }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	err = run(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), func(string) { t.Error("the portal started") })
	if err == nil || !strings.Contains(err.Error(), "modules/engagement/en.md:12: question") {
		t.Fatalf("run: %v, want the guidelines problem with file and line", err)
	}
}
