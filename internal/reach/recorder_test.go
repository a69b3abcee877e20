package reach_test

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

// countingStore counts LinkTarget lookups and can change a post's URL.
type countingStore struct {
	*store.Store
	lookups atomic.Int64
	postURL atomic.Pointer[string]
}

func (s *countingStore) LinkTarget(ctx context.Context, code string) (reach.LinkTarget, error) {
	s.lookups.Add(1)
	t, err := s.Store.LinkTarget(ctx, code)
	if u := s.postURL.Load(); u != nil && err == nil {
		t.PostURL = *u
	}
	return t, err
}

func TestRecorderTarget(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	links, err := s.SeedLinks(ctx, "https://example.com/news?ref=feed&b=2#part-2", 1, share.NewCode)
	if err != nil || len(links) != 1 {
		t.Fatalf("SeedLinks = %d links, %v; want 1", len(links), err)
	}
	cs := &countingStore{Store: s}
	clk := clocktest.New(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
	r := reach.NewRecorder(cs, reach.Config{Now: clk.Now, TargetTTL: 30 * time.Second})

	got, err := r.Target(ctx, links[0].Code)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(got.Location)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if got.LinkID != links[0].ID || u.Host != "example.com" || u.Path != "/news" || u.Fragment != "part-2" ||
		q.Get("ref") != "feed" || q.Get("b") != "2" || q.Get("utm_source") != "linkedin" ||
		q.Get("utm_medium") != "employee_advocacy" || !strings.HasPrefix(q.Get("utm_campaign"), "seeded-post-") {
		t.Errorf("Target = %+v; want link %d to example.com/news keeping ref, b and #part-2, with UTM parameters", got, links[0].ID)
	}

	for range 5 {
		if _, err := r.Target(ctx, links[0].Code); err != nil {
			t.Fatal(err)
		}
	}
	if n := cs.lookups.Load(); n != 1 {
		t.Errorf("6 redirects looked the link up %d times, want 1 (remembered)", n)
	}
	edited := "https://example.com/edited"
	cs.postURL.Store(&edited)
	clk.Set(clk.Now().Add(31 * time.Second))
	if got, err := r.Target(ctx, links[0].Code); err != nil || !strings.HasPrefix(got.Location, edited+"?") {
		t.Errorf("after the TTL the target is %q, %v; want the edited address", got.Location, err)
	}

	if _, err := r.Target(ctx, "nosuchcode"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Target(unknown) = %v, want ErrNotFound", err)
	}
	_, err = r.Target(ctx, "nosuchcode")
	if !errors.Is(err, reach.ErrUnknownLink) || apperr.MessageOf(err) != apperr.MessageOf(reach.ErrUnknownLink) {
		t.Errorf("Target(unknown) = %v (saying %q), want ErrUnknownLink with its words", err, apperr.MessageOf(err))
	}
}

func TestRecorderRecord(t *testing.T) {
	ctx := context.Background()
	const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"
	alice, bob := netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("203.0.113.9")
	visits := []struct {
		v    reach.Visit
		want reach.Kind
	}{
		{reach.Visit{Method: "GET", UserAgent: firefox, IP: alice}, reach.Click},
		{reach.Visit{Method: "GET", UserAgent: firefox, IP: alice}, reach.Click}, // the same visitor again
		{reach.Visit{Method: "GET", UserAgent: firefox, IP: bob}, reach.Click},
		{reach.Visit{Method: "HEAD", UserAgent: firefox, IP: bob}, reach.Preview},
		{reach.Visit{Method: "GET", UserAgent: "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", IP: bob}, reach.Preview},
		{reach.Visit{Method: "GET", UserAgent: "curl/8.5.0", IP: bob}, reach.Bot},
	}
	for name, withWriter := range map[string]bool{"group commit": true, "one transaction": false} {
		t.Run(name, func(t *testing.T) {
			clk := clocktest.New(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
			s := mustOpenStore(t, store.WithClock(clk.Now))
			links := mustLinks(t, s, 1)
			cfg := reach.Config{Now: clk.Now}
			if withWriter {
				w := reach.NewWriter(s, reach.WriterConfig{})
				t.Cleanup(func() { w.Close() }) // before the store closes
				cfg.Writer = w
			}
			r := reach.NewRecorder(s, cfg)
			for _, tt := range visits {
				tt.v.LinkID = links[0]
				if got, err := r.Record(ctx, tt.v); err != nil || got != tt.want {
					t.Errorf("Record(%+v) = %s, %v; want %s", tt.v, got, err, tt.want)
				}
			}
			if withWriter { // the portal's background counter counts the writer's visitors
				if _, err := (&reach.Tally{Store: s}).RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.ClickTotals(ctx) // the rollups of the store's only link
			if err != nil {
				t.Fatal(err)
			}
			if want := (reach.ClickCounts{Clicks: 3, Previews: 2, Bots: 1, Visitors: 2}); got != want {
				t.Errorf("the link's counts are %+v, want %+v", got, want)
			}
			rows, err := s.LinkClicks(ctx, links[0])
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(visits) {
				t.Fatalf("the link has %d clicks, want %d", len(rows), len(visits))
			}
			for _, c := range rows {
				if (c.Kind == reach.Click) != (len(c.Visitor) == reach.VisitorSize) {
					t.Errorf("click %+v: want a %d-byte visitor hash on people's clicks only", c, reach.VisitorSize)
				}
			}
		})
	}
}
