package scim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Expr is a parsed SCIM filter (RFC 7644 §3.4.2.2): a *Compare, *Present,
// *Logical, *Not or *ValuePath.
type Expr interface{ expr() }

// Path is an attribute path: an optional schema URN, an attribute and an
// optional sub-attribute, e.g. "name.givenName" or
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department".
// In a PATCH path, Filter holds the value filter of a path such as
// `members[value eq "12"]` or `emails[type eq "work"].value`.
type Path struct {
	URN    string // "" when the path names no schema
	Attr   string
	Sub    string
	Filter Expr // only in PATCH paths; nil when there is none
}

// Compare is `path op value`. Value is a string, bool, float64 or nil.
type Compare struct {
	Path  Path
	Op    string // eq ne co sw ew gt ge lt le, in lower case
	Value any
}

// Present is `path pr`.
type Present struct{ Path Path }

// Logical is `left and right` or `left or right`.
type Logical struct {
	Op          string // "and" or "or"
	Left, Right Expr
}

// Not is `not (x)`.
type Not struct{ X Expr }

// ValuePath is `attr[filter]`, a filter on the values of a multi-valued
// attribute, e.g. `emails[type eq "work"]`.
type ValuePath struct {
	Attr   Path
	Filter Expr
}

func (*Compare) expr()   {}
func (*Present) expr()   {}
func (*Logical) expr()   {}
func (*Not) expr()       {}
func (*ValuePath) expr() {}

// Limits on outside input, so that a hostile filter cannot make the parser
// recurse or allocate without bound.
const (
	maxFilterLen   = 4096
	maxFilterDepth = 32
)

var compareOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true,
	"gt": true, "ge": true, "lt": true, "le": true}

// ParseFilter parses a filter expression. A filter that does not follow
// the grammar is an *Error with scimType invalidFilter.
func ParseFilter(s string) (Expr, error) {
	if len(s) > maxFilterLen {
		return nil, Errorf(400, InvalidFilter, "the filter is longer than %d characters", maxFilterLen)
	}
	p := &parser{lex: lexer{src: s}}
	if err := p.next(); err != nil {
		return nil, err
	}
	e, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("unexpected %q", p.tok.text)
	}
	return e, nil
}

// ParsePath parses the "path" of a PATCH operation (RFC 7644 §3.5.2):
// an attribute path, or a value path with an optional sub-attribute, e.g.
// `members[value eq "12"]` or `emails[type eq "work"].value`. An invalid
// path is an *Error with scimType invalidPath.
func ParsePath(s string) (Path, error) {
	if len(s) > maxFilterLen {
		return Path{}, Errorf(400, InvalidPath, "the path is longer than %d characters", maxFilterLen)
	}
	head, rest, hasFilter := strings.Cut(s, "[")
	path, err := parseAttrPath(strings.TrimSpace(head))
	if err != nil {
		return Path{}, Errorf(400, InvalidPath, "invalid path %q", s)
	}
	if !hasFilter {
		return path, nil
	}
	if path.Sub != "" {
		return Path{}, Errorf(400, InvalidPath, "invalid path %q: a value filter follows an attribute, not a sub-attribute", s)
	}
	end := strings.LastIndex(rest, "]")
	if end < 0 {
		return Path{}, Errorf(400, InvalidPath, "invalid path %q: missing ]", s)
	}
	filter, after := rest[:end], rest[end+1:]
	if path.Filter, err = ParseFilter(filter); err != nil {
		return Path{}, err
	}
	if after != "" {
		sub, ok := strings.CutPrefix(after, ".")
		if !ok || !isName(sub) {
			return Path{}, Errorf(400, InvalidPath, "invalid path %q", s)
		}
		path.Sub = sub
	}
	return path, nil
}

// parseAttrPath splits `[urn:]attr[.sub]`. The URN is everything up to the
// last colon; attribute names start with a letter and hold letters,
// digits, '-', '_' and '$'.
func parseAttrPath(s string) (Path, error) {
	var p Path
	name := s
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		p.URN, name = s[:i], s[i+1:]
		if !strings.HasPrefix(strings.ToLower(p.URN), "urn:") {
			return Path{}, fmt.Errorf("bad schema %q", p.URN)
		}
	}
	attr, sub, hasSub := strings.Cut(name, ".")
	if !isName(attr) || (hasSub && !isName(sub)) {
		return Path{}, fmt.Errorf("bad attribute %q", s)
	}
	p.Attr, p.Sub = attr, sub
	return p, nil
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '$':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '_'):
		default:
			return false
		}
	}
	return true
}

