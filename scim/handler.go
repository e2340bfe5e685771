package scim

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// Config configures a Handler. Only Store is required; every other zero
// value is documented and usable.
type Config struct {
	// Store persists resources. Required.
	Store store.Store

	// ResourceTypes are the resource types served, in the order
	// /ResourceTypes lists them. Nil means User (with the Enterprise User
	// extension) and Group. To add host extensions (Okta custom
	// attributes), pass e.g.
	//
	//	schema.UserResourceType(schema.EnterpriseUserSchema(), myExtension)
	//
	// The handler reads them at NewHandler and never modifies them; they
	// must not be modified afterwards.
	ResourceTypes []*schema.ResourceType

	// MaxBodyBytes bounds request bodies; a larger body is answered 413.
	// Zero means 1 MiB.
	MaxBodyBytes int64

	// MaxPatchOperations caps the operations of one PATCH request; more
	// are answered 413. Zero means 1000.
	MaxPatchOperations int

	// MaxResults caps "count" on list requests and is the page size when a
	// client sends no count. Zero means 1000.
	MaxResults int

	// BaseURL is the absolute URL of the SCIM service root, e.g.
	// "https://app.example.com/scim/v2", used for meta.location and the
	// Location header. Empty means it is derived from each request: scheme
	// from TLS, host from the Host header, and the mount prefix that
	// http.StripPrefix removed.
	BaseURL string

	// TrustForwardedHeaders makes the handler derive the base URL (when
	// BaseURL is empty) from the Forwarded header (RFC 7239), or
	// X-Forwarded-Proto and X-Forwarded-Host, that a reverse proxy in front
	// of it sets. Leave it false unless such a proxy overwrites those
	// headers on every request: clients could otherwise choose the host
	// written into Location and meta.location.
	TrustForwardedHeaders bool

	// MaxFilterCandidates bounds the resources the handler evaluates in
	// memory for one request when the store evaluates only part of a filter
	// (store.FilterSplitter): a filter whose pushed part selects more
	// candidates is answered 400 "tooMany" (RFC 7644 §3.12) instead of
	// loading them. Zero means 10,000.
	MaxFilterCandidates int

	// MaxValueBytes caps the length of any one string value in a resource
	// written by POST, PUT or PATCH; a longer one is answered 400
	// invalidValue naming the attribute. Zero means 64 KiB.
	MaxValueBytes int

	// StrictFilters turns off the filter leniencies that identity providers
	// rely on (unquoted literals, "True"/"False" strings). The zero value
	// accepts them.
	StrictFilters bool

	// RejectUndefinedAttributes makes a write that names an attribute no
	// schema of the resource type defines (a typo such as "userNmae", an
	// unknown extension URN) fail with 400 invalidSyntax naming it, on POST,
	// PUT and PATCH (keys of path-less values included). The zero value
	// ignores such attributes and logs them at debug level, which is what
	// identity providers need: they send attributes of their own. Either
	// way read-only attributes are ignored (RFC 7643 §7), and the dialects
	// identity providers speak ("schemas", Okta's "id" inside PATCH values)
	// are accepted.
	RejectUndefinedAttributes bool

	// NoContentOnPatch lists the resource types (by name) whose successful
	// PATCH is answered 204 No Content instead of 200 with the resource.
	// Nil means []string{"Group"}, which is what Microsoft Entra ID
	// recommends; use an empty non-nil slice to always return the resource.
	// A PATCH that asks for "attributes" always gets 200 with the resource.
	NoContentOnPatch []string

	// BulkMaxOperations caps the operations of one /Bulk request
	// (maxOperations, RFC 7644 §3.7.4); more are answered 413. Zero means
	// 1000; a negative value turns /Bulk off (501).
	BulkMaxOperations int

	// BulkMaxPayloadBytes caps the size of one /Bulk request body
	// (maxPayloadSize); a larger one is answered 413. Zero means 1 MiB.
	BulkMaxPayloadBytes int64

	// Me, if not nil, maps the authenticated principal of a request (from
	// ctx, as the host's middleware put it there) to the resource type name
	// and id that /Me stands for (RFC 7644 §3.11). It returns an error
	// wrapping store.ErrNotFound when the principal has no resource. Nil
	// means /Me answers 501 Not Implemented.
	Me func(ctx context.Context) (resourceType, id string, err error)

	// CursorKey is the secret that seals pagination cursors (RFC 9865) so
	// clients cannot forge them. Every handler serving the same clients
	// (several instances behind a load balancer) needs the same key of at
	// least 32 random bytes; NewHandler refuses a shorter one (including an
	// empty one from an unset variable). Nil means a random key made by NewHandler, so
	// cursors stay valid only within one process. Cursors are offered only
	// when the Store implements store.CursorLister.
	CursorKey []byte

	// CursorTimeout is how long a cursor stays valid. Zero means one hour.
	CursorTimeout time.Duration

	// AuthenticationSchemes are advertised in /ServiceProviderConfig. Nil
	// means one OAuth bearer token scheme (RFC 6750), which is what the
	// BearerAuth middleware implements.
	AuthenticationSchemes []AuthenticationScheme

	// HashPassword receives each password a client writes (the write-only
	// "password" attribute, in POST, PUT and PATCH, inside /Bulk and
	// through the Go API alike) in clear text, and returns what the store
	// keeps in its place: a hash in the host's own scheme (bcrypt,
	// argon2id), or an error to refuse it. A *Error is answered as it is
	// (say, 400 invalidValue "password is too short"); any other error is
	// answered 400 invalidValue without its text. Nil means passwords are not
	// stored at all: the attribute is dropped before any store sees it, and
	// /ServiceProviderConfig says changePassword is not supported. Either
	// way a store never receives a password in clear text, and no response
	// ever holds one (RFC 7643 §4.1.1: returned "never").
	HashPassword func(ctx context.Context, password string) (string, error)

	// Catalogs are read-only resource types listing the app's roles and
	// entitlements in Okta Identity Governance's schemas, served after
	// ResourceTypes (see Catalog). Nil means none.
	//
	// With catalogs, every role and entitlement a write gives a user is
	// checked against them: a value no catalog of its kind lists is
	// answered 400 invalidValue naming it ("roles[0].value"), and the
	// stored element gets the entry's id as the catalog spells it, its
	// display name and, for entitlements, the catalog's name as its type
	// (see Grant). Grants a user holds already are never re-checked, so
	// revoking always works.
	Catalogs []Catalog

	// IgnoreUnknownGrants drops a role or entitlement that no catalog
	// lists from a write, instead of refusing the write with 400. The user
	// is stored without it, and GET does not return it; an identity
	// provider that compares what it sent with what it reads back (Entra
	// ID) then sends it again on every cycle. Without catalogs of a kind it
	// has no effect on that kind.
	IgnoreUnknownGrants bool

	// OnChange, if not nil, is called after the store committed each
	// change (see Change). It runs synchronously on the request goroutine,
	// before the response is written; it cannot fail the request. It is
	// best effort: a change is not reported if the process stops between
	// the commit and the call, and each instance sees only its own
	// changes. For anything that must not be lost, or must be seen by
	// every instance, use a store's change feed (store.Feed, delivered by
	// package store/feed), which records the same change in the write's
	// own transaction.
	OnChange func(ctx context.Context, c Change)

	// Logger receives errors the client does not see in full (internal
	// errors, ignored attributes at debug level). Nil discards them. The
	// handler never uses the global slog or log loggers.
	Logger *slog.Logger
}

