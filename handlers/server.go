// Package handlers is the portal's HTTP layer: routes, the handlers behind
// them, sessions, CSRF protection and the error page. Handlers parse and
// check input, call the store or a domain package, and render a view.
package handlers

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/advocacy-portal/portal/assets"
	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/audit"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/concern"
	"github.com/advocacy-portal/portal/internal/job"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/notify"
	"github.com/advocacy-portal/portal/internal/pause"
	"github.com/advocacy-portal/portal/internal/post"
	"github.com/advocacy-portal/portal/internal/privacy"
	"github.com/advocacy-portal/portal/internal/reach"
	"github.com/advocacy-portal/portal/internal/scim"
	"github.com/advocacy-portal/portal/internal/share"
	"github.com/advocacy-portal/portal/internal/source"
	"github.com/advocacy-portal/portal/internal/training"
	"github.com/advocacy-portal/portal/views"
)

// Deps is what the portal's handlers need. Every field is required unless
// its comment says otherwise.
type Deps struct {
	// Store is what the portal keeps (internal/store implements it); the
	// services below default to running over it.
	Store       Storage
	Guidelines  *training.Guidelines
	Providers   []auth.Provider
	RoleMap     auth.RoleMap
	GroupsClaim string // the ID token claim carrying group values
	BaseURL     string // the portal's public address, without a trailing slash
	Demo        bool   // demo sign-in is on; every page shows a banner
	Policy      post.Policy
	// AllowedDomains are the email domains that may sign in. Optional: with none, any may.
	AllowedDomains []string
	// MailConfigured says an SMTP server sends the outbox; without one, mail
	// waits in the outbox page for admins to read.
	MailConfigured bool
	Logger         *slog.Logger
	// TrustedProxies are the addresses whose X-Forwarded-For is believed.
	// Optional: with none, the client address is the connection's.
	TrustedProxies []string
	Now            func() time.Time // optional; time.Now by default
	Jobs           Jobs             // optional background jobs to nudge
	// JobStats are the background jobs' pass counters, by job name, for
	// /metrics. Optional.
	JobStats map[string]*job.Stats
	// Clicks records requests to tracked links (/l/{code}); give it a
	// reach.Writer for group commit. Optional: by default each click is
	// committed in a transaction of its own.
	Clicks *reach.Recorder
	// Shares runs the share gate. Optional: by default a share.Service over
	// Store, Guidelines and Now.
	Shares *share.Service
	// HR runs the training administration. Optional: by default a
	// training.HR over Store, Guidelines and Now.
	HR *training.HR
	// Training runs each person's own training: the code of conduct,
	// modules and quizzes. Optional: by default a training.Service over
	// Store, Guidelines and Now.
	Training *training.Service
	// SCIM runs SCIM provisioning and its tokens. Optional: by default a
	// scim.Service over Store.
	SCIM *scim.Service
	// Reach runs the reach dashboards and their exports. Optional: by
	// default a reach.Dashboards over Store and Now.
	Reach *reach.Dashboards
	// Sessions signs people in and keeps their sessions. Optional: by
	// default auth.Sessions over Store with RoleMap, AllowedDomains and Now.
	Sessions *auth.Sessions
	// Outbox reads the outbox for admins. Optional: by default a
	// mail.OutboxReader over Store.
	Outbox *mail.OutboxReader
	// Audit searches and exports the audit log. Optional: by default an
	// audit.Log over Store.
	Audit *audit.Log
	// Privacy runs the download of one's data and erasures. Optional: by
	// default a privacy.Service over Store and Now.
	Privacy *privacy.Service
	// WebhookSettings runs the admins' page of webhooks. Optional: by
	// default notify.WebhookSettings over Store.
	WebhookSettings *notify.WebhookSettings
	// Unsubscribe answers the digest's one-click unsubscribe links.
	// Optional: by default a notify.Unsubscriber over Store.
	Unsubscribe *notify.Unsubscriber
	// Posts runs the post use cases. Optional: by default a post.Service
	// over Store with Policy, waking Jobs.Publisher after an approval.
	Posts *post.Service
	// Directory runs the admins' administration of users. Optional: by
	// default an account.Directory over Store and Now.
	Directory *account.Directory
	// Groups runs HR's groups and roster import. Optional: by default an
	// account.Groups over Store.
	Groups *account.Groups
	// Profiles runs each person's own profile. Optional: by default an
	// account.Profiles over Store, checked against Guidelines' languages.
	Profiles *account.Profiles
	// Campaigns runs the campaign use cases. Optional: by default
	// post.Campaigns over Store.
	Campaigns *post.Campaigns
	// Calendar reads the calendar and the feeds of posts. Optional: by
	// default a post.Calendar over Store and Now.
	Calendar *post.Calendar
	// Images serves the images of posts. Optional: by default post.Images
	// over Store and Now.
	Images *post.Images
	// Sources runs the content sources. Optional: by default a
	// source.Service over Store, waking Jobs.Sources after a feed is added.
	Sources *source.Service
	// Feed reads the employee's feed and share history. Optional: by
	// default a share.Feed over Store, Guidelines and Now.
	Feed *share.Feed
	// Pauses runs the crisis pause. Optional: by default a pause.Service
	// over Store with BaseURL, Webhooks and Logger, waking Jobs.Publisher
	// after a resume.
	Pauses *pause.Service
	// Concerns runs reported concerns and their triage. Optional: by
	// default a concern.Service over Store with BaseURL, Webhooks and
	// Logger.
	Concerns *concern.Service
	// ClickStats reports the group-commit click writer's totals for
	// /metrics. Optional: without it /metrics leaves clicks out.
	ClickStats func() reach.WriterStats
	// MetricsAccess says who may read /metrics. The zero value lets no one.
	MetricsAccess MetricsAccess
	// RateLimits are the per-client limits on sign-in, SCIM and the redirect
	// path. The zero value limits nothing; production passes DefaultRateLimits
	// or the configured ones.
	RateLimits RateLimits
	// Webhooks announces pauses and urgent concerns to the Slack and Teams
	// webhooks (notify.Webhooks). Optional: nil means no webhooks.
	Webhooks interface {
		Message(ctx context.Context, key, title, text, link string) error
	}
}