// String formats the path as SCIM writes it.
func (p Path) String() string {
	s := p.Attr
	if p.URN != "" {
		s = p.URN + ":" + s
	}
	if p.Filter != nil {
		s += "[…]"
	}
	if p.Sub != "" {
		s += "." + p.Sub
	}
	return s
}

// Is reports whether the path names attr (and sub-attribute sub, "" for
// none), ignoring case as RFC 7643 §2.1 asks.
func (p Path) Is(attr, sub string) bool {
	return strings.EqualFold(p.Attr, attr) && strings.EqualFold(p.Sub, sub)
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokString
	tokLParen
	tokRParen
	tokLBracket
	tokRBracket
)

type token struct {
	kind tokKind
	text string // the word, or the decoded string
}

type lexer struct {
	src string
	pos int
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t') {
		l.pos++
	}
	if l.pos >= len(l.src) {
		return token{kind: tokEOF}, nil
	}
	switch c := l.src[l.pos]; c {
	case '(':
		l.pos++
		return token{tokLParen, "("}, nil
	case ')':
		l.pos++
		return token{tokRParen, ")"}, nil
	case '[':
		l.pos++
		return token{tokLBracket, "["}, nil
	case ']':
		l.pos++
		return token{tokRBracket, "]"}, nil
	case '"':
		return l.string()
	}
	start := l.pos
	for l.pos < len(l.src) && !strings.ContainsRune(" \t()[]\"", rune(l.src[l.pos])) {
		l.pos++
	}
	return token{tokWord, l.src[start:l.pos]}, nil
}

// string reads a JSON string literal, escapes and all.
func (l *lexer) string() (token, error) {
	start := l.pos
	l.pos++
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case '\\':
			l.pos += 2
			continue
		case '"':
			l.pos++
			var s string
			if err := json.Unmarshal([]byte(l.src[start:l.pos]), &s); err != nil {
				return token{}, Errorf(400, InvalidFilter, "invalid string %s in the filter", l.src[start:l.pos])
			}
			return token{tokString, s}, nil
		}
		l.pos++
	}
	return token{}, Errorf(400, InvalidFilter, "unterminated string in the filter")
}

type parser struct {
	lex lexer
	tok token
}

func (p *parser) next() error {
	t, err := p.lex.next()
	p.tok = t
	return err
}

func (p *parser) errorf(format string, args ...any) error {
	return Errorf(400, InvalidFilter, "invalid filter: "+format, args...)
}

func (p *parser) isWord(w string) bool {
	return p.tok.kind == tokWord && strings.EqualFold(p.tok.text, w)
}

