package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/store"
)

// contentRoleTable says who may use the routes of contentRoutes.
var contentRoleTable = []roleEntry{
	{"GET", "/images/:id", "/images/1", signedIn},
	{"GET", "/review", "/review", commsOnly},
	{"GET", "/calendar", "/calendar", commsOnly},
	{"GET", "/campaigns", "/campaigns", commsOnly},
	{"POST", "/campaigns", "/campaigns", commsOnly},
	{"GET", "/suggest", "/suggest", signedIn},
	{"POST", "/suggest", "/suggest", signedIn},
	{"GET", "/my/shares", "/my/shares", signedIn},
	{"POST", "/my/shares/:id/confirm", "/my/shares/1/confirm", signedIn},
}

// testImage encodes a w × h picture in format ("png", "jpeg" or "gif").
func testImage(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{R: 200, G: 40, B: 90, A: 255})
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, nil)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartBody is a form with the given fields and, unless filename is
// empty, a file in the "image" field.
func multipartBody(t *testing.T, fields url.Values, filename string, data []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if filename != "" {
		part, err := w.CreateFormFile("image", filename)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

// imageTestApp serves uploadedImage at POST /upload, saving what it accepts as the image of a new
// draft by comms (it answers the image's id, or 422 and the problem) and serveImage at GET /images/:id
// (as comms, who see every post image), without the portal's sessions, so
// the upload rules are tested alone.
func imageTestApp(env *testEnv) *fiber.App {
	s := &server{Deps: Deps{Store: env.store, Guidelines: env.g, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: env.clock.Now, Images: post.NewImages(env.store, env.clock.Now)}}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError, BodyLimit: 4 << 20})
	app.Post("/upload", func(c *fiber.Ctx) error {
		c.Locals(sessionKey, &auth.Session{User: env.users["comms"]})
		img, problem, err := s.uploadedImage(c, "image")
		if err != nil {
			return err
		}
		if problem != "" {
			return c.Status(fiber.StatusUnprocessableEntity).SendString(problem)
		}
		var id int64
		if img != nil {
			if id, err = savePostImage(ctx(c), env, *img); err != nil {
				return err
			}
		}
		return c.SendString(strconv.FormatInt(id, 10))
	})
	app.Get("/images/:id", func(c *fiber.Ctx) error {
		c.Locals(sessionKey, &auth.Session{User: env.users["comms"]})
		return s.serveImage(c)
	})
	return app
}

// savePostImage stores img as the image of a new draft by comms and
// returns the image's id.
func savePostImage(ctx context.Context, env *testEnv, img store.Image) (int64, error) {
	f := post.Fields{Title: "With an image", URL: "https://example.com/image", Category: post.Culture, Language: "en"}
	p, err := env.posts().Create(ctx, post.Creation{Fields: f, AuthorID: env.users["comms"].ID,
		Image: &post.Upload{ContentType: img.ContentType, Data: img.Data, Width: img.Width, Height: img.Height}})
	if err != nil {
		return 0, err
	}
	if p.ImageID == 0 {
		return 0, fmt.Errorf("draft %d was stored without its image", p.ID)
	}
	return p.ImageID, nil
}

