package scim

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func patchBody(ops ...string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

var ada = User{ID: 7, UserName: "ada@example.com", Email: "ada@example.com", DisplayName: "Ada Lovelace", GivenName: "Ada",
	FamilyName: "Lovelace", ExternalID: "e-1", Active: true}

func TestApplyUserPatch(t *testing.T) {
	tests := []struct {
		name string
		body string
		want func(u *User)
	}{
		{"Entra: Replace active with a string", patchBody(`{"op":"Replace","path":"active","value":"False"}`),
			func(u *User) { u.Active = false }},
		{"Entra: reactivate", patchBody(`{"op":"Replace","path":"active","value":"True"}`), func(u *User) {}},
		{"Okta: replace without path", patchBody(`{"op":"replace","value":{"active":false}}`),
			func(u *User) { u.Active = false }},
		{"Entra: attributes by path", patchBody(
			`{"op":"Replace","path":"userName","value":"ada.l@example.com"}`,
			`{"op":"Add","path":"name.givenName","value":"Augusta"}`,
			`{"op":"Replace","path":"name.familyName","value":"King"}`,
			`{"op":"Replace","path":"displayName","value":"Augusta Ada King"}`,
			`{"op":"Replace","path":"externalId","value":"e-2"}`,
			`{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Engineering"}`),
			func(u *User) {
				u.UserName, u.GivenName, u.FamilyName, u.DisplayName, u.ExternalID, u.Department =
					"ada.l@example.com", "Augusta", "King", "Augusta Ada King", "e-2", "Engineering"
			}},
		{"Entra: Replace emails[type eq work].value changes the address, not userName", patchBody(
			`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"}`,
			`{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}`),
			func(u *User) { u.Email, u.FamilyName = "updatedEmail@microsoft.com", "updatedFamilyName" }},
		{"Entra: Add emails[type eq work].value", patchBody(
			`{"op":"Add","path":"emails[type eq \"work\"].value","value":"ada@maths.example"}`),
			func(u *User) { u.Email = "ada@maths.example" }},
		{"the address by its value, in another case", patchBody(`{"op":"replace","path":"emails[value eq \"ADA@example.com\"].value","value":"v@example.com"}`),
			func(u *User) { u.Email = "v@example.com" }},
		{"primary address by filter", patchBody(`{"op":"replace","path":"emails[primary eq true].value","value":"p@example.com"}`),
			func(u *User) { u.Email = "p@example.com" }},
		{"emails as a list", patchBody(`{"op":"replace","path":"emails","value":[{"value":"l@example.com","type":"work","primary":"True"}]}`),
			func(u *User) { u.Email = "l@example.com" }},
		{"no path: nested, dotted and extension keys", patchBody(`{"op":"replace","value":{
			"name":{"givenName":"Augusta"}, "name.familyName":"King", "emails":[{"value":"x@example.com","primary":true}],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Maths"}, "id":"7"}}`),
			func(u *User) {
				u.GivenName, u.FamilyName, u.Department, u.Email = "Augusta", "King", "Maths", "x@example.com"
			}},
		{"nickName, formatted name, locale and language are kept", patchBody(
			`{"op":"add","path":"nickName","value":"Countess"}`,
			`{"op":"replace","path":"name.formatted","value":"Augusta Ada King, Countess of Lovelace"}`,
			`{"op":"replace","value":{"locale":"en-GB","preferredLanguage":"en"}}`),
			func(u *User) {
				u.NickName, u.Formatted, u.Locale, u.PreferredLanguage = "Countess", "Augusta Ada King, Countess of Lovelace", "en-GB", "en"
			}},
		{"remove optional attributes", patchBody(`{"op":"remove","path":"externalId"}`, `{"op":"remove","path":"displayName"}`),
			func(u *User) { u.ExternalID = "" /* the shown name falls back to given and family name */ }},
		{"remove name", patchBody(`{"op":"remove","path":"name"}`, `{"op":"remove","path":"displayName"}`),
			func(u *User) { u.GivenName, u.FamilyName, u.DisplayName = "", "", "ada" }},
		{"Entra: removing what the portal does not keep changes nothing", patchBody(
			`{"op":"Remove","path":"phoneNumbers[type eq \"work\"].value"}`,
			`{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}`,
			`{"op":"Remove","path":"emails[type eq \"other\"].value"}`), func(u *User) {}},
		{"empty values of what the portal does not keep", patchBody(`{"op":"add","path":"roles","value":[]}`,
			`{"op":"replace","value":{"title":"","groups":[]}}`), func(u *User) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParsePatch([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParsePatch: %v", err)
			}
			got, err := ApplyUserPatch(ada, ops)
			if err != nil {
				t.Fatalf("ApplyUserPatch: %v", err)
			}
			want := ada
			tt.want(&want)
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestPatchErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `{"schemas":`, InvalidSyntax},
		{"not an object", `[1]`, InvalidSyntax},
		{"no PatchOp schema", `{"Operations":[{"op":"replace","path":"active","value":false}]}`, InvalidSyntax},
		{"a User schema instead of PatchOp", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"replace","path":"active","value":false}]}`, InvalidSyntax},
		{"PatchOp and another schema", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp","urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"replace","path":"active","value":false}]}`, InvalidSyntax},
		{"schemas not a list", `{"schemas":"urn:ietf:params:scim:api:messages:2.0:PatchOp","Operations":[{"op":"replace","path":"active","value":false}]}`, InvalidSyntax},
		{"no operations", patchBody(), InvalidSyntax},
		{"unknown op", patchBody(`{"op":"Frobnicate","path":"active","value":false}`), InvalidSyntax},
		{"remove without path", patchBody(`{"op":"remove"}`), NoTarget},
		{"replace without path or object", patchBody(`{"op":"replace","value":false}`), InvalidValue},
		{"replace without value", patchBody(`{"op":"replace","path":"active"}`), InvalidValue},
		{"bad path", patchBody(`{"op":"replace","path":"a b","value":1}`), InvalidPath},
		{"bad filter in path", patchBody(`{"op":"remove","path":"members[value eq]"}`), InvalidFilter},
		{"operations of the wrong type", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":{}}`, InvalidSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParsePatch([]byte(tt.body)); scimType(err) != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}

	applyTests := []struct {
		name, body, want string
	}{
		{"active not a boolean", patchBody(`{"op":"replace","path":"active","value":"maybe"}`), InvalidValue},
		{"remove active", patchBody(`{"op":"remove","path":"active"}`), InvalidValue},
		{"remove userName", patchBody(`{"op":"remove","path":"userName"}`), InvalidValue},
		{"userName empty", patchBody(`{"op":"replace","path":"userName","value":" "}`), InvalidValue},
		{"userName not a string", patchBody(`{"op":"replace","path":"userName","value":5}`), InvalidValue},
		{"change id", patchBody(`{"op":"replace","path":"id","value":"8"}`), Mutability},
		{"change meta", patchBody(`{"op":"replace","path":"meta.created","value":"x"}`), Mutability},
		{"change groups", patchBody(`{"op":"add","path":"groups","value":[{"value":"1"}]}`), Mutability},
		{"change schemas", patchBody(`{"op":"add","path":"schemas","value":["urn:x"]}`), Mutability},
		{"add roles", patchBody(`{"op":"add","path":"roles","value":[{"value":"admin","primary":true}]}`), Mutability},
		{"Entra: add roles by filter", patchBody(`{"op":"Add","path":"roles[primary eq \"True\"].value","value":"admin"}`), Mutability},
		{"Entra: title", patchBody(`{"op":"Add","path":"title","value":"Rear Admiral"}`), Mutability},
		{"Entra: phone number", patchBody(`{"op":"Add","path":"phoneNumbers[type eq \"work\"].value","value":"+1 555"}`), Mutability},
		{"Entra: manager", patchBody(`{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"42"}`), Mutability},
		{"middle name", patchBody(`{"op":"replace","path":"name.middleName","value":"Byron"}`), Mutability},
		{"Okta: password sync", patchBody(`{"op":"replace","value":{"password":"s3cret!"}}`), Mutability},
		{"title in a value without path", patchBody(`{"op":"replace","value":{"active":false,"title":"Countess"}}`), Mutability},
		{"unknown attribute", patchBody(`{"op":"replace","path":"shoeSize","value":44}`), InvalidPath},
		{"unknown attribute without path", patchBody(`{"op":"replace","value":{"shoeSize":44}}`), InvalidPath},
		{"unknown sub-attribute", patchBody(`{"op":"replace","path":"name.nick","value":"x"}`), InvalidPath},
		{"sub-attribute of a simple attribute", patchBody(`{"op":"replace","path":"userName.value","value":"x"}`), InvalidPath},
		{"filter on a simple attribute", patchBody(`{"op":"replace","path":"userName[value eq \"x\"]","value":"x"}`), InvalidPath},
		{"unknown extension", patchBody(`{"op":"add","path":"urn:example:ext:1.0:User:shoeSize","value":44}`), InvalidPath},
		{"unknown enterprise attribute", patchBody(`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:shoeSize","value":44}`), InvalidPath},
		{"an address of another type", patchBody(`{"op":"Add","path":"emails[type eq \"other\"].value","value":"x@example.com"}`), Mutability},
		{"two addresses", patchBody(`{"op":"replace","path":"emails","value":[{"value":"a@example.com","type":"work"},{"value":"b@example.com","type":"home"}]}`), Mutability},
		{"two primary addresses", patchBody(`{"op":"replace","path":"emails","value":[{"value":"a@example.com","primary":true},{"value":"b@example.com","primary":true}]}`), InvalidValue},
		{"remove the address", patchBody(`{"op":"remove","path":"emails[type eq \"work\"].value"}`), InvalidValue},
		{"remove emails", patchBody(`{"op":"remove","path":"emails"}`), InvalidValue},
		{"emails empty", patchBody(`{"op":"replace","path":"emails","value":[]}`), InvalidValue},
		{"address not an address", patchBody(`{"op":"replace","path":"emails[type eq \"work\"].value","value":"ada"}`), InvalidValue},
		{"type of the address", patchBody(`{"op":"replace","path":"emails[type eq \"work\"].type","value":"home"}`), InvalidPath},
		{"NUL in displayName", patchBody(`{"op":"replace","path":"displayName","value":"Ada\u0000"}`), InvalidValue},
		{"newline in nickName", patchBody(`{"op":"replace","path":"nickName","value":"a\nb"}`), InvalidValue},
		{"lone surrogate in familyName", patchBody(`{"op":"replace","path":"name.familyName","value":"L\ud800"}`), InvalidValue},
		{"invalid UTF-8 in givenName", patchBody("{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"A\xffda\"}"), InvalidValue},
		{"the same attribute twice", patchBody(`{"op":"replace","value":{"active":false,"Active":true}}`), InvalidSyntax},
	}
	for _, tt := range applyTests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParsePatch([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ApplyUserPatch(ada, ops); scimType(err) != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestApplyGroupPatch(t *testing.T) {
	sales := Group{ID: 3, DisplayName: "Sales", ExternalID: "g-1", Members: []Member{{ID: 1}, {ID: 2}}}
	tests := []struct {
		name        string
		body        string
		wantName    string
		wantMembers []int64
		wantErr     string
	}{
		{"Entra: Add members", patchBody(`{"op":"Add","path":"members","value":[{"value":"3"},{"value":"2"}]}`), "Sales", []int64{1, 2, 3}, ""},
		{"Entra: Remove members by value list", patchBody(`{"op":"Remove","path":"members","value":[{"value":"1"}]}`), "Sales", []int64{2}, ""},
		{"remove by filter", patchBody(`{"op":"Remove","path":"members[value eq \"2\"]"}`), "Sales", []int64{1}, ""},
		{"remove all", patchBody(`{"op":"remove","path":"members"}`), "Sales", []int64{}, ""},
		{"Okta: replace members", patchBody(`{"op":"replace","path":"members","value":[{"value":"5","display":"x"}]}`), "Sales", []int64{5}, ""},
		{"Okta: rename without path, with id", patchBody(`{"op":"replace","value":{"id":"3","displayName":"Sales EMEA"}}`), "Sales EMEA", []int64{1, 2}, ""},
		{"Entra: Replace displayName", patchBody(`{"op":"Replace","path":"displayName","value":"Ventes"}`), "Ventes", []int64{1, 2}, ""},
		{"one member object", patchBody(`{"op":"add","path":"members","value":{"value":"9"}}`), "Sales", []int64{1, 2, 9}, ""},
		{"numeric member value", patchBody(`{"op":"add","path":"members","value":[{"value":9}]}`), "Sales", []int64{1, 2, 9}, ""},
		{"member not an id", patchBody(`{"op":"add","path":"members","value":[{"value":"abc"}]}`), "", nil, InvalidValue},
		{"members not a list", patchBody(`{"op":"add","path":"members","value":"3"}`), "", nil, InvalidValue},
		{"empty displayName", patchBody(`{"op":"replace","path":"displayName","value":""}`), "", nil, InvalidValue},
		{"add by filter", patchBody(`{"op":"add","path":"members[value eq \"2\"]","value":[]}`), "", nil, InvalidPath},
		{"other id", patchBody(`{"op":"replace","value":{"id":"4"}}`), "", nil, Mutability},
		{"unsupported member filter", patchBody(`{"op":"remove","path":"members[value gt \"2\"]"}`), "", nil, InvalidFilter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := ParsePatch([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParsePatch: %v", err)
			}
			got, err := ApplyGroupPatch(sales, ops)
			if tt.wantErr != "" {
				if scimType(err) != tt.wantErr {
					t.Errorf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ids := got.MemberIDs()
			if got.DisplayName != tt.wantName || !slices.Equal(ids, tt.wantMembers) {
				t.Errorf("got %s %v, want %s %v", got.DisplayName, ids, tt.wantName, tt.wantMembers)
			}
		})
	}
	if sales.Members[0].ID != 1 || len(sales.Members) != 2 {
		t.Errorf("patching changed the original group: %+v", sales)
	}
}

const (
	userSchemas  = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`
	groupSchemas = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]`
)

func TestParseUser(t *testing.T) {
	// Microsoft's documented create: userName is the UPN (here not even an
	// address), the address is in emails.
	entra := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1","active":true,
		"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@testuser.com"}],"meta":{"resourceType":"User"},
		"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}`
	u, err := ParseUser([]byte(entra))
	want := User{UserName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1", Email: "Test_User_fd0ea19b@testuser.com",
		ExternalID: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", DisplayName: "givenName familyName", Formatted: "givenName familyName",
		GivenName: "givenName", FamilyName: "familyName", Active: true}
	if err != nil || u != want {
		t.Errorf("Entra user = %+v, %v\nwant %+v", u, err, want)
	}

	// Okta's documented create, with its placeholder password.
	okta := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
		"name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
		"displayName":"Test User","nickName":"Testy","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`
	u, err = ParseUser([]byte(okta))
	want = User{UserName: "test.user@okta.local", Email: "test.user@okta.local", ExternalID: "00ujl29u0le5T6Aj10h7",
		DisplayName: "Test User", NickName: "Testy", GivenName: "Test", FamilyName: "User", Locale: "en-US", Active: true}
	if err != nil || u != want {
		t.Errorf("Okta user = %+v, %v\nwant %+v", u, err, want)
	}

	// Without emails, a userName that is an address is the address; a
	// work address is chosen when none is primary; case is ignored.
	for body, wantEmail := range map[string]string{
		`{` + userSchemas + `,"userName":"a@example.com"}`:                                                                                                                                  "a@example.com",
		`{` + userSchemas + `,"userName":"upn@corp.example","emails":[{"type":"work","value":"w@example.com"}]}`:                                                                            "w@example.com",
		`{` + userSchemas + `,"userName":"upn@corp.example","emails":[{"value":"only@example.com"}]}`:                                                                                       "only@example.com",
		`{"SCHEMAS":["urn:ietf:params:scim:schemas:core:2.0:user"],"USERNAME":"a@example.com","Emails":[{"Value":"A@example.com","Primary":true},{"value":"a@EXAMPLE.com","type":"work"}]}`: "A@example.com",
	} {
		u, err := ParseUser([]byte(body))
		if err != nil || u.Email != wantEmail {
			t.Errorf("ParseUser(%s) = %q, %v; want the address %q", body, u.Email, err, wantEmail)
		}
	}

	for body, wantType := range map[string]string{
		`{` + userSchemas + `,"userName":"a@example.com","active":"yes"}`: InvalidValue,
		`{` + userSchemas + `,"name":{"givenName":"x"}}`:                  InvalidValue,
		`{` + userSchemas + `,"userName":"not-an-address"}`:               InvalidValue,
		`{` + userSchemas + `,"userName":["a@example.com"]}`:              InvalidValue,
		`{` + userSchemas + `,"userName":"a@example.com",`:                InvalidSyntax,
		`"a@example.com"`: InvalidSyntax,
		`{` + userSchemas + `,"userName":"a@example.com","emails":"x"}`:               InvalidValue,
		`{` + userSchemas + `,"userName":"a@example.com","name":"Ada"}`:               InvalidValue,
		`{` + userSchemas + `,"userName":"u","emails":[{"value":"a b@example.com"}]}`: InvalidValue,
		// schemas: missing, wrong, or another resource's.
		`{"userName":"a@example.com"}`: InvalidSyntax,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"a@example.com"}`:                                              InvalidSyntax,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"a@example.com"}`: InvalidSyntax,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"userName":"a@example.com"}`:                                            InvalidSyntax,
		`{"schemas":"urn:ietf:params:scim:schemas:core:2.0:User","userName":"a@example.com"}`:                                                 InvalidSyntax,
		`{"schemas":[],"userName":"a@example.com"}`:                                                                                           InvalidSyntax,
		// What the portal does not keep, with a value, is refused.
		`{` + userSchemas + `,"userName":"a@example.com","roles":[{"value":"admin"}]}`:                                                                 Mutability,
		`{` + userSchemas + `,"userName":"a@example.com","title":"Engineer"}`:                                                                          Mutability,
		`{` + userSchemas + `,"userName":"a@example.com","groups":[{"value":"3"}]}`:                                                                    Mutability,
		`{` + userSchemas + `,"userName":"a@example.com","phoneNumbers":[{"type":"work","value":"+1"}]}`:                                               Mutability,
		`{` + userSchemas + `,"userName":"a@example.com","name":{"middleName":"B"}}`:                                                                   Mutability,
		`{` + userSchemas + `,"userName":"a@example.com","emails":[{"value":"a@example.com","primary":true},{"value":"b@example.com","type":"home"}]}`: Mutability,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"a@example.com","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7"}}`: Mutability,
		// What no schema of the portal has is refused too.
		`{` + userSchemas + `,"userName":"a@example.com","shoeSize":44}`:                                                                                    InvalidSyntax,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:x:custom:2.0:User"],"userName":"a@example.com","urn:x:custom:2.0:User":{"tag":"1"}}`: InvalidSyntax,
		// Text the portal cannot store.
		`{` + userSchemas + `,"userName":"u\u0000@x.com"}`:                           InvalidValue,
		`{` + userSchemas + `,"userName":"u@x.com","displayName":"A\u001bB"}`:        InvalidValue,
		`{` + userSchemas + `,"userName":"u@x.com","name":{"givenName":"\udc00"}}`:   InvalidValue,
		"{" + userSchemas + ",\"userName\":\"u@x.com\",\"externalId\":\"\xc3\x28\"}": InvalidValue,
	} {
		if _, err := ParseUser([]byte(body)); scimType(err) != wantType {
			t.Errorf("ParseUser(%s): %v, want %s", body, err, wantType)
		}
	}

	// A body may list extensions the portal does not know, without
	// attributes of theirs; empty values of what it does not keep are fine.
	if _, err := ParseUser([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:x:custom:2.0:User"],` +
		`"userName":"a@example.com","roles":[],"title":"","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":""}}}`)); err != nil {
		t.Errorf("empty values: %v", err)
	}
}

// TestTextErrorsNameTheAttribute: a bad value's detail says which one.
func TestTextErrorsNameTheAttribute(t *testing.T) {
	for body, attr := range map[string]string{
		`{` + userSchemas + `,"userName":"u\u0000@x.com"}`:                                  "userName",
		`{` + userSchemas + `,"userName":"u@x.com","nickName":"\u0007"}`:                    "nickName",
		`{` + userSchemas + `,"userName":"u@x.com","emails":[{"value":"a\u0000@x.com"}]}`:   "emails.value",
		"{" + userSchemas + ",\"userName\":\"u@x.com\",\"name\":{\"familyName\":\"\xff\"}}": "name.familyName",
	} {
		_, err := ParseUser([]byte(body))
		var se *Error
		if !errors.As(err, &se) || se.ScimType != InvalidValue || !strings.HasPrefix(se.Detail, attr+" ") {
			t.Errorf("ParseUser(%q) = %v, want invalidValue naming %s", body, err, attr)
		}
	}
	_, err := ParseGroup([]byte(`{` + groupSchemas + `,"displayName":"Sales\u0000"}`))
	var se *Error
	if !errors.As(err, &se) || se.ScimType != InvalidValue || !strings.HasPrefix(se.Detail, "displayName ") {
		t.Errorf("ParseGroup with NUL = %v, want invalidValue naming displayName", err)
	}
}

func TestParseGroup(t *testing.T) {
	// Entra ID lists a schema of its own; Okta sends members [].
	for _, body := range []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
			"externalId":"8aa1a0c0","displayName":"displayName","meta":{"resourceType":"Group"}}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"displayName","members":[]}`,
	} {
		if g, err := ParseGroup([]byte(body)); err != nil || g.DisplayName != "displayName" {
			t.Errorf("ParseGroup(%s) = %+v, %v", body, g, err)
		}
	}
	for body, wantType := range map[string]string{
		`{"displayName":"Sales"}`: InvalidSyntax,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"Sales"}`: InvalidSyntax,
		`{` + groupSchemas + `}`:                                                 InvalidValue,
		`{` + groupSchemas + `,"displayName":"Sales","owner":"x"}`:               InvalidSyntax,
		`{` + groupSchemas + `,"displayName":"Sales","members":[{"value":"x"}]}`: InvalidValue,
	} {
		if _, err := ParseGroup([]byte(body)); scimType(err) != wantType {
			t.Errorf("ParseGroup(%s): %v, want %s", body, err, wantType)
		}
	}
}

