package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/scimkit/scimkit/scim/schema"
)

// readBody reads the whole request body, at most h.maxBody bytes.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return h.readBodyLimit(w, r, h.maxBody)
}

// readBodyLimit reads the whole request body, at most limit bytes.
func (h *Handler) readBodyLimit(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, bodyError(err)
	}
	return body, nil
}

// bodyError is the error of reading a request body: the
// *http.MaxBytesError as it is (413), anything else 400.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax, Detail: "cannot read request body", Err: err}
}

// bodyBuffers hold request bodies while they are decoded: the decoded
// object shares no memory with its body (schema.DecodeObject), so the
// buffer serves the next request.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readObject reads a request body that must be one JSON object. Numbers are
// kept as json.Number so integers and decimals stay distinct.
func (h *Handler) readObject(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 { // a rare large body does not stay in memory
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, h.maxBody)); err != nil {
		return nil, bodyError(err)
	}
	return decodeObject(buf.Bytes())
}

// decodeObject reads a request body that must be one JSON object, with
// schema.DecodeObject: it refuses, with 400 invalidSyntax, a body that is
// empty, not valid JSON, followed by more data, that repeats a member name in
// one object (where encoding/json would silently keep the last value, so a
// body could say one thing to a log or proxy and another to the store), that
// nests deeper than maxJSONDepth, or that is not an object.
func decodeObject(body []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax, Detail: "request body is empty; a JSON object is required"}
	}
	m, err := schema.DecodeObject(body, maxJSONDepth)
	if err == nil {
		return m, nil
	}
	var de *schema.DecodeError
	if !errors.As(err, &de) {
		return nil, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax, Detail: "request body is not valid JSON: " + err.Error(), Err: err}
	}
	e := &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax}
	off := itoa(de.Offset)
	switch de.Kind {
	case schema.DecodeEmpty:
		e.Detail = "request body is empty; a JSON object is required"
	case schema.DecodeTrailingData:
		e.Detail = "request body has data after the JSON object (offset " + off + ")"
	case schema.DecodeDuplicateMember:
		e.Detail = "request body repeats the member " + strconv.Quote(de.Member) + " in one object (offset " + off + ")"
	case schema.DecodeTooDeep:
		e.Detail = "request body nests deeper than " + strconv.Itoa(de.MaxDepth) + " levels (offset " + off + ")"
	case schema.DecodeNotObject:
		e.Detail = "request body must be a JSON object"
	default:
		e.Detail, e.Err = "request body is not valid JSON at offset "+off+": "+de.Msg, err
	}
	return nil, e
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeJSON writes v with status as application/scim+json.
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var b []byte
	var err error
	switch v := v.(type) {
	case resourceJSON:
		buf := responseBuffers.Get().(*[]byte)
		defer putResponseBuffer(buf, &b)
		b, err = v.AppendJSON((*buf)[:0])
	case listResponse:
		buf := responseBuffers.Get().(*[]byte)
		defer putResponseBuffer(buf, &b)
		b, err = appendList((*buf)[:0], v)
	default:
		b, err = json.Marshal(v)
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "scim: cannot encode response", "error", err)
		status = http.StatusInternalServerError
		b = []byte(`{"schemas":["` + schema.ErrorURN + `"],"status":"500","detail":"internal server error"}`)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// responseBuffers are the buffers responses are encoded into: a
// ResponseWriter does not keep what it is given to Write, so a buffer
// serves the next response once written.
var responseBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// putResponseBuffer returns *b, the grown buffer of buf, to the pool,
// unless it grew beyond 64 KiB (a rare large response should not stay
// in memory).
func putResponseBuffer(buf *[]byte, b *[]byte) {
	if cap(*b) > 64<<10 {
		return
	}
	*buf = (*b)[:0]
	responseBuffers.Put(buf)
}

