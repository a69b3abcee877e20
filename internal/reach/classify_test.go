package reach

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/x-way/crawlerdetect"
)

// Real user agents, as services and browsers send them.
var classifyTests = []struct {
	name, method, userAgent string
	want                    Kind
}{
	{"Chrome on Windows", "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", Click},
	{"Chrome on Android", "GET", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", Click},
	{"Safari on iPhone", "GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", Click},
	{"Safari on macOS", "GET", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", Click},
	{"Firefox on Linux", "GET", "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", Click},
	{"Firefox on Windows", "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0", Click},
	{"Edge", "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68", Click},
	{"Samsung Internet", "GET", "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", Click},
	{"Safari on iPad", "GET", "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", Click},
	{"LinkedIn app in-app browser, iOS", "GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.30.1424", Click},
	{"LinkedIn app in-app browser, Android", "GET", "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 [LinkedInApp]/4.1.962", Click},
	{"Facebook in-app browser", "GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.38.109;FBBV/612345678;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]", Click},
	{"Facebook in-app browser, Android", "GET", "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240705.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.134 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/473.0.0.41.81;]", Click},
	{"Instagram in-app browser, iOS", "GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 339.0.0.24.84 (iPhone15,2; iOS 17_5; en_US; en; scale=3.00; 1179x2556; 620123456)", Click},
	{"Instagram in-app browser, Android", "GET", "Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.122 Mobile Safari/537.36 Instagram 339.0.0.35.117 Android (33/13; 420dpi; 1080x2220; samsung; SM-G991B; o1s; exynos2100; en_US; 621223399)", Click},
	{"Chrome on iPhone", "GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1", Click},
	{"Chrome on ChromeOS", "GET", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", Click},
	{"Opera", "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0", Click},
	{"old Opera", "GET", "Opera/9.80 (Windows NT 6.1; WOW64) Presto/2.12.388 Version/12.18", Click},

	{"LinkedInBot", "GET", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", Preview},
	{"facebookexternalhit", "GET", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", Preview},
	{"iMessage link preview", "GET", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0", Preview},
	{"Twitterbot", "GET", "Twitterbot/1.0", Preview},
	{"Slackbot-LinkExpanding", "GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", Preview},
	{"WhatsApp", "GET", "WhatsApp/2.23.20.0 A", Preview},
	{"TelegramBot", "GET", "TelegramBot (like TwitterBot)", Preview},
	{"Discordbot", "GET", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", Preview},
	{"Skype and Teams", "GET", "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com", Preview},
	{"Mastodon server", "GET", "http.rb/5.1.1 (Mastodon/4.2.10; +https://mastodon.social/) Bot", Preview},
	{"Bluesky card fetcher", "GET", "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", Preview},
	{"Slack image proxy", "GET", "Slack-ImgProxy (+https://api.slack.com/robots)", Preview},
	{"Pinterestbot", "GET", "Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)", Preview},
	{"Microsoft Teams and Outlook", "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582 MicrosoftPreview/2.0 +https://aka.ms/MicrosoftPreview", Preview},
	{"HEAD from a browser", "HEAD", "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", Preview},
	{"HEAD without user agent", "HEAD", "", Preview},

	{"no user agent", "GET", "", Bot},
	{"blank user agent", "GET", "   ", Bot},
	{"curl", "GET", "curl/8.5.0", Bot},
	{"python-requests", "GET", "python-requests/2.31.0", Bot},
	{"Go's client", "GET", "Go-http-client/1.1", Bot},
	{"wget", "GET", "Wget/1.21.4", Bot},
	{"Googlebot", "GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Bot},
	{"Googlebot smartphone", "GET", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Bot},
	{"bingbot", "GET", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", Bot},
	{"Applebot", "GET", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", Bot},
	{"AhrefsBot", "GET", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", Bot},
	{"YandexBot", "GET", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", Bot},
	{"GPTBot", "GET", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", Bot},
	{"headless Chrome", "GET", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36", Bot},
	{"Lighthouse", "GET", "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse", Bot},
	{"PhantomJS", "GET", "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1", Bot},
	{"GoogleOther", "GET", "Mozilla/5.0 (compatible; GoogleOther)", Bot},
	{"Google-InspectionTool", "GET", "Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)", Bot},
	{"SemrushBot", "GET", "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", Bot},
	{"ClaudeBot", "GET", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", Bot},
	{"ChatGPT-User", "GET", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot", Bot},
	{"PerplexityBot", "GET", "Mozilla/5.0 (compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)", Bot},
	{"PetalBot", "GET", "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)", Bot},
	{"Bytespider", "GET", "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", Bot},
	{"Baiduspider", "GET", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", Bot},
	{"DuckDuckBot", "GET", "Mozilla/5.0 (compatible; DuckDuckBot-Https/1.1; https://duckduckgo.com/duckduckbot)", Bot},
	{"MJ12bot", "GET", "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", Bot},
	{"node-fetch", "GET", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", Bot},
	{"okhttp", "GET", "okhttp/4.12.0", Bot},
	{"Apache HttpClient", "GET", "Apache-HttpClient/4.5.14 (Java/17.0.2)", Bot},
	// Below, clients that crawlerdetect lets through (see TestCrawlerdetect)
	// and that looksLikeBrowser turns into bots.
	{"Android's HTTP client", "GET", "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP2A.240705.005)", Bot},
	{"junk user agent", "GET", "-", Bot},
	{"made-up user agent", "GET", "portal-tester", Bot},
	{"bare Mozilla", "GET", "Mozilla/5.0", Bot},
	{"over-long user agent", "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) " + strings.Repeat("AppleWebKit/537.36 ", 30), Bot},
}

func TestClassify(t *testing.T) {
	var cached Classifier
	for _, tt := range classifyTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.method, tt.userAgent); got != tt.want {
				t.Errorf("Classify(%s, %q) = %s, want %s", tt.method, tt.userAgent, got, tt.want)
			}
			for range 2 { // the second time from the classifier's memory
				if got := cached.Classify(tt.method, tt.userAgent); got != tt.want {
					t.Errorf("Classifier.Classify(%s, %q) = %s, want %s", tt.method, tt.userAgent, got, tt.want)
				}
			}
		})
	}
}

// TestCrawlerdetect pins down what github.com/x-way/crawlerdetect flags and
// what it lets through, which is why classifyAgent checks the preview
// fetchers before it and looksLikeBrowser after it. If an upgrade makes
// the library flag a "misses" user agent, looksLikeBrowser may be able to
// go; if it stops flagging a "catches" one, the table above will say what
// the portal would now miscount.
func TestCrawlerdetect(t *testing.T) {
	catches := []string{
		// Scripts and tools: the library catches them, so looksLikeBrowser
		// is not what keeps them out.
		"curl/8.5.0", "python-requests/2.31.0", "Go-http-client/1.1", "Wget/1.21.4",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
		// Preview fetchers: the library flags them as crawlers, which is
		// why the preview list comes first.
		"LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
		"Twitterbot/1.0", "WhatsApp/2.23.20.0 A", "TelegramBot (like TwitterBot)",
		"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
		"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
	}
	misses := []string{
		"", "-", "portal-tester", "Mozilla/5.0",
		"Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP2A.240705.005)",
		"Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", // a preview fetcher all the same
	}
	for _, ua := range catches {
		if !crawlerdetect.IsCrawler(ua) {
			t.Errorf("crawlerdetect.IsCrawler(%q) = false, want true", ua)
		}
	}
	for _, ua := range misses {
		if crawlerdetect.IsCrawler(ua) {
			t.Errorf("crawlerdetect.IsCrawler(%q) = true; the library now catches it, so the rule for it may go", ua)
		}
	}
}

// TestClassifierConcurrent runs classifications from many goroutines, for
// the race detector: the Classifier's memory and crawlerdetect's shared
// default detector are both used concurrently by the redirect handler.
func TestClassifierConcurrent(t *testing.T) {
	var c Classifier
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				tt := classifyTests[(g+i)%len(classifyTests)]
				if got := c.Classify(tt.method, tt.userAgent); got != tt.want {
					t.Errorf("Classifier.Classify(%s, %q) = %s, want %s", tt.method, tt.userAgent, got, tt.want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestClassifierSkipsLongAgents(t *testing.T) {
	var c Classifier
	long := "Mozilla/5.0 (X11; Linux x86_64) " + strings.Repeat("x", maxBrowserAgent)
	if got := c.Classify("GET", long); got != Bot {
		t.Errorf("Classify of a %d-byte user agent = %s, want %s", len(long), got, Bot)
	}
	if n := len(c.recent) + len(c.older); n != 0 {
		t.Errorf("classifier remembers %d user agents after a long one, want 0", n)
	}
}

func TestClassifierForgetsWhenFull(t *testing.T) {
	var c Classifier
	const popular = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	for i := range 3*maxCachedAgents + 10 {
		c.Classify("GET", "agent "+strconv.Itoa(i))
		if i%100 == 0 {
			c.Classify("GET", popular) // seen now and then among many one-off user agents
		}
		if n := len(c.recent) + len(c.older); n > maxCachedAgents {
			t.Fatalf("classifier remembers %d user agents, want at most %d", n, maxCachedAgents)
		}
	}
	_, inRecent := c.recent[popular]
	_, inOlder := c.older[popular]
	if !inRecent && !inOlder {
		t.Error("a user agent seen every 100 requests was forgotten")
	}
	if _, ok := c.older["agent 0"]; ok {
		t.Error("a user agent seen once, thousands of requests ago, is still remembered")
	}
}

// benchAgents are a handful of real user agents in about the mix a shared
// link sees: mostly people, some previews, some bots.
var benchAgents = []string{
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.30.1424",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
	"LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
	"curl/8.5.0",
}

// BenchmarkClassifyAgent measures classification without the cache: what
// each user agent costs the first time a Classifier sees it.
func BenchmarkClassifyAgent(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		classifyAgent(benchAgents[i%len(benchAgents)])
		i++
	}
}

// BenchmarkClassifierCached measures the redirect's usual path: a user
// agent the Classifier has seen. It must not allocate.
func BenchmarkClassifierCached(b *testing.B) {
	var c Classifier
	for _, ua := range benchAgents {
		c.Classify("GET", ua)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Classify("GET", benchAgents[i%len(benchAgents)])
		i++
	}
}

// BenchmarkClassifierCachedParallel is the cached path under concurrent
// requests, as the redirect handler runs it.
func BenchmarkClassifierCachedParallel(b *testing.B) {
	var c Classifier
	for _, ua := range benchAgents {
		c.Classify("GET", ua)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			c.Classify("GET", benchAgents[i%len(benchAgents)])
			i++
		}
	})
}

func TestClassifierCachedDoesNotAllocate(t *testing.T) {
	var c Classifier
	for _, ua := range benchAgents {
		c.Classify("GET", ua)
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, ua := range benchAgents {
			c.Classify("GET", ua)
		}
	})
	if allocs != 0 {
		t.Errorf("cached Classify allocates %.1f times per run, want 0", allocs)
	}
}
