package auth_test

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/markbates/goth"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/auth"
)

func TestParseRoleMap(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    auth.RoleMap
		wantErr bool
	}{
		{
			name: "default",
			in:   auth.DefaultRoleMap,
			want: auth.RoleMap{"portal-hr": {account.HR}, "portal-comms": {account.Comms}, "portal-admins": {account.Admin}},
		},
		{
			name: "spaces and empty entries",
			in:   " staff = employee ,, comms-team=comms, ",
			want: auth.RoleMap{"staff": {account.Employee}, "comms-team": {account.Comms}},
		},
		{
			name: "one group, several roles",
			in:   "leads=hr,leads=comms",
			want: auth.RoleMap{"leads": {account.HR, account.Comms}},
		},
		{
			name: "empty",
			in:   "",
			want: auth.RoleMap{},
		},
		{name: "unknown role", in: "ops=root", wantErr: true},
		{name: "role in capitals", in: "ops=Admin", wantErr: true},
		{name: "missing =", in: "portal-hr", wantErr: true},
		{name: "missing group", in: "=hr", wantErr: true},
		{name: "missing role", in: "portal-hr=", wantErr: true},
		{name: "one bad entry among good ones", in: "a=hr,b=boss,c=comms", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auth.ParseRoleMap(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Errorf("ParseRoleMap(%q) = %v, nil; want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRoleMap(%q): %v", tt.in, err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("ParseRoleMap(%q) = %v, want %v", tt.in, got, tt.want)
			}
			for g, roles := range tt.want {
				if !slices.Equal(got[g], roles) {
					t.Errorf("ParseRoleMap(%q)[%q] = %v, want %v", tt.in, g, got[g], roles)
				}
			}
		})
	}
}

func TestRoleMapRoles(t *testing.T) {
	m := auth.RoleMap{
		"portal-hr":     {account.HR},
		"portal-comms":  {account.Comms},
		"comms-leads":   {account.Comms, account.Admin},
		"portal-admins": {account.Admin},
	}
	tests := []struct {
		name   string
		groups []string
		want   []account.Role
	}{
		{"none", nil, nil},
		{"unmapped only", []string{"Sales", "IT"}, nil},
		{"one", []string{"Sales", "portal-hr"}, []account.Role{account.HR}},
		{"duplicates removed", []string{"portal-comms", "comms-leads", "portal-admins", "portal-comms"},
			[]account.Role{account.Comms, account.Admin}},
		{"case sensitive", []string{"Portal-HR"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Roles(tt.groups); !slices.Equal(got, tt.want) {
				t.Errorf("Roles(%v) = %v, want %v", tt.groups, got, tt.want)
			}
		})
	}
}

func TestClaimsFromGoth(t *testing.T) {
	tests := []struct {
		name           string
		user           goth.User
		wantName       string
		wantDepartment string
		wantGroups     []string
		wantVerified   bool
	}{
		{
			name: "email_verified true", user: goth.User{UserID: "u1", Email: "sam@example.com", Name: "Sam",
				RawData: map[string]any{"email_verified": true}},
			wantName: "Sam", wantVerified: true,
		},
		{
			name: "email_verified as the string true", user: goth.User{UserID: "u1", Email: "sam@example.com", Name: "Sam",
				RawData: map[string]any{"email_verified": "TRUE"}},
			wantName: "Sam", wantVerified: true,
		},
		{
			name: "email_verified false", user: goth.User{UserID: "u1", Email: "sam@example.com", Name: "Sam",
				RawData: map[string]any{"email_verified": false}},
			wantName: "Sam",
		},
		{
			name: "email_verified as another string", user: goth.User{UserID: "u1", Email: "sam@example.com", Name: "Sam",
				RawData: map[string]any{"email_verified": "yes please"}},
			wantName: "Sam",
		},
		{
			name: "Google's verified_email", user: goth.User{UserID: "u1", Email: "sam@example.com", Name: "Sam",
				RawData: map[string]any{"verified_email": true}},
			wantName: "Sam", wantVerified: true,
		},
		{
			name: "Entra ID's xms_edov", user: goth.User{UserID: "u1", Email: "sam@example.com", Name: "Sam",
				RawData: map[string]any{"xms_edov": true}},
			wantName: "Sam", wantVerified: true,
		},
		{
			name: "groups as []any",
			user: goth.User{UserID: "u1", Email: " sam@example.com ", Name: "Sam",
				RawData: map[string]any{"groups": []any{"Sales", 42, "portal-hr"}, "department": "Sales"}},
			wantName: "Sam", wantDepartment: "Sales", wantGroups: []string{"Sales", "portal-hr"},
		},
		{
			name: "groups as []string",
			user: goth.User{UserID: "u1", Email: "sam@example.com", Name: "Sam",
				RawData: map[string]any{"groups": []string{"a", "b"}}},
			wantName: "Sam", wantGroups: []string{"a", "b"},
		},
		{
			name: "groups as space-separated string",
			user: goth.User{UserID: "u1", Email: "sam@example.com", Name: "Sam",
				RawData: map[string]any{"groups": " portal-comms  Marketing "}},
			wantName: "Sam", wantGroups: []string{"portal-comms", "Marketing"},
		},
		{
			name: "no groups, name from first and last",
			user: goth.User{UserID: "u1", Email: "sam@example.com", FirstName: "Sam", LastName: "Patel",
				RawData: map[string]any{"roles": []any{"portal-hr"}}},
			wantName: "Sam Patel", wantGroups: nil,
		},
		{
			name: "groups of another type ignored",
			user: goth.User{UserID: "u1", Email: "sam@example.com", Name: "Sam",
				RawData: map[string]any{"groups": 7, "department": 3}},
			wantName: "Sam", wantGroups: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := auth.ClaimsFromGoth(tt.user, "groups")
			if c.Subject != "u1" || c.Email != "sam@example.com" {
				t.Errorf("subject, email = %q, %q; want %q, %q", c.Subject, c.Email, "u1", "sam@example.com")
			}
			if c.Name != tt.wantName || c.Department != tt.wantDepartment {
				t.Errorf("name, department = %q, %q; want %q, %q", c.Name, c.Department, tt.wantName, tt.wantDepartment)
			}
			if c.EmailVerified != tt.wantVerified {
				t.Errorf("EmailVerified = %v, want %v", c.EmailVerified, tt.wantVerified)
			}
			if !slices.Equal(c.Groups, tt.wantGroups) {
				t.Errorf("Groups = %q, want %q", c.Groups, tt.wantGroups)
			}
		})
	}
}

