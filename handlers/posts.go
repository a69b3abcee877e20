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
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/views"
)

// Setting keys for the content workflow.
const (
	settingFourEyes   = "four_eyes"   // bool; true by default
	settingCheckRules = "check_rules" // check.Rules
)

// policy is the workflow policy admins set (four-eyes on by default).
func (s *server) policy(c *fiber.Ctx) (post.Policy, error) {
	pol := s.Policy
	var fourEyes bool
	found, err := s.Store.Setting(ctx(c), settingFourEyes, &fourEyes)
	if found {
		pol.FourEyes = fourEyes
	}
	return pol, err
}

// checkRules are the submission checks admins configured.
func (s *server) checkRules(c *fiber.Ctx) (check.Rules, error) {
	rules := check.DefaultRules()
	_, err := s.Store.Setting(ctx(c), settingCheckRules, &rules)
	return rules, err
}

// findings runs the submission checks on a post.
func (s *server) findings(c *fiber.Ctx, f post.Fields) ([]check.Finding, error) {
	rules, err := s.checkRules(c)
	if err != nil {
		return nil, err
	}
	return check.Run(checkInput(f), rules), nil
}

// checkInput is what the checks look at: each suggestion as it will be
// offered, with the hashtags added.
func checkInput(f post.Fields) check.Post {
	p := post.Post{Hashtags: f.Hashtags}
	in := check.Post{Title: f.Title, URL: f.URL, Hashtags: f.Hashtags, Suggestions: map[string][]string{}}
	for _, sg := range f.Suggestions {
		in.Suggestions[sg.Network] = append(in.Suggestions[sg.Network], p.WithHashtags(sg.Text))
	}
	return in
}

// fieldsOf turns a stored post back into fields, for checks and edits.
func fieldsOf(p post.Post) post.Fields { return p.AsFields() }

func (s *server) listPosts(c *fiber.Ctx) error {
	f := post.Filter{Query: c.Query("q"), Statuses: []post.Status{post.Draft, post.InReview, post.Approved}}
	switch st := post.Status(c.Query("status")); st {
	case post.Draft, post.InReview, post.Approved, post.Archived:
		f.Statuses = []post.Status{st}
	}
	posts, err := s.Store.Posts(ctx(c), f)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.PostsView(s.chrome(c, "Posts", "posts"),
		views.PostsPage{Posts: posts, Now: s.Now(), Status: c.Query("status"), Query: f.Query}))
}