// AuthenticationScheme is one entry of authenticationSchemes in
// /ServiceProviderConfig (RFC 7643 §5).
type AuthenticationScheme struct {
	Type             string `json:"type"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	SpecURI          string `json:"specUri,omitempty"`
	DocumentationURI string `json:"documentationUri,omitempty"`
	Primary          bool   `json:"primary,omitempty"`
}

// Handler serves the SCIM 2.0 protocol (RFC 7644) for the configured
// resource types. Create one with NewHandler; it is safe for concurrent use.
type Handler struct {
	cfg     Config
	store   store.Store
	members store.MemberPatcher // nil if the store has no such capability
	types   []*resourceType
	// groupType is the resource type named "Group", whose members make up
	// User.groups; nil if none is configured.
	groupType     *resourceType
	byPath        map[string]*resourceType // lower-cased endpoint without "/"
	log           *slog.Logger
	maxBody       int64
	maxCount      int
	maxOps        int
	maxValue      int
	maxCandidates int

	bulkMaxOps     int
	bulkMaxPayload int64

	// changes says whether writes work out what they change: for
	// Config.OnChange, or for a store that records a change feed.
	changes bool
	// grantCatalogs are the catalogs users' roles and entitlements are
	// checked against, by kind.
	grantCatalogs map[schema.GrantKind][]*Catalog

	cursors       store.CursorLister // nil if the store cannot page by position
	cursorKey     []byte
	cursorTimeout time.Duration
	now           func() time.Time
}

// resourceType is a configured resource type with what the handler derives
// from it once.
type resourceType struct {
	*schema.ResourceType
	parser    filter.Parser
	noContent bool     // PATCH answers 204
	groups    bool     // "groups" is maintained by the handler (User)
	catalog   *Catalog // the values come from the host, read-only
}

// NewHandler checks cfg and returns a Handler serving RFC 7644 at its root:
// mount it with http.StripPrefix, e.g.
//
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
//
// It returns an error if cfg.Store is nil or the resource types are
// inconsistent (duplicate names or endpoints, a missing schema).
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("scim: Config.Store is nil")
	}
	h := &Handler{cfg: cfg, store: cfg.Store, byPath: map[string]*resourceType{},
		log: cfg.Logger, maxBody: cfg.MaxBodyBytes, maxCount: cfg.MaxResults}
	h.members, _ = cfg.Store.(store.MemberPatcher)
	_, feed := store.FeedOf(cfg.Store)
	h.changes = cfg.OnChange != nil || feed
	h.cursors, _ = cfg.Store.(store.CursorLister)
	h.now = time.Now
	h.cursorKey, h.cursorTimeout = cfg.CursorKey, cfg.CursorTimeout
	if h.cursorKey != nil && len(h.cursorKey) < 32 {
		return nil, fmt.Errorf("scim: Config.CursorKey has %d bytes; use at least 32 random bytes, or nil for a per-process key", len(h.cursorKey))
	}
	if h.cursorKey == nil {
		h.cursorKey = make([]byte, 32)
		if _, err := rand.Read(h.cursorKey); err != nil {
			return nil, fmt.Errorf("scim: cannot make a cursor key: %w", err)
		}
	}
	if h.cursorTimeout <= 0 {
		h.cursorTimeout = time.Hour
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.maxBody <= 0 {
		h.maxBody = 1 << 20
	}
	if h.maxCount <= 0 {
		h.maxCount = 1000
	}
	if h.maxOps = cfg.MaxPatchOperations; h.maxOps <= 0 {
		h.maxOps = 1000
	}
	if h.maxValue = cfg.MaxValueBytes; h.maxValue <= 0 {
		h.maxValue = 64 << 10
	}
	if h.maxCandidates = cfg.MaxFilterCandidates; h.maxCandidates <= 0 {
		h.maxCandidates = 10000
	}
	h.bulkMaxOps, h.bulkMaxPayload = cfg.BulkMaxOperations, cfg.BulkMaxPayloadBytes
	if h.bulkMaxOps == 0 {
		h.bulkMaxOps = 1000
	}
	if h.bulkMaxPayload <= 0 {
		h.bulkMaxPayload = 1 << 20
	}
	types := cfg.ResourceTypes
	if types == nil {
		types = []*schema.ResourceType{
			schema.UserResourceType(schema.EnterpriseUserSchema()),
			schema.GroupResourceType(),
		}
	}
	catalogs := map[*schema.ResourceType]*Catalog{}
	if len(cfg.Catalogs) > 0 {
		types = append([]*schema.ResourceType(nil), types...)
		for i := range cfg.Catalogs {
			c := &cfg.Catalogs[i]
			if c.Entries == nil {
				return nil, fmt.Errorf("scim: catalog %s has no Entries function", c.Name)
			}
			rt := catalogType(c)
			catalogs[rt] = c
			kind := schema.RoleGrant
			if c.Entitlement {
				kind = schema.EntitlementGrant
			}
			if h.grantCatalogs == nil {
				h.grantCatalogs = map[schema.GrantKind][]*Catalog{}
			}
			h.grantCatalogs[kind] = append(h.grantCatalogs[kind], c)
			types = append(types, rt)
		}
	}
	noContent := cfg.NoContentOnPatch
	if noContent == nil {
		noContent = []string{"Group"}
	}
	names := map[string]bool{}
	for _, rt := range types {
		if rt == nil || rt.Schema == nil || rt.Name == "" {
			return nil, errors.New("scim: a resource type has no name or no schema")
		}
		ep := strings.ToLower(strings.Trim(rt.Endpoint, "/"))
		if ep == "" || strings.Contains(ep, "/") {
			return nil, fmt.Errorf("scim: resource type %s: endpoint %q must be one path segment like /Users", rt.Name, rt.Endpoint)
		}
		if names[strings.ToLower(rt.Name)] || h.byPath[ep] != nil || reserved[ep] {
			return nil, fmt.Errorf("scim: resource type %s: name or endpoint %q is used twice or reserved", rt.Name, rt.Endpoint)
		}
		for _, e := range rt.Extensions {
			if e.Schema == nil || !strings.HasPrefix(strings.ToLower(e.Schema.ID), "urn:") {
				return nil, fmt.Errorf("scim: resource type %s: extension schema id must be a URN", rt.Name)
			}
			if err := e.Schema.Check(); err != nil {
				return nil, fmt.Errorf("scim: resource type %s: %w", rt.Name, err)
			}
		}
		if err := rt.Schema.Check(); err != nil {
			return nil, fmt.Errorf("scim: resource type %s: %w", rt.Name, err)
		}
		names[strings.ToLower(rt.Name)] = true
		t := &resourceType{ResourceType: rt, parser: filter.Parser{Schema: rt, Strict: cfg.StrictFilters}}
		for _, n := range noContent {
			if strings.EqualFold(n, rt.Name) {
				t.noContent = true
			}
		}
		t.catalog = catalogs[rt]
		if g := rt.Schema.Attr("groups"); g != nil && g.IsReadOnly() && g.MultiValued && g.Type == schema.Complex {
			t.groups = true
		}
		if strings.EqualFold(rt.Name, "Group") {
			h.groupType = t
		}
		h.types = append(h.types, t)
		h.byPath[ep] = t
	}
	return h, nil
}

// reserved are the endpoints of RFC 7644 §3.2 that resource types may not use.
var reserved = map[string]bool{
	"serviceproviderconfig": true, "resourcetypes": true, "schemas": true,
	".search": true, "bulk": true, "me": true,
}

const contentType = "application/scim+json; charset=utf-8"

// ServeHTTP routes a request. Paths are matched case-insensitively and a
// trailing slash is ignored; every answer, errors included, is
// application/scim+json. Request Content-Type and Accept headers are not
// required: identity providers often send none.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.route(w, r); err != nil {
		h.fail(w, r, err)
	}
}

// route serves r. It returns the error to answer instead of writing it, so
// that errors are written in one place (fail); a nil error means the answer
// was written.
func (h *Handler) route(w http.ResponseWriter, r *http.Request) error {
	p := strings.Trim(r.URL.Path, "/")
	first, rest, _ := strings.Cut(p, "/")
	if strings.Contains(rest, "/") {
		return notFound("no such endpoint: /" + p)
	}
	switch strings.ToLower(first) {
	case "serviceproviderconfig":
		if rest != "" {
			return notFound("no such endpoint: /" + p)
		}
		return h.discovery(w, r, h.serviceProviderConfig)
	case "resourcetypes":
		return h.discovery(w, r, func(r *http.Request) (any, error) { return h.resourceTypes(r, rest) })
	case "schemas":
		return h.discovery(w, r, func(r *http.Request) (any, error) { return h.schemas(r, rest) })
	case "bulk":
		if rest != "" {
			return notFound("no such endpoint: /" + p)
		}
		if h.bulkMaxOps < 0 {
			return &Error{Status: http.StatusNotImplemented, Detail: "bulk operations are not enabled"}
		}
		return h.serveBulk(w, r)
	case "me":
		return h.serveMe(w, r, rest)
	}
	if first == ".search" && rest == "" {
		if r.Method != http.MethodPost {
			return h.notAllowed(w, r, "POST")
		}
		return h.serveRootSearch(w, r)
	}
	rt := h.byPath[strings.ToLower(first)]
	if rt == nil {
		return notFound("no such endpoint: /" + p)
	}
	if rt.catalog != nil && r.Method != http.MethodGet && !(rest == ".search" && r.Method == http.MethodPost) {
		return h.notAllowed(w, r, "GET")
	}
	if rest == "" {
		switch r.Method {
		case http.MethodGet:
			return h.serveList(w, r, rt)
		case http.MethodPost:
			return h.serveCreate(w, r, rt)
		}
		return h.notAllowed(w, r, "GET, POST")
	}
	if rest == ".search" {
		if r.Method != http.MethodPost {
			return h.notAllowed(w, r, "POST")
		}
		return h.serveSearch(w, r, rt)
	}
	t := target{rt: rt, id: rest}
	switch r.Method {
	case http.MethodGet:
		return h.serveGet(w, r, t)
	case http.MethodPut:
		return h.serveReplace(w, r, t)
	case http.MethodPatch:
		return h.servePatch(w, r, t)
	case http.MethodDelete:
		return h.serveDelete(w, r, t)
	}
	return h.notAllowed(w, r, "GET, PUT, PATCH, DELETE")
}

func notFound(detail string) *Error {
	return &Error{Status: http.StatusNotFound, Detail: detail}
}

// notAllowed sets the Allow header and returns the 405 error to answer.
func (h *Handler) notAllowed(w http.ResponseWriter, r *http.Request, allow string) error {
	w.Header().Set("Allow", allow)
	return &Error{Status: http.StatusMethodNotAllowed, Detail: "method " + r.Method + " is not allowed here; allowed: " + allow}
}

// discovery serves a read-only discovery endpoint: GET only, answered 405
// before the body is read.
func (h *Handler) discovery(w http.ResponseWriter, r *http.Request, get func(*http.Request) (any, error)) error {
	if r.Method != http.MethodGet {
		return h.notAllowed(w, r, "GET")
	}
	v, err := get(r)
	if err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusOK, v)
	return nil
}

// fail writes err as a SCIM Error message and logs what the client does not
// see. It is the one place where the handler writes errors.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := h.logged(r.Context(), r.Method, r.URL.Path, err)
	h.writeJSON(w, r, e.Status, errorBodyOf(e))
}

// logged maps err to the *Error answered and logs what the client does not
// see: the cause of a 5xx at error level, of a 4xx at debug level.
func (h *Handler) logged(ctx context.Context, method, path string, err error) *Error {
	e := toError(err)
	if e.Status >= 500 {
		h.log.ErrorContext(ctx, "scim: request failed", "method", method, "path", path, "status", e.Status, "error", err)
	} else if e.Err != nil {
		h.log.DebugContext(ctx, "scim: client error", "method", method, "path", path, "status", e.Status, "error", err)
	}
	return e
}