func testRequest(t *testing.T, app *fiber.App, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestImageUpload(t *testing.T) {
	env := newTestEnv(t)
	app := imageTestApp(env)
	webp := append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 40)...)
	tests := []struct {
		name        string
		filename    string // "" sends no file
		data        []byte
		urlencoded  bool // not a multipart form at all
		wantStored  bool
		wantType    string
		wantW       int
		wantH       int
		wantProblem string
	}{
		{name: "png", filename: "team.png", data: testImage(t, "png", 3, 2), wantStored: true, wantType: "image/png", wantW: 3, wantH: 2},
		{name: "jpeg named .png", filename: "photo.png", data: testImage(t, "jpeg", 16, 8), wantStored: true, wantType: "image/jpeg", wantW: 16, wantH: 8},
		{name: "gif", filename: "anim.gif", data: testImage(t, "gif", 5, 5), wantStored: true, wantType: "image/gif", wantW: 5, wantH: 5},
		{name: "no file", filename: ""},
		{name: "empty file", filename: "empty.png", data: nil},
		{name: "not multipart", urlencoded: true},
		{name: "text named .png", filename: "notes.png", data: []byte("just some text, honestly"), wantProblem: "not a PNG, JPEG or GIF"},
		{name: "html named .jpg", filename: "x.jpg", data: []byte("<html><script>alert(1)</script></html>"), wantProblem: "not a PNG, JPEG or GIF"},
		{name: "jpeg magic, no image", filename: "fake.jpg", data: append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{0}, 64)...), wantProblem: "not a PNG, JPEG or GIF"},
		{name: "png magic, broken header", filename: "fake.png", data: append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 64)...), wantProblem: "not a PNG, JPEG or GIF"},
		{name: "webp", filename: "x.webp", data: webp, wantProblem: "WebP"},
		{name: "svg", filename: "logo.svg", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), wantProblem: "not a PNG, JPEG or GIF"},
		{name: "over 2 MB", filename: "big.png", data: append(testImage(t, "png", 2, 2), make([]byte, 2<<20)...), wantProblem: "the limit is 2 MB"},
		{name: "too wide", filename: "wide.png", data: testImage(t, "png", 8001, 1), wantProblem: "8001 × 1 pixels"},
		{name: "too tall", filename: "tall.gif", data: testImage(t, "gif", 1, 8001), wantProblem: "the limit is 8000 pixels"},
	}
	stored := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req *http.Request
			if tt.urlencoded {
				req = httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader("title=x"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				body, ct := multipartBody(t, url.Values{"title": {"x"}}, tt.filename, tt.data)
				req = httptest.NewRequest(http.MethodPost, "/upload", body)
				req.Header.Set("Content-Type", ct)
			}
			resp, body := testRequest(t, app, req)
			if tt.wantProblem != "" {
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tt.wantProblem) {
					t.Fatalf("got %d %q, want 422 saying %q", resp.StatusCode, body, tt.wantProblem)
				}
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d %q, want 200", resp.StatusCode, body)
			}
			id, err := strconv.ParseInt(body, 10, 64)
			if err != nil {
				t.Fatalf("answer %q is not an image id: %v", body, err)
			}
			if !tt.wantStored {
				if id != 0 {
					t.Fatalf("id = %d, want 0 (no image)", id)
				}
				return
			}
			stored++
			if id != int64(stored) {
				t.Fatalf("id = %d, want %d: a refused upload was stored", id, stored)
			}
			img, err := env.store.Image(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if img.ContentType != tt.wantType || img.Width != tt.wantW || img.Height != tt.wantH ||
				!bytes.Equal(img.Data, tt.data) || img.CreatedBy != env.users["comms"].ID {
				t.Errorf("stored %s %d×%d by %d, want %s %d×%d by comms", img.ContentType, img.Width, img.Height,
					img.CreatedBy, tt.wantType, tt.wantW, tt.wantH)
			}

			resp, got := testRequest(t, app, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/images/%d", id), nil))
			sum := sha256.Sum256(tt.data)
			etag := `"` + hex.EncodeToString(sum[:]) + `"`
			if resp.StatusCode != http.StatusOK || got != string(tt.data) {
				t.Fatalf("GET image: %d, %d bytes; want 200 and the upload", resp.StatusCode, len(got))
			}
			for header, want := range map[string]string{
				"Content-Type":           tt.wantType,
				"Content-Length":         strconv.Itoa(len(tt.data)),
				"Cache-Control":          "private, max-age=86400",
				"X-Content-Type-Options": "nosniff",
				"ETag":                   etag,
			} {
				if v := resp.Header.Get(header); v != want {
					t.Errorf("%s = %q, want %q", header, v, want)
				}
			}
			req = httptest.NewRequest(http.MethodGet, fmt.Sprintf("/images/%d", id), nil)
			req.Header.Set("If-None-Match", etag)
			if resp, body := testRequest(t, app, req); resp.StatusCode != http.StatusNotModified {
				t.Errorf("GET with If-None-Match: %d %q, want 304", resp.StatusCode, body)
			}
		})
	}
	if _, err := env.store.Image(context.Background(), int64(stored+1)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("image %d exists (%v): a refused upload was stored", stored+1, err)
	}
	for _, path := range []string{"/images/999", "/images/abc", "/images/-1"} {
		if resp, body := testRequest(t, app, httptest.NewRequest(http.MethodGet, path, nil)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d %q, want 404", path, resp.StatusCode, body)
		}
	}
}

// TestImagesThroughThePortal checks the real route: comms see any post
// image; an image of no post (one replaced, or stored before refused forms
// stored nothing) is not an employee's to see; an unknown one is 404.
// TestImagesFollowThePost covers the images of posts in every phase.
func TestImagesThroughThePortal(t *testing.T) {
	env := newTestEnv(t)
	data := testImage(t, "png", 4, 4)
	// An image a draft had until it was edited away.
	ctx := context.Background()
	id, err := savePostImage(ctx, env, store.Image{ContentType: "image/png", Data: data, Width: 4, Height: 4})
	if err != nil {
		t.Fatal(err)
	}
	drafts, err := env.store.Posts(ctx, post.Filter{})
	if err != nil || len(drafts) != 1 || drafts[0].ImageID != id {
		t.Fatalf("posts = %+v, %v; want the draft with image %d", drafts, err, id)
	}
	f := drafts[0].AsFields()
	f.ImageID = 0
	if _, err := env.posts().Update(ctx, post.Edit{PostID: drafts[0].ID, Fields: f, Image: post.ImageEdit{Remove: true},
		ActorID: env.users["comms"].ID}); err != nil {
		t.Fatal(err)
	}
	resp := env.do(t, "comms", http.MethodGet, fmt.Sprintf("/images/%d", id), nil)
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(body, data) {
		t.Errorf("GET image as comms: %d %s, %d bytes; want 200 image/png and the image", resp.StatusCode,
			resp.Header.Get("Content-Type"), len(body))
	}
	if resp := env.do(t, "employee", http.MethodGet, fmt.Sprintf("/images/%d", id), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET an image of no post as employee: %d, want 404", resp.StatusCode)
	}
	if resp := env.do(t, "comms", http.MethodGet, fmt.Sprintf("/images/%d", id+1), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET unknown image: %d, want 404", resp.StatusCode)
	}
}

