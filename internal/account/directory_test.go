package account_test

import (
	"slices"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
)

func TestEmailLookups(t *testing.T) {
	tests := []struct {
		typed string
		want  []string
	}{
		{"ana@example.com", []string{"ana@example.com"}},
		{"Ana@Example.com", []string{"Ana@Example.com", "ana@example.com"}},
		{"ANA@EXAMPLE.COM", []string{"ANA@EXAMPLE.COM", "ana@example.com"}},
		{"", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			if got := account.EmailLookups(tt.typed); !slices.Equal(got, tt.want) {
				t.Errorf("EmailLookups(%q) = %q, want %q", tt.typed, got, tt.want)
			}
		})
	}
}
