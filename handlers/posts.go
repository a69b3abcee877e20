package handlers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/check"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/views"
)

func (s *server) listPosts(c *fiber.Ctx) error {
	f := post.Filter{Query: c.Query("q"), Statuses: []post.Status{post.Draft, post.InReview, post.Approved}}
	switch st := post.Status(c.Query("status")); st {
	case post.Draft, post.InReview, post.Approved, post.Archived:
		f.Statuses = []post.Status{st}
	}
	posts, err := s.Posts.List(ctx(c), f)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.PostsView(s.chrome(c, "Posts", "posts"),
		views.PostsPage{Posts: posts, Now: s.Now(), Status: c.Query("status"), Query: f.Query}))
}

// postForm is the form with its choices filled in.
func (s *server) postForm(c *fiber.Ctx, form views.PostForm) (views.PostForm, error) {
	ch, err := s.Posts.Choices(ctx(c))
	if err != nil {
		return form, err
	}
	form.Campaigns, form.Groups, form.FourEyes = ch.Campaigns, ch.Groups, ch.Settings.Policy.FourEyes
	form.Networks = share.Networks
	form.TimeZone = zoneName(userOf(c).TimeZone)
	return form, nil
}

func (s *server) renderPostForm(c *fiber.Ctx, status int, form views.PostForm) error {
	form, err := s.postForm(c, form)
	if err != nil {
		return err
	}
	title := "New post"
	if form.PostID != 0 {
		title = "Edit post"
	}
	return s.render(c, status, views.PostFormView(s.chrome(c, title, "posts"), form))
}

func (s *server) newPost(c *fiber.Ctx) error {
	return s.renderPostForm(c, fiber.StatusOK, views.PostForm{Input: post.Input{Language: "en"}})
}

func (s *server) editPost(c *fiber.Ctx) error {
	id, err := postID(c)
	if err != nil {
		return err
	}
	p, err := s.Posts.ForEdit(ctx(c), id)
	if err != nil {
		return err // an archived post cannot be edited: a *post.TransitionError, a conflict
	}
	return s.renderPostForm(c, fiber.StatusOK, views.PostForm{PostID: p.ID, Input: inputOf(p, userOf(c).TimeZone),
		ImageID: p.ImageID, Approved: p.Status == post.Approved})
}

// inputOf is a stored post as the form shows it, times in the user's zone.
func inputOf(p post.Post, zone string) post.Input {
	in := post.Input{Title: p.Title, URL: p.URL, Category: string(p.Category), Language: p.Language,
		Hashtags: p.HashtagText(), Suggestions: p.Suggestions, TimeZone: zone, Note: p.Note}
	if p.CampaignID != 0 {
		in.Campaign = fmt.Sprint(p.CampaignID)
	}
	for _, g := range p.GroupIDs {
		in.Groups = append(in.Groups, fmt.Sprint(g))
	}
	loc := location(zone)
	if !p.PublishAt.IsZero() {
		in.PublishAt = p.PublishAt.In(loc).Format(post.DateTimeLayout)
	}
	if !p.ExpiresAt.IsZero() {
		in.ExpiresAt = p.ExpiresAt.In(loc).Format(post.DateTimeLayout)
	}
	return in
}

func location(zone string) *time.Location {
	if loc, err := time.LoadLocation(zone); err == nil && zone != "" {
		return loc
	}
	return time.UTC
}

func zoneName(zone string) string {
	if zone == "" {
		return "UTC"
	}
	return zone
}

// formValues returns every value of a form field, urlencoded or multipart.
func formValues(c *fiber.Ctx, key string) []string {
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		return mf.Value[key]
	}
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(v))
	}
	return out
}

