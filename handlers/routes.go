package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
)

// router registers routes with the access rules every route must declare.
type router struct {
	app *fiber.App
	s   *server
}

// public registers a route anyone may use, signed in or not.
func (r router) public(method, path string, h fiber.Handler) {
	addRoute(r.app, method, path, r.s.loadSession, h)
}

// allow registers a route for signed-in users holding one of roles (any
// signed-in user if none). State-changing requests also need the
// session's CSRF token, and text in their form that may be stored.
func (r router) allow(method, path string, h fiber.Handler, roles ...account.Role) {
	addRoute(r.app, method, path, r.s.loadSession, r.s.requireRoles(roles...), r.s.checkCSRF, r.s.checkInput, h)
}

// preview registers a POST route as allow does, but without the input
// check: it stores nothing and only renders what was sent back (escaped),
// so a stray tab pasted into a title must not stop a live preview that
// htmx would then leave blank; saving the form checks it.
func (r router) preview(path string, h fiber.Handler, roles ...account.Role) {
	addRoute(r.app, fiber.MethodPost, path, r.s.loadSession, r.s.requireRoles(roles...), r.s.checkCSRF, h)
}

// addRoute registers handlers for method and path. A GET route answers
// HEAD too, with the same status and headers and no body (fasthttp drops
// it), as app.Get does and app.Add(GET) does not: mail link checkers and
// monitors send HEAD. Every route is registered through here or app.Get.
func addRoute(app *fiber.App, method, path string, handlers ...fiber.Handler) {
	if method == fiber.MethodGet {
		app.Get(path, handlers...)
		return
	}
	app.Add(method, path, handlers...)
}

const httpGet, httpPost = fiber.MethodGet, fiber.MethodPost

var (
	employee = []account.Role{account.Employee}
	hr       = []account.Role{account.HR, account.Admin}
	comms    = []account.Role{account.Comms, account.Admin}
	admin    = []account.Role{account.Admin}
)

// routes registers every route of the portal. With the area functions it
// calls, it is the map of the app: each route says who may use it. The role
// test in routes_test.go holds a table of the same routes and fails when
// one is added without an entry.
func (s *server) routes(app *fiber.App) {
	// No session, no templates: the redirect path, health and assets.
	app.Get("/healthz", s.healthz)
	app.Get("/metrics", s.showMetrics) // allowed addresses or a token only; 404 for others
	// /l/:code, the redirect path, is registered ahead of the middleware in New.
	app.Use("/assets", staticFiles())

	r := router{app: app, s: s}
	r.public(httpGet, "/", s.showHome)
	r.public(httpGet, "/login", s.showLogin)
	r.public(httpGet, "/auth/:provider", s.beginSignIn)
	r.public(httpGet, "/auth/:provider/callback", s.finishSignIn)
	r.allow(httpPost, "/logout", s.signOut)
	r.allow(httpPost, "/language", s.chooseLanguage)
	r.public(httpGet, "/unsubscribe/:token", s.showUnsubscribe) // the digest's one-click link: a token, no session
	r.public(httpPost, "/unsubscribe/:token", s.unsubscribe)    // RFC 8058: no session, no CSRF token

	r.allow(httpGet, "/conduct", s.showConduct)
	r.allow(httpPost, "/conduct/acknowledge", s.acknowledgeConduct, employee...)
	r.allow(httpGet, "/training", s.listModules, employee...)
	r.allow(httpGet, "/training/:module", s.showModule, employee...)
	r.allow(httpPost, "/training/:module/attempts", s.startAttempt, employee...)
	r.allow(httpGet, "/training/:module/attempts/:attempt", s.showAttempt, employee...)
	r.allow(httpPost, "/training/:module/attempts/:attempt/answers", s.answerQuestion, employee...)

	r.allow(httpGet, "/feed", s.showFeed, employee...)
	r.allow(httpPost, "/posts/:id/share", s.sharePost, employee...)
	r.allow(httpGet, "/my/reach", s.showMyReach, employee...)

	r.allow(httpGet, "/posts", s.listPosts, comms...)
	r.allow(httpGet, "/posts/new", s.newPost, comms...)
	r.allow(httpPost, "/posts", s.createPost, comms...)
	r.preview("/posts/preview", s.previewPost, comms...)
	r.allow(httpGet, "/posts/:id", s.showPost, comms...)
	r.allow(httpPost, "/posts/:id", s.updatePost, comms...)
	r.allow(httpGet, "/posts/:id/edit", s.editPost, comms...)
	r.allow(httpPost, "/posts/:id/submit", s.submitPost, comms...)
	r.allow(httpPost, "/posts/:id/approve", s.approvePost, comms...)
	r.allow(httpPost, "/posts/:id/return", s.returnPost, comms...)
	r.allow(httpPost, "/posts/:id/archive", s.archivePost, comms...)
	r.allow(httpGet, "/reach", s.showReach, comms...)

	s.hrRoutes(r)
	s.profileRoutes(r)
	s.contentRoutes(r)
	s.adminUserRoutes(r)
	s.privacyRoutes(r)
	s.reachRoutes(r)
	s.concernRoutes(r)
	s.pauseRoutes(r)
	s.sourceRoutes(r, app)

	r.allow(httpGet, "/admin/training", s.showTrainingSettings, admin...)
	r.allow(httpPost, "/admin/training", s.saveTrainingSettings, admin...)
	r.allow(httpGet, "/admin/content", s.showContentSettings, admin...)
	r.allow(httpPost, "/admin/content", s.saveContentSettings, admin...)
	r.allow(httpGet, "/admin/outbox", s.showOutbox, admin...)

	s.scimRoutes(app, r)
}
