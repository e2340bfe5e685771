// Package demo holds the parts the example hosts share and that are not
// about SCIM itself: the demo custom extension, a stand-in for the host
// application's role assignment, request logging, token generation and
// serving until SIGINT or SIGTERM. Read the examples for how scimkit is
// wired; read this package only if you are curious.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
)

// AcmeURN is the demo custom extension: Okta sends custom attributes nested
// under the namespace URN chosen in its Profile Editor.
const AcmeURN = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

// AcmeExtension defines the demo custom attributes: costCenter (string),
// badgeNumber (integer) and isContractor (boolean).
func AcmeExtension() *schema.Schema {
	return &schema.Schema{
		ID: AcmeURN, Name: "AcmeUser", Description: "Acme custom user attributes",
		Attributes: []*schema.Attribute{
			{Name: "costCenter", Type: schema.String, Description: "Cost center code"},
			{Name: "badgeNumber", Type: schema.Integer, Description: "Building badge number"},
			{Name: "isContractor", Type: schema.Boolean, Description: "Whether the user is a contractor"},
		},
	}
}

// ResourceTypes are the examples' resource types: User with the Enterprise
// User and acme extensions, and Group.
func ResourceTypes() []*schema.ResourceType {
	return []*schema.ResourceType{
		schema.UserResourceType(schema.EnterpriseUserSchema(), AcmeExtension()),
		schema.GroupResourceType(),
	}
}

// The app's roles. Every user has one: "admin" when an identity provider
// (or the app's settings page) granted it, otherwise the default "member".
const (
	RoleMember = "member"
	RoleAdmin  = "admin"
)

// RoleCatalog declares the app's roles to identity providers (see
// scim.Catalog): Okta Identity Governance discovers them at /Roles and
// grants them in users' "roles"; Entra ID app roles whose values are
// "member" and "admin" (any case) arrive there too.
func RoleCatalog() scim.Catalog {
	entries := []scim.CatalogEntry{
		{ID: RoleMember, DisplayName: "Member", Description: "Uses the app"},
		{ID: RoleAdmin, DisplayName: "Administrator", Description: "Manages the app's settings and users"},
	}
	return scim.Catalog{Name: "Role", Endpoint: "/Roles", Description: "The app's roles",
		Entries: func(context.Context) ([]scim.CatalogEntry, error) { return entries, nil }}
}

// App stands for the host application: it keeps the role of each user and
// logs what provisioning does.
type App struct {
	mu       sync.Mutex
	roles    map[string]string // user id -> role
	sessions map[string]int    // user id -> open sessions
	log      *slog.Logger
}

// NewApp returns an App logging to logger.
func NewApp(logger *slog.Logger) *App {
	return &App{roles: map[string]string{}, sessions: map[string]int{}, log: logger}
}

// OpenSession opens a session of the user with that id (a login).
func (a *App) OpenSession(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sessions[id]++
}

// Sessions returns the number of open sessions of the user with that id.
func (a *App) Sessions(id string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessions[id]
}

// EndSessions ends every session of the user with that id.
func (a *App) EndSessions(ctx context.Context, id string) {
	a.mu.Lock()
	n := a.sessions[id]
	delete(a.sessions, id)
	a.mu.Unlock()
	a.log.InfoContext(ctx, "ended sessions", "user", id, "sessions", n)
}

// Role returns the role of the user with that id, or "".
func (a *App) Role(id string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.roles[id]
}