// parseOr: and binds tighter than or (RFC 7644 §3.4.2.2, table 3).
func (p *parser) parseOr(depth int) (Expr, error) {
	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		if err := p.next(); err != nil {
			return nil, err
		}
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		left = &Logical{Op: "or", Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) parseAnd(depth int) (Expr, error) {
	left, err := p.parseTerm(depth)
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		if err := p.next(); err != nil {
			return nil, err
		}
		right, err := p.parseTerm(depth)
		if err != nil {
			return nil, err
		}
		left = &Logical{Op: "and", Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) parseTerm(depth int) (Expr, error) {
	if depth >= maxFilterDepth {
		return nil, p.errorf("nested more than %d levels", maxFilterDepth)
	}
	switch {
	case p.tok.kind == tokLParen:
		return p.parseGroup(depth)
	case p.isWord("not"):
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.tok.kind != tokLParen {
			return nil, p.errorf("not must be followed by (")
		}
		x, err := p.parseGroup(depth)
		if err != nil {
			return nil, err
		}
		return &Not{X: x}, nil
	case p.tok.kind != tokWord:
		return nil, p.errorf("expected an attribute, found %q", p.tok.text)
	}
	path, err := parseAttrPath(p.tok.text)
	if err != nil {
		return nil, p.errorf("%v", err)
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokLBracket {
		if path.Sub != "" {
			return nil, p.errorf("a value filter follows an attribute, not a sub-attribute")
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		inner, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRBracket {
			return nil, p.errorf("missing ]")
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		// `emails[type eq "work"].value eq "…"`: not in RFC 7644's
		// grammar, but what Entra ID sends for a matching attribute.
		sub, ok := strings.CutPrefix(p.tok.text, ".")
		if p.tok.kind != tokWord || !ok {
			return &ValuePath{Attr: path, Filter: inner}, nil
		}
		if !isName(sub) {
			return nil, p.errorf("invalid sub-attribute %q", p.tok.text)
		}
		path.Sub, path.Filter = sub, inner
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	if p.tok.kind != tokWord {
		return nil, p.errorf("expected an operator after %s", path)
	}
	op := strings.ToLower(p.tok.text)
	if err := p.next(); err != nil {
		return nil, err
	}
	if op == "pr" {
		return &Present{Path: path}, nil
	}
	if !compareOps[op] {
		return nil, p.errorf("unknown operator %q", op)
	}
	value, err := p.value()
	if err != nil {
		return nil, err
	}
	return &Compare{Path: path, Op: op, Value: value}, p.next()
}

func (p *parser) parseGroup(depth int) (Expr, error) {
	if err := p.next(); err != nil {
		return nil, err
	}
	e, err := p.parseOr(depth + 1)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokRParen {
		return nil, p.errorf("missing )")
	}
	return e, p.next()
}

// value reads compValue: a string, true, false, null or a number.
func (p *parser) value() (any, error) {
	switch {
	case p.tok.kind == tokString:
		return p.tok.text, nil
	case p.tok.kind != tokWord:
		return nil, p.errorf("expected a value, found %q", p.tok.text)
	case p.isWord("true"):
		return true, nil
	case p.isWord("false"):
		return false, nil
	case p.isWord("null"):
		return nil, nil
	}
	var n float64
	if err := json.Unmarshal([]byte(p.tok.text), &n); err != nil {
		return nil, p.errorf("invalid value %q (strings are quoted)", p.tok.text)
	}
	return n, nil
}

// EqualityFilter is the only kind of filter the portal answers: one
// attribute compared for equality with a string.
type EqualityFilter struct {
	Attr  string // as the caller listed it in allowed
	Value string
}

// Equality checks that e is `attr eq "value"` for one of allowed (names as
// in RFC 7643, e.g. "userName" or "emails.value", matched ignoring case and
// an optional core schema URN). The portal keeps one address per person,
// its primary work one, so `emails[type eq "work"].value eq "…"` (Entra
// ID's form) and `emails[value eq "…"]` are emails.value too. Anything
// else is an *Error with scimType invalidFilter that names what is
// supported.
func Equality(e Expr, allowed ...string) (EqualityFilter, error) {
	unsupported := Errorf(400, InvalidFilter, "only these filters are supported: %s eq \"…\"",
		strings.Join(allowed, " eq \"…\", "))
	if vp, ok := e.(*ValuePath); ok && vp.Attr.Is("emails", "") {
		c, ok := vp.Filter.(*Compare)
		if !ok || !c.Path.Is("value", "") || c.Path.URN != "" || c.Path.Filter != nil {
			return EqualityFilter{}, unsupported
		}
		e = &Compare{Path: Path{URN: vp.Attr.URN, Attr: "emails", Sub: "value"}, Op: c.Op, Value: c.Value}
	}
	c, ok := e.(*Compare)
	if !ok || c.Op != "eq" {
		return EqualityFilter{}, unsupported
	}
	if c.Path.Filter != nil {
		// Only a filter that holds for the one address the portal keeps.
		work := User{Email: "-"}
		match, err := matchValue(c.Path.Filter, false, work.emailAttr)
		if err != nil || !match || !c.Path.Is("emails", "value") || refersToValue(c.Path.Filter) {
			return EqualityFilter{}, unsupported
		}
	}
	if c.Path.URN != "" && !strings.EqualFold(c.Path.URN, UserSchema) && !strings.EqualFold(c.Path.URN, GroupSchema) {
		return EqualityFilter{}, unsupported
	}
	value, ok := c.Value.(string)
	if !ok {
		return EqualityFilter{}, unsupported
	}
	for _, a := range allowed {
		attr, sub, _ := strings.Cut(a, ".")
		if c.Path.Is(attr, sub) {
			return EqualityFilter{Attr: a, Value: value}, nil
		}
	}
	return EqualityFilter{}, unsupported
}

// refersToValue reports whether a value filter looks at the value itself,
// so that it cannot be judged without the resource.
func refersToValue(e Expr) bool {
	switch e := e.(type) {
	case *Logical:
		return refersToValue(e.Left) || refersToValue(e.Right)
	case *Not:
		return refersToValue(e.X)
	case *Present:
		return e.Path.Is("value", "")
	case *Compare:
		return e.Path.Is("value", "")
	}
	return false
}
