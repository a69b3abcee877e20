package handlers

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/scim"
)

// scimPrefix is where the SCIM 2.0 endpoint lives.
const scimPrefix = "/scim/v2"

// scimRoutes registers SCIM 2.0 provisioning (RFC 7644) for Users and
// Groups, and the admin pages that create and revoke its bearer tokens.
// SCIM routes have no session and no CSRF check: every request carries a
// token, and every answer, errors included, is application/scim+json.
func (s *server) scimRoutes(app *fiber.App, r router) {
	r.allow(httpGet, "/admin/scim", s.showSCIMTokens, admin...)
	r.allow(httpPost, "/admin/scim/tokens", s.createSCIMToken, admin...)
	r.allow(httpPost, "/admin/scim/tokens/:id/revoke", s.revokeSCIMToken, admin...)

	var registered []scimRoute
	route := func(method, path string, h scimHandler) {
		registered = append(registered, scimRoute{method, path})
		addRoute(app, method, scimPrefix+path, s.scim(h)) // a GET answers HEAD too
	}
	route(httpGet, "/ServiceProviderConfig", s.showSCIMConfig)
	route(httpGet, "/ResourceTypes", s.listSCIMResourceTypes)
	route(httpGet, "/ResourceTypes/:id", s.showSCIMResourceType)
	route(httpGet, "/Schemas", s.listSCIMSchemas)
	route(httpGet, "/Schemas/:id", s.showSCIMSchema)

	route(httpGet, "/Users", s.listSCIMUsers)
	route(httpPost, "/Users", s.createSCIMUser)
	route(httpGet, "/Users/:id", s.showSCIMUser)
	route(fiber.MethodPut, "/Users/:id", s.replaceSCIMUser)
	route(fiber.MethodPatch, "/Users/:id", s.patchSCIMUser)
	route(fiber.MethodDelete, "/Users/:id", s.deleteSCIMUser)

	route(httpGet, "/Groups", s.listSCIMGroups)
	route(httpPost, "/Groups", s.createSCIMGroup)
	route(httpGet, "/Groups/:id", s.showSCIMGroup)
	route(fiber.MethodPut, "/Groups/:id", s.replaceSCIMGroup)
	route(fiber.MethodPatch, "/Groups/:id", s.patchSCIMGroup)
	route(fiber.MethodDelete, "/Groups/:id", s.deleteSCIMGroup)

	// Anything else under the prefix is a SCIM 405 or 404, not the HTML page.
	app.Use(scimPrefix, s.scim(func(c *fiber.Ctx, _ int64) error {
		rest := c.Path()[min(len(scimPrefix), len(c.Path())):] // the prefix matched, ignoring case
		if allow := allowedSCIMMethods(registered, rest); len(allow) > 0 {
			c.Set(fiber.HeaderAllow, strings.Join(allow, ", "))
			return scim.Errorf(fiber.StatusMethodNotAllowed, "", "%s does not take %s; it takes %s",
				c.Path(), c.Method(), strings.Join(allow, ", "))
		}
		return scim.Errorf(fiber.StatusNotFound, "", "there is no SCIM endpoint %s %s", c.Method(), c.Path())
	}))
}

// scimRoute is a SCIM endpoint: a method and a path under scimPrefix,
// whose ":id" segment stands for any one segment.
type scimRoute struct{ method, path string }

// allowedSCIMMethods lists the methods routes take at path (HEAD with
// GET), in the order registered; none if no route has the path.
func allowedSCIMMethods(routes []scimRoute, path string) []string {
	segments := strings.Split(strings.Trim(path, "/"), "/")
	var allow []string
	for _, r := range routes {
		pattern := strings.Split(strings.Trim(r.path, "/"), "/")
		if len(pattern) != len(segments) {
			continue
		}
		match := true
		for i, p := range pattern {
			if !(strings.HasPrefix(p, ":") && segments[i] != "" || strings.EqualFold(p, segments[i])) {
				match = false
				break
			}
		}
		if match && !slices.Contains(allow, r.method) {
			allow = append(allow, r.method)
			if r.method == httpGet {
				allow = append(allow, fiber.MethodHead)
			}
		}
	}
	return allow
}

// isSCIMPath reports whether path is under scimPrefix (routing ignores case).
func isSCIMPath(path string) bool {
	p := strings.ToLower(path)
	return p == strings.ToLower(scimPrefix) || strings.HasPrefix(p, strings.ToLower(scimPrefix)+"/")
}

