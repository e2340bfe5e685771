package scim

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// bulkOp is one operation of a BulkRequest (RFC 7644 §3.7).
type bulkOp struct {
	Method  string          `json:"method"`
	BulkID  string          `json:"bulkId,omitempty"`
	Version string          `json:"version,omitempty"`
	Path    string          `json:"path"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// bulkResult is one operation of a BulkResponse.
type bulkResult struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId,omitempty"`
	Version  string          `json:"version,omitempty"`
	Location string          `json:"location,omitempty"`
	Status   string          `json:"status"`
	Response json.RawMessage `json:"response,omitempty"`
}

// bulkRef finds "bulkId:<id>" references inside JSON string values.
var bulkRef = regexp.MustCompile(`"bulkId:([^"\\]+)"`)

// bulk answers POST /Bulk (RFC 7644 §3.7). Each operation is served by the
// handler itself, exactly as the same request on its own would be, with
// the bulk request's context (tenant, principal). Operations run in request
// order, except that one whose data references "bulkId:X" waits until the
// operation with bulkId X has created its resource; references that can
// never resolve (unknown, failed, or circular) fail that operation with
// 409. A bulkId that several POST operations declare is ambiguous: each of
// them fails with 400. A request without Operations is 400. failOnErrors
// stops after that many failures; operations not attempted are left out of
// the response.
func (h *Handler) serveBulk(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodPost {
		return h.notAllowed(w, r, "POST")
	}
	if r.ContentLength > h.bulkMaxPayload {
		return &Error{Status: http.StatusRequestEntityTooLarge, Detail: "bulk request exceeds maxPayloadSize of " + strconv.FormatInt(h.bulkMaxPayload, 10) + " bytes"}
	}
	body, err := h.readBodyLimit(w, r, h.bulkMaxPayload)
	if err != nil {
		return err
	}
	obj, err := decodeObject(body)
	if err != nil {
		return err
	}
	var ops []bulkOp
	hasOps := false
	failOnErrors := 0
	for k, v := range obj {
		switch strings.ToLower(k) {
		case "operations":
			if _, ok := v.([]any); !ok {
				return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax, Detail: "Operations must be an array of bulk operations"}
			}
			raw, _ := json.Marshal(v)
			if err := json.Unmarshal(raw, &ops); err != nil {
				return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax, Detail: "Operations must be an array of bulk operations: " + err.Error()}
			}
			hasOps = true
		case "failonerrors":
			if v == nil {
				continue
			}
			n, ok := v.(json.Number)
			i, err := n.Int64()
			if !ok || err != nil || i < 0 {
				return badParam("failOnErrors must be a non-negative integer")
			}
			failOnErrors = int(min(i, math.MaxInt32))
		}
	}
	if !hasOps {
		return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax, Detail: "a BulkRequest needs Operations (RFC 7644 §3.7)"}
	}
	if len(ops) > h.bulkMaxOps {
		return &Error{Status: http.StatusRequestEntityTooLarge, Detail: "bulk request has " + strconv.Itoa(len(ops)) + " operations; maxOperations is " + strconv.Itoa(h.bulkMaxOps)}
	}
	results := make([]*bulkResult, len(ops))
	ids := map[string]string{}   // bulkId -> created resource id
	failed := map[string]bool{}  // bulkIds whose operation failed
	declared := map[string]int{} // bulkId -> number of POST operations declaring it
	for _, op := range ops {
		if op.BulkID != "" && strings.EqualFold(op.Method, http.MethodPost) {
			declared[op.BulkID]++
		}
	}
	errorsSeen := 0
	// A bulkId declared by several POSTs is ambiguous: none of them runs,
	// and references to it fail.
	for i, op := range ops {
		if op.BulkID != "" && strings.EqualFold(op.Method, http.MethodPost) && declared[op.BulkID] > 1 {
			results[i] = bulkError(op, http.StatusBadRequest, schema.ScimInvalidValue, "bulkId "+strconv.Quote(op.BulkID)+" is used by more than one operation")
			failed[op.BulkID] = true
			errorsSeen++
		}
	}
	for progress := true; progress; {
		progress = false
		for i, op := range ops {
			if results[i] != nil {
				continue
			}
			if failOnErrors > 0 && errorsSeen >= failOnErrors {
				break
			}
			refs := bulkRefs(op)
			ready, broken := true, ""
			for _, ref := range refs {
				if _, ok := ids[ref]; ok {
					continue
				}
				if declared[ref] == 0 || failed[ref] {
					broken = ref
					break
				}
				ready = false
			}
			if broken != "" {
				results[i] = bulkError(op, http.StatusConflict, schema.ScimInvalidValue, "bulkId "+strconv.Quote(broken)+" does not refer to a resource created by this request")
			} else if !ready {
				continue
			} else {
				results[i] = h.bulkOne(r, op, ids)
			}
			progress = true
			st, _ := strconv.Atoi(results[i].Status)
			if st >= 400 {
				errorsSeen++
				if op.BulkID != "" {
					failed[op.BulkID] = true
				}
			}
		}
	}
	out := make([]bulkResult, 0, len(ops))
	for i, op := range ops {
		res := results[i]
		if res == nil {
			if failOnErrors > 0 && errorsSeen >= failOnErrors {
				continue // not attempted
			}
			res = bulkError(op, http.StatusConflict, schema.ScimInvalidValue, "circular bulkId references cannot be resolved")
		}
		out = append(out, *res)
	}
	h.writeJSON(w, r, http.StatusOK, map[string]any{"schemas": []string{schema.BulkResponseURN}, "Operations": out})
	return nil
}

