package handlers

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
)

// feedToken makes persona's feed addresses through the page and returns
// the token in them.
func (env *testEnv) feedToken(t *testing.T, persona string) string {
	t.Helper()
	resp := env.do(t, persona, "POST", "/sources/feed-token", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("make feed token: %d", resp.StatusCode)
	}
	doc := mustDoc(t, resp)
	atom := attr(t, doc.Find(`[data-testid="feed-atom"]`), "value")
	ics := attr(t, doc.Find(`[data-testid="feed-ics"]`), "value")
	u, err := url.Parse(atom)
	if err != nil || u.Path != "/feeds/posts.atom" || !strings.HasSuffix(ics, "/feeds/posts.ics?"+u.RawQuery) {
		t.Fatalf("feed addresses %q and %q", atom, ics)
	}
	return u.Query().Get("token")
}

func TestPostFeeds(t *testing.T) {
	env := newSourcesEnv(t)
	live := env.livePost(t, "Live, with; a comma\\ and a very long title that has to be folded in the calendar feed")
	scheduledAt := env.clock.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	scheduled := env.createPost(t, post.Input{Title: "Scheduled news", URL: "https://example.com/soon",
		Suggestions: []post.Suggestion{{Text: "Soon"}}, Category: string(post.Jobs),
		PublishAt: scheduledAt.Format("2006-01-02T15:04")}, post.Submit, post.Approve)
	draft := env.createPost(t, post.Input{Title: "Just a draft", URL: "https://example.com/draft",
		Suggestions: []post.Suggestion{{Text: "Draft"}}, Category: string(post.Culture)})

	token := env.feedToken(t, "comms")
	if created, err := env.store.FeedTokenCreated(context.Background(), env.users["comms"].ID); err != nil || created.IsZero() {
		t.Fatal("no token stored", err)
	}

	resp := env.do(t, "", "GET", "/feeds/posts.atom?token="+url.QueryEscape(token), nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("atom: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var feed atomFeed
	if err := xml.NewDecoder(resp.Body).Decode(&feed); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, e := range feed.Entries {
		ids[e.ID] = true
	}
	for p, want := range map[int64]bool{live.ID: true, scheduled.ID: true, draft.ID: false} {
		if id := testBaseURL + "/posts/" + strconv.FormatInt(p, 10); ids[id] != want {
			t.Errorf("atom entry %s present %v, want %v", id, ids[id], want)
		}
	}

	resp = env.do(t, "", "GET", "/feeds/posts.ics?token="+url.QueryEscape(token), nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("ics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	ics := string(body)
	if !strings.HasPrefix(ics, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(ics, "END:VCALENDAR\r\n") {
		t.Errorf("calendar not framed by VCALENDAR with CRLF:\n%s", ics)
	}
	for _, want := range []string{
		"UID:post-" + strconv.FormatInt(scheduled.ID, 10) + "@portal.test\r\n",
		"DTSTART:" + scheduledAt.Format("20060102T150405Z") + "\r\n",
		"UID:post-" + strconv.FormatInt(live.ID, 10) + "@portal.test\r\n",
	} {
		if !strings.Contains(ics, want) {
			t.Errorf("calendar lacks %q", want)
		}
	}
	if strings.Contains(ics, "Just a draft") {
		t.Error("the calendar shows a draft")
	}
	if unfolded := strings.ReplaceAll(ics, "\r\n ", ""); !strings.Contains(unfolded, `SUMMARY:Live\, with\; a comma\\ and a very long title`) {
		t.Errorf("summary not escaped:\n%s", unfolded)
	}

	// A new token replaces the old one; wrong tokens and people who are no
	// longer comms get 404.
	newToken := env.feedToken(t, "comms")
	tests := []struct {
		name, token string
		want        int
	}{
		{"no token", "", http.StatusNotFound},
		{"wrong token", "not-a-token", http.StatusNotFound},
		{"replaced token", token, http.StatusNotFound},
		{"new token", newToken, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/feeds/posts.atom", "/feeds/posts.ics"} {
				if resp := env.do(t, "", "GET", path+"?token="+url.QueryEscape(tt.token), nil); resp.StatusCode != tt.want {
					t.Errorf("%s: %d, want %d", path, resp.StatusCode, tt.want)
				}
			}
		})
	}
	employeeToken := auth.NewToken()
	if err := env.store.SetFeedToken(context.Background(), env.users["employee"].ID, auth.HashToken(employeeToken)); err != nil {
		t.Fatal(err)
	}
	if resp := env.do(t, "", "GET", "/feeds/posts.atom?token="+employeeToken, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an employee's token: %d, want 404", resp.StatusCode)
	}
}

func TestFoldLine(t *testing.T) {
	tests := []struct{ name, in string }{
		{"short", "SUMMARY:hello"},
		{"exactly 75", "SUMMARY:" + strings.Repeat("a", 67)},
		{"long ascii", "DESCRIPTION:" + strings.Repeat("abcdefghij", 30)},
		{"long multibyte", "SUMMARY:" + strings.Repeat("é€😀", 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := foldLine(tt.in)
			if !strings.HasSuffix(out, "\r\n") {
				t.Fatalf("no CRLF at the end: %q", out)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
			for i, l := range lines {
				if len(l) > 75 {
					t.Errorf("line %d is %d octets", i, len(l))
				}
				if i > 0 && !strings.HasPrefix(l, " ") {
					t.Errorf("continuation line %d does not start with a space", i)
				}
				if !utf8.ValidString(l) {
					t.Errorf("line %d splits a character", i)
				}
			}
			if got := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""); got != tt.in {
				t.Errorf("unfolded = %q, want %q", got, tt.in)
			}
		})
	}
}

func TestICSText(t *testing.T) {
	if got, want := icsText("a,b;c\\d\ne\r\nf"), `a\,b\;c\\d\ne\nf`; got != want {
		t.Errorf("icsText = %q, want %q", got, want)
	}
}
