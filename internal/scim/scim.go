// Package scim holds the parts of SCIM 2.0 provisioning (RFC 7643, RFC 7644)
// that need no HTTP and no database: parsing filters, PATCH operations and
// resource bodies from identity providers such as Entra ID and Okta, and
// rendering users, groups, list responses, errors and the discovery
// documents. It is lenient where those providers differ from the RFC
// (capitalised ops, booleans as strings, Entra ID's
// `emails[type eq "work"].value` filter) but never drops what a client
// sent without a word: an attribute the portal does not keep, a path no
// schema has, or text it cannot store is answered with a SCIM error that
// names it, so that an administrator can fix the provider's mapping.
//
// The Service (service.go) runs provisioning over a Repository the store
// implements: authenticating a client's token, the users and groups it
// reads and writes, and the tokens admins make and revoke.
package scim

import (
	"fmt"
	"net/http"
)

// Schema and message URNs.
const (
	UserSchema                  = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema                 = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserSchema        = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ListResponseSchema          = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchOpSchema               = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ErrorSchema                 = "urn:ietf:params:scim:api:messages:2.0:Error"
	ServiceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeSchema          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// ContentType is the media type of every SCIM response.
const ContentType = "application/scim+json"

// The scimType values of RFC 7644 §3.12 that the portal uses.
const (
	InvalidFilter = "invalidFilter"
	InvalidSyntax = "invalidSyntax"
	InvalidPath   = "invalidPath"
	InvalidValue  = "invalidValue"
	NoTarget      = "noTarget"
	Uniqueness    = "uniqueness"
	Mutability    = "mutability"
	TooMany       = "tooMany"
)

// Error is a SCIM error response (RFC 7644 §3.12). It is also a Go error,
// so parsers return it and handlers write it as it is.
type Error struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"` // the HTTP status, as a string
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
	code     int
}

// Errorf returns an *Error with the HTTP status, the scimType ("" for
// none) and a detail for the provisioning client's logs.
func Errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Schemas: []string{ErrorSchema}, Status: fmt.Sprint(status), ScimType: scimType,
		Detail: fmt.Sprintf(format, args...), code: status}
}

func (e *Error) Error() string {
	if e.ScimType != "" {
		return fmt.Sprintf("scim %d %s: %s", e.code, e.ScimType, e.Detail)
	}
	return fmt.Sprintf("scim %d: %s", e.code, e.Detail)
}

// Code is the HTTP status of the error.
func (e *Error) Code() int {
	if e.code == 0 {
		return http.StatusInternalServerError
	}
	return e.code
}
