package handlers

import (
	"crypto/subtle"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/reach"
)

// MetricsAccess says who may read /metrics: a client whose address is in
// one of Allow, or a request carrying "Authorization: Bearer Token".
// Everyone else gets 404, as if there were no such page.
type MetricsAccess struct {
	Allow []netip.Prefix
	Token string // optional
}

// DefaultMetricsAllow is loopback only.
var DefaultMetricsAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}

// latencyBuckets are the upper bounds, in seconds, of the request
// latency histogram.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics counts what the portal serves, for /metrics in the Prometheus
// text format. It is safe for concurrent use. Routes are counted by their
// pattern (/posts/:id), never by the path asked for, so the number of
// series stays bounded.
type Metrics struct {
	mu       sync.Mutex
	requests map[requestKey]uint64
	latency  map[string]*histogram // by route
}

type requestKey struct{ method, route, class string }

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	count  uint64
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{requests: make(map[requestKey]uint64), latency: make(map[string]*histogram)}
}

// observe counts one request to route that ended with status after took.
func (m *Metrics) observe(method, route string, status int, took time.Duration) {
	class := strconv.Itoa(status/100) + "xx"
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{method, route, class}]++
	h := m.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.latency[route] = h
	}
	secs := took.Seconds()
	if i, _ := slices.BinarySearch(latencyBuckets, secs); i < len(latencyBuckets) {
		h.counts[i]++
	}
	h.sum += secs
	h.count++
}

// write writes the metrics in the Prometheus text exposition format.
func (m *Metrics) write(w io.Writer, clicks *reach.WriterStats) {
	m.mu.Lock()
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b requestKey) int {
		return strings.Compare(a.route+" "+a.method+" "+a.class, b.route+" "+b.method+" "+b.class)
	})
	fmt.Fprint(w, "# HELP portal_http_requests_total HTTP requests by route pattern, method and status class.\n# TYPE portal_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(w, "portal_http_requests_total{route=%s,method=%s,status=%s} %d\n", quote(k.route), quote(k.method), quote(k.class), m.requests[k])
	}
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	fmt.Fprint(w, "# HELP portal_http_request_duration_seconds Time to answer HTTP requests by route pattern.\n# TYPE portal_http_request_duration_seconds histogram\n")
	for _, r := range routes {
		h := m.latency[r]
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "portal_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", quote(r), strconv.FormatFloat(le, 'f', -1, 64), cum)
		}
		fmt.Fprintf(w, "portal_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", quote(r), h.count)
		fmt.Fprintf(w, "portal_http_request_duration_seconds_sum{route=%s} %s\n", quote(r), strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(w, "portal_http_request_duration_seconds_count{route=%s} %d\n", quote(r), h.count)
	}
	m.mu.Unlock()
	if clicks != nil {
		fmt.Fprintf(w, "# HELP portal_clicks_recorded_total Clicks on tracked links committed by the group-commit writer.\n# TYPE portal_clicks_recorded_total counter\nportal_clicks_recorded_total %d\n", clicks.Clicks)
		fmt.Fprintf(w, "# HELP portal_click_batches_total Group-commit transactions of clicks (clicks/batches is the mean batch size).\n# TYPE portal_click_batches_total counter\nportal_click_batches_total %d\n", clicks.Batches)
		fmt.Fprintf(w, "# HELP portal_click_commit_seconds_total Time spent committing click batches.\n# TYPE portal_click_commit_seconds_total counter\nportal_click_commit_seconds_total %s\n", strconv.FormatFloat(clicks.Committing.Seconds(), 'g', -1, 64))
	}
}

// writeJobStats writes the passes and failed passes of the background jobs.
func writeJobStats(w io.Writer, jobs map[string]*job.Stats) {
	if len(jobs) == 0 {
		return
	}
	names := slices.Sorted(maps.Keys(jobs))
	fmt.Fprint(w, "# HELP portal_job_runs_total Passes of each background job.\n# TYPE portal_job_runs_total counter\n")
	for _, n := range names {
		fmt.Fprintf(w, "portal_job_runs_total{job=%s} %d\n", quote(n), jobs[n].Runs())
	}
	fmt.Fprint(w, "# HELP portal_job_failures_total Passes of each background job that failed.\n# TYPE portal_job_failures_total counter\n")
	for _, n := range names {
		fmt.Fprintf(w, "portal_job_failures_total{job=%s} %d\n", quote(n), jobs[n].Failures())
	}
}

// quote writes a Prometheus label value.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// countRequests records each request's route pattern, status and latency.
// It runs after the handler and the error handler, so errors count with
// the status they were answered with. A request answered before it
// reached a route (a rate limit, or no route at all) counts under the
// label the middleware gave it (setRouteLabel), not under the middleware's
// own pattern "/", which is the home page's.
func (s *server) countRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = statusOf(err)
	}
	route := c.Route().Path
	if label, ok := c.Locals(routeLabelKey{}).(string); ok {
		route = label
	}
	s.Metrics.observe(c.Method(), route, status, time.Since(start))
	return err
}

type routeLabelKey struct{}

// setRouteLabel names the route a request counts under in /metrics when
// it is answered before it reaches one.
func setRouteLabel(c *fiber.Ctx, label string) { c.Locals(routeLabelKey{}, label) }

// showMetrics serves /metrics to allowed addresses and token holders, and
// a 404 to everyone else.
func (s *server) showMetrics(c *fiber.Ctx) error {
	if !s.mayReadMetrics(c) {
		return apperr.New(apperr.NotFound, "There is no page at this address.")
	}
	var clicks *reach.WriterStats
	if s.ClickStats != nil {
		st := s.ClickStats()
		clicks = &st
	}
	c.Set(fiber.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	s.Metrics.write(c.Response().BodyWriter(), clicks)
	writeJobStats(c.Response().BodyWriter(), s.JobStats)
	return nil
}

func (s *server) mayReadMetrics(c *fiber.Ctx) bool {
	if tok := s.MetricsAccess.Token; tok != "" {
		if sent, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(sent), []byte(tok)) == 1 {
			return true
		}
	}
	ip := s.clientIP(c) // not c.IP(): a client behind a trusted proxy could name any address
	for _, p := range s.MetricsAccess.Allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
