// Package sources polls the RSS and Atom feeds comms follow and queues
// their new items for comms to turn into drafts. Fetching is defensive: only
// http(s), a timeout, a size limit and a redirect limit, and conditional
// requests (ETag, Last-Modified) so unchanged feeds cost one 304. A broken
// feed is recorded with its error; it never stops the job. What a source,
// an item and a poll are is package source's.
package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/source"
)

// Defaults of a Fetcher.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBytes     = 2 << 20
	DefaultMaxRedirects = 5
	maxEntries          = 200 // per poll; a feed with more is read up to here
	maxTitle            = 500
	maxLink             = source.MaxLink
)

// Fetcher downloads and parses feeds. The zero value uses the defaults;
// it is safe for concurrent use.
type Fetcher struct {
	Timeout      time.Duration // per fetch, including reading the body
	MaxBytes     int64         // a larger body is an error
	MaxRedirects int
	// Transport is optional. By default a transport that refuses
	// loopback, private, link-local, unspecified and multicast addresses
	// (see AllowPrivate) is used; a Transport given here is used as is,
	// without that guard.
	Transport http.RoundTripper
	UserAgent string // optional
	// AllowPrivate lets the default transport connect to loopback, private
	// (RFC 1918, fc00::/7), link-local, unspecified and multicast
	// addresses. Off, such a connection is refused at dial time, after DNS
	// resolution, so neither a name that resolves to one (DNS rebinding)
	// nor a redirect to one gets through. For tests and intranet feeds.
	AllowPrivate bool
}

// ErrForbiddenAddress is wrapped by the error of a fetch refused because
// the feed's address (or a redirect's) is not a public one.
var ErrForbiddenAddress = errors.New("not a public internet address")

// checkAddress refuses address (host:port, as dialled) unless it is a
// public unicast IP.
func checkAddress(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("refusing to connect to %q: %w", address, ErrForbiddenAddress)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("refusing to connect to %q: %w", host, ErrForbiddenAddress)
	}
	ip = ip.Unmap()
	var kind string
	switch {
	case ip.IsLoopback():
		kind = "loopback"
	case ip.IsPrivate():
		kind = "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		kind = "link-local"
	case ip.IsUnspecified(), ip.Is4() && ip.As4()[0] == 0:
		kind = "unspecified"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		kind = "multicast"
	default:
		return nil
	}
	return fmt.Errorf("refusing to connect to %s, a %s address: %w", ip, kind, ErrForbiddenAddress)
}

// guardedTransport is the default transport when private addresses are
// not allowed. It uses no proxy: the guard must see the feed's own address.
var guardedTransport = sync.OnceValue(func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: checkAddress}).DialContext
	return t
})

func (f *Fetcher) transport() http.RoundTripper {
	switch {
	case f.Transport != nil:
		return f.Transport
	case f.AllowPrivate:
		return http.DefaultTransport
	}
	return guardedTransport()
}

// Result is a fetched feed.
type Result struct {
	NotModified  bool // 304: the validators matched, Entries is empty
	ETag         string
	LastModified string
	Entries      []source.Entry
}

