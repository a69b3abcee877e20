package concern_test

import (
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/concern"
)

func TestContactsIncludes(t *testing.T) {
	comms := account.User{Email: "comms@example.com", Roles: []account.Role{account.Comms}}
	hr := account.User{Email: "HR@Example.com", Roles: []account.Role{account.HR}}
	for _, tt := range []struct {
		name      string
		cc        concern.Contacts
		wantComms bool
		wantHR    bool
		wantRole  account.Role
	}{
		{"never set: comms", concern.Contacts{}, true, false, account.Comms},
		{"a role", concern.Contacts{Role: account.HR}, false, true, account.HR},
		{"a list, case ignored", concern.Contacts{Emails: []string{"hr@example.com"}}, false, true, account.Comms},
		{"a list wins over the role", concern.Contacts{Role: account.Comms, Emails: []string{"hr@example.com"}}, false, true, account.Comms},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cc.Includes(comms); got != tt.wantComms {
				t.Errorf("Includes(comms) = %v, want %v", got, tt.wantComms)
			}
			if got := tt.cc.Includes(hr); got != tt.wantHR {
				t.Errorf("Includes(hr) = %v, want %v", got, tt.wantHR)
			}
			if got := tt.cc.EffectiveRole(); got != tt.wantRole {
				t.Errorf("EffectiveRole() = %q, want %q", got, tt.wantRole)
			}
		})
	}
}
