package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/apperr"
	"github.com/advocacy-portal/portal/internal/auth"
)

var errGone = apperr.Sentinel(apperr.NotFound, "fake: not found", "")

// fakeFlow is an identity provider's flow that vouches for claims, or
// refuses with err.
type fakeFlow struct {
	claims auth.Claims
	err    error
	got    url.Values // the query Finish was given
}

func (f *fakeFlow) Begin(state string) (string, string, error) {
	return "https://idp.example/authorize?state=" + state, "saved-" + state, nil
}

func (f *fakeFlow) Finish(_ context.Context, saved string, query url.Values) (auth.Claims, error) {
	f.got = query
	if !strings.HasPrefix(saved, "saved-") {
		return auth.Claims{}, fmt.Errorf("fake: saved %q is not Begin's", saved)
	}
	return f.claims, f.err
}

// fakeSessions is an auth.SessionRepository in memory.
type fakeSessions struct {
	states   map[string]auth.LoginState
	user     account.User
	signIn   error
	signIns  int
	sessions map[string]int64 // by id hash
	replaced []string
}

func (r *fakeSessions) SaveLoginState(_ context.Context, ls auth.LoginState) error {
	r.states[ls.State] = ls
	return nil
}

func (r *fakeSessions) TakeLoginState(_ context.Context, state string, _ time.Duration) (auth.LoginState, error) {
	ls, ok := r.states[state]
	if !ok {
		return ls, errGone
	}
	delete(r.states, state)
	return ls, nil
}

func (r *fakeSessions) SignIn(context.Context, account.Identity) (account.User, error) {
	r.signIns++
	return r.user, r.signIn
}

func (r *fakeSessions) CreateSession(_ context.Context, idHash, replaceHash string, userID int64, _ string, _ time.Time) error {
	if replaceHash != "" {
		r.replaced = append(r.replaced, replaceHash)
		delete(r.sessions, replaceHash)
	}
	r.sessions[idHash] = userID
	return nil
}

func (r *fakeSessions) SessionByHash(_ context.Context, idHash string) (auth.Session, error) {
	id, ok := r.sessions[idHash]
	if !ok {
		return auth.Session{}, errGone
	}
	return auth.Session{IDHash: idHash, User: account.User{ID: id}}, nil
}

func (r *fakeSessions) DeleteSession(_ context.Context, idHash string) error {
	delete(r.sessions, idHash)
	return nil
}

func (r *fakeSessions) Ping(context.Context) error { return nil }

var signInNow = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

func TestSessionsFinish(t *testing.T) {
	good := auth.Claims{Issuer: "https://idp.example", Subject: "s-1", Email: "Sam@Example.com", EmailVerified: true, Name: "Sam"}
	active := account.User{ID: 7, Email: "sam@example.com", Active: true}
	tests := []struct {
		name        string
		cb          func(cb auth.Callback) auth.Callback // from a callback that checks out
		flow        fakeFlow
		user        account.User
		signIn      error
		domains     []string
		wantReason  auth.Reason
		wantErr     error // other than a refusal
		wantSignIns int
	}{
		{"signed in", nil, fakeFlow{claims: good}, active, nil, []string{"example.com"}, 0, nil, 1},
		{"no state", func(cb auth.Callback) auth.Callback { cb.State = ""; cb.BoundState = ""; return cb }, fakeFlow{claims: good}, active, nil, nil, auth.Expired, nil, 0},
		{"another browser's state", func(cb auth.Callback) auth.Callback { cb.BoundState = "other"; return cb }, fakeFlow{claims: good}, active, nil, nil, auth.Expired, nil, 0},
		{"a state used or too old", func(cb auth.Callback) auth.Callback { cb.State, cb.BoundState = "used", "used"; return cb }, fakeFlow{claims: good}, active, nil, nil, auth.Expired, nil, 0},
		{"another provider's state", func(cb auth.Callback) auth.Callback { cb.Provider.Slug = "other"; return cb }, fakeFlow{claims: good}, active, nil, nil, auth.Expired, nil, 0},
		{"the provider refused", func(cb auth.Callback) auth.Callback { cb.ErrorCode = "access_denied"; return cb }, fakeFlow{claims: good}, active, nil, nil, auth.ProviderRefused, nil, 0},
		{"a malformed answer", func(cb auth.Callback) auth.Callback { cb.RawQuery = "code=%zz"; return cb }, fakeFlow{claims: good}, active, nil, nil, 0, nil, 0},
		{"the answer does not check out", nil, fakeFlow{err: errors.New("bad nonce")}, active, nil, nil, auth.NotConfirmed, nil, 0},
		{"no subject", nil, fakeFlow{claims: auth.Claims{Issuer: "i", Email: "sam@example.com"}}, active, nil, nil, auth.NoIdentity, nil, 0},
		{"a domain not allowed", nil, fakeFlow{claims: good}, active, nil, []string{"example.org"}, auth.DomainNotAllowed, nil, 0},
		{"an address not verified", nil, fakeFlow{claims: good}, account.User{}, account.ErrEmailUnverified, nil, auth.EmailUnverified, nil, 1},
		{"an address of another identity", nil, fakeFlow{claims: good}, account.User{}, &account.TakenError{UserID: 3}, nil, auth.EmailTaken, nil, 1},
		{"a deactivated account", nil, fakeFlow{claims: good}, account.User{ID: 7}, nil, nil, 0, auth.ErrDeactivated, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &fakeSessions{states: map[string]auth.LoginState{}, user: tt.user, signIn: tt.signIn,
				sessions: map[string]int64{auth.HashToken("old-token"): 7}}
			flow := tt.flow
			svc := auth.NewSessions(repo, auth.SessionsConfig{AllowedDomains: tt.domains, Now: func() time.Time { return signInNow }})
			p := auth.Provider{Slug: "demo", Flow: &flow}
			_, state, err := svc.Begin(context.Background(), p, "/training")
			if err != nil {
				t.Fatal(err)
			}
			cb := auth.Callback{Provider: p, State: state, BoundState: state, RawQuery: "code=c1&state=" + state, OldSession: "old-token"}
			if tt.cb != nil {
				cb = tt.cb(cb)
			}
			in, err := svc.Finish(context.Background(), cb)
			refused, isRefusal := errors.AsType[*auth.Refusal](err)
			switch {
			case tt.wantReason != 0:
				if !isRefusal || refused.Reason != tt.wantReason || refused.Message == "" {
					t.Fatalf("Finish = %v, want a refusal for reason %d", err, tt.wantReason)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) || isRefusal {
					t.Fatalf("Finish = %v, want %v", err, tt.wantErr)
				}
			case tt.name == "a malformed answer":
				if apperr.KindOf(err) != apperr.Invalid || isRefusal {
					t.Fatalf("Finish = %v, want invalid", err)
				}
			case err != nil:
				t.Fatalf("Finish = %v", err)
			}
			if repo.signIns != tt.wantSignIns {
				t.Errorf("signed in %d times, want %d", repo.signIns, tt.wantSignIns)
			}
			if err != nil {
				if len(repo.sessions) != 1 || repo.sessions[auth.HashToken("old-token")] != 7 {
					t.Errorf("sessions %v after a failed sign-in, want the old one alone", repo.sessions)
				}
				return
			}
			if in.User.ID != 7 || in.Next != "/training" || !in.Expires.Equal(signInNow.Add(auth.SessionTTL)) {
				t.Errorf("Finish = %+v, want user 7 to /training until %v", in, signInNow.Add(auth.SessionTTL))
			}
			if len(repo.sessions) != 1 || repo.sessions[auth.HashToken(in.Token)] != 7 || len(repo.replaced) != 1 {
				t.Errorf("sessions %v (replaced %v), want only the new one, the old one ended", repo.sessions, repo.replaced)
			}
			if flow.got.Get("code") != "c1" {
				t.Errorf("the flow got the query %v, want the callback's", flow.got)
			}
			if _, ok := repo.states[state]; ok {
				t.Error("the sign-in's state is still there after it was used")
			}
		})
	}
}

