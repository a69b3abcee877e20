package scim

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func patchBody(ops ...string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

var ada = User{ID: 7, UserName: "ada@example.com", DisplayName: "Ada Lovelace", GivenName: "Ada", FamilyName: "Lovelace",
	ExternalID: "e-1", Active: true}

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
			`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"other@example.com"}`,
			`{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Engineering"}`,
			`{"op":"Add","path":"title","value":"Countess"}`,
			`{"op":"Add","path":"phoneNumbers[type eq \"work\"].value","value":"+1"}`),
			func(u *User) {
				u.UserName, u.GivenName, u.FamilyName, u.DisplayName, u.ExternalID, u.Department =
					"ada.l@example.com", "Augusta", "King", "Augusta Ada King", "e-2", "Engineering"
			}},
		{"no path: nested, dotted and extension keys", patchBody(`{"op":"replace","value":{
			"name":{"givenName":"Augusta"}, "name.familyName":"King", "emails":[{"value":"x@example.com","primary":true}],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Maths"}, "id":"7"}}`),
			func(u *User) { u.GivenName, u.FamilyName, u.Department = "Augusta", "King", "Maths" }},
		{"remove optional attributes", patchBody(`{"op":"remove","path":"externalId"}`, `{"op":"remove","path":"displayName"}`),
			func(u *User) { u.ExternalID = "" /* the shown name falls back to given and family name */ }},
		{"remove name", patchBody(`{"op":"remove","path":"name"}`, `{"op":"remove","path":"displayName"}`),
			func(u *User) { u.GivenName, u.FamilyName, u.DisplayName = "", "", "ada" }},
		{"unknown extension ignored", patchBody(`{"op":"add","path":"urn:example:ext:1.0:User:shoeSize","value":44}`), func(u *User) {}},
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
		{"userName not an address", patchBody(`{"op":"replace","path":"userName","value":"ada"}`), InvalidValue},
		{"userName not a string", patchBody(`{"op":"replace","path":"userName","value":5}`), InvalidValue},
		{"change id", patchBody(`{"op":"replace","path":"id","value":"8"}`), Mutability},
		{"change meta", patchBody(`{"op":"replace","path":"meta.created","value":"x"}`), Mutability},
		{"change groups", patchBody(`{"op":"add","path":"groups","value":[{"value":"1"}]}`), Mutability},
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

func TestParseUser(t *testing.T) {
	entra := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee@testuser.com","active":true,
		"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@testuser.com"}],"meta":{"resourceType":"User"},
		"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}`
	u, err := ParseUser([]byte(entra))
	want := User{UserName: "Test_User_ab6490ee@testuser.com", ExternalID: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		DisplayName: "givenName familyName", GivenName: "givenName", FamilyName: "familyName", Active: true}
	if err != nil || u != want {
		t.Errorf("Entra user = %+v, %v\nwant %+v", u, err, want)
	}

	okta := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
		"name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
		"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`
	u, err = ParseUser([]byte(okta))
	want = User{UserName: "test.user@okta.local", ExternalID: "00ujl29u0le5T6Aj10h7", DisplayName: "Test User",
		GivenName: "Test", FamilyName: "User", Active: true}
	if err != nil || u != want {
		t.Errorf("Okta user = %+v, %v\nwant %+v", u, err, want)
	}

	for body, wantType := range map[string]string{
		`{"userName":"a@example.com","active":"yes"}`:  InvalidValue,
		`{"name":{"givenName":"x"}}`:                   InvalidValue,
		`{"userName":"not-an-address"}`:                InvalidValue,
		`{"userName":["a@example.com"]}`:               InvalidSyntax,
		`{"userName":"a@example.com",`:                 InvalidSyntax,
		`"a@example.com"`:                              InvalidSyntax,
		`{"userName":"a@example.com","emails":"x"}`:    InvalidSyntax,
		`{"userName":"a@example.com","name":"Ada"}`:    InvalidSyntax,
		`{"userName":"a b@example.com","active":true}`: InvalidValue,
	} {
		if _, err := ParseUser([]byte(body)); scimType(err) != wantType {
			t.Errorf("ParseUser(%s): %v, want %s", body, err, wantType)
		}
	}
}

func TestReplaceKeepsWhatIsLeftOut(t *testing.T) {
	off := ada
	off.Active, off.Department = false, "Maths"
	u, err := ReplaceUser(off, []byte(`{"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"King"}}`))
	if err != nil || u.Active || u.ExternalID != "e-1" || u.Department != "Maths" || u.DisplayName != "Ada King" || u.ID != 7 {
		t.Errorf("ReplaceUser = %+v, %v; want inactive, externalId and department kept, name from the body", u, err)
	}
	g, err := ReplaceGroup(Group{ID: 3, DisplayName: "Sales", ExternalID: "g", Members: []Member{{ID: 1}}}, []byte(`{"displayName":"Ventes"}`))
	if err != nil || g.ID != 3 || g.ExternalID != "g" || len(g.Members) != 1 {
		t.Errorf("ReplaceGroup = %+v, %v", g, err)
	}
	g, err = ReplaceGroup(Group{ID: 3, DisplayName: "Sales", Members: []Member{{ID: 1}}}, []byte(`{"displayName":"Ventes","members":[]}`))
	if err != nil || len(g.Members) != 0 {
		t.Errorf("ReplaceGroup with members [] = %+v, %v; want none", g, err)
	}
}

func TestRender(t *testing.T) {
	u := ada
	u.Department = "Maths"
	b, err := json.Marshal(RenderUser(u, "https://portal.example.com/scim/v2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id":"7"`, `"userName":"ada@example.com"`, `"active":true`,
		`"emails":[{"value":"ada@example.com","type":"work","primary":true}]`,
		`"name":{"formatted":"Ada Lovelace","givenName":"Ada","familyName":"Lovelace"}`,
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Maths"}`,
		`"location":"https://portal.example.com/scim/v2/Users/7"`} {
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
	l, _ := json.Marshal(NewListResponse([]UserResource{}, 0, 1))
	if string(l) != `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}` {
		t.Errorf("empty list = %s", l)
	}
	e, _ := json.Marshal(Errorf(409, Uniqueness, "taken"))
	if string(e) != `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"taken"}` {
		t.Errorf("error = %s", e)
	}
}
