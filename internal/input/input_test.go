package input

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		kind     Kind
		wantOK   bool
		wantWord string // a word the reason must contain
	}{
		{"plain line", "Our new office in Utrecht", Line, true, ""},
		{"accents and emoji", "Café Ünïcödé 🚀 שלום Привет", Line, true, ""},
		{"empty", "", Line, true, ""},
		{"NUL in a line", "u\x00@x.com", Line, false, "U+0000"},
		{"NUL in text", "first\x00second", Text, false, "U+0000"},
		{"newline in a line", "title\nSet-Cookie: x=1", Line, false, "line break"},
		{"carriage return in a line", "a\rb", Line, false, "line break"},
		{"tab in a line", "a\tb", Line, false, "tab"},
		{"newline and tab in text", "para one\r\n\tpara two", Text, true, ""},
		{"escape in text", "a\x1b[31mred", Text, false, "U+001B"},
		{"DEL", "a\x7fb", Text, false, "U+007F"},
		{"C1 control", "a\u0085b", Text, false, "U+0085"},
		{"line separator", "a\u2028b", Text, false, "U+2028"},
		{"byte order mark", "\ufeffname", Line, false, "U+FEFF"},
		{"invalid UTF-8", "caf\xe9", Line, false, "UTF-8"},
		{"truncated UTF-8", "\xe2\x82", Text, false, "UTF-8"},
		{"replacement character itself is fine", "a\ufffdb", Line, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.in, tt.kind)
			if tt.wantOK {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check(%q) = %v, want an *Error", tt.in, err)
			}
			if !strings.Contains(e.Reason, tt.wantWord) {
				t.Errorf("reason %q does not mention %q", e.Reason, tt.wantWord)
			}
			if Valid(tt.in, tt.kind) {
				t.Errorf("Valid(%q) = true, want false", tt.in)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		in   string
		kind Kind
		want string
	}{
		{"Eve\x00\r\nBcc: x", Line, "Eve   Bcc: x"},
		{"caf\xe9 au lait", Line, "caf\ufffd au lait"},
		{" Sam Patel ", Line, "Sam Patel"},
		{"two\nlines", Text, "two\nlines"},
		{"\ufeffSales", Line, "Sales"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in, tt.kind); got != tt.want || !Valid(got, tt.kind) {
			t.Errorf("Clean(%q) = %q (valid %v), want %q", tt.in, got, Valid(got, tt.kind), tt.want)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x00b", "caf\xe9", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Check(s, Line) == nil && Check(s, Text) != nil {
			t.Fatalf("%q is a valid line but not valid text", s)
		}
		if Check(s, Text) == nil && strings.ContainsRune(s, 0) {
			t.Fatalf("%q holds NUL and passed", s)
		}
		for _, k := range []Kind{Line, Text} {
			if c := Clean(s, k); !Valid(c, k) {
				t.Fatalf("Clean(%q) = %q, which Check refuses", s, c)
			}
		}
	})
}
