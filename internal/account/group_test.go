package account_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/roster"
)

func TestNewGroupCheck(t *testing.T) {
	tests := []struct {
		name         string
		g            account.NewGroup
		wantProblems map[string]string
	}{
		{"fine", account.NewGroup{Name: "Sales", Kind: account.Department}, map[string]string{}},
		{"a location", account.NewGroup{Name: "Amsterdam", Kind: account.Location}, map[string]string{}},
		{"a name with a comma", account.NewGroup{Name: "Sales, EMEA", Kind: account.Team}, map[string]string{}},
		{"no name", account.NewGroup{Name: "  ", Kind: account.Team}, map[string]string{"name": "Give the group a name."}},
		{"100 characters", account.NewGroup{Name: strings.Repeat("é", 100), Kind: account.Team}, map[string]string{}},
		{"101 characters", account.NewGroup{Name: strings.Repeat("é", 101), Kind: account.Team},
			map[string]string{"name": "Keep the name to 100 characters or fewer."}},
		{"space around does not count", account.NewGroup{Name: " " + strings.Repeat("a", 100) + " ", Kind: account.Team}, map[string]string{}},
		{"an unknown kind", account.NewGroup{Name: "Red", Kind: "tribe"}, map[string]string{"kind": "Choose department, location or team."}},
		{"both", account.NewGroup{Kind: ""}, map[string]string{"name": "Give the group a name.", "kind": "Choose department, location or team."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.g.Check(); !maps.Equal(got, tt.wantProblems) {
				t.Errorf("Check = %v, want %v", got, tt.wantProblems)
			}
		})
	}
}

func TestGroupsCreate(t *testing.T) {
	ctx := context.Background()
	r := newFakeRepo()
	g := account.NewGroups(r)
	id, err := g.Create(ctx, account.NewGroup{Name: "  Sales ", Kind: account.Department}, ada)
	if err != nil || id != 1 {
		t.Fatalf("Create = %d, %v", id, err)
	}
	if want := []account.NewGroup{{Name: "Sales", Kind: account.Department}}; !slices.Equal(r.created, want) {
		t.Errorf("created %v, want %v: the name trimmed", r.created, want)
	}
	var problems account.FieldErrors
	_, err = g.Create(ctx, account.NewGroup{Name: "Sales", Kind: account.Team}, ada)
	if !errors.As(err, &problems) || problems["name"] != "A group with this name already exists." || apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("a name in use: %v, want a problem on name", err)
	}
	_, err = g.Create(ctx, account.NewGroup{Name: "", Kind: account.Team}, ada)
	if !errors.As(err, &problems) || problems["name"] == "" || len(r.created) != 1 {
		t.Errorf("no name: %v, created %v; want a problem and nothing created", err, r.created)
	}
	r.fail = errors.New("disk full")
	if _, err := g.Create(ctx, account.NewGroup{Name: "Legal", Kind: account.Team}, ada); !errors.Is(err, r.fail) {
		t.Errorf("a failure: %v, want it as it is", err)
	}
}

func TestGroupsAddMember(t *testing.T) {
	tests := []struct {
		name      string
		group     int64
		email     string
		wantErr   error  // when not a problem with the form
		wantField string // the problem on "email"
		wantWrite string
	}{
		{"by the address as typed", 1, "sam@example.com", nil, "", "add 2 to 1 (manual) by 1"},
		{"by the address in lower case", 1, " Sam@Example.COM ", nil, "", "add 2 to 1 (manual) by 1"},
		{"no address", 1, "  ", nil, "Enter the person's email address.", ""},
		{"an address no one has", 1, "nobody@example.com", nil, account.UnknownEmail, ""},
		{"a group that does not exist comes first", 9, "", account.ErrNoGroup, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFakeRepo()
			r.addUser(sam, "sam@example.com", account.RoleGrants{IdP: []account.Role{account.Employee}})
			r.groups = []account.Group{{ID: 1, Name: "Sales", Kind: account.Department}}
			err := account.NewGroups(r).AddMember(context.Background(), tt.group, tt.email, ada)
			var problems account.FieldErrors
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("AddMember = %v, want %v", err, tt.wantErr)
				}
			case tt.wantField != "":
				if !errors.As(err, &problems) || problems["email"] != tt.wantField || len(problems) != 1 {
					t.Fatalf("AddMember = %v, want %q on email", err, tt.wantField)
				}
			case err != nil:
				t.Fatalf("AddMember = %v", err)
			}
			var want []string
			if tt.wantWrite != "" {
				want = []string{tt.wantWrite}
			}
			if !slices.Equal(r.writes, want) {
				t.Errorf("writes = %q, want %q", r.writes, want)
			}
		})
	}
}

