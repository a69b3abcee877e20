package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/advocacy-portal/portal/internal/training"
)

// guidelinesCommand runs `portal guidelines check [DIR]`: it validates a
// guidelines folder (the embedded set without DIR) and prints every
// problem as file:line: message. It returns the exit code: 0 when valid,
// 1 when not, 2 for bad usage.
func guidelinesCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" || len(args) > 2 {
		fmt.Fprintln(stderr, "usage: portal guidelines check [DIR]\n\nValidates a guidelines folder (default: the embedded one) and lists every problem with its file and line.")
		return 2
	}
	dir := ""
	if len(args) == 2 {
		dir = args[1]
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			fmt.Fprintf(stderr, "portal: %s is not a folder\n", dir)
			return 2
		}
	}
	g, err := loadGuidelines(dir)
	var problems training.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		fmt.Fprintf(stderr, "%d problems found\n", len(problems))
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "portal:", err)
		return 1
	}
	name := dir
	if name == "" {
		name = "the embedded guidelines"
	}
	fmt.Fprintf(stdout, "%s are valid: code of conduct %s, %d modules (%d required), languages %v\n",
		name, g.Conduct.Version, len(g.Modules), len(g.Required), g.Languages)
	return 0
}