func TestIdentity(t *testing.T) {
	m := auth.RoleMap{"portal-comms": {account.Comms}}
	tests := []struct {
		name      string
		claims    auth.Claims
		want      account.Identity
		wantError string
	}{
		{
			name: "full claims",
			claims: auth.Claims{Issuer: "https://idp.example", Subject: "3f9a", Email: "Sam.Patel@Example.COM", EmailVerified: true,
				Name: "Sam Patel", Department: "Sales", Groups: []string{"Sales", "portal-comms"}},
			want: account.Identity{Issuer: "https://idp.example", Subject: "3f9a", LegacySubject: "oidc:3f9a", Email: "sam.patel@example.com",
				EmailVerified: true, Name: "Sam Patel", Department: "Sales", Roles: []account.Role{account.Comms}},
		},
		{
			name:   "name falls back to the email's local part",
			claims: auth.Claims{Issuer: "https://idp.example", Subject: "3f9a", Email: "sam@example.com"},
			want:   account.Identity{Issuer: "https://idp.example", Subject: "3f9a", LegacySubject: "oidc:3f9a", Email: "sam@example.com", Name: "sam"},
		},
		{name: "no issuer", claims: auth.Claims{Subject: "3f9a", Email: "sam@example.com"}, wantError: "issuer"},
		{
			name: "names and groups a provider lets people edit are cleaned",
			claims: auth.Claims{Issuer: "https://idp.example", Subject: "3f9a", Email: "sam@example.com", Name: "Eve\x00\r\nBcc: x",
				Department: "Sales\tEMEA", Groups: []string{"portal-comms", "\x00", "caf\xe9"}},
			want: account.Identity{Issuer: "https://idp.example", Subject: "3f9a", LegacySubject: "oidc:3f9a", Email: "sam@example.com",
				Name: "Eve   Bcc: x", Department: "Sales EMEA", Roles: []account.Role{account.Comms}, Groups: []string{"portal-comms", "caf\ufffd"}},
		},
		{name: "an email with a line break", claims: auth.Claims{Issuer: "https://idp.example", Subject: "3f9a", Email: "sam@example.com\r\nBcc: x@y"}, wantError: "email"},
		{name: "an email with a display name", claims: auth.Claims{Issuer: "https://idp.example", Subject: "3f9a", Email: "Sam <sam@example.com>"}, wantError: "email"},
		{name: "a subject with NUL", claims: auth.Claims{Issuer: "https://idp.example", Subject: "3f\x009a", Email: "sam@example.com"}, wantError: "cannot be stored"},
		{name: "no subject", claims: auth.Claims{Email: "sam@example.com"}, wantError: "subject"},
		{name: "no email", claims: auth.Claims{Subject: "3f9a"}, wantError: "email"},
		{name: "email without @", claims: auth.Claims{Subject: "3f9a", Email: "sam"}, wantError: "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.Identity("oidc", tt.claims)
			if tt.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantError) {
					t.Errorf("Identity error = %v, want one mentioning %q", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatalf("Identity: %v", err)
			}
			if got.Issuer != tt.want.Issuer || got.Subject != tt.want.Subject || got.LegacySubject != tt.want.LegacySubject ||
				got.EmailVerified != tt.want.EmailVerified || got.Email != tt.want.Email || got.Name != tt.want.Name ||
				got.Department != tt.want.Department || !slices.Equal(got.Roles, tt.want.Roles) ||
				(tt.want.Groups != nil && !slices.Equal(got.Groups, tt.want.Groups)) {
				t.Errorf("Identity = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestHashToken(t *testing.T) {
	h := auth.HashToken("secret")
	if len(h) != 64 {
		t.Errorf("HashToken length = %d, want 64", len(h))
	}
	if _, err := hex.DecodeString(h); err != nil || strings.ToLower(h) != h {
		t.Errorf("HashToken = %q, want lowercase hex", h)
	}
	if again := auth.HashToken("secret"); again != h {
		t.Errorf("HashToken not deterministic: %q then %q", h, again)
	}
	if other := auth.HashToken("secret2"); other == h {
		t.Errorf("HashToken gives the same hash for different tokens")
	}
	// SHA-256 of "secret".
	if want := "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"; h != want {
		t.Errorf("HashToken(%q) = %s, want %s", "secret", h, want)
	}
}

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok := auth.NewToken()
		if len(tok) != 43 { // 32 bytes in unpadded base64
			t.Fatalf("NewToken() = %q, length %d, want 43", tok, len(tok))
		}
		if strings.ContainsAny(tok, "+/=") {
			t.Fatalf("NewToken() = %q is not URL-safe", tok)
		}
		if seen[tok] {
			t.Fatalf("NewToken() returned %q twice", tok)
		}
		seen[tok] = true
	}
}
