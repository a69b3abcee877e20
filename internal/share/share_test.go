package share_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/share"
)

func TestIntentURL(t *testing.T) {
	const (
		link  = "https://go.example/l/abc123"
		text  = "Proud of the team & our launch"
		title = "Big launch"
	)
	tests := []struct {
		network   share.Network
		instance  string
		wantURL   string // exact, when wantBase is empty
		wantBase  string // scheme, host and path
		wantQuery url.Values
	}{
		{
			network:   share.LinkedIn,
			wantBase:  "https://www.linkedin.com/sharing/share-offsite/",
			wantQuery: url.Values{"url": {link}},
		},
		{
			network:   share.X,
			wantBase:  "https://x.com/intent/post",
			wantQuery: url.Values{"url": {link}, "text": {text}},
		},
		{
			network:   share.Facebook,
			wantBase:  "https://www.facebook.com/sharer/sharer.php",
			wantQuery: url.Values{"u": {link}}, // no text, even when given
		},
		{
			network:   share.Xing,
			wantBase:  "https://www.xing.com/spi/shares/new",
			wantQuery: url.Values{"url": {link}},
		},
		{
			network:   share.Bluesky,
			wantBase:  "https://bsky.app/intent/compose",
			wantQuery: url.Values{"text": {text + " " + link}},
		},
		{
			network:   share.Mastodon,
			instance:  "fosstodon.org",
			wantBase:  "https://fosstodon.org/share",
			wantQuery: url.Values{"text": {text + " " + link}},
		},
		{
			network:   share.WhatsApp,
			wantBase:  "https://wa.me/",
			wantQuery: url.Values{"text": {text + " " + link}},
		},
		{
			network: share.Copy,
			wantURL: "",
		},
	}
	for _, tt := range tests {
		t.Run(string(tt.network), func(t *testing.T) {
			got := share.IntentURL(tt.network, link, text, title, tt.instance)
			if tt.wantBase == "" {
				if got != tt.wantURL {
					t.Errorf("IntentURL = %q, want %q", got, tt.wantURL)
				}
				return
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("IntentURL = %q, not a URL: %v", got, err)
			}
			if base := u.Scheme + "://" + u.Host + u.Path; base != tt.wantBase {
				t.Errorf("IntentURL base = %q, want %q (%s)", base, tt.wantBase, got)
			}
			if q := u.Query(); q.Encode() != tt.wantQuery.Encode() {
				t.Errorf("IntentURL query = %v, want %v (%s)", q, tt.wantQuery, got)
			}
		})
	}
}

// mailtoFields decodes a mailto URL's header fields the way a mail client
// does (RFC 6068): fields split on &, values percent-decoded, + kept as is.
func mailtoFields(t *testing.T, mailto string) map[string]string {
	t.Helper()
	query, ok := strings.CutPrefix(mailto, "mailto:?")
	if !ok {
		t.Fatalf("%q does not start with mailto:?", mailto)
	}
	fields := map[string]string{}
	for _, f := range strings.Split(query, "&") {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("field %q of %q has no value", f, mailto)
		}
		dv, err := url.PathUnescape(v)
		if err != nil {
			t.Fatalf("field %q of %q: %v", f, mailto, err)
		}
		fields[k] = dv
	}
	return fields
}

func TestIntentURLEmail(t *testing.T) {
	const link = "https://go.example/l/abc123?x=1"
	tests := []struct {
		name        string
		text, title string
		wantSubject string
		wantBody    string
	}{
		{"spaces", "Proud of the team", "Big launch", "Big launch", "Proud of the team " + link},
		{"plus sign", "C++ 2.0 is out", "1+1", "1+1", "C++ 2.0 is out " + link},
		{"no text", "", "Big launch", "Big launch", link},
		{"ampersand in text", "Research & development", "R&D news", "R&D news", "Research & development " + link},
		{"equals and question mark", "a=b? yes", "Why?", "Why?", "a=b? yes " + link},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := share.IntentURL(share.Email, link, tt.text, tt.title, "")
			if strings.Contains(got, " ") {
				t.Errorf("IntentURL(Email) = %q contains a raw space", got)
			}
			if strings.Contains(tt.text+tt.title, " ") && !strings.Contains(got, "%20") {
				t.Errorf("IntentURL(Email) = %q, want spaces as %%20", got)
			}
			fields := mailtoFields(t, got)
			want := map[string]string{"subject": tt.wantSubject, "body": tt.wantBody}
			if len(fields) != len(want) || fields["subject"] != want["subject"] || fields["body"] != want["body"] {
				t.Errorf("IntentURL(Email) = %q\ndecodes to %q\nwant         %q", got, fields, want)
			}
		})
	}
}

func TestIntentURLWithoutText(t *testing.T) {
	const link = "https://go.example/l/abc"
	tests := []struct {
		network   share.Network
		wantQuery url.Values
	}{
		{share.X, url.Values{"url": {link}}},
		{share.Bluesky, url.Values{"text": {link}}},
		{share.WhatsApp, url.Values{"text": {link}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.network), func(t *testing.T) {
			u, err := url.Parse(share.IntentURL(tt.network, link, "", "T", ""))
			if err != nil {
				t.Fatal(err)
			}
			if u.Query().Encode() != tt.wantQuery.Encode() {
				t.Errorf("query = %v, want %v", u.Query(), tt.wantQuery)
			}
		})
	}
}