// contentPost stores a post by comms, validated as if typed at typedAt,
// and takes it through actions (approval by comms2).
func (env *testEnv) contentPost(t *testing.T, in post.Input, typedAt time.Time, actions ...post.Action) post.Post {
	t.Helper()
	ctx := context.Background()
	if in.URL == "" {
		in.URL = "https://example.com/" + post.Slugify(in.Title)
	}
	if in.Category == "" {
		in.Category = string(post.CompanyNews)
	}
	f, errs := in.Validate(typedAt)
	if errs != nil {
		t.Fatalf("invalid post %q: %v", in.Title, errs)
	}
	p, err := env.posts().Create(ctx, post.Creation{Fields: f, AuthorID: env.users["comms"].ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range actions {
		actor := env.users["comms"].ID
		if a == post.Approve {
			actor = env.users["comms2"].ID
		}
		if p, err = env.posts().Transition(ctx, post.Step{PostID: p.ID, Action: a, ActorID: actor}); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// setClock moves the test clock to at and signs everyone in again, so
// sessions are valid at the new time.
func (env *testEnv) setClock(t *testing.T, at time.Time) {
	t.Helper()
	env.clock.Set(at)
	for _, p := range personas {
		env.newSession(t, p)
	}
}

func testids(sel *goquery.Selection) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-testid", "")) })
	return out
}

func TestReviewQueue(t *testing.T) {
	env := newTestEnv(t)
	t0 := time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)
	env.setClock(t, t0)
	a := env.contentPost(t, post.Input{Title: "Written first, sent second"}, t0)
	env.contentPost(t, post.Input{Title: "A draft nobody sent"}, t0)
	env.clock.Advance(10 * time.Minute)
	if resp := env.do(t, "employee", http.MethodPost, "/suggest", url.Values{"url": {"https://news.example.org/ai-report"},
		"title": {"An employee's find"}, "category": {string(post.Culture)}, "note": {"Our lab is quoted"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("suggest: %d, want 303", resp.StatusCode)
	}
	env.clock.Advance(50 * time.Minute)
	if _, err := env.posts().Transition(context.Background(), post.Step{PostID: a.ID, Action: post.Submit, ActorID: env.users["comms"].ID}); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(time.Hour)
	b := env.contentPost(t, post.Input{Title: "Sent last"}, env.clock.Now(), post.Submit)
	env.contentPost(t, post.Input{Title: "Already approved"}, env.clock.Now(), post.Submit, post.Approve)
	env.clock.Advance(3 * time.Hour) // now t0 + 5h

	resp := env.do(t, "comms", http.MethodGet, "/review", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /review: %d", resp.StatusCode)
	}
	doc := mustDoc(t, resp)
	drafts, err := env.store.Posts(context.Background(), post.Filter{Query: "An employee's find"})
	if err != nil || len(drafts) != 1 {
		t.Fatalf("suggested post: %v, %d found", err, len(drafts))
	}
	s := drafts[0]
	rows := doc.Find(`[data-testid="review-queue"] tbody tr`)
	want := []string{fmt.Sprintf("review-row-%d", s.ID), fmt.Sprintf("review-row-%d", a.ID), fmt.Sprintf("review-row-%d", b.ID)}
	if got := testids(rows); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("queue = %v, want %v (suggestion, then a by submission time, then b)", got, want)
	}
	tests := []struct {
		id                                int64
		wantKind, wantAuthor, wantWaiting string
		wantCategory                      string
	}{
		{s.ID, "Suggestion", "Suggested by Test employee", "4 hours", "Culture"},
		{a.ID, "In review", "Test comms", "4 hours", "Company news"},
		{b.ID, "In review", "Test comms", "3 hours", "Company news"},
	}
	for _, tt := range tests {
		row := doc.Find(fmt.Sprintf(`[data-testid="review-row-%d"]`, tt.id))
		if got := strings.TrimSpace(row.Find(`[data-testid="review-kind"]`).Text()); got != tt.wantKind {
			t.Errorf("post %d kind = %q, want %q", tt.id, got, tt.wantKind)
		}
		if got := strings.Join(strings.Fields(row.Find(`[data-testid="review-author"]`).Text()), " "); got != tt.wantAuthor {
			t.Errorf("post %d from = %q, want %q", tt.id, got, tt.wantAuthor)
		}
		if got := row.Find(`[data-testid="review-waiting"]`).Text(); got != tt.wantWaiting {
			t.Errorf("post %d waiting = %q, want %q", tt.id, got, tt.wantWaiting)
		}
		if !strings.Contains(row.Text(), tt.wantCategory) {
			t.Errorf("post %d row %q does not show category %q", tt.id, row.Text(), tt.wantCategory)
		}
		if href := row.Find(`[data-testid="review-link"]`).AttrOr("href", ""); href != fmt.Sprintf("/posts/%d", tt.id) {
			t.Errorf("post %d links to %q", tt.id, href)
		}
	}
	if note := doc.Find(fmt.Sprintf(`[data-testid="review-row-%d"] [data-testid="review-note"]`, s.ID)).Text(); !strings.Contains(note, "Our lab is quoted") {
		t.Errorf("suggestion note = %q, want the employee's note", note)
	}
}

func TestReviewQueueEmpty(t *testing.T) {
	env := newTestEnv(t)
	doc := mustDoc(t, env.do(t, "admin", http.MethodGet, "/review", nil))
	if !has(doc, "review-empty") {
		t.Error("empty queue does not say so")
	}
}

func TestCalendar(t *testing.T) {
	env := newTestEnv(t)
	nov1 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	env.setClock(t, nov1)
	expired := env.contentPost(t, post.Input{Title: "Expired", PublishAt: "2026-11-10T09:00", ExpiresAt: "2026-11-12T09:00"}, nov1,
		post.Submit, post.Approve)
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC) // a Wednesday
	env.setClock(t, now)
	live := env.contentPost(t, post.Input{Title: "Live since the 3rd", PublishAt: "2026-11-03T08:00", Category: string(post.Culture)}, now,
		post.Submit, post.Approve)
	soon := env.contentPost(t, post.Input{Title: "Friday news", PublishAt: "2026-11-20T09:30"}, now, post.Submit, post.Approve)
	later := env.contentPost(t, post.Input{Title: "Week 48 news", PublishAt: "2026-11-25T14:30"}, now, post.Submit, post.Approve)
	december := env.contentPost(t, post.Input{Title: "December jobs", PublishAt: "2026-12-02T07:00", Category: string(post.Jobs)}, now,
		post.Submit, post.Approve)
	inReview := env.contentPost(t, post.Input{Title: "Still in review", PublishAt: "2026-11-25T10:00"}, now, post.Submit)
	draft := env.contentPost(t, post.Input{Title: "A draft", PublishAt: "2026-11-26T10:00"}, now)

	type chip struct {
		day   string
		id    int64
		phase post.Phase
		time  string
	}
	tests := []struct {
		name      string
		path      string
		wantTitle string
		wantChips []chip
		notShown  []int64
		wantMix   map[post.Category][2]int // count, percent
		wantPrev  string
		wantNext  string
		wantToday bool
	}{
		{
			name: "this month by default", path: "/calendar", wantTitle: "Calendar · November 2026",
			wantChips: []chip{{"2026-11-03", live.ID, post.PhaseLive, "08:00"}, {"2026-11-20", soon.ID, post.PhaseScheduled, "09:30"},
				{"2026-11-25", later.ID, post.PhaseScheduled, "14:30"}},
			notShown: []int64{expired.ID, december.ID, inReview.ID, draft.ID},
			wantMix: map[post.Category][2]int{post.CompanyNews: {2, 67}, post.Culture: {1, 33}, post.Jobs: {0, 0},
				post.IndustryInsight: {0, 0}, post.Product: {0, 0}},
			wantPrev: "/calendar?month=2026-10", wantNext: "/calendar?month=2026-12", wantToday: true,
		},
		{
			name: "next month", path: "/calendar?month=2026-12", wantTitle: "Calendar · December 2026",
			wantChips: []chip{{"2026-12-02", december.ID, post.PhaseScheduled, "07:00"}},
			notShown:  []int64{live.ID, soon.ID, later.ID},
			wantMix:   map[post.Category][2]int{post.Jobs: {1, 100}, post.CompanyNews: {0, 0}},
			wantPrev:  "/calendar?month=2026-11", wantNext: "/calendar?month=2027-01",
		},
		{
			name: "week 48", path: "/calendar?week=2026-W48", wantTitle: "Calendar · Week 48, 2026",
			wantChips: []chip{{"2026-11-25", later.ID, post.PhaseScheduled, "14:30"}},
			notShown:  []int64{live.ID, soon.ID, december.ID, inReview.ID},
			wantMix:   map[post.Category][2]int{post.CompanyNews: {1, 100}, post.Culture: {0, 0}},
			wantPrev:  "/calendar?week=2026-W47", wantNext: "/calendar?week=2026-W49",
		},
		{
			name: "week across months", path: "/calendar?week=2026-W49", wantTitle: "Calendar · Week 49, 2026",
			wantChips: []chip{{"2026-12-02", december.ID, post.PhaseScheduled, "07:00"}},
			notShown:  []int64{later.ID},
			wantMix:   map[post.Category][2]int{post.Jobs: {1, 100}},
			wantPrev:  "/calendar?week=2026-W48", wantNext: "/calendar?week=2026-W50",
		},
		{
			name: "this week", path: "/calendar?week=2026-W47", wantTitle: "Calendar · Week 47, 2026",
			wantChips: []chip{{"2026-11-20", soon.ID, post.PhaseScheduled, "09:30"}},
			wantMix:   map[post.Category][2]int{post.CompanyNews: {1, 100}},
			wantPrev:  "/calendar?week=2026-W46", wantNext: "/calendar?week=2026-W48", wantToday: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.do(t, "comms", http.MethodGet, tt.path, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", tt.path, resp.StatusCode)
			}
			doc := mustDoc(t, resp)
			if got := strings.Join(strings.Fields(doc.Find(`[data-testid="calendar-title"]`).Text()), " "); got != tt.wantTitle {
				t.Errorf("title = %q, want %q", got, tt.wantTitle)
			}
			for _, c := range tt.wantChips {
				el := doc.Find(fmt.Sprintf(`[data-testid="day-%s"] [data-testid="chip-%d"]`, c.day, c.id))
				if el.Length() != 1 {
					t.Errorf("post %d is not on %s", c.id, c.day)
					continue
				}
				if got := el.AttrOr("data-phase", ""); got != string(c.phase) {
					t.Errorf("post %d phase = %q, want %q", c.id, got, c.phase)
				}
				if got := el.Find(`[data-testid="status"]`).Text(); got != c.phase.Label() {
					t.Errorf("post %d phase text = %q, want %q", c.id, got, c.phase.Label())
				}
				if got := el.Find(`[data-testid="chip-time"]`).Text(); got != c.time {
					t.Errorf("post %d time = %q, want %q", c.id, got, c.time)
				}
				if href := el.Find("a").AttrOr("href", ""); href != fmt.Sprintf("/posts/%d", c.id) {
					t.Errorf("post %d links to %q", c.id, href)
				}
			}
			if n := doc.Find(`[data-testid^="chip-"][data-phase]`).Length(); n != len(tt.wantChips) {
				t.Errorf("%d chips, want %d", n, len(tt.wantChips))
			}
			for _, id := range tt.notShown {
				if has(doc, fmt.Sprintf("chip-%d", id)) {
					t.Errorf("post %d is shown, want it left out", id)
				}
			}
			for cat, want := range tt.wantMix {
				row := doc.Find(fmt.Sprintf(`[data-testid="mix-%s"]`, cat))
				count, percent := row.Find(`[data-testid="mix-count"]`).Text(), row.Find(`[data-testid="mix-percent"]`).Text()
				if count != strconv.Itoa(want[0]) || percent != fmt.Sprintf("%d%%", want[1]) {
					t.Errorf("mix %s = %s, %s; want %d, %d%%", cat, count, percent, want[0], want[1])
				}
			}
			if got := doc.Find(`[data-testid="calendar-prev"]`).AttrOr("href", ""); got != tt.wantPrev {
				t.Errorf("prev = %q, want %q", got, tt.wantPrev)
			}
			if got := doc.Find(`[data-testid="calendar-next"]`).AttrOr("href", ""); got != tt.wantNext {
				t.Errorf("next = %q, want %q", got, tt.wantNext)
			}
			today := doc.Find(`[aria-current="date"]`)
			if tt.wantToday != (today.Length() == 1) || (tt.wantToday && today.AttrOr("data-testid", "") != "day-2026-11-18") {
				t.Errorf("today marked on %v, want 2026-11-18: %v", testids(today), tt.wantToday)
			}
			if tt.wantToday && !has(doc, "today") {
				t.Error("today is marked without the word Today")
			}
		})
	}
}

func TestCalendarMonthGrid(t *testing.T) {
	env := newTestEnv(t)
	env.setClock(t, time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC))
	doc := mustDoc(t, env.do(t, "comms", http.MethodGet, "/calendar?month=2026-11", nil))
	table := doc.Find(`table[data-testid="calendar-month"]`)
	if !strings.Contains(table.Find("caption").Text(), "November 2026") {
		t.Errorf("caption = %q", table.Find("caption").Text())
	}
	// November 2026 starts on a Sunday and ends on a Monday: the grid runs
	// from Monday 26 October to Sunday 6 December, six weeks.
	rows := table.Find("tbody tr")
	if rows.Length() != 6 || rows.First().Find("td").First().AttrOr("data-testid", "") != "day-2026-10-26" ||
		rows.Last().Find("td").Last().AttrOr("data-testid", "") != "day-2026-12-06" {
		t.Errorf("grid has %d rows from %s to %s", rows.Length(), rows.First().Find("td").First().AttrOr("data-testid", ""),
			rows.Last().Find("td").Last().AttrOr("data-testid", ""))
	}
	if got := doc.Find(`[data-testid="day-2026-10-31"]`).AttrOr("data-in-period", ""); got != "false" {
		t.Errorf("31 October in period = %q, want false", got)
	}
	if got := doc.Find(`[data-testid="calendar-switch"]`).AttrOr("href", ""); got != "/calendar?week=2026-W47" {
		t.Errorf("week view link = %q, want this week", got)
	}
}

