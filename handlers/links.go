package handlers

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/reach"
)

// redirectLink is the hot path: it sends a tracked link's visitor on to
// the post with UTM parameters, and records the request as a click, a
// preview (link-preview fetchers, HEAD requests) or a bot. The 302 is sent
// only once the record is committed; if it cannot be, the answer is 503
// and no redirect. No session and no template on the way to the 302; the
// link's target is remembered for a short while (reach.Config.TargetTTL).
// An expired post still redirects: links already out must keep working.
// Each client address has its own rate limit (RateLimits.Redirect).
func (s *server) redirectLink(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ip := s.clientIP(c)
	if err := checkLimit(c, s.limits.redirect, ip); err != nil {
		return err
	}
	t, err := s.Clicks.Target(ctx(c), c.Params("code"))
	if err != nil {
		return err // reach.ErrUnknownLink for a code that names no link
	}
	if _, err := s.Clicks.Record(ctx(c), reach.Visit{LinkID: t.LinkID, Method: c.Method(),
		UserAgent: c.Get(fiber.HeaderUserAgent), IP: ip}); err != nil {
		c.Set(fiber.HeaderRetryAfter, "1")
		return fiber.NewError(fiber.StatusServiceUnavailable, "record click: "+err.Error())
	}
	c.Set(fiber.HeaderLocation, t.Location)
	// Of the security headers only these matter on a redirect: the
	// referrer policy governs what the post's site is told of the portal,
	// and HSTS holds for the whole host. (A policy for content, framing or
	// sniffing has no content to apply to.)
	c.Set("Referrer-Policy", referrerPolicy)
	s.setHSTS(c)
	c.Status(fiber.StatusFound)
	return nil
}

// clientIP is the client's address, for the visitor hash and the rate
// limits: the connection's, unless the connection comes from a trusted
// proxy (Deps.TrustedProxies). Then it is the right-most X-Forwarded-For
// entry that is not itself a trusted proxy: entries to the left of it were
// written by the client and can be forged. (Fiber's c.IP() takes the
// left-most entry instead.) The address is hashed, never stored or logged.
func (s *server) clientIP(c *fiber.Ctx) netip.Addr {
	remote, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	remote = remote.Unmap()
	if len(s.TrustedProxies) == 0 || !s.trustedProxy(remote) {
		return remote
	}
	xff := c.Get(fiber.HeaderXForwardedFor)
	client := remote
	for xff != "" {
		entry := xff
		if i := strings.LastIndexByte(xff, ','); i >= 0 {
			entry, xff = xff[i+1:], xff[:i]
		} else {
			xff = ""
		}
		addr, err := netip.ParseAddr(strings.TrimSpace(entry))
		if err != nil {
			break // a malformed entry: trust nothing to its left
		}
		client = addr.Unmap()
		if !s.trustedProxy(client) {
			break
		}
	}
	return client
}

// trustedProxy reports whether addr is in Deps.TrustedProxies (addresses
// or CIDR ranges, as Fiber reads them).
func (s *server) trustedProxy(addr netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if strings.Contains(p, "/") {
			if prefix, err := netip.ParsePrefix(p); err == nil && prefix.Contains(addr) {
				return true
			}
		} else if a, err := netip.ParseAddr(p); err == nil && a.Unmap() == addr {
			return true
		}
	}
	return false
}