// Jobs are background jobs handlers may wake after a change, so that its
// effect (e.g. the mail about a new assignment) does not wait for the next
// scheduled run. Waking never blocks the request.
type Jobs struct {
	Reminders interface{ Wake() } // optional
	Publisher interface{ Wake() } // optional: publishes approved posts that are due
	Sources   interface{ Wake() } // optional: polls content sources
}

// wakeReminders asks the reminder job for a pass now.
func (s *server) wakeReminders() {
	if s.Jobs.Reminders != nil {
		s.Jobs.Reminders.Wake()
	}
}

// Cookie names.
const (
	sessionCookie    = "portal_session"
	loginStateCookie = "portal_login_state"
	sessionTTL       = auth.SessionTTL
	loginStateTTL    = auth.LoginStateTTL
)

type server struct {
	Deps
	secure  bool // cookies get the Secure flag and responses HSTS (the base URL is https)
	limits  limiters
	metrics *metrics // the server's own registry, served at /metrics
}

// New builds the portal's Fiber app with every route registered.
func New(d Deps) *fiber.App {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Clicks == nil {
		d.Clicks = reach.NewRecorder(d.Store, reach.Config{Now: d.Now})
	}
	if d.Shares == nil {
		d.Shares = share.NewService(d.Store, d.Guidelines, d.Now)
	}
	if d.HR == nil {
		d.HR = training.NewHR(d.Store, d.Guidelines, d.Now)
	}
	if d.Training == nil {
		d.Training = training.NewService(d.Store, d.Guidelines, d.Now)
	}
	if d.SCIM == nil {
		d.SCIM = scim.NewService(d.Store)
	}
	if d.Reach == nil {
		d.Reach = reach.NewDashboards(d.Store, d.Now)
	}
	if d.Sessions == nil {
		d.Sessions = auth.NewSessions(d.Store, auth.SessionsConfig{RoleMap: d.RoleMap, AllowedDomains: d.AllowedDomains, Now: d.Now})
	}
	if d.Outbox == nil {
		d.Outbox = mail.NewOutboxReader(d.Store)
	}
	if d.Audit == nil {
		d.Audit = audit.NewLog(d.Store)
	}
	if d.Privacy == nil {
		d.Privacy = privacy.NewService(d.Store, d.Now)
	}
	if d.WebhookSettings == nil {
		d.WebhookSettings = notify.NewWebhookSettings(d.Store)
	}
	if d.Unsubscribe == nil {
		d.Unsubscribe = notify.NewUnsubscriber(d.Store)
	}
	if d.Posts == nil {
		d.Posts = post.NewService(d.Store, post.Config{Policy: d.Policy, Publisher: d.Jobs.Publisher})
	}
	if d.Directory == nil {
		d.Directory = account.NewDirectory(d.Store, d.Now)
	}
	if d.Groups == nil {
		d.Groups = account.NewGroups(d.Store)
	}
	if d.Profiles == nil {
		d.Profiles = newProfiles(d.Store, d.Guidelines)
	}
	if d.Campaigns == nil {
		d.Campaigns = post.NewCampaigns(d.Store)
	}
	if d.Calendar == nil {
		d.Calendar = post.NewCalendar(d.Store, d.Now)
	}
	if d.Images == nil {
		d.Images = post.NewImages(d.Store, d.Now)
	}
	if d.Sources == nil {
		d.Sources = source.NewService(d.Store, source.Config{Poller: d.Jobs.Sources})
	}
	if d.Feed == nil {
		d.Feed = share.NewFeed(d.Store, d.Guidelines, d.Now)
	}
	if d.Pauses == nil {
		d.Pauses = pause.NewService(d.Store, pause.Config{BaseURL: d.BaseURL, Webhooks: d.Webhooks,
			Publisher: d.Jobs.Publisher, Logger: d.Logger})
	}
	if d.Concerns == nil {
		d.Concerns = concern.NewService(d.Store, concern.Config{BaseURL: d.BaseURL, Webhooks: d.Webhooks, Logger: d.Logger})
	}
	s := &server{Deps: d, secure: strings.HasPrefix(d.BaseURL, "https://"), limits: newLimiters(d.RateLimits, d.Now),
		metrics: newMetrics(d.ClickStats, d.JobStats)}
	app := fiber.New(fiber.Config{
		ErrorHandler:            s.handleError,
		DisableStartupMessage:   true,
		BodyLimit:               3 << 20, // a 2 MB image plus the rest of the form
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             2 * time.Minute,
		ProxyHeader:             fiber.HeaderXForwardedFor,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          d.TrustedProxies,

		// The request line and headers must fit the read buffer (fasthttp
		// answers 431 otherwise). 16 KB holds a SCIM filter of the parser's
		// 4096 bytes even fully percent-encoded (12 KB) beside 4 KB of other
		// headers, the former default; it costs 12 KB more per connection.
		ReadBufferSize: 16 << 10,
	})
	// The redirect path comes first, with a chain of its own: no request
	// id, no request log (it is counted in the reach figures and in
	// /metrics; failures are logged by the error handler), only the
	// headers a redirect needs (the error handler adds the rest to an
	// error page), and its rate limit checked in the handler with the
	// client address it hashes. Both chains start with guardHeaders, which
	// renders errors itself so that it checks the headers of error pages too.
	app.Get("/l/:code", s.guardHeaders, recover.New(), s.countRequests, s.redirectLink)
	app.Use(s.guardHeaders, recover.New(), requestid.New(), s.countRequests, s.logRequests, s.securityHeaders, s.limitRate)
	s.routes(app)
	app.Use(func(c *fiber.Ctx) error {
		setRouteLabel(c, "(no route)")
		return apperr.New(apperr.NotFound, "There is no page at this address.")
	})
	return app
}

