package scim

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// User is a portal user as SCIM sees it. The portal keeps one email address
// per person, and it is the userName: Entra ID and Okta both send the
// sign-in address there. Addresses in "emails" are accepted and ignored.
type User struct {
	ID          int64
	UserName    string // the portal's email address
	ExternalID  string // the identity provider's id for the person
	DisplayName string // the portal's name for the person
	GivenName   string
	FamilyName  string
	Department  string // from the enterprise extension
	Active      bool
	Created     time.Time
}

type userBody struct {
	UserName    *string          `json:"userName"`
	ExternalID  *string          `json:"externalId"`
	DisplayName *string          `json:"displayName"`
	Name        *nameBody        `json:"name"`
	Active      json.RawMessage  `json:"active"`
	Enterprise  *enterpriseBody  `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
	Emails      []map[string]any `json:"emails"` // checked for shape only
}

type nameBody struct {
	Formatted  *string `json:"formatted"`
	GivenName  *string `json:"givenName"`
	FamilyName *string `json:"familyName"`
}

type enterpriseBody struct {
	Department *string `json:"department"`
}

// ParseUser reads the body of a POST or PUT of a User: userName (an email
// address) is required, active defaults to true, and the name the portal
// shows is displayName, else name.formatted, else given and family name.
// A body that is not a JSON object of the right shape is invalidSyntax; a
// missing or bad value is invalidValue.
func ParseUser(body []byte) (User, error) {
	u, _, err := parseUser(body)
	return u, err
}

// ReplaceUser reads the body of a PUT that replaces cur. It is ParseUser,
// except that what the body leaves out of active, externalId and the
// enterprise department keeps its value: a client that does not send them
// does not manage them, and a PUT without active must not reactivate.
func ReplaceUser(cur User, body []byte) (User, error) {
	u, b, err := parseUser(body)
	if err != nil {
		return User{}, err
	}
	u.ID, u.Created = cur.ID, cur.Created
	if b.Active == nil {
		u.Active = cur.Active
	}
	if b.ExternalID == nil {
		u.ExternalID = cur.ExternalID
	}
	if b.Enterprise == nil || b.Enterprise.Department == nil {
		u.Department = cur.Department
	}
	return u, nil
}

func parseUser(body []byte) (User, userBody, error) {
	var b userBody
	if err := decodeObject(body, &b); err != nil {
		return User{}, b, err
	}
	u := User{Active: true}
	if b.UserName == nil {
		return User{}, b, Errorf(400, InvalidValue, "userName is required")
	}
	if err := u.setUserName(*b.UserName); err != nil {
		return User{}, b, err
	}
	if b.ExternalID != nil {
		u.ExternalID = strings.TrimSpace(*b.ExternalID)
	}
	if b.DisplayName != nil {
		u.DisplayName = strings.TrimSpace(*b.DisplayName)
	}
	formatted := ""
	if b.Name != nil {
		u.GivenName = trimmed(b.Name.GivenName)
		u.FamilyName = trimmed(b.Name.FamilyName)
		formatted = trimmed(b.Name.Formatted)
	}
	if u.DisplayName == "" {
		u.DisplayName = formatted
	}
	if b.Active != nil {
		active, err := parseBool("active", b.Active)
		if err != nil {
			return User{}, b, err
		}
		u.Active = active
	}
	if b.Enterprise != nil {
		u.Department = trimmed(b.Enterprise.Department)
	}
	u.settle()
	return u, b, nil
}

// settle fills the name the portal shows when the client gave none.
func (u *User) settle() {
	if u.DisplayName != "" {
		return
	}
	u.DisplayName = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
	if u.DisplayName == "" {
		u.DisplayName, _, _ = strings.Cut(u.UserName, "@")
	}
}

// setUserName checks that name looks like an email address and sets it.
func (u *User) setUserName(name string) error {
	name = strings.TrimSpace(name)
	local, domain, ok := strings.Cut(name, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(name, " \t\r\n<>,;") ||
		strings.Contains(domain, "@") || len(name) > 254 {
		return Errorf(400, InvalidValue, "userName must be the person's email address")
	}
	u.UserName = name
	return nil
}

func trimmed(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

// decodeObject decodes a JSON object into v; anything else is invalidSyntax.
func decodeObject(body []byte, v any) error {
	trimmedBody := strings.TrimSpace(string(body))
	if !strings.HasPrefix(trimmedBody, "{") {
		return Errorf(400, InvalidSyntax, "the body must be a JSON object")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Errorf(400, InvalidSyntax, "%s has the wrong type (%s)", te.Field, te.Value)
		}
		return Errorf(400, InvalidSyntax, "the body is not valid JSON")
	}
	return nil
}

// parseBool reads a boolean, also as the strings "True" and "False" that
// Entra ID sends in PATCH operations.
func parseBool(attr string, raw json.RawMessage) (bool, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err == nil {
		switch v := v.(type) {
		case bool:
			return v, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
	}
	return false, Errorf(400, InvalidValue, "%s must be true or false", attr)
}

// parseString reads a string value; null is the empty string.
func parseString(attr string, raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", Errorf(400, InvalidValue, "%s must be a string", attr)
	}
	return strings.TrimSpace(s), nil
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}