func TestCalendarRefusesBadPeriods(t *testing.T) {
	env := newTestEnv(t)
	for _, path := range []string{"/calendar?month=2026-13", "/calendar?month=soon", "/calendar?month=1999-01",
		"/calendar?week=2026-W54", "/calendar?week=2026-W00", "/calendar?week=2026-48"} {
		if resp := env.do(t, "comms", http.MethodGet, path, nil); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("GET %s: %d, want 422", path, resp.StatusCode)
		}
	}
	if resp := env.do(t, "comms", http.MethodGet, "/calendar?week=2026-W53", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("2026 has 53 ISO weeks: GET week 53 = %d", resp.StatusCode)
	}
}

func TestCreateCampaign(t *testing.T) {
	env := newTestEnv(t)
	doc := mustDoc(t, env.do(t, "comms", http.MethodGet, "/campaigns", nil))
	if !has(doc, "campaigns-empty") || !has(doc, "campaign-form") {
		t.Fatal("empty campaigns page has no empty state or no form")
	}
	resp := env.do(t, "comms", http.MethodPost, "/campaigns", url.Values{"name": {" Winter launch "}, "goal_clicks": {"500"},
		"starts_on": {"2026-12-01"}, "ends_on": {"2026-12-31"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d, want 303", resp.StatusCode)
	}
	campaigns, err := env.store.Campaigns(context.Background())
	if err != nil || len(campaigns) != 1 {
		t.Fatalf("campaigns: %v, %d", err, len(campaigns))
	}
	c := campaigns[0]
	if c.Name != "Winter launch" || c.GoalClicks != 500 || !c.StartsAt.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) ||
		!c.EndsAt.Equal(time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)) {
		t.Errorf("stored %+v, want Winter launch, 500 clicks, all of December", c)
	}
	if loc := resp.Header.Get("Location"); loc != fmt.Sprintf("/campaigns?created=%d", c.ID) {
		t.Errorf("redirect to %q", loc)
	}
	env.contentPost(t, post.Input{Title: "Part of it", Campaign: strconv.FormatInt(c.ID, 10)}, env.clock.Now())
	doc = mustDoc(t, env.do(t, "comms", http.MethodGet, fmt.Sprintf("/campaigns?created=%d", c.ID), nil))
	row := doc.Find(fmt.Sprintf(`[data-testid="campaign-%d"]`, c.ID))
	if !has(doc, "campaign-created") || !strings.Contains(row.Find(`[data-testid="campaign-name"]`).Text(), "Winter launch") ||
		row.Find(`[data-testid="campaign-goal"]`).Text() != "500" || row.Find(`[data-testid="campaign-starts"]`).Text() != "1 Dec 2026" ||
		row.Find(`[data-testid="campaign-ends"]`).Text() != "31 Dec 2026" || row.Find(`[data-testid="campaign-posts"]`).Text() != "1" {
		t.Errorf("campaign row = %q", strings.Join(strings.Fields(row.Text()), " "))
	}
	// A one-day campaign and one without goal or dates are fine.
	for _, form := range []url.Values{{"name": {"Launch day"}, "starts_on": {"2027-01-10"}, "ends_on": {"2027-01-10"}}, {"name": {"Always on"}}} {
		if resp := env.do(t, "admin", http.MethodPost, "/campaigns", form); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("create %v: %d, want 303", form, resp.StatusCode)
		}
	}
}