// readPostForm reads the post form as the author filled it in.
func readPostForm(c *fiber.Ctx, zone string) post.Input {
	in := post.Input{Title: c.FormValue("title"), URL: c.FormValue("url"), Category: c.FormValue("category"),
		Language: c.FormValue("language"), Campaign: c.FormValue("campaign"), Hashtags: c.FormValue("hashtags"),
		Groups: formValues(c, "groups"), PublishAt: c.FormValue("publish_at"), ExpiresAt: c.FormValue("expires_at"),
		TimeZone: zone, Note: c.FormValue("note")}
	networks, texts := formValues(c, "suggestion_network"), formValues(c, "suggestion_text")
	for i, text := range texts {
		n := ""
		if i < len(networks) {
			n = networks[i]
		}
		if _, ok := share.Parse(n); !ok {
			n = ""
		}
		in.Suggestions = append(in.Suggestions, post.Suggestion{Network: n, Text: text})
	}
	return in
}

// checkedPost checks the form and the image upload as they were sent. It
// returns the fields, what is wrong with them by field (nil if nothing),
// and what the form does to the image; the form records what the author
// did with the image, to show if it is refused. Nothing is stored: the
// upload is stored with the post, once the whole form is accepted.
func (s *server) checkedPost(c *fiber.Ctx, form *views.PostForm) (post.Fields, map[string]string, post.ImageEdit, error) {
	f, errs := form.Input.Validate(s.Now())
	upload, problem, err := s.uploadedImage(c, "image")
	if err != nil {
		return f, errs, post.ImageEdit{}, err
	}
	if problem != "" {
		if errs == nil {
			errs = map[string]string{}
		}
		errs["image"] = problem
	}
	form.RemoveImage = c.FormValue("remove_image") == "1"
	form.ImageDropped = upload != nil // shown if the form is refused: a file input cannot be filled in again
	img := post.ImageEdit{Remove: form.RemoveImage}
	if upload != nil {
		img.Upload = &post.Upload{ContentType: upload.ContentType, Data: upload.Data, Width: upload.Width, Height: upload.Height}
	}
	return f, errs, img, nil
}

