package oauth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// MinSecretLength is the shortest secret HashSecret accepts, in bytes.
const MinSecretLength = 32

const hashPrefix = "sha256:"

// NewSecret returns a new random client secret (256 bits, 43 characters of
// base64url) to give the administrator once, and its hash to store in
// Secret.Hash.
func NewSecret() (secret, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	hash, _ = HashSecret(secret)
	return secret, hash
}

// HashSecret returns the form in which a client secret is stored:
// "sha256:" followed by the base64url SHA-256 of the secret. It refuses a
// secret shorter than MinSecretLength bytes: SHA-256 is only safe for
// secrets too random to guess (see the package documentation).
func HashSecret(secret string) (string, error) {
	if len(secret) < MinSecretLength {
		return "", errors.New("oauth: a client secret must have at least 32 characters; make one with NewSecret")
	}
	sum := sha256.Sum256([]byte(secret))
	return hashPrefix + base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

func parseHash(h string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	rest, ok := strings.CutPrefix(h, hashPrefix)
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if !ok || err != nil || len(b) != sha256.Size {
		return sum, errors.New("not a hash made by HashSecret")
	}
	copy(sum[:], b)
	return sum, nil
}
