package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/advocacy-portal/portal/internal/account"
	"github.com/advocacy-portal/portal/internal/notify"
)

// The digest's one-click unsubscribe links (RFC 8058) work without a
// session, so their token must name the person and prove that the portal
// made it: it is "<user id>.<mac>", mac being the HMAC-SHA256 of
// "digest-unsubscribe:<user id>" under a secret the portal generates on
// first use and keeps in server_secrets (base64url, unpadded). Nothing is
// stored per person, every digest a person got carries the same working
// link, and no one can make a link for someone else without the secret.

const unsubscribeSecret = "unsubscribe"

var _ notify.UnsubscribeStore = (*Store)(nil)

// DigestUnsubscribeToken returns the token of userID's one-click link that
// turns their digest off.
func (s *Store) DigestUnsubscribeToken(ctx context.Context, userID int64) (string, error) {
	secret, err := s.serverSecret(ctx, unsubscribeSecret)
	if err != nil {
		return "", err
	}
	id := strconv.FormatInt(userID, 10)
	return id + "." + base64.RawURLEncoding.EncodeToString(unsubscribeMAC(secret, id)), nil
}

func unsubscribeMAC(secret []byte, id string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("digest-unsubscribe:" + id))
	return h.Sum(nil)
}

// DigestUnsubscriber returns the person a digest unsubscribe token names.
// A token the portal did not make, or one of a person no longer in the
// portal, is ErrNotFound.
func (s *Store) DigestUnsubscriber(ctx context.Context, token string) (account.User, error) {
	id, err := s.checkUnsubscribeToken(ctx, token)
	if err != nil {
		return account.User{}, err
	}
	return s.User(ctx, id)
}

// UnsubscribeDigest turns off the digest of the person token names and
// returns them; turning it off again changes nothing. A token the portal
// did not make, or one of a person no longer in the portal, is ErrNotFound
// and changes nothing.
func (s *Store) UnsubscribeDigest(ctx context.Context, token string) (account.User, error) {
	id, err := s.checkUnsubscribeToken(ctx, token)
	if err != nil {
		return account.User{}, err
	}
	res, err := s.write.ExecContext(ctx, `UPDATE users SET digest = ? WHERE id = ?`, string(account.DigestOff), id)
	if err := checkOneRow(res, err, "unsubscribe user %d from the digest", id); err != nil {
		return account.User{}, err
	}
	return s.User(ctx, id)
}

// errBadUnsubscribeToken is what every malformed or forged token gets, so
// that the answer says nothing about which part was wrong.
var errBadUnsubscribeToken = fmt.Errorf("store: digest unsubscribe token: %w", ErrNotFound)

func (s *Store) checkUnsubscribeToken(ctx context.Context, token string) (int64, error) {
	idText, macText, ok := strings.Cut(token, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 || strconv.FormatInt(id, 10) != idText {
		return 0, errBadUnsubscribeToken
	}
	mac, err := base64.RawURLEncoding.DecodeString(macText)
	if err != nil || len(mac) != sha256.Size {
		return 0, errBadUnsubscribeToken
	}
	secret, err := s.serverSecret(ctx, unsubscribeSecret)
	if err != nil {
		return 0, err
	}
	if !hmac.Equal(mac, unsubscribeMAC(secret, idText)) {
		return 0, errBadUnsubscribeToken
	}
	return id, nil
}

// serverSecret returns the secret called name, generating and storing 32
// random bytes the first time. Instances sharing the database that race
// to generate it all end up with the one stored first.
func (s *Store) serverSecret(ctx context.Context, name string) ([]byte, error) {
	var secret []byte
	err := s.read.QueryRowContext(ctx, `SELECT secret FROM server_secrets WHERE name = ?`, name).Scan(&secret)
	if err == nil {
		return secret, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: server secret %s: %w", name, err)
	}
	fresh := make([]byte, 32)
	rand.Read(fresh) // never fails (crypto/rand)
	if _, err := s.write.ExecContext(ctx, `INSERT INTO server_secrets (name, secret, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, name, fresh, timestamp(s.now())); err != nil {
		return nil, fmt.Errorf("store: server secret %s: %w", name, err)
	}
	if err := s.write.QueryRowContext(ctx, `SELECT secret FROM server_secrets WHERE name = ?`, name).Scan(&secret); err != nil {
		return nil, fmt.Errorf("store: server secret %s: %w", name, err)
	}
	return secret, nil
}