func TestSessionsSessionAndSignOut(t *testing.T) {
	repo := &fakeSessions{sessions: map[string]int64{auth.HashToken("tok"): 7}}
	svc := auth.NewSessions(repo, auth.SessionsConfig{})
	ctx := context.Background()
	sess, err := svc.Session(ctx, "tok")
	if err != nil || sess.User.ID != 7 {
		t.Fatalf("Session(tok) = %+v, %v; want user 7's, found by the token's hash", sess, err)
	}
	if _, err := svc.Session(ctx, auth.HashToken("tok")); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Session(the hash itself) = %v, want not found", err)
	}
	if err := svc.SignOut(ctx, sess.IDHash); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Session(ctx, "tok"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Session after signing out = %v, want not found", err)
	}
}

func TestProviderRefusal(t *testing.T) {
	tests := []struct {
		code, description, want string
	}{
		{"access_denied", "The user said no", "The identity provider did not sign you in: The user said no (access_denied). Try again, or ask your IT team if it keeps happening."},
		{"access_denied", "", "The identity provider did not sign you in (access_denied). Try again, or ask your IT team if it keeps happening."},
		{"bad\x00code", strings.Repeat("x", 301), "The identity provider did not sign you in. Try again, or ask your IT team if it keeps happening."},
	}
	for _, tt := range tests {
		if got := auth.ProviderRefusal(tt.code, tt.description); got != tt.want {
			t.Errorf("ProviderRefusal(%q, %q) = %q, want %q", tt.code, tt.description, got, tt.want)
		}
	}
}

func TestAllowedEmail(t *testing.T) {
	tests := []struct {
		email   string
		domains []string
		want    bool
	}{
		{"sam@example.com", nil, true},
		{"sam@anywhere.org", []string{}, true},
		{"sam@example.com", []string{"example.com"}, true},
		{"Sam@EXAMPLE.com", []string{"example.com"}, true},
		{"sam@example.nl", []string{"example.com", "example.nl"}, true},
		{"sam@example.com.", []string{"example.com"}, true},
		{"sam@example.com", []string{"example.com."}, true},
		{"sam@example.org", []string{"example.com"}, false},
		{"sam@eu.example.com", []string{"example.com"}, false},
		{"sam@notexample.com", []string{"example.com"}, false},
		{"sam@example.com.evil.org", []string{"example.com"}, false},
		{"example.com@evil.org", []string{"example.com"}, false},
		{"no-at-sign", []string{"example.com"}, false},
		{"sam@", []string{"example.com"}, false},
		{"sam@example.com", []string{""}, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s in %v", tt.email, tt.domains), func(t *testing.T) {
			if got := auth.AllowedEmail(tt.email, tt.domains); got != tt.want {
				t.Errorf("AllowedEmail(%q, %q) = %t, want %t", tt.email, tt.domains, got, tt.want)
			}
		})
	}
}
