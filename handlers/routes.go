package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
)

// routes registers every route of the portal. It is the map of the app:
// each route says who may use it. The role test in routes_test.go holds a
// table of the same routes and fails when one is added without an entry.
func (s *server) routes(app *fiber.App) {
	// No session, no templates: the redirect path, health and assets.
	app.Get("/healthz", s.healthz)
	app.Get("/l/:code", s.redirectLink)
	app.Use("/assets", staticFiles())

	// Anyone, signed in or not.
	public := func(method, path string, h fiber.Handler) {
		app.Add(method, path, s.loadSession, h)
	}
	// Signed-in users holding one of roles (any signed-in user if none).
	// State-changing requests also need the session's CSRF token.
	allow := func(method, path string, h fiber.Handler, roles ...account.Role) {
		app.Add(method, path, s.loadSession, s.requireRoles(roles...), s.checkCSRF, h)
	}
	const get, post = fiber.MethodGet, fiber.MethodPost
	employee := account.Employee
	comms := []account.Role{account.Comms, account.Admin}

	public(get, "/", s.showHome)
	public(get, "/login", s.showLogin)
	public(get, "/auth/:provider", s.beginSignIn)
	public(get, "/auth/:provider/callback", s.finishSignIn)
	allow(post, "/logout", s.signOut)

	allow(get, "/conduct", s.showConduct)
	allow(post, "/conduct/acknowledge", s.acknowledgeConduct, employee)
	allow(get, "/training", s.listModules, employee)
	allow(get, "/training/:module", s.showModule, employee)
	allow(post, "/training/:module/attempts", s.submitQuiz, employee)
	allow(get, "/training/:module/attempts/:attempt", s.showAttempt, employee)

	allow(get, "/feed", s.showFeed, employee)
	allow(post, "/posts/:id/share", s.sharePost, employee)
	allow(get, "/my/reach", s.showMyReach, employee)

	allow(get, "/posts", s.listPosts, comms...)
	allow(get, "/posts/new", s.newPost, comms...)
	allow(post, "/posts", s.createPost, comms...)
	allow(get, "/posts/:id", s.showPost, comms...)
	allow(post, "/posts/:id/submit", s.submitPost, comms...)
	allow(post, "/posts/:id/approve", s.approvePost, comms...)
	allow(post, "/posts/:id/return", s.returnPost, comms...)
	allow(get, "/reach", s.showReach, comms...)
}
