package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/advocacy-portal/portal/internal/account"
)

// env is a fake environment for parseConfig.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// production is the smallest valid production configuration.
var production = env{
	"PORTAL_ENV":                "production",
	"PORTAL_BASE_URL":           "https://advocacy.example.com",
	"PORTAL_OIDC_ISSUER":        "https://login.example.com",
	"PORTAL_OIDC_CLIENT_ID":     "portal",
	"PORTAL_OIDC_CLIENT_SECRET": "s3cret",
}

// with returns a copy of e with the given variables changed; an empty
// value removes the variable.
func (e env) with(kv ...string) env {
	out := env{}
	for k, v := range e {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  env

		wantErr     []string // every string must appear in the error; nil means no error
		wantAddr    string
		wantDB      string
		wantBaseURL string
		wantEnv     string
		wantDemo    bool
		wantProxies []string
	}{
		{
			name:     "defaults",
			wantAddr: ":8080", wantDB: "portal.db", wantEnv: "development", wantDemo: true,
		},
		{
			name:     "environment",
			env:      env{"PORTAL_ADDR": "127.0.0.1:9000", "PORTAL_DB": "/var/lib/portal/portal.db"},
			wantAddr: "127.0.0.1:9000", wantDB: "/var/lib/portal/portal.db", wantEnv: "development", wantDemo: true,
		},
		{
			name:     "flags beat the environment",
			args:     []string{"-addr", ":7000", "-db", "flag.db"},
			env:      env{"PORTAL_ADDR": "127.0.0.1:9000", "PORTAL_DB": "env.db"},
			wantAddr: ":7000", wantDB: "flag.db", wantEnv: "development", wantDemo: true,
		},
		{
			name:     "a flag without its variable",
			args:     []string{"-db=only-flag.db"},
			wantAddr: ":8080", wantDB: "only-flag.db", wantEnv: "development", wantDemo: true,
		},
		{
			name:     "valid production",
			env:      production,
			wantAddr: ":8080", wantDB: "portal.db", wantEnv: "production", wantBaseURL: "https://advocacy.example.com",
		},
		{
			name:     "production with Google only",
			env:      production.with("PORTAL_OIDC_ISSUER", "", "PORTAL_OIDC_CLIENT_ID", "", "PORTAL_OIDC_CLIENT_SECRET", "", "PORTAL_GOOGLE_CLIENT_ID", "g", "PORTAL_GOOGLE_CLIENT_SECRET", "gs"),
			wantAddr: ":8080", wantDB: "portal.db", wantEnv: "production", wantBaseURL: "https://advocacy.example.com",
		},
		{
			name:     "a provider turns demo sign-in off in development",
			env:      env{"PORTAL_MICROSOFT_CLIENT_ID": "m", "PORTAL_MICROSOFT_CLIENT_SECRET": "ms"},
			wantAddr: ":8080", wantDB: "portal.db", wantEnv: "development",
		},
		{
			name:     "base URL loses its trailing slash",
			args:     []string{"-base-url", "https://advocacy.example.com/"},
			wantAddr: ":8080", wantDB: "portal.db", wantEnv: "development", wantDemo: true, wantBaseURL: "https://advocacy.example.com",
		},
		{
			name:     "trusted proxies",
			env:      env{"PORTAL_TRUSTED_PROXIES": " 10.0.0.1, ,10.0.0.2 "},
			wantAddr: ":8080", wantDB: "portal.db", wantEnv: "development", wantDemo: true,
			wantProxies: []string{"10.0.0.1", "10.0.0.2"},
		},
		{
			name:    "production without an identity provider",
			env:     production.with("PORTAL_OIDC_ISSUER", "", "PORTAL_OIDC_CLIENT_ID", "", "PORTAL_OIDC_CLIENT_SECRET", ""),
			wantErr: []string{"PORTAL_OIDC_ISSUER"},
		},
		{
			name:    "production without a base URL",
			env:     production.with("PORTAL_BASE_URL", ""),
			wantErr: []string{"-base-url (PORTAL_BASE_URL) is required in production"},
		},
		{
			name:    "production with an http base URL",
			env:     production.with("PORTAL_BASE_URL", "http://advocacy.example.com"),
			wantErr: []string{`-base-url "http://advocacy.example.com" must be https in production`},
		},
		{
			name:    "production with an http issuer",
			env:     production.with("PORTAL_OIDC_ISSUER", "http://login.example.com"),
			wantErr: []string{`-oidc-issuer "http://login.example.com" must be https in production`},
		},
		{
			name:    "production with an http issuer on a private address",
			env:     production.with("PORTAL_OIDC_ISSUER", "http://10.0.0.5:5556/dex"),
			wantErr: []string{"must be https in production"},
		},
		{
			name:     "production with http on loopback",
			env:      production.with("PORTAL_BASE_URL", "http://127.0.0.1:8080", "PORTAL_OIDC_ISSUER", "http://localhost:5556/dex"),
			wantAddr: ":8080", wantDB: "portal.db", wantEnv: "production", wantBaseURL: "http://127.0.0.1:8080",
		},
		{
			name:     "production with http on IPv6 loopback",
			env:      production.with("PORTAL_OIDC_ISSUER", "http://[::1]:5556"),
			wantAddr: ":8080", wantDB: "portal.db", wantEnv: "production", wantBaseURL: "https://advocacy.example.com",
		},
		{
			name:     "development takes an http issuer",
			env:      env{"PORTAL_OIDC_ISSUER": "http://dex.internal:5556/dex", "PORTAL_OIDC_CLIENT_ID": "p", "PORTAL_OIDC_CLIENT_SECRET": "s"},
			wantAddr: ":8080", wantDB: "portal.db", wantEnv: "development",
		},
		{name: "issuer that is not a URL", env: production.with("PORTAL_OIDC_ISSUER", "login.example.com"), wantErr: []string{"-oidc-issuer"}},
		{name: "scopes without openid", env: production.with("PORTAL_OIDC_SCOPES", "email profile"), wantErr: []string{"must include openid"}},
		{
			name:    "trusting Microsoft's addresses from any tenant",
			env:     production.with("PORTAL_MICROSOFT_TRUST_EMAIL", "true", "PORTAL_MICROSOFT_TENANT", "organizations"),
			wantErr: []string{`-microsoft-trust-email needs -microsoft-tenant to be your own tenant's id, not "organizations"`},
		},
		{name: "trusting Microsoft's addresses by default tenant", env: production.with("PORTAL_MICROSOFT_TRUST_EMAIL", "true"),
			wantErr: []string{"-microsoft-trust-email"}},
		{name: "trust-email not a boolean", env: production.with("PORTAL_OIDC_TRUST_EMAIL", "sometimes"), wantErr: []string{"-oidc-trust-email"}},
		{name: "base URL without a scheme", args: []string{"-base-url", "advocacy.example.com"}, wantErr: []string{"-base-url"}},
		{name: "base URL with another scheme", args: []string{"-base-url", "ftp://advocacy.example.com"}, wantErr: []string{"-base-url"}},
		{name: "base URL with a path", args: []string{"-base-url", "https://example.com/portal"}, wantErr: []string{"-base-url"}},
		{name: "base URL without a host", args: []string{"-base-url", "https://"}, wantErr: []string{"-base-url"}},
		{name: "base URL that does not parse", args: []string{"-base-url", "http://a b.example:x"}, wantErr: []string{"-base-url"}},
		// Callback URLs are the base URL with a path appended, so a query or
		// fragment would break every sign-in.
		{name: "base URL with a query", args: []string{"-base-url", "https://advocacy.example.com?x=1"}, wantErr: []string{"-base-url"}},
		{name: "base URL with a fragment", args: []string{"-base-url", "https://advocacy.example.com#top"}, wantErr: []string{"-base-url"}},
		{
			name:    "issuer without client secret",
			env:     env{"PORTAL_OIDC_ISSUER": "https://login.example.com", "PORTAL_OIDC_CLIENT_ID": "portal"},
			wantErr: []string{"-oidc-issuer needs -oidc-client-id and -oidc-client-secret"},
		},
		{
			name:    "Google without secret",
			args:    []string{"-google-client-id", "g"},
			wantErr: []string{"-google-client-id needs -google-client-secret"},
		},
		{
			name:    "Microsoft without secret",
			args:    []string{"-microsoft-client-id", "m"},
			wantErr: []string{"-microsoft-client-id needs -microsoft-client-secret"},
		},
		{name: "role map with an unknown role", args: []string{"-role-map", "staff=boss"}, wantErr: []string{"-role-map", "staff=boss"}},
		{name: "role map without =", env: env{"PORTAL_ROLE_MAP": "portal-hr"}, wantErr: []string{"-role-map", "portal-hr"}},
		{name: "address without port", args: []string{"-addr", "localhost"}, wantErr: []string{`-addr "localhost"`}},
		{name: "unknown environment", args: []string{"-env", "staging"}, wantErr: []string{`"staging"`}},
		{name: "empty database path", args: []string{"-db", ""}, wantErr: []string{"-db must name a file"}},
		{name: "stray argument", args: []string{"serve"}, wantErr: []string{`unexpected argument "serve"`}},
		{name: "unknown flag", args: []string{"-port", "80"}, wantErr: []string{"-port"}},
		{
			name: "several problems at once",
			args: []string{"-addr", "nowhere", "-env", "staging", "-role-map", "x=y", "-google-client-id", "g"},
			wantErr: []string{"invalid configuration", `-addr "nowhere"`, `"staging"`, "-role-map",
				"-google-client-id needs -google-client-secret"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.env
			if e == nil {
				e = env{}
			}
			cfg, err := parseConfig(tt.args, e.get, io.Discard)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("no error; want one mentioning %q", tt.wantErr)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not mention %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if cfg.Addr != tt.wantAddr {
				t.Errorf("Addr = %q, want %q", cfg.Addr, tt.wantAddr)
			}
			if cfg.DB != tt.wantDB {
				t.Errorf("DB = %q, want %q", cfg.DB, tt.wantDB)
			}
			if cfg.BaseURL != tt.wantBaseURL {
				t.Errorf("BaseURL = %q, want %q", cfg.BaseURL, tt.wantBaseURL)
			}
			if cfg.Env != tt.wantEnv {
				t.Errorf("Env = %q, want %q", cfg.Env, tt.wantEnv)
			}
			if cfg.Demo() != tt.wantDemo {
				t.Errorf("Demo() = %v, want %v", cfg.Demo(), tt.wantDemo)
			}
			if !slices.Equal(cfg.TrustedProxies, tt.wantProxies) {
				t.Errorf("TrustedProxies = %q, want %q", cfg.TrustedProxies, tt.wantProxies)
			}
		})
	}
}

