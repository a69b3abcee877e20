package scim

import (
	"encoding/json"
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

// ParsePatch reads a PatchOp body. schemas must be exactly the PatchOp
// URN. Op names are matched ignoring case (Entra ID sends "Replace"). A
// body that is not a PatchOp, or an unknown op, is invalidSyntax; a bad
// path is invalidPath; remove without a path is noTarget; add or replace
// without a path needs an object value.
func ParsePatch(body []byte) ([]Operation, error) {
	var b struct {
		Schemas    []string `json:"schemas"`
		Operations []struct {
			Op    string          `json:"op"`
			Path  *string         `json:"path"`
			Value json.RawMessage `json:"value"`
		} `json:"Operations"`
	}
	if err := decodeInto(body, &b); err != nil {
		return nil, err
	}
	if len(b.Schemas) != 1 || !strings.EqualFold(b.Schemas[0], PatchOpSchema) {
		return nil, Errorf(400, InvalidSyntax, "schemas must be [%q], the PatchOp message's only schema", PatchOpSchema)
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

// attrs calls f for each attribute of an operation: its path, or, without
// one, each key of its object value (which may itself be a path such as
// "name.givenName", or a schema URN whose value holds that schema's
// attributes). fromPath says which.
func (o Operation) attrs(f func(p Path, value json.RawMessage, fromPath bool) error) error {
	if o.Path != nil {
		return f(*o.Path, o.Value, true)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(o.Value, &m); err != nil {
		return Errorf(400, InvalidValue, "the value must be an object of attributes")
	}
	return eachKey(m, "", func(p Path, v json.RawMessage) error { return f(p, v, false) })
}

// schemaOf says which schema a path is in: "core", "enterprise" or ""
// for a schema the portal does not know.
func schemaOf(p Path, core string) string {
	switch {
	case p.URN == "" || strings.EqualFold(p.URN, core):
		return "core"
	case strings.EqualFold(p.URN, EnterpriseUserSchema) && core == UserSchema:
		return "enterprise"
	}
	return ""
}

// ApplyUserPatch applies ops to u in order and returns the result. Every
// operation either changes what the portal keeps or is refused: a path no
// schema has is invalidPath; an attribute the portal does not keep (a
// phone number, a title, roles, …), id, meta and groups are mutability.
// Removing an attribute the portal does not keep changes nothing.
func ApplyUserPatch(u User, ops []Operation) (User, error) {
	st := &userParse{mode: modePatch, sent: map[string]bool{}}
	for _, op := range ops {
		err := op.attrs(func(p Path, v json.RawMessage, fromPath bool) error {
			st.path = fromPath
			return st.apply(&u, op.Op, p, v)
		})
		if err != nil {
			return User{}, err
		}
	}
	u.settle()
	return u, nil
}

// checkSameID accepts an id in a PATCH or PUT only when it is the
// resource's own (Okta repeats it in a replace without a path).
func checkSameID(id int64, remove bool, v json.RawMessage) error {
	var s string
	if !remove && json.Unmarshal(v, &s) == nil && s == strconv.FormatInt(id, 10) {
		return nil
	}
	return Errorf(400, Mutability, "id cannot be changed")
}

// ApplyGroupPatch applies ops to g in order and returns the result: a new
// displayName or externalId, and members added, removed (by a list of
// values or a filter such as `members[value eq "12"]`; all of them with a
// bare "members" path) or replaced. Any other path is refused.
func ApplyGroupPatch(g Group, ops []Operation) (Group, error) {
	for _, op := range ops {
		err := op.attrs(func(p Path, v json.RawMessage, fromPath bool) error { return g.apply(modePatch, op.Op, p, v, fromPath) })
		if err != nil {
			return Group{}, err
		}
	}
	return g, nil
}

func (g *Group) apply(m mode, op string, p Path, v json.RawMessage, fromPath bool) error {
	if schemaOf(p, GroupSchema) != "core" {
		return Errorf(400, m.unknownKind(), "%s: the portal keeps no attributes of schema %s", p, p.URN)
	}
	remove := op == "remove"
	attr := strings.ToLower(p.Attr)
	if attr != "members" && attr != "meta" && (p.Sub != "" || p.Filter != nil) {
		return Errorf(400, m.unknownKind(), "%s: the Group schema has no attribute %s", p, p)
	}
	switch attr {
	case "id":
		if m == modeCreate {
			return nil
		}
		return checkSameID(g.ID, remove, v)
	case "meta":
		if m == modePatch {
			return Errorf(400, Mutability, "meta is read-only")
		}
		return nil
	case "schemas":
		if fromPath {
			return Errorf(400, Mutability, "schemas cannot be changed")
		}
		return nil
	case "displayname":
		if remove {
			return Errorf(400, InvalidValue, "displayName is required")
		}
		s, err := parseText("displayName", v)
		if err != nil {
			return err
		}
		if s == "" {
			return Errorf(400, InvalidValue, "displayName is required")
		}
		g.DisplayName = s
		return nil
	case "externalid":
		return setText(&g.ExternalID, "externalId", remove, v)
	case "members":
		return g.applyMembers(op, p, v)
	}
	return Errorf(400, m.unknownKind(), "%s: the Group schema has no attribute %s", p, p.Attr)
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
// display and type.
func matchMember(e Expr, m Member) (bool, error) {
	return matchValue(e, true, func(p Path) (any, bool) {
		switch {
		case p.Is("value", ""):
			return strconv.FormatInt(m.ID, 10), true
		case p.Is("display", ""):
			return m.Display, m.Display != ""
		case p.Is("type", ""):
			return "User", true
		}
		return nil, false
	})
}

// matchValue evaluates a value filter on one value of a multi-valued
// attribute, whose sub-attributes attr gives. It supports eq, ne, co, sw,
// ew and pr with and, or and not, on strings (compared ignoring case, but
// "value" exactly when exactValue is true) and booleans; anything else is
// invalidFilter.
func matchValue(e Expr, exactValue bool, attr func(Path) (any, bool)) (bool, error) {
	switch e := e.(type) {
	case *Logical:
		l, err := matchValue(e.Left, exactValue, attr)
		if err != nil {
			return false, err
		}
		r, err := matchValue(e.Right, exactValue, attr)
		if e.Op == "and" {
			return l && r, err
		}
		return l || r, err
	case *Not:
		x, err := matchValue(e.X, exactValue, attr)
		return !x, err
	case *Present:
		_, ok := attr(e.Path)
		return ok, nil
	case *Compare:
		if e.Path.Filter != nil {
			break
		}
		got, ok := attr(e.Path)
		if b, isBool := e.Value.(bool); isBool {
			gotBool, _ := got.(bool)
			switch e.Op {
			case "eq":
				return ok && gotBool == b, nil
			case "ne":
				return !ok || gotBool != b, nil
			}
			return false, Errorf(400, InvalidFilter, "booleans are compared with eq or ne")
		}
		want, isString := e.Value.(string)
		if !isString {
			return false, Errorf(400, InvalidFilter, "value filters compare strings or booleans")
		}
		s, _ := got.(string)
		if !exactValue || !e.Path.Is("value", "") {
			s, want = strings.ToLower(s), strings.ToLower(want)
		}
		switch e.Op {
		case "eq":
			return ok && s == want, nil
		case "ne":
			return !ok || s != want, nil
		case "co":
			return ok && strings.Contains(s, want), nil
		case "sw":
			return ok && strings.HasPrefix(s, want), nil
		case "ew":
			return ok && strings.HasSuffix(s, want), nil
		}
	}
	return false, Errorf(400, InvalidFilter, "unsupported value filter")
}