// staticFiles serves the embedded assets.
func staticFiles() fiber.Handler {
	return filesystem.New(filesystem.Config{
		Root:   http.FS(assets.FS()),
		MaxAge: 3600,
	})
}

// logRequests logs each request without the client's address: the portal
// does not write raw IP addresses to its logs.
func (s *server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = statusOf(err)
	}
	s.Logger.LogAttrs(c.UserContext(), slog.LevelInfo, "request",
		slog.String("id", requestID(c)), slog.String("method", c.Method()), slog.String("path", c.Path()),
		slog.Int("status", status), slog.Duration("took", time.Since(start)))
	return err
}

// statusOf is the status the error handler will answer err with, for the
// request log and /metrics.
func statusOf(err error) int {
	status, _ := problemOf(err)
	return status
}

// serverErrorMessage is what a user is told of a failure of the portal's own.
const serverErrorMessage = "Something went wrong on our side. Please try again; if it keeps happening, tell the portal's administrators."

// problemOf is how the portal answers err: an error with a kind
// (apperr.KindOf: an app error, or a domain error such as a refused
// transition or a row that does not exist) with the status for its kind
// and its message for the user; a Fiber error with its own status; and
// anything else as a 500 that says nothing more. handleError, the SCIM
// error writer, the request log and /metrics all answer by it.
func problemOf(err error) (status int, message string) {
	if k := apperr.KindOf(err); k != apperr.Internal {
		message = apperr.MessageOf(err)
		if message == "" {
			message = kindMessage(k)
		}
		return statusFor(k), message
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code, friendlyStatus(fe)
	}
	return fiber.StatusInternalServerError, serverErrorMessage
}

