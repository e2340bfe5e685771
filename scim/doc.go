// Package scim turns a Go web application into a SCIM 2.0 service provider
// (RFC 7643, RFC 7644), so that identity providers such as Okta, Microsoft
// Entra ID, OneLogin and JumpCloud can create, update, deactivate and delete
// its users and push its groups.
//
// A host creates a Handler with NewHandler, giving it a store.Store (its own
// persistence, or store.NewMemory), and mounts it under a prefix:
//
//	h, err := scim.NewHandler(scim.Config{Store: store.NewMemory()})
//	if err != nil { ... }
//	auth := scim.NewBearerAuth(os.Getenv("SCIM_TOKEN"))
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth.Wrap(h)))
//
// # What it serves
//
// For each resource type (by default /Users, with the Enterprise User
// extension, and /Groups):
//
//	GET    /Users              list: filter, startIndex, count, sortBy, sortOrder,
//	                           attributes, excludedAttributes, cursor (RFC 9865)
//	POST   /Users              create: 201, Location, ETag and the stored resource
//	POST   /Users/.search      list with the parameters in a SearchRequest body
//	GET    /Users/{id}         read; If-None-Match answers 304
//	PUT    /Users/{id}         replace; If-Match answers 412 on a stale version
//	PATCH  /Users/{id}         RFC 7644 §3.5.2 operations, in every IdP dialect
//	DELETE /Users/{id}         204
//
// and at the service root:
//
//	POST   /.search                       search across every resource type
//	POST   /Bulk                          RFC 7644 §3.7, with bulkId references
//	GET    /Me (PUT, PATCH, DELETE)       the caller's own resource, via Config.Me
//	GET    /ServiceProviderConfig         derived from the configuration and the store
//	GET    /ResourceTypes[/{name}]
//	GET    /Schemas[/{id}]
//
// Discovery endpoints answer any other method with 405, before the body is
// read. Paths are case-insensitive, a trailing slash is ignored, query
// parameter names are case-insensitive and decoded with form rules ("+" is a
// space). Requests need no Content-Type or Accept header; every response,
// errors included, is application/scim+json, and every error is a SCIM Error
// message with status, scimType where RFC 7644 §3.12 defines one, and a
// detail naming the attribute or position at fault.
//
// # The Go API
//
// Everything the endpoints do to resources is also a method of Handler,
// without HTTP, so that a host's own code (its settings page creating an
// administrator, an import, a background job) goes through the same
// validation, uniqueness, immutability, member references, If-Match rules,
// retries, membership deltas and OnChange reports as its identity provider:
//
//	Create(ctx, "User", data)            POST /Users
//	Get(ctx, "User", id)                 GET /Users/{id}
//	Replace(ctx, "User", id, data, ifMatch)   PUT /Users/{id}
//	Patch(ctx, "User", id, ops, ifMatch)      PATCH /Users/{id}
//	Delete(ctx, "User", id, ifMatch)          DELETE /Users/{id}
//	List(ctx, "User", SearchRequest{...})     GET /Users, POST /Users/.search
//	Search(ctx, SearchRequest{...})           POST /.search
//
// The endpoints, /Bulk and /Me are thin adapters over these operations:
// they decode the request, call the operation and encode its result. The
// context carries what the host's middleware would put there (the tenant).
// Results are resources as a client is returned them (no password); errors
// are *Error values with the status, scimType and detail the same input gets
// over HTTP.
//
// # What the host provides
//
//   - A store.Store. It receives the request context, so a multi-tenant host
//     scopes every call by the tenant its middleware put there. Optional
//     capabilities make it faster and add features, each with a fallback:
//     store.MemberPatcher (membership changes as deltas),
//     store.FilterSplitter (filters partly pushed down, the rest evaluated
//     here) and store.CursorLister (cursor pagination).
//   - Authentication: the Handler authenticates nothing. BearerAuth is a
//     ready middleware for the API-key-as-bearer-token set-up of Okta and
//     Entra ID; any other middleware works too.
//   - Optionally Config.OnChange, to react to provisioning: give a
//     SCIM-created user the default role, end a deactivated user's sessions.
//
// # Concurrency
//
// A PATCH or PUT without If-Match that races another write to the same
// resource is re-read and re-applied (bounded retries), so concurrent
// membership pushes lose nothing; with If-Match it is answered 412 instead.
// Membership-only PATCHes go to store.MemberPatcher when the store has it,
// and then cost the same for a group of ten members or a hundred thousand.
//
// # Identity provider dialects
//
// Input is read leniently and output written strictly: attribute names in any
// case, "True"/"False" strings for booleans, path-less PATCH values with
// dotted and URN-qualified keys, Entra ID's member removal by value list,
// Okta's resource id inside PATCH values, the manager as a plain string,
// unquoted filter literals, unknown schema URNs, member "type" labels that
// disagree with what the id names (corrected). Unknown attributes are
// ignored and logged at debug level, or refused with 400 invalidSyntax when
// Config.RejectUndefinedAttributes is set. User.groups is computed from
// group memberships (RFC 7643 §4.1.2), never written. A user returned with
// groups (in at least one group, with a projection that includes them)
// has the version "<its version>.g<digest of its groups>" as ETag and
// meta.version, so a change to its groups changes what If-None-Match
// compares (RFC 7644 §3.14) without a write to the user; other users, and
// projections without groups, have the user's own version. If-Match
// compares only the version before ".g" and its 16-character digest with
// the user's version, the digest not at all: groups are read-only, so a
// write based on a copy with stale groups loses no change to them.
//
// # Security considerations
//
// Request bodies are bounded (Config.MaxBodyBytes, 413 beyond), and so are
// JSON nesting, PATCH operations (Config.MaxPatchOperations), bulk requests
// (Config.BulkMaxOperations, Config.BulkMaxPayloadBytes), list pages
// (Config.MaxResults), filters (length, nesting, 50 attribute expressions)
// and the resources a partly pushed-down filter makes the handler evaluate
// (Config.MaxFilterCandidates, 400 tooMany beyond). A JSON object that
// repeats a member name is refused rather than read two ways. Values no
// store can hold (a NUL character, over-long strings and numbers) and ids
// that can name nothing are answered before any store is called. Cursors
// are sealed with an HMAC (Config.CursorKey) and expire. See SECURITY.md.
// Errors the handler does not recognise are answered 500 with a generic
// detail; their text goes only to Config.Logger. A password is handed to
// Config.HashPassword and the store keeps only its result (or nothing when
// the hook is nil); it is never returned. The host must serve the handler
// over TLS, authenticate every request, and rate-limit (scim/ratelimit; a
// 429 with Retry-After is understood by Okta and Entra ID).
package scim