func TestPrefills(t *testing.T) {
	for _, n := range share.Networks {
		if want := n != share.Facebook; n.Prefills() != want {
			t.Errorf("%s.Prefills() = %v, want %v", n, n.Prefills(), want)
		}
	}
}

func TestPoints(t *testing.T) {
	for _, n := range share.Networks {
		want := int64(1)
		if n == share.Facebook {
			want = 0
		}
		if got := n.Points(); got != want {
			t.Errorf("%s.Points() = %d, want %d", n, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in     string
		want   share.Network
		wantOK bool
	}{
		{"linkedin", share.LinkedIn, true},
		{"mastodon", share.Mastodon, true},
		{"copy", share.Copy, true},
		{"LinkedIn", "", false},
		{"myspace", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := share.Parse(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Parse(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestTarget(t *testing.T) {
	tests := []struct {
		name      string
		postURL   string
		network   share.Network
		campaign  string
		wantBase  string
		wantQuery url.Values
	}{
		{
			name:     "no query",
			postURL:  "https://example.com/news/launch",
			network:  share.LinkedIn,
			campaign: "spring-launch",
			wantBase: "https://example.com/news/launch",
			wantQuery: url.Values{"utm_source": {"linkedin"}, "utm_medium": {"employee_advocacy"},
				"utm_campaign": {"spring-launch"}},
		},
		{
			name:     "existing params kept, utm replaced",
			postURL:  "https://example.com/news?id=7&lang=de&utm_source=newsletter&utm_medium=email&utm_campaign=old&utm_content=hero",
			network:  share.Mastodon,
			campaign: "q4",
			wantBase: "https://example.com/news",
			wantQuery: url.Values{"id": {"7"}, "lang": {"de"}, "utm_source": {"mastodon"},
				"utm_medium": {"employee_advocacy"}, "utm_campaign": {"q4"}, "utm_content": {"hero"}},
		},
		{
			name:     "repeated utm_source collapses to ours",
			postURL:  "https://example.com/?utm_source=a&utm_source=b",
			network:  share.X,
			campaign: "c",
			wantBase: "https://example.com/",
			wantQuery: url.Values{"utm_source": {"x"}, "utm_medium": {"employee_advocacy"},
				"utm_campaign": {"c"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := share.Target(tt.postURL, tt.network, tt.campaign)
			if err != nil {
				t.Fatalf("Target: %v", err)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("Target = %q, not a URL: %v", got, err)
			}
			if base := u.Scheme + "://" + u.Host + u.Path; base != tt.wantBase {
				t.Errorf("Target base = %q, want %q", base, tt.wantBase)
			}
			if u.Query().Encode() != tt.wantQuery.Encode() {
				t.Errorf("Target query = %v, want %v", u.Query(), tt.wantQuery)
			}
		})
	}
}

func TestTargetBadURL(t *testing.T) {
	if got, err := share.Target("https://exa mple.com/%zz", share.X, "c"); err == nil {
		t.Errorf("Target(bad url) = %q, nil; want an error", got)
	}
}

func TestParseInstance(t *testing.T) {
	tests := []struct {
		in       string
		wantHost string
		wantOK   bool
	}{
		{"mastodon.social", "mastodon.social", true},
		{"https://fosstodon.org/", "fosstodon.org", true},
		{"http://fosstodon.org/about", "fosstodon.org", true},
		{"@me@hachyderm.io", "hachyderm.io", true},
		{"me@hachyderm.io", "hachyderm.io", true},
		{"  Mastodon.Social ", "mastodon.social", true},
		{"", "", false},
		{"   ", "", false},
		{"not a host", "", false},
		{"javascript:alert(1)", "", false},
		{"localhost", "", false},
		{"evil.com?x=.example", "", false},
		{"-bad.example", "", false},
		{"mastodon.social:8443", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			host, ok := share.ParseInstance(tt.in)
			if host != tt.wantHost || ok != tt.wantOK {
				t.Errorf("ParseInstance(%q) = %q, %v; want %q, %v", tt.in, host, ok, tt.wantHost, tt.wantOK)
			}
		})
	}
}

const codeAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := share.NewCode()
		if len(c) != 10 {
			t.Fatalf("NewCode() = %q, want 10 characters", c)
		}
		for _, r := range c {
			if !strings.ContainsRune(codeAlphabet, r) {
				t.Fatalf("NewCode() = %q has %q, outside the alphabet", c, r)
			}
		}
		if strings.ContainsAny(c, "lIO01") {
			t.Fatalf("NewCode() = %q has a look-alike character", c)
		}
		if seen[c] {
			t.Fatalf("NewCode() returned %q twice in 1000 codes", c)
		}
		seen[c] = true
	}
}

func TestLabel(t *testing.T) {
	for _, n := range share.Networks {
		if n.Label() == "" || n.Label() == string(n) {
			t.Errorf("%q has no label", n)
		}
	}
}
