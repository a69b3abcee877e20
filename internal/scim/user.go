package scim

import (
	"encoding/json"
	"strings"
	"time"
)

// User is a portal user as SCIM sees it. userName and the address are
// apart: Entra ID sends the user principal name as userName and the mail
// address in emails, and the portal signs people in by their address.
type User struct {
	ID                int64
	UserName          string // the provider's unique sign-in name, e.g. a UPN; not always an address
	Email             string // the portal's one address for the person: the primary (or work) one of emails
	ExternalID        string // the identity provider's id for the person
	DisplayName       string // the portal's name for the person
	NickName          string
	Formatted         string // name.formatted as the client sent it; "" shows given and family name
	GivenName         string
	FamilyName        string
	Locale            string // e.g. "en-US", as sent
	PreferredLanguage string // e.g. "nl", as sent
	Department        string // from the enterprise extension
	Active            bool
	Created           time.Time
	Modified          time.Time // zero when not changed since it was created
	Revision          int64     // counts the changes to the resource; meta.version
}

// mode says which request a resource body or PATCH value belongs to:
// attributes the client may not write are ignored in some and refused in
// others (RFC 7644 §3.3, §3.5.1, §3.5.2).
type mode int

const (
	modeCreate  mode = iota // POST
	modeReplace             // PUT
	modePatch               // PATCH
)

// unknownKind is the scimType for an attribute no schema of the portal has:
// in a PATCH path it is invalidPath, in a body invalidSyntax.
func (m mode) unknownKind() string {
	if m == modePatch {
		return InvalidPath
	}
	return InvalidSyntax
}

// notKept are the User attributes of RFC 7643 §4.1 and the enterprise
// extension (§4.3) that the portal does not keep, with what to tell the
// client. A value for one is refused (mutability), so that nothing a
// directory sends is dropped without a word; removing one, or sending an
// empty value, changes nothing and is accepted.
var notKept = map[string]string{
	"title":                     "the portal does not keep job titles",
	"profileurl":                "the portal does not keep profile URLs",
	"usertype":                  "the portal does not keep user types",
	"timezone":                  "people choose their time zone in the portal",
	"phonenumbers":              "the portal does not keep phone numbers",
	"ims":                       "the portal does not keep instant messaging addresses",
	"photos":                    "the portal does not keep photos",
	"addresses":                 "the portal does not keep postal addresses",
	"entitlements":              "the portal does not keep entitlements",
	"x509certificates":          "the portal does not keep certificates",
	"roles":                     "the portal takes roles from the identity provider's groups claim at sign-in, not from SCIM",
	"name.middlename":           "the portal keeps given and family names only",
	"name.honorificprefix":      "the portal keeps given and family names only",
	"name.honorificsuffix":      "the portal keeps given and family names only",
	"enterprise:employeenumber": "the portal does not keep employee numbers",
	"enterprise:costcenter":     "the portal does not keep cost centers",
	"enterprise:organization":   "the portal does not keep organizations",
	"enterprise:division":       "the portal does not keep divisions",
	"enterprise:manager":        "the portal does not keep managers",
}

// multiValued are the User attributes a value filter may follow, as in
// `emails[type eq "work"].value`.
var multiValued = map[string]bool{"emails": true, "phonenumbers": true, "ims": true, "photos": true,
	"addresses": true, "entitlements": true, "roles": true, "x509certificates": true, "groups": true}

// simpleUserAttrs are the User attributes without sub-attributes.
var simpleUserAttrs = map[string]bool{"id": true, "schemas": true, "username": true, "active": true, "externalid": true,
	"displayname": true, "nickname": true, "locale": true, "preferredlanguage": true, "password": true, "title": true,
	"profileurl": true, "usertype": true, "timezone": true}

// userParse is the state of reading one request into a User.
type userParse struct {
	mode   mode
	path   bool            // the attribute is a PATCH operation's path, not a key of a value
	emails bool            // the request set emails
	sent   map[string]bool // lower-case names of the attributes the request set
}

// ParseUser reads the body of a POST of a User. schemas must list the
// core User schema; userName is required; the address is the primary (or
// work) one of emails, or userName when there are none and it is an
// address; active defaults to true; the name the portal shows is
// displayName, else name.formatted, else given and family name. Okta's
// placeholder password is ignored (the portal keeps no passwords), as are
// id and meta. An attribute the portal does not keep is refused with
// mutability, one no schema has with invalidSyntax, a bad value (control
// characters and invalid UTF-8 included) with invalidValue naming it.
func ParseUser(body []byte) (User, error) {
	u, _, err := parseUser(body, modeCreate, User{})
	return u, err
}