// postForm is the form with its choices filled in.
func (s *server) postForm(c *fiber.Ctx, form views.PostForm) (views.PostForm, error) {
	var err error
	if form.Campaigns, err = s.Store.Campaigns(ctx(c)); err != nil {
		return form, err
	}
	if form.Groups, err = s.Store.Groups(ctx(c)); err != nil {
		return form, err
	}
	form.Networks = share.Networks
	form.TimeZone = zoneName(userOf(c).TimeZone)
	pol, err := s.policy(c)
	form.FourEyes = pol.FourEyes
	return form, err
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
	p, err := s.postParam(c)
	if err != nil {
		return err
	}
	if p.Status == post.Archived {
		return apperr.New(apperr.Conflict, "An archived post cannot be edited.")
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

// checkedPost validates the form and the image upload. It returns the
// fields and the checked upload (nil if none), or the form to show again
// with a message per field. Nothing is stored: the upload is saved with the
// post, once the whole form is accepted.
func (s *server) checkedPost(c *fiber.Ctx, form views.PostForm) (post.Fields, *store.Image, views.PostForm, error) {
	f, errs := form.Input.Validate(s.Now())
	if errs == nil {
		errs = map[string]string{}
	}
	if f.CampaignID != 0 {
		if _, err := s.Store.Campaign(ctx(c), f.CampaignID); errors.Is(err, store.ErrNotFound) {
			errs["campaign"] = "That campaign does not exist any more."
		} else if err != nil {
			return f, nil, form, err
		}
	}
	upload, problem, err := s.uploadedImage(c, "image")
	if err != nil {
		return f, nil, form, err
	}
	form.RemoveImage = c.FormValue("remove_image") == "1"
	switch {
	case problem != "":
		errs["image"] = problem
	case upload == nil && form.RemoveImage:
		f.ImageID = 0
	default:
		f.ImageID = form.ImageID
	}
	form.Errors = errs
	form.ImageDropped = upload != nil // shown if the form is refused: a file input cannot be filled in again
	return f, upload, form, nil
}

// createPost saves a draft, and sends it for review if the author asked
// and the checks allow. An invalid form comes back with what was typed and
// a message per field; nothing is saved, not even an uploaded image.
func (s *server) createPost(c *fiber.Ctx) error {
	u := userOf(c)
	form := views.PostForm{Input: readPostForm(c, u.TimeZone)}
	f, upload, form, err := s.checkedPost(c, form)
	if err != nil {
		return err
	}
	if len(form.Errors) > 0 {
		return s.renderPostForm(c, fiber.StatusUnprocessableEntity, form)
	}
	submit := c.FormValue("then") == "submit"
	if submit {
		if form.Findings, err = s.findings(c, f); err != nil {
			return err
		}
		if check.Blocking(form.Findings) {
			return s.renderPostForm(c, fiber.StatusUnprocessableEntity, form)
		}
	}
	id, err := s.Store.CreatePostWithImage(ctx(c), f, upload, u.ID)
	if err != nil {
		return err
	}
	if submit {
		pol, err := s.policy(c)
		if err != nil {
			return err
		}
		if _, err := s.Store.TransitionPost(ctx(c), id, post.Submit, u.ID, "", pol); err != nil {
			return err
		}
	}
	return c.Redirect(fmt.Sprintf("/posts/%d", id), fiber.StatusSeeOther)
}

// updatePost saves an edit. Editing an approved post sends it back to
// review; the checks run as for a submission when it is in review. A
// refused edit changes nothing: a new image is not stored and the old one
// stays. Whoever changes the content is recorded as its editor (store).
func (s *server) updatePost(c *fiber.Ctx) error {
	p, err := s.postParam(c)
	if err != nil {
		return err
	}
	u := userOf(c)
	form := views.PostForm{PostID: p.ID, Input: readPostForm(c, u.TimeZone), ImageID: p.ImageID, Approved: p.Status == post.Approved}
	f, upload, form, err := s.checkedPost(c, form)
	if err != nil {
		return err
	}
	if len(form.Errors) > 0 {
		return s.renderPostForm(c, fiber.StatusUnprocessableEntity, form)
	}
	if p.Status != post.Draft {
		if form.Findings, err = s.findings(c, f); err != nil {
			return err
		}
		if check.Blocking(form.Findings) {
			return s.renderPostForm(c, fiber.StatusUnprocessableEntity, form)
		}
	}
	if _, err := s.Store.UpdatePost(ctx(c), p.ID, f, upload, u.ID); err != nil {
		return err // a refused edit is a *post.TransitionError: a conflict
	}
	return c.Redirect(fmt.Sprintf("/posts/%d", p.ID), fiber.StatusSeeOther)
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
		if findings, err = s.findings(c, f); err != nil {
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

func (s *server) postParam(c *fiber.Ctx) (post.Post, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return post.Post{}, apperr.New(apperr.NotFound, "There is no such post.")
	}
	p, err := s.Store.Post(ctx(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return p, apperr.New(apperr.NotFound, "There is no such post.")
	}
	return p, err
}

func (s *server) showPost(c *fiber.Ctx) error {
	p, err := s.postParam(c)
	if err != nil {
		return err
	}
	return s.renderPost(c, fiber.StatusOK, p, "", nil)
}

func (s *server) renderPost(c *fiber.Ctx, status int, p post.Post, problem string, findings []check.Finding) error {
	history, err := s.Store.PostHistory(ctx(c), p.ID)
	if err != nil {
		return err
	}
	if findings == nil {
		if findings, err = s.findings(c, fieldsOf(p)); err != nil {
			return err
		}
	}
	pol, err := s.policy(c)
	if err != nil {
		return err
	}
	u := userOf(c)
	_, approveErr := pol.Next(p, post.Approve, u.ID, "")
	m := views.PostPage{Post: p, History: history, Phase: p.Phase(s.Now()), Problem: problem, Findings: findings,
		Preview: previewOf(fieldsOf(p), s.BaseURL), Zone: location(u.TimeZone),
		CanSubmit: p.Status == post.Draft, CanReview: approveErr == nil && !check.Blocking(findings),
		CanEdit: p.Status != post.Archived, CanArchive: p.Status != post.Archived, FourEyes: pol.FourEyes}
	if te := (*post.TransitionError)(nil); p.Status == post.InReview && errors.As(approveErr, &te) && te.Message != problem {
		m.NoApproval = te.Message // why the approve button is not offered
	}
	return s.render(c, status, views.PostView(s.chrome(c, p.Title, "posts"), m))
}

func (s *server) submitPost(c *fiber.Ctx) error  { return s.transition(c, post.Submit) }
func (s *server) approvePost(c *fiber.Ctx) error { return s.transition(c, post.Approve) }
func (s *server) returnPost(c *fiber.Ctx) error  { return s.transition(c, post.Return) }
func (s *server) archivePost(c *fiber.Ctx) error { return s.transition(c, post.Archive) }

// transition applies a workflow action; a refused one shows the post again
// with the reason and changes nothing. Submitting and approving run the
// submission checks first: a blocking finding refuses the action.
func (s *server) transition(c *fiber.Ctx, a post.Action) error {
	p, err := s.postParam(c)
	if err != nil {
		return err
	}
	if a == post.Submit || a == post.Approve {
		findings, err := s.findings(c, fieldsOf(p))
		if err != nil {
			return err
		}
		if check.Blocking(findings) {
			return s.renderPost(c, fiber.StatusConflict, p, "The checks found problems that must be fixed first: edit the post.", findings)
		}
	}
	pol, err := s.policy(c)
	if err != nil {
		return err
	}
	p, err = s.Store.TransitionPost(ctx(c), p.ID, a, userOf(c).ID, c.FormValue("comment"), pol)
	var te *post.TransitionError
	if errors.As(err, &te) {
		return s.renderPost(c, statusOf(err), p, te.Message, nil)
	}
	if err != nil {
		return err
	}
	if a == post.Approve {
		s.wakePublisher()
	}
	return c.Redirect(fmt.Sprintf("/posts/%d", p.ID), fiber.StatusSeeOther)
}