// Fetch gets the feed at rawURL, sending the validators of the last
// response (either may be empty), and parses it.
func (f *Fetcher) Fetch(ctx context.Context, rawURL, etag, lastModified string) (Result, error) {
	if msg := source.CheckURL(rawURL); msg != "" {
		return Result{}, errors.New(msg)
	}
	timeout, maxBytes, maxRedirects := f.Timeout, f.MaxBytes, f.MaxRedirects
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if maxRedirects <= 0 {
		maxRedirects = DefaultMaxRedirects
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Transport: f.transport(), Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirected to a %s address; only http(s) is followed", req.URL.Scheme)
			}
			return nil
		}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1")
	if f.UserAgent != "" {
		req.Header.Set("User-Agent", f.UserAgent)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Result{}, fmt.Errorf("no answer within %s", timeout)
		}
		return Result{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return Result{NotModified: true, ETag: etag, LastModified: lastModified}, nil
	}
	if resp.StatusCode != http.StatusOK {
		return Result{}, fmt.Errorf("the server answered %s", resp.Status)
	}
	if resp.ContentLength > maxBytes {
		return Result{}, fmt.Errorf("the feed is larger than %s", size(maxBytes))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Result{}, fmt.Errorf("no complete answer within %s", timeout)
		}
		return Result{}, fmt.Errorf("reading the feed: %w", err)
	}
	if int64(len(body)) > maxBytes {
		return Result{}, fmt.Errorf("the feed is larger than %s", size(maxBytes))
	}
	entries, err := Parse(body, resp.Request.URL)
	if err != nil {
		return Result{}, err
	}
	return Result{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Entries: entries}, nil
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Parse reads an RSS or Atom document. Relative links are resolved against
// base; entries without an http(s) link are left out, as nothing can be
// shared from them.
func Parse(body []byte, base *url.URL) ([]source.Entry, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("not a readable RSS or Atom feed: %w", err)
	}
	var entries []source.Entry
	for _, it := range feed.Items {
		if len(entries) == maxEntries {
			break
		}
		link := resolve(base, strings.TrimSpace(it.Link))
		if link == "" {
			for _, l := range it.Links {
				if link = resolve(base, strings.TrimSpace(l)); link != "" {
					break
				}
			}
		}
		if link == "" {
			continue
		}
		e := source.Entry{GUID: clip(strings.TrimSpace(it.GUID), maxLink), Title: clip(oneLine(it.Title), maxTitle), Link: link}
		switch {
		case it.PublishedParsed != nil:
			e.PublishedAt = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			e.PublishedAt = it.UpdatedParsed.UTC()
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// resolve makes link absolute against base and returns it if it is a
// usable http(s) address, else "".
func resolve(base *url.URL, link string) string {
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	s := u.String()
	if source.CheckURL(s) != "" {
		return ""
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip shortens s to at most n bytes without splitting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Store is what the job needs of storage: the sources to poll and a place
// to record each poll's outcome.
type Store interface {
	// Sources returns every source.
	Sources(ctx context.Context) ([]source.Source, error)
	// RecordPoll records the outcome of polling source id and returns how
	// many of its entries were new. A source deleted meanwhile is an error
	// of kind apperr.NotFound.
	RecordPoll(ctx context.Context, id int64, p source.Poll) (int, error)
}

// Job polls every source and records what it found.
type Job struct {
	Store   Store
	Fetcher *Fetcher // nil: a Fetcher with the defaults
	Logger  *slog.Logger

	wake job.Waker

	// Stats counts passes and failed passes, for /metrics.
	Stats job.Stats
}

// Wake makes Run poll now instead of at its next tick, e.g. after a source
// was added. It never blocks.
func (j *Job) Wake() {
	j.wake.Wake()
}

// RunOnce polls every source once, one after the other, and returns how
// many new items it queued. A feed that fails is recorded with its error
// and the others are still polled; the error returned is the store's.
func (j *Job) RunOnce(ctx context.Context) (int, error) {
	list, err := j.Store.Sources(ctx)
	if err != nil {
		return 0, err
	}
	added := 0
	var errs []error
	for _, src := range list {
		if ctx.Err() != nil {
			break
		}
		n, err := j.Store.RecordPoll(ctx, src.ID, j.poll(ctx, src))
		if apperr.KindOf(err) == apperr.NotFound {
			continue // deleted while it was being polled
		}
		if err != nil {
			errs = append(errs, err)
		}
		added += n
	}
	return added, errors.Join(errs...)
}

// poll fetches one source; nothing it does, not even a panic in the
// parser, escapes as anything but the poll's error.
func (j *Job) poll(ctx context.Context, src source.Source) (p source.Poll) {
	defer func() {
		if r := recover(); r != nil {
			p = source.Poll{Err: fmt.Sprintf("the feed could not be read (%v)", r)}
		}
	}()
	f := j.Fetcher
	if f == nil {
		f = &Fetcher{}
	}
	res, err := f.Fetch(ctx, src.URL, src.ETag, src.LastModified)
	if err != nil {
		return source.Poll{Err: clip(err.Error(), 500)}
	}
	return source.Poll{NotModified: res.NotModified, ETag: res.ETag, LastModified: res.LastModified, Entries: res.Entries}
}

// Run polls at once, then every interval and whenever woken, until ctx is
// done. Errors are logged and the next run tries again.
func (j *Job) Run(ctx context.Context, interval time.Duration) {
	job.Loop(ctx, interval, &j.wake, func(ctx context.Context) {
		n, err := j.RunOnce(ctx)
		j.Stats.Record(err)
		if err != nil {
			j.Logger.Error("polling content sources failed", "err", err)
		} else if n > 0 {
			j.Logger.Info("content sources polled", "new_items", n)
		}
	})
}
