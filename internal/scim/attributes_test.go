package scim

import (
	"encoding/json"
	"testing"
	"time"
)

func TestProjection(t *testing.T) {
	u := ada
	u.Department, u.NickName = "Maths", "Countess"
	u.Created = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	user := RenderUser(u, "https://p/scim/v2")
	group := RenderGroup(Group{ID: 3, DisplayName: "Sales", ExternalID: "g", Members: []Member{{ID: 7, Display: "Ada"}}}, "https://p/scim/v2", true)
	tests := []struct {
		name, resourceType, attributes, excluded string
		resource                                 any
		want                                     string
	}{
		{"everything", "User", "", "", user, ""},
		{"attributes", "User", "userName,NAME.givenName,emails.value", "", user,
			`{"emails":[{"value":"ada@example.com"}],"id":"7","name":{"givenName":"Ada"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"ada@example.com"}`},
		{"attributes with the core URN and an extension", "User",
			"urn:ietf:params:scim:schemas:core:2.0:User:nickName, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department,meta.lastModified", "", user,
			`{"id":"7","meta":{"lastModified":"2024-03-01T09:00:00.000Z"},"nickName":"Countess","schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Maths"}}`},
		{"excludedAttributes", "User", "", "emails,name.formatted,meta,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,id", user,
			`{"active":true,"displayName":"Ada Lovelace","externalId":"e-1","id":"7","name":{"familyName":"Lovelace","givenName":"Ada"},"nickName":"Countess","schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"ada@example.com"}`},
		{"Entra: excludedAttributes=members", "Group", "", "members", group,
			`{"displayName":"Sales","externalId":"g","id":"3","meta":{"location":"https://p/scim/v2/Groups/3","resourceType":"Group","version":"W/\"0\""},"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`},
		{"a sub-attribute without a value", "Group", "meta.created,displayName", "", group,
			`{"displayName":"Sales","id":"3","schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`},
		{"group members' values", "Group", "members.value", "", group,
			`{"id":"3","members":[{"value":"7"}],"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseProjection(tt.resourceType, tt.attributes, tt.excluded)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Apply(tt.resource)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == "" {
				w, err := json.Marshal(tt.resource)
				if err != nil {
					t.Fatal(err)
				}
				want = string(w)
			}
			if string(b) != want {
				t.Errorf("got  %s\nwant %s", b, want)
			}
		})
	}

	for _, bad := range [][3]string{
		{"User", "shoeSize", ""}, {"User", "name.nick", ""}, {"User", "members", ""}, {"Group", "userName", ""},
		{"User", "", "urn:example:ext:1.0:User:x"}, {"User", "userName", "emails"}, {"User", "a b", ""},
	} {
		if _, err := ParseProjection(bad[0], bad[1], bad[2]); scimType(err) != InvalidValue {
			t.Errorf("ParseProjection(%q) = %v, want invalidValue", bad, err)
		}
	}

	p, err := ParseProjection("Group", "", "Members")
	if err != nil || p.Returns("members") || !p.Returns("displayName") {
		t.Errorf("excludedAttributes=Members: %v, returns members %v", err, p.Returns("members"))
	}
	p, err = ParseProjection("Group", "displayName", "")
	if err != nil || p.Returns("members") {
		t.Errorf("attributes=displayName: %v, returns members %v", err, p.Returns("members"))
	}
	if !(Projection{}).Returns("members") {
		t.Error("the zero Projection leaves out members")
	}
}
