package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/scimkit/scimkit/scim"
)

// The side-by-side benchmark: scimkit over this store against peer, a
// hand-written net/http + pgx service giving the same guarantees
// (case-insensitive unique userName answered with 409, one row per group
// member with a primary key and a reference check, the group's version
// bumped in the same statement, every attribute the client sent kept and
// returned), over the same HTTP surface (TestSideBySideSurface), each on a
// fresh database (a new schema) behind a real HTTP server on 127.0.0.1:
//
//   - post: POST /Users with Okta's usual body;
//   - lookup: GET /Users?filter=userName eq "…" among 1,000 users (and
//     1,000,000 with SCIMKIT_BENCH_LARGE=1), on a table that has never
//     been analysed (autovacuum off) and on an analysed one;
//   - patch: PATCH /Groups/{id} adding one existing user (Okta's shape).
//
// Each runs with 1 and with 8 concurrent clients; ns/op is the wall time
// per request, so the ratio of two ns/op is the inverse ratio of their
// request rates. Run it with
//
//	go test -run '^$' -bench SideBySide -benchtime 5000x -count 6 . | tee new.txt
//	benchstat -col /impl new.txt

// largeEnv names the environment variable that adds the lookup among
// 1,000,000 users to BenchmarkSideBySide (building them takes about a
// minute per implementation, once per process).
const largeEnv = "SCIMKIT_BENCH_LARGE"

// benchSchema creates a new, empty schema and returns a DSN whose
// connections use it, and a function dropping it.
func benchSchema(tb testing.TB) (string, func()) {
	tb.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		tb.Skip("set " + dsnEnv)
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	name := "bench_" + hex.EncodeToString(r[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + name); err != nil {
		tb.Fatal(err)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + name, func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + name + ` CASCADE`)
		admin.Close()
	}
}

// implementation is one side of the comparison over one fresh database.
type implementation interface {
	handler() http.Handler
	// loadUsers adds users user<i> with id u-<i>, i in [from, to), in
	// bulk, and group "g" when it does not exist.
	loadUsers(ctx context.Context, from, to int) error
	// db runs maintenance statements (ANALYZE, ALTER TABLE).
	exec(ctx context.Context, q string) error
	tables() []string
	close()
}

// scimkitImpl is scimkit's handler over this store.
type scimkitImpl struct {
	db *sql.DB
	s  *Store
	h  http.Handler
}

func newScimkitImpl(tb testing.TB, dsn string) implementation {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	s, err := New(db, Config{Dialect: Postgres})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	h, err := scim.NewHandler(scim.Config{Store: s})
	if err != nil {
		tb.Fatal(err)
	}
	return &scimkitImpl{db: db, s: s, h: h}
}

func (x *scimkitImpl) handler() http.Handler { return x.h }
func (x *scimkitImpl) close()                { x.db.Close() }
func (x *scimkitImpl) tables() []string {
	return []string{"scim_resources", "scim_members", "scim_unique"}
}

func (x *scimkitImpl) exec(ctx context.Context, q string) error {
	_, err := x.db.ExecContext(ctx, q)
	return err
}

// loadUsers writes the rows Create would write for the users (their
// strings are ASCII, so lower() is schema.Fold), in one statement.
func (x *scimkitImpl) loadUsers(ctx context.Context, from, to int) error {
	_, err := x.db.ExecContext(ctx, `INSERT INTO scim_resources (tenant, id, type, version, created, last_modified, attrs, attrs_key, external_id, name_key, display_key)
SELECT '', 'u-' || i, 'User', 1, now(), now(),
  jsonb_build_object('userName', 'user' || i, 'name', jsonb_build_object('givenName', 'Given' || i, 'familyName', 'Family'),
    'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work', 'primary', true)), 'active', i % 2 = 0, 'externalId', 'ext-' || i),
  jsonb_build_object('userName', 'user' || i, 'name', jsonb_build_object('givenName', 'given' || i, 'familyName', 'family'),
    'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work', 'primary', true)), 'active', i % 2 = 0, 'externalId', 'ext-' || i),
  'ext-' || i, 'user' || i, NULL
FROM generate_series($1::int, $2::int - 1) AS i`, from, to)
	if err != nil {
		return err
	}
	_, err = x.db.ExecContext(ctx, `INSERT INTO scim_resources (tenant, id, type, version, created, last_modified, attrs, attrs_key, display_key)
VALUES ('', 'g', 'Group', 1, now(), now(), '{"displayName":"Group"}', '{"displayName":"group"}', 'group') ON CONFLICT DO NOTHING`)
	return err
}

// peer is the hand-written service: net/http, pgx and three tables.
type peer struct {
	pool *pgxpool.Pool
	mux  *http.ServeMux
}

const peerSchema = `
CREATE TABLE users (
	id text PRIMARY KEY,
	user_name text NOT NULL,
	user_name_key text NOT NULL UNIQUE,
	external_id text,
	active boolean NOT NULL DEFAULT true,
	version bigint NOT NULL DEFAULT 1,
	created timestamptz NOT NULL DEFAULT now(),
	last_modified timestamptz NOT NULL DEFAULT now(),
	attrs jsonb NOT NULL
);
CREATE TABLE groups (
	id text PRIMARY KEY,
	display_name text NOT NULL,
	version bigint NOT NULL DEFAULT 1,
	created timestamptz NOT NULL DEFAULT now(),
	last_modified timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE group_members (
	group_id text NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
	user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);`

func newPeer(tb testing.TB, dsn string) implementation {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := pool.Exec(context.Background(), peerSchema); err != nil {
		tb.Fatal(err)
	}
	p := &peer{pool: pool, mux: http.NewServeMux()}
	p.mux.HandleFunc("POST /Users", p.createUser)
	p.mux.HandleFunc("GET /Users", p.listUsers)
	p.mux.HandleFunc("PATCH /Groups/{id}", p.patchGroup)
	return p
}

func (p *peer) handler() http.Handler { return p.mux }
func (p *peer) close()                { p.pool.Close() }
func (p *peer) tables() []string      { return []string{"users", "groups", "group_members"} }

func (p *peer) exec(ctx context.Context, q string) error {
	_, err := p.pool.Exec(ctx, q)
	return err
}

func (p *peer) loadUsers(ctx context.Context, from, to int) error {
	_, err := p.pool.Exec(ctx, `INSERT INTO users (id, user_name, user_name_key, external_id, active, attrs)
SELECT 'u-' || i, 'user' || i, 'user' || i, 'ext-' || i, i % 2 = 0,
  jsonb_build_object('name', jsonb_build_object('givenName', 'Given' || i, 'familyName', 'Family'),
    'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work', 'primary', true)))
FROM generate_series($1::int, $2::int - 1) AS i`, from, to)
	if err != nil {
		return err
	}
	_, err = p.pool.Exec(ctx, `INSERT INTO groups (id, display_name) VALUES ('g', 'Group') ON CONFLICT DO NOTHING`)
	return err
}

// peerUser is a User as the peer returns it: its columns, and every other
// attribute the client sent, kept as sent in the attrs column (so that the
// peer, like a real service, loses none of Okta's attributes: displayName,
// locale, custom ones).
type peerUser struct {
	attrs      map[string]json.RawMessage
	ID         string
	ExternalID *string
	UserName   string
	Active     bool
	Meta       peerMeta
}

// peerColumns are the members of a User body the peer keeps in columns or
// assigns itself, not in attrs.
var peerColumns = []string{"schemas", "id", "externalId", "userName", "active", "meta"}

