package scim

// The discovery documents of RFC 7644 §4: what the portal supports, the
// resource types it serves and the attributes it keeps.

// Supported is a feature flag in the service provider configuration.
type Supported struct {
	Supported bool `json:"supported"`
}

// ServiceProviderConfig says what the portal's SCIM endpoint supports.
type ServiceProviderConfig struct {
	Schemas               []string     `json:"schemas"`
	DocumentationURI      string       `json:"documentationUri,omitempty"`
	Patch                 Supported    `json:"patch"`
	Bulk                  BulkConfig   `json:"bulk"`
	Filter                FilterConfig `json:"filter"`
	ChangePassword        Supported    `json:"changePassword"`
	Sort                  Supported    `json:"sort"`
	ETag                  Supported    `json:"etag"`
	AuthenticationSchemes []AuthScheme `json:"authenticationSchemes"`
	Meta                  Meta         `json:"meta"`
}

// BulkConfig is the bulk feature; the portal has none.
type BulkConfig struct {
	Supported      bool `json:"supported"`
	MaxOperations  int  `json:"maxOperations"`
	MaxPayloadSize int  `json:"maxPayloadSize"`
}

// FilterConfig is the filter feature.
type FilterConfig struct {
	Supported  bool `json:"supported"`
	MaxResults int  `json:"maxResults"`
}

// AuthScheme is a way to authenticate.
type AuthScheme struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Primary     bool   `json:"primary"`
}

// NewServiceProviderConfig describes the endpoint at base.
func NewServiceProviderConfig(base string) ServiceProviderConfig {
	return ServiceProviderConfig{
		Schemas:        []string{ServiceProviderConfigSchema},
		Patch:          Supported{true},
		Filter:         FilterConfig{Supported: true, MaxResults: MaxResults},
		ChangePassword: Supported{false},
		Sort:           Supported{false},
		ETag:           Supported{false},
		AuthenticationSchemes: []AuthScheme{{Type: "oauthbearertoken", Name: "Bearer token",
			Description: "A token an administrator creates on the portal's SCIM page, sent as Authorization: Bearer <token>.",
			Primary:     true}},
		Meta: Meta{ResourceType: "ServiceProviderConfig", Location: base + "/ServiceProviderConfig"},
	}
}

// ResourceType describes one kind of resource (RFC 7643 §6).
type ResourceType struct {
	Schemas          []string          `json:"schemas"`
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Endpoint         string            `json:"endpoint"`
	Description      string            `json:"description"`
	Schema           string            `json:"schema"`
	SchemaExtensions []SchemaExtension `json:"schemaExtensions,omitempty"`
	Meta             Meta              `json:"meta"`
}

// SchemaExtension is an extension a resource type may carry.
type SchemaExtension struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

// ResourceTypes lists the portal's resource types: User and Group.
func ResourceTypes(base string) []ResourceType {
	return []ResourceType{
		{Schemas: []string{ResourceTypeSchema}, ID: "User", Name: "User", Endpoint: "/Users",
			Description: "A person who uses the portal", Schema: UserSchema,
			SchemaExtensions: []SchemaExtension{{Schema: EnterpriseUserSchema}},
			Meta:             Meta{ResourceType: "ResourceType", Location: base + "/ResourceTypes/User"}},
		{Schemas: []string{ResourceTypeSchema}, ID: "Group", Name: "Group", Endpoint: "/Groups",
			Description: "A department, location or team; members get the group's training", Schema: GroupSchema,
			Meta: Meta{ResourceType: "ResourceType", Location: base + "/ResourceTypes/Group"}},
	}
}

// Schema describes the attributes of a resource (RFC 7643 §7).
type Schema struct {
	Schemas     []string    `json:"schemas"`
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Attributes  []Attribute `json:"attributes"`
	Meta        Meta        `json:"meta"`
}

// Attribute describes one attribute of a schema.
type Attribute struct {
	Name          string      `json:"name"`
	Type          string      `json:"type"`
	MultiValued   bool        `json:"multiValued"`
	Description   string      `json:"description,omitempty"`
	Required      bool        `json:"required"`
	CaseExact     bool        `json:"caseExact"`
	Mutability    string      `json:"mutability"`
	Returned      string      `json:"returned"`
	Uniqueness    string      `json:"uniqueness"`
	SubAttributes []Attribute `json:"subAttributes,omitempty"`
}

func attr(name, typ, description string) Attribute {
	return Attribute{Name: name, Type: typ, Description: description, Mutability: "readWrite",
		Returned: "default", Uniqueness: "none"}
}

func (a Attribute) required() Attribute           { a.Required = true; return a }
func (a Attribute) multi() Attribute              { a.MultiValued = true; return a }
func (a Attribute) caseExact() Attribute          { a.CaseExact = true; return a }
func (a Attribute) unique(u string) Attribute     { a.Uniqueness = u; return a }
func (a Attribute) mutability(m string) Attribute { a.Mutability = m; return a }
func (a Attribute) sub(s ...Attribute) Attribute {
	a.SubAttributes = s
	return a
}

// Schemas lists the schemas the portal serves, with the attributes it keeps.
func Schemas(base string) []Schema {
	schema := func(id, name, description string, attrs ...Attribute) Schema {
		return Schema{Schemas: []string{SchemaSchema}, ID: id, Name: name, Description: description, Attributes: attrs,
			Meta: Meta{ResourceType: "Schema", Location: base + "/Schemas/" + id}}
	}
	return []Schema{
		schema(UserSchema, "User", "A person who uses the portal",
			attr("userName", "string", "The identity provider's unique sign-in name, e.g. the user principal name").
				required().unique("server"),
			attr("name", "complex", "The person's name").sub(
				attr("formatted", "string", "The full name; given and family name when not sent"),
				attr("givenName", "string", ""),
				attr("familyName", "string", "")),
			attr("displayName", "string", "The name the portal shows"),
			attr("nickName", "string", "The name the person goes by"),
			attr("emails", "complex", "The person's address: the portal keeps one, the primary (or work) one, "+
				"and signs the person in by it").multi().sub(
				attr("value", "string", ""), attr("type", "string", "Always work"), attr("primary", "boolean", "Always true")),
			attr("locale", "string", "The person's locale, e.g. en-US"),
			attr("preferredLanguage", "string", "The person's preferred language, e.g. nl"),
			attr("active", "boolean", "An inactive person cannot sign in; their history stays"),
			attr("externalId", "string", "The identity provider's id for the person").caseExact()),
		schema(EnterpriseUserSchema, "EnterpriseUser", "Enterprise user",
			attr("department", "string", "The person's department")),
		schema(GroupSchema, "Group", "A department, location or team",
			attr("displayName", "string", "The group's name").required().unique("server"),
			attr("members", "complex", "The group's members; joining gives the group's training").multi().sub(
				attr("value", "string", "A user's id").mutability("immutable"),
				attr("display", "string", "").mutability("readOnly"),
				attr("$ref", "reference", "").mutability("immutable"),
				attr("type", "string", "").mutability("immutable")),
			attr("externalId", "string", "The identity provider's id for the group").caseExact()),
	}
}
