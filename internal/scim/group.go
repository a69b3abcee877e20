package scim

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Group is a portal group as SCIM sees it.
type Group struct {
	ID          int64
	DisplayName string
	ExternalID  string
	Members     []Member
	Created     time.Time // zero when not known (groups made before the portal recorded it)
	Modified    time.Time // zero when not known
	Revision    int64     // counts the changes to the group, its members included; meta.version
}

// Member is a user in a group. Only ID counts when a client sends members;
// Display is filled for rendering.
type Member struct {
	ID      int64
	Display string
}

// MemberIDs returns the ids of the group's members, in order.
func (g Group) MemberIDs() []int64 {
	ids := make([]int64, len(g.Members))
	for i, m := range g.Members {
		ids[i] = m.ID
	}
	return ids
}

// ParseGroup reads the body of a POST of a Group: schemas must list the
// core Group schema; displayName is required; members are user ids
// ({"value": "12"}), duplicates dropped. id and meta are ignored; any
// other attribute is refused, and a bad value is invalidValue naming it.
func ParseGroup(body []byte) (Group, error) {
	g, _, err := parseGroup(body, modeCreate, Group{})
	return g, err
}

// ReplaceGroup reads the body of a PUT that replaces cur. It is
// ParseGroup, except that the id must be cur's if sent, and an externalId
// or members left out keep their values (an empty members list removes
// every member).
func ReplaceGroup(cur Group, body []byte) (Group, error) {
	g, sent, err := parseGroup(body, modeReplace, cur)
	if err != nil {
		return Group{}, err
	}
	g.ID, g.Created, g.Modified, g.Revision = cur.ID, cur.Created, cur.Modified, cur.Revision
	if !sent["externalid"] {
		g.ExternalID = cur.ExternalID
	}
	if !sent["members"] {
		g.Members = cur.Members
	}
	return g, nil
}

func parseGroup(body []byte, m mode, cur Group) (Group, map[string]bool, error) {
	object, err := decodeObject(body)
	if err != nil {
		return Group{}, nil, err
	}
	if err := checkSchemas(object, GroupSchema); err != nil {
		return Group{}, nil, err
	}
	g := Group{ID: cur.ID}
	sent := map[string]bool{}
	if err := eachKey(object, "", func(p Path, v json.RawMessage) error {
		sent[strings.ToLower(p.Attr)] = true
		return g.apply(m, "add", p, v, false)
	}); err != nil {
		return Group{}, nil, err
	}
	if g.DisplayName == "" {
		return Group{}, nil, Errorf(400, InvalidValue, "displayName is required")
	}
	return g, sent, nil
}

// parseMembers reads an array of member objects (or one object, as some
// clients send); null or absent is none.
func parseMembers(raw json.RawMessage) ([]Member, error) {
	if isNull(raw) {
		return nil, nil
	}
	var list []json.RawMessage
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
		list = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, Errorf(400, InvalidValue, "members must be a list of {\"value\": user id}")
	}
	out := make([]Member, 0, len(list))
	for _, item := range list {
		var m struct {
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(item, &m); err != nil {
			return nil, Errorf(400, InvalidValue, "members must be a list of {\"value\": user id}")
		}
		id, err := parseID(m.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, Member{ID: id})
	}
	return out, nil
}

// parseID reads a resource id: the portal's ids are positive integers,
// sent as strings (or, by lax clients, numbers).
func parseID(raw json.RawMessage) (int64, error) {
	var v any
	_ = json.Unmarshal(raw, &v)
	var s string
	switch v := v.(type) {
	case string:
		s = strings.TrimSpace(v)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	}
	id, err := ParseID(s)
	if err != nil {
		return 0, Errorf(400, InvalidValue, "member %s is not a user id of this portal", string(raw))
	}
	return id, nil
}

// ParseID parses the id in a resource's URL. Anything that cannot be one of
// the portal's ids is a 404 *Error: no such resource.
func ParseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, Errorf(404, "", "no resource with id %q", s)
	}
	return id, nil
}

// addMembers appends the members of add not in list yet.
func addMembers(list, add []Member) []Member {
	seen := make(map[int64]bool, len(list))
	for _, m := range list {
		seen[m.ID] = true
	}
	for _, m := range add {
		if !seen[m.ID] {
			seen[m.ID] = true
			list = append(list, m)
		}
	}
	return list
}

// removeMembers keeps the members of list for which drop is false.
func removeMembers(list []Member, drop func(Member) bool) []Member {
	out := list[:0:0]
	for _, m := range list {
		if !drop(m) {
			out = append(out, m)
		}
	}
	return out
}
