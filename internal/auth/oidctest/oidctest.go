// Package oidctest runs a real, third-party OpenID provider on loopback for
// tests: zitadel/oidc's op package (certified OpenID Connect provider code),
// with the in-memory storage of its example server and what the portal's
// tests need on top: people with verified and unverified email addresses,
// a groups claim released only for the "groups" scope, and switches that
// make it misbehave the ways an attacker or a broken provider would
// (tokens signed with a key it does not publish, an ID token with another
// nonce). Nothing here is the portal's own OpenID code.
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Person is someone the provider can sign in.
type Person struct {
	Subject       string
	Email         string
	EmailVerified bool
	GivenName     string
	FamilyName    string
	Groups        []string // sent as the "groups" claim, only when the groups scope was asked for
}

// Config sets up a Provider.
type Config struct {
	ClientID     string
	ClientSecret string
	RedirectURIs []string
	People       []Person
	// HideGroupsScope leaves "groups" out of the discovery document's
	// scopes_supported (the provider still honours it when asked).
	HideGroupsScope bool
}

// Request is what the provider saw of the last authorization request.
type Request struct {
	Scopes              []string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
}

// Provider is a running OpenID provider. Its methods are safe for
// concurrent use.
type Provider struct {
	// Issuer is the provider's issuer URL (http on loopback).
	Issuer string

	st *testStorage
}

// Start starts a provider on a loopback port and stops it when the test
// ends. People sign in without a password: SignInAs chooses who the next
// authorization request signs in.
func Start(t testing.TB, cfg Config) *Provider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("oidctest: listen: %v", err)
	}
	issuer := "http://" + ln.Addr().String()
	people := map[string]Person{}
	for _, p := range cfg.People {
		people[p.Subject] = p
	}
	client := storage.WebClient(cfg.ClientID, cfg.ClientSecret, cfg.RedirectURIs...)
	st := &testStorage{
		Storage: storage.NewStorageWithClients(users{people: people, clientID: cfg.ClientID},
			map[string]*storage.Client{cfg.ClientID: client}),
		people: people,
		scopes: map[string][]string{},
	}
	scopes := slices.Clone(op.DefaultSupportedScopes)
	if !cfg.HideGroupsScope {
		scopes = append(scopes, "groups")
	}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		t.Fatal(err)
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:          key,
		CodeMethodS256:     true,
		AuthMethodPost:     true,
		SupportedUILocales: []language.Tag{language.English},
		SupportedScopes:    scopes,
		SupportedClaims:    append(slices.Clone(op.DefaultSupportedClaims), "groups"),
	}, st, op.StaticIssuer(issuer), op.WithAllowInsecure(),
		op.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatalf("oidctest: %v", err)
	}
	login := op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("authRequestID")
		st.mu.Lock()
		who := st.next
		st.mu.Unlock()
		if err := st.CheckUsernamePassword(who, password, id); err != nil {
			http.Error(w, "oidctest: no such person: "+who, http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, op.AuthCallbackURL(provider)(r.Context(), id), http.StatusFound)
	})
	mux := http.NewServeMux()
	mux.Handle("/login/username", login)
	mux.Handle("/", provider)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	srv.Start()
	t.Cleanup(srv.Close)
	return &Provider{Issuer: issuer, st: st}
}

const password = "oidctest"

// SignInAs makes the next sign-ins sign in the person with subject.
func (p *Provider) SignInAs(subject string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.next = subject
}

// SignWithUnpublishedKey makes the provider sign its tokens with a key its
// JWKS does not hold (on), or with the published one again (off).
func (p *Provider) SignWithUnpublishedKey(on bool) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.wrongKey = nil
	if on {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		p.st.wrongKey = k
	}
}

// ReplaceNonce makes the provider put another nonce than the one asked for
// in its ID tokens ("" for the asked one).
func (p *Provider) ReplaceNonce(nonce string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.nonce = nonce
}