// appendJSON appends u as JSON: its columns, then the stored attributes
// spliced in as they are.
func (u *peerUser) appendJSON(b []byte) []byte {
	b = append(b, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":`...)
	b = appendPeerString(b, u.ID)
	b = append(b, `,"userName":`...)
	b = appendPeerString(b, u.UserName)
	if u.ExternalID != nil {
		b = append(b, `,"externalId":`...)
		b = appendPeerString(b, *u.ExternalID)
	}
	b = append(b, `,"active":`...)
	b = strconv.AppendBool(b, u.Active)
	meta, _ := json.Marshal(&u.Meta)
	b = append(append(b, `,"meta":`...), meta...)
	for k, v := range u.attrs {
		b = append(appendPeerString(append(b, ','), k), ':')
		b = append(b, v...)
	}
	return append(b, '}')
}

func appendPeerString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

type peerMeta struct {
	ResourceType string    `json:"resourceType"`
	Created      time.Time `json:"created"`
	LastModified time.Time `json:"lastModified"`
	Version      string    `json:"version"`
	Location     string    `json:"location"`
}

func peerError(w http.ResponseWriter, status int, scimType, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status": strconv.Itoa(status), "scimType": scimType, "detail": detail})
}

func peerJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (p *peer) createUser(w http.ResponseWriter, r *http.Request) {
	u := &peerUser{Active: true}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&u.attrs); err != nil {
		peerError(w, http.StatusBadRequest, "invalidSyntax", err.Error())
		return
	}
	for _, f := range []struct {
		name string
		to   any
	}{{"userName", &u.UserName}, {"externalId", &u.ExternalID}, {"active", &u.Active}} {
		if v, ok := u.attrs[f.name]; ok {
			if err := json.Unmarshal(v, f.to); err != nil {
				peerError(w, http.StatusBadRequest, "invalidValue", f.name+": "+err.Error())
				return
			}
		}
	}
	if u.UserName == "" {
		peerError(w, http.StatusBadRequest, "invalidValue", "userName is required")
		return
	}
	for _, k := range peerColumns {
		delete(u.attrs, k)
	}
	attrs, _ := json.Marshal(u.attrs)
	u.ID = newUUID()
	u.Meta = peerMeta{ResourceType: "User", Version: "1", Location: "/Users/" + u.ID}
	err := p.pool.QueryRow(r.Context(), `INSERT INTO users (id, user_name, user_name_key, external_id, active, attrs) VALUES ($1, $2, $3, $4, $5, $6) RETURNING created`,
		u.ID, u.UserName, strings.ToLower(u.UserName), u.ExternalID, u.Active, attrs).Scan(&u.Meta.Created)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		peerError(w, http.StatusConflict, "uniqueness", "userName is taken")
		return
	}
	if err != nil {
		peerError(w, http.StatusInternalServerError, "", err.Error())
		return
	}
	u.Meta.LastModified = u.Meta.Created
	peerJSON(w, http.StatusCreated, u.appendJSON(nil))
}

func (p *peer) listUsers(w http.ResponseWriter, r *http.Request) {
	f := r.URL.Query().Get("filter")
	name, pre := strings.CutPrefix(f, `userName eq "`)
	name, suf := strings.CutSuffix(name, `"`)
	if !pre || !suf || strings.ContainsAny(name, `"\`) {
		peerError(w, http.StatusBadRequest, "invalidFilter", "only userName eq is supported")
		return
	}
	rows, err := p.pool.Query(r.Context(), `SELECT id, user_name, external_id, active, version, created, last_modified, attrs FROM users WHERE user_name_key = $1`, strings.ToLower(name))
	if err != nil {
		peerError(w, http.StatusInternalServerError, "", err.Error())
		return
	}
	var found []*peerUser
	for rows.Next() {
		var (
			u       = &peerUser{Meta: peerMeta{ResourceType: "User"}}
			version int64
		)
		if err := rows.Scan(&u.ID, &u.UserName, &u.ExternalID, &u.Active, &version, &u.Meta.Created, &u.Meta.LastModified, &u.attrs); err != nil {
			rows.Close()
			peerError(w, http.StatusInternalServerError, "", err.Error())
			return
		}
		u.Meta.Version = strconv.FormatInt(version, 10)
		u.Meta.Location = "/Users/" + u.ID
		found = append(found, u)
	}
	if err := rows.Err(); err != nil {
		peerError(w, http.StatusInternalServerError, "", err.Error())
		return
	}
	n := strconv.Itoa(len(found))
	b := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":` + n + `,"startIndex":1,"itemsPerPage":` + n + `,"Resources":[`)
	for i, u := range found {
		if i > 0 {
			b = append(b, ',')
		}
		b = u.appendJSON(b)
	}
	peerJSON(w, http.StatusOK, append(b, "]}"...))
}

type peerPatch struct {
	Operations []struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value []struct {
			Value string `json:"value"`
		} `json:"value"`
	} `json:"Operations"`
}

func (p *peer) patchGroup(w http.ResponseWriter, r *http.Request) {
	var body peerPatch
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		peerError(w, http.StatusBadRequest, "invalidSyntax", err.Error())
		return
	}
	var add []string
	for _, op := range body.Operations {
		if !strings.EqualFold(op.Op, "add") || op.Path != "members" {
			peerError(w, http.StatusBadRequest, "invalidPath", "only adding members is supported")
			return
		}
		for _, v := range op.Value {
			add = append(add, v.Value)
		}
	}
	var found int
	err := p.pool.QueryRow(r.Context(), `WITH g AS (
	UPDATE groups SET version = version + 1, last_modified = now() WHERE id = $1 RETURNING id
), ins AS (
	INSERT INTO group_members (group_id, user_id) SELECT g.id, u FROM g, unnest($2::text[]) AS u ON CONFLICT DO NOTHING
)
SELECT count(*) FROM g`, r.PathValue("id"), add).Scan(&found)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		peerError(w, http.StatusBadRequest, "invalidValue", "members: a value names no user")
		return
	}
	if err != nil {
		peerError(w, http.StatusInternalServerError, "", err.Error())
		return
	}
	if found == 0 {
		peerError(w, http.StatusNotFound, "", "no such group")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// largeSets keeps the implementations holding 1,000,000 users, built once
// per process: by implementation name and table state.
var (
	largeMu   sync.Mutex
	largeSets = map[string]implementation{}
	// largeDrops drop the schemas of largeSets (about 400 MB each).
	largeDrops []func()
)

// drive sends b.N requests to srv from clients concurrent clients; req
// builds request i.
func drive(b *testing.B, srv *httptest.Server, clients int, req func(i int) (*http.Request, int)) {
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var (
		next   atomic.Int64
		failed atomic.Pointer[string]
		wg     sync.WaitGroup
	)
	b.ResetTimer()
	for range clients {
		wg.Go(func() {
			// The body is read into a buffer each client reuses, so that
			// reading costs the driver (which shares the machine with the
			// servers) about the same whatever the response's size.
			var body bytes.Buffer
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N || failed.Load() != nil {
					return
				}
				r, want := req(i)
				resp, err := client.Do(r)
				if err != nil {
					msg := err.Error()
					failed.Store(&msg)
					return
				}
				body.Reset()
				_, _ = body.ReadFrom(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want {
					msg := fmt.Sprintf("%s %s: %d %s", r.Method, r.URL, resp.StatusCode, body.Bytes())
					failed.Store(&msg)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if m := failed.Load(); m != nil {
		b.Fatal(*m)
	}
}

var impls = []struct {
	name string
	new  func(testing.TB, string) implementation
}{{"scimkit", newScimkitImpl}, {"peer", newPeer}}

// fresh returns an implementation over a new schema holding users users,
// its tables never analysed unless analyse.
func fresh(b *testing.B, newImpl func(testing.TB, string) implementation, users int, analyse bool) implementation {
	dsn, drop := benchSchema(b)
	x := newImpl(b, dsn)
	b.Cleanup(func() { x.close(); drop() })
	prepare(b, x, users, analyse)
	return x
}

func prepare(b *testing.B, x implementation, users int, analyse bool) {
	ctx := context.Background()
	for _, t := range x.tables() {
		if err := x.exec(ctx, `ALTER TABLE `+t+` SET (autovacuum_enabled = off)`); err != nil {
			b.Fatal(err)
		}
	}
	if err := x.loadUsers(ctx, 0, users); err != nil {
		b.Fatal(err)
	}
	if analyse {
		if err := x.exec(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
}

// large returns the implementation holding 1,000,000 users in the given
// state, building it on first use.
func large(b *testing.B, name string, newImpl func(testing.TB, string) implementation, analyse bool) implementation {
	largeMu.Lock()
	defer largeMu.Unlock()
	key := name + "/" + strconv.FormatBool(analyse)
	if x := largeSets[key]; x != nil {
		return x
	}
	dsn, drop := benchSchema(b) // kept for the process; TestMain drops it
	x := newImpl(b, dsn)
	largeDrops = append(largeDrops, func() { x.close(); drop() })
	start := time.Now()
	prepare(b, x, 1_000_000, analyse)
	// Write the build's dirty pages out now, so that the checkpointer
	// does not do it while the next benchmark, of either implementation,
	// measures. A checkpoint leaves the tables' statistics as they are.
	if err := x.exec(context.Background(), `CHECKPOINT`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: built 1,000,000 users in %v", key, time.Since(start).Round(time.Second))
	largeSets[key] = x
	return x
}

// userBody is Okta's usual POST /Users body; its format verbs take an index, a
// run's prefix, and the index twice more.
const userBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new%d-%s@example.com","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"new%d@example.com","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00u%d","active":true}`

// TestSideBySideSurface checks that the two implementations answer the
// benchmark's requests alike: the user POST creates, and the userName
// lookup finds, with the same attributes (id and meta aside, whose values
// differ), so neither does less work by returning or keeping less.
func TestSideBySideSurface(t *testing.T) {
	answers := map[string][]map[string]any{}
	for _, im := range impls {
		dsn, drop := benchSchema(t)
		x := im.new(t, dsn)
		t.Cleanup(func() { x.close(); drop() })
		srv := httptest.NewServer(x.handler())
		t.Cleanup(srv.Close)
		call := func(method, path, body string, want int) map[string]any {
			t.Helper()
			r, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Content-Type", "application/scim+json")
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var m map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != want {
				t.Fatalf("%s: %s %s: %d, %v (%v)", im.name, method, path, resp.StatusCode, m, err)
			}
			return m
		}
		created := call(http.MethodPost, "/Users", fmt.Sprintf(userBody, 1, "surface", 1, 1), http.StatusCreated)
		list := call(http.MethodGet, "/Users?filter="+url.QueryEscape(`userName eq "NEW1-SURFACE@example.com"`), "", http.StatusOK)
		found, _ := list["Resources"].([]any)
		if len(found) != 1 {
			t.Fatalf("%s: the lookup found %v", im.name, list)
		}
		for _, m := range []map[string]any{created, found[0].(map[string]any)} {
			if m["id"] == nil || m["meta"] == nil {
				t.Errorf("%s: no id or meta in %v", im.name, m)
			}
			delete(m, "id")
			delete(m, "meta")
			answers[im.name] = append(answers[im.name], m)
		}
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(fmt.Sprintf(userBody, 1, "surface", 1, 1)), &sent); err != nil {
		t.Fatal(err)
	}
	for name, got := range answers {
		for i, m := range got {
			if diff := cmp.Diff(sent, m); diff != "" {
				t.Errorf("%s: answer %d is not what was sent (-sent +answer):\n%s", name, i, diff)
			}
		}
	}
}

func BenchmarkSideBySide(b *testing.B) {
	sizes := []int{1_000}
	if os.Getenv(largeEnv) != "" {
		sizes = append(sizes, 1_000_000)
	}
	clients := []int{1, 8}
	b.Run("phase=post", func(b *testing.B) {
		for _, c := range clients {
			for _, im := range impls {
				b.Run(fmt.Sprintf("c=%d/impl=%s", c, im.name), func(b *testing.B) {
					x := fresh(b, im.new, 0, false)
					srv := httptest.NewServer(x.handler())
					defer srv.Close()
					run := newUUID()[:8]
					drive(b, srv, c, func(i int) (*http.Request, int) {
						r, _ := http.NewRequest(http.MethodPost, srv.URL+"/Users", strings.NewReader(fmt.Sprintf(userBody, i, run, i, i)))
						r.Header.Set("Content-Type", "application/scim+json")
						return r, http.StatusCreated
					})
				})
			}
		}
	})
	b.Run("phase=lookup", func(b *testing.B) {
		for _, n := range sizes {
			for _, stats := range []string{"fresh", "analysed"} {
				for _, c := range clients {
					for _, im := range impls {
						b.Run(fmt.Sprintf("users=%d/stats=%s/c=%d/impl=%s", n, stats, c, im.name), func(b *testing.B) {
							var x implementation
							if n >= 1_000_000 {
								x = large(b, im.name, im.new, stats == "analysed")
							} else {
								x = fresh(b, im.new, n, stats == "analysed")
							}
							srv := httptest.NewServer(x.handler())
							defer srv.Close()
							drive(b, srv, c, func(i int) (*http.Request, int) {
								k := (i * 7919) % n
								r, _ := http.NewRequest(http.MethodGet, srv.URL+"/Users?filter="+url.QueryEscape(`userName eq "USER`+strconv.Itoa(k)+`"`), nil)
								return r, http.StatusOK
							})
						})
					}
				}
			}
		}
	})
	b.Run("phase=patch", func(b *testing.B) {
		for _, c := range clients {
			for _, im := range impls {
				b.Run(fmt.Sprintf("c=%d/impl=%s", c, im.name), func(b *testing.B) {
					const pool = 20_000
					x := fresh(b, im.new, pool, false)
					srv := httptest.NewServer(x.handler())
					defer srv.Close()
					drive(b, srv, c, func(i int) (*http.Request, int) {
						k := i % pool
						body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
							`{"op":"add","path":"members","value":[{"value":"u-` + strconv.Itoa(k) + `","display":"user` + strconv.Itoa(k) + `@example.com"}]}]}`
						r, _ := http.NewRequest(http.MethodPatch, srv.URL+"/Groups/g", strings.NewReader(body))
						r.Header.Set("Content-Type", "application/scim+json")
						return r, http.StatusNoContent
					})
				})
			}
		}
	})
}

// TestMain drops the schemas the benchmarks kept for the process.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, drop := range largeDrops {
		drop()
	}
	os.Exit(code)
}
