package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// JWKS refresh policy: a JWKS is fetched again at most once per
// jwksMinInterval on an unknown key id (keys rotate without notice), and
// after jwksMaxAge in any case. When a fetch fails the cached keys stay in
// use.
const (
	jwksMinInterval = time.Minute
	jwksMaxAge      = 24 * time.Hour
	jwksMaxBytes    = 1 << 20
)

// jwksCache is the cached JSON Web Key Set (RFC 7517) at one URL.
type jwksCache struct {
	url    string
	client *http.Client
	now    func() time.Time
	log    *slog.Logger

	mu      sync.Mutex
	keys    []jose.JSONWebKey
	fetched time.Time // last successful fetch
	tried   time.Time // last attempt
}

// get returns the signature keys with key id kid (every key when kid is
// empty), fetching the set when kid is unknown or the set is old.
func (c *jwksCache) get(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	found := c.lookup(kid)
	stale := c.fetched.IsZero() || now.Sub(c.fetched) > jwksMaxAge
	if (len(found) == 0 || stale) && (c.tried.IsZero() || now.Sub(c.tried) >= jwksMinInterval) {
		c.tried = now
		keys, err := c.fetch(ctx)
		if err != nil {
			c.log.WarnContext(ctx, "oauth: cannot fetch JWKS; using the cached keys", "url", c.url, "error", err)
		} else {
			c.keys, c.fetched = keys, now
			found = c.lookup(kid)
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("client_assertion is signed by a key %q that the JWKS does not have", kid)
	}
	return found, nil
}

func (c *jwksCache) lookup(kid string) []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, k := range c.keys {
		if kid == "" || k.KeyID == kid {
			out = append(out, k)
		}
	}
	return out
}

func (c *jwksCache) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, jwksMaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > jwksMaxBytes {
		return nil, errors.New("JWKS larger than 1 MiB")
	}
	// Decode key by key, so that one key of an unsupported type does not
	// hide the others.
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("not a JWKS: %v", err)
	}
	var keys []jose.JSONWebKey
	for _, r := range raw.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(r); err != nil || !k.Valid() || !k.IsPublic() || (k.Use != "" && k.Use != "sig") {
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("the JWKS has no usable signature key")
	}
	return keys, nil
}