// LastRequest returns what the last authorization request asked for.
func (p *Provider) LastRequest() Request {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	return p.st.last
}

// users is the example storage's user store over Config.People.
type users struct {
	people   map[string]Person
	clientID string
}

func (u users) GetUserByID(id string) *storage.User {
	p, ok := u.people[id]
	if !ok {
		return nil
	}
	return &storage.User{ID: p.Subject, Username: p.Subject, Password: password, FirstName: p.GivenName, LastName: p.FamilyName,
		Email: p.Email, EmailVerified: p.EmailVerified, PreferredLanguage: language.English}
}

func (u users) GetUserByUsername(name string) *storage.User { return u.GetUserByID(name) }
func (u users) ExampleClientID() string                     { return u.clientID }

// testStorage is the example storage with groups, request recording and
// the misbehaviours switched on by Provider's methods.
type testStorage struct {
	*storage.Storage
	people map[string]Person

	mu       sync.Mutex
	next     string
	wrongKey *rsa.PrivateKey
	nonce    string
	last     Request
	scopes   map[string][]string // access token id → scopes granted
}

// GetClientByClientID lets the client ask for the groups scope, which the
// example's clients do not allow.
func (s *testStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return groupsClient{c}, nil
}

type groupsClient struct{ op.Client }

func (c groupsClient) IsScopeAllowed(scope string) bool {
	return scope == "groups" || c.Client.IsScopeAllowed(scope)
}

func (s *testStorage) CreateAuthRequest(ctx context.Context, r *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	s.mu.Lock()
	s.last = Request{Scopes: slices.Clone(r.Scopes), Nonce: r.Nonce, CodeChallenge: r.CodeChallenge,
		CodeChallengeMethod: string(r.CodeChallengeMethod)}
	s.mu.Unlock()
	return s.Storage.CreateAuthRequest(ctx, r, userID)
}

func (s *testStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.Storage.AuthRequestByCode(ctx, code)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || s.nonce == "" {
		return r, err
	}
	return nonceReplaced{AuthRequest: r, nonce: s.nonce}, nil
}

type nonceReplaced struct {
	op.AuthRequest
	nonce string
}

func (r nonceReplaced) GetNonce() string { return r.nonce }

func (s *testStorage) CreateAccessToken(ctx context.Context, r op.TokenRequest) (string, time.Time, error) {
	id, exp, err := s.Storage.CreateAccessToken(ctx, r)
	if err == nil {
		s.mu.Lock()
		s.scopes[id] = r.GetScopes()
		s.mu.Unlock()
	}
	return id, exp, err
}

func (s *testStorage) CreateAccessAndRefreshTokens(ctx context.Context, r op.TokenRequest, current string) (string, string, time.Time, error) {
	id, refresh, exp, err := s.Storage.CreateAccessAndRefreshTokens(ctx, r, current)
	if err == nil {
		s.mu.Lock()
		s.scopes[id] = r.GetScopes()
		s.mu.Unlock()
	}
	return id, refresh, exp, err
}

// groups adds the person's groups to info when the groups scope was granted.
func (s *testStorage) groups(info *oidc.UserInfo, subject string, scopes []string) {
	if p, ok := s.people[subject]; ok && slices.Contains(scopes, "groups") {
		info.AppendClaims("groups", p.Groups)
	}
}

func (s *testStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, r, scopes); err != nil {
		return err
	}
	s.groups(info, r.GetSubject(), scopes)
	return nil
}

func (s *testStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	s.mu.Lock()
	scopes := s.scopes[tokenID]
	s.mu.Unlock()
	s.groups(info, subject, scopes)
	return nil
}

func (s *testStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := s.Storage.SigningKey(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || s.wrongKey == nil {
		return k, err
	}
	return signingKey{id: k.ID(), key: s.wrongKey}, nil
}

// signingKey signs with a key the provider does not publish, under the
// published key's id.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }
