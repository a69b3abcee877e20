package scim

import "time"

// Token is a bearer token a provisioning client authenticates with. The
// portal keeps only its hash, never the token itself.
type Token struct {
	ID            int64
	Name          string
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
	LastUsedAt    time.Time // zero if never used
	RevokedAt     time.Time // zero if in use
}

// TokenHash is the id and hash of a token in use.
type TokenHash struct {
	ID   int64
	Hash string
}