func TestCreateCampaignRefuses(t *testing.T) {
	env := newTestEnv(t)
	if resp := env.do(t, "comms", http.MethodPost, "/campaigns", url.Values{"name": {"Winter launch"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first campaign: %d", resp.StatusCode)
	}
	tests := []struct {
		name      string
		form      url.Values
		wantField string
	}{
		{"no name", url.Values{"name": {"  "}, "goal_clicks": {"10"}}, "name"},
		{"long name", url.Values{"name": {strings.Repeat("n", 101)}}, "name"},
		{"duplicate name", url.Values{"name": {"winter LAUNCH"}}, "name"},
		{"negative goal", url.Values{"name": {"Spring"}, "goal_clicks": {"-1"}}, "goal_clicks"},
		{"fractional goal", url.Values{"name": {"Spring"}, "goal_clicks": {"2.5"}}, "goal_clicks"},
		{"words for goal", url.Values{"name": {"Spring"}, "goal_clicks": {"many"}}, "goal_clicks"},
		{"huge goal", url.Values{"name": {"Spring"}, "goal_clicks": {"99999999999999999999"}}, "goal_clicks"},
		{"bad start", url.Values{"name": {"Spring"}, "starts_on": {"2026-13-01"}}, "starts_on"},
		{"bad end", url.Values{"name": {"Spring"}, "ends_on": {"tomorrow"}}, "ends_on"},
		{"end before start", url.Values{"name": {"Spring"}, "starts_on": {"2026-12-10"}, "ends_on": {"2026-12-09"}}, "ends_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.do(t, "comms", http.MethodPost, "/campaigns", tt.form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", resp.StatusCode)
			}
			doc := mustDoc(t, resp)
			if !has(doc, "error-"+tt.wantField) || !has(doc, "form-problem") {
				t.Errorf("no error beside %s", tt.wantField)
			}
			if got, want := doc.Find("#campaign-name").AttrOr("value", ""), strings.TrimSpace(tt.form.Get("name")); got != want {
				t.Errorf("name kept as %q, want %q", got, want)
			}
			if got, want := doc.Find("#campaign-goal").AttrOr("value", ""), tt.form.Get("goal_clicks"); got != want {
				t.Errorf("goal kept as %q, want %q", got, want)
			}
		})
	}
	if campaigns, err := env.store.Campaigns(context.Background()); err != nil || len(campaigns) != 1 {
		t.Errorf("%d campaigns, want only the first (error: %v)", len(campaigns), err)
	}
}

