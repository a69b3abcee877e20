package reach

import "testing"

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

func TestClassifierForgetsWhenFull(t *testing.T) {
	var c Classifier
	for i := range maxCachedAgents + 10 {
		c.Classify("GET", "agent "+string(rune('a'+i%26))+string(rune(i)))
	}
	if n := len(c.kinds); n > maxCachedAgents {
		t.Errorf("classifier remembers %d user agents, want at most %d", n, maxCachedAgents)
	}
}

func BenchmarkClassifier(b *testing.B) {
	var c Classifier
	ua := classifyTests[0].userAgent
	b.ReportAllocs()
	for b.Loop() {
		c.Classify("GET", ua)
	}
}
