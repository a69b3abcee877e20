package auth

import (
	"testing"

	"github.com/markbates/goth"
)

func claimsOf(raw map[string]any) Claims {
	return ClaimsFromGoth(goth.User{UserID: "u1", Email: "sam@example.com", RawData: raw}, "groups")
}

func TestTrustEmailOnlyWhenTheProviderSaysNothing(t *testing.T) {
	tests := []struct {
		name  string
		raw   map[string]any
		trust bool
		want  bool
	}{
		{"verified", map[string]any{"email_verified": true}, false, true},
		{"nothing said, not trusted", map[string]any{}, false, false},
		{"nothing said, trusted", map[string]any{}, true, true},
		{"said not verified, trusted anyway", map[string]any{"email_verified": false}, true, false},
		{"Entra says the domain is not verified, trusted anyway", map[string]any{"xms_edov": false}, true, false},
		{"said not verified as a string, trusted anyway", map[string]any{"email_verified": "false"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claimsOf(tt.raw)
			if got := c.trusted(tt.trust); got != tt.want {
				t.Errorf("trusted(%v) = %v, want %v", tt.trust, got, tt.want)
			}
		})
	}
}
