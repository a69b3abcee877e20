package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/advocacy-portal/portal/handlers"
	"github.com/advocacy-portal/portal/internal/auth"
	"github.com/advocacy-portal/portal/internal/mail"
	"github.com/advocacy-portal/portal/internal/retention"
)

// Config is everything the portal reads at start, from flags and PORTAL_*
// environment variables (a flag wins over its variable).
type Config struct {
	Addr            string
	DB              string
	BaseURL         string // public address; derived from Addr when empty
	Env             string // "development" or "production"
	OIDC            OIDCConfig
	Google          ClientConfig
	Microsoft       ClientConfig
	MicrosoftTenant string
	// MicrosoftTrustEmail counts the email addresses goth's Microsoft
	// provider reads from Graph as verified.
	MicrosoftTrustEmail bool
	GroupsClaim         string
	RoleMap             auth.RoleMap
	TrustedProxies      []string
	AllowedDomains      []string // email domains that may sign in, lowercase; empty lets any in
	DemoIdPAddr         string
	GuidelinesDir       string         // a company's own guidelines; empty means the embedded set
	SMTPURL             string         // where mail goes; empty keeps it in the admin outbox
	SMTPCAFile          string         // PEM certificates trusted for SMTP TLS beside the system's; empty: the system's only
	ClickRetention      time.Duration  // raw clicks older than this are deleted; the daily rollups stay
	MetricsAllow        []netip.Prefix // client addresses that may read /metrics
	MetricsToken        string         // a bearer token that may read /metrics from anywhere; empty means none
	RateLimits          handlers.RateLimits
	// SourcesAllowPrivate lets the content-source poller fetch feeds on
	// loopback, private, link-local addresses; for tests or intranet feeds.
	SourcesAllowPrivate bool
}

// OIDCConfig is a generic OpenID Connect provider (Entra ID, Okta, Google
// Workspace, Keycloak…).
type OIDCConfig struct {
	Issuer string
	Name   string   // shown on the sign-in button
	Scopes []string // asked for; "groups" is added when the provider supports it
	// TrustEmail counts every email address the provider sends as
	// verified, for providers that send no email_verified claim (Entra ID).
	TrustEmail bool
	ClientConfig
}

// ClientConfig is an OAuth client registration.
type ClientConfig struct {
	ClientID     string
	ClientSecret string
}

// Demo reports whether demo sign-in is on: no real provider is configured
// and the portal is not in production.
func (c Config) Demo() bool {
	return !c.hasProvider() && c.Env != "production"
}

// hasProvider reports whether a real identity provider is configured.
func (c Config) hasProvider() bool {
	return c.OIDC.Issuer != "" || c.Google.ClientID != "" || c.Microsoft.ClientID != ""
}

// setting is one flag with its environment variable.
type setting struct {
	flag, env, def, usage string
	dst                   *string
}

