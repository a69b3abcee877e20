package scim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Projection is what the attributes or excludedAttributes query
// parameter of a GET asks for (RFC 7644 §3.4.2.5): only some attributes,
// or all but some. id and schemas are always returned. The zero
// Projection returns everything.
type Projection struct {
	only    []attrName // attributes=…; nil for all
	exclude []attrName // excludedAttributes=…
}

// attrName is an attribute as rendered: key is a top-level JSON key (an
// extension's URN for its attributes), sub "" or one of its sub-attributes.
type attrName struct{ key, sub string }

// metaAttrs are the sub-attributes of meta (RFC 7643 §3.1).
var metaAttrs = []string{"resourceType", "created", "lastModified", "location", "version"}

// ParseProjection reads the attributes and excludedAttributes parameters
// (comma-separated attribute paths, e.g. "userName,name.givenName" or
// "members") for resourceType, "User" or "Group". Asking for both, or for
// an attribute the resource type's schema does not have, is invalidValue.
func ParseProjection(resourceType, attributes, excluded string) (Projection, error) {
	var p Projection
	if strings.TrimSpace(attributes) != "" && strings.TrimSpace(excluded) != "" {
		return p, Errorf(400, InvalidValue, "give attributes or excludedAttributes, not both")
	}
	var err error
	if p.only, err = parseAttrNames(resourceType, "attributes", attributes); err != nil {
		return p, err
	}
	p.exclude, err = parseAttrNames(resourceType, "excludedAttributes", excluded)
	return p, err
}

func parseAttrNames(resourceType, param, list string) ([]attrName, error) {
	core, ext := UserSchema, EnterpriseUserSchema
	if resourceType == "Group" {
		core, ext = GroupSchema, ""
	}
	var out []attrName
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		bad := Errorf(400, InvalidValue, "%s: a %s has no attribute %q", param, resourceType, s)
		var n attrName
		if ext != "" && strings.EqualFold(s, ext) {
			n.key = ext
		} else {
			path, err := parseAttrPath(s)
			switch {
			case err != nil:
				return nil, bad
			case path.URN == "" || strings.EqualFold(path.URN, core):
				n = attrName{key: path.Attr, sub: path.Sub}
			case ext != "" && strings.EqualFold(path.URN, ext) && path.Sub == "":
				n = attrName{key: ext, sub: path.Attr}
			default:
				return nil, bad
			}
		}
		canonical, ok := knownAttr(resourceType, n)
		if !ok {
			return nil, bad
		}
		out = append(out, canonical)
	}
	return out, nil
}

// knownAttr finds n among the attributes the resource type's schemas
// describe (and the common id, externalId, schemas and meta), and returns
// it spelled as rendered.
func knownAttr(resourceType string, n attrName) (attrName, bool) {
	find := func(names []string, s string) (string, bool) {
		i := slices.IndexFunc(names, func(x string) bool { return strings.EqualFold(x, s) })
		if i < 0 {
			return "", false
		}
		return names[i], true
	}
	if strings.EqualFold(n.key, "meta") {
		if n.sub == "" {
			return attrName{key: "meta"}, true
		}
		sub, ok := find(metaAttrs, n.sub)
		return attrName{key: "meta", sub: sub}, ok
	}
	if key, ok := find([]string{"id", "schemas"}, n.key); ok && n.sub == "" {
		return attrName{key: key}, true
	}
	for _, sc := range Schemas("") {
		if !schemaOfType(sc.ID, resourceType) {
			continue
		}
		attrs := sc.Attributes
		key := n.key
		if sc.ID == EnterpriseUserSchema {
			if !strings.EqualFold(n.key, EnterpriseUserSchema) {
				continue
			}
			if n.sub == "" {
				return attrName{key: EnterpriseUserSchema}, true
			}
			key = n.sub
		}
		i := slices.IndexFunc(attrs, func(a Attribute) bool { return strings.EqualFold(a.Name, key) })
		if i < 0 {
			continue
		}
		a := attrs[i]
		if sc.ID == EnterpriseUserSchema {
			return attrName{key: EnterpriseUserSchema, sub: a.Name}, true
		}
		if n.sub == "" {
			return attrName{key: a.Name}, true
		}
		j := slices.IndexFunc(a.SubAttributes, func(s Attribute) bool { return strings.EqualFold(s.Name, n.sub) })
		if j < 0 {
			return attrName{}, false
		}
		return attrName{key: a.Name, sub: a.SubAttributes[j].Name}, true
	}
	return attrName{}, false
}

func schemaOfType(schemaID, resourceType string) bool {
	if resourceType == "Group" {
		return schemaID == GroupSchema
	}
	return schemaID == UserSchema || schemaID == EnterpriseUserSchema
}

// Returns reports whether a resource rendered with p holds attr (a
// top-level attribute such as "members"), so that a handler can spare
// loading what is not returned.
func (p Projection) Returns(attr string) bool {
	for _, n := range p.exclude {
		if strings.EqualFold(n.key, attr) && n.sub == "" {
			return false
		}
	}
	if p.only == nil {
		return true
	}
	return slices.ContainsFunc(p.only, func(n attrName) bool { return strings.EqualFold(n.key, attr) })
}

// Apply returns resource (a rendered User or Group) cut down to what p
// asks for; with the zero Projection it returns resource as it is.
func (p Projection) Apply(resource any) (any, error) {
	if p.only == nil && p.exclude == nil {
		return resource, nil
	}
	b, err := json.Marshal(resource)
	if err != nil {
		return nil, fmt.Errorf("scim: project: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("scim: project: %w", err)
	}
	if p.only == nil {
		for _, n := range p.exclude {
			if n.key != "id" && n.key != "schemas" {
				drop(m, n)
			}
		}
		return m, nil
	}
	out := map[string]any{"schemas": m["schemas"], "id": m["id"]}
	for _, n := range p.only {
		v, ok := m[n.key]
		if !ok {
			continue
		}
		if n.sub == "" {
			out[n.key] = v
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			o, _ := out[n.key].(map[string]any)
			if o == nil {
				o = map[string]any{}
			}
			if x, ok := v[n.sub]; ok {
				o[n.sub] = x
			}
			out[n.key] = o
		case []any:
			prev, _ := out[n.key].([]any)
			list := make([]any, len(v))
			for i, item := range v {
				o := map[string]any{}
				if i < len(prev) {
					o, _ = prev[i].(map[string]any)
				}
				if im, ok := item.(map[string]any); ok {
					if x, ok := im[n.sub]; ok {
						o[n.sub] = x
					}
				}
				list[i] = o
			}
			out[n.key] = list
		}
	}
	for k, v := range out {
		if o, ok := v.(map[string]any); ok && len(o) == 0 {
			delete(out, k) // asked for a sub-attribute without a value
		}
	}
	return out, nil
}

// drop removes an attribute or sub-attribute from a rendered resource.
func drop(m map[string]any, n attrName) {
	if n.sub == "" {
		delete(m, n.key)
		return
	}
	switch v := m[n.key].(type) {
	case map[string]any:
		delete(v, n.sub)
		if len(v) == 0 {
			delete(m, n.key)
		}
	case []any:
		for _, item := range v {
			if im, ok := item.(map[string]any); ok {
				delete(im, n.sub)
			}
		}
	}
}
