package store_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/store"
)

// openScopedBenchCopy opens a copy of the database PORTAL_REACH_DB names,
// one made by `portal seed` (say -users 10000 -posts 2000 -clicks
// 10000000), never that database itself; without one it skips tb.
func openScopedBenchCopy(tb testing.TB) *store.Store {
	tb.Helper()
	src := os.Getenv("PORTAL_REACH_DB")
	if src == "" {
		tb.Skip("set PORTAL_REACH_DB to a database made by portal seed")
	}
	if _, err := os.Stat(src); err != nil {
		tb.Fatalf("PORTAL_REACH_DB: %v", err)
	}
	dir := tb.TempDir()
	dst := filepath.Join(dir, "reach.db")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(src+suffix, dst+suffix); err != nil && !(suffix != "" && os.IsNotExist(err)) {
			tb.Fatal(err)
		}
	}
	s, err := store.Open(context.Background(), dst)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

var scopedBenchScopes = []struct {
	name  string
	scope reach.Scope
}{
	{"campaign1", reach.Scope{CampaignID: 1}},
	{"campaign2", reach.Scope{CampaignID: 2}},
	{"post1", reach.Scope{PostID: 1}},
}

// BenchmarkReachScoped times a campaign's and a post's all-time report,
// as their reach pages ask for it.
func BenchmarkReachScoped(b *testing.B) {
	s := openScopedBenchCopy(b)
	ctx := context.Background()
	tomorrow := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	for _, sc := range scopedBenchScopes {
		first, ok, err := s.ReachFirstDay(ctx, sc.scope)
		if err != nil || !ok {
			b.Fatalf("%s: first day: %v %v", sc.name, ok, err)
		}
		b.Run(sc.name+"/report", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ReachReport(ctx, sc.scope, first, tomorrow); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sc.name+"/clicks-to-date", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ReachClicksToDate(ctx, sc.scope); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