// ReplaceUser reads the body of a PUT that replaces cur. It is ParseUser,
// except that the id must be cur's if sent, and what the body leaves out
// of active, externalId, emails and the enterprise department keeps its
// value: a client that does not send them does not manage them, and a PUT
// without active must not reactivate.
func ReplaceUser(cur User, body []byte) (User, error) {
	u, st, err := parseUser(body, modeReplace, cur)
	if err != nil {
		return User{}, err
	}
	u.ID, u.Created, u.Modified, u.Revision = cur.ID, cur.Created, cur.Modified, cur.Revision
	if !st.sent["active"] {
		u.Active = cur.Active
	}
	if !st.sent["externalid"] {
		u.ExternalID = cur.ExternalID
	}
	if !st.sent["enterprise:department"] {
		u.Department = cur.Department
	}
	if !st.emails {
		u.Email = cur.Email
	}
	return u, nil
}

func parseUser(body []byte, m mode, cur User) (User, *userParse, error) {
	object, err := decodeObject(body)
	if err != nil {
		return User{}, nil, err
	}
	if err := checkSchemas(object, UserSchema, EnterpriseUserSchema); err != nil {
		return User{}, nil, err
	}
	st := &userParse{mode: m, sent: map[string]bool{}}
	u := User{ID: cur.ID, Active: true}
	if err := eachKey(object, "", func(p Path, v json.RawMessage) error {
		return st.apply(&u, "replace", p, v)
	}); err != nil {
		return User{}, nil, err
	}
	if u.UserName == "" {
		return User{}, nil, Errorf(400, InvalidValue, "userName is required")
	}
	if !st.emails && m == modeCreate {
		if checkAddress("userName", u.UserName) != nil {
			return User{}, nil, Errorf(400, InvalidValue, "there is no email address: send the person's primary (or work) "+
				"address in emails, or a userName that is an address; the portal signs people in by it")
		}
		u.Email = u.UserName
	}
	u.settle()
	return u, st, nil
}

// settle fills the name the portal shows when the client gave none.
func (u *User) settle() {
	if u.DisplayName == "" {
		u.DisplayName = u.Formatted
	}
	if u.DisplayName == "" {
		u.DisplayName = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
	}
	if u.DisplayName == "" {
		u.DisplayName, _, _ = strings.Cut(u.Email, "@")
	}
}

// apply applies one attribute of a request to u: op is add, replace or
// remove; p names the attribute; v is its value (nil to remove).
func (st *userParse) apply(u *User, op string, p Path, v json.RawMessage) error {
	remove := op == "remove"
	switch schemaOf(p, UserSchema) {
	case "enterprise":
		return st.applyEnterprise(u, remove, p, v)
	case "":
		return Errorf(400, st.mode.unknownKind(), "%s: the portal keeps no attributes of schema %s", p, p.URN)
	}
	attr := strings.ToLower(p.Attr)
	if p.Filter != nil && !multiValued[attr] {
		return Errorf(400, InvalidPath, "%s: %s has no values to filter", p, p.Attr)
	}
	if p.Sub != "" && simpleUserAttrs[attr] {
		return Errorf(400, st.mode.unknownKind(), "%s: %s has no sub-attributes", p, p.Attr)
	}
	st.sent[attr] = true
	switch attr {
	case "id":
		if st.mode == modeCreate {
			return nil // read-only: ignored in a POST (RFC 7644 §3.3)
		}
		return checkSameID(u.ID, remove, v)
	case "meta":
		if st.mode == modePatch {
			return Errorf(400, Mutability, "meta is read-only")
		}
		return nil // read-only: ignored in a POST or PUT
	case "schemas":
		if st.path {
			return Errorf(400, Mutability, "schemas cannot be changed")
		}
		return nil // checked with the body; a PATCH value may repeat them
	case "password":
		if st.mode == modePatch && !remove {
			return Errorf(400, Mutability, "the portal keeps no passwords: people sign in through the identity provider; "+
				"turn off password sync for this app")
		}
		return nil // Okta sends a placeholder with every create; it is not kept
	case "groups":
		if remove || isEmpty(v) {
			return nil
		}
		return Errorf(400, Mutability, "groups is read-only: membership is set through /Groups")
	case "username":
		if remove {
			return Errorf(400, InvalidValue, "userName is required")
		}
		s, err := parseText("userName", v)
		if err != nil {
			return err
		}
		if s == "" {
			return Errorf(400, InvalidValue, "userName is required")
		}
		if len(s) > maxUserName {
			return Errorf(400, InvalidValue, "userName is longer than %d bytes", maxUserName)
		}
		u.UserName = s
		return nil
	case "active":
		if remove {
			return Errorf(400, InvalidValue, "active cannot be removed; set it to false")
		}
		active, err := parseBool("active", v)
		if err != nil {
			return err
		}
		u.Active = active
		return nil
	case "externalid":
		return setText(&u.ExternalID, "externalId", remove, v)
	case "displayname":
		return setText(&u.DisplayName, "displayName", remove, v)
	case "nickname":
		return setText(&u.NickName, "nickName", remove, v)
	case "locale":
		return setText(&u.Locale, "locale", remove, v)
	case "preferredlanguage":
		return setText(&u.PreferredLanguage, "preferredLanguage", remove, v)
	case "name":
		return st.applyName(u, remove, p, v)
	case "emails":
		return st.applyEmails(u, op, p, v)
	}
	if why := notKept[attr]; why != "" {
		if remove || isEmpty(v) {
			return nil // nothing to keep, nothing lost
		}
		return Errorf(400, Mutability, "%s: %s; remove it from the provisioning app's attribute mappings", p, why)
	}
	return Errorf(400, st.mode.unknownKind(), "%s: the User schema has no attribute %s", p, p.Attr)
}