// parseConfig reads the configuration from args and getenv. It returns
// flag.ErrHelp after printing usage for -h, and otherwise one error listing
// every problem it found.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var (
		c                                Config
		roleMap, proxies, clickRetention string
		domains                          string
		metricsAllow                     string
		redirectRate, signInRate         string
		scimRate                         string
		sourcesAllowPrivate              string
		oidcScopes, oidcTrustEmail       string
		microsoftTrustEmail              string
	)
	settings := []setting{
		{"addr", "PORTAL_ADDR", ":8080", "address to listen on", &c.Addr},
		{"db", "PORTAL_DB", "portal.db", "path of the SQLite database (created if missing)", &c.DB},
		{"base-url", "PORTAL_BASE_URL", "", "public address of the portal, e.g. https://advocacy.example.com (default: derived from -addr)", &c.BaseURL},
		{"env", "PORTAL_ENV", "development", "development or production; production never turns on demo sign-in", &c.Env},
		{"oidc-issuer", "PORTAL_OIDC_ISSUER", "", "OpenID Connect issuer URL (Entra ID, Okta, Google Workspace, Keycloak)", &c.OIDC.Issuer},
		{"oidc-client-id", "PORTAL_OIDC_CLIENT_ID", "", "OpenID Connect client id", &c.OIDC.ClientID},
		{"oidc-client-secret", "PORTAL_OIDC_CLIENT_SECRET", "", "OpenID Connect client secret", &c.OIDC.ClientSecret},
		{"oidc-scopes", "PORTAL_OIDC_SCOPES", strings.Join(auth.DefaultScopes, " "), "scopes to ask the OpenID Connect provider for, space-separated; groups is added when its discovery document lists it", &oidcScopes},
		{"oidc-trust-email", "PORTAL_OIDC_TRUST_EMAIL", "false", "count every email address the OpenID Connect provider sends as verified, for a provider that sends no email_verified claim (Entra ID with a single-tenant issuer)", &oidcTrustEmail},
		{"oidc-name", "PORTAL_OIDC_NAME", "your company account", "label of the OpenID Connect sign-in button", &c.OIDC.Name},
		{"google-client-id", "PORTAL_GOOGLE_CLIENT_ID", "", "Google sign-in client id (optional)", &c.Google.ClientID},
		{"google-client-secret", "PORTAL_GOOGLE_CLIENT_SECRET", "", "Google sign-in client secret", &c.Google.ClientSecret},
		{"microsoft-client-id", "PORTAL_MICROSOFT_CLIENT_ID", "", "Microsoft (Entra ID v2) client id (optional)", &c.Microsoft.ClientID},
		{"microsoft-client-secret", "PORTAL_MICROSOFT_CLIENT_SECRET", "", "Microsoft (Entra ID v2) client secret", &c.Microsoft.ClientSecret},
		{"microsoft-tenant", "PORTAL_MICROSOFT_TENANT", "organizations", "Microsoft tenant id or organizations", &c.MicrosoftTenant},
		{"microsoft-trust-email", "PORTAL_MICROSOFT_TRUST_EMAIL", "false", "count the email addresses Microsoft Graph sends as verified (goth's Microsoft provider sends no verification)", &microsoftTrustEmail},
		{"groups-claim", "PORTAL_GROUPS_CLAIM", "groups", "ID token claim whose values map to roles", &c.GroupsClaim},
		{"role-map", "PORTAL_ROLE_MAP", auth.DefaultRoleMap, "group=role pairs, comma-separated; roles: employee, hr, comms, admin", &roleMap},
		{"allowed-domains", "PORTAL_ALLOWED_DOMAINS", "", "comma-separated email domains whose people may sign in, e.g. example.com,example.nl (default: any)", &domains},
		{"trusted-proxies", "PORTAL_TRUSTED_PROXIES", "", "comma-separated proxy addresses whose X-Forwarded-For is believed", &proxies},
		{"demo-idp-addr", "PORTAL_DEMO_IDP_ADDR", "127.0.0.1:0", "loopback address of the demo identity provider (demo sign-in only)", &c.DemoIdPAddr},
		{"guidelines", "PORTAL_GUIDELINES", "", "folder with your own code of conduct and training modules (default: the embedded set; see guidelines/README.md)", &c.GuidelinesDir},
		{"click-retention", "PORTAL_CLICK_RETENTION", "400d", "how long raw click rows are kept before the retention job deletes them (the daily totals per link stay), in days (400d) or as a duration (9600h)", &clickRetention},
		{"metrics-allow", "PORTAL_METRICS_ALLOW", "127.0.0.1/32,::1/128", "comma-separated addresses or CIDR ranges that may read /metrics (others get 404)", &metricsAllow},
		{"metrics-token", "PORTAL_METRICS_TOKEN", "", "bearer token that may read /metrics from any address (default: none)", &c.MetricsToken},
		{"rate-limit-redirect", "PORTAL_RATE_LIMIT_REDIRECT", handlers.DefaultRateLimits.Redirect.String(), "requests per client address to tracked links /l/…, as count/unit:burst with unit s, m or h; 0 turns the limit off", &redirectRate},
		{"rate-limit-signin", "PORTAL_RATE_LIMIT_SIGNIN", "30/m:60", "requests per client address to /login and /auth/…, as count/unit:burst; 0 turns the limit off", &signInRate},
		{"rate-limit-scim", "PORTAL_RATE_LIMIT_SCIM", handlers.DefaultRateLimits.SCIM.String(), "SCIM requests per bearer token (or client address), as count/unit:burst; 0 turns the limit off", &scimRate},
		{"smtp-url", "PORTAL_SMTP_URL", "", "SMTP server for mail, e.g. smtp://user:pass@mail.example.com:587?from=advocacy@example.com (default: mail waits in the admin outbox)", &c.SMTPURL},
		{"smtp-ca-file", "PORTAL_SMTP_CA_FILE", "", "PEM file of CA certificates to trust, beside the system's, for the SMTP server's TLS certificate (a relay with a private CA)", &c.SMTPCAFile},
		{"sources-allow-private", "PORTAL_SOURCES_ALLOW_PRIVATE", "false", "let content sources (RSS/Atom feeds) be fetched from loopback, private (RFC 1918, fc00::/7) and link-local addresses; for testing or intranet feeds only", &sourcesAllowPrivate},
	}
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.SetOutput(out)
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.dst, s.flag, def, s.usage+" ($"+s.env+")")
	}
	fs.Usage = func() {
		fmt.Fprintln(out, "Usage: portal [flags]\n\nRuns the employee advocacy portal. Every flag can also be set by the environment variable shown.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (see portal -h)", fs.Arg(0))
	}

	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("-addr %q is not host:port (like :8080)", c.Addr)
	}
	if c.DB == "" {
		bad("-db must name a file")
	}
	if c.Env != "development" && c.Env != "production" {
		bad("-env must be development or production, not %q", c.Env)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			bad("-base-url %q must be an http(s) address without a path, query or fragment, like https://advocacy.example.com", c.BaseURL)
		}
		c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	} else if c.Env == "production" {
		bad("-base-url (PORTAL_BASE_URL) is required in production")
	}
	if c.BaseURL != "" && c.Env == "production" && !secureOrLoopback(c.BaseURL) {
		bad("-base-url %q must be https in production (plain http only on a loopback host)", c.BaseURL)
	}
	if c.OIDC.Issuer != "" {
		u, err := url.Parse(c.OIDC.Issuer)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
			bad("-oidc-issuer %q must be the provider's issuer URL, like https://login.example.com/realms/staff", c.OIDC.Issuer)
		case c.Env == "production" && !secureOrLoopback(c.OIDC.Issuer):
			bad("-oidc-issuer %q must be https in production (plain http only on a loopback host)", c.OIDC.Issuer)
		}
	}
	c.OIDC.Scopes = strings.Fields(strings.ReplaceAll(oidcScopes, ",", " "))
	if !slices.Contains(c.OIDC.Scopes, "openid") {
		bad("-oidc-scopes %q must include openid", oidcScopes)
	}
	for _, b := range []struct {
		name, src string
		dst       *bool
	}{{"oidc-trust-email", oidcTrustEmail, &c.OIDC.TrustEmail}, {"microsoft-trust-email", microsoftTrustEmail, &c.MicrosoftTrustEmail}} {
		v, err := strconv.ParseBool(b.src)
		if err != nil {
			bad("-%s must be true or false, not %q", b.name, b.src)
		}
		*b.dst = v
	}
	if c.OIDC.Issuer != "" && (c.OIDC.ClientID == "" || c.OIDC.ClientSecret == "") {
		bad("-oidc-issuer needs -oidc-client-id and -oidc-client-secret too")
	}
	if c.Google.ClientID != "" && c.Google.ClientSecret == "" {
		bad("-google-client-id needs -google-client-secret too")
	}
	if c.MicrosoftTrustEmail && slices.Contains([]string{"organizations", "common", "consumers"}, strings.ToLower(c.MicrosoftTenant)) {
		bad("-microsoft-trust-email needs -microsoft-tenant to be your own tenant's id, not %q: any tenant's admins can set any address", c.MicrosoftTenant)
	}
	if c.Microsoft.ClientID != "" && c.Microsoft.ClientSecret == "" {
		bad("-microsoft-client-id needs -microsoft-client-secret too")
	}
	if c.Env == "production" && !c.hasProvider() {
		bad("no identity provider is configured; set PORTAL_OIDC_ISSUER (or Google or Microsoft) in production")
	}
	if c.SMTPURL != "" {
		if _, err := mail.ParseSMTPURL(c.SMTPURL); err != nil {
			bad("-smtp-url: %v", err)
		}
	}
	if c.SMTPCAFile != "" {
		if c.SMTPURL == "" {
			bad("-smtp-ca-file needs -smtp-url: the CA file is for the SMTP server's certificate")
		} else if _, err := mail.LoadCAFile(c.SMTPCAFile); err != nil {
			bad("-smtp-ca-file: %v", err)
		}
	}
	if c.GuidelinesDir != "" {
		if fi, err := os.Stat(c.GuidelinesDir); err != nil || !fi.IsDir() {
			bad("-guidelines %q is not a folder", c.GuidelinesDir)
		}
	}
	var err error
	if c.SourcesAllowPrivate, err = strconv.ParseBool(sourcesAllowPrivate); err != nil {
		bad("-sources-allow-private must be true or false, not %q", sourcesAllowPrivate)
	}
	if c.ClickRetention, err = retention.ParsePeriod(clickRetention); err != nil {
		bad("-click-retention: %v", err)
	}
	if c.RoleMap, err = auth.ParseRoleMap(roleMap); err != nil {
		bad("-role-map: %v", err)
	}
	for _, d := range strings.Split(domains, ",") {
		if d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), ".")); d == "" {
			continue
		}
		if problem := checkDomain(d); problem != "" {
			bad("-allowed-domains: %q %s", d, problem)
		} else if !slices.Contains(c.AllowedDomains, d) {
			c.AllowedDomains = append(c.AllowedDomains, d)
		}
	}
	for _, a := range strings.Split(metricsAllow, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if p, err := netip.ParsePrefix(a); err == nil {
			c.MetricsAllow = append(c.MetricsAllow, p.Masked())
		} else if ip, err := netip.ParseAddr(a); err == nil {
			c.MetricsAllow = append(c.MetricsAllow, netip.PrefixFrom(ip, ip.BitLen()))
		} else {
			bad("-metrics-allow: %q is not an address or CIDR range like 10.0.0.0/8", a)
		}
	}
	for _, r := range []struct {
		name string
		src  string
		dst  *handlers.Rate
	}{{"rate-limit-redirect", redirectRate, &c.RateLimits.Redirect}, {"rate-limit-signin", signInRate, &c.RateLimits.SignIn}, {"rate-limit-scim", scimRate, &c.RateLimits.SCIM}} {
		if *r.dst, err = handlers.ParseRate(r.src); err != nil {
			bad("-%s: %v", r.name, err)
		}
	}
	for _, p := range strings.Split(proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if len(problems) > 0 {
		return c, errors.New("invalid configuration:\n  " + strings.Join(problems, "\n  "))
	}
	return c, nil
}

// checkDomain says what is wrong with d as an email domain (lowercase,
// like example.com), or "" if nothing is. Internationalised domains are
// written in their ASCII (xn--) form, as identity providers send them.
func checkDomain(d string) string {
	if strings.Contains(d, "@") {
		return "is not a domain: leave out the name and the @"
	}
	if strings.Contains(d, "://") || strings.ContainsAny(d, "/:") {
		return "is not a domain: leave out the scheme, port and path"
	}
	if len(d) > 253 {
		return "is longer than a domain may be"
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "is not a domain like example.com"
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "is not a domain like example.com"
		}
		for _, r := range l {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return "is not a domain like example.com (write an internationalised domain in its xn-- form)"
			}
		}
	}
	return ""
}

// secureOrLoopback reports whether rawURL is https, or http on a loopback
// host (localhost, 127.0.0.0/8, ::1), where plain http never leaves the
// machine.
func secureOrLoopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return u.Scheme == "http" && err == nil && ip.IsLoopback()
}

// baseURLFor is the portal's public address: the configured one, or one
// derived from the address it listens on.
func baseURLFor(configured string, listening net.Addr) string {
	if configured != "" {
		return configured
	}
	host, port, _ := net.SplitHostPort(listening.String())
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