func TestReplaceKeepsWhatIsLeftOut(t *testing.T) {
	off := ada
	off.Active, off.Department, off.Email = false, "Maths", "ada@maths.example"
	u, err := ReplaceUser(off, []byte(`{`+userSchemas+`,"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"King"}}`))
	if err != nil || u.Active || u.ExternalID != "e-1" || u.Department != "Maths" || u.DisplayName != "Ada King" || u.ID != 7 ||
		u.Email != "ada@maths.example" {
		t.Errorf("ReplaceUser = %+v, %v; want inactive, externalId, address and department kept, name from the body", u, err)
	}
	if _, err := ReplaceUser(off, []byte(`{`+userSchemas+`,"id":"8","userName":"ada@example.com"}`)); scimType(err) != Mutability {
		t.Errorf("PUT with another id: %v, want mutability", err)
	}
	if u, err := ReplaceUser(off, []byte(`{`+userSchemas+`,"id":"7","userName":"ada@example.com","meta":{"resourceType":"User"}}`)); err != nil || u.ID != 7 {
		t.Errorf("PUT with its own id and meta = %+v, %v", u, err)
	}
	g, err := ReplaceGroup(Group{ID: 3, DisplayName: "Sales", ExternalID: "g", Members: []Member{{ID: 1}}}, []byte(`{`+groupSchemas+`,"displayName":"Ventes"}`))
	if err != nil || g.ID != 3 || g.ExternalID != "g" || len(g.Members) != 1 {
		t.Errorf("ReplaceGroup = %+v, %v", g, err)
	}
	g, err = ReplaceGroup(Group{ID: 3, DisplayName: "Sales", Members: []Member{{ID: 1}}}, []byte(`{`+groupSchemas+`,"displayName":"Ventes","members":[]}`))
	if err != nil || len(g.Members) != 0 {
		t.Errorf("ReplaceGroup with members [] = %+v, %v; want none", g, err)
	}
}

