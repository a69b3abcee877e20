package handlers

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"maps"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"

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

// metrics is the server's own Prometheus registry (never the global
// default one) with what the portal counts: requests by method, route
// pattern and status code, their latency by route pattern, the click
// writer's and the background jobs' totals, and the Go runtime's and the
// process's own metrics. It is safe for concurrent use.
//
// Label values are never strings that point into a request: fasthttp
// reuses those buffers for the next request, and a label kept in the
// registry would change under it (method labels like "GETT"). Methods are
// folded into constants (methodLabel), routes are the patterns the routes
// were registered with (/posts/:id, never the path asked for), and codes
// are formatted afresh; so the number of series stays bounded too.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// newMetrics builds the registry. clicks (optional) reports the click
// writer's totals; jobs (optional) are the background jobs' pass counters
// by job name.
func newMetrics(clicks func() reach.WriterStats, jobs map[string]*job.Stats) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "portal_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern.",
			Buckets: latencyBuckets,
		}, []string{"route"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.latency,
	)
	if clicks != nil {
		m.registry.MustRegister(clickCollector(clicks))
	}
	if len(jobs) > 0 {
		m.registry.MustRegister(jobCollector(jobs))
	}
	return m
}

// observe counts one request to route that ended with status after took.
// method may be the request's own (unsafe) string: only a constant from
// methodLabel is kept.
func (m *metrics) observe(method, route string, status int, took time.Duration) {
	m.requests.WithLabelValues(methodLabel(method), route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// otherMethod is the method label of every request whose method is not
// one the portal serves.
const otherMethod = "OTHER"

// methodLabel is the method label for a request's method: a constant,
// never m itself, which may live in a buffer fasthttp reuses. Methods the
// portal does not serve fold into otherMethod, so a client cannot make up
// series.
func methodLabel(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodOptions:
		return fiber.MethodOptions
	}
	return otherMethod
}

// clickCollector reports the group-commit click writer's totals, read
// once per scrape so that clicks and batches agree with each other.
type clickCollector func() reach.WriterStats

var (
	clicksDesc = prometheus.NewDesc("portal_clicks_recorded_total",
		"Requests to tracked links (clicks, previews and bots) the group-commit writer wrote, in batches committed or tried.", nil, nil)
	clickBatchesDesc = prometheus.NewDesc("portal_click_batches_total",
		"Group-commit transactions of clicks, committed or tried (clicks/batches is the mean batch size).", nil, nil)
	clickCommitDesc = prometheus.NewDesc("portal_click_commit_seconds_total",
		"Time spent committing click batches.", nil, nil)
)

// Describe implements prometheus.Collector.
func (clickCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- clicksDesc
	ch <- clickBatchesDesc
	ch <- clickCommitDesc
}

// Collect implements prometheus.Collector.
func (c clickCollector) Collect(ch chan<- prometheus.Metric) {
	st := c()
	ch <- prometheus.MustNewConstMetric(clicksDesc, prometheus.CounterValue, float64(st.Clicks))
	ch <- prometheus.MustNewConstMetric(clickBatchesDesc, prometheus.CounterValue, float64(st.Batches))
	ch <- prometheus.MustNewConstMetric(clickCommitDesc, prometheus.CounterValue, st.Committing.Seconds())
}

// jobCollector reports the background jobs' passes, by job name.
type jobCollector map[string]*job.Stats

var (
	jobRunsDesc = prometheus.NewDesc("portal_job_runs_total",
		"Passes of each background job.", []string{"job"}, nil)
	jobFailuresDesc = prometheus.NewDesc("portal_job_failures_total",
		"Passes of each background job that failed.", []string{"job"}, nil)
)

// Describe implements prometheus.Collector.
func (jobCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobRunsDesc
	ch <- jobFailuresDesc
}

// Collect implements prometheus.Collector.
func (jobs jobCollector) Collect(ch chan<- prometheus.Metric) {
	for _, name := range slices.Sorted(maps.Keys(jobs)) {
		st := jobs[name]
		ch <- prometheus.MustNewConstMetric(jobRunsDesc, prometheus.CounterValue, float64(st.Runs()), name)
		ch <- prometheus.MustNewConstMetric(jobFailuresDesc, prometheus.CounterValue, float64(st.Failures()), name)
	}
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
	route := c.Route().Path // the pattern as registered, not the request's path
	if label, ok := c.Locals(routeLabelKey{}).(string); ok {
		route = label
	}
	s.metrics.observe(c.Method(), route, status, time.Since(start))
	return err
}

type routeLabelKey struct{}

// setRouteLabel names the route a request counts under in /metrics when
// it is answered before it reaches one. label must be a constant.
func setRouteLabel(c *fiber.Ctx, label string) { c.Locals(routeLabelKey{}, label) }

// showMetrics serves /metrics to allowed addresses and token holders, and
// a 404 to everyone else. It is a Fiber handler, not promhttp's net/http
// one behind an adaptor: it gathers the registry and encodes it with
// expfmt in the format the scraper asks for (Prometheus text by default,
// protobuf when asked), which is all promhttp would do here.
func (s *server) showMetrics(c *fiber.Ctx) error {
	if !s.mayReadMetrics(c) {
		return apperr.New(apperr.NotFound, "There is no page at this address.")
	}
	families, err := s.metrics.registry.Gather()
	if err != nil {
		return fmt.Errorf("gather metrics: %w", err)
	}
	format := expfmt.NegotiateAccept(http.Header{"Accept": {c.Get(fiber.HeaderAccept)}}, expfmt.DefaultAcceptedFormats()...)
	var body bytes.Buffer // encoded whole first, so that a failure is a clean 500, not half a page
	enc := expfmt.NewEncoder(&body, format)
	for _, mf := range families {
		if err := enc.Encode(mf); err != nil {
			return fmt.Errorf("encode metric %s: %w", mf.GetName(), err)
		}
	}
	if closer, ok := enc.(expfmt.Closer); ok {
		if err := closer.Close(); err != nil {
			return fmt.Errorf("encode metrics: %w", err)
		}
	}
	c.Set(fiber.HeaderContentType, string(format))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Vary(fiber.HeaderAccept)
	return c.Send(body.Bytes())
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