func TestSuggestLink(t *testing.T) {
	env := newTestEnv(t)
	doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/suggest", nil))
	if got := doc.Find(`#suggest-category option[selected]`).AttrOr("value", ""); got != string(post.IndustryInsight) {
		t.Errorf("default category = %q, want industry insight", got)
	}
	longPath := "https://example.com/" + strings.Repeat("é", 250)
	tests := []struct {
		name         string
		form         url.Values
		wantTitle    string
		wantCategory post.Category
	}{
		{"title from the link", url.Values{"url": {"https://www.example.com/blog/great-post/?utm_source=x"}, "note": {"Our CEO is quoted"}},
			"example.com/blog/great-post", post.IndustryInsight},
		{"own title and category", url.Values{"url": {"http://jobs.example.com/"}, "title": {"We are hiring"}, "category": {"jobs"}},
			"We are hiring", post.Jobs},
		{"long link", url.Values{"url": {longPath}}, "example.com/" + strings.Repeat("é", 200-len("example.com/")), post.IndustryInsight},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.do(t, "employee", http.MethodPost, "/suggest", tt.form)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/suggest?done=1" {
				t.Fatalf("got %d to %q, want 303 to /suggest?done=1", resp.StatusCode, resp.Header.Get("Location"))
			}
			posts, err := env.store.Posts(context.Background(), post.Filter{Statuses: []post.Status{post.Draft}, Limit: 1})
			if err != nil || len(posts) != 1 {
				t.Fatalf("drafts: %v, %d", err, len(posts))
			}
			p := posts[0]
			if p.Title != tt.wantTitle || p.URL != tt.form.Get("url") || p.Category != tt.wantCategory ||
				p.AuthorID != env.users["employee"].ID || p.SuggestedBy != "Test employee" || p.Note != tt.form.Get("note") {
				t.Errorf("stored %q %q %s by %d, suggested by %q, note %q", p.Title, p.URL, p.Category, p.AuthorID, p.SuggestedBy, p.Note)
			}
			doc := mustDoc(t, env.do(t, "comms", http.MethodGet, "/review", nil))
			if !has(doc, fmt.Sprintf("review-row-%d", p.ID)) {
				t.Error("the suggestion is not in the review queue")
			}
		})
	}
	doc = mustDoc(t, env.do(t, "employee", http.MethodGet, "/suggest?done=1", nil))
	if !strings.Contains(doc.Find(`[data-testid="suggest-done"]`).Text(), "Thanks, the communications team will look at it") {
		t.Error("no thanks after a suggestion")
	}
}

