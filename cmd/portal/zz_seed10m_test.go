package main

import (
	"os"
	"testing"
)

func TestZZSeed10M(t *testing.T) {
	path := os.Getenv("ZZ_DB")
	if path == "" {
		t.Skip()
	}
	if code := seedCommand([]string{"-db", path, "-users", "10000", "-posts", "2000", "-clicks", "10000000", "-bench", "20"}, os.Stdout, os.Stderr); code != 0 {
		t.Fatal(code)
	}
}