func TestParseConfigSignIn(t *testing.T) {
	cfg, err := parseConfig(nil, production.with("PORTAL_OIDC_SCOPES", "openid, email groups", "PORTAL_OIDC_TRUST_EMAIL", "true",
		"PORTAL_MICROSOFT_TRUST_EMAIL", "1", "PORTAL_MICROSOFT_TENANT", "3f9a0c1e-8d2b-4e77-a1b0-5c6d7e8f9a0b").get, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.OIDC.Scopes, []string{"openid", "email", "groups"}) || !cfg.OIDC.TrustEmail || !cfg.MicrosoftTrustEmail {
		t.Errorf("scopes %q, trust email %v, Microsoft %v", cfg.OIDC.Scopes, cfg.OIDC.TrustEmail, cfg.MicrosoftTrustEmail)
	}
	cfg, err = parseConfig(nil, production.get, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.OIDC.Scopes, []string{"openid", "email", "profile"}) || cfg.OIDC.TrustEmail {
		t.Errorf("default scopes %q, trust email %v", cfg.OIDC.Scopes, cfg.OIDC.TrustEmail)
	}
}

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := parseConfig(nil, env{}.get, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"OIDC.Name", cfg.OIDC.Name, "your company account"},
		{"MicrosoftTenant", cfg.MicrosoftTenant, "organizations"},
		{"GroupsClaim", cfg.GroupsClaim, "groups"},
		{"DemoIdPAddr", cfg.DemoIdPAddr, "127.0.0.1:0"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	// The default role map gives the demo company's groups their roles.
	for group, want := range map[string]account.Role{"portal-hr": account.HR, "portal-comms": account.Comms, "portal-admins": account.Admin} {
		if got := cfg.RoleMap.Roles([]string{group}); !slices.Equal(got, []account.Role{want}) {
			t.Errorf("default role map gives %s the roles %v, want [%s]", group, got, want)
		}
	}
}

func TestParseConfigHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := parseConfig([]string{"-h"}, env{}.get, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("parseConfig(-h) = %v, want flag.ErrHelp", err)
	}
	flags := []string{"addr", "db", "base-url", "env", "oidc-issuer", "oidc-client-id", "oidc-client-secret",
		"oidc-name", "google-client-id", "google-client-secret", "microsoft-client-id", "microsoft-client-secret",
		"microsoft-tenant", "groups-claim", "role-map", "trusted-proxies", "demo-idp-addr", "allowed-domains",
		"guidelines", "smtp-url"}
	help := out.String()
	for _, f := range flags {
		if !strings.Contains(help, "-"+f+" ") && !strings.Contains(help, "-"+f+"\n") {
			t.Errorf("help does not list -%s", f)
		}
		env := "$PORTAL_" + strings.ToUpper(strings.ReplaceAll(f, "-", "_"))
		if !strings.Contains(help, env) {
			t.Errorf("help does not name %s", env)
		}
	}
	if t.Failed() {
		t.Logf("help:\n%s", help)
	}
}

func TestBaseURLFor(t *testing.T) {
	tests := []struct {
		name       string
		configured string
		listening  net.Addr
		want       string
	}{
		{"configured wins", "https://advocacy.example.com", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "https://advocacy.example.com"},
		{"loopback", "", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 41234}, "http://127.0.0.1:41234"},
		{"all IPv4 interfaces", "", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://localhost:8080"},
		{"all IPv6 interfaces", "", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://localhost:8080"},
		{"no address", "", &net.TCPAddr{Port: 8080}, "http://localhost:8080"},
		{"IPv6 loopback", "", &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "http://[::1]:8080"},
		{"LAN address", "", &net.TCPAddr{IP: net.IPv4(192, 168, 1, 20), Port: 80}, "http://192.168.1.20:80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := baseURLFor(tt.configured, tt.listening); got != tt.want {
				t.Errorf("baseURLFor(%q, %v) = %q, want %q", tt.configured, tt.listening, got, tt.want)
			}
		})
	}
}
func TestParseConfigAllowedDomains(t *testing.T) {
	tests := []struct {
		value   string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"Example.com, example.nl. ,example.com", []string{"example.com", "example.nl"}, ""},
		{"xn--bcher-kva.example", []string{"xn--bcher-kva.example"}, ""},
		{"@example.com", nil, "leave out the name and the @"},
		{"https://example.com", nil, "leave out the scheme"},
		{"localhost", nil, "is not a domain"},
		{"bücher.de", nil, "xn-- form"},
		{"-bad.example.com", nil, "is not a domain"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			cfg, err := parseConfig(nil, env{"PORTAL_ALLOWED_DOMAINS": tt.value}.get, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), "-allowed-domains") || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one about -allowed-domains saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(cfg.AllowedDomains, tt.want) {
				t.Errorf("AllowedDomains = %q, %v; want %q", cfg.AllowedDomains, err, tt.want)
			}
		})
	}
}