func TestRender(t *testing.T) {
	u := ada
	u.UserName, u.Department, u.NickName = "AdaL@corp.example", "Maths", "Countess"
	u.Created = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	u.Modified, u.Revision = time.Date(2024, 3, 2, 10, 30, 0, 500e6, time.FixedZone("CET", 3600)), 3
	b, err := json.Marshal(RenderUser(u, "https://portal.example.com/scim/v2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id":"7"`, `"userName":"AdaL@corp.example"`, `"active":true`, `"nickName":"Countess"`,
		`"emails":[{"value":"ada@example.com","type":"work","primary":true}]`,
		`"name":{"formatted":"Ada Lovelace","givenName":"Ada","familyName":"Lovelace"}`,
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Maths"}`,
		`"meta":{"resourceType":"User","created":"2024-03-01T09:00:00.000Z","lastModified":"2024-03-02T09:30:00.500Z",` +
			`"location":"https://portal.example.com/scim/v2/Users/7","version":"W/\"3\""}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("user JSON %s\nlacks %s", b, want)
		}
	}
	g := RenderGroup(Group{ID: 3, DisplayName: "Sales", Members: []Member{{ID: 7, Display: "Ada"}}}, "https://p/scim/v2", true)
	if len(g.Members) != 1 || g.Members[0].Value != "7" || g.Members[0].Ref != "https://p/scim/v2/Users/7" {
		t.Errorf("group members = %+v", g.Members)
	}
	if g := RenderGroup(Group{ID: 3, Members: []Member{{ID: 7}}}, "", false); g.Members != nil {
		t.Errorf("members left out, got %+v", g.Members)
	}
	// Never changed: last modified when created. Not known: left out.
	created := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	if m := RenderGroup(Group{ID: 3, Created: created}, "", false).Meta; m.Created != m.LastModified || m.Created == "" {
		t.Errorf("meta of a group never changed = %+v", m)
	}
	if m := RenderGroup(Group{ID: 3}, "", false).Meta; m.Created != "" || m.LastModified != "" || m.Version != `W/"0"` {
		t.Errorf("meta of a group of unknown age = %+v", m)
	}
	l, err := json.Marshal(NewListResponse([]UserResource{}, 0, 1))
	if err != nil || string(l) != `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}` {
		t.Errorf("empty list = %s, %v", l, err)
	}
	e, err := json.Marshal(Errorf(409, Uniqueness, "taken"))
	if err != nil || string(e) != `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"taken"}` {
		t.Errorf("error = %s, %v", e, err)
	}
}