// OnChange is the provisioning hook (scim.Config.OnChange). A created user
// gets the "admin" role when it was granted, otherwise the default
// "member"; a later grant of "admin" makes the user an administrator and
// its revocation (Okta's full-set PUT without it, Entra's assertive
// replace) makes them a member again; deleted users lose their role.
// Deactivations, reactivations and membership changes are logged; any
// other change to a user is logged as an update, whether or not the user
// is active.
func (a *App) OnChange(ctx context.Context, c scim.Change) {
	if c.Type != "User" {
		if c.Type == "Group" && (len(c.MembersAdded) > 0 || len(c.MembersRemoved) > 0) {
			a.log.InfoContext(ctx, "group membership changed", "group", c.ID, "added", len(c.MembersAdded), "removed", len(c.MembersRemoved))
		}
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	role := ""
	switch {
	case c.Kind == scim.Deleted:
		delete(a.roles, c.ID)
		a.log.InfoContext(ctx, "removed user", "user", c.ID)
		return
	case holds(c.Granted, RoleAdmin):
		role = RoleAdmin
	case c.Kind == scim.Created || holds(c.Revoked, RoleAdmin):
		role = RoleMember
	}
	if role != "" && a.roles[c.ID] != role {
		a.roles[c.ID] = role
		a.log.InfoContext(ctx, "assigned role", "user", c.ID, "role", role)
	}
	if c.Kind == scim.Created {
		return
	}
	u, err := c.Resource.User()
	switch {
	case err != nil:
		a.log.WarnContext(ctx, "unreadable user", "user", c.ID, "err", err)
	case slices.Contains(c.Changed, "active") && !u.IsActive():
		a.log.InfoContext(ctx, "user deactivated", "user", c.ID)
	case slices.Contains(c.Changed, "active"):
		a.log.InfoContext(ctx, "user reactivated", "user", c.ID)
	default:
		a.log.InfoContext(ctx, "user updated", "user", c.ID, "changed", c.Changed)
	}
}

// holds reports whether grants hold the role.
func holds(grants []scim.Grant, role string) bool {
	for _, g := range grants {
		if g.Attribute == "roles" && g.Value == role {
			return true
		}
	}
	return false
}

// statusRecorder remembers the status code written.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// LogRequests logs method, path, query (see RedactQuery), status and
// duration of each request; never the Authorization header. It is cheap
// (about 3µs a request with a text handler, BenchmarkLogRequests): the
// attributes are typed (no boxing), the query is redacted by a scan
// instead of regular expressions, and nothing is done when the logger
// drops Info.
func LogRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if !logger.Enabled(ctx, slog.LevelInfo) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("query", RedactQuery(r.URL.RawQuery)), slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start).Round(time.Microsecond)), slog.String("agent", r.UserAgent()))
	})
}

// secretWords are the parts of query parameter names that carry
// credentials; "sig" must be the whole name.
var secretWords = []string{"token", "secret", "password", "passwd", "key", "code", "signature", "auth", "session", "cookie"}

// secretParam reports whether a query parameter named name carries
// credentials (case-insensitively).
func secretParam(name string) bool {
	lower := strings.ToLower(name)
	if lower == "sig" {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// filterOps are the comparison operators whose unquoted operand
// redactFilter hides.
var filterOps = []string{"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}

// redactFilter replaces the compared values of a filter by "…": quoted
// strings (escapes included) become "…", and the unquoted literal after an
// operator (a run of characters other than white space, quotes,
// parentheses and brackets, as identity providers send them) becomes ….
func redactFilter(f string) string {
	var b strings.Builder
	b.Grow(len(f))
	for i := 0; i < len(f); {
		c := f[i]
		if c == '"' {
			j := i + 1
			for j < len(f) && f[j] != '"' {
				if f[j] == '\\' && j+1 < len(f) {
					j++
				}
				j++
			}
			if j >= len(f) { // unterminated: the quote is kept
				b.WriteByte(c)
				i++
				continue
			}
			b.WriteString(`"…"`)
			i = j + 1
			continue
		}
		if isWordByte(c) && (i == 0 || !isWordByte(f[i-1])) && i+2 < len(f) && isSpace(f[i+2]) && slices.Contains(filterOps, strings.ToLower(f[i:i+2])) {
			j := i + 2
			for j < len(f) && isSpace(f[j]) {
				j++
			}
			k := j
			for k < len(f) && !isSpace(f[k]) && !strings.ContainsRune(`"()[]`, rune(f[k])) {
				k++
			}
			if k > j {
				b.WriteString(f[i:j])
				b.WriteString("…")
				i = k
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// RedactQuery returns a query string fit for a log: the values of
// parameters named like credentials (access_token, api_key, …) are
// replaced by "REDACTED", and the compared values inside filter parameters
// by "…" (a filter names userNames and can probe for secrets), so that the
// log keeps what was asked without holding personal data or keys.
func RedactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "(unparsable query)"
	}
	for name, vs := range q {
		for i, v := range vs {
			switch {
			case secretParam(name):
				vs[i] = "REDACTED"
			case strings.EqualFold(name, "filter"):
				vs[i] = redactFilter(v)
			}
		}
	}
	return q.Encode()
}

// NewToken returns a random bearer token (32 bytes, base64url).
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Serve listens on addr, calls listening with the address it got, and
// serves h until SIGINT or SIGTERM, then shuts down cleanly.
func Serve(addr string, h http.Handler, logger *slog.Logger, listening func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	listening(ln.Addr())
	// Timeouts bound how long a slow client holds a connection: headers
	// in 10 s, the whole request (body included) in 30 s.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
