// Command loadtest benchmarks the redirect path /l/{code} against a bare
// Fiber "hello" server on the same machine, and checks that no click the
// client was answered for is lost.
//
// Run it from the repository root:
//
//	go run ./cmd/loadtest                 # the benchmark (about 30 s)
//	go run ./cmd/loadtest -crash          # kill -9 the portal mid-load, restart, check every 302
//	go run ./cmd/loadtest -c 100 -d 20s   # 100 connections, 20 seconds on each server
//
// In one run it builds the portal (go build ./cmd/portal, or takes
// -portal), seeds a fresh SQLite database in a temporary folder through
// the store package (a live post and -links tracked links, store.SeedLinks),
// starts the portal on a loopback port, and drives GET /l/{code} with -c
// concurrent keep-alive clients for -d, with a -bots share of link-preview
// fetchers, HEAD requests and crawlers. It drives a bare Fiber handler
// (this program, re-run with -serve-hello) the same way, as the ceiling:
// both servers run side by side and are driven in turns, -rounds rounds of
// -d/-rounds each, so that other work on the machine weighs on both alike.
// It prints requests/s and latency for both, their ratio, the portal's
// resident memory (VmRSS sampled from /proc), and compares the database
// with the 302s received, by kind. Traffic goes to 127.0.0.1 only, and
// every loop is bounded by -d.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-serve-hello" {
		serveHello(os.Args[2])
		return
	}
	var cfg config
	flag.IntVar(&cfg.conns, "c", 50, "concurrent clients (keep-alive connections)")
	flag.DurationVar(&cfg.duration, "d", 10*time.Second, "how long to drive each server, in all")
	flag.IntVar(&cfg.rounds, "rounds", 5, "rounds to split -d into: each round drives the hello ceiling, then the redirect path, so both see the same background load")
	flag.Float64Var(&cfg.bots, "bots", 0.10, "share of requests from link-preview fetchers, HEAD requests and bots")
	flag.IntVar(&cfg.links, "links", 200, "tracked links to seed")
	flag.IntVar(&cfg.visitors, "visitors", 10000, "distinct client addresses, sent as X-Forwarded-For through a trusted proxy (127.0.0.1)")
	flag.StringVar(&cfg.portal, "portal", "", "portal binary to run (default: go build ./cmd/portal)")
	flag.BoolVar(&cfg.crash, "crash", false, "crash test: kill -9 the portal halfway through the load, restart it, check every 302 has its click")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary folder (database, portal log)")
	flag.Parse()
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type config struct {
	conns    int
	duration time.Duration
	rounds   int
	bots     float64
	links    int
	visitors int
	portal   string
	crash    bool
	keep     bool
}

func run(cfg config) error {
	if cfg.conns < 1 || cfg.duration <= 0 || cfg.rounds < 1 || cfg.links < 1 || cfg.visitors < 1 || cfg.visitors > 1<<24 || cfg.bots < 0 || cfg.bots > 1 {
		return errors.New("-c, -d, -links and -visitors must be positive (-visitors at most 16777216) and -bots between 0 and 1")
	}
	dir, err := os.MkdirTemp("", "portal-loadtest-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Println("keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if cfg.portal == "" {
		cfg.portal = filepath.Join(dir, "portal")
		fmt.Println("building the portal…")
		build := exec.Command("go", "build", "-o", cfg.portal, "./cmd/portal")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/portal (run loadtest from the repository root, or pass -portal): %w", err)
		}
	}
	db := filepath.Join(dir, "portal.db")
	codes, err := seed(db, cfg.links)
	if err != nil {
		return err
	}
	if cfg.crash {
		return crashTest(cfg, dir, db, codes)
	}
	return benchmark(cfg, dir, db, codes)
}

// seed creates the database with a live post and n tracked links to it.
func seed(db string, n int) ([]linkCode, error) {
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	links, err := s.SeedLinks(ctx, "https://example.com/news?ref=loadtest#story", n, share.NewCode)
	if err != nil {
		return nil, err
	}
	out := make([]linkCode, len(links))
	for i, l := range links {
		out[i] = linkCode{id: l.ID, code: l.Code}
	}
	return out, nil
}

type linkCode struct {
	id   int64
	code string
}

// agent is a client the load mixes in, with the kind the portal must
// count its requests as.
type agent struct {
	method, ua string
	kind       reach.Kind
}