func bulkRefs(op bulkOp) []string {
	var refs []string
	for _, m := range bulkRef.FindAllSubmatch(op.Data, -1) {
		refs = append(refs, string(m[1]))
	}
	if strings.HasPrefix(op.Path, "/") {
		if i := strings.Index(op.Path, "bulkId:"); i >= 0 {
			refs = append(refs, strings.SplitN(op.Path[i+len("bulkId:"):], "/", 2)[0])
		}
	}
	return refs
}

func bulkError(op bulkOp, status int, scimType, detail string) *bulkResult {
	b, _ := json.Marshal(errorBodyOf(&Error{Status: status, ScimType: scimType, Detail: detail}))
	return &bulkResult{Method: op.Method, BulkID: op.BulkID, Version: op.Version, Status: strconv.Itoa(status), Response: b}
}

// bulkOne serves one operation with the same operations as the
// resource endpoints, and the bulk request's context (tenant, principal).
// Only what RFC 7644 §3.7 describes is an operation: POST to a resource
// endpoint, and PUT, PATCH or DELETE of one resource.
func (h *Handler) bulkOne(r *http.Request, op bulkOp, ids map[string]string) *bulkResult {
	method := strings.ToUpper(op.Method)
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return bulkError(op, http.StatusBadRequest, schema.ScimInvalidSyntax, "bulk method must be POST, PUT, PATCH or DELETE")
	}
	path := op.Path
	if !strings.HasPrefix(path, "/") || strings.Contains(path, "//") || strings.Count(strings.Trim(path, "/"), "/") > 1 || strings.ContainsAny(path, "?#") {
		return bulkError(op, http.StatusBadRequest, schema.ScimInvalidPath, "bulk path must be a resource endpoint like /Users or /Users/{id}")
	}
	first, _, _ := strings.Cut(strings.Trim(path, "/"), "/")
	rt := h.byPath[strings.ToLower(first)]
	if rt == nil {
		return bulkError(op, http.StatusBadRequest, schema.ScimInvalidPath, "bulk path "+strconv.Quote(path)+" is not a resource endpoint")
	}
	if method == http.MethodPost && op.BulkID == "" {
		return bulkError(op, http.StatusBadRequest, schema.ScimInvalidValue, "a bulk POST needs a bulkId")
	}
	data := bulkRef.ReplaceAllFunc(op.Data, func(m []byte) []byte {
		id := ids[string(bulkRef.FindSubmatch(m)[1])]
		b, _ := json.Marshal(id)
		return b
	})
	if i := strings.Index(path, "bulkId:"); i >= 0 {
		rest := path[i+len("bulkId:"):]
		ref, tail, _ := strings.Cut(rest, "/")
		path = path[:i] + ids[ref]
		if tail != "" {
			path += "/" + tail
		}
	}
	_, rest, _ := strings.Cut(strings.Trim(path, "/"), "/")
	id, err := url.PathUnescape(rest)
	if err != nil {
		return bulkError(op, http.StatusBadRequest, schema.ScimInvalidPath, "bulk path is not a valid URL path")
	}
	// Every operation but a failed POST names its resource (RFC 7644 §3.7.3).
	location := ""
	if method != http.MethodPost {
		location = h.baseURL(r) + path
	}
	var refused *bulkResult
	switch {
	case id == ".search":
		refused = bulkError(op, http.StatusBadRequest, schema.ScimInvalidPath,
			"a bulk operation creates, replaces, modifies or deletes a resource (RFC 7644 §3.7); searches are not bulk operations")
	case id == "" && method != http.MethodPost:
		refused = bulkError(op, http.StatusMethodNotAllowed, "", "bulk "+method+" needs a resource path like /"+first+"/{id}")
	case id != "" && method == http.MethodPost:
		refused = bulkError(op, http.StatusMethodNotAllowed, "", "bulk POST creates a resource at an endpoint like /"+first)
	}
	if refused != nil {
		refused.Location = location
		return refused
	}
	ctx := r.Context()
	res := &bulkResult{Method: op.Method, BulkID: op.BulkID}
	status := http.StatusOK
	var created *store.Resource
	switch method {
	case http.MethodPost:
		var in map[string]any
		if in, err = decodeObject(data); err == nil {
			created, err = h.create(ctx, rt, in)
		}
		if err == nil {
			status, res.Location, res.Version = http.StatusCreated, h.location(r, rt, created.ID), etag(created.Meta.Version)
			// Responses are only required for errors; a POST's is kept so
			// that clients can read the created resource.
			shown := []*store.Resource{created}
			if rt.returnsGroups(nil) {
				shown, err = h.withGroups(ctx, rt, shown, h.groupRef(r), nil)
			}
			if err == nil {
				// The version of the representation the response holds
				// (see groupsMark).
				res.Version = etag(shown[0].Meta.Version)
				res.Response, err = h.render(r, rt, shown[0], nil).AppendJSON(nil)
			}
			ids[op.BulkID] = created.ID
		}
	case http.MethodPut:
		var in map[string]any
		var out *store.Resource
		if in, err = decodeObject(data); err == nil {
			out, err = h.replace(ctx, rt, id, in, op.Version)
		}
		if err == nil {
			res.Version = etag(out.Meta.Version)
		}
	case http.MethodPatch:
		var ops []patch.Operation
		var version string
		if ops, err = decodePatch(data); err == nil {
			_, version, err = h.patch(ctx, rt, id, ops, op.Version, false)
		}
		if err == nil {
			res.Version = etag(version)
			if rt.noContent {
				status = http.StatusNoContent
			}
		}
	case http.MethodDelete:
		if err = h.delete(ctx, rt, id, op.Version); err == nil {
			status = http.StatusNoContent
		}
	}
	if err != nil {
		e := h.logged(ctx, method, path, err)
		res.Status = strconv.Itoa(e.Status)
		res.Response, _ = json.Marshal(errorBodyOf(e))
		res.Version, res.Location = "", location
		return res
	}
	res.Status = strconv.Itoa(status)
	if method != http.MethodPost {
		res.Location = location
	}
	return res
}
