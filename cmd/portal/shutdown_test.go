package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

// TestShutdownUnderLoadLosesNothing runs the portal binary as a separate
// process, drives its tracked links with concurrent browser clients, and
// sends it SIGTERM while the load goes on. The portal must exit with 0,
// and every click answered with a 302 must be in the database (rollups
// and raw rows), no more and no fewer: a request refused during shutdown
// gets no 302.
func TestShutdownUnderLoadLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the portal binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the portal binary for the SIGTERM test")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "portal")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/portal: %v\n%s", err, out)
	}

	// Seed a live post and tracked links, then close the database before
	// the portal opens it.
	ctx := context.Background()
	dbPath := filepath.Join(dir, "portal.db")
	s, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	links, err := s.SeedLinks(ctx, "https://example.com/news?ref=shutdown", 20, share.NewCode)
	if err != nil || len(links) != 20 {
		t.Fatalf("SeedLinks = %d links, %v; want 20", len(links), err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	addr := freeAddr(t)
	logPath := filepath.Join(dir, "portal.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "-addr", addr, "-db", dbPath, "-demo-idp-addr", "127.0.0.1:0",
		"-env", "development", "-rate-limit-redirect", "0")
	cmd.Env = append(os.Environ(), "PORTAL_BASE_URL=", "PORTAL_OIDC_ISSUER=", "PORTAL_TRUSTED_PROXIES=")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	exited := false
	defer func() {
		if !exited {
			cmd.Process.Kill()
			<-done
		}
	}()
	portalLog := func() string {
		b, err := os.ReadFile(logPath)
		if err != nil {
			return "(no log: " + err.Error() + ")"
		}
		return string(b)
	}

	base := "http://" + addr
	waitHealthy(t, base, done, portalLog)

	// The load: conns clients, each on its own keep-alive connection,
	// hammering the tracked links until a request fails.
	const conns = 20
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DisableCompression: true, DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"

	var (
		redirects atomic.Int64 // 302s received
		mu        sync.Mutex
		statuses  = map[int]int64{}
		failures  []string
		wg        sync.WaitGroup
	)
	stopAt := time.Now().Add(15 * time.Second) // a bound, in case the portal never stops
	for w := range conns {
		wg.Go(func() {
			for i := 0; time.Now().Before(stopAt); i++ {
				l := links[(w+i)%len(links)]
				req, err := http.NewRequest("GET", base+"/l/"+l.Code, nil)
				if err != nil {
					panic(err)
				}
				req.Header.Set("User-Agent", browser)
				resp, err := client.Do(req)
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusFound {
					redirects.Add(1)
				}
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}
		})
	}

	time.Sleep(time.Second)
	before := redirects.Load()
	if before == 0 {
		t.Errorf("no 302 in the first second of load")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("send SIGTERM: %v", err)
	}
	var exitErr error
	select {
	case exitErr = <-done:
		exited = true
	case <-time.After(2*shutdownGrace + 5*time.Second):
		t.Fatalf("the portal did not exit within %s of SIGTERM:\n%s", 2*shutdownGrace+5*time.Second, tail(portalLog()))
	}
	wg.Wait()
	if exitErr != nil {
		code := -1
		var ee *exec.ExitError
		if errors.As(exitErr, &ee) {
			code = ee.ExitCode()
		}
		t.Errorf("the portal exited with code %d (%v) after SIGTERM, want 0:\n%s", code, exitErr, tail(portalLog()))
	}
	acked := redirects.Load()
	t.Logf("302s: %d before SIGTERM, %d in all; statuses %v; %d clients stopped on errors, e.g. %q",
		before, acked, statuses, len(failures), first(failures))
	if acked == before {
		t.Logf("no 302 after SIGTERM: the shutdown did not overlap the load")
	}
	for code, n := range statuses {
		if code != http.StatusFound && code != http.StatusServiceUnavailable {
			t.Errorf("%d answers with status %d, want only 302 (or 503 while shutting down)", n, code)
		}
	}

	s, err = store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	totals, err := s.ClickTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.RawClickCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The seeded post's reach, as its dashboard adds it up, from yesterday
	// (in case the test ran over midnight, UTC) to the end of today.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	seeded, err := s.ReachTotals(ctx, reach.Scope{PostID: links[0].PostID}, today.AddDate(0, 0, -1), today.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got int64) {
		switch {
		case got < acked:
			t.Errorf("%s: %d clicks, but the clients got %d 302s: %d acknowledged clicks lost in the shutdown",
				what, got, acked, acked-got)
		case got > acked:
			t.Errorf("%s: %d clicks, but the clients got only %d 302s: %d clicks recorded without a 302 reaching the client",
				what, got, acked, got-acked)
		}
	}
	check("rollups", totals.Clicks)
	check("raw rows", raw.Clicks)
	check("reach of the seeded post", seeded.Clicks)
	if totals.Previews+totals.Bots+raw.Previews+raw.Bots != 0 {
		t.Errorf("browser requests counted as previews or bots: rollups %+v, raw %+v", totals, raw)
	}
}

// waitHealthy waits until base/healthz answers 200, failing the test if
// the portal exits first or takes longer than 60 s.
func waitHealthy(t *testing.T, base string, done chan error, log func() string) {
	t.Helper()
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := c.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("the portal exited before it was healthy (%v):\n%s", err, tail(log()))
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("the portal was not healthy after 60s:\n%s", tail(log()))
}

func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return fmt.Sprint(ss[0])
}