func TestSuggestLinkRefuses(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name      string
		form      url.Values
		wantField string
	}{
		{"no link", url.Values{"url": {""}, "title": {"Something"}}, "url"},
		{"script link", url.Values{"url": {"javascript:alert(1)"}}, "url"},
		{"ftp link", url.Values{"url": {"ftp://files.example.com/a"}}, "url"},
		{"no scheme", url.Values{"url": {"example.com/news"}}, "url"},
		{"long title", url.Values{"url": {"https://example.com/"}, "title": {strings.Repeat("t", 201)}}, "title"},
		{"unknown category", url.Values{"url": {"https://example.com/"}, "category": {"gossip"}}, "category"},
		{"long note", url.Values{"url": {"https://example.com/"}, "note": {strings.Repeat("n", 1001)}}, "note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := env.do(t, "employee", http.MethodPost, "/suggest", tt.form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", resp.StatusCode)
			}
			doc := mustDoc(t, resp)
			if !has(doc, "error-"+tt.wantField) {
				t.Errorf("no error beside %s", tt.wantField)
			}
			if len(doc.Find(`[data-testid^="error-"]`).Nodes) != 1 {
				t.Errorf("errors on %v, want only %s", testids(doc.Find(`[data-testid^="error-"]`)), tt.wantField)
			}
			if got := doc.Find("#suggest-url").AttrOr("value", ""); got != tt.form.Get("url") {
				t.Errorf("link kept as %q", got)
			}
		})
	}
	if posts, err := env.store.Posts(context.Background(), post.Filter{}); err != nil || len(posts) != 0 {
		t.Errorf("%d posts created from refused suggestions (error: %v)", len(posts), err)
	}
}

