package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/advocacy-portal/portal/internal/input"
)

// decodeObject decodes a body that must be a JSON object into its
// attributes, values kept as sent; anything else is invalidSyntax.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := decodeInto(body, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeInto decodes a JSON object into v; anything else is invalidSyntax.
func decodeInto(body []byte, v any) error {
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
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

// lookup finds an attribute of a decoded object, ignoring case as RFC
// 7643 §2.1 asks.
func lookup(m map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// messageSchemas are the schema URNs that never belong to a resource body.
var messageSchemas = []string{UserSchema, GroupSchema, PatchOpSchema, ListResponseSchema, ErrorSchema,
	ServiceProviderConfigSchema, ResourceTypeSchema, SchemaSchema, EnterpriseUserSchema,
	"urn:ietf:params:scim:api:messages:2.0:BulkRequest", "urn:ietf:params:scim:api:messages:2.0:BulkResponse",
	"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}

// checkSchemas checks the schemas attribute of a resource body (RFC 7643
// §3): it must list core, may list the extensions the resource type has,
// and must not list another resource's or a message's schema. Other URNs
// (Entra ID adds one of its own to groups) are allowed; attributes under
// them are not, and are refused where they appear.
func checkSchemas(object map[string]json.RawMessage, core string, extensions ...string) error {
	raw, ok := lookup(object, "schemas")
	var list []string
	if !ok || isNull(raw) {
		return Errorf(400, InvalidSyntax, "schemas is missing: it must list %s", core)
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return Errorf(400, InvalidSyntax, "schemas must be a list of schema URNs including %s", core)
	}
	found := false
	for _, s := range list {
		switch {
		case strings.EqualFold(s, core):
			found = true
		case slices.ContainsFunc(extensions, func(e string) bool { return strings.EqualFold(s, e) }):
		case slices.ContainsFunc(messageSchemas, func(e string) bool { return strings.EqualFold(s, e) }):
			return Errorf(400, InvalidSyntax, "schemas lists %s, which is not a schema of this resource (%s)", s, core)
		}
	}
	if !found {
		return Errorf(400, InvalidSyntax, "schemas must list %s", core)
	}
	return nil
}

// eachKey calls f for each attribute of an object, in a stable order: a
// key may be a path such as "name.givenName", or a schema URN whose value
// holds that schema's attributes. A key given twice (in any case) is
// invalidSyntax.
func eachKey(m map[string]json.RawMessage, urn string, f func(p Path, value json.RawMessage) error) error {
	seen := make(map[string]bool, len(m))
	for _, k := range sortedKeys(m) {
		if seen[strings.ToLower(k)] {
			return Errorf(400, InvalidSyntax, "the attribute %s is given twice", k)
		}
		seen[strings.ToLower(k)] = true
		if isSchemaURN(k) {
			var inner map[string]json.RawMessage
			if isNull(m[k]) {
				continue
			}
			if !isObject(m[k]) || json.Unmarshal(m[k], &inner) != nil {
				return Errorf(400, InvalidValue, "%s must be an object of that schema's attributes", k)
			}
			if err := eachKey(inner, k, f); err != nil {
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

// isSchemaURN reports whether s names a whole schema rather than an
// attribute: one the portal knows, or any URN whose last part is a
// resource type (an extension such as Entra ID's custom ones).
func isSchemaURN(s string) bool {
	for _, urn := range []string{UserSchema, GroupSchema, EnterpriseUserSchema} {
		if strings.EqualFold(s, urn) {
			return true
		}
	}
	if !strings.HasPrefix(strings.ToLower(s), "urn:") {
		return false
	}
	last := s[strings.LastIndexByte(s, ':')+1:]
	return last == "User" || last == "Group"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a stable order, so that a request always has the same effect
	return keys
}

// parseText reads a string value that the portal will store: null is "";
// it must be valid UTF-8 without control characters (input.Check), or it
// is invalidValue naming attr. Surrounding spaces are trimmed.
func parseText(attr string, raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	// encoding/json would turn invalid UTF-8 and lone surrogate escapes
	// into U+FFFD without a word, so the raw text is checked first.
	if !utf8.Valid(raw) || hasLoneSurrogate(raw) {
		return "", Errorf(400, InvalidValue, "%s is not valid UTF-8 text", attr)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", Errorf(400, InvalidValue, "%s must be a string", attr)
	}
	if err := input.Check(s, input.Line); err != nil {
		return "", Errorf(400, InvalidValue, "%s %v", attr, err)
	}
	return strings.TrimSpace(s), nil
}

// setText sets *dst to the string value v, or to "" to remove it.
func setText(dst *string, attr string, remove bool, v json.RawMessage) error {
	if remove {
		*dst = ""
		return nil
	}
	s, err := parseText(attr, v)
	if err != nil {
		return err
	}
	*dst = s
	return nil
}

// hasLoneSurrogate reports whether a JSON text holds a \u escape of half a
// UTF-16 surrogate pair, which names no character.
func hasLoneSurrogate(raw []byte) bool {
	s := string(raw)
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			continue
		}
		if s[i+1] != 'u' {
			i++ // an escaped character, perhaps a backslash
			continue
		}
		r, ok := hexRune(s[i+2:])
		i++
		if !ok || r < 0xD800 || r > 0xDFFF {
			continue
		}
		if r >= 0xDC00 { // a low half without a high one
			return true
		}
		next, ok := "", false
		if i+5 < len(s) {
			next = s[i+5:]
		}
		if strings.HasPrefix(next, `\u`) {
			lo, isHex := hexRune(next[2:])
			ok = isHex && lo >= 0xDC00 && lo <= 0xDFFF
		}
		if !ok {
			return true
		}
		i += 6 // the low half
	}
	return false
}

func hexRune(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(s[:4], 16, 32)
	return rune(n), err == nil
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

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

func isObject(raw json.RawMessage) bool {
	return strings.HasPrefix(strings.TrimSpace(string(raw)), "{")
}

// isEmpty reports whether a value holds nothing: null, "", [] or {}, or a
// list or object of such values (Entra ID sends `"roles": []`).
func isEmpty(raw json.RawMessage) bool {
	if isNull(raw) {
		return true
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	return emptyValue(v)
}

func emptyValue(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	case []any:
		for _, x := range v {
			if !emptyValue(x) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, x := range v {
			if !emptyValue(x) {
				return false
			}
		}
		return true
	}
	return false
}