// scimHandler is a SCIM endpoint; tokenID is the token the client
// authenticated with, for the audit log.
type scimHandler func(c *fiber.Ctx, tokenID int64) error

// scim authenticates the request by its bearer token, checks the rate
// limit, runs h and turns an error from any of them into a SCIM error
// response (RFC 7644 §3.12), so that no SCIM client ever gets the
// portal's HTML error page.
func (s *server) scim(h scimHandler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		tokenID, err := s.authenticateSCIM(c)
		if limitErr := s.limitSCIM(c, tokenID); limitErr != nil {
			err = limitErr
		} else if err == nil {
			err = h(c, tokenID)
		}
		if err != nil {
			return s.writeSCIMError(c, err)
		}
		return nil
	}
}

// limitSCIM takes a token from the caller's bucket: a valid token's own
// (tokenID), or, for a request without one, the client address's, so that
// made-up tokens buy no fresh bucket. A valid token keeps working while
// its address floods the endpoint with bad ones.
func (s *server) limitSCIM(c *fiber.Ctx, tokenID int64) error {
	key := "addr:" + s.clientIP(c).String()
	if tokenID != 0 {
		key = "token:" + strconv.FormatInt(tokenID, 10)
	}
	if err := checkLimit(c, s.limits.scim, key); err != nil {
		setRouteLabel(c, "(SCIM, rate limited)")
		return err
	}
	return nil
}

