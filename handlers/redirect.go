package handlers

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// maxLocalPath is the longest redirect target taken from a request; a
// longer one is refused rather than cut.
const maxLocalPath = 2048

// localPath returns raw, cleaned, if it is a path on this portal that is
// safe to redirect to, and "" otherwise. Every redirect target taken from a
// request (a next or back value, a Referer) goes through it, so that no
// request can send the browser to another site or put a header of its own
// into the response.
//
// A safe local path is valid UTF-8 without control characters, white
// space or backslashes; it starts with one slash (not "//" or "/\", which
// browsers read as another host) and parses as a path with an optional
// query: no scheme, host or user information. The decoded path obeys the
// same rules. What it returns is the path and query, percent-encoded where
// they hold characters outside ASCII; a fragment is dropped.
func localPath(raw string) string {
	if raw == "" || len(raw) > maxLocalPath || !utf8.ValidString(raw) || !strings.HasPrefix(raw, "/") ||
		strings.HasPrefix(raw, "//") || strings.ContainsFunc(raw, unsafeInPath) {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Opaque != "" || u.User != nil || u.Host != "" {
		return ""
	}
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.ContainsFunc(u.Path, unsafeInPath) {
		return ""
	}
	clean := u.EscapedPath()
	if u.RawQuery != "" {
		clean += "?" + escapeNonASCII(u.RawQuery)
	}
	return clean
}

// unsafeInPath reports whether r may not appear in a redirect target:
// control and format characters (a line break would end the header, a
// zero-width space hides what the link says), white space (browsers skip
// tabs and newlines inside URLs, so "/\t/evil.example" is "//evil.example")
// and the backslash (which browsers read as a slash).
func unsafeInPath(r rune) bool {
	return r == '\\' || unicode.IsSpace(r) || !unicode.IsGraphic(r)
}

// escapeNonASCII percent-encodes the bytes of s outside ASCII, leaving
// what is already encoded as it is.
func escapeNonASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf {
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// refererPath is the local path of the page the request came from, if its
// Referer header names a page of this portal, and "" otherwise.
func (s *server) refererPath(c *fiber.Ctx) string {
	ref, err := url.Parse(c.Get(fiber.HeaderReferer))
	if err != nil || ref.Host == "" || originOf(ref) != s.origin() {
		return ""
	}
	return localPath(ref.RequestURI())
}

// origin is the portal's own origin, as browsers send it in the Origin
// header: "https://portal.example.com". It is "" if BaseURL has no host.
func (s *server) origin() string {
	base, err := url.Parse(s.BaseURL)
	if err != nil || base.Host == "" {
		return ""
	}
	return originOf(base)
}

// originOf is the origin of an absolute URL: scheme and host in lower
// case, without the scheme's default port.
func originOf(u *url.URL) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if scheme == "" || host == "" {
		return ""
	}
	switch scheme {
	case "http":
		host = strings.TrimSuffix(host, ":80")
	case "https":
		host = strings.TrimSuffix(host, ":443")
	}
	return scheme + "://" + host
}

// guardHeaders is the second line behind localPath. It runs outside every
// other handler: once the response is complete (an error already turned
// into its page) it refuses to send a header whose name or value holds a
// line break or another control character, which would let a value from a
// request end the header and start one of its own. fasthttp writes header
// values as they are given. Such a response is replaced by the page of a
// server error, and the error handler logs which header it was.
func (s *server) guardHeaders(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		if err := s.handleError(c, err); err != nil {
			return err
		}
	}
	name, bad := unsafeHeader(c.Response().Header.VisitAll)
	if !bad {
		return nil
	}
	c.Response().Reset()
	return s.handleError(c, fmt.Errorf("handlers: response header %q holds a control character; the response was not sent", name))
}

// unsafeHeader returns the name of the first header visitAll visits
// whose name or value holds a control character other than a tab, if
// there is one. visitAll is a response header's VisitAll, which visits
// cookies too.
func unsafeHeader(visitAll func(func(k, v []byte))) (name string, found bool) {
	visitAll(func(k, v []byte) {
		if !found && (bytes.ContainsFunc(k, isCTL) || bytes.ContainsFunc(v, isCTL)) {
			name, found = string(bytes.Map(func(r rune) rune {
				if isCTL(r) {
					return '?'
				}
				return r
			}, k)), true
		}
	})
	return name, found
}

// isCTL reports whether r is a control character that may not appear in
// an HTTP header: anything below space except the tab, and DEL.
func isCTL(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f }
