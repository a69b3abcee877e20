package account

import (
	"errors"
	"testing"
)

func TestBindingFor(t *testing.T) {
	verified := Identity{Issuer: "https://idp.example", Subject: "s1", Email: "a@example.com", EmailVerified: true}
	unverified := verified
	unverified.EmailVerified = false
	tests := []struct {
		name      string
		id        Identity
		bound     bool
		holder    *EmailHolder
		want      Binding
		wantErr   error
		wantTaken int64 // the account a TakenError names
	}{
		{"bound identity signs in", verified, true, nil, SignInBound, nil, 0},
		{"bound identity signs in even unverified", unverified, true, nil, SignInBound, nil, 0},
		{"bound identity with an email another account has", verified, true, &EmailHolder{UserID: 7, Bound: true}, SignInBound, nil, 0},
		{"verified email of a directory account links", verified, false, &EmailHolder{UserID: 3}, LinkByEmail, nil, 0},
		{"unverified email of a directory account is refused", unverified, false, &EmailHolder{UserID: 3}, 0, ErrEmailUnverified, 0},
		{"verified email of a bound account is a takeover", verified, false, &EmailHolder{UserID: 4, Bound: true}, 0, nil, 4},
		{"unverified email of a bound account is refused as unverified, saying nothing of the account", unverified, false,
			&EmailHolder{UserID: 4, Bound: true}, 0, ErrEmailUnverified, 0},
		{"new verified person gets an account", verified, false, nil, CreateAccount, nil, 0},
		{"new unverified person gets none", unverified, false, nil, 0, ErrEmailUnverified, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BindingFor(tt.id, tt.bound, tt.holder)
			var taken *TakenError
			switch {
			case tt.wantTaken != 0:
				if !errors.As(err, &taken) || taken.UserID != tt.wantTaken {
					t.Fatalf("BindingFor = %v, %v; want a TakenError for account %d", got, err, tt.wantTaken)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("BindingFor = %v, %v; want %v", got, err, tt.wantErr)
				}
			case err != nil || got != tt.want:
				t.Fatalf("BindingFor = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestEmailAfterSignIn(t *testing.T) {
	id := Identity{Email: "new@example.com", EmailVerified: true}
	if got := EmailAfterSignIn(id, "old@example.com", false); got != "new@example.com" {
		t.Errorf("verified and free: %q", got)
	}
	if got := EmailAfterSignIn(id, "old@example.com", true); got != "old@example.com" {
		t.Errorf("held by another account: %q", got)
	}
	id.EmailVerified = false
	if got := EmailAfterSignIn(id, "old@example.com", false); got != "old@example.com" {
		t.Errorf("unverified: %q", got)
	}
}