// statusFor is the HTTP status of an error of kind k: the one mapping from
// kinds to statuses.
func statusFor(k apperr.Kind) int {
	switch k {
	case apperr.Invalid:
		return fiber.StatusUnprocessableEntity
	case apperr.NotFound:
		return fiber.StatusNotFound
	case apperr.Forbidden:
		return fiber.StatusForbidden
	case apperr.Conflict:
		return fiber.StatusConflict
	}
	return fiber.StatusInternalServerError
}

// kindMessage is what the user is told of an error of kind k that has no
// message of its own.
func kindMessage(k apperr.Kind) string {
	switch k {
	case apperr.Invalid:
		return "The request could not be understood. Please go back and try again."
	case apperr.NotFound:
		return "We could not find what you asked for."
	case apperr.Forbidden:
		return "Your roles do not allow this. If you think they should, ask the portal's administrators."
	case apperr.Conflict:
		return "This was changed meanwhile, so nothing was done. Reload the page and try again."
	}
	return serverErrorMessage
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestid.ConfigDefault.ContextKey).(string)
	return id
}

// contentSecurityPolicy allows scripts only from the portal's own files
// (no inline scripts or handlers; htmx needs no eval). Inline styles stay
// allowed for the templates' style attributes. Forms may post to the portal
// only, but form-action also governs the redirects that follow a post, and
// sharing redirects to the networks' https share pages (or mailto:).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self' https: mailto:"

// securityHeaders sets the headers every response carries, and HSTS when
// the portal is served over https.
func (s *server) securityHeaders(c *fiber.Ctx) error {
	setSecurityHeaders(c, contentSecurityPolicy)
	s.setHSTS(c)
	return c.Next()
}

// demoIdPSecurityHeaders are the demo identity provider's: the portal's
// policy without form-action, since its sign-in form redirects back to the
// portal, which may be served over plain http on another port.
func demoIdPSecurityHeaders(c *fiber.Ctx) error {
	setSecurityHeaders(c, strings.TrimSuffix(contentSecurityPolicy, "; form-action 'self' https: mailto:"))
	return c.Next()
}

// referrerPolicy tells other sites the portal's origin only, never a path.
const referrerPolicy = "strict-origin-when-cross-origin"

