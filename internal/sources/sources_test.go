package sources_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/source"
	"github.com/advocacy-portal/portal/internal/sources"
	"github.com/advocacy-portal/portal/internal/store"
)

const rssFeed = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Industry news</title><link>https://news.example/</link>
<item><title>Chips are  getting
smaller</title><link>https://news.example/chips</link><guid>news-1</guid><pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate></item>
<item><title>No guid here</title><link>/relative</link></item>
<item><title>No link at all</title><guid>news-3</guid></item>
</channel></rss>`

const atomFeed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Company blog</title><id>urn:blog</id><updated>2026-11-02T10:00:00Z</updated>
<entry><title>We opened an office</title><id>urn:blog:1</id><link href="https://blog.example/office"/><updated>2026-11-02T10:00:00Z</updated></entry>
</feed>`

// feedServer serves the test feeds; /rss-etag answers 304 when the ETag
// matches and counts its requests.
func feedServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var etagHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/rss", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rssFeed) })
	mux.HandleFunc("/atom", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Header().Set("Last-Modified", "Mon, 02 Nov 2026 10:00:00 GMT")
		if r.Header.Get("If-Modified-Since") == "Mon, 02 Nov 2026 10:00:00 GMT" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, atomFeed)
	})
	mux.HandleFunc("/rss-etag", func(w http.ResponseWriter, r *http.Request) {
		etagHits.Add(1)
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, rssFeed)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `<rss><channel><item><title>oops`) })
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>`)
		fmt.Fprint(w, strings.Repeat("x", 3<<20))
		fmt.Fprint(w, `</title></channel></rss>`)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		fmt.Fprint(w, rssFeed)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.example/feed", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &etagHits
}

func TestFetch(t *testing.T) {
	srv, _ := feedServer(t)
	f := &sources.Fetcher{Timeout: 300 * time.Millisecond, AllowPrivate: true}
	tests := []struct {
		path        string
		wantErr     string // a part of the error; "" for none
		wantEntries int
	}{
		{"/rss", "", 2},
		{"/atom", "", 1},
		{"/broken", "not a readable RSS or Atom feed", 0},
		{"/huge", "larger than 2 MB", 0},
		{"/slow", "within 300ms", 0},
		{"/gone", "410", 0},
		{"/loop", "redirects", 0},
		{"/to-ftp", "only http(s)", 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := f.Fetch(context.Background(), srv.URL+tt.path, "", "")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entries) != tt.wantEntries {
				t.Fatalf("got %d entries, want %d: %+v", len(res.Entries), tt.wantEntries, res.Entries)
			}
		})
	}
}

func TestParseRSS(t *testing.T) {
	srv, _ := feedServer(t)
	res, err := (&sources.Fetcher{AllowPrivate: true}).Fetch(context.Background(), srv.URL+"/rss", "", "")
	if err != nil {
		t.Fatal(err)
	}
	first, second := res.Entries[0], res.Entries[1]
	if first.GUID != "news-1" || first.Title != "Chips are getting smaller" || first.Link != "https://news.example/chips" ||
		!first.PublishedAt.Equal(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("first entry = %+v", first)
	}
	if second.GUID != "" || second.Link != srv.URL+"/relative" {
		t.Errorf("second entry = %+v, want its relative link resolved against the feed", second)
	}
}

func TestFetchRefusesNonHTTP(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "ftp://files.example/feed.xml", "javascript:alert(1)", "news.example/feed", ""} {
		if msg := source.CheckURL(u); msg == "" {
			t.Errorf("CheckURL(%q) accepted it", u)
		}
		if _, err := (&sources.Fetcher{}).Fetch(context.Background(), u, "", ""); err == nil {
			t.Errorf("Fetch(%q) fetched it", u)
		}
	}
	if msg := source.CheckURL("https://news.example/feed.xml"); msg != "" {
		t.Errorf("CheckURL refused an https address: %s", msg)
	}
}

func mustOpenStore(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "portal.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestRunOnce(t *testing.T) {
	srv, etagHits := feedServer(t)
	ctx := context.Background()
	s := mustOpenStore(t)
	u, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:comms", Email: "comms@example.com", Name: "Comms", Roles: []account.Role{account.Comms}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, p := range []string{"/rss-etag", "/atom", "/broken", "/huge", "/slow"} {
		id, err := s.AddSource(ctx, p, srv.URL+p, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids[p] = id
	}
	job := &sources.Job{Store: s, Fetcher: &sources.Fetcher{Timeout: 300 * time.Millisecond, AllowPrivate: true}}
	n, err := job.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("first poll queued %d items, want 3 (2 RSS, 1 Atom)", n)
	}
	for p, wantErr := range map[string]string{"/rss-etag": "", "/atom": "", "/broken": "not a readable", "/huge": "larger than", "/slow": "within"} {
		src, err := s.Source(ctx, ids[p])
		if err != nil {
			t.Fatal(err)
		}
		if src.LastFetchedAt.IsZero() {
			t.Errorf("%s: not marked fetched", p)
		}
		if (wantErr == "") != (src.LastError == "") || !strings.Contains(src.LastError, wantErr) {
			t.Errorf("%s: last error %q, want %q", p, src.LastError, wantErr)
		}
	}
	if src, err := s.Source(ctx, ids["/rss-etag"]); err != nil || src.ETag != `"v1"` {
		t.Errorf("ETag = %q, want it kept for the next poll (error: %v)", src.ETag, err)
	}

	// The second poll sends the validators and gets 304s: nothing new.
	n, err = job.RunOnce(ctx)
	if err != nil || n != 0 {
		t.Fatalf("second poll: %d new, %v; want 0, nil", n, err)
	}
	if etagHits.Load() != 2 {
		t.Errorf("the ETag feed was requested %d times, want 2", etagHits.Load())
	}
	items, err := s.NewSourceItems(ctx, 0)
	if err != nil || len(items) != 3 {
		t.Fatalf("queue has %d items (%v), want 3", len(items), err)
	}
}

func TestRunOnceDedupesAfterValidatorsChange(t *testing.T) {
	srv, _ := feedServer(t)
	ctx := context.Background()
	s := mustOpenStore(t)
	u, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:comms", Email: "comms@example.com", Name: "Comms", Roles: []account.Role{account.Comms}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSource(ctx, "News", srv.URL+"/rss", u.ID); err != nil { // no validators: a full answer each time
		t.Fatal(err)
	}
	job := &sources.Job{Store: s, Fetcher: &sources.Fetcher{AllowPrivate: true}}
	if n, err := job.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("first poll: %d, %v", n, err)
	}
	if n, err := job.RunOnce(ctx); err != nil || n != 0 {
		t.Fatalf("second poll of the same items: %d new, %v; want 0", n, err)
	}
}

func TestFetchRefusesPrivateAddresses(t *testing.T) {
	srv, _ := feedServer(t) // listens on 127.0.0.1
	ctx := context.Background()
	s := mustOpenStore(t)
	u, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:comms", Email: "comms@example.com", Name: "Comms", Roles: []account.Role{account.Comms}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.AddSource(ctx, "Loopback", srv.URL+"/rss", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	job := &sources.Job{Store: s, Fetcher: &sources.Fetcher{Timeout: time.Second}}
	if n, err := job.RunOnce(ctx); err != nil || n != 0 {
		t.Fatalf("poll of a loopback feed: %d new, %v; want 0, nil", n, err)
	}
	src, err := s.Source(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src.LastError, "refusing to connect to 127.0.0.1, a loopback address") {
		t.Errorf("last error %q, want the loopback refusal", src.LastError)
	}

	for _, raw := range []string{srv.URL + "/rss", "http://[::1]:1/feed", "http://10.0.0.1:1/feed", "http://169.254.169.254/latest/meta-data/",
		"http://0.0.0.0:1/feed", "http://[fd00::1]:1/feed", "http://224.0.0.1:1/feed"} {
		_, err := (&sources.Fetcher{Timeout: time.Second}).Fetch(ctx, raw, "", "")
		if !errors.Is(err, sources.ErrForbiddenAddress) {
			t.Errorf("Fetch(%q) = %v, want ErrForbiddenAddress", raw, err)
		}
	}
}

// TestRunOnceSkipsASourceDeletedWhilePolled holds the job to recognising
// the store's "not found" by its kind: a source deleted while its feed was
// being fetched is skipped, not reported, and the other sources count.
func TestRunOnceSkipsASourceDeletedWhilePolled(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	u, err := s.SignIn(ctx, account.Identity{Issuer: "https://idp.test", EmailVerified: true, Subject: "test:comms", Email: "comms@example.com", Name: "Comms", Roles: []account.Role{account.Comms}})
	if err != nil {
		t.Fatal(err)
	}
	var doomed atomic.Int64
	deleted := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/doomed" {
			deleted <- s.DeleteSource(r.Context(), doomed.Load(), u.ID)
		}
		fmt.Fprint(w, rssFeed)
	}))
	t.Cleanup(srv.Close)
	id, err := s.AddSource(ctx, "A doomed feed", srv.URL+"/doomed", u.ID) // polled first: sources go by name
	if err != nil {
		t.Fatal(err)
	}
	doomed.Store(id)
	if _, err := s.AddSource(ctx, "B news", srv.URL+"/rss", u.ID); err != nil {
		t.Fatal(err)
	}
	job := &sources.Job{Store: s, Fetcher: &sources.Fetcher{AllowPrivate: true}}
	n, err := job.RunOnce(ctx)
	if err != nil || n != 2 {
		t.Fatalf("RunOnce = %d, %v; want the other feed's 2 items and no error", n, err)
	}
	select {
	case err := <-deleted:
		if err != nil {
			t.Fatalf("deleting the source during its poll: %v", err)
		}
	default:
		t.Fatal("the doomed feed was never fetched")
	}
	if _, err := s.Source(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the deleted source: %v, want ErrNotFound", err)
	}
}
