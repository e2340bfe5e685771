package scim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// Cursor errors of RFC 9865 §6.
const (
	scimInvalidCursor = "invalidCursor"
	scimExpiredCursor = "expiredCursor"
)

// A cursor is base64url(version | issued unix seconds | binding | position
// | HMAC-SHA256 truncated to 16 bytes). The binding ties it to one resource
// type, filter and sort order; the MAC makes it tamper-proof.
const (
	cursorVersion = 1
	bindingLen    = 8
	macLen        = 16
)

func (h *Handler) cursorBinding(rt *resourceType, sq store.Query) []byte {
	m := sha256.New()
	m.Write([]byte(rt.Name))
	m.Write([]byte{0})
	if sq.Filter != nil {
		m.Write([]byte(sq.Filter.String()))
	}
	m.Write([]byte{0})
	m.Write([]byte(sq.SortBy.String()))
	if sq.Descending {
		m.Write([]byte{1})
	}
	return m.Sum(nil)[:bindingLen]
}

func (h *Handler) sealCursor(binding []byte, position string) string {
	var buf bytes.Buffer
	buf.WriteByte(cursorVersion)
	_ = binary.Write(&buf, binary.BigEndian, h.now().Unix())
	buf.Write(binding)
	buf.WriteString(position)
	mac := hmac.New(sha256.New, h.cursorKey)
	mac.Write(buf.Bytes())
	buf.Write(mac.Sum(nil)[:macLen])
	return base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

func cursorError(scimType, detail string) *Error {
	return &Error{Status: http.StatusBadRequest, ScimType: scimType, Detail: detail}
}

// openCursor checks a cursor's MAC, binding and age and returns the store
// position inside it.
func (h *Handler) openCursor(binding []byte, c string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) < 1+8+bindingLen+macLen || raw[0] != cursorVersion {
		return "", cursorError(scimInvalidCursor, "cursor is not one this service provider issued")
	}
	body, sum := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	mac := hmac.New(sha256.New, h.cursorKey)
	mac.Write(body)
	if !hmac.Equal(sum, mac.Sum(nil)[:macLen]) {
		return "", cursorError(scimInvalidCursor, "cursor is not one this service provider issued")
	}
	if !hmac.Equal(body[9:9+bindingLen], binding) {
		return "", cursorError(scimInvalidCursor, "cursor belongs to another query: resend the same filter and sort as for the first page")
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(body[1:9])), 0)
	if h.now().Sub(issued) > h.cursorTimeout {
		return "", cursorError(scimExpiredCursor, "cursor has expired; start again without one")
	}
	return string(body[9+bindingLen:]), nil
}

// cursorList is the ListResponse of a cursor-paginated request
// (RFC 9865 §4): no startIndex, a nextCursor while more results follow.
type cursorList struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	ItemsPerPage int      `json:"itemsPerPage"`
	NextCursor   string   `json:"nextCursor,omitempty"`
	Resources    []any    `json:"Resources"`
}

var errNoCursors = badParam("cursor pagination is not supported by this service provider; use startIndex and count")

// cursorList serves one page of cursor pagination.
func (h *Handler) cursorList(ctx context.Context, rt *resourceType, req SearchRequest) (listed, error) {
	if h.cursors == nil || rt.catalog != nil {
		return listed{}, errNoCursors
	}
	if req.StartIndex != 0 {
		return listed{}, badParam("startIndex and cursor cannot be used together")
	}
	sq, err := h.storeQuery(rt, req)
	if err != nil {
		return listed{}, err
	}
	if rt.groups && sq.Filter != nil && namesGroups(sq.Filter) {
		return listed{}, badParam("cursor pagination cannot be used with a filter on groups; use startIndex and count")
	}
	p, err := rt.projection(req)
	if err != nil {
		return listed{}, err
	}
	binding := h.cursorBinding(rt, sq)
	after := ""
	if *req.Cursor != "" {
		if after, err = h.openCursor(binding, *req.Cursor); err != nil {
			return listed{}, err
		}
	}
	page, err := h.cursorPage(ctx, rt, sq, after)
	if errors.Is(err, errors.ErrUnsupported) {
		err = &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue, Detail: "this query cannot be paged with a cursor; use startIndex and count", Err: err}
	}
	if err != nil {
		return listed{}, err
	}
	l := listed{total: page.Total, cursor: true, items: make([]listItem, 0, len(page.Resources))}
	for _, res := range page.Resources {
		l.items = append(l.items, listItem{rt: rt, res: res, p: p})
	}
	if page.Next != "" {
		l.next = h.sealCursor(binding, page.Next)
	}
	return l, nil
}

// cursorPage asks the store for the page after a position. With a filter
// the store evaluates only in part (store.FilterSplitter), it keeps asking
// until the page is full of resources that also match the rest.
func (h *Handler) cursorPage(ctx context.Context, rt *resourceType, sq store.Query, after string) (*store.Page, error) {
	var residual filter.Expr
	if fs, ok := h.store.(store.FilterSplitter); ok && sq.Filter != nil {
		var pushed filter.Expr
		pushed, residual = fs.SplitFilter(rt.Name, sq.Filter)
		if residual == nil {
			sq.Filter = pushed
		} else {
			totals := sq
			totals.StartIndex, totals.Count = 1, 0
			t, err := h.query(ctx, rt, totals)
			if err != nil {
				return nil, err
			}
			want := sq.Count
			sq.Filter = pushed
			out := &store.Page{Total: t.Total}
			scanned := 0
			for len(out.Resources) < want {
				sq.Count = want - len(out.Resources)
				page, err := h.cursors.ListAfter(ctx, rt.Name, sq, after)
				if err != nil {
					return nil, err
				}
				if scanned += len(page.Resources); scanned > h.maxCandidates {
					return nil, h.tooMany(residual)
				}
				for _, res := range page.Resources {
					if filter.Match(residual, res.Object()) {
						out.Resources = append(out.Resources, res)
					}
				}
				out.Next, after = page.Next, page.Next
				if page.Next == "" || len(page.Resources) == 0 {
					break
				}
			}
			return out, nil
		}
	}
	return h.cursors.ListAfter(ctx, rt.Name, sq, after)
}

func (h *Handler) paginationConfig() map[string]any {
	return map[string]any{
		"cursor":                  h.cursors != nil,
		"index":                   true,
		"defaultPaginationMethod": "index",
		"defaultPageSize":         h.maxCount,
		"maxPageSize":             h.maxCount,
		"cursorTimeout":           int64(h.cursorTimeout / time.Second),
	}
}
