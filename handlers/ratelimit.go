package handlers

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Rate is a token bucket's size: PerSecond tokens are added each second
// up to Burst. The zero Rate (or a Burst of 0) turns limiting off.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Off reports whether r limits nothing.
func (r Rate) Off() bool { return r.PerSecond <= 0 || r.Burst <= 0 }

// String writes r the way ParseRate reads it.
func (r Rate) String() string {
	if r.Off() {
		return "0"
	}
	return strconv.FormatFloat(r.PerSecond, 'f', -1, 64) + "/s:" + strconv.Itoa(r.Burst)
}

// ParseRate reads a rate like "60/s:120" (60 a second, bursts of 120),
// "10/m:20" (10 a minute) or "100/h" (burst defaults to the rate's count).
// "0" or "" turns limiting off.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return Rate{}, nil
	}
	rate, burst, hasBurst := strings.Cut(s, ":")
	count, unit, ok := strings.Cut(rate, "/")
	if !ok {
		return Rate{}, fmt.Errorf("%q is not a rate like 60/s:120 (count/unit:burst, unit s, m or h)", s)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(count), 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return Rate{}, fmt.Errorf("%q: the count must be a number of 0 or more", s)
	}
	var per time.Duration
	switch strings.TrimSpace(unit) {
	case "s":
		per = time.Second
	case "m":
		per = time.Minute
	case "h":
		per = time.Hour
	default:
		return Rate{}, fmt.Errorf("%q: the unit must be s, m or h", s)
	}
	r := Rate{PerSecond: n / per.Seconds(), Burst: int(math.Ceil(n))}
	if hasBurst {
		b, err := strconv.Atoi(strings.TrimSpace(burst))
		if err != nil || b < 0 {
			return Rate{}, fmt.Errorf("%q: the burst must be a whole number of 0 or more", s)
		}
		r.Burst = b
	}
	if r.Off() {
		return Rate{}, nil
	}
	return r, nil
}

// RateLimits are the per-client limits on the paths worth protecting. A
// zero Rate leaves its path unlimited.
type RateLimits struct {
	Redirect Rate // /l/{code}, per client address
	SignIn   Rate // /login and /auth/*, per client address
	SCIM     Rate // /scim/v2/*, per valid bearer token; per client address without one
}

// DefaultRateLimits are generous: a person never meets them, a script
// hammering one address does. The load test (10,000 client addresses)
// stays far below them.
var DefaultRateLimits = RateLimits{
	Redirect: Rate{PerSecond: 60, Burst: 120},
	SignIn:   Rate{PerSecond: 30.0 / 60, Burst: 60}, // an office behind one NAT address signs in at 9:00
	SCIM:     Rate{PerSecond: 20, Burst: 100},
}

// limiter is a set of in-memory token buckets, one per key. It is safe for
// concurrent use; buckets that have refilled are dropped on a sweep once a
// minute, so memory follows the number of recent clients.
type limiter[K comparable] struct {
	rate Rate
	now  func() time.Time

	mu        sync.Mutex
	buckets   map[K]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

const sweepEvery = time.Minute

func newLimiter[K comparable](r Rate, now func() time.Time) *limiter[K] {
	return &limiter[K]{rate: r, now: now, buckets: make(map[K]*bucket), lastSweep: now()}
}

// allow takes a token from key's bucket. When there is none it says how
// long until there will be.
func (l *limiter[K]) allow(key K) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= sweepEvery {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.buckets[key] = b
	} else if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(float64(l.rate.Burst), b.tokens+elapsed.Seconds()*l.rate.PerSecond)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate.PerSecond * float64(time.Second))
	return false, wait
}

// sweep drops the buckets that would be full by now.
func (l *limiter[K]) sweep(now time.Time) {
	full := time.Duration(float64(l.rate.Burst) / l.rate.PerSecond * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
	l.lastSweep = now
}

// limiters holds one limiter per limited area; nil ones are off. Clients
// are told apart by their address (clientIP), SCIM callers by the id of
// their valid token, or by address without one.
type limiters struct {
	redirect, signIn *limiter[netip.Addr]
	scim             *limiter[string]
}

func newLimiters(r RateLimits, now func() time.Time) limiters {
	var l limiters
	if !r.Redirect.Off() {
		l.redirect = newLimiter[netip.Addr](r.Redirect, now)
	}
	if !r.SignIn.Off() {
		l.signIn = newLimiter[netip.Addr](r.SignIn, now)
	}
	if !r.SCIM.Off() {
		l.scim = newLimiter[string](r.SCIM, now)
	}
	return l
}

// limitRate answers 429 with Retry-After when the client has used up its
// bucket for the area the path belongs to. The redirect path has a chain
// of its own and checks its limit in redirectLink; SCIM checks its limit
// once it knows whether the bearer token is valid (limitSCIM).
func (s *server) limitRate(c *fiber.Ctx) error {
	path := c.Path()
	var err error
	switch {
	case path == "/login" || strings.HasPrefix(path, "/auth/"):
		if err = checkLimit(c, s.limits.signIn, s.clientIP(c)); err != nil {
			setRouteLabel(c, "(sign-in, rate limited)")
		}
	}
	if err != nil {
		return err
	}
	return c.Next()
}

// checkLimit takes a token from key's bucket in l, or returns the 429
// error, with Retry-After set, once the bucket is empty. A nil l limits
// nothing.
func checkLimit[K comparable](c *fiber.Ctx, l *limiter[K], key K) error {
	if l == nil {
		return nil
	}
	if ok, wait := l.allow(key); !ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
		return fiber.NewError(fiber.StatusTooManyRequests, "rate limit")
	}
	return nil
}
