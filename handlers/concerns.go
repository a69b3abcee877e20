package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/concern"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/mail/letter"
	"github.com/advocacy-portal/portal/internal/store"
	"github.com/advocacy-portal/portal/views"
)

// Limits on a reported concern.
const (
	maxConcernText = 4000 // characters of a description or a comment
	maxConcernLink = 2000
)

const concernMissing = "There is no concern at this address."

// concernRoutes registers reporting a concern (any signed-in person), the
// triage of reports by the points of contact, and the admins' choice of
// points of contact. Who may see a report is checked in the handlers: only
// its reporter and the points of contact; anyone else gets 404.
func (s *server) concernRoutes(r router) {
	r.allow(httpGet, "/concerns/new", s.newConcern)
	r.allow(httpPost, "/concerns", s.reportConcern)
	r.allow(httpGet, "/concerns", s.listConcerns)
	r.allow(httpGet, "/concerns/:id", s.showConcern)
	r.allow(httpGet, "/concerns/:id/screenshot", s.serveConcernScreenshot)
	r.allow(httpPost, "/concerns/:id/acknowledge", s.acknowledgeConcern)
	r.allow(httpPost, "/concerns/:id/assign", s.assignConcern)
	r.allow(httpPost, "/concerns/:id/comment", s.commentOnConcern)
	r.allow(httpPost, "/concerns/:id/close", s.closeConcern)
	r.allow(httpGet, "/admin/concerns", s.showConcernSettings, admin...)
	r.allow(httpPost, "/admin/concerns", s.saveConcernSettings, admin...)
}

func (s *server) newConcern(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, views.NewConcernView(s.chrome(c, "Report a concern", ""),
		views.NewConcernPage{Form: views.ConcernForm{Kind: concern.Kinds[0]}}))
}

// reportConcern stores a report and, when it is urgent, queues an email to
// each point of contact in the same transaction; the store wakes the mail
// worker, so the mail goes at once. An invalid report is shown again with
// what was typed; nothing is stored.
func (s *server) reportConcern(c *fiber.Ctx) error {
	u := userOf(c)
	form := views.ConcernForm{Link: strings.TrimSpace(c.FormValue("link")), Kind: c.FormValue("kind"),
		Description: strings.TrimSpace(c.FormValue("description")), Urgent: c.FormValue("urgent") != "",
		Errors: views.FieldErrors{}}
	if form.Link != "" && !isWebLink(form.Link) {
		form.Errors["link"] = "Give the link as a full address starting with http:// or https://."
	}
	if !slices.Contains(concern.Kinds, form.Kind) {
		form.Errors["kind"] = "Choose what worries you."
	}
	switch n := utf8.RuneCountInString(form.Description); {
	case n == 0:
		form.Errors["description"] = "Describe what worries you."
	case n > maxConcernText:
		form.Errors["description"] = "Keep the description to 4000 characters or fewer."
	}
	invalid := func() error {
		return s.render(c, fiber.StatusUnprocessableEntity, views.NewConcernView(s.chrome(c, "Report a concern", ""),
			views.NewConcernPage{Form: form}))
	}
	if len(form.Errors) > 0 {
		return invalid() // the screenshot is only stored with a valid report
	}
	screenshot, problem, err := s.uploadedImage(c, "screenshot")
	if err != nil {
		return err
	}
	if problem != "" {
		form.Errors["screenshot"] = problem
		return invalid()
	}
	var contacts []account.User
	if form.Urgent {
		if contacts, err = s.concernContactUsers(c); err != nil {
			return err
		}
	}
	id, err := s.Store.CreateConcern(ctx(c), concern.Concern{ReporterID: u.ID, Link: form.Link, Kind: form.Kind,
		Description: form.Description, Urgent: form.Urgent}, screenshot,
		func(id int64) []mail.Mail {
			return urgentConcernMails(id, fmt.Sprintf("%s/concerns/%d", s.BaseURL, id), contacts, u, form)
		})
	if err != nil {
		return err
	}
	if form.Urgent {
		// Only the kind and a link: the description and the reporter's name
		// stay in the portal, where only the points of contact see them.
		s.announce(c, fmt.Sprintf("concern:%d", id), "Urgent concern reported",
			fmt.Sprintf("An urgent concern was reported (%s). Points of contact: open it in the portal to triage it.", form.Kind),
			fmt.Sprintf("%s/concerns/%d", s.BaseURL, id))
	}
	return c.Redirect(fmt.Sprintf("/concerns/%d?created=1", id), fiber.StatusSeeOther)
}

// concernContactUsers are the active points of contact.
func (s *server) concernContactUsers(c *fiber.Ctx) ([]account.User, error) {
	cc, err := s.Store.ConcernContacts(ctx(c))
	if err != nil {
		return nil, err
	}
	return s.Store.ConcernContactUsers(ctx(c), cc)
}

