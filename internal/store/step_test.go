package store_test

import "testing"

// runStep runs f, the next step of a sequence, on t itself rather than as a
// subtest: each step works on what the steps before it left, so no step
// may be run alone with -run. The step's name is logged first, so that a
// failure says which step it came from.
func runStep(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	t.Logf("step: %s", name)
	f(t)
}