// baseURL returns the absolute URL of the service root for r, without a
// trailing slash.
func (h *Handler) baseURL(r *http.Request) string {
	if h.cfg.BaseURL != "" {
		return strings.TrimRight(h.cfg.BaseURL, "/")
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if h.cfg.TrustForwardedHeaders {
		scheme, host = forwarded(r, scheme, host)
	}
	return scheme + "://" + host + mountPrefix(r)
}

// forwarded reads the scheme and host a proxy received the request with:
// the Forwarded header (RFC 7239; its first element), else
// X-Forwarded-Proto and X-Forwarded-Host. Values that are not a plain
// scheme or host are ignored.
func forwarded(r *http.Request, scheme, host string) (string, string) {
	proto, fhost := "", ""
	if f := r.Header.Get("Forwarded"); f != "" {
		first, _, _ := strings.Cut(f, ",")
		for _, pair := range strings.Split(first, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				continue
			}
			v = strings.Trim(v, `"`)
			switch strings.ToLower(k) {
			case "proto":
				proto = v
			case "host":
				fhost = v
			}
		}
	} else {
		proto, _, _ = strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
		fhost, _, _ = strings.Cut(r.Header.Get("X-Forwarded-Host"), ",")
	}
	if p := strings.ToLower(strings.TrimSpace(proto)); p == "http" || p == "https" {
		scheme = p
	}
	if hh := strings.TrimSpace(fhost); hh != "" && !strings.ContainsAny(hh, "/\\ @?#\"") {
		host = hh
	}
	return scheme, host
}

// mountPrefix is the part of the request path that a surrounding
// http.StripPrefix removed (e.g. "/scim/v2"), found by comparing the
// original request URI with the stripped path.
func mountPrefix(r *http.Request) string {
	orig := r.RequestURI
	if i := strings.IndexAny(orig, "?#"); i >= 0 {
		orig = orig[:i]
	}
	if strings.HasPrefix(orig, "http://") || strings.HasPrefix(orig, "https://") {
		if i := strings.Index(orig[8:], "/"); i >= 0 {
			orig = orig[8+i:]
		} else {
			orig = ""
		}
	}
	stripped := r.URL.EscapedPath()
	if strings.HasSuffix(orig, stripped) {
		return strings.TrimRight(orig[:len(orig)-len(stripped)], "/")
	}
	return ""
}

// maxJSONDepth bounds the nesting of request bodies. SCIM resources nest
// three levels deep (extension, complex, multi-valued); bulk requests add
// two more.
const maxJSONDepth = 32

// badValue finds a value that no store may receive in a decoded JSON
// value: a string or number longer than limit bytes, or a string holding a
// NUL character (which PostgreSQL cannot store in text and which no SCIM
// attribute needs). It returns the value's path (e.g. "emails[0].value") and
// what is wrong, or ok false.
func badValue(v any, limit int) (path, problem string, ok bool) {
	switch v := v.(type) {
	case string:
		if len(v) > limit {
			return "", "has a value longer than " + strconv.Itoa(limit) + " bytes", true
		}
		if strings.IndexByte(v, 0) >= 0 {
			return "", "has a value containing a NUL character (\\u0000)", true
		}
	case json.Number:
		if len(v) > limit {
			return "", "has a value longer than " + strconv.Itoa(limit) + " bytes", true
		}
	case map[string]any:
		for k, e := range v {
			if p, why, ok := badValue(e, limit); ok {
				if p == "" || p[0] == '[' {
					return k + p, why, true
				}
				return k + "." + p, why, true
			}
		}
	case []any:
		for i, e := range v {
			if p, why, ok := badValue(e, limit); ok {
				if p != "" && p[0] != '[' {
					p = "." + p
				}
				return "[" + strconv.Itoa(i) + "]" + p, why, true
			}
		}
	}
	return "", "", false
}

// checkValues answers a value that badValue finds with 400 invalidValue
// naming where it is. Every value written (POST, PUT, PATCH, over HTTP,
// /Bulk or the Go API) passes here before any store sees it, so every store
// answers such input alike.
func (h *Handler) checkValues(v any) error {
	if p, why, ok := badValue(v, h.maxValue); ok {
		if p == "" {
			p = "value"
		}
		return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue,
			Detail: "attribute " + strconv.Quote(p) + " " + why}
	}
	return nil
}