// setHSTS sets Strict-Transport-Security when the portal is served over https.
func (s *server) setHSTS(c *fiber.Ctx) {
	if s.secure {
		c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

func setSecurityHeaders(c *fiber.Ctx, csp string) {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", referrerPolicy)
	c.Set("Content-Security-Policy", csp)
}

// handleError turns an error from a handler into a response (problemOf):
// an error with a kind shows its status and message; anything else is
// logged with the request id and shown as "Something went wrong".
func (s *server) handleError(c *fiber.Ctx, err error) error {
	if isSCIMPath(c.Path()) {
		return s.writeSCIMError(c, err) // SCIM clients read SCIM errors, not the HTML page
	}
	status, message := problemOf(err)
	if status >= 500 {
		s.Logger.Error("request failed", "id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
	}
	c.Status(status)
	setSecurityHeaders(c, contentSecurityPolicy) // the redirect path's chain does not set them
	s.setHSTS(c)
	if strings.HasPrefix(c.Path(), "/l/") {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	if refused, ok := errors.AsType[*refusedInput](err); ok {
		return s.render(c, status, views.InputRefusedView(s.chrome(c, "Error", ""),
			views.InputRefusedPage{Fields: refused.fields, Back: s.refererPath(c)}))
	}
	return s.render(c, status, views.ErrorPage(s.chrome(c, "Error", ""), status, message))
}

func friendlyStatus(fe *fiber.Error) string {
	switch fe.Code {
	case fiber.StatusNotFound:
		return "There is no page at this address."
	case fiber.StatusMethodNotAllowed:
		return "This address does not accept that kind of request."
	case fiber.StatusRequestEntityTooLarge:
		return "What you sent is too large."
	case fiber.StatusTooManyRequests:
		return "Too many requests came from your address in a short time. Please wait a moment and try again."
	}
	if fe.Code < 500 {
		return "The request could not be understood. Please go back and try again."
	}
	return "Something went wrong on our side. Please try again."
}

// render writes a templ component as the HTML response.
func (s *server) render(c *fiber.Ctx, status int, component templ.Component) error {
	c.Status(status)
	c.Type("html", "utf-8")
	return component.Render(c.UserContext(), c.Response().BodyWriter())
}

// chrome is the layout data for the current request.
func (s *server) chrome(c *fiber.Ctx, title, active string) views.Chrome {
	ch := views.Chrome{Title: title, Demo: s.Demo, Active: active, Lang: s.lang(c),
		Languages: s.Guidelines.Languages, Path: string(c.Request().URI().RequestURI())}
	if sess := sessionOf(c); sess != nil {
		ch.User = &sess.User
		ch.CSRF = sess.CSRFToken
	}
	ch.Dir = views.TextDirection(ch.Lang)
	return ch
}

// lang is the language to show guidelines in: the one the user chose, or
// the best match for their browser among the guidelines' languages.
func (s *server) lang(c *fiber.Ctx) string {
	var wanted []string
	if sess := sessionOf(c); sess != nil && sess.User.LanguageChosen {
		wanted = append(wanted, sess.User.Language)
	}
	for _, part := range strings.Split(c.Get(fiber.HeaderAcceptLanguage), ",") {
		tag, _, _ := strings.Cut(part, ";")
		wanted = append(wanted, tag)
	}
	return s.Guidelines.Language(wanted...)
}

const sessionKey = "session"

// sessionOf returns the signed-in session of the request, or nil.
func sessionOf(c *fiber.Ctx) *auth.Session {
	sess, _ := c.Locals(sessionKey).(*auth.Session)
	return sess
}

// userOf returns the signed-in user; only call it behind requireRoles.
func userOf(c *fiber.Ctx) account.User { return sessionOf(c).User }

// loadSession attaches the session named by the cookie, if it is valid.
func (s *server) loadSession(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	if token == "" {
		return c.Next()
	}
	sess, err := s.Sessions.Session(c.UserContext(), token)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		c.Cookie(s.expiredCookie(sessionCookie))
	case err != nil:
		return err
	default:
		c.Locals(sessionKey, &sess)
	}
	return c.Next()
}

// requireRoles lets the request through only for a signed-in user holding
// one of roles. Anonymous visitors are sent to sign in; others get 403.
func (s *server) requireRoles(roles ...account.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sess := sessionOf(c)
		if sess == nil {
			next := "/"
			if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
				next = string(c.Request().URI().RequestURI())
			}
			return c.Redirect("/login?next="+url.QueryEscape(next), fiber.StatusSeeOther)
		}
		if len(roles) > 0 && !sess.User.HasAny(roles...) {
			return apperr.New(apperr.Forbidden, "Your roles do not give you access to this page. If you think they should, ask the portal's administrators.")
		}
		return c.Next()
	}
}

// checkCSRF refuses a state-changing request that did not come from the
// portal's own pages. Its token must match the session's; it is taken from
// the form body (urlencoded or multipart) or the X-CSRF-Token header, never
// from the query string, where it would end up in logs and Referer headers.
// As a second line, the Origin header (or, without one, the Referer) must
// name the portal's own origin (BaseURL) when the browser sends either: a
// foreign or "null" origin is refused, while a request with neither (older
// clients) is judged by its token alone. It runs after loadSession.
func (s *server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sess := sessionOf(c)
	sent := csrfToken(c)
	if sess == nil || sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(sess.CSRFToken)) != 1 || !s.fromOwnOrigin(c) {
		return apperr.New(apperr.Forbidden, "This form has expired or did not come from this portal, so nothing was changed. Go back, reload the page and try again.")
	}
	return c.Next()
}

// csrfToken is the CSRF token a request sent in its form body or its
// X-CSRF-Token header, or "". Unlike c.FormValue it never reads the query.
func csrfToken(c *fiber.Ctx) string {
	if v := c.Request().PostArgs().Peek("_csrf"); len(v) > 0 {
		return string(v)
	}
	if form, err := c.MultipartForm(); err == nil && len(form.Value["_csrf"]) > 0 {
		return form.Value["_csrf"][0]
	}
	return c.Get("X-CSRF-Token")
}

// fromOwnOrigin reports whether the request's Origin header, or its
// Referer when it has no Origin, names the portal's own origin. A request
// with neither header passes.
func (s *server) fromOwnOrigin(c *fiber.Ctx) bool {
	from := c.Get(fiber.HeaderOrigin)
	if from == "" {
		from = c.Get(fiber.HeaderReferer)
	}
	if from == "" {
		return true
	}
	u, err := url.Parse(from)
	return err == nil && originOf(u) != "" && originOf(u) == s.origin()
}

func (s *server) cookie(name, value string, ttl time.Duration) *fiber.Cookie {
	return &fiber.Cookie{Name: name, Value: value, Path: "/", Expires: s.Now().Add(ttl),
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode}
}

func (s *server) expiredCookie(name string) *fiber.Cookie {
	return &fiber.Cookie{Name: name, Value: "", Path: "/", Expires: time.Unix(1, 0), MaxAge: -1,
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode}
}

// ctx is the request's context for calls into the store.
func ctx(c *fiber.Ctx) context.Context { return c.UserContext() }
