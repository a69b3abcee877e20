package handlers

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/views"
)

func (s *server) listPosts(c *fiber.Ctx) error {
	posts, err := s.Store.Posts(ctx(c))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, views.PostsView(s.chrome(c, "Posts", "posts"), views.PostsPage{Posts: posts}))
}

func (s *server) newPost(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, views.PostFormView(s.chrome(c, "New post", "posts"), views.PostForm{}))
}

// createPost saves a draft, and sends it for review if the author asked.
// An invalid form comes back with what was typed and a message per field.
func (s *server) createPost(c *fiber.Ctx) error {
	in := post.Input{Title: c.FormValue("title"), URL: c.FormValue("url"), Commentary: c.FormValue("commentary"),
		Category: c.FormValue("category"), Campaign: c.FormValue("campaign")}
	if errs := in.Validate(); len(errs) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, views.PostFormView(s.chrome(c, "New post", "posts"),
			views.PostForm{Input: in, Errors: errs}))
	}
	u := userOf(c)
	id, err := s.Store.CreatePost(ctx(c), in, u.ID)
	if err != nil {
		return err
	}
	if c.FormValue("then") == "submit" {
		if _, err := s.Store.TransitionPost(ctx(c), id, post.Submit, u.ID, "", s.Policy); err != nil {
			return err
		}
	}
	return c.Redirect(fmt.Sprintf("/posts/%d", id), fiber.StatusSeeOther)
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
	return s.renderPost(c, fiber.StatusOK, p, "")
}

func (s *server) renderPost(c *fiber.Ctx, status int, p post.Post, problem string) error {
	history, err := s.Store.PostHistory(ctx(c), p.ID)
	if err != nil {
		return err
	}
	u := userOf(c)
	_, approveErr := s.Policy.Next(p, post.Approve, u.ID, "")
	m := views.PostPage{Post: p, History: history, Live: p.Live(s.Now()), Problem: problem,
		CanSubmit: p.Status == post.Draft, CanReview: approveErr == nil, OwnPost: p.AuthorID == u.ID}
	return s.render(c, status, views.PostView(s.chrome(c, p.Title, "posts"), m))
}

func (s *server) submitPost(c *fiber.Ctx) error  { return s.transition(c, post.Submit) }
func (s *server) approvePost(c *fiber.Ctx) error { return s.transition(c, post.Approve) }
func (s *server) returnPost(c *fiber.Ctx) error  { return s.transition(c, post.Return) }

// transition applies a workflow action; a refused one shows the post again
// with the reason and changes nothing.
func (s *server) transition(c *fiber.Ctx, a post.Action) error {
	p, err := s.postParam(c)
	if err != nil {
		return err
	}
	p, err = s.Store.TransitionPost(ctx(c), p.ID, a, userOf(c).ID, c.FormValue("comment"), s.Policy)
	var te *post.TransitionError
	if errors.As(err, &te) {
		return s.renderPost(c, fiber.StatusConflict, p, te.Message)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/posts/%d", p.ID), fiber.StatusSeeOther)
}