// urgentConcernMails are the mails about urgent report id at link, one per
// point of contact, each in that person's language and addressed by name.
func urgentConcernMails(id int64, link string, contacts []account.User, reporter account.User, form views.ConcernForm) []mail.Mail {
	mails := make([]mail.Mail, 0, len(contacts))
	for _, p := range contacts {
		l := letter.UrgentConcern{Name: p.Name, Reporter: reporter.Name, Kind: form.Kind, Description: form.Description,
			Link: form.Link, URL: link}.Write(p.Language)
		m := mail.FromLetter("concern", p.Email, p.Name, l)
		m.DedupeKey = fmt.Sprintf("concern:%d:%s", id, p.Email)
		mails = append(mails, m)
	}
	return mails
}

// activeUserEmail reports whether email is an active person's address.
func (s *server) activeUserEmail(c *fiber.Ctx, email string) (bool, error) {
	id, err := s.userByEmail(c, email)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	u, err := s.Store.User(ctx(c), id)
	return err == nil && u.Active, err
}

// isWebLink reports whether raw is an absolute http(s) address with a host.
func isWebLink(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		len(raw) <= maxConcernLink
}

// isConcernContact reports whether the signed-in person is a point of
// contact for concerns.
func (s *server) isConcernContact(c *fiber.Ctx) (bool, error) {
	cc, err := s.Store.ConcernContacts(ctx(c))
	if err != nil {
		return false, err
	}
	return cc.Includes(userOf(c)), nil
}

// listConcerns shows the person's own reports and, to a point of contact,
// the triage queue.
func (s *server) listConcerns(c *fiber.Ctx) error {
	mine, err := s.Store.ConcernsReportedBy(ctx(c), userOf(c).ID)
	if err != nil {
		return err
	}
	m := views.ConcernsPage{Mine: mine}
	if m.Contact, err = s.isConcernContact(c); err != nil {
		return err
	}
	if m.Contact {
		if m.Queue, err = s.Store.ConcernQueue(ctx(c)); err != nil {
			return err
		}
	}
	return s.render(c, fiber.StatusOK, views.ConcernsView(s.chrome(c, "Concerns", ""), m))
}

// visibleConcern returns the concern named by the route if the signed-in
// person may see it (its reporter or a point of contact), and whether they
// are a point of contact. Anyone else gets not found, as for a missing one.
func (s *server) visibleConcern(c *fiber.Ctx) (concern.Concern, bool, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return concern.Concern{}, false, apperr.New(apperr.NotFound, concernMissing)
	}
	cn, err := s.Store.Concern(ctx(c), id)
	if errors.Is(err, store.ErrNotFound) {
		return cn, false, apperr.New(apperr.NotFound, concernMissing)
	}
	if err != nil {
		return cn, false, err
	}
	contact, err := s.isConcernContact(c)
	if err != nil {
		return cn, false, err
	}
	if !contact && cn.ReporterID != userOf(c).ID {
		return concern.Concern{}, false, apperr.New(apperr.NotFound, concernMissing)
	}
	return cn, contact, nil
}

// triageConcern is visibleConcern for the triage actions: only points of
// contact; to anyone else the concern does not exist.
func (s *server) triageConcern(c *fiber.Ctx) (concern.Concern, error) {
	cn, contact, err := s.visibleConcern(c)
	if err == nil && !contact {
		err = apperr.New(apperr.NotFound, concernMissing)
	}
	return cn, err
}

func (s *server) showConcern(c *fiber.Ctx) error {
	cn, contact, err := s.visibleConcern(c)
	if err != nil {
		return err
	}
	m := views.ConcernPage{Concern: cn, Contact: contact, Created: c.Query("created") == "1"}
	if m.History, err = s.Store.ConcernHistory(ctx(c), cn.ID); err != nil {
		return err
	}
	if contact {
		cc, err := s.Store.ConcernContacts(ctx(c))
		if err != nil {
			return err
		}
		if m.Contacts, err = s.Store.ConcernContactUsers(ctx(c), cc); err != nil {
			return err
		}
	}
	return s.render(c, fiber.StatusOK, views.ConcernView(s.chrome(c, "Concern", ""), m))
}

// serveConcernScreenshot sends a report's screenshot to those who may see
// the report.
func (s *server) serveConcernScreenshot(c *fiber.Ctx) error {
	cn, _, err := s.visibleConcern(c)
	if err != nil {
		return err
	}
	if cn.ImageID == 0 {
		return apperr.New(apperr.NotFound, "This report has no screenshot.")
	}
	img, err := s.Store.Image(ctx(c), cn.ImageID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentType, img.ContentType)
	return c.Send(img.Data)
}

func (s *server) backToConcern(c *fiber.Ctx, id int64) error {
	return c.Redirect(fmt.Sprintf("/concerns/%d", id), fiber.StatusSeeOther)
}

func (s *server) acknowledgeConcern(c *fiber.Ctx) error {
	cn, err := s.triageConcern(c)
	if err != nil {
		return err
	}
	if err := s.Store.AcknowledgeConcern(ctx(c), cn.ID, userOf(c).ID); err != nil {
		return err
	}
	return s.backToConcern(c, cn.ID)
}

