package reach_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/clocktest"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestHasherRotatesDaily(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	clk := clocktest.New(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
	h := reach.NewHasher(s, clk.Now)
	ip := netip.MustParseAddr("198.51.100.7")
	const ua = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"
	mustHash := func(ip netip.Addr, ua string) reach.Visitor {
		t.Helper()
		v, err := h.Hash(ctx, ip, ua)
		if err != nil {
			t.Fatalf("Hash: %v", err)
		}
		return v
	}
	// wantDays checks which days around the ones the clock sees have a
	// salt kept.
	wantDays := func(want ...string) {
		t.Helper()
		var got []string
		for d := time.Date(2025, 3, 7, 0, 0, 0, 0, time.UTC); d.Before(time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
			day := d.Format(reach.DayLayout)
			switch _, err := s.StoredVisitorSalt(ctx, day); {
			case err == nil:
				got = append(got, day)
			case !errors.Is(err, store.ErrNotFound):
				t.Fatal(err)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("salt days = %v, want %v", got, want)
		}
	}

	monday := mustHash(ip, ua)
	clk.Set(time.Date(2025, 3, 10, 23, 59, 59, 0, time.UTC))
	if got := mustHash(ip, ua); got != monday {
		t.Error("the same visitor got another hash later the same day")
	}
	if got := mustHash(ip.Next(), ua); got == monday {
		t.Error("another address got the same hash")
	}
	if got := mustHash(ip, ua+" "); got == monday {
		t.Error("another user agent got the same hash")
	}
	if got := mustHash(netip.MustParseAddr("::ffff:198.51.100.7"), ua); got != monday {
		t.Error("the IPv4-mapped form of the address got another hash")
	}
	t.Run("another portal process agrees on the day's salt", func(t *testing.T) {
		other := reach.NewHasher(s, clk.Now)
		if v, err := other.Hash(ctx, ip, ua); err != nil || v != monday {
			t.Errorf("second hasher: %x, %v; want %x", v, err, monday)
		}
	})
	wantDays("2025-03-10")

	clk.Set(time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC))
	tuesday := mustHash(ip, ua)
	if tuesday == monday {
		t.Error("the same visitor got the same hash the next day")
	}
	wantDays("2025-03-10", "2025-03-11")

	clk.Set(time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC))
	if got := mustHash(ip, ua); got == monday || got == tuesday {
		t.Error("the same visitor got an earlier day's hash")
	}
	wantDays("2025-03-11", "2025-03-12") // Monday's salt is gone
}

func TestHashVisitorMatchesHasher(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	clk := clocktest.New(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
	ip, ua := netip.MustParseAddr("2001:db8::1"), "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)"
	v, err := reach.NewHasher(s, clk.Now).Hash(ctx, ip, ua)
	if err != nil {
		t.Fatal(err)
	}
	salt, err := s.StoredVisitorSalt(ctx, "2025-03-10")
	if err != nil {
		t.Fatal(err)
	}
	if got := reach.HashVisitor(salt, ip, ua); got != v {
		t.Errorf("HashVisitor = %x, Hasher.Hash = %x", got, v)
	}
}

func BenchmarkHasher(b *testing.B) {
	ctx := context.Background()
	h := reach.NewHasher(mustOpenStore(b), nil)
	ip := netip.MustParseAddr("198.51.100.7")
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36" // Chrome on Windows
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, ip, ua); err != nil {
			b.Fatal(err)
		}
	}
}
