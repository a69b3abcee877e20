package check_test

import (
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/check"
)

func TestXLength(t *testing.T) {
	// Cases marked (conformance) come from twitter-text's validate.yml,
	// WeightedTweetsWithDiscountedEmojiCounterTest (the v3 configuration).
	tests := []struct {
		name string
		text string
		want int
	}{
		{name: "empty", text: "", want: 0},
		{name: "280 ASCII", text: strings.Repeat("a", 280), want: 280},
		{name: "281 ASCII", text: strings.Repeat("a", 281), want: 281},
		{name: "text and url (conformance)", text: "Hi http://test.co", want: 26},
		{name: "just url (conformance)", text: "http://test.co", want: 23},
		{name: "300-character url counts 23", text: "https://example.com/" + strings.Repeat("a", 280), want: 23},
		{name: "url in the middle (conformance)", text: "285 chars- http://www.twitter.com/jack " + strings.Repeat("xxxxxxxxxx-", 24), want: 299},
		{name: "10 urls (conformance)", text: strings.Repeat("https://www.twitter.com/aloha ", 10), want: 240},
		{name: "url with query and trailing full stop", text: "See https://example.com/a?b=c.", want: 4 + 23 + 1},
		{name: "url in parentheses", text: "(https://example.com/a)", want: 1 + 23 + 1},
		{name: "bare gTLD domain", text: "example.com", want: 23},
		{name: "bare ccTLD domain with subdomain", text: "www.example.de", want: 23},
		{name: "bare ccTLD domain with path", text: "example.de/jobs", want: 23},
		{name: "bare two-label ccTLD domain is not a link", text: "example.de", want: 10},
		{name: "t.co", text: "t.co", want: 23},
		{name: "email address is not a link", text: "me@example.com", want: 14},
		{name: "scheme without a dotted host is not a link", text: "http://otters", want: 13},
		{name: "64-character domain label is not a link (conformance)", text: strings.Repeat("randomurl", 7) + "s.com", want: 68},
		{name: "ipv4 url", text: "http://192.168.0.1/index.html?src=asdf", want: 23},
		{name: "CJK counts double", text: "故人西辞", want: 8},
		{name: "3 latin + CJK", text: "the故人", want: 7},
		{name: "Hangul counts double", text: "트위터", want: 6},
		{name: "Cyrillic and Hebrew count single", text: "ашок שלום", want: 9},
		{name: "decomposed accent is normalised (conformance)", text: "A\u0301B", want: 2},
		{name: "presentation form normalised to 3 code points (conformance)", text: "A\uFB2C", want: 4},
		{name: "emoji in the BMP and beyond (conformance)", text: "😷👾😡🔥💩", want: 10},
		{name: "skin tone and ZWJ sequences count 2 (conformance)", text: "🙋🏽👨\u200d🎤", want: 4},
		{name: "family and smiley (conformance)", text: "H🐱☺👨\u200d👩\u200d👧\u200d👦", want: 7},
		{name: "flag", text: "🇩🇪", want: 2},
		{name: "keycap", text: "1\ufe0f\u20e3", want: 2},
		{name: "heart with presentation selector", text: "❤\ufe0f", want: 2},
		{name: "general punctuation counts single", text: "\u2014\u201c\u201d\u2026", want: 4 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check.XLength(tt.text); got != tt.want {
				t.Errorf("XLength(%q) = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
}

func TestLength(t *testing.T) {
	tests := []struct {
		name    string
		network string
		text    string
		want    int
	}{
		{name: "x adds space and link", network: check.X, text: strings.Repeat("a", 256), want: 280},
		{name: "x one over", network: check.X, text: strings.Repeat("a", 257), want: 281},
		{name: "x empty text is the link alone", network: check.X, text: "", want: 23},
		{name: "x leading space is trimmed", network: check.X, text: "  hi", want: 2 + 1 + 23},
		{name: "x url in text counts 23", network: check.X, text: "https://example.com/" + strings.Repeat("a", 200), want: 23 + 1 + 23},
		{name: "bluesky counts graphemes", network: check.Bluesky, text: "e\u0301👨\u200d👩\u200d👧\u200d👦🇩🇪", want: 3 + 1 + 23},
		{name: "bluesky at the limit", network: check.Bluesky, text: strings.Repeat("ü", 276), want: 300},
		{name: "bluesky CJK counts single", network: check.Bluesky, text: "故人", want: 2 + 1 + 23},
		{name: "mastodon url counts 23", network: check.Mastodon, text: "Read https://example.com/" + strings.Repeat("a", 100), want: 5 + 23 + 1 + 23},
		{name: "mastodon remote mention counts the user", network: check.Mastodon, text: "@alice@example.social hi", want: 9 + 1 + 23},
		{name: "mastodon bare domain counts as written", network: check.Mastodon, text: "example.com", want: 11 + 1 + 23},
		{name: "linkedin counts UTF-16 without a link", network: check.LinkedIn, text: "hi 😀", want: 5},
		{name: "xing counts UTF-16 without a link", network: check.Xing, text: strings.Repeat("a", 420), want: 420},
		{name: "whatsapp adds the link", network: check.WhatsApp, text: "hi", want: 2 + 1 + 23},
		{name: "email has no link counted", network: check.Email, text: "hi there", want: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check.Length(tt.network, tt.text); got != tt.want {
				t.Errorf("Length(%q, %q) = %d, want %d", tt.network, tt.text, got, tt.want)
			}
		})
	}
}

func TestLimit(t *testing.T) {
	tests := []struct {
		network string
		want    int
		wantOK  bool
	}{
		{network: check.X, want: 280, wantOK: true},
		{network: check.Bluesky, want: 300, wantOK: true},
		{network: check.Mastodon, want: 500, wantOK: true},
		{network: check.LinkedIn, want: 3000, wantOK: true},
		{network: check.Xing, want: 420, wantOK: true},
		{network: check.WhatsApp, want: 65536, wantOK: true},
		{network: check.Facebook},
		{network: check.Email},
		{network: check.Copy},
		{network: check.Any},
		{network: "myspace"},
	}
	for _, tt := range tests {
		t.Run(tt.network, func(t *testing.T) {
			got, ok := check.Limit(tt.network)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Limit(%q) = %d, %v; want %d, %v", tt.network, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