func TestGroupsImport(t *testing.T) {
	ctx := context.Background()
	t.Run("a file of good rows is imported whole", func(t *testing.T) {
		r := newFakeRepo()
		n, err := account.NewGroups(r).Import(ctx, strings.NewReader("email,team\nana@example.com,Red\nBOB@example.com,Red\n"), ada)
		if err != nil || n != (account.Imported{Rows: 2, Created: 1, Updated: 1}) {
			t.Fatalf("Import = %+v, %v", n, err)
		}
		if len(r.imported) != 1 || len(r.imported[0]) != 2 || r.imported[0][1].Email != "bob@example.com" {
			t.Errorf("imported %+v", r.imported)
		}
	})
	t.Run("a row to fix imports nothing", func(t *testing.T) {
		r := newFakeRepo()
		_, err := account.NewGroups(r).Import(ctx, strings.NewReader("email\nana@example.com\nnot-an-email\n\nana@example.com\n"), ada)
		var rejected *account.RejectedError
		if !errors.As(err, &rejected) || rejected.Rows != 3 || len(rejected.Rejected) != 2 || apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("Import = %v, want 2 of 3 rows rejected", err)
		}
		if lines := []int{rejected.Rejected[0].Line, rejected.Rejected[1].Line}; !slices.Equal(lines, []int{3, 5}) {
			t.Errorf("rejected lines %v, want 3 and 5", lines)
		}
		if len(r.imported) != 0 {
			t.Errorf("imported %v", r.imported)
		}
	})
	t.Run("a file that cannot be read imports nothing", func(t *testing.T) {
		r := newFakeRepo()
		_, err := account.NewGroups(r).Import(ctx, strings.NewReader(""), ada)
		var fe *roster.FileError
		if !errors.As(err, &fe) || fe.Reason != "The file is empty." || len(r.imported) != 0 {
			t.Errorf("Import = %v, imported %v; want the file refused", err, r.imported)
		}
	})
	t.Run("a failure is the repository's", func(t *testing.T) {
		r := newFakeRepo()
		r.fail = errors.New("disk full")
		n, err := account.NewGroups(r).Import(ctx, strings.NewReader("email\nana@example.com\n"), ada)
		if !errors.Is(err, r.fail) || n.Created != 0 {
			t.Errorf("Import = %+v, %v; want the failure", n, err)
		}
	})
}

func TestGroupsGroup(t *testing.T) {
	r := newFakeRepo()
	r.groups = []account.Group{{ID: 4, Name: "Sales", Kind: account.Department, Members: 1}}
	r.members[4] = []account.Member{{UserID: sam, Name: "Sam"}}
	g, members, err := account.NewGroups(r).Group(context.Background(), 4)
	if err != nil || g.Name != "Sales" || len(members) != 1 || members[0].UserID != sam {
		t.Errorf("Group = %+v, %+v, %v", g, members, err)
	}
	_, _, err = account.NewGroups(r).Group(context.Background(), 5)
	if !errors.Is(err, account.ErrNoGroup) || apperr.MessageOf(err) != "There is no such group." {
		t.Errorf("an unknown group: %v (%q)", err, apperr.MessageOf(err))
	}
}