// createPost saves a draft, and sends it for review if the author asked
// and the checks allow. A refused form comes back with what was typed, a
// message per field and what the checks found; nothing is saved, not even
// an uploaded image.
func (s *server) createPost(c *fiber.Ctx) error {
	u := userOf(c)
	form := views.PostForm{Input: readPostForm(c, u.TimeZone)}
	f, problems, img, err := s.checkedPost(c, &form)
	if err != nil {
		return err
	}
	p, err := s.Posts.Create(ctx(c), post.Creation{Fields: f, Problems: problems, Image: img.Upload, AuthorID: u.ID,
		Submit: c.FormValue("then") == "submit"})
	if refused, ok := errors.AsType[*post.FormError](err); ok {
		form.Errors, form.Findings = refused.Fields, refused.Findings
		return s.renderPostForm(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/posts/%d", p.ID), fiber.StatusSeeOther)
}

// updatePost saves an edit (post.Service.Update says what an edit does to
// the post's status and editors). A refused form comes back as for
// createPost; an edit of an archived post is a conflict.
func (s *server) updatePost(c *fiber.Ctx) error {
	id, err := postID(c)
	if err != nil {
		return err
	}
	u := userOf(c)
	form := views.PostForm{PostID: id, Input: readPostForm(c, u.TimeZone)}
	f, problems, img, err := s.checkedPost(c, &form)
	if err != nil {
		return err
	}
	_, err = s.Posts.Update(ctx(c), post.Edit{PostID: id, Fields: f, Problems: problems, Image: img, ActorID: u.ID})
	if refused, ok := errors.AsType[*post.FormError](err); ok {
		form.Errors, form.Findings = refused.Fields, refused.Findings
		form.ImageID, form.Approved = refused.Post.ImageID, refused.Post.Status == post.Approved
		return s.renderPostForm(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err // an archived post cannot be edited: a *post.TransitionError, a conflict
	}
	return c.Redirect(fmt.Sprintf("/posts/%d", id), fiber.StatusSeeOther)
}

// previewPost renders, for htmx, how the post will look on each network
// and what the checks say, while the author types.
func (s *server) previewPost(c *fiber.Ctx) error {
	in := readPostForm(c, userOf(c).TimeZone)
	// The form may be half filled in: preview what there is.
	f := post.Fields{Title: strings.TrimSpace(in.Title), URL: strings.TrimSpace(in.URL)}
	f.Hashtags, _ = post.ParseHashtags(in.Hashtags)
	for _, sg := range in.Suggestions {
		if strings.TrimSpace(sg.Text) != "" {
			f.Suggestions = append(f.Suggestions, post.Suggestion{Network: sg.Network, Text: strings.TrimSpace(sg.Text)})
		}
	}
	var findings []check.Finding
	checked := f.Title != "" || f.URL != "" // an empty form has nothing to check yet
	if checked {
		var err error
		if findings, err = s.Posts.Check(ctx(c), f); err != nil {
			return err
		}
	}
	return s.render(c, fiber.StatusOK, views.PostPreview(previewOf(f, s.BaseURL), findings, checked))
}

// previewOf is the share text per network for fields f.
func previewOf(f post.Fields, baseURL string) []views.NetworkPreview {
	p := post.Post{Title: f.Title, URL: f.URL, Suggestions: f.Suggestions, Hashtags: f.Hashtags}
	var out []views.NetworkPreview
	for _, n := range share.Networks {
		if n == share.Copy || n == share.Email {
			continue
		}
		pv := views.NetworkPreview{Network: n, Link: baseURL + "/l/…", Text: p.ShareText(string(n), n.Prefills())}
		pv.Count = check.Length(string(n), pv.Text)
		pv.Max, pv.Limited = check.Limit(string(n))
		out = append(out, pv)
	}
	return out
}

// postID is the post id in the path; one that cannot be a post's is not found.
func postID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, apperr.New(apperr.NotFound, "There is no such post.")
	}
	return id, nil
}

func (s *server) showPost(c *fiber.Ctx) error {
	id, err := postID(c)
	if err != nil {
		return err
	}
	r, err := s.Posts.Review(ctx(c), id, userOf(c).ID)
	if err != nil {
		return err
	}
	return s.renderPost(c, fiber.StatusOK, r, "")
}

// renderPost shows a post as r has it for the viewer, and problem: why
// their last action was refused.
func (s *server) renderPost(c *fiber.Ctx, status int, r post.Review, problem string) error {
	p := r.Post
	m := views.PostPage{Post: p, History: r.History, Phase: p.Phase(s.Now()), Problem: problem, Findings: r.Findings,
		Preview: previewOf(p.AsFields(), s.BaseURL), Zone: location(userOf(c).TimeZone),
		CanSubmit: r.CanSubmit, CanReview: r.CanReview, CanEdit: r.CanEdit, CanArchive: r.CanArchive, FourEyes: r.FourEyes}
	if r.NoApproval != problem {
		m.NoApproval = r.NoApproval // why the approve button is not offered, unless the refusal says so already
	}
	return s.render(c, status, views.PostView(s.chrome(c, p.Title, "posts"), m))
}

func (s *server) submitPost(c *fiber.Ctx) error  { return s.transition(c, post.Submit) }
func (s *server) approvePost(c *fiber.Ctx) error { return s.transition(c, post.Approve) }
func (s *server) returnPost(c *fiber.Ctx) error  { return s.transition(c, post.Return) }
func (s *server) archivePost(c *fiber.Ctx) error { return s.transition(c, post.Archive) }

// transition takes a workflow action (post.Service.Transition says what it
// takes); a refused one shows the post again with the reason and changes
// nothing.
func (s *server) transition(c *fiber.Ctx, a post.Action) error {
	id, err := postID(c)
	if err != nil {
		return err
	}
	p, err := s.Posts.Transition(ctx(c), post.Step{PostID: id, Action: a, ActorID: userOf(c).ID, Comment: c.FormValue("comment")})
	if refused, ok := errors.AsType[*post.Refusal](err); ok {
		return s.renderPost(c, statusOf(err), refused.Review, refused.Reason.Message)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/posts/%d", p.ID), fiber.StatusSeeOther)
}