// maxUserName bounds userName, as RFC 5321 bounds an address.
const maxUserName = 254

func (st *userParse) applyName(u *User, remove bool, p Path, v json.RawMessage) error {
	switch strings.ToLower(p.Sub) {
	case "":
		if remove {
			u.GivenName, u.FamilyName, u.Formatted = "", "", ""
			return nil
		}
		if isNull(v) {
			return nil
		}
		var m map[string]json.RawMessage
		if !isObject(v) || json.Unmarshal(v, &m) != nil {
			return Errorf(400, InvalidValue, "name must be an object")
		}
		for _, k := range sortedKeys(m) {
			sub := Path{Attr: "name", Sub: k}
			if !isName(k) {
				return Errorf(400, st.mode.unknownKind(), "name has no sub-attribute %q", k)
			}
			if err := st.applyName(u, false, sub, m[k]); err != nil {
				return err
			}
		}
		return nil
	case "givenname":
		return setText(&u.GivenName, "name.givenName", remove, v)
	case "familyname":
		return setText(&u.FamilyName, "name.familyName", remove, v)
	case "formatted":
		return setText(&u.Formatted, "name.formatted", remove, v)
	}
	if why := notKept["name."+strings.ToLower(p.Sub)]; why != "" {
		if remove || isEmpty(v) {
			return nil
		}
		return Errorf(400, Mutability, "%s: %s; remove it from the provisioning app's attribute mappings", p, why)
	}
	return Errorf(400, st.mode.unknownKind(), "%s: name has no sub-attribute %s", p, p.Sub)
}

func (st *userParse) applyEnterprise(u *User, remove bool, p Path, v json.RawMessage) error {
	attr := strings.ToLower(p.Attr)
	if attr == "department" && p.Sub == "" && p.Filter == nil {
		st.sent["enterprise:department"] = true
		return setText(&u.Department, "department", remove, v)
	}
	if why := notKept["enterprise:"+attr]; why != "" {
		if remove || isEmpty(v) {
			return nil
		}
		return Errorf(400, Mutability, "%s: %s; remove it from the provisioning app's attribute mappings", p, why)
	}
	return Errorf(400, st.mode.unknownKind(), "%s: the enterprise extension has no attribute %s", p, p.Attr)
}

