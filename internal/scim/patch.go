package scim

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Operation is one operation of a PATCH request (RFC 7644 §3.5.2).
type Operation struct {
	Op    string          // "add", "remove" or "replace", in lower case
	Path  *Path           // nil when the operation has no path
	Value json.RawMessage // nil when absent
}

// maxOperations bounds the work one PATCH request can ask for.
const maxOperations = 1000

// ParsePatch reads a PatchOp body. Op names are matched ignoring case
// (Entra ID sends "Replace"). A body that is not a PatchOp, or an unknown
// op, is invalidSyntax; a bad path is invalidPath; remove without a path is
// noTarget; add or replace without a path needs an object value.
func ParsePatch(body []byte) ([]Operation, error) {
	var b struct {
		Schemas    []string `json:"schemas"`
		Operations []struct {
			Op    string          `json:"op"`
			Path  *string         `json:"path"`
			Value json.RawMessage `json:"value"`
		} `json:"Operations"`
	}
	if err := decodeObject(body, &b); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(b.Schemas, func(s string) bool { return strings.EqualFold(s, PatchOpSchema) }) {
		return nil, Errorf(400, InvalidSyntax, "schemas must list %s", PatchOpSchema)
	}
	if len(b.Operations) == 0 {
		return nil, Errorf(400, InvalidSyntax, "Operations is empty")
	}
	if len(b.Operations) > maxOperations {
		return nil, Errorf(400, InvalidSyntax, "more than %d operations", maxOperations)
	}
	ops := make([]Operation, 0, len(b.Operations))
	for i, o := range b.Operations {
		op := Operation{Op: strings.ToLower(strings.TrimSpace(o.Op)), Value: o.Value}
		switch op.Op {
		case "add", "remove", "replace":
		default:
			return nil, Errorf(400, InvalidSyntax, "operation %d: op must be add, remove or replace, not %q", i+1, o.Op)
		}
		if o.Path != nil && strings.TrimSpace(*o.Path) != "" {
			p, err := ParsePath(strings.TrimSpace(*o.Path))
			if err != nil {
				return nil, err
			}
			op.Path = &p
		}
		switch {
		case op.Path == nil && op.Op == "remove":
			return nil, Errorf(400, NoTarget, "operation %d: remove needs a path", i+1)
		case op.Path == nil && !isObject(op.Value):
			return nil, Errorf(400, InvalidValue, "operation %d: without a path, the value must be an object of attributes", i+1)
		case op.Path != nil && op.Op != "remove" && op.Value == nil:
			return nil, Errorf(400, InvalidValue, "operation %d: %s needs a value", i+1, op.Op)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func isObject(raw json.RawMessage) bool {
	return strings.HasPrefix(strings.TrimSpace(string(raw)), "{")
}

// attrs calls f for each attribute of an operation: its path, or, without
// one, each key of its object value (which may itself be a path such as
// "name.givenName", or a schema URN whose value holds that schema's
// attributes).
func (o Operation) attrs(f func(p Path, value json.RawMessage) error) error {
	if o.Path != nil {
		return f(*o.Path, o.Value)
	}
	return eachKey(o.Value, "", f)
}

func eachKey(object json.RawMessage, urn string, f func(p Path, value json.RawMessage) error) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(object, &m); err != nil {
		return Errorf(400, InvalidValue, "the value must be an object of attributes")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a stable order, so that a request always has the same effect
	for _, k := range keys {
		if isSchemaURN(k) {
			if err := eachKey(m[k], k, f); err != nil {
				return err
			}
			continue
		}
		p, err := ParsePath(k)
		if err != nil {
			return err
		}
		if p.URN == "" {
			p.URN = urn
		}
		if err := f(p, m[k]); err != nil {
			return err
		}
	}
	return nil
}

func isSchemaURN(s string) bool {
	for _, urn := range []string{UserSchema, GroupSchema, EnterpriseUserSchema} {
		if strings.EqualFold(s, urn) {
			return true
		}
	}
	return false
}

// schemaOf says which schema a path is in: "core", "enterprise" or ""
// for a schema the portal does not know (and ignores).
func schemaOf(p Path, core string) string {
	switch {
	case p.URN == "" || strings.EqualFold(p.URN, core):
		return "core"
	case strings.EqualFold(p.URN, EnterpriseUserSchema):
		return "enterprise"
	}
	return ""
}

// ApplyUserPatch applies ops to u in order and returns the result.
// Attributes the portal does not keep (phone numbers, titles, addresses
// and the like) are ignored, so that a provider's default mapping works;
// id, meta and groups cannot be changed (mutability).
func ApplyUserPatch(u User, ops []Operation) (User, error) {
	for _, op := range ops {
		err := op.attrs(func(p Path, v json.RawMessage) error { return u.apply(op.Op, p, v) })
		if err != nil {
			return User{}, err
		}
	}
	u.settle()
	return u, nil
}

func (u *User) apply(op string, p Path, v json.RawMessage) error {
	remove := op == "remove"
	switch schemaOf(p, UserSchema) {
	case "enterprise":
		if p.Is("department", "") {
			return setString(&u.Department, "department", remove, v)
		}
		return nil
	case "":
		return nil
	}
	switch {
	case p.Is("id", ""):
		return checkSameID(u.ID, remove, v)
	case strings.EqualFold(p.Attr, "meta"), strings.EqualFold(p.Attr, "groups"):
		return Errorf(400, Mutability, "%s cannot be changed", p.Attr)
	case p.Is("schemas", ""):
		return nil
	case p.Is("userName", ""):
		if remove {
			return Errorf(400, InvalidValue, "userName is required")
		}
		s, err := parseString("userName", v)
		if err != nil {
			return err
		}
		return u.setUserName(s)
	case p.Is("active", ""):
		if remove {
			return Errorf(400, InvalidValue, "active cannot be removed; set it to false")
		}
		active, err := parseBool("active", v)
		if err != nil {
			return err
		}
		u.Active = active
	case p.Is("externalId", ""):
		return setString(&u.ExternalID, "externalId", remove, v)
	case p.Is("displayName", ""):
		return setString(&u.DisplayName, "displayName", remove, v)
	case p.Is("name", "givenName"):
		return setString(&u.GivenName, "name.givenName", remove, v)
	case p.Is("name", "familyName"):
		return setString(&u.FamilyName, "name.familyName", remove, v)
	case p.Is("name", ""):
		if remove {
			u.GivenName, u.FamilyName = "", ""
			return nil
		}
		var n nameBody
		if err := json.Unmarshal(v, &n); err != nil {
			return Errorf(400, InvalidValue, "name must be an object")
		}
		if n.GivenName != nil {
			u.GivenName = trimmed(n.GivenName)
		}
		if n.FamilyName != nil {
			u.FamilyName = trimmed(n.FamilyName)
		}
	}
	// name.formatted is derived from the given and family names; emails
	// follow userName. Both are accepted and ignored, as is anything else
	// the portal does not keep.
	return nil
}

// checkSameID accepts an id in a PATCH only when it is the resource's own
// (Okta repeats it in a replace without a path).
func checkSameID(id int64, remove bool, v json.RawMessage) error {
	var s string
	if !remove && json.Unmarshal(v, &s) == nil && s == strconv.FormatInt(id, 10) {
		return nil
	}
	return Errorf(400, Mutability, "id cannot be changed")
}

func setString(dst *string, attr string, remove bool, v json.RawMessage) error {
	if remove {
		*dst = ""
		return nil
	}
	s, err := parseString(attr, v)
	if err != nil {
		return err
	}
	*dst = s
	return nil
}

// ApplyGroupPatch applies ops to g in order and returns the result: a new
// displayName or externalId, and members added, removed (by a list of
// values or a filter such as `members[value eq "12"]`; all of them with a
// bare "members" path) or replaced.
func ApplyGroupPatch(g Group, ops []Operation) (Group, error) {
	for _, op := range ops {
		err := op.attrs(func(p Path, v json.RawMessage) error { return g.apply(op.Op, p, v) })
		if err != nil {
			return Group{}, err
		}
	}
	return g, nil
}

func (g *Group) apply(op string, p Path, v json.RawMessage) error {
	if schemaOf(p, GroupSchema) != "core" {
		return nil
	}
	remove := op == "remove"
	switch {
	case p.Is("id", ""):
		return checkSameID(g.ID, remove, v)
	case strings.EqualFold(p.Attr, "meta"):
		return Errorf(400, Mutability, "meta cannot be changed")
	case p.Is("displayName", ""):
		if remove {
			return Errorf(400, InvalidValue, "displayName is required")
		}
		s, err := parseString("displayName", v)
		if err != nil {
			return err
		}
		if s == "" {
			return Errorf(400, InvalidValue, "displayName is required")
		}
		g.DisplayName = s
	case p.Is("externalId", ""):
		return setString(&g.ExternalID, "externalId", remove, v)
	case strings.EqualFold(p.Attr, "members"):
		return g.applyMembers(op, p, v)
	}
	return nil
}

func (g *Group) applyMembers(op string, p Path, v json.RawMessage) error {
	if p.Filter != nil || p.Sub != "" {
		if op != "remove" || p.Sub != "" {
			return Errorf(400, InvalidPath, "members can be named by a filter only to remove them")
		}
		var ferr error
		g.Members = removeMembers(g.Members, func(m Member) bool {
			match, err := matchMember(p.Filter, m)
			if err != nil {
				ferr = err
			}
			return match
		})
		return ferr
	}
	members, err := parseMembers(v)
	if err != nil {
		return err
	}
	switch op {
	case "add":
		g.Members = addMembers(g.Members, members)
	case "replace":
		g.Members = addMembers(nil, members)
	case "remove":
		if isNull(v) {
			g.Members = nil
			return nil
		}
		drop := make(map[int64]bool, len(members))
		for _, m := range members {
			drop[m.ID] = true
		}
		g.Members = removeMembers(g.Members, func(m Member) bool { return drop[m.ID] })
	}
	return nil
}

// matchMember evaluates a filter on a member's sub-attributes value,
// display and type. It supports eq, ne, co, sw, ew and pr with and, or and
// not; other operators are invalidFilter.
func matchMember(e Expr, m Member) (bool, error) {
	attr := func(p Path) (string, bool) {
		switch {
		case p.Is("value", ""):
			return strconv.FormatInt(m.ID, 10), true
		case p.Is("display", ""):
			return m.Display, m.Display != ""
		case p.Is("type", ""):
			return "User", true
		}
		return "", false
	}
	switch e := e.(type) {
	case *Logical:
		l, err := matchMember(e.Left, m)
		if err != nil {
			return false, err
		}
		r, err := matchMember(e.Right, m)
		if e.Op == "and" {
			return l && r, err
		}
		return l || r, err
	case *Not:
		x, err := matchMember(e.X, m)
		return !x, err
	case *Present:
		_, ok := attr(e.Path)
		return ok, nil
	case *Compare:
		got, ok := attr(e.Path)
		want, isString := e.Value.(string)
		if !isString {
			return false, Errorf(400, InvalidFilter, "member filters compare strings")
		}
		switch e.Op {
		case "eq":
			return ok && got == want, nil
		case "ne":
			return !ok || got != want, nil
		case "co":
			return ok && strings.Contains(got, want), nil
		case "sw":
			return ok && strings.HasPrefix(got, want), nil
		case "ew":
			return ok && strings.HasSuffix(got, want), nil
		}
	}
	return false, Errorf(400, InvalidFilter, "unsupported member filter")
}
