package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
)

func TestSaveImage(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	author := mustSignIn(t, s, "oidc:1", "mei@example.com", account.Comms)
	data := []byte("\x89PNG\r\n\x1a\nnot really, but the store does not look")

	id, err := s.SaveImage(ctx, store.Image{ContentType: "image/png", Data: data, Width: 3, Height: 2}, author.ID)
	if err != nil {
		t.Fatalf("SaveImage: %v", err)
	}
	img, err := s.Image(ctx, id)
	if err != nil {
		t.Fatalf("Image: %v", err)
	}
	sum := sha256.Sum256(data)
	if img.ID != id || img.ContentType != "image/png" || !bytes.Equal(img.Data, data) || img.Size != len(data) ||
		img.SHA256 != hex.EncodeToString(sum[:]) || img.Width != 3 || img.Height != 2 ||
		img.CreatedBy != author.ID || !img.CreatedAt.Equal(c.Now()) {
		t.Errorf("Image = %+v, want the saved PNG with its size, hash and uploader", img)
	}

	if _, err := s.Image(ctx, id+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Image(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := s.SaveImage(ctx, store.Image{ContentType: "image/png"}, author.ID); err == nil {
		t.Error("SaveImage without data succeeded, want an error")
	}
}

// imagePeople: Mei and Carlos are comms, Sam an employee.
type imagePeople struct{ mei, carlos, sam account.User }

func mustImagePeople(t *testing.T, s *store.Store) imagePeople {
	t.Helper()
	return imagePeople{
		mei:    mustSignInNamed(t, s, "Mei", "mei@example.com", account.Comms),
		carlos: mustSignInNamed(t, s, "Carlos", "carlos@example.com", account.Comms),
		sam:    mustSignInNamed(t, s, "Sam", "sam@example.com"),
	}
}

func mustAct(t *testing.T, s *store.Store, id int64, a post.Action, by account.User) {
	t.Helper()
	if _, err := transitionPost(context.Background(), s, id, a, by.ID, "", post.DefaultPolicy); err != nil {
		t.Fatalf("%s post %d as %s: %v", a, id, by.Name, err)
	}
}

func countRows(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// TestPostImageWithThePost checks that a post's image is stored in the
// transaction of the post: a post that is refused leaves no image, an edit
// that is refused keeps the old one, and a refused edit records no editor.
func TestPostImageWithThePost(t *testing.T) {
	ctx := context.Background()
	png := store.Image{ContentType: "image/png", Data: []byte("\x89PNG fake"), Width: 1, Height: 1}
	t.Run("a refused post stores no image", func(t *testing.T) {
		s, db := mustOpenStoreAndDB(t)
		pp := mustImagePeople(t, s)
		// The service would refuse the unknown campaign before the store
		// writes anything: ask the store directly, so the insert fails
		// after the image is saved.
		bad := post.Fields{Title: "Bad", URL: "https://example.com/bad", Category: post.Culture, Language: "en", CampaignID: 9999}
		if _, err := s.CreatePost(ctx, post.Query{}, func(post.State) (post.NewPost, error) {
			return post.NewPost{Fields: bad, Image: upload(&png), AuthorID: pp.mei.ID}, nil
		}); err == nil {
			t.Fatal("CreatePost with an unknown campaign: no error")
		}
		if n, m := countRows(t, db, "images"), countRows(t, db, "posts"); n != 0 || m != 0 {
			t.Errorf("%d images and %d posts stored, want none", n, m)
		}
	})
	t.Run("a new post with its image", func(t *testing.T) {
		s, db := mustOpenStoreAndDB(t)
		pp := mustImagePeople(t, s)
		id, err := createPostWithImage(ctx, s, post.Fields{Title: "Good", URL: "https://example.com/good", Category: post.Culture,
			Language: "en", ImageID: 4242}, &png, pp.mei.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := mustPost(t, s, id)
		img, err := s.Image(ctx, p.ImageID)
		if err != nil || string(img.Data) != string(png.Data) || img.CreatedBy != pp.mei.ID {
			t.Fatalf("image of the post = %+v, %v; want the upload, by Mei", img, err)
		}
		if n := countRows(t, db, "images"); n != 1 {
			t.Errorf("%d images, want 1", n)
		}
		if got := editorsText(p); got != "Mei: title, link and image" {
			t.Errorf("editors = %q", got)
		}
	})
	t.Run("an edit replaces the image and records it as content", func(t *testing.T) {
		s, db := mustOpenStoreAndDB(t)
		pp := mustImagePeople(t, s)
		id := mustCreatePost(t, s, pp.mei.ID, "Launch", "")
		mustAct(t, s, id, post.Submit, pp.mei)
		p, err := updatePost(ctx, s, id, mustPost(t, s, id).AsFields(), &png, pp.carlos.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.ImageID == 0 || countRows(t, db, "images") != 1 {
			t.Fatalf("image %d after the edit, %d images stored; want the new one", p.ImageID, countRows(t, db, "images"))
		}
		if got := editorsText(p); got != "Mei: title, link and suggested commentary; Carlos: image" {
			t.Errorf("editors = %q", got)
		}
	})
	t.Run("a refused edit stores no image, keeps the old one and records no editor", func(t *testing.T) {
		s, db := mustOpenStoreAndDB(t)
		pp := mustImagePeople(t, s)
		id, err := createPostWithImage(ctx, s, post.Fields{Title: "Old", URL: "https://example.com/old", Category: post.Culture,
			Language: "en"}, &png, pp.mei.ID)
		if err != nil {
			t.Fatal(err)
		}
		mustAct(t, s, id, post.Archive, pp.mei)
		before := mustPost(t, s, id)
		f := before.AsFields()
		f.Title = "New"
		other := store.Image{ContentType: "image/gif", Data: []byte("GIF89a fake"), Width: 1, Height: 1}
		if _, err := updatePost(ctx, s, id, f, &other, pp.carlos.ID); !isTransitionError(err) {
			t.Fatalf("edit of an archived post: %v, want a *post.TransitionError", err)
		}
		if n := countRows(t, db, "images"); n != 1 {
			t.Errorf("%d images after the refused edit, want 1 (the old one)", n)
		}
		if after := mustPost(t, s, id); !reflect.DeepEqual(after, before) {
			t.Errorf("refused edit changed the post:\n got %+v\nwant %+v", after, before)
		}
	})
}

// TestPostImageVisibility checks who sees which image: comms and admins
// see the image of any post; anyone else only while a post carrying it is
// in their feed, which is the Go rule post.Post.Live plus Targeted.
func TestPostImageVisibility(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := mustOpenStore(t, store.WithClock(c.Now))
	pp := mustImagePeople(t, s)
	outsider := mustSignInNamed(t, s, "Olga", "olga@example.com")
	sales := mustTeam(t, s, "Sales", pp.sam.ID)
	support := mustTeam(t, s, "Support", outsider.ID)
	now := c.Now()
	png := store.Image{ContentType: "image/png", Data: []byte("\x89PNG fake"), Width: 1, Height: 1}

	type setup struct {
		name      string
		fields    post.Fields
		actions   []post.Action
		wantPhase post.Phase
	}
	base := func(title string) post.Fields {
		return post.Fields{Title: title, URL: "https://example.com/" + post.Slugify(title), Category: post.Culture, Language: "en"}
	}
	with := func(f post.Fields, change func(*post.Fields)) post.Fields { change(&f); return f }
	setups := []setup{
		{"draft", base("Draft"), nil, post.PhaseDraft},
		{"in review", base("In review"), []post.Action{post.Submit}, post.PhaseInReview},
		{"scheduled", with(base("Scheduled"), func(f *post.Fields) { f.PublishAt = now.Add(24 * time.Hour) }),
			[]post.Action{post.Submit, post.Approve}, post.PhaseScheduled},
		{"live", base("Live"), []post.Action{post.Submit, post.Approve}, post.PhaseLive},
		{"expired", with(base("Expired"), func(f *post.Fields) { f.ExpiresAt = now.Add(time.Hour) }),
			[]post.Action{post.Submit, post.Approve}, post.PhaseExpired},
		{"archived", base("Archived"), []post.Action{post.Submit, post.Approve, post.Archive}, post.PhaseArchived},
		{"live for Sales", with(base("For Sales"), func(f *post.Fields) { f.GroupIDs = []int64{sales} }),
			[]post.Action{post.Submit, post.Approve}, post.PhaseLive},
		{"live for Support", with(base("For Support"), func(f *post.Fields) { f.GroupIDs = []int64{support} }),
			[]post.Action{post.Submit, post.Approve}, post.PhaseLive},
	}
	type made struct {
		setup
		post post.Post
	}
	var posts []made
	for _, st := range setups {
		id, err := createPostWithImage(ctx, s, st.fields, &png, pp.mei.ID)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		for _, a := range st.actions {
			by := pp.mei
			if a == post.Approve {
				by = pp.carlos
			}
			mustAct(t, s, id, a, by)
		}
		posts = append(posts, made{st, mustPost(t, s, id)})
	}
	orphan, err := s.SaveImage(ctx, png, pp.mei.ID)
	if err != nil {
		t.Fatal(err)
	}
	at := now.Add(2 * time.Hour) // the scheduled one still waits, the expired one has expired
	for _, m := range posts {
		if ph := m.post.Phase(at); ph != m.wantPhase {
			t.Fatalf("%s is %s at the time of the test, want %s", m.name, ph, m.wantPhase)
		}
		for _, viewer := range []account.User{pp.sam, outsider, pp.carlos} {
			t.Run(m.name+"/"+viewer.Name, func(t *testing.T) {
				staff := viewer.HasAny(account.Comms, account.Admin)
				targeted, err := s.Targeted(ctx, m.post.ID, viewer.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := staff || (m.post.Live(at) && targeted) // the feed's rule, in Go
				_, err = s.PostImage(ctx, m.post.ImageID, store.ImageViewer{UserID: viewer.ID, Staff: staff, At: at})
				if got := err == nil; got != want || (err != nil && !errors.Is(err, store.ErrNotFound)) {
					t.Errorf("PostImage of a %s post as %s: %v; want seen %v", m.name, viewer.Name, err, want)
				}
			})
		}
	}
	for _, viewer := range []store.ImageViewer{{UserID: pp.sam.ID, At: at}, {UserID: pp.carlos.ID, Staff: true, At: at}} {
		_, err := s.PostImage(ctx, orphan, viewer)
		if got := err == nil; got != viewer.Staff {
			t.Errorf("image of no post as staff %v: %v; want seen only by staff", viewer.Staff, err)
		}
	}
}
