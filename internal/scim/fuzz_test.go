package scim

import (
	"errors"
	"testing"

	"github.com/advocacy-portal/portal/internal/input"
)

// checkError fails unless err is nil or a 4xx *Error with a scimType:
// outside input must never produce anything else.
func checkError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var se *Error
	if !errors.As(err, &se) || se.Code() < 400 || se.Code() >= 500 {
		t.Fatalf("error %v (%T) is not a SCIM client error", err, err)
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, seed := range []string{
		`userName eq "bjensen"`,
		`externalId eq "00ujl29u0le5T6Aj10h7"`,
		`emails.value eq "a@example.com"`,
		`displayName eq "Group \"A\""`,
		`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
		`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
		`not (title pr) and active eq true and manager eq null and age gt 3.5e2`,
		`urn:ietf:params:scim:schemas:core:2.0:User:name.familyName sw "J"`,
		`((((a pr))))`, `a eq "\u00e9\n"`, `a eq "x`, `[`, `a[b[c eq 1]]`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := ParseFilter(in)
		checkError(t, err)
		if err != nil {
			return
		}
		if e == nil {
			t.Fatal("nil expression without an error")
		}
		_, err = Equality(e, "userName", "externalId", "emails.value")
		checkError(t, err)
		_, err = matchMember(e, Member{ID: 1, Display: "x"})
		checkError(t, err)
	})
}

func FuzzParsePatch(f *testing.F) {
	for _, seed := range []string{
		patchBody(`{"op":"Replace","path":"active","value":"False"}`),
		patchBody(`{"op":"replace","value":{"active":false}}`),
		patchBody(`{"op":"Add","path":"members","value":[{"value":"12"}]}`),
		patchBody(`{"op":"Remove","path":"members[value eq \"12\"]"}`),
		patchBody(`{"op":"remove","path":"members","value":[{"value":"1"}]}`),
		patchBody(`{"op":"replace","path":"members","value":[{"value":"3","display":"x"}]}`),
		patchBody(`{"op":"replace","value":{"id":"3","displayName":"Sales"}}`),
		patchBody(`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"a@example.com"}`),
		patchBody(`{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"x"}`),
		patchBody(`{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"x"},"name":{"givenName":"A"}}}`),
		patchBody(`{"op":"remove","path":"name"}`),
		patchBody(`{"op":"frob"}`),
		`{"schemas":[],"Operations":null}`, `[]`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ops, err := ParsePatch(body)
		checkError(t, err)
		if err != nil {
			return
		}
		u, err := ApplyUserPatch(ada, ops)
		checkError(t, err)
		if err == nil && (u.UserName == "" || u.DisplayName == "" || u.ID != ada.ID) {
			t.Fatalf("patched user lost a required attribute: %+v", u)
		}
		g, err := ApplyGroupPatch(Group{ID: 3, DisplayName: "Sales", Members: []Member{{ID: 1}}}, ops)
		checkError(t, err)
		if err == nil {
			seen := map[int64]bool{}
			for _, m := range g.Members {
				if m.ID <= 0 || seen[m.ID] {
					t.Fatalf("patched group has a bad or repeated member: %+v", g.Members)
				}
				seen[m.ID] = true
			}
			if g.DisplayName == "" {
				t.Fatalf("patched group lost its name")
			}
		}
	})
}

func FuzzParseResource(f *testing.F) {
	for _, seed := range []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@example.com","name":{"givenName":"A","familyName":"B"},"active":"True"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales","members":[{"value":"1"},{"value":1}]}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@example.com","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"x"}}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"upn","emails":[{"value":"a@example.com","primary":true}],"roles":[],"title":"x"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"members":{"value":"2"},"displayName":" "}`, `null`, `{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := ParseUser(body)
		checkError(t, err)
		if err == nil && (u.UserName == "" || u.DisplayName == "" || checkAddress("email", u.Email) != nil) {
			t.Fatalf("parsed user lacks userName, name or address: %+v", u)
		}
		for _, s := range []string{u.UserName, u.Email, u.DisplayName, u.GivenName, u.FamilyName, u.NickName, u.ExternalID} {
			if !input.Valid(s, input.Line) {
				t.Fatalf("parsed user holds text that cannot be stored: %q", s)
			}
		}
		_, err = ParseGroup(body)
		checkError(t, err)
	})
}