var (
	people = []agent{
		{"GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", reach.Click},
		{"GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", reach.Click},
		{"GET", "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", reach.Click},
		{"GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68", reach.Click},
		{"GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.30.1424", reach.Click},
	}
	machines = []agent{
		{"GET", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", reach.Preview},
		{"GET", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", reach.Preview},
		{"GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", reach.Preview},
		{"GET", "WhatsApp/2.23.20.0 A", reach.Preview},
		{"HEAD", "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", reach.Preview},
		{"GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", reach.Bot},
		{"GET", "curl/8.5.0", reach.Bot},
		{"GET", "python-requests/2.31.0", reach.Bot},
	}
	kinds = []reach.Kind{reach.Click, reach.Preview, reach.Bot}
)

// request is one request a worker sends.
type request struct {
	method, path, ua string
	xff              string // X-Forwarded-For: the client address the portal hashes
	kind             reach.Kind
}

// result is what one drive brought back.
type result struct {
	elapsed time.Duration   // the measured window
	lat     []time.Duration // latencies of answered requests in the window
	byKind  map[reach.Kind]int64
	answers map[int]int64 // status → count, warm-up included
	errors  int64
	acked   []request // crash test: the people's clicks answered with 302
}

func (r result) rate() float64 { return float64(len(r.lat)) / r.elapsed.Seconds() }

// merge adds o, driven after r, to r.
func (r result) merge(o result) result {
	if r.byKind == nil {
		r.byKind, r.answers = map[reach.Kind]int64{}, map[int]int64{}
	}
	r.lat = append(r.lat, o.lat...)
	slices.Sort(r.lat)
	r.elapsed += o.elapsed
	for k, n := range o.byKind {
		r.byKind[k] += n
	}
	for s, n := range o.answers {
		r.answers[s] += n
	}
	r.errors += o.errors
	r.acked = append(r.acked, o.acked...)
	return r
}

func ratioList(rs []float64) string {
	parts := make([]string, len(rs))
	for i, v := range rs {
		parts[i] = strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strings.Join(parts, " ")
}

func median(vs []float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// drive sends requests from next with conns workers until d has passed,
// after a warm-up that is counted (answers, byKind) but not timed. It
// stops early when ctx is done.
func drive(ctx context.Context, base string, conns int, warmup, d time.Duration, next func(w int, rng *rand.Rand) request) result {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DisableCompression: true, IdleConnTimeout: time.Minute,
		DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	start := time.Now()
	measureFrom, end := start.Add(warmup), start.Add(warmup+d)
	type local struct {
		lat     []time.Duration
		byKind  map[reach.Kind]int64
		answers map[int]int64
		errors  int64
		acked   []request
	}
	locals := make([]local, conns)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			l := &locals[w]
			l.byKind, l.answers = map[reach.Kind]int64{}, map[int]int64{}
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			for ctx.Err() == nil {
				sent := time.Now()
				if !sent.Before(end) {
					return
				}
				r := next(w, rng)
				req, _ := http.NewRequestWithContext(ctx, r.method, base+r.path, nil)
				req.Header.Set("User-Agent", r.ua)
				if r.xff != "" {
					req.Header.Set("X-Forwarded-For", r.xff)
				}
				resp, err := client.Do(req)
				if err != nil {
					l.errors++
					time.Sleep(10 * time.Millisecond) // a dead server refuses at once: do not spin
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				took := time.Since(sent)
				l.answers[resp.StatusCode]++
				if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusOK {
					l.byKind[r.kind]++
					if r.kind == reach.Click && strings.Contains(r.ua, " lt/") {
						l.acked = append(l.acked, r)
					}
				}
				if !sent.Before(measureFrom) {
					l.lat = append(l.lat, took)
				}
			}
		})
	}
	wg.Wait()
	res := result{elapsed: min(time.Since(measureFrom), d), byKind: map[reach.Kind]int64{}, answers: map[int]int64{}}
	for _, l := range locals {
		res.lat = append(res.lat, l.lat...)
		for k, n := range l.byKind {
			res.byKind[k] += n
		}
		for s, n := range l.answers {
			res.answers[s] += n
		}
		res.errors += l.errors
		res.acked = append(res.acked, l.acked...)
	}
	slices.Sort(res.lat)
	return res
}

// mix returns the request maker for the redirect load: people from the
// people table and, with probability bots, machines, each from one of
// visitors client addresses (10.x.y.z, as a proxy reports them). With
// unique set, every person's user agent is made unique, so that the crash
// test can find each acknowledged click by its visitor hash.
func mix(codes []linkCode, visitors int, bots float64, unique bool) func(int, *rand.Rand) request {
	var seq atomic.Int64
	return func(w int, rng *rand.Rand) request {
		l := codes[rng.IntN(len(codes))]
		a := people[rng.IntN(len(people))]
		if rng.Float64() < bots {
			a = machines[rng.IntN(len(machines))]
		}
		ua := a.ua
		if unique && a.kind == reach.Click {
			ua += " lt/" + strconv.FormatInt(seq.Add(1), 10)
		}
		v := rng.IntN(visitors)
		xff := "10." + strconv.Itoa(v>>16&255) + "." + strconv.Itoa(v>>8&255) + "." + strconv.Itoa(v&255)
		return request{method: a.method, path: "/l/" + l.code, ua: ua, xff: xff, kind: a.kind}
	}
}

func benchmark(cfg config, dir, db string, codes []linkCode) error {
	for _, a := range append(slices.Clone(people), machines...) {
		if got := reach.Classify(a.method, a.ua); got != a.kind {
			return fmt.Errorf("the portal classifies %s %q as %s, the load expects %s", a.method, a.ua, got, a.kind)
		}
	}
	// The two servers run side by side and are driven in turns, round
	// after round, so that whatever else this machine does weighs on both
	// alike; each round starts new connections with an untimed warm-up.
	slice := cfg.duration / time.Duration(cfg.rounds)
	warmup := min(500*time.Millisecond, slice/4)
	loadBefore := loadAverage()
	hello, err := startHello(dir)
	if err != nil {
		return err
	}
	defer hello.stop()
	p, err := startPortal(cfg.portal, dir, db)
	if err != nil {
		return err
	}
	defer p.kill()
	before, err := dbCounts(db)
	if err != nil {
		return err
	}
	fmt.Printf("driving the hello ceiling and the redirect path in turns: %d rounds of %s each, %d connections, %d links, %.0f%% previews and bots…\n",
		cfg.rounds, slice, cfg.conns, len(codes), cfg.bots*100)
	rss := sampleRSS(p.cmd.Process.Pid)
	var h, r result
	var ratios []float64
	for range cfg.rounds {
		hr := drive(context.Background(), hello.base, cfg.conns, warmup, slice, func(int, *rand.Rand) request {
			return request{method: "GET", path: "/hello", ua: people[0].ua, kind: "hello"}
		})
		rr := drive(context.Background(), p.base, cfg.conns, warmup, slice, mix(codes, cfg.visitors, cfg.bots, false))
		ratios = append(ratios, rr.rate()/hr.rate())
		h, r = h.merge(hr), r.merge(rr)
	}
	maxRSS := rss.stop()
	if err := p.stop(); err != nil {
		return err
	}
	after, err := dbCounts(db)
	if err != nil {
		return err
	}

	fmt.Printf("\n%-18s %12s %9s %9s %9s %8s\n", "", "requests/s", "p50", "p99", "max", "errors")
	for _, row := range []struct {
		name string
		r    result
	}{{"hello (ceiling)", h}, {"redirect /l/{code}", r}} {
		fmt.Printf("%-18s %12.0f %9s %9s %9s %8d\n", row.name, row.r.rate(), pct(row.r.lat, 50), pct(row.r.lat, 99),
			pct(row.r.lat, 100), row.r.errors+nonOK(row.r.answers))
	}
	fmt.Printf("ratio redirect/hello: %.2f (rounds: %s; median %.2f)\n", r.rate()/h.rate(), ratioList(ratios), median(ratios))
	fmt.Printf("load average before/after (other processes on this machine skew both runs): %s / %s\n", loadBefore, loadAverage())
	fmt.Printf("portal resident memory (VmRSS, max of samples every 100 ms): %.1f MB\n", float64(maxRSS)/1024)
	if batches, clicks, committing := p.writerStats(); batches > 0 {
		fmt.Printf("click writer: %d transactions for %d clicks, %.1f clicks per transaction, %s per transaction committing\n",
			batches, clicks, float64(clicks)/float64(batches), (committing / time.Duration(batches)).Round(time.Microsecond))
	}
	return check(r, before, after)
}

// nonOK counts answers other than 200 and 302.
func nonOK(answers map[int]int64) int64 {
	var n int64
	for s, c := range answers {
		if s != http.StatusOK && s != http.StatusFound {
			n += c
		}
	}
	return n
}

// counts is the database's raw click rows and rollups.
type counts struct{ raw, rollup reach.ClickCounts }

func dbCounts(db string) (counts, error) {
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		return counts{}, err
	}
	defer s.Close()
	var c counts
	if c.raw, err = s.RawClickCounts(ctx); err != nil {
		return c, err
	}
	c.rollup, err = s.ClickTotals(ctx)
	return c, err
}

func kindOf(c reach.ClickCounts, k reach.Kind) int64 {
	switch k {
	case reach.Click:
		return c.Clicks
	case reach.Preview:
		return c.Previews
	}
	return c.Bots
}

// check compares the 302s received with the rows the run added, by kind.
func check(r result, before, after counts) error {
	fmt.Printf("\n%-8s %10s %10s %10s\n", "kind", "302s", "raw rows", "rollups")
	ok := true
	for _, k := range kinds {
		got := r.byKind[k]
		raw := kindOf(after.raw, k) - kindOf(before.raw, k)
		roll := kindOf(after.rollup, k) - kindOf(before.rollup, k)
		fmt.Printf("%-8s %10d %10d %10d\n", k, got, raw, roll)
		ok = ok && got == raw && raw == roll
	}
	fmt.Printf("unique visitors counted: %d\n", after.rollup.Visitors-before.rollup.Visitors)
	if nonOK(r.answers) > 0 || r.errors > 0 {
		fmt.Printf("answers other than 302: %v, transport errors: %d\n", r.answers, r.errors)
	}
	if !ok {
		return errors.New("check FAILED: the database does not hold exactly one click per 302 received")
	}
	fmt.Println("check OK: one click row (and rollup count) per 302 received, by kind; none lost")
	return nil
}

func crashTest(cfg config, dir, db string, codes []linkCode) error {
	p, err := startPortal(cfg.portal, dir, db)
	if err != nil {
		return err
	}
	defer p.kill()
	fmt.Printf("crash test: %d connections for %s; kill -9 after %s…\n", cfg.conns, cfg.duration, cfg.duration/2)
	ctx, cancel := context.WithCancel(context.Background())
	killed := time.AfterFunc(cfg.duration/2, func() {
		p.kill()
		time.AfterFunc(500*time.Millisecond, cancel) // the clients see the dead server, then stop
	})
	first := drive(ctx, p.base, cfg.conns, 0, cfg.duration, mix(codes, cfg.visitors, cfg.bots, true))
	killed.Stop()
	cancel()
	fmt.Printf("before the kill: %d answers %v, %d transport errors after it\n", len(first.lat), first.answers, first.errors)

	p, err = startPortal(cfg.portal, dir, db)
	if err != nil {
		return fmt.Errorf("restart after kill -9: %w", err)
	}
	defer p.kill()
	second := drive(context.Background(), p.base, cfg.conns, 0, min(2*time.Second, cfg.duration), mix(codes, cfg.visitors, cfg.bots, true))
	if err := p.stop(); err != nil {
		return err
	}
	fmt.Printf("after the restart: %d answers %v\n", len(second.lat), second.answers)

	ctx = context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer s.Close()
	inDB := map[reach.Visitor]bool{}
	for _, l := range codes {
		rows, err := s.LinkClicks(ctx, l.id)
		if err != nil {
			return err
		}
		for _, c := range rows {
			var v reach.Visitor
			copy(v[:], c.Visitor)
			inDB[v] = true
		}
	}
	var salts [][]byte
	for _, day := range []time.Time{time.Now().UTC(), time.Now().UTC().AddDate(0, 0, -1)} {
		if salt, err := s.StoredVisitorSalt(ctx, day.Format(reach.DayLayout)); err == nil {
			salts = append(salts, salt)
		}
	}
	acked := append(first.acked, second.acked...)
	missing := 0
	for _, r := range acked {
		found := false
		for _, salt := range salts {
			found = found || inDB[reach.HashVisitor(salt, netip.MustParseAddr(r.xff), r.ua)]
		}
		if !found {
			missing++
		}
	}
	raw, err := s.RawClickCounts(ctx)
	if err != nil {
		return err
	}
	rollup, err := s.ClickTotals(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("\npeople's clicks answered with 302: %d; found in the database by visitor hash: %d; missing: %d\n",
		len(acked), len(acked)-missing, missing)
	fmt.Printf("%-8s %10s %10s %10s\n", "kind", "302s", "raw rows", "rollups")
	ok := missing == 0
	for _, k := range kinds {
		got := first.byKind[k] + second.byKind[k]
		fmt.Printf("%-8s %10d %10d %10d\n", k, got, kindOf(raw, k), kindOf(rollup, k))
		ok = ok && kindOf(raw, k) >= got && kindOf(raw, k) == kindOf(rollup, k)
	}
	fmt.Println("(rows beyond the 302s are clicks committed whose answer the kill cut off: allowed; fewer would be a loss)")
	if !ok {
		return errors.New("crash check FAILED: an acknowledged click is missing, or rollups disagree with the rows")
	}
	fmt.Println("crash check OK: every 302 received has its click in the database after kill -9 and restart")
	return nil
}

// pct returns the p-th percentile of sorted latencies.
func pct(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	i := min(len(sorted)-1, len(sorted)*p/100)
	return sorted[i].Round(10 * time.Microsecond).String()
}

// process is a server this program started.
type process struct {
	cmd  *exec.Cmd
	base string
	log  string
	done chan error
}

// startPortal runs the portal binary on a free loopback port with db, its
// log in dir, and waits until it says it is ready.
func startPortal(bin, dir, db string) (*process, error) {
	logPath := filepath.Join(dir, fmt.Sprintf("portal-%d.log", time.Now().UnixNano()))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-db", db, "-demo-idp-addr", "127.0.0.1:0", "-env", "development")
	// The load comes through 127.0.0.1 as through a reverse proxy: its
	// X-Forwarded-For carries the client addresses.
	cmd.Env = append(os.Environ(), "PORTAL_TRUSTED_PROXIES=127.0.0.1", "PORTAL_BASE_URL=", "PORTAL_OIDC_ISSUER=")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &process{cmd: cmd, log: logPath, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	ready := regexp.MustCompile(`msg="portal is ready" url=(\S+)`)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := ready.FindStringSubmatch(readFile(logPath)); m != nil {
			p.base = m[1]
			return p, nil
		}
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("the portal exited before it was ready (%v):\n%s", err, tail(readFile(logPath)))
		case <-time.After(50 * time.Millisecond):
		}
	}
	p.kill()
	return nil, fmt.Errorf("the portal was not ready after 60s:\n%s", tail(readFile(logPath)))
}

// stop sends SIGTERM and waits for a clean exit.
func (p *process) stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			return fmt.Errorf("the portal exited with %v:\n%s", err, tail(readFile(p.log)))
		}
		return nil
	case <-time.After(30 * time.Second):
		p.kill()
		return errors.New("the portal did not stop within 30s of SIGTERM")
	}
}