func TestMyShares(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	p := env.livePost(t, "Worth sharing")
	share1 := mustShare(t, env, "employee", p.ID, share.LinkedIn)
	env.clock.Advance(time.Minute)
	share2 := mustShare(t, env, "employee", p.ID, share.X)
	other := mustShare(t, env, "hr", p.ID, share.LinkedIn)

	doc := mustDoc(t, env.do(t, "employee", http.MethodGet, "/my/shares", nil))
	if got := testids(doc.Find(`[data-testid="my-shares"] tbody tr`)); strings.Join(got, " ") != fmt.Sprintf("share-%d share-%d", share2, share1) {
		t.Fatalf("rows = %v, want the employee's two shares, newest first", got)
	}
	row := doc.Find(fmt.Sprintf(`[data-testid="share-%d"]`, share1))
	if row.Find(`[data-testid="share-post"]`).Text() != "Worth sharing" || row.Find(`[data-testid="share-network"]`).Text() != "LinkedIn" ||
		row.Find(`[data-testid="share-followers"]`).Text() != "0" || !has(doc, "confirm-share") {
		t.Errorf("row = %q", strings.Join(strings.Fields(row.Text()), " "))
	}

	resp := env.do(t, "employee", http.MethodPost, fmt.Sprintf("/my/shares/%d/confirm", share1), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d, want 303", resp.StatusCode)
	}
	doc = mustDoc(t, env.do(t, "employee", http.MethodGet, resp.Header.Get("Location"), nil))
	row = doc.Find(fmt.Sprintf(`[data-testid="share-%d"]`, share1))
	if !has(doc, "share-confirmed") || row.Find(`[data-testid="share-status"]`).Text() != "Posted" ||
		row.Find(`[data-testid="confirm-share"]`).Length() != 0 {
		t.Errorf("after confirming: row = %q", strings.Join(strings.Fields(row.Text()), " "))
	}
	if doc.Find(fmt.Sprintf(`[data-testid="share-%d"] [data-testid="confirm-share"]`, share2)).Length() != 1 {
		t.Error("the other share lost its confirm button")
	}

	for _, path := range []string{fmt.Sprintf("/my/shares/%d/confirm", other), "/my/shares/999/confirm", "/my/shares/abc/confirm"} {
		if resp := env.do(t, "employee", http.MethodPost, path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, resp.StatusCode)
		}
	}
	history, err := env.store.ShareHistory(ctx, env.users["hr"].ID, 10)
	if err != nil || len(history) != 1 || !history[0].ConfirmedAt.IsZero() {
		t.Errorf("hr's share after another's confirm: %+v, %v; want it unconfirmed", history, err)
	}
	if doc := mustDoc(t, env.do(t, "comms", http.MethodGet, "/my/shares", nil)); !has(doc, "shares-empty") {
		t.Error("no empty state for someone who never shared")
	}
}

// mustShare records a share of the post by persona on n and returns its id.
func mustShare(t *testing.T, env *testEnv, persona string, postID int64, n share.Network) int64 {
	t.Helper()
	_, id, err := env.store.ShareLink(context.Background(), env.users[persona].ID, postID, n, share.NewCode)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
