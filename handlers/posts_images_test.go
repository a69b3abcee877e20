package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

// textOf is the text of the elements with the data-testid, with its white
// space folded.
func textOf(doc *goquery.Document, testid string) string {
	return strings.Join(strings.Fields(doc.Find(`[data-testid="`+testid+`"]`).Text()), " ")
}

// TestRefusedPostFormStoresNoImage is the half-written upload of the issue:
// a form with an empty title, a bad link and a valid PNG is refused and
// stores nothing, no image either; what was typed comes back, and the form
// says the image must be chosen again.
func TestRefusedPostFormStoresNoImage(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	img := testImage(t, "png", 3, 2)
	resp := env.postMultipart(t, "comms", "/posts", postFormValues(url.Values{"title": {""}, "url": {"not a link"},
		"hashtags": {"#launch"}, "then": {"submit"}}), "image", img)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	doc := mustDoc(t, resp)
	if !has(doc, "error-title") || !has(doc, "error-url") {
		t.Error("no message beside the title and the link")
	}
	if got := doc.Find("#url").AttrOr("value", ""); got != "not a link" {
		t.Errorf("typed link lost: %q", got)
	}
	if got := doc.Find("#hashtags").AttrOr("value", ""); got != "#launch" {
		t.Errorf("typed hashtags lost: %q", got)
	}
	if got := doc.Find(`[data-testid="suggestion-0"]`).Text(); got != "We launched!" {
		t.Errorf("typed suggestion lost: %q", got)
	}
	if !strings.Contains(textOf(doc, "image-again"), "Choose it again") || !strings.Contains(textOf(doc, "form-problem"), "Choose the image again") {
		t.Errorf("the form does not say to choose the image again: %q / %q", textOf(doc, "image-again"), textOf(doc, "form-problem"))
	}
	if n := len(env.allPosts(t)); n != 0 {
		t.Fatalf("%d posts stored from a refused form", n)
	}
	if _, err := env.store.Image(ctx, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("image 1 after a refused form: %v, want none stored", err)
	}
	for _, persona := range []string{"employee", "comms"} {
		wantStatus(t, env.do(t, persona, http.MethodGet, "/images/1", nil), http.StatusNotFound)
	}

	t.Run("a form refused by the checks stores no image either", func(t *testing.T) {
		env.saveContentSettings(t, true, "forbidden")
		defer env.saveContentSettings(t, true)
		resp := env.postMultipart(t, "comms", "/posts", postFormValues(url.Values{"title": {"Forbidden news"}, "then": {"submit"}}), "image", img)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		doc := mustDoc(t, resp)
		if !has(doc, "checks-blocking") || !strings.Contains(textOf(doc, "image-again"), "Choose it again") {
			t.Error("the refused form does not say why, or that the image must be chosen again")
		}
		if _, err := env.store.Image(ctx, 1); !errors.Is(err, store.ErrNotFound) || len(env.allPosts(t)) != 0 {
			t.Fatalf("a post or image stored from a form the checks refused (image: %v)", err)
		}
	})

	// The same form, corrected, stores the post with its image: the first
	// image ever stored.
	id := postIDFrom(t, env.postMultipart(t, "comms", "/posts", postFormValues(nil), "image", img))
	if p := env.post(t, id); p.ImageID != 1 {
		t.Errorf("image of the accepted post = %d, want 1 (nothing stored before)", p.ImageID)
	}
}

// TestRefusedEditKeepsTheImage: a refused edit that came with a new image
// stores no image and keeps the old one; the form shows the old image and
// what was ticked.
func TestRefusedEditKeepsTheImage(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	id := postIDFrom(t, env.postMultipart(t, "comms", "/posts", postFormValues(nil), "image", testImage(t, "png", 3, 2)))
	before := env.post(t, id)
	if before.ImageID == 0 {
		t.Fatal("post stored without its image")
	}
	postPath := fmt.Sprintf("/posts/%d", id)
	resp := env.postMultipart(t, "comms2", postPath, postFormValues(url.Values{"title": {""}, "remove_image": {"1"}}),
		"image", testImage(t, "gif", 5, 5))
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	doc := mustDoc(t, resp)
	if got := doc.Find(`[data-testid="current-image"]`).AttrOr("src", ""); got != fmt.Sprintf("/images/%d", before.ImageID) {
		t.Errorf("form shows image %q, want the post's own", got)
	}
	if _, ticked := doc.Find(`input[name="remove_image"]`).Attr("checked"); !ticked {
		t.Error("“Remove this image” was ticked but is not any more")
	}
	if !has(doc, "image-again") {
		t.Error("the form does not say to choose the new image again")
	}
	if _, err := env.store.Image(ctx, before.ImageID+1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a new image was stored by the refused edit (%v)", err)
	}
	if after := env.post(t, id); after.ImageID != before.ImageID || after.Title != before.Title || len(after.Editors) != 1 {
		t.Errorf("refused edit changed the post: image %d title %q editors %+v", after.ImageID, after.Title, after.Editors)
	}
}