// kill sends SIGKILL (kill -9) and waits for the process to be gone.
func (p *process) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Kill()
	err := <-p.done
	p.done <- err
}

// writerStats reads the click writer's totals from the portal's log line
// at shutdown.
func (p *process) writerStats() (batches, clicks int64, committing time.Duration) {
	m := regexp.MustCompile(`msg="click writer stopped" batches=(\d+) clicks=(\d+) committing=(\S+)`).FindStringSubmatch(readFile(p.log))
	if m == nil {
		return 0, 0, 0
	}
	batches, _ = strconv.ParseInt(m[1], 10, 64)
	clicks, _ = strconv.ParseInt(m[2], 10, 64)
	committing, _ = time.ParseDuration(m[3])
	return batches, clicks, committing
}

// loadAverage is the machine's 1-minute load average.
func loadAverage() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// startHello runs this program as the bare Fiber hello server.
func startHello(dir string) (*process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-hello", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, log: filepath.Join(dir, "hello.log"), done: make(chan error, 1)}
	line, err := bufio.NewReader(out).ReadString('\n')
	go func() { io.Copy(io.Discard, out); p.done <- cmd.Wait() }()
	if err != nil {
		p.kill()
		return nil, fmt.Errorf("the hello server did not start: %w", err)
	}
	p.base = strings.TrimSpace(line)
	return p, nil
}

// serveHello is the ceiling: a bare Fiber app answering "Hello, World!".
func serveHello(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/hello", func(c *fiber.Ctx) error { return c.SendString("Hello, World!") })
	fmt.Println("http://" + ln.Addr().String())
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		<-sig
		app.Shutdown()
	}()
	app.Listener(ln)
}

// rssSampler samples a process's VmRSS until stopped.
type rssSampler struct {
	stopc chan struct{}
	maxKB atomic.Int64
	done  chan struct{}
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stopc: make(chan struct{}), done: make(chan struct{})}
	re := regexp.MustCompile(`VmRSS:\s+(\d+) kB`)
	go func() {
		defer close(s.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if m := re.FindStringSubmatch(readFile(fmt.Sprintf("/proc/%d/status", pid))); m != nil {
				kb, _ := strconv.ParseInt(m[1], 10, 64)
				if kb > s.maxKB.Load() {
					s.maxKB.Store(kb)
				}
			}
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the largest VmRSS seen, in kB.
func (s *rssSampler) stop() int64 {
	close(s.stopc)
	<-s.done
	return s.maxKB.Load()
}
