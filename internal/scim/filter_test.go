package scim

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// show formats an expression for comparison.
func show(e Expr) string {
	switch e := e.(type) {
	case *Compare:
		return fmt.Sprintf("(%s %s %#v)", e.Path, e.Op, e.Value)
	case *Present:
		return fmt.Sprintf("(%s pr)", e.Path)
	case *Logical:
		return fmt.Sprintf("(%s %s %s)", show(e.Left), e.Op, show(e.Right))
	case *Not:
		return fmt.Sprintf("not%s", show(e.X))
	case *ValuePath:
		return fmt.Sprintf("%s[%s]", e.Attr, show(e.Filter))
	}
	return "?"
}

func scimType(err error) string {
	var se *Error
	if errors.As(err, &se) {
		return se.ScimType
	}
	return ""
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`userName eq "bjensen"`, `(userName eq "bjensen")`},
		{`userName Eq "a\"b"`, `(userName eq "a\"b")`},
		{`name.familyName co "O'Malley"`, `(name.familyName co "O'Malley")`},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, `(urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J")`},
		{`title pr`, `(title pr)`},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, `(meta.lastModified gt "2011-05-13T04:42:34Z")`},
		{`title pr and userType eq "Employee"`, `((title pr) and (userType eq "Employee"))`},
		{`a eq 1 or b eq 2 and c eq 3`, `((a eq 1) or ((b eq 2) and (c eq 3)))`},
		{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
			`((userType eq "Employee") and ((emails co "example.com") or (emails.value co "example.org")))`},
		{`userType ne "Employee" and not (emails co "example.com")`, `((userType ne "Employee") and not(emails co "example.com"))`},
		{`emails[type eq "work" and value co "@example.com"]`, `emails[((type eq "work") and (value co "@example.com"))]`},
		{`active eq true`, `(active eq true)`},
		{`manager eq null`, `(manager eq <nil>)`},
		{`emails[type eq "work"].value eq "a@example.com"`, `(emails[…].value eq "a@example.com")`},
		{`emails[type eq "work"].value eq "a@example.com" and userName eq "u"`, `((emails[…].value eq "a@example.com") and (userName eq "u"))`},
		{`emails[type eq "work"] and userName eq "u"`, `(emails[(type eq "work")] and (userName eq "u"))`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := ParseFilter(tt.in)
			if err != nil {
				t.Fatalf("ParseFilter: %v", err)
			}
			if got := show(e); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseFilterErrors(t *testing.T) {
	for _, in := range []string{
		``, `userName`, `userName eq`, `userName eq "x`, `userName xx "x"`, `userName eq bjensen`,
		`(userName eq "x"`, `userName eq "x")`, `not userName eq "x"`, `userName eq "x" and`,
		`emails[type eq "work"`, `emails[type eq "work"].value`, `emails[type eq "work"].1x eq "a"`, `1abc eq "x"`, `http://x:y eq "x"`, `userName eq "\q"`,
		strings.Repeat("(", 100) + `a pr` + strings.Repeat(")", 100),
		strings.Repeat("a", maxFilterLen+1),
	} {
		t.Run(in, func(t *testing.T) {
			if _, err := ParseFilter(in); scimType(err) != InvalidFilter {
				t.Errorf("err = %v, want invalidFilter", err)
			}
		})
	}
}

func TestEquality(t *testing.T) {
	allowed := []string{"userName", "externalId", "emails.value"}
	tests := []struct {
		in        string
		wantAttr  string
		wantValue string
	}{
		{`userName eq "Test_User@example.com"`, "userName", "Test_User@example.com"},
		{`USERNAME EQ "x"`, "userName", "x"},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`, "userName", "x"},
		{`externalId eq "00ujl29u0le5T6Aj10h7"`, "externalId", "00ujl29u0le5T6Aj10h7"},
		{`emails.value eq "a@example.com"`, "emails.value", "a@example.com"},
		{`userName co "x"`, "", ""},
		{`userName eq "x" and active eq true`, "", ""},
		{`name.familyName eq "x"`, "", ""},
		{`emails[value eq "x@example.com"]`, "emails.value", "x@example.com"},
		{`emails[type eq "work"].value eq "w@example.com"`, "emails.value", "w@example.com"},
		{`emails[primary eq true].value eq "p@example.com"`, "emails.value", "p@example.com"},
		{`emails[type eq "other"].value eq "o@example.com"`, "", ""},
		{`emails[value eq "x"].value eq "y"`, "", ""},
		{`emails[value co "x"]`, "", ""},
		{`emails[type eq "work"].type eq "work"`, "", ""},
		{`userName eq true`, "", ""},
		{`urn:example:ext:userName eq "x"`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := ParseFilter(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Equality(e, allowed...)
			if tt.wantAttr == "" {
				if scimType(err) != InvalidFilter {
					t.Errorf("got %+v, %v; want invalidFilter", f, err)
				}
				return
			}
			if err != nil || f.Attr != tt.wantAttr || f.Value != tt.wantValue {
				t.Errorf("got %+v, %v; want %s = %q", f, err, tt.wantAttr, tt.wantValue)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  string
	}{
		{`active`, `active`, ""},
		{`name.givenName`, `name.givenName`, ""},
		{`members[value eq "2819c223"]`, `members[…]`, ""},
		{`emails[type eq "work"].value`, `emails[…].value`, ""},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, ""},
		{`members[value eq "x"`, "", InvalidPath},
		{`members[value eq]`, "", InvalidFilter},
		{`a b`, "", InvalidPath},
		{`emails[type eq "work"]value`, "", InvalidPath},
		{`name.givenName[value eq "x"]`, "", InvalidPath},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePath(tt.in)
			if tt.wantErr != "" {
				if scimType(err) != tt.wantErr {
					t.Errorf("got %v, %v; want %s", p, err, tt.wantErr)
				}
				return
			}
			if err != nil || p.String() != tt.want {
				t.Errorf("got %v, %v; want %s", p, err, tt.want)
			}
		})
	}
}

func TestParsePage(t *testing.T) {
	tests := []struct {
		start, count string
		want         Page
		wantErr      bool
	}{
		{"", "", Page{1, MaxResults}, false},
		{"1", "100", Page{1, 100}, false},
		{"0", "-5", Page{1, 0}, false},
		{"11", "1000", Page{11, MaxResults}, false},
		{"x", "", Page{}, true},
		{"", "ten", Page{}, true},
	}
	for _, tt := range tests {
		got, err := ParsePage(tt.start, tt.count)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParsePage(%q, %q) = %+v, %v; want %+v", tt.start, tt.count, got, err, tt.want)
		}
	}
}