// authenticateSCIM finds the token in the Authorization header among the
// tokens in use, comparing hashes in constant time. A missing, unknown or
// revoked token is a 401.
func (s *server) authenticateSCIM(c *fiber.Ctx) (int64, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(c.Get(fiber.HeaderAuthorization)), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		token = ""
	}
	id, err := s.SCIM.Authenticate(ctx(c), strings.TrimSpace(token))
	if errors.Is(err, scim.ErrUnauthorized) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="portal SCIM"`)
	}
	return id, err
}

// writeSCIMError answers err as a SCIM error, with the status problemOf
// gives it: a SCIM error as it is; app errors (e.g. a check that ran
// before the SCIM handler) with their message; missing rows and unknown
// members with SCIM's words for them (the scim.Service answers names in
// use as SCIM errors of their own); Fiber
// errors with a detail a client's log reader can act on. Anything
// unexpected is logged with the request id and answered as a 500 that
// says nothing more. handleError sends every error under scimPrefix here,
// also those raised before a SCIM handler ran (a body over the limit, a
// check of another middleware).
func (s *server) writeSCIMError(c *fiber.Ctx, err error) error {
	var se *scim.Error
	if !errors.As(err, &se) {
		se = s.scimErrorOf(c, err)
	}
	return scimJSON(c, se.Code(), se)
}

// scimErrorOf is err, which is not a SCIM error, as one.
func (s *server) scimErrorOf(c *fiber.Ctx, err error) *scim.Error {
	status, message := problemOf(err)
	var ae *apperr.Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &ae) && status < 500:
		return scim.Errorf(status, "", "%s", message)
	case apperr.KindOf(err) == apperr.NotFound:
		return scim.Errorf(status, "", "no such resource")
	case errors.Is(err, scim.ErrUnknownMember):
		// An invalid value is a 400 in SCIM (RFC 7644 §3.12), not a 422.
		return scim.Errorf(fiber.StatusBadRequest, scim.InvalidValue, "a member is not a user of the portal")
	case errors.As(err, &fe):
		return scim.Errorf(status, "", "%s", scimDetail(fe))
	case status < 500: // another error with a kind
		return scim.Errorf(status, "", "%s", message)
	}
	s.Logger.Error("scim request failed", "id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
	return scim.Errorf(fiber.StatusInternalServerError, "", "internal error; the request id is %s", requestID(c))
}

// scimDetail is the detail of a SCIM error for a Fiber error, in words a
// provisioning client's log reader can act on.
func scimDetail(fe *fiber.Error) string {
	switch fe.Code {
	case fiber.StatusTooManyRequests:
		return "too many requests from this client; wait the seconds Retry-After says and send again"
	case fiber.StatusRequestEntityTooLarge:
		return "the body is larger than the portal accepts"
	}
	return fe.Message
}

// scimJSON writes v as an application/scim+json response, never cached.
func scimJSON(c *fiber.Ctx, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, scim.ContentType)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}

// scimBase is the SCIM endpoint's public address, for meta.location.
func (s *server) scimBase() string { return s.BaseURL + scimPrefix }

func (s *server) showSCIMConfig(c *fiber.Ctx, _ int64) error {
	return scimJSON(c, fiber.StatusOK, scim.NewServiceProviderConfig(s.scimBase()))
}

func (s *server) listSCIMResourceTypes(c *fiber.Ctx, _ int64) error {
	types := scim.ResourceTypes(s.scimBase())
	return scimJSON(c, fiber.StatusOK, scim.NewListResponse(types, len(types), 1))
}

func (s *server) showSCIMResourceType(c *fiber.Ctx, _ int64) error {
	for _, t := range scim.ResourceTypes(s.scimBase()) {
		if t.ID == c.Params("id") {
			return scimJSON(c, fiber.StatusOK, t)
		}
	}
	return scim.Errorf(fiber.StatusNotFound, "", "no resource type %q", c.Params("id"))
}

func (s *server) listSCIMSchemas(c *fiber.Ctx, _ int64) error {
	schemas := scim.Schemas(s.scimBase())
	return scimJSON(c, fiber.StatusOK, scim.NewListResponse(schemas, len(schemas), 1))
}

func (s *server) showSCIMSchema(c *fiber.Ctx, _ int64) error {
	for _, sc := range scim.Schemas(s.scimBase()) {
		if strings.EqualFold(sc.ID, c.Params("id")) {
			return scimJSON(c, fiber.StatusOK, sc)
		}
	}
	return scim.Errorf(fiber.StatusNotFound, "", "no schema %q", c.Params("id"))
}

// scimQuery reads the filter (one of allowed, compared with eq) and the
// page of a list request.
func scimQuery(c *fiber.Ctx, allowed ...string) (scim.EqualityFilter, scim.Page, error) {
	var f scim.EqualityFilter
	if q := c.Query("filter"); strings.TrimSpace(q) != "" {
		e, err := scim.ParseFilter(q)
		if err != nil {
			return f, scim.Page{}, err
		}
		if f, err = scim.Equality(e, allowed...); err != nil {
			return f, scim.Page{}, err
		}
	}
	page, err := scim.ParsePage(c.Query("startIndex"), c.Query("count"))
	return f, page, err
}

// scimProjection reads the attributes and excludedAttributes parameters of
// a GET of resourceType (RFC 7644 §3.4.2.5).
func scimProjection(c *fiber.Ctx, resourceType string) (scim.Projection, error) {
	return scim.ParseProjection(resourceType, c.Query("attributes"), c.Query("excludedAttributes"))
}

// scimResources renders a page of resources as a list response, each cut
// down to what the projection asks for.
func scimResources[T any](c *fiber.Ctx, p scim.Projection, resources []T, total, startIndex int) error {
	out := make([]any, len(resources))
	for i, r := range resources {
		var err error
		if out[i], err = p.Apply(r); err != nil {
			return err
		}
	}
	return scimJSON(c, fiber.StatusOK, scim.NewListResponse(out, total, startIndex))
}

// scimResource answers one resource, cut down to what the projection asks for.
func scimResource(c *fiber.Ctx, status int, p scim.Projection, resource any) error {
	out, err := p.Apply(resource)
	if err != nil {
		return err
	}
	return scimJSON(c, status, out)
}

// scimID is the resource id in the path; one that cannot exist is a 404.
func scimID(c *fiber.Ctx) (int64, error) { return scim.ParseID(c.Params("id")) }

// listSCIMUsers answers a query for users; Entra ID and Okta look a person
// up with filter=userName eq "…" (or externalId, or Entra ID's
// emails[type eq "work"].value) before creating them.
func (s *server) listSCIMUsers(c *fiber.Ctx, _ int64) error {
	f, page, err := scimQuery(c, "userName", "externalId", "emails.value", "id")
	if err != nil {
		return err
	}
	p, err := scimProjection(c, "User")
	if err != nil {
		return err
	}
	users, total, err := s.SCIM.Users(ctx(c), f, page)
	if err != nil {
		return err
	}
	out := make([]scim.UserResource, len(users))
	for i, u := range users {
		out[i] = scim.RenderUser(u, s.scimBase())
	}
	return scimResources(c, p, out, total, page.StartIndex)
}

func (s *server) showSCIMUser(c *fiber.Ctx, _ int64) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	p, err := scimProjection(c, "User")
	if err != nil {
		return err
	}
	u, err := s.SCIM.User(ctx(c), id)
	if err != nil {
		return err
	}
	return scimResource(c, fiber.StatusOK, p, scim.RenderUser(u, s.scimBase()))
}

// createSCIMUser provisions a person; they get the employee role and sign
// in later through the identity provider, matched by their address.
func (s *server) createSCIMUser(c *fiber.Ctx, tokenID int64) error {
	u, err := scim.ParseUser(c.Body())
	if err != nil {
		return err
	}
	created, err := s.SCIM.CreateUser(ctx(c), u, tokenID)
	if err != nil {
		return err
	}
	res := scim.RenderUser(created, s.scimBase())
	c.Location(res.Meta.Location)
	return scimJSON(c, fiber.StatusCreated, res)
}

func (s *server) replaceSCIMUser(c *fiber.Ctx, tokenID int64) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	u, err := s.SCIM.ReplaceUser(ctx(c), id, c.Body(), tokenID)
	if err != nil {
		return err
	}
	return scimJSON(c, fiber.StatusOK, scim.RenderUser(u, s.scimBase()))
}

// patchSCIMUser applies a PatchOp; setting active to false deactivates the
// person and ends their sessions.
func (s *server) patchSCIMUser(c *fiber.Ctx, tokenID int64) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	ops, err := scim.ParsePatch(c.Body())
	if err != nil {
		return err
	}
	u, err := s.SCIM.PatchUser(ctx(c), id, ops, tokenID)
	if err != nil {
		return err
	}
	return scimJSON(c, fiber.StatusOK, scim.RenderUser(u, s.scimBase()))
}

// deleteSCIMUser deactivates the person; their history stays.
func (s *server) deleteSCIMUser(c *fiber.Ctx, tokenID int64) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	if err := s.SCIM.DeleteUser(ctx(c), id, tokenID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *server) renderSCIMGroup(g scim.Group, members bool) scim.GroupResource {
	return scim.RenderGroup(g, s.scimBase(), members)
}

// listSCIMGroups answers a query for groups. Members are loaded only when
// the response shows them: Entra ID asks with excludedAttributes=members.
func (s *server) listSCIMGroups(c *fiber.Ctx, _ int64) error {
	f, page, err := scimQuery(c, "displayName", "externalId", "id")
	if err != nil {
		return err
	}
	p, err := scimProjection(c, "Group")
	if err != nil {
		return err
	}
	members := p.Returns("members")
	groups, total, err := s.SCIM.Groups(ctx(c), f, page, members)
	if err != nil {
		return err
	}
	out := make([]scim.GroupResource, len(groups))
	for i, g := range groups {
		out[i] = s.renderSCIMGroup(g, members)
	}
	return scimResources(c, p, out, total, page.StartIndex)
}

func (s *server) showSCIMGroup(c *fiber.Ctx, _ int64) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	p, err := scimProjection(c, "Group")
	if err != nil {
		return err
	}
	members := p.Returns("members")
	g, err := s.SCIM.Group(ctx(c), id, members)
	if err != nil {
		return err
	}
	return scimResource(c, fiber.StatusOK, p, s.renderSCIMGroup(g, members))
}

// createSCIMGroup creates a group (a team); its members get its training.
func (s *server) createSCIMGroup(c *fiber.Ctx, tokenID int64) error {
	g, err := scim.ParseGroup(c.Body())
	if err != nil {
		return err
	}
	created, err := s.SCIM.CreateGroup(ctx(c), g, tokenID)
	if err != nil {
		return err
	}
	res := s.renderSCIMGroup(created, true)
	c.Location(res.Meta.Location)
	return scimJSON(c, fiber.StatusCreated, res)
}

func (s *server) replaceSCIMGroup(c *fiber.Ctx, tokenID int64) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	g, err := s.SCIM.ReplaceGroup(ctx(c), id, c.Body(), tokenID)
	if err != nil {
		return err
	}
	return scimJSON(c, fiber.StatusOK, s.renderSCIMGroup(g, true))
}

// patchSCIMGroup applies a PatchOp: a new name, or members added, removed
// or replaced. It answers 204, as Entra ID and Okta expect, sparing a
// large group's member list.
func (s *server) patchSCIMGroup(c *fiber.Ctx, tokenID int64) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	ops, err := scim.ParsePatch(c.Body())
	if err != nil {
		return err
	}
	if err := s.SCIM.PatchGroup(ctx(c), id, ops, tokenID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// deleteSCIMGroup deletes a group, or retires it when training
// assignments or posts refer to it (see scim.Repository.DeleteSCIMGroup).
func (s *server) deleteSCIMGroup(c *fiber.Ctx, tokenID int64) error {
	id, err := scimID(c)
	if err != nil {
		return err
	}
	if err := s.SCIM.DeleteGroup(ctx(c), id, tokenID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