// applyEmails sets the person's address. The portal keeps one, shown as
// the primary work address: emails with a primary (else a work, else a
// single) value sets it, and so does a path that names that address, such
// as Entra ID's `emails[type eq "work"].value`. An address of another type
// would be lost, so it is refused; the address cannot be removed.
func (st *userParse) applyEmails(u *User, op string, p Path, v json.RawMessage) error {
	cannotRemove := Errorf(400, InvalidValue, "the address cannot be removed: the portal signs people in by it")
	if p.Filter != nil {
		match, err := matchValue(p.Filter, false, u.emailAttr)
		if err != nil {
			return err
		}
		if !match {
			if op == "remove" {
				return nil // no such address here: nothing to remove
			}
			return Errorf(400, Mutability, "%s: the portal keeps one address per person, its primary work address; "+
				"remove the mapping of other addresses", p)
		}
	}
	switch strings.ToLower(p.Sub) {
	case "value":
		if op == "remove" {
			return cannotRemove
		}
		s, err := parseText("emails.value", v)
		if err != nil {
			return err
		}
		return st.setEmail(u, s)
	case "":
	default:
		return Errorf(400, InvalidPath, "%s: only the value of the address can be set; it is always the primary work address", p)
	}
	if op == "remove" {
		if p.Filter != nil || isNull(v) {
			return cannotRemove
		}
		list, err := parseEmails(v)
		if err != nil {
			return err
		}
		for _, e := range list {
			if strings.EqualFold(e.value, u.Email) {
				return cannotRemove
			}
		}
		return nil // none of them is the person's address
	}
	list, err := parseEmails(v)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		if st.mode == modePatch {
			return cannotRemove
		}
		return nil // as if emails were not sent
	}
	chosen, err := chooseEmail(list)
	if err != nil {
		return err
	}
	return st.setEmail(u, chosen)
}

func (st *userParse) setEmail(u *User, s string) error {
	if err := checkAddress("emails.value", s); err != nil {
		return err
	}
	u.Email, st.emails = s, true
	return nil
}

// emailAttr gives the sub-attributes of the person's one address, for a
// value filter such as `type eq "work"`.
func (u *User) emailAttr(p Path) (any, bool) {
	switch {
	case p.Is("value", ""):
		return u.Email, true
	case p.Is("type", ""):
		return "work", true
	case p.Is("primary", ""):
		return true, true
	}
	return nil, false
}

type emailValue struct {
	value, typ string
	primary    bool
}

// parseEmails reads a list of email objects (or one object).
func parseEmails(raw json.RawMessage) ([]emailValue, error) {
	if isNull(raw) {
		return nil, nil
	}
	var items []json.RawMessage
	if isObject(raw) {
		items = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, Errorf(400, InvalidValue, `emails must be a list of {"value": address, "type": "work", "primary": true}`)
	}
	out := make([]emailValue, 0, len(items))
	for _, item := range items {
		var m map[string]json.RawMessage
		if !isObject(item) || json.Unmarshal(item, &m) != nil {
			return nil, Errorf(400, InvalidValue, `emails must be a list of {"value": address, "type": "work", "primary": true}`)
		}
		var e emailValue
		for _, k := range sortedKeys(m) {
			var err error
			switch strings.ToLower(k) {
			case "value":
				e.value, err = parseText("emails.value", m[k])
			case "type":
				e.typ, err = parseText("emails.type", m[k])
			case "primary":
				if !isNull(m[k]) {
					e.primary, err = parseBool("emails.primary", m[k])
				}
			case "display", "$ref":
			default:
				err = Errorf(400, InvalidValue, "emails has no sub-attribute %q", k)
			}
			if err != nil {
				return nil, err
			}
		}
		if e.value == "" {
			return nil, Errorf(400, InvalidValue, "an entry of emails has no value")
		}
		out = append(out, e)
	}
	return out, nil
}

// chooseEmail picks the address the portal keeps: the primary one, else
// the work one, else the only one. Other addresses would be lost, so a
// list with another one is refused.
func chooseEmail(list []emailValue) (string, error) {
	var primary, work []string
	for _, e := range list {
		if e.primary {
			primary = append(primary, e.value)
		}
		if strings.EqualFold(e.typ, "work") {
			work = append(work, e.value)
		}
	}
	var chosen string
	switch {
	case len(primary) > 1:
		return "", Errorf(400, InvalidValue, "emails: only one address can be primary")
	case len(primary) == 1:
		chosen = primary[0]
	case len(work) >= 1:
		chosen = work[0]
	case len(list) == 1:
		chosen = list[0].value
	default:
		return "", Errorf(400, InvalidValue, "emails: mark the person's address as primary")
	}
	for _, e := range list {
		if !strings.EqualFold(e.value, chosen) {
			return "", Errorf(400, Mutability, "emails: the portal keeps one address per person, its primary work address; "+
				"another address (type %q) would be lost, so remove the mapping of other addresses", e.typ)
		}
	}
	return chosen, nil
}

// checkAddress checks that s looks like an email address.
func checkAddress(attr, s string) error {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(s, " \t\r\n<>,;\"") ||
		strings.Contains(domain, "@") || len(s) > 254 {
		return Errorf(400, InvalidValue, "%s must be an email address", attr)
	}
	return nil
}
