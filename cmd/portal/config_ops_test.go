package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/handlers"
)

func TestParseConfigMetricsAndRateLimits(t *testing.T) {
	tests := []struct {
		name       string
		env        env
		wantErr    []string
		wantAllow  []string
		wantLimits handlers.RateLimits
	}{
		{name: "defaults", env: production,
			wantAllow:  []string{"127.0.0.1/32", "::1/128"},
			wantLimits: handlers.RateLimits{Redirect: handlers.Rate{PerSecond: 60, Burst: 120}, SignIn: handlers.Rate{PerSecond: 0.5, Burst: 60}, SCIM: handlers.Rate{PerSecond: 20, Burst: 100}}},
		{name: "addresses and ranges", env: production.with("PORTAL_METRICS_ALLOW", "10.1.2.3, 10.0.0.0/8,fd00::/8"),
			wantAllow:  []string{"10.1.2.3/32", "10.0.0.0/8", "fd00::/8"},
			wantLimits: handlers.DefaultRateLimits},
		{name: "limits off and changed", env: production.with("PORTAL_RATE_LIMIT_REDIRECT", "0", "PORTAL_RATE_LIMIT_SIGNIN", "5/m:5", "PORTAL_RATE_LIMIT_SCIM", "0"),
			wantAllow:  []string{"127.0.0.1/32", "::1/128"},
			wantLimits: handlers.RateLimits{SignIn: handlers.Rate{PerSecond: 5.0 / 60, Burst: 5}}},
		{name: "bad values", env: production.with("PORTAL_METRICS_ALLOW", "localhost", "PORTAL_RATE_LIMIT_SCIM", "lots"),
			wantErr: []string{"-metrics-allow: \"localhost\"", "-rate-limit-scim:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(nil, tt.env.get, io.Discard)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var allow []string
			for _, p := range c.MetricsAllow {
				allow = append(allow, p.String())
			}
			if !slices.Equal(allow, tt.wantAllow) {
				t.Errorf("MetricsAllow = %v, want %v", allow, tt.wantAllow)
			}
			if c.RateLimits != tt.wantLimits {
				t.Errorf("RateLimits = %+v, want %+v", c.RateLimits, tt.wantLimits)
			}
		})
	}
}
