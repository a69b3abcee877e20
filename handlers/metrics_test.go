package handlers

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/reach"
)

func TestMetricsAccess(t *testing.T) {
	env := newTestEnv(t)
	// app.Test's connections come from 0.0.0.0.
	tests := []struct {
		name       string
		allow      string
		token      string
		sendToken  string
		proxied    string // X-Forwarded-For, with 0.0.0.0 a trusted proxy
		wantStatus int
	}{
		{"allowed address", "0.0.0.0/32", "", "", "", http.StatusOK},
		{"address outside the allowed range", "127.0.0.1/32", "", "", "", http.StatusNotFound},
		{"no address allowed", "", "", "", "", http.StatusNotFound},
		{"right token", "127.0.0.1/32", "s3cret", "s3cret", "", http.StatusOK},
		{"wrong token", "127.0.0.1/32", "s3cret", "guess", "", http.StatusNotFound},
		{"token sent where none is configured", "127.0.0.1/32", "", "s3cret", "", http.StatusNotFound},
		{"allowed address behind a trusted proxy", "10.0.0.0/8", "", "", "10.1.2.3", http.StatusOK},
		{"forged allowed address behind a trusted proxy", "10.0.0.0/8", "", "", "10.1.2.3, 198.51.100.1", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := appWith(t, env, func(d *Deps) {
				if tt.allow != "" {
					d.MetricsAccess.Allow = []netip.Prefix{netip.MustParsePrefix(tt.allow)}
				}
				d.MetricsAccess.Token = tt.token
				if tt.proxied != "" {
					d.TrustedProxies = []string{"0.0.0.0"}
				}
			})
			req := httptest.NewRequest("GET", "/metrics", nil)
			if tt.proxied != "" {
				req.Header.Set("X-Forwarded-For", tt.proxied)
			}
			if tt.sendToken != "" {
				req.Header.Set("Authorization", "Bearer "+tt.sendToken)
			}
			resp, err := app.Test(req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
		})
	}
}

func TestMetricsFormat(t *testing.T) {
	env := newTestEnv(t)
	app := appWith(t, env, func(d *Deps) {
		d.MetricsAccess.Token = "s3cret"
		d.ClickStats = func() reach.WriterStats { return reach.WriterStats{Batches: 3, Clicks: 12} }
	})
	for _, path := range []string{"/healthz", "/l/unknowncode", "/l/othercode", "/no/such/page"} {
		if _, err := app.Test(httptest.NewRequest("GET", path, nil)); err != nil {
			t.Fatal(err)
		}
	}
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q", ct)
	}
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	for _, want := range []string{
		"# TYPE portal_http_requests_total counter\n",
		`portal_http_requests_total{route="/healthz",method="GET",status="2xx"} 1` + "\n",
		`portal_http_requests_total{route="/l/:code",method="GET",status="4xx"} 2` + "\n",   // by pattern, not by path
		`portal_http_requests_total{route="(no route)",method="GET",status="4xx"} 1` + "\n", // not the home page's "/"
		"# TYPE portal_http_request_duration_seconds histogram\n",
		`portal_http_request_duration_seconds_bucket{route="/l/:code",le="+Inf"} 2` + "\n",
		`portal_http_request_duration_seconds_count{route="/healthz"} 1` + "\n",
		"portal_clicks_recorded_total 12\n",
		"portal_click_batches_total 3\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "unknowncode") {
		t.Error("metrics hold a path rather than a route pattern")
	}
}

func TestQuote(t *testing.T) {
	if got, want := quote("a\"b\\c\nd"), `"a\"b\\c\nd"`; got != want {
		t.Errorf("quote = %s, want %s", got, want)
	}
}

func TestWriteJobStats(t *testing.T) {
	var mail, sources job.Stats
	mail.Record(nil)
	mail.Record(errors.New("smtp down"))
	sources.Record(nil)
	var buf bytes.Buffer
	writeJobStats(&buf, map[string]*job.Stats{"mail": &mail, "sources": &sources})
	for _, want := range []string{
		`portal_job_runs_total{job="mail"} 2`, `portal_job_failures_total{job="mail"} 1`,
		`portal_job_runs_total{job="sources"} 1`, `portal_job_failures_total{job="sources"} 0`,
		"# TYPE portal_job_runs_total counter",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("job metrics lack %q:\n%s", want, &buf)
		}
	}
}