// assignConcern assigns a report to a point of contact.
func (s *server) assignConcern(c *fiber.Ctx) error {
	cn, err := s.triageConcern(c)
	if err != nil {
		return err
	}
	assigneeID, _ := strconv.ParseInt(c.FormValue("assignee"), 10, 64)
	assignee, err := s.Store.User(ctx(c), assigneeID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	cc, err2 := s.Store.ConcernContacts(ctx(c))
	if err2 != nil {
		return err2
	}
	if err != nil || !assignee.Active || !cc.Includes(assignee) {
		return apperr.New(apperr.Invalid, "Choose one of the points of contact to assign the concern to.")
	}
	if err := s.Store.AssignConcern(ctx(c), cn.ID, userOf(c).ID, assignee.ID, assignee.Name); err != nil {
		return err
	}
	return s.backToConcern(c, cn.ID)
}

func (s *server) commentOnConcern(c *fiber.Ctx) error {
	cn, err := s.triageConcern(c)
	if err != nil {
		return err
	}
	comment := strings.TrimSpace(c.FormValue("comment"))
	if comment == "" || utf8.RuneCountInString(comment) > maxConcernText {
		return apperr.New(apperr.Invalid, "Write a comment of at most 4000 characters.")
	}
	if err := s.Store.CommentOnConcern(ctx(c), cn.ID, userOf(c).ID, comment); err != nil {
		return err
	}
	return s.backToConcern(c, cn.ID)
}

func (s *server) closeConcern(c *fiber.Ctx) error {
	cn, err := s.triageConcern(c)
	if err != nil {
		return err
	}
	note := strings.TrimSpace(c.FormValue("note"))
	if utf8.RuneCountInString(note) > maxConcernText {
		return apperr.New(apperr.Invalid, "Keep the closing note to 4000 characters or fewer.")
	}
	if err := s.Store.CloseConcern(ctx(c), cn.ID, userOf(c).ID, note); err != nil {
		return err
	}
	return s.backToConcern(c, cn.ID)
}

// concernContactRoles are the roles admins may name as points of contact.
var concernContactRoles = []account.Role{account.Comms, account.HR, account.Admin}

func (s *server) showConcernSettings(c *fiber.Ctx) error {
	cc, err := s.Store.ConcernContacts(ctx(c))
	if err != nil {
		return err
	}
	m := views.ConcernSettingsPage{ByList: len(cc.Emails) > 0, Role: string(cmp.Or(cc.Role, account.Comms)),
		Emails: strings.Join(cc.Emails, "\n"), Saved: c.Query("saved") == "1"}
	return s.renderConcernSettings(c, fiber.StatusOK, m)
}

func (s *server) renderConcernSettings(c *fiber.Ctx, status int, m views.ConcernSettingsPage) error {
	cc := concern.Contacts{Role: account.Role(m.Role)}
	if m.ByList {
		cc = concern.Contacts{Emails: splitEmails(m.Emails)}
	}
	var err error
	if status == fiber.StatusOK {
		if m.Contacts, err = s.Store.ConcernContactUsers(ctx(c), cc); err != nil {
			return err
		}
	}
	m.Roles = concernContactRoles
	return s.render(c, status, views.ConcernSettingsView(s.chrome(c, "Concern contacts", "admin"), m))
}

// saveConcernSettings sets the points of contact: a role, or a list of
// people by email, each of whom must be an active person of the portal.
// The store audit-logs the change.
func (s *server) saveConcernSettings(c *fiber.Ctx) error {
	m := views.ConcernSettingsPage{ByList: c.FormValue("mode") == "list", Role: c.FormValue("role"),
		Emails: strings.TrimSpace(c.FormValue("emails")), Errors: views.FieldErrors{}}
	var cc concern.Contacts
	if m.ByList {
		emails := splitEmails(m.Emails)
		if len(emails) == 0 {
			m.Errors["emails"] = "Give at least one email address, or choose a role."
		}
		for _, e := range emails {
			active, err := s.activeUserEmail(c, e)
			if err != nil {
				return err
			}
			if !active {
				m.Errors["emails"] = fmt.Sprintf("Nobody active in the portal has the address %s.", e)
				break
			}
		}
		cc.Emails = emails
	} else {
		if !slices.Contains(concernContactRoles, account.Role(m.Role)) {
			m.Errors["role"] = "Choose comms, hr or admin."
		}
		cc.Role = account.Role(m.Role)
	}
	if len(m.Errors) > 0 {
		return s.renderConcernSettings(c, fiber.StatusUnprocessableEntity, m)
	}
	if err := s.Store.SetSetting(ctx(c), store.SettingConcernContacts, cc, userOf(c).ID); err != nil {
		return err
	}
	return c.Redirect("/admin/concerns?saved=1", fiber.StatusSeeOther)
}

// splitEmails splits a list typed one address a line (or separated by
// commas or spaces), lower-cased, without repeats.
func splitEmails(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		if e := strings.ToLower(f); !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}
