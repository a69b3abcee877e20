package scim

import (
	"strconv"
	"strings"
	"time"
)

// Meta is a resource's meta attribute (RFC 7643 §3.1).
type Meta struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location,omitempty"`
	Version      string `json:"version,omitempty"` // a weak entity tag that changes with every change
}

// UserResource is a User as the portal sends it.
type UserResource struct {
	Schemas     []string            `json:"schemas"`
	ID          string              `json:"id"`
	ExternalID  string              `json:"externalId,omitempty"`
	UserName    string              `json:"userName"`
	Name        NameResource        `json:"name"`
	DisplayName string              `json:"displayName,omitempty"`
	NickName    string              `json:"nickName,omitempty"`
	Emails      []EmailResource     `json:"emails"`
	Locale      string              `json:"locale,omitempty"`
	Language    string              `json:"preferredLanguage,omitempty"`
	Active      bool                `json:"active"`
	Enterprise  *EnterpriseResource `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
	Meta        Meta                `json:"meta"`
}

// NameResource is a user's name.
type NameResource struct {
	Formatted  string `json:"formatted,omitempty"`
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

// EmailResource is one of a user's addresses.
type EmailResource struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary"`
}

// EnterpriseResource is the part of the enterprise extension the portal keeps.
type EnterpriseResource struct {
	Department string `json:"department,omitempty"`
}

// GroupResource is a Group as the portal sends it.
type GroupResource struct {
	Schemas     []string         `json:"schemas"`
	ID          string           `json:"id"`
	ExternalID  string           `json:"externalId,omitempty"`
	DisplayName string           `json:"displayName"`
	Members     []MemberResource `json:"members,omitempty"`
	Meta        Meta             `json:"meta"`
}

// MemberResource is a member of a group.
type MemberResource struct {
	Value   string `json:"value"`
	Display string `json:"display,omitempty"`
	Ref     string `json:"$ref,omitempty"`
	Type    string `json:"type"`
}

// ListResponse is the answer to a query (RFC 7644 §3.4.2).
type ListResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}

// NewListResponse wraps one page of resources; total counts every match.
func NewListResponse[T any](resources []T, total, startIndex int) ListResponse {
	l := ListResponse{Schemas: []string{ListResponseSchema}, TotalResults: total, StartIndex: startIndex,
		ItemsPerPage: len(resources), Resources: make([]any, len(resources))}
	for i, r := range resources {
		l.Resources[i] = r
	}
	return l
}

// Page is the startIndex and count of a query.
type Page struct {
	StartIndex int // 1-based
	Count      int // at most MaxResults
}

// MaxResults is the most resources one list response holds.
const MaxResults = 200

// ParsePage reads the startIndex and count query parameters (RFC 7644
// §3.4.2.4): a startIndex below 1 is 1, a missing count is MaxResults, a
// negative one 0, and a larger one MaxResults. A value that is not a
// number is invalidValue.
func ParsePage(startIndex, count string) (Page, error) {
	p := Page{StartIndex: 1, Count: MaxResults}
	if startIndex != "" {
		n, err := strconv.Atoi(strings.TrimSpace(startIndex))
		if err != nil {
			return Page{}, Errorf(400, InvalidValue, "startIndex must be a number")
		}
		p.StartIndex = max(n, 1)
	}
	if count != "" {
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if err != nil {
			return Page{}, Errorf(400, InvalidValue, "count must be a number")
		}
		p.Count = min(max(n, 0), MaxResults)
	}
	return p, nil
}

// Offset is the number of resources the page skips.
func (p Page) Offset() int { return p.StartIndex - 1 }

// RenderUser renders u; base is the SCIM endpoint's address, e.g.
// "https://portal.example.com/scim/v2".
func RenderUser(u User, base string) UserResource {
	id := strconv.FormatInt(u.ID, 10)
	r := UserResource{
		Schemas:     []string{UserSchema},
		ID:          id,
		ExternalID:  u.ExternalID,
		UserName:    u.UserName,
		DisplayName: u.DisplayName,
		NickName:    u.NickName,
		Name: NameResource{GivenName: u.GivenName, FamilyName: u.FamilyName,
			Formatted: u.Formatted},
		Emails:   []EmailResource{{Value: u.Email, Type: "work", Primary: true}},
		Locale:   u.Locale,
		Language: u.PreferredLanguage,
		Active:   u.Active,
		Meta:     meta("User", base+"/Users/"+id, u.Created, u.Modified, u.Revision),
	}
	if r.Name.Formatted == "" {
		r.Name.Formatted = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
	}
	if r.Name.Formatted == "" {
		r.Name.Formatted = u.DisplayName
	}
	if u.Department != "" {
		r.Schemas = append(r.Schemas, EnterpriseUserSchema)
		r.Enterprise = &EnterpriseResource{Department: u.Department}
	}
	return r
}

// RenderGroup renders g; with members false, the members are left out
// (excludedAttributes=members, which Entra ID asks for).
func RenderGroup(g Group, base string, members bool) GroupResource {
	id := strconv.FormatInt(g.ID, 10)
	r := GroupResource{Schemas: []string{GroupSchema}, ID: id, ExternalID: g.ExternalID, DisplayName: g.DisplayName,
		Meta: meta("Group", base+"/Groups/"+id, g.Created, g.Modified, g.Revision)}
	if members {
		for _, m := range g.Members {
			mid := strconv.FormatInt(m.ID, 10)
			r.Members = append(r.Members, MemberResource{Value: mid, Display: m.Display, Ref: base + "/Users/" + mid, Type: "User"})
		}
	}
	return r
}

// meta is a resource's meta attribute. A resource not changed since it
// was created was last modified when it was created.
func meta(resourceType, location string, created, modified time.Time, revision int64) Meta {
	if modified.IsZero() {
		modified = created
	}
	return Meta{ResourceType: resourceType, Created: rfc3339(created), LastModified: rfc3339(modified), Location: location,
		Version: `W/"` + strconv.FormatInt(revision, 10) + `"`}
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
