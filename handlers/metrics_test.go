package handlers

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

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
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantStatus == http.StatusNotFound && strings.Contains(string(body), "portal_http_requests_total") {
				t.Error("the 404 page holds the metrics")
			}
		})
	}
}

// scrape reads /metrics from app with the bearer token, checks that it is
// Prometheus text that parses and that promlint finds nothing in, and
// returns its metric families by name.
func scrape(t *testing.T, app *fiber.App, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q, want the Prometheus text format", ct)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return parseMetrics(t, string(body))
}

// parseMetrics parses text in the Prometheus text format, fails the test
// on a parse error, a promlint problem or a series that appears twice,
// and returns the families by name.
func parseMetrics(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, text)
	}
	problems, err := promlint.New(strings.NewReader(text)).Lint()
	if err != nil {
		t.Fatalf("promlint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	for name, mf := range families {
		seen := map[string]bool{}
		for _, m := range mf.GetMetric() {
			key := labelString(m)
			if seen[key] {
				t.Errorf("series %s%s appears twice", name, key)
			}
			seen[key] = true
		}
	}
	return families
}

// labelString writes a sample's labels sorted by name, e.g. {a="1",b="2"}.
func labelString(m *dto.Metric) string {
	var parts []string
	for _, lp := range m.GetLabel() {
		parts = append(parts, fmt.Sprintf("%s=%q", lp.GetName(), lp.GetValue()))
	}
	slices.Sort(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

// labels returns a sample's labels as a map.
func labels(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, lp := range m.GetLabel() {
		l[lp.GetName()] = lp.GetValue()
	}
	return l
}

// matching returns the family's samples whose labels include want.
func matching(mf *dto.MetricFamily, want map[string]string) []*dto.Metric {
	var ms []*dto.Metric
next:
	for _, m := range mf.GetMetric() {
		l := labels(m)
		for k, v := range want {
			if l[k] != v {
				continue next
			}
		}
		ms = append(ms, m)
	}
	return ms
}

// value sums the family's samples whose labels include want: a counter's
// value, a histogram's sample count; 0 if none match.
func value(mf *dto.MetricFamily, want map[string]string) float64 {
	var sum float64
	for _, m := range matching(mf, want) {
		if h := m.GetHistogram(); h != nil {
			sum += float64(h.GetSampleCount())
		} else {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}

func TestMetricsFormat(t *testing.T) {
	env := newTestEnv(t)
	var mail, sources job.Stats
	mail.Record(nil)
	mail.Record(errors.New("smtp down"))
	sources.Record(nil)
	app := appWith(t, env, func(d *Deps) {
		d.MetricsAccess.Token = "s3cret"
		d.ClickStats = func() reach.WriterStats {
			return reach.WriterStats{Batches: 3, Clicks: 12, Committing: 1500 * time.Millisecond}
		}
		d.JobStats = map[string]*job.Stats{"mail": &mail, "sources": &sources}
	})
	for _, path := range []string{"/healthz", "/l/unknowncode", "/l/othercode", "/no/such/page"} {
		if _, err := app.Test(httptest.NewRequest("GET", path, nil)); err != nil {
			t.Fatal(err)
		}
	}
	families := scrape(t, app, "s3cret")
	requests, latency := families["portal_http_requests_total"], families["portal_http_request_duration_seconds"]
	if requests.GetType() != dto.MetricType_COUNTER || latency.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("types %v and %v, want a counter and a histogram", requests.GetType(), latency.GetType())
	}
	tests := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"portal_http_requests_total", map[string]string{"route": "/healthz", "method": "GET", "code": "200"}, 1},
		{"portal_http_requests_total", map[string]string{"route": "/l/:code", "method": "GET", "code": "404"}, 2},   // by pattern, not by path
		{"portal_http_requests_total", map[string]string{"route": "(no route)", "method": "GET", "code": "404"}, 1}, // not the home page's "/"
		{"portal_http_request_duration_seconds", map[string]string{"route": "/l/:code"}, 2},
		{"portal_http_request_duration_seconds", map[string]string{"route": "/healthz"}, 1},
		{"portal_clicks_recorded_total", nil, 12},
		{"portal_click_batches_total", nil, 3},
		{"portal_click_commit_seconds_total", nil, 1.5},
		{"portal_job_runs_total", map[string]string{"job": "mail"}, 2},
		{"portal_job_failures_total", map[string]string{"job": "mail"}, 1},
		{"portal_job_runs_total", map[string]string{"job": "sources"}, 1},
		{"portal_job_failures_total", map[string]string{"job": "sources"}, 0},
	}
	for _, tt := range tests {
		if len(matching(families[tt.family], tt.labels)) == 0 {
			t.Errorf("/metrics has no %s%v", tt.family, tt.labels)
		} else if got := value(families[tt.family], tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.family, tt.labels, got, tt.want)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_start_time_seconds"} {
		if families[name] == nil {
			t.Errorf("/metrics lacks the runtime's %s", name)
		}
	}
	for _, m := range requests.GetMetric() {
		if strings.Contains(labels(m)["route"], "unknowncode") {
			t.Error("metrics hold a path rather than a route pattern")
		}
	}
}

// TestMetricsWithoutClicksOrJobs: both are optional, and their metrics are
// left out rather than shown as zero.
func TestMetricsWithoutClicksOrJobs(t *testing.T) {
	env := newTestEnv(t)
	app := appWith(t, env, func(d *Deps) { d.MetricsAccess.Token = "s3cret" })
	families := scrape(t, app, "s3cret")
	for _, name := range []string{"portal_clicks_recorded_total", "portal_job_runs_total"} {
		if families[name] != nil {
			t.Errorf("/metrics has %s without its source", name)
		}
	}
}

// TestMetricsAfterMixedTraffic sends many kinds of requests at once over
// a few kept-alive connections, so that fasthttp reuses its request
// buffers, and then checks that /metrics is clean Prometheus text: it
// parses, promlint finds nothing, no series appears twice, every label is
// one the portal knows (methods it does not serve fold into OTHER), and
// the counts are the requests sent.
func TestMetricsAfterMixedTraffic(t *testing.T) {
	env := newTestEnv(t)
	env.livePost(t, "A live post")
	link := mustSeedLink(t, env, "https://example.com/news")
	const signInBurst = 5
	app := appWith(t, env, func(d *Deps) {
		d.MetricsAccess.Token = "s3cret"
		// The test clock stands still: no token comes back, so exactly the
		// sign-in requests after the burst are refused.
		d.RateLimits = RateLimits{SignIn: Rate{PerSecond: 1, Burst: signInBurst}}
	})
	base := "http://" + serve(t, app)

	type request struct {
		method, path, persona string
		route                 string // the route label it counts under; "" if Fiber refuses it before any middleware
	}
	mix := []request{
		{"GET", "/", "", "/"}, {"HEAD", "/", "", "/"}, {"POST", "/", "", "(no route)"},
		{"GET", "/healthz", "", "/healthz"}, {"HEAD", "/healthz", "", "/healthz"},
		{"GET", "/login", "", "/login"}, {"HEAD", "/login", "", "/login"},
		{"GET", "/feed", "employee", "/feed"}, {"HEAD", "/feed", "employee", "/feed"}, {"GET", "/feed", "", "/feed"},
		{"GET", "/posts/1", "comms", "/posts/:id"}, {"HEAD", "/posts/1/edit", "comms", "/posts/:id/edit"},
		{"GET", "/posts/1", "employee", "/posts/:id"}, // 403
		{"POST", "/logout", "", "/logout"},            // no session: sent to sign in
		{"POST", "/posts", "comms", "/posts"},         // no CSRF token: 403
		{"GET", "/l/" + link.Code, "", "/l/:code"}, {"HEAD", "/l/" + link.Code, "", "/l/:code"},
		{"GET", "/l/unknowncode", "", "/l/:code"}, {"POST", "/l/" + link.Code, "", "(no route)"},
		{"GET", "/no/such/page", "", "(no route)"}, {"HEAD", "/no/such/page", "", "(no route)"},
		{"GET", "/assets/css/app.css", "", "/assets"},
		{"GET", "/metrics", "", "/metrics"}, // no token: 404
		{"GET", "/scim/v2/Users", "", "/scim/v2/Users"}, {"HEAD", "/scim/v2/Users", "", "/scim/v2/Users"},
		{"PUT", "/", "", "(no route)"}, {"DELETE", "/posts/1", "comms", "(no route)"}, {"PATCH", "/feed", "", "(no route)"},
		{"OPTIONS", "/", "", "(no route)"}, {"TRACE", "/", "", "(no route)"},
		{"PROPFIND", "/", "", ""}, {"BREW", "/feed", "", ""}, {"get", "/", "", ""}, {"GETGETGETGET", "/", "", ""},
	}
	const workers, rounds = 8, 6 // each request of mix is sent workers×rounds times
	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: 3, MaxConnsPerHost: 3}, // few connections, each reused
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(client.CloseIdleConnections)
	send := func(r request) (int, error) {
		req, err := http.NewRequest(r.method, base+r.path, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("User-Agent", testBrowserUA)
		if r.persona != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: env.sessions[r.persona]})
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		errs   []error
		status = map[int]int{}
	)
	for w := range workers {
		order := rand.New(rand.NewPCG(uint64(w), 1)) // each worker in its own order
		wg.Go(func() {
			for range rounds {
				for _, i := range order.Perm(len(mix)) {
					code, err := send(mix[i])
					mu.Lock()
					if err != nil {
						errs = append(errs, fmt.Errorf("%s %s: %w", mix[i].method, mix[i].path, err))
					}
					status[code]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if status[http.StatusTooManyRequests] == 0 || status[http.StatusNotFound] == 0 || status[http.StatusFound] == 0 ||
		status[http.StatusBadRequest] == 0 {
		t.Fatalf("statuses %v: the traffic should include 429s, 404s, the redirect path's 302s and 400s for unknown methods", status)
	}

	// What was sent, by the labels it must count under. Which sign-in
	// requests were refused depends on the order they came in, so /login
	// and its 429s are counted together.
	sent := map[[2]string]float64{} // method label, route label
	byRoute := map[string]float64{}
	for _, r := range mix {
		if r.route == "" {
			continue
		}
		method := r.method
		if !slices.Contains([]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}, method) {
			method = "OTHER"
		}
		route := r.route
		if route == "/login" {
			route = "(sign-in, rate limited)"
		}
		sent[[2]string{method, route}] += workers * rounds
		byRoute[route] += workers * rounds
	}

	families := scrape(t, app, "s3cret")
	knownMethods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"}
	knownRoutes := []string{"(no route)", "(sign-in, rate limited)", "(SCIM, rate limited)"}
	for _, r := range app.GetRoutes() { // with the middleware's: /assets is app.Use
		knownRoutes = append(knownRoutes, r.Path)
	}
	code := regexp.MustCompile(`^[1-5][0-9][0-9]$`)
	requests := families["portal_http_requests_total"]
	got := map[[2]string]float64{}
	gotByRoute := map[string]float64{}
	for _, m := range requests.GetMetric() {
		l := labels(m)
		if !slices.Contains(knownMethods, l["method"]) {
			t.Errorf("method label %q is not a known method", l["method"])
		}
		if !slices.Contains(knownRoutes, l["route"]) {
			t.Errorf("route label %q is not a registered route", l["route"])
		}
		if !code.MatchString(l["code"]) {
			t.Errorf("code label %q is not a status code", l["code"])
		}
		route := l["route"]
		if route == "/login" {
			route = "(sign-in, rate limited)"
		}
		got[[2]string{l["method"], route}] += m.GetCounter().GetValue()
		gotByRoute[route] += m.GetCounter().GetValue()
	}
	for k, want := range sent {
		if got[k] != want {
			t.Errorf("requests_total{method=%q, route=%q} = %v, want %v", k[0], k[1], got[k], want)
		}
	}
	for k, n := range got {
		if sent[k] == 0 {
			t.Errorf("requests_total{method=%q, route=%q} = %v, but none were sent", k[0], k[1], n)
		}
	}
	if n := value(requests, map[string]string{"route": "(sign-in, rate limited)", "code": "429"}); n != byRoute["(sign-in, rate limited)"]-signInBurst {
		t.Errorf("%v sign-in requests counted as rate limited, want all but the burst of %d of %v", n, signInBurst, byRoute["(sign-in, rate limited)"])
	}
	if n := value(requests, map[string]string{"route": "/l/:code", "code": "302"}); n != 2*workers*rounds {
		t.Errorf("%v redirects counted, want %d", n, 2*workers*rounds)
	}
	latency := families["portal_http_request_duration_seconds"]
	for _, m := range latency.GetMetric() {
		route := labels(m)["route"]
		if !slices.Contains(knownRoutes, route) {
			t.Errorf("latency route label %q is not a registered route", route)
		}
		if route == "/login" {
			route = "(sign-in, rate limited)"
		}
		gotByRoute[route] -= float64(m.GetHistogram().GetSampleCount())
	}
	for route, n := range gotByRoute {
		if n != 0 {
			t.Errorf("route %q: the latency histogram and the request counter differ by %v", route, n)
		}
	}
}

func TestMethodLabel(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"GET", "GET"}, {"HEAD", "HEAD"}, {"POST", "POST"}, {"PUT", "PUT"}, {"PATCH", "PATCH"},
		{"DELETE", "DELETE"}, {"OPTIONS", "OPTIONS"},
		{"TRACE", "OTHER"}, {"CONNECT", "OTHER"}, {"PROPFIND", "OTHER"}, {"get", "OTHER"}, {"GETT", "OTHER"}, {"", "OTHER"},
	} {
		// The method as fasthttp hands it over: a string over a buffer it
		// will overwrite with the next request's.
		buf := []byte(tt.in)
		in := unsafe.String(unsafe.SliceData(buf), len(buf))
		got := methodLabel(in)
		for i := range buf {
			buf[i] = 'X'
		}
		if got != tt.want {
			t.Errorf("methodLabel(%q) = %q once its buffer is reused, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNoGlobalRegistry: two portals in one process (tests, or run called
// twice) each count their own requests.
func TestNoGlobalRegistry(t *testing.T) {
	env := newTestEnv(t)
	a := appWith(t, env, func(d *Deps) { d.MetricsAccess.Token = "s3cret" })
	b := appWith(t, env, func(d *Deps) { d.MetricsAccess.Token = "s3cret" })
	for range 3 {
		if _, err := a.Test(httptest.NewRequest("GET", "/healthz", nil)); err != nil {
			t.Fatal(err)
		}
	}
	for app, want := range map[*fiber.App]float64{a: 3, b: 0} {
		got := value(scrape(t, app, "s3cret")["portal_http_requests_total"], map[string]string{"route": "/healthz"})
		if got != want {
			t.Errorf("healthz counted %v times, want %v", got, want)
		}
	}
}