// TestImagesFollowThePost: an employee sees an image only while a post
// carrying it is in their feed; comms see every post's image.
func TestImagesFollowThePost(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	png := store.Image{ContentType: "image/png", Data: testImage(t, "png", 4, 4), Width: 4, Height: 4}
	other := env.newGroup(t, "Support") // the employee is not in it
	withImage := func(in post.Input, actions ...post.Action) post.Post {
		t.Helper()
		in.URL, in.Category = "https://example.com/"+post.Slugify(in.Title), string(post.Culture)
		f, errs := in.Validate(env.clock.Now())
		if errs != nil {
			t.Fatalf("invalid post: %v", errs)
		}
		created, err := env.posts().Create(ctx, post.Creation{Fields: f, AuthorID: env.users["comms"].ID,
			Image: &post.Upload{ContentType: png.ContentType, Data: png.Data, Width: png.Width, Height: png.Height}})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range actions {
			by := env.users["comms"].ID
			if a == post.Approve {
				by = env.users["comms2"].ID
			}
			if _, err := env.posts().Transition(ctx, post.Step{PostID: created.ID, Action: a, ActorID: by}); err != nil {
				t.Fatal(err)
			}
		}
		return env.post(t, created.ID)
	}
	tomorrow := env.clock.Now().Add(24 * time.Hour).Format(post.DateTimeLayout)
	tests := []struct {
		name         string
		post         post.Post
		wantEmployee int
	}{
		{"draft", withImage(post.Input{Title: "Draft"}), http.StatusNotFound},
		{"in review", withImage(post.Input{Title: "In review"}, post.Submit), http.StatusNotFound},
		{"scheduled", withImage(post.Input{Title: "Scheduled", PublishAt: tomorrow}, post.Submit, post.Approve), http.StatusNotFound},
		{"archived", withImage(post.Input{Title: "Archived"}, post.Submit, post.Approve, post.Archive), http.StatusNotFound},
		{"live for another group", withImage(post.Input{Title: "Support only", Groups: []string{fmt.Sprint(other)}},
			post.Submit, post.Approve), http.StatusNotFound},
		{"live", withImage(post.Input{Title: "Live"}, post.Submit, post.Approve), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := fmt.Sprintf("/images/%d", tt.post.ImageID)
			wantStatus(t, env.do(t, "employee", http.MethodGet, path, nil), tt.wantEmployee)
			for _, staff := range []string{"comms", "admin"} {
				resp := env.do(t, staff, http.MethodGet, path, nil)
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
					t.Errorf("GET %s as %s: %d %s, want 200 image/png", path, staff, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		live := tests[len(tests)-1].post
		f := live.AsFields()
		f.ExpiresAt = env.clock.Now().Add(time.Hour)
		if _, err := env.posts().Update(ctx, post.Edit{PostID: live.ID, Fields: f, ActorID: env.users["comms"].ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.posts().Transition(ctx, post.Step{PostID: live.ID, Action: post.Approve, ActorID: env.users["comms2"].ID}); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/images/%d", live.ImageID)
		wantStatus(t, env.do(t, "employee", http.MethodGet, path, nil), http.StatusOK)
		env.advance(t, 2*time.Hour)
		wantStatus(t, env.do(t, "employee", http.MethodGet, path, nil), http.StatusNotFound)
		wantStatus(t, env.do(t, "comms", http.MethodGet, path, nil), http.StatusOK)
	})
}
