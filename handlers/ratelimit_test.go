package handlers

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    Rate
		wantErr bool
	}{
		{in: "60/s:120", want: Rate{PerSecond: 60, Burst: 120}},
		{in: "30/m:60", want: Rate{PerSecond: 0.5, Burst: 60}},
		{in: "3600/h", want: Rate{PerSecond: 1, Burst: 3600}},
		{in: " 5 / s : 7 ", want: Rate{PerSecond: 5, Burst: 7}},
		{in: "0", want: Rate{}},
		{in: "", want: Rate{}},
		{in: "10/s:0", want: Rate{}},
		{in: "60", wantErr: true},
		{in: "60/d", wantErr: true},
		{in: "-1/s", wantErr: true},
		{in: "x/s", wantErr: true},
		{in: "1/s:many", wantErr: true},
		{in: "NaN/s", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if !tt.wantErr && !got.Off() {
				back, err := ParseRate(got.String())
				if err != nil || back != got {
					t.Errorf("String %q reads back as %+v, %v", got.String(), back, err)
				}
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	tests := []struct {
		name   string
		limits RateLimits
		path   string
		bearer string
		route  string // the 429s' route label in /metrics
	}{
		{"redirect path", RateLimits{Redirect: Rate{PerSecond: 1, Burst: 3}}, "/l/unknowncode", "", "/l/:code"},
		{"sign-in page", RateLimits{SignIn: Rate{PerSecond: 1, Burst: 3}}, "/login", "", "(sign-in, rate limited)"},
		{"sign-in start", RateLimits{SignIn: Rate{PerSecond: 1, Burst: 3}}, "/auth/nowhere", "", "(sign-in, rate limited)"},
		// A token the portal does not know counts against the client's address.
		{"SCIM", RateLimits{SCIM: Rate{PerSecond: 1, Burst: 3}}, "/scim/v2/Users", "made-up-token", "(SCIM, rate limited)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			app := appWith(t, env, func(d *Deps) {
				d.RateLimits = tt.limits
				d.TrustedProxies = []string{"0.0.0.0"} // app.Test's address; X-Forwarded-For names the client
				d.MetricsAccess.Token = "metrics-token"
			})
			get := func(client, bearer string) *http.Response {
				t.Helper()
				req := httptest.NewRequest("GET", tt.path, nil)
				req.Header.Set("X-Forwarded-For", client)
				if bearer != "" {
					req.Header.Set("Authorization", "Bearer "+bearer)
				}
				resp, err := app.Test(req)
				if err != nil {
					t.Fatal(err)
				}
				return resp
			}
			for i := range 3 {
				if resp := get("192.0.2.1", tt.bearer); resp.StatusCode == http.StatusTooManyRequests {
					t.Fatalf("request %d of a burst of 3 refused", i+1)
				}
			}
			resp := get("192.0.2.1", tt.bearer)
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("4th request: status %d, want 429", resp.StatusCode)
			}
			if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 {
				t.Errorf("Retry-After = %q, want whole seconds", resp.Header.Get("Retry-After"))
			}
			if ct := resp.Header.Get("Content-Type"); tt.bearer != "" && ct != "application/scim+json" {
				t.Errorf("SCIM 429 Content-Type = %q, want application/scim+json", ct)
			}
			req := httptest.NewRequest("GET", "/metrics", nil)
			req.Header.Set("Authorization", "Bearer metrics-token")
			mresp, err := app.Test(req)
			if err != nil {
				t.Fatal(err)
			}
			metrics, err := io.ReadAll(mresp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if want := `code="429",method="GET",route="` + tt.route + `"}`; !strings.Contains(string(metrics), want) {
				t.Errorf("/metrics lacks %s:\n%s", want, metrics)
			}
			// The client writes the left of X-Forwarded-For: a made-up
			// address there does not buy a fresh bucket.
			if resp := get("203.0.113.77, 192.0.2.1", tt.bearer); resp.StatusCode != http.StatusTooManyRequests {
				t.Errorf("status %d with a forged X-Forwarded-For entry, want 429: the proxy's entry counts", resp.StatusCode)
			}
			if resp := get("192.0.2.2", tt.bearer); resp.StatusCode == http.StatusTooManyRequests {
				t.Error("another client address was refused")
			}
			env.clock.Advance(time.Second) // one token back
			if resp := get("192.0.2.1", tt.bearer); resp.StatusCode == http.StatusTooManyRequests {
				t.Fatal("refused after the bucket refilled")
			}
			if resp := get("192.0.2.1", tt.bearer); resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("status %d, want 429 once the refilled token is spent", resp.StatusCode)
			}
		})
	}
}

func TestRateLimitOffByDefault(t *testing.T) {
	env := newTestEnv(t)
	for range 200 {
		resp := env.do(t, "", "GET", "/l/unknowncode", nil)
		if resp.StatusCode == http.StatusTooManyRequests {
			t.Fatal("zero RateLimits must limit nothing")
		}
	}
}

func TestLimiterSweep(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter[string](Rate{PerSecond: 1, Burst: 2}, func() time.Time { return now })
	l.allow("a")
	l.allow("b")
	now = now.Add(sweepEvery)
	l.allow("c") // sweeps a and b, full again by now
	if len(l.buckets) != 1 {
		t.Errorf("%d buckets after the sweep, want 1", len(l.buckets))
	}
}
